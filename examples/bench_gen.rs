//! Deterministic benchmark inputs (issue 7): N open invoices as of 2026-11-30 and the
//! contacts, projects and (optionally) payments that go with them, in payback's input
//! format.
//!
//! ```text
//! cargo run --release --example bench_gen -- N OUT_DIR [--seed S] [--xlsx] [--payments]
//! ```
//!
//! Writes into `OUT_DIR`:
//! - `invoices.csv`: `customer, invoice_no, invoice_date, due_date, amount, paid_amount,
//!   currency, project, project_manager` — the columns of `../shared/bench/gen_invoices.py`,
//!   so the pandas baseline (`bench/pandas_aging.py`) reads the very same file. About N/50
//!   customers (Chinese and English names, some with commas), invoice dates spread over the
//!   two years before the as-of date, terms of 0-90 days, four currencies (CNY, USD, EUR,
//!   HKD) by customer, amounts with cents, ~5% credit notes, ~10% partly paid, ~2% fully
//!   paid (closed rows).
//! - `invoices.xlsx` with `--xlsx`: the same rows on sheet "Invoices", dates as date cells
//!   and amounts as number cells.
//! - `contacts.csv`: billing, finance and approver contacts per customer (1% of customers
//!   have none, so their messages become tasks), in Chinese for the Chinese names.
//! - `projects.csv`: three projects per customer with our project manager; ~1% went live
//!   in the week before the as-of date, ~1% have open critical issues.
//! - `payments.csv` with `--payments`: a bank export with about N/200 receipts — quoting an
//!   invoice number, lump sums from customers, and a few unknown payers.
//!
//! With `--months M` (the state benchmark, `bench/monthly.sh`) it writes instead a ledger
//! that lives through M month-ends ending on 2026-11-30: `OUT_DIR/month-01` … `month-MM`,
//! each with the `invoices.csv` of that month-end (about N rows), the `payments.csv` of
//! receipts the ledger has not posted yet and a `followups.csv`; `contacts.csv` and
//! `projects.csv` once in `OUT_DIR`; and `OUT_DIR/months.tsv` (folder, as-of date, rows).
//! The same N/50 customers every month and the same invoices under the same numbers: each
//! invoice is issued on its day, is paid (in full, or in two parts) on days fixed by its
//! number, shows as paid once a payment is posted three days later, and leaves the export
//! the month after its last payment. Every invoice is paid within the export's two years, so
//! every month about N/7 invoices are issued and as many are settled and leave.
//! - `invoices.csv`: the same columns as above and `paid_date`, the day the last payment
//!   was posted (empty while nothing is); ~52% are paid in full 5 days before to 45
//!   days after their due date, ~9% in part within 30 days of it and the rest up to 600 days
//!   later, ~34% late (46 to 700 days after the due date); ~5% are credit notes, applied
//!   30 to 120 days after their date.
//! - `payments.csv`: the payments of the last three days before the month-end (not posted in
//!   the ledger yet): the exact amount quoting the invoice, a remittance without a
//!   reference, or (1 in 20) a payer that is no customer.
//! - `followups.csv`: disputes on ~0.3% of the overdue invoices (the same invoices month
//!   after month, while open) and promises to pay on ~0.5% of them, new each month.
//!
//! Same N and seed ⇒ byte-identical files (the generator is a fixed splitmix64 stream, not
//! a crate's RNG whose sequence could change between versions).
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike as _, Duration, NaiveDate};
use rust_xlsxwriter::{DocProperties, Format, Workbook};

const AS_OF: (i32, u32, u32) = (2026, 11, 30);
const TERMS: [i64; 7] = [0, 15, 30, 30, 45, 60, 90];
const CITIES: [&str; 8] = ["上海", "北京", "深圳", "广州", "杭州", "成都", "武汉", "南京"];
const TRADES: [&str; 6] = ["建工", "科技", "物流", "医药", "能源", "智能制造"];
const WORDS: [&str; 8] = ["Northwind", "Harbour", "Contoso", "Globex", "Initech", "Oceanic", "Tyrell", "Vandelay"];
const FORMS: [&str; 5] = ["Ltd", "GmbH", "Inc.", "Pty Ltd", "Co., Ltd."];
const PROJECT_MANAGERS: usize = 40;

type Error = Box<dyn std::error::Error>;

/// splitmix64: small, fast and fixed forever.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `items`, uniformly.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let n = self.next();
        nth(items, n)
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

struct Options {
    n: u64,
    out: PathBuf,
    seed: u64,
    xlsx: bool,
    payments: bool,
    months: Option<u32>,
}

fn parse_args() -> Result<Options, Error> {
    let usage = "usage: bench_gen N OUT_DIR [--seed S] [--xlsx] [--payments] [--months M]";
    let mut args = std::env::args().skip(1);
    let (mut n, mut out, mut seed, mut xlsx, mut payments, mut months) = (None, None, 42, false, false, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => seed = args.next().ok_or(usage)?.parse()?,
            "--months" => months = Some(args.next().ok_or(usage)?.parse()?),
            "--xlsx" => xlsx = true,
            "--payments" => payments = true,
            _ if n.is_none() => n = Some(arg.replace('_', "").parse()?),
            _ if out.is_none() => out = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg:?}; {usage}").into()),
        }
    }
    if months.is_some() && (xlsx || payments) {
        return Err(format!("--months writes CSV files with payments of its own; {usage}").into());
    }
    Ok(Options { n: n.ok_or(usage)?, out: out.ok_or(usage)?, seed, xlsx, payments, months })
}

/// One customer: its name, currency and whether it corresponds in Chinese.
struct Customer {
    name: String,
    currency: &'static str,
    chinese: bool,
}

/// `items[n % len]`.
fn nth<T: Copy>(items: &[T], n: u64) -> T {
    items[usize::try_from(n % items.len() as u64).unwrap_or(0)]
}

fn customer(c: u64) -> Customer {
    let chinese = c % 3 != 2;
    let name = if chinese {
        format!("{}{}{c:06}有限公司", nth(&CITIES, c), nth(&TRADES, c / 8))
    } else {
        format!("{} {c:06} {}", nth(&WORDS, c), nth(&FORMS, c / 8))
    };
    let currency = match c % 10 {
        0..=5 => "CNY",
        6 | 7 => "USD",
        8 => "EUR",
        _ => "HKD",
    };
    Customer { name, currency, chinese }
}

fn project_manager(c: u64) -> String {
    format!("pm{:02}@ourcompany.example", c % PROJECT_MANAGERS as u64)
}

/// `-1234` → `-12.34`: minor units as a decimal string with two places.
fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// One generated invoice.
struct Invoice {
    customer: u64,
    number: String,
    issued: NaiveDate,
    due: NaiveDate,
    amount: i64,
    paid: i64,
    project: String,
}

fn invoice(rng: &mut Rng, i: u64, customers: u64, as_of: NaiveDate) -> Invoice {
    let c = rng.below(customers);
    let issued = as_of - Duration::days(rng.below(730).cast_signed());
    let due = issued + Duration::days(rng.pick(&TERMS));
    let mut amount = 1_000 + rng.below(9_999_000).cast_signed();
    let mut paid = 0;
    if rng.chance(50) {
        amount = -(amount / 10);
    } else if rng.chance(100) {
        paid = amount * rng.pick(&[25, 50, 75]) / 100;
    } else if rng.chance(20) {
        paid = amount;
    }
    let project = format!("P{c:06}-{}", rng.below(3));
    Invoice { customer: c, number: format!("INV{i:09}"), issued, due, amount, paid, project }
}

/// One row of `invoices.csv` (the columns of `HEADERS`).
fn write_invoice(csv: &mut csv::Writer<BufWriter<File>>, inv: &Invoice, cust: &Customer) -> Result<(), Error> {
    csv.write_record(invoice_record(inv, cust))?;
    Ok(())
}

/// The fields of [`HEADERS`] for `inv`.
fn invoice_record(inv: &Invoice, cust: &Customer) -> [String; 9] {
    [
        cust.name.clone(),
        inv.number.clone(),
        inv.issued.to_string(),
        inv.due.to_string(),
        decimal(inv.amount),
        decimal(inv.paid),
        cust.currency.to_owned(),
        inv.project.clone(),
        project_manager(inv.customer),
    ]
}

fn create(dir: &Path, name: &str) -> Result<csv::Writer<BufWriter<File>>, Error> {
    let file = File::create(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))?;
    Ok(csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file)))
}

const HEADERS: [&str; 9] = [
    "customer",
    "invoice_no",
    "invoice_date",
    "due_date",
    "amount",
    "paid_amount",
    "currency",
    "project",
    "project_manager",
];

/// The monthly ledger's column after [`HEADERS`]: the day an invoice's last payment was
/// posted, as an open-items export of a ledger gives it (without it, no run could tell in
/// which month a payment came, and every invoice paid since the last run would be "not
/// explained").
const PAID_DATE: &str = "paid_date";

fn main() -> Result<(), Error> {
    let options = parse_args()?;
    std::fs::create_dir_all(&options.out)?;
    let as_of = NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).ok_or("as-of date")?;
    if let Some(months) = options.months {
        return monthly(&options, months, as_of);
    }
    let customers_count = (options.n / 50).max(1);
    let customers: Vec<Customer> = (0..customers_count).map(customer).collect();
    let mut rng = Rng(options.seed);

    let mut csv = create(&options.out, "invoices.csv")?;
    csv.write_record(HEADERS)?;
    let mut workbook = Workbook::new();
    // A fixed creation time, so that the same N and seed give the same bytes.
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&as_of.and_time(chrono::NaiveTime::MIN)));
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let money_format = Format::new().set_num_format("#,##0.00");
    let mut sheet = if options.xlsx {
        let ws = workbook.add_worksheet_with_constant_memory()?.set_name("Invoices")?;
        for (col, header) in (0u16..).zip(HEADERS) {
            ws.write_string(0, col, header)?;
        }
        Some(ws)
    } else {
        None
    };
    let mut payments = options.payments.then(Vec::new);
    let mut payment_rng = Rng(options.seed ^ 0x5EED);
    for i in 0..options.n {
        let inv = invoice(&mut rng, i, customers_count, as_of);
        let cust = &customers[usize::try_from(inv.customer)?];
        write_invoice(&mut csv, &inv, cust)?;
        let pm = project_manager(inv.customer);
        if let Some(ws) = sheet.as_mut() {
            let row = u32::try_from(i + 1)?;
            ws.write_string(row, 0, &cust.name)?;
            ws.write_string(row, 1, &inv.number)?;
            ws.write_date_with_format(row, 2, inv.issued, &date_format)?;
            ws.write_date_with_format(row, 3, inv.due, &date_format)?;
            #[allow(clippy::cast_precision_loss)]
            {
                ws.write_number_with_format(row, 4, inv.amount as f64 / 100.0, &money_format)?;
                ws.write_number_with_format(row, 5, inv.paid as f64 / 100.0, &money_format)?;
            }
            ws.write_string(row, 6, cust.currency)?;
            ws.write_string(row, 7, &inv.project)?;
            ws.write_string(row, 8, &pm)?;
        }
        let open = inv.amount - inv.paid;
        if let Some(list) = payments.as_mut()
            && open > 0
            && payment_rng.chance(5)
        {
            list.push(payment(&mut payment_rng, &inv, cust, open, as_of));
        }
    }
    csv.flush()?;
    if options.xlsx {
        workbook.save(options.out.join("invoices.xlsx"))?;
    }
    write_contacts(&options.out, &customers)?;
    write_projects(&options.out, &customers, &mut Rng(options.seed ^ 0x00C0_FFEE), as_of)?;
    if let Some(list) = payments {
        let mut w = create(&options.out, "payments.csv")?;
        w.write_record(["Date", "Payer", "Amount", "Currency", "Reference"])?;
        for record in list {
            w.write_record(record)?;
        }
        w.flush()?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} invoices, {customers_count} customers in {}", options.n, options.out.display())?;
    Ok(())
}

/// A receipt in November: the exact open amount quoting the invoice, a lump sum from the
/// customer, or (1 in 20) a payer that is no customer.
fn payment(rng: &mut Rng, inv: &Invoice, cust: &Customer, open: i64, as_of: NaiveDate) -> [String; 5] {
    let date = (as_of - Duration::days(rng.below(25).cast_signed())).to_string();
    let currency = cust.currency.to_owned();
    match rng.below(20) {
        0 => {
            [date, format!("Unknown Trading {:04}", rng.below(10_000)), decimal(open / 3 + 1), currency, String::new()]
        }
        1..=10 => [date, cust.name.clone(), decimal(open), currency, format!("{} payment", inv.number)],
        _ => [date, cust.name.clone(), decimal(open / 2 + 1), currency, "remittance".to_owned()],
    }
}

fn write_contacts(dir: &Path, customers: &[Customer]) -> Result<(), Error> {
    let mut w = create(dir, "contacts.csv")?;
    w.write_record(["customer", "name", "role", "email", "language"])?;
    for (c, cust) in customers.iter().enumerate() {
        if c % 100 == 99 {
            continue; // no contacts on file: the run makes tasks to add them
        }
        let roles: [(&str, &str, &str); 3] = if cust.chinese {
            [("陈静", "对账", "ap"), ("刘洋", "财务", "finance"), ("赵总", "总经理", "gm")]
        } else {
            [("Ann Lee", "billing", "ap"), ("Bob Stone", "finance", "finance"), ("Carol Diaz", "approver", "cfo")]
        };
        let language = if cust.chinese { "zh" } else { "en" };
        for (name, role, mailbox) in roles {
            w.write_record([&cust.name, name, role, &format!("{mailbox}@c{c:06}.example.com"), language])?;
        }
    }
    w.flush()?;
    Ok(())
}

fn write_projects(dir: &Path, customers: &[Customer], rng: &mut Rng, as_of: NaiveDate) -> Result<(), Error> {
    let mut w = create(dir, "projects.csv")?;
    w.write_record([
        "project",
        "customer",
        "project_manager",
        "go_live_date",
        "acceptance_date",
        "open_critical_issues",
        "status_note",
    ])?;
    for (c, cust) in (0u64..).zip(customers) {
        for k in 0..3 {
            let go_live = if rng.chance(10) {
                (as_of - Duration::days(rng.below(7).cast_signed())).to_string()
            } else {
                String::new()
            };
            let (issues, note) = if rng.chance(10) {
                let n = 1 + rng.below(3);
                (
                    n.to_string(),
                    if cust.chinese {
                        format!("{n} 个严重缺陷待修复")
                    } else {
                        format!("{n} critical defects open")
                    },
                )
            } else {
                ("0".to_owned(), String::new())
            };
            w.write_record([&format!("P{c:06}-{k}"), &cust.name, &project_manager(c), &go_live, "", &issues, &note])?;
        }
    }
    w.flush()?;
    Ok(())
}

// ---- the monthly ledger (--months) ---------------------------------------------------

/// Days an invoice's issue date may lie before a month-end and still be in the export.
const WINDOW_DAYS: i64 = 730;
/// Days between a payment's receipt and its posting in the ledger.
const POSTED_AFTER_DAYS: i64 = 3;
/// An export holds about this many days of issued invoices: each invoice stays from its
/// issue until the month-end after its last payment is posted (on average about 239 days:
/// 52% paid about 74 days after issue, 43% paid late, about 430 days after, credit notes
/// applied after about 75 days). N rows need N / 239 invoices a day.
const ROW_DAYS: u64 = 239;

/// What becomes of an invoice of the ledger: every invoice is paid in the end (a credit
/// note applied), within the two years of the export, so that nothing leaves it unpaid.
#[derive(Clone, Copy)]
enum Fate {
    /// Paid in full on that day.
    Full(NaiveDate),
    /// This much paid on the first day, the rest on the second.
    Part(i64, NaiveDate, NaiveDate),
}

impl Fate {
    /// The payments: amount and day.
    fn payments(self, amount: i64) -> [Option<(i64, NaiveDate)>; 2] {
        match self {
            Self::Full(day) => [Some((amount, day)), None],
            Self::Part(part, first, rest) => [Some((part, first)), Some((amount - part, rest))],
        }
    }

    /// The day of the last payment.
    fn settled(self) -> NaiveDate {
        match self {
            Self::Full(day) | Self::Part(_, _, day) => day,
        }
    }
}

/// Invoice `k` of the ledger: issued on day `k / per_day` after `start`, its customer,
/// terms, amount and fate fixed by `k` (not by the month-end looked at).
fn ledger_invoice(seed: u64, k: u64, per_day: u64, start: NaiveDate, customers: u64) -> (Invoice, Fate) {
    let mut rng = Rng(seed ^ k.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let c = rng.below(customers);
    let issued = start + Duration::days((k / per_day).cast_signed());
    let due = issued + Duration::days(rng.pick(&TERMS));
    let mut amount = 1_000 + rng.below(9_999_000).cast_signed();
    let days = |rng: &mut Rng, from: i64, to: i64| {
        Duration::days(from + rng.below((to - from + 1).cast_unsigned()).cast_signed())
    };
    // Late payments come within the export's two years.
    let last = issued + Duration::days(WINDOW_DAYS - 40);
    let fate = match rng.below(1000) {
        0..50 => {
            amount = -(amount / 10);
            Fate::Full(issued + days(&mut rng, 30, 120))
        }
        50..573 => Fate::Full((due + days(&mut rng, -5, 45)).max(issued)),
        573..663 => {
            let part = amount * rng.pick(&[25, 50, 75]) / 100;
            let first = due + days(&mut rng, 0, 30);
            Fate::Part(part, first, (first + days(&mut rng, 30, 600)).min(last))
        }
        _ => Fate::Full((due + days(&mut rng, 46, 700)).min(last)),
    };
    let project = format!("P{c:06}-{}", rng.below(3));
    (Invoice { customer: c, number: format!("INV{k:09}"), issued, due, amount, paid: 0, project }, fate)
}

/// True with probability `per_mille` / 1000, fixed by `key`.
fn keyed_chance(key: u64, per_mille: u64) -> bool {
    Rng(key).chance(per_mille)
}

/// The last day of the month of `day`.
fn month_end(day: NaiveDate) -> Option<NaiveDate> {
    day.with_day(1)?.checked_add_months(chrono::Months::new(1))?.pred_opt()
}

/// `--months M`: the month-ends of a ledger, see the module's documentation.
fn monthly(options: &Options, months: u32, last: NaiveDate) -> Result<(), Error> {
    use std::fmt::Write as _;
    if months == 0 {
        return Err("--months must be at least 1".into());
    }
    let ends: Vec<NaiveDate> = (0..months)
        .rev()
        .map(|back| last.with_day(1).and_then(|d| d.checked_sub_months(chrono::Months::new(back))).and_then(month_end))
        .collect::<Option<_>>()
        .ok_or("month-end dates")?;
    let start = ends[0] - Duration::days(WINDOW_DAYS - 1);
    let per_day = (options.n / ROW_DAYS).max(1);
    let customers_count = (options.n / 50).max(1);
    let customers: Vec<Customer> = (0..customers_count).map(customer).collect();
    write_contacts(&options.out, &customers)?;
    write_projects(&options.out, &customers, &mut Rng(options.seed ^ 0x00C0_FFEE), last)?;
    let mut listing = String::new();
    for (m, &end) in (1u32..).zip(&ends) {
        let dir = options.out.join(format!("month-{m:02}"));
        std::fs::create_dir_all(&dir)?;
        let first_day = end.with_day(1).ok_or("month start")?;
        let days = |d: NaiveDate| u64::try_from((d - start).num_days()).unwrap_or(0);
        let (from, to) = (days(end - Duration::days(WINDOW_DAYS - 1)) * per_day, (days(end) + 1) * per_day);
        let mut csv = create(&dir, "invoices.csv")?;
        csv.write_record(HEADERS.iter().copied().chain([PAID_DATE]))?;
        let mut bank = create(&dir, "payments.csv")?;
        bank.write_record(["Date", "Payer", "Amount", "Currency", "Reference"])?;
        let mut followups = create(&dir, "followups.csv")?;
        followups.write_record(["customer", "invoice_no", "disputed", "promise_to_pay_date", "note"])?;
        let mut rows = 0u64;
        for k in from..to {
            let (mut inv, fate) = ledger_invoice(options.seed, k, per_day, start, customers_count);
            let cust = &customers[usize::try_from(inv.customer)?];
            if fate.settled() + Duration::days(POSTED_AFTER_DAYS) < first_day {
                continue; // settled before this month: gone from the export
            }
            // What the ledger has posted, and what the bank received but the ledger not yet.
            let mut posted = None;
            for (amount, day) in fate.payments(inv.amount).into_iter().flatten() {
                if day + Duration::days(POSTED_AFTER_DAYS) <= end {
                    inv.paid += amount;
                    posted = Some(day + Duration::days(POSTED_AFTER_DAYS));
                } else if day <= end && amount > 0 {
                    let mut rng = Rng(options.seed ^ 0xBA4C ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                    let (payer, reference) = match rng.below(20) {
                        0 => (format!("Unknown Trading {:04}", rng.below(10_000)), String::new()),
                        1..=15 => (cust.name.clone(), format!("{} payment", inv.number)),
                        _ => (cust.name.clone(), "remittance".to_owned()),
                    };
                    bank.write_record([day.to_string(), payer, decimal(amount), cust.currency.to_owned(), reference])?;
                }
            }
            let paid_date = posted.map(|day| day.to_string()).unwrap_or_default();
            csv.write_record(invoice_record(&inv, cust).iter().map(String::as_str).chain([paid_date.as_str()]))?;
            rows += 1;
            if inv.amount - inv.paid > 0 && inv.due < end {
                let key = options.seed ^ k.wrapping_mul(0xA24B_AED4_963E_E407);
                if keyed_chance(key ^ 0xD15, 3) {
                    let note = if cust.chinese { "对交付有异议" } else { "delivery disputed" };
                    followups.write_record([cust.name.as_str(), &inv.number, "yes", "", note])?;
                } else if keyed_chance(key ^ u64::from(m).wrapping_mul(0x9FB2_1C65_1E98_DF25), 5) {
                    let promised = (end + Duration::days(14)).to_string();
                    let note = if cust.chinese { "财务承诺付款" } else { "AP promised payment" };
                    followups.write_record([cust.name.as_str(), &inv.number, "", &promised, note])?;
                }
            }
        }
        csv.flush()?;
        bank.flush()?;
        followups.flush()?;
        writeln!(listing, "month-{m:02}\t{end}\t{rows}")?;
    }
    std::fs::write(options.out.join("months.tsv"), &listing)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{listing}")?;
    writeln!(out, "{customers_count} customers, {per_day} invoices a day, in {}", options.out.display())?;
    Ok(())
}
