//! End-to-end tests of the `plainsight` binary: ingest, extract, gen-corpus and demo, with the
//! bad-input rules (report file, line and reason; keep the good records; exit status).

use std::path::Path;

use assert_cmd::Command;
use plainsight_core::IdentifierKind;
use plainsight_store::Store;
use predicates::prelude::*;

fn plainsight(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    cmd.current_dir(dir)
        .env("PLAINSIGHT_DB", format!("sqlite://{}/ws.db", dir.display()))
        .env_remove("RUST_LOG");
    cmd
}

/// A quarantine file's JSONL, read back with `plainsight quarantine show` (sealed in an
/// encrypted workspace, which every new workspace is).
fn quarantine_text(dir: &Path, file: &Path) -> String {
    let out = plainsight(dir)
        .args(["quarantine", "show"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const GOOD_AND_BAD: &str = r#"{"id":"a1","site":"s","title":"Hi","body":"call nine1nine 555 O one 2 3"}
{"id":"a2","site":"s","body":"text me 212-555-0199 \u00a0 $150 hh"}
this is not json
{"title":"no id here"}
{"id":"a3","site":"s","body":["wrong","type"]}

{"id":"a4","site":"s","body":"email jen at gmail dot com","posted_at":"2024-02-30"}
{"id":"a5","site":"s","body":"last good one, 5'6\" 34D-23-35"}
"#;

#[test]
fn ingest_keeps_good_records_quarantines_bad_ones_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ads.jsonl"), GOOD_AND_BAD).unwrap();
    let q = dir.path().join("q.jsonl");

    let out = plainsight(dir.path())
        .args(["ingest", "ads.jsonl", "--quarantine"])
        .arg(&q)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Only line 3 is rejected: the record without an id gets a derived one, a list of strings
    // as the body is joined, and a4's date (30 February) is a warning on that field.
    assert!(stderr.contains("6 stored"), "{stderr}");
    assert!(stderr.contains("1 rejected"), "{stderr}");
    assert!(
        stderr.contains("commonest reject reasons: 1 malformed JSON or not an object"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "1 field warning(s), the ads kept without those fields: 1 `posted_at`: unreadable date"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 ads without an id, given a derived id"),
        "{stderr}"
    );

    // The file holds the ads' text: in the (encrypted) workspace it is sealed.
    let sealed = std::fs::read(&q).unwrap();
    assert!(sealed.starts_with(b"PSSEAL01"));
    assert!(!String::from_utf8_lossy(&sealed).contains("malformed"));
    assert!(stderr.contains("plainsight quarantine show"), "{stderr}");
    let quarantined: Vec<serde_json::Value> = quarantine_text(dir.path(), &q)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines: Vec<(u64, &str)> = quarantined
        .iter()
        .map(|v| (v["line"].as_u64().unwrap(), v["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [(3, "rejected"), (7, "warning")],
        "bad lines reported with their line numbers"
    );
    for v in &quarantined {
        assert_eq!(v["file"], "ads.jsonl");
        assert!(!v["reason"].as_str().unwrap().is_empty());
    }
    assert!(
        quarantined[0]["reason"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    assert_eq!(quarantined[1]["field"], "posted_at");
    assert_eq!(quarantined[1]["id"], "a4");
    assert_eq!(quarantined[1]["value"], "2024-02-30");

    // Running again stores nothing new, and the same quarantine path is not overwritten.
    plainsight(dir.path())
        .args(["ingest", "ads.jsonl", "--quarantine"])
        .arg(&q)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("0 stored, 6 duplicate"))
        .stderr(predicate::str::contains("q-2.jsonl"));
    assert_eq!(
        quarantine_text(dir.path(), &q).lines().count(),
        quarantined.len(),
        "the first run's quarantine file is untouched"
    );
    assert_eq!(
        quarantine_text(dir.path(), &dir.path().join("q-2.jsonl"))
            .lines()
            .count(),
        quarantined.len()
    );
}

#[test]
fn ingest_reads_every_date_form_with_the_site_zone_and_warns_about_empty_and_binary_inputs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ads.jsonl"),
        concat!(
            "{\"id\":\"1\",\"site\":\"a.example\",\"dateCreated\":\"2013-12-05T22:23:00\",\"body\":\"x<br>y\"}\n",
            "{\"id\":\"2\",\"site\":\"de.example\",\"posted_at\":\"05.12.2013 22:23\",\"body\":\"z\"}\n",
            "{\"id\":\"3\",\"site\":\"a.example\",\"posted\":\"3 hours ago\",\"crawled_at\":\"2013-12-06T12:00:00Z\"}\n",
            "{\"id\":\"4\",\"site\":\"a.example\",\"posted_at\":\"whenever\"}\n",
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("empty.jsonl"), "").unwrap();
    std::fs::write(
        dir.path().join("photo.jsonl"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .unwrap();
    let out = plainsight(dir.path())
        .args([
            "extract",
            "--time-zone",
            "America/Chicago",
            "--site-time-zone",
            "de.example=Europe/Berlin",
            "ads.jsonl",
            "empty.jsonl",
            "photo.jsonl",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: empty.jsonl: the input is empty"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: photo.jsonl: the input looks like a PNG image, not jsonl text"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ads.jsonl:4: warning: ad 4: field `posted_at` \"whenever\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("extracted 4 ads from 3 input(s); 0 rejected"),
        "{stderr}"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        4,
        "every ad is extracted, the undated one too"
    );

    // Ingest stores the dates: Chicago for a.example, Berlin for de.example.
    plainsight(dir.path())
        .args([
            "ingest",
            "--time-zone",
            "America/Chicago",
            "--site-time-zone",
            "de.example=Europe/Berlin",
            "ads.jsonl",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("4 stored"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dates: Vec<(String, Option<String>)> = rt.block_on(async {
        use sqlx::Row;
        // The workspace is encrypted: open it with its key folder, as the CLI does.
        let store = open_ws(dir.path()).await;
        sqlx::query("SELECT source_id, posted_at FROM ads ORDER BY source_id")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<Option<String>, _>(1)))
            .collect()
    });
    let date = |id: &str| {
        dates
            .iter()
            .find(|(i, _)| i == id)
            .and_then(|(_, d)| d.clone())
            .map(|d| {
                chrono::DateTime::parse_from_rfc3339(&d)
                    .unwrap()
                    .to_utc()
                    .to_rfc3339()
            })
    };
    assert_eq!(
        date("1").as_deref(),
        Some("2013-12-06T04:23:00+00:00"),
        "{dates:?}"
    );
    assert_eq!(date("2").as_deref(), Some("2013-12-05T21:23:00+00:00"));
    assert_eq!(date("3").as_deref(), Some("2013-12-06T09:00:00+00:00"));
    assert_eq!(date("4"), None);
}

#[test]
fn ingest_of_clean_input_exits_zero_and_of_missing_input_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.jsonl"),
        "{\"id\":\"1\",\"body\":\"hello\"}\n",
    )
    .unwrap();
    plainsight(dir.path())
        .args(["ingest", "ok.jsonl"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 stored"));
    plainsight(dir.path())
        .args(["ingest", "missing.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.jsonl"));
    // One readable and one missing input: partial success.
    plainsight(dir.path())
        .args(["ingest", "ok.jsonl", "missing.jsonl"])
        .assert()
        .code(1);
}

#[test]
fn extract_prints_the_documented_contract_per_ad() {
    let dir = tempfile::tempdir().unwrap();
    let out = plainsight(dir.path())
        .args(["extract", "-"])
        .write_stdin(
            "{\"id\":\"x\",\"body\":\"call nine1nine-555-O one 2 3 now\"}\nnot json\n{\"id\":\"y\"}\n",
        )
        .assert()
        .code(1)
        .stderr(predicate::str::contains("<stdin>:2"))
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for key in [
        "id",
        "phones",
        "emails",
        "handles",
        "payments",
        "prices",
        "ages",
        "locations",
        "urls",
        "indicators",
    ] {
        assert!(keys.contains(&key), "missing {key} in {keys:?}");
    }
    let phone = &rows[0]["phones"][0];
    assert_eq!(phone["e164"], "+19195550123");
    assert_eq!(phone["obscured"], true);
    assert_eq!(phone["field"], "body");
    let span = phone["span"].as_array().unwrap();
    let body = "call nine1nine-555-O one 2 3 now";
    let (s, e) = (
        span[0].as_u64().unwrap() as usize,
        span[1].as_u64().unwrap() as usize,
    );
    assert_eq!(&body[s..e], phone["raw"].as_str().unwrap());
    assert!(phone["raw"].as_str().unwrap().starts_with("nine1nine"));
}

#[test]
fn gen_corpus_then_ingest_stores_every_ad() {
    let dir = tempfile::tempdir().unwrap();
    plainsight(dir.path())
        .args([
            "gen-corpus",
            "--ads",
            "300",
            "--seed",
            "3",
            "--out",
            "c.jsonl",
            "--truth",
            "t.jsonl",
        ])
        .assert()
        .success();
    let ads = std::fs::read_to_string(dir.path().join("c.jsonl")).unwrap();
    assert_eq!(ads.lines().count(), 300);
    let out = plainsight(dir.path())
        .args(["ingest", "c.jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exact spam-flood copies are duplicates by content; everything else is stored.
    let stored: u64 = stderr
        .split(" stored")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let duplicate: u64 = stderr
        .split(" duplicate")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(stored + duplicate, 300, "{stderr}");
    assert!(stored > 250, "{stderr}");
}

#[test]
fn demo_runs_end_to_end_on_a_small_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    cmd.current_dir(dir.path())
        .env_remove("PLAINSIGHT_DB")
        .args(["demo", "--ads", "300", "--no-serve"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ads stored:"))
        .stdout(predicate::str::contains(
            "Phone extraction measured against the corpus truth",
        ));
    assert!(dir.path().join("plainsight-data/demo/demo.db").exists());
}

/// The workspace `plainsight(dir)` uses, opened in-process with the same key folder.
async fn open_ws(dir: &Path) -> plainsight_store::SqliteStore {
    plainsight_store::SqliteStore::open(&format!("sqlite://{}/ws.db", dir.display()))
        .await
        .unwrap()
}

/// Rewrites the audit log as an attacker holding only the database would: the append-only
/// triggers dropped, entry 2's detail changed, and every row from there re-hashed with `hash`.
async fn rewrite_audit_log(
    store: &plainsight_store::SqliteStore,
    hash: impl Fn(&str, &plainsight_access::AuditRecord) -> String,
) {
    use plainsight_store::AccessStore;
    for t in [
        "audit_log_append_only_update",
        "audit_log_append_only_delete",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER {t}")))
            .execute(store.pool())
            .await
            .unwrap();
    }
    let mut entries = store.audit_entries(0, 10_000).await.unwrap();
    entries[1].record.detail = Some("nothing to see".into());
    let mut prev = plainsight_access::GENESIS.to_string();
    for e in &entries {
        let h = hash(&prev, &e.record);
        sqlx::query("UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?")
            .bind(&e.record.detail)
            .bind(&prev)
            .bind(&h)
            .bind(e.record.seq)
            .execute(store.pool())
            .await
            .unwrap();
        prev = h;
    }
}

/// Removes the audit entries from `seq` on, as someone holding the database file would: the
/// append-only trigger dropped first.
async fn cut_audit_log(dir: &Path, seq: i64) {
    let store = open_ws(dir).await;
    sqlx::query("DROP TRIGGER audit_log_append_only_delete")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq >= ?")
        .bind(seq)
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
}

/// A workspace with some audited work and a signed checkpoint of its head.
fn audited_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["ana", "ben", "cy"] {
        plainsight(dir.path())
            .args(["user", "add", name, "--role", "analyst"])
            .assert()
            .success();
    }
    plainsight(dir.path())
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Keyed with the audit key (HMAC-SHA-256) from entry 1",
        ));
    plainsight(dir.path())
        .args(["audit", "checkpoint"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Checkpoint 5:"));
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_catches_forged_and_truncated_chains() {
    // Re-hashed with plain SHA-256: every entry is unsigned, and checkpoint 5 no longer holds.
    let dir = audited_workspace();
    let store = open_ws(dir.path()).await;
    rewrite_audit_log(&store, plainsight_access::chain_hash).await;
    store.close().await;
    let out = plainsight(dir.path())
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8_lossy(&out);
    assert!(
        out.contains("entry 1 is not signed with the audit key"),
        "{out}"
    );
    assert!(
        out.contains("entry 5 is not the entry checkpointed at line 2"),
        "{out}"
    );

    // Re-hashed with another key: altered from entry 1.
    let dir = audited_workspace();
    let store = open_ws(dir.path()).await;
    let other = plainsight_access::AuditKey::generate().unwrap();
    rewrite_audit_log(&store, |prev, r| {
        plainsight_access::keyed_chain_hash(&other, prev, r)
    })
    .await;
    store.close().await;
    plainsight(dir.path())
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "entry 1 was altered after it was written",
        ));

    // The newest entries deleted: the rest is a consistent chain, but the checkpoint of entry
    // 5 is missing, without any --expect-head.
    let dir = audited_workspace();
    cut_audit_log(dir.path(), 4).await;
    plainsight(dir.path())
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "checkpoint line 2 names entry 5, which is no longer in the log",
        ));

    // A checkpoint line edited by hand (to match a shorter log): its signature fails.
    let dir = audited_workspace();
    let file = dir.path().join("ws.db.keys/audit-checkpoints");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("v1 head 5 ", "v1 head 4 ")).unwrap();
    plainsight(dir.path())
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("checkpoint line 2 of"))
        .stdout(predicate::str::contains("signature does not match"));
}

/// A syslog copy of the checkpoints (`--audit-syslog`, sent over a Unix datagram socket as to
/// `/dev/log`) still catches a cut log after whoever could write to the key folder replaced
/// its checkpoint file.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn checkpoints_sent_to_syslog_catch_a_log_cut_after_the_checkpoint_file_was_replaced() {
    let dir = audited_workspace();
    let socket = dir.path().join("log.sock");
    let syslogd = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
    plainsight(dir.path())
        .args(["audit", "checkpoint", "--audit-syslog"])
        .arg(&socket)
        .assert()
        .success()
        .stdout(predicate::str::contains("A copy was sent to syslog at"));
    let mut buf = vec![0u8; 4096];
    let n = syslogd.recv(&mut buf).unwrap();
    let message = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(message.starts_with("<85>"), "{message}");
    assert!(message.contains("plainsight["), "{message}");
    assert!(message.contains("audit-checkpoint v1 head 6 "), "{message}");
    // What a syslog daemon writes to its file: its own prefix, other programs' lines.
    let auth_log = dir.path().join("auth.log");
    let ours = &message[message.find("plainsight[").unwrap()..];
    std::fs::write(
        &auth_log,
        format!("Dec  3 10:00:00 host sshd[7]: Accepted publickey\nDec  3 10:00:01 host {ours}\n"),
    )
    .unwrap();
    plainsight(dir.path())
        .args(["audit", "verify", "--checkpoints"])
        .arg(&auth_log)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 signed checkpoints in 1 other copies agree",
        ));

    // Someone holding the database and the key folder (so the audit key too) removes the
    // newest entries and the checkpoint line that names them: the file check alone passes.
    cut_audit_log(dir.path(), 6).await;
    let file = dir.path().join("ws.db.keys/audit-checkpoints");
    let text = std::fs::read_to_string(&file).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with("v1 head 6 "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(kept.lines().count(), text.lines().count() - 1);
    std::fs::write(&file, kept).unwrap();
    plainsight(dir.path())
        .args(["audit", "verify"])
        .assert()
        .success();
    // The syslog copy, out of their reach, still names entry 6.
    plainsight(dir.path())
        .args(["audit", "verify", "--checkpoints"])
        .arg(&auth_log)
        .assert()
        .code(1)
        // Gone, or (when the verification above took its number) another entry.
        .stdout(
            predicate::str::is_match(
                r"entry 6(, which is no longer in the log| is not the entry checkpointed)",
            )
            .unwrap(),
        )
        .stdout(predicate::str::contains("auth.log"));

    // A syslog file with no checkpoint of ours is reported, not taken as agreement.
    let empty = dir.path().join("other.log");
    std::fs::write(&empty, "Dec  3 10:00:00 host sshd[7]: Accepted publickey\n").unwrap();
    plainsight(dir.path())
        .args(["audit", "verify", "--checkpoints"])
        .arg(&empty)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "holds no checkpoint of this workspace",
        ));
}

/// With the syslog socket gone, the checkpoint is still written to the file, with a warning,
/// and `audit checkpoint` exits 1 so a cron job notices the missing copy.
#[cfg(unix)]
#[test]
fn a_missing_syslog_socket_warns_and_keeps_the_file_checkpoint() {
    let dir = audited_workspace();
    let before = std::fs::read_to_string(dir.path().join("ws.db.keys/audit-checkpoints")).unwrap();
    plainsight(dir.path())
        .env("PLAINSIGHT_AUDIT_SYSLOG", dir.path().join("no.sock"))
        .args(["audit", "checkpoint"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not sent to syslog at"));
    let after = std::fs::read_to_string(dir.path().join("ws.db.keys/audit-checkpoints")).unwrap();
    assert_eq!(after.lines().count(), before.lines().count() + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn store_commands_encrypt_and_rekey_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    // A workspace from before encryption: made without a key.
    let store = plainsight_store::SqliteStore::open_with(
        &format!("sqlite://{}", db.display()),
        &plainsight_store::KeyOptions {
            plaintext_new: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    store.close().await;
    std::fs::write(dir.path().join("ads.jsonl"), GOOD_AND_BAD).unwrap();
    plainsight(dir.path())
        .args(["ingest", "ads.jsonl", "--quarantine", "q.jsonl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is NOT encrypted"));
    let has = |needle: &[u8]| {
        std::fs::read(&db)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle)
    };
    assert!(has(b"SQLite format 3"));
    // An unencrypted workspace writes plain JSONL quarantine files.
    assert!(
        std::fs::read_to_string(dir.path().join("q.jsonl"))
            .unwrap()
            .contains("malformed JSON")
    );

    plainsight(dir.path())
        .args(["store", "encrypt"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Encrypted"));
    assert!(!has(b"SQLite format 3"));
    assert!(!has(b"last good one"));
    plainsight(dir.path())
        .args(["store", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("yes (SQLCipher, AES-256)"))
        .stdout(predicate::str::contains("database.key in the key folder"));
    let key_file = dir.path().join("ws.db.keys/database.key");
    let first_key = std::fs::read_to_string(&key_file).unwrap();

    plainsight(dir.path())
        .args(["store", "rekey"])
        .assert()
        .success();
    let second_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(first_key, second_key);
    // Everything is still there, under the new key.
    plainsight(dir.path())
        .args(["ingest", "ads.jsonl", "--quarantine", "q2.jsonl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("0 stored, 6 duplicate"));

    // The old key, given explicitly, is refused with a clear message that shows no key.
    let old = dir.path().join("old.key");
    std::fs::write(&old, &first_key).unwrap();
    let out = plainsight(dir.path())
        .arg("--key-file")
        .arg(&old)
        .args(["store", "status"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("the key does not open the workspace database"),
        "{err}"
    );
    assert!(!err.contains(first_key.trim()), "{err}");
    // Only our message: SQLCipher's own log lines ("ERROR CORE sqlcipher_page_cipher: hmac
    // check failed for pgno=1" and two more) are switched off.
    assert!(!err.contains("CORE"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // No key folder: the error says how to give the key.
    plainsight(dir.path())
        .env("PLAINSIGHT_KEY_DIR", dir.path().join("empty"))
        .args(["store", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is encrypted and no key was given",
        ));
    // A key the user keeps: rekey to it, then open with it from the environment only.
    let mine = dir.path().join("mine.key");
    std::fs::write(&mine, "a passphrase I keep myself\n").unwrap();
    plainsight(dir.path())
        .args(["store", "rekey", "--new-key-file"])
        .arg(&mine)
        .assert()
        .success();
    plainsight(dir.path())
        .env("PLAINSIGHT_KEY_DIR", dir.path().join("ws.db.keys"))
        .env("PLAINSIGHT_DB_KEY", "a passphrase I keep myself")
        .args(["store", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PLAINSIGHT_DB_KEY"));
}

#[test]
fn quarantine_files_are_sealed_and_a_cut_one_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ads.jsonl"), GOOD_AND_BAD).unwrap();
    plainsight(dir.path())
        .args(["ingest", "ads.jsonl", "--quarantine", "q.jsonl"])
        .assert()
        .code(1);
    let q = dir.path().join("q.jsonl");
    let sealed = std::fs::read(&q).unwrap();
    assert!(sealed.starts_with(b"PSSEAL01"));
    assert!(quarantine_text(dir.path(), &q).contains("malformed JSON"));
    // Cut short (a crash, a partial copy): reported, exit 1.
    let cut = dir.path().join("cut.jsonl");
    std::fs::write(&cut, &sealed[..sealed.len() - 5]).unwrap();
    plainsight(dir.path())
        .args(["quarantine", "show"])
        .arg(&cut)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cut short"));
    // Another workspace's key cannot open it.
    let other = tempfile::tempdir().unwrap();
    plainsight(other.path())
        .args(["quarantine", "show"])
        .arg(&q)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not decrypt"));
}

// `ingest --images DIR` end to end: a scraper's JSONL names its images by path or URL, the files
// under the folder are hashed (never stored), two ads with the same photo share its identifiers,
// and a path that leaves the folder is refused with a warning while its ad is kept.

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plainsight-photo/tests/fixtures/images")
        .join(name)
}

#[tokio::test]
async fn ingest_hashes_images_named_by_path_or_url_under_the_images_folder() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir_all(images.join("cdn.example/p")).unwrap();
    // The same photo under two names (one by path, one by URL), and another photo.
    std::fs::copy(fixture("scene_q90.jpg"), images.join("a.jpg")).unwrap();
    std::fs::copy(fixture("scene_q90.jpg"), images.join("cdn.example/p/b.jpg")).unwrap();
    std::fs::copy(fixture("noise_gray.png"), images.join("c.png")).unwrap();
    std::fs::write(dir.path().join("secret.png"), b"outside the folder").unwrap();
    let ads = concat!(
        r#"{"id":"p1","site":"s","body":"new in town","images":[{"path":"a.jpg"}]}"#,
        "\n",
        r#"{"id":"p2","site":"s","body":"ask for me","images":["https://cdn.example/p/b.jpg"]}"#,
        "\n",
        r#"{"id":"p3","site":"s","body":"other photo","images":[{"path":"c.png"}]}"#,
        "\n",
        r#"{"id":"p4","site":"s","body":"sneaky","images":[{"path":"../secret.png"}]}"#,
        "\n"
    );
    std::fs::write(dir.path().join("ads.jsonl"), ads).unwrap();
    let out = plainsight(dir.path())
        .args(["ingest", "ads.jsonl", "--images"])
        .arg(&images)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("unreadable image"), "{stderr}");

    let store =
        plainsight_store::SqliteStore::open(&format!("sqlite://{}/ws.db", dir.path().display()))
            .await
            .unwrap();
    assert_eq!(store.count_ads().await.unwrap(), 4, "no ad is lost");
    let phashes = store
        .top_identifiers(IdentifierKind::ImagePhash, 10)
        .await
        .unwrap();
    let counts: Vec<u64> = phashes.iter().map(|p| p.ads).collect();
    assert_eq!(counts, vec![2, 1], "{phashes:?}");
    assert!(phashes.iter().all(|p| p.value.len() == 16));
    let shas = store
        .top_identifiers(IdentifierKind::ImageSha256, 10)
        .await
        .unwrap();
    assert_eq!(shas.iter().map(|p| p.ads).collect::<Vec<_>>(), vec![2, 1]);
}
