//! Snapshots of every built-in template, rendered in Chinese and English for a sample
//! customer, so a change to the wording is a reviewed change. (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test` to accept.)
use payback::email::context::{
    ApprovalView, CompanyView, DigestAction, DigestContext, DigestCustomer, InvoiceView, MessageContext, PersonView,
    ProjectView,
};
use payback::email::render::Templates;
use payback::rules::spec::RulesSpec;

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
        ],
        total: "361234.56".into(),
        currency: currency.into(),
        totals: vec![payback::email::context::CurrencyTotal { currency: currency.into(), amount: "361234.56".into() }],
        reference: "INV-CN-0001, INV-CN-0004".into(),
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
                amount: "1417923.29".into(),
                currency: "CNY".into(),
                reason: "go-live of 智慧园区一期 on 2026-11-27: a good moment to ask".into(),
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
