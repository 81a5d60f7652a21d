//! Fuzz target `ingest_fields`: the per-field paths of the JSONL and CSV readers on arbitrary
//! input: HTML in text fields (`markup::text_from_markup`), records of any shape
//! (`Ad::from_record`, with derived ids for records without one). Must never panic; an object
//! is always an ad, and its derived id is stable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_core::ad::{Ad, RecordOptions};
use plainsight_ingest::markup::text_from_markup;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let clean = text_from_markup(&text);
    // Only markup changes: text without `<` and `&` comes back as it was, and a reference or
    // tag never grows by more than the two longest references do (`&nGt;` is 5 bytes for 6).
    if !text.contains(['<', '&']) {
        assert_eq!(clean, text);
    }
    assert!(clean.len() <= text.len() + text.len() / 5, "{text:?} -> {clean:?}");
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let is_object = value.is_object();
        let first = Ad::from_record(value.clone(), &RecordOptions::default());
        assert_eq!(first.is_ok(), is_object);
        if let Ok(first) = first {
            let again = Ad::from_record(value, &RecordOptions::default()).unwrap();
            assert_eq!(first.ad.id, again.ad.id, "derived ids are stable");
            assert!(!first.ad.id.trim().is_empty());
        }
    }
});
