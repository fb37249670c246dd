//! Composing a document's text: Danish case prose in a letter, note or mail layout, with every
//! piece of personal data recorded as a [`PiiSpan`] and every look-alike as a decoy.

use chrono::{Datelike, Duration, NaiveDate};

use super::data::FIRMS;
use super::generate::century_year;
use super::model::{
    Citizen, Department, DocKind, Format, Municipality, Owner, PiiKind, PiiSpan, SimCase,
    SimDocument, Staff,
};
use super::prng::Rng;

/// The envelope of a document rendered as an e-mail.
pub(crate) struct Mail {
    /// Sender display name and address.
    pub from: (String, String),
    /// Recipient display name and address.
    pub to: (String, String),
    /// Byte offset in the text where the body starts (after the header block).
    pub body_start: usize,
}

/// A composed document text with its ground truth.
pub(crate) struct Composed {
    pub text: String,
    pub spans: Vec<PiiSpan>,
    pub decoys: Vec<(usize, usize)>,
    pub mail: Option<Mail>,
    /// Byte ranges of lines to set as headings (bold in docx).
    pub title_line: Option<(usize, usize)>,
}

/// Appends text and records spans at exact byte offsets.
struct Writer {
    text: String,
    spans: Vec<PiiSpan>,
    decoys: Vec<(usize, usize)>,
}

impl Writer {
    fn lit(&mut self, s: &str) {
        self.text.push_str(s);
    }
    fn pii(&mut self, s: &str, kind: PiiKind, owner: Owner) {
        let start = self.text.len();
        self.text.push_str(s);
        self.spans.push(PiiSpan {
            start,
            end: self.text.len(),
            kind,
            owner,
        });
    }
    fn decoy(&mut self, s: &str) {
        let start = self.text.len();
        self.text.push_str(s);
        self.decoys.push((start, self.text.len()));
    }
}

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

/// `12. marts 2024`.
pub(crate) fn danish_date(d: NaiveDate) -> String {
    format!("{}. {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// The year of birth a CPR number encodes, if it is well-formed.
pub(crate) fn birth_year(cpr: &str) -> Option<i32> {
    let b = cpr.as_bytes();
    if b.len() != 11
        || !b.iter().enumerate().all(|(i, c)| {
            if i == 6 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
    {
        return None;
    }
    let yy = u32::from(b[4] - b'0') * 10 + u32::from(b[5] - b'0');
    century_year(yy, b[7] - b'0')
}

const GENERAL: [&str; 16] = [
    "Kommunen modtog den {DATE} en henvendelse fra {P} (CPR-nr. {PCPR}) om {TOPIC}.",
    "{P} bor på adressen {PADR} sammen med {R}, som er {PF}s {REL}.",
    "{R} (CPR-nr. {RCPR}) deltog også i samtalen.",
    "{PF} kan kontaktes på telefon {PTLF} eller via e-mail {PMAIL}.",
    "Ifølge {PF} har naboen {N}, {NADR}, hjulpet med indkøb og praktiske opgaver.",
    "{N} har telefonisk bekræftet oplysningerne og kan træffes på {NTLF}.",
    "Sagen er oprettet under sagsnummer {SAGSNR} og journaliseret med {JNR}.",
    "Eventuel udbetaling sker til reg.- og kontonummer {BANK}.",
    "Der er indhentet et tilbud fra {FIRM}, {CVR}.",
    "Henvendelsen er registreret med løbenummer {REF} i postsystemet.",
    "{R} kan kontaktes på {RTLF} eller {RMAIL}, hvis der er spørgsmål.",
    "Sagsbehandler {S} har den {DATE} gennemgået sagens akter.",
    "Det blev aftalt, at {PF} vender tilbage senest den {DATE}.",
    "Kommunen har lagt vægt på de oplysninger, som {P} og {R} har givet.",
    "Af hensyn til sagens oplysning er der indhentet udtalelse fra {FIRM} ({CVR}).",
    "{PF} har oplyst, at {R}, født {RBIRTH}, har CPR-nr. {RCPR}.",
];

fn department_sentences(code: &str) -> &'static [&'static str] {
    match code {
        "BF" => &[
            "Under hjemmebesøget den {DATE} var {R} til stede, og stemningen i hjemmet var rolig.",
            "Skolen har i underretningen beskrevet, at barnet ofte kommer for sent og virker træt.",
            "Forældrene har givet samtykke til, at kommunen indhenter oplysninger fra sundhedsplejen.",
            "{PF} fortalte, at familien har haft en svær periode efter flytningen til {PADR}.",
        ],
        "TM" => &[
            "Ansøgningen vedrører ejendommen {PADR}.",
            "Naboen {N} er partshørt og har ingen indsigelser mod projektet.",
            "Projektet overholder bebyggelsesprocenten i lokalplanen.",
            "Arbejdet udføres af {FIRM}, {CVR}.",
        ],
        "BE" => &[
            "{PF} deltog i jobsamtalen den {DATE} og fortalte om sine skånehensyn.",
            "Lægen vurderer, at {PF} kan arbejde ca. 15 timer om ugen.",
            "Der er aftalt en virksomhedspraktik hos {FIRM}, {CVR}.",
            "{PF} oplyser, at {R} hjælper med at holde styr på aftalerne.",
        ],
        "SO" => &[
            "Visitator har vurderet, at {P} har behov for hjælp til personlig pleje morgen og aften.",
            "{R} er pårørende og ønsker at blive orienteret om ændringer i hjælpen.",
            "Der er bevilget en rollator og et badetaburet.",
            "Hjemmeplejen kan kontaktes døgnet rundt, og {R} har nøgle til boligen på {PADR}.",
        ],
        "SD" => &[
            "{PF} går i 4. klasse på Skovvangsskolen og er glad for sin klasse.",
            "Forældrene ønsker, at PPR vurderer behovet for støtte i undervisningen.",
            "Kørslen foregår med taxa fra hjemmet på {PADR}.",
            "{R} har deltaget i skole-hjem-samtalen den {DATE}.",
        ],
        _ => &[
            "Flytningen er registreret med virkning fra den {DATE}.",
            "Boligstøtten er beregnet ud fra husstandens samlede indkomst.",
            "{P} har oplyst, at {R} også er flyttet ind på adressen.",
            "Borgerservice har vejledt {PF} om mulighederne for at søge digitalt.",
        ],
    }
}

struct Ctx<'a> {
    case: &'a SimCase,
    doc: &'a SimDocument,
    dept: &'a Department,
    p: &'a Citizen,
    r: &'a Citizen,
    rel: &'static str,
    n: &'a Citizen,
    s: &'a Staff,
    rng: Rng,
    w: Writer,
}

impl Ctx<'_> {
    fn cpr(&mut self, c: &Citizen) {
        let s = if self.rng.chance(0.25) {
            c.cpr.replace('-', "")
        } else {
            c.cpr.clone()
        };
        self.w.pii(&s, PiiKind::Cpr, Owner::Citizen(c.id));
    }
    fn name(&mut self, c: &Citizen) {
        self.w.pii(&c.name(), PiiKind::Name, Owner::Citizen(c.id));
    }
    fn first(&mut self, c: &Citizen) {
        self.w
            .pii(&c.first_name, PiiKind::Name, Owner::Citizen(c.id));
    }
    fn addr(&mut self, c: &Citizen) {
        self.w.pii(
            &c.address.one_line(),
            PiiKind::Address,
            Owner::Citizen(c.id),
        );
    }
    fn phone(&mut self, c: &Citizen) {
        self.w.pii(&c.phone, PiiKind::Phone, Owner::Citizen(c.id));
    }
    fn email(&mut self, c: &Citizen) {
        self.w.pii(&c.email, PiiKind::Email, Owner::Citizen(c.id));
    }
    fn staff_name(&mut self) {
        self.w
            .pii(&self.s.name, PiiKind::Name, Owner::Staff(self.s.id));
    }
    fn some_date(&mut self) -> NaiveDate {
        self.doc.letter_date - Duration::days(self.rng.range(0, 40))
    }
    fn decoy_ref(&mut self) {
        let yy = self.rng.below(100);
        let (dd, mm) = if self.rng.chance(0.5) {
            (32 + self.rng.below(8), 1 + self.rng.below(12))
        } else {
            (1 + self.rng.below(28), 13 + self.rng.below(7))
        };
        let s = format!("{dd:02}{mm:02}{yy:02}-{:04}", self.rng.below(10_000));
        self.w.decoy(&s);
    }

    fn token(&mut self, t: &str) {
        let (p, r, n) = (self.p, self.r, self.n);
        match t {
            "P" => self.name(p),
            "PF" => self.first(p),
            "PCPR" => self.cpr(p),
            "PADR" => self.addr(p),
            "PTLF" => self.phone(p),
            "PMAIL" => self.email(p),
            "R" => self.name(r),
            "RF" => self.first(r),
            "RCPR" => self.cpr(r),
            "RTLF" => self.phone(r),
            "RMAIL" => self.email(r),
            "RBIRTH" => {
                let y =
                    birth_year(&r.cpr).map_or_else(|| "ukendt år".to_string(), |y| y.to_string());
                self.w.lit(&format!("i {y}"));
            }
            "REL" => self.w.lit(self.rel),
            "N" => self.name(n),
            "NADR" => self.addr(n),
            "NTLF" => self.phone(n),
            "S" => self.staff_name(),
            "DATE" => {
                let d = self.some_date();
                self.w.lit(&danish_date(d));
            }
            "TOPIC" => self.w.lit(&self.case.title.to_lowercase()),
            "SAGSNR" => {
                let s = if self.rng.chance(0.7) {
                    self.case.sagsnummer.clone()
                } else {
                    format!("{}-{:06}", 2018 + self.rng.below(9), self.rng.below(20_000))
                };
                self.w.decoy(&s);
            }
            "JNR" => {
                let s = format!(
                    "j.nr. {}-{}-{}-{:02}",
                    self.case.kle,
                    self.case.handlingsfacet,
                    1 + self.rng.below(40),
                    self.case.opened.year() % 100
                );
                self.w.decoy(&s);
            }
            "BANK" => {
                // The account starts with 4-9, so no ten digits in it read as a date of birth.
                let s = format!(
                    "{:04}-{}{:09}",
                    1000 + self.rng.below(9000),
                    4 + self.rng.below(6),
                    self.rng.below(1_000_000_000)
                );
                self.w.decoy(&s);
            }
            "CVR" => {
                let s = format!(
                    "CVR {}{:07}",
                    1 + self.rng.below(9),
                    self.rng.below(10_000_000)
                );
                self.w.decoy(&s);
            }
            "FIRM" => {
                let f = *self.rng.pick(&FIRMS);
                self.w.lit(f);
            }
            "REF" => self.decoy_ref(),
            other => self.w.lit(other),
        }
    }

    fn sentence(&mut self, template: &str) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            self.w.lit(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    self.token(&after[..close]);
                    rest = &after[close + 1..];
                }
                None => {
                    rest = after;
                }
            }
        }
        self.w.lit(rest);
    }

    fn paragraphs(&mut self, count: usize) {
        let dept = department_sentences(self.dept.code);
        let mut last = usize::MAX;
        for _ in 0..count {
            let sentences = self.rng.range(2, 4);
            for k in 0..sentences {
                if k > 0 {
                    self.w.lit(" ");
                }
                let pool_len = GENERAL.len() + dept.len();
                let mut ix = self.rng.below(pool_len);
                if ix == last {
                    ix = (ix + 1) % pool_len;
                }
                last = ix;
                let t = if ix < GENERAL.len() {
                    GENERAL[ix]
                } else {
                    dept[ix - GENERAL.len()]
                };
                self.sentence(t);
            }
            self.w.lit("\n\n");
        }
    }

    fn staff_signature(&mut self) {
        let s = self.s;
        self.w.lit("Med venlig hilsen\n\n");
        self.staff_name();
        self.w.lit(&format!("\n{}\nTlf. ", self.dept.name));
        self.w.pii(&s.phone, PiiKind::Phone, Owner::Staff(s.id));
        self.w.lit("\nE-mail: ");
        self.w.pii(&s.email, PiiKind::Email, Owner::Staff(s.id));
        self.w.lit("\n");
    }

    fn title(&mut self) -> (usize, usize) {
        let start = self.w.text.len();
        self.w.lit(&self.doc.title);
        let end = self.w.text.len();
        self.w.lit("\n\n");
        (start, end)
    }

    fn body_count(&mut self) -> usize {
        // Mostly a page; one in ten runs long (several pages).
        if self.rng.chance(0.1) {
            self.rng.range(10, 24) as usize
        } else {
            self.rng.range(2, 4) as usize
        }
    }
}

/// Composes the text of `doc` (deterministic for the seed and the document).
pub(crate) fn compose(m: &Municipality, case: &SimCase, doc: &SimDocument, rng: Rng) -> Composed {
    let fallback_dept = &m.departments[0];
    let dept = m.department(case.department).unwrap_or(fallback_dept);
    let p = &m.citizens[case.primary.min(m.citizens.len() - 1)];
    let mut rng = rng;
    let pick_other = |rng: &mut Rng, not: usize| -> &Citizen {
        let i = rng.below(m.citizens.len());
        if i == not {
            &m.citizens[(i + 1) % m.citizens.len()]
        } else {
            &m.citizens[i]
        }
    };
    let r = match (case.secondary.first(), p.family.is_empty()) {
        (Some(&s), _) if rng.chance(0.5) => &m.citizens[s],
        (_, false) => &m.citizens[p.family[rng.below(p.family.len())]],
        _ => pick_other(&mut rng, p.id),
    };
    let rel = match (birth_year(&p.cpr), birth_year(&r.cpr)) {
        _ if !p.family.contains(&r.id) => "kontaktperson",
        (Some(a), Some(b)) if b - a > 15 => "barn",
        (Some(a), Some(b)) if a - b > 15 => "forælder",
        _ => "partner",
    };
    let n = if p.neighbours.is_empty() {
        pick_other(&mut rng, p.id)
    } else {
        &m.citizens[p.neighbours[rng.below(p.neighbours.len())]]
    };
    let s = m.staff.get(case.caseworker).or_else(|| m.staff.first());
    let Some(s) = s else {
        return Composed {
            text: doc.title.clone(),
            spans: Vec::new(),
            decoys: Vec::new(),
            mail: None,
            title_line: None,
        };
    };
    let mut c = Ctx {
        case,
        doc,
        dept,
        p,
        r,
        rel,
        n,
        s,
        rng,
        w: Writer {
            text: String::with_capacity(4096),
            spans: Vec::new(),
            decoys: Vec::new(),
        },
    };
    let date = danish_date(doc.letter_date);
    let mut mail = None;
    let title_line;

    if doc.format == Format::Eml {
        let colleague = m
            .staff
            .iter()
            .filter(|o| o.department == s.department && o.id != s.id)
            .nth(c.rng.below(4))
            .unwrap_or(s);
        let (from, to): ((String, String, Owner), (String, String, Owner)) = match doc.kind {
            DocKind::Incoming => (
                // A relative writes the mails titled so; the citizen writes the others.
                if doc.title.contains("pårørende") {
                    (r.name(), r.email.clone(), Owner::Citizen(r.id))
                } else {
                    (p.name(), p.email.clone(), Owner::Citizen(p.id))
                },
                (s.name.clone(), s.email.clone(), Owner::Staff(s.id)),
            ),
            DocKind::Outgoing => (
                (s.name.clone(), s.email.clone(), Owner::Staff(s.id)),
                (p.name(), p.email.clone(), Owner::Citizen(p.id)),
            ),
            _ => (
                (s.name.clone(), s.email.clone(), Owner::Staff(s.id)),
                (
                    colleague.name.clone(),
                    colleague.email.clone(),
                    Owner::Staff(colleague.id),
                ),
            ),
        };
        for (label, (name, email, owner)) in [("Fra: ", &from), ("Til: ", &to)] {
            c.w.lit(label);
            c.w.pii(name, PiiKind::Name, *owner);
            c.w.lit(" <");
            c.w.pii(email, PiiKind::Email, *owner);
            c.w.lit(">\n");
        }
        c.w.lit(&format!("Dato: {date}\nEmne: "));
        let ts = c.w.text.len();
        c.w.lit(&doc.title);
        title_line = Some((ts, c.w.text.len()));
        c.w.lit("\n\n");
        let body_start = c.w.text.len();
        c.w.lit("Hej ");
        c.w.pii(&to.0, PiiKind::Name, to.2);
        c.w.lit("\n\n");
        let count = c.rng.range(1, 3) as usize;
        c.paragraphs(count);
        if doc.kind == DocKind::Incoming {
            let writer = if from.2 == Owner::Citizen(r.id) { r } else { p };
            c.w.lit("Venlig hilsen\n");
            c.name(writer);
            c.w.lit("\nTlf. ");
            c.phone(writer);
            c.w.lit("\n");
        } else {
            c.staff_signature();
        }
        mail = Some(Mail {
            from: (from.0, from.1),
            to: (to.0, to.1),
            body_start,
        });
    } else {
        match doc.kind {
            DocKind::Outgoing => {
                c.w.lit(&format!(
                    "Sagshub Kommune\n{}\nRådhuspladsen 2, 8000 Aarhus C\n\n",
                    dept.name
                ));
                c.name(p);
                c.w.lit("\n");
                c.w.pii(&p.address.street, PiiKind::Address, Owner::Citizen(p.id));
                c.w.lit("\n");
                c.w.pii(
                    &format!("{} {}", p.address.postcode, p.address.town),
                    PiiKind::Address,
                    Owner::Citizen(p.id),
                );
                c.w.lit(&format!("\n\nDato: {date}\nSagsnr.: "));
                c.w.decoy(&case.sagsnummer);
                c.w.lit("\nCPR-nr.: ");
                c.cpr(p);
                c.w.lit("\n\n");
                title_line = Some(c.title());
                c.w.lit("Kære ");
                c.name(p);
                c.w.lit("\n\n");
                let count = c.body_count();
                c.paragraphs(count);
                c.staff_signature();
            }
            DocKind::Incoming => {
                c.name(p);
                c.w.lit("\n");
                c.w.pii(&p.address.street, PiiKind::Address, Owner::Citizen(p.id));
                c.w.lit("\n");
                c.w.pii(
                    &format!("{} {}", p.address.postcode, p.address.town),
                    PiiKind::Address,
                    Owner::Citizen(p.id),
                );
                c.w.lit("\nTlf. ");
                c.phone(p);
                c.w.lit(&format!(
                    "\n\nSagshub Kommune\n{}\n\n{}, den {date}\n\n",
                    dept.name, p.address.town
                ));
                title_line = Some(c.title());
                c.w.lit("Vedrørende: ");
                c.w.lit(&case.title);
                c.w.lit(", CPR-nr. ");
                c.cpr(p);
                c.w.lit(&format!(
                    "\n\nJeg skriver til jer angående {}.\n\n",
                    case.title.to_lowercase()
                ));
                let count = c.body_count();
                c.paragraphs(count);
                c.w.lit("Med venlig hilsen\n\n");
                c.name(p);
                c.w.lit("\n");
            }
            DocKind::Note | DocKind::Internal => {
                let head = if doc.kind == DocKind::Note {
                    "Journalnotat"
                } else {
                    "Internt notat"
                };
                c.w.lit(&format!("{head}\n\nSagsnr.: "));
                c.w.decoy(&case.sagsnummer);
                c.w.lit(&format!(" ({})\nDato: {date}\nUdarbejdet af: ", case.title));
                c.staff_name();
                c.w.lit("\nPart: ");
                c.name(p);
                c.w.lit(", CPR-nr. ");
                c.cpr(p);
                c.w.lit("\n\n");
                title_line = Some(c.title());
                let count = c.body_count();
                c.paragraphs(count);
                c.w.lit("Notat slut.\n");
            }
        }
    }
    Composed {
        text: c.w.text,
        spans: c.w.spans,
        decoys: c.w.decoys,
        mail,
        title_line,
    }
}
