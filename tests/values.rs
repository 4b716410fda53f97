//! Values as exports write them: every date and amount form in one file, and a workbook in
//! the 1904 date system. Expected figures worked out by hand, as of 2026-11-30.
use crate::util::{Workspace, fixture, read_summary};

fn nonzero(summary: &crate::util::Summary, code: &str) -> Vec<(String, u64, String)> {
    summary.currencies[code]
        .figures()
        .into_iter()
        .filter(|(_, n, _)| *n > 0)
        .map(|(l, n, a)| (l.to_owned(), n, a.to_owned()))
        .collect()
}

fn owned(list: &[(&str, u64, &str)]) -> Vec<(String, u64, String)> {
    list.iter().map(|(l, n, a)| ((*l).to_owned(), *n, (*a).to_owned())).collect()
}

#[test]
fn every_date_and_amount_form_is_read() {
    let ws = Workspace::new();
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices"]).arg(fixture("value_forms.csv")).status(0);
    let summary = read_summary(&ws.out());
    // V-1 "¥1,000.00" due 2026-11-30 → 0 days; V-7 full-width "１２,３４５.６７" due
    // ２０２６－０９－０１ → 90; V-5 "(1,234.56)" due "Nov 30, 2025" → 365; V-6 "5,000.00-"
    // due 2026-07-01 → 152; V-9 "+250" due "2026-02-04T00:00:00" → 299, currency 人民币.
    assert_eq!(
        nonzero(&summary, "CNY"),
        owned(&[("Not due", 1, "1000.00"), ("61-90", 1, "12345.67"), ("Over 120", 3, "-5984.56")])
    );
    // V-2 "$2,000.50" due 2026/11/29 → 1; V-8 "USD 700.00" (non-breaking space, dates with
    // non-breaking spaces around them, currency "usd") due 2026-10-15 → 46.
    assert_eq!(nonzero(&summary, "USD"), owned(&[("1-30", 1, "2000.50"), ("31-60", 1, "700.00")]));
    // V-3 "€ 300.25" due 2026年10月31日 → 30; V-4 "£45.00" due 30.10.2026 → 31.
    assert_eq!(nonzero(&summary, "EUR"), owned(&[("1-30", 1, "300.25")]));
    assert_eq!(nonzero(&summary, "GBP"), owned(&[("31-60", 1, "45.00")]));
}

#[test]
fn workbook_in_the_1904_date_system() {
    let ws = Workspace::new();
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices"]).arg(fixture("dates_1904.xlsx")).status(0);
    // M-1: a date cell, due 2026-11-14 → 16 days; M-2: a plain serial 44895 in the 1904
    // system = 2026-12-01 → not due. Read in the 1900 system they would be 4 years off.
    let summary = read_summary(&ws.out());
    assert_eq!(nonzero(&summary, "CNY"), owned(&[("Not due", 1, "50.00"), ("1-30", 1, "100.00")]));
}
