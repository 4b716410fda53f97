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
        .status(0);
    // The bad rows are in their own file (issue 23): the sample runs clean, exit 0.
    assert!(done.stdout.contains("152 rows read: 135 open, 16 closed, 1 future-dated, 0 rejected"), "{}", done.stdout);
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
    assert_eq!(read_sheet(&path, "Rejected")[1][0], "No rows were rejected.");
    // Read 27,828,686.72 CNY before, less the two bad CNY rows now elsewhere (58,000.00 and
    // 73,500.00): 27,697,186.72; nothing rejected.
    assert_eq!(summary.inputs[0].amounts["CNY"].figures()[0], "27697186.72");
    assert_eq!(summary.inputs[0].amounts["CNY"].figures()[3], "0.00");
}

/// The README's `check` example: the four bad rows, each with its row, column and reason.
#[test]
fn the_bad_rows_example_lists_each_problem() {
    let ws = Workspace::new();
    let done =
        ws.payback().args(["check", "--invoices"]).arg(repo().join("sample-data/invoices-bad-rows.xlsx")).status(1);
    let problems: Vec<&str> = done
        .stdout
        .lines()
        .filter(|l| l.contains("invoices-bad-rows.xlsx, sheet"))
        .map(|l| l.split_once(", row ").unwrap().1)
        .collect();
    assert_eq!(
        problems,
        [
            "2, column \"Customer\": Customer is empty",
            "3, column \"Invoice Date\": Invoice Date: \"2026-02-30\" is not a day of the calendar",
            "4, column \"Amount\": Amount: \"TBD\" is not an amount",
            "5, column \"Currency\": Currency: \"US Dollar\" is not a currency code such as CNY, USD or EUR",
        ]
    );
    assert!(done.stdout.contains("checked 1 file: 4 rows read, 0 usable, 4 with problems"), "{}", done.stdout);
}

#[test]
fn same_inputs_give_byte_identical_outputs() {
    let ws = Workspace::new();
    let input = repo().join("sample-data/invoices.xlsx");
    for out in ["a", "b"] {
        ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices"]).arg(&input).args(["--out", out]).status(0);
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
    // Exit code 0: the bad rows are in invoices-bad-rows.xlsx (h-zh); the counts are
    // main's account-level engine's (the bad rows were rejected, so they never counted).
    let done = run.status(0);
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
