//! The SQLite backend: one file per workspace, WAL journal, migrations from
//! `migrations/sqlite/` applied at open.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use plainsight_core::{Ad, Extraction, IdentifierKind};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, QueryBuilder, Row, Sqlite};

use plainsight_access::keys::DatabaseKey;

use crate::keys::KeyDir;
use crate::{
    AdRef, BatchOutcome, IdentifierCount, NewAd, Store, StoreError, StoredAd, WorkspaceSummary,
};

/// SQLite limits one statement to 32,766 bound values; ads bind 14 each.
const ADS_PER_STATEMENT: usize = 1_000;
/// Rows per multi-row insert for the narrow tables (5-6 values each).
///
/// Only statements of exactly these sizes are kept prepared: the last, shorter statement of
/// each batch has a different text every time, and caching each one kept hundreds of large
/// compiled statements alive (memory that grew with the length of an ingest).
const ROWS_PER_STATEMENT: usize = 4_000;

/// A bulk load smaller than this keeps every index: dropping and rebuilding would cost more.
const BULK_LOAD_MIN_ADS: u64 = 50_000;

/// Secondary indexes whose keys arrive in random order during ingest (a phone, a date, a
/// place), with the statement that builds each. At a million ads their inserts touch a
/// different page each and outgrow the page cache, so every batch rewrites thousands of pages;
/// a bulk load drops them and builds them once at its end ([`Store::begin_bulk_load`]). The
/// unique indexes that detect duplicates are never dropped.
const DEFERRED_INDEXES: &[(&str, &str)] = &[
    (
        "identifiers_by_value",
        "CREATE INDEX IF NOT EXISTS identifiers_by_value ON identifiers (kind, value)",
    ),
    (
        "ads_posted_at",
        "CREATE INDEX IF NOT EXISTS ads_posted_at ON ads (posted_at)",
    ),
    (
        "ad_places_by_place",
        "CREATE INDEX IF NOT EXISTS ad_places_by_place ON ad_places (geonameid)",
    ),
    (
        "ad_places_by_admin1",
        "CREATE INDEX IF NOT EXISTS ad_places_by_admin1 ON ad_places (admin1, ad_key)",
    ),
    (
        "indicator_hits_by_code",
        "CREATE INDEX IF NOT EXISTS indicator_hits_by_code ON indicator_hits (code)",
    ),
];

/// A workspace in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Audited writes (every change with its audit entry, see `access::AuditedWrite`) take
    /// turns within this process. SQLite would serialise them anyway, but a writer that finds
    /// the lock taken sleeps in the busy handler (1 ms, then longer); waiting on this lock
    /// instead wakes it the moment the previous write commits. Other processes still meet at
    /// SQLite's lock.
    pub(crate) audit_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The audit-chain key and where checkpoints go; `None` for an unkeyed chain (in-memory
    /// databases, or a store opened without keys).
    pub(crate) signer: Option<std::sync::Arc<crate::access::AuditSigner>>,
    /// The database key the file was opened with (`None`: not encrypted).
    database_key: Option<DatabaseKey>,
    /// The database file and its key folder (`None` in memory).
    file: Option<(PathBuf, KeyDir)>,
}

/// How [`SqliteStore::open_with`] finds a workspace's keys.
#[derive(Debug, Clone, Default)]
pub struct KeyOptions {
    /// The key folder. Default: `PLAINSIGHT_KEY_DIR`, else `<database file>.keys`.
    pub key_dir: Option<PathBuf>,
    /// A database key the user gave (a `--key-file`, a typed passphrase). Default:
    /// `PLAINSIGHT_DB_KEY`, else the key folder's `database.key`.
    pub database_key: Option<DatabaseKey>,
    /// Create a new workspace unencrypted instead of with a generated key file.
    pub plaintext_new: bool,
    /// Open with an unkeyed audit chain and no database key at all (tests of other layers).
    pub no_keys: bool,
    /// A syslog socket every audit checkpoint is also sent to. Default:
    /// `PLAINSIGHT_AUDIT_SYSLOG`, else none.
    pub audit_syslog: Option<PathBuf>,
}

/// The first 16 bytes of every unencrypted SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` exists and is an unencrypted SQLite database (its header is
/// in the clear); `None` when it does not exist or is empty.
pub fn is_plaintext_database(path: &Path) -> Option<bool> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(_) => return None,
        }
    }
    if read == 0 {
        return None;
    }
    Some(read == 16 && &head == SQLITE_HEADER)
}

/// Whether a connection failed because the file could not be decrypted (SQLITE_NOTADB).
fn is_not_a_database(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("26") || db.message().contains("file is not a database")
        }
        _ => false,
    }
}

impl SqliteStore {
    /// Open (creating if needed) the database at `url` (`sqlite://path`, `sqlite::memory:` or a
    /// bare path) and apply pending migrations, finding its keys as [`KeyOptions::default`]
    /// says: a new workspace file is encrypted with a generated key file and its audit chain
    /// keyed.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(url, &KeyOptions::default()).await
    }

    /// [`SqliteStore::open`] with explicit key options.
    pub async fn open_with(url: &str, keys: &KeyOptions) -> Result<SqliteStore, StoreError> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let in_memory = path == ":memory:" || path.is_empty();
        let file = path.split('?').next().unwrap_or(path);
        if !in_memory
            && let Some(dir) = Path::new(file).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let mut database_key = None;
        let mut file_and_keys = None;
        if !in_memory && !keys.no_keys {
            let db_file = PathBuf::from(file);
            let key_dir = match &keys.key_dir {
                Some(dir) => KeyDir::new(dir.clone()),
                None => KeyDir::for_database(&db_file),
            }
            .with_syslog(
                keys.audit_syslog
                    .clone()
                    .or_else(crate::syslog::socket_from_env),
            );
            database_key = match is_plaintext_database(&db_file) {
                // A workspace made without a key stays readable without one.
                Some(true) => None,
                existing => {
                    let given = match &keys.database_key {
                        Some(k) => Some(k.clone()),
                        None => match std::env::var(crate::keys::DB_KEY_ENV) {
                            Ok(text) if !text.is_empty() => {
                                Some(DatabaseKey::parse(&text).map_err(|e| StoreError::Key {
                                    path: crate::keys::DB_KEY_ENV.to_string(),
                                    reason: e.to_string(),
                                })?)
                            }
                            _ => key_dir.read_database_key()?,
                        },
                    };
                    match (given, existing) {
                        (Some(k), _) => Some(k),
                        // `encrypt` interrupted after the database changed, before its key
                        // file was renamed into place.
                        (None, Some(_)) if key_dir.read_next_database_key()?.is_some() => {
                            let next = key_dir.read_next_database_key()?;
                            key_dir.promote_next_database_key()?;
                            next
                        }
                        (None, Some(_)) => {
                            return Err(StoreError::NeedsKey {
                                path: db_file.display().to_string(),
                                key_dir: key_dir.path().display().to_string(),
                            });
                        }
                        (None, None) if keys.plaintext_new => None,
                        (None, None) => {
                            let k = DatabaseKey::generate().map_err(|e| StoreError::Key {
                                path: key_dir.path().display().to_string(),
                                reason: e.to_string(),
                            })?;
                            key_dir.create_database_key(&k)?;
                            Some(k)
                        }
                    }
                }
            };
            file_and_keys = Some((db_file, key_dir));
        }
        let pool = match connect(url, path, in_memory, database_key.as_ref()).await {
            Ok(pool) => pool,
            Err(StoreError::WrongKey { path: p }) => {
                // A rekey interrupted between changing the database and renaming its new key
                // file leaves the new key in `database.key.next`.
                let next = match &file_and_keys {
                    Some((_, key_dir)) if keys.database_key.is_none() => {
                        key_dir.read_next_database_key()?
                    }
                    _ => None,
                };
                let Some(next) = next else {
                    return Err(StoreError::WrongKey { path: p });
                };
                let pool = connect(url, path, in_memory, Some(&next)).await?;
                if let Some((_, key_dir)) = &file_and_keys {
                    key_dir.promote_next_database_key()?;
                }
                database_key = Some(next);
                pool
            }
            Err(e) => return Err(e),
        };
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        crate::dashboard::fill_if_new(&pool).await?;
        let mut store = SqliteStore {
            pool,
            audit_lock: Default::default(),
            signer: None,
            database_key,
            file: file_and_keys,
        };
        if let Some((_, key_dir)) = store.file.clone() {
            store.attach_audit_key(key_dir).await?;
        }
        Ok(store)
    }

    /// Encrypt an unencrypted workspace file, or change the key of an encrypted one, and
    /// close the store. `write_key_file`: keep the new key in the key folder's
    /// `database.key` (for a generated key; a key the user manages is not written anywhere).
    ///
    /// A new key file is written as `database.key.next` first and renamed over
    /// `database.key` once the database uses the new key, so an interruption at any point
    /// leaves a workspace that opens (the next open finishes the rename). Re-keying uses
    /// SQLCipher's `PRAGMA rekey` on the only connection (journal switched out of WAL for the
    /// duration); encrypting copies the database into a new encrypted file with
    /// `sqlcipher_export` and renames it over the old one.
    pub async fn change_database_key(
        self,
        new_key: &DatabaseKey,
        write_key_file: bool,
    ) -> Result<(), StoreError> {
        let Some((db_file, key_dir)) = self.file.clone() else {
            return Err(StoreError::UnsupportedUrl {
                url: "sqlite::memory:".into(),
                reason: "an in-memory database has no file to encrypt",
            });
        };
        let old_key = self.database_key.clone();
        // Every pooled connection closes (and the WAL is checkpointed into the file).
        self.pool.close().await;
        if write_key_file {
            key_dir.stage_next_database_key(new_key)?;
        }
        let path = db_file.display().to_string();
        let single = |key: Option<&DatabaseKey>| {
            // Create is allowed so that ATTACH can make the encrypted copy (ATTACH opens
            // with the main database's flags); the workspace file itself exists.
            let mut o = SqliteConnectOptions::new()
                .filename(&db_file)
                .create_if_missing(true)
                .log_statements(log::LevelFilter::Off);
            if let Some(k) = key {
                o = o.pragma("key", k.pragma_value());
            }
            o
        };
        let mut conn = single(old_key.as_ref()).connect().await.map_err(|e| {
            if is_not_a_database(&e) {
                StoreError::WrongKey { path: path.clone() }
            } else {
                StoreError::Database(e)
            }
        })?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await?;
        sqlx::query("PRAGMA journal_mode = DELETE")
            .execute(&mut conn)
            .await?;
        if old_key.is_some() {
            let sql = format!("PRAGMA rekey = {}", new_key.pragma_value());
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await?;
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&mut conn)
                .await?;
            conn.close().await?;
        } else {
            let mut target = db_file.clone().into_os_string();
            target.push(".encrypting");
            let target = PathBuf::from(target);
            let _ = std::fs::remove_file(&target);
            let user_version: i64 = sqlx::query_scalar("PRAGMA user_version")
                .fetch_one(&mut conn)
                .await?;
            // The file name is ours (the workspace path plus a suffix); quote it as SQL text.
            let name = target.display().to_string().replace('\'', "''");
            let attach = format!(
                "ATTACH DATABASE '{name}' AS encrypted KEY {}",
                new_key.pragma_value()
            );
            sqlx::query(sqlx::AssertSqlSafe(attach))
                .execute(&mut conn)
                .await?;
            sqlx::query("SELECT sqlcipher_export('encrypted')")
                .execute(&mut conn)
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "PRAGMA encrypted.user_version = {user_version}"
            )))
            .execute(&mut conn)
            .await?;
            sqlx::query("DETACH DATABASE encrypted")
                .execute(&mut conn)
                .await?;
            conn.close().await?;
            // The copy is complete and closed: make it durable, then put it in place.
            std::fs::File::open(&target)
                .and_then(|f| f.sync_all())
                .map_err(|e| StoreError::Key {
                    path: target.display().to_string(),
                    reason: e.to_string(),
                })?;
            std::fs::rename(&target, &db_file).map_err(|e| StoreError::Key {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            for suffix in ["-wal", "-shm"] {
                let mut side = db_file.clone().into_os_string();
                side.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(side));
            }
            // Back to WAL, as every workspace runs.
            let mut conn = single(Some(new_key)).connect().await?;
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&mut conn)
                .await?;
            conn.close().await?;
        }
        if write_key_file {
            key_dir.promote_next_database_key()?;
        }
        Ok(())
    }

    /// Whether the database file is encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.database_key.is_some()
    }

    /// The database file and its key folder (`None` in memory).
    pub fn files(&self) -> Option<(&Path, &KeyDir)> {
        self.file.as_ref().map(|(f, k)| (f.as_path(), k))
    }

    /// The key the database was opened with, for keys derived from it (sealed quarantine
    /// files). `None` when the workspace is not encrypted.
    pub fn database_key(&self) -> Option<&DatabaseKey> {
        self.database_key.as_ref()
    }

    /// Build any index in [`DEFERRED_INDEXES`] that is missing (a no-op when all exist).
    pub async fn build_deferred_indexes(&self) -> Result<(), StoreError> {
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'index'")
                .fetch_all(&self.pool)
                .await?;
        let missing: Vec<&str> = DEFERRED_INDEXES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !existing.iter().any(|e| e == name))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        // Sort the keys in temporary files, not in memory: at a million ads the sorter would
        // otherwise hold every key of the largest index at once.
        let mut conn = self.pool.acquire().await?;
        sqlx::query("PRAGMA temp_store = FILE")
            .execute(&mut *conn)
            .await?;
        let built = async {
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
            for (name, create) in DEFERRED_INDEXES {
                if missing.contains(name)
                    && let Err(e) = sqlx::query(*create).execute(&mut *conn).await
                {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    return Err(e);
                }
            }
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok::<(), sqlx::Error>(())
        }
        .await;
        sqlx::query("PRAGMA temp_store = MEMORY")
            .execute(&mut *conn)
            .await?;
        built?;
        Ok(())
    }

    /// The connection pool, for backend-specific modules (e.g. NIBRS storage).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Close every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQLCipher writes its own lines to standard error when a key fails ("ERROR CORE
/// sqlcipher_page_cipher: hmac check failed for pgno=1" and two more); the failure also comes
/// back as SQLITE_NOTADB and is reported as [`StoreError::WrongKey`], in words. Its log level is
/// one setting for the whole process, and sqlx would run the pragma only after the statements
/// that first read a page, so it is set here on a connection of its own, before the pool opens.
async fn quiet_sqlcipher_log() {
    use sqlx::{ConnectOptions, Connection};
    // Once per process: the setting is global.
    static QUIET: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    QUIET
        .get_or_init(|| async {
            if let Ok(options) = SqliteConnectOptions::from_str("sqlite::memory:")
                && let Ok(mut conn) = options.connect().await
            {
                // A build without SQLCipher ignores the unknown pragma.
                let _ = sqlx::query("PRAGMA cipher_log_level = NONE")
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
        })
        .await;
}

/// Opens the pool, with `PRAGMA key` first on every connection when the file is encrypted.
async fn connect(
    url: &str,
    path: &str,
    in_memory: bool,
    key: Option<&DatabaseKey>,
) -> Result<SqlitePool, StoreError> {
    let mut options = if in_memory {
        SqliteConnectOptions::from_str("sqlite::memory:")
    } else {
        SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
    }
    .map_err(|source| StoreError::Open {
        url: url.to_string(),
        source,
    })?;
    if let Some(key) = key {
        // sqlx runs `key` before every other pragma (SQLCipher needs it first). Statement
        // logging is off so the key can never reach a log.
        quiet_sqlcipher_log().await;
        options = options
            .pragma("key", key.pragma_value())
            .log_statements(log::LevelFilter::Off);
    }
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL under WAL never corrupts the database; a power cut can lose the last commits,
        // which an ingest re-run restores (ingest is idempotent).
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
        .pragma("cache_size", "-65536")
        // Checkpoint the WAL every 64 MiB rather than every 4 MiB (the default 1,000 pages):
        // bulk ingest rewrites the same index pages in many consecutive batches, and a rarer
        // checkpoint copies each of them into the database once instead of many times.
        .pragma("wal_autocheckpoint", "16384")
        .pragma("temp_store", "memory");
    // An in-memory database exists per connection: keep exactly one.
    let max = if in_memory { 1 } else { 4 };
    SqlitePoolOptions::new()
        .max_connections(max)
        .connect_with(options)
        .await
        .map_err(|source| {
            if key.is_some() && is_not_a_database(&source) {
                StoreError::WrongKey {
                    path: path.to_string(),
                }
            } else if key.is_none() && is_not_a_database(&source) {
                StoreError::NeedsKey {
                    path: path.to_string(),
                    key_dir: "its key folder".to_string(),
                }
            } else {
                StoreError::Open {
                    url: url.to_string(),
                    source,
                }
            }
        })
}

/// An `AdRef` from the columns ad_key, site, source_id, title, posted_at.
pub(crate) fn ad_ref_from_row(r: &sqlx::sqlite::SqliteRow) -> AdRef {
    AdRef {
        ad_key: r.get(0),
        site: r.get(1),
        id: r.get(2),
        title: r.get(3),
        posted_at: r.get(4),
    }
}

/// The columns [`stored_ad_from_row`] reads, in its order, for `SELECT ... FROM ads`.
pub(crate) const STORED_AD_COLUMNS: &str = "ad_key, record, extraction, source_file, source_line, \
     ingested_at, document, source_id, url, posted_at, title, body, location";

/// A `StoredAd` from the columns [`STORED_AD_COLUMNS`]. Rows written since migration 0006 keep
/// the record and extraction in the compressed `document`; older rows as JSON.
pub(crate) fn stored_ad_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredAd, StoreError> {
    let (ad, extraction) = match row.get::<Option<Vec<u8>>, _>(6) {
        Some(document) => crate::document::decode(
            crate::document::AdColumns {
                source_id: row.get(7),
                url: row.get(8),
                posted_at: row.get(9),
                title: row.get(10),
                body: row.get(11),
                location: row.get(12),
            },
            &document,
        )?,
        None => {
            let ad: Ad =
                serde_json::from_str(row.get::<&str, _>(1)).map_err(|e| StoreError::Corrupt {
                    what: "ad record",
                    detail: e.to_string(),
                })?;
            let extraction: Extraction =
                serde_json::from_str(row.get::<&str, _>(2)).map_err(|e| StoreError::Corrupt {
                    what: "extraction",
                    detail: e.to_string(),
                })?;
            (ad, extraction)
        }
    };
    Ok(StoredAd {
        ad_key: row.get(0),
        ad,
        extraction,
        source_file: row.get(3),
        source_line: row.get::<i64, _>(4) as u64,
        ingested_at: row.get(5),
    })
}

fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[async_trait]
impl Store for SqliteStore {
    fn sealing_key(&self) -> Option<DatabaseKey> {
        self.database_key.clone()
    }

    async fn begin_bulk_load(&self, expected_ads: u64) -> Result<bool, StoreError> {
        if expected_ads < BULK_LOAD_MIN_ADS || expected_ads < self.count_ads().await? {
            return Ok(false);
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (name, _) in DEFERRED_INDEXES {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX IF EXISTS {name}")))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn index_new_ads(&self) -> Result<u64, StoreError> {
        self.build_deferred_indexes().await?;
        crate::casework::update_search_index(self).await
    }

    async fn update_search_index(&self) -> Result<u64, StoreError> {
        crate::casework::update_search_index(self).await
    }

    async fn insert_ads(&self, batch: &[NewAd]) -> Result<BatchOutcome, StoreError> {
        let mut outcome = BatchOutcome::default();
        if batch.is_empty() {
            return Ok(outcome);
        }
        let ingested_at = now_utc();
        let mut tx = self.pool.begin().await?;
        // (batch index, ad_key) of every ad actually inserted.
        let mut inserted: Vec<(usize, i64)> = Vec::with_capacity(batch.len());
        for (chunk_no, chunk) in batch.chunks(ADS_PER_STATEMENT).enumerate() {
            // `record` and `extraction` stay empty: the document holds them (migration 0006).
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO ads (site, source_id, content_hash, url, posted_at, title, body, \
                 location, record, extraction, document, source_file, source_line, ingested_at) ",
            );
            qb.push_values(chunk, |mut b, item| {
                let ad = &item.ad;
                b.push_bind(ad.site.clone().unwrap_or_default())
                    .push_bind(ad.id.clone())
                    .push_bind(item.content_hash.clone())
                    .push_bind(ad.url.clone())
                    .push_bind(ad.posted_at.map(|t| t.to_rfc3339()))
                    .push_bind(ad.title.clone())
                    .push_bind(ad.body.clone())
                    .push_bind(ad.location.clone())
                    .push_bind("")
                    .push_bind("")
                    .push_bind(item.document.clone())
                    .push_bind(item.source_file.clone())
                    .push_bind(item.source_line as i64)
                    .push_bind(ingested_at.clone());
            });
            qb.push(" ON CONFLICT DO NOTHING RETURNING ad_key, content_hash");
            let returned = qb
                .build()
                .persistent(chunk.len() == ADS_PER_STATEMENT)
                .fetch_all(&mut *tx)
                .await?;
            // Match returned rows back to the batch by content hash, which is unique in the table.
            let mut by_hash: std::collections::HashMap<String, i64> = returned
                .iter()
                .map(|r| (r.get::<String, _>(1), r.get::<i64, _>(0)))
                .collect();
            for (i, item) in chunk.iter().enumerate() {
                let index = chunk_no * ADS_PER_STATEMENT + i;
                match by_hash.remove(&item.content_hash) {
                    Some(key) => inserted.push((index, key)),
                    None => {
                        let item = &batch[index];
                        outcome.duplicates.push((
                            item.source_file.clone(),
                            item.source_line,
                            item.ad.id.clone(),
                        ));
                    }
                }
            }
        }

        let mut identifier_rows = Vec::new();
        let mut hit_rows = Vec::new();
        let mut place_rows = Vec::new();
        let mut tally = crate::dashboard::AdTally::default();
        for &(index, key) in &inserted {
            let item = &batch[index];
            let first_place = place_rows.len();
            for id in &item.identifiers {
                identifier_rows.push((key, id));
            }
            for hit in &item.extraction.indicators {
                hit_rows.push((key, hit));
            }
            let mut seen = std::collections::BTreeSet::new();
            for place in &item.extraction.locations {
                if seen.insert(place.geonameid) {
                    place_rows.push((key, place));
                }
            }
            // The day as the dashboard reads it: the first ten characters of the stored time.
            let posted = item.ad.posted_at.map(|t| t.to_rfc3339());
            tally.add_ad(
                posted.as_deref().and_then(|t| t.get(..10)),
                place_rows[first_place..]
                    .iter()
                    .map(|(_, p)| (p.geonameid as i64, p.name.as_str(), p.admin1.as_str())),
            );
        }
        for chunk in identifier_rows.chunks(ROWS_PER_STATEMENT) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO identifiers (ad_key, kind, platform, value, obscured) ",
            );
            qb.push_values(chunk, |mut b, (key, id)| {
                b.push_bind(*key)
                    .push_bind(id.kind.as_str())
                    .push_bind(id.platform.clone())
                    .push_bind(id.value.clone())
                    .push_bind(id.obscured);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build()
                .persistent(chunk.len() == ROWS_PER_STATEMENT)
                .execute(&mut *tx)
                .await?;
        }
        for chunk in hit_rows.chunks(ROWS_PER_STATEMENT) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO indicator_hits (ad_key, code, field, span_start, span_end, evidence) ",
            );
            qb.push_values(chunk, |mut b, (key, hit)| {
                b.push_bind(*key)
                    .push_bind(hit.code.clone())
                    .push_bind(hit.field.as_str())
                    .push_bind(hit.span.start as i64)
                    .push_bind(hit.span.end as i64)
                    .push_bind(hit.evidence.clone());
            });
            qb.build()
                .persistent(chunk.len() == ROWS_PER_STATEMENT)
                .execute(&mut *tx)
                .await?;
        }
        for chunk in place_rows.chunks(ROWS_PER_STATEMENT) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO ad_places (ad_key, geonameid, name, admin1, country) ",
            );
            qb.push_values(chunk, |mut b, (key, place)| {
                b.push_bind(*key)
                    .push_bind(place.geonameid as i64)
                    .push_bind(place.name.clone())
                    .push_bind(place.admin1.clone())
                    .push_bind(place.country.clone());
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build()
                .persistent(chunk.len() == ROWS_PER_STATEMENT)
                .execute(&mut *tx)
                .await?;
        }
        // The dashboard's figures change with the batch, in the batch's transaction.
        crate::dashboard::add_ads_in(&mut tx, &tally).await?;
        tx.commit().await?;
        outcome.stored = inserted.len() as u64;
        Ok(outcome)
    }

    async fn count_ads(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM ads")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn get_ad(&self, site: &str, id: &str) -> Result<Option<StoredAd>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {STORED_AD_COLUMNS} FROM ads WHERE site = ? AND source_id = ?"
        )))
        .bind(site)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(stored_ad_from_row).transpose()
    }

    async fn ads_with_identifier(
        &self,
        kind: IdentifierKind,
        value: &str,
    ) -> Result<Vec<AdRef>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.ad_key, a.site, a.source_id, a.title, a.posted_at \
             FROM identifiers i JOIN ads a ON a.ad_key = i.ad_key \
             WHERE i.kind = ? AND i.value = ? \
             GROUP BY a.ad_key ORDER BY a.posted_at, a.ad_key",
        )
        .bind(kind.as_str())
        .bind(value)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(ad_ref_from_row).collect())
    }

    async fn top_identifiers(
        &self,
        kind: IdentifierKind,
        limit: u32,
    ) -> Result<Vec<IdentifierCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT platform, value, count(DISTINCT ad_key) AS n FROM identifiers \
             WHERE kind = ? GROUP BY platform, value ORDER BY n DESC, value LIMIT ?",
        )
        .bind(kind.as_str())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| IdentifierCount {
                kind: kind.as_str().to_string(),
                platform: r.get(0),
                value: r.get(1),
                ads: r.get::<i64, _>(2) as u64,
            })
            .collect())
    }

    async fn summary(&self) -> Result<WorkspaceSummary, StoreError> {
        let one = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&self.pool)
                .await
                .map(|n| n as u64)
        };
        let ads = one("SELECT count(*) FROM ads").await?;
        let ads_with_phone =
            one("SELECT count(DISTINCT ad_key) FROM identifiers WHERE kind = 'phone'").await?;
        let ads_with_obscured_phone = one(
            "SELECT count(DISTINCT ad_key) FROM identifiers WHERE kind = 'phone' AND obscured = 1",
        )
        .await?;
        let distinct_phones =
            one("SELECT count(DISTINCT value) FROM identifiers WHERE kind = 'phone'").await?;
        let distinct_emails =
            one("SELECT count(DISTINCT value) FROM identifiers WHERE kind = 'email'").await?;
        let distinct_handles = one(
            "SELECT count(*) FROM (SELECT DISTINCT platform, value FROM identifiers WHERE kind = 'handle')",
        )
        .await?;
        let indicator_hits = sqlx::query(
            "SELECT code, count(DISTINCT ad_key) AS n FROM indicator_hits GROUP BY code ORDER BY n DESC, code",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) as u64))
        .collect();
        let places = sqlx::query(
            "SELECT name || ', ' || admin1, count(*) AS n FROM ad_places \
             GROUP BY geonameid ORDER BY n DESC, 1 LIMIT 10",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) as u64))
        .collect();
        Ok(WorkspaceSummary {
            ads,
            ads_with_phone,
            ads_with_obscured_phone,
            distinct_phones,
            distinct_emails,
            distinct_handles,
            indicator_hits,
            places,
        })
    }
}
