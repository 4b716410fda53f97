//! Bounds that keep a hostile or broken input from exhausting memory: a workbook whose
//! zip declares more unpacked bytes than allowed (a zip bomb) is refused before it is
//! opened; sheets with more rows or columns than allowed are refused while reading.
//!
//! The values read are bounded too: an amount above `max_amount` or a date
//! outside `min_date..=max_date` is refused with its row, so that no sum of the amounts
//! read can wrap (see [`Limits::SUM_BUDGET`]) and no date is one Excel cannot show.
use std::path::Path;

use chrono::NaiveDate;

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
    /// Largest amount (in whole units of its currency, either sign) one cell may state.
    #[serde(default = "default_max_amount")]
    pub max_amount: u64,
    /// Earliest date a row may carry (invoice, due, paid and payment dates).
    #[serde(default = "default_min_date")]
    pub min_date: NaiveDate,
    /// Latest date a row may carry.
    #[serde(default = "default_max_date")]
    pub max_date: NaiveDate,
}

/// 10^13 whole units (ten trillion): above any real invoice, far below what an `i64` of
/// minor units holds (10^16 minor units at three decimals).
const fn default_max_amount() -> u64 {
    10_000_000_000_000
}

fn default_min_date() -> NaiveDate {
    crate::dates::EARLIEST
}

fn default_max_date() -> NaiveDate {
    crate::dates::LATEST
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_rows: 2_000_000,
            max_columns: 1_000,
            max_cells: 30_000_000,
            max_unpacked_mib: 2_048,
            max_amount: default_max_amount(),
            min_date: default_min_date(),
            max_date: default_max_date(),
        }
    }
}

impl Limits {
    /// Highest `max_amount` a rules file may set: 10^15 whole units, 10^18 minor units at
    /// three decimals, still inside an `i64`.
    pub const MAX_AMOUNT_CEILING: u64 = crate::money::MAX_AMOUNT.unsigned_abs();

    /// The most the magnitudes of the amounts read in one currency may add up to, in minor
    /// units: a quarter of `i64::MAX`. Every sum payback makes (open items, the control
    /// totals' parts, buckets, metrics, payments applied) adds a subset of these amounts
    /// (or differences of two of them, each counted here), so none of them can wrap; the
    /// factor four leaves room for sums of two such totals. Real ledgers are far below it
    /// (10^13 units of a two-decimal currency fill 0.05 % of it); only hostile inputs reach it.
    pub const SUM_BUDGET: i64 = i64::MAX / 4;

    /// The problems of the limits themselves, one sentence each (for the rules file).
    #[must_use]
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.max_amount == 0 || self.max_amount > Self::MAX_AMOUNT_CEILING {
            problems.push(format!(
                "limits.max_amount = {} must be between 1 and {} (whole units of a currency)",
                self.max_amount,
                Self::MAX_AMOUNT_CEILING
            ));
        }
        let year = |d: NaiveDate| chrono::Datelike::year(&d);
        if year(self.min_date) < 1900 || year(self.max_date) > 9999 || self.min_date > self.max_date {
            problems.push(format!(
                "limits.min_date = \"{}\" and limits.max_date = \"{}\" must be in order, from 1900-01-01 to \
                 9999-12-31 (the dates Excel can show)",
                self.min_date, self.max_date
            ));
        }
        problems
    }

    /// Refuses an amount in minor units (`exponent` decimal places) above `max_amount`.
    ///
    /// # Errors
    /// The reason, naming the limit and the rules key that raises it.
    pub fn check_amount(&self, minor: i64, exponent: u32) -> std::result::Result<(), String> {
        let limit = i128::from(self.max_amount) * 10i128.pow(exponent);
        if i128::from(minor).abs() > limit {
            return Err(format!(
                "the amount is above the limit of {} (limits.max_amount in the rules file)",
                self.max_amount
            ));
        }
        Ok(())
    }

    /// Refuses a date outside `min_date..=max_date`.
    ///
    /// # Errors
    /// The reason, naming the range and the rules keys that set it.
    pub fn check_date(&self, date: NaiveDate) -> std::result::Result<NaiveDate, String> {
        if date < self.min_date || date > self.max_date {
            return Err(format!(
                "{date} is outside the dates payback accepts, {} to {} (limits.min_date and limits.max_date in the rules file)",
                self.min_date, self.max_date
            ));
        }
        Ok(date)
    }

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
