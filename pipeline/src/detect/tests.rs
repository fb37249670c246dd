//! Detector-level tests: the whole pass, owners, offsets, and the hard-case corpus.

use super::eval::{Record, Span, detector_spans, evaluate};
use super::*;

#[test]
fn reports_byte_and_char_offsets_and_the_text() {
    let t = "Søren Ærø har CPR-nr. 070761-4285.";
    let f = detect(t, None);
    let cpr = f.iter().find(|f| f.category == Category::Cpr);
    let Some(cpr) = cpr else {
        panic!("no CPR in {f:?}")
    };
    assert_eq!(&t[cpr.start..cpr.end], "070761-4285");
    assert_eq!(cpr.char_start, t[..cpr.start].chars().count());
    assert_eq!(cpr.char_end - cpr.char_start, 11);
    assert_eq!(cpr.owner, Owner::Unknown);
}

#[test]
fn tells_whose_data_it_is() {
    let profile = SubjectProfile {
        cprs: vec!["0707614285".into()],
        names: vec!["Mette Jensen".into()],
        addresses: vec!["Møllevej 12, 8000 Aarhus C".into()],
        phones: vec!["+45 20 30 40 50".into()],
        emails: vec!["Mette@Example.dk".into()],
        staff_names: vec!["Lars Holm".into()],
    };
    let t = "Mette Jensen (CPR-nr. 070761-4285), Møllevej 12, 8000 Aarhus C, tlf. 20304050, \
             mette@example.dk. Sagsbehandler Lars Holm talte med naboen Ole Hansen, tlf. \
             30405060, og med Mette. CPR-nr. 010203-1234.";
    let f = detect(t, Some(&profile));
    let owner = |s: &str| f.iter().find(|x| x.text == s).map(|x| x.owner);
    assert_eq!(owner("Mette Jensen"), Some(Owner::Own));
    assert_eq!(owner("070761-4285"), Some(Owner::Own));
    assert_eq!(owner("Møllevej 12, 8000 Aarhus C"), Some(Owner::Own));
    assert_eq!(owner("20304050"), Some(Owner::Own));
    assert_eq!(owner("mette@example.dk"), Some(Owner::Own));
    assert_eq!(owner("Lars Holm"), Some(Owner::Staff));
    assert_eq!(owner("Ole Hansen"), Some(Owner::OtherPerson));
    assert_eq!(owner("30405060"), Some(Owner::OtherPerson));
    assert_eq!(owner("Mette"), Some(Owner::Unknown));
    assert_eq!(owner("010203-1234"), Some(Owner::OtherPerson));
}

#[test]
fn never_panics_on_odd_input() {
    for t in [
        "",
        "@",
        "a@",
        "@b.dk",
        "+",
        "+45",
        "010203-",
        "Møllevej",
        "Møllevej 1,",
        "c/o",
        "æøå\u{0}\u{FFFD}€ 12 34",
        "ÆØÅ ÆØÅSEN 1234 Å",
        "hr.",
    ] {
        let _ = detect(t, None);
    }
}

#[test]
fn personal_data_never_overlaps() {
    let t = "Anne.Jensen@example.dk bor på Hans Jensens Vej 4, 2. th., 8000 Aarhus C, tlf. \
             +45 20 30 40 50, CPR 070761-4285.";
    let f = detect(t, None);
    let pd: Vec<&Finding> = f.iter().filter(|f| f.category.is_personal_data()).collect();
    assert!(pd.windows(2).all(|w| w[0].end <= w[1].start), "{pd:?}");
    let cats: Vec<Category> = pd.iter().map(|f| f.category).collect();
    assert_eq!(
        cats,
        [
            Category::Email,
            Category::Address,
            Category::Phone,
            Category::Cpr
        ]
    );
}

/// A corpus fixture (`pipeline/fixtures/detect/NAME`), char offsets.
pub(crate) fn corpus(name: &str) -> Vec<Record> {
    let path = format!("{}/fixtures/detect/{name}", env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read_to_string(&path).unwrap_or_default();
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| Record {
            id: v["id"].as_str().unwrap_or_default().to_owned(),
            text: v["text"].as_str().unwrap_or_default().to_owned(),
            spans: v["spans"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|s| Span {
                            start: s["start"].as_u64().unwrap_or(0) as usize,
                            end: s["end"].as_u64().unwrap_or(0) as usize,
                            label: s["label"].as_str().unwrap_or_default().to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

#[test]
fn corpus_fixtures_are_well_formed() {
    for (name, at_least) in [
        ("hard_cases.jsonl", 60),
        ("held_out.jsonl", 30),
        ("generated_eval.jsonl", 100),
    ] {
        let path = format!("{}/fixtures/detect/{name}", env!("CARGO_MANIFEST_DIR"));
        let lines = std::fs::read_to_string(&path)
            .map(|d| d.lines().filter(|l| !l.trim().is_empty()).count())
            .unwrap_or(0);
        let recs = corpus(name);
        assert_eq!(recs.len(), lines, "every line of {name} parses");
        assert!(recs.len() >= at_least, "{name}");
        for r in &recs {
            let n = r.text.chars().count();
            assert!(
                r.spans.iter().all(|s| s.start < s.end && s.end <= n),
                "{}",
                r.id
            );
        }
    }
}

/// Assert per-label floors: `(label, precision, recall)`.
fn assert_floors(name: &str, floors: &[(&str, f64, f64)]) {
    let report = evaluate(&corpus(name), detector_spans);
    for m in report.misses.iter().chain(&report.false_positives) {
        eprintln!("{} {} {:?} | {}", m.id, m.label, m.text, m.context);
    }
    for (label, precision, recall) in floors {
        let s = report.label(label);
        assert!(s.gold > 0, "{name}: no {label} spans");
        assert!(
            s.precision() >= *precision,
            "{name}: {label} precision {:.4} < {precision}",
            s.precision()
        );
        assert!(
            s.recall() >= *recall,
            "{name}: {label} recall {:.4} < {recall}",
            s.recall()
        );
    }
}

// The floors below are the figures measured when these tests were written (BENCHMARKS.md),
// less a small margin, so that a rule change that loses ground fails. They are not the targets
// (recall 0.995 for CPR/e-mail/phone, 0.97 for names/addresses, precision 0.95): where a
// figure is below target, BENCHMARKS.md says so.

#[test]
fn hard_case_figures_do_not_regress() {
    assert_floors(
        "hard_cases.jsonl",
        &[
            ("CPR", 0.99, 0.99),
            ("PHONE", 0.99, 0.99),
            ("EMAIL", 0.99, 0.99),
            ("NAME", 0.97, 0.95),
            ("ADDRESS", 0.99, 0.99),
        ],
    );
}

#[test]
fn held_out_figures_do_not_regress() {
    // Written after the rules and not tuned on: unlisted names are the known weakness.
    assert_floors(
        "held_out.jsonl",
        &[
            ("CPR", 0.99, 0.99),
            ("PHONE", 0.99, 0.99),
            ("EMAIL", 0.99, 0.99),
            ("NAME", 0.93, 0.70),
            ("ADDRESS", 0.99, 0.75),
        ],
    );
}

#[test]
fn generated_figures_do_not_regress() {
    assert_floors(
        "generated_eval.jsonl",
        &[
            ("CPR", 0.995, 0.995),
            ("PHONE", 0.995, 0.995),
            ("EMAIL", 0.995, 0.995),
            ("NAME", 0.99, 0.99),
            ("ADDRESS", 0.99, 0.99),
        ],
    );
}
