use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::NaiveDate;

use super::generate::{century_year, passes_mod11};
use super::*;

fn small() -> Municipality {
    generate(&Params::small())
}

/// A handful of documents of each format from the small municipality.
fn sample(m: &Municipality, format: Format, n: usize) -> Vec<&SimDocument> {
    m.cases
        .iter()
        .flat_map(|c| &c.documents)
        .filter(|d| d.format == format)
        .take(n)
        .collect()
}

#[test]
fn same_seed_same_municipality() {
    let (a, b) = (small(), small());
    assert_eq!(a.citizens, b.citizens);
    assert_eq!(a.staff, b.staff);
    assert_eq!(a.cases, b.cases);
    let doc = &a.cases[3].documents[0];
    assert_eq!(render(&a, doc), render(&b, doc));
    let other = generate(&Params {
        seed: 8,
        ..Params::small()
    });
    assert_ne!(a.citizens, other.citizens);
}

#[test]
fn demo_distribution_of_documents() {
    let m = generate(&Params::demo());
    let counts: Vec<usize> = m.cases.iter().map(|c| c.documents.len()).collect();
    let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
    assert!((15.0..=21.0).contains(&mean), "mean {mean}");
    assert_eq!(
        counts
            .iter()
            .filter(|&&n| n == LARGEST_CASE_DOCUMENTS)
            .count(),
        1
    );
    assert_eq!(counts.iter().max(), Some(&LARGEST_CASE_DOCUMENTS));
    assert!(counts.iter().all(|&n| n >= 1));
    let ids: HashSet<usize> = m
        .cases
        .iter()
        .flat_map(|c| &c.documents)
        .map(|d| d.id)
        .collect();
    assert_eq!(ids.len(), m.document_count());
    let scans = m
        .cases
        .iter()
        .flat_map(|c| &c.documents)
        .filter(|d| d.format == Format::Scan)
        .count();
    let share = scans as f64 / m.document_count() as f64;
    assert!((0.01..0.06).contains(&share), "scan share {share}");
}

#[test]
fn demo_citizen_is_in_every_department_and_system() {
    for params in [Params::small(), Params::demo()] {
        let m = generate(&params);
        let theirs: Vec<&SimCase> = m
            .cases
            .iter()
            .filter(|c| c.primary == 0 || c.secondary.contains(&0))
            .collect();
        assert_eq!(theirs.len(), params.demo_citizen_cases);
        let depts: HashSet<&str> = theirs.iter().map(|c| c.department).collect();
        assert_eq!(depts.len(), 6);
        let systems: HashSet<&str> = m.departments.iter().map(|d| d.system).collect();
        assert_eq!(systems.len(), 5);
        for s in systems {
            assert!(
                m.cases_of_system(s)
                    .any(|c| c.primary == 0 || c.secondary.contains(&0))
            );
        }
    }
    // Others are in several systems too.
    let m = generate(&Params::demo());
    let mut systems: HashMap<usize, HashSet<&str>> = HashMap::new();
    for c in &m.cases {
        let sys = m.department(c.department).map_or("", |d| d.system);
        systems.entry(c.primary).or_default().insert(sys);
    }
    assert!(
        systems
            .iter()
            .filter(|(id, s)| **id != 0 && s.len() >= 3)
            .count()
            >= 5
    );
}

#[test]
fn departments_are_the_six() {
    let m = small();
    let got: Vec<(&str, &str)> = m.departments.iter().map(|d| (d.code, d.system)).collect();
    assert_eq!(
        got,
        [
            ("BS", "esdh"),
            ("BF", "esdh"),
            ("TM", "esdh-tm"),
            ("BE", "jobcenter"),
            ("SO", "omsorg"),
            ("SD", "skole")
        ]
    );
    assert!(m.departments.iter().all(|d| d.kle_topics.len() >= 3));
    for c in &m.cases {
        let d = m
            .department(c.department)
            .expect("case of a known department");
        assert!(d.kle_topics.iter().any(|(k, _)| *k == c.kle));
        assert_eq!(m.staff[c.caseworker].department, c.department);
    }
}

#[test]
fn cprs_are_unique_valid_and_some_fail_mod11() {
    let m = generate(&Params::demo());
    let mut seen = HashSet::new();
    let mut late = 0;
    let mut late_failing = 0;
    for c in &m.citizens {
        assert!(seen.insert(c.cpr.clone()), "duplicate {}", c.cpr);
        let b = c.cpr.as_bytes();
        assert_eq!(b.len(), 11);
        assert_eq!(b[6], b'-');
        let digits: Vec<u8> = b
            .iter()
            .filter(|x| x.is_ascii_digit())
            .map(|x| x - b'0')
            .collect();
        let d: [u8; 10] = digits.try_into().expect("ten digits");
        let num = |i: usize| u32::from(d[i]) * 10 + u32::from(d[i + 1]);
        let year = century_year(num(4), d[6]).expect("century digit");
        let birth = NaiveDate::from_ymd_opt(year, num(2), num(0)).expect("a valid date of birth");
        assert_eq!(passes_mod11(&d), c.mod11, "{}", c.cpr);
        if birth >= NaiveDate::from_ymd_opt(2007, 10, 1).expect("date") {
            late += 1;
            late_failing += usize::from(!c.mod11);
        } else {
            assert!(c.mod11, "{} born before 2007-10-01 fails mod 11", c.cpr);
        }
    }
    let share = late_failing as f64 / late as f64;
    assert!(
        late > 100 && (0.07..0.25).contains(&share),
        "{late_failing}/{late}"
    );
}

#[test]
fn staff_and_contacts_look_right() {
    let m = small();
    for d in &m.departments {
        assert!(m.staff.iter().filter(|s| s.department == d.code).count() >= 3);
    }
    assert!(
        m.staff
            .iter()
            .all(|s| s.email.ends_with("@sagshub-kommune.dk"))
    );
    let demo = m.demo_citizen();
    assert!(!demo.family.is_empty());
    assert!(
        demo.family
            .iter()
            .all(|&f| m.citizens[f].address == demo.address)
    );
    let phones: HashSet<&str> = m.citizens.iter().map(|c| c.phone.as_str()).collect();
    assert!(phones.iter().any(|p| p.starts_with("+45 ")));
    assert!(phones.iter().any(|p| p.len() == 8));
    let sags: HashSet<&str> = m.cases.iter().map(|c| c.sagsnummer.as_str()).collect();
    assert_eq!(sags.len(), m.cases.len());
}

/// Every span's slice is the owner's data, in one of the forms the generator writes.
fn check_spans(m: &Municipality, r: &Rendered) {
    for s in &r.spans {
        let slice = &r.text[s.start..s.end];
        let ok = match s.owner {
            Owner::Citizen(i) => {
                let c = &m.citizens[i];
                match s.kind {
                    PiiKind::Cpr => slice == c.cpr || slice == c.cpr.replace('-', ""),
                    PiiKind::Name => slice == c.name() || slice == c.first_name,
                    PiiKind::Address => {
                        slice == c.address.one_line()
                            || slice == c.address.street
                            || slice == format!("{} {}", c.address.postcode, c.address.town)
                    }
                    PiiKind::Phone => slice == c.phone,
                    PiiKind::Email => slice == c.email,
                }
            }
            Owner::Staff(i) => {
                let st = &m.staff[i];
                match s.kind {
                    PiiKind::Name => slice == st.name,
                    PiiKind::Phone => slice == st.phone,
                    PiiKind::Email => slice == st.email,
                    _ => false,
                }
            }
        };
        assert!(ok, "{:?} {:?} = {slice:?}", s.kind, s.owner);
    }
}

#[test]
fn spans_and_decoys_are_exact() {
    let m = small();
    let mut kinds = HashSet::new();
    let mut other_cprs = 0;
    let mut decoys = 0;
    for case in m.cases.iter().take(12) {
        for doc in case.documents.iter().take(4) {
            let r = render(&m, doc);
            check_spans(&m, &r);
            assert!(
                r.spans
                    .iter()
                    .any(|s| s.owner == Owner::Citizen(case.primary))
            );
            for s in &r.spans {
                kinds.insert(s.kind);
                if s.kind == PiiKind::Cpr && s.owner != Owner::Citizen(case.primary) {
                    other_cprs += 1;
                }
            }
            for &(a, b) in &r.decoys {
                let d = &r.text[a..b];
                assert!(d.chars().any(|c| c.is_ascii_digit()), "{d}");
                assert!(
                    !m.citizens
                        .iter()
                        .any(|c| c.cpr == d || c.cpr.replace('-', "") == d)
                );
                decoys += 1;
            }
        }
    }
    assert_eq!(kinds.len(), 5);
    assert!(other_cprs > 0 && decoys > 0);
}

#[test]
fn pdf_opens_and_has_the_text() {
    let m = small();
    for doc in sample(&m, Format::Pdf, 8) {
        let r = render(&m, doc);
        assert_eq!(r.mime_type, "application/pdf");
        let pdf = lopdf::Document::load_mem(&r.bytes).expect("a PDF lopdf reads");
        let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
        let text = pdf.extract_text(&pages).expect("extractable text");
        let name = m.citizens[m.cases[doc.case].primary].name();
        // Extraction may break lines differently; compare without whitespace.
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        assert!(
            squash(&text).contains(&squash(&name)),
            "{name} not in {text}"
        );
    }
}

#[test]
fn long_documents_have_several_pages() {
    let m = small();
    let long = m
        .cases
        .iter()
        .flat_map(|c| &c.documents)
        .filter(|d| d.format == Format::Pdf)
        .map(|d| render(&m, d))
        .find(|r| r.text.len() > 6000)
        .expect("some long document");
    let pdf = lopdf::Document::load_mem(&long.bytes).expect("PDF");
    assert!(pdf.get_pages().len() >= 2);
}

#[test]
fn docx_unzips_with_the_text() {
    let m = small();
    for doc in sample(&m, Format::Docx, 5) {
        let r = render(&m, doc);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&r.bytes)).expect("a zip");
        assert!(zip.by_name("[Content_Types].xml").is_ok());
        assert!(zip.by_name("_rels/.rels").is_ok());
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .expect("document.xml")
            .read_to_string(&mut xml)
            .expect("utf-8");
        let span = r
            .spans
            .iter()
            .find(|s| s.kind == PiiKind::Cpr)
            .expect("a CPR span");
        assert!(xml.contains(&r.text[span.start..span.end]));
        assert!(xml.contains("xml:space=\"preserve\""));
    }
}

#[test]
fn eml_is_a_mime_message() {
    let m = small();
    let docs = sample(&m, Format::Eml, 10);
    assert!(!docs.is_empty());
    for doc in docs {
        let r = render(&m, doc);
        let s = String::from_utf8(r.bytes.clone()).expect("utf-8 message");
        let (head, body) = s.split_once("\r\n\r\n").expect("header and body");
        for h in [
            "From: ",
            "To: ",
            "Subject: ",
            "Date: ",
            "Message-ID: <",
            "MIME-Version: 1.0",
        ] {
            assert!(head.contains(h), "{h} missing in {head}");
        }
        let email = r
            .spans
            .iter()
            .find(|s| s.kind == PiiKind::Email)
            .expect("an e-mail span");
        assert!(head.contains(&r.text[email.start..email.end]));
        assert!(body.contains("charset=utf-8") || head.contains("charset=utf-8"));
    }
}

#[test]
fn text_is_the_text() {
    let m = small();
    for doc in sample(&m, Format::Text, 3) {
        let r = render(&m, doc);
        assert_eq!(r.bytes, r.text.as_bytes());
        assert!(r.text.starts_with("Journalnotat"));
    }
}

#[test]
fn scans_are_images_without_text() {
    let m = small();
    let docs = sample(&m, Format::Scan, 2);
    assert!(!docs.is_empty());
    for doc in docs {
        let r = render(&m, doc);
        let pdf = lopdf::Document::load_mem(&r.bytes).expect("a PDF");
        let mut images = 0;
        for obj in pdf.objects.values() {
            let dict = match obj {
                lopdf::Object::Dictionary(d) => d,
                lopdf::Object::Stream(s) => &s.dict,
                _ => continue,
            };
            assert!(dict.get(b"Font").is_err(), "a scan has no fonts");
            assert_ne!(
                dict.get(b"Type").and_then(|t| t.as_name()).ok(),
                Some(&b"Font"[..])
            );
            if dict.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(&b"Image"[..]) {
                images += 1;
            }
        }
        assert!(images >= 1);
        assert_eq!(images, pdf.get_pages().len());
        assert!(r.bytes.len() < 200_000 * images, "{} bytes", r.bytes.len());
        assert!(!r.text.is_empty());
    }
}
