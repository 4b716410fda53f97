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
    let merged = match &mut workbook {
        calamine::Sheets::Xlsx(x) => x
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| Error::Unreadable { location: source.location(), reason: e.to_string() })?,
        _ => Vec::new(),
    };
    let first_row = usize::try_from(first_row).unwrap_or(0);
    let mut rows: Vec<RawRow> = range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![Cell::Empty; leading];
            cells.extend(row.iter().map(to_cell));
            RawRow { number: first_row + i + 1, cells }
        })
        .collect();
    fill_merged(&mut rows, first_row, &merged);
    Ok(RawSheet { source, rows, date1904 })
}

/// Copies the value of each merged region's top-left cell into the region's other cells,
/// as the user sees it: a customer name merged down over its invoices belongs to each.
fn fill_merged(rows: &mut [RawRow], first_row: usize, merged: &[calamine::Dimensions]) {
    let index = |r: u32| usize::try_from(r).ok().and_then(|r| r.checked_sub(first_row));
    for region in merged {
        let (Some(top), Some(bottom)) = (index(region.start.0), index(region.end.0)) else { continue };
        let Ok(left) = usize::try_from(region.start.1) else { continue };
        let Ok(right) = usize::try_from(region.end.1) else { continue };
        let Some(value) = rows.get(top).and_then(|r| r.cells.get(left)).cloned() else { continue };
        for row in rows.iter_mut().take(bottom + 1).skip(top) {
            if row.cells.len() <= right {
                row.cells.resize(right + 1, Cell::Empty);
            }
            for cell in &mut row.cells[left..=right] {
                if cell.is_blank() {
                    *cell = value.clone();
                }
            }
        }
    }
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
