//! `payback db schema | check | backup PATH`.
use std::fmt::Write as _;

use crate::Outcome;
use crate::cli::DbCommand;
use crate::error::{Error, Result};
use crate::state::{Db, schema};

/// Runs the `db` subcommand.
///
/// # Errors
/// A database that cannot be opened, is damaged, or a backup that cannot be written.
pub(crate) fn exec(command: &DbCommand) -> Result<Outcome> {
    let ok = |message: String, warnings: Vec<String>| Ok(Outcome { message, exit_code: 0, warnings });
    match command {
        DbCommand::Schema => ok(schema::text().trim_end().to_owned(), Vec::new()),
        DbCommand::Check(args) => {
            let state = super::history::state_folder(&args.state)?;
            let (db, notes) = Db::open(&state)?;
            let count =
                |sql: &str| -> Result<i64> { db.conn().query_row(sql, [], |r| r.get(0)).map_err(|e| db.err(&e)) };
            let runs = count("SELECT COUNT(*) FROM runs WHERE status IN ('published', 'imported')")?;
            let decisions = count("SELECT COUNT(*) FROM decisions")?;
            let sent = count("SELECT COUNT(DISTINCT message_id) FROM deliveries WHERE result = 'sent'")?;
            let last: Option<(String, String)> = db
                .conn()
                .query_row(
                    "SELECT as_of, out_dir FROM runs WHERE status = 'published' ORDER BY id DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ok();
            let mut message = format!(
                "{}: ok (schema version {}), {runs} runs, {decisions} decisions, {sent} messages sent",
                db.path().display(),
                schema::MIGRATIONS.len()
            );
            if let Some((as_of, out)) = last {
                let _ = write!(message, "; last run as of {as_of}, published to {out}");
            }
            ok(message, notes)
        }
        DbCommand::Backup(args) => {
            let state = super::history::state_folder(&args.state)?;
            if !state.join(crate::state::FILE_NAME).exists() {
                return Err(Error::BadOption {
                    option: format!("--state {}", state.display()),
                    reason: format!("there is no {} there", crate::state::FILE_NAME),
                });
            }
            let (db, notes) = Db::open(&state)?;
            db.backup_to(&args.path)?;
            ok(format!("backed up {} to {}", db.path().display(), args.path.display()), notes)
        }
    }
}
