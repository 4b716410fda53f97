//! The errors that stop a run, each naming where it happened ([`Location`]).
//! Bad rows are not errors: they become `normalize::Rejected` values.
use std::fmt;
use std::path::PathBuf;

/// Where a problem was found: file, and when known the sheet, row (1-based, as the user
/// sees it in Excel or a text editor) and column header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The input file.
    pub file: PathBuf,
    /// Worksheet name, for workbooks.
    pub sheet: Option<String>,
    /// 1-based row number.
    pub row: Option<usize>,
    /// Column header (or letter when the header is empty).
    pub column: Option<String>,
}

impl Location {
    /// A location naming only a file.
    #[must_use]
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self { file: file.into(), ..Self::default() }
    }

    /// The same location narrowed to a sheet.
    #[must_use]
    pub fn with_sheet(mut self, sheet: Option<String>) -> Self {
        self.sheet = sheet;
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet \"{sheet}\"")?;
        }
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column \"{column}\"")?;
        }
        Ok(())
    }
}

/// Everything that makes payback give up on a run (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input file could not be opened or parsed at all.
    #[error("{location}: cannot read the file: {reason}")]
    Unreadable {
        /// Which file.
        location: Location,
        /// The underlying cause, in words.
        reason: String,
    },
    /// `--sheet` (or the rules file) names a sheet the workbook does not have.
    #[error("{location}: there is no sheet named \"{sheet}\"; the workbook has: {available}")]
    UnknownSheet {
        /// Which file.
        location: Location,
        /// The requested sheet.
        sheet: String,
        /// The sheet names present, quoted and comma-separated.
        available: String,
    },
    /// The sheet holds no header row at all.
    #[error("{location}: the sheet is empty: no header row found")]
    NoHeader {
        /// Which file and sheet.
        location: Location,
    },
    /// A required canonical field matched no column.
    #[error(
        "{location}: no column for required field `{field}`; the headers are: {headers}. \
         Name it with --map {field}=HEADER or under [input.invoices.columns] in the rules file"
    )]
    MissingColumn {
        /// Which file and sheet.
        location: Location,
        /// The canonical field name.
        field: &'static str,
        /// The headers found, quoted and comma-separated.
        headers: String,
    },
    /// Required canonical fields matched no column: all of them at once, each with the
    /// closest headers of the file and the `--map` that would read it.
    #[error(
        "{location}: no column for {missing}; the headers are: {headers}. \
         Name {which} or under [input.invoices.columns] in the rules file"
    )]
    MissingColumns {
        /// Which file and sheet.
        location: Location,
        /// One field (`required field` and its name, closest headers) or several
        /// (`2 required fields: …`).
        missing: String,
        /// `it with --map due_date=HEADER` or `each with --map FIELD=HEADER`.
        which: String,
        /// The headers found, quoted and comma-separated.
        headers: String,
    },
    /// A column that looks like the amount still open is not read, while nothing says how
    /// much of each invoice is open: the full invoice amounts would be aged.
    #[error(
        "{location}: column \"{header}\" looks like the amount still open, but no open or paid amount is read, \
         so every invoice would count as wholly unpaid. Read it with {fix}, \
         or say the file has no open amount with --map open_amount= (nothing after the =)"
    )]
    UnreadOpenAmount {
        /// Which file and sheet.
        location: Location,
        /// The header.
        header: String,
        /// `--map open_amount=Balance`.
        fix: String,
    },
    /// A file's text dates are written in two day/month orders.
    #[error(
        "{location}: {detail}; set --date-order (or date_order under [input] in the rules file) to the order of the file"
    )]
    DateOrderConflict {
        /// Which file and sheet.
        location: Location,
        /// The two rows, their columns and values.
        detail: String,
    },
    /// The amounts read in one currency add up past what payback sums exactly:
    /// each is within `limits.max_amount`, together they are beyond any real ledger.
    #[error(
        "{location}: the amounts read in {currency} add up to more than {budget} (in minor units) by this row, \
         past what payback can sum exactly; no real ledger comes near it: check the file's amounts"
    )]
    AmountsBeyondSums {
        /// The row that passes the budget: file, sheet, row and amount column.
        location: Location,
        /// Its currency.
        currency: String,
        /// The budget, in minor units.
        budget: i64,
    },
    /// A column mapping (`--map` or rules) is malformed or names a header that is absent.
    #[error("{origin}: {reason}")]
    BadMapping {
        /// `--map customer=Client` or the rules file key.
        origin: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Two columns both look like the same field and nothing says which to use.
    #[error(
        "{location}: columns \"{first}\" and \"{second}\" both look like `{field}`; \
         choose one with --map {field}=HEADER"
    )]
    AmbiguousColumn {
        /// Which file and sheet.
        location: Location,
        /// The canonical field.
        field: &'static str,
        /// First candidate header.
        first: String,
        /// Second candidate header.
        second: String,
    },
    /// The rules file is missing, not valid TOML, or fails validation.
    #[error("{file}: {reason}")]
    Rules {
        /// The rules file (or `built-in defaults`).
        file: PathBuf,
        /// Every problem found, one per line.
        reason: String,
    },
    /// A command-line value is not allowed.
    #[error("{option}: {reason}")]
    BadOption {
        /// The option as typed, e.g. `--as-of`.
        option: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A message template failed: missing, malformed, or using an undefined variable.
    #[error("template {place}: {reason}")]
    Template {
        /// The file (and line) at fault.
        place: String,
        /// What is wrong.
        reason: String,
    },
    /// A message could not be built or sent.
    #[error("email: {reason}")]
    Email {
        /// What went wrong.
        reason: String,
    },
    /// `--strict` and rows were rejected: nothing is written.
    #[error("--strict: {count} rows rejected, no report written:\n{problems}")]
    Strict {
        /// Number of rejected rows.
        count: usize,
        /// One line per problem.
        problems: String,
    },
    /// Another run holds the state folder.
    #[error("another payback run is using the state folder (lock {path}); wait for it to finish and run again")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// The state database (`state/payback.db`) cannot be opened, read or written.
    #[error("{path}: {reason}")]
    State {
        /// The database file.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The output folder or a file in it could not be written.
    #[error("cannot write {path}: {reason}")]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// The operating-system reason.
        reason: String,
    },
    /// A file or folder could not be written: the operating system's reason is the cause.
    #[error("cannot write {path}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system (or the CSV writer) said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The workbook writer refused a sheet, cell or setting.
    #[error("cannot write the workbook {what}")]
    Workbook {
        /// The sheet or file being written.
        what: String,
        /// The writer's error (or the frame's, read for it).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A library payback uses failed where payback did not expect it to (a bug).
    #[error("this is a bug in payback, please report it")]
    Library {
        /// The library's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Something payback itself got wrong.
    #[error("this is a bug in payback, please report it: {0}")]
    Internal(String),
}

impl Error {
    /// An [`Error::Email`] prefixed with the message it is about (its file, stage,
    /// customer and invoices); other errors unchanged.
    #[must_use]
    pub fn about_message(self, message: &str) -> Self {
        match self {
            Self::Email { reason } => Self::Email { reason: format!("{message}: {reason}") },
            other => other,
        }
    }

    /// The process exit code for this error: always 2 ("could not run").
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        2
    }

    /// Wraps an unexpected library error (polars, JSON) as [`Error::Library`], kept as the
    /// cause.
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Library { source: Box::new(err) }
    }

    /// An [`Error::Write`] of `path`.
    pub fn write(path: impl Into<PathBuf>, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Write { path: path.into(), source: source.into() }
    }

    /// The error and its causes, one per line: the error first, then `caused by: …` for
    /// each cause (what `main` prints).
    #[must_use]
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(err) = cause {
            text.push_str("\ncaused by: ");
            text.push_str(&err.to_string());
            cause = err.source();
        }
        text
    }
}

/// The result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
