//! What `payback run` prints when it is done: the figures a person reads, or the JSON of
//! `--json`.
use std::fmt::Write as _;

use crate::email::compose;
use crate::error::{Error, Result};
use crate::pipeline;
use crate::report::{actions_json, summary_json, workbook};
use crate::rules::action::ActionKind;

/// `--json`: the content of `summary.json` plus the actions count and the output folder.
pub(crate) fn json(
    summary: &crate::report::summary_json::Summary,
    actions: &[crate::rules::action::Action],
    emails: usize,
    out: &std::path::Path,
) -> Result<String> {
    let mut value = serde_json::to_value(summary).map_err(Error::internal)?;
    let count = |kind| actions.iter().filter(|a| a.kind == kind).count();
    value["actions"] = serde_json::json!({
        "message": count(ActionKind::Message),
        "manual": count(ActionKind::Manual),
        "hold": count(ActionKind::Hold),
        "emails": emails,
    });
    value["out"] = serde_json::json!(out.display().to_string());
    serde_json::to_string_pretty(&value).map_err(Error::internal)
}

/// The closing line of a run with problems: rows rejected and references not found.
pub(crate) fn problems(problems: &[String], not_matched: usize) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let rejected = problems.len() - not_matched;
    let unknown = match not_matched {
        0 => String::new(),
        1 => ", 1 reference in the side files not found in the invoices".to_owned(),
        n => format!(", {n} references in the side files not found in the invoices"),
    };
    format!("\n{rejected} rows rejected{unknown}: see the Rejected sheet (exit code 1)")
}

/// What a person reads after a run: rows, totals and metrics per currency, actions, files.
pub(crate) fn human(
    aged: &pipeline::Aged,
    actioned: &pipeline::Actioned,
    composed: &compose::Composed,
    out: &std::path::Path,
) -> String {
    let counts = &aged.counts;
    let out = out.display();
    let summed = match counts.invoice_lines_merged {
        0 => String::new(),
        1 => ", 1 line summed into its invoice".to_owned(),
        n => format!(", {n} lines summed into their invoices"),
    };
    let mut message = format!(
        "{} rows read: {} open, {} closed, {} future-dated, {} rejected{summed}\nwrote {out}/{}, {out}/{} and {out}/{}",
        counts.read,
        counts.accepted,
        counts.closed,
        counts.future_dated,
        counts.rejected,
        workbook::FILE_NAME,
        summary_json::FILE_NAME,
        actions_json::FILE_NAME,
    );
    for t in &aged.aging.currencies {
        let _ = write!(
            message,
            "\n{}: open {} ({} items), overdue {}",
            t.currency.code(),
            t.currency.format(t.total().amount_minor),
            t.total().count,
            t.currency.format(t.overdue.amount_minor)
        );
        if let Some(m) = actioned.metrics.currencies.iter().find(|m| m.currency == t.currency) {
            let or_na = |d| crate::metrics::text(d).unwrap_or_else(|| "n/a".into());
            let _ = write!(message, ", DSO {} days, CEI {}%", or_na(m.dso), or_na(m.cei));
        }
    }
    for m in actioned.metrics.currencies.iter().filter(|m| m.not_explained != 0) {
        let behind = actioned.metrics.unexplained.iter().filter(|u| u.currency == m.currency).count();
        let _ = write!(
            message,
            "\n{}: the roll-forward does not tie: {} not explained ({behind} {}: see the Management sheet)",
            m.currency.code(),
            m.currency.format(m.not_explained),
            if behind == 1 { "invoice" } else { "lines" }
        );
    }
    let actions = &actioned.decisions.actions;
    let count = |kind| actions.iter().filter(|a| a.kind == kind).count();
    let _ = write!(
        message,
        "\nactions: {} messages, {} tasks for our side, {} holds\nwrote {} emails under {out}/emails and {} internal messages (digests, management summary) under {out}/internal; see {out}/{}",
        count(ActionKind::Message),
        count(ActionKind::Manual),
        count(ActionKind::Hold),
        composed.outbox.iter().filter(|e| e.file.starts_with("emails/")).count(),
        composed.outbox.iter().filter(|e| e.file.starts_with("internal/")).count(),
        compose::OUTBOX,
    );
    message
}
