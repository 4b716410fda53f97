//! Loading one input file end to end: ingest the sheet, choose the export preset, resolve
//! the columns and normalize the rows; and the record tables (contacts, projects,
//! follow-ups). `run`, `check` and `explain` all start here.
use crate::config::{InputFile, RunConfig};
use crate::error::{Error, Result};
use crate::ingest;
use crate::ingest::SourceRef;
use crate::normalize::columns::{ColumnMap, map_option};
use crate::normalize::combine;
use crate::normalize::presets::{self, Preset};
use crate::normalize::reason::Reason;
use crate::normalize::records::{self, Contact, Followup, Milestone, Payment, Project};
use crate::normalize::references::{self, NotMatched};
use crate::normalize::schema::{Field, HeaderName, header_key};
use crate::normalize::table::Table;
use crate::normalize::unread::{Holds, looks_like_open_amount};
use crate::normalize::value::ValueFormat;
use crate::normalize::{self, Normalized, Rejected};

/// Reads `path` with the settings of `config`.
///
/// # Errors
/// Ingest errors (unreadable file, unknown sheet, no header), an unknown `--preset`, and
/// column errors (missing or ambiguous columns, a mapped header that is absent).
pub(crate) fn load(file: &InputFile, config: &RunConfig) -> Result<Normalized> {
    let path = file.path.as_path();
    let presets = presets::all()?;
    let known = |text: &str| {
        let name = HeaderName::new(text);
        Field::recognises(&name)
            || presets.iter().any(|p| p.knows(&name.key))
            || config.mappings().iter().any(|m| !m.is_absent() && header_key(&m.header) == name.key)
    };
    let limits = &config.rules().limits;
    ingest::with_table(path, file.sheet.as_deref(), config.encoding(), limits, &known, |head, rows| {
        let preset: Option<&Preset> = match config.preset() {
            Some(name) => Some(presets::named(&presets, name)?),
            None => presets::detect(&presets, &head.headers),
        };
        let mut mappings = config.mappings().to_vec();
        let mut ignore = Vec::new();
        let mut optional = Vec::new();
        if let Some(preset) = preset {
            mappings.extend(preset.mappings(&head.headers));
            ignore = preset.ignored();
            if preset.customer_from_heading {
                optional.push(Field::Customer);
            }
        }
        let columns = ColumnMap::resolve(&head.headers, &mappings, &ignore, &optional, &head.source.location())?;
        let base = config.value_format();
        let options = normalize::Options {
            default_currency: config.default_currency().clone(),
            currency_origin: config.default_currency_origin().to_owned(),
            default_term_days: config.rules().input.default_term_days,
            // The user's order wins over the file's values; a preset's is used only when
            // the values settle none.
            format: ValueFormat {
                date_order: base.date_order,
                decimal_comma: base.decimal_comma || preset.is_some_and(|p| p.decimal_comma),
                date1904: false,
            },
            date_order_origin: config.date_order_origin().to_owned(),
            fallback_date_order: preset
                .and_then(|p| Some((p.date_order?, Reason::new("preset", vec![("name", p.name.as_str().into())])))),
            customer_from_heading: preset.is_some_and(|p| p.customer_from_heading),
            limits: *limits,
        };
        // The rows are typed chunk by chunk while the reader goes on.
        let mut typing = normalize::Normalizer::new(&head, &columns, &options);
        if let Some(rows) = rows.rows_hint() {
            typing.expect(rows);
        }
        while let Some(chunk) = rows.next_chunk()? {
            typing.push(chunk)?;
        }
        let mut normalized = typing.finish(rows.take_skipped());
        normalized.preset = preset.map(|p| p.name.clone());
        check_open_amount(&normalized, &columns, &ignore)?;
        Ok(normalized)
    })
}

/// Never silently the wrong amount column: when no open or paid amount is read
/// (and the user did not say the file has none), a column of amounts whose header says
/// it is what is still owed stops the run, naming it and the `--map` that reads it.
///
/// # Errors
/// [`Error::UnreadOpenAmount`].
fn check_open_amount(normalized: &Normalized, columns: &ColumnMap, ignore: &[Field]) -> Result<()> {
    let said = |f: Field| columns.get(f).is_some() || columns.is_absent(f) || ignore.contains(&f);
    if said(Field::OpenAmount) || said(Field::PaidAmount) {
        return Ok(());
    }
    let unread = normalized.unread.iter().filter(|c| c.holds == Holds::Amounts);
    match unread.map(|c| &c.header).find(|h| looks_like_open_amount(h)) {
        Some(header) => Err(Error::UnreadOpenAmount {
            location: normalized.source.location(),
            header: header.clone(),
            fix: map_option(Field::OpenAmount, header),
        }),
        None => Ok(()),
    }
}

/// Everything a run reads: the invoices (combined) and the record tables.
#[derive(Debug, Clone)]
pub(crate) struct Inputs {
    /// The invoice files, combined.
    pub batch: crate::normalize::combine::Batch,
    /// Contacts, projects, follow-ups.
    pub records: Records,
}

/// The record tables of a run; each empty when its file is not given.
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// Contacts at customers.
    pub contacts: Vec<Contact>,
    /// Our projects.
    pub projects: Vec<Project>,
    /// Follow-up facts.
    pub followups: Vec<Followup>,
    /// Contract payment milestones.
    pub milestones: Vec<Milestone>,
    /// Payments received (empty without `--payments`).
    pub payments: Vec<Payment>,
    /// Record rows that could not be used, with their file.
    pub rejected: Vec<(SourceRef, Rejected)>,
    /// Rows of the side files naming a customer, invoice or project that is not in the
    /// invoices (or the projects); each is on the Rejected sheet as well.
    pub not_matched: Vec<NotMatched>,
}

/// Reads every input named in `config`.
///
/// # Errors
/// As [`load`], for each file.
pub(crate) fn load_inputs(config: &RunConfig) -> Result<Inputs> {
    let parts = config.invoices().iter().map(|file| load(file, config)).collect::<Result<Vec<_>>>()?;
    // No sum of the amounts read can wrap.
    normalize::sum_budget::check_invoices(&parts)?;
    let input = &config.rules().input;
    let mut batch = combine::combine(parts, input.duplicates, input.invoice_lines);
    // Balances as of the as-of date: what the export shows as paid after it is open again.
    batch.reopened = crate::normalize::point_in_time::restate(&mut batch.invoices, config.as_of());
    let format = config.value_format();
    let mut records = Records::default();
    let mut contacts = load_records(config, &records::CONTACTS, records::contact)?;
    let mut projects = load_records(config, &records::PROJECTS, |f| records::project(f, format))?;
    let mut followups = load_records(config, &records::FOLLOWUPS, |f| records::followup(f, format))?;
    let mut milestones = load_records(config, &records::MILESTONES, |f| records::milestone(f, format))?;
    // The names in the side files are looked up in the invoices before anything uses them.
    let tables = references::Tables {
        contacts: contacts.as_mut(),
        projects: projects.as_mut(),
        followups: followups.as_mut(),
        milestones: milestones.as_mut(),
    };
    records.not_matched = references::check(&batch.invoices, tables);
    if let Some(read) = contacts {
        // A contact written to in a language needs the company's details in it.
        let company = &config.rules().company;
        for contact in &read.rows {
            let lang = contact.language.as_deref().unwrap_or(&company.language);
            let why = format!("contact {} of {} ({})", contact.email, contact.customer, read.source.describe());
            if let Some(reason) = company.identity_problem(lang, &why) {
                return Err(crate::error::Error::Rules { file: config.rules_origin().into(), reason });
            }
        }
        records.contacts = read.rows;
        records.rejected.extend(with_not_matched(&read.source, read.rejected, &records.not_matched, Table::Contacts));
    }
    if let Some(read) = projects {
        records.projects = read.rows;
        records.rejected.extend(with_not_matched(&read.source, read.rejected, &records.not_matched, Table::Projects));
    }
    if let Some(read) = followups {
        records.followups = read.rows;
        records.rejected.extend(with_not_matched(&read.source, read.rejected, &records.not_matched, Table::Followups));
    }
    if let Some(read) = milestones {
        records.milestones = read.rows;
        records.rejected.extend(with_not_matched(&read.source, read.rejected, &records.not_matched, Table::Milestones));
    }
    let currency = config.default_currency().clone();
    let limits = config.rules().limits;
    if let Some(read) = load_records(config, &records::PAYMENTS, |f| records::payment(f, format, &currency, &limits))? {
        normalize::sum_budget::check_payments(&read.source, &read.rows)?;
        records.payments = read.rows;
        records.rejected.extend(read.rejected.into_iter().map(|r| (read.source.clone(), r)));
    }
    Ok(Inputs { batch, records })
}

/// The rejected rows of one side file with its rows not matched, in row order.
fn with_not_matched(
    source: &SourceRef,
    mut rejected: Vec<Rejected>,
    not_matched: &[NotMatched],
    table: Table,
) -> Vec<(SourceRef, Rejected)> {
    rejected.extend(not_matched.iter().filter(|n| n.table == table.name()).map(NotMatched::rejected));
    rejected.sort_by_key(|r| r.row);
    rejected.into_iter().map(|r| (source.clone(), r)).collect()
}

/// Reads the file given for `kind`, if any.
fn load_records<T>(
    config: &RunConfig,
    kind: &records::TableKind,
    build: impl Fn(&records::Fields<'_>) -> std::result::Result<T, Vec<Reason>>,
) -> Result<Option<records::Read<T>>> {
    let Some(file) = config.record_file(kind.table) else { return Ok(None) };
    let mappings = config.record_mappings(kind.table);
    let known = |text: &str| kind.knows(text) || mappings.values().any(|h| header_key(h) == header_key(text));
    let table =
        ingest::read_table(&file.path, file.sheet.as_deref(), config.encoding(), &config.rules().limits, &known)?;
    let columns = kind.resolve(&table.head.headers, &mappings, &table.head.source.location())?;
    Ok(Some(records::read(&table, kind, &columns, build)))
}
