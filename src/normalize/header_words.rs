//! A header as a sequence of words, so that the names real systems and analysts use
//! (`customerID`, `Customer_Number`, `Cust No`, `p_due_date`, `Orig Amt`) are matched by
//! what they say rather than by an ever longer list of spellings.
//!
//! A header is split into words at separators (space, `_ - . : / ( )`, full-width forms
//! too), at camelCase humps (`customerID` → customer, ID; `IDNumber` → ID, Number), between
//! letters and digits, and between ASCII and CJK text; `#` is a word of its own. Each word
//! is lower-cased and abbreviations and synonyms become one canonical word (`cust`,
//! `client` → customer; `no`, `nr`, `num`, `number`, `#` → no; `amt` → amount; `dt` →
//! date; `doc` → document …). The words joined make the header's [`canonical`] key; a CJK
//! run is one word, so `客户 名称` and `客户名称` have the same key.
use super::value::fold_full_width_text;

/// Abbreviations and synonyms → the canonical word.
const CANONICAL: &[(&str, &str)] = &[
    ("cust", "customer"),
    ("client", "customer"),
    ("clnt", "customer"),
    ("no", "no"),
    ("nr", "no"),
    ("nbr", "no"),
    ("num", "no"),
    ("number", "no"),
    ("#", "no"),
    ("amt", "amount"),
    ("dt", "date"),
    ("doc", "document"),
    ("inv", "invoice"),
    ("orig", "original"),
    ("ref", "reference"),
    ("bal", "balance"),
    ("ccy", "currency"),
    ("cur", "currency"),
    ("curr", "currency"),
    ("pmt", "payment"),
    ("pymt", "payment"),
    ("val", "value"),
    ("tot", "total"),
    ("acct", "account"),
];

/// The words of `header`, lower-cased and made canonical (see the module docs).
#[must_use]
pub fn words(header: &str) -> Vec<String> {
    let text = fold_full_width_text(header);
    let chars: Vec<char> = text.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let kind = |c: char| {
        if c.is_ascii_digit() {
            Kind::Digit
        } else if c == '#' {
            Kind::Hash
        } else if is_cjk(c) {
            Kind::Cjk
        } else if c.is_uppercase() {
            Kind::Upper
        } else if c.is_alphanumeric() {
            Kind::Lower
        } else {
            Kind::Separator
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        let this = kind(c);
        let previous = i.checked_sub(1).map(|p| kind(chars[p]));
        let next = chars.get(i + 1).map(|&n| kind(n));
        let boundary = match (previous, this) {
            (_, Kind::Separator | Kind::Hash) | (None | Some(Kind::Hash), _) | (Some(Kind::Lower), Kind::Upper) => true,
            // The last capital of a run that starts a word: `IDNumber` → ID | Number.
            (Some(Kind::Upper), Kind::Upper) => next == Some(Kind::Lower),
            (Some(p), t) => group(p) != group(t),
        };
        if boundary && !word.is_empty() {
            words.push(canonical_word(&word));
            word.clear();
        }
        if this != Kind::Separator {
            word.extend(c.to_lowercase());
        }
    }
    if !word.is_empty() {
        words.push(canonical_word(&word));
    }
    words
}

/// The canonical key of `header`: its [`words`] joined without spaces. A lone `#` (a
/// column of line numbers) stays `#`: only after a word does it mean "number".
#[must_use]
pub fn canonical(header: &str) -> String {
    if header.trim() == "#" {
        return "#".to_owned();
    }
    words(header).concat()
}

/// The kinds of character a header is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lower,
    Upper,
    Digit,
    Hash,
    /// Chinese, Japanese or Korean script: a run of it is one word.
    Cjk,
    Separator,
}

/// Characters of one group stay in one word (case changes are handled apart).
fn group(kind: Kind) -> u8 {
    match kind {
        Kind::Lower | Kind::Upper => 0,
        Kind::Digit => 1,
        Kind::Hash => 2,
        Kind::Cjk => 3,
        Kind::Separator => 4,
    }
}

/// Han, kana and Hangul.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}' | '\u{f900}'..='\u{faff}')
}

fn canonical_word(word: &str) -> String {
    CANONICAL.iter().find(|(from, _)| *from == word).map_or_else(|| word.to_owned(), |(_, to)| (*to).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_into_canonical_words() {
        for (header, want) in [
            ("customerID", &["customer", "id"][..]),
            ("Customer_Number", &["customer", "no"]),
            ("Cust No", &["customer", "no"]),
            ("CustomerName", &["customer", "name"]),
            ("Client ID", &["customer", "id"]),
            ("IDNumber", &["id", "no"]),
            ("INVOICE_TOTAL", &["invoice", "total"]),
            ("p_due_date", &["p", "due", "date"]),
            ("pduedate", &["pduedate"]),
            ("Due Dt", &["due", "date"]),
            ("Orig Amt", &["original", "amount"]),
            ("Invoice #", &["invoice", "no"]),
            ("invoice#", &["invoice", "no"]),
            ("Amount2", &["amount", "2"]),
            ("客户 编号", &["客户", "编号"]),
            ("Ｄｏｃ．Ｎｏ．", &["document", "no"]),
            ("Outstanding value (EUR)", &["outstanding", "value", "eur"]),
            ("FälligAm", &["fällig", "am"]),
            ("客户ID", &["客户", "id"]),
        ] {
            assert_eq!(words(header), want, "{header}");
        }
        assert_eq!(canonical("客户 名称"), canonical("客户名称"));
        assert_eq!(canonical("Doc No"), canonical("DOCUMENT_NUMBER"));
        assert_eq!(canonical(" # "), "#");
    }
}
