//! Balances as of a date. An export is taken after the as-of date (the month-end close runs
//! a few days later), so its open amounts already reflect payments made after that date.
//! As of D, a payment dated after D has not happened yet: an invoice dated on or before D
//! whose paid date is after D is re-opened by exactly the part the export shows as paid
//! (DOMAIN.md, "Open as of D"). Invoices dated after D are left as read: they are not part
//! of the receivable as of D at all (the aging counts them as future-dated).
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Invoice;

/// What was re-opened in one input and currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reopened {
    /// Invoices re-opened (wholly or in part).
    pub count: usize,
    /// The amount re-opened, minor units: paid after the as-of date.
    pub amount_minor: i64,
}

/// Per (input index, currency code): what was paid after the as-of date and re-opened.
pub type ReopenedBySource = BTreeMap<(usize, String), Reopened>;

/// Restates `invoices` as of `as_of` in place: each invoice dated on or before `as_of`
/// whose paid date is after it gets back the part the export shows as paid (amount − open).
/// Its paid date stays, so the Detail sheet can show when it was paid after all; every
/// figure that counts cash reads only paid dates on or before the as-of date.
#[must_use]
pub fn restate(invoices: &mut [Invoice], as_of: NaiveDate) -> ReopenedBySource {
    let mut reopened = ReopenedBySource::new();
    for invoice in invoices.iter_mut() {
        if !paid_after(invoice, as_of) || invoice.invoice_date > as_of || invoice.open_minor == invoice.amount_minor {
            continue;
        }
        // amount − open cannot overflow: the reader refuses an open amount larger than the
        // amount or of the opposite sign.
        let paid = invoice.amount_minor - invoice.open_minor;
        invoice.open_minor = invoice.amount_minor;
        let entry = reopened.entry((invoice.source, invoice.currency.code().to_owned())).or_default();
        entry.count += 1;
        entry.amount_minor += paid;
    }
    reopened
}

/// Whether `invoice` was paid (in full or in part) after `as_of`: its balance as of that
/// date includes money received since.
#[must_use]
pub fn paid_after(invoice: &Invoice, as_of: NaiveDate) -> bool {
    invoice.paid_date.is_some_and(|paid| paid > as_of)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::money::Currency;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn invoice(no: &str, dated: &str, amount: i64, open: i64, paid: Option<&str>) -> Invoice {
        Invoice {
            customer: Arc::from("ACME"),
            invoice_no: no.into(),
            invoice_date: date(dated),
            due_date: date(dated) + chrono::Duration::days(30),
            currency: Currency::parse("USD").unwrap(),
            amount_minor: amount,
            open_minor: open,
            project: None,
            contract_no: None,
            project_manager: None,
            paid_date: paid.map(date),
            source_row: 2,
            source: 0,
            due_assumed: false,
            lines: None,
        }
    }

    #[test]
    fn payments_after_the_date_reopen_exactly_the_paid_part() {
        let as_of = date("2013-06-30");
        let mut invoices = vec![
            // Settled in full on 2013-07-02: 100.00 open as of June 30.
            invoice("A", "2013-06-10", 10_000, 0, Some("2013-07-02")),
            // 60.00 of 100.00 paid on 2013-07-15: all 100.00 open as of June 30.
            invoice("B", "2013-06-11", 10_000, 4_000, Some("2013-07-15")),
            // Paid on the as-of date itself: closed.
            invoice("C", "2013-06-12", 5_000, 0, Some("2013-06-30")),
            // Dated after the as-of date: left to the aging (future-dated).
            invoice("D", "2013-07-01", 7_000, 0, Some("2013-07-20")),
            // Never paid.
            invoice("E", "2013-05-01", 2_500, 2_500, None),
            // A credit note applied after the date: -30.00 open again.
            invoice("F", "2013-06-20", -3_000, 0, Some("2013-07-05")),
        ];
        let reopened = restate(&mut invoices, as_of);
        let open: Vec<i64> = invoices.iter().map(|i| i.open_minor).collect();
        assert_eq!(open, [10_000, 10_000, 0, 0, 2_500, -3_000]);
        // 100.00 + 60.00 − 30.00 re-opened, three invoices.
        assert_eq!(reopened[&(0, "USD".to_owned())], Reopened { count: 3, amount_minor: 13_000 });
        assert!(paid_after(&invoices[0], as_of));
        assert!(!paid_after(&invoices[2], as_of));
    }
}
