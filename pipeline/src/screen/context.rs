//! The words around a finding, so a reviewer can judge it without opening the document.

/// Up to `words` words before `start` and after `end` (byte offsets into `text`).
///
/// Whitespace, newlines included, is collapsed to single spaces. Where the text goes on beyond
/// the words returned, the before-part starts with `…` and the after-part ends with `…`. A
/// space between the context and the finding is kept (the before-part then ends, the
/// after-part starts with a space), so `before + finding + after` reads as the text does.
///
/// Offsets past the end are clamped, offsets inside a character are moved outwards to the
/// character's boundaries, and `end < start` is treated as `end == start`; this never panics.
pub fn context(text: &str, start: usize, end: usize, words: usize) -> (String, String) {
    let start = floor_boundary(text, start);
    let end = ceil_boundary(text, end.max(start));
    let (head, tail) = (&text[..start], &text[end..]);

    let mut before: Vec<&str> = head
        .split_whitespace()
        .rev()
        .take(words.saturating_add(1))
        .collect();
    let cut_before = before.len() > words;
    before.truncate(words);
    before.reverse();
    let mut after: Vec<&str> = tail
        .split_whitespace()
        .take(words.saturating_add(1))
        .collect();
    let cut_after = after.len() > words;
    after.truncate(words);

    let mut b = String::new();
    if cut_before {
        b.push('…');
    }
    b.push_str(&before.join(" "));
    if !before.is_empty() && head.ends_with(char::is_whitespace) {
        b.push(' ');
    }
    let mut a = String::new();
    if !after.is_empty() && tail.starts_with(char::is_whitespace) {
        a.push(' ');
    }
    a.push_str(&after.join(" "));
    if cut_after {
        a.push('…');
    }
    (b, a)
}

/// The largest char boundary at or below `i`, within the text.
fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary at or above `i`, within the text.
fn ceil_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}
