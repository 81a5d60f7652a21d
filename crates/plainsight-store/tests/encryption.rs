//! Encryption at rest (SQLCipher) and the keyed audit chain of a workspace file: no plaintext on
//! disk, the key required and checked, key changes, encrypting an old unencrypted workspace,
//! and recovery from a key change interrupted before its key file was renamed.

use std::path::{Path, PathBuf};

use plainsight_access::keys::DatabaseKey;
use plainsight_access::{ChainVerifier, CheckpointKind};
use plainsight_core::{Ad, Extraction};
use plainsight_store::{
    AccessStore, AuditEvent, KeyDir, KeyOptions, NewAd, SqliteStore, Store, StoreError,
};

/// A string that appears nowhere but in the ad stored.
const MARKER: &str = "Velvet-Orchid-7731 call 919 555 0123";

fn ad() -> NewAd {
    let ad = Ad {
        id: "a1".into(),
        site: Some("example".into()),
        body: Some(MARKER.into()),
        ..Default::default()
    };
    let extraction = Extraction {
        id: "a1".into(),
        ..Default::default()
    };
    NewAd::new(ad, extraction, "ads.jsonl".into(), 1).unwrap()
}

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Every byte of the database and its side files (WAL, shared memory).
fn bytes_on_disk(db: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_os_string();
        p.push(suffix);
        if let Ok(b) = std::fs::read(PathBuf::from(p)) {
            all.extend(b);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn event(action: &str) -> AuditEvent {
    AuditEvent {
        actor: Some("tester".into()),
        source: None,
        action: action.into(),
        object: None,
        outcome: plainsight_access::Outcome::Success,
        detail: None,
    }
}

fn other_keys(dir: &Path) -> KeyOptions {
    KeyOptions {
        key_dir: Some(dir.join("elsewhere")),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_new_workspace_is_encrypted_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let store = SqliteStore::open(&url(&db)).await.unwrap();
    assert!(store.is_encrypted());
    store.insert_ads(&[ad()]).await.unwrap();
    // While open (the WAL holds the newest pages) and after closing.
    assert!(!contains(&bytes_on_disk(&db), MARKER.as_bytes()));
    store.close().await;
    let disk = bytes_on_disk(&db);
    assert!(disk.len() > 4096, "{} bytes", disk.len());
    assert!(!contains(&disk, b"SQLite format 3"));
    assert!(!contains(&disk, MARKER.as_bytes()));
    assert!(!contains(&disk, b"CREATE TABLE"));

    let keys = KeyDir::beside(&db);
    assert!(keys.database_key_file().exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(keys.database_key_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Without its key folder: refused, saying what to do, with no key in the message.
    let err = SqliteStore::open_with(&url(&db), &other_keys(dir.path()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NeedsKey { .. }), "{err}");
    assert!(err.to_string().contains("PLAINSIGHT_DB_KEY"), "{err}");
    // A wrong key: a clear error, and the file is untouched.
    let before = std::fs::read(&db).unwrap();
    let wrong = KeyOptions {
        database_key: Some(DatabaseKey::Passphrase("not the key".into())),
        ..other_keys(dir.path())
    };
    let err = SqliteStore::open_with(&url(&db), &wrong).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");
    assert!(!err.to_string().contains("not the key"));
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // With the key: everything is there.
    let store = SqliteStore::open(&url(&db)).await.unwrap();
    let read = store.get_ad("example", "a1").await.unwrap().unwrap();
    assert_eq!(read.ad.body.as_deref(), Some(MARKER));
    store.close().await;
}

#[tokio::test]
async fn a_passphrase_from_the_caller_opens_a_workspace_without_key_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let pass = KeyOptions {
        database_key: Some(DatabaseKey::Passphrase(
            "correct horse battery staple".into(),
        )),
        ..Default::default()
    };
    let store = SqliteStore::open_with(&url(&db), &pass).await.unwrap();
    store.insert_ads(&[ad()]).await.unwrap();
    store.close().await;
    // The caller keeps the key: none was written.
    assert!(!KeyDir::beside(&db).database_key_file().exists());
    let store = SqliteStore::open_with(&url(&db), &pass).await.unwrap();
    assert_eq!(store.count_ads().await.unwrap(), 1);
    store.close().await;
}

#[tokio::test]
async fn an_unencrypted_workspace_stays_readable_and_can_be_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let plain = KeyOptions {
        plaintext_new: true,
        ..Default::default()
    };
    let store = SqliteStore::open_with(&url(&db), &plain).await.unwrap();
    assert!(!store.is_encrypted());
    store.insert_ads(&[ad()]).await.unwrap();
    store.close().await;
    assert!(contains(&bytes_on_disk(&db), MARKER.as_bytes()));

    // Opened like any workspace (no key files): still readable, reported as unencrypted.
    let store = SqliteStore::open(&url(&db)).await.unwrap();
    assert!(!store.is_encrypted());
    store
        .change_database_key(&DatabaseKey::generate().unwrap(), true)
        .await
        .unwrap();
    let disk = bytes_on_disk(&db);
    assert!(!contains(&disk, b"SQLite format 3"));
    assert!(!contains(&disk, MARKER.as_bytes()));
    let store = SqliteStore::open(&url(&db)).await.unwrap();
    assert!(store.is_encrypted());
    let read = store.get_ad("example", "a1").await.unwrap().unwrap();
    assert_eq!(read.ad.body.as_deref(), Some(MARKER));
    store.close().await;
}

#[tokio::test]
async fn rekey_changes_the_key_and_an_interrupted_rekey_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let keys = KeyDir::beside(&db);
    let store = SqliteStore::open(&url(&db)).await.unwrap();
    store.insert_ads(&[ad()]).await.unwrap();
    let old = keys.read_database_key().unwrap().unwrap();
    let new = DatabaseKey::generate().unwrap();
    store.change_database_key(&new, true).await.unwrap();
    assert_eq!(keys.read_database_key().unwrap(), Some(new.clone()));
    let with = |key: &DatabaseKey| KeyOptions {
        database_key: Some(key.clone()),
        ..other_keys(dir.path())
    };
    let err = SqliteStore::open_with(&url(&db), &with(&old))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");
    let store = SqliteStore::open_with(&url(&db), &with(&new))
        .await
        .unwrap();
    assert_eq!(store.count_ads().await.unwrap(), 1);
    store.close().await;
    assert!(!contains(&bytes_on_disk(&db), MARKER.as_bytes()));

    // A rekey that stopped after the database changed but before the new key file was
    // renamed into place: database.key is the old key, database.key.next the new one.
    let next = keys.path().join("database.key.next");
    std::fs::write(&next, new.to_file_text()).unwrap();
    std::fs::write(keys.database_key_file(), old.to_file_text()).unwrap();
    let store = SqliteStore::open(&url(&db)).await.unwrap();
    assert_eq!(store.count_ads().await.unwrap(), 1);
    store.close().await;
    assert!(!next.exists());
    assert_eq!(keys.read_database_key().unwrap(), Some(new));
}

#[tokio::test]
async fn the_audit_chain_is_keyed_from_a_signed_start_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    // A workspace whose first entries were written before it had an audit key.
    let unkeyed = KeyOptions {
        no_keys: true,
        ..Default::default()
    };
    let store = SqliteStore::open_with(&url(&db), &unkeyed).await.unwrap();
    assert!(store.audit_key().is_none());
    for i in 0..3 {
        store
            .append_audit(&event(&format!("old_{i}")))
            .await
            .unwrap();
    }
    let old_head = store.audit_head().await.unwrap();
    store.close().await;

    let store = SqliteStore::open(&url(&db)).await.unwrap();
    let key = store.audit_key().cloned().expect("a key on first use");
    let keys = store.audit_key_dir().unwrap().clone();
    let checkpoints = keys.read_checkpoints(&key).unwrap();
    let start = checkpoints[0].1.clone().unwrap();
    assert_eq!(start.kind, CheckpointKind::Start);
    assert_eq!((start.seq, start.hash.clone()), old_head);
    for i in 0..3 {
        store
            .append_audit(&event(&format!("new_{i}")))
            .await
            .unwrap();
    }
    let (head, _) = store.audit_checkpoint().await.unwrap().unwrap();
    assert_eq!(head.seq, 6);
    let entries = store.audit_entries(0, 100).await.unwrap();
    let mut verifier = ChainVerifier::new().with_key(key.clone(), start.seq + 1);
    for e in &entries {
        verifier.push(&e.record, &e.prev_hash, &e.hash).unwrap();
    }
    // Without the key the new entries do not verify: they are HMACs, not SHA-256.
    let mut plain = ChainVerifier::new();
    let breaks: Vec<i64> = entries
        .iter()
        .filter_map(|e| plain.push(&e.record, &e.prev_hash, &e.hash).err())
        .map(|b| b.seq)
        .collect();
    assert_eq!(breaks.first(), Some(&4));
    store.close().await;

    // The key file is private and reopening finds the same key.
    let store = SqliteStore::open(&url(&db)).await.unwrap();
    assert_eq!(store.audit_key(), Some(&key));
    store.close().await;
    // Checkpoints without their key: the store refuses to chain on with a new key.
    std::fs::remove_file(keys.audit_key_file()).unwrap();
    let err = SqliteStore::open(&url(&db)).await.unwrap_err();
    assert!(matches!(err, StoreError::MissingAuditKey { .. }), "{err}");
}
