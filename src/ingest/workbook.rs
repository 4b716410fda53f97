//! Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) through calamine.
use std::path::Path;

use calamine::{Data, DataType as _, Reader, open_workbook_auto};

use super::{Cell, RawRow, RawSheet, SourceRef};
use crate::error::{Error, Location, Result};

/// Reads the rows of sheet `sheet` (default: the first) of a workbook.
///
/// # Errors
/// [`Error::Unreadable`], [`Error::UnknownSheet`].
pub fn read(path: &Path, sheet: Option<&str>) -> Result<RawSheet> {
    let unreadable = |reason: String| Error::Unreadable { location: Location::file(path), reason };
    let mut workbook = open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Io(io) => unreadable(io.to_string()),
        other => unreadable(format!("it is not a workbook payback can open ({other}); if it was saved under another format, save it again as .xlsx")),
    })?;
    let date1904 = matches!(&workbook, calamine::Sheets::Xlsx(x) if x.has_1904_epoch());
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names.iter().find(|n| n.as_str() == wanted).cloned().ok_or_else(|| Error::UnknownSheet {
            location: Location::file(path),
            sheet: wanted.to_owned(),
            available: names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "),
        })?,
        None => names.first().cloned().ok_or_else(|| unreadable("the workbook has no sheets".into()))?,
    };
    let source = SourceRef { file: path.to_path_buf(), sheet: Some(name.clone()) };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| Error::Unreadable { location: source.location(), reason: e.to_string() })?;
    // calamine positions are 0-based and relative to the range start: convert here, once.
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let leading = usize::try_from(first_col).unwrap_or(0);
    let rows = range.rows().enumerate().map(|(i, row)| {
        let mut cells = vec![Cell::Empty; leading];
        cells.extend(row.iter().map(to_cell));
        RawRow { number: usize::try_from(first_row).unwrap_or(0) + i + 1, cells }
    });
    Ok(RawSheet { source, rows: rows.collect(), date1904 })
}

fn to_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(_) | Data::DateTimeIso(_) => {
            data.as_date().map_or_else(|| Cell::Text(data.to_string()), Cell::Date)
        }
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}
