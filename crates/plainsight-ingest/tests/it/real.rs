//! Real scraped ads (DIG, Apache-2.0; `tests/data/dig-ads/SOURCE.md`): every record is read,
//! with its date (`dateCreated` without an offset) and its site (a one-item list), and the
//! HTML in its text becomes text.

use chrono::NaiveDateTime;
use plainsight_ingest::{ReadOptions, open_path};

use crate::collect;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/dig-ads/ads-sample.jsonl"
);

#[test]
fn every_real_record_is_read_with_its_date_and_site() {
    let raw: Vec<serde_json::Value> = std::fs::read_to_string(SAMPLE)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (records, problems) = collect(open_path(SAMPLE.as_ref(), &ReadOptions::default()).unwrap());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.len(), raw.len());
    assert_eq!(raw.len(), 12);
    for (record, raw) in records.iter().zip(&raw) {
        assert!(record.warnings.is_empty(), "{:?}", record.warnings);
        let written = raw["dateCreated"].as_str().unwrap();
        let expected = NaiveDateTime::parse_from_str(written, "%Y-%m-%dT%H:%M:%S")
            .unwrap()
            .and_utc();
        assert_eq!(record.ad.posted_at, Some(expected), "{written}");
        assert!(
            !record.ad.extra.contains_key("dateCreated"),
            "the date field was used"
        );
        assert_eq!(record.ad.id, raw["id"].as_str().unwrap());
        assert_eq!(record.ad.site.as_deref(), raw["site"][0].as_str());
        let body = record.ad.body.as_deref().unwrap();
        for markup in ["&nbsp;", "<br/>", "<br>", "&#8593;"] {
            assert!(!body.contains(markup), "{markup} left in {body:?}");
        }
    }
    // Markup that is not a line break stays for the normaliser (`<u>` around a number).
    assert!(
        records[1]
            .ad
            .body
            .as_deref()
            .unwrap()
            .contains("Call <u>915-799-5634</u>.")
    );
    assert!(
        records[11]
            .ad
            .body
            .as_deref()
            .unwrap()
            .starts_with("\"↑↑↑ Contact us")
    );
}
