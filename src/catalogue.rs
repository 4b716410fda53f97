//! The workbook's words: `templates/{zh,en}/labels.toml` (beside the email templates, built
//! into the binary) in, [`Labels`] out — sheet names, headers, labels, stage and hold
//! names, notes and number formats of `aging-report.xlsx` in the `[report] language`.
//! Stage ids stay the ids in actions.json, outbox.csv and the log; only what a
//! person reads comes from here.
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The language a person reads the workbook in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Chinese.
    Zh,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// `zh` or `en`; `None` for anything else.
    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// `zh` or `en`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }
}

/// The built-in catalogues, by language.
pub(crate) const SOURCES: [(&str, &str); 2] = [
    ("zh/labels.toml", include_str!("../templates/zh/labels.toml")),
    ("en/labels.toml", include_str!("../templates/en/labels.toml")),
];

/// What a key the catalogue lacks shows.
const MISSING: &str = "[?]";

/// One language's words, keyed `section.key` (`sheet.detail`, `stage.demand_letter`).
#[derive(Debug)]
pub struct Labels {
    lang: Lang,
    words: BTreeMap<String, String>,
}

impl Labels {
    /// The built-in catalogue of `lang` (parsed once).
    #[must_use]
    pub fn of(lang: Lang) -> &'static Self {
        static ZH: OnceLock<Labels> = OnceLock::new();
        static EN: OnceLock<Labels> = OnceLock::new();
        let (cell, text) = match lang {
            Lang::Zh => (&ZH, SOURCES[0].1),
            Lang::En => (&EN, SOURCES[1].1),
        };
        cell.get_or_init(|| Self::parse(lang, text))
    }

    /// A catalogue from its TOML text; a text that does not parse gives an empty catalogue
    /// (every label then shows its key — the unit tests parse the built-in ones).
    fn parse(lang: Lang, text: &str) -> Self {
        let table: toml::Table = text.parse().unwrap_or_default();
        let mut words = BTreeMap::new();
        for (section, value) in table {
            if let toml::Value::Table(keys) = value {
                for (key, value) in keys {
                    if let toml::Value::String(word) = value {
                        words.insert(format!("{section}.{key}"), word);
                    }
                }
            }
        }
        Self { lang, words }
    }

    /// The language.
    #[must_use]
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The words of `key`, or `[?]` when the catalogue lacks it (a test checks that both
    /// catalogues hold the same keys and that the keys the code names exist).
    #[must_use]
    pub fn get(&self, key: &str) -> &str {
        self.words.get(key).map_or(MISSING, String::as_str)
    }

    /// The words of `key`, or `default` when the catalogue lacks it (a user's own role or
    /// stage).
    #[must_use]
    pub fn get_or<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.words.get(key).map_or(default, String::as_str)
    }

    /// The words of `key` with each `{name}` replaced by its value.
    #[must_use]
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// An input source in words: `file (sheet "Open Invoices")`, `file（工作表“Open Invoices”）`.
    #[must_use]
    pub fn source(&self, source: &crate::ingest::SourceRef) -> String {
        let file = source.file.display().to_string();
        match &source.sheet {
            Some(sheet) => self.fill("word.source_sheet", &[("file", &file), ("sheet", sheet)]),
            None => file,
        }
    }

    /// A sheet's name (`sheet.detail` → "Detail" / "明细").
    #[must_use]
    pub fn sheet<'a>(&'a self, key: &'a str) -> &'a str {
        self.words.get(&format!("sheet.{key}")).map_or(key, String::as_str)
    }

    /// A stage, hold or task id in words; an id of the user's own ladder that the catalogue
    /// does not know is shown as it is.
    #[must_use]
    pub fn stage<'a>(&'a self, id: &'a str) -> &'a str {
        self.words.get(&format!("stage.{id}")).map_or(id, String::as_str)
    }

    /// A bucket label of the rules in words: the built-in English labels ("Not due",
    /// "Over 120") have their Chinese words in `[bucket]`; a label of the user's own, and
    /// every label in English, is shown as it is.
    #[must_use]
    pub fn bucket<'a>(&'a self, label: &'a str) -> &'a str {
        self.words.get(&format!("bucket.{label}")).map_or(label, String::as_str)
    }

    /// Every key, for the tests.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.words.keys().map(String::as_str)
    }
}

/// Appends `template` to `out` with each `{name}` replaced, in one pass, by what `value`
/// writes for that name; a `{name}` that `value` does not know (it returns `false`) stays
/// as it is, and a value's own braces are never read as a placeholder. The reasons of
/// normalize and of the rules render their clauses with it.
pub(crate) fn fill_template(out: &mut String, template: &str, mut value: impl FnMut(&mut String, &str) -> bool) {
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if value(out, &after[..end]) => rest = &after[end + 1..],
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_filled_in_one_pass() {
        let mut out = String::new();
        fill_template(&mut out, "{a} and {b} but not {c} or {", |out, name| match name {
            "a" => {
                out.push_str("{b}");
                true
            }
            "b" => {
                out.push('2');
                true
            }
            _ => false,
        });
        // A value's own braces are not a placeholder; unknown names and a lone brace stay.
        assert_eq!(out, "{b} and 2 but not {c} or {");
    }

    #[test]
    fn both_catalogues_hold_the_same_keys() {
        for (_, text) in SOURCES {
            assert!(text.parse::<toml::Table>().is_ok());
        }
        // `[bucket]` translates the built-in English bucket labels: Chinese only.
        let zh: Vec<&str> = Labels::of(Lang::Zh).keys().filter(|k| !k.starts_with("bucket.")).collect();
        let en: Vec<&str> = Labels::of(Lang::En).keys().collect();
        assert_eq!(zh, en);
        assert!(zh.len() > 200, "{}", zh.len());
    }

    #[test]
    fn words_are_filled_in() {
        let zh = Labels::of(Lang::Zh);
        assert_eq!(zh.stage("demand_letter"), "催款函");
        assert_eq!(zh.stage("escalate_to_approver"), "升级至审批人");
        assert_eq!(zh.stage("legal_review"), "法务评估");
        assert_eq!(zh.stage("fix_first"), "先解决问题");
        assert_eq!(zh.stage("my_own_stage"), "my_own_stage");
        assert_eq!(zh.fill("word.total", &[("currency", "CNY")]), "CNY 合计");
        assert_eq!(Labels::of(Lang::En).sheet("detail"), "Detail");
        assert_eq!(zh.sheet("detail"), "明细");
    }

    #[test]
    fn chinese_words_hold_no_english() {
        // Every zh label outside the number formats is Chinese: no run of three ASCII
        // letters but the acronyms a Chinese finance team writes itself, the program's
        // name and currency codes. A quotation (“decimal_comma = true”) is what the user
        // writes: a key of the rules file, an option.
        let allowed = ["DSO", "CEI", "README", "Metrics", "payments", "payback", "CNY", "USD", "EUR"];
        for key in Labels::of(Lang::Zh).keys().filter(|k| !k.starts_with("format.")) {
            let text = Labels::of(Lang::Zh).get(key);
            let text: String =
                text.split('{').map(|part| part.split_once('}').map_or(part, |(_, rest)| rest)).collect();
            let text: String =
                text.split('“').map(|part| part.split_once('”').map_or(part, |(_, rest)| rest)).collect();
            for word in text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 3) {
                assert!(allowed.contains(&word), "{key}: {text}");
            }
        }
    }
}
