//! `payback init DIR`, `payback completions SHELL`, `payback man`.
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
pub fn exec(args: &InitArgs) -> Result<Outcome> {
    let currency = match &args.currency {
        Some(code) => Currency::parse_known(code).ok_or_else(|| Error::BadOption {
            option: format!("--currency {code}"),
            reason: "not an ISO 4217 currency code; give one such as CNY, USD, EUR or GBP".into(),
        })?,
        None => Currency::parse("CNY").ok_or_else(|| Error::Internal("CNY does not parse".into()))?,
    };
    let files = workspace::init(&args.dir, &currency, args.language.as_deref())?;
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

/// The completion script for `shell`.
#[must_use]
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "payback", &mut out);
    Outcome { message: String::from_utf8_lossy(&out).trim_end().to_owned(), exit_code: 0, warnings: Vec::new() }
}

/// The man page.
///
/// # Errors
/// Only an internal rendering error.
pub fn man() -> Result<Outcome> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out).map_err(Error::internal)?;
    Ok(Outcome { message: String::from_utf8_lossy(&out).trim_end().to_owned(), exit_code: 0, warnings: Vec::new() })
}
