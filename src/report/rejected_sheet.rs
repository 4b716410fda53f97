//! The **Rejected** sheet: every input row that could not be used, with its source file
//! and row, the column and value at fault, every reason, and the raw values as read.
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_plain_text;
use crate::ingest::column_letter;
use crate::normalize::combine::Batch;

/// The sheet name.
pub const NAME: &str = "Rejected";

const FIXED: [&str; 5] = ["Source File", "Source Row", "Column", "Value", "Reason"];

/// Writes the sheet: fixed columns, then the row's cells under the source headers (or
/// column letters when the inputs' headers differ).
///
/// # Errors
/// Writer errors.
pub fn write(
    ws: &mut Worksheet,
    batch: &Batch,
    records: &[(crate::ingest::SourceRef, crate::normalize::Rejected)],
    f: &Formats,
) -> Result<(), XlsxError> {
    let raw_headers = raw_headers(batch);
    let headers: Vec<&str> = FIXED.iter().copied().chain(raw_headers.iter().map(String::as_str)).collect();
    let rows: Vec<(String, &crate::normalize::Rejected)> = batch
        .sources
        .iter()
        .flat_map(|s| {
            let name = s.source.describe();
            s.rejected.iter().map(move |r| (name.clone(), r))
        })
        .chain(records.iter().map(|(source, r)| (source.describe(), r)))
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| text_width(h) + 2).collect();
    for (file, reject) in &rows {
        let texts = [file.as_str(), "", reject.column.as_str(), reject.value.as_str(), reject.reason.as_str()];
        for (i, text) in texts.into_iter().chain(reject.raw.iter().map(String::as_str)).enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(text_width(text));
            }
        }
    }
    for (col, width) in widths.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        ws.set_column_width(to_col(col)?, (*width).clamp(8, 60) as f64 + 1.0)?;
    }
    for (col, header) in headers.iter().enumerate() {
        ws.write_string_with_format(0, to_col(col)?, *header, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, to_row(rows.len().max(1))?, to_col(headers.len() - 1)?)?;
    for (i, (file, reject)) in rows.iter().enumerate() {
        let row = to_row(i + 1)?;
        write_plain_text(ws, row, 0, file)?;
        #[allow(clippy::cast_precision_loss)]
        ws.write_number_with_format(row, 1, reject.row as f64, &f.integer)?;
        write_plain_text(ws, row, 2, &reject.column)?;
        write_plain_text(ws, row, 3, &reject.value)?;
        write_plain_text(ws, row, 4, &reject.reason)?;
        for (j, raw) in reject.raw.iter().enumerate() {
            if !raw.is_empty() {
                write_plain_text(ws, row, to_col(FIXED.len() + j)?, raw)?;
            }
        }
    }
    if rows.is_empty() {
        ws.write_string_with_format(1, 0, "No rows were rejected.", &f.note)?;
    }
    Ok(())
}

/// The inputs' headers when they all share them, else column letters A, B, ….
fn raw_headers(batch: &Batch) -> Vec<String> {
    let first = batch.sources.first().map(|s| s.headers.clone()).unwrap_or_default();
    if batch.sources.iter().all(|s| s.headers == first) {
        return first;
    }
    let widest = batch.sources.iter().map(|s| s.headers.len()).max().unwrap_or(0);
    (0..widest).map(column_letter).collect()
}

fn to_col(i: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

fn to_row(i: usize) -> Result<RowNum, XlsxError> {
    RowNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}
