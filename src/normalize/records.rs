//! Inputs beyond invoices — contacts, projects and follow-ups — read with the same ingest
//! and header matching as invoices. Each table has a small schema of named fields; a row
//! that cannot be used is kept as a [`Rejected`] with its reasons.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Rejected;
use super::schema::header_key;
use super::value::{self, ValueFormat};
use crate::error::{Error, Location, Result};
use crate::ingest::{Cell, RawTable, SourceRef};

/// One field of a record table.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// Name in `--map TABLE.FIELD=HEADER` and `[input.TABLE.columns]`.
    pub name: &'static str,
    /// Whether a row is unusable without it.
    pub required: bool,
    /// Recognised headers, as [`header_key`]s.
    pub aliases: &'static [&'static str],
}

/// A kind of record table.
#[derive(Debug, Clone, Copy)]
pub struct TableKind {
    /// `contacts`, `projects` or `followups`.
    pub name: &'static str,
    /// Its fields.
    pub fields: &'static [FieldSpec],
}

const fn field(name: &'static str, required: bool, aliases: &'static [&'static str]) -> FieldSpec {
    FieldSpec { name, required, aliases }
}

const CUSTOMER: &[&str] = &["customer", "customername", "client", "clientname", "客户", "客户名称", "单位名称"];

/// Contacts at the customer: who receives which messages.
pub const CONTACTS: TableKind = TableKind {
    name: "contacts",
    fields: &[
        field("customer", true, CUSTOMER),
        field("name", true, &["name", "contact", "contactname", "联系人", "姓名"]),
        field("role", true, &["role", "角色", "职责"]),
        field("email", true, &["email", "mail", "emailaddress", "邮箱", "电子邮件", "电子邮箱"]),
        field("language", false, &["language", "lang", "语言"]),
        field("title", false, &["title", "salutation", "称呼"]),
    ],
};

/// Projects: our project manager and the events that open good moments or call for holds.
pub const PROJECTS: TableKind = TableKind {
    name: "projects",
    fields: &[
        field("project", true, &["project", "projectname", "项目", "项目名称"]),
        field("customer", true, CUSTOMER),
        field("project_manager", false, &["projectmanager", "pm", "项目经理"]),
        field("project_manager_name", false, &["projectmanagername", "pmname", "项目经理姓名"]),
        field("go_live_date", false, &["golivedate", "golive", "上线日期"]),
        field("acceptance_date", false, &["acceptancedate", "acceptance", "验收日期"]),
        field("open_critical_issues", false, &["opencriticalissues", "criticalissues", "未关闭严重问题", "严重问题"]),
        field("status_note", false, &["statusnote", "status", "状态", "项目状态"]),
    ],
};

/// Follow-up facts: disputes, promises to pay, where payment sits in the customer's process.
pub const FOLLOWUPS: TableKind = TableKind {
    name: "followups",
    fields: &[
        // Not required: a follow-up keyed by its invoice number alone takes the customer
        // from the invoice (issue 19).
        field("customer", false, CUSTOMER),
        field("invoice_no", false, &["invoiceno", "invoice", "invoicenumber", "发票号", "发票号码"]),
        field("disputed", false, &["disputed", "dispute", "争议", "有争议"]),
        field("promise_to_pay_date", false, &["promisetopaydate", "promisedate", "promisetopay", "承诺付款日期"]),
        field("process_stage", false, &["processstage", "stage", "审批阶段", "流程节点"]),
        field("stage_since", false, &["stagesince", "since", "阶段开始日期"]),
        field("approver", false, &["approver", "审批人"]),
        field("last_contact_date", false, &["lastcontactdate", "lastcontact", "contacted", "最近联系日期"]),
        field("note", false, &["note", "notes", "备注"]),
    ],
};

/// The contract's payment schedule: one row per milestone.
pub const MILESTONES: TableKind = TableKind {
    name: "milestones",
    fields: &[
        field("project", true, &["project", "projectname", "项目", "项目名称"]),
        field("name", true, &["name", "milestone", "里程碑", "付款节点"]),
        field("amount", false, &["amount", "milestoneamount", "金额", "付款金额"]),
        field("percent", false, &["percent", "percentage", "%", "比例", "付款比例"]),
        field("contract_amount", false, &["contractamount", "contractvalue", "合同金额"]),
        field("currency", false, &["currency", "币种"]),
        field("trigger", true, &["trigger", "condition", "付款条件", "触发条件"]),
        field("trigger_date", false, &["triggerdate", "eventdate", "触发日期"]),
        field("term_days", false, &["termdays", "term", "days", "付款期限", "期限天数"]),
        field("term_basis", false, &["termbasis", "basis", "期限类型"]),
        field("invoice_no", false, &["invoiceno", "invoice", "发票号", "发票号码"]),
    ],
};

/// Money received: a bank statement or cash-receipts export (a generic bank CSV, or a
/// Chinese bank export: 交易日期, 对方户名, 贷方金额, 摘要).
pub const PAYMENTS: TableKind = TableKind {
    name: "payments",
    fields: &[
        field(
            "payment_date",
            true,
            &["paymentdate", "date", "valuedate", "bookingdate", "transactiondate", "交易日期", "记账日期", "到账日期"],
        ),
        field(
            "payer",
            true,
            &["payer", "payername", "counterparty", "from", "remitter", "对方户名", "付款人", "付款单位", "对方名称"],
        ),
        field("amount", true, &["amount", "credit", "creditamount", "received", "贷方金额", "收入金额", "金额"]),
        field("currency", false, &["currency", "ccy", "币种"]),
        field(
            "reference",
            false,
            &["reference", "memo", "description", "remittanceinformation", "摘要", "用途", "附言", "备注"],
        ),
    ],
};

impl TableKind {
    /// Whether `text` is a recognised header of this table.
    #[must_use]
    pub fn knows(&self, text: &str) -> bool {
        let key = header_key(text);
        self.fields.iter().any(|f| f.aliases.contains(&key.as_str()))
    }

    /// Resolves each field's column: `mappings` (field → header) first, then the aliases.
    ///
    /// # Errors
    /// [`Error::BadMapping`] for an unknown field or absent header, [`Error::MissingColumn`]
    /// for a required field.
    pub fn resolve(
        &self,
        headers: &[String],
        mappings: &BTreeMap<String, String>,
        location: &Location,
    ) -> Result<Vec<Option<usize>>> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let quoted = || headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ");
        for name in mappings.keys() {
            if !self.fields.iter().any(|f| f.name == name) {
                let names: Vec<&str> = self.fields.iter().map(|f| f.name).collect();
                return Err(Error::BadMapping {
                    origin: format!("{}.{name}", self.name),
                    reason: format!("unknown field; the {} fields are: {}", self.name, names.join(", ")),
                });
            }
        }
        self.fields
            .iter()
            .map(|f| {
                if let Some(header) = mappings.get(f.name) {
                    let index = keys.iter().position(|k| *k == header_key(header));
                    return index.map(Some).ok_or_else(|| Error::BadMapping {
                        origin: format!("{}.{}={header}", self.name, f.name),
                        reason: format!("{location} has no column \"{header}\"; the headers are: {}", quoted()),
                    });
                }
                let found = f.aliases.iter().find_map(|a| keys.iter().position(|k| k == a));
                if found.is_none() && f.required {
                    return Err(Error::MissingColumn { location: location.clone(), field: f.name, headers: quoted() });
                }
                Ok(found)
            })
            .collect()
    }
}

/// Who a contact is for the collection ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Receives invoices and reminders (accounts payable).
    Billing,
    /// The customer's finance department.
    Finance,
    /// The executive who approves payments.
    Approver,
    /// The customer's project lead.
    Project,
}

impl Role {
    /// Reads a role written in English or Chinese.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let key = header_key(text);
        let is = |words: &[&str]| words.iter().any(|w| key == *w || key.contains(w));
        if is(&["approver", "approval", "executive", "generalmanager", "gm", "ceo", "审批", "总经理", "领导"]) {
            Some(Self::Approver)
        } else if is(&["finance", "cfo", "treasury", "财务"]) {
            Some(Self::Finance)
        } else if is(&["billing", "accountspayable", "ap", "invoice", "开票", "对账", "应付", "付款"]) {
            Some(Self::Billing)
        } else if is(&["project", "pm", "项目"]) {
            Some(Self::Project)
        } else {
            None
        }
    }

    /// The name used in rules files and outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Billing => "billing",
            Self::Finance => "finance",
            Self::Approver => "approver",
            Self::Project => "project",
        }
    }
}

/// A person at a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Customer name, as on the invoices.
    pub customer: String,
    /// The person's name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Email address.
    pub email: String,
    /// `zh` or `en`, when known.
    pub language: Option<String>,
    /// How the person is addressed, when given: `赵总`, `陈经理`, `Ms. Li` (issue 23).
    pub title: Option<String>,
}

/// One of our projects at a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Project name, as on the invoices.
    pub project: String,
    /// Customer name.
    pub customer: String,
    /// Our project manager (name or email).
    pub project_manager: Option<String>,
    /// The project manager's name, when `project_manager` is an address (issue 23).
    pub project_manager_name: Option<String>,
    /// When the system went live.
    pub go_live_date: Option<NaiveDate>,
    /// When the customer accepted the work.
    pub acceptance_date: Option<NaiveDate>,
    /// Open critical problems on the project.
    pub open_critical_issues: u32,
    /// A line on how the project stands.
    pub status_note: Option<String>,
}

/// What is known about collecting an invoice (or all of a customer's invoices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followup {
    /// Customer name; empty as read when the row names only the invoice, then taken from
    /// the invoice by [`super::references`] (empty after that only when no single invoice
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

/// One payment milestone of a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    /// Project name.
    pub project: String,
    /// Milestone name, e.g. "Final payment 30%".
    pub name: String,
    /// Amount due: given directly, or the percent of the contract amount.
    pub amount: Option<rust_decimal::Decimal>,
    /// Share of the contract amount, in percent.
    pub percent: Option<rust_decimal::Decimal>,
    /// The contract amount the percent applies to.
    pub contract_amount: Option<rust_decimal::Decimal>,
    /// Currency code, when given.
    pub currency: Option<String>,
    /// What starts the payment term.
    pub trigger: Trigger,
    /// When the trigger happened, when known from this row.
    pub trigger_date: Option<NaiveDate>,
    /// Payment term in days.
    pub term_days: u32,
    /// Whether the term counts working days.
    pub working_days: bool,
    /// The invoice issued for it, if any.
    pub invoice_no: Option<String>,
}

/// One payment received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// When it was received.
    pub payment_date: NaiveDate,
    /// Who paid, as the bank names them.
    pub payer: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: crate::money::Currency,
    /// Reference or memo text.
    pub reference: String,
    /// Row in the source.
    pub row: usize,
}

/// Builds a [`Payment`] from a row; `default_currency` when the row names none. Its date
/// and amount are held to `limits`, its currency to the codes in use (issue 21).
pub fn payment(
    f: &Fields<'_>,
    format: ValueFormat,
    default_currency: &crate::money::Currency,
    limits: &crate::ingest::Limits,
) -> std::result::Result<Payment, Vec<String>> {
    let row = f.row();
    let mut problems = Vec::new();
    let payment_date = f.date("payment_date", format, &mut problems);
    let payment_date = payment_date
        .and_then(|d| limits.check_date(d).map_err(|reason| problems.push(format!("payment_date: {reason}"))).ok());
    if payment_date.is_none() && problems.is_empty() {
        problems.push("payment_date is empty".into());
    }
    let payer = f.required("payer", &mut problems);
    let currency = match f.text("currency") {
        Some(text) => {
            crate::money::Currency::parse_known(&super::value::fold_full_width_text(&text)).unwrap_or_else(|| {
                problems.push(format!("currency \"{text}\" is not an ISO 4217 currency code in use"));
                default_currency.clone()
            })
        }
        None => default_currency.clone(),
    };
    let amount = if let Some((header, cell)) = f.cell("amount") {
        value::amount_in(cell, format, &currency).map_err(|r| problems.push(format!("{header}: {r}"))).ok()
    } else {
        problems.push("amount is empty".into());
        None
    };
    let amount_minor = amount.and_then(|a| {
        let checked = currency.to_minor(a).and_then(|m| limits.check_amount(m, currency.exponent()).map(|()| m));
        checked.map_err(|r| problems.push(format!("amount: {r}"))).ok()
    });
    if amount_minor.is_some_and(|m| m <= 0) {
        problems.push("amount must be a receipt above zero (refunds and debits are not payments received)".into());
    }
    match (payment_date, amount_minor) {
        (Some(payment_date), Some(amount_minor)) if problems.is_empty() => Ok(Payment {
            payment_date,
            payer,
            amount_minor,
            currency,
            reference: f.text("reference").unwrap_or_default(),
            row,
        }),
        _ => Err(problems),
    }
}

/// Rows of one record table after reading.
#[derive(Debug, Clone)]
pub struct Read<T> {
    /// Where they came from.
    pub source: SourceRef,
    /// Usable rows.
    pub rows: Vec<T>,
    /// The row number in the file of each usable row, in the order of `rows`.
    pub row_numbers: Vec<usize>,
    /// Unusable rows with reasons.
    pub rejected: Vec<Rejected>,
}

/// Reads `table` as `kind` into `T` with `build`, which gets the row's cells by field
/// (blank cells as `None`) and returns the reasons a row is unusable.
pub fn read<T>(
    table: &RawTable,
    kind: &TableKind,
    columns: &[Option<usize>],
    build: impl Fn(&Fields<'_>) -> std::result::Result<T, Vec<String>>,
) -> Read<T> {
    let mut rows = Vec::new();
    let mut row_numbers = Vec::new();
    let mut rejected = Vec::new();
    for row in &table.rows {
        let fields = Fields { kind, columns, cells: &row.cells, headers: &table.head.headers, row: row.number };
        match build(&fields) {
            Ok(value) => {
                rows.push(value);
                row_numbers.push(row.number);
            }
            // The row's cells go into Value as "Header: value" pairs: the Rejected sheet's
            // raw columns are the invoices' headers.
            Err(reasons) => rejected.push(Rejected {
                row: row.number,
                column: String::new(),
                value: row
                    .cells
                    .iter()
                    .zip(&table.head.headers)
                    .filter(|(c, _)| !c.is_blank())
                    .map(|(c, h)| format!("{h}: {}", c.to_text().trim()))
                    .collect::<Vec<_>>()
                    .join(" | "),
                reason: reasons.join("; "),
                raw: Vec::new(),
                open: None,
            }),
        }
    }
    Read { source: table.head.source.clone(), rows, row_numbers, rejected }
}

/// The cells of one record row, by field name.
pub struct Fields<'a> {
    kind: &'a TableKind,
    columns: &'a [Option<usize>],
    cells: &'a [Cell],
    headers: &'a [String],
    row: usize,
}

impl Fields<'_> {
    /// The row's number in its file.
    #[must_use]
    pub fn row(&self) -> usize {
        self.row
    }

    fn cell(&self, name: &str) -> Option<(&str, &Cell)> {
        let i = self.kind.fields.iter().position(|f| f.name == name)?;
        let column = self.columns.get(i).copied().flatten()?;
        let cell = self.cells.get(column)?;
        (!cell.is_blank()).then(|| (self.headers.get(column).map_or("", String::as_str), cell))
    }

    /// Trimmed text of a field; `None` when absent or blank.
    #[must_use]
    pub fn text(&self, name: &str) -> Option<String> {
        self.cell(name).and_then(|(_, c)| value::text(c))
    }

    /// Text of a required field, or the reason it is missing.
    pub fn required(&self, name: &str, problems: &mut Vec<String>) -> String {
        self.text(name).unwrap_or_else(|| {
            problems.push(format!("{name} is empty"));
            String::new()
        })
    }

    /// A date field; an unreadable date is a problem.
    pub fn date(&self, name: &str, format: ValueFormat, problems: &mut Vec<String>) -> Option<NaiveDate> {
        let (header, cell) = self.cell(name)?;
        value::date(cell, format).map_err(|reason| problems.push(format!("{header}: {reason}"))).ok()
    }

    /// A yes/no field (yes, no, true, false, 1, 0, y, n, x, 是, 否); blank is no.
    pub fn flag(&self, name: &str, problems: &mut Vec<String>) -> bool {
        let Some((header, cell)) = self.cell(name) else { return false };
        let text = cell.to_text().trim().to_lowercase();
        match text.as_str() {
            "yes" | "y" | "true" | "1" | "x" | "是" | "有" | "√" => true,
            "no" | "n" | "false" | "0" | "否" | "无" => false,
            _ => {
                problems.push(format!("{header}: \"{text}\" is not yes or no"));
                false
            }
        }
    }

    /// A whole number field; blank is 0.
    pub fn count(&self, name: &str, problems: &mut Vec<String>) -> u32 {
        let Some((header, cell)) = self.cell(name) else { return 0 };
        let text = cell.to_text();
        let parsed =
            text.trim().parse::<f64>().ok().filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n < f64::from(u32::MAX));
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        parsed.map_or_else(
            || {
                problems.push(format!("{header}: \"{}\" is not a whole number", text.trim()));
                0
            },
            |n| n as u32,
        )
    }
}

/// Builds a [`Contact`] from a row.
pub fn contact(f: &Fields<'_>) -> std::result::Result<Contact, Vec<String>> {
    let mut problems = Vec::new();
    let customer = f.required("customer", &mut problems);
    let name = f.required("name", &mut problems);
    let role_text = f.required("role", &mut problems);
    let role = Role::parse(&role_text);
    if role.is_none() && !role_text.is_empty() {
        problems.push(format!("role \"{role_text}\" is not billing, finance, approver or project"));
    }
    // The name goes into the To and Cc headers of messages: a control character there
    // stopped the whole run at the first message, naming no file or row (issue 21).
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        let header = f.cell("name").map_or("name", |(h, _)| h);
        problems.push(format!(
            "{header}: \"{}\" holds the control character U+{:04X}",
            name.escape_debug(),
            u32::from(c)
        ));
    }
    let email = f.required("email", &mut problems);
    if !email.is_empty() && !looks_like_email(&email) {
        problems.push(format!("email \"{}\" is not an email address", email.escape_debug()));
    }
    let language = f
        .text("language")
        .map(|l| if l.to_lowercase().starts_with("zh") || l.contains('中') { "zh".into() } else { "en".into() });
    match role {
        Some(role) if problems.is_empty() => {
            Ok(Contact { customer, name, role, email, language, title: f.text("title") })
        }
        _ => Err(problems),
    }
}

/// Builds a [`Project`] from a row.
pub fn project(f: &Fields<'_>, format: ValueFormat) -> std::result::Result<Project, Vec<String>> {
    let mut problems = Vec::new();
    let project = Project {
        project: f.required("project", &mut problems),
        customer: f.required("customer", &mut problems),
        project_manager: f.text("project_manager"),
        project_manager_name: f.text("project_manager_name"),
        go_live_date: f.date("go_live_date", format, &mut problems),
        acceptance_date: f.date("acceptance_date", format, &mut problems),
        open_critical_issues: f.count("open_critical_issues", &mut problems),
        status_note: f.text("status_note"),
    };
    if problems.is_empty() { Ok(project) } else { Err(problems) }
}

/// Builds a [`Followup`] from a row.
pub fn followup(f: &Fields<'_>, format: ValueFormat) -> std::result::Result<Followup, Vec<String>> {
    let mut problems = Vec::new();
    let customer = f.text("customer").unwrap_or_default();
    if customer.is_empty() && f.text("invoice_no").is_none() {
        problems.push("customer is empty (give the customer, or the invoice_no to take it from the invoice)".into());
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
        problems.push("process_stage is given without stage_since".into());
    }
    if problems.is_empty() { Ok(followup) } else { Err(problems) }
}

/// Builds a [`Milestone`] from a row.
pub fn milestone(f: &Fields<'_>, format: ValueFormat) -> std::result::Result<Milestone, Vec<String>> {
    let mut problems = Vec::new();
    let project = f.required("project", &mut problems);
    let name = f.required("name", &mut problems);
    let decimal = |field: &str, problems: &mut Vec<String>| {
        let (header, cell) = f.cell(field)?;
        value::amount(cell, format).map_err(|reason| problems.push(format!("{header}: {reason}"))).ok()
    };
    let amount = decimal("amount", &mut problems);
    let percent = f.text("percent").map(|p| p.trim_end_matches('%').to_owned()).and_then(|p| {
        p.parse::<rust_decimal::Decimal>().map_err(|_| problems.push(format!("percent \"{p}\" is not a number"))).ok()
    });
    let contract_amount = decimal("contract_amount", &mut problems);
    if let Some(p) = percent.filter(|p| p.is_sign_negative() || *p > rust_decimal::Decimal::ONE_HUNDRED) {
        let header = f.cell("percent").map_or("percent", |(h, _)| h);
        problems.push(format!("{header}: {p} is not between 0 and 100"));
    }
    // The amount due, computed here with checked arithmetic: percent × contract amount
    // overflowed (a panic) before (issue 21).
    let max = rust_decimal::Decimal::from(crate::money::MAX_AMOUNT);
    let amount = match (amount, percent, contract_amount) {
        (Some(amount), _, _) => Some(amount),
        (None, Some(p), Some(contract)) => {
            let computed = p.checked_mul(contract).and_then(|a| a.checked_div(rust_decimal::Decimal::ONE_HUNDRED));
            if computed.is_none() {
                problems.push(format!("{p}% of the contract_amount {contract} is too large to compute"));
            }
            computed
        }
        _ => {
            problems.push("give the amount, or the percent and the contract_amount".into());
            None
        }
    };
    if let Some(a) = amount.filter(|a| a.abs() > max) {
        problems.push(format!("the milestone amount {a} is more than {max}"));
    }
    let trigger_text = f.required("trigger", &mut problems);
    let trigger = Trigger::parse(&trigger_text);
    if trigger.is_none() && !trigger_text.is_empty() {
        problems.push(format!(
            "trigger \"{trigger_text}\" is not signing, date, delivery, trial_run, go_live or acceptance"
        ));
    }
    let term_days = f.count("term_days", &mut problems);
    if i64::from(term_days) > crate::dates::MAX_TERM_DAYS {
        let header = f.cell("term_days").map_or("term_days", |(h, _)| h);
        problems.push(format!("{header}: {term_days} is more than {} days (ten years)", crate::dates::MAX_TERM_DAYS));
    }
    let working_days = match f.text("term_basis").map(|b| header_key(&b)) {
        None => false,
        Some(b) if ["calendar", "calendardays", "自然日"].contains(&b.as_str()) => false,
        Some(b) if ["working", "workingdays", "workdays", "business", "工作日"].contains(&b.as_str()) => true,
        Some(b) => {
            problems.push(format!("term_basis \"{b}\" is not calendar or working"));
            false
        }
    };
    let milestone = Milestone {
        project,
        name,
        amount,
        percent,
        contract_amount,
        currency: f.text("currency"),
        trigger: trigger.unwrap_or(Trigger::Date),
        trigger_date: f.date("trigger_date", format, &mut problems),
        term_days,
        working_days,
        invoice_no: f.text("invoice_no"),
    };
    if problems.is_empty() { Ok(milestone) } else { Err(problems) }
}

/// A plain check: one `@` with text on both sides and a dot in the domain, no spaces or
/// line breaks (addresses end up in mail headers).
#[must_use]
pub fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.contains(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_in_english_and_chinese() {
        assert_eq!(Role::parse("Billing"), Some(Role::Billing));
        assert_eq!(Role::parse("Accounts Payable"), Some(Role::Billing));
        assert_eq!(Role::parse("财务"), Some(Role::Finance));
        assert_eq!(Role::parse("审批人"), Some(Role::Approver));
        assert_eq!(Role::parse("General Manager"), Some(Role::Approver));
        assert_eq!(Role::parse("项目负责人"), Some(Role::Project));
        assert_eq!(Role::parse("driver"), None);
    }

    #[test]
    fn email_check() {
        assert!(looks_like_email("li.wei@example.com"));
        for bad in ["li.wei", "a@b", "a b@c.com", "a@b.com\r\nBcc: x@y.com", "<a@b.com>", "a@@b.com"] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
