//! The **Summary** sheet: run facts, then per currency the bucket table (live COUNTIFS /
//! SUMIFS over the Detail sheet, with cached values) and a column chart of the buckets.
use rust_decimal::Decimal;
use rust_xlsxwriter::{Chart, ChartType, ColNum, FormatAlign, Formula, RowNum, Worksheet, XlsxError};

use super::formats::Formats;
use super::layout::Layout;
use super::workbook::write_text;
use super::{ReportInput, control_block, day_range, detail_sheet};
use crate::aging::AgingTotals;
use crate::catalogue::Labels;
use crate::config::rules_file::Basis;
use crate::ingest::SkipReason;

/// The sheet's key in the catalogue (`sheet.<key>`: its name in the workbook's language).
pub const NAME: &str = "summary";

/// First row (0-based) of the facts block's count rows: read, accepted, rejected, closed,
/// future-dated.
const COUNTS_ROW: RowNum = 9;
const FIRST_BLOCK_ROW: RowNum = 18;
/// Rows reserved per currency block, so that the charts do not overlap.
const MIN_BLOCK_ROWS: RowNum = 17;

/// Writes the sheet.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, input: &ReportInput<'_>, f: &Formats) -> Result<(), XlsxError> {
    let (aging, l) = (input.aging, f.labels);
    // Wide enough for the bucket tables and for the control totals' amounts below them
    // (nine columns: Currency, seven amounts, Check).
    let mut layout = Layout::new([vec![32], vec![17; LAST_COL]].concat());
    layout.apply_widths(ws)?;
    ws.write_string_with_format(0, 0, l.get("summary.title"), &f.title)?;
    let basis = match aging.basis {
        Basis::DueDate => l.get("summary.basis_due_date"),
        Basis::InvoiceDate => l.get("summary.basis_invoice_date"),
    };
    let as_of = aging.as_of.format("%Y-%m-%d").to_string();
    let subtitle = l.fill("summary.subtitle", &[("company", input.company), ("as_of", &as_of), ("basis", basis)]);
    layout.note(ws, 1, (0, LAST_COL), &subtitle, &f.subtitle)?;
    write_facts(ws, &mut layout, input, f)?;

    let mut r = FIRST_BLOCK_ROW;
    for totals in &aging.currencies {
        let used = write_currency_block(ws, r, totals, input, f)?;
        r += used.max(MIN_BLOCK_ROWS);
    }
    if aging.currencies.is_empty() {
        layout.note(ws, r, (0, LAST_COL), l.get("summary.no_open_items"), &f.note)?;
        r += 2;
    }
    control_block::write(ws, &mut layout, r, input, f)?;
    layout.finish(ws)
}

/// The last column the sheet uses (the control totals' Check).
const LAST_COL: usize = 8;

fn write_facts(ws: &mut Worksheet, layout: &mut Layout, input: &ReportInput<'_>, f: &Formats) -> Result<(), XlsxError> {
    let (c, l) = (&input.counts, f.labels);
    ws.write_string_with_format(3, 0, l.get("summary.run_facts"), &f.section)?;
    ws.write_string_with_format(4, 0, l.get("summary.as_of"), &f.label)?;
    ws.write_date_with_format(4, 1, input.aging.as_of, &f.date)?;
    let texts = [
        ("summary.input", inputs_text(input, l)),
        ("summary.currency", currency_text(input, l)),
        ("summary.rules", input.rules_origin.to_owned()),
        ("summary.generated_by", format!("payback {}", env!("CARGO_PKG_VERSION"))),
    ];
    for (i, (label, value)) in texts.iter().enumerate() {
        let r = 5 + RowNum::try_from(i).unwrap_or(0);
        ws.write_string_with_format(r, 0, l.get(label), &f.label)?;
        layout.note(ws, r, (1, LAST_COL), value, &f.text)?;
    }
    let counts = [
        ("summary.rows_read", c.read),
        ("summary.open_items", c.accepted),
        ("summary.rejected", c.rejected),
        ("summary.closed", c.closed),
        ("summary.future_dated", c.future_dated),
        ("summary.lines_summed", c.invoice_lines_merged),
    ];
    for (i, (label, n)) in counts.iter().enumerate() {
        let r = COUNTS_ROW + RowNum::try_from(i).unwrap_or(0);
        layout.text(ws, r, 0, l.get(label), &f.label)?;
        #[allow(clippy::cast_precision_loss)]
        ws.write_number_with_format(r, 1, *n as f64, &f.integer)?;
    }
    let [read, acc, rej, closed, future, lines] = [0, 1, 2, 3, 4, 5].map(|i| format!("B{}", COUNTS_ROW + 1 + i));
    let (ok, mismatch) = (excel_string(l.get("summary.check_ok")), excel_string(l.get("word.mismatch")));
    let check = format!("=IF({read}={acc}+{rej}+{closed}+{future}+{lines},\"{ok}\",\"{mismatch}\")");
    let cached = if c.reconciles() { l.get("summary.check_ok") } else { l.get("word.mismatch") };
    ws.write_string_with_format(COUNTS_ROW + 6, 0, l.get("summary.check"), &f.label)?;
    // The check's words span the columns to its right (merged), clear of any number.
    ws.merge_range(COUNTS_ROW + 6, 1, COUNTS_ROW + 6, 3, "", &f.text)?;
    ws.write_formula_with_format(COUNTS_ROW + 6, 1, Formula::new(check).set_result(cached), &f.text)?;
    layout.text(ws, COUNTS_ROW + 7, 0, l.get("summary.skipped"), &f.label)?;
    #[allow(clippy::cast_precision_loss)]
    ws.write_number_with_format(COUNTS_ROW + 7, 1, c.skipped.values().sum::<usize>() as f64, &f.integer)?;
    let by_reason: Vec<String> = SkipReason::ALL
        .iter()
        .map(|r| format!("{} {}", l.get(&format!("skip.{}", r.key())), c.skipped[r.key()]))
        .collect();
    // In its own columns, one indent in: "0title" was the count running into the note.
    layout.note(
        ws,
        COUNTS_ROW + 7,
        (2, LAST_COL),
        &by_reason.join(" · "),
        &f.note.clone().set_align(FormatAlign::Left).set_indent(1),
    )?;
    if let Some(text) = date_order_text(input, l) {
        layout.text(ws, COUNTS_ROW + 8, 0, l.get("summary.dates_read_as"), &f.label)?;
        layout.note(ws, COUNTS_ROW + 8, (1, LAST_COL), &text, &f.text)?;
    }
    Ok(())
}

/// Where the invoices' currencies come from: each row's currency column, or the sentence
/// per file that says which rows were read in the default currency.
fn currency_text(input: &ReportInput<'_>, l: &Labels) -> String {
    let notes: Vec<String> =
        input.batch.sources.iter().filter_map(|s| s.currency_said.as_ref()).map(|r| r.render(l)).collect();
    if notes.is_empty() { l.get("summary.each_row_currency").to_owned() } else { notes.join("; ") }
}

/// The day/month order of the inputs' text dates and why; `None` when no input
/// needed one.
fn date_order_text(input: &ReportInput<'_>, l: &Labels) -> Option<String> {
    let sources = &input.batch.sources;
    let described: Vec<(String, String)> =
        sources.iter().filter_map(|s| Some((l.source(&s.source), s.date_order.as_ref()?.render(l)))).collect();
    match &described[..] {
        [] => None,
        [(_, one)] if sources.len() == 1 => Some(one.clone()),
        many => Some(many.iter().map(|(file, order)| format!("{file}: {order}")).collect::<Vec<_>>().join("; ")),
    }
}

/// The input file, or how many files (their figures are in the control totals).
fn inputs_text(input: &ReportInput<'_>, l: &Labels) -> String {
    match &input.batch.sources[..] {
        [one] => match &one.preset {
            Some(preset) => l.fill("summary.preset", &[("file", &l.source(&one.source)), ("preset", preset)]),
            None => l.source(&one.source),
        },
        many => l.fill("summary.files", &[("count", &many.len().to_string())]),
    }
}

/// Writes one currency's table at row `top`; returns the rows used.
fn write_currency_block(
    ws: &mut Worksheet,
    top: RowNum,
    totals: &AgingTotals,
    input: &ReportInput<'_>,
    f: &Formats,
) -> Result<RowNum, XlsxError> {
    let aging = input.aging;
    let items = aging.open_items.height();
    let cur = &totals.currency;
    let code = cur.code();
    let money = f.money(cur);
    let range = |c: ColNum| detail_sheet::column_ranges(f.labels, c, items, input.detail_rows_per_sheet);
    let (cur_range, amount_range, bucket_range, dpd_range) = (
        range(detail_sheet::CURRENCY_COL),
        range(detail_sheet::OPEN_COL),
        range(detail_sheet::BUCKET_COL),
        range(detail_sheet::DAYS_PAST_DUE_COL),
    );
    let labels = f.labels;
    write_text(ws, top, 0, &labels.fill("summary.by_bucket", &[("currency", code)]), &f.section)?;
    for (c, header) in ["bucket", "days", "items", "open_amount", "share"].iter().enumerate() {
        ws.write_string_with_format(
            top + 1,
            ColNum::try_from(c).unwrap_or(0),
            labels.get(&format!("summary.{header}")),
            &f.header,
        )?;
    }
    let first = top + 2;
    let n = RowNum::try_from(aging.buckets.len()).unwrap_or(0);
    let total_row = first + n;
    let total_cell = format!("$D${}", total_row + 1);
    let total = totals.total();
    for (i, (bucket, figures)) in aging.buckets.iter().zip(&totals.buckets).enumerate() {
        let r = first + RowNum::try_from(i).unwrap_or(0);
        // The Detail sheets hold the bucket in the workbook's words: the formulas match them.
        let words = labels.bucket(&bucket.label);
        let label = excel_string(words);
        write_text(ws, r, 0, words, &f.text)?;
        write_text(ws, r, 1, &day_range(bucket.min_days, bucket.max_days), &f.text)?;
        let count = over_sheets(&cur_range, |k| {
            format!("COUNTIFS({},\"{code}\",{},\"{label}\")", cur_range[k], bucket_range[k])
        });
        ws.write_formula_with_format(r, 2, Formula::new(count).set_result(figures.count.to_string()), &f.integer)?;
        let sum = over_sheets(&cur_range, |k| {
            format!("SUMIFS({},{},\"{code}\",{},\"{label}\")", amount_range[k], cur_range[k], bucket_range[k])
        });
        ws.write_formula_with_format(r, 3, Formula::new(sum).set_result(cur.format(figures.amount_minor)), &money)?;
        let share = format!("=IF({total_cell}=0,0,D{}/{total_cell})", r + 1);
        let cached = ratio(figures.amount_minor, total.amount_minor);
        ws.write_formula_with_format(r, 4, Formula::new(share).set_result(cached), &f.percent)?;
    }
    write_text(ws, total_row, 0, &labels.fill("word.total", &[("currency", code)]), &f.total_label)?;
    ws.write_blank(total_row, 1, &f.total_label)?;
    let (a, b) = (first + 1, total_row);
    ws.write_formula_with_format(
        total_row,
        2,
        Formula::new(format!("=SUM(C{a}:C{b})")).set_result(total.count.to_string()),
        &f.total_integer,
    )?;
    ws.write_formula_with_format(
        total_row,
        3,
        Formula::new(format!("=SUM(D{a}:D{b})")).set_result(cur.format(total.amount_minor)),
        &f.money_total(cur),
    )?;
    ws.write_formula_with_format(
        total_row,
        4,
        Formula::new(format!("=SUM(E{a}:E{b})")).set_result(ratio(total.amount_minor, total.amount_minor)),
        &f.total_percent,
    )?;

    let overdue_row = total_row + 1;
    let ranges = DetailRanges { currency: &cur_range, amount: &amount_range, days_past_due: &dpd_range };
    write_overdue_row(ws, overdue_row, totals, &ranges, &total_cell, f)?;
    ws.insert_chart(top, 6, &bucket_chart(code, first, total_row - 1, cur, labels))?;
    Ok(overdue_row - top + 3)
}

/// Absolute references to the Detail columns the Summary formulas read, one per Detail
/// sheet.
struct DetailRanges<'a> {
    currency: &'a [String],
    amount: &'a [String],
    days_past_due: &'a [String],
}

/// `=f(0)+f(1)+…`: a formula over every Detail sheet (one term when the items fit on one).
fn over_sheets(sheets: &[String], term: impl Fn(usize) -> String) -> String {
    format!("={}", (0..sheets.len()).map(term).collect::<Vec<_>>().join("+"))
}

/// The "Overdue (past due date)" row under a currency's total.
fn write_overdue_row(
    ws: &mut Worksheet,
    r: RowNum,
    totals: &AgingTotals,
    ranges: &DetailRanges<'_>,
    total_cell: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    let cur = &totals.currency;
    let code = cur.code();
    let DetailRanges { currency, amount, days_past_due } = ranges;
    let overdue = totals.overdue;
    write_text(ws, r, 0, f.labels.get("summary.overdue"), &f.label)?;
    write_text(ws, r, 1, "≥ 1", &f.text)?;
    // Credit notes are never overdue: only amounts above zero past their due date count.
    let count = over_sheets(currency, |k| {
        format!("COUNTIFS({},\"{code}\",{},\">0\",{},\">0\")", currency[k], days_past_due[k], amount[k])
    });
    ws.write_formula_with_format(r, 2, Formula::new(count).set_result(overdue.count.to_string()), &f.integer)?;
    let sum = over_sheets(currency, |k| {
        format!("SUMIFS({},{},\"{code}\",{},\">0\",{},\">0\")", amount[k], currency[k], days_past_due[k], amount[k])
    });
    ws.write_formula_with_format(r, 3, Formula::new(sum).set_result(cur.format(overdue.amount_minor)), &f.money(cur))?;
    let share = format!("=IF({total_cell}=0,0,D{}/{total_cell})", r + 1);
    let cached = ratio(overdue.amount_minor, totals.total().amount_minor);
    ws.write_formula_with_format(r, 4, Formula::new(share).set_result(cached), &f.percent)?;
    Ok(())
}

/// A column chart of the bucket amounts in rows `first..=last` of column D.
fn bucket_chart(code: &str, first: RowNum, last: RowNum, cur: &crate::money::Currency, l: &Labels) -> Chart {
    let sheet = l.sheet(NAME);
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name(l.fill("summary.chart_series", &[("currency", code)]).as_str())
        .set_categories((sheet, first, 0, last, 0))
        .set_values((sheet, first, 3, last, 3));
    chart.title().set_name(l.fill("summary.chart_title", &[("currency", code)]).as_str());
    chart.legend().set_hidden();
    chart.y_axis().set_num_format(f_num_format(cur)).set_min(0);
    chart.set_width(520).set_height(300);
    chart
}

fn f_num_format(cur: &crate::money::Currency) -> String {
    match cur.symbol() {
        Some(symbol) => format!("\"{symbol}\"#,##0"),
        None => "#,##0".to_owned(),
    }
}

/// `part / whole` as decimal text for a cached share (0 when whole is 0).
fn ratio(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "0".to_owned();
    }
    (Decimal::from(part) / Decimal::from(whole)).round_dp(12).normalize().to_string()
}

/// A value for inside an Excel string literal: `"` doubled.
fn excel_string(text: &str) -> String {
    text.replace('"', "\"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_exact_decimal_text() {
        assert_eq!(ratio(1, 4), "0.25");
        assert_eq!(ratio(5, 0), "0");
        assert_eq!(ratio(10, 10), "1");
    }
}
