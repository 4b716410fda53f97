//! The **Actions** and **Holds** sheets: what to send or do for each customer this run,
//! and what is held back and why.
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use rust_xlsxwriter::FormatAlign;

use super::formats::{Formats, text_width};
use super::layout::Layout;
use crate::money::Currency;
use crate::rules::action::{Action, ActionKind, FIX_FIRST, ISSUE_INVOICE};

/// The sheet of messages and tasks (its key in the catalogue).
pub const ACTIONS: &str = "actions";
/// The sheet of holds (its key in the catalogue).
pub const HOLDS: &str = "holds";

/// Columns of the Actions sheet (catalogue keys `actions.<key>`): one column per fact —
/// the template is the stage's, so it is not repeated.
const ACTION_HEADERS: [&str; 10] =
    ["customer", "currency", "amount", "stage", "kind", "owner", "to", "cc", "invoices", "reason"];
const HOLD_HEADERS: [&str; 10] =
    ["customer", "currency", "amount", "held_by", "invoices", "reason", "since", "age_days", "owner", "next_date"];

/// How pressing a stage is: the higher, the earlier on the Actions sheet. A stage of the
/// user's own ladder that is not listed ranks with the overdue notices.
fn severity(stage: &str) -> u8 {
    match stage {
        "legal_review" => 10,
        "demand_letter" => 9,
        "escalate_to_approver" => 8,
        "approval_status_report" => 7,
        FIX_FIRST => 6,
        ISSUE_INVOICE => 4,
        "milestone_request" => 3,
        "due_notice" => 2,
        "reminder_before_due" => 1,
        "thank_you" => 0,
        _ => 5,
    }
}

/// The actions in the order a collector works them: the most severe stage first, then
/// the largest amount (per currency), then the customer.
fn by_priority<'a>(actions: impl Iterator<Item = &'a Action>) -> Vec<&'a Action> {
    let mut sorted: Vec<&Action> = actions.collect();
    let amount = |a: &Action| a.amount.parse::<rust_decimal::Decimal>().unwrap_or_default();
    sorted.sort_by(|a, b| {
        severity(&b.stage)
            .cmp(&severity(&a.stage))
            .then_with(|| a.currency.cmp(&b.currency))
            .then_with(|| amount(b).cmp(&amount(a)))
            .then_with(|| a.customer.cmp(&b.customer))
    });
    sorted
}

/// Who does a task for our side: the project manager of its first invoice's project (the
/// invoice's own column, else the projects file), else the manager of the customer's
/// first project, else the AR team (`[company] sign_off`).
pub struct Owners {
    by_invoice: std::collections::HashMap<(String, String), String>,
    by_customer: std::collections::BTreeMap<String, String>,
    team: String,
}

impl Owners {
    /// The owners of the manual actions of `input`.
    ///
    /// # Errors
    /// Polars errors reading the aging's columns.
    pub fn new(input: &super::ReportInput<'_>) -> polars::prelude::PolarsResult<Self> {
        use crate::aging::frame::col_name as c;
        let mut by_project = std::collections::BTreeMap::new();
        let mut by_customer = std::collections::BTreeMap::new();
        for p in input.projects {
            // By name when the projects file gives one (project_manager_name), else as given.
            if let Some(pm) = p.project_manager_name.as_ref().or(p.project_manager.as_ref()) {
                by_project.entry(p.project.clone()).or_insert_with(|| pm.clone());
                by_customer.entry(p.customer.clone()).or_insert_with(|| pm.clone());
            }
        }
        let wanted: std::collections::HashSet<(&str, &str)> = input
            .decisions
            .actions
            .iter()
            .filter(|a| a.kind == ActionKind::Manual)
            .filter_map(|a| Some((a.customer.as_str(), a.invoice_nos.first()?.as_str())))
            .collect();
        let mut by_invoice = std::collections::HashMap::new();
        if !wanted.is_empty() {
            let df = &input.aging.open_items;
            let customers = df.column(c::CUSTOMER)?.str()?;
            let invoices = df.column(c::INVOICE_NO)?.str()?;
            let projects = df.column(c::PROJECT)?.str()?;
            let managers = df.column(c::PROJECT_MANAGER)?.str()?;
            for (((customer, invoice), project), manager) in
                customers.iter().zip(invoices.iter()).zip(projects.iter()).zip(managers.iter())
            {
                let key = (customer.unwrap_or_default(), invoice.unwrap_or_default());
                if !wanted.contains(&key) {
                    continue;
                }
                let pm = manager.map(str::to_owned).or_else(|| project.and_then(|p| by_project.get(p).cloned()));
                if let Some(pm) = pm {
                    by_invoice.insert((key.0.to_owned(), key.1.to_owned()), pm);
                }
            }
        }
        let team = input.labels.fill("word.ar_team", &[("sign_off", input.sign_off)]);
        Ok(Self { by_invoice, by_customer, team })
    }

    /// The owner of `action` (a task); empty for a message.
    fn of(&self, action: &Action) -> String {
        if action.kind != ActionKind::Manual {
            return String::new();
        }
        action
            .invoice_nos
            .first()
            .and_then(|i| self.by_invoice.get(&(action.customer.clone(), i.clone())))
            .or_else(|| self.by_customer.get(&action.customer))
            .cloned()
            .unwrap_or_else(|| self.team.clone())
    }
}

/// Writes the messages and tasks, most pressing first.
///
/// # Errors
/// Writer errors.
pub fn write_actions(
    ws: &mut Worksheet,
    actions: &[Action],
    rows: &DetailRows,
    owners: &Owners,
    f: &Formats,
) -> Result<(), XlsxError> {
    let l = f.labels;
    let rows_of_kind = by_priority(actions.iter().filter(|a| a.kind != ActionKind::Hold));
    let texts = |a: &Action| {
        vec![
            a.customer.clone(),
            a.currency.clone(),
            String::new(),
            l.stage(&a.stage).to_owned(),
            l.get(&format!("kind.{}", a.kind.as_str())).to_owned(),
            owners.of(a),
            // One address a line: an address never breaks in the middle.
            a.to.join("\n"),
            a.cc.join("\n"),
            a.invoice_nos.join(", "),
            a.reason_in(l),
        ]
    };
    // Most and least room per column, in characters; beyond the most, text wraps.
    let limits = [(12, 28), (9, 9), (16, 16), (12, 30), (10, 12), (10, 34), (12, 38), (12, 38), (14, 42), (32, 62)];
    let table = Table { section: "actions", headers: &ACTION_HEADERS, limits: &limits, invoices_col: 8, empty: "none" };
    write_table(ws, &table, &rows_of_kind, texts, rows, f)
}

/// Writes the holds.
///
/// # Errors
/// Writer errors.
pub fn write_holds(ws: &mut Worksheet, actions: &[Action], rows: &DetailRows, f: &Formats) -> Result<(), XlsxError> {
    let l = f.labels;
    let rows_of_kind = by_priority(actions.iter().filter(|a| a.kind == ActionKind::Hold));
    let texts = |a: &Action| {
        vec![
            a.customer.clone(),
            a.currency.clone(),
            String::new(),
            l.stage(&a.stage).to_owned(),
            a.invoice_nos.join(", "),
            a.reason_in(l),
            a.since.map(|d| d.to_string()).unwrap_or_default(),
            a.age_days.map(|d| d.to_string()).unwrap_or_default(),
            a.owner.as_deref().map(|o| owner_in(o, l)).unwrap_or_default(),
            a.next_date.map(|d| d.to_string()).unwrap_or_default(),
        ]
    };
    let limits = [(12, 28), (9, 9), (16, 16), (12, 30), (14, 32), (32, 72), (10, 12), (8, 10), (10, 30), (10, 12)];
    let table =
        Table { section: "actions", headers: &HOLD_HEADERS, limits: &limits, invoices_col: 4, empty: "nothing_held" };
    write_table(ws, &table, &rows_of_kind, texts, rows, f)
}

/// A hold's owner in the workbook's words: the engine's fallback owners (`accounts
/// receivable`, `our side`) from the catalogue, a person or team as given.
fn owner_in(owner: &str, l: &crate::catalogue::Labels) -> String {
    match owner {
        "accounts receivable" => l.get("why.accounts_receivable").to_owned(),
        "our project manager" => l.get("why.our_project_manager").to_owned(),
        other => other.to_owned(),
    }
}

/// Where each open invoice is on the Detail sheets.
pub struct DetailRows {
    /// `(customer, invoice_no)` → item index (0-based, in the aging's order).
    pub index: std::collections::HashMap<(String, String), usize>,
    /// Item rows per Detail sheet.
    pub per_sheet: usize,
}

/// The layout of an actions table.
struct Table<'a> {
    /// The catalogue section of the headers and the empty note.
    section: &'a str,
    headers: &'a [&'a str],
    /// Least and most width per column, in characters.
    limits: &'a [(usize, usize)],
    /// The column listing the invoices; it links to the first one's Detail row.
    invoices_col: usize,
    empty: &'a str,
}

/// A table of actions; column 2 is the amount, written as a number in its currency. Each
/// column is as wide as its longest text up to its limit; longer texts wrap in a row made
/// tall enough, so the sheet prints one page wide with nothing running into the next cell.
fn write_table(
    ws: &mut Worksheet,
    table: &Table<'_>,
    rows: &[&Action],
    texts: impl Fn(&Action) -> Vec<String>,
    detail_rows: &DetailRows,
    f: &Formats,
) -> Result<(), XlsxError> {
    let l = f.labels;
    let headers: Vec<&str> = table.headers.iter().map(|h| l.get(&format!("{}.{h}", table.section))).collect();
    let cells: Vec<Vec<String>> = rows.iter().map(|a| texts(a)).collect();
    let mut layout = Layout::fitted(table.limits.iter().enumerate().map(|(c, (min, max))| {
        let mut texts: Vec<String> = cells.iter().map(|r| r[c].clone()).collect();
        // A header may wrap onto two lines: half its width (the widest word) is enough.
        texts.push(headers[c].split(' ').max_by_key(|w| text_width(w)).unwrap_or("").to_owned());
        // Room for the indent of every column but the first.
        let indent = if c == 0 { 0 } else { super::layout::INDENT_WIDTH };
        (*min, *max, texts.into_iter().map(|t| format!("{t}{}", " ".repeat(indent))).collect())
    }));
    layout.apply_widths(ws)?;
    for (c, header) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col(c), *header, &f.header)?;
    }
    ws.set_row_height(0, 32)?;
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, row(rows.len().max(1)), col(headers.len() - 1))?;
    for (i, (action, texts)) in rows.iter().zip(&cells).enumerate() {
        let r = row(i + 1);
        for (c, text) in texts.iter().enumerate() {
            if c == 2 {
                let value = action.amount.parse::<f64>().unwrap_or(0.0);
                let format = Currency::parse(&action.currency)
                    .map_or_else(|| f.text.clone(), |cur| f.money(&cur))
                    .set_align(FormatAlign::Top);
                ws.write_number_with_format(r, col(c), value, &format)?;
            } else if c == table.invoices_col
                // A spreadsheet does not wrap a hyperlink's text: a list too long for the
                // column is written as wrapped text instead (it ran into Reason).
                && super::layout::longest_line(text) < layout.width(c)
                && let Some(first) = action.invoice_nos.first()
                && let Some(index) = detail_rows.index.get(&(action.customer.clone(), first.clone()))
            {
                let (sheet, line) = super::detail_sheet::item_cell(l, *index, detail_rows.per_sheet);
                let url = rust_xlsxwriter::Url::new(format!("internal:{}!A{line}", super::pages::sheet_ref(&sheet)))
                    .set_text(super::workbook::cell_text(text).as_ref());
                let width = layout.width(c).saturating_sub(1);
                layout.note_lines(r, super::layout::wrapped_lines(text, width));
                ws.write_url_with_format(r, col(c), url, &f.link.clone().set_text_wrap().set_align(FormatAlign::Top))?;
            } else if !text.is_empty() {
                // Every text but the first starts one indent in, clear of its left
                // neighbour's digits or text.
                if c == 0 {
                    layout.wrapped(ws, r, c, text, &f.wrap_top)?;
                } else {
                    layout.wrapped_in(ws, r, c, text, &f.wrap_top_indented, 1)?;
                }
            }
        }
        layout.finish_row(ws, r)?;
    }
    if rows.is_empty() {
        ws.write_string_with_format(1, 0, l.get(&format!("{}.{}", table.section, table.empty)), &f.note)?;
    }
    Ok(())
}

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}

fn row(i: usize) -> RowNum {
    RowNum::try_from(i).unwrap_or(RowNum::MAX)
}
