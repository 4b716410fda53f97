//! The **By Customer** sheet: one row per customer and currency with the bucket amounts,
//! total and overdue, sorted by overdue amount; one live totals row per currency that
//! follows the autofilter. Past a sheet's rows the customers continue on "By Customer 2",
//! …, and the totals below the last page add up every page.
use std::ops::Range;

use rust_xlsxwriter::{ColNum, Formula, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_text;
use super::{ReportInput, pages};
use crate::aging::AgingTotals;
use crate::ingest::column_letter;

/// The sheet's key in the catalogue (`sheet.<key>`: its name in the workbook's language).
pub const NAME: &str = "customers";

/// The customer rows (0-based) of each page: at most [`ReportInput::rows_per_sheet`] a
/// page, less the room the totals take below the last page's rows.
#[must_use]
pub fn page_rows(input: &ReportInput<'_>) -> Vec<Range<usize>> {
    page_rows_of(input.aging.customers.len(), input.aging.currencies.len(), input.rows_per_sheet)
}

/// As [`page_rows`], from the counts of customer rows and currencies.
#[must_use]
pub fn page_rows_of(customers: usize, currencies: usize, rows_per_sheet: usize) -> Vec<Range<usize>> {
    let room = currencies + 3;
    pages::page_rows(customers, rows_per_sheet.min(pages::MAX_DATA_ROWS.saturating_sub(room)).max(1))
}

/// Writes page `k` of the sheet, whose pages hold the customer rows `pages`.
///
/// # Errors
/// Writer errors.
pub fn write(
    ws: &mut Worksheet,
    input: &ReportInput<'_>,
    f: &Formats,
    k: usize,
    pages: &[Range<usize>],
) -> Result<(), XlsxError> {
    let aging = input.aging;
    let customers = pages.get(k).and_then(|rows| aging.customers.get(rows.clone())).unwrap_or_default();
    let n_buckets = aging.buckets.len();
    // Customer, Currency, buckets…, Total, Overdue, Items, Shown (hidden helper).
    let total_col = col(2 + n_buckets)?;
    let overdue_col = total_col + 1;
    let items_col = total_col + 2;
    let shown_col = total_col + 3;
    let labels = f.labels;
    let mut headers = vec![labels.get("customers.customer").to_owned(), labels.get("customers.currency").to_owned()];
    headers.extend(aging.buckets.iter().map(|b| labels.bucket(&b.label).to_owned()));
    headers.extend(["total", "overdue", "items", "shown"].map(|k| labels.get(&format!("customers.{k}")).to_owned()));

    let name_width = customers.iter().map(|c| text_width(&c.customer)).max().unwrap_or(0).max(12);
    #[allow(clippy::cast_precision_loss)]
    ws.set_column_width(0, name_width.min(50) as f64 + 2.0)?;
    ws.set_column_width(1, 10)?;
    for c in 2..=overdue_col {
        ws.set_column_width(c, super::formats::MONEY_WIDTH)?;
    }
    ws.set_column_width(items_col, 8)?;
    ws.set_column_hidden(shown_col)?;
    ws.set_row_height(0, 30)?;
    for (c, header) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col(c)?, header, &f.header)?;
    }
    ws.set_freeze_panes(1, 1)?;
    let rows = customers.len();
    let last_row = row(rows.max(1))?;
    ws.autofilter(0, 0, last_row, items_col)?;

    let bucket_cols = 2..total_col;
    // Bucket amounts coloured by how late they are (a bucket's earliest day decides).
    if !customers.is_empty() {
        use rust_xlsxwriter::{ConditionalFormatCell, ConditionalFormatCellRule};
        for (b, bucket) in aging.buckets.iter().enumerate() {
            let Some(fill) = bucket.min_days.and_then(|min| super::formats::age_fill(f, min)) else { continue };
            let rule = ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::NotEqualTo(0)).set_format(fill);
            ws.add_conditional_format(1, col(2 + b)?, last_row, col(2 + b)?, &rule)?;
        }
    }
    for (i, customer) in customers.iter().enumerate() {
        let r = row(i + 1)?;
        let t = &customer.totals;
        let money = f.money(&t.currency);
        write_text(ws, r, 0, &customer.customer, &f.text)?;
        write_text(ws, r, 1, t.currency.code(), &f.text)?;
        for (b, bucket) in t.buckets.iter().enumerate() {
            ws.write_number_with_format(r, col(2 + b)?, t.currency.excel_value(bucket.amount_minor), &money)?;
        }
        let sum = format!("=SUM({}:{})", cell(r, bucket_cols.start), cell(r, bucket_cols.end - 1));
        ws.write_formula_with_format(
            r,
            total_col,
            Formula::new(sum).set_result(t.currency.format(t.total().amount_minor)),
            &money,
        )?;
        ws.write_number_with_format(r, overdue_col, t.currency.excel_value(t.overdue.amount_minor), &money)?;
        #[allow(clippy::cast_precision_loss)]
        ws.write_number_with_format(r, items_col, t.total().count as f64, &f.integer)?;
        // 1 while the row is visible, 0 when the autofilter hides it: the totals use it.
        ws.write_formula(r, shown_col, Formula::new(format!("=SUBTOTAL(103,{})", cell(r, 0))).set_result("1"))?;
    }

    if k + 1 < pages.len() {
        return Ok(());
    }
    // The totals, below the last page: over every page when there are several.
    let page_sheets: Vec<(String, usize)> = if pages.len() == 1 {
        vec![(String::new(), rows)]
    } else {
        pages
            .iter()
            .enumerate()
            .map(|(j, p)| (format!("{}!", pages::sheet_ref(&pages::sheet_name(f.labels, NAME, j))), p.len()))
            .collect()
    };
    let mut r = last_row + 2;
    for totals in &aging.currencies {
        write_totals_row(ws, r, totals, &page_sheets, (items_col, shown_col), f)?;
        r += 1;
    }
    ws.write_string_with_format(r + 1, 0, f.labels.get("customers.note"), &f.note)?;
    Ok(())
}

fn write_totals_row(
    ws: &mut Worksheet,
    r: RowNum,
    totals: &AgingTotals,
    page_sheets: &[(String, usize)],
    (items_col, shown_col): (ColNum, ColNum),
    f: &Formats,
) -> Result<(), XlsxError> {
    let code = totals.currency.code();
    let money = f.money_total(&totals.currency);
    // `page_sheets`: each page's sheet prefix (empty for this sheet alone) and row count.
    let sumifs = |c: ColNum| {
        let letter = column_letter(usize::from(c));
        let currency = column_letter(1);
        let shown = column_letter(usize::from(shown_col));
        let terms: Vec<String> = page_sheets
            .iter()
            .map(|(sheet, rows)| {
                let last = rows.max(&1) + 1;
                format!(
                    "SUMIFS({sheet}{letter}2:{letter}{last},{sheet}${currency}$2:${currency}${last},\"{code}\",{sheet}${shown}$2:${shown}${last},1)"
                )
            })
            .collect();
        format!("={}", terms.join("+"))
    };
    write_text(ws, r, 0, &f.labels.fill("word.total", &[("currency", code)]), &f.total_label)?;
    write_text(ws, r, 1, code, &f.total_label)?;
    let mut amounts: Vec<i64> = totals.buckets.iter().map(|b| b.amount_minor).collect();
    amounts.push(totals.total().amount_minor);
    amounts.push(totals.overdue.amount_minor);
    for (i, amount) in amounts.iter().enumerate() {
        let c = col(2 + i)?;
        ws.write_formula_with_format(
            r,
            c,
            Formula::new(sumifs(c)).set_result(totals.currency.format(*amount)),
            &money,
        )?;
    }
    ws.write_formula_with_format(
        r,
        items_col,
        Formula::new(sumifs(items_col)).set_result(totals.total().count.to_string()),
        &f.total_integer,
    )?;
    Ok(())
}

fn cell(r: RowNum, c: ColNum) -> String {
    format!("{}{}", column_letter(usize::from(c)), r + 1)
}

fn col(i: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

fn row(i: usize) -> Result<RowNum, XlsxError> {
    RowNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}
