//! The command line, as clap derive types. These are raw values; `config::RunConfig`
//! resolves and validates them once.
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::InputOptions;
use crate::normalize::date_order::DateOrder;

/// payback: get project companies paid.
#[derive(Debug, Parser)]
#[command(name = "payback", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Age the open invoices as of a date, decide the collection actions, write report and emails.
    #[command(after_long_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Read the inputs and rules and list every problem, without writing anything.
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Print why an invoice gets its collection action: every rule considered.
    #[command(after_long_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Send a run's emails over SMTP (lists them unless --yes).
    #[command(after_long_help = SEND_EXAMPLES)]
    Send(SendArgs),
    /// Print everything that happened to an account (or invoice), oldest first.
    #[command(after_long_help = HISTORY_EXAMPLES)]
    History(HistoryArgs),
    /// The state database: print its schema, check it, back it up.
    #[command(subcommand)]
    Db(DbCommand),
    /// Create a ready workspace: payback.toml, rules, templates and sample data.
    #[command(after_long_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// Print a shell completion script.
    #[command(
        after_long_help = "Examples:\n  payback completions bash > /etc/bash_completion.d/payback\n  payback completions zsh > ~/.zfunc/_payback"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    #[command(after_long_help = "Examples:\n  payback man > payback.1 && man ./payback.1")]
    Man,
}

const HISTORY_EXAMPLES: &str = "\
Examples:
  payback history Contoso
  payback history INV-CN-0042 --json
  payback history \"Stark Industries\" --state archive/state";

/// Options of `payback history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A customer name (any case), or an invoice number.
    #[arg(value_name = "CUSTOMER|INVOICE")]
    pub query: String,

    /// Folder of the state database (read only).
    #[arg(long, value_name = "DIR", default_value = "state")]
    pub state: PathBuf,

    /// Print the events as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `payback db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Print the schema of state/payback.db (SQL, every migration).
    Schema,
    /// Open the database as a run does: check its integrity, update its schema, complete or
    /// discard a run left pending; print what it holds.
    Check(DbArgs),
    /// Copy the database to PATH with `SQLite`'s online backup (safe while others read it).
    Backup(DbBackupArgs),
}

/// Options of `payback db check`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Folder of the state database.
    #[arg(long, value_name = "DIR", default_value = "state")]
    pub state: PathBuf,
}

/// Options of `payback db backup`.
#[derive(Debug, Args)]
pub struct DbBackupArgs {
    /// Where to write the copy.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// Folder of the state database.
    #[arg(long, value_name = "DIR", default_value = "state")]
    pub state: PathBuf,
}

const INIT_EXAMPLES: &str = "\
Examples:
  payback init collections-2026
  cd collections-2026 && payback run --as-of 2026-11-30

Then edit payback.toml (your files, company and bank details) and rules/default.toml.";

/// Options of `payback init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create (it must not exist or be empty).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Your company's currency, an ISO 4217 code such as USD: written to payback.toml as
    /// `[company] currency`, the currency of invoice rows that name none [default: CNY,
    /// the sample data's].
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,

    /// The language of the workbook and of messages to contacts whose language is not
    /// known: `zh` or `en`, written to payback.toml as `[report] language` and `[company]
    /// language` [default: the workbook in English, messages in Chinese].
    #[arg(long, value_name = "LANG", value_parser = ["zh", "en"])]
    pub language: Option<String>,
}

/// Options of `payback completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

const SEND_EXAMPLES: &str = "\
Examples:
  payback send out --smtp smtp.example.com:587 --starttls --user ar@yourcompany.example
  PAYBACK_SMTP_PASSWORD=... payback send out --smtp smtp.example.com:587 --starttls --user ar@yourcompany.example --yes
  payback send out --smtp 127.0.0.1:2525 --yes
  payback send out --smtp 127.0.0.1:2525 --yes --skip emails/003-demand_letter-ACME.eml
  payback send out --smtp 127.0.0.1:2525 --yes --resend-in-doubt

The password comes from the environment variable PAYBACK_SMTP_PASSWORD. Every attempt is
recorded in the state database (state/payback.db) before the message goes out, and as sent
when the server accepts it; a second send skips what was sent. A message whose attempt broke
off (or whose send was killed) is in doubt: it is held and listed until you check the mailbox
and resend it (--resend-in-doubt) or record it as sent (--mark-sent ID). Set the send column
of outbox.csv to no, or use --skip / --only, to keep messages back.
Exit codes: 0 all sent (or listed); 1 something needs a person (a refusal, a message in
doubt, a missing or refused file); 2 could not start.";

/// Options of `payback send`.
#[derive(Debug, Clone, Args)]
#[allow(clippy::struct_excessive_bools)] // each is one command-line switch
pub struct SendArgs {
    /// The `--out` folder of a run (its `outbox.csv`, `emails/` and `internal/`).
    #[arg(value_name = "OUT_DIR")]
    pub out_dir: PathBuf,

    /// The SMTP server, `HOST:PORT`.
    #[arg(long, value_name = "HOST:PORT")]
    pub smtp: String,

    /// Upgrade the connection with STARTTLS (port 587).
    #[arg(long, conflicts_with = "tls")]
    pub starttls: bool,

    /// Use TLS from the start (SMTPS, port 465).
    #[arg(long)]
    pub tls: bool,

    /// Login name; the password is read from `PAYBACK_SMTP_PASSWORD`.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,

    /// Really send; without it the messages are only listed.
    #[arg(long)]
    pub yes: bool,

    /// Rules file, for the sender address (`company.email`; `[company]` of payback.toml wins).
    #[arg(long, value_name = "PATH", default_value = "rules/default.toml")]
    pub rules: PathBuf,

    /// Folder of the state database, where every delivery is recorded.
    #[arg(long, value_name = "DIR", default_value = "state")]
    pub state: PathBuf,

    /// A blind copy of every message to this address (an archive mailbox); not in the headers.
    #[arg(long, value_name = "ADDRESS")]
    pub bcc: Option<String>,

    /// Send only these messages: Message-IDs or files as listed in outbox.csv.
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub only: Vec<String>,

    /// Do not send these messages: Message-IDs or files as listed in outbox.csv.
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub skip: Vec<String>,

    /// Send again the messages in doubt, after you checked that they did not arrive.
    #[arg(long)]
    pub resend_in_doubt: bool,

    /// Record these messages as sent without sending them (you found them delivered, or
    /// sent them by hand).
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub mark_sent: Vec<String>,
}

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  payback explain INV-CN-0042 --invoices sample-data/invoices.xlsx --contacts sample-data/contacts.csv \\
      --projects sample-data/projects.csv --followups sample-data/followups.csv --as-of 2026-11-30";

const CHECK_EXAMPLES: &str = "\
Examples:
  payback check --invoices sample-data/invoices.xlsx
  payback check --invoices east.xlsx --invoices west.csv --rules rules/group.toml

Exit codes: 0 no problems; 1 problems found (listed on stdout); 2 could not read the inputs or rules.";

const RUN_EXAMPLES: &str = "\
Examples:
  payback run --invoices sample-data/invoices.xlsx --as-of 2026-11-30
  payback run --invoices ar.csv --map customer=\"Client Name\" --map amount=\"Inv Total\"
  payback run --invoices erp.xlsx --sheet \"Open Items\" --rules rules/group.toml --out reports/2026-11
  payback run --invoices east.xlsx --invoices west.csv --preset quickbooks
  payback run --invoices ar.xlsx --contacts contacts.csv --projects projects.csv --followups followups.csv
  payback run --invoices ar.xlsx --payments bank-2026-11.csv --as-of 2026-11-30
  payback run --workbook month-end.xlsx --as-of 2026-11-30

Exit codes: 0 ok; 1 the report was written but some rows were rejected; 2 could not run
(nothing written).";

/// Options of `payback run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The inputs and how to read them.
    #[command(flatten)]
    pub input: InputArgs,

    /// Age the open items as of this date [default: today].
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Folder for the report files; created if missing.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,

    /// Refuse to write a report when any row is rejected: exit 2, nothing written, every
    /// problem listed.
    #[arg(long)]
    pub strict: bool,

    /// Folder of the collection log that carries escalation and cadence from run to run.
    #[arg(long, value_name = "DIR", default_value = "state")]
    pub state: PathBuf,

    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,

    /// Print the run summary as JSON (the content of summary.json plus the actions count).
    #[arg(long)]
    pub json: bool,

    /// Folder of your own message templates (`en/…`, `zh/…`); templates it lacks come from
    /// the built-in set.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Item rows per Detail sheet before "Detail 2" starts; Excel's limit unless a test
    /// lowers it to check the split without a million-row run.
    #[arg(
        long,
        hide = true,
        value_name = "ROWS",
        default_value_t = crate::report::detail_sheet::MAX_ROWS_PER_SHEET,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new()
            .range(1..=crate::report::detail_sheet::MAX_ROWS_PER_SHEET as u64),
    )]
    pub detail_sheet_rows: usize,

    /// Data rows per sheet of Rejected, Skipped and By Customer before "Rejected 2", …
    /// start; Excel's limit unless a test lowers it.
    #[arg(
        long,
        hide = true,
        value_name = "ROWS",
        default_value_t = crate::report::pages::MAX_DATA_ROWS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new()
            .range(1..=crate::report::pages::MAX_DATA_ROWS as u64),
    )]
    pub sheet_rows: usize,
}

/// Options of `payback explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The invoice number to explain.
    #[arg(value_name = "INVOICE_NO")]
    pub invoice_no: String,

    /// The inputs and how to read them.
    #[command(flatten)]
    pub input: InputArgs,

    /// Decide as of this date [default: today].
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Folder of the collection log (read only).
    #[arg(long, value_name = "DIR", default_value = "state")]
    pub state: PathBuf,
}

/// Options of `payback check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The inputs and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
}

/// The inputs of a run and how to read them (shared by `run` and `check`).
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Open invoices: a .csv, .xlsx, .xlsm, .xls or .ods file. Repeat it to combine
    /// several exports (e.g. two subsidiaries'); each row keeps its source file and row.
    /// [default: from `payback.toml` in the current folder]
    #[arg(long, value_name = "PATH")]
    pub invoices: Vec<PathBuf>,

    /// One workbook holding the inputs as sheets: Invoices, Payments, Contacts, Projects,
    /// Milestones, Followups (Chinese names such as 发票, 收款, 联系人, 项目, 付款节点, 跟进
    /// too; or the names set by `[input.TABLE] sheet` in the rules). Absent sheets are
    /// not read; an option such as `--contacts` wins over its sheet.
    #[arg(long, value_name = "PATH")]
    pub workbook: Option<PathBuf>,

    /// Export layout: quickbooks, xero, erpnext, odoo, cn-erp [default: detected from the
    /// headers].
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,

    /// Worksheet to read from a workbook [default: the first sheet].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// Contacts at the customers (customer, name, role, email, language).
    #[arg(long, value_name = "PATH")]
    pub contacts: Option<PathBuf>,

    /// Projects (project, customer, project manager, go-live and acceptance dates, open
    /// critical issues).
    #[arg(long, value_name = "PATH")]
    pub projects: Option<PathBuf>,

    /// Follow-ups (customer, invoice, disputed, promise to pay, approval stage and since,
    /// approver, last contact).
    #[arg(long, value_name = "PATH")]
    pub followups: Option<PathBuf>,

    /// Payments received: a bank statement or cash-receipts export (date, payer, amount,
    /// currency, reference), matched to the open invoices before aging.
    #[arg(long, value_name = "PATH")]
    pub payments: Option<PathBuf>,

    /// Contract payment milestones (project, name, amount or percent of the contract
    /// amount, trigger, trigger date, term in days, calendar or working days, invoice).
    #[arg(long, value_name = "PATH")]
    pub milestones: Option<PathBuf>,

    /// Which source column holds a canonical field, e.g. `--map customer="Client Name"`;
    /// for the other inputs prefix the table: `--map contacts.email="E-Mail"`.
    /// Repeatable. Fields: `customer`, `invoice_no`, `invoice_date`, `due_date`, `amount`,
    /// `open_amount`, `paid_amount`, `currency`, `project`, `contract_no`, `project_manager`,
    /// `paid_date`.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    pub map: Vec<String>,

    /// Rules file (TOML); keys it leaves out take the built-in defaults.
    #[arg(long, value_name = "PATH", default_value = "rules/default.toml")]
    pub rules: PathBuf,

    /// Currency of the invoice rows that name none (an export without a currency column),
    /// an ISO 4217 code such as USD [default: `[company] currency` of payback.toml or the
    /// rules].
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,

    /// How to read dates written as text like 03/04/2026 [default: from the rules file].
    #[arg(long = "date-order", value_enum, value_name = "ORDER")]
    pub date_order: Option<DateOrderArg>,

    /// Amounts are written with a decimal comma, e.g. 1.234,56 [default: from the rules file].
    #[arg(long = "decimal-comma")]
    pub decimal_comma: bool,

    /// Text encoding of CSV inputs, e.g. `gbk`, `gb18030`, `big5`, `shift_jis`, `windows-1252`
    /// [default: UTF-8, UTF-16 with a BOM, else GB18030].
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
}

/// `--date-order`: order of day, month and year in dates written as text with the year
/// last or first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DateOrderArg {
    /// 2026/05/20
    Ymd,
    /// 20/05/2026
    Dmy,
    /// 05/20/2026
    Mdy,
}

impl From<DateOrderArg> for DateOrder {
    fn from(order: DateOrderArg) -> Self {
        match order {
            DateOrderArg::Ymd => Self::Ymd,
            DateOrderArg::Dmy => Self::Dmy,
            DateOrderArg::Mdy => Self::Mdy,
        }
    }
}

impl From<InputArgs> for InputOptions {
    fn from(args: InputArgs) -> Self {
        Self {
            invoices: args.invoices,
            workbook: args.workbook,
            preset: args.preset,
            sheet: args.sheet,
            contacts: args.contacts,
            projects: args.projects,
            followups: args.followups,
            payments: args.payments,
            milestones: args.milestones,
            map: args.map,
            rules: args.rules,
            currency: args.currency,
            date_order: args.date_order.map(DateOrder::from),
            decimal_comma: args.decimal_comma,
            encoding: args.encoding,
        }
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("\"{text}\" is not a date in the form YYYY-MM-DD, e.g. 2026-11-30"))?;
    if crate::dates::in_range(date) {
        Ok(date)
    } else {
        Err(format!("{date} is outside the dates payback works with ({})", crate::dates::range_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_parses_contract_options() {
        let cli = Cli::try_parse_from([
            "payback",
            "run",
            "--invoices",
            "a.csv",
            "--map",
            "customer=Client",
            "--map",
            "amount=Total",
            "--as-of",
            "2026-11-30",
            "--out",
            "x",
        ])
        .unwrap();
        let Command::Run(args) = cli.command else { panic!("not run") };
        assert_eq!(args.input.map, ["customer=Client", "amount=Total"]);
        assert_eq!(args.as_of, NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(args.input.rules, PathBuf::from("rules/default.toml"));
        assert_eq!(args.out, PathBuf::from("x"));
        assert!(!args.strict);
    }

    #[test]
    fn bad_as_of_is_refused() {
        let err = Cli::try_parse_from(["payback", "run", "--invoices", "a", "--as-of", "30.11.2026"]).unwrap_err();
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    }

    #[test]
    fn as_of_outside_the_date_range_is_refused() {
        // Issue 21: +262142-01-01 overflowed the day arithmetic; 1969-12-31 stamped the
        // emails 1970-01-01.
        for (date, shown) in
            [("+262142-01-01", "+262142-01-01"), ("1969-12-31", "1969-12-31"), ("2101-01-01", "2101-01-01")]
        {
            let err = Cli::try_parse_from(["payback", "run", "--invoices", "a", "--as-of", date]).unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!("{shown} is outside the dates payback works with (1990-01-01 to 2100-12-31)")),
                "{err}"
            );
        }
        for date in ["1990-01-01", "2100-12-31"] {
            assert!(Cli::try_parse_from(["payback", "run", "--invoices", "a", "--as-of", date]).is_ok());
        }
    }
}
