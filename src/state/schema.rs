//! The schema of `state/payback.db`, one migration per version (`PRAGMA user_version`).
//! A migration is only ever appended: a user's database at version N runs the migrations
//! after N, in one transaction, and keeps its history. The text below is what
//! `payback db schema` prints and what the README documents.

use std::fmt::Write as _;

/// The migrations; the database's `user_version` is the number of migrations applied.
pub(crate) const MIGRATIONS: [&str; 1] = [V1];

/// Version 1: runs, their decisions, the deliveries of `send`, the trend, the open items,
/// follow-ups and payments as each run saw them.
const V1: &str = "\
-- One row per `payback run` (and per date imported from a JSON-lines state folder).
-- A run is written as 'pending' before its outputs are published and marked 'published'
-- after; a later run of the same as-of date marks it 'replaced'. Only 'published' and
-- 'imported' runs count; a 'pending' run found later is completed or discarded.
CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    as_of          TEXT NOT NULL,                  -- YYYY-MM-DD
    status         TEXT NOT NULL CHECK (status IN ('pending', 'published', 'replaced', 'imported')),
    out_dir        TEXT NOT NULL,                  -- the --out folder ('' when imported)
    outputs_digest TEXT NOT NULL,                  -- BLAKE3 of outbox.csv, summary.json, actions.json
    inputs         TEXT NOT NULL,                  -- JSON: [{\"path\", \"bytes\", \"blake3\"}]
    rules          TEXT NOT NULL,                  -- rules origin and BLAKE3 of its file
    snapshot       INTEGER NOT NULL DEFAULT 1,     -- 1 when the run recorded a trend snapshot
    started_at     TEXT NOT NULL,                  -- UTC, RFC 3339
    finished_at    TEXT                            -- UTC, when published
);
CREATE INDEX runs_as_of ON runs (as_of, status);

-- What a run decided: messages and tasks for our side (holds are not history). Prepared,
-- not sent: a message counts as contact only with a delivery whose result is 'sent'.
CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    customer    TEXT NOT NULL,
    currency    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('message', 'manual')),
    stage       TEXT NOT NULL,
    invoice_nos TEXT NOT NULL,                     -- JSON array
    to_addrs    TEXT NOT NULL,                     -- JSON array
    cc_addrs    TEXT NOT NULL,                     -- JSON array
    template    TEXT,
    amount      TEXT NOT NULL,                     -- decimal text, in currency
    reason      TEXT NOT NULL,
    subject     TEXT,                              -- messages
    file        TEXT,                              -- messages: path inside the --out folder
    message_id  TEXT                               -- messages: the .eml's Message-ID
);
CREATE INDEX decisions_run ON decisions (run_id);
CREATE INDEX decisions_message ON decisions (message_id);
CREATE INDEX decisions_customer ON decisions (customer, currency);

-- Every attempt of `payback send` to deliver a message (customer emails and internal ones),
-- by Message-ID. 'attempting' is committed before the message data goes to the server,
-- 'sent' after the server's 250; 'refused' when the server answered no; 'in_doubt' when
-- the connection broke after the data went out (or the sender was killed): a person decides.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT NOT NULL,
    file         TEXT NOT NULL,                    -- path inside the --out folder
    out_dir      TEXT NOT NULL,
    recipients   TEXT NOT NULL,                    -- JSON array: To, Cc and Bcc
    attempted_at TEXT NOT NULL,                    -- UTC, RFC 3339
    result       TEXT NOT NULL CHECK (result IN ('attempting', 'sent', 'refused', 'in_doubt')),
    finished_at  TEXT,                             -- UTC, when the result was known
    answer       TEXT                              -- the server's answer, or who decided
);
CREATE INDEX deliveries_message ON deliveries (message_id);

-- Each run's trend snapshot, per currency (amounts and ratios as decimal text).
CREATE TABLE trend (
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    currency      TEXT NOT NULL,
    open          TEXT NOT NULL,
    overdue       TEXT NOT NULL,
    buckets       TEXT NOT NULL,                   -- JSON array, in bucket order
    sales         TEXT NOT NULL,
    collected     TEXT NOT NULL,
    dso           TEXT,
    dso_countback TEXT,
    cei           TEXT,
    overdue_share TEXT,
    PRIMARY KEY (run_id, currency)
);

-- The open items of the last two as-of dates (the roll-forward compares with the previous
-- run's); older runs' rows are removed when a run is published.
CREATE TABLE open_items (
    run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    customer   TEXT NOT NULL,
    invoice_no TEXT NOT NULL,
    currency   TEXT NOT NULL,
    open_minor INTEGER NOT NULL                    -- minor units (cents)
);
CREATE INDEX open_items_run ON open_items (run_id);

-- Items that became open or were no longer open, run by run (against the previous run's
-- open items): the invoices opened and closed of `payback history`.
CREATE TABLE item_events (
    run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    customer   TEXT NOT NULL,
    invoice_no TEXT NOT NULL,
    currency   TEXT NOT NULL,
    event      TEXT NOT NULL CHECK (event IN ('opened', 'closed')),
    open_minor INTEGER NOT NULL                    -- open when first seen / when last seen
);
CREATE INDEX item_events_customer ON item_events (customer, currency);

-- Promises to pay and disputes as each run read them from the follow-ups; the first run
-- that saw one gives its age.
CREATE TABLE followups_seen (
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    customer      TEXT NOT NULL,
    invoice_no    TEXT NOT NULL,                   -- '' for the whole account
    kind          TEXT NOT NULL CHECK (kind IN ('promise', 'dispute')),
    promised_date TEXT,                            -- promises: YYYY-MM-DD
    note          TEXT NOT NULL
);
CREATE INDEX followups_seen_customer ON followups_seen (customer, kind);

-- Payments matched to invoices by a run (one row per amount applied).
CREATE TABLE payments_matched (
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    payment_date  TEXT NOT NULL,
    payer         TEXT NOT NULL,
    reference     TEXT NOT NULL,
    currency      TEXT NOT NULL,
    customer      TEXT NOT NULL,
    invoice_no    TEXT NOT NULL,
    applied_minor INTEGER NOT NULL,
    settled       INTEGER NOT NULL                 -- 1 when the invoice is fully paid
);
CREATE INDEX payments_matched_customer ON payments_matched (customer);
";

/// The whole schema, for `payback db schema`: every migration, numbered.
#[must_use]
pub(crate) fn text() -> String {
    let mut out = String::new();
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let _ = writeln!(out, "-- version {} (PRAGMA user_version = {})\n{sql}", i + 1, i + 1);
    }
    out
}
