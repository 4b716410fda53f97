//! Sheets that continue on further sheets past Excel's rows: "Detail", "Detail 2", …;
//! "Rejected", "Rejected 2", …; the same for Skipped and By Customer. Each page has its
//! own header row (1.1 million rows of Rejected or Skipped once
//! stopped the run with "this is a bug in payback").
use std::ops::Range;

/// Data rows one sheet holds: Excel's 1,048,576 rows less the header.
pub const MAX_DATA_ROWS: usize = 1_048_575;

/// The name of page `k` (0-based) of the sheet `key` (a `sheet.` key of the catalogue) in
/// the workbook's language: `Detail`, `Detail 2`, `Detail 3`, … (`明细`, `明细2`, …).
#[must_use]
pub fn sheet_name(labels: &crate::catalogue::Labels, key: &str, k: usize) -> String {
    let base = labels.sheet(key);
    if k == 0 { base.to_owned() } else { labels.fill("format.page", &[("sheet", base), ("n", &(k + 1).to_string())]) }
}

/// `name` as a formula refers to the sheet: quoted unless it is ASCII letters, digits and
/// underscores (a space or a Chinese name is quoted).
#[must_use]
pub fn sheet_ref(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') { name.to_owned() } else { format!("'{name}'") }
}

/// The rows (0-based) on each page of `rows` rows at `per_sheet` a page: one page at
/// least (an empty sheet says so).
#[must_use]
pub fn page_rows(rows: usize, per_sheet: usize) -> Vec<Range<usize>> {
    let per_sheet = per_sheet.max(1);
    let pages = rows.div_ceil(per_sheet).max(1);
    (0..pages).map(|k| k * per_sheet..((k + 1) * per_sheet).min(rows)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Labels, Lang};

    #[test]
    fn pages_cover_every_row_once() {
        assert_eq!(page_rows(0, 5).first(), Some(&(0..0)));
        assert_eq!(page_rows(5, 5).last(), Some(&(0..5)));
        assert_eq!(page_rows(5, 5).len(), 1);
        assert_eq!(page_rows(11, 5), [0..5, 5..10, 10..11]);
        assert_eq!(page_rows(1_100_000, MAX_DATA_ROWS), [0..1_048_575, 1_048_575..1_100_000]);
        let (en, zh) = (Labels::of(Lang::En), Labels::of(Lang::Zh));
        assert_eq!(sheet_name(en, "rejected", 0), "Rejected");
        assert_eq!(sheet_name(en, "customers", 2), "By Customer 3");
        assert_eq!(sheet_name(zh, "detail", 1), "明细2");
        assert_eq!(sheet_ref("By Customer 3"), "'By Customer 3'");
        assert_eq!(sheet_ref("Detail"), "Detail");
        assert_eq!(sheet_ref("明细"), "'明细'");
    }
}
