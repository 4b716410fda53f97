//! The collection engine: open items, the customers' contacts, projects and follow-ups,
//! and the history in; one decision per customer and currency out — a message, a task for
//! our side, or a hold with its reason — plus the trace of every invoice.
//!
//! Per invoice, in order: holds (disputed, promise to pay, open critical issues), a payment
//! stuck in the customer's approval (status report to the approver), a good moment (go-live
//! or acceptance within the window: milestone request), then the ladder stage its days
//! past due call for — unless that stage or a later one was already sent. Per customer and
//! currency the invoices are then grouped: one message to the highest stage's recipients,
//! unless the cadence says wait.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use polars::prelude::{DataType, PolarsResult};
use serde::{Deserialize, Serialize};

use super::aging::{Aging, DAYS_PAST_DUE, ints, strings};
use super::calendar::Calendar;
use super::history::{History, LogEntry};
use super::ladder::{CollectionSpec, StageKind};
use super::trace::InvoiceTrace;
use crate::money::Currency;
use crate::normalize::records::{Contact, Followup, Milestone, Project, Role, Trigger, looks_like_email};
use crate::normalize::schema::{col_name as c, from_epoch_days};

/// An open invoice as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    /// Customer name.
    pub customer: String,
    /// Invoice number.
    pub invoice_no: String,
    /// Currency.
    pub currency: Currency,
    /// Open amount, minor units.
    pub open_minor: i64,
    /// Days past due (negative before the due date).
    pub days_past_due: i64,
    /// Due date.
    pub due_date: NaiveDate,
    /// Project, if the invoice names one.
    pub project: Option<String>,
    /// The due date was empty in the input and assumed from the default term.
    pub due_assumed: bool,
}

/// The open items of the aging, in its order.
///
/// # Errors
/// Polars errors (a bug).
pub fn open_items(aging: &Aging) -> PolarsResult<Vec<OpenItem>> {
    let df = &aging.open_items;
    let (customer, invoice_no, currency) =
        (strings(df, c::CUSTOMER)?, strings(df, c::INVOICE_NO)?, strings(df, c::CURRENCY)?);
    let (open, days) = (ints(df, c::OPEN_MINOR)?, ints(df, DAYS_PAST_DUE)?);
    let due = df.column(c::DUE_DATE)?.cast(&DataType::Int32)?;
    let due: Vec<i32> = due.i32()?.iter().map(Option::unwrap_or_default).collect();
    let project: Vec<Option<String>> = df.column(c::PROJECT)?.str()?.iter().map(|p| p.map(str::to_owned)).collect();
    let assumed: Vec<bool> = df.column(c::DUE_ASSUMED)?.bool()?.iter().map(Option::unwrap_or_default).collect();
    Ok((0..df.height())
        .filter_map(|i| {
            Some(OpenItem {
                customer: customer[i].clone(),
                invoice_no: invoice_no[i].clone(),
                currency: Currency::parse(&currency[i])?,
                open_minor: open[i],
                days_past_due: days[i],
                due_date: from_epoch_days(due[i]),
                project: project[i].clone(),
                due_assumed: assumed[i],
            })
        })
        .collect())
}

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
}

/// Message, task for our side, or hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// A message to the customer.
    Message,
    /// A task for our side.
    Manual,
    /// Nothing is sent, for the reason given.
    Hold,
}

impl ActionKind {
    /// `message`, `manual` or `hold`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Manual => "manual",
            Self::Hold => "hold",
        }
    }
}

/// One decision: the unit of `actions.json`, the Actions and Holds sheets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Customer name.
    pub customer: String,
    /// Invoices covered.
    pub invoice_nos: Vec<String>,
    /// Message, manual or hold.
    pub kind: ActionKind,
    /// Stage id (ladder stage, `milestone_request`, `approval_status_report`, `fix_first`,
    /// or the hold: `disputed`, `promise_to_pay`, `critical_issues`, `cadence`).
    pub stage: String,
    /// Recipients (messages only).
    pub to: Vec<String>,
    /// Copies (messages only).
    pub cc: Vec<String>,
    /// Template name (messages only).
    pub template: Option<String>,
    /// Open amount of the invoices covered, decimal text.
    pub amount: String,
    /// Currency code.
    pub currency: String,
    /// One sentence a person understands.
    pub reason: String,
}

/// Everything decided in a run.
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    /// Actions, by customer, currency, then kind.
    pub actions: Vec<Action>,
    /// The trace of each open invoice.
    pub traces: Vec<InvoiceTrace>,
}

impl Decisions {
    /// The log entries for the history: messages and tasks, not holds.
    #[must_use]
    pub fn log_entries(&self, as_of: NaiveDate) -> Vec<LogEntry> {
        self.actions
            .iter()
            .filter(|a| a.kind != ActionKind::Hold)
            .map(|a| LogEntry {
                as_of,
                customer: a.customer.clone(),
                currency: a.currency.clone(),
                stage: a.stage.clone(),
                kind: a.kind.as_str().into(),
                invoice_nos: a.invoice_nos.clone(),
                to: a.to.clone(),
            })
            .collect()
    }
}

/// What one invoice calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    Hold { stage: &'static str, reason: String },
    FixFirst { project: String, issues: u32 },
    Approval { approver: Option<String>, process_stage: String, since: NaiveDate },
    Milestone { event: String },
    Stage { index: usize },
    Nothing,
}

/// Decides the actions for `items` as of `as_of`.
#[must_use]
pub fn decide(items: &[OpenItem], facts: Facts<'_>, spec: &CollectionSpec, as_of: NaiveDate) -> Decisions {
    let mut decisions = Decisions::default();
    let mut groups: BTreeMap<(String, String), Vec<(&OpenItem, Plan)>> = BTreeMap::new();
    for item in items {
        let (plan, trace) = plan(item, facts, spec, as_of);
        decisions.traces.push(trace);
        groups.entry((item.customer.clone(), item.currency.code().to_owned())).or_default().push((item, plan));
    }
    let mut contacted: BTreeSet<String> = BTreeSet::new();
    for ((customer, _), planned) in &groups {
        let mut group = Grouper { customer, facts, spec, as_of, contacted: &mut contacted, out: Vec::new() };
        group.run(planned);
        decisions.actions.append(&mut group.out);
    }
    decisions.actions.extend(milestone_actions(facts, as_of));
    decisions.actions.sort_by(|a, b| (&a.customer, &a.currency).cmp(&(&b.customer, &b.currency)));
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

/// `issue_invoice` tasks: milestones whose trigger has happened but that are not invoiced,
/// with the due date their payment term gives.
fn milestone_actions(facts: Facts<'_>, as_of: NaiveDate) -> Vec<Action> {
    let mut actions = Vec::new();
    for m in facts.milestones.iter().filter(|m| m.invoice_no.is_none()) {
        let project = facts.projects.iter().find(|p| p.project == m.project);
        let event = match m.trigger {
            Trigger::GoLive => m.trigger_date.or(project.and_then(|p| p.go_live_date)),
            Trigger::Acceptance => m.trigger_date.or(project.and_then(|p| p.acceptance_date)),
            _ => m.trigger_date,
        };
        let Some(date) = event.filter(|d| *d <= as_of) else { continue };
        let term = i64::from(m.term_days);
        let (due, basis) = if m.working_days {
            let due = facts.calendar.add_working_days(date, m.term_days);
            let note = if facts.calendar.covers(due.year()) {
                String::new()
            } else {
                format!("; the {} calendar lists no holidays for {}", facts.calendar.name, due.year())
            };
            (due, format!("{term} working days, calendar {}{note}", facts.calendar.name))
        } else {
            (date + chrono::Duration::days(term), format!("{term} days"))
        };
        let currency =
            m.currency.as_deref().and_then(Currency::parse).unwrap_or_else(|| facts.default_currency.clone());
        let amount = m.amount.or_else(|| Some(m.percent? * m.contract_amount? / rust_decimal::Decimal::ONE_HUNDRED));
        let minor = amount.and_then(|a| currency.to_minor(a.round_dp(currency.exponent())).ok()).unwrap_or(0);
        let customer = project.map_or_else(|| format!("(project {})", m.project), |p| p.customer.clone());
        actions.push(Action {
            customer,
            invoice_nos: Vec::new(),
            kind: ActionKind::Manual,
            stage: "issue_invoice".into(),
            to: Vec::new(),
            cc: Vec::new(),
            template: None,
            amount: currency.format(minor),
            currency: currency.code().to_owned(),
            reason: format!(
                "milestone \"{}\" of {}: {} on {date}, payment due {due} ({basis}); not invoiced yet: issue the invoice",
                m.name,
                m.project,
                m.trigger.as_str()
            ),
        });
    }
    actions
}

fn plan(item: &OpenItem, facts: Facts<'_>, spec: &CollectionSpec, as_of: NaiveDate) -> (Plan, InvoiceTrace) {
    let mut t = InvoiceTrace {
        customer: item.customer.clone(),
        invoice_no: item.invoice_no.clone(),
        days_past_due: item.days_past_due,
        lines: Vec::new(),
        outcome: "nothing to do".into(),
    };
    let followups: Vec<&Followup> = facts
        .followups
        .iter()
        .filter(|f| f.customer == item.customer && f.invoice_no.as_ref().is_none_or(|n| *n == item.invoice_no))
        .collect();
    let project = item
        .project
        .as_ref()
        .and_then(|p| facts.projects.iter().find(|x| x.project == *p && x.customer == item.customer));
    let mut chosen: Option<Plan> = None;
    let context = Context { item, facts, spec, as_of, followups: &followups, project };
    plan_holds(&context, &mut t, &mut chosen);
    plan_approval(&context, &mut t, &mut chosen);
    plan_moment(&context, &mut t, &mut chosen);
    plan_ladder(&context, &mut t, &mut chosen);

    (chosen.unwrap_or(Plan::Nothing), t)
}

/// What one invoice is checked against.
#[derive(Clone, Copy)]
struct Context<'a> {
    item: &'a OpenItem,
    facts: Facts<'a>,
    spec: &'a CollectionSpec,
    as_of: NaiveDate,
    followups: &'a [&'a Followup],
    project: Option<&'a Project>,
}

/// Keeps the first plan that applies; later rules are still traced.
fn choose(plan: Plan, chosen: &mut Option<Plan>) {
    if chosen.is_none() {
        *chosen = Some(plan);
    }
}

/// Holds: disputed, promise to pay, open critical issues.
fn plan_holds(c: &Context<'_>, t: &mut InvoiceTrace, chosen: &mut Option<Plan>) {
    let Context { item, spec, as_of, followups, project, .. } = *c;
    let disputed = followups.iter().find(|f| f.disputed);
    let note = disputed.and_then(|f| f.note.as_ref()).map(|n| format!(": {n}")).unwrap_or_default();
    let why = match disputed {
        Some(f) if f.invoice_no.is_some() => format!("{} is disputed{note}", item.invoice_no),
        Some(_) => format!("{} disputes its invoices{note}", item.customer),
        None => "no follow-up marks it disputed".into(),
    };
    t.note("hold: disputed", spec.holds.disputed && disputed.is_some(), why.clone());
    if spec.holds.disputed && disputed.is_some() {
        choose(Plan::Hold { stage: "disputed", reason: why }, chosen);
    }

    let promise = followups.iter().filter_map(|f| f.promise_to_pay_date).max();
    let promised = promise.filter(|d| *d > as_of);
    t.note(
        "hold: promise_to_pay",
        spec.holds.promise_to_pay && promised.is_some(),
        match promise {
            Some(d) if d > as_of => format!("promised to pay by {d}"),
            Some(d) => format!("the promise to pay by {d} has passed"),
            None => "no promise to pay".into(),
        },
    );
    if let (true, Some(d)) = (spec.holds.promise_to_pay, promised) {
        choose(Plan::Hold { stage: "promise_to_pay", reason: format!("the customer promised to pay by {d}") }, chosen);
    }

    let critical = project.filter(|p| p.open_critical_issues > 0);
    t.note(
        "hold: critical_issues",
        spec.holds.critical_issues && critical.is_some(),
        match (project, critical) {
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
fn plan_approval(c: &Context<'_>, t: &mut InvoiceTrace, chosen: &mut Option<Plan>) {
    let Context { spec, as_of, followups, .. } = *c;
    let stuck = followups.iter().find_map(|f| Some((f, f.process_stage.as_ref()?, f.stage_since?)));
    let stuck_days = stuck.map(|(_, _, since)| (as_of - since).num_days());
    let is_stuck = stuck_days.is_some_and(|d| d >= spec.stuck_after_days);
    t.note(
        "approval_status_report",
        is_stuck,
        match (stuck, stuck_days) {
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
fn plan_moment(c: &Context<'_>, t: &mut InvoiceTrace, chosen: &mut Option<Plan>) {
    let Context { item, facts, spec, as_of, project, .. } = *c;
    let event = project.and_then(|p| {
        [("go-live", p.go_live_date), ("acceptance", p.acceptance_date)]
            .into_iter()
            .filter_map(|(name, date)| Some((name, date?)))
            .filter(|(_, date)| (0..=spec.milestone_request.window_days).contains(&(as_of - *date).num_days()))
            .max_by_key(|(_, date)| *date)
    });
    let requested = facts
        .history
        .entries_for(&item.customer, &item.invoice_no, as_of)
        .iter()
        .any(|e| e.stage == "milestone_request");
    t.note(
        "milestone_request",
        event.is_some() && !requested,
        match (event, project) {
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
            Plan::Milestone { event: format!("{name} of {} on {date}", project.map_or("", |p| p.project.as_str())) },
            chosen,
        );
    }
}

/// The ladder stage the days call for, unless already sent.
fn plan_ladder(c: &Context<'_>, t: &mut InvoiceTrace, chosen: &mut Option<Plan>) {
    let Context { item, facts, spec, as_of, .. } = *c;
    let ladder = ladder_stage(item, spec, t);
    let sent = facts
        .history
        .entries_for(&item.customer, &item.invoice_no, as_of)
        .iter()
        .filter_map(|e| Some((spec.stages.iter().position(|s| s.id == e.stage)?, e.as_of)))
        .max();
    match (ladder, sent) {
        (Some(index), Some((done, date))) if index <= done => {
            t.note("history", true, format!("{} was sent on {date}: not repeated", spec.stages[done].id));
            choose(Plan::Nothing, chosen);
        }
        (Some(index), _) => {
            t.note(
                "history",
                false,
                sent.map_or("nothing sent before".into(), |(d, date)| format!("{} sent on {date}", spec.stages[d].id)),
            );
            choose(Plan::Stage { index }, chosen);
        }
        (None, _) => choose(Plan::Nothing, chosen),
    }
}

/// The ladder stage for the item's days; a stage whose `min_amount` the invoice does not
/// reach gives way to the stage before it.
fn ladder_stage(item: &OpenItem, spec: &CollectionSpec, t: &mut InvoiceTrace) -> Option<usize> {
    let mut found = None;
    for (i, stage) in spec.stages.iter().enumerate() {
        let within = stage.contains(item.days_past_due);
        let window = match (stage.from_days, stage.to_days) {
            (Some(f), Some(to)) => format!("days {f}..{to}"),
            (Some(f), None) => format!("days {f} and more"),
            (None, Some(to)) => format!("up to day {to}"),
            (None, None) => "any day".into(),
        };
        t.note(
            format!("stage {}", stage.id),
            within,
            format!("{window}; the invoice is at day {}", item.days_past_due),
        );
        if within {
            found = Some(i);
        }
    }
    let mut index = found?;
    loop {
        let stage = &spec.stages[index];
        let below = stage.min_amount.is_some_and(|min| item.currency.decimal(item.open_minor) < min);
        if !below {
            return Some(index);
        }
        t.note(
            format!("min_amount of {}", stage.id),
            true,
            format!(
                "{} is below {}: the stage before applies",
                item.currency.format(item.open_minor),
                stage.min_amount.unwrap_or_default()
            ),
        );
        index = index.checked_sub(1)?;
    }
}

/// Builds the actions of one customer in one currency.
struct Grouper<'a, 'b> {
    customer: &'a str,
    facts: Facts<'a>,
    spec: &'a CollectionSpec,
    as_of: NaiveDate,
    contacted: &'b mut BTreeSet<String>,
    out: Vec<Action>,
}

impl Grouper<'_, '_> {
    fn run(&mut self, planned: &[(&OpenItem, Plan)]) {
        let pick =
            |f: &dyn Fn(&Plan) -> bool| planned.iter().filter(|(_, p)| f(p)).map(|(i, _)| *i).collect::<Vec<_>>();
        for stage in ["disputed", "promise_to_pay"] {
            let held: Vec<_> =
                planned.iter().filter(|(_, p)| matches!(p, Plan::Hold { stage: s, .. } if *s == stage)).collect();
            if let Some((_, Plan::Hold { reason, .. })) = held.first() {
                let items: Vec<&OpenItem> = held.iter().map(|(i, _)| *i).collect();
                let reason =
                    if items.len() == 1 { reason.clone() } else { format!("{} invoices held; {reason}", items.len()) };
                self.push(&items, ActionKind::Hold, stage, None, (Vec::new(), Vec::new()), reason);
            }
        }
        let mut projects: BTreeMap<String, (u32, Vec<&OpenItem>)> = BTreeMap::new();
        for (item, plan) in planned {
            if let Plan::FixFirst { project, issues } = plan {
                projects.entry(project.clone()).or_insert((*issues, Vec::new())).1.push(item);
            }
        }
        for (project, (issues, items)) in &projects {
            let manager = self.project_manager(project).unwrap_or_else(|| "our project manager".into());
            let reason = format!(
                "project {project} has {issues} open critical issues: {manager} fixes them first; no payment request until then"
            );
            self.push(items, ActionKind::Hold, "critical_issues", None, (Vec::new(), Vec::new()), reason.clone());
            self.push(items, ActionKind::Manual, "fix_first", None, (Vec::new(), Vec::new()), reason);
        }
        self.approval(planned);
        let milestone = pick(&|p| matches!(p, Plan::Milestone { .. }));
        let staged: Vec<(&OpenItem, usize)> = planned
            .iter()
            .filter_map(|(i, p)| if let Plan::Stage { index } = p { Some((*i, *index)) } else { None })
            .collect();
        let manual: Vec<(&OpenItem, usize)> =
            staged.iter().copied().filter(|(_, s)| self.spec.stages[*s].kind == StageKind::Manual).collect();
        if let Some(top) = manual.iter().map(|(_, s)| *s).max() {
            let items: Vec<&OpenItem> = manual.iter().map(|(i, _)| *i).collect();
            let stage = &self.spec.stages[top];
            let reason = format!(
                "{}: {} past due; decide on {} (consider suspending work)",
                list(&items),
                oldest(&items),
                stage.id.replace('_', " ")
            );
            self.push(&items, ActionKind::Manual, &stage.id, None, (Vec::new(), Vec::new()), reason);
        }
        let messages: Vec<(&OpenItem, usize)> =
            staged.into_iter().filter(|(_, s)| self.spec.stages[*s].kind == StageKind::Message).collect();
        if !milestone.is_empty() {
            let mut items = milestone.clone();
            items.extend(messages.iter().map(|(i, _)| *i));
            let event = planned
                .iter()
                .find_map(|(_, p)| if let Plan::Milestone { event } = p { Some(event.clone()) } else { None })
                .unwrap_or_default();
            let spec = &self.spec.milestone_request;
            let reason = format!("{event}: a good moment to ask for {}", list(&items));
            self.message(&items, "milestone_request", &spec.to, &spec.cc, &spec.template, reason);
        } else if let Some(top) = messages.iter().map(|(_, s)| *s).max() {
            let items: Vec<&OpenItem> = messages.iter().map(|(i, _)| *i).collect();
            let stage = &self.spec.stages[top];
            let timing = if items.iter().all(|i| i.days_past_due < 0) {
                format!("due on {}", items.iter().map(|i| i.due_date).min().unwrap_or(self.as_of))
            } else {
                format!("{} past due", oldest(&items))
            };
            let reason = format!("{}: {timing}; stage {}", list(&items), stage.id);
            let template = stage.template.clone().unwrap_or_default();
            self.message(&items, &stage.id, &stage.to, &stage.cc, &template, reason);
        }
    }

    fn approval(&mut self, planned: &[(&OpenItem, Plan)]) {
        let stuck: Vec<(&OpenItem, &Option<String>, &String, NaiveDate)> = planned
            .iter()
            .filter_map(|(i, p)| match p {
                Plan::Approval { approver, process_stage, since } => Some((*i, approver, process_stage, *since)),
                _ => None,
            })
            .collect();
        let Some((_, approver, process_stage, since)) = stuck.first().copied() else { return };
        let items: Vec<&OpenItem> = stuck.iter().map(|(i, ..)| *i).collect();
        let spec = &self.spec.approval_status_report;
        let days = (self.as_of - since).num_days();
        let who = approver.clone().unwrap_or_else(|| "the approver".into());
        let reason = format!(
            "payment of {} has waited at \"{process_stage}\" since {since} ({days} days): send {who} a status report instead of another reminder",
            list(&items)
        );
        let named = approver.as_ref().and_then(|a| self.person(a));
        let mut to: Vec<String> = named.into_iter().collect();
        if to.is_empty() {
            to = self.resolve(&spec.to, &items).0;
        }
        let cc = self.resolve(&spec.cc, &items).0;
        self.send(&items, "approval_status_report", (to, cc), &spec.template, reason, &spec.to);
    }

    fn message(
        &mut self,
        items: &[&OpenItem],
        stage: &str,
        to: &[String],
        cc: &[String],
        template: &str,
        reason: String,
    ) {
        let (to_emails, missing) = self.resolve(to, items);
        let (cc_emails, _) = self.resolve(cc, items);
        if to_emails.is_empty() {
            let reason = format!(
                "{reason}; but the contacts file has no {} contact for {}: add one",
                missing.join("/"),
                self.customer
            );
            self.push(items, ActionKind::Manual, stage, None, (Vec::new(), Vec::new()), reason);
            return;
        }
        self.send(items, stage, (to_emails, cc_emails), template, reason, to);
    }

    /// A message, unless the cadence says wait.
    fn send(
        &mut self,
        items: &[&OpenItem],
        stage: &str,
        (to, cc): (Vec<String>, Vec<String>),
        template: &str,
        reason: String,
        roles: &[String],
    ) {
        if to.is_empty() {
            let reason = format!("{reason}; but no {} contact for {}: add one", roles.join("/"), self.customer);
            self.push(items, ActionKind::Manual, stage, None, (Vec::new(), Vec::new()), reason);
            return;
        }
        if let Some(email) = to.iter().find(|e| self.contacted.contains(&e.to_lowercase())) {
            let reason =
                format!("{reason}; held: {email} already gets a message in this run (one message per contact per run)");
            self.push(items, ActionKind::Hold, "cadence", None, (Vec::new(), Vec::new()), reason);
            return;
        }
        let manual = self
            .facts
            .followups
            .iter()
            .filter(|f| f.customer == self.customer)
            .filter_map(|f| f.last_contact_date)
            .max();
        let last = to.iter().filter_map(|e| self.facts.history.last_message_to(e, self.as_of)).chain(manual).max();
        if let Some(last) = last.filter(|d| (self.as_of - *d).num_days() < self.spec.cadence_days) {
            let next = last + chrono::Duration::days(self.spec.cadence_days);
            let reason = format!(
                "{reason}; held: last contacted on {last}, next message from {next} (cadence {} days)",
                self.spec.cadence_days
            );
            self.push(items, ActionKind::Hold, "cadence", None, (Vec::new(), Vec::new()), reason);
            return;
        }
        for email in &to {
            self.contacted.insert(email.to_lowercase());
        }
        self.push(items, ActionKind::Message, stage, Some(template.to_owned()), (to, cc), reason);
    }

    /// Email addresses for `roles`, and the roles nobody holds.
    fn resolve(&self, roles: &[String], items: &[&OpenItem]) -> (Vec<String>, Vec<String>) {
        let mut emails: Vec<String> = Vec::new();
        let mut missing = Vec::new();
        for role in roles {
            let found: Vec<String> = if role == "project_manager" {
                items
                    .iter()
                    .filter_map(|i| i.project.as_ref())
                    .filter_map(|p| self.project_manager(p))
                    .filter(|e| looks_like_email(e))
                    .collect()
            } else {
                self.facts
                    .contacts
                    .iter()
                    .filter(|c| c.customer == self.customer && Role::parse(role) == Some(c.role))
                    .map(|c| c.email.clone())
                    .collect()
            };
            if found.is_empty() {
                missing.push(role.clone());
            }
            for email in found {
                if !emails.iter().any(|e| e.eq_ignore_ascii_case(&email)) {
                    emails.push(email);
                }
            }
        }
        (emails, missing)
    }

    /// A person named in a follow-up: an email address, or a contact's name.
    fn person(&self, who: &str) -> Option<String> {
        if looks_like_email(who) {
            return Some(who.to_owned());
        }
        self.facts.contacts.iter().find(|c| c.customer == self.customer && c.name == who).map(|c| c.email.clone())
    }

    fn project_manager(&self, project: &str) -> Option<String> {
        self.facts
            .projects
            .iter()
            .find(|p| p.project == project && p.customer == self.customer)?
            .project_manager
            .clone()
    }

    fn push(
        &mut self,
        items: &[&OpenItem],
        kind: ActionKind,
        stage: &str,
        template: Option<String>,
        (to, cc): (Vec<String>, Vec<String>),
        mut reason: String,
    ) {
        let Some(first) = items.first() else { return };
        let assumed: Vec<&str> = items.iter().filter(|i| i.due_assumed).map(|i| i.invoice_no.as_str()).collect();
        if !assumed.is_empty() {
            let term = self.facts.default_term_days.unwrap_or_default();
            let _ = write!(reason, " (no due date on {}: assumed invoice date + {term} days)", assumed.join(", "));
        }
        let currency = &first.currency;
        self.out.push(Action {
            customer: self.customer.to_owned(),
            invoice_nos: items.iter().map(|i| i.invoice_no.clone()).collect(),
            kind,
            stage: stage.to_owned(),
            to,
            cc,
            template,
            amount: currency.format(items.iter().map(|i| i.open_minor).sum()),
            currency: currency.code().to_owned(),
            reason,
        });
    }
}

/// `INV-1, INV-2 and 3 more`.
fn list(items: &[&OpenItem]) -> String {
    let names: Vec<&str> = items.iter().map(|i| i.invoice_no.as_str()).collect();
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

/// `35 days` (the most days past due among the items).
fn oldest(items: &[&OpenItem]) -> String {
    let days = items.iter().map(|i| i.days_past_due).max().unwrap_or(0);
    if days == 1 { "1 day".into() } else { format!("{days} days") }
}
