//! What the collection engine decides: [`Action`]s (messages, tasks for our side, holds),
//! the unit of `actions.json`, the Actions and Holds sheets and the collection log.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::history::LogEntry;
use super::trace::InvoiceTrace;
use super::why::Why;

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

/// The holds payback decides itself: why an account's (or an invoice's) collection waits.
/// Their ids are the `stage` of a hold in actions.json and the log (the script contract);
/// the catalogue names them in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// A follow-up marks the invoice disputed.
    Disputed,
    /// The customer promised to pay by a date not yet past.
    PromiseToPay,
    /// The project has open critical issues: fix first.
    CriticalIssues,
    /// The account waits for its next stage (cadence, repeat).
    Scheduled,
    /// The account is in legal review between two reviews.
    InLegal,
    /// Money received is not applied yet: the customer may have paid.
    UnappliedCashPending,
}

impl Hold {
    /// Holds of single invoices that a message about the rest of the account names as left
    /// out.
    pub const SET_ASIDE: [Self; 3] = [Self::Disputed, Self::PromiseToPay, Self::CriticalIssues];

    /// The id: the hold's `stage` in outputs.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::Disputed => "disputed",
            Self::PromiseToPay => "promise_to_pay",
            Self::CriticalIssues => "critical_issues",
            Self::Scheduled => "scheduled",
            Self::InLegal => "in_legal",
            Self::UnappliedCashPending => "unapplied_cash_pending",
        }
    }
}

/// The task of a project with open critical issues, beside its [`Hold::CriticalIssues`].
pub const FIX_FIRST: &str = "fix_first";
/// The task of a milestone due but not invoiced yet.
pub const ISSUE_INVOICE: &str = "issue_invoice";

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
    /// or the hold: `disputed`, `promise_to_pay`, `critical_issues`, `cadence`,
    /// `unapplied_cash_pending`).
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
    /// One sentence a person understands (English: the script contract).
    pub reason: String,
    /// The same reason as clauses of the catalogue, for the workbook and letters in the
    /// reader's language; empty for an action read back from JSON.
    #[serde(skip)]
    pub why: Why,
    /// Messages: the overdue balance of the items covered, before deductions, decimal text.
    #[serde(default)]
    pub overdue: Option<String>,
    /// Messages: credit notes and cash on account deducted, decimal text (positive).
    #[serde(default)]
    pub deductions: Option<String>,
    /// Days past due of the oldest overdue item covered (credit notes are never overdue).
    #[serde(default)]
    pub oldest_days: Option<i64>,
    /// Messages sent to this account before, about items still open, oldest first: what
    /// a message may say about history ("despite our earlier reminders") and nothing more.
    #[serde(default)]
    pub earlier: Vec<Earlier>,
    /// A promise to pay whose date passed unpaid: the account escalated one stage.
    #[serde(default)]
    pub broken_promise: Option<BrokenPromise>,
    /// Money received and not applied that is the customer's own (credit on account),
    /// deducted from the total.
    #[serde(default)]
    pub credits: Vec<CashCredit>,
    /// Holds and the "in legal" list: since when.
    #[serde(default)]
    pub since: Option<NaiveDate>,
    /// Days from `since` to the as-of date (a dispute's, a promise's, a legal case's age).
    #[serde(default)]
    pub age_days: Option<i64>,
    /// Who follows it up on our side.
    #[serde(default)]
    pub owner: Option<String>,
    /// When to look again: the next review (in legal), the next message (scheduled).
    #[serde(default)]
    pub next_date: Option<NaiveDate>,
    /// Milestone requests: the contract milestones the event makes due.
    #[serde(default)]
    pub milestones: Vec<MilestoneDue>,
    /// Thank-you messages: the payments thanked for and what each paid.
    #[serde(default)]
    pub payments: Vec<PaymentThanked>,
}

/// A message sent earlier to the same account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Earlier {
    /// The run's as-of date it was made for.
    pub date: NaiveDate,
    /// Its stage.
    pub stage: String,
}

/// A promise to pay that was not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokenPromise {
    /// When the promise was made (the follow-up's `last_contact_date`), if known.
    pub made_on: Option<NaiveDate>,
    /// The date promised.
    pub promised_by: NaiveDate,
}

/// Money on the customer's account deducted from what it owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CashCredit {
    /// When it was received.
    pub date: NaiveDate,
    /// Amount, decimal text.
    pub amount: String,
}

/// A contract milestone a go-live or acceptance makes due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneDue {
    /// Milestone name.
    pub name: String,
    /// Its project.
    pub project: String,
    /// Amount, decimal text.
    pub amount: String,
    /// When its payment falls due.
    pub due_date: NaiveDate,
    /// Its invoice; none = not invoiced yet (the `issue_invoice` task comes first).
    pub invoice_no: Option<String>,
}

/// A payment a thank-you confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentThanked {
    /// Date received.
    pub date: NaiveDate,
    /// Amount received, decimal text.
    pub amount: String,
    /// The payment's reference.
    pub reference: String,
    /// What it paid, invoice by invoice.
    pub invoices: Vec<PaidInvoice>,
    /// The part left as credit on the customer's account, decimal text; none when all of
    /// it was applied.
    pub credit: Option<String>,
}

/// What a payment did to one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaidInvoice {
    /// Invoice number.
    pub invoice_no: String,
    /// Amount applied, decimal text.
    pub applied: String,
    /// Still open after it, decimal text.
    pub remaining: String,
    /// Paid in full.
    pub settled: bool,
}

impl Action {
    /// An action with the given facts and no message details; `reason` is the English
    /// sentence of `why`.
    #[must_use]
    pub fn new(customer: &str, kind: ActionKind, stage: &str, currency: &str, amount: String, why: Why) -> Self {
        Action {
            customer: customer.to_owned(),
            invoice_nos: Vec::new(),
            kind,
            stage: stage.to_owned(),
            to: Vec::new(),
            cc: Vec::new(),
            template: None,
            amount,
            currency: currency.to_owned(),
            reason: why.english(),
            why,
            overdue: None,
            deductions: None,
            oldest_days: None,
            earlier: Vec::new(),
            broken_promise: None,
            credits: Vec::new(),
            since: None,
            age_days: None,
            owner: None,
            next_date: None,
            milestones: Vec::new(),
            payments: Vec::new(),
        }
    }
}

impl Action {
    /// Appends a clause to the reason (both the English sentence and the clauses).
    pub fn add_reason(&mut self, key: &'static str, args: Vec<(&'static str, super::why::Arg)>) {
        self.why.push(key, args);
        self.reason = self.why.english();
    }

    /// The reason in the words of `labels` (the English sentence for an action read back
    /// from JSON).
    #[must_use]
    pub fn reason_in(&self, labels: &crate::catalogue::Labels) -> String {
        if self.why.is_empty() { self.reason.clone() } else { self.why.render(labels) }
    }
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
                cc: a.cc.clone(),
                template: a.template.clone(),
                amount: a.amount.clone(),
                subject: None,
                message_id: None,
                sent_at: None,
            })
            .collect()
    }
}
