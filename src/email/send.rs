//! Sending a run's outbox over SMTP: dry-run unless told otherwise, each message recorded
//! in `sent.csv` as soon as the server accepts it (so a second send does not resend), and a
//! clean stop at the first refusal.
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, SmtpTransport, Transport};

use super::compose::{OUTBOX, OutboxEntry};
use crate::error::{Error, Result};

/// The record of sent messages inside the output folder.
pub const SENT: &str = "sent.csv";

/// How to reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain SMTP (a relay on the local network).
    Plain,
    /// Plain, then STARTTLS.
    StartTls,
    /// TLS from the start (SMTPS).
    Tls,
}

/// What `send` needs.
#[derive(Debug, Clone)]
pub struct Options {
    /// A run's `--out` folder.
    pub out: PathBuf,
    /// `HOST:PORT`.
    pub server: String,
    /// Transport security.
    pub security: Security,
    /// Login, with the password from the environment.
    pub credentials: Option<(String, String)>,
    /// The envelope sender (`company.email`).
    pub sender: String,
    /// Send for real; otherwise only list.
    pub yes: bool,
    /// Timestamp recorded with each sent message.
    pub now: String,
}

/// What happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Messages sent now.
    pub sent: Vec<String>,
    /// Messages already sent earlier (skipped).
    pub already: Vec<String>,
    /// Messages not sent (dry run, or after a refusal).
    pub pending: Vec<String>,
    /// The refusal that stopped the run: file and server answer.
    pub refused: Option<(String, String)>,
}

/// Sends (or lists) the outbox of `options.out`.
///
/// # Errors
/// [`Error::Unreadable`] for a missing or malformed outbox, [`Error::Email`] for a server
/// that cannot be reached or an address that is not one.
pub fn send(options: &Options) -> Result<Report> {
    let entries = read_outbox(&options.out)?;
    let sent_ids = read_sent(&options.out)?;
    let mut report = Report::default();
    let mut transport = None;
    for entry in entries {
        if sent_ids.contains(&entry.message_id) {
            report.already.push(entry.file);
            continue;
        }
        if !options.yes || report.refused.is_some() {
            report.pending.push(entry.file);
            continue;
        }
        let transport = match &transport {
            Some(t) => t,
            None => transport.insert(connect(options)?),
        };
        let bytes = std::fs::read(options.out.join(&entry.file)).map_err(|e| Error::Unreadable {
            location: crate::error::Location::file(options.out.join(&entry.file)),
            reason: e.to_string(),
        })?;
        let envelope = envelope(&options.sender, &entry)?;
        match transport.send_raw(&envelope, &bytes) {
            Ok(_) => {
                record(&options.out, &entry, &options.now)?;
                report.sent.push(entry.file);
            }
            Err(e) => {
                report.refused = Some((entry.file.clone(), e.to_string()));
                report.pending.push(entry.file);
            }
        }
    }
    Ok(report)
}

fn connect(options: &Options) -> Result<SmtpTransport> {
    let fail = |reason: String| Error::Email { reason: format!("--smtp {}: {reason}", options.server) };
    let (host, port) = options
        .server
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
        .ok_or_else(|| fail("write it as HOST:PORT, e.g. smtp.example.com:587".into()))?;
    let builder = match options.security {
        Security::Plain => SmtpTransport::builder_dangerous(host),
        Security::StartTls => SmtpTransport::starttls_relay(&host).map_err(|e| fail(e.to_string()))?,
        Security::Tls => SmtpTransport::relay(&host).map_err(|e| fail(e.to_string()))?,
    };
    let mut builder = builder.port(port).timeout(Some(Duration::from_secs(30)));
    if let Some((user, password)) = &options.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

fn envelope(sender: &str, entry: &OutboxEntry) -> Result<Envelope> {
    let parse = |a: &str| -> Result<Address> {
        a.trim().parse().map_err(|e| Error::Email {
            reason: format!("{}: \"{}\" is not an address: {e}", entry.file, a.escape_debug()),
        })
    };
    let recipients = entry
        .to
        .split(';')
        .chain(entry.cc.split(';'))
        .filter(|a| !a.trim().is_empty())
        .map(parse)
        .collect::<Result<Vec<_>>>()?;
    Envelope::new(Some(parse(sender)?), recipients).map_err(|e| Error::Email { reason: format!("{}: {e}", entry.file) })
}

fn read_outbox(out: &Path) -> Result<Vec<OutboxEntry>> {
    let path = out.join(OUTBOX);
    let unreadable = |reason: String| Error::Unreadable { location: crate::error::Location::file(&path), reason };
    let mut reader =
        csv::Reader::from_path(&path).map_err(|e| unreadable(format!("{e}; is this the --out folder of a run?")))?;
    reader.deserialize().map(|row| row.map_err(|e| unreadable(e.to_string()))).collect()
}

fn read_sent(out: &Path) -> Result<Vec<String>> {
    let path = out.join(SENT);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut reader = csv::Reader::from_path(&path)
        .map_err(|e| Error::Unreadable { location: crate::error::Location::file(&path), reason: e.to_string() })?;
    reader
        .records()
        .map(|r| {
            r.map(|r| r.get(0).unwrap_or_default().to_owned())
                .map_err(|e| Error::Unreadable { location: crate::error::Location::file(&path), reason: e.to_string() })
        })
        .collect()
}

/// Appends one sent message to `sent.csv` and flushes it, before the next is sent.
fn record(out: &Path, entry: &OutboxEntry, now: &str) -> Result<()> {
    let path = out.join(SENT);
    let fail = |e: std::io::Error| Error::Output { path: path.clone(), reason: e.to_string() };
    let new = !path.exists();
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(fail)?;
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    if new {
        writer.write_record(["message_id", "file", "to", "cc", "sent_at"]).map_err(Error::internal)?;
    }
    writer.write_record([&entry.message_id, &entry.file, &entry.to, &entry.cc, now]).map_err(Error::internal)?;
    file.write_all(&writer.into_inner().map_err(Error::internal)?).map_err(fail)?;
    file.sync_all().map_err(fail)
}
