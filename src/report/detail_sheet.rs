//! The **Detail** sheet: every open item with its days and bucket, one row each. The
//! Summary sheet's formulas sum these cells.
use std::collections::BTreeMap;

use polars::prelude::*;
use rust_xlsxwriter::{ColNum, Format, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::write_text;
use crate::ingest::column_letter;
use crate::money::Currency;
use crate::normalize::schema::{col_name as c, from_epoch_days};
use crate::rules::aging::{AGE_DAYS, Aging, BUCKET, DAYS_PAST_DUE, ints, strings};

/// The sheet name.
pub const NAME: &str = "Detail";
/// Column of the currency code.
pub const CURRENCY_COL: ColNum = 4;
/// Column of the open amount.
pub const OPEN_COL: ColNum = 6;
/// Column of the days past due.
pub const DAYS_PAST_DUE_COL: ColNum = 7;
/// Column of the bucket label.
pub const BUCKET_COL: ColNum = 9;

const HEADERS: [&str; 17] = [
    "Customer",
    "Invoice No",
    "Invoice Date",
    "Due Date",
    "Currency",
    "Amount",
    "Open Amount",
    "Days Past Due",
    "Age (days)",
    "Bucket",
    "Project",
    "Contract No",
    "Project Manager",
    "Paid Date",
    "Source File",
    "Source Row",
    "Note",
];

/// An absolute reference to a Detail column over all item rows, e.g. `Detail!$G$2:$G$41`.
#[must_use]
pub fn column_range(col: ColNum, items: usize) -> String {
    let letter = column_letter(usize::from(col));
    format!("{NAME}!${letter}$2:${letter}${}", items.max(1) + 1)
}

/// Writes the sheet.
///
/// # Errors
/// Writer errors (e.g. more rows than a sheet holds) and polars errors, as text.
/// `sources` names each input by its index.
pub fn write(ws: &mut Worksheet, aging: &Aging, sources: &[String], formats: &Formats) -> Result<(), String> {
    write_rows(ws, aging, sources, formats).map_err(|e| e.to_string())
}

fn write_rows(
    ws: &mut Worksheet,
    aging: &Aging,
    sources: &[String],
    f: &Formats,
) -> Result<(), Box<dyn std::error::Error>> {
    let df = &aging.open_items;
    let customer = strings(df, c::CUSTOMER)?;
    let invoice_no = strings(df, c::INVOICE_NO)?;
    let currency = strings(df, c::CURRENCY)?;
    let invoice_date = dates(df, c::INVOICE_DATE)?;
    let due_date = dates(df, c::DUE_DATE)?;
    let paid_date = dates(df, c::PAID_DATE)?;
    let amount = ints(df, c::AMOUNT_MINOR)?;
    let open = ints(df, c::OPEN_MINOR)?;
    let days_past_due = ints(df, DAYS_PAST_DUE)?;
    let age_days = ints(df, AGE_DAYS)?;
    let bucket = ints(df, BUCKET)?;
    let source_row = ints(df, c::SOURCE_ROW)?;
    let source = ints(df, c::SOURCE)?;
    let assumed: Vec<bool> = df.column(c::DUE_ASSUMED)?.bool()?.iter().map(Option::unwrap_or_default).collect();
    let optional = [c::PROJECT, c::CONTRACT_NO, c::PROJECT_MANAGER].map(|name| {
        df.column(name).and_then(|col| Ok(col.str()?.iter().map(|v| v.map(str::to_owned)).collect::<Vec<_>>()))
    });
    let [project, contract_no, project_manager] = optional;
    let (project, contract_no, project_manager) = (project?, contract_no?, project_manager?);

    let texts = [(0, &customer), (1, &invoice_no)];
    let optional_texts = [(10, &project), (11, &contract_no), (12, &project_manager)];
    for (col, width) in column_widths(&texts, &optional_texts, sources).iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        ws.set_column_width(ColNum::try_from(col)?, (*width).clamp(8, 50) as f64 + 1.0)?;
    }
    ws.set_row_height(0, 30)?;
    for (col, header) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, ColNum::try_from(col)?, *header, &f.header)?;
    }
    ws.set_freeze_panes(1, 1)?;
    let last_row = RowNum::try_from(df.height())?;
    ws.autofilter(0, 0, last_row.max(1), ColNum::try_from(HEADERS.len() - 1)?)?;

    if df.height() > 0 {
        let last = RowNum::try_from(df.height())?;
        super::formats::colour_days(ws, (1, DAYS_PAST_DUE_COL, last, DAYS_PAST_DUE_COL), f)?;
    }
    let money: BTreeMap<&str, (&Currency, Format)> =
        aging.currencies.iter().map(|t| (t.currency.code(), (&t.currency, f.money(&t.currency)))).collect();
    for i in 0..df.height() {
        let row = RowNum::try_from(i + 1)?;
        let (cur, money) = money.get(currency[i].as_str()).ok_or("currency missing from the totals")?;
        write_text(ws, row, 0, &customer[i], &f.text)?;
        write_text(ws, row, 1, &invoice_no[i], &f.text)?;
        write_date(ws, row, 2, invoice_date[i], f)?;
        write_date(ws, row, 3, due_date[i], f)?;
        write_text(ws, row, CURRENCY_COL, &currency[i], &f.text)?;
        ws.write_number_with_format(row, 5, cur.excel_value(amount[i]), money)?;
        ws.write_number_with_format(row, OPEN_COL, cur.excel_value(open[i]), money)?;
        #[allow(clippy::cast_precision_loss)]
        {
            ws.write_number_with_format(row, DAYS_PAST_DUE_COL, days_past_due[i] as f64, &f.integer)?;
            ws.write_number_with_format(row, 8, age_days[i] as f64, &f.integer)?;
            ws.write_number_with_format(row, 15, source_row[i] as f64, &f.integer)?;
        }
        let label = &aging.buckets[usize::try_from(bucket[i])?].label;
        write_text(ws, row, BUCKET_COL, label, &f.text)?;
        for (col, value) in [(10, &project[i]), (11, &contract_no[i]), (12, &project_manager[i])] {
            if let Some(value) = value {
                write_text(ws, row, col, value, &f.text)?;
            }
        }
        write_date(ws, row, 13, paid_date[i], f)?;
        let file = usize::try_from(source[i]).ok().and_then(|s| sources.get(s)).map_or("", String::as_str);
        write_text(ws, row, 14, file, &f.text)?;
        if assumed[i] {
            write_text(ws, row, 16, "due date empty in the input: assumed from the default term", &f.note)?;
        }
    }
    Ok(())
}

/// Widths in characters: headers, the widest text of the text columns, fixed room for
/// money (up to ¥999,999,999.99) and dates.
fn column_widths(
    texts: &[(usize, &Vec<String>)],
    optional: &[(usize, &Vec<Option<String>>)],
    sources: &[String],
) -> Vec<usize> {
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| text_width(h) + 2).collect();
    for col in [5, 6] {
        widths[col] = 16;
    }
    for col in [2, 3, 13] {
        widths[col] = 11;
    }
    widths[14] = widths[14].max(sources.iter().map(|s| text_width(s)).max().unwrap_or(0));
    for (col, values) in texts {
        widths[*col] = widths[*col].max(values.iter().map(|t| text_width(t)).max().unwrap_or(0));
    }
    for (col, values) in optional {
        widths[*col] = widths[*col].max(values.iter().flatten().map(|t| text_width(t)).max().unwrap_or(0));
    }
    widths
}

fn write_date(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    date: Option<chrono::NaiveDate>,
    f: &Formats,
) -> Result<(), XlsxError> {
    if let Some(date) = date {
        ws.write_date_with_format(row, col, date, &f.date)?;
    }
    Ok(())
}

fn dates(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<chrono::NaiveDate>>> {
    let days = df.column(name)?.cast(&DataType::Int32)?;
    Ok(days.i32()?.iter().map(|d| d.map(from_epoch_days)).collect())
}
