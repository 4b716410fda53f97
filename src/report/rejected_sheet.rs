//! The **Rejected** sheet: every input row that could not be used, with its source row,
//! the reason and the raw values exactly as read.
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_text;
use crate::normalize::Normalized;

/// The sheet name.
pub const NAME: &str = "Rejected";

const FIXED: [&str; 4] = ["Source Row", "Column", "Value", "Reason"];

/// Writes the sheet: fixed columns, then one column per source header.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, normalized: &Normalized, f: &Formats) -> Result<(), XlsxError> {
    let headers: Vec<&str> = FIXED.iter().copied().chain(normalized.headers.iter().map(String::as_str)).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| text_width(h) + 2).collect();
    for reject in &normalized.rejected {
        let fixed = [reject.column.as_str(), reject.value.as_str(), reject.reason.as_str()];
        for (i, text) in
            fixed.iter().chain(reject.raw.iter().map(String::as_str).collect::<Vec<_>>().iter()).enumerate()
        {
            if let Some(w) = widths.get_mut(i + 1) {
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
    ws.autofilter(0, 0, to_row(normalized.rejected.len().max(1))?, to_col(headers.len() - 1)?)?;
    for (i, reject) in normalized.rejected.iter().enumerate() {
        let row = to_row(i + 1)?;
        #[allow(clippy::cast_precision_loss)]
        ws.write_number_with_format(row, 0, reject.row as f64, &f.integer)?;
        write_text(ws, row, 1, &reject.column, &f.text)?;
        write_text(ws, row, 2, &reject.value, &f.text)?;
        write_text(ws, row, 3, &reject.reason, &f.text)?;
        for (j, raw) in reject.raw.iter().enumerate() {
            if !raw.is_empty() {
                write_text(ws, row, to_col(FIXED.len() + j)?, raw, &f.text)?;
            }
        }
    }
    if normalized.rejected.is_empty() {
        ws.write_string_with_format(1, 0, "No rows were rejected.", &f.note)?;
    }
    Ok(())
}

fn to_col(i: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

fn to_row(i: usize) -> Result<RowNum, XlsxError> {
    RowNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}
