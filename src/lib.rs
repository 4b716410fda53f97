//! payback reads accounts-receivable exports, ages every open amount as of a date and
//! writes an Excel aging report plus a machine-readable summary.
//!
//! The pipeline, one module per stage (ARCHITECTURE.md has the picture and the order of
//! the imports): `ingest` (spreadsheet → raw rows) → [`normalize`] (typed invoices,
//! records and rejected rows) → [`config`] (the run's settings) → `ledger` (inputs
//! loaded, payments matched, control totals) → [`aging`] (open items as of the date) →
//! [`rules`] (one decision per account) → `metrics` → [`email`] (letters) → `state` (the
//! history database) → [`report`] (workbook, JSON) → `pipeline` (the chain run and explain
//! share) → `delivery` (SMTP) → [`cli`] and `cmd` (the commands).
#![warn(missing_docs)]

pub mod aging;
pub(crate) mod catalogue;
pub mod cli;
pub(crate) mod cmd;
pub mod config;
pub(crate) mod dates;
pub(crate) mod delivery;
pub mod email;
pub mod error;
pub(crate) mod ingest;
pub(crate) mod ledger;
pub(crate) mod metrics;
pub mod money;
pub mod normalize;
pub(crate) mod output;
pub(crate) mod pipeline;
pub(crate) mod priority;
pub mod report;
pub mod rules;
pub(crate) mod state;

pub use error::{Error, Result};

/// What a finished command reports to the user: a one-paragraph message and the exit code
/// (0 ok, 1 ran but found problems such as rejected rows).
#[derive(Debug)]
pub struct Outcome {
    /// Human-readable summary printed on stdout.
    pub message: String,
    /// Process exit code.
    pub exit_code: u8,
    /// Things the user must know although the command succeeded (e.g. amounts read in the
    /// default currency), printed once each on stderr as `warning: …`.
    pub warnings: Vec<String>,
}

/// Runs the command named on the command line.
///
/// # Errors
/// Any [`Error`] that stops the command; its [`Error::exit_code`] is 2.
/// `today` is the as-of date when none is given.
pub fn run(cli: cli::Cli, today: chrono::NaiveDate) -> Result<Outcome> {
    match cli.command {
        cli::Command::Run(args) => cmd::run::exec(args, today),
        cli::Command::Check(args) => cmd::check::exec(args, today),
        cli::Command::Explain(args) => cmd::explain::exec(args, today),
        cli::Command::Send(args) => cmd::send::exec(&args),
        cli::Command::History(args) => cmd::history::exec(&args),
        cli::Command::Db(command) => cmd::db::exec(&command),
        cli::Command::Init(args) => cmd::init::exec(&args),
        cli::Command::Completions(args) => Ok(cmd::init::completions(args.shell)),
        cli::Command::Man => cmd::init::man(),
    }
}
