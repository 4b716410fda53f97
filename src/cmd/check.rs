//! `payback check`: read the inputs and rules, list every problem with its place, write
//! nothing.
use std::fmt::Write as _;

use chrono::NaiveDate;

use super::setup::{self, Folders};
use crate::cli::CheckArgs;
use crate::error::Result;
use crate::ledger::Inputs;
use crate::normalize::combine::Batch;
use crate::{Outcome, ledger};

/// Checks the inputs: exit code 0 when every row is usable, 1 when problems were found.
///
/// # Errors
/// Any [`crate::Error`] that stops reading an input or the rules (exit code 2).
pub(crate) fn exec(args: CheckArgs, today: NaiveDate) -> Result<Outcome> {
    let folders = Folders { out: "out".into(), state: "state".into(), templates: None };
    let setup = setup::configure(args.input, today, folders)?;
    let config = setup.config;
    let inputs = ledger::load_inputs(&config)?;
    let batch = &inputs.batch;
    let problems = problem_lines(&inputs);
    let mut message = String::new();
    // A workspace's payback.toml is where the user's own company goes: said
    // while it is still the example `payback init` wrote.
    if let Some(warning) = config.rules().company.example_warning().filter(|_| setup.in_workspace) {
        let _ = writeln!(message, "warning: {warning}");
    }
    for source in &batch.sources {
        if let Some(note) = &source.currency_note {
            let _ = writeln!(message, "warning: {note}");
        }
    }
    for line in &problems {
        let _ = writeln!(message, "{line}");
    }
    for note in notes(batch) {
        let _ = writeln!(message, "note: {note}");
    }
    let read: usize = batch.sources.iter().map(|s| s.read).sum();
    let files = batch.sources.len();
    let _ = write!(
        message,
        "checked {files} file{}: {read} rows read, {} usable, {} with problems",
        if files == 1 { "" } else { "s" },
        batch.invoices.len(),
        problems.len()
    );
    Ok(Outcome { message, exit_code: u8::from(!problems.is_empty()), warnings: Vec::new() })
}

/// One line per rejected row (invoices, then record tables): `file, sheet "S", row N,
/// column "C": reason`.
#[must_use]
pub(crate) fn problem_lines(inputs: &Inputs) -> Vec<String> {
    let line = |source: &crate::ingest::SourceRef, r: &crate::normalize::Rejected| {
        let mut location = source.location();
        location.row = Some(r.row);
        location.column = (!r.column.is_empty()).then(|| r.column.clone());
        format!("{location}: {}", r.reason)
    };
    let invoices = inputs.batch.sources.iter().flat_map(|s| s.rejected.iter().map(move |r| line(&s.source, r)));
    invoices.chain(inputs.records.rejected.iter().map(|(source, r)| line(source, r))).collect()
}

/// Things worth knowing that are not problems: the preset used, the day/month order of
/// text dates, columns not read (and those of them holding amounts or dates), lines
/// skipped.
fn notes(batch: &Batch) -> Vec<String> {
    let mut notes = Vec::new();
    for source in &batch.sources {
        let name = source.source.describe();
        if let Some(preset) = &source.preset {
            notes.push(format!("{name}: read as preset {preset}"));
        }
        let fields: Vec<String> = source.fields.iter().map(|(f, h)| format!("{}=\"{h}\"", f.name())).collect();
        notes.push(format!("{name}: columns read: {}", fields.join(", ")));
        if let Some(order) = &source.date_order {
            notes.push(format!("{name}: text dates read as {}", order.describe()));
        }
        if !source.unused_columns.is_empty() {
            let columns: Vec<String> = source.unused_columns.iter().map(|c| format!("\"{c}\"")).collect();
            notes.push(format!("{name}: columns not used: {}", columns.join(", ")));
        }
        match source.lines_merged {
            0 => {}
            n => notes.push(format!(
                "{name}: {n} invoice line{} summed into the first line of {} invoice (same customer and invoice \
                 number, other cells differ; [input] invoice_lines = \"sum\"); the Detail sheet lists each item's \
                 source rows",
                if n == 1 { "" } else { "s" },
                if n == 1 { "its" } else { "their" }
            )),
        }
        // A money or date column nobody reads may be the one that should be.
        for column in &source.unread {
            notes.push(format!(
                "{name}: column \"{}\" holds {} but is not read (--map FIELD=\"{}\" reads it as a field)",
                column.header,
                column.holds.words(),
                column.header
            ));
        }
        for line in &source.skipped {
            let note = line.note.as_ref().map(|n| format!(" — {n}")).unwrap_or_default();
            notes.push(format!("{name}, row {}: skipped ({}): {}{note}", line.row, line.reason, line.text));
        }
    }
    notes
}
