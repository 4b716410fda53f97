//! `payback run`: load → age → decide → report, then record the run in the state database
//! as pending, publish the outputs, and mark the run published (see [`crate::state`]).
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
use crate::workspace::WorkspaceFile;

use super::progress::Progress;
use crate::{Outcome, decide, load};

/// The invoices this run's thank-you messages are about (copies of those only, so that the
/// others can be freed).
fn thanked_invoices(
    decisions: &crate::rules::action::Decisions,
    invoices: &[crate::normalize::Invoice],
) -> Vec<crate::normalize::Invoice> {
    let thanked: std::collections::HashSet<(&str, &str)> = decisions
        .actions
        .iter()
        .filter(|a| a.stage == crate::rules::thanks::STAGE)
        .flat_map(|a| a.invoice_nos.iter().map(|n| (&*a.customer, n.as_str())))
        .collect();
    invoices.iter().filter(|i| thanked.contains(&(&*i.customer, i.invoice_no.as_str()))).cloned().collect()
}

/// The History sheet's events: the 12 months before `as_of` of every account with a message
/// or a task this run, at most [`crate::state::timeline::SHEET_EVENTS_PER_ACCOUNT`] an
/// account, from the state database (none before the first run). What earlier runs did: a
/// rerun of this date does not show the run it replaces.
fn recent_history(
    state: &std::path::Path,
    decisions: &crate::rules::action::Decisions,
    as_of: NaiveDate,
) -> Result<crate::state::timeline::Recent> {
    let Some(db) = crate::state::Db::open_read_only(state)? else {
        return Ok(crate::state::timeline::Recent::default());
    };
    let customers: std::collections::BTreeSet<String> =
        decisions.actions.iter().filter(|a| a.kind != ActionKind::Hold).map(|a| a.customer.clone()).collect();
    let since = as_of.checked_sub_days(chrono::Days::new(365)).unwrap_or(NaiveDate::MIN);
    crate::state::timeline::recent(&db, &customers, since, as_of, crate::state::timeline::SHEET_EVENTS_PER_ACCOUNT)
}

/// Writes `summary.json`, `actions.json`, the emails and the outbox; returns the messages.
fn write_other_outputs(
    staging: &mut Staging,
    input: &ReportInput<'_>,
    actions: &[crate::rules::action::Action],
    compose_inputs: &compose::Inputs<'_>,
    templates: Option<&std::path::Path>,
) -> Result<compose::Composed> {
    summary_json::write(&staging.file(summary_json::FILE_NAME), input)?;
    actions_json::write(&staging.file(actions_json::FILE_NAME), actions)?;
    if input.aging.open_items.height() > input.detail_rows_per_sheet {
        // The items fill more than one Detail sheet: all of them in one file as well.
        let sources: Vec<String> = input.batch.sources.iter().map(|s| s.source.describe()).collect();
        let path = staging.file(detail_sheet::CSV_FILE_NAME);
        detail_sheet::write_csv(&path, input.aging, &sources).map_err(|reason| Error::Output { path, reason })?;
    }
    let templates = Templates::new(templates);
    let emails = staging.folder("emails")?;
    let internal = staging.folder("internal")?;
    let mut save = |file: &str, bytes: &[u8]| {
        let (folder, name) = file.split_once('/').unwrap_or(("emails", file));
        let path = if folder == "internal" { internal.join(name) } else { emails.join(name) };
        std::fs::write(&path, bytes).map_err(|e| Error::Output { path: path.clone(), reason: e.to_string() })
    };
    let composed = compose::compose(actions, compose_inputs, &templates, &mut save)?;
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

/// What `run` passes on from its options to [`decide_and_write`].
struct WriteOptions<'a> {
    state: &'a std::path::Path,
    templates: Option<&'a std::path::Path>,
    json: bool,
    detail_rows_per_sheet: usize,
    rows_per_sheet: usize,
}

/// What [`decide_and_write`] made, and how long each side took.
struct Written {
    actioned: decide::Actioned,
    composed: compose::Composed,
    summary: Option<crate::report::summary_json::Summary>,
    workbook_took: std::time::Duration,
    emails_took: std::time::Duration,
    /// Of `emails_took`: deciding the actions, and building the front sheets.
    decide_took: std::time::Duration,
    front_took: std::time::Duration,
    /// Of `emails_took`: reading the History sheet's events, and how many.
    history_took: std::time::Duration,
    history_events: usize,
}

/// Decides the actions of `aged` and writes every output into `staging`. The invoices are
/// taken out of `inputs` and, with their `matched` copy, freed once the metrics are
/// computed (or, when payments were matched, once the thank-you messages are decided).
#[allow(clippy::too_many_lines)] // two threads' work and how long each part took, in one place
fn decide_and_write(
    config: &RunConfig,
    inputs: &mut crate::load::Inputs,
    aged: &decide::Aged,
    matched: Option<Vec<crate::normalize::Invoice>>,
    staging: &mut Staging,
    options: &WriteOptions<'_>,
) -> Result<Written> {
    // Only what the outputs need is kept: the invoices themselves are freed as soon as
    // nothing reads them any more (a million invoices are ~150 MB; issue 7).
    let invoices = std::mem::take(&mut inputs.batch.invoices);
    let rules = config.rules();
    let workbook_path = staging.file(workbook::FILE_NAME);
    // The company's name in the workbook's language.
    let workbook_company = rules.company.identity(&rules.report.language).name;
    let back = workbook::Back {
        aging: &aged.aging,
        batch: &inputs.batch,
        records_rejected: &inputs.records.rejected,
        reconciliation: aged.reconciliation.as_ref(),
        company: &workbook_company,
        labels: rules.report_labels(),
        detail_rows_per_sheet: options.detail_rows_per_sheet,
        rows_per_sheet: options.rows_per_sheet,
    };
    // The workbook's Detail sheets (most of the work at a million invoices) are written on
    // a second thread from the aging alone, while this one decides the actions, builds the
    // front sheets and hands them over, then writes the JSON files and the emails (issue 7).
    let mut writer_gone = false;
    let (written, done) = std::thread::scope(|scope| {
        // Blank front sheets go from the writer to this thread, filled ones back.
        let (send_blank, blank) = std::sync::mpsc::sync_channel::<Vec<rust_xlsxwriter::Worksheet>>(1);
        let (send_front, front) = std::sync::mpsc::sync_channel::<Vec<rust_xlsxwriter::Worksheet>>(1);
        let writer = scope.spawn(|| {
            let started = std::time::Instant::now();
            workbook::write_with(&workbook_path, &back, move |sheets| {
                // This thread may have stopped already; its error is the one reported then.
                let _ = send_blank.send(sheets);
                move || front.recv().map_err(|_| Error::Internal("the front sheets were not made".into()))
            })
            .map(|()| started.elapsed())
        });
        let started = std::time::Instant::now();
        let done = (|| {
            // The rules decide with what happened (sent messages, tasks): the messages prepared
            // and never sent, a year of them at a million invoices, are not read (issue 24).
            let history = crate::rules::history::History::load_contacts(options.state)?;
            let measured =
                decide::measure(config, &invoices, matched.as_deref(), &inputs.records, aged, options.state, history)?;
            // Without matched payments nothing below reads the invoices: they are freed
            // before the open items are built, not held beside them (issue 7).
            let (invoices, matched) = if aged.reconciliation.is_some() {
                (invoices, matched)
            } else {
                drop(invoices);
                drop(matched);
                (Vec::new(), None)
            };
            // The items are read from the aging's frame in place, by the rules and the emails.
            let items = engine::OpenItems::new(&aged.aging).map_err(Error::internal)?;
            let paid_from = matched.as_deref().unwrap_or(&invoices);
            let actioned = decide::act(config, measured, paid_from, &inputs.records, aged, &items, None)?;
            let decide_took = started.elapsed();
            let history_started = std::time::Instant::now();
            let history = recent_history(options.state, &actioned.decisions, config.as_of())?;
            let history_took = history_started.elapsed();
            let thanked = thanked_invoices(&actioned.decisions, &invoices);
            drop(invoices);
            drop(matched);
            let paid: Vec<engine::OpenItem<'_>> =
                thanked.iter().map(|i| engine::paid_item(i, config.as_of())).collect();
            let input = ReportInput {
                aging: &aged.aging,
                batch: &inputs.batch,
                records_rejected: &inputs.records.rejected,
                not_matched: &inputs.records.not_matched,
                controls: aged.controls.clone(),
                counts: aged.counts.clone(),
                decisions: &actioned.decisions,
                reconciliation: aged.reconciliation.as_ref(),
                metrics: &actioned.metrics,
                company: &workbook_company,
                sign_off: &rules.company.sign_off,
                projects: &inputs.records.projects,
                labels: rules.report_labels(),
                rules_origin: config.rules_origin(),
                detail_rows_per_sheet: options.detail_rows_per_sheet,
                rows_per_sheet: options.rows_per_sheet,
                history: &history,
            };
            let front_started = std::time::Instant::now();
            let blank = blank.recv().map_err(|_| {
                writer_gone = true;
                Error::Internal("the workbook writer stopped".into())
            })?;
            let front = workbook::front_sheets(&input, blank)?;
            let front_took = front_started.elapsed();
            // The writer may have stopped already; its error is the one reported then.
            let _ = send_front.send(front);
            let compose_inputs = compose::Inputs {
                items: &items,
                paid: &paid,
                records: &inputs.records,
                rules: config.rules(),
                as_of: config.as_of(),
                metrics: &actioned.metrics,
            };
            let composed =
                write_other_outputs(staging, &input, &actioned.decisions.actions, &compose_inputs, options.templates)?;
            let summary = options.json.then(|| crate::report::summary_json::Summary::new(&input));
            let took = (started.elapsed(), decide_took, front_took, history_took, history.events.len());
            Ok::<_, Error>((actioned, composed, summary, took))
        })();
        // Whatever happened above, the writer must not wait for sheets that will not come:
        // closing the channels ends its wait with an error (an early failure of the
        // deciding side — an unreadable log, a missing calendar — hung the run before).
        drop(send_front);
        drop(blank);
        let written = writer.join().unwrap_or_else(|_| Err(Error::Internal("the workbook writer stopped".into())));
        (written, done)
    });
    // An error of the deciding side comes first: the writer only stops for want of it then,
    // unless the writer stopped before handing out the blank front sheets.
    let (written, done) = match (written, done) {
        (Err(e), Err(_)) if writer_gone => return Err(e),
        pair => pair,
    };
    let (actioned, composed, summary, (emails_took, decide_took, front_took, history_took, history_events)) = done?;
    let workbook_took = written?;
    Ok(Written {
        actioned,
        composed,
        summary,
        workbook_took,
        emails_took,
        decide_took,
        front_took,
        history_took,
        history_events,
    })
}

/// Runs the aging and the collection rules; writes `aging-report.xlsx`, `summary.json` and
/// `actions.json` into `--out` and the decisions into the log in `--state`.
///
/// # Errors
/// Any [`Error`] that stops the run; nothing is written then.
#[allow(clippy::too_many_lines)] // the run's steps in order, each timed for the progress lines
pub fn exec(mut args: RunArgs, today: NaiveDate) -> Result<Outcome> {
    let workspace = WorkspaceFile::read(std::path::Path::new("."))?;
    if let Some(workspace) = &workspace {
        workspace.apply(&mut args);
    }
    let company = workspace.as_ref().and_then(|w| w.company.as_ref());
    let report = workspace.as_ref().and_then(|w| w.report.as_ref());
    let config = RunConfig::with_company(args.input, args.as_of.unwrap_or(today), args.out, company, report)?;
    crate::output::check_out(config.out(), &[config.read_paths(), vec![args.state.as_path()]].concat())?;
    let mut progress = Progress::new(args.quiet || args.json);
    progress.start("reading the inputs");
    let mut inputs = load::load_inputs(&config)?;
    let rows: usize = inputs.batch.sources.iter().map(|s| s.read).sum();
    progress.done("read", rows, "invoice rows");
    let problems = super::check::problem_lines(&inputs);
    let not_matched = inputs.records.not_matched.len();
    if args.strict && !problems.is_empty() {
        return Err(Error::Strict { count: problems.len(), problems: problems.join("\n") });
    }
    let started_at = crate::state::now();
    // The state folder is opened (and so known to be writable) before anything is made.
    let opening = std::time::Instant::now();
    let (db, mut notes) = crate::state::Db::open_for_run(&args.state)?;
    progress.note(&format!(
        "opened the state database in {:.1} s (integrity check, backup, migrations)",
        opening.elapsed().as_secs_f64()
    ));
    progress.start("matching payments and aging");
    let (aged, matched) = decide::age(&config, &inputs)?;
    if let Some(reconciliation) = &aged.reconciliation {
        progress.done("matched", reconciliation.payments.len(), "payments");
    }
    progress.done("aged", aged.aging.open_items.height(), "open items");
    let mut staging = Staging::new(config.out())?;
    progress.start("deciding the actions; writing the workbook and the emails");
    let options = WriteOptions {
        state: &args.state,
        templates: args.templates.as_deref(),
        json: args.json,
        detail_rows_per_sheet: args.detail_sheet_rows,
        rows_per_sheet: args.sheet_rows,
    };
    let Written {
        actioned,
        composed,
        summary,
        workbook_took,
        emails_took,
        decide_took,
        front_took,
        history_took,
        history_events,
    } = decide_and_write(&config, &mut inputs, &aged, matched, &mut staging, &options)?;
    progress.note(&format!(
        "wrote the workbook in {:.1} s; at the same time decided the actions in {:.1} s, read {history_events} History events in {:.1} s, built the front sheets in {:.1} s and wrote the JSON files and {} emails in {:.1} s",
        workbook_took.as_secs_f64(),
        decide_took.as_secs_f64(),
        history_took.as_secs_f64(),
        front_took.as_secs_f64(),
        composed.outbox.len(),
        emails_took.saturating_sub(decide_took + history_took + front_took).as_secs_f64()
    ));
    progress.done("wrote the workbook and", composed.outbox.len(), "emails");
    // The run's state commits as pending first: if that fails, nothing is published. A kill
    // after it leaves a pending run that the next open completes (outputs in place) or
    // discards (the old outputs still there).
    let out_dir = std::path::absolute(config.out())
        .map_err(|e| Error::Output { path: config.out().into(), reason: e.to_string() })?;
    let record = crate::state::store::RunRecord {
        as_of: config.as_of(),
        out_dir: &out_dir,
        outputs_digest: crate::state::store::outputs_digest(staging.path()),
        inputs: fingerprints(&config)?,
        rules: rules_fingerprint(&config),
        started_at,
        actions: &actioned.decisions.actions,
        outbox: &composed.outbox,
        snapshot: &actioned.metrics.snapshot(),
        open_items: &aged.aging.open_items,
        followups: &inputs.records.followups,
        reconciliation: aged.reconciliation.as_ref(),
    };
    let recording = std::time::Instant::now();
    let run_id = crate::state::store::record_run(&db, &record)?;
    let recorded_took = recording.elapsed();
    if let Err(e) = staging.commit() {
        let _ = crate::state::store::discard(&db, run_id);
        return Err(e);
    }
    let publishing = std::time::Instant::now();
    crate::state::store::publish(&db, run_id)?;
    drop(db);
    progress.note(&format!(
        "recorded the run in the state database in {:.1} s, published it in {:.1} s",
        recorded_took.as_secs_f64(),
        publishing.elapsed().as_secs_f64()
    ));
    progress.finish();

    let exit_code = u8::from(!problems.is_empty());
    // Said once per file, on stderr: amounts read in a currency the file does not name.
    let warnings: Vec<String> = if args.quiet {
        Vec::new()
    } else {
        notes.extend(inputs.batch.sources.iter().filter_map(|s| s.currency_note.clone()));
        notes
    };
    if let Some(summary) = summary {
        let message = json_summary(&summary, &actioned.decisions.actions, composed.outbox.len(), config.out())?;
        return Ok(Outcome { message, exit_code, warnings });
    }
    if args.quiet {
        return Ok(Outcome { message: String::new(), exit_code, warnings });
    }
    let mut message = human_summary(&aged, &actioned, &composed, config.out());
    if !problems.is_empty() {
        let rejected = problems.len() - not_matched;
        let unknown = match not_matched {
            0 => String::new(),
            1 => ", 1 reference in the side files not found in the invoices".to_owned(),
            n => format!(", {n} references in the side files not found in the invoices"),
        };
        let _ = write!(message, "\n{rejected} rows rejected{unknown}: see the Rejected sheet (exit code 1)");
    }
    Ok(Outcome { message, exit_code, warnings })
}

/// Each input file's path, size and BLAKE3, as a JSON array (the run's fingerprint of
/// what it read).
fn fingerprints(config: &RunConfig) -> Result<String> {
    let mut files: Vec<&std::path::Path> = config.invoices().iter().map(|f| f.path.as_path()).collect();
    for table in ["contacts", "projects", "followups", "milestones", "payments"] {
        if let Some(file) = config.record_file(table) {
            files.push(&file.path);
        }
    }
    files.dedup();
    let mut out = Vec::new();
    for path in files {
        let (bytes, digest) = file_digest(path);
        out.push(serde_json::json!({ "path": path.display().to_string(), "bytes": bytes, "blake3": digest }));
    }
    serde_json::to_string(&out).map_err(Error::internal)
}

/// Size and BLAKE3 of a file, read in pieces; `(0, "")` when it cannot be read (the
/// workbook of sheets was read already: a file that vanished since is not worth a stop).
fn file_digest(path: &std::path::Path) -> (u64, String) {
    let mut hasher = blake3::Hasher::new();
    match std::fs::File::open(path).and_then(|mut f| std::io::copy(&mut f, &mut hasher)) {
        Ok(bytes) => (bytes, hasher.finalize().to_hex().to_string()),
        Err(_) => (0, String::new()),
    }
}

/// The rules' origin, with the BLAKE3 of its file when it is one.
fn rules_fingerprint(config: &RunConfig) -> String {
    let origin = config.rules_origin();
    match file_digest(std::path::Path::new(origin)) {
        (_, digest) if !digest.is_empty() => format!("{origin} blake3:{digest}"),
        _ => origin.to_owned(),
    }
}

/// What a person reads after a run: rows, totals and metrics per currency, actions, files.
fn human_summary(
    aged: &decide::Aged,
    actioned: &decide::Actioned,
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
