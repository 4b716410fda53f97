//! Reading and writing one run's state: the run is recorded as `pending` in one
//! transaction before its outputs are published, and marked `published` after
//! ([`record_run`], [`publish`]); a run found pending later is completed when its outputs
//! are in place, discarded otherwise ([`recover`]). The deliveries of `send` are recorded
//! per attempt ([`begin_attempt`], [`finish_attempt`]).
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::DataFrame;
use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::aging::frame::col_name as c;
use crate::email::compose::OutboxEntry;
use crate::error::{Error, Result};
use crate::ledger::matching::Reconciliation;
use crate::metrics::rollforward::{ItemKey, PreviousOpen, borrowed, side_by_side};
use crate::metrics::trend::{CurrencySnapshot, Snapshot, Trend};
use crate::normalize::records::Followup;
use crate::rules::action::{Action, ActionKind};
use crate::rules::history::{History, LogEntry};

/// Runs whose rows count: published by a run, or imported from an earlier release.
const COUNTED: &str = "('published', 'imported')";

/// The files whose digest says which run's outputs a folder holds.
const DIGESTED: [&str; 3] = ["outbox.csv", "summary.json", "actions.json"];

/// BLAKE3 over the names and bytes of [`DIGESTED`] in `dir` (a missing file counts as
/// missing, so an empty folder never matches a run).
#[must_use]
pub(crate) fn outputs_digest(dir: &Path) -> String {
    let mut hasher = blake3::Hasher::new();
    for name in DIGESTED {
        hasher.update(name.as_bytes());
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => {
                hasher.update(&(bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
            Err(_) => {
                hasher.update(b"\0missing\0");
            }
        }
    }
    hasher.finalize().to_hex().to_string()
}

/// Everything one run records.
pub(crate) struct RunRecord<'a> {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The `--out` folder (absolute).
    pub out_dir: &'a Path,
    /// [`outputs_digest`] of the staged outputs.
    pub outputs_digest: String,
    /// JSON array of the inputs' fingerprints.
    pub inputs: String,
    /// Rules origin and fingerprint.
    pub rules: String,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// The run's actions (holds are not recorded).
    pub actions: &'a [Action],
    /// The outbox: Message-ID, file and subject of each message.
    pub outbox: &'a [OutboxEntry],
    /// The trend snapshot.
    pub snapshot: &'a Snapshot,
    /// The aging's open items, summed per item in key order ([`open_items_of`]).
    pub open_items: &'a [(ItemRef<'a>, i64)],
    /// The items opened and closed since the previous run, when found already
    /// ([`item_changes`]); used when they were found against the run this one follows.
    pub changes: Option<&'a ItemChanges>,
    /// The follow-ups read.
    pub followups: &'a [Followup],
    /// Payments matched, when given.
    pub reconciliation: Option<&'a Reconciliation>,
}

fn json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(Error::internal)
}

/// Records a run as `pending`, with all it decided and saw, in one transaction; returns
/// its id. Nothing of it counts until [`publish`]. `before_commit` runs last, before the
/// commit: its error leaves nothing recorded (a run waits there for the integrity check
/// beside it).
///
/// # Errors
/// [`Error::State`] when the database cannot be written, or `before_commit`'s error
/// (nothing is then recorded).
pub(crate) fn record_run(db: &Db, run: &RunRecord<'_>, before_commit: impl FnOnce() -> Result<()>) -> Result<i64> {
    let e = |err: rusqlite::Error| db.err(&err);
    let tx = db.conn().unchecked_transaction().map_err(e)?;
    tx.execute(
        "INSERT INTO runs (as_of, status, out_dir, outputs_digest, inputs, rules, snapshot, started_at)
         VALUES (?1, 'pending', ?2, ?3, ?4, ?5, 1, ?6)",
        params![
            run.as_of.to_string(),
            run.out_dir.display().to_string(),
            run.outputs_digest,
            run.inputs,
            run.rules,
            run.started_at
        ],
    )
    .map_err(e)?;
    let run_id = tx.last_insert_rowid();
    insert_decisions(&tx, run_id, run.actions, run.outbox).map_err(|err| match err {
        Failure::Sql(err) => db.err(&err),
        Failure::Other(err) => err,
    })?;
    insert_snapshot(&tx, run_id, run.snapshot).map_err(e)?;
    let previous = previous_run(&tx, run.as_of).map_err(e)?;
    let found = run.changes.filter(|c| c.previous_run == previous.as_ref().map(|(id, _)| *id));
    insert_open_items(&tx, run_id, run.open_items, previous.as_ref(), found).map_err(e)?;
    insert_followups(&tx, run_id, run.followups).map_err(e)?;
    if let Some(reconciliation) = run.reconciliation {
        let mut stmt = tx
            .prepare(
                "INSERT INTO payments_matched (run_id, payment_date, payer, reference, currency, customer,
                 invoice_no, applied_minor, settled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(e)?;
        for a in &reconciliation.applied {
            let Some(p) = reconciliation.payments.get(a.payment) else { continue };
            stmt.execute(params![
                run_id,
                p.payment_date.to_string(),
                p.payer,
                p.reference,
                p.currency.code(),
                a.customer,
                a.invoice_no,
                a.amount_minor,
                a.settled
            ])
            .map_err(e)?;
        }
    }
    before_commit()?;
    tx.commit().map_err(e)?;
    Ok(run_id)
}

enum Failure {
    Sql(rusqlite::Error),
    Other(Error),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sql(e)
    }
}

/// Inserts the messages and tasks of `actions`; each message takes the Message-ID, file
/// and subject of the next outbox entry of the same customer, currency and stage.
fn insert_decisions(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    actions: &[Action],
    outbox: &[OutboxEntry],
) -> std::result::Result<(), Failure> {
    let mut built: HashMap<(&str, &str, &str), std::collections::VecDeque<&OutboxEntry>> = HashMap::new();
    for entry in outbox.iter().filter(|e| e.file.starts_with("emails/")) {
        built.entry((&entry.customer, &entry.currency, &entry.stage)).or_default().push_back(entry);
    }
    let mut stmt = tx.prepare(
        "INSERT INTO decisions (run_id, customer, currency, kind, stage, invoice_nos, to_addrs, cc_addrs,
         template, amount, reason, subject, file, message_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for a in actions.iter().filter(|a| a.kind != ActionKind::Hold) {
        let entry = if a.kind == ActionKind::Message {
            let found = built
                .get_mut(&(a.customer.as_str(), a.currency.as_str(), a.stage.as_str()))
                .and_then(std::collections::VecDeque::pop_front);
            Some(found.ok_or_else(|| {
                Failure::Other(Error::Internal(format!(
                    "no email was built for the {} message to {} ({})",
                    a.stage, a.customer, a.currency
                )))
            })?)
        } else {
            None
        };
        let to_json = |v: &Vec<String>| serde_json::to_string(v).map_err(|e| Failure::Other(Error::internal(e)));
        stmt.execute(params![
            run_id,
            a.customer,
            a.currency,
            a.kind.as_str(),
            a.stage,
            to_json(&a.invoice_nos)?,
            to_json(&a.to)?,
            to_json(&a.cc)?,
            a.template,
            a.amount,
            a.reason,
            entry.map(|e| e.subject.as_str()),
            entry.map(|e| e.file.as_str()),
            entry.map(|e| e.message_id.as_str()),
        ])?;
    }
    Ok(())
}

fn insert_snapshot(tx: &rusqlite::Transaction<'_>, run_id: i64, snapshot: &Snapshot) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT INTO trend (run_id, currency, open, overdue, buckets, sales, collected, dso, dso_countback, cei,
         overdue_share) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (code, s) in &snapshot.currencies {
        let buckets = serde_json::to_string(&s.buckets).unwrap_or_else(|_| "[]".into());
        stmt.execute(params![
            run_id,
            code,
            s.open,
            s.overdue,
            buckets,
            s.sales,
            s.collected,
            s.dso,
            s.dso_countback,
            s.cei,
            s.overdue_share
        ])?;
    }
    Ok(())
}

/// An open item by its texts (customer, invoice, currency code) borrowed from the aging.
pub(crate) type ItemRef<'a> = (&'a str, &'a str, &'a str);

/// The open items of the aging's frame in key order, summed per (customer, invoice,
/// currency): borrowed from the frame, sorted, not copied into a map.
///
/// # Errors
/// [`Error::Internal`] when the frame lacks its columns or a sum is out of range (a bug).
pub(crate) fn open_items_of(frame: &DataFrame) -> Result<Vec<(ItemRef<'_>, i64)>> {
    let text = |name: &str| -> Result<Vec<Option<&str>>> {
        Ok(frame.column(name).map_err(Error::internal)?.str().map_err(Error::internal)?.iter().collect())
    };
    let (customer, invoice_no, currency) = (text(c::CUSTOMER)?, text(c::INVOICE_NO)?, text(c::CURRENCY)?);
    let open = frame.column(c::OPEN_MINOR).map_err(Error::internal)?.i64().map_err(Error::internal)?;
    let rows: Vec<(ItemRef<'_>, i64)> = open
        .iter()
        .enumerate()
        .map(|(i, amount)| {
            let key =
                (customer[i].unwrap_or_default(), invoice_no[i].unwrap_or_default(), currency[i].unwrap_or_default());
            (key, amount.unwrap_or_default())
        })
        .collect();
    summed_by_key(rows).ok_or_else(|| Error::Internal("an open item's amount is out of range".into()))
}

/// `amounts` in key order, those of one key summed (an item may be several lines); `None`
/// when a sum is out of range.
fn summed_by_key<K: Ord>(mut amounts: Vec<(K, i64)>) -> Option<Vec<(K, i64)>> {
    amounts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(K, i64)> = Vec::with_capacity(amounts.len());
    for (key, amount) in amounts {
        match out.last_mut() {
            Some((last, sum)) if *last == key => *sum = sum.checked_add(amount)?,
            _ => out.push((key, amount)),
        }
    }
    Some(out)
}

/// The counted run of the latest as-of date before `as_of` that recorded a snapshot.
fn previous_run(conn: &rusqlite::Connection, as_of: NaiveDate) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row(
        &format!(
            "SELECT id, as_of FROM runs WHERE status IN {COUNTED} AND snapshot = 1 AND as_of < ?1
             ORDER BY as_of DESC, id DESC LIMIT 1"
        ),
        [as_of.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// The open items of run `run_id`, summed per (customer, invoice, currency). A run records
/// each key once, in key order; they are sorted and summed here, not by a `GROUP BY`, which
/// sorted a million rows through temporary files every run.
fn items_of_run(conn: &rusqlite::Connection, run_id: i64) -> rusqlite::Result<Vec<(ItemKey, i64)>> {
    let mut stmt =
        conn.prepare("SELECT customer, invoice_no, currency, open_minor FROM open_items WHERE run_id = ?1")?;
    let rows: Vec<(ItemKey, i64)> = stmt
        .query_map([run_id], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Already in key order as recorded: the sort only checks that.
    summed_by_key(rows).ok_or(rusqlite::Error::IntegralValueOutOfRange(3, i64::MAX))
}

/// The items opened and closed between a previous run's open items and this run's, found
/// before the run is recorded (while the previous run's items are at hand for the
/// roll-forward: they are not read twice).
#[derive(Debug, Default)]
pub(crate) struct ItemChanges {
    /// The run they were found against (none: the first run, every item opened).
    previous_run: Option<i64>,
    /// Item, `opened` or `closed`, open amount: the opened in key order, then the closed.
    events: Vec<(ItemKey, &'static str, i64)>,
}

/// The items opened and closed since `previous` of `items` ([`open_items_of`]).
pub(crate) fn item_changes(previous: &PreviousOpen, items: &[(ItemRef<'_>, i64)]) -> ItemChanges {
    let was = borrowed(&previous.items);
    let owned = |(c, i, k): ItemRef<'_>| (c.to_owned(), i.to_owned(), k.to_owned());
    let events = changes_between(was, items).into_iter().map(|(key, event, open)| (owned(key), event, open)).collect();
    ItemChanges { previous_run: previous.run_id, events }
}

/// Opened: open now and not among the previous run's items; closed: the reverse. Both
/// lists in key order, walked side by side; the opened ones first, then the closed.
fn changes_between<'a>(
    was: impl Iterator<Item = (ItemRef<'a>, i64)>,
    items: &[(ItemRef<'a>, i64)],
) -> Vec<(ItemRef<'a>, &'static str, i64)> {
    let (mut opened, mut closed) = (Vec::new(), Vec::new());
    let walked = side_by_side(was, items.iter().copied(), |key, then, now| {
        match (then, now) {
            (None, Some(open)) if open != 0 => opened.push((key, "opened", open)),
            (Some(then), None) if then != 0 => closed.push((key, "closed", then)),
            _ => {}
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = walked;
    opened.extend(closed);
    opened
}

/// Inserts the open items (in key order) and the items opened and closed since the
/// `previous` run: `found` already ([`item_changes`]), or found here by reading that run's.
fn insert_open_items(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    items: &[(ItemRef<'_>, i64)],
    previous: Option<&(i64, String)>,
    found: Option<&ItemChanges>,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT INTO open_items (run_id, customer, invoice_no, currency, open_minor) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for ((customer, invoice_no, currency), open) in items {
        stmt.execute(params![run_id, customer, invoice_no, currency, open])?;
    }
    let mut event = tx.prepare(
        "INSERT INTO item_events (run_id, customer, invoice_no, currency, event, open_minor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    if let Some(found) = found {
        for ((customer, invoice_no, currency), kind, open) in &found.events {
            event.execute(params![run_id, customer, invoice_no, currency, kind, open])?;
        }
        return Ok(());
    }
    let before = match previous {
        Some((id, _)) => items_of_run(tx, *id)?,
        None => Vec::new(),
    };
    for ((customer, invoice_no, currency), kind, open) in changes_between(borrowed(&before), items) {
        event.execute(params![run_id, customer, invoice_no, currency, kind, open])?;
    }
    Ok(())
}

fn insert_followups(tx: &rusqlite::Transaction<'_>, run_id: i64, followups: &[Followup]) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT INTO followups_seen (run_id, customer, invoice_no, kind, promised_date, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for f in followups {
        let invoice = f.invoice_no.as_deref().unwrap_or_default();
        let note = f.note.as_deref().unwrap_or_default();
        if let Some(date) = f.promise_to_pay_date {
            stmt.execute(params![run_id, f.customer, invoice, "promise", date.to_string(), note])?;
        }
        if f.disputed {
            stmt.execute(params![run_id, f.customer, invoice, "dispute", None::<String>, note])?;
        }
    }
    Ok(())
}

/// Makes run `run_id` count: earlier runs of the same as-of date become `replaced` (their
/// messages that were sent or may have been stay history, the rest of their rows go), the
/// open items of runs other than this one and the previous are removed, and the run is
/// marked `published` — in one transaction.
///
/// # Errors
/// [`Error::State`] when the database cannot be written.
pub(crate) fn publish(db: &Db, run_id: i64) -> Result<()> {
    let e = |err: rusqlite::Error| db.err(&err);
    let tx = db.conn().unchecked_transaction().map_err(e)?;
    let as_of: String = tx.query_row("SELECT as_of FROM runs WHERE id = ?1", [run_id], |r| r.get(0)).map_err(e)?;
    // The earlier runs of this date (a rerun): usually none, and then nothing to remove (the
    // tables without an index on run_id are not scanned).
    let replaced: Vec<i64> = {
        let mut stmt = tx
            .prepare(&format!("SELECT id FROM runs WHERE as_of = ?1 AND id != ?2 AND status IN {COUNTED}"))
            .map_err(e)?;
        stmt.query_map(params![as_of, run_id], |r| r.get(0)).and_then(Iterator::collect).map_err(e)?
    };
    for id in &replaced {
        tx.execute(
            "DELETE FROM decisions WHERE run_id = ?1 AND (message_id IS NULL OR message_id NOT IN
             (SELECT message_id FROM deliveries WHERE result IN ('sent', 'attempting', 'in_doubt')))",
            [id],
        )
        .map_err(e)?;
        for table in ["trend", "open_items", "item_events", "followups_seen", "payments_matched"] {
            tx.execute(&format!("DELETE FROM {table} WHERE run_id = ?1"), [id]).map_err(e)?;
        }
        tx.execute("UPDATE runs SET status = 'replaced', snapshot = 0 WHERE id = ?1", [id]).map_err(e)?;
    }
    let date: NaiveDate = as_of.parse().map_err(Error::internal)?;
    let keep_previous = previous_run(&tx, date).map_err(e)?.map_or(-1, |(id, _)| id);
    // The open items of other runs, run by run through the index (not a scan of them all).
    let older: Vec<i64> = {
        let mut stmt = tx
            .prepare(
                "SELECT id FROM runs WHERE id NOT IN (?1, ?2)
                 AND EXISTS (SELECT 1 FROM open_items o WHERE o.run_id = runs.id)",
            )
            .map_err(e)?;
        stmt.query_map(params![run_id, keep_previous], |r| r.get(0)).and_then(Iterator::collect).map_err(e)?
    };
    for id in older {
        tx.execute("DELETE FROM open_items WHERE run_id = ?1", [id]).map_err(e)?;
    }
    tx.execute("UPDATE runs SET status = 'published', finished_at = ?2 WHERE id = ?1", params![run_id, super::now()])
        .map_err(e)?;
    tx.commit().map_err(e)
}

/// A run recorded as `pending` ([`record_run`]) whose outputs are not published yet: when
/// it is dropped before [`RecordedRun::publishing`] (the workbook could not be finished),
/// it is discarded.
#[derive(Debug)]
pub(crate) struct RecordedRun<'a> {
    db: &'a Db,
    id: Option<i64>,
}

impl<'a> RecordedRun<'a> {
    /// Run `id` of `db`, just recorded.
    pub(crate) fn new(db: &'a Db, id: i64) -> Self {
        Self { db, id: Some(id) }
    }

    /// The run's id, for publishing its outputs: from here on, the caller completes or
    /// discards it (a run left pending is completed or discarded by the next open).
    pub(crate) fn publishing(mut self) -> i64 {
        self.id.take().unwrap_or_default()
    }
}

impl Drop for RecordedRun<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            // Best effort: a run left pending is discarded by the next open anyway.
            let _ = discard(self.db, id);
        }
    }
}

/// Removes a pending run and everything recorded with it.
///
/// # Errors
/// [`Error::State`] when the database cannot be written.
pub(crate) fn discard(db: &Db, run_id: i64) -> Result<()> {
    db.conn().execute("DELETE FROM runs WHERE id = ?1 AND status = 'pending'", [run_id]).map_err(|e| db.err(&e))?;
    Ok(())
}

/// Completes the runs left `pending` by a run that stopped between recording and
/// publishing: published when their outputs are in their `--out` folder, discarded
/// otherwise. Returns one line per run for the person.
///
/// # Errors
/// [`Error::State`] when the database cannot be read or written.
pub(crate) fn recover(db: &Db) -> Result<Vec<String>> {
    let e = |err: rusqlite::Error| db.err(&err);
    let pending: Vec<(i64, String, String, String)> = {
        let mut stmt = db
            .conn()
            .prepare("SELECT id, as_of, out_dir, outputs_digest FROM runs WHERE status = 'pending' ORDER BY id")
            .map_err(e)?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(Iterator::collect)
            .map_err(e)?
    };
    let mut notes = Vec::new();
    for (id, as_of, out, digest) in pending {
        if outputs_digest(Path::new(&out)) == digest {
            publish(db, id)?;
            notes.push(format!("the run as of {as_of} stopped after publishing {out}: its state is now recorded"));
        } else {
            discard(db, id)?;
            notes.push(format!(
                "the run as of {as_of} stopped before publishing {out}: its state is discarded (the outputs there are the earlier ones)"
            ));
        }
    }
    Ok(notes)
}

/// The history of every counted run, with the time each message was sent; without
/// `prepared`, only what happened (tasks, and messages sent: [`LogEntry::happened`]).
///
/// # Errors
/// [`Error::State`] when the database cannot be read.
pub(crate) fn history(db: &Db, prepared: bool) -> Result<History> {
    let e = |err: rusqlite::Error| db.err(&err);
    let happened = if prepared { "" } else { "WHERE kind != 'message' OR sent_at IS NOT NULL" };
    let mut stmt = db
        .conn()
        .prepare(&format!(
            "SELECT * FROM (
                SELECT r.as_of, d.customer, d.currency, d.stage, d.kind, d.invoice_nos, d.to_addrs, d.cc_addrs,
                       d.template, d.amount, d.subject, d.message_id,
                       (SELECT MIN(finished_at) FROM deliveries v WHERE v.message_id = d.message_id AND v.result = 'sent')
                       AS sent_at, r.id AS run_id, d.id AS decision_id
                FROM decisions d JOIN runs r ON r.id = d.run_id
                WHERE r.status IN ('published', 'imported', 'replaced'))
             {happened} ORDER BY as_of, run_id, decision_id"
        ))
        .map_err(e)?;
    let rows = stmt
        .query_map([], |r| {
            let list = |i: usize| -> rusqlite::Result<Vec<String>> {
                let text: String = r.get(i)?;
                serde_json::from_str(&text).map_err(|err| {
                    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(err))
                })
            };
            let as_of: String = r.get(0)?;
            let as_of = as_of.parse::<NaiveDate>().map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(err))
            })?;
            Ok(LogEntry {
                as_of,
                customer: r.get(1)?,
                currency: r.get(2)?,
                stage: r.get(3)?,
                kind: r.get(4)?,
                invoice_nos: list(5)?,
                to: list(6)?,
                cc: list(7)?,
                template: r.get(8)?,
                amount: r.get(9)?,
                subject: r.get(10)?,
                message_id: r.get(11)?,
                sent_at: r.get(12)?,
            })
        })
        .map_err(e)?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut entries = Vec::new();
    for row in rows {
        let entry = row.map_err(e)?;
        // A rerun that prepared the same message again: one entry.
        if let Some(id) = &entry.message_id
            && !seen.insert(id.clone())
        {
            continue;
        }
        entries.push(entry);
    }
    Ok(History::from_entries(entries))
}

/// The trend: one snapshot per counted run that recorded one.
///
/// # Errors
/// [`Error::State`] when the database cannot be read.
pub(crate) fn trend(db: &Db) -> Result<Trend> {
    let e = |err: rusqlite::Error| db.err(&err);
    let mut runs = db
        .conn()
        .prepare(&format!("SELECT id, as_of FROM runs WHERE status IN {COUNTED} AND snapshot = 1 ORDER BY as_of, id"))
        .map_err(e)?;
    let runs: Vec<(i64, String)> =
        runs.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).and_then(Iterator::collect).map_err(e)?;
    let mut rows = db
        .conn()
        .prepare(
            "SELECT currency, open, overdue, buckets, sales, collected, dso, dso_countback, cei, overdue_share
             FROM trend WHERE run_id = ?1 ORDER BY currency",
        )
        .map_err(e)?;
    let mut trend = Trend::default();
    for (id, as_of) in runs {
        let as_of: NaiveDate = as_of.parse().map_err(Error::internal)?;
        let currencies: BTreeMap<String, CurrencySnapshot> = rows
            .query_map([id], |r| {
                let buckets: String = r.get(3)?;
                Ok((
                    r.get(0)?,
                    CurrencySnapshot {
                        open: r.get(1)?,
                        overdue: r.get(2)?,
                        buckets: serde_json::from_str(&buckets).unwrap_or_default(),
                        sales: r.get(4)?,
                        collected: r.get(5)?,
                        dso: r.get(6)?,
                        dso_countback: r.get(7)?,
                        cei: r.get(8)?,
                        overdue_share: r.get(9)?,
                    },
                ))
            })
            .and_then(Iterator::collect)
            .map_err(e)?;
        trend.record(Snapshot { as_of, currencies });
    }
    Ok(trend)
}

/// The open items the counted run of `as_of` kept; none when it kept none.
///
/// # Errors
/// [`Error::State`] when the database cannot be read.
pub(crate) fn previous_open(db: &Db, as_of: NaiveDate) -> Result<PreviousOpen> {
    let e = |err: rusqlite::Error| db.err(&err);
    let id: Option<i64> = db
        .conn()
        .query_row(
            &format!(
                "SELECT id FROM runs WHERE status IN {COUNTED} AND as_of = ?1
                 AND EXISTS (SELECT 1 FROM open_items o WHERE o.run_id = runs.id) ORDER BY id DESC LIMIT 1"
            ),
            [as_of.to_string()],
            |r| r.get(0),
        )
        .optional()
        .map_err(e)?;
    let Some(id) = id else { return Ok(PreviousOpen::default()) };
    Ok(PreviousOpen { as_of: Some(as_of), run_id: Some(id), items: items_of_run(db.conn(), id).map_err(e)? })
}

/// The open items of the run that a run as of `as_of` follows (the counted run of the
/// latest earlier date that recorded a snapshot, as [`crate::metrics::trend::Trend::previous`]
/// finds it), read from `state/payback.db`; none when there is no database or no such run.
/// A run reads them on a thread of its own while it reads its inputs.
///
/// # Errors
/// As [`previous_open`].
pub(crate) fn previous_open_before(state: &Path, as_of: NaiveDate) -> Result<PreviousOpen> {
    let Some(db) = Db::open_read_only(state)? else { return Ok(PreviousOpen::default()) };
    match previous_run(db.conn(), as_of).map_err(|e| db.err(&e))? {
        Some((_, date)) => previous_open(&db, date.parse().map_err(Error::internal)?),
        None => Ok(PreviousOpen::default()),
    }
}

/// The history in `state`: from the database, or from the JSON-lines files of an earlier
/// release not imported yet.
///
/// # Errors
/// As [`history`] and [`super::import::read_log`].
pub(crate) fn load_history(state: &Path, prepared: bool) -> Result<History> {
    match Db::open_read_only(state)? {
        Some(db) => history(&db, prepared),
        None => Ok(History::from_entries(super::import::read_log(state)?)),
    }
}

/// The trend in `state` (database, or JSON lines not imported yet).
///
/// # Errors
/// As [`trend`] and [`super::import::read_trend`].
pub(crate) fn load_trend(state: &Path) -> Result<Trend> {
    if let Some(db) = Db::open_read_only(state)? {
        return trend(&db);
    }
    let mut trend = Trend::default();
    for snapshot in super::import::read_trend(state)? {
        trend.record(snapshot);
    }
    Ok(trend)
}

/// The open items of the run of `as_of` in `state` (database, or the CSV file of an
/// earlier release not imported yet).
///
/// # Errors
/// As [`previous_open`] and [`PreviousOpen::load_csv`].
pub(crate) fn load_previous_open(state: &Path, as_of: NaiveDate) -> Result<PreviousOpen> {
    match Db::open_read_only(state)? {
        Some(db) => previous_open(&db, as_of),
        None => PreviousOpen::load_csv(state, as_of),
    }
}

/// What is known of a message's delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Never attempted, or refused by the server.
    NotSent,
    /// The server accepted it, at this time.
    Sent(String),
    /// Sent or not, nobody knows: the connection broke after the data went out, or the
    /// sender stopped before the answer was recorded (attempted at this time).
    InDoubt(String),
}

/// The delivery state of every message ever attempted, by Message-ID. Attempts left
/// `attempting` by a sender that stopped are marked `in_doubt` first.
///
/// # Errors
/// [`Error::State`] when the database cannot be read or written.
pub(crate) fn deliveries(db: &Db) -> Result<HashMap<String, Delivery>> {
    let e = |err: rusqlite::Error| db.err(&err);
    db.conn()
        .execute(
            "UPDATE deliveries SET result = 'in_doubt', finished_at = ?1,
             answer = 'the sender stopped before the server''s answer was recorded' WHERE result = 'attempting'",
            [super::now()],
        )
        .map_err(e)?;
    let mut stmt = db
        .conn()
        .prepare("SELECT message_id, result, COALESCE(finished_at, attempted_at) FROM deliveries ORDER BY id")
        .map_err(e)?;
    let rows: Vec<(String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).and_then(Iterator::collect).map_err(e)?;
    let mut out: HashMap<String, Delivery> = HashMap::new();
    for (id, result, at) in rows {
        let state = out.entry(id).or_insert(Delivery::NotSent);
        if matches!(state, Delivery::Sent(_)) {
            continue;
        }
        *state = match result.as_str() {
            "sent" => Delivery::Sent(at),
            "in_doubt" | "attempting" => Delivery::InDoubt(at),
            _ => Delivery::NotSent,
        };
    }
    Ok(out)
}

/// Records, committed, that the message is about to be sent; returns the attempt's id.
///
/// # Errors
/// [`Error::State`] when the database cannot be written (then nothing is sent).
pub(crate) fn begin_attempt(db: &Db, entry: &OutboxEntry, out_dir: &Path, recipients: &[String]) -> Result<i64> {
    db.conn()
        .execute(
            "INSERT INTO deliveries (message_id, file, out_dir, recipients, attempted_at, result)
             VALUES (?1, ?2, ?3, ?4, ?5, 'attempting')",
            params![entry.message_id, entry.file, out_dir.display().to_string(), json(&recipients)?, super::now()],
        )
        .map_err(|e| db.err(&e))?;
    Ok(db.conn().last_insert_rowid())
}

/// Records the result of an attempt: `sent`, `refused` or `in_doubt`, with the answer.
///
/// # Errors
/// [`Error::State`] when the database cannot be written.
pub(crate) fn finish_attempt(db: &Db, attempt: i64, result: &str, answer: &str) -> Result<()> {
    db.conn()
        .execute(
            "UPDATE deliveries SET result = ?2, finished_at = ?3, answer = ?4 WHERE id = ?1",
            params![attempt, result, super::now(), answer],
        )
        .map_err(|e| db.err(&e))?;
    Ok(())
}
