//! The trend: each run keeps a compact snapshot of its figures (per currency) in the state
//! database (table `trend`), one per as-of date; rerunning a date replaces it. The report
//! shows the last runs, and the next run takes its beginning AR from the previous snapshot.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The file name of earlier releases inside `--state` (JSON lines), imported into the
/// database on the first run.
pub(crate) const FILE_NAME: &str = "trend.jsonl";

/// One run's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The run's as-of date.
    pub as_of: NaiveDate,
    /// Per currency code.
    pub currencies: BTreeMap<String, CurrencySnapshot>,
}

/// One currency of a snapshot. Amounts are decimal strings, ratios decimal strings or null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencySnapshot {
    /// Open AR after matching.
    pub open: String,
    /// Overdue part of it.
    pub overdue: String,
    /// Open amount per aging bucket, in bucket order.
    pub buckets: Vec<String>,
    /// Credit sales in the period.
    pub sales: String,
    /// Cash applied to invoices in the period.
    pub collected: String,
    /// Simple DSO in days.
    pub dso: Option<String>,
    /// Countback DSO in days.
    pub dso_countback: Option<String>,
    /// Collection effectiveness index, percent.
    pub cei: Option<String>,
    /// Overdue ÷ open, percent.
    pub overdue_share: Option<String>,
}

/// All snapshots, by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Trend {
    snapshots: Vec<Snapshot>,
}

impl Trend {
    /// The latest snapshot before `as_of`.
    #[must_use]
    pub(crate) fn previous(&self, as_of: NaiveDate) -> Option<&Snapshot> {
        self.snapshots.iter().rev().find(|s| s.as_of < as_of)
    }

    /// Replaces the snapshot of `snapshot.as_of`, keeping the order by date.
    pub(crate) fn record(&mut self, snapshot: Snapshot) {
        self.snapshots.retain(|s| s.as_of != snapshot.as_of);
        self.snapshots.push(snapshot);
        self.snapshots.sort_by_key(|s| s.as_of);
    }

    /// The last `n` snapshots up to and including `as_of`, oldest first.
    #[must_use]
    pub(crate) fn last(&self, n: usize, as_of: NaiveDate) -> &[Snapshot] {
        let upto = self.snapshots.partition_point(|s| s.as_of <= as_of);
        &self.snapshots[upto.saturating_sub(n)..upto]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(date: &str) -> Snapshot {
        Snapshot { as_of: date.parse().unwrap(), currencies: BTreeMap::new() }
    }

    #[test]
    fn a_rerun_replaces_its_date_and_last_counts_back_from_as_of() {
        let mut trend = Trend::default();
        for d in ["2026-09-30", "2026-11-30", "2026-10-31", "2026-10-31"] {
            trend.record(snapshot(d));
        }
        let dates = |s: &[Snapshot]| s.iter().map(|s| s.as_of.to_string()).collect::<Vec<_>>();
        assert_eq!(dates(trend.last(12, "2026-11-30".parse().unwrap())), ["2026-09-30", "2026-10-31", "2026-11-30"]);
        assert_eq!(dates(trend.last(2, "2026-10-31".parse().unwrap())), ["2026-09-30", "2026-10-31"]);
        assert_eq!(trend.previous("2026-11-30".parse().unwrap()).unwrap().as_of.to_string(), "2026-10-31");
        assert!(trend.previous("2026-09-30".parse().unwrap()).is_none());
    }
}
