//! After payment: a thank-you with a receipt to the customer's billing contact for the
//! payments matched in this run — each payment's amount and date and each invoice it
//! settled or reduced — unless that contact already gets a
//! message in this run, or the invoices were thanked for in an earlier run.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::action::{Action, ActionKind, PaidInvoice, PaymentThanked};
use super::history::History;
use super::why::{Arg, Why};
use crate::ledger::matching::Reconciliation;
use crate::normalize::Invoice;
use crate::normalize::records::{Contact, Role};

/// The stage id and template of thank-you messages.
pub const STAGE: &str = "thank_you";

/// Per payment (by index), the invoices it paid: number, amount applied, still open.
type Paid = BTreeMap<usize, Vec<(String, i64, i64)>>;

/// Thank-you actions for the payments applied in this run: per customer and currency,
/// each payment with its amount and date and each invoice it settled or reduced (with what
/// is still open). A payment already acknowledged — a message to the account was made on
/// or after its date — is not thanked again. When the billing contact already gets a
/// collection message in this run, that message acknowledges the payments instead (no
/// demand letter ignores money just received).
#[must_use]
pub fn thank_you(
    reconciliation: &Reconciliation,
    invoices: &[Invoice],
    contacts: &[Contact],
    history: &History,
    already: &mut [Action],
    as_of: NaiveDate,
) -> Vec<Action> {
    let thanked = paid_by_payment(reconciliation, invoices, history, as_of);
    // Looked up per account, made once (at a million invoices: 20,000 accounts, 13,000
    // payments).
    let messaged: std::collections::HashSet<String> = already
        .iter()
        .filter(|a| a.kind == ActionKind::Message)
        .flat_map(|a| a.to.iter().chain(&a.cc).map(|m| m.to_ascii_lowercase()))
        .collect();
    let mut billing_of: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for c in contacts.iter().filter(|c| c.role == Role::Billing) {
        billing_of.entry(c.customer.as_str()).or_default().push(c.email.as_str());
    }
    let mut credit_of: std::collections::HashMap<usize, Vec<&crate::ledger::matching::Unapplied>> =
        std::collections::HashMap::new();
    for u in &reconciliation.unapplied {
        credit_of.entry(u.payment).or_default().push(u);
    }
    // The first message of each account and currency without payments, by position.
    let mut own_message: std::collections::HashMap<(String, String), usize> = std::collections::HashMap::new();
    for (at, a) in already.iter().enumerate() {
        if a.kind == ActionKind::Message && a.payments.is_empty() {
            own_message.entry((a.customer.clone(), a.currency.clone())).or_insert(at);
        }
    }
    let mut actions = Vec::new();
    for ((customer, code), paid) in thanked {
        let billing: Vec<String> =
            billing_of.get(customer.as_str()).into_iter().flatten().map(|e| (*e).to_owned()).collect();
        let to: Vec<String> = billing.iter().filter(|e| !messaged.contains(&e.to_ascii_lowercase())).cloned().collect();
        let Some(currency) = crate::money::Currency::parse(&code) else { continue };
        if billing.is_empty() {
            continue;
        }
        let mut payments = Vec::new();
        let mut numbers: Vec<String> = Vec::new();
        let mut total = 0i64;
        for (index, lines) in paid {
            let Some(payment) = reconciliation.payments.get(index) else { continue };
            total = total.saturating_add(payment.amount_minor);
            let credit: i64 = credit_of
                .get(&index)
                .into_iter()
                .flatten()
                .filter(|u| matches!(&u.leftover, crate::ledger::matching::Leftover::Credit { customer: c } if *c == customer))
                .fold(0, |s, u| s.saturating_add(u.amount_minor));
            for (n, ..) in &lines {
                if !numbers.contains(n) {
                    numbers.push(n.clone());
                }
            }
            payments.push(PaymentThanked {
                date: payment.payment_date,
                amount: currency.format(payment.amount_minor),
                reference: payment.reference.clone(),
                invoices: lines
                    .into_iter()
                    .map(|(invoice_no, applied, remaining)| PaidInvoice {
                        invoice_no,
                        applied: currency.format(applied),
                        remaining: currency.format(remaining.max(0)),
                        settled: remaining <= 0,
                    })
                    .collect(),
                credit: (credit > 0).then(|| currency.format(credit)),
            });
        }
        let mut words = Why::default();
        for (i, p) in payments.iter().enumerate() {
            if i > 0 {
                words.push("semicolon", vec![]);
            }
            words.push("payment", vec![("payment", Arg::Why(in_words(p)))]);
        }
        if to.is_empty() {
            // The account's own message this run acknowledges them.
            let own = own_message.get(&(customer.clone(), code.clone())).and_then(|&at| already.get_mut(at));
            if let Some(message) = own {
                message.add_reason("acknowledges", vec![("payments", Arg::Why(words))]);
                message.payments = payments;
            }
            continue;
        }
        let mut action = Action::new(
            &customer,
            ActionKind::Message,
            STAGE,
            &code,
            currency.format(total),
            Why::new("thank_you", vec![("payments", Arg::Why(words))]),
        );
        action.invoice_nos = numbers;
        action.to = to;
        action.template = Some(STAGE.into());
        action.payments = payments;
        actions.push(action);
    }
    actions
}

/// `450.00 received on 2026-11-05: B-2 settled, B-1 reduced by 100.00 to 200.00`.
fn in_words(p: &PaymentThanked) -> Why {
    let mut why = Why::new("received", vec![("amount", p.amount.as_str().into()), ("date", p.date.into())]);
    for (n, i) in p.invoices.iter().enumerate() {
        if n > 0 {
            why.push("comma", vec![]);
        }
        if i.settled {
            why.push("settled", vec![("invoice", i.invoice_no.as_str().into())]);
        } else {
            why.push(
                "reduced",
                vec![
                    ("invoice", i.invoice_no.as_str().into()),
                    ("applied", i.applied.as_str().into()),
                    ("remaining", i.remaining.as_str().into()),
                ],
            );
        }
    }
    if let Some(c) = &p.credit {
        why.push("credit_on_account", vec![("amount", c.as_str().into())]);
    }
    why
}

/// Per (customer, currency): per payment not yet acknowledged, the invoices it paid with
/// the amount applied and what is still open after it.
fn paid_by_payment(
    reconciliation: &Reconciliation,
    invoices: &[Invoice],
    history: &History,
    as_of: NaiveDate,
) -> BTreeMap<(String, String), Paid> {
    // The open amount of each invoice before the payments: after them plus what they paid.
    let by_key: std::collections::HashMap<(&str, &str), &Invoice> =
        invoices.iter().map(|i| ((&*i.customer, i.invoice_no.as_str()), i)).collect();
    let find = |customer: &str, no: &str| by_key.get(&(customer, no)).copied();
    // The last message to each account, indexed once.
    let mut last_contact: std::collections::HashMap<(&str, &str), NaiveDate> = std::collections::HashMap::new();
    for e in history.contacts_before(as_of) {
        let last = last_contact.entry((e.customer.as_str(), e.currency.as_str())).or_insert(e.as_of);
        *last = (*last).max(e.as_of);
    }
    let mut before: BTreeMap<(String, String), i64> = BTreeMap::new();
    for a in &reconciliation.applied {
        if let Some(invoice) = find(&a.customer, &a.invoice_no) {
            let open = before.entry((a.customer.clone(), a.invoice_no.clone())).or_insert(invoice.open_minor);
            *open = open.saturating_add(a.amount_minor);
        }
    }
    // Per (customer, currency): per payment (in date order), the invoices it paid.
    let mut thanked: BTreeMap<(String, String), Paid> = BTreeMap::new();
    for a in &reconciliation.applied {
        let Some(invoice) = find(&a.customer, &a.invoice_no) else { continue };
        let Some(payment) = reconciliation.payments.get(a.payment) else { continue };
        let code = invoice.currency.code();
        let done = last_contact.get(&(a.customer.as_str(), code)).is_some_and(|d| *d >= payment.payment_date);
        let key = (a.customer.clone(), a.invoice_no.clone());
        let open = before.get(&key).copied().unwrap_or(invoice.open_minor);
        let remaining = open.saturating_sub(a.amount_minor);
        before.insert(key, remaining);
        if done || a.amount_minor <= 0 {
            continue;
        }
        thanked
            .entry((a.customer.clone(), invoice.currency.code().to_owned()))
            .or_default()
            .entry(a.payment)
            .or_default()
            .push((a.invoice_no.clone(), a.amount_minor, remaining));
    }
    thanked
}
