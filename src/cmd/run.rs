//! `payback run`: load → age → decide → report, then publish the outputs and record the
//! decisions in the collection log.
use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::cli::RunArgs;
use crate::config::RunConfig;
use crate::email::compose;
use crate::email::render::Templates;
use crate::error::{Error, Result};
use crate::output::Staging;
use crate::report::{ReportInput, actions_json, detail_sheet, summary_json, workbook};
use crate::rules::action::ActionKind;
use crate::rules::engine;
use crate::rules::history::StateLock;
use crate::workspace::WorkspaceFile;

use super::progress::Progress;
use crate::{Outcome, decide, load};

/// The invoices this run's thank-you messages are about, as items of a message (only
/// those: not a copy of every invoice).
fn thanked_items(
    decided: &crate::decide::Decided,
    invoices: &[crate::normalize::Invoice],
    as_of: NaiveDate,
) -> Vec<engine::OpenItem> {
    let thanked: std::collections::HashSet<(&str, &str)> = decided
        .decisions
        .actions
        .iter()
        .filter(|a| a.stage == crate::rules::thanks::STAGE)
        .flat_map(|a| a.invoice_nos.iter().map(|n| (a.customer.as_str(), n.as_str())))
        .collect();
    invoices
        .iter()
        .filter(|i| thanked.contains(&(i.customer.as_str(), i.invoice_no.as_str())))
        .map(|i| engine::paid_item(i, as_of))
        .collect()
}

/// Writes `summary.json`, `actions.json`, the emails and the outbox; returns the messages.
fn write_other_outputs(
    staging: &mut Staging,
    input: &ReportInput<'_>,
    decided: &crate::decide::Decided,
    inputs: &crate::load::Inputs,
    paid: &[engine::OpenItem],
    config: &RunConfig,
    templates: Option<&std::path::Path>,
) -> Result<compose::Composed> {
    summary_json::write(&staging.file(summary_json::FILE_NAME), input)?;
    actions_json::write(&staging.file(actions_json::FILE_NAME), &decided.decisions.actions)?;
    if decided.aging.open_items.height() > input.detail_rows_per_sheet {
        // The items fill more than one Detail sheet: all of them in one file as well.
        let sources: Vec<String> = inputs.batch.sources.iter().map(|s| s.source.describe()).collect();
        let path = staging.file(detail_sheet::CSV_FILE_NAME);
        detail_sheet::write_csv(&path, &decided.aging, &sources).map_err(|reason| Error::Output { path, reason })?;
    }
    let templates = Templates::new(templates);
    let compose_inputs = compose::Inputs {
        items: &decided.items,
        paid,
        records: &inputs.records,
        rules: config.rules(),
        as_of: config.as_of(),
        metrics: &decided.metrics,
    };
    let emails = staging.folder("emails")?;
    let internal = staging.folder("internal")?;
    let mut save = |file: &str, bytes: &[u8]| {
        let (folder, name) = file.split_once('/').unwrap_or(("emails", file));
        let path = if folder == "internal" { internal.join(name) } else { emails.join(name) };
        std::fs::write(&path, bytes).map_err(|e| Error::Output { path: path.clone(), reason: e.to_string() })
    };
    let composed = compose::compose(&decided.decisions.actions, &compose_inputs, &templates, &mut save)?;
    let outbox = staging.file(compose::OUTBOX);
    std::fs::write(&outbox, compose::outbox_csv(&composed.outbox)?)
        .map_err(|e| Error::Output { path: outbox.clone(), reason: e.to_string() })?;
    Ok(composed)
}

/// `--json`: the content of `summary.json` plus the actions count and the output folder.
fn json_summary(
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

/// Runs the aging and the collection rules; writes `aging-report.xlsx`, `summary.json` and
/// `actions.json` into `--out` and the decisions into the log in `--state`.
///
/// # Errors
/// Any [`Error`] that stops the run; nothing is written then.
pub fn exec(mut args: RunArgs, today: NaiveDate) -> Result<Outcome> {
    let workspace = WorkspaceFile::read(std::path::Path::new("."))?;
    if let Some(workspace) = &workspace {
        workspace.apply(&mut args);
    }
    let company = workspace.as_ref().and_then(|w| w.company.as_ref());
    let config = RunConfig::with_company(args.input, args.as_of.unwrap_or(today), args.out, company)?;
    let mut progress = Progress::new(args.quiet || args.json);
    progress.start("reading the inputs");
    let mut inputs = load::load_inputs(&config)?;
    let rows: usize = inputs.batch.sources.iter().map(|s| s.read).sum();
    progress.done("read", rows, "invoice rows");
    let problems = super::check::problem_lines(&inputs);
    if args.strict && !problems.is_empty() {
        return Err(Error::Strict { count: problems.len(), problems: problems.join("\n") });
    }
    let _lock = StateLock::take(&args.state)?;
    progress.start("matching payments, aging and deciding the actions");
    let mut decided = decide::decide(&config, &inputs, &args.state, None)?;
    if let Some(reconciliation) = &decided.reconciliation {
        progress.done("matched", reconciliation.payments.len(), "payments");
    }
    progress.done("aged and decided", decided.aging.open_items.height(), "open items");
    let paid = thanked_items(&decided, &inputs.batch.invoices, config.as_of());
    // The aging and the items hold what the outputs need from the invoices: free them
    // before writing (a million invoices are ~300 MB; issue 7).
    inputs.batch.invoices = Vec::new();
    let rules = config.rules();
    let input = ReportInput {
        aging: &decided.aging,
        batch: &inputs.batch,
        records_rejected: &inputs.records.rejected,
        controls: decided.controls.clone(),
        counts: decided.counts.clone(),
        decisions: &decided.decisions,
        reconciliation: decided.reconciliation.as_ref(),
        metrics: &decided.metrics,
        company: &rules.company.name,
        rules_origin: config.rules_origin(),
        detail_rows_per_sheet: args.detail_sheet_rows,
    };
    let mut staging = Staging::new(config.out())?;
    // The workbook (the Detail sheet is most of the run at a million invoices) is written on
    // a second thread while this one writes the JSON files and the emails (issue 7).
    progress.start("writing the workbook and the emails");
    let workbook_path = staging.file(workbook::FILE_NAME);
    let (written, composed) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let started = std::time::Instant::now();
            workbook::write(&workbook_path, &input).map(|()| started.elapsed())
        });
        let started = std::time::Instant::now();
        let composed =
            write_other_outputs(&mut staging, &input, &decided, &inputs, &paid, &config, args.templates.as_deref())
                .map(|composed| (composed, started.elapsed()));
        let written = writer.join().unwrap_or_else(|_| Err(Error::Internal("the workbook writer stopped".into())));
        (written, composed)
    });
    let workbook_took = written?;
    let (composed, emails_took) = composed?;
    progress.note(&format!(
        "wrote the workbook in {:.1} s; the JSON files and {} emails in {:.1} s (at the same time)",
        workbook_took.as_secs_f64(),
        composed.outbox.len(),
        emails_took.as_secs_f64()
    ));
    progress.done("wrote the workbook and", composed.outbox.len(), "emails");
    let summary = args.json.then(|| crate::report::summary_json::Summary::new(&input));
    staging.commit()?;
    progress.finish();
    decided.history.record(config.as_of(), decided.decisions.log_entries(config.as_of()));
    decided.history.save(&args.state)?;
    decided.trend.save(&args.state)?;

    let exit_code = u8::from(!problems.is_empty());
    if let Some(summary) = summary {
        let message = json_summary(&summary, &decided.decisions.actions, composed.outbox.len(), config.out())?;
        return Ok(Outcome { message, exit_code });
    }
    if args.quiet {
        return Ok(Outcome { message: String::new(), exit_code });
    }
    let mut message = human_summary(&decided, &composed, config.out());
    if !problems.is_empty() {
        let _ = write!(message, "\n{} rows rejected: see the Rejected sheet (exit code 1)", problems.len());
    }
    Ok(Outcome { message, exit_code })
}

/// What a person reads after a run: rows, totals and metrics per currency, actions, files.
fn human_summary(decided: &decide::Decided, composed: &compose::Composed, out: &std::path::Path) -> String {
    let counts = &decided.counts;
    let out = out.display();
    let mut message = format!(
        "{} rows read: {} open, {} closed, {} future-dated, {} rejected\nwrote {out}/{}, {out}/{} and {out}/{}",
        counts.read,
        counts.accepted,
        counts.closed,
        counts.future_dated,
        counts.rejected,
        workbook::FILE_NAME,
        summary_json::FILE_NAME,
        actions_json::FILE_NAME,
    );
    for t in &decided.aging.currencies {
        let _ = write!(
            message,
            "\n{}: open {} ({} items), overdue {}",
            t.currency.code(),
            t.currency.format(t.total().amount_minor),
            t.total().count,
            t.currency.format(t.overdue.amount_minor)
        );
        if let Some(m) = decided.metrics.currencies.iter().find(|m| m.currency == t.currency) {
            let or_na = |d| crate::metrics::text(d).unwrap_or_else(|| "n/a".into());
            let _ = write!(message, ", DSO {} days, CEI {}%", or_na(m.dso), or_na(m.cei));
        }
    }
    let actions = &decided.decisions.actions;
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
