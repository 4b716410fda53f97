//! The columns no field is read from, and what their values look like: `check` lists
//! those holding amounts or dates (a finance user wants to know that a money column was
//! not used), and a run stops when one of them looks like the amount still open while no
//! open or paid amount is read. The values are sampled from the first data rows.
use super::header_words;
use super::value::{self, ValueFormat};
use crate::ingest::{Cell, RawRow, RawTable};

/// Data rows whose values are sampled.
pub const SAMPLE_ROWS: usize = 1_000;

/// Share of a column's non-empty sampled values that must read as amounts (or dates) for
/// the column to be said to hold them.
const MOSTLY: f64 = 0.9;

/// What an unread column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// Money amounts.
    Amounts,
    /// Dates.
    Dates,
}

impl Holds {
    /// `amounts` / `dates`.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Self::Amounts => "amounts",
            Self::Dates => "dates",
        }
    }
}

/// A column no field is read from that holds amounts or dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadColumn {
    /// Its header.
    pub header: String,
    /// What its values are.
    pub holds: Holds,
}

/// Counts over the sampled values of one unread column.
#[derive(Debug, Clone, Default)]
struct Counts {
    filled: usize,
    amounts: usize,
    /// Amounts written as money rather than as a count or a code: with a decimal mark,
    /// grouping or a currency sign.
    money_like: usize,
    dates: usize,
}

/// The sample being taken, row by row.
#[derive(Debug, Clone)]
pub struct Sample {
    /// (column index, counts) of each unread column.
    columns: Vec<(usize, Counts)>,
    rows: usize,
}

impl Sample {
    /// A sample of the columns at `unread`.
    #[must_use]
    pub fn new(unread: impl Iterator<Item = usize>) -> Self {
        Self { columns: unread.map(|i| (i, Counts::default())).collect(), rows: 0 }
    }

    /// Whether more rows are wanted.
    #[must_use]
    pub fn wants_more(&self) -> bool {
        self.rows < SAMPLE_ROWS && !self.columns.is_empty()
    }

    /// Adds one data row.
    pub fn add(&mut self, row: &RawRow, format: ValueFormat) {
        if !self.wants_more() {
            return;
        }
        self.rows += 1;
        for (index, counts) in &mut self.columns {
            let cell = RawTable::cell(row, *index);
            if cell.is_blank() {
                continue;
            }
            counts.filled += 1;
            if value::amount(cell, format).is_ok() {
                counts.amounts += 1;
                counts.money_like += usize::from(match cell {
                    Cell::Float(f) => f.fract() != 0.0,
                    Cell::Text(t) => t.contains(['.', ',', '¥', '￥', '$', '€', '£']),
                    _ => false,
                });
            }
            let date_text = matches!(cell, Cell::Text(_)) && date_any_order(cell, format);
            counts.dates += usize::from(matches!(cell, Cell::Date(_)) || date_text);
        }
    }

    /// The sampled columns that hold amounts or dates, in column order. A column of whole
    /// numbers (codes, counts of days) holds amounts only when its header says money.
    #[must_use]
    pub fn finish(self, headers: &[String]) -> Vec<UnreadColumn> {
        #[allow(clippy::cast_precision_loss)] // counts of at most SAMPLE_ROWS
        let mostly = |part: usize, of: usize| of > 0 && part as f64 >= MOSTLY * of as f64;
        self.columns
            .into_iter()
            .filter_map(|(index, c)| {
                let header = headers.get(index)?.clone();
                let holds = if mostly(c.dates, c.filled) {
                    Holds::Dates
                } else if mostly(c.amounts, c.filled) && (c.money_like > 0 || says_money(&header)) {
                    Holds::Amounts
                } else {
                    return None;
                };
                Some(UnreadColumn { header, holds })
            })
            .collect()
    }
}

/// Whether the cell reads as a date in any day/month order.
fn date_any_order(cell: &Cell, format: ValueFormat) -> bool {
    use crate::normalize::date_order::DateOrder;
    [None, Some(DateOrder::Dmy), Some(DateOrder::Mdy)]
        .into_iter()
        .any(|order| value::date(cell, ValueFormat { date_order: order, ..format }).is_ok())
}

/// Words of a header that name money.
const MONEY_WORDS: &[&str] = &[
    "amount",
    "balance",
    "total",
    "value",
    "limit",
    "credit",
    "debit",
    "price",
    "cost",
    "fee",
    "paid",
    "due",
    "outstanding",
    "residual",
    "remaining",
    "sum",
    "tax",
    "net",
    "gross",
];

/// Whether the header names money (`CREDIT_LIMIT`, `Tax Amt`, `金额`, `余额`).
#[must_use]
pub fn says_money(header: &str) -> bool {
    let words = header_words::words(header);
    words.iter().any(|w| MONEY_WORDS.contains(&w.as_str()))
        || ["金额", "额", "款", "价"].iter().any(|w| header.contains(w))
}

/// Words that say an amount is what is still owed.
const OPEN_WORDS: &[&str] =
    &["balance", "outstanding", "residual", "remaining", "due", "open", "unpaid", "owing", "owed", "overdue"];

/// Words that say a header is about time or a count, not an amount (`Due Date`, `Days
/// Past Due`, `Open Since`).
const NOT_AMOUNT_WORDS: &[&str] =
    &["date", "day", "days", "age", "aging", "ageing", "term", "terms", "since", "period", "status", "bucket"];

/// Whether `header` looks like the amount still open on an invoice: a word for what is
/// owed (`balance`, `outstanding`, `residual`, `remaining`, `due`, `未收`, `余额` …) and
/// none for a date or a count.
#[must_use]
pub fn looks_like_open_amount(header: &str) -> bool {
    let words = header_words::words(header);
    let owed = words.iter().any(|w| OPEN_WORDS.contains(&w.as_str()))
        || ["未收", "余额", "欠款", "未付", "未结", "未还"].iter().any(|w| header.contains(w));
    let timely = words.iter().any(|w| NOT_AMOUNT_WORDS.contains(&w.as_str()))
        || ["日期", "天", "账龄", "期限", "时间"].iter().any(|w| header.contains(w));
    owed && !timely
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_row(number: usize, cells: &[&str]) -> RawRow {
        RawRow {
            number,
            cells: cells.iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).into()) }).collect(),
        }
    }

    #[test]
    fn columns_of_amounts_and_dates_are_told_from_codes_and_counts() {
        let headers: Vec<String> =
            ["countryCode", "PaperlessDate", "CREDIT_LIMIT", "Fee", "DaysLate", "Disputed", "Paid On"]
                .iter()
                .map(|h| (*h).to_owned())
                .collect();
        let mut sample = Sample::new(0..headers.len());
        for (n, cells) in [
            ["391", "4/6/2013", "5000", "12.50", "0", "No", "2013-01-15"],
            ["406", "3/3/2012", "1000", "", "6", "Yes", "2013-02-15"],
            ["391", "1/26/2012", "5000", "3.00", "0", "No", ""],
        ]
        .iter()
        .enumerate()
        {
            sample.add(&text_row(n + 2, cells), ValueFormat::default());
        }
        let found: Vec<(String, Holds)> = sample.finish(&headers).into_iter().map(|c| (c.header, c.holds)).collect();
        assert_eq!(
            found,
            [
                ("PaperlessDate".to_owned(), Holds::Dates),
                ("CREDIT_LIMIT".to_owned(), Holds::Amounts),
                ("Fee".to_owned(), Holds::Amounts),
                ("Paid On".to_owned(), Holds::Dates),
            ]
        );
    }

    #[test]
    fn open_amount_look_alikes() {
        for header in
            ["Balance", "Outstanding value", "Amount Due", "Residual", "Remaining Amt", "未收金额", "应收余额", "Open"]
        {
            assert!(looks_like_open_amount(header), "{header}");
        }
        for header in ["Due Date", "Days Past Due", "Open Since", "Amount", "InvoiceAmount", "余额日期", "DaysLate"]
        {
            assert!(!looks_like_open_amount(header), "{header}");
        }
    }
}
