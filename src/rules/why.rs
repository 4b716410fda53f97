//! A decision's reason as words of either language: clauses, each a key of the
//! catalogue's `[why]` section with its values ([`Why`]), instead of a sentence glued in
//! English. The engine builds it; `actions.json`, the log and `explain` keep the English
//! sentence ([`Why::english`], the script contract, rendered from `templates/en`), the
//! Chinese workbook and letters render it in Chinese from `templates/zh`.
use chrono::NaiveDate;

use crate::catalogue::{Labels, Lang, fill_template};

/// A reason: clauses rendered one after the other (a clause's words carry their own
/// separator: `"; held: …"`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Why(Vec<Clause>);

/// One clause: `[why] key` with its values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// A value in a reason, rendered in the reason's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is: names, numbers, amounts, dates, the inputs' own words.
    Text(String),
    /// A stage, hold or task id: the id in English (the script contract), its name in
    /// Chinese.
    Stage(String),
    /// A stage id as words: `legal review` in English, its name in Chinese.
    StageWords(String),
    /// A number of days: `1 day`, `35 days`; `35 天`.
    Days(i64),
    /// Invoice numbers: `A, B, C and 2 more`; `A、B、C 等 5 张`.
    Invoices(Vec<String>),
    /// Invoice numbers, all of them: `A, B`; `A、B`.
    Joined(Vec<String>),
    /// Contact roles: `billing/finance`; `对账/财务`.
    Roles(Vec<String>),
    /// A term of the data (a milestone's trigger, `go-live`): as it is in English, the
    /// catalogue's `[section]` word in Chinese.
    Term(&'static str, String),
    /// A word of the catalogue's `[why]` section (`our_side`, `go_live`).
    Word(&'static str),
    /// A reason inside a reason (the hold's reason, the event).
    Why(Why),
    /// A reason of the inputs (why a payment waits for a person), in the reason's language.
    Said(crate::normalize::reason::Reason),
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Self {
        Self::Text(text.clone())
    }
}

impl From<NaiveDate> for Arg {
    fn from(date: NaiveDate) -> Self {
        Self::Text(date.to_string())
    }
}

impl From<Why> for Arg {
    fn from(why: Why) -> Self {
        Self::Why(why)
    }
}

/// A number shown as it is.
#[must_use]
pub fn num(n: impl std::fmt::Display) -> Arg {
    Arg::Text(n.to_string())
}

impl Why {
    /// The reason of one clause.
    #[must_use]
    pub fn new(key: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        Self(vec![Clause { key, args }])
    }

    /// Appends a clause.
    pub fn push(&mut self, key: &'static str, args: Vec<(&'static str, Arg)>) {
        self.0.push(Clause { key, args });
    }

    /// This reason followed by a clause.
    #[must_use]
    pub fn then(mut self, key: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        self.push(key, args);
        self
    }

    /// Whether it holds no clause (an action read back from `actions.json`).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The English sentence with stage ids: `actions.json`'s `reason`, the log, `explain`
    /// (the script contract).
    #[must_use]
    pub fn english(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Labels::of(Lang::En), true);
        out
    }

    /// The reason in the words of `labels`, stages by name, for a person (the workbook,
    /// the digest).
    #[must_use]
    pub fn render(&self, labels: &Labels) -> String {
        let mut out = String::new();
        self.write(&mut out, labels, false);
        out
    }

    fn write(&self, out: &mut String, labels: &Labels, ids: bool) {
        for clause in &self.0 {
            fill(out, labels.get(&format!("why.{}", clause.key)), &clause.args, labels, ids);
        }
    }
}

/// Appends `template` with each `{name}` replaced by its value ([`fill_template`]).
fn fill(out: &mut String, template: &str, args: &[(&str, Arg)], labels: &Labels, ids: bool) {
    fill_template(out, template, |out, name| {
        let arg = args.iter().find(|(n, _)| *n == name);
        arg.inspect(|(_, arg)| render_arg(out, arg, labels, ids)).is_some()
    });
}

/// One value; `ids`: stages as ids (the English sentence of the script contract).
fn render_arg(out: &mut String, arg: &Arg, labels: &Labels, ids: bool) {
    let zh = labels.lang() == Lang::Zh;
    match arg {
        Arg::Text(text) => out.push_str(text),
        Arg::Stage(id) if ids => out.push_str(id),
        Arg::StageWords(id) if ids => out.push_str(&id.replace('_', " ")),
        Arg::Stage(id) | Arg::StageWords(id) => out.push_str(labels.stage(id)),
        Arg::Days(1) => out.push_str(labels.get("why.one_day")),
        Arg::Days(n) => fill(out, labels.get("why.days"), &[("n", num(n))], labels, ids),
        Arg::Invoices(numbers) => {
            let sep = labels.get("why.list_separator");
            if numbers.len() <= 3 {
                out.push_str(&numbers.join(sep));
            } else {
                let first = Arg::Text(numbers[..3].join(sep));
                let args = [("first", first), ("more", num(numbers.len() - 3)), ("count", num(numbers.len()))];
                fill(out, labels.get("why.list_more"), &args, labels, ids);
            }
        }
        Arg::Joined(numbers) => out.push_str(&numbers.join(labels.get("why.list_separator"))),
        Arg::Term(section, term) if zh => out.push_str(labels.get_or(&format!("{section}.{term}"), term)),
        Arg::Term(_, term) => out.push_str(term),
        Arg::Roles(roles) => {
            let words: Vec<&str> =
                roles.iter().map(|r| if zh { labels.get_or(&format!("role.{r}"), r) } else { r.as_str() }).collect();
            out.push_str(&words.join("/"));
        }
        Arg::Word(key) => out.push_str(labels.get(&format!("why.{key}"))),
        Arg::Why(why) => why.write(out, labels, ids),
        Arg::Said(reason) => out.push_str(&reason.render(labels)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_reads_in_both_languages() {
        let invoices = Arg::Invoices(["A-1", "A-2", "A-3", "A-4", "A-5"].map(String::from).to_vec());
        let why = Why::new(
            "ladder_message",
            vec![
                ("invoices", invoices),
                ("timing", Arg::Why(Why::new("past_due", vec![("days", Arg::Days(35))]))),
                ("stage", Arg::Stage("overdue_notice".into())),
            ],
        )
        .then("first_contact", vec![("due", Arg::Stage("legal_review".into()))]);
        assert_eq!(
            why.english(),
            "A-1, A-2, A-3 and 2 more: 35 days past due; stage overdue_notice (first contact: legal_review is due, but a first contact goes no higher)"
        );
        // The English workbook names the stages.
        assert_eq!(
            why.render(Labels::of(Lang::En)),
            "A-1, A-2, A-3 and 2 more: 35 days past due; stage Overdue notice (first contact: Legal review is due, but a first contact goes no higher)"
        );
        assert_eq!(
            why.render(Labels::of(Lang::Zh)),
            "A-1、A-2、A-3 等 5 张：逾期 35 天；阶段：逾期通知（首次联系：按天数应为「法务评估」，首次联系不超过本阶段）"
        );
    }

    #[test]
    fn a_value_with_braces_is_shown_as_it_is() {
        let why = Why::new("disputed_customer", vec![("customer", "ACME {note}".into())])
            .then("note", vec![("note", "{customer}".into())]);
        assert_eq!(why.english(), "ACME {note} disputes its invoices: {customer}");
    }
}
