//! The control-totals block at the foot of the Summary sheet. Per input file: rows read
//! and where they went, and per currency the amount read against the amounts reported,
//! future-dated, rejected and skipped as duplicates — each with a live check formula.
use rust_xlsxwriter::{ColNum, Formula, RowNum, Worksheet, XlsxError};

use super::ReportInput;
use super::formats::Formats;
use super::layout::Layout;
use super::workbook::write_text;
use crate::ingest::column_letter;
use crate::money::Currency;

/// Catalogue keys (`control.<key>`) of the rows table's headers.
const ROW_HEADERS: [&str; 8] =
    ["rows_read", "open", "closed", "future_dated", "rejected", "lines_summed", "skipped", "check"];
/// Catalogue keys of the amounts table's headers.
const AMOUNT_HEADERS: [&str; 9] = [
    "currency",
    "amount_read",
    "paid_after",
    "reported",
    "future_dated",
    "rejected",
    "duplicates",
    "paid_payments",
    "check",
];

/// Writes the block at row `top`; returns the rows used.
///
/// # Errors
/// Writer errors.
pub fn write(
    ws: &mut Worksheet,
    layout: &mut Layout,
    top: RowNum,
    input: &ReportInput<'_>,
    f: &Formats,
) -> Result<RowNum, XlsxError> {
    let l = f.labels;
    ws.write_string_with_format(top, 0, l.get("control.title"), &f.section)?;
    layout.note(ws, top + 1, (0, AMOUNT_HEADERS.len() - 1), l.get("control.note"), &f.note)?;
    // A check's word in the middle of its cell, clear of the number beside it
    // ("¥600,000.00OK").
    let check_format = f.text.clone().set_align(rust_xlsxwriter::FormatAlign::Center);
    let (ok, mismatch) = (l.get("word.ok"), l.get("word.mismatch"));
    let mut r = top + 3;
    for (source, control) in input.batch.sources.iter().zip(&input.controls) {
        let title = match &control.preset {
            Some(preset) => l.fill("summary.preset", &[("file", &l.source(&source.source)), ("preset", preset)]),
            None => l.source(&source.source),
        };
        layout.note(ws, r, (0, AMOUNT_HEADERS.len() - 1), &title, &f.label)?;
        header(ws, r + 1, &ROW_HEADERS, f)?;
        let rows = &control.rows;
        let counts = [
            rows.read,
            rows.accepted,
            rows.closed,
            rows.future_dated,
            rows.rejected,
            rows.invoice_lines_merged,
            rows.skipped.values().sum(),
        ];
        for (i, n) in counts.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            ws.write_number_with_format(r + 2, col(i), *n as f64, &f.integer)?;
        }
        let [read, open, closed, future, rejected, lines] = [0, 1, 2, 3, 4, 5].map(|c| cell(r + 2, c));
        let check = format!("=IF({read}={open}+{closed}+{future}+{rejected}+{lines},\"{ok}\",\"{mismatch}\")");
        ws.write_formula_with_format(r + 2, 7, Formula::new(check).set_result(ok), &check_format)?;
        r += 4;
        if control.amounts.is_empty() {
            continue;
        }
        header(ws, r, &AMOUNT_HEADERS, f)?;
        r += 1;
        for (code, amounts) in &control.amounts {
            let Some(currency) = Currency::parse(code) else { continue };
            let money = f.money(&currency);
            write_text(ws, r, 0, code, &f.text)?;
            let figures = [
                &amounts.read,
                &amounts.paid_after_as_of,
                &amounts.reported,
                &amounts.future_dated,
                &amounts.rejected,
                &amounts.duplicates_skipped,
                &amounts.paid_by_payments,
            ];
            for (i, text) in figures.iter().enumerate() {
                let value: f64 = text.parse().unwrap_or(0.0);
                ws.write_number_with_format(r, col(1 + i), value, &money)?;
            }
            let [read, reopened, reported, future, rejected, duplicates, paid] =
                [1, 2, 3, 4, 5, 6, 7].map(|c| cell(r, c));
            // Compare in cents: the sums are exact decimals, Excel's are doubles.
            let check = format!(
                "=IF(ROUND(({read}+{reopened}-{reported}-{future}-{rejected}-{duplicates}-{paid})*100,0)=0,\"{ok}\",\"{mismatch}\")"
            );
            ws.write_formula_with_format(r, 8, Formula::new(check).set_result(ok), &check_format)?;
            r += 1;
        }
        r += 1;
    }
    Ok(r - top)
}

/// A header row of catalogue keys `control.<key>`, two lines tall.
fn header(ws: &mut Worksheet, r: RowNum, headers: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(r, col(c), f.labels.get(&format!("control.{h}")), &f.header)?;
    }
    ws.set_row_height(r, 32)?;
    Ok(())
}

fn cell(r: RowNum, c: usize) -> String {
    format!("{}{}", column_letter(c), r + 1)
}

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}
