//! The one place a run's configuration is made: the command line's options, filled from
//! `payback.toml` where the command line left them at their defaults, resolved into a
//! [`RunConfig`]. `run`, `check` and `explain` all start here.
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::InputArgs;
use crate::config::workspace::WorkspaceFile;
use crate::config::{InputOptions, RunConfig};
use crate::error::Result;

/// The folders a command writes to or reads its history from, as given on the command line.
#[derive(Debug, Clone)]
pub(crate) struct Folders {
    /// `--out`.
    pub out: PathBuf,
    /// `--state`.
    pub state: PathBuf,
    /// `--templates`.
    pub templates: Option<PathBuf>,
}

/// A command's resolved configuration and its folders.
#[derive(Debug)]
pub(crate) struct Setup {
    /// Inputs, rules, as-of date and output folder, validated.
    pub config: RunConfig,
    /// The state folder.
    pub state: PathBuf,
    /// The templates folder, when not the built-in templates.
    pub templates: Option<PathBuf>,
    /// A `payback.toml` was read (the user's own company details belong there).
    pub in_workspace: bool,
}

/// Reads `payback.toml` in the current folder (when there is one), fills what the command
/// line left at its defaults and resolves the run's configuration.
///
/// # Errors
/// A `payback.toml` or rules file that is not valid, a bad `--map`, no invoices.
pub(crate) fn configure(input: InputArgs, as_of: NaiveDate, folders: Folders) -> Result<Setup> {
    let Folders { mut out, mut state, mut templates } = folders;
    let mut input = InputOptions::from(input);
    let workspace = WorkspaceFile::read(Path::new("."))?;
    if let Some(workspace) = &workspace {
        workspace.apply_input(&mut input);
        let run = &workspace.run;
        if templates.is_none() {
            templates.clone_from(&run.templates);
        }
        if let Some(folder) = &run.out
            && out == Path::new("out")
        {
            out.clone_from(folder);
        }
        if let Some(folder) = &run.state
            && state == Path::new("state")
        {
            state.clone_from(folder);
        }
    }
    let company = workspace.as_ref().and_then(|w| w.company.as_ref());
    let report = workspace.as_ref().and_then(|w| w.report.as_ref());
    let config = RunConfig::with_company(input, as_of, out, company, report)?;
    Ok(Setup { config, state, templates, in_workspace: workspace.is_some() })
}
