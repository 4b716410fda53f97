//! The account decides: per customer and currency, the planned invoices become
//! the account's decision. Disputed and promised invoices are held, a project with open
//! critical issues gets a fix-first task; everything else is the account's position — its
//! overdue items, the items falling due within the reminder window, credit notes and cash
//! on account as deductions — and gets **one** decision: a message at the account's
//! stage, the legal-review task, or a hold with its reason and since-when.
//!
//! The stage is walked, not jumped: the account's most overdue item sets the stage the
//! days call for; a first contact never goes above `max_first_stage`, and each later
//! message climbs at most one stage above the last one sent (stages up to the first-contact
//! stage may be reached directly). A stage already reached repeats on its own
//! `repeat_days` (the top stages); otherwise the account waits, `scheduled`, for the date
//! the next stage falls due. Once legal review is listed the account is `in_legal`, with
//! its owner and next review, re-listed every `repeat_days`. A promise whose date passed
//! unpaid escalates the account one stage.
use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::action::{Action, ActionKind, BrokenPromise, CashCredit, Earlier, FIX_FIRST, Hold, MilestoneDue};
use super::engine::{Facts, Lookup, OpenItem, Plan, stage_days, triggered_milestones};
use super::history::LogEntry;
use super::why::{Arg, Why, num};
use crate::config::collection::{CollectionSpec, Recipient, Relative, StageKind};
use crate::normalize::records::looks_like_email;

/// The hold of an account owing less than the lowest stage's `min_amount`.
pub(super) const BELOW_THRESHOLD: &str = "below_threshold";
/// The hold of an account whose credits cover its overdue balance.
pub(super) const COVERED_BY_CREDITS: &str = "covered_by_credits";

/// The actions of one customer in one currency, from its invoices' plans. `contacted`
/// carries the addresses already messaged in this run across customers.
pub(super) fn actions_for(
    customer: &str,
    facts: Facts<'_>,
    lookup: &Lookup<'_>,
    spec: &CollectionSpec,
    as_of: NaiveDate,
    contacted: &mut std::collections::BTreeSet<String>,
    planned: &[(&OpenItem<'_>, Plan)],
) -> Vec<Action> {
    let mut group = Grouper { customer, facts, lookup, spec, as_of, contacted, out: Vec::new() };
    group.run(planned);
    group.out
}

/// Builds the actions of one customer in one currency.
struct Grouper<'a, 'b> {
    customer: &'a str,
    facts: Facts<'a>,
    lookup: &'a Lookup<'a>,
    spec: &'a CollectionSpec,
    as_of: NaiveDate,
    contacted: &'b mut std::collections::BTreeSet<String>,
    out: Vec<Action>,
}

/// The account's position: what a message about it lists and asks for.
struct Position<'i> {
    /// Items listed: overdue first (oldest due first), then falling due, then credit notes.
    items: Vec<&'i OpenItem<'i>>,
    /// Open amount of the overdue items, minor units.
    overdue: i64,
    /// Open amount of the listed items not yet overdue.
    not_due: i64,
    /// Credit notes and cash on account, minor units (positive).
    deductions: i64,
    /// Cash on account deducted.
    credits: Vec<CashCredit>,
    /// Days past due of the oldest overdue item.
    oldest: Option<i64>,
    /// Due date of the oldest overdue item.
    oldest_due: Option<NaiveDate>,
    /// The total asks for the items not yet overdue too (a milestone request).
    asks_not_due: bool,
}

impl Position<'_> {
    /// What the customer must pay: the overdue balance after deductions; with nothing
    /// overdue, the items falling due after deductions. Never below zero.
    fn total(&self) -> i64 {
        let base = if self.asks_not_due || self.overdue <= 0 {
            self.overdue.saturating_add(self.not_due)
        } else {
            self.overdue
        };
        base.saturating_sub(self.deductions).max(0)
    }
}

/// What the account's history says.
struct Past<'e> {
    /// Messages sent about items still open, oldest first.
    messages: Vec<&'e LogEntry>,
    /// Tasks for our side about items still open.
    tasks: Vec<&'e LogEntry>,
}

/// Where the ladder walk ends for this run.
enum Step {
    /// Send (or list, for a manual stage) this stage.
    Stage(usize),
    /// Wait: the reason and the date of the next step, if any.
    Wait(Why, Option<NaiveDate>),
}

impl Grouper<'_, '_> {
    fn run(&mut self, planned: &[(&OpenItem<'_>, Plan)]) {
        self.holds(planned);
        let chase: Vec<(&OpenItem<'_>, &Plan)> = planned
            .iter()
            .filter(|(_, p)| !matches!(p, Plan::Hold { .. } | Plan::FixFirst { .. }))
            .map(|(i, p)| (*i, p))
            .collect();
        if chase.iter().all(|(i, _)| i.open_minor <= 0) {
            return;
        }
        let open_nos: std::collections::HashSet<&str> = planned.iter().map(|(i, _)| i.invoice_no).collect();
        let code = planned[0].0.currency.code();
        let log = self.lookup.account_log(self.customer, code, &open_nos);
        let past = Past { messages: log.messages, tasks: log.tasks };
        let milestone =
            chase.iter().find_map(|(_, p)| if let Plan::Milestone { event } = p { Some(event) } else { None });
        if let Some(event) = milestone {
            self.milestone_request(&chase, event, &past);
        } else if chase.iter().any(|(_, p)| matches!(p, Plan::Approval { .. })) {
            self.approval(&chase, &past);
        } else {
            self.ladder(&chase, &past);
        }
    }

    /// Disputed and promised invoices are held; a project with open critical issues gets
    /// its hold and a fix-first task.
    fn holds(&mut self, planned: &[(&OpenItem<'_>, Plan)]) {
        for hold in [Hold::Disputed, Hold::PromiseToPay] {
            let held: Vec<(&OpenItem<'_>, &Why, Option<NaiveDate>)> = planned
                .iter()
                .filter_map(|(i, p)| match p {
                    Plan::Hold { hold: h, reason, since } if *h == hold => Some((*i, reason, *since)),
                    _ => None,
                })
                .collect();
            let Some((_, reason, _)) = held.first() else { continue };
            let items: Vec<&OpenItem<'_>> = held.iter().map(|(i, ..)| *i).collect();
            let since = held.iter().filter_map(|(.., s)| *s).min();
            let mut reason = if items.len() == 1 {
                (*reason).clone()
            } else {
                Why::new("invoices_held", vec![("count", num(items.len())), ("reason", Arg::Why((*reason).clone()))])
            };
            match since {
                Some(s) => {
                    reason.push("since_days", vec![("since", s.into()), ("days", num((self.as_of - s).num_days()))]);
                }
                None => reason.push("since_unknown", vec![]),
            }
            let mut action = self.action(&items, ActionKind::Hold, hold.id(), reason);
            action.since = since;
            action.owner = Some(self.owner(&items));
            self.out.push(action);
        }
        let mut projects: BTreeMap<String, (u32, Vec<&OpenItem<'_>>)> = BTreeMap::new();
        for (item, plan) in planned {
            if let Plan::FixFirst { project, issues } = plan {
                projects.entry(project.clone()).or_insert((*issues, Vec::new())).1.push(item);
            }
        }
        for (project, (issues, items)) in &projects {
            let manager = self.project_manager(project).unwrap_or_else(|| "our project manager".into());
            let who = self.project_manager(project).map_or(Arg::Word("our_project_manager"), Arg::Text);
            let reason = Why::new(
                "critical_issues",
                vec![("project", project.into()), ("issues", num(issues)), ("manager", who)],
            );
            let mut hold = self.action(items, ActionKind::Hold, Hold::CriticalIssues.id(), reason.clone());
            hold.owner = Some(manager.clone());
            self.out.push(hold);
            let mut task = self.action(items, ActionKind::Manual, FIX_FIRST, reason);
            task.owner = Some(manager);
            self.out.push(task);
        }
    }

    /// The account's position from the items chased: overdue items, items falling due
    /// within the reminder window (or at a stage counted from the invoice date), credit
    /// notes and cash on account. `extra` are listed too (a milestone's project items).
    fn position<'i>(&self, chase: &[(&'i OpenItem<'i>, &Plan)], extra: &[&'i OpenItem<'i>]) -> Position<'i> {
        // A milestone request lists its milestone's invoices, not every item falling due.
        let window = if extra.is_empty() { self.spec.reminder_window_days() } else { -1 };
        let mut overdue: Vec<&OpenItem<'_>> = Vec::new();
        let mut soon: Vec<&OpenItem<'_>> = Vec::new();
        let mut credit_notes: Vec<&OpenItem<'_>> = Vec::new();
        for (item, plan) in chase {
            if item.open_minor < 0 {
                credit_notes.push(item);
            } else if item.open_minor == 0 {
            } else if item.days_past_due > 0 {
                overdue.push(item);
            } else if item.days_past_due >= -window
                || (extra.is_empty() && matches!(plan, Plan::Stage { .. }))
                || extra.iter().any(|e| std::ptr::eq(*e, *item))
            {
                soon.push(item);
            }
        }
        overdue.sort_by_key(|i| (i.due_date, i.invoice_no));
        soon.sort_by_key(|i| (i.due_date, i.invoice_no));
        let mut cash: Vec<CashCredit> = Vec::new();
        let mut cash_minor = 0i64;
        if let Some((first, _)) = chase.first() {
            for p in self.lookup.pending_cash(self.customer, first.currency.code()) {
                if p.on_account && p.amount_minor > 0 {
                    cash.push(CashCredit { date: p.payment_date, amount: first.currency.format(p.amount_minor) });
                    cash_minor = cash_minor.saturating_add(p.amount_minor);
                }
            }
        }
        let sum = |items: &[&OpenItem<'_>]| items.iter().fold(0i64, |s, i| s.saturating_add(i.open_minor));
        let deductions = sum(&credit_notes).saturating_neg().saturating_add(cash_minor);
        Position {
            overdue: sum(&overdue),
            not_due: sum(&soon),
            deductions,
            credits: cash,
            oldest: overdue.iter().map(|i| i.days_past_due).max(),
            oldest_due: overdue.iter().map(|i| i.due_date).min(),
            asks_not_due: false,
            items: overdue.into_iter().chain(soon).chain(credit_notes).collect(),
        }
    }

    /// The ladder: the stage the days call for, walked one step from the last one sent.
    #[allow(clippy::too_many_lines)] // each way the account waits, with its reason's values
    fn ladder(&mut self, chase: &[(&OpenItem<'_>, &Plan)], past: &Past<'_>) {
        let position = self.position(chase, &[]);
        if position.items.iter().all(|i| i.open_minor <= 0) {
            return;
        }
        let total = position.total();
        let since = position.oldest_due.map(|d| d + Duration::days(1));
        if position.overdue > 0 && total == 0 {
            let code = position.items[0].currency;
            let reason = Why::new(
                "covered_by_credits",
                vec![
                    ("invoices", list(&position.items)),
                    ("overdue", code.format(position.overdue).into()),
                    ("deductions", code.format(position.deductions).into()),
                ],
            );
            self.account_hold(&position, COVERED_BY_CREDITS, reason, since, None, past);
            return;
        }
        let windows =
            chase.iter().filter_map(|(_, p)| if let Plan::Stage { index } = p { Some(*index) } else { None }).max();
        let currency = position.items[0].currency;
        let eligible = |i: usize| self.spec.stages[i].min_amount.is_none_or(|min| currency.decimal(total) >= min);
        let Some(window) = windows else {
            if position.overdue > 0 {
                let next = self.next_window_date(chase, None);
                let mut reason = Why::new(
                    "no_stage_yet",
                    vec![("invoices", list(&position.items)), ("days", Arg::Days(position.oldest.unwrap_or(0)))],
                );
                if let Some(d) = next {
                    reason.push("first_from", vec![("date", d.into())]);
                }
                self.account_hold(&position, Hold::Scheduled.id(), reason, since, next, past);
            }
            return;
        };
        let Some(due) = (0..=window).rev().find(|i| eligible(*i)) else {
            let min = self.spec.stages[..=window].iter().filter_map(|s| s.min_amount).min().unwrap_or_default();
            let reason = Why::new(
                "below_threshold",
                vec![
                    ("invoices", list(&position.items)),
                    ("amount", currency.format(total).into()),
                    ("currency", currency.code().into()),
                    ("min", num(min)),
                ],
            );
            self.account_hold(&position, BELOW_THRESHOLD, reason, since, None, past);
            return;
        };
        // The last stage reached: the highest among the messages sent and the manual stages
        // listed (legal review) about these items. A task made because a message had no
        // recipient reached nobody: it does not count.
        let manual_stage = |e: &&&LogEntry| self.spec.stage(&e.stage).is_some_and(|s| s.kind == StageKind::Manual);
        let reached = past
            .messages
            .iter()
            .chain(past.tasks.iter().filter(manual_stage))
            .filter_map(|e| Some((self.spec.stage_index(&e.stage)?, e.as_of)))
            .fold(None, |best: Option<(usize, NaiveDate)>, (i, d)| match best {
                Some((b, bd)) if b > i || (b == i && bd >= d) => Some((b, bd)),
                _ => Some((i, d)),
            });
        if let Some((level, last)) = reached
            && self.spec.stages[level].kind == StageKind::Manual
        {
            self.in_legal(&position, level, past);
            let _ = last;
            return;
        }
        let broken = self.broken_promise(&position, past);
        let step = self.step(due, reached, broken.is_some(), &eligible, chase);
        let index = match step {
            Step::Stage(index) => index,
            Step::Wait(reason, next) => {
                let reason = Why::new(
                    "waiting",
                    vec![
                        ("invoices", list(&position.items)),
                        ("days", Arg::Days(position.oldest.unwrap_or(0))),
                        ("reason", Arg::Why(reason)),
                    ],
                );
                let since = reached.map(|(_, d)| d).or(since);
                self.account_hold(&position, Hold::Scheduled.id(), reason, since, next, past);
                return;
            }
        };
        let stage = &self.spec.stages[index];
        if stage.kind == StageKind::Manual {
            let reason = Why::new(
                "manual_stage",
                vec![
                    ("invoices", list(&position.items)),
                    ("days", Arg::Days(position.oldest.unwrap_or(0))),
                    ("amount", currency.format(total).into()),
                    ("currency", currency.code().into()),
                    ("stage", Arg::StageWords(stage.id.clone())),
                ],
            );
            let mut action = self.position_action(&position, ActionKind::Manual, &stage.id.clone(), reason, past);
            action.since = Some(self.as_of);
            action.owner.clone_from(&stage.owner);
            action.next_date = stage.repeat_days.map(|r| self.as_of + Duration::days(r));
            self.out.push(action);
            return;
        }
        self.ladder_message(&position, index, due, reached, broken, past);
    }

    /// The ladder's message at stage `index` (the days call for `due`).
    fn ladder_message(
        &mut self,
        position: &Position<'_>,
        index: usize,
        due: usize,
        reached: Option<(usize, NaiveDate)>,
        broken: Option<BrokenPromise>,
        past: &Past<'_>,
    ) {
        let stage = &self.spec.stages[index];
        let timing = match position.oldest {
            Some(d) => Why::new("past_due", vec![("days", Arg::Days(d))]),
            None => Why::new(
                "due_on",
                vec![("date", position.items.iter().map(|i| i.due_date).min().unwrap_or(self.as_of).into())],
            ),
        };
        let repeat = reached.is_some_and(|(level, _)| level == index);
        let mut reason = Why::new(
            "ladder_message",
            vec![
                ("invoices", list(&position.items)),
                ("timing", Arg::Why(timing)),
                ("stage", Arg::Stage(stage.id.clone())),
            ],
        );
        if repeat {
            reason.push("repeat", vec![("days", num(stage.repeat_days.unwrap_or_default()))]);
        }
        if index < due {
            let due_id = Arg::Stage(self.spec.stages[due].id.clone());
            match reached {
                None => reason.push("first_contact", vec![("due", due_id)]),
                Some((level, date)) => reason.push(
                    "one_up",
                    vec![
                        ("from", Arg::Stage(self.spec.stages[level].id.clone())),
                        ("date", date.into()),
                        ("due", due_id),
                    ],
                ),
            }
        }
        if let Some(b) = &broken {
            match b.made_on {
                Some(made) => {
                    reason.push("broken_promise_on", vec![("made", made.into()), ("date", b.promised_by.into())]);
                }
                None => reason.push("broken_promise", vec![("date", b.promised_by.into())]),
            }
        }
        let (to, cc, template) = (stage.to.clone(), stage.cc.clone(), stage.template.clone().unwrap_or_default());
        let stage_id = stage.id.clone();
        self.message(position, &stage_id, (&to, &cc), &template, reason, past, broken);
    }

    /// The stage this run takes, or why the account waits.
    fn step(
        &self,
        due: usize,
        reached: Option<(usize, NaiveDate)>,
        broken: bool,
        eligible: &dyn Fn(usize) -> bool,
        chase: &[(&OpenItem<'_>, &Plan)],
    ) -> Step {
        let first = self.spec.first_contact_index();
        let last = self.spec.stages.len() - 1;
        let from = reached.map_or(0, |(level, _)| level + 1);
        // Candidates: the eligible stages above the last one reached, up to the one due.
        let candidates: Vec<usize> = (from..=due).filter(|i| eligible(*i)).collect();
        let bump =
            |index: usize| if broken { (index + 1..=last).find(|i| eligible(*i)).unwrap_or(index) } else { index };
        if let Some(&lowest) = candidates.first() {
            let ceiling = lowest.max(first);
            let index = candidates.iter().copied().filter(|i| *i <= ceiling).max().unwrap_or(lowest);
            return Step::Stage(bump(index));
        }
        let Some((level, last_date)) = reached else {
            return Step::Wait(Why::new("no_stage_due", vec![]), None);
        };
        if broken && let Some(up) = (level + 1..=last).find(|i| eligible(*i)) {
            return Step::Stage(up);
        }
        let stage = &self.spec.stages[level];
        let again = stage.repeat_days.map(|r| last_date + Duration::days(r));
        if again.is_some_and(|d| d <= self.as_of) {
            return Step::Stage(level);
        }
        let climb = self.next_window_date(chase, Some(level));
        let next = [again, climb].into_iter().flatten().min();
        let what = match (again, climb) {
            (Some(a), _) if Some(a) == next => {
                Why::new("again_from", vec![("stage", Arg::Stage(stage.id.clone())), ("date", a.into())])
            }
            (_, Some(c)) => {
                let up =
                    self.spec.stages.get(level + 1).map_or(Arg::Word("the_next_stage"), |s| Arg::Stage(s.id.clone()));
                Why::new("up_from", vec![("stage", up), ("date", c.into())])
            }
            _ => Why::new("ladder_ends", vec![]),
        };
        let reason = Why::new(
            "sent_next",
            vec![("stage", Arg::Stage(stage.id.clone())), ("date", last_date.into()), ("what", Arg::Why(what))],
        );
        Step::Wait(reason, next)
    }

    /// The first date on which an item enters a stage above `level` (any stage with none).
    fn next_window_date(&self, chase: &[(&OpenItem<'_>, &Plan)], level: Option<usize>) -> Option<NaiveDate> {
        let above = level.map_or(0, |l| l + 1);
        let mut best: Option<NaiveDate> = None;
        for stage in self.spec.stages.iter().skip(above) {
            let Some(from) = stage.from_days else { continue };
            for (item, _) in chase.iter().filter(|(i, _)| i.open_minor > 0) {
                let now = stage_days(item, stage.relative_to);
                if now >= from {
                    continue;
                }
                let date = match stage.relative_to {
                    Relative::DueDate => item.due_date + Duration::days(from),
                    Relative::InvoiceDate => item.invoice_date + Duration::days(from),
                };
                if date > self.as_of && best.is_none_or(|b| date < b) {
                    best = Some(date);
                }
            }
        }
        best
    }

    /// An account whose legal review is listed: in the "in legal" list with its owner and
    /// next review, re-listed as a task every `repeat_days`.
    fn in_legal(&mut self, position: &Position<'_>, level: usize, past: &Past<'_>) {
        let stage = &self.spec.stages[level];
        let dates: Vec<NaiveDate> = past.tasks.iter().filter(|e| e.stage == stage.id).map(|e| e.as_of).collect();
        let first = dates.iter().min().copied().unwrap_or(self.as_of);
        let last = dates.iter().max().copied().unwrap_or(self.as_of);
        let age = (self.as_of - first).num_days();
        let next = stage.repeat_days.map(|r| last + Duration::days(r));
        let currency = position.items[0].currency;
        let owed = format!("{} {}", currency.format(position.total()), currency.code());
        let owner = stage.owner.clone();
        let who = || owner.as_ref().map_or(Arg::Word("our_side"), Arg::from);
        if next.is_some_and(|d| d <= self.as_of) {
            let reason = Why::new(
                "legal_review_again",
                vec![
                    ("invoices", list(&position.items)),
                    ("stage", Arg::StageWords(stage.id.clone())),
                    ("first", first.into()),
                    ("age", num(age)),
                    ("days", Arg::Days(position.oldest.unwrap_or(0))),
                    ("owed", owed.as_str().into()),
                    ("who", who()),
                ],
            );
            let mut action = self.position_action(position, ActionKind::Manual, &stage.id.clone(), reason, past);
            action.since = Some(first);
            action.owner = owner;
            action.next_date = stage.repeat_days.map(|r| self.as_of + Duration::days(r));
            self.out.push(action);
            return;
        }
        let reason = Why::new(
            "in_legal",
            vec![
                ("invoices", list(&position.items)),
                ("stage", Arg::StageWords(stage.id.clone())),
                ("first", first.into()),
                ("age", num(age)),
                ("owed", owed.as_str().into()),
                ("who", who()),
                ("next", next.map_or(Arg::Word("next_review_unset"), Arg::from)),
            ],
        );
        let mut action = self.position_action(position, ActionKind::Hold, Hold::InLegal.id(), reason, past);
        action.since = Some(first);
        action.owner = owner;
        action.next_date = next;
        self.out.push(action);
    }

    /// The latest promise to pay of this account whose date has passed while items it
    /// covers are still open, when no message went out since: the account escalates.
    fn broken_promise(&self, position: &Position<'_>, past: &Past<'_>) -> Option<BrokenPromise> {
        if !self.spec.holds.promise_to_pay {
            return None;
        }
        let open: Vec<&str> = position.items.iter().filter(|i| i.open_minor > 0).map(|i| i.invoice_no).collect();
        self.lookup
            .followups(self.customer)
            .iter()
            .filter_map(|f| Some((f, f.promise_to_pay_date?)))
            .filter(|(_, d)| *d < self.as_of)
            .filter(|(f, d)| {
                f.invoice_no.as_deref().map_or_else(
                    || position.items.iter().any(|i| i.open_minor > 0 && i.due_date <= *d),
                    |n| open.contains(&n),
                )
            })
            .filter(|(_, d)| !past.messages.iter().any(|e| e.as_of >= *d))
            .max_by_key(|(_, d)| *d)
            .map(|(f, d)| BrokenPromise { made_on: f.last_contact_date, promised_by: d })
    }

    /// The good moment: the project went live or was accepted. The request names the
    /// milestones the event makes due and lists the account's whole position.
    fn milestone_request(&mut self, chase: &[(&OpenItem<'_>, &Plan)], event: &Why, past: &Past<'_>) {
        let moment: Vec<&OpenItem<'_>> =
            chase.iter().filter(|(_, p)| matches!(p, Plan::Milestone { .. })).map(|(i, _)| *i).collect();
        let projects: Vec<&str> = moment.iter().filter_map(|i| i.project).collect();
        let known = self.facts.milestones.iter().any(|m| projects.contains(&m.project.as_str()));
        let milestones: Vec<MilestoneDue> = triggered_milestones(&self.facts, self.as_of)
            .into_iter()
            .filter(|t| projects.contains(&t.milestone.project.as_str()) && t.customer == self.customer)
            .filter(|t| {
                matches!(
                    t.milestone.trigger,
                    crate::normalize::records::Trigger::GoLive | crate::normalize::records::Trigger::Acceptance
                ) && (self.as_of - t.event).num_days() <= self.spec.milestone_request.window_days
            })
            // A letter names only milestones whose due date is known (a term beyond the
            // calendar stays a task for our side).
            .filter_map(|t| {
                Some(MilestoneDue {
                    name: t.milestone.name.clone(),
                    project: t.milestone.project.clone(),
                    amount: t.currency.format(t.minor),
                    due_date: t.due.0?,
                    invoice_no: t.milestone.invoice_no.clone(),
                })
            })
            .collect();
        // The right money: the invoices of the milestones the event makes due (with no
        // milestones file for the project, its open invoices), plus the overdue balance.
        let asked: Vec<&OpenItem<'_>> = if known {
            moment
                .iter()
                .copied()
                .filter(|i| milestones.iter().any(|m| m.invoice_no.as_deref() == Some(i.invoice_no)))
                .collect()
        } else {
            moment.clone()
        };
        let mut position = self.position(chase, &asked);
        if position.overdue <= 0 && position.not_due <= 0 && milestones.is_empty() {
            // Nothing to ask for: the ladder decides.
            self.ladder(chase, past);
            return;
        }
        let mut reason =
            Why::new("good_moment", vec![("event", Arg::Why(event.clone())), ("invoices", list(&position.items))]);
        let pending: Vec<String> =
            milestones.iter().filter(|m| m.invoice_no.is_none()).map(|m| m.name.clone()).collect();
        if !pending.is_empty() {
            reason.push("invoice_first", vec![("milestones", Arg::Joined(pending))]);
        }
        // Everything listed is asked for: the overdue balance and the milestone's invoices.
        position.asks_not_due = true;
        if position.items.is_empty() {
            return;
        }
        let spec = &self.spec.milestone_request;
        let (to, cc, template) = (spec.to.clone(), spec.cc.clone(), spec.template.clone());
        let before = self.out.len();
        self.message(&position, "milestone_request", (&to, &cc), &template, reason, past, None);
        if let Some(action) = self.out.get_mut(before) {
            action.milestones = milestones;
        }
    }

    /// A payment stuck in the customer's approval: a status report to the approver with
    /// the account's whole position.
    fn approval(&mut self, chase: &[(&OpenItem<'_>, &Plan)], past: &Past<'_>) {
        let Some((stuck, approver, process_stage, since)) = chase.iter().find_map(|(i, p)| match p {
            Plan::Approval { approver, process_stage, since } => Some((*i, approver, process_stage, *since)),
            _ => None,
        }) else {
            return;
        };
        let position = self.position(chase, &[stuck]);
        let spec = &self.spec.approval_status_report;
        let days_waiting = (self.as_of - since).num_days();
        let who = approver.as_ref().map_or(Arg::Word("the_approver"), Arg::from);
        let waiting: Vec<&OpenItem<'_>> =
            chase.iter().filter(|(_, p)| matches!(p, Plan::Approval { .. })).map(|(i, _)| *i).collect();
        let reason = Why::new(
            "approval",
            vec![
                ("invoices", list(&waiting)),
                ("stage", process_stage.into()),
                ("since", since.into()),
                ("days", num(days_waiting)),
                ("who", who),
            ],
        );
        let named = approver.as_ref().and_then(|a| self.person(a));
        let mut to: Vec<String> = named.into_iter().collect();
        if to.is_empty() {
            to = self.resolve(&spec.to, &position.items).0;
        }
        let cc = self.resolve(&spec.cc, &position.items).0;
        let template = spec.template.clone();
        let roles = spec.to.clone();
        self.send(&position, "approval_status_report", (to, cc), &template, reason, &roles, past, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn message(
        &mut self,
        position: &Position<'_>,
        stage: &str,
        (to, cc): (&[Recipient], &[Recipient]),
        template: &str,
        reason: Why,
        past: &Past<'_>,
        broken: Option<BrokenPromise>,
    ) {
        let (to_emails, missing) = self.resolve(to, &position.items);
        let (cc_emails, _) = self.resolve(cc, &position.items);
        if to_emails.is_empty() {
            let reason = reason
                .then("no_contact_in_file", vec![("roles", Arg::Roles(missing)), ("customer", self.customer.into())]);
            let action = self.position_action(position, ActionKind::Manual, stage, reason, past);
            self.out.push(action);
            return;
        }
        self.send(position, stage, (to_emails, cc_emails), template, reason, to, past, broken);
    }

    /// A message, unless money not applied, this run's other messages or the cadence say
    /// wait.
    #[allow(clippy::too_many_arguments)]
    fn send(
        &mut self,
        position: &Position<'_>,
        stage: &str,
        (to, cc): (Vec<String>, Vec<String>),
        template: &str,
        reason: Why,
        roles: &[Recipient],
        past: &Past<'_>,
        broken: Option<BrokenPromise>,
    ) {
        if to.is_empty() {
            let roles = roles.iter().map(|r| r.as_str().to_owned()).collect();
            let reason =
                reason.then("no_contact", vec![("roles", Arg::Roles(roles)), ("customer", self.customer.into())]);
            let action = self.position_action(position, ActionKind::Manual, stage, reason, past);
            self.out.push(action);
            return;
        }
        if let Some((held, from)) = self.cash_pending(position, reason.clone()) {
            self.account_hold(position, Hold::UnappliedCashPending.id(), held, Some(from), None, past);
            return;
        }
        // Copies that are the customer's own people count like recipients; our project
        // managers in copy do not (they are copied on many customers' messages).
        let customer_cc: Vec<&String> = cc
            .iter()
            .filter(|e| self.lookup.contacts(self.customer).iter().any(|c| c.email.eq_ignore_ascii_case(e)))
            .collect();
        let reached: Vec<&String> = to.iter().chain(customer_cc).collect();
        if let Some(email) = reached.iter().find(|e| self.contacted.contains(&e.to_lowercase())) {
            let reason = reason.then("one_per_run", vec![("email", (*email).into())]);
            let next = self.as_of + Duration::days(1);
            self.account_hold(position, "cadence", reason, Some(self.as_of), Some(next), past);
            return;
        }
        // A contact by hand counts from its date; one dated after the as-of date has not
        // happened yet as of that date.
        let manual = self
            .lookup
            .followups(self.customer)
            .iter()
            .filter_map(|f| f.last_contact_date)
            .filter(|d| *d <= self.as_of)
            .max();
        let last = reached.iter().filter_map(|e| self.lookup.last_message_to(e)).chain(manual).max();
        if let Some(last) = last.filter(|d| (self.as_of - *d).num_days() < self.spec.cadence_days) {
            let next = last + Duration::days(self.spec.cadence_days);
            let reason = reason.then(
                "cadence",
                vec![("last", last.into()), ("next", next.into()), ("days", num(self.spec.cadence_days))],
            );
            self.account_hold(position, "cadence", reason, Some(last), Some(next), past);
            return;
        }
        for email in &reached {
            self.contacted.insert(email.to_lowercase());
        }
        let mut action = self.position_action(position, ActionKind::Message, stage, reason, past);
        action.to = to;
        action.cc = cc;
        action.template = Some(template.to_owned());
        action.broken_promise = broken;
        self.out.push(action);
    }

    /// A hold of the account's whole position.
    fn account_hold(
        &mut self,
        position: &Position<'_>,
        stage: &str,
        reason: Why,
        since: Option<NaiveDate>,
        next: Option<NaiveDate>,
        past: &Past<'_>,
    ) {
        let mut action = self.position_action(position, ActionKind::Hold, stage, reason, past);
        action.since = since;
        action.next_date = next;
        action.owner = Some(self.owner(&position.items));
        self.out.push(action);
    }

    /// The hold's reason and the first payment's date when money received but not applied
    /// — and not certainly the customer's own — may pay these invoices: no message asks for
    /// money that may already be in the bank. Cash on the customer's own account
    /// is a deduction instead.
    fn cash_pending(&self, position: &Position<'_>, reason: Why) -> Option<(Why, NaiveDate)> {
        let first = position.items.first()?;
        let pending: Vec<_> =
            self.lookup.pending_cash(self.customer, first.currency.code()).iter().filter(|p| !p.on_account).collect();
        if !self.spec.holds.unapplied_cash_pending || pending.is_empty() {
            return None;
        }
        let total = pending.iter().try_fold(0i64, |sum, p| sum.checked_add(p.amount_minor));
        let mut payments = Why::default();
        for (i, p) in pending.iter().enumerate() {
            if i > 0 {
                payments.push("semicolon", vec![]);
            }
            payments.push(
                "cash_payment",
                vec![
                    ("amount", first.currency.format(p.amount_minor).into()),
                    ("payer", p.payer.as_str().into()),
                    ("date", p.payment_date.into()),
                    ("row", num(p.row)),
                    ("why", Arg::Said(p.why.clone())),
                ],
            );
        }
        let amount = total.map_or(Arg::Word("money"), |t| {
            Arg::Text(format!("{} {}", first.currency.format(t), first.currency.code()))
        });
        let from = pending.iter().map(|p| p.payment_date).min()?;
        Some((reason.then("cash_pending", vec![("amount", amount), ("payments", Arg::Why(payments))]), from))
    }

    /// Email addresses for `roles`, and the roles nobody holds.
    fn resolve(&self, roles: &[Recipient], items: &[&OpenItem<'_>]) -> (Vec<String>, Vec<String>) {
        let mut emails: Vec<String> = Vec::new();
        let mut missing = Vec::new();
        for role in roles {
            let found: Vec<String> = match role {
                Recipient::ProjectManager => items
                    .iter()
                    .filter_map(|i| i.project)
                    .filter_map(|p| self.project_manager(p))
                    .filter(|e| looks_like_email(e))
                    .collect(),
                Recipient::Contact(role) => self
                    .lookup
                    .contacts(self.customer)
                    .iter()
                    .filter(|c| c.role == *role)
                    .map(|c| c.email.clone())
                    .collect(),
                // Refused when the rules are loaded.
                Recipient::Unknown(_) => Vec::new(),
            };
            if found.is_empty() {
                missing.push(role.as_str().to_owned());
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
        self.lookup.contacts(self.customer).iter().find(|c| c.name == who).map(|c| c.email.clone())
    }

    fn project_manager(&self, project: &str) -> Option<String> {
        self.lookup.project(project, self.customer)?.project_manager.clone()
    }

    /// Who follows up a hold on `items`: the project manager of their project, else the
    /// rules' `owner`, else accounts receivable.
    fn owner(&self, items: &[&OpenItem<'_>]) -> String {
        items
            .iter()
            .filter_map(|i| i.project)
            .find_map(|p| self.project_manager(p))
            .or_else(|| self.spec.owner.clone())
            .unwrap_or_else(|| "accounts receivable".into())
    }

    /// An action about the account's whole position: amount = the total to pay, with the
    /// overdue balance, deductions, oldest days and earlier messages.
    fn position_action(
        &self,
        position: &Position<'_>,
        kind: ActionKind,
        stage: &str,
        reason: Why,
        past: &Past<'_>,
    ) -> Action {
        let mut action = self.action(&position.items, kind, stage, reason);
        let currency = position.items[0].currency;
        action.amount = currency.format(position.total());
        action.overdue = Some(currency.format(position.overdue));
        action.deductions = Some(currency.format(position.deductions));
        action.oldest_days = position.oldest;
        action.credits.clone_from(&position.credits);
        let mut earlier: Vec<Earlier> = Vec::new();
        for e in &past.messages {
            let entry = Earlier { date: e.as_of, stage: e.stage.clone() };
            if !earlier.contains(&entry) {
                earlier.push(entry);
            }
        }
        action.earlier = earlier;
        action
    }

    /// An action over `items` (their open amounts summed); notes assumed due dates.
    fn action(&self, items: &[&OpenItem<'_>], kind: ActionKind, stage: &str, mut reason: Why) -> Action {
        let assumed: Vec<String> = items.iter().filter(|i| i.due_assumed).map(|i| i.invoice_no.to_owned()).collect();
        if !assumed.is_empty() {
            let term = self.facts.default_term_days.unwrap_or_default();
            reason.push("due_assumed", vec![("invoices", Arg::Joined(assumed)), ("term", num(term))]);
        }
        let currency = items.first().map(|i| i.currency);
        let sum = items.iter().fold(0i64, |s, i| s.saturating_add(i.open_minor));
        let mut action = Action::new(
            self.customer,
            kind,
            stage,
            currency.map_or("", |c| c.code()),
            currency.map_or_else(String::new, |c| c.format(sum)),
            reason,
        );
        action.invoice_nos = items.iter().map(|i| i.invoice_no.to_owned()).collect();
        action
    }
}

/// `INV-1, INV-2 and 3 more`.
fn list(items: &[&OpenItem<'_>]) -> Arg {
    Arg::Invoices(items.iter().map(|i| i.invoice_no.to_owned()).collect())
}
