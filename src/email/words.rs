//! Amounts in Chinese capital numerals (大写金额), as formal letters give them beside the
//! figures: `100000.00` CNY → `人民币壹拾万元整`, following the writing rules of the
//! People's Bank of China's payment and settlement measures (支付结算办法): `整` after
//! `元`, none after `分`; one `零` for a run of zeros inside the number.
use std::fmt::Write as _;

use crate::money::Currency;

const DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];

/// `minor` units of `currency` in capital numerals, with the currency's Chinese name
/// (人民币, 美元, …; other currencies by their code).
#[must_use]
pub fn capital(minor: i64, currency: &Currency) -> String {
    let name = match currency.code() {
        "CNY" => "人民币",
        "USD" => "美元",
        "EUR" => "欧元",
        "HKD" => "港币",
        "JPY" => "日元",
        "GBP" => "英镑",
        other => other,
    };
    let sign = if minor < 0 { "负" } else { "" };
    let abs = minor.unsigned_abs();
    let (whole, cents) = match currency.exponent() {
        0 => (abs, 0),
        1 => (abs / 10, abs % 10 * 10),
        2 => (abs / 100, abs % 100),
        e => (abs / 10u64.pow(e), abs % 10u64.pow(e) / 10u64.pow(e - 2)),
    };
    let (jiao, fen) = (cents / 10, cents % 10);
    let mut out = format!("{name}{sign}");
    if whole > 0 {
        out.push_str(&integer(whole));
        out.push('元');
    }
    let _ = match (jiao, fen) {
        (0, 0) if whole == 0 => write!(out, "零元整"),
        (0, 0) => write!(out, "整"),
        (j, 0) => write!(out, "{}角", DIGITS[digit(j)]),
        (0, f) if whole > 0 => write!(out, "零{}分", DIGITS[digit(f)]),
        (0, f) => write!(out, "{}分", DIGITS[digit(f)]),
        (j, f) => write!(out, "{}角{}分", DIGITS[digit(j)], DIGITS[digit(f)]),
    };
    out
}

fn digit(d: u64) -> usize {
    usize::try_from(d % 10).unwrap_or(0)
}

/// A whole number above zero: groups of four digits with 万, 亿, 万亿, 亿亿.
fn integer(n: u64) -> String {
    const UNITS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 10_000);
        rest /= 10_000;
    }
    let mut out = String::new();
    let mut gap = false;
    for (i, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            gap |= !out.is_empty();
            continue;
        }
        if !out.is_empty() && (gap || *g < 1000) {
            out.push('零');
        }
        gap = false;
        out.push_str(&group(*g));
        out.push_str(UNITS[i.min(UNITS.len() - 1)]);
    }
    out
}

/// One group below 10,000.
fn group(n: u64) -> String {
    const PLACES: [&str; 4] = ["仟", "佰", "拾", ""];
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let mut out = String::new();
    let (mut started, mut zero) = (false, false);
    for (d, place) in digits.iter().zip(PLACES) {
        if *d == 0 {
            zero |= started;
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        out.push_str(DIGITS[digit(*d)]);
        out.push_str(place);
        started = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(minor: i64) -> String {
        capital(minor, &Currency::parse("CNY").unwrap())
    }

    #[test]
    fn amounts_in_capital_numerals() {
        assert_eq!(cny(10_000_000), "人民币壹拾万元整");
        assert_eq!(cny(0), "人民币零元整");
        assert_eq!(cny(5), "人民币伍分");
        assert_eq!(cny(150), "人民币壹元伍角");
        assert_eq!(cny(100_005), "人民币壹仟元零伍分");
        assert_eq!(cny(100_100), "人民币壹仟零壹元整");
        // 87,643,160.00: 捌仟柒佰陆拾肆万叁仟壹佰陆拾元整
        assert_eq!(cny(8_764_316_000), "人民币捌仟柒佰陆拾肆万叁仟壹佰陆拾元整");
        // 100,000,001.23 has a run of zeros across the 万 group: one 零.
        assert_eq!(cny(10_000_000_123), "人民币壹亿零壹元贰角叁分");
        // 1,000,100.00: 壹佰万零壹佰元整
        assert_eq!(cny(100_010_000), "人民币壹佰万零壹佰元整");
        // 64,335,583: 陆仟肆佰叁拾叁万伍仟伍佰捌拾叁元
        assert_eq!(cny(6_433_558_383), "人民币陆仟肆佰叁拾叁万伍仟伍佰捌拾叁元捌角叁分");
        assert_eq!(capital(-2_000, &Currency::parse("USD").unwrap()), "美元负贰拾元整");
    }
}
