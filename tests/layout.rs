//! The workbook in Chinese and in English (issue 23): sheet names, no ASCII stage id or
//! English label on any sheet of the Chinese one, and — when LibreOffice is installed —
//! the rendered PDF read back with `pdftotext -bbox`: no word overlaps another and no
//! word is two cells' texts run together ("10191-120", "0title", "¥600,000.00OK").
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{Workspace, read_sheet, sheet_names};

/// The sample workspace (`payback init --language LANG`) with the workbook in `lang`, run as of
/// each of `dates` (exit 1: the sample holds bad rows); the last workbook's path.
fn sample_in(ws: &Workspace, lang: &str, dates: &[&str]) -> PathBuf {
    ws.payback().args(["init", "books", "--language", lang]).status(0);
    let dir = ws.path().join("books");
    for date in dates {
        let run = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("payback"))
            .args(["run", "--as-of", date, "--quiet"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(run.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&run.stderr));
    }
    dir.join("out/aging-report.xlsx")
}

#[test]
fn the_chinese_workbook_has_chinese_sheets_and_no_stage_ids() {
    let ws = Workspace::new();
    let book = sample_in(&ws, "zh", &["2026-11-30"]);
    assert_eq!(
        sheet_names(&book),
        [
            "管理层概览",
            "账龄汇总",
            "催收行动",
            "暂缓事项",
            "往来记录",
            "按客户",
            "付款天数",
            "明细",
            "收款核销",
            "被拒行",
            "跳过行"
        ]
    );
    let actions = read_sheet(&book, "催收行动");
    assert_eq!(actions[0], ["客户", "币种", "金额", "阶段", "类型", "负责人", "收件人", "抄送", "发票", "原因"]);
    // Most severe first (issue 23). Since main's account-level engine a first run never
    // jumps to a demand letter or legal review (issue 20): the sample's first run has
    // approval status reports and fix-first tasks at the top, the notices below them.
    let stages: Vec<&str> = actions[1..].iter().map(|r| r[3].as_str()).collect();
    let rank = |s: &str| {
        [
            "法务评估",
            "催款函",
            "升级至审批人",
            "审批进度报告",
            "先解决问题",
            "逾期通知",
            "开具发票",
            "节点付款申请",
            "到期通知",
            "到期前提醒",
            "收款致谢",
        ]
        .iter()
        .position(|k| *k == s)
        .unwrap_or(5)
    };
    assert!(stages.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{stages:?}");
    assert_eq!(stages[..2], ["审批进度报告", "先解决问题"]);
    assert!(stages.contains(&"先解决问题") && stages.contains(&"逾期通知"), "{stages:?}");
    // What a person reads holds no stage id and no English label. The data columns —
    // customers, addresses, the engine's reasons, the input's own words — are the
    // user's, not labels; every other text cell is scanned.
    let data_columns: [(&str, &[usize]); 10] = [
        ("管理层概览", &[]),
        ("账龄汇总", &[]),
        ("催收行动", &[0, 5, 6, 7, 8, 9]),
        ("暂缓事项", &[0, 4, 5]),
        ("按客户", &[0]),
        ("付款天数", &[0]),
        ("明细", &[0, 1, 10, 11, 12, 14, 18]),
        ("收款核销", &[1, 2, 5, 6]),
        ("被拒行", &[0, 2, 3, 4, 5]),
        ("跳过行", &[0, 2, 3]),
    ];
    for (sheet, data) in data_columns {
        let rows = read_sheet(&book, sheet);
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if r > 0 && data.contains(&c) {
                    continue;
                }
                for id in crate::util::IDS {
                    assert!(!cell.contains(id), "{sheet} row {r} column {c}: stage id in {cell:?}");
                }
                if sheet == "管理层概览" || sheet == "账龄汇总" {
                    // Names, files and the engine's sentences sit in these sheets' tables
                    // too: only the labels' own words are checked, against the catalogue.
                    continue;
                }
                if r == 0 {
                    assert!(english_words(cell).is_empty(), "{sheet} header {c}: {cell:?}");
                }
            }
        }
    }
    // The labels of the two front sheets: every English catalogue label is absent.
    let en = english_labels();
    for sheet in ["管理层概览", "账龄汇总"] {
        for row in read_sheet(&book, sheet) {
            for cell in row {
                assert!(!en.contains(cell.as_str()), "{sheet}: English label {cell:?}");
            }
        }
    }
}

#[test]
fn the_english_workbook_keeps_its_names() {
    let ws = Workspace::new();
    let book = sample_in(&ws, "en", &["2026-11-30"]);
    assert_eq!(
        sheet_names(&book),
        [
            "Management",
            "Summary",
            "Actions",
            "Holds",
            "History",
            "By Customer",
            "Days to Pay",
            "Detail",
            "Reconciliation",
            "Rejected",
            "Skipped"
        ]
    );
    let actions = read_sheet(&book, "Actions");
    assert_eq!(
        actions[0],
        ["Customer", "Currency", "Amount", "Stage", "Kind", "Owner", "To", "Cc", "Invoices", "Reason"]
    );
    // A task has an owner: the project manager of its invoice's project, or the AR team.
    // (A first run has no legal review since main's engine, issue 20: the sample's tasks
    // are fix-first ones.)
    let tasks: Vec<&Vec<String>> = actions[1..].iter().filter(|r| r[4] == "Task").collect();
    assert!(!tasks.is_empty());
    assert!(tasks.iter().all(|r| !r[5].is_empty()), "{tasks:?}");
}

/// Runs of ASCII letters of three or more that are not acronyms a Chinese finance team
/// writes itself.
fn english_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !["DSO", "CEI", "CNY", "USD", "EUR"].contains(w))
        .collect()
}

/// Every English label of the catalogue that is a whole cell's text (not a format).
fn english_labels() -> BTreeSet<String> {
    let text = std::fs::read_to_string(crate::util::repo().join("templates/en/labels.toml")).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let mut labels = BTreeSet::new();
    for (section, keys) in table {
        if section == "format" {
            continue;
        }
        if let toml::Value::Table(keys) = keys {
            for (_, v) in keys {
                if let toml::Value::String(s) = v
                    && !s.contains('{')
                    && !english_words(&s).is_empty()
                {
                    labels.insert(s);
                }
            }
        }
    }
    labels
}

/// Whether `tool` runs here (asked for its version with `flag`).
fn have(tool: &str, flag: &str) -> bool {
    Command::new(tool).arg(flag).output().is_ok_and(|o| o.status.success())
}

#[test]
fn the_rendered_workbook_has_no_overlapping_text_in_either_language() {
    if !have("soffice", "--version") || !have("pdftotext", "-v") {
        println!("skipped: the layout check needs soffice (LibreOffice) and pdftotext (poppler-utils)");
        return;
    }
    // LAYOUT_CHECK_BOOK=path checks that workbook instead (e.g. one made before issue 23,
    // to see the check catch its overlaps).
    if let Ok(book) = std::env::var("LAYOUT_CHECK_BOOK") {
        let ws = Workspace::new();
        let problems = rendered_problems(Path::new(&book), ws.path());
        assert!(problems.is_empty(), "{book}: {} problems:\n{}", problems.len(), problems.join("\n"));
        return;
    }
    for lang in ["en", "zh"] {
        let ws = Workspace::new();
        // A month before too: the History sheet then has rows (its amounts of millions
        // printed as `###` in a column too narrow for them once).
        let book = sample_in(&ws, lang, &["2026-10-31", "2026-11-30"]);
        let problems = rendered_problems(&book, ws.path());
        assert!(problems.is_empty(), "{lang}: {} problems:\n{}", problems.len(), problems.join("\n"));
    }
}

/// One word of the PDF with its box.
#[derive(Debug, Clone)]
struct Word {
    page: usize,
    x: (f64, f64),
    y: (f64, f64),
    text: String,
}

/// The problems of the workbook as `LibreOffice` prints it: words whose boxes overlap (a
/// text running under its neighbour's), and words that are no cell's text nor a number
/// or date as formatted (two cells' texts run together).
fn rendered_problems(book: &Path, dir: &Path) -> Vec<String> {
    let out = dir.join("pdf");
    let profile = format!("-env:UserInstallation=file://{}", dir.join("lo-profile").display());
    let converted = Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(book)
        .output()
        .unwrap();
    let pdf = out.join("aging-report.pdf");
    assert!(pdf.is_file(), "soffice wrote no PDF: {}", String::from_utf8_lossy(&converted.stderr));
    let bbox = Command::new("pdftotext").arg("-bbox").arg(&pdf).arg("-").output().unwrap();
    let words = parse_bbox(&String::from_utf8_lossy(&bbox.stdout));
    assert!(words.len() > 1000, "{} words", words.len());
    let corpus = corpus(book);
    let mut problems = Vec::new();
    for w in &words {
        if !corpus.contains(w.text.as_str()) && !formatted_figure(&w.text) {
            problems.push(format!("page {}: {:?} is no cell's text (two cells run together?)", w.page, w.text));
        }
    }
    // Words of one line closer than a space and a half are one cell's words or two cells'
    // texts touching ("0" and "title" were 0.15 of their height apart: "0title"); one
    // cell's when the two, with a space between or none, are in a cell's text.
    let mut lines: std::collections::BTreeMap<(usize, i64), Vec<&Word>> = std::collections::BTreeMap::new();
    for w in &words {
        #[allow(clippy::cast_possible_truncation)]
        lines.entry((w.page, (w.y.0 * 10.0).round() as i64)).or_default().push(w);
    }
    for line in lines.values_mut() {
        line.sort_by(|a, b| a.x.0.total_cmp(&b.x.0));
        for pair in line.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let gap = b.x.0 - a.x.1;
            if gap >= 0.0 && gap < 0.4 * (a.y.1 - a.y.0)                 && !corpus.contains(&format!("{} {}", a.text, b.text))
                // Latin letters and Chinese characters of one text are split into two words.
                && !corpus.contains(&format!("{}{}", a.text, b.text))
            {
                problems.push(format!("page {}: {:?} and {:?} touch ({gap:.2} apart)", a.page, a.text, b.text));
            }
        }
    }
    for (i, a) in words.iter().enumerate() {
        for b in &words[i + 1..] {
            if a.page != b.page {
                break;
            }
            let y_overlap = a.y.1.min(b.y.1) - a.y.0.max(b.y.0);
            let x_overlap = a.x.1.min(b.x.1) - a.x.0.max(b.x.0);
            if y_overlap > 0.5 * (a.y.1 - a.y.0).min(b.y.1 - b.y.0) && x_overlap > 0.5 {
                problems.push(format!("page {}: {:?} and {:?} overlap", a.page, a.text, b.text));
            }
        }
    }
    problems
}

fn parse_bbox(html: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut page = 0;
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        }
        let Some(rest) = line.strip_prefix("<word ") else { continue };
        let attr = |name: &str| -> f64 {
            let start = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            rest[start..].split('"').next().unwrap().parse().unwrap()
        };
        let text = rest.split_once('>').unwrap().1.trim_end_matches("</word>");
        let text = text
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'");
        words.push(Word { page, x: (attr("xMin"), attr("xMax")), y: (attr("yMin"), attr("yMax")), text });
    }
    words
}

/// Every text the workbook holds, one per line, and the catalogue's words (chart titles
/// and series names are not cells).
fn corpus(book: &Path) -> String {
    let mut corpus = String::new();
    for sheet in sheet_names(book) {
        corpus.push_str(&sheet);
        corpus.push('\n');
        for row in read_sheet(book, &sheet) {
            for cell in row {
                corpus.push_str(&cell);
                corpus.push('\n');
            }
        }
    }
    for lang in ["en", "zh"] {
        let labels =
            std::fs::read_to_string(crate::util::repo().join(format!("templates/{lang}/labels.toml"))).unwrap();
        for code in ["CNY", "USD"] {
            corpus.push_str(&labels.replace("{currency}", code));
        }
    }
    corpus
}

/// A number, amount, share or date as the workbook's formats print it: `¥1,234.56`,
/// `-$12.00`, `86.1%`, `1,234`, `2026-11-30`, `500k` (chart axes), `–` (zero).
fn formatted_figure(word: &str) -> bool {
    let w = word.trim_start_matches(['-', '(']).trim_end_matches(')');
    let w = ["JP¥", "HK$", "¥", "$", "€", "£"].iter().find_map(|s| w.strip_prefix(s)).unwrap_or(w);
    let w = w.strip_suffix('%').or_else(|| w.strip_suffix('k')).unwrap_or(w);
    if w == "–" || w.is_empty() {
        return true;
    }
    if let [y, m, d] = w.split('-').collect::<Vec<_>>()[..] {
        return y.len() == 4 && m.len() == 2 && d.len() == 2 && w.chars().all(|c| c.is_ascii_digit() || c == '-');
    }
    let (whole, fraction) = w.split_once('.').unwrap_or((w, ""));
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped = groups.iter().enumerate().all(|(i, g)| {
        !g.is_empty()
            && g.chars().all(|c| c.is_ascii_digit())
            && (if i == 0 { g.len() <= 3 || groups.len() == 1 } else { g.len() == 3 })
    });
    grouped && fraction.len() <= 2 && fraction.chars().all(|c| c.is_ascii_digit())
}

#[test]
fn figures_as_printed_are_told_from_texts_run_together() {
    for ok in ["¥26,977,186.72", "-$11,519.45", "86.1%", "1,234", "2026-11-30", "500k", "–", "256.4", "0"] {
        assert!(formatted_figure(ok), "{ok}");
    }
    for bad in ["10191-120", "0title", "¥600,000.00OK", "1,2345", "12.345"] {
        assert!(!formatted_figure(bad), "{bad}");
    }
}

/// A Chinese letter or workbook needs the company's Chinese details: one left empty is an
/// error at `check`, naming it, not English text in a Chinese letter (issue 23).
#[test]
fn a_missing_chinese_company_detail_is_an_error_at_check() {
    let ws = Workspace::new();
    ws.payback().args(["init", "books", "--language", "zh"]).status(0);
    let dir = ws.path().join("books");
    let toml = std::fs::read_to_string(dir.join("payback.toml")).unwrap();
    std::fs::write(dir.join("payback.toml"), toml.replace("tax_id = \"91310115MA1K4XXX0Y\"", "tax_id = \"\"")).unwrap();
    let check = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("payback"))
        .arg("check")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains("tax_id is empty under [company.zh]"), "{stderr}");
}
