//! CSV files: UTF-8 text (a byte-order mark is skipped); every cell is text.
use std::path::Path;

use super::{Cell, RawRow, RawSheet, SourceRef};
use crate::error::{Error, Location, Result};

/// Reads a CSV file's records with their line numbers. Blank lines (which the CSV reader
/// passes over) come back as empty rows, so that they are counted like a sheet's.
///
/// # Errors
/// [`Error::Unreadable`] when the file is missing, not UTF-8 or malformed.
pub fn read(path: &Path) -> Result<RawSheet> {
    let source = SourceRef { file: path.to_path_buf(), sheet: None };
    let unreadable = |row: Option<usize>, reason: String| Error::Unreadable {
        location: Location { row, ..Location::file(path) },
        reason,
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| unreadable(None, io_reason(&e)))?;
    let mut rows = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    let mut next_line = 1;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().and_then(|p| usize::try_from(p.line()).ok());
                return Err(unreadable(line, io_reason(&e)));
            }
        }
        let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        for blank in next_line..line {
            rows.push(RawRow { number: blank, cells: Vec::new() });
        }
        // A quoted field may span lines: the next record starts after them.
        next_line = line + 1 + record.iter().map(|f| f.iter().filter(|b| **b == b'\n').count()).sum::<usize>();
        let mut cells = Vec::with_capacity(record.len());
        for field in &record {
            let text = std::str::from_utf8(field).map_err(|_| {
                unreadable(Some(line), "the text is not UTF-8; save the export as \"CSV UTF-8\"".to_owned())
            })?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            cells.push(if text.is_empty() { Cell::Empty } else { Cell::Text(text.to_owned()) });
        }
        rows.push(RawRow { number: line, cells });
    }
    Ok(RawSheet { source, rows, date1904: false })
}

fn io_reason(err: &::csv::Error) -> String {
    match err.kind() {
        ::csv::ErrorKind::Io(io) => io.to_string(),
        _ => err.to_string(),
    }
}
