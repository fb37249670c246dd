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
pub(crate) fn merge(mut raw: Vec<Raw>) -> Vec<Raw> {
    let (mut pd, mut att): (Vec<Raw>, Vec<Raw>) =
        raw.drain(..).partition(|r| r.category.is_personal_data());
    // Strongest first, so weaker overlapping findings are clipped against settled ones.
    pd.sort_by(|a, b| {
        b.category
            .priority()
            .cmp(&a.category.priority())
            .then(a.start.cmp(&b.start))
            .then(b.end.cmp(&a.end))
    });
    let mut kept: Vec<Raw> = Vec::with_capacity(pd.len());
    for r in pd {
        let mut r = r;
        let mut drop = false;
        for k in kept.iter_mut() {
            if r.start >= k.end || r.end <= k.start {
                continue;
            }
            if k.category == r.category {
                k.start = k.start.min(r.start);
                k.end = k.end.max(r.end);
                if r.confidence > k.confidence {
                    k.confidence = r.confidence;
                    k.reason = r.reason;
                }
                drop = true;
                break;
            }
            // A weaker category: keep only a part outside the stronger finding, if any.
            if r.start >= k.start && r.end <= k.end {
                drop = true;
                break;
            }
            if r.start < k.start {
                r.end = k.start;
            } else {
                r.start = k.end;
            }
        }
        if !drop && r.start < r.end {
            kept.push(r);
        }
    }
    // Same-category unions may now overlap each other: join them in order.
    kept.sort_by(|a, b| a.start.cmp(&b.start).then(a.end.cmp(&b.end)));
    let mut out: Vec<Raw> = Vec::with_capacity(kept.len() + att.len());
    for r in kept {
        match out.last_mut() {
            Some(l) if l.category == r.category && r.start < l.end => {
                l.end = l.end.max(r.end);
                if r.confidence > l.confidence {
                    l.confidence = r.confidence;
                    l.reason = r.reason;
                }
            }
            _ => out.push(r),
        }
    }
    att.sort_by(|a, b| a.start.cmp(&b.start).then(a.end.cmp(&b.end)));
    let mut att_out: Vec<Raw> = Vec::with_capacity(att.len());
    for r in att {
        match att_out.last_mut() {
            Some(l) if l.category == r.category && r.start < l.end => l.end = l.end.max(r.end),
            _ => att_out.push(r),
        }
    }
    out.extend(att_out);
    out.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(a.end.cmp(&b.end))
            .then(a.category.cmp(&b.category))
    });
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
