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

/// The rejected rows of a run, gathered once and written page by page ("Rejected",
/// "Rejected 2", … past a sheet's rows: issue 21).
pub struct RejectedRows<'a> {
    headers: Vec<String>,
    rows: Vec<(String, &'a crate::normalize::Rejected)>,
    widths: Vec<usize>,
}

impl<'a> RejectedRows<'a> {
    /// The rejected rows of the invoice files, then of the record files: fixed columns,
    /// then the row's cells under the source headers (or column letters when the inputs'
    /// headers differ).
    #[must_use]
    pub fn new(batch: &'a Batch, records: &'a [(crate::ingest::SourceRef, crate::normalize::Rejected)]) -> Self {
        let headers: Vec<String> = FIXED.iter().map(|h| (*h).to_owned()).chain(raw_headers(batch)).collect();
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
        Self { headers, rows, widths }
    }

    /// How many rows are rejected.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row is rejected.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes one page: the header and the rejected rows `page` (0-based).
    ///
    /// # Errors
    /// Writer errors.
    pub fn write(&self, ws: &mut Worksheet, page: std::ops::Range<usize>, f: &Formats) -> Result<(), XlsxError> {
        let rows = self.rows.get(page).unwrap_or_default();
        for (col, width) in self.widths.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            ws.set_column_width(to_col(col)?, (*width).clamp(8, 60) as f64 + 1.0)?;
        }
        for (col, header) in self.headers.iter().enumerate() {
            ws.write_string_with_format(0, to_col(col)?, super::workbook::cell_text(header).as_ref(), &f.header)?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, to_row(rows.len().max(1))?, to_col(self.headers.len() - 1)?)?;
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
        if self.rows.is_empty() {
            ws.write_string_with_format(1, 0, "No rows were rejected.", &f.note)?;
        }
        Ok(())
    }
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
