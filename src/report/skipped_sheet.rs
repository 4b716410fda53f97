//! The **Skipped** sheet: every line of the inputs that is not a data row — title lines,
//! blank lines, subtotals, repeated headers, group headings, duplicates kept once — with
//! its source file, row and reason.
use rust_xlsxwriter::{RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_plain_text;
use crate::normalize::combine::Batch;

/// The sheet name.
pub const NAME: &str = "Skipped";

/// Writes the sheet.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, batch: &Batch, f: &Formats) -> Result<(), XlsxError> {
    let lines: Vec<(String, &crate::ingest::Skipped)> = batch
        .sources
        .iter()
        .flat_map(|s| {
            let name = s.source.describe();
            s.skipped.iter().map(move |line| (name.clone(), line))
        })
        .collect();
    let widest = lines.iter().map(|(_, s)| text_width(&s.text)).max().unwrap_or(0);
    let widest_file = lines.iter().map(|(file, _)| text_width(file)).max().unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    {
        ws.set_column_width(0, widest_file.clamp(12, 50) as f64 + 1.0)?;
        ws.set_column_width(3, widest.clamp(20, 100) as f64 + 1.0)?;
    }
    ws.set_column_width(1, 11)?;
    ws.set_column_width(2, 30)?;
    for (col, header) in ["Source File", "Source Row", "Reason", "Line"].iter().enumerate() {
        ws.write_string_with_format(0, u16::try_from(col).unwrap_or(0), *header, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last = RowNum::try_from(lines.len().max(1)).map_err(|_| XlsxError::RowColumnLimitError)?;
    ws.autofilter(0, 0, last, 3)?;
    for (i, (file, line)) in lines.iter().enumerate() {
        let row = RowNum::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        write_plain_text(ws, row, 0, file)?;
        #[allow(clippy::cast_precision_loss)]
        ws.write_number_with_format(row, 1, line.row as f64, &f.integer)?;
        let reason = match &line.note {
            Some(note) => format!("{}: {note}", line.reason),
            None => line.reason.to_string(),
        };
        write_plain_text(ws, row, 2, &reason)?;
        write_plain_text(ws, row, 3, &line.text)?;
    }
    if lines.is_empty() {
        ws.write_string_with_format(1, 0, "No lines were skipped.", &f.note)?;
    }
    Ok(())
}
