//! Danish public holidays, working days, and the offentlighedsloven § 36 deadline.
//!
//! An aktindsigt request must be decided as soon as possible; when it is neither granted nor
//! refused within 7 working days (*arbejdsdage*) of being received, the authority must tell the
//! requester why and when a decision can be expected (offentlighedsloven § 36, stk. 2). The
//! count starts the day after receipt, so a request received on a Wednesday with no holidays in
//! the way is due on the Friday of the following week.
//!
//! A working day is Monday–Friday and neither a statutory public holiday (*helligdag*, listed by
//! [`public_holidays`]) nor a day the municipality has declared closed. Grundlovsdag (5 June),
//! juleaftensdag (24 December) and nytårsaftensdag (31 December) are not holidays by law, but
//! most municipalities close on them; [`Calendar::with_closed_days`] says which.
//!
//! Everything here is pure date arithmetic: no clock is read, `today` is always passed in, and
//! nothing panics at the edges of chrono's date range (arithmetic saturates there instead).

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Working days the authority has before it must write to the requester (offentlighedsloven
/// § 36, stk. 2).
pub const ACCESS_DEADLINE_WORKING_DAYS: u32 = 7;

/// The last year with Store bededag: the day was abolished as a public holiday from 2024.
const LAST_STORE_BEDEDAG_YEAR: i32 = 2023;

/// Holidays that fall on the same date every year: (month, day, name).
const FIXED_HOLIDAYS: [(u32, u32, &str); 3] = [
    (1, 1, "Nytårsdag"),
    (12, 25, "Juledag"),
    (12, 26, "2. juledag"),
];

/// Holidays that move with Easter: (days from Easter Sunday, name).
const EASTER_HOLIDAYS: [(i64, &str); 8] = [
    (-3, "Skærtorsdag"),
    (-2, "Langfredag"),
    (0, "Påskedag"),
    (1, "2. påskedag"),
    (26, "Store bededag"),
    (39, "Kristi himmelfartsdag"),
    (49, "Pinsedag"),
    (50, "2. pinsedag"),
];

/// Names for closed days that are common in Danish municipalities, shown instead of the
/// generic "Lukkedag" (closing day).
const KNOWN_CLOSED_DAYS: [(u32, u32, &str); 4] = [
    (5, 1, "1. maj"),
    (6, 5, "Grundlovsdag"),
    (12, 24, "Juleaftensdag"),
    (12, 31, "Nytårsaftensdag"),
];

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, also known as
/// Meeus/Jones/Butcher).
///
/// Defined for every year chrono can represent; for a year beyond that range the nearest
/// representable date is returned rather than panicking.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    // n / 31 is 3 or 4 and n % 31 + 1 is 1..=31, so both conversions always succeed.
    let month = u32::try_from(n / 31).unwrap_or(3);
    let day = u32::try_from(n % 31 + 1).unwrap_or(22);
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(if year < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// A statutory public holiday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Holiday {
    /// The date.
    pub date: NaiveDate,
    /// The Danish name (`Skærtorsdag`, `2. pinsedag`, ...).
    pub name: &'static str,
}

/// The Danish statutory public holidays (*helligdage*) of `year`, in date order.
///
/// Nytårsdag, Skærtorsdag, Langfredag, Påskedag, 2. påskedag, Store bededag (only before
/// 2024), Kristi himmelfartsdag, Pinsedag, 2. pinsedag, Juledag and 2. juledag. Påskedag and
/// Pinsedag are always Sundays; they are listed because they are holidays by name.
pub fn public_holidays(year: i32) -> Vec<Holiday> {
    let easter = easter_sunday(year);
    let mut out: Vec<Holiday> = FIXED_HOLIDAYS
        .iter()
        .filter_map(|&(month, day, name)| {
            NaiveDate::from_ymd_opt(year, month, day).map(|date| Holiday { date, name })
        })
        .collect();
    out.extend(
        EASTER_HOLIDAYS
            .iter()
            .filter(|&&(_, name)| name != "Store bededag" || year <= LAST_STORE_BEDEDAG_YEAR)
            .filter_map(|&(offset, name)| {
                offset_date(easter, offset).map(|date| Holiday { date, name })
            }),
    );
    // Beyond chrono's range Easter saturates into a neighbouring year; keep only this year.
    out.retain(|h| h.date.year() == year);
    out.sort_by_key(|h| h.date);
    out
}

/// The statutory holiday on `date`, if any, without building the year's list.
fn statutory_holiday(date: NaiveDate) -> Option<&'static str> {
    if let Some(&(_, _, name)) = FIXED_HOLIDAYS
        .iter()
        .find(|&&(m, d, _)| date.month() == m && date.day() == d)
    {
        return Some(name);
    }
    let offset = (date - easter_sunday(date.year())).num_days();
    EASTER_HOLIDAYS
        .iter()
        .find(|&&(o, name)| {
            o == offset && (name != "Store bededag" || date.year() <= LAST_STORE_BEDEDAG_YEAR)
        })
        .map(|&(_, name)| name)
}

/// `date` moved by `days` (negative: earlier), `None` outside chrono's range.
fn offset_date(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    let magnitude = Days::new(days.unsigned_abs());
    if days < 0 {
        date.checked_sub_days(magnitude)
    } else {
        date.checked_add_days(magnitude)
    }
}

/// Which days count as working days: the statutory holidays plus the days a municipality
/// has declared closed.
///
/// `Calendar::default()` knows the statutory holidays only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Extra closed days as (month, day), sorted and without duplicates.
    closed: Vec<(u32, u32)>,
}

impl Calendar {
    /// A calendar that also treats these (month, day) dates as closed every year, e.g.
    /// `&[(6, 5), (12, 24), (12, 31)]` for Grundlovsdag, juleaftensdag and nytårsaftensdag.
    ///
    /// A pair that is no date (`(2, 30)`) never matches; `(2, 29)` matches in leap years only.
    pub fn with_closed_days(days: &[(u32, u32)]) -> Self {
        let mut closed = days.to_vec();
        closed.sort_unstable();
        closed.dedup();
        Self { closed }
    }

    /// The extra closed days as (month, day), sorted.
    pub fn closed_days(&self) -> &[(u32, u32)] {
        &self.closed
    }

    fn is_closed_day(&self, date: NaiveDate) -> bool {
        self.closed
            .binary_search(&(date.month(), date.day()))
            .is_ok()
    }

    /// Whether `date` is a working day: Monday–Friday, not a statutory holiday and not a
    /// closed day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && statutory_holiday(date).is_none()
            && !self.is_closed_day(date)
    }

    /// Why `date` is a day off other than a weekend: the statutory holiday's name, else the
    /// closed day's name (`Grundlovsdag`, `Juleaftensdag`, `Nytårsaftensdag`, `1. maj`, or
    /// `Lukkedag` for any other closed day), else `None`.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&'static str> {
        if let Some(name) = statutory_holiday(date) {
            return Some(name);
        }
        if !self.is_closed_day(date) {
            return None;
        }
        Some(
            KNOWN_CLOSED_DAYS
                .iter()
                .find(|&&(m, d, _)| date.month() == m && date.day() == d)
                .map_or("Lukkedag", |&(_, _, name)| name),
        )
    }

    /// The `n`th working day after `from` (`from` itself is never counted; `n = 0` returns
    /// `from`). Saturates at the end of chrono's date range.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut date = from;
        let mut left = n;
        while left > 0 {
            let Some(next) = date.succ_opt() else {
                break;
            };
            date = next;
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// Working days after `from` up to and including `to`; negative when `to` is before
    /// `from`, so that `working_days_between(d, add_working_days(d, n)) == n`.
    ///
    /// Linear in the number of days between the two dates.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .fold(0, |n, _| n + 1)
    }
}

/// The date by which a request received on `received` must be decided or the requester told
/// why not: [`ACCESS_DEADLINE_WORKING_DAYS`] working days after receipt.
pub fn access_deadline(received: NaiveDate, calendar: &Calendar) -> NaiveDate {
    calendar.add_working_days(received, ACCESS_DEADLINE_WORKING_DAYS)
}

/// Whether a deadline falls within `within_working_days` working days of `today` (today
/// being the deadline counts as due soon). An overdue deadline is not "due soon": see
/// [`overdue`].
pub fn due_soon(
    deadline: NaiveDate,
    today: NaiveDate,
    within_working_days: u32,
    calendar: &Calendar,
) -> bool {
    !overdue(deadline, today)
        && calendar.working_days_between(today, deadline) <= i64::from(within_working_days)
}

/// Whether the deadline has passed: `today` is after it.
pub fn overdue(deadline: NaiveDate, today: NaiveDate) -> bool {
    today > deadline
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn holiday_dates(year: i32) -> Vec<(NaiveDate, &'static str)> {
        public_holidays(year)
            .into_iter()
            .map(|h| (h.date, h.name))
            .collect()
    }

    #[test]
    fn easter_sunday_known_years() {
        assert_eq!(easter_sunday(2019), date(2019, 4, 21));
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2000), date(2000, 4, 23));
        // The earliest and latest possible dates.
        assert_eq!(easter_sunday(1818), date(1818, 3, 22));
        assert_eq!(easter_sunday(2285), date(2285, 3, 22));
        assert_eq!(easter_sunday(1943), date(1943, 4, 25));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    #[test]
    fn easter_is_a_sunday_and_in_range_for_four_centuries() {
        for year in 1900..2300 {
            let e = easter_sunday(year);
            assert_eq!(e.weekday(), Weekday::Sun, "{year}");
            assert!(e >= date(year, 3, 22) && e <= date(year, 4, 25), "{year}");
        }
    }

    #[test]
    fn easter_outside_chronos_range_does_not_panic() {
        assert_eq!(easter_sunday(i32::MAX), NaiveDate::MAX);
        assert_eq!(easter_sunday(i32::MIN), NaiveDate::MIN);
        assert!(public_holidays(i32::MAX).is_empty());
    }

    #[test]
    fn holidays_2023_include_store_bededag() {
        assert_eq!(
            holiday_dates(2023),
            vec![
                (date(2023, 1, 1), "Nytårsdag"),
                (date(2023, 4, 6), "Skærtorsdag"),
                (date(2023, 4, 7), "Langfredag"),
                (date(2023, 4, 9), "Påskedag"),
                (date(2023, 4, 10), "2. påskedag"),
                (date(2023, 5, 5), "Store bededag"),
                (date(2023, 5, 18), "Kristi himmelfartsdag"),
                (date(2023, 5, 28), "Pinsedag"),
                (date(2023, 5, 29), "2. pinsedag"),
                (date(2023, 12, 25), "Juledag"),
                (date(2023, 12, 26), "2. juledag"),
            ]
        );
    }

    #[test]
    fn store_bededag_is_gone_from_2024() {
        let names: Vec<_> = public_holidays(2024).iter().map(|h| h.name).collect();
        assert_eq!(names.len(), 10);
        assert!(!names.contains(&"Store bededag"));
        // Friday 26 April 2024 would have been Store bededag: now an ordinary working day.
        let cal = Calendar::default();
        assert!(cal.is_working_day(date(2024, 4, 26)));
        assert_eq!(cal.holiday_name(date(2024, 4, 26)), None);
        assert!(!cal.is_working_day(date(2023, 5, 5)));
        assert_eq!(cal.holiday_name(date(2023, 5, 5)), Some("Store bededag"));
    }

    #[test]
    fn holidays_2025_and_2026() {
        let h2025 = holiday_dates(2025);
        assert!(h2025.contains(&(date(2025, 4, 17), "Skærtorsdag")));
        assert!(h2025.contains(&(date(2025, 5, 29), "Kristi himmelfartsdag")));
        assert!(h2025.contains(&(date(2025, 6, 9), "2. pinsedag")));
        let h2026 = holiday_dates(2026);
        assert!(h2026.contains(&(date(2026, 4, 2), "Skærtorsdag")));
        assert!(h2026.contains(&(date(2026, 4, 3), "Langfredag")));
        assert!(h2026.contains(&(date(2026, 4, 6), "2. påskedag")));
        assert!(h2026.contains(&(date(2026, 5, 14), "Kristi himmelfartsdag")));
        assert!(h2026.contains(&(date(2026, 5, 25), "2. pinsedag")));
        assert!(h2026.windows(2).all(|w| w[0].0 < w[1].0), "date order");
    }

    #[test]
    fn weekends_and_ordinary_days() {
        let cal = Calendar::default();
        assert!(!cal.is_working_day(date(2026, 3, 7)), "Saturday");
        assert!(!cal.is_working_day(date(2026, 3, 8)), "Sunday");
        assert!(cal.is_working_day(date(2026, 3, 9)), "Monday");
        assert_eq!(cal.holiday_name(date(2026, 3, 7)), None);
        // Not statutory holidays: working days unless the municipality closes.
        assert!(cal.is_working_day(date(2025, 6, 5)), "Grundlovsdag");
        assert!(cal.is_working_day(date(2025, 12, 24)), "Juleaftensdag");
        assert!(cal.is_working_day(date(2025, 12, 31)), "Nytårsaftensdag");
    }

    #[test]
    fn closed_days_are_named_and_skipped() {
        let cal = Calendar::with_closed_days(&[(12, 31), (6, 5), (12, 24), (6, 5), (8, 15)]);
        assert_eq!(cal.closed_days(), &[(6, 5), (8, 15), (12, 24), (12, 31)]);
        assert!(!cal.is_working_day(date(2025, 6, 5)));
        assert_eq!(cal.holiday_name(date(2025, 6, 5)), Some("Grundlovsdag"));
        assert_eq!(cal.holiday_name(date(2025, 12, 24)), Some("Juleaftensdag"));
        assert_eq!(
            cal.holiday_name(date(2025, 12, 31)),
            Some("Nytårsaftensdag")
        );
        assert_eq!(cal.holiday_name(date(2025, 8, 15)), Some("Lukkedag"));
        // A statutory holiday keeps its own name.
        assert_eq!(cal.holiday_name(date(2025, 12, 25)), Some("Juledag"));
        // Impossible pairs are harmless.
        let odd = Calendar::with_closed_days(&[(2, 30), (13, 1), (2, 29)]);
        assert!(odd.is_working_day(date(2025, 3, 3)));
        assert!(
            !odd.is_working_day(date(2024, 2, 29)),
            "leap day, a Thursday"
        );
    }

    #[test]
    fn add_zero_working_days_is_the_same_day() {
        let cal = Calendar::default();
        let saturday = date(2026, 3, 7);
        assert_eq!(cal.add_working_days(saturday, 0), saturday);
        assert_eq!(cal.working_days_between(saturday, saturday), 0);
    }

    #[test]
    fn deadline_over_christmas_2026() {
        // Wednesday 23 December 2026. Thursday the 24th is a working day by law; Friday the
        // 25th is Juledag, the 26th and 27th a weekend, Friday 1 January Nytårsdag.
        let received = date(2026, 12, 23);
        assert_eq!(received.weekday(), Weekday::Wed);
        let cal = Calendar::default();
        // 24, 28, 29, 30, 31 December, 4, 5 January.
        assert_eq!(access_deadline(received, &cal), date(2027, 1, 5));
        assert_eq!(cal.working_days_between(received, date(2027, 1, 5)), 7);
        assert_eq!(cal.working_days_between(date(2027, 1, 5), received), -7);
        // Closed on 24 and 31 December as well: 28, 29, 30 December, 4, 5, 6, 7 January.
        let closed = Calendar::with_closed_days(&[(12, 24), (12, 31)]);
        assert_eq!(access_deadline(received, &closed), date(2027, 1, 7));
    }

    #[test]
    fn deadline_over_easter_2026() {
        // Wednesday 1 April 2026: Skærtorsdag 2 April, Langfredag 3 April, the weekend and
        // 2. påskedag 6 April are skipped; then 7, 8, 9, 10, 13, 14, 15 April.
        let received = date(2026, 4, 1);
        assert_eq!(received.weekday(), Weekday::Wed);
        let cal = Calendar::default();
        assert_eq!(cal.add_working_days(received, 1), date(2026, 4, 7));
        assert_eq!(access_deadline(received, &cal), date(2026, 4, 15));
    }

    #[test]
    fn deadline_for_a_friday_request() {
        // Friday 10 January 2025: 13, 14, 15, 16, 17, 20, 21 January.
        let received = date(2025, 1, 10);
        assert_eq!(received.weekday(), Weekday::Fri);
        let cal = Calendar::default();
        assert_eq!(access_deadline(received, &cal), date(2025, 1, 21));
        // Received on the Saturday or Sunday after, the count starts on Monday all the same.
        assert_eq!(access_deadline(date(2025, 1, 11), &cal), date(2025, 1, 21));
        assert_eq!(access_deadline(date(2025, 1, 12), &cal), date(2025, 1, 21));
        // Received on the Monday, one day later.
        assert_eq!(access_deadline(date(2025, 1, 13), &cal), date(2025, 1, 22));
    }

    #[test]
    fn deadline_around_store_bededag() {
        let cal = Calendar::default();
        // Monday 1 May 2023: Friday 5 May was Store bededag.
        assert_eq!(access_deadline(date(2023, 5, 1), &cal), date(2023, 5, 11));
        // Monday 22 April 2024: Friday 26 April is a working day now; 1 May is no holiday.
        assert_eq!(access_deadline(date(2024, 4, 22), &cal), date(2024, 5, 1));
    }

    #[test]
    fn due_soon_and_overdue() {
        let cal = Calendar::default();
        let deadline = date(2026, 4, 15);
        // Friday 10 April: 13, 14, 15 April are left, three working days.
        let today = date(2026, 4, 10);
        assert!(due_soon(deadline, today, 3, &cal));
        assert!(!due_soon(deadline, today, 2, &cal));
        assert!(due_soon(deadline, deadline, 0, &cal), "due today");
        assert!(!overdue(deadline, deadline));
        let late = date(2026, 4, 16);
        assert!(overdue(deadline, late));
        assert!(
            !due_soon(deadline, late, 5, &cal),
            "overdue is not due soon"
        );
        // Over Easter the working days left are few although the calendar days are many.
        assert!(due_soon(date(2026, 4, 7), date(2026, 4, 1), 1, &cal));
    }

    #[test]
    fn arithmetic_saturates_at_the_end_of_time() {
        let cal = Calendar::default();
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 7), NaiveDate::MAX);
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn add_then_count_round_trips(
            offset in 0u64..(365 * 200),
            n in 0u32..80,
            closed in any::<bool>(),
        ) {
            let cal = if closed {
                Calendar::with_closed_days(&[(6, 5), (12, 24), (12, 31)])
            } else {
                Calendar::default()
            };
            let from = date(1950, 1, 1) + Days::new(offset);
            let to = cal.add_working_days(from, n);
            if n >= 1 {
                prop_assert!(cal.is_working_day(to));
                prop_assert!(to > from);
            } else {
                prop_assert_eq!(to, from);
            }
            prop_assert_eq!(cal.working_days_between(from, to), i64::from(n));
            prop_assert_eq!(cal.working_days_between(to, from), -i64::from(n));
        }
    }
}
