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
    /// A change to a closed case folder, refused in the write transaction itself (the folder
    /// is read inside it, under the write lock, so a concurrent close cannot slip between the
    /// check and the write). It is read-only until reopened.
    #[error("case folder {case_id} is closed")]
    CaseClosed { case_id: i64 },
    /// A number asked of the store (a page offset, a limit) that no query can use.
    #[error("{what} {value} is out of range")]
    OutOfRange { what: &'static str, value: String },
    #[error("stored record is corrupt ({what}): {detail}")]
    Corrupt { what: &'static str, detail: String },
    /// A key file or key variable that cannot be used. Never carries the key itself.
    #[error("key {path}: {reason}")]
    Key { path: String, reason: String },
    #[error(
        "the workspace database {path} is encrypted and no key was given: set PLAINSIGHT_DB_KEY, pass --key-file, or restore its key folder ({key_dir})"
    )]
    NeedsKey { path: String, key_dir: String },
    #[error(
        "the key does not open the workspace database {path} (wrong key, or the file is not a Plainsight workspace); nothing was changed"
    )]
    WrongKey { path: String },
    #[error(
        "the audit log of this workspace is chained with a key that is missing: the checkpoints in {checkpoints} were signed with it; restore {key_file} or set PLAINSIGHT_AUDIT_KEY"
    )]
    MissingAuditKey {
        checkpoints: String,
        key_file: String,
    },
}
