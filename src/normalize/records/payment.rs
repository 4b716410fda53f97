//! Payments received (the bank statement).
use chrono::NaiveDate;

use super::Fields;
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
/// and amount are held to `limits`, its currency to the codes in use (issue 21).
pub fn payment(
    f: &Fields<'_>,
    format: ValueFormat,
    default_currency: &crate::money::Currency,
    limits: &crate::ingest::Limits,
) -> std::result::Result<Payment, Vec<String>> {
    let row = f.row();
    let mut problems = Vec::new();
    let payment_date = f.date("payment_date", format, &mut problems);
    let payment_date = payment_date
        .and_then(|d| limits.check_date(d).map_err(|reason| problems.push(format!("payment_date: {reason}"))).ok());
    if payment_date.is_none() && problems.is_empty() {
        problems.push("payment_date is empty".into());
    }
    let payer = f.required("payer", &mut problems);
    let currency = match f.text("currency") {
        Some(text) => {
            crate::money::Currency::parse_known(&super::value::fold_full_width_text(&text)).unwrap_or_else(|| {
                problems.push(format!("currency \"{text}\" is not an ISO 4217 currency code in use"));
                default_currency.clone()
            })
        }
        None => default_currency.clone(),
    };
    let amount = if let Some((header, cell)) = f.cell("amount") {
        value::amount_in(cell, format, &currency).map_err(|r| problems.push(format!("{header}: {r}"))).ok()
    } else {
        problems.push("amount is empty".into());
        None
    };
    let amount_minor = amount.and_then(|a| {
        let checked = currency.to_minor(a).and_then(|m| limits.check_amount(m, currency.exponent()).map(|()| m));
        checked.map_err(|r| problems.push(format!("amount: {r}"))).ok()
    });
    if amount_minor.is_some_and(|m| m <= 0) {
        problems.push("amount must be a receipt above zero (refunds and debits are not payments received)".into());
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
