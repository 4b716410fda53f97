//! After payment: a thank-you with a receipt to the customer's billing contact for the
//! invoices a matched payment settled in this run — unless that contact already gets a
//! message in this run, or the invoices were thanked for in an earlier run.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::action::{Action, ActionKind};
use super::history::History;
use super::matching::Reconciliation;
use crate::normalize::Invoice;
use crate::normalize::records::{Contact, Role};

/// The stage id and template of thank-you messages.
pub const STAGE: &str = "thank_you";

/// Thank-you actions for the invoices settled by matched payments.
#[must_use]
pub fn thank_you(
    reconciliation: &Reconciliation,
    invoices: &[Invoice],
    contacts: &[Contact],
    history: &History,
    already: &[Action],
    as_of: NaiveDate,
) -> Vec<Action> {
    let mut settled: BTreeMap<(String, String), Vec<(String, i64)>> = BTreeMap::new();
    for a in reconciliation.applied.iter().filter(|a| a.settled) {
        let Some(invoice) = invoices.iter().find(|i| *i.customer == *a.customer && i.invoice_no == a.invoice_no) else {
            continue;
        };
        let thanked = history.entries_for(&a.customer, &a.invoice_no, as_of).iter().any(|e| e.stage == STAGE);
        if !thanked {
            settled
                .entry((a.customer.clone(), invoice.currency.code().to_owned()))
                .or_default()
                .push((a.invoice_no.clone(), invoice.amount_minor));
        }
    }
    let messaged: Vec<&str> = already
        .iter()
        .filter(|a| a.kind == ActionKind::Message)
        .flat_map(|a| a.to.iter().map(String::as_str))
        .collect();
    let mut actions = Vec::new();
    for ((customer, code), paid) in settled {
        let to: Vec<String> = contacts
            .iter()
            .filter(|c| c.customer == customer && c.role == Role::Billing)
            .map(|c| c.email.clone())
            .filter(|e| !messaged.iter().any(|m| m.eq_ignore_ascii_case(e)))
            .collect();
        let Some(currency) = crate::money::Currency::parse(&code) else { continue };
        if to.is_empty() {
            continue;
        }
        let total: i64 = paid.iter().map(|(_, amount)| amount).sum();
        let numbers: Vec<String> = paid.into_iter().map(|(n, _)| n).collect();
        actions.push(Action {
            customer: customer.clone(),
            reason: format!("{} paid in full: thank the customer and confirm receipt", numbers.join(", ")),
            invoice_nos: numbers,
            kind: ActionKind::Message,
            stage: STAGE.into(),
            to,
            cc: Vec::new(),
            template: Some(STAGE.into()),
            amount: currency.format(total),
            currency: code,
        });
    }
    actions
}
