//! The pipeline after loading, shared by `run` and `explain`: age the invoices, check the
//! control totals, read the collection history and decide the actions.
use std::path::Path;

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::load::Inputs;
use crate::metrics::trend::Trend;
use crate::metrics::{self, Metrics, MetricsInput};
use crate::report::RowCounts;
use crate::report::control::{self, SourceControl};
use crate::rules::action::Decisions;
use crate::rules::aging::{self, Aging};
use crate::rules::calendar::Calendar;
use crate::rules::engine::{self, Facts};
use crate::rules::history::History;
use crate::rules::matching::{self, Reconciliation};

/// The aging and the decisions of one run.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The aging.
    pub aging: Aging,
    /// Row accounting of the whole run.
    pub counts: RowCounts,
    /// Control totals per input.
    pub controls: Vec<SourceControl>,
    /// The collection actions and traces.
    pub decisions: Decisions,
    /// The history read from the state folder.
    pub history: History,
    /// Payments matched to invoices, when `--payments` was given.
    pub reconciliation: Option<Reconciliation>,
    /// The management metrics, with the trend including this run.
    pub metrics: Metrics,
    /// The trend read from the state folder, with this run's snapshot recorded.
    pub trend: Trend,
}

/// The aging of one run: everything the Detail, Reconciliation, Rejected and Skipped
/// sheets need, ready before the actions are decided (so that the big sheets can be
/// written while the rules run; issue 7).
#[derive(Debug, Clone)]
pub struct Aged {
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
pub fn decide(config: &RunConfig, inputs: &Inputs, state: &Path, traced: Option<&str>) -> Result<Decided> {
    let (aged, matched) = age(config, inputs)?;
    let Actioned { decisions, history, metrics, trend } =
        decide_aged(config, &inputs.batch.invoices, matched.as_deref(), &inputs.records, &aged, state, traced)?;
    let Aged { aging, counts, controls, reconciliation } = aged;
    Ok(Decided { aging, counts, controls, decisions, history, reconciliation, metrics, trend })
}

/// Matches the payments and ages the invoices; checks the row counts and control totals.
/// Returns the aging and, when payments changed balances, the invoices with the matched
/// payments applied (for [`decide_aged`]; `run` frees them once the actions are decided).
///
/// # Errors
/// Control totals that do not reconcile (a bug), polars errors.
pub fn age(config: &RunConfig, inputs: &Inputs) -> Result<(Aged, Option<Vec<crate::normalize::Invoice>>)> {
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
    let counts = RowCounts::total(&inputs.batch, &aging);
    if !counts.reconciles() {
        return Err(Error::Internal(format!("row counts do not reconcile: {counts:?}")));
    }
    let controls = control::control_totals(&inputs.batch, &aging, &paid)?;
    let matched = match invoices {
        std::borrow::Cow::Owned(matched) => Some(matched),
        std::borrow::Cow::Borrowed(_) => None,
    };
    Ok((Aged { aging, counts, controls, reconciliation }, matched))
}

/// What the rules made of an aged run: the [`Decided`] parts not in [`Aged`].
#[derive(Debug, Clone)]
pub struct Actioned {
    /// The collection actions and traces.
    pub decisions: Decisions,
    /// The history read from the state folder.
    pub history: History,
    /// The management metrics, with the trend including this run.
    pub metrics: Metrics,
    /// The trend read from the state folder, with this run's snapshot recorded.
    pub trend: Trend,
}

/// What is known of an aged run before its actions are decided: the metrics of its
/// invoices, and the history and trend read from the state folder.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The management metrics (holds not counted yet), with the trend including this run.
    pub metrics: Metrics,
    /// The history read from the state folder.
    pub history: History,
    /// The trend read from the state folder, with this run's snapshot recorded.
    pub trend: Trend,
}

/// Reads the trend in `state` and computes the metrics of an aged run, keeping `history`
/// (read from `state` by the caller: [`History::load`], or [`History::load_contacts`] when
/// the messages prepared and never sent are not needed): `original` are the invoices as read, `matched` the same after payment matching
/// (returned by [`age`]). Nothing after this needs the invoices except the thank-you
/// messages, so `run` frees them here when no payments were matched (issue 7).
///
/// # Errors
/// A history or trend that cannot be read.
pub fn measure(
    config: &RunConfig,
    original: &[crate::normalize::Invoice],
    matched: Option<&[crate::normalize::Invoice]>,
    records: &crate::load::Records,
    aged: &Aged,
    state: &Path,
    history: History,
) -> Result<Measured> {
    let rules = config.rules();
    let mut trend = Trend::load(state)?;
    let previous_open = match trend.previous(config.as_of()) {
        Some(previous) => metrics::rollforward::PreviousOpen::load(state, previous.as_of)?,
        None => metrics::rollforward::PreviousOpen::default(),
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
        previous_open: &previous_open,
    });
    trend.record(metrics.snapshot());
    Ok(Measured { metrics, history, trend })
}

/// Decides the actions of an aged run and counts its holds into the metrics. `matched`
/// (the invoices after payment matching) are read only for the thank-you messages of the
/// matched payments: with no payments they may be empty. `items` are the open items of
/// `aged` ([`engine::OpenItems::new`]), made once by the caller, which reads them again for
/// the emails. Only the invoices numbered `traced` keep their rule trace.
///
/// # Errors
/// A calendar that cannot be loaded; polars errors (a bug).
pub fn act(
    config: &RunConfig,
    measured: Measured,
    matched: &[crate::normalize::Invoice],
    records: &crate::load::Records,
    aged: &Aged,
    items: &engine::OpenItems<'_>,
    traced: Option<&str>,
) -> Result<Actioned> {
    let Measured { mut metrics, history, trend } = measured;
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
    Ok(Actioned { decisions, history, metrics, trend })
}

/// [`measure`] and [`act`] in one step, for callers that keep the invoices.
///
/// # Errors
/// As [`measure`] and [`act`].
pub fn decide_aged(
    config: &RunConfig,
    original: &[crate::normalize::Invoice],
    matched: Option<&[crate::normalize::Invoice]>,
    records: &crate::load::Records,
    aged: &Aged,
    state: &Path,
    traced: Option<&str>,
) -> Result<Actioned> {
    let measured = measure(config, original, matched, records, aged, state, History::load(state)?)?;
    let items = engine::OpenItems::new(&aged.aging).map_err(Error::internal)?;
    act(config, measured, matched.unwrap_or(original), records, aged, &items, traced)
}
