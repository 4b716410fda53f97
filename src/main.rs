//! The `payback` binary: parse the command line, call the library, print the outcome once.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = payback::cli::Cli::parse();
    match payback::run(cli, chrono::Local::now().date_naive()) {
        Ok(outcome) => {
            println!("{}", outcome.message);
            ExitCode::from(outcome.exit_code)
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
