//! The **Actions** and **Holds** sheets: what to send or do for each customer this run,
//! and what is held back and why.
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_text;
use crate::money::Currency;
use crate::rules::action::{Action, ActionKind};

/// The sheet of messages and tasks.
pub const ACTIONS: &str = "Actions";
/// The sheet of holds.
pub const HOLDS: &str = "Holds";

const ACTION_HEADERS: [&str; 10] =
    ["Customer", "Currency", "Amount", "Stage", "Kind", "To", "Cc", "Template", "Invoices", "Reason"];
const HOLD_HEADERS: [&str; 10] =
    ["Customer", "Currency", "Amount", "Held by", "Invoices", "Reason", "Since", "Age (days)", "Owner", "Next date"];

/// Writes the messages and tasks.
///
/// # Errors
/// Writer errors.
pub fn write_actions(ws: &mut Worksheet, actions: &[Action], rows: &DetailRows, f: &Formats) -> Result<(), XlsxError> {
    let (detail_rows, rows_of_kind) = (rows, actions.iter().filter(|a| a.kind != ActionKind::Hold).collect::<Vec<_>>());
    let texts = |a: &Action| {
        vec![
            a.customer.clone(),
            a.currency.clone(),
            String::new(),
            a.stage.clone(),
            a.kind.as_str().to_owned(),
            a.to.join(", "),
            a.cc.join(", "),
            a.template.clone().unwrap_or_default(),
            a.invoice_nos.join(", "),
            a.reason.clone(),
        ]
    };
    let widths = [26, 8, 15, 22, 8, 26, 26, 20, 26, 60];
    let table =
        Table { headers: &ACTION_HEADERS, widths: &widths, invoices_col: 8, empty: "No messages or tasks this run." };
    write_table(ws, &table, &rows_of_kind, texts, detail_rows, f)
}

/// Writes the holds.
///
/// # Errors
/// Writer errors.
pub fn write_holds(ws: &mut Worksheet, actions: &[Action], rows: &DetailRows, f: &Formats) -> Result<(), XlsxError> {
    let (detail_rows, rows_of_kind) = (rows, actions.iter().filter(|a| a.kind == ActionKind::Hold).collect::<Vec<_>>());
    let texts = |a: &Action| {
        vec![
            a.customer.clone(),
            a.currency.clone(),
            String::new(),
            a.stage.clone(),
            a.invoice_nos.join(", "),
            a.reason.clone(),
            a.since.map(|d| d.to_string()).unwrap_or_default(),
            a.age_days.map(|d| d.to_string()).unwrap_or_default(),
            a.owner.clone().unwrap_or_default(),
            a.next_date.map(|d| d.to_string()).unwrap_or_default(),
        ]
    };
    let widths = [26, 8, 15, 16, 30, 70, 11, 10, 26, 11];
    let table = Table { headers: &HOLD_HEADERS, widths: &widths, invoices_col: 4, empty: "Nothing is held this run." };
    write_table(ws, &table, &rows_of_kind, texts, detail_rows, f)
}

/// Where each open invoice is on the Detail sheets.
pub struct DetailRows {
    /// `(customer, invoice_no)` → item index (0-based, in the aging's order).
    pub index: std::collections::HashMap<(String, String), usize>,
    /// Item rows per Detail sheet.
    pub per_sheet: usize,
}

/// The layout of an actions table.
struct Table<'a> {
    headers: &'a [&'a str],
    widths: &'a [usize],
    /// The column listing the invoices; it links to the first one's Detail row.
    invoices_col: usize,
    empty: &'a str,
}

/// A table of actions; column 2 is the amount, written as a number in its currency. Long
/// texts wrap within their column so the sheet prints one page wide and stays legible.
fn write_table(
    ws: &mut Worksheet,
    table: &Table<'_>,
    rows: &[&Action],
    texts: impl Fn(&Action) -> Vec<String>,
    detail_rows: &DetailRows,
    f: &Formats,
) -> Result<(), XlsxError> {
    let (headers, widths, empty) = (table.headers, table.widths, table.empty);
    let cells: Vec<Vec<String>> = rows.iter().map(|a| texts(a)).collect();
    let mut fitted = Vec::with_capacity(headers.len());
    for (c, header) in headers.iter().enumerate() {
        let widest = cells.iter().map(|r| text_width(&r[c])).max().unwrap_or(0).max(text_width(header) + 2);
        let width = if c == 2 { widths[c] } else { widest.min(widths[c]).max(8) };
        fitted.push(width);
        #[allow(clippy::cast_precision_loss)]
        ws.set_column_width(col(c), width as f64 + 1.0)?;
        ws.write_string_with_format(0, col(c), *header, &f.header)?;
    }
    let wrap = f.text.clone().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top);
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, row(rows.len().max(1)), col(headers.len() - 1))?;
    for (i, (action, texts)) in rows.iter().zip(&cells).enumerate() {
        let r = row(i + 1);
        // Wrapped text needs the row height set: spreadsheet apps do not grow rows on open.
        let lines =
            texts.iter().zip(&fitted).map(|(t, w)| text_width(t).div_ceil((*w).max(1))).max().unwrap_or(1).max(1);
        #[allow(clippy::cast_precision_loss)]
        ws.set_row_height(r, 15.0 * lines as f64)?;
        for (c, text) in texts.iter().enumerate() {
            if c == 2 {
                let value = action.amount.parse::<f64>().unwrap_or(0.0);
                let format = Currency::parse(&action.currency)
                    .map_or_else(|| f.text.clone(), |cur| f.money(&cur))
                    .set_align(rust_xlsxwriter::FormatAlign::Top);
                ws.write_number_with_format(r, col(c), value, &format)?;
            } else if c == table.invoices_col
                && let Some(first) = action.invoice_nos.first()
                && let Some(index) = detail_rows.index.get(&(action.customer.clone(), first.clone()))
            {
                let (sheet, line) = super::detail_sheet::item_cell(*index, detail_rows.per_sheet);
                let sheet = if sheet.contains(' ') { format!("'{sheet}'") } else { sheet };
                let url = rust_xlsxwriter::Url::new(format!("internal:{sheet}!A{line}"))
                    .set_text(super::workbook::cell_text(text).as_ref());
                ws.write_url_with_format(
                    r,
                    col(c),
                    url,
                    &f.link.clone().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top),
                )?;
            } else if !text.is_empty() {
                write_text(ws, r, col(c), text, &wrap)?;
            }
        }
    }
    if rows.is_empty() {
        ws.write_string_with_format(1, 0, empty, &f.note)?;
    }
    Ok(())
}

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}

fn row(i: usize) -> RowNum {
    RowNum::try_from(i).unwrap_or(RowNum::MAX)
}
