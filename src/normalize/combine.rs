//! Several inputs (e.g. two subsidiaries' exports) into one batch. Each invoice keeps its
//! source. Rows of one file with the same customer and invoice number are either lines of
//! one invoice (they differ in some cell: one line per product, account or instalment, as
//! ERP open-item ledgers export them), summed into one open item, or the same line twice
//! (equal in every cell), a duplicate counted once. The same customer and invoice number
//! in two files is a duplicate too: two exports do not share the lines of an invoice.
//! Duplicates are rejected or, with `duplicates = "warn"`, skipped with a note.
use std::collections::BTreeMap;

use serde::Deserialize;

use super::reason::{Arg, Reason, num};
use super::{Invoice, InvoiceLines, Normalized, Rejected};
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

/// What to do with the lines of one invoice: rows of one file with the same customer and
/// invoice number that differ in some cell (`[input] invoice_lines`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinePolicy {
    /// Lines that share their due date are summed into one open item.
    #[default]
    Sum,
    /// Every later line is a duplicate (handled by [`DuplicatePolicy`]).
    Reject,
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

/// What becomes of a row whose customer and invoice number an earlier row has.
enum Fate {
    /// Counted once: the row it repeats, and whether that row is in another file.
    Duplicate { of: usize, line: bool },
    /// A line of the invoice whose first row is `first`.
    Line { first: usize },
}

/// Combines the inputs, summing the lines of an invoice by `lines` and flagging
/// duplicates by `duplicates`.
#[must_use]
pub fn combine(mut parts: Vec<Normalized>, duplicates: DuplicatePolicy, lines: LinePolicy) -> Batch {
    let names: Vec<crate::ingest::SourceRef> = parts.iter().map(|p| p.source.clone()).collect();
    // Every invoice in one vector, in input order: the first input's vector is kept as it
    // is and the others appended, rather than each row moved into a new one (a copy of a
    // million rows, and two vectors of them at once).
    let mut invoices: Vec<Invoice> = Vec::new();
    let mut prints: Vec<u64> = Vec::new();
    for (index, part) in parts.iter_mut().enumerate() {
        let mut these = std::mem::take(&mut part.invoices);
        let mut their_prints = std::mem::take(&mut part.fingerprints);
        // Rows without a fingerprint (none made) compare equal: duplicates, as before.
        their_prints.resize(these.len(), 0);
        for invoice in &mut these {
            invoice.source = index;
        }
        if invoices.is_empty() {
            invoices = these;
            prints = their_prints;
        } else {
            invoices.append(&mut these);
            prints.append(&mut their_prints);
        }
    }
    let fates = fates(&invoices, &prints, lines);
    drop(prints);
    let mut removed: Vec<usize> = Vec::new();
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &(later, ref fate) in &fates {
        match *fate {
            Fate::Line { first } => groups.entry(first).or_default().push(later),
            Fate::Duplicate { of, line } => {
                removed.push(later);
                let (invoice, first) = (&invoices[later], &invoices[of]);
                let row = ("row", num(first.source_row));
                let place = if first.source == invoice.source {
                    Reason::new("place_row", vec![row])
                } else {
                    Reason::new("place_source_row", vec![("source", Arg::Source(names[first.source].clone())), row])
                };
                let args = vec![
                    ("customer", num(&invoice.customer)),
                    ("invoice", invoice.invoice_no.as_str().into()),
                    ("place", place.into()),
                ];
                let reason = Reason::new(if line { "duplicate_line" } else { "duplicate_invoice" }, args);
                duplicate(&mut parts[invoice.source], invoice, reason, duplicates);
            }
        }
    }
    for (first, later) in groups {
        let mut rows = vec![first];
        rows.extend(later);
        match sum_lines(&invoices, &rows) {
            Ok(item) => {
                parts[item.source].lines_merged += rows.len() - 1;
                invoices[first] = item;
                removed.extend(&rows[1..]);
            }
            Err(reason) => {
                for &i in &rows {
                    let invoice = &invoices[i];
                    parts[invoice.source].rejected.push(Rejected {
                        row: invoice.source_row,
                        column: "invoice_no".into(),
                        value: invoice.invoice_no.clone(),
                        reason: reason.clone(),
                        raw: Vec::new(),
                        open: Some((invoice.currency.clone(), invoice.open_minor)),
                    });
                }
                removed.extend(&rows);
            }
        }
    }
    if !removed.is_empty() {
        removed.sort_unstable();
        let mut later = removed.into_iter().peekable();
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

/// Rejects or skips a duplicate row, by `policy`.
fn duplicate(part: &mut Normalized, invoice: &Invoice, reason: Reason, policy: DuplicatePolicy) {
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
            part.skipped.push(Skipped {
                row: invoice.source_row,
                reason: SkipReason::Duplicate,
                text: reason.english(),
                note: None,
            });
            part.read -= 1;
            *part.duplicate_amounts.entry(invoice.currency.code().to_owned()).or_default() += invoice.open_minor;
        }
    }
}

/// The fate of each row whose key an earlier row has, in row order: a row of another file
/// than the key's first row is a duplicate of that row; a row equal in every cell to an
/// earlier line of its invoice is a duplicate of that line; any other row is a line of
/// the invoice (or, with `LinePolicy::Reject`, a duplicate of its first row).
fn fates(invoices: &[Invoice], prints: &[u64], lines: LinePolicy) -> Vec<(usize, Fate)> {
    let key = |i: usize| (&*invoices[i].customer, invoices[i].invoice_no.as_str());
    let pairs = crate::normalize::invoice_index::InvoiceIndex::with_duplicates(invoices.len(), key).1;
    // The lines of each invoice so far (few: only invoices of several rows are here).
    let mut members: hashbrown::HashMap<usize, Vec<usize>> = hashbrown::HashMap::new();
    let same = |a: usize, b: usize| {
        let (x, y) = (&invoices[a], &invoices[b]);
        prints[a] == prints[b]
            && (x.amount_minor, x.open_minor, x.invoice_date, x.due_date, x.paid_date)
                == (y.amount_minor, y.open_minor, y.invoice_date, y.due_date, y.paid_date)
            && x.currency == y.currency
    };
    let mut fates = Vec::with_capacity(pairs.len());
    for (later, first) in pairs {
        if invoices[later].source != invoices[first].source {
            fates.push((later, Fate::Duplicate { of: first, line: false }));
            continue;
        }
        let group = members.entry(first).or_insert_with(|| vec![first]);
        if let Some(&of) = group.iter().find(|&&m| same(m, later)) {
            fates.push((later, Fate::Duplicate { of, line: true }));
        } else if lines == LinePolicy::Reject {
            fates.push((later, Fate::Duplicate { of: first, line: false }));
        } else {
            group.push(later);
            fates.push((later, Fate::Line { first }));
        }
    }
    fates
}

/// The open item of an invoice's lines (`rows`, the first row first): amounts and open
/// amounts summed, the earliest invoice date, the latest paid date, the first line's
/// project, contract and manager (or the first given). Lines due on different dates are
/// instalments, which are aged by their own due dates: refused with the reason, as are
/// lines in different currencies and sums past the largest amount.
fn sum_lines(invoices: &[Invoice], rows: &[usize]) -> Result<Invoice, Reason> {
    let first = &invoices[rows[0]];
    let lines = rows.iter().map(|&i| &invoices[i]);
    let name = || {
        let args = vec![("invoice", first.invoice_no.as_str().into()), ("customer", num(&first.customer))];
        Arg::Reason(Reason::new("invoice_of", args))
    };
    let list = |what: &dyn Fn(&Invoice) -> String| {
        let rows = lines
            .clone()
            .map(|i| Reason::new("row_value", vec![("row", num(i.source_row)), ("value", what(i).into())]));
        Arg::Reason(Reason::join(rows, "list_separator"))
    };
    if lines.clone().any(|i| i.due_date != first.due_date) {
        return Err(Reason::new(
            "different_due_dates",
            vec![
                ("name", name()),
                ("rows", list(&|i| i.due_date.to_string())),
                ("invoice", first.invoice_no.as_str().into()),
            ],
        ));
    }
    if lines.clone().any(|i| i.currency != first.currency) {
        return Err(Reason::new(
            "different_currencies",
            vec![("name", name()), ("rows", list(&|i| i.currency.code().to_owned()))],
        ));
    }
    let overflow = || Reason::new("lines_overflow", vec![("name", name())]);
    let mut item = first.clone();
    for line in lines.clone().skip(1) {
        item.amount_minor = item.amount_minor.checked_add(line.amount_minor).ok_or_else(overflow)?;
        item.open_minor = item.open_minor.checked_add(line.open_minor).ok_or_else(overflow)?;
        item.invoice_date = item.invoice_date.min(line.invoice_date);
        item.paid_date = item.paid_date.max(line.paid_date);
        item.due_assumed &= line.due_assumed;
        for (mine, theirs) in [
            (&mut item.project, &line.project),
            (&mut item.contract_no, &line.contract_no),
            (&mut item.project_manager, &line.project_manager),
        ] {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
    }
    item.lines = Some(Box::new(InvoiceLines { rows: lines.map(|i| i.source_row).collect() }));
    Ok(item)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::money::Currency;

    fn line(row: usize, amount: i64, open: i64, paid: Option<&str>, project: Option<&str>) -> Invoice {
        let date = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap();
        Invoice {
            customer: "ACME".into(),
            invoice_no: "INV-1".into(),
            invoice_date: date("2026-09-01"),
            due_date: date("2026-10-01"),
            currency: Currency::parse("CNY").unwrap(),
            amount_minor: amount,
            open_minor: open,
            project: project.map(Into::into),
            contract_no: None,
            project_manager: None,
            paid_date: paid.map(date),
            source_row: row,
            source: 0,
            due_assumed: false,
            lines: None,
        }
    }

    #[test]
    fn lines_are_summed_with_the_latest_paid_date_and_the_first_project_given() {
        let lines = [
            line(4, 100_000, 100_000, None, None),
            line(7, 25_050, 5_050, Some("2026-10-20"), Some("Metro")),
            line(9, -5_000, -5_000, Some("2026-10-05"), Some("Port")),
        ];
        let item = sum_lines(&lines, &[0, 1, 2]).unwrap();
        // 1,000.00 + 250.50 − 50.00 = 1,200.50; open 1,000.00 + 50.50 − 50.00 = 1,000.50.
        assert_eq!((item.amount_minor, item.open_minor), (120_050, 100_050));
        assert_eq!(item.paid_date, NaiveDate::from_ymd_opt(2026, 10, 20));
        assert_eq!(item.project.as_deref(), Some("Metro"));
        assert_eq!((item.source_row, item.line_count()), (4, 3));
        assert_eq!(item.lines.unwrap().rows, [4, 7, 9]);
    }

    #[test]
    fn lines_that_cannot_be_one_item_are_refused_with_the_reason() {
        let mut usd = line(5, 100, 100, None, None);
        usd.currency = Currency::parse("USD").unwrap();
        let err = sum_lines(&[line(4, 100, 100, None, None), usd], &[0, 1]).unwrap_err();
        assert_eq!(
            err.english(),
            "invoice INV-1 of ACME has lines in different currencies (row 4: CNY, row 5: USD): an invoice is in one currency"
        );
        assert_eq!(
            err.render(crate::catalogue::Labels::of(crate::catalogue::Lang::Zh)),
            "ACME 的发票 INV-1 的各行币种不同（第 4 行：CNY、第 5 行：USD）：一张发票只有一种币种"
        );
        let huge = [line(4, i64::MAX, 0, None, None), line(5, 1, 0, None, None)];
        assert_eq!(
            sum_lines(&huge, &[0, 1]).unwrap_err().english(),
            "invoice INV-1 of ACME: the sum of its lines is larger than payback can hold"
        );
    }
}
