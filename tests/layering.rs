//! The stages' one-way arrows (issue 22): every `crate::` path in `src/` points to a module
//! above its own in ARCHITECTURE.md's layer list, and every top-level module is in the list.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layer list between the `layers:begin` / `layers:end` markers of ARCHITECTURE.md,
/// top first.
fn layers(architecture: &str) -> Vec<String> {
    let begin = architecture.find("<!-- layers:begin -->").expect("ARCHITECTURE.md has the layers:begin marker");
    let end = architecture.find("<!-- layers:end -->").expect("ARCHITECTURE.md has the layers:end marker");
    architecture[begin..end]
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("```"))
        .map(str::to_owned)
        .collect()
}

/// The code of a source file without its comments and its `#[cfg(test)]` module (tests
/// may use any module).
fn code(text: &str) -> String {
    let text = text.find("#[cfg(test)]").map_or(text, |at| &text[..at]);
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The crate's top-level modules a piece of code names: `crate::name` and the lower-case
/// names in `crate::{a, b::c, D}` (upper-case names are the crate root's re-exports).
fn named_modules(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            let mut depth = 0;
            let mut item = String::new();
            for c in group[..end].chars().chain(std::iter::once(',')) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let head = item.trim().split("::").next().unwrap_or_default().to_owned();
                        if head.starts_with(|c: char| c.is_ascii_lowercase()) {
                            found.push(head);
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if name.starts_with(|c: char| c.is_ascii_lowercase()) {
                found.push(name);
            }
        }
    }
    found
}

/// The top-level module a file of `src/` belongs to (`None` for the crate roots).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Every arrow that breaks the order, and every module missing from the list, as
/// `file: a -> b (b is below a)`.
fn violations(layers: &[String], files: &[(String, String)]) -> Vec<String> {
    let rank: BTreeMap<&str, usize> = layers.iter().enumerate().map(|(i, m)| (m.as_str(), i)).collect();
    let mut problems = Vec::new();
    for (module, text) in files {
        let Some(&own) = rank.get(module.as_str()) else {
            problems.push(format!("module `{module}` is not in ARCHITECTURE.md's layer list"));
            continue;
        };
        for named in named_modules(&code(text)) {
            match rank.get(named.as_str()) {
                Some(&other) if other > own => {
                    problems.push(format!("{module} -> {named} ({named} is listed below {module})"));
                }
                Some(_) => {}
                None => problems.push(format!("{module} -> {named}: `{named}` is not in the layer list")),
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn every_import_points_up_the_layer_list() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let layers = layers(&std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap());
    let src = root.join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    paths.sort();
    let files: Vec<(String, String)> =
        paths.iter().filter_map(|p| Some((module_of(&src, p)?, std::fs::read_to_string(p).unwrap()))).collect();
    let violations = violations(&layers, &files);
    assert!(violations.is_empty(), "arrows against ARCHITECTURE.md's layers:\n{}", violations.join("\n"));
    // Every listed module exists.
    for layer in &layers {
        assert!(files.iter().any(|(m, _)| m == layer), "ARCHITECTURE.md lists `{layer}`, which is not in src/");
    }
}

#[test]
fn an_arrow_up_or_an_unlisted_module_is_caught() {
    let layers: Vec<String> = ["error", "ingest", "report", "cmd"].map(String::from).to_vec();
    let file = |m: &str, t: &str| (m.to_owned(), t.to_owned());
    let files = vec![
        // Fine: down the list, a root re-export, a comment, a test module.
        file("report", "use crate::ingest::Limits;\nuse crate::Outcome;\n// crate::cmd in a comment\n"),
        file("ingest", "use crate::error::Result;\n#[cfg(test)]\nmod tests { use crate::report::x; }\n"),
        // Wrong: ingest names report (below it), in a group and in a path.
        file("ingest", "use crate::{error::Error, report::workbook};\nfn f() { crate::cmd::run(); }\n"),
        file("stray", "use crate::error::Error;\n"),
    ];
    assert_eq!(
        violations(&layers, &files),
        [
            "ingest -> cmd (cmd is listed below ingest)",
            "ingest -> report (report is listed below ingest)",
            "module `stray` is not in ARCHITECTURE.md's layer list",
        ]
    );
}
