//! One module per subcommand; each only wires the stages together.
pub mod run;
