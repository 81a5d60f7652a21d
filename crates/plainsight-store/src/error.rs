//! The store's error type: what went wrong, with the detail a user needs to fix it.

/// Errors from any storage backend.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use database {url}: {reason}")]
    UnsupportedUrl { url: String, reason: &'static str },
    #[error("cannot create the workspace folder {path}: {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open database {url}: {source}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("no {what} {id}")]
    NotFound { what: &'static str, id: String },
    #[error("{what} {id} already exists")]
    Conflict { what: &'static str, id: String },
    /// A number asked of the store (a page offset, a limit) that no query can use.
    #[error("{what} {value} is out of range")]
    OutOfRange { what: &'static str, value: String },
    #[error("stored record is corrupt ({what}): {detail}")]
    Corrupt { what: &'static str, detail: String },
}
