//! End-to-end tests of `plainsight law check|changes`: the examples through the binary,
//! the exact JSON keys, the notice on every answer, federal law beside the state's, the
//! briefing formats, and refusals of bad input (exit status 2 and a reason). No database is
//! touched: the commands run in an empty folder and leave it empty.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const NOTICE: &str = plainsight_law::NOTICE;

fn plainsight(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    cmd.current_dir(dir)
        .env("PLAINSIGHT_DB", format!("sqlite://{}/ws.db", dir.display()));
    cmd
}

fn check_json(dir: &Path, args: &[&str]) -> Value {
    let out = plainsight(dir)
        .args(["law", "check", "--jurisdiction", "NC", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(NOTICE),
        "the JSON answer's notice goes to standard error"
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn citations(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["citation"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn buying_with_coercion_lists_sexual_servitude_only_from_1_december_2019() {
    let dir = tempfile::tempdir().unwrap();
    let before = check_json(
        dir.path(),
        &["--date", "2019-11-30", "--conduct", "buying", "--coercion"],
    );
    assert!(!citations(&before, "statutes").contains(&"G.S. 14-43.13".to_string()));
    let on = check_json(
        dir.path(),
        &["--date", "2019-12-01", "--conduct", "buying", "--coercion"],
    );
    let statutes = on["statutes"].as_array().unwrap();
    let s = statutes
        .iter()
        .find(|s| s["citation"] == "G.S. 14-43.13")
        .expect("listed on 2019-12-01");
    assert!(s["why"].as_str().unwrap().contains("S.L. 2019-158"));
    assert_eq!(s["effective_from"], "2019-12-01");
    assert_eq!(s["nibrs_code"], "64A");
    // Federal law is listed beside the state's.
    assert!(citations(&on, "statutes").contains(&"18 U.S.C. 1591".to_string()));
    // The top level and each statute have exactly the documented keys.
    let mut keys: Vec<&String> = on.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["conduct", "date", "jurisdiction", "protections", "statutes"]
    );
    assert_eq!(on["jurisdiction"], "NC");
    assert_eq!(on["date"], "2019-12-01");
    assert_eq!(on["conduct"], "buying");
    let mut keys: Vec<&String> = s.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "citation",
            "class",
            "effective_from",
            "effective_to",
            "nibrs_code",
            "sources",
            "title",
            "verified",
            "why"
        ]
    );
    // Nothing was written where the command ran.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn selling_by_a_minor_lists_the_safe_harbor_first_in_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let v = check_json(
        dir.path(),
        &["--date", "2020-06-15", "--conduct", "selling", "--minor"],
    );
    assert!(citations(&v, "protections").contains(&"G.S. 14-204(c)".to_string()));
    let out = plainsight(dir.path())
        .args([
            "law",
            "check",
            "--jurisdiction",
            "nc",
            "--date",
            "2020-06-15",
            "--conduct",
            "selling",
            "--minor",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with(NOTICE));
    let protections = table.find("Protections").unwrap();
    let statutes = table.find("Statutes").unwrap();
    assert!(
        protections < statutes,
        "for selling, protections come first"
    );
    assert!(table.contains("G.S. 14-204(c) Safe Harbor for minors"));
}

#[test]
fn federal_law_alone_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = plainsight(dir.path())
        .args([
            "law",
            "check",
            "--jurisdiction",
            "US",
            "--date",
            "2019-12-01",
            "--conduct",
            "trafficking",
            "--minor",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(citations(&v, "statutes"), ["18 U.S.C. 1591"]);
    assert_eq!(v["statutes"][0]["verified"], false);
}

#[test]
fn changes_briefing_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let run = |format: &str| {
        let out = plainsight(dir.path())
            .args([
                "law",
                "changes",
                "--jurisdiction",
                "NC",
                "--since",
                "2019-01-01",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = run("text");
    assert!(text.starts_with(NOTICE));
    assert!(flat(&text).contains("Since 1 December 2019, a person who obtains another"));
    assert!(flat(&text).contains("Since 1 December 2024"));
    assert!(
        !text.contains("1 October 2013:"),
        "--since leaves out older changes"
    );
    assert!(text.contains("[NOT VERIFIED]"));
    let md = run("markdown");
    assert!(md.starts_with("# What changed in the law since 1 January 2019"));
    let html = run("html");
    assert!(html.starts_with("<!doctype html>") && html.contains(NOTICE));
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["notice"], NOTICE);
    assert!(
        json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["date"].as_str().unwrap() >= "2015")
    );
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = plainsight(dir.path())
        .args([
            "law",
            "check",
            "--jurisdiction",
            "ZZ",
            "--date",
            "2020-01-01",
            "--conduct",
            "buying",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown jurisdiction \"ZZ\"") && stderr.contains("NC"),
        "{stderr}"
    );

    let out = plainsight(dir.path())
        .args([
            "law",
            "check",
            "--jurisdiction",
            "NC",
            "--date",
            "2019-02-30",
            "--conduct",
            "buying",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a day written YYYY-MM-DD"));

    let out = plainsight(dir.path())
        .args([
            "law",
            "check",
            "--jurisdiction",
            "NC",
            "--date",
            "2020-01-01",
            "--conduct",
            "loitering",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loitering"));
}

#[test]
fn help_shows_examples() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["check", "changes"] {
        let out = plainsight(dir.path())
            .args(["law", sub, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(
            help.contains("Examples:") && help.contains("not legal advice"),
            "{help}"
        );
    }
}
