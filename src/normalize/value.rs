//! Cell values → typed values: dates, amounts and text. Each parser returns the reason a
//! value is refused, in words a finance user can act on.
use std::str::FromStr;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use crate::cli::DateOrder;
use crate::ingest::Cell;

/// Largest Excel date serial (9999-12-31).
const MAX_SERIAL: f64 = 2_958_465.0;

/// Trimmed text of a cell; `None` when blank. Non-breaking and full-width spaces count as
/// whitespace.
#[must_use]
pub fn text(cell: &Cell) -> Option<String> {
    let raw = cell.to_text();
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Reads a date cell: a date cell, an Excel serial number (1900 system), or text in the
/// forms `2026-05-20`, `2026/5/20`, `2026.5.20`, `20260520`, `2026年5月20日`, and
/// `20/05/2026` / `05/20/2026` (day-month order from `order`, or unambiguous).
///
/// # Errors
/// Why the value is not a date.
pub fn date(cell: &Cell, order: Option<DateOrder>) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => Ok(*d),
        #[allow(clippy::cast_precision_loss)]
        Cell::Int(i) => serial_date(*i as f64),
        Cell::Float(f) => serial_date(*f),
        Cell::Text(t) => date_text(t, order),
        Cell::Empty => Err("is empty".into()),
        Cell::Bool(_) | Cell::Error(_) => Err("is not a date".into()),
    }
}

/// Excel 1900-system serial: day 1 is 1900-01-01; serial 60 is Excel's phantom 1900-02-29.
fn serial_date(serial: f64) -> Result<NaiveDate, String> {
    if !(1.0..=MAX_SERIAL).contains(&serial) || (60.0..61.0).contains(&serial) {
        return Err(format!("{serial} is not a date serial number Excel can show"));
    }
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    // Serials below 60 precede Excel's phantom leap day, so they are one day later.
    let days = if days < 60 { days + 1 } else { days };
    Ok(base + Duration::days(days))
}

fn date_text(raw: &str, order: Option<DateOrder>) -> Result<NaiveDate, String> {
    let text: String = raw.trim().chars().map(fold_full_width).collect();
    let not_a_date = || format!("\"{}\" is not a date", raw.trim());
    // Drop a time of day: "2026-05-20 00:00:00", "2026-05-20T08:00".
    let date_part = text.split([' ', 'T']).next().unwrap_or_default();
    let date_part = date_part.replace(['年', '月'], "-").replace('日', "");
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        let (y, rest) = date_part.split_at(4);
        let (m, d) = rest.split_at(2);
        return ymd(raw, y, m, d);
    }
    let parts: Vec<&str> = date_part.split(['-', '/', '.']).collect();
    let [a, b, c] = parts[..] else {
        return Err(not_a_date());
    };
    if ![a, b, c].iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|x| x.is_ascii_digit())) {
        return Err(not_a_date());
    }
    if a.len() == 4 {
        return ymd(raw, a, b, c);
    }
    if c.len() != 4 {
        return Err(format!("\"{}\" has no four-digit year", raw.trim()));
    }
    let (first, second) = (a.parse::<u32>().unwrap_or(0), b.parse::<u32>().unwrap_or(0));
    let day_first = match order {
        Some(DateOrder::Dmy) => true,
        Some(DateOrder::Mdy) => false,
        Some(DateOrder::Ymd) | None if first > 12 && second <= 12 => true,
        Some(DateOrder::Ymd) | None if second > 12 && first <= 12 => false,
        Some(DateOrder::Ymd) | None if first == second => true,
        _ => {
            return Err(format!(
                "\"{}\" could be day/month or month/day; set date_order = \"dmy\" or \"mdy\" \
                 under [input] in the rules file (or --date-order)",
                raw.trim()
            ));
        }
    };
    if day_first { ymd(raw, c, b, a) } else { ymd(raw, c, a, b) }
}

fn ymd(raw: &str, y: &str, m: &str, d: &str) -> Result<NaiveDate, String> {
    let num = |s: &str| s.parse::<u32>().ok();
    let year = y.parse::<i32>().ok();
    match (year, num(m), num(d)) {
        (Some(y), Some(m), Some(d)) => {
            NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("\"{}\" is not a day of the calendar", raw.trim()))
        }
        _ => Err(format!("\"{}\" is not a date", raw.trim())),
    }
}

/// Full-width digits and punctuation (０-９, ／, －, ．) → ASCII.
fn fold_full_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Reads an amount: a number cell, or text such as `1,234.56`, `¥1,234.56`, `USD 1234.5`,
/// `-1234.56`, `(1,234.56)` or `1234.56-`. Float cells are read through their shortest
/// decimal representation so that 0.1 stays 0.1.
///
/// # Errors
/// Why the value is not an amount.
pub fn amount(cell: &Cell) -> Result<Decimal, String> {
    match cell {
        Cell::Int(i) => Ok(Decimal::from(*i)),
        Cell::Float(f) => float_amount(*f),
        Cell::Text(t) => amount_text(t),
        Cell::Empty => Err("is empty".into()),
        Cell::Date(_) | Cell::Bool(_) | Cell::Error(_) => Err(format!("\"{}\" is not an amount", cell.to_text())),
    }
}

fn float_amount(value: f64) -> Result<Decimal, String> {
    if !value.is_finite() {
        return Err(format!("{value} is not an amount"));
    }
    // Rust prints the shortest text that reads back to the same double, never in exponent
    // form; spreadsheet arithmetic noise (0.1 + 0.2) is cleaned to 10 decimal places.
    let exact = Decimal::from_str(&value.to_string()).map_err(|_| format!("{value} is too large"))?;
    Ok(exact.round_dp(10).normalize())
}

fn amount_text(raw: &str) -> Result<Decimal, String> {
    let refuse = || format!("\"{}\" is not an amount", raw.trim());
    let mut text: String = raw.trim().chars().map(fold_full_width).collect();
    let mut negative = false;
    if text.starts_with('(') && text.ends_with(')') {
        negative = true;
        text = text[1..text.len() - 1].to_owned();
    }
    let mut text = text.trim().to_owned();
    if let Some(stripped) = text.strip_suffix('-') {
        negative = !negative;
        text = stripped.trim().to_owned();
    }
    // Currency symbols and codes around the number.
    let text = text.trim_start_matches(|c: char| "¥￥$€£".contains(c) || c.is_ascii_alphabetic() || c.is_whitespace());
    let text = text.trim_end_matches(|c: char| "¥￥$€£元".contains(c) || c.is_ascii_alphabetic() || c.is_whitespace());
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = digits.trim_start_matches(|c: char| "¥￥$€£".contains(c) || c.is_whitespace());
    let cleaned: String = digits.chars().filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '\'')).collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(refuse());
    }
    let value = Decimal::from_str(&cleaned).map_err(|_| refuse())?;
    Ok(if negative ^ sign { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn text_dates_in_common_forms() {
        for s in [
            "2026-05-20",
            "2026/5/20",
            "2026.05.20",
            "20260520",
            "2026年5月20日",
            "２０２６－０５－２０",
            "2026-05-20 00:00:00",
            "20/05/2026",
            "05/20/2026",
        ] {
            assert_eq!(date(&t(s), None), Ok(d(2026, 5, 20)), "{s}");
        }
        assert_eq!(date(&t("03/04/2026"), Some(DateOrder::Dmy)), Ok(d(2026, 4, 3)));
        assert_eq!(date(&t("03/04/2026"), Some(DateOrder::Mdy)), Ok(d(2026, 3, 4)));
        assert!(date(&t("03/04/2026"), None).unwrap_err().contains("date_order"));
        assert!(date(&t("2026-02-30"), None).unwrap_err().contains("not a day of the calendar"));
        assert!(date(&t("tomorrow"), None).is_err());
        assert!(date(&t("1/2/26"), None).is_err());
    }

    #[test]
    fn excel_serials() {
        assert_eq!(date(&Cell::Int(46_162), None), Ok(d(2026, 5, 20)));
        assert_eq!(date(&Cell::Float(45_351.75), None), Ok(d(2024, 2, 29)));
        assert_eq!(date(&Cell::Int(1), None), Ok(d(1900, 1, 1)));
        assert!(date(&Cell::Int(0), None).is_err());
    }

    #[test]
    fn amounts_in_common_forms() {
        let dec = |s: &str| Decimal::from_str(s).unwrap();
        for (s, want) in [
            ("1,234.56", "1234.56"),
            ("¥1,234.56", "1234.56"),
            ("USD 1234.5", "1234.5"),
            ("-1,234.56", "-1234.56"),
            ("(1,234.56)", "-1234.56"),
            ("1234.56-", "-1234.56"),
            ("-$12.00", "-12.00"),
            ("１２３.４５", "123.45"),
            ("1 234.56 元", "1234.56"),
        ] {
            assert_eq!(amount(&t(s)), Ok(dec(want)), "{s}");
        }
        assert_eq!(amount(&Cell::Float(0.1 + 0.2)), Ok(dec("0.3")));
        assert_eq!(amount(&Cell::Float(1234.56)), Ok(dec("1234.56")));
        assert!(amount(&t("n/a")).is_err());
        assert!(amount(&t("12.3.4")).is_err());
        assert!(amount(&Cell::Empty).is_err());
    }
}
