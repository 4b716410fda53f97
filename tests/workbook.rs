//! The workbook: sheet order, By Customer ordering and totals, and that totals are live
//! formulas whose cached values are the exact figures.
use crate::util::{Workspace, fixture, read_formulas, read_sheet, row_starting, sheet_names};

fn report() -> (Workspace, std::path::PathBuf) {
    let ws = Workspace::new();
    ws.payback()
        .args(["run", "--as-of", "2024-03-01", "--invoices"])
        .arg(fixture("handchecked.csv"))
        .arg("--out")
        .arg(ws.out())
        .status(1);
    let path = ws.out().join("aging-report.xlsx");
    (ws, path)
}

#[test]
fn sheets_come_in_reading_order() {
    let (_ws, path) = report();
    assert_eq!(
        sheet_names(&path),
        ["Management", "Summary", "Actions", "Holds", "By Customer", "Days to Pay", "Detail", "Rejected", "Skipped"]
    );
}

#[test]
fn by_customer_is_sorted_by_overdue_with_live_totals_per_currency() {
    let (_ws, path) = report();
    let rows = read_sheet(&path, "By Customer");
    assert_eq!(
        rows[0],
        [
            "Customer", "Currency", "Not due", "1-30", "31-60", "61-90", "91-120", "Over 120", "Total", "Overdue",
            "Items", "Shown"
        ]
    );
    let body: Vec<Vec<&str>> = rows[1..7].iter().map(|r| r[..11].iter().map(String::as_str).collect()).collect();
    assert_eq!(
        body,
        [
            ["华为技术有限公司", "CNY", "0", "0", "0", "19345.67", "0", "0", "19345.67", "19345.67", "2"],
            ["Gamma Co", "CNY", "0", "0", "0", "0", "7000", "1700", "8700", "8700", "4"],
            ["Alpha Ltd", "CNY", "1500.5", "1500", "0", "0", "0", "0", "3000.5", "1500", "3"],
            ["上海建工", "CNY", "0", "1234.56", "0", "0", "0", "0", "1234.56", "1234.56", "1"],
            ["Beta GmbH", "USD", "0", "300", "350.24", "0", "0", "0", "650.24", "650.24", "3"],
            ["Delta Inc", "USD", "1000", "0", "0", "0", "0", "0", "1000", "0", "1"],
        ]
    );
    let cny = row_starting(&rows, "Total CNY");
    assert_eq!(cny[1..11], ["CNY", "1500.5", "2734.56", "0", "19345.67", "7000", "1700", "32280.73", "30780.23", "10"]);
    let usd = row_starting(&rows, "Total USD");
    assert_eq!(usd[1..11], ["USD", "1000", "300", "350.24", "0", "0", "0", "1650.24", "650.24", "4"]);

    let formulas = read_formulas(&path, "By Customer");
    let total_row = rows.iter().position(|r| r[0] == "Total CNY").unwrap();
    assert_eq!(formulas[&(total_row, 8)], "SUMIFS(I2:I7,$B$2:$B$7,\"CNY\",$L$2:$L$7,1)");
    assert_eq!(formulas[&(1, 8)], "SUM(C2:H2)");
    assert_eq!(formulas[&(1, 11)], "SUBTOTAL(103,A2)");
}

#[test]
fn summary_totals_are_formulas_over_detail_with_cached_values() {
    let (_ws, path) = report();
    let rows = read_sheet(&path, "Summary");
    let formulas = read_formulas(&path, "Summary");
    assert_eq!(row_starting(&rows, "Rows read")[1], "21");
    assert_eq!(row_starting(&rows, "Rejected (see Rejected sheet)")[1], "4");
    assert_eq!(row_starting(&rows, "Check")[1], "OK: every row accounted for");
    assert_eq!(row_starting(&rows, "Input")[1], fixture("handchecked.csv").display().to_string());

    let at = |label: &str| rows.iter().position(|r| r[0] == label).unwrap();
    let r = at("Total CNY");
    assert_eq!(rows[r][2..5], ["10", "32280.73", "1"]);
    assert!(formulas[&(r, 3)].starts_with("SUM(D"), "{:?}", formulas[&(r, 3)]);
    let over = r - 1; // "Over 120" is the last bucket row
    assert_eq!(rows[over][..4], ["Over 120", "≥ 121", "2", "1700"]);
    assert_eq!(
        formulas[&(over, 3)],
        "SUMIFS(Detail!$G$2:$G$15,Detail!$E$2:$E$15,\"CNY\",Detail!$J$2:$J$15,\"Over 120\")"
    );
    let usd = at("Total USD");
    assert_eq!(rows[usd][2..4], ["4", "1650.24"]);
    let overdue: Vec<_> = rows.iter().filter(|r| r[0] == "Overdue (past due date)").map(|r| r[2..4].to_vec()).collect();
    assert_eq!(overdue, [["8", "30780.23"], ["3", "650.24"]]);
}

/// The XML of a worksheet part, e.g. `xl/worksheets/sheet2.xml`.
fn sheet_xml(path: &std::path::Path, part: &str) -> String {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive.by_name(part).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn actions_link_to_their_detail_rows_and_lateness_is_coloured() {
    let ws = Workspace::new();
    ws.write("contacts.csv", "customer,name,role,email\nBeta GmbH,Bea,billing,bea@beta.example\n");
    ws.payback()
        .args(["run", "--as-of", "2024-03-01", "--contacts", "contacts.csv", "--invoices"])
        .arg(fixture("handchecked.csv"))
        .status(1);
    let path = ws.out().join("aging-report.xlsx");
    let actions = read_sheet(&path, "Actions");
    let beta = actions.iter().position(|r| r[0] == "Beta GmbH").unwrap();
    assert_eq!(actions[beta][8], "B-003, B-002, B-001");
    // Sheet 3 is Actions: its Invoices cell links to B-003's row on Detail (row 5).
    let xml = sheet_xml(&path, "xl/worksheets/sheet3.xml");
    assert!(xml.contains(&format!("<hyperlink ref=\"I{}\" location=\"Detail!A5\"", beta + 1)), "{xml}");
    let detail = read_sheet(&path, "Detail");
    assert_eq!(detail[4][1], "B-003");
    // Days past due on Detail (sheet 7, column H) are coloured by lateness.
    let xml = sheet_xml(&path, "xl/worksheets/sheet7.xml");
    assert!(xml.contains("<conditionalFormatting sqref=\"H2:H15\">"), "{}", &xml[xml.len().saturating_sub(1500)..]);
}
