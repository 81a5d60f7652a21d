//! The SQLite backend: one file per workspace, WAL journal, migrations from
//! `migrations/sqlite/` applied at open.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use plainsight_core::{Ad, Extraction, IdentifierKind};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};

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
}

impl SqliteStore {
    /// Open (creating if needed) the database at `url` (`sqlite://path`, `sqlite::memory:` or a
    /// bare path) and apply pending migrations.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let in_memory = path == ":memory:" || path.is_empty();
        if !in_memory {
            let file = path.split('?').next().unwrap_or(path);
            if let Some(dir) = Path::new(file).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        let options = if in_memory {
            SqliteConnectOptions::from_str("sqlite::memory:")
        } else {
            SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        }
        .map_err(|source| StoreError::Open {
            url: url.to_string(),
            source,
        })?
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
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                url: url.to_string(),
                source,
            })?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore {
            pool,
            audit_lock: Default::default(),
        })
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
        for &(index, key) in &inserted {
            let item = &batch[index];
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
