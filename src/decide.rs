//! The pipeline after loading, shared by `run` and `explain`: age the invoices, check the
//! control totals, read the collection history and decide the actions.
use std::path::Path;

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::load::Inputs;
use crate::metrics::trend::Trend;
use crate::metrics::{self, Metrics, MetricsInput};
use crate::normalize::schema;
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
    /// The open items the decisions are about, in the aging's order.
    pub items: Vec<engine::OpenItem>,
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

/// Ages `inputs` and decides the actions, with the history in `state`. Only the invoices
/// numbered `traced` keep their rule trace (`explain`).
///
/// # Errors
/// A history that cannot be read, control totals that do not reconcile (a bug).
pub fn decide(config: &RunConfig, inputs: &Inputs, state: &Path, traced: Option<&str>) -> Result<Decided> {
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
    let frame = schema::invoice_frame(&invoices[..]).map_err(Error::internal)?;
    let rules = config.rules();
    let aging = aging::age(frame, config.as_of(), rules.aging.basis, &rules.aging.buckets, config.default_currency())
        .map_err(Error::internal)?;
    let counts = RowCounts::total(&inputs.batch, &aging);
    if !counts.reconciles() {
        return Err(Error::Internal(format!("row counts do not reconcile: {counts:?}")));
    }
    let controls = control::control_totals(&inputs.batch, &aging, &paid)?;
    let history = History::load(state)?;
    let items = engine::open_items(&aging).map_err(Error::internal)?;
    let calendar = match &rules.calendar.path {
        Some(path) => Calendar::from_file(path)?,
        None => Calendar::built_in(&rules.calendar.name)?,
    };
    let facts = Facts {
        contacts: &inputs.records.contacts,
        projects: &inputs.records.projects,
        followups: &inputs.records.followups,
        history: &history,
        milestones: &inputs.records.milestones,
        calendar: &calendar,
        default_currency: config.default_currency(),
        default_term_days: rules.input.default_term_days,
    };
    let mut decisions = engine::decide(&items, facts, &rules.collection, config.as_of(), traced);
    if let Some(reconciliation) = &reconciliation {
        let thanks = crate::rules::thanks::thank_you(
            reconciliation,
            &invoices,
            &inputs.records.contacts,
            &history,
            &decisions.actions,
            config.as_of(),
        );
        decisions.actions.extend(thanks);
        decisions.actions.sort_by(|a, b| (&a.customer, &a.currency).cmp(&(&b.customer, &b.currency)));
    }
    let mut trend = Trend::load(state)?;
    let metrics = metrics::compute(&MetricsInput {
        as_of: config.as_of(),
        original: &inputs.batch.invoices,
        matched: &invoices,
        reconciliation: reconciliation.as_ref(),
        aging: &aging,
        actions: &decisions.actions,
        records: &inputs.records,
        trend: &trend,
        spec: &rules.metrics,
        stuck_after_days: rules.collection.stuck_after_days,
    });
    trend.record(metrics.snapshot());
    Ok(Decided { aging, counts, controls, items, decisions, history, reconciliation, metrics, trend })
}
