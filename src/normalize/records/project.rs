//! Our projects: their manager, go-live and acceptance, open issues.
use chrono::NaiveDate;

use super::Fields;
use crate::normalize::value::ValueFormat;

/// One of our projects at a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Project name, as on the invoices.
    pub project: String,
    /// Customer name.
    pub customer: String,
    /// Our project manager (name or email).
    pub project_manager: Option<String>,
    /// The project manager's name, when `project_manager` is an address.
    pub project_manager_name: Option<String>,
    /// When the system went live.
    pub go_live_date: Option<NaiveDate>,
    /// When the customer accepted the work.
    pub acceptance_date: Option<NaiveDate>,
    /// Open critical problems on the project.
    pub open_critical_issues: u32,
    /// A line on how the project stands.
    pub status_note: Option<String>,
}

/// Builds a [`Project`] from a row.
pub fn project(
    f: &Fields<'_>,
    format: ValueFormat,
) -> std::result::Result<Project, Vec<crate::normalize::reason::Reason>> {
    let mut problems = Vec::new();
    let project = Project {
        project: f.required("project", &mut problems),
        customer: f.required("customer", &mut problems),
        project_manager: f.text("project_manager"),
        project_manager_name: f.text("project_manager_name"),
        go_live_date: f.date("go_live_date", format, &mut problems),
        acceptance_date: f.date("acceptance_date", format, &mut problems),
        open_critical_issues: f.count("open_critical_issues", &mut problems),
        status_note: f.text("status_note"),
    };
    if problems.is_empty() { Ok(project) } else { Err(problems) }
}
