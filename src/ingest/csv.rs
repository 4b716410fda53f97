//! CSV and text exports: the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
//! GB18030/GBK, or the one named by `--encoding`) and the delimiter (`,` `;` or tab, from
//! the first line) are found here; every cell is text. Row numbers are the file's line
//! numbers, blank lines included.
use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

use super::stream::{RowSink, SheetInfo};
use super::{Cell, RawRow, SourceRef};
use crate::error::{Error, Location, Result};

/// Reads a CSV file's records with their line numbers. Blank lines (which the CSV reader
/// passes over) come back as empty rows, so that they are counted like a sheet's.
///
/// # Errors
/// [`Error::Unreadable`] when the file is missing, empty, in an unknown encoding or
/// malformed.
#[cfg(test)]
pub(crate) fn read(path: &Path, encoding: Option<&str>, limits: &super::Limits) -> Result<super::RawSheet> {
    super::stream::collect(|sink| read_into(path, encoding, limits, sink))
}

/// As [`read`], handing each row to `sink` as it is read.
///
/// # Errors
/// As [`read`], and the sink's.
pub(crate) fn read_into(
    path: &Path,
    encoding: Option<&str>,
    limits: &super::Limits,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let source = SourceRef { file: path.to_path_buf(), sheet: None };
    let unreadable = |row: Option<usize>, reason: String| Error::Unreadable {
        location: Location { row, ..Location::file(path) },
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| unreadable(None, e.to_string()))?;
    let text = decode(bytes, encoding).map_err(|(line, reason)| unreadable(line, reason))?;
    if text.trim().is_empty() {
        return Err(unreadable(None, "the file is empty".into()));
    }
    let data = text.as_bytes();
    // Every record ends a line (a quoted field may span several): the lines bound the rows.
    let rows_hint = Some(lines(data));
    sink.sheet(SheetInfo { source, date1904: false, merged: Vec::new(), rows_hint })?;
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter(&text)).from_reader(data);
    let mut record = ::csv::ByteRecord::new();
    let mut next_line = 1;
    let mut row_count = 0;
    let mut cell_count = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().and_then(|p| usize::try_from(p.line()).ok());
                return Err(unreadable(line, e.to_string()));
            }
        }
        let line = record.position().map_or(next_line, |p| true_line(data, p));
        // A quote never closed takes every later line into one cell: said, with the line
        // where it opened, rather than read as one row.
        let end = usize::try_from(reader.position().byte()).unwrap_or(data.len());
        if let Some(opened) = record.position().and_then(|p| unclosed_quote(data, p, end, line)) {
            let after = lines(data).saturating_sub(opened);
            return Err(unreadable(
                Some(opened),
                format!(
                    "a quote (\") opens a cell on line {opened} and is never closed, so the {after} line{} after it \
                     would be read as one cell; close the quote or remove it",
                    if after == 1 { "" } else { "s" }
                ),
            ));
        }
        let location = Location { row: Some(line), ..Location::file(path) };
        // Rows so far, blank lines included, this one too.
        row_count += line.saturating_sub(next_line) + 1;
        limits.check_cell(&location, row_count, record.len().saturating_sub(1))?;
        cell_count += record.len();
        limits.check_cells(&location, cell_count)?;
        for blank in next_line..line {
            sink.row(RawRow { number: blank, cells: Vec::new() })?;
        }
        // A quoted field may span lines: the next record starts after them.
        #[allow(clippy::naive_bytecount)] // fields are short; not worth a crate
        let spanned = record.iter().map(|f| f.iter().filter(|b| **b == b'\n').count()).sum::<usize>();
        next_line = line + 1 + spanned;
        // The text was decoded to UTF-8 above and fields end at ASCII delimiters, so the
        // record is valid UTF-8 and each field a part of it: checked once per record, not
        // once per field; the lossy copy is never expected to be made.
        let whole = std::str::from_utf8(record.as_slice()).ok();
        let cells = (0..record.len())
            .map(|i| {
                let range = record.range(i).unwrap_or_default();
                let text = whole
                    .and_then(|w| w.get(range.clone()))
                    .map_or_else(|| String::from_utf8_lossy(&record.as_slice()[range]), std::borrow::Cow::Borrowed);
                if text.is_empty() { Cell::Empty } else { Cell::Text(text.into_owned()) }
            })
            .collect();
        sink.row(RawRow { number: line, cells })?;
    }
    Ok(())
}

/// The line where a quote opens that is still open at the end of the record that starts
/// at `position` (on line `line`) and ends before byte `end`; `None` when its quotes are
/// closed. Only the last record can hold one (the reader takes everything after the quote
/// into the cell); each record's bytes are looked at once.
fn unclosed_quote(data: &[u8], position: &::csv::Position, end: usize, line: usize) -> Option<usize> {
    let start = usize::try_from(position.byte()).ok()?;
    let rest = data.get(start..end.max(start))?;
    // Quotes come in pairs when closed ("" inside a cell is two): an odd count is open.
    if memchr::memchr_iter(b'"', rest).count().is_multiple_of(2) {
        return None;
    }
    // The record's lines before its first byte are blank ones the reader passed over.
    let mut open_at = None;
    let mut current = line - rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n').count();
    let mut open = false;
    for &b in rest {
        match b {
            b'"' => {
                open = !open;
                if open {
                    open_at = Some(current);
                }
            }
            b'\n' => current += 1,
            _ => {}
        }
    }
    open.then_some(open_at).flatten()
}

/// The lines of `data`: its line feeds, plus a last line without one.
fn lines(data: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', data).count() + usize::from(!data.is_empty() && !data.ends_with(b"\n"))
}

/// The reader reports a record's position at the start of any blank lines before it: the
/// record's own line is after them.
fn true_line(data: &[u8], position: &::csv::Position) -> usize {
    let start = usize::try_from(position.byte()).unwrap_or(0);
    let newlines = data
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .filter(|b| **b == b'\n')
        .count();
    usize::try_from(position.line()).unwrap_or(0) + newlines
}

/// Decodes the file: the named encoding, or UTF-8 (BOM skipped), UTF-16 with a BOM, else
/// GB18030 (which covers GBK and GB2312, the usual Chinese exports). UTF-8 without a BOM
/// (the usual case) is taken as it is, not copied. A file whose lines are in two encodings
/// (a GBK line pasted into a UTF-8 export) is refused with the first line of each: read
/// either way, some of its names would come out as mojibake.
///
/// The error carries the line to name, when there is one.
fn decode(bytes: Vec<u8>, named: Option<&str>) -> std::result::Result<String, (Option<usize>, String)> {
    if let Some(label) = named {
        let encoding = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            (None, format!("unknown encoding \"{label}\"; try utf-8, gb18030, gbk, big5, shift_jis or windows-1252"))
        })?;
        let (text, _, had_errors) = encoding.decode(&bytes);
        if had_errors {
            return Err((first_bad_line(&bytes, encoding), format!("the text is not valid {}", encoding.name())));
        }
        return Ok(text.into_owned());
    }
    if let Some((encoding, bom)) = Encoding::for_bom(&bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if encoding == UTF_8 && had_errors {
            return Err(mixed(&bytes[bom..]).unwrap_or((None, "the text is not valid UTF-8".into())));
        }
        if had_errors || ![UTF_8, UTF_16LE, UTF_16BE].contains(&encoding) {
            return Err((None, format!("the text is not valid {}", encoding.name())));
        }
        return Ok(text.into_owned());
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e.into_bytes(),
    };
    if let Some(problem) = mixed(&bytes) {
        return Err(problem);
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(&bytes);
    if had_errors {
        return Err((
            first_bad_line(&bytes, GB18030),
            "the text is neither UTF-8 nor GB18030/GBK; save the export as \"CSV UTF-8\" or name its encoding with --encoding".into(),
        ));
    }
    Ok(text.into_owned())
}

/// The first line (1-based) that `encoding` cannot decode.
fn first_bad_line(bytes: &[u8], encoding: &'static Encoding) -> Option<usize> {
    bytes
        .split(|b| *b == b'\n')
        .position(|line| encoding.decode_without_bom_handling_and_without_replacement(line).is_none())
        .map(|i| i + 1)
}

/// For text that is not all UTF-8: the first line that is not UTF-8 and the first that is
/// UTF-8 beyond ASCII, when there are both (two encodings in one file).
fn mixed(bytes: &[u8]) -> Option<(Option<usize>, String)> {
    let mut not_utf8 = None;
    let mut utf8 = None;
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Err(_) if not_utf8.is_none() => not_utf8 = Some((i + 1, line)),
            Ok(text) if utf8.is_none() && !text.is_ascii() => utf8 = Some((i + 1, text)),
            _ => {}
        }
        if not_utf8.is_some() && utf8.is_some() {
            break;
        }
    }
    let ((bad, bad_bytes), (good, good_text)) = (not_utf8?, utf8?);
    let as_gbk = GB18030
        .decode_without_bom_handling_and_without_replacement(bad_bytes)
        .map_or_else(|| "neither UTF-8 nor GB18030".to_owned(), |t| format!("GB18030/GBK: \"{}\"", excerpt(&t)));
    Some((
        Some(bad),
        format!(
            "the file mixes encodings: line {bad} is not UTF-8 (it reads as {as_gbk}) while line {good} is UTF-8 \
             (\"{}\"); save the export again in one encoding (\"CSV UTF-8\"), or name it with --encoding",
            excerpt(good_text)
        ),
    ))
}

/// The start of a line, for a message.
fn excerpt(text: &str) -> String {
    let text = text.trim_end_matches(['\r', '\n']);
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// `,` unless the first line has more `;` (European exports) or tabs (Excel "Unicode text").
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    let count = |c: char| first.matches(c).count();
    let (commas, semicolons, tabs) = (count(','), count(';'), count('\t'));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn encodings_are_detected() {
        assert_eq!(decode("客户,金额".into(), None).unwrap(), "客户,金额");
        assert_eq!(decode(b"\xef\xbb\xbfA,B".to_vec(), None).unwrap(), "A,B");
        let (gbk, _, _) = GB18030.encode("客户名称,发票金额");
        assert_eq!(decode(gbk.to_vec(), None).unwrap(), "客户名称,发票金额");
        assert_eq!(decode(gbk.to_vec(), Some("gbk")).unwrap(), "客户名称,发票金额");
        let utf16: Vec<u8> = [0xff, 0xfe].into_iter().chain("A\tB".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(utf16, None).unwrap(), "A\tB");
        assert!(decode(b"x".to_vec(), Some("klingon")).unwrap_err().1.contains("unknown encoding"));
    }

    #[test]
    fn a_gbk_line_in_a_utf8_file_is_named() {
        let (gbk, _, _) = GB18030.encode("华为,INV-2,100.00\n");
        let mut bytes = "Customer,Invoice No,Amount\n腾讯,INV-1,50.00\n".as_bytes().to_vec();
        bytes.extend_from_slice(&gbk);
        let (line, reason) = decode(bytes.clone(), None).unwrap_err();
        assert_eq!(line, Some(3));
        assert_eq!(
            reason,
            "the file mixes encodings: line 3 is not UTF-8 (it reads as GB18030/GBK: \"华为,INV-2,100.00\") while \
             line 2 is UTF-8 (\"腾讯,INV-1,50.00\"); save the export again in one encoding (\"CSV UTF-8\"), or name \
             it with --encoding"
        );
        // With a BOM too; and a whole GBK file is still read as GBK.
        let with_bom: Vec<u8> = b"\xef\xbb\xbf".iter().copied().chain(bytes).collect();
        assert_eq!(decode(with_bom, None).unwrap_err().0, Some(3));
        let (all_gbk, _, _) = GB18030.encode("客户,金额\n华为,100\n");
        assert_eq!(decode(all_gbk.to_vec(), None).unwrap(), "客户,金额\n华为,100\n");
    }

    #[test]
    fn an_unclosed_quote_is_named_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ar.csv");
        let mut text = "Customer,Invoice No\nACME,1\n\"Beta,2\n".to_owned();
        for i in 3..=1000 {
            writeln!(text, "Gamma,{i}").unwrap();
        }
        std::fs::write(&path, &text).unwrap();
        let err = read(&path, None, &crate::ingest::Limits::default()).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "ar.csv, row 3: cannot read the file: a quote (\") opens a cell on line 3 and is never closed, so the \
             998 lines after it would be read as one cell; close the quote or remove it"
            ),
            "{err}"
        );
        // Closed quotes over lines and escaped quotes are fine.
        std::fs::write(&path, "Customer,Note\nACME,\"two\nlines \"\"quoted\"\"\"\nBeta,x\n").unwrap();
        assert_eq!(read(&path, None, &crate::ingest::Limits::default()).unwrap().rows.len(), 3);
    }

    #[test]
    fn lines_bound_the_rows() {
        assert_eq!(lines(b""), 0);
        assert_eq!(lines(b"a,b"), 1);
        assert_eq!(lines(b"a,b\n1,2\n"), 2);
        // Five lines: a blank one, and a quoted field over two.
        assert_eq!(lines(b"a,b\r\n\r\n1,\"x\ny\"\r\n3,4"), 5);
    }

    #[test]
    fn the_sheet_tells_its_lines_before_the_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("invoices.csv");
        std::fs::write(&path, "Customer,Invoice No\nACME,1\n\nACME,2\n").unwrap();
        let known = |t: &str| t == "Customer" || t == "Invoice No";
        let limits = crate::ingest::Limits::default();
        let (hint, rows) = crate::ingest::with_table(&path, None, None, &limits, &known, |_, rows| {
            let hint = rows.rows_hint();
            let mut count = 0;
            while let Some(chunk) = rows.next_chunk()? {
                count += chunk.len();
            }
            Ok((hint, count))
        })
        .unwrap();
        assert_eq!((hint, rows), (Some(4), 2));
    }

    #[test]
    fn delimiters_are_detected() {
        assert_eq!(delimiter("a,b,c\n"), b',');
        assert_eq!(delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(delimiter("a\tb\tc"), b'\t');
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// Bytes of a CSV's structure: quotes, delimiters, line ends, text, and bytes that are
    /// not UTF-8 (GBK halves, stray continuation bytes).
    fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop::sample::select(vec![
            &b"\""[..],
            b",",
            b";",
            b"\t",
            b"\n",
            b"\r\n",
            b"\"\"",
            b"ACME",
            b"INV-1",
            b"12.50",
            b"2026-01-31",
            "华为".as_bytes(),
            b"\xbb\xaa",
            b"\xc4\xe3",
            b"\x80",
            b"\xef\xbb\xbf",
            b" ",
        ]);
        prop::collection::vec(piece, 0..200).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        /// Any CSV structure reads to rows or to an error with its line, never a panic, and
        /// never to more rows than the file has lines.
        #[test]
        fn fuzz_csv_structure_never_panics(bytes in csv_bytes()) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.csv");
            std::fs::write(&path, &bytes).unwrap();
            let limits = crate::ingest::Limits::default();
            if let Ok(sheet) = read(&path, None, &limits) {
                prop_assert!(sheet.rows.len() <= lines(&bytes).max(1));
            }
        }
    }
}
