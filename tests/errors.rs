//! Bad input that stops a run: exit code 2, one clear line naming the file (and sheet or
//! column), and no partial output — earlier outputs stay as they were.
use crate::util::{Workspace, fixture};

fn one_line_error(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one error line, got:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    lines[0]
}

#[test]
fn missing_required_column_names_file_field_and_headers() {
    let ws = Workspace::new();
    let input = ws.write("ar.csv", "Customer,Invoice No,Invoice Date,Amount\nACME,1,2026-01-01,5\n");
    let done = ws.payback().args(["run", "--invoices", "ar.csv", "--as-of", "2026-11-30"]).status(2);
    assert_eq!(
        one_line_error(&done.stderr),
        "error: ar.csv: no column for required field `due_date`; the headers are: \"Customer\", \"Invoice No\", \
         \"Invoice Date\", \"Amount\". Name it with --map due_date=HEADER or under [input.invoices.columns] in the rules file"
    );
    assert!(input.exists());
    assert!(!ws.out().exists(), "no output folder after a failed run");
    let leftovers: Vec<_> = std::fs::read_dir(ws.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "only the input remains: {leftovers:?}");
}

#[test]
fn unreadable_and_unsupported_files() {
    let ws = Workspace::new();
    let done = ws.payback().args(["run", "--invoices", "nope.csv"]).status(2);
    assert!(one_line_error(&done.stderr).starts_with("error: nope.csv: cannot read the file: "), "{}", done.stderr);
    ws.write("ar.pdf", "%PDF");
    let done = ws.payback().args(["run", "--invoices", "ar.pdf"]).status(2);
    assert_eq!(
        one_line_error(&done.stderr),
        "error: ar.pdf: cannot read the file: unsupported file type \"pdf\"; payback reads .csv, .xlsx, .xlsm, .xlsb, .xls and .ods"
    );
    ws.write("broken.xlsx", "this is not a zip file");
    let done = ws.payback().args(["run", "--invoices", "broken.xlsx"]).status(2);
    assert!(one_line_error(&done.stderr).starts_with("error: broken.xlsx: cannot read the file: "), "{}", done.stderr);
}

#[test]
fn unknown_sheet_lists_the_sheets() {
    let ws = Workspace::new();
    let done =
        ws.payback().args(["run", "--sheet", "Invoices", "--invoices"]).arg(fixture("handchecked.xlsx")).status(2);
    let line = one_line_error(&done.stderr);
    assert!(
        line.ends_with(
            "handchecked.xlsx: there is no sheet named \"Invoices\"; the workbook has: \"Open Items\", \"Notes\""
        ),
        "{line}"
    );
}

#[test]
fn wrong_sheet_without_the_columns_names_the_sheet() {
    let ws = Workspace::new();
    let done = ws.payback().args(["run", "--sheet", "Notes", "--invoices"]).arg(fixture("handchecked.xlsx")).status(2);
    let line = one_line_error(&done.stderr);
    assert!(line.contains("sheet \"Notes\""), "{line}");
}

#[test]
fn bad_rules_are_refused_with_every_problem() {
    let ws = Workspace::new();
    ws.write("ar.csv", "Customer,Invoice No,Invoice Date,Due Date,Amount\nACME,1,2026-01-01,2026-02-01,5\n");
    ws.write(
        "rules.toml",
        "[company]\ncurrency = \"yuan\"\n[aging]\nbuckets = [{ label = \"a\", max_days = 0 }, { label = \"b\", min_days = 5 }]\n",
    );
    let done = ws.payback().args(["run", "--invoices", "ar.csv", "--rules", "rules.toml"]).status(2);
    assert_eq!(
        one_line_error(&done.stderr),
        "error: rules.toml: line 2: company.currency = \"yuan\" is not a three-letter currency code such as CNY, USD or EUR; \
         line 4: aging.buckets: \"a\" ends at 0 days but \"b\" starts at 5; it must start at 1"
    );
    ws.write("typo.toml", "[aging]\nbasis = \"due_date\"\nbukets = []\n");
    let done = ws.payback().args(["run", "--invoices", "ar.csv", "--rules", "typo.toml"]).status(2);
    let line = one_line_error(&done.stderr);
    assert!(line.starts_with("error: typo.toml: line 3: unknown field `bukets`"), "{line}");
    let done = ws.payback().args(["run", "--invoices", "ar.csv", "--rules", "missing.toml"]).status(2);
    assert!(one_line_error(&done.stderr).starts_with("error: missing.toml: cannot read the rules file"));
}

#[test]
fn bad_map_and_bad_as_of_are_usage_errors() {
    let ws = Workspace::new();
    ws.write("ar.csv", "Customer,Invoice No,Invoice Date,Due Date,Amount\n");
    let done = ws.payback().args(["run", "--invoices", "ar.csv", "--map", "customer"]).status(2);
    assert_eq!(
        one_line_error(&done.stderr),
        "error: --map customer: write it as FIELD=HEADER, e.g. customer=\"Client Name\""
    );
    let done = ws.payback().args(["run", "--invoices", "ar.csv", "--as-of", "2026-13-01"]).status(2);
    assert!(done.stderr.contains("is not a date in the form YYYY-MM-DD"), "{}", done.stderr);
}

#[test]
fn a_failed_run_leaves_earlier_outputs_intact() {
    let ws = Workspace::new();
    ws.payback().args(["run", "--as-of", "2024-03-01", "--invoices"]).arg(fixture("handchecked.csv")).status(1);
    let before_xlsx = std::fs::read(ws.out().join("aging-report.xlsx")).unwrap();
    let before_json = std::fs::read(ws.out().join("summary.json")).unwrap();
    ws.write("bad.csv", "Customer,Amount\nACME,5\n");
    ws.payback().args(["run", "--as-of", "2024-03-01", "--invoices", "bad.csv"]).status(2);
    assert_eq!(std::fs::read(ws.out().join("aging-report.xlsx")).unwrap(), before_xlsx);
    assert_eq!(std::fs::read(ws.out().join("summary.json")).unwrap(), before_json);
    let names: Vec<String> =
        std::fs::read_dir(ws.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.contains("partial")), "staging folder left behind: {names:?}");
}

#[test]
fn header_only_file_gives_an_empty_report() {
    let ws = Workspace::new();
    ws.write("empty.csv", "Customer,Invoice No,Invoice Date,Due Date,Amount\n");
    let done = ws.payback().args(["run", "--invoices", "empty.csv", "--as-of", "2026-11-30"]).status(0);
    assert!(done.stdout.starts_with("0 rows read: 0 open"), "{}", done.stdout);
    let summary = crate::util::read_summary(&ws.out());
    assert!(summary.currencies.is_empty());
    assert_eq!(summary.rows.read, 0);
}

#[test]
fn a_bad_state_file_stops_the_run_cleanly_and_keeps_the_earlier_outputs() {
    // The deciding side fails while the workbook is being written on another thread: the
    // run used to wait forever for sheets that never came.
    let ws = Workspace::new();
    ws.payback()
        .args(["run", "--as-of", "2024-03-01", "--invoices"])
        .arg(fixture("handchecked.csv"))
        .timeout(60)
        .status(1);
    let before = std::fs::read(ws.out().join("aging-report.xlsx")).unwrap();
    // A state folder of an earlier release with a bad line: its import stops the run, naming
    // the line, before anything is written (each case in a state folder of its own).
    for (file, text) in
        [("old1/trend.jsonl", "garbage\n"), ("old2/collection-log.jsonl", "{\"not\": \"a log line\"}\n")]
    {
        let kept = std::fs::read_to_string(ws.path().join(file)).unwrap_or_default();
        ws.write(file, text);
        let state = file.split('/').next().unwrap();
        let done = ws
            .payback()
            .args(["run", "--as-of", "2024-03-01", "--state", state, "--invoices"])
            .arg(fixture("handchecked.csv"))
            .timeout(60)
            .status(2);
        let line = one_line_error(&done.stderr);
        assert!(line.starts_with(&format!("error: {file}, row 1: cannot read the file: ")), "{line}");
        assert_eq!(std::fs::read(ws.out().join("aging-report.xlsx")).unwrap(), before);
        ws.write(file, &kept);
    }
}
