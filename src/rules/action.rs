//! What the collection engine decides: [`Action`]s (messages, tasks for our side, holds),
//! the unit of `actions.json`, the Actions and Holds sheets and the collection log.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::history::LogEntry;
use super::trace::InvoiceTrace;

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
