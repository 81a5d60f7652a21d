//! Storage for the web application: accounts and teams, server-side sessions, log-on failures
//! (for lock-out and rate limits), the hash-chained audit log, and settings. All of it lives
//! in the database, not in process memory, so several server processes can share it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use plainsight_access::audit::{AuditRecord, GENESIS, Outcome, chain_hash};
use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{SqliteStore, StoreError};

/// A user account as stored. The password hash and TOTP secret never leave the server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRecord {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// One of `plainsight_access::Role`'s names.
    pub role: String,
    pub team_id: i64,
    pub team: String,
    /// A state code ("NC") the dashboard starts from, or empty for everywhere.
    pub area: String,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    #[serde(skip)]
    pub totp_last_step: Option<i64>,
    /// `active`, `locked` or `disabled`.
    pub status: String,
    pub status_reason: Option<String>,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

impl UserRecord {
    pub fn mfa_enrolled(&self) -> bool {
        self.totp_secret.is_some()
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// Team name; created when it does not exist yet.
    pub team: String,
    pub area: String,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// How far a session has got through log-on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SessionStage {
    /// The password was right; the second factor (or enrolment) is still due.
    Password,
    /// Fully signed in.
    Full,
}

impl SessionStage {
    fn as_str(self) -> &'static str {
        match self {
            SessionStage::Password => "password",
            SessionStage::Full => "full",
        }
    }
}

/// A live session and its user.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_digest: String,
    pub stage: SessionStage,
    pub csrf_token: String,
    pub pending_totp: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user: UserRecord,
}

/// An audit entry to append; the store gives it its number, time order and hashes.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor: Option<String>,
    pub source: Option<String>,
    pub action: String,
    pub object: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

/// An audit entry as stored, with the chain hashes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAudit {
    #[serde(flatten)]
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// Which audit entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object: Option<String>,
    /// Entries before this sequence number (paging backwards).
    pub before_seq: Option<i64>,
    pub limit: u32,
}

/// Account, session, audit and settings storage every backend provides.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Create a user (and its team when new); a taken user name is a `Conflict`.
    async fn create_user(&self, user: &NewUser) -> Result<i64, StoreError>;
    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_id(&self, user_id: i64) -> Result<Option<UserRecord>, StoreError>;
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    async fn count_users(&self) -> Result<u64, StoreError>;
    /// Set `active`, `locked` or `disabled`. Locking or disabling ends every session of the
    /// user in the same transaction; re-activating clears the failure count.
    async fn set_user_status(
        &self,
        user_id: i64,
        status: &str,
        reason: Option<&str>,
    ) -> Result<(), StoreError>;
    async fn set_user_role(&self, user_id: i64, role: &str) -> Result<(), StoreError>;
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        must_change: bool,
    ) -> Result<(), StoreError>;
    /// Enrol (or, with `None`, reset) the user's TOTP secret.
    async fn set_totp_secret(&self, user_id: i64, secret: Option<&str>) -> Result<(), StoreError>;
    /// Record that the TOTP code of time step `step` was used. Returns false when a code of
    /// this or a later step was already accepted (the check and the write are one statement,
    /// so two concurrent requests cannot both use one code).
    async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool, StoreError>;
    async fn record_login(&self, user_id: i64, at: DateTime<Utc>) -> Result<(), StoreError>;

    async fn record_auth_failure(
        &self,
        username: &str,
        kind: &str,
        at: DateTime<Utc>,
        source: Option<&str>,
    ) -> Result<(), StoreError>;
    async fn count_auth_failures(
        &self,
        username: &str,
        kind: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError>;
    async fn clear_auth_failures(&self, username: &str, kind: &str) -> Result<(), StoreError>;
    /// Failed log-ons of any account from one source address since a time.
    async fn count_source_failures(
        &self,
        source: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError>;

    async fn create_session(
        &self,
        token_digest: &str,
        user_id: i64,
        stage: SessionStage,
        csrf_token: &str,
        now: DateTime<Utc>,
        source: Option<&str>,
    ) -> Result<(), StoreError>;
    async fn session(&self, token_digest: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn touch_session(&self, token_digest: &str, now: DateTime<Utc>)
    -> Result<(), StoreError>;
    /// Keep a TOTP secret shown at enrolment with the session until a code confirms it.
    async fn set_pending_totp(&self, token_digest: &str, secret: &str) -> Result<(), StoreError>;
    async fn delete_session(&self, token_digest: &str) -> Result<(), StoreError>;
    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64, StoreError>;

    async fn setting(&self, name: &str) -> Result<Option<String>, StoreError>;
    async fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError>;

    /// Append an entry to the audit log, chained to the one before; returns it as stored.
    async fn append_audit(&self, event: &AuditEvent) -> Result<StoredAudit, StoreError>;
    /// Entries in sequence order starting after `after_seq`, at most `limit`.
    async fn audit_entries(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredAudit>, StoreError>;
    /// Entries matching a filter, newest first.
    async fn audit_search(&self, filter: &AuditFilter) -> Result<Vec<StoredAudit>, StoreError>;
}

pub(crate) fn now_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn parse_utc(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            what: "timestamp",
            detail: format!("{s}: {e}"),
        })
}

const USER_COLUMNS: &str = "u.user_id, u.username, u.display_name, u.role, u.team_id, t.name, \
     u.area, u.password_hash, u.must_change_password, u.totp_secret, u.totp_last_step, \
     u.status, u.status_reason, u.created_at, u.last_login_at";

fn user_from_row(row: &SqliteRow, offset: usize) -> UserRecord {
    UserRecord {
        user_id: row.get(offset),
        username: row.get(offset + 1),
        display_name: row.get(offset + 2),
        role: row.get(offset + 3),
        team_id: row.get(offset + 4),
        team: row.get(offset + 5),
        area: row.get(offset + 6),
        password_hash: row.get(offset + 7),
        must_change_password: row.get::<i64, _>(offset + 8) != 0,
        totp_secret: row.get(offset + 9),
        totp_last_step: row.get(offset + 10),
        status: row.get(offset + 11),
        status_reason: row.get(offset + 12),
        created_at: row.get(offset + 13),
        last_login_at: row.get(offset + 14),
    }
}

fn audit_from_row(row: &SqliteRow) -> Result<StoredAudit, StoreError> {
    let outcome: String = row.get(6);
    Ok(StoredAudit {
        record: AuditRecord {
            seq: row.get(0),
            at: parse_utc(row.get::<&str, _>(1))?,
            actor: row.get(2),
            source: row.get(3),
            action: row.get(4),
            object: row.get(5),
            outcome: outcome.parse().map_err(|_| StoreError::Corrupt {
                what: "audit outcome",
                detail: outcome.clone(),
            })?,
            detail: row.get(7),
        },
        prev_hash: row.get(8),
        hash: row.get(9),
    })
}

const AUDIT_COLUMNS: &str =
    "seq, at, actor, source, action, object, outcome, detail, prev_hash, hash";

#[async_trait]
impl AccessStore for SqliteStore {
    async fn create_user(&self, user: &NewUser) -> Result<i64, StoreError> {
        let now = now_text(Utc::now());
        let mut tx = self.pool().begin().await?;
        sqlx::query("INSERT OR IGNORE INTO teams (name, created_at) VALUES (?, ?)")
            .bind(&user.team)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        let team_id: i64 = sqlx::query_scalar("SELECT team_id FROM teams WHERE name = ?")
            .bind(&user.team)
            .fetch_one(&mut *tx)
            .await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT user_id FROM users WHERE username = ?")
            .bind(&user.username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                what: "user",
                id: user.username.clone(),
            });
        }
        let id = sqlx::query(
            "INSERT INTO users (username, display_name, role, team_id, area, password_hash, \
             must_change_password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.role)
        .bind(team_id)
        .bind(&user.area)
        .bind(&user.password_hash)
        .bind(user.must_change_password as i64)
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        tx.commit().await?;
        Ok(id)
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN teams t ON t.team_id = u.team_id \
             WHERE u.username = ?"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| user_from_row(&r, 0)))
    }

    async fn user_by_id(&self, user_id: i64) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN teams t ON t.team_id = u.team_id \
             WHERE u.user_id = ?"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| user_from_row(&r, 0)))
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN teams t ON t.team_id = u.team_id \
             ORDER BY u.username"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(|r| user_from_row(r, 0)).collect())
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(self.pool())
            .await?;
        Ok(n as u64)
    }

    async fn set_user_status(
        &self,
        user_id: i64,
        status: &str,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let username: Option<String> =
            sqlx::query_scalar("SELECT username FROM users WHERE user_id = ?")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(username) = username else {
            return Err(StoreError::NotFound {
                what: "user",
                id: user_id.to_string(),
            });
        };
        sqlx::query("UPDATE users SET status = ?, status_reason = ? WHERE user_id = ?")
            .bind(status)
            .bind(reason)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if status == "active" {
            sqlx::query("DELETE FROM auth_failures WHERE username = ?")
                .bind(&username)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_user_role(&self, user_id: i64, role: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE users SET role = ? WHERE user_id = ?")
            .bind(role)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "user",
                id: user_id.to_string(),
            });
        }
        Ok(())
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE users SET password_hash = ?, must_change_password = ? WHERE user_id = ?",
        )
        .bind(password_hash)
        .bind(must_change as i64)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn set_totp_secret(&self, user_id: i64, secret: Option<&str>) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE user_id = ?")
            .bind(secret)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = ? \
             WHERE user_id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(user_id)
        .bind(step)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_login(&self, user_id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET last_login_at = ? WHERE user_id = ?")
            .bind(now_text(at))
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn record_auth_failure(
        &self,
        username: &str,
        kind: &str,
        at: DateTime<Utc>,
        source: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO auth_failures (username, kind, at, source) VALUES (?, ?, ?, ?)")
            .bind(username)
            .bind(kind)
            .bind(now_text(at))
            .bind(source)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn count_auth_failures(
        &self,
        username: &str,
        kind: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM auth_failures WHERE username = ? AND kind = ? AND at >= ?",
        )
        .bind(username)
        .bind(kind)
        .bind(now_text(since))
        .fetch_one(self.pool())
        .await?;
        Ok(n as u32)
    }

    async fn count_source_failures(
        &self,
        source: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM auth_failures WHERE source = ? AND kind = 'password' AND at >= ?",
        )
        .bind(source)
        .bind(now_text(since))
        .fetch_one(self.pool())
        .await?;
        Ok(n as u32)
    }

    async fn clear_auth_failures(&self, username: &str, kind: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM auth_failures WHERE username = ? AND kind = ?")
            .bind(username)
            .bind(kind)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_digest: &str,
        user_id: i64,
        stage: SessionStage,
        csrf_token: &str,
        now: DateTime<Utc>,
        source: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_text(now);
        sqlx::query(
            "INSERT INTO sessions (token_digest, user_id, stage, csrf_token, created_at, \
             last_seen_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(token_digest)
        .bind(user_id)
        .bind(stage.as_str())
        .bind(csrf_token)
        .bind(&now)
        .bind(&now)
        .bind(source)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn session(&self, token_digest: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT s.token_digest, s.stage, s.csrf_token, s.created_at, s.last_seen_at, \
             s.pending_totp, {USER_COLUMNS} FROM sessions s JOIN users u ON u.user_id = s.user_id \
             JOIN teams t ON t.team_id = u.team_id WHERE s.token_digest = ?"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_digest)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let stage = match row.get::<&str, _>(1) {
            "full" => SessionStage::Full,
            _ => SessionStage::Password,
        };
        Ok(Some(SessionRecord {
            token_digest: row.get(0),
            stage,
            csrf_token: row.get(2),
            created_at: parse_utc(row.get::<&str, _>(3))?,
            last_seen_at: parse_utc(row.get::<&str, _>(4))?,
            pending_totp: row.get(5),
            user: user_from_row(&row, 6),
        }))
    }

    async fn touch_session(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_digest = ?")
            .bind(now_text(now))
            .bind(token_digest)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn set_pending_totp(&self, token_digest: &str, secret: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET pending_totp = ? WHERE token_digest = ?")
            .bind(secret)
            .bind(token_digest)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn delete_session(&self, token_digest: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_digest = ?")
            .bind(token_digest)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE name = ?")
                .bind(name)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    async fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES (?, ?) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn append_audit(&self, event: &AuditEvent) -> Result<StoredAudit, StoreError> {
        let _one_at_a_time = self.audit_lock.lock().await;
        // IMMEDIATE takes the write lock before reading the last hash, so two writers (threads
        // or processes) can never chain onto the same entry.
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let last = sqlx::query("SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (seq, prev_hash, last_at) = match last {
            Some(row) => (
                row.get::<i64, _>(0) + 1,
                row.get::<String, _>(1),
                Some(parse_utc(row.get::<&str, _>(2))?),
            ),
            None => (1, GENESIS.to_string(), None),
        };
        // Millisecond precision, and never earlier than the entry before (clocks step back).
        let mut at = Utc::now();
        at = DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at);
        if let Some(last_at) = last_at
            && at < last_at
        {
            at = last_at;
        }
        let record = AuditRecord {
            seq,
            at,
            actor: event.actor.clone(),
            source: event.source.clone(),
            action: event.action.clone(),
            object: event.object.clone(),
            outcome: event.outcome,
            detail: event.detail.clone(),
        };
        let hash = chain_hash(&prev_hash, &record);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, source, action, object, outcome, detail, \
             prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(now_text(record.at))
        .bind(&record.actor)
        .bind(&record.source)
        .bind(&record.action)
        .bind(&record.object)
        .bind(record.outcome.as_str())
        .bind(&record.detail)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(StoredAudit {
            record,
            prev_hash,
            hash,
        })
    }

    async fn audit_entries(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredAudit>, StoreError> {
        let sql =
            format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after_seq)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn audit_search(&self, filter: &AuditFilter) -> Result<Vec<StoredAudit>, StoreError> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log \
             WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2) \
             AND (?3 IS NULL OR object = ?3) AND (?4 IS NULL OR seq < ?4) \
             ORDER BY seq DESC LIMIT ?5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&filter.actor)
            .bind(&filter.action)
            .bind(&filter.object)
            .bind(filter.before_seq)
            .bind(filter.limit.max(1) as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(audit_from_row).collect()
    }
}
