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

/// The README's first command: the sample with its contacts, projects, follow-ups and
/// milestones. Counts and the special actions are pinned; the generator makes the data.
#[test]
fn sample_collection_run_decides_the_special_actions() {
    let ws = Workspace::new();
    let data = repo().join("sample-data");
    let mut run = ws.payback().args(["run", "--as-of", "2026-11-30"]);
    for (option, file) in [
        ("--invoices", "invoices.xlsx"),
        ("--contacts", "contacts.csv"),
        ("--projects", "projects.csv"),
        ("--followups", "followups.csv"),
        ("--milestones", "milestones.csv"),
    ] {
        run = run.arg(option).arg(data.join(file));
    }
    let done = run.status(1);
    // A first run: every account gets at most an overdue notice (issue 20: a first contact
    // never jumps to a demand letter or legal review), one decision per account.
    assert!(done.stdout.contains("actions: 31 messages, 3 tasks for our side, 4 holds"), "{}", done.stdout);
    let actions: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(ws.out().join("actions.json")).unwrap()).unwrap();
    let find = |stage: &str, customer: &str| {
        actions
            .iter()
            .find(|a| a["stage"] == stage && a["customer"] == customer)
            .unwrap_or_else(|| panic!("{stage} {customer}"))
    };
    let issue = find("issue_invoice", "华为技术有限公司");
    assert_eq!(issue["amount"], "480000.00");
    assert!(issue["reason"].as_str().unwrap().contains("payment due 2026-10-15 (10 working days, calendar cn)"));
    assert_eq!(
        find("approval_status_report", "上海建工集团股份有限公司")["to"],
        serde_json::json!(["gm@c02.example.com"])
    );
    assert_eq!(find("milestone_request", "华为技术有限公司")["to"], serde_json::json!(["ap@c00.example.com"]));
    assert_eq!(find("disputed", "南京银行股份有限公司")["kind"], "hold");
    assert_eq!(find("promise_to_pay", "Northwind Traders Inc.")["amount"], "270716.49");
    assert_eq!(find("fix_first", "重庆长安汽车股份有限公司")["kind"], "manual");
    let path = ws.out().join("aging-report.xlsx");
    assert_eq!(read_sheet(&path, "Actions").len(), 1 + 31 + 3);
    assert_eq!(read_sheet(&path, "Holds").len(), 1 + 4);
    assert!(ws.path().join("state/payback.db").exists());
}
