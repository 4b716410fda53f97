//! The **Skipped** sheet: every line of the input that is not a data row — title lines,
//! blank lines, subtotals, repeated headers, group headings — with its row and reason.
use rust_xlsxwriter::{RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_text;
use crate::normalize::Normalized;

/// The sheet name.
pub const NAME: &str = "Skipped";

/// Writes the sheet.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, normalized: &Normalized, f: &Formats) -> Result<(), XlsxError> {
    let widest = normalized.skipped.iter().map(|s| text_width(&s.text)).max().unwrap_or(0);
    ws.set_column_width(0, 11)?;
    ws.set_column_width(1, 26)?;
    #[allow(clippy::cast_precision_loss)]
    ws.set_column_width(2, widest.clamp(20, 100) as f64 + 1.0)?;
    for (col, header) in ["Source Row", "Reason", "Line"].iter().enumerate() {
        ws.write_string_with_format(0, u16::try_from(col).unwrap_or(0), *header, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last = RowNum::try_from(normalized.skipped.len().max(1)).map_err(|_| XlsxError::RowColumnLimitError)?;
    ws.autofilter(0, 0, last, 2)?;
    for (i, line) in normalized.skipped.iter().enumerate() {
        let row = RowNum::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        #[allow(clippy::cast_precision_loss)]
        ws.write_number_with_format(row, 0, line.row as f64, &f.integer)?;
        write_text(ws, row, 1, &line.reason.to_string(), &f.text)?;
        write_text(ws, row, 2, &line.text, &f.text)?;
    }
    if normalized.skipped.is_empty() {
        ws.write_string_with_format(1, 0, "No lines were skipped.", &f.note)?;
    }
    Ok(())
}
