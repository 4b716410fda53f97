//! Contacts at the customers: who is billed, who approves, in which language.

use super::Fields;
use crate::normalize::reason::{Reason, num};
use crate::normalize::schema::header_key;

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
    /// How the person is addressed, when given: `赵总`, `陈经理`, `Ms. Li`.
    pub title: Option<String>,
}

/// Builds a [`Contact`] from a row.
pub fn contact(f: &Fields<'_>) -> std::result::Result<Contact, Vec<Reason>> {
    let mut problems = Vec::new();
    let customer = f.required("customer", &mut problems);
    let name = f.required("name", &mut problems);
    let role_text = f.required("role", &mut problems);
    let role = Role::parse(&role_text);
    if role.is_none() && !role_text.is_empty() {
        problems.push(Reason::new("bad_role", vec![("value", role_text.as_str().into())]));
    }
    // The name goes into the To and Cc headers of messages: a control character there
    // stopped the whole run at the first message, naming no file or row.
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        let header = f.cell("name").map_or("name", |(h, _)| h);
        let value = name.escape_debug().to_string().into();
        let control =
            Reason::new("control_char", vec![("value", value), ("code", num(format!("{:04X}", u32::from(c))))]);
        problems.push(Reason::colon(header, control));
    }
    let email = f.required("email", &mut problems);
    if !email.is_empty() && !looks_like_email(&email) {
        problems.push(Reason::new("bad_email", vec![("value", email.escape_debug().to_string().into())]));
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
