//! Tests of the screening proposals, summaries and context snippets.

use super::*;
use crate::detect::{AttentionKind, Category, Finding, Owner, SubjectProfile, detect};
use crate::grounds::Grounds;

const THRESHOLD: f32 = 0.7;

fn finding(category: Category, owner: Owner, confidence: f32) -> Finding {
    Finding {
        category,
        start: 0,
        end: 4,
        char_start: 0,
        char_end: 4,
        text: "test".to_owned(),
        confidence,
        reason: "test",
        owner,
    }
}

#[test]
fn enum_names_are_the_wire_names() {
    for b in [
        LegalBasis::PartyAccess,
        LegalBasis::PublicAccess,
        LegalBasis::Gdpr15,
    ] {
        assert_eq!(serde_json::to_value(b).unwrap(), b.name());
        assert_eq!(
            serde_json::from_value::<LegalBasis>(b.name().into()).unwrap(),
            b
        );
    }
    assert_eq!(LegalBasis::Gdpr15.name(), "GDPR15");
    for d in [Disclosure::Full, Disclosure::Partial, Disclosure::Withheld] {
        assert_eq!(serde_json::to_value(d).unwrap(), d.name());
    }
    for k in [
        DocKind::IncomingLetter,
        DocKind::OutgoingLetter,
        DocKind::JournalNote,
        DocKind::Internal,
    ] {
        assert_eq!(serde_json::to_value(k).unwrap(), k.name());
    }
    for p in [
        FindingProposal::Redact,
        FindingProposal::Keep,
        FindingProposal::Attention,
    ] {
        assert_eq!(serde_json::to_value(p).unwrap(), p.name());
    }
}

#[test]
fn findings_are_proposed_by_whose_data_they_are() {
    let health = Category::Attention(AttentionKind::Health);
    assert_eq!(
        propose_finding(&finding(health, Owner::OtherPerson, 1.0), THRESHOLD),
        FindingProposal::Attention
    );
    for category in [Category::Cpr, Category::Name, Category::Address] {
        assert_eq!(
            propose_finding(&finding(category, Owner::Own, 1.0), THRESHOLD),
            FindingProposal::Keep
        );
        assert_eq!(
            propose_finding(&finding(category, Owner::Staff, 1.0), THRESHOLD),
            FindingProposal::Keep
        );
        assert_eq!(
            propose_finding(&finding(category, Owner::OtherPerson, 0.1), THRESHOLD),
            FindingProposal::Redact,
            "another person's data is redacted however weak the match"
        );
    }
    assert_eq!(
        propose_finding(&finding(Category::Name, Owner::Unknown, 0.7), THRESHOLD),
        FindingProposal::Redact
    );
    assert_eq!(
        propose_finding(&finding(Category::Name, Owner::Unknown, 0.69), THRESHOLD),
        FindingProposal::Keep,
        "a weak unknown match is shown, not proposed"
    );
}

#[test]
fn default_redaction_grounds_exist_in_the_default_table() {
    let grounds = Grounds::defaults();
    let expect = [
        (LegalBasis::PartyAccess, "FVL_15B_1", "FVL § 15 b, nr. 1"),
        (LegalBasis::PublicAccess, "OFL_30_1", "OFL § 30, nr. 1"),
        (LegalBasis::Gdpr15, "GDPR_15_4", "GDPR art. 15(4)"),
    ];
    for (basis, code, paragraph) in expect {
        assert_eq!(default_redaction_ground(basis), code);
        let g = grounds
            .get(code)
            .unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!(g.paragraph, paragraph);
    }
}

fn rule_proposal(disclosure: Disclosure, ground: Option<&str>) -> RuleProposal {
    RuleProposal {
        disclosure,
        ground: ground.map(str::to_owned),
        rule: Some("Regel".to_owned()),
        note: Some("Note".to_owned()),
    }
}

#[test]
fn full_with_redactions_becomes_partial_under_the_bases_ground() {
    let full = rule_proposal(Disclosure::Full, None);
    let p = propose_document(&full, 3, LegalBasis::PublicAccess);
    assert_eq!(p.disclosure, Disclosure::Partial);
    assert_eq!(p.ground.as_deref(), Some("OFL_30_1"));
    assert_eq!(p.rule.as_deref(), Some("Regel"));
    assert_eq!(p.note.as_deref(), Some("Note"));
    assert_eq!(
        propose_document(&full, 1, LegalBasis::PartyAccess)
            .ground
            .as_deref(),
        Some("FVL_15B_1")
    );
    assert_eq!(
        propose_document(&full, 1, LegalBasis::Gdpr15)
            .ground
            .as_deref(),
        Some("GDPR_15_4")
    );
    let clean = propose_document(&full, 0, LegalBasis::PublicAccess);
    assert_eq!(clean.disclosure, Disclosure::Full);
    assert_eq!(clean.ground, None);
}

#[test]
fn withheld_stays_withheld_and_partial_keeps_its_ground() {
    let withheld = rule_proposal(Disclosure::Withheld, Some("OFL_23"));
    for n in [0, 5] {
        let p = propose_document(&withheld, n, LegalBasis::PublicAccess);
        assert_eq!(p.disclosure, Disclosure::Withheld);
        assert_eq!(p.ground.as_deref(), Some("OFL_23"));
    }
    let partial = rule_proposal(Disclosure::Partial, Some("OFL_30_2"));
    let p = propose_document(&partial, 0, LegalBasis::PublicAccess);
    assert_eq!(p.disclosure, Disclosure::Partial);
    assert_eq!(p.ground.as_deref(), Some("OFL_30_2"));
}

#[test]
fn summary_counts_owners_redactions_and_attention() {
    let findings = [
        finding(Category::Cpr, Owner::Own, 0.99),
        finding(Category::Name, Owner::Own, 0.9),
        finding(Category::Name, Owner::Staff, 0.9),
        finding(Category::Name, Owner::OtherPerson, 0.6),
        finding(Category::Phone, Owner::OtherPerson, 0.85),
        finding(Category::Name, Owner::Unknown, 0.75),
        finding(Category::Name, Owner::Unknown, 0.4),
        finding(
            Category::Attention(AttentionKind::Social),
            Owner::Unknown,
            0.9,
        ),
        finding(
            Category::Attention(AttentionKind::Health),
            Owner::Unknown,
            0.9,
        ),
        finding(
            Category::Attention(AttentionKind::Health),
            Owner::Unknown,
            0.9,
        ),
    ];
    let s = summarize(&findings, THRESHOLD);
    assert_eq!((s.own, s.staff, s.other_persons, s.unknown), (2, 1, 2, 2));
    assert_eq!(
        s.redactions_proposed, 3,
        "two other persons, one confident unknown"
    );
    assert_eq!(s.max_redact_confidence, 0.85);
    assert_eq!(
        s.attention,
        vec![(AttentionKind::Health, 2), (AttentionKind::Social, 1)]
    );
    assert_eq!(s.attention_points(), 3);
    assert_eq!(summarize(&[], THRESHOLD), Summary::default());
}

#[test]
fn screening_a_real_letter() {
    let text = "Vedr. Anna Jensen, cpr-nr. 010203-1234.\n\
                Naboen Peter Hansen har ringet og fortalt, at hun har en depression.\n\
                Med venlig hilsen\n\nMette Larsen\nSagsbehandler";
    let profile = SubjectProfile {
        cprs: vec!["0102031234".into()],
        names: vec!["Anna Jensen".into()],
        staff_names: vec!["Mette Larsen".into()],
        ..SubjectProfile::default()
    };
    let findings = detect(text, Some(&profile));
    let proposals: Vec<_> = findings
        .iter()
        .map(|f| (f.text.as_str(), propose_finding(f, THRESHOLD)))
        .collect();
    assert!(
        proposals.contains(&("010203-1234", FindingProposal::Keep)),
        "{proposals:?}"
    );
    assert!(
        proposals.contains(&("Anna Jensen", FindingProposal::Keep)),
        "{proposals:?}"
    );
    assert!(
        proposals.contains(&("Peter Hansen", FindingProposal::Redact)),
        "{proposals:?}"
    );
    assert!(
        proposals.contains(&("Mette Larsen", FindingProposal::Keep)),
        "{proposals:?}"
    );
    assert!(
        proposals
            .iter()
            .any(|(t, p)| t.starts_with("depression") && *p == FindingProposal::Attention),
        "{proposals:?}"
    );

    let summary = summarize(&findings, THRESHOLD);
    assert!(summary.redactions_proposed >= 1);
    assert!(summary.attention_points() >= 1);

    let rule = Rules::defaults().propose(&DocFacts {
        kle: "27.24.00",
        handlingsfacet: None,
        department: "Børn og Unge",
        kind: DocKind::JournalNote,
        legal_basis: LegalBasis::PartyAccess,
    });
    let doc = propose_document(&rule, summary.redactions_proposed, LegalBasis::PartyAccess);
    assert_eq!(doc.disclosure, Disclosure::Partial);
    assert_eq!(doc.ground.as_deref(), Some("FVL_15B_1"));

    let parties = CaseParties {
        cprs: vec!["010203-1234".into()],
        names: vec!["Anna Jensen".into()],
    };
    assert_eq!(misfiling(&findings, &parties), None, "the party is named");

    let peter = findings
        .iter()
        .find(|f| f.text == "Peter Hansen")
        .expect("Peter Hansen is found");
    assert_eq!(
        context(text, peter.start, peter.end, 1),
        ("…Naboen ".to_owned(), " har…".to_owned())
    );
}

#[test]
fn context_cuts_words_and_collapses_whitespace() {
    let text = "en  to\ttre\n\nfire FUND fem seks\r\nsyv otte";
    let start = text.find("FUND").unwrap();
    let end = start + "FUND".len();
    assert_eq!(
        context(text, start, end, 2),
        ("…tre fire ".to_owned(), " fem seks…".to_owned())
    );
    assert_eq!(
        context(text, start, end, 10),
        (
            "en to tre fire ".to_owned(),
            " fem seks syv otte".to_owned()
        )
    );
    assert_eq!(
        context(text, start, end, 0),
        ("…".to_owned(), "…".to_owned())
    );
    assert_eq!(
        context(text, start, end, 4),
        (
            "en to tre fire ".to_owned(),
            " fem seks syv otte".to_owned()
        ),
        "exactly the words there are: nothing is cut"
    );
}

#[test]
fn context_at_the_edges_and_inside_words() {
    let text = "Søren Ærø bor i Åbyhøj";
    // A finding at the very start and one at the very end.
    assert_eq!(
        context(text, 0, "Søren".len(), 2),
        (String::new(), " Ærø bor…".to_owned())
    );
    let start = text.find("Åbyhøj").unwrap();
    assert_eq!(
        context(text, start, text.len(), 2),
        ("…bor i ".to_owned(), String::new())
    );
    // A finding inside a word: no space is invented.
    let i = text.find("rø").unwrap();
    assert_eq!(
        context(text, i, i + "rø".len(), 1),
        ("…Æ".to_owned(), " bor…".to_owned())
    );
    // An offset inside `ø` (two bytes) widens to the whole character.
    let o = text.find('ø').unwrap();
    assert_eq!(
        context(text, o + 1, o + 1, 1),
        ("S".to_owned(), "ren…".to_owned())
    );
}

#[test]
fn context_never_panics_on_bad_offsets() {
    let text = "æøå æøå æøå";
    for start in 0..text.len() + 3 {
        for end in 0..text.len() + 3 {
            let (b, a) = context(text, start, end, 1);
            assert!(b.chars().count() <= 5 && a.chars().count() <= 5);
        }
    }
    assert_eq!(context("", 5, 2, 3), (String::new(), String::new()));
    assert_eq!(
        context("a b", 1, 1, usize::MAX),
        ("a".to_owned(), " b".to_owned())
    );
}
