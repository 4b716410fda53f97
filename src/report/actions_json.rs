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
    // Written as it is serialized: the whole text of a million invoices' actions is not
    // held.
    use std::io::Write as _;
    let failed = |reason: String| Error::Output { path: path.to_path_buf(), reason };
    let file = std::fs::File::create(path).map_err(|e| failed(e.to_string()))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, actions).map_err(|e| failed(e.to_string()))?;
    out.write_all(b"\n").and_then(|()| out.flush()).map_err(|e| failed(e.to_string()))
}
