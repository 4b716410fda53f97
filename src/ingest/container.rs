//! What a workbook's container declares, checked before calamine reads it:
//! calamine sizes its buffers from these declarations and materialises every cell of an
//! `.ods` (repeats expanded) before payback sees one, so the limits must hold first.
//!
//! - `.xlsx`/`.xlsm`: the shared-strings part's `uniqueCount` (calamine reserves that many
//!   strings at once: 2^64−1 panics, 10^9 aborts) must be no more than the part's declared
//!   bytes can hold (five bytes per `<si/>`) and no more than `max_cells`.
//! - `.ods`: `content.xml` is streamed (nothing of it kept) and, per table, the rows and
//!   columns that calamine would build — `number-rows-repeated` × `number-columns-repeated`
//!   up to the last filled cell — are held to `max_rows`, `max_columns` and `max_cells`.
use std::io::{BufReader, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::Limits;
use crate::error::{Error, Location, Result};

/// Checks the container of the workbook at `path` against `limits` (a file that is no zip
/// is left to calamine, which says what it is).
///
/// # Errors
/// [`Error::Unreadable`] naming the declaration and the limit.
pub(crate) fn check(path: &Path, limits: &Limits) -> Result<()> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    let refuse = |reason: String| Error::Unreadable { location: Location::file(path), reason };
    let Ok(file) = std::fs::File::open(path) else { return Ok(()) };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else { return Ok(()) };
    match extension.as_str() {
        "xlsx" | "xlsm" => {
            let names: Vec<String> = zip
                .file_names()
                .flatten()
                .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
                .map(std::borrow::Cow::into_owned)
                .collect();
            for name in names {
                let Ok(part) = zip.by_name(&name) else { continue };
                let declared = part.size();
                if let Some(count) = shared_strings_count(part.take(64 * 1024)) {
                    let room = declared / 5;
                    let limit = u64::try_from(limits.max_cells).unwrap_or(u64::MAX);
                    let beyond = if count > room {
                        format!("more than its {declared} bytes can hold")
                    } else if count > limit {
                        format!(
                            "more than the limit of {} cells (limits.max_cells in the rules file)",
                            limits.max_cells
                        )
                    } else {
                        continue;
                    };
                    return Err(refuse(format!(
                        "the workbook declares {count} shared strings ({name}), {beyond}; open it in Excel and save it again"
                    )));
                }
            }
            Ok(())
        }
        "ods" => {
            let Ok(content) = zip.by_name("content.xml") else { return Ok(()) };
            ods_tables(BufReader::new(content), limits).map_err(refuse)
        }
        _ => Ok(()),
    }
}

/// `uniqueCount` (else `count`) of the shared-strings part's `<sst>` element.
fn shared_strings_count(part: impl Read) -> Option<u64> {
    let mut reader = Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                let number = |key: &str| attribute(&e, key).map(|v| v.trim().parse::<u64>().unwrap_or(u64::MAX));
                return number("uniqueCount").or_else(|| number("count"));
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// The value of the attribute whose name (with its prefix) is `key`.
fn attribute(element: &BytesStart<'_>, key: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key || a.key.local_name().as_ref() == key)
        .map(|a| a.value.to_string())
}

/// A repeat count; absent is 1, unreadable is taken as huge (calamine refuses it too).
fn repeats(element: &BytesStart<'_>, key: &str) -> u64 {
    attribute(element, key).map_or(1, |v| v.trim().parse().unwrap_or(u64::MAX))
}

/// One table's extent so far, as calamine would build it.
#[derive(Debug, Default)]
struct Extent {
    name: String,
    /// Rows down to the last row with a filled cell (repeats counted).
    height: u64,
    /// Rows so far, filled or not.
    rows: u64,
    /// Widest row up to its last filled cell.
    width: u64,
}

/// Streams `content.xml`, refusing the first table beyond the limits.
fn ods_tables(content: impl std::io::BufRead, limits: &Limits) -> std::result::Result<(), String> {
    let mut reader = Reader::from_reader(content);
    let mut buf = Vec::new();
    let mut table = Extent::default();
    // The row being read: its repeat count, columns so far, columns up to the last filled.
    let mut row: Option<(u64, u64, u64)> = None;
    let mut cell_open: Option<(u64, bool)> = None;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| format!("content.xml is not well-formed XML: {e}"))?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Eof => return Ok(()),
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "table:table" => {
                table = Extent { name: attribute(&e, "table:name").unwrap_or_default(), ..Extent::default() };
            }
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                row = Some((repeats(&e, "table:number-rows-repeated"), 0, 0));
            }
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => {
                table.rows = table.rows.saturating_add(repeats(&e, "table:number-rows-repeated"));
            }
            Event::Start(e) | Event::Empty(e)
                if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") =>
            {
                let filled = attribute(&e, "office:value-type").is_some() || attribute(&e, "table:formula").is_some();
                let count = repeats(&e, "table:number-columns-repeated");
                if empty {
                    end_cell(&mut row, count, filled);
                } else {
                    cell_open = Some((count, filled));
                }
            }
            // Text inside a cell fills it.
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "text:p" => {
                if let Some((_, filled)) = cell_open.as_mut() {
                    *filled = true;
                }
            }
            Event::End(e) if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") => {
                if let Some((count, filled)) = cell_open.take() {
                    end_cell(&mut row, count, filled);
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                if let Some((count, _, last_filled)) = row.take() {
                    table.rows = table.rows.saturating_add(count);
                    if last_filled > 0 {
                        table.height = table.rows;
                        table.width = table.width.max(last_filled);
                    }
                    check_extent(&table, limits)?;
                }
            }
            _ => {}
        }
        buf.clear();
    }
}

/// A cell of `count` columns ends in the row being read.
fn end_cell(row: &mut Option<(u64, u64, u64)>, count: u64, filled: bool) {
    if let Some((_, columns, last_filled)) = row.as_mut() {
        *columns = columns.saturating_add(count);
        if filled {
            *last_filled = *columns;
        }
    }
}

fn check_extent(table: &Extent, limits: &Limits) -> std::result::Result<(), String> {
    let as_u64 = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    let cells = table.height.saturating_mul(table.width);
    let beyond = if table.width > as_u64(limits.max_columns) {
        format!("{} columns, beyond the limit of {} (limits.max_columns", table.width, limits.max_columns)
    } else if table.height > as_u64(limits.max_rows) {
        format!("{} rows, beyond the limit of {} (limits.max_rows", table.height, limits.max_rows)
    } else if cells > as_u64(limits.max_cells) {
        format!("{cells} cells, beyond the limit of {} (limits.max_cells", limits.max_cells)
    } else {
        return Ok(());
    };
    Err(format!(
        "sheet \"{}\" declares (with its repeated rows and columns) {beyond} in the rules file); \
         nothing of it was read",
        table.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(rows: &str) -> String {
        format!(
            "<office:document-content><office:body><office:spreadsheet><table:table table:name=\"AR\">{rows}\
             </table:table></office:spreadsheet></office:body></office:document-content>"
        )
    }

    #[test]
    fn repeated_cells_are_counted_as_calamine_builds_them() {
        let limits = Limits { max_columns: 100, max_rows: 1000, max_cells: 5000, ..Limits::default() };
        let cell = "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";
        // Trailing empty cells and rows (as LibreOffice writes them) count for nothing.
        let ok = content(&format!(
            "<table:table-row>{cell}{cell}<table:table-cell table:number-columns-repeated=\"16382\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
        ));
        assert_eq!(ods_tables(ok.as_bytes(), &limits), Ok(()));
        // A filled cell after 16,383 empty ones is column 16,384.
        let wide = content(&format!(
            "<table:table-row><table:table-cell table:number-columns-repeated=\"16383\"/>{cell}</table:table-row>"
        ));
        assert_eq!(
            ods_tables(wide.as_bytes(), &limits).unwrap_err(),
            "sheet \"AR\" declares (with its repeated rows and columns) 16384 columns, beyond the limit of 100 \
             (limits.max_columns in the rules file); nothing of it was read"
        );
        // 60 columns × 100 repeated rows = 6,000 cells.
        let cells = content(
            "<table:table-row table:number-rows-repeated=\"100\"><table:table-cell office:value-type=\"float\" \
             table:number-columns-repeated=\"60\"/></table:table-row>",
        );
        assert!(ods_tables(cells.as_bytes(), &limits).unwrap_err().contains("6000 cells, beyond the limit of 5000"));
    }

    #[test]
    fn a_shared_strings_count_is_read_from_the_start_tag() {
        let part =
            b"<?xml version=\"1.0\"?><sst xmlns=\"x\" count=\"3\" uniqueCount=\"18446744073709551615\"><si/></sst>";
        assert_eq!(shared_strings_count(part.as_slice()), Some(u64::MAX));
        assert_eq!(shared_strings_count(b"<sst count=\"7\"/>".as_slice()), Some(7));
        assert_eq!(shared_strings_count(b"<sst/>".as_slice()), None);
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// ODS rows of cells with repeat counts from small to absurd, filled or not.
    fn ods_content() -> impl Strategy<Value = String> {
        let repeat = prop_oneof![
            Just(None),
            (1u64..5).prop_map(Some),
            Just(Some(16_384)),
            Just(Some(u64::MAX)),
            (0u64..2_000_000).prop_map(Some)
        ];
        let cell = (repeat.clone(), any::<bool>()).prop_map(|(r, filled)| {
            let r = r.map(|n| format!(" table:number-columns-repeated=\"{n}\"")).unwrap_or_default();
            if filled {
                format!("<table:table-cell{r} office:value-type=\"float\"><text:p>1</text:p></table:table-cell>")
            } else {
                format!("<table:table-cell{r}/>")
            }
        });
        let row = (repeat, prop::collection::vec(cell, 0..6)).prop_map(|(r, cells)| {
            let r = r.map(|n| format!(" table:number-rows-repeated=\"{n}\"")).unwrap_or_default();
            format!("<table:table-row{r}>{}</table:table-row>", cells.concat())
        });
        prop::collection::vec(row, 0..8).prop_map(|rows| {
            format!(
                "<office:document-content><table:table table:name=\"S\">{}</table:table></office:document-content>",
                rows.concat()
            )
        })
    }

    fn workbook(parts: &[(&str, &str)]) -> Vec<u8> {
        use std::io::Write as _;
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, text) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    proptest! {
        /// Any repeats pass the check only when what calamine would build is within the
        /// limits; then calamine reads the file without panicking.
        #[test]
        fn fuzz_ods_containers_are_bounded_before_calamine(content in ods_content()) {
            let limits = Limits { max_rows: 10_000, max_columns: 100, max_cells: 100_000, ..Limits::default() };
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.ods");
            std::fs::write(&path, workbook(&[("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", &content)])).unwrap();
            if check(&path, &limits).is_ok() {
                let _ = crate::ingest::workbook::read(&path, None, &limits);
            }
        }

        /// Any shared-strings declaration is read or refused, never trusted beyond its bytes.
        #[test]
        fn fuzz_xlsx_shared_strings_declarations(count in prop_oneof![any::<u64>().prop_map(|n| n.to_string()), "[0-9a-z-]{0,25}"]) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.xlsx");
            let sst = format!("<sst uniqueCount=\"{count}\"><si><t>x</t></si></sst>");
            std::fs::write(&path, workbook(&[("xl/sharedStrings.xml", &sst)])).unwrap();
            let outcome = check(&path, &Limits::default());
            let declared = u64::try_from(sst.len()).unwrap();
            if let Ok(n) = count.parse::<u64>() {
                prop_assert_eq!(outcome.is_ok(), n <= declared / 5);
            }
        }
    }
}
