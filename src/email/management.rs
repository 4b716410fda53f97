//! The management summary for the finance director: the Management sheet's figures as a
//! message under `internal/`.
use super::compose::{Inputs, OutboxEntry};
use super::context::{
    CompanyView, ManagementApproval, ManagementContext, ManagementCurrency, ManagementCustomer, ManagementHeld,
    ManagementManager, ManagementTrend, PersonView,
};
use super::message::{self, Envelope};
use super::render::Templates;
use crate::error::Result;
use crate::metrics::{Beginning, Metrics, NO_MANAGER, text};

/// The stage name in the outbox, and the template name.
pub const STAGE: &str = "management_summary";

/// The context of the summary.
#[must_use]
#[allow(clippy::too_many_lines)] // one field of the context after another, in the letter's order
pub fn context(metrics: &Metrics, inputs: &Inputs<'_>, company: CompanyView) -> ManagementContext {
    let m = metrics;
    let spec = &inputs.rules.management;
    let labels =
        crate::catalogue::Labels::of(crate::catalogue::Lang::parse(&inputs.rules.company.language).unwrap_or_default());
    ManagementContext {
        lang: inputs.rules.company.language.clone(),
        as_of: m.as_of.to_string(),
        period_from: (m.period_start + chrono::Duration::days(1)).to_string(),
        period_basis: match m.beginning {
            Beginning::PreviousRun => "previous_run".into(),
            Beginning::Rebuilt => "rebuilt".into(),
        },
        company,
        director: PersonView { name: spec.name.clone(), email: spec.email.clone(), title: None },
        sheet: inputs.rules.report_labels().sheet("management").to_owned(),
        currencies: m
            .currencies
            .iter()
            .map(|c| {
                let f = |minor: i64| c.currency.format(minor);
                ManagementCurrency {
                    currency: c.currency.code().to_owned(),
                    open: f(c.open),
                    overdue: f(c.overdue),
                    overdue_share: text(c.overdue_share),
                    dso: text(c.dso),
                    dso_countback: text(c.dso_countback),
                    cei: text(c.cei),
                    beginning: f(c.beginning),
                    sales: f(c.sales),
                    collected: f(c.collected),
                    unapplied: f(c.unapplied),
                }
            })
            .collect(),
        top_overdue: m
            .top_overdue
            .iter()
            .map(|t| ManagementCustomer {
                customer: t.customer.clone(),
                currency: t.currency.code().to_owned(),
                overdue: t.currency.format(t.overdue),
                open: t.currency.format(t.open),
                max_days: t.max_days,
            })
            .collect(),
        held: m
            .held
            .iter()
            .map(|h| ManagementHeld {
                reason: h.reason.clone(),
                label: reason_label(&h.reason, &inputs.rules.company.language),
                currency: h.currency.code().to_owned(),
                customers: h.customers,
                invoices: h.invoices,
                amount: h.currency.format(h.amount),
            })
            .collect(),
        approvals: m
            .approvals
            .iter()
            .map(|a| ManagementApproval {
                customer: a.customer.clone(),
                approver: a.approver.clone(),
                stage: a.stage.clone(),
                since: a.since.to_string(),
                days: a.days,
                stuck: a.stuck,
                currency: a.currency.code().to_owned(),
                amount: a.currency.format(a.amount),
            })
            .collect(),
        managers: m
            .managers
            .iter()
            .map(|p| ManagementManager {
                manager: if p.manager == NO_MANAGER {
                    labels.get("management.no_manager").to_owned()
                } else {
                    p.manager.clone()
                },
                currency: p.currency.code().to_owned(),
                items: p.items,
                open: p.currency.format(p.open),
                overdue: p.currency.format(p.overdue),
                collected: p.currency.format(p.collected),
            })
            .collect(),
        trend: m
            .trend
            .iter()
            .flat_map(|s| {
                s.currencies.iter().map(|(code, c)| ManagementTrend {
                    as_of: s.as_of.to_string(),
                    currency: code.clone(),
                    open: c.open.clone(),
                    overdue: c.overdue.clone(),
                    dso: c.dso.clone(),
                    cei: c.cei.clone(),
                })
            })
            .collect(),
    }
}

/// Renders and builds the summary, when `[management] email` is set: `(file, bytes,
/// outbox entry)`.
///
/// # Errors
/// Template errors and addresses lettre refuses.
pub fn compose(
    metrics: &Metrics,
    inputs: &Inputs<'_>,
    company: CompanyView,
    templates: &Templates,
) -> Result<Option<(String, Vec<u8>, OutboxEntry)>> {
    if inputs.rules.management.email.is_empty() {
        return Ok(None);
    }
    let sender = PersonView { name: company.name.clone(), email: company.email.clone(), title: None };
    let context = context(metrics, inputs, company);
    let rendered = templates.render(STAGE, &context.lang, &context)?;
    let to = [context.director.clone()];
    let envelope = Envelope { from: sender, to: &to, cc: &[] };
    let key = format!("{}|{STAGE}|{}", inputs.as_of, context.director.email);
    let file = format!("internal/000-{STAGE}.eml");
    let built = message::build(&envelope, &rendered, inputs.as_of, &key)
        .map_err(|e| e.about_message(&format!("{file} (management summary to {})", context.director.email)))?;
    let entry = OutboxEntry {
        file: file.clone(),
        to: context.director.email.clone(),
        cc: String::new(),
        subject: rendered.subject,
        customer: context.director.name.clone(),
        stage: STAGE.into(),
        amount: String::new(),
        currency: String::new(),
        message_id: built.message_id,
    };
    Ok(Some((file, built.bytes, entry)))
}

/// A hold's stage id in words (`zh` or `en`), from the workbook's catalogue.
fn reason_label(stage: &str, lang: &str) -> String {
    use crate::catalogue::{Labels, Lang};
    Labels::of(Lang::parse(lang).unwrap_or_default()).stage(stage).to_owned()
}
