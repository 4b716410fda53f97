//! The rules file: serde types, loading with defaults, and validation.
//!
//! Precedence: the built-in `rules/default.toml` (compiled in) → the rules file, merged
//! key by key → command-line options (applied in `config`).
use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::money::Currency;
use crate::normalize::date_order::DateOrder;
use crate::normalize::table::Table;

/// The built-in defaults, the same text as `rules/default.toml`.
pub const DEFAULT_RULES: &str = include_str!("../../rules/default.toml");

/// A whole rules file after merging over the defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSpec {
    /// The user's own company.
    pub company: CompanySpec,
    /// How inputs are read.
    pub input: InputSpec,
    /// Aging basis and buckets.
    pub aging: AgingSpec,
    /// Bounds on input size.
    pub limits: crate::ingest::Limits,
    /// The collection ladder, holds and cadence.
    pub collection: super::collection::CollectionSpec,
    /// The working-day calendar for payment terms in working days.
    pub calendar: CalendarSpec,
    /// How payments are matched to invoices.
    pub payments: PaymentsSpec,
    /// Periods and sizes of the management metrics.
    pub metrics: MetricsSpec,
    /// Who gets the management summary.
    pub management: ManagementSpec,
    /// How the workbook reads.
    pub report: ReportSpec,
}

/// `[report]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Language of the workbook's sheet names, headers, labels and stage names: `zh` or
    /// `en`.
    pub language: String,
}

impl RulesSpec {
    /// The words of the workbook, in `[report] language` (validated: `zh` or `en`).
    #[must_use]
    pub fn report_labels(&self) -> &'static crate::catalogue::Labels {
        crate::catalogue::Labels::of(crate::catalogue::Lang::parse(&self.report.language).unwrap_or_default())
    }
}

/// `[management]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementSpec {
    /// Name of the finance director (or whoever reads the management summary).
    pub name: String,
    /// Their address; empty for no management summary email.
    pub email: String,
}

/// `[payments]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsSpec {
    /// The matching rules, in order.
    pub rules: Vec<MatchRule>,
}

/// `[calendar]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// A built-in calendar: `cn` or `weekends`.
    pub name: String,
    /// A calendar file of your own (same format as `rules/calendars/cn.toml`); wins over
    /// `name`.
    #[serde(default)]
    pub path: Option<std::path::PathBuf>,
}

/// `[company]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanySpec {
    /// Company name shown on reports.
    pub name: String,
    /// Default invoice currency (ISO 4217 code).
    pub currency: String,
    /// Sender address of collection emails.
    pub email: String,
    /// Phone number for the signature.
    #[serde(default)]
    pub phone: String,
    /// Postal address for the signature and demand letters.
    #[serde(default)]
    pub address: String,
    /// Who signs the messages, e.g. "Accounts Receivable".
    pub sign_off: String,
    /// Language of internal messages and of contacts with none: `zh` or `en`.
    pub language: String,
    /// Where customers pay.
    pub bank: BankSpec,
    /// The company in Chinese (`[company.zh]`): Chinese letters and a Chinese workbook.
    #[serde(default)]
    pub zh: IdentitySpec,
    /// The company in English (`[company.en]`): English letters and an English workbook.
    #[serde(default)]
    pub en: IdentitySpec,
}

/// `[company.zh]` / `[company.en]`: who we are in one language — what a letter in that
/// language signs with and tells the customer to pay to.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IdentitySpec {
    /// Legal name.
    #[serde(default)]
    pub name: String,
    /// Postal address.
    #[serde(default)]
    pub address: String,
    /// Bank and branch.
    #[serde(default)]
    pub bank: String,
    /// Account name (收款单位).
    #[serde(default)]
    pub payee: String,
    /// Account number.
    #[serde(default)]
    pub account: String,
    /// Tax id (统一社会信用代码 / VAT number).
    #[serde(default)]
    pub tax_id: String,
    /// The signature block (several lines allowed), e.g. "应收账款部" or "Accounts
    /// Receivable".
    #[serde(default)]
    pub signature: String,
}

impl IdentitySpec {
    /// The keys left empty, by name.
    #[must_use]
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("name", &self.name),
            ("address", &self.address),
            ("bank", &self.bank),
            ("payee", &self.payee),
            ("account", &self.account),
            ("tax_id", &self.tax_id),
            ("signature", &self.signature),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k)
        .collect()
    }
}

/// The domain of payback's example sender (`ar@yourcompany.example`): `.example` is
/// reserved (RFC 2606), so no real company sends from it.
pub const EXAMPLE_DOMAIN: &str = "yourcompany.example";

impl CompanySpec {
    /// The keys that still hold payback's shipped example: the name, sender,
    /// bank account and Chinese identity that `payback init` writes for the sample. A run
    /// with them works — the sample is meant to — but letters would name an example
    /// company and tell customers to pay into an example account.
    #[must_use]
    pub fn example_details(&self) -> Vec<&'static str> {
        let shipped = [
            ("[company] name", self.name == "Your Company Ltd"),
            ("email", self.email.ends_with(EXAMPLE_DOMAIN)),
            ("bank.account", self.bank.account == "4563 5100 0123 4567 890"),
            ("[company.zh] name", self.zh.name == "示例科技（上海）有限公司"),
            ("tax_id", self.zh.tax_id == "91310115MA1K4XXX0Y"),
        ];
        shipped.into_iter().filter(|(_, example)| *example).map(|(key, _)| key).collect()
    }

    /// The warning `check` and `run` give while [`Self::example_details`] finds any.
    #[must_use]
    pub fn example_warning(&self) -> Option<String> {
        let keys = self.example_details();
        (!keys.is_empty()).then(|| {
            format!(
                "the company details are still payback's example ({}): letters would sign as an example company \
                 and ask customers to pay into an example account; put your own under [company] and [company.zh] \
                 in payback.toml before sending",
                keys.join(", ")
            )
        })
    }
    /// The company in `lang` (`zh` or `en`; anything else English). `[company.zh]` stands
    /// alone (never English words in a Chinese letter); `[company.en]`'s empty keys are
    /// `[company]`'s own (`name`, `address`, `sign_off`, `bank`) — English by default — and the
    /// tax id is the Chinese one.
    #[must_use]
    pub fn identity(&self, lang: &str) -> IdentitySpec {
        if lang == "zh" {
            return self.zh.clone();
        }
        let or = |own: &str, top: &str| if own.trim().is_empty() { top.to_owned() } else { own.to_owned() };
        let en = &self.en;
        IdentitySpec {
            name: or(&en.name, &self.name),
            address: or(&en.address, &self.address),
            bank: or(&en.bank, &self.bank.bank),
            payee: or(&en.payee, &self.bank.payee),
            account: or(&en.account, &self.bank.account),
            tax_id: or(&en.tax_id, &self.zh.tax_id),
            signature: or(&en.signature, &self.sign_off),
        }
    }

    /// The problem with the company's details in `lang`, which `why` uses (e.g. "the
    /// workbook", "contact ap@x.example"): every empty key named; `None` when complete.
    #[must_use]
    pub fn identity_problem(&self, lang: &str, why: &str) -> Option<String> {
        let missing = self.identity(lang).missing();
        (!missing.is_empty()).then(|| {
            let (language, article) = if lang == "zh" { ("Chinese", "a") } else { ("English", "an") };
            format!(
                "{} empty under [company.{lang}] (payback.toml or the rules): {why} is in {language}, and \
                 {article} {language} letter or workbook needs the company's {language} legal name, address, bank, \
                 account name (payee), account number, tax id and signature",
                missing.join(", ") + if missing.len() == 1 { " is" } else { " are" }
            )
        })
    }
}

/// `[company.bank]`: the payment instructions in every reminder.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct BankSpec {
    /// Account holder.
    pub payee: String,
    /// Bank and branch.
    pub bank: String,
    /// Account number.
    pub account: String,
    /// SWIFT/BIC for payments from abroad.
    #[serde(default)]
    pub swift: String,
}

/// `[input]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// Order of text dates; `None` accepts only unambiguous ones.
    #[serde(default)]
    pub date_order: Option<DateOrder>,
    /// Amounts written `1.234,56` (comma as decimal mark).
    #[serde(default)]
    pub decimal_comma: bool,
    /// Days after the invoice date that an invoice with an empty due date is due.
    #[serde(default)]
    pub default_term_days: Option<i64>,
    /// What to do with a second row for the same customer and invoice number.
    #[serde(default)]
    pub duplicates: crate::normalize::combine::DuplicatePolicy,
    /// What to do with the lines of one invoice (rows of one file with the same customer
    /// and invoice number that differ in some cell): `sum` them into one open item, or
    /// `reject` them as duplicates.
    #[serde(default)]
    pub invoice_lines: crate::normalize::combine::LinePolicy,
    /// `[input.invoices]`
    #[serde(default)]
    pub invoices: TableInputSpec,
    /// `[input.contacts]`
    #[serde(default)]
    pub contacts: TableInputSpec,
    /// `[input.projects]`
    #[serde(default)]
    pub projects: TableInputSpec,
    /// `[input.followups]`
    #[serde(default)]
    pub followups: TableInputSpec,
    /// `[input.milestones]`
    #[serde(default)]
    pub milestones: TableInputSpec,
    /// `[input.payments]`
    #[serde(default)]
    pub payments: TableInputSpec,
}

impl InputSpec {
    /// The settings of one input table.
    #[must_use]
    pub fn record(&self, table: Table) -> &TableInputSpec {
        match table {
            Table::Invoices => &self.invoices,
            Table::Contacts => &self.contacts,
            Table::Projects => &self.projects,
            Table::Followups => &self.followups,
            Table::Milestones => &self.milestones,
            Table::Payments => &self.payments,
        }
    }
}

/// `[input.invoices]`: where an input table is and how its columns are named.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableInputSpec {
    /// Worksheet name.
    #[serde(default)]
    pub sheet: Option<String>,
    /// Export preset name (`quickbooks`, `xero`, `erpnext`, `odoo`, `cn-erp`).
    #[serde(default)]
    pub preset: Option<String>,
    /// Canonical field → source header.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// `[aging]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgingSpec {
    /// Which date the day count starts from.
    pub basis: Basis,
    /// The buckets, in order.
    pub buckets: Vec<BucketSpec>,
}

/// The date an item's age is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Days past the due date.
    DueDate,
    /// Days since the invoice date.
    InvoiceDate,
}

impl Basis {
    /// The name used in the rules file and in `summary.json`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DueDate => "due_date",
            Self::InvoiceDate => "invoice_date",
        }
    }
}

/// One `[[aging.buckets]]` entry: items whose day count is within `min_days..=max_days`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketSpec {
    /// Label shown in reports, e.g. `31-60`.
    pub label: String,
    /// Lowest day count (inclusive); `None` for no lower bound.
    #[serde(default)]
    pub min_days: Option<i64>,
    /// Highest day count (inclusive); `None` for no upper bound.
    #[serde(default)]
    pub max_days: Option<i64>,
}

impl BucketSpec {
    /// Whether `days` falls in this bucket.
    #[must_use]
    pub fn contains(&self, days: i64) -> bool {
        self.min_days.is_none_or(|min| days >= min) && self.max_days.is_none_or(|max| days <= max)
    }
}

impl RulesSpec {
    /// Loads the rules: the built-in defaults, overlaid by `path` when given.
    ///
    /// # Errors
    /// [`Error::Rules`] when the file cannot be read, is not TOML, has unknown keys or
    /// fails [`RulesSpec::validate`].
    pub fn load(path: Option<&Path>) -> Result<Self> {
        Self::load_with(path, None, None)
    }

    /// As [`RulesSpec::load`], with `company` and `report` (from a workspace's
    /// `payback.toml`) merged over `[company]` and `[report]` of the rules.
    ///
    /// # Errors
    /// As [`RulesSpec::load`].
    pub fn load_with(path: Option<&Path>, company: Option<&toml::Table>, report: Option<&toml::Table>) -> Result<Self> {
        let text = match path {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| Error::Rules {
                file: path.to_path_buf(),
                reason: format!("cannot read the rules file: {e}"),
            })?),
            None => None,
        };
        let mut overlay = toml::Table::new();
        if let Some(company) = company {
            overlay.insert("company".into(), toml::Value::Table(company.clone()));
        }
        if let Some(report) = report {
            overlay.insert("report".into(), toml::Value::Table(report.clone()));
        }
        Self::from_parts(text.as_deref(), path.unwrap_or(Path::new("built-in rules")), &overlay)
    }

    /// The rules from the text of a rules file (`None`: the defaults alone); `origin` names
    /// it in errors.
    ///
    /// # Errors
    /// As [`RulesSpec::load`].
    pub fn from_text(user_text: Option<&str>, origin: &Path) -> Result<Self> {
        Self::from_parts(user_text, origin, &toml::Table::new())
    }

    fn from_parts(user_text: Option<&str>, origin: &Path, overlay: &toml::Table) -> Result<Self> {
        let mut merged: toml::Table =
            DEFAULT_RULES.parse().map_err(|e| Error::Internal(format!("built-in rules: {e}")))?;
        let rules_error = |reason: String| Error::Rules { file: origin.to_path_buf(), reason };
        let text = user_text.unwrap_or_default();
        if user_text.is_some() {
            let user: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                let at = e.span().map(|s| line_column(text, s.start)).map(|(l, c)| format!("line {l}, column {c}: "));
                rules_error(format!("{}{}", at.unwrap_or_default(), one_line(e.message())))
            })?;
            merge(&mut merged, user);
        }
        merge(&mut merged, overlay.clone());
        let mut controls = Vec::new();
        for (key, value) in &merged {
            control_characters(value, key, &mut controls);
        }
        if !controls.is_empty() {
            return Err(rules_error(controls.iter().map(|p| locate(text, p)).collect::<Vec<_>>().join("; ")));
        }
        let spec: Self = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| rules_error(locate(text, &one_line(&e.to_string()))))?;
        let problems: Vec<String> = spec.validate().iter().map(|p| locate(text, p)).collect();
        if problems.is_empty() { Ok(spec) } else { Err(rules_error(problems.join("; "))) }
    }

    /// Every semantic problem of the rules, each as one sentence; empty when valid.
    #[must_use]
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if Currency::parse(&self.company.currency).is_none() {
            problems.push(format!(
                "company.currency = \"{}\" is not a three-letter currency code such as CNY, USD or EUR",
                self.company.currency
            ));
        }
        if !crate::normalize::records::looks_like_email(&self.company.email) {
            problems.push(format!("company.email = \"{}\" is not an email address", self.company.email));
        }
        if !["zh", "en"].contains(&self.company.language.as_str()) {
            problems.push(format!("company.language = \"{}\" must be \"zh\" or \"en\"", self.company.language));
        }
        if crate::catalogue::Lang::parse(&self.report.language).is_none() {
            problems.push(format!("report.language = \"{}\" must be \"zh\" or \"en\"", self.report.language));
        }
        // The company's details in each language used: never English text in a Chinese
        // letter. Contacts' own languages are checked when they are read.
        let company = self.company.language.as_str();
        if let Some(p) =
            self.company.identity_problem(company, "company.language (internal messages, contacts with none)")
        {
            problems.push(p);
        }
        let report = self.report.language.as_str();
        if report != company
            && let Some(p) = self.company.identity_problem(report, "report.language (the workbook)")
        {
            problems.push(p);
        }
        if !self.management.email.is_empty() && !crate::normalize::records::looks_like_email(&self.management.email) {
            problems.push(format!(
                "management.email = \"{}\" is not an email address (leave it empty for no management summary)",
                self.management.email
            ));
        }
        if let Some(days) = self.input.default_term_days.filter(|d| !(0..=crate::dates::MAX_TERM_DAYS).contains(d)) {
            problems.push(format!(
                "input.default_term_days = {days} must be between 0 and {} days (ten years)",
                crate::dates::MAX_TERM_DAYS
            ));
        }
        let m = &self.metrics;
        if m.top_customers > MAX_TOP_CUSTOMERS {
            problems
                .push(format!("metrics.top_customers = {} must be between 0 and {MAX_TOP_CUSTOMERS}", m.top_customers));
        }
        if !(1..=3660).contains(&m.period_days) {
            problems.push(format!("metrics.period_days = {} must be between 1 and 3660", m.period_days));
        }
        if !(1..=3660).contains(&m.dso_days) {
            problems.push(format!("metrics.dso_days = {} must be between 1 and 3660", m.dso_days));
        }
        if !(1..=120).contains(&m.trend_runs) {
            problems.push(format!("metrics.trend_runs = {} must be between 1 and 120", m.trend_runs));
        }
        problems.extend(validate_buckets(&self.aging.buckets));
        problems.extend(self.limits.validate());
        problems.extend(self.collection.validate());
        problems
    }
}

/// Most aging buckets: each is a column of every aging table and one branch of the
/// bucket expression the aging evaluates per item, so thousands of them take gigabytes
/// and hours; a report has a handful.
pub const MAX_BUCKETS: usize = 50;

/// The most customers `metrics.top_customers` may list per currency.
pub const MAX_TOP_CUSTOMERS: usize = 1000;

fn validate_buckets(buckets: &[BucketSpec]) -> Vec<String> {
    if buckets.len() > MAX_BUCKETS {
        return vec![format!(
            "aging.buckets: {} buckets, more than the {MAX_BUCKETS} an aging report can show; merge some of them",
            buckets.len()
        )];
    }
    let mut problems = Vec::new();
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return vec!["aging.buckets is empty: give at least one bucket".to_owned()];
    };
    let max_days = crate::dates::MAX_DAY_COUNT;
    for (i, bucket) in buckets.iter().enumerate() {
        for (key, days) in [("min_days", bucket.min_days), ("max_days", bucket.max_days)] {
            if let Some(days) = days.filter(|d| !(-max_days..=max_days).contains(d)) {
                problems.push(format!(
                    "aging.buckets[{}].{key} = {days} must be between -{max_days} and {max_days} (the days between {} and {})",
                    i + 1,
                    crate::dates::EARLIEST,
                    crate::dates::LATEST
                ));
            }
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    if let Some(min) = first.min_days {
        problems.push(format!(
            "aging.buckets: the first bucket \"{}\" has min_days = {min}; leave it out so that \
             every day count (credit notes and items not yet due included) has a bucket",
            first.label
        ));
    }
    if let Some(max) = last.max_days {
        problems.push(format!(
            "aging.buckets: the last bucket \"{}\" has max_days = {max}; leave it out so that \
             the oldest items have a bucket",
            last.label
        ));
    }
    for (i, bucket) in buckets.iter().enumerate() {
        let n = i + 1;
        if bucket.label.trim().is_empty() {
            problems.push(format!("aging.buckets[{n}]: the label is empty"));
        }
        if bucket.label.starts_with(['<', '>', '=']) || bucket.label.contains(['*', '?', '~']) {
            problems.push(format!(
                "aging.buckets[{n}]: the label \"{}\" must not start with < > = or contain * ? ~ \
                 (Excel would read it as a condition in the report's formulas)",
                bucket.label
            ));
        }
        if buckets[..i].iter().any(|b| b.label == bucket.label) {
            problems.push(format!("aging.buckets[{n}]: the label \"{}\" is used twice", bucket.label));
        }
        if let (Some(min), Some(max)) = (bucket.min_days, bucket.max_days)
            && min > max
        {
            problems
                .push(format!("aging.buckets[{n}] \"{}\": min_days = {min} is above max_days = {max}", bucket.label));
        }
        if let Some(next) = buckets.get(i + 1) {
            match (bucket.max_days, next.min_days) {
                (Some(max), Some(min)) if min == max + 1 => {}
                (Some(max), Some(min)) => problems.push(format!(
                    "aging.buckets: \"{}\" ends at {max} days but \"{}\" starts at {min}; \
                     it must start at {}",
                    bucket.label,
                    next.label,
                    max + 1
                )),
                _ => problems.push(format!(
                    "aging.buckets: only the first bucket may leave out min_days and only the \
                     last may leave out max_days (see \"{}\" and \"{}\")",
                    bucket.label, next.label
                )),
            }
        }
    }
    problems
}

/// Merges `over` into `base`: tables key by key, everything else replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_table)), toml::Value::Table(over_table)) => {
                merge(base_table, over_table);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Problems for text values holding control characters (they end up in XML, mail headers
/// and file names), each naming the value's key path.
fn control_characters(value: &toml::Value, path: &str, problems: &mut Vec<String>) {
    match value {
        toml::Value::String(text) => {
            if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
                problems.push(format!(
                    "{path} = \"{}\" holds the control character U+{:04X}; remove it",
                    text.escape_debug(),
                    u32::from(c)
                ));
            }
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                control_characters(item, &format!("{path}[{}]", i + 1), problems);
            }
        }
        toml::Value::Table(table) => {
            for (key, item) in table {
                control_characters(item, &format!("{path}.{key}"), problems);
            }
        }
        _ => {}
    }
}

/// 1-based line of the key at `path` in the rules text, e.g. `collection.cadence_days` or
/// `collection.stages[2].from_days` (1-based array index), from the TOML parser's spans.
fn key_line(text: &str, path: &str) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let document = DeTable::parse(text).ok()?;
    let mut table = document.get_ref();
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        let (key, index) = match segment.split_once('[') {
            Some((key, rest)) => (key, Some(rest.strip_suffix(']')?.parse::<usize>().ok()?.checked_sub(1)?)),
            None => (segment, None),
        };
        let (found_key, value) = table.iter().find(|(k, _)| k.get_ref() == key)?;
        let value = match index {
            Some(i) => match value.get_ref() {
                DeValue::Array(items) => items.get(i)?,
                _ => return None,
            },
            None if segments.peek().is_none() => return Some(line_column(text, found_key.span().start).0),
            None => value,
        };
        match value.get_ref() {
            DeValue::Table(inner) if segments.peek().is_some() => table = inner,
            _ if segments.peek().is_none() => return Some(line_column(text, value.span().start).0),
            _ => return None,
        }
    }
    None
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Prefixes `problem` with the line of the user's rules file it is about, found from the
/// key or quoted value the problem names (serde errors lose the file's positions when the
/// file is merged over the defaults). Problems about the defaults stay as they are.
fn locate(text: &str, problem: &str) -> String {
    // `KEY = value …`: the key's own line, from the parser's spans.
    if let Some((path, _)) = problem.split_once(" = ")
        && !path.contains(' ')
        && let Some(line) = key_line(text, path)
    {
        return format!("line {line}: {problem}");
    }
    let ticked: Vec<&str> = problem.split('`').skip(1).step_by(2).collect();
    let quoted: Vec<&str> = problem.split('"').skip(1).step_by(2).collect();
    let key_line = |key: &str| {
        text.lines().position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    };
    let value_line = |value: &str| {
        let needle = format!("\"{value}\"");
        text.lines().position(|l| l.split_once('=').is_some_and(|(_, v)| v.contains(&needle)))
    };
    let found = if problem.starts_with("unknown field") {
        ticked.first().and_then(|k| key_line(k))
    } else if problem.starts_with("unknown variant") || problem.starts_with("invalid") {
        ticked
            .first()
            .and_then(|v| value_line(v))
            .or_else(|| ticked.last().and_then(|p| p.rsplit('.').next()).and_then(key_line))
    } else {
        quoted.iter().rev().find_map(|v| value_line(v))
    };
    match found {
        Some(line) => format!("line {}: {problem}", line + 1),
        None => problem.to_owned(),
    }
}

fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// One matching rule, in the order `[payments] rules` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// An invoice number appears in the payment's reference or memo.
    Reference,
    /// The payer is a customer and the amount equals one open invoice's.
    ExactAmount,
    /// The payer is a customer: the amount pays its open invoices, oldest due first.
    OldestFirst,
}

impl MatchRule {
    /// The name in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::ExactAmount => "exact amount",
            Self::OldestFirst => "oldest first",
        }
    }
}

/// `[metrics]` in the rules file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// Length of the period (CEI, sales, cash collected) when the state folder holds no
    /// earlier run; with one, the period runs from that run's as-of date.
    pub period_days: i64,
    /// Days of credit sales that simple DSO divides by.
    pub dso_days: i64,
    /// Runs shown in the trend.
    pub trend_runs: usize,
    /// Customers in the top overdue list, per currency.
    pub top_customers: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(label: &str, min: Option<i64>, max: Option<i64>) -> BucketSpec {
        BucketSpec { label: label.into(), min_days: min, max_days: max }
    }

    #[test]
    fn defaults_load_and_give_six_buckets() {
        let spec = RulesSpec::load(None).unwrap();
        let labels: Vec<_> = spec.aging.buckets.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["Not due", "1-30", "31-60", "61-90", "91-120", "Over 120"]);
        assert_eq!(spec.aging.basis, Basis::DueDate);
        assert_eq!(spec.company.currency, "CNY");
    }

    #[test]
    fn the_example_policies_load() {
        let strict =
            RulesSpec::load(Some(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/strict.toml")))).unwrap();
        assert_eq!(strict.collection.cadence_days, 5);
        assert_eq!(strict.collection.stages.len(), 5);
        assert_eq!(
            strict.collection.stage("demand_letter").unwrap().min_amount,
            Some(rust_decimal::Decimal::from(500))
        );
        let default = RulesSpec::load(None).unwrap();
        let ids: Vec<&str> = default.collection.stages.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "reminder_before_due",
                "due_notice",
                "overdue_notice",
                "escalate_to_approver",
                "demand_letter",
                "legal_review"
            ]
        );
    }

    #[test]
    fn gap_and_overlap_are_both_reported() {
        let problems = validate_buckets(&[
            bucket("a", None, Some(0)),
            bucket("b", Some(2), Some(10)),
            bucket("c", Some(10), None),
        ]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("\"a\" ends at 0 days but \"b\" starts at 2"));
        assert!(problems[1].contains("it must start at 11"));
    }

    #[test]
    fn open_ended_ends_are_required() {
        let problems = validate_buckets(&[bucket("a", Some(0), Some(5)), bucket("b", Some(6), Some(9))]);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn mistakes_name_their_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            RulesSpec::load(Some(&path)).unwrap_err().to_string().split_once(": ").unwrap().1.to_owned()
        };
        assert_eq!(
            write("a.toml", "[aging]\nbasis = \"due_date\"\nbukets = []\n"),
            "line 3: unknown field `bukets`, expected `basis` or `buckets` in `aging`"
        );
        assert_eq!(
            write("b.toml", "[[collection.stages]]\nid = \"first\"\nkind = \"email\"\n"),
            "line 3: unknown variant `email`, expected `message` or `manual` in `collection.stages.kind`"
        );
        assert_eq!(write("c.toml", "[aging\nbasis = 1\n"), "line 1, column 7: unclosed table, expected `]`");
        let stages =
            "[[collection.stages]]\nid = \"a\"\nto_days = 10\nkind = \"message\"\nto = [\"bling\"]\ntemplate = \"x\"\n";
        assert_eq!(
            write("d.toml", stages),
            "line 5: collection.stages[1] \"a\": unknown role \"bling\"; the roles are: billing, finance, approver, project, project_manager"
        );
    }

    #[test]
    fn merge_keeps_untouched_defaults() {
        let mut base: toml::Table = DEFAULT_RULES.parse().unwrap();
        merge(&mut base, "[company]\nname = \"ACME\"".parse().unwrap());
        let spec: RulesSpec = toml::Value::Table(base).try_into().unwrap();
        assert_eq!(spec.company.name, "ACME");
        assert_eq!(spec.company.currency, "CNY");
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// Lines that look like a rules file: real sections and keys with values of every type,
    /// mixed with noise.
    fn rules_text() -> impl Strategy<Value = String> {
        let section = prop::sample::select(vec![
            "[company]",
            "[input]",
            "[aging]",
            "[[aging.buckets]]",
            "[collection]",
            "[[collection.stages]]",
            "[collection.holds]",
            "[calendar]",
            "[limits]",
            "[input.invoices.columns]",
            "[company.bank]",
            "[x",
        ]);
        let key = prop::sample::select(vec![
            "name",
            "currency",
            "email",
            "basis",
            "label",
            "min_days",
            "max_days",
            "id",
            "from_days",
            "to_days",
            "kind",
            "to",
            "cc",
            "template",
            "min_amount",
            "cadence_days",
            "stuck_after_days",
            "date_order",
            "max_rows",
            "relative_to",
            "language",
            "disputed",
            "bukets",
        ]);
        let value = prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            "[a-z_]{0,12}".prop_map(|s| format!("\"{s}\"")),
            Just(r#"["billing", "approver"]"#.to_owned()),
            Just("true".to_owned()),
            Just("-1".to_owned()),
            Just("\"message\"".to_owned()),
            ".{0,10}",
        ];
        let line = prop_oneof![
            section.prop_map(str::to_owned),
            (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
            ".{0,30}"
        ];
        prop::collection::vec(line, 0..25).prop_map(|lines| lines.join("\n"))
    }

    proptest! {
        #[test]
        fn fuzz_rules_loader_never_panics(text in rules_text()) {
            // Ok or a rules error; never a panic.
            match RulesSpec::from_text(Some(&text), Path::new("fuzz.toml")) {
                Ok(spec) => prop_assert!(spec.validate().is_empty()),
                Err(e) => {
                    let expected = matches!(e, Error::Rules { .. } | Error::BadMapping { .. });
                    prop_assert!(expected, "unexpected error kind: {}", e);
                }
            }
        }
    }
}
