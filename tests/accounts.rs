//! Issue 20, scenario by scenario: the account decides (one decision per customer and
//! currency stating the whole position), no false statements, nothing overdue goes
//! silent. Each scenario runs the real binary month by month with one state folder; the
//! expected figures are worked out by hand in the comments.
use std::path::PathBuf;

use serde_json::Value;

use crate::email::parse;
use crate::util::{Workspace, read_sheet};

const CONTACTS: &str = "customer,name,role,email,language
ACME,Amy Bill,billing,amy@acme.example,en
ACME,Fred Fin,finance,fred@acme.example,en
ACME,Gina Boss,approver,gina@acme.example,en
华东建设,王芳,对账,wangfang@hd.example,zh
华东建设,李总,总经理,lizong@hd.example,zh
Beta Co,Bea,billing,bea@beta.example,en
";

const PROJECTS: &str = "project,customer,project_manager,go_live_date,acceptance_date,open_critical_issues
Portal,ACME,pm.li@ours.example,,,0
智慧园区,华东建设,pm.zhang@ours.example,2026-11-28,,0
";

fn workspace(invoices: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write("contacts.csv", CONTACTS);
    ws.write("projects.csv", PROJECTS);
    ws.write("invoices.csv", &format!("Customer,Invoice No,Invoice Date,Due Date,Amount,Currency,Project\n{invoices}"));
    ws
}

/// Runs as of `as_of` (outputs in `out-AS_OF`) and sends its messages to a local SMTP
/// server, as a collector does each month (only sent messages count as contact); returns
/// the actions.
fn run(ws: &Workspace, as_of: &str, extra: &[&str]) -> Vec<Value> {
    let out = format!("out-{as_of}");
    ws.payback()
        .args(["run", "--as-of", as_of, "--invoices", "invoices.csv", "--contacts", "contacts.csv"])
        .args(["--projects", "projects.csv", "--out", &out])
        .args(extra)
        .status(0);
    let server = crate::email::Server::start(ws.path());
    ws.payback().args(["send", &out, "--smtp", &format!("127.0.0.1:{}", server.port), "--yes"]).status(0);
    serde_json::from_str(&std::fs::read_to_string(ws.path().join(out).join("actions.json")).unwrap()).unwrap()
}

/// `(kind, stage)` of each action.
fn stages(actions: &[Value]) -> Vec<(String, String)> {
    actions.iter().map(|a| (text(&a["kind"]), text(&a["stage"]))).collect()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().map(text).collect()
}

/// The plain text of the run's first email whose file name contains `part`.
fn email(ws: &Workspace, as_of: &str, part: &str) -> String {
    let dir = ws.path().join(format!("out-{as_of}/emails"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let file = files.into_iter().find(|f| f.to_string_lossy().contains(part)).unwrap_or_else(|| panic!("no {part}"));
    parse(&[file]).remove(0).plain.unwrap().replace("\r\n", "\n")
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// ACME: A-1 370 days overdue on 2026-11-30, A-2 166, A-3 73, A-4 falling due on
/// 2026-12-03 (invoiced 2026-11-03), the credit note CN-1 of 2026-10-05.
const MIXED: &str = "ACME,A-1,2025-10-26,2025-11-25,1000.00,CNY,Portal
ACME,A-2,2026-05-18,2026-06-17,500.00,CNY,Portal
ACME,A-3,2026-08-19,2026-09-18,250.50,CNY,Portal
ACME,A-4,2026-11-03,2026-12-03,300.00,CNY,Portal
ACME,CN-1,2026-10-05,2026-10-05,-100.00,CNY,Portal
";

#[test]
fn the_whole_balance_is_demanded_after_two_months_of_reminders() {
    let ws = workspace(MIXED);
    // September: a first contact. A-1 is 309 days overdue (legal review by its days),
    // but a first contact is an overdue notice: 1000.00 + 500.00 + 250.50 = 1750.50.
    let sep = run(&ws, "2026-09-30", &[]);
    assert_eq!(stages(&sep), pairs(&[("message", "overdue_notice")]));
    assert_eq!(text(&sep[0]["amount"]), "1750.50");
    assert_eq!(
        text(&sep[0]["reason"]),
        "A-1, A-2, A-3: 309 days past due; stage overdue_notice (first contact: legal_review is due, but a first contact goes no higher)"
    );
    assert_eq!(sep[0]["earlier"], serde_json::json!([]));
    let first = email(&ws, "2026-09-30", "overdue_notice");
    assert!(
        first.contains("Our records show that ACME has 3 overdue invoices, the oldest 309 days past due."),
        "{first}"
    );
    assert!(!first.contains("earlier") && !first.contains("reminder") && !first.contains("last wrote"), "{first}");
    // October: one stage up. CN-1 (2026-10-05) is now deducted: 1750.50 − 100.00 = 1650.50.
    let oct = run(&ws, "2026-10-31", &[]);
    assert_eq!(stages(&oct), pairs(&[("message", "escalate_to_approver")]));
    assert_eq!(
        (text(&oct[0]["amount"]), text(&oct[0]["overdue"]), text(&oct[0]["deductions"])),
        ("1650.50".into(), "1750.50".into(), "100.00".into())
    );
    let escalation = email(&ws, "2026-10-31", "escalate_to_approver");
    assert!(escalation.contains("Despite our reminder of Sep 30, 2026, ¥1,750.50 remains unpaid"), "{escalation}");
    // November: the demand letter for the full overdue balance — every overdue item, the
    // item falling due within the 7-day window, the credit note deducted.
    let nov = run(&ws, "2026-11-30", &[]);
    assert_eq!(stages(&nov), pairs(&[("message", "demand_letter")]));
    let demand = &nov[0];
    assert_eq!(strings(&demand["invoice_nos"]), ["A-1", "A-2", "A-3", "A-4", "CN-1"]);
    assert_eq!(strings(&demand["to"]), ["gina@acme.example", "amy@acme.example"]);
    assert_eq!(
        (text(&demand["amount"]), text(&demand["overdue"]), text(&demand["deductions"])),
        ("1650.50".into(), "1750.50".into(), "100.00".into())
    );
    assert_eq!(demand["oldest_days"], 370);
    assert_eq!(
        demand["earlier"],
        serde_json::json!([
            {"date": "2026-09-30", "stage": "overdue_notice"},
            {"date": "2026-10-31", "stage": "escalate_to_approver"}
        ])
    );
    let letter = email(&ws, "2026-11-30", "demand_letter");
    for line in [
        "Despite our reminders of Sep 30, 2026 and Oct 31, 2026, ACME has not paid the following invoices, the oldest 370 days past due.",
        "  - A-1, dated Oct 26, 2025, due Nov 25, 2025: ¥1,000.00 (370 days overdue)",
        "  - A-2, dated May 18, 2026, due Jun 17, 2026: ¥500.00 (166 days overdue)",
        "  - A-3, dated Aug 19, 2026, due Sep 18, 2026: ¥250.50 (73 days overdue)",
        "  Overdue balance: ¥1,750.50",
        "Also falling due:\n  - A-4, dated Nov 3, 2026, due Dec 3, 2026: ¥300.00",
        "  - credit note CN-1 of Oct 5, 2026: -¥100.00",
        "Total to pay now (overdue, after credits): ¥1,650.50",
        "We hereby demand payment of the overdue balance, ¥1,650.50 after your credits, in full by Dec 10, 2026.",
        "  Reference: A-1, A-2, A-3",
    ] {
        assert!(letter.contains(line), "{line}\n---\n{letter}");
    }
}

#[test]
fn a_message_speaks_only_of_the_history_of_items_still_open() {
    // September's notice was about INV-1, paid since (gone from the export); October's
    // notice about INV-2 is a first contact about it: no "we last wrote".
    let ws = workspace("ACME,INV-1,2026-08-01,2026-08-31,100.00,CNY,Portal\n");
    assert_eq!(stages(&run(&ws, "2026-09-30", &[])), pairs(&[("message", "overdue_notice")]));
    ws.write("invoices.csv", "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency,Project\nACME,INV-2,2026-09-01,2026-10-01,200.00,CNY,Portal\n");
    let oct = run(&ws, "2026-10-31", &[]);
    assert_eq!(stages(&oct), pairs(&[("message", "overdue_notice")]));
    assert_eq!(oct[0]["earlier"], serde_json::json!([]));
    let text = email(&ws, "2026-10-31", "overdue_notice");
    assert!(
        text.contains("Our records show that ACME has an overdue invoice, 30 days past due. Your account"),
        "{text}"
    );
}

#[test]
fn the_top_stages_repeat_and_legal_review_keeps_a_list() {
    // A first contact may be a demand letter under these rules; INV-1 is due 2026-09-21.
    let ws = workspace("ACME,INV-1,2026-08-22,2026-09-21,800.00,CNY,Portal\n");
    ws.write("rules.toml", "[collection]\nmax_first_stage = \"demand_letter\"\n");
    let rules = ["--rules", "rules.toml"];
    // 70 days: the demand letter.
    assert_eq!(stages(&run(&ws, "2026-11-30", &rules)), pairs(&[("message", "demand_letter")]));
    // 77 days: sent 7 days ago, repeated every 14: it waits until 2026-12-14 (legal review
    // would start at 90 days, on 2026-12-20).
    let a = run(&ws, "2026-12-07", &rules);
    assert_eq!(stages(&a), pairs(&[("hold", "scheduled")]));
    assert_eq!(
        text(&a[0]["reason"]),
        "INV-1: 77 days past due; demand_letter sent on 2026-11-30; next: demand_letter again from 2026-12-14"
    );
    assert_eq!((text(&a[0]["since"]), text(&a[0]["next_date"])), ("2026-11-30".into(), "2026-12-14".into()));
    // 84 days: the demand letter again, saying so.
    let a = run(&ws, "2026-12-14", &rules);
    assert_eq!(stages(&a), pairs(&[("message", "demand_letter")]));
    assert_eq!(text(&a[0]["reason"]), "INV-1: 84 days past due; stage demand_letter again (repeated every 14 days)");
    assert!(email(&ws, "2026-12-14", "demand_letter").contains("Despite our reminder of Nov 30, 2026, ACME"));
    // 91 days: legal review, a task for our side; no message to the customer.
    let a = run(&ws, "2026-12-21", &rules);
    assert_eq!(stages(&a), pairs(&[("manual", "legal_review")]));
    assert_eq!(text(&a[0]["next_date"]), "2027-01-20");
    // A week later the account is in legal: held, with owner and next review.
    let a = run(&ws, "2026-12-28", &rules);
    assert_eq!(stages(&a), pairs(&[("hold", "in_legal")]));
    assert_eq!(
        text(&a[0]["reason"]),
        "INV-1: in legal review since 2026-12-21 (7 days), 800.00 CNY overdue after deductions; owner legal@yourcompany.example; next review 2027-01-20"
    );
    let management = read_sheet(&ws.path().join("out-2026-12-28/aging-report.xlsx"), "Management");
    let at = management.iter().rposition(|r| r[0] == "In legal review").unwrap();
    assert_eq!(
        management[at + 2][..9],
        ["ACME", "CNY", "1", "800", "2026-12-21", "7", "legal@yourcompany.example", "2027-01-20", "waiting for review"]
    );
    // 30 days after the first listing: re-listed with its age.
    let a = run(&ws, "2027-01-20", &rules);
    assert_eq!(stages(&a), pairs(&[("manual", "legal_review")]));
    assert_eq!(
        text(&a[0]["reason"]),
        "INV-1: in legal review since 2026-12-21 (30 days), 121 days past due, 800.00 CNY overdue after deductions: review again (legal@yourcompany.example)"
    );
}

#[test]
fn a_broken_promise_escalates_one_stage_and_says_so() {
    // INV-1 due 2026-10-16. On 2026-10-20 the customer promised to pay by 2026-11-20.
    let ws = workspace("ACME,INV-1,2026-09-16,2026-10-16,600.00,CNY,Portal\n");
    ws.write(
        "followups.csv",
        "customer,invoice_no,promise_to_pay_date,last_contact_date\nACME,INV-1,2026-11-20,2026-10-20\n",
    );
    let followups = ["--followups", "followups.csv"];
    // 2026-10-31: the promise holds; its age (11 days) and owner are on the Holds sheet.
    let a = run(&ws, "2026-10-31", &followups);
    assert_eq!(stages(&a), pairs(&[("hold", "promise_to_pay")]));
    let holds = read_sheet(&ws.path().join("out-2026-10-31/aging-report.xlsx"), "Holds");
    assert_eq!(holds[1][6..9], ["2026-10-20", "11", "pm.li@ours.example"]);
    // 2026-11-30: 45 days past due, never contacted by a message: an overdue notice by the
    // rules, one stage up for the broken promise: the escalation to the approver.
    let a = run(&ws, "2026-11-30", &followups);
    assert_eq!(stages(&a), pairs(&[("message", "escalate_to_approver")]));
    assert_eq!(
        text(&a[0]["reason"]),
        "INV-1: 45 days past due; stage escalate_to_approver; escalated one stage: the promise on 2026-10-20 to pay by 2026-11-20 was broken"
    );
    assert_eq!(a[0]["broken_promise"], serde_json::json!({"made_on": "2026-10-20", "promised_by": "2026-11-20"}));
    let text = email(&ws, "2026-11-30", "escalate_to_approver");
    assert!(text.contains("On Oct 20, 2026 you promised payment by Nov 20, 2026; we have not received it."), "{text}");
    assert!(text.contains("¥600.00 is unpaid, the oldest invoice 45 days past due."), "{text}");
}

#[test]
fn go_live_asks_for_its_milestone_after_the_invoice_is_issued() {
    // The project went live on 2026-11-28; its go-live milestone (4,000.00, 10 days) is
    // not invoiced; HD-1 of the same project is 30 days overdue.
    let ws = workspace("华东建设,HD-1,2026-10-01,2026-10-31,2000.00,CNY,智慧园区\n");
    ws.write(
        "milestones.csv",
        "project,name,amount,trigger,term_days,invoice_no\n智慧园区,上线款 40%,4000.00,go_live,10,\n",
    );
    let a = run(&ws, "2026-11-30", &["--milestones", "milestones.csv"]);
    // The issue_invoice task comes first on the account, then the request.
    assert_eq!(stages(&a), pairs(&[("manual", "issue_invoice"), ("message", "milestone_request")]));
    assert_eq!(
        text(&a[1]["reason"]),
        "go-live of 智慧园区 on 2026-11-28: a good moment to ask for HD-1; issue the invoice for 上线款 40% first"
    );
    assert_eq!(text(&a[1]["amount"]), "2000.00");
    assert_eq!(
        a[1]["milestones"],
        serde_json::json!([{"name": "上线款 40%", "project": "智慧园区", "amount": "4000.00", "due_date": "2026-12-08", "invoice_no": null}])
    );
    let letter = email(&ws, "2026-11-30", "milestone_request");
    assert!(
        letter.contains("  - 上线款 40%（智慧园区）：¥4,000.00，付款到期日 2026年12月8日，发票将随后开具"),
        "{letter}"
    );
    assert!(
        letter.contains("发票 HD-1，开票日期 2026年10月1日，到期日 2026年10月31日：¥2,000.00（已逾期 30 天）"),
        "{letter}"
    );
    // The Management sheet lists the milestone waiting to be invoiced: 2 days since go-live.
    let management = read_sheet(&ws.path().join("out-2026-11-30/aging-report.xlsx"), "Management");
    let at = management.iter().position(|r| r[0] == "Milestones due, not invoiced").unwrap();
    assert_eq!(
        management[at + 2][..8],
        ["华东建设", "智慧园区", "上线款 40%", "CNY", "4000", "2026-11-28", "2", "2026-12-08"]
    );
}

#[test]
fn a_thank_you_names_the_payment_and_each_invoice_it_paid() {
    // 1,500.00 received on 2026-11-20 without a reference: oldest first, B-1 (1,000.00)
    // settled and B-2 (800.00, due 2026-12-15) reduced by 500.00 to 300.00.
    let ws =
        workspace("Beta Co,B-1,2026-09-15,2026-10-15,1000.00,CNY,\nBeta Co,B-2,2026-11-15,2026-12-15,800.00,CNY,\n");
    ws.write("payments.csv", "Date,Payer,Amount,Currency,Reference\n2026-11-20,Beta Co,1500.00,CNY,\n");
    let a = run(&ws, "2026-11-30", &["--payments", "payments.csv"]);
    assert_eq!(stages(&a), pairs(&[("message", "thank_you")]));
    assert_eq!(text(&a[0]["amount"]), "1500.00");
    assert_eq!(
        text(&a[0]["reason"]),
        "1500.00 received on 2026-11-20: B-1 settled, B-2 reduced by 500.00 to 300.00: thank the customer and confirm receipt"
    );
    let letter = email(&ws, "2026-11-30", "thank_you");
    for line in [
        "¥1,500.00 received on Nov 20, 2026:",
        "  - B-1: ¥1,000.00 applied, paid in full",
        "  - B-2: ¥500.00 applied, ¥300.00 still open",
    ] {
        assert!(letter.contains(line), "{line}\n---\n{letter}");
    }
}

#[test]
fn a_reminder_to_a_customer_who_just_paid_acknowledges_the_payment() {
    // 700.00 received on 2026-11-20 settles B-1 (oldest first); B-2 (400.00, 46 days) is
    // still overdue: its overdue notice goes to Bea, and thanks her for the payment in the
    // same message instead of a second one.
    let ws =
        workspace("Beta Co,B-1,2026-08-15,2026-09-14,700.00,CNY,\nBeta Co,B-2,2026-09-15,2026-10-15,400.00,CNY,\n");
    ws.write("payments.csv", "Date,Payer,Amount,Currency,Reference\n2026-11-20,Beta Co,700.00,CNY,\n");
    let a = run(&ws, "2026-11-30", &["--payments", "payments.csv"]);
    assert_eq!(stages(&a), pairs(&[("message", "overdue_notice")]));
    assert_eq!(text(&a[0]["amount"]), "400.00");
    assert!(
        text(&a[0]["reason"]).ends_with("; acknowledges 700.00 received on 2026-11-20: B-1 settled"),
        "{}",
        a[0]["reason"]
    );
    let letter = email(&ws, "2026-11-30", "overdue_notice");
    assert!(
        letter.contains("Thank you for your payment of ¥700.00 received on Nov 20, 2026: B-1 is paid in full."),
        "{letter}"
    );
    // Acknowledged once: next month it is not thanked again.
    let next = run(&ws, "2026-12-31", &["--payments", "payments.csv"]);
    assert!(next.iter().all(|x| x["stage"] != "thank_you" && x["payments"] == serde_json::json!([])), "{next:?}");
}

#[test]
fn copies_count_for_the_cadence_like_recipients() {
    // A ladder whose escalation goes to finance, who is in copy of the overdue notice.
    let ws = workspace("ACME,INV-1,2026-09-21,2026-10-21,900.00,CNY,Portal\n");
    ws.write(
        "rules.toml",
        "[[collection.stages]]\nid = \"overdue_notice\"\nfrom_days = 1\nto_days = 32\nkind = \"message\"\nto = [\"billing\"]\ncc = [\"finance\"]\ntemplate = \"overdue_notice\"\n\n\
         [[collection.stages]]\nid = \"escalate_to_approver\"\nfrom_days = 33\nkind = \"message\"\nto = [\"finance\"]\ntemplate = \"escalate_to_approver\"\n",
    );
    let rules = ["--rules", "rules.toml"];
    let a = run(&ws, "2026-11-20", &rules);
    assert_eq!(
        (strings(&a[0]["to"]), strings(&a[0]["cc"])),
        (vec!["amy@acme.example".into()], vec!["fred@acme.example".into()])
    );
    // 35 days: the escalation to Fred waits: he was in copy 5 days ago.
    let a = run(&ws, "2026-11-25", &rules);
    assert_eq!(stages(&a), pairs(&[("hold", "cadence")]));
    assert!(
        text(&a[0]["reason"])
            .ends_with("held: last contacted on 2026-11-20, next message from 2026-11-27 (cadence 7 days)"),
        "{}",
        a[0]["reason"]
    );
    // Seven days after the copy it goes.
    let a = run(&ws, "2026-11-27", &rules);
    assert_eq!(stages(&a), pairs(&[("message", "escalate_to_approver")]));
    assert_eq!(strings(&a[0]["to"]), ["fred@acme.example"]);
}

/// The invariants of issue 20 over random portfolios and twelve monthly runs, in process
/// against the library (the binary would take minutes).
mod invariants {
    use std::sync::Arc;

    use chrono::{Datelike, Duration, NaiveDate};
    use payback::config::rules_file::RulesSpec;
    use payback::money::Currency;
    use payback::normalize::Invoice;
    use payback::normalize::records::{Contact, Followup, Role};
    use payback::rules::action::{Action, ActionKind};
    use payback::rules::calendar::Calendar;
    use payback::rules::engine::{self, Facts, OpenItems};
    use payback::rules::history::History;
    use proptest::prelude::*;

    const CUSTOMERS: [&str; 4] = ["Alpha", "Beta", "Gamma", "Delta"];

    /// One invoice (or credit note) of the portfolio.
    #[derive(Debug, Clone)]
    struct Draft {
        customer: usize,
        usd: bool,
        /// Due date in days after 2025-12-01 (negative: before).
        due: i64,
        /// Minor units; below zero a credit note.
        amount: i64,
        /// Paid at the end of this month (0-11), or never.
        paid: Option<u32>,
    }

    /// Per customer: a disputed invoice (index into its drafts), a promise (days after
    /// 2025-12-01, made 20 days before), and whether it has an approver.
    #[derive(Debug, Clone)]
    struct Facts4 {
        disputed: Option<usize>,
        promise: Option<i64>,
        approver: bool,
    }

    fn draft() -> impl Strategy<Value = Draft> {
        (
            0..4usize,
            any::<bool>(),
            -400i64..330,
            prop_oneof![4 => 1i64..900_000, 1 => -200_000i64..-1],
            prop::option::of(0u32..12),
        )
            .prop_map(|(customer, usd, due, amount, paid)| Draft { customer, usd, due, amount, paid })
    }

    fn facts() -> impl Strategy<Value = Facts4> {
        (prop::option::of(0..6usize), prop::option::of(0i64..360), any::<bool>())
            .prop_map(|(disputed, promise, approver)| Facts4 { disputed, promise, approver })
    }

    fn day(offset: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 12, 1).unwrap() + Duration::days(offset)
    }

    /// The last day of month `k` (0 = January 2026).
    fn month_end(k: u32) -> NaiveDate {
        let first = NaiveDate::from_ymd_opt(2026, k + 1, 1).unwrap();
        let next =
            if k == 11 { NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() } else { first.with_month(k + 2).unwrap() };
        next - Duration::days(1)
    }

    fn invoices(drafts: &[Draft], month: u32) -> Vec<Invoice> {
        drafts
            .iter()
            .enumerate()
            .filter(|(_, d)| d.paid.is_none_or(|p| p >= month))
            .map(|(n, d)| Invoice {
                customer: Arc::from(CUSTOMERS[d.customer]),
                invoice_no: format!("I-{n}"),
                invoice_date: day(d.due - 30),
                due_date: day(d.due),
                currency: Currency::parse(if d.usd { "USD" } else { "CNY" }).unwrap(),
                amount_minor: d.amount,
                open_minor: d.amount,
                project: None,
                contract_no: None,
                project_manager: None,
                paid_date: None,
                source_row: n + 2,
                source: 0,
                due_assumed: false,
                lines: None,
            })
            .collect()
    }

    fn contacts(per_customer: &[Facts4]) -> Vec<Contact> {
        let mut out = Vec::new();
        for (c, name) in CUSTOMERS.iter().enumerate() {
            let mut add = |role, who: &str| {
                out.push(Contact {
                    customer: (*name).into(),
                    name: who.into(),
                    role,
                    email: format!("{who}@{}.example", name.to_lowercase()),
                    language: Some("en".into()),
                    title: None,
                });
            };
            add(Role::Billing, "ap");
            add(Role::Finance, "fin");
            if per_customer[c].approver {
                add(Role::Approver, "gm");
            }
        }
        out
    }

    fn followups(drafts: &[Draft], per_customer: &[Facts4]) -> Vec<Followup> {
        let mut out = Vec::new();
        for (c, f) in per_customer.iter().enumerate() {
            let mine: Vec<usize> = (0..drafts.len()).filter(|n| drafts[*n].customer == c).collect();
            if let Some(i) = f.disputed.and_then(|i| mine.get(i)) {
                out.push(Followup {
                    customer: CUSTOMERS[c].into(),
                    invoice_no: Some(format!("I-{i}")),
                    disputed: true,
                    promise_to_pay_date: None,
                    process_stage: None,
                    stage_since: None,
                    approver: None,
                    last_contact_date: None,
                    note: None,
                });
            }
            if let Some(p) = f.promise {
                out.push(Followup {
                    customer: CUSTOMERS[c].into(),
                    invoice_no: None,
                    disputed: false,
                    promise_to_pay_date: Some(day(p)),
                    process_stage: None,
                    stage_since: None,
                    approver: None,
                    last_contact_date: Some(day(p - 20)),
                    note: None,
                });
            }
        }
        out
    }

    /// Checks one run's decisions against the items and the history before it.
    fn check(
        actions: &[Action],
        items: &OpenItems<'_>,
        history: &History,
        as_of: NaiveDate,
        first: usize,
        spec: &payback::config::collection::CollectionSpec,
    ) -> Result<(), TestCaseError> {
        let item = |customer: &str, no: &str| items.iter().find(|i| i.customer == customer && i.invoice_no == no);
        // Nothing overdue goes silent: each open overdue item is in exactly one message,
        // task or hold (a fix-first task sits on its critical-issues hold).
        for i in items.iter().filter(|i| i.open_minor > 0 && i.days_past_due > 0) {
            let n = actions
                .iter()
                .filter(|a| !["fix_first", "thank_you"].contains(&a.stage.as_str()))
                .filter(|a| a.customer == i.customer && a.currency == i.currency.code())
                .filter(|a| a.invoice_nos.iter().any(|x| x == i.invoice_no))
                .count();
            prop_assert_eq!(n, 1, "{} {} as of {}: in {} actions: {:#?}", i.customer, i.invoice_no, as_of, n, actions);
        }
        // A hold says since when (the follow-ups' holds when their rows give a date); the
        // legal list says who owns the case and when it is reviewed next.
        for h in actions.iter().filter(|a| a.kind == ActionKind::Hold) {
            if !["disputed", "promise_to_pay", "critical_issues"].contains(&h.stage.as_str()) {
                prop_assert!(h.since.is_some(), "no since: {:?}", h);
            }
            if h.stage == "in_legal" {
                prop_assert!(h.owner.is_some() && h.next_date.is_some(), "{:?}", h);
            }
        }
        for a in actions.iter().filter(|a| a.kind == ActionKind::Message) {
            let currency = Currency::parse(&a.currency).unwrap();
            let listed: Vec<_> = a.invoice_nos.iter().filter_map(|n| item(&a.customer, n)).collect();
            let overdue: i64 =
                listed.iter().filter(|i| i.open_minor > 0 && i.days_past_due > 0).map(|i| i.open_minor).sum();
            let credits: i64 = listed.iter().filter(|i| i.open_minor < 0).map(|i| -i.open_minor).sum();
            // The account's whole overdue balance: every overdue item not held.
            let held: Vec<&String> = actions
                .iter()
                .filter(|h| h.kind == ActionKind::Hold && h.customer == a.customer && h.currency == a.currency)
                .flat_map(|h| &h.invoice_nos)
                .collect();
            let balance: i64 = items
                .iter()
                .filter(|i| i.customer == a.customer && i.currency.code() == a.currency)
                .filter(|i| i.open_minor > 0 && i.days_past_due > 0 && !held.iter().any(|h| *h == i.invoice_no))
                .map(|i| i.open_minor)
                .sum();
            prop_assert_eq!(overdue, balance, "{} misses overdue items: {:?}", a.customer, a);
            prop_assert_eq!(a.overdue.clone(), Some(currency.format(overdue)));
            if overdue > 0 {
                prop_assert_eq!(&a.amount, &currency.format((overdue - credits).max(0)), "{:?}", a);
                prop_assert!(overdue > credits, "a message asks for nothing: {:?}", a);
                let oldest =
                    listed.iter().filter(|i| i.open_minor > 0 && i.days_past_due > 0).map(|i| i.days_past_due).max();
                prop_assert_eq!(a.oldest_days, oldest);
            }
            // No history the log lacks.
            for e in &a.earlier {
                let logged = history.entries().iter().any(|l| {
                    l.as_of == e.date
                        && l.as_of < as_of
                        && l.kind == "message"
                        && l.customer == a.customer
                        && l.currency == a.currency
                        && l.stage == e.stage
                });
                prop_assert!(logged, "{:?} claims {:?}", a, e);
            }
            // A first contact goes no higher than the first-contact stage (one more for a
            // broken promise).
            let contacted = history
                .entries()
                .iter()
                .any(|l| l.kind == "message" && l.customer == a.customer && l.currency == a.currency);
            if let (false, Some(index)) = (contacted, spec.stage_index(&a.stage)) {
                let limit = first + usize::from(a.broken_promise.is_some());
                prop_assert!(index <= limit, "first contact at {}: {:?}", a.stage, a);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn nothing_overdue_goes_silent_and_no_letter_overstates_or_understates(
            drafts in prop::collection::vec(draft(), 1..14),
            per_customer in prop::collection::vec(facts(), 4),
            // Which months' messages the collector sends (the others stay prepared, never
            // sent: they must not count as contact).
            sent in prop::collection::vec(prop::bool::weighted(0.75), 12),
        ) {
            let rules = RulesSpec::load(None).unwrap();
            let spec = &rules.collection;
            let calendar = Calendar::built_in("cn").unwrap();
            let cny = Currency::parse("CNY").unwrap();
            let contacts = contacts(&per_customer);
            let followups = followups(&drafts, &per_customer);
            let mut history = History::default();
            for month in 0..12 {
                let as_of = month_end(month);
                let invoices = invoices(&drafts, month);
                let aging = payback::aging::age(&invoices, as_of, rules.aging.basis, &rules.aging.buckets, &cny).unwrap();
                let items = OpenItems::new(&aging).unwrap();
                let facts = Facts {
                    contacts: &contacts,
                    projects: &[],
                    followups: &followups,
                    history: &history,
                    milestones: &[],
                    calendar: &calendar,
                    default_currency: &cny,
                    default_term_days: Some(30),
                    pending_cash: &[],
                };
                let decisions = engine::decide(&items, facts, spec, as_of, None);
                check(&decisions.actions, &items, &history, as_of, spec.first_contact_index(), spec)?;
                let mut entries = decisions.log_entries(as_of);
                if sent[month as usize] {
                    for e in entries.iter_mut().filter(|e| e.kind == "message") {
                        e.sent_at = Some(format!("{as_of}T09:00:00Z"));
                    }
                }
                history.record(as_of, entries);
            }
        }
    }
}
