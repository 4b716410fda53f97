//! Collection rules: the rules file ([`spec`]) and the aging it drives ([`aging`]).
pub mod aging;
pub mod spec;
