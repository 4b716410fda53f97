//! No sum of money can wrap. Each amount is held to `limits.max_amount` as it
//! is read; here the magnitudes of every figure read in one currency — across all inputs,
//! usable and rejected rows alike — are added up in `i128` and held to
//! [`Limits::SUM_BUDGET`] (a quarter of `i64::MAX`). Every later sum (open items, buckets,
//! control totals' parts, metrics, payments applied) adds a subset of these figures, or
//! differences of two of them, so it stays below `i64::MAX` by construction; the run stops
//! at the row that passes the budget instead of reporting a total that wrapped.
use std::collections::BTreeMap;

use super::records::Payment;
use super::schema::Field;
use super::{Normalized, Rejected};
use crate::error::{Error, Location, Result};
use crate::ingest::{Limits, SourceRef};
use crate::money::Currency;

/// The running magnitudes per currency.
#[derive(Debug, Default)]
struct Tally {
    totals: BTreeMap<Currency, i128>,
}

impl Tally {
    /// Adds `figures`' magnitudes; the error names `location` when the budget is passed.
    fn add(&mut self, currency: &Currency, figures: &[i64], location: impl FnOnce() -> Location) -> Result<()> {
        let total = self.totals.entry(currency.clone()).or_default();
        *total += figures.iter().map(|f| i128::from(f.unsigned_abs())).sum::<i128>();
        if *total > i128::from(Limits::SUM_BUDGET) {
            return Err(Error::AmountsBeyondSums {
                location: location(),
                currency: currency.code().to_owned(),
                budget: Limits::SUM_BUDGET,
            });
        }
        Ok(())
    }
}

/// Holds the invoice inputs (before they are combined) to the budget, in input and row
/// order: the amount and open amount of each usable row, the open amount of each rejected
/// one (all that the control totals sum of it).
///
/// # Errors
/// [`Error::AmountsBeyondSums`] naming the row that passes it.
pub fn check_invoices(parts: &[Normalized]) -> Result<()> {
    let mut tally = Tally::default();
    for part in parts {
        let amount_header = part.fields.iter().find(|(f, _)| *f == Field::Amount).map(|(_, h)| h.clone());
        let at = |row: usize| Location { row: Some(row), column: amount_header.clone(), ..part.source.location() };
        let mut rejected = part.rejected.iter().filter_map(|r: &Rejected| Some((r.row, r.open.as_ref()?))).peekable();
        for invoice in &part.invoices {
            while let Some((row, (currency, open))) = rejected.next_if(|(row, _)| *row < invoice.source_row) {
                tally.add(currency, &[*open], || at(row))?;
            }
            tally.add(&invoice.currency, &[invoice.amount_minor, invoice.open_minor], || at(invoice.source_row))?;
        }
        for (row, (currency, open)) in rejected {
            tally.add(currency, &[*open], || at(row))?;
        }
    }
    Ok(())
}

/// Holds the payments file to the budget, in row order.
///
/// # Errors
/// [`Error::AmountsBeyondSums`] naming the row that passes it.
pub fn check_payments(source: &SourceRef, payments: &[Payment]) -> Result<()> {
    let mut tally = Tally::default();
    for payment in payments {
        tally.add(&payment.currency, &[payment.amount_minor], || Location {
            row: Some(payment.row),
            column: Some("amount".into()),
            ..source.location()
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_that_passes_the_budget_is_named() {
        let usd = Currency::parse("USD").unwrap();
        let source = SourceRef { file: "payments.csv".into(), sheet: None };
        let payment = |row: usize, amount_minor: i64| Payment {
            payment_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            payer: "ACME".into(),
            amount_minor,
            currency: usd.clone(),
            reference: String::new(),
            row,
        };
        // The budget is 2,305,843,009,213,693,951: two payments of 10^18 are within it, a
        // third passes it, so its row (4) is named.
        let quarter = Limits::SUM_BUDGET;
        assert_eq!(quarter, 2_305_843_009_213_693_951);
        let big = 1_000_000_000_000_000_000;
        let payments = [payment(2, big), payment(3, big), payment(4, big)];
        let err = check_payments(&source, &payments).unwrap_err();
        assert_eq!(
            err.to_string(),
            "payments.csv, row 4, column \"amount\": the amounts read in USD add up to more than \
             2305843009213693951 (in minor units) by this row, past what payback can sum exactly; \
             no real ledger comes near it: check the file's amounts"
        );
        assert!(check_payments(&source, &payments[..2]).is_ok());
    }
}
