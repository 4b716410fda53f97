//! The output folder, published atomically: a run writes everything into a new folder
//! beside `--out`, then exchanges it with the old one in one step (Linux `renameat2`
//! `RENAME_EXCHANGE`), so that at every moment `--out` holds either the previous complete
//! outputs or the new complete ones — also when the run is killed. A run that fails or is
//! killed leaves a staging folder that the next run removes. What `payback send` delivered
//! is recorded in the state database, not here.
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Checks `--out` before anything is read: it must be a folder or not exist yet — a file
/// (even the input) was turned into a folder and hidden before — and must not
/// hold any of `kept` (the inputs, the rules, the state folder): publishing replaces the
/// whole folder.
///
/// # Errors
/// [`Error::BadOption`] naming `--out` and what is wrong.
pub(crate) fn check_out(out: &Path, kept: &[&Path]) -> Result<()> {
    let bad = |reason: String| Error::BadOption { option: format!("--out {}", out.display()), reason };
    match std::fs::symlink_metadata(out) {
        Ok(meta) if !meta.is_dir() && !out.is_dir() => {
            return Err(bad(
                "is a file, not a folder; give a folder for the outputs (it is created when missing)".into()
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(bad(format!("cannot be read: {e}"))),
    }
    // Paths that do not exist yet (a new --out, a new state folder) compare as written.
    let real = |path: &Path| path.canonicalize().or_else(|_| std::path::absolute(path)).ok();
    let Some(folder) = real(out) else { return Ok(()) };
    for path in kept {
        if let Some(inside) = real(path)
            && inside.starts_with(&folder)
        {
            return Err(bad(format!(
                "holds {}, which a run would replace with its outputs; give a folder of its own for the outputs",
                path.display()
            )));
        }
    }
    Ok(())
}

/// A staging folder for one run's outputs.
#[derive(Debug)]
pub(crate) struct Staging {
    dir: PathBuf,
    out: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the staging folder beside `out` (same file system, so the exchange is
    /// atomic), after removing the leftovers of runs that died.
    ///
    /// # Errors
    /// [`Error::Output`] when the folder cannot be created.
    pub(crate) fn new(out: &Path) -> Result<Self> {
        let (parent, name) = split(out);
        remove_leftovers(&parent, &name);
        let dir = parent.join(format!(".{name}.payback-new-{}", std::process::id()));
        if dir.exists() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::write(dir.clone(), e))?;
        Ok(Self { dir, out: out.to_path_buf(), committed: false })
    }

    /// The staging folder itself (the new outputs before they are published).
    #[must_use]
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// Path for a file to be published as `name` (a fixed name chosen by payback).
    pub(crate) fn file(&mut self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Creates a sub-folder (`emails`) of the new outputs and returns its path.
    ///
    /// # Errors
    /// [`Error::Output`] when the folder cannot be created.
    pub(crate) fn folder(&mut self, name: &str) -> Result<PathBuf> {
        let path = self.dir.join(name);
        std::fs::create_dir_all(&path).map_err(|e| Error::write(path.clone(), e))?;
        Ok(path)
    }

    /// Publishes the new outputs in place of the old ones, in one atomic step.
    ///
    /// # Errors
    /// [`Error::Output`] when the folders cannot be exchanged.
    pub(crate) fn commit(mut self) -> Result<()> {
        let err = |path: &Path, e: std::io::Error| Error::write(path.to_path_buf(), e);
        if let Some(parent) = self.out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| err(parent, e))?;
        }
        if self.out.exists() {
            exchange(&self.dir, &self.out).map_err(|e| err(&self.out, e))?;
            // The staging path now holds the previous outputs.
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            std::fs::rename(&self.dir, &self.out).map_err(|e| err(&self.out, e))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Exchanges two paths atomically (Linux); elsewhere moves the old one aside first.
#[cfg(target_os = "linux")]
fn exchange(new: &Path, out: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, new, CWD, out, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // File systems without RENAME_EXCHANGE: fall back to two renames.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => exchange_by_renames(new, out),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(new: &Path, out: &Path) -> std::io::Result<()> {
    exchange_by_renames(new, out)
}

/// Moves `out` aside to the staging name's sibling, then `new` into place, then the old
/// outputs to `new`'s path (to be removed by the caller).
fn exchange_by_renames(new: &Path, out: &Path) -> std::io::Result<()> {
    let aside = new.with_extension("old");
    std::fs::rename(out, &aside)?;
    std::fs::rename(new, out)?;
    std::fs::rename(&aside, new)
}

fn split(out: &Path) -> (PathBuf, String) {
    let name = out.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    (parent, name)
}

/// Removes staging folders of `name` left by runs whose process is gone.
fn remove_leftovers(parent: &Path, name: &str) {
    let prefix = format!(".{name}.payback-new-");
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let pid = rest.split('.').next().unwrap_or_default();
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
/// Spreadsheet-safe CSV text: a leading `= + - @` (or tab/CR) gets a `'` so that Excel and
/// `LibreOffice` show it as text, never run it. Plain negative numbers are left alone.
#[must_use]
pub(crate) fn csv_text(text: &str) -> String {
    let number = text.parse::<f64>().is_ok();
    if !number && text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_text_is_never_a_formula() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(csv_text("-12.50"), "-12.50");
        assert_eq!(csv_text("ACME"), "ACME");
    }
}
