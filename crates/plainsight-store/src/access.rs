//! Storage for the web application: accounts and teams, server-side sessions, log-on failures
//! (for lock-out and rate limits), the hash-chained audit log, and settings. All of it lives
//! in the database, not in process memory, so several server processes can share it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use plainsight_access::audit::{
    AuditKey, AuditRecord, Checkpoint, CheckpointKind, GENESIS, Outcome, chain_hash,
    keyed_chain_hash,
};
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

/// An audit entry made from the result of a change (the id of a new record, the version of
/// a label), written in the change's own transaction.
pub type AuditFor<'a, T> = &'a (dyn Fn(&T) -> AuditEvent + Send + Sync);

/// A session to open, as part of a sign-in step.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_digest: String,
    pub user_id: i64,
    pub stage: SessionStage,
    pub csrf_token: String,
    pub now: DateTime<Utc>,
    pub source: Option<String>,
    /// The session this one replaces (deleted in the same transaction): a token is never
    /// carried across a change of privilege.
    pub replaces: Option<String>,
}

/// An attempt to check a secret (a password or a second-factor code) for an account.
#[derive(Debug, Clone)]
pub struct AttemptRequest<'a> {
    /// The user name as typed: unknown names are counted like real ones.
    pub username: &'a str,
    /// `password` or `totp`.
    pub kind: &'a str,
    pub source: Option<&'a str>,
    pub now: DateTime<Utc>,
    /// Failures of this account and kind since then count...
    pub account_since: DateTime<Utc>,
    /// ... and this many refuse further attempts.
    pub account_max: u32,
    /// Failed passwords from the source address since a time, and how many refuse it.
    pub source_limit: Option<(DateTime<Utc>, u32)>,
}

/// A slot for one check of a secret, recorded as a failure until the check succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptId(pub i64);

/// What [`AccessStore::reserve_attempt`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Check the secret; the attempt already counts as a failure.
    Granted(AttemptId),
    /// The account (or the name, when no account has it) had too many failures in the window.
    AccountLimit,
    /// The source address had too many failures in its window.
    SourceLimit,
    /// The account exists and is `locked` or `disabled`.
    AccountClosed(String),
}

/// When a failed attempt locks the account.
#[derive(Debug, Clone)]
pub struct LockRule<'a> {
    pub user_id: i64,
    pub username: &'a str,
    pub since: DateTime<Utc>,
    pub max_failures: u32,
    pub reason: &'a str,
}

/// Account, session, audit and settings storage every backend provides.
///
/// Every method that changes something takes the audit entry (or entries) that records it,
/// and writes the change and the entry in one transaction: both are stored or neither is.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Create a user (and its team when new); a taken user name is a `Conflict`. The audit
    /// entry is made from the new user's id.
    async fn create_user(
        &self,
        user: &NewUser,
        audit: AuditFor<'_, i64>,
    ) -> Result<i64, StoreError>;
    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_id(&self, user_id: i64) -> Result<Option<UserRecord>, StoreError>;
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    async fn count_users(&self) -> Result<u64, StoreError>;
    /// Set `active`, `locked` or `disabled`. Locking or disabling ends every session of the
    /// user; re-activating clears the failure count.
    async fn set_user_status(
        &self,
        user_id: i64,
        status: &str,
        reason: Option<&str>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;
    /// Change the role; the user's sessions end (new privileges start with a new session).
    async fn set_user_role(
        &self,
        user_id: i64,
        role: &str,
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;
    /// Set a new password hash and end every session of the user; open `session` (for the
    /// user who changed their own password) and release the `attempt` that checked the old
    /// password, in the same transaction.
    async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        must_change: bool,
        attempt: Option<AttemptId>,
        session: Option<&NewSession>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;
    /// Remove the second factor (it is enrolled again at the next sign-in) and end the user's
    /// sessions.
    async fn reset_totp(&self, user_id: i64, audit: &AuditEvent) -> Result<(), StoreError>;

    /// Decide, in one write transaction, whether a secret may be checked for this account
    /// from this source, and when it may, record the attempt as a failure before anyone
    /// checks it. Concurrent requests therefore cannot all pass the limit check before any
    /// failure is counted: at most `account_max` attempts are granted per window. The
    /// reservation is bookkeeping of the limit, written without an audit entry: a failing
    /// audit log must not hand out extra guesses.
    async fn reserve_attempt(&self, req: &AttemptRequest<'_>) -> Result<Attempt, StoreError>;
    /// The secret of a granted attempt was wrong (its failure is already counted): record
    /// `audit`, and, under `lock`, lock the account and end its sessions once the failures in
    /// the window reach the limit (recording `lock_audit`). Returns whether it locked now.
    async fn fail_attempt(
        &self,
        audit: &AuditEvent,
        lock: Option<(&LockRule<'_>, &AuditEvent)>,
    ) -> Result<bool, StoreError>;
    /// The password of a granted attempt was right: release the attempt and open the
    /// half-signed-in session, with the audit entry. Returns false, changing nothing, when
    /// the account is no longer active (a concurrent attempt locked it).
    async fn accept_password(
        &self,
        attempt: AttemptId,
        session: &NewSession,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError>;
    /// The second-factor code of a granted attempt was right for time step `step`: mark the
    /// step used (each code once), enrol `enrol_secret` when given, release the attempt,
    /// record the sign-in time and open the full session, with the audit entries. Returns
    /// false, changing nothing, when a code of this or a later step was already accepted or
    /// the account is no longer active.
    async fn accept_second_factor(
        &self,
        attempt: AttemptId,
        step: i64,
        enrol_secret: Option<&str>,
        session: &NewSession,
        audits: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    /// Open a session without a sign-in (the web benchmark's user).
    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError>;
    async fn session(&self, token_digest: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn touch_session(&self, token_digest: &str, now: DateTime<Utc>)
    -> Result<(), StoreError>;
    /// Keep a TOTP secret shown at enrolment with the session until a code confirms it.
    async fn set_pending_totp(&self, token_digest: &str, secret: &str) -> Result<(), StoreError>;
    /// Remove a session that is no longer valid (its user was locked or disabled).
    async fn delete_session(&self, token_digest: &str) -> Result<(), StoreError>;
    /// End a session (sign-out, time-out) with its audit entry.
    async fn end_session(&self, token_digest: &str, audit: &AuditEvent) -> Result<(), StoreError>;

    async fn setting(&self, name: &str) -> Result<Option<String>, StoreError>;
    /// Set several settings at once, with one audit entry.
    async fn set_settings(
        &self,
        values: &[(&str, &str)],
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// Append an entry to the audit log, chained to the one before; returns it as stored.
    /// For events that change nothing (views, searches, refusals); changes record theirs in
    /// their own transaction.
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

/// A write transaction that may append audit entries. Writers take turns within this
/// process (the audit lock: a writer that found SQLite's lock taken would sleep in the busy
/// handler, while this lock wakes it the moment the previous one commits), and the
/// transaction is `BEGIN IMMEDIATE`, holding the write lock from its start: a deferred
/// transaction that reads and then writes fails with SQLITE_BUSY at once, without waiting,
/// when another connection wrote meanwhile. Other processes still meet at SQLite's lock.
pub(crate) struct AuditedWrite<'s> {
    _turn: tokio::sync::MutexGuard<'s, ()>,
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    signer: Option<&'s AuditSigner>,
    /// The newest entry appended here, when it is due for a checkpoint once committed.
    checkpoint_due: Option<(i64, String)>,
}

/// Entries between automatic checkpoints of the audit head.
pub const CHECKPOINT_EVERY: i64 = 1_000;

/// The audit-chain key of a workspace and the folder its checkpoints go to.
#[derive(Debug)]
pub(crate) struct AuditSigner {
    pub(crate) key: AuditKey,
    pub(crate) keys: crate::KeyDir,
}

impl AuditSigner {
    fn checkpoint(
        &self,
        kind: CheckpointKind,
        seq: i64,
        hash: &str,
    ) -> Result<(Checkpoint, bool), StoreError> {
        let checkpoint = Checkpoint {
            kind,
            seq,
            hash: hash.to_string(),
            at: Utc::now(),
        };
        let sent_to_syslog = self.keys.append_checkpoint(&self.key, &checkpoint)?;
        Ok((checkpoint, sent_to_syslog))
    }
}

impl SqliteStore {
    pub(crate) async fn begin_write(&self) -> Result<AuditedWrite<'_>, StoreError> {
        let turn = self.audit_lock.lock().await;
        let tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        Ok(AuditedWrite {
            _turn: turn,
            tx,
            signer: self.signer.as_deref(),
            checkpoint_due: None,
        })
    }

    /// Chain new audit entries with the workspace's audit key (from `PLAINSIGHT_AUDIT_KEY` or
    /// `audit.key` in `keys`). On first use, with no checkpoint file yet, the key is made and a
    /// `start` checkpoint records the head at the switch: entries after it must be keyed,
    /// those before keep their SHA-256 hashes.
    pub(crate) async fn attach_audit_key(&mut self, keys: crate::KeyDir) -> Result<(), StoreError> {
        let key = if keys.has_checkpoints() {
            match keys.read_audit_key()? {
                Some(key) => key,
                None => {
                    return Err(StoreError::MissingAuditKey {
                        checkpoints: keys.checkpoint_file().display().to_string(),
                        key_file: keys.audit_key_file().display().to_string(),
                    });
                }
            }
        } else {
            // Under the write lock, so no unkeyed entry lands between reading the head and
            // the start checkpoint, and two processes starting at once make one start.
            let mut w = self.begin_write().await?;
            let key = match keys.read_audit_key()? {
                Some(key) => key,
                None => keys.create_audit_key()?,
            };
            if !keys.has_checkpoints() {
                let (seq, hash) = audit_head_in(&mut w.tx).await?;
                let signer = AuditSigner {
                    key: key.clone(),
                    keys: keys.clone(),
                };
                signer.checkpoint(CheckpointKind::Start, seq, &hash)?;
            }
            w.tx.rollback().await?;
            key
        };
        self.signer = Some(std::sync::Arc::new(AuditSigner { key, keys }));
        Ok(())
    }

    /// The audit key, when the chain is keyed.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.signer.as_deref().map(|s| &s.key)
    }

    /// The key folder holding the audit key and checkpoints, when the chain is keyed.
    pub fn audit_key_dir(&self) -> Option<&crate::KeyDir> {
        self.signer.as_deref().map(|s| &s.keys)
    }

    /// The newest audit entry's sequence number and hash (0 and [`GENESIS`] when empty).
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        let mut conn = self.pool().acquire().await?;
        audit_head_in(&mut conn).await
    }

    /// Write a signed checkpoint of the current head to the checkpoint file (and syslog, when
    /// set), with whether the syslog copy was sent; `None` when the chain is not keyed
    /// (nothing to sign with).
    pub async fn audit_checkpoint(&self) -> Result<Option<(Checkpoint, bool)>, StoreError> {
        let Some(signer) = self.signer.as_deref() else {
            return Ok(None);
        };
        let (seq, hash) = self.audit_head().await?;
        signer
            .checkpoint(CheckpointKind::Head, seq, &hash)
            .map(Some)
    }
}

async fn audit_head_in(conn: &mut sqlx::SqliteConnection) -> Result<(i64, String), StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(row) => (row.get(0), row.get(1)),
        None => (0, GENESIS.to_string()),
    })
}

impl AuditedWrite<'_> {
    /// Append an audit entry in this transaction.
    pub(crate) async fn audit(&mut self, event: &AuditEvent) -> Result<StoredAudit, StoreError> {
        let stored = append_audit_in(&mut self.tx, event, self.signer.map(|s| &s.key)).await?;
        if self.signer.is_some()
            && (stored.record.seq % CHECKPOINT_EVERY == 0 || self.checkpoint_due.is_some())
        {
            self.checkpoint_due = Some((stored.record.seq, stored.hash.clone()));
        }
        Ok(stored)
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        if let (Some(signer), Some((seq, hash))) = (self.signer, self.checkpoint_due) {
            // The change is committed: a checkpoint that cannot be written must not undo it
            // or report it as failed. The next checkpoint (server start or stop, the next
            // thousand entries, `audit checkpoint`) covers this head too.
            if let Err(e) = signer.checkpoint(CheckpointKind::Head, seq, &hash) {
                eprintln!("warning: could not write an audit checkpoint: {e}");
            }
        }
        Ok(())
    }
}

/// Append one audit entry on a connection inside a write transaction: the one place where an
/// entry gets its number, time and chain hash (an HMAC under the audit key when the
/// workspace has one, SHA-256 otherwise).
pub(crate) async fn append_audit_in(
    conn: &mut sqlx::SqliteConnection,
    event: &AuditEvent,
    key: Option<&AuditKey>,
) -> Result<StoredAudit, StoreError> {
    let last = sqlx::query("SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
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
    let hash = match key {
        Some(key) => keyed_chain_hash(key, &prev_hash, &record),
        None => chain_hash(&prev_hash, &record),
    };
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
    .execute(&mut *conn)
    .await?;
    Ok(StoredAudit {
        record,
        prev_hash,
        hash,
    })
}

fn no_user(user_id: i64) -> StoreError {
    StoreError::NotFound {
        what: "user",
        id: user_id.to_string(),
    }
}

async fn insert_session(
    conn: &mut sqlx::SqliteConnection,
    s: &NewSession,
) -> Result<(), StoreError> {
    if let Some(old) = &s.replaces {
        sqlx::query("DELETE FROM sessions WHERE token_digest = ?")
            .bind(old)
            .execute(&mut *conn)
            .await?;
    }
    let now = now_text(s.now);
    sqlx::query(
        "INSERT INTO sessions (token_digest, user_id, stage, csrf_token, created_at, \
         last_seen_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&s.token_digest)
    .bind(s.user_id)
    .bind(s.stage.as_str())
    .bind(&s.csrf_token)
    .bind(&now)
    .bind(&now)
    .bind(&s.source)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn user_is_active(
    conn: &mut sqlx::SqliteConnection,
    user_id: i64,
) -> Result<bool, StoreError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM users WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(status.as_deref() == Some("active"))
}

async fn release_attempt(
    conn: &mut sqlx::SqliteConnection,
    attempt: AttemptId,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM auth_failures WHERE failure_id = ?")
        .bind(attempt.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[async_trait]
impl AccessStore for SqliteStore {
    async fn create_user(
        &self,
        user: &NewUser,
        audit: AuditFor<'_, i64>,
    ) -> Result<i64, StoreError> {
        let now = now_text(Utc::now());
        let mut w = self.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT user_id FROM users WHERE username = ?")
            .bind(&user.username)
            .fetch_optional(&mut *w.tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                what: "user",
                id: user.username.clone(),
            });
        }
        sqlx::query("INSERT OR IGNORE INTO teams (name, created_at) VALUES (?, ?)")
            .bind(&user.team)
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        let team_id: i64 = sqlx::query_scalar("SELECT team_id FROM teams WHERE name = ?")
            .bind(&user.team)
            .fetch_one(&mut *w.tx)
            .await?;
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
        .execute(&mut *w.tx)
        .await?
        .last_insert_rowid();
        w.audit(&audit(&id)).await?;
        w.commit().await?;
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
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let username: Option<String> =
            sqlx::query_scalar("SELECT username FROM users WHERE user_id = ?")
                .bind(user_id)
                .fetch_optional(&mut *w.tx)
                .await?;
        let Some(username) = username else {
            return Err(no_user(user_id));
        };
        sqlx::query("UPDATE users SET status = ?, status_reason = ? WHERE user_id = ?")
            .bind(status)
            .bind(reason)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if status == "active" {
            sqlx::query("DELETE FROM auth_failures WHERE username = ?")
                .bind(&username)
                .execute(&mut *w.tx)
                .await?;
        } else {
            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                .bind(user_id)
                .execute(&mut *w.tx)
                .await?;
        }
        w.audit(audit).await?;
        w.commit().await
    }

    async fn set_user_role(
        &self,
        user_id: i64,
        role: &str,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET role = ? WHERE user_id = ?")
            .bind(role)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(no_user(user_id));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(audit).await?;
        w.commit().await
    }

    async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        must_change: bool,
        attempt: Option<AttemptId>,
        session: Option<&NewSession>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = ?, must_change_password = ? WHERE user_id = ?",
        )
        .bind(password_hash)
        .bind(must_change as i64)
        .bind(user_id)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(no_user(user_id));
        }
        if let Some(a) = attempt {
            release_attempt(&mut w.tx, a).await?;
        }
        // Sessions opened with the old password end everywhere.
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if let Some(s) = session {
            insert_session(&mut w.tx, s).await?;
        }
        w.audit(audit).await?;
        w.commit().await
    }

    async fn reset_totp(&self, user_id: i64, audit: &AuditEvent) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE user_id = ?",
        )
        .bind(user_id)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(no_user(user_id));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(audit).await?;
        w.commit().await
    }

    async fn reserve_attempt(&self, req: &AttemptRequest<'_>) -> Result<Attempt, StoreError> {
        let mut w = self.begin_write().await?;
        if let (Some(source), Some((since, max))) = (req.source, req.source_limit) {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM auth_failures \
                 WHERE source = ? AND kind = 'password' AND at >= ?",
            )
            .bind(source)
            .bind(now_text(since))
            .fetch_one(&mut *w.tx)
            .await?;
            if n >= i64::from(max) {
                return Ok(Attempt::SourceLimit);
            }
        }
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM users WHERE username = ?")
                .bind(req.username)
                .fetch_optional(&mut *w.tx)
                .await?;
        if let Some(status) = status
            && status != "active"
        {
            return Ok(Attempt::AccountClosed(status));
        }
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM auth_failures WHERE username = ? AND kind = ? AND at >= ?",
        )
        .bind(req.username)
        .bind(req.kind)
        .bind(now_text(req.account_since))
        .fetch_one(&mut *w.tx)
        .await?;
        if n >= i64::from(req.account_max) {
            return Ok(Attempt::AccountLimit);
        }
        let id = sqlx::query(
            "INSERT INTO auth_failures (username, kind, at, source) VALUES (?, ?, ?, ?)",
        )
        .bind(req.username)
        .bind(req.kind)
        .bind(now_text(req.now))
        .bind(req.source)
        .execute(&mut *w.tx)
        .await?
        .last_insert_rowid();
        w.commit().await?;
        Ok(Attempt::Granted(AttemptId(id)))
    }

    async fn fail_attempt(
        &self,
        audit: &AuditEvent,
        lock: Option<(&LockRule<'_>, &AuditEvent)>,
    ) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        w.audit(audit).await?;
        let mut locked = false;
        if let Some((rule, lock_audit)) = lock {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM auth_failures \
                 WHERE username = ? AND kind = 'password' AND at >= ?",
            )
            .bind(rule.username)
            .bind(now_text(rule.since))
            .fetch_one(&mut *w.tx)
            .await?;
            if n >= i64::from(rule.max_failures) {
                let done = sqlx::query(
                    "UPDATE users SET status = 'locked', status_reason = ? \
                     WHERE user_id = ? AND status = 'active'",
                )
                .bind(rule.reason)
                .bind(rule.user_id)
                .execute(&mut *w.tx)
                .await?;
                if done.rows_affected() == 1 {
                    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                        .bind(rule.user_id)
                        .execute(&mut *w.tx)
                        .await?;
                    w.audit(lock_audit).await?;
                    locked = true;
                }
            }
        }
        w.commit().await?;
        Ok(locked)
    }

    async fn accept_password(
        &self,
        attempt: AttemptId,
        session: &NewSession,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        if !user_is_active(&mut w.tx, session.user_id).await? {
            return Ok(false);
        }
        release_attempt(&mut w.tx, attempt).await?;
        insert_session(&mut w.tx, session).await?;
        w.audit(audit).await?;
        w.commit().await?;
        Ok(true)
    }

    async fn accept_second_factor(
        &self,
        attempt: AttemptId,
        step: i64,
        enrol_secret: Option<&str>,
        session: &NewSession,
        audits: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        let user_id = session.user_id;
        if !user_is_active(&mut w.tx, user_id).await? {
            return Ok(false);
        }
        if let Some(secret) = enrol_secret {
            sqlx::query(
                "UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE user_id = ?",
            )
            .bind(secret)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        }
        // The check and the write are one statement, inside the write lock: two concurrent
        // requests cannot both use one code.
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = ?, last_login_at = ? \
             WHERE user_id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(now_text(session.now))
        .bind(user_id)
        .bind(step)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        release_attempt(&mut w.tx, attempt).await?;
        insert_session(&mut w.tx, session).await?;
        for a in audits {
            w.audit(a).await?;
        }
        w.commit().await?;
        Ok(true)
    }

    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        insert_session(&mut w.tx, session).await?;
        w.commit().await
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

    async fn end_session(&self, token_digest: &str, audit: &AuditEvent) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_digest = ?")
            .bind(token_digest)
            .execute(&mut *w.tx)
            .await?;
        w.audit(audit).await?;
        w.commit().await
    }

    async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE name = ?")
                .bind(name)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    async fn set_settings(
        &self,
        values: &[(&str, &str)],
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        for (name, value) in values {
            sqlx::query(
                "INSERT INTO settings (name, value) VALUES (?, ?) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .bind(name)
            .bind(value)
            .execute(&mut *w.tx)
            .await?;
        }
        w.audit(audit).await?;
        w.commit().await
    }

    async fn append_audit(&self, event: &AuditEvent) -> Result<StoredAudit, StoreError> {
        let mut w = self.begin_write().await?;
        let stored = w.audit(event).await?;
        w.commit().await?;
        Ok(stored)
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
