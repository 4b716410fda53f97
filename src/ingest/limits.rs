//! Bounds that keep a hostile or broken input from exhausting memory: a workbook whose
//! zip declares more unpacked bytes than allowed (a zip bomb) is refused before it is
//! opened; sheets with more rows or columns than allowed are refused while reading.
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Location, Result};

/// `[limits]` in the rules file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Most data rows in one sheet or CSV file.
    pub max_rows: usize,
    /// Most columns in one sheet or CSV file.
    pub max_columns: usize,
    /// Most non-empty cells in one sheet or CSV file.
    pub max_cells: usize,
    /// Most bytes a workbook's zip may unpack to, in MiB.
    pub max_unpacked_mib: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_rows: 2_000_000, max_columns: 1_000, max_cells: 30_000_000, max_unpacked_mib: 2_048 }
    }
}

impl Limits {
    /// Refuses a zip-based workbook (.xlsx, .xlsm, .ods) whose entries declare more unpacked
    /// bytes than allowed, or that has more than 10,000 entries.
    ///
    /// # Errors
    /// [`Error::Unreadable`] naming the limit and the rules key that raises it.
    pub fn check_zip(&self, path: &Path) -> Result<()> {
        let refuse = |reason: String| Error::Unreadable { location: Location::file(path), reason };
        let file = std::fs::File::open(path).map_err(|e| refuse(e.to_string()))?;
        let Ok(mut archive) = zip::ZipArchive::new(file) else {
            return Ok(()); // not a zip at all: the workbook reader says what it is
        };
        if archive.len() > 10_000 {
            return Err(refuse(format!("the workbook has {} parts; a spreadsheet has far fewer", archive.len())));
        }
        let mut total: u64 = 0;
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i).map_err(|e| refuse(e.to_string()))?;
            total = total.saturating_add(entry.size());
        }
        let limit = self.max_unpacked_mib.saturating_mul(1024 * 1024);
        if total > limit {
            return Err(refuse(format!(
                "the workbook unpacks to {} MiB, more than the limit of {} MiB (limits.max_unpacked_mib in the rules file)",
                total / (1024 * 1024),
                self.max_unpacked_mib
            )));
        }
        Ok(())
    }

    /// Refuses a sheet with more non-empty cells than allowed.
    ///
    /// # Errors
    /// [`Error::Unreadable`] naming the limit and the rules key that raises it.
    pub fn check_cells(&self, location: &Location, cells: usize) -> Result<()> {
        if cells > self.max_cells {
            return Err(Error::Unreadable {
                location: location.clone(),
                reason: format!("more than {} cells (limits.max_cells in the rules file)", self.max_cells),
            });
        }
        Ok(())
    }

    /// Refuses a row number or column index beyond the limits.
    ///
    /// # Errors
    /// [`Error::Unreadable`] naming the limit and the rules key that raises it.
    pub fn check_cell(&self, location: &Location, data_rows: usize, column: usize) -> Result<()> {
        if data_rows > self.max_rows {
            return Err(Error::Unreadable {
                location: location.clone(),
                reason: format!("more than {} rows (limits.max_rows in the rules file)", self.max_rows),
            });
        }
        if column >= self.max_columns {
            return Err(Error::Unreadable {
                location: location.clone(),
                reason: format!(
                    "a value in column {} is beyond the limit of {} columns (limits.max_columns in the rules file)",
                    column + 1,
                    self.max_columns
                ),
            });
        }
        Ok(())
    }
}
