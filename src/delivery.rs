//! Sending a run's outbox over SMTP, each attempt recorded in the state database
//! (table `deliveries`): `attempting` is committed before the message goes to the server
//! and `sent` after the server's 250, so a message is never sent twice without a person's
//! decision. A message whose attempt broke off after its data went out (or whose sender was
//! killed) is *in doubt*: later sends hold it and list it until a person resends it
//! (`--resend-in-doubt`) or records it as sent (`--mark-sent`). A person can keep messages
//! back (`send` column `no` in `outbox.csv`, `--skip`, `--only`); a missing file or one
//! outside the run's `emails/` and `internal/` folders is reported and skipped. Dry run
//! unless told otherwise; a clean stop at the first refusal.
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, SmtpTransport, Transport};

use crate::email::compose::{OUTBOX, OutboxEntry};
use crate::error::{Error, Location, Result};
use crate::state::Db;
use crate::state::store::{self, Delivery};

/// How to reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Security {
    /// Plain SMTP (a relay on the local network).
    Plain,
    /// Plain, then STARTTLS.
    StartTls,
    /// TLS from the start (SMTPS).
    Tls,
}

/// What `send` needs.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// A run's `--out` folder.
    pub out: PathBuf,
    /// `HOST:PORT`.
    pub server: String,
    /// Transport security.
    pub security: Security,
    /// Login, with the password from the environment.
    pub credentials: Option<(String, String)>,
    /// The envelope sender and the From address (`company.email`).
    pub sender: String,
    /// Send for real; otherwise only list.
    pub yes: bool,
    /// A blind copy of every message to this archive address (envelope only).
    pub bcc: Option<String>,
    /// Send only these messages (Message-ID or file); empty: all.
    pub only: Vec<String>,
    /// Never send these (Message-ID or file).
    pub skip: Vec<String>,
    /// Send again the messages in doubt (a person checked they did not arrive).
    pub resend_in_doubt: bool,
    /// Record these messages as sent without sending (a person found them delivered).
    pub mark_sent: Vec<String>,
}

/// What happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Report {
    /// Messages sent now.
    pub sent: Vec<String>,
    /// Messages sent earlier (skipped).
    pub already: Vec<String>,
    /// Messages recorded as sent by a person now (`--mark-sent`).
    pub marked: Vec<String>,
    /// Messages not sent (dry run, or after a refusal).
    pub pending: Vec<String>,
    /// Messages held because it is not known whether an earlier attempt arrived: file,
    /// Message-ID and since when.
    pub in_doubt: Vec<(String, String, String)>,
    /// Messages a person kept back, with how.
    pub skipped: Vec<(String, String)>,
    /// Messages not sent because of their file: missing, outside the run's folders, or a
    /// From that is not the company's address; with the reason.
    pub unusable: Vec<(String, String)>,
    /// The refusal that stopped the run: file and server answer.
    pub refused: Option<(String, String)>,
    /// The attempt that broke off after the data went out: file and error.
    pub broke: Option<(String, String)>,
}

/// Whether `id` names `entry`: its Message-ID (with or without `<>`), file or file name.
fn names(id: &str, entry: &OutboxEntry) -> bool {
    let id = id.trim();
    let bare = entry.message_id.trim_start_matches('<').trim_end_matches('>');
    id == entry.message_id
        || id == bare
        || id == entry.file
        || Path::new(&entry.file).file_name().is_some_and(|n| n.to_string_lossy() == id)
}

/// Sends (or lists) the outbox of `options.out`, recording every attempt in `db`.
///
/// # Errors
/// [`Error::Unreadable`] for a missing or malformed outbox, [`Error::Email`] for a server
/// that cannot be reached or an address that is not one, [`Error::State`] when the
/// database cannot be written (then nothing more is sent).
pub(crate) fn send(options: &Options, db: &Db) -> Result<Report> {
    let entries = read_outbox(&options.out)?;
    for id in options.only.iter().chain(&options.skip).chain(&options.mark_sent) {
        if !entries.iter().any(|(_, e)| names(id, e)) {
            return Err(Error::BadOption {
                option: id.clone(),
                reason: format!("no message in {} has this Message-ID or file", options.out.join(OUTBOX).display()),
            });
        }
    }
    let deliveries: HashMap<String, Delivery> = store::deliveries(db)?;
    let mut report = Report::default();
    let mut transport = None;
    for (wanted, entry) in entries {
        let file = entry.file.clone();
        if let Err(why) = confined(&options.out, &file) {
            report.unusable.push((file, why));
            continue;
        }
        let delivery = deliveries.get(&entry.message_id).cloned().unwrap_or(Delivery::NotSent);
        if let Delivery::Sent(_) = delivery {
            report.already.push(file);
            continue;
        }
        if options.mark_sent.iter().any(|id| names(id, &entry)) {
            let recipients = recipients(&entry, options.bcc.as_deref());
            let attempt = store::begin_attempt(db, &entry, &options.out, &recipients)?;
            store::finish_attempt(db, attempt, "sent", "marked sent by a person (payback send --mark-sent)")?;
            report.marked.push(file);
            continue;
        }
        if let Delivery::InDoubt(since) = &delivery
            && !options.resend_in_doubt
        {
            report.in_doubt.push((file, entry.message_id.clone(), since.clone()));
            continue;
        }
        let kept = if !wanted {
            Some("send column of outbox.csv is \"no\"")
        } else if options.skip.iter().any(|id| names(id, &entry)) {
            Some("--skip")
        } else if !options.only.is_empty() && !options.only.iter().any(|id| names(id, &entry)) {
            Some("not named by --only")
        } else {
            None
        };
        if let Some(how) = kept {
            report.skipped.push((file, how.to_owned()));
            continue;
        }
        let bytes = match std::fs::read(options.out.join(&file)) {
            Ok(bytes) => bytes,
            Err(e) => {
                report.unusable.push((file, format!("cannot read the file: {e}")));
                continue;
            }
        };
        if let Err(why) = from_is(&bytes, &options.sender) {
            report.unusable.push((file, why));
            continue;
        }
        if !options.yes || report.refused.is_some() || report.broke.is_some() {
            report.pending.push(file);
            continue;
        }
        let transport = match &transport {
            Some(t) => t,
            None => transport.insert(connect(options)?),
        };
        let envelope = envelope(&options.sender, &entry, options.bcc.as_deref())?;
        let bytes = with_date(&bytes, &chrono::Utc::now().to_rfc2822());
        let attempt = store::begin_attempt(db, &entry, &options.out, &recipients(&entry, options.bcc.as_deref()))?;
        match transport.send_raw(&envelope, &bytes) {
            Ok(response) => {
                let answer = format!("{} {}", response.code(), response.message().collect::<Vec<_>>().join(" "));
                store::finish_attempt(db, attempt, "sent", &answer)?;
                report.sent.push(file);
            }
            // The server answered no (4xx or 5xx): not delivered, can be sent again.
            Err(e) if e.is_permanent() || e.is_transient() => {
                store::finish_attempt(db, attempt, "refused", &e.to_string())?;
                report.refused = Some((file.clone(), e.to_string()));
                report.pending.push(file);
            }
            // No answer: the data may have arrived. A person decides.
            Err(e) => {
                store::finish_attempt(db, attempt, "in_doubt", &e.to_string())?;
                report.broke = Some((file.clone(), e.to_string()));
                report.in_doubt.push((file, entry.message_id.clone(), crate::state::now()));
            }
        }
    }
    Ok(report)
}

/// The file must be an `.eml` under the run's `emails/` or `internal/` folder (a
/// hand-edited outbox naming any other file is refused).
fn confined(out: &Path, file: &str) -> std::result::Result<(), String> {
    let path = Path::new(file);
    let mut parts = path.components();
    let first_ok = matches!(parts.next(), Some(Component::Normal(f)) if f == "emails" || f == "internal");
    let rest_ok = parts.all(|c| matches!(c, Component::Normal(_)));
    let eml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"));
    if !(first_ok && rest_ok && eml && path.components().count() == 2) {
        return Err("not an .eml file of the run's emails/ or internal/ folder: refused".into());
    }
    // A link inside those folders must not lead out of them either.
    if let (Ok(real), Ok(folder)) =
        (std::fs::canonicalize(out.join(path)), std::fs::canonicalize(out.join(path.parent().unwrap_or(Path::new("")))))
        && !real.starts_with(&folder)
    {
        return Err(format!("leads to {} outside the run's folder: refused", real.display()));
    }
    Ok(())
}

/// The message's From must be the company's address (the envelope sender).
fn from_is(bytes: &[u8], sender: &str) -> std::result::Result<(), String> {
    let head = header_block(bytes);
    let text = String::from_utf8_lossy(head);
    let from = text
        .split("\r\n")
        .find(|l| l.len() > 5 && l[..5].eq_ignore_ascii_case("from:"))
        .map(|l| l[5..].trim().to_owned())
        .unwrap_or_default();
    let address = from.rsplit_once('<').map_or(from.as_str(), |(_, a)| a.trim_end_matches('>')).trim();
    if address.eq_ignore_ascii_case(sender.trim()) {
        Ok(())
    } else {
        Err(format!(
            "its From is {address:?}, the company email is {sender:?} (payback.toml wins over the rules file): run again to rebuild the messages"
        ))
    }
}

fn header_block(bytes: &[u8]) -> &[u8] {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").map_or(bytes.len(), |i| i + 2);
    &bytes[..end]
}

/// The message with its `Date:` header set to `date` (the time of sending); the file on
/// disk keeps the as-of date so that reruns give the same bytes.
#[must_use]
pub(crate) fn with_date(bytes: &[u8], date: &str) -> Vec<u8> {
    let head_len = header_block(bytes).len();
    let head = &bytes[..head_len];
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut replaced = false;
    let mut start = 0;
    while start < head.len() {
        let end = head[start..].windows(2).position(|w| w == b"\r\n").map_or(head.len(), |i| start + i + 2);
        let line = &head[start..end];
        if !replaced && line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"date:") {
            out.extend_from_slice(format!("Date: {date}\r\n").as_bytes());
            replaced = true;
        } else {
            out.extend_from_slice(line);
        }
        start = end;
    }
    if !replaced {
        let mut with = format!("Date: {date}\r\n").into_bytes();
        with.extend_from_slice(&out);
        out = with;
    }
    out.extend_from_slice(&bytes[head_len..]);
    out
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
    let transport = builder.build();
    // Reached before anything is attempted: a server that is not there is not "in doubt".
    match transport.test_connection() {
        Ok(true) => Ok(transport),
        Ok(false) => Err(fail("the server does not answer".into())),
        Err(e) => Err(fail(e.to_string())),
    }
}

fn recipients(entry: &OutboxEntry, bcc: Option<&str>) -> Vec<String> {
    entry
        .to
        .split(';')
        .chain(entry.cc.split(';'))
        .chain(bcc)
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

fn envelope(sender: &str, entry: &OutboxEntry, bcc: Option<&str>) -> Result<Envelope> {
    let parse = |a: &str| -> Result<Address> {
        a.trim().parse().map_err(|e| Error::Email {
            reason: format!("{}: \"{}\" is not an address: {e}", entry.file, a.escape_debug()),
        })
    };
    let to = recipients(entry, bcc).iter().map(|a| parse(a)).collect::<Result<Vec<_>>>()?;
    Envelope::new(Some(parse(sender)?), to).map_err(|e| Error::Email { reason: format!("{}: {e}", entry.file) })
}

/// The outbox's rows, each with whether its `send` column allows it (absent: yes).
fn read_outbox(out: &Path) -> Result<Vec<(bool, OutboxEntry)>> {
    let path = out.join(OUTBOX);
    let unreadable = |row: Option<usize>, reason: String| Error::Unreadable {
        location: Location { row, ..Location::file(&path) },
        reason,
    };
    let mut reader = csv::Reader::from_path(&path)
        .map_err(|e| unreadable(None, format!("{e}; is this the --out folder of a run?")))?;
    let headers = reader.headers().map_err(|e| unreadable(Some(1), e.to_string()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let send_column = column("send");
    let mut out_rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = Some(i + 2);
        let record = record.map_err(|e| unreadable(row, e.to_string()))?;
        let entry: OutboxEntry = record.deserialize(Some(&headers)).map_err(|e| unreadable(row, e.to_string()))?;
        let wanted = match send_column.and_then(|c| record.get(c)).map(|v| v.trim().to_ascii_lowercase()) {
            None => true,
            Some(v) if v.is_empty() || v == "yes" || v == "y" => true,
            Some(v) if v == "no" || v == "n" => false,
            Some(v) => return Err(unreadable(row, format!("send is \"{v}\": write yes or no"))),
        };
        out_rows.push((wanted, entry));
    }
    Ok(out_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_header_is_the_time_of_sending_and_the_rest_is_unchanged() {
        let eml = b"From: A <a@x.example>\r\nDate: Mon, 30 Nov 2026 00:00:00 +0000\r\nSubject: s\r\n\r\nDate: body\r\n";
        let sent = with_date(eml, "Thu, 3 Dec 2026 10:11:12 +0000");
        assert_eq!(
            String::from_utf8(sent).unwrap(),
            "From: A <a@x.example>\r\nDate: Thu, 3 Dec 2026 10:11:12 +0000\r\nSubject: s\r\n\r\nDate: body\r\n"
        );
        assert!(from_is(eml, "a@x.example").is_ok());
        assert!(from_is(eml, "b@x.example").unwrap_err().contains("its From is \"a@x.example\""));
    }

    #[test]
    fn only_files_of_the_runs_email_folders_are_sent() {
        let dir = tempfile::tempdir().unwrap();
        assert!(confined(dir.path(), "emails/001-x.eml").is_ok());
        assert!(confined(dir.path(), "internal/000-y.eml").is_ok());
        for bad in
            ["../etc/passwd", "/etc/passwd", "emails/../../x.eml", "emails/a/b.eml", "other/x.eml", "emails/x.txt"]
        {
            assert!(confined(dir.path(), bad).is_err(), "{bad}");
        }
    }
}
