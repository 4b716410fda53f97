//! One untyped spreadsheet cell, the same for CSV text and workbook cells.
use chrono::NaiveDate;

/// A cell as read, before any interpretation.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Empty,
    /// Text (all CSV cells are text).
    Text(String),
    /// A whole number cell.
    Int(i64),
    /// A floating-point number cell (Excel stores numbers as doubles).
    Float(f64),
    /// A cell formatted as a date or date-time (time of day dropped).
    Date(NaiveDate),
    /// TRUE / FALSE.
    Bool(bool),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// True for empty cells and text that is only whitespace.
    #[must_use]
    pub fn is_blank(&self) -> bool {
        match self {
            Self::Empty => true,
            // Most cells start with an ASCII character that is not whitespace.
            Self::Text(t) => !t.bytes().next().is_some_and(is_solid) && t.trim_start().is_empty(),
            _ => false,
        }
    }

    /// The cell as the user would read it, for reports of rejected rows.
    #[must_use]
    pub fn to_text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(t) => t.clone(),
            Self::Int(i) => i.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Date(d) => d.format("%Y-%m-%d").to_string(),
            Self::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
            Self::Error(e) => e.clone(),
        }
    }
}

/// Whether `text` starts and ends with an ASCII character that is not whitespace, so that
/// no trimming (of Unicode whitespace, a byte-order mark or full-width spaces, which are
/// not ASCII) can change it: true of most cells of an export, which are then taken as they
/// are without looking at their characters.
#[must_use]
pub(crate) fn needs_no_trim(text: &str) -> bool {
    let bytes = text.as_bytes();
    matches!((bytes.first(), bytes.last()), (Some(&first), Some(&last)) if is_solid(first) && is_solid(last))
}

/// An ASCII character that `char::is_whitespace` does not take (it takes tab to carriage
/// return and space).
fn is_solid(b: u8) -> bool {
    b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_needs_no_trim_only_when_trimming_would_not_change_it() {
        for b in 0u8..=0x7f {
            let c = char::from(b);
            let text = format!("{c}x{c}");
            assert_eq!(needs_no_trim(&text), !c.is_whitespace(), "{b:#04x}");
        }
        for text in ["ACME", "a", "INV-1", "1,000.00"] {
            assert!(needs_no_trim(text), "{text}");
            assert_eq!(text.trim(), text);
        }
        for text in ["", " ACME", "ACME ", "\u{feff}ACME", "ACME\u{3000}", "\u{a0}1", "成都能源", "ACME 公司"] {
            assert!(!needs_no_trim(text), "{text:?}");
        }
    }

    #[test]
    fn blank_cells_are_empty_or_only_whitespace() {
        for text in ["", " ", "\t\r\n", "\u{3000}\u{a0}"] {
            assert!(Cell::Text(text.into()).is_blank(), "{text:?}");
        }
        for text in ["x", " x ", "\u{3000}合计"] {
            assert!(!Cell::Text(text.into()).is_blank(), "{text:?}");
        }
        assert!(Cell::Empty.is_blank());
        assert!(!Cell::Int(0).is_blank());
    }
}
