//! Collection rules: the rules file ([`spec`], [`ladder`]) and what it drives: the aging
//! ([`aging`]) and the collection actions ([`engine`]).
pub mod aging;
pub mod calendar;
pub mod engine;
pub mod history;
pub mod ladder;
pub mod spec;
pub mod trace;
