//! Fuzz target `dates`: arbitrary text through the timestamp reader, with and without a site
//! zone, day-first reading and a crawl time, and as the post date of a record. Must never
//! panic; an instant that is read is always in the accepted range, and a record with any date
//! is always kept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_core::ad::{Ad, RecordOptions};
use plainsight_core::timestamp::{DateContext, EARLIEST, LATEST, parse_timestamp};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let crawled = chrono::DateTime::from_timestamp(1_386_331_200, 0);
    let contexts = [
        DateContext::default(),
        DateContext {
            zone: Some(chrono_tz::Europe::Berlin),
            day_first: true,
            crawled_at: crawled,
        },
        DateContext {
            zone: Some(chrono_tz::America::New_York),
            day_first: false,
            crawled_at: crawled,
        },
    ];
    for ctx in &contexts {
        if let Ok(t) = parse_timestamp(&text, ctx) {
            assert!((EARLIEST..LATEST).contains(&t.timestamp()), "{text:?} -> {t}");
        }
    }
    let record = serde_json::json!({"id": "1", "body": "kept", "posted_at": text, "date": text});
    let parsed = Ad::from_record(record, &RecordOptions::default()).expect("an object is an ad");
    assert_eq!(parsed.ad.body.as_deref(), Some("kept"));
});
