//! Exact money: amounts are integer minor units (cents, fen) of a [`Currency`].
//! Sums are exact integer sums; text and Excel numbers are produced only at the edges.
use rust_decimal::Decimal;

/// An ISO 4217 currency and its number of decimal places.
///
/// The code is held inline (three ASCII capitals): no allocation per invoice, of which a
/// run may hold millions. Ordered and hashed as its code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
}

/// The largest amount (in major units, either sign) that payback computes from other
/// figures, e.g. a milestone's percent of its contract amount: a thousand trillion, whose
/// minor units fit an `i64` in every currency (at most 3 decimal places).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Codes whose minor unit is not 2 decimal places.
const ZERO_DECIMALS: &[&str] = &["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG"];
const THREE_DECIMALS: &[&str] = &["BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"];

/// Names and synonyms seen in exports that stand for a code.
const SYNONYMS: &[(&str, &str)] = &[
    ("RMB", "CNY"),
    ("人民币", "CNY"),
    ("元", "CNY"),
    ("美元", "USD"),
    ("欧元", "EUR"),
    ("英镑", "GBP"),
    ("日元", "JPY"),
    ("港币", "HKD"),
    ("港元", "HKD"),
];

/// The ISO 4217 codes of currencies in use (funds and metals left out, but the CFA and
/// CFP francs and the East Caribbean dollar kept), sorted for a binary search.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

impl Currency {
    /// As [`Currency::parse`], but only a currency in use (ISO 4217): for the currency a
    /// user names once for a whole file (`--currency`), where a typo must not pass.
    #[must_use]
    pub fn parse_known(text: &str) -> Option<Self> {
        Self::parse(text).filter(|c| ISO_4217.binary_search(&c.code()).is_ok())
    }

    /// Reads a currency code (`cny`, `USD`) or a common name (`RMB`, `人民币`, `美元`).
    /// Returns `None` for anything that is not three ASCII letters or a known name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some((_, code)) = SYNONYMS.iter().find(|(name, _)| name.eq_ignore_ascii_case(text)) {
            return Self::from_code(code);
        }
        if !text.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        Self::from_code(&text.to_ascii_uppercase())
    }

    /// Three ASCII letters (already upper case) as a currency.
    fn from_code(code: &str) -> Option<Self> {
        let code: [u8; 3] = code.as_bytes().try_into().ok()?;
        Some(Self { code })
    }

    /// The ISO code, e.g. `CNY`.
    #[must_use]
    pub fn code(&self) -> &str {
        // Three ASCII letters: always UTF-8.
        std::str::from_utf8(&self.code).unwrap_or_default()
    }

    /// Decimal places of the minor unit (2 for CNY, 0 for JPY).
    #[must_use]
    pub fn exponent(&self) -> u32 {
        let code = self.code();
        if ZERO_DECIMALS.contains(&code) {
            0
        } else if THREE_DECIMALS.contains(&code) {
            3
        } else {
            2
        }
    }

    /// The symbol used in number formats, when one is unambiguous enough for a report.
    #[must_use]
    pub fn symbol(&self) -> Option<&'static str> {
        Some(match self.code() {
            "CNY" => "¥",
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "JP¥",
            "HKD" => "HK$",
            _ => return None,
        })
    }

    /// Converts an exact amount to minor units.
    ///
    /// # Errors
    /// A sentence when the amount has more decimal places than the currency allows or
    /// does not fit.
    pub fn to_minor(&self, amount: Decimal) -> Result<i64, String> {
        let exp = self.exponent();
        let scaled = amount.round_dp(exp);
        if scaled != amount {
            return Err(format!("{amount} has more than {exp} decimal places for {}", self.code()));
        }
        let mut minor = scaled;
        minor.rescale(exp);
        i64::try_from(minor.mantissa()).map_err(|_| format!("{amount} is too large"))
    }

    /// The exact decimal value of `minor` units, e.g. `123456` → `1234.56`.
    #[must_use]
    pub fn decimal(&self, minor: i64) -> Decimal {
        Decimal::new(minor, self.exponent())
    }

    /// Decimal text of `minor` units with all decimal places, e.g. `-0.50`.
    #[must_use]
    pub fn format(&self, minor: i64) -> String {
        self.decimal(minor).to_string()
    }

    /// The value for an Excel number cell. Excel stores doubles; this is the only place
    /// money becomes a float, after every sum has been done exactly.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn excel_value(&self, minor: i64) -> f64 {
        minor as f64 / 10f64.powi(self.exponent().cast_signed())
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn cny() -> Currency {
        Currency::parse("cny").unwrap()
    }

    #[test]
    fn parses_codes_and_names() {
        assert_eq!(cny().code(), "CNY");
        assert_eq!(Currency::parse("人民币").unwrap().code(), "CNY");
        assert_eq!(Currency::parse("rmb").unwrap().code(), "CNY");
        assert_eq!(Currency::parse(" usd ").unwrap().code(), "USD");
        assert!(Currency::parse("US$").is_none());
        assert!(Currency::parse("").is_none());
    }

    #[test]
    fn minor_units_are_exact() {
        assert_eq!(cny().to_minor(Decimal::from_str("1234.5").unwrap()), Ok(123_450));
        assert_eq!(cny().to_minor(Decimal::from_str("-0.01").unwrap()), Ok(-1));
        assert!(cny().to_minor(Decimal::from_str("1.005").unwrap()).is_err());
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(jpy.to_minor(Decimal::from_str("1500").unwrap()), Ok(1500));
        assert_eq!(jpy.format(1500), "1500");
        assert_eq!(cny().format(-50), "-0.50");
        assert_eq!(cny().format(123_456), "1234.56");
    }
}
