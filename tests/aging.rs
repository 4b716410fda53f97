//! Hand-checked aging as of 2024-03-01 (a leap year: 2024-02-29 is 1 day past due, and
//! 2024-01-31 is 30). Every expected figure below was worked out by hand from
//! `tests/fixtures/handchecked.csv`:
//!
//! | invoice | due        | days | bucket   | open      |
//! |---------|------------|------|----------|-----------|
//! | A-001   | 2024-03-01 | 0    | Not due  | 1000.00   |
//! | A-002   | 2024-03-15 | -14  | Not due  | 500.50    |
//! | A-003   | 2024-02-29 | 1    | 1-30     | 1500.00 (2000.00 − 500.00 paid) |
//! | B-001   | 2024-01-31 | 30   | 1-30     | USD 300.00 |
//! | B-002   | 2024-01-30 | 31   | 31-60    | USD 250.25 |
//! | B-003   | 2024-01-01 | 60   | 31-60    | USD 99.99 |
//! | H-001   | 2023-12-31 | 61   | 61-90    | 12345.67  |
//! | H-002   | —          | —    | closed (paid in full) | 0 |
//! | H-003   | 2023-12-02 | 90   | 61-90    | 7000.00   |
//! | G-001   | 2023-12-01 | 91   | 91-120   | 4000.00   |
//! | G-002   | 2023-11-02 | 120  | 91-120   | 3000.00   |
//! | G-003   | 2023-11-01 | 121  | Over 120 | 2500.00   |
//! | CN-001  | 2023-01-15 | 411  | Over 120 | -800.00 (credit note) |
//! | D-001   | —          | —    | future-dated (invoiced 2024-03-02) | |
//! | D-002   | 2024-03-31 | -30  | Not due  | USD 1000.00 (1200.00 − 200.00) |
//! | E-003   | —          | —    | closed   | 0 |
//! | S-001   | 2024-02-09 | 21   | 1-30     | 1234.56   |
//! | X-001, E-001, E-002, A-004 | rejected (empty customer, 2024-02-30, "abc", currency "XYZ1") |
use crate::util::{Workspace, fixture, read_sheet, read_summary};

fn run_fixture(name: &str) -> (Workspace, crate::util::Summary) {
    let ws = Workspace::new();
    ws.payback()
        .args(["run", "--as-of", "2024-03-01", "--invoices"])
        .arg(fixture(name))
        .arg("--out")
        .arg(ws.out())
        .status(1); // 1: the report is written, but rows were rejected
    let summary = read_summary(&ws.out());
    (ws, summary)
}

/// `blank`: blank lines skipped (the CSV has one; the workbooks were made without it).
fn assert_handchecked(summary: &crate::util::Summary, blank: usize) {
    assert_eq!(summary.as_of, "2024-03-01");
    assert_eq!(summary.basis, "due_date");
    let rows = &summary.rows;
    assert_eq!((rows.read, rows.accepted, rows.rejected, rows.closed, rows.future_dated), (21, 14, 4, 2, 1));
    assert_eq!(rows.skipped(), [0, blank, 0, 0, 0, 0]);
    assert_eq!(summary.customers, 6);
    let cny = &summary.currencies["CNY"];
    assert_eq!(
        cny.figures(),
        [
            ("Not due", 2, "1500.50"),
            ("1-30", 2, "2734.56"),
            ("31-60", 0, "0.00"),
            ("61-90", 2, "19345.67"),
            ("91-120", 2, "7000.00"),
            ("Over 120", 2, "1700.00"),
        ]
    );
    assert_eq!((cny.total_open.as_str(), cny.count), ("32280.73", 10));
    // Overdue: the 7 owed items past due (A-003, H-001, H-003, G-001, G-002, G-003,
    // S-001) = 1500.00 + 12345.67 + 7000.00 + 4000.00 + 3000.00 + 2500.00 + 1234.56 =
    // 31580.23; the credit note CN-001 is never overdue (issue 20).
    assert_eq!((cny.overdue.as_str(), cny.overdue_count), ("31580.23", 7));
    let usd = &summary.currencies["USD"];
    assert_eq!(
        usd.figures(),
        [
            ("Not due", 1, "1000.00"),
            ("1-30", 1, "300.00"),
            ("31-60", 2, "350.24"),
            ("61-90", 0, "0.00"),
            ("91-120", 0, "0.00"),
            ("Over 120", 0, "0.00"),
        ]
    );
    assert_eq!((usd.total_open.as_str(), usd.count), ("1650.24", 4));
    assert_eq!((usd.overdue.as_str(), usd.overdue_count), ("650.24", 3));
    assert_eq!(summary.currencies.len(), 2);
    let bounds: Vec<_> = cny.buckets.iter().map(|b| (b.min_days, b.max_days)).collect();
    assert_eq!(
        bounds,
        [
            (None, Some(0)),
            (Some(1), Some(30)),
            (Some(31), Some(60)),
            (Some(61), Some(90)),
            (Some(91), Some(120)),
            (Some(121), None)
        ]
    );
}

#[test]
fn csv_buckets_match_the_hand_computation() {
    let (_ws, summary) = run_fixture("handchecked.csv");
    assert_handchecked(&summary, 1);
    assert_eq!(summary.inputs[0].sheet, None);
}

/// `handchecked.xls` and `.ods` are `handchecked.xlsx` converted by `LibreOffice`
/// (`soffice --headless --convert-to xls|ods`).
#[test]
fn workbooks_with_date_and_number_cells_give_the_same_figures() {
    for name in ["handchecked.xlsx", "handchecked.xls", "handchecked.ods"] {
        let (_ws, summary) = run_fixture(name);
        assert_handchecked(&summary, 0);
        assert_eq!(summary.inputs[0].sheet.as_deref(), Some("Open Items"), "{name}");
    }
}

#[test]
fn detail_rows_carry_days_past_due_and_bucket_at_the_edges() {
    let (ws, _) = run_fixture("handchecked.csv");
    let rows = read_sheet(&ws.out().join("aging-report.xlsx"), "Detail");
    let got: Vec<(&str, &str, &str, &str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[1].as_str(), r[3].as_str(), r[4].as_str(), r[6].as_str(), r[7].as_str(), r[9].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("A-003", "2024-02-29", "CNY", "1500", "1", "1-30"),
            ("A-001", "2024-03-01", "CNY", "1000", "0", "Not due"),
            ("A-002", "2024-03-15", "CNY", "500.5", "-14", "Not due"),
            ("B-003", "2024-01-01", "USD", "99.99", "60", "31-60"),
            ("B-002", "2024-01-30", "USD", "250.25", "31", "31-60"),
            ("B-001", "2024-01-31", "USD", "300", "30", "1-30"),
            ("D-002", "2024-03-31", "USD", "1000", "-30", "Not due"),
            ("CN-001", "2023-01-15", "CNY", "-800", "411", "Over 120"),
            ("G-003", "2023-11-01", "CNY", "2500", "121", "Over 120"),
            ("G-002", "2023-11-02", "CNY", "3000", "120", "91-120"),
            ("G-001", "2023-12-01", "CNY", "4000", "91", "91-120"),
            ("S-001", "2024-02-09", "CNY", "1234.56", "21", "1-30"),
            ("H-003", "2023-12-02", "CNY", "7000", "90", "61-90"),
            ("H-001", "2023-12-31", "CNY", "12345.67", "61", "61-90"),
        ]
    );
    // Source rows trace each item back to the CSV line.
    let a003 = rows.iter().find(|r| r[1] == "A-003").unwrap();
    assert_eq!((a003[0].as_str(), a003[5].as_str(), a003[15].as_str()), ("Alpha Ltd", "2000", "4"));
}

#[test]
fn rejected_rows_name_their_row_column_and_reason() {
    let (ws, _) = run_fixture("handchecked.csv");
    let rows = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    // The row as read is one wrapped column (issue 23), not one column per input column.
    assert_eq!(rows[0], ["Source File", "Source Row", "Column", "Value", "Reason", "Row as read"]);
    assert_eq!(rows[1][0], fixture("handchecked.csv").display().to_string());
    let got: Vec<[&str; 4]> =
        rows[1..].iter().map(|r| [r[1].as_str(), r[2].as_str(), r[3].as_str(), r[4].as_str()]).collect();
    assert_eq!(
        got,
        [
            ["17", "Customer", "", "Customer is empty"],
            ["18", "Invoice Date", "2024-02-30", "Invoice Date: \"2024-02-30\" is not a day of the calendar"],
            ["19", "Amount", "abc", "Amount: \"abc\" is not an amount"],
            ["23", "Currency", "XYZ1", "Currency: \"XYZ1\" is not a currency code such as CNY, USD or EUR"],
        ]
    );
    // The row as read follows, each non-empty cell with its header.
    assert_eq!(
        rows[2][5],
        "Customer: Epsilon · Invoice No: E-001 · Invoice Date: 2024-02-30 · Due Date: 2024-03-30 · Currency: CNY · \
         Amount: 100.00"
    );
}

#[test]
fn invoice_date_basis_with_custom_buckets() {
    let ws = Workspace::new();
    let rules = ws.write(
        "rules.toml",
        r#"
[aging]
basis = "invoice_date"
buckets = [
  { label = "0-59", max_days = 59 },
  { label = "60+", min_days = 60 },
]
"#,
    );
    ws.payback()
        .args(["run", "--as-of", "2024-03-01", "--invoices"])
        .arg(fixture("handchecked.csv"))
        .arg("--rules")
        .arg(&rules)
        .arg("--out")
        .arg(ws.out())
        .status(1);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.basis, "invoice_date");
    // Invoice ages as of 2024-03-01: A-001 29, A-002 15, A-003 31, S-001 51 → 0-59;
    // H-001 91, H-003 121, G-001 121, G-002 152, G-003 152, CN-001 411 → 60+.
    assert_eq!(summary.currencies["CNY"].figures(), [("0-59", 4, "4235.06"), ("60+", 6, "28045.67")]);
    // B-001 60, B-002 61, B-003 90 → 60+; D-002 1 → 0-59.
    assert_eq!(summary.currencies["USD"].figures(), [("0-59", 1, "1000.00"), ("60+", 3, "650.24")]);
    // Overdue is always counted from the due date (and never includes credit notes).
    assert_eq!(summary.currencies["CNY"].overdue, "31580.23");
}
