//! The one integration-test binary (each extra binary would relink polars). Every test
//! runs the real `payback` binary on files and reads its outputs back.
// Tests spell out their expected tables in full; length is the point.
#![allow(clippy::too_many_lines)]

/// Workspace, command builder and output readers.
mod util;

/// Issue 20: the account decides — whole position, true history, nothing goes silent.
mod accounts;
/// Aging figures against a hand-checked fixture, CSV and xlsx.
mod aging;
/// `check`, `--strict`, encodings, unreadable and hostile inputs.
mod check;
/// The collection rules: ladder, holds, good moments, approval, cadence, history.
mod collection;
/// Real exports' headers and text dates: header words, date order from the file's values,
/// missing fields at once, unread amount columns (issue 19).
mod columns_and_dates;
/// Emails: .eml files, templates, hostile data, SMTP sending.
mod email;
/// Bad input: one clear error line, exit code 2, earlier outputs untouched.
mod errors;
/// The standing adversarial suite of the reading side (issue 21): wrong money, rows
/// swallowed or misread, memory blow-ups, each under a memory cap.
mod hostile;
/// Hostile rules values, options, templates, names and sizes (issue 21): one clear error
/// line or a well-formed workbook, never a panic or a hang.
mod hostile_output;
/// Several input files, duplicates, control totals.
mod inputs;
/// Issue 23's "done when": the Chinese sample's sheets and emails hold no stage id and
/// no English words but the data's own.
mod language;
/// The stages' one-way arrows: ARCHITECTURE.md's layer list against `src/`'s imports.
mod layering;
/// The workbook in Chinese and English, and its printed layout: no text over another's
/// (issue 23).
mod layout;
/// Invoices of several lines, subtotal lines anywhere, the default currency said out loud.
mod lines;
/// Column recognition, `--map`, rules-file columns and rules overrides.
mod mapping;
/// DSO, CEI, the trend over runs, the Management sheet and the management email.
mod metrics;
/// Payments matched to invoices, the Reconciliation sheet.
mod payments;
/// Balances as of a date from an export taken later: paid dates after it re-open.
mod point_in_time;
/// Export presets: real layouts with titles, headings and totals lines.
mod presets;
/// Cross-file references: names in the side files looked up in the invoices.
mod references;
/// Atomic outputs under kill, the state lock, formulas, paths, large inputs.
mod safety;
/// The bundled sample data and repeatability.
mod sample;
/// The state database: schema, import of a JSON-lines state, kill loops over run and
/// send, the case timeline, integrity.
mod state;
/// Snapshots of every rendered template.
mod templates;
/// Date and amount forms, the 1904 date system.
mod values;
/// The workbook's sheets, formulas and cached values.
mod workbook;
/// `payback init`, runs inside a workspace, --json and --quiet, help texts.
mod workspace;
