//! `payback init DIR`, `payback completions SHELL`, `payback man`.
use clap::CommandFactory;

use crate::cli::{Cli, InitArgs};
use crate::error::{Error, Result};
use crate::{Outcome, workspace};

/// Creates a workspace.
///
/// # Errors
/// A folder that exists and is not empty, a file that cannot be written.
pub fn exec(args: &InitArgs) -> Result<Outcome> {
    let files = workspace::init(&args.dir)?;
    let dir = args.dir.display();
    Ok(Outcome {
        message: format!(
            "created {dir} with {files} files: payback.toml, rules/, templates/ and sample-data/\n\
             next: cd {dir} && payback run --as-of 2026-11-30   (the sample data is as of that date)\n\
             then put your own exports in payback.toml and your company and bank details under [company]"
        ),
        exit_code: 0,
    })
}

/// The completion script for `shell`.
#[must_use]
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "payback", &mut out);
    Outcome { message: String::from_utf8_lossy(&out).trim_end().to_owned(), exit_code: 0 }
}

/// The man page.
///
/// # Errors
/// Only an internal rendering error.
pub fn man() -> Result<Outcome> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out).map_err(Error::internal)?;
    Ok(Outcome { message: String::from_utf8_lossy(&out).trim_end().to_owned(), exit_code: 0 })
}
