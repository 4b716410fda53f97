//! The standing adversarial suite of the reading side (issue 21): one case per class of
//! hostile input — wrong money, rows swallowed or misread, memory blow-ups before the
//! limits apply. Each case makes its own small files, runs the real binary under a memory
//! cap (so a regression fails instead of eating the machine) and asserts the exit code,
//! the exact error line or rejected rows (file, row, column) and that no money or row is
//! lost: the control totals in summary.json.
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use crate::util::{Workspace, read_sheet, read_summary};

/// Address space allowed to a hostile run: a normal run of these small files needs less
/// than 256 MiB; each blow-up this suite guards against went past 4 GiB.
const MEMORY_CAP_KIB: u64 = 1024 * 1024;

/// What a case expects.
enum Expect {
    /// Exit 2 with this one error line (after `error: `), the file named relative to the
    /// workspace.
    Error(&'static str),
    /// Exit 1 with these rejected rows `[row, column, value, reason]`, these control
    /// totals `(currency, [read, reported, future-dated, rejected, duplicates])` and these
    /// row counts `[read, accepted, rejected, closed, future-dated]`.
    Rejected { rows: Vec<[&'static str; 4]>, totals: (&'static str, [&'static str; 5]), counts: [usize; 5] },
}

struct Case {
    name: &'static str,
    /// Files to write: name and bytes.
    files: Vec<(&'static str, Vec<u8>)>,
    /// The invoices file.
    invoices: &'static str,
    /// More arguments after `run --invoices FILE --as-of 2026-03-31`.
    args: Vec<&'static str>,
    expect: Expect,
}

const HEADER: &str = "Customer,Invoice No,Invoice Date,Due Date,Currency,Amount\n";

fn csv(rows: &str) -> Vec<u8> {
    format!("{HEADER}{rows}").into_bytes()
}

/// Runs payback in `dir` under the memory cap.
fn capped(dir: &Path, args: &[&str]) -> (i32, String) {
    let binary = assert_cmd::cargo::cargo_bin!("payback");
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_CAP_KIB} && exec \"$0\" \"$@\""))
        .arg(binary)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run payback under sh");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// A zip of stored (uncompressed) parts.
fn zipped(parts: &[(&str, String)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// A one-sheet xlsx made by hand: the header and one invoice as inline strings, then rows
/// 3 to `last_row` with one cell each, the merged ranges given, and a shared-strings part
/// when `sst` is given (its start tag).
fn xlsx(merged: &[&str], last_row: u32, sst: Option<&str>) -> Vec<u8> {
    let cell = |r: &str, text: &str| format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{text}</t></is></c>");
    let header: String = ["Customer", "Invoice No", "Invoice Date", "Due Date", "Currency", "Amount"]
        .iter()
        .zip(["A1", "B1", "C1", "D1", "E1", "F1"])
        .map(|(t, r)| cell(r, t))
        .collect();
    let row: String = ["ACME", "INV-1", "2026-01-01", "2026-01-31", "USD", "100.00"]
        .iter()
        .zip(["A2", "B2", "C2", "D2", "E2", "F2"])
        .map(|(t, r)| cell(r, t))
        .collect();
    let mut filler = String::new();
    for n in 3..=last_row {
        write!(filler, "<row r=\"{n}\">{}</row>", cell(&format!("A{n}"), "x")).unwrap();
    }
    let merge_list = if merged.is_empty() {
        String::new()
    } else {
        let mut list = String::new();
        for m in merged {
            write!(list, "<mergeCell ref=\"{m}\"/>").unwrap();
        }
        format!("<mergeCells count=\"{}\">{list}</mergeCells>", merged.len())
    };
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut parts = vec![
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
             </Types>"
                .to_owned(),
        ),
        (
            "_rels/.rels",
            format!(
                "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{rel}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<?xml version=\"1.0\"?><workbook xmlns=\"{main}\" xmlns:r=\"{rel}\"><sheets>\
                 <sheet name=\"AR\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/>{}</Relationships>",
                if sst.is_some() {
                    format!("<Relationship Id=\"rId2\" Type=\"{rel}/sharedStrings\" Target=\"sharedStrings.xml\"/>")
                } else {
                    String::new()
                }
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                "<?xml version=\"1.0\"?><worksheet xmlns=\"{main}\"><sheetData><row r=\"1\">{header}</row>\
                 <row r=\"2\">{row}</row>{filler}</sheetData>{merge_list}</worksheet>"
            ),
        ),
    ];
    if let Some(start) = sst {
        parts.push(("xl/sharedStrings.xml", format!("<?xml version=\"1.0\"?>{start}<si><t>x</t></si></sst>")));
    }
    zipped(&parts)
}

/// An .ods whose one table has the header row and then `rows`.
fn ods(rows: &str) -> Vec<u8> {
    let cell =
        |t: &str| format!("<table:table-cell office:value-type=\"string\"><text:p>{t}</text:p></table:table-cell>");
    let header: String =
        ["Customer", "Invoice No", "Invoice Date", "Due Date", "Currency", "Amount"].iter().map(|t| cell(t)).collect();
    let content = format!(
        "<?xml version=\"1.0\"?><office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"AR\">\
         <table:table-row>{header}</table:table-row>{rows}</table:table></office:spreadsheet></office:body>\
         </office:document-content>"
    );
    zipped(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_owned()),
        (
            "META-INF/manifest.xml",
            "<?xml version=\"1.0\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
             <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
             <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>"
                .to_owned(),
        ),
        ("content.xml", content),
    ])
}

/// A rules file with `n` aging buckets of one day each (the last open-ended).
fn many_buckets(n: usize) -> Vec<u8> {
    let mut text = String::from("[aging]\nbasis = \"due_date\"\n");
    for i in 0..n {
        writeln!(text, "[[aging.buckets]]\nlabel = \"b{i}\"").unwrap();
        if i > 0 {
            writeln!(text, "min_days = {i}").unwrap();
        }
        if i + 1 < n {
            writeln!(text, "max_days = {i}").unwrap();
        }
    }
    text.into_bytes()
}

fn cases() -> Vec<Case> {
    let mut budget_rows = String::new();
    // Each row adds |amount| + |open| = 2·10^15 minor units to the USD budget of
    // 2,305,843,009,213,693,951: the 1,153rd row (line 1,154) passes it.
    for i in 1..=1200 {
        writeln!(budget_rows, "ACME,INV-{i},2026-01-01,2026-01-31,USD,10000000000000.00").unwrap();
    }
    let mut after_quote =
        String::from("ACME,INV-1,2026-01-01,2026-01-31,USD,100.00\n\"Beta,INV-2,2026-01-01,2026-01-31,USD,5.00\n");
    for i in 3..=1002 {
        writeln!(after_quote, "Gamma,INV-{i},2026-01-01,2026-01-31,USD,1.00").unwrap();
    }
    let (gbk, _, _) = encoding_rs::GB18030.encode("华为,INV-2,2026-01-01,2026-01-31,CNY,200.00\n");
    let mut mixed = csv("腾讯,INV-1,2026-01-01,2026-01-31,CNY,100.00\n");
    mixed.extend_from_slice(&gbk);
    let filled =
        "<table:table-cell office:value-type=\"float\" office:value=\"1\"><text:p>1</text:p></table:table-cell>";
    vec![
        Case {
            name: "two amounts whose sum wraps an i64",
            files: vec![(
                "wrap.csv",
                csv("ACME,INV-1,2026-01-01,2026-01-31,USD,\"50,000,000,000,000,000.00\"\n\
                     ACME,INV-2,2026-01-01,2026-01-31,USD,\"50,000,000,000,000,000.00\"\n\
                     ACME,INV-3,2026-01-01,2026-01-31,USD,100.00\n"),
            )],
            invoices: "wrap.csv",
            args: vec![],
            expect: Expect::Rejected {
                rows: vec![
                    [
                        "2",
                        "Amount",
                        "50,000,000,000,000,000.00",
                        "Amount: the amount is above the limit of 10000000000000 (limits.max_amount in the rules file)",
                    ],
                    [
                        "3",
                        "Amount",
                        "50,000,000,000,000,000.00",
                        "Amount: the amount is above the limit of 10000000000000 (limits.max_amount in the rules file)",
                    ],
                ],
                // Read 100.00 (the rejected rows' amounts could not be read), all of it reported.
                totals: ("USD", ["100.00", "100.00", "0.00", "0.00", "0.00"]),
                counts: [3, 1, 2, 0, 0],
            },
        },
        Case {
            name: "amounts each within the limit whose sum would pass the budget",
            files: vec![("budget.csv", csv(&budget_rows))],
            invoices: "budget.csv",
            args: vec![],
            expect: Expect::Error(
                "budget.csv, row 1154, column \"Amount\": the amounts read in USD add up to more than \
                 2305843009213693951 (in minor units) by this row, past what payback can sum exactly; no real \
                 ledger comes near it: check the file's amounts",
            ),
        },
        Case {
            name: "amounts with a multiplier suffix",
            files: vec![(
                "suffix.csv",
                csv("ACME,INV-1,2026-01-01,2026-01-31,USD,1.5k\nACME,INV-2,2026-01-01,2026-01-31,USD,2M\n\
                     ACME,INV-3,2026-01-01,2026-01-31,USD,USD 7.25\n"),
            )],
            invoices: "suffix.csv",
            args: vec![],
            expect: Expect::Rejected {
                rows: vec![
                    [
                        "2",
                        "Amount",
                        "1.5k",
                        "Amount: \"1.5k\" is not an amount: \"k\" is not a currency (write the whole number, without k or M)",
                    ],
                    [
                        "3",
                        "Amount",
                        "2M",
                        "Amount: \"2M\" is not an amount: \"M\" is not a currency (write the whole number, without k or M)",
                    ],
                ],
                totals: ("USD", ["7.25", "7.25", "0.00", "0.00", "0.00"]),
                counts: [3, 1, 2, 0, 0],
            },
        },
        Case {
            name: "an amount in another currency than its row's",
            files: vec![(
                "eur.csv",
                csv("ACME,INV-1,2026-01-01,2026-01-31,CNY,EUR 70\nACME,INV-2,2026-01-01,2026-01-31,CNY,CNY 30.00\n"),
            )],
            invoices: "eur.csv",
            args: vec![],
            expect: Expect::Rejected {
                rows: vec![[
                    "2",
                    "Amount",
                    "EUR 70",
                    "Amount: \"EUR 70\" is written in EUR, but the row's currency is CNY; payback does not convert currencies",
                ]],
                totals: ("CNY", ["30.00", "30.00", "0.00", "0.00", "0.00"]),
                counts: [2, 1, 1, 0, 0],
            },
        },
        Case {
            name: "an unknown currency and a date outside the range",
            files: vec![(
                "odd.csv",
                csv("ACME,INV-1,2026-01-01,2026-01-31,XYZ,10.00\nACME,INV-2,2026-01-01,0001-01-01,USD,20.00\n\
                     ACME,INV-3,2026-01-01,2026-01-31,USD,40.00\n"),
            )],
            invoices: "odd.csv",
            args: vec![],
            expect: Expect::Rejected {
                rows: vec![
                    ["2", "Currency", "XYZ", "Currency: \"XYZ\" is not a currency code such as CNY, USD or EUR"],
                    [
                        "3",
                        "Due Date",
                        "0001-01-01",
                        "Due Date: 0001-01-01 is outside the dates payback accepts, 1990-01-01 to 2100-12-31 \
                         (limits.min_date and limits.max_date in the rules file)",
                    ],
                ],
                // The row with the bad date still states its amount: 20.00 rejected.
                totals: ("USD", ["60.00", "40.00", "0.00", "20.00", "0.00"]),
                counts: [3, 1, 2, 0, 0],
            },
        },
        Case {
            name: "an unterminated quote",
            files: vec![("quote.csv", csv(&after_quote))],
            invoices: "quote.csv",
            args: vec![],
            expect: Expect::Error(
                "quote.csv, row 3: cannot read the file: a quote (\") opens a cell on line 3 and is never closed, \
                 so the 1000 lines after it would be read as one cell; close the quote or remove it",
            ),
        },
        Case {
            name: "a GBK line in a UTF-8 file",
            files: vec![("mixed.csv", mixed)],
            invoices: "mixed.csv",
            args: vec![],
            expect: Expect::Error(
                "mixed.csv, row 3: cannot read the file: the file mixes encodings: line 3 is not UTF-8 (it reads as \
                 GB18030/GBK: \"华为,INV-2,2026-01-01,2026-01-31,CNY,200.0…\") while line 2 is UTF-8 \
                 (\"腾讯,INV-1,2026-01-01,2026-01-31,CNY,100.0…\"); save the export again in one encoding \
                 (\"CSV UTF-8\"), or name it with --encoding",
            ),
        },
        Case {
            name: "a customer whose name starts with Total, without an invoice number",
            files: vec![(
                "total.csv",
                csv("ACME,INV-1,2026-01-01,2026-01-31,USD,100.00\nACME,INV-2,2026-01-01,2026-01-31,USD,50.00\n\
                     Total ACME,,,,,150.00\nTotal Energies,,,,USD,500.00\n"),
            )],
            invoices: "total.csv",
            args: vec![],
            // "Total ACME" follows ACME's rows: a subtotal, skipped. "Total Energies" is
            // no one's total: read, rejected without a number, its 500.00 in the totals.
            expect: Expect::Rejected {
                rows: vec![[
                    "5",
                    "Invoice No",
                    "",
                    "Invoice No is empty (a name that reads like a total line; the lines above do not make it a \
                     subtotal); Invoice Date is empty",
                ]],
                totals: ("USD", ["650.00", "150.00", "0.00", "500.00", "0.00"]),
                counts: [3, 2, 1, 0, 0],
            },
        },
        Case {
            name: "an xlsx merged over every column of 3,000 rows",
            files: vec![("merged.xlsx", xlsx(&["A2:XFD3000"], 3000, None))],
            invoices: "merged.xlsx",
            args: vec![],
            expect: Expect::Error(
                "merged.xlsx, sheet \"AR\", row 2: cannot read the file: the merged range A2:XFD3000 reaches column 16384, beyond the \
                 limit of 1000 columns (limits.max_columns in the rules file); unmerge it and save the file again",
            ),
        },
        Case {
            name: "an xlsx merged to column AZZZZZZ",
            files: vec![("far.xlsx", xlsx(&["A2:AZZZZZZ2"], 2, None))],
            invoices: "far.xlsx",
            args: vec![],
            expect: Expect::Error(
                "far.xlsx, sheet \"AR\", row 2: cannot read the file: the merged range A2:AZZZZZZ2 reaches column 630188182, beyond the \
                 limit of 1000 columns (limits.max_columns in the rules file); unmerge it and save the file again",
            ),
        },
        Case {
            name: "an xlsx declaring 2^64-1 shared strings",
            files: vec![(
                "sst.xlsx",
                xlsx(&[], 2, Some("<sst xmlns=\"x\" count=\"1\" uniqueCount=\"18446744073709551615\">")),
            )],
            invoices: "sst.xlsx",
            args: vec![],
            expect: Expect::Error(
                // The part is 104 bytes: room for 20 strings of five bytes (<si/>) at most.
                "sst.xlsx: cannot read the file: the workbook declares 18446744073709551615 shared strings \
                 (xl/sharedStrings.xml), more than its 104 bytes can hold; open it in Excel and save it again",
            ),
        },
        Case {
            // 6,000 rows × 16,384 columns: 98 million cells, under calamine's own cap of 100
            // million, which it builds (7.7 GB) before any limit of payback's applied.
            name: "an ods whose repeated rows and columns make 98 million cells",
            files: vec![(
                "huge.ods",
                ods(&format!(
                    "<table:table-row table:number-rows-repeated=\"6000\">\
                     <table:table-cell table:number-columns-repeated=\"16383\"/>{filled}</table:table-row>"
                )),
            )],
            invoices: "huge.ods",
            args: vec![],
            expect: Expect::Error(
                "huge.ods: cannot read the file: sheet \"AR\" declares (with its repeated rows and columns) 16384 \
                 columns, beyond the limit of 1000 (limits.max_columns in the rules file); nothing of it was read",
            ),
        },
        Case {
            // The header row and 100,000 rows of 900 columns: 100,001 × 900 = 90,000,900.
            name: "an ods within the columns but over the cells",
            files: vec![(
                "tall.ods",
                ods("<table:table-row table:number-rows-repeated=\"100000\">\
                     <table:table-cell table:number-columns-repeated=\"900\" office:value-type=\"float\" office:value=\"1\"/>\
                     </table:table-row>"),
            )],
            invoices: "tall.ods",
            args: vec![],
            expect: Expect::Error(
                "tall.ods: cannot read the file: sheet \"AR\" declares (with its repeated rows and columns) \
                 90000900 cells, beyond the limit of 30000000 (limits.max_cells in the rules file); nothing of it \
                 was read",
            ),
        },
        Case {
            name: "3,000 aging buckets",
            files: vec![
                ("buckets.toml", many_buckets(3000)),
                ("small.csv", csv("ACME,INV-1,2026-01-01,2026-01-31,USD,100.00\n")),
            ],
            invoices: "small.csv",
            args: vec!["--rules", "buckets.toml"],
            expect: Expect::Error(
                "buckets.toml: aging.buckets: 3000 buckets, more than the 50 an aging report can show; merge some of them",
            ),
        },
    ]
}

#[test]
fn hostile_inputs_give_their_error_or_rejected_rows_and_lose_nothing() {
    for case in cases() {
        let ws = Workspace::new();
        for (name, bytes) in &case.files {
            std::fs::write(ws.path().join(name), bytes).unwrap();
        }
        let mut args =
            vec!["run", "--invoices", case.invoices, "--as-of", "2026-03-31", "--out", "out", "--state", "state"];
        args.extend(&case.args);
        let (code, stderr) = capped(ws.path(), &args);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        match &case.expect {
            Expect::Error(line) => {
                assert_eq!(code, 2, "{}: {stderr}", case.name);
                assert_eq!(stderr.trim_end(), format!("error: {line}"), "{}", case.name);
                assert!(!ws.out().exists(), "{}: nothing is written", case.name);
                // `check` says the same.
                let mut check = args.clone();
                check[0] = "check";
                check.retain(|a| !["--out", "out", "--state", "state", "--as-of", "2026-03-31"].contains(a));
                let (code, stderr) = capped(ws.path(), &check);
                assert_eq!((code, stderr.trim_end()), (2, format!("error: {line}").as_str()), "{} (check)", case.name);
            }
            Expect::Rejected { rows, totals, counts } => {
                assert_eq!(code, 1, "{}: {stderr}", case.name);
                let sheet = read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
                let got: Vec<[&str; 4]> =
                    sheet[1..].iter().map(|r| [r[1].as_str(), r[2].as_str(), r[3].as_str(), r[4].as_str()]).collect();
                assert_eq!(&got, rows, "{}", case.name);
                assert!(sheet[1..].iter().all(|r| r[0].ends_with(case.invoices)), "{}", case.name);
                let summary = read_summary(&ws.out());
                let input = &summary.inputs[0];
                assert_eq!(input.amounts[totals.0].figures(), totals.1, "{}", case.name);
                assert_eq!(input.rows.figures(), *counts, "{}", case.name);
            }
        }
    }
}

/// `[limits]` moves the bounds: a larger amount and an older date are read when allowed.
#[test]
fn the_value_limits_are_set_in_the_rules_file() {
    let ws = Workspace::new();
    ws.write(
        "limits.toml",
        "[limits]\nmax_rows = 2000000\nmax_columns = 1000\nmax_cells = 30000000\nmax_unpacked_mib = 2048\n\
         max_amount = 1000000000000000\nmin_date = \"1900-01-01\"\nmax_date = \"2100-12-31\"\n",
    );
    ws.write("big.csv", &format!("{HEADER}ACME,INV-1,1985-01-01,1985-01-31,USD,\"50,000,000,000,000.00\"\n"));
    let args = [
        "run",
        "--rules",
        "limits.toml",
        "--invoices",
        "big.csv",
        "--as-of",
        "2026-03-31",
        "--out",
        "out",
        "--state",
        "state",
    ];
    let (code, stderr) = capped(ws.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    let summary = read_summary(&ws.out());
    assert_eq!(
        summary.inputs[0].amounts["USD"].figures(),
        ["50000000000000.00", "50000000000000.00", "0.00", "0.00", "0.00"]
    );
    // A ceiling above 10^15 is refused at load.
    ws.write("wild.toml", "[limits]\nmax_amount = 1000000000000000000\n");
    let (code, stderr) = capped(ws.path(), &["check", "--rules", "wild.toml", "--invoices", "big.csv"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("limits.max_amount = 1000000000000000000 must be between 1 and 1000000000000000"),
        "{stderr}"
    );
}
