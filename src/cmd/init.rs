//! `payback init DIR`, `payback completions SHELL`, `payback man`.
use std::path::Path;

use clap::CommandFactory;

use crate::Outcome;
use crate::cli::{Cli, InitArgs};
use crate::config::workspace;
use crate::error::{Error, Result};
use crate::money::Currency;

/// Creates a workspace.
///
/// # Errors
/// A folder that exists and is not empty, a file that cannot be written.
pub(crate) fn exec(args: &InitArgs) -> Result<Outcome> {
    let currency = match &args.currency {
        Some(code) => Currency::parse_known(code).ok_or_else(|| Error::BadOption {
            option: format!("--currency {code}"),
            reason: "not an ISO 4217 currency code; give one such as CNY, USD, EUR or GBP".into(),
        })?,
        None => Currency::parse("CNY").ok_or_else(|| Error::Internal("CNY does not parse".into()))?,
    };
    let files = init(&args.dir, &currency, args.language.as_deref())?;
    let dir = args.dir.display();
    let code = currency.code();
    Ok(Outcome {
        message: format!(
            "created {dir} with {files} files: payback.toml, rules/, templates/ and sample-data/\n\
             company currency: {code} (payback.toml [company] currency: the currency of invoice rows that name none)\n\
             next: cd {dir} && payback run --as-of 2026-11-30   (the sample data is as of that date)\n\
             then put your own exports in payback.toml and your company and bank details under [company]"
        ),
        exit_code: 0,
        warnings: Vec::new(),
    })
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
        crate::config::rules_file::DEFAULT_RULES.replacen("name = \"Finance Director\"", "name = \"财务总监\"", 1)
    } else {
        crate::config::rules_file::DEFAULT_RULES.to_owned()
    };
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (workspace::FILE_NAME.into(), toml.into()),
        ("rules/default.toml".into(), rules.into()),
        ("rules/strict.toml".into(), include_str!("../../rules/strict.toml").into()),
        ("rules/README.md".into(), include_str!("../../rules/README.md").into()),
        ("templates/README.md".into(), include_str!("../../templates/README.md").into()),
        ("sample-data/invoices.xlsx".into(), include_bytes!("../../sample-data/invoices.xlsx").to_vec()),
        (
            "sample-data/invoices-bad-rows.xlsx".into(),
            include_bytes!("../../sample-data/invoices-bad-rows.xlsx").to_vec(),
        ),
        ("sample-data/contacts.csv".into(), include_str!("../../sample-data/contacts.csv").into()),
        ("sample-data/projects.csv".into(), include_str!("../../sample-data/projects.csv").into()),
        ("sample-data/followups.csv".into(), include_str!("../../sample-data/followups.csv").into()),
        ("sample-data/milestones.csv".into(), include_str!("../../sample-data/milestones.csv").into()),
        ("sample-data/payments.csv".into(), include_str!("../../sample-data/payments.csv").into()),
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
fn init(dir: &Path, currency: &crate::money::Currency, language: Option<&str>) -> Result<usize> {
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
            std::fs::create_dir_all(parent).map_err(|e| Error::write(parent.to_path_buf(), e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::write(path.clone(), e))?;
    }
    Ok(files.len())
}

/// The completion script for `shell`.
#[must_use]
pub(crate) fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "payback", &mut out);
    Outcome { message: String::from_utf8_lossy(&out).trim_end().to_owned(), exit_code: 0, warnings: Vec::new() }
}

/// The man page.
///
/// # Errors
/// Only an internal rendering error.
pub(crate) fn man() -> Result<Outcome> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out).map_err(Error::internal)?;
    Ok(Outcome { message: String::from_utf8_lossy(&out).trim_end().to_owned(), exit_code: 0, warnings: Vec::new() })
}
