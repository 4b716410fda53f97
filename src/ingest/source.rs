//! Where rows come from ([`SourceRef`]) and the raw table ingest hands to normalize.
use std::path::PathBuf;

use super::Cell;
use crate::error::Location;

/// An input file and, for workbooks, the sheet read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// The file as named on the command line.
    pub file: PathBuf,
    /// The worksheet, for workbooks.
    pub sheet: Option<String>,
}

impl SourceRef {
    /// The location of the whole source, for errors.
    #[must_use]
    pub fn location(&self) -> Location {
        Location::file(&self.file).with_sheet(self.sheet.clone())
    }

    /// `file` or `file (sheet)`, for report headers.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("{} (sheet \"{sheet}\")", self.file.display()),
            None => self.file.display().to_string(),
        }
    }
}

/// One data row with its 1-based row number in the file or sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// Row number as shown by Excel (line number for CSV).
    pub number: usize,
    /// The cells, in source column order; may be shorter than the header.
    pub cells: Vec<Cell>,
}

/// All rows of one sheet (or CSV file), before the header is found.
#[derive(Debug, Clone)]
pub(crate) struct RawSheet {
    /// Where it came from.
    pub source: SourceRef,
    /// Every row, blank ones included.
    pub rows: Vec<RawRow>,
    /// Whether date serial numbers count from 1904 (a workbook setting).
    pub date1904: bool,
}

/// The header of a table and what surrounds it, before the data rows.
#[derive(Debug, Clone)]
pub struct TableHead {
    /// Where it came from.
    pub source: SourceRef,
    /// Header texts, trimmed; empty headers are named `Column X`.
    pub headers: Vec<String>,
    /// 1-based row number of the header.
    pub header_row: usize,
    /// Lines that are not data: title lines above the header, blank lines.
    pub skipped: Vec<super::Skipped>,
    /// Whether date serial numbers count from 1904.
    pub date1904: bool,
}

/// A table read from a source: its header and the data rows below it.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The header, where the table came from and the lines that are not data.
    pub head: TableHead,
    /// Non-blank rows below the header.
    pub rows: Vec<RawRow>,
}

impl RawTable {
    /// The cell of `row` in column `index`, `Empty` when the row is short.
    #[must_use]
    pub fn cell(row: &RawRow, index: usize) -> &Cell {
        row.cells.get(index).unwrap_or(&Cell::Empty)
    }
}
