//! The input tables a run reads: the invoices and the five side tables.

/// One input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// The open invoices (one or more files, combined).
    Invoices,
    /// Payments received (the bank statement).
    Payments,
    /// Contacts at the customers.
    Contacts,
    /// Our projects.
    Projects,
    /// The contracts' payment milestones.
    Milestones,
    /// Follow-up facts: promises, disputes, stuck approvals.
    Followups,
}

impl Table {
    /// Every table, in the order a workbook's sheets are looked for.
    pub const ALL: [Self; 6] =
        [Self::Invoices, Self::Payments, Self::Contacts, Self::Projects, Self::Milestones, Self::Followups];

    /// The side tables (all but the invoices), in the order they are named to the user.
    pub const RECORDS: [Self; 5] = [Self::Contacts, Self::Projects, Self::Followups, Self::Milestones, Self::Payments];

    /// The name in options, the rules file and messages: `invoices`, `contacts`, ….
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Invoices => "invoices",
            Self::Payments => "payments",
            Self::Contacts => "contacts",
            Self::Projects => "projects",
            Self::Milestones => "milestones",
            Self::Followups => "followups",
        }
    }

    /// The side table named `name` (as in `--map contacts.email=…`).
    #[must_use]
    pub fn record(name: &str) -> Option<Self> {
        Self::RECORDS.into_iter().find(|t| t.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for table in Table::RECORDS {
            assert_eq!(Table::record(table.name()), Some(table));
        }
        assert_eq!(Table::record("invoices"), None);
        assert_eq!(Table::record("contact"), None);
    }
}
