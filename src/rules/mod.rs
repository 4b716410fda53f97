//! Collection rules: the rules file ([`spec`], [`ladder`]) and what it drives: the aging
//! ([`aging`]) and the collection actions ([`engine`]).
pub mod action;
pub mod aging;
pub mod calendar;
pub mod engine;
mod grouping;
pub mod history;
pub mod items;
pub mod ladder;
pub mod matching;
pub mod reference;
pub mod spec;
pub mod thanks;
pub mod trace;
pub mod why;
