//! A month-end close run a few days after month-end: the export (taken 2026-12-03) already
//! shows payments of December, which do not exist as of 2026-11-30. Every figure below is
//! worked out by hand.
//!
//! | invoice | dated      | due        | export: amount / paid (date)   | as of 11-30              |
//! |---------|------------|------------|--------------------------------|--------------------------|
//! | A-1     | 2026-10-01 | 2026-10-31 | 1000.00 / 1000.00 (2026-12-02) | open 1000.00, 30 d, 1-30 |
//! | A-2     | 2026-10-15 | 2026-11-14 | 500.00 / 500.00 (2026-11-20)   | closed                   |
//! | A-3     | 2026-11-10 | 2026-12-10 | 800.00 / 300.00 (2026-12-01)   | open 800.00, not due     |
//! | A-4     | 2026-11-05 | 2026-12-05 | 400.00 / 100.00 (2026-11-25)   | open 300.00, not due     |
//! | B-1     | 2026-09-01 | 2026-10-01 | 2000.00 / 0                    | 2000.00 − 500.00 paid on 11-28 (payments file) = 1500.00, 60 d, 31-60 |
//! | CN-1    | 2026-11-20 | 2026-12-20 | −200.00 / −200.00 (2026-12-03) | open −200.00 (credit note applied later), not due |
//! | B-2     | 2026-12-01 | 2026-12-31 | 700.00 / 0                     | future-dated             |
//!
//! Open 1000 + 800 + 300 + 1500 − 200 = 3400.00 in 5 items; overdue A-1 + B-1 = 2500.00.
//! Amount read (open as exported): 0 + 0 + 500 + 300 + 2000 + 0 + 700 = 3500.00; paid after
//! the as-of date: A-1 1000 + A-3 300 + CN-1 −200 = 1100.00; 3500 + 1100 = 3400 reported +
//! 700 future-dated + 500 paid by the payments file.
use crate::util::{Workspace, read_sheet, read_summary};

const INVOICES: &str = "\
Customer,Invoice No,Invoice Date,Due Date,Amount,Paid,Paid Date,Currency
ACME,A-1,2026-10-01,2026-10-31,1000.00,1000.00,2026-12-02,USD
ACME,A-2,2026-10-15,2026-11-14,500.00,500.00,2026-11-20,USD
ACME,A-3,2026-11-10,2026-12-10,800.00,300.00,2026-12-01,USD
ACME,A-4,2026-11-05,2026-12-05,400.00,100.00,2026-11-25,USD
Beta,B-1,2026-09-01,2026-10-01,2000.00,0,,USD
Beta,CN-1,2026-11-20,2026-12-20,-200.00,-200.00,2026-12-03,USD
Beta,B-2,2026-12-01,2026-12-31,700.00,0,,USD
";

/// A receipt on 11-28 for B-1, and one on 12-01 for A-4 that waits.
const PAYMENTS: &str = "\
Date,Payer,Amount,Currency,Reference
2026-11-28,Beta,500.00,USD,B-1
2026-12-01,ACME,300.00,USD,A-4
";

#[test]
fn a_month_end_aged_days_later_shows_the_month_end_balances() {
    let ws = Workspace::new();
    ws.write("invoices.csv", INVOICES);
    ws.write("payments.csv", PAYMENTS);
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--payments", "payments.csv"])
        .status(0);
    let summary = read_summary(&ws.out());
    // read, open, rejected, closed, future-dated.
    assert_eq!(summary.rows.figures(), [7, 5, 0, 1, 1]);
    let usd = &summary.currencies["USD"];
    assert_eq!(
        usd.figures(),
        [
            ("Not due", 3, "900.00"),
            ("1-30", 1, "1000.00"),
            ("31-60", 1, "1500.00"),
            ("61-90", 0, "0.00"),
            ("91-120", 0, "0.00"),
            ("Over 120", 0, "0.00"),
        ]
    );
    assert_eq!((usd.total_open.as_str(), usd.count), ("3400.00", 5));
    assert_eq!((usd.overdue.as_str(), usd.overdue_count), ("2500.00", 2));
    let amounts = &summary.inputs[0].amounts["USD"];
    assert_eq!(amounts.figures(), ["3500.00", "3400.00", "700.00", "0.00", "0.00"]);
    assert_eq!((amounts.paid_after_as_of.as_str(), amounts.paid_by_payments.as_str()), ("1100.00", "500.00"));

    // Detail: the balances as of 11-30, with the later paid dates still shown.
    let detail = read_sheet(&ws.out().join("aging-report.xlsx"), "Detail");
    let open: Vec<(&str, &str)> = detail[1..].iter().map(|r| (r[1].as_str(), r[6].as_str())).collect();
    assert_eq!(open, [("A-1", "1000"), ("A-4", "300"), ("A-3", "800"), ("B-1", "1500"), ("CN-1", "-200")]);
    assert_eq!(
        detail[1][13..17],
        ["2026-12-02", "invoices.csv", "2", "paid on 2026-12-02, after the as-of date: open on 2026-11-30"]
    );
    assert_eq!(detail[2][16], "");

    // Cash collected in the period (11-01 … 11-30) counts only payments made by 11-30:
    // A-2 500 + A-4's 100 + the 500 received for B-1 = 1100.00; the 12-01 receipt is not
    // unapplied cash as of 11-30 (it does not exist yet). Beginning AR as of 10-31: A-1
    // 1000 + A-2 500 + B-1 2000 = 3500; sales A-3 800 + A-4 400 − CN-1 200 = 1000;
    // 3500 + 1000 − 1100 = 3400 open.
    let management = read_sheet(&ws.out().join("aging-report.xlsx"), "Management");
    let row = management.iter().find(|r| r[0] == "USD").unwrap();
    assert_eq!((&row[1], &row[2]), (&"3400".to_owned(), &"2500".to_owned()));
    assert_eq!(row[7..11], ["3500", "1000", "1100", "0"]);

    // Days to pay: only A-2 was settled by 11-30 (36 days, 6 late); A-1's December payment
    // does not count.
    let days = read_sheet(&ws.out().join("aging-report.xlsx"), "Days to Pay");
    assert_eq!(days[1..], [["ACME", "1", "36", "36", "6", "6"]]);
}

#[test]
fn a_settled_export_with_only_a_paid_date_is_paid_in_full_on_that_date() {
    // The shape of a settled-invoices register: no paid or open column, a settled date.
    // As of 2013-06-30: S-1 (settled 07-02) and S-3 (settled 07-15) were open; S-2 was
    // settled on the day; S-4 never settled; S-5 was issued after the date.
    let ws = Workspace::new();
    ws.write(
        "settled.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Paid Date,Currency\n\
         C1,S-1,2013-06-01,2013-07-01,55.94,2013-07-02,USD\n\
         C1,S-2,2013-05-20,2013-06-19,61.74,2013-06-30,USD\n\
         C2,S-3,2013-05-01,2013-05-31,105.92,2013-07-15,USD\n\
         C2,S-4,2013-04-01,2013-05-01,20.00,,USD\n\
         C2,S-5,2013-07-01,2013-07-31,99.00,2013-07-20,USD\n",
    );
    ws.payback().args(["run", "--as-of", "2013-06-30", "--invoices", "settled.csv"]).status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.rows.figures(), [5, 3, 0, 1, 1]);
    let usd = &summary.currencies["USD"];
    // 55.94 (not due) + 105.92 (30 days) + 20.00 (60 days) = 181.86; overdue 125.92.
    assert_eq!((usd.total_open.as_str(), usd.count), ("181.86", 3));
    assert_eq!((usd.overdue.as_str(), usd.overdue_count), ("125.92", 2));
    let amounts = &summary.inputs[0].amounts["USD"];
    // Read as exported: only S-4 20.00 is unpaid (S-5 too is settled: future-dated with
    // nothing open); 55.94 + 105.92 re-opened; 20.00 + 161.86 = 181.86 reported.
    assert_eq!(amounts.figures(), ["20.00", "181.86", "0.00", "0.00", "0.00"]);
    assert_eq!(amounts.paid_after_as_of, "161.86");

    // A month later everything but S-4 is settled: 20.00, 91 days past due.
    ws.payback().args(["run", "--as-of", "2013-07-31", "--invoices", "settled.csv"]).status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.rows.figures(), [5, 1, 0, 4, 0]);
    assert_eq!(summary.currencies["USD"].total_open, "20.00");
    // Days to pay as of 07-31: S-1 31 days (1 late), S-2 41 (11 late), S-3 75 (45 late),
    // S-5 19 (11 early). C1: (31 + 41) / 2 = 36.0, late (1 + 11) / 2 = 6.0; C2: S-3 and
    // S-5: (75 + 19) / 2 = 47.0, late (45 + 0) / 2 = 22.5, after due (45 − 11) / 2 = 17.0.
    let days = read_sheet(&ws.out().join("aging-report.xlsx"), "Days to Pay");
    assert_eq!(days[1..], [["C1", "2", "36", "36", "6", "6"], ["C2", "2", "47", "47", "22.5", "17"]]);
}

/// October's export: three open invoices, 1,800.00.
const OCTOBER: &str = "\
Customer,Invoice No,Invoice Date,Due Date,Amount,Paid,Paid Date,Currency
ACME,R-1,2026-09-01,2026-10-01,1000.00,0,,USD
ACME,R-2,2026-09-15,2026-10-15,500.00,0,,USD
Beta,R-3,2026-10-05,2026-11-04,300.00,0,,USD
";

/// November's export: R-1 is gone (no payment); R-2 paid on 11-10; R-4 invoiced with
/// 200.00 paid and no paid date; a credit note CN-2.
const NOVEMBER: &str = "\
Customer,Invoice No,Invoice Date,Due Date,Amount,Paid,Paid Date,Currency
ACME,R-2,2026-09-15,2026-10-15,500.00,500.00,2026-11-10,USD
Beta,R-3,2026-10-05,2026-11-04,300.00,0,,USD
Beta,R-4,2026-11-10,2026-12-10,800.00,200.00,,USD
Beta,CN-2,2026-11-20,2026-12-20,-100.00,0,,USD
";

#[test]
fn the_roll_forward_ties_or_names_the_invoices_behind_the_difference() {
    let ws = Workspace::new();
    ws.write("october.csv", OCTOBER);
    ws.write("november.csv", NOVEMBER);
    ws.payback().args(["run", "--as-of", "2026-10-31", "--invoices", "october.csv"]).status(0);
    let kept = || -> Vec<String> {
        let db = rusqlite::Connection::open(ws.path().join("state/payback.db")).unwrap();
        let mut stmt =
            db.prepare("SELECT DISTINCT r.as_of FROM open_items o JOIN runs r ON r.id = o.run_id ORDER BY 1").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(kept(), ["2026-10-31"]);
    for _ in 0..2 {
        // Run twice: a rerun of November still compares with October.
        ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "november.csv"]).status(0);
        // Beginning 1,800.00 (October's run) + invoiced 800.00 − credit notes 100.00 −
        // collected 500.00 (R-2) = 2,000.00 expected; ending R-3 300 + R-4 600 − 100 = 800.00;
        // not explained −1,200.00 = R-1 left the export (−1,000.00) + R-4's 200.00 paid
        // without a paid date (−200.00).
        let summary = read_summary(&ws.out());
        assert_eq!(summary.period.beginning, "previous_run");
        let usd = &summary.currencies["USD"];
        assert_eq!(usd.total_open, "800.00");
        let m = &usd.metrics;
        assert_eq!(
            [&m.beginning_ar, &m.invoiced, &m.credit_notes, &m.collected, &m.sales, &m.not_explained]
                .map(String::as_str),
            ["1800.00", "800.00", "100.00", "500.00", "700.00", "-1200.00"]
        );
        let management = read_sheet(&ws.out().join("aging-report.xlsx"), "Management");
        let at = management.iter().position(|r| r[0] == "Roll-forward").unwrap();
        assert_eq!(management[at + 2][..8], ["USD", "1800", "800", "100", "500", "2000", "800", "-1200"]);
        let behind: Vec<&[String]> =
            management.iter().filter(|r| r[1] == "R-1" || r[1] == "R-4").map(|r| &r[..5]).collect();
        assert_eq!(
            behind,
            [
                [
                    "ACME",
                    "R-1",
                    "USD",
                    "-1000",
                    "open 1000.00 on 2026-10-31 (last run), not in this export and no payment for it"
                ],
                [
                    "Beta",
                    "R-4",
                    "USD",
                    "-200",
                    "invoiced 800.00 in the period, 0.00 collected, 600.00 open: the export shows a payment without a paid date in the period"
                ],
            ]
        );
    }
    // The open items of October (the previous run) and November are kept, no more.
    assert_eq!(kept(), ["2026-10-31", "2026-11-30"]);
}
