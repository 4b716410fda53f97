//! The dates payback works with, and day arithmetic that cannot overflow.
//!
//! One range for every date: the as-of date, dates in the rules and calendars, and (by
//! default) dates read from the inputs. Outside it a date is a typo or a hostile value —
//! `0001-01-01` shows as `#VALUE!` in Excel, `+262142-01-01` overflows the day arithmetic
//! — so it is refused where it enters. Day counts in the rules (payment terms, cadence,
//! deadlines) are bounded by [`MAX_TERM_DAYS`], stage and bucket windows by
//! [`MAX_DAY_COUNT`], so that every sum of a date in the range and a day count from the
//! rules is a date chrono can hold; the sums are still checked.
use chrono::NaiveDate;

/// The earliest date payback accepts: 1990-01-01.
pub(crate) const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1990, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The latest date payback accepts: 2100-12-31.
pub(crate) const LATEST: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(date) => date,
    None => NaiveDate::MAX,
};

/// The most days a payment term, cadence, deadline or window of the rules may span: ten
/// years (3,660 days).
pub(crate) const MAX_TERM_DAYS: i64 = 3660;

/// The most days between two dates of the range ([`EARLIEST`] to [`LATEST`]: 40,541),
/// the bound of the day counts of stage windows and aging buckets: a day count beyond it
/// can never be reached.
pub(crate) const MAX_DAY_COUNT: i64 = 40_541;

/// Whether `date` lies within [`EARLIEST`]`..=`[`LATEST`].
#[must_use]
pub(crate) fn in_range(date: NaiveDate) -> bool {
    (EARLIEST..=LATEST).contains(&date)
}

/// The range as people read it: `1990-01-01 to 2100-12-31`.
#[must_use]
pub(crate) fn range_text() -> String {
    format!("{EARLIEST} to {LATEST}")
}

/// `date` plus `days` (negative: minus), `None` when the result is not a date chrono can
/// hold.
#[must_use]
pub(crate) fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_and_its_day_count() {
        assert_eq!(EARLIEST.to_string(), "1990-01-01");
        assert_eq!(LATEST.to_string(), "2100-12-31");
        assert_eq!((LATEST - EARLIEST).num_days(), MAX_DAY_COUNT);
        assert!(in_range(EARLIEST) && in_range(LATEST));
        assert!(!in_range(NaiveDate::from_ymd_opt(1989, 12, 31).unwrap()));
        assert!(!in_range(NaiveDate::from_ymd_opt(2101, 1, 1).unwrap()));
    }

    #[test]
    fn day_arithmetic_is_checked() {
        assert_eq!(add_days(EARLIEST, 31), NaiveDate::from_ymd_opt(1990, 2, 1));
        assert_eq!(add_days(EARLIEST, -1), NaiveDate::from_ymd_opt(1989, 12, 31));
        assert_eq!(add_days(LATEST, i64::MAX), None);
        assert_eq!(add_days(EARLIEST, i64::MIN), None);
        assert_eq!(add_days(NaiveDate::MAX, 1), None);
    }
}
