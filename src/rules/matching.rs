//! Payments in, matched to open invoices: first by an invoice number found in the
//! payment's reference, then — for a payer that is a customer — by the exact amount of one
//! open invoice, then oldest-first across that customer's invoices (a lump sum). What is
//! left is credit on the customer's account, or unmatched (with a suggested customer, never
//! applied). Open amounts are reduced by what is applied; the aging then uses balances
//! after matching.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::money::Currency;
use crate::normalize::Invoice;
use crate::normalize::records::Payment;

/// One matching rule, in the order `[payments] rules` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// An invoice number appears in the payment's reference or memo.
    Reference,
    /// The payer is a customer and the amount equals one open invoice's.
    ExactAmount,
    /// The payer is a customer: the amount pays its open invoices, oldest due first.
    OldestFirst,
}

impl MatchRule {
    /// The name in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::ExactAmount => "exact amount",
            Self::OldestFirst => "oldest first",
        }
    }
}

/// An amount of a payment applied to an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Index into [`Reconciliation::payments`].
    pub payment: usize,
    /// The invoice's customer.
    pub customer: String,
    /// The invoice.
    pub invoice_no: String,
    /// Amount applied, minor units.
    pub amount_minor: i64,
    /// Which rule matched.
    pub rule: MatchRule,
    /// Whether the invoice is now fully paid.
    pub settled: bool,
}

/// Why part of a payment is not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leftover {
    /// The customer paid more than its open invoices: credit on account.
    Credit {
        /// The customer.
        customer: String,
    },
    /// The payer is not a customer.
    Unmatched {
        /// The most similar customer name, as a suggestion only.
        suggestion: Option<String>,
    },
    /// Received after the as-of date: not part of this run.
    AfterAsOf,
}

/// The part of a payment not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unapplied {
    /// Index into [`Reconciliation::payments`].
    pub payment: usize,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// Why.
    pub leftover: Leftover,
}

/// The outcome of matching.
#[derive(Debug, Clone, Default)]
pub struct Reconciliation {
    /// The payments, in date order.
    pub payments: Vec<Payment>,
    /// Amounts applied.
    pub applied: Vec<Applied>,
    /// Amounts left over.
    pub unapplied: Vec<Unapplied>,
}

/// Per currency: count, total in, applied, unapplied (minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaymentTotals {
    /// Number of payments.
    pub count: usize,
    /// Sum of the payments.
    pub total_in: i64,
    /// Applied to invoices.
    pub applied: i64,
    /// Not applied (credit, unmatched, after the as-of date).
    pub unapplied: i64,
}

impl Reconciliation {
    /// Totals per currency code; `total_in = applied + unapplied` by construction.
    #[must_use]
    pub fn totals(&self) -> BTreeMap<String, PaymentTotals> {
        let mut totals: BTreeMap<String, PaymentTotals> = BTreeMap::new();
        for p in &self.payments {
            let t = totals.entry(p.currency.code().to_owned()).or_default();
            t.count += 1;
            t.total_in += p.amount_minor;
        }
        for a in &self.applied {
            totals.entry(self.payments[a.payment].currency.code().to_owned()).or_default().applied += a.amount_minor;
        }
        for u in &self.unapplied {
            totals.entry(self.payments[u.payment].currency.code().to_owned()).or_default().unapplied += u.amount_minor;
        }
        totals
    }
}

/// A name reduced for comparing payers with customers: lower case, letters and digits.
fn name_key(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Matches `payments` to `invoices` (reducing their open amounts) with `rules` in order.
#[must_use]
pub fn reconcile(
    invoices: &mut [Invoice],
    mut payments: Vec<Payment>,
    rules: &[MatchRule],
    as_of: NaiveDate,
) -> Reconciliation {
    payments.sort_by_key(|p| (p.payment_date, p.row));
    let customers: Vec<String> = {
        let mut names: Vec<String> = invoices.iter().map(|i| i.customer.to_string()).collect();
        names.sort();
        names.dedup();
        names
    };
    let mut result = Reconciliation { payments, ..Reconciliation::default() };
    // Open invoices in due-date order: the order oldest-first pays them in.
    let mut order: Vec<usize> = (0..invoices.len()).collect();
    order.sort_by(|&a, &b| {
        (invoices[a].due_date, &invoices[a].invoice_no).cmp(&(invoices[b].due_date, &invoices[b].invoice_no))
    });
    for (index, payment) in result.payments.iter().enumerate() {
        if payment.payment_date > as_of {
            result.unapplied.push(Unapplied {
                payment: index,
                amount_minor: payment.amount_minor,
                leftover: Leftover::AfterAsOf,
            });
            continue;
        }
        let customer = customers.iter().find(|c| name_key(c) == name_key(&payment.payer)).cloned();
        let mut remaining = payment.amount_minor;
        let usable =
            |inv: &Invoice| inv.open_minor > 0 && inv.currency == payment.currency && inv.invoice_date <= as_of;
        for rule in rules {
            if remaining == 0 {
                break;
            }
            match rule {
                MatchRule::Reference => {
                    let tokens: Vec<String> = payment
                        .reference
                        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '/'))
                        .filter(|t| !t.is_empty())
                        .map(str::to_uppercase)
                        .collect();
                    for token in &tokens {
                        if let Some(i) = order
                            .iter()
                            .copied()
                            .find(|&i| usable(&invoices[i]) && invoices[i].invoice_no.to_uppercase() == *token)
                        {
                            apply(&mut invoices[i], index, MatchRule::Reference, &mut remaining, &mut result.applied);
                        }
                    }
                }
                MatchRule::ExactAmount => {
                    let Some(name) = &customer else { continue };
                    let exact = order.iter().copied().find(|&i| {
                        usable(&invoices[i]) && *invoices[i].customer == **name && invoices[i].open_minor == remaining
                    });
                    if let Some(i) = exact {
                        apply(&mut invoices[i], index, MatchRule::ExactAmount, &mut remaining, &mut result.applied);
                    }
                }
                MatchRule::OldestFirst => {
                    let Some(name) = &customer else { continue };
                    for i in order.clone() {
                        if remaining == 0 {
                            break;
                        }
                        if usable(&invoices[i]) && *invoices[i].customer == **name {
                            apply(&mut invoices[i], index, MatchRule::OldestFirst, &mut remaining, &mut result.applied);
                        }
                    }
                }
            }
        }
        if remaining > 0 {
            let leftover = match &customer {
                Some(name) => Leftover::Credit { customer: name.clone() },
                None => Leftover::Unmatched { suggestion: suggest(&payment.payer, &customers) },
            };
            result.unapplied.push(Unapplied { payment: index, amount_minor: remaining, leftover });
        }
    }
    result
}

/// Applies as much of `remaining` as the invoice's open amount takes.
fn apply(invoice: &mut Invoice, payment: usize, rule: MatchRule, remaining: &mut i64, applied: &mut Vec<Applied>) {
    let amount = (*remaining).min(invoice.open_minor);
    if amount <= 0 {
        return;
    }
    invoice.open_minor -= amount;
    *remaining -= amount;
    applied.push(Applied {
        payment,
        customer: invoice.customer.to_string(),
        invoice_no: invoice.invoice_no.clone(),
        amount_minor: amount,
        rule,
        settled: invoice.open_minor == 0,
    });
}

/// The customer most like `payer` (Jaro-Winkler ≥ 0.85), as a suggestion.
fn suggest(payer: &str, customers: &[String]) -> Option<String> {
    let key = name_key(payer);
    customers
        .iter()
        .map(|c| (strsim::jaro_winkler(&key, &name_key(c)), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.clone())
}

/// Applied amounts per (input index, currency code), for the control totals.
#[must_use]
pub fn applied_by_source(reconciliation: &Reconciliation, invoices: &[Invoice]) -> BTreeMap<(usize, String), i64> {
    let mut out = BTreeMap::new();
    for a in &reconciliation.applied {
        if let Some(invoice) = invoices.iter().find(|i| *i.customer == *a.customer && i.invoice_no == a.invoice_no) {
            *out.entry((invoice.source, invoice.currency.code().to_owned())).or_default() += a.amount_minor;
        }
    }
    out
}

/// The currency of a payment, for reports.
#[must_use]
pub fn currency_of(reconciliation: &Reconciliation, payment: usize) -> &Currency {
    &reconciliation.payments[payment].currency
}
