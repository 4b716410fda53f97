//! The ledger stage: every input read and normalised ([`load`]), the payments matched to
//! the invoices ([`matching`], with the references they name: [`reference`]), and the
//! control totals that account for every row and every amount ([`control`]). What comes
//! out is the balance of each invoice as of the run's date, and the proof that nothing was
//! lost on the way.
pub(crate) mod control;
pub(crate) mod load;
pub(crate) mod matching;
pub(crate) mod reference;

pub(crate) use load::{Inputs, Records, load_inputs};

use crate::ingest::{SkipReason, Skipped};
use crate::normalize::combine::Batch;

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
    pub fn total(batch: &Batch, open: usize, closed: usize, future_dated: usize) -> Self {
        let skipped: Vec<Skipped> = batch.sources.iter().flat_map(|s| s.skipped.iter().cloned()).collect();
        Self::from_parts(
            batch.sources.iter().map(|s| s.read).sum(),
            open,
            batch.sources.iter().map(|s| s.rejected.len()).sum(),
            closed,
            future_dated,
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
