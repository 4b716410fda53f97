//! `payback history CUSTOMER|INVOICE`: the case timeline from the state database.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::cli::HistoryArgs;
use crate::error::{Error, Result};
use crate::state::{Db, timeline};

/// The state folder: `--state`, or `[run] state` of payback.toml when left at its default.
///
/// # Errors
/// A payback.toml that is not valid.
pub(crate) fn state_folder(state: &Path) -> Result<PathBuf> {
    if state == Path::new("state")
        && let Some(workspace) = crate::config::workspace::WorkspaceFile::read(Path::new("."))?
        && let Some(folder) = workspace.run.state
    {
        return Ok(folder);
    }
    Ok(state.to_path_buf())
}

/// Prints the events of the account or invoice, oldest first.
///
/// # Errors
/// No database, a database that cannot be read, nothing found.
pub(crate) fn exec(args: &HistoryArgs) -> Result<Outcome> {
    let state = state_folder(&args.state)?;
    let db = Db::open_read_only(&state)?.ok_or_else(|| Error::BadOption {
        option: format!("--state {}", state.display()),
        reason: format!("there is no {} there yet: `payback run` makes it", crate::state::FILE_NAME),
    })?;
    let events = timeline::events(&db, args.query.trim())?;
    if events.is_empty() {
        return Err(Error::BadOption {
            option: format!("history {}", args.query),
            reason: "no customer or invoice of that name in the state database".into(),
        });
    }
    let message = if args.json {
        serde_json::to_string_pretty(&events).map_err(Error::internal)?
    } else {
        let mut text = String::new();
        for e in &events {
            let account =
                if e.currency.is_empty() { e.customer.clone() } else { format!("{} {}", e.customer, e.currency) };
            let _ = writeln!(text, "{}  {:<10} {account}: {}", e.when, e.event, e.detail);
        }
        text.trim_end().to_owned()
    };
    Ok(Outcome { message, exit_code: 0, warnings: Vec::new() })
}
