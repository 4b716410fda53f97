//! `payback run`: load → age → decide → report, then record the run in the state database
//! as pending, publish the outputs, and mark the run published (see [`crate::state`]).
use chrono::NaiveDate;

use crate::cli::RunArgs;
use crate::config::RunConfig;
use crate::email::compose;
use crate::email::render::Templates;
use crate::error::{Error, Result};
use crate::output::Staging;
use crate::report::{ReportInput, actions_json, detail_sheet, summary_json, workbook, writer};
use crate::rules::action::ActionKind;
use crate::rules::engine;

use super::progress::Progress;
use super::setup::{self, Folders, Setup};
use super::summary;
use crate::{Outcome, ledger, pipeline};

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

/// The accounts with a message or a task this run: those of the History sheet.
fn customers_with_actions(decisions: &crate::rules::action::Decisions) -> std::collections::BTreeSet<String> {
    decisions.actions.iter().filter(|a| a.kind != ActionKind::Hold).map(|a| a.customer.clone()).collect()
}

/// The History sheet's events: the 12 months before `as_of` of `customers` (every account
/// with a message or a task this run), from the state database (none before the first
/// run).
fn recent_history(
    state: &std::path::Path,
    customers: &std::collections::BTreeSet<String>,
    as_of: NaiveDate,
) -> Result<crate::state::timeline::Recent> {
    let Some(db) = crate::state::Db::open_read_only(state)? else {
        return Ok(crate::state::timeline::Recent::default());
    };
    let since = as_of.checked_sub_days(chrono::Days::new(365)).unwrap_or(NaiveDate::MIN);
    // What earlier runs did (before `as_of`): a rerun of this date does not show the run it replaces.
    crate::state::timeline::recent(&db, customers, since, as_of, crate::state::timeline::SHEET_EVENTS_PER_ACCOUNT)
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
        detail_sheet::write_csv(&path, input.aging, &sources)?;
    }
    let templates = Templates::new(templates);
    let emails = staging.folder("emails")?;
    let internal = staging.folder("internal")?;
    let mut save = |file: &str, bytes: &[u8]| {
        let (folder, name) = file.split_once('/').unwrap_or(("emails", file));
        let path = if folder == "internal" { internal.join(name) } else { emails.join(name) };
        std::fs::write(&path, bytes).map_err(|e| Error::write(path.clone(), e))
    };
    let composed = compose::compose(actions, compose_inputs, &templates, &mut save)?;
    let outbox = staging.file(compose::OUTBOX);
    std::fs::write(&outbox, compose::outbox_csv(&composed.outbox)?).map_err(|e| Error::write(outbox.clone(), e))?;
    Ok(composed)
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
    actioned: pipeline::Actioned,
    composed: compose::Composed,
    summary: Option<crate::report::summary_json::Summary>,
    workbook_took: std::time::Duration,
    emails_took: std::time::Duration,
    /// Of `emails_took`: deciding the actions.
    decide_took: std::time::Duration,
    /// How the front sheets were made (the History sheet beside the emails).
    handed: writer::Handed,
}

/// Decides the actions of `aged` and writes every output into `staging`; the workbook is
/// written alongside ([`writer::write_alongside`]). The invoices are taken out of `inputs`
/// and, with their `matched` copy, freed once the metrics are computed (or, when payments
/// were matched, once the thank-you messages are decided).
fn decide_and_write(
    config: &RunConfig,
    inputs: &mut crate::ledger::Inputs,
    aged: &pipeline::Aged,
    matched: Option<Vec<crate::normalize::Invoice>>,
    staging: &mut Staging,
    options: &WriteOptions<'_>,
) -> Result<Written> {
    // Only what the outputs need is kept: the invoices themselves are freed as soon as
    // nothing reads them any more (a million invoices are ~150 MB).
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
    let inputs = &*inputs;
    let (done, workbook_took) = writer::write_alongside(&workbook_path, &back, |front| {
        let started = std::time::Instant::now();
        // The rules decide with what happened (sent messages, tasks): the messages prepared
        // and never sent, a year of them at a million invoices, are not read.
        let history = crate::state::store::load_history(options.state, false)?;
        let measured =
            pipeline::measure(config, &invoices, matched.as_deref(), &inputs.records, aged, options.state, history)?;
        // Without matched payments nothing below reads the invoices: they are freed
        // before the open items are built, not held beside them.
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
        let actioned = pipeline::act(config, measured, paid_from, &inputs.records, aged, &items, None)?;
        let decide_took = started.elapsed();
        let thanked = thanked_invoices(&actioned.decisions, &invoices);
        drop(invoices);
        drop(matched);
        let paid: Vec<engine::OpenItem<'_>> = thanked.iter().map(|i| engine::paid_item(i, config.as_of())).collect();
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
        };
        let compose_inputs = compose::Inputs {
            items: &items,
            paid: &paid,
            records: &inputs.records,
            rules: config.rules(),
            as_of: config.as_of(),
            metrics: &actioned.metrics,
        };
        // The History sheet is read and filled on a thread of its own while this one writes
        // the JSON files and the emails.
        let customers = customers_with_actions(&actioned.decisions);
        let history = || recent_history(options.state, &customers, config.as_of());
        let emails =
            || write_other_outputs(staging, &input, &actioned.decisions.actions, &compose_inputs, options.templates);
        let (composed, handed) = front.hand_over(&input, history, emails)?;
        let summary = options.json.then(|| crate::report::summary_json::Summary::new(&input));
        Ok(Written {
            actioned,
            composed,
            summary,
            workbook_took: std::time::Duration::ZERO,
            emails_took: started.elapsed(),
            decide_took,
            handed,
        })
    })?;
    Ok(Written { workbook_took, ..done })
}

/// Runs the aging and the collection rules; writes `aging-report.xlsx`, `summary.json` and
/// `actions.json` into `--out` and the decisions into the log in `--state`.
///
/// # Errors
/// Any [`Error`] that stops the run; nothing is written then.
pub(crate) fn exec(args: RunArgs, today: NaiveDate) -> Result<Outcome> {
    let folders = Folders { out: args.out, state: args.state, templates: args.templates };
    let Setup { config, state, templates, in_workspace } =
        setup::configure(args.input, args.as_of.unwrap_or(today), folders)?;
    crate::output::check_out(config.out(), &[config.read_paths(), vec![state.as_path()]].concat())?;
    let mut progress = Progress::new(args.quiet || args.json);
    progress.start("reading the inputs");
    let mut inputs = ledger::load_inputs(&config)?;
    let rows: usize = inputs.batch.sources.iter().map(|s| s.read).sum();
    progress.done("read", rows, "invoice rows");
    let problems = super::check::problem_lines(&inputs);
    if args.strict && !problems.is_empty() {
        return Err(Error::Strict { count: problems.len(), problems: problems.join("\n") });
    }
    let started_at = crate::state::now();
    // The state folder is opened (and so known to be writable) before anything is made; a
    // database that needs nothing written first is checked and backed up on a thread of its
    // own meanwhile, and must be found sound before the run records anything.
    let opening = std::time::Instant::now();
    let (db, mut notes, checking) = crate::state::Db::open_for_run(&state)?;
    progress.note(&format!("opened the state database in {:.1} s", opening.elapsed().as_secs_f64()));
    // A workspace's payback.toml is where the user's own company goes.
    notes.extend(config.rules().company.example_warning().filter(|_| in_workspace));
    progress.start("matching payments and aging");
    let (aged, matched) = pipeline::age(&config, &inputs)?;
    if let Some(reconciliation) = &aged.reconciliation {
        progress.done("matched", reconciliation.payments.len(), "payments");
    }
    progress.done("aged", aged.aging.open_items.height(), "open items");
    let mut staging = Staging::new(config.out())?;
    progress.start("deciding the actions; writing the workbook and the emails");
    let options = WriteOptions {
        state: &state,
        templates: templates.as_deref(),
        json: args.json,
        detail_rows_per_sheet: args.detail_sheet_rows,
        rows_per_sheet: args.sheet_rows,
    };
    let written = decide_and_write(&config, &mut inputs, &aged, matched, &mut staging, &options);
    // A damaged database's error comes first: the reads above may have failed because of it.
    let checked = checking.wait()?;
    let written = written?;
    progress.note(&written.timings());
    if !checked.is_zero() {
        progress.note(&format!(
            "checked the state database's integrity and kept its backup in {:.1} s, beside the run",
            checked.as_secs_f64()
        ));
    }
    progress.done("wrote the workbook and", written.composed.outbox.len(), "emails");
    let (recorded_took, published_took) =
        record_and_publish(&db, &config, &inputs, &aged, &written, staging, started_at)?;
    drop(db);
    progress.note(&format!(
        "recorded the run in the state database in {:.1} s, published it in {:.1} s",
        recorded_took.as_secs_f64(),
        published_took.as_secs_f64()
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
    let message = if let Some(summary) = &written.summary {
        summary::json(summary, &written.actioned.decisions.actions, written.composed.outbox.len(), config.out())?
    } else if args.quiet {
        String::new()
    } else {
        let mut message = summary::human(&aged, &written.actioned, &written.composed, config.out());
        message.push_str(&summary::problems(&problems, inputs.records.not_matched.len()));
        message
    };
    Ok(Outcome { message, exit_code, warnings })
}

impl Written {
    /// How long each side of the run took, for the progress line.
    fn timings(&self) -> String {
        format!(
            "wrote the workbook in {:.1} s; at the same time decided the actions in {:.1} s, built the front sheets in {:.1} s, then wrote the JSON files and {} emails in {:.1} s while the History sheet read {} events and was filled in {:.1} s",
            self.workbook_took.as_secs_f64(),
            self.decide_took.as_secs_f64(),
            self.handed.front_took.as_secs_f64(),
            self.composed.outbox.len(),
            self.emails_took.saturating_sub(self.decide_took + self.handed.front_took).as_secs_f64(),
            self.handed.history_events,
            self.handed.history_took.as_secs_f64()
        )
    }
}

/// The run's state commits as pending first: if that fails, nothing is published. A kill
/// after it leaves a pending run that the next open completes (outputs in place) or
/// discards (the old outputs still there). Returns how long recording and publishing took.
fn record_and_publish(
    db: &crate::state::Db,
    config: &RunConfig,
    inputs: &crate::ledger::Inputs,
    aged: &pipeline::Aged,
    written: &Written,
    staging: Staging,
    started_at: String,
) -> Result<(std::time::Duration, std::time::Duration)> {
    let out_dir = std::path::absolute(config.out()).map_err(|e| Error::write(config.out(), e))?;
    let record = crate::state::store::RunRecord {
        as_of: config.as_of(),
        out_dir: &out_dir,
        outputs_digest: crate::state::store::outputs_digest(staging.path()),
        inputs: crate::state::fingerprint::inputs(config)?,
        rules: crate::state::fingerprint::rules(config),
        started_at,
        actions: &written.actioned.decisions.actions,
        outbox: &written.composed.outbox,
        snapshot: &written.actioned.metrics.snapshot(),
        open_items: &aged.aging.open_items,
        followups: &inputs.records.followups,
        reconciliation: aged.reconciliation.as_ref(),
    };
    let recording = std::time::Instant::now();
    let run_id = crate::state::store::record_run(db, &record)?;
    let recorded_took = recording.elapsed();
    if let Err(e) = staging.commit() {
        let _ = crate::state::store::discard(db, run_id);
        return Err(e);
    }
    let publishing = std::time::Instant::now();
    crate::state::store::publish(db, run_id)?;
    Ok((recorded_took, publishing.elapsed()))
}
