//! `actions.json`: every decision of the run, for scripts and the email step.
use std::path::Path;

use crate::error::{Error, Result};
use crate::rules::action::Action;

/// The file name inside `--out`.
pub const FILE_NAME: &str = "actions.json";

/// Writes the actions as a JSON list.
///
/// # Errors
/// [`Error::Output`] when the file cannot be written.
pub fn write(path: &Path, actions: &[Action]) -> Result<()> {
    let mut text = serde_json::to_string_pretty(actions).map_err(Error::internal)?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| Error::Output { path: path.to_path_buf(), reason: e.to_string() })
}
