//! Report: the aging (and rejected rows) in, `aging-report.xlsx` and `summary.json` out.
//! Consumers only: nothing here changes a figure.
pub mod actions_json;
pub mod actions_sheet;
pub mod behaviour_sheet;
pub mod catalogue;
pub mod control;
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

use crate::ingest::{SkipReason, Skipped};
use crate::normalize::combine::Batch;
use crate::rules::aging::Aging;
use control::SourceControl;

/// How many input rows ended where: `read = accepted + rejected + closed + future_dated`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowCounts {
    /// Data rows read below the header (blank rows not counted).
    pub read: usize,
    /// Open items in the report.
    pub accepted: usize,
    /// Rows on the Rejected sheet.
    pub rejected: usize,
    /// Rows with a zero open amount.
    pub closed: usize,
    /// Rows invoiced after the as-of date.
    pub future_dated: usize,
    /// Lines of an invoice summed into its first line (`[input] invoice_lines = "sum"`):
    /// read, and in the report as part of that invoice's open item.
    pub invoice_lines_merged: usize,
    /// Lines that are not data rows, per reason: `title`, `blank`, `subtotal`,
    /// `repeated_header`, `group_heading`, `duplicate` (every key always present).
    pub skipped: std::collections::BTreeMap<String, usize>,
}

impl RowCounts {
    /// Counts of one source (or a whole run), with the skipped lines counted per reason.
    #[must_use]
    pub fn from_parts(
        read: usize,
        accepted: usize,
        rejected: usize,
        closed: usize,
        future_dated: usize,
        invoice_lines_merged: usize,
        skipped: &[Skipped],
    ) -> Self {
        let skipped = SkipReason::ALL
            .iter()
            .map(|reason| (reason.key().to_owned(), skipped.iter().filter(|s| s.reason == *reason).count()))
            .collect();
        Self { read, accepted, rejected, closed, future_dated, invoice_lines_merged, skipped }
    }

    /// The run's counts: the sum over its inputs.
    #[must_use]
    pub fn total(batch: &Batch, aging: &Aging) -> Self {
        let skipped: Vec<Skipped> = batch.sources.iter().flat_map(|s| s.skipped.iter().cloned()).collect();
        Self::from_parts(
            batch.sources.iter().map(|s| s.read).sum(),
            aging.open_items.height(),
            batch.sources.iter().map(|s| s.rejected.len()).sum(),
            aging.closed,
            aging.future_dated,
            batch.sources.iter().map(|s| s.lines_merged).sum(),
            &skipped,
        )
    }

    /// Whether every row read is accounted for exactly once: rows read = open + closed +
    /// future-dated + rejected + lines summed into an earlier line of their invoice.
    #[must_use]
    pub fn reconciles(&self) -> bool {
        self.read == self.accepted + self.rejected + self.closed + self.future_dated + self.invoice_lines_merged
    }
}

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
    pub reconciliation: Option<&'a crate::rules::matching::Reconciliation>,
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
    pub labels: &'static catalogue::Labels,
    /// The rules file used.
    pub rules_origin: &'a str,
    /// Item rows per Detail sheet ([`detail_sheet::MAX_ROWS_PER_SHEET`]; lower only in
    /// tests).
    pub detail_rows_per_sheet: usize,
    /// Data rows per sheet of Rejected, Skipped and By Customer
    /// ([`pages::MAX_DATA_ROWS`]; lower only in tests).
    pub rows_per_sheet: usize,
    /// The History sheet: the last 12 months of the accounts with an action this run.
    pub history: &'a crate::state::timeline::Recent,
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
