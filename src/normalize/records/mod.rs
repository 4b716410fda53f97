//! Inputs beyond invoices — contacts, projects, follow-ups, milestones and payments —
//! read with the same ingest and header matching as invoices. Each table has a small
//! schema of named fields ([`TableKind`]), read here into [`Fields`]; each table's own
//! module makes its record from them. A row that cannot be used is kept as a [`Rejected`]
//! with its reasons.
use std::collections::BTreeMap;

use chrono::NaiveDate;

mod contact;
mod followup;
mod milestone;
mod payment;
mod project;

pub use contact::{Contact, Role, contact, looks_like_email};
pub use followup::{Followup, Trigger, followup};
pub use milestone::{Milestone, milestone};
pub use payment::{Payment, payment};
pub use project::{Project, project};

use super::Rejected;
use super::reason::{Arg, Reason};
use super::schema::header_key;
use super::table::Table;
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
    /// Which table.
    pub table: Table,
    /// Its fields.
    pub fields: &'static [FieldSpec],
}

const fn field(name: &'static str, required: bool, aliases: &'static [&'static str]) -> FieldSpec {
    FieldSpec { name, required, aliases }
}

const CUSTOMER: &[&str] = &["customer", "customername", "client", "clientname", "客户", "客户名称", "单位名称"];

/// Contacts at the customer: who receives which messages.
pub const CONTACTS: TableKind = TableKind {
    table: Table::Contacts,
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
    table: Table::Projects,
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
    table: Table::Followups,
    fields: &[
        // Not required: a follow-up keyed by its invoice number alone takes the customer
        // from the invoice.
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
    table: Table::Milestones,
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
    table: Table::Payments,
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
                    origin: format!("{}.{name}", self.table.name()),
                    reason: format!("unknown field; the {} fields are: {}", self.table.name(), names.join(", ")),
                });
            }
        }
        self.fields
            .iter()
            .map(|f| {
                if let Some(header) = mappings.get(f.name) {
                    let index = keys.iter().position(|k| *k == header_key(header));
                    return index.map(Some).ok_or_else(|| Error::BadMapping {
                        origin: format!("{}.{}={header}", self.table.name(), f.name),
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
    build: impl Fn(&Fields<'_>) -> std::result::Result<T, Vec<Reason>>,
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
                reason: Reason::join(reasons, "semicolon"),
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
    pub fn required(&self, name: &'static str, problems: &mut Vec<Reason>) -> String {
        self.text(name).unwrap_or_else(|| {
            problems.push(Reason::new("field_empty", vec![("field", Arg::Field(name))]));
            String::new()
        })
    }

    /// A date field; an unreadable date is a problem.
    pub fn date(&self, name: &str, format: ValueFormat, problems: &mut Vec<Reason>) -> Option<NaiveDate> {
        let (header, cell) = self.cell(name)?;
        value::date(cell, format).map_err(|reason| problems.push(Reason::colon(header, reason))).ok()
    }

    /// A yes/no field (yes, no, true, false, 1, 0, y, n, x, 是, 否); blank is no.
    pub fn flag(&self, name: &str, problems: &mut Vec<Reason>) -> bool {
        let Some((header, cell)) = self.cell(name) else { return false };
        let text = cell.to_text().trim().to_lowercase();
        match text.as_str() {
            "yes" | "y" | "true" | "1" | "x" | "是" | "有" | "√" => true,
            "no" | "n" | "false" | "0" | "否" | "无" => false,
            _ => {
                problems.push(Reason::colon(header, Reason::new("not_yes_no", vec![("value", text.as_str().into())])));
                false
            }
        }
    }

    /// A whole number field; blank is 0.
    pub fn count(&self, name: &str, problems: &mut Vec<Reason>) -> u32 {
        let Some((header, cell)) = self.cell(name) else { return 0 };
        let text = cell.to_text();
        let parsed =
            text.trim().parse::<f64>().ok().filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n < f64::from(u32::MAX));
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        parsed.map_or_else(
            || {
                let not = Reason::new("not_whole_number", vec![("value", text.trim().into())]);
                problems.push(Reason::colon(header, not));
                0
            },
            |n| n as u32,
        )
    }
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
