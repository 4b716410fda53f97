//! Remakes the bundled demo and test workbooks, deterministically:
//!
//! ```text
//! cargo run --example make_sample_data
//! ```
//!
//! - `sample-data/invoices.xlsx`: a project company's open invoices as of 2026-11-30 —
//!   36 customers (Chinese and English names), CNY and USD, credit notes, partial and full
//!   payments and one invoice dated after the as-of date.
//! - `sample-data/invoices-bad-rows.xlsx`: four bad rows as real exports have them (no
//!   customer, 2026-02-30, an amount "TBD", a currency "US Dollar"), for `payback check`.
//! - `sample-data/contacts.csv`, `projects.csv`, `followups.csv`, `milestones.csv`: the
//!   same customers' contacts (billing, finance, approver), projects (two just live, one
//!   with open critical issues), follow-ups (a dispute, a promise to pay, an approval
//!   stuck, a recent call) and a payment schedule with a trial-run milestone.
//! - `sample-data/payments.csv`: a bank export: a payment quoting its invoice, a lump sum,
//!   a payer the bank spells differently who quotes "INV 351" (applied to the one open
//!   invoice that fits, INV-US-0351), one after the as-of date.
//! - `tests/fixtures/handchecked.xlsx`: `tests/fixtures/handchecked.csv` with real date
//!   and number cells (sheet "Open Items", plus a "Notes" sheet).
//! - `tests/fixtures/presets/cn_erp_receivables.xlsx`: a Chinese ERP 应收账款明细表 with a
//!   merged title, customer cells merged over their invoices, 小计 and 合计 lines, and
//!   dates and amounts both as cells and as text.
//! - `tests/fixtures/dates_1904.xlsx`: a workbook in the 1904 date system (old Mac Excel),
//!   with one date cell and one plain serial number as due dates.
use chrono::{Duration, NaiveDate};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

const CUSTOMERS: [(&str, &str, &str); 36] = [
    ("华为技术有限公司", "CNY", "智慧园区一期"),
    ("中国建筑第八工程局有限公司", "CNY", "BIM 协同平台"),
    ("上海建工集团股份有限公司", "CNY", "工地物联网"),
    ("深圳市地铁集团有限公司", "CNY", "票务系统升级"),
    ("北京首都国际机场股份有限公司", "CNY", "行李追踪"),
    ("广州医药集团有限公司", "CNY", "WMS 仓储系统"),
    ("杭州市城市大脑有限公司", "CNY", "数据中台"),
    ("成都天府新区投资集团", "CNY", "智慧城市运营中心"),
    ("武汉钢铁有限公司", "CNY", "MES 制造执行"),
    ("南京银行股份有限公司", "CNY", "信贷风控模型"),
    ("苏州工业园区管委会", "CNY", "政务服务平台"),
    ("青岛港国际股份有限公司", "CNY", "码头调度系统"),
    ("宁波舟山港股份有限公司", "CNY", "集装箱堆场优化"),
    ("重庆长安汽车股份有限公司", "CNY", "供应链协同"),
    ("西安交通大学", "CNY", "科研管理系统"),
    ("厦门航空有限公司", "CNY", "机务维修系统"),
    ("天津港集团", "CNY", "闸口自动化"),
    ("长沙市轨道交通集团", "CNY", "综合监控"),
    ("云南白药集团股份有限公司", "CNY", "质量追溯"),
    ("Shenzhen Bright Optics Co., Ltd.", "CNY", "ERP rollout"),
    ("Suzhou Precision Parts Ltd.", "CNY", "Shop-floor MES"),
    ("Harbour Logistics (HK) Ltd", "USD", "Fleet tracking"),
    ("Acme Engineering GmbH", "USD", "Plant digital twin"),
    ("Northwind Traders Inc.", "USD", "Order portal"),
    ("Contoso Pharmaceuticals", "USD", "LIMS integration"),
    ("Globex Mining Pty Ltd", "USD", "Haul road monitoring"),
    ("Initech Systems LLC", "USD", "Helpdesk migration"),
    ("Umbrella Health Partners", "USD", "Clinic scheduling"),
    ("Stark Industrial Solutions", "USD", "Predictive maintenance"),
    ("Wayne Infrastructure Ltd", "USD", "Bridge sensors"),
    ("Tyrell Robotics Corp.", "USD", "Vision QA line"),
    ("Oceanic Shipping SA", "USD", "Port call optimiser"),
    ("Vandelay Imports & Exports", "USD", "Customs e-filing"),
    ("Cyberdyne Automation Ltd", "USD", "SCADA upgrade"),
    ("Soylent Foods Holdings", "USD", "Cold-chain IoT"),
    ("Hooli Cloud Services", "USD", "Data centre move"),
];

const MANAGERS: [&str; 5] = ["张伟", "李娜", "王磊", "Anna Schmidt", "David Chen"];
const HEADERS: [&str; 11] = [
    "Customer",
    "Invoice No",
    "Invoice Date",
    "Due Date",
    "Currency",
    "Amount",
    "Paid Amount",
    "Project",
    "Contract No",
    "Project Manager",
    "Paid Date",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    sample_invoices("sample-data/invoices.xlsx")?;
    bad_rows("sample-data/invoices-bad-rows.xlsx")?;
    sample_records("sample-data")?;
    handchecked_xlsx("tests/fixtures/handchecked.csv", "tests/fixtures/handchecked.xlsx")?;
    cn_erp_fixture("tests/fixtures/presets/cn_erp_receivables.xlsx")?;
    dates_1904_fixture("tests/fixtures/dates_1904.xlsx")?;
    println!(
        "wrote sample-data/invoices.xlsx, sample-data/invoices-bad-rows.xlsx and the xlsx fixtures under tests/fixtures/"
    );
    Ok(())
}

struct Formats {
    header: Format,
    date: Format,
    money: Format,
}

fn formats() -> Formats {
    Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        money: Format::new().set_num_format("#,##0.00"),
    }
}

#[allow(clippy::too_many_lines)] // one straight script: customers, invoices, edge rows
fn sample_invoices(path: &str) -> Result<(), XlsxError> {
    let mut rng = fastrand::Rng::with_seed(20_261_130);
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let f = formats();
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&as_of.and_hms_opt(0, 0, 0).expect("time")),
    );
    let ws = workbook.add_worksheet().set_name("Open Invoices")?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, col(c), *h, &f.header)?;
    }
    let mut row = 1;
    for (i, (customer, currency, project)) in CUSTOMERS.iter().enumerate() {
        let contract = format!("HT-2025-{:03}", i + 1);
        let manager = MANAGERS[i % MANAGERS.len()];
        let invoices = 2 + rng.usize(0..5);
        for n in 0..invoices {
            let invoice_no = format!("INV-{}-{:04}", if *currency == "CNY" { "CN" } else { "US" }, i * 10 + n + 1);
            let invoice_date = as_of - Duration::days(rng.i64(0..420));
            let terms = [30, 30, 45, 60, 90][rng.usize(0..5)];
            let due_date = invoice_date + Duration::days(terms);
            // Amounts in fen/cents: CNY 20k-800k, USD 3k-120k.
            let cents = if *currency == "CNY" { rng.i64(2_000_000..80_000_000) } else { rng.i64(300_000..12_000_000) };
            let (amount, paid, paid_date) = match rng.u8(0..10) {
                0 => (cents, cents, Some(invoice_date + Duration::days(rng.i64(10..40)))), // fully paid
                1 | 2 => {
                    let part = cents * [30, 50, 70][rng.usize(0..3)] / 100;
                    (cents, part, Some(invoice_date + Duration::days(rng.i64(5..60))))
                }
                _ => (cents, 0, None),
            };
            let paid_date = paid_date.filter(|d| *d <= as_of);
            write_row(
                ws,
                row,
                &f,
                &Row {
                    customer,
                    invoice_no: &invoice_no,
                    invoice_date,
                    due_date,
                    currency,
                    amount,
                    paid,
                    project,
                    contract: &contract,
                    manager,
                    paid_date,
                },
            )?;
            row += 1;
        }
        if i % 9 == 4 {
            // A credit note for a price reduction.
            let date = as_of - Duration::days(rng.i64(20..200));
            let credit = -(rng.i64(100_000..2_000_000));
            let no = format!("CN-{:04}", i + 1);
            write_row(
                ws,
                row,
                &f,
                &Row {
                    customer,
                    invoice_no: &no,
                    invoice_date: date,
                    due_date: date,
                    currency,
                    amount: credit,
                    paid: 0,
                    project,
                    contract: &contract,
                    manager,
                    paid_date: None,
                },
            )?;
            row += 1;
        }
    }
    // An invoice raised after the as-of date (left out, counted as future-dated).
    let next = as_of + Duration::days(3);
    write_row(
        ws,
        row,
        &f,
        &Row {
            customer: CUSTOMERS[0].0,
            invoice_no: "INV-CN-9001",
            invoice_date: next,
            due_date: next + Duration::days(30),
            currency: "CNY",
            amount: 12_000_000,
            paid: 0,
            project: CUSTOMERS[0].2,
            contract: "HT-2025-001",
            manager: MANAGERS[0],
            paid_date: None,
        },
    )?;
    for (c, w) in [34, 14, 12, 12, 9, 14, 14, 22, 13, 15, 12].iter().enumerate() {
        ws.set_column_width(col(c), *w)?;
    }
    workbook.save(path)
}

/// Bad rows, as they turn up in real exports, in a workbook of their own with the sample's
/// header: `payback check --invoices sample-data/invoices-bad-rows.xlsx` lists each with
/// its reason, and the sample itself runs clean (exit 0; issue 23).
fn bad_rows(path: &str) -> Result<(), XlsxError> {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let f = formats();
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&as_of.and_hms_opt(0, 0, 0).expect("time")),
    );
    let ws = workbook.add_worksheet().set_name("Open Invoices")?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, col(c), *h, &f.header)?;
    }
    let bad: [[&str; 11]; 4] = [
        ["", "INV-CN-9002", "2026-10-08", "2026-11-07", "CNY", "58000.00", "", "数据中台", "HT-2025-007", "李娜", ""],
        [
            "南京银行股份有限公司",
            "INV-CN-9003",
            "2026-02-30",
            "2026-03-30",
            "CNY",
            "73500.00",
            "",
            "信贷风控模型",
            "HT-2025-010",
            "张伟",
            "",
        ],
        [
            "Northwind Traders Inc.",
            "INV-US-9004",
            "2026-09-15",
            "2026-10-15",
            "USD",
            "TBD",
            "",
            "Order portal",
            "HT-2025-024",
            "David Chen",
            "",
        ],
        [
            "Initech Systems LLC",
            "INV-US-9005",
            "2026-08-01",
            "2026-08-31",
            "US Dollar",
            "12500.00",
            "",
            "Helpdesk migration",
            "HT-2025-027",
            "Anna Schmidt",
            "",
        ],
    ];
    for (row, values) in (1..).zip(bad) {
        for (c, v) in values.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(row, col(c), *v)?;
            }
        }
    }
    for (c, w) in [34, 14, 12, 12, 9, 14, 14, 22, 13, 15, 12].iter().enumerate() {
        ws.set_column_width(col(c), *w)?;
    }
    workbook.save(path)
}

struct Row<'a> {
    customer: &'a str,
    invoice_no: &'a str,
    invoice_date: NaiveDate,
    due_date: NaiveDate,
    currency: &'a str,
    amount: i64,
    paid: i64,
    project: &'a str,
    contract: &'a str,
    manager: &'a str,
    paid_date: Option<NaiveDate>,
}

#[allow(clippy::cast_precision_loss)]
fn write_row(ws: &mut Worksheet, row: u32, f: &Formats, r: &Row<'_>) -> Result<(), XlsxError> {
    ws.write_string(row, 0, r.customer)?;
    ws.write_string(row, 1, r.invoice_no)?;
    ws.write_date_with_format(row, 2, r.invoice_date, &f.date)?;
    ws.write_date_with_format(row, 3, r.due_date, &f.date)?;
    ws.write_string(row, 4, r.currency)?;
    ws.write_number_with_format(row, 5, r.amount as f64 / 100.0, &f.money)?;
    if r.paid != 0 {
        ws.write_number_with_format(row, 6, r.paid as f64 / 100.0, &f.money)?;
    }
    ws.write_string(row, 7, r.project)?;
    ws.write_string(row, 8, r.contract)?;
    ws.write_string(row, 9, r.manager)?;
    if let Some(d) = r.paid_date {
        ws.write_date_with_format(row, 10, d, &f.date)?;
    }
    Ok(())
}

/// The hand-checked CSV as a workbook: ISO dates become date cells and plain numbers
/// become number cells; anything else (bad values) stays text, as a user's file would.
fn handchecked_xlsx(csv_path: &str, path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let f = formats();
    let text = std::fs::read_to_string(csv_path)?;
    let mut workbook = Workbook::new();
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(
        &NaiveDate::from_ymd_opt(2024, 3, 1).expect("date").and_hms_opt(0, 0, 0).expect("time"),
    ));
    let ws = workbook.add_worksheet().set_name("Open Items")?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    for (r, record) in reader.records().enumerate() {
        let record = record?;
        let row = u32::try_from(r)?;
        for (c, value) in record.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            if r > 0
                && let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d")
            {
                ws.write_date_with_format(row, col(c), date, &f.date)?;
            } else if r > 0
                && c >= 5
                && let Ok(number) = value.replace(',', "").parse::<f64>()
            {
                ws.write_number_with_format(row, col(c), number, &f.money)?;
            } else {
                ws.write_string(row, col(c), value)?;
            }
        }
    }
    let notes = workbook.add_worksheet().set_name("Notes")?;
    notes.write_string(0, 0, "Hand-checked aging fixture; as of 2024-03-01. See tests/aging.rs.")?;
    workbook.save(path)?;
    Ok(())
}

/// Contacts, projects, follow-ups and milestones for the sample customers.
#[allow(clippy::too_many_lines)] // one straight script, table by table
fn sample_records(dir: &str) -> Result<(), Box<dyn std::error::Error>> {
    let manager_email = |i: usize| ["zhang.wei", "li.na", "wang.lei", "anna.schmidt", "david.chen"][i % MANAGERS.len()];
    let mut contacts = csv::Writer::from_path(format!("{dir}/contacts.csv"))?;
    // `title` (称呼) is how a letter greets the person: "陈总，您好", "Dear Ms. Morgan,".
    contacts.write_record(["customer", "name", "role", "email", "language", "title"])?;
    let mut projects = csv::Writer::from_path(format!("{dir}/projects.csv"))?;
    projects.write_record([
        "project",
        "customer",
        "project_manager",
        "project_manager_name",
        "go_live_date",
        "acceptance_date",
        "open_critical_issues",
        "status_note",
    ])?;
    for (i, (customer, currency, project)) in CUSTOMERS.iter().enumerate() {
        let chinese = *currency == "CNY" && !customer.is_ascii();
        let domain = format!("c{i:02}.example.com");
        let people: [(&str, &str, &str); 3] = if chinese {
            [("陈静", "对账", "陈总"), ("刘洋", "财务", "刘总"), ("赵建国", "总经理", "赵总")]
        } else {
            [
                ("Alex Morgan", "billing", "Ms. Morgan"),
                ("Sam Lee", "finance", "Mr. Lee"),
                ("Jordan Blake", "approver", "Mr. Blake"),
            ]
        };
        for (k, (name, role, title)) in people.iter().enumerate() {
            let email = format!("{}@{domain}", ["ap", "finance", "gm"][k]);
            let language = if chinese { "zh" } else { "en" };
            contacts.write_record([*customer, *name, *role, email.as_str(), language, *title])?;
        }
        let go_live = match i {
            0 => "2026-11-27",
            22 => "2026-11-25",
            _ => "",
        };
        let acceptance = if i == 5 { "2026-11-26" } else { "" };
        let issues = if i == 13 { "2" } else { "0" };
        let note = match i {
            13 => "两个严重缺陷待修复",
            0 => "一期已上线，用户反馈良好",
            _ => "",
        };
        let pm = format!("{}@ourcompany.example", manager_email(i));
        let pm_name = MANAGERS[i % MANAGERS.len()];
        projects.write_record([*project, *customer, pm.as_str(), pm_name, go_live, acceptance, issues, note])?;
    }
    contacts.flush()?;
    projects.flush()?;
    let mut followups = csv::Writer::from_path(format!("{dir}/followups.csv"))?;
    followups.write_record([
        "customer",
        "invoice_no",
        "disputed",
        "promise_to_pay_date",
        "process_stage",
        "stage_since",
        "approver",
        "last_contact_date",
        "note",
    ])?;
    followups.write_record([CUSTOMERS[9].0, "", "是", "", "", "", "", "", "对验收报告有异议"])?;
    followups.write_record([
        CUSTOMERS[23].0,
        "",
        "",
        "2026-12-10",
        "",
        "",
        "",
        "",
        "AP promised payment run on 10 Dec",
    ])?;
    followups.write_record([
        CUSTOMERS[2].0,
        "",
        "",
        "",
        "总经理审批",
        "2026-11-05",
        "赵建国",
        "",
        "付款申请卡在总经理处",
    ])?;
    followups.write_record([
        CUSTOMERS[25].0,
        "",
        "",
        "",
        "",
        "",
        "",
        "2026-11-26",
        "called AP, invoice copy resent",
    ])?;
    followups.flush()?;
    let mut milestones = csv::Writer::from_path(format!("{dir}/milestones.csv"))?;
    milestones.write_record([
        "project",
        "name",
        "amount",
        "percent",
        "contract_amount",
        "currency",
        "trigger",
        "trigger_date",
        "term_days",
        "term_basis",
        "invoice_no",
    ])?;
    milestones.write_record([
        CUSTOMERS[0].2,
        "预付款 30%",
        "",
        "30",
        "1200000.00",
        "CNY",
        "signing",
        "2026-03-02",
        "10",
        "working",
        "INV-CN-0001",
    ])?;
    milestones.write_record([
        CUSTOMERS[0].2,
        "试运行款 40%",
        "",
        "40",
        "1200000.00",
        "CNY",
        "trial_run",
        "2026-09-24",
        "10",
        "working",
        "",
    ])?;
    milestones.write_record([
        CUSTOMERS[0].2,
        "验收款 30%",
        "",
        "30",
        "1200000.00",
        "CNY",
        "acceptance",
        "",
        "30",
        "calendar",
        "",
    ])?;
    milestones.write_record([
        CUSTOMERS[5].2,
        "Acceptance payment",
        "180000.00",
        "",
        "",
        "CNY",
        "acceptance",
        "",
        "15",
        "calendar",
        "",
    ])?;
    milestones.flush()?;
    let mut payments = csv::Writer::from_path(format!("{dir}/payments.csv"))?;
    payments.write_record(["Date", "Payer", "Amount", "Currency", "Reference"])?;
    payments.write_record(["2026-11-18", CUSTOMERS[1].0, "100000.00", "CNY", "INV-CN-0015 进度款"])?;
    payments.write_record(["2026-11-20", CUSTOMERS[18].0, "500000.00", "CNY", "货款"])?;
    payments.write_record(["2026-11-25", CUSTOMERS[25].0, "50000.00", "USD", "remittance"])?;
    payments.write_record(["2026-11-26", "Hooli Cloud Svcs", "40402.32", "USD", "INV 351"])?;
    payments.write_record(["2026-12-02", CUSTOMERS[16].0, "100000.00", "CNY", ""])?;
    payments.flush()?;
    Ok(())
}

/// One cell of the Chinese ERP fixture.
enum V {
    T(&'static str),
    N(f64),
    D(i32, u32, u32),
}

#[allow(clippy::too_many_lines)] // one fixture, row by row
fn cn_erp_fixture(path: &str) -> Result<(), XlsxError> {
    let f = formats();
    let mut workbook = Workbook::new();
    let created = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date").and_hms_opt(0, 0, 0).expect("time");
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let ws = workbook.add_worksheet().set_name("应收账款明细")?;
    let title = Format::new().set_bold().set_font_size(14);
    ws.merge_range(0, 0, 0, 11, "华东智能科技有限公司 应收账款明细表", &title)?;
    ws.merge_range(1, 0, 1, 11, "截止日期：2026年11月30日", &Format::new())?;
    ws.write_string(2, 0, "单位：元")?;
    let headers = [
        "序号",
        "客户名称",
        "合同编号",
        "项目名称",
        "发票号码",
        "开票日期",
        "到期日",
        "发票金额",
        "已收金额",
        "未收金额",
        "币种",
        "项目经理",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(3, col(c), *h, &f.header)?;
    }
    let rows: [[V; 12]; 5] = [
        [
            V::N(1.0),
            V::T(""),
            V::T("HT-2026-001"),
            V::T("BIM 协同平台"),
            V::T("04567890"),
            V::D(2026, 5, 20),
            V::T("2026年6月19日"),
            V::N(120_000.0),
            V::N(20_000.0),
            V::N(100_000.0),
            V::T("CNY"),
            V::T("王磊"),
        ],
        [
            V::N(2.0),
            V::T(""),
            V::T("HT-2026-001"),
            V::T("BIM 协同平台"),
            V::T("04567891"),
            V::T("2026/8/1"),
            V::T("2026/8/31"),
            V::T("¥58,800.50"),
            V::N(0.0),
            V::T("¥58,800.50"),
            V::T("CNY"),
            V::T("王磊"),
        ],
        [
            V::N(3.0),
            V::T(""),
            V::T("HT-2026-014"),
            V::T("智慧工地"),
            V::T("04567920"),
            V::D(2026, 9, 15),
            V::D(2026, 10, 15),
            V::N(36_000.0),
            V::N(0.0),
            V::N(36_000.0),
            V::T("人民币"),
            V::T("王磊"),
        ],
        [
            V::N(4.0),
            V::T(""),
            V::T("HT-2026-007"),
            V::T("票务系统升级"),
            V::T("04567901"),
            V::D(2026, 10, 15),
            V::D(2026, 11, 14),
            V::N(-3_000.0),
            V::N(0.0),
            V::N(-3_000.0),
            V::T("CNY"),
            V::T("李娜"),
        ],
        [
            V::N(5.0),
            V::T(""),
            V::T("HT-2026-007"),
            V::T("票务系统升级"),
            V::T("04567902"),
            V::D(2026, 11, 1),
            V::D(2026, 12, 1),
            V::N(9_999.99),
            V::N(0.0),
            V::N(9_999.99),
            V::T(""),
            V::T("李娜"),
        ],
    ];
    // Rows 5-7 are the first customer's, 9-10 the second's (1-based), subtotals after each.
    let at = [4u32, 5, 6, 8, 9];
    for (values, row) in rows.iter().zip(at) {
        for (c, value) in values.iter().enumerate() {
            match value {
                V::T("") => {}
                V::T(t) => {
                    ws.write_string(row, col(c), *t)?;
                }
                V::N(n) => {
                    ws.write_number_with_format(row, col(c), *n, &f.money)?;
                }
                V::D(y, m, d) => {
                    ws.write_date_with_format(
                        row,
                        col(c),
                        NaiveDate::from_ymd_opt(*y, *m, *d).expect("date"),
                        &f.date,
                    )?;
                }
            }
        }
    }
    ws.merge_range(
        4,
        1,
        6,
        1,
        "中国建筑第八工程局有限公司",
        &Format::new().set_align(rust_xlsxwriter::FormatAlign::VerticalCenter),
    )?;
    ws.merge_range(
        8,
        1,
        9,
        1,
        "深圳市地铁集团有限公司",
        &Format::new().set_align(rust_xlsxwriter::FormatAlign::VerticalCenter),
    )?;
    for (row, label, amount, open) in
        [(7u32, "小计", 214_800.5, 194_800.5), (10, "小计", 6_999.99, 6_999.99), (12, "合计", 221_800.49, 201_800.49)]
    {
        ws.write_string_with_format(row, 1, label, &f.header)?;
        ws.write_number_with_format(row, 7, amount, &f.money)?;
        ws.write_number_with_format(row, 9, open, &f.money)?;
    }
    workbook.save(path)
}

/// `rust_xlsxwriter` writes 1900-system workbooks: write 1904-system serials, then set the
/// workbook's `date1904` flag in `xl/workbook.xml`.
fn dates_1904_fixture(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::{Read, Write};
    let f = formats();
    let serial_1904 = |y, m, d| {
        let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
        #[allow(clippy::cast_precision_loss)]
        let days = (date - NaiveDate::from_ymd_opt(1904, 1, 1).expect("epoch")).num_days() as f64;
        days
    };
    let mut workbook = Workbook::new();
    let created = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date").and_hms_opt(0, 0, 0).expect("time");
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let ws = workbook.add_worksheet();
    for (c, h) in ["Customer", "Invoice No", "Invoice Date", "Due Date", "Amount"].iter().enumerate() {
        ws.write_string(0, col(c), *h)?;
    }
    ws.write_string(1, 0, "Old Mac Ltd")?;
    ws.write_string(1, 1, "M-1")?;
    ws.write_number_with_format(1, 2, serial_1904(2026, 10, 15), &f.date)?;
    ws.write_number_with_format(1, 3, serial_1904(2026, 11, 14), &f.date)?;
    ws.write_number(1, 4, 100.0)?;
    ws.write_string(2, 0, "Old Mac Ltd")?;
    ws.write_string(2, 1, "M-2")?;
    ws.write_number_with_format(2, 2, serial_1904(2026, 11, 1), &f.date)?;
    ws.write_number(2, 3, serial_1904(2026, 12, 1))?; // a plain number, no date format
    ws.write_number(2, 4, 50.0)?;
    let plain = workbook.save_to_buffer()?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(plain))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if name == "xl/workbook.xml" {
            let text = String::from_utf8(bytes)?.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1);
            bytes = text.into_bytes();
        }
        out.start_file(name, options)?;
        out.write_all(&bytes)?;
    }
    std::fs::write(path, out.finish()?.into_inner())?;
    Ok(())
}

fn col(i: usize) -> u16 {
    u16::try_from(i).expect("column")
}
