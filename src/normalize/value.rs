//! Cell values → typed values: dates, amounts and text. Each parser returns the reason a
//! value is refused, in words a finance user can act on.
use std::str::FromStr;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use crate::ingest::Cell;
use crate::ingest::cell::needs_no_trim;
use crate::money::Currency;
use crate::normalize::date_order::DateOrder;
use crate::normalize::reason::{Arg, Reason, num};

/// How the values of one source are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValueFormat {
    /// Day/month order of ambiguous text dates; `None` rejects them.
    pub date_order: Option<DateOrder>,
    /// `1.234,56`: comma as the decimal mark, dot, space or apostrophe grouping.
    pub decimal_comma: bool,
    /// Date serial numbers count from 1904-01-01 (old Mac workbooks).
    pub date1904: bool,
}

/// Days from the 1900 system's epoch to the 1904 system's.
const DAYS_1900_TO_1904: f64 = 1462.0;

/// Largest Excel date serial (9999-12-31).
const MAX_SERIAL: f64 = 2_958_465.0;

/// Trimmed text of a cell; `None` when blank. Non-breaking and full-width spaces count as
/// whitespace.
#[must_use]
pub fn text(cell: &Cell) -> Option<String> {
    trimmed(cell).map(std::borrow::Cow::into_owned)
}

/// [`text`], borrowed from the cell when it is a text cell (no copy per value).
#[must_use]
pub fn trimmed(cell: &Cell) -> Option<std::borrow::Cow<'_, str>> {
    fn trim(raw: &str) -> &str {
        // Most cells need no trimming, told from their first and last byte.
        if needs_no_trim(raw) { raw } else { raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}') }
    }
    let text = match cell {
        // Text cells are trimmed in place.
        Cell::Text(raw) => std::borrow::Cow::Borrowed(trim(raw)),
        other => std::borrow::Cow::Owned(trim(&other.to_text()).to_owned()),
    };
    (!text.is_empty()).then_some(text)
}

/// Reads a date cell: a date cell, an Excel serial number (1900 or 1904 system), or text
/// in the forms `2026-05-20`, `2026/5/20`, `2026.5.20`, `20260520`, `2026年5月20日`,
/// `20.05.2026`, `30 Nov 2026`, `Nov 30, 2026`, `30-Nov-26` is refused (two-digit year),
/// and `20/05/2026` / `05/20/2026` (day-month order from `format`, or unambiguous).
///
/// # Errors
/// Why the value is not a date.
pub fn date(cell: &Cell, format: ValueFormat) -> Result<NaiveDate, Reason> {
    let shift = if format.date1904 { DAYS_1900_TO_1904 } else { 0.0 };
    match cell {
        Cell::Date(d) => Ok(*d),
        #[allow(clippy::cast_precision_loss)]
        Cell::Int(i) => serial_date(*i as f64 + shift),
        Cell::Float(f) => serial_date(*f + shift),
        Cell::Text(t) => date_text(t, format.date_order),
        Cell::Empty => Err(Reason::new("is_empty", vec![])),
        Cell::Bool(_) | Cell::Error(_) => Err(Reason::new("is_not_a_date", vec![])),
    }
}

/// Excel 1900-system serial: day 1 is 1900-01-01; serial 60 is Excel's phantom 1900-02-29.
fn serial_date(serial: f64) -> Result<NaiveDate, Reason> {
    if !(1.0..=MAX_SERIAL).contains(&serial) || (60.0..61.0).contains(&serial) {
        return Err(Reason::new("not_a_serial", vec![("serial", num(serial))]));
    }
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    // Serials below 60 precede Excel's phantom leap day, so they are one day later.
    let days = if days < 60 { days + 1 } else { days };
    Ok(base + Duration::days(days))
}

fn date_text(raw: &str, order: Option<DateOrder>) -> Result<NaiveDate, Reason> {
    // The usual export form, `2026-05-20`, read without copying; anything else (and an
    // impossible day, for its message) goes the general way below.
    if let Some(date) = iso_date(raw) {
        return Ok(date);
    }
    let text: String = raw.trim().chars().map(fold_full_width).collect();
    let not_a_date = || said("not_a_date", raw);
    if text.chars().any(|c| c.is_ascii_alphabetic() && c != 'T') {
        return month_name_date(raw, &text).unwrap_or_else(|| Err(not_a_date()));
    }
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
        return Err(said("no_four_digit_year", raw));
    }
    let (first, second) = (a.parse::<u32>().unwrap_or(0), b.parse::<u32>().unwrap_or(0));
    let day_first = match order {
        Some(DateOrder::Dmy) => true,
        Some(DateOrder::Mdy) => false,
        Some(DateOrder::Ymd) | None if first > 12 && second <= 12 => true,
        Some(DateOrder::Ymd) | None if second > 12 && first <= 12 => false,
        Some(DateOrder::Ymd) | None if first == second => true,
        _ => {
            return Err(said("ambiguous_date", raw));
        }
    };
    if day_first { ymd(raw, c, b, a) } else { ymd(raw, c, a, b) }
}

/// What a cell says about the day/month order of its column's text dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayMonth {
    /// Not a text date with the day and month before a four-digit year (an ISO date, a
    /// date cell, `2026年5月20日`, a month name, not a date at all): says nothing.
    Silent,
    /// Read the same either way (`03/03/2026`) or as neither (`31/31/2026`).
    Either,
    /// Only this order reads it as a day of the calendar: `1/26/2013` is month/day/year,
    /// `26.01.2013` day/month/year.
    Only(DateOrder),
    /// Both orders read it, as different days (`1/2/2013`).
    Ambiguous,
}

/// How `cell` reads under each day/month order, told in the same way [`date`] reads it.
#[must_use]
pub fn day_month(cell: &Cell) -> DayMonth {
    let Cell::Text(raw) = cell else { return DayMonth::Silent };
    let raw = raw.trim();
    // Most date cells are ISO dates: refused at their fifth byte, without a copy.
    if raw.len() >= 5 && raw.as_bytes()[4] == b'-' || raw.is_empty() {
        return DayMonth::Silent;
    }
    let folded;
    let text = if raw.is_ascii() {
        raw
    } else {
        folded = fold_full_width_text(raw);
        folded.as_str()
    };
    if text.chars().any(|c| c.is_ascii_alphabetic() && c != 'T') {
        return DayMonth::Silent;
    }
    let date_part = text.split([' ', 'T']).next().unwrap_or_default();
    let mut parts = date_part.split(['-', '/', '.']);
    let (Some(a), Some(b), Some(c), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return DayMonth::Silent;
    };
    let number = |p: &str| {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|x| x.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let (Some(first), Some(second), Some(year)) = (number(a), number(b), number(c)) else { return DayMonth::Silent };
    if a.len() == 4 || c.len() != 4 {
        return DayMonth::Silent;
    }
    let year = i32::try_from(year).unwrap_or(0);
    let dmy = NaiveDate::from_ymd_opt(year, second, first).is_some();
    let mdy = NaiveDate::from_ymd_opt(year, first, second).is_some();
    match (dmy, mdy) {
        (true, true) if first != second => DayMonth::Ambiguous,
        (true, false) => DayMonth::Only(DateOrder::Dmy),
        (false, true) => DayMonth::Only(DateOrder::Mdy),
        _ => DayMonth::Either,
    }
}

/// `YYYY-MM-DD` exactly, when it is a day of the calendar.
fn iso_date(raw: &str) -> Option<NaiveDate> {
    let b = raw.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(digits(0..4)?).ok()?, digits(5..7)?, digits(8..10)?)
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// `30 Nov 2026`, `Nov 30, 2026`, `30-Nov-2026`, `November 30 2026`: a month name makes the
/// order unambiguous. `None` when the text has no month name.
fn month_name_date(raw: &str, text: &str) -> Option<Result<NaiveDate, Reason>> {
    let tokens: Vec<&str> =
        text.split([' ', '-', ',', '/', '.']).filter(|t| !t.is_empty() && !t.contains(':')).collect();
    let month_of = |t: &str| {
        let t = t.to_ascii_lowercase();
        (t.len() >= 3).then(|| MONTHS.iter().position(|m| m.starts_with(&t)))?
    };
    let (month_index, month) = tokens.iter().enumerate().find_map(|(i, t)| month_of(t).map(|m| (i, m)))?;
    let is_weekday = |t: &str| {
        let t = t.to_ascii_lowercase();
        t.len() >= 3 && WEEKDAYS.iter().any(|w| w.starts_with(&t))
    };
    let numbers: Vec<&str> =
        tokens.iter().enumerate().filter(|(i, t)| *i != month_index && !is_weekday(t)).map(|(_, t)| *t).collect();
    let [a, b] = numbers[..] else { return Some(Err(said("not_a_date", raw))) };
    let (year, day) = match (a.len(), b.len()) {
        (4, 1 | 2) => (a, b),
        (1 | 2, 4) => (b, a),
        _ => return Some(Err(said("needs_day_and_year", raw))),
    };
    Some(ymd(raw, year, &(month + 1).to_string(), day))
}

fn ymd(raw: &str, y: &str, m: &str, d: &str) -> Result<NaiveDate, Reason> {
    let num = |s: &str| s.parse::<u32>().ok();
    let year = y.parse::<i32>().ok();
    match (year, num(m), num(d)) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| said("not_a_day", raw)),
        _ => Err(said("not_a_date", raw)),
    }
}

/// The reason `key` about the value `raw` (trimmed).
fn said(key: &'static str, raw: &str) -> Reason {
    Reason::new(key, vec![("value", raw.trim().into())])
}

/// Full-width letters, digits and punctuation (ＣＮＹ, ０-９, ／, －, ．) → ASCII.
#[must_use]
pub fn fold_full_width_text(text: &str) -> String {
    text.chars().map(fold_full_width).collect()
}

fn fold_full_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Reads an amount: a number cell, or text such as `1,234.56`, `¥1,234.56`, `USD 1234.5`,
/// `-1234.56`, `(1,234.56)` or `1234.56-` (with `decimal_comma`: `1.234,56`, `1 234,56`).
/// Float cells are read through their shortest decimal representation so that 0.1 stays
/// 0.1. Grouping must be in threes, so `1,23` is refused rather than read as 123. Letters
/// beside the number must be a currency code or name: `1.5k` and `2M` are refused, not
/// read as 1.5 and 2.
///
/// # Errors
/// Why the value is not an amount.
pub fn amount(cell: &Cell, format: ValueFormat) -> Result<Decimal, Reason> {
    amount_marked(cell, format).map(|(value, _)| value)
}

/// As [`amount`], for a row in `currency`: a currency the text names (`EUR 70`, `€70`,
/// `70 元`) must be that one, else the value is refused rather than read in the row's
/// currency. `$` and `¥`, shared by several currencies, are not compared
/// beyond that (`¥` is CNY or JPY).
///
/// # Errors
/// As [`amount`], and the contradiction, naming both currencies.
pub fn amount_in(cell: &Cell, format: ValueFormat, currency: &Currency) -> Result<Decimal, Reason> {
    let (value, marked) = amount_marked(cell, format)?;
    let fits = |code: &str| code == currency.code();
    let contradiction = match marked {
        Some(Marker::Code(code)) => (!fits(code.code())).then(|| Arg::Text(code.code().to_owned())),
        Some(Marker::Symbol(symbol, codes)) => (!codes.iter().any(|c| fits(c))).then(|| {
            let codes = Arg::Or(codes.iter().map(|c| (*c).to_owned()).collect());
            Arg::Reason(Reason::new("symbol_codes", vec![("symbol", num(symbol)), ("codes", codes)]))
        }),
        None => None,
    };
    match contradiction {
        Some(named) => Err(Reason::new(
            "other_currency",
            vec![("value", cell.to_text().trim().into()), ("named", named), ("currency", currency.code().into())],
        )),
        None => Ok(value),
    }
}

/// The currency an amount's text names beside its number.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    /// A code or name: `EUR`, `RMB`, `元`.
    Code(Currency),
    /// A symbol and the currencies it stands for (`$` stands for too many to say).
    Symbol(char, &'static [&'static str]),
}

/// The currencies a symbol may stand for; empty for one shared by too many (`$`).
fn symbol_codes(symbol: char) -> &'static [&'static str] {
    match symbol {
        '€' => &["EUR"],
        '£' => &["GBP"],
        '¥' | '￥' => &["CNY", "JPY"],
        _ => &[],
    }
}

fn amount_marked(cell: &Cell, format: ValueFormat) -> Result<(Decimal, Option<Marker>), Reason> {
    match cell {
        Cell::Int(i) => Ok((Decimal::from(*i), None)),
        Cell::Float(f) => float_amount(*f).map(|v| (v, None)),
        Cell::Text(t) => amount_text(t, format.decimal_comma),
        Cell::Empty => Err(Reason::new("is_empty", vec![])),
        Cell::Date(_) | Cell::Bool(_) | Cell::Error(_) => {
            Err(Reason::new("not_an_amount", vec![("value", cell.to_text().into())]))
        }
    }
}

fn float_amount(value: f64) -> Result<Decimal, Reason> {
    if !value.is_finite() {
        return Err(Reason::new("number_not_an_amount", vec![("value", num(value))]));
    }
    // Rust prints the shortest text that reads back to the same double, never in exponent
    // form; spreadsheet arithmetic noise (0.1 + 0.2) is cleaned to 10 decimal places.
    let exact =
        Decimal::from_str(&value.to_string()).map_err(|_| Reason::new("too_large", vec![("value", num(value))]))?;
    Ok(exact.round_dp(10).normalize())
}

/// The currency named by the text around an amount's number (`words`: what was trimmed
/// before and after it, signs left out). Letters must spell a currency; two different
/// currencies, or letters that are none, refuse the value.
fn marker(raw: &str, words: &str) -> Result<Option<Marker>, Reason> {
    let mut found: Option<Marker> = None;
    let mut add = |marker: Marker| -> Result<(), Reason> {
        match (&found, &marker) {
            (Some(Marker::Code(a)), Marker::Code(b)) if a != b => {
                let (first, second) = (a.code().into(), b.code().into());
                return Err(Reason::new(
                    "two_currencies",
                    vec![("value", raw.trim().into()), ("first", first), ("second", second)],
                ));
            }
            // The first marker; a code says more than a symbol: `US$`, `HK$`, `CNY ¥`.
            (None, _) | (Some(Marker::Symbol(..)), Marker::Code(_)) => found = Some(marker),
            _ => {}
        }
        Ok(())
    };
    let mut letters = String::new();
    let flush = |letters: &mut String, add: &mut dyn FnMut(Marker) -> Result<(), Reason>| {
        if letters.is_empty() {
            return Ok(());
        }
        let word = std::mem::take(letters);
        match Currency::parse_known(&word) {
            Some(currency) => add(Marker::Code(currency)),
            // A dollar's country prefix: US$, HK$, NZ$, A$, C$, S$.
            None if ["US", "HK", "NZ", "A", "C", "S", "AU", "CA", "SG", "NT", "MX"].contains(&word.as_str()) => Ok(()),
            None => Err(Reason::new("not_a_currency_word", vec![("value", raw.trim().into()), ("word", word.into())])),
        }
    };
    for c in words.chars() {
        if c.is_ascii_alphabetic() {
            letters.push(c);
            continue;
        }
        flush(&mut letters, &mut add)?;
        match c {
            '元' => add(Marker::Code(Currency::parse("CNY").ok_or_else(|| said("not_an_amount", raw))?))?,
            '$' => add(Marker::Symbol('$', &[]))?,
            '€' | '£' | '¥' | '￥' => add(Marker::Symbol(c, symbol_codes(c)))?,
            _ => {}
        }
    }
    flush(&mut letters, &mut add)?;
    // `$` alone says nothing to compare.
    Ok(found.filter(|m| !matches!(m, Marker::Symbol('$', _))))
}

fn amount_text(raw: &str, decimal_comma: bool) -> Result<(Decimal, Option<Marker>), Reason> {
    // The usual export form, `1234.56` or `-1234.56` (digits, at most one point, no
    // grouping), read without copying; anything else goes the general way below.
    if let Some(value) = plain_amount(raw, decimal_comma) {
        return Ok((value, None));
    }
    let refuse = || said("not_an_amount", raw);
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
    // Currency symbols and codes around the number, with at most one sign among them:
    // "-¥12", "¥-12", "-CNY 12", "CNY -12".
    let is_symbol = |c: char| "¥￥$€£".contains(c) || c.is_ascii_alphabetic() || c.is_whitespace();
    let mut rest = text.trim_end_matches(|c: char| is_symbol(c) || c == '元');
    let suffix = &text[rest.len()..];
    let mut words = String::new();
    let mut sign_seen = false;
    let mut sign = false;
    loop {
        let trimmed = rest.trim_start_matches(is_symbol);
        words.push_str(&rest[..rest.len() - trimmed.len()]);
        let (next, signed) = if let Some(after) = trimmed.strip_prefix('-') {
            (after, Some(true))
        } else if let Some(after) = trimmed.strip_prefix('+') {
            (after, Some(false))
        } else {
            (trimmed, None)
        };
        if let Some(negative) = signed {
            if sign_seen {
                return Err(refuse());
            }
            (sign_seen, sign) = (true, negative);
            words.push(' ');
        }
        if next == rest {
            break;
        }
        rest = next;
    }
    words.push(' ');
    words.push_str(suffix);
    let digits = rest;
    let (group, mark) = if decimal_comma { ('.', ',') } else { (',', '.') };
    let digits: String = digits.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\'' | '\u{202f}')).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(refuse());
    }
    let marked = marker(raw, &words)?;
    let (whole, fraction) = match digits.split_once(mark) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits.as_str(), None),
    };
    let groups: Vec<&str> = whole.split(group).collect();
    let grouped_in_threes = groups.len() == 1 || groups[1..].iter().all(|g| g.len() == 3) && !groups[0].is_empty();
    if !grouped_in_threes || fraction.is_some_and(|f| f.contains([',', '.'])) {
        return Err(said(if decimal_comma { "grouping_comma_set" } else { "grouping_set_comma" }, raw));
    }
    let cleaned = match fraction {
        Some(fraction) => format!("{}.{fraction}", groups.concat()),
        None => groups.concat(),
    };
    let value = Decimal::from_str(&cleaned).map_err(|_| refuse())?;
    Ok((if negative ^ sign { -value } else { value }, marked))
}

/// `[-]digits[.digits]` exactly, read as the general path reads it.
fn plain_amount(raw: &str, decimal_comma: bool) -> Option<Decimal> {
    let (negative, digits) = raw.strip_prefix('-').map_or((false, raw), |d| (true, d));
    let mut parts = digits.split('.');
    let whole = parts.next()?;
    let fraction = parts.next();
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if decimal_comma || parts.next().is_some() || !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return None;
    }
    let value = Decimal::from_str(digits).ok()?;
    Some(if negative { -value } else { value })
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
    fn text_is_borrowed_from_its_cell_and_trimmed_only_when_it_needs_it() {
        use std::borrow::Cow;
        assert!(matches!(trimmed(&t("INV-1")), Some(Cow::Borrowed("INV-1"))));
        assert!(matches!(trimmed(&t(" INV-1\u{3000}")), Some(Cow::Borrowed("INV-1"))));
        assert!(matches!(trimmed(&t("\u{feff}成都能源 ")), Some(Cow::Borrowed("成都能源"))));
        assert_eq!(trimmed(&t(" \u{a0}")), None);
        assert_eq!(text(&Cell::Int(7)).as_deref(), Some("7"));
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
            "20.05.2026",
            "20 May 2026",
            "May 20, 2026",
            "20-May-2026",
            "Wednesday, May 20, 2026 ",
            "20 may 2026 08:00",
        ] {
            assert_eq!(date(&t(s), ValueFormat::default()), Ok(d(2026, 5, 20)), "{s}");
        }
        assert_eq!(
            date(&t("03/04/2026"), ValueFormat { date_order: Some(DateOrder::Dmy), ..ValueFormat::default() }),
            Ok(d(2026, 4, 3))
        );
        assert_eq!(
            date(&t("03/04/2026"), ValueFormat { date_order: Some(DateOrder::Mdy), ..ValueFormat::default() }),
            Ok(d(2026, 3, 4))
        );
        assert!(date(&t("03/04/2026"), ValueFormat::default()).unwrap_err().english().contains("date_order"));
        assert!(
            date(&t("2026-02-30"), ValueFormat::default()).unwrap_err().english().contains("not a day of the calendar")
        );
        assert!(date(&t("tomorrow"), ValueFormat::default()).is_err());
        assert!(date(&t("1/2/26"), ValueFormat::default()).is_err());
    }

    #[test]
    fn day_month_order_of_a_text_date() {
        use DayMonth::{Ambiguous, Either, Only, Silent};
        for (text, want) in [
            ("1/26/2013", Only(DateOrder::Mdy)),
            ("26.01.2013", Only(DateOrder::Dmy)),
            ("26/01/2013 08:00", Only(DateOrder::Dmy)),
            ("１/２６/２０１３", Only(DateOrder::Mdy)),
            ("1/2/2013", Ambiguous),
            ("01-02-2013", Ambiguous),
            ("3/3/2013", Either),
            ("2/30/2013", Either),
            ("31/31/2013", Either),
            ("2013-01-02", Silent),
            ("2013/1/2", Silent),
            ("2013年1月2日", Silent),
            ("2 Jan 2013", Silent),
            ("1/2/13", Silent),
            ("INV-1/2/2013", Silent),
            ("", Silent),
        ] {
            assert_eq!(day_month(&t(text)), want, "{text}");
        }
        assert_eq!(day_month(&Cell::Int(41_276)), Silent);
        // The reading agrees with the parser: what one order reads, `date` reads without one.
        for text in ["1/26/2013", "26.01.2013"] {
            assert!(date(&t(text), ValueFormat::default()).is_ok());
        }
        assert!(date(&t("1/2/2013"), ValueFormat::default()).is_err());
    }

    #[test]
    fn excel_serials() {
        assert_eq!(date(&Cell::Int(46_162), ValueFormat::default()), Ok(d(2026, 5, 20)));
        assert_eq!(date(&Cell::Float(45_351.75), ValueFormat::default()), Ok(d(2024, 2, 29)));
        assert_eq!(date(&Cell::Int(1), ValueFormat::default()), Ok(d(1900, 1, 1)));
        assert!(date(&Cell::Int(0), ValueFormat::default()).is_err());
        let mac = ValueFormat { date1904: true, ..ValueFormat::default() };
        assert_eq!(date(&Cell::Int(44_700), mac), Ok(d(2026, 5, 20)));
    }

    #[test]
    fn an_amount_in_another_currency_than_its_row_is_refused() {
        let f = ValueFormat::default();
        let cny = Currency::parse("CNY").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            amount_in(&t("EUR 70"), f, &cny).map_err(|r| r.english()),
            Err("\"EUR 70\" is written in EUR, but the row's currency is CNY; payback does not convert currencies"
                .into())
        );
        assert_eq!(amount_in(&t("EUR 70"), f, &eur), Ok(Decimal::from(70)));
        assert!(amount_in(&t("€70"), f, &cny).unwrap_err().english().contains("€ (EUR)"));
        assert_eq!(amount_in(&t("¥70"), f, &jpy), Ok(Decimal::from(70)));
        assert!(amount_in(&t("70 元"), f, &jpy).is_err());
        assert_eq!(amount_in(&t("$70"), f, &cny), Ok(Decimal::from(70)));
        assert_eq!(
            amount_in(&t("人民币 70"), f, &cny).map_err(|r| r.english()),
            Err("\"人民币 70\" is not an amount".into())
        );
        // A symbol shared by several currencies names them all.
        let usd = Currency::parse("USD").unwrap();
        let refused = amount_in(&t("¥70"), f, &usd).unwrap_err();
        assert_eq!(
            refused.english(),
            "\"¥70\" is written in ¥ (CNY or JPY), but the row's currency is USD; payback does not convert currencies"
        );
        assert_eq!(
            refused.render(crate::catalogue::Labels::of(crate::catalogue::Lang::Zh)),
            "“¥70”写的是 ¥（CNY 或 JPY），但该行的币种是 USD；payback 不做货币换算"
        );
        assert_eq!(amount_in(&Cell::Int(70), f, &cny), Ok(Decimal::from(70)));
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
            // Found by the amount round-trip property: a sign before a currency code.
            ("-CNY 0.01", "-0.01"),
            ("CNY -0.01", "-0.01"),
        ] {
            assert_eq!(amount(&t(s), ValueFormat::default()), Ok(dec(want)), "{s}");
        }
        for s in ["--5", "-$-5", "+-5"] {
            assert!(amount(&t(s), ValueFormat::default()).is_err(), "{s}");
        }
        assert_eq!(amount(&Cell::Float(0.1 + 0.2), ValueFormat::default()), Ok(dec("0.3")));
        assert_eq!(amount(&Cell::Float(1234.56), ValueFormat::default()), Ok(dec("1234.56")));
        assert!(amount(&t("n/a"), ValueFormat::default()).is_err());
        // Issue 21: a suffix is no multiplier, and letters must be a currency.
        for s in ["1.5k", "2M", "3 mio", "1,000 Cr", "USD 5 EUR"] {
            assert!(amount(&t(s), ValueFormat::default()).is_err(), "{s}");
        }
        assert!(amount(&t("1.5k"), ValueFormat::default()).unwrap_err().english().contains("\"k\" is not a currency"));
        assert_eq!(amount(&t("US$ 12.50"), ValueFormat::default()), Ok(dec("12.50")));
        assert_eq!(amount(&t("12.50 RMB"), ValueFormat::default()), Ok(dec("12.50")));
        assert!(amount(&t("12.3.4"), ValueFormat::default()).is_err());
        assert!(amount(&Cell::Empty, ValueFormat::default()).is_err());
        assert!(amount(&t("1,23"), ValueFormat::default()).unwrap_err().english().contains("decimal_comma"));
        assert!(amount(&t("1.234,56"), ValueFormat::default()).unwrap_err().english().contains("decimal_comma"));
        let comma = ValueFormat { decimal_comma: true, ..ValueFormat::default() };
        for (s, want) in [("1.234,56", "1234.56"), ("1 234,5", "1234.5"), ("-12,00 €", "-12.00"), ("(1.000)", "-1000")]
        {
            assert_eq!(amount(&t(s), comma), Ok(dec(want)), "{s}");
        }
    }
}

#[cfg(test)]
mod properties {
    use std::str::FromStr;

    use chrono::{Datelike, NaiveDate};
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::{DateOrder, ValueFormat, amount, date};
    use crate::ingest::Cell;

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (1900i32..2200, 1u32..=12, 1u32..=31)
            .prop_filter_map("a calendar day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
    }

    /// `1234567` → `1,234,567`.
    fn grouped(whole: u64, separator: &str) -> String {
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(c);
        }
        out
    }

    proptest! {
        #[test]
        fn dates_round_trip_through_every_text_form(d in any_date()) {
            let text = |s: String| Cell::Text(s);
            let plain = ValueFormat::default();
            let dmy = ValueFormat { date_order: Some(DateOrder::Dmy), ..plain };
            let mdy = ValueFormat { date_order: Some(DateOrder::Mdy), ..plain };
            prop_assert_eq!(date(&text(d.format("%Y-%m-%d").to_string()), plain), Ok(d));
            prop_assert_eq!(date(&text(format!("{}/{}/{}", d.year(), d.month(), d.day())), plain), Ok(d));
            prop_assert_eq!(date(&text(format!("{}年{}月{}日", d.year(), d.month(), d.day())), plain), Ok(d));
            prop_assert_eq!(date(&text(d.format("%Y%m%d").to_string()), plain), Ok(d));
            prop_assert_eq!(date(&text(d.format("%d.%m.%Y").to_string()), dmy), Ok(d));
            prop_assert_eq!(date(&text(d.format("%m/%d/%Y").to_string()), mdy), Ok(d));
            prop_assert_eq!(date(&text(d.format("%d %b %Y").to_string()), plain), Ok(d));
            prop_assert_eq!(date(&text(d.format("%B %-d, %Y").to_string()), plain), Ok(d));
            let serial = (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days();
            if serial > 60 {
                #[allow(clippy::cast_precision_loss)]
                let as_float = serial as f64 + 0.25;
                prop_assert_eq!(date(&Cell::Int(serial), plain), Ok(d));
                prop_assert_eq!(date(&Cell::Float(as_float), plain), Ok(d));
            }
        }

        #[test]
        fn ambiguous_day_month_text_is_never_guessed(d in any_date()) {
            prop_assume!(d.day() <= 12 && d.day() != d.month());
            let text = Cell::Text(d.format("%d/%m/%Y").to_string());
            prop_assert!(date(&text, ValueFormat::default()).is_err());
        }

        #[test]
        fn amounts_round_trip_through_every_text_form(cents in -100_000_000_000_000i64..100_000_000_000_000, symbol in prop::sample::select(vec!["", "¥", "$", "€", "£", "CNY ", "USD "])) {
            let exact = Decimal::new(cents, 2);
            let (whole, fraction) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
            let body = format!("{}.{fraction:02}", grouped(whole, ","));
            let plain = ValueFormat::default();
            let signed = if cents < 0 { format!("-{symbol}{body}") } else { format!("{symbol}{body}") };
            prop_assert_eq!(amount(&Cell::Text(signed), plain), Ok(exact));
            if cents < 0 {
                prop_assert_eq!(amount(&Cell::Text(format!("({symbol}{body})")), plain), Ok(exact));
                prop_assert_eq!(amount(&Cell::Text(format!("{body}-")), plain), Ok(exact));
            }
            let comma = ValueFormat { decimal_comma: true, ..plain };
            let european = format!("{}{},{fraction:02}", if cents < 0 { "-" } else { "" }, grouped(whole, "."));
            prop_assert_eq!(amount(&Cell::Text(european), comma), Ok(exact));
            prop_assert_eq!(amount(&Cell::Text(exact.to_string()), plain), Ok(exact));
        }

        #[test]
        fn float_cells_read_as_the_decimal_they_show(cents in -10_000_000_000i64..10_000_000_000) {
            #[allow(clippy::cast_precision_loss)]
            let value = cents as f64 / 100.0;
            prop_assert_eq!(amount(&Cell::Float(value), ValueFormat::default()), Ok(Decimal::new(cents, 2)));
        }

        #[test]
        fn fuzz_value_parsers_never_panic(text in ".{0,40}", number in any::<f64>(), int in any::<i64>()) {
            for format in [ValueFormat::default(), ValueFormat { decimal_comma: true, date_order: Some(DateOrder::Dmy), date1904: true }] {
                let _ = date(&Cell::Text(text.clone()), format);
                let _ = amount(&Cell::Text(text.clone()), format);
                let _ = date(&Cell::Float(number), format);
                let _ = amount(&Cell::Float(number), format);
                let _ = date(&Cell::Int(int), format);
                let _ = Decimal::from_str(&text);
            }
        }
    }
}
