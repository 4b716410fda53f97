//! `payback.toml`, the workspace file: what `payback run` inside the folder reads for every
//! option not given on the command line, and the company and report settings over the
//! rules file's. `payback init` (`cmd/init.rs`) writes it.
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::InputOptions;
use crate::error::{Error, Result};

/// The workspace file, read from the current folder.
pub const FILE_NAME: &str = "payback.toml";

/// `payback.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFile {
    /// What `payback run` reads and writes.
    #[serde(default)]
    pub run: RunSection,
    /// Company and bank details; they override `[company]` of the rules file.
    #[serde(default)]
    pub company: Option<toml::Table>,
    /// The workbook's settings (`language`); they override `[report]` of the rules file.
    #[serde(default)]
    pub report: Option<toml::Table>,
}

/// `[run]` of `payback.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Invoice files.
    #[serde(default)]
    pub invoices: Vec<PathBuf>,
    /// One workbook holding the inputs as sheets.
    pub workbook: Option<PathBuf>,
    /// Contacts file.
    pub contacts: Option<PathBuf>,
    /// Projects file.
    pub projects: Option<PathBuf>,
    /// Follow-ups file.
    pub followups: Option<PathBuf>,
    /// Milestones file.
    pub milestones: Option<PathBuf>,
    /// Payments file.
    pub payments: Option<PathBuf>,
    /// Rules file.
    pub rules: Option<PathBuf>,
    /// Templates folder.
    pub templates: Option<PathBuf>,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// State folder.
    pub state: Option<PathBuf>,
}

impl WorkspaceFile {
    /// Reads `payback.toml` from `dir` when it exists.
    ///
    /// # Errors
    /// [`Error::Rules`] naming the file when it is not valid.
    pub fn read(dir: &Path) -> Result<Option<Self>> {
        let path = dir.join(FILE_NAME);
        let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
        toml::from_str(&text).map(Some).map_err(|e: toml::de::Error| Error::Rules {
            file: path,
            reason: e.to_string().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "),
        })
    }

    /// Fills the input options the command line left at their defaults.
    pub fn apply_input(&self, input: &mut InputOptions) {
        let run = &self.run;
        // Invoices named on the command line (files or a workbook) replace the workspace's; a
        // workbook on the command line brings its own record sheets too.
        let cli_workbook = input.workbook.is_some();
        if input.invoices.is_empty() && !cli_workbook {
            input.invoices.clone_from(&run.invoices);
            input.workbook.clone_from(&run.workbook);
        }
        for (arg, value) in [
            (&mut input.contacts, &run.contacts),
            (&mut input.projects, &run.projects),
            (&mut input.followups, &run.followups),
            (&mut input.milestones, &run.milestones),
            (&mut input.payments, &run.payments),
        ] {
            if arg.is_none() && !cli_workbook {
                arg.clone_from(value);
            }
        }
        if let Some(rules) = &run.rules
            && input.rules == Path::new(crate::config::DEFAULT_RULES_PATH)
        {
            input.rules.clone_from(rules);
        }
    }
}
