//! The open items as the engine and the emails see them: rows of the aging's frame, read in
//! place. The frame is the one copy of the open invoices; an item is made when it is
//! looked at and borrows its texts from the frame (a second, owned copy of ten
//! million items took 1.6 GB).
use chrono::NaiveDate;
use polars::prelude::{ChunkedArray, PolarsNumericType, PolarsResult, polars_bail, polars_ensure};
use polars_arrow::array::{BooleanArray, Utf8ViewArray};

use super::{AGE_DAYS, Aging, DAYS_PAST_DUE};
use crate::aging::frame::{col_name as c, from_epoch_days};
use crate::money::Currency;

/// An open invoice as the engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenItem<'a> {
    /// Customer name.
    pub customer: &'a str,
    /// Invoice number.
    pub invoice_no: &'a str,
    /// Currency.
    pub currency: &'a Currency,
    /// Open amount, minor units.
    pub open_minor: i64,
    /// Days past due (negative before the due date).
    pub days_past_due: i64,
    /// Days since the invoice date.
    pub age_days: i64,
    /// Due date.
    pub due_date: NaiveDate,
    /// Invoice date.
    pub invoice_date: NaiveDate,
    /// Invoice amount, minor units.
    pub amount_minor: i64,
    /// Contract number, if given.
    pub contract_no: Option<&'a str>,
    /// Project, if the invoice names one.
    pub project: Option<&'a str>,
    /// The due date was empty in the input and assumed from the default term.
    pub due_assumed: bool,
}

/// The open items of an aging, in its order: the frame's columns side by side.
pub struct OpenItems<'a> {
    customer: &'a Utf8ViewArray,
    invoice_no: &'a Utf8ViewArray,
    /// The distinct currencies, and each row's among them.
    currencies: Vec<Currency>,
    currency: Vec<u8>,
    open: &'a [i64],
    days: &'a [i32],
    age: &'a [i32],
    due: &'a [i32],
    invoiced: &'a [i32],
    amount: &'a [i64],
    contract: &'a Utf8ViewArray,
    project: &'a Utf8ViewArray,
    assumed: &'a BooleanArray,
}

impl<'a> OpenItems<'a> {
    /// The items of `aging`, read from its frame (one chunk per column, as the aging makes
    /// it). Each row's currency code is parsed once here.
    ///
    /// # Errors
    /// A missing or mistyped column, a column in several chunks, a code that is not a
    /// currency: all bugs.
    pub fn new(aging: &'a Aging) -> PolarsResult<Self> {
        let df = &aging.open_items;
        let text = |name: &str| -> PolarsResult<&'a Utf8ViewArray> { one_chunk(df.column(name)?.str()?) };
        let codes = text(c::CURRENCY)?;
        let mut currencies: Vec<Currency> = Vec::new();
        let mut currency = Vec::with_capacity(codes.len());
        for code in codes.values_iter() {
            // A handful of currencies, in runs: the last one again, mostly.
            let at = if let Some(at) = currencies.iter().rposition(|known| known.code() == code) {
                at
            } else {
                let Some(parsed) = Currency::parse(code) else {
                    polars_bail!(ComputeError: "the aging holds a currency code {code:?} that is not one");
                };
                currencies.push(parsed);
                currencies.len() - 1
            };
            currency.push(
                u8::try_from(at).map_err(|_| polars::prelude::polars_err!(ComputeError: "more than 256 currencies"))?,
            );
        }
        let date = |name: &str| -> PolarsResult<&'a [i32]> { values(df.column(name)?.date()?.physical()) };
        let items = Self {
            customer: text(c::CUSTOMER)?,
            invoice_no: text(c::INVOICE_NO)?,
            currencies,
            currency,
            open: values(df.column(c::OPEN_MINOR)?.i64()?)?,
            days: values(df.column(DAYS_PAST_DUE)?.i32()?)?,
            age: values(df.column(AGE_DAYS)?.i32()?)?,
            due: date(c::DUE_DATE)?,
            invoiced: date(c::INVOICE_DATE)?,
            amount: values(df.column(c::AMOUNT_MINOR)?.i64()?)?,
            contract: text(c::CONTRACT_NO)?,
            project: text(c::PROJECT)?,
            assumed: one_chunk(df.column(c::DUE_ASSUMED)?.bool()?)?,
        };
        let n = df.height();
        let lengths = [items.customer.len(), items.invoice_no.len(), items.open.len(), items.days.len()];
        let more = [items.age.len(), items.due.len(), items.invoiced.len(), items.amount.len()];
        let rest = [items.contract.len(), items.project.len(), items.assumed.len()];
        polars_ensure!(
            lengths.iter().chain(&more).chain(&rest).all(|&len| len == n),
            ComputeError: "the aging's columns differ in length"
        );
        Ok(items)
    }

    /// How many items there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// The customer and invoice number of the item at `i`.
    ///
    /// # Panics
    /// When `i` is not below [`Self::len`].
    #[must_use]
    pub fn key(&self, i: usize) -> (&'a str, &'a str) {
        (self.customer.value(i), self.invoice_no.value(i))
    }

    /// The customer and currency code of the item at `i`: the group it is decided in.
    ///
    /// # Panics
    /// When `i` is not below [`Self::len`].
    #[must_use]
    pub fn group_key(&self, i: usize) -> (&'a str, &str) {
        (self.customer.value(i), self.currencies[usize::from(self.currency[i])].code())
    }

    /// The item at `i`.
    ///
    /// # Panics
    /// When `i` is not below [`Self::len`].
    #[must_use]
    pub fn get(&self, i: usize) -> OpenItem<'_> {
        OpenItem {
            customer: self.customer.value(i),
            invoice_no: self.invoice_no.value(i),
            currency: &self.currencies[usize::from(self.currency[i])],
            open_minor: self.open[i],
            days_past_due: i64::from(self.days[i]),
            age_days: i64::from(self.age[i]),
            due_date: from_epoch_days(self.due[i]),
            invoice_date: from_epoch_days(self.invoiced[i]),
            amount_minor: self.amount[i],
            contract_no: self.contract.get(i),
            project: self.project.get(i),
            due_assumed: self.assumed.get(i).unwrap_or_default(),
        }
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = OpenItem<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The one chunk of a column.
pub(super) fn one_chunk<T: polars::prelude::PolarsDataType>(ca: &ChunkedArray<T>) -> PolarsResult<&T::Array> {
    polars_ensure!(ca.chunks().len() == 1, ComputeError: "column {} is in {} chunks, not one", ca.name(), ca.chunks().len());
    Ok(ca.downcast_as_array())
}

/// The values of a numeric column without nulls, in place.
pub(super) fn values<T: PolarsNumericType>(ca: &ChunkedArray<T>) -> PolarsResult<&[T::Native]> {
    if ca.is_empty() {
        return Ok(&[]);
    }
    ca.cont_slice()
}

/// An invoice as an item of a message about it (for thank-you messages: shown with its
/// full amount, as paid).
#[must_use]
pub fn paid_item(invoice: &crate::normalize::Invoice, as_of: NaiveDate) -> OpenItem<'_> {
    OpenItem {
        customer: &invoice.customer,
        invoice_no: &invoice.invoice_no,
        currency: &invoice.currency,
        open_minor: invoice.amount_minor,
        days_past_due: 0,
        age_days: (as_of - invoice.invoice_date).num_days(),
        due_date: invoice.due_date,
        invoice_date: invoice.invoice_date,
        amount_minor: invoice.amount_minor,
        contract_no: invoice.contract_no.as_deref(),
        project: invoice.project.as_deref(),
        due_assumed: invoice.due_assumed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aging::age;
    use crate::config::rules_file::{Basis, BucketSpec};
    use crate::normalize::Invoice;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn invoice(customer: &str, no: &str, currency: &str, open: i64) -> Invoice {
        Invoice {
            customer: customer.into(),
            invoice_no: no.into(),
            invoice_date: date("2026-09-01"),
            due_date: date("2026-10-31"),
            currency: Currency::parse(currency).unwrap(),
            amount_minor: 900_000,
            open_minor: open,
            project: None,
            contract_no: None,
            project_manager: None,
            paid_date: None,
            source_row: 2,
            source: 0,
            due_assumed: false,
            lines: None,
        }
    }

    fn aging_of(invoices: &[Invoice]) -> Aging {
        let buckets = [BucketSpec { label: "all".into(), min_days: None, max_days: None }];
        let cny = Currency::parse("CNY").unwrap();
        age(invoices, date("2026-11-30"), Basis::DueDate, &buckets, &cny).unwrap()
    }

    #[test]
    fn items_are_read_back_from_the_frame_in_its_order() {
        let mut with_project = invoice("Beta", "B-7", "USD", 12_345);
        with_project.project = Some("Plant MES".into());
        with_project.contract_no = Some("HT-2026-01".into());
        with_project.due_assumed = true;
        let invoices = [
            invoice("Gamma", "G-1", "CNY", 500),
            with_project,
            invoice("Alpha", "A-1", "EUR", 100),
            invoice("Beta", "B-0", "CNY", 0),
        ];
        let aging = aging_of(&invoices);
        let items = OpenItems::new(&aging).unwrap();
        assert_eq!(items.len(), 3, "the paid B-0 is not open");
        let keys: Vec<_> = (0..items.len()).map(|i| items.key(i)).collect();
        assert_eq!(keys, [("Alpha", "A-1"), ("Beta", "B-7"), ("Gamma", "G-1")]);
        assert_eq!(items.group_key(1), ("Beta", "USD"));
        let beta = items.get(1);
        assert_eq!(beta.currency.code(), "USD");
        assert_eq!((beta.open_minor, beta.amount_minor), (12_345, 900_000));
        assert_eq!((beta.days_past_due, beta.age_days), (30, 90));
        assert_eq!((beta.due_date, beta.invoice_date), (date("2026-10-31"), date("2026-09-01")));
        assert_eq!((beta.contract_no, beta.project, beta.due_assumed), (Some("HT-2026-01"), Some("Plant MES"), true));
        let alpha = items.get(0);
        assert_eq!(
            (alpha.currency.code(), alpha.contract_no, alpha.project, alpha.due_assumed),
            ("EUR", None, None, false)
        );
        let open: Vec<i64> = items.iter().map(|item| item.open_minor).collect();
        assert_eq!(open, [100, 12_345, 500]);
    }

    #[test]
    fn an_aging_without_open_items_has_no_items() {
        let aging = aging_of(&[invoice("Alpha", "A-1", "CNY", 0)]);
        let items = OpenItems::new(&aging).unwrap();
        assert!(items.is_empty());
        assert_eq!(items.iter().count(), 0);
    }
}
