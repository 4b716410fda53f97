//! The state folder's database, `state/payback.db` (SQLite): what payback remembers from
//! run to run — runs, decisions, deliveries, trend, open items, follow-ups and payments.
//! See `schema.rs` for the tables and the README ("The state database").
//!
//! Writers (`run`, `send`, `db`) take the state folder's lock ([`StateLock`]), open the
//! database, check its integrity (a run also keeps a backup of it), apply the migrations it lacks, import
//! a JSON-lines state folder of an earlier release, and complete or discard a run that was
//! killed between recording and publishing ([`store::recover`]). Readers (`explain`,
//! `history`) open it read-only and see only published runs.
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
pub(crate) use lock::StateLock;

pub(crate) mod fingerprint;
pub(crate) mod import;
pub(crate) mod jsonl;
pub(crate) mod lock;
pub(crate) mod schema;
pub(crate) mod soundness;
pub(crate) mod store;
pub(crate) mod timeline;

/// The database's file name inside `--state`.
pub(crate) const FILE_NAME: &str = "payback.db";

/// The copy each `run` makes when it opens the database, after the integrity check passed.
pub(crate) const BACKUP_NAME: &str = "payback.backup.db";

/// How long a connection waits for another's lock before it reports the folder busy.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// The page cache of a connection that writes: negative is KiB (`PRAGMA cache_size`).
const CACHE_KIB: i64 = -65_536;

/// An open state database, with the lock when opened for writing.
#[derive(Debug)]
pub(crate) struct Db {
    conn: Connection,
    path: PathBuf,
    _lock: Option<StateLock>,
}

/// Turns an `SQLite` error into an [`Error`]: "database is locked" becomes [`Error::Locked`].
pub(crate) fn db_error(path: &Path, e: &rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            Error::Locked { path: path.to_path_buf() }
        }
        _ => Error::State { path: path.to_path_buf(), reason: e.to_string() },
    }
}

/// A read-only connection to the database at `path` that waits up to 10 s for a writer's
/// lock (the check beside a run, its probe, and the readers).
pub(crate) fn read_only(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_WAIT)?;
    Ok(conn)
}

impl Db {
    /// Opens `state/payback.db` for writing (creating the folder and the database): takes
    /// the lock, checks the integrity, migrates, imports a JSON-lines state of an earlier
    /// release, and completes or discards a run left pending. Returns the database and what
    /// a person should be told (the import, a recovered run).
    ///
    /// # Errors
    /// [`Error::Locked`] when another run holds the folder, [`Error::State`] when the
    /// database cannot be opened, is damaged or cannot be written.
    pub(crate) fn open(state: &Path) -> Result<(Self, Vec<String>)> {
        Self::open_with(state, false)
    }

    /// [`Db::open`] for a run: also copies the sound database to
    /// `state/payback.backup.db` ([`BACKUP_NAME`]). When the database needs no writing
    /// before the run records (no migration, no import, no run left pending) the integrity
    /// check and the backup run on a thread of their own while the run reads its inputs:
    /// the [`soundness::Checking`] returned must be waited for before the run writes.
    ///
    /// # Errors
    /// As [`Db::open`]; [`Error::Output`] when the backup cannot be written.
    pub(crate) fn open_for_run(state: &Path) -> Result<(Self, Vec<String>, soundness::Checking)> {
        let lock = StateLock::take(state)?;
        let path = state.join(FILE_NAME);
        if !path.exists() || Self::probe(&path, state)? {
            let (db, notes) = Self::open_locked(state, lock, true)?;
            return Ok((db, notes, soundness::Checking::done()));
        }
        let db = Self::connect(state, lock)?;
        // A log left by a reader that outlived the last run is emptied into the file, so
        // that the backup can be a copy of the file. Best effort, without waiting: while a
        // reader holds the log, the backup goes through SQLite instead.
        db.conn.busy_timeout(Duration::ZERO).map_err(|e| db.err(&e))?;
        let _ = db.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
        db.conn.busy_timeout(BUSY_WAIT).map_err(|e| db.err(&e))?;
        let checking = soundness::Checking::start(&db.path, state);
        Ok((db, Vec::new(), checking))
    }

    /// Whether `state/payback.db` exists.
    pub(crate) fn exists(state: &Path) -> bool {
        state.join(FILE_NAME).exists()
    }

    /// The writer's connection to `state/payback.db` (created when missing), configured; a
    /// damaged file answers with the damaged database's error.
    fn connect(state: &Path, lock: StateLock) -> Result<Self> {
        let path = state.join(FILE_NAME);
        let conn = Connection::open(&path).map_err(|e| db_error(&path, &e))?;
        let db = Self { conn, path, _lock: Some(lock) };
        db.configure().map_err(|e| db.corrupt(state, e))?;
        Ok(db)
    }

    /// Whether the database at `path` needs writing before a run (a migration, a JSON-lines
    /// import, a run left pending), read through a connection of its own; a damaged file
    /// answers with the damaged database's error.
    fn probe(path: &Path, state: &Path) -> Result<bool> {
        if !import::legacy_files(state).is_empty() {
            return Ok(true);
        }
        let conn = read_only(path).map_err(|e| soundness::corrupt(path, state, db_error(path, &e)))?;
        let asked = || -> rusqlite::Result<bool> {
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if usize::try_from(version).ok() != Some(schema::MIGRATIONS.len()) {
                return Ok(true);
            }
            conn.query_row("SELECT EXISTS (SELECT 1 FROM runs WHERE status = 'pending')", [], |r| r.get(0))
        };
        asked().map_err(|e| soundness::corrupt(path, state, db_error(path, &e)))
    }

    fn open_with(state: &Path, backup: bool) -> Result<(Self, Vec<String>)> {
        Self::open_locked(state, StateLock::take(state)?, backup)
    }

    /// A damaged file can fail before the integrity check: the same message as the check's.
    fn corrupt(&self, state: &Path, e: Error) -> Error {
        soundness::corrupt(&self.path, state, e)
    }

    fn open_locked(state: &Path, lock: StateLock, backup: bool) -> Result<(Self, Vec<String>)> {
        let existed = Self::exists(state);
        let db = Self::connect(state, lock)?;
        if existed {
            soundness::check_integrity(&db.conn, &db.path, state).map_err(|e| db.corrupt(state, e))?;
            if backup {
                db.backup_to(&state.join(BACKUP_NAME))?;
            }
        }
        db.migrate()?;
        let mut notes = Vec::new();
        if let Some(note) = import::import(&db, state)? {
            notes.push(note);
        }
        notes.extend(store::recover(&db)?);
        Ok((db, notes))
    }

    /// Opens `state/payback.db` read-only, or `None` when there is none. Pending runs are
    /// not seen (only published and imported runs count).
    ///
    /// # Errors
    /// [`Error::State`] when the database cannot be read or is of a newer payback.
    pub(crate) fn open_read_only(state: &Path) -> Result<Option<Self>> {
        let path = state.join(FILE_NAME);
        if !path.exists() {
            return Ok(None);
        }
        let conn = read_only(&path).map_err(|e| db_error(&path, &e))?;
        let db = Self { conn, path, _lock: None };
        let version = db.version()?;
        if version < schema::MIGRATIONS.len() {
            // A database of an older payback: a writer (`run`, `send`) brings it up to date.
            // Reading it as it is would miss tables; say what to do.
            return Err(Error::State {
                path: db.path.clone(),
                reason: format!(
                    "the database is at schema version {version}, this payback reads version {}: run `payback db check --state {}` once to update it",
                    schema::MIGRATIONS.len(),
                    state.display()
                ),
            });
        }
        db.refuse_newer(version)?;
        Ok(Some(db))
    }

    /// The connection.
    #[must_use]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The database file.
    #[must_use]
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// An `SQLite` error of this database as an [`Error`].
    pub(crate) fn err(&self, e: &rusqlite::Error) -> Error {
        db_error(&self.path, e)
    }

    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(BUSY_WAIT).map_err(|e| self.err(&e))?;
        // WAL: readers (explain, history, a finance analyst's sqlite3) never block a run.
        self.conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| self.err(&e))?;
        // FULL: a commit is on disk before the outputs are published or a message is sent.
        self.conn.pragma_update(None, "synchronous", "FULL").map_err(|e| self.err(&e))?;
        self.conn.pragma_update(None, "foreign_keys", true).map_err(|e| self.err(&e))?;
        // 64 MiB of pages instead of SQLite's 2 MiB: a run writes and reads a million open
        // items and the integrity check walks every index; with the default most pages went
        // through the kernel again and again.
        self.conn.pragma_update(None, "cache_size", CACHE_KIB).map_err(|e| self.err(&e))?;
        Ok(())
    }

    fn version(&self) -> Result<usize> {
        let v: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| self.err(&e))?;
        usize::try_from(v).map_err(|_| Error::State { path: self.path.clone(), reason: format!("user_version {v}") })
    }

    fn refuse_newer(&self, version: usize) -> Result<()> {
        if version > schema::MIGRATIONS.len() {
            return Err(Error::State {
                path: self.path.clone(),
                reason: format!(
                    "the database is at schema version {version}, written by a newer payback; this one knows up to version {}: use the newer payback",
                    schema::MIGRATIONS.len()
                ),
            });
        }
        Ok(())
    }

    /// Applies the migrations after the database's `user_version`, in one transaction.
    fn migrate(&self) -> Result<()> {
        let version = self.version()?;
        self.refuse_newer(version)?;
        if version == schema::MIGRATIONS.len() {
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(&e))?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(sql).map_err(|e| self.err(&e))?;
            tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))
                .map_err(|e| self.err(&e))?;
        }
        tx.commit().map_err(|e| self.err(&e))
    }

    /// Copies the database to `target` with `SQLite`'s online backup (a consistent copy while
    /// others read it), through a temporary file renamed into place.
    ///
    /// # Errors
    /// [`Error::Output`] when `target` cannot be written.
    pub(crate) fn backup_to(&self, target: &Path) -> Result<()> {
        soundness::backup(&self.conn, target)
    }
}

/// UTC now as RFC 3339 text (seconds).
#[must_use]
pub(crate) fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
