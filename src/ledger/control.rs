//! Control totals: per input file, where every row and every amount went. Rows read =
//! open + closed + future-dated + rejected (+ lines summed into an earlier line of their
//! invoice, whose amounts are in that invoice's); per currency, the amount read (the open
//! amounts as the export states them, summed while normalizing) + what was paid after the
//! as-of date and so is open again as of it = reported + closed + future-dated (summed by
//! the aging) + rejected + duplicates skipped + paid by the payments matched in the run. A
//! run whose figures disagree stops with an error.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::RowCounts;
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::normalize::Normalized;
use crate::normalize::combine::Batch;
use crate::normalize::date_order::DateOrderUsed;

/// Amount and item count of one bucket, or of the rows of one input that ended one way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BucketTotal {
    /// Number of open items.
    pub count: u64,
    /// Sum of open amounts, minor units.
    pub amount_minor: i64,
}

/// Where one input's rows of one currency ended: open, closed or future-dated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceFigures {
    /// Open items (in the report).
    pub open: BucketTotal,
    /// Zero-balance rows.
    pub closed: BucketTotal,
    /// Rows invoiced after the as-of date.
    pub future_dated: BucketTotal,
}

/// The control totals of one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceControl {
    /// Path as given.
    pub file: String,
    /// Sheet, for workbooks.
    pub sheet: Option<String>,
    /// Export preset used.
    pub preset: Option<String>,
    /// Where the invoices' currencies come from: `column`, `default` (no currency column:
    /// every row in `[company] currency` or `--currency`) or `mixed` (a currency column
    /// with empty cells, those rows in the default).
    pub currency_source: String,
    /// Where the rows went.
    pub rows: RowCounts,
    /// Per currency code: where the amounts went.
    pub amounts: BTreeMap<String, AmountCheck>,
    /// The day/month order of the file's text dates and why (`{"order": "mdy",
    /// "evidence": "row 7: 1/26/2013", "column": "InvoiceDate"}`, or `"evidence":
    /// "--date-order"` when set); `null` when none was set and the values settled none.
    #[serde(default)]
    pub date_order: Option<DateOrderUsed>,
}

/// One currency of one input, as decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountCheck {
    /// Open amounts of every row whose amount could be read.
    pub read: String,
    /// Open amounts in the report.
    pub reported: String,
    /// Open amounts of closed rows (always zero).
    pub closed: String,
    /// Open amounts of rows invoiced after the as-of date.
    pub future_dated: String,
    /// Open amounts of rejected rows whose amount could be read.
    pub rejected: String,
    /// Open amounts of duplicate rows skipped.
    pub duplicates_skipped: String,
    /// Paid by the payments matched in this run (`--payments`).
    pub paid_by_payments: String,
    /// Shown as paid by the export but on a date after the as-of date: open as of it.
    pub paid_after_as_of: String,
}

/// Computes and checks the control totals of every input.
///
/// # Errors
/// [`Error::Internal`] when rows or amounts do not reconcile to the cent.
pub(crate) fn control_totals(
    batch: &Batch,
    figures: &BTreeMap<(usize, String), SourceFigures>,
    paid: &BTreeMap<(usize, String), i64>,
) -> Result<Vec<SourceControl>> {
    batch
        .sources
        .iter()
        .enumerate()
        .map(|(index, source)| source_control(index, source, batch, figures, paid))
        .collect()
}

fn source_control(
    index: usize,
    source: &Normalized,
    batch: &Batch,
    by_source: &BTreeMap<(usize, String), SourceFigures>,
    paid: &BTreeMap<(usize, String), i64>,
) -> Result<SourceControl> {
    let figures: Vec<_> = by_source.iter().filter(|((s, _), _)| *s == index).collect();
    let count = |pick: fn(&SourceFigures) -> u64| {
        usize::try_from(figures.iter().map(|(_, f)| pick(f)).sum::<u64>()).unwrap_or(usize::MAX)
    };
    let rows = RowCounts::from_parts(
        source.read,
        count(|f| f.open.count),
        source.rejected.len(),
        count(|f| f.closed.count),
        count(|f| f.future_dated.count),
        source.lines_merged,
        &source.skipped,
    );
    let mismatch = |what: String| {
        Error::Internal(format!("control totals of {} do not reconcile: {what}", source.source.describe()))
    };
    if !rows.reconciles() {
        return Err(mismatch(format!("{rows:?}")));
    }
    // The two sides are added in i128: they cannot both wrap and still agree.
    // The sums they are made of are bounded by the sum budget (normalize::sum_budget).
    let mut rejected: BTreeMap<&str, i128> = BTreeMap::new();
    for (currency, open) in source.rejected.iter().filter_map(|r| r.open.as_ref()) {
        *rejected.entry(currency.code()).or_default() += i128::from(*open);
    }
    let mut codes: Vec<&str> = source.amounts_read.keys().map(String::as_str).collect();
    codes.extend(figures.iter().map(|((_, code), _)| code.as_str()));
    codes.sort_unstable();
    codes.dedup();
    let mut amounts = BTreeMap::new();
    for code in codes {
        let currency = Currency::parse(code).ok_or_else(|| mismatch(format!("unknown currency {code}")))?;
        let f = by_source.get(&(index, code.to_owned())).copied().unwrap_or_default();
        let read = source.amounts_read.get(code).copied().unwrap_or(0);
        let rejected = rejected.get(code).copied().unwrap_or(0);
        let duplicates = source.duplicate_amounts.get(code).copied().unwrap_or(0);
        let paid_now = paid.get(&(index, code.to_owned())).copied().unwrap_or(0);
        let reopened = batch.reopened.get(&(index, code.to_owned())).map_or(0, |r| r.amount_minor);
        let read_as_of = i128::from(read) + i128::from(reopened);
        let accounted = i128::from(f.open.amount_minor)
            + i128::from(f.closed.amount_minor)
            + i128::from(f.future_dated.amount_minor)
            + rejected
            + i128::from(duplicates)
            + i128::from(paid_now);
        let rejected =
            i64::try_from(rejected).map_err(|_| mismatch(format!("{code} rejected amounts out of range")))?;
        if read_as_of != accounted {
            return Err(mismatch(format!(
                "{code} read {} + paid after the as-of date {} but reported + closed + future-dated + rejected + \
                 duplicates + paid = {accounted} (minor units)",
                currency.format(read),
                currency.format(reopened),
            )));
        }
        let check = AmountCheck {
            read: currency.format(read),
            reported: currency.format(f.open.amount_minor),
            closed: currency.format(f.closed.amount_minor),
            future_dated: currency.format(f.future_dated.amount_minor),
            rejected: currency.format(rejected),
            duplicates_skipped: currency.format(duplicates),
            paid_by_payments: currency.format(paid_now),
            paid_after_as_of: currency.format(reopened),
        };
        amounts.insert(code.to_owned(), check);
    }
    Ok(SourceControl {
        file: source.source.file.display().to_string(),
        sheet: source.source.sheet.clone(),
        preset: source.preset.clone(),
        currency_source: source.currency_source.key().to_owned(),
        rows,
        amounts,
        date_order: source.date_order.clone(),
    })
}
