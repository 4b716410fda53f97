//! Ingest: a spreadsheet file in, a [`RawTable`] of untyped cells out.
//! Nothing here interprets values; it only finds the header row and keeps every data row
//! with the row number the user sees.
pub mod cell;
pub mod csv;
pub mod header;
pub mod limits;
pub mod source;
pub mod workbook;

use std::path::Path;

pub use cell::Cell;
pub use header::{SkipReason, Skipped};
pub use limits::Limits;
pub use source::{RawRow, RawSheet, RawTable, SourceRef};

use crate::error::{Error, Location, Result};

/// Reads the table of `path`: a CSV file, or the sheet `sheet` (default: the first) of a
/// workbook. `is_known` tells whether a cell text is a column name payback knows, to find
/// the header row below any title lines.
///
/// # Errors
/// [`Error::Unreadable`] for a missing or malformed file or an unsupported extension,
/// [`Error::UnknownSheet`], [`Error::NoHeader`].
pub fn read_table(
    path: &Path,
    sheet: Option<&str>,
    encoding: Option<&str>,
    limits: &Limits,
    is_known: &dyn Fn(&str) -> bool,
) -> Result<RawTable> {
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let sheet = match extension.as_str() {
        "csv" | "txt" | "tsv" => csv::read(path, encoding, limits)?,
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => workbook::read(path, sheet, limits)?,
        other => Err(Error::Unreadable {
            location: Location::file(path),
            reason: format!(
                "unsupported file type \"{other}\"; payback reads .csv, .xlsx, .xlsm, .xlsb, .xls and .ods"
            ),
        })?,
    };
    header::split(sheet, is_known)
}

/// Spreadsheet column letters for a 0-based index: 0 → A, 26 → AA.
#[must_use]
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
