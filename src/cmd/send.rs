//! `payback send OUT_DIR`: list, or with `--yes` send, a run's emails over SMTP.
use std::fmt::Write as _;
use std::path::Path;

use crate::Outcome;
use crate::cli::SendArgs;
use crate::config::DEFAULT_RULES_PATH;
use crate::email::send::{self, Options, Security};
use crate::error::{Error, Result};
use crate::rules::spec::RulesSpec;

/// The environment variable holding the SMTP password.
pub const PASSWORD_VARIABLE: &str = "PAYBACK_SMTP_PASSWORD";

/// Sends or lists the outbox.
///
/// # Errors
/// A bad rules file, a missing outbox, a server that cannot be reached.
pub fn exec(args: &SendArgs) -> Result<Outcome> {
    let rules_path =
        (args.rules != Path::new(DEFAULT_RULES_PATH) || args.rules.exists()).then_some(args.rules.as_path());
    let rules = RulesSpec::load(rules_path)?;
    let credentials = match &args.user {
        Some(user) => {
            let password = std::env::var(PASSWORD_VARIABLE).map_err(|_| Error::BadOption {
                option: "--user".into(),
                reason: format!("set the password in the environment variable {PASSWORD_VARIABLE}"),
            })?;
            Some((user.clone(), password))
        }
        None => None,
    };
    let security = if args.tls {
        Security::Tls
    } else if args.starttls {
        Security::StartTls
    } else {
        Security::Plain
    };
    let options = Options {
        out: args.out_dir.clone(),
        server: args.smtp.clone(),
        security,
        credentials,
        sender: rules.company.email.clone(),
        yes: args.yes,
        now: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    let report = send::send(&options)?;
    let mut message = String::new();
    if !args.yes {
        let _ = writeln!(message, "dry run: nothing sent; add --yes to send these {} messages:", report.pending.len());
        for file in &report.pending {
            let _ = writeln!(message, "  {file}");
        }
    }
    for file in &report.sent {
        let _ = writeln!(message, "sent {file}");
    }
    if let Some((file, answer)) = &report.refused {
        let _ = writeln!(message, "refused {file}: {answer}");
        let _ = writeln!(message, "stopped: {} sent, {} not sent:", report.sent.len(), report.pending.len());
        for file in &report.pending {
            let _ = writeln!(message, "  not sent {file}");
        }
    }
    let _ = write!(
        message,
        "{} sent now, {} sent before (skipped), {} not sent",
        report.sent.len(),
        report.already.len(),
        report.pending.len()
    );
    Ok(Outcome { message, exit_code: u8::from(report.refused.is_some()), warnings: Vec::new() })
}
