//! The **Days to Pay** sheet: per customer, the invoices settled in full and the average
//! and median days from invoice to payment, the average days late (early payment counted
//! as 0) and the signed average days after the due date.
// Counts written as Excel numbers are far below 2^52.
#![allow(clippy::cast_precision_loss)]
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::formats::Formats;
use super::workbook::write_text;
use crate::metrics::behaviour::PayBehaviour;

/// The sheet's key in the catalogue (`sheet.<key>`: its name in the workbook's language).
pub const NAME: &str = "behaviour";

/// Writes the sheet.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, rows: &[PayBehaviour], f: &Formats) -> Result<(), XlsxError> {
    let l = f.labels;
    let names =
        ["customer", "settled", "average", "median", "late", "after_due"].map(|k| l.get(&format!("behaviour.{k}")));
    ws.set_column_width(0, 36)?;
    for (c, name) in (0..).zip(names) {
        ws.write_string_with_format(0, c, name, &f.header)?;
        if c > 0 {
            ws.set_column_width(c, 18)?;
        }
    }
    // Three lines: the longest header wraps twice.
    ws.set_row_height(0, 46)?;
    ws.set_freeze_panes(1, 0)?;
    let days = Format::new().set_num_format(l.get("format.days"));
    let mut r = 1;
    for b in rows {
        write_text(ws, r, 0, &b.customer, &f.text)?;
        ws.write_number_with_format(r, 1, b.invoices as f64, &f.integer)?;
        ws.write_number_with_format(r, 2, b.average_days.to_f64().unwrap_or_default(), &days)?;
        ws.write_number_with_format(r, 3, b.median_days.to_f64().unwrap_or_default(), &days)?;
        ws.write_number_with_format(r, 4, b.average_days_late.to_f64().unwrap_or_default(), &days)?;
        ws.write_number_with_format(r, 5, b.average_after_due.to_f64().unwrap_or_default(), &days)?;
        r += 1;
    }
    if rows.is_empty() {
        write_text(ws, r, 0, l.get("behaviour.none"), &f.note)?;
    } else {
        ws.autofilter(0, 0, r - 1, 5)?;
    }
    Ok(())
}
