//! Ingest: a spreadsheet file in, a [`RawTable`] of untyped cells out.
//! Nothing here interprets values; it only finds the header row and keeps every data row
//! with the row number the user sees.
pub(crate) mod cell;
pub(crate) mod container;
pub(crate) mod csv;
pub(crate) mod header;
pub(crate) mod limits;
pub(crate) mod merged;
pub(crate) mod source;
pub(crate) mod stream;
pub(crate) mod workbook;

use std::path::Path;

pub(crate) use cell::Cell;
pub(crate) use header::{SkipReason, Skipped};
pub(crate) use limits::Limits;
pub(crate) use source::{RawRow, RawSheet, RawTable, SourceRef, TableHead};
pub(crate) use stream::DataRows;

use crate::error::{Error, Location, Result};

/// Reads the table of `path`: a CSV file, or the sheet `sheet` (default: the first) of a
/// workbook. `is_known` tells whether a cell text is a column name payback knows, to find
/// the header row below any title lines.
///
/// # Errors
/// [`Error::Unreadable`] for a missing or malformed file or an unsupported extension,
/// [`Error::UnknownSheet`], [`Error::NoHeader`].
pub(crate) fn read_table(
    path: &Path,
    sheet: Option<&str>,
    encoding: Option<&str>,
    limits: &Limits,
    is_known: &dyn Fn(&str) -> bool,
) -> Result<RawTable> {
    let sheet = stream::collect(|sink| read_rows(path, sheet, encoding, limits, sink))?;
    header::split(sheet, is_known)
}

/// As [`read_table`], but the rows are read on a thread of their own while `consume` uses
/// them: it gets the header and the data rows below it in chunks, as they are read. Only
/// a few chunks of untyped cells are held at a time.
///
/// # Errors
/// As [`read_table`] (errors in late rows come from [`DataRows::next_chunk`]), and those
/// of `consume`.
pub(crate) fn with_table<T>(
    path: &Path,
    sheet: Option<&str>,
    encoding: Option<&str>,
    limits: &Limits,
    is_known: &dyn Fn(&str) -> bool,
    consume: impl FnOnce(TableHead, &mut DataRows) -> Result<T>,
) -> Result<T> {
    stream::with_table(|sink| read_rows(path, sheet, encoding, limits, sink), is_known, consume)
}

/// Reads the rows of a CSV file or a workbook's sheet into `sink`.
fn read_rows(
    path: &Path,
    sheet: Option<&str>,
    encoding: Option<&str>,
    limits: &Limits,
    sink: &mut dyn stream::RowSink,
) -> Result<()> {
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    match extension.as_str() {
        "csv" | "txt" | "tsv" => csv::read_into(path, encoding, limits, sink),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => workbook::read_into(path, sheet, limits, sink),
        other => Err(Error::Unreadable {
            location: Location::file(path),
            reason: format!(
                "unsupported file type \"{other}\"; payback reads .csv, .xlsx, .xlsm, .xlsb, .xls and .ods"
            ),
        }),
    }
}

/// Spreadsheet column letters for a 0-based index: 0 → A, 26 → AA.
#[must_use]
pub(crate) fn column_letter(index: usize) -> String {
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
