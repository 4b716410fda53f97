//! What a run read, as the state database records it: each input file's path, size and
//! BLAKE3, and the rules file's.
use crate::config::RunConfig;
use crate::error::{Error, Result};

/// Each input file's path, size and BLAKE3, as a JSON array (the run's fingerprint of
/// what it read).
pub(crate) fn inputs(config: &RunConfig) -> Result<String> {
    let mut files: Vec<&std::path::Path> = config.invoices().iter().map(|f| f.path.as_path()).collect();
    for table in crate::normalize::table::Table::RECORDS {
        if let Some(file) = config.record_file(table) {
            files.push(&file.path);
        }
    }
    files.dedup();
    let mut out = Vec::new();
    for path in files {
        let (bytes, digest) = file_digest(path);
        out.push(serde_json::json!({ "path": path.display().to_string(), "bytes": bytes, "blake3": digest }));
    }
    serde_json::to_string(&out).map_err(Error::internal)
}

/// Size and BLAKE3 of a file, read in pieces; `(0, "")` when it cannot be read (the
/// workbook of sheets was read already: a file that vanished since is not worth a stop).
fn file_digest(path: &std::path::Path) -> (u64, String) {
    let mut hasher = blake3::Hasher::new();
    match std::fs::File::open(path).and_then(|mut f| std::io::copy(&mut f, &mut hasher)) {
        Ok(bytes) => (bytes, hasher.finalize().to_hex().to_string()),
        Err(_) => (0, String::new()),
    }
}

/// The rules' origin, with the BLAKE3 of its file when it is one.
pub(crate) fn rules(config: &RunConfig) -> String {
    let origin = config.rules_origin();
    match file_digest(std::path::Path::new(origin)) {
        (_, digest) if !digest.is_empty() => format!("{origin} blake3:{digest}"),
        _ => origin.to_owned(),
    }
}
