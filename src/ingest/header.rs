//! Finding the header row among the first rows of a sheet (title lines such as
//! "Company X — A/R Aging Detail — As of Nov 30, 2026" may sit above it), and recording the
//! lines above it and the blank lines below it as [`Skipped`], never silently.
use std::fmt;

use super::{RawRow, RawSheet, RawTable, SourceRef, TableHead, column_letter};
use crate::error::{Error, Result};

/// How many rows from the top are searched for the header.
pub(crate) const HEADER_SEARCH_ROWS: usize = 50;

/// Why a line of the sheet is not a data row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// A line above the header (report title, company, date).
    Title,
    /// An entirely blank line.
    Blank,
    /// A subtotal or total line ("Total for ACME", "合计", "Grand Total").
    Subtotal,
    /// The header repeated further down (page breaks in printed exports).
    RepeatedHeader,
    /// A line holding only a group name (a customer or aging range heading).
    GroupHeading,
    /// The same customer and invoice number as an earlier row (`duplicates = "warn"`).
    Duplicate,
}

impl SkipReason {
    /// Every reason, in report order.
    pub const ALL: [Self; 6] =
        [Self::Title, Self::Blank, Self::Subtotal, Self::RepeatedHeader, Self::GroupHeading, Self::Duplicate];

    /// The key used in `summary.json`.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Blank => "blank",
            Self::Subtotal => "subtotal",
            Self::RepeatedHeader => "repeated_header",
            Self::GroupHeading => "group_heading",
            Self::Duplicate => "duplicate",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Title => "title line above the header",
            Self::Blank => "blank line",
            Self::Subtotal => "subtotal or total line",
            Self::RepeatedHeader => "header repeated",
            Self::GroupHeading => "group heading",
            Self::Duplicate => "duplicate invoice (kept the first)",
        })
    }
}

/// A line that is not a data row, with its row number and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based row number.
    pub row: usize,
    /// Why it was skipped.
    pub reason: SkipReason,
    /// The line's non-blank cells, joined with ` | `.
    pub text: String,
    /// What is wrong with a subtotal line whose figures do not match the lines above it.
    pub note: Option<String>,
}

impl Skipped {
    /// Records `row` as skipped for `reason`.
    #[must_use]
    pub fn new(row: &RawRow, reason: SkipReason) -> Self {
        let text =
            row.cells.iter().filter(|c| !c.is_blank()).map(|c| c.to_text().trim().to_owned()).collect::<Vec<_>>();
        Self { row: row.number, reason, text: text.join(" | "), note: None }
    }
}

/// The number of non-blank cells of `row`.
#[must_use]
pub(crate) fn filled(row: &RawRow) -> usize {
    row.cells.iter().filter(|c| !c.is_blank()).count()
}

/// The rows below the header that hold data; the blank ones go to `skipped`.
pub(crate) fn data_rows(rows: impl IntoIterator<Item = RawRow>, skipped: &mut Vec<Skipped>) -> Vec<RawRow> {
    let rows = rows.into_iter();
    let mut data = Vec::with_capacity(rows.size_hint().0);
    for row in rows {
        if filled(&row) == 0 {
            skipped.push(Skipped::new(&row, SkipReason::Blank));
        } else {
            data.push(row);
        }
    }
    data
}

/// Where [`find`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Search {
    /// The header is the row at this index.
    Found(usize),
    /// The rows so far do not tell: more are needed.
    NeedMore,
    /// No row can be the header.
    Missing,
}

/// Finds the header among the first rows of a sheet; `complete` says whether `rows` is the
/// whole sheet.
///
/// The header is the row among the first [`HEADER_SEARCH_ROWS`] with the most cells that
/// `is_known` recognises as a column name (at least two; the first such row on a tie);
/// when no row has two, the first row with two filled cells.
#[must_use]
pub(crate) fn find(rows: &[RawRow], is_known: &dyn Fn(&str) -> bool, complete: bool) -> Search {
    if rows.len() < HEADER_SEARCH_ROWS && !complete {
        return Search::NeedMore;
    }
    let known = |row: &RawRow| row.cells.iter().filter(|c| !c.is_blank() && is_known(c.to_text().trim())).count();
    let search = &rows[..rows.len().min(HEADER_SEARCH_ROWS)];
    let best = search.iter().enumerate().map(|(i, r)| (known(r), i)).max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    match best {
        Some((score, i)) if score >= 2 => Search::Found(i),
        _ => match rows.iter().position(|r| filled(r) >= 2) {
            Some(i) => Search::Found(i),
            None if complete => Search::Missing,
            None => Search::NeedMore,
        },
    }
}

/// Splits `rows` into title lines, the header and the data rows below it.
///
/// # Errors
/// [`Error::NoHeader`] when no row has two filled cells.
pub(crate) fn split(sheet: RawSheet, is_known: &dyn Fn(&str) -> bool) -> Result<RawTable> {
    let RawSheet { source, rows, date1904 } = sheet;
    match find(&rows, is_known, true) {
        Search::Found(index) => split_at(rows, index, source, date1904),
        Search::NeedMore | Search::Missing => Err(Error::NoHeader { location: source.location() }),
    }
}

/// Splits `rows` at the header `header_index` (found by [`find`]): the lines above it are
/// skipped as titles or blank lines, the blank lines below it as blank lines.
///
/// # Errors
/// [`Error::Internal`] when `header_index` is not a row.
pub(crate) fn split_at(rows: Vec<RawRow>, header_index: usize, source: SourceRef, date1904: bool) -> Result<RawTable> {
    let mut rows = rows.into_iter();
    let mut skipped = Vec::new();
    for row in rows.by_ref().take(header_index) {
        let reason = if filled(&row) == 0 { SkipReason::Blank } else { SkipReason::Title };
        skipped.push(Skipped::new(&row, reason));
    }
    let header = rows.next().ok_or_else(|| Error::Internal("header row vanished".into()))?;
    let data = data_rows(rows, &mut skipped);
    let headers = header
        .cells
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let text = cell.to_text();
            let text = text.trim();
            if text.is_empty() { format!("Column {}", column_letter(i)) } else { text.to_owned() }
        })
        .collect();
    Ok(RawTable { head: TableHead { source, headers, header_row: header.number, skipped, date1904 }, rows: data })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Cell;

    fn row(number: usize, cells: &[&str]) -> RawRow {
        let cells = cells.iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).into()) }).collect();
        RawRow { number, cells }
    }

    #[test]
    fn title_lines_above_the_header_are_skipped_with_a_reason() {
        let rows = vec![
            row(1, &["ACME Ltd — A/R Aging Detail", ""]),
            row(2, &["As of Nov 30, 2026", "printed by: admin"]),
            row(3, &["", ""]),
            row(4, &["Customer", "Invoice No", "Due Date"]),
            row(5, &["X", "1", "2026-01-01"]),
            row(6, &["", "", ""]),
        ];
        let known = |t: &str| ["Customer", "Invoice No", "Due Date"].contains(&t);
        let source = crate::ingest::SourceRef { file: "a.csv".into(), sheet: None };
        let table = split(RawSheet { source, rows, date1904: false }, &known).unwrap();
        assert_eq!(table.head.header_row, 4);
        assert_eq!(table.rows.len(), 1);
        let reasons: Vec<_> = table.head.skipped.iter().map(|s| (s.row, s.reason)).collect();
        assert_eq!(
            reasons,
            [(1, SkipReason::Title), (2, SkipReason::Title), (3, SkipReason::Blank), (6, SkipReason::Blank)]
        );
        assert_eq!(table.head.skipped[1].text, "As of Nov 30, 2026 | printed by: admin");
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;
    use crate::ingest::{Cell, SourceRef};

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            Just(Cell::Empty),
            prop::sample::select(vec!["Customer", "Invoice No", "Due Date", "Amount", "Total", "合计", "", " "])
                .prop_map(|s| Cell::Text(s.to_owned())),
            ".{0,12}".prop_map(Cell::Text),
            any::<i64>().prop_map(Cell::Int),
            any::<f64>().prop_map(Cell::Float),
        ]
    }

    proptest! {
        #[test]
        fn fuzz_header_detection_never_panics_and_loses_no_line(rows in prop::collection::vec(prop::collection::vec(cell(), 0..8), 0..60)) {
            let total = rows.len();
            let rows: Vec<RawRow> = rows.into_iter().enumerate().map(|(i, cells)| RawRow { number: i + 1, cells }).collect();
            let known = |t: &str| ["Customer", "Invoice No", "Due Date", "Amount"].contains(&t);
            let sheet = RawSheet { source: SourceRef { file: "fuzz.csv".into(), sheet: None }, rows, date1904: false };
            if let Ok(table) = split(sheet, &known) {
                // Every line is the header, a data row or a skipped line: nothing is lost.
                prop_assert_eq!(1 + table.rows.len() + table.head.skipped.len(), total);
                let keys: Vec<String> = table.head.headers.iter().map(|h| crate::normalize::schema::header_key(h)).collect();
                for row in &table.rows {
                    let columns = crate::normalize::lines::LineColumns { invoice_no: Some(1), dates: [Some(2), None] };
                    let _ = crate::normalize::lines::classify(row, &keys, columns);
                }
            }
        }
    }
}
