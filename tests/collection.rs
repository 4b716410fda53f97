//! The collection rules, scenario by scenario: each a small dataset with a written
//! expectation, run through the real binary, read back from `actions.json`.
use serde::Deserialize;

use crate::util::Workspace;

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Action {
    customer: String,
    invoice_nos: Vec<String>,
    kind: String,
    stage: String,
    to: Vec<String>,
    cc: Vec<String>,
    template: Option<String>,
    amount: String,
    currency: String,
    reason: String,
    overdue: Option<String>,
    deductions: Option<String>,
    oldest_days: Option<i64>,
    earlier: Vec<serde_json::Value>,
    broken_promise: Option<serde_json::Value>,
    credits: Vec<serde_json::Value>,
    since: Option<String>,
    age_days: Option<i64>,
    owner: Option<String>,
    next_date: Option<String>,
    milestones: Vec<serde_json::Value>,
    payments: Vec<serde_json::Value>,
}

const CONTACTS: &str = "customer,name,role,email,language
ACME,Amy Bill,billing,amy@acme.example,en
ACME,Fred Fin,finance,fred@acme.example,en
ACME,Gina Boss,approver,gina@acme.example,en
华东建设,王芳,对账,wangfang@hd.example,zh
华东建设,李总,总经理,lizong@hd.example,zh
";

const PROJECTS: &str = "project,customer,project_manager,go_live_date,acceptance_date,open_critical_issues
Portal,ACME,pm.li@ours.example,,,0
智慧园区,华东建设,pm.zhang@ours.example,2026-11-28,,0
";

/// A workspace with the contacts and projects above and `invoices`.
fn workspace(invoices: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write("contacts.csv", CONTACTS);
    ws.write("projects.csv", PROJECTS);
    ws.write("invoices.csv", &format!("Customer,Invoice No,Invoice Date,Due Date,Amount,Currency,Project\n{invoices}"));
    ws
}

/// Runs as of `as_of` with the given extra arguments; returns the actions.
fn run(ws: &Workspace, as_of: &str, extra: &[&str]) -> Vec<Action> {
    ws.payback()
        .args([
            "run",
            "--as-of",
            as_of,
            "--invoices",
            "invoices.csv",
            "--contacts",
            "contacts.csv",
            "--projects",
            "projects.csv",
        ])
        .args(extra)
        .status(0);
    let text = std::fs::read_to_string(ws.out().join("actions.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn summary(actions: &[Action]) -> Vec<(&str, &str, Vec<&str>, Vec<&str>)> {
    actions
        .iter()
        .map(|a| {
            (
                a.kind.as_str(),
                a.stage.as_str(),
                a.to.iter().map(String::as_str).collect(),
                a.cc.iter().map(String::as_str).collect(),
            )
        })
        .collect()
}

#[test]
fn the_ladder_moves_up_run_by_run_and_never_repeats_a_stage() {
    let ws = workspace("ACME,INV-1,2026-09-01,2026-10-01,1000.00,CNY,Portal\n");
    // Each run's messages are sent (only sent messages are contact; see the test below).
    let server = crate::email::Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    let run = |ws: &Workspace, as_of: &str, extra: &[&str]| {
        let actions = run(ws, as_of, extra);
        ws.payback().args(["send", "out", "--smtp", &smtp, "--yes"]).status(0);
        actions
    };
    let amy = vec!["amy@acme.example"];
    // 5 days before due: a friendly reminder to billing.
    let a = run(&ws, "2026-09-26", &[]);
    assert_eq!(summary(&a), [("message", "reminder_before_due", amy.clone(), vec![])]);
    assert_eq!(
        (a[0].template.as_deref(), a[0].amount.as_str(), a[0].currency.as_str()),
        (Some("reminder_before_due"), "1000.00", "CNY")
    );
    assert_eq!(a[0].reason, "INV-1: due on 2026-10-01; stage reminder_before_due");
    // 2 days past due (7 days after the reminder: the cadence allows it).
    assert_eq!(summary(&run(&ws, "2026-10-03", &[])), [("message", "due_notice", amy.clone(), vec![])]);
    // 19 days: overdue notice, finance in copy.
    assert_eq!(
        summary(&run(&ws, "2026-10-20", &[])),
        [("message", "overdue_notice", amy.clone(), vec!["fred@acme.example"])]
    );
    // 26 days: still the overdue-notice window, already sent: the account waits — held,
    // with the date of its next step (escalation at 30 days past due: 2026-10-31).
    let a = run(&ws, "2026-10-27", &[]);
    assert_eq!(summary(&a), [("hold", "scheduled", vec![], vec![])]);
    assert_eq!(
        a[0].reason,
        "INV-1: 26 days past due; overdue_notice sent on 2026-10-20; next: escalate_to_approver from 2026-10-31"
    );
    assert_eq!((a[0].since.as_deref(), a[0].next_date.as_deref()), (Some("2026-10-20"), Some("2026-10-31")));
    // 35 days: escalation to the approver, billing and our project manager in copy.
    let a = run(&ws, "2026-11-05", &[]);
    assert_eq!(
        summary(&a),
        [(
            "message",
            "escalate_to_approver",
            vec!["gina@acme.example"],
            vec!["amy@acme.example", "pm.li@ours.example"]
        )]
    );
    // Rerunning the same date decides the same and records nothing twice.
    let log = || ws.payback().args(["history", "ACME", "--json"]).status(0).stdout;
    let before = log();
    assert_eq!(run(&ws, "2026-11-05", &[]), a);
    assert_eq!(log(), before);
    assert_eq!(before.matches("\"event\": \"sent\"").count(), 4);
    // A month skipped: 65 days goes straight to the demand letter.
    assert_eq!(
        summary(&run(&ws, "2026-12-05", &[])),
        [("message", "demand_letter", vec!["gina@acme.example", "amy@acme.example"], vec![])]
    );
    // 96 days: a task for our side, no message.
    let a = run(&ws, "2027-01-05", &[]);
    assert_eq!(summary(&a), [("manual", "legal_review", vec![], vec![])]);
    assert_eq!(
        a[0].reason,
        "INV-1: 96 days past due, 1000.00 CNY overdue after deductions; decide on legal review (consider suspending work)"
    );
    assert_eq!(a[0].owner.as_deref(), Some("legal@yourcompany.example"));
}

#[test]
fn a_message_prepared_but_never_sent_is_not_contact() {
    let ws = workspace("ACME,INV-1,2026-09-01,2026-10-01,1000.00,CNY,Portal\n");
    // 19 days overdue: overdue notice, prepared and not sent.
    assert_eq!(run(&ws, "2026-10-20", &[])[0].stage, "overdue_notice");
    // Four days later the same stage is still due: nothing was sent, so it is prepared
    // again (with the history of sent messages only, the ladder has not moved).
    assert_eq!(run(&ws, "2026-10-24", &[])[0].stage, "overdue_notice");
    let server = crate::email::Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    ws.payback().args(["send", "out", "--smtp", &smtp, "--yes"]).status(0);
    // Sent after the run of the 24th: on 2026-10-27 the overdue notice is done, no message.
    assert!(run(&ws, "2026-10-27", &[]).iter().all(|a| a.kind != "message"));
    // explain tells the prepared message from the sent one.
    let explained = ws
        .payback()
        .args(["explain", "INV-1", "--as-of", "2026-10-27", "--invoices", "invoices.csv", "--contacts", "contacts.csv"])
        .args(["--projects", "projects.csv"])
        .status(0)
        .stdout;
    assert!(
        explained.contains("\n  overdue_notice prepared on 2026-10-20, never sent (not counted as contact)\n"),
        "{explained}"
    );
    assert!(explained.contains("\n  overdue_notice prepared on 2026-10-24, sent 20"), "{explained}");
}

#[test]
fn go_live_two_days_ago_asks_for_the_milestone_payment() {
    // Due in 28 days, before any ladder stage: the good moment still asks.
    let ws = workspace("华东建设,HD-9,2026-11-28,2026-12-28,300000.00,CNY,智慧园区\n");
    let a = run(&ws, "2026-11-30", &[]);
    assert_eq!(
        summary(&a),
        [(
            "message",
            "milestone_request",
            vec!["wangfang@hd.example"],
            vec!["lizong@hd.example", "pm.zhang@ours.example"]
        )]
    );
    assert_eq!(a[0].reason, "go-live of 智慧园区 on 2026-11-28: a good moment to ask for HD-9");
    assert_eq!(a[0].amount, "300000.00");
}

#[test]
fn open_critical_issues_mean_fix_first_and_no_customer_message() {
    let ws = workspace("ACME,INV-2,2026-09-01,2026-10-01,500.00,CNY,Portal\n");
    ws.write(
        "projects.csv",
        "project,customer,project_manager,open_critical_issues\nPortal,ACME,pm.li@ours.example,2\n",
    );
    let a = run(&ws, "2026-11-30", &[]);
    assert_eq!(summary(&a), [("hold", "critical_issues", vec![], vec![]), ("manual", "fix_first", vec![], vec![])]);
    assert_eq!(
        a[1].reason,
        "project Portal has 2 open critical issues: pm.li@ours.example fixes them first; no payment request until then"
    );
}

#[test]
fn holds_for_a_promise_a_dispute_and_the_cadence() {
    let ws = workspace(
        "ACME,INV-3,2026-09-01,2026-10-01,100.00,CNY,Portal\n\
         ACME,INV-4,2026-09-01,2026-10-01,200.00,CNY,Portal\n\
         ACME,INV-5,2026-09-01,2026-10-15,300.00,CNY,Portal\n",
    );
    ws.write(
        "followups.csv",
        "customer,invoice_no,disputed,promise_to_pay_date,last_contact_date,note\n\
         ACME,INV-3,,2026-12-07,,\n\
         ACME,INV-4,yes,,,wrong hourly rate\n\
         ACME,,,,2026-11-27,called Amy\n",
    );
    let a = run(&ws, "2026-11-30", &["--followups", "followups.csv"]);
    assert_eq!(
        a.iter().map(|a| (a.kind.as_str(), a.stage.as_str(), a.invoice_nos.join(","))).collect::<Vec<_>>(),
        [
            ("hold", "disputed", "INV-4".into()),
            ("hold", "promise_to_pay", "INV-3".into()),
            ("hold", "cadence", "INV-5".into())
        ]
    );
    assert_eq!(a[0].reason, "INV-4 is disputed: wrong hourly rate; since: not known (no date in the follow-ups)");
    assert_eq!(a[1].reason, "the customer promised to pay by 2026-12-07; since: not known (no date in the follow-ups)");
    assert_eq!(a[0].owner.as_deref(), Some("pm.li@ours.example"));
    assert!(
        a[2].reason.ends_with("held: last contacted on 2026-11-27, next message from 2026-12-04 (cadence 7 days)"),
        "{}",
        a[2].reason
    );
}

#[test]
fn approval_stuck_20_days_goes_to_the_named_approver() {
    let ws = workspace("ACME,INV-6,2026-09-01,2026-10-21,8000.00,CNY,Portal\n");
    ws.write(
        "followups.csv",
        "customer,invoice_no,process_stage,stage_since,approver\nACME,INV-6,awaiting GM approval,2026-11-10,Gina Boss\n",
    );
    let a = run(&ws, "2026-11-30", &["--followups", "followups.csv"]);
    assert_eq!(
        summary(&a),
        [("message", "approval_status_report", vec!["gina@acme.example"], vec!["pm.li@ours.example"])]
    );
    assert_eq!(
        a[0].reason,
        "payment of INV-6 has waited at \"awaiting GM approval\" since 2026-11-10 (20 days): send Gina Boss a status report instead of another reminder"
    );
}

#[test]
fn amount_thresholds_and_missing_contacts() {
    let ws = workspace(
        "ACME,INV-7,2026-08-01,2026-09-21,300.00,CNY,Portal\nNobody Ltd,N-1,2026-10-01,2026-11-20,50.00,CNY,\n",
    );
    ws.write("strict.toml", "[collection]\nmax_first_stage = \"demand_letter\"\n\n[[collection.stages]]\nid = \"remind\"\nto_days = 29\nkind = \"message\"\nto = [\"billing\"]\ntemplate = \"overdue_notice\"\n\n[[collection.stages]]\nid = \"demand_letter\"\nfrom_days = 30\nkind = \"message\"\nto = [\"approver\"]\ntemplate = \"demand_letter\"\nmin_amount = \"500\"\n");
    let a = run(&ws, "2026-11-30", &["--rules", "strict.toml"]);
    // INV-7 is 70 days past due but under 500: the stage before applies.
    assert_eq!(summary(&a)[0], ("message", "remind", vec!["amy@acme.example"], vec![]));
    assert_eq!(
        (a[1].kind.as_str(), a[1].stage.as_str(), a[1].reason.as_str()),
        (
            "manual",
            "remind",
            "N-1: 10 days past due; stage remind; but no recipient: the contacts file has no billing contact for Nobody Ltd: add one"
        )
    );
}

#[test]
fn explain_prints_every_rule_considered() {
    let ws = workspace("ACME,INV-8,2026-09-01,2026-10-21,800.00,CNY,Portal\n");
    let done = ws
        .payback()
        .args([
            "explain",
            "INV-8",
            "--as-of",
            "2026-11-30",
            "--invoices",
            "invoices.csv",
            "--contacts",
            "contacts.csv",
            "--projects",
            "projects.csv",
        ])
        .status(0);
    let expected = "as of 2026-11-30
ACME INV-8 — 40 days past due
  [ ] hold: disputed: no follow-up marks it disputed
  [ ] hold: promise_to_pay: no promise to pay
  [ ] hold: critical_issues: project Portal has no open critical issues
  [ ] approval_status_report: no approval stage recorded
  [ ] milestone_request: no go-live or acceptance of Portal in the last 7 days
  [ ] stage reminder_before_due: days -7..-1; the invoice is at day 40
  [ ] stage due_notice: days 0..6; the invoice is at day 40
  [ ] stage overdue_notice: days 7..29; the invoice is at day 40
  [x] stage escalate_to_approver: days 30..59; the invoice is at day 40
  [ ] stage demand_letter: days 60..89; the invoice is at day 40
  [ ] stage legal_review: days 90 and more; the invoice is at day 40
  [ ] history: nothing sent before
  => message overdue_notice: INV-8: 40 days past due; stage overdue_notice (first contact: escalate_to_approver is due, but a first contact goes no higher)
";
    assert_eq!(done.stdout, expected);
    let done = ws.payback().args(["explain", "NOPE", "--invoices", "invoices.csv"]).status(2);
    assert_eq!(done.stderr.trim(), "error: explain NOPE: no invoice with that number in the inputs");
}

#[test]
fn ten_working_days_after_trial_run_across_holidays_and_a_make_up_day() {
    let ws = workspace("");
    ws.write(
        "milestones.csv",
        "project,name,amount,trigger,trigger_date,term_days,term_basis,invoice_no\n\
         智慧园区,Final 30%,90000.00,trial_run,2026-09-24,10,working,\n\
         智慧园区,Advance 30%,90000.00,signing,2026-03-01,5,calendar,HD-1\n\
         智慧园区,Warranty 10%,30000.00,acceptance,,30,calendar,\n",
    );
    let a = run(&ws, "2026-11-30", &["--milestones", "milestones.csv"]);
    // Mid-Autumn 25-27 Sep and National Day 1-7 Oct are off, Saturday 10 Oct is worked:
    // the 10th working day after Thursday 24 Sep is 15 Oct. The advance is invoiced; the
    // warranty waits for an acceptance that has not happened.
    assert_eq!(summary(&a), [("manual", "issue_invoice", vec![], vec![])]);
    assert_eq!((a[0].customer.as_str(), a[0].amount.as_str()), ("华东建设", "90000.00"));
    assert_eq!(
        a[0].reason,
        "milestone \"Final 30%\" of 智慧园区: trial run on 2026-09-24, payment due 2026-10-15 (10 working days, calendar cn); not invoiced yet: issue the invoice"
    );
    // With weekends only, the same term ends on 8 October.
    ws.write("weekends.toml", "[calendar]\nname = \"weekends\"\n");
    let a = run(&ws, "2026-11-30", &["--milestones", "milestones.csv", "--rules", "weekends.toml"]);
    assert!(a[0].reason.contains("payment due 2026-10-08 (10 working days, calendar weekends"), "{}", a[0].reason);
}

#[test]
fn an_empty_due_date_falls_back_to_the_default_term_and_says_so() {
    // Invoiced 2026-09-01 with no due date: due 2026-10-01 under the default 30 days, so
    // 35 days past due on 2026-11-05 — not silently dropped.
    let ws = workspace("ACME,INV-9,2026-09-01,,700.00,CNY,Portal\n");
    let a = run(&ws, "2026-11-05", &[]);
    // A first contact: the overdue notice, however late (issue 20).
    assert_eq!(summary(&a)[0].1, "overdue_notice");
    assert_eq!(
        a[0].reason,
        "INV-9: 35 days past due; stage overdue_notice (first contact: escalate_to_approver is due, but a first contact goes no higher) (no due date on INV-9: assumed invoice date + 30 days)"
    );
    let detail = crate::util::read_sheet(&ws.out().join("aging-report.xlsx"), "Detail");
    assert_eq!((detail[1][3].as_str(), detail[1][7].as_str()), ("2026-10-01", "35"));
    assert_eq!(detail[1][16], "due date empty in the input: assumed from the default term");
}

#[test]
fn a_stage_can_count_from_the_invoice_date() {
    // A check-in 10 to 20 days after invoicing (has the invoice arrived, is anything
    // missing for approval?), then the usual due-date ladder.
    let ws = workspace(
        "ACME,INV-10,2026-11-15,2026-12-30,900.00,CNY,Portal\nACME,INV-11,2026-09-01,2026-10-01,100.00,CNY,Portal\n",
    );
    ws.write(
        "rules.toml",
        "[[collection.stages]]\nid = \"invoice_check_in\"\nrelative_to = \"invoice_date\"\nfrom_days = 10\nto_days = 20\n\
         kind = \"message\"\nto = [\"billing\"]\ntemplate = \"invoice_check_in\"\n\n\
         [[collection.stages]]\nid = \"overdue_notice\"\nfrom_days = 1\nkind = \"message\"\nto = [\"billing\"]\ntemplate = \"overdue_notice\"\n",
    );
    let a = run(&ws, "2026-11-30", &["--rules", "rules.toml"]);
    // INV-10 is 15 days after its invoice date; INV-11 is 60 days past due: one message to
    // billing at the highest stage, covering both.
    assert_eq!(summary(&a), [("message", "overdue_notice", vec!["amy@acme.example"], vec![])]);
    assert_eq!(a[0].invoice_nos, ["INV-11", "INV-10"]);
    let done = ws
        .payback()
        .args(["explain", "INV-10", "--as-of", "2026-11-30", "--rules", "rules.toml", "--invoices", "invoices.csv"])
        .status(0);
    assert!(
        done.stdout
            .contains("[x] stage invoice_check_in: days 10..20 since the invoice date; the invoice is at day 15"),
        "{}",
        done.stdout
    );
}
