//! Several inputs (e.g. two subsidiaries' exports) into one batch. Each invoice keeps its
//! source; an invoice number that appears twice for the same customer is counted once: the
//! later rows are rejected or, with `duplicates = "warn"`, skipped with a note.

use serde::Deserialize;

use super::{Invoice, Normalized, Rejected};
use crate::ingest::{SkipReason, Skipped};

/// What to do with a second row for the same customer and invoice number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DuplicatePolicy {
    /// Later rows go to the Rejected sheet (the run exits with 1).
    #[default]
    Reject,
    /// Later rows are skipped and listed on the Skipped sheet.
    Warn,
}

/// All inputs of a run: the per-source facts and the invoices of every source.
#[derive(Debug, Clone)]
pub struct Batch {
    /// One entry per input, in command-line order; their `invoices` are moved to
    /// [`Batch::invoices`].
    pub sources: Vec<Normalized>,
    /// Every usable invoice, each with its `source` index.
    pub invoices: Vec<Invoice>,
    /// What [`super::point_in_time::restate`] re-opened: paid after the as-of date.
    pub reopened: super::point_in_time::ReopenedBySource,
}

/// Combines the inputs, flagging duplicates by `policy`.
#[must_use]
pub fn combine(mut parts: Vec<Normalized>, policy: DuplicatePolicy) -> Batch {
    let names: Vec<String> = parts.iter().map(|p| p.source.describe()).collect();
    // Every invoice in one vector, in input order: the first input's vector is kept as it
    // is and the others appended, rather than each row moved into a new one (a copy of a
    // million rows, and two vectors of them at once; issue 7).
    let mut invoices: Vec<Invoice> = Vec::new();
    for (index, part) in parts.iter_mut().enumerate() {
        let mut these = std::mem::take(&mut part.invoices);
        for invoice in &mut these {
            invoice.source = index;
        }
        if invoices.is_empty() {
            invoices = these;
        } else {
            invoices.append(&mut these);
        }
    }
    let duplicates = duplicates(&invoices);
    for &(later, first) in &duplicates {
        let (invoice, first) = (&invoices[later], &invoices[first]);
        let part = &mut parts[invoice.source];
        let place = if first.source == invoice.source {
            format!("row {}", first.source_row)
        } else {
            format!("{} row {}", names[first.source], first.source_row)
        };
        let reason =
            format!("duplicate invoice: {} {} is also at {place}; counted once", invoice.customer, invoice.invoice_no);
        match policy {
            DuplicatePolicy::Reject => part.rejected.push(Rejected {
                row: invoice.source_row,
                column: "invoice_no".into(),
                value: invoice.invoice_no.clone(),
                reason,
                raw: Vec::new(),
                open: Some((invoice.currency.clone(), invoice.open_minor)),
            }),
            DuplicatePolicy::Warn => {
                part.skipped.push(Skipped { row: invoice.source_row, reason: SkipReason::Duplicate, text: reason });
                part.read -= 1;
                *part.duplicate_amounts.entry(invoice.currency.code().to_owned()).or_default() += invoice.open_minor;
            }
        }
    }
    if !duplicates.is_empty() {
        let mut later = duplicates.iter().map(|(later, _)| *later).peekable();
        let mut index = 0;
        invoices.retain(|_| {
            let keep = later.next_if_eq(&index).is_none();
            index += 1;
            keep
        });
    }
    for part in &mut parts {
        part.rejected.sort_by_key(|r| r.row);
        part.skipped.sort_by_key(|s| s.row);
    }
    Batch { sources: parts, invoices, reopened: super::point_in_time::ReopenedBySource::new() }
}

/// (later, first): each invoice with the customer and invoice number of an earlier one,
/// with the index of that first one, in order. Keys are borrowed, not copied.
fn duplicates(invoices: &[Invoice]) -> Vec<(usize, usize)> {
    let key = |i: usize| (&*invoices[i].customer, invoices[i].invoice_no.as_str());
    crate::first_by_key::FirstByKey::with_duplicates(invoices.len(), key).1
}
