//! The workbook written on a second thread while the caller decides the actions. The back
//! sheets (Detail, Reconciliation, Rejected, Skipped: most of the work at a million
//! invoices) need only the aging; the front sheets need the actions, so the caller builds
//! them when it has decided and hands them over ([`FrontSheets::hand_over`]).
use std::cell::Cell;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use rust_xlsxwriter::Worksheet;

use super::ReportInput;
use super::workbook::{self, Back};
use crate::error::{Error, Result};

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
    /// back; returns how long building them took.
    ///
    /// # Errors
    /// The writer stopped; writer errors of the front sheets.
    pub fn hand_over(&self, input: &ReportInput<'_>) -> Result<Duration> {
        let blank = self.blank.recv().map_err(|_| {
            self.writer_gone.set(true);
            Error::Internal("the workbook writer stopped".into())
        })?;
        let started = Instant::now();
        let front = workbook::front_sheets(input, blank)?;
        let took = started.elapsed();
        // The writer may have stopped already; its error is the one reported then.
        let _ = self.filled.send(front);
        Ok(took)
    }
}

/// Writes the workbook at `path` on a second thread while `work` runs on this one; `work`
/// hands the front sheets over through the [`FrontSheets`] it is given. Returns what
/// `work` returned and how long the writing took.
///
/// # Errors
/// An error of `work` (it comes first: the writer then stops for want of the front sheets),
/// unless the writer stopped before handing out the blank sheets; then the writer's.
pub fn write_alongside<T: Send>(
    path: &Path,
    back: &Back<'_>,
    work: impl FnOnce(&FrontSheets) -> Result<T>,
) -> Result<(T, Duration)> {
    let (send_blank, blank) = sync_channel::<Vec<Worksheet>>(1);
    let (filled, receive_filled) = sync_channel::<Vec<Worksheet>>(1);
    let (written, done, writer_gone) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
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
