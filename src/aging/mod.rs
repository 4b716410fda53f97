//! Aging: the invoice frame in, open items with their days and bucket plus totals per
//! currency and per customer out. The day and bucket arithmetic runs as a polars lazy
//! plan, the totals in one pass over the sorted items; sums are over integer minor units,
//! so they are exact.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::config::rules_file::{Basis, BucketSpec};
use crate::money::Currency;
use crate::normalize::Invoice;
use frame::{col_name as c, epoch_days, invoice_frame};

/// Column of the open-items frame: days past the due date (`Int32`; negative = not yet due).
pub const DAYS_PAST_DUE: &str = "days_past_due";
/// Column of the open-items frame: days since the invoice date (`Int32`).
pub const AGE_DAYS: &str = "age_days";
/// Column of the open-items frame: index into the bucket list (`Int32`).
pub const BUCKET: &str = "bucket";

pub mod frame;
pub mod items;

pub use crate::ledger::control::{BucketTotal, SourceFigures};

/// Totals of one currency (or one customer in one currency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingTotals {
    /// The currency.
    pub currency: Currency,
    /// One entry per bucket, in bucket order.
    pub buckets: Vec<BucketTotal>,
    /// Open items past their due date.
    pub overdue: BucketTotal,
}

impl AgingTotals {
    fn new(currency: Currency, buckets: usize) -> Self {
        Self { currency, buckets: vec![BucketTotal::default(); buckets], overdue: BucketTotal::default() }
    }

    /// Adds `other`'s counts and amounts, bucket by bucket.
    fn add(&mut self, other: &Self) {
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            mine.count += theirs.count;
            mine.amount_minor += theirs.amount_minor;
        }
        self.overdue.count += other.overdue.count;
        self.overdue.amount_minor += other.overdue.amount_minor;
    }

    /// Sum over all buckets.
    #[must_use]
    pub fn total(&self) -> BucketTotal {
        self.buckets.iter().fold(BucketTotal::default(), |acc, b| BucketTotal {
            count: acc.count + b.count,
            amount_minor: acc.amount_minor + b.amount_minor,
        })
    }
}

/// One customer's totals in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAging {
    /// Customer name.
    pub customer: String,
    /// Bucket and overdue totals.
    pub totals: AgingTotals,
}

/// The result of aging all invoices as of a date.
#[derive(Debug, Clone)]
pub struct Aging {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Which date the buckets count from.
    pub basis: Basis,
    /// The buckets.
    pub buckets: Vec<BucketSpec>,
    /// Open items: the invoice frame's columns plus [`DAYS_PAST_DUE`], [`AGE_DAYS`] and
    /// [`BUCKET`], sorted by customer, currency, due date, invoice number, source row.
    pub open_items: DataFrame,
    /// Rows with a zero open amount.
    pub closed: usize,
    /// Rows invoiced after the as-of date.
    pub future_dated: usize,
    /// Totals per currency: `default_currency` first, then by code.
    pub currencies: Vec<AgingTotals>,
    /// Per customer and currency, same currency order, then by overdue amount (largest
    /// first), total, name.
    pub customers: Vec<CustomerAging>,
    /// Per (input index, currency code): where the rows went, summed by polars, for the
    /// control totals.
    pub by_source: BTreeMap<(usize, String), SourceFigures>,
}

/// Where an invoice stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Closed,
    FutureDated,
}

impl Status {
    fn of(invoice: &Invoice, as_of: NaiveDate) -> Self {
        if invoice.invoice_date > as_of {
            Self::FutureDated
        } else if invoice.open_minor == 0 {
            Self::Closed
        } else {
            Self::Open
        }
    }
}

/// What the open items are sorted by: customer, currency, due date, then invoice number
/// and source row (texts by their bytes, as polars sorts them). The customer is its rank
/// among the distinct names, so that most comparisons are of integers held side by side
/// instead of texts reached through each invoice.
struct SortKey {
    customer: u32,
    currency: Currency,
    due: NaiveDate,
    row: u32,
}

/// Each customer name's rank in byte order, by the address of its shared text (equal
/// texts in different `Arc`s get the same rank).
fn customer_ranks(invoices: &[Invoice]) -> hashbrown::HashMap<*const u8, u32> {
    let mut distinct: hashbrown::HashMap<*const u8, &str> = hashbrown::HashMap::new();
    for invoice in invoices {
        distinct.entry(invoice.customer.as_ptr()).or_insert(&invoice.customer);
    }
    let mut names: Vec<(&str, *const u8)> = distinct.into_iter().map(|(at, name)| (name, at)).collect();
    names.sort_unstable();
    let mut ranks = hashbrown::HashMap::with_capacity(names.len());
    let mut rank = 0u32;
    for (k, (name, at)) in names.iter().enumerate() {
        if k > 0 && names[k - 1].0 != *name {
            rank += 1;
        }
        ranks.insert(*at, rank);
    }
    ranks
}

/// Ages `invoices` as of `as_of`.
///
/// Invoices dated after `as_of` are future-dated and left out; of the rest, those with a
/// zero open amount are closed and left out; everything else is an open item.
///
/// The open rows are picked and sorted as keys (a stable parallel sort, so equal keys
/// keep the input order), and only they become the frame: no frame of every invoice, no
/// sorted copy of it. Days and buckets are a polars plan over that frame.
///
/// # Errors
/// Polars errors, which would be a bug; more than `u32::MAX` invoices.
pub fn age(
    invoices: &[Invoice],
    as_of: NaiveDate,
    basis: Basis,
    buckets: &[BucketSpec],
    default_currency: &Currency,
) -> PolarsResult<Aging> {
    use rayon::prelude::*;
    let mut figures: Vec<((usize, Currency), SourceFigures)> = Vec::new();
    let ranks = customer_ranks(invoices);
    let mut open: Vec<SortKey> = Vec::with_capacity(invoices.len());
    let (mut closed, mut future_dated) = (0, 0);
    for (row, invoice) in invoices.iter().enumerate() {
        let status = Status::of(invoice, as_of);
        let key = (invoice.source, invoice.currency.clone());
        // Inputs × currencies: a handful, usually the last one again.
        let at = if let Some(at) = figures.iter().rposition(|(k, _)| *k == key) {
            at
        } else {
            figures.push((key, SourceFigures::default()));
            figures.len() - 1
        };
        let figure = &mut figures[at].1;
        let slot = match status {
            Status::Open => {
                let row = u32::try_from(row).map_err(|_| polars_err!(ComputeError: "too many invoices to age"))?;
                let customer = ranks.get(&invoice.customer.as_ptr()).copied().unwrap_or_default();
                open.push(SortKey { customer, currency: invoice.currency.clone(), due: invoice.due_date, row });
                &mut figure.open
            }
            Status::Closed => {
                closed += 1;
                &mut figure.closed
            }
            Status::FutureDated => {
                future_dated += 1;
                &mut figure.future_dated
            }
        };
        slot.count += 1;
        slot.amount_minor += invoice.open_minor;
    }
    let by_source =
        figures.into_iter().map(|((source, currency), f)| ((source, currency.code().to_owned()), f)).collect();
    open.par_sort_by(|a, b| {
        let (x, y) = (&invoices[a.row as usize], &invoices[b.row as usize]);
        (&a.customer, &a.currency, &a.due)
            .cmp(&(&b.customer, &b.currency, &b.due))
            .then_with(|| (x.invoice_no.as_str(), x.source_row).cmp(&(y.invoice_no.as_str(), y.source_row)))
    });
    let rows: Vec<u32> = open.into_iter().map(|key| key.row).collect();
    let frame = invoice_frame(invoices, &rows)?;
    drop(rows);

    let today = lit(epoch_days(as_of));
    // Day counts and bucket numbers fit 32 bits: 4 bytes an item each, not 8.
    let days_since = |name: &str| (today.clone() - col(name).cast(DataType::Int32)).cast(DataType::Int32);
    let day_column = match basis {
        Basis::DueDate => DAYS_PAST_DUE,
        Basis::InvoiceDate => AGE_DAYS,
    };
    let mut open_items = frame
        .lazy()
        .with_columns([days_since(c::DUE_DATE).alias(DAYS_PAST_DUE), days_since(c::INVOICE_DATE).alias(AGE_DAYS)])
        .with_column(bucket_expr(&col(day_column), buckets).cast(DataType::Int32).alias(BUCKET))
        .collect()?;
    // One chunk per column: the engine reads the items from the columns in place.
    open_items.rechunk_mut_par();

    let (currencies, customers) = totals(&open_items, buckets.len(), default_currency)?;
    Ok(Aging {
        as_of,
        basis,
        buckets: buckets.to_vec(),
        open_items,
        closed,
        future_dated,
        currencies,
        customers,
        by_source,
    })
}

/// Nested when/then over the contiguous buckets: the first whose `max_days` is not
/// exceeded.
fn bucket_expr(days: &Expr, buckets: &[BucketSpec]) -> Expr {
    let last = i64::try_from(buckets.len().saturating_sub(1)).unwrap_or(0);
    let mut expr = lit(last);
    for (i, bucket) in buckets.iter().enumerate().rev() {
        if let Some(max) = bucket.max_days {
            expr = when(days.clone().lt_eq(lit(max))).then(lit(i64::try_from(i).unwrap_or(0))).otherwise(expr);
        }
    }
    expr
}

/// The totals per currency and per customer and currency, in one pass over the open
/// items: they are sorted by customer and currency, so each pair's items come in one run
/// and are summed there, without hashing ten million keys (the polars group-by
/// this replaced held 700 MB more at its peak for 10M items). A pair met in two runs
/// would still be summed once.
fn totals(
    open_items: &DataFrame,
    n_buckets: usize,
    default_currency: &Currency,
) -> PolarsResult<(Vec<AgingTotals>, Vec<CustomerAging>)> {
    use items::{one_chunk, values};
    let customer = one_chunk(open_items.column(c::CUSTOMER)?.str()?)?;
    let currency = one_chunk(open_items.column(c::CURRENCY)?.str()?)?;
    let bucket = values(open_items.column(BUCKET)?.i32()?)?;
    let open = values(open_items.column(c::OPEN_MINOR)?.i64()?)?;
    let days = values(open_items.column(DAYS_PAST_DUE)?.i32()?)?;
    let currency_key = |code: &str| (code != default_currency.code(), code.to_owned());
    let mut per_currency: BTreeMap<(bool, String), AgingTotals> = BTreeMap::new();
    let mut per_customer: BTreeMap<(bool, String, String), AgingTotals> = BTreeMap::new();
    let mut flush = |(name, code): (&str, &str), run: &AgingTotals| {
        let (flag, code) = currency_key(code);
        let fresh = || AgingTotals::new(run.currency.clone(), n_buckets);
        per_currency.entry((flag, code.clone())).or_insert_with(fresh).add(run);
        per_customer.entry((flag, code, name.to_owned())).or_insert_with(fresh).add(run);
    };
    let mut run: Option<((&str, &str), AgingTotals)> = None;
    for i in 0..open.len() {
        let key = (customer.value(i), currency.value(i));
        let totals = match &mut run {
            Some((at, totals)) if *at == key => totals,
            _ => {
                if let Some((at, totals)) = &run {
                    flush(*at, totals);
                }
                let code = Currency::parse(key.1).ok_or_else(|| polars_err!(ComputeError: "bad currency {}", key.1))?;
                &mut run.insert((key, AgingTotals::new(code, n_buckets))).1
            }
        };
        let slot = usize::try_from(bucket[i]).ok().and_then(|b| totals.buckets.get_mut(b));
        let Some(slot) = slot else { polars_bail!(ComputeError: "bucket {} out of range", bucket[i]) };
        slot.count += 1;
        slot.amount_minor += open[i];
        // Overdue = owed past its due date: a credit note (or an overpaid invoice) is never
        // overdue, whatever its date; it still counts in its bucket's total.
        if days[i] > 0 && open[i] > 0 {
            totals.overdue.count += 1;
            totals.overdue.amount_minor += open[i];
        }
    }
    if let Some((at, totals)) = &run {
        flush(*at, totals);
    }
    let mut customers: Vec<CustomerAging> =
        per_customer.into_iter().map(|((_, _, customer), totals)| CustomerAging { customer, totals }).collect();
    let order = |c: &CustomerAging| currency_key(c.totals.currency.code());
    customers.sort_by(|a, b| {
        order(a)
            .cmp(&order(b))
            .then(b.totals.overdue.amount_minor.cmp(&a.totals.overdue.amount_minor))
            .then(b.totals.total().amount_minor.cmp(&a.totals.total().amount_minor))
            .then(a.customer.cmp(&b.customer))
    });
    Ok((per_currency.into_values().collect(), customers))
}

/// A string column as owned values (nulls as empty text).
///
/// # Errors
/// When the column is missing or not text.
pub fn strings(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(df.column(name)?.str()?.iter().map(|v| v.unwrap_or_default().to_owned()).collect())
}

/// An integer column as i64 values (nulls as 0).
///
/// # Errors
/// When the column is missing or not numeric.
pub fn ints(df: &DataFrame, name: &str) -> PolarsResult<Vec<i64>> {
    let column = df.column(name)?.cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().map(Option::unwrap_or_default).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn invoice(customer: &str, no: &str, currency: &str, due: &str, open: i64, source: usize, row: usize) -> Invoice {
        Invoice {
            customer: customer.into(),
            invoice_no: no.into(),
            invoice_date: date("2026-01-10"),
            due_date: date(due),
            currency: Currency::parse(currency).unwrap(),
            amount_minor: 100_000,
            open_minor: open,
            project: None,
            contract_no: None,
            project_manager: None,
            paid_date: None,
            source_row: row,
            source,
            due_assumed: false,
            lines: None,
        }
    }

    fn buckets() -> Vec<BucketSpec> {
        let bucket = |label: &str, min_days, max_days| BucketSpec { label: label.into(), min_days, max_days };
        vec![bucket("current", None, Some(0)), bucket("1-30", Some(1), Some(30)), bucket("31+", Some(31), None)]
    }

    #[test]
    fn open_rows_are_sorted_stably_and_the_rest_counted_per_input() {
        let mut future = invoice("Beta", "F-1", "CNY", "2026-12-31", 500, 0, 9);
        future.invoice_date = date("2026-12-01");
        let invoices = vec![
            invoice("Beta", "B-2", "CNY", "2026-11-01", 1_000, 0, 2),
            invoice("Alpha", "A-9", "USD", "2026-10-01", 2_000, 0, 3),
            invoice("Beta", "B-1", "CNY", "2026-11-01", 3_000, 0, 4),
            invoice("Alpha", "A-1", "CNY", "2026-12-15", 4_000, 0, 5),
            invoice("Beta", "B-3", "CNY", "2026-11-01", 0, 0, 6),
            future,
            // The same key in a second input: kept after the first input's row.
            invoice("Beta", "B-1", "CNY", "2026-11-01", 7_000, 1, 4),
            // "Ä" sorts after "B" by its bytes, as polars sorts text.
            invoice("Älter", "X-1", "CNY", "2026-11-01", 8_000, 1, 2),
        ];
        let cny = Currency::parse("CNY").unwrap();
        let aging = age(&invoices, date("2026-11-30"), Basis::DueDate, &buckets(), &cny).unwrap();
        let items = &aging.open_items;
        let texts = |name| strings(items, name).unwrap();
        assert_eq!(texts(c::INVOICE_NO), ["A-1", "A-9", "B-1", "B-1", "B-2", "X-1"]);
        assert_eq!(ints(items, c::SOURCE).unwrap(), [0, 0, 0, 1, 0, 1]);
        assert_eq!(ints(items, c::OPEN_MINOR).unwrap(), [4_000, 2_000, 3_000, 7_000, 1_000, 8_000]);
        assert_eq!(ints(items, DAYS_PAST_DUE).unwrap(), [-15, 60, 29, 29, 29, 29]);
        assert_eq!(ints(items, AGE_DAYS).unwrap(), [324; 6]);
        assert_eq!(ints(items, BUCKET).unwrap(), [0, 2, 1, 1, 1, 1]);
        assert_eq!((aging.closed, aging.future_dated), (1, 1));
        let figures = &aging.by_source[&(0, "CNY".to_owned())];
        assert_eq!(figures.open, BucketTotal { count: 3, amount_minor: 8_000 });
        assert_eq!(figures.closed, BucketTotal { count: 1, amount_minor: 0 });
        assert_eq!(figures.future_dated, BucketTotal { count: 1, amount_minor: 500 });
        assert_eq!(aging.by_source[&(0, "USD".to_owned())].open, BucketTotal { count: 1, amount_minor: 2_000 });
        assert_eq!(aging.by_source[&(1, "CNY".to_owned())].open, BucketTotal { count: 2, amount_minor: 15_000 });
        // Totals: CNY first (the default currency), overdue = past the due date.
        let cny_totals = &aging.currencies[0];
        assert_eq!(cny_totals.total(), BucketTotal { count: 5, amount_minor: 23_000 });
        assert_eq!(cny_totals.overdue, BucketTotal { count: 4, amount_minor: 19_000 });
        // Per customer: CNY first, by overdue amount; Beta's three CNY items in one line.
        let lines: Vec<(&str, &str, i64, i64, u64)> = aging
            .customers
            .iter()
            .map(|c| {
                let t = &c.totals;
                (
                    c.customer.as_str(),
                    t.currency.code(),
                    t.overdue.amount_minor,
                    t.total().amount_minor,
                    t.total().count,
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("Beta", "CNY", 11_000, 11_000, 3),
                ("Älter", "CNY", 8_000, 8_000, 1),
                ("Alpha", "CNY", 0, 4_000, 1),
                ("Alpha", "USD", 2_000, 2_000, 1)
            ]
        );
        assert_eq!(aging.customers[0].totals.buckets[1], BucketTotal { count: 3, amount_minor: 11_000 });
    }
}
