//! Report: the aging (and rejected rows) in, `aging-report.xlsx` and `summary.json` out.
//! Consumers only: nothing here changes a figure.
pub mod actions_json;
pub mod actions_sheet;
pub mod behaviour_sheet;
pub mod control_block;
pub mod customer_sheet;
pub mod detail_sheet;
pub mod formats;
pub mod history_sheet;
pub mod layout;
pub mod management_sheet;
pub mod pages;
pub mod reconciliation_sheet;
pub mod rejected_sheet;
pub mod skipped_sheet;
pub mod summary_json;
pub mod summary_sheet;
pub mod workbook;
pub mod writer;

use crate::aging::Aging;
use crate::ledger::RowCounts;
use crate::ledger::control::SourceControl;
use crate::normalize::combine::Batch;

/// Everything the report writers read.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    /// The aging.
    pub aging: &'a Aging,
    /// The inputs: per-source facts, rejected and skipped lines.
    pub batch: &'a Batch,
    /// Rows of the contacts, projects and follow-ups files that could not be used.
    pub records_rejected: &'a [(crate::ingest::SourceRef, crate::normalize::Rejected)],
    /// Rows of the side files whose customer, invoice or project is not known (also among
    /// `records_rejected`).
    pub not_matched: &'a [crate::normalize::references::NotMatched],
    /// The collection actions.
    pub decisions: &'a crate::rules::action::Decisions,
    /// Payments matched to invoices, when `--payments` was given.
    pub reconciliation: Option<&'a crate::ledger::matching::Reconciliation>,
    /// Row accounting of the whole run.
    pub counts: RowCounts,
    /// Control totals per input.
    pub controls: Vec<SourceControl>,
    /// The management metrics and trend.
    pub metrics: &'a crate::metrics::Metrics,
    /// Company name from the rules.
    pub company: &'a str,
    /// Our projects (the projects file): the owners of tasks.
    pub projects: &'a [crate::normalize::records::Project],
    /// Who signs for the company (the owner of tasks without a project manager).
    pub sign_off: &'a str,
    /// The workbook's words, in `[report] language`.
    pub labels: &'static crate::catalogue::Labels,
    /// The rules file used.
    pub rules_origin: &'a str,
    /// Item rows per Detail sheet ([`detail_sheet::MAX_ROWS_PER_SHEET`]; lower only in
    /// tests).
    pub detail_rows_per_sheet: usize,
    /// Data rows per sheet of Rejected, Skipped and By Customer
    /// ([`pages::MAX_DATA_ROWS`]; lower only in tests).
    pub rows_per_sheet: usize,
}

/// Day range of a bucket for people: `≤ 0`, `1–30`, `≥ 121`.
#[must_use]
pub fn day_range(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (None, Some(max)) => format!("≤ {max}"),
        (Some(min), None) => format!("≥ {min}"),
        (Some(min), Some(max)) => format!("{min}–{max}"),
        (None, None) => "all".to_owned(),
    }
}
