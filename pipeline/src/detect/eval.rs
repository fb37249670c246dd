//! Evaluation on a labelled corpus: precision, recall and F2 per label, on character offsets.
//!
//! Matching is by overlap within a label: a gold span is found when a predicted span of its
//! label overlaps it, and a predicted span is correct when it overlaps a gold span of its label.
//! (A street line and a postcode line labelled apart and found as one address count as two
//! found and one correct.) F2 weighs recall four times as much as precision: a missed CPR number
//! does more harm than one redaction too many.

use std::collections::BTreeMap;

/// A labelled or predicted span in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Character start.
    pub start: usize,
    /// Character end (exclusive).
    pub end: usize,
    /// `CPR`, `NAME`, `ADDRESS`, `PHONE`, `EMAIL`.
    pub label: String,
}

/// One corpus record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its id.
    pub id: String,
    /// The text.
    pub text: String,
    /// The gold spans.
    pub spans: Vec<Span>,
}

/// Counts and scores for one label (or all).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Gold spans.
    pub gold: usize,
    /// Gold spans found.
    pub found: usize,
    /// Predicted spans.
    pub predicted: usize,
    /// Predicted spans that overlap a gold span.
    pub correct: usize,
}

impl Score {
    /// Correct / predicted (1.0 with nothing predicted).
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }
    /// Found / gold (1.0 with no gold spans).
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            1.0
        } else {
            self.found as f64 / self.gold as f64
        }
    }
    /// F-beta with beta = 2.
    pub fn f2(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            5.0 * p * r / (4.0 * p + r)
        }
    }
    fn add(&mut self, o: &Score) {
        self.gold += o.gold;
        self.found += o.found;
        self.predicted += o.predicted;
        self.correct += o.correct;
    }
}

/// A gold span that was not found, or a predicted span that was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    /// The record.
    pub id: String,
    /// The label.
    pub label: String,
    /// The span's text.
    pub text: String,
    /// Up to 30 characters either side, line breaks shown as `⏎`.
    pub context: String,
}

/// The result over a corpus.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Per label, sorted by label.
    pub per_label: BTreeMap<String, Score>,
    /// Gold spans not found.
    pub misses: Vec<Miss>,
    /// Predicted spans that overlap no gold span of their label.
    pub false_positives: Vec<Miss>,
}

impl Report {
    /// All labels together (micro-averaged).
    pub fn overall(&self) -> Score {
        let mut s = Score::default();
        for v in self.per_label.values() {
            s.add(v);
        }
        s
    }
    /// The score of one label (zeroes if absent).
    pub fn label(&self, label: &str) -> Score {
        self.per_label.get(label).copied().unwrap_or_default()
    }
}

fn overlaps(a: &Span, b: &Span) -> bool {
    a.label == b.label && a.start < b.end && b.start < a.end
}

fn context(text: &str, start: usize, end: usize) -> (String, String) {
    let chars: Vec<char> = text.chars().collect();
    let end = end.min(chars.len());
    let start = start.min(end);
    let span: String = chars[start..end].iter().collect();
    let from = start.saturating_sub(30);
    let to = (end + 30).min(chars.len());
    let ctx: String = chars[from..to]
        .iter()
        .map(|c| if *c == '\n' { '⏎' } else { *c })
        .collect();
    (span, ctx)
}

/// Score `predict` on `records`. `predict` returns character spans for a text.
pub fn evaluate(records: &[Record], mut predict: impl FnMut(&str) -> Vec<Span>) -> Report {
    let mut report = Report::default();
    for rec in records {
        let predicted = predict(&rec.text);
        for g in &rec.spans {
            let s = report.per_label.entry(g.label.clone()).or_default();
            s.gold += 1;
            if predicted.iter().any(|p| overlaps(p, g)) {
                s.found += 1;
            } else {
                let (text, context) = context(&rec.text, g.start, g.end);
                report.misses.push(Miss {
                    id: rec.id.clone(),
                    label: g.label.clone(),
                    text,
                    context,
                });
            }
        }
        for p in &predicted {
            let s = report.per_label.entry(p.label.clone()).or_default();
            s.predicted += 1;
            if rec.spans.iter().any(|g| overlaps(p, g)) {
                s.correct += 1;
            } else {
                let (text, context) = context(&rec.text, p.start, p.end);
                report.false_positives.push(Miss {
                    id: rec.id.clone(),
                    label: p.label.clone(),
                    text,
                    context,
                });
            }
        }
    }
    report
}

/// The detector as a predictor for [`evaluate`]: personal data only, no profile.
pub fn detector_spans(text: &str) -> Vec<Span> {
    super::detect(text, None)
        .into_iter()
        .filter(|f| f.category.is_personal_data())
        .map(|f| Span {
            start: f.char_start,
            end: f.char_end,
            label: f.category.label().to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, label: &str) -> Span {
        Span {
            start,
            end,
            label: label.into(),
        }
    }

    #[test]
    fn counts_overlaps_per_label() {
        let recs = vec![Record {
            id: "a".into(),
            text: "0123456789 0123456789 0123456789".into(),
            spans: vec![
                span(0, 10, "CPR"),
                span(11, 21, "NAME"),
                span(22, 32, "NAME"),
            ],
        }];
        let r = evaluate(&recs, |_| {
            vec![span(2, 8, "CPR"), span(11, 15, "NAME"), span(22, 25, "CPR")]
        });
        assert_eq!(
            r.label("CPR"),
            Score {
                gold: 1,
                found: 1,
                predicted: 2,
                correct: 1
            }
        );
        assert_eq!(r.label("NAME").recall(), 0.5);
        assert_eq!(r.misses.len(), 1);
        assert_eq!(r.false_positives.len(), 1);
        let o = r.overall();
        assert_eq!((o.gold, o.found, o.predicted, o.correct), (3, 2, 3, 2));
        assert!((o.f2() - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn empty_is_perfect() {
        let s = Score::default();
        assert_eq!((s.precision(), s.recall()), (1.0, 1.0));
    }
}
