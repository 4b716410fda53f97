//! The collection log in the state folder: what each run decided to send. The next run
//! reads it so that escalation moves up the ladder instead of repeating a stage and the
//! cadence holds; rerunning an as-of date replaces that date's entries instead of adding.
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The log's file name inside `--state`.
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
    /// Copies: they count for the cadence like recipients (issue 20).
    #[serde(default)]
    pub cc: Vec<String>,
}

/// All entries of the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<LogEntry>,
}

impl History {
    /// Reads the log from `state`; an absent log is an empty history.
    ///
    /// # Errors
    /// [`Error::Unreadable`] naming the file and line of an entry that does not parse.
    pub fn load(state: &Path) -> Result<Self> {
        Ok(Self { entries: crate::jsonl::read(&state.join(FILE_NAME), None)? })
    }

    /// The latest entry before `as_of` that covered `invoice_no` of `customer`.
    #[must_use]
    pub fn entries_for(&self, customer: &str, invoice_no: &str, as_of: NaiveDate) -> Vec<&LogEntry> {
        self.entries
            .iter()
            .filter(|e| e.as_of < as_of && e.customer == customer && e.invoice_nos.iter().any(|n| n == invoice_no))
            .collect()
    }

    /// Every entry, in log order.
    #[must_use]
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// The last date before `as_of` on which a message went to `email`.
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
        self.entries.extend(decided);
        self.entries.sort_by_key(|e| e.as_of);
    }

    /// Writes the log into `state` atomically (a temporary file renamed over the old one).
    ///
    /// # Errors
    /// [`Error::Output`] when the state folder or file cannot be written.
    pub fn save(&self, state: &Path) -> Result<()> {
        crate::jsonl::write(state, FILE_NAME, &self.entries)
    }

    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the log is empty.
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
    e.kind == "message"
}
