//! The merged cells of an `.xlsx` sheet, found without parsing the sheet's cells.
//!
//! calamine's `merge_cells_by_sheet_name` parses the whole sheet XML a second time to reach
//! the `<mergeCells>` element after the cells: about a third of reading a million-row
//! workbook. Here the sheet part is only inflated and searched for the element;
//! the few bytes from there on are parsed as XML. The sheet's part is found the way a
//! spreadsheet program does: the package relationships name the workbook part, whose
//! relationships name each sheet's part.
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// A merged region: 0-based first and last row and column, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    /// First row (0-based).
    pub top: u32,
    /// First column (0-based).
    pub left: u32,
    /// Last row (0-based).
    pub bottom: u32,
    /// Last column (0-based).
    pub right: u32,
}

/// Refuses merged regions beyond the limits before any is filled: each copies
/// its top-left value into every cell it covers, so `A2:XFD3000` would make 49 million
/// cells of a 5 KB file. A region may reach no further than `max_columns` and `max_rows`,
/// and the regions together may cover no more than `max_cells`.
///
/// # Errors
/// [`crate::Error::Unreadable`] naming the first region beyond a limit.
pub(crate) fn check(
    regions: &[Region],
    limits: &super::Limits,
    location: &crate::error::Location,
) -> crate::error::Result<()> {
    let mut covered: u64 = 0;
    let as_u64 = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    for region in regions {
        let name = format!(
            "{}{}:{}{}",
            super::column_letter(usize::try_from(region.left).unwrap_or(usize::MAX)),
            u64::from(region.top) + 1,
            super::column_letter(usize::try_from(region.right).unwrap_or(usize::MAX)),
            u64::from(region.bottom) + 1
        );
        let (width, height) = (u64::from(region.right - region.left) + 1, u64::from(region.bottom - region.top) + 1);
        covered = covered.saturating_add(width.saturating_mul(height));
        let beyond = if u64::from(region.right) >= as_u64(limits.max_columns) {
            format!(
                "reaches column {}, beyond the limit of {} columns (limits.max_columns",
                u64::from(region.right) + 1,
                limits.max_columns
            )
        } else if u64::from(region.bottom) + 1 > as_u64(limits.max_rows) {
            format!(
                "reaches row {}, beyond the limit of {} rows (limits.max_rows",
                u64::from(region.bottom) + 1,
                limits.max_rows
            )
        } else if covered > as_u64(limits.max_cells) {
            format!(
                "brings the merged cells to {covered}, beyond the limit of {} cells (limits.max_cells",
                limits.max_cells
            )
        } else {
            continue;
        };
        return Err(crate::Error::Unreadable {
            location: crate::error::Location {
                row: usize::try_from(region.top).ok().map(|top| top + 1),
                ..location.clone()
            },
            reason: format!("the merged range {name} {beyond} in the rules file); unmerge it and save the file again"),
        });
    }
    Ok(())
}

/// The merged regions of sheet `name` (default: the first) of the `.xlsx` at `path`, in
/// the order the sheet lists them, with the sheet's name. No more than `max_bytes` of the
/// sheet are inflated. `None` when the workbook's parts cannot be followed this way (the
/// caller then asks calamine).
#[must_use]
pub(crate) fn regions(path: &Path, name: Option<&str>, max_bytes: u64) -> Option<(String, Vec<Region>)> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).ok()?;
    let (name, part) = sheet_part(&mut zip, name)?;
    let sheet = zip.by_name(&part).ok()?;
    Some((name, scan(sheet.take(max_bytes))?))
}

/// The name and zip path of sheet `name` (default: the first).
fn sheet_part<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: Option<&str>) -> Option<(String, String)> {
    let package = read_part(zip, "_rels/.rels")?;
    let workbook = relationships(&package)
        .into_iter()
        .find(|(_, kind, _)| kind.ends_with("/officeDocument"))
        .map_or_else(|| "xl/workbook.xml".to_owned(), |(_, _, target)| resolve("", &target));
    let (folder, file) = workbook.rsplit_once('/').unwrap_or(("", workbook.as_str()));
    let rels_path =
        if folder.is_empty() { format!("_rels/{file}.rels") } else { format!("{folder}/_rels/{file}.rels") };
    let rels = relationships(&read_part(zip, &rels_path)?);
    let (name, id) = sheet_id(&read_part(zip, &workbook)?, name)?;
    let (_, _, target) = rels.into_iter().find(|(rid, _, _)| *rid == id)?;
    Some((name, resolve(folder, &target)))
}

fn read_part<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, part: &str) -> Option<Vec<u8>> {
    let mut entry = zip.by_name(part).ok()?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// A relationship target relative to `folder`, as a zip path (`/xl/a.xml` is absolute).
fn resolve(folder: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_owned();
    }
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for piece in target.split('/') {
        match piece {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            piece => parts.push(piece),
        }
    }
    parts.join("/")
}

/// The value of the attribute whose local name is `local` (any namespace prefix).
fn attribute(element: &BytesStart<'_>, local: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(std::borrow::Cow::into_owned))
}

/// Every element named `local` (any prefix) of an XML part, empty or not.
fn elements(xml: &[u8], local: &str, mut each: impl FnMut(&BytesStart<'_>) -> bool) {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().check_end_names = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == local => {
                if !each(&e) {
                    return;
                }
            }
            Ok(Event::Eof) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// (id, type, target) of each relationship of a `.rels` part.
fn relationships(xml: &[u8]) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    elements(xml, "Relationship", |e| {
        if let (Some(id), Some(target)) = (attribute(e, "Id"), attribute(e, "Target")) {
            found.push((id, attribute(e, "Type").unwrap_or_default(), target));
        }
        true
    });
    found
}

/// The name and relationship id of sheet `name` (default: the first) in the workbook part.
fn sheet_id(workbook: &[u8], name: Option<&str>) -> Option<(String, String)> {
    let mut found = None;
    elements(workbook, "sheet", |e| {
        let Some(this) = attribute(e, "name") else { return true };
        if name.is_none_or(|wanted| wanted == this) {
            found = attribute(e, "id").map(|id| (this, id));
            return false;
        }
        true
    });
    found
}

/// Inflates the sheet and parses only what follows its `<mergeCells` start tag.
fn scan(mut sheet: impl Read) -> Option<Vec<Region>> {
    const NEEDLE: &[u8] = b"mergeCells";
    /// Bytes kept from the previous block, so that a tag split between blocks is found.
    const CARRY: usize = 64;
    let finder = memchr::memmem::Finder::new(NEEDLE);
    let mut window: Vec<u8> = Vec::with_capacity(CARRY + (1 << 20));
    let mut block = vec![0u8; 1 << 20];
    let tail = loop {
        let read = sheet.read(&mut block).ok()?;
        if read == 0 {
            return Some(Vec::new()); // no merged cells
        }
        window.extend_from_slice(&block[..read]);
        if let Some(start) = finder.find_iter(&window).find_map(|at| tag_start(&window, at)) {
            let mut tail = window.split_off(start);
            sheet.read_to_end(&mut tail).ok()?;
            break tail;
        }
        let keep = window.len().saturating_sub(CARRY);
        window.drain(..keep);
    };
    let mut regions = Vec::new();
    let mut reader = Reader::from_reader(tail.as_slice());
    reader.config_mut().check_end_names = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "mergeCell" => {
                if let Some(region) = attribute(&e, "ref").as_deref().and_then(parse_range) {
                    regions.push(region);
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref().as_bytes() == NEEDLE => return Some(regions),
            Ok(Event::Eof) => return Some(regions),
            Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Where the start tag holding the name found at `at` begins: `<mergeCells` or
/// `<x:mergeCells`. Text cannot hold a bare `<`, so this is markup, not a cell's text.
fn tag_start(window: &[u8], at: usize) -> Option<usize> {
    let before = &window[..at];
    match before.last()? {
        b'<' => Some(at - 1),
        b':' => {
            let prefix = before[..before.len() - 1].iter().rev().take_while(|b| b.is_ascii_alphanumeric()).count();
            let lt = before.len() - 1 - prefix;
            (prefix > 0 && lt > 0 && window[lt - 1] == b'<').then(|| lt - 1)
        }
        _ => None,
    }
}

/// `B3:D7` (or a single cell `B3`) as a region.
fn parse_range(text: &str) -> Option<Region> {
    let (first, last) = text.split_once(':').unwrap_or((text, text));
    let (top, left) = parse_cell(first)?;
    let (bottom, right) = parse_cell(last)?;
    Some(Region { top: top.min(bottom), left: left.min(right), bottom: top.max(bottom), right: left.max(right) })
}

/// `B3` as (row 2, column 1), 0-based; `$` marks are allowed.
fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    let digits = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = text.split_at(digits);
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let column = letters
        .bytes()
        .try_fold(0u32, |n, b| n.checked_mul(26)?.checked_add(u32::from(b.to_ascii_uppercase() - b'A') + 1))?;
    let row: u32 = number.parse().ok()?;
    Some((row.checked_sub(1)?, column - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_excel_writes_them() {
        assert_eq!(parse_range("A1:B2"), Some(Region { top: 0, left: 0, bottom: 1, right: 1 }));
        assert_eq!(parse_range("$AA$10:AB12"), Some(Region { top: 9, left: 26, bottom: 11, right: 27 }));
        assert_eq!(parse_range("C4"), Some(Region { top: 3, left: 2, bottom: 3, right: 2 }));
        assert_eq!(parse_range("A0:B2"), None);
        assert_eq!(parse_range("1:2"), None);
    }

    #[test]
    fn the_element_is_found_across_blocks_and_prefixes_but_not_in_text() {
        let cells = "<c r=\"A1\" t=\"inlineStr\"><is><t>mergeCells &lt;mergeCells</t></is></c>".repeat(30_000);
        let xml = format!(
            "<worksheet><sheetData><row r=\"1\">{cells}</row></sheetData>\
             <x:mergeCells count=\"2\"><x:mergeCell ref=\"A1:A3\"/><x:mergeCell ref=\"B2:C2\"/></x:mergeCells>\
             <pageMargins/></worksheet>"
        );
        let regions = scan(xml.as_bytes()).unwrap();
        assert_eq!(
            regions,
            [Region { top: 0, left: 0, bottom: 2, right: 0 }, Region { top: 1, left: 1, bottom: 1, right: 2 }]
        );
        assert_eq!(scan(b"<worksheet><sheetData/></worksheet>".as_slice()), Some(Vec::new()));
    }

    #[test]
    fn a_real_workbook_gives_what_calamine_finds() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/presets/cn_erp_receivables.xlsx");
        let (name, regions) = regions(&path, None, u64::MAX).unwrap();
        assert_eq!(name, "应收账款明细");
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let expected: Vec<Region> = workbook
            .merge_cells_by_sheet_name(&name)
            .unwrap()
            .iter()
            .map(|d| Region { top: d.start.0, left: d.start.1, bottom: d.end.0, right: d.end.1 })
            .collect();
        assert!(expected.len() >= 2, "the fixture has merged cells");
        assert_eq!(regions, expected);
        assert!(super::regions(&path, Some("no such sheet"), u64::MAX).is_none());
    }

    #[test]
    fn merged_ranges_beyond_the_limits_are_refused_before_filling() {
        let limits = crate::ingest::Limits::default();
        let location = crate::error::Location::file("ar.xlsx");
        let check = |text: &str| check(&[parse_range(text).unwrap()], &limits, &location).map_err(|e| e.to_string());
        assert_eq!(check("A1:C3"), Ok(()));
        assert_eq!(
            check("A2:XFD3000").unwrap_err(),
            "ar.xlsx, row 2: cannot read the file: the merged range A2:XFD3000 reaches column 16384, beyond the limit of \
             1000 columns (limits.max_columns in the rules file); unmerge it and save the file again"
        );
        // AZZZZZZ is column 630,188,182: 1·26^6 + 26·(26^5 + 26^4 + … + 1).
        assert!(check("A2:AZZZZZZ2").unwrap_err().contains("reaches column 630188182"));
        assert!(check("A1:A3000000").unwrap_err().contains("reaches row 3000000, beyond the limit of 2000000 rows"));
        let many: Vec<Region> =
            (0..40).map(|i| Region { top: i * 1000, left: 0, bottom: i * 1000 + 999, right: 999 }).collect();
        assert!(super::check(&many, &limits, &location).unwrap_err().to_string().contains(
            "the merged range A30001:ALL31000 brings the merged cells to 31000000, beyond the limit of 30000000 cells"
        ));
    }

    #[test]
    fn targets_resolve_against_the_workbook_folder() {
        assert_eq!(resolve("xl", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve("xl", "/xl/worksheets/sheet2.xml"), "xl/worksheets/sheet2.xml");
        assert_eq!(resolve("xl/sub", "../worksheets/s.xml"), "xl/worksheets/s.xml");
        assert_eq!(resolve("", "xl/workbook.xml"), "xl/workbook.xml");
    }
}
