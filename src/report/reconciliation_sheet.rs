//! The **Reconciliation** sheet (with `--payments`): every payment, what of it was applied
//! to which invoice and by which rule, what is left over and why, and per currency the
//! check that money in = applied + unapplied.
use rust_xlsxwriter::{ColNum, FormatAlign, Formula, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_text;
use crate::ledger::matching::{Leftover, Reconciliation};

/// The sheet's key in the catalogue (`sheet.<key>`: its name in the workbook's language).
pub const NAME: &str = "reconciliation";

/// Catalogue keys (`reconciliation.<key>`) of the columns.
const HEADERS: [&str; 10] = [
    "payment_date",
    "payer",
    "reference",
    "currency",
    "received",
    "applied_to",
    "invoice",
    "applied",
    "unapplied",
    "how",
];

/// Writes the sheet.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, r: &Reconciliation, f: &Formats) -> Result<(), XlsxError> {
    let payer_width = r.payments.iter().map(|p| text_width(&p.payer)).max().unwrap_or(0).clamp(14, 40);
    let widths = [12, payer_width, 24, 9, 15, payer_width, 16, 15, 15, 44];
    for (c, (header, width)) in HEADERS.iter().zip(widths).enumerate() {
        #[allow(clippy::cast_precision_loss)]
        ws.set_column_width(col(c), width as f64 + 1.0)?;
        ws.write_string_with_format(0, col(c), f.labels.get(&format!("reconciliation.{header}")), &f.header)?;
    }
    ws.set_row_height(0, 32)?;
    let l = f.labels;
    let mut layout = super::layout::Layout::new(widths.iter().map(|w| w + 1).collect());
    ws.set_freeze_panes(1, 0)?;
    let mut row: RowNum = 1;
    for (i, payment) in r.payments.iter().enumerate() {
        let money = f.money(&payment.currency);
        let lines: Vec<(Option<&crate::ledger::matching::Applied>, Option<&crate::ledger::matching::Unapplied>)> = r
            .applied
            .iter()
            .filter(|a| a.payment == i)
            .map(|a| (Some(a), None))
            .chain(r.unapplied.iter().filter(|u| u.payment == i).map(|u| (None, Some(u))))
            .collect();
        for (n, (applied, unapplied)) in lines.iter().enumerate() {
            if n == 0 {
                ws.write_date_with_format(row, 0, payment.payment_date, &f.date)?;
                layout.text(ws, row, 1, &payment.payer, &f.text)?;
                layout.text(ws, row, 2, &payment.reference, &f.text)?;
                ws.write_number_with_format(row, 4, payment.currency.excel_value(payment.amount_minor), &money)?;
            }
            write_text(ws, row, 3, payment.currency.code(), &f.indented)?;
            if let Some(a) = applied {
                layout.text(ws, row, 5, &a.customer, &f.indented)?;
                layout.text(ws, row, 6, &a.invoice_no, &f.text)?;
                ws.write_number_with_format(row, 7, payment.currency.excel_value(a.amount_minor), &money)?;
                let rule = l.get(&format!("reconciliation.rule_{}", a.rule.as_str().replace(' ', "_")));
                let key = if a.settled { "reconciliation.paid_in_full" } else { "reconciliation.part_payment" };
                layout.text(ws, row, 9, &l.fill(key, &[("rule", rule)]), &f.indented)?;
            }
            if let Some(u) = unapplied {
                ws.write_number_with_format(row, 8, payment.currency.excel_value(u.amount_minor), &money)?;
                let how = match &u.leftover {
                    Leftover::Credit { customer } => {
                        layout.text(ws, row, 5, customer, &f.indented)?;
                        l.get("reconciliation.credit").to_owned()
                    }
                    Leftover::Unmatched { suggestion: Some(s) } => l.fill("reconciliation.perhaps", &[("customer", s)]),
                    Leftover::Unmatched { suggestion: None } => l.get("reconciliation.unmatched").to_owned(),
                    Leftover::Review { note, .. } => l.fill("reconciliation.review", &[("note", &note.render(l))]),
                    Leftover::AfterAsOf => l.get("reconciliation.after_as_of").to_owned(),
                };
                layout.text(ws, row, 9, &how, &f.indented)?;
            }
            row += 1;
        }
    }
    let last = row.max(2) - 1;
    row += 1;
    // Totals under their columns: received (E) = applied (H) + unapplied (I), per currency.
    for (code, t) in r.totals() {
        let Some(currency) = crate::money::Currency::parse(&code) else { continue };
        let money = f.money_total(&currency);
        let sumif = |c: &str| format!("=SUMIFS({c}2:{c}{},$D$2:$D${},\"{code}\")", last + 1, last + 1);
        write_text(ws, row, 0, &l.fill("word.total", &[("currency", &code)]), &f.total_label)?;
        write_text(ws, row, 1, &l.fill("word.payments", &[("count", &t.count.to_string())]), &f.total_label)?;
        ws.write_blank(row, 2, &f.total_label)?;
        write_text(ws, row, 3, &code, &f.total_label)?;
        for (c, letter, amount) in [(4, "E", t.total_in), (7, "H", t.applied), (8, "I", t.unapplied)] {
            let formula = Formula::new(sumif(letter)).set_result(currency.format(amount));
            ws.write_formula_with_format(row, c, formula, &money)?;
        }
        ws.write_blank(row, 5, &f.total_label)?;
        ws.write_blank(row, 6, &f.total_label)?;
        let ok = l.get("reconciliation.ok");
        let mismatch = l.get("word.mismatch");
        let check = format!("=IF(ROUND((E{n}-H{n}-I{n})*100,0)=0,\"{ok}\",\"{mismatch}\")", n = row + 1);
        ws.write_formula_with_format(
            row,
            9,
            Formula::new(check).set_result(ok),
            &f.total_label.clone().set_align(FormatAlign::Left).set_indent(1),
        )?;
        row += 1;
    }
    layout.finish(ws)
}

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}
