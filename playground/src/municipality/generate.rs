//! Building the municipality from [`Params`]: citizens in households on shared streets, staff,
//! cases and document metadata. Document bytes are made later, on demand, by [`super::render`].

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use super::data::{
    DEPARTMENTS, FACETS, FEMALE, LAST, MAIL_DOMAINS, MALE, STAFF_DOMAIN, STREETS, TOWNS, ascii_fold,
};
use super::model::{
    Address, Citizen, DocKind, Format, Level, Municipality, Params, SimCase, SimDocument, Staff,
    Status,
};
use super::prng::Rng;

/// Namespace of the generator's v5 UUIDs (an arbitrary fixed value).
const NAMESPACE: Uuid = Uuid::from_u128(0x5a65_6e2d_7361_6773_6875_622d_6d75_6e69);

/// Document count of the stress-size case.
pub const LARGEST_CASE_DOCUMENTS: usize = 552;

/// Staff per department.
const STAFF_PER_DEPARTMENT: usize = 5;

// Random streams: each part of the municipality draws from its own, so adding a field to one
// part does not reshuffle the others.
const S_CITIZENS: u64 = 1;
const S_STAFF: u64 = 2;
const S_CASES: u64 = 3;
const S_DOCS: u64 = 4;

/// Builds the whole synthetic municipality. Same parameters, same municipality.
pub fn generate(params: &Params) -> Municipality {
    let citizens = citizens(params);
    let staff = staff(params.seed);
    let cases = cases(params, &citizens, &staff);
    Municipality {
        params: params.clone(),
        departments: DEPARTMENTS.to_vec(),
        citizens,
        staff,
        cases,
    }
}

/// A v5 UUID stable for the seed, the kind of record and its index.
pub(crate) fn stable_uuid(seed: u64, kind: &str, index: usize) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{seed}/{kind}/{index}").as_bytes())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with literal, valid dates.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The first day from which modulus 11 is no longer guaranteed.
fn mod11_optional_from() -> NaiveDate {
    date(2007, 10, 1)
}

/// The weights of the modulus-11 check.
const MOD11_WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/// Whether ten CPR digits pass the modulus-11 check.
#[cfg(test)]
pub(crate) fn passes_mod11(digits: &[u8; 10]) -> bool {
    let sum: u32 = digits
        .iter()
        .zip(MOD11_WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    sum.is_multiple_of(11)
}

/// The year of birth the century rule gives for two-digit year `yy` and seventh digit `d7`.
pub(crate) fn century_year(yy: u32, d7: u8) -> Option<i32> {
    let yy = yy as i32;
    match d7 {
        0..=3 => Some(1900 + yy),
        4 | 9 => Some(if yy <= 36 { 2000 + yy } else { 1900 + yy }),
        5..=8 => Some(if yy <= 57 { 2000 + yy } else { 1800 + yy }),
        _ => None,
    }
}

/// The seventh digits that the century rule maps to `year`.
fn century_digits(year: i32) -> &'static [u8] {
    let yy = year % 100;
    match year {
        1858..=1899 => &[5, 6, 7, 8],
        1900..=1999 if yy >= 37 => &[0, 1, 2, 3, 4, 9],
        1900..=1999 => &[0, 1, 2, 3],
        2000..=2036 => &[4, 9, 5, 6, 7, 8],
        2037..=2057 => &[5, 6, 7, 8],
        _ => &[],
    }
}

/// A CPR number for `birth`: passing modulus 11 when `mod11`, deliberately failing otherwise.
fn make_cpr(rng: &mut Rng, birth: NaiveDate, mod11: bool) -> Option<String> {
    let choices = century_digits(birth.year());
    if choices.is_empty() {
        return None;
    }
    let (d, m, y) = (
        birth.day(),
        birth.month(),
        birth.year().rem_euclid(100) as u32,
    );
    for _ in 0..64 {
        let mut digits = [
            (d / 10) as u8,
            (d % 10) as u8,
            (m / 10) as u8,
            (m % 10) as u8,
            (y / 10) as u8,
            (y % 10) as u8,
            *rng.pick(choices),
            rng.below(10) as u8,
            rng.below(10) as u8,
            0,
        ];
        let partial: u32 = digits
            .iter()
            .zip(MOD11_WEIGHTS)
            .map(|(d, w)| u32::from(*d) * w)
            .sum();
        let check = (11 - partial % 11) % 11;
        if mod11 {
            if check == 10 {
                continue;
            }
            digits[9] = check as u8;
        } else {
            // Any last digit but the one that would pass.
            let mut last = rng.below(9) as u32;
            if last >= check {
                last += 1;
            }
            if last > 9 {
                continue;
            }
            digits[9] = last as u8;
        }
        let s: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        return Some(format!("{}-{}", &s[..6], &s[6..]));
    }
    None
}

fn random_date(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let days = (to - from).num_days().max(0);
    from + Duration::days(rng.range(0, days))
}

fn phone(rng: &mut Rng, prefix: Option<&str>) -> String {
    let digits = match prefix {
        Some(p) => format!("{p}{:04}", rng.below(10_000)),
        None => format!("{}{:06}", rng.range(20, 61), rng.below(1_000_000)),
    };
    let b = digits.as_bytes();
    let pairs = |b: &[u8]| {
        b.chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match rng.weighted(&[4, 4, 3]) {
        0 => format!("+45 {}", pairs(b)),
        1 => pairs(b),
        _ => digits,
    }
}

struct Household {
    address: Address,
    members: Vec<usize>,
}

fn citizens(params: &Params) -> Vec<Citizen> {
    let n = params.citizens.max(1);
    let mut rng = Rng::stream(params.seed, S_CITIZENS, 0);
    let street_count = (n / 40).clamp(4, STREETS.len());
    let mut out: Vec<Citizen> = Vec::with_capacity(n);
    let mut households: Vec<Household> = Vec::new();
    let mut cprs = HashSet::new();
    let mut phones = HashSet::new();
    let mut emails = HashSet::new();

    while out.len() < n {
        // The demo citizen's household is a family, so documents can mention relatives.
        let kind = if households.is_empty() {
            2
        } else {
            rng.weighted(&[30, 25, 35, 10])
        };
        let street_ix = rng.below(street_count);
        let (postcode, town) = TOWNS[street_ix % TOWNS.len()];
        let mut street = format!("{} {}", STREETS[street_ix], rng.range(1, 140));
        if rng.chance(0.35) {
            let side = *rng.pick(&["tv.", "th.", "mf."]);
            street.push_str(&format!(", {}. {side}", rng.range(1, 5)));
        }
        let address = Address {
            street,
            postcode: postcode.into(),
            town: town.into(),
        };
        let last = *rng.pick(&LAST);
        let adults = match kind {
            0 | 3 => 1,
            _ => 2,
        };
        let children = match kind {
            2 => rng.range(1, 3) as usize,
            3 => rng.range(1, 2) as usize,
            _ => 0,
        };
        let mut members = Vec::new();
        let mut youngest_parent = date(1935, 1, 1);
        for k in 0..adults + children {
            if out.len() >= n {
                break;
            }
            let child = k >= adults;
            let birth = if child {
                let from = (youngest_parent + Duration::days(20 * 365)).max(date(2005, 1, 1));
                random_date(&mut rng, from.min(date(2024, 6, 1)), date(2024, 6, 30))
            } else {
                random_date(&mut rng, date(1938, 1, 1), date(2003, 12, 31))
            };
            if !child {
                youngest_parent = youngest_parent.max(birth);
            }
            let female = if adults == 2 && k < 2 {
                k == 0
            } else {
                rng.chance(0.5)
            };
            let first = if female {
                *rng.pick(&FEMALE)
            } else {
                *rng.pick(&MALE)
            };
            let first_name = if rng.chance(0.12) {
                let second = if female {
                    *rng.pick(&FEMALE)
                } else {
                    *rng.pick(&MALE)
                };
                if second == first {
                    first.to_string()
                } else {
                    format!("{first} {second}")
                }
            } else {
                first.to_string()
            };
            // A partner sometimes keeps their own name.
            let last_name = if k == 1 && !child && rng.chance(0.25) {
                rng.pick(&LAST).to_string()
            } else {
                last.to_string()
            };
            let mod11 = !(birth >= mod11_optional_from() && rng.chance(0.15));
            let cpr = loop {
                if let Some(c) = make_cpr(&mut rng, birth, mod11)
                    && cprs.insert(c.clone())
                {
                    break c;
                }
            };
            let phone = loop {
                let p = phone(&mut rng, None);
                let key: String = p.chars().filter(char::is_ascii_digit).collect();
                if phones.insert(key) {
                    break p;
                }
            };
            let local = format!("{}.{}", ascii_fold(&first_name), ascii_fold(&last_name));
            let domain = *rng.pick(&MAIL_DOMAINS);
            let mut email = format!("{local}@{domain}");
            let mut suffix = 2;
            while !emails.insert(email.clone()) {
                email = format!("{local}{suffix}@{domain}");
                suffix += 1;
            }
            members.push(out.len());
            out.push(Citizen {
                id: out.len(),
                cpr,
                mod11,
                first_name,
                last_name,
                address: address.clone(),
                phone,
                email,
                family: Vec::new(),
                neighbours: Vec::new(),
            });
        }
        households.push(Household { address, members });
    }

    for (h_ix, h) in households.iter().enumerate() {
        let street_name = street_only(&h.address.street);
        let neighbours: Vec<usize> = households
            .iter()
            .enumerate()
            .filter(|(j, o)| *j != h_ix && street_only(&o.address.street) == street_name)
            .flat_map(|(_, o)| o.members.first().copied())
            .take(4)
            .collect();
        for &m in &h.members {
            out[m].family = h.members.iter().copied().filter(|&o| o != m).collect();
            out[m].neighbours = neighbours.clone();
        }
    }
    out
}

/// The street name without the house number (`Møllevej 12, 2. tv.` → `Møllevej`).
fn street_only(street: &str) -> &str {
    street.split(' ').next().unwrap_or(street)
}

fn staff(seed: u64) -> Vec<Staff> {
    let mut rng = Rng::stream(seed, S_STAFF, 0);
    let mut out = Vec::new();
    let mut emails = HashSet::new();
    for (d_ix, d) in DEPARTMENTS.iter().enumerate() {
        for _ in 0..STAFF_PER_DEPARTMENT {
            let first = if rng.chance(0.55) {
                *rng.pick(&FEMALE)
            } else {
                *rng.pick(&MALE)
            };
            let last = *rng.pick(&LAST);
            let local = format!("{}.{}", ascii_fold(first), ascii_fold(last));
            let mut email = format!("{local}@{STAFF_DOMAIN}");
            let mut suffix = 2;
            while !emails.insert(email.clone()) {
                email = format!("{local}{suffix}@{STAFF_DOMAIN}");
                suffix += 1;
            }
            let prefix = format!("8713{}", d_ix + 1);
            out.push(Staff {
                id: out.len(),
                name: format!("{first} {last}"),
                email,
                phone: phone(&mut rng, Some(&prefix[..4])),
                department: d.code,
            });
        }
    }
    out
}

fn cases(params: &Params, citizens: &[Citizen], staff: &[Staff]) -> Vec<SimCase> {
    let mut rng = Rng::stream(params.seed, S_CASES, 0);
    let n_cit = citizens.len();
    let demo_cases = params.demo_citizen_cases.min(params.cases);
    let largest = (params.include_largest_case && params.cases > 0).then(|| {
        if params.cases > demo_cases {
            demo_cases + rng.below(params.cases - demo_cases)
        } else {
            params.cases - 1
        }
    });
    let frequent = n_cit.saturating_sub(1).min(20);
    let mut serial = [0usize; 10];
    let mut out = Vec::with_capacity(params.cases);
    let mut doc_id = 0usize;

    for i in 0..params.cases {
        let demo = i < demo_cases;
        let dept_ix = if demo {
            i % DEPARTMENTS.len()
        } else {
            rng.weighted(&[15, 20, 15, 22, 16, 12])
        };
        let dept = &DEPARTMENTS[dept_ix];
        let other_citizen = |rng: &mut Rng| -> usize {
            if n_cit <= 1 {
                0
            } else if frequent > 0 && rng.chance(0.12) {
                1 + rng.below(frequent)
            } else {
                1 + rng.below(n_cit - 1)
            }
        };
        let (primary, mut secondary) = if demo {
            // Every third demo case has the demo citizen as a secondary party.
            match citizens[0].family.first() {
                Some(&f) if i % 3 == 2 => (f, vec![0]),
                _ => (0, Vec::new()),
            }
        } else {
            (other_citizen(&mut rng), Vec::new())
        };
        if rng.chance(0.4) {
            for &f in &citizens[primary].family {
                if f != 0 && !secondary.contains(&f) && secondary.len() < 2 {
                    secondary.push(f);
                }
            }
        }
        let (kle, topic) = *rng.pick(dept.kle_topics);
        let opened = random_date(&mut rng, date(2018, 1, 2), date(2025, 12, 31));
        let status = match rng.weighted(&[15, 20, 20, 45]) {
            0 => Status::Opened,
            1 => Status::Investigated,
            2 => Status::Decided,
            _ => Status::Closed,
        };
        let closed = (status == Status::Closed)
            .then(|| (opened + Duration::days(rng.range(20, 700))).min(date(2026, 6, 30)));
        let level = match (dept.code, rng.weighted(&[46, 38, 13, 3])) {
            ("BF", 0) => Level::Confidential,
            (_, 0) => Level::Normal,
            (_, 1) => Level::Confidential,
            (_, 2) => Level::Sensitive,
            _ => Level::Vip,
        };
        let year = opened.year();
        let slot = ((year - 2018).clamp(0, 9)) as usize;
        serial[slot] += 1 + rng.below(3);
        let sagsnummer = format!("{year}-{:06}", serial[slot]);
        let dept_staff: Vec<usize> = staff
            .iter()
            .filter(|s| s.department == dept.code)
            .map(|s| s.id)
            .collect();
        let caseworker = if dept_staff.is_empty() {
            0
        } else {
            *rng.pick(&dept_staff)
        };

        let n_docs = if Some(i) == largest {
            LARGEST_CASE_DOCUMENTS
        } else {
            let x = (2.58 + 0.8 * rng.normal()).exp().round();
            (x as usize).clamp(1, LARGEST_CASE_DOCUMENTS - 1)
        };
        let end = closed.unwrap_or_else(|| (opened + Duration::days(730)).min(date(2026, 4, 30)));
        let mut drng = Rng::stream(params.seed, S_DOCS, i as u64);
        let mut dates: Vec<NaiveDate> = (0..n_docs)
            .map(|_| random_date(&mut drng, opened, end))
            .collect();
        dates.sort_unstable();
        let documents: Vec<SimDocument> = dates
            .iter()
            .enumerate()
            .map(|(k, &letter_date)| {
                let d = document(
                    &mut drng,
                    params.seed,
                    doc_id,
                    i,
                    k,
                    letter_date,
                    topic,
                    dept.code,
                    level,
                );
                doc_id += 1;
                d
            })
            .collect();
        let last = documents
            .last()
            .map_or(opened, |d| d.letter_date)
            .max(closed.unwrap_or(opened));
        let time = NaiveTime::from_hms_opt(
            8 + rng.below(8) as u32,
            rng.below(60) as u32,
            rng.below(60) as u32,
        )
        .unwrap_or_default();
        let updated_at: DateTime<Utc> = last.and_time(time).and_utc();
        out.push(SimCase {
            id: i,
            uuid: stable_uuid(params.seed, "case", i),
            sagsnummer,
            title: topic.to_string(),
            kle: kle.to_string(),
            handlingsfacet: rng.pick(&FACETS).to_string(),
            department: dept.code,
            status,
            level,
            opened,
            closed,
            primary,
            secondary,
            caseworker,
            updated_at,
            documents,
        });
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn document(
    rng: &mut Rng,
    seed: u64,
    id: usize,
    case: usize,
    k: usize,
    letter_date: NaiveDate,
    topic: &str,
    dept: &str,
    case_level: Level,
) -> SimDocument {
    let subject = topic.to_lowercase();
    let kind = if k == 0 {
        DocKind::Incoming
    } else {
        match rng.weighted(&[35, 30, 25, 10]) {
            0 => DocKind::Incoming,
            1 => DocKind::Outgoing,
            2 => DocKind::Note,
            _ => DocKind::Internal,
        }
    };
    let format = match kind {
        DocKind::Incoming => {
            [Format::Pdf, Format::Eml, Format::Scan, Format::Docx][rng.weighted(&[70, 18, 9, 3])]
        }
        DocKind::Outgoing => [Format::Pdf, Format::Docx, Format::Eml][rng.weighted(&[85, 10, 5])],
        DocKind::Note => [Format::Text, Format::Pdf, Format::Docx][rng.weighted(&[60, 30, 10])],
        DocKind::Internal => [Format::Pdf, Format::Docx, Format::Eml][rng.weighted(&[50, 35, 15])],
    };
    let title = match (kind, format) {
        (DocKind::Incoming, _) if k == 0 => {
            if dept == "BF" {
                "Underretning vedrørende barn".to_string()
            } else {
                format!("Ansøgning om {subject}")
            }
        }
        (DocKind::Incoming, Format::Eml) => if rng.chance(0.3) {
            "Mail fra pårørende"
        } else {
            "Mail fra borger"
        }
        .to_string(),
        (DocKind::Internal, Format::Eml) => "Mail fra kollega".to_string(),
        (DocKind::Incoming, Format::Scan) => {
            let t = [
                "Indscannet brev fra borger",
                "Lægeerklæring (scannet)",
                "Håndskrevet klage (scannet)",
            ];
            rng.pick(&t).to_string()
        }
        (DocKind::Incoming, _) => {
            let t = [
                "Supplerende oplysninger",
                "Lægeerklæring",
                "Bemærkninger til partshøring",
                "Klage over afgørelse",
                "Indsendt dokumentation",
            ];
            rng.pick(&t).to_string()
        }
        (DocKind::Outgoing, Format::Eml) => "Mail til borger".to_string(),
        (DocKind::Outgoing, _) => match rng.below(5) {
            0 => format!("Afgørelse om {subject}"),
            1 => "Kvittering for modtaget henvendelse".to_string(),
            2 => "Partshøring".to_string(),
            3 => "Indkaldelse til samtale".to_string(),
            _ => "Anmodning om yderligere oplysninger".to_string(),
        },
        (DocKind::Note, _) => {
            let t = [
                "Journalnotat: telefonsamtale med borger",
                "Journalnotat: telefonsamtale med pårørende",
                "Journalnotat: møde med borger",
                "Journalnotat: hjemmebesøg",
                "Journalnotat: samtale med samarbejdspartner",
            ];
            rng.pick(&t).to_string()
        }
        (DocKind::Internal, _) => {
            let t = [
                "Intern faglig vurdering",
                "Sagsresumé",
                "Indstilling til visitationsudvalg",
                "Intern mail om sagen",
            ];
            rng.pick(&t).to_string()
        }
    };
    let level = match rng.weighted(&[80, 12, 8]) {
        0 => case_level,
        1 => Level::Normal.max(lower(case_level)),
        _ => higher(case_level),
    };
    SimDocument {
        id,
        uuid: stable_uuid(seed, "document", id),
        case,
        aktnummer: (k + 1) as u32,
        title,
        kind,
        format,
        letter_date,
        level,
    }
}

fn lower(l: Level) -> Level {
    match l {
        Level::Vip | Level::Sensitive => Level::Confidential,
        _ => Level::Normal,
    }
}

fn higher(l: Level) -> Level {
    match l {
        Level::Normal => Level::Confidential,
        Level::Confidential => Level::Sensitive,
        other => other,
    }
}
