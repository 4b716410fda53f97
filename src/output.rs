//! The output folder: files are written into a staging folder beside `--out` and moved
//! into place only when everything was written, so a failed run leaves the previous
//! outputs as they were.
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A staging folder for one run's outputs.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    files: Vec<String>,
    folders: Vec<String>,
    committed: bool,
}

impl Staging {
    /// Creates the staging folder beside `out` (same file system, so renames are atomic).
    ///
    /// # Errors
    /// [`Error::Output`] when the folder cannot be created.
    pub fn new(out: &Path) -> Result<Self> {
        let name = out.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = parent.join(format!(".{name}.payback-partial-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::Output { path: dir.clone(), reason: e.to_string() })?;
        Ok(Self { dir, out: out.to_path_buf(), files: Vec::new(), folders: Vec::new(), committed: false })
    }

    /// Path for a file to be published as `name` (a fixed name chosen by payback).
    pub fn file(&mut self, name: &str) -> PathBuf {
        self.files.push(name.to_owned());
        self.dir.join(name)
    }

    /// Registers a sub-folder (`emails`) published whole: on commit it replaces the old
    /// one, so no file of an earlier run is left in it. Returns its staging path.
    ///
    /// # Errors
    /// [`Error::Output`] when the folder cannot be created.
    pub fn folder(&mut self, name: &str) -> Result<PathBuf> {
        let path = self.dir.join(name);
        std::fs::create_dir_all(&path).map_err(|e| Error::Output { path: path.clone(), reason: e.to_string() })?;
        self.folders.push(name.to_owned());
        Ok(path)
    }

    /// Moves every staged file into `out`, creating it if needed.
    ///
    /// # Errors
    /// [`Error::Output`] when `out` cannot be created or a file cannot be moved.
    pub fn commit(mut self) -> Result<()> {
        let err = |path: &Path, e: std::io::Error| Error::Output { path: path.to_path_buf(), reason: e.to_string() };
        std::fs::create_dir_all(&self.out).map_err(|e| err(&self.out, e))?;
        for name in &self.files {
            let target = self.out.join(name);
            std::fs::rename(self.dir.join(name), &target).map_err(|e| err(&target, e))?;
        }
        for name in &self.folders {
            let target = self.out.join(name);
            if target.exists() {
                std::fs::remove_dir_all(&target).map_err(|e| err(&target, e))?;
            }
            std::fs::rename(self.dir.join(name), &target).map_err(|e| err(&target, e))?;
        }
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.dir);
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
