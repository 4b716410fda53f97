//! The state database `state/payback.db`: its schema from an empty folder, the import of a
//! JSON-lines state folder made by the last release, kill loops over `run` and `send` (a
//! real SMTP server on 127.0.0.1) after which outputs and database agree, the case
//! timeline of an account over three runs, and a damaged database.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use rusqlite::Connection;

use crate::email::{Server, parse};
use crate::util::{Workspace, fixture, repo};

fn db(state: &Path) -> Connection {
    Connection::open(state.join("payback.db")).unwrap()
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

/// The kill loops' length: 20 by default, `PAYBACK_KILL_LOOPS` for a longer one.
fn loops() -> usize {
    std::env::var("PAYBACK_KILL_LOOPS").ok().and_then(|v| v.parse().ok()).unwrap_or(20)
}

const CONTACTS: &str = "customer,name,role,email,language
ACME,Amy Bill,billing,amy@acme.example,en
ACME,Fred Fin,finance,fred@acme.example,en
ACME,Gina Boss,approver,gina@acme.example,en
Beta,Bea Pay,billing,bea@beta.example,en
";

fn small(ws: &Workspace, as_of: &str, extra: &[&str], code: i32) -> crate::util::Finished {
    ws.payback()
        .args(["run", "--as-of", as_of, "--invoices", "invoices.csv", "--contacts", "contacts.csv"])
        .args(extra)
        .status(code)
}

#[test]
fn an_empty_state_folder_gets_the_schema_at_version_1() {
    let ws = Workspace::new();
    ws.write("contacts.csv", CONTACTS);
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\nACME,INV-1,2026-09-01,2026-10-01,1000.00,CNY\n",
    );
    small(&ws, "2026-10-31", &[], 0);
    let conn = db(&ws.path().join("state"));
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 1);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(
        strings(&conn, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
        ["decisions", "deliveries", "followups_seen", "item_events", "open_items", "payments_matched", "runs", "trend"]
    );
    assert_eq!(strings(&conn, "SELECT as_of || ' ' || status FROM runs"), ["2026-10-31 published"]);
    // INV-1 is 30 days overdue: one message, prepared, no delivery yet.
    assert_eq!(
        strings(&conn, "SELECT kind || ' ' || customer || ' ' || amount FROM decisions"),
        ["message ACME 1000.00"]
    );
    assert_eq!(strings(&conn, "SELECT COUNT(*) || '' FROM deliveries"), ["0"]);
    assert_eq!(strings(&conn, "SELECT invoice_no || ' ' || open_minor FROM open_items"), ["INV-1 100000"]);
    assert_eq!(strings(&conn, "SELECT event || ' ' || invoice_no FROM item_events"), ["opened INV-1"]);
    // The schema a person reads is the one applied.
    let schema = ws.payback().args(["db", "schema"]).status(0).stdout;
    assert!(schema.starts_with("-- version 1 (PRAGMA user_version = 1)\n"), "{schema}");
    assert!(schema.contains("CREATE TABLE deliveries ("), "{schema}");
    let check = ws.payback().args(["db", "check"]).status(0).stdout;
    assert!(
        check.starts_with(
            "state/payback.db: ok (schema version 1), 1 runs, 1 decisions, 0 messages sent; last run as of 2026-10-31"
        ),
        "{check}"
    );
    // A backup with SQLite's online backup opens as the same database.
    ws.payback().args(["db", "backup", "copy.db"]).status(0);
    let copy = Connection::open(ws.path().join("copy.db")).unwrap();
    assert_eq!(strings(&copy, "SELECT as_of FROM runs"), ["2026-10-31"]);
}

#[test]
fn a_json_lines_state_of_the_last_release_is_imported_once() {
    let ws = Workspace::new();
    let source = fixture("state-jsonl");
    std::fs::create_dir_all(ws.path().join("state")).unwrap();
    for name in ["invoices.csv", "contacts.csv"] {
        std::fs::copy(source.join(name), ws.path().join(name)).unwrap();
    }
    let old: Vec<String> = std::fs::read_dir(source.join("state"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for name in &old {
        std::fs::copy(source.join("state").join(name), ws.path().join("state").join(name)).unwrap();
    }
    assert_eq!(old, ["collection-log.jsonl", "open-items-2026-10-31.csv", "open-items-2026-11-30.csv", "trend.jsonl"]);
    let done = small(&ws, "2026-12-31", &[], 0);
    // One message on stderr names what was imported and where the old files went.
    let note =
        done.stderr.lines().find(|l| l.contains("imported the state")).unwrap_or_else(|| panic!("{}", done.stderr));
    assert!(
        note.starts_with(
            "warning: imported the state of an earlier payback into state/payback.db: 4 log entries, 2 trend snapshots, 6 open items; the old files (collection-log.jsonl, trend.jsonl, open-items-2026-10-31.csv, open-items-2026-11-30.csv) are kept in state/jsonl-backup-"
        ),
        "{note}"
    );
    let backup: Vec<_> = std::fs::read_dir(ws.path().join("state"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("jsonl-backup-"))
        .collect();
    assert_eq!(backup.len(), 1);
    for name in &old {
        assert_eq!(
            std::fs::read(backup[0].join(name)).unwrap(),
            std::fs::read(source.join("state").join(name)).unwrap(),
            "{name} kept as it was"
        );
        assert!(!ws.path().join("state").join(name).exists());
    }
    let conn = db(&ws.path().join("state"));
    assert_eq!(
        strings(&conn, "SELECT as_of || ' ' || status FROM runs ORDER BY id"),
        ["2026-10-31 imported", "2026-11-30 imported", "2026-12-31 published"]
    );
    // The old log's 4 entries, as prepared (the old release did not record sending).
    assert_eq!(
        strings(
            &conn,
            "SELECT r.as_of || ' ' || d.customer || ' ' || d.stage FROM decisions d JOIN runs r ON r.id = d.run_id
             WHERE r.status = 'imported' ORDER BY d.id"
        ),
        [
            "2026-10-31 ACME escalate_to_approver",
            "2026-10-31 Beta demand_letter",
            "2026-11-30 ACME demand_letter",
            "2026-11-30 Beta legal_review"
        ]
    );
    // The roll-forward of December compares with November's imported open items: the same
    // three items (1,000.00 + 250.50 + 400.00 = 1,650.50 CNY), nothing left unexplained;
    // the trend's beginning AR is November's open 1,650.50.
    let summary = crate::util::read_summary(&ws.out());
    let cny = &summary.currencies["CNY"].metrics;
    assert_eq!((cny.beginning_ar.as_str(), cny.not_explained.as_str()), ("1650.50", "0.00"));
    // Only December's and November's open items are kept.
    assert_eq!(
        strings(&conn, "SELECT DISTINCT r.as_of FROM open_items o JOIN runs r ON r.id = o.run_id ORDER BY 1"),
        ["2026-11-30", "2026-12-31"]
    );
    // A second run imports nothing again.
    let again = small(&ws, "2026-12-31", &[], 0);
    assert!(!again.stderr.contains("imported"), "{}", again.stderr);
    assert_eq!(strings(&conn, "SELECT COUNT(*) || '' FROM runs WHERE status = 'imported'"), ["2"]);
}

fn sample_args(as_of: &str) -> Vec<String> {
    let data = repo().join("sample-data");
    let mut args: Vec<String> = ["run", "--as-of", as_of].map(String::from).to_vec();
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

/// The Message-IDs of the customer emails in `out/outbox.csv`.
fn outbox_ids(out: &Path) -> BTreeSet<String> {
    let mut reader = csv::Reader::from_path(out.join("outbox.csv")).unwrap();
    reader.records().map(Result::unwrap).filter(|r| r[1].starts_with("emails/")).map(|r| r[9].to_owned()).collect()
}

#[test]
fn a_run_killed_at_any_moment_leaves_outputs_and_database_agreeing() {
    let ws = Workspace::new();
    let binary = assert_cmd::cargo::cargo_bin!("payback");
    let dates = ["2026-10-31", "2026-11-30"];
    let mut rng = fastrand::Rng::with_seed(24);
    // How long a whole run takes on this machine and build: the kills fall anywhere in it
    // (a fixed range missed the runs once the debug build's dependencies were optimised).
    let started = std::time::Instant::now();
    ws.payback().args(sample_args(dates[1])).status(0);
    let whole = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX).max(40);
    let mut killed = 0;
    for round in 0..loops() {
        let date = dates[round % 2];
        let mut child = Command::new(binary)
            .args(sample_args(date))
            .current_dir(ws.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(whole / 20..whole + whole / 10)));
        let _ = child.kill();
        if child.wait().unwrap().code().is_none() {
            killed += 1;
        }
        // Opening the database as a run does completes or discards a run left pending.
        ws.payback().args(["db", "check"]).status(0);
        let conn = db(&ws.path().join("state"));
        assert_eq!(strings(&conn, "SELECT COUNT(*) || '' FROM runs WHERE status = 'pending'"), ["0"]);
        let last: Vec<String> =
            strings(&conn, "SELECT id || ' ' || as_of FROM runs WHERE status = 'published' ORDER BY id DESC LIMIT 1");
        let out = ws.path().join("out");
        if !out.exists() {
            assert!(last.is_empty(), "round {round}: a run is recorded, no outputs");
            continue;
        }
        let (id, as_of) = last[0].split_once(' ').unwrap();
        let summary = crate::util::read_summary(&out);
        assert_eq!(summary.as_of, as_of, "round {round}: out/ is of another run than the database's last");
        let recorded: BTreeSet<String> = strings(
            &conn,
            &format!("SELECT message_id FROM decisions WHERE run_id = {id} AND kind = 'message' ORDER BY 1"),
        )
        .into_iter()
        .collect();
        assert_eq!(recorded, outbox_ids(&out), "round {round}: the emails published are the ones recorded");
        // Exactly one counted run per as-of date.
        let per_date = strings(&conn, "SELECT COUNT(*) || '' FROM runs WHERE status = 'published' GROUP BY as_of");
        assert!(per_date.iter().all(|n| n == "1"), "round {round}: {per_date:?}");
    }
    assert!(killed > 3, "the loop should interrupt runs, it interrupted {killed}");
    let leftovers: Vec<String> = std::fs::read_dir(ws.path())
        .unwrap()
        .chain(std::fs::read_dir(ws.path().join("state")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("payback-new") || Path::new(n).extension().is_some_and(|e| e == "tmp"))
        .collect();
    // A later run cleans the staging folders killed runs left beside out/.
    // Exit code 0: the sample's bad rows are in invoices-bad-rows.xlsx now (h-zh).
    ws.payback().args(sample_args("2026-11-30")).status(0);
    let after: Vec<String> = std::fs::read_dir(ws.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("payback-new"))
        .collect();
    assert!(after.is_empty(), "{after:?} (before the last run: {leftovers:?})");
}

/// The Message-IDs the server received, with how many times each.
fn received_ids(server: &Server) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    let files = server.received();
    if files.is_empty() {
        return ids;
    }
    for p in parse(&files) {
        *ids.entry(p.message_id).or_default() += 1;
    }
    ids
}

#[test]
fn a_send_killed_at_any_moment_never_marks_unreceived_mail_sent_nor_sends_twice() {
    let ws = Workspace::new();
    let server = Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    let binary = assert_cmd::cargo::cargo_bin!("payback");
    let mut rng = fastrand::Rng::with_seed(21);
    let mut in_doubt_before = 0;
    for round in 0..loops() {
        // Every 15 kills a new run (a week later: new messages, new Message-IDs), so that a
        // long loop keeps interrupting sends instead of finding everything sent.
        if round % 15 == 0 {
            let as_of =
                chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() + chrono::Days::new(7 * (round as u64 / 15));
            // Exit code 0: the sample's bad rows are in invoices-bad-rows.xlsx now (h-zh).
            ws.payback().args(sample_args(&as_of.to_string())).status(0);
            if round > 0 {
                let conn = db(&ws.path().join("state"));
                in_doubt_before =
                    strings(&conn, "SELECT DISTINCT message_id FROM deliveries WHERE result = 'in_doubt'").len();
            }
        }
        let mut child = Command::new(binary)
            .args(["send", "out", "--smtp", &smtp, "--yes"])
            .current_dir(ws.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(20..300)));
        let _ = child.kill();
        let _ = child.wait();
        let received = received_ids(&server);
        let conn = db(&ws.path().join("state"));
        let sent: BTreeSet<String> =
            strings(&conn, "SELECT DISTINCT message_id FROM deliveries WHERE result = 'sent'").into_iter().collect();
        // Nothing is marked sent that the server did not receive.
        let missing: Vec<&String> = sent.iter().filter(|id| !received.contains_key(*id)).collect();
        assert!(missing.is_empty(), "round {round}: marked sent, never received: {missing:?}");
        // At most once: no Message-ID arrived twice.
        let twice: Vec<(&String, &usize)> = received.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "round {round}: received twice: {twice:?}");
    }
    // A send to the end: everything not in doubt goes out; the ones in doubt of this outbox
    // are held and listed for a person, each by file and Message-ID.
    let done = ws.payback().args(["send", "out", "--smtp", &smtp, "--yes"]).timeout(120).run();
    let conn = db(&ws.path().join("state"));
    let outbox = every_outbox_id(&ws.out());
    let in_doubt: Vec<String> = strings(
        &conn,
        "SELECT DISTINCT message_id FROM deliveries d WHERE result = 'in_doubt'
         AND NOT EXISTS (SELECT 1 FROM deliveries s WHERE s.message_id = d.message_id AND s.result = 'sent')",
    )
    .into_iter()
    .filter(|id| outbox.contains(id))
    .collect();
    for id in &in_doubt {
        assert!(done.stdout.contains(id.as_str()), "{id} in doubt, not listed:\n{}", done.stdout);
    }
    assert_eq!(done.code, i32::from(!in_doubt.is_empty()), "{}", done.stdout);
    let received = received_ids(&server);
    assert!(received.values().all(|n| *n == 1), "{received:?}");
    // Each message of the outbox (23 emails, 6 internal in the first week's) either received
    // once, or in doubt.
    let missing: Vec<&String> =
        outbox.iter().filter(|id| !received.contains_key(*id) && !in_doubt.contains(*id)).collect();
    assert!(missing.is_empty(), "neither received nor in doubt: {missing:?}");
    // A person checks the mailbox: the ones that arrived are recorded as sent, the others
    // resent; then every message arrived exactly once.
    let arrived: Vec<&String> = in_doubt.iter().filter(|id| received.contains_key(*id)).collect();
    if !arrived.is_empty() {
        let done = ws.payback().args(["send", "out", "--smtp", &smtp, "--mark-sent"]).args(&arrived).run();
        assert_eq!(done.stdout.matches("recorded as sent (by you) ").count(), arrived.len(), "{}", done.stdout);
    }
    let done = ws.payback().args(["send", "out", "--smtp", &smtp, "--yes", "--resend-in-doubt"]).status(0);
    assert!(done.stdout.trim_end().ends_with(" 0 in doubt, 0 kept back"), "{}", done.stdout);
    let received = received_ids(&server);
    assert!(outbox.iter().all(|id| received.get(id) == Some(&1)), "{received:?}");
    assert!(received.values().all(|n| *n == 1), "{received:?}");
    let all_in_doubt = strings(&conn, "SELECT DISTINCT message_id FROM deliveries WHERE result = 'in_doubt'");
    let had_arrived = all_in_doubt.iter().filter(|id| received.contains_key(*id)).count();
    eprintln!(
        "send kill loop: {} kills, {} messages in doubt over the loop ({in_doubt_before} before the last run), {had_arrived} of them had arrived before the kill",
        loops(),
        all_in_doubt.len(),
    );
}

/// The Message-IDs of every message in `out/outbox.csv`.
fn every_outbox_id(out: &Path) -> BTreeSet<String> {
    let mut reader = csv::Reader::from_path(out.join("outbox.csv")).unwrap();
    reader.records().map(|r| r.unwrap()[9].to_owned()).collect()
}

#[test]
fn history_of_an_account_over_three_runs_with_a_send_a_promise_and_a_payment() {
    let ws = Workspace::new();
    ws.write("contacts.csv", CONTACTS);
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\n\
         ACME,INV-1,2026-09-01,2026-10-01,1000.00,CNY\n\
         ACME,INV-2,2026-10-05,2026-11-04,250.50,CNY\n",
    );
    // October: INV-1 30 days overdue, INV-2 not due; one message, sent.
    small(&ws, "2026-10-31", &[], 0);
    let actions: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.out().join("actions.json")).unwrap()).unwrap();
    let stage = actions[0]["stage"].as_str().unwrap().to_owned();
    let amount = actions[0]["amount"].as_str().unwrap().to_owned();
    let server = Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    ws.payback().args(["send", "out", "--smtp", &smtp, "--yes"]).status(0);
    // November: ACME promises INV-2 by 2026-12-15.
    ws.write(
        "followups.csv",
        "customer,invoice_no,disputed,promise_to_pay_date,last_contact_date,note\nACME,INV-2,,2026-12-15,,called Amy\n",
    );
    small(&ws, "2026-11-30", &["--followups", "followups.csv"], 0);
    // December: 1,000.00 received on 2026-12-20 with reference INV-1 settles it.
    ws.write("payments.csv", "payment_date,payer,amount,currency,reference\n2026-12-20,ACME,1000.00,CNY,INV-1\n");
    small(&ws, "2026-12-31", &["--followups", "followups.csv", "--payments", "payments.csv"], 0);
    let done = ws.payback().args(["history", "acme", "--json"]).status(0);
    let events: Vec<serde_json::Value> = serde_json::from_str(&done.stdout).unwrap();
    let kept: Vec<(String, String, String, String)> = events
        .iter()
        .filter(|e| ["opened", "closed", "promise", "payment"].contains(&e["event"].as_str().unwrap()))
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_owned();
            (text("when"), text("event"), e["invoice_nos"].to_string(), text("amount"))
        })
        .collect();
    let row = |w: &str, ev: &str, nos: &str, amt: &str| (w.to_owned(), ev.to_owned(), nos.to_owned(), amt.to_owned());
    // INV-1 1,000.00 and INV-2 250.50 first seen open in October; the promise first seen in
    // November; the payment on its date; INV-1 no longer open in December (1,000.00 last seen).
    assert_eq!(
        kept,
        [
            row("2026-10-31", "opened", "[\"INV-1\"]", "1000.00"),
            row("2026-10-31", "opened", "[\"INV-2\"]", "250.50"),
            row("2026-11-30", "promise", "[\"INV-2\"]", ""),
            row("2026-12-20", "payment", "[\"INV-1\"]", "1000.00"),
            row("2026-12-31", "closed", "[\"INV-1\"]", "1000.00"),
        ]
    );
    // The one message sent: October's, at the time of sending (the clock's, a UTC time).
    let sent: Vec<&serde_json::Value> = events.iter().filter(|e| e["event"] == "sent").collect();
    assert_eq!(sent.len(), 1, "{events:?}");
    assert_eq!(
        (&sent[0]["invoice_nos"], sent[0]["amount"].as_str().unwrap()),
        (&actions[0]["invoice_nos"], amount.as_str())
    );
    let when = sent[0]["when"].as_str().unwrap();
    assert!(when.len() == 20 && when.ends_with('Z') && when.as_bytes()[10] == b'T', "{when}");
    // December's workbook: the History sheet lists what happened to ACME (an action this
    // run) in the runs before it.
    let sheet = crate::util::read_sheet(&ws.out().join("aging-report.xlsx"), "History");
    assert_eq!(sheet[0][..6], ["Customer", "Currency", "When", "Event", "Invoices", "Amount"]);
    let rows: Vec<Vec<&str>> = sheet
        .iter()
        .filter(|r| ["opened", "promise"].contains(&r[3].as_str()))
        .map(|r| r[..6].iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["ACME", "CNY", "2026-10-31", "opened", "INV-1", "1000"],
            ["ACME", "CNY", "2026-10-31", "opened", "INV-2", "250.5"],
            ["ACME", "", "2026-11-30", "promise", "INV-2", ""],
        ]
    );
    let text = ws.payback().args(["history", "ACME"]).status(0).stdout;
    assert!(text.contains(&format!("ACME CNY: {stage} sent: \"")), "{text}");
    assert!(text.contains("2026-11-30  promise    ACME: promise to pay INV-2 by 2026-12-15 (first seen by the run of 2026-11-30): called Amy"), "{text}");
    assert!(text.contains("2026-12-20  payment    ACME CNY: payment from ACME, reference \"INV-1\": 1000.00 applied to INV-1 (settled)"), "{text}");
    // November's and December's messages were prepared, not sent: the timeline says so.
    let unsent = events.iter().filter(|e| e["event"] == "never_sent").count();
    let prepared = events.iter().filter(|e| e["event"] == "prepared").count();
    assert_eq!(unsent, prepared - 1, "{text}");
    // The invoice's own timeline: only what concerns INV-1.
    let one: Vec<serde_json::Value> =
        serde_json::from_str(&ws.payback().args(["history", "INV-1", "--json"]).status(0).stdout).unwrap();
    assert!(one.iter().all(|e| e["invoice_nos"].as_array().unwrap().iter().any(|n| n == "INV-1")), "{one:?}");
    assert!(one.iter().any(|e| e["event"] == "payment"));
}

/// One invoice, run as of October and November: the second run finds the database sound
/// and keeps a backup of it. Returns the state folder.
fn two_runs_with_a_backup(ws: &Workspace) -> std::path::PathBuf {
    ws.write("contacts.csv", CONTACTS);
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\nACME,INV-1,2026-09-01,2026-10-01,1000.00,CNY\n",
    );
    small(ws, "2026-10-31", &[], 0);
    small(ws, "2026-11-30", &[], 0);
    let state = ws.path().join("state");
    assert!(state.join("payback.backup.db").is_file());
    state
}

#[test]
fn the_backup_is_the_database_as_the_run_found_it_with_or_without_a_log_held_by_a_reader() {
    let ws = Workspace::new();
    let state = two_runs_with_a_backup(&ws);
    let runs_in = |path: &std::path::Path| {
        let conn = rusqlite::Connection::open(path).unwrap();
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
        strings(&conn, "SELECT as_of FROM runs ORDER BY id")
    };
    // The log was empty when the second run opened the database: the file was copied.
    assert_eq!(runs_in(&state.join("payback.backup.db")), ["2026-10-31"]);
    // A reader holds a log with a write in it (as a finance analyst's sqlite3 might): the
    // run does not wait for it, and the backup, through SQLite, still has that write.
    let writer = db(&state);
    writer.execute("UPDATE runs SET rules = rules || ' ' WHERE id = 1", []).unwrap();
    let reader = db(&state);
    reader.execute_batch("BEGIN").unwrap();
    assert_eq!(strings(&reader, "SELECT as_of FROM runs ORDER BY id"), ["2026-10-31", "2026-11-30"]);
    assert!(std::fs::metadata(state.join("payback.db-wal")).unwrap().len() > 0);
    small(&ws, "2026-12-31", &[], 0);
    reader.execute_batch("COMMIT").unwrap();
    assert_eq!(runs_in(&state.join("payback.backup.db")), ["2026-10-31", "2026-11-30"]);
    let backup = rusqlite::Connection::open(state.join("payback.backup.db")).unwrap();
    assert_eq!(strings(&backup, "SELECT substr(rules, -1) FROM runs WHERE id = 1"), [" "]);
    assert_eq!(runs_in(&state.join("payback.db")), ["2026-10-31", "2026-11-30", "2026-12-31"]);
}

#[test]
fn a_damaged_database_stops_with_the_path_of_the_last_backup() {
    let ws = Workspace::new();
    let state = two_runs_with_a_backup(&ws);
    // Garbage over the pages after the first (the header stays: SQLite opens the file).
    let path = state.join("payback.db");
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8192, "{}", bytes.len());
    for b in &mut bytes[4096..] {
        *b = 0x5A;
    }
    std::fs::write(&path, bytes).unwrap();
    let done = small(&ws, "2026-12-31", &[], 2);
    let line = done.stderr.trim();
    assert!(line.starts_with("error: state/payback.db: the database is damaged ("), "{line}");
    assert!(
        line.ends_with(
            "the last backup is state/payback.backup.db (made by the last run that found the database sound): move the damaged file aside and copy the backup to state/payback.db"
        ),
        "{line}"
    );
    // Restoring the backup as told: the next run works and sees both earlier runs.
    std::fs::copy(state.join("payback.backup.db"), &path).unwrap();
    small(&ws, "2026-12-31", &[], 0);
    assert_eq!(strings(&db(&state), "SELECT as_of FROM runs ORDER BY id"), ["2026-10-31", "2026-12-31"]);
}

#[test]
fn a_damaged_index_found_beside_the_run_stops_it_before_anything_is_recorded_or_published() {
    let ws = Workspace::new();
    let state = two_runs_with_a_backup(&ws);
    let summary = std::fs::read(ws.path().join("out/summary.json")).unwrap();
    let backup = std::fs::read(state.join("payback.backup.db")).unwrap();
    // An index whose entries no longer fit its table: every query still answers (the run
    // reads its history as usual, beside the integrity check), only the check sees it.
    db(&state)
        .execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = 'CREATE INDEX item_events_customer ON item_events (currency, customer)'
             WHERE name = 'item_events_customer';",
        )
        .unwrap();
    let done = small(&ws, "2026-12-31", &[], 2);
    let line = done.stderr.trim();
    assert!(
        line.starts_with(
            "error: state/payback.db: the database is damaged (row 1 missing from index item_events_customer"
        ),
        "{line}"
    );
    assert!(line.ends_with("copy the backup to state/payback.db"), "{line}");
    // Nothing recorded, nothing published, the backup of the sound database kept.
    assert_eq!(strings(&db(&state), "SELECT as_of FROM runs ORDER BY id"), ["2026-10-31", "2026-11-30"]);
    assert_eq!(std::fs::read(ws.path().join("out/summary.json")).unwrap(), summary);
    assert_eq!(std::fs::read(state.join("payback.backup.db")).unwrap(), backup);
}

#[test]
fn the_history_sheet_keeps_an_accounts_latest_events_and_says_that_it_left_some_out() {
    let ws = Workspace::new();
    ws.write("contacts.csv", CONTACTS);
    // ACME: 14 invoices of 100.00, all overdue on 2026-10-31; Beta: one.
    let mut invoices = "Customer,Invoice No,Invoice Date,Due Date,Amount,Currency\n".to_owned();
    for k in 1..=14 {
        writeln!(invoices, "ACME,INV-{k:02},2026-08-01,2026-08-31,100.00,CNY").unwrap();
    }
    invoices.push_str("Beta,B-1,2026-08-01,2026-08-31,50.00,CNY\n");
    ws.write("invoices.csv", &invoices);
    small(&ws, "2026-10-31", &[], 0);
    small(&ws, "2026-11-30", &[], 0);
    // November's History sheet: October's run saw ACME's 14 invoices open and prepared one
    // message, never sent: 16 events, past the bound of 12 an account. The message's two
    // events are kept first, then the 10 latest invoices (by date, then number: INV-05 to
    // INV-14); a row before them says that earlier ones were left out. Beta's 3 events are
    // all there, with no such row.
    let sheet = crate::util::read_sheet(&ws.out().join("aging-report.xlsx"), "History");
    let rows: Vec<(&str, &str, &str)> =
        sheet[1..].iter().map(|r| (r[0].as_str(), r[3].as_str(), r[4].as_str())).collect();
    let mut expected = vec![("ACME", "earlier", "")];
    let numbers: Vec<String> = (5..=14).map(|k| format!("INV-{k:02}")).collect();
    expected.extend(numbers.iter().map(|n| ("ACME", "opened", n.as_str())));
    let all: String = (1..=14).map(|k| format!("INV-{k:02}")).collect::<Vec<_>>().join(", ");
    expected.extend([("ACME", "prepared", all.as_str()), ("ACME", "never sent", all.as_str())]);
    expected.extend([("Beta", "opened", "B-1"), ("Beta", "prepared", "B-1"), ("Beta", "never sent", "B-1")]);
    assert_eq!(rows, expected);
    assert_eq!(
        sheet[1][6],
        "Earlier events of these 12 months are not shown here: payback history \"ACME\" lists them all."
    );
    // `payback history` itself lists everything: the 14 invoices first seen open.
    let events: Vec<serde_json::Value> =
        serde_json::from_str(&ws.payback().args(["history", "ACME", "--json"]).status(0).stdout).unwrap();
    assert_eq!(events.iter().filter(|e| e["event"] == "opened").count(), 14);
}
