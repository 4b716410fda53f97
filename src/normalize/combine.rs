//! Several inputs (e.g. two subsidiaries' exports) into one batch. Each invoice keeps its
//! source; an invoice number that appears twice for the same customer is counted once: the
//! later rows are rejected or, with `duplicates = "warn"`, skipped with a note.
use std::hash::BuildHasher;

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
}

/// Combines the inputs, flagging duplicates by `policy`.
#[must_use]
pub fn combine(mut parts: Vec<Normalized>, policy: DuplicatePolicy) -> Batch {
    // The first invoice of each (customer, invoice number), as its index in `invoices`:
    // looked up by the borrowed key, with no copy of the key per row (issue 7).
    let hasher = hashbrown::DefaultHashBuilder::default();
    let hash = |customer: &str, invoice_no: &str| hasher.hash_one((customer, invoice_no));
    let mut seen: hashbrown::HashTable<usize> = hashbrown::HashTable::new();
    let mut invoices: Vec<Invoice> = Vec::with_capacity(parts.iter().map(|p| p.invoices.len()).sum());
    let names: Vec<String> = parts.iter().map(|p| p.source.describe()).collect();
    for (index, part) in parts.iter_mut().enumerate() {
        for mut invoice in std::mem::take(&mut part.invoices) {
            invoice.source = index;
            let h = hash(&invoice.customer, &invoice.invoice_no);
            let same =
                |&i: &usize| invoices[i].customer == invoice.customer && invoices[i].invoice_no == invoice.invoice_no;
            let Some(&first) = seen.find(h, same) else {
                seen.insert_unique(h, invoices.len(), |&i| hash(&invoices[i].customer, &invoices[i].invoice_no));
                invoices.push(invoice);
                continue;
            };
            let (first_source, first_row) = (invoices[first].source, invoices[first].source_row);
            let place = if first_source == index {
                format!("row {first_row}")
            } else {
                format!("{} row {first_row}", names[first_source])
            };
            let reason = format!(
                "duplicate invoice: {} {} is also at {place}; counted once",
                invoice.customer, invoice.invoice_no
            );
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
                    *part.duplicate_amounts.entry(invoice.currency.code().to_owned()).or_default() +=
                        invoice.open_minor;
                }
            }
        }
        part.rejected.sort_by_key(|r| r.row);
        part.skipped.sort_by_key(|s| s.row);
    }
    Batch { sources: parts, invoices }
}
