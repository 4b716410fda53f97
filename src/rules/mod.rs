//! Collection rules: the rules file ([`spec`], [`ladder`]) and what it drives: the aging
//! ([`aging`]) and the collection actions ([`engine`]).
pub mod action;
pub mod calendar;
pub mod engine;
mod grouping;
pub mod history;
pub mod thanks;
pub mod trace;
pub mod why;
