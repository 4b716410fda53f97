//! Why a row was refused, as words of either language: clauses, each a key of
//! the catalogue's `[reason]` section with its values, instead of a sentence glued in
//! English. Normalize and the ledger build it (a rejected row, a side file's reference not
//! found, the day/month order of a file, a payment a person must place); `check`,
//! `summary.json` and the log keep the English sentence ([`Reason::english`], rendered
//! from `templates/en`: the script contract), the Chinese workbook renders it from
//! `templates/zh`. The engine's own reasons are `rules::why::Why`, above this layer.
use std::fmt;

use crate::catalogue::{Labels, Lang, fill_template};
use crate::ingest::SourceRef;

/// A reason: clauses rendered one after the other (a clause's words carry their own
/// separator: `"; "` is the clause `semicolon`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reason(Vec<Clause>);

/// One clause: `[reason] key` with its values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// A value in a reason, rendered in the reason's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is: the inputs' own values and headers, numbers, amounts, dates.
    Text(String),
    /// A word of the catalogue's `[reason]` section (`customer`, `order_dmy`).
    Word(&'static str),
    /// A field name of the inputs (`payment_date`, `invoice_no`): the name itself in
    /// English (what `--map` and the rules file say), the catalogue's `[field]` word in
    /// Chinese.
    Field(&'static str),
    /// Values joined by `, ` (`、` in Chinese).
    List(Vec<String>),
    /// Values joined by ` or ` (`或` in Chinese).
    Or(Vec<String>),
    /// An input file (and sheet), in the reader's words.
    Source(SourceRef),
    /// A reason inside a reason.
    Reason(Reason),
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

impl From<Reason> for Arg {
    fn from(reason: Reason) -> Self {
        Self::Reason(reason)
    }
}

/// A number or date shown as it is.
#[must_use]
pub fn num(n: impl fmt::Display) -> Arg {
    Arg::Text(n.to_string())
}

impl Reason {
    /// The reason of one clause.
    #[must_use]
    pub fn new(key: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        Self(vec![Clause { key, args }])
    }

    /// A reason that is a text of its own (where a file or option set something).
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self::new("text", vec![("text", Arg::Text(text.into()))])
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

    /// `reasons` one after the other, the clause `separator` (`semicolon`, `comma`)
    /// between two.
    #[must_use]
    pub fn join(reasons: impl IntoIterator<Item = Self>, separator: &'static str) -> Self {
        let mut out = Self::default();
        for (i, reason) in reasons.into_iter().enumerate() {
            if i > 0 {
                out.push(separator, Vec::new());
            }
            out.0.extend(reason.0);
        }
        out
    }

    /// Whether it holds no clause.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A cell's reason behind its column's header: `Due Date is empty`, `Amount: "1.5k" is
    /// not an amount` (a reason that reads as a predicate goes after the header with a
    /// space, any other after a colon).
    #[must_use]
    pub fn at_column(self, column: &str) -> Self {
        let key = if self.english().starts_with("is ") { "column_is" } else { "column" };
        Self::new(key, vec![("column", column.into()), ("reason", self.into())])
    }

    /// `reason` behind a column's header and a colon, whatever it reads like: `Paid Date:
    /// "x" is not a date`.
    #[must_use]
    pub fn colon(column: &str, reason: Self) -> Self {
        Self::new("column", vec![("column", column.into()), ("reason", reason.into())])
    }

    /// A reason behind a field's name: `payment_date: …`, `amount: …`.
    #[must_use]
    pub fn at_field(self, field: &'static str) -> Self {
        Self::new("field_colon", vec![("field", Arg::Field(field)), ("reason", self.into())])
    }

    /// The English sentence: the Rejected rows of `check` and `summary.json`, the log (the
    /// script contract).
    #[must_use]
    pub fn english(&self) -> String {
        self.render(Labels::of(Lang::En))
    }

    /// The reason in the words of `labels`, for a person (the workbook).
    #[must_use]
    pub fn render(&self, labels: &Labels) -> String {
        let mut out = String::new();
        self.write(&mut out, labels);
        out
    }

    fn write(&self, out: &mut String, labels: &Labels) {
        for clause in &self.0 {
            fill(out, labels.get(&format!("reason.{}", clause.key)), &clause.args, labels);
        }
    }
}

/// `amount` in minor units of `currency` within `limits.max_amount`, or why not (the
/// reasons of `Currency::to_minor` and `Limits::check_amount`, as words of either language).
///
/// # Errors
/// Too many decimal places for the currency, too large, above the limit.
pub fn minor(
    currency: &crate::money::Currency,
    amount: rust_decimal::Decimal,
    limits: &crate::ingest::Limits,
) -> Result<i64, Reason> {
    let minor = currency.to_minor(amount).map_err(|_| {
        let places = currency.exponent();
        if amount.round_dp(places) == amount {
            Reason::new("too_large", vec![("value", num(amount))])
        } else {
            let code = currency.code().into();
            Reason::new("too_many_decimals", vec![("value", num(amount)), ("places", num(places)), ("currency", code)])
        }
    })?;
    limits
        .check_amount(minor, currency.exponent())
        .map(|()| minor)
        .map_err(|_| Reason::new("above_limit", vec![("max", num(limits.max_amount))]))
}

/// `date` when within `limits.min_date..=limits.max_date`, or why not (the reason of
/// `Limits::check_date`).
///
/// # Errors
/// The date is outside the range.
pub fn date_in_limits(limits: &crate::ingest::Limits, date: chrono::NaiveDate) -> Result<chrono::NaiveDate, Reason> {
    limits.check_date(date).map_err(|_| {
        Reason::new(
            "outside_dates",
            vec![("date", num(date)), ("min", num(limits.min_date)), ("max", num(limits.max_date))],
        )
    })
}

impl fmt::Display for Reason {
    /// The English sentence ([`Reason::english`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

/// Appends `template` with each `{name}` replaced by its value ([`fill_template`]).
fn fill(out: &mut String, template: &str, args: &[(&str, Arg)], labels: &Labels) {
    fill_template(out, template, |out, name| {
        let arg = args.iter().find(|(n, _)| *n == name);
        arg.inspect(|(_, arg)| render_arg(out, arg, labels)).is_some()
    });
}

fn render_arg(out: &mut String, arg: &Arg, labels: &Labels) {
    match arg {
        Arg::Text(text) => out.push_str(text),
        Arg::Word(key) => out.push_str(labels.get(&format!("reason.{key}"))),
        Arg::Field(name) => out.push_str(labels.get_or(&format!("field.{name}"), name)),
        Arg::List(values) => out.push_str(&values.join(labels.get("reason.list_separator"))),
        Arg::Or(values) => out.push_str(&values.join(labels.get("reason.or"))),
        Arg::Source(source) => out.push_str(&labels.source(source)),
        Arg::Reason(reason) => reason.write(out, labels),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_reads_in_both_languages() {
        let zh = Labels::of(Lang::Zh);
        let reason = Reason::new("not_a_day", vec![("value", "2/30/2026".into())]).at_column("Invoice Date");
        assert_eq!(reason.english(), "Invoice Date: \"2/30/2026\" is not a day of the calendar");
        assert_eq!(reason.render(zh), "“Invoice Date”列：“2/30/2026”不是日历上的日期");
        // A predicate follows the header with a space in English.
        let empty = Reason::new("is_empty", vec![]).at_column("到期日");
        assert_eq!((empty.english(), empty.render(zh)), ("到期日 is empty".into(), "“到期日”列为空".into()));
        let date = Reason::new("not_a_date", vec![("value", "yesterday".into())]).at_field("payment_date");
        let both = Reason::join([empty, date], "semicolon");
        assert_eq!(both.to_string(), "到期日 is empty; payment_date: \"yesterday\" is not a date");
        assert_eq!(both.render(zh), "“到期日”列为空；收款日期：“yesterday”不是日期");
    }

    #[test]
    fn a_value_with_braces_is_shown_as_it_is() {
        let reason = Reason::new("not_a_date", vec![("value", "{value}".into())]);
        assert_eq!(reason.english(), "\"{value}\" is not a date");
    }
}
