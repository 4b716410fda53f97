//! Per customer and currency: the planned invoices become actions — holds, fix-first
//! tasks, the approval status report, one message to the highest stage's recipients (or a
//! task when nobody holds the role), unless the cadence says wait.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::NaiveDate;

use super::action::{Action, ActionKind};
use super::engine::{Facts, Lookup, OpenItem, Plan};
use super::ladder::{CollectionSpec, StageKind};
use crate::normalize::records::{Role, looks_like_email};

/// The hold of a customer's messages while money received is not applied.
pub const UNAPPLIED_CASH_PENDING: &str = "unapplied_cash_pending";

/// The actions of one customer in one currency, from its invoices' plans. `contacted`
/// carries the addresses already messaged in this run across customers.
pub(super) fn actions_for(
    customer: &str,
    facts: Facts<'_>,
    lookup: &Lookup<'_>,
    spec: &CollectionSpec,
    as_of: NaiveDate,
    contacted: &mut BTreeSet<String>,
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
    contacted: &'b mut BTreeSet<String>,
    out: Vec<Action>,
}

impl Grouper<'_, '_> {
    fn run(&mut self, planned: &[(&OpenItem<'_>, Plan)]) {
        let pick =
            |f: &dyn Fn(&Plan) -> bool| planned.iter().filter(|(_, p)| f(p)).map(|(i, _)| *i).collect::<Vec<_>>();
        for stage in ["disputed", "promise_to_pay"] {
            let held: Vec<_> =
                planned.iter().filter(|(_, p)| matches!(p, Plan::Hold { stage: s, .. } if *s == stage)).collect();
            if let Some((_, Plan::Hold { reason, .. })) = held.first() {
                let items: Vec<&OpenItem<'_>> = held.iter().map(|(i, _)| *i).collect();
                let reason =
                    if items.len() == 1 { reason.clone() } else { format!("{} invoices held; {reason}", items.len()) };
                self.push(&items, ActionKind::Hold, stage, None, (Vec::new(), Vec::new()), reason);
            }
        }
        let mut projects: BTreeMap<String, (u32, Vec<&OpenItem<'_>>)> = BTreeMap::new();
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
        let staged: Vec<(&OpenItem<'_>, usize)> = planned
            .iter()
            .filter_map(|(i, p)| if let Plan::Stage { index } = p { Some((*i, *index)) } else { None })
            .collect();
        let manual: Vec<(&OpenItem<'_>, usize)> =
            staged.iter().copied().filter(|(_, s)| self.spec.stages[*s].kind == StageKind::Manual).collect();
        if let Some(top) = manual.iter().map(|(_, s)| *s).max() {
            let items: Vec<&OpenItem<'_>> = manual.iter().map(|(i, _)| *i).collect();
            let stage = &self.spec.stages[top];
            let reason = format!(
                "{}: {} past due; decide on {} (consider suspending work)",
                list(&items),
                oldest(&items),
                stage.id.replace('_', " ")
            );
            self.push(&items, ActionKind::Manual, &stage.id, None, (Vec::new(), Vec::new()), reason);
        }
        let messages: Vec<(&OpenItem<'_>, usize)> =
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
            let items: Vec<&OpenItem<'_>> = messages.iter().map(|(i, _)| *i).collect();
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

    fn approval(&mut self, planned: &[(&OpenItem<'_>, Plan)]) {
        let stuck: Vec<(&OpenItem<'_>, &Option<String>, &String, NaiveDate)> = planned
            .iter()
            .filter_map(|(i, p)| match p {
                Plan::Approval { approver, process_stage, since } => Some((*i, approver, process_stage, *since)),
                _ => None,
            })
            .collect();
        let Some((_, approver, process_stage, since)) = stuck.first().copied() else { return };
        let items: Vec<&OpenItem<'_>> = stuck.iter().map(|(i, ..)| *i).collect();
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
        items: &[&OpenItem<'_>],
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
                "{reason}; but no recipient: the contacts file has no {} contact for {}: add one",
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
        items: &[&OpenItem<'_>],
        stage: &str,
        (to, cc): (Vec<String>, Vec<String>),
        template: &str,
        reason: String,
        roles: &[String],
    ) {
        if to.is_empty() {
            let reason =
                format!("{reason}; but no recipient: no {} contact for {}: add one", roles.join("/"), self.customer);
            self.push(items, ActionKind::Manual, stage, None, (Vec::new(), Vec::new()), reason);
            return;
        }
        if let Some(held) = self.cash_pending(items, &reason) {
            self.push(items, ActionKind::Hold, UNAPPLIED_CASH_PENDING, None, (Vec::new(), Vec::new()), held);
            return;
        }
        if let Some(email) = to.iter().find(|e| self.contacted.contains(&e.to_lowercase())) {
            let reason =
                format!("{reason}; held: {email} already gets a message in this run (one message per contact per run)");
            self.push(items, ActionKind::Hold, "cadence", None, (Vec::new(), Vec::new()), reason);
            return;
        }
        let manual = self.lookup.followups(self.customer).iter().filter_map(|f| f.last_contact_date).max();
        let last = to.iter().filter_map(|e| self.lookup.last_message_to(e)).chain(manual).max();
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

    /// The hold's reason when money received but not applied may pay these invoices: no
    /// message asks for money that may already be in the bank (issue 19).
    fn cash_pending(&self, items: &[&OpenItem<'_>], reason: &str) -> Option<String> {
        let first = items.first()?;
        let pending = self.lookup.pending_cash(self.customer, first.currency.code());
        if !self.spec.holds.unapplied_cash_pending || pending.is_empty() {
            return None;
        }
        let total = pending.iter().try_fold(0i64, |sum, p| sum.checked_add(p.amount_minor));
        let payments: Vec<String> = pending
            .iter()
            .map(|p| {
                format!(
                    "{} from {} on {} (payments row {}: {})",
                    first.currency.format(p.amount_minor),
                    p.payer,
                    p.payment_date,
                    p.row,
                    p.why
                )
            })
            .collect();
        let amount = total
            .map_or_else(|| "money".to_owned(), |t| format!("{} {}", first.currency.format(t), first.currency.code()));
        Some(format!(
            "{reason}; held: {amount} received is not applied yet and may pay these invoices: {}; apply it (or decide the suggestion) first",
            payments.join("; ")
        ))
    }

    /// Email addresses for `roles`, and the roles nobody holds.
    fn resolve(&self, roles: &[String], items: &[&OpenItem<'_>]) -> (Vec<String>, Vec<String>) {
        let mut emails: Vec<String> = Vec::new();
        let mut missing = Vec::new();
        for role in roles {
            let found: Vec<String> = if role == "project_manager" {
                items
                    .iter()
                    .filter_map(|i| i.project)
                    .filter_map(|p| self.project_manager(p))
                    .filter(|e| looks_like_email(e))
                    .collect()
            } else {
                let role = Role::parse(role);
                self.lookup
                    .contacts(self.customer)
                    .iter()
                    .filter(|c| role == Some(c.role))
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
        self.lookup.contacts(self.customer).iter().find(|c| c.name == who).map(|c| c.email.clone())
    }

    fn project_manager(&self, project: &str) -> Option<String> {
        self.lookup.project(project, self.customer)?.project_manager.clone()
    }

    fn push(
        &mut self,
        items: &[&OpenItem<'_>],
        kind: ActionKind,
        stage: &str,
        template: Option<String>,
        (to, cc): (Vec<String>, Vec<String>),
        mut reason: String,
    ) {
        let Some(first) = items.first() else { return };
        let assumed: Vec<&str> = items.iter().filter(|i| i.due_assumed).map(|i| i.invoice_no).collect();
        if !assumed.is_empty() {
            let term = self.facts.default_term_days.unwrap_or_default();
            let _ = write!(reason, " (no due date on {}: assumed invoice date + {term} days)", assumed.join(", "));
        }
        let currency = &first.currency;
        self.out.push(Action {
            customer: self.customer.to_owned(),
            invoice_nos: items.iter().map(|i| i.invoice_no.to_owned()).collect(),
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
fn list(items: &[&OpenItem<'_>]) -> String {
    let names: Vec<&str> = items.iter().map(|i| i.invoice_no).collect();
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

/// `35 days` (the most days past due among the items).
fn oldest(items: &[&OpenItem<'_>]) -> String {
    let days = items.iter().map(|i| i.days_past_due).max().unwrap_or(0);
    if days == 1 { "1 day".into() } else { format!("{days} days") }
}
