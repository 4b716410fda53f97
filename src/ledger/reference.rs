//! Invoice numbers in a payment's reference, read as a person reads them:
//! `INV 351`, `inv351`, `发票351号`, `No.351` and `#0351` all name invoice `INV-US-0351`.
//!
//! A reference is folded (full-width to ASCII, upper case) and cut into *mentions*:
//! - a word that is an invoice number written another way (`inv-us-0351`, `INVUS0351`:
//!   the same letters and digits) — an **exact** mention;
//! - otherwise a run of digits with a marker before it — letters (`INV 351`, `inv351`,
//!   `INV-US 0351`), `#`, `No.` / `Nr` / `Ref` / `Invoice`, or a Chinese word ending in
//!   票, 号 or 码 (`发票351号`, `票号：351`) — or 号 after it. Its digits without leading
//!   zeros must be the invoice number's last run of digits, and its letters (when it has
//!   some that are not a marker word) must begin the number's letters or be one of its
//!   groups of letters (`INV` also fits a number of digits only). Digits without a marker
//!   (dates, amounts) name nothing.

/// Words before a number that only say "number": no letters of the invoice number.
const MARKER_WORDS: [&str; 8] = ["NO", "NR", "NUM", "NUMBER", "REF", "INVOICE", "INVOICENO", "BILL"];

/// An invoice number as references are compared with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NumberKey {
    /// Letters and digits, upper case: `INVUS0351`.
    pub exact: String,
    /// Every letter, upper case: `INVUS`.
    letters: String,
    /// The groups of letters: `INV`, `US`.
    groups: Vec<String>,
    /// The last run of digits without leading zeros: `351` (empty when there is none).
    pub digits: String,
}

impl NumberKey {
    /// The key of an invoice number.
    #[must_use]
    pub(crate) fn new(invoice_no: &str) -> Self {
        let folded = fold(invoice_no);
        let exact: String = folded.iter().filter(|c| c.is_alphanumeric()).collect();
        let mut groups: Vec<String> = Vec::new();
        let mut digits = String::new();
        let mut previous_letter = false;
        let mut previous_digit = false;
        for &c in &folded {
            if c.is_ascii_alphabetic() {
                if previous_letter {
                    if let Some(g) = groups.last_mut() {
                        g.push(c);
                    }
                } else {
                    groups.push(c.to_string());
                }
            } else if c.is_ascii_digit() {
                if !previous_digit {
                    digits.clear();
                }
                digits.push(c);
            }
            previous_letter = c.is_ascii_alphabetic();
            previous_digit = c.is_ascii_digit();
        }
        Self { exact, letters: groups.concat(), groups, digits: without_leading_zeros(&digits) }
    }
}

/// One way a reference names an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mention {
    /// A word that, as letters and digits, is an invoice number: `INVUS0351`.
    Exact {
        /// The word as written.
        text: String,
        /// Its letters and digits, upper case.
        key: String,
    },
    /// A number with a marker: `INV 351` (prefix `INV`), `#0351` (no prefix).
    Number {
        /// The mention as written.
        text: String,
        /// The letters before the number, unless they are a marker word.
        prefix: Option<String>,
        /// The digits without leading zeros.
        digits: String,
    },
}

impl Mention {
    /// The mention as written in the reference.
    #[must_use]
    pub(crate) fn text(&self) -> &str {
        match self {
            Self::Exact { text, .. } | Self::Number { text, .. } => text,
        }
    }

    /// Whether the invoice numbered `key` fits this mention.
    #[must_use]
    pub(crate) fn fits(&self, key: &NumberKey) -> bool {
        match self {
            Self::Exact { key: exact, .. } => *exact == key.exact,
            Self::Number { prefix, digits, .. } => {
                !key.digits.is_empty()
                    && key.digits == *digits
                    && prefix.as_ref().is_none_or(|p| {
                        key.letters.starts_with(p.as_str())
                            || key.groups.contains(p)
                            // `INV 7900770` for a number of digits only, `0007900770`.
                            || (key.letters.is_empty() && p == "INV")
                    })
            }
        }
    }
}

/// The mentions of a reference, in order. `is_invoice` says whether a word's letters and
/// digits (upper case) are an invoice number; the numbers inside such a word are not
/// mentions of their own.
#[must_use]
pub(crate) fn mentions(reference: &str, is_invoice: impl Fn(&str) -> bool) -> Vec<Mention> {
    let original: Vec<char> = reference.chars().collect();
    let chars = fold(reference);
    let text = |from: usize, to: usize| original[from..to].iter().collect::<String>();
    let mut out = Vec::new();
    let mut covered = vec![false; chars.len()];
    // Words: letters, digits and the separators invoice numbers are written with.
    let mut i = 0;
    while i < chars.len() {
        if !is_word(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_word(chars[i]) {
            i += 1;
        }
        let mut end = i;
        while end > start && !chars[end - 1].is_alphanumeric() {
            end -= 1;
        }
        let key: String = chars[start..end].iter().filter(|c| c.is_alphanumeric()).collect();
        if key.chars().any(|c| c.is_ascii_digit()) && is_invoice(&key) {
            covered[start..end].fill(true);
            out.push(Mention::Exact { text: text(start, end), key });
        }
    }
    // Numbers with a marker.
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if covered[start] {
            continue;
        }
        let followed = chars.get(i).is_some_and(|c| *c == '号');
        let (from, marked, prefix) = marker_before(&chars, start);
        if marked || followed {
            let digits: String = chars[start..i].iter().collect();
            out.push(Mention::Number { text: text(from, i), prefix, digits: without_leading_zeros(&digits) });
        }
    }
    out
}

/// What stands before the digits at `start`: where the mention begins, whether there is a
/// marker, and the letters that are part of the number.
fn marker_before(chars: &[char], start: usize) -> (usize, bool, Option<String>) {
    let mut j = start;
    while j > 0 && matches!(chars[j - 1], ' ' | '.' | ':' | '-' | '_' | '/' | '：') {
        j -= 1;
    }
    let Some(&before) = j.checked_sub(1).and_then(|k| chars.get(k)) else { return (start, false, None) };
    if matches!(before, '#' | '№') {
        return (j - 1, true, None);
    }
    if matches!(before, '票' | '号' | '码') {
        return (j - 1, true, None);
    }
    if !before.is_ascii_alphabetic() {
        return (start, false, None);
    }
    // Letters, and groups of letters joined to them by - or _ (`INV-US 0351`).
    let mut groups: Vec<String> = Vec::new();
    let mut k = j;
    loop {
        let end = k;
        while k > 0 && chars[k - 1].is_ascii_alphabetic() {
            k -= 1;
        }
        groups.insert(0, chars[k..end].iter().collect());
        if k >= 2 && matches!(chars[k - 1], '-' | '_') && chars[k - 2].is_ascii_alphabetic() {
            k -= 1;
        } else {
            break;
        }
    }
    let letters = groups.concat();
    if MARKER_WORDS.contains(&letters.as_str()) {
        return (k, true, None);
    }
    (k, true, Some(letters))
}

/// Characters of words that may be invoice numbers.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '/' | '_' | '.')
}

/// Full-width folded and ASCII upper case, one char for one char.
fn fold(text: &str) -> Vec<char> {
    crate::normalize::value::fold_full_width_text(text).chars().map(|c| c.to_ascii_uppercase()).collect()
}

fn without_leading_zeros(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() && !digits.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits(reference: &str, invoice_no: &str) -> bool {
        let key = NumberKey::new(invoice_no);
        mentions(reference, |k| k == key.exact).iter().any(|m| m.fits(&key))
    }

    #[test]
    fn every_way_of_writing_351() {
        for reference in
            ["INV 351", "inv351", "发票351号", "No.351", "#0351", "Payment INV-US-0351", "invus 351", "US 351"]
        {
            assert!(fits(reference, "INV-US-0351"), "{reference}");
        }
    }

    #[test]
    fn numbers_without_a_marker_or_with_other_letters_name_nothing() {
        for reference in ["351", "2026-03-51 payment", "paid 351.00", "PO 351", "INV 3510", "INV 35"] {
            assert!(!fits(reference, "INV-US-0351"), "{reference}");
        }
        assert!(fits("Inv 7900770", "0007900770"));
        assert!(!fits("PO 7900770", "0007900770"));
    }

    #[test]
    fn a_word_that_is_an_invoice_number_is_one_mention() {
        let key = NumberKey::new("INV-2026-0351");
        let found = mentions("for inv-2026-0351 thanks", |k| k == key.exact);
        assert_eq!(found, [Mention::Exact { text: "inv-2026-0351".into(), key: "INV20260351".into() }]);
        let found = mentions("发票号：0351", |_| false);
        assert_eq!(found, [Mention::Number { text: "号：0351".into(), prefix: None, digits: "351".into() }]);
    }

    #[test]
    fn keys() {
        let key = NumberKey::new("ｉｎｖ-us-0351");
        assert_eq!((key.exact.as_str(), key.digits.as_str()), ("INVUS0351", "351"));
        assert_eq!(NumberKey::new("A-2").digits, "2");
        assert_eq!(NumberKey::new("INV-000").digits, "0");
    }
}
