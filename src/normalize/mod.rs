//! Normalize: a [`RawTable`] in, typed [`Invoice`]s and [`Rejected`] rows out. Every data
//! row ends up in exactly one of the two.
pub mod columns;
pub mod combine;
pub mod date_order;
pub mod header_words;
pub mod invoice_index;
pub mod lines;
pub mod names;
pub mod point_in_time;
pub mod presets;
pub mod reason;
pub mod records;
pub mod references;
pub mod schema;
pub mod sum_budget;
pub mod table;
pub mod unread;
pub mod value;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ingest::{Cell, Limits, RawRow, RawTable, SkipReason, Skipped, SourceRef, TableHead};
use crate::money::Currency;
use columns::ColumnMap;
use names::Names;
use reason::Reason;
use schema::Field;

/// One usable invoice row (open, closed or future-dated: the aging decides).
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    /// Customer name, trimmed; one shared copy per name (see [`Names`]).
    pub customer: Arc<str>,
    /// Invoice number, trimmed.
    pub invoice_no: String,
    /// Invoice date.
    pub invoice_date: NaiveDate,
    /// Due date.
    pub due_date: NaiveDate,
    /// Currency.
    pub currency: Currency,
    /// Invoice amount in minor units (negative for credit notes).
    pub amount_minor: i64,
    /// Open amount in minor units.
    pub open_minor: i64,
    /// Project; shared like the customer.
    pub project: Option<Arc<str>>,
    /// Contract number; shared like the customer.
    pub contract_no: Option<Arc<str>>,
    /// Project manager; shared like the customer.
    pub project_manager: Option<Arc<str>>,
    /// Date of the last payment.
    pub paid_date: Option<NaiveDate>,
    /// Row number in the source.
    pub source_row: usize,
    /// Index of the input file among the run's inputs (set when inputs are combined).
    pub source: usize,
    /// The due date was empty and is the invoice date plus the default term.
    pub due_assumed: bool,
    /// The source rows of an invoice read from several lines (summed into this item);
    /// `None` for the usual invoice of one line, so that a million invoices carry no list
    /// each (see [`combine`]).
    pub lines: Option<Box<InvoiceLines>>,
}

/// The lines an open item was summed from: an invoice spread over several rows of one
/// export (one line per product, account or instalment of an ERP ledger).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLines {
    /// The source rows, in row order (the first is the item's `source_row`).
    pub rows: Vec<usize>,
}

impl Invoice {
    /// How many source lines the item was summed from (1 for most).
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.lines.as_ref().map_or(1, |l| l.rows.len())
    }
}

/// An input row that could not be used, with every reason found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Row number in the source.
    pub row: usize,
    /// Header of the first offending column.
    pub column: String,
    /// Value of the first offending cell, as text.
    pub value: String,
    /// All reasons, `; `-separated: English for `check` and `summary.json`, either
    /// language on the Rejected sheet.
    pub reason: reason::Reason,
    /// The whole row as text, in source column order.
    pub raw: Vec<String>,
    /// The row's open amount when its currency and amounts could be read, for the
    /// control totals.
    pub open: Option<(Currency, i64)>,
}

/// Where the currencies of a file's invoice rows come from (`summary.json`
/// `inputs[].currency_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrencySource {
    /// Every usable row names its currency in a currency column.
    Column,
    /// The file has no currency column: every row is in the default currency.
    Default,
    /// A currency column with empty cells: those rows are in the default currency.
    Mixed {
        /// Usable rows whose currency cell is empty.
        rows: usize,
    },
}

impl CurrencySource {
    /// `column`, `default` or `mixed`, as `summary.json` writes it.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Column => "column",
            Self::Default => "default",
            Self::Mixed { .. } => "mixed",
        }
    }

    /// The note of [`CurrencySource::message`] as words of either language (the Summary
    /// sheet); `None` when every row names its currency.
    #[must_use]
    pub fn reason(self, source: &SourceRef, currency: &Currency, origin: &str) -> Option<reason::Reason> {
        use reason::{Arg, Reason, num};
        let mut args =
            vec![("file", Arg::Source(source.clone())), ("code", currency.code().into()), ("origin", origin.into())];
        match self {
            Self::Column => None,
            Self::Default => Some(Reason::new("currency_default", args)),
            Self::Mixed { rows } => {
                args.push(("rows", num(rows)));
                Some(Reason::new(if rows == 1 { "currency_mixed_one" } else { "currency_mixed" }, args))
            }
        }
    }

    /// The sentence that says the default currency is used, once per file (stderr, the
    /// Summary sheet, `check`); `None` when every row names its currency.
    #[must_use]
    pub fn message(self, file: &str, currency: &Currency, origin: &str) -> Option<String> {
        let code = currency.code();
        match self {
            Self::Column => None,
            Self::Default => Some(format!("{file} has no currency column: amounts are read as {code} ({origin})")),
            Self::Mixed { rows } => Some(format!(
                "{file}: {rows} row{} with an empty currency cell {} read as {code} ({origin})",
                if rows == 1 { "" } else { "s" },
                if rows == 1 { "is" } else { "are" }
            )),
        }
    }
}

/// How values are read.
#[derive(Debug, Clone)]
pub struct Options {
    /// Currency for rows without one.
    pub default_currency: Currency,
    /// Where that currency was set (`--currency`, `[company] currency in payback.toml`, …),
    /// for the note that says it is used.
    pub currency_origin: String,
    /// How dates and amounts are written (the 1904 flag comes from the workbook). Its
    /// `date_order`, when set, is the user's and wins over the file's own values.
    pub format: value::ValueFormat,
    /// Where `format.date_order` was set: `--date-order`, `[input] date_order`.
    pub date_order_origin: String,
    /// An order used when the file's values settle none (a preset's), with its origin
    /// (`preset quickbooks`).
    pub fallback_date_order: Option<(crate::normalize::date_order::DateOrder, Reason)>,
    /// Take the customer of rows with a blank customer cell from the group heading above
    /// them (exports that name the customer once, on a line of its own).
    pub customer_from_heading: bool,
    /// Days after the invoice date that an invoice with an empty due date is due.
    pub default_term_days: Option<i64>,
    /// The bounds on the values read: largest amount, range of dates.
    pub limits: crate::ingest::Limits,
}

/// The outcome of normalizing one table.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// Where the rows came from.
    pub source: SourceRef,
    /// Source headers, for the Rejected sheet.
    pub headers: Vec<String>,
    /// Usable rows.
    pub invoices: Vec<Invoice>,
    /// Unusable rows.
    pub rejected: Vec<Rejected>,
    /// Data rows read: lines below the header that are neither blank, subtotals,
    /// repeated headers nor group headings.
    pub read: usize,
    /// Lines that are not data rows, in row order.
    pub skipped: Vec<Skipped>,
    /// The export preset used, if any.
    pub preset: Option<String>,
    /// Source headers that no field was read from.
    pub unused_columns: Vec<String>,
    /// Per currency code: the open amounts of every data row whose amount could be read
    /// (usable and rejected rows), summed as read, for the control totals.
    pub amounts_read: BTreeMap<String, i64>,
    /// Per currency code: open amounts of duplicate rows skipped (`duplicates = "warn"`).
    pub duplicate_amounts: BTreeMap<String, i64>,
    /// Lines summed into an earlier line of the same invoice (`invoice_lines = "sum"`):
    /// rows read = open + closed + future-dated + rejected + these.
    pub lines_merged: usize,
    /// Where the rows' currencies come from.
    pub currency_source: CurrencySource,
    /// The sentence that says the rows without a currency are read in the default one
    /// (see [`CurrencySource::message`]); `None` when every row names its currency.
    pub currency_note: Option<String>,
    /// The same note in words of either language, for the Summary sheet.
    pub currency_said: Option<reason::Reason>,
    /// One fingerprint of the whole row per invoice in `invoices` (same order), to tell a
    /// line of an invoice from a duplicate row; emptied when the inputs are combined.
    pub fingerprints: Vec<u64>,
    /// The day/month order the text dates were read with and why; `None` when none was
    /// set and the values settled none.
    pub date_order: Option<date_order::DateOrderUsed>,
    /// Unread columns whose values are amounts or dates (from the first rows).
    pub unread: Vec<unread::UnreadColumn>,
    /// The header each field was read from, in field order.
    pub fields: Vec<(Field, String)>,
}

/// Rows normalized per task: large enough that the threads' overhead is nothing, small
/// enough that both cores get work on a few thousand rows.
const CHUNK_ROWS: usize = 16_384;

/// What one chunk of rows became.
#[derive(Default)]
struct Part {
    invoices: Vec<Invoice>,
    fingerprints: Vec<u64>,
    /// Usable rows with an empty currency cell.
    defaulted: usize,
    rejected: Vec<Rejected>,
    skipped: Vec<Skipped>,
    /// The figures of each subtotal line among `skipped`, in order, with the name its
    /// label may be ([`lines::named_total`]).
    subtotals: Vec<(Figures, Option<String>)>,
}

/// Types the data rows of one table as they come, chunk after chunk: rows within a chunk
/// on all cores, in row order in the result; a group heading's customer carries
/// across chunk boundaries.
///
/// The day/month order of text dates is settled from the rows when nobody set it (see
/// [`date_order`]): each chunk's date cells are looked at before it is typed, and rows are
/// typed only once the order is settled or cannot matter to them: a chunk with an
/// ambiguous date waits (with the chunks after it) until a later value settles the order
/// or the file ends. Real exports settle it within their first rows.
pub struct Normalizer<'a> {
    head: &'a TableHead,
    columns: &'a ColumnMap,
    options: &'a Options,
    header_keys: Vec<String>,
    /// How values are read: the options' format with the workbook's 1904 flag, and the
    /// day/month order once settled.
    format: value::ValueFormat,
    /// The day/month order as the rows go by.
    order: date_order::Inference,
    /// The date columns looked at for the order.
    date_columns: Vec<usize>,
    /// Rows waiting for the order, with their line reasons, in row order.
    held: Vec<(Vec<RawRow>, Vec<Option<SkipReason>>)>,
    /// The values of the unread columns.
    sample: unread::Sample,
    /// The group heading in force after the rows so far.
    heading: Option<String>,
    invoices: Vec<Invoice>,
    fingerprints: Vec<u64>,
    /// Usable rows with an empty currency cell, so far.
    defaulted: usize,
    rejected: Vec<Rejected>,
    skipped: Vec<Skipped>,
    /// The shared copies of the repeated names of the invoices.
    names: Names,
    /// The sums of the lines so far, for the subtotal lines to be checked against.
    tally: Tally,
}

impl<'a> Normalizer<'a> {
    /// A normalizer for the rows below `head`.
    #[must_use]
    pub fn new(head: &'a TableHead, columns: &'a ColumnMap, options: &'a Options) -> Self {
        let set = options.format.date_order.map(|order| (order, Reason::text(options.date_order_origin.as_str())));
        let date_columns =
            [Field::InvoiceDate, Field::DueDate, Field::PaidDate].into_iter().filter_map(|f| columns.get(f)).collect();
        Self {
            head,
            columns,
            options,
            header_keys: head.headers.iter().map(|h| schema::header_key(h)).collect(),
            format: value::ValueFormat { date1904: head.date1904, ..options.format },
            order: date_order::Inference::new(set, options.fallback_date_order.clone()),
            date_columns,
            held: Vec::new(),
            sample: unread::Sample::new((0..head.headers.len()).filter(|i| !columns.uses(*i))),
            heading: None,
            invoices: Vec::new(),
            fingerprints: Vec::new(),
            defaulted: 0,
            rejected: Vec::new(),
            skipped: Vec::new(),
            names: Names::default(),
            tally: Tally::default(),
        }
    }

    /// Makes room for `rows` more invoices at once, so that the vector of invoices is not
    /// grown by doubling (which holds the old and the new vector for a moment: 3.7 GB at
    /// ten million invoices).
    pub fn expect(&mut self, rows: usize) {
        self.invoices.reserve_exact(rows);
        self.fingerprints.reserve_exact(rows);
    }

    /// Takes the next rows (in row order, after those pushed before): types them now, or
    /// holds them until the day/month order is settled.
    ///
    /// # Errors
    /// [`crate::Error::DateOrderConflict`] when the file's dates are written in both orders.
    pub fn push(&mut self, rows: Vec<RawRow>) -> crate::error::Result<()> {
        use rayon::prelude::*;
        let line_columns = lines::LineColumns {
            invoice_no: self.columns.get(Field::InvoiceNo),
            dates: [self.columns.get(Field::InvoiceDate), self.columns.get(Field::DueDate)],
        };
        let reasons: Vec<Option<SkipReason>> = rows
            .par_iter()
            .with_min_len(CHUNK_ROWS)
            .map(|row| lines::classify(row, &self.header_keys, line_columns))
            .collect();
        if self.order.infers() && !self.date_columns.is_empty() {
            let columns = &self.date_columns;
            let parts: Vec<date_order::Signs> = rows
                .par_chunks(CHUNK_ROWS)
                .zip(reasons.par_chunks(CHUNK_ROWS))
                .map(|(rows, reasons)| date_order::Signs::of(rows, |i| reasons[i].is_none(), columns))
                .collect();
            let mut signs = date_order::Signs::default();
            for part in parts {
                signs.then(part);
            }
            self.order.add(signs, &self.head.headers, &self.head.source.location())?;
        }
        for (row, _) in rows.iter().zip(&reasons).filter(|(_, r)| r.is_none()) {
            if !self.sample.wants_more() {
                break;
            }
            self.sample.add(row, self.format);
        }
        if self.order.must_wait() {
            self.held.push((rows, reasons));
            return Ok(());
        }
        if let Some(order) = self.order.settled() {
            self.format.date_order = Some(order);
        }
        for (held, held_reasons) in std::mem::take(&mut self.held) {
            self.type_rows(&held, &held_reasons);
        }
        self.type_rows(&rows, &reasons);
        Ok(())
    }

    /// Types `rows` (with their line reasons) with the current format.
    fn type_rows(&mut self, rows: &[RawRow], reasons: &[Option<SkipReason>]) {
        use rayon::prelude::*;
        // The group heading in force at the start of each chunk (only the last one before
        // it counts): found in one pass over the reasons, without re-reading rows.
        let chunks = rows.len().div_ceil(CHUNK_ROWS);
        let mut headings: Vec<Option<String>> = Vec::with_capacity(chunks);
        let mut last_heading: Option<usize> = None;
        for k in 0..chunks {
            headings.push(match last_heading {
                Some(i) => Some(Skipped::new(&rows[i], SkipReason::GroupHeading).text),
                None => self.heading.clone(),
            });
            let range = k * CHUNK_ROWS..((k + 1) * CHUNK_ROWS).min(rows.len());
            if let Some(i) = range.rev().find(|i| reasons[*i] == Some(SkipReason::GroupHeading)) {
                last_heading = Some(i);
            }
        }
        if let Some(i) = last_heading {
            self.heading = Some(Skipped::new(&rows[i], SkipReason::GroupHeading).text);
        }
        let (head, columns, options, names, format) = (self.head, self.columns, self.options, &self.names, self.format);
        let currency_col = columns.get(Field::Currency);
        let parts: Vec<Part> = rows
            .par_chunks(CHUNK_ROWS)
            .zip(reasons.par_chunks(CHUNK_ROWS))
            .zip(headings.into_par_iter())
            .map(|((rows, reasons), mut heading)| {
                let mut part = Part {
                    invoices: Vec::with_capacity(rows.len()),
                    fingerprints: Vec::with_capacity(rows.len()),
                    ..Part::default()
                };
                for (row, reason) in rows.iter().zip(reasons) {
                    if let Some(reason) = *reason {
                        let line = Skipped::new(row, reason);
                        if reason == SkipReason::GroupHeading {
                            heading = Some(line.text.clone());
                        }
                        if reason == SkipReason::Subtotal {
                            let name = row.cells.iter().find_map(|c| match c {
                                Cell::Text(t) if lines::is_total_label(t) => Some(lines::named_total(t)),
                                _ => None,
                            });
                            part.subtotals.push((subtotal_figures(row, head, columns, options), name.flatten()));
                        }
                        part.skipped.push(line);
                        continue;
                    }
                    match invoice(row, head, columns, options, format, heading.as_deref(), names) {
                        Ok(invoice) => {
                            part.invoices.push(invoice);
                            part.fingerprints.push(fingerprint(row));
                            part.defaulted +=
                                usize::from(currency_col.is_some_and(|i| RawTable::cell(row, i).is_blank()));
                        }
                        Err((problems, open)) => part.rejected.push(reject(row, &problems, open)),
                    }
                }
                part
            })
            .collect();
        self.invoices.reserve(parts.iter().map(|p| p.invoices.len()).sum());
        self.fingerprints.reserve(parts.iter().map(|p| p.fingerprints.len()).sum());
        for mut part in parts {
            // A line labelled like a name ("Total Energies") that the lines above do not
            // make a subtotal is a data row: read (and rejected without an invoice number)
            // so that its amount stays in the control totals.
            for number in self.tally.walk(&mut part) {
                let Ok(at) = rows.binary_search_by_key(&number, |r| r.number) else { continue };
                let row = &rows[at];
                match invoice(row, head, columns, options, format, None, names) {
                    Ok(invoice) => {
                        let i = part.invoices.partition_point(|x| x.source_row < number);
                        part.invoices.insert(i, invoice);
                        part.fingerprints.insert(i, fingerprint(row));
                    }
                    Err((mut problems, open)) => {
                        if let Some(first) = problems.first_mut() {
                            first.reason.push("total_like_name", vec![]);
                        }
                        let i = part.rejected.partition_point(|x| x.row < number);
                        part.rejected.insert(i, reject(row, &problems, open));
                    }
                }
            }
            self.invoices.extend(part.invoices);
            self.fingerprints.extend(part.fingerprints);
            self.defaulted += part.defaulted;
            self.rejected.extend(part.rejected);
            self.skipped.extend(part.skipped);
        }
    }

    /// The outcome, with `skipped` (blank lines met below the header) added to the lines
    /// that are not data rows. Rows still waiting for the order are typed with the order
    /// settled, else the fallback, else none (their ambiguous dates are then rejected).
    #[must_use]
    pub fn finish(mut self, skipped: Vec<Skipped>) -> Normalized {
        self.format.date_order = self.order.last();
        for (held, held_reasons) in std::mem::take(&mut self.held) {
            self.type_rows(&held, &held_reasons);
        }
        let Self {
            head,
            columns,
            options,
            invoices,
            fingerprints,
            defaulted,
            rejected,
            skipped: classified,
            order,
            sample,
            ..
        } = self;
        let currency_source = match (columns.get(Field::Currency), defaulted) {
            (None, _) => CurrencySource::Default,
            (Some(_), 0) => CurrencySource::Column,
            (Some(_), rows) => CurrencySource::Mixed { rows },
        };
        let mut all = head.skipped.clone();
        all.extend(skipped);
        all.extend(classified);
        all.sort_by_key(|s| s.row);
        let mut amounts_read: BTreeMap<String, i64> = BTreeMap::new();
        let readable = invoices.iter().map(|i| (&i.currency, i.open_minor));
        for (currency, open) in readable.chain(rejected.iter().filter_map(|r| r.open.as_ref().map(|(c, m)| (c, *m)))) {
            // Bounded: each open amount is within limits.max_amount and the file's rows within
            // limits.max_rows; normalize::sum_budget holds their total below i64::MAX / 4.
            let total = amounts_read.entry(currency.code().to_owned()).or_default();
            *total = total.saturating_add(open);
        }
        Normalized {
            source: head.source.clone(),
            headers: head.headers.clone(),
            read: invoices.len() + rejected.len(),
            invoices,
            rejected,
            skipped: all,
            preset: None,
            unused_columns: head
                .headers
                .iter()
                .enumerate()
                .filter(|(i, _)| !columns.uses(*i))
                .map(|(_, h)| h.clone())
                .collect(),
            amounts_read,
            duplicate_amounts: BTreeMap::new(),
            lines_merged: 0,
            currency_source,
            currency_note: currency_source.message(
                &head.source.describe(),
                &options.default_currency,
                &options.currency_origin,
            ),
            currency_said: currency_source.reason(&head.source, &options.default_currency, &options.currency_origin),
            fingerprints,
            date_order: order.used(&head.headers),
            unread: sample.finish(&head.headers),
            fields: Field::ALL
                .into_iter()
                .filter_map(|f| Some((f, head.headers.get(columns.get(f)?)?.clone())))
                .collect(),
        }
    }
}

/// A fingerprint of every cell of a row (trimmed text, numbers, dates; blank cells and the
/// row number left out): two rows of one invoice with equal fingerprints are the same line
/// twice, a duplicate; rows that differ in any cell are lines of the invoice. The hasher
/// has fixed keys, so a run is repeatable.
fn fingerprint(row: &RawRow) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    for (i, cell) in row.cells.iter().enumerate().filter(|(_, c)| !c.is_blank()) {
        i.hash(&mut hasher);
        match cell {
            Cell::Empty => 0u8.hash(&mut hasher),
            Cell::Text(t) => (1u8, value::trimmed(cell).as_deref().unwrap_or(t.as_str())).hash(&mut hasher),
            Cell::Int(n) => (2u8, n).hash(&mut hasher),
            Cell::Float(x) => (3u8, x.to_bits()).hash(&mut hasher),
            Cell::Date(d) => (4u8, d).hash(&mut hasher),
            Cell::Bool(b) => (5u8, b).hash(&mut hasher),
            Cell::Error(e) => (6u8, e).hash(&mut hasher),
        }
    }
    hasher.finish()
}

/// A subtotal line's figures in the amount, open-amount and paid-amount columns (those it
/// fills with a readable amount).
type Figures = [Option<Decimal>; 3];

fn subtotal_figures(row: &RawRow, head: &TableHead, columns: &ColumnMap, options: &Options) -> Figures {
    let format = value::ValueFormat { date1904: head.date1904, ..options.format };
    [Field::Amount, Field::OpenAmount, Field::PaidAmount].map(|field| {
        let cell = columns.get(field).map(|i| RawTable::cell(row, i)).filter(|c| !c.is_blank())?;
        value::amount(cell, format).ok()
    })
}

/// The sums of some invoice rows in minor units, while they can be compared with a
/// subtotal line: one currency, every row readable, no overflow.
#[derive(Debug, Default, Clone)]
struct Sums {
    currency: Option<Currency>,
    amount: i64,
    open: i64,
    rows: usize,
    unknown: bool,
    /// The customer of the last row added, lower-cased.
    customer: Option<String>,
}

impl Sums {
    fn add(&mut self, invoice: &Invoice) {
        self.rows += 1;
        if self.customer.as_deref().is_none_or(|c| !c.eq_ignore_ascii_case(&invoice.customer)) {
            self.customer = Some(invoice.customer.trim().to_lowercase());
        }
        if self.currency.as_ref().is_some_and(|c| *c != invoice.currency) {
            self.unknown = true;
        }
        self.currency.get_or_insert_with(|| invoice.currency.clone());
        match (self.amount.checked_add(invoice.amount_minor), self.open.checked_add(invoice.open_minor)) {
            (Some(amount), Some(open)) => (self.amount, self.open) = (amount, open),
            _ => self.unknown = true,
        }
    }

    /// The currency and the sums of the amount, open and paid columns, when known.
    fn figures(&self) -> Option<(&Currency, [i64; 3])> {
        if self.unknown || self.rows == 0 {
            return None;
        }
        Some((self.currency.as_ref()?, [self.amount, self.open, self.amount.checked_sub(self.open)?]))
    }

    /// Whether every figure the line states (in minor units of `currency`) is the sum.
    fn fits(&self, currency: &Currency, stated: &[(usize, i64)]) -> bool {
        self.figures().is_some_and(|(c, sums)| c == currency && stated.iter().all(|&(k, v)| sums[k] == v))
    }
}

/// The running sums a subtotal line is checked against: the invoice rows since
/// the previous subtotal or group heading, and every invoice row since the header (for a
/// grand total, or a total under subtotals). A rejected row makes its sums unknown: they
/// are then not checked.
#[derive(Debug, Default)]
struct Tally {
    block: Sums,
    whole: Sums,
    /// The group heading in force, lower-cased.
    heading: Option<String>,
}

impl Tally {
    /// Goes through one chunk's rows in row order, noting on each subtotal line that does
    /// not match the rows above it what it says and what they add up to. Lines whose label
    /// may be a name and that nothing above makes a subtotal are taken off the skipped
    /// lines; their row numbers are returned, to be read as data rows.
    fn walk(&mut self, part: &mut Part) -> Vec<usize> {
        let mut demoted = Vec::new();
        let (mut i, mut r, mut subtotal) = (0, 0, 0);
        for s in 0..=part.skipped.len() {
            let until = part.skipped.get(s).map_or(usize::MAX, |l| l.row);
            while let Some(invoice) = part.invoices.get(i).filter(|x| x.source_row < until) {
                self.block.add(invoice);
                self.whole.add(invoice);
                i += 1;
            }
            while part.rejected.get(r).is_some_and(|x| x.row < until) {
                for sums in [&mut self.block, &mut self.whole] {
                    sums.rows += 1;
                    sums.unknown = true;
                }
                r += 1;
            }
            let Some(line) = part.skipped.get_mut(s) else { break };
            match line.reason {
                SkipReason::GroupHeading => {
                    self.block = Sums::default();
                    self.heading = Some(line.text.trim().to_lowercase());
                }
                SkipReason::Subtotal => {
                    let (figures, name) = part.subtotals.get(subtotal).cloned().unwrap_or_default();
                    subtotal += 1;
                    if let Some(name) = name
                        && !self.makes_subtotal(&name, &figures)
                    {
                        demoted.push(line.row);
                        for sums in [&mut self.block, &mut self.whole] {
                            sums.rows += 1;
                            sums.unknown = true;
                        }
                        continue;
                    }
                    line.note = self.check(&line.text, &figures);
                }
                _ => {}
            }
        }
        part.skipped.retain(|l| !(l.reason == SkipReason::Subtotal && demoted.contains(&l.row)));
        demoted
    }

    /// Whether the lines above make a line labelled "Total NAME" a subtotal: NAME is the
    /// customer of the rows just above or their heading, or its figures are their sums.
    fn makes_subtotal(&self, name: &str, figures: &Figures) -> bool {
        let named = |sums: &Sums| sums.customer.as_deref() == Some(name);
        if named(&self.block) || named(&self.whole) || self.heading.as_deref() == Some(name) {
            return true;
        }
        let expected = if self.block.rows == 0 { &self.whole } else { &self.block };
        let Some((currency, _)) = expected.figures() else { return false };
        let stated: Vec<(usize, i64)> =
            figures.iter().enumerate().filter_map(|(k, f)| Some((k, currency.to_minor((*f)?).ok()?))).collect();
        !stated.is_empty() && (expected.fits(currency, &stated) || self.whole.fits(currency, &stated))
    }

    /// The note of a subtotal line whose figures are not the sums above it: those since the
    /// previous subtotal (or, for a grand total or with none since, since the header).
    fn check(&mut self, text: &str, figures: &Figures) -> Option<String> {
        let grand = lines::is_grand_total(text);
        let (expected, other) =
            if grand || self.block.rows == 0 { (&self.whole, None) } else { (&self.block, Some(&self.whole)) };
        let note = (|| {
            let (currency, sums) = expected.figures()?;
            let stated: Vec<(usize, i64)> =
                figures.iter().enumerate().filter_map(|(k, f)| Some((k, currency.to_minor((*f)?).ok()?))).collect();
            if stated.is_empty() || expected.fits(currency, &stated) || other.is_some_and(|o| o.fits(currency, &stated))
            {
                return None;
            }
            let &(k, v) = stated.iter().find(|&&(k, v)| sums[k] != v)?;
            Some(format!(
                "subtotal {} does not match the lines above it ({})",
                currency.format(v),
                currency.format(sums[k])
            ))
        })();
        if !grand {
            self.block = Sums::default();
        }
        note
    }
}

/// Why a row failed, with its open amount when that could still be read.
type Failure = (Vec<Problem>, Option<(Currency, i64)>);

/// One reason a cell is refused.
struct Problem {
    column: String,
    value: String,
    reason: Reason,
}

/// Reads the fields of one row, collecting every problem rather than stopping at the first.
struct RowReader<'a> {
    row: &'a RawRow,
    head: &'a TableHead,
    columns: &'a ColumnMap,
    problems: Vec<Problem>,
}

impl<'a> RowReader<'a> {
    /// The field's cell, borrowed from the row (not from the reader, so that a problem can
    /// be recorded while it is held: no copy of the cell per field).
    fn cell(&self, field: Field) -> Option<(usize, &'a Cell)> {
        let row: &'a RawRow = self.row;
        self.columns.get(field).map(|i| (i, RawTable::cell(row, i)))
    }

    fn refuse(&mut self, index: usize, cell: &Cell, reason: Reason) {
        let column = self.head.headers.get(index).cloned().unwrap_or_default();
        let reason = reason.at_column(&column);
        self.problems.push(Problem { column, value: cell.to_text(), reason });
    }

    /// Applies `parse` to the field's cell; `None` when absent or blank (and then refused
    /// if `required`) or unparseable (refused).
    fn read<T>(&mut self, field: Field, required: bool, parse: impl Fn(&Cell) -> Result<T, Reason>) -> Option<T> {
        let (index, cell) = self.cell(field)?;
        if cell.is_blank() {
            if required {
                self.refuse(index, cell, Reason::new("is_empty", vec![]));
            }
            return None;
        }
        match parse(cell) {
            Ok(value) => Some(value),
            Err(reason) => {
                self.refuse(index, cell, reason);
                None
            }
        }
    }

    fn text(&mut self, field: Field, required: bool) -> Option<String> {
        self.read(field, required, |c| value::text(c).ok_or_else(|| Reason::new("is_empty", vec![])))
    }

    /// [`Self::text`] as the shared copy from `names`.
    fn name(&mut self, field: Field, required: bool, names: &Names) -> Option<Arc<str>> {
        let empty = || Reason::new("is_empty", vec![]);
        self.read(field, required, |c| value::trimmed(c).map(|t| names.get(&t)).ok_or_else(empty))
    }

    fn minor(&mut self, field: Field, currency: &Currency, amount: Decimal, limits: &Limits) -> Option<i64> {
        let (index, cell) = self.cell(field)?;
        match reason::minor(currency, amount, limits) {
            Ok(minor) => Some(minor),
            Err(reason) => {
                self.refuse(index, cell, reason);
                None
            }
        }
    }
}

fn invoice(
    row: &RawRow,
    head: &TableHead,
    columns: &ColumnMap,
    options: &Options,
    format: value::ValueFormat,
    heading: Option<&str>,
    names: &Names,
) -> Result<Invoice, Failure> {
    let mut r = RowReader { row, head, columns, problems: Vec::new() };
    let customer_blank = r.cell(Field::Customer).is_none_or(|(_, c)| c.is_blank());
    let customer = match heading {
        Some(heading) if options.customer_from_heading && customer_blank => Some(names.get(heading)),
        _ if r.cell(Field::Customer).is_none() => {
            r.problems.push(Problem {
                column: "Customer".into(),
                value: String::new(),
                reason: Reason::new("no_customer", vec![]),
            });
            None
        }
        _ => r.name(Field::Customer, true, names),
    };
    let invoice_no = r.text(Field::InvoiceNo, true);
    let limits = &options.limits;
    let date = |c: &Cell| value::date(c, format).and_then(|d| reason::date_in_limits(limits, d));
    let invoice_date = r.read(Field::InvoiceDate, true, date);
    let due_blank = r.cell(Field::DueDate).is_some_and(|(_, c)| c.is_blank());
    let assume_due = due_blank && options.default_term_days.is_some();
    let due_date = r.read(Field::DueDate, !assume_due, date);
    // An empty due date falls back to the invoice date plus the default term (and says so);
    // a term that carries it past the dates accepted rejects the row.
    let due_date = due_date.or_else(|| {
        let invoice_date = invoice_date?;
        let term = options.default_term_days.filter(|_| assume_due)?;
        let due = chrono::Duration::try_days(term).and_then(|t| invoice_date.checked_add_signed(t));
        match due.map(|d| reason::date_in_limits(limits, d)) {
            Some(Ok(due)) => Some(due),
            outcome => {
                let why = match outcome {
                    Some(Err(why)) => why,
                    _ => Reason::new("term_not_a_date", vec![]),
                };
                if let Some((i, cell)) = r.cell(Field::DueDate) {
                    r.refuse(i, cell, Reason::new("empty_no_due", vec![("reason", why.into())]));
                }
                None
            }
        }
    });
    let problems_before_currency = r.problems.len();
    let currency = r
        .read(Field::Currency, false, |c| {
            let text = value::text(c).unwrap_or_default();
            // Only currencies in use (ISO 4217): `XYZ` is a typo, not a currency.
            Currency::parse_known(&value::fold_full_width_text(&text))
                .ok_or_else(|| Reason::new("not_a_currency_code", vec![("value", text.as_str().into())]))
        })
        .unwrap_or_else(|| options.default_currency.clone());
    let currency_ok = r.problems.len() == problems_before_currency;
    // An amount written with a currency code names it: one that contradicts the row's
    // currency is refused rather than read in the row's ("EUR 70" in a CNY row).
    let in_currency = |c: &Cell| value::amount_in(c, format, &currency);
    let amount = r.read(Field::Amount, true, in_currency);
    let open = r.read(Field::OpenAmount, false, in_currency);
    let paid = r.read(Field::PaidAmount, false, in_currency);
    let paid_date = r.read(Field::PaidDate, false, date);
    let project = r.name(Field::Project, false, names);
    let contract_no = r.name(Field::ContractNo, false, names);
    let project_manager = r.name(Field::ProjectManager, false, names);

    let amount_minor = amount.and_then(|a| r.minor(Field::Amount, &currency, a, limits));
    let open_minor = open.and_then(|a| r.minor(Field::OpenAmount, &currency, a, limits));
    let paid_minor = paid.and_then(|a| r.minor(Field::PaidAmount, &currency, a, limits));
    let column_open = open_minor;
    let open_minor =
        amount_minor.and_then(|amount| open_amount(&mut r, &currency, amount, open_minor, paid_minor, paid_date));
    // The open amount as the row states it, for the control totals of rejected rows.
    let stated_open = open_minor.or(column_open).filter(|_| currency_ok).map(|m| (currency.clone(), m));

    match (customer, invoice_no, invoice_date, due_date, amount_minor, open_minor) {
        (
            Some(customer),
            Some(invoice_no),
            Some(invoice_date),
            Some(due_date),
            Some(amount_minor),
            Some(open_minor),
        ) if r.problems.is_empty() => Ok(Invoice {
            customer,
            invoice_no,
            invoice_date,
            due_date,
            currency,
            amount_minor,
            open_minor,
            project,
            contract_no,
            project_manager,
            paid_date,
            source_row: row.number,
            source: 0,
            due_assumed: assume_due,
            lines: None,
        }),
        _ if r.problems.is_empty() => Err((
            vec![Problem {
                column: String::new(),
                value: String::new(),
                reason: Reason::new("unreadable_row", vec![]),
            }],
            stated_open,
        )),
        _ => Err((r.problems, stated_open)),
    }
}

/// open = the open column when given (checked against amount − paid when both are given),
/// else amount − paid, else zero when the row has a paid date (a settled export names the
/// day an invoice was paid in full and no amount), else amount. An open amount larger than
/// the invoice or of the opposite sign is refused: it means the export is not what the
/// user thinks it is. Whether the invoice was still open on the as-of date is decided
/// later, from the paid date ([`point_in_time`]).
fn open_amount(
    r: &mut RowReader<'_>,
    currency: &Currency,
    amount: i64,
    open: Option<i64>,
    paid: Option<i64>,
    paid_date: Option<NaiveDate>,
) -> Option<i64> {
    let blank = |r: &RowReader<'_>, f: Field| r.cell(f).is_none_or(|(_, c)| c.is_blank());
    if open.is_none() && !blank(r, Field::OpenAmount) || paid.is_none() && !blank(r, Field::PaidAmount) {
        return None; // already refused
    }
    let (field, open) = match (open, paid) {
        (Some(open), Some(paid)) if amount.checked_sub(paid) != Some(open) => {
            let (i, cell) = r.cell(Field::OpenAmount)?;
            let cell = cell.clone();
            let figures = [("open", open), ("amount", amount), ("paid", paid)];
            r.refuse(
                i,
                &cell,
                Reason::new(
                    "open_not_amount_minus_paid",
                    figures.map(|(n, m)| (n, currency.format(m).into())).to_vec(),
                ),
            );
            return None;
        }
        (Some(open), _) => (Field::OpenAmount, open),
        (None, Some(paid)) => {
            let Some(open) = amount.checked_sub(paid) else {
                let (i, cell) = r.cell(Field::PaidAmount)?;
                let cell = cell.clone();
                r.refuse(i, &cell, Reason::new("minus_out_of_range", vec![]));
                return None;
            };
            (Field::PaidAmount, open)
        }
        (None, None) if paid_date.is_some() => (Field::PaidDate, 0),
        (None, None) => (Field::Amount, amount),
    };
    let opposite = (open > 0 && amount < 0) || (open < 0 && amount > 0);
    if opposite || open.unsigned_abs() > amount.unsigned_abs() {
        let (i, cell) = r.cell(field)?;
        let cell = cell.clone();
        let figures = vec![("open", currency.format(open).into()), ("amount", currency.format(amount).into())];
        r.refuse(i, &cell, Reason::new("open_does_not_fit", figures));
        return None;
    }
    Some(open)
}

fn reject(row: &RawRow, problems: &[Problem], open: Option<(Currency, i64)>) -> Rejected {
    let first = problems.first();
    Rejected {
        row: row.number,
        column: first.map(|p| p.column.clone()).unwrap_or_default(),
        value: first.map(|p| p.value.clone()).unwrap_or_default(),
        reason: Reason::join(problems.iter().map(|p| p.reason.clone()), "semicolon"),
        raw: row.cells.iter().map(Cell::to_text).collect(),
        open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use crate::normalize::date_order::DateOrder;

    fn head() -> TableHead {
        TableHead {
            source: SourceRef { file: "ar.csv".into(), sheet: None },
            headers: ["Customer", "Invoice No", "Invoice Date", "Due Date", "Amount"].map(String::from).to_vec(),
            header_row: 1,
            skipped: Vec::new(),
            date1904: false,
        }
    }

    fn options_with(set: Option<DateOrder>) -> Options {
        Options {
            default_currency: Currency::parse("EUR").unwrap(),
            currency_origin: "--currency".into(),
            format: value::ValueFormat { date_order: set, ..value::ValueFormat::default() },
            date_order_origin: "--date-order".into(),
            fallback_date_order: None,
            customer_from_heading: false,
            default_term_days: None,
            limits: crate::ingest::Limits::default(),
        }
    }

    fn row(number: usize, invoice: &str, issued: &str, due: &str) -> RawRow {
        let cells = ["ACME", invoice, issued, due, "10.00"].map(|t| Cell::Text(t.into())).to_vec();
        RawRow { number, cells }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn rows_before_the_evidence_wait_and_are_read_with_its_order() {
        let head = head();
        let columns = ColumnMap::resolve(&head.headers, &[], &[], &[], &Location::file("ar.csv")).unwrap();
        let options = options_with(None);
        let mut typing = Normalizer::new(&head, &columns, &options);
        // Two chunks as the reader hands them: only the second settles the order.
        typing.push(vec![row(2, "1", "01/02/2026", "03/04/2026"), row(3, "2", "05/02/2026", "05/03/2026")]).unwrap();
        assert!(typing.invoices.is_empty(), "ambiguous rows wait for the order");
        typing.push(vec![row(4, "3", "13/02/2026", "15/03/2026")]).unwrap();
        let done = typing.finish(Vec::new());
        let dates: Vec<(usize, NaiveDate, NaiveDate)> =
            done.invoices.iter().map(|i| (i.source_row, i.invoice_date, i.due_date)).collect();
        assert_eq!(
            dates,
            [(2, d(2026, 2, 1), d(2026, 4, 3)), (3, d(2026, 2, 5), d(2026, 3, 5)), (4, d(2026, 2, 13), d(2026, 3, 15)),]
        );
        let used = done.date_order.unwrap();
        assert_eq!((used.order, used.evidence.as_str()), (DateOrder::Dmy, "row 4: 13/02/2026"));
        assert_eq!(used.column.as_deref(), Some("Invoice Date"));
    }

    #[test]
    fn without_evidence_ambiguous_rows_are_rejected_and_a_set_order_wins() {
        let head = head();
        let columns = ColumnMap::resolve(&head.headers, &[], &[], &[], &Location::file("ar.csv")).unwrap();
        let options = options_with(None);
        let mut typing = Normalizer::new(&head, &columns, &options);
        typing.push(vec![row(2, "1", "01/02/2026", "2026-03-04"), row(3, "2", "2026-02-05", "2026-03-07")]).unwrap();
        let done = typing.finish(Vec::new());
        assert_eq!(done.invoices.len(), 1);
        assert_eq!(done.rejected[0].row, 2);
        assert!(
            done.rejected[0].reason.english().contains("could be day/month or month/day"),
            "{}",
            done.rejected[0].reason
        );
        assert_eq!(done.date_order, None);

        let set = options_with(Some(DateOrder::Mdy));
        let mut typing = Normalizer::new(&head, &columns, &set);
        typing.push(vec![row(2, "1", "01/02/2026", "03/04/2026"), row(3, "2", "13/02/2026", "2026-03-07")]).unwrap();
        let done = typing.finish(Vec::new());
        assert_eq!((done.invoices[0].invoice_date, done.invoices[0].due_date), (d(2026, 1, 2), d(2026, 3, 4)));
        assert_eq!(done.rejected[0].reason.english(), "Invoice Date: \"13/02/2026\" is not a day of the calendar");
        assert_eq!(done.date_order.unwrap().evidence, "--date-order");
    }

    #[test]
    fn evidence_for_both_orders_in_later_chunks_stops_the_file() {
        let head = head();
        let columns = ColumnMap::resolve(&head.headers, &[], &[], &[], &Location::file("ar.csv")).unwrap();
        let options = options_with(None);
        let mut typing = Normalizer::new(&head, &columns, &options);
        typing.push(vec![row(2, "1", "1/26/2026", "2026-03-04")]).unwrap();
        let err = typing.push(vec![row(3, "2", "2026-01-01", "26/02/2026")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ar.csv: column \"Invoice Date\" row 2 \"1/26/2026\" is month/day/year but column \"Due Date\" row 3 \
             \"26/02/2026\" is day/month/year; set --date-order (or date_order under [input] in the rules file) to \
             the order of the file"
        );
    }
}
