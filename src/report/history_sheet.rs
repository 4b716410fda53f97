//! The History sheet: for every account with an action this run, what happened in the 12
//! months before it, oldest first per account — the same events as `payback history`
//! (invoices opened and closed, messages prepared and sent or not, tasks, promises,
//! disputes, payments), read from the state database.
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_text;
use crate::money::Currency;
use crate::state::timeline::Event;

/// The sheet's name (its key in the catalogue).
pub const NAME: &str = "history";

/// Columns (catalogue keys `history.<key>`).
const HEADERS: [&str; 7] = ["customer", "currency", "when", "event", "invoices", "amount", "what"];

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}

fn row(i: usize) -> RowNum {
    RowNum::try_from(i).unwrap_or(RowNum::MAX)
}

/// Writes `events` (by customer, then oldest first) as one table.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, events: &[Event], f: &Formats) -> Result<(), XlsxError> {
    let widths = [26, 8, 20, 11, 24, 14, 90];
    let cells: Vec<[String; 7]> = events
        .iter()
        .map(|e| {
            [
                e.customer.clone(),
                e.currency.clone(),
                e.when.replace('T', " ").trim_end_matches('Z').to_owned(),
                f.labels.get_or(&format!("event.{}", e.event), &e.event).to_owned(),
                e.invoice_nos.join(", "),
                e.amount.clone(),
                if e.why.is_empty() { e.detail.clone() } else { e.why.render(f.labels) },
            ]
        })
        .collect();
    let headers: Vec<&str> = HEADERS.iter().map(|h| f.labels.get(&format!("history.{h}"))).collect();
    for (c, header) in headers.iter().enumerate() {
        let widest = cells.iter().map(|r| text_width(&r[c])).max().unwrap_or(0).max(text_width(header) + 2);
        #[allow(clippy::cast_precision_loss)]
        ws.set_column_width(col(c), widest.min(widths[c]).max(8) as f64 + 1.0)?;
        ws.write_string_with_format(0, col(c), *header, &f.header)?;
    }
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, row(cells.len().max(1)), col(HEADERS.len() - 1))?;
    for (i, (event, texts)) in events.iter().zip(&cells).enumerate() {
        let r = row(i + 1);
        for (c, text) in texts.iter().enumerate() {
            if c == 5 && !text.is_empty() {
                // Shown as a number in its currency's format, like the other sheets' amounts.
                #[allow(clippy::cast_precision_loss)]
                let value = text.parse::<f64>().unwrap_or(0.0);
                let format = Currency::parse(&event.currency).map_or_else(|| f.text.clone(), |cur| f.money(&cur));
                ws.write_number_with_format(r, col(c), value, &format)?;
            } else if !text.is_empty() {
                write_text(ws, r, col(c), text, &f.text)?;
            }
        }
    }
    if events.is_empty() {
        ws.write_string_with_format(1, 0, f.labels.get("history.none"), &f.note)?;
    }
    Ok(())
}
