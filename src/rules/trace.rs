//! Why an invoice got its action: every rule considered, matched or not, in order. The
//! `explain` command prints it; the engine builds it while deciding.
use std::fmt;

/// One rule considered for one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// The rule, e.g. `hold: disputed` or `stage overdue_notice`.
    pub rule: String,
    /// Whether it applied.
    pub matched: bool,
    /// Why or why not, in words.
    pub why: String,
}

/// The trace of one open invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceTrace {
    /// Customer name.
    pub customer: String,
    /// Invoice number.
    pub invoice_no: String,
    /// Days past due on the as-of date.
    pub days_past_due: i64,
    /// Rules in the order considered.
    pub lines: Vec<TraceLine>,
    /// What was decided.
    pub outcome: String,
}

impl InvoiceTrace {
    /// Records a rule and whether it matched.
    pub fn note(&mut self, rule: impl Into<String>, matched: bool, why: impl Into<String>) {
        self.lines.push(TraceLine { rule: rule.into(), matched, why: why.into() });
    }
}

impl fmt::Display for InvoiceTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {} — {} days past due", self.customer, self.invoice_no, self.days_past_due)?;
        for line in &self.lines {
            writeln!(f, "  [{}] {}: {}", if line.matched { "x" } else { " " }, line.rule, line.why)?;
        }
        write!(f, "  => {}", self.outcome)
    }
}
