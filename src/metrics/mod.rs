//! The management metrics of a run: DSO (simple and countback), CEI, share overdue, cash
//! collected, days-to-pay per customer, the top overdue customers, amounts held by reason,
//! approvals stuck, and per project manager open / overdue / collected — with the trend of
//! the last runs. Consumers (the Management sheet, `summary.json`, the management email)
//! only read [`Metrics`]. Definitions: README "Metrics".
pub(crate) mod behaviour;
pub(crate) mod period;
pub(crate) mod rollforward;
pub(crate) mod trend;

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::aging::Aging;
pub(crate) use crate::config::rules_file::MetricsSpec;
use crate::ledger::Records;
use crate::ledger::matching::Reconciliation;
use crate::money::Currency;
use crate::normalize::Invoice;
use crate::rules::action::{Action, ActionKind, Hold, ISSUE_INVOICE};
use crate::rules::why::Why;
use behaviour::PayBehaviour;
use trend::{CurrencySnapshot, Snapshot, Trend};

/// The manager of invoices that name none (nor do their project or customer): shown in
/// the reader's words by the Management sheet and summary (`management.no_manager`).
pub(crate) const NO_MANAGER: &str = "(none)";

/// Where the period's beginning AR comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beginning {
    /// The previous run's snapshot in the state folder.
    PreviousRun,
    /// Rebuilt from this run's invoices (no earlier run): open at the start = open now +
    /// what was paid after the start.
    Rebuilt,
}

/// The figures of one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyMetrics {
    /// The currency.
    pub currency: Currency,
    /// Open AR at the start of the period.
    pub beginning: i64,
    /// Credit sales in the period (invoice amounts, credit notes netted).
    pub sales: i64,
    /// Invoices (positive amounts) dated in the period.
    pub invoiced: i64,
    /// Credit notes dated in the period, as a positive amount (`sales = invoiced −
    /// credit_notes`).
    pub credit_notes: i64,
    /// Ending AR − (beginning + invoiced − credit notes − collected): 0 when the ledger
    /// ties; otherwise the invoices behind it are in [`Metrics::unexplained`].
    pub not_explained: i64,
    /// Open AR at the as-of date (after matching).
    pub open: i64,
    /// The overdue part of it.
    pub overdue: i64,
    /// Cash applied to invoices in the period (payments matched, and paid amounts of the
    /// export with a paid date in the period).
    pub collected: i64,
    /// Payments received by the as-of date but not applied (credit on account, unmatched).
    pub unapplied: i64,
    /// Credit sales of the last `dso_days` days.
    pub dso_sales: i64,
    /// Simple DSO, days.
    pub dso: Option<Decimal>,
    /// Countback DSO, days.
    pub dso_countback: Option<Decimal>,
    /// Collection effectiveness index, percent.
    pub cei: Option<Decimal>,
    /// Overdue ÷ open, percent.
    pub overdue_share: Option<Decimal>,
    /// Open amount per aging bucket.
    pub buckets: Vec<i64>,
}

/// A customer among the largest overdue balances of its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopCustomer {
    /// Customer.
    pub customer: String,
    /// Currency.
    pub currency: Currency,
    /// Overdue amount.
    pub overdue: i64,
    /// Open amount.
    pub open: i64,
    /// Days past due of its oldest overdue invoice.
    pub max_days: i64,
}

/// Held amounts of one reason and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Hold stage: `disputed`, `promise_to_pay`, `critical_issues`, `cadence` or
    /// `unapplied_cash_pending`.
    pub reason: String,
    /// Currency.
    pub currency: Currency,
    /// Customers held.
    pub customers: usize,
    /// Invoices held.
    pub invoices: usize,
    /// Open amount held.
    pub amount: i64,
}

/// An account in legal review (nothing overdue goes silent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalCase {
    /// Customer.
    pub customer: String,
    /// Currency.
    pub currency: Currency,
    /// Invoices covered.
    pub invoices: usize,
    /// Overdue after deductions.
    pub amount: i64,
    /// In legal review since.
    pub since: Option<NaiveDate>,
    /// Days since.
    pub days: Option<i64>,
    /// Who owns the case.
    pub owner: String,
    /// Next review.
    pub next_review: Option<NaiveDate>,
    /// Listed as a task in this run (first listing or review due).
    pub review_now: bool,
}

/// A contract milestone whose trigger happened but that is not invoiced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbilled {
    /// Customer.
    pub customer: String,
    /// Project.
    pub project: String,
    /// Milestone name.
    pub name: String,
    /// Currency.
    pub currency: Currency,
    /// Amount.
    pub amount: i64,
    /// When the trigger happened.
    pub since: Option<NaiveDate>,
    /// Days waiting since.
    pub days: Option<i64>,
    /// When its payment falls due.
    pub due: Option<NaiveDate>,
}

/// A payment waiting in the customer's approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StuckApproval {
    /// Customer.
    pub customer: String,
    /// The invoice, or `None` for all the customer's open invoices.
    pub invoice_no: Option<String>,
    /// Whose approval it waits for.
    pub approver: String,
    /// The stage it sits at.
    pub stage: String,
    /// Since when.
    pub since: NaiveDate,
    /// Days at that stage on the as-of date.
    pub days: i64,
    /// Whether it is past `stuck_after_days` (a status report goes to the approver).
    pub stuck: bool,
    /// Currency.
    pub currency: Currency,
    /// Open amount waiting.
    pub amount: i64,
}

/// One project manager's receivables in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerMetrics {
    /// The project manager (as the inputs name them), or `(none)`.
    pub manager: String,
    /// Currency.
    pub currency: Currency,
    /// Open invoices.
    pub items: usize,
    /// Open amount.
    pub open: i64,
    /// Overdue amount.
    pub overdue: i64,
    /// Cash applied in the period.
    pub collected: i64,
}

/// Everything the management report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    /// Start of the period (exclusive).
    pub period_start: NaiveDate,
    /// End of the period: the as-of date (inclusive).
    pub as_of: NaiveDate,
    /// Where the beginning AR comes from.
    pub beginning: Beginning,
    /// Days of sales of simple DSO.
    pub dso_days: i64,
    /// Per currency: the aging's, then those with nothing open but sales, cash or an
    /// earlier balance in the period.
    pub currencies: Vec<CurrencyMetrics>,
    /// Largest overdue balances, per currency.
    pub top_overdue: Vec<TopCustomer>,
    /// Held amounts by reason: empty from [`compute`], filled by [`Metrics::count_holds`]
    /// once the actions are decided.
    pub held: Vec<Held>,
    /// Payments waiting in the customers' approval.
    pub approvals: Vec<StuckApproval>,
    /// Accounts in legal review: filled by [`Metrics::count_holds`].
    pub in_legal: Vec<LegalCase>,
    /// Milestones due but not invoiced: filled by [`Metrics::count_holds`].
    pub unbilled: Vec<Unbilled>,
    /// Per project manager and currency.
    pub managers: Vec<ManagerMetrics>,
    /// Days-to-pay per customer (settled invoices).
    pub behaviour: Vec<PayBehaviour>,
    /// The invoices behind each currency's `not_explained`, by currency, customer, invoice.
    pub unexplained: Vec<rollforward::Unexplained>,
    /// This run and the runs before it, oldest first (at most `trend_runs`).
    pub trend: Vec<Snapshot>,
}

/// What the metrics are computed from.
pub(crate) struct MetricsInput<'a> {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The invoices as read.
    pub original: &'a [Invoice],
    /// The same invoices after payments were applied (same order).
    pub matched: &'a [Invoice],
    /// Payment matching, when `--payments` was given.
    pub reconciliation: Option<&'a Reconciliation>,
    /// The aging (after matching).
    pub aging: &'a Aging,
    /// Contacts, projects, follow-ups.
    pub records: &'a Records,
    /// Earlier runs.
    pub trend: &'a Trend,
    /// `[metrics]`.
    pub spec: &'a MetricsSpec,
    /// `[collection.approval_status_report] stuck_after_days`.
    pub stuck_after_days: i64,
    /// The open items of the previous run, when the state folder kept them.
    pub previous_open: &'a rollforward::PreviousOpen,
}

/// Cash applied to each invoice, `(date, amount)`, keyed by customer and invoice number.
type Receipts<'a> = BTreeMap<(&'a str, &'a str), Vec<(NaiveDate, i64)>>;

/// The payments matched to each invoice, with their dates (the export's own paid part is
/// added per invoice by [`export_paid`]).
fn receipts<'a>(input: &MetricsInput<'a>) -> Receipts<'a> {
    let mut receipts: Receipts<'a> = BTreeMap::new();
    if let Some(r) = input.reconciliation {
        for a in &r.applied {
            let date = r.payments[a.payment].payment_date;
            receipts.entry((&*a.customer, a.invoice_no.as_str())).or_default().push((date, a.amount_minor));
        }
    }
    receipts
}

/// The export's paid part of an invoice with the date it was paid, when known.
fn export_paid(invoice: &Invoice) -> Option<(NaiveDate, i64)> {
    let paid = invoice.amount_minor - invoice.open_minor;
    if paid == 0 {
        return None;
    }
    Some((invoice.paid_date?, paid))
}

/// Per-currency sums over the invoices.
#[derive(Default)]
struct Sums {
    beginning: i64,
    sales: i64,
    invoiced: i64,
    credit_notes: i64,
    collected: i64,
    dso_sales: i64,
    /// Credit sales per countback month, latest first.
    months: Vec<i64>,
}

/// The dates the sums are taken over.
struct Window {
    as_of: NaiveDate,
    /// The period is `(start, as_of]`.
    start: NaiveDate,
    /// Beginning AR is rebuilt from the invoices (no earlier run).
    rebuilt: bool,
    /// Simple DSO counts the sales after this date.
    dso_start: NaiveDate,
    /// Countback months.
    months: Vec<(NaiveDate, NaiveDate, i64)>,
}

impl Window {
    fn in_period(&self, d: NaiveDate) -> bool {
        d > self.start && d <= self.as_of
    }
}

/// Sums per currency and figures per project manager, in one pass over the invoices.
/// What one pass over the invoices gives.
struct Accumulated<'a> {
    sums: BTreeMap<&'a str, Sums>,
    managers: Vec<ManagerMetrics>,
    /// Invoices of the period whose balance the period's movements do not explain.
    residuals: Vec<rollforward::Unexplained>,
    /// Per item dated by the period's start: its balance then, rebuilt from this export
    /// (only when the previous run's open items are known, to compare with them).
    starts: rollforward::Starts<'a>,
}

fn accumulate<'a>(input: &MetricsInput<'a>, w: &Window, receipts: &Receipts<'a>) -> Accumulated<'a> {
    let mut sums: BTreeMap<&str, Sums> = BTreeMap::new();
    let mut residuals = Vec::new();
    let mut starts = rollforward::Starts::new();
    let compare = input.previous_open.as_of == Some(w.start);
    let managers_of = project_managers(input.records);
    let mut managers: BTreeMap<(&str, &str), ManagerMetrics> = BTreeMap::new();
    for (original, matched) in input.original.iter().zip(input.matched) {
        if original.invoice_date > w.as_of {
            continue;
        }
        let s = sums
            .entry(original.currency.code())
            .or_insert_with(|| Sums { months: vec![0; w.months.len()], ..Sums::default() });
        let receipts = receipts.get(&(&*original.customer, original.invoice_no.as_str()));
        let paid = || receipts.into_iter().flatten().copied().chain(export_paid(original));
        let collected: i64 = paid().filter(|(d, _)| w.in_period(*d)).map(|(_, x)| x).sum();
        s.collected += collected;
        if w.in_period(original.invoice_date) {
            s.sales += original.amount_minor;
            if original.amount_minor >= 0 {
                s.invoiced += original.amount_minor;
            } else {
                s.credit_notes -= original.amount_minor;
            }
            // Dated in the period: amount − cash of the period should be what is open now.
            let residual = matched.open_minor - (original.amount_minor - collected);
            if residual != 0 {
                let why = Why::new(
                    "paid_undated",
                    vec![
                        ("invoiced", original.currency.format(original.amount_minor).into()),
                        ("collected", original.currency.format(collected).into()),
                        ("open", original.currency.format(matched.open_minor).into()),
                    ],
                );
                residuals.push(rollforward::Unexplained::new(
                    original.customer.to_string(),
                    original.invoice_no.clone(),
                    original.currency.clone(),
                    residual,
                    why,
                ));
            }
        } else {
            let paid_after: i64 = paid().filter(|(d, _)| *d > w.start).map(|(_, x)| x).sum();
            let start = matched.open_minor + paid_after;
            if w.rebuilt {
                s.beginning += start;
            }
            if compare {
                starts.push(((&*original.customer, original.invoice_no.as_str(), original.currency.code()), start));
            }
        }
        if original.invoice_date > w.dso_start {
            s.dso_sales += original.amount_minor;
        }
        if let Some(m) = period::window_of(&w.months, original.invoice_date) {
            s.months[m] += original.amount_minor;
        }
        let open = matched.open_minor;
        if open != 0 || collected != 0 {
            let manager = manager_of(original, &managers_of);
            let m = managers.entry((manager, original.currency.code())).or_insert_with(|| ManagerMetrics {
                manager: manager.to_owned(),
                currency: original.currency.clone(),
                items: 0,
                open: 0,
                overdue: 0,
                collected: 0,
            });
            if open != 0 {
                m.items += 1;
                m.open += open;
                if open > 0 && (w.as_of - original.due_date).num_days() > 0 {
                    m.overdue += open;
                }
            }
            m.collected += collected;
        }
    }
    Accumulated { sums, managers: managers.into_values().collect(), residuals, starts: rollforward::starts_of(starts) }
}

/// Computes the metrics from the invoices, before the actions are decided (so that the
/// invoices can be freed first). The holds are counted by
/// [`Metrics::count_holds`] once the actions are known.
#[must_use]
pub(crate) fn compute(input: &MetricsInput<'_>) -> Metrics {
    let as_of = input.as_of;
    let previous = input.trend.previous(as_of);
    let (period_start, beginning) = match previous {
        Some(p) => (p.as_of, Beginning::PreviousRun),
        None => (as_of - chrono::Duration::days(input.spec.period_days), Beginning::Rebuilt),
    };
    let window = Window {
        as_of,
        start: period_start,
        rebuilt: beginning == Beginning::Rebuilt,
        dso_start: as_of - chrono::Duration::days(input.spec.dso_days),
        months: period::month_windows(as_of),
    };
    let receipts = receipts(input);
    let Accumulated { sums: mut acc, managers, residuals, starts } = accumulate(input, &window, &receipts);
    let unapplied = input.reconciliation.map(unapplied_as_of).unwrap_or_default();
    // The aging's currencies, then any with no open items left but with sales, cash or an
    // earlier run's balance this period.
    let mut figures: Vec<(Currency, i64, i64, Vec<i64>)> = input
        .aging
        .currencies
        .iter()
        .map(|t| {
            (
                t.currency.clone(),
                t.total().amount_minor,
                t.overdue.amount_minor,
                t.buckets.iter().map(|b| b.amount_minor).collect(),
            )
        })
        .collect();
    let mut others: Vec<&str> = acc.keys().copied().collect();
    others.extend(unapplied.keys().map(String::as_str));
    others.extend(previous.iter().flat_map(|p| p.currencies.keys().map(String::as_str)));
    others.sort_unstable();
    others.dedup();
    for code in others {
        if let Some(currency) = Currency::parse(code).filter(|c| !figures.iter().any(|f| f.0 == *c)) {
            figures.push((currency, 0, 0, vec![0; input.aging.buckets.len()]));
        }
    }
    let currencies = figures
        .into_iter()
        .map(|(currency, open, overdue, buckets)| {
            let code = currency.code();
            let a = acc.remove(code).unwrap_or_default();
            let begin = match previous {
                Some(p) => p.currencies.get(code).and_then(|c| parse(&currency, &c.open)).unwrap_or(0),
                None => a.beginning,
            };
            let months: Vec<(i64, i64)> = window
                .months
                .iter()
                .enumerate()
                .map(|(m, (_, _, days))| (a.months.get(m).copied().unwrap_or(0), *days))
                .collect();
            CurrencyMetrics {
                beginning: begin,
                sales: a.sales,
                invoiced: a.invoiced,
                credit_notes: a.credit_notes,
                not_explained: open - (begin + a.sales - a.collected),
                open,
                overdue,
                collected: a.collected,
                unapplied: unapplied.get(code).copied().unwrap_or(0),
                dso_sales: a.dso_sales,
                dso: period::dso_simple(open, a.dso_sales, input.spec.dso_days),
                dso_countback: period::dso_countback(open, &months),
                cei: period::cei(begin, a.sales, open, open - overdue),
                overdue_share: period::percent(overdue, open),
                buckets,
                currency,
            }
        })
        .collect::<Vec<CurrencyMetrics>>();
    let unexplained = unexplained(&currencies, residuals, rollforward::start_differences(input.previous_open, &starts));
    let mut metrics = Metrics {
        period_start,
        as_of,
        beginning,
        dso_days: input.spec.dso_days,
        currencies,
        top_overdue: top_overdue(input),
        held: Vec::new(),
        in_legal: Vec::new(),
        unbilled: Vec::new(),
        approvals: approvals(input),
        managers,
        behaviour: behaviour::days_to_pay(input.original, &receipts, as_of),
        unexplained,
        trend: Vec::new(),
    };
    let mut trend = input.trend.clone();
    trend.record(metrics.snapshot());
    metrics.trend = trend.last(input.spec.trend_runs, as_of).to_vec();
    metrics
}

/// The invoices behind each currency's "not explained", sorted; when they do not add up to
/// it (the previous run's open items were not kept), one line for the rest.
fn unexplained(
    currencies: &[CurrencyMetrics],
    residuals: Vec<rollforward::Unexplained>,
    starts: Vec<rollforward::Unexplained>,
) -> Vec<rollforward::Unexplained> {
    let mut all: Vec<rollforward::Unexplained> = residuals.into_iter().chain(starts).collect();
    for c in currencies {
        let itemised: i64 = all.iter().filter(|u| u.currency == c.currency).map(|u| u.amount).sum();
        let rest = c.not_explained - itemised;
        if rest != 0 {
            all.push(rollforward::Unexplained::new(
                String::new(),
                String::new(),
                c.currency.clone(),
                rest,
                Why::new("not_itemised", vec![]),
            ));
        }
    }
    all.sort_by(|a, b| {
        (a.currency.code(), &a.customer, &a.invoice_no).cmp(&(b.currency.code(), &b.customer, &b.invoice_no))
    });
    all
}

/// Cash received by the as-of date and not applied (credit on account, unmatched), per
/// currency code. A receipt dated after the as-of date is not cash held as of it.
fn unapplied_as_of(reconciliation: &Reconciliation) -> BTreeMap<String, i64> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for u in &reconciliation.unapplied {
        if u.leftover != crate::ledger::matching::Leftover::AfterAsOf {
            let code = reconciliation.payments[u.payment].currency.code().to_owned();
            *out.entry(code).or_default() += u.amount_minor;
        }
    }
    out
}

/// `text` (a decimal string of a snapshot) in minor units of `currency`.
fn parse(currency: &Currency, text: &str) -> Option<i64> {
    currency.to_minor(Decimal::from_str(text).ok()?).ok()
}

/// Project → project manager, and customer → the manager of its first project.
fn project_managers(records: &Records) -> (BTreeMap<&str, &str>, BTreeMap<&str, &str>) {
    let mut by_project = BTreeMap::new();
    let mut by_customer = BTreeMap::new();
    for p in &records.projects {
        if let Some(pm) = p.project_manager.as_deref() {
            by_project.entry(p.project.as_str()).or_insert(pm);
            by_customer.entry(&*p.customer).or_insert(pm);
        }
    }
    (by_project, by_customer)
}

/// The invoice's project manager: its own column, else its project's, else the manager of
/// the customer's first project, else `(none)`.
fn manager_of<'a>(
    invoice: &'a Invoice,
    (by_project, by_customer): &(BTreeMap<&'a str, &'a str>, BTreeMap<&'a str, &'a str>),
) -> &'a str {
    invoice
        .project_manager
        .as_deref()
        .or_else(|| invoice.project.as_deref().and_then(|p| by_project.get(p).copied()))
        .or_else(|| by_customer.get(&*invoice.customer).copied())
        .unwrap_or(NO_MANAGER)
}

/// The customers with the largest overdue balance, per currency (ties by name).
fn top_overdue(input: &MetricsInput<'_>) -> Vec<TopCustomer> {
    let mut by_customer: BTreeMap<(&str, &str), TopCustomer> = BTreeMap::new();
    for i in input.matched.iter().filter(|i| i.open_minor != 0 && i.invoice_date <= input.as_of) {
        let t = by_customer.entry((i.currency.code(), &*i.customer)).or_insert_with(|| TopCustomer {
            customer: i.customer.to_string(),
            currency: i.currency.clone(),
            overdue: 0,
            open: 0,
            max_days: 0,
        });
        t.open += i.open_minor;
        let days = (input.as_of - i.due_date).num_days();
        if days > 0 && i.open_minor > 0 {
            t.overdue += i.open_minor;
            t.max_days = t.max_days.max(days);
        }
    }
    let mut per_currency: BTreeMap<&str, Vec<TopCustomer>> = BTreeMap::new();
    for ((code, _), t) in by_customer {
        if t.overdue > 0 {
            per_currency.entry(code).or_default().push(t);
        }
    }
    let order: Vec<&str> = input.aging.currencies.iter().map(|t| t.currency.code()).collect();
    order
        .iter()
        .filter_map(|code| per_currency.remove(code))
        .flat_map(|mut list| {
            list.sort_by(|a, b| b.overdue.cmp(&a.overdue).then_with(|| a.customer.cmp(&b.customer)));
            list.truncate(input.spec.top_customers);
            list
        })
        .collect()
}

impl Metrics {
    /// Sums the run's holds by reason and currency into [`Metrics::held`].
    pub fn count_holds(&mut self, actions: &[Action]) {
        self.held = held(actions);
        self.in_legal = in_legal(actions);
        self.unbilled = unbilled(actions);
    }
}

/// The accounts in legal review: held `in_legal` between reviews, or listed as a legal
/// task this run (a manual ladder stage: it has an owner, a since and a next review).
fn in_legal(actions: &[Action]) -> Vec<LegalCase> {
    actions
        .iter()
        .filter(|a| {
            (a.kind == ActionKind::Hold && a.stage == Hold::InLegal.id())
                || (a.kind == ActionKind::Manual
                    && a.stage != ISSUE_INVOICE
                    && a.since.is_some()
                    && a.next_date.is_some()
                    && a.owner.is_some())
        })
        .filter_map(|a| {
            let currency = Currency::parse(&a.currency)?;
            Some(LegalCase {
                customer: a.customer.clone(),
                amount: parse(&currency, &a.amount).unwrap_or(0),
                currency,
                invoices: a.invoice_nos.len(),
                since: a.since,
                days: a.age_days,
                owner: a.owner.clone().unwrap_or_default(),
                next_review: a.next_date,
                review_now: a.kind == ActionKind::Manual,
            })
        })
        .collect()
}

/// The `issue_invoice` tasks: milestones due but not invoiced.
fn unbilled(actions: &[Action]) -> Vec<Unbilled> {
    actions
        .iter()
        .filter(|a| a.kind == ActionKind::Manual && a.stage == ISSUE_INVOICE)
        .filter_map(|a| {
            let currency = Currency::parse(&a.currency)?;
            let milestone = a.milestones.first();
            Some(Unbilled {
                customer: a.customer.clone(),
                project: milestone.map(|m| m.project.clone()).unwrap_or_default(),
                name: milestone.map(|m| m.name.clone()).unwrap_or_default(),
                amount: parse(&currency, &a.amount).unwrap_or(0),
                currency,
                since: a.since,
                days: a.age_days,
                due: a.next_date,
            })
        })
        .collect()
}

/// Holds summed by reason and currency.
fn held(actions: &[Action]) -> Vec<Held> {
    let mut held: BTreeMap<(&str, &str), (Held, Vec<&str>)> = BTreeMap::new();
    let holding = actions.iter().filter(|a| a.kind == ActionKind::Hold);
    for a in holding {
        let Some(currency) = Currency::parse(&a.currency) else { continue };
        let amount = parse(&currency, &a.amount).unwrap_or(0);
        let (h, customers) = held.entry((a.stage.as_str(), a.currency.as_str())).or_insert_with(|| {
            (Held { reason: a.stage.clone(), currency, customers: 0, invoices: 0, amount: 0 }, Vec::new())
        });
        h.invoices += a.invoice_nos.len();
        h.amount += amount;
        if !customers.contains(&&*a.customer) {
            customers.push(&a.customer);
        }
    }
    held.into_values()
        .map(|(mut h, customers)| {
            h.customers = customers.len();
            h
        })
        .collect()
}

/// Follow-ups with an approval stage and a date, with the open amount they hold up;
/// longest waiting first.
fn approvals(input: &MetricsInput<'_>) -> Vec<StuckApproval> {
    let mut out = Vec::new();
    let waiting_stages =
        input.records.followups.iter().filter(|f| f.process_stage.is_some() && f.stage_since.is_some());
    // Open invoices by customer, built only when some follow-up records an approval stage.
    let mut open_by_customer: BTreeMap<&str, Vec<&Invoice>> = BTreeMap::new();
    if waiting_stages.clone().next().is_some() {
        for i in input.matched.iter().filter(|i| i.open_minor != 0 && i.invoice_date <= input.as_of) {
            open_by_customer.entry(&i.customer).or_default().push(i);
        }
    }
    for f in waiting_stages {
        let (Some(stage), Some(since)) = (&f.process_stage, f.stage_since) else { continue };
        let mut amounts: BTreeMap<&str, (Currency, i64)> = BTreeMap::new();
        let open = open_by_customer.get(&*f.customer).map_or(&[][..], Vec::as_slice);
        let waiting = open.iter().filter(|i| f.invoice_no.as_ref().is_none_or(|n| *n == i.invoice_no));
        for i in waiting {
            amounts.entry(i.currency.code()).or_insert_with(|| (i.currency.clone(), 0)).1 += i.open_minor;
        }
        let days = (input.as_of - since).num_days();
        for (currency, amount) in amounts.into_values() {
            out.push(StuckApproval {
                customer: f.customer.clone(),
                invoice_no: f.invoice_no.clone(),
                approver: f.approver.clone().unwrap_or_default(),
                stage: stage.clone(),
                since,
                days,
                stuck: days >= input.stuck_after_days,
                currency,
                amount,
            });
        }
    }
    out.sort_by(|a, b| b.days.cmp(&a.days).then_with(|| a.customer.cmp(&b.customer)));
    out
}

/// A ratio for outputs, with one decimal place (`60.0`); `None` stays `None`.
#[must_use]
pub(crate) fn text(d: Option<Decimal>) -> Option<String> {
    d.map(|d| format!("{d:.1}"))
}

impl Metrics {
    /// This run's snapshot for the trend.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        let currencies = self
            .currencies
            .iter()
            .map(|c| {
                let f = |minor: i64| c.currency.format(minor);
                let snapshot = CurrencySnapshot {
                    open: f(c.open),
                    overdue: f(c.overdue),
                    buckets: c.buckets.iter().map(|b| f(*b)).collect(),
                    sales: f(c.sales),
                    collected: f(c.collected),
                    dso: text(c.dso),
                    dso_countback: text(c.dso_countback),
                    cei: text(c.cei),
                    overdue_share: text(c.overdue_share),
                };
                (c.currency.code().to_owned(), snapshot)
            })
            .collect();
        Snapshot { as_of: self.as_of, currencies }
    }

    /// The period in words: `2026-10-31 – 2026-11-30 (since the previous run)`.
    #[must_use]
    pub fn period_text(&self) -> String {
        let basis = match self.beginning {
            Beginning::PreviousRun => "since the previous run",
            Beginning::Rebuilt => "no earlier run: beginning AR rebuilt from this run's invoices",
        };
        format!("{} – {} ({basis})", self.period_start + chrono::Duration::days(1), self.as_of)
    }
}
