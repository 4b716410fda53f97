//! The canonical invoice fields, the header names recognised for each, and the polars
//! frame that normalize hands to the rules.
use std::sync::Arc;

use polars::prelude::*;

use super::{Invoice, header_words};

/// A canonical invoice field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Customer name (required).
    Customer,
    /// Invoice number (required).
    InvoiceNo,
    /// Invoice date (required).
    InvoiceDate,
    /// Due date (required).
    DueDate,
    /// Invoice amount, negative for credit notes (required).
    Amount,
    /// Amount still open.
    OpenAmount,
    /// Amount already paid.
    PaidAmount,
    /// ISO currency code.
    Currency,
    /// Project name or code.
    Project,
    /// Contract number.
    ContractNo,
    /// The project manager responsible.
    ProjectManager,
    /// Date of the last payment.
    PaidDate,
}

impl Field {
    /// Every field, required ones first.
    pub const ALL: [Self; 12] = [
        Self::Customer,
        Self::InvoiceNo,
        Self::InvoiceDate,
        Self::DueDate,
        Self::Amount,
        Self::OpenAmount,
        Self::PaidAmount,
        Self::Currency,
        Self::Project,
        Self::ContractNo,
        Self::ProjectManager,
        Self::PaidDate,
    ];

    /// The field's name in `--map`, rules files and outputs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::InvoiceNo => "invoice_no",
            Self::InvoiceDate => "invoice_date",
            Self::DueDate => "due_date",
            Self::Amount => "amount",
            Self::OpenAmount => "open_amount",
            Self::PaidAmount => "paid_amount",
            Self::Currency => "currency",
            Self::Project => "project",
            Self::ContractNo => "contract_no",
            Self::ProjectManager => "project_manager",
            Self::PaidDate => "paid_date",
        }
    }

    /// The field named `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name.trim())
    }

    /// Whether a row cannot be used without this field.
    #[must_use]
    pub fn is_required(self) -> bool {
        matches!(self, Self::Customer | Self::InvoiceNo | Self::InvoiceDate | Self::DueDate | Self::Amount)
    }

    /// Whether `header` is a recognised header of any field (see [`HeaderName`]).
    #[must_use]
    pub fn recognises(header: &HeaderName) -> bool {
        Self::ALL.iter().any(|f| f.alias_position(header).is_some())
    }

    /// How well `header` names this field, if it does: the position of the first alias it
    /// is (0 = the most specific), then 0 when spelled as that alias (case and spacing
    /// aside) or 1 when only its words are the same. The smallest wins: `Invoice No` over
    /// `Invoice Number`, `Customer` over `Client`, as before words were compared; two
    /// columns with the same rank (`Cust No`, `Customer Number`) are ambiguous.
    #[must_use]
    pub fn alias_position(self, header: &HeaderName) -> Option<(usize, u8)> {
        let aliases = &alias_names()[self as usize];
        let position = aliases.iter().position(|alias| alias.same(header))?;
        Some((position, u8::from(aliases[position].key != header.key)))
    }

    /// Headers recognised for this field without a mapping, most specific first (names
    /// before codes). They are compared as [`HeaderName`]s: case, spacing, camelCase,
    /// `_ - . :` and common abbreviations do not matter, so `customer no` also stands for
    /// `customerNo`, `Customer_Number`, `Cust No` and `CUST_NBR`.
    #[must_use]
    #[allow(clippy::too_many_lines)] // a data table, one arm per field
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::Customer => &[
                "customer",
                "customer name",
                "customer/client",
                "contact",
                "partner",
                "partner name",
                "debtor",
                "debtor name",
                "buyer",
                "bill to",
                "sold to",
                "customer id",
                "customer no",
                "customer code",
                "customer account",
                "客户",
                "客户名称",
                "客户名",
                "单位名称",
                "购买方",
                "付款单位",
                "客户编号",
                "客户代码",
                "客户编码",
            ],
            Self::InvoiceNo => &[
                "invoice no",
                "invno",
                "invoicenum",
                "invoice",
                "invoice id",
                "document no",
                "document reference",
                "document id",
                "voucher no",
                "bill no",
                "reference no",
                "no",
                "reference",
                "发票号",
                "发票号码",
                "发票编号",
                "单据编号",
                "单据号",
                "凭证号",
                "凭证编号",
            ],
            Self::InvoiceDate => &[
                "invoice date",
                "date",
                "posting date",
                "document date",
                "bill date",
                "issue date",
                "开票日期",
                "发票日期",
                "日期",
                "单据日期",
                "凭证日期",
            ],
            Self::DueDate => &[
                "due date",
                "due",
                "payment due date",
                "net due date",
                "pduedate",
                "p due date",
                "到期日",
                "到期日期",
                "应收日期",
            ],
            Self::Amount => &[
                "amount",
                "invoice amount",
                "total",
                "invoice total",
                "grand total",
                "original amount",
                "gross amount",
                "invoice value",
                "金额",
                "发票金额",
                "含税金额",
                "价税合计",
                "原币金额",
            ],
            Self::OpenAmount => &[
                "open amount",
                "open balance",
                "balance",
                "balance due",
                "amount due",
                "outstanding",
                "outstanding amount",
                "amount outstanding",
                "outstanding balance",
                "outstanding value",
                "amount residual",
                "residual",
                "residual amount",
                "remaining",
                "remaining amount",
                "amount remaining",
                "unpaid amount",
                "未收金额",
                "应收余额",
                "余额",
                "未收款",
                "未收余额",
                "欠款金额",
            ],
            Self::PaidAmount => &[
                "paid amount",
                "paid",
                "amount paid",
                "amount received",
                "received amount",
                "已收金额",
                "已收款",
                "回款金额",
                "已付金额",
                "已回款",
            ],
            Self::Currency => &["currency", "currency code", "币种", "货币"],
            Self::Project => &["project", "project name", "项目", "项目名称"],
            Self::ContractNo => &["contract no", "contract", "合同编号", "合同号"],
            Self::ProjectManager => &["project manager", "pm", "salesperson", "项目经理", "负责人"],
            Self::PaidDate => &[
                "paid date",
                "payment date",
                "date paid",
                "settled date",
                "settlement date",
                "date settled",
                "cleared date",
                "clearing date",
                "收款日期",
                "回款日期",
                "结清日期",
            ],
        }
    }
}

/// A header in the two forms it is compared in: its [`header_key`] (case and spacing
/// ignored) and its [`header_words::canonical`] key (split into words, abbreviations
/// expanded). Two names are the same when either form is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderName {
    /// [`header_key`] of the header.
    pub key: String,
    /// [`header_words::canonical`] of the header.
    pub canonical: String,
}

impl HeaderName {
    /// Both forms of `header`.
    #[must_use]
    pub fn new(header: &str) -> Self {
        Self { key: header_key(header), canonical: header_words::canonical(header) }
    }

    /// Whether the two names are the same (an empty name is nobody's).
    #[must_use]
    pub fn same(&self, other: &Self) -> bool {
        !self.key.is_empty() && (self.key == other.key || self.canonical == other.canonical)
    }
}

/// Every field's aliases as [`HeaderName`]s, in [`Field::ALL`] order, made once.
fn alias_names() -> &'static [Vec<HeaderName>] {
    static NAMES: std::sync::OnceLock<Vec<Vec<HeaderName>>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| Field::ALL.iter().map(|f| f.aliases().iter().map(|a| HeaderName::new(a)).collect()).collect())
}

/// A header reduced for comparison: lower case, without whitespace (also full-width and
/// non-breaking) and without `_ - . :`.
#[must_use]
pub fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | ':' | '：'))
        .flat_map(char::to_lowercase)
        .collect()
}

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
/// copy of the invoices, no per-column list of borrowed texts (issue 7).
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
/// rows (issue 7). Equal texts held in different `Arc`s (several inputs) are stored once
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
    fn header_keys_ignore_case_and_spacing() {
        assert_eq!(header_key(" Invoice No. "), "invoiceno");
        assert_eq!(header_key("Open_Balance"), "openbalance");
        assert_eq!(header_key("客户 名称"), "客户名称");
        assert_eq!(header_key("Due\u{a0}Date"), "duedate");
    }

    #[test]
    fn every_field_round_trips_its_name() {
        for field in Field::ALL {
            assert_eq!(Field::from_name(field.name()), Some(field));
            assert_eq!(field as usize, Field::ALL.iter().position(|f| *f == field).unwrap());
        }
    }

    #[test]
    fn no_alias_stands_for_two_fields() {
        for field in Field::ALL {
            for alias in field.aliases() {
                let name = HeaderName::new(alias);
                for other in Field::ALL.into_iter().filter(|o| *o != field) {
                    assert_eq!(other.alias_position(&name), None, "{alias} is a {field:?} and a {other:?}");
                }
                assert!(field.alias_position(&name).is_some(), "{alias}");
            }
        }
    }

    #[test]
    fn header_names_match_across_spellings() {
        let field =
            |header: &str| Field::ALL.into_iter().find(|f| f.alias_position(&HeaderName::new(header)).is_some());
        for (header, want) in [
            ("customerID", Field::Customer),
            ("Customer_Number", Field::Customer),
            ("Cust No", Field::Customer),
            ("CustomerName", Field::Customer),
            ("Client ID", Field::Customer),
            ("客户编号", Field::Customer),
            ("invoiceNumber", Field::InvoiceNo),
            ("Document_Ref", Field::InvoiceNo),
            ("Document No", Field::InvoiceNo),
            ("Doc No", Field::InvoiceNo),
            ("凭证号", Field::InvoiceNo),
            ("InvoiceDate", Field::InvoiceDate),
            ("Document_Date", Field::InvoiceDate),
            ("Doc Date", Field::InvoiceDate),
            ("单据日期", Field::InvoiceDate),
            ("DueDate", Field::DueDate),
            ("pduedate", Field::DueDate),
            ("p_due_date", Field::DueDate),
            ("Due Dt", Field::DueDate),
            ("Original_Amount", Field::Amount),
            ("Orig Amt", Field::Amount),
            ("Invoice Total", Field::Amount),
            ("InvoiceAmount", Field::Amount),
            ("INVOICE_TOTAL", Field::Amount),
            ("Outstanding value", Field::OpenAmount),
            ("Outstanding Amount", Field::OpenAmount),
            ("Balance Due", Field::OpenAmount),
            ("Amount Due", Field::OpenAmount),
            ("Open Balance", Field::OpenAmount),
            ("Residual", Field::OpenAmount),
            ("Amount Residual", Field::OpenAmount),
            ("Remaining", Field::OpenAmount),
            ("未收金额", Field::OpenAmount),
            ("应收余额", Field::OpenAmount),
            ("SettledDate", Field::PaidDate),
            ("Settled Date", Field::PaidDate),
            ("Date Paid", Field::PaidDate),
            ("结清日期", Field::PaidDate),
            ("回款日期", Field::PaidDate),
        ] {
            assert_eq!(field(header), Some(want), "{header}");
        }
        for header in
            ["countryCode", "PaperlessDate", "Disputed", "DaysToSettle", "DaysLate", "CREDIT_LIMIT", "AR_CLERK", ""]
        {
            assert_eq!(field(header), None, "{header}");
        }
    }

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
