//! The **Rejected** sheet: every input row that could not be used, with its source file
//! and row, the column and value at fault, every reason, and the whole row as read in one
//! wrapped column.
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::formats::Formats;
use super::layout::Layout;
use crate::ingest::column_letter;
use crate::normalize::combine::Batch;

/// The sheet's key in the catalogue (`sheet.<key>`: its name in the workbook's language).
pub const NAME: &str = "rejected";

/// Catalogue keys (`rejected.<key>`) of the columns: the fixed facts, then the whole row
/// as read in one wrapped column ("Header: value · …"), so the sheet prints legibly on
/// landscape pages whatever the input's width (its 16 raw columns did not).
const HEADER_KEYS: [&str; 6] = ["source_file", "source_row", "column", "value", "reason", "row_as_read"];

/// Least and most width per column, in characters; past the most a text wraps.
const LIMITS: [(usize, usize); 6] = [(12, 30), (8, 8), (10, 18), (10, 24), (24, 50), (30, 70)];

/// The rejected rows of a run, ready to write over one or more sheets.
pub struct RejectedRows<'a> {
    raw_headers: Vec<String>,
    rows: Vec<(String, &'a crate::normalize::Rejected)>,
}

impl<'a> RejectedRows<'a> {
    /// The rows rejected from the invoice sources and from the record files, in that order.
    #[must_use]
    pub fn new(
        batch: &'a Batch,
        records: &'a [(crate::ingest::SourceRef, crate::normalize::Rejected)],
        labels: &crate::catalogue::Labels,
    ) -> Self {
        let rows: Vec<(String, &crate::normalize::Rejected)> = batch
            .sources
            .iter()
            .flat_map(|s| {
                let name = labels.source(&s.source);
                s.rejected.iter().map(move |r| (name.clone(), r))
            })
            .chain(records.iter().map(|(source, r)| (labels.source(source), r)))
            .collect();
        Self { raw_headers: raw_headers(batch), rows }
    }

    /// How many rows were rejected.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was rejected.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row as read: each non-empty cell as `header: value`, joined by ` · `.
    fn row_as_read(&self, reject: &crate::normalize::Rejected) -> String {
        reject
            .raw
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(j, v)| match self.raw_headers.get(j).filter(|h| !h.is_empty()) {
                Some(h) => format!("{h}: {v}"),
                None => format!("{}: {v}", column_letter(j)),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Writes the header and the rows `page` (0-based) on `ws`.
    ///
    /// # Errors
    /// Writer errors.
    pub fn write(&self, ws: &mut Worksheet, page: std::ops::Range<usize>, f: &Formats) -> Result<(), XlsxError> {
        let rows = self.rows.get(page).unwrap_or_default();
        let headers: Vec<&str> = HEADER_KEYS.iter().map(|k| f.labels.get(&format!("rejected.{k}"))).collect();
        let read: Vec<String> = rows.iter().map(|(_, r)| self.row_as_read(r)).collect();
        // Each reason in the workbook's language (check and summary.json keep the English),
        // and a column named by its field (`invoice_no`, `customer`) in the field's words.
        let reasons: Vec<String> = rows.iter().map(|(_, r)| r.reason.render(f.labels)).collect();
        let columns: Vec<&str> =
            rows.iter().map(|(_, r)| f.labels.get_or(&format!("field.{}", r.column), &r.column)).collect();
        let texts = |c: usize| -> Vec<&str> {
            let mut texts: Vec<&str> = rows
                .iter()
                .zip(&read)
                .zip(&reasons)
                .zip(&columns)
                .map(|((((file, r), read), reason), column)| match c {
                    0 => file.as_str(),
                    2 => column,
                    3 => r.value.as_str(),
                    4 => reason.as_str(),
                    5 => read.as_str(),
                    _ => "",
                })
                .collect();
            texts.push(headers[c]);
            texts
        };
        let mut layout = Layout::fitted(LIMITS.iter().enumerate().map(|(c, (min, max))| (*min, *max, texts(c))));
        layout.apply_widths(ws)?;
        for (col, header) in headers.iter().enumerate() {
            ws.write_string_with_format(0, to_col(col)?, *header, &f.header)?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, to_row(rows.len().max(1))?, to_col(headers.len() - 1)?)?;
        let top = &f.wrap_top;
        for (i, ((((file, reject), read), reason), column)) in
            rows.iter().zip(&read).zip(&reasons).zip(&columns).enumerate()
        {
            let row = to_row(i + 1)?;
            layout.wrapped(ws, row, 0, file, top)?;
            #[allow(clippy::cast_precision_loss)]
            ws.write_number_with_format(row, 1, reject.row as f64, &f.integer_top)?;
            // One indent in: clear of the row number's digits.
            layout.wrapped(ws, row, 2, column, &f.wrap_top_indented)?;
            layout.wrapped(ws, row, 3, &reject.value, top)?;
            layout.wrapped(ws, row, 4, reason, top)?;
            layout.wrapped(ws, row, 5, read, top)?;
            layout.finish_row(ws, row)?;
        }
        if self.rows.is_empty() {
            ws.write_string_with_format(1, 0, f.labels.get("rejected.none"), &f.note)?;
        }
        Ok(())
    }
}

/// The raw columns' headers: the inputs' own when they agree, else column letters.
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
