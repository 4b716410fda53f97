//! Aging: the invoice frame in, open items with their days and bucket plus totals per
//! currency and per customer out. The day arithmetic and grouping run as polars lazy plans;
//! sums are over integer minor units, so they are exact.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::spec::{Basis, BucketSpec};
use crate::money::Currency;
use crate::normalize::schema::{col_name as c, epoch_days};

/// Column of the open-items frame: days past the due date (Int64; negative = not yet due).
pub const DAYS_PAST_DUE: &str = "days_past_due";
/// Column of the open-items frame: days since the invoice date (Int64).
pub const AGE_DAYS: &str = "age_days";
/// Column of the open-items frame: index into the bucket list (Int64).
pub const BUCKET: &str = "bucket";
const STATUS: &str = "status";

/// Amount and item count of one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BucketTotal {
    /// Number of open items.
    pub count: u64,
    /// Sum of open amounts, minor units.
    pub amount_minor: i64,
}

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

/// Where one input's rows of one currency ended: open, closed or future-dated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceFigures {
    /// Open items (in the report).
    pub open: BucketTotal,
    /// Zero-balance rows.
    pub closed: BucketTotal,
    /// Rows invoiced after the as-of date.
    pub future_dated: BucketTotal,
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

/// Ages `invoices` (the frame of `normalize::schema::invoice_frame`) as of `as_of`.
///
/// Invoices dated after `as_of` are future-dated and left out; of the rest, those with a
/// zero open amount are closed and left out; everything else is an open item.
///
/// # Errors
/// Polars errors, which would be a bug.
pub fn age(
    invoices: DataFrame,
    as_of: NaiveDate,
    basis: Basis,
    buckets: &[BucketSpec],
    default_currency: &Currency,
) -> PolarsResult<Aging> {
    let today = lit(i64::from(epoch_days(as_of)));
    let days_since = |name: &str| today.clone() - col(name).cast(DataType::Int32).cast(DataType::Int64);
    let flagged = invoices
        .lazy()
        .with_columns([days_since(c::DUE_DATE).alias(DAYS_PAST_DUE), days_since(c::INVOICE_DATE).alias(AGE_DAYS)])
        .with_column(
            when(col(AGE_DAYS).lt(lit(0i64)))
                .then(lit("future_dated"))
                .when(col(c::OPEN_MINOR).eq(lit(0i64)))
                .then(lit("closed"))
                .otherwise(lit("open"))
                .alias(STATUS),
        )
        .collect()?;
    let by_source = source_figures(&flagged)?;
    let closed = by_source.values().map(|f| f.closed.count).sum::<u64>();
    let future_dated = by_source.values().map(|f| f.future_dated.count).sum::<u64>();
    let (closed, future_dated) = (usize::try_from(closed).unwrap_or(0), usize::try_from(future_dated).unwrap_or(0));
    let day_column = match basis {
        Basis::DueDate => DAYS_PAST_DUE,
        Basis::InvoiceDate => AGE_DAYS,
    };
    let open_items = flagged
        .lazy()
        .filter(col(STATUS).eq(lit("open")))
        .drop(cols([STATUS]))
        .with_column(bucket_expr(&col(day_column), buckets).alias(BUCKET))
        .sort(
            [c::CUSTOMER, c::CURRENCY, c::DUE_DATE, c::INVOICE_NO, c::SOURCE_ROW],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()?;

    let grouped = open_items
        .clone()
        .lazy()
        .group_by([col(c::CUSTOMER), col(c::CURRENCY), col(BUCKET)])
        .agg([
            len().cast(DataType::Int64).alias("count"),
            col(c::OPEN_MINOR).sum().alias("amount"),
            col(c::OPEN_MINOR).filter(col(DAYS_PAST_DUE).gt(lit(0i64))).sum().alias("overdue_amount"),
            col(c::OPEN_MINOR)
                .filter(col(DAYS_PAST_DUE).gt(lit(0i64)))
                .len()
                .cast(DataType::Int64)
                .alias("overdue_count"),
        ])
        .collect()?;
    let (currencies, customers) = assemble(&grouped, buckets.len(), default_currency)?;
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

/// Count and open amount per input, currency and status.
fn source_figures(flagged: &DataFrame) -> PolarsResult<BTreeMap<(usize, String), SourceFigures>> {
    let grouped = flagged
        .clone()
        .lazy()
        .group_by([col(c::SOURCE), col(c::CURRENCY), col(STATUS)])
        .agg([len().cast(DataType::Int64).alias("count"), col(c::OPEN_MINOR).sum().alias("amount")])
        .collect()?;
    let mut figures: BTreeMap<(usize, String), SourceFigures> = BTreeMap::new();
    let (source, currency, status) =
        (ints(&grouped, c::SOURCE)?, strings(&grouped, c::CURRENCY)?, strings(&grouped, STATUS)?);
    let (count, amount) = (ints(&grouped, "count")?, ints(&grouped, "amount")?);
    for i in 0..grouped.height() {
        let entry = figures.entry((usize::try_from(source[i]).unwrap_or(0), currency[i].clone())).or_default();
        let slot = match status[i].as_str() {
            "closed" => &mut entry.closed,
            "future_dated" => &mut entry.future_dated,
            _ => &mut entry.open,
        };
        slot.count += u64::try_from(count[i]).unwrap_or(0);
        slot.amount_minor += amount[i];
    }
    Ok(figures)
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

fn assemble(
    grouped: &DataFrame,
    n_buckets: usize,
    default_currency: &Currency,
) -> PolarsResult<(Vec<AgingTotals>, Vec<CustomerAging>)> {
    let customer = strings(grouped, c::CUSTOMER)?;
    let currency = strings(grouped, c::CURRENCY)?;
    let bucket = ints(grouped, BUCKET)?;
    let count = ints(grouped, "count")?;
    let amount = ints(grouped, "amount")?;
    let overdue_amount = ints(grouped, "overdue_amount")?;
    let overdue_count = ints(grouped, "overdue_count")?;
    let currency_key = |code: &str| (code != default_currency.code(), code.to_owned());
    let mut per_currency: BTreeMap<(bool, String), AgingTotals> = BTreeMap::new();
    let mut per_customer: BTreeMap<(bool, String, String), AgingTotals> = BTreeMap::new();
    for i in 0..grouped.height() {
        let code =
            Currency::parse(&currency[i]).ok_or_else(|| polars_err!(ComputeError: "bad currency {}", currency[i]))?;
        let b = usize::try_from(bucket[i]).unwrap_or(0);
        let add = |t: &mut AgingTotals| {
            t.buckets[b].count += u64::try_from(count[i]).unwrap_or(0);
            t.buckets[b].amount_minor += amount[i];
            t.overdue.count += u64::try_from(overdue_count[i]).unwrap_or(0);
            t.overdue.amount_minor += overdue_amount[i];
        };
        let (flag, code_text) = currency_key(&currency[i]);
        add(per_currency.entry((flag, code_text.clone())).or_insert_with(|| AgingTotals::new(code.clone(), n_buckets)));
        add(per_customer
            .entry((flag, code_text, customer[i].clone()))
            .or_insert_with(|| AgingTotals::new(code, n_buckets)));
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
