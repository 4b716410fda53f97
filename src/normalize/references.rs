//! Cross-file references: the contacts, projects, follow-ups and milestones name
//! customers, projects and invoices; each name is looked up in the invoices read (every
//! usable row, open, closed or future-dated) or the projects file. A name that differs only
//! in case, spacing, punctuation or full-width characters is the same name and takes the
//! invoices' spelling; any other name that is not found is a [`NotMatched`] with the
//! closest known name — a typo never silently drops a dispute hold or a contact.
//! A follow-up that names only an invoice takes its customer from the invoice.
use std::collections::HashMap;

use super::Invoice;
use super::Rejected;
use super::reason::{Arg, Reason};
use super::records::{Contact, Followup, Milestone, Project, Read};
use super::value::fold_full_width_text;
use crate::ingest::SourceRef;

/// A row of a side file whose reference is not in the invoices (or the projects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotMatched {
    /// `contacts`, `projects`, `followups` or `milestones`.
    pub table: &'static str,
    /// The file (and sheet) of the row.
    pub source: SourceRef,
    /// The row's number in its file.
    pub row: usize,
    /// The field at fault: `customer`, `invoice_no` or `project`.
    pub column: &'static str,
    /// The value as read.
    pub value: String,
    /// The most similar known name, if any is similar enough.
    pub closest: Option<String>,
    /// One sentence: what is not found and what is closest (English in `summary.json` and
    /// `check`, either language on the Rejected sheet).
    pub reason: Reason,
}

impl NotMatched {
    /// The row as a [`Rejected`] line (Rejected sheet, `check`, the exit code).
    #[must_use]
    pub fn rejected(&self) -> Rejected {
        Rejected {
            row: self.row,
            column: self.column.to_owned(),
            value: self.value.clone(),
            reason: self.reason.clone(),
            raw: Vec::new(),
            open: None,
        }
    }
}

/// A name reduced for comparing: full-width folded, lower case, letters and digits only.
#[must_use]
pub fn name_key(name: &str) -> String {
    fold_full_width_text(name).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Names as the side files may write them: `Contoso Ltd.` for `contoso ltd`.
struct Names<'a> {
    /// Every distinct name, with its key.
    names: Vec<(&'a str, String)>,
    /// Key → the names with that key.
    by_key: HashMap<String, Vec<&'a str>>,
}

impl<'a> Names<'a> {
    fn new(mut names: Vec<&'a str>) -> Self {
        names.sort_unstable();
        names.dedup();
        let names: Vec<(&str, String)> = names.into_iter().map(|n| (n, name_key(n))).collect();
        let mut by_key: HashMap<String, Vec<&str>> = HashMap::new();
        for (name, key) in &names {
            by_key.entry(key.clone()).or_default().push(name);
        }
        Self { names, by_key }
    }

    /// The known spelling of `name`: itself, or the one name with the same key.
    fn find(&self, name: &str) -> Option<&'a str> {
        if let Ok(i) = self.names.binary_search_by(|(n, _)| (*n).cmp(name)) {
            return Some(self.names[i].0);
        }
        match self.by_key.get(&name_key(name)).map(Vec::as_slice) {
            Some([one]) => Some(one),
            _ => None,
        }
    }

    /// The most similar name (Jaro-Winkler on the keys, at least 0.7).
    fn closest(&self, name: &str) -> Option<&'a str> {
        self.closest_scored(name).map(|(_, n)| n)
    }

    /// The most similar name with its similarity (Jaro-Winkler on the keys, at least 0.7).
    fn closest_scored(&self, name: &str) -> Option<(f64, &'a str)> {
        let key = name_key(name);
        self.names
            .iter()
            .map(|(n, k)| (strsim::jaro_winkler(&key, k), *n))
            .filter(|(score, _)| *score >= 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
    }
}

/// Where an invoice number was found.
enum InvoiceFit<'a> {
    /// The invoice, with its customer and its spelling.
    Found { customer: &'a str, invoice_no: &'a str },
    /// Not an invoice of the customer asked for, but of these.
    OtherCustomer(Vec<&'a str>),
    /// No customer asked for, and several have it.
    Ambiguous(Vec<&'a str>),
    /// Nowhere; the closest number of the customer (or of all).
    Missing(Option<&'a str>),
}

/// What the invoices make known.
pub struct Known<'a> {
    invoices: &'a [Invoice],
    customers: Names<'a>,
    /// Invoice key → (customer, invoice number), built when a side file names invoices.
    numbers: Option<HashMap<String, Vec<(&'a str, &'a str)>>>,
}

impl<'a> Known<'a> {
    /// The customers of `invoices`; their numbers too when `with_numbers`.
    #[must_use]
    pub fn new(invoices: &'a [Invoice], with_numbers: bool) -> Self {
        let customers = Names::new(invoices.iter().map(|i| &*i.customer).collect());
        let numbers = with_numbers.then(|| {
            let mut numbers: HashMap<String, Vec<(&str, &str)>> = HashMap::new();
            for i in invoices {
                let entry = numbers.entry(invoice_key(&i.invoice_no)).or_default();
                if !entry.contains(&(&*i.customer, i.invoice_no.as_str())) {
                    entry.push((&i.customer, &i.invoice_no));
                }
            }
            numbers
        });
        Self { invoices, customers, numbers }
    }

    fn invoice(&self, customer: Option<&str>, invoice_no: &str) -> InvoiceFit<'a> {
        let key = invoice_key(invoice_no);
        let found: &[(&str, &str)] = self.numbers.as_ref().and_then(|n| n.get(&key)).map_or(&[], Vec::as_slice);
        let exact = |fits: &[(&'a str, &'a str)]| {
            // Several spellings of one key: the one written exactly, else the first.
            fits.iter().find(|(_, n)| *n == invoice_no).or(fits.first()).copied()
        };
        let mut owners: Vec<&str> = found.iter().map(|(c, _)| *c).collect();
        owners.dedup();
        if let Some(customer) = customer {
            let own: Vec<(&str, &str)> = found.iter().copied().filter(|(c, _)| *c == customer).collect();
            if let Some((customer, invoice_no)) = exact(&own) {
                return InvoiceFit::Found { customer, invoice_no };
            }
            if !owners.is_empty() {
                return InvoiceFit::OtherCustomer(owners);
            }
        } else if owners.len() > 1 {
            return InvoiceFit::Ambiguous(owners);
        } else if let Some((customer, invoice_no)) = exact(found) {
            return InvoiceFit::Found { customer, invoice_no };
        }
        let closest = self
            .invoices
            .iter()
            .filter(|i| customer.is_none_or(|c| *i.customer == *c))
            .map(|i| (strsim::normalized_levenshtein(&key, &invoice_key(&i.invoice_no)), i.invoice_no.as_str()))
            .filter(|(score, _)| *score >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, n)| n);
        InvoiceFit::Missing(closest)
    }
}

/// How alike (Jaro-Winkler on the name keys) an unknown customer of a contact or project
/// must be to a known one to be reported as a likely typo; the payers' suggestions use
/// the same bar.
pub const TYPO_SIMILARITY: f64 = 0.85;

/// An invoice number reduced for comparing: full-width folded, upper case, letters and
/// digits only (`inv-0351` and `INV 0351` are one number).
fn invoice_key(number: &str) -> String {
    fold_full_width_text(number).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// `reason` then `; closest: "X"` or `; no similar {what}` (`what`: a `[reason]` word).
fn with_closest(reason: Reason, closest: Option<&str>, what: &'static str) -> Reason {
    match closest {
        Some(c) => reason.then("closest", vec![("name", c.into())]),
        None => reason.then("no_similar", vec![("what", Arg::Word(what))]),
    }
}

/// The rows of one table being checked, and what was found.
struct Check<'k, 'a> {
    known: &'k Known<'a>,
    table: &'static str,
    source: SourceRef,
    found: Vec<NotMatched>,
}

impl<'a> Check<'_, 'a> {
    fn report(&mut self, row: usize, column: &'static str, value: &str, closest: Option<&str>, reason: Reason) {
        self.found.push(NotMatched {
            table: self.table,
            source: self.source.clone(),
            row,
            column,
            value: value.to_owned(),
            closest: closest.map(str::to_owned),
            reason,
        });
    }

    /// The customer's spelling in the invoices, or a report.
    fn customer(&mut self, row: usize, name: &str) -> Option<&'a str> {
        let found = self.known.customers.find(name);
        if found.is_none() {
            let closest = self.known.customers.closest(name);
            let reason = Reason::new("customer_not_found", vec![("name", name.into())]);
            let reason = with_closest(reason, closest, "what_customer");
            self.report(row, "customer", name, closest, reason);
        }
        found
    }

    /// The customer's spelling in the invoices for a row of master data (contacts,
    /// projects): a customer with nothing in this export is normal there (an export of
    /// open items leaves out customers who paid everything), so an unknown name is
    /// reported only when it looks like a known one (similarity at least
    /// [`TYPO_SIMILARITY`]) or, for a project, when `named_by_invoices` says the invoices
    /// put the project under another customer.
    fn master_customer(&mut self, row: usize, name: &str, named_by_invoices: Option<&str>) -> Option<&'a str> {
        let found = self.known.customers.find(name);
        if found.is_some() {
            return found;
        }
        let closest = self.known.customers.closest_scored(name);
        if let Some(owner) = named_by_invoices {
            let reason = Reason::new("customer_not_owner", vec![("name", name.into()), ("owner", owner.into())]);
            let reason = with_closest(reason, closest.map(|(_, n)| n), "what_customer");
            self.report(row, "customer", name, closest.map(|(_, n)| n), reason);
        } else if let Some((_, closest)) = closest.filter(|(score, _)| *score >= TYPO_SIMILARITY) {
            let reason = Reason::new("customer_not_found", vec![("name", name.into())]);
            let reason = with_closest(reason, Some(closest), "what_customer");
            self.report(row, "customer", name, Some(closest), reason);
        }
        None
    }

    /// The invoice's spelling (and customer), or a report.
    fn invoice(&mut self, row: usize, customer: Option<&str>, number: &str) -> Option<(&'a str, &'a str)> {
        match self.known.invoice(customer, number) {
            InvoiceFit::Found { customer, invoice_no } => return Some((customer, invoice_no)),
            InvoiceFit::OtherCustomer(owners) => {
                let owners = Arg::List(owners.iter().map(|o| (*o).to_owned()).collect());
                let args = vec![
                    ("number", number.into()),
                    ("customer", customer.unwrap_or_default().into()),
                    ("owners", owners),
                ];
                let reason = Reason::new("invoice_of_others", args);
                self.report(row, "invoice_no", number, None, reason);
            }
            InvoiceFit::Ambiguous(owners) => {
                let owners = Arg::List(owners.iter().map(|o| (*o).to_owned()).collect());
                let reason = Reason::new("invoice_ambiguous", vec![("number", number.into()), ("owners", owners)]);
                self.report(row, "invoice_no", number, None, reason);
            }
            InvoiceFit::Missing(closest) => {
                let reason = match customer {
                    Some(c) => Reason::new("invoice_not_of", vec![("number", number.into()), ("customer", c.into())]),
                    None => Reason::new("invoice_not_found", vec![("number", number.into())]),
                };
                let reason = with_closest(reason, closest, "what_invoice_number");
                self.report(row, "invoice_no", number, closest, reason);
            }
        }
        None
    }
}

/// Checks every side table against the invoices (and milestones against the projects);
/// names are set to the invoices' spelling, follow-ups keyed by invoice number alone get
/// their customer. Returns what was not found, in table and row order.
#[must_use]
pub fn check(invoices: &[Invoice], tables: Tables<'_>) -> Vec<NotMatched> {
    let Tables { contacts, mut projects, followups, milestones } = tables;
    let names_invoices = followups.as_ref().is_some_and(|f| f.rows.iter().any(|r| r.invoice_no.is_some()));
    let known = Known::new(invoices, names_invoices);
    let mut found = Vec::new();
    let start = |table, source: &SourceRef| Check { known: &known, table, source: source.clone(), found: Vec::new() };
    if let Some(read) = contacts {
        let mut check = start("contacts", &read.source);
        for (contact, &row) in read.rows.iter_mut().zip(&read.row_numbers) {
            if let Some(known) = check.master_customer(row, &contact.customer, None) {
                known.clone_into(&mut contact.customer);
            }
        }
        found.append(&mut check.found);
    }
    if let Some(read) = projects.as_mut() {
        let mut check = start("projects", &read.source);
        let billed = billed_projects(invoices);
        for (project, &row) in read.rows.iter_mut().zip(&read.row_numbers) {
            let owner = billed.get(name_key(&project.project).as_str()).copied();
            if let Some(known) = check.master_customer(row, &project.customer, owner) {
                known.clone_into(&mut project.customer);
            }
        }
        found.append(&mut check.found);
    }
    if let Some(read) = followups {
        let mut check = start("followups", &read.source);
        for (followup, &row) in read.rows.iter_mut().zip(&read.row_numbers) {
            check_followup(&mut check, row, followup);
        }
        found.append(&mut check.found);
    }
    if let Some(read) = milestones {
        let mut check = start("milestones", &read.source);
        let names = projects.as_ref().map(|p| Names::new(p.rows.iter().map(|p| p.project.as_str()).collect()));
        for (milestone, &row) in read.rows.iter_mut().zip(&read.row_numbers) {
            check_milestone(&mut check, names.as_ref(), row, milestone);
        }
        found.append(&mut check.found);
    }
    found
}

/// The side tables read, each `None` when its file was not given.
pub struct Tables<'a> {
    /// `--contacts`.
    pub contacts: Option<&'a mut Read<Contact>>,
    /// `--projects`.
    pub projects: Option<&'a mut Read<Project>>,
    /// `--followups`.
    pub followups: Option<&'a mut Read<Followup>>,
    /// `--milestones`.
    pub milestones: Option<&'a mut Read<Milestone>>,
}

/// The customer the invoices bill each project to (the first invoice naming it), by the
/// project's name key.
fn billed_projects(invoices: &[Invoice]) -> HashMap<String, &str> {
    let mut billed = HashMap::new();
    for i in invoices {
        if let Some(project) = &i.project {
            billed.entry(name_key(project)).or_insert(&*i.customer);
        }
    }
    billed
}

fn check_followup(check: &mut Check<'_, '_>, row: usize, followup: &mut Followup) {
    let customer = if followup.customer.is_empty() {
        None
    } else {
        match check.customer(row, &followup.customer) {
            Some(known) => Some(known),
            None => return,
        }
    };
    if let Some(c) = customer {
        c.clone_into(&mut followup.customer);
    }
    let Some(number) = followup.invoice_no.clone() else { return };
    if let Some((customer, invoice_no)) = check.invoice(row, customer, &number) {
        customer.clone_into(&mut followup.customer);
        followup.invoice_no = Some(invoice_no.to_owned());
    }
}

/// A milestone's project is looked up in the projects file. The invoice it names is not
/// looked up in the invoices: a milestone invoiced months ago is usually paid, and an
/// export of open items no longer holds it.
fn check_milestone(check: &mut Check<'_, '_>, projects: Option<&Names<'_>>, row: usize, milestone: &mut Milestone) {
    // Without a projects file every milestone's project is unknown alike: its task names
    // the project instead of a customer, and nothing is reported.
    let Some(projects) = projects else { return };
    if let Some(known) = projects.find(&milestone.project) {
        known.clone_into(&mut milestone.project);
        return;
    }
    let closest = projects.closest(&milestone.project);
    let reason = Reason::new("project_not_found", vec![("name", milestone.project.as_str().into())]);
    let reason = with_closest(reason, closest, "what_project");
    check.report(row, "project", &milestone.project.clone(), closest, reason);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_spacing_punctuation_and_full_width() {
        assert_eq!(name_key("Contoso Ltd."), name_key("ＣＯＮＴＯＳＯ　ltd"));
        assert_eq!(invoice_key("inv-0351"), "INV0351");
        let names = Names::new(vec!["Contoso Ltd.", "Beta Co"]);
        assert_eq!(names.find("contoso ltd"), Some("Contoso Ltd."));
        assert_eq!(names.find("Contoso"), None);
        assert_eq!(names.closest("Contosso Ltd"), Some("Contoso Ltd."));
        assert_eq!(names.closest("Zebra Holdings"), None);
    }
}
