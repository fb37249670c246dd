//! The automation setting: whether an aktindsigt may be released without a person reviewing
//! it, and if not, why.

use super::misfiling::plural;

/// How much a municipality lets the hub do on its own, per area or request type.
///
/// Ordered from strictest to most permissive, so the strictest of several settings is the
/// minimum ([`strictest`]).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Automation {
    /// A caseworker reviews every request.
    Manual,
    /// Released without review when no document needs a decision (see
    /// [`may_release_without_review`]); otherwise reviewed.
    AutoWhenClean,
    /// Everything proposed is redacted and the request released without review — except
    /// documents that cannot be screened at all.
    Automatic,
}

impl Automation {
    /// The stable name (`MANUAL`, `AUTO_WHEN_CLEAN`, `AUTOMATIC`), as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Self::Manual => "MANUAL",
            Self::AutoWhenClean => "AUTO_WHEN_CLEAN",
            Self::Automatic => "AUTOMATIC",
        }
    }
}

/// The strictest of several settings (e.g. one per case area in a request); `Manual` when
/// there are none, since nothing permits more.
pub fn strictest(settings: impl IntoIterator<Item = Automation>) -> Automation {
    settings.into_iter().min().unwrap_or(Automation::Manual)
}

/// What screening found in one document of a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DocOutcome {
    /// The document has no text layer (a scan that OCR could not read, an image): nothing in
    /// it could be detected, so it cannot be redacted automatically.
    pub needs_manual_review: bool,
    /// [`misfiling()`](super::misfiling()) flagged it.
    pub misfiled: bool,
    /// Redactions proposed in it.
    pub redactions_proposed: usize,
    /// Attention points in it.
    pub attention_points: usize,
    /// A rule withholds it.
    pub withheld: bool,
}

/// Whether the request may be released without a person reviewing it.
///
/// - [`Manual`](Automation::Manual): never.
/// - [`Automatic`](Automation::Automatic): always, unless a document needs manual review.
///   Proposed redactions are applied as proposed and withheld documents withheld; but a scan
///   without a text layer cannot be screened, so it is never passed as clean.
/// - [`AutoWhenClean`](Automation::AutoWhenClean): only when no document needs manual
///   review, is misfiled, has redactions proposed, has attention points, or is withheld. A
///   withheld document blocks because withholding requires a person to extract the facts and
///   external expert assessments it contains (OFL § 28, FVL § 14 a).
///
/// The same as `review_reasons(automation, docs).is_empty()`.
pub fn may_release_without_review(automation: Automation, docs: &[DocOutcome]) -> bool {
    review_reasons(automation, docs).is_empty()
}

/// Why the request needs review: short English reasons such as `3 documents need manual
/// review (no text layer)`; empty when it may be released without review.
pub fn review_reasons(automation: Automation, docs: &[DocOutcome]) -> Vec<String> {
    let count = |pred: fn(&DocOutcome) -> bool| docs.iter().filter(|d| pred(d)).count();
    let mut reasons = Vec::new();
    let mut push = |n: usize, one: &str, many: &str| {
        if n > 0 {
            reasons.push(plural(n, one, many));
        }
    };
    match automation {
        Automation::Manual => {
            return vec!["Automation is set to manual: every request is reviewed".to_owned()];
        }
        Automation::Automatic => push(
            count(|d| d.needs_manual_review),
            "document needs manual review (no text layer)",
            "documents need manual review (no text layer)",
        ),
        Automation::AutoWhenClean => {
            push(
                count(|d| d.needs_manual_review),
                "document needs manual review (no text layer)",
                "documents need manual review (no text layer)",
            );
            push(
                count(|d| d.misfiled),
                "document may be misfiled",
                "documents may be misfiled",
            );
            push(
                count(|d| d.redactions_proposed > 0),
                "document has redactions proposed",
                "documents have redactions proposed",
            );
            push(
                count(|d| d.attention_points > 0),
                "document has attention points",
                "documents have attention points",
            );
            push(
                count(|d| d.withheld),
                "document is proposed withheld",
                "documents are proposed withheld",
            );
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAN: DocOutcome = DocOutcome {
        needs_manual_review: false,
        misfiled: false,
        redactions_proposed: 0,
        attention_points: 0,
        withheld: false,
    };

    #[test]
    fn strictest_wins_and_nothing_means_manual() {
        use Automation::*;
        assert_eq!(
            strictest([Automatic, AutoWhenClean, Automatic]),
            AutoWhenClean
        );
        assert_eq!(strictest([Automatic, Manual]), Manual);
        assert_eq!(strictest([Automatic]), Automatic);
        assert_eq!(strictest([]), Manual);
        assert!(Manual < AutoWhenClean && AutoWhenClean < Automatic);
    }

    #[test]
    fn names_match_the_wire_format() {
        for a in [
            Automation::Manual,
            Automation::AutoWhenClean,
            Automation::Automatic,
        ] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.name());
        }
    }

    #[test]
    fn manual_never_releases() {
        assert!(!may_release_without_review(Automation::Manual, &[CLEAN]));
        assert!(!may_release_without_review(Automation::Manual, &[]));
        assert_eq!(review_reasons(Automation::Manual, &[CLEAN]).len(), 1);
    }

    #[test]
    fn automatic_releases_everything_but_unreadable_documents() {
        let busy = DocOutcome {
            misfiled: true,
            redactions_proposed: 12,
            attention_points: 3,
            withheld: true,
            ..CLEAN
        };
        assert!(may_release_without_review(
            Automation::Automatic,
            &[busy, CLEAN]
        ));
        let scan = DocOutcome {
            needs_manual_review: true,
            ..CLEAN
        };
        assert!(!may_release_without_review(
            Automation::Automatic,
            &[busy, scan]
        ));
        assert_eq!(
            review_reasons(Automation::Automatic, &[scan, scan, busy, scan]),
            vec!["3 documents need manual review (no text layer)"]
        );
    }

    #[test]
    fn auto_when_clean_releases_only_clean_requests() {
        assert!(may_release_without_review(
            Automation::AutoWhenClean,
            &[CLEAN, CLEAN]
        ));
        assert!(may_release_without_review(Automation::AutoWhenClean, &[]));
        let cases = [
            (
                DocOutcome {
                    needs_manual_review: true,
                    ..CLEAN
                },
                "1 document needs manual review (no text layer)",
            ),
            (
                DocOutcome {
                    misfiled: true,
                    ..CLEAN
                },
                "1 document may be misfiled",
            ),
            (
                DocOutcome {
                    redactions_proposed: 2,
                    ..CLEAN
                },
                "1 document has redactions proposed",
            ),
            (
                DocOutcome {
                    attention_points: 1,
                    ..CLEAN
                },
                "1 document has attention points",
            ),
            (
                DocOutcome {
                    withheld: true,
                    ..CLEAN
                },
                "1 document is proposed withheld",
            ),
        ];
        for (doc, reason) in cases {
            assert!(!may_release_without_review(
                Automation::AutoWhenClean,
                &[CLEAN, doc]
            ));
            assert_eq!(
                review_reasons(Automation::AutoWhenClean, &[CLEAN, doc]),
                vec![reason]
            );
        }
    }

    #[test]
    fn auto_when_clean_lists_every_reason_in_a_fixed_order() {
        let docs = [
            DocOutcome {
                redactions_proposed: 1,
                attention_points: 2,
                ..CLEAN
            },
            DocOutcome {
                redactions_proposed: 4,
                ..CLEAN
            },
            DocOutcome {
                needs_manual_review: true,
                misfiled: true,
                ..CLEAN
            },
        ];
        assert_eq!(
            review_reasons(Automation::AutoWhenClean, &docs),
            vec![
                "1 document needs manual review (no text layer)",
                "1 document may be misfiled",
                "2 documents have redactions proposed",
                "1 document has attention points",
            ]
        );
    }
}
