//! End-to-end tests of `plainsight nibrs import|report` on the real Louisiana 2014 CDE package
//! and Vermont flat file (test data of the plainsight-nibrs crate): idempotent import, the
//! three output formats, exit statuses, and a package missing tables.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use plainsight_nibrs::{ReadOptions, ReportFilter, ReportInput, SexTradeOffense, build_report};
use serde_json::Value;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plainsight-nibrs/tests/data")
        .join(path)
}

fn plainsight(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    cmd.arg("--db")
        .arg(format!("sqlite://{}", db.display()))
        .arg("--quiet");
    cmd
}

fn json_report(db: &Path, extra: &[&str]) -> Value {
    let out = plainsight(db)
        .args(["nibrs", "report", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// State totals straight from the library, for comparison with what went through the database.
fn library_state_totals(dir: &Path, options: &ReadOptions) -> Vec<(String, u64)> {
    let mut input = ReportInput::default();
    input.add(plainsight_nibrs::read_cde_dir(dir, options).unwrap());
    let report = build_report(&input, &ReportFilter::default());
    SexTradeOffense::ALL
        .iter()
        .map(|o| {
            let total: u64 = report.states.iter().map(|s| s.arrests.get(*o).total).sum();
            (o.code().to_string(), total)
        })
        .collect()
}

fn json_state_totals(report: &Value) -> Vec<(String, u64)> {
    SexTradeOffense::ALL
        .iter()
        .map(|o| {
            let total: u64 = report["states"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["arrests"][o.code()]["total"].as_u64().unwrap())
                .sum();
            (o.code().to_string(), total)
        })
        .collect()
}

#[test]
fn importing_the_same_package_twice_does_not_double_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("ws.db");
    let la = data("cde-LA-2014");
    plainsight(&db)
        .args(["nibrs", "import"])
        .arg(&la)
        .assert()
        .code(0);
    let first = json_report(&db, &["--state", "LA"]);
    plainsight(&db)
        .args(["nibrs", "import"])
        .arg(&la)
        .assert()
        .code(0);
    let second = json_report(&db, &["--state", "LA"]);
    assert_eq!(first["agencies"], second["agencies"]);
    assert_eq!(first["states"], second["states"]);
    let expected = library_state_totals(&la, &ReadOptions::default());
    assert!(expected.iter().any(|(_, n)| *n > 0));
    assert_eq!(json_state_totals(&second), expected);
    assert_eq!(
        second["agencies"].as_array().unwrap().len() as u64,
        // Every agency in the package's agency table appears once.
        std::fs::read_to_string(la.join("cde_agencies.csv"))
            .unwrap()
            .lines()
            .count() as u64
            - 1
    );
    assert_eq!(second["sources"].as_array().unwrap().len(), 1);
}

#[test]
fn csv_and_html_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("ws.db");
    plainsight(&db)
        .args(["nibrs", "import"])
        .arg(data("cde-LA-2014"))
        .assert()
        .code(0);
    let json = json_report(&db, &["--year", "2014"]);
    let out = plainsight(&db)
        .args(["nibrs", "report", "--format", "csv", "--year", "2014"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        csv.lines().count(),
        json["agencies"].as_array().unwrap().len() + 1
    );
    assert!(csv.starts_with("state,year,ori,name,"));

    let html_path = tmp.path().join("la.html");
    plainsight(&db)
        .args([
            "nibrs", "report", "--state", "LA", "--format", "html", "--out",
        ])
        .arg(&html_path)
        .assert()
        .code(0);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("<svg") && html.contains("Louisiana 2014"));
    assert!(!html.contains("<script"));

    // One agency.
    let ori = json["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["sex_trade_arrests"].as_u64().unwrap() > 0)
        .unwrap()["ori"]
        .as_str()
        .unwrap()
        .to_string();
    let one = json_report(&db, &["--agency", &ori]);
    assert_eq!(one["agencies"].as_array().unwrap().len(), 1);
    assert_eq!(one["agencies"][0]["ori"], ori.as_str());
}

#[test]
fn a_partial_package_gives_statewide_figures_and_exit_status_1() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("partial");
    std::fs::create_dir_all(pkg.join("extra-level")).unwrap();
    for name in ["nibrs_arrestee.csv", "nibrs_offense_type.csv"] {
        std::fs::copy(
            data("cde-LA-2014").join(name),
            pkg.join("extra-level")
                .join(name.to_uppercase().replace(".CSV", ".csv")),
        )
        .unwrap();
    }
    let db = tmp.path().join("ws.db");
    let out = plainsight(&db)
        .args(["nibrs", "import", "--state", "LA", "--year", "2014"])
        .arg(&pkg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = json_report(&db, &[]);
    assert!(report["agencies"].as_array().unwrap().is_empty());
    let expected = library_state_totals(
        &pkg,
        &ReadOptions {
            state: Some("LA".into()),
            year: Some(2014),
            ..Default::default()
        },
    );
    assert_eq!(json_state_totals(&report), expected);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("NIBRS_incident.csv"), "{warnings}");
}

#[test]
fn flat_file_import_and_exit_statuses() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("ws.db");
    // No data yet: the report fails with status 2 and says what to do.
    plainsight(&db)
        .args(["nibrs", "report", "--format", "json"])
        .assert()
        .code(2);
    let vt = data("flatfile/VTUCR0001_20200420_NIBRS_010.txt");
    let status = plainsight(&db)
        .args(["nibrs", "import"])
        .arg(&vt)
        .output()
        .unwrap()
        .status
        .code();
    assert!(matches!(status, Some(0) | Some(1)));
    let report = json_report(&db, &["--state", "VT", "--year", "2020"]);
    let zero = report["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["ori"] == "VT0050300")
        .expect("a zero-reporting agency");
    assert_eq!(zero["months"]["zero_report"], 1);

    // Something that is not NIBRS data at all: status 2.
    let junk = tmp.path().join("junk.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    plainsight(&db)
        .args(["nibrs", "import"])
        .arg(&junk)
        .assert()
        .code(2);
    // A bad --state is refused.
    plainsight(&db)
        .args(["nibrs", "import", "--state", "Louisiana"])
        .arg(&vt)
        .assert()
        .code(2);
}

#[test]
fn a_refused_package_is_reported_and_the_other_inputs_are_imported() {
    let tmp = tempfile::tempdir().unwrap();
    // One endless record (3 MiB, over the default 1 MiB record limit).
    let bomb = tmp.path().join("bomb");
    std::fs::create_dir_all(&bomb).unwrap();
    let mut text = b"arrestee_id,incident_id,offense_code\n".to_vec();
    text.extend(std::iter::repeat_n(b'9', 3 << 20));
    std::fs::write(bomb.join("NIBRS_ARRESTEE.csv"), text).unwrap();
    let db = tmp.path().join("ws.db");
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    let out = cmd
        .arg("--db")
        .arg(format!("sqlite://{}", db.display()))
        .args(["nibrs", "import"])
        .arg(&bomb)
        .arg(data("cde-LA-2014"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused:"), "{stderr}");
    assert!(
        stderr.contains("has a record longer than 1048576 bytes (the record limit)"),
        "{stderr}"
    );
    // The good package after it was imported all the same.
    let report = json_report(&db, &["--state", "LA"]);
    assert!(!report["agencies"].as_array().unwrap().is_empty());
}
