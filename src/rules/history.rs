//! The collection history: what earlier runs decided and what `send` delivered, read from
//! the state database (`state/payback.db`, see [`crate::state`]). The next run reads it so
//! that escalation moves up the ladder instead of repeating a stage and the cadence holds.
//!
//! A message counts as contact only when it was *sent* (a delivery the SMTP server
//! accepted): the queries the rules decide with ([`History::entries`],
//! [`History::entries_for`], [`History::last_message_to`]) see sent messages and tasks for
//! our side; messages prepared by a run and never sent are kept apart
//! ([`History::prepared`]) for `explain` and `payback history`.
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The collection log's file name of earlier releases inside `--state` (JSON lines),
/// imported into the database on the first run.
pub const FILE_NAME: &str = "collection-log.jsonl";

/// One message or task a run decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// The run's as-of date.
    pub as_of: NaiveDate,
    /// Customer name.
    pub customer: String,
    /// Currency code.
    pub currency: String,
    /// Stage id.
    pub stage: String,
    /// `message` or `manual`.
    pub kind: String,
    /// Invoices covered.
    pub invoice_nos: Vec<String>,
    /// Recipients.
    pub to: Vec<String>,
    /// Copies.
    #[serde(default)]
    pub cc: Vec<String>,
    /// Template name (messages).
    #[serde(default)]
    pub template: Option<String>,
    /// Amount covered, decimal text in `currency`.
    #[serde(default)]
    pub amount: String,
    /// Subject line (messages).
    #[serde(default)]
    pub subject: Option<String>,
    /// The message's Message-ID (messages).
    #[serde(default)]
    pub message_id: Option<String>,
    /// When the SMTP server accepted it (UTC, RFC 3339); `None`: prepared, never sent.
    #[serde(default)]
    pub sent_at: Option<String>,
}

impl LogEntry {
    /// Whether this entry happened: a task for our side, or a message the server accepted.
    #[must_use]
    pub fn happened(&self) -> bool {
        self.kind != "message" || self.sent_at.is_some()
    }
}

/// The history: what happened (sent messages, tasks), and messages prepared but never sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<LogEntry>,
    prepared: Vec<LogEntry>,
}

impl History {
    /// Reads the history from the state database in `state` (read-only); a state folder of
    /// an earlier release (JSON lines, not imported yet) is read as it is; none is empty.
    ///
    /// # Errors
    /// [`crate::Error::State`] for a database that cannot be read, [`crate::Error::Unreadable`]
    /// naming the file and line of an old log entry that does not parse.
    pub fn load(state: &Path) -> Result<Self> {
        crate::state::store::load_history(state, true)
    }

    /// [`History::load`] without the messages prepared and never sent ([`History::prepared`]
    /// is empty): what the rules decide with, for `run` (from the database; a state folder of
    /// JSON lines is read whole).
    ///
    /// # Errors
    /// As [`History::load`].
    pub fn load_contacts(state: &Path) -> Result<Self> {
        crate::state::store::load_history(state, false)
    }

    /// Builds the history from entries in date order: those that happened
    /// ([`LogEntry::happened`]) count as contact, the others are kept as prepared.
    #[must_use]
    pub fn from_entries(all: Vec<LogEntry>) -> Self {
        let (entries, prepared) = all.into_iter().partition(LogEntry::happened);
        Self { entries, prepared }
    }

    /// The entries before `as_of` that covered `invoice_no` of `customer` (sent messages
    /// and tasks).
    #[must_use]
    pub fn entries_for(&self, customer: &str, invoice_no: &str, as_of: NaiveDate) -> Vec<&LogEntry> {
        self.entries
            .iter()
            .filter(|e| e.as_of < as_of && e.customer == customer && e.invoice_nos.iter().any(|n| n == invoice_no))
            .collect()
    }

    /// Every entry that happened (sent messages, tasks), in date order.
    #[must_use]
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// Messages prepared by a run and never sent, in date order.
    #[must_use]
    pub fn prepared(&self) -> &[LogEntry] {
        &self.prepared
    }

    /// The last date before `as_of` on which a message was sent to `email`.
    #[must_use]
    pub fn last_message_to(&self, email: &str, as_of: NaiveDate) -> Option<NaiveDate> {
        self.entries
            .iter()
            .filter(|e| e.as_of < as_of && e.kind == "message" && e.to.iter().any(|t| t.eq_ignore_ascii_case(email)))
            .map(|e| e.as_of)
            .max()
    }

    /// Replaces the entries of `as_of` with `decided` (a rerun of the same date adds
    /// nothing twice), keeping the order by date.
    pub fn record(&mut self, as_of: NaiveDate, decided: Vec<LogEntry>) {
        self.entries.retain(|e| e.as_of != as_of);
        self.prepared.retain(|e| e.as_of != as_of);
        let (happened, prepared): (Vec<_>, Vec<_>) = decided.into_iter().partition(LogEntry::happened);
        self.entries.extend(happened);
        self.prepared.extend(prepared);
        self.entries.sort_by_key(|e| e.as_of);
        self.prepared.sort_by_key(|e| e.as_of);
    }

    /// Number of entries that happened.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing happened yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// An exclusive lock on the state folder, held while a run reads and writes it; released
/// when dropped (also when the process dies: the operating system drops the lock).
#[derive(Debug)]
pub struct StateLock {
    _file: std::fs::File,
}

impl StateLock {
    /// Takes the lock on `state` (creating the folder), or fails at once if another run
    /// holds it.
    ///
    /// # Errors
    /// [`Error::Locked`] when another run holds the lock, [`Error::Output`] when the
    /// folder or lock file cannot be created.
    pub fn take(state: &Path) -> Result<Self> {
        let fail = |path: &Path, e: std::io::Error| Error::Output { path: path.to_path_buf(), reason: e.to_string() };
        std::fs::create_dir_all(state).map_err(|e| fail(state, e))?;
        let path = state.join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| fail(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked { path }),
            Err(std::fs::TryLockError::Error(e)) => Err(fail(&path, e)),
        }
    }
}

/// The queries of the account-level engine (issue 20). What counts as contact is decided
/// in [`is_contact`] alone: a message counts once it was sent.
impl History {
    /// The messages before `as_of` that counted as contact, in log order (for the cadence:
    /// their To and Cc recipients).
    pub fn contacts_before(&self, as_of: NaiveDate) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter().filter(move |e| e.as_of < as_of && is_contact(e))
    }

    /// The tasks for our side (`manual` entries) before `as_of`, in log order.
    pub fn tasks_before(&self, as_of: NaiveDate) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter().filter(move |e| e.as_of < as_of && e.kind == "manual")
    }
}

/// Whether an entry is a message that reached the customer.
fn is_contact(e: &LogEntry) -> bool {
    e.kind == "message" && e.sent_at.is_some()
}
