//! Issue 19: invoices spread over several lines of an ERP ledger (summed into one open
//! item; only lines equal in every cell are duplicates), subtotal and total lines wherever
//! their label stands, and the currency of files without a currency column said out loud.
use crate::util::{Workspace, read_sheet, read_summary};

/// An open-item ledger: one line per product. Rows (file lines):
/// 2-3 and 5 are the three lines of ACME INV-1 (row 5 dated a day later and paid);
/// 6 repeats row 2 in every cell; 7-8 are two instalments of B-2 due a month apart.
const LEDGER: &str = "Customer,Invoice No,Product,Invoice Date,Due Date,Amount,Open Amount,Currency\n\
    ACME,INV-1,Cable,2026-09-01,2026-10-01,1000.00,1000.00,CNY\n\
    ACME,INV-1,Install,2026-09-01,2026-10-01,250.50,250.50,CNY\n\
    Bolt,B-1,Pump,2026-10-15,2026-11-14,300.00,100.00,CNY\n\
    ACME,INV-1,Freight,2026-09-02,2026-10-01,49.50,0.00,CNY\n\
    ACME,INV-1,Cable,2026-09-01,2026-10-01,1000.00,1000.00,CNY\n\
    Bolt,B-2,Pump,2026-10-15,2026-11-14,500.00,500.00,CNY\n\
    Bolt,B-2,Pump,2026-10-15,2026-12-14,500.00,500.00,CNY\n";

#[test]
fn lines_of_one_invoice_are_summed_into_one_open_item() {
    let ws = Workspace::new();
    ws.write("ledger.csv", LEDGER);
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "ledger.csv"]).status(1);
    let summary = read_summary(&ws.out());
    let input = &summary.inputs[0];
    // Read 7 = open 2 (INV-1, B-1) + rejected 3 (rows 6, 7, 8) + closed 0 + future 0
    // + 2 lines summed into INV-1 (rows 3 and 5).
    assert_eq!(input.rows.figures(), [7, 2, 3, 0, 0]);
    assert_eq!(input.rows.invoice_lines_merged, 2);
    assert_eq!(summary.rows.invoice_lines_merged, 2);
    // Read 1,000.00 + 250.50 + 100.00 + 0.00 + 1,000.00 + 500.00 + 500.00 = 3,350.50;
    // reported 1,250.50 (INV-1) + 100.00 (B-1) = 1,350.50; rejected 1,000.00 (row 6)
    // + 500.00 + 500.00 (B-2) = 2,000.00.
    assert_eq!(input.amounts["CNY"].figures(), ["3350.50", "1350.50", "0.00", "2000.00", "0.00"]);
    let path = ws.out().join("aging-report.xlsx");
    let detail = read_sheet(&path, "Detail");
    assert_eq!(detail[0][17..], ["Lines", "Source Rows"]);
    // INV-1: amount 1,000.00 + 250.50 + 49.50 = 1,300.00, open 1,250.50, the earliest
    // invoice date, due 2026-10-01 → 60 days past due on 2026-11-30.
    let inv1 = detail.iter().find(|r| r[1] == "INV-1").unwrap();
    assert_eq!(inv1[2..9], ["2026-09-01", "2026-10-01", "CNY", "1300", "1250.5", "60", "90"]);
    assert_eq!(inv1[15], "2");
    assert_eq!(inv1[17..], ["3", "2, 3, 5"]);
    let b1 = detail.iter().find(|r| r[1] == "B-1").unwrap();
    assert_eq!(b1[17..], ["1", ""]);
    let rejected = read_sheet(&path, "Rejected");
    let reasons: Vec<(&str, &str)> = rejected[1..].iter().map(|r| (r[1].as_str(), r[4].as_str())).collect();
    let instalments = "invoice B-2 of Bolt has lines due on different dates (row 7: 2026-11-14, row 8: \
                       2026-12-14): instalments are aged by their own due dates, so they are not summed; export \
                       each instalment with its own invoice number (e.g. B-2-1, B-2-2)";
    assert_eq!(
        reasons,
        [
            ("6", "duplicate invoice line: ACME INV-1 is the same as row 2 in every cell; counted once"),
            ("7", instalments),
            ("8", instalments),
        ]
    );
}

#[test]
fn invoice_lines_can_be_rejected_as_duplicates() {
    let ws = Workspace::new();
    ws.write("ledger.csv", LEDGER);
    ws.write("rules.toml", "[input]\ninvoice_lines = \"reject\"\n");
    ws.payback().args(["run", "--as-of", "2026-11-30", "--rules", "rules.toml", "--invoices", "ledger.csv"]).status(1);
    let summary = read_summary(&ws.out());
    let input = &summary.inputs[0];
    // Open: INV-1 row 2, B-1, B-2 row 7; rejected rows 3, 5, 6, 8; nothing summed.
    assert_eq!(input.rows.figures(), [7, 3, 4, 0, 0]);
    assert_eq!(input.rows.invoice_lines_merged, 0);
    // Reported 1,000.00 + 100.00 + 500.00 = 1,600.00; rejected 250.50 + 0.00 + 1,000.00
    // + 500.00 = 1,750.50.
    assert_eq!(input.amounts["CNY"].figures(), ["3350.50", "1600.00", "0.00", "1750.50", "0.00"]);
    let rejected = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    let reasons: Vec<(&str, &str)> = rejected[1..].iter().map(|r| (r[1].as_str(), r[4].as_str())).collect();
    assert_eq!(
        reasons,
        [
            ("3", "duplicate invoice: ACME INV-1 is also at row 2; counted once"),
            ("5", "duplicate invoice: ACME INV-1 is also at row 2; counted once"),
            ("6", "duplicate invoice line: ACME INV-1 is the same as row 2 in every cell; counted once"),
            ("8", "duplicate invoice: Bolt B-2 is also at row 7; counted once"),
        ]
    );
}

#[test]
fn the_same_invoice_in_two_files_is_a_duplicate_not_a_line() {
    let ws = Workspace::new();
    ws.write("east.csv", "Customer,Invoice No,Invoice Date,Due Date,Amount\nACME,INV-1,2026-09-01,2026-10-01,100.00\n");
    ws.write(
        "west.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount\nACME,INV-1,2026-09-01,2026-10-01,40.00\n\
         ACME,INV-1,2026-09-01,2026-10-01,60.00\n",
    );
    let args = ["run", "--as-of", "2026-11-30", "--invoices", "east.csv", "--invoices", "west.csv"];
    ws.payback().args(args).status(1);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.inputs[1].rows.figures(), [2, 0, 2, 0, 0]);
    assert_eq!(summary.currencies["CNY"].total_open, "100.00");
    let rejected = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    let reasons: Vec<&str> = rejected[1..].iter().map(|r| r[4].as_str()).collect();
    assert_eq!(reasons, ["duplicate invoice: ACME INV-1 is also at east.csv row 2; counted once"; 2]);
}

const NO_CURRENCY: &str = "Customer,Invoice No,Invoice Date,Due Date,Amount\n\
    ACME,INV-1,2026-09-01,2026-10-01,1000.00\n\
    Bolt,B-1,2026-11-01,2026-12-01,99.99\n";

#[test]
fn a_file_without_a_currency_column_says_which_currency_it_is_read_in() {
    let ws = Workspace::new();
    ws.write("ar.csv", NO_CURRENCY);
    let done =
        ws.payback().args(["run", "--as-of", "2026-11-30", "--currency", "usd", "--invoices", "ar.csv"]).status(0);
    assert_eq!(done.stderr, "warning: ar.csv has no currency column: amounts are read as USD (--currency)\n");
    let summary = read_summary(&ws.out());
    assert_eq!(summary.inputs[0].currency_source, "default");
    // 1,000.00 + 99.99, in USD.
    assert_eq!(summary.currencies["USD"].total_open, "1099.99");
    let facts = read_sheet(&ws.out().join("aging-report.xlsx"), "Summary");
    let currency = facts.iter().find(|r| r[0] == "Currency").unwrap();
    assert_eq!(currency[1], "ar.csv has no currency column: amounts are read as USD (--currency)");
    // check says it too, as a warning, and without --currency names the built-in default.
    let done = ws.payback().args(["check", "--invoices", "ar.csv"]).status(0);
    assert_eq!(
        done.stdout.lines().next().unwrap(),
        "warning: ar.csv has no currency column: amounts are read as CNY (the built-in default [company] currency; \
         set yours with --currency or [company] currency in payback.toml)"
    );
    let done = ws.payback().args(["check", "--currency", "usx", "--invoices", "ar.csv"]).status(2);
    assert_eq!(
        done.stderr.trim(),
        "error: --currency usx: not an ISO 4217 currency code; give one such as CNY, USD, EUR or GBP"
    );
}

#[test]
fn empty_currency_cells_are_said_and_a_full_column_is_silent() {
    let ws = Workspace::new();
    ws.write(
        "ar.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\n\
         ACME,INV-1,2026-09-01,2026-10-01,1000.00,EUR\n\
         Bolt,B-1,2026-11-01,2026-12-01,99.99,\n",
    );
    ws.write(
        "full.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\nCorp,C-1,2026-09-01,2026-10-01,5,EUR\n",
    );
    ws.write("rules.toml", "[company]\ncurrency = \"GBP\"\n");
    let args =
        ["run", "--as-of", "2026-11-30", "--rules", "rules.toml", "--invoices", "ar.csv", "--invoices", "full.csv"];
    let done = ws.payback().args(args).status(0);
    assert_eq!(
        done.stderr,
        "warning: ar.csv: 1 row with an empty currency cell is read as GBP ([company] currency in rules.toml)\n"
    );
    let summary = read_summary(&ws.out());
    let sources: Vec<&str> = summary.inputs.iter().map(|i| i.currency_source.as_str()).collect();
    assert_eq!(sources, ["mixed", "column"]);
    assert_eq!(summary.currencies["GBP"].total_open, "99.99");
    assert_eq!(summary.currencies["EUR"].total_open, "1005.00");
}

#[test]
fn init_writes_the_company_currency_that_runs_in_the_workspace_use() {
    let ws = Workspace::new();
    let done = ws.payback().args(["init", "books", "--currency", "eur"]).status(0);
    assert!(done.stdout.contains("company currency: EUR"), "{}", done.stdout);
    let toml = std::fs::read_to_string(ws.path().join("books/payback.toml")).unwrap();
    assert!(toml.contains("\ncurrency = \"EUR\"\n"), "{toml}");
    std::fs::write(ws.path().join("books/ar.csv"), NO_CURRENCY).unwrap();
    let done = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("payback"))
        .args(["check", "--invoices", "ar.csv"])
        .current_dir(ws.path().join("books"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(done.stdout).unwrap();
    // The workspace's company is still the example init wrote: said first (issue 23).
    let mut lines = stdout.lines();
    assert!(
        lines.next().is_some_and(|l| l.starts_with(
            "warning: the company details are still payback's example ([company] name, email, bank.account, [company.zh] name, tax_id)"
        )),
        "{stdout}"
    );
    assert_eq!(
        lines.next(),
        Some("warning: ar.csv has no currency column: amounts are read as EUR ([company] currency in payback.toml)"),
        "{stdout}"
    );
    ws.payback().args(["init", "other", "--currency", "euro"]).status(2);
}

/// Subtotal and total lines with their label before or after the name; figures under
/// Amount and Open Balance. Row 7's open figure and row 11's are wrong.
const SUBTOTALS: &str = "Customer,Invoice No,Invoice Date,Due Date,Amount,Open Balance\n\
    上海恒通物流有限公司,,,,,\n\
    上海恒通物流有限公司,HT-1,2026-10-01,2026-10-31,1000.00,800.00\n\
    上海恒通物流有限公司,HT-2,2026-11-01,2026-12-01,350.00,350.00\n\
    上海恒通物流有限公司 小计,,,,1350.00,1150.00\n\
    ACME,A-1,2026-09-01,2026-10-01,500.00,500.00\n\
    Subtotal - ACME,,,,500.00,450.00\n\
    Total Energies,TE-9,2026-11-10,2026-12-10,80.00,80.00\n\
    Total Energies Total,,,,80.00,80.00\n\
    合计：,,,,1930.00,1730.00\n\
    Grand total:,,,,1930.00,1700.00\n";

#[test]
fn subtotal_lines_are_recognised_wherever_the_label_stands_and_checked() {
    let ws = Workspace::new();
    ws.write("ar.csv", SUBTOTALS);
    ws.payback().args(["run", "--as-of", "2026-11-30", "--currency", "CNY", "--invoices", "ar.csv"]).status(0);
    let summary = read_summary(&ws.out());
    let input = &summary.inputs[0];
    // HT-1, HT-2, A-1 and TE-9 ("Total Energies" with an invoice number stays an invoice).
    assert_eq!(input.rows.figures(), [4, 4, 0, 0, 0]);
    // title 0, blank 0, subtotal 5 (rows 5, 7, 9, 10, 11), repeated header 0, heading 1.
    assert_eq!(input.rows.skipped(), [0, 0, 5, 0, 1, 0]);
    // Open 800.00 + 350.00 + 500.00 + 80.00 = 1,730.00, counted once.
    assert_eq!(summary.currencies["CNY"].total_open, "1730.00");
    let skipped = read_sheet(&ws.out().join("aging-report.xlsx"), "Skipped");
    let reasons: Vec<(&str, &str)> = skipped[1..].iter().map(|r| (r[1].as_str(), r[2].as_str())).collect();
    assert_eq!(
        reasons,
        [
            ("2", "group heading"),
            // 1,000.00 + 350.00 = 1,350.00 and 800.00 + 350.00 = 1,150.00: as stated.
            ("5", "subtotal or total line"),
            // A-1 alone: open 500.00, not 450.00.
            ("7", "subtotal or total line: subtotal 450.00 does not match the lines above it (500.00)"),
            ("9", "subtotal or total line"),
            // No line since the last subtotal: against every line, 1,930.00 and 1,730.00.
            ("10", "subtotal or total line"),
            ("11", "subtotal or total line: subtotal 1700.00 does not match the lines above it (1730.00)"),
        ]
    );
    let done = ws.payback().args(["check", "--currency", "CNY", "--invoices", "ar.csv"]).status(0);
    assert!(
        done.stdout.contains(
            "note: ar.csv, row 7: skipped (subtotal or total line): Subtotal - ACME | 500.00 | 450.00 — subtotal 450.00 \
             does not match the lines above it (500.00)\n"
        ),
        "{}",
        done.stdout
    );
}

#[test]
fn a_total_word_on_a_dated_line_without_invoice_number_is_rejected_not_swallowed() {
    let ws = Workspace::new();
    ws.write(
        "ar.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount\n\
         Total Energies,TE-1,2026-11-10,2026-12-10,80.00\n\
         Total Energies,,2026-11-12,2026-12-12,20.00\n",
    );
    ws.payback().args(["run", "--as-of", "2026-11-30", "--currency", "EUR", "--invoices", "ar.csv"]).status(1);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.inputs[0].rows.figures(), [2, 1, 1, 0, 0]);
    assert_eq!(summary.inputs[0].rows.skipped()[2], 0);
    // Read 80.00 + 20.00; the 20.00 is on the Rejected sheet.
    assert_eq!(summary.inputs[0].amounts["EUR"].figures(), ["100.00", "80.00", "0.00", "20.00", "0.00"]);
}
