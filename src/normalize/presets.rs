//! Export presets: how the exports of common finance systems name their columns. Each is a
//! data file under `rules/presets/` (compiled in), chosen by `--preset NAME` or detected
//! from the headers; none is a special code path.
use std::collections::BTreeMap;

use serde::Deserialize;

use super::columns::Mapping;
use super::schema::{Field, header_key};
use crate::error::{Error, Result};
use crate::normalize::date_order::DateOrder;

/// The built-in presets' files.
pub(crate) const SOURCES: [(&str, &str); 5] = [
    ("quickbooks", include_str!("../../rules/presets/quickbooks.toml")),
    ("xero", include_str!("../../rules/presets/xero.toml")),
    ("erpnext", include_str!("../../rules/presets/erpnext.toml")),
    ("odoo", include_str!("../../rules/presets/odoo.toml")),
    ("cn-erp", include_str!("../../rules/presets/cn-erp.toml")),
];

/// One export layout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Name for `--preset`.
    pub name: String,
    /// Human name.
    pub title: String,
    /// Headers that must all be present for the preset to be chosen automatically.
    pub detect: Vec<String>,
    /// Customers are named on heading lines above their invoices.
    #[serde(default)]
    pub customer_from_heading: bool,
    /// Day/month order of the export's text dates (the user's setting wins).
    #[serde(default)]
    pub date_order: Option<DateOrder>,
    /// Whether amounts use a decimal comma.
    #[serde(default)]
    pub decimal_comma: bool,
    /// Fields never read from this export.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Field → candidate headers, the first present wins.
    pub columns: BTreeMap<String, Vec<String>>,
}

/// All built-in presets.
///
/// # Errors
/// [`Error::Internal`] when a built-in preset file is invalid (a bug, caught by tests).
pub fn all() -> Result<Vec<Preset>> {
    SOURCES
        .iter()
        .map(|(file, text)| {
            let preset: Preset =
                toml::from_str(text).map_err(|e| Error::Internal(format!("rules/presets/{file}.toml: {e}")))?;
            let unknown = preset.columns.keys().chain(&preset.ignore).find(|f| Field::from_name(f).is_none());
            match unknown {
                Some(field) => Err(Error::Internal(format!("rules/presets/{file}.toml: unknown field `{field}`"))),
                None => Ok(preset),
            }
        })
        .collect()
}

/// The preset named `name`.
///
/// # Errors
/// [`Error::BadOption`] naming the presets there are.
pub fn named<'a>(presets: &'a [Preset], name: &str) -> Result<&'a Preset> {
    presets.iter().find(|p| p.name == name).ok_or_else(|| Error::BadOption {
        option: format!("--preset {name}"),
        reason: format!(
            "there is no such preset; the presets are: {}",
            presets.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
    })
}

/// The preset whose detect headers are all among `headers`; the one with the most such
/// headers when several fit.
#[must_use]
pub fn detect<'a>(presets: &'a [Preset], headers: &[String]) -> Option<&'a Preset> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    presets
        .iter()
        .filter(|p| p.detect.iter().all(|d| keys.contains(&header_key(d))))
        .max_by_key(|p| (p.detect.len(), std::cmp::Reverse(p.name.clone())))
}

impl Preset {
    /// Whether `key` (see [`header_key`]) is a header of this layout.
    #[must_use]
    pub fn knows(&self, key: &str) -> bool {
        self.columns.values().flatten().any(|h| header_key(h) == key)
    }

    /// Mappings for the fields whose candidate header is present.
    #[must_use]
    pub fn mappings(&self, headers: &[String]) -> Vec<Mapping> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        self.columns
            .iter()
            .filter_map(|(field, candidates)| {
                let field = Field::from_name(field)?;
                let header = candidates.iter().find(|c| keys.contains(&header_key(c)))?;
                Some(Mapping { field, header: header.clone(), origin: format!("preset {}", self.name) })
            })
            .collect()
    }

    /// Fields this layout never provides.
    #[must_use]
    pub fn ignored(&self) -> Vec<Field> {
        self.ignore.iter().filter_map(|f| Field::from_name(f)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_loads_and_is_named_like_its_file() {
        let presets = all().unwrap();
        let names: Vec<&str> = presets.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["quickbooks", "xero", "erpnext", "odoo", "cn-erp"]);
        for p in &presets {
            assert!(!p.detect.is_empty(), "{}", p.name);
        }
    }

    #[test]
    fn detection_picks_the_layout() {
        let presets = all().unwrap();
        let h = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let found = |headers: &[&str]| detect(&presets, &h(headers)).map(|p| p.name.clone());
        assert_eq!(found(&["Type", "Date", "Num", "Due Date", "Open Balance"]).as_deref(), Some("quickbooks"));
        assert_eq!(found(&["Posting Date", "Voucher No", "Outstanding Amount"]).as_deref(), Some("erpnext"));
        assert_eq!(found(&["客户名称", "发票号码", "未收金额", "币种"]).as_deref(), Some("cn-erp"));
        assert_eq!(found(&["Customer", "Invoice No", "Amount"]), None);
        assert!(named(&presets, "sap").unwrap_err().to_string().contains("quickbooks, xero, erpnext, odoo, cn-erp"));
    }
}
