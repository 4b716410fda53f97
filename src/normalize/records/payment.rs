//! Payments received (the bank statement).
use chrono::NaiveDate;

use super::Fields;
use crate::normalize::reason::{self, Reason};
use crate::normalize::value::{self, ValueFormat};

/// One payment received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// When it was received.
    pub payment_date: NaiveDate,
    /// Who paid, as the bank names them.
    pub payer: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: crate::money::Currency,
    /// Reference or memo text.
    pub reference: String,
    /// Row in the source.
    pub row: usize,
}

/// Builds a [`Payment`] from a row; `default_currency` when the row names none. Its date
/// and amount are held to `limits`, its currency to the codes in use.
pub fn payment(
    f: &Fields<'_>,
    format: ValueFormat,
    default_currency: &crate::money::Currency,
    limits: &crate::ingest::Limits,
) -> std::result::Result<Payment, Vec<Reason>> {
    let row = f.row();
    let mut problems = Vec::new();
    let payment_date = f.date("payment_date", format, &mut problems);
    let payment_date = payment_date.and_then(|d| {
        reason::date_in_limits(limits, d).map_err(|why| problems.push(why.at_field("payment_date"))).ok()
    });
    if payment_date.is_none() && problems.is_empty() {
        problems.push(Reason::new("field_empty", vec![("field", reason::Arg::Field("payment_date"))]));
    }
    let payer = f.required("payer", &mut problems);
    let currency = match f.text("currency") {
        Some(text) => {
            crate::money::Currency::parse_known(&super::value::fold_full_width_text(&text)).unwrap_or_else(|| {
                problems.push(Reason::new("bad_currency", vec![("value", text.as_str().into())]));
                default_currency.clone()
            })
        }
        None => default_currency.clone(),
    };
    let amount = if let Some((header, cell)) = f.cell("amount") {
        value::amount_in(cell, format, &currency).map_err(|r| problems.push(Reason::colon(header, r))).ok()
    } else {
        problems.push(Reason::new("field_empty", vec![("field", reason::Arg::Field("amount"))]));
        None
    };
    let amount_minor =
        amount.and_then(|a| reason::minor(&currency, a, limits).map_err(|r| problems.push(r.at_field("amount"))).ok());
    if amount_minor.is_some_and(|m| m <= 0) {
        problems.push(Reason::new("not_a_receipt", vec![]));
    }
    match (payment_date, amount_minor) {
        (Some(payment_date), Some(amount_minor)) if problems.is_empty() => Ok(Payment {
            payment_date,
            payer,
            amount_minor,
            currency,
            reference: f.text("reference").unwrap_or_default(),
            row,
        }),
        _ => Err(problems),
    }
}
