//! The workspace's keys and the audit checkpoints, kept in files outside the database: the
//! database key (SQLCipher), the audit-chain key (HMAC) and the append-only file of signed
//! audit checkpoints. A copy of the database file alone can be neither read nor re-chained.
//!
//! Where they are: the key folder, `PLAINSIGHT_KEY_DIR` or else `<database file>.keys/` beside
//! the database (made with mode 0700; key files 0600). Files:
//!
//! - `database.key`: the database key, 64 hex characters (or a passphrase);
//! - `audit.key`: the audit-chain key, 64 hex characters, made on first use;
//! - `audit-checkpoints`: one signed checkpoint per line (see `plainsight_access::Checkpoint`).

use std::io::Write;
use std::path::{Path, PathBuf};

use plainsight_access::keys::DatabaseKey;
use plainsight_access::{AuditKey, Checkpoint, CheckpointError};

use crate::StoreError;

/// Environment variable naming the key folder.
pub const KEY_DIR_ENV: &str = "PLAINSIGHT_KEY_DIR";
/// Environment variable holding the database key (64 hex characters or a passphrase).
pub const DB_KEY_ENV: &str = "PLAINSIGHT_DB_KEY";
/// Environment variable holding the audit key (64 hex characters).
pub const AUDIT_KEY_ENV: &str = "PLAINSIGHT_AUDIT_KEY";

const DATABASE_KEY_FILE: &str = "database.key";
/// A new database key being put in place by `rekey` or `encrypt`: written before the database
/// changes, renamed over `database.key` after; at open, a key that fails is retried with it.
const NEXT_DATABASE_KEY_FILE: &str = "database.key.next";
const AUDIT_KEY_FILE: &str = "audit.key";
const CHECKPOINT_FILE: &str = "audit-checkpoints";

/// The folder holding a workspace's key files and audit checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDir {
    path: PathBuf,
    /// The syslog socket every checkpoint is also sent to (see [`crate::syslog`]).
    syslog: Option<PathBuf>,
}

fn key_error(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Key {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

impl KeyDir {
    pub fn new(path: impl Into<PathBuf>) -> KeyDir {
        KeyDir {
            path: path.into(),
            syslog: None,
        }
    }

    /// Also send every checkpoint to the syslog daemon's socket at `socket`.
    pub fn with_syslog(mut self, socket: Option<PathBuf>) -> KeyDir {
        self.syslog = socket;
        self
    }

    /// The syslog socket checkpoints are copied to, if any.
    pub fn syslog_socket(&self) -> Option<&Path> {
        self.syslog.as_deref()
    }

    /// `<database file>.keys` beside the database file.
    pub fn beside(database_file: &Path) -> KeyDir {
        let mut name = database_file
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "workspace".into());
        name.push(".keys");
        KeyDir::new(database_file.with_file_name(name))
    }

    /// `PLAINSIGHT_KEY_DIR` when set, else [`KeyDir::beside`] the database file.
    pub fn for_database(database_file: &Path) -> KeyDir {
        match std::env::var_os(KEY_DIR_ENV) {
            Some(dir) if !dir.is_empty() => KeyDir::new(PathBuf::from(dir)),
            _ => KeyDir::beside(database_file),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn database_key_file(&self) -> PathBuf {
        self.path.join(DATABASE_KEY_FILE)
    }

    pub(crate) fn next_database_key_file(&self) -> PathBuf {
        self.path.join(NEXT_DATABASE_KEY_FILE)
    }

    pub fn audit_key_file(&self) -> PathBuf {
        self.path.join(AUDIT_KEY_FILE)
    }

    pub fn checkpoint_file(&self) -> PathBuf {
        self.path.join(CHECKPOINT_FILE)
    }

    fn ensure(&self) -> Result<(), StoreError> {
        std::fs::create_dir_all(&self.path).map_err(|e| key_error(&self.path, e.to_string()))?;
        restrict(&self.path, 0o700)
    }

    /// The database key in `database.key`, if the file exists.
    pub fn read_database_key(&self) -> Result<Option<DatabaseKey>, StoreError> {
        read_key_file(&self.database_key_file())
    }

    pub(crate) fn read_next_database_key(&self) -> Result<Option<DatabaseKey>, StoreError> {
        read_key_file(&self.next_database_key_file())
    }

    /// Writes `database.key` (which must not exist yet).
    pub fn create_database_key(&self, key: &DatabaseKey) -> Result<(), StoreError> {
        self.ensure()?;
        write_secret_file(&self.database_key_file(), &key.to_file_text(), false)
    }

    /// Writes `database.key.next`, replacing an earlier unfinished one.
    pub(crate) fn stage_next_database_key(&self, key: &DatabaseKey) -> Result<(), StoreError> {
        self.ensure()?;
        write_secret_file(&self.next_database_key_file(), &key.to_file_text(), true)
    }

    /// Renames `database.key.next` over `database.key`.
    pub(crate) fn promote_next_database_key(&self) -> Result<(), StoreError> {
        let next = self.next_database_key_file();
        std::fs::rename(&next, self.database_key_file())
            .map_err(|e| key_error(&next, e.to_string()))?;
        sync_dir(&self.path);
        Ok(())
    }

    /// The audit key: `PLAINSIGHT_AUDIT_KEY` when set, else `audit.key` if it exists.
    pub fn read_audit_key(&self) -> Result<Option<AuditKey>, StoreError> {
        if let Ok(text) = std::env::var(AUDIT_KEY_ENV)
            && !text.trim().is_empty()
        {
            return AuditKey::from_hex(&text)
                .map(Some)
                .map_err(|e| StoreError::Key {
                    path: AUDIT_KEY_ENV.to_string(),
                    reason: e.to_string(),
                });
        }
        let path = self.audit_key_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => AuditKey::from_hex(&text)
                .map(Some)
                .map_err(|e| key_error(&path, e.to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(key_error(&path, e.to_string())),
        }
    }

    /// Makes `audit.key` with a new random key; when another process made it first, reads
    /// that one.
    pub fn create_audit_key(&self) -> Result<AuditKey, StoreError> {
        self.ensure()?;
        let key = AuditKey::generate().map_err(|e| key_error(&self.path, e.to_string()))?;
        let path = self.audit_key_file();
        match write_secret_file(&path, &format!("{}\n", key.to_hex()), false) {
            Ok(()) => Ok(key),
            Err(_) if path.exists() => self
                .read_audit_key()?
                .ok_or_else(|| key_error(&path, "could not be read back")),
            Err(e) => Err(e),
        }
    }

    /// Whether the checkpoint file exists and holds at least one line.
    pub fn has_checkpoints(&self) -> bool {
        std::fs::metadata(self.checkpoint_file()).is_ok_and(|m| m.len() > 0)
    }

    /// Appends one signed checkpoint line and syncs it to disk. One `write` per line on a
    /// file opened for appending, so lines of concurrent writers do not interleave. Then, when a
    /// syslog socket is set, sends the same line there; the file is the record, so a syslog
    /// daemon that is down only gives a warning. Returns whether the syslog copy was sent.
    pub fn append_checkpoint(
        &self,
        key: &AuditKey,
        checkpoint: &Checkpoint,
    ) -> Result<bool, StoreError> {
        self.ensure()?;
        let path = self.checkpoint_file();
        let mut file = open_options_secret()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| key_error(&path, e.to_string()))?;
        let line = checkpoint.to_line(key);
        file.write_all(format!("{line}\n").as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| key_error(&path, e.to_string()))?;
        let Some(socket) = &self.syslog else {
            return Ok(false);
        };
        match crate::syslog::send(socket, &line) {
            Ok(()) => Ok(true),
            Err(e) => {
                eprintln!(
                    "warning: audit checkpoint {} written to {} but not sent to syslog at {}: {e}",
                    checkpoint.seq,
                    path.display(),
                    socket.display()
                );
                Ok(false)
            }
        }
    }

    /// Every checkpoint line with its line number (from 1) and whether it can be trusted.
    /// No file is no checkpoints.
    #[allow(clippy::type_complexity)]
    pub fn read_checkpoints(
        &self,
        key: &AuditKey,
    ) -> Result<Vec<(usize, Result<Checkpoint, CheckpointError>)>, StoreError> {
        let path = self.checkpoint_file();
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(key_error(&path, e.to_string())),
        };
        Ok(text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| (i + 1, Checkpoint::parse_line(line, key)))
            .collect())
    }
}

fn read_key_file(path: &Path) -> Result<Option<DatabaseKey>, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => DatabaseKey::parse(&text)
            .map(Some)
            .map_err(|e| key_error(path, e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(key_error(path, e.to_string())),
    }
}

fn open_options_secret() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Writes a file readable by its owner only, synced to disk. `replace` allows an existing file
/// (written beside and renamed over it); otherwise an existing file is an error.
fn write_secret_file(path: &Path, contents: &str, replace: bool) -> Result<(), StoreError> {
    let target = if replace {
        path.with_extension("tmp")
    } else {
        path.to_path_buf()
    };
    let mut options = open_options_secret();
    options.write(true);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options
        .open(&target)
        .map_err(|e| key_error(&target, e.to_string()))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| key_error(&target, e.to_string()))?;
    if replace {
        std::fs::rename(&target, path).map_err(|e| key_error(path, e.to_string()))?;
    }
    if let Some(dir) = path.parent() {
        sync_dir(dir);
    }
    Ok(())
}

/// Makes a rename or a new file durable (best effort: not every platform syncs folders).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| key_error(path, e.to_string()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use plainsight_access::CheckpointKind;

    #[test]
    fn key_files_are_private_and_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyDir::beside(&dir.path().join("ws.db"));
        assert_eq!(keys.path(), dir.path().join("ws.db.keys"));
        let key = keys.create_audit_key().unwrap();
        // A second creation (another process) reads the first key back.
        assert_eq!(keys.create_audit_key().unwrap(), key);
        let db_key = DatabaseKey::generate().unwrap();
        keys.create_database_key(&db_key).unwrap();
        assert!(keys.create_database_key(&db_key).is_err());
        assert_eq!(keys.read_database_key().unwrap(), Some(db_key));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(keys.path()), 0o700);
            assert_eq!(mode(&keys.audit_key_file()), 0o600);
            assert_eq!(mode(&keys.database_key_file()), 0o600);
        }
    }

    #[test]
    fn checkpoints_append_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyDir::new(dir.path().join("k"));
        let key = AuditKey::from_bytes([5; 32]);
        assert!(!keys.has_checkpoints());
        assert_eq!(keys.read_checkpoints(&key).unwrap(), []);
        let cp = Checkpoint {
            kind: CheckpointKind::Start,
            seq: 0,
            hash: plainsight_access::GENESIS.into(),
            at: Utc::now(),
        };
        keys.append_checkpoint(&key, &cp).unwrap();
        keys.append_checkpoint(
            &key,
            &Checkpoint {
                seq: 3,
                ..cp.clone()
            },
        )
        .unwrap();
        assert!(keys.has_checkpoints());
        let read = keys.read_checkpoints(&key).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].0, 2);
        assert_eq!(read[1].1.as_ref().unwrap().seq, 3);
        let other = keys
            .read_checkpoints(&AuditKey::from_bytes([6; 32]))
            .unwrap();
        assert!(other.iter().all(|(_, c)| c.is_err()));
    }
}
