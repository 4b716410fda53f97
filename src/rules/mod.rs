//! The collection decisions: one [`action::Action`] per account (a message, a task for our
//! side or a hold) decided by [`engine`] from the open items, the records and the history
//! (what was sent), with the reason in the reader's words ([`why`]) and a trace for
//! `explain` ([`trace`]). The settings it follows are `config::collection`.
pub mod action;
pub mod calendar;
pub mod engine;
mod grouping;
pub mod history;
pub mod thanks;
pub mod trace;
pub mod why;
