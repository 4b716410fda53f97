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
            Self::Text(t) => t.trim().is_empty(),
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
