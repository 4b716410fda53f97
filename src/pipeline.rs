//! The chain after loading, shared by `run` and `explain`: [`age`] (payments matched,
//! invoices aged, control totals checked) → [`measure`] (history, trend and previous open
//! items read from the state; the metrics) → [`act`] (the decisions). [`decide`] is the
//! three in one for `explain`.
use std::path::Path;

use crate::aging::{self, Aging};
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::ledger::Inputs;
use crate::ledger::RowCounts;
use crate::ledger::control::{self, SourceControl};
use crate::ledger::matching::{self, Reconciliation};
use crate::metrics::{self, Metrics, MetricsInput};
use crate::rules::action::Decisions;
use crate::rules::calendar::Calendar;
use crate::rules::engine::{self, Facts};
use crate::rules::history::History;

/// What `explain` reads of a whole run: the decisions (with the traces kept) and the
/// history they were decided with.
#[derive(Debug, Clone)]
pub(crate) struct Decided {
    /// The collection actions and traces.
    pub(crate) decisions: Decisions,
    /// The history read from the state folder.
    pub(crate) history: History,
}

/// The aging of one run: everything the Detail, Reconciliation, Rejected and Skipped
/// sheets need, ready before the actions are decided (so that the big sheets can be
/// written while the rules run).
#[derive(Debug, Clone)]
pub(crate) struct Aged {
    /// The aging.
    pub aging: Aging,
    /// Row accounting of the whole run.
    pub counts: RowCounts,
    /// Control totals per input.
    pub controls: Vec<SourceControl>,
    /// Payments matched to invoices, when `--payments` was given.
    pub reconciliation: Option<Reconciliation>,
}

/// Ages `inputs` and decides the actions, with the history in `state`. Only the invoices
/// numbered `traced` keep their rule trace (`explain`).
///
/// # Errors
/// A history that cannot be read, control totals that do not reconcile (a bug).
pub(crate) fn decide(config: &RunConfig, inputs: &Inputs, state: &Path, traced: Option<&str>) -> Result<Decided> {
    let (aged, matched) = age(config, inputs)?;
    let original = &inputs.batch.invoices;
    let history = crate::state::store::load_history(state, true)?;
    let remembered = Remembered { history, previous_open: None };
    let measured = measure(config, original, matched.as_deref(), &inputs.records, &aged, state, remembered)?;
    let items = engine::OpenItems::new(&aged.aging).map_err(Error::internal)?;
    let matched = matched.as_deref().unwrap_or(original);
    let Actioned { decisions, history, .. } = act(config, measured, matched, &inputs.records, &aged, &items, traced)?;
    Ok(Decided { decisions, history })
}

/// Matches the payments and ages the invoices; checks the row counts and control totals.
/// Returns the aging and, when payments changed balances, the invoices with the matched
/// payments applied (for [`measure`] and [`act`]; `run` frees them once the actions are decided).
///
/// # Errors
/// Control totals that do not reconcile (a bug), polars errors.
pub(crate) fn age(config: &RunConfig, inputs: &Inputs) -> Result<(Aged, Option<Vec<crate::normalize::Invoice>>)> {
    // Payments reduce the open amounts first: the aging uses balances after matching.
    // A copy only when payments change the balances (a million invoices are ~300 MB).
    let mut invoices = std::borrow::Cow::Borrowed(inputs.batch.invoices.as_slice());
    let reconciliation = (!inputs.records.payments.is_empty()).then(|| {
        matching::reconcile(
            invoices.to_mut(),
            inputs.records.payments.clone(),
            &config.rules().payments.rules,
            config.as_of(),
        )
    });
    let paid = reconciliation.as_ref().map(|r| matching::applied_by_source(r, &invoices[..])).unwrap_or_default();
    let rules = config.rules();
    let aging =
        aging::age(&invoices[..], config.as_of(), rules.aging.basis, &rules.aging.buckets, config.default_currency())
            .map_err(Error::internal)?;
    let counts = RowCounts::total(&inputs.batch, aging.open_items.height(), aging.closed, aging.future_dated);
    if !counts.reconciles() {
        return Err(Error::Internal(format!("row counts do not reconcile: {counts:?}")));
    }
    let controls = control::control_totals(&inputs.batch, &aging.by_source, &paid)?;
    let matched = match invoices {
        std::borrow::Cow::Owned(matched) => Some(matched),
        std::borrow::Cow::Borrowed(_) => None,
    };
    Ok((Aged { aging, counts, controls, reconciliation }, matched))
}

/// What the rules made of an aged run: the [`Decided`] parts not in [`Aged`].
#[derive(Debug, Clone)]
pub(crate) struct Actioned {
    /// The collection actions and traces.
    pub decisions: Decisions,
    /// The history read from the state folder.
    pub history: History,
    /// The management metrics, with the trend including this run.
    pub metrics: Metrics,
}

/// What is known of an aged run before its actions are decided: the metrics of its
/// invoices, and the history and trend read from the state folder.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    /// The management metrics (holds not counted yet), with the trend including this run.
    pub metrics: Metrics,
    /// The history read from the state folder.
    pub history: History,
}

/// What a run's caller read from the state folder for [`measure`]: the history, and the
/// previous run's open items when it read them already (else [`measure`] reads them).
pub(crate) struct Remembered<'a> {
    pub history: History,
    pub previous_open: Option<&'a metrics::rollforward::PreviousOpen>,
}

/// Reads the trend in `state` and computes the metrics of an aged run, keeping `history`
/// (read from `state` by the caller, with or without the messages prepared and never sent:
/// [`crate::state::store::load_history`]) and the previous run's open items when they were
/// `read_already` (else they are read here): `original` are the invoices as read, `matched`
/// the same after payment matching (returned by [`age`]). Nothing after this needs the invoices except the thank-you
/// messages, so `run` frees them here when no payments were matched.
///
/// # Errors
/// A history or trend that cannot be read.
pub(crate) fn measure(
    config: &RunConfig,
    original: &[crate::normalize::Invoice],
    matched: Option<&[crate::normalize::Invoice]>,
    records: &crate::ledger::Records,
    aged: &Aged,
    state: &Path,
    remembered: Remembered<'_>,
) -> Result<Measured> {
    let Remembered { history, previous_open: read_already } = remembered;
    let rules = config.rules();
    let trend = crate::state::store::load_trend(state)?;
    // The previous run's open items: those `read_already` when they are that run's.
    let mut loaded = metrics::rollforward::PreviousOpen::default();
    let previous_open = match trend.previous(config.as_of()) {
        Some(previous) => {
            if let Some(read) = read_already.filter(|read| read.as_of == Some(previous.as_of)) {
                read
            } else {
                loaded = crate::state::store::load_previous_open(state, previous.as_of)?;
                &loaded
            }
        }
        None => &loaded,
    };
    let metrics = metrics::compute(&MetricsInput {
        as_of: config.as_of(),
        original,
        matched: matched.unwrap_or(original),
        reconciliation: aged.reconciliation.as_ref(),
        aging: &aged.aging,
        records,
        trend: &trend,
        spec: &rules.metrics,
        stuck_after_days: rules.collection.stuck_after_days,
        previous_open,
    });
    Ok(Measured { metrics, history })
}

/// Decides the actions of an aged run and counts its holds into the metrics. `matched`
/// (the invoices after payment matching) are read only for the thank-you messages of the
/// matched payments: with no payments they may be empty. `items` are the open items of
/// `aged` ([`engine::OpenItems::new`]), made once by the caller, which reads them again for
/// the emails. Only the invoices numbered `traced` keep their rule trace.
///
/// # Errors
/// A calendar that cannot be loaded; polars errors (a bug).
pub(crate) fn act(
    config: &RunConfig,
    measured: Measured,
    matched: &[crate::normalize::Invoice],
    records: &crate::ledger::Records,
    aged: &Aged,
    items: &engine::OpenItems<'_>,
    traced: Option<&str>,
) -> Result<Actioned> {
    let Measured { mut metrics, history } = measured;
    let rules = config.rules();
    let calendar = match &rules.calendar.path {
        Some(path) => Calendar::from_file(path)?,
        None => Calendar::built_in(&rules.calendar.name)?,
    };
    let pending_cash = aged.reconciliation.as_ref().map(Reconciliation::pending_cash).unwrap_or_default();
    let facts = Facts {
        contacts: &records.contacts,
        projects: &records.projects,
        followups: &records.followups,
        history: &history,
        milestones: &records.milestones,
        calendar: &calendar,
        default_currency: config.default_currency(),
        default_term_days: rules.input.default_term_days,
        pending_cash: &pending_cash,
    };
    let mut decisions = engine::decide(items, facts, &rules.collection, config.as_of(), traced);
    if let Some(reconciliation) = &aged.reconciliation {
        let thanks = crate::rules::thanks::thank_you(
            reconciliation,
            matched,
            &records.contacts,
            &history,
            &mut decisions.actions,
            config.as_of(),
        );
        decisions.actions.extend(thanks);
        decisions.actions.sort_by(|a, b| (&a.customer, &a.currency).cmp(&(&b.customer, &b.currency)));
    }
    metrics.count_holds(&decisions.actions);
    Ok(Actioned { decisions, history, metrics })
}
