//! Issue 23's "done when": the sample run in Chinese — three monthly runs, September's and
//! October's messages sent to a local SMTP server, so that November's workbook has a
//! history, escalations and a roll-forward — holds no stage id and no English words on any
//! sheet nor in any Chinese email. What may stay ASCII: amounts, dates, invoice numbers,
//! the data's own names and words (customers, projects, people, notes, references),
//! email addresses, file names, currency codes and a few acronyms a Chinese finance team
//! writes itself (DSO, CEI, SWIFT).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::email::{Server, parse};
use crate::util::{read_sheet, sheet_names};

/// Every stage, hold and task id of the built-in rules and the engine.
const IDS: [&str; 21] = [
    "reminder_before_due",
    "due_notice",
    "overdue_notice",
    "escalate_to_approver",
    "demand_letter",
    "legal_review",
    "milestone_request",
    "approval_status_report",
    "thank_you",
    "issue_invoice",
    "fix_first",
    "disputed",
    "promise_to_pay",
    "critical_issues",
    "cadence",
    "unapplied_cash_pending",
    "scheduled",
    "in_legal",
    "below_threshold",
    "covered_by_credits",
    "never_sent",
];

/// ASCII words a Chinese reader is given on purpose.
const ACRONYMS: [&str; 6] = ["DSO", "CEI", "SWIFT", "README", "Metrics", "payback"];

/// `payback ARGS` in `dir`; the exit code.
fn payback_in(dir: &Path, args: &[&str]) -> i32 {
    let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("payback"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.status.code().unwrap_or(2)
}

/// The whole cell values of the sample's inputs and our company's details: what the data
/// says in its own words.
fn data_words(books: &Path) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for file in ["contacts.csv", "projects.csv", "followups.csv", "milestones.csv", "payments.csv"] {
        let mut reader = csv::Reader::from_path(books.join("sample-data").join(file)).unwrap();
        for record in reader.records() {
            words.extend(record.unwrap().iter().map(str::to_owned));
        }
    }
    let invoices = books.join("sample-data/invoices.xlsx");
    for sheet in sheet_names(&invoices) {
        for row in read_sheet(&invoices, &sheet) {
            words.extend(row);
        }
        words.push(sheet);
    }
    // Our company's own details (the SWIFT code, the tax id) from payback.toml.
    let toml: toml::Table = std::fs::read_to_string(books.join("payback.toml")).unwrap().parse().unwrap();
    let mut tables = vec![toml];
    while let Some(table) = tables.pop() {
        for value in table.into_iter().map(|(_, v)| v) {
            match value {
                toml::Value::String(s) => words.push(s),
                toml::Value::Table(t) => tables.push(t),
                _ => {}
            }
        }
    }
    words.retain(|w| w.chars().any(|c| c.is_ascii_alphabetic()));
    // Longest first: "Hooli Cloud Services" before "Hooli Cloud Svcs".
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    words
}

/// What is left of `text` once the data's words, quotations, addresses, file names and
/// invoice numbers are taken out: the words payback wrote.
fn payback_words(text: &str, data: &[String]) -> String {
    let mut text = text.to_owned();
    for word in data {
        text = text.replace(word.as_str(), " ");
    }
    // A quotation is the quoted text's own words: a subject sent to an English customer,
    // a sheet's name in the export.
    for (open, close) in [('“', '”'), ('"', '"')] {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(open) {
            out.push_str(&rest[..start]);
            let after = &rest[start + open.len_utf8()..];
            if let Some(end) = after.find(close) {
                rest = &after[end + close.len_utf8()..];
            } else {
                out.push(open);
                rest = after;
            }
        }
        out.push_str(rest);
        text = out;
    }
    text.split(|c: char| c.is_whitespace() || "，。：；、（）【】()·,:;<>「」".contains(c))
        .filter(|t| !t.contains('@') && !t.contains(".xlsx") && !t.contains(".toml") && !t.contains('/'))
        // Invoice and credit-note numbers: INV-CN-0001, CN-0014.
        .filter(|t| !(t.contains('-') && t.chars().any(|c| c.is_ascii_digit()) && !t.contains('_')))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The problems of one text: stage ids, and English words that are not the data's.
fn problems(place: &str, text: &str, data: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for id in IDS {
        if text.contains(id) {
            out.push(format!("{place}: stage id {id} in {text:?}"));
        }
    }
    let own = payback_words(text, data);
    for word in own.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 3) {
        if !ACRONYMS.contains(&word) && !["CNY", "USD", "EUR"].contains(&word) {
            out.push(format!("{place}: English word {word:?} in {text:?}"));
        }
    }
    out
}

/// Every text of the workbook: (sheet!row,column, text).
fn workbook_texts(book: &Path) -> Vec<(String, String)> {
    let mut out = vec![("sheet names".to_owned(), sheet_names(book).join(" "))];
    for sheet in sheet_names(book) {
        for (r, row) in read_sheet(book, &sheet).into_iter().enumerate() {
            for (c, cell) in row.into_iter().enumerate() {
                if !cell.is_empty() {
                    out.push((format!("{sheet}!{}{}", char::from(b'A' + u8::try_from(c % 26).unwrap()), r + 1), cell));
                }
            }
        }
    }
    out
}

/// The customers' emails written in Chinese (their first recipient's language is zh)
/// and every internal message (the company's language, zh): (file, subject and text).
fn chinese_emails(books: &Path) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(books.join("sample-data/contacts.csv")).unwrap();
    let language: BTreeMap<String, String> =
        reader.records().map(|r| r.unwrap()).map(|r| (r[3].to_owned(), r[4].to_owned())).collect();
    let mut files: Vec<PathBuf> = Vec::new();
    for folder in ["out/emails", "out/internal"] {
        for entry in std::fs::read_dir(books.join(folder)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.sort();
    parse(&files)
        .into_iter()
        .filter(|p| {
            p.file.contains("internal")
                || p.to_addresses.first().and_then(|a| language.get(a)).is_some_and(|l| l == "zh")
        })
        .map(|p| (p.file.clone(), format!("{}\n{}", p.subject, p.plain.unwrap_or_default())))
        .collect()
}

#[test]
fn the_chinese_sample_shows_no_stage_id_or_english_word() {
    let ws = crate::util::Workspace::new();
    ws.payback().args(["init", "books", "--language", "zh"]).status(0);
    let books = ws.path().join("books");
    let server = Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    for as_of in ["2026-09-30", "2026-10-31"] {
        payback_in(&books, &["run", "--as-of", as_of, "--quiet"]);
        payback_in(&books, &["send", "out", "--smtp", &smtp, "--yes"]);
    }
    assert_eq!(payback_in(&books, &["run", "--as-of", "2026-11-30", "--quiet"]), 0);
    let data = data_words(&books);
    let book = books.join("out/aging-report.xlsx");
    let texts = workbook_texts(&book);
    let emails = chinese_emails(&books);
    // What the scan covers: every sheet, the history of what was sent, the escalated
    // stages, the letters of each kind and the internal messages.
    let history = texts.iter().filter(|(place, _)| place.starts_with("往来记录!")).count();
    assert!(history > 100, "{history} history cells");
    let stages: std::collections::BTreeSet<&str> =
        texts.iter().filter(|(place, _)| place.starts_with("催收行动!D")).map(|(_, t)| t.as_str()).collect();
    for name in ["催款函", "审批进度报告", "先解决问题", "开具发票", "收款致谢"] {
        assert!(stages.contains(name), "no {name} on the Actions sheet: {stages:?}");
    }
    for kind in ["demand_letter", "approval_status_report", "milestone_request", "pm_digest", "management_summary"] {
        assert!(emails.iter().any(|(file, _)| file.contains(kind)), "no Chinese {kind} email");
    }
    let mut found: Vec<String> = Vec::new();
    for (place, text) in texts.iter().chain(&emails) {
        found.extend(problems(place, text, &data));
    }
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    let data = vec!["Acme Engineering GmbH".to_owned()];
    // Main's Reason column before issue 23's catalogue of reasons.
    let before = "INV-CN-0033, INV-CN-0032: 310 days past due; stage overdue_notice";
    let found = problems("催收行动!J4", before, &data);
    assert!(found.iter().any(|p| p.contains("stage id overdue_notice")), "{found:?}");
    assert!(found.iter().any(|p| p.contains("\"days\"")), "{found:?}");
    // Names, numbers, addresses, quotations and acronyms are not English labels.
    let after = "Acme Engineering GmbH：INV-US-0221、CN-0023 逾期 35 天，ap@c22.example.com，“Overdue: 4 invoices” DSO 256.4 天";
    assert_eq!(problems("x", after, &data), Vec::<String>::new());
}

/// The company `payback init` writes is an example, there so that the sample runs: `check`
/// says so, and `send --yes` refuses to hand its letters (an example company, an example
/// bank account) to a mail server that is not on this machine (issue 23).
#[test]
fn the_example_company_is_said_at_check_and_never_sent_for_real() {
    let ws = crate::util::Workspace::new();
    ws.payback().args(["init", "books", "--language", "zh"]).status(0);
    let books = ws.path().join("books");
    let run = |args: &[&str]| {
        assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("payback"))
            .args(args)
            .current_dir(&books)
            .output()
            .unwrap()
    };
    let check = run(&["check"]);
    assert_eq!(check.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.starts_with(
            "warning: the company details are still payback's example ([company] name, email, bank.account, \
             [company.zh] name, tax_id): letters would sign as an example company and ask customers to pay into an \
             example account; put your own under [company] and [company.zh] in payback.toml before sending\n"
        ),
        "{stdout}"
    );
    assert_eq!(run(&["run", "--as-of", "2026-11-30", "--quiet"]).status.code(), Some(0));
    let send = run(&["send", "out", "--smtp", "smtp.example.com:587", "--yes"]);
    assert_eq!(send.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&send.stderr);
    assert!(stderr.contains("the sender ar@yourcompany.example is payback's example"), "{stderr}");
    // Nothing was attempted: a dry run still lists every message as not sent.
    let listed = run(&["send", "out", "--smtp", "127.0.0.1:1"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("0 sent now, 0 sent before (skipped), 38 not sent"), "{listed}");
    // The user's own details end the warning.
    let toml = std::fs::read_to_string(books.join("payback.toml")).unwrap();
    let own = toml
        .replace("Your Company Ltd", "Lanting Systems Ltd")
        .replace("ar@yourcompany.example", "ar@lanting.example.com")
        .replace("4563 5100 0123 4567 890", "6222 0210 0000 1234 567")
        .replace("示例科技（上海）有限公司", "兰亭系统（上海）有限公司")
        .replace("91310115MA1K4XXX0Y", "91310115MA1K4ABC1D");
    std::fs::write(books.join("payback.toml"), own).unwrap();
    let check = run(&["check"]);
    assert!(!String::from_utf8_lossy(&check.stdout).contains("example"), "{}", String::from_utf8_lossy(&check.stdout));
}

/// The sample's contacts have titles: letters greet "陈总，您好：" and "Dear Ms. Morgan,"
/// (issue 23), never a name or an address.
#[test]
fn the_sample_letters_greet_people_by_title() {
    let ws = crate::util::Workspace::new();
    ws.payback().args(["init", "books"]).status(0);
    let books = ws.path().join("books");
    assert_eq!(payback_in(&books, &["run", "--as-of", "2026-11-30", "--quiet"]), 0);
    let emails = books.join("out/emails");
    let file = |name: &str| emails.join(name);
    let parsed = parse(&[
        file("018-overdue_notice-中国建筑第八工程局有限公司.eml"),
        file("017-approval_status_report-上海建工集团股份有限公司.eml"),
        file("002-overdue_notice-Contoso-Pharmaceuticals.eml"),
    ]);
    let first_line = |i: usize| parsed[i].plain.as_deref().unwrap().lines().next().unwrap().to_owned();
    assert_eq!(first_line(0), "陈总，您好：");
    // The approver named in the follow-ups (赵建国) is greeted by title.
    assert_eq!(first_line(1), "赵总，您好：");
    assert_eq!(first_line(2), "Dear Ms. Morgan,");
}

/// A letter says only what is true on its date: in October the sample's "Plant digital
/// twin" (live on 2026-11-25) has not gone live, so October's escalation to Acme's
/// approver does not say "live since Nov 25, 2026" (seen on the screenshot, issue 23);
/// November's milestone request does.
#[test]
fn a_letter_never_says_live_since_a_day_still_to_come() {
    let ws = crate::util::Workspace::new();
    ws.payback().args(["init", "books", "--language", "en"]).status(0);
    let books = ws.path().join("books");
    let server = Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    payback_in(&books, &["run", "--as-of", "2026-09-30", "--quiet"]);
    payback_in(&books, &["send", "out", "--smtp", &smtp, "--yes"]);
    payback_in(&books, &["run", "--as-of", "2026-10-31", "--quiet"]);
    let october = parse(&[books.join("out/emails/001-escalate_to_approver-Acme-Engineering-GmbH.eml")]);
    let text = october[0].plain.as_deref().unwrap();
    assert!(text.contains("Despite our reminder of Sep 30, 2026"), "{text}");
    assert!(!text.contains("live since"), "{text}");
    payback_in(&books, &["send", "out", "--smtp", &smtp, "--yes"]);
    payback_in(&books, &["run", "--as-of", "2026-11-30", "--quiet"]);
    let november = parse(&[books.join("out/emails/001-milestone_request-Acme-Engineering-GmbH.eml")]);
    let text = november[0].plain.as_deref().unwrap();
    assert!(text.contains("Plant digital twin went live on Nov 25, 2026"), "{text}");
}
