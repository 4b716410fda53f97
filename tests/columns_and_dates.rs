//! Exports as real systems and analysts write them (issue 19): headers in camelCase,
//! snake_case, abbreviations and ERP words; the day/month order of text dates settled by
//! the file's own values; every missing field named at once; an unread column that looks
//! like the open amount never silently ignored. The fixtures are written here, in the
//! shapes of public sample exports, with values of our own.
use crate::util::{DateOrderFact, Workspace, read_sheet, read_summary, row_starting};

/// The shape of a well-known public A/R sample: camelCase headers, M/D/YYYY dates, no
/// currency column, unused columns of codes, dates and counts.
const CAMEL_CASE_EXPORT: &str = "\
countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate
770,4411-KQWER,5/7/2025,0000100001,1/2/2026,2/1/2026,55.94,No,,Paper,0,0
770,4411-KQWER,5/7/2025,0000100002,1/26/2026,2/25/2026,61.74,Yes,,Electronic,0,0
818,5520-ZXCVB,11/3/2025,0000100003,7/3/2026,8/2/2026,65.88,No,,Electronic,0,0
";

#[test]
fn camel_case_export_is_read_without_any_map_and_its_date_order_inferred() {
    let ws = Workspace::new();
    let input = ws.write("ar.csv", CAMEL_CASE_EXPORT);
    let done = ws.payback().args(["check", "--invoices"]).arg(&input).status(0);
    let file = input.display().to_string();
    let lines: Vec<&str> = done.stdout.lines().collect();
    for want in [
        format!(
            "note: {file}: columns read: customer=\"customerID\", invoice_no=\"invoiceNumber\", \
             invoice_date=\"InvoiceDate\", due_date=\"DueDate\", amount=\"InvoiceAmount\", paid_date=\"SettledDate\""
        ),
        // Row 2's 1/2/2026 and 2/1/2026 could be either; row 3's 1/26/2026 only month first.
        format!(
            "note: {file}: text dates read as month/day/year, inferred from row 3: 1/26/2026 (column \"InvoiceDate\")"
        ),
        // PaperlessDate holds dates; countryCode, DaysToSettle and DaysLate hold whole numbers
        // that are codes and counts, not money.
        format!(
            "note: {file}: column \"PaperlessDate\" holds dates but is not read (--map FIELD=\"PaperlessDate\" reads it as a field)"
        ),
        "checked 1 file: 3 rows read, 3 usable, 0 with problems".to_owned(),
    ] {
        assert!(lines.contains(&want.as_str()), "missing {want:?} in:\n{}", done.stdout);
    }
    assert_eq!(lines.iter().filter(|l| l.contains("holds")).count(), 1, "{}", done.stdout);

    ws.payback().args(["run", "--as-of", "2026-08-31", "--invoices"]).arg(&input).status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(
        summary.inputs[0].date_order,
        Some(DateOrderFact {
            order: "mdy".into(),
            evidence: "row 3: 1/26/2026".into(),
            column: Some("InvoiceDate".into())
        })
    );
    // Read month first: 0000100001 due 2026-02-01 → 211 days, 0000100002 due 2026-02-25 →
    // 187 days: Over 120, 55.94 + 61.74 = 117.68; 0000100003 due 2026-08-02 → 29 days.
    let cny = &summary.currencies["CNY"];
    assert_eq!(
        cny.figures(),
        [
            ("Not due", 0, "0.00"),
            ("1-30", 1, "65.88"),
            ("31-60", 0, "0.00"),
            ("61-90", 0, "0.00"),
            ("91-120", 0, "0.00"),
            ("Over 120", 2, "117.68"),
        ]
    );
    let sheet = read_sheet(&ws.out().join("aging-report.xlsx"), "Summary");
    assert_eq!(
        row_starting(&sheet, "Text dates read as")[1],
        "month/day/year, inferred from row 3: 1/26/2026 (column \"InvoiceDate\")"
    );
}

#[test]
fn upper_snake_case_export_with_an_unread_money_column() {
    let ws = Workspace::new();
    let input = ws.write(
        "ar.csv",
        "INVOICE_NO,INVOICE_DATE,CUSTOMER_NUMBER,INVOICE_TOTAL,CREDIT_LIMIT,DUE_DATE,AUTHORIZED,AR_CLERK\n\
         900101,02/04/2026,300184,244.24,5000,03/06/2026,Yes,HMK\n\
         900102,05/21/2026,300122,995.44,1000,06/20/2026,Yes,HMK\n",
    );
    let done = ws.payback().args(["check", "--invoices"]).arg(&input).status(0);
    let file = input.display().to_string();
    for want in [
        format!(
            "note: {file}: columns read: customer=\"CUSTOMER_NUMBER\", invoice_no=\"INVOICE_NO\", \
             invoice_date=\"INVOICE_DATE\", due_date=\"DUE_DATE\", amount=\"INVOICE_TOTAL\""
        ),
        format!(
            "note: {file}: text dates read as month/day/year, inferred from row 3: 05/21/2026 (column \"INVOICE_DATE\")"
        ),
        // Whole numbers, but the header says money.
        format!(
            "note: {file}: column \"CREDIT_LIMIT\" holds amounts but is not read (--map FIELD=\"CREDIT_LIMIT\" reads it as a field)"
        ),
    ] {
        assert!(done.stdout.lines().any(|l| l == want), "missing {want:?} in:\n{}", done.stdout);
    }
}

/// `check` of a one-row file with `headers`; returns the "columns read" note.
fn columns_read(headers: &str) -> String {
    let ws = Workspace::new();
    let input = ws.write("ar.csv", &format!("{headers}\nACME,D-1,2026-01-05,2026-02-04,100.00,40.00,2026-01-20\n"));
    let done = ws.payback().args(["check", "--invoices"]).arg(&input).status(0);
    assert!(done.stdout.ends_with("checked 1 file: 1 rows read, 1 usable, 0 with problems\n"), "{}", done.stdout);
    let prefix = format!("note: {}: columns read: ", input.display());
    done.stdout.lines().find_map(|l| l.strip_prefix(&prefix)).expect("columns read note").to_owned()
}

#[test]
fn abbreviated_erp_and_chinese_headers_are_recognised() {
    for (headers, want) in [
        (
            "Cust No,Doc No,Doc Date,Due Dt,Orig Amt,Balance Due,Date Paid",
            "customer=\"Cust No\", invoice_no=\"Doc No\", invoice_date=\"Doc Date\", due_date=\"Due Dt\", \
             amount=\"Orig Amt\", open_amount=\"Balance Due\", paid_date=\"Date Paid\"",
        ),
        (
            "Customer_Number,Document_Ref,Document_Date,pduedate,Original_Amount,Amount Residual,Settled Date",
            "customer=\"Customer_Number\", invoice_no=\"Document_Ref\", invoice_date=\"Document_Date\", \
             due_date=\"pduedate\", amount=\"Original_Amount\", open_amount=\"Amount Residual\", paid_date=\"Settled Date\"",
        ),
        (
            "Client ID,Document No,Document_Date,p_due_date,Invoice Total,Outstanding value,SettledDate",
            "customer=\"Client ID\", invoice_no=\"Document No\", invoice_date=\"Document_Date\", \
             due_date=\"p_due_date\", amount=\"Invoice Total\", open_amount=\"Outstanding value\", paid_date=\"SettledDate\"",
        ),
        (
            "CustomerName,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,Open Balance,Date Paid",
            "customer=\"CustomerName\", invoice_no=\"invoiceNumber\", invoice_date=\"InvoiceDate\", \
             due_date=\"DueDate\", amount=\"InvoiceAmount\", open_amount=\"Open Balance\", paid_date=\"Date Paid\"",
        ),
        (
            "客户编号,凭证号,单据日期,到期日,金额,应收余额,结清日期",
            "customer=\"客户编号\", invoice_no=\"凭证号\", invoice_date=\"单据日期\", due_date=\"到期日\", \
             amount=\"金额\", open_amount=\"应收余额\", paid_date=\"结清日期\"",
        ),
        (
            "客户编号,发票号码,开票日期,到期日,发票金额,未收金额,回款日期",
            "customer=\"客户编号\", invoice_no=\"发票号码\", invoice_date=\"开票日期\", due_date=\"到期日\", \
             amount=\"发票金额\", open_amount=\"未收金额\", paid_date=\"回款日期\"",
        ),
    ] {
        assert_eq!(columns_read(headers), want, "{headers}");
    }
}

#[test]
fn two_spellings_of_one_field_still_ask_which() {
    let ws = Workspace::new();
    ws.write("ar.csv", "Cust No,Customer Number,Invoice No,Invoice Date,Due Date,Amount\n");
    let done = ws.payback().args(["check", "--invoices", "ar.csv"]).status(2);
    assert_eq!(
        done.stderr,
        "error: ar.csv: columns \"Cust No\" and \"Customer Number\" both look like `customer`; \
         choose one with --map customer=HEADER\n"
    );
    ws.payback().args(["check", "--invoices", "ar.csv", "--map", "customer=Cust No"]).status(0);
}

#[test]
fn every_missing_field_is_named_at_once_with_its_closest_header() {
    let ws = Workspace::new();
    ws.write("ar.csv", "Client Ref,Inv No,Inv Date,Payable,Amt\nACME,1,2026-01-01,2026-02-01,5\n");
    let done = ws.payback().args(["check", "--invoices", "ar.csv"]).status(2);
    // "Client Ref" reads as customer reference: close to customer; nothing is close to a
    // due date ("Payable" is not).
    assert_eq!(
        done.stderr,
        "error: ar.csv: no column for 2 required fields: `customer` (closest: \"Client Ref\" → \
         --map \"customer=Client Ref\"), `due_date`; the headers are: \"Client Ref\", \"Inv No\", \"Inv Date\", \
         \"Payable\", \"Amt\". Name each with --map FIELD=HEADER or under [input.invoices.columns] in the rules file\n"
    );
    // The suggested line, with the due date named, reads the file.
    ws.payback()
        .args(["check", "--invoices", "ar.csv", "--map", "customer=Client Ref", "--map", "due_date=Payable"])
        .status(0);
}

#[test]
fn an_unread_balance_column_is_never_silently_ignored() {
    let ws = Workspace::new();
    // "Balance Remaining" is no alias, but it holds amounts and says it is what is owed;
    // "Open" holds Yes/No and is not taken for an amount.
    ws.write(
        "ar.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Balance Remaining,Open\n\
         ACME,1,2026-01-01,2026-02-01,100.00,40.00,Yes\n\
         ACME,2,2026-01-05,2026-02-05,30.00,0.00,No\n",
    );
    let done = ws.payback().args(["run", "--as-of", "2026-03-01", "--invoices", "ar.csv"]).status(2);
    assert_eq!(
        done.stderr,
        "error: ar.csv: column \"Balance Remaining\" looks like the amount still open, but no open or paid amount \
         is read, so every invoice would count as wholly unpaid. Read it with --map \"open_amount=Balance Remaining\", \
         or say the file has no open amount with --map open_amount= (nothing after the =)\n"
    );
    assert!(!ws.out().exists());
    // Read as the open amount: 40.00 open on 1 (28 days past 2026-02-01), 2 is closed.
    ws.payback()
        .args(["run", "--as-of", "2026-03-01", "--invoices", "ar.csv", "--map", "open_amount=Balance Remaining"])
        .status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.currencies["CNY"].total_open, "40.00");
    assert_eq!(summary.rows.figures(), [2, 1, 0, 1, 0]);
    // Said to have none (here in the rules file): both invoices wholly open, 130.00.
    ws.write("rules.toml", "[input.invoices.columns]\nopen_amount = \"\"\n");
    ws.payback().args(["run", "--as-of", "2026-03-01", "--invoices", "ar.csv", "--rules", "rules.toml"]).status(0);
    assert_eq!(read_summary(&ws.out()).currencies["CNY"].total_open, "130.00");
    // A required field cannot be said to be absent.
    let done = ws.payback().args(["check", "--invoices", "ar.csv", "--map", "amount="]).status(2);
    assert_eq!(done.stderr, "error: --map amount=: the header is empty, and `amount` is required\n");
}

const DAY_FIRST: &str = "Customer,Invoice No,Invoice Date,Due Date,Amount\n\
    ACME,1,03/04/2026,03/05/2026,10.00\n\
    ACME,2,13/04/2026,13/05/2026,20.00\n";

#[test]
fn a_value_only_one_order_reads_settles_the_ambiguous_ones() {
    let ws = Workspace::new();
    ws.write("dmy.csv", DAY_FIRST);
    // 13/04/2026 (row 3) is only day first, so 03/04/2026 is 3 April, due 3 May: 1 day
    // past 2026-05-04; invoice 2 due 13 May is not due.
    ws.payback().args(["run", "--as-of", "2026-05-04", "--invoices", "dmy.csv"]).status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.currencies["CNY"].figures()[..2], [("Not due", 1, "20.00"), ("1-30", 1, "10.00")]);
    assert_eq!(
        summary.inputs[0].date_order,
        Some(DateOrderFact {
            order: "dmy".into(),
            evidence: "row 3: 13/04/2026".into(),
            column: Some("Invoice Date".into())
        })
    );
    // An order set by the user wins: month first, 13/04/2026 is no day, and 03/04/2026 is
    // 4 March, due 5 March: 60 days past 2026-05-04.
    ws.payback().args(["run", "--as-of", "2026-05-04", "--date-order", "mdy", "--invoices", "dmy.csv"]).status(1);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.currencies["CNY"].figures()[2], ("31-60", 1, "10.00"));
    assert_eq!(summary.rows.rejected, 1);
    assert_eq!(
        summary.inputs[0].date_order,
        Some(DateOrderFact { order: "mdy".into(), evidence: "--date-order".into(), column: None })
    );
    let rejected = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    assert_eq!(
        rejected[1][4],
        "Invoice Date: \"13/04/2026\" is not a day of the calendar; Due Date: \"13/05/2026\" is not a day of the calendar"
    );
}

#[test]
fn values_for_both_orders_stop_the_run_naming_both_rows() {
    let ws = Workspace::new();
    ws.write(
        "mixed.csv",
        "Customer,InvoiceDate,Invoice No,Due Date,Amount\n\
         ACME,1/26/2026,1,2/25/2026,10.00\n\
         ACME,2/3/2026,2,3/5/2026,10.00\n\
         ACME,26/01/2026,3,25/02/2026,10.00\n",
    );
    let done = ws.payback().args(["check", "--invoices", "mixed.csv"]).status(2);
    assert_eq!(
        done.stderr,
        "error: mixed.csv: column \"InvoiceDate\": row 2 \"1/26/2026\" is month/day/year but row 4 \"26/01/2026\" \
         is day/month/year; set --date-order (or date_order under [input] in the rules file) to the order of the file\n"
    );
}

#[test]
fn no_value_settles_the_order_so_ambiguous_dates_are_rejected_not_guessed() {
    let ws = Workspace::new();
    ws.write(
        "ar.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount\n\
         ACME,1,03/04/2026,2026-05-03,10.00\n\
         ACME,2,2026-04-05,2026-05-05,20.00\n",
    );
    let done = ws.payback().args(["check", "--invoices", "ar.csv", "--currency", "CNY"]).status(1);
    // After the line that says the currency is the default one.
    assert!(
        done.stdout.lines().nth(1).map(|l| format!("{l}\n")).as_deref()
            == Some(
                "ar.csv, row 2, column \"Invoice Date\": Invoice Date: \"03/04/2026\" could be day/month or month/day; \
             set date_order = \"dmy\" or \"mdy\" under [input] in the rules file (or --date-order)\n"
            ),
        "{}",
        done.stdout
    );
    assert!(!done.stdout.contains("text dates read as"), "{}", done.stdout);
    ws.payback().args(["run", "--as-of", "2026-05-06", "--invoices", "ar.csv"]).status(1);
    assert_eq!(read_summary(&ws.out()).inputs[0].date_order, None);
}
