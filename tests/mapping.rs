//! Which column is which: Chinese ERP headers without a mapping, `--map`, the rules file's
//! `[input.invoices.columns]`, and the precedence between them.
use crate::util::{Workspace, fixture, read_sheet, read_summary};

#[test]
fn chinese_erp_headers_are_recognised_and_values_read() {
    let ws = Workspace::new();
    let done = ws
        .payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices"])
        .arg(fixture("chinese_headers.csv"))
        .arg("--out")
        .arg(ws.out())
        .status(1);
    assert!(done.stdout.contains("1 rows rejected"), "{}", done.stdout);
    let summary = read_summary(&ws.out());
    // 04567890: 120,000.00 − 20,000.00 = 100,000.00 open, due 2026-06-19 → 164 days;
    // 04567891: due 2026-08-31 → 91 days; 04567901 credit −3,000.00 due 2026-11-14 → 16;
    // 04567902: no currency → the default CNY, due 2026-12-01 → not due.
    assert_eq!(
        summary.currencies["CNY"].figures(),
        [
            ("Not due", 1, "9999.99"),
            ("1-30", 1, "-3000.00"),
            ("31-60", 0, "0.00"),
            ("61-90", 0, "0.00"),
            ("91-120", 1, "58800.50"),
            ("Over 120", 1, "100000.00"),
        ]
    );
    assert_eq!(summary.currencies["USD"].figures()[5], ("Over 120", 1, "4500.00"));
    let rejected = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    assert_eq!(
        rejected[1][1..5],
        ["6", "未收金额", "9,000.00", "未收金额: open amount 9000.00 is not amount 10000.00 minus paid 2000.00"]
    );
}

const ODD_HEADERS: &str = "Client Name,Doc,Issued,Payable By,Gross,Cur\n\
    ACME,D1,2026-10-01,2026-10-31,100.00,EUR\n\
    ACME,D2,2026-11-01,2026-12-01,50.00,EUR\n";

#[test]
fn map_option_names_the_columns() {
    let ws = Workspace::new();
    let input = ws.write("odd.csv", ODD_HEADERS);
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices"])
        .arg(&input)
        .args(["--map", "customer=Client Name", "--map", "invoice_no=doc", "--map", "invoice_date=Issued"])
        .args(["--map", "due_date=Payable By", "--map", "amount=Gross"])
        .arg("--out")
        .arg(ws.out())
        .status(0);
    let eur = &read_summary(&ws.out()).currencies["EUR"];
    assert_eq!((eur.total_open.as_str(), eur.overdue.as_str()), ("150.00", "100.00"));
}

#[test]
fn rules_file_columns_work_and_map_overrides_them() {
    let ws = Workspace::new();
    let input = ws.write("odd.csv", &format!("{ODD_HEADERS}ACME,D3,2026-11-02,2026-12-02,25.00,EUR\n"));
    let rules = ws.write(
        "rules.toml",
        "[input.invoices.columns]\ncustomer = \"Client Name\"\ninvoice_no = \"Doc\"\ninvoice_date = \"Issued\"\n\
         due_date = \"Payable By\"\namount = \"Gross\"\n",
    );
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices"])
        .arg(&input)
        .arg("--rules")
        .arg(&rules)
        .arg("--out")
        .arg(ws.out())
        .status(0);
    assert_eq!(read_summary(&ws.out()).currencies["EUR"].total_open, "175.00");
    // --map wins over the rules file: the invoice date now comes from "Payable By", so
    // D2 (2026-12-01) and D3 (2026-12-02) are future-dated.
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices"])
        .arg(&input)
        .arg("--rules")
        .arg(&rules)
        .args(["--map", "invoice_date=Payable By", "--out"])
        .arg(ws.out())
        .status(0);
    let summary = read_summary(&ws.out());
    assert_eq!((summary.rows.accepted, summary.rows.future_dated), (1, 2));
}

#[test]
fn date_order_setting_reads_day_first_text() {
    let ws = Workspace::new();
    let input = ws.write(
        "dmy.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount\nACME,1,03/04/2026,03/05/2026,10.00\nACME,2,04/04/2026,05/05/2026,20.00\n",
    );
    // Without a setting, 03/04/2026 is ambiguous and no value of the file settles the order
    // (04/04 and 05/05 read the same either way): the row is rejected, never guessed.
    ws.payback().args(["run", "--as-of", "2026-05-04", "--invoices"]).arg(&input).arg("--out").arg(ws.out()).status(1);
    let rejected = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    assert!(rejected[1][4].contains("could be day/month or month/day"), "{:?}", rejected[1]);
    ws.payback()
        .args(["run", "--as-of", "2026-05-04", "--date-order", "dmy", "--invoices"])
        .arg(&input)
        .arg("--out")
        .arg(ws.out())
        .status(0);
    // 1: due 2026-05-03 → 1 day; 2: due 2026-05-05 → not due.
    let cny = &read_summary(&ws.out()).currencies["CNY"];
    assert_eq!(cny.figures()[..2], [("Not due", 1, "20.00"), ("1-30", 1, "10.00")]);
}
