//! The period arithmetic of the management metrics: DSO (simple and countback) and CEI.
//! Pure functions on minor units; results are decimals rounded to one place.
use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

/// Halves round away from zero (71.85 → 71.9), as people round.
pub(crate) const HALF_UP: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// How many months countback DSO looks back before it gives up.
pub(crate) const COUNTBACK_MONTHS: u32 = 24;

/// Simple DSO: `ending_ar ÷ sales × days`, where `sales` are the credit sales of the last
/// `days` days. `None` when there were no sales.
#[must_use]
pub(crate) fn dso_simple(ending_ar: i64, sales: i64, days: i64) -> Option<Decimal> {
    (sales > 0).then(|| {
        (Decimal::from(ending_ar) * Decimal::from(days) / Decimal::from(sales)).round_dp_with_strategy(1, HALF_UP)
    })
}

/// Countback DSO: the open AR is matched against the credit sales of each month back from
/// the as-of date; every month it covers whole counts its days, the month where it runs out
/// counts `rest ÷ that month's sales × its days`. `months` holds `(sales, days)` from the
/// latest month backwards. `None` when the AR is more than all the months' sales.
#[must_use]
pub(crate) fn dso_countback(ending_ar: i64, months: &[(i64, i64)]) -> Option<Decimal> {
    if ending_ar <= 0 {
        return Some(Decimal::ZERO);
    }
    let mut rest = ending_ar;
    let mut days = Decimal::ZERO;
    for &(sales, month_days) in months {
        if sales > 0 && rest <= sales {
            days += Decimal::from(rest) * Decimal::from(month_days) / Decimal::from(sales);
            return Some(days.round_dp_with_strategy(1, HALF_UP));
        }
        rest -= sales.max(0);
        days += Decimal::from(month_days);
    }
    None
}

/// Collection effectiveness index in percent:
/// `(beginning + sales − ending total) ÷ (beginning + sales − ending current) × 100`.
/// `None` when the denominator is not positive.
#[must_use]
pub(crate) fn cei(beginning: i64, sales: i64, ending_total: i64, ending_current: i64) -> Option<Decimal> {
    let collectible = beginning + sales - ending_current;
    (collectible > 0).then(|| {
        (Decimal::from(beginning + sales - ending_total) * Decimal::from(100) / Decimal::from(collectible))
            .round_dp_with_strategy(1, HALF_UP)
    })
}

/// `part ÷ whole × 100`, one decimal; `None` for an empty whole.
#[must_use]
pub(crate) fn percent(part: i64, whole: i64) -> Option<Decimal> {
    (whole > 0)
        .then(|| (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole)).round_dp_with_strategy(1, HALF_UP))
}

/// The month windows of countback DSO: `(start, end]` for month `m` back from `as_of`,
/// latest first, each with its number of days.
#[must_use]
pub(crate) fn month_windows(as_of: NaiveDate) -> Vec<(NaiveDate, NaiveDate, i64)> {
    (0..COUNTBACK_MONTHS)
        .filter_map(|m| {
            let end = as_of.checked_sub_months(Months::new(m))?;
            let start = as_of.checked_sub_months(Months::new(m + 1))?;
            Some((start, end, (end - start).num_days()))
        })
        .collect()
}

/// Index of the month window holding `date` (`None` after `as_of` or before the oldest).
#[must_use]
pub(crate) fn window_of(windows: &[(NaiveDate, NaiveDate, i64)], date: NaiveDate) -> Option<usize> {
    // Windows are latest first, so their starts descend: the first window starting before
    // `date` holds it, if `date` is not after its end.
    let i = windows.partition_point(|(start, _, _)| *start >= date);
    windows.get(i).filter(|(_, end, _)| date <= *end).map(|_| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn countback_walks_the_months_back() {
        // AR 250: November's sales 100 (30 days) and October's 100 (31 days) are covered
        // whole, September's 200 (30 days) a quarter: 30 + 31 + 50/200 × 30 = 68.5.
        assert_eq!(dso_countback(25000, &[(10000, 30), (10000, 31), (20000, 30)]), Some(Decimal::new(685, 1)));
        // Not covered: more AR than all the sales.
        assert_eq!(dso_countback(50000, &[(10000, 30)]), None);
        // A month without sales counts whole.
        assert_eq!(dso_countback(5000, &[(0, 30), (10000, 31)]), Some(Decimal::new(455, 1)));
        assert_eq!(dso_countback(0, &[]), Some(Decimal::ZERO));
    }

    #[test]
    fn simple_dso_and_cei() {
        // 300 open, 450 sold in 90 days: 300 / 450 × 90 = 60.0.
        assert_eq!(dso_simple(30000, 45000, 90), Some(Decimal::new(600, 1)));
        assert_eq!(dso_simple(30000, 0, 90), None);
        // (1000 + 500 − 900) / (1000 + 500 − 300) × 100 = 600 / 1200 × 100 = 50.0.
        assert_eq!(cei(100_000, 50_000, 90_000, 30_000), Some(Decimal::new(500, 1)));
        assert_eq!(cei(0, 0, 0, 0), None);
    }

    #[test]
    fn month_windows_follow_the_calendar() {
        let w = month_windows(d("2026-11-30"));
        assert_eq!(w[0], (d("2026-10-30"), d("2026-11-30"), 31));
        assert_eq!(w[1], (d("2026-09-30"), d("2026-10-30"), 30));
        assert_eq!(window_of(&w, d("2026-11-30")), Some(0));
        assert_eq!(window_of(&w, d("2026-10-31")), Some(0));
        assert_eq!(window_of(&w, d("2026-10-30")), Some(1));
        assert_eq!(window_of(&w, d("2026-12-01")), None);
        assert_eq!(window_of(&w, d("2020-01-01")), None);
    }
}
