//! Emails: the `.eml` files parsed by an independent parser (Python's `email` package),
//! templates overridden and failing with their place, hostile names escaped, sending to a
//! real SMTP server on 127.0.0.1 (aiosmtpd) and not sending twice.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use serde::Deserialize;

use crate::util::{Workspace, repo};

/// An .eml file as Python's `email` package reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct Parsed {
    pub file: String,
    pub from: String,
    pub to_addresses: Vec<String>,
    pub to_names: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub date: String,
    pub message_id: String,
    pub content_type: String,
    pub plain: Option<String>,
    pub html: Option<String>,
    pub defects: Vec<String>,
}

/// Parses `.eml` files with `tests/scripts/parse_eml.py`.
pub(crate) fn parse(files: &[PathBuf]) -> Vec<Parsed> {
    let output = Command::new("python3")
        .arg(repo().join("tests/scripts/parse_eml.py"))
        .args(files)
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Runs the sample with all its inputs into `ws`.
fn sample_run(ws: &Workspace, extra: &[&str]) -> crate::util::Finished {
    sample_run_as_of(ws, "2026-11-30", extra)
}

/// Runs the sample as of `as_of` with all its inputs into `ws`.
fn sample_run_as_of(ws: &Workspace, as_of: &str, extra: &[&str]) -> crate::util::Finished {
    let data = repo().join("sample-data");
    let mut run = ws.payback().args(["run", "--as-of", as_of]);
    for (option, file) in [
        ("--invoices", "invoices.xlsx"),
        ("--contacts", "contacts.csv"),
        ("--projects", "projects.csv"),
        ("--followups", "followups.csv"),
        ("--milestones", "milestones.csv"),
    ] {
        run = run.arg(option).arg(data.join(file));
    }
    run.args(extra).status(0)
}

fn eml(ws: &Workspace, folder: &str, contains: &str) -> PathBuf {
    let dir = ws.out().join(folder);
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let name = names.into_iter().find(|n| n.contains(contains)).unwrap_or_else(|| panic!("no {contains} in {folder}"));
    dir.join(name)
}

#[test]
fn customer_messages_parse_with_decoded_chinese_and_english_subjects() {
    // The third monthly run: September's overdue notices and October's escalations are in
    // the log, so November's demand letters may say so (issue 20).
    // Each month's messages are sent: only sent messages count as contact.
    let ws = Workspace::new();
    let server = Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    for (as_of, out) in [("2026-09-30", "september"), ("2026-10-31", "october")] {
        sample_run_as_of(&ws, as_of, &["--out", out]);
        ws.payback().args(["send", out, "--smtp", &smtp, "--yes"]).status(0);
    }
    let done = sample_run(&ws, &[]);
    assert!(done.stdout.contains("wrote 31 emails under"), "{}", done.stdout);
    let files = [
        eml(&ws, "emails", "demand_letter-长沙市轨道交通集团"),
        eml(&ws, "emails", "approval_status_report-上海建工"),
        eml(&ws, "emails", "demand_letter-Contoso"),
        eml(&ws, "internal", "pm_digest-张伟"),
    ];
    let parsed = parse(&files);
    for p in &parsed {
        assert!(p.defects.is_empty(), "{}: {:?}", p.file, p.defects);
        assert_eq!(p.content_type, "multipart/alternative", "{}", p.file);
        assert!(p.plain.is_some() && p.html.is_some(), "{}", p.file);
        // From names the company in the message's language (issue 23).
        let company =
            if p.file.contains("Contoso") { "Your Company Ltd" } else { "示例科技（上海）有限公司" };
        assert_eq!(p.from, format!("{company} <ar@yourcompany.example>"), "{}", p.file);
        assert_eq!(p.date, "Mon, 30 Nov 2026 00:00:00 +0000");
        assert!(p.message_id.ends_with("@yourcompany.example>"), "{}", p.message_id);
    }
    let demand = &parsed[0];
    // The whole overdue balance: 233,075.77 (94 days) + 410,973.52 (76) + 232,382.31 (1)
    // = 876,431.60.
    assert_eq!(demand.subject, "催款函：请于2026年12月10日前支付 ¥876,431.60");
    assert_eq!(demand.to_addresses, ["gm@c17.example.com", "ap@c17.example.com"]);
    assert_eq!(demand.to_names, ["赵建国", "陈静"]);
    let plain = demand.plain.as_deref().unwrap();
    assert!(
        plain.contains("发票 INV-CN-0171（合同号 HT-2025-018），开票日期 2026年8月16日，到期日 2026年9月15日：¥410,973.52（已逾期 76 天）"),
        "{plain}"
    );
    assert!(plain.contains("发票 INV-CN-0173（合同号 HT-2025-018），开票日期 2026年7月29日，到期日 2026年8月28日：¥233,075.77（已逾期 94 天）"), "{plain}");
    assert!(
        plain.contains("经我司多次提醒（2026年9月30日、2026年10月31日），贵司仍未支付以下款项，最长已逾期 94 天。"),
        "{plain}"
    );
    assert!(
        plain.contains(
            "现正式函告贵司：请于2026年12月10日前付清上述逾期款项 ¥876,431.60（人民币捌拾柒万陆仟肆佰叁拾壹元陆角）。"
        ),
        "{plain}"
    );
    // "此致" and "敬礼！" on lines of their own (the parsed text has CRLF line ends).
    assert!(plain.replace("\r\n", "\n").contains("特此函告。\n\n此致\n敬礼！\n"), "{plain}");
    assert!(plain.contains("银行账号：4563 5100 0123 4567 890"));
    assert!(demand.html.as_deref().unwrap().contains("<b>¥876,431.60</b>"));
    let report = &parsed[1];
    assert_eq!(report.to_addresses, ["gm@c02.example.com"]);
    assert_eq!(report.cc, ["wang.lei@ourcompany.example"]);
    assert!(report.plain.as_deref().unwrap().contains("自2026年11月5日起处于\"总经理审批\"环节"));
    let english = &parsed[2];
    // Contoso owes 326,239.09 overdue, the oldest invoice 370 days late.
    assert_eq!(english.subject, "Demand for payment: $326,239.09 due by Dec 10, 2026");
    let text = english.plain.as_deref().unwrap();
    assert!(
        text.contains("We hereby demand payment of the overdue balance, $326,239.09, in full by Dec 10, 2026."),
        "{text}"
    );
    assert!(text.contains("Despite our reminders of Sep 30, 2026 and Oct 31, 2026, Contoso Pharmaceuticals has not paid the following invoices, the oldest 370 days past due."), "{text}");
    let digest = &parsed[3];
    assert_eq!(digest.to_addresses, ["zhang.wei@ourcompany.example"]);
    assert!(digest.subject.starts_with("应收账款周报（2026年11月30日）"), "{}", digest.subject);
    // The outbox lists every message with its Message-ID.
    let outbox = std::fs::read_to_string(ws.out().join("outbox.csv")).unwrap();
    assert_eq!(outbox.lines().count(), 1 + 31 + 6);
    assert!(outbox.contains(&report.message_id));
}

#[test]
fn emails_are_byte_identical_across_runs() {
    let ws = Workspace::new();
    sample_run(&ws, &["--out", "a", "--state", "s1"]);
    sample_run(&ws, &["--out", "b", "--state", "s2"]);
    for folder in ["emails", "internal"] {
        for entry in std::fs::read_dir(ws.path().join("a").join(folder)).unwrap() {
            let name = entry.unwrap().file_name();
            let a = std::fs::read(ws.path().join("a").join(folder).join(&name)).unwrap();
            let b = std::fs::read(ws.path().join("b").join(folder).join(&name)).unwrap();
            assert!(a == b, "{name:?} differs");
        }
    }
    assert_eq!(
        std::fs::read(ws.path().join("a/outbox.csv")).unwrap(),
        std::fs::read(ws.path().join("b/outbox.csv")).unwrap()
    );
}

const CONTACTS: &str = "customer,name,role,email,language\n\
    <b>Evil</b> {{ 7*7 }} Ltd,Mallory <script>,billing,mallory@evil.example,en\n\
    <b>Evil</b> {{ 7*7 }} Ltd,Eve,finance,\"eve@evil.example\r\nBcc: all@victims.example\",en\n";

#[test]
fn hostile_names_are_escaped_and_bad_addresses_refused() {
    let ws = Workspace::new();
    ws.write("contacts.csv", CONTACTS);
    ws.write("invoices.csv", "Customer,Invoice No,Invoice Date,Due Date,Amount\n\"<b>Evil</b> {{ 7*7 }} Ltd\",=HYPERLINK(\"x\"),2026-09-01,2026-11-10,100.00\n");
    ws.payback()
        .args(["run", "--as-of", "2026-11-30", "--invoices", "invoices.csv", "--contacts", "contacts.csv"])
        .status(1);
    let file = eml(&ws, "emails", "overdue_notice");
    assert!(file.file_name().unwrap().to_string_lossy().starts_with("001-overdue_notice-b-Evil-b-7-7-Ltd"));
    let parsed = &parse(&[file])[0];
    // The address with a line break is rejected with the contacts row (so no Bcc header
    // sneaks in); the copy goes nowhere.
    assert_eq!(parsed.to_addresses, ["mallory@evil.example"]);
    assert!(parsed.cc.is_empty());
    let html = parsed.html.as_deref().unwrap();
    assert!(html.contains("Dear Mallory &lt;script&gt;,"), "{html}");
    assert!(!html.contains("<script>"));
    let plain = parsed.plain.as_deref().unwrap();
    assert!(plain.contains("=HYPERLINK(\"x\")"), "template syntax in data is text, never run: {plain}");
    assert!(parsed.subject.contains("=HYPERLINK(\"x\")"));
    let outbox = std::fs::read_to_string(ws.out().join("outbox.csv")).unwrap();
    assert!(
        outbox.contains(
            ",\"Overdue: =HYPERLINK(\"\"x\"\"), ¥100.00 to pay\",<b>Evil</b> {{ 7*7 }} Ltd,overdue_notice,100.00,CNY,"
        ),
        "{outbox}"
    );
    let rejected = crate::util::read_sheet(&ws.out().join("aging-report.xlsx"), "Rejected");
    assert!(rejected.iter().any(|r| r.iter().any(|c| c.contains("is not an email address"))), "{rejected:?}");
}

#[test]
fn own_templates_override_and_errors_name_file_and_line() {
    let ws = Workspace::new();
    ws.write("contacts.csv", "customer,name,role,email,language\nACME,Amy,billing,amy@acme.example,en\n");
    ws.write(
        "invoices.csv",
        "Customer,Invoice No,Invoice Date,Due Date,Amount\nACME,INV-1,2026-09-01,2026-11-10,100.00\n",
    );
    ws.write("mine/en/overdue_notice.subject.txt", "[ACME AR] {{ reference }} is {{ max_days_past_due }} days late\n");
    let args = [
        "run",
        "--as-of",
        "2026-11-30",
        "--invoices",
        "invoices.csv",
        "--contacts",
        "contacts.csv",
        "--templates",
        "mine",
    ];
    ws.payback().args(args).status(0);
    let parsed = &parse(&[eml(&ws, "emails", "overdue_notice")])[0];
    assert_eq!(parsed.subject, "[ACME AR] INV-1 is 20 days late");
    assert!(
        parsed.plain.as_deref().unwrap().starts_with("Dear Amy,"),
        "the body still comes from the built-in template"
    );
    ws.write("mine/en/overdue_notice.txt", "Hello {{ contact.name }},\n\n{{ contact.nickname }}\n");
    let done = ws.payback().args(args).status(2);
    let line = done.stderr.trim();
    assert_eq!(
        line,
        "error: template mine/en/overdue_notice.txt, line 3: undefined value: `contact.nickname` is undefined in `{{ contact.nickname }}`"
    );
}

/// An SMTP server on 127.0.0.1 writing what it receives into a maildir.
pub(crate) struct Server {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Where it writes what it receives (`new/`).
    pub maildir: PathBuf,
}

impl Server {
    // The child is killed and waited for in Drop, or below when it does not come up.
    #[allow(clippy::zombie_processes)]
    pub(crate) fn start(dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = dir.join("maildir");
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let mut child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .spawn()
            .expect("the SMTP test needs Debian's python3-aiosmtpd (apt-get install -y python3-aiosmtpd)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self { child, port, maildir };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port}; is python3-aiosmtpd installed?");
    }

    pub(crate) fn received(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.maildir.join("new")).unwrap().map(|e| e.unwrap().path()).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn send_delivers_the_outbox_once_to_a_real_smtp_server() {
    let ws = Workspace::new();
    sample_run(&ws, &[]);
    let server = Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    // Without --yes nothing goes out.
    let done = ws.payback().args(["send", "out", "--smtp", &smtp]).status(0);
    assert!(done.stdout.starts_with("dry run: nothing sent; add --yes to send these 37 messages:"), "{}", done.stdout);
    assert!(server.received().is_empty());
    let done = ws.payback().args(["send", "out", "--smtp", &smtp, "--yes"]).status(0);
    assert!(
        done.stdout.ends_with("37 sent now, 0 sent before (skipped), 0 not sent, 0 in doubt, 0 kept back\n"),
        "{}",
        done.stdout
    );
    let received = server.received();
    assert_eq!(received.len(), 37);
    let ids: std::collections::BTreeSet<String> = parse(&received).into_iter().map(|p| p.message_id).collect();
    let outbox = std::fs::read_to_string(ws.out().join("outbox.csv")).unwrap();
    let expected: std::collections::BTreeSet<String> =
        outbox.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().to_owned()).collect();
    assert_eq!(ids, expected);
    // Each recorded as sent in the state database, with the server's answer.
    let db = rusqlite::Connection::open(ws.path().join("state/payback.db")).unwrap();
    let sent: i64 = db
        .query_row(
            "SELECT COUNT(DISTINCT message_id) FROM deliveries WHERE result = 'sent' AND answer LIKE '250 %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sent, 37);
    // A second send sends nothing more.
    let done = ws.payback().args(["send", "out", "--smtp", &smtp, "--yes"]).status(0);
    assert!(
        done.stdout.ends_with("0 sent now, 37 sent before (skipped), 0 not sent, 0 in doubt, 0 kept back\n"),
        "{}",
        done.stdout
    );
    assert_eq!(server.received().len(), 37);
}

#[test]
fn send_stops_cleanly_at_the_first_refusal() {
    let ws = Workspace::new();
    sample_run(&ws, &[]);
    let server = Server::start(ws.path());
    // A maildir the server cannot write to: it refuses the first message.
    std::fs::remove_dir_all(server.maildir.join("tmp")).unwrap();
    let smtp = format!("127.0.0.1:{}", server.port);
    let done = ws.payback().args(["send", "out", "--smtp", &smtp, "--yes"]).status(1);
    assert!(
        done.stdout.contains("refused emails/001-milestone_request-Acme-Engineering-GmbH.eml: "),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.ends_with("0 sent now, 0 sent before (skipped), 37 not sent, 0 in doubt, 0 kept back\n"),
        "{}",
        done.stdout
    );
    // Recorded as refused (the server answered): not sent, not in doubt.
    let db = rusqlite::Connection::open(ws.path().join("state/payback.db")).unwrap();
    let results: Vec<String> = db
        .prepare("SELECT result FROM deliveries")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(results, ["refused"]);
}

#[test]
fn send_sends_what_a_person_approved_from_the_company_address_at_the_time_of_sending() {
    let ws = Workspace::new();
    // payback.toml's company email wins over the rules file's, for the From and the envelope.
    ws.write("payback.toml", "[company]\nemail = \"collections@ours.example\"\n");
    sample_run(&ws, &[]);
    let server = Server::start(ws.path());
    let smtp = format!("127.0.0.1:{}", server.port);
    // A person says no to the first message in the outbox, --skip keeps back the second,
    // the third's file is gone, and a hand-edited row points outside the run's folders.
    let outbox = std::fs::read_to_string(ws.out().join("outbox.csv")).unwrap();
    let mut lines: Vec<String> = outbox.lines().map(str::to_owned).collect();
    assert!(lines[0].starts_with("send,file,to,"), "{}", lines[0]);
    lines[1] = lines[1].replacen("yes,", "no,", 1);
    let file = |line: &str| line.split(',').nth(1).unwrap().to_owned();
    let (first, second, third) = (file(&lines[1]), file(&lines[2]), file(&lines[3]));
    std::fs::remove_file(ws.out().join(&third)).unwrap();
    let mut evil = lines[4].clone();
    evil = evil.replacen(&file(&lines[4]), "../payback.toml", 1);
    lines.push(evil);
    std::fs::write(ws.out().join("outbox.csv"), lines.join("\n") + "\n").unwrap();
    let done = ws
        .payback()
        .args(["send", "out", "--smtp", &smtp, "--yes", "--skip", &second, "--bcc", "archive@ours.example"])
        .status(1);
    assert!(
        done.stdout.contains(&format!("kept back {first}: send column of outbox.csv is \"no\"\n")),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains(&format!("kept back {second}: --skip\n")), "{}", done.stdout);
    assert!(done.stdout.contains(&format!("not sent {third}: cannot read the file: ")), "{}", done.stdout);
    assert!(
        done.stdout
            .contains("not sent ../payback.toml: not an .eml file of the run's emails/ or internal/ folder: refused\n"),
        "{}",
        done.stdout
    );
    // 38 rows (37 + the hand-made one): 34 sent, 2 not sent, 2 kept back.
    assert!(
        done.stdout.ends_with("34 sent now, 0 sent before (skipped), 2 not sent, 0 in doubt, 2 kept back\n"),
        "{}",
        done.stdout
    );
    let received = server.received();
    assert_eq!(received.len(), 34);
    let parsed = parse(&received);
    let today = chrono::Utc::now().format("%-d %b %Y").to_string();
    for p in &parsed {
        // The address is payback.toml's; the name is the company in the message's language
        // (`[company.zh]` / `[company.en]` of the rules: the merge of main's send test with
        // h-zh's bilingual company).
        assert!(
            ["示例科技（上海）有限公司 <collections@ours.example>", "Your Company Ltd <collections@ours.example>"]
                .contains(&p.from.as_str()),
            "{}",
            p.from
        );
        // The Date header is the time of sending; the file keeps the as-of date.
        assert!(p.date.contains(&today), "{} {}", p.date, today);
        assert!(!p.to_addresses.iter().chain(&p.cc).any(|a| a.contains("archive")), "Bcc not in headers");
    }
    let on_disk = std::fs::read_to_string(ws.out().join(file(&lines[5]))).unwrap();
    assert!(on_disk.contains("Date: Mon, 30 Nov 2026 00:00:00 +0000"));
    // The archive address got every message: aiosmtpd's Mailbox records the envelope
    // recipients in X-RcptTo.
    let rcpt = std::fs::read_to_string(&received[0]).unwrap();
    assert!(rcpt.contains("archive@ours.example"), "{}", &rcpt[..600.min(rcpt.len())]);
    // --only sends just the named message, the one a person said no to stays back.
    let done = ws.payback().args(["send", "out", "--smtp", &smtp, "--yes", "--only", &second]).status(1);
    assert!(done.stdout.contains(&format!("sent {second}\n")), "{}", done.stdout);
    assert_eq!(server.received().len(), 35);
}
