//! From decisions to messages: the context of each `message` action and of each project
//! manager's digest, rendered and built into `.eml` files, with the outbox listing them.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Duration, NaiveDate};

use super::context::{
    ApprovalView, CashView, CompanyView, CurrencyTotal, DigestAction, DigestContext, DigestCustomer, EarlierView,
    InvoiceView, MessageContext, MilestoneView, PaidView, PaymentView, PersonView, ProjectView, PromiseView,
    SetAsideView,
};
use super::message::{self, Envelope};
use super::render::Templates;
use crate::config::rules_file::RulesSpec;
use crate::error::Result;
use crate::ledger::Records;
use crate::normalize::invoice_index::InvoiceIndex;
use crate::normalize::records::{Contact, Followup, Project};
use crate::rules::action::{Action, ActionKind, Hold};
use crate::rules::engine::{OpenItem, OpenItems};

/// The outbox file name inside `--out`.
pub const OUTBOX: &str = "outbox.csv";

/// One message written, as listed in `outbox.csv`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutboxEntry {
    /// Path inside the output folder, e.g. `emails/001-overdue_notice-ACME.eml`.
    pub file: String,
    /// Recipients, `; `-separated.
    pub to: String,
    /// Copies, `; `-separated.
    pub cc: String,
    /// Subject line.
    pub subject: String,
    /// Customer (or the project manager for digests).
    pub customer: String,
    /// Stage id (`pm_digest` for digests).
    pub stage: String,
    /// Amount covered.
    pub amount: String,
    /// Currency code.
    pub currency: String,
    /// The message's Message-ID.
    pub message_id: String,
}

/// The messages of a run (their files are handed to the caller one by one as they are
/// built, so that a run's emails are never all in memory at once).
#[derive(Debug, Clone, Default)]
pub struct Composed {
    /// One entry per file.
    pub outbox: Vec<OutboxEntry>,
}

/// What composing needs besides the decisions.
pub struct Inputs<'a> {
    /// The open items the actions cover.
    pub items: &'a OpenItems<'a>,
    /// Invoices paid in this run, for thank-you messages.
    pub paid: &'a [OpenItem<'a>],
    /// Contacts, projects, follow-ups.
    pub records: &'a Records,
    /// The rules (company, bank, collection).
    pub rules: &'a RulesSpec,
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The management metrics (for the management summary).
    pub metrics: &'a crate::metrics::Metrics,
}

/// Renders and builds every customer message and every digest, and hands each file to
/// `save` with its path inside the output folder (e.g. `emails/001-….eml`).
///
/// # Errors
/// Template errors, addresses lettre refuses, and what `save` returns.
pub fn compose(
    actions: &[Action],
    inputs: &Inputs<'_>,
    templates: &Templates,
    save: &mut dyn FnMut(&str, &[u8]) -> Result<()>,
) -> Result<Composed> {
    let mut composed = Composed::default();
    let company = company(inputs.rules);
    let mut index = Index::new(inputs);
    // The invoices each account holds back, so that its message says what it leaves out.
    for a in actions.iter().filter(|a| a.kind == ActionKind::Hold && Hold::SET_ASIDE.iter().any(|h| h.id() == a.stage))
    {
        let list = index.held.entry((a.customer.clone(), a.currency.clone())).or_default();
        list.extend(a.invoice_nos.iter().map(|n| (n.clone(), a.stage.clone())));
    }
    let messages = actions.iter().filter(|a| a.kind == ActionKind::Message);
    for (n, action) in messages.enumerate() {
        let context = message_context(action, inputs, &index, &company);
        let template = action.template.as_deref().unwrap_or(action.stage.as_str());
        let rendered = templates.render(template, &context.lang, &context)?;
        // From names the company in the message's language.
        let sender =
            PersonView { name: context.company.name.clone(), email: context.company.email.clone(), title: None };
        let envelope = Envelope { from: sender, to: &context.to, cc: &context.cc };
        let key = format!(
            "{}|{}|{}|{}|{}",
            inputs.as_of,
            action.customer,
            action.currency,
            action.stage,
            action.invoice_nos.join(",")
        );
        let file = format!("emails/{:03}-{}-{}.eml", n + 1, action.stage, safe_name(&action.customer));
        let built = message::build(&envelope, &rendered, inputs.as_of, &key).map_err(|e| {
            e.about_message(&format!(
                "{file} ({} to {}, invoices {})",
                action.stage,
                action.customer,
                action.invoice_nos.join(", ")
            ))
        })?;
        composed.outbox.push(OutboxEntry {
            file: file.clone(),
            to: action.to.join("; "),
            cc: action.cc.join("; "),
            subject: rendered.subject,
            customer: action.customer.clone(),
            stage: action.stage.clone(),
            amount: action.amount.clone(),
            currency: action.currency.clone(),
            message_id: built.message_id,
        });
        save(&file, &built.bytes)?;
    }
    for (n, context) in digests(actions, inputs, &company).into_iter().enumerate() {
        let rendered = templates.render("pm_digest", &context.lang, &context)?;
        let to = [context.manager.clone()];
        let envelope = Envelope {
            from: PersonView { name: company.name.clone(), email: company.email.clone(), title: None },
            to: &to,
            cc: &[],
        };
        let key = format!("{}|digest|{}", inputs.as_of, context.manager.email);
        let file = format!("internal/{:03}-pm_digest-{}.eml", n + 1, safe_name(&context.manager.name));
        let built = message::build(&envelope, &rendered, inputs.as_of, &key)
            .map_err(|e| e.about_message(&format!("{file} (digest to {})", context.manager.email)))?;
        composed.outbox.push(OutboxEntry {
            file: file.clone(),
            to: context.manager.email.clone(),
            cc: String::new(),
            subject: rendered.subject,
            customer: context.manager.name.clone(),
            stage: "pm_digest".into(),
            amount: String::new(),
            currency: String::new(),
            message_id: built.message_id,
        });
        save(&file, &built.bytes)?;
    }
    if let Some((file, bytes, entry)) = super::management::compose(inputs.metrics, inputs, company, templates)? {
        composed.outbox.push(entry);
        save(&file, &bytes)?;
    }
    Ok(composed)
}

/// The company as the company's own language shows it; each message switches it to its
/// language.
fn company(rules: &RulesSpec) -> CompanyView {
    CompanyView::new(&rules.company, &rules.company.language)
}

/// The inputs indexed once per run: each message looks its invoices, contacts and project
/// up instead of scanning every open item and contact (quadratic: hours at a million
/// invoices). Where a list holds a key twice, the first entry wins, as a search would.
struct Index<'a> {
    /// Open items by (customer, invoice number).
    items: ItemIndex<'a>,
    /// Invoices paid in this run by (customer, invoice number).
    paid: ItemIndex<'a>,
    /// Contacts by email address in ASCII lower case.
    contacts: HashMap<String, &'a Contact>,
    /// Project managers' email addresses as the projects file writes them, with their
    /// names when the projects file gives them (`project_manager_name`).
    managers: HashMap<&'a str, Option<&'a str>>,
    /// Projects by (project, customer).
    projects: HashMap<(&'a str, &'a str), &'a Project>,
    /// Follow-ups per customer, in file order.
    followups: HashMap<&'a str, Vec<&'a Followup>>,
    /// Invoices held per (customer, currency code), with the hold's stage.
    held: HashMap<(String, String), Vec<(String, String)>>,
}

impl<'a> Index<'a> {
    fn new(inputs: &Inputs<'a>) -> Self {
        let records = inputs.records;
        let mut contacts = HashMap::new();
        for c in &records.contacts {
            contacts.entry(c.email.to_ascii_lowercase()).or_insert(c);
        }
        let mut projects = HashMap::new();
        for p in &records.projects {
            projects.entry((p.project.as_str(), p.customer.as_str())).or_insert(p);
        }
        let mut managers = HashMap::new();
        for p in &records.projects {
            if let Some(pm) = p.project_manager.as_deref() {
                let name = managers.entry(pm).or_insert(None);
                if name.is_none() {
                    *name = p.project_manager_name.as_deref();
                }
            }
        }
        let mut followups: HashMap<&str, Vec<&Followup>> = HashMap::new();
        for f in &records.followups {
            followups.entry(f.customer.as_str()).or_default().push(f);
        }
        Index {
            items: ItemIndex::new(Pool::Open(inputs.items)),
            paid: ItemIndex::new(Pool::Paid(inputs.paid)),
            contacts,
            managers,
            projects,
            followups,
            held: HashMap::new(),
        }
    }

    fn contact(&self, email: &str) -> Option<&'a Contact> {
        self.contacts.get(&email.to_ascii_lowercase()).copied()
    }
}

/// Where a message's items are found: the open items, or the invoices paid in this run.
#[derive(Clone, Copy)]
enum Pool<'a> {
    Open(&'a OpenItems<'a>),
    Paid(&'a [OpenItem<'a>]),
}

impl<'a> Pool<'a> {
    fn len(self) -> usize {
        match self {
            Pool::Open(items) => items.len(),
            Pool::Paid(items) => items.len(),
        }
    }

    fn key(self, i: usize) -> (&'a str, &'a str) {
        match self {
            Pool::Open(items) => items.key(i),
            Pool::Paid(items) => (items[i].customer, items[i].invoice_no),
        }
    }

    fn get(self, i: usize) -> OpenItem<'a> {
        match self {
            Pool::Open(items) => items.get(i),
            Pool::Paid(items) => items[i],
        }
    }
}

/// Items by (customer, invoice number), the first of equal keys winning.
struct ItemIndex<'a> {
    pool: Pool<'a>,
    table: InvoiceIndex,
}

impl<'a> ItemIndex<'a> {
    fn new(pool: Pool<'a>) -> Self {
        ItemIndex { pool, table: InvoiceIndex::new(pool.len(), |i| pool.key(i)) }
    }

    /// The first item of `customer` numbered `invoice_no`.
    fn get(&self, (customer, invoice_no): (&str, &str)) -> Option<OpenItem<'a>> {
        let pool = self.pool;
        self.table.get((customer, invoice_no), |i| pool.key(i)).map(|i| pool.get(i))
    }
}

/// The greeting of a message to `first` in `lang`, in that language's form: "赵总，您好" /
/// "Dear Ms. Li," from the contact's title, else the name; never an address.
fn greeting(first: Option<&PersonView>, lang: &str) -> String {
    let known = first.filter(|p| p.name != p.email && !p.name.contains('@'));
    let form = known.map(|p| p.title.clone().unwrap_or_else(|| p.name.clone()));
    match (lang, form) {
        ("zh", Some(form)) => format!("{form}，您好"),
        ("zh", None) => "您好".to_owned(),
        (_, Some(form)) => format!("Dear {form},"),
        (_, None) => "Dear Accounts Payable team,".to_owned(),
    }
}

/// A contact's name, or the address when the contacts file does not know it.
fn person(email: &str, index: &Index<'_>) -> PersonView {
    let contact = index.contact(email);
    let name = contact.map_or_else(
        || match index.managers.get(email) {
            Some(Some(name)) => (*name).to_owned(),
            Some(None) => local_name(email),
            None => email.to_owned(),
        },
        |c| c.name.clone(),
    );
    PersonView { name, email: email.to_owned(), title: contact.and_then(|c| c.title.clone()) }
}

/// `zhang.wei@ours.example` → `zhang.wei`.
fn local_name(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_owned()
}

fn message_context(action: &Action, inputs: &Inputs<'_>, index: &Index<'_>, company: &CompanyView) -> MessageContext {
    let pool = if action.stage == crate::rules::thanks::STAGE { &index.paid } else { &index.items };
    let items: Vec<OpenItem<'_>> = action.invoice_nos.iter().filter_map(|n| pool.get((&action.customer, n))).collect();
    let to: Vec<PersonView> = action.to.iter().map(|e| person(e, index)).collect();
    let cc: Vec<PersonView> = action.cc.iter().map(|e| person(e, index)).collect();
    let first = action.to.first().map(String::as_str).unwrap_or_default();
    let lang =
        index.contact(first).and_then(|c| c.language.clone()).unwrap_or_else(|| inputs.rules.company.language.clone());
    let project = items.iter().find_map(|i| i.project).and_then(|name| {
        let p = index.projects.get(&(name, action.customer.as_str()))?;
        Some(ProjectView {
            name: p.project.clone(),
            // A go-live or acceptance after the as-of date has not happened yet as of that
            // date: a letter never says "live since" a day still to come.
            go_live_date: p.go_live_date.filter(|d| *d <= inputs.as_of).map(|d| d.to_string()),
            acceptance_date: p.acceptance_date.filter(|d| *d <= inputs.as_of).map(|d| d.to_string()),
            status_note: p.status_note.clone(),
            project_manager: p.project_manager.clone(),
            project_manager_display: p.project_manager.as_ref().map(|pm| match &p.project_manager_name {
                Some(name) => format!("{name} <{pm}>"),
                None => pm.clone(),
            }),
        })
    });
    let approval = index.followups.get(action.customer.as_str()).into_iter().flatten().find_map(|f| {
        let since = f.stage_since?;
        Some(ApprovalView {
            process_stage: f.process_stage.clone()?,
            since: since.to_string(),
            days: (inputs.as_of - since).num_days(),
            approver: f.approver.clone().unwrap_or_default(),
        })
    });
    let currency = crate::money::Currency::parse(&action.currency);
    let format = |minor: i64| currency.as_ref().map_or_else(|| minor.to_string(), |c| c.format(minor));
    // Credit notes are never overdue; what is overdue is what is owed past its due date.
    let overdue: Vec<&OpenItem<'_>> = items.iter().filter(|i| i.open_minor > 0 && i.days_past_due > 0).collect();
    let upcoming: Vec<&OpenItem<'_>> = items.iter().filter(|i| i.open_minor > 0 && i.days_past_due <= 0).collect();
    let credit_notes: Vec<&OpenItem<'_>> = items.iter().filter(|i| i.open_minor < 0).collect();
    let sum = |list: &[&OpenItem<'_>]| list.iter().fold(0i64, |s, i| s.saturating_add(i.open_minor));
    let cash: i64 = action
        .credits
        .iter()
        .filter_map(|c| currency.as_ref().and_then(|cur| cur.to_minor(c.amount.parse().ok()?).ok()))
        .fold(0, i64::saturating_add);
    let deductions = sum(&credit_notes).saturating_neg().saturating_add(cash);
    let total_minor = currency.as_ref().and_then(|c| c.to_minor(action.amount.parse().ok()?).ok()).unwrap_or(0);
    // The invoices the total pays: the overdue ones (a milestone request asks for the
    // items falling due too; with nothing overdue, the items falling due).
    let reference: Vec<&str> = if action.stage == crate::rules::thanks::STAGE {
        action.invoice_nos.iter().map(String::as_str).collect()
    } else if action.stage == "milestone_request" || overdue.is_empty() {
        overdue.iter().chain(&upcoming).map(|i| i.invoice_no).collect()
    } else {
        overdue.iter().map(|i| i.invoice_no).collect()
    };
    MessageContext {
        company: company.in_language(&lang),
        greeting: greeting(to.first(), &lang),
        lang,
        as_of: inputs.as_of.to_string(),
        stage: action.stage.clone(),
        reason: action.reason.clone(),
        customer: action.customer.clone(),
        contact: to.first().cloned().unwrap_or(PersonView {
            name: action.customer.clone(),
            email: String::new(),
            title: None,
        }),
        to,
        cc,
        invoices: items.iter().map(invoice_view).collect(),
        total: action.amount.clone(),
        currency: action.currency.clone(),
        totals: vec![CurrencyTotal { currency: action.currency.clone(), amount: action.amount.clone() }],
        reference: reference.join(", "),
        // The true oldest: overdue items only (a credit note's days are no debt's age).
        max_days_past_due: overdue.iter().map(|i| i.days_past_due).max().unwrap_or(0),
        project,
        deadline: (inputs.as_of + Duration::days(inputs.rules.collection.demand_deadline_days)).to_string(),
        approval,
        overdue_invoices: overdue.iter().map(|i| invoice_view(i)).collect(),
        upcoming_invoices: upcoming.iter().map(|i| invoice_view(i)).collect(),
        credit_notes: credit_notes.iter().map(|i| invoice_view(i)).collect(),
        cash_credits: action
            .credits
            .iter()
            .map(|c| CashView { date: c.date.to_string(), amount: c.amount.clone() })
            .collect(),
        overdue_total: format(sum(&overdue)),
        upcoming_total: format(sum(&upcoming)),
        deductions: format(deductions),
        total_in_words: currency.as_ref().map(|c| super::words::capital(total_minor, c)).unwrap_or_default(),
        earlier: action
            .earlier
            .iter()
            .map(|e| EarlierView { date: e.date.to_string(), stage: e.stage.clone() })
            .collect(),
        broken_promise: action
            .broken_promise
            .as_ref()
            .map(|b| PromiseView { made_on: b.made_on.map(|d| d.to_string()), promised_by: b.promised_by.to_string() }),
        milestones: milestone_views(action),
        payments: payment_views(action),
        set_aside: set_aside(action, index),
    }
}

/// The account's invoices held back (disputed, promised, waiting for fixes), which a
/// message about the rest of the account names as not included.
fn set_aside(action: &Action, index: &Index<'_>) -> Vec<SetAsideView> {
    if action.stage == crate::rules::thanks::STAGE {
        return Vec::new();
    }
    let key = (action.customer.clone(), action.currency.clone());
    index
        .held
        .get(&key)
        .into_iter()
        .flatten()
        .filter_map(|(no, why)| {
            let item = index.items.get((&action.customer, no))?;
            Some(SetAsideView { invoice: invoice_view(&item), why: why.clone() })
        })
        .collect()
}

/// The milestones a milestone request names.
fn milestone_views(action: &Action) -> Vec<MilestoneView> {
    action
        .milestones
        .iter()
        .map(|m| MilestoneView {
            name: m.name.clone(),
            project: m.project.clone(),
            amount: m.amount.clone(),
            due_date: m.due_date.to_string(),
            invoice_no: m.invoice_no.clone(),
        })
        .collect()
}

/// The payments a thank-you confirms.
fn payment_views(action: &Action) -> Vec<PaymentView> {
    action
        .payments
        .iter()
        .map(|p| PaymentView {
            date: p.date.to_string(),
            amount: p.amount.clone(),
            reference: p.reference.clone(),
            invoices: p
                .invoices
                .iter()
                .map(|i| PaidView {
                    invoice_no: i.invoice_no.clone(),
                    applied: i.applied.clone(),
                    remaining: i.remaining.clone(),
                    settled: i.settled,
                })
                .collect(),
            credit: p.credit.clone(),
        })
        .collect()
}

fn invoice_view(i: &OpenItem<'_>) -> InvoiceView {
    InvoiceView {
        invoice_no: i.invoice_no.to_owned(),
        invoice_date: i.invoice_date.to_string(),
        due_date: i.due_date.to_string(),
        amount: i.currency.format(i.amount_minor),
        open_amount: i.currency.format(i.open_minor),
        currency: i.currency.code().to_owned(),
        days_past_due: i.days_past_due,
        project: i.project.map(str::to_owned),
        contract_no: i.contract_no.map(str::to_owned),
    }
}

/// A digest's lines per (customer, currency code): open, overdue, items, most days past due.
type DigestLines<'a> = BTreeMap<(&'a str, &'a str), (i64, i64, usize, i64)>;

/// One digest per project manager named by email in the projects file.
fn digests(actions: &[Action], inputs: &Inputs<'_>, company: &CompanyView) -> Vec<DigestContext> {
    // Managers in email order; per customer, the managers (by position) it belongs to.
    let mut managers: BTreeSet<&str> = BTreeSet::new();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for p in &inputs.records.projects {
        if let Some(pm) = p.project_manager.as_deref().filter(|e| crate::normalize::records::looks_like_email(e)) {
            managers.insert(pm);
            pairs.push((p.customer.as_str(), pm));
        }
    }
    let position: HashMap<&str, usize> = managers.iter().enumerate().map(|(i, pm)| (*pm, i)).collect();
    let mut of_customer: HashMap<&str, Vec<usize>> = HashMap::new();
    for (customer, pm) in pairs {
        let list = of_customer.entry(customer).or_default();
        if !list.contains(&position[pm]) {
            list.push(position[pm]);
        }
    }
    let mut lines: Vec<DigestLines<'_>> = vec![BTreeMap::new(); managers.len()];
    for item in inputs.items.iter() {
        for &m in of_customer.get(item.customer).into_iter().flatten() {
            let line = lines[m].entry((item.customer, item.currency.code())).or_default();
            line.0 += item.open_minor;
            // Credit notes are never overdue.
            if item.days_past_due > 0 && item.open_minor > 0 {
                line.1 += item.open_minor;
                line.3 = line.3.max(item.days_past_due);
            }
            line.2 += 1;
        }
    }
    let mut digest_actions: Vec<Vec<DigestAction>> = vec![Vec::new(); managers.len()];
    // The digest's words: the company's language.
    let labels =
        crate::catalogue::Labels::of(crate::catalogue::Lang::parse(&inputs.rules.company.language).unwrap_or_default());
    for a in actions {
        for &m in of_customer.get(a.customer.as_str()).into_iter().flatten() {
            digest_actions[m].push(DigestAction {
                customer: a.customer.clone(),
                kind: a.kind.as_str().to_owned(),
                stage: a.stage.clone(),
                kind_name: labels.get(&format!("kind.{}", a.kind.as_str())).to_owned(),
                stage_name: labels.stage(&a.stage).to_owned(),
                amount: a.amount.clone(),
                currency: a.currency.clone(),
                reason: a.reason_in(labels),
            });
        }
    }
    managers
        .into_iter()
        .zip(lines.into_iter().zip(digest_actions))
        .map(|(email, (lines, actions_view))| {
            let customers_view = lines
                .into_iter()
                .filter_map(|((customer, code), (open, overdue, items, days))| {
                    let currency = crate::money::Currency::parse(code)?;
                    Some(DigestCustomer {
                        customer: customer.to_owned(),
                        currency: code.to_owned(),
                        open: currency.format(open),
                        overdue: currency.format(overdue),
                        items,
                        max_days_past_due: days,
                    })
                })
                .collect();
            DigestContext {
                lang: inputs.rules.company.language.clone(),
                as_of: inputs.as_of.to_string(),
                company: company.clone(),
                manager: PersonView {
                    // The name the projects file gives, else the address's local part.
                    name: inputs
                        .records
                        .projects
                        .iter()
                        .filter(|p| p.project_manager.as_deref() == Some(email))
                        .find_map(|p| p.project_manager_name.clone())
                        .unwrap_or_else(|| local_name(email)),
                    email: email.to_owned(),
                    title: None,
                },
                customers: customers_view,
                actions: actions_view,
            }
        })
        .collect()
}

/// A file-name part from a customer or person name: letters and digits of any script
/// kept, everything else (`/`, `..`, spaces, control characters) turned into `-`, at most
/// 40 characters; never empty.
#[must_use]
pub fn safe_name(name: &str) -> String {
    // Names Windows reserves for devices cannot be file names there, with any extension.
    const RESERVED: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(40).collect();
    let upper = out.to_ascii_uppercase();
    let device = RESERVED.contains(&upper.as_str())
        || (upper.len() == 4
            && (upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.ends_with(|c: char| c.is_ascii_digit()));
    if out.is_empty() {
        "unnamed".into()
    } else if device {
        format!("{out}_")
    } else {
        out
    }
}

/// `outbox.csv`: one row per message, `send` first (`yes`; a person may set `no` to keep a
/// message from `payback send`). Text that a spreadsheet would read as a formula is
/// prefixed with `'`.
///
/// # Errors
/// Only CSV writer errors, which would be a bug.
pub fn outbox_csv(entries: &[OutboxEntry]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["send", "file", "to", "cc", "subject", "customer", "stage", "amount", "currency", "message_id"])
        .map_err(crate::Error::internal)?;
    let yes = "yes".to_owned();
    for e in entries {
        let row =
            [&yes, &e.file, &e.to, &e.cc, &e.subject, &e.customer, &e.stage, &e.amount, &e.currency, &e.message_id];
        writer.write_record(row.map(|t| crate::output::csv_text(t))).map_err(crate::Error::internal)?;
    }
    writer.into_inner().map_err(crate::Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape_the_folder() {
        assert_eq!(safe_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_name("华为技术有限公司"), "华为技术有限公司");
        assert_eq!(safe_name("ACME Corp. (HK) Ltd"), "ACME-Corp-HK-Ltd");
        assert_eq!(safe_name("CON"), "CON_");
        assert_eq!(safe_name("lpt1"), "lpt1_");
        assert_eq!(safe_name("Console Ltd"), "Console-Ltd");
        assert_eq!(safe_name("///"), "unnamed");
        assert_eq!(safe_name(&"x".repeat(300)).len(), 40);
    }

    #[test]
    fn items_are_found_by_customer_and_number_the_first_of_equal_keys_winning() {
        let cny = crate::money::Currency::parse("CNY").unwrap();
        let item = |customer: &'static str, invoice_no: &'static str, open_minor| OpenItem {
            customer,
            invoice_no,
            currency: &cny,
            open_minor,
            days_past_due: 10,
            age_days: 40,
            due_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            invoice_date: NaiveDate::from_ymd_opt(2026, 10, 21).unwrap(),
            amount_minor: open_minor,
            contract_no: None,
            project: None,
            due_assumed: false,
        };
        let items = [item("华为", "INV-1", 100), item("ACME", "INV-1", 200), item("华为", "INV-1", 300)];
        let index = ItemIndex::new(Pool::Paid(&items));
        assert_eq!(index.get(("华为", "INV-1")).map(|i| i.open_minor), Some(100));
        assert_eq!(index.get(("ACME", "INV-1")).map(|i| i.open_minor), Some(200));
        assert!(index.get(("ACME", "INV-2")).is_none());
        assert!(index.get(("华为 ", "INV-1")).is_none());
        assert!(ItemIndex::new(Pool::Paid(&[])).get(("ACME", "INV-1")).is_none());
    }
}
