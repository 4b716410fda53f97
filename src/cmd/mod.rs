//! One module per subcommand; each only wires the stages together.
pub(crate) mod check;
pub(crate) mod db;
pub(crate) mod explain;
pub(crate) mod history;
pub(crate) mod init;
pub(crate) mod progress;
pub(crate) mod run;
pub(crate) mod send;
pub(crate) mod setup;
pub(crate) mod summary;
