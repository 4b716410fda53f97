//! A payback workspace: `payback init DIR` writes `payback.toml`, copies of the rules,
//! templates and the sample data; `payback run` inside the folder reads `payback.toml` for
//! every option not given on the command line.
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::{InputArgs, RunArgs};
use crate::error::{Error, Result};

/// The workspace file, read from the current folder.
pub const FILE_NAME: &str = "payback.toml";

/// `payback.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFile {
    /// What `payback run` reads and writes.
    #[serde(default)]
    pub run: RunSection,
    /// Company and bank details; they override `[company]` of the rules file.
    #[serde(default)]
    pub company: Option<toml::Table>,
    /// The workbook's settings (`language`); they override `[report]` of the rules file.
    #[serde(default)]
    pub report: Option<toml::Table>,
}

/// `[run]` of `payback.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Invoice files.
    #[serde(default)]
    pub invoices: Vec<PathBuf>,
    /// One workbook holding the inputs as sheets.
    pub workbook: Option<PathBuf>,
    /// Contacts file.
    pub contacts: Option<PathBuf>,
    /// Projects file.
    pub projects: Option<PathBuf>,
    /// Follow-ups file.
    pub followups: Option<PathBuf>,
    /// Milestones file.
    pub milestones: Option<PathBuf>,
    /// Payments file.
    pub payments: Option<PathBuf>,
    /// Rules file.
    pub rules: Option<PathBuf>,
    /// Templates folder.
    pub templates: Option<PathBuf>,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// State folder.
    pub state: Option<PathBuf>,
}

impl WorkspaceFile {
    /// Reads `payback.toml` from `dir` when it exists.
    ///
    /// # Errors
    /// [`Error::Rules`] naming the file when it is not valid.
    pub fn read(dir: &Path) -> Result<Option<Self>> {
        let path = dir.join(FILE_NAME);
        let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
        toml::from_str(&text).map(Some).map_err(|e: toml::de::Error| Error::Rules {
            file: path,
            reason: e.to_string().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "),
        })
    }

    /// Fills the input options the command line left at their defaults.
    pub fn apply_input(&self, input: &mut InputArgs) {
        apply_input(&self.run, input);
    }

    /// Fills the options the command line left at their defaults.
    pub fn apply(&self, args: &mut RunArgs) {
        let run = &self.run;
        apply_input(run, &mut args.input);
        if args.templates.is_none() {
            args.templates.clone_from(&run.templates);
        }
        if let Some(out) = &run.out
            && args.out == Path::new("out")
        {
            args.out.clone_from(out);
        }
        if let Some(state) = &run.state
            && args.state == Path::new("state")
        {
            args.state.clone_from(state);
        }
    }
}

fn apply_input(run: &RunSection, input: &mut InputArgs) {
    // Invoices named on the command line (files or a workbook) replace the workspace's; a
    // workbook on the command line brings its own record sheets too.
    let cli_workbook = input.workbook.is_some();
    if input.invoices.is_empty() && !cli_workbook {
        input.invoices.clone_from(&run.invoices);
        input.workbook.clone_from(&run.workbook);
    }
    for (arg, value) in [
        (&mut input.contacts, &run.contacts),
        (&mut input.projects, &run.projects),
        (&mut input.followups, &run.followups),
        (&mut input.milestones, &run.milestones),
        (&mut input.payments, &run.payments),
    ] {
        if arg.is_none() && !cli_workbook {
            arg.clone_from(value);
        }
    }
    if let Some(rules) = &run.rules
        && input.rules == Path::new(crate::config::DEFAULT_RULES_PATH)
    {
        input.rules.clone_from(rules);
    }
}

const WORKSPACE_TOML: &str = r#"# A payback workspace. `payback run` in this folder reads this file; options given on the
# command line win. Paths are relative to this folder.

[run]
# Your finance system's export of open invoices (several files are combined).
invoices = ["sample-data/invoices.xlsx"]
# The customers' contacts, your projects, follow-up notes and payment milestones.
contacts = "sample-data/contacts.csv"
projects = "sample-data/projects.csv"
followups = "sample-data/followups.csv"
milestones = "sample-data/milestones.csv"
# Money received (bank statement), matched to the invoices before aging.
payments = "sample-data/payments.csv"
# The collection rules (ladder, holds, calendar) and the message templates.
rules = "rules/default.toml"
templates = "templates"
# Where the report, actions and emails go, and where the collection log is kept.
out = "out"
state = "state"

# Your company and where customers pay; these override [company] in the rules file.
# FILL IN: every value below is payback's example, there so that the sample runs. Letters
# sign with them and tell customers to pay into this account: `payback check` and
# `payback run` warn, and `payback send --yes` refuses a real mail server, until the name,
# email, bank account and the Chinese name and tax id are your own.
[company]
name = "Your Company Ltd"
email = "ar@yourcompany.example"
phone = "+86 21 5555 0100"
address = "88 Century Avenue, Pudong, Shanghai"
sign_off = "Accounts Receivable"
# Language of internal messages and of contacts whose language is not known.
language = "{company_language}"
# The currency of invoice rows that name none (an export without a currency column); each
# run says when it is used. --currency on the command line wins.
currency = "{currency}"

[company.bank]
payee = "Your Company Ltd"
bank = "Bank of China, Shanghai Pudong Branch"
account = "4563 5100 0123 4567 890"
swift = "BKCHCNBJ300"

# Your company in Chinese: Chinese letters sign with these and tell the customer where to
# pay (收款单位 = payee); the Chinese workbook shows the name. [company.en] (English
# letters) takes [company]'s keys above unless you give it its own.
[company.zh]
name = "示例科技（上海）有限公司"
address = "上海市浦东新区世纪大道88号"
bank = "中国银行上海浦东分行"
payee = "示例科技（上海）有限公司"
account = "4563 5100 0123 4567 890"
tax_id = "91310115MA1K4XXX0Y"
signature = "应收账款部"

# The workbook (aging-report.xlsx): "zh" or "en" (sheet names, headers, stage names).
[report]
language = "{report_language}"
"#;

/// The files of a new workspace: relative path and contents.
fn files(currency: &crate::money::Currency, language: Option<&str>) -> Vec<(String, Vec<u8>)> {
    let toml = WORKSPACE_TOML
        .replace("{currency}", currency.code())
        .replace("{company_language}", language.unwrap_or("zh"))
        .replace("{report_language}", language.unwrap_or("en"));
    // A Chinese workspace greets its management summary's reader in Chinese.
    let rules = if language == Some("zh") {
        crate::rules::spec::DEFAULT_RULES.replacen("name = \"Finance Director\"", "name = \"财务总监\"", 1)
    } else {
        crate::rules::spec::DEFAULT_RULES.to_owned()
    };
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (FILE_NAME.into(), toml.into()),
        ("rules/default.toml".into(), rules.into()),
        ("rules/strict.toml".into(), include_str!("../rules/strict.toml").into()),
        ("rules/README.md".into(), include_str!("../rules/README.md").into()),
        ("templates/README.md".into(), include_str!("../templates/README.md").into()),
        ("sample-data/invoices.xlsx".into(), include_bytes!("../sample-data/invoices.xlsx").to_vec()),
        ("sample-data/invoices-bad-rows.xlsx".into(), include_bytes!("../sample-data/invoices-bad-rows.xlsx").to_vec()),
        ("sample-data/contacts.csv".into(), include_str!("../sample-data/contacts.csv").into()),
        ("sample-data/projects.csv".into(), include_str!("../sample-data/projects.csv").into()),
        ("sample-data/followups.csv".into(), include_str!("../sample-data/followups.csv").into()),
        ("sample-data/milestones.csv".into(), include_str!("../sample-data/milestones.csv").into()),
        ("sample-data/payments.csv".into(), include_str!("../sample-data/payments.csv").into()),
    ];
    for (name, text) in crate::normalize::presets::SOURCES {
        files.push((format!("rules/presets/{name}.toml"), text.into()));
    }
    for (name, text) in crate::rules::calendar::BUILT_IN {
        files.push((format!("rules/calendars/{name}.toml"), text.into()));
    }
    for (name, text) in crate::email::render::BUILT_IN.iter().chain(crate::email::render::LAYOUTS) {
        files.push((format!("templates/{name}"), (*text).into()));
    }
    files
}

/// Creates the workspace in `dir` with `currency` as the company's and `language` (`zh` or
/// `en`) as the workbook's and the company's; refuses a folder that exists and is not
/// empty.
///
/// # Errors
/// [`Error::BadOption`] for a non-empty folder, [`Error::Output`] when a file cannot be
/// written.
pub fn init(dir: &Path, currency: &crate::money::Currency, language: Option<&str>) -> Result<usize> {
    if dir.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Error::BadOption {
            option: format!("init {}", dir.display()),
            reason: "the folder exists and is not empty; choose a new folder".into(),
        });
    }
    let files = files(currency, language);
    for (name, bytes) in &files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::Output { path: parent.to_path_buf(), reason: e.to_string() })?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::Output { path: path.clone(), reason: e.to_string() })?;
    }
    Ok(files.len())
}
