//! `payback check`, `run --strict`, encodings and delimiters, and inputs that cannot be
//! read: each bad input gives one clear line naming the file and place, exit code 2.
use crate::util::{Workspace, fixture, read_summary};

#[test]
fn check_lists_every_problem_with_its_place_and_writes_nothing() {
    let ws = Workspace::new();
    let done = ws.payback().args(["check", "--invoices"]).arg(fixture("handchecked.csv")).status(1);
    let file = fixture("handchecked.csv").display().to_string();
    let lines: Vec<&str> = done.stdout.lines().collect();
    assert_eq!(
        lines[..4],
        [
            format!("{file}, row 17, column \"Customer\": Customer is empty"),
            format!(
                "{file}, row 18, column \"Invoice Date\": Invoice Date: \"2024-02-30\" is not a day of the calendar"
            ),
            format!("{file}, row 19, column \"Amount\": Amount: \"abc\" is not an amount"),
            format!(
                "{file}, row 23, column \"Currency\": Currency: \"XYZ1\" is not a currency code such as CNY, USD or EUR"
            ),
        ]
    );
    assert_eq!(
        lines[4],
        format!(
            "note: {file}: columns read: customer=\"Customer\", invoice_no=\"Invoice No\", \
             invoice_date=\"Invoice Date\", due_date=\"Due Date\", amount=\"Amount\", paid_amount=\"Paid Amount\", \
             currency=\"Currency\", project=\"Project\", project_manager=\"Project Manager\""
        )
    );
    assert_eq!(lines[5], format!("note: {file}, row 21: skipped (blank line): "));
    assert_eq!(lines.last().unwrap(), &"checked 1 file: 21 rows read, 17 usable, 4 with problems");
    assert!(!ws.out().exists());
}

#[test]
fn check_of_a_clean_export_exits_0_and_names_the_preset() {
    let ws = Workspace::new();
    let done = ws.payback().args(["check", "--invoices"]).arg(fixture("presets/odoo_customer_invoices.csv")).status(0);
    assert!(done.stdout.contains("read as preset odoo"), "{}", done.stdout);
    assert!(done.stdout.contains("columns not used: \"Tax Excluded\", \"Payment Status\", \"Status\""));
    assert!(done.stdout.ends_with("checked 1 file: 5 rows read, 5 usable, 0 with problems\n"), "{}", done.stdout);
}

#[test]
fn strict_run_refuses_rejected_rows_and_writes_nothing() {
    let ws = Workspace::new();
    let done = ws.payback().args(["run", "--strict", "--invoices"]).arg(fixture("handchecked.csv")).status(2);
    assert!(done.stderr.starts_with("error: --strict: 4 rows rejected, no report written:\n"), "{}", done.stderr);
    assert_eq!(done.stderr.lines().count(), 5);
    assert!(!ws.out().exists());
    ws.payback()
        .args(["run", "--strict", "--as-of", "2026-11-30", "--invoices"])
        .arg(fixture("presets/odoo_customer_invoices.csv"))
        .status(0);
    assert!(ws.out().join("aging-report.xlsx").exists());
}

#[test]
fn gbk_csv_from_a_chinese_erp_is_read() {
    let ws = Workspace::new();
    ws.payback().args(["run", "--as-of", "2026-11-30", "--invoices"]).arg(fixture("gbk_export.csv")).status(0);
    let summary = read_summary(&ws.out());
    assert_eq!(summary.inputs[0].preset.as_deref(), Some("cn-erp"));
    // 08800001 due 2026/10/1 → 60 days; 08800002 due 2026年11月19日 → 11 days.
    let cny = &summary.currencies["CNY"];
    assert_eq!(cny.figures()[1..3], [("1-30", 1, "10000.00"), ("31-60", 1, "50000.00")]);
    assert_eq!(summary.inputs[0].rows.skipped()[2], 1, "the 合计 line");
}

#[test]
fn semicolon_csv_with_decimal_comma_and_day_first_dates() {
    let ws = Workspace::new();
    let maps = [
        "customer=Kunde",
        "invoice_no=Rechnung",
        "invoice_date=Datum",
        "due_date=Fällig",
        "amount=Betrag",
        "currency=Währung",
    ];
    let mut run =
        ws.payback().args(["run", "--as-of", "2026-11-30", "--decimal-comma", "--date-order", "dmy", "--invoices"]);
    run = run.arg(fixture("semicolon_decimal_comma.csv"));
    for map in maps {
        run = run.args(["--map", map]);
    }
    run.status(0);
    // R-1001 1.234,56 due 15.10.2026 → 46 days; R-1002 -200,00 due 01.12.2026 → not due.
    let eur = &read_summary(&ws.out()).currencies["EUR"];
    assert_eq!(eur.figures()[..3], [("Not due", 1, "-200.00"), ("1-30", 0, "0.00"), ("31-60", 1, "1234.56")]);
}

fn one_line(stderr: &str) -> &str {
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"));
    stderr.trim_end()
}

#[test]
fn unreadable_inputs_give_one_line_naming_the_file() {
    let ws = Workspace::new();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "error: empty.csv: cannot read the file: the file is empty"),
        ("blank.xlsx", Vec::new(), "error: blank.xlsx: cannot read the file: it is not a workbook payback can open"),
        (
            "binary.csv",
            b"Customer,\x80\xff\nB,C\n".to_vec(),
            "error: binary.csv, row 1: cannot read the file: the text is neither UTF-8 nor GB18030/GBK",
        ),
        (
            "one-column.csv",
            b"just one column\nvalue\n".to_vec(),
            "error: one-column.csv: the sheet is empty: no header row found",
        ),
    ];
    for (name, bytes, expected) in cases {
        std::fs::write(ws.path().join(name), bytes).unwrap();
        let done = ws.payback().args(["run", "--invoices", name]).status(2);
        let line = one_line(&done.stderr);
        assert!(line.starts_with(expected), "{name}: {line}");
    }
    // A zip that is not a workbook, and a workbook cut short.
    let mut zip = zip_with_entry("hello.txt");
    std::fs::write(ws.path().join("notes.xlsx"), &zip).unwrap();
    let done = ws.payback().args(["run", "--invoices", "notes.xlsx"]).status(2);
    assert!(
        one_line(&done.stderr).starts_with("error: notes.xlsx: cannot read the file: it is not a workbook"),
        "{}",
        done.stderr
    );
    zip = std::fs::read(fixture("handchecked.xlsx")).unwrap();
    zip.truncate(zip.len() / 2);
    std::fs::write(ws.path().join("cut.xlsx"), &zip).unwrap();
    let done = ws.payback().args(["run", "--invoices", "cut.xlsx"]).status(2);
    assert!(one_line(&done.stderr).starts_with("error: cut.xlsx: cannot read the file: "), "{}", done.stderr);
    let done =
        ws.payback().args(["run", "--encoding", "klingon", "--invoices"]).arg(fixture("gbk_export.csv")).status(2);
    assert!(
        one_line(&done.stderr)
            .ends_with("unknown encoding \"klingon\"; try utf-8, gb18030, gbk, big5, shift_jis or windows-1252")
    );
}

/// A minimal zip holding one stored text file.
fn zip_with_entry(name: &str) -> Vec<u8> {
    let body = b"hello";
    let crc = crc32(body);
    let mut out = Vec::new();
    let local = |out: &mut Vec<u8>| {
        out.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&5u32.to_le_bytes());
        out.extend_from_slice(&5u32.to_le_bytes());
        out.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
    };
    local(&mut out);
    out.extend_from_slice(body);
    let central_start = u32::try_from(out.len()).unwrap();
    out.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&5u32.to_le_bytes());
    out.extend_from_slice(&5u32.to_le_bytes());
    out.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&[0; 12]);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    let central_len = u32::try_from(out.len()).unwrap() - central_start;
    out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn hostile_workbooks_are_refused_by_the_limits() {
    let ws = Workspace::new();
    // A value in the last cell Excel allows: refused by max_columns, no grid is built.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Customer").unwrap();
    sheet.write_string(0, 1, "Invoice No").unwrap();
    sheet.write_string(1_048_575, 16_383, "far away").unwrap();
    workbook.save(ws.path().join("far.xlsx")).unwrap();
    let done = ws.payback().args(["run", "--invoices", "far.xlsx"]).status(2);
    assert_eq!(
        one_line(&done.stderr),
        "error: far.xlsx, sheet \"Sheet1\", row 1048576: cannot read the file: a value in column 16384 is beyond \
         the limit of 1000 columns (limits.max_columns in the rules file)"
    );
    // The unpacked-size limit, lowered so that an ordinary workbook exceeds it.
    ws.write("tight.toml", "[limits]\nmax_unpacked_mib = 0\n");
    let done =
        ws.payback().args(["run", "--rules", "tight.toml", "--invoices"]).arg(fixture("handchecked.xlsx")).status(2);
    assert!(
        one_line(&done.stderr).ends_with("more than the limit of 0 MiB (limits.max_unpacked_mib in the rules file)"),
        "{}",
        done.stderr
    );
    ws.write("rows.toml", "[limits]\nmax_rows = 10\n");
    let done =
        ws.payback().args(["run", "--rules", "rows.toml", "--invoices"]).arg(fixture("handchecked.csv")).status(2);
    assert!(
        one_line(&done.stderr).ends_with("more than 10 rows (limits.max_rows in the rules file)"),
        "{}",
        done.stderr
    );
}
