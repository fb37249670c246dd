//! Counts of a document's findings, for the reviewer's overview and the automation decision.

use std::collections::BTreeMap;

use super::{FindingProposal, propose_finding};
use crate::detect::{AttentionKind, Category, Finding, Owner};

/// What a document's findings amount to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Personal data of the requester.
    pub own: usize,
    /// Personal data of staff acting in office.
    pub staff: usize,
    /// Personal data of other people.
    pub other_persons: usize,
    /// Personal data whose owner is not known.
    pub unknown: usize,
    /// Findings [`propose_finding`] proposes to redact.
    pub redactions_proposed: usize,
    /// Attention points per kind, sorted by kind, kinds without points left out.
    pub attention: Vec<(AttentionKind, usize)>,
    /// The highest confidence among the proposed redactions; 0.0 when there are none.
    pub max_redact_confidence: f32,
}

impl Summary {
    /// All attention points together.
    pub fn attention_points(&self) -> usize {
        self.attention.iter().map(|(_, n)| n).sum()
    }
}

/// Count `findings`, proposing redactions at `threshold` as [`propose_finding`] does. Only
/// personal data counts towards `own`, `staff`, `other_persons` and `unknown`.
pub fn summarize(findings: &[Finding], threshold: f32) -> Summary {
    let mut s = Summary::default();
    let mut attention: BTreeMap<AttentionKind, usize> = BTreeMap::new();
    for f in findings {
        match f.category {
            Category::Attention(kind) => *attention.entry(kind).or_default() += 1,
            _ => match f.owner {
                Owner::Own => s.own += 1,
                Owner::Staff => s.staff += 1,
                Owner::OtherPerson => s.other_persons += 1,
                Owner::Unknown => s.unknown += 1,
            },
        }
        if propose_finding(f, threshold) == FindingProposal::Redact {
            s.redactions_proposed += 1;
            s.max_redact_confidence = s.max_redact_confidence.max(f.confidence);
        }
    }
    s.attention = attention.into_iter().collect();
    s
}
