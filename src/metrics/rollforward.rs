//! The roll-forward: beginning AR + invoiced − credit notes − cash collected = ending AR,
//! per currency, and what does not fit named invoice by invoice (DOMAIN.md
//! "Roll-forward"). Two things can leave a difference:
//!
//! - an invoice of the period whose export shows a paid part without a paid date (the cash
//!   is not in "collected", yet the balance is lower);
//! - when the beginning is the previous run's ending AR, an invoice whose balance at the
//!   start of the period differs from what that run reported: most often an invoice that
//!   left the export without a payment (written off, cancelled, or simply no longer in an
//!   open-items export), or one entered back-dated after the last run.
//!
//! For the second, each run keeps its open items in the state database (table
//! `open_items`: customer, invoice, currency, open amount); the next run compares against
//! those of the previous as-of date. Only the items of the run's date and of the previous
//! run's are kept, so a rerun of a date still finds the month before. Earlier releases kept
//! them in `state/open-items-YYYY-MM-DD.csv`, read here once to import them.
use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{Error, Location, Result};
use crate::money::Currency;
use crate::rules::why::Why;

/// The file names of earlier releases inside `--state`: `open-items-` + the as-of date +
/// `.csv`.
pub(crate) const FILE_PREFIX: &str = "open-items-";

/// The file of the open items as of `date`.
fn file_name(date: NaiveDate) -> String {
    format!("{FILE_PREFIX}{date}.csv")
}

/// (customer, invoice number, currency code).
pub(crate) type ItemKey = (String, String, String);

/// Per item of this export dated before the period, its balance at the period's start,
/// keyed by the invoices' own texts (a million items at a million invoices: no copies),
/// in key order, each key once ([`starts_of`]).
pub(crate) type Starts<'a> = Vec<((&'a str, &'a str, &'a str), i64)>;

/// Walks two lists of items in key order (each key once in each) side by side, calling
/// `each` for every key with its amount in the first and in the second (`None` where it
/// is not in that list), in key order; stops at the first error of `each`.
///
/// # Errors
/// The first error of `each`.
pub(crate) fn side_by_side<'a, E>(
    first: impl IntoIterator<Item = ((&'a str, &'a str, &'a str), i64)>,
    second: impl IntoIterator<Item = ((&'a str, &'a str, &'a str), i64)>,
    mut each: impl FnMut((&'a str, &'a str, &'a str), Option<i64>, Option<i64>) -> Result<(), E>,
) -> Result<(), E> {
    let (mut first, mut second) = (first.into_iter().peekable(), second.into_iter().peekable());
    loop {
        let step = match (first.peek(), second.peek()) {
            (None, None) => return Ok(()),
            (Some(&(a, x)), Some(&(b, y))) => match a.cmp(&b) {
                std::cmp::Ordering::Less => (a, Some(x), None),
                std::cmp::Ordering::Greater => (b, None, Some(y)),
                std::cmp::Ordering::Equal => (a, Some(x), Some(y)),
            },
            (Some(&(a, x)), None) => (a, Some(x), None),
            (None, Some(&(b, y))) => (b, None, Some(y)),
        };
        if step.1.is_some() {
            first.next();
        }
        if step.2.is_some() {
            second.next();
        }
        each(step.0, step.1, step.2)?;
    }
}

/// The balances at the period's start in key order, those of one key summed (an invoice
/// may be several lines).
#[must_use]
pub(crate) fn starts_of(mut balances: Starts<'_>) -> Starts<'_> {
    balances.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out: Starts<'_> = Vec::with_capacity(balances.len());
    for (key, amount) in balances {
        match out.last_mut() {
            Some((last, sum)) if *last == key => *sum += amount,
            _ => out.push((key, amount)),
        }
    }
    out
}

/// An invoice behind the "not explained" line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unexplained {
    /// Customer.
    pub customer: String,
    /// Invoice number.
    pub invoice_no: String,
    /// Currency.
    pub currency: Currency,
    /// Its share of "not explained" (ending AR − expected ending AR), minor units.
    pub amount: i64,
    /// Why, in one sentence (English: summary.json).
    pub reason: String,
    /// The same as clauses of the catalogue, for the workbook in its language.
    pub why: Why,
}

impl Unexplained {
    /// An invoice behind "not explained", with `why` as its English reason too.
    #[must_use]
    pub fn new(customer: String, invoice_no: String, currency: Currency, amount: i64, why: Why) -> Self {
        Self { customer, invoice_no, currency, amount, reason: why.english(), why }
    }
}

/// Owned items (key, amount) with their keys borrowed, to walk [`side_by_side`] with
/// borrowed ones.
pub(crate) fn borrowed(items: &[(ItemKey, i64)]) -> impl Iterator<Item = ((&str, &str, &str), i64)> {
    items.iter().map(|((c, i, k), amount)| ((c.as_str(), i.as_str(), k.as_str()), *amount))
}

/// The open items of the previous run, as it reported them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PreviousOpen {
    /// That run's as-of date.
    pub as_of: Option<NaiveDate>,
    /// That run, when it is in the state database (not an earlier release's file).
    pub run_id: Option<i64>,
    /// Open amount per item, minor units, in key order, each key once.
    pub items: Vec<(ItemKey, i64)>,
}

impl PreviousOpen {
    /// Reads the open items the run of `as_of` kept in `state/open-items-AS_OF.csv` (the
    /// file of an earlier release); none when there is no file.
    ///
    /// # Errors
    /// [`Error::Unreadable`] naming the file and line of a row that cannot be read.
    pub(crate) fn load_csv(state: &Path, as_of: NaiveDate) -> Result<Self> {
        let path = state.join(file_name(as_of));
        let unreadable = |row: Option<usize>, reason: String| Error::Unreadable {
            location: Location { row, ..Location::file(&path) },
            reason: format!("{reason} (the open items of the last run: delete the file to skip the comparison)"),
        };
        let mut reader = match csv::ReaderBuilder::new().has_headers(true).from_path(&path) {
            Ok(reader) => reader,
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::NotFound) => {
                return Ok(Self::default());
            }
            Err(e) => return Err(unreadable(None, e.to_string())),
        };
        let mut items = BTreeMap::new();
        for (i, record) in reader.records().enumerate() {
            let line = Some(i + 2);
            let record = record.map_err(|e| unreadable(line, e.to_string()))?;
            let field = |k: usize| record.get(k).unwrap_or_default();
            let date: NaiveDate =
                field(0).parse().map_err(|_| unreadable(line, format!("\"{}\" is not a date", field(0))))?;
            if date != as_of {
                return Err(unreadable(line, format!("the date {date} is not the file's {as_of}")));
            }
            let currency = Currency::parse(field(3))
                .ok_or_else(|| unreadable(line, format!("\"{}\" is not a currency", field(3))))?;
            let amount = field(4)
                .parse::<Decimal>()
                .ok()
                .and_then(|d| currency.to_minor(d).ok())
                .ok_or_else(|| unreadable(line, format!("\"{}\" is not an amount", field(4))))?;
            let key = (field(1).to_owned(), field(2).to_owned(), currency.code().to_owned());
            let slot: &mut i64 = items.entry(key).or_default();
            *slot = slot.checked_add(amount).ok_or_else(|| unreadable(line, "amount out of range".into()))?;
        }
        Ok(Self { as_of: Some(as_of), run_id: None, items: items.into_iter().collect() })
    }
}

/// Compares the previous run's open items with this run's balances at the start of the
/// period (`starts`: per item, rebuilt from this export) and returns the differences,
/// one per item: `this run's start balance − previous run's`. Their sum is the part of
/// "not explained" that the beginning AR brings. Both are walked in key order, side by
/// side (a million items each at a million invoices): first the items that left or
/// changed, then those that appeared.
#[must_use]
pub(crate) fn start_differences(previous: &PreviousOpen, starts: &Starts<'_>) -> Vec<Unexplained> {
    let Some(date) = previous.as_of else { return Vec::new() };
    let mut out = Vec::new();
    let mut appeared = Vec::new();
    let push = |out: &mut Vec<Unexplained>,
                (customer, invoice, code): (&str, &str, &str),
                amount: i64,
                why: &dyn Fn(&Currency) -> Why| {
        if let Some(currency) = Currency::parse(code) {
            let why = why(&currency);
            out.push(Unexplained::new(customer.to_owned(), invoice.to_owned(), currency, amount, why));
        }
    };
    let before = borrowed(&previous.items);
    let walked = side_by_side(before, starts.iter().copied(), |key, before, now| {
        match (before, now) {
            (Some(before), None) => push(&mut out, key, -before, &|c: &Currency| {
                Why::new("gone", vec![("before", c.format(before).into()), ("date", date.into())])
            }),
            (Some(before), Some(now)) if now != before => push(&mut out, key, now - before, &|c: &Currency| {
                let args =
                    vec![("before", c.format(before).into()), ("date", date.into()), ("now", c.format(now).into())];
                Why::new("changed", args)
            }),
            (None, Some(now)) if now != 0 => appeared.push((key, now)),
            _ => {}
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = walked;
    for (key, amount) in appeared {
        push(&mut out, key, amount, &|c: &Currency| {
            Why::new("appeared", vec![("date", date.into()), ("now", c.format(amount).into())])
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(no: &str) -> ItemKey {
        ("ACME".into(), no.into(), "USD".into())
    }

    #[test]
    fn differences_name_items_that_left_changed_or_appeared() {
        let previous = PreviousOpen {
            as_of: Some("2026-10-31".parse().unwrap()),
            run_id: None,
            items: vec![(key("A-1"), 10_000), (key("A-2"), 5_000), (key("A-3"), 2_000)],
        };
        // A-1 left the export; A-2 is 4,000 on 10-31 per this export; A-3 as before; A-9 is
        // back-dated.
        let starts = starts_of(vec![
            (("ACME", "A-9", "USD"), 700),
            (("ACME", "A-2", "USD"), 1_500),
            (("ACME", "A-3", "USD"), 2_000),
            (("ACME", "A-2", "USD"), 2_500),
        ]);
        let found: Vec<(String, i64)> =
            start_differences(&previous, &starts).into_iter().map(|u| (u.invoice_no, u.amount)).collect();
        assert_eq!(found, [("A-1".to_owned(), -10_000), ("A-2".to_owned(), -1_000), ("A-9".to_owned(), 700)]);
    }

    /// The differences as a person would find them: each item of the last run looked up in
    /// this export (left, or changed), then each item of this export not in the last run
    /// (appeared), both in key order.
    fn looked_up(previous: &BTreeMap<ItemKey, i64>, starts: &BTreeMap<ItemKey, i64>) -> Vec<(ItemKey, i64)> {
        let mut out: Vec<(ItemKey, i64)> = previous
            .iter()
            .filter_map(|(k, &before)| match starts.get(k) {
                None => Some((k.clone(), -before)),
                Some(&now) if now != before => Some((k.clone(), now - before)),
                Some(_) => None,
            })
            .collect();
        out.extend(
            starts.iter().filter(|(k, now)| **now != 0 && !previous.contains_key(*k)).map(|(k, &n)| (k.clone(), n)),
        );
        out
    }

    proptest::proptest! {
        #[test]
        fn walking_both_in_key_order_finds_what_looking_each_up_finds(
            previous in proptest::collection::btree_map((0u8..4, 0u8..12, 0u8..2), -3i64..4, 0..30),
            lines in proptest::collection::vec(((0u8..4, 0u8..12, 0u8..2), -3i64..4), 0..40),
        ) {
            let text = |(c, i, k): (u8, u8, u8)| -> ItemKey {
                (format!("C{c}"), format!("INV-{i:02}"), ["CNY", "USD"][usize::from(k)].to_owned())
            };
            let previous: BTreeMap<ItemKey, i64> = previous.into_iter().map(|(k, v)| (text(k), v)).collect();
            let lines: Vec<(ItemKey, i64)> = lines.into_iter().map(|(k, v)| (text(k), v)).collect();
            // This export's lines summed per item, as a map and as the sorted list.
            let mut summed: BTreeMap<ItemKey, i64> = BTreeMap::new();
            for (k, v) in &lines {
                *summed.entry(k.clone()).or_default() += v;
            }
            let starts = starts_of(lines.iter().map(|(k, v)| ((k.0.as_str(), k.1.as_str(), k.2.as_str()), *v)).collect());
            let last = PreviousOpen {
                as_of: Some("2026-10-31".parse().unwrap()),
                run_id: None,
                items: previous.clone().into_iter().collect(),
            };
            let found: Vec<(ItemKey, i64)> = start_differences(&last, &starts)
                .into_iter()
                .map(|u| ((u.customer, u.invoice_no, u.currency.code().to_owned()), u.amount))
                .collect();
            proptest::prop_assert_eq!(found, looked_up(&previous, &summed));
        }
    }

    #[test]
    fn the_file_of_the_date_is_read_and_a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("open-items-2026-09-30.csv");
        std::fs::write(&path, "as_of,customer,invoice_no,currency,open\n2026-09-30,A,1,USD,5.00\n").unwrap();
        assert_eq!(PreviousOpen::load_csv(dir.path(), "2026-10-31".parse().unwrap()).unwrap(), PreviousOpen::default());
        let read = PreviousOpen::load_csv(dir.path(), "2026-09-30".parse().unwrap()).unwrap();
        assert_eq!(read.items, vec![(("A".into(), "1".into(), "USD".into()), 500)]);
        std::fs::write(&path, "as_of,customer,invoice_no,currency,open\n2026-09-30,A,1,USD,x\n").unwrap();
        let err = PreviousOpen::load_csv(dir.path(), "2026-09-30".parse().unwrap()).unwrap_err().to_string();
        assert!(
            err.contains("open-items-2026-09-30.csv, row 2: cannot read the file: \"x\" is not an amount"),
            "{err}"
        );
    }
}
