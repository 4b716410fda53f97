//! `aging-report.xlsx`: the sheets in order Management, Summary, Actions, Holds, By
//! Customer, Days to Pay, Detail, [Reconciliation], Rejected, Skipped, with
//! fixed document properties so that the same inputs give the same bytes.
use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveTime;
use rust_xlsxwriter::{ColNum, DocProperties, Format, RowNum, Workbook, Worksheet, XlsxError};

use super::formats::Formats;
use super::{
    ReportInput, actions_sheet, behaviour_sheet, customer_sheet, detail_sheet, management_sheet, reconciliation_sheet,
    rejected_sheet, skipped_sheet, summary_sheet,
};
use crate::error::{Error, Result};

/// The file name inside `--out`.
pub const FILE_NAME: &str = "aging-report.xlsx";

/// Excel's limit on characters in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Writes the workbook to `path`.
///
/// # Errors
/// [`Error::Output`] when the file cannot be written, [`Error::Internal`] for writer errors.
pub fn write(path: &Path, input: &ReportInput<'_>) -> Result<()> {
    let report_error = |e: String| Error::Internal(format!("writing {FILE_NAME}: {e}"));
    let formats = Formats::new(input.aging.currencies.iter().map(|t| &t.currency));
    let mut workbook = Workbook::new();
    // Excel's own level: about 30% less time to save than the writer's default (6) for a
    // file about 10% larger (issue 7).
    workbook.set_zip_compression_level(3);
    // Same inputs and as-of date → same bytes: the creation time is the as-of date.
    let created = input.aging.as_of.and_time(NaiveTime::MIN);
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Accounts receivable aging as of {}", input.aging.as_of))
            .set_company(input.company)
            .set_author("payback")
            .set_creation_datetime(&created),
    );
    let ws = workbook.add_worksheet().set_name(management_sheet::NAME).map_err(|e| report_error(e.to_string()))?;
    print_setup(ws);
    management_sheet::write(ws, input.metrics, input.company, &formats).map_err(|e| report_error(e.to_string()))?;
    let ws = workbook.add_worksheet().set_name(summary_sheet::NAME).map_err(|e| report_error(e.to_string()))?;
    print_setup(ws);
    summary_sheet::write(ws, input, &formats).map_err(|e| report_error(e.to_string()))?;
    let ws = workbook.add_worksheet().set_name(actions_sheet::ACTIONS).map_err(|e| report_error(e.to_string()))?;
    print_setup(ws);
    let detail_rows = detail_rows(input).map_err(|e| report_error(e.to_string()))?;
    let detail_rows = actions_sheet::DetailRows { index: detail_rows, per_sheet: input.detail_rows_per_sheet };
    actions_sheet::write_actions(ws, &input.decisions.actions, &detail_rows, &formats)
        .map_err(|e| report_error(e.to_string()))?;
    let ws = workbook.add_worksheet().set_name(actions_sheet::HOLDS).map_err(|e| report_error(e.to_string()))?;
    print_setup(ws);
    actions_sheet::write_holds(ws, &input.decisions.actions, &detail_rows, &formats)
        .map_err(|e| report_error(e.to_string()))?;
    let ws = workbook.add_worksheet().set_name(customer_sheet::NAME).map_err(|e| report_error(e.to_string()))?;
    print_setup(ws);
    customer_sheet::write(ws, input, &formats).map_err(|e| report_error(e.to_string()))?;
    let ws = workbook.add_worksheet().set_name(behaviour_sheet::NAME).map_err(|e| report_error(e.to_string()))?;
    print_setup(ws);
    behaviour_sheet::write(ws, &input.metrics.behaviour, &formats).map_err(|e| report_error(e.to_string()))?;
    let sources: Vec<String> = input.batch.sources.iter().map(|s| s.source.describe()).collect();
    let items = input.aging.open_items.height();
    for (k, rows) in detail_sheet::sheet_rows(items, input.detail_rows_per_sheet).into_iter().enumerate() {
        let ws = workbook
            .add_worksheet_with_constant_memory()
            .map_err(|e| report_error(e.to_string()))?
            .set_name(detail_sheet::sheet_name(k))
            .map_err(|e| report_error(e.to_string()))?;
        print_setup(ws);
        detail_sheet::write(ws, input.aging, &sources, &formats, rows).map_err(report_error)?;
    }
    if let Some(reconciliation) = input.reconciliation {
        let ws =
            workbook.add_worksheet().set_name(reconciliation_sheet::NAME).map_err(|e| report_error(e.to_string()))?;
        print_setup(ws);
        reconciliation_sheet::write(ws, reconciliation, &formats).map_err(|e| report_error(e.to_string()))?;
    }
    let ws = workbook
        .add_worksheet_with_constant_memory()
        .map_err(|e| report_error(e.to_string()))?
        .set_name(rejected_sheet::NAME)
        .map_err(|e| report_error(e.to_string()))?;
    print_setup(ws);
    rejected_sheet::write(ws, input.batch, input.records_rejected, &formats)
        .map_err(|e| report_error(e.to_string()))?;
    let ws = workbook
        .add_worksheet_with_constant_memory()
        .map_err(|e| report_error(e.to_string()))?
        .set_name(skipped_sheet::NAME)
        .map_err(|e| report_error(e.to_string()))?;
    print_setup(ws);
    skipped_sheet::write(ws, input.batch, &formats).map_err(|e| report_error(e.to_string()))?;
    workbook.save(path).map_err(|e| match e {
        XlsxError::IoError(io) => Error::Output { path: path.to_path_buf(), reason: io.to_string() },
        other => report_error(other.to_string()),
    })
}

/// The item index on the Detail sheets (0-based, in the aging's order) of each invoice an
/// action links to (its first one): only those, not a map of every item.
fn detail_rows(input: &ReportInput<'_>) -> polars::prelude::PolarsResult<HashMap<(String, String), usize>> {
    use crate::normalize::schema::col_name as c;
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

/// `text` cut to Excel's cell limit (with an ellipsis) when longer.
#[must_use]
pub fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    // A text of at most MAX_CELL_CHARS bytes has at most that many characters.
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        std::borrow::Cow::Owned(text.chars().take(MAX_CELL_CHARS - 1).chain(['…']).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}
