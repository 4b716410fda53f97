//! Several inputs at once: combined figures, each row traced to its file, duplicate
//! invoices counted once, and control totals per file.
use crate::util::{Workspace, fixture, read_sheet, read_summary};

const EAST: &str = "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\n\
    ACME,INV-1,2026-10-01,2026-10-31,100.00,CNY\n\
    ACME,INV-2,2026-11-01,2026-12-01,250.50,CNY\n";
const WEST: &str = "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\n\
    Bolt,W-7,2026-09-01,2026-10-01,40.00,USD\n\
    ACME,INV-2,2026-11-01,2026-12-01,250.50,CNY\n";

#[test]
fn two_exports_are_combined_and_traced() {
    let ws = Workspace::new();
    ws.write("east.csv", EAST);
    ws.write("west.csv", WEST);
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "east.csv", "--invoices", "west.csv"]).status(1);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.inputs.len(), 2);
    assert_eq!(summary.inputs[0].file, "east.csv");
    assert_eq!(summary.inputs[1].rows.figures(), [2, 1, 1, 0, 0]);
    assert_eq!(summary.rows.figures(), [4, 3, 1, 0, 0]);
    // INV-2 appears in both: counted once, from east.csv.
    assert_eq!(summary.currencies["CNY"].total_open, "350.50");
    assert_eq!(summary.currencies["USD"].total_open, "40.00");
    // west.csv: 290.50 read in two currencies; the duplicate's 250.50 is rejected.
    assert_eq!(summary.inputs[1].amounts["CNY"].figures(), ["250.50", "0.00", "0.00", "250.50", "0.00"]);
    assert_eq!(summary.inputs[1].amounts["USD"].figures(), ["40.00", "40.00", "0.00", "0.00", "0.00"]);
    let path = ws.out().join("aging-report.xlsx");
    let rejected = read_sheet(&path, "Rejected");
    assert_eq!(
        rejected[1][..5],
        [
            "west.csv",
            "3",
            "invoice_no",
            "INV-2",
            "duplicate invoice: ACME INV-2 is also at east.csv row 3; counted once"
        ]
    );
    let detail = read_sheet(&path, "Detail");
    let traced: Vec<(&str, &str, &str)> =
        detail[1..].iter().map(|r| (r[1].as_str(), r[14].as_str(), r[15].as_str())).collect();
    assert_eq!(traced, [("INV-1", "east.csv", "2"), ("INV-2", "east.csv", "3"), ("W-7", "west.csv", "2")]);
}

#[test]
fn duplicates_can_be_warned_instead_of_rejected() {
    let ws = Workspace::new();
    ws.write("east.csv", EAST);
    ws.write("west.csv", WEST);
    ws.write("rules.toml", "[input]\nduplicates = \"warn\"\n");
    let args =
        ["run", "--as-of", "2026-11-30", "--rules", "rules.toml", "--invoices", "east.csv", "--invoices", "west.csv"];
    ws.payback().args(args).status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.rows.figures(), [3, 3, 0, 0, 0]);
    assert_eq!(summary.rows.skipped()[5], 1);
    assert_eq!(summary.currencies["CNY"].total_open, "350.50");
    assert_eq!(summary.inputs[1].amounts["CNY"].figures(), ["250.50", "0.00", "0.00", "0.00", "250.50"]);
    let skipped = read_sheet(&ws.out().join("aging-report.xlsx"), "Skipped");
    assert_eq!(skipped[1][..3], ["west.csv", "3", "duplicate invoice (kept the first)"]);
}

#[test]
fn duplicate_within_one_file_is_rejected() {
    let ws = Workspace::new();
    ws.write("ar.csv", &format!("{EAST}ACME,INV-1,2026-10-01,2026-10-31,100.00,CNY\n"));
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "ar.csv"]).status(1);
    let rejected = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    assert_eq!(rejected[1][4], "duplicate invoice line: ACME INV-1 is the same as row 2 in every cell; counted once");
    assert_eq!(read_summary(&ws.out()).currencies["CNY"].total_open, "350.50");
}

#[test]
fn control_totals_count_rejected_amounts_that_could_be_read() {
    let ws = Workspace::new();
    let summary = {
        ws.payback()
            .args(["run", "--as-of", "2024-03-01", "--invoices"])
            .arg(fixture("handchecked.csv"))
            .arg("--out")
            .arg(ws.out())
            .status(1);
        read_summary(&ws.out())
    };
    // CNY read: the 10 open items (32,280.73), the two closed rows (0), and the rejected
    // rows whose amount could be read: X-001 100.00 and E-001 100.00 (E-002 "abc" has
    // none; A-004's currency "XYZ1" is unknown, so its amount is in no currency).
    assert_eq!(summary.inputs[0].amounts["CNY"].figures(), ["32480.73", "32280.73", "0.00", "200.00", "0.00"]);
    // USD: D-001 (1,000.00) is future-dated.
    assert_eq!(summary.inputs[0].amounts["USD"].figures(), ["2650.24", "1650.24", "1000.00", "0.00", "0.00"]);
}
