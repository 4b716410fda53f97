//! Reading a table while it is used: the rows of a file are read on a thread of their own
//! and handed over in chunks, so that the invoices are typed while the rest of the file is
//! still being read, and no more than a few chunks of untyped cells are held at a time
//! (the untyped cells of a million rows were most of the peak memory).
//!
//! A reader ([`RowSink`]'s caller) sends the sheet first, then every row in order, blank
//! rows included. [`with_table`] finds the header among the first rows and passes the data
//! rows below it on, chunk by chunk; [`collect`] gathers a whole sheet for the small record
//! tables.
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::header::{self, Search};
use super::merged::Region;
use super::{Cell, RawRow, RawSheet, RawTable, Skipped, SourceRef, TableHead};
use crate::error::{Error, Result};

/// Rows per chunk handed from the reading thread.
pub(crate) const CHUNK_ROWS: usize = 65_536;

/// Chunks read ahead of their use: enough to keep the reader busy, few enough that memory
/// stays small.
const CHUNKS_AHEAD: usize = 2;

/// What a reader learns about its sheet before the first row.
#[derive(Debug, Clone)]
pub(crate) struct SheetInfo {
    /// The file and sheet read.
    pub source: SourceRef,
    /// Whether date serial numbers count from 1904.
    pub date1904: bool,
    /// Merged regions, whose top-left value the user sees in each of their cells.
    pub merged: Vec<Region>,
    /// At least as many as the sheet's rows, when the reader knows it before reading them
    /// (a CSV file's lines): lets the rows' consumer size its vectors once.
    pub rows_hint: Option<usize>,
}

/// Where a reader puts what it reads.
pub(crate) trait RowSink {
    /// The sheet, before any row.
    ///
    /// # Errors
    /// When the rows are no longer wanted.
    fn sheet(&mut self, info: SheetInfo) -> Result<()>;

    /// The next row (blank rows included, in row order).
    ///
    /// # Errors
    /// When the rows are no longer wanted.
    fn row(&mut self, row: RawRow) -> Result<()>;
}

/// Copies the value of each merged region's top-left cell into the region's blank cells
/// as rows go by, as the user sees it: a customer name merged down over its invoices
/// belongs to each.
#[derive(Debug, Default)]
pub(crate) struct MergeFill {
    /// Regions by first row.
    regions: Vec<Region>,
    next: usize,
    active: Vec<(Region, Cell)>,
}

impl MergeFill {
    /// Fills from `regions` (in any order).
    #[must_use]
    pub(crate) fn new(mut regions: Vec<Region>) -> Self {
        regions.sort_by_key(|r| (r.top, r.left));
        Self { regions, next: 0, active: Vec::new() }
    }

    /// Fills `row`; rows must come in increasing row order.
    pub(crate) fn apply(&mut self, row: &mut RawRow) {
        if self.regions.is_empty() {
            return;
        }
        let index = u32::try_from(row.number.saturating_sub(1)).unwrap_or(u32::MAX);
        while let Some(region) = self.regions.get(self.next).filter(|r| r.top <= index) {
            if region.top == index
                && let Some(value) = usize::try_from(region.left).ok().and_then(|left| row.cells.get(left))
            {
                self.active.push((*region, value.clone()));
            }
            self.next += 1;
        }
        self.active.retain(|(region, _)| region.bottom >= index);
        for (region, value) in &self.active {
            let (Ok(left), Ok(right)) = (usize::try_from(region.left), usize::try_from(region.right)) else { continue };
            if row.cells.len() <= right {
                row.cells.resize(right + 1, Cell::Empty);
            }
            for cell in &mut row.cells[left..=right] {
                if cell.is_blank() {
                    *cell = value.clone();
                }
            }
        }
    }
}

/// Gathers a whole sheet (merged cells filled).
#[derive(Debug, Default)]
pub(crate) struct Collect {
    info: Option<SheetInfo>,
    fill: MergeFill,
    rows: Vec<RawRow>,
}

impl RowSink for Collect {
    fn sheet(&mut self, info: SheetInfo) -> Result<()> {
        self.fill = MergeFill::new(info.merged.clone());
        self.info = Some(info);
        Ok(())
    }

    fn row(&mut self, mut row: RawRow) -> Result<()> {
        self.fill.apply(&mut row);
        self.rows.push(row);
        Ok(())
    }
}

impl Collect {
    /// The sheet gathered.
    ///
    /// # Errors
    /// [`Error::Internal`] when the reader never named its sheet.
    pub(crate) fn finish(self) -> Result<RawSheet> {
        let info = self.info.ok_or_else(|| Error::Internal("the reader sent no sheet".into()))?;
        Ok(RawSheet { source: info.source, rows: self.rows, date1904: info.date1904 })
    }
}

/// What the reading thread sends.
enum Piece {
    Sheet(SheetInfo),
    Rows(Vec<RawRow>),
}

/// The reading thread's end of the channel: rows go in chunks of [`CHUNK_ROWS`].
struct Sender {
    tx: SyncSender<Result<Piece>>,
    chunk: Vec<RawRow>,
}

/// The error a reader gets when the rows are no longer wanted; never shown (the reason
/// they are not wanted is).
fn stopped() -> Error {
    Error::Internal("the rows are no longer wanted".into())
}

impl Sender {
    fn flush(&mut self) -> Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_ROWS));
        self.tx.send(Ok(Piece::Rows(chunk))).map_err(|_| stopped())
    }
}

impl RowSink for Sender {
    fn sheet(&mut self, info: SheetInfo) -> Result<()> {
        self.tx.send(Ok(Piece::Sheet(info))).map_err(|_| stopped())
    }

    fn row(&mut self, row: RawRow) -> Result<()> {
        self.chunk.push(row);
        if self.chunk.len() >= CHUNK_ROWS { self.flush() } else { Ok(()) }
    }
}

/// The data rows below the header, handed out in chunks as they are read.
pub(crate) struct DataRows {
    rx: Receiver<Result<Piece>>,
    fill: MergeFill,
    /// Data rows read with the header, handed out first.
    first: Option<Vec<RawRow>>,
    /// Blank lines below the header.
    skipped: Vec<Skipped>,
    done: bool,
    /// The reader's [`SheetInfo::rows_hint`].
    rows_hint: Option<usize>,
}

impl DataRows {
    /// The next chunk of non-blank rows below the header (merged cells filled), in row
    /// order; `None` after the last.
    ///
    /// # Errors
    /// The reader's errors (malformed file, limits), met as it gets there.
    pub(crate) fn next_chunk(&mut self) -> Result<Option<Vec<RawRow>>> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        while let Some(rows) = self.receive()? {
            let data = header::data_rows(rows, &mut self.skipped);
            if !data.is_empty() {
                return Ok(Some(data));
            }
        }
        Ok(None)
    }

    /// The next rows from the reader, merged cells filled; `None` once it has finished.
    fn receive(&mut self) -> Result<Option<Vec<RawRow>>> {
        if self.done {
            return Ok(None);
        }
        match self.rx.recv() {
            Ok(Ok(Piece::Rows(mut rows))) => {
                for row in &mut rows {
                    self.fill.apply(row);
                }
                Ok(Some(rows))
            }
            Ok(Ok(Piece::Sheet(_))) => Err(Error::Internal("the reader sent its sheet twice".into())),
            Ok(Err(e)) => Err(e),
            Err(_) => {
                self.done = true; // the reader finished
                Ok(None)
            }
        }
    }

    /// At least as many as the data rows still to come, when the reader knew its rows
    /// before reading them (CSV files); `None` otherwise.
    #[must_use]
    pub(crate) fn rows_hint(&self) -> Option<usize> {
        self.rows_hint
    }

    /// The blank lines met below the header so far.
    pub(crate) fn take_skipped(&mut self) -> Vec<Skipped> {
        std::mem::take(&mut self.skipped)
    }
}

/// Runs `read` (a file reader) on a thread of its own and `consume` on this one, with the
/// header found by [`header::find`] and the rows below it as they are read.
///
/// # Errors
/// The reader's errors, [`Error::NoHeader`], and those of `consume`. When `consume` fails,
/// the reader stops at its next chunk.
pub(crate) fn with_table<T>(
    read: impl FnOnce(&mut dyn RowSink) -> Result<()> + Send,
    is_known: &dyn Fn(&str) -> bool,
    consume: impl FnOnce(TableHead, &mut DataRows) -> Result<T>,
) -> Result<T> {
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel(CHUNKS_AHEAD);
        scope.spawn(move || {
            let mut sender = Sender { tx, chunk: Vec::with_capacity(CHUNK_ROWS) };
            if let Err(e) = read(&mut sender).and_then(|()| sender.flush()) {
                let _ = sender.tx.send(Err(e)); // nobody listens when the consumer stopped first
            }
        });
        let mut rows =
            DataRows { rx, fill: MergeFill::default(), first: None, skipped: Vec::new(), done: false, rows_hint: None };
        let info = match rows.rx.recv() {
            Ok(Ok(Piece::Sheet(info))) => info,
            Ok(Err(e)) => return Err(e),
            Ok(Ok(Piece::Rows(_))) | Err(_) => return Err(Error::Internal("the reader sent no sheet".into())),
        };
        rows.fill = MergeFill::new(info.merged);
        rows.rows_hint = info.rows_hint;
        let mut top: Vec<RawRow> = Vec::new();
        let found = loop {
            match header::find(&top, is_known, rows.done) {
                Search::Found(index) => break index,
                Search::Missing => return Err(Error::NoHeader { location: info.source.location() }),
                Search::NeedMore => {}
            }
            if let Some(chunk) = rows.receive()? {
                top.extend(chunk);
            }
        };
        let RawTable { head, rows: data } = header::split_at(top, found, info.source, info.date1904)?;
        rows.first = Some(data).filter(|r| !r.is_empty());
        consume(head, &mut rows)
    })
}

/// Runs `read` here and gathers the whole sheet.
///
/// # Errors
/// The reader's errors.
pub(crate) fn collect(read: impl FnOnce(&mut dyn RowSink) -> Result<()>) -> Result<RawSheet> {
    let mut sink = Collect::default();
    read(&mut sink)?;
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::SkipReason;

    fn csv_sheet() -> SheetInfo {
        SheetInfo {
            source: SourceRef { file: "t.csv".into(), sheet: None },
            date1904: false,
            merged: Vec::new(),
            rows_hint: None,
        }
    }

    fn text(number: usize, cells: &[&str]) -> RawRow {
        let cells = cells.iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).into()) }).collect();
        RawRow { number, cells }
    }

    #[test]
    fn merged_values_fill_their_region_as_rows_pass() {
        let mut fill = MergeFill::new(vec![
            Region { top: 1, left: 0, bottom: 3, right: 0 },
            Region { top: 0, left: 1, bottom: 0, right: 2 },
        ]);
        let mut rows = vec![
            text(1, &["Title", "Wide", "", ""]),
            text(2, &["ACME", "1"]),
            text(3, &["", "2"]),
            text(4, &["", "3"]),
            text(5, &["", "4"]),
        ];
        for row in &mut rows {
            fill.apply(row);
        }
        let first: Vec<String> = rows.iter().map(|r| r.cells[0].to_text()).collect();
        assert_eq!(first, ["Title", "ACME", "ACME", "ACME", ""]);
        assert_eq!(rows[0].cells[2], Cell::Text("Wide".into()));
        assert_eq!(rows[0].cells[3], Cell::Empty);
    }

    #[test]
    fn rows_arrive_in_chunks_below_the_header_with_blank_lines_skipped() {
        let total = CHUNK_ROWS + 10;
        let read = |sink: &mut dyn RowSink| {
            sink.sheet(csv_sheet())?;
            sink.row(text(1, &["Report"]))?;
            sink.row(text(2, &["Customer", "Invoice No"]))?;
            for n in 3..=total {
                sink.row(if n % 1000 == 0 { text(n, &[""]) } else { text(n, &["A", &n.to_string()]) })?;
            }
            Ok(())
        };
        let known = |t: &str| t == "Customer" || t == "Invoice No";
        let (head, sizes, last, blanks) = with_table(read, &known, |head, rows| {
            let mut sizes = Vec::new();
            let mut last = 0;
            while let Some(chunk) = rows.next_chunk()? {
                sizes.push(chunk.len());
                last = chunk.last().map_or(0, |r| r.number);
            }
            Ok((head, sizes, last, rows.take_skipped()))
        })
        .unwrap();
        assert_eq!(head.header_row, 2);
        let titles: Vec<_> = head.skipped.iter().filter(|s| s.reason == SkipReason::Title).map(|s| s.row).collect();
        assert_eq!(titles, [1]);
        assert_eq!(blanks.len() + head.skipped.iter().filter(|s| s.reason == SkipReason::Blank).count(), 65);
        assert_eq!(sizes.iter().sum::<usize>() + 65 + 2, total);
        assert_eq!(last, total);
    }

    #[test]
    fn a_reader_error_after_some_chunks_reaches_the_consumer() {
        let read = |sink: &mut dyn RowSink| {
            sink.sheet(csv_sheet())?;
            sink.row(text(1, &["Customer", "Invoice No"]))?;
            for n in 2..=CHUNK_ROWS * 2 {
                sink.row(text(n, &["A", "1"]))?;
            }
            Err(Error::Internal("bad quote at line 131073".into()))
        };
        let known = |t: &str| t == "Customer" || t == "Invoice No";
        let mut rows_seen = 0;
        let result: Result<()> = with_table(read, &known, |_, rows| {
            while let Some(chunk) = rows.next_chunk()? {
                rows_seen += chunk.len();
            }
            Ok(())
        });
        assert_eq!(result.unwrap_err().to_string(), Error::Internal("bad quote at line 131073".into()).to_string());
        assert_eq!(rows_seen, CHUNK_ROWS * 2 - 1, "the rows before the error were handed over");
    }

    #[test]
    fn a_failing_consumer_stops_the_reader_and_its_error_wins() {
        let read = |sink: &mut dyn RowSink| {
            sink.sheet(csv_sheet())?;
            for n in 1.. {
                sink.row(text(n, &["Customer", "Invoice No"]))?;
            }
            Ok(())
        };
        let known = |t: &str| t == "Customer";
        let result: Result<()> = with_table(read, &known, |_, _| Err(Error::Internal("stop".into())));
        assert_eq!(result.unwrap_err().to_string(), Error::Internal("stop".into()).to_string());
    }
}
