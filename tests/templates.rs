//! Snapshots of every built-in template, rendered in Chinese and English for a sample
//! customer, so a change to the wording is a reviewed change. (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test` to accept.)
use payback::config::rules_file::RulesSpec;
use payback::email::context::{
    ApprovalView, CashView, CompanyView, DigestAction, DigestContext, DigestCustomer, EarlierView, InvoiceView,
    MessageContext, MilestoneView, PaidView, PaymentView, PersonView, ProjectView, PromiseView, SetAsideView,
};
use payback::email::render::Templates;

const MESSAGES: [&str; 8] = [
    "reminder_before_due",
    "due_notice",
    "overdue_notice",
    "escalate_to_approver",
    "demand_letter",
    "milestone_request",
    "approval_status_report",
    "thank_you",
];

/// The built-in company as a message in `lang` shows it: `[company.zh]` or `[company.en]`.
fn company(lang: &str) -> CompanyView {
    let rules = RulesSpec::load(None).unwrap();
    CompanyView::new(&rules.company, lang)
}

fn invoice(no: &str, dated: &str, due: &str, amount: &str, currency: &str, days: i64) -> InvoiceView {
    InvoiceView {
        invoice_no: no.into(),
        invoice_date: dated.into(),
        due_date: due.into(),
        amount: amount.into(),
        open_amount: amount.into(),
        currency: currency.into(),
        days_past_due: days,
        project: Some("智慧园区一期".into()),
        contract_no: Some("HT-2025-001".into()),
    }
}

/// The sample account's whole position as of 2026-11-30: two overdue invoices (60 and 16
/// days), one falling due on 2026-12-03, a credit note of 5,000.00 and 234.56 paid on
/// account. Overdue 360,000.00 + 1,234.56 = 361,234.56; deductions 5,000.00 + 234.56 =
/// 5,234.56; to pay now 356,000.00 (with the invoice falling due, for a milestone
/// request: 436,000.00). The escalation and the demand letter follow two earlier
/// messages; the overdue notice is a first contact; the escalation also follows a broken
/// promise.
fn context(lang: &str, stage: &str) -> MessageContext {
    let (customer, contact, approver, currency) = if lang == "zh" {
        ("华为技术有限公司", ("陈静", "ap@c00.example.com"), ("赵总", "gm@c00.example.com"), "CNY")
    } else {
        ("Acme Engineering GmbH", ("Alex Morgan", "ap@c22.example.com"), ("Jordan Blake", "gm@c22.example.com"), "USD")
    };
    let person = |(name, email): (&str, &str)| PersonView { name: name.into(), email: email.into(), title: None };
    // Greeted by title: 陈经理 / Mr. Morgan (issue 23).
    let first =
        PersonView { title: Some(if lang == "zh" { "陈经理" } else { "Mr. Morgan" }.into()), ..person(contact) };
    let milestone = stage == "milestone_request";
    let total = match stage {
        "milestone_request" => "436000.00",
        "thank_you" => "100000.00",
        _ => "356000.00",
    };
    MessageContext {
        lang: lang.into(),
        as_of: "2026-11-30".into(),
        stage: stage.into(),
        reason: "sample".into(),
        company: company(lang),
        customer: customer.into(),
        greeting: if lang == "zh" { "陈经理，您好" } else { "Dear Mr. Morgan," }.into(),
        contact: first.clone(),
        to: vec![first],
        cc: vec![person(approver)],
        invoices: vec![
            invoice("INV-CN-0001", "2026-09-01", "2026-10-01", "360000.00", currency, 60),
            invoice("INV-CN-0004", "2026-10-15", "2026-11-14", "1234.56", currency, 16),
            invoice("INV-CN-0007", "2026-11-03", "2026-12-03", "80000.00", currency, -3),
            invoice("CN-0002", "2026-11-10", "2026-11-10", "-5000.00", currency, 20),
        ],
        total: total.into(),
        currency: currency.into(),
        totals: vec![payback::email::context::CurrencyTotal { currency: currency.into(), amount: total.into() }],
        reference: if milestone { "INV-CN-0001, INV-CN-0004, INV-CN-0007" } else { "INV-CN-0001, INV-CN-0004" }.into(),
        max_days_past_due: 60,
        project: Some(ProjectView {
            name: "智慧园区一期".into(),
            go_live_date: Some("2026-11-27".into()),
            acceptance_date: None,
            status_note: Some(
                if lang == "zh" {
                    "一期已上线，用户反馈良好"
                } else {
                    "Phase 1 is live; users are satisfied"
                }
                .into(),
            ),
            project_manager: Some("zhang.wei@ourcompany.example".into()),
            project_manager_display: Some(
                if lang == "zh" {
                    "张伟 <zhang.wei@ourcompany.example>"
                } else {
                    "Zhang Wei <zhang.wei@ourcompany.example>"
                }
                .into(),
            ),
        }),
        deadline: "2026-12-10".into(),
        approval: Some(ApprovalView {
            process_stage: if lang == "zh" { "总经理审批" } else { "awaiting GM approval" }.into(),
            since: "2026-11-05".into(),
            days: 25,
            approver: approver.0.into(),
        }),
        overdue_invoices: vec![
            invoice("INV-CN-0001", "2026-09-01", "2026-10-01", "360000.00", currency, 60),
            invoice("INV-CN-0004", "2026-10-15", "2026-11-14", "1234.56", currency, 16),
        ],
        upcoming_invoices: vec![invoice("INV-CN-0007", "2026-11-03", "2026-12-03", "80000.00", currency, -3)],
        credit_notes: vec![invoice("CN-0002", "2026-11-10", "2026-11-10", "-5000.00", currency, 20)],
        cash_credits: vec![CashView { date: "2026-11-20".into(), amount: "234.56".into() }],
        overdue_total: "361234.56".into(),
        upcoming_total: "80000.00".into(),
        deductions: "5234.56".into(),
        total_in_words: if milestone {
            "人民币肆拾叁万陆仟元整"
        } else {
            "人民币叁拾伍万陆仟元整"
        }
        .into(),
        earlier: if matches!(stage, "escalate_to_approver" | "demand_letter") {
            vec![
                EarlierView { date: "2026-09-30".into(), stage: "overdue_notice".into() },
                EarlierView { date: "2026-10-31".into(), stage: "escalate_to_approver".into() },
            ]
        } else {
            Vec::new()
        },
        broken_promise: (stage == "escalate_to_approver")
            .then(|| PromiseView { made_on: Some("2026-11-02".into()), promised_by: "2026-11-20".into() }),
        milestones: if milestone {
            vec![
                MilestoneView {
                    name: "上线款 30%".into(),
                    project: "智慧园区一期".into(),
                    amount: "80000.00".into(),
                    due_date: "2026-12-03".into(),
                    invoice_no: Some("INV-CN-0007".into()),
                },
                MilestoneView {
                    name: "运维款 10%".into(),
                    project: "智慧园区一期".into(),
                    amount: "26000.00".into(),
                    due_date: "2026-12-27".into(),
                    invoice_no: None,
                },
            ]
        } else {
            Vec::new()
        },
        // The thank-you confirms the payment; the overdue notice to the same contact
        // acknowledges it instead of ignoring it.
        payments: if matches!(stage, "thank_you" | "overdue_notice") {
            vec![PaymentView {
                date: "2026-11-26".into(),
                amount: "100000.00".into(),
                reference: "INV-CN-0002 INV-CN-0003".into(),
                invoices: vec![
                    PaidView {
                        invoice_no: "INV-CN-0002".into(),
                        applied: "60000.00".into(),
                        remaining: "0.00".into(),
                        settled: true,
                    },
                    PaidView {
                        invoice_no: "INV-CN-0003".into(),
                        applied: "40000.00".into(),
                        remaining: "20000.00".into(),
                        settled: false,
                    },
                ],
                credit: None,
            }]
        } else {
            Vec::new()
        },
        // The demand letter leaves out a disputed invoice and says so.
        set_aside: if stage == "demand_letter" {
            vec![SetAsideView {
                invoice: invoice("INV-CN-0005", "2026-08-01", "2026-08-31", "9000.00", currency, 91),
                why: "disputed".into(),
            }]
        } else {
            Vec::new()
        },
    }
}

fn snapshot_text(r: &payback::email::render::Rendered) -> String {
    format!("SUBJECT: {}\n\n--- text ---\n{}\n--- html ---\n{}", r.subject, r.text, r.html)
}

#[test]
fn every_message_template_in_both_languages() {
    let templates = Templates::new(None);
    for lang in ["zh", "en"] {
        for name in MESSAGES {
            let rendered = templates.render(name, lang, &context(lang, name)).unwrap();
            assert_eq!(rendered.lang, lang);
            insta::assert_snapshot!(format!("{name}.{lang}"), snapshot_text(&rendered));
        }
    }
}

#[test]
fn the_project_manager_digest_in_both_languages() {
    let templates = Templates::new(None);
    for lang in ["zh", "en"] {
        let context = DigestContext {
            lang: lang.into(),
            as_of: "2026-11-30".into(),
            company: company(lang),
            manager: PersonView {
                name: if lang == "zh" { "张伟" } else { "Zhang Wei" }.into(),
                email: "zhang.wei@ourcompany.example".into(),
                title: None,
            },
            customers: vec![DigestCustomer {
                customer: "华为技术有限公司".into(),
                currency: "CNY".into(),
                open: "1417923.29".into(),
                overdue: "1417923.29".into(),
                items: 4,
                max_days_past_due: 312,
            }],
            actions: vec![DigestAction {
                customer: "华为技术有限公司".into(),
                kind: "message".into(),
                stage: "milestone_request".into(),
                kind_name: if lang == "zh" { "发送函件" } else { "Message" }.into(),
                stage_name: if lang == "zh" { "节点付款申请" } else { "Milestone payment request" }.into(),
                amount: "1417923.29".into(),
                currency: "CNY".into(),
                reason: if lang == "zh" {
                    "智慧园区一期于 2026-11-27 上线：正是请客户支付 INV-CN-0001 的好时机"
                } else {
                    "go-live of 智慧园区一期 on 2026-11-27: a good moment to ask"
                }
                .into(),
            }],
        };
        let rendered = templates.render("pm_digest", lang, &context).unwrap();
        insta::assert_snapshot!(format!("pm_digest.{lang}"), snapshot_text(&rendered));
    }
}

#[test]
fn a_language_without_the_template_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("en")).unwrap();
    for part in ["subject.txt", "txt", "html"] {
        std::fs::write(dir.path().join(format!("en/custom.{part}")), "Hi {{ contact.name }}").unwrap();
    }
    let templates = Templates::new(Some(dir.path()));
    let rendered = templates.render("custom", "zh", &context("zh", "custom")).unwrap();
    assert_eq!((rendered.lang.as_str(), rendered.subject.as_str()), ("en", "Hi 陈静"));
}
