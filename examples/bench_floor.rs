//! The floor of issue 7's benchmark: only read the invoices with the crates payback reads
//! them with, and only write a workbook holding the same cells as payback's Detail sheet.
//! payback cannot be faster than this; `bench/run.sh` reports payback's time as a multiple
//! of it.
//!
//! ```text
//! cargo run --release --example bench_floor -- read  INVOICES.(csv|xlsx)
//! cargo run --release --example bench_floor -- both  INVOICES.(csv|xlsx) OUT.xlsx [--as-of 2026-11-30]
//! ```
//!
//! - Reading: a CSV through the `csv` crate (byte records of the whole file, checked as
//!   UTF-8, as `src/ingest/csv.rs` does), a workbook through calamine's streaming cell
//!   reader (as `src/ingest/workbook.rs`); values land in typed columns: text as `String`,
//!   dates as `NaiveDate`, amounts as integer minor units (cents). Columns are found by
//!   the header names of `bench_gen` (`customer`, `invoice_no`, …).
//! - Writing (`both`): the open rows (open amount ≠ 0, invoice date ≤ as-of) as the 17
//!   columns of `src/report/detail_sheet.rs` with the same kind of write per cell (text,
//!   date, number with a per-currency money format, integer), header format, widths,
//!   freeze panes, autofilter and the days-past-due colours, `rust_xlsxwriter` in
//!   constant-memory mode with payback's compression level, and payback's allocator
//!   (mimalloc). No aging beyond the per-row days and bucket, no other sheet.
//!
//! With `both`, one JSON line on stderr gives each phase's wall and CPU seconds, and the
//! write phase's peak RSS (the kernel's high-water mark is reset between the phases
//! through `/proc/self/clear_refs`), so "write alone" is measured without a second copy of
//! the data.
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use calamine::{DataRef, DataType, Reader, Xlsx, open_workbook};
use chrono::{Datelike, NaiveDate};
// payback's Detail headers: the floor writes the same sheet.
use payback::report::detail_sheet::HEADERS;
use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

type Error = Box<dyn std::error::Error>;

const BUCKETS: [&str; 6] = ["Not due", "1-30", "31-60", "61-90", "91-120", "Over 120"];
/// The input columns the floor reads, by header.
const FIELDS: [&str; 9] = [
    "customer",
    "invoice_no",
    "invoice_date",
    "due_date",
    "amount",
    "paid_amount",
    "currency",
    "project",
    "project_manager",
];

/// The invoices as typed columns.
#[derive(Default)]
struct Columns {
    customer: Vec<String>,
    invoice_no: Vec<String>,
    invoice_date: Vec<NaiveDate>,
    due_date: Vec<NaiveDate>,
    amount: Vec<i64>,
    paid: Vec<i64>,
    currency: Vec<String>,
    project: Vec<String>,
    project_manager: Vec<String>,
    /// The row number in the file (header = 1).
    source_row: Vec<u32>,
}

/// Wall and CPU (user + sys) seconds of the process so far.
fn clock() -> (Instant, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name in parentheses; utime and stime are fields 14 and 15,
    // in USER_HZ (100 per second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (Instant::now(), (ticks(11) + ticks(12)) / 100.0)
}

/// Peak resident set size in KiB since the last reset.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The same allocator as the `payback` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench_floor read INVOICES | bench_floor both INVOICES OUT.xlsx [--as-of YYYY-MM-DD]";
    let mode = args.first().ok_or(usage)?.as_str();
    let input = Path::new(args.get(1).ok_or(usage)?);
    let as_of = match args.iter().position(|a| a == "--as-of") {
        Some(i) => args.get(i + 1).ok_or(usage)?.parse()?,
        None => NaiveDate::from_ymd_opt(2026, 11, 30).ok_or("date")?,
    };
    let start = clock();
    let columns = read(input)?;
    let checksum: i64 = columns.amount.iter().sum::<i64>() - columns.paid.iter().sum::<i64>();
    let read_done = clock();
    match mode {
        "read" => {
            println!("read {} rows, open total {checksum} minor units", columns.amount.len());
            Ok(())
        }
        "both" => {
            let out = Path::new(args.get(2).ok_or(usage)?);
            // Reset the high-water mark so that the next one is the write phase's.
            let _ = std::fs::write("/proc/self/clear_refs", "5");
            let written = write(&columns, &input.display().to_string(), as_of, out)?;
            let done = clock();
            eprintln!(
                "{{\"rows\":{},\"detail_rows\":{written},\"read_wall\":{:.3},\"read_cpu\":{:.2},\"write_wall\":{:.3},\"write_cpu\":{:.2},\"write_peak_rss_kib\":{}}}",
                columns.amount.len(),
                (read_done.0 - start.0).as_secs_f64(),
                read_done.1 - start.1,
                (done.0 - read_done.0).as_secs_f64(),
                done.1 - read_done.1,
                peak_rss_kib(),
            );
            println!("read {} rows, wrote {written} detail rows, open total {checksum}", columns.amount.len());
            Ok(())
        }
        _ => Err(usage.into()),
    }
}

fn read(path: &Path) -> Result<Columns, Error> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    if extension == "xlsx" { read_xlsx(path) } else { read_csv(path) }
}

/// Where each of [`FIELDS`] is in the header.
fn positions<'a>(headers: impl Iterator<Item = &'a str>) -> Result<[usize; 9], Error> {
    let headers: Vec<&str> = headers.collect();
    let mut found = [0; 9];
    for (slot, field) in found.iter_mut().zip(FIELDS) {
        *slot = headers.iter().position(|h| h.trim() == field).ok_or_else(|| format!("no column {field}"))?;
    }
    Ok(found)
}

fn read_csv(path: &Path) -> Result<Columns, Error> {
    let bytes = std::fs::read(path)?;
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record)? {
        return Err("empty file".into());
    }
    let at = positions(record.iter().map(|f| std::str::from_utf8(f).unwrap_or_default()))?;
    let mut c = Columns::default();
    let mut line = 1u32;
    while reader.read_byte_record(&mut record)? {
        line += 1;
        let field = |i: usize| std::str::from_utf8(record.get(at[i]).unwrap_or_default());
        c.customer.push(field(0)?.to_owned());
        c.invoice_no.push(field(1)?.to_owned());
        c.invoice_date.push(field(2)?.parse()?);
        c.due_date.push(field(3)?.parse()?);
        c.amount.push(cents(field(4)?)?);
        c.paid.push(cents(field(5)?)?);
        c.currency.push(field(6)?.to_owned());
        c.project.push(field(7)?.to_owned());
        c.project_manager.push(field(8)?.to_owned());
        c.source_row.push(line);
    }
    Ok(c)
}

/// `-12.34` → -1234; at most two decimal places.
fn cents(text: &str) -> Result<i64, Error> {
    let (negative, digits) = text.strip_prefix('-').map_or((false, text), |d| (true, d));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if fraction.len() > 2 {
        return Err(format!("{text}: more than two decimals").into());
    }
    let mut minor = whole.parse::<i64>()? * 100;
    if !fraction.is_empty() {
        minor += fraction.parse::<i64>()? * if fraction.len() == 1 { 10 } else { 1 };
    }
    Ok(if negative { -minor } else { minor })
}

fn read_xlsx(path: &Path) -> Result<Columns, Error> {
    let mut workbook: Xlsx<_> = open_workbook(path)?;
    let name = workbook.sheet_names().first().cloned().ok_or("no sheet")?;
    let mut reader = workbook.worksheet_cells_reader(&name)?;
    // Cells of the current row, by column, until the row is complete.
    let mut row_cells: Vec<Option<DataRef<'_>>> = vec![None; 32];
    let mut current_row = 0;
    let mut at: Option<[usize; 9]> = None;
    let mut c = Columns::default();
    while let Some(cell) = reader.next_cell()? {
        let (row, col) = cell.get_position();
        if row != current_row {
            take_row(&mut row_cells, current_row, &mut at, &mut c)?;
            current_row = row;
        }
        if let Some(slot) = row_cells.get_mut(usize::try_from(col)?) {
            *slot = Some(cell.get_value().clone());
        }
    }
    take_row(&mut row_cells, current_row, &mut at, &mut c)?;
    Ok(c)
}

/// Moves a complete row's cells into the columns (the first row is the header).
fn take_row(
    cells: &mut [Option<DataRef<'_>>],
    row: u32,
    at: &mut Option<[usize; 9]>,
    c: &mut Columns,
) -> Result<(), Error> {
    let text = |v: &Option<DataRef<'_>>| match v {
        Some(DataRef::String(s)) => s.clone(),
        Some(DataRef::SharedString(s)) => (*s).to_owned(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    };
    let Some(at) = at else {
        let headers: Vec<String> = cells.iter().map(text).collect();
        *at = Some(positions(headers.iter().map(String::as_str))?);
        cells.fill(None);
        return Ok(());
    };
    let date = |i: usize| cells[at[i]].as_ref().and_then(DataType::as_date).ok_or("not a date");
    #[allow(clippy::cast_possible_truncation)]
    let money = |i: usize| cells[at[i]].as_ref().and_then(DataType::as_f64).map(|f| (f * 100.0).round() as i64);
    c.customer.push(text(&cells[at[0]]));
    c.invoice_no.push(text(&cells[at[1]]));
    c.invoice_date.push(date(2)?);
    c.due_date.push(date(3)?);
    c.amount.push(money(4).ok_or("amount")?);
    c.paid.push(money(5).unwrap_or(0));
    c.currency.push(text(&cells[at[6]]));
    c.project.push(text(&cells[at[7]]));
    c.project_manager.push(text(&cells[at[8]]));
    c.source_row.push(row + 1);
    cells.fill(None);
    Ok(())
}

/// Writes the Detail-like sheet; returns the number of item rows.
fn write(c: &Columns, source: &str, as_of: NaiveDate, out: &Path) -> Result<u32, Error> {
    let mut workbook = Workbook::new();
    // payback's writer settings: its compression level, text in the default style written
    // without a format (the same cell as `Format::new()`, without the per-cell format lookup).
    workbook.set_zip_compression_level(2);
    let mut money: HashMap<&str, Format> = HashMap::new();
    for code in &c.currency {
        money.entry(code.as_str()).or_insert_with(|| {
            Format::new().set_num_format(format!("\"{code}\"#,##0.00;[Red]-\"{code}\"#,##0.00;\"–\""))
        });
    }
    let open_rows: Vec<usize> =
        (0..c.amount.len()).filter(|&i| c.amount[i] != c.paid[i] && c.invoice_date[i] <= as_of).collect();
    // As payback: past Excel's row limit the rows go on "Detail 2", "Detail 3", …
    for (k, rows) in open_rows.chunks(ROWS_PER_SHEET).enumerate() {
        let name = if k == 0 { "Detail".to_owned() } else { format!("Detail {}", k + 1) };
        let ws = workbook.add_worksheet_with_constant_memory()?.set_name(name)?;
        write_sheet(ws, c, rows, &money, source, as_of)?;
    }
    if open_rows.is_empty() {
        let ws = workbook.add_worksheet_with_constant_memory()?.set_name("Detail")?;
        write_sheet(ws, c, &[], &money, source, as_of)?;
    }
    workbook.save(out)?;
    Ok(u32::try_from(open_rows.len())?)
}

/// Item rows on one sheet: Excel's 1,048,576 rows less the header (as payback).
const ROWS_PER_SHEET: usize = 1_048_575;

/// One Detail sheet: the header and the invoices `rows` (indexes into `c`).
fn write_sheet(
    ws: &mut Worksheet,
    c: &Columns,
    rows: &[usize],
    money: &HashMap<&str, Format>,
    source: &str,
    as_of: NaiveDate,
) -> Result<(), Error> {
    let header = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x1F_4E_79))
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd").set_align(FormatAlign::Left);
    let integer = Format::new().set_num_format("#,##0");
    let last = u32::try_from(rows.len())?;
    for col in 0..17u16 {
        ws.set_column_width(col, if matches!(col, 5 | 6) { 17 } else { 14 })?;
    }
    // As payback: dates and whole numbers take their column's format (no Format hashed per cell).
    for col in [2, 3] {
        ws.set_column_format(col, &date)?;
    }
    for col in [7, 8, 15] {
        ws.set_column_format(col, &integer)?;
    }
    ws.set_row_height(0, 30)?;
    for (col, h) in (0u16..).zip(HEADERS) {
        ws.write_string_with_format(0, col, h, &header)?;
    }
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, last.max(1), 16)?;
    colour_days(ws, last.max(1))?;
    let days = |d: NaiveDate| i64::from(as_of.num_days_from_ce() - d.num_days_from_ce());
    for (row, &i) in (1u32..).zip(rows) {
        let open = c.amount[i] - c.paid[i];
        let past_due = days(c.due_date[i]);
        let bucket = match past_due {
            i64::MIN..=0 => 0,
            1..=30 => 1,
            31..=60 => 2,
            61..=90 => 3,
            91..=120 => 4,
            _ => 5,
        };
        let money = &money[c.currency[i].as_str()];
        ws.write_string(row, 0, &c.customer[i])?;
        ws.write_string(row, 1, &c.invoice_no[i])?;
        ws.write_number(row, 2, serial(c.invoice_date[i]))?;
        ws.write_number(row, 3, serial(c.due_date[i]))?;
        ws.write_string(row, 4, &c.currency[i])?;
        #[allow(clippy::cast_precision_loss)]
        {
            ws.write_number_with_format(row, 5, c.amount[i] as f64 / 100.0, money)?;
            ws.write_number_with_format(row, 6, open as f64 / 100.0, money)?;
            ws.write_number(row, 7, past_due as f64)?;
            ws.write_number(row, 8, days(c.invoice_date[i]) as f64)?;
        }
        ws.write_string(row, 9, BUCKETS[bucket])?;
        ws.write_string(row, 10, &c.project[i])?;
        ws.write_string(row, 12, &c.project_manager[i])?;
        ws.write_string(row, 14, source)?;
        ws.write_number(row, 15, f64::from(c.source_row[i]))?;
    }
    Ok(())
}

/// Excel's serial number of a date (days since 1899-12-30).
fn serial(date: NaiveDate) -> f64 {
    f64::from(date.to_epoch_days() + 25_569)
}

/// The days-past-due colours of payback's Detail sheet (1–30, 31–90, over 90).
fn colour_days(ws: &mut Worksheet, last: u32) -> Result<(), XlsxError> {
    let fill = |rgb: u32| Format::new().set_background_color(Color::RGB(rgb));
    for (rule, format) in [
        (ConditionalFormatCellRule::Between(1, 30), fill(0xFF_F2_CC)),
        (ConditionalFormatCellRule::Between(31, 90), fill(0xFC_E4_D6)),
        (ConditionalFormatCellRule::GreaterThan(90), fill(0xFF_C7_CE)),
    ] {
        ws.add_conditional_format(1, 7, last, 7, &ConditionalFormatCell::new().set_rule(rule).set_format(&format))?;
    }
    Ok(())
}
