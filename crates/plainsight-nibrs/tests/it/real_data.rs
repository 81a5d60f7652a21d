//! The real Louisiana 2014 CDE package and Vermont April 2020 flat file: figures compared with
//! the independent computation, plus JSON/CSV snapshots and HTML checks.

use std::collections::BTreeMap;
use std::io::BufReader;

use plainsight_nibrs::figures::Report;
use plainsight_nibrs::{
    HtmlOptions, ReadOptions, ReportFilter, ReportInput, SexTradeOffense, build_report,
    read_cde_dir, read_flat_file, render_csv, render_html, render_json,
};

use crate::data;
use crate::independent::{expected_cde, expected_flat};

fn la_report(filter: &ReportFilter) -> Report {
    let dataset = read_cde_dir(&data("cde-LA-2014"), &ReadOptions::default()).expect("read LA");
    let mut input = ReportInput::default();
    input.add(dataset);
    build_report(&input, filter)
}

#[test]
fn la_agency_and_state_counts_match_the_raw_rows() {
    let expected = expected_cde(&data("cde-LA-2014"));
    let report = la_report(&ReportFilter::default());
    // Every (agency, code) the raw rows produce, and nothing else.
    let mut got: BTreeMap<(String, String), (u64, u64, u64, u64)> = BTreeMap::new();
    for a in &report.agencies {
        assert_eq!(a.state, "LA");
        assert_eq!(a.year, 2014);
        for o in SexTradeOffense::ALL {
            let c = a.arrests.get(o);
            if c.total > 0 {
                got.insert(
                    (a.ori.clone(), o.code().to_string()),
                    (c.total, c.female, c.male, c.juvenile),
                );
            }
        }
    }
    let want: BTreeMap<(String, String), (u64, u64, u64, u64)> = expected
        .per_agency
        .iter()
        .map(|(k, c)| (k.clone(), (c.total, c.female, c.male, c.juvenile)))
        .collect();
    assert!(!want.is_empty(), "the LA package has sex-trade arrests");
    assert_eq!(got, want);

    assert_eq!(report.states.len(), 1);
    let state = &report.states[0];
    for o in SexTradeOffense::ALL {
        let c = state.arrests.get(o);
        let e = expected.state.get(o.code()).copied().unwrap_or_default();
        assert_eq!(
            (c.total, c.female, c.male, c.juvenile),
            (e.total, e.female, e.male, e.juvenile),
            "state figures for {o}"
        );
    }
    assert_eq!(
        state.multiple_records_not_counted,
        expected.multiple_skipped
    );
}

#[test]
fn la_months_reported_match_the_month_table() {
    let expected = expected_cde(&data("cde-LA-2014"));
    let report = la_report(&ReportFilter::default());
    let got: BTreeMap<String, u8> = report
        .agencies
        .iter()
        .filter_map(|a| a.months_reported.map(|m| (a.ori.clone(), m)))
        .collect();
    assert_eq!(got, expected.months_reported);
    // Agencies that never reported are told apart from agencies that reported no arrests.
    assert!(report.agencies.iter().any(|a| a.months_reported == Some(0)));
    assert!(
        report
            .agencies
            .iter()
            .any(|a| a.months_reported == Some(12))
    );
}

#[test]
fn la_zip_reads_the_same_as_the_folder() {
    let dir = data("cde-LA-2014");
    let folder = read_cde_dir(&dir, &ReadOptions::default()).unwrap();
    let zip_bytes = crate::layouts::zip_folder(&dir, "LA-2014/");
    let zipped = plainsight_nibrs::read_cde_zip(
        std::io::Cursor::new(zip_bytes),
        "LA-2014.zip",
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(folder.arrests, zipped.arrests);
    assert_eq!(folder.months, zipped.months);
    assert_eq!(folder.agencies, zipped.agencies);
}

#[test]
fn la_json_snapshot() {
    let mut report = la_report(&ReportFilter::default());
    // Keep the snapshot readable: agencies with arrests, plus the state figures.
    report.agencies.retain(|a| a.arrests.total() > 0);
    report.sources.clear();
    insta::assert_snapshot!("la_2014_json", render_json(&report));
}

#[test]
fn la_csv_snapshot() {
    let report = la_report(&ReportFilter::default());
    let csv = render_csv(&report);
    // One header plus one row per agency-year.
    assert_eq!(csv.lines().count(), report.agencies.len() + 1);
    insta::assert_snapshot!("la_2014_csv", csv);
}

#[test]
fn csv_cells_from_outside_files_never_run_as_spreadsheet_formulas() {
    let mut report = la_report(&ReportFilter::default());
    // An agency file (or a crafted package) names an agency and county with formulas.
    report.agencies[0].name = Some("=HYPERLINK(\"http://x.example\",\"open\")".into());
    report.agencies[0].county = Some("@SUM(A1)".into());
    report.agencies[0].agency_type = Some("+1+1".into());
    let csv = render_csv(&report);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(
        &first[col("name")],
        "'=HYPERLINK(\"http://x.example\",\"open\")"
    );
    assert_eq!(&first[col("county")], "'@SUM(A1)");
    assert_eq!(&first[col("agency_type")], "'+1+1");
    // Numbers stay numbers.
    assert!(first[col("year")].parse::<i32>().is_ok());
}

#[test]
fn la_html_is_self_contained_and_plain_spoken() {
    let report = la_report(&ReportFilter {
        year: Some(2014),
        ..ReportFilter::default()
    });
    let html = render_html(&report, &HtmlOptions::default());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(!html.contains("src=\"http"), "no remote assets");
    assert!(
        !html.contains("href=\"http"),
        "no links out that the report depends on"
    );
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(html.contains("Louisiana 2014"));
    // A scorecard sentence for an agency with seller arrests and no buyers.
    let seller_agency = report
        .agencies
        .iter()
        .find(|a| a.arrests.prostitution.total > 0 && a.arrests.purchasing.total == 0)
        .expect("LA 2014 has an agency with 40A arrests and no 40C arrests");
    let sentence = plainsight_nibrs::html::agency_sentence(seller_agency);
    assert!(sentence.contains("for selling sex"), "{sentence}");
    assert!(sentence.ends_with("and no buyers."), "{sentence}");
    assert!(html.contains(&plainsight_nibrs::html::escape(&sentence)));
    // Zero-arrest agencies are summarised, not given scorecards.
    let zero = report
        .agencies
        .iter()
        .filter(|a| a.arrests.total() == 0)
        .count();
    assert!(zero > 200);
    assert!(html.matches("<article").count() < 20);
    assert!(html.contains("Did not report to NIBRS: no data"));
    assert!(html.contains("id=\"methods\""));
}

#[test]
fn vt_flat_file_matches_the_raw_segments() {
    let path = data("flatfile/VTUCR0001_20200420_NIBRS_010.txt");
    let expected = expected_flat(&path);
    let file = std::fs::File::open(&path).unwrap();
    let dataset = read_flat_file(BufReader::new(file), "VT", &ReadOptions::default()).unwrap();
    assert_eq!(dataset.stats.arrest_records, expected.arrest_records);
    assert_eq!(dataset.stats.deletes, expected.deletes);
    assert!(expected.deletes > 0, "the file has delete actions");
    let mut got_codes: BTreeMap<String, u64> = BTreeMap::new();
    for a in &dataset.arrests {
        *got_codes.entry(a.offense.code().to_string()).or_default() += 1;
    }
    assert_eq!(got_codes, expected.sex_trade);
    let got_months: BTreeMap<(String, i32, u8), char> = dataset
        .months
        .iter()
        .map(|m| {
            let c = match m.status {
                plainsight_nibrs::MonthStatus::Filed => 'I',
                plainsight_nibrs::MonthStatus::ZeroReport => 'Z',
                plainsight_nibrs::MonthStatus::NotReported => 'U',
            };
            ((m.ori.clone(), m.year, m.month), c)
        })
        .collect();
    assert_eq!(got_months, expected.months);
    assert!(
        got_months.values().any(|c| *c == 'Z'),
        "zero reports are read"
    );
    assert!(dataset.months.iter().all(|m| m.state == "VT"));
}

#[test]
fn vt_report_shows_zero_reports_as_reported_months() {
    let path = data("flatfile/VTUCR0001_20200420_NIBRS_010.txt");
    let file = std::fs::File::open(&path).unwrap();
    let dataset = read_flat_file(BufReader::new(file), "VT", &ReadOptions::default()).unwrap();
    let mut input = ReportInput::default();
    input.add(dataset);
    let report = build_report(&input, &ReportFilter::default());
    // VT0050300 sent nothing but a zero report for April 2020.
    let april = report
        .agencies
        .iter()
        .find(|a| a.ori == "VT0050300" && a.year == 2020)
        .expect("VT0050300 zero-reported April 2020");
    assert_eq!(april.months_reported, Some(1));
    assert_eq!(april.months.zero_report, 1);
    assert_eq!(april.arrests.total(), 0);
}
