//! `payback explain INVOICE_NO`: the rule trace of one invoice — every rule considered,
//! matched or not, and why — the same trace `run` decides with. Writes nothing.
use chrono::NaiveDate;

use super::setup::{self, Folders, Setup};
use crate::cli::ExplainArgs;
use crate::error::{Error, Result};
use crate::{Outcome, ledger, pipeline};

/// Prints the trace of `args.invoice_no`.
///
/// # Errors
/// Input errors, and [`Error::BadOption`] when no open invoice has that number.
pub(crate) fn exec(args: ExplainArgs, today: NaiveDate) -> Result<Outcome> {
    let folders = Folders { out: "out".into(), state: args.state.clone(), templates: None };
    let Setup { config, state, .. } = setup::configure(args.input, args.as_of.unwrap_or(today), folders)?;
    let inputs = ledger::load_inputs(&config)?;
    let wanted = args.invoice_no.trim();
    let decided = pipeline::decide(&config, &inputs, &state, Some(wanted))?;
    let traces: Vec<String> =
        decided.decisions.traces.iter().filter(|t| t.invoice_no == wanted).map(ToString::to_string).collect();
    if traces.is_empty() {
        let closed = inputs.batch.invoices.iter().any(|i| i.invoice_no == wanted);
        return Err(Error::BadOption {
            option: format!("explain {wanted}"),
            reason: if closed {
                format!(
                    "{wanted} is not open as of {} (closed or dated later): there is nothing to collect",
                    config.as_of()
                )
            } else {
                "no invoice with that number in the inputs".into()
            },
        });
    }
    // What the history holds for this invoice, as it happened: sent messages count as
    // contact, prepared ones never sent do not.
    let mut said: Vec<String> = Vec::new();
    let history = &decided.history;
    let mut lines: Vec<(chrono::NaiveDate, String)> = history
        .entries()
        .iter()
        .chain(history.prepared())
        .filter(|e| e.as_of < config.as_of() && e.invoice_nos.iter().any(|n| n == wanted))
        .map(|e| {
            let what = match (&*e.kind, &e.sent_at) {
                ("message", Some(at)) => format!("{} prepared on {}, sent {at}", e.stage, e.as_of),
                ("message", None) => {
                    format!("{} prepared on {}, never sent (not counted as contact)", e.stage, e.as_of)
                }
                _ => format!("{} listed for our side on {}", e.stage, e.as_of),
            };
            (e.as_of, what)
        })
        .collect();
    lines.sort();
    if !lines.is_empty() {
        said.push("history:".into());
        said.extend(lines.into_iter().map(|(_, l)| format!("  {l}")));
    }
    let history_text = if said.is_empty() { String::new() } else { format!("\n{}", said.join("\n")) };
    Ok(Outcome {
        message: format!("as of {}\n{}{history_text}", config.as_of(), traces.join("\n")),
        exit_code: 0,
        warnings: Vec::new(),
    })
}
