//! Payments in, matched to open invoices as a person would: first by an invoice
//! number found in the payment's reference ([`super::reference`]: `INV 351`, `#0351` …
//! name `INV-US-0351` when exactly one open invoice fits), then — for a payer that is a
//! customer — by the exact amount of one open invoice, then oldest-first across that
//! customer's invoices (a lump sum). A payer that is a customer has its reference looked
//! up among its own invoices only: a reference that fits another customer's invoice, or
//! several invoices, is a suggestion for a person and the payment waits, unapplied. What is
//! left is credit on the customer's account, or unmatched (with a suggested customer, never
//! applied). Open amounts are reduced by what is applied; the aging then uses balances
//! after matching.
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::reference::{self, Mention, NumberKey};
use crate::config::rules_file::MatchRule;
use crate::normalize::Invoice;
use crate::normalize::reason::{Arg, Reason};
use crate::normalize::records::Payment;

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
    /// The reference names another customer's invoice, or fits several invoices: a
    /// person decides; nothing of the payment is applied by the later rules.
    Review {
        /// What a person is asked to decide, e.g. `reference "INV-1" is Beta Co's invoice
        /// INV-1; payer is ACME` (in either language).
        note: Reason,
        /// The customers whose invoices the money may pay (the payer first, when it is a
        /// customer): their messages are held until a person decides.
        customers: Vec<String>,
    },
    /// Received after the as-of date: not part of this run.
    AfterAsOf,
}

impl Leftover {
    /// The customers this money may belong to: credit on account, an unmatched payer's
    /// suggested customer, the customers a reference suggestion names.
    #[must_use]
    pub fn pending_for(&self) -> &[String] {
        match self {
            Self::Credit { customer } | Self::Unmatched { suggestion: Some(customer) } => {
                std::slice::from_ref(customer)
            }
            Self::Review { customers, .. } => customers,
            Self::Unmatched { suggestion: None } | Self::AfterAsOf => &[],
        }
    }
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

/// Money received on or before the as-of date, not applied, that may pay a customer's
/// invoices: the customer's messages in its currency wait (`unapplied_cash_pending`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCash {
    /// The customer whose invoices it may pay.
    pub customer: String,
    /// Currency code.
    pub currency: String,
    /// The part not applied, minor units.
    pub amount_minor: i64,
    /// When it was received.
    pub payment_date: NaiveDate,
    /// The payment's row in its file.
    pub row: usize,
    /// Who paid, as the bank names them.
    pub payer: String,
    /// Why it is not applied, in words of either language.
    pub why: Reason,
    /// Credit on the customer's own account (it paid more than was open): certainly its
    /// money, so a deduction from what it owes, not a reason to wait.
    pub on_account: bool,
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

    /// The money not applied that may pay customers' invoices, one entry per customer it
    /// may belong to; in payment order.
    #[must_use]
    pub fn pending_cash(&self) -> Vec<PendingCash> {
        let mut out = Vec::new();
        for u in &self.unapplied {
            let payment = &self.payments[u.payment];
            let why = match &u.leftover {
                Leftover::Credit { .. } => Reason::new("credit_on_account", vec![]),
                Leftover::Unmatched { .. } => Reason::new("unmatched_perhaps", vec![]),
                Leftover::Review { note, .. } => note.clone(),
                Leftover::AfterAsOf => continue,
            };
            for customer in u.leftover.pending_for() {
                out.push(PendingCash {
                    customer: customer.clone(),
                    currency: payment.currency.code().to_owned(),
                    amount_minor: u.amount_minor,
                    payment_date: payment.payment_date,
                    row: payment.row,
                    payer: payment.payer.clone(),
                    why: why.clone(),
                    on_account: matches!(u.leftover, Leftover::Credit { .. }),
                });
            }
        }
        out
    }
}

/// A name reduced for comparing payers with customers: lower case, letters and digits.
fn name_key(name: &str) -> String {
    crate::normalize::references::name_key(name)
}

/// The invoices' numbers as references are compared with them, made once per run.
struct Numbers {
    /// Per invoice, its key.
    keys: Vec<NumberKey>,
    /// Letters and digits of a number → the invoices with it.
    exact: HashMap<String, Vec<usize>>,
    /// Last digits → the invoices with them.
    digits: HashMap<String, Vec<usize>>,
}

impl Numbers {
    fn new(invoices: &[Invoice]) -> Self {
        let keys: Vec<NumberKey> = invoices.iter().map(|i| NumberKey::new(&i.invoice_no)).collect();
        // Looked up, never walked in order: hashed (a million invoices' keys).
        let mut exact: HashMap<String, Vec<usize>> = HashMap::with_capacity(keys.len());
        let mut digits: HashMap<String, Vec<usize>> = HashMap::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            exact.entry(key.exact.clone()).or_default().push(i);
            if !key.digits.is_empty() {
                digits.entry(key.digits.clone()).or_default().push(i);
            }
        }
        Self { keys, exact, digits }
    }

    /// The invoices a mention could name (before asking which are open, whose, …).
    fn candidates(&self, mention: &Mention) -> &[usize] {
        let found = match mention {
            Mention::Exact { key, .. } => self.exact.get(key),
            Mention::Number { digits, .. } => self.digits.get(digits),
        };
        found.map_or(&[], Vec::as_slice)
    }
}

/// What the reference rule made of one payment.
struct ByReference {
    /// Suggestions for a person (not applied).
    notes: Vec<Reason>,
    /// The customers the suggestions name.
    customers: Vec<String>,
}

/// Matches `payments` to `invoices` (reducing their open amounts) with `rules` in order.
#[must_use]
pub(crate) fn reconcile(
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
    // Each customer's name as payers are compared with it, made once (the first customer
    // in name order when two reduce to the same key); a payer is looked up, not compared
    // with every customer.
    let keyed: Vec<Keyed<'_>> = customers.iter().map(Keyed::new).collect();
    let mut by_key: HashMap<&str, &String> = HashMap::with_capacity(keyed.len());
    for Keyed { key, name, .. } in &keyed {
        by_key.entry(key.as_str()).or_insert(name);
    }
    let numbers = rules.contains(&MatchRule::Reference).then(|| Numbers::new(invoices));
    let mut result = Reconciliation { payments, ..Reconciliation::default() };
    // Each customer's invoices in due-date order: the order oldest-first pays them in (a
    // payment scans its payer's invoices only, not every invoice of the run).
    let mut order: Vec<usize> = (0..invoices.len()).collect();
    order.sort_by(|&a, &b| {
        (invoices[a].due_date, &invoices[a].invoice_no).cmp(&(invoices[b].due_date, &invoices[b].invoice_no))
    });
    let mut own: HashMap<String, Vec<usize>> = HashMap::new();
    for &i in &order {
        match own.get_mut(&*invoices[i].customer) {
            Some(list) => list.push(i),
            None => {
                own.insert(invoices[i].customer.to_string(), vec![i]);
            }
        }
    }
    drop(order);
    for (index, payment) in result.payments.iter().enumerate() {
        if payment.payment_date > as_of {
            result.unapplied.push(Unapplied {
                payment: index,
                amount_minor: payment.amount_minor,
                leftover: Leftover::AfterAsOf,
            });
            continue;
        }
        let customer = by_key.get(name_key(&payment.payer).as_str()).map(|c| (*c).clone());
        let theirs: &[usize] = customer.as_ref().and_then(|c| own.get(c)).map_or(&[], Vec::as_slice);
        let mut remaining = payment.amount_minor;
        let mut review: Option<ByReference> = None;
        let usable =
            |inv: &Invoice| inv.open_minor > 0 && inv.currency == payment.currency && inv.invoice_date <= as_of;
        for rule in rules {
            // A reference a person must decide on stops the later rules: they might apply
            // the money where the payer said it does not belong.
            if remaining == 0 || review.is_some() {
                break;
            }
            match rule {
                MatchRule::Reference => {
                    let Some(numbers) = &numbers else { continue };
                    let mut context = Payer { index, customer: customer.as_deref(), remaining: &mut remaining };
                    let found = by_reference(invoices, numbers, payment, &usable, &mut context, &mut result.applied);
                    review = (!found.notes.is_empty()).then_some(found);
                }
                MatchRule::ExactAmount => {
                    let Some(name) = &customer else { continue };
                    let exact = theirs.iter().copied().find(|&i| {
                        usable(&invoices[i]) && *invoices[i].customer == **name && invoices[i].open_minor == remaining
                    });
                    if let Some(i) = exact {
                        apply(&mut invoices[i], index, MatchRule::ExactAmount, &mut remaining, &mut result.applied);
                    }
                }
                MatchRule::OldestFirst => {
                    let Some(name) = &customer else { continue };
                    for &i in theirs {
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
            let leftover = match (review, &customer) {
                (Some(found), _) => {
                    Leftover::Review { note: Reason::join(found.notes, "semicolon"), customers: found.customers }
                }
                (None, Some(name)) => Leftover::Credit { customer: name.clone() },
                (None, None) => Leftover::Unmatched { suggestion: suggest(&payment.payer, &keyed) },
            };
            result.unapplied.push(Unapplied { payment: index, amount_minor: remaining, leftover });
        }
    }
    result
}

/// The payment being matched: its index, its payer when a customer, what is left of it.
struct Payer<'a> {
    index: usize,
    customer: Option<&'a str>,
    remaining: &'a mut i64,
}

/// The reference rule for one payment: each invoice its reference names is paid when
/// exactly one open invoice fits — among the payer's own when the payer is a customer,
/// among all otherwise. Mentions that fit several invoices, or only other customers'
/// invoices, become suggestions.
fn by_reference(
    invoices: &mut [Invoice],
    numbers: &Numbers,
    payment: &Payment,
    usable: &impl Fn(&Invoice) -> bool,
    payer: &mut Payer<'_>,
    applied: &mut Vec<Applied>,
) -> ByReference {
    let mut found = ByReference { notes: Vec::new(), customers: Vec::new() };
    let add_customer = |found: &mut ByReference, name: &str| {
        if !found.customers.iter().any(|c| c == name) {
            found.customers.push(name.to_owned());
        }
    };
    let mentions = reference::mentions(&payment.reference, |key| numbers.exact.contains_key(key));
    for mention in &mentions {
        let fits: Vec<usize> = numbers
            .candidates(mention)
            .iter()
            .copied()
            .filter(|&i| usable(&invoices[i]) && mention.fits(&numbers.keys[i]))
            .collect();
        let own: Vec<usize> = match payer.customer {
            Some(name) => fits.iter().copied().filter(|&i| *invoices[i].customer == *name).collect(),
            None => fits.clone(),
        };
        let text = mention.text();
        if let [i] = own[..] {
            apply(&mut invoices[i], payer.index, MatchRule::Reference, payer.remaining, applied);
            continue;
        }
        let named = |list: &[usize]| {
            let each = list.iter().map(|&i| {
                let args = vec![
                    ("invoice", invoices[i].invoice_no.as_str().into()),
                    ("customer", (*invoices[i].customer).into()),
                ];
                Reason::new("invoice_customer", args)
            });
            Arg::Reason(Reason::join(each, "list_separator"))
        };
        let quoted = || Arg::Text(text.to_owned());
        if own.len() > 1 {
            let note = match payer.customer {
                Some(name) => {
                    let numbers = Arg::List(own.iter().map(|&i| invoices[i].invoice_no.clone()).collect());
                    Reason::new(
                        "ref_several_own",
                        vec![("text", quoted()), ("customer", name.into()), ("invoices", numbers)],
                    )
                }
                None => Reason::new("ref_several", vec![("text", quoted()), ("invoices", named(&own))]),
            };
            found.notes.push(note);
            for &i in &own {
                add_customer(&mut found, &invoices[i].customer.clone());
            }
        } else if let (Some(name), false) = (payer.customer, fits.is_empty()) {
            // Only another customer's invoice fits: never applied without a person.
            let note = match fits[..] {
                [i] => Reason::new(
                    "ref_other_customer",
                    vec![
                        ("text", quoted()),
                        ("owner", (*invoices[i].customer).into()),
                        ("invoice", invoices[i].invoice_no.as_str().into()),
                        ("payer", name.into()),
                    ],
                ),
                _ => Reason::new(
                    "ref_other_customers",
                    vec![("text", quoted()), ("invoices", named(&fits)), ("payer", name.into())],
                ),
            };
            found.notes.push(note);
            add_customer(&mut found, name);
            for &i in &fits {
                add_customer(&mut found, &invoices[i].customer.clone());
            }
        }
    }
    if let (Some(name), false) = (payer.customer, found.notes.is_empty()) {
        // The payer's own account first.
        found.customers.retain(|c| c != name);
        found.customers.insert(0, name.to_owned());
    }
    found
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

/// A customer's name with its key ([`name_key`]) and the key's characters in order, made
/// once per run.
struct Keyed<'a> {
    key: String,
    sorted: Vec<char>,
    name: &'a String,
}

impl<'a> Keyed<'a> {
    fn new(name: &'a String) -> Self {
        let key = name_key(name);
        let mut sorted: Vec<char> = key.chars().collect();
        sorted.sort_unstable();
        Self { key, sorted, name }
    }
}

/// How many characters two sorted lists have in common (with repeats).
fn common(left: &[char], right: &[char]) -> usize {
    let (mut l, mut r, mut shared) = (0, 0, 0);
    while l < left.len() && r < right.len() {
        match left[l].cmp(&right[r]) {
            std::cmp::Ordering::Less => l += 1,
            std::cmp::Ordering::Greater => r += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                l += 1;
                r += 1;
            }
        }
    }
    shared
}

/// The customer most like `payer` (Jaro-Winkler ≥ 0.85), as a suggestion. A customer whose
/// name cannot reach 0.85 is passed over without the comparison: Jaro counts at most the
/// characters the two keys have in common (c), so it is at most (c/|a| + c/|b| + 1) / 3,
/// and Winkler's bonus (a prefix of at most 4, scale 0.1) at most 0.4 of what is left
/// (at a million invoices, 20,000 customers and 700 unknown payers took seconds).
fn suggest(payer: &str, customers: &[Keyed<'_>]) -> Option<String> {
    let key = name_key(payer);
    let mut sorted: Vec<char> = key.chars().collect();
    sorted.sort_unstable();
    #[allow(clippy::cast_precision_loss)] // names are far shorter than 2^52 characters
    let may_reach = |other: &[char]| {
        if sorted.is_empty() || other.is_empty() {
            return true;
        }
        let c = common(&sorted, other) as f64;
        let jaro = (c / sorted.len() as f64 + c / other.len() as f64 + 1.0) / 3.0;
        jaro + 0.4 * (1.0 - jaro) >= 0.85
    };
    customers
        .iter()
        .filter(|c| may_reach(&c.sorted))
        .map(|c| (strsim::jaro_winkler(&key, &c.key), c.name))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.clone())
}

/// Applied amounts per (input index, currency code), for the control totals.
#[must_use]
pub(crate) fn applied_by_source(
    reconciliation: &Reconciliation,
    invoices: &[Invoice],
) -> BTreeMap<(usize, String), i64> {
    // The first invoice of each (customer, number), looked up per amount applied.
    let mut first: HashMap<(&str, &str), &Invoice> = HashMap::new();
    for invoice in invoices {
        first.entry((&*invoice.customer, invoice.invoice_no.as_str())).or_insert(invoice);
    }
    let mut out = BTreeMap::new();
    for a in &reconciliation.applied {
        if let Some(invoice) = first.get(&(a.customer.as_str(), a.invoice_no.as_str())) {
            *out.entry((invoice.source, invoice.currency.code().to_owned())).or_default() += a.amount_minor;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_suggestion_passes_over_only_customers_that_cannot_reach_it(
            payer in "[A-Ca-c ]{0,8}[0-9]{0,2}",
            names in proptest::collection::vec("[A-Ca-c .]{0,8}[0-9]{0,2}( GmbH| Ltd)?", 0..30),
        ) {
            let mut names = names;
            names.sort();
            names.dedup();
            let keyed: Vec<Keyed<'_>> = names.iter().map(Keyed::new).collect();
            // Every customer compared, as before the bound.
            let compared = names
                .iter()
                .map(|c| (strsim::jaro_winkler(&name_key(&payer), &name_key(c)), c))
                .filter(|(score, _)| *score >= 0.85)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, c)| c.clone());
            prop_assert_eq!(suggest(&payer, &keyed), compared);
        }
    }

    #[test]
    fn a_near_name_is_suggested_and_a_far_one_is_not() {
        let names = ["Gamma GmbH".to_owned(), "Beta Ltd".to_owned()];
        let keyed: Vec<Keyed<'_>> = names.iter().map(Keyed::new).collect();
        assert_eq!(suggest("Gama GmbH", &keyed).as_deref(), Some("Gamma GmbH"));
        assert_eq!(suggest("Unknown Trading 0042", &keyed), None);
        assert_eq!(common(&['a', 'b', 'b', 'c'], &['b', 'b', 'b', 'd']), 2);
    }
}
