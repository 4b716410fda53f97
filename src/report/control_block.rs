//! The control-totals block at the foot of the Summary sheet: per input file, rows read
//! and where they went, and per currency the amount read against the amounts reported,
//! future-dated, rejected and skipped as duplicates, with a live check formula.
use rust_xlsxwriter::{ColNum, Formula, RowNum, Worksheet, XlsxError};

use super::formats::Formats;
use super::workbook::write_text;
use super::{ReportInput, control::SourceControl};
use crate::ingest::column_letter;
use crate::money::Currency;

const HEADERS: [&str; 14] = [
    "Source",
    "Preset",
    "Rows read",
    "Open",
    "Closed",
    "Future-dated",
    "Rejected",
    "Skipped lines",
    "Currency",
    "Amount read",
    "Reported",
    "Future-dated",
    "Rejected",
    "Duplicates skipped",
];

/// Writes the block at row `top`; returns the rows used.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, top: RowNum, input: &ReportInput<'_>, f: &Formats) -> Result<RowNum, XlsxError> {
    ws.write_string_with_format(top, 0, "Control totals", &f.section)?;
    write_text(
        ws,
        top + 1,
        0,
        "Per input: rows read = open + closed + future-dated + rejected; amount read = reported + future-dated + \
         rejected + duplicates skipped (closed rows are zero). Subtotal and total lines are not counted.",
        &f.note,
    )?;
    let header_row = top + 2;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(header_row, col(c), *h, &f.header)?;
    }
    ws.write_string_with_format(header_row, col(HEADERS.len()), "Check", &f.header)?;
    let mut r = header_row + 1;
    for (source, control) in input.batch.sources.iter().zip(&input.controls) {
        let first_row = r;
        write_text(ws, r, 0, &source.source.describe(), &f.text)?;
        write_text(ws, r, 1, control.preset.as_deref().unwrap_or("—"), &f.text)?;
        write_counts(ws, r, control, f)?;
        if control.amounts.is_empty() {
            r += 1;
        }
        for (code, check) in &control.amounts {
            let Some(currency) = Currency::parse(code) else { continue };
            let money = f.money(&currency);
            write_text(ws, r, 8, code, &f.text)?;
            let figures =
                [&check.read, &check.reported, &check.future_dated, &check.rejected, &check.duplicates_skipped];
            for (i, text) in figures.iter().enumerate() {
                let value: f64 = text.parse().unwrap_or(0.0);
                ws.write_number_with_format(r, col(9 + i), value, &money)?;
            }
            let [read, reported, future, rejected, duplicates] =
                [9, 10, 11, 12, 13].map(|c| format!("{}{}", column_letter(c), r + 1));
            // Compare in cents: the sums are exact decimals, Excel's are doubles.
            let formula =
                format!("=IF(ROUND(({read}-{reported}-{future}-{rejected}-{duplicates})*100,0)=0,\"OK\",\"MISMATCH\")");
            ws.write_formula(r, col(HEADERS.len()), Formula::new(formula).set_result("OK"))?;
            r += 1;
        }
        if r == first_row {
            r += 1;
        }
    }
    Ok(r - top)
}

fn write_counts(ws: &mut Worksheet, r: RowNum, control: &SourceControl, f: &Formats) -> Result<(), XlsxError> {
    let rows = &control.rows;
    let counts = [rows.read, rows.accepted, rows.closed, rows.future_dated, rows.rejected, rows.skipped.values().sum()];
    for (i, n) in counts.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        ws.write_number_with_format(r, col(2 + i), *n as f64, &f.integer)?;
    }
    Ok(())
}

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}
