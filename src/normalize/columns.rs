//! Which source column holds which canonical [`Field`]: explicit mappings first (`--map`,
//! then `[input.invoices.columns]`), then the recognised header names.
use std::collections::BTreeMap;

use super::header_words;
use super::schema::{Field, HeaderName, header_key};
use crate::error::{Error, Location, Result};

/// A user's statement that `header` holds `field`, with where it was said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The canonical field.
    pub field: Field,
    /// The source header, as the user typed it.
    pub header: String,
    /// Where it was said, e.g. `--map customer=Client`.
    pub origin: String,
}

impl Mapping {
    /// Parses `FIELD=HEADER` as given to `--map`.
    ///
    /// # Errors
    /// [`Error::BadMapping`] for a missing `=` or an unknown field (with a suggestion).
    pub fn parse_cli(spec: &str) -> Result<Self> {
        let origin = format!("--map {spec}");
        let Some((field, header)) = spec.split_once('=') else {
            return Err(Error::BadMapping {
                origin,
                reason: "write it as FIELD=HEADER, e.g. customer=\"Client Name\"".into(),
            });
        };
        Self::new(field, header, origin)
    }

    /// A mapping from a rules-file key.
    ///
    /// # Errors
    /// [`Error::BadMapping`] for an unknown field.
    pub fn new(field: &str, header: &str, origin: String) -> Result<Self> {
        let Some(parsed) = Field::from_name(field) else {
            return Err(Error::BadMapping { origin, reason: unknown_field(field) });
        };
        if header.trim().is_empty() && parsed.is_required() {
            return Err(Error::BadMapping {
                origin,
                reason: format!("the header is empty, and `{}` is required", parsed.name()),
            });
        }
        Ok(Self { field: parsed, header: header.trim().to_owned(), origin })
    }

    /// `FIELD=` with nothing after the `=`: the file has no such column, and none is looked
    /// for (only for fields that are not required).
    #[must_use]
    pub fn is_absent(&self) -> bool {
        self.header.is_empty()
    }
}

/// `--map field=Header`, quoted for a shell when the header needs it.
#[must_use]
pub fn map_option(field: Field, header: &str) -> String {
    let plain = !header.is_empty() && header.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        format!("--map {}={header}", field.name())
    } else if header.contains('"') {
        format!("--map '{}={header}'", field.name())
    } else {
        format!("--map \"{}={header}\"", field.name())
    }
}

fn unknown_field(field: &str) -> String {
    let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
    let key = header_key(field);
    let suggestion = names
        .iter()
        .find(|n| header_key(n).contains(&key) || key.contains(&header_key(n)))
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default();
    format!("unknown field `{}`{suggestion}; the fields are: {}", field.trim(), names.join(", "))
}

/// The resolved column index of each field found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    index: BTreeMap<Field, usize>,
    /// Fields the user said the file does not have (`--map FIELD=`).
    absent: Vec<Field>,
}

impl ColumnMap {
    /// Whether any field is read from column `index`.
    #[must_use]
    pub fn uses(&self, index: usize) -> bool {
        self.index.values().any(|i| *i == index)
    }

    /// The column index holding `field`, if any.
    #[must_use]
    pub fn get(&self, field: Field) -> Option<usize> {
        self.index.get(&field).copied()
    }

    /// Whether the user said the file has no column for `field` (`--map FIELD=`).
    #[must_use]
    pub fn is_absent(&self, field: Field) -> bool {
        self.absent.contains(&field)
    }

    /// Resolves every field against `headers`. Earlier `mappings` win over later ones for
    /// the same field; fields in `ignore` are not looked for by header name; required fields
    /// in `optional` may be missing (their rows get the value elsewhere). Headers are
    /// recognised as [`HeaderName`]s; among the columns that match a field, the one
    /// matching its most specific alias wins.
    ///
    /// # Errors
    /// [`Error::BadMapping`] when a mapped header is absent, [`Error::AmbiguousColumn`] when
    /// two headers look like the same field, [`Error::MissingColumns`] naming every required
    /// field not found, with the closest headers.
    pub fn resolve(
        headers: &[String],
        mappings: &[Mapping],
        ignore: &[Field],
        optional: &[Field],
        location: &Location,
    ) -> Result<Self> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let names: Vec<HeaderName> = headers.iter().map(|h| HeaderName::new(h)).collect();
        let quoted = || headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ");
        let mut map = Self::default();
        for mapping in mappings {
            if map.index.contains_key(&mapping.field) || map.absent.contains(&mapping.field) {
                continue;
            }
            if mapping.is_absent() {
                map.absent.push(mapping.field);
                continue;
            }
            let wanted = header_key(&mapping.header);
            let Some(i) = keys.iter().position(|k| *k == wanted) else {
                return Err(Error::BadMapping {
                    origin: mapping.origin.clone(),
                    reason: format!("{location} has no column \"{}\"; the headers are: {}", mapping.header, quoted()),
                });
            };
            map.index.insert(mapping.field, i);
        }
        for field in Field::ALL {
            if map.index.contains_key(&field) || map.absent.contains(&field) || ignore.contains(&field) {
                continue;
            }
            let claimed: Vec<usize> = map.index.values().copied().collect();
            let positions: Vec<Option<(usize, u8)>> = names
                .iter()
                .enumerate()
                .map(|(i, name)| if claimed.contains(&i) { None } else { field.alias_position(name) })
                .collect();
            let Some(best) = positions.iter().flatten().min().copied() else { continue };
            let found: Vec<usize> = (0..names.len()).filter(|&i| positions[i] == Some(best)).collect();
            match found[..] {
                [i] => {
                    map.index.insert(field, i);
                }
                [i, j, ..] => {
                    return Err(Error::AmbiguousColumn {
                        location: location.clone(),
                        field: field.name(),
                        first: headers[i].clone(),
                        second: headers[j].clone(),
                    });
                }
                [] => {}
            }
        }
        let missing: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| f.is_required() && !optional.contains(f) && !map.index.contains_key(f))
            .collect();
        if !missing.is_empty() {
            let described: Vec<String> = missing
                .iter()
                .map(|&field| {
                    let unclaimed = (0..headers.len()).filter(|i| !map.uses(*i));
                    let closest: Vec<String> = closest(field, unclaimed.map(|i| &headers[i]))
                        .into_iter()
                        .map(|h| format!("\"{h}\" → {}", map_option(field, h)))
                        .collect();
                    if closest.is_empty() {
                        format!("`{}`", field.name())
                    } else {
                        format!("`{}` (closest: {})", field.name(), closest.join(", or "))
                    }
                })
                .collect();
            let (missing, which) = match (&described[..], &missing[..]) {
                ([one], [field]) => (format!("required field {one}"), format!("it with --map {}=HEADER", field.name())),
                (many, _) => (
                    format!("{} required fields: {}", many.len(), many.join(", ")),
                    "each with --map FIELD=HEADER".to_owned(),
                ),
            };
            return Err(Error::MissingColumns { location: location.clone(), missing, which, headers: quoted() });
        }
        Ok(map)
    }
}

/// Similarity from which a header is named as a likely column for a field.
const CLOSE_ENOUGH: f64 = 0.8;

/// Up to two of `headers` most like one of `field`'s aliases (Jaro-Winkler similarity of
/// their canonical keys, at least [`CLOSE_ENOUGH`]), the closest first.
fn closest<'h>(field: Field, headers: impl Iterator<Item = &'h String>) -> Vec<&'h str> {
    let aliases: Vec<String> = field.aliases().iter().map(|a| header_words::canonical(a)).collect();
    let mut scored: Vec<(f64, usize, &str)> = headers
        .enumerate()
        .filter_map(|(i, header)| {
            let key = header_words::canonical(header);
            let score = aliases.iter().map(|a| strsim::jaro_winkler(&key, a)).fold(0.0, f64::max);
            (score >= CLOSE_ENOUGH).then_some((score, i, header.as_str()))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(2).map(|(_, _, h)| h).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn recognises_english_and_chinese_headers() {
        let h = headers(&["客户名称", "发票号码", "开票日期", "到期日", "发票金额", "已收金额", "币种"]);
        let map = ColumnMap::resolve(&h, &[], &[], &[], &Location::file("x.csv")).unwrap();
        assert_eq!(map.get(Field::Customer), Some(0));
        assert_eq!(map.get(Field::PaidAmount), Some(5));
        assert_eq!(map.get(Field::OpenAmount), None);
        let h = headers(&["Client", "Num", "Date", "Due Date", "Amount", "Open Balance"]);
        let map = ColumnMap::resolve(&h, &[], &[], &[], &Location::file("x.csv")).unwrap();
        assert_eq!(map.get(Field::InvoiceNo), Some(1));
        assert_eq!(map.get(Field::InvoiceDate), Some(2));
        assert_eq!(map.get(Field::OpenAmount), Some(5));
    }

    #[test]
    fn a_spelled_alias_wins_over_the_same_words_and_equal_words_are_ambiguous() {
        let location = Location::file("x.csv");
        let h = headers(&["Client", "Customer", "Invoice Number", "Invoice No", "Date", "Due Date", "Amount"]);
        let map = ColumnMap::resolve(&h, &[], &[], &[], &location).unwrap();
        assert_eq!((map.get(Field::Customer), map.get(Field::InvoiceNo)), (Some(1), Some(3)));
        // A specific name wins over a general one: the document number over a bare "No".
        let h = headers(&["#", "No", "Document No", "Customer", "Date", "Due Date", "Amount"]);
        assert_eq!(ColumnMap::resolve(&h, &[], &[], &[], &location).unwrap().get(Field::InvoiceNo), Some(2));
        let h = headers(&["Cust No", "Customer Number", "Invoice No", "Date", "Due Date", "Amount"]);
        let err = ColumnMap::resolve(&h, &[], &[], &[], &location).unwrap_err().to_string();
        assert!(err.contains("columns \"Cust No\" and \"Customer Number\" both look like `customer`"), "{err}");
    }

    #[test]
    fn explicit_mapping_wins_and_missing_header_is_named() {
        let h = headers(&["Name", "Inv", "Date", "Due Date", "Gross"]);
        let maps = vec![
            Mapping::parse_cli("customer=name").unwrap(),
            Mapping::parse_cli("invoice_no=Inv").unwrap(),
            Mapping::parse_cli("amount=Gross").unwrap(),
        ];
        let map = ColumnMap::resolve(&h, &maps, &[], &[], &Location::file("x.csv")).unwrap();
        assert_eq!(map.get(Field::Customer), Some(0));
        assert_eq!(map.get(Field::Amount), Some(4));
        let err =
            ColumnMap::resolve(&h, &[Mapping::parse_cli("amount=Net").unwrap()], &[], &[], &Location::file("x.csv"))
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "--map amount=Net: x.csv has no column \"Net\"; the headers are: \"Name\", \"Inv\", \"Date\", \"Due Date\", \"Gross\""
        );
    }

    #[test]
    fn unknown_field_gets_a_suggestion() {
        let err = Mapping::parse_cli("due=Due").unwrap_err().to_string();
        assert!(err.contains("did you mean `due_date`?"), "{err}");
    }

    #[test]
    fn missing_required_column_is_an_error() {
        let h = headers(&["Customer", "Invoice No", "Invoice Date", "Amount"]);
        let err = ColumnMap::resolve(&h, &[], &[], &[], &Location::file("a.csv")).unwrap_err().to_string();
        assert!(err.starts_with("a.csv: no column for required field `due_date`;"), "{err}");
    }
}
