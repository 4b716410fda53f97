//! Text that survives printing: column widths from the texts' display width
//! (CJK counted double), capped; a text wider than its column wraps in a row tall enough
//! for its lines, so that no cell's text runs into its neighbour. For the small sheets
//! (Management, Summary, Actions, Holds, Reconciliation, Rejected); the Detail sheets keep
//! their cheap per-column widths.
use std::collections::BTreeMap;

use rust_xlsxwriter::{ColNum, Format, FormatAlign, RowNum, Worksheet, XlsxError};

use super::formats::text_width;
use super::workbook::write_text;

/// Characters of a column one level of indent takes.
pub const INDENT_WIDTH: usize = 2;

/// Points per line of wrapped text (11-point Calibri, and the CJK fonts a little taller).
const LINE_HEIGHT: f64 = 16.0;

/// The lines `text` takes in a column `width` characters wide, wrapped at spaces the way a
/// spreadsheet does (a CJK character may break anywhere; a word longer than the column is
/// broken).
#[must_use]
pub fn wrapped_lines(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let mut lines = 0;
    for paragraph in text.split('\n') {
        let mut used = 0;
        let mut line_count = 1;
        let mut place = |w: usize, space: usize| {
            if used > 0 && used + space + w > width {
                line_count += 1;
                used = 0;
            }
            let start = if used == 0 { 0 } else { space };
            used += start + w;
            while used > width {
                line_count += 1;
                used -= width;
            }
        };
        for word in paragraph.split(' ') {
            // The space before a word goes with its first piece; a CJK character is a
            // piece of its own (a line may break before it).
            let mut space = 1;
            let mut ascii = 0;
            for c in word.chars() {
                if text_width(c.encode_utf8(&mut [0; 4])) == 2 {
                    if ascii > 0 {
                        place(ascii, space);
                        space = 0;
                        ascii = 0;
                    }
                    place(2, space);
                    space = 0;
                } else {
                    ascii += 1;
                }
            }
            if ascii > 0 || space == 1 {
                place(ascii, space);
            }
        }
        lines += line_count;
    }
    lines.max(1)
}

/// The column widths of a sheet and the lines of its rows' tallest wrapped cell.
#[derive(Debug, Clone)]
pub struct Layout {
    widths: Vec<usize>,
    lines: BTreeMap<RowNum, usize>,
}

impl Layout {
    /// A sheet with these column widths, in characters.
    #[must_use]
    pub fn new(widths: Vec<usize>) -> Self {
        Self { widths, lines: BTreeMap::new() }
    }

    /// Widths that fit `texts` per column (display width plus a margin), at least `min`
    /// and at most `max`; beyond `max` the text wraps.
    #[must_use]
    pub fn fitted<T: AsRef<str>>(columns: impl IntoIterator<Item = (usize, usize, Vec<T>)>) -> Self {
        let widths = columns
            .into_iter()
            .map(|(min, max, texts)| {
                texts.iter().map(|t| longest_line(t.as_ref()) + 2).max().unwrap_or(0).clamp(min, max)
            })
            .collect();
        Self::new(widths)
    }

    /// The width of column `c`, in characters.
    #[must_use]
    pub fn width(&self, c: usize) -> usize {
        self.widths.get(c).copied().unwrap_or(9)
    }

    /// Sets the column widths on `ws`.
    ///
    /// # Errors
    /// Writer errors.
    pub fn apply_widths(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, width) in self.widths.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            ws.set_column_width(col(c), *width as f64)?;
        }
        Ok(())
    }

    /// Writes `text` at (`r`, `c`) in `format`, wrapped (top-aligned) when it is wider than
    /// its column; the row is made tall enough by [`Layout::finish`].
    ///
    /// # Errors
    /// Writer errors.
    pub fn text(
        &mut self,
        ws: &mut Worksheet,
        r: RowNum,
        c: usize,
        text: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        let width = self.width(c).saturating_sub(1);
        if longest_line(text) > width || text.contains('\n') {
            self.note_lines(r, wrapped_lines(text, width));
            let wrapped = format.clone().set_text_wrap().set_align(FormatAlign::Top);
            write_text(ws, r, col(c), text, &wrapped)
        } else {
            write_text(ws, r, col(c), text, format)
        }
    }

    /// Writes `text` at (`r`, `c`) in `wrapped`, a format that wraps, noting the lines it
    /// takes: for constant-memory sheets, whose formats are all registered before any
    /// sheet is written (same inputs, same bytes).
    ///
    /// # Errors
    /// Writer errors.
    pub fn wrapped(
        &mut self,
        ws: &mut Worksheet,
        r: RowNum,
        c: usize,
        text: &str,
        wrapped: &Format,
    ) -> Result<(), XlsxError> {
        self.wrapped_in(ws, r, c, text, wrapped, 0)
    }

    /// [`Layout::wrapped`] in a format indented by `indent` levels (each takes about
    /// [`INDENT_WIDTH`] characters of the column).
    ///
    /// # Errors
    /// Writer errors.
    pub fn wrapped_in(
        &mut self,
        ws: &mut Worksheet,
        r: RowNum,
        c: usize,
        text: &str,
        wrapped: &Format,
        indent: usize,
    ) -> Result<(), XlsxError> {
        let width = self.width(c).saturating_sub(1 + indent * INDENT_WIDTH);
        self.note_lines(r, wrapped_lines(text, width));
        write_text(ws, r, col(c), text, wrapped)
    }

    /// Writes `text` across columns `first..=last` of row `r` (merged), wrapped to their
    /// width: notes under a table.
    ///
    /// # Errors
    /// Writer errors.
    pub fn note(
        &mut self,
        ws: &mut Worksheet,
        r: RowNum,
        (first, last): (usize, usize),
        text: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        let width: usize = (first..=last).map(|c| self.width(c)).sum::<usize>().saturating_sub(2);
        let wrapped = format.clone().set_text_wrap();
        let text = super::workbook::cell_text(text);
        if last > first {
            ws.merge_range(r, col(first), r, col(last), &text, &wrapped)?;
        } else {
            ws.write_string_with_format(r, col(first), text.as_ref(), &wrapped)?;
        }
        self.note_lines(r, wrapped_lines(&text, width));
        Ok(())
    }

    /// Row `r` needs at least `lines` lines.
    pub fn note_lines(&mut self, r: RowNum, lines: usize) {
        let entry = self.lines.entry(r).or_insert(1);
        *entry = (*entry).max(lines);
    }

    /// Sets the height of row `r` when it holds wrapped text: on a constant-memory sheet,
    /// after writing the row's cells and before the next row (the row is written out when
    /// the next one starts, its height with it).
    ///
    /// # Errors
    /// Writer errors.
    pub fn finish_row(&self, ws: &mut Worksheet, r: RowNum) -> Result<(), XlsxError> {
        if let Some(lines) = self.lines.get(&r).filter(|l| **l > 1) {
            #[allow(clippy::cast_precision_loss)]
            ws.set_row_height(r, LINE_HEIGHT * *lines as f64)?;
        }
        Ok(())
    }

    /// Sets the height of every row holding wrapped text (sheets that keep their cells
    /// until saved).
    ///
    /// # Errors
    /// Writer errors.
    pub fn finish(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (r, lines) in &self.lines {
            if *lines > 1 {
                #[allow(clippy::cast_precision_loss)]
                ws.set_row_height(*r, LINE_HEIGHT * *lines as f64)?;
            }
        }
        Ok(())
    }
}

/// The display width of the longest line of `text`.
#[must_use]
pub fn longest_line(text: &str) -> usize {
    text.split('\n').map(text_width).max().unwrap_or(0)
}

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_at_spaces_and_between_chinese_characters() {
        assert_eq!(wrapped_lines("short", 10), 1);
        assert_eq!(wrapped_lines("", 10), 1);
        // "aaaa bbbb" fits 9; "cccc" goes to the next line.
        assert_eq!(wrapped_lines("aaaa bbbb cccc", 9), 2);
        // Eight Chinese characters are 16 wide: two lines of 10.
        assert_eq!(wrapped_lines("华为技术有限公司", 10), 2);
        // A word longer than the column is broken.
        assert_eq!(wrapped_lines("INV-0001,INV-0002,INV-0003", 10), 3);
        assert_eq!(wrapped_lines("one\ntwo", 10), 2);
    }
}
