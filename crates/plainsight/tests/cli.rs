//! End-to-end tests of the `plainsight` binary: ingest, extract, gen-corpus and demo, with the
//! bad-input rules (report file, line and reason; keep the good records; exit status).

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn plainsight(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    cmd.current_dir(dir)
        .env("PLAINSIGHT_DB", format!("sqlite://{}/ws.db", dir.display()))
        .env_remove("RUST_LOG");
    cmd
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

    let quarantined: Vec<serde_json::Value> = std::fs::read_to_string(&q)
        .unwrap()
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
        std::fs::read_to_string(&q).unwrap().lines().count(),
        quarantined.len(),
        "the first run's quarantine file is untouched"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("q-2.jsonl"))
            .unwrap()
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
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}/ws.db", dir.path().display()))
            .await
            .unwrap();
        sqlx::query("SELECT source_id, posted_at FROM ads ORDER BY source_id")
            .fetch_all(&pool)
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
