//! The **Detail** sheet: every open item with its days and bucket, one row each. The
//! Summary sheet's formulas sum these cells. Beyond one sheet's rows the items continue on
//! "Detail 2", "Detail 3", … (each with its header), and all of them also go to
//! `detail.csv`.
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::{ColNum, Format, RowNum, Worksheet, XlsxError};

use super::formats::{Formats, text_width};
use super::workbook::{write_plain_text, write_text};
use crate::aging::frame::{col_name as c, from_epoch_days};
use crate::aging::{AGE_DAYS, Aging, BUCKET, DAYS_PAST_DUE, ints};
use crate::catalogue::Labels;
use crate::ingest::column_letter;
use crate::money::Currency;

/// The sheet's key in the catalogue (its name, of the first Detail sheet, in the workbook's language).
pub const NAME: &str = "detail";
/// Item rows on one sheet: Excel's 1,048,576 rows less the header.
pub const MAX_ROWS_PER_SHEET: usize = super::pages::MAX_DATA_ROWS;
/// The file of every item, written beside the workbook when they fill more than one sheet.
pub const CSV_FILE_NAME: &str = "detail.csv";
/// Column of the currency code.
pub const CURRENCY_COL: ColNum = 4;
/// Column of the open amount.
pub const OPEN_COL: ColNum = 6;
/// Column of the days past due.
pub const DAYS_PAST_DUE_COL: ColNum = 7;
/// Column of the bucket label.
pub const BUCKET_COL: ColNum = 9;

/// The column headers of `detail.csv` (a script contract: always these words), in order;
/// the sheets read [`HEADER_KEYS`] in the workbook's language.
pub const HEADERS: [&str; 19] = [
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
    "Lines",
    "Source Rows",
];

/// The sheets' column headers as catalogue keys (`detail.<key>`), in the order of
/// [`HEADERS`].
const HEADER_KEYS: [&str; 19] = [
    "customer",
    "invoice_no",
    "invoice_date",
    "due_date",
    "currency",
    "amount",
    "open_amount",
    "days_past_due",
    "age",
    "bucket",
    "project",
    "contract_no",
    "project_manager",
    "paid_date",
    "source_file",
    "source_row",
    "note",
    "lines",
    "source_rows",
];

/// The name of Detail sheet `k` (0-based): `Detail`, `Detail 2`, `Detail 3`, … (`明细`,
/// `明细2`, … in Chinese).
#[must_use]
pub fn sheet_name(labels: &Labels, k: usize) -> String {
    super::pages::sheet_name(labels, NAME, k)
}

/// The item rows (0-based, in the aging's order) of each Detail sheet: one sheet at least.
#[must_use]
pub fn sheet_rows(items: usize, per_sheet: usize) -> Vec<Range<usize>> {
    super::pages::page_rows(items, per_sheet)
}

/// Absolute references to a Detail column over the item rows of each sheet, e.g.
/// `Detail!$G$2:$G$41` or, past one sheet, `Detail!$G$2:$G$1048576` and
/// `'Detail 2'!$G$2:$G$11`.
#[must_use]
pub fn column_ranges(labels: &Labels, col: ColNum, items: usize, per_sheet: usize) -> Vec<String> {
    let letter = column_letter(usize::from(col));
    sheet_rows(items, per_sheet)
        .iter()
        .enumerate()
        .map(|(k, rows)| {
            let sheet = super::pages::sheet_ref(&sheet_name(labels, k));
            format!("{sheet}!${letter}$2:${letter}${}", rows.len().max(1) + 1)
        })
        .collect()
}

/// Where item `index` (0-based, in the aging's order) is: its Detail sheet and 1-based row.
#[must_use]
pub fn item_cell(labels: &Labels, index: usize, per_sheet: usize) -> (String, usize) {
    let per_sheet = per_sheet.max(1);
    (sheet_name(labels, index / per_sheet), index % per_sheet + 2)
}

/// Writes one Detail sheet: the header and the items `rows` (0-based, in the aging's
/// order; see [`sheet_rows`]).
///
/// # Errors
/// Writer errors (e.g. more rows than a sheet holds) and polars errors, as text.
/// `sources` names each input by its index.
pub fn write(
    ws: &mut Worksheet,
    aging: &Aging,
    sources: &[String],
    formats: &Formats,
    rows: Range<usize>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let df = aging.open_items.slice(i64::try_from(rows.start).unwrap_or(i64::MAX), rows.len());
    write_rows(ws, &df, aging, sources, formats)
}

/// Rows whose cells are gathered from the frame at a time: the columns of a whole sheet
/// gathered at once were 180 MB at a million items.
const SLICE_ROWS: usize = 65_536;

fn write_rows(
    ws: &mut Worksheet,
    df: &DataFrame,
    aging: &Aging,
    sources: &[String],
    f: &Formats,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let headers: Vec<&str> = HEADER_KEYS.iter().map(|k| f.labels.get(&format!("detail.{k}"))).collect();
    let mut widths = column_widths(df, sources, &headers, f.labels)?;
    // The bucket labels, a handful, in their words (and one indent).
    let bucket = usize::from(BUCKET_COL);
    widths[bucket] =
        aging.buckets.iter().map(|b| text_width(f.labels.bucket(&b.label)) + 3).fold(widths[bucket], usize::max);
    for (col, width) in widths.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        ws.set_column_width(ColNum::try_from(col)?, (*width).clamp(8, MAX_WIDTH) as f64 + 1.0)?;
    }
    // Dates and whole numbers take their column's format: the writer gives an unformatted
    // cell the format of its column (the same cell in the file), and a formatted write
    // hashes the whole Format, which over a million rows costs seconds.
    for col in DATE_COLS {
        ws.set_column_format(col, &f.date)?;
    }
    for col in INTEGER_COLS {
        ws.set_column_format(col, &f.integer)?;
    }
    // Text right of a right-aligned number starts one indent in: Age's "101" ran into
    // Bucket's "91-120". A column format, so the million cells stay unformatted
    // writes.
    for col in [BUCKET_COL, SOURCE_FILE_COL, LINES_COL + 1] {
        ws.set_column_format(col, &f.indented)?;
    }
    ws.set_row_height(0, 30)?;
    for (col, header) in headers.iter().enumerate() {
        ws.write_string_with_format(0, ColNum::try_from(col)?, *header, &f.header)?;
    }
    ws.set_freeze_panes(1, 1)?;
    let last_row = RowNum::try_from(df.height())?;
    ws.autofilter(0, 0, last_row.max(1), ColNum::try_from(HEADERS.len() - 1)?)?;

    if df.height() > 0 {
        let last = RowNum::try_from(df.height())?;
        super::formats::colour_days(ws, (1, DAYS_PAST_DUE_COL, last, DAYS_PAST_DUE_COL), f)?;
    }
    // The money columns take the format of the most common currency; only the other
    // currencies' amounts are written with a format of their own (see above).
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for code in df.column(c::CURRENCY)?.str()?.iter() {
        *counts.entry(code.unwrap_or_default()).or_default() += 1;
    }
    let common = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(code, _)| *code);
    let money: BTreeMap<&str, (&Currency, Option<Format>)> = aging
        .currencies
        .iter()
        .map(|t| (t.currency.code(), (&t.currency, (Some(t.currency.code()) != common).then(|| f.money(&t.currency)))))
        .collect();
    if let Some(common) = aging.currencies.iter().find(|t| Some(t.currency.code()) == common) {
        for col in [5, OPEN_COL] {
            ws.set_column_format(col, &f.money(&common.currency))?;
        }
    }
    for start in (0..df.height()).step_by(SLICE_ROWS) {
        let part = df.slice(i64::try_from(start)?, SLICE_ROWS);
        write_slice(ws, &part, RowNum::try_from(start + 1)?, aging, sources, &money, f)?;
    }
    Ok(())
}

/// The columns of a slice of the aging's items, as the Detail sheet and `detail.csv`
/// write them; text borrowed from the frame (no copy of any string).
struct Slice<'a> {
    customer: Vec<Option<&'a str>>,
    invoice_no: Vec<Option<&'a str>>,
    currency: Vec<Option<&'a str>>,
    invoice_date: Vec<Option<chrono::NaiveDate>>,
    due_date: Vec<Option<chrono::NaiveDate>>,
    paid_date: Vec<Option<chrono::NaiveDate>>,
    amount: Vec<i64>,
    open: Vec<i64>,
    days_past_due: Vec<i64>,
    age_days: Vec<i64>,
    bucket: Vec<i64>,
    source_row: Vec<i64>,
    source: Vec<i64>,
    assumed: Vec<bool>,
    lines: Vec<i64>,
    line_rows: Vec<Option<&'a str>>,
    project: Vec<Option<&'a str>>,
    contract_no: Vec<Option<&'a str>>,
    project_manager: Vec<Option<&'a str>>,
}

impl<'a> Slice<'a> {
    fn gather(df: &'a DataFrame) -> PolarsResult<Self> {
        let text = |name: &str| -> PolarsResult<Vec<Option<&'a str>>> { Ok(df.column(name)?.str()?.iter().collect()) };
        Ok(Self {
            customer: text(c::CUSTOMER)?,
            invoice_no: text(c::INVOICE_NO)?,
            currency: text(c::CURRENCY)?,
            invoice_date: dates(df, c::INVOICE_DATE)?,
            due_date: dates(df, c::DUE_DATE)?,
            paid_date: dates(df, c::PAID_DATE)?,
            amount: ints(df, c::AMOUNT_MINOR)?,
            open: ints(df, c::OPEN_MINOR)?,
            days_past_due: ints(df, DAYS_PAST_DUE)?,
            age_days: ints(df, AGE_DAYS)?,
            bucket: ints(df, BUCKET)?,
            source_row: ints(df, c::SOURCE_ROW)?,
            source: ints(df, c::SOURCE)?,
            assumed: df.column(c::DUE_ASSUMED)?.bool()?.iter().map(Option::unwrap_or_default).collect(),
            lines: ints(df, c::LINES)?,
            line_rows: text(c::LINE_ROWS)?,
            project: text(c::PROJECT)?,
            contract_no: text(c::CONTRACT_NO)?,
            project_manager: text(c::PROJECT_MANAGER)?,
        })
    }
}

/// Writes the items of `df` from sheet row `first` on.
fn write_slice(
    ws: &mut Worksheet,
    df: &DataFrame,
    first: RowNum,
    aging: &Aging,
    sources: &[String],
    money: &BTreeMap<&str, (&Currency, Option<Format>)>,
    f: &Formats,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let cols = Slice::gather(df)?;
    for i in 0..df.height() {
        let row = first + RowNum::try_from(i)?;
        let code = cols.currency[i].unwrap_or_default();
        let (cur, money) = money.get(code).ok_or("currency missing from the totals")?;
        write_plain_text(ws, row, 0, cols.customer[i].unwrap_or_default())?;
        write_plain_text(ws, row, 1, cols.invoice_no[i].unwrap_or_default())?;
        write_date(ws, row, 2, cols.invoice_date[i])?;
        write_date(ws, row, 3, cols.due_date[i])?;
        write_plain_text(ws, row, CURRENCY_COL, code)?;
        for (col, minor) in [(5, cols.amount[i]), (OPEN_COL, cols.open[i])] {
            match money {
                Some(format) => ws.write_number_with_format(row, col, cur.excel_value(minor), format)?,
                None => ws.write_number(row, col, cur.excel_value(minor))?,
            };
        }
        #[allow(clippy::cast_precision_loss)]
        {
            ws.write_number(row, DAYS_PAST_DUE_COL, cols.days_past_due[i] as f64)?;
            ws.write_number(row, 8, cols.age_days[i] as f64)?;
            ws.write_number(row, 15, cols.source_row[i] as f64)?;
            ws.write_number(row, LINES_COL, cols.lines[i] as f64)?;
        }
        if let Some(rows) = cols.line_rows[i] {
            write_plain_text(ws, row, LINES_COL + 1, rows)?;
        }
        let label = f.labels.bucket(&aging.buckets[usize::try_from(cols.bucket[i])?].label);
        write_plain_text(ws, row, BUCKET_COL, label)?;
        for (col, value) in [(10, cols.project[i]), (11, cols.contract_no[i]), (12, cols.project_manager[i])] {
            if let Some(value) = value {
                write_plain_text(ws, row, col, value)?;
            }
        }
        write_date(ws, row, 13, cols.paid_date[i])?;
        let file = usize::try_from(cols.source[i]).ok().and_then(|s| sources.get(s)).map_or("", String::as_str);
        write_plain_text(ws, row, 14, file)?;
        let note = note(f.labels, cols.assumed[i], cols.paid_date[i], aging.as_of);
        if !note.is_empty() {
            // Notes are rare: a long one wraps in a taller row rather than run into Lines.
            let width = note_width(f.labels).min(MAX_WIDTH);
            let lines = super::layout::wrapped_lines(&note, width);
            if lines > 1 {
                #[allow(clippy::cast_precision_loss)]
                ws.set_row_height(row, 16.0 * lines as f64)?;
                write_text(ws, row, 16, &note, &f.note_wrap)?;
            } else {
                write_text(ws, row, 16, &note, &f.note)?;
            }
        }
    }
    Ok(())
}

/// Widths in characters: headers, the widest text of the text columns, fixed room for
/// money (up to ¥999,999,999.99) and dates.
fn column_widths(df: &DataFrame, sources: &[String], headers: &[&str], labels: &Labels) -> PolarsResult<Vec<usize>> {
    // A header wraps onto two lines (its row is two lines tall): its widest word is enough.
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|h| (text_width(h).div_ceil(2)).max(h.split(' ').map(text_width).max().unwrap_or(0)) + 2)
        .collect();
    for col in [5, 6] {
        widths[col] = usize::from(super::formats::MONEY_WIDTH);
    }
    for col in [2, 3, 13] {
        widths[col] = 11;
    }
    widths[14] = widths[14].max(sources.iter().map(|s| text_width(s)).max().unwrap_or(0) + 2);
    // The notes are the two sentences of [`note`] at most.
    widths[16] = widths[16].max(note_width(labels));
    let widest = df.column(c::LINE_ROWS)?.str()?.iter().flatten().map(text_width).max().unwrap_or(0);
    widths[usize::from(LINES_COL) + 1] = widths[usize::from(LINES_COL) + 1].max(widest);
    let texts =
        [(0, c::CUSTOMER), (1, c::INVOICE_NO), (10, c::PROJECT), (11, c::CONTRACT_NO), (12, c::PROJECT_MANAGER)];
    for (col, name) in texts {
        let widest = df.column(name)?.str()?.iter().flatten().map(text_width).max().unwrap_or(0);
        widths[col] = widths[col].max(widest);
    }
    Ok(widths)
}

/// Writes every item to `path` as CSV with the sheet's columns: dates as `YYYY-MM-DD`,
/// amounts as decimal text with the currency's places; text a spreadsheet would run as a
/// formula gets a leading `'`.
///
/// # Errors
/// I/O errors and polars errors, as text.
pub fn write_csv(path: &Path, aging: &Aging, sources: &[String]) -> crate::Result<()> {
    write_csv_rows(path, aging, sources).map_err(|e| crate::Error::write(path, e))
}

fn write_csv_rows(
    path: &Path,
    aging: &Aging,
    sources: &[String],
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let money: BTreeMap<&str, &Currency> = aging.currencies.iter().map(|t| (t.currency.code(), &t.currency)).collect();
    let file = std::fs::File::create(path)?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    w.write_record(HEADERS)?;
    // A slice of rows at a time, as for the sheets: the columns of ten million items
    // gathered at once were 4 GB.
    let height = aging.open_items.height();
    for start in (0..height).step_by(SLICE_ROWS) {
        let part = aging.open_items.slice(i64::try_from(start)?, SLICE_ROWS);
        write_csv_slice(&mut w, &part, aging, sources, &money)?;
    }
    w.flush()?;
    Ok(())
}

fn write_csv_slice<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    df: &DataFrame,
    aging: &Aging,
    sources: &[String],
    money: &BTreeMap<&str, &Currency>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let cols = Slice::gather(df)?;
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let or_empty = |t: Option<&str>| t.map(crate::output::csv_text).unwrap_or_default();
    for i in 0..df.height() {
        let code = cols.currency[i].unwrap_or_default();
        let cur = money.get(code).ok_or("currency missing from the totals")?;
        let file = usize::try_from(cols.source[i]).ok().and_then(|s| sources.get(s)).map_or("", String::as_str);
        w.write_record([
            or_empty(cols.customer[i]),
            or_empty(cols.invoice_no[i]),
            day(cols.invoice_date[i]),
            day(cols.due_date[i]),
            code.to_owned(),
            cur.format(cols.amount[i]),
            cur.format(cols.open[i]),
            cols.days_past_due[i].to_string(),
            cols.age_days[i].to_string(),
            aging.buckets[usize::try_from(cols.bucket[i])?].label.clone(),
            or_empty(cols.project[i]),
            or_empty(cols.contract_no[i]),
            or_empty(cols.project_manager[i]),
            day(cols.paid_date[i]),
            crate::output::csv_text(file),
            cols.source_row[i].to_string(),
            note(Labels::of(crate::catalogue::Lang::En), cols.assumed[i], cols.paid_date[i], aging.as_of),
            cols.lines[i].to_string(),
            cols.line_rows[i].unwrap_or_default().to_owned(),
        ])?;
    }
    Ok(())
}

/// The Note of an item: an assumed due date, a payment after the as-of date (the item is
/// shown at its balance as of that date), or both; in the words of `labels` (`detail.csv`
/// always English).
fn note(labels: &Labels, assumed: bool, paid: Option<chrono::NaiveDate>, as_of: chrono::NaiveDate) -> String {
    let mut parts: Vec<String> = Vec::new();
    if assumed {
        parts.push(labels.get("detail.due_assumed").to_owned());
    }
    if let Some(paid) = paid.filter(|paid| *paid > as_of) {
        parts.push(labels.fill("detail.paid_after", &[("paid", &paid.to_string()), ("as_of", &as_of.to_string())]));
    }
    parts.join("; ")
}

/// The widest Note there can be (both parts), in characters.
fn note_width(labels: &Labels) -> usize {
    text_width(&note(labels, true, chrono::NaiveDate::from_ymd_opt(2026, 12, 31), chrono::NaiveDate::MIN)) + 1
}

/// The Detail columns holding dates (formatted by their column).
const DATE_COLS: [ColNum; 3] = [2, 3, 13];
/// The Detail columns holding whole numbers (formatted by their column).
const INTEGER_COLS: [ColNum; 4] = [DAYS_PAST_DUE_COL, 8, 15, LINES_COL];
/// The widest a Detail column gets, in characters.
const MAX_WIDTH: usize = 50;
/// Column of the source file's name.
const SOURCE_FILE_COL: ColNum = 14;
/// Column of the number of source lines an item was summed from (then "Source Rows").
const LINES_COL: ColNum = 17;

/// Writes a date as Excel's serial number (days since 1899-12-30; the 1900 system), in a
/// column formatted as dates.
fn write_date(ws: &mut Worksheet, row: RowNum, col: ColNum, date: Option<chrono::NaiveDate>) -> Result<(), XlsxError> {
    if let Some(date) = date {
        #[allow(clippy::cast_precision_loss)]
        ws.write_number(row, col, excel_serial(date) as f64)?;
    }
    Ok(())
}

/// Excel's serial number of `date` (days since 1899-12-30), right from 1900-03-01 on.
fn excel_serial(date: chrono::NaiveDate) -> i64 {
    // 1970-01-01 is serial 25,569.
    i64::from(date.to_epoch_days()) + 25_569
}

fn dates(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<chrono::NaiveDate>>> {
    let days = df.column(name)?.cast(&DataType::Int32)?;
    Ok(days.i32()?.iter().map(|d| d.map(from_epoch_days)).collect())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::excel_serial;

    #[test]
    fn excel_serials_of_dates() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(excel_serial(day(1900, 3, 1)), 61);
        assert_eq!(excel_serial(day(1970, 1, 1)), 25_569);
        assert_eq!(excel_serial(day(2025, 1, 1)), 45_658);
        assert_eq!(excel_serial(day(2026, 11, 30)), 45_658 + 365 + 333);
    }
}
