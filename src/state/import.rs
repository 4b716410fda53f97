//! Moving an earlier release's state folder into the database: the collection log
//! (`collection-log.jsonl`), the trend (`trend.jsonl`) and the open items of the last runs
//! (`open-items-YYYY-MM-DD.csv`) are imported in one transaction on the first run that
//! opens the database, then moved into a backup folder named in the message.
//!
//! The old log recorded what runs *decided*, not what was sent (the record of sending was
//! `OUT_DIR/sent.csv`, without the log's dates): its messages are imported as prepared,
//! never sent, and the message says so.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::params;

use super::Db;
use crate::error::{Error, Result};
use crate::metrics::rollforward::{FILE_PREFIX, PreviousOpen};
use crate::metrics::trend::{self, Snapshot};
use crate::rules::history::{self, LogEntry};

/// The old log's entries; none when there is no file.
///
/// # Errors
/// [`Error::Unreadable`] naming the file and line of an entry that does not parse.
pub(crate) fn read_log(state: &Path) -> Result<Vec<LogEntry>> {
    let mut entries: Vec<LogEntry> = crate::state::jsonl::read(&state.join(history::FILE_NAME), None)?;
    entries.sort_by_key(|e| e.as_of);
    Ok(entries)
}

/// The old trend's snapshots; none when there is no file.
///
/// # Errors
/// [`Error::Unreadable`] naming the file and line of a snapshot that does not parse.
pub(crate) fn read_trend(state: &Path) -> Result<Vec<Snapshot>> {
    let hint = "a snapshot of an earlier run: fix or delete that line";
    crate::state::jsonl::read(&state.join(trend::FILE_NAME), Some(hint))
}

/// The old state files present in `state`.
pub(crate) fn legacy_files(state: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        [history::FILE_NAME, trend::FILE_NAME].iter().map(|name| state.join(name)).filter(|p| p.is_file()).collect();
    if let Ok(entries) = std::fs::read_dir(state) {
        let mut open_items: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        n.starts_with(FILE_PREFIX) && n.ends_with(".csv")
                    })
            })
            .collect();
        open_items.sort();
        files.extend(open_items);
    }
    files
}

/// The date of an `open-items-YYYY-MM-DD.csv` file.
fn open_items_date(path: &Path) -> Option<NaiveDate> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    name.strip_prefix(FILE_PREFIX)?.strip_suffix(".csv")?.parse().ok()
}

/// Imports the JSON-lines state of `state` into `db` when there is one; returns the
/// message for the person.
///
/// # Errors
/// [`Error::Unreadable`] for an old file that does not parse (nothing imported then),
/// [`Error::State`] / [`Error::Output`] when the database or the backup folder cannot be
/// written.
#[allow(clippy::too_many_lines)] // one table after the other, in one transaction
pub(crate) fn import(db: &Db, state: &Path) -> Result<Option<String>> {
    let files = legacy_files(state);
    if files.is_empty() {
        return Ok(None);
    }
    let e = |err: rusqlite::Error| db.err(&err);
    // Only into a database without runs: old files found beside a database that already
    // has its own history (copied back by hand, say) are moved aside, not mixed in.
    let count = |sql: &str| -> Result<i64> { db.conn().query_row(sql, [], |r| r.get(0)).map_err(e) };
    let imported_before = count("SELECT COUNT(*) FROM runs")?;
    let imported = count("SELECT COUNT(*) FROM runs WHERE status = 'imported'")? > 0;
    let mut counts = (0usize, 0usize, 0usize);
    if imported_before == 0 {
        let log = read_log(state)?;
        let snapshots = read_trend(state)?;
        let mut open_items = Vec::new();
        for path in files.iter().filter(|p| open_items_date(p).is_some()) {
            if let Some(date) = open_items_date(path) {
                open_items.push(PreviousOpen::load_csv(state, date)?);
            }
        }
        let dates: BTreeSet<NaiveDate> = log
            .iter()
            .map(|l| l.as_of)
            .chain(snapshots.iter().map(|s| s.as_of))
            .chain(open_items.iter().filter_map(|o| o.as_of))
            .collect();
        let tx = db.conn().unchecked_transaction().map_err(e)?;
        let now = super::now();
        let origin = format!("imported from {}", state.display());
        for date in dates {
            let snapshot = snapshots.iter().rev().find(|s| s.as_of == date);
            tx.execute(
                "INSERT INTO runs (as_of, status, out_dir, outputs_digest, inputs, rules, snapshot, started_at, finished_at)
                 VALUES (?1, 'imported', '', '', '[]', ?2, ?3, ?4, ?4)",
                params![date.to_string(), origin, snapshot.is_some(), now],
            )
            .map_err(e)?;
            let run_id = tx.last_insert_rowid();
            let mut decision = tx
                .prepare(
                    "INSERT INTO decisions (run_id, customer, currency, kind, stage, invoice_nos, to_addrs, cc_addrs,
                     template, amount, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(e)?;
            for entry in log.iter().filter(|l| l.as_of == date) {
                let json = |v: &Vec<String>| serde_json::to_string(v).map_err(Error::internal);
                decision
                    .execute(params![
                        run_id,
                        entry.customer,
                        entry.currency,
                        entry.kind,
                        entry.stage,
                        json(&entry.invoice_nos)?,
                        json(&entry.to)?,
                        json(&entry.cc)?,
                        entry.template,
                        entry.amount,
                        format!("imported from {}", history::FILE_NAME),
                    ])
                    .map_err(e)?;
                counts.0 += 1;
            }
            if let Some(snapshot) = snapshot {
                let mut stmt = tx
                    .prepare(
                        "INSERT INTO trend (run_id, currency, open, overdue, buckets, sales, collected, dso,
                         dso_countback, cei, overdue_share) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    )
                    .map_err(e)?;
                for (code, s) in &snapshot.currencies {
                    stmt.execute(params![
                        run_id,
                        code,
                        s.open,
                        s.overdue,
                        serde_json::to_string(&s.buckets).map_err(Error::internal)?,
                        s.sales,
                        s.collected,
                        s.dso,
                        s.dso_countback,
                        s.cei,
                        s.overdue_share
                    ])
                    .map_err(e)?;
                }
                counts.1 += 1;
            }
            let mut item = tx
                .prepare(
                    "INSERT INTO open_items (run_id, customer, invoice_no, currency, open_minor) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(e)?;
            for open in open_items.iter().filter(|o| o.as_of == Some(date)) {
                for ((customer, invoice_no, currency), amount) in &open.items {
                    item.execute(params![run_id, customer, invoice_no, currency, amount]).map_err(e)?;
                    counts.2 += 1;
                }
            }
        }
        tx.commit().map_err(e)?;
    }
    // The old files go into a backup folder, kept: the database is the state from now on.
    let backup = state.join(format!("jsonl-backup-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
    std::fs::create_dir_all(&backup).map_err(|err| Error::write(backup.clone(), err))?;
    for file in &files {
        let target = backup.join(file.file_name().unwrap_or_default());
        std::fs::rename(file, &target).map_err(|err| Error::write(target.clone(), err))?;
    }
    let names: Vec<String> =
        files.iter().filter_map(|f| f.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    Ok(Some(if imported_before == 0 {
        format!(
            "imported the state of an earlier payback into {}: {} log entries, {} trend snapshots, {} open items; the old files ({}) are kept in {}. The old log recorded decisions, not sending: its messages count as prepared, never sent",
            db.path().display(),
            counts.0,
            counts.1,
            counts.2,
            names.join(", "),
            backup.display()
        )
    } else {
        let why = if imported { "they were imported before" } else { "it already holds runs: they were not imported" };
        format!(
            "moved old state files ({}) into {}: {}, {why}",
            names.join(", "),
            backup.display(),
            db.path().display()
        )
    }))
}
