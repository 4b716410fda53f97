//! Rendering templates: one minijinja environment over `--templates DIR` (when given) with
//! the built-in templates as fallback, strict about undefined variables, HTML autoescaped,
//! and `money` / `date` filters that format for the message's language.
use std::path::{Path, PathBuf};

use minijinja::{Environment, State, UndefinedBehavior};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::money::Currency;

macro_rules! built_in {
    ($($lang:literal / $name:literal),* $(,)?) => {
        &[$(
            (concat!($lang, "/", $name, ".subject.txt"), include_str!(concat!("../../templates/", $lang, "/", $name, ".subject.txt"))),
            (concat!($lang, "/", $name, ".txt"), include_str!(concat!("../../templates/", $lang, "/", $name, ".txt"))),
            (concat!($lang, "/", $name, ".html"), include_str!(concat!("../../templates/", $lang, "/", $name, ".html"))),
        )*]
    };
}

/// The built-in templates, the same files as `templates/`.
pub(crate) const BUILT_IN: &[(&str, &str)] = built_in![
    "en" / "reminder_before_due",
    "zh" / "reminder_before_due",
    "en" / "due_notice",
    "zh" / "due_notice",
    "en" / "overdue_notice",
    "zh" / "overdue_notice",
    "en" / "escalate_to_approver",
    "zh" / "escalate_to_approver",
    "en" / "demand_letter",
    "zh" / "demand_letter",
    "en" / "milestone_request",
    "zh" / "milestone_request",
    "en" / "approval_status_report",
    "zh" / "approval_status_report",
    "en" / "thank_you",
    "zh" / "thank_you",
    "en" / "pm_digest",
    "zh" / "pm_digest",
    "en" / "management_summary",
    "zh" / "management_summary",
];

/// Layouts and macros the templates extend and import.
pub(crate) const LAYOUTS: &[(&str, &str)] = &[
    ("en/_layout.html", include_str!("../../templates/en/_layout.html")),
    ("zh/_layout.html", include_str!("../../templates/zh/_layout.html")),
    ("en/_macros.html", include_str!("../../templates/en/_macros.html")),
    ("zh/_macros.html", include_str!("../../templates/zh/_macros.html")),
    ("en/_macros.txt", include_str!("../../templates/en/_macros.txt")),
    ("zh/_macros.txt", include_str!("../../templates/zh/_macros.txt")),
];

/// The work one render of a template may do (minijinja's fuel: about one unit per
/// instruction and per 64 bytes of data). A built-in demand letter listing 100,000
/// invoices (a 40 MB message) renders within a fifth of it; a loop of a loop over 100,000
/// items would need 200 times as much.
pub const FUEL: u64 = 50_000_000;

/// The file under `dir` that holds template `name`, when there is one: `name` must be a
/// path below `dir` (no `..`, no absolute path), and the file, symbolic links resolved,
/// must be inside `dir` — an `{% include "../../…" %}` read files outside the templates
/// folder into customer emails before.
fn confined(dir: &Path, name: &str) -> std::result::Result<Option<PathBuf>, minijinja::Error> {
    let outside = |why: &str| {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("template \"{}\" {why}; templates are read only from {}", name.escape_debug(), dir.display()),
        )
    };
    let relative = Path::new(name);
    if name.is_empty() || !relative.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
        return Err(outside("is not a path inside the templates folder"));
    }
    let path = dir.join(relative);
    if !path.is_file() {
        return Ok(None);
    }
    let (Ok(real), Ok(root)) = (path.canonicalize(), dir.canonicalize()) else {
        return Err(outside("cannot be resolved"));
    };
    if real.starts_with(&root) { Ok(Some(real)) } else { Err(outside("links to a file outside the templates folder")) }
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line (one line).
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// The language used.
    pub lang: String,
}

/// The template environment.
pub struct Templates {
    env: Environment<'static>,
    dir: Option<PathBuf>,
}

impl Templates {
    /// Templates from `dir` when given (files there win), else the built-in ones.
    #[must_use]
    pub fn new(dir: Option<&Path>) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let folder = dir.map(Path::to_path_buf);
        let loader_dir = folder.clone();
        env.set_loader(move |name| {
            if let Some(dir) = &loader_dir
                && let Some(path) = confined(dir, name)?
            {
                return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        format!("cannot read {}: {e}", path.display()),
                    )
                });
            }
            Ok(BUILT_IN.iter().chain(LAYOUTS).find(|(n, _)| *n == name).map(|(_, text)| (*text).to_owned()))
        });
        // Every render may do this much work: a template with nested large loops fails
        // with an error naming it instead of running forever.
        env.set_fuel(Some(FUEL));
        env.add_filter("money", money);
        env.add_filter("date", date);
        Self { env, dir: folder }
    }

    /// Renders template `name` in `lang`, or in the other language when `lang` has none.
    ///
    /// # Errors
    /// [`Error::Template`] naming the file and line of a template error (an undefined
    /// variable, a syntax error) or a missing template.
    pub fn render<C: Serialize>(&self, name: &str, lang: &str, context: &C) -> Result<Rendered> {
        let other = if lang == "zh" { "en" } else { "zh" };
        let lang = if self.env.get_template(&format!("{lang}/{name}.txt")).is_ok() { lang } else { other };
        let value = minijinja::Value::from(minijinja::value::Serde(context));
        let part = |suffix: &str| -> Result<String> {
            let file = format!("{lang}/{name}{suffix}");
            let template = self.env.get_template(&file).map_err(|e| self.error(&file, &e))?;
            template.render(&value).map_err(|e| self.error(&file, &e))
        };
        let subject = part(".subject.txt")?.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Rendered { subject, text: part(".txt")?, html: part(".html")?, lang: lang.to_owned() })
    }

    fn error(&self, file: &str, err: &minijinja::Error) -> Error {
        let place = match &self.dir {
            Some(dir) if dir.join(file).is_file() => dir.join(file).display().to_string(),
            _ => format!("templates/{file} (built in)"),
        };
        let line = err.line().map(|l| format!(", line {l}")).unwrap_or_default();
        let detail = err.detail().map(|d| format!(": {d}")).unwrap_or_default();
        // Quote the offending line so that the variable is named, e.g. `{{ contact.nickname }}`.
        let source = err.line().and_then(|l| {
            let template = self.env.get_template(err.name().unwrap_or(file)).ok()?;
            let text = template.source().lines().nth(l.checked_sub(1)?)?.trim().to_owned();
            (!text.is_empty()).then(|| format!(" in `{text}`"))
        });
        let kind = if err.kind() == minijinja::ErrorKind::OutOfFuel {
            format!("the template does more work than allowed ({FUEL} steps): check its loops")
        } else {
            err.kind().to_string()
        };
        Error::Template {
            place: format!("{place}{line}"),
            reason: format!("{kind}{detail}{}", source.unwrap_or_default()),
        }
    }
}

/// `{{ amount | money(currency) }}`: `¥1,234.56`, `$1,234.56`, `-€12.00`, `CHF 1,234.56`.
fn money(value: &str, currency: &str) -> String {
    let negative = value.starts_with('-');
    let digits = value.trim_start_matches('-');
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number = match fraction {
        Some(f) => format!("{grouped}.{f}"),
        None => grouped,
    };
    let sign = if negative { "-" } else { "" };
    match Currency::parse(currency).and_then(|c| c.symbol()) {
        Some(symbol) => format!("{sign}{symbol}{number}"),
        None => format!("{sign}{currency} {number}"),
    }
}

/// `{{ day | date }}`: `2026年11月30日` in Chinese messages, `Nov 30, 2026` in English.
fn date(state: &State, value: String) -> String {
    let Ok(day) = chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d") else { return value };
    let chinese = state.lookup("lang").is_some_and(|l| l.as_str() == Some("zh"));
    if chinese { day.format("%Y年%-m月%-d日").to_string() } else { day.format("%b %-d, %Y").to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_with_its_symbol() {
        assert_eq!(money("1234.56", "CNY"), "¥1,234.56");
        assert_eq!(money("-12.00", "EUR"), "-€12.00");
        assert_eq!(money("1234567", "JPY"), "JP¥1,234,567");
        assert_eq!(money("1000.50", "CHF"), "CHF 1,000.50");
        assert_eq!(money("999.00", "USD"), "$999.00");
    }
}
