//! `aging-report.xlsx`: the sheets in order Management, Summary, Actions, Holds, By
//! Customer, Days to Pay, Detail, [Reconciliation], Rejected, Skipped, with
//! fixed document properties so that the same inputs give the same bytes.
use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveTime;
use rust_xlsxwriter::{ColNum, DocProperties, Format, RowNum, Workbook, Worksheet, XlsxError};

use super::formats::Formats;
use super::{
    ReportInput, actions_sheet, behaviour_sheet, customer_sheet, detail_sheet, history_sheet, management_sheet, pages,
    reconciliation_sheet, rejected_sheet, skipped_sheet, summary_sheet,
};
use crate::error::{Error, Result};

/// The file name inside `--out`.
pub const FILE_NAME: &str = "aging-report.xlsx";

/// Excel's limit on characters in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// What the sheets after the front ones read — Detail, Reconciliation, Rejected and
/// Skipped: the aging and the inputs, known before the actions are decided.
#[derive(Debug, Clone, Copy)]
pub struct Back<'a> {
    /// The aging.
    pub aging: &'a crate::aging::Aging,
    /// The inputs: per-source facts, rejected and skipped lines.
    pub batch: &'a crate::normalize::combine::Batch,
    /// Rows of the record files that could not be used.
    pub records_rejected: &'a [(crate::ingest::SourceRef, crate::normalize::Rejected)],
    /// Payments matched to invoices, when `--payments` was given.
    pub reconciliation: Option<&'a crate::ledger::matching::Reconciliation>,
    /// Company name from the rules (a document property).
    pub company: &'a str,
    /// The workbook's words, in `[report] language`.
    pub labels: &'static crate::catalogue::Labels,
    /// Item rows per Detail sheet.
    pub detail_rows_per_sheet: usize,
    /// Data rows per sheet of Rejected, Skipped and By Customer.
    pub rows_per_sheet: usize,
}

fn report_error(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::Workbook { what: FILE_NAME.to_owned(), source: source.into() }
}

/// How many front sheets [`front_sheets`] fills: Management, Summary, Actions, Holds,
/// History, the pages of By Customer, Days to Pay.
fn front_sheet_count(aging: &crate::aging::Aging, rows_per_sheet: usize) -> usize {
    6 + customer_sheet::page_rows_of(aging.customers.len(), aging.currencies.len(), rows_per_sheet).len()
}

/// Blank worksheets for [`front_sheets`], tied to `workbook`: the first two (Management
/// and Summary: a few dozen rows, some written out of row order) hold their cells until
/// the workbook is saved; the others (a row per action or customer, written top to
/// bottom) are in constant-memory mode, so that each row goes to a temporary file as soon
/// as the next one starts (at a million invoices they held ~150 MB).
fn blank_front_sheets(workbook: &mut Workbook, count: usize) -> Result<Vec<Worksheet>> {
    let mut sheets = vec![Worksheet::new(), Worksheet::new()];
    for _ in 2..count {
        sheets.push(workbook.new_worksheet_with_constant_memory().map_err(report_error)?);
    }
    Ok(sheets)
}

/// Where the History sheet stands among the front sheets (see [`front_sheets`]).
pub const HISTORY_AT: usize = 4;

/// Fills the History sheet into its blank worksheet (the one at [`HISTORY_AT`] of those
/// [`write_with`] hands out), on any thread: the events of `history`, with the number
/// formats of `currencies`, at most `rows_per_sheet` rows.
///
/// # Errors
/// [`Error::Internal`] for writer errors.
pub fn history_sheet(
    mut ws: Worksheet,
    history: &crate::state::timeline::Recent,
    currencies: &[crate::money::Currency],
    labels: &'static crate::catalogue::Labels,
    rows_per_sheet: usize,
) -> Result<Worksheet> {
    let formats = Formats::new(currencies.iter(), labels);
    ws.set_name(labels.sheet(history_sheet::NAME)).map_err(report_error)?;
    print_setup(&mut ws);
    history_sheet::write(&mut ws, history, rows_per_sheet, &formats).map_err(report_error)?;
    Ok(ws)
}

/// Fills the front sheets but History, in order — Management, Summary, Actions, Holds, By
/// Customer (and its further pages), Days to Pay — into the blank worksheets
/// [`write_with`] hands out, without the one at [`HISTORY_AT`] (filled on any thread;
/// [`write_with`] puts them first, the History sheet inserted at its place).
///
/// # Errors
/// [`Error::Internal`] for writer errors, or fewer blank sheets than the front sheets.
pub fn front_sheets(input: &ReportInput<'_>, blank: Vec<Worksheet>) -> Result<Vec<Worksheet>> {
    let formats = Formats::new(input.aging.currencies.iter().map(|t| &t.currency), input.labels);
    let mut blank = blank.into_iter();
    let mut sheet = |name: &str| -> Result<Worksheet> {
        let mut ws = blank.next().ok_or_else(|| Error::Internal("too few blank front sheets".into()))?;
        ws.set_name(name).map_err(report_error)?;
        print_setup(&mut ws);
        Ok(ws)
    };
    let labels = input.labels;
    let mut management = sheet(labels.sheet(management_sheet::NAME))?;
    management_sheet::write(&mut management, input.metrics, input.company, &formats).map_err(report_error)?;
    let mut summary = sheet(labels.sheet(summary_sheet::NAME))?;
    summary_sheet::write(&mut summary, input, &formats).map_err(report_error)?;
    let detail_rows = detail_rows(input).map_err(report_error)?;
    let detail_rows = actions_sheet::DetailRows { index: detail_rows, per_sheet: input.detail_rows_per_sheet };
    let mut actions = sheet(labels.sheet(actions_sheet::ACTIONS))?;
    let owners = actions_sheet::Owners::new(input).map_err(report_error)?;
    actions_sheet::write_actions(&mut actions, &input.decisions.actions, &detail_rows, &owners, &formats)
        .map_err(report_error)?;
    let mut holds = sheet(labels.sheet(actions_sheet::HOLDS))?;
    actions_sheet::write_holds(&mut holds, &input.decisions.actions, &detail_rows, &formats).map_err(report_error)?;
    let mut filled = vec![management, summary, actions, holds];
    let customer_pages = customer_sheet::page_rows(input);
    for k in 0..customer_pages.len() {
        let mut customers = sheet(&pages::sheet_name(labels, customer_sheet::NAME, k))?;
        customer_sheet::write(&mut customers, input, &formats, k, &customer_pages).map_err(report_error)?;
        filled.push(customers);
    }
    let mut behaviour = sheet(labels.sheet(behaviour_sheet::NAME))?;
    behaviour_sheet::write(&mut behaviour, &input.metrics.behaviour, &formats).map_err(report_error)?;
    filled.push(behaviour);
    Ok(filled)
}

/// Writes the workbook to `path`. `front` is handed the blank front sheets first (see
/// [`front_sheets`]) and returns how to wait for them filled; then the back sheets (Detail,
/// …, Skipped) are written in constant-memory mode, the filled front sheets are put before
/// them and the file is saved. The front sheets may be filled on another thread deciding
/// the actions meanwhile: the Detail sheets are most of the work at a million
/// invoices.
///
/// # Errors
/// [`Error::Output`] when the file cannot be written, [`Error::Internal`] for writer errors,
/// and any error of `front`.
pub fn write_with<W>(path: &Path, back: &Back<'_>, front: impl FnOnce(Vec<Worksheet>) -> W) -> Result<()>
where
    W: FnOnce() -> Result<Vec<Worksheet>>,
{
    let formats = Formats::new(back.aging.currencies.iter().map(|t| &t.currency), back.labels);
    let mut workbook = Workbook::new();
    // zlib-rs's fastest level short of its "quick" one: at a million items the file is
    // about 5% larger than at level 3 (102 MB against 97 MB) and written 15–25% faster;
    // level 1 would be 43% larger.
    workbook.set_zip_compression_level(2);
    // Same inputs and as-of date → same bytes: the creation time is the as-of date.
    let created = back.aging.as_of.and_time(NaiveTime::MIN);
    workbook.set_properties(
        &DocProperties::new()
            .set_title(back.labels.fill("document.title", &[("as_of", &back.aging.as_of.to_string())]))
            .set_company(xml_text(back.company).as_ref())
            .set_author("payback")
            .set_creation_datetime(&created),
    );
    // Constant-memory sheets number their formats workbook-wide as they first use them,
    // and the front sheets are filled on another thread while the back sheets are written
    // here: every format the back sheets use is numbered first, in a fixed order, so that
    // the numbers do not depend on which thread comes first (same inputs, same bytes).
    for format in formats.each() {
        workbook.register_format(format);
    }
    let filled = front(blank_front_sheets(&mut workbook, front_sheet_count(back.aging, back.rows_per_sheet))?);
    let sources: Vec<String> = back.batch.sources.iter().map(|s| back.labels.source(&s.source)).collect();
    let items = back.aging.open_items.height();
    add_pages(&mut workbook, back.labels, detail_sheet::NAME, items, back.detail_rows_per_sheet, |ws, rows| {
        detail_sheet::write(ws, back.aging, &sources, &formats, rows).map_err(report_error)
    })?;
    if let Some(reconciliation) = back.reconciliation {
        let ws =
            workbook.add_worksheet().set_name(back.labels.sheet(reconciliation_sheet::NAME)).map_err(report_error)?;
        print_setup(ws);
        reconciliation_sheet::write(ws, reconciliation, &formats).map_err(report_error)?;
    }
    let rejected = rejected_sheet::RejectedRows::new(back.batch, back.records_rejected, back.labels);
    add_pages(&mut workbook, back.labels, rejected_sheet::NAME, rejected.len(), back.rows_per_sheet, |ws, rows| {
        rejected.write(ws, rows, &formats).map_err(report_error)
    })?;
    let skipped = skipped_sheet::SkippedLines::new(back.batch, back.labels);
    add_pages(&mut workbook, back.labels, skipped_sheet::NAME, skipped.len(), back.rows_per_sheet, |ws, rows| {
        skipped.write(ws, rows, &formats).map_err(report_error)
    })?;
    let front = filled()?;
    let sheets = workbook.worksheets_mut();
    let back_sheets = std::mem::take(sheets);
    sheets.extend(front);
    sheets.extend(back_sheets);
    workbook.save(path).map_err(|e| match e {
        XlsxError::IoError(io) => Error::write(path.to_path_buf(), io),
        other => report_error(other),
    })
}

/// Adds the back sheet `base` in constant-memory mode, continued on `base 2`, … past
/// `per_sheet` rows (see [`pages`]): `write` writes each page's header and its `rows`
/// (0-based). The one mechanism of every sheet that may outgrow Excel's rows.
fn add_pages(
    workbook: &mut Workbook,
    labels: &crate::catalogue::Labels,
    base: &str,
    rows: usize,
    per_sheet: usize,
    mut write: impl FnMut(&mut Worksheet, std::ops::Range<usize>) -> Result<()>,
) -> Result<()> {
    for (k, page) in pages::page_rows(rows, per_sheet).into_iter().enumerate() {
        let ws = workbook
            .add_worksheet_with_constant_memory()
            .map_err(report_error)?
            .set_name(pages::sheet_name(labels, base, k))
            .map_err(report_error)?;
        print_setup(ws);
        write(ws, page)?;
    }
    Ok(())
}

/// The item index on the Detail sheets (0-based, in the aging's order) of each invoice an
/// action links to (its first one): only those, not a map of every item.
fn detail_rows(input: &ReportInput<'_>) -> polars::prelude::PolarsResult<HashMap<(String, String), usize>> {
    use crate::aging::frame::col_name as c;
    let wanted: HashSet<(&str, &str)> = input
        .decisions
        .actions
        .iter()
        .filter_map(|a| Some((a.customer.as_str(), a.invoice_nos.first()?.as_str())))
        .collect();
    let df = &input.aging.open_items;
    let (customers, invoices) = (df.column(c::CUSTOMER)?.str()?, df.column(c::INVOICE_NO)?.str()?);
    let mut index = HashMap::new();
    for (i, (customer, invoice)) in customers.iter().zip(invoices.iter()).enumerate() {
        let key = (customer.unwrap_or_default(), invoice.unwrap_or_default());
        if wanted.contains(&key) {
            index.insert((key.0.to_owned(), key.1.to_owned()), i);
        }
    }
    Ok(index)
}

/// Landscape, fit to one page wide, header row repeated on every printed page.
fn print_setup(ws: &mut Worksheet) {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    let _ = ws.set_repeat_rows(0, 0);
}

/// Writes text in the default cell style (the [`Formats::text`] format) as text, never
/// as a formula, cut to Excel's cell limit. The same cell as [`write_text`] with
/// `formats.text`, written without looking the format up: the writer hashes a `Format` on
/// every formatted write, which on a million-row Detail sheet costs seconds.
///
/// # Errors
/// Writer errors.
pub fn write_plain_text(ws: &mut Worksheet, row: RowNum, col: ColNum, text: &str) -> Result<(), XlsxError> {
    ws.write_string(row, col, cell_text(text).as_ref())?;
    Ok(())
}

/// Writes spreadsheet text as text, never as a formula, cut to Excel's cell limit.
///
/// # Errors
/// Writer errors.
pub fn write_text(ws: &mut Worksheet, row: RowNum, col: ColNum, text: &str, format: &Format) -> Result<(), XlsxError> {
    ws.write_string_with_format(row, col, cell_text(text).as_ref(), format)?;
    Ok(())
}

/// `text` as a cell holds it: control characters other than tab and line ends replaced
/// (see [`xml_text`]), cut to Excel's cell limit (with an ellipsis) when longer.
#[must_use]
pub fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    let text = xml_text(text);
    // A text of at most MAX_CELL_CHARS bytes has at most that many characters.
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        std::borrow::Cow::Owned(text.chars().take(MAX_CELL_CHARS - 1).chain(['…']).collect())
    } else {
        text
    }
}

/// `text` with every character XML 1.0 cannot hold, and every other control character
/// but tab, line feed and carriage return, replaced by U+FFFD (�). The writer puts some texts (a
/// hyperlink's) into the sheet's XML unescaped: a control character in an invoice number
/// made the workbook not well-formed. Borrowed when there is none (nearly
/// always: one scan, no copy).
#[must_use]
pub fn xml_text(text: &str) -> std::borrow::Cow<'_, str> {
    let unfit = |c: char| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    if text.contains(unfit) {
        std::borrow::Cow::Owned(text.chars().map(|c| if unfit(c) { '\u{FFFD}' } else { c }).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(
            cell_text("INV-\u{1}\u{1b}1\r\n\tx\u{7f}\u{85}\u{FFFF}"),
            "INV-\u{FFFD}\u{FFFD}1\r\n\tx\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert!(matches!(cell_text("华为 INV-1"), std::borrow::Cow::Borrowed(_)));
    }
}
