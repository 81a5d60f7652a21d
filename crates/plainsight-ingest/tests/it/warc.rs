//! WARC reader: HTML responses become ads, everything else is skipped and counted; damaged
//! and truncated archives keep every complete record before the damage.

use plainsight_ingest::{Format, ReadOptions, open_path};

use crate::{collect, gzip, ids, read_bytes, write_file};

/// One WARC record with the given type, extra headers and block.
pub fn record(warc_type: &str, headers: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut out = format!("WARC/1.1\r\nWARC-Type: {warc_type}\r\n").into_bytes();
    for (name, value) in headers {
        out.extend(format!("{name}: {value}\r\n").bytes());
    }
    out.extend(format!("Content-Length: {}\r\n\r\n", block.len()).bytes());
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// A `response` record holding an HTTP response.
pub fn response(id: &str, uri: &str, http_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut block = format!("HTTP/1.1 200 OK\r\n{http_headers}\r\n").into_bytes();
    block.extend_from_slice(body);
    record(
        "response",
        &[
            ("WARC-Record-ID", &format!("<urn:uuid:{id}>")),
            ("WARC-Target-URI", uri),
            ("WARC-Date", "2024-06-01T12:30:00Z"),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        &block,
    )
}

pub fn html_page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html><head><title>{title}</title></head><body><p>{text}</p></body></html>"
    )
}

fn mixed_archive() -> Vec<u8> {
    let mut warc = record(
        "warcinfo",
        &[("Content-Type", "application/warc-fields")],
        b"software: test\r\n",
    );
    warc.extend(record(
        "request",
        &[("WARC-Target-URI", "https://ads.example/1")],
        b"GET /1 HTTP/1.1\r\nHost: ads.example\r\n\r\n",
    ));
    warc.extend(response(
        "0001",
        "https://Ads.Example:443/listing/1",
        "Content-Type: text/html; charset=utf-8\r\n",
        html_page("Ad one", "Call <b>Anna</b> now").as_bytes(),
    ));
    warc.extend(response(
        "0002",
        "https://ads.example/logo.png",
        "Content-Type: image/png\r\n",
        b"\x89PNG\r\n\x1a\n",
    ));
    warc.extend(record(
        "metadata",
        &[("Content-Type", "application/warc-fields")],
        b"outlinks: x\r\n",
    ));
    // Chunked transfer-encoding and a Cyrillic page in windows-1251.
    let page = html_page("Объявление", "Привет, звоните");
    let (cyrillic, _, _) = encoding_rs::WINDOWS_1251.encode(&page);
    let mut chunked = Vec::new();
    for piece in cyrillic.chunks(17) {
        chunked.extend(format!("{:x}\r\n", piece.len()).bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    warc.extend(response(
        "0003",
        "http://ru.example/ad?id=3",
        "Content-Type: text/html; charset=windows-1251\r\nTransfer-Encoding: chunked\r\n",
        &chunked,
    ));
    // A redirect is HTML too, but not a page worth an ad.
    let mut redirect =
        b"HTTP/1.1 301 Moved\r\nContent-Type: text/html\r\nLocation: /x\r\n\r\n".to_vec();
    redirect.extend(html_page("Moved", "moved").bytes());
    warc.extend(record(
        "response",
        &[("Content-Type", "application/http; msgtype=response")],
        &redirect,
    ));
    warc
}

#[test]
fn html_responses_become_ads_and_other_records_are_counted() {
    let (records, problems) = read_bytes(&mixed_archive(), Format::Warc, &ReadOptions::default());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ids(&records), ["urn:uuid:0001", "urn:uuid:0003"]);
    assert_eq!(
        records.iter().map(|r| r.line).collect::<Vec<_>>(),
        [3, 6],
        "record numbers"
    );
    insta::assert_json_snapshot!("warc_first_ad", records[0].ad);
    let cyrillic = &records[1].ad;
    assert_eq!(cyrillic.title.as_deref(), Some("Объявление"));
    assert_eq!(cyrillic.body.as_deref(), Some("Привет, звоните"));
    assert_eq!(cyrillic.site.as_deref(), Some("ru.example"));
}

#[test]
fn skipped_records_are_counted_by_kind() {
    let mut reader = plainsight_ingest::from_reader(
        Box::new(std::io::Cursor::new(mixed_archive())),
        "x.warc",
        Format::Warc,
        &ReadOptions::default(),
    );
    while reader.next().is_some() {}
    let skipped = reader.skipped();
    assert_eq!(skipped.get("warcinfo record"), Some(&1));
    assert_eq!(skipped.get("request record"), Some(&1));
    assert_eq!(skipped.get("metadata record"), Some(&1));
    // The PNG response is kept for the pages that reference it (its hashes, not its bytes).
    assert_eq!(
        skipped.get("image response (hashed for its pages)"),
        Some(&1)
    );
    assert_eq!(skipped.get("non-2xx HTTP response"), Some(&1));
}

#[test]
fn gzip_per_record_members_read_as_one_archive() {
    let dir = tempfile::tempdir().unwrap();
    let plain = mixed_archive();
    let mut members = Vec::new();
    // Real .warc.gz files compress each record as its own gzip member.
    let mut start = 0;
    for (i, window) in plain.windows(9).enumerate() {
        if i > 0 && window == b"\r\n\r\nWARC/" {
            members.extend(gzip(&plain[start..i + 4]));
            start = i + 4;
        }
    }
    members.extend(gzip(&plain[start..]));
    let path = write_file(dir.path(), "crawl.warc.gz", &members);
    let (records, problems) = collect(open_path(&path, &ReadOptions::default()).unwrap());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ids(&records), ["urn:uuid:0001", "urn:uuid:0003"]);
}

#[test]
fn truncated_gzip_keeps_complete_records_and_names_the_broken_one() {
    let mut members = Vec::new();
    let mut last_member_len = 0;
    for i in 0..50 {
        let member = gzip(&response(
            &format!("{i:04}"),
            &format!("https://ads.example/{i}"),
            "Content-Type: text/html\r\n",
            html_page(&format!("Ad {i}"), &"some words ".repeat(200)).as_bytes(),
        ));
        last_member_len = member.len();
        members.extend(member);
    }
    // Cut the last member in half.
    let cut = &members[..members.len() - last_member_len / 2];
    let (records, problems) = read_bytes(cut, Format::Warc, &ReadOptions::default());
    assert_eq!(records.len(), 49, "every complete record is kept");
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = &problems[0];
    assert_eq!(problem.line, 50);
    assert!(problem.offset.unwrap() > 0);
    assert!(problem.reason.contains("truncated"), "{}", problem.reason);
    assert!(
        problem.to_string().contains("record 50 (byte offset"),
        "{problem}"
    );
}

#[test]
fn truncated_plain_record_is_reported_with_its_offset() {
    let first = response(
        "a",
        "https://x.example/a",
        "Content-Type: text/html\r\n",
        html_page("A", "a").as_bytes(),
    );
    let second = response(
        "b",
        "https://x.example/b",
        "Content-Type: text/html\r\n",
        html_page("B", "b").as_bytes(),
    );
    let mut warc = first.clone();
    warc.extend_from_slice(&second[..second.len() - 40]);
    let (records, problems) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    assert_eq!(ids(&records), ["urn:uuid:a"]);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 2);
    assert_eq!(problems[0].offset, Some(first.len() as u64));
    assert!(
        problems[0].reason.contains("Content-Length"),
        "{}",
        problems[0].reason
    );
    assert!(problems[0].raw.as_deref().unwrap().starts_with("WARC/1.1"));
}

#[test]
fn oversized_html_record_is_skipped_with_neighbours_kept() {
    let mut warc = response(
        "a",
        "https://x.example/a",
        "Content-Type: text/html\r\n",
        html_page("A", "a").as_bytes(),
    );
    let huge = html_page("Huge", &"x".repeat(10 * 1024 * 1024));
    warc.extend(response(
        "big",
        "https://x.example/big",
        "Content-Type: text/html\r\n",
        huge.as_bytes(),
    ));
    warc.extend(response(
        "b",
        "https://x.example/b",
        "Content-Type: text/html\r\n",
        html_page("B", "b").as_bytes(),
    ));
    let (records, problems) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    assert_eq!(ids(&records), ["urn:uuid:a", "urn:uuid:b"]);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 2);
    assert!(
        problems[0].reason.contains("record limit"),
        "{}",
        problems[0].reason
    );
}

#[test]
fn missing_record_id_gets_a_stable_hash_id() {
    let block = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{}",
        html_page("T", "t")
    );
    let warc = record(
        "response",
        &[
            ("WARC-Target-URI", "https://x.example/p"),
            ("WARC-Date", "2024-01-02T03:04:05Z"),
        ],
        block.as_bytes(),
    );
    let (first, _) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    let (again, _) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    assert!(first[0].ad.id.starts_with("warc-") && first[0].ad.id.len() > 20);
    assert_eq!(first[0].ad.id, again[0].ad.id);
    assert_eq!(
        first[0].ad.posted_at.unwrap().to_rfc3339(),
        "2024-01-02T03:04:05+00:00"
    );
    let other = record(
        "response",
        &[
            ("WARC-Target-URI", "https://x.example/q"),
            ("WARC-Date", "2024-01-02T03:04:05Z"),
        ],
        block.as_bytes(),
    );
    let (other, _) = read_bytes(&other, Format::Warc, &ReadOptions::default());
    assert_ne!(first[0].ad.id, other[0].ad.id);
}

#[test]
fn garbage_between_records_is_reported_and_reading_resumes() {
    let mut warc = response(
        "a",
        "https://x.example/a",
        "Content-Type: text/html\r\n",
        html_page("A", "a").as_bytes(),
    );
    warc.extend_from_slice(b"this is not a warc header\r\nnor this\r\n");
    warc.extend(response(
        "b",
        "https://x.example/b",
        "Content-Type: text/html\r\n",
        html_page("B", "b").as_bytes(),
    ));
    let (records, problems) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    assert_eq!(ids(&records), ["urn:uuid:a", "urn:uuid:b"]);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].reason.contains("version line"),
        "{}",
        problems[0].reason
    );
}

#[test]
fn gzip_content_encoding_and_meta_charset_are_honoured() {
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><title>Café</title></head><body>Très bien</body></html>",
    );
    let body = gzip(&latin);
    let warc = response(
        "g",
        "https://fr.example/",
        "Content-Type: text/html\r\nContent-Encoding: gzip\r\n",
        &body,
    );
    let (records, problems) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records[0].ad.title.as_deref(), Some("Café"));
    assert_eq!(records[0].ad.body.as_deref(), Some("Très bien"));
}

#[test]
fn empty_input_yields_nothing() {
    let (records, problems) = read_bytes(b"", Format::Warc, &ReadOptions::default());
    assert!(records.is_empty() && problems.is_empty());
}
