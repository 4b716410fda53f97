//! The context every email template gets: plain serde structs, documented key by key in
//! `templates/README.md`. Amounts are exact decimal strings (format them with the `money`
//! filter), dates are `YYYY-MM-DD` (format them with the `date` filter).
use serde::Serialize;

use crate::config::rules_file::{BankSpec, CompanySpec, IdentitySpec};

/// Our company, from `[company]` in the rules, in the message's language: `name`,
/// `address`, `sign_off` and `bank` come from `[company.zh]` in a Chinese message and
/// `[company.en]` in an English one; `zh` and `en` hold both.
#[derive(Debug, Clone, Serialize)]
pub struct CompanyView {
    /// Legal name in the message's language.
    pub name: String,
    /// Sender address.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Postal address in the message's language.
    pub address: String,
    /// The signature block in the message's language.
    pub sign_off: String,
    /// Tax id.
    pub tax_id: String,
    /// Payment instructions in the message's language (payee = 收款单位).
    pub bank: BankSpec,
    /// The company in Chinese.
    pub zh: IdentitySpec,
    /// The company in English.
    pub en: IdentitySpec,
}

impl CompanyView {
    /// The company of `spec` as a message in `lang` (`zh` or `en`) shows it.
    #[must_use]
    pub fn new(spec: &CompanySpec, lang: &str) -> Self {
        let base = Self {
            name: spec.name.clone(),
            email: spec.email.clone(),
            phone: spec.phone.clone(),
            address: spec.address.clone(),
            sign_off: spec.sign_off.clone(),
            tax_id: String::new(),
            bank: spec.bank.clone(),
            zh: spec.identity("zh"),
            en: spec.identity("en"),
        };
        base.in_language(lang)
    }

    /// The same company as a message in `lang` shows it.
    #[must_use]
    pub fn in_language(&self, lang: &str) -> Self {
        let id = if lang == "zh" { &self.zh } else { &self.en };
        let mut view = self.clone();
        view.name.clone_from(&id.name);
        view.address.clone_from(&id.address);
        view.sign_off.clone_from(&id.signature);
        view.tax_id.clone_from(&id.tax_id);
        view.bank = BankSpec {
            payee: id.payee.clone(),
            bank: id.bank.clone(),
            account: id.account.clone(),
            swift: self.bank.swift.clone(),
        };
        view
    }
}

/// A person a message goes to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PersonView {
    /// Name (the email address when the name is unknown; a project manager's
    /// `project_manager_name` from the projects file).
    pub name: String,
    /// Email address.
    pub email: String,
    /// How they are addressed (contacts' `title`: 赵总, Ms. Li), when known.
    pub title: Option<String>,
}

/// One invoice in a message.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceView {
    /// Invoice number.
    pub invoice_no: String,
    /// Invoice date.
    pub invoice_date: String,
    /// Due date.
    pub due_date: String,
    /// Invoice amount.
    pub amount: String,
    /// Open amount.
    pub open_amount: String,
    /// Currency code.
    pub currency: String,
    /// Days past due (negative: days until due).
    pub days_past_due: i64,
    /// Project, if any.
    pub project: Option<String>,
    /// Contract number, if any.
    pub contract_no: Option<String>,
}

/// The project the invoices belong to.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    /// Project name.
    pub name: String,
    /// Go-live date, if any, on or before the as-of date.
    pub go_live_date: Option<String>,
    /// Acceptance date, if any, on or before the as-of date.
    pub acceptance_date: Option<String>,
    /// How the project stands.
    pub status_note: Option<String>,
    /// Our project manager (as the projects file writes it: an address or a name).
    pub project_manager: Option<String>,
    /// Our project manager's name and address for a letter: "王磊 <wang.lei@…>" when the
    /// projects file gives `project_manager_name`, else `project_manager` as written.
    pub project_manager_display: Option<String>,
}

/// Where a payment is stuck in the customer's approval.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalView {
    /// The stage, e.g. "awaiting GM approval".
    pub process_stage: String,
    /// Since when.
    pub since: String,
    /// Days since.
    pub days: i64,
    /// The approver's name.
    pub approver: String,
}

/// An amount in a currency.
#[derive(Debug, Clone, Serialize)]
pub struct CurrencyTotal {
    /// Currency code.
    pub currency: String,
    /// Amount.
    pub amount: String,
}

/// The context of a customer message.
#[derive(Debug, Clone, Serialize)]
pub struct MessageContext {
    /// `zh` or `en`.
    pub lang: String,
    /// The as-of date.
    pub as_of: String,
    /// Stage id.
    pub stage: String,
    /// The engine's reason.
    pub reason: String,
    /// Our company.
    pub company: CompanyView,
    /// Customer name.
    pub customer: String,
    /// The first recipient.
    pub contact: PersonView,
    /// The greeting in the message's language: "赵总，您好" / "Dear Ms. Li," from the first
    /// recipient's title, else their name; "您好" / "Dear Accounts Payable team," when only
    /// their address is known.
    pub greeting: String,
    /// All recipients.
    pub to: Vec<PersonView>,
    /// Copies.
    pub cc: Vec<PersonView>,
    /// The invoices covered, oldest due first.
    pub invoices: Vec<InvoiceView>,
    /// Sum of their open amounts.
    pub total: String,
    /// Their currency.
    pub currency: String,
    /// Totals per currency (one message covers one currency, so one entry).
    pub totals: Vec<CurrencyTotal>,
    /// Payment reference to quote: the invoice numbers.
    pub reference: String,
    /// Most days past due among the invoices.
    pub max_days_past_due: i64,
    /// The invoices' project, when known.
    pub project: Option<ProjectView>,
    /// Pay-by date of a demand letter.
    pub deadline: String,
    /// The stuck approval, for status reports.
    pub approval: Option<ApprovalView>,
    /// The overdue items, oldest due first (a subset of `invoices`).
    pub overdue_invoices: Vec<InvoiceView>,
    /// The items listed that are not overdue yet (falling due within the reminder window,
    /// or a milestone's invoices), earliest due first.
    pub upcoming_invoices: Vec<InvoiceView>,
    /// Credit notes deducted (their open amounts are negative).
    pub credit_notes: Vec<InvoiceView>,
    /// Cash on the customer's account deducted: `{date, amount}`.
    pub cash_credits: Vec<CashView>,
    /// The overdue balance before deductions.
    pub overdue_total: String,
    /// Open amount of `upcoming_invoices`.
    pub upcoming_total: String,
    /// Credit notes and cash on account, as a positive amount.
    pub deductions: String,
    /// `total` in Chinese capital numerals (人民币壹拾万元整), for formal letters.
    pub total_in_words: String,
    /// Messages sent to this account before about these items, oldest first: the only
    /// history a message may speak of. Empty on a first contact.
    pub earlier: Vec<EarlierView>,
    /// A promise to pay that was broken, or none.
    pub broken_promise: Option<PromiseView>,
    /// Milestone requests: the milestones the event makes due.
    pub milestones: Vec<MilestoneView>,
    /// Payments received and what each paid: the thank-you's subject, or acknowledged by
    /// a collection message to the same contact.
    pub payments: Vec<PaymentView>,
    /// The account's invoices held back and not in the total: `{invoice, why}` with `why`
    /// `disputed`, `promise_to_pay` or `critical_issues`.
    pub set_aside: Vec<SetAsideView>,
}

/// An invoice a message leaves out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SetAsideView {
    /// The invoice.
    pub invoice: InvoiceView,
    /// The hold: `disputed`, `promise_to_pay` or `critical_issues`.
    pub why: String,
}

/// Cash on account.
#[derive(Debug, Clone, Serialize)]
pub struct CashView {
    /// Received on.
    pub date: String,
    /// Amount.
    pub amount: String,
}

/// A message sent before.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierView {
    /// Its date.
    pub date: String,
    /// Its stage.
    pub stage: String,
}

/// A broken promise to pay.
#[derive(Debug, Clone, Serialize)]
pub struct PromiseView {
    /// When it was made, if known.
    pub made_on: Option<String>,
    /// The date promised.
    pub promised_by: String,
}

/// A contract milestone due with a go-live or acceptance.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    /// Name.
    pub name: String,
    /// Project.
    pub project: String,
    /// Amount.
    pub amount: String,
    /// Payment due date.
    pub due_date: String,
    /// Its invoice, or none when the invoice is still to be issued.
    pub invoice_no: Option<String>,
}

/// A payment thanked for.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    /// Received on.
    pub date: String,
    /// Amount received.
    pub amount: String,
    /// The payment's reference.
    pub reference: String,
    /// What it paid: `{invoice_no, applied, remaining, settled}`.
    pub invoices: Vec<PaidView>,
    /// The part left as credit on the customer's account, or none.
    pub credit: Option<String>,
}

/// What a payment did to one invoice.
#[derive(Debug, Clone, Serialize)]
pub struct PaidView {
    /// Invoice number.
    pub invoice_no: String,
    /// Applied.
    pub applied: String,
    /// Still open.
    pub remaining: String,
    /// Paid in full.
    pub settled: bool,
}

/// One customer line of a project manager's digest.
#[derive(Debug, Clone, Serialize)]
pub struct DigestCustomer {
    /// Customer name.
    pub customer: String,
    /// Currency code.
    pub currency: String,
    /// Open amount.
    pub open: String,
    /// Overdue amount.
    pub overdue: String,
    /// Number of open invoices.
    pub items: usize,
    /// Most days past due.
    pub max_days_past_due: i64,
}

/// One action in a digest.
#[derive(Debug, Clone, Serialize)]
pub struct DigestAction {
    /// Customer name.
    pub customer: String,
    /// `message`, `manual` or `hold`.
    pub kind: String,
    /// Stage id.
    pub stage: String,
    /// The kind in the digest's language (发送函件, Message).
    pub kind_name: String,
    /// The stage in the digest's language (逾期通知, Overdue notice).
    pub stage_name: String,
    /// Amount covered.
    pub amount: String,
    /// Currency code.
    pub currency: String,
    /// Why, in the digest's language.
    pub reason: String,
}

/// The context of a project manager's digest.
#[derive(Debug, Clone, Serialize)]
pub struct DigestContext {
    /// `zh` or `en`.
    pub lang: String,
    /// The as-of date.
    pub as_of: String,
    /// Our company.
    pub company: CompanyView,
    /// The project manager.
    pub manager: PersonView,
    /// Their customers' receivables.
    pub customers: Vec<DigestCustomer>,
    /// This run's actions for their customers.
    pub actions: Vec<DigestAction>,
}

/// The context of the management summary (`management_summary` templates).
#[derive(Debug, Clone, Serialize)]
pub struct ManagementContext {
    /// `zh` or `en` (the company's language).
    pub lang: String,
    /// The as-of date.
    pub as_of: String,
    /// First day of the period.
    pub period_from: String,
    /// `previous_run` or `rebuilt` (no earlier run).
    pub period_basis: String,
    /// Our company.
    pub company: CompanyView,
    /// The reader, from `[management]`.
    pub director: PersonView,
    /// The name of the workbook's Management sheet, in the workbook's language.
    pub sheet: String,
    /// Key figures per currency.
    pub currencies: Vec<ManagementCurrency>,
    /// The largest overdue balances.
    pub top_overdue: Vec<ManagementCustomer>,
    /// Amounts held back, by reason.
    pub held: Vec<ManagementHeld>,
    /// Payments waiting in the customers' approval.
    pub approvals: Vec<ManagementApproval>,
    /// Per project manager and currency.
    pub managers: Vec<ManagementManager>,
    /// The last runs, per currency, oldest first.
    pub trend: Vec<ManagementTrend>,
}

/// Key figures of one currency. Ratios are decimal text with one place, or none.
#[derive(Debug, Clone, Serialize)]
pub struct ManagementCurrency {
    /// Currency code.
    pub currency: String,
    /// Open AR.
    pub open: String,
    /// Overdue part.
    pub overdue: String,
    /// Overdue ÷ open, percent.
    pub overdue_share: Option<String>,
    /// Simple DSO, days.
    pub dso: Option<String>,
    /// Countback DSO, days.
    pub dso_countback: Option<String>,
    /// CEI, percent.
    pub cei: Option<String>,
    /// Open AR at the start of the period.
    pub beginning: String,
    /// Credit sales in the period.
    pub sales: String,
    /// Cash applied in the period.
    pub collected: String,
    /// Payments not applied.
    pub unapplied: String,
}

/// One of the largest overdue balances.
#[derive(Debug, Clone, Serialize)]
pub struct ManagementCustomer {
    /// Customer.
    pub customer: String,
    /// Currency code.
    pub currency: String,
    /// Overdue amount.
    pub overdue: String,
    /// Open amount.
    pub open: String,
    /// Days past due of the oldest overdue invoice.
    pub max_days: i64,
}

/// Amounts held back for one reason.
#[derive(Debug, Clone, Serialize)]
pub struct ManagementHeld {
    /// Stage id of the hold (`disputed`, `promise_to_pay`, …).
    pub reason: String,
    /// The reason in words, in the message's language.
    pub label: String,
    /// Currency code.
    pub currency: String,
    /// Customers.
    pub customers: usize,
    /// Invoices.
    pub invoices: usize,
    /// Amount.
    pub amount: String,
}

/// A payment waiting in a customer's approval.
#[derive(Debug, Clone, Serialize)]
pub struct ManagementApproval {
    /// Customer.
    pub customer: String,
    /// Whose approval.
    pub approver: String,
    /// The stage.
    pub stage: String,
    /// Since (`YYYY-MM-DD`).
    pub since: String,
    /// Days at that stage.
    pub days: i64,
    /// Past the rules' threshold.
    pub stuck: bool,
    /// Currency code.
    pub currency: String,
    /// Amount waiting.
    pub amount: String,
}

/// One project manager's figures in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct ManagementManager {
    /// The project manager.
    pub manager: String,
    /// Currency code.
    pub currency: String,
    /// Open invoices.
    pub items: usize,
    /// Open amount.
    pub open: String,
    /// Overdue amount.
    pub overdue: String,
    /// Collected in the period.
    pub collected: String,
}

/// One run of the trend in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct ManagementTrend {
    /// The run's as-of date.
    pub as_of: String,
    /// Currency code.
    pub currency: String,
    /// Open AR.
    pub open: String,
    /// Overdue.
    pub overdue: String,
    /// Simple DSO.
    pub dso: Option<String>,
    /// CEI.
    pub cei: Option<String>,
}
