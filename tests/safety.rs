//! Safe to run every month: a run killed at any moment leaves the previous outputs or the
//! complete new ones; two runs cannot share a state folder; text never becomes a formula;
//! names never escape the output folder; large and odd inputs run with exact totals.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::util::{Workspace, read_formulas, read_sheet, read_summary, repo};

/// Every file under `dir` (relative path → bytes), except the send record.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn sample_args(as_of: &str, out: &str, state: &str) -> Vec<String> {
    let data = repo().join("sample-data");
    let mut args: Vec<String> = ["run", "--as-of", as_of, "--out", out, "--state", state].map(String::from).to_vec();
    for (option, file) in [
        ("--invoices", "invoices.xlsx"),
        ("--contacts", "contacts.csv"),
        ("--projects", "projects.csv"),
        ("--followups", "followups.csv"),
        ("--milestones", "milestones.csv"),
    ] {
        args.push(option.into());
        args.push(data.join(file).display().to_string());
    }
    args
}

#[test]
fn a_run_killed_at_any_moment_leaves_old_or_new_outputs_complete() {
    let ws = Workspace::new();
    let dates = ["2026-11-30", "2026-12-15"];
    let mut references = Vec::new();
    for (i, date) in dates.iter().enumerate() {
        let (out, state) = (format!("ref{i}"), format!("ref-state{i}"));
        ws.payback().args(sample_args(date, &out, &state)).status(0);
        references.push(snapshot(&ws.path().join(out)));
    }
    assert_ne!(references[0], references[1]);
    let mut rng = fastrand::Rng::with_seed(8);
    let binary = assert_cmd::cargo::cargo_bin!("payback");
    let mut killed_midway = 0;
    for round in 0..30 {
        let date = dates[round % 2];
        let state = format!("state{round}");
        let mut child = Command::new(binary)
            .args(sample_args(date, "out", &state))
            .current_dir(ws.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(0..250)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed_midway += 1;
        }
        let out = ws.path().join("out");
        if out.exists() {
            let now = snapshot(&out);
            assert!(now == references[0] || now == references[1], "round {round}: out/ is neither complete set");
        }
        // The state database is sound after every kill (tests/state.rs checks that it
        // agrees with the outputs).
        let db = ws.path().join(&state).join("payback.db");
        if db.exists() {
            let conn = rusqlite::Connection::open(&db).unwrap();
            let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(check, "ok", "round {round}");
        }
    }
    assert!(killed_midway > 5, "the loop should interrupt runs, it interrupted {killed_midway}");
    // A later run cleans up what the killed runs left beside out/.
    ws.payback().args(sample_args(dates[0], "out", "final-state")).status(0);
    assert_eq!(snapshot(&ws.path().join("out")), references[0]);
    let leftovers: Vec<String> = std::fs::read_dir(ws.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("payback-new"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn two_runs_cannot_share_the_state_folder() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path().join("state")).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(ws.path().join("state/.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let done = ws.payback().args(sample_args("2026-11-30", "out", "state")).status(2);
    assert_eq!(
        done.stderr.trim(),
        "error: another payback run is using the state folder (lock state/.lock); wait for it to finish and run again"
    );
    assert!(!ws.out().exists());
    drop(lock);
    ws.payback().args(sample_args("2026-11-30", "out", "state")).status(0);
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let ws = Workspace::new();
    ws.write(
        "ar.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Project\n\
         \"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",INV-1,2026-09-01,2026-10-01,10.00,=1+1\n\
         \"+cmd|' /C calc'!A0\",@SUM(A1),2026-09-01,2026-10-01,20.00,-2+3\n",
    );
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "ar.csv"]).status(0);
    let path = ws.out().join("aging-report.xlsx");
    let detail = read_sheet(&path, "Detail");
    let customers: Vec<&str> = detail[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(customers, ["+cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example\",\"click\")"]);
    assert_eq!(detail[1][1], "@SUM(A1)");
    assert_eq!(detail[2][10], "=1+1");
    for sheet in ["Detail", "By Customer"] {
        let formulas = read_formulas(&path, sheet);
        assert!(formulas.values().all(|f| !f.contains("HYPERLINK") && !f.contains("cmd")), "{sheet}: {formulas:?}");
    }
    let by_customer = read_formulas(&path, "By Customer");
    assert!(by_customer.keys().all(|(_, c)| *c != 0), "no formula in the customer column");
}

#[test]
fn names_from_customers_never_leave_the_output_folder() {
    let ws = Workspace::new();
    let long = "L".repeat(300);
    let customers = ["../../escape", "/etc/passwd", "CON", "a\\..\\..\\b", long.as_str()];
    let mut invoices = String::from("Customer,Invoice No,Invoice Date,Due Date,Amount\n");
    let mut contacts = String::from("customer,name,role,email\n");
    for (i, c) in customers.iter().enumerate() {
        let _ = writeln!(invoices, "\"{c}\",I-{i},2026-09-01,2026-11-10,10.00");
        let _ = writeln!(contacts, "\"{c}\",Bill,billing,bill{i}@x.example");
    }
    ws.write("ar.csv", &invoices);
    ws.write("contacts.csv", &contacts);
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "ar.csv", "--contacts", "contacts.csv"]).status(0);
    let mut names: Vec<String> = std::fs::read_dir(ws.out().join("emails"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 5);
    for name in &names {
        assert!(!name.contains('/') && !name.contains('\\') && !name.contains(".."), "{name}");
        assert!(name.len() < 100, "{name}");
    }
    assert!(names.contains(&"003-overdue_notice-CON_.eml".to_owned()), "{names:?}");
    let top: Vec<String> =
        std::fs::read_dir(ws.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let mut top = top;
    top.sort();
    assert_eq!(top, ["ar.csv", "contacts.csv", "out", "state"]);
}

#[test]
fn one_customer_with_100000_invoices_and_50000_customers_in_20_currencies() {
    let ws = Workspace::new();
    let currencies = [
        "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "SGD", "AUD", "CAD", "CHF", "SEK", "NOK", "DKK", "KRW", "INR", "BRL",
        "ZAR", "MXN", "NZD", "KWD",
    ];
    let mut text = String::from("Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\n");
    // 100,000 invoices of one customer in CNY: 1.00 to 100,000.00, sum 5,000,050,000.00.
    for i in 1..=100_000u64 {
        let _ = writeln!(text, "Big One Ltd,B{i},2026-01-01,2026-02-01,{i}.00,CNY");
    }
    // 50,000 customers with one invoice each, in 20 currencies: 7 of the smallest unit.
    for i in 0..50_000usize {
        let currency = currencies[i % 20];
        let amount = match currency {
            "JPY" | "KRW" => "7",
            "KWD" => "0.007",
            _ => "0.07",
        };
        let _ = writeln!(text, "Customer {i:05},C{i},2026-11-01,2026-12-01,{amount},{currency}");
    }
    ws.write("large.csv", &text);
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "large.csv"]).status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.rows.figures(), [150_000, 150_000, 0, 0, 0]);
    assert_eq!(summary.currencies.len(), 20);
    assert_eq!(summary.currencies["CNY"].total_open, "5000050175.00");
    assert_eq!(summary.currencies["CNY"].count, 102_500);
    assert_eq!(summary.currencies["JPY"].total_open, "17500");
    assert_eq!(summary.currencies["KWD"].total_open, "17.500");
    assert_eq!(summary.currencies["USD"].total_open, "175.00");
    assert_eq!(summary.customers, 50_001);
    assert_eq!(summary.inputs[0].amounts["CNY"].read, "5000050175.00");
}

#[test]
fn a_sheet_with_a_header_and_no_rows_runs() {
    let ws = Workspace::new();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in ["Customer", "Invoice No", "Invoice Date", "Due Date", "Amount"].iter().enumerate() {
        sheet.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    workbook.save(ws.path().join("empty.xlsx")).unwrap();
    let done = ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "empty.xlsx"]).status(0);
    assert!(done.stdout.starts_with("0 rows read: 0 open"), "{}", done.stdout);
    assert!(read_summary(&ws.out()).currencies.is_empty());
}

/// A sheet filled to Excel's last row: 1,048,575 invoices below the header. The slowest
/// test (about 40 s: 4 s to write the input, the rest payback's run), and that only because
/// Cargo.toml optimises the crates a big workbook runs through in debug builds too; without
/// them it took 2.5 minutes. CI runs it with the others.
#[test]
fn a_sheet_filled_to_excels_last_row_runs_with_exact_totals() {
    let ws = Workspace::new();
    let path = ws.path().join("full.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
    for (c, h) in ["Customer", "Invoice No", "Invoice Date", "Due Date", "Amount"].iter().enumerate() {
        sheet.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    let dated = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let due = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    // Rows 1..=1,048,575: customer k % 1000, amount k cents.
    for row in 1..=1_048_575u32 {
        sheet.write_string(row, 0, format!("Customer {:03}", row % 1000)).unwrap();
        sheet.write_string(row, 1, format!("F{row}")).unwrap();
        sheet.write_date_with_format(row, 2, dated, &format).unwrap();
        sheet.write_date_with_format(row, 3, due, &format).unwrap();
        sheet.write_number(row, 4, f64::from(row) / 100.0).unwrap();
    }
    workbook.save(&path).unwrap();
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices", "full.xlsx"]).status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.rows.figures(), [1_048_575, 1_048_575, 0, 0, 0]);
    // Sum of 1..=1,048,575 cents = 549,755,289,600 cents.
    assert_eq!(summary.currencies["CNY"].total_open, "5497552896.00");
    assert_eq!(summary.customers, 1000);
    assert_eq!(summary.inputs[0].amounts["CNY"].read, "5497552896.00");
}
