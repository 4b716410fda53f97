//! The state folder's lock: one writer at a time.
use std::path::Path;

use crate::error::{Error, Result};

/// An exclusive lock on the state folder, held while a run reads and writes it; released
/// when dropped (also when the process dies: the operating system drops the lock).
#[derive(Debug)]
pub(crate) struct StateLock {
    _file: std::fs::File,
}

impl StateLock {
    /// Takes the lock on `state` (creating the folder), or fails at once if another run
    /// holds it.
    ///
    /// # Errors
    /// [`Error::Locked`] when another run holds the lock, [`Error::Output`] when the
    /// folder or lock file cannot be created.
    pub(crate) fn take(state: &Path) -> Result<Self> {
        let fail = |path: &Path, e: std::io::Error| Error::write(path.to_path_buf(), e);
        std::fs::create_dir_all(state).map_err(|e| fail(state, e))?;
        let path = state.join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| fail(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked { path }),
            Err(std::fs::TryLockError::Error(e)) => Err(fail(&path, e)),
        }
    }
}
