//! Lines below the header that are not invoices: subtotal and total lines, the header
//! repeated (page breaks), and group headings (a customer or aging-range name alone on a
//! line). They are skipped with their reason, never silently.
use super::schema::header_key;
use crate::ingest::{Cell, RawRow, SkipReason};

/// Words that open a subtotal or total line, after lower-casing and trimming.
const TOTAL_WORDS: &[&str] = &[
    "total",
    "grand total",
    "subtotal",
    "sub-total",
    "sub total",
    "合计",
    "小计",
    "总计",
    "共计",
    "合計",
    "小計",
    "總計",
];

/// Whether a cell text labels a subtotal or total: a total word at its start or its end,
/// as a word of its own ("Total for ACME", "Subtotal - ACME", "ACME Total", "Grand total:",
/// "合计：", "上海恒通物流有限公司 小计"). "Totally Fresh Foods" or "ACME Total Care" are
/// names.
#[must_use]
pub fn is_total_label(text: &str) -> bool {
    let text = text.trim();
    starts_with_total_word(text) || ends_with_total_word(text)
}

fn starts_with_total_word(text: &str) -> bool {
    // Every total word starts with one of these (after lower-casing): most cells are
    // refused here without a lower-cased copy (a million-row export has millions of cells).
    let first = text.chars().next().and_then(|c| c.to_lowercase().next());
    if !first.is_some_and(|c| matches!(c, 't' | 'g' | 's' | '合' | '小' | '总' | '共' | '總')) {
        return false;
    }
    let text = text.to_lowercase();
    TOTAL_WORDS.iter().any(|w| {
        text.strip_prefix(w).is_some_and(|rest| rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
    })
}

/// A total word at the end, after a space or punctuation for the English words (any
/// character for the Chinese ones, which are written without spaces); a colon after it
/// is allowed.
fn ends_with_total_word(text: &str) -> bool {
    let text = text.trim_end_matches([':', '：', '.', ' ']);
    // Every total word ends with one of these: most cells are refused without a copy.
    let last = text.chars().next_back().and_then(|c| c.to_lowercase().next());
    if !last.is_some_and(|c| matches!(c, 'l' | '计' | '計')) {
        return false;
    }
    let text = text.to_lowercase();
    TOTAL_WORDS.iter().any(|w| {
        text.strip_suffix(w)
            .is_some_and(|rest| !w.is_ascii() || rest.is_empty() || !rest.ends_with(|c: char| c.is_alphanumeric()))
    })
}

/// The name in a total label that may as well be a company's name: `Total Energies`,
/// `Total Wine`, `ACME Total` — the English word "total" and a name beside it, nothing
/// else (no `for`, no `-` or `:`, no other total word). Such a line is a subtotal only
/// in a context that makes it one: the name is the customer of the rows above
/// it or their heading, or its figures are their sums. Returned lower-cased and trimmed;
/// `None` for every other label ("Total", "Total for ACME", "Subtotal - ACME", "合计").
#[must_use]
pub fn named_total(label: &str) -> Option<String> {
    let text = label.trim();
    let lower = text.to_lowercase();
    let name = lower.strip_prefix("total ").or_else(|| lower.strip_suffix(" total"))?.trim();
    let first_word = name.split_whitespace().next().unwrap_or_default();
    let is_name = name.chars().next().is_some_and(char::is_alphabetic)
        && !["for", "of", "due", "amount", "balance", "open", "outstanding", "overdue", "sum", "all", "grand"]
            .contains(&first_word)
        && !name.contains([':', '：', '-', '–', '(', ')'])
        && !is_total_label(name);
    is_name.then(|| name.to_owned())
}

/// Whether a subtotal line's text says it is the grand total (checked against every line
/// above it, not only those since the previous subtotal).
#[must_use]
pub fn is_grand_total(text: &str) -> bool {
    let text = text.to_lowercase();
    ["grand", "总计", "總計"].iter().any(|w| text.contains(w))
}

/// The columns [`classify`] looks at: the invoice number and the dates.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineColumns {
    /// The invoice-number column.
    pub invoice_no: Option<usize>,
    /// The invoice-date and due-date columns.
    pub dates: [Option<usize>; 2],
}

/// What a non-blank line below the header is, when it is not an invoice row.
///
/// A line is a subtotal when a cell is a total label, the invoice-number cell is blank (or
/// is that label) and the date cells are blank: "Total Energies" with an invoice number or
/// with an invoice date stays an invoice row (one without a number is rejected, not
/// swallowed). A group heading has one filled text cell and no invoice number.
#[must_use]
pub fn classify(row: &RawRow, header_keys: &[String], columns: LineColumns) -> Option<SkipReason> {
    if is_repeated_header(row, header_keys) {
        return Some(SkipReason::RepeatedHeader);
    }
    let invoice_cell = columns.invoice_no.and_then(|i| row.cells.get(i)).filter(|c| !c.is_blank());
    let is_label = |c: &Cell| matches!(c, Cell::Text(t) if is_total_label(t));
    // Nearly every row: an invoice number that is not a total label. Such a row is no
    // subtotal, group heading or unlabelled total, whatever its other cells hold: they are
    // not listed or checked for labels.
    if invoice_cell.is_some_and(|c| !is_label(c)) {
        return None;
    }
    let filled: Vec<&Cell> = row.cells.iter().filter(|c| !c.is_blank()).collect();
    let labelled = filled.iter().any(|c| is_label(c));
    // A date cell that holds the label itself (Xero writes "Total Basket Case" in the Date
    // column) is no date.
    let dated =
        columns.dates.iter().flatten().any(|&i| row.cells.get(i).is_some_and(|c| !c.is_blank() && !is_label(c)));
    if labelled && invoice_cell.is_none_or(is_label) && !dated {
        return Some(SkipReason::Subtotal);
    }
    // A line of figures with no text at all and no invoice number: an unlabelled total
    // (Odoo and spreadsheet exports add one under the columns they sum).
    if invoice_cell.is_none()
        && !filled.is_empty()
        && filled.iter().all(|c| matches!(c, Cell::Int(_) | Cell::Float(_)) || is_number_text(c))
    {
        return Some(SkipReason::Subtotal);
    }
    if invoice_cell.is_none() && filled.len() == 1 && matches!(filled[0], Cell::Text(_)) {
        return Some(SkipReason::GroupHeading);
    }
    None
}

/// The header repeated (a page break in a printed export): at least two filled cells, and
/// at least half of them, read as their column's header.
fn is_repeated_header(row: &RawRow, header_keys: &[String]) -> bool {
    let (mut filled, mut repeats) = (0, 0);
    for (i, cell) in row.cells.iter().enumerate().filter(|(_, c)| !c.is_blank()) {
        filled += 1;
        repeats += usize::from(header_keys.get(i).is_some_and(|k| !k.is_empty() && has_header_key(cell, k)));
    }
    repeats >= 2 && repeats * 2 >= filled
}

/// Whether `header_key` of the cell's text is `key`, compared as it is made (no copy for
/// text cells).
fn has_header_key(cell: &Cell, key: &str) -> bool {
    match cell {
        Cell::Text(text) => {
            // Most cells differ from the key at their first letter or digit (which the key
            // keeps, lower-cased): told without going through their characters.
            if let (Some(first), Some(wanted)) = (text.bytes().next(), key.bytes().next())
                && first.is_ascii_alphanumeric()
                && wanted.is_ascii()
                && first.to_ascii_lowercase() != wanted
            {
                return false;
            }
            let mut made = text
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | ':' | '：'))
                .flat_map(char::to_lowercase);
            let mut wanted = key.chars();
            loop {
                match (made.next(), wanted.next()) {
                    (None, None) => return true,
                    (Some(a), Some(b)) if a == b => {}
                    _ => return false,
                }
            }
        }
        other => header_key(&other.to_text()) == key,
    }
}

/// Text that is only a number as exports write it: digits, grouping, sign, parentheses.
fn is_number_text(cell: &Cell) -> bool {
    matches!(cell, Cell::Text(t) if {
        let t = t.trim();
        !t.is_empty() && t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_ascii_digit() || ",.-+() ".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> RawRow {
        RawRow {
            number: 9,
            cells: cells.iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).into()) }).collect(),
        }
    }

    #[test]
    fn a_total_label_that_may_be_a_name_is_told_apart() {
        assert_eq!(named_total("Total Energies").as_deref(), Some("energies"));
        assert_eq!(named_total(" ACME Corp Total ").as_deref(), Some("acme corp"));
        for label in
            ["Total", "Total:", "Total for ACME", "Total - ACME", "Subtotal ACME", "Grand total", "合计", "Total due"]
        {
            assert_eq!(named_total(label), None, "{label}");
        }
    }

    fn cols() -> LineColumns {
        LineColumns { invoice_no: Some(1), dates: [None, None] }
    }

    fn keys() -> Vec<String> {
        ["Customer", "Invoice No", "Amount"].iter().map(|h| header_key(h)).collect()
    }

    #[test]
    fn header_key_compared_in_place_as_made() {
        let texts = [
            "Invoice No",
            "invoice_no",
            "INVOICE-NO.",
            "Invoice No 2",
            " invoice no",
            "_Invoice No",
            "Xinvoice no",
            "9invoiceno",
            "发票 号码",
            "ＩＮＶ",
            "",
            "  ",
        ];
        for text in texts {
            for key in ["invoiceno", "发票号码", "ｉｎｖ", "", "invoicen"] {
                let cell = Cell::Text(text.into());
                assert_eq!(has_header_key(&cell, key), header_key(text) == key, "{text:?} {key:?}");
            }
        }
    }

    #[test]
    fn total_labels() {
        for t in [
            "Total",
            "TOTAL ACME",
            "Total for ACME Corp",
            "Grand Total",
            "Sub-total:",
            "合计",
            "小计：华为",
            "總計",
            "上海恒通物流有限公司 小计",
            "上海恒通物流有限公司小计",
            "Subtotal - ACME",
            "ACME Total",
            "ACME Corp total:",
            "ACME-Subtotal",
            "Total ACME",
            "合计：",
            "总计",
            "Grand total:",
        ] {
            assert!(is_total_label(t), "{t}");
        }
        for t in ["Totally Fresh Foods", "Totalenergies", "ACME Total Care", "", "Coastal", "ACMETotal", "Metal"] {
            assert!(!is_total_label(t), "{t}");
        }
    }

    #[test]
    fn grand_totals_are_told_from_subtotals() {
        assert!(is_grand_total("Grand total: | 1,000.00"));
        assert!(is_grand_total("总计 | 1,000.00"));
        assert!(!is_grand_total("Total for ACME | 1,000.00"));
        assert!(!is_grand_total("合计 | 1,000.00"));
    }

    #[test]
    fn a_total_word_with_a_date_is_an_invoice_row() {
        let columns = LineColumns { invoice_no: Some(1), dates: [Some(2), None] };
        let keys: Vec<String> = ["Customer", "Invoice No", "Date", "Amount"].iter().map(|h| header_key(h)).collect();
        // "Total Energies" without an invoice number but with a date: a row to reject.
        assert_eq!(classify(&row(&["Total Energies", "", "2026-05-01", "5"]), &keys, columns), None);
        assert_eq!(classify(&row(&["Total Energies", "", "", "5"]), &keys, columns), Some(SkipReason::Subtotal));
        assert_eq!(classify(&row(&["ACME Total", "", "", "5"]), &keys, columns), Some(SkipReason::Subtotal));
        assert_eq!(classify(&row(&["", "ACME 小计", "", "5"]), &keys, columns), Some(SkipReason::Subtotal));
        // The label in the date column (Xero) is no date.
        assert_eq!(classify(&row(&["", "", "Total Basket Case", "5"]), &keys, columns), Some(SkipReason::Subtotal));
    }

    #[test]
    fn lines_are_told_apart() {
        assert_eq!(classify(&row(&["Total for ACME", "", "1,000.00"]), &keys(), cols()), Some(SkipReason::Subtotal));
        assert_eq!(classify(&row(&["", "合计", "1,000.00"]), &keys(), cols()), Some(SkipReason::Subtotal));
        assert_eq!(classify(&row(&["Total Energies", "INV-1", "5"]), &keys(), cols()), None);
        assert_eq!(
            classify(&row(&["customer", "INVOICE NO", "Amount"]), &keys(), cols()),
            Some(SkipReason::RepeatedHeader)
        );
        assert_eq!(classify(&row(&["ACME Corp", "", ""]), &keys(), cols()), Some(SkipReason::GroupHeading));
        assert_eq!(classify(&row(&["ACME Corp", "", "5"]), &keys(), cols()), None);
        assert_eq!(classify(&row(&["", "", "16,825.00"]), &keys(), cols()), Some(SkipReason::Subtotal));
        // An invoice number that is itself a total label: the line is a subtotal.
        assert_eq!(classify(&row(&["ACME Corp", "Total", "1,000.00"]), &keys(), cols()), Some(SkipReason::Subtotal));
        // The header repeated with its cells padded or cased otherwise.
        assert_eq!(
            classify(&row(&[" Customer ", "Invoice_No", "9"]), &keys(), cols()),
            Some(SkipReason::RepeatedHeader)
        );
        assert_eq!(classify(&row(&["ACME Corp", "Invoice No", "Amount 2"]), &keys(), cols()), None);
    }
}
