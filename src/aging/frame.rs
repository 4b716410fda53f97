//! The open items as a polars frame: the one place where the domain's invoices become
//! frame columns (and, in [`super::items`], are read back). No other module builds a frame
//! or reaches into polars-arrow.
use std::sync::Arc;

use polars::prelude::*;

use crate::normalize::Invoice;

/// Column names of the invoice frame.
pub mod col_name {
    /// Customer name.
    pub const CUSTOMER: &str = "customer";
    /// Invoice number.
    pub const INVOICE_NO: &str = "invoice_no";
    /// Invoice date (Date).
    pub const INVOICE_DATE: &str = "invoice_date";
    /// Due date (Date).
    pub const DUE_DATE: &str = "due_date";
    /// Currency code.
    pub const CURRENCY: &str = "currency";
    /// Invoice amount in minor units (Int64).
    pub const AMOUNT_MINOR: &str = "amount_minor";
    /// Open amount in minor units (Int64).
    pub const OPEN_MINOR: &str = "open_minor";
    /// Project (nullable).
    pub const PROJECT: &str = "project";
    /// Contract number (nullable).
    pub const CONTRACT_NO: &str = "contract_no";
    /// Project manager (nullable).
    pub const PROJECT_MANAGER: &str = "project_manager";
    /// Paid date (nullable Date).
    pub const PAID_DATE: &str = "paid_date";
    /// Source row number (`UInt32`: the input limits allow far fewer rows).
    pub const SOURCE_ROW: &str = "source_row";
    /// Index of the input file (`UInt32`).
    pub const SOURCE: &str = "source";
    /// The due date was assumed from the default term (Boolean).
    pub const DUE_ASSUMED: &str = "due_assumed";
    /// Source lines the item was summed from (`UInt32`, 1 for most).
    pub const LINES: &str = "lines";
    /// The source rows of an item of several lines, e.g. `12, 13, 15` (null for one line).
    pub const LINE_ROWS: &str = "line_rows";
}

/// Builds the typed invoice frame of the invoices at `rows`, in that order (the aging
/// passes its open rows, sorted). One pass over the rows fills every column's builder: no
/// copy of the invoices, no per-column list of borrowed texts.
///
/// # Errors
/// Only polars construction errors, which would be a bug.
pub fn invoice_frame(invoices: &[Invoice], rows: &[u32]) -> PolarsResult<DataFrame> {
    use col_name as c;
    let n = rows.len();
    let text = |name: &str| StringChunkedBuilder::new(name.into(), n);
    let (mut invoice_no, mut currency) = (text(c::INVOICE_NO), text(c::CURRENCY));
    // The names' dictionaries come from a pass in the invoices' own order (memory order);
    // the rows are then visited once each, in `rows` order.
    let names =
        |name: &'static str, of: fn(&Invoice) -> Option<&Arc<str>>| SharedText::new(name, n, invoices.iter().map(of));
    let mut customer = names(c::CUSTOMER, |i| Some(&i.customer));
    let mut project = names(c::PROJECT, |i| i.project.as_ref());
    let mut contract = names(c::CONTRACT_NO, |i| i.contract_no.as_ref());
    let mut manager = names(c::PROJECT_MANAGER, |i| i.project_manager.as_ref());
    let (mut issued, mut due, mut paid) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut amount, mut open) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut source_row, mut source, mut assumed) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut lines, mut line_rows) = (Vec::with_capacity(n), text(c::LINE_ROWS));
    for &row in rows {
        let i = &invoices[row as usize];
        customer.push(Some(&i.customer));
        invoice_no.append_value(&i.invoice_no);
        issued.push(epoch_days(i.invoice_date));
        due.push(epoch_days(i.due_date));
        currency.append_value(i.currency.code());
        amount.push(i.amount_minor);
        open.push(i.open_minor);
        project.push(i.project.as_ref());
        contract.push(i.contract_no.as_ref());
        manager.push(i.project_manager.as_ref());
        paid.push(i.paid_date.map(epoch_days));
        source_row.push(u32::try_from(i.source_row).unwrap_or(u32::MAX));
        source.push(u32::try_from(i.source).unwrap_or(u32::MAX));
        assumed.push(i.due_assumed);
        lines.push(u32::try_from(i.line_count()).unwrap_or(u32::MAX));
        match &i.lines {
            Some(l) => line_rows.append_value(l.rows.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
            None => line_rows.append_null(),
        }
    }
    let date = |name: &str, days: Vec<i32>| Column::new(name.into(), days).cast(&DataType::Date);
    DataFrame::new(
        n,
        vec![
            customer.finish(),
            invoice_no.finish().into_column(),
            date(c::INVOICE_DATE, issued)?,
            date(c::DUE_DATE, due)?,
            currency.finish().into_column(),
            Column::new(c::AMOUNT_MINOR.into(), amount),
            Column::new(c::OPEN_MINOR.into(), open),
            project.finish(),
            contract.finish(),
            manager.finish(),
            Column::new(c::PAID_DATE.into(), paid).cast(&DataType::Date)?,
            Column::new(c::SOURCE_ROW.into(), source_row),
            Column::new(c::SOURCE.into(), source),
            Column::new(c::DUE_ASSUMED.into(), assumed),
            Column::new(c::LINES.into(), lines),
            line_rows.finish().into_column(),
        ],
    )
}

/// A text column of shared names (see `normalize::names`) being built. The bytes of each
/// distinct name longer than a view's inline 12 are stored once, in one buffer, and every
/// row holds a 16-byte view of them: a customer's name is not copied into each of its ~50
/// rows. Equal texts held in different `Arc`s (several inputs) are stored once
/// per `Arc`.
enum SharedText {
    /// Views into the distinct names, found by their `Arc`'s address.
    Shared {
        name: &'static str,
        position: hashbrown::HashMap<*const u8, usize>,
        names: polars_arrow::array::Utf8ViewArray,
        array: polars_arrow::array::MutableBinaryViewArray<str>,
    },
    /// Past 32-bit offsets for the distinct names: each row's bytes copied.
    Copied(StringChunkedBuilder),
}

impl SharedText {
    /// A column of `n` rows whose names are among `all`.
    fn new<'a>(name: &'static str, n: usize, all: impl Iterator<Item = Option<&'a Arc<str>>>) -> Self {
        use polars_arrow::array::{MutableBinaryViewArray, View};
        let mut position: hashbrown::HashMap<*const u8, usize> = hashbrown::HashMap::new();
        let mut distinct: Vec<&str> = Vec::new();
        let mut stored = 0usize;
        for text in all.flatten().filter(|t| t.len() > View::MAX_INLINE_SIZE as usize) {
            position.entry(text.as_ptr()).or_insert_with(|| {
                distinct.push(text);
                stored += text.len();
                distinct.len() - 1
            });
        }
        if u32::try_from(stored).is_err() {
            return Self::Copied(StringChunkedBuilder::new(name.into(), n));
        }
        let names = MutableBinaryViewArray::<str>::from_values_iter(distinct.into_iter()).freeze();
        Self::Shared { name, position, names, array: MutableBinaryViewArray::with_capacity(n) }
    }

    /// Appends the next row's name.
    fn push(&mut self, value: Option<&Arc<str>>) {
        use polars_arrow::array::View;
        match self {
            Self::Copied(builder) => builder.append_option(value.map(|t| &**t)),
            Self::Shared { position, names, array, .. } => match value {
                None => array.push_null(),
                Some(text) if text.len() <= View::MAX_INLINE_SIZE as usize => {
                    array.push_view(View::new_inline(text.as_bytes()), names.data_buffers());
                }
                Some(text) => match position.get(&text.as_ptr()) {
                    Some(&at) => array.push_view(names.views()[at], names.data_buffers()),
                    // Not among the names given to `new`: its own copy.
                    None => array.push_value(&**text),
                },
            },
        }
    }

    /// The column.
    fn finish(self) -> Column {
        match self {
            Self::Copied(builder) => builder.finish().into_column(),
            Self::Shared { name, array, .. } => StringChunked::with_chunk(name.into(), array.freeze()).into_column(),
        }
    }
}

/// Days since 1970-01-01, polars' Date representation.
#[must_use]
pub fn epoch_days(date: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}

/// The date of a polars Date value.
#[must_use]
pub fn from_epoch_days(days: i32) -> chrono::NaiveDate {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_names_are_stored_once_and_read_back_in_row_order() {
        let long: Arc<str> = Arc::from("成都能源002005有限公司");
        let other: Arc<str> = Arc::from("Oceanic 015413 GmbH");
        let short: Arc<str> = Arc::from("ACME");
        let unused: Arc<str> = Arc::from("Not in any row of this column");
        let rows = [Some(&long), None, Some(&other), Some(&long), Some(&short), Some(&long), Some(&other)];
        let build = |mut column: SharedText| {
            for value in rows {
                column.push(value);
            }
            column.finish()
        };
        let all = [Some(&unused), None, Some(&other), Some(&short), Some(&long)];
        let column = build(SharedText::new("customer", rows.len(), all.into_iter()));
        let values: Vec<Option<&str>> = column.str().unwrap().iter().collect();
        assert_eq!(
            values,
            [Some(&*long), None, Some(&*other), Some(&*long), Some("ACME"), Some(&*long), Some(&*other)]
        );
        // Each long name's bytes once; the short one lives in its view.
        let array = column.str().unwrap().downcast_iter().next().unwrap().clone();
        assert_eq!(array.total_buffer_len(), unused.len() + other.len() + long.len());
        let copied = build(SharedText::Copied(StringChunkedBuilder::new("customer".into(), rows.len())));
        assert_eq!(copied.str().unwrap().iter().collect::<Vec<_>>(), values);
        let copied = copied.str().unwrap().downcast_iter().next().unwrap().total_buffer_len();
        assert_eq!(copied, 3 * long.len() + 2 * other.len());
    }
}
