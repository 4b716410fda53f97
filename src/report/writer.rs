//! The workbook written on a second thread while the caller decides the actions. The back
//! sheets (Detail, Reconciliation, Rejected, Skipped: most of the work at a million
//! invoices) need only the aging; the front sheets need the actions, so the caller builds
//! them when it has decided and hands them over ([`FrontSheets::hand_over`]). The History
//! sheet (a year of events of every account with an action: 240,000 rows at a million
//! invoices) is read and filled on a third thread while the caller goes on (its emails).
use std::cell::Cell;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use rust_xlsxwriter::Worksheet;

use super::ReportInput;
use super::workbook::{self, Back};
use crate::error::{Error, Result};
use crate::state::timeline::Recent;

/// How the front sheets were made: how long the caller's thread took to build them but
/// History, how long the History sheet took on its own thread, and how many events it
/// read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Handed {
    /// Building the front sheets but History.
    pub front_took: Duration,
    /// Reading the History sheet's events and filling it.
    pub history_took: Duration,
    /// The History sheet's events.
    pub history_events: usize,
}

/// The caller's end of the workbook writer: blank front sheets come from the writer, filled
/// ones go back.
pub struct FrontSheets {
    blank: Receiver<Vec<Worksheet>>,
    filled: SyncSender<Vec<Worksheet>>,
    /// The writer stopped before it handed out the blank sheets: its error is the one to
    /// report.
    writer_gone: Cell<bool>,
}

impl FrontSheets {
    /// Builds the front sheets of `input` into the writer's blank sheets and hands them
    /// back, the History sheet filled on a thread of its own from the events `history`
    /// reads; runs `meanwhile` on this thread as soon as the other front sheets are built.
    /// The sheets go to the writer when the History sheet is done, while `meanwhile` may
    /// still run.
    ///
    /// # Errors
    /// The writer stopped; writer errors of the front sheets; the error of `history` or of
    /// `meanwhile` (this one first).
    pub fn hand_over<T>(
        &self,
        input: &ReportInput<'_>,
        history: impl FnOnce() -> Result<Recent> + Send,
        meanwhile: impl FnOnce() -> Result<T>,
    ) -> Result<(T, Handed)> {
        let mut blank = self.blank.recv().map_err(|_| {
            self.writer_gone.set(true);
            Error::Internal("the workbook writer stopped".into())
        })?;
        if blank.len() <= workbook::HISTORY_AT {
            return Err(Error::Internal("too few blank front sheets".into()));
        }
        let history_blank = blank.remove(workbook::HISTORY_AT);
        let currencies: Vec<crate::money::Currency> =
            input.aging.currencies.iter().map(|t| t.currency.clone()).collect();
        let (labels, rows_per_sheet) = (input.labels, input.rows_per_sheet);
        let filled = self.filled.clone();
        let (send_others, others) = sync_channel::<Vec<Worksheet>>(1);
        std::thread::scope(|scope| {
            let thread = scope.spawn(move || -> Result<(usize, Duration)> {
                crate::priority::give_way();
                let started = Instant::now();
                let recent = history()?;
                let sheet = workbook::history_sheet(history_blank, &recent, &currencies, labels, rows_per_sheet)?;
                let took = started.elapsed();
                // The others, once the caller has built them (none when it failed: its
                // error is the one reported).
                let Ok(mut sheets) = others.recv() else { return Ok((recent.events.len(), took)) };
                sheets.insert(workbook::HISTORY_AT, sheet);
                // The writer may have stopped already; its error is the one reported then.
                let _ = filled.send(sheets);
                Ok((recent.events.len(), took))
            });
            let started = Instant::now();
            let built = workbook::front_sheets(input, blank);
            let front_took = started.elapsed();
            let done = built.and_then(|sheets| {
                // The History thread may have stopped already; its error comes below.
                let _ = send_others.send(sheets);
                drop(send_others);
                meanwhile()
            });
            let history = thread.join().unwrap_or_else(|_| Err(Error::Internal("the History sheet stopped".into())));
            let done = done?;
            let (history_events, history_took) = history?;
            Ok((done, Handed { front_took, history_took, history_events }))
        })
    }
}

/// Writes the workbook at `path` on a second thread while `work` runs on this one; `work`
/// hands the front sheets over through the [`FrontSheets`] it is given. Returns what
/// `work` returned and how long the writing took.
///
/// # Errors
/// An error of `work` (it comes first: the writer then stops for want of the front sheets),
/// unless the writer stopped before handing out the blank sheets; then the writer's.
pub fn write_alongside<T>(
    path: &Path,
    back: &Back<'_>,
    work: impl FnOnce(&FrontSheets) -> Result<T>,
) -> Result<(T, Duration)> {
    let (send_blank, blank) = sync_channel::<Vec<Worksheet>>(1);
    let (filled, receive_filled) = sync_channel::<Vec<Worksheet>>(1);
    let (written, done, writer_gone) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            crate::priority::give_way();
            let started = Instant::now();
            workbook::write_with(path, back, move |sheets| {
                // The caller may have stopped already; its error is the one reported then.
                let _ = send_blank.send(sheets);
                move || receive_filled.recv().map_err(|_| Error::Internal("the front sheets were not made".into()))
            })
            .map(|()| started.elapsed())
        });
        let front = FrontSheets { blank, filled, writer_gone: Cell::new(false) };
        let done = work(&front);
        let writer_gone = front.writer_gone.get();
        // Whatever happened, the writer must not wait for sheets that will not come:
        // dropping this end closes the channels and ends its wait with an error (an early
        // failure of the deciding side hung the run before).
        drop(front);
        let written = writer.join().unwrap_or_else(|_| Err(Error::Internal("the workbook writer stopped".into())));
        (written, done, writer_gone)
    });
    match (written, done) {
        (Err(e), Err(_)) if writer_gone => Err(e),
        (written, done) => {
            let done = done?;
            Ok((done, written?))
        }
    }
}
