//! The canonical invoice fields and the header names recognised for each.
use super::header_words;

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
}
