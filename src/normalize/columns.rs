//! Which source column holds which canonical [`Field`]: explicit mappings first (`--map`,
//! then `[input.invoices.columns]`), then the recognised header names.
use std::collections::BTreeMap;

use super::schema::{Field, header_key};
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
        if header.trim().is_empty() {
            return Err(Error::BadMapping { origin, reason: "the header is empty".into() });
        }
        Ok(Self { field: parsed, header: header.trim().to_owned(), origin })
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

    /// Resolves every field against `headers`. Earlier `mappings` win over later ones for
    /// the same field; fields in `ignore` are not looked for by header name; required fields
    /// in `optional` may be missing (their rows get the value elsewhere).
    ///
    /// # Errors
    /// [`Error::BadMapping`] when a mapped header is absent, [`Error::AmbiguousColumn`] when
    /// two headers look like the same field, [`Error::MissingColumn`] for a required field.
    pub fn resolve(
        headers: &[String],
        mappings: &[Mapping],
        ignore: &[Field],
        optional: &[Field],
        location: &Location,
    ) -> Result<Self> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let quoted = || headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ");
        let mut map = Self::default();
        for mapping in mappings {
            if map.index.contains_key(&mapping.field) {
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
            if map.index.contains_key(&field) || ignore.contains(&field) {
                continue;
            }
            for alias in field.aliases() {
                let claimed: Vec<usize> = map.index.values().copied().collect();
                let found: Vec<usize> =
                    (0..keys.len()).filter(|&i| keys[i] == *alias && !claimed.contains(&i)).collect();
                match found[..] {
                    [] => continue,
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
                }
                break;
            }
        }
        if let Some(field) =
            Field::ALL.into_iter().find(|f| f.is_required() && !optional.contains(f) && !map.index.contains_key(f))
        {
            return Err(Error::MissingColumn { location: location.clone(), field: field.name(), headers: quoted() });
        }
        Ok(map)
    }
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
        assert!(err.starts_with("a.csv: no column for required field `due_date`"), "{err}");
    }
}
