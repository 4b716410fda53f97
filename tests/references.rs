//! Cross-file references (issue 19): the contacts, projects, follow-ups and milestones name
//! customers, invoices and projects; a name that is not found is reported by `check` and
//! `run` with the closest known one, never silently dropped. A follow-up may name only the
//! invoice; its customer is then taken from the invoice.
use crate::util::{NotMatched, Workspace, read_sheet, read_summary};

/// As of 2026-11-30 every invoice is 20 days past due (due 11-10): `overdue_notice`.
const INVOICES: &str = "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency,Project
Contoso Ltd.,C-1,2026-10-01,2026-11-10,800.00,CNY,Portal
Beta Co,B-1,2026-10-01,2026-11-10,300.00,CNY,
Beta Co,7,2026-10-01,2026-11-10,100.00,CNY,
Gamma AG,7,2026-10-01,2026-11-10,200.00,CNY,
";

fn actions(ws: &Workspace) -> Vec<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(ws.out().join("actions.json")).unwrap()).unwrap()
}

fn not_matched(
    table: &str,
    file: &str,
    row: usize,
    column: &str,
    value: &str,
    closest: Option<&str>,
    reason: &str,
) -> NotMatched {
    NotMatched {
        table: table.into(),
        file: file.into(),
        row,
        column: column.into(),
        value: value.into(),
        closest: closest.map(Into::into),
        reason: reason.into(),
    }
}

#[test]
fn a_follow_up_with_a_typo_in_the_customer_is_reported_with_the_closest_name() {
    let ws = Workspace::new();
    ws.write("invoices.csv", INVOICES);
    // Row 2 misspells the customer; row 3 writes it in other case and without the dot,
    // which is the same name (it keeps its dispute).
    ws.write(
        "followups.csv",
        "customer,invoice_no,disputed,note\nContosso Ltd,,yes,quality complaint\nbeta co,,yes,wrong delivery address\n",
    );
    let reason = "customer \"Contosso Ltd\" is not in the invoices; closest: \"Contoso Ltd.\"";
    let done = ws.payback().args(["check", "--invoices", "invoices.csv", "--followups", "followups.csv"]).status(1);
    let lines: Vec<&str> = done.stdout.lines().collect();
    assert_eq!(lines[0], format!("followups.csv, row 2, column \"customer\": {reason}"));
    assert_eq!(lines.last().unwrap(), &"checked 1 file: 4 rows read, 4 usable, 1 with problems");

    let done = ws
        .payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--followups", "followups.csv"])
        .status(1);
    assert!(
        done.stdout.ends_with(
            "0 rows rejected, 1 reference in the side files not found in the invoices: see the Rejected sheet (exit code 1)\n"
        ),
        "{}",
        done.stdout
    );
    let summary = read_summary(&ws.out());
    assert_eq!(
        summary.not_matched,
        [not_matched("followups", "followups.csv", 2, "customer", "Contosso Ltd", Some("Contoso Ltd."), reason)]
    );
    let rejected = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    assert_eq!(rejected[1][..5], ["followups.csv", "2", "customer", "Contosso Ltd", reason]);
    // Beta Co's dispute (written "beta co") holds both its invoices; Contoso's does not
    // hold C-1, and the run says so above instead of keeping quiet.
    let holds: Vec<(String, String)> = actions(&ws)
        .iter()
        .filter(|a| a["kind"] == "hold")
        .map(|a| (a["customer"].as_str().unwrap().to_owned(), a["stage"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(holds, [("Beta Co".to_owned(), "disputed".to_owned())]);
}

#[test]
fn a_follow_up_keyed_by_invoice_number_alone_holds_the_invoice_as_disputed() {
    let ws = Workspace::new();
    ws.write("invoices.csv", INVOICES);
    // No customer column at all: c-1 is Contoso Ltd.'s C-1 (the same number but for
    // case). "7" is an invoice of Beta Co and of Gamma AG: which one is meant is asked.
    ws.write("followups.csv", "invoice_no,disputed,note\nc-1,yes,wrong quantity\n7,yes,\nC-9,yes,\n");
    let done = ws
        .payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--followups", "followups.csv"])
        .status(1);
    assert!(done.stdout.contains("2 references in the side files not found"), "{}", done.stdout);
    let all = actions(&ws);
    let held: Vec<&serde_json::Value> = all.iter().filter(|a| a["kind"] == "hold").collect();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["customer"], "Contoso Ltd.");
    assert_eq!(held[0]["stage"], "disputed");
    assert_eq!(held[0]["invoice_nos"], serde_json::json!(["C-1"]));
    assert_eq!(held[0]["amount"], "800.00");
    assert_eq!(held[0]["reason"], "C-1 is disputed: wrong quantity; since: not known (no date in the follow-ups)");
    let summary = read_summary(&ws.out());
    assert_eq!(
        summary.not_matched,
        [
            not_matched(
                "followups",
                "followups.csv",
                3,
                "invoice_no",
                "7",
                None,
                "invoice_no \"7\" is an invoice of several customers (Beta Co, Gamma AG): give the customer"
            ),
            not_matched(
                "followups",
                "followups.csv",
                4,
                "invoice_no",
                "C-9",
                Some("C-1"),
                "invoice_no \"C-9\" is not in the invoices; closest: \"C-1\""
            ),
        ]
    );
    // A row with neither customer nor invoice is unusable.
    ws.write("followups.csv", "customer,invoice_no,disputed\n,,yes\n");
    let done = ws.payback().args(["check", "--invoices", "invoices.csv", "--followups", "followups.csv"]).status(1);
    assert!(
        done.stdout.starts_with(
            "followups.csv, row 2: customer is empty (give the customer, or the invoice_no to take it from the invoice)\n"
        ),
        "{}",
        done.stdout
    );
}

#[test]
fn typos_in_contacts_projects_and_milestones_are_reported() {
    let ws = Workspace::new();
    ws.write("invoices.csv", INVOICES);
    // Contacts: "Contoso Ltd" is Contoso Ltd. (punctuation only); "Betta Co" is a typo of
    // Beta Co; Zeta Industries has no invoice in this export and resembles no customer:
    // a paid-up customer in the contact list, not reported.
    ws.write(
        "contacts.csv",
        "customer,name,role,email\nContoso Ltd,Cleo,billing,cleo@contoso.example\nBetta Co,Bea,billing,bea@beta.example\nZeta Industries,Zed,billing,zed@zeta.example\n",
    );
    // Projects: the invoices bill Portal to Contoso Ltd., so "Acme Trading" is wrong
    // even though it resembles nobody; "Beta Corp" looks like Beta Co.
    ws.write(
        "projects.csv",
        "project,customer,project_manager\nPortal,Acme Trading,pm@ours.example\nMill,Beta Corp,pm@ours.example\n",
    );
    ws.write("milestones.csv", "project,name,amount,trigger,trigger_date\nPortl,Final,500.00,date,2026-11-01\n");
    let args = [
        "--invoices",
        "invoices.csv",
        "--contacts",
        "contacts.csv",
        "--projects",
        "projects.csv",
        "--milestones",
        "milestones.csv",
    ];
    let done = ws.payback().arg("check").args(args).status(1);
    let lines: Vec<&str> = done.stdout.lines().filter(|l| !l.starts_with("note:")).collect();
    assert_eq!(
        lines,
        [
            "contacts.csv, row 3, column \"customer\": customer \"Betta Co\" is not in the invoices; closest: \"Beta Co\"",
            "projects.csv, row 2, column \"customer\": customer \"Acme Trading\" is not in the invoices, which bill this project to Contoso Ltd.; no similar customer",
            "projects.csv, row 3, column \"customer\": customer \"Beta Corp\" is not in the invoices; closest: \"Beta Co\"",
            "milestones.csv, row 2, column \"project\": project \"Portl\" is not in the projects; closest: \"Portal\"",
            "checked 1 file: 4 rows read, 4 usable, 4 with problems",
        ]
    );
    ws.payback().args(["run", "--as-of", "2026-11-30"]).args(args).status(1);
    let summary = read_summary(&ws.out());
    let found: Vec<(&str, usize, &str, Option<&str>)> =
        summary.not_matched.iter().map(|n| (n.table.as_str(), n.row, n.value.as_str(), n.closest.as_deref())).collect();
    assert_eq!(
        found,
        [
            ("contacts", 3, "Betta Co", Some("Beta Co")),
            ("projects", 2, "Acme Trading", None),
            ("projects", 3, "Beta Corp", Some("Beta Co")),
            ("milestones", 2, "Portl", Some("Portal")),
        ]
    );
    // Contoso's contact (spelled without the dot) is used: its overdue notice goes to Cleo.
    let contoso = actions(&ws).into_iter().find(|a| a["customer"] == "Contoso Ltd.").unwrap();
    assert_eq!(
        (contoso["kind"].as_str(), contoso["to"].clone()),
        (Some("message"), serde_json::json!(["cleo@contoso.example"]))
    );
}
