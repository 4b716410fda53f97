//! The bundled sample data (the README's first command) and repeatability.
use crate::util::{Workspace, read_sheet, read_summary, repo, sheet_names};

#[test]
fn sample_data_runs_end_to_end() {
    let ws = Workspace::new();
    let done = ws
        .payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices"])
        .arg(repo().join("sample-data/invoices.xlsx"))
        .arg("--out")
        .arg(ws.out())
        .status(1);
    assert!(done.stdout.contains("156 rows read: 135 open, 16 closed, 1 future-dated, 4 rejected"), "{}", done.stdout);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.customers, 36);
    assert_eq!(summary.currencies["CNY"].total_open, "27577186.72");
    assert_eq!(summary.currencies["USD"].total_open, "3195116.93");
    let path = ws.out().join("aging-report.xlsx");
    assert_eq!(sheet_names(&path), ["Summary", "Actions", "Holds", "By Customer", "Detail", "Rejected", "Skipped"]);
    let reasons: Vec<String> = read_sheet(&path, "Rejected")[1..].iter().map(|r| r[4].clone()).collect();
    assert_eq!(
        reasons,
        [
            "Customer is empty",
            "Invoice Date: \"2026-02-30\" is not a day of the calendar",
            "Amount: \"TBD\" is not an amount",
            "Currency: \"US Dollar\" is not a currency code such as CNY, USD or EUR",
        ]
    );
}

#[test]
fn same_inputs_give_byte_identical_outputs() {
    let ws = Workspace::new();
    let input = repo().join("sample-data/invoices.xlsx");
    for out in ["a", "b"] {
        ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices"]).arg(&input).args(["--out", out]).status(1);
    }
    for file in ["aging-report.xlsx", "summary.json"] {
        let a = std::fs::read(ws.path().join("a").join(file)).unwrap();
        let b = std::fs::read(ws.path().join("b").join(file)).unwrap();
        assert!(a == b, "{file} differs between two runs");
    }
}
