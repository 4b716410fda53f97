//! `summary.json`: the aging in machine-readable form. Amounts are decimal strings, exact.
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{ReportInput, RowCounts};
use crate::error::{Error, Result};
use crate::ledger::control::SourceControl;

/// The file name inside `--out`.
pub const FILE_NAME: &str = "summary.json";

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// As-of date, `YYYY-MM-DD`.
    pub as_of: String,
    /// `due_date` or `invoice_date`.
    pub basis: String,
    /// The rules used: a file path or `built-in defaults`.
    pub rules: String,
    /// Each input file with its control totals, in command-line order.
    pub inputs: Vec<SourceControl>,
    /// Where every input row went.
    pub rows: RowCounts,
    /// Number of customer × currency rows on the By Customer sheet.
    pub customers: usize,
    /// Per currency code.
    pub currencies: BTreeMap<String, CurrencySummary>,
    /// Per currency code, when `--payments` was given: money received and where it went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<BTreeMap<String, PaymentSummary>>,
    /// The period the metrics cover.
    pub period: PeriodSummary,
    /// Rows of the side files (contacts, projects, follow-ups, milestones) naming a
    /// customer, invoice or project that is not in the invoices (or the projects).
    pub not_matched: Vec<NotMatchedSummary>,
}

/// A side-file row whose reference is not known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotMatchedSummary {
    /// `contacts`, `projects`, `followups` or `milestones`.
    pub table: String,
    /// The file (and sheet).
    pub file: String,
    /// The row in the file.
    pub row: usize,
    /// `customer`, `invoice_no` or `project`.
    pub column: String,
    /// The value as read.
    pub value: String,
    /// The most similar known name, `null` when none is similar.
    pub closest: Option<String>,
    /// The sentence on the Rejected sheet.
    pub reason: String,
}

/// The period of the metrics: `(start, end]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodSummary {
    /// The day before the period's first day (the previous run's as-of date, when there was
    /// one).
    pub start: String,
    /// The as-of date.
    pub end: String,
    /// `previous_run` or `rebuilt` (no earlier run: beginning AR rebuilt from the invoices).
    pub beginning: String,
}

/// The metrics of one currency (see README "Metrics"). Ratios are decimal strings with one
/// place, `null` when they cannot be computed (no sales, nothing collectible).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsSummary {
    /// Simple DSO in days.
    pub dso: Option<String>,
    /// Countback DSO in days.
    pub dso_countback: Option<String>,
    /// Collection effectiveness index in percent.
    pub cei: Option<String>,
    /// Overdue ÷ open in percent.
    pub overdue_share: Option<String>,
    /// Open AR at the start of the period.
    pub beginning_ar: String,
    /// Credit sales in the period.
    pub sales: String,
    /// Cash applied to invoices in the period.
    pub collected: String,
    /// Invoices dated in the period (`sales` = invoiced − credit notes).
    pub invoiced: String,
    /// Credit notes dated in the period, as a positive amount.
    pub credit_notes: String,
    /// Ending AR − (beginning + invoiced − credit notes − collected); the invoices behind
    /// it are on the Management sheet.
    pub not_explained: String,
}

/// Payments of one currency: `total_in = applied + unapplied`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSummary {
    /// Number of payments.
    pub count: usize,
    /// Money received.
    pub total_in: String,
    /// Applied to invoices.
    pub applied: String,
    /// Not applied: credit on account, unmatched, or after the as-of date.
    pub unapplied: String,
}

/// Totals of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencySummary {
    /// Sum of open amounts.
    pub total_open: String,
    /// Number of open items.
    pub count: u64,
    /// Open amount past its due date.
    pub overdue: String,
    /// Number of overdue items.
    pub overdue_count: u64,
    /// One entry per bucket, in order.
    pub buckets: Vec<BucketSummary>,
    /// Payments in this currency, when `--payments` was given (shown beside the open
    /// amounts, never netted into them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<PaymentSummary>,
    /// DSO, CEI, share overdue and the period's figures.
    pub metrics: MetricsSummary,
}

/// One bucket of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketSummary {
    /// Bucket label.
    pub label: String,
    /// Lowest day count, `null` for none.
    pub min_days: Option<i64>,
    /// Highest day count, `null` for none.
    pub max_days: Option<i64>,
    /// Number of items.
    pub count: u64,
    /// Sum of open amounts.
    pub amount: String,
}

impl Summary {
    /// Builds the summary from the report input.
    #[must_use]
    #[allow(clippy::too_many_lines)] // one field after the other, in the order of the file
    pub fn new(input: &ReportInput<'_>) -> Self {
        let aging = input.aging;
        let payments: Option<BTreeMap<String, PaymentSummary>> = input.reconciliation.map(|r| {
            r.totals()
                .into_iter()
                .filter_map(|(code, t)| {
                    let currency = crate::money::Currency::parse(&code)?;
                    Some((
                        code,
                        PaymentSummary {
                            count: t.count,
                            total_in: currency.format(t.total_in),
                            applied: currency.format(t.applied),
                            unapplied: currency.format(t.unapplied),
                        },
                    ))
                })
                .collect()
        });
        // The aging's currencies, then those with nothing open but activity in the period
        // (sales, cash, an earlier balance), with zero buckets and their metrics.
        let idle: Vec<crate::aging::AgingTotals> = input
            .metrics
            .currencies
            .iter()
            .filter(|m| !aging.currencies.iter().any(|t| t.currency == m.currency))
            .map(|m| crate::aging::AgingTotals {
                currency: m.currency.clone(),
                buckets: vec![crate::aging::BucketTotal::default(); aging.buckets.len()],
                overdue: crate::aging::BucketTotal::default(),
            })
            .collect();
        let currencies = aging
            .currencies
            .iter()
            .chain(&idle)
            .map(|t| {
                let cur = &t.currency;
                let buckets = aging
                    .buckets
                    .iter()
                    .zip(&t.buckets)
                    .map(|(spec, b)| BucketSummary {
                        label: spec.label.clone(),
                        min_days: spec.min_days,
                        max_days: spec.max_days,
                        count: b.count,
                        amount: cur.format(b.amount_minor),
                    })
                    .collect();
                let payments = payments.as_ref().and_then(|p| p.get(cur.code()).cloned());
                let metrics = input.metrics.currencies.iter().find(|m| m.currency == *cur).map_or_else(
                    || MetricsSummary {
                        dso: None,
                        dso_countback: None,
                        cei: None,
                        overdue_share: None,
                        beginning_ar: cur.format(0),
                        sales: cur.format(0),
                        collected: cur.format(0),
                        invoiced: cur.format(0),
                        credit_notes: cur.format(0),
                        not_explained: cur.format(0),
                    },
                    |m| MetricsSummary {
                        dso: crate::metrics::text(m.dso),
                        dso_countback: crate::metrics::text(m.dso_countback),
                        cei: crate::metrics::text(m.cei),
                        overdue_share: crate::metrics::text(m.overdue_share),
                        beginning_ar: cur.format(m.beginning),
                        sales: cur.format(m.sales),
                        collected: cur.format(m.collected),
                        invoiced: cur.format(m.invoiced),
                        credit_notes: cur.format(m.credit_notes),
                        not_explained: cur.format(m.not_explained),
                    },
                );
                let summary = CurrencySummary {
                    total_open: cur.format(t.total().amount_minor),
                    count: t.total().count,
                    overdue: cur.format(t.overdue.amount_minor),
                    overdue_count: t.overdue.count,
                    buckets,
                    payments,
                    metrics,
                };
                (cur.code().to_owned(), summary)
            })
            .collect();
        Self {
            as_of: aging.as_of.format("%Y-%m-%d").to_string(),
            basis: aging.basis.as_str().to_owned(),
            rules: input.rules_origin.to_owned(),
            inputs: input.controls.clone(),
            rows: input.counts.clone(),
            customers: aging.customers.len(),
            currencies,
            payments,
            period: PeriodSummary {
                start: input.metrics.period_start.to_string(),
                end: input.metrics.as_of.to_string(),
                beginning: match input.metrics.beginning {
                    crate::metrics::Beginning::PreviousRun => "previous_run".into(),
                    crate::metrics::Beginning::Rebuilt => "rebuilt".into(),
                },
            },
            not_matched: input
                .not_matched
                .iter()
                .map(|n| NotMatchedSummary {
                    table: n.table.to_owned(),
                    file: n.source.describe(),
                    row: n.row,
                    column: n.column.to_owned(),
                    value: n.value.clone(),
                    closest: n.closest.clone(),
                    reason: n.reason.english(),
                })
                .collect(),
        }
    }
}

/// Writes `summary.json` to `path`.
///
/// # Errors
/// [`Error::Output`] when the file cannot be written.
pub fn write(path: &Path, input: &ReportInput<'_>) -> Result<()> {
    let mut text = serde_json::to_string_pretty(&Summary::new(input)).map_err(Error::internal)?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| Error::write(path.to_path_buf(), e))
}
