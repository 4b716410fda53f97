//! The contracts' payment milestones and their conditions.
use chrono::NaiveDate;

use super::{Fields, Trigger};
use crate::normalize::reason::{Reason, num};
use crate::normalize::schema::header_key;
use crate::normalize::value::{self, ValueFormat};

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

/// Builds a [`Milestone`] from a row.
pub fn milestone(f: &Fields<'_>, format: ValueFormat) -> std::result::Result<Milestone, Vec<Reason>> {
    let mut problems = Vec::new();
    let project = f.required("project", &mut problems);
    let name = f.required("name", &mut problems);
    let decimal = |field: &str, problems: &mut Vec<Reason>| {
        let (header, cell) = f.cell(field)?;
        value::amount(cell, format).map_err(|reason| problems.push(Reason::colon(header, reason))).ok()
    };
    let amount = decimal("amount", &mut problems);
    let percent = f.text("percent").map(|p| p.trim_end_matches('%').to_owned()).and_then(|p| {
        let not = || Reason::new("percent_not_number", vec![("value", p.as_str().into())]);
        p.parse::<rust_decimal::Decimal>().map_err(|_| problems.push(not())).ok()
    });
    let contract_amount = decimal("contract_amount", &mut problems);
    if let Some(p) = percent.filter(|p| p.is_sign_negative() || *p > rust_decimal::Decimal::ONE_HUNDRED) {
        let header = f.cell("percent").map_or("percent", |(h, _)| h);
        problems.push(Reason::colon(header, Reason::new("not_percent", vec![("value", num(p))])));
    }
    // The amount due, computed here with checked arithmetic: percent × contract amount
    // overflowed (a panic) before.
    let max = rust_decimal::Decimal::from(crate::money::MAX_AMOUNT);
    let amount = match (amount, percent, contract_amount) {
        (Some(amount), _, _) => Some(amount),
        (None, Some(p), Some(contract)) => {
            let computed = p.checked_mul(contract).and_then(|a| a.checked_div(rust_decimal::Decimal::ONE_HUNDRED));
            if computed.is_none() {
                problems.push(Reason::new("percent_too_large", vec![("percent", num(p)), ("contract", num(contract))]));
            }
            computed
        }
        _ => {
            problems.push(Reason::new("milestone_no_amount", vec![]));
            None
        }
    };
    if let Some(a) = amount.filter(|a| a.abs() > max) {
        problems.push(Reason::new("milestone_too_large", vec![("amount", num(a)), ("max", num(max))]));
    }
    let trigger_text = f.required("trigger", &mut problems);
    let trigger = Trigger::parse(&trigger_text);
    if trigger.is_none() && !trigger_text.is_empty() {
        problems.push(Reason::new("bad_trigger", vec![("value", trigger_text.as_str().into())]));
    }
    let term_days = f.count("term_days", &mut problems);
    if i64::from(term_days) > crate::dates::MAX_TERM_DAYS {
        let header = f.cell("term_days").map_or("term_days", |(h, _)| h);
        let max = num(crate::dates::MAX_TERM_DAYS);
        problems
            .push(Reason::colon(header, Reason::new("term_too_long", vec![("days", num(term_days)), ("max", max)])));
    }
    let working_days = match f.text("term_basis").map(|b| header_key(&b)) {
        None => false,
        Some(b) if ["calendar", "calendardays", "自然日"].contains(&b.as_str()) => false,
        Some(b) if ["working", "workingdays", "workdays", "business", "工作日"].contains(&b.as_str()) => true,
        Some(b) => {
            problems.push(Reason::new("bad_term_basis", vec![("value", b.as_str().into())]));
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
