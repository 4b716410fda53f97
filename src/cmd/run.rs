//! `payback run`: ingest → normalize → age → report, then publish the outputs.
use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::cli::RunArgs;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::normalize::{combine, schema};
use crate::output::Staging;
use crate::report::{ReportInput, RowCounts, control, summary_json, workbook};
use crate::rules::aging;
use crate::{Outcome, load};

/// Runs the aging and writes `aging-report.xlsx` and `summary.json` into `--out`.
///
/// # Errors
/// Any [`Error`] that stops the run; nothing is written then.
pub fn exec(args: RunArgs, today: NaiveDate) -> Result<Outcome> {
    let config = RunConfig::new(args.input, args.as_of.unwrap_or(today), args.out)?;
    let parts = config.invoices().iter().map(|path| load::load(path, &config)).collect::<Result<Vec<_>>>()?;
    let batch = combine::combine(parts, config.rules().input.duplicates);
    if args.strict {
        let problems = super::check::problem_lines(&batch);
        if !problems.is_empty() {
            return Err(Error::Strict { count: problems.len(), problems: problems.join("\n") });
        }
    }
    let frame = schema::invoice_frame(&batch.invoices).map_err(Error::internal)?;
    let rules = config.rules();
    let aging = aging::age(frame, config.as_of(), rules.aging.basis, &rules.aging.buckets, config.default_currency())
        .map_err(Error::internal)?;
    let counts = RowCounts::total(&batch, &aging);
    let controls = control::control_totals(&batch, &aging)?;
    if !counts.reconciles() {
        return Err(Error::Internal(format!("row counts do not reconcile: {counts:?}")));
    }
    let input = ReportInput {
        aging: &aging,
        batch: &batch,
        controls,
        counts: counts.clone(),
        company: &rules.company.name,
        rules_origin: config.rules_origin(),
    };
    let mut staging = Staging::new(config.out())?;
    workbook::write(&staging.file(workbook::FILE_NAME), &input)?;
    summary_json::write(&staging.file(summary_json::FILE_NAME), &input)?;
    staging.commit()?;

    let out = config.out().display();
    let mut message = format!(
        "{} rows read: {} open, {} closed, {} future-dated, {} rejected\nwrote {out}/{} and {out}/{}",
        counts.read,
        counts.accepted,
        counts.closed,
        counts.future_dated,
        counts.rejected,
        workbook::FILE_NAME,
        summary_json::FILE_NAME,
    );
    for t in &aging.currencies {
        let _ = write!(
            message,
            "\n{}: open {} ({} items), overdue {}",
            t.currency.code(),
            t.currency.format(t.total().amount_minor),
            t.total().count,
            t.currency.format(t.overdue.amount_minor)
        );
    }
    if counts.rejected > 0 {
        let _ = write!(message, "\n{} rows rejected: see the Rejected sheet (exit code 1)", counts.rejected);
    }
    Ok(Outcome { message, exit_code: u8::from(counts.rejected > 0) })
}
