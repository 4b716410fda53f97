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
        [
            "Management",
            "Summary",
            "Actions",
            "Holds",
            "History",
            "By Customer",
            "Days to Pay",
            "Detail",
            "Rejected",
            "Skipped"
        ]
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
            ["Gamma Co", "CNY", "0", "0", "0", "0", "7000", "1700", "8700", "9500", "4"],
            ["Alpha Ltd", "CNY", "1500.5", "1500", "0", "0", "0", "0", "3000.5", "1500", "3"],
            ["上海建工", "CNY", "0", "1234.56", "0", "0", "0", "0", "1234.56", "1234.56", "1"],
            ["Beta GmbH", "USD", "0", "300", "350.24", "0", "0", "0", "650.24", "650.24", "3"],
            ["Delta Inc", "USD", "1000", "0", "0", "0", "0", "0", "1000", "0", "1"],
        ]
    );
    let cny = row_starting(&rows, "Total CNY");
    assert_eq!(cny[1..11], ["CNY", "1500.5", "2734.56", "0", "19345.67", "7000", "1700", "32280.73", "31580.23", "10"]);
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
    // The credit note CN-001 (411 days after its date) is never overdue: 7 items, 31580.23.
    assert_eq!(overdue, [["7", "31580.23"], ["3", "650.24"]]);
    let r = rows.iter().position(|r| r[0] == "Overdue (past due date)").unwrap();
    assert_eq!(
        formulas[&(r, 3)],
        "SUMIFS(Detail!$G$2:$G$15,Detail!$E$2:$E$15,\"CNY\",Detail!$H$2:$H$15,\">0\",Detail!$G$2:$G$15,\">0\")"
    );
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
    // Days past due on Detail (sheet 8, column H) are coloured by lateness.
    let xml = sheet_xml(&path, "xl/worksheets/sheet8.xml");
    assert!(xml.contains("<conditionalFormatting sqref=\"H2:H15\">"), "{}", &xml[xml.len().saturating_sub(1500)..]);
}

/// Past one sheet's rows the items continue on "Detail 2", "Detail 3", … and also go to
/// detail.csv; the Summary's formulas add up every Detail sheet and its figures stay
/// those of the unsplit report. Excel's limit is lowered to 5 rows per sheet (a hidden
/// option) so that 14 items make three sheets. See issue 7.
#[test]
fn detail_beyond_one_sheet_continues_on_more_sheets_and_in_detail_csv() {
    let (_whole_ws, whole) = report();
    let ws = Workspace::new();
    ws.payback()
        .args(["run", "--as-of", "2024-03-01", "--detail-sheet-rows", "5", "--invoices"])
        .arg(fixture("handchecked.csv"))
        .status(1);
    let path = ws.out().join("aging-report.xlsx");
    assert_eq!(
        sheet_names(&path),
        [
            "Management",
            "Summary",
            "Actions",
            "Holds",
            "History",
            "By Customer",
            "Days to Pay",
            "Detail",
            "Detail 2",
            "Detail 3",
            "Rejected",
            "Skipped"
        ]
    );
    let unsplit = read_sheet(&whole, "Detail");
    assert_eq!(unsplit.len(), 15, "header and 14 items");
    let mut rows = Vec::new();
    for (sheet, items) in [("Detail", 5), ("Detail 2", 5), ("Detail 3", 4)] {
        let part = read_sheet(&path, sheet);
        assert_eq!(part[0], unsplit[0], "{sheet} has the header");
        assert_eq!(part.len(), items + 1, "{sheet}");
        rows.extend(part[1..].iter().cloned());
    }
    assert_eq!(rows, unsplit[1..], "the same items in the same order");
    assert_eq!(read_sheet(&path, "Summary"), read_sheet(&whole, "Summary"), "the same figures");
    assert_eq!(read_sheet(&path, "By Customer"), read_sheet(&whole, "By Customer"));
    let summary = read_formulas(&path, "Summary");
    let rows_of = read_sheet(&path, "Summary");
    let over = rows_of.iter().position(|r| r[0] == "Total CNY").unwrap() - 1;
    assert_eq!(
        summary[&(over, 3)],
        "SUMIFS(Detail!$G$2:$G$6,Detail!$E$2:$E$6,\"CNY\",Detail!$J$2:$J$6,\"Over 120\")\
         +SUMIFS('Detail 2'!$G$2:$G$6,'Detail 2'!$E$2:$E$6,\"CNY\",'Detail 2'!$J$2:$J$6,\"Over 120\")\
         +SUMIFS('Detail 3'!$G$2:$G$5,'Detail 3'!$E$2:$E$5,\"CNY\",'Detail 3'!$J$2:$J$5,\"Over 120\")"
    );

    // detail.csv: every item, with the sheet's columns; none for a report on one sheet.
    assert!(!whole.with_file_name("detail.csv").exists());
    let csv = std::fs::read_to_string(ws.out().join("detail.csv")).unwrap();
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 15);
    assert_eq!(lines[0], unsplit[0].iter().map(String::as_str).collect::<Vec<_>>());
    let invoices: Vec<&str> = lines[1..].iter().map(|l| l[1]).collect();
    let sheet_invoices: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(invoices, sheet_invoices);
    let cents = |text: &str| -> i64 {
        let (whole, fraction) = text.split_once('.').unwrap();
        let sign = if whole.starts_with('-') { -1 } else { 1 };
        whole.parse::<i64>().unwrap() * 100 + sign * fraction.parse::<i64>().unwrap()
    };
    let total = |code: &str| lines[1..].iter().filter(|l| l[4] == code).map(|l| cents(l[6])).sum::<i64>();
    // The hand-checked totals (tests/aging.rs): CNY 32,280.73 and USD 1,650.24.
    assert_eq!((total("CNY"), total("USD")), (3_228_073, 165_024));
}
