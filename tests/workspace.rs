//! Setting up and using payback as a finance user does: `payback init`, then `payback run`
//! with no options inside the workspace (exactly as the README says); the machine-readable
//! and quiet modes; the help texts (snapshots).
use crate::util::Workspace;

#[test]
fn init_then_run_with_no_options_gives_the_full_report() {
    let ws = Workspace::new();
    let done = ws.payback().args(["init", "collections"]).status(0);
    assert!(done.stdout.starts_with("created collections with 85 files"), "{}", done.stdout);
    let dir = ws.path().join("collections");
    for file in [
        "payback.toml",
        "rules/default.toml",
        "rules/presets/xero.toml",
        "rules/calendars/cn.toml",
        "templates/zh/demand_letter.txt",
        "sample-data/invoices.xlsx",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    // Company details in payback.toml override the rules.
    let toml = std::fs::read_to_string(dir.join("payback.toml")).unwrap();
    std::fs::write(
        dir.join("payback.toml"),
        toml.replace("name = \"Your Company Ltd\"", "name = \"Huadong Smart Tech Ltd\""),
    )
    .unwrap();
    let done = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("payback"))
        .args(["run", "--as-of", "2026-11-30"])
        .current_dir(&dir)
        .output()
        .unwrap();
    // The sample runs clean: its bad rows are in invoices-bad-rows.xlsx (issue 23).
    assert_eq!(done.status.code(), Some(0), "{}", String::from_utf8_lossy(&done.stderr));
    let stdout = String::from_utf8(done.stdout).unwrap();
    assert!(stdout.contains("actions: 32 messages, 3 tasks for our side, 4 holds"), "{stdout}");
    assert!(
        stdout.contains(
            "wrote 32 emails under out/emails and 6 internal messages (digests, management summary) under out/internal"
        ),
        "{stdout}"
    );
    let summary = crate::util::read_summary(&dir.join("out"));
    // 27,577,186.72 open before the sample payments; 600,000.00 of them applied.
    assert_eq!(summary.currencies["CNY"].total_open, "26977186.72");
    let paid = &summary.payments.as_ref().unwrap()["CNY"];
    assert_eq!(
        (paid.total_in.as_str(), paid.applied.as_str(), paid.unapplied.as_str()),
        ("700000.00", "600000.00", "100000.00")
    );
    assert_eq!(summary.rules, "rules/default.toml");
    // Each letter comes from the company in its language: the English ones from the
    // English name; the Chinese ones from 示例科技（上海）有限公司 (encoded in the header).
    let froms: Vec<String> = dir
        .join("out/emails")
        .read_dir()
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .map(|t| t.lines().find(|l| l.starts_with("From: ")).unwrap().to_owned())
        .collect();
    assert!(froms.iter().all(|f| f.ends_with(" <ar@yourcompany.example>")), "{froms:?}");
    assert!(froms.iter().any(|f| f == "From: \"Huadong Smart Tech Ltd\" <ar@yourcompany.example>"), "{froms:?}");
    assert!(
        froms.iter().any(|f| f == "From: =?utf-8?b?56S65L6L56eR5oqA77yI5LiK5rW377yJ5pyJ6ZmQ5YWs5Y+4?= <ar@yourcompany.example>"),
        "{froms:?}"
    );
    assert!(dir.join("state/payback.db").is_file());
    // A second init into a folder that is not empty is refused.
    let done = ws.payback().args(["init", "collections"]).status(2);
    assert_eq!(done.stderr.trim(), "error: init collections: the folder exists and is not empty; choose a new folder");
}

#[test]
fn no_invoices_and_no_workspace_says_how_to_start() {
    let ws = Workspace::new();
    let done = ws.payback().args(["run"]).status(2);
    assert_eq!(
        done.stderr.trim(),
        "error: --invoices: give at least one invoices file (or --workbook), or run inside a workspace made by `payback init DIR` (it has a payback.toml)"
    );
}

#[test]
fn json_and_quiet_modes_for_scripts() {
    let ws = Workspace::new();
    ws.payback().args(["init", "w"]).status(0);
    let dir = ws.path().join("w");
    let run = |extra: &[&str]| {
        assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("payback"))
            .args(["run", "--as-of", "2026-11-30"])
            .args(extra)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let done = run(&["--json"]);
    assert_eq!(done.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(json["actions"], serde_json::json!({"message": 32, "manual": 3, "hold": 4, "emails": 38}));
    // main's counts (account-level engine); 152 rows read: main's 156 less the four bad
    // rows now in invoices-bad-rows.xlsx (h-zh). They were rejected, so no action changes.
    assert_eq!(json["rows"]["read"], 152);
    // Hooli Cloud Svcs (not a customer's name) quotes "INV 351": the one open invoice that
    // fits is Hooli Cloud Services' INV-US-0351, which it pays: 3,145,116.93 − 40,402.32.
    assert_eq!(json["currencies"]["USD"]["total_open"], "3104714.61");
    assert_eq!(json["currencies"]["USD"]["payments"]["unapplied"], "0.00");
    let done = run(&["--quiet"]);
    assert_eq!(done.status.code(), Some(0));
    assert!(done.stdout.is_empty());
}

#[test]
fn help_texts() {
    let ws = Workspace::new();
    for command in [
        &["--help"][..],
        &["run", "--help"],
        &["check", "--help"],
        &["explain", "--help"],
        &["send", "--help"],
        &["init", "--help"],
    ] {
        let done = ws.payback().args(command).status(0);
        let name = if command.len() == 1 { "payback".to_owned() } else { format!("payback_{}", command[0]) };
        insta::assert_snapshot!(name, done.stdout);
    }
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let ws = Workspace::new();
    let bash = ws.payback().args(["completions", "bash"]).status(0);
    assert!(bash.stdout.contains("payback__subcmd__explain)"), "{}", &bash.stdout[..200]);
    assert!(bash.stdout.contains("--invoices"));
    let man = ws.payback().args(["man"]).status(0);
    assert!(man.stdout.contains(".TH payback 1"));
    assert!(man.stdout.contains("payback\\-run"), "subcommands are listed");
}
