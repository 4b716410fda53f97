//! The day/month order of a file's text dates, settled by its own values when nobody set
//! it. A value only one order can read (`1/26/2013` is month/day/year,
//! `26.01.2013` day/month/year) settles the order of the file; its ambiguous values
//! (`1/2/2013`) are then read with it. One export writes all its dates one way, so the
//! evidence of one date column (invoice, due or paid date) settles the others; evidence
//! for both orders, in one column or two, is an error naming both rows. No evidence at all
//! leaves the ambiguous values rejected, as without this: the order is never guessed.
//!
//! An order set with `--date-order` or `[input] date_order` wins over any evidence; a
//! preset's order (the usual order of that system's exports) is used only when the file's
//! values settle nothing.
use serde::{Deserialize, Serialize};

use super::reason::{Arg, Reason, num};
use super::value::{DayMonth, day_month};
use crate::error::{Error, Location, Result};
use crate::ingest::{RawRow, RawTable};

/// Order of day, month and year in dates written as text with the year last or first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// 2026/05/20
    Ymd,
    /// 20/05/2026
    Dmy,
    /// 05/20/2026
    Mdy,
}

/// The order a file's dates were read with, and why: what `summary.json` reports as
/// `inputs[].date_order` and the Summary sheet and `check` show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateOrderUsed {
    /// `dmy`, `mdy` or `ymd`.
    pub order: DateOrder,
    /// `row 7: 1/26/2013` when settled by a value, else where it was set: `--date-order`,
    /// `[input] date_order`, `preset quickbooks`.
    pub evidence: String,
    /// The header of the column whose value settled it (absent when it was set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `evidence` as words of either language (not in `summary.json`).
    #[serde(skip)]
    pub said: Reason,
}

impl DateOrderUsed {
    /// One line for people, in English (`check`): `month/day/year, inferred from row 7:
    /// 1/26/2013 (column "InvoiceDate")`.
    #[must_use]
    pub fn describe(&self) -> String {
        self.reason().english()
    }

    /// The line in the words of `labels` (the Summary sheet).
    #[must_use]
    pub fn render(&self, labels: &crate::catalogue::Labels) -> String {
        self.reason().render(labels)
    }

    fn reason(&self) -> Reason {
        let evidence = if self.said.is_empty() { Reason::text(self.evidence.as_str()) } else { self.said.clone() };
        let order = Arg::Word(match self.order {
            DateOrder::Dmy => "order_dmy",
            DateOrder::Mdy => "order_mdy",
            DateOrder::Ymd => "order_ymd",
        });
        match &self.column {
            Some(column) => Reason::new(
                "order_inferred",
                vec![("order", order), ("evidence", evidence.into()), ("column", column.into())],
            ),
            None => Reason::new("order_set", vec![("order", order), ("evidence", evidence.into())]),
        }
    }
}

/// `month/day/year` for `mdy`.
#[must_use]
pub fn words(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Dmy => "day/month/year",
        DateOrder::Mdy => "month/day/year",
        DateOrder::Ymd => "year/month/day",
    }
}

/// The lowercase name used in the rules file and `--date-order`.
#[must_use]
pub fn name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Dmy => "dmy",
        DateOrder::Mdy => "mdy",
        DateOrder::Ymd => "ymd",
    }
}

/// A value that only one order reads.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Evidence {
    row: usize,
    /// Index of the column.
    column: usize,
    text: String,
}

/// What some rows say about the order: the first value only each order reads, and
/// whether any value is ambiguous.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signs {
    dmy: Option<Evidence>,
    mdy: Option<Evidence>,
    ambiguous: bool,
}

impl Signs {
    /// The signs of `rows` (those typed as invoices; `data[i]` tells whether `rows[i]` is
    /// one), looking at the cells of `columns` only.
    #[must_use]
    pub fn of(rows: &[RawRow], data: impl Fn(usize) -> bool, columns: &[usize]) -> Self {
        let mut signs = Self::default();
        for (i, row) in rows.iter().enumerate() {
            if !data(i) {
                continue;
            }
            for &column in columns {
                let cell = RawTable::cell(row, column);
                let slot = match day_month(cell) {
                    DayMonth::Silent | DayMonth::Either => continue,
                    DayMonth::Ambiguous => {
                        signs.ambiguous = true;
                        continue;
                    }
                    DayMonth::Only(DateOrder::Dmy) => &mut signs.dmy,
                    DayMonth::Only(_) => &mut signs.mdy,
                };
                if slot.is_none() {
                    *slot = Some(Evidence { row: row.number, column, text: cell.to_text().trim().to_owned() });
                }
            }
            if signs.dmy.is_some() && signs.mdy.is_some() {
                break; // enough for the error
            }
        }
        signs
    }

    /// The signs of these rows followed by `later`'s.
    pub fn then(&mut self, later: Self) {
        self.ambiguous |= later.ambiguous;
        if self.dmy.is_none() {
            self.dmy = later.dmy;
        }
        if self.mdy.is_none() {
            self.mdy = later.mdy;
        }
    }
}

/// The order of one file as its rows go by.
#[derive(Debug, Clone)]
pub struct Inference {
    /// Set by the user: no inference.
    set: Option<(DateOrder, Reason)>,
    /// Used when the values settle nothing.
    fallback: Option<(DateOrder, Reason)>,
    signs: Signs,
}

impl Inference {
    /// `set` (with where it was set) wins; `fallback` applies when the values settle nothing.
    #[must_use]
    pub fn new(set: Option<(DateOrder, Reason)>, fallback: Option<(DateOrder, Reason)>) -> Self {
        Self { set, fallback, signs: Signs::default() }
    }

    /// Whether the values are looked at at all.
    #[must_use]
    pub fn infers(&self) -> bool {
        self.set.is_none()
    }

    /// Adds the signs of the next rows.
    ///
    /// # Errors
    /// [`Error::DateOrderConflict`] when values only each order can read are both met.
    pub fn add(&mut self, signs: Signs, headers: &[String], location: &Location) -> Result<()> {
        self.signs.then(signs);
        if let (Some(dmy), Some(mdy)) = (&self.signs.dmy, &self.signs.mdy) {
            let (first, second) = if (mdy.row, mdy.column) <= (dmy.row, dmy.column) { (mdy, dmy) } else { (dmy, mdy) };
            let order = |e: &Evidence| if std::ptr::eq(e, mdy) { DateOrder::Mdy } else { DateOrder::Dmy };
            let header = |e: &Evidence| headers.get(e.column).cloned().unwrap_or_default();
            let said = |e: &Evidence| format!("row {} \"{}\" is {}", e.row, e.text, words(order(e)));
            let detail = if first.column == second.column {
                format!("column \"{}\": {} but {}", header(first), said(first), said(second))
            } else {
                format!(
                    "column \"{}\" {} but column \"{}\" {}",
                    header(first),
                    said(first),
                    header(second),
                    said(second)
                )
            };
            return Err(Error::DateOrderConflict { location: location.clone(), detail });
        }
        Ok(())
    }

    /// The order settled so far (set, or from a value), if any.
    #[must_use]
    pub fn settled(&self) -> Option<DateOrder> {
        self.set.as_ref().map(|(order, _)| *order).or_else(|| self.evidence().map(|(order, _)| order))
    }

    /// Whether rows must wait before being typed: an ambiguous value was met and nothing
    /// settles the order yet (a later value may).
    #[must_use]
    pub fn must_wait(&self) -> bool {
        self.settled().is_none() && self.signs.ambiguous
    }

    /// The order to read the remaining rows with once every row has been seen.
    #[must_use]
    pub fn last(&self) -> Option<DateOrder> {
        self.settled().or(self.fallback.as_ref().map(|(order, _)| *order))
    }

    fn evidence(&self) -> Option<(DateOrder, &Evidence)> {
        match (&self.signs.dmy, &self.signs.mdy) {
            (Some(dmy), None) => Some((DateOrder::Dmy, dmy)),
            (None, Some(mdy)) => Some((DateOrder::Mdy, mdy)),
            _ => None,
        }
    }

    /// What the file was read with, for the reports; `None` when no order was set and the
    /// values settled none (no text date needed one, or the ambiguous ones were rejected).
    #[must_use]
    pub fn used(&self, headers: &[String]) -> Option<DateOrderUsed> {
        let used = |order: DateOrder, said: Reason, column: Option<String>| DateOrderUsed {
            order,
            evidence: said.english(),
            column,
            said,
        };
        if let Some((order, origin)) = &self.set {
            return Some(used(*order, origin.clone(), None));
        }
        if let Some((order, e)) = self.evidence() {
            let said = Reason::new("evidence_row", vec![("row", num(e.row)), ("value", e.text.as_str().into())]);
            return Some(used(order, said, headers.get(e.column).cloned()));
        }
        // A preset's order counts only when a value needed it.
        let (order, origin) = self.fallback.as_ref().filter(|_| self.signs.ambiguous)?;
        Some(used(*order, origin.clone(), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Cell;

    fn row(number: usize, cells: &[&str]) -> RawRow {
        RawRow { number, cells: cells.iter().map(|c| Cell::Text((*c).into())).collect() }
    }

    fn headers() -> Vec<String> {
        vec!["No".into(), "InvoiceDate".into(), "DueDate".into()]
    }

    #[test]
    fn the_first_value_only_one_order_reads_settles_the_file() {
        let rows = [row(2, &["A", "1/2/2013", "2/1/2013"]), row(3, &["B", "1/26/2013", "2/25/2013"])];
        let mut order = Inference::new(None, None);
        let location = Location::file("ar.csv");
        order.add(Signs::of(&rows[..1], |_| true, &[1, 2]), &headers(), &location).unwrap();
        assert!(order.must_wait(), "1/2/2013 waits for a value that settles it");
        order.add(Signs::of(&rows[1..], |_| true, &[1, 2]), &headers(), &location).unwrap();
        assert_eq!(order.settled(), Some(DateOrder::Mdy));
        assert!(!order.must_wait());
        let used = order.used(&headers()).unwrap();
        assert_eq!((used.evidence.as_str(), used.column.as_deref()), ("row 3: 1/26/2013", Some("InvoiceDate")));
        assert_eq!(used.describe(), "month/day/year, inferred from row 3: 1/26/2013 (column \"InvoiceDate\")");
        let zh = crate::catalogue::Labels::of(crate::catalogue::Lang::Zh);
        assert_eq!(used.render(zh), "月/日/年，依据“InvoiceDate”列的第 3 行“1/26/2013”推断");
    }

    #[test]
    fn values_for_both_orders_are_an_error_naming_both_rows() {
        let headers = headers();
        let location = Location::file("ar.csv");
        let mut order = Inference::new(None, None);
        let rows = [row(7, &["A", "1/26/2013", ""]), row(12, &["B", "26/01/2013", ""])];
        let err = order.add(Signs::of(&rows, |_| true, &[1, 2]), &headers, &location).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ar.csv: column \"InvoiceDate\": row 7 \"1/26/2013\" is month/day/year but row 12 \"26/01/2013\" is \
             day/month/year; set --date-order (or date_order under [input] in the rules file) to the order of the file"
        );
        let mut order = Inference::new(None, None);
        let rows = [row(7, &["A", "1/2/2013", "26/2/2013"]), row(9, &["B", "1/13/2013", "2/14/2013"])];
        let err = order.add(Signs::of(&rows, |_| true, &[1, 2]), &headers, &location).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "ar.csv: column \"DueDate\" row 7 \"26/2/2013\" is day/month/year but column \"InvoiceDate\" row 9 \
                 \"1/13/2013\" is month/day/year;"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_set_order_wins_and_a_preset_order_waits_for_the_values() {
        let rows = [row(2, &["A", "1/2/2013", ""]), row(3, &["B", "13/2/2013", ""])];
        let set = Inference::new(Some((DateOrder::Mdy, Reason::text("--date-order"))), None);
        assert!(!set.infers());
        assert_eq!(set.used(&headers()).unwrap().evidence, "--date-order");
        let quickbooks = Reason::new("preset", vec![("name", "quickbooks".into())]);
        let mut preset = Inference::new(None, Some((DateOrder::Mdy, quickbooks)));
        preset.add(Signs::of(&rows[..1], |_| true, &[1]), &headers(), &Location::file("x")).unwrap();
        assert!(preset.must_wait());
        assert_eq!(preset.last(), Some(DateOrder::Mdy));
        let used = preset.used(&headers()).unwrap();
        assert_eq!(used.evidence, "preset quickbooks");
        let zh = crate::catalogue::Labels::of(crate::catalogue::Lang::Zh);
        assert_eq!(used.render(zh), "月/日/年，由 预设格式 quickbooks 设定");
        preset.add(Signs::of(&rows[1..], |_| true, &[1]), &headers(), &Location::file("x")).unwrap();
        assert_eq!(preset.last(), Some(DateOrder::Dmy), "the file's own value wins over the preset's habit");
        let mut none = Inference::new(None, None);
        none.add(Signs::of(&rows[..1], |_| true, &[1]), &headers(), &Location::file("x")).unwrap();
        assert_eq!((none.last(), none.used(&headers())), (None, None));
        let skipped = Signs::of(&rows[1..], |_| false, &[1]);
        assert_eq!(skipped, Signs::default(), "lines that are not invoices say nothing");
    }
}
