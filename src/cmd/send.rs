//! `payback send OUT_DIR`: list, or with `--yes` send, a run's emails over SMTP, every
//! attempt recorded in the state database.
use std::fmt::Write as _;
use std::path::Path;

use crate::Outcome;
use crate::cli::SendArgs;
use crate::config::DEFAULT_RULES_PATH;
use crate::config::rules_file::RulesSpec;
use crate::config::workspace::WorkspaceFile;
use crate::delivery::{self as send, Options, Security};
use crate::error::{Error, Result};

/// The environment variable holding the SMTP password.
pub(crate) const PASSWORD_VARIABLE: &str = "PAYBACK_SMTP_PASSWORD";

/// The company email: `[company] email` of payback.toml when it has one, else the rules
/// file's (the same choice `run` made when it built the messages).
fn sender(args: &mut SendArgs, workspace: Option<&WorkspaceFile>) -> Result<String> {
    if let Some(w) = workspace {
        if let Some(rules) = &w.run.rules
            && args.rules == Path::new(DEFAULT_RULES_PATH)
        {
            args.rules.clone_from(rules);
        }
        if let Some(state) = &w.run.state
            && args.state == Path::new("state")
        {
            args.state.clone_from(state);
        }
        if let Some(email) = w.company.as_ref().and_then(|c| c.get("email")).and_then(|e| e.as_str()) {
            return Ok(email.to_owned());
        }
    }
    let rules_path =
        (args.rules != Path::new(DEFAULT_RULES_PATH) || args.rules.exists()).then_some(args.rules.as_path());
    Ok(RulesSpec::load(rules_path)?.company.email)
}

/// Whether the SMTP server `HOST:PORT` is this machine (`localhost`, `127.x.x.x`, `::1`).
fn on_this_machine(server: &str) -> bool {
    let host = server.rsplit_once(':').map_or(server, |(host, _)| host).trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Payback's example identity never goes to a real mail server: its letters name an
/// example company and an example bank account. A server on this machine (a
/// test's, a local relay for trying) takes them.
fn refuse_the_example(args: &SendArgs, sender: &str) -> Result<()> {
    if args.yes && sender.ends_with(crate::config::rules_file::EXAMPLE_DOMAIN) && !on_this_machine(&args.smtp) {
        return Err(Error::BadOption {
            option: format!("--smtp {} --yes", args.smtp),
            reason: format!(
                "the sender {sender} is payback's example: the company details (name, bank account, tax id) are \
                 still the example; put your own under [company] and [company.zh] in payback.toml, run again, then send"
            ),
        });
    }
    Ok(())
}

/// Sends or lists the outbox.
///
/// # Errors
/// A bad rules file, a missing outbox, a server that cannot be reached, a state database
/// that cannot be written.
pub(crate) fn exec(args: &SendArgs) -> Result<Outcome> {
    let mut args = args.clone();
    let workspace = WorkspaceFile::read(Path::new("."))?;
    let sender = sender(&mut args, workspace.as_ref())?;
    refuse_the_example(&args, &sender)?;
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
    let out = std::path::absolute(&args.out_dir)
        .map_err(|e| Error::BadOption { option: args.out_dir.display().to_string(), reason: e.to_string() })?;
    let options = Options {
        out,
        server: args.smtp.clone(),
        security,
        credentials,
        sender,
        yes: args.yes,
        bcc: args.bcc.clone(),
        only: args.only.clone(),
        skip: args.skip.clone(),
        resend_in_doubt: args.resend_in_doubt,
        mark_sent: args.mark_sent.clone(),
    };
    let (db, warnings) = crate::state::Db::open(&args.state)?;
    let report = send::send(&options, &db)?;
    drop(db);
    let mut message = String::new();
    if !args.yes && !report.pending.is_empty() {
        let _ = writeln!(message, "dry run: nothing sent; add --yes to send these {} messages:", report.pending.len());
        for file in &report.pending {
            let _ = writeln!(message, "  {file}");
        }
    }
    for file in &report.sent {
        let _ = writeln!(message, "sent {file}");
    }
    for file in &report.marked {
        let _ = writeln!(message, "recorded as sent (by you) {file}");
    }
    for (file, how) in &report.skipped {
        let _ = writeln!(message, "kept back {file}: {how}");
    }
    for (file, why) in &report.unusable {
        let _ = writeln!(message, "not sent {file}: {why}");
    }
    if let Some((file, answer)) = &report.refused {
        let _ = writeln!(message, "refused {file}: {answer}");
    }
    if let Some((file, error)) = &report.broke {
        let _ = writeln!(message, "no answer for {file}: {error}");
    }
    if report.refused.is_some() || report.broke.is_some() {
        let _ = writeln!(message, "stopped: {} sent, {} not sent:", report.sent.len(), report.pending.len());
        for file in report.pending.iter().filter(|_| args.yes) {
            let _ = writeln!(message, "  not sent {file}");
        }
    }
    if !report.in_doubt.is_empty() {
        let _ = writeln!(
            message,
            "in doubt (it is not known whether the server received them): check the recipients' mailbox or your sent/archive folder, then run again with --resend-in-doubt, or record them with --mark-sent ID:"
        );
        for (file, id, since) in &report.in_doubt {
            let _ = writeln!(message, "  {file} {id} (attempted {since})");
        }
    }
    let _ = write!(
        message,
        "{} sent now, {} sent before (skipped), {} not sent, {} in doubt, {} kept back",
        report.sent.len() + report.marked.len(),
        report.already.len(),
        report.pending.len() + report.unusable.len(),
        report.in_doubt.len(),
        report.skipped.len(),
    );
    let needs_a_person = report.refused.is_some()
        || report.broke.is_some()
        || !report.in_doubt.is_empty()
        || !report.unusable.is_empty();
    Ok(Outcome { message, exit_code: u8::from(needs_a_person), warnings })
}
