//! Follow-up facts: promises to pay, disputes, stuck approvals.
use chrono::NaiveDate;

use super::Fields;
use crate::normalize::reason::Reason;
use crate::normalize::schema::header_key;
use crate::normalize::value::ValueFormat;

/// What is known about collecting an invoice (or all of a customer's invoices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followup {
    /// Customer name; empty as read when the row names only the invoice, then taken from
    /// the invoice by [`crate::normalize::references`] (empty after that only when no single invoice
    /// fits, which is reported).
    pub customer: String,
    /// The invoice, or `None` for all of the customer's invoices.
    pub invoice_no: Option<String>,
    /// The customer disputes the invoice.
    pub disputed: bool,
    /// The customer promised to pay by this date.
    pub promise_to_pay_date: Option<NaiveDate>,
    /// Where the payment sits in the customer's approval process.
    pub process_stage: Option<String>,
    /// Since when it sits there.
    pub stage_since: Option<NaiveDate>,
    /// The person whose approval it waits for (name or email).
    pub approver: Option<String>,
    /// When someone last contacted the customer by hand (counts for cadence).
    pub last_contact_date: Option<NaiveDate>,
    /// Free text.
    pub note: Option<String>,
}

/// What starts a milestone's payment term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Contract signing.
    Signing,
    /// A fixed date.
    Date,
    /// Delivery of goods or work.
    Delivery,
    /// The start of the trial run.
    TrialRun,
    /// Go-live (date from the projects file when not given).
    GoLive,
    /// Acceptance (date from the projects file when not given).
    Acceptance,
}

impl Trigger {
    /// Reads a trigger in English or Chinese.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let key = header_key(text);
        Some(match key.as_str() {
            "signing" | "sign" | "contract" | "签约" | "合同签订" => Self::Signing,
            "date" | "fixeddate" | "日期" => Self::Date,
            "delivery" | "到货" | "交付" => Self::Delivery,
            "trialrun" | "trial" | "试运行" => Self::TrialRun,
            "golive" | "上线" => Self::GoLive,
            "acceptance" | "accepted" | "验收" => Self::Acceptance,
            _ => return None,
        })
    }

    /// The name in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signing => "signing",
            Self::Date => "date",
            Self::Delivery => "delivery",
            Self::TrialRun => "trial run",
            Self::GoLive => "go-live",
            Self::Acceptance => "acceptance",
        }
    }
}

/// Builds a [`Followup`] from a row.
pub fn followup(f: &Fields<'_>, format: ValueFormat) -> std::result::Result<Followup, Vec<Reason>> {
    let mut problems = Vec::new();
    let customer = f.text("customer").unwrap_or_default();
    if customer.is_empty() && f.text("invoice_no").is_none() {
        problems.push(Reason::new("followup_no_customer", vec![]));
    }
    let followup = Followup {
        customer,
        invoice_no: f.text("invoice_no"),
        disputed: f.flag("disputed", &mut problems),
        promise_to_pay_date: f.date("promise_to_pay_date", format, &mut problems),
        process_stage: f.text("process_stage"),
        stage_since: f.date("stage_since", format, &mut problems),
        approver: f.text("approver"),
        last_contact_date: f.date("last_contact_date", format, &mut problems),
        note: f.text("note"),
    };
    if followup.process_stage.is_some() && followup.stage_since.is_none() {
        problems.push(Reason::new("stage_without_since", vec![]));
    }
    if problems.is_empty() { Ok(followup) } else { Err(problems) }
}
