//! Whose data a finding is, from a [`SubjectProfile`] normalised once per call.

use super::{Category, Owner, SubjectProfile};

/// A profile with every value in the form findings are compared in.
pub(crate) struct Normalised {
    cprs: Vec<String>,
    names: Vec<Vec<String>>,
    addresses: Vec<String>,
    phones: Vec<String>,
    emails: Vec<String>,
    staff: Vec<Vec<String>>,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The last eight digits of a phone (drops `+45`/`0045`).
fn phone_key(s: &str) -> String {
    let d = digits(s);
    d[d.len().saturating_sub(8)..].to_owned()
}

/// Lower-cased name tokens, possessive `s` kept (compared with and without).
fn name_tokens(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn address_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How a found name relates to a known one: every token known and the last one (the family
/// name) among them is a match; a first name alone is only a weak match.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum NameMatch {
    None,
    Weak,
    Full,
}

fn name_match(found: &[String], known: &[Vec<String>]) -> NameMatch {
    let mut best = NameMatch::None;
    for k in known {
        let has = |t: &String| {
            k.iter()
                .any(|x| x == t || t.strip_suffix('s') == Some(x.as_str()))
        };
        if found.is_empty() || !found.iter().all(has) {
            continue;
        }
        let surname = k.last().is_some_and(|s| {
            found
                .iter()
                .any(|t| t == s || t.strip_suffix('s') == Some(s.as_str()))
        });
        let m = if surname && (found.len() >= 2 || k.len() == 1) {
            NameMatch::Full
        } else {
            NameMatch::Weak
        };
        if m > best {
            best = m;
        }
    }
    best
}

impl Normalised {
    pub(crate) fn new(p: &SubjectProfile) -> Self {
        Self {
            cprs: p
                .cprs
                .iter()
                .map(|c| digits(c))
                .filter(|d| d.len() == 10)
                .collect(),
            names: p.names.iter().map(|n| name_tokens(n)).collect(),
            addresses: p
                .addresses
                .iter()
                .map(|a| address_key(a))
                .filter(|a| !a.is_empty())
                .collect(),
            phones: p
                .phones
                .iter()
                .map(|x| phone_key(x))
                .filter(|x| x.len() == 8)
                .collect(),
            emails: p.emails.iter().map(|e| e.trim().to_lowercase()).collect(),
            staff: p.staff_names.iter().map(|n| name_tokens(n)).collect(),
        }
    }

    pub(crate) fn classify(&self, category: Category, text: &str) -> Owner {
        match category {
            Category::Cpr => {
                let d = digits(text);
                if d.len() == 10 && self.cprs.contains(&d) {
                    Owner::Own
                } else if d.len() == 6 && self.cprs.iter().any(|c| c.starts_with(&d)) {
                    // A masked number with the requester's birth date: could be a twin.
                    Owner::Unknown
                } else {
                    Owner::OtherPerson
                }
            }
            Category::Phone => {
                if self.phones.contains(&phone_key(text)) {
                    Owner::Own
                } else {
                    Owner::OtherPerson
                }
            }
            Category::Email => {
                if self.emails.contains(&text.to_lowercase()) {
                    Owner::Own
                } else {
                    Owner::OtherPerson
                }
            }
            Category::Address => {
                let key = address_key(text);
                let own = self.addresses.iter().any(|a| {
                    key == *a || (key.len() >= 6 && a.contains(&key)) || key.contains(a.as_str())
                });
                if own { Owner::Own } else { Owner::OtherPerson }
            }
            Category::Name => {
                let found = name_tokens(text);
                match (
                    name_match(&found, &self.names),
                    name_match(&found, &self.staff),
                ) {
                    (NameMatch::Full, _) => Owner::Own,
                    (_, NameMatch::Full) => Owner::Staff,
                    (NameMatch::Weak, _) | (_, NameMatch::Weak) => Owner::Unknown,
                    _ => Owner::OtherPerson,
                }
            }
            Category::Attention(_) => Owner::Unknown,
        }
    }
}
