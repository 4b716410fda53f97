//! The **Detail** sheet: every open item with its days and bucket, one row each. The
//! Summary sheet's formulas sum these cells.
use polars::prelude::*;
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

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

const HEADERS: [&str; 15] = [
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
    "Source Row",
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
pub fn write(ws: &mut Worksheet, aging: &Aging, formats: &Formats) -> Result<(), String> {
    write_rows(ws, aging, formats).map_err(|e| e.to_string())
}

fn write_rows(
    ws: &mut Worksheet,
    aging: &Aging,
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
    let optional = [c::PROJECT, c::CONTRACT_NO, c::PROJECT_MANAGER].map(|name| {
        df.column(name).and_then(|col| {
            Ok(col
                .str()?
                .iter()
                .map(|v| v.map(str::to_owned))
                .collect::<Vec<_>>())
        })
    });
    let [project, contract_no, project_manager] = optional;
    let (project, contract_no, project_manager) = (project?, contract_no?, project_manager?);

    let mut widths: Vec<usize> = HEADERS.iter().map(|h| text_width(h) + 2).collect();
    // Money up to ¥999,999,999.99 and dates need more room than their headers.
    for col in [5, 6] {
        widths[col] = 16;
    }
    for col in [2, 3, 13] {
        widths[col] = 11;
    }
    widths[0] = widths[0].max(customer.iter().map(|t| text_width(t)).max().unwrap_or(0));
    widths[1] = widths[1].max(invoice_no.iter().map(|t| text_width(t)).max().unwrap_or(0));
    for (col, values) in [(10, &project), (11, &contract_no), (12, &project_manager)] {
        widths[col] = widths[col].max(
            values
                .iter()
                .flatten()
                .map(|t| text_width(t))
                .max()
                .unwrap_or(0),
        );
    }
    for (col, width) in widths.iter().enumerate() {
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

    let mut money_formats: Vec<(String, rust_xlsxwriter::Format)> = Vec::new();
    for i in 0..df.height() {
        let row = RowNum::try_from(i + 1)?;
        let cur = Currency::parse(&currency[i]).ok_or("bad currency in frame")?;
        let money = match money_formats.iter().find(|(code, _)| *code == currency[i]) {
            Some((_, m)) => m.clone(),
            None => {
                let m = f.money(&cur);
                money_formats.push((currency[i].clone(), m.clone()));
                m
            }
        };
        write_text(ws, row, 0, &customer[i], &f.text)?;
        write_text(ws, row, 1, &invoice_no[i], &f.text)?;
        write_date(ws, row, 2, invoice_date[i], f)?;
        write_date(ws, row, 3, due_date[i], f)?;
        write_text(ws, row, CURRENCY_COL, &currency[i], &f.text)?;
        ws.write_number_with_format(row, 5, cur.excel_value(amount[i]), &money)?;
        ws.write_number_with_format(row, OPEN_COL, cur.excel_value(open[i]), &money)?;
        #[allow(clippy::cast_precision_loss)]
        {
            ws.write_number_with_format(
                row,
                DAYS_PAST_DUE_COL,
                days_past_due[i] as f64,
                &f.integer,
            )?;
            ws.write_number_with_format(row, 8, age_days[i] as f64, &f.integer)?;
            ws.write_number_with_format(row, 14, source_row[i] as f64, &f.integer)?;
        }
        let label = &aging.buckets[usize::try_from(bucket[i])?].label;
        write_text(ws, row, BUCKET_COL, label, &f.text)?;
        for (col, value) in [
            (10, &project[i]),
            (11, &contract_no[i]),
            (12, &project_manager[i]),
        ] {
            if let Some(value) = value {
                write_text(ws, row, col, value, &f.text)?;
            }
        }
        write_date(ws, row, 13, paid_date[i], f)?;
    }
    Ok(())
}

fn write_date(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    date: Option<chrono::NaiveDate>,
    f: &Formats,
) -> Result<(), XlsxError> {
    if let Some(date) = date {
        ws.write_date_with_format(row, col, &date, &f.date)?;
    }
    Ok(())
}

fn dates(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<chrono::NaiveDate>>> {
    let days = df.column(name)?.cast(&DataType::Int32)?;
    Ok(days.i32()?.iter().map(|d| d.map(from_epoch_days)).collect())
}
