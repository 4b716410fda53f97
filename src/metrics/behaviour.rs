//! How customers pay: days from invoice to payment (and past the due date) of the invoices
//! settled in full on or before the as-of date, per customer. An invoice counts when the
//! export shows it paid with a paid date, or when matched payments settle it; the date is
//! the last payment's. Payments after the as-of date do not count: as of that date the
//! invoice is still open.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::period::HALF_UP;
use crate::normalize::Invoice;

/// One customer's payment behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayBehaviour {
    /// Customer.
    pub customer: String,
    /// Invoices settled.
    pub invoices: usize,
    /// Average days from invoice date to payment.
    pub average_days: Decimal,
    /// Median days from invoice date to payment.
    pub median_days: Decimal,
    /// Average days late: days from the due date to payment, an early payment counting
    /// as 0 (the usual definition; DOMAIN.md "Days late").
    pub average_days_late: Decimal,
    /// Average days after the due date, signed: an early payment counts negative.
    pub average_after_due: Decimal,
}

/// Days-to-pay of every customer with settled invoices, by customer name. `receipts` holds
/// the matched payments per `(customer, invoice_no)`.
#[must_use]
pub(crate) fn days_to_pay(
    invoices: &[Invoice],
    receipts: &BTreeMap<(&str, &str), Vec<(NaiveDate, i64)>>,
    as_of: NaiveDate,
) -> Vec<PayBehaviour> {
    let mut per_customer: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    for i in invoices.iter().filter(|i| i.amount_minor > 0 && i.invoice_date <= as_of) {
        let paid_on = if i.open_minor == 0 {
            i.paid_date
        } else {
            receipts.get(&(&*i.customer, i.invoice_no.as_str())).and_then(|list| {
                let total: i64 = list.iter().map(|(_, x)| x).sum();
                (total >= i.open_minor).then(|| list.iter().map(|(d, _)| *d).max()).flatten()
            })
        };
        if let Some(paid) = paid_on.filter(|d| *d <= as_of) {
            per_customer
                .entry(&i.customer)
                .or_default()
                .push(((paid - i.invoice_date).num_days(), (paid - i.due_date).num_days()));
        }
    }
    per_customer
        .into_iter()
        .map(|(customer, mut days)| {
            let n = days.len();
            let average = |sum: i64| (Decimal::from(sum) / Decimal::from(n)).round_dp_with_strategy(1, HALF_UP);
            let average_days = average(days.iter().map(|d| d.0).sum());
            let average_days_late = average(days.iter().map(|d| d.1.max(0)).sum());
            let average_after_due = average(days.iter().map(|d| d.1).sum());
            days.sort_unstable();
            let median_days = if n % 2 == 1 {
                Decimal::from(days[n / 2].0)
            } else {
                (Decimal::from(days[n / 2 - 1].0 + days[n / 2].0) / Decimal::from(2)).round_dp_with_strategy(1, HALF_UP)
            };
            PayBehaviour {
                customer: customer.to_owned(),
                invoices: n,
                average_days,
                median_days,
                average_days_late,
                average_after_due,
            }
        })
        .collect()
}
