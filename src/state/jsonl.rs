//! JSON-lines files of an earlier release's state folder (the collection log, the trend):
//! read whole, one value per line, to import them into the state database.
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Error, Location, Result};

/// Reads every non-blank line of `path` as a `T`; an absent file has none. `hint` is
/// appended to the reason when a line does not parse (e.g. how to repair it).
///
/// # Errors
/// [`Error::Unreadable`] naming the file, and the line of a value that does not parse.
pub(crate) fn read<T: DeserializeOwned>(path: &Path, hint: Option<&str>) -> Result<Vec<T>> {
    let unreadable = |row: Option<usize>, reason: String| Error::Unreadable {
        location: Location { row, ..Location::file(path) },
        reason,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(None, e.to_string())),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| {
                let reason = match hint {
                    Some(hint) => format!("{e} ({hint})"),
                    None => e.to_string(),
                };
                unreadable(Some(i + 1), reason)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_is_empty_lines_read_and_a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        assert_eq!(read::<u32>(&path, None).unwrap(), Vec::<u32>::new());
        std::fs::write(&path, "3\n5\n").unwrap();
        assert_eq!(read::<u32>(&path, None).unwrap(), vec![3, 5]);
        std::fs::write(&path, "3\n\nnope\n").unwrap();
        let err = read::<u32>(&path, Some("fix or delete that line")).unwrap_err().to_string();
        assert!(err.contains("x.jsonl, row 3: ") && err.ends_with(" (fix or delete that line)"), "{err}");
    }
}
