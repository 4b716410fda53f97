//! Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) through calamine. `.xlsx`/`.xlsm` sheets are
//! streamed cell by cell (no dense grid is built from the sheet's declared dimensions), with
//! the [`Limits`] checked as cells arrive; zip-based workbooks are size-checked first.
use std::path::Path;

use calamine::{Data, DataRef, DataType as _, Reader, Sheets, open_workbook_auto};

use super::merged::Region;
use super::stream::{RowSink, SheetInfo};
use super::{Cell, Limits, RawRow, SourceRef};
use crate::error::{Error, Location, Result};

/// The sheet names of a workbook, in order.
///
/// # Errors
/// [`Error::Unreadable`] (also for a workbook beyond the zip limits).
pub(crate) fn sheet_names(path: &Path, limits: &Limits) -> Result<Vec<String>> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    if matches!(extension.as_str(), "xlsx" | "xlsm" | "ods") {
        limits.check_zip(path)?;
        super::container::check(path, limits)?;
    }
    let workbook = open_workbook_auto(path).map_err(|e| Error::Unreadable {
        location: Location::file(path),
        reason: match e {
            calamine::Error::Io(io) => io.to_string(),
            other => format!("it is not a workbook payback can open ({other}); save it again as .xlsx"),
        },
    })?;
    Ok(workbook.sheet_names())
}

/// Reads the rows of sheet `sheet` (default: the first) of a workbook.
///
/// # Errors
/// [`Error::Unreadable`] (also for inputs beyond the limits), [`Error::UnknownSheet`].
#[cfg(test)]
pub(crate) fn read(path: &Path, sheet: Option<&str>, limits: &Limits) -> Result<super::RawSheet> {
    super::stream::collect(|sink| read_into(path, sheet, limits, sink))
}

/// As [`read`], handing each row to `sink` as it is read. For `.xlsx`/`.xlsm` the merged
/// cells are found beside (on another thread) while calamine opens the workbook.
///
/// # Errors
/// As [`read`], and the sink's.
pub(crate) fn read_into(path: &Path, sheet: Option<&str>, limits: &Limits, sink: &mut dyn RowSink) -> Result<()> {
    let unreadable = |reason: String| Error::Unreadable { location: Location::file(path), reason };
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    let zipped = matches!(extension.as_str(), "xlsx" | "xlsm" | "ods");
    if zipped {
        limits.check_zip(path)?;
        // What the container declares, before calamine sizes anything from it.
        super::container::check(path, limits)?;
    }
    let max_bytes = limits.max_unpacked_mib.saturating_mul(1024 * 1024);
    std::thread::scope(|scope| {
        let merged = matches!(extension.as_str(), "xlsx" | "xlsm")
            .then(|| scope.spawn(move || super::merged::regions(path, sheet, max_bytes)));
        let mut workbook = open_workbook_auto(path).map_err(|e| match e {
            calamine::Error::Io(io) => unreadable(io.to_string()),
            other => unreadable(format!(
                "it is not a workbook payback can open ({other}); if it was saved under another format, save it again as .xlsx"
            )),
        })?;
        let date1904 = matches!(&workbook, Sheets::Xlsx(x) if x.has_1904_epoch());
        let names = workbook.sheet_names();
        let name = match sheet {
            Some(wanted) => {
                names.iter().find(|n| n.as_str() == wanted).cloned().ok_or_else(|| Error::UnknownSheet {
                    location: Location::file(path),
                    sheet: wanted.to_owned(),
                    available: names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "),
                })?
            }
            None => names.first().cloned().ok_or_else(|| unreadable("the workbook has no sheets".into()))?,
        };
        let source = SourceRef { file: path.to_path_buf(), sheet: Some(name.clone()) };
        let sheet_error = |e: String| Error::Unreadable { location: source.location(), reason: e };
        match &mut workbook {
            Sheets::Xlsx(x) => {
                let found = merged.and_then(|thread| thread.join().ok().flatten());
                let regions = match found {
                    Some((found_name, regions)) if found_name == name => regions,
                    // The parts could not be followed (or named another sheet): calamine's
                    // way, which parses the sheet once more.
                    _ => x
                        .merge_cells_by_sheet_name(&name)
                        .map_err(|e| sheet_error(e.to_string()))?
                        .iter()
                        .map(|d| Region { top: d.start.0, left: d.start.1, bottom: d.end.0, right: d.end.1 })
                        .collect(),
                };
                super::merged::check(&regions, limits, &source.location())?;
                sink.sheet(SheetInfo { source: source.clone(), date1904, merged: regions, rows_hint: None })?;
                stream_xlsx(x, &name, &source, limits, sink)
            }
            other => {
                let range = other.worksheet_range(&name).map_err(|e| sheet_error(e.to_string()))?;
                // calamine positions are 0-based and relative to the range start: convert here.
                let (first_row, first_col) = range.start().unwrap_or((0, 0));
                let (first_row, leading) = (to_usize(first_row), to_usize(first_col));
                let (height, width) = range.get_size();
                limits.check_cell(&source.location(), height, (leading + width).saturating_sub(1))?;
                limits.check_cells(&source.location(), height.saturating_mul(width))?;
                sink.sheet(SheetInfo { source: source.clone(), date1904, merged: Vec::new(), rows_hint: None })?;
                for (i, row) in range.rows().enumerate() {
                    let mut cells = vec![Cell::Empty; leading];
                    cells.extend(row.iter().map(to_cell));
                    sink.row(RawRow { number: first_row + i + 1, cells })?;
                }
                Ok(())
            }
        }
    })
}

/// Streams an xlsx sheet's cells into rows numbered from 1, blank rows included, handing
/// each row on when the next begins. Excel writes rows in order; a sheet whose rows are
/// not is refused rather than read wrongly.
fn stream_xlsx<RS: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Xlsx<RS>,
    name: &str,
    source: &SourceRef,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let sheet_error = |e: calamine::XlsxError| Error::Unreadable { location: source.location(), reason: e.to_string() };
    let mut reader = workbook.worksheet_cells_reader(name).map_err(sheet_error)?;
    // The row being filled (0-based index) and its cells; rows before it are handed on.
    let mut current: Option<(usize, Vec<Cell>)> = None;
    let mut sent = 0; // rows handed on, blank ones included
    let mut count = 0;
    while let Some(cell) = reader.next_cell().map_err(sheet_error)? {
        let value = to_cell_ref(cell.get_value());
        if value.is_blank() {
            continue;
        }
        let (row, col) = cell.get_position();
        let (row, col) = (to_usize(row), to_usize(col));
        let location = Location { row: Some(row + 1), ..source.location() };
        limits.check_cell(&location, row + 1, col)?;
        count += 1;
        limits.check_cells(&location, count)?;
        if current.as_ref().is_none_or(|(r, _)| *r != row) {
            if row < sent {
                return Err(Error::Unreadable {
                    location,
                    reason: format!(
                        "the sheet lists row {} after row {sent}; open the file in Excel and save it again",
                        row + 1
                    ),
                });
            }
            if let Some((r, cells)) = current.take() {
                sink.row(RawRow { number: r + 1, cells })?;
            }
            while sent < row {
                sink.row(RawRow { number: sent + 1, cells: Vec::new() })?;
                sent += 1;
            }
            sent = row + 1;
            current = Some((row, Vec::new()));
        }
        if let Some((_, cells)) = current.as_mut() {
            if cells.len() <= col {
                cells.resize(col + 1, Cell::Empty);
            }
            cells[col] = value;
        }
    }
    if let Some((r, cells)) = current {
        sink.row(RawRow { number: r + 1, cells })?;
    }
    Ok(())
}

fn to_usize(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
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

fn to_cell_ref(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Float(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) => {
            data.as_date().map_or_else(|| Cell::Text(format!("{data:?}")), Cell::Date)
        }
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}
