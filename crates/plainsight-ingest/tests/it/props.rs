//! Property tests: arbitrary bytes never panic a reader nor produce more ads than the input
//! could hold, and a cut archive keeps exactly its complete records.

use plainsight_ingest::{Format, ReadOptions};
use proptest::prelude::*;

use crate::read_bytes;
use crate::warc::{html_page, response};

fn small_limit() -> ReadOptions {
    ReadOptions {
        max_record_bytes: 256,
        ..ReadOptions::default()
    }
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Bytes biased towards each format's syntax so the parsers get past their first checks.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"{\"id\":\"1\"}".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"[".to_vec()),
            Just(b"]".to_vec()),
            Just(b",".to_vec()),
            Just(b"\"".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn csvish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"id,title\n".to_vec()),
            Just(b"1,x\n".to_vec()),
            Just(b"\"".to_vec()),
            Just(b",".to_vec()),
            Just(b"\r\n".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn warcish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"WARC/1.0\r\n".to_vec()),
            Just(b"WARC-Type: response\r\n".to_vec()),
            Just(b"Content-Length: 40\r\n".to_vec()),
            Just(b"Content-Type: application/http\r\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<title>t</title>".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..30,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn jsonl_never_yields_more_ads_than_objects_or_lines(bytes in prop_oneof![jsonish(), prop::collection::vec(any::<u8>(), 0..200)]) {
        let (records, problems) = read_bytes(&bytes, Format::Jsonl, &small_limit());
        let lines = count(&bytes, b"\n") + 1;
        // Every ad needs its own `{`; in line mode each line yields at most one item.
        let objects = count(&bytes, b"{");
        prop_assert!(records.len() <= objects, "{} ads from {} objects", records.len(), objects);
        let array_mode = bytes.trim_ascii_start().strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes.trim_ascii_start()).starts_with(b"[");
        if !array_mode {
            prop_assert!(records.len() + problems.len() <= lines + 1);
        }
    }

    #[test]
    fn csv_never_yields_more_ads_than_data_lines(bytes in prop_oneof![csvish(), prop::collection::vec(any::<u8>(), 0..200)]) {
        let (records, problems) = read_bytes(&bytes, Format::Csv, &small_limit());
        let lines = count(&bytes, b"\n") + count(&bytes, b"\r") + 1;
        prop_assert!(records.len() < lines);
        prop_assert!(records.len() + problems.len() <= lines);
    }

    #[test]
    fn warc_never_yields_more_ads_than_version_lines(bytes in prop_oneof![warcish(), prop::collection::vec(any::<u8>(), 0..300)]) {
        let (records, _) = read_bytes(&bytes, Format::Warc, &small_limit());
        prop_assert!(records.len() <= count(&bytes, b"WARC/"));
    }

    #[test]
    fn html_pages_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let (records, problems) = read_bytes(&bytes, Format::HtmlDir, &small_limit());
        prop_assert_eq!(records.len() + problems.len(), 1);
    }

    /// A WARC cut anywhere yields exactly the records whose blocks end before the cut.
    #[test]
    fn cut_warc_keeps_exactly_the_complete_records(n in 1usize..6, cut_fraction in 0.0f64..1.0) {
        let mut warc = Vec::new();
        let mut block_ends = Vec::new();
        for i in 0..n {
            let rec = response(&i.to_string(), "https://x.example/", "Content-Type: text/html\r\n", html_page("T", &format!("ad {i}")).as_bytes());
            // The record helper ends every record with CRLF CRLF after the block.
            block_ends.push(warc.len() + rec.len() - 4);
            warc.extend(rec);
        }
        let cut = ((warc.len() as f64) * cut_fraction) as usize;
        let (records, problems) = read_bytes(&warc[..cut], Format::Warc, &ReadOptions::default());
        let complete = block_ends.iter().filter(|&&end| end <= cut).count();
        prop_assert_eq!(records.len(), complete);
        prop_assert!(problems.len() <= 1);
    }
}
