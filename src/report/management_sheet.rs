//! The **Management** sheet, first in the workbook: the period's key figures per currency
//! (open, overdue, DSO simple and countback, CEI, sales, cash collected, unapplied cash),
//! the trend of the last runs with a line chart (overdue and DSO), the largest overdue
//! customers with a bar chart, amounts held by reason, payments waiting in the customers'
//! approval, and each project manager's open, overdue and collected amounts. Days-to-pay
//! per customer is on the **Days to Pay** sheet.
// Counts and day numbers written as Excel numbers are far below 2^52.
#![allow(clippy::cast_precision_loss)]
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Chart, ChartType, ColNum, Format, FormatAlign, RowNum, Worksheet, XlsxError};

use super::formats::Formats;
use super::layout::Layout;
use crate::metrics::trend::Snapshot;
use crate::metrics::{CurrencyMetrics, Metrics, NO_MANAGER};
use crate::money::Currency;

/// The sheet's key in the catalogue (`sheet.<key>`: its name in the workbook's language).
pub const NAME: &str = "management";

/// Rows kept free for each currency's pair of charts under the key figures.
const CHART_ROWS: RowNum = 17;
/// Columns the tables use (the key figures' eleven).
const LAST_COL: usize = 10;

/// Writes the sheet.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, m: &Metrics, company: &str, f: &Formats) -> Result<(), XlsxError> {
    let l = f.labels;
    let mut layout = column_layout(m, f);
    layout.apply_widths(ws)?;
    ws.write_string_with_format(0, 0, l.get("management.title"), &f.title)?;
    let basis = match m.beginning {
        crate::metrics::Beginning::PreviousRun => l.get("management.basis_previous_run"),
        crate::metrics::Beginning::Rebuilt => l.get("management.basis_rebuilt"),
    };
    let from = (m.period_start + chrono::Duration::days(1)).to_string();
    let subtitle = l.fill(
        "management.subtitle",
        &[
            ("company", company),
            ("as_of", &m.as_of.to_string()),
            ("from", &from),
            ("to", &m.as_of.to_string()),
            ("basis", basis),
        ],
    );
    layout.note(ws, 1, (0, LAST_COL), &subtitle, &f.subtitle)?;
    let mut r = key_figures(ws, &mut layout, 3, m, f)?;
    r = roll_forward(ws, &mut layout, r + 1, m, f)?;
    let charts_row = r + 1;
    // One pair of charts per currency (the second currency had none).
    let chart_rows = CHART_ROWS * RowNum::try_from(m.currencies.len().max(1)).unwrap_or(1);
    r = charts_row + chart_rows;
    let (trend_rows, next) = trend(ws, r, m, f)?;
    r = next;
    let (top_rows, next) = top_overdue(ws, &mut layout, r, m, f)?;
    r = next;
    r = held(ws, &mut layout, r, m, f)?;
    r = in_legal(ws, &mut layout, r, m, f)?;
    r = unbilled(ws, &mut layout, r, m, f)?;
    r = approvals(ws, &mut layout, r, m, f)?;
    managers(ws, &mut layout, r, m, f)?;
    for (i, c) in m.currencies.iter().enumerate() {
        let row = charts_row + CHART_ROWS * RowNum::try_from(i).unwrap_or(0);
        let cur = &c.currency;
        if let Some((_, first, last)) = trend_rows.iter().find(|(code, _, _)| code == cur) {
            ws.insert_chart(row, 0, &trend_chart(cur, *first, *last, f))?;
        }
        if let Some((_, first, last)) = top_rows.iter().find(|(code, _, _)| code == cur) {
            ws.insert_chart(row, 5, &top_chart(cur, *first, *last, f))?;
        }
    }
    layout.finish(ws)?;
    Ok(())
}

/// The first column fits the customers, managers and reasons it lists (up to 40
/// characters, then they wrap); the figures' columns fit ¥999,999,999.99.
fn column_layout(m: &Metrics, f: &Formats) -> Layout {
    let l = f.labels;
    let mut first: Vec<&str> = m.top_overdue.iter().map(|t| t.customer.as_str()).collect();
    first.extend(m.managers.iter().map(|p| p.manager.as_str()));
    first.extend(m.approvals.iter().map(|a| a.customer.as_str()));
    first.extend(m.unexplained.iter().map(|u| u.customer.as_str()));
    first.extend(m.held.iter().map(|h| l.stage(&h.reason)));
    first.extend(m.in_legal.iter().map(|c| c.customer.as_str()));
    first.extend(m.unbilled.iter().map(|u| u.customer.as_str()));
    let mut columns = vec![(24, 40, first)];
    columns.extend((1..=LAST_COL).map(|_| (16, 16, Vec::new())));
    Layout::fitted(columns)
}

fn days_format(f: &Formats) -> Format {
    Format::new().set_num_format(f.labels.get("format.days"))
}

/// Writes `value` (days or percent) or "n/a".
fn write_ratio(
    ws: &mut Worksheet,
    r: RowNum,
    c: ColNum,
    value: Option<Decimal>,
    percent: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    // Percent as a fraction for Excel's % format, divided exactly before the conversion.
    let value = value.map(|v| if percent { v / Decimal::from(100) } else { v }).and_then(|v| v.to_f64());
    match value {
        Some(v) if percent => ws.write_number_with_format(r, c, v, &f.percent)?,
        Some(v) => ws.write_number_with_format(r, c, v, &days_format(f))?,
        None => ws.write_string_with_format(
            r,
            c,
            f.labels.get("word.not_available"),
            &f.note.clone().set_align(rust_xlsxwriter::FormatAlign::Right),
        )?,
    };
    Ok(())
}

/// A header row of catalogue keys `management.<key>`.
fn headers(ws: &mut Worksheet, r: RowNum, keys: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (c, key) in (0..).zip(keys) {
        ws.write_string_with_format(r, c, f.labels.get(&format!("management.{key}")), &f.header)?;
    }
    ws.set_row_height(r, 32)?;
    Ok(())
}

fn money(ws: &mut Worksheet, r: RowNum, c: ColNum, cur: &Currency, minor: i64, f: &Formats) -> Result<(), XlsxError> {
    ws.write_number_with_format(r, c, cur.excel_value(minor), &f.money(cur))?;
    Ok(())
}

fn section(ws: &mut Worksheet, r: RowNum, text: &str, f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, 0, text, &f.section)?;
    Ok(())
}

/// The key figures, one row per currency; returns the next free row.
fn key_figures(
    ws: &mut Worksheet,
    layout: &mut Layout,
    r: RowNum,
    m: &Metrics,
    f: &Formats,
) -> Result<RowNum, XlsxError> {
    let l = f.labels;
    section(ws, r, l.get("management.key_figures"), f)?;
    let names = [
        "currency",
        "open",
        "overdue",
        "overdue_share",
        "dso",
        "dso_countback",
        "cei",
        "beginning",
        "sales",
        "collected",
        "unapplied",
    ];
    headers(ws, r + 1, &names, f)?;
    let mut row = r + 2;
    for c in &m.currencies {
        key_row(ws, row, c, f)?;
        row += 1;
    }
    if m.currencies.is_empty() {
        layout.note(ws, row, (0, LAST_COL), l.get("management.no_open_items"), &f.note)?;
        row += 1;
    }
    let days = m.dso_days.to_string();
    let note = l.fill("management.dso_note", &[("days", &days)]);
    layout.note(ws, row, (0, LAST_COL), &note, &f.note)?;
    Ok(row + 1)
}

fn key_row(ws: &mut Worksheet, r: RowNum, c: &CurrencyMetrics, f: &Formats) -> Result<(), XlsxError> {
    let cur = &c.currency;
    ws.write_string_with_format(r, 0, cur.code(), &f.label)?;
    money(ws, r, 1, cur, c.open, f)?;
    money(ws, r, 2, cur, c.overdue, f)?;
    write_ratio(ws, r, 3, c.overdue_share, true, f)?;
    write_ratio(ws, r, 4, c.dso, false, f)?;
    write_ratio(ws, r, 5, c.dso_countback, false, f)?;
    write_ratio(ws, r, 6, c.cei, true, f)?;
    money(ws, r, 7, cur, c.beginning, f)?;
    money(ws, r, 8, cur, c.sales, f)?;
    money(ws, r, 9, cur, c.collected, f)?;
    money(ws, r, 10, cur, c.unapplied, f)?;
    Ok(())
}

/// The roll-forward, one row per currency, then the invoices behind any "not explained";
/// returns the next free row.
fn roll_forward(
    ws: &mut Worksheet,
    layout: &mut Layout,
    r: RowNum,
    m: &Metrics,
    f: &Formats,
) -> Result<RowNum, XlsxError> {
    let l = f.labels;
    if m.currencies.is_empty() {
        return Ok(r);
    }
    section(ws, r, l.get("management.roll_forward"), f)?;
    let names =
        ["currency", "beginning", "invoiced", "credit_notes", "cash_collected", "expected", "ending", "not_explained"];
    headers(ws, r + 1, &names, f)?;
    let mut row = r + 2;
    for c in &m.currencies {
        let cur = &c.currency;
        ws.write_string_with_format(row, 0, cur.code(), &f.label)?;
        let expected = c.beginning + c.invoiced - c.credit_notes - c.collected;
        for (col, minor) in
            (1..).zip([c.beginning, c.invoiced, c.credit_notes, c.collected, expected, c.open, c.not_explained])
        {
            money(ws, row, col, cur, minor, f)?;
        }
        row += 1;
    }
    layout.note(ws, row, (0, LAST_COL), l.get("management.roll_note"), &f.note)?;
    row += 1;
    if m.unexplained.is_empty() {
        return Ok(row);
    }
    row += 1;
    section(ws, row, l.get("management.not_explained"), f)?;
    headers(ws, row + 1, &["customer", "invoice", "currency", "amount", "why"], f)?;
    row += 2;
    for u in &m.unexplained {
        layout.text(ws, row, 0, &u.customer, &f.text)?;
        layout.text(ws, row, 1, &u.invoice_no, &f.text)?;
        layout.text(ws, row, 2, u.currency.code(), &f.text)?;
        money(ws, row, 3, &u.currency, u.amount, f)?;
        let why = u.why.render(l);
        layout.note(ws, row, (4, LAST_COL), &why, &f.note.clone().set_align(FormatAlign::Left).set_indent(1))?;
        row += 1;
    }
    Ok(row)
}

/// A decimal string of a snapshot as a number.
fn number(text: &str) -> Option<f64> {
    text.parse::<Decimal>().ok()?.to_f64()
}

/// Rows (first, last) of one currency's lines in a table.
type CurrencyRows = Vec<(Currency, RowNum, RowNum)>;

/// The trend table, currency by currency (each currency's chart reads its rows); returns
/// those rows and the next free row.
fn trend(ws: &mut Worksheet, r: RowNum, m: &Metrics, f: &Formats) -> Result<(CurrencyRows, RowNum), XlsxError> {
    let runs = m.trend.len().to_string();
    section(ws, r, &f.labels.fill("management.trend", &[("runs", &runs)]), f)?;
    headers(
        ws,
        r + 1,
        &["as_of", "currency", "open", "overdue", "overdue_share", "dso", "dso_countback", "cei", "collected"],
        f,
    )?;
    let mut codes: Vec<&str> = m.currencies.iter().map(|c| c.currency.code()).collect();
    for s in &m.trend {
        for code in s.currencies.keys() {
            if !codes.contains(&code.as_str()) {
                codes.push(code);
            }
        }
    }
    let mut row = r + 2;
    let mut rows = Vec::new();
    for code in codes {
        let Some(cur) = Currency::parse(code) else { continue };
        let first = row;
        for s in &m.trend {
            if trend_row(ws, row, s, &cur, f)? {
                row += 1;
            }
        }
        if row > first {
            rows.push((cur, first, row - 1));
        }
    }
    Ok((rows, row + 1))
}

/// One snapshot's row for `cur`; `false` when the snapshot has no such currency.
fn trend_row(ws: &mut Worksheet, r: RowNum, s: &Snapshot, cur: &Currency, f: &Formats) -> Result<bool, XlsxError> {
    let Some(c) = s.currencies.get(cur.code()) else { return Ok(false) };
    ws.write_date_with_format(r, 0, s.as_of, &f.date)?;
    ws.write_string_with_format(r, 1, cur.code(), &f.text)?;
    let amount = |ws: &mut Worksheet, col: ColNum, text: &str| -> Result<(), XlsxError> {
        if let Some(v) = number(text) {
            ws.write_number_with_format(r, col, v, &f.money(cur))?;
        }
        Ok(())
    };
    amount(ws, 2, &c.open)?;
    amount(ws, 3, &c.overdue)?;
    let ratio = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<Decimal>().ok());
    write_ratio(ws, r, 4, ratio(&c.overdue_share), true, f)?;
    write_ratio(ws, r, 5, ratio(&c.dso), false, f)?;
    write_ratio(ws, r, 6, ratio(&c.dso_countback), false, f)?;
    write_ratio(ws, r, 7, ratio(&c.cei), true, f)?;
    amount(ws, 8, &c.collected)?;
    Ok(true)
}

/// The largest overdue balances per currency; returns each currency's rows.
fn top_overdue(
    ws: &mut Worksheet,
    layout: &mut Layout,
    r: RowNum,
    m: &Metrics,
    f: &Formats,
) -> Result<(CurrencyRows, RowNum), XlsxError> {
    section(ws, r, f.labels.get("management.top"), f)?;
    headers(ws, r + 1, &["customer", "currency", "overdue", "open", "oldest"], f)?;
    let mut row = r + 2;
    let mut rows: CurrencyRows = Vec::new();
    for t in &m.top_overdue {
        layout.text(ws, row, 0, &t.customer, &f.text)?;
        ws.write_string_with_format(row, 1, t.currency.code(), &f.text)?;
        money(ws, row, 2, &t.currency, t.overdue, f)?;
        money(ws, row, 3, &t.currency, t.open, f)?;
        ws.write_number_with_format(row, 4, t.max_days as f64, &f.integer)?;
        match rows.last_mut() {
            Some((cur, _, last)) if *cur == t.currency => *last = row,
            _ => rows.push((t.currency.clone(), row, row)),
        }
        row += 1;
    }
    if m.top_overdue.is_empty() {
        layout.note(ws, row, (0, LAST_COL), f.labels.get("management.no_overdue"), &f.note)?;
        row += 1;
    }
    Ok((rows, row + 1))
}

/// Held amounts by reason.
fn held(ws: &mut Worksheet, layout: &mut Layout, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    let l = f.labels;
    section(ws, r, l.get("management.held"), f)?;
    headers(ws, r + 1, &["reason", "currency", "customers", "invoices", "amount"], f)?;
    let mut row = r + 2;
    for h in &m.held {
        layout.text(ws, row, 0, l.stage(&h.reason), &f.text)?;
        ws.write_string_with_format(row, 1, h.currency.code(), &f.text)?;
        ws.write_number_with_format(row, 2, h.customers as f64, &f.integer)?;
        ws.write_number_with_format(row, 3, h.invoices as f64, &f.integer)?;
        money(ws, row, 4, &h.currency, h.amount, f)?;
        row += 1;
    }
    if m.held.is_empty() {
        layout.note(ws, row, (0, LAST_COL), l.get("management.nothing_held"), &f.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// The accounts in legal review, with owner and next review.
fn in_legal(ws: &mut Worksheet, layout: &mut Layout, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    let l = f.labels;
    // A date beside a right-aligned number: one indent clear of it.
    let date = f.date.clone().set_indent(1);
    section(ws, r, l.get("management.in_legal"), f)?;
    headers(
        ws,
        r + 1,
        &["customer", "currency", "invoices", "amount", "since", "days", "owner", "next_review", "this_run"],
        f,
    )?;
    let mut row = r + 2;
    for c in &m.in_legal {
        layout.text(ws, row, 0, &c.customer, &f.text)?;
        ws.write_string_with_format(row, 1, c.currency.code(), &f.text)?;
        ws.write_number_with_format(row, 2, c.invoices as f64, &f.integer)?;
        money(ws, row, 3, &c.currency, c.amount, f)?;
        if let Some(since) = c.since {
            ws.write_date_with_format(row, 4, since, &date)?;
        }
        if let Some(days) = c.days {
            ws.write_number_with_format(row, 5, days as f64, &f.integer)?;
        }
        layout.text(ws, row, 6, &c.owner, &f.indented)?;
        if let Some(next) = c.next_review {
            ws.write_date_with_format(row, 7, next, &date)?;
        }
        let status = if c.review_now { l.get("management.review_now") } else { l.get("management.waiting_review") };
        layout.text(ws, row, 8, status, &f.text)?;
        row += 1;
    }
    if m.in_legal.is_empty() {
        layout.note(ws, row, (0, LAST_COL), l.get("management.no_legal"), &f.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// Milestones whose trigger happened but that are not invoiced, with the days waiting.
fn unbilled(ws: &mut Worksheet, layout: &mut Layout, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    let l = f.labels;
    // A date beside a right-aligned number: one indent clear of it.
    let date = f.date.clone().set_indent(1);
    section(ws, r, l.get("management.unbilled"), f)?;
    headers(
        ws,
        r + 1,
        &["customer", "project", "milestone", "currency", "amount", "triggered", "days_waiting", "payment_due"],
        f,
    )?;
    let mut row = r + 2;
    for u in &m.unbilled {
        layout.text(ws, row, 0, &u.customer, &f.text)?;
        layout.text(ws, row, 1, &u.project, &f.text)?;
        layout.text(ws, row, 2, &u.name, &f.text)?;
        ws.write_string_with_format(row, 3, u.currency.code(), &f.text)?;
        money(ws, row, 4, &u.currency, u.amount, f)?;
        if let Some(since) = u.since {
            ws.write_date_with_format(row, 5, since, &date)?;
        }
        if let Some(days) = u.days {
            ws.write_number_with_format(row, 6, days as f64, &f.integer)?;
        }
        if let Some(due) = u.due {
            ws.write_date_with_format(row, 7, due, &date)?;
        }
        row += 1;
    }
    if m.unbilled.is_empty() {
        layout.note(ws, row, (0, LAST_COL), l.get("management.all_invoiced"), &f.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// A hold's stage id in words, in English (the catalogue's `stage.` words).
#[must_use]
pub fn reason_text(stage: &str) -> &str {
    crate::catalogue::Labels::of(crate::catalogue::Lang::En).stage(stage)
}

/// Payments waiting in the customers' approval.
fn approvals(
    ws: &mut Worksheet,
    layout: &mut Layout,
    r: RowNum,
    m: &Metrics,
    f: &Formats,
) -> Result<RowNum, XlsxError> {
    let l = f.labels;
    section(ws, r, l.get("management.approvals"), f)?;
    headers(
        ws,
        r + 1,
        &["customer", "invoice", "approver", "approval_stage", "since", "days", "currency", "amount", "status"],
        f,
    )?;
    let mut row = r + 2;
    for a in &m.approvals {
        layout.text(ws, row, 0, &a.customer, &f.text)?;
        layout.text(ws, row, 1, a.invoice_no.as_deref().unwrap_or(l.get("word.all_open")), &f.text)?;
        layout.text(ws, row, 2, &a.approver, &f.text)?;
        layout.text(ws, row, 3, &a.stage, &f.text)?;
        ws.write_date_with_format(row, 4, a.since, &f.date)?;
        let days = if a.stuck { &f.latest } else { &f.integer };
        ws.write_number_with_format(row, 5, a.days as f64, days)?;
        ws.write_string_with_format(
            row,
            6,
            a.currency.code(),
            &f.text.clone().set_align(FormatAlign::Left).set_indent(1),
        )?;
        money(ws, row, 7, &a.currency, a.amount, f)?;
        let status = if a.stuck { l.get("management.stuck") } else { l.get("management.waiting") };
        layout.note(ws, row, (8, LAST_COL), status, &f.text.clone().set_align(FormatAlign::Left).set_indent(1))?;
        row += 1;
    }
    if m.approvals.is_empty() {
        layout.note(ws, row, (0, LAST_COL), l.get("management.no_approvals"), &f.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// Per project manager.
fn managers(ws: &mut Worksheet, layout: &mut Layout, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    section(ws, r, f.labels.get("management.managers"), f)?;
    headers(ws, r + 1, &["manager", "currency", "open_invoices", "open", "overdue", "collected_in_period"], f)?;
    let mut row = r + 2;
    for p in &m.managers {
        let manager = if p.manager == NO_MANAGER { f.labels.get("management.no_manager") } else { &p.manager };
        layout.text(ws, row, 0, manager, &f.text)?;
        ws.write_string_with_format(row, 1, p.currency.code(), &f.text)?;
        ws.write_number_with_format(row, 2, p.items as f64, &f.integer)?;
        money(ws, row, 3, &p.currency, p.open, f)?;
        money(ws, row, 4, &p.currency, p.overdue, f)?;
        money(ws, row, 5, &p.currency, p.collected, f)?;
        row += 1;
    }
    Ok(row + 1)
}

/// Overdue (columns) and DSO (line, right axis) over the runs of `cur`; both value axes
/// start at zero (a DSO axis from 220 made a small change look large).
fn trend_chart(cur: &Currency, first: RowNum, last: RowNum, f: &Formats) -> Chart {
    let (l, code) = (f.labels, cur.code());
    let sheet = l.sheet(NAME);
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name(l.fill("management.chart_overdue_series", &[("currency", code)]).as_str())
        .set_categories((sheet, first, 0, last, 0))
        .set_values((sheet, first, 3, last, 3));
    chart.title().set_name(l.fill("management.chart_trend", &[("currency", code)]).as_str());
    chart.y_axis().set_num_format("#,##0").set_min(0);
    let mut line = Chart::new(ChartType::Line);
    line.add_series()
        .set_name(l.get("management.chart_dso_series"))
        .set_categories((sheet, first, 0, last, 0))
        .set_values((sheet, first, 5, last, 5))
        .set_secondary_axis(true);
    line.y2_axis().set_name(l.get("management.chart_days")).set_min(0);
    chart.combine(&line);
    // The secondary axis is the combined chart's: set on it, not on the line chart alone.
    chart.y2_axis().set_name(l.get("management.chart_days")).set_min(0);
    // One category per run, labelled with its as-of date (not a time scale by month).
    chart.x_axis().set_text_axis(true).set_num_format(l.get("format.date"));
    chart.legend().set_position(rust_xlsxwriter::ChartLegendPosition::Bottom);
    chart.set_width(560).set_height(320);
    chart
}

/// Overdue amount of the largest overdue customers of `cur`.
fn top_chart(cur: &Currency, first: RowNum, last: RowNum, f: &Formats) -> Chart {
    let (l, code) = (f.labels, cur.code());
    let sheet = l.sheet(NAME);
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_name(l.fill("management.chart_overdue_series", &[("currency", code)]).as_str())
        .set_categories((sheet, first, 0, last, 0))
        .set_values((sheet, first, 2, last, 2));
    chart.title().set_name(l.fill("management.chart_top", &[("currency", code)]).as_str());
    chart.legend().set_hidden();
    chart.y_axis().set_reverse();
    chart.x_axis().set_num_format("#,##0,\"k\"").set_min(0);
    chart.set_width(560).set_height(320);
    chart
}
