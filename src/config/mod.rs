//! Command line + rules file + defaults → one validated [`RunConfig`]. After this nothing
//! re-validates options.
pub mod collection;
pub mod rules_file;
pub mod workspace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::rules_file::RulesSpec;
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::normalize::columns::Mapping;
use crate::normalize::date_order::DateOrder;
use crate::normalize::table::Table;
use crate::normalize::value::ValueFormat;

/// The default `--rules` path; when it does not exist the built-in rules are used.
pub const DEFAULT_RULES_PATH: &str = "rules/default.toml";

/// The sheets `--workbook` reads when the rules name none: per table, the names tried
/// (ignoring case, spaces and punctuation).
const WORKBOOK_SHEETS: [(Table, &[&str]); 6] = [
    (Table::Invoices, &["Invoices", "发票", "应收账款"]),
    (Table::Payments, &["Payments", "收款", "银行流水"]),
    (Table::Contacts, &["Contacts", "联系人"]),
    (Table::Projects, &["Projects", "项目"]),
    (Table::Milestones, &["Milestones", "付款节点", "里程碑"]),
    (Table::Followups, &["Followups", "跟进"]),
];

/// What the user asked to read and how: the command line's input options after
/// `payback.toml` filled the ones it left out (the command layer makes it).
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// Invoice files.
    pub invoices: Vec<PathBuf>,
    /// One workbook holding the inputs as sheets.
    pub workbook: Option<PathBuf>,
    /// Export preset.
    pub preset: Option<String>,
    /// Worksheet of the invoices.
    pub sheet: Option<String>,
    /// Contacts file.
    pub contacts: Option<PathBuf>,
    /// Projects file.
    pub projects: Option<PathBuf>,
    /// Follow-ups file.
    pub followups: Option<PathBuf>,
    /// Payments file.
    pub payments: Option<PathBuf>,
    /// Milestones file.
    pub milestones: Option<PathBuf>,
    /// `FIELD=HEADER` column mappings.
    pub map: Vec<String>,
    /// The rules file.
    pub rules: PathBuf,
    /// The default currency's code.
    pub currency: Option<String>,
    /// The order of text dates.
    pub date_order: Option<DateOrder>,
    /// Amounts written with a decimal comma.
    pub decimal_comma: bool,
    /// Text encoding of CSV inputs.
    pub encoding: Option<String>,
}

/// An input file and the worksheet to read from it (`None`: the first sheet, or a CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file.
    pub path: PathBuf,
    /// The worksheet.
    pub sheet: Option<String>,
}

/// Everything `payback run` needs, resolved.
#[derive(Debug, Clone)]
pub struct RunConfig {
    invoices: Vec<InputFile>,
    preset: Option<String>,
    mappings: Vec<Mapping>,
    record_mappings: BTreeMap<Table, BTreeMap<String, String>>,
    records: BTreeMap<Table, InputFile>,
    as_of: NaiveDate,
    rules: RulesSpec,
    rules_origin: String,
    out: PathBuf,
    date_order: Option<DateOrder>,
    /// Where `date_order` was set: `--date-order` or the rules file's key.
    date_order_origin: String,
    decimal_comma: bool,
    encoding: Option<String>,
    default_currency: Currency,
    default_currency_origin: String,
}

impl RunConfig {
    /// Resolves the input options with the as-of date and output folder, the company
    /// details and the report's settings from a workspace's `payback.toml` over the rules
    /// file's (`cmd::setup::configure` is the one caller).
    ///
    /// # Errors
    /// [`Error::Rules`] for a bad rules file, [`Error::BadMapping`] for a bad `--map`,
    /// [`Error::BadOption`] when no invoices file is given.
    pub fn with_company(
        args: InputOptions,
        as_of: NaiveDate,
        out: PathBuf,
        company: Option<&toml::Table>,
        report: Option<&toml::Table>,
    ) -> Result<Self> {
        check_as_of(as_of)?;
        let default_path = args.rules == Path::new(DEFAULT_RULES_PATH);
        let (rules, rules_origin) = load_rules(&args.rules, default_path, company, report)?;
        // Precedence: --map first (wins), then the rules file's columns.
        let mut record_mappings: BTreeMap<Table, BTreeMap<String, String>> =
            Table::RECORDS.into_iter().map(|table| (table, rules.input.record(table).columns.clone())).collect();
        let mut mappings = Vec::new();
        for map in &args.map {
            let record = map.split_once('=').and_then(|(field, _)| field.split_once('.'));
            match record {
                Some((table, field)) => {
                    let Some(columns) = Table::record(table.trim()).and_then(|t| record_mappings.get_mut(&t)) else {
                        return Err(Error::BadMapping {
                            origin: format!("--map {map}"),
                            reason: format!(
                                "unknown table \"{table}\"; the tables are contacts, projects, followups, milestones, payments"
                            ),
                        });
                    };
                    let header = map.split_once('=').map_or("", |(_, h)| h).trim();
                    columns.insert(field.trim().to_owned(), header.to_owned());
                }
                None => mappings.push(Mapping::parse_cli(map)?),
            }
        }
        let sheet_of = |table: Table| match table {
            Table::Invoices => args.sheet.clone().or_else(|| rules.input.invoices.sheet.clone()),
            record => rules.input.record(record).sheet.clone(),
        };
        let mut records: BTreeMap<Table, InputFile> = [
            (Table::Contacts, &args.contacts),
            (Table::Projects, &args.projects),
            (Table::Followups, &args.followups),
            (Table::Milestones, &args.milestones),
            (Table::Payments, &args.payments),
        ]
        .into_iter()
        .filter_map(|(table, path)| Some((table, InputFile { path: path.clone()?, sheet: sheet_of(table) })))
        .collect();
        let mut invoices: Vec<InputFile> = args
            .invoices
            .iter()
            .map(|path| InputFile { path: path.clone(), sheet: sheet_of(Table::Invoices) })
            .collect();
        if let Some(workbook) = &args.workbook {
            for (table, sheet) in workbook_sheets(workbook, &sheet_of, &rules.limits)? {
                let file = InputFile { path: workbook.clone(), sheet: Some(sheet) };
                if table == Table::Invoices {
                    invoices.push(file);
                } else {
                    records.entry(table).or_insert(file);
                }
            }
        }
        if invoices.is_empty() {
            return Err(Error::BadOption {
                option: "--invoices".into(),
                reason: match &args.workbook {
                    Some(path) => format!(
                        "{} has no invoices sheet (looked for \"Invoices\", \"发票\", \"应收账款\"); name it so, set [input.invoices] sheet, or give --invoices",
                        path.display()
                    ),
                    None => "give at least one invoices file (or --workbook), or run inside a workspace made by `payback init DIR` (it has a payback.toml)".into(),
                },
            });
        }
        for (field, header) in &rules.input.invoices.columns {
            mappings.push(Mapping::new(field, header, format!("{rules_origin}: [input.invoices.columns] {field}"))?);
        }
        let rules_file = (!default_path || args.rules.exists()).then_some(args.rules.as_path());
        let (default_currency, default_currency_origin) =
            default_currency(args.currency.as_deref(), &rules.company.currency, company, rules_file)?;
        Ok(Self {
            preset: args.preset.or_else(|| rules.input.invoices.preset.clone()),
            date_order_origin: date_order_origin(args.date_order.is_some(), &rules_origin),
            date_order: args.date_order.or(rules.input.date_order),
            decimal_comma: args.decimal_comma || rules.input.decimal_comma,
            encoding: args.encoding,
            invoices,
            mappings,
            record_mappings,
            records,
            as_of,
            rules,
            rules_origin,
            out,
            default_currency,
            default_currency_origin,
        })
    }

    /// Every file the run reads: the inputs, the rules file (when one is read) and the
    /// workspace's `payback.toml` — none may be inside `--out`.
    #[must_use]
    pub fn read_paths(&self) -> Vec<&Path> {
        let rules = Path::new(&self.rules_origin);
        self.invoices
            .iter()
            .chain(self.records.values())
            .map(|f| f.path.as_path())
            .chain([rules, Path::new(crate::config::workspace::FILE_NAME)].into_iter().filter(|p| p.is_file()))
            .collect()
    }

    /// The invoice files, in command-line order, then `--workbook`'s invoices sheet.
    #[must_use]
    pub fn invoices(&self) -> &[InputFile] {
        &self.invoices
    }

    /// The export preset named by `--preset` or the rules; `None` detects it.
    #[must_use]
    pub fn preset(&self) -> Option<&str> {
        self.preset.as_deref()
    }

    /// The file (and sheet) given for a record table (`contacts`, `projects`,
    /// `followups`, `milestones`, `payments`).
    #[must_use]
    pub fn record_file(&self, table: Table) -> Option<&InputFile> {
        self.records.get(&table)
    }

    /// Field → header mappings of a record table (command line over rules file).
    #[must_use]
    pub fn record_mappings(&self, table: Table) -> BTreeMap<String, String> {
        self.record_mappings.get(&table).cloned().unwrap_or_default()
    }

    /// Column mappings, strongest first.
    #[must_use]
    pub fn mappings(&self) -> &[Mapping] {
        &self.mappings
    }

    /// The as-of date.
    #[must_use]
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The merged, validated rules.
    #[must_use]
    pub fn rules(&self) -> &RulesSpec {
        &self.rules
    }

    /// The rules file path, or `built-in defaults`.
    #[must_use]
    pub fn rules_origin(&self) -> &str {
        &self.rules_origin
    }

    /// The output folder.
    #[must_use]
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Order of ambiguous text dates.
    #[must_use]
    pub fn date_order(&self) -> Option<DateOrder> {
        self.date_order
    }

    /// Where the order of ambiguous text dates was set (meaningful when it was).
    #[must_use]
    pub fn date_order_origin(&self) -> &str {
        &self.date_order_origin
    }

    /// How dates and amounts are written in the inputs.
    #[must_use]
    pub fn value_format(&self) -> ValueFormat {
        ValueFormat { date_order: self.date_order, decimal_comma: self.decimal_comma, date1904: false }
    }

    /// The text encoding named for CSV inputs.
    #[must_use]
    pub fn encoding(&self) -> Option<&str> {
        self.encoding.as_deref()
    }

    /// Currency for rows that name none.
    #[must_use]
    pub fn default_currency(&self) -> &Currency {
        &self.default_currency
    }

    /// Where [`RunConfig::default_currency`] was set, for the message that says it is
    /// used: `--currency`, `[company] currency in payback.toml`, … .
    #[must_use]
    pub fn default_currency_origin(&self) -> &str {
        &self.default_currency_origin
    }
}

/// The rules and where they come from: the built-in defaults when `--rules` is left at its
/// default and that file does not exist.
fn load_rules(
    path: &Path,
    default_path: bool,
    company: Option<&toml::Table>,
    report: Option<&toml::Table>,
) -> Result<(RulesSpec, String)> {
    Ok(if default_path && !path.exists() {
        (RulesSpec::load_with(None, company, report)?, "built-in defaults".to_owned())
    } else {
        (RulesSpec::load_with(Some(path), company, report)?, path.display().to_string())
    })
}

/// `--as-of` is checked as it is parsed; the default (today's date) is checked here.
fn check_as_of(as_of: NaiveDate) -> Result<()> {
    if crate::dates::in_range(as_of) {
        Ok(())
    } else {
        Err(Error::BadOption {
            option: format!("--as-of {as_of}"),
            reason: format!("outside the dates payback works with ({})", crate::dates::range_text()),
        })
    }
}

/// The currency of rows that name none, and where it was set: `--currency` (an ISO 4217
/// code) over `[company] currency`.
fn default_currency(
    cli: Option<&str>,
    company_currency: &str,
    company: Option<&toml::Table>,
    rules_file: Option<&Path>,
) -> Result<(Currency, String)> {
    Ok(match cli {
        Some(code) => (
            Currency::parse_known(code).ok_or_else(|| Error::BadOption {
                option: format!("--currency {code}"),
                reason: "not an ISO 4217 currency code; give one such as CNY, USD, EUR or GBP".into(),
            })?,
            "--currency".to_owned(),
        ),
        None => (
            Currency::parse(company_currency)
                .ok_or_else(|| Error::Internal("company.currency passed validation but does not parse".into()))?,
            currency_origin(company, rules_file),
        ),
    })
}

/// Where `[company] currency` comes from when `--currency` is not given: the workspace's
/// payback.toml, the rules file, or the built-in default.
fn currency_origin(company: Option<&toml::Table>, rules: Option<&Path>) -> String {
    if company.is_some_and(|c| c.contains_key("currency")) {
        return "[company] currency in payback.toml".into();
    }
    if let Some(path) = rules {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let set = text.parse::<toml::Table>().ok().is_some_and(|t| {
            t.get("company").and_then(toml::Value::as_table).is_some_and(|c| c.contains_key("currency"))
        });
        if set {
            return format!("[company] currency in {}", path.display());
        }
    }
    "the built-in default [company] currency; set yours with --currency or [company] currency in payback.toml".into()
}

/// Where the order of ambiguous text dates was set: on the command line, else in the rules.
fn date_order_origin(on_command_line: bool, rules_origin: &str) -> String {
    if on_command_line { "--date-order".to_owned() } else { format!("{rules_origin}: [input] date_order") }
}

/// The sheets of `--workbook` to read, per table: the sheet the rules (or `--sheet` for the
/// invoices) name — which must exist — else the first of the table's default names found.
fn workbook_sheets(
    path: &Path,
    configured: &dyn Fn(Table) -> Option<String>,
    limits: &crate::ingest::Limits,
) -> Result<Vec<(Table, String)>> {
    let names = crate::ingest::workbook::sheet_names(path, limits)?;
    let key = |name: &str| crate::normalize::schema::header_key(name);
    let mut found = Vec::new();
    for (table, defaults) in WORKBOOK_SHEETS {
        let sheet = match configured(table) {
            Some(wanted) => Some(names.iter().find(|n| **n == wanted).cloned().ok_or_else(|| Error::UnknownSheet {
                location: crate::error::Location::file(path),
                sheet: wanted.clone(),
                available: names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "),
            })?),
            None => defaults.iter().find_map(|d| names.iter().find(|n| key(n) == key(d)).cloned()),
        };
        if let Some(sheet) = sheet {
            found.push((table, sheet));
        }
    }
    Ok(found)
}
