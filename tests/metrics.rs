//! The management metrics on a small worked example, three monthly runs carried by the
//! state folder. All amounts CNY (the default currency).
//!
//! The November export (as of 2026-11-30; period 2026-11-01 – 11-30, i.e. after 10-31):
//!
//! | invoice | date | due | amount | paid | open 11-30 | note |
//! |---|---|---|---|---|---|---|
//! | A-1 | 08-15 | 09-14 | 1,000.00 | 1,000.00 on 11-10 | 0 | paid in the period: 87 days to pay, 57 late |
//! | A-2 | 09-10 | 10-10 | 2,000.00 | 500.00 on 10-20 | 1,500.00 | 51 days overdue |
//! | B-1 | 10-05 | 11-04 | 1,200.00 | – | 1,200.00 | 26 days overdue |
//! | B-2 | 11-10 | 12-10 | 3,000.00 | – | 3,000.00 | current, a sale of the period |
//! | B-3 | 11-20 | 12-20 | 800.00 | 800.00 on 11-25 | 0 | a sale of the period, paid in 5 days, 25 early |
//!
//! - Ending AR E = 1,500 + 1,200 + 3,000 = 5,700.00; current 3,000.00; overdue 2,700.00;
//!   overdue share 2,700 / 5,700 = 47.37 % → 47.4.
//! - Beginning AR B (open on 10-31) = A-1 1,000 (paid only on 11-10) + A-2 1,500 + B-1
//!   1,200 = 3,700.00 — from the October run's snapshot, or rebuilt from this export when
//!   there is no earlier run: the same figure.
//! - Credit sales S in the period = B-2 3,000 + B-3 800 = 3,800.00.
//! - CEI = (B + S − E) / (B + S − current) × 100 = (3,700 + 3,800 − 5,700) / (3,700 + 3,800 −
//!   3,000) × 100 = 1,800 / 4,500 × 100 = 40.0.
//! - Collected in the period = A-1 1,000 + B-3 800 = 1,800.00 (= B + S − E).
//! - Simple DSO over 90 days (sales after 09-01: A-2 2,000 + B-1 1,200 + B-2 3,000 + B-3
//!   800 = 7,000): 5,700 / 7,000 × 90 = 73.29 → 73.3.
//! - Countback DSO: Nov (10-30, 11-30], 31 days, sales 3,800 → 5,700 covers it, rest 1,900;
//!   Oct (09-30, 10-30], 30 days, sales 1,200 → covered, rest 700; Sep (08-30, 09-30], 31
//!   days, sales 2,000 → 700 / 2,000 × 31 = 10.85; 31 + 30 + 10.85 = 71.85 → 71.9.
//!
//! September's export (as of 09-30, no earlier run, period after 08-31): A-1 open 1,000.00
//! (16 days overdue) and A-2 2,000.00 (current). B = A-1 1,000; S = A-2 2,000; E = 3,000;
//! CEI = (1,000 + 2,000 − 3,000) / (1,000 + 2,000 − 2,000) = 0.0. DSO = 3,000 / 3,000 × 90 =
//! 90.0; countback: Sep (08-30, 09-30] 31 days, sales 2,000, rest 1,000; Aug (07-30, 08-30]
//! 31 days, sales 1,000 → 1,000 / 1,000 × 31; 31 + 31 = 62.0.
//!
//! October's export (as of 10-31, period after 09-30): A-1 1,000.00 and A-2 1,500.00 (500.00
//! paid on 10-20) overdue, B-1 1,200.00 current. B = September's E 3,000; S = B-1 1,200;
//! E = 3,700, current 1,200; CEI = (3,000 + 1,200 − 3,700) / (3,000 + 1,200 − 1,200) =
//! 500 / 3,000 = 16.67 → 16.7; collected = A-2's 500.00 on 10-20; overdue share 2,500 /
//! 3,700 = 67.6. DSO: sales after 08-02 = 1,000 + 2,000 + 1,200 = 4,200; 3,700 / 4,200 × 90 =
//! 79.29 → 79.3. Countback: Oct (09-30, 10-31] 31 days, 1,200, rest 2,500; Sep (08-31,
//! 09-30] 30 days, 2,000, rest 500; Aug (07-31, 08-31] 31 days, 1,000 → 500 / 1,000 × 31 =
//! 15.5; 31 + 30 + 15.5 = 76.5.
use crate::util::{Workspace, read_sheet, read_summary, row_starting};

const HEADER: &str = "Customer,Invoice No,Invoice Date,Due Date,Amount,Paid Amount,Paid Date,Project Manager\n";

const SEPTEMBER: &str = "ACME,A-1,2026-08-15,2026-09-14,1000.00,0,,Li Na
ACME,A-2,2026-09-10,2026-10-10,2000.00,0,,Li Na
";

const OCTOBER: &str = "ACME,A-1,2026-08-15,2026-09-14,1000.00,0,,Li Na
ACME,A-2,2026-09-10,2026-10-10,2000.00,500.00,2026-10-20,Li Na
Beta Ltd,B-1,2026-10-05,2026-11-04,1200.00,0,,Wang Lei
";

const NOVEMBER: &str = "ACME,A-1,2026-08-15,2026-09-14,1000.00,1000.00,2026-11-10,Li Na
ACME,A-2,2026-09-10,2026-10-10,2000.00,500.00,2026-10-20,Li Na
Beta Ltd,B-1,2026-10-05,2026-11-04,1200.00,0,,Wang Lei
Beta Ltd,B-2,2026-11-10,2026-12-10,3000.00,0,,Wang Lei
Beta Ltd,B-3,2026-11-20,2026-12-20,800.00,800.00,2026-11-25,Wang Lei
";

fn run(ws: &Workspace, export: &str, as_of: &str) {
    ws.write("invoices.csv", &format!("{HEADER}{export}"));
    ws.payback().args(["run", "--as-of", as_of, "--invoices", "invoices.csv"]).status(0);
}

/// `(dso, dso_countback, cei, overdue_share, beginning_ar, sales, collected)` of CNY.
fn cny_metrics(ws: &Workspace) -> [Option<String>; 7] {
    let summary = read_summary(&ws.out());
    let m = &summary.currencies["CNY"].metrics;
    [
        m.dso.clone(),
        m.dso_countback.clone(),
        m.cei.clone(),
        m.overdue_share.clone(),
        Some(m.beginning_ar.clone()),
        Some(m.sales.clone()),
        Some(m.collected.clone()),
    ]
}

fn some(values: [&str; 7]) -> [Option<String>; 7] {
    values.map(|v| Some(v.to_owned()))
}

#[test]
fn dso_and_cei_of_the_worked_example_without_an_earlier_run() {
    let ws = Workspace::new();
    run(&ws, NOVEMBER, "2026-11-30");
    let summary = read_summary(&ws.out());
    assert_eq!(
        (summary.period.start.as_str(), summary.period.end.as_str(), summary.period.beginning.as_str()),
        ("2026-10-31", "2026-11-30", "rebuilt")
    );
    let cny = &summary.currencies["CNY"];
    assert_eq!((cny.total_open.as_str(), cny.overdue.as_str()), ("5700.00", "2700.00"));
    assert_eq!(cny_metrics(&ws), some(["73.3", "71.9", "40.0", "47.4", "3700.00", "3800.00", "1800.00"]));
}

#[test]
fn the_trend_after_three_monthly_runs() {
    let ws = Workspace::new();
    run(&ws, SEPTEMBER, "2026-09-30");
    assert_eq!(cny_metrics(&ws), some(["90.0", "62.0", "0.0", "33.3", "1000.00", "2000.00", "0.00"]));
    run(&ws, OCTOBER, "2026-10-31");
    assert_eq!(read_summary(&ws.out()).period.beginning, "previous_run");
    assert_eq!(cny_metrics(&ws), some(["79.3", "76.5", "16.7", "67.6", "3000.00", "1200.00", "500.00"]));
    run(&ws, NOVEMBER, "2026-11-30");
    let summary = read_summary(&ws.out());
    assert_eq!((summary.period.start.as_str(), summary.period.beginning.as_str()), ("2026-10-31", "previous_run"));
    // The beginning AR from October's snapshot equals the one rebuilt from November's export.
    assert_eq!(cny_metrics(&ws), some(["73.3", "71.9", "40.0", "47.4", "3700.00", "3800.00", "1800.00"]));

    // The state keeps one snapshot per run; a rerun of November replaces its snapshot.
    run(&ws, NOVEMBER, "2026-11-30");
    let db = rusqlite::Connection::open(ws.path().join("state/payback.db")).unwrap();
    let mut stmt = db
        .prepare(
            "SELECT r.as_of, t.open FROM trend t JOIN runs r ON r.id = t.run_id
             WHERE r.status = 'published' AND t.currency = 'CNY' ORDER BY r.as_of",
        )
        .unwrap();
    let dates: Vec<(String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let dates: Vec<&str> = dates.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(dates, ["2026-09-30", "2026-10-31", "2026-11-30"]);

    // The Management sheet's trend table: as of, currency, open, overdue, overdue %, DSO,
    // DSO countback, CEI %, collected.
    let rows = read_sheet(&ws.out().join("aging-report.xlsx"), "Management");
    let start = rows.iter().position(|r| r[0].starts_with("Trend: the last 3 runs")).unwrap() + 2;
    let table: Vec<Vec<&str>> =
        rows[start..start + 3].iter().map(|r| r[..9].iter().map(String::as_str).collect()).collect();
    assert_eq!(
        table,
        [
            ["2026-09-30", "CNY", "3000", "1000", "0.333", "90", "62", "0", "0"],
            ["2026-10-31", "CNY", "3700", "2500", "0.676", "79.3", "76.5", "0.167", "500"],
            ["2026-11-30", "CNY", "5700", "2700", "0.474", "73.3", "71.9", "0.4", "1800"],
        ]
    );
}

#[test]
fn management_sheet_lists_customers_managers_and_days_to_pay() {
    let ws = Workspace::new();
    run(&ws, NOVEMBER, "2026-11-30");
    let path = ws.out().join("aging-report.xlsx");
    let rows = read_sheet(&path, "Management");
    // Key figures: currency, open, overdue, overdue %, DSO, countback, CEI %, beginning,
    // sales, collected, unapplied.
    assert_eq!(
        row_starting(&rows, "CNY")[..11],
        ["CNY", "5700", "2700", "0.474", "73.3", "71.9", "0.4", "3700", "3800", "1800", "0"]
    );
    // Largest overdue balances: ACME 1,500 (A-2, 51 days), then Beta 1,200 (B-1, 26 days).
    assert_eq!(row_starting(&rows, "ACME")[..5], ["ACME", "CNY", "1500", "1500", "51"]);
    assert_eq!(row_starting(&rows, "Beta Ltd")[..5], ["Beta Ltd", "CNY", "1200", "4200", "26"]);
    // Per project manager: open invoices, open, overdue, collected in the period.
    assert_eq!(row_starting(&rows, "Li Na")[..6], ["Li Na", "CNY", "1", "1500", "1500", "1000"]);
    assert_eq!(row_starting(&rows, "Wang Lei")[..6], ["Wang Lei", "CNY", "2", "4200", "1200", "800"]);
    // Days to pay: A-1 87 days (57 late), B-3 5 days (25 early: 0 days late, −25 after due).
    let days = read_sheet(&path, "Days to Pay");
    assert_eq!(days[1..], [["ACME", "1", "87", "87", "57", "57"], ["Beta Ltd", "1", "5", "5", "0", "-25"]]);
}

#[test]
fn the_management_summary_email_in_both_languages() {
    let ws = Workspace::new();
    run(&ws, NOVEMBER, "2026-11-30");
    let file = ws.out().join("internal/000-management_summary.eml");
    let zh = &crate::email::parse(&[file])[0];
    assert_eq!(zh.to_addresses, ["finance.director@yourcompany.example"]);
    assert_eq!(zh.subject, "应收账款管理报告（2026年11月30日）：CNY 逾期 ¥2,700.00，DSO 73.3 天");
    assert!(
        zh.defects.is_empty()
            && zh.html.as_deref().unwrap().contains(
                "<td style=\"padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: right;\">40.0</td>"
            )
    );
    insta::assert_snapshot!("management_summary_worked_example.zh", zh.plain.as_deref().unwrap().replace("\r\n", "\n"));

    ws.write(
        "rules.toml",
        "[company]\nlanguage = \"en\"\n[management]\nname = \"Grace Ho\"\nemail = \"grace.ho@yourcompany.example\"\n",
    );
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--rules", "rules.toml"])
        .status(0);
    let en = &crate::email::parse(&[ws.out().join("internal/000-management_summary.eml")])[0];
    assert_eq!(en.to_names, ["Grace Ho"]);
    assert_eq!(en.subject, "Collections report Nov 30, 2026: CNY ¥2,700.00 overdue, DSO 73.3 days");
    insta::assert_snapshot!("management_summary_worked_example.en", en.plain.as_deref().unwrap().replace("\r\n", "\n"));
    let outbox = std::fs::read_to_string(ws.out().join("outbox.csv")).unwrap();
    assert!(outbox.contains("internal/000-management_summary.eml,grace.ho@yourcompany.example,"), "{outbox}");

    // No address, no summary.
    ws.write("rules.toml", "[management]\nemail = \"\"\n");
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--rules", "rules.toml"])
        .status(0);
    assert!(!ws.out().join("internal/000-management_summary.eml").exists());
}

#[test]
fn held_amounts_and_a_stuck_approval_on_the_management_sheet() {
    let ws = Workspace::new();
    ws.write("invoices.csv", &format!("{HEADER}{NOVEMBER}"));
    // ACME disputes; Beta's payment has sat at the general manager since 11-05 (25 days,
    // stuck from 14 days on) — B-1 and B-2 are open: 4,200.00.
    ws.write(
        "followups.csv",
        "customer,invoice_no,disputed,promise_to_pay_date,process_stage,stage_since,approver\n\
         ACME,,yes,,,,\n\
         Beta Ltd,,,,GM approval,2026-11-05,Mr Zhao\n",
    );
    let args = ["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--followups", "followups.csv"];
    ws.payback().args(args).status(0);
    let rows = read_sheet(&ws.out().join("aging-report.xlsx"), "Management");
    // Held back: reason, currency, customers, invoices, amount.
    assert_eq!(row_starting(&rows, "Disputed")[..5], ["Disputed", "CNY", "1", "1", "1500"]);
    // Approvals: customer, invoice, approver, stage, since, days, currency, amount, status.
    let approval = rows.iter().find(|r| r[2] == "Mr Zhao").unwrap();
    assert_eq!(
        approval[..9],
        [
            "Beta Ltd",
            "all open",
            "Mr Zhao",
            "GM approval",
            "2026-11-05",
            "25",
            "CNY",
            "4200",
            "stuck: status report to the approver"
        ]
    );
}
