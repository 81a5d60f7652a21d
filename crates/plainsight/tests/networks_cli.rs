//! End-to-end tests of `analyze`, `networks`, `network`, `export` and `calibrate` on a generated
//! corpus: every ad in exactly one network, stable ids across runs and new ads, the JSONL
//! contract, exports that parse, and calibration from ground-truth labels.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use assert_cmd::Command;

fn plainsight(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    cmd.current_dir(dir)
        .env("PLAINSIGHT_DB", format!("sqlite://{}/ws.db", dir.display()))
        .env_remove("RUST_LOG");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().clone();
    String::from_utf8(out.stdout).unwrap()
}

fn networks_jsonl(dir: &Path) -> Vec<serde_json::Value> {
    stdout(plainsight(dir).args(["networks", "--format", "jsonl"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Ad id → network id.
fn membership(networks: &[serde_json::Value]) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for n in networks {
        for ad in n["ads"].as_array().unwrap() {
            let previous = out.insert(
                ad.as_str().unwrap().to_string(),
                n["network_id"].as_u64().unwrap(),
            );
            assert!(previous.is_none(), "ad {ad} is in two networks");
        }
    }
    out
}

/// Split a generated corpus in two parts by line.
fn split_lines(path: &Path, first: &Path, second: &Path, at: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(first, lines[..at].join("\n") + "\n").unwrap();
    std::fs::write(second, lines[at..].join("\n") + "\n").unwrap();
}

#[test]
fn analyze_lists_every_ad_once_keeps_ids_stable_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    plainsight(d)
        .args([
            "gen-corpus",
            "--ads",
            "1200",
            "--seed",
            "5",
            "--out",
            "all.jsonl",
            "--truth",
            "truth.jsonl",
        ])
        .assert()
        .success();
    split_lines(
        &d.join("all.jsonl"),
        &d.join("a.jsonl"),
        &d.join("b.jsonl"),
        900,
    );
    plainsight(d).args(["ingest", "a.jsonl"]).assert().success();

    // Nothing analysed yet: a clear message, not an empty list.
    let out = plainsight(d).args(["networks"]).assert().failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("plainsight analyze"), "{err}");

    let summary = stdout(plainsight(d).args(["analyze"]));
    assert!(summary.contains("Analysed 900 ads"), "{summary}");
    assert!(!summary.to_lowercase().contains("probability"));

    let first = networks_jsonl(d);
    let first_members = membership(&first);
    assert_eq!(first_members.len(), 900, "every ad in exactly one network");
    for n in &first {
        for key in [
            "network_id",
            "ads",
            "phones",
            "emails",
            "handles",
            "image_hashes",
            "personas",
            "locations",
            "first_seen",
            "last_seen",
            "priority",
            "reasons",
            "links",
        ] {
            assert!(n.get(key).is_some(), "missing {key} in {n}");
        }
        let total: f64 = n["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["weight"].as_f64().unwrap())
            .sum();
        assert!(
            (total - n["priority"].as_f64().unwrap()).abs() < 0.01,
            "priority is the sum of its reasons: {n}"
        );
    }
    let priorities: Vec<f64> = first
        .iter()
        .map(|n| n["priority"].as_f64().unwrap())
        .collect();
    assert!(priorities.windows(2).all(|w| w[0] >= w[1]), "highest first");
    assert!(
        first.iter().any(|n| n["ads"].as_array().unwrap().len() > 1),
        "some ads are linked"
    );

    // Re-running on the same ads changes no id.
    plainsight(d).args(["analyze", "-q"]).assert().success();
    assert_eq!(membership(&networks_jsonl(d)), first_members);

    // New ads: every earlier network that only gained ads keeps its id.
    plainsight(d).args(["ingest", "b.jsonl"]).assert().success();
    plainsight(d).args(["analyze", "-q"]).assert().success();
    let second = networks_jsonl(d);
    let second_members = membership(&second);
    assert_eq!(second_members.len(), 1200);
    let mut by_old: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for (ad, old) in &first_members {
        by_old.entry(*old).or_default().insert(second_members[ad]);
    }
    let mut new_ids_of_old: BTreeMap<u64, usize> = BTreeMap::new();
    for news in by_old.values() {
        if news.len() == 1 {
            let new = *news.iter().next().unwrap();
            *new_ids_of_old.entry(new).or_default() += 1;
        }
    }
    for (old, news) in &by_old {
        if news.len() == 1 {
            let new = *news.iter().next().unwrap();
            if new_ids_of_old[&new] == 1 {
                assert_eq!(*old, new, "a network that only gained ads keeps its id");
            }
        }
    }
    let max_first = first_members.values().max().unwrap();
    let brand_new: BTreeSet<u64> = second_members
        .iter()
        .filter(|(ad, _)| !first_members.contains_key(*ad))
        .map(|(_, id)| *id)
        .filter(|id| !by_old.contains_key(id))
        .collect();
    assert!(
        brand_new.iter().all(|id| id > max_first),
        "new networks get new ids"
    );

    // Filters.
    let top3 = stdout(plainsight(d).args(["networks", "--format", "jsonl", "--top", "3"]));
    assert_eq!(top3.lines().count(), 3);
    let big = stdout(plainsight(d).args(["networks", "--format", "jsonl", "--min-ads", "3"]));
    for line in big.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["ads"].as_array().unwrap().len() >= 3);
    }
    let place = second
        .iter()
        .find_map(|n| n["locations"].as_array().unwrap().first().cloned())
        .expect("some network has a place");
    let wanted = format!(
        "{}, {}",
        place["name"].as_str().unwrap(),
        place["admin1"].as_str().unwrap()
    );
    let here = stdout(plainsight(d).args(["networks", "--format", "jsonl", "--location", &wanted]));
    assert!(here.lines().count() >= 1);
    for line in here.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            v["locations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["name"] == place["name"] && l["admin1"] == place["admin1"]),
            "{v}"
        );
    }
    let csv_out = stdout(plainsight(d).args(["networks", "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
    assert_eq!(reader.records().count(), second.len());
    let table = stdout(plainsight(d).args(["networks"]));
    assert!(table.contains("priority"), "{table}");

    // One network in full: the largest.
    let largest = second
        .iter()
        .max_by_key(|n| n["ads"].as_array().unwrap().len())
        .unwrap();
    let id = largest["network_id"].as_u64().unwrap().to_string();
    let shown = stdout(plainsight(d).args(["network", &id]));
    assert!(shown.contains(&format!("Network {id}")), "{shown}");
    assert!(shown.contains("Why it is ranked here"), "{shown}");
    assert!(shown.contains("What holds it together"), "{shown}");
    let json: serde_json::Value = serde_json::from_str(&stdout(
        plainsight(d).args(["network", &id, "--format", "json"]),
    ))
    .unwrap();
    assert_eq!(
        json["network"]["network_id"].as_u64().unwrap().to_string(),
        id
    );
    plainsight(d).args(["network", "999999"]).assert().failure();

    // Exports.
    plainsight(d)
        .args(["export", "--format", "graphml", "--out", "net.graphml"])
        .assert()
        .success();
    let graphml = std::fs::read_to_string(d.join("net.graphml")).unwrap();
    assert!(graphml.contains("<graphml"));
    assert!(
        graphml.matches("<node ").count() >= 1200,
        "every ad is a node"
    );
    plainsight(d)
        .args(["export", "--format", "i2-csv", "--out", "i2"])
        .assert()
        .success();
    let entities = std::fs::read_to_string(d.join("i2/entities.csv")).unwrap();
    let links = std::fs::read_to_string(d.join("i2/links.csv")).unwrap();
    assert!(entities.lines().count() > 1200);
    assert!(links.lines().count() > 1);
    let one = stdout(plainsight(d).args(["export", "--format", "json", "--network", &id]));
    let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(doc["networks"].as_array().unwrap().len(), 1);

    // Calibration from ground truth: operators' ads are the "relevant" reviews.
    let mut labels = String::from("ad_id,label\n");
    for line in std::fs::read_to_string(d.join("truth.jsonl"))
        .unwrap()
        .lines()
    {
        let t: serde_json::Value = serde_json::from_str(line).unwrap();
        let relevant = t["kind"] == "operator";
        labels.push_str(&format!(
            "{},{}\n",
            t["ad_id"].as_str().unwrap(),
            if relevant {
                "needs_investigation"
            } else {
                "not_relevant"
            }
        ));
    }
    // One row too short: reported with its line, and the good rows still count.
    labels.push_str("only-an-id\n");
    std::fs::write(d.join("labels.csv"), labels).unwrap();
    let out = plainsight(d)
        .args(["calibrate", "--labels", "labels.csv"])
        .assert()
        .success()
        .get_output()
        .clone();
    let report = String::from_utf8(out.stdout).unwrap();
    let warnings = String::from_utf8(out.stderr).unwrap();
    assert!(
        warnings.contains("labels.csv, line 1202: fewer columns"),
        "{warnings}"
    );
    assert!(report.contains("Cross-validated AUC"), "{report}");
    assert!(!report.to_lowercase().contains("probability"), "{report}");
    let listed = stdout(plainsight(d).args(["calibrate", "--list"]));
    assert!(listed.contains("* v1"), "{listed}");
    let summary = stdout(plainsight(d).args(["analyze"]));
    assert!(summary.contains("calibration v1"), "{summary}");
    plainsight(d)
        .args(["calibrate", "--rollback"])
        .assert()
        .success();
    let listed = stdout(plainsight(d).args(["calibrate", "--list"]));
    assert!(!listed.contains("* v1"), "{listed}");
    let summary = stdout(plainsight(d).args(["analyze"]));
    assert!(summary.contains("Weights: defaults"), "{summary}");
}

#[test]
fn exclusion_list_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ex.txt"), "phone:+18883737888\nnot a line\n").unwrap();
    std::fs::write(
        d.join("ads.jsonl"),
        "{\"id\":\"1\",\"body\":\"call 919 555 0123\"}\n",
    )
    .unwrap();
    plainsight(d)
        .args(["ingest", "ads.jsonl"])
        .assert()
        .success();
    let out = plainsight(d)
        .args(["analyze", "--exclude", "ex.txt"])
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("ex.txt, line 2"), "{err}");
}
