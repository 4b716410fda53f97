//! The History sheet: for every account with an action this run, what happened in the 12
//! months before it, oldest first per account — the same events as `payback history`
//! (invoices opened and closed, messages prepared and sent or not, tasks, promises,
//! disputes, payments), read from the state database.
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_text;
use crate::money::Currency;
use crate::state::timeline::{Event, Recent};

/// The sheet's name (its key in the catalogue).
pub const NAME: &str = "history";

/// The column of amounts.
const AMOUNT_COL: usize = 5;

/// Columns (catalogue keys `history.<key>`).
const HEADERS: [&str; 7] = ["customer", "currency", "when", "event", "invoices", "amount", "what"];

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}

fn row(i: usize) -> RowNum {
    RowNum::try_from(i).unwrap_or(RowNum::MAX)
}

/// Writes the events (by customer, then oldest first) as one table. An account some of
/// whose events were left out ([`Recent::left_out`]) opens with a row saying so and how to
/// see them; when the accounts fill the sheet's `max_rows` data rows, the last row
/// says how many accounts are not shown.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, history: &Recent, max_rows: usize, f: &Formats) -> Result<(), XlsxError> {
    let widths = [26, 8, 20, 11, 24, usize::from(super::formats::MONEY_WIDTH), 90];
    let (rows, accounts_not_shown) = rows(history, max_rows);
    // The words of each kind of event, looked up once (a sheet can hold 240,000 events).
    let mut events: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|row| match row {
            Row::Event(e) => [
                e.customer.clone(),
                e.currency.clone(),
                e.when.replace('T', " ").trim_end_matches('Z').to_owned(),
                (*events
                    .entry(e.event.as_str())
                    .or_insert_with(|| f.labels.get_or(&format!("event.{}", e.event), &e.event)))
                .to_owned(),
                e.invoices_text(),
                e.amount.clone(),
                if e.why.is_empty() { e.detail.clone() } else { e.why.render(f.labels) },
            ],
            Row::LeftOut(customer) => {
                let command = format!("payback history \"{customer}\"");
                let what = f.labels.fill("history.left_out", &[("command", &command)]);
                [
                    (*customer).clone(),
                    String::new(),
                    String::new(),
                    f.labels.get("history.earlier").to_owned(),
                    String::new(),
                    String::new(),
                    what,
                ]
            }
        })
        .collect();
    let headers: Vec<&str> = HEADERS.iter().map(|h| f.labels.get(&format!("history.{h}"))).collect();
    for (c, header) in headers.iter().enumerate() {
        let widest = cells.iter().map(|r| text_width(&r[c])).max().unwrap_or(0).max(text_width(header) + 2);
        #[allow(clippy::cast_precision_loss)]
        let width = if c == AMOUNT_COL {
            // The amounts show in their currency's format (`¥1,924,515.23`), wider than
            // their text: the room every money column has.
            widths[c] as f64
        } else if c == AMOUNT_COL + 1 {
            (widest + super::layout::INDENT_WIDTH).min(widths[c]).max(8) as f64 + 1.0
        } else {
            widest.min(widths[c]).max(8) as f64 + 1.0
        };
        ws.set_column_width(col(c), width)?;
        ws.write_string_with_format(0, col(c), *header, &f.header)?;
    }
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, row(cells.len().max(1)), col(HEADERS.len() - 1))?;
    // Each currency's number format, made once.
    let mut formats: std::collections::HashMap<&str, rust_xlsxwriter::Format> = std::collections::HashMap::new();
    for (i, (entry, texts)) in rows.iter().zip(&cells).enumerate() {
        let r = row(i + 1);
        for (c, text) in texts.iter().enumerate() {
            if let Row::Event(event) = entry
                && c == AMOUNT_COL
                && !text.is_empty()
            {
                // Shown as a number in its currency's format, like the other sheets' amounts.
                #[allow(clippy::cast_precision_loss)]
                let value = text.parse::<f64>().unwrap_or(0.0);
                let format = formats.entry(event.currency.as_str()).or_insert_with(|| {
                    Currency::parse(&event.currency).map_or_else(|| f.text.clone(), |cur| f.money(&cur))
                });
                ws.write_number_with_format(r, col(c), value, format)?;
            } else if !text.is_empty() {
                // The text right of the amounts starts one indent in, clear of them.
                let format = if c == AMOUNT_COL + 1 { &f.indented } else { &f.text };
                write_text(ws, r, col(c), text, format)?;
            }
        }
    }
    if history.events.is_empty() {
        ws.write_string_with_format(1, 0, f.labels.get("history.none"), &f.note)?;
    } else if accounts_not_shown > 0 {
        let count = accounts_not_shown.to_string();
        ws.write_string_with_format(
            row(rows.len() + 1),
            0,
            f.labels.fill("history.full", &[("count", &count), ("command", "payback history")]),
            &f.note,
        )?;
    }
    Ok(())
}

/// A row of the sheet.
enum Row<'a> {
    Event(&'a Event),
    /// Some of the account's earlier events were left out.
    LeftOut(&'a String),
}

/// The rows of whole accounts that fit in `max_rows` data rows with one to spare (for the
/// row saying that the sheet is full), and how many accounts did not fit.
fn rows(history: &Recent, max_rows: usize) -> (Vec<Row<'_>>, usize) {
    let mut out = Vec::new();
    let mut accounts = history.events.chunk_by(|a, b| a.customer == b.customer).peekable();
    while let Some(events) = accounts.next() {
        let left_out = history.left_out.get(&events[0].customer);
        let needed = events.len() + usize::from(left_out.is_some());
        let last = accounts.peek().is_none();
        if out.len() + needed > max_rows.saturating_sub(usize::from(!last)) {
            return (out, 1 + accounts.count());
        }
        if let Some(customer) = left_out {
            out.push(Row::LeftOut(customer));
        }
        out.extend(events.iter().map(Row::Event));
    }
    (out, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(customer: &str, when: &str) -> Event {
        Event {
            when: when.into(),
            event: "opened".into(),
            customer: customer.into(),
            currency: "CNY".into(),
            invoice_nos: vec!["INV-1".into()],
            amount: "1.00".into(),
            detail: String::new(),
            why: crate::rules::why::Why::default(),
            stored_invoice_nos: None,
        }
    }

    /// Rows as text: the customer, and `-` for a row saying events were left out.
    fn shown(rows: &[Row<'_>]) -> Vec<String> {
        rows.iter()
            .map(|r| match r {
                Row::Event(e) => e.customer.clone(),
                Row::LeftOut(c) => format!("-{c}"),
            })
            .collect()
    }

    #[test]
    fn whole_accounts_fill_the_sheet_and_the_rest_are_counted() {
        // A: 2 events; B: 1 event and some left out (2 rows); C: 2 events. 6 rows in all.
        let history = Recent {
            events: vec![
                event("A", "2026-01-31"),
                event("A", "2026-02-28"),
                event("B", "2026-02-28"),
                event("C", "2026-01-31"),
                event("C", "2026-02-28"),
            ],
            left_out: ["B".to_owned()].into(),
        };
        // Everything fits in 6 rows (the last account needs no row to spare).
        let (rows, not_shown) = rows(&history, 6);
        assert_eq!(
            (shown(&rows), not_shown),
            (vec!["A".into(), "A".into(), "-B".into(), "B".into(), "C".into(), "C".into()], 0)
        );
        // In 5: A and B (4 rows, one to spare for the note); C is not shown.
        let (rows, not_shown) = super::rows(&history, 5);
        assert_eq!((shown(&rows), not_shown), (vec!["A".into(), "A".into(), "-B".into(), "B".into()], 1));
        // In 3: A only (2 rows and one to spare); B and C are not shown.
        let (rows, not_shown) = super::rows(&history, 3);
        assert_eq!((shown(&rows), not_shown), (vec!["A".into(), "A".into()], 2));
    }
}
