//! The collection engine: open items, the customers' contacts, projects and follow-ups,
//! and the history in; one decision per customer and currency out — a message, a task for
//! our side, or a hold with its reason — plus the trace of every invoice.
//!
//! Per invoice, in order: holds (disputed, promise to pay, open critical issues), a payment
//! stuck in the customer's approval (status report to the approver), a good moment (go-live
//! or acceptance within the window: milestone request), then the ladder stage its days
//! past due call for — unless that stage or a later one was already sent. Per customer and
//! currency the invoices are then grouped: one message to the highest stage's recipients,
//! unless the cadence says wait ([`super::grouping`]).
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};

use super::action::{Action, ActionKind, Decisions, Hold, ISSUE_INVOICE, MilestoneDue};
use super::calendar::Calendar;
use super::grouping;
use super::history::{History, LogEntry};
use super::trace::InvoiceTrace;
use super::why::{Arg, Why, num};
pub use crate::aging::items::{OpenItem, OpenItems, paid_item};
use crate::config::collection::{CollectionSpec, Relative};
use crate::money::Currency;
use crate::normalize::records::{Contact, Followup, Milestone, Project, Trigger};

/// What the engine knows besides the invoices.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Contacts at customers.
    pub contacts: &'a [Contact],
    /// Our projects.
    pub projects: &'a [Project],
    /// Follow-up facts.
    pub followups: &'a [Followup],
    /// What earlier runs decided.
    pub history: &'a History,
    /// Contract payment milestones.
    pub milestones: &'a [Milestone],
    /// Working days for terms in working days.
    pub calendar: &'a Calendar,
    /// Currency of milestones that name none.
    pub default_currency: &'a Currency,
    /// The default payment term, for invoices whose due date was assumed.
    pub default_term_days: Option<i64>,
    /// Money received but not applied that may pay customers' invoices (`--payments`).
    pub pending_cash: &'a [crate::ledger::matching::PendingCash],
}

/// What one invoice calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Plan {
    /// Held, for the reason given, since the follow-up's date when it has one.
    Hold { hold: Hold, reason: Why, since: Option<NaiveDate> },
    /// Open critical issues on the project.
    FixFirst { project: String, issues: u32 },
    /// Stuck in the customer's approval.
    Approval { approver: Option<String>, process_stage: String, since: NaiveDate },
    /// A good moment after an event.
    Milestone { event: Why },
    /// The ladder stage at this index, by the item's days alone (the account decides what
    /// is sent: [`super::grouping`]).
    Stage { index: usize },
    /// Nothing to do.
    Nothing,
}

/// Decides the actions for `items` as of `as_of`. Only the invoices numbered `traced`
/// keep their trace (`explain` asks for one; `run` for none: a trace per invoice would
/// cost gigabytes at a million invoices).
#[must_use]
pub fn decide(
    items: &OpenItems<'_>,
    facts: Facts<'_>,
    spec: &CollectionSpec,
    as_of: NaiveDate,
    traced: Option<&str>,
) -> Decisions {
    let mut decisions = Decisions::default();
    let lookup = Lookup::new(facts, as_of);
    // Per customer and currency, in that order (the aging's already, which the stable sort
    // keeps), the items are planned and become actions one group at a time: the plans of a
    // million invoices are never held together.
    // Items are taken by position: only one group's are made at a time.
    let positions = u32::try_from(items.len()).unwrap_or(u32::MAX);
    let mut ordered: Vec<u32> = (0..positions).collect();
    let group_key = |i: &u32| items.group_key(*i as usize);
    ordered.sort_by(|a, b| group_key(a).cmp(&group_key(b)));
    let mut contacted: BTreeSet<String> = BTreeSet::new();
    for group in ordered.chunk_by(|a, b| group_key(a) == group_key(b)) {
        let group: Vec<OpenItem<'_>> = group.iter().map(|&i| items.get(i as usize)).collect();
        let planned: Vec<(&OpenItem<'_>, Plan)> = group
            .iter()
            .map(|item| {
                let keep = traced.is_some_and(|n| n == item.invoice_no);
                let (plan, trace) = plan(item, &lookup, spec, as_of, keep);
                decisions.traces.extend(trace);
                (item, plan)
            })
            .collect();
        let customer = group[0].customer;
        decisions.actions.extend(grouping::actions_for(
            customer,
            facts,
            &lookup,
            spec,
            as_of,
            &mut contacted,
            &planned,
        ));
    }
    decisions.actions.extend(milestone_actions(facts, as_of));
    for a in &mut decisions.actions {
        a.age_days = a.since.map(|s| (as_of - s).num_days());
    }
    sort_actions(&mut decisions.actions);
    if decisions.traces.is_empty() {
        return decisions;
    }
    let outcome: BTreeMap<(&str, &str), String> = decisions
        .actions
        .iter()
        .flat_map(|a| {
            a.invoice_nos.iter().map(move |n| {
                ((a.customer.as_str(), n.as_str()), format!("{} {}: {}", a.kind.as_str(), a.stage, a.reason))
            })
        })
        .collect();
    for trace in &mut decisions.traces {
        if let Some(text) = outcome.get(&(trace.customer.as_str(), trace.invoice_no.as_str())) {
            trace.outcome.clone_from(text);
        }
    }
    decisions
}

/// Actions by customer and currency; within an account an `issue_invoice` task comes
/// first (the invoice a milestone request speaks of is issued before it is sent), the
/// rest in the order decided.
pub fn sort_actions(actions: &mut [Action]) {
    actions.sort_by(|a, b| {
        (&a.customer, &a.currency, a.stage != ISSUE_INVOICE).cmp(&(&b.customer, &b.currency, b.stage != ISSUE_INVOICE))
    });
}

/// The facts indexed once per run, so that each invoice and each customer looks its facts
/// up instead of scanning every contact, project, follow-up and log entry (which is
/// quadratic: hours at a million invoices).
pub(super) struct Lookup<'a> {
    /// The first project of each (project, customer).
    projects: HashMap<(&'a str, &'a str), &'a Project>,
    /// Follow-ups per customer, in file order.
    followups: HashMap<&'a str, Vec<&'a Followup>>,
    /// Contacts per customer, in file order.
    contacts: HashMap<&'a str, Vec<&'a Contact>>,
    /// Messages sent before the as-of date per customer and invoice number, in log order.
    history: HashMap<&'a str, HashMap<&'a str, Vec<&'a LogEntry>>>,
    /// The last message before the as-of date per recipient, To or Cc (address in ASCII
    /// lower case, as `History::last_message_to` compares).
    last_message: HashMap<String, NaiveDate>,
    /// Unapplied money per customer and currency code.
    pending_cash: HashMap<(String, String), Vec<&'a crate::ledger::matching::PendingCash>>,
    /// Messages sent and tasks listed before the as-of date per (customer, currency), in
    /// log order: the account's history, indexed once (no scan per account).
    accounts: HashMap<(&'a str, &'a str), AccountLog<'a>>,
}

/// What the log holds about one account.
#[derive(Default)]
pub(super) struct AccountLog<'a> {
    /// Messages sent.
    pub messages: Vec<&'a LogEntry>,
    /// Tasks for our side.
    pub tasks: Vec<&'a LogEntry>,
}

impl<'a> Lookup<'a> {
    fn new(facts: Facts<'a>, as_of: NaiveDate) -> Self {
        let mut projects = HashMap::new();
        for p in facts.projects {
            projects.entry((p.project.as_str(), p.customer.as_str())).or_insert(p);
        }
        let mut followups: HashMap<&str, Vec<&Followup>> = HashMap::new();
        for f in facts.followups {
            followups.entry(f.customer.as_str()).or_default().push(f);
        }
        let mut contacts: HashMap<&str, Vec<&Contact>> = HashMap::new();
        for c in facts.contacts {
            contacts.entry(c.customer.as_str()).or_default().push(c);
        }
        let mut history: HashMap<&str, HashMap<&str, Vec<&LogEntry>>> = HashMap::new();
        let mut last_message: HashMap<String, NaiveDate> = HashMap::new();
        for e in facts.history.contacts_before(as_of) {
            for n in &e.invoice_nos {
                let entries = history.entry(e.customer.as_str()).or_default().entry(n.as_str()).or_default();
                // An entry naming an invoice twice counts once, as `History::entries_for`.
                if !entries.last().is_some_and(|last| std::ptr::eq(*last, e)) {
                    entries.push(e);
                }
            }
            // Copies count for the cadence like recipients.
            for to in e.to.iter().chain(&e.cc) {
                let last = last_message.entry(to.to_ascii_lowercase()).or_insert(e.as_of);
                *last = (*last).max(e.as_of);
            }
        }
        let mut accounts: HashMap<(&str, &str), AccountLog<'_>> = HashMap::new();
        for e in facts.history.contacts_before(as_of) {
            accounts.entry((e.customer.as_str(), e.currency.as_str())).or_default().messages.push(e);
        }
        for e in facts.history.tasks_before(as_of) {
            accounts.entry((e.customer.as_str(), e.currency.as_str())).or_default().tasks.push(e);
        }
        let mut pending_cash: HashMap<(String, String), Vec<&crate::ledger::matching::PendingCash>> = HashMap::new();
        for p in facts.pending_cash {
            pending_cash.entry((p.customer.clone(), p.currency.clone())).or_default().push(p);
        }
        Lookup { projects, followups, contacts, history, last_message, pending_cash, accounts }
    }

    /// The project `project` of `customer`.
    pub(super) fn project(&self, project: &str, customer: &str) -> Option<&'a Project> {
        self.projects.get(&(project, customer)).copied()
    }

    /// The follow-ups about `customer`.
    pub(super) fn followups(&self, customer: &str) -> &[&'a Followup] {
        self.followups.get(customer).map_or(&[], Vec::as_slice)
    }

    /// The contacts at `customer`.
    pub(super) fn contacts(&self, customer: &str) -> &[&'a Contact] {
        self.contacts.get(customer).map_or(&[], Vec::as_slice)
    }

    /// What earlier runs decided about one invoice.
    fn history(&self, customer: &str, invoice_no: &str) -> &[&'a LogEntry] {
        self.history.get(customer).and_then(|h| h.get(invoice_no)).map_or(&[], Vec::as_slice)
    }

    /// Money not applied that may pay `customer`'s invoices in `currency`.
    pub(super) fn pending_cash(&self, customer: &str, currency: &str) -> &[&'a crate::ledger::matching::PendingCash] {
        if self.pending_cash.is_empty() {
            return &[];
        }
        self.pending_cash.get(&(customer.to_owned(), currency.to_owned())).map_or(&[], Vec::as_slice)
    }

    /// The log's messages and tasks about `customer` in `currency` that covered at least one
    /// of `open` (the account's open invoice numbers), oldest first.
    pub(super) fn account_log(
        &self,
        customer: &str,
        currency: &str,
        open: &std::collections::HashSet<&str>,
    ) -> AccountLog<'a> {
        let Some(log) = self.accounts.get(&(customer, currency)) else { return AccountLog::default() };
        let about = |e: &&&LogEntry| e.invoice_nos.iter().any(|n| open.contains(n.as_str()));
        AccountLog {
            messages: log.messages.iter().filter(about).copied().collect(),
            tasks: log.tasks.iter().filter(about).copied().collect(),
        }
    }

    /// The last date before the as-of date on which a message went to `email`.
    pub(super) fn last_message_to(&self, email: &str) -> Option<NaiveDate> {
        self.last_message.get(&email.to_ascii_lowercase()).copied()
    }
}

/// A contract milestone whose trigger has happened by the as-of date.
pub(super) struct Triggered<'a> {
    /// The milestone.
    pub milestone: &'a Milestone,
    /// The customer (from its project), or `(project NAME)` when the project is unknown.
    pub customer: String,
    /// When the trigger happened.
    pub event: NaiveDate,
    /// When its payment falls due (`None` when its term runs past the calendar or the
    /// dates payback handles), and the term in words.
    pub due: (Option<NaiveDate>, Why),
    /// Its currency and amount in minor units.
    pub currency: Currency,
    /// Amount, minor units.
    pub minor: i64,
}

/// The milestones whose trigger has happened by `as_of`, invoiced or not.
pub(super) fn triggered_milestones<'a>(facts: &Facts<'a>, as_of: NaiveDate) -> Vec<Triggered<'a>> {
    let mut out = Vec::new();
    for m in facts.milestones {
        let project = facts.projects.iter().find(|p| p.project == m.project);
        let event = match m.trigger {
            Trigger::GoLive => m.trigger_date.or(project.and_then(|p| p.go_live_date)),
            Trigger::Acceptance => m.trigger_date.or(project.and_then(|p| p.acceptance_date)),
            _ => m.trigger_date,
        };
        let Some(date) = event.filter(|d| *d <= as_of) else { continue };
        let term = i64::from(m.term_days);
        // Checked: a term beyond the calendar's working days or chrono's dates says so
        // instead of panicking or walking forever.
        let (due, basis) = if m.working_days {
            let due = facts.calendar.add_working_days(date, m.term_days);
            let calendar = || Arg::Term("calendar", facts.calendar.name.clone());
            let mut basis = Why::new("term_working_days", vec![("term", num(term)), ("calendar", calendar())]);
            match due {
                Some(due) if !facts.calendar.covers(due.year()) => {
                    basis.push("no_holidays", vec![("calendar", calendar()), ("year", num(due.year()))]);
                }
                Some(_) => {}
                None => basis.push(
                    "calendar_too_short",
                    vec![
                        ("calendar", calendar()),
                        ("term", num(term)),
                        ("days", num(super::calendar::Calendar::max_walk_days(m.term_days))),
                    ],
                ),
            }
            (due, basis)
        } else {
            (crate::dates::add_days(date, term), Why::new("term_days", vec![("term", num(term))]))
        };
        let currency =
            m.currency.as_deref().and_then(Currency::parse).unwrap_or_else(|| facts.default_currency.clone());
        let amount = m
            .amount
            .or_else(|| m.percent?.checked_mul(m.contract_amount?)?.checked_div(rust_decimal::Decimal::ONE_HUNDRED));
        let minor = amount.and_then(|a| currency.to_minor(a.round_dp(currency.exponent())).ok()).unwrap_or(0);
        let customer = project.map_or_else(|| format!("(project {})", m.project), |p| p.customer.clone());
        out.push(Triggered { milestone: m, customer, event: date, due: (due, basis), currency, minor });
    }
    out
}

/// `issue_invoice` tasks: milestones whose trigger has happened but that are not invoiced,
/// with the due date their payment term gives; `since` is the trigger's date and
/// `next_date` the payment's due date (the Management sheet lists them with the days
/// waiting).
fn milestone_actions(facts: Facts<'_>, as_of: NaiveDate) -> Vec<Action> {
    let mut actions = Vec::new();
    for t in triggered_milestones(&facts, as_of).into_iter().filter(|t| t.milestone.invoice_no.is_none()) {
        let m = t.milestone;
        let (due, basis) = &t.due;
        let due_text = due.map_or(Arg::Word("unknown"), Arg::from);
        let mut action = Action::new(
            &t.customer,
            ActionKind::Manual,
            ISSUE_INVOICE,
            t.currency.code(),
            t.currency.format(t.minor),
            Why::new(
                "issue_invoice",
                vec![
                    ("milestone", Arg::from(&m.name)),
                    ("project", Arg::from(&m.project)),
                    ("trigger", Arg::Term("trigger", m.trigger.as_str().to_owned())),
                    ("date", Arg::from(t.event)),
                    ("due", due_text),
                    ("basis", Arg::Why(basis.clone())),
                ],
            ),
        );
        action.since = Some(t.event);
        action.next_date = *due;
        if let Some(due) = due {
            action.milestones.push(MilestoneDue {
                name: m.name.clone(),
                project: m.project.clone(),
                amount: t.currency.format(t.minor),
                due_date: *due,
                invoice_no: None,
            });
        }
        actions.push(action);
    }
    actions
}

fn plan(
    item: &OpenItem<'_>,
    lookup: &Lookup<'_>,
    spec: &CollectionSpec,
    as_of: NaiveDate,
    keep: bool,
) -> (Plan, Option<InvoiceTrace>) {
    let mut t = Tracer(keep.then(|| InvoiceTrace {
        customer: item.customer.to_owned(),
        invoice_no: item.invoice_no.to_owned(),
        days_past_due: item.days_past_due,
        lines: Vec::new(),
        outcome: "nothing to do".into(),
    }));
    let followups: Vec<&Followup> = lookup
        .followups(item.customer)
        .iter()
        .copied()
        .filter(|f| f.invoice_no.as_ref().is_none_or(|n| *n == item.invoice_no))
        .collect();
    let project = item.project.and_then(|p| lookup.project(p, item.customer));
    let history = lookup.history(item.customer, item.invoice_no);
    let mut chosen: Option<Plan> = None;
    let context = Context { item, spec, as_of, followups: &followups, project, history };
    plan_holds(&context, &mut t, &mut chosen);
    plan_approval(&context, &mut t, &mut chosen);
    plan_moment(&context, &mut t, &mut chosen);
    plan_ladder(&context, &mut t, &mut chosen);

    (chosen.unwrap_or(Plan::Nothing), t.0)
}

/// The trace of one invoice when it is kept; its lines are only formatted then.
struct Tracer(Option<InvoiceTrace>);

impl Tracer {
    fn note(&mut self, rule: impl FnOnce() -> String, matched: bool, why: impl FnOnce() -> String) {
        if let Some(t) = &mut self.0 {
            t.note(rule(), matched, why());
        }
    }
}

/// What one invoice is checked against.
#[derive(Clone, Copy)]
struct Context<'a> {
    item: &'a OpenItem<'a>,
    spec: &'a CollectionSpec,
    as_of: NaiveDate,
    followups: &'a [&'a Followup],
    project: Option<&'a Project>,
    /// What earlier runs decided about the invoice.
    history: &'a [&'a LogEntry],
}

/// Keeps the first plan that applies; later rules are still traced.
fn choose(plan: Plan, chosen: &mut Option<Plan>) {
    if chosen.is_none() {
        *chosen = Some(plan);
    }
}

/// Holds: disputed, promise to pay, open critical issues.
fn plan_holds(c: &Context<'_>, t: &mut Tracer, chosen: &mut Option<Plan>) {
    let Context { item, spec, as_of, followups, project, .. } = *c;
    let disputed = followups.iter().find(|f| f.disputed);
    let why = |f: &Followup| {
        let mut why = if f.invoice_no.is_some() {
            Why::new("disputed_invoice", vec![("invoice", item.invoice_no.into())])
        } else {
            Why::new("disputed_customer", vec![("customer", item.customer.into())])
        };
        if let Some(n) = &f.note {
            why.push("note", vec![("note", n.into())]);
        }
        why
    };
    t.note(
        || "hold: disputed".into(),
        spec.holds.disputed && disputed.is_some(),
        || disputed.map_or_else(|| "no follow-up marks it disputed".into(), |f| why(f).english()),
    );
    if let (true, Some(f)) = (spec.holds.disputed, disputed) {
        let since = f.last_contact_date;
        choose(Plan::Hold { hold: Hold::Disputed, reason: why(f), since }, chosen);
    }

    let promise_row =
        followups.iter().filter(|f| f.promise_to_pay_date.is_some()).max_by_key(|f| f.promise_to_pay_date);
    let promise = promise_row.and_then(|f| f.promise_to_pay_date);
    let promised = promise.filter(|d| *d > as_of);
    t.note(
        || "hold: promise_to_pay".into(),
        spec.holds.promise_to_pay && promised.is_some(),
        || match promise {
            Some(d) if d > as_of => format!("promised to pay by {d}"),
            Some(d) => format!("the promise to pay by {d} has passed: broken unless paid"),
            None => "no promise to pay".into(),
        },
    );
    if let (true, Some(d)) = (spec.holds.promise_to_pay, promised) {
        let since = promise_row.and_then(|f| f.last_contact_date);
        let reason = match since {
            Some(m) => Why::new("promised_on", vec![("made", m.into()), ("date", d.into())]),
            None => Why::new("promised", vec![("date", d.into())]),
        };
        choose(Plan::Hold { hold: Hold::PromiseToPay, reason, since }, chosen);
    }

    let critical = project.filter(|p| p.open_critical_issues > 0);
    t.note(
        || "hold: critical_issues".into(),
        spec.holds.critical_issues && critical.is_some(),
        || match (project, critical) {
            (_, Some(p)) => format!("project {} has {} open critical issues", p.project, p.open_critical_issues),
            (Some(p), None) => format!("project {} has no open critical issues", p.project),
            (None, None) => "no project facts for this invoice".into(),
        },
    );
    if let (true, Some(p)) = (spec.holds.critical_issues, critical) {
        choose(Plan::FixFirst { project: p.project.clone(), issues: p.open_critical_issues }, chosen);
    }
}

/// A payment stuck at one stage of the customer's approval.
fn plan_approval(c: &Context<'_>, t: &mut Tracer, chosen: &mut Option<Plan>) {
    let Context { spec, as_of, followups, .. } = *c;
    let stuck = followups.iter().find_map(|f| Some((f, f.process_stage.as_ref()?, f.stage_since?)));
    let stuck_days = stuck.map(|(_, _, since)| (as_of - since).num_days());
    let is_stuck = stuck_days.is_some_and(|d| d >= spec.stuck_after_days);
    t.note(
        || "approval_status_report".into(),
        is_stuck,
        || match (stuck, stuck_days) {
            (Some((_, stage, since)), Some(days)) => {
                format!("at \"{stage}\" since {since} ({days} days; reported after {})", spec.stuck_after_days)
            }
            _ => "no approval stage recorded".into(),
        },
    );
    if let (true, Some((f, stage, since))) = (is_stuck, stuck) {
        choose(Plan::Approval { approver: f.approver.clone(), process_stage: stage.clone(), since }, chosen);
    }
}

/// A good moment: go-live or acceptance within the window.
fn plan_moment(c: &Context<'_>, t: &mut Tracer, chosen: &mut Option<Plan>) {
    let Context { spec, as_of, project, history, .. } = *c;
    let event = project.and_then(|p| {
        [("go-live", p.go_live_date), ("acceptance", p.acceptance_date)]
            .into_iter()
            .filter_map(|(name, date)| Some((name, date?)))
            .filter(|(_, date)| (0..=spec.milestone_request.window_days).contains(&(as_of - *date).num_days()))
            .max_by_key(|(_, date)| *date)
    });
    let requested = history.iter().any(|e| e.stage == "milestone_request");
    t.note(
        || "milestone_request".into(),
        event.is_some() && !requested,
        || match (event, project) {
            (Some((name, date)), _) if requested => format!("{name} on {date}, but the request was already sent"),
            (Some((name, date)), _) => format!("{name} on {date}, within {} days", spec.milestone_request.window_days),
            (None, Some(p)) => format!(
                "no go-live or acceptance of {} in the last {} days",
                p.project, spec.milestone_request.window_days
            ),
            (None, None) => "no project facts for this invoice".into(),
        },
    );
    if let (Some((name, date)), false) = (event, requested) {
        choose(
            Plan::Milestone {
                event: Why::new(
                    "event",
                    vec![
                        ("event", Arg::Term("trigger", name.to_owned())),
                        ("project", project.map_or("", |p| p.project.as_str()).into()),
                        ("date", date.into()),
                    ],
                ),
            },
            chosen,
        );
    }
}

/// The ladder stage the item's days call for. Whether it is sent, repeated or waits is the
/// account's decision ([`super::grouping`]); the history is noted for the trace.
fn plan_ladder(c: &Context<'_>, t: &mut Tracer, chosen: &mut Option<Plan>) {
    let Context { item, spec, history, .. } = *c;
    let ladder = ladder_stage(item, spec, t);
    let sent = history.iter().filter_map(|e| Some((spec.stages.iter().position(|s| s.id == e.stage)?, e.as_of))).max();
    t.note(
        || "history".into(),
        false,
        || {
            sent.map_or("nothing sent before".into(), |(d, date)| {
                format!("{} sent on {date}; the account's stage decides the next step", spec.stages[d].id)
            })
        },
    );
    match ladder {
        Some(index) => choose(Plan::Stage { index }, chosen),
        None => choose(Plan::Nothing, chosen),
    }
}

/// The ladder stage for the item's days (the last window that holds them). A stage's
/// `min_amount` is checked against the account's balance ([`super::grouping`]).
fn ladder_stage(item: &OpenItem<'_>, spec: &CollectionSpec, t: &mut Tracer) -> Option<usize> {
    let mut found = None;
    for (i, stage) in spec.stages.iter().enumerate() {
        let days = stage_days(item, stage.relative_to);
        let within = stage.contains(days);
        t.note(
            || format!("stage {}", stage.id),
            within,
            || {
                let window = match (stage.from_days, stage.to_days) {
                    (Some(f), Some(to)) => format!("days {f}..{to}"),
                    (Some(f), None) => format!("days {f} and more"),
                    (None, Some(to)) => format!("up to day {to}"),
                    (None, None) => "any day".into(),
                };
                if matches!(stage.relative_to, Relative::DueDate) {
                    format!("{window}; the invoice is at day {days}")
                } else {
                    format!("{window} since the invoice date; the invoice is at day {days}")
                }
            },
        );
        if within {
            found = Some(i);
        }
    }
    found
}

/// The item's days as a stage counts them.
pub(super) fn stage_days(item: &OpenItem<'_>, relative: Relative) -> i64 {
    match relative {
        Relative::DueDate => item.days_past_due,
        Relative::InvoiceDate => item.age_days,
    }
}
