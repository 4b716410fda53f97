//! The case timeline of `payback history CUSTOMER|INVOICE`: everything that happened to an
//! account, oldest first — invoices that became open or stopped being open (run by run),
//! messages prepared and what became of them (sent, in doubt, refused, never sent), tasks for
//! our side, promises and disputes as first seen, payments matched.
use std::collections::{BTreeSet, HashMap};

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
    /// The invoices as the database holds them (a JSON array) until [`Event::finish`] reads
    /// them into `invoice_nos`: a year of an account's messages name its invoices again and
    /// again, and most are not shown.
    #[serde(skip)]
    pub(crate) stored_invoice_nos: Option<std::sync::Arc<str>>,
}

impl Event {
    /// The invoices concerned as one text, `INV-1, INV-2`, read from the database's list
    /// when the event was not finished ([`Event::finish`]).
    #[must_use]
    pub fn invoices_text(&self) -> String {
        match &self.stored_invoice_nos {
            // Borrowed from the stored text (no copy of each number) unless a number holds
            // an escaped character.
            Some(stored) => match serde_json::from_str::<Vec<&str>>(stored) {
                Ok(nos) => nos.join(", "),
                Err(_) => serde_json::from_str::<Vec<String>>(stored).unwrap_or_default().join(", "),
            },
            None => self.invoice_nos.join(", "),
        }
    }

    /// Makes an event read from the database ready to show: its invoices read, its English
    /// `detail` rendered.
    fn finish(mut self) -> Self {
        if let Some(stored) = self.stored_invoice_nos.take() {
            self.invoice_nos = serde_json::from_str(&stored).unwrap_or_default();
        }
        self.detail = self.why.english();
        self
    }
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
/// row says that earlier events were left out.
pub(crate) const SHEET_EVENTS_PER_ACCOUNT: usize = 12;

/// The History sheet's events.
#[derive(Debug, Default)]
pub struct Recent {
    /// The events kept, by customer then oldest first.
    pub events: Vec<Event>,
    /// The customers some of whose events were left out ([`SHEET_EVENTS_PER_ACCOUNT`]).
    pub left_out: BTreeSet<String>,
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
    let window = format!("{COUNTED} AND i.customer = ?1 AND r.as_of >= ?2 AND r.as_of < ?3");
    let mut latest = db
        .conn()
        .prepare(&format!(
            "SELECT r.as_of, i.event, i.invoice_no, i.currency, i.open_minor FROM item_events i
             JOIN runs r ON r.id = i.run_id WHERE {window} ORDER BY r.as_of DESC, i.invoice_no DESC LIMIT ?4"
        ))
        .map_err(e)?;
    let mut out = Recent::default();
    // Every account's events other than invoices opened and closed, from `since` on.
    let mut all_others = other_events(db, Scope::Since(&since), None)?;
    for customer in customers {
        // The account's events other than invoices opened and closed, in the window.
        let mut others = all_others.take(customer);
        others.retain(|ev| in_window(ev.when()));
        // Which of the account's events are kept: the latest of the others, then the latest
        // invoices opened and closed in the room left (one more is read to know whether any
        // were left out; they are not counted: that took a query an account).
        let keep_others = others.len().min(per_account);
        let room = per_account - keep_others;
        let mut left_out = others.len() > per_account;
        let mut rows: Vec<(String, String, String, String, i64)> = if room == 0 && left_out {
            Vec::new()
        } else {
            latest
                .query_map(params![customer, since, before, i64::try_from(room + 1).unwrap_or(i64::MAX)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .and_then(Iterator::collect)
                .map_err(e)?
        };
        if rows.len() > room {
            rows.truncate(room);
            left_out = true;
        }
        rows.reverse();
        let mut account: Vec<Event> = rows.into_iter().map(|row| item_event(customer, row)).collect();
        // The others in time order (as `for_customers` orders them), the latest kept.
        others.sort_by(|a, b| a.when().cmp(b.when()));
        // Not finished: the sheet renders the reasons in its language and joins the
        // invoices itself ([`Event::invoices_text`]).
        account.extend(all_others.build_all(db, others.split_off(others.len() - keep_others))?);
        // Invoices first, then the others, each in their order, sorted by time: the order
        // of `payback history` (a stable sort).
        account.sort_by(|a, b| a.when.cmp(&b.when));
        if left_out {
            out.left_out.insert(customer.clone());
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
        stored_invoice_nos: None,
    }
}

/// The events of `customers`, oldest first; with `invoice`, only those that concern it.
fn for_customers(db: &Db, customers: &BTreeSet<String>, invoice: Option<&str>) -> Result<Vec<Event>> {
    let e = |err: rusqlite::Error| db.err(&err);
    let conn = db.conn();
    let concerns = |nos: &[String]| invoice.is_none_or(|i| nos.iter().any(|n| n == i) || nos.is_empty());
    let mut out = Vec::new();
    for customer in customers {
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT r.as_of, i.event, i.invoice_no, i.currency, i.open_minor FROM item_events i
                 JOIN runs r ON r.id = i.run_id WHERE {COUNTED} AND i.customer = ?1 ORDER BY r.as_of, i.invoice_no"
            ))
            .map_err(e)?;
        let rows: Vec<(String, String, String, String, i64)> = stmt
            .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .and_then(Iterator::collect)
            .map_err(e)?;
        out.extend(
            rows.into_iter().filter(|row| concerns(std::slice::from_ref(&row.2))).map(|row| item_event(customer, row)),
        );
        let mut others = other_events(db, Scope::Customer(customer), invoice)?;
        let pending = others.take(customer);
        out.extend(others.build_all(db, pending)?);
    }
    out.sort_by(|a, b| a.when.cmp(&b.when));
    Ok(out.into_iter().map(Event::finish).collect())
}

/// Only published, imported and replaced runs count (`r` is the run).
const COUNTED: &str = "r.status IN ('published', 'imported', 'replaced')";

/// Whose events [`other_events`] reads: one account's, or those of every account that
/// happened on or after a date (a `YYYY-MM-DD` text).
#[derive(Clone, Copy)]
enum Scope<'a> {
    Customer(&'a str),
    Since(&'a str),
}

impl Scope<'_> {
    /// The query's parameter: the customer, or the date.
    fn param(&self) -> &str {
        match self {
            Scope::Customer(text) | Scope::Since(text) => text,
        }
    }
}

/// The events other than invoices opened and closed (messages, tasks, promises, disputes,
/// payments) of the accounts in `scope`, by customer, each account's in the order of each
/// kind's query; with `invoice`, only those that concern it. One query per kind of event
/// for all the accounts: the History sheet reads those of every account with an action.
/// The decisions' events are built only when the caller keeps them ([`Others::build_all`]);
/// their `detail` is left empty: the caller renders the ones it keeps.
#[allow(clippy::too_many_lines)] // one query per kind of event, each read the same way
fn other_events(db: &Db, scope: Scope<'_>, invoice: Option<&str>) -> Result<Others> {
    let e = |err: rusqlite::Error| db.err(&err);
    let conn = db.conn();
    let concerns = |nos: &[String]| invoice.is_none_or(|i| nos.iter().any(|n| n == i) || nos.is_empty());
    let mut others = decisions(db, scope, &concerns)?;
    let out = &mut others.by_customer;
    // A promise or dispute is dated by the first run that saw it.
    let (filter, having) = match scope {
        Scope::Customer(_) => ("AND f.customer = ?1", ""),
        Scope::Since(_) => ("", "HAVING MIN(r.as_of) >= ?1"),
    };
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT f.customer, MIN(r.as_of), f.kind, f.invoice_no, f.promised_date, f.note FROM followups_seen f
             JOIN runs r ON r.id = f.run_id WHERE {COUNTED} {filter}
             GROUP BY f.customer, f.kind, f.invoice_no, f.promised_date {having}
             ORDER BY f.customer, 2, f.kind, f.invoice_no, f.promised_date"
        ))
        .map_err(e)?;
    let mut rows = stmt.query([scope.param()]).map_err(e)?;
    while let Some(r) = rows.next().map_err(e)? {
        let (customer, first, kind, no, date, note): (String, String, String, String, Option<String>, String) = (
            r.get(0).map_err(e)?,
            r.get(1).map_err(e)?,
            r.get(2).map_err(e)?,
            r.get(3).map_err(e)?,
            r.get(4).map_err(e)?,
            r.get(5).map_err(e)?,
        );
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
        out.entry(customer.clone()).or_default().push(Pending::Built(Event {
            when: first,
            event: kind,
            customer,
            currency: String::new(),
            invoice_nos: nos,
            amount: String::new(),
            detail: String::new(),
            why,
            stored_invoice_nos: None,
        }));
    }
    let filter = match scope {
        Scope::Customer(_) => "p.customer = ?1",
        Scope::Since(_) => "p.payment_date >= ?1",
    };
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT DISTINCT p.customer, p.payment_date, p.payer, p.reference, p.currency, p.invoice_no,
                    p.applied_minor, p.settled
             FROM payments_matched p JOIN runs r ON r.id = p.run_id WHERE {COUNTED} AND {filter}
             ORDER BY p.customer, p.payment_date, p.invoice_no"
        ))
        .map_err(e)?;
    let rows: Vec<PaymentRow> = stmt
        .query_map([scope.param()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })
        .and_then(Iterator::collect)
        .map_err(e)?;
    for (customer, date, payer, reference, code, no, minor, settled) in rows {
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
        out.entry(customer.clone()).or_default().push(Pending::Built(Event {
            when: date,
            event: "payment".into(),
            customer,
            amount: money(&code, minor),
            currency: code,
            invoice_nos: vec![no],
            detail: String::new(),
            why,
            stored_invoice_nos: None,
        }));
    }
    Ok(others)
}

/// A delivery attempt: when, result, the server's answer.
type Attempt = (String, String, Option<String>);

/// An account's event other than an invoice opened or closed: built, or the `nth` event of
/// a decision's row ([`decision_events`]), built when kept ([`Others::build_all`]).
enum Pending {
    Built(Event),
    Decision { row: usize, nth: usize, when: String },
}

impl Pending {
    fn when(&self) -> &str {
        match self {
            Pending::Built(event) => &event.when,
            Pending::Decision { when, .. } => when,
        }
    }
}

/// What [`other_events`] read: the decisions' rows and their delivery attempts, and every
/// account's events in the order of their queries.
#[derive(Default)]
struct Others {
    rows: Vec<DecisionRow>,
    attempts: HashMap<String, Vec<Attempt>>,
    by_customer: HashMap<String, Vec<Pending>>,
}

impl Others {
    /// The events of `customer` (taken out).
    fn take(&mut self, customer: &str) -> Vec<Pending> {
        self.by_customer.remove(customer).unwrap_or_default()
    }

    /// The events themselves, in order; a decision's row is built once for all its events
    /// (its texts read from `db` first when they were left out).
    ///
    /// # Errors
    /// [`crate::Error::State`] when the database cannot be read.
    fn build_all(&self, db: &Db, pending: Vec<Pending>) -> Result<Vec<Event>> {
        let mut rows: HashMap<usize, Vec<Option<Event>>> = HashMap::new();
        let mut out = Vec::with_capacity(pending.len());
        for p in pending {
            match p {
                Pending::Built(event) => out.push(event),
                Pending::Decision { row, nth, .. } => {
                    let events = match rows.entry(row) {
                        std::collections::hash_map::Entry::Occupied(built) => built.into_mut(),
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            let of = &self.rows[row];
                            let texts = match &of.texts {
                                Some(texts) => texts.clone(),
                                None => texts_of(db, of.id)?,
                            };
                            slot.insert(decision_events(of, &texts, self.tried(of)).into_iter().map(Some).collect())
                        }
                    };
                    out.extend(events.get_mut(nth).and_then(Option::take));
                }
            }
        }
        Ok(out)
    }

    /// The delivery attempts of the row's message.
    fn tried(&self, row: &DecisionRow) -> &[Attempt] {
        row.message_id.as_ref().and_then(|id| self.attempts.get(id)).map_or(&[][..], Vec::as_slice)
    }
}

/// A payment's row: customer, date, payer, reference, currency, invoice, amount applied,
/// settled.
type PaymentRow = (String, String, String, String, String, String, i64, bool);

/// A decision as [`decisions`] reads it: whose, from which run, what kind, its message and
/// id, and its texts — left out when every account's decisions are read (a year of them at
/// a million invoices is 300 MB of text, most of it not shown) and read by id for the rows
/// shown ([`texts_of`]).
#[derive(Debug, Clone)]
struct DecisionRow {
    customer: String,
    as_of: String,
    kind: String,
    message_id: Option<String>,
    id: i64,
    texts: Option<Texts>,
}

/// A decision's texts: stage, currency, invoices (JSON), recipients (JSON), amount,
/// subject, reason.
#[derive(Debug, Clone)]
struct Texts {
    stage: String,
    currency: String,
    invoice_nos: String,
    to_addrs: String,
    amount: String,
    subject: Option<String>,
    reason: String,
}

/// The columns of [`Texts`], in its order.
const TEXT_COLUMNS: &str = "d.stage, d.currency, d.invoice_nos, d.to_addrs, d.amount, d.subject, d.reason";

impl Texts {
    /// The texts from `r`'s columns [`TEXT_COLUMNS`], the first at `from`.
    fn read(r: &rusqlite::Row<'_>, from: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            stage: r.get(from)?,
            currency: r.get(from + 1)?,
            invoice_nos: r.get(from + 2)?,
            to_addrs: r.get(from + 3)?,
            amount: r.get(from + 4)?,
            subject: r.get(from + 5)?,
            reason: r.get(from + 6)?,
        })
    }
}

/// The texts of decision `id`.
fn texts_of(db: &Db, id: i64) -> Result<Texts> {
    let e = |err: rusqlite::Error| db.err(&err);
    let mut stmt =
        db.conn().prepare_cached(&format!("SELECT {TEXT_COLUMNS} FROM decisions d WHERE d.id = ?1")).map_err(e)?;
    stmt.query_row([id], |r| Texts::read(r, 0)).map_err(e)
}

/// The decisions of the accounts in `scope`, each with what became of its message: for
/// [`Scope::Since`], those of runs as of the date or later, or whose message was attempted
/// then. The deliveries are read in one query with them. Each row's events are listed by
/// when they happened ([`steps`]), to be built when kept.
fn decisions(db: &Db, scope: Scope<'_>, concerns: &dyn Fn(&[String]) -> bool) -> Result<Others> {
    let e = |err: rusqlite::Error| db.err(&err);
    let filter = match scope {
        Scope::Customer(_) => "d.customer = ?1",
        Scope::Since(_) => {
            "(r.as_of >= ?1 OR d.message_id IN
                (SELECT message_id FROM deliveries WHERE attempted_at >= ?1 OR finished_at >= ?1))"
        }
    };
    // One account's rows whole (its invoices choose the events of one invoice); every
    // account's without their texts, read when shown.
    let whole = matches!(scope, Scope::Customer(_));
    let texts = if whole { format!(", {TEXT_COLUMNS}") } else { String::new() };
    let mut stmt = db
        .conn()
        .prepare_cached(&format!(
            "SELECT d.customer, r.as_of, d.kind, d.message_id, d.id{texts}
             FROM decisions d JOIN runs r ON r.id = d.run_id WHERE {COUNTED} AND {filter}"
        ))
        .map_err(e)?;
    let mut rows: Vec<DecisionRow> = stmt
        .query_map([scope.param()], |r| {
            Ok(DecisionRow {
                customer: r.get(0)?,
                as_of: r.get(1)?,
                kind: r.get(2)?,
                message_id: r.get(3)?,
                id: r.get(4)?,
                texts: if whole { Some(Texts::read(r, 5)?) } else { None },
            })
        })
        .and_then(Iterator::collect)
        .map_err(e)?;
    // By customer, then in the order the runs decided them (sorted here: SQLite sorted a
    // year of rows, invoice lists and all, through temporary files).
    rows.sort_unstable_by(|a, b| (&a.customer, &a.as_of, a.id).cmp(&(&b.customer, &b.as_of, b.id)));
    // Every attempt to deliver these messages, in order, by Message-ID: the deliveries are
    // read once and kept for the messages above (a subquery read the decisions again).
    let wanted: std::collections::HashSet<&str> = rows.iter().filter_map(|row| row.message_id.as_deref()).collect();
    let mut attempts: HashMap<String, Vec<Attempt>> = HashMap::new();
    if !wanted.is_empty() {
        let mut stmt = db
            .conn()
            .prepare_cached(
                "SELECT message_id, COALESCE(finished_at, attempted_at), result, answer FROM deliveries ORDER BY id",
            )
            .map_err(e)?;
        let mut found = stmt.query([]).map_err(e)?;
        while let Some(r) = found.next().map_err(e)? {
            let id: String = r.get(0).map_err(e)?;
            if wanted.contains(id.as_str()) {
                let attempt = (r.get(1).map_err(e)?, r.get(2).map_err(e)?, r.get(3).map_err(e)?);
                attempts.entry(id).or_default().push(attempt);
            }
        }
    }
    let mut others = Others { rows: Vec::with_capacity(rows.len()), attempts, by_customer: HashMap::new() };
    let mut seen: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    for row in rows {
        // The invoices are read now only to choose the events of one invoice
        // (`payback history INVOICE`); else when an event is shown ([`Event::finish`]).
        if let Some(texts) = &row.texts {
            let nos: Vec<String> = serde_json::from_str(&texts.invoice_nos).unwrap_or_default();
            if !concerns(&nos) {
                continue;
            }
        }
        if let Some(id) = &row.message_id
            && !seen.insert((row.customer.clone(), id.clone()))
        {
            continue;
        }
        let at = others.rows.len();
        let tried = others.tried(&row);
        let pending: Vec<Pending> = steps(&row, tried)
            .iter()
            .enumerate()
            .map(|(nth, step)| Pending::Decision { row: at, nth, when: step.when(&row, tried).to_owned() })
            .collect();
        match others.by_customer.get_mut(&row.customer) {
            Some(events) => events.extend(pending),
            None => {
                others.by_customer.insert(row.customer.clone(), pending);
            }
        }
        others.rows.push(row);
    }
    Ok(others)
}

/// One event of a decision, in the order they happened.
enum Step {
    /// A task for our side.
    Task,
    /// The message prepared.
    Prepared,
    /// The `n`th attempt to deliver it.
    Attempt(usize),
    /// None of the attempts was sent.
    NeverSent,
}

impl Step {
    /// When it happened: the run's as-of date, or the attempt's time.
    fn when<'a>(&self, row: &'a DecisionRow, tried: &'a [Attempt]) -> &'a str {
        match self {
            Step::Attempt(n) => &tried[*n].0,
            Step::Task | Step::Prepared | Step::NeverSent => &row.as_of,
        }
    }
}

/// The events of a decision: a task; or a message prepared, each attempt to deliver it,
/// and "never sent" when none was sent. [`decision_events`] builds them in this order.
fn steps(row: &DecisionRow, tried: &[Attempt]) -> Vec<Step> {
    if row.kind == "manual" {
        return vec![Step::Task];
    }
    let mut steps = vec![Step::Prepared];
    steps.extend((0..tried.len()).map(Step::Attempt));
    if !tried.iter().any(|(_, result, _)| result == "sent") {
        steps.push(Step::NeverSent);
    }
    steps
}

/// The events of a decision ([`steps`]), with its texts.
fn decision_events(row: &DecisionRow, texts: &Texts, tried: &[Attempt]) -> Vec<Event> {
    let Texts { stage, currency: code, invoice_nos, to_addrs, amount, subject, reason } = texts;
    // One copy of the invoice list for the row's events.
    let stored: std::sync::Arc<str> = std::sync::Arc::from(invoice_nos.as_str());
    let to: Vec<String> = serde_json::from_str(to_addrs).unwrap_or_default();
    let amount_text = Currency::parse(code).map_or(amount.clone(), |c| {
        c.to_minor(amount.parse().unwrap_or_default()).map_or(amount.clone(), |m| c.format(m))
    });
    let subject = subject.clone().unwrap_or_default();
    let stage = || Arg::Stage(stage.clone());
    let event = |step: &Step, event: &str, why: Why| Event {
        when: step.when(row, tried).to_owned(),
        event: event.into(),
        customer: row.customer.clone(),
        currency: code.clone(),
        invoice_nos: Vec::new(),
        amount: amount.clone(),
        detail: String::new(),
        why,
        stored_invoice_nos: Some(stored.clone()),
    };
    steps(row, tried)
        .iter()
        .map(|step| match step {
            Step::Task => {
                let why = Why::new("history_task", vec![("stage", stage()), ("reason", reason.as_str().into())]);
                event(step, "task", why)
            }
            Step::Prepared => {
                let args = vec![
                    ("stage", stage()),
                    ("subject", subject.as_str().into()),
                    ("to", to.join(", ").into()),
                    ("amount", amount_text.as_str().into()),
                ];
                event(step, "prepared", Why::new("history_prepared", args))
            }
            Step::Attempt(n) => {
                let (_, result, answer) = &tried[*n];
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
                    // The server's own words: Chinese readers see them for a refusal or a
                    // doubt, where they matter, not for a message accepted ("250 OK").
                    let key = if result == "sent" { "history_answer_sent" } else { "history_answer" };
                    why.push(key, vec![("answer", a.as_str().into())]);
                }
                event(step, result, why)
            }
            Step::NeverSent => {
                let why = Why::new("history_never_sent", vec![("stage", stage()), ("date", row.as_of.as_str().into())]);
                event(step, "never_sent", why)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(json: &str) -> Event {
        Event {
            when: "2026-11-30".into(),
            event: "prepared".into(),
            customer: "ACME".into(),
            currency: "CNY".into(),
            invoice_nos: Vec::new(),
            amount: "1.00".into(),
            detail: String::new(),
            why: Why::default(),
            stored_invoice_nos: Some(std::sync::Arc::from(json)),
        }
    }

    #[test]
    fn the_invoices_of_an_event_read_from_the_database_are_joined_as_stored() {
        assert_eq!(stored(r#"["INV-1","INV-2"]"#).invoices_text(), "INV-1, INV-2");
        // A number with an escaped character is read whole.
        assert_eq!(stored(r#"["INV-1","A\"B","C\\D"]"#).invoices_text(), r#"INV-1, A"B, C\D"#);
        assert_eq!(stored("[]").invoices_text(), "");
        // Finished, the list itself.
        let finished = stored(r#"["INV-1","A\"B"]"#).finish();
        assert_eq!(finished.invoice_nos, ["INV-1", "A\"B"]);
        assert_eq!(finished.invoices_text(), "INV-1, A\"B");
    }
}
