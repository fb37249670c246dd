//! E-mail addresses: a local part, `@`, and a domain with a dot and a letter TLD.

use super::{Category, Raw};

fn local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

/// Every e-mail address in `text`.
pub(crate) fn find(text: &str, out: &mut Vec<Raw>) {
    let mut last_end = 0;
    for (at, _) in text.match_indices('@') {
        if at < last_end {
            continue;
        }
        let before = &text[..at];
        let mut start = at;
        for (i, c) in before.char_indices().rev() {
            if local_char(c) {
                start = i;
            } else {
                break;
            }
        }
        // A local part does not start or end with a dot.
        while text[start..at].starts_with('.') {
            start += 1;
        }
        if start == at || text[start..at].ends_with('.') {
            continue;
        }
        let after = &text[at + 1..];
        let mut end = at + 1;
        for (i, c) in after.char_indices() {
            if domain_char(c) {
                end = at + 1 + i + c.len_utf8();
            } else {
                break;
            }
        }
        // A sentence's full stop or a hyphen is not part of the domain.
        while end > at + 1 && matches!(text.as_bytes()[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &text[at + 1..end];
        let Some(dot) = domain.rfind('.') else {
            continue;
        };
        let tld = &domain[dot + 1..];
        if dot == 0 || tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
            continue;
        }
        out.push(Raw {
            category: Category::Email,
            start,
            end,
            confidence: 0.98,
            reason: "e-mail address",
        });
        last_end = end;
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::{Category, detect};

    fn emails(text: &str) -> Vec<String> {
        detect(text, None)
            .into_iter()
            .filter(|f| f.category == Category::Email)
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn finds_addresses_and_drops_trailing_punctuation() {
        assert_eq!(
            emails("Skriv til anne-marie.klit+sag@post.example.dk."),
            ["anne-marie.klit+sag@post.example.dk"]
        );
        assert_eq!(emails("<søren@eksempel.dk>"), ["søren@eksempel.dk"]);
    }

    #[test]
    fn refuses_non_addresses() {
        assert!(emails("mødet @ rådhuset").is_empty());
        assert!(emails("user@localhost").is_empty());
        assert!(emails("a@b.1").is_empty());
    }
}
