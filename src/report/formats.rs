//! Cell formats, built once and named for their meaning.
use std::collections::BTreeMap;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

use crate::money::Currency;

const HEADER_FILL: u32 = 0x1F_4E_79;
const TOTAL_FILL: u32 = 0xDD_EB_F7;

/// The workbook's formats.
#[derive(Debug, Clone)]
pub struct Formats {
    /// Sheet title.
    pub title: Format,
    /// Line under the title.
    pub subtitle: Format,
    /// Column headers.
    pub header: Format,
    /// Section heading.
    pub section: Format,
    /// Label in the facts block.
    pub label: Format,
    /// Plain text (always written as text, never as a formula).
    pub text: Format,
    /// Dates.
    pub date: Format,
    /// Counts and day numbers.
    pub integer: Format,
    /// Shares.
    pub percent: Format,
    /// Label of a totals row.
    pub total_label: Format,
    /// Count in a totals row.
    pub total_integer: Format,
    /// Share in a totals row.
    pub total_percent: Format,
    /// Muted note text.
    pub note: Format,
    /// Fill for amounts or days 1–30 past due.
    pub late: Format,
    /// Fill for 31–90 days past due.
    pub later: Format,
    /// Fill for more than 90 days past due.
    pub latest: Format,
    /// An internal hyperlink.
    pub link: Format,
    /// Text one indent in: clear of a right-aligned number in the column before it.
    pub indented: Format,
    /// Text wrapped within its column, from the top of the row.
    pub wrap_top: Format,
    /// [`Formats::wrap_top`], one indent in.
    pub wrap_top_indented: Format,
    /// A whole number at the top of a row of wrapped text.
    pub integer_top: Format,
    /// A note wrapped within its column.
    pub note_wrap: Format,
    /// The words of the workbook, in its language.
    pub labels: &'static crate::catalogue::Labels,
    money: BTreeMap<String, (Format, Format)>,
}

impl Formats {
    /// Formats for a workbook showing amounts in `currencies`, with the words and number
    /// formats of `labels`.
    #[must_use]
    pub fn new<'a>(
        currencies: impl IntoIterator<Item = &'a Currency>,
        labels: &'static crate::catalogue::Labels,
    ) -> Self {
        let total =
            || Format::new().set_bold().set_background_color(Color::RGB(TOTAL_FILL)).set_border_top(FormatBorder::Thin);
        let money = currencies
            .into_iter()
            .map(|c| {
                let number = money_number_format(c);
                (c.code().to_owned(), (Format::new().set_num_format(&number), total().set_num_format(&number)))
            })
            .collect();
        Self {
            title: Format::new().set_bold().set_font_size(16).set_font_color(Color::RGB(HEADER_FILL)),
            subtitle: Format::new().set_italic().set_font_color(Color::Gray),
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(HEADER_FILL))
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            section: Format::new().set_bold().set_font_size(12).set_border_bottom(FormatBorder::Thin),
            label: Format::new().set_bold(),
            text: Format::new(),
            date: Format::new().set_num_format(labels.get("format.date")).set_align(FormatAlign::Left),
            integer: Format::new().set_num_format(labels.get("format.integer")),
            percent: Format::new().set_num_format(labels.get("format.percent")),
            total_label: total(),
            total_integer: total().set_num_format(labels.get("format.integer")),
            total_percent: total().set_num_format(labels.get("format.percent")),
            note: Format::new().set_italic().set_font_color(Color::Gray),
            late: Format::new().set_background_color(Color::RGB(0xFF_F2_CC)),
            later: Format::new().set_background_color(Color::RGB(0xFC_E4_D6)),
            latest: Format::new().set_background_color(Color::RGB(0xFF_C7_CE)).set_font_color(Color::RGB(0x9C_00_06)),
            link: Format::new()
                .set_font_color(Color::RGB(0x05_63_C1))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            indented: Format::new().set_align(FormatAlign::Left).set_indent(1),
            wrap_top: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            wrap_top_indented: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_align(FormatAlign::Left)
                .set_indent(1),
            integer_top: Format::new().set_num_format(labels.get("format.integer")).set_align(FormatAlign::Top),
            note_wrap: Format::new()
                .set_italic()
                .set_font_color(Color::Gray)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            labels,
            money,
        }
    }

    /// Every format, in a fixed order: the fields, then each currency's money and totals
    /// formats by code.
    pub fn each(&self) -> impl Iterator<Item = &Format> {
        let fields = [
            &self.title,
            &self.subtitle,
            &self.header,
            &self.section,
            &self.label,
            &self.text,
            &self.date,
            &self.integer,
            &self.percent,
            &self.total_label,
            &self.total_integer,
            &self.total_percent,
            &self.note,
            &self.late,
            &self.later,
            &self.latest,
            &self.link,
            &self.indented,
            &self.wrap_top,
            &self.wrap_top_indented,
            &self.integer_top,
            &self.note_wrap,
        ];
        fields.into_iter().chain(self.money.values().flat_map(|(money, total)| [money, total]))
    }

    /// Money format for `currency` (falls back to a plain two-decimal format).
    #[must_use]
    pub fn money(&self, currency: &Currency) -> Format {
        self.money.get(currency.code()).map_or_else(|| Format::new().set_num_format("#,##0.00"), |m| m.0.clone())
    }

    /// Money format for `currency` in a totals row.
    #[must_use]
    pub fn money_total(&self, currency: &Currency) -> Format {
        self.money
            .get(currency.code())
            .map_or_else(|| self.total_label.clone().set_num_format("#,##0.00"), |m| m.1.clone())
    }
}

/// `"¥"#,##0.00;[Red]-"¥"#,##0.00;"–"` and the like (zero shows as a dash, negatives in
/// red); the code as suffix where no symbol is clear.
fn money_number_format(currency: &Currency) -> String {
    let digits = match currency.exponent() {
        0 => "#,##0".to_owned(),
        n => format!("#,##0.{}", "0".repeat(usize::try_from(n).unwrap_or(2))),
    };
    if let Some(symbol) = currency.symbol() {
        format!("\"{symbol}\"{digits};[Red]-\"{symbol}\"{digits};\"–\"")
    } else {
        let code = currency.code();
        format!("{digits} \"{code}\";[Red]-{digits} \"{code}\";\"–\"")
    }
}

/// The fill for a day count past due: `None` before due.
#[must_use]
pub fn age_fill(formats: &Formats, days: i64) -> Option<&Format> {
    match days {
        i64::MIN..=0 => None,
        1..=30 => Some(&formats.late),
        31..=90 => Some(&formats.later),
        _ => Some(&formats.latest),
    }
}

/// Colours cells of `range` (first row, first col, last row, last col) holding days past
/// due: 1–30 yellow, 31–90 orange, over 90 red.
///
/// # Errors
/// Writer errors.
pub fn colour_days(
    ws: &mut rust_xlsxwriter::Worksheet,
    (r1, c1, r2, c2): (u32, u16, u32, u16),
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ConditionalFormatCell, ConditionalFormatCellRule as Rule};
    for (rule, format) in
        [(Rule::Between(1, 30), &f.late), (Rule::Between(31, 90), &f.later), (Rule::GreaterThan(90), &f.latest)]
    {
        ws.add_conditional_format(r1, c1, r2, c2, &ConditionalFormatCell::new().set_rule(rule).set_format(format))?;
    }
    Ok(())
}

/// The width of a column of amounts, in Excel character units: room for `¥999,999,999.99`
/// in the money formats ([`Formats::money`]).
pub const MONEY_WIDTH: u16 = 16;

/// Column width in Excel character units for `text`: wide (CJK) characters count twice.
#[must_use]
pub fn text_width(text: &str) -> usize {
    text.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats_per_currency() {
        assert_eq!(money_number_format(&Currency::parse("CNY").unwrap()), "\"¥\"#,##0.00;[Red]-\"¥\"#,##0.00;\"–\"");
        assert_eq!(money_number_format(&Currency::parse("JPY").unwrap()), "\"JP¥\"#,##0;[Red]-\"JP¥\"#,##0;\"–\"");
        assert_eq!(
            money_number_format(&Currency::parse("CHF").unwrap()),
            "#,##0.00 \"CHF\";[Red]-#,##0.00 \"CHF\";\"–\""
        );
    }

    #[test]
    fn cjk_is_twice_as_wide() {
        assert_eq!(text_width("ACME"), 4);
        assert_eq!(text_width("华为"), 4);
    }
}
