//! CPR numbers (`DDMMYY-SSSS`): date and century validation, modulus 11 as extra confidence.
//!
//! The century follows from the 7th digit and the year (CPR-kontoret's table). Numbers issued
//! since 1 October 2007 need not pass modulus 11, so a failed check lowers confidence but does
//! not make a number invalid.

use chrono::NaiveDate;

/// Why a text is not a CPR number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    /// Not `DDMMYY-SSSS` or `DDMMYYSSSS`.
    #[error("a CPR number is DDMMYY-SSSS (ten digits, dash optional)")]
    Format,
    /// The first six digits are no date in the century the 7th digit gives.
    #[error("the first six digits of a CPR number must be a valid birth date")]
    Date,
}

/// A syntactically valid CPR number with a real birth date.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cpr {
    digits: [u8; 10],
    birth_date: NaiveDate,
}

impl std::fmt::Debug for Cpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the serial: CPR numbers must not reach a log.
        write!(
            f,
            "Cpr({}-XXXX)",
            self.digits[..6]
                .iter()
                .map(|d| char::from(b'0' + d))
                .collect::<String>()
        )
    }
}

impl Cpr {
    /// Parse `DDMMYY-SSSS` or `DDMMYYSSSS` (surrounding whitespace allowed).
    pub fn parse(text: &str) -> Result<Self, CprError> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let digits: Vec<u8> = match bytes.len() {
            10 => bytes.to_vec(),
            11 if bytes[6] == b'-' => bytes[..6].iter().chain(&bytes[7..]).copied().collect(),
            _ => return Err(CprError::Format),
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(CprError::Format);
        }
        let mut d = [0u8; 10];
        for (slot, b) in d.iter_mut().zip(&digits) {
            *slot = b - b'0';
        }
        let birth_date = birth_date(&d).ok_or(CprError::Date)?;
        Ok(Self {
            digits: d,
            birth_date,
        })
    }

    /// The birth date the number encodes.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// Whether the number passes the modulus-11 check (weights 4 3 2 7 6 5 4 3 2 1).
    pub fn passes_mod11(&self) -> bool {
        const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        self.digits
            .iter()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(*d) * w)
            .sum::<u32>()
            % 11
            == 0
    }

    /// Whether the number may legitimately fail modulus 11 (born on or after 1 October 2007).
    pub fn mod11_optional(&self) -> bool {
        NaiveDate::from_ymd_opt(2007, 10, 1).is_some_and(|cutoff| self.birth_date >= cutoff)
    }

    /// Ten digits without the dash.
    pub fn digits(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// `DDMMYY-XXXX`.
    pub fn masked(&self) -> String {
        let d = self.digits();
        format!("{}-XXXX", &d[..6])
    }
}

/// The birth date of ten CPR digits, with the century from digit 7 and the year.
fn birth_date(d: &[u8; 10]) -> Option<NaiveDate> {
    let day = u32::from(d[0]) * 10 + u32::from(d[1]);
    let month = u32::from(d[2]) * 10 + u32::from(d[3]);
    let yy = i32::from(d[4]) * 10 + i32::from(d[5]);
    let century = match d[6] {
        0..=3 => 1900,
        4 | 9 => {
            if yy <= 36 {
                2000
            } else {
                1900
            }
        }
        _ => {
            if yy <= 57 {
                2000
            } else {
                1800
            }
        }
    };
    NaiveDate::from_ymd_opt(century + yy, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_and_finds_the_century() {
        let a = Cpr::parse("070761-4285").map(|c| c.birth_date());
        assert_eq!(
            a,
            Ok(NaiveDate::from_ymd_opt(1961, 7, 7).unwrap_or_default())
        );
        let b = Cpr::parse("0101104000").map(|c| c.birth_date());
        assert_eq!(
            b,
            Ok(NaiveDate::from_ymd_opt(2010, 1, 1).unwrap_or_default())
        );
        let c = Cpr::parse("010160-5000").map(|c| c.birth_date());
        assert_eq!(
            c,
            Ok(NaiveDate::from_ymd_opt(1860, 1, 1).unwrap_or_default())
        );
    }

    #[test]
    fn refuses_bad_format_and_impossible_dates() {
        assert_eq!(Cpr::parse("12345"), Err(CprError::Format));
        assert_eq!(Cpr::parse("0707614285x"), Err(CprError::Format));
        assert_eq!(Cpr::parse("07076a-4285"), Err(CprError::Format));
        assert_eq!(Cpr::parse("320161-4285"), Err(CprError::Date));
        assert_eq!(Cpr::parse("011361-4285"), Err(CprError::Date));
        assert_eq!(Cpr::parse("290201-0000"), Err(CprError::Date)); // 1901 is no leap year
    }

    #[test]
    fn modulus_11_is_only_extra_confidence() {
        let ok = Cpr::parse("070761-4285").map(|c| c.passes_mod11());
        assert_eq!(ok, Ok(true));
        let recent = Cpr::parse("010110-4001");
        assert!(recent.as_ref().is_ok_and(|c| c.mod11_optional()));
        assert!(format!("{:?}", recent).contains("XXXX"));
    }
}
