//! Deterministic merging of overlapping findings.
//!
//! Personal data: overlapping findings of one category become one (the union span, the highest
//! confidence and that finding's reason); of different categories, the one with the higher
//! priority (CPR > e-mail > phone > address > name) wins and the other is dropped, or clipped
//! when it reaches beyond. Attention points are kept apart: they may overlap personal data, and
//! only overlapping attention points of one kind are joined. Output is sorted by start, then
//! end, then category.

#[cfg(test)]
use super::Category;
use super::Raw;

/// Merge `raw` into non-overlapping personal data plus attention points, sorted.
///
/// One sweep in start order over a stack of kept findings: linear after the sort.
pub(crate) fn merge(mut raw: Vec<Raw>) -> Vec<Raw> {
    let (mut pd, mut att): (Vec<Raw>, Vec<Raw>) =
        raw.drain(..).partition(|r| r.category.is_personal_data());
    pd.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.category.priority().cmp(&a.category.priority()))
            .then(b.end.cmp(&a.end))
            .then(a.category.cmp(&b.category))
    });
    let mut out: Vec<Raw> = Vec::with_capacity(pd.len() + att.len());
    for mut r in pd {
        while let Some(l) = out.last_mut() {
            if r.start >= l.end {
                break;
            }
            if l.category == r.category {
                l.end = l.end.max(r.end);
                if r.confidence > l.confidence {
                    l.confidence = r.confidence;
                    l.reason = r.reason;
                }
                r.end = r.start;
                break;
            }
            if r.category.priority() > l.category.priority() {
                // The stronger new finding cuts the weaker one short (or removes it).
                if l.start < r.start {
                    l.end = r.start;
                } else {
                    out.pop();
                }
                continue;
            }
            // The weaker new finding keeps only what lies after the stronger one.
            r.start = r.start.max(l.end);
            break;
        }
        if r.start < r.end {
            out.push(r);
        }
    }
    att.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(a.end.cmp(&b.end))
            .then(a.category.cmp(&b.category))
    });
    let mut att_out: Vec<Raw> = Vec::with_capacity(att.len());
    for r in att {
        match att_out.last_mut() {
            Some(l) if l.category == r.category && r.start < l.end => l.end = l.end.max(r.end),
            _ => att_out.push(r),
        }
    }
    // Both lists are sorted: merge them by start.
    let pd_sorted = std::mem::take(&mut out);
    let (mut a, mut b) = (
        pd_sorted.into_iter().peekable(),
        att_out.into_iter().peekable(),
    );
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => (x.start, x.end, x.category) <= (y.start, y.end, y.category),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_a { a.next() } else { b.next() };
        out.extend(next);
    }
    out
}

/// Only for tests: whether personal-data findings overlap.
#[cfg(test)]
pub(crate) fn overlapping(v: &[Raw]) -> bool {
    let pd: Vec<&Raw> = v.iter().filter(|r| r.category.is_personal_data()).collect();
    pd.windows(2).any(|w| w[1].start < w[0].end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(category: Category, start: usize, end: usize, confidence: f32) -> Raw {
        Raw {
            category,
            start,
            end,
            confidence,
            reason: "t",
        }
    }

    #[test]
    fn stronger_category_wins_and_same_category_joins() {
        let v = merge(vec![
            raw(Category::Name, 0, 10, 0.7),
            raw(Category::Email, 2, 20, 0.9),
            raw(Category::Address, 30, 40, 0.8),
            raw(Category::Address, 35, 50, 0.9),
            raw(Category::Name, 45, 60, 0.6),
        ]);
        let spans: Vec<(Category, usize, usize)> =
            v.iter().map(|r| (r.category, r.start, r.end)).collect();
        assert_eq!(
            spans,
            [
                (Category::Name, 0, 2),
                (Category::Email, 2, 20),
                (Category::Address, 30, 50),
                (Category::Name, 50, 60)
            ]
        );
        assert!(!overlapping(&v));
    }

    #[test]
    fn is_deterministic_whatever_the_input_order() {
        let a = vec![
            raw(Category::Phone, 5, 15, 0.9),
            raw(Category::Cpr, 0, 11, 0.9),
            raw(Category::Name, 12, 20, 0.5),
        ];
        let mut b = a.clone();
        b.reverse();
        assert_eq!(merge(a), merge(b));
    }
}
