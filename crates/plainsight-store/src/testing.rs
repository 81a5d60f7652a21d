//! Hooks for tests in other crates (the `testing` feature, never enabled in a build that is
//! shipped): make every audit insert fail, and take a digest of everything stored, so a test
//! can show that a request whose audit entry could not be written changed nothing.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{SqliteStore, StoreError};

/// Name of the trigger [`SqliteStore::refuse_audit_inserts`] installs.
const REFUSE_TRIGGER: &str = "testing_refuse_audit_inserts";

/// Columns left out of [`SqliteStore::contents_digest`]: when a session was last seen is
/// bookkeeping the session middleware writes on any request after 30 seconds.
const BOOKKEEPING: &[(&str, &str)] = &[("sessions", "last_seen_at")];

impl SqliteStore {
    /// From now on every insert into the audit log fails (a trigger, so every connection of
    /// the pool and every code path sees it), as when the disk is full or the file is damaged.
    pub async fn refuse_audit_inserts(&self) -> Result<(), StoreError> {
        let sql = format!(
            "CREATE TRIGGER IF NOT EXISTS {REFUSE_TRIGGER} BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit insert refused by a test'); END"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Undo [`SqliteStore::refuse_audit_inserts`].
    pub async fn allow_audit_inserts(&self) -> Result<(), StoreError> {
        let sql = format!("DROP TRIGGER IF EXISTS {REFUSE_TRIGGER}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A SHA-256 of the rows of every table (in any order), by table name. Two digests are
    /// equal exactly when nothing was stored, changed or removed in between.
    pub async fn contents_digest(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = BTreeMap::new();
        for table in tables {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                    .bind(&table)
                    .fetch_all(self.pool())
                    .await?;
            let kept: Vec<String> = columns
                .iter()
                .filter(|c| !BOOKKEEPING.contains(&(table.as_str(), c.as_str())))
                .map(|c| format!("quote(\"{c}\")"))
                .collect();
            let sql = format!("SELECT {} FROM \"{table}\"", kept.join(" || char(31) || "));
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(self.pool())
                .await?;
            let mut lines: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
            lines.sort();
            let mut h = Sha256::new();
            for l in &lines {
                h.update(l.as_bytes());
                h.update([0]);
            }
            out.insert(
                table,
                format!("{} rows {}", lines.len(), hex::encode(h.finalize())),
            );
        }
        Ok(out)
    }
}
