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
use crate::state::soundness::Checking;

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

/// Where [`decide_and_write`] records the run: the state database, the integrity check
/// and backup under way beside the run (waited for before the record commits; taken out
/// then), the previous run's open items being read beside the run (for the roll-forward
/// and the items opened and closed), and when the run started.
struct Recorder<'a> {
    db: &'a crate::state::Db,
    checking: Option<Checking>,
    previous_open: Option<PreviousOpenRead>,
    started_at: String,
}

/// The previous run's open items, read on a thread of their own.
type PreviousOpenRead = std::thread::JoinHandle<Result<crate::metrics::rollforward::PreviousOpen>>;

/// Starts reading the open items of the run that a run as of `as_of` follows from `state`,
/// on a thread that gives way to the run's own.
fn read_previous_open(state: &std::path::Path, as_of: NaiveDate) -> PreviousOpenRead {
    let state = state.to_path_buf();
    std::thread::spawn(move || {
        crate::priority::give_way();
        crate::state::store::previous_open_before(&state, as_of)
    })
}

/// What [`decide_and_write`] made, and how long each side took.
struct Written<'db> {
    actioned: pipeline::Actioned,
    composed: compose::Composed,
    summary: Option<crate::report::summary_json::Summary>,
    /// The run recorded as pending while the workbook was being finished.
    recorded: crate::state::store::RecordedRun<'db>,
    workbook_took: std::time::Duration,
    emails_took: std::time::Duration,
    /// Of `emails_took`: deciding the actions.
    decide_took: std::time::Duration,
    /// How the front sheets were made (the History sheet beside the emails).
    handed: writer::Handed,
    /// Recording the run, and the integrity check and backup beside the run (zero when
    /// done while the database was opened).
    recorded_took: std::time::Duration,
    checked_took: std::time::Duration,
}

/// Decides the actions of `aged`, writes every output into `staging` and records the run
/// as pending with `recorder`; the workbook is written alongside
/// ([`writer::write_alongside`]) and finished while the run is recorded. The invoices are
/// taken out of `inputs` and, with their `matched` copy, freed once the metrics are
/// computed (or, when payments were matched, once the thank-you messages are decided).
fn decide_and_write<'db>(
    config: &RunConfig,
    inputs: &mut crate::ledger::Inputs,
    aged: &pipeline::Aged,
    matched: Option<Vec<crate::normalize::Invoice>>,
    staging: &mut Staging,
    options: &WriteOptions<'_>,
    recorder: &mut Recorder<'db>,
) -> Result<Written<'db>> {
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
        let previous = match recorder.previous_open.take() {
            Some(reading) => {
                Some(reading.join().unwrap_or_else(|_| Err(Error::Internal("reading the last run stopped".into())))?)
            }
            None => None,
        };
        let remembered = pipeline::Remembered { history, previous_open: previous.as_ref() };
        let measured =
            pipeline::measure(config, &invoices, matched.as_deref(), &inputs.records, aged, options.state, remembered)?;
        // This run's open items in key order, and those opened and closed since the previous
        // run, found while its items are at hand: the record does not read them again.
        let items_now = crate::state::store::open_items_of(&aged.aging.open_items)?;
        let changes = previous.map(|previous| crate::state::store::item_changes(&previous, &items_now));
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
        let emails_took = started.elapsed();
        let summary = options.json.then(|| crate::report::summary_json::Summary::new(&input));
        // Recorded while the workbook is being finished: pending until it is published.
        let recording = std::time::Instant::now();
        let seen = Seen { items: &items_now, changes: changes.as_ref(), reconciliation: aged.reconciliation.as_ref() };
        let (id, check) = record(config, inputs, &seen, &actioned, &composed, staging, recorder)?;
        let pending = crate::state::store::RecordedRun::new(recorder.db, id);
        Ok(Written {
            actioned,
            composed,
            summary,
            recorded: pending,
            workbook_took: std::time::Duration::ZERO,
            emails_took,
            decide_took,
            handed,
            recorded_took: recording.elapsed().saturating_sub(check.waited),
            checked_took: check.took,
        })
    })?;
    Ok(Written { workbook_took, ..done })
}

/// How long the integrity check and backup beside the run took on their thread, and how
/// long the record waited for them before it committed.
#[derive(Default)]
struct Check {
    took: std::time::Duration,
    waited: std::time::Duration,
}

/// What the run saw of the ledger, for its record: its open items
/// ([`crate::state::store::open_items_of`]), those opened and closed since the previous run
/// when found already, and the payments matched.
struct Seen<'a> {
    items: &'a [(crate::state::store::ItemRef<'a>, i64)],
    changes: Option<&'a crate::state::store::ItemChanges>,
    reconciliation: Option<&'a crate::ledger::matching::Reconciliation>,
}

/// Records the run as pending ([`crate::state::store::record_run`]); before it commits,
/// waits for the integrity check and backup beside the run. Returns the run's id.
fn record(
    config: &RunConfig,
    inputs: &crate::ledger::Inputs,
    seen: &Seen<'_>,
    actioned: &pipeline::Actioned,
    composed: &compose::Composed,
    staging: &Staging,
    recorder: &mut Recorder<'_>,
) -> Result<(i64, Check)> {
    let out_dir = std::path::absolute(config.out()).map_err(|e| Error::write(config.out(), e))?;
    let record = crate::state::store::RunRecord {
        as_of: config.as_of(),
        out_dir: &out_dir,
        outputs_digest: crate::state::store::outputs_digest(staging.path()),
        inputs: crate::state::fingerprint::inputs(config)?,
        rules: crate::state::fingerprint::rules(config),
        started_at: recorder.started_at.clone(),
        actions: &actioned.decisions.actions,
        outbox: &composed.outbox,
        snapshot: &actioned.metrics.snapshot(),
        open_items: seen.items,
        changes: seen.changes,
        followups: &inputs.records.followups,
        reconciliation: seen.reconciliation,
    };
    let checking = &mut recorder.checking;
    let mut check = Check::default();
    let id = crate::state::store::record_run(recorder.db, &record, || {
        let waiting = std::time::Instant::now();
        let checked = checking.take().map_or(Ok(std::time::Duration::ZERO), Checking::wait);
        check.waited = waiting.elapsed();
        check.took = checked?;
        Ok(())
    })?;
    Ok((id, check))
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
    let started_at = crate::state::now();
    // The state folder is opened (and so known to be writable) before anything is made; a
    // database that needs nothing written first is checked and backed up on a thread of its
    // own meanwhile, and must be found sound before the run records anything. An existing
    // database is opened first, so that its check has the processor that reading the inputs
    // leaves idle; a new one after the inputs are read (a run stopped by its inputs leaves no
    // state folder behind).
    let open = |progress: &mut Progress| {
        let opening = std::time::Instant::now();
        let opened = crate::state::Db::open_for_run(&state)?;
        progress.note(&format!("opened the state database in {:.1} s", opening.elapsed().as_secs_f64()));
        Ok::<_, Error>(opened)
    };
    let mut opened = if crate::state::Db::exists(&state) { Some(open(&mut progress)?) } else { None };
    // So are the previous run's open items read, beside the inputs.
    let previous_open = opened.is_some().then(|| read_previous_open(&state, config.as_of()));
    progress.start("reading the inputs");
    let mut inputs = ledger::load_inputs(&config)?;
    let rows: usize = inputs.batch.sources.iter().map(|s| s.read).sum();
    progress.done("read", rows, "invoice rows");
    let problems = super::check::problem_lines(&inputs);
    if args.strict && !problems.is_empty() {
        return Err(Error::Strict { count: problems.len(), problems: problems.join("\n") });
    }
    let (db, mut notes, checking) = match opened.take() {
        Some(opened) => opened,
        None => open(&mut progress)?,
    };
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
    let mut recorder = Recorder { db: &db, checking: Some(checking), previous_open, started_at };
    let written = decide_and_write(&config, &mut inputs, &aged, matched, &mut staging, &options, &mut recorder);
    // A damaged database's error comes first: the reads above may have failed because of it
    // (when the run stopped before its record waited for the check).
    if let Some(checking) = recorder.checking.take() {
        checking.wait()?;
    }
    let written = written?;
    progress.note(&written.timings());
    if !written.checked_took.is_zero() {
        progress.note(&format!(
            "checked the state database's integrity and kept its backup in {:.1} s, beside the run",
            written.checked_took.as_secs_f64()
        ));
    }
    progress.done("wrote the workbook and", written.composed.outbox.len(), "emails");
    let publishing = std::time::Instant::now();
    publish(&db, written.recorded, staging)?;
    progress.note(&format!(
        "recorded the run in the state database in {:.1} s (while the workbook was finished), published it in {:.1} s",
        written.recorded_took.as_secs_f64(),
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

impl Written<'_> {
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

/// Publishes the outputs of the run recorded as pending, then marks it published. Outputs
/// that cannot be put in place leave the run discarded (the guard dropped); a kill before
/// they are in place leaves a pending run that the next open discards (the old outputs
/// still there), after, one that it completes.
fn publish(db: &crate::state::Db, recorded: crate::state::store::RecordedRun<'_>, staging: Staging) -> Result<()> {
    staging.commit()?;
    crate::state::store::publish(db, recorded.publishing())
}
