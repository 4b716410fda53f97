//! Whether the state database is sound: `PRAGMA integrity_check`, with the error that names
//! the last backup when it is not, and the backup a run keeps of a sound database. A run
//! checks and copies on a thread of its own while it reads its inputs ([`Checking`]): both
//! walk the whole file, which grows with every month of history, and neither needs to hold
//! the run up until it writes.
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, InterruptHandle};

use super::{BACKUP_NAME, db_error};
use crate::error::{Error, Result};

/// The error for a damaged database: what `SQLite` found, and the backup to restore.
pub(crate) fn damaged(path: &Path, state: &Path, reason: &str) -> Error {
    let backup = state.join(BACKUP_NAME);
    let restore = if backup.exists() {
        format!(
            "the last backup is {} (made by the last run that found the database sound): move the damaged file aside and copy the backup to {}",
            backup.display(),
            path.display()
        )
    } else {
        "there is no backup in the state folder; restore one you made with `payback db backup`".to_owned()
    };
    Error::State { path: path.to_path_buf(), reason: format!("the database is damaged ({reason}); {restore}") }
}

/// `e` as the damaged database's error when `SQLite` said the file is damaged (a damaged
/// file can fail before the integrity check: the same message as the check's).
pub(crate) fn corrupt(path: &Path, state: &Path, e: Error) -> Error {
    match e {
        Error::State { reason, .. } if reason.contains("malformed") || reason.contains("not a database") => {
            damaged(path, state, &reason)
        }
        e => e,
    }
}

/// `PRAGMA integrity_check` of the database open on `conn` (the file `path` in `state`); a
/// damaged database stops with the path of the backup.
///
/// # Errors
/// The damaged database's error ([`damaged`]).
pub(crate) fn check_integrity(conn: &Connection, path: &Path, state: &Path) -> Result<()> {
    let fail = |reason: String| damaged(path, state, &reason);
    let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(|e| fail(e.to_string()))?;
    let rows: Vec<String> =
        stmt.query_map([], |r| r.get::<_, String>(0)).and_then(Iterator::collect).map_err(|e| fail(e.to_string()))?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        let mut found: Vec<String> = rows.into_iter().take(3).collect();
        found.dedup();
        Err(fail(found.join("; ")))
    }
}

/// Copies the database open on `conn` to `target` with `SQLite`'s online backup (a
/// consistent copy while others read it), through a temporary file renamed into place.
///
/// # Errors
/// [`Error::Output`] when `target` cannot be written.
pub(crate) fn backup(conn: &Connection, target: &Path) -> Result<()> {
    through_temporary(target, |temp| {
        conn.backup(rusqlite::MAIN_DB, temp, None::<fn(rusqlite::backup::Progress)>).map_err(|e| e.to_string())
    })
}

/// Writes `target` by `write` into a temporary file beside it, renamed into place once
/// written (removed when not).
fn through_temporary(target: &Path, write: impl FnOnce(&Path) -> std::result::Result<(), String>) -> Result<()> {
    let name = target.file_name().map_or_else(|| "backup".into(), |n| n.to_string_lossy().into_owned());
    let temp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let done = write(&temp).and_then(|()| std::fs::rename(&temp, target).map_err(|e| e.to_string()));
    if done.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    done.map_err(|reason| Error::Output { path: target.to_path_buf(), reason })
}

/// Checks the database open on `conn` (the file `path` in `state`) and copies it to
/// [`BACKUP_NAME`], both in one read transaction: the backup is the database checked. When
/// that transaction reads the file alone (no write-ahead log to add, the common case: each
/// run's last connection empties it), the file itself is copied, by the kernel; else
/// through `SQLite`'s online backup ([`backup`]). While the transaction lasts no checkpoint
/// can write into the file, and the run writes nothing before it ends.
fn check_and_keep(conn: &Connection, path: &Path, state: &Path) -> Result<()> {
    let fail = |e: rusqlite::Error| corrupt(path, state, db_error(path, &e));
    conn.execute_batch("BEGIN").map_err(fail)?;
    // The first read takes the snapshot; a log still empty then was empty when it was taken.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).map_err(fail)?;
    let file_alone = log_is_empty(path);
    let kept = check_integrity(conn, path, state).and_then(|()| {
        let target = state.join(BACKUP_NAME);
        if file_alone { copy_file(path, &target) } else { backup(conn, &target) }
    });
    let ended = conn.execute_batch("COMMIT").map_err(fail);
    kept.and(ended)
}

/// Whether the write-ahead log beside the database `path` is absent or empty.
fn log_is_empty(path: &Path) -> bool {
    let mut log = path.as_os_str().to_owned();
    log.push("-wal");
    match std::fs::metadata(&log) {
        Ok(meta) => meta.len() == 0,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Copies the file `path` to `target` through a temporary file, on disk before it is
/// renamed into place.
fn copy_file(path: &Path, target: &Path) -> Result<()> {
    through_temporary(target, |temp| {
        std::fs::copy(path, temp).and_then(|_| std::fs::File::open(temp)?.sync_all()).map_err(|e| e.to_string())
    })
}

/// The integrity check and backup of a run's database, under way on a thread of their own
/// (or done already). Dropped without [`Checking::wait`] (a run that stopped early), it
/// interrupts the check or the backup and waits for the thread to clean up.
pub(crate) struct Checking(Option<Under>);

enum Under {
    /// The check could not start: the read-only connection failed.
    Failed(Error),
    /// The thread, and the handle that stops its connection's work.
    Running(JoinHandle<Result<Duration>>, InterruptHandle),
}

impl Checking {
    /// Nothing under way: the database was checked and copied while it was opened.
    pub(crate) fn done() -> Self {
        Self(None)
    }

    /// Starts checking the database `path` in `state` and, when it is sound, copying it to
    /// [`BACKUP_NAME`], through a read-only connection of its own. The caller holds the
    /// state folder's lock and writes nothing before [`Checking::wait`].
    pub(crate) fn start(path: &Path, state: &Path) -> Self {
        let (path, state): (PathBuf, PathBuf) = (path.to_path_buf(), state.to_path_buf());
        let conn = match super::read_only(&path) {
            Ok(conn) => conn,
            Err(e) => return Self(Some(Under::Failed(corrupt(&path, &state, db_error(&path, &e))))),
        };
        let interrupt = conn.get_interrupt_handle();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            crate::priority::give_way();
            check_and_keep(&conn, &path, &state)?;
            Ok(started.elapsed())
        });
        Self(Some(Under::Running(thread, interrupt)))
    }

    /// Waits for the check and the backup; returns how long they took on their thread
    /// (zero when they were done while the database was opened).
    ///
    /// # Errors
    /// The damaged database's error, or the backup's.
    pub(crate) fn wait(mut self) -> Result<Duration> {
        match self.0.take() {
            None => Ok(Duration::ZERO),
            Some(Under::Failed(e)) => Err(e),
            Some(Under::Running(thread, _)) => {
                thread.join().unwrap_or_else(|_| Err(Error::Internal("the integrity check stopped".into())))
            }
        }
    }
}

impl Drop for Checking {
    fn drop(&mut self) {
        if let Some(Under::Running(thread, interrupt)) = self.0.take() {
            interrupt.interrupt();
            let _ = thread.join();
        }
    }
}
