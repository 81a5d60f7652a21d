//! One module per subcommand. Each exposes clap `Args` and an async `run` returning the exit code.

pub mod bench;
pub mod demo;
pub mod extract;
pub mod gen_corpus;
pub mod ingest;
pub mod nibrs;

/// Settings shared by every subcommand.
#[derive(Debug, Clone)]
pub struct Context {
    /// Database URL as given by `--db` or `PLAINSIGHT_DB`, if any.
    pub db: Option<String>,
    /// Suppress progress bars and summaries on standard error.
    pub quiet: bool,
}

/// Where the workspace lives when neither `--db` nor `PLAINSIGHT_DB` says otherwise.
pub const DEFAULT_DB: &str = "sqlite://./plainsight-data/plainsight.db";

impl Context {
    pub fn new(db: Option<String>, quiet: bool) -> Context {
        Context { db, quiet }
    }

    /// The database URL in force.
    pub fn db_url(&self) -> &str {
        self.db.as_deref().unwrap_or(DEFAULT_DB)
    }
}
