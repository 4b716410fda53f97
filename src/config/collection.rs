//! `[collection]` in the rules file: the escalation ladder by days past due, the special
//! actions (milestone request, approval status report), holds and cadence — and their
//! validation.
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::normalize::records::Role;

/// `[collection]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionSpec {
    /// Never send two messages to the same address within this many days.
    pub cadence_days: i64,
    /// A payment that has sat at one stage of the customer's approval for this many days
    /// gets a status report to the approver instead of another reminder.
    pub stuck_after_days: i64,
    /// The ladder, in order of escalation.
    pub stages: Vec<StageSpec>,
    /// Asking for the milestone payment right after go-live or acceptance.
    pub milestone_request: MilestoneRequestSpec,
    /// The status report to an approver when a payment is stuck in their process.
    pub approval_status_report: MessageSpec,
    /// Which holds apply.
    pub holds: HoldsSpec,
    /// Days a demand letter gives the customer to pay.
    pub demand_deadline_days: i64,
    /// The highest stage a first contact may take, whatever the age of the debt (
    /// no "despite our earlier reminders" to a customer never reminded); none = any.
    #[serde(default)]
    pub max_first_stage: Option<String>,
    /// Who follows up holds (disputes, promises) on invoices without a project manager.
    #[serde(default)]
    pub owner: Option<String>,
}

/// The date a stage's window counts days from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relative {
    /// Days past the due date (negative before it).
    #[default]
    DueDate,
    /// Days since the invoice date.
    InvoiceDate,
}

/// Whether a stage sends a message or asks our side to act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// A message to the customer's contacts.
    Message,
    /// A task for our side (legal review, suspending work).
    Manual,
}

/// One `[[collection.stages]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSpec {
    /// The stage id, e.g. `overdue_notice`.
    pub id: String,
    /// What the window's days count from.
    #[serde(default)]
    pub relative_to: Relative,
    /// First day past due (inclusive; negative = before the due date); none = open.
    #[serde(default)]
    pub from_days: Option<i64>,
    /// Last day past due (inclusive); none = open.
    #[serde(default)]
    pub to_days: Option<i64>,
    /// Message or manual task.
    pub kind: StageKind,
    /// Recipient roles: `billing`, `finance`, `approver`, `project` (the customer's) and
    /// `project_manager` (ours).
    #[serde(default)]
    pub to: Vec<Recipient>,
    /// Copy roles, as `to`.
    #[serde(default)]
    pub cc: Vec<Recipient>,
    /// Template name (for messages).
    #[serde(default)]
    pub template: Option<String>,
    /// Skip this stage for invoices whose open amount is below this (the stage before
    /// applies instead), e.g. no demand letter under 500.
    #[serde(default)]
    pub min_amount: Option<Decimal>,
    /// Repeat this stage every this many days while the account stays at it (the top
    /// stages: a demand letter every 14 days, legal review re-listed every 30); none = the
    /// account waits for the next stage.
    #[serde(default)]
    pub repeat_days: Option<i64>,
    /// Who owns a manual stage's task (e.g. legal review), shown in the "in legal" list.
    #[serde(default)]
    pub owner: Option<String>,
}

impl StageSpec {
    /// Whether `days` past due falls in this stage's window.
    #[must_use]
    pub fn contains(&self, days: i64) -> bool {
        self.from_days.is_none_or(|f| days >= f) && self.to_days.is_none_or(|t| days <= t)
    }
}

/// A message's recipients and template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSpec {
    /// Recipient roles.
    pub to: Vec<Recipient>,
    /// Copy roles.
    #[serde(default)]
    pub cc: Vec<Recipient>,
    /// Template name.
    pub template: String,
}

/// `[collection.milestone_request]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneRequestSpec {
    /// Days after go-live or acceptance during which to ask.
    pub window_days: i64,
    /// Recipient roles.
    pub to: Vec<Recipient>,
    /// Copy roles.
    #[serde(default)]
    pub cc: Vec<Recipient>,
    /// Template name.
    pub template: String,
}

/// `[collection.holds]`: which reasons hold collection back (one switch per reason, as the
/// rules file writes them).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldsSpec {
    /// Disputed invoices get no message.
    pub disputed: bool,
    /// A promise to pay with a date after the as-of date holds the invoice.
    pub promise_to_pay: bool,
    /// Open critical issues on the project hold its invoices; our project manager is asked
    /// to fix first.
    pub critical_issues: bool,
    /// Money received but not applied that may pay the customer's invoices (credit on
    /// account, an unmatched payer suggested as the customer, a reference a person must
    /// decide on) holds the customer's messages in that currency.
    pub unapplied_cash_pending: bool,
}

/// The most stages a ladder may have.
pub const MAX_STAGES: usize = 50;

/// The highest `min_amount` of a stage.
pub const MAX_MIN_AMOUNT: i64 = crate::money::MAX_AMOUNT;

/// Whether `name` (a stage id or template name) is letters, digits, `_` and `-` only: it
/// becomes part of file names (`emails/001-ID-….eml`, `templates/en/NAME.txt`).
#[must_use]
pub fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn name_problem(key: &str, name: &str) -> String {
    format!(
        "{key} = \"{}\" may hold only letters, digits, _ and - (it becomes part of a file name)",
        name.escape_debug()
    )
}

/// Roles a rule may name.
pub const ROLES: [&str; 5] = ["billing", "finance", "approver", "project", "project_manager"];

/// Who a message goes to, as the rules file names it: a role at the customer, or our
/// project manager. Read once, exactly (no guessing), when the rules are loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// The customer's contacts with this role (`billing`, `finance`, `approver`,
    /// `project`).
    Contact(Role),
    /// Our project manager of the invoices' projects (`project_manager`).
    ProjectManager,
    /// A name that is no role: the rules are refused, with every other problem at once.
    Unknown(String),
}

impl Recipient {
    /// The recipient the rules file names `name`.
    #[must_use]
    pub fn parse(name: &str) -> Self {
        match name {
            "billing" => Self::Contact(Role::Billing),
            "finance" => Self::Contact(Role::Finance),
            "approver" => Self::Contact(Role::Approver),
            "project" => Self::Contact(Role::Project),
            "project_manager" => Self::ProjectManager,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The name in the rules file and in messages.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Contact(role) => role.as_str(),
            Self::ProjectManager => "project_manager",
            Self::Unknown(name) => name,
        }
    }
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|name| Self::parse(&name))
    }
}

impl CollectionSpec {
    /// Every problem, one sentence each.
    #[must_use]
    pub fn validate(&self) -> Vec<String> {
        use crate::dates::MAX_TERM_DAYS;
        let mut problems = Vec::new();
        // Day counts the run adds to dates: bounded so that no sum overflows.
        for (key, value, min) in [
            ("collection.cadence_days", self.cadence_days, 0),
            ("collection.stuck_after_days", self.stuck_after_days, 1),
            ("collection.demand_deadline_days", self.demand_deadline_days, 1),
            ("collection.milestone_request.window_days", self.milestone_request.window_days, 0),
        ] {
            if !(min..=MAX_TERM_DAYS).contains(&value) {
                problems.push(format!("{key} = {value} must be between {min} and {MAX_TERM_DAYS} days (ten years)"));
            }
        }
        if let Some(first) = &self.max_first_stage
            && self.stage(first).is_none()
        {
            let ids: Vec<&str> = self.stages.iter().map(|s| s.id.as_str()).collect();
            problems.push(format!(
                "collection.max_first_stage = \"{first}\" is not a stage; the stages are: {}",
                ids.join(", ")
            ));
        }
        let mut check_roles = |place: &str, roles: &[Recipient]| {
            for role in roles {
                if let Recipient::Unknown(role) = role {
                    problems.push(format!("{place}: unknown role \"{role}\"; the roles are: {}", ROLES.join(", ")));
                }
            }
        };
        for (i, stage) in self.stages.iter().enumerate() {
            let place = format!("collection.stages[{}] \"{}\"", i + 1, stage.id);
            check_roles(&place, &stage.to);
            check_roles(&place, &stage.cc);
        }
        check_roles("collection.milestone_request", &self.milestone_request.to);
        check_roles("collection.milestone_request", &self.milestone_request.cc);
        check_roles("collection.approval_status_report", &self.approval_status_report.to);
        check_roles("collection.approval_status_report", &self.approval_status_report.cc);
        for (place, template) in [
            ("collection.milestone_request.template", &self.milestone_request.template),
            ("collection.approval_status_report.template", &self.approval_status_report.template),
        ] {
            if !is_name(template) {
                problems.push(name_problem(place, template));
            }
        }
        problems.extend(self.validate_stages());
        problems
    }

    fn validate_stages(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.stages.is_empty() {
            problems.push("collection.stages is empty: give at least one stage".into());
        }
        if self.stages.len() > MAX_STAGES {
            problems
                .push(format!("collection.stages has {} stages; at most {MAX_STAGES} are allowed", self.stages.len()));
        }
        let max_days = crate::dates::MAX_DAY_COUNT;
        for (i, stage) in self.stages.iter().enumerate() {
            let place = format!("collection.stages[{}] \"{}\"", i + 1, stage.id);
            if stage.id.trim().is_empty() || self.stages[..i].iter().any(|s| s.id == stage.id) {
                problems.push(format!("{place}: the id must be unique and not empty"));
            } else if !is_name(&stage.id) {
                // The id is part of the message's file name (emails/001-ID-customer.eml).
                problems.push(name_problem(&format!("collection.stages[{}].id", i + 1), &stage.id));
            }
            if let Some(template) = stage.template.as_deref().filter(|t| !is_name(t)) {
                problems.push(name_problem(&format!("collection.stages[{}].template", i + 1), template));
            }
            for (key, days) in [("from_days", stage.from_days), ("to_days", stage.to_days)] {
                if let Some(days) = days.filter(|d| !(-max_days..=max_days).contains(d)) {
                    problems.push(format!(
                        "collection.stages[{}].{key} = {days} must be between -{max_days} and {max_days} (the days between {} and {})",
                        i + 1,
                        crate::dates::EARLIEST,
                        crate::dates::LATEST
                    ));
                }
            }
            if let Some(min) = stage.min_amount.filter(|m| m.is_sign_negative() || *m > Decimal::from(MAX_MIN_AMOUNT)) {
                problems.push(format!(
                    "collection.stages[{}].min_amount = {min} must be between 0 and {MAX_MIN_AMOUNT}",
                    i + 1
                ));
            }
            if let Some(days) = stage.repeat_days.filter(|d| !(1..=crate::dates::MAX_TERM_DAYS).contains(d)) {
                problems.push(format!(
                    "{place}: repeat_days = {days} must be between 1 and {} days (ten years)",
                    crate::dates::MAX_TERM_DAYS
                ));
            }
            if let (Some(from), Some(to)) = (stage.from_days, stage.to_days)
                && from > to
            {
                problems.push(format!("{place}: from_days = {from} is after to_days = {to}"));
            }
            match stage.kind {
                StageKind::Message if stage.to.is_empty() || stage.template.is_none() => {
                    problems.push(format!("{place}: a message stage needs `to` roles and a `template`"));
                }
                _ => {}
            }
            if let Some(next) = self.stages.get(i + 1) {
                let (Some(to), Some(from)) = (stage.to_days, next.from_days) else {
                    problems.push(format!(
                        "{place}: only the first stage may leave out from_days and only the last may leave out to_days"
                    ));
                    continue;
                };
                if from <= to && stage.relative_to == next.relative_to {
                    problems.push(format!(
                        "{place} ends at day {to} but \"{}\" starts at day {from}: windows overlap",
                        next.id
                    ));
                }
            }
        }
        problems
    }

    /// The stage with `id`.
    #[must_use]
    pub fn stage(&self, id: &str) -> Option<&StageSpec> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// The index of the stage with `id`.
    #[must_use]
    pub fn stage_index(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    /// The index of the highest stage a first contact may take: `max_first_stage`; when
    /// the rules leave it out, `overdue_notice` if the ladder has it, else the first
    /// message stage that starts after the due date, else the last stage.
    #[must_use]
    pub fn first_contact_index(&self) -> usize {
        let last = self.stages.len().saturating_sub(1);
        if let Some(id) = &self.max_first_stage {
            return self.stage_index(id).unwrap_or(last);
        }
        self.stage_index("overdue_notice")
            .or_else(|| {
                self.stages.iter().position(|s| {
                    s.kind == StageKind::Message
                        && s.relative_to == Relative::DueDate
                        && s.from_days.is_some_and(|d| d > 0)
                })
            })
            .unwrap_or(last)
    }

    /// Days before the due date within which an item is "falling due soon": the earliest
    /// `from_days` before the due date among the due-date stages (7 with the default
    /// ladder), 0 when no stage starts before the due date.
    #[must_use]
    pub fn reminder_window_days(&self) -> i64 {
        self.stages
            .iter()
            .filter(|s| s.relative_to == Relative::DueDate)
            .filter_map(|s| s.from_days)
            .min()
            .map_or(0, |d| (-d).max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: &str) -> CollectionSpec {
        let text = format!("{}\n{extra}", include_str!("../../rules/default.toml"));
        let table: toml::Table = toml::from_str(&text).unwrap();
        table["collection"].clone().try_into().unwrap()
    }

    #[test]
    fn a_first_contact_is_capped_at_the_overdue_notice_by_default() {
        let default = spec("");
        assert_eq!(default.stages[default.first_contact_index()].id, "overdue_notice");
        // The window before the due date: reminder_before_due starts 7 days before.
        assert_eq!(default.reminder_window_days(), 7);
        assert!(default.validate().is_empty(), "{:?}", default.validate());
    }

    #[test]
    fn a_ladder_without_overdue_notice_caps_at_its_first_stage_after_the_due_date() {
        let mut own = spec("");
        own.stages.retain(|s| !["overdue_notice", "reminder_before_due"].contains(&s.id.as_str()));
        // due_notice starts on the due date (day 0); escalate_to_approver is the first
        // message stage starting after it.
        assert_eq!(own.stages[own.first_contact_index()].id, "escalate_to_approver");
        assert_eq!(own.reminder_window_days(), 0);
        own.max_first_stage = Some("demand_letter".into());
        assert_eq!(own.stages[own.first_contact_index()].id, "demand_letter");
        own.max_first_stage = Some("demand".into());
        assert_eq!(
            own.validate(),
            [
                "collection.max_first_stage = \"demand\" is not a stage; the stages are: due_notice, escalate_to_approver, demand_letter, legal_review"
            ]
        );
    }
}
