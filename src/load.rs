//! Loading one input file end to end: ingest the sheet, choose the export preset, resolve
//! the columns and normalize the rows. `run` and `check` both start here.
use std::path::Path;

use crate::config::RunConfig;
use crate::error::Result;
use crate::ingest;
use crate::normalize::columns::ColumnMap;
use crate::normalize::presets::{self, Preset};
use crate::normalize::schema::{Field, header_key};
use crate::normalize::value::ValueFormat;
use crate::normalize::{self, Normalized};

/// Reads `path` with the settings of `config`.
///
/// # Errors
/// Ingest errors (unreadable file, unknown sheet, no header), an unknown `--preset`, and
/// column errors (missing or ambiguous columns, a mapped header that is absent).
pub fn load(path: &Path, config: &RunConfig) -> Result<Normalized> {
    let presets = presets::all()?;
    let known = |text: &str| {
        let key = header_key(text);
        Field::recognises(&key)
            || presets.iter().any(|p| p.knows(&key))
            || config.mappings().iter().any(|m| header_key(&m.header) == key)
    };
    let table = ingest::read_table(path, config.sheet(), config.encoding(), &config.rules().limits, &known)?;
    let preset: Option<&Preset> = match config.preset() {
        Some(name) => Some(presets::named(&presets, name)?),
        None => presets::detect(&presets, &table.headers),
    };
    let mut mappings = config.mappings().to_vec();
    let mut ignore = Vec::new();
    let mut optional = Vec::new();
    if let Some(preset) = preset {
        mappings.extend(preset.mappings(&table.headers));
        ignore = preset.ignored();
        if preset.customer_from_heading {
            optional.push(Field::Customer);
        }
    }
    let columns = ColumnMap::resolve(&table.headers, &mappings, &ignore, &optional, &table.source.location())?;
    let base = config.value_format();
    let options = normalize::Options {
        default_currency: config.default_currency().clone(),
        format: ValueFormat {
            date_order: base.date_order.or(preset.and_then(|p| p.date_order)),
            decimal_comma: base.decimal_comma || preset.is_some_and(|p| p.decimal_comma),
            date1904: false,
        },
        customer_from_heading: preset.is_some_and(|p| p.customer_from_heading),
    };
    let mut normalized = normalize::normalize(&table, &columns, &options);
    normalized.preset = preset.map(|p| p.name.clone());
    Ok(normalized)
}
