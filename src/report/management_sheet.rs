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
use rust_xlsxwriter::{Chart, ChartType, ColNum, Format, RowNum, Worksheet, XlsxError};

use super::formats::Formats;
use super::workbook::write_text;
use crate::metrics::trend::Snapshot;
use crate::metrics::{CurrencyMetrics, Metrics};
use crate::money::Currency;

/// The sheet name.
pub const NAME: &str = "Management";

/// Rows kept free for the two charts under the key figures.
const CHART_ROWS: RowNum = 17;

/// Writes the sheet.
///
/// # Errors
/// Writer errors.
pub fn write(ws: &mut Worksheet, m: &Metrics, company: &str, f: &Formats) -> Result<(), XlsxError> {
    ws.set_column_width(0, 30)?;
    for col in 1..=10 {
        ws.set_column_width(col, 15)?;
    }
    ws.write_string_with_format(0, 0, "Collection report", &f.title)?;
    write_text(ws, 1, 0, &format!("{company} · as of {} · period {}", m.as_of, m.period_text()), &f.subtitle)?;
    let mut r = key_figures(ws, 3, m, f)?;
    r = roll_forward(ws, r + 1, m, f)?;
    let charts_row = r + 1;
    r = charts_row + CHART_ROWS;
    let main = main_currency(m);
    let (trend_rows, next) = trend(ws, r, m, main, f)?;
    r = next;
    let (top_rows, next) = top_overdue(ws, r, m, main, f)?;
    r = next;
    r = held(ws, r, m, f)?;
    r = in_legal(ws, r, m, f)?;
    r = unbilled(ws, r, m, f)?;
    r = approvals(ws, r, m, f)?;
    managers(ws, r, m, f)?;
    if let (Some(cur), Some((first, last))) = (main, trend_rows) {
        ws.insert_chart(charts_row, 0, &trend_chart(cur, first, last))?;
    }
    if let (Some(cur), Some((first, last))) = (main, top_rows) {
        ws.insert_chart(charts_row, 5, &top_chart(cur, first, last))?;
    }
    Ok(())
}

/// The currency the charts show: the first of the aging, i.e. the company currency when
/// it has open items.
fn main_currency(m: &Metrics) -> Option<&Currency> {
    m.currencies.first().map(|c| &c.currency)
}

fn days_format() -> Format {
    Format::new().set_num_format("0.0")
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
        Some(v) => ws.write_number_with_format(r, c, v, &days_format())?,
        None => ws.write_string_with_format(r, c, "n/a", &f.note)?,
    };
    Ok(())
}

fn headers(ws: &mut Worksheet, r: RowNum, names: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (c, name) in (0..).zip(names) {
        ws.write_string_with_format(r, c, *name, &f.header)?;
    }
    ws.set_row_height(r, 30)?;
    Ok(())
}

fn money(ws: &mut Worksheet, r: RowNum, c: ColNum, cur: &Currency, minor: i64, f: &Formats) -> Result<(), XlsxError> {
    ws.write_number_with_format(r, c, cur.excel_value(minor), &f.money(cur))?;
    Ok(())
}

/// The key figures, one row per currency; returns the next free row.
fn key_figures(ws: &mut Worksheet, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    ws.write_string_with_format(r, 0, "Key figures", &f.section)?;
    let names = [
        "Currency",
        "Open",
        "Overdue",
        "Overdue %",
        "DSO (days)",
        "DSO countback",
        "CEI %",
        "Beginning AR",
        "Credit sales",
        "Collected",
        "Unapplied cash",
    ];
    headers(ws, r + 1, &names, f)?;
    let mut row = r + 2;
    for c in &m.currencies {
        key_row(ws, row, c, f)?;
        row += 1;
    }
    if m.currencies.is_empty() {
        ws.write_string_with_format(row, 0, "There are no open items as of this date.", &f.note)?;
        row += 1;
    }
    let note = format!(
        "DSO = open ÷ credit sales of the last {} days × {}; countback walks the months back; CEI = (beginning + sales − open) ÷ (beginning + sales − current) × 100. See README \"Metrics\".",
        m.dso_days, m.dso_days
    );
    write_text(ws, row, 0, &note, &f.note)?;
    Ok(row + 1)
}

fn key_row(ws: &mut Worksheet, r: RowNum, c: &CurrencyMetrics, f: &Formats) -> Result<(), XlsxError> {
    let cur = &c.currency;
    write_text(ws, r, 0, cur.code(), &f.label)?;
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
fn roll_forward(ws: &mut Worksheet, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    if m.currencies.is_empty() {
        return Ok(r);
    }
    ws.write_string_with_format(r, 0, "Roll-forward", &f.section)?;
    let names = [
        "Currency",
        "Beginning AR",
        "+ Invoiced",
        "− Credit notes",
        "− Cash collected",
        "= Expected ending AR",
        "Ending AR",
        "Not explained",
    ];
    headers(ws, r + 1, &names, f)?;
    let mut row = r + 2;
    for c in &m.currencies {
        let cur = &c.currency;
        write_text(ws, row, 0, cur.code(), &f.label)?;
        let expected = c.beginning + c.invoiced - c.credit_notes - c.collected;
        for (col, minor) in
            (1..).zip([c.beginning, c.invoiced, c.credit_notes, c.collected, expected, c.open, c.not_explained])
        {
            money(ws, row, col, cur, minor, f)?;
        }
        row += 1;
    }
    let note = "Beginning AR + invoiced − credit notes − cash collected = ending AR. Anything else is \"not explained\" and \
                listed below with the invoices behind it (e.g. an invoice that left the export without a payment).";
    write_text(ws, row, 0, note, &f.note)?;
    row += 1;
    if m.unexplained.is_empty() {
        return Ok(row);
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Not explained", &f.section)?;
    headers(ws, row + 1, &["Customer", "Invoice", "Currency", "Amount", "Why"], f)?;
    row += 2;
    for u in &m.unexplained {
        write_text(ws, row, 0, &u.customer, &f.text)?;
        write_text(ws, row, 1, &u.invoice_no, &f.text)?;
        write_text(ws, row, 2, u.currency.code(), &f.text)?;
        money(ws, row, 3, &u.currency, u.amount, f)?;
        write_text(ws, row, 4, &u.reason, &f.note)?;
        row += 1;
    }
    Ok(row)
}

/// A decimal string of a snapshot as a number.
fn number(text: &str) -> Option<f64> {
    text.parse::<Decimal>().ok()?.to_f64()
}

/// The trend table, the main currency's rows first (the chart reads them); returns the
/// main currency's rows and the next free row.
fn trend(
    ws: &mut Worksheet,
    r: RowNum,
    m: &Metrics,
    main: Option<&Currency>,
    f: &Formats,
) -> Result<(Option<(RowNum, RowNum)>, RowNum), XlsxError> {
    ws.write_string_with_format(r, 0, format!("Trend: the last {} runs", m.trend.len()), &f.section)?;
    headers(
        ws,
        r + 1,
        &["As of", "Currency", "Open", "Overdue", "Overdue %", "DSO (days)", "DSO countback", "CEI %", "Collected"],
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
    let mut main_rows = None;
    for code in codes {
        let Some(cur) = Currency::parse(code) else { continue };
        let first = row;
        for s in &m.trend {
            if trend_row(ws, row, s, &cur, f)? {
                row += 1;
            }
        }
        if main.is_some_and(|c| *c == cur) && row > first {
            main_rows = Some((first, row - 1));
        }
    }
    Ok((main_rows, row + 1))
}

/// One snapshot's row for `cur`; `false` when the snapshot has no such currency.
fn trend_row(ws: &mut Worksheet, r: RowNum, s: &Snapshot, cur: &Currency, f: &Formats) -> Result<bool, XlsxError> {
    let Some(c) = s.currencies.get(cur.code()) else { return Ok(false) };
    ws.write_date_with_format(r, 0, s.as_of, &f.date)?;
    write_text(ws, r, 1, cur.code(), &f.text)?;
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

/// The largest overdue balances per currency; returns the main currency's rows.
fn top_overdue(
    ws: &mut Worksheet,
    r: RowNum,
    m: &Metrics,
    main: Option<&Currency>,
    f: &Formats,
) -> Result<(Option<(RowNum, RowNum)>, RowNum), XlsxError> {
    ws.write_string_with_format(r, 0, "Largest overdue balances", &f.section)?;
    headers(ws, r + 1, &["Customer", "Currency", "Overdue", "Open", "Oldest (days past due)"], f)?;
    let mut row = r + 2;
    let mut main_rows: Option<(RowNum, RowNum)> = None;
    for t in &m.top_overdue {
        write_text(ws, row, 0, &t.customer, &f.text)?;
        write_text(ws, row, 1, t.currency.code(), &f.text)?;
        money(ws, row, 2, &t.currency, t.overdue, f)?;
        money(ws, row, 3, &t.currency, t.open, f)?;
        ws.write_number_with_format(row, 4, t.max_days as f64, &f.integer)?;
        if main.is_some_and(|c| *c == t.currency) {
            main_rows = Some(main_rows.map_or((row, row), |(first, _)| (first, row)));
        }
        row += 1;
    }
    if m.top_overdue.is_empty() {
        ws.write_string_with_format(row, 0, "Nothing is overdue.", &f.note)?;
        row += 1;
    }
    Ok((main_rows, row + 1))
}

/// Held amounts by reason.
fn held(ws: &mut Worksheet, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    ws.write_string_with_format(r, 0, "Held back (no collection message), by reason", &f.section)?;
    headers(ws, r + 1, &["Reason", "Currency", "Customers", "Invoices", "Amount"], f)?;
    let mut row = r + 2;
    for h in &m.held {
        write_text(ws, row, 0, reason_text(&h.reason), &f.text)?;
        write_text(ws, row, 1, h.currency.code(), &f.text)?;
        ws.write_number_with_format(row, 2, h.customers as f64, &f.integer)?;
        ws.write_number_with_format(row, 3, h.invoices as f64, &f.integer)?;
        money(ws, row, 4, &h.currency, h.amount, f)?;
        row += 1;
    }
    if m.held.is_empty() {
        ws.write_string_with_format(row, 0, "Nothing is held.", &f.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// The accounts in legal review, with owner and next review (issue 20).
fn in_legal(ws: &mut Worksheet, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    ws.write_string_with_format(r, 0, "In legal review", &f.section)?;
    headers(
        ws,
        r + 1,
        &["Customer", "Currency", "Invoices", "Amount", "Since", "Days", "Owner", "Next review", "This run"],
        f,
    )?;
    let mut row = r + 2;
    for c in &m.in_legal {
        write_text(ws, row, 0, &c.customer, &f.text)?;
        write_text(ws, row, 1, c.currency.code(), &f.text)?;
        ws.write_number_with_format(row, 2, c.invoices as f64, &f.integer)?;
        money(ws, row, 3, &c.currency, c.amount, f)?;
        if let Some(since) = c.since {
            ws.write_date_with_format(row, 4, since, &f.date)?;
        }
        if let Some(days) = c.days {
            ws.write_number_with_format(row, 5, days as f64, &f.integer)?;
        }
        write_text(ws, row, 6, &c.owner, &f.text)?;
        if let Some(next) = c.next_review {
            ws.write_date_with_format(row, 7, next, &f.date)?;
        }
        write_text(ws, row, 8, if c.review_now { "review now (task listed)" } else { "waiting for review" }, &f.text)?;
        row += 1;
    }
    if m.in_legal.is_empty() {
        ws.write_string_with_format(row, 0, "No account is in legal review.", &f.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// Milestones whose trigger happened but that are not invoiced, with the days waiting.
fn unbilled(ws: &mut Worksheet, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    ws.write_string_with_format(r, 0, "Milestones due, not invoiced", &f.section)?;
    headers(
        ws,
        r + 1,
        &["Customer", "Project", "Milestone", "Currency", "Amount", "Triggered", "Days waiting", "Payment due"],
        f,
    )?;
    let mut row = r + 2;
    for u in &m.unbilled {
        write_text(ws, row, 0, &u.customer, &f.text)?;
        write_text(ws, row, 1, &u.project, &f.text)?;
        write_text(ws, row, 2, &u.name, &f.text)?;
        write_text(ws, row, 3, u.currency.code(), &f.text)?;
        money(ws, row, 4, &u.currency, u.amount, f)?;
        if let Some(since) = u.since {
            ws.write_date_with_format(row, 5, since, &f.date)?;
        }
        if let Some(days) = u.days {
            ws.write_number_with_format(row, 6, days as f64, &f.integer)?;
        }
        if let Some(due) = u.due {
            ws.write_date_with_format(row, 7, due, &f.date)?;
        }
        row += 1;
    }
    if m.unbilled.is_empty() {
        ws.write_string_with_format(row, 0, "Every milestone due is invoiced.", &f.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// A hold's stage id in words.
#[must_use]
pub fn reason_text(stage: &str) -> &str {
    match stage {
        "disputed" => "Disputed",
        "promise_to_pay" => "Promise to pay",
        "critical_issues" => "Open critical issues",
        "fix_first" => "Fix first (critical issues)",
        "cadence" => "Contacted recently (cadence)",
        "unapplied_cash_pending" => "Unapplied cash pending",
        "scheduled" => "Waiting for the next stage",
        "in_legal" => "In legal review",
        "below_threshold" => "Below the ladder's amounts",
        "covered_by_credits" => "Covered by credits",
        other => other,
    }
}

/// Payments waiting in the customers' approval.
fn approvals(ws: &mut Worksheet, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    ws.write_string_with_format(r, 0, "Payments waiting in the customer's approval", &f.section)?;
    headers(
        ws,
        r + 1,
        &["Customer", "Invoice", "Approver", "Stage", "Since", "Days", "Currency", "Amount", "Status"],
        f,
    )?;
    let mut row = r + 2;
    for a in &m.approvals {
        write_text(ws, row, 0, &a.customer, &f.text)?;
        write_text(ws, row, 1, a.invoice_no.as_deref().unwrap_or("all open"), &f.text)?;
        write_text(ws, row, 2, &a.approver, &f.text)?;
        write_text(ws, row, 3, &a.stage, &f.text)?;
        ws.write_date_with_format(row, 4, a.since, &f.date)?;
        let days = if a.stuck { &f.latest } else { &f.integer };
        ws.write_number_with_format(row, 5, a.days as f64, days)?;
        write_text(ws, row, 6, a.currency.code(), &f.text)?;
        money(ws, row, 7, &a.currency, a.amount, f)?;
        let status = if a.stuck { "stuck: status report to the approver" } else { "waiting" };
        write_text(ws, row, 8, status, &f.text)?;
        row += 1;
    }
    if m.approvals.is_empty() {
        ws.write_string_with_format(row, 0, "No approval stages recorded in the follow-ups.", &f.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// Per project manager.
fn managers(ws: &mut Worksheet, r: RowNum, m: &Metrics, f: &Formats) -> Result<RowNum, XlsxError> {
    ws.write_string_with_format(r, 0, "Per project manager", &f.section)?;
    headers(ws, r + 1, &["Project manager", "Currency", "Open invoices", "Open", "Overdue", "Collected in period"], f)?;
    let mut row = r + 2;
    for p in &m.managers {
        write_text(ws, row, 0, &p.manager, &f.text)?;
        write_text(ws, row, 1, p.currency.code(), &f.text)?;
        ws.write_number_with_format(row, 2, p.items as f64, &f.integer)?;
        money(ws, row, 3, &p.currency, p.open, f)?;
        money(ws, row, 4, &p.currency, p.overdue, f)?;
        money(ws, row, 5, &p.currency, p.collected, f)?;
        row += 1;
    }
    Ok(row + 1)
}

/// Overdue (columns) and DSO (line, right axis) over the runs of `cur`.
fn trend_chart(cur: &Currency, first: RowNum, last: RowNum) -> Chart {
    let code = cur.code();
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name(format!("Overdue {code}").as_str())
        .set_categories((NAME, first, 0, last, 0))
        .set_values((NAME, first, 3, last, 3));
    chart.title().set_name(format!("{code}: overdue and DSO by run").as_str());
    chart.y_axis().set_num_format("#,##0");
    let mut line = Chart::new(ChartType::Line);
    line.add_series()
        .set_name("DSO (days)")
        .set_categories((NAME, first, 0, last, 0))
        .set_values((NAME, first, 5, last, 5))
        .set_secondary_axis(true);
    line.y2_axis().set_name("days");
    chart.combine(&line);
    // One category per run, labelled with its as-of date (not a time scale by month).
    chart.x_axis().set_text_axis(true).set_num_format("yyyy-mm-dd");
    chart.set_width(560).set_height(320);
    chart
}

/// Overdue amount of the largest overdue customers of `cur`.
fn top_chart(cur: &Currency, first: RowNum, last: RowNum) -> Chart {
    let code = cur.code();
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_name(format!("Overdue {code}").as_str())
        .set_categories((NAME, first, 0, last, 0))
        .set_values((NAME, first, 2, last, 2));
    chart.title().set_name(format!("{code}: largest overdue balances").as_str());
    chart.legend().set_hidden();
    chart.y_axis().set_reverse();
    chart.x_axis().set_num_format("#,##0,\"k\"");
    chart.set_width(560).set_height(320);
    chart
}
