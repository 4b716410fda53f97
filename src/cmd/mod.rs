//! One module per subcommand; each only wires the stages together.
pub mod check;
pub mod db;
pub mod explain;
pub mod history;
pub mod init;
pub mod progress;
pub mod run;
pub mod send;
pub mod setup;
pub mod summary;
