//! The **Skipped** sheet: every line of the inputs that is not a data row — title lines,
//! blank lines, subtotals, repeated headers, group headings, duplicates kept once — with
//! its source file, row and reason.
use rust_xlsxwriter::{RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_plain_text;
use crate::normalize::combine::Batch;

/// The sheet's key in the catalogue (`sheet.<key>`: its name in the workbook's language).
pub const NAME: &str = "skipped";

/// The skipped lines of a run, gathered once and written page by page ("Skipped",
/// "Skipped 2", … past a sheet's rows).
pub struct SkippedLines<'a> {
    lines: Vec<(String, &'a crate::ingest::Skipped)>,
    widest: usize,
    widest_file: usize,
}

impl<'a> SkippedLines<'a> {
    /// The skipped lines of every input, in input order.
    #[must_use]
    pub fn new(batch: &'a Batch, labels: &crate::catalogue::Labels) -> Self {
        let lines: Vec<(String, &crate::ingest::Skipped)> = batch
            .sources
            .iter()
            .flat_map(|s| {
                let name = labels.source(&s.source);
                s.skipped.iter().map(move |line| (name.clone(), line))
            })
            .collect();
        let widest = lines.iter().map(|(_, s)| text_width(&s.text)).max().unwrap_or(0);
        let widest_file = lines.iter().map(|(file, _)| text_width(file)).max().unwrap_or(0);
        Self { lines, widest, widest_file }
    }

    /// How many lines are skipped.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no line is skipped.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Writes one page: the header and the skipped lines `page` (0-based).
    ///
    /// # Errors
    /// Writer errors.
    pub fn write(&self, ws: &mut Worksheet, page: std::ops::Range<usize>, f: &Formats) -> Result<(), XlsxError> {
        let lines = self.lines.get(page).unwrap_or_default();
        #[allow(clippy::cast_precision_loss)]
        {
            ws.set_column_width(0, self.widest_file.clamp(12, 50) as f64 + 1.0)?;
            ws.set_column_width(3, self.widest.clamp(20, 100) as f64 + 1.0)?;
        }
        ws.set_column_width(1, 11)?;
        ws.set_column_width(2, 30)?;
        for (col, header) in ["source_file", "source_row", "reason", "line"].iter().enumerate() {
            let header = f.labels.get(&format!("skipped.{header}"));
            ws.write_string_with_format(0, u16::try_from(col).unwrap_or(0), header, &f.header)?;
        }
        ws.set_freeze_panes(1, 0)?;
        let last = RowNum::try_from(lines.len().max(1)).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.autofilter(0, 0, last, 3)?;
        for (i, (file, line)) in lines.iter().enumerate() {
            let row = RowNum::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            write_plain_text(ws, row, 0, file)?;
            #[allow(clippy::cast_precision_loss)]
            ws.write_number_with_format(row, 1, line.row as f64, &f.integer)?;
            // English keeps the reason's sentence; other languages its name in the catalogue.
            let words = match f.labels.lang() {
                crate::catalogue::Lang::En => line.reason.to_string(),
                crate::catalogue::Lang::Zh => f.labels.get(&format!("skip.{}", line.reason.key())).to_owned(),
            };
            let reason = match &line.note {
                Some(note) => format!("{words}: {note}"),
                None => words,
            };
            write_plain_text(ws, row, 2, &reason)?;
            write_plain_text(ws, row, 3, &line.text)?;
        }
        if self.lines.is_empty() {
            ws.write_string_with_format(1, 0, f.labels.get("skipped.none"), &f.note)?;
        }
        Ok(())
    }
}
