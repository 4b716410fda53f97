//! Test support: a temporary workspace, a builder that runs the real `payback` binary, and
//! readers that turn outputs back into plain data.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde::Deserialize;

/// Root of the repository (fixtures live under `tests/fixtures`).
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's path.
pub(crate) fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// A temporary folder that is removed when dropped.
pub(crate) struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub(crate) fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file relative to the workspace and returns its path.
    pub(crate) fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Copies a fixture into the workspace.
    pub(crate) fn copy_fixture(&self, name: &str) -> PathBuf {
        let target = self.dir.path().join(name);
        std::fs::copy(fixture(name), &target).unwrap();
        target
    }

    /// The default output folder of runs in this workspace.
    pub(crate) fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// A `payback` command running in this workspace.
    pub(crate) fn payback(&self) -> Run {
        Run { cmd: assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("payback")), cwd: self.path().to_path_buf() }
    }
}

/// A fluent wrapper around one invocation of the binary.
pub(crate) struct Run {
    cmd: assert_cmd::Command,
    cwd: PathBuf,
}

/// What a finished run printed.
pub(crate) struct Finished {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Kills the run after `seconds` (it then fails the exit-code assertion): for tests of
    /// runs that once hung.
    pub(crate) fn timeout(mut self, seconds: u64) -> Self {
        self.cmd.timeout(std::time::Duration::from_secs(seconds));
        self
    }

    pub(crate) fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    fn output(mut self) -> Finished {
        let Output { status, stdout, stderr } = self.cmd.current_dir(&self.cwd).output().expect("run payback");
        Finished {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        }
    }

    /// Runs, whatever the exit code.
    pub(crate) fn run(self) -> Finished {
        self.output()
    }

    /// Runs and asserts the exit code.
    #[track_caller]
    pub(crate) fn status(self, code: i32) -> Finished {
        let done = self.output();
        assert_eq!(done.code, code, "exit code\nstdout:\n{}\nstderr:\n{}", done.stdout, done.stderr);
        done
    }
}

/// `summary.json`, read strictly: an unknown or missing field fails the test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Summary {
    pub as_of: String,
    pub basis: String,
    pub rules: String,
    pub inputs: Vec<InputFacts>,
    pub rows: Rows,
    pub customers: usize,
    pub currencies: BTreeMap<String, CurrencySummary>,
    #[serde(default)]
    pub payments: Option<BTreeMap<String, Payments>>,
    pub period: Period,
    pub not_matched: Vec<NotMatched>,
}

/// A side-file row naming a customer, invoice or project that is not known.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct NotMatched {
    pub table: String,
    pub file: String,
    pub row: usize,
    pub column: String,
    pub value: String,
    pub closest: Option<String>,
    pub reason: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Period {
    pub start: String,
    pub end: String,
    pub beginning: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Metrics {
    pub dso: Option<String>,
    pub dso_countback: Option<String>,
    pub cei: Option<String>,
    pub overdue_share: Option<String>,
    pub beginning_ar: String,
    pub sales: String,
    pub collected: String,
    pub invoiced: String,
    pub credit_notes: String,
    pub not_explained: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Payments {
    pub count: usize,
    pub total_in: String,
    pub applied: String,
    pub unapplied: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputFacts {
    pub file: String,
    pub sheet: Option<String>,
    pub preset: Option<String>,
    pub currency_source: String,
    pub rows: Rows,
    pub amounts: BTreeMap<String, AmountCheck>,
    /// `null` when no order was set and the file's values settled none.
    pub date_order: Option<DateOrderFact>,
}

/// `inputs[].date_order`: the day/month order of the file's text dates and why.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct DateOrderFact {
    pub order: String,
    pub evidence: String,
    #[serde(default)]
    pub column: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct AmountCheck {
    pub read: String,
    pub reported: String,
    pub closed: String,
    pub future_dated: String,
    pub rejected: String,
    pub duplicates_skipped: String,
    pub paid_by_payments: String,
    pub paid_after_as_of: String,
}

impl AmountCheck {
    /// `[read, reported, future_dated, rejected, duplicates_skipped]`.
    pub(crate) fn figures(&self) -> [&str; 5] {
        [&self.read, &self.reported, &self.future_dated, &self.rejected, &self.duplicates_skipped].map(String::as_str)
    }
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rows {
    pub read: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub closed: usize,
    pub future_dated: usize,
    pub invoice_lines_merged: usize,
    pub skipped: BTreeMap<String, usize>,
}

impl Rows {
    /// The skipped-line counts in the order title, blank, subtotal, repeated header,
    /// group heading, duplicate.
    pub(crate) fn skipped(&self) -> [usize; 6] {
        ["title", "blank", "subtotal", "repeated_header", "group_heading", "duplicate"].map(|k| self.skipped[k])
    }

    /// `[read, accepted, rejected, closed, future_dated]`.
    pub(crate) fn figures(&self) -> [usize; 5] {
        [self.read, self.accepted, self.rejected, self.closed, self.future_dated]
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CurrencySummary {
    pub total_open: String,
    pub count: u64,
    pub overdue: String,
    pub overdue_count: u64,
    pub buckets: Vec<Bucket>,
    #[serde(default)]
    pub payments: Option<Payments>,
    pub metrics: Metrics,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Bucket {
    pub label: String,
    pub min_days: Option<i64>,
    pub max_days: Option<i64>,
    pub count: u64,
    pub amount: String,
}

impl CurrencySummary {
    /// `(label, count, amount)` per bucket, for compact assertions.
    pub(crate) fn figures(&self) -> Vec<(&str, u64, &str)> {
        self.buckets.iter().map(|b| (b.label.as_str(), b.count, b.amount.as_str())).collect()
    }
}

pub(crate) fn read_summary(out: &Path) -> Summary {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json matches the contract")
}

/// The sheet names of a workbook, in order.
pub(crate) fn sheet_names(path: &Path) -> Vec<String> {
    let workbook: Xlsx<_> = open_workbook(path).expect("open xlsx");
    workbook.sheet_names()
}

/// A sheet's cell values (formula cells give their cached result) as text: numbers
/// without trailing `.0`, dates as `YYYY-MM-DD`.
pub(crate) fn read_sheet(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("open xlsx");
    let range = workbook.worksheet_range(sheet).expect("sheet");
    range.rows().map(|row| row.iter().map(cell_text).collect()).collect()
}

/// A sheet's formulas, by the same positions as [`read_sheet`] (empty where none).
pub(crate) fn read_formulas(path: &Path, sheet: &str) -> BTreeMap<(usize, usize), String> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("open xlsx");
    let range = workbook.worksheet_formula(sheet).expect("sheet");
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut map = BTreeMap::new();
    for (r, row) in range.rows().enumerate() {
        for (c, f) in row.iter().enumerate() {
            if !f.is_empty() {
                map.insert((r + r0 as usize, c + c0 as usize), f.clone());
            }
        }
    }
    map
}

fn cell_text(data: &Data) -> String {
    use calamine::DataType as _;
    match data {
        Data::DateTime(_) => data.as_date().map(|d| d.to_string()).unwrap_or_default(),
        Data::Float(f) => {
            let text = format!("{f}");
            text
        }
        other => other.to_string(),
    }
}

/// The row of `rows` whose first cell is `key`.
#[track_caller]
pub(crate) fn row_starting<'a>(rows: &'a [Vec<String>], key: &str) -> &'a [String] {
    rows.iter().find(|r| r.first().is_some_and(|c| c == key)).unwrap_or_else(|| panic!("no row starting with {key:?}"))
}

/// Every stage, hold and task id of the built-in rules and the engine.
pub(crate) const IDS: [&str; 21] = [
    "reminder_before_due",
    "due_notice",
    "overdue_notice",
    "escalate_to_approver",
    "demand_letter",
    "legal_review",
    "milestone_request",
    "approval_status_report",
    "thank_you",
    "issue_invoice",
    "fix_first",
    "disputed",
    "promise_to_pay",
    "critical_issues",
    "cadence",
    "unapplied_cash_pending",
    "scheduled",
    "in_legal",
    "below_threshold",
    "covered_by_credits",
    "never_sent",
];
