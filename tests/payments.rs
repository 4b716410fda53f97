//! Payments matched to open invoices, case by case, with the figures worked out by hand
//! (as of 2026-11-30):
//!
//! | payment | payer | amount | rule | applied |
//! |---|---|---|---|---|
//! | 11-02 | Some Holding | 2,000.00 | reference "A-2" (the payer need not be the customer) | A-2 2,000.00, paid |
//! | 11-05 | Beta Ltd | 450.00 | exact amount | B-2 450.00, paid (not B-1, older but 300.00) |
//! | 11-10 | ACME | 1,200.00 | oldest first | A-1 1,000.00 paid, A-3 200.00 part (300.00 left) |
//! | 11-12 | Beta Ltd | 400.00 | oldest first | B-1 300.00 paid; 100.00 credit on account |
//! | 11-20 | Gama GmbH | USD 500.00 | none | unmatched; Gamma GmbH suggested, not applied |
//! | 12-03 | ACME | 300.00 | none | after the as-of date |
//!
//! CNY: 5 payments, in 4,350.00 = applied 3,950.00 + unapplied 400.00 (credit 100.00,
//! after as-of 300.00). Open after matching: A-3 300.00 (CNY), G-1 800.00 (USD).
use crate::util::{Workspace, read_sheet, read_summary};

const INVOICES: &str = "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency
ACME,A-1,2026-08-01,2026-08-31,1000.00,CNY
ACME,A-2,2026-09-01,2026-10-01,2000.00,CNY
ACME,A-3,2026-10-01,2026-10-31,500.00,CNY
Beta Ltd,B-1,2026-09-15,2026-10-15,300.00,CNY
Beta Ltd,B-2,2026-10-15,2026-11-14,450.00,CNY
Gamma GmbH,G-1,2026-10-01,2026-10-31,800.00,USD
";

const PAYMENTS: &str = "Date,Payer,Amount,Currency,Reference
2026-11-02,Some Holding,2000.00,CNY,Payment for invoice A-2
2026-11-05,Beta Ltd,450.00,CNY,November
2026-11-10,ACME,1200.00,CNY,
2026-11-12,Beta Ltd,400.00,CNY,
2026-11-20,Gama GmbH,500.00,USD,
2026-12-03,ACME,300.00,CNY,
";

#[test]
fn every_matching_case_with_hand_figures() {
    let ws = Workspace::new();
    ws.write("invoices.csv", INVOICES);
    ws.write("payments.csv", PAYMENTS);
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--payments", "payments.csv"])
        .status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.rows.figures(), [6, 2, 0, 4, 0]);
    let cny = &summary.currencies["CNY"];
    assert_eq!((cny.total_open.as_str(), cny.count), ("300.00", 1));
    let paid = cny.payments.as_ref().unwrap();
    assert_eq!(
        (paid.count, paid.total_in.as_str(), paid.applied.as_str(), paid.unapplied.as_str()),
        (5, "4350.00", "3950.00", "400.00")
    );
    // All CNY applications fall in the period after 10-31: cash collected 3,950.00.
    assert_eq!(cny.metrics.collected, "3950.00");
    let usd = &summary.currencies["USD"];
    assert_eq!(usd.total_open, "800.00");
    assert_eq!(usd.payments.as_ref().unwrap().unapplied, "500.00");
    let all = summary.payments.as_ref().unwrap();
    assert_eq!(all["USD"].applied, "0.00");
    // Control totals: 4,250.00 read = 300.00 reported + 3,950.00 paid.
    assert_eq!(summary.inputs[0].amounts["CNY"].read, "4250.00");
    assert_eq!(summary.inputs[0].amounts["CNY"].paid_by_payments, "3950.00");

    let sheet = read_sheet(&ws.out().join("aging-report.xlsx"), "Reconciliation");
    let lines: Vec<[&str; 6]> = sheet[1..10]
        .iter()
        .map(|r| [r[1].as_str(), r[5].as_str(), r[6].as_str(), r[7].as_str(), r[8].as_str(), r[9].as_str()])
        .collect();
    assert_eq!(
        lines,
        [
            ["Some Holding", "ACME", "A-2", "2000", "", "reference; invoice paid in full"],
            ["Beta Ltd", "Beta Ltd", "B-2", "450", "", "exact amount; invoice paid in full"],
            ["ACME", "ACME", "A-1", "1000", "", "oldest first; invoice paid in full"],
            ["", "ACME", "A-3", "200", "", "oldest first; part payment"],
            ["Beta Ltd", "Beta Ltd", "B-1", "300", "", "oldest first; invoice paid in full"],
            ["", "Beta Ltd", "", "", "100", "credit on account (paid more than is open)"],
            ["Gama GmbH", "", "", "", "500", "unmatched payer; perhaps Gamma GmbH? (not applied)"],
            ["ACME", "", "", "", "300", "received after the as-of date"],
            ["", "", "", "", "", ""],
        ]
    );
    let totals = sheet.iter().position(|r| r[0] == "Total CNY").unwrap();
    let figures: Vec<&str> = [1, 3, 4, 7, 8, 9].iter().map(|&c| sheet[totals][c].as_str()).collect();
    assert_eq!(figures, ["5 payments", "CNY", "4350", "3950", "400", "OK: received = applied + unapplied"]);
    // The aging uses balances after matching: A-3 shows 300.00 open of 500.00.
    let detail = read_sheet(&ws.out().join("aging-report.xlsx"), "Detail");
    let a3 = detail.iter().find(|r| r[1] == "A-3").unwrap();
    assert_eq!((a3[5].as_str(), a3[6].as_str()), ("500", "300"));
}

#[test]
fn a_bad_payment_row_is_rejected_with_its_reason() {
    let ws = Workspace::new();
    ws.write("invoices.csv", INVOICES);
    ws.write("payments.csv", "Date,Payer,Amount\n2026-11-02,ACME,-50.00\n2026-11-03,,10.00\n");
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--payments", "payments.csv"])
        .status(1);
    let rejected = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    let reasons: Vec<&str> = rejected[1..].iter().map(|r| r[4].as_str()).collect();
    assert_eq!(
        reasons,
        ["amount must be a receipt above zero (refunds and debits are not payments received)", "payer is empty"]
    );
}

#[test]
fn invoices_paid_in_full_get_a_thank_you_once() {
    let ws = Workspace::new();
    ws.write("invoices.csv", INVOICES);
    ws.write("payments.csv", PAYMENTS);
    ws.write("contacts.csv", "customer,name,role,email,language\nBeta Ltd,Bea,billing,bea@beta.example,en\n");
    let args = [
        "run",
        "--as-of",
        "2026-11-30",
        "--invoices",
        "invoices.csv",
        "--payments",
        "payments.csv",
        "--contacts",
        "contacts.csv",
    ];
    ws.payback().args(args).status(0);
    let actions: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(ws.out().join("actions.json")).unwrap()).unwrap();
    let thanks: Vec<&serde_json::Value> = actions.iter().filter(|a| a["stage"] == "thank_you").collect();
    assert_eq!(thanks.len(), 1);
    assert_eq!(thanks[0]["to"], serde_json::json!(["bea@beta.example"]));
    assert_eq!(thanks[0]["invoice_nos"], serde_json::json!(["B-2", "B-1"]));
    // The payments received: 450.00 (B-2 paid) + 400.00 (B-1 paid, 100.00 credit on
    // account) = 850.00, each named with its date and what it paid (issue 20).
    assert_eq!(thanks[0]["amount"], "850.00");
    assert_eq!(
        thanks[0]["reason"],
        "450.00 received on 2026-11-05: B-2 settled; 400.00 received on 2026-11-12: B-1 settled, 100.00 credit on account: thank the customer and confirm receipt"
    );
    let outbox = std::fs::read_to_string(ws.out().join("outbox.csv")).unwrap();
    assert!(outbox.contains(",Thank you for your payments of ¥850.00,Beta Ltd,thank_you,850.00,CNY,"), "{outbox}");
    // The thank-you is sent; the next month the same payments do not thank again.
    let server = crate::email::Server::start(ws.path());
    ws.payback().args(["send", "out", "--smtp", &format!("127.0.0.1:{}", server.port), "--yes"]).status(0);
    ws.payback()
        .args([
            "run",
            "--as-of",
            "2026-12-31",
            "--invoices",
            "invoices.csv",
            "--payments",
            "payments.csv",
            "--contacts",
            "contacts.csv",
        ])
        .status(0);
    let actions: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(ws.out().join("actions.json")).unwrap()).unwrap();
    assert!(actions.iter().all(|a| a["stage"] != "thank_you"), "{actions:?}");
}

/// Writes `sheets` (name, CSV text) as one workbook, every cell as text.
fn workbook(path: &std::path::Path, sheets: &[(&str, &str)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, csv) in sheets {
        let ws = book.add_worksheet().set_name(*name).unwrap();
        for (r, line) in (0u32..).zip(csv.lines()) {
            for (c, cell) in (0u16..).zip(line.split(',')) {
                ws.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn one_workbook_with_every_input_as_a_sheet() {
    let ws = Workspace::new();
    let contacts = "customer,name,role,email,language\nBeta Ltd,Bea,billing,bea@beta.example,en\n";
    workbook(
        &ws.path().join("all.xlsx"),
        &[("Notes", "just,some,text\n"), ("Invoices", INVOICES), ("收款", PAYMENTS), ("contacts", contacts)],
    );
    ws.payback().args(["run", "--as-of", "2026-11-30", "--workbook", "all.xlsx"]).status(0);
    // The same figures as the separate files give (every_matching_case_with_hand_figures).
    let summary = read_summary(&ws.out());
    assert_eq!(summary.inputs[0].sheet.as_deref(), Some("Invoices"));
    assert_eq!(
        (summary.currencies["CNY"].total_open.as_str(), summary.currencies["USD"].total_open.as_str()),
        ("300.00", "800.00")
    );
    let paid = summary.currencies["CNY"].payments.as_ref().unwrap();
    assert_eq!(
        (paid.total_in.as_str(), paid.applied.as_str(), paid.unapplied.as_str()),
        ("4350.00", "3950.00", "400.00")
    );
    // The contacts sheet was read: Beta Ltd's thank-you goes to its billing contact.
    let outbox = std::fs::read_to_string(ws.out().join("outbox.csv")).unwrap();
    assert!(outbox.contains("bea@beta.example"), "{outbox}");

    // A sheet named in the rules must exist; the error lists the sheets there are.
    ws.write("rules.toml", "[input.payments]\nsheet = \"Bank\"\n");
    let done = ws
        .payback()
        .args(["run", "--as-of", "2026-11-30", "--workbook", "all.xlsx", "--rules", "rules.toml"])
        .status(2);
    assert!(
        done.stderr.contains("all.xlsx: there is no sheet named \"Bank\"; the workbook has: \"Notes\", \"Invoices\", \"收款\", \"contacts\""),
        "{}",
        done.stderr
    );
    // No invoices sheet: say which names were looked for.
    workbook(&ws.path().join("none.xlsx"), &[("Notes", "a,b\n")]);
    let done = ws.payback().args(["run", "--as-of", "2026-11-30", "--workbook", "none.xlsx"]).status(2);
    assert!(done.stderr.contains("none.xlsx has no invoices sheet"), "{}", done.stderr);
}

#[test]
fn several_payments_for_one_invoice_and_its_days_to_pay() {
    let ws = Workspace::new();
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount\nDelta,D-1,2026-10-01,2026-10-31,1000.00\n",
    );
    // Two instalments name D-1: 400.00 on 11-05 and 600.00 on 11-20 settle it.
    ws.write(
        "payments.csv",
        "Date,Payer,Amount,Currency,Reference\n2026-11-05,Delta,400.00,CNY,D-1 first part\n2026-11-20,Delta,600.00,CNY,D-1 rest\n",
    );
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--payments", "payments.csv"])
        .status(0);
    let summary = read_summary(&ws.out());
    let paid = summary.payments.as_ref().unwrap();
    assert_eq!(
        (paid["CNY"].count, paid["CNY"].applied.as_str(), paid["CNY"].unapplied.as_str()),
        (2, "1000.00", "0.00")
    );
    assert_eq!(summary.rows.figures(), [1, 0, 0, 1, 0]);
    // Nothing is open, yet the Management sheet shows the currency: both instalments fall
    // in November's period (collected 1,000.00); B 1,000 + S 0 − E 0 over B + S − 0: CEI 100.
    // summary.json keeps the currency, with nothing open and the period's figures; the
    // roll-forward ties: 1,000 + 0 − 1,000 = 0.
    let cny = &summary.currencies["CNY"];
    assert_eq!((cny.total_open.as_str(), cny.count, cny.overdue.as_str()), ("0.00", 0, "0.00"));
    let m = &cny.metrics;
    assert_eq!(
        [&m.beginning_ar, &m.invoiced, &m.credit_notes, &m.collected, &m.not_explained].map(String::as_str),
        ["1000.00", "0.00", "0.00", "1000.00", "0.00"]
    );
    let management = read_sheet(&ws.out().join("aging-report.xlsx"), "Management");
    let cny = management.iter().find(|r| r[0] == "CNY").unwrap();
    assert_eq!(cny[..11], ["CNY", "0", "0", "n/a", "0", "0", "1", "1000", "0", "1000", "0"]);
    let sheet = read_sheet(&ws.out().join("aging-report.xlsx"), "Reconciliation");
    let applied: Vec<[&str; 3]> = sheet[1..3].iter().map(|r| [r[7].as_str(), r[8].as_str(), r[9].as_str()]).collect();
    assert_eq!(applied, [["400", "", "reference; part payment"], ["600", "", "reference; invoice paid in full"]]);
    // Days to pay from the settling (last) payment: 10-01 → 11-20 = 50 days, 20 late.
    let days = read_sheet(&ws.out().join("aging-report.xlsx"), "Days to Pay");
    assert_eq!(days[1], ["Delta", "1", "50", "50", "20", "20"]);
}

/// Reads `actions.json`.
fn actions(ws: &Workspace) -> Vec<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(ws.out().join("actions.json")).unwrap()).unwrap()
}

/// Columns Payer, Applied To, Invoice, Applied, Unapplied, How of the Reconciliation
/// sheet's payment lines (up to the blank line above the totals).
fn reconciliation(ws: &Workspace) -> Vec<[String; 6]> {
    let sheet = read_sheet(&ws.out().join("aging-report.xlsx"), "Reconciliation");
    sheet[1..]
        .iter()
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .map(|r| [1, 5, 6, 7, 8, 9].map(|c| r[c].clone()))
        .collect()
}

#[test]
fn every_way_of_writing_an_invoice_number_in_a_reference_pays_it() {
    let ws = Workspace::new();
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency
Hooli,INV-US-0351,2026-10-01,2026-10-31,1000.00,USD
Hooli,INV-US-0352,2026-10-01,2026-10-31,500.00,USD
",
    );
    // Six payments of 100.00, each naming INV-US-0351 its own way; none names 0352.
    ws.write(
        "payments.csv",
        "Date,Payer,Amount,Currency,Reference
2026-11-01,Hooli,100.00,USD,INV 351
2026-11-02,Hooli,100.00,USD,inv351
2026-11-03,Hooli,100.00,USD,发票351号
2026-11-04,Hooli,100.00,USD,No.351
2026-11-05,Hooli,100.00,USD,#0351
2026-11-06,Hooli,100.00,USD,paid inv-us-0351 on 2026-11-06
",
    );
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--payments", "payments.csv"])
        .status(0);
    // 6 × 100.00 = 600.00 applied to INV-US-0351: 1,000.00 − 600.00 = 400.00 open, plus
    // INV-US-0352's 500.00 untouched: 900.00.
    let summary = read_summary(&ws.out());
    let usd = &summary.currencies["USD"];
    assert_eq!((usd.total_open.as_str(), usd.count), ("900.00", 2));
    let paid = usd.payments.as_ref().unwrap();
    assert_eq!((paid.applied.as_str(), paid.unapplied.as_str()), ("600.00", "0.00"));
    let line = |_| ["Hooli", "Hooli", "INV-US-0351", "100", "", "reference; part payment"].map(str::to_owned);
    assert_eq!(reconciliation(&ws), (0..6).map(line).collect::<Vec<_>>());
}

#[test]
fn a_reference_that_fits_several_invoices_stays_a_suggestion() {
    let ws = Workspace::new();
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency
ACME,INV-US-0351,2026-10-01,2026-11-10,1000.00,CNY
ACME,INV-EU-0351,2026-10-01,2026-11-10,300.00,CNY
",
    );
    // "INV 351" fits both (INV-US and INV-EU begin with INV; both end in 351): nothing is
    // applied — not even by the exact amount of INV-EU-0351, which the payer may not mean.
    ws.write("payments.csv", "Date,Payer,Amount,Currency,Reference\n2026-11-20,ACME,300.00,CNY,INV 351\n");
    ws.write("contacts.csv", "customer,name,role,email\nACME,Amy,billing,amy@acme.example\n");
    let args = ["--invoices", "invoices.csv", "--payments", "payments.csv", "--contacts", "contacts.csv"];
    ws.payback().args(["run", "--as-of", "2026-11-30"]).args(args).status(0);
    let note = "reference \"INV 351\" fits several invoices of ACME: INV-US-0351, INV-EU-0351";
    assert_eq!(
        reconciliation(&ws),
        [["ACME", "", "", "", "300", &format!("not applied, a person decides: {note}")].map(str::to_owned)]
    );
    let summary = read_summary(&ws.out());
    assert_eq!(summary.currencies["CNY"].total_open, "1300.00");
    // The 300.00 may pay ACME's invoices: the overdue notice (20 days past due) waits.
    let all = actions(&ws);
    assert_eq!(all.len(), 1);
    assert_eq!((all[0]["kind"].as_str(), all[0]["stage"].as_str()), (Some("hold"), Some("unapplied_cash_pending")));
    assert_eq!(all[0]["amount"], "1300.00");
    assert_eq!(
        all[0]["reason"],
        format!(
            "INV-EU-0351, INV-US-0351: 20 days past due; stage overdue_notice; held: 300.00 CNY received is not applied yet and may pay these invoices: 300.00 from ACME on 2026-11-20 (payments row 2: {note}); apply it (or decide the suggestion) first"
        )
    );
    assert!(!ws.out().join("emails").read_dir().unwrap().any(|_| true), "no email while the cash waits");
}

#[test]
fn a_payment_quoting_another_customers_invoice_is_not_applied_and_holds_both() {
    let ws = Workspace::new();
    // As of 2026-11-30 all three are 20 days past due: overdue notices, were it not for
    // the payment.
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency
ACME,A-7,2026-10-01,2026-11-10,500.00,CNY
ACME,A-8,2026-10-01,2026-11-10,250.00,CNY
Beta Co,INV-1,2026-10-01,2026-11-10,500.00,CNY
Gamma AG,G-1,2026-10-01,2026-11-10,400.00,CNY
",
    );
    // ACME pays 500.00 quoting INV-1, which is Beta Co's: not applied to INV-1, and not
    // to ACME's A-7 of exactly 500.00 either — a person decides.
    ws.write("payments.csv", "Date,Payer,Amount,Currency,Reference\n2026-11-20,ACME,500.00,CNY,INV-1\n");
    ws.write(
        "contacts.csv",
        "customer,name,role,email\nACME,Amy,billing,amy@acme.example\nBeta Co,Bea,billing,bea@beta.example\nGamma AG,Gus,billing,gus@gamma.example\n",
    );
    let args = ["--invoices", "invoices.csv", "--payments", "payments.csv", "--contacts", "contacts.csv"];
    ws.payback().args(["run", "--as-of", "2026-11-30"]).args(args).status(0);
    let note = "reference \"INV-1\" is Beta Co's invoice INV-1; payer is ACME";
    assert_eq!(
        reconciliation(&ws),
        [["ACME", "", "", "", "500", &format!("not applied, a person decides: {note}")].map(str::to_owned)]
    );
    // Nothing applied: open 500 + 250 + 500 + 400 = 1,650.00.
    let summary = read_summary(&ws.out());
    let cny = &summary.currencies["CNY"];
    assert_eq!(cny.total_open, "1650.00");
    let paid = cny.payments.as_ref().unwrap();
    assert_eq!((paid.applied.as_str(), paid.unapplied.as_str()), ("0.00", "500.00"));
    // ACME (the payer) and Beta Co (the invoice's owner) are held; Gamma AG gets its notice.
    let held = |invoices: &str| {
        format!(
            "{invoices}: 20 days past due; stage overdue_notice; held: 500.00 CNY received is not applied yet and may pay these invoices: 500.00 from ACME on 2026-11-20 (payments row 2: {note}); apply it (or decide the suggestion) first"
        )
    };
    let got: Vec<[String; 5]> = actions(&ws)
        .iter()
        .map(|a| {
            ["customer", "kind", "stage", "amount", "reason"].map(|k| a[k].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    assert_eq!(
        got,
        [
            ["ACME", "hold", "unapplied_cash_pending", "750.00", &held("A-7, A-8")].map(str::to_owned),
            ["Beta Co", "hold", "unapplied_cash_pending", "500.00", &held("INV-1")].map(str::to_owned),
            ["Gamma AG", "message", "overdue_notice", "400.00", "G-1: 20 days past due; stage overdue_notice"]
                .map(str::to_owned),
        ]
    );
    // The Holds sheet lists both, and the Management sheet sums them: 2 customers,
    // 3 invoices, 750.00 + 500.00 = 1,250.00 held for unapplied cash.
    let book = ws.out().join("aging-report.xlsx");
    let holds = read_sheet(&book, "Holds");
    let rows: Vec<[&str; 5]> = holds[1..]
        .iter()
        .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str(), r[4].as_str()])
        .collect();
    assert_eq!(
        rows,
        [
            ["ACME", "CNY", "750", "Unapplied cash pending", "A-7, A-8"],
            ["Beta Co", "CNY", "500", "Unapplied cash pending", "INV-1"],
        ]
    );
    let management = read_sheet(&book, "Management");
    let line = management.iter().find(|r| r[0] == "Unapplied cash pending").unwrap();
    assert_eq!(line[..5], ["Unapplied cash pending", "CNY", "2", "3", "1250"]);
}

#[test]
fn credit_on_account_is_deducted_and_an_unmatched_payer_holds_the_customers_messages() {
    let ws = Workspace::new();
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency
ACME,A-1,2026-10-01,2026-11-10,1000.00,CNY
Gamma GmbH,G-1,2026-10-01,2026-11-10,800.00,USD
",
    );
    // Only the reference rule: ACME's 1,000.00 without a reference stays credit on its
    // account (A-1 stays open); "Gama GmbH" is no customer: unmatched, Gamma GmbH suggested.
    ws.write("rules.toml", "[payments]\nrules = [\"reference\"]\n");
    ws.write(
        "payments.csv",
        "Date,Payer,Amount,Currency,Reference\n2026-11-15,ACME,1000.00,CNY,\n2026-11-20,Gama GmbH,500.00,USD,\n",
    );
    ws.write(
        "contacts.csv",
        "customer,name,role,email\nACME,Amy,billing,amy@acme.example\nGamma GmbH,Gus,billing,gus@gamma.example\n",
    );
    let args = ["--invoices", "invoices.csv", "--payments", "payments.csv", "--contacts", "contacts.csv"];
    ws.payback().args(["run", "--as-of", "2026-11-30", "--rules", "rules.toml"]).args(args).status(0);
    let got: Vec<[String; 4]> = actions(&ws)
        .iter()
        .map(|a| ["customer", "kind", "stage", "amount"].map(|k| a[k].as_str().unwrap_or_default().to_owned()))
        .collect();
    // ACME's own credit on account is deducted (issue 20): 1,000.00 overdue less 1,000.00
    // credit leaves 0.00 to pay — held, nothing is asked for.
    assert_eq!(
        got,
        [
            ["ACME", "hold", "covered_by_credits", "0.00"].map(str::to_owned),
            ["Gamma GmbH", "hold", "unapplied_cash_pending", "800.00"].map(str::to_owned),
        ]
    );
    let reasons: Vec<String> = actions(&ws).iter().map(|a| a["reason"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        reasons[0],
        "A-1: 1000.00 overdue, but credit notes and cash on account of 1000.00 cover it: apply them"
    );
    assert!(
        reasons[1].ends_with("held: 500.00 USD received is not applied yet and may pay these invoices: 500.00 from Gama GmbH on 2026-11-20 (payments row 3: unmatched payer, perhaps this customer); apply it (or decide the suggestion) first"),
        "{}",
        reasons[1]
    );
    // With the hold switched off, both notices go.
    ws.write("rules.toml", "[payments]\nrules = [\"reference\"]\n[collection.holds]\nunapplied_cash_pending = false\n");
    ws.payback().args(["run", "--as-of", "2026-11-30", "--rules", "rules.toml"]).args(args).status(0);
    let stages: Vec<String> = actions(&ws).iter().map(|a| a["stage"].as_str().unwrap().to_owned()).collect();
    assert_eq!(stages, ["covered_by_credits", "overdue_notice"]);
}
