//! The case timeline of `payback history CUSTOMER|INVOICE`: everything that happened to an
//! account, oldest first — invoices that became open or stopped being open (run by run),
//! messages prepared and what became of them (sent, in doubt, refused, never sent), tasks for
//! our side, promises and disputes as first seen, payments matched.
use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;
use serde::Serialize;

use super::Db;
use crate::error::Result;
use crate::money::Currency;
use crate::rules::why::{Arg, Why};

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
// `event` is the field's name in `payback history --json` (a script contract).
#[allow(clippy::struct_field_names)]
pub struct Event {
    /// When: a date (`YYYY-MM-DD`, the run's as-of date or the payment's date) or a UTC time
    /// (deliveries).
    pub when: String,
    /// `opened`, `closed`, `prepared`, `sent`, `in_doubt`, `refused`, `never_sent`, `task`,
    /// `promise`, `dispute`, `payment`.
    pub event: String,
    /// Customer.
    pub customer: String,
    /// Currency code.
    pub currency: String,
    /// Invoices concerned.
    pub invoice_nos: Vec<String>,
    /// Amount, decimal text (empty when none).
    pub amount: String,
    /// One sentence (English).
    pub detail: String,
    /// The same sentence as clauses of the catalogue, for the History sheet in its
    /// language.
    #[serde(skip)]
    pub why: Why,
}

fn money(code: &str, minor: i64) -> String {
    Currency::parse(code).map_or_else(|| minor.to_string(), |c| c.format(minor))
}

/// The events of the account `query` names (a customer, case-insensitive) or, when no
/// customer has that name, of the invoice numbered `query`. Only published and imported
/// runs count.
///
/// # Errors
/// [`crate::Error::State`] when the database cannot be read.
pub(crate) fn events(db: &Db, query: &str) -> Result<Vec<Event>> {
    let e = |err: rusqlite::Error| db.err(&err);
    let conn = db.conn();
    let customers: BTreeSet<String> = {
        let mut stmt = conn
            .prepare(
                "SELECT customer FROM decisions WHERE customer = ?1 COLLATE NOCASE
                 UNION SELECT customer FROM item_events WHERE customer = ?1 COLLATE NOCASE
                 UNION SELECT customer FROM payments_matched WHERE customer = ?1 COLLATE NOCASE
                 UNION SELECT customer FROM followups_seen WHERE customer = ?1 COLLATE NOCASE",
            )
            .map_err(e)?;
        stmt.query_map([query], |r| r.get(0)).and_then(Iterator::collect).map_err(e)?
    };
    // No customer of exactly that name: the one customer whose name contains it.
    let customers = if customers.is_empty() {
        let mut stmt = conn
            .prepare(
                "SELECT customer FROM decisions WHERE instr(lower(customer), lower(?1)) > 0
                 UNION SELECT customer FROM item_events WHERE instr(lower(customer), lower(?1)) > 0",
            )
            .map_err(e)?;
        let found: BTreeSet<String> = stmt.query_map([query], |r| r.get(0)).and_then(Iterator::collect).map_err(e)?;
        if found.len() > 1 {
            return Err(crate::Error::BadOption {
                option: format!("history {query}"),
                reason: format!(
                    "{} customers have names containing it: {}; give the whole name",
                    found.len(),
                    found.into_iter().collect::<Vec<_>>().join(", ")
                ),
            });
        }
        found
    } else {
        customers
    };
    // No customer of that name: an invoice number; its customer's events that concern it.
    let (customers, invoice): (BTreeSet<String>, Option<&str>) = if customers.is_empty() {
        let mut stmt = conn
            .prepare(
                "SELECT customer FROM item_events WHERE invoice_no = ?1
                 UNION SELECT customer FROM payments_matched WHERE invoice_no = ?1
                 UNION SELECT d.customer FROM decisions d, json_each(d.invoice_nos) j WHERE j.value = ?1",
            )
            .map_err(e)?;
        (stmt.query_map([query], |r| r.get(0)).and_then(Iterator::collect).map_err(e)?, Some(query))
    } else {
        (customers, None)
    };
    for_customers(db, &customers, invoice)
}

/// At most this many events of an account on the History sheet (at a million
/// invoices the 12 months of every account with an action were millions of rows, past
/// Excel's limit). When an account has more, its latest messages, tasks, promises,
/// disputes and payments are kept first, then its latest invoices opened and closed, and a
/// row says how many were left out.
pub(crate) const SHEET_EVENTS_PER_ACCOUNT: usize = 12;

/// The History sheet's events.
#[derive(Debug, Default)]
pub struct Recent {
    /// The events kept, by customer then oldest first.
    pub events: Vec<Event>,
    /// The customers some of whose events were left out ([`SHEET_EVENTS_PER_ACCOUNT`]), with
    /// how many.
    pub left_out: BTreeMap<String, usize>,
}

/// The events of each account with an action in `customers` from `since` (a date,
/// inclusive) to `before` (exclusive), by customer then oldest first, at most `per_account`
/// an account (see [`SHEET_EVENTS_PER_ACCOUNT`]): the History sheet. Only the latest
/// invoices opened and closed that can be kept are read.
///
/// # Errors
/// [`crate::Error::State`] when the database cannot be read.
pub(crate) fn recent(
    db: &Db,
    customers: &BTreeSet<String>,
    since: chrono::NaiveDate,
    before: chrono::NaiveDate,
    per_account: usize,
) -> Result<Recent> {
    let e = |err: rusqlite::Error| db.err(&err);
    let (since, before) = (since.to_string(), before.to_string());
    let in_window = |when: &str| when >= since.as_str() && when.get(..10).is_some_and(|d| d < before.as_str());
    let counted = "r.status IN ('published', 'imported', 'replaced')";
    let window = format!("{counted} AND i.customer = ?1 AND r.as_of >= ?2 AND r.as_of < ?3");
    let mut count = db
        .conn()
        .prepare(&format!("SELECT COUNT(*) FROM item_events i JOIN runs r ON r.id = i.run_id WHERE {window}"))
        .map_err(e)?;
    let mut latest = db
        .conn()
        .prepare(&format!(
            "SELECT r.as_of, i.event, i.invoice_no, i.currency, i.open_minor FROM item_events i
             JOIN runs r ON r.id = i.run_id WHERE {window} ORDER BY r.as_of DESC, i.invoice_no DESC LIMIT ?4"
        ))
        .map_err(e)?;
    let mut out = Recent::default();
    for customer in customers {
        // The account's events other than invoices opened and closed, in the window.
        let mut others = Vec::new();
        other_events(db, customer, None, &mut others)?;
        others.retain(|ev| in_window(&ev.when));
        let items: usize = count
            .query_row(params![customer, since, before], |r| r.get::<_, i64>(0))
            .map_err(e)?
            .try_into()
            .unwrap_or(usize::MAX);
        let total = others.len().saturating_add(items);
        // Which of the account's events are kept: all when they fit, else the latest of the
        // others, then the latest invoices opened and closed.
        let keep_others = others.len().min(per_account);
        let keep_items = if total <= per_account { items } else { per_account - keep_others };
        let mut rows: Vec<(String, String, String, String, i64)> = if keep_items == 0 {
            Vec::new()
        } else {
            latest
                .query_map(params![customer, since, before, i64::try_from(keep_items).unwrap_or(i64::MAX)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .and_then(Iterator::collect)
                .map_err(e)?
        };
        rows.reverse();
        let mut account: Vec<Event> = rows.into_iter().map(|row| item_event(customer, row)).collect();
        // The others in time order (as `for_customers` orders them), the latest kept.
        others.sort_by(|a, b| a.when.cmp(&b.when));
        account.extend(others.drain(others.len() - keep_others..));
        // Invoices first, then the others, each in their order, sorted by time: the order
        // of `payback history` (a stable sort).
        account.sort_by(|a, b| a.when.cmp(&b.when));
        if total > account.len() {
            out.left_out.insert(customer.clone(), total - account.len());
        }
        out.events.extend(account);
    }
    Ok(out)
}

/// An invoice opened or closed: as-of, event, invoice, currency, open amount.
fn item_event(customer: &str, (as_of, event, no, code, minor): (String, String, String, String, i64)) -> Event {
    let key = if event == "opened" { "history_opened" } else { "history_closed" };
    let why = Why::new(
        key,
        vec![("invoice", no.as_str().into()), ("amount", money(&code, minor).into()), ("date", as_of.as_str().into())],
    );
    Event {
        when: as_of,
        event,
        customer: customer.to_owned(),
        amount: money(&code, minor),
        currency: code,
        invoice_nos: vec![no],
        detail: why.english(),
        why,
    }
}

/// The events of `customers`, oldest first; with `invoice`, only those that concern it.
fn for_customers(db: &Db, customers: &BTreeSet<String>, invoice: Option<&str>) -> Result<Vec<Event>> {
    let e = |err: rusqlite::Error| db.err(&err);
    let conn = db.conn();
    let counted = "r.status IN ('published', 'imported', 'replaced')";
    let concerns = |nos: &[String]| invoice.is_none_or(|i| nos.iter().any(|n| n == i) || nos.is_empty());
    let mut out = Vec::new();
    for customer in customers {
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT r.as_of, i.event, i.invoice_no, i.currency, i.open_minor FROM item_events i
                 JOIN runs r ON r.id = i.run_id WHERE {counted} AND i.customer = ?1 ORDER BY r.as_of, i.invoice_no"
            ))
            .map_err(e)?;
        let rows: Vec<(String, String, String, String, i64)> = stmt
            .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .and_then(Iterator::collect)
            .map_err(e)?;
        out.extend(
            rows.into_iter().filter(|row| concerns(std::slice::from_ref(&row.2))).map(|row| item_event(customer, row)),
        );
        other_events(db, customer, invoice, &mut out)?;
    }
    out.sort_by(|a, b| a.when.cmp(&b.when));
    Ok(out)
}

/// The events of `customer` other than invoices opened and closed (messages, tasks,
/// promises, disputes, payments), in the order of each kind's query; with `invoice`, only
/// those that concern it.
#[allow(clippy::too_many_lines)] // one query per kind of event, each read the same way
fn other_events(db: &Db, customer: &String, invoice: Option<&str>, out: &mut Vec<Event>) -> Result<()> {
    let e = |err: rusqlite::Error| db.err(&err);
    let conn = db.conn();
    let counted = "r.status IN ('published', 'imported', 'replaced')";
    let concerns = |nos: &[String]| invoice.is_none_or(|i| nos.iter().any(|n| n == i) || nos.is_empty());
    decisions(db, customer, &concerns, out)?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT MIN(r.as_of), f.kind, f.invoice_no, f.promised_date, f.note FROM followups_seen f
             JOIN runs r ON r.id = f.run_id WHERE {counted} AND f.customer = ?1
             GROUP BY f.kind, f.invoice_no, f.promised_date ORDER BY 1"
        ))
        .map_err(e)?;
    let rows: Vec<(String, String, String, Option<String>, String)> = stmt
        .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .and_then(Iterator::collect)
        .map_err(e)?;
    for (first, kind, no, date, note) in rows {
        let nos: Vec<String> = if no.is_empty() { Vec::new() } else { vec![no.clone()] };
        if !concerns(&nos) {
            continue;
        }
        let what = if no.is_empty() { Arg::Word("the_account") } else { Arg::from(&no) };
        let mut why = match &date {
            Some(date) => Why::new(
                "history_promise",
                vec![("what", what), ("date", date.as_str().into()), ("first", first.as_str().into())],
            ),
            None => Why::new("history_dispute", vec![("what", what), ("first", first.as_str().into())]),
        };
        if !note.is_empty() {
            why.push("note", vec![("note", note.into())]);
        }
        out.push(Event {
            when: first,
            event: kind,
            customer: customer.clone(),
            currency: String::new(),
            invoice_nos: nos,
            amount: String::new(),
            detail: why.english(),
            why,
        });
    }
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT DISTINCT p.payment_date, p.payer, p.reference, p.currency, p.invoice_no, p.applied_minor, p.settled
             FROM payments_matched p JOIN runs r ON r.id = p.run_id WHERE {counted} AND p.customer = ?1
             ORDER BY p.payment_date, p.invoice_no"
        ))
        .map_err(e)?;
    let rows: Vec<(String, String, String, String, String, i64, bool)> = stmt
        .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .and_then(Iterator::collect)
        .map_err(e)?;
    for (date, payer, reference, code, no, minor, settled) in rows {
        if !concerns(std::slice::from_ref(&no)) {
            continue;
        }
        let mut why = Why::new("history_payment", vec![("payer", payer.into())]);
        if !reference.is_empty() {
            why.push("history_reference", vec![("reference", reference.into())]);
        }
        why.push(
            "history_applied",
            vec![
                ("amount", money(&code, minor).into()),
                ("invoice", no.as_str().into()),
                ("left", Arg::Word(if settled { "history_settled" } else { "history_reduced" })),
            ],
        );
        out.push(Event {
            when: date,
            event: "payment".into(),
            customer: customer.clone(),
            currency: code.clone(),
            invoice_nos: vec![no.clone()],
            amount: money(&code, minor),
            detail: why.english(),
            why,
        });
    }
    Ok(())
}

/// A decision's row: as-of, kind, stage, currency, invoices, recipients, amount, subject,
/// Message-ID, reason.
type Row = (String, String, String, String, String, String, String, Option<String>, Option<String>, String);

/// The decisions of `customer`, each with what became of its message.
#[allow(clippy::too_many_lines)] // one event per outcome, each with its reason's values
fn decisions(db: &Db, customer: &str, concerns: &dyn Fn(&[String]) -> bool, out: &mut Vec<Event>) -> Result<()> {
    let e = |err: rusqlite::Error| db.err(&err);
    let mut stmt = db
        .conn()
        .prepare_cached(
            "SELECT r.as_of, d.kind, d.stage, d.currency, d.invoice_nos, d.to_addrs, d.amount, d.subject, d.message_id,
                    d.reason
             FROM decisions d JOIN runs r ON r.id = d.run_id
             WHERE r.status IN ('published', 'imported', 'replaced') AND d.customer = ?1 ORDER BY r.as_of, d.id",
        )
        .map_err(e)?;
    let rows: Vec<Row> = stmt
        .query_map([customer], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })
        .and_then(Iterator::collect)
        .map_err(e)?;
    let mut attempts = db
        .conn()
        .prepare_cached("SELECT COALESCE(finished_at, attempted_at), result, answer FROM deliveries WHERE message_id = ?1 ORDER BY id")
        .map_err(e)?;
    let mut seen = BTreeSet::new();
    for (as_of, kind, stage, code, nos, to, amount, subject, id, reason) in rows {
        let nos: Vec<String> = serde_json::from_str(&nos).unwrap_or_default();
        if !concerns(&nos) {
            continue;
        }
        if let Some(id) = &id
            && !seen.insert(id.clone())
        {
            continue;
        }
        let to: Vec<String> = serde_json::from_str(&to).unwrap_or_default();
        let amount_text = Currency::parse(&code).map_or(amount.clone(), |c| {
            c.to_minor(amount.parse().unwrap_or_default()).map_or(amount.clone(), |m| c.format(m))
        });
        let event = |when: String, event: &str, why: Why| Event {
            when,
            event: event.into(),
            customer: customer.to_owned(),
            currency: code.clone(),
            invoice_nos: nos.clone(),
            amount: amount.clone(),
            detail: why.english(),
            why,
        };
        let stage = || Arg::Stage(stage.clone());
        if kind == "manual" {
            let why = Why::new("history_task", vec![("stage", stage()), ("reason", reason.as_str().into())]);
            out.push(event(as_of.clone(), "task", why));
            continue;
        }
        let subject = subject.unwrap_or_default();
        let why = Why::new(
            "history_prepared",
            vec![
                ("stage", stage()),
                ("subject", subject.as_str().into()),
                ("to", to.join(", ").into()),
                ("amount", amount_text.as_str().into()),
            ],
        );
        out.push(event(as_of.clone(), "prepared", why));
        let rows: Vec<(String, String, Option<String>)> = match &id {
            Some(id) => attempts
                .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(Iterator::collect)
                .map_err(e)?,
            None => Vec::new(),
        };
        let sent = rows.iter().any(|(_, result, _)| result == "sent");
        for (when, result, answer) in rows {
            let mut why = match result.as_str() {
                "sent" => Why::new(
                    "history_sent",
                    vec![
                        ("stage", stage()),
                        ("subject", subject.as_str().into()),
                        ("amount", amount_text.as_str().into()),
                    ],
                ),
                "refused" => Why::new("history_refused", vec![("stage", stage())]),
                _ => Why::new("history_in_doubt", vec![("stage", stage())]),
            };
            if let Some(a) = answer {
                // The server's own words: Chinese readers see them for a refusal or a doubt,
                // where they matter, not for a message accepted ("250 OK").
                let key = if result == "sent" { "history_answer_sent" } else { "history_answer" };
                why.push(key, vec![("answer", a.into())]);
            }
            out.push(event(when, &result, why));
        }
        if !sent {
            let why = Why::new("history_never_sent", vec![("stage", stage()), ("date", as_of.as_str().into())]);
            out.push(event(as_of.clone(), "never_sent", why));
        }
    }
    Ok(())
}
