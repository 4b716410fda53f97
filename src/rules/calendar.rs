//! Working-day calendars: weekends, public holidays and make-up working days (China's
//! 调休), from the files under `rules/calendars/` (built in) or a file of the user's.
use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use crate::error::{Error, Result};

/// The built-in calendars.
pub(crate) const BUILT_IN: [(&str, &str); 2] = [
    ("cn", include_str!("../../rules/calendars/cn.toml")),
    ("weekends", include_str!("../../rules/calendars/weekends.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    name: String,
    title: String,
    weekend: Vec<String>,
    years: Vec<i32>,
    holidays: Vec<String>,
    workdays: Vec<String>,
}

/// Which days are working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// The calendar's name.
    pub name: String,
    /// A human title.
    pub title: String,
    weekend: Vec<Weekday>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    years: Vec<i32>,
}

impl Calendar {
    /// The built-in calendar `name` (`cn`, `weekends`).
    ///
    /// # Errors
    /// [`Error::Rules`] for an unknown name.
    pub fn built_in(name: &str) -> Result<Self> {
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name).ok_or_else(|| Error::Rules {
            file: "calendar".into(),
            reason: format!(
                "calendar.name = \"{name}\" is not a built-in calendar; they are: {} (or give calendar.path)",
                BUILT_IN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ),
        })?;
        Self::parse(text, Path::new(&format!("rules/calendars/{name}.toml")))
    }

    /// A calendar file of the user's.
    ///
    /// # Errors
    /// [`Error::Rules`] naming the file when it cannot be read or is invalid.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Rules { file: path.to_path_buf(), reason: format!("cannot read the calendar: {e}") })?;
        Self::parse(&text, path)
    }

    fn parse(text: &str, path: &Path) -> Result<Self> {
        let bad = |reason: String| Error::Rules { file: path.to_path_buf(), reason };
        let file: CalendarFile =
            toml::from_str(text).map_err(|e| bad(e.to_string().lines().collect::<Vec<_>>().join(" ")))?;
        let weekend: Vec<Weekday> = file
            .weekend
            .iter()
            .map(|d| d.parse::<Weekday>().map_err(|_| bad(format!("weekend: \"{d}\" is not a day of the week"))))
            .collect::<Result<_>>()?;
        // A week without a working day would make working-day terms endless.
        let mut days: Vec<Weekday> = weekend.clone();
        days.sort_by_key(Weekday::num_days_from_monday);
        days.dedup();
        if days.len() == 7 {
            return Err(bad("weekend lists all seven days: a calendar needs at least one working day a week".into()));
        }
        if let Some(year) =
            file.years.iter().find(|y| !(crate::dates::EARLIEST.year()..=crate::dates::LATEST.year()).contains(*y))
        {
            return Err(bad(format!(
                "years: {year} is outside the years payback works with ({} to {})",
                crate::dates::EARLIEST.year(),
                crate::dates::LATEST.year()
            )));
        }
        let dates = |list: &[String], key: &str| -> Result<BTreeSet<NaiveDate>> {
            let mut out = BTreeSet::new();
            for entry in list {
                let parse = |s: &str| {
                    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                        .map_err(|_| bad(format!("{key}: \"{entry}\" is not a date or a range FROM..TO")))
                };
                let (from, to) = match entry.split_once("..") {
                    Some((a, b)) => (parse(a)?, parse(b)?),
                    None => (parse(entry)?, parse(entry)?),
                };
                // Bounded dates keep the ranges small (at most the 40,542 days of the range).
                if !crate::dates::in_range(from) || !crate::dates::in_range(to) {
                    return Err(bad(format!(
                        "{key}: \"{entry}\" is outside the dates payback works with ({})",
                        crate::dates::range_text()
                    )));
                }
                out.extend(from.iter_days().take_while(|day| *day <= to));
            }
            Ok(out)
        };
        Ok(Self {
            years: file.years,
            name: file.name,
            title: file.title,
            weekend,
            holidays: dates(&file.holidays, "holidays")?,
            workdays: dates(&file.workdays, "workdays")?,
        })
    }

    /// Whether the calendar lists the holidays of `year` (otherwise only weekends count).
    #[must_use]
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether `day` is a working day.
    #[must_use]
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day) && !self.weekend.contains(&day.weekday())
    }

    /// The `n`th working day after `start` (`start` itself not counted); `n = 0` is `start`.
    /// `None` when it is not within [`Calendar::max_walk_days`] of `start` (holidays that
    /// fill whole years) or past the last date chrono holds: the walk always ends.
    #[must_use]
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut left = n;
        if left == 0 {
            return Some(start);
        }
        for day in start.iter_days().skip(1).take(Self::max_walk_days(n)) {
            if self.is_working_day(day) {
                left -= 1;
                if left == 0 {
                    return Some(day);
                }
            }
        }
        None
    }

    /// The most calendar days [`Calendar::add_working_days`] walks for `n` working days:
    /// a week per working day (every calendar has a working day a week) plus a year of
    /// holidays.
    #[must_use]
    pub fn max_walk_days(n: u32) -> usize {
        usize::try_from(n).unwrap_or(usize::MAX).saturating_mul(7).saturating_add(366)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn china_2026_holidays_and_make_up_days() {
        let cn = Calendar::built_in("cn").unwrap();
        assert!(!cn.is_working_day(d(2026, 10, 5)), "National Day holiday");
        assert!(cn.is_working_day(d(2026, 10, 10)), "Saturday make-up day");
        assert!(cn.is_working_day(d(2026, 9, 20)), "Sunday make-up day");
        assert!(!cn.is_working_day(d(2026, 10, 11)), "an ordinary Sunday");
        assert!(!cn.is_working_day(d(2026, 2, 23)), "Spring Festival");
        // Trial run from Thursday 2026-09-24: Mid-Autumn 25-27, National Day 1-7, Saturday
        // 10 October worked: the 10th working day is 15 October.
        assert_eq!(cn.add_working_days(d(2026, 9, 24), 10), Some(d(2026, 10, 15)));
        let plain = Calendar::built_in("weekends").unwrap();
        assert_eq!(plain.add_working_days(d(2026, 9, 24), 10), Some(d(2026, 10, 8)));
        assert_eq!(cn.add_working_days(d(2026, 9, 24), 0), Some(d(2026, 9, 24)));
    }

    fn calendar(weekend: &str, holidays: &str) -> Result<Calendar> {
        let text = format!(
            "name = \"x\"\ntitle = \"X\"\nweekend = [{weekend}]\nyears = [2026]\nholidays = [{holidays}]\nworkdays = []\n"
        );
        Calendar::parse(&text, Path::new("x.toml"))
    }

    #[test]
    fn a_week_of_weekend_days_is_refused() {
        // Issue 21: adding working days in such a calendar never ended.
        let all = r#""Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Sun""#;
        assert_eq!(
            calendar(all, "").unwrap_err().to_string(),
            "x.toml: weekend lists all seven days: a calendar needs at least one working day a week"
        );
    }

    #[test]
    fn holidays_filling_the_years_end_the_walk() {
        // Every day from 2026 on is a holiday: no working day is ever found, and the walk
        // stops after 7 × 10 + 366 = 436 days.
        let cal = calendar(r#""Sat", "Sun""#, r#""2026-01-01..2100-12-31""#).unwrap();
        assert_eq!(cal.add_working_days(d(2026, 3, 2), 10), None);
        assert_eq!(Calendar::max_walk_days(10), 436);
        // 2025-12-31 is a Wednesday and a working day.
        assert_eq!(cal.add_working_days(d(2025, 12, 30), 1), Some(d(2025, 12, 31)));
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 1), None);
    }

    #[test]
    fn calendar_dates_outside_the_range_are_refused() {
        assert_eq!(
            calendar(r#""Sun""#, r#""0001-01-01..2026-01-01""#).unwrap_err().to_string(),
            "x.toml: holidays: \"0001-01-01..2026-01-01\" is outside the dates payback works with (1990-01-01 to 2100-12-31)"
        );
    }

    #[test]
    fn unknown_calendar_is_named() {
        assert!(Calendar::built_in("mars").unwrap_err().to_string().contains("they are: cn, weekends"));
    }
}
