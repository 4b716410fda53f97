//! Real exports as they come: one fixture per preset layout, with title lines, group
//! headings, subtotal and total lines. Each test checks that the layout is detected, that
//! every skipped line is counted by reason, and that the open amounts (a hand sum, equal
//! to the export's own grand-total line) are counted once — the subtotals are not.
use crate::util::{Summary, Workspace, fixture, read_sheet, read_summary};

fn run_preset(name: &str, extra: &[&str]) -> (Workspace, Summary) {
    let ws = Workspace::new();
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices"])
        .arg(fixture(&format!("presets/{name}")))
        .args(extra)
        .arg("--out")
        .arg(ws.out())
        .status(0);
    let summary = read_summary(&ws.out());
    (ws, summary)
}

/// `(label, count, amount)` of the buckets that hold items.
fn nonzero(summary: &Summary, code: &str) -> Vec<(String, u64, String)> {
    summary.currencies[code]
        .figures()
        .into_iter()
        .filter(|(_, count, _)| *count > 0)
        .map(|(l, c, a)| (l.to_owned(), c, a.to_owned()))
        .collect()
}

fn owned(list: &[(&str, u64, &str)]) -> Vec<(String, u64, String)> {
    list.iter().map(|(l, c, a)| ((*l).to_owned(), *c, (*a).to_owned())).collect()
}

#[test]
fn quickbooks_open_invoices_with_customer_headings() {
    let (ws, summary) = run_preset("quickbooks_open_invoices.csv", &[]);
    let input = &summary.inputs[0];
    assert_eq!(input.preset.as_deref(), Some("quickbooks"));
    assert_eq!(input.rows.figures(), [5, 5, 0, 0, 0]);
    // title 3, blank 1, subtotal 4 (three "Total …" and "TOTAL"), repeated header 1,
    // group heading 3 (the customers).
    assert_eq!(input.rows.skipped(), [3, 1, 4, 1, 3, 0]);
    // 1041 due 11/14 → 16 days; 1057 due 12/20 → not due; 1002 due 07/31 → 122;
    // CM-9 due 09/10 → 81; 0988 due 02/18 → 285. 5,250 + 1,200 + 12,000 − 500 + 3,300
    // = 21,250.00, the export's TOTAL line.
    assert_eq!(
        nonzero(&summary, "CNY"),
        owned(&[
            ("Not due", 1, "1200.00"),
            ("1-30", 1, "5250.00"),
            ("61-90", 1, "-500.00"),
            ("Over 120", 2, "15300.00")
        ])
    );
    assert_eq!(input.amounts["CNY"].figures(), ["21250.00", "21250.00", "0.00", "0.00", "0.00"]);
    let detail = read_sheet(&ws.out().join("aging-report.xlsx"), "Detail");
    let customers: Vec<(&str, &str)> = detail[1..].iter().map(|r| (r[1].as_str(), r[0].as_str())).collect();
    assert_eq!(
        customers,
        [
            ("1041", "Bayside Construction"),
            ("1057", "Bayside Construction"),
            ("1002", "Greenfield Holdings"),
            ("CM-9", "Greenfield Holdings"),
            ("0988", "Harbor View Hotel"),
        ]
    );
}

#[test]
fn xero_aged_receivables_detail() {
    let (_ws, summary) = run_preset("xero_aged_receivables.csv", &[]);
    let input = &summary.inputs[0];
    assert_eq!(input.preset.as_deref(), Some("xero"));
    assert_eq!(input.rows.figures(), [4, 4, 0, 0, 0]);
    assert_eq!(input.rows.skipped(), [4, 3, 3, 0, 2, 0]);
    // "30 Nov 2026"-style dates; INV-0042 due 14 Nov → 16; INV-0049 due 1 Dec → not due;
    // INV-0011 due 2 Jul → 151; CN-0003 due 10 Sep → 81. Sum 14,145.00 = the Total line.
    assert_eq!(
        nonzero(&summary, "CNY"),
        owned(&[
            ("Not due", 1, "8625.00"),
            ("1-30", 1, "1150.00"),
            ("61-90", 1, "-230.00"),
            ("Over 120", 1, "4600.00")
        ])
    );
    assert_eq!(input.amounts["CNY"].read, "14145.00");
}

#[test]
fn erpnext_accounts_receivable_ignores_paid_amount() {
    let (_ws, summary) = run_preset("erpnext_accounts_receivable.csv", &[]);
    let input = &summary.inputs[0];
    assert_eq!(input.preset.as_deref(), Some("erpnext"));
    assert_eq!(input.rows.figures(), [3, 3, 0, 0, 0]);
    // The report's filters exported above the table (3 lines and a blank), the Total line.
    assert_eq!(input.rows.skipped(), [3, 1, 1, 0, 0, 0]);
    // dd-mm-yyyy dates; 00031 has a credit note, so its outstanding 20,000.00 is not
    // invoiced − paid: Paid Amount is ignored by the preset. Sum 147,000.00 = Total line.
    assert_eq!(
        nonzero(&summary, "INR"),
        owned(&[("Not due", 1, "20000.00"), ("31-60", 1, "68000.00"), ("Over 120", 1, "59000.00")])
    );
    assert_eq!(summary.currencies["INR"].total_open, "147000.00");
}

#[test]
fn odoo_invoice_list_with_unlabelled_total_line() {
    let (_ws, summary) = run_preset("odoo_customer_invoices.csv", &[]);
    let input = &summary.inputs[0];
    assert_eq!(input.preset.as_deref(), Some("odoo"));
    assert_eq!(input.rows.figures(), [5, 4, 0, 1, 0]);
    assert_eq!(input.rows.skipped(), [0, 0, 1, 0, 0, 0]);
    // 00087 due 09-11 → 80; 00102 due 11-04 → 26 (1,300.00 of 2,300.00 still due);
    // RINV 00007 due 09-30 → 61; 00110 not due; 00061 paid → closed. 16,825.00 = the
    // export's unlabelled total under Amount Due.
    assert_eq!(
        nonzero(&summary, "EUR"),
        owned(&[("Not due", 1, "11500.00"), ("1-30", 1, "1300.00"), ("61-90", 2, "4025.00")])
    );
    assert_eq!(summary.currencies["EUR"].total_open, "16825.00");
}

#[test]
fn chinese_erp_workbook_with_merged_customer_cells_and_subtotals() {
    let (ws, summary) = run_preset("cn_erp_receivables.xlsx", &[]);
    let input = &summary.inputs[0];
    assert_eq!(input.preset.as_deref(), Some("cn-erp"));
    assert_eq!(input.sheet.as_deref(), Some("应收账款明细"));
    assert_eq!(input.rows.figures(), [5, 5, 0, 0, 0]);
    // 3 title lines (merged title, 截止日期, 单位), 2 小计 and the 合计, one blank line.
    assert_eq!(input.rows.skipped(), [3, 1, 3, 0, 0, 0]);
    // 04567890 due 2026年6月19日 → 164; 04567891 "¥58,800.50" due 2026/8/31 → 91;
    // 04567920 due 10-15 → 46; 04567901 credit due 11-14 → 16; 04567902 not due.
    // Sum 201,800.49 = the 合计 line's 未收金额.
    assert_eq!(
        nonzero(&summary, "CNY"),
        owned(&[
            ("Not due", 1, "9999.99"),
            ("1-30", 1, "-3000.00"),
            ("31-60", 1, "36000.00"),
            ("91-120", 1, "58800.50"),
            ("Over 120", 1, "100000.00"),
        ])
    );
    let detail = read_sheet(&ws.out().join("aging-report.xlsx"), "Detail");
    let second = detail.iter().find(|r| r[1] == "04567891").unwrap();
    assert_eq!(second[0], "中国建筑第八工程局有限公司", "merged customer cell applies to every row");
}

#[test]
fn preset_can_be_named_and_unknown_names_are_refused() {
    let (_ws, summary) = run_preset("odoo_customer_invoices.csv", &["--preset", "odoo"]);
    assert_eq!(summary.inputs[0].preset.as_deref(), Some("odoo"));
    let ws = Workspace::new();
    let done = ws.payback().args(["run", "--preset", "sap", "--invoices"]).arg(fixture("handchecked.csv")).status(2);
    assert_eq!(
        done.stderr.trim(),
        "error: --preset sap: there is no such preset; the presets are: quickbooks, xero, erpnext, odoo, cn-erp"
    );
}
