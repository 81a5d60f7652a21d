//! JSON Lines reader: good records, every kind of bad line, gzip, size limit, JSON arrays.

use plainsight_ingest::{Format, ReadOptions, open_path};

use crate::{collect, gzip, ids, read_bytes, write_file};

const GOOD_AND_BAD: &[u8] = b"{\"id\":\"a1\",\"title\":\"First\",\"posted_at\":\"2024-03-01\",\"phones\":[\"919 555 0100\"],\"category\":\"x\"}\r\n\
\n\
{\"id\":\"bad-utf8\",\"title\":\"caf\xe9\"}\n\
{\"id\":\"a2\",\"body\":\"second\"}\n\
{\"id\": \"broken\", \"title\": \n\
{\"title\":\"no id here\"}\n\
{\"id\":\"a3\",\"title\":[\"not\",\"a\",\"string\"]}\n\
{\"id\":\"a4\",\"posted_at\":\"yesterday\"}\n\
   \n\
{\"id\":5,\"url\":\"https://ex.example/5\"}";

#[test]
fn good_lines_are_read_and_bad_lines_become_problems_in_place() {
    let (records, problems) = read_bytes(GOOD_AND_BAD, Format::Jsonl, &ReadOptions::default());
    assert_eq!(ids(&records), ["a1", "a2", "5"]);
    assert_eq!(
        records.iter().map(|r| r.line).collect::<Vec<_>>(),
        [1, 4, 10],
        "line numbers count blank lines too"
    );
    let first = &records[0].ad;
    assert_eq!(first.title.as_deref(), Some("First"));
    assert_eq!(first.phones, ["919 555 0100"]);
    assert_eq!(first.extra["category"], "x");
    assert_eq!(
        first.posted_at.unwrap().to_rfc3339(),
        "2024-03-01T00:00:00+00:00"
    );

    let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 5, 6, 7, 8]);
    assert!(
        problems[0].reason.contains("UTF-8"),
        "{}",
        problems[0].reason
    );
    assert!(
        problems[1].reason.contains("malformed JSON"),
        "{}",
        problems[1].reason
    );
    assert!(
        problems[2].reason.contains("`id`"),
        "{}",
        problems[2].reason
    );
    assert!(
        problems[3].reason.contains("wrong type"),
        "{}",
        problems[3].reason
    );
    assert!(
        problems[4].reason.contains("posted_at"),
        "{}",
        problems[4].reason
    );
    assert!(
        problems
            .iter()
            .all(|p| p.file == "input" && p.raw.is_some())
    );
    assert_eq!(
        problems[2].raw.as_deref(),
        Some("{\"title\":\"no id here\"}")
    );
}

#[test]
fn gzip_files_read_like_plain_ones_even_with_several_members() {
    let dir = tempfile::tempdir().unwrap();
    // Two gzip members back to back, as `cat a.gz b.gz` makes.
    let mut bytes = gzip(b"{\"id\":\"1\"}\n{\"id\":\"2\"}\n");
    bytes.extend(gzip(b"{\"id\":\"3\"}\n"));
    let path = write_file(dir.path(), "ads.jsonl.gz", &bytes);
    let reader = open_path(&path, &ReadOptions::default()).unwrap();
    assert_eq!(reader.total_bytes(), Some(bytes.len() as u64));
    let (records, problems) = collect(reader);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ids(&records), ["1", "2", "3"]);
    assert_eq!(records[2].line, 3);
    assert!(records[0].file.ends_with("ads.jsonl.gz"));
}

#[test]
fn truncated_gzip_keeps_every_complete_line_before_the_cut() {
    let mut plain = Vec::new();
    for i in 0..2000 {
        plain.extend(
            format!("{{\"id\":\"{i}\",\"body\":\"ad number {i} with some text\"}}\n").bytes(),
        );
    }
    let compressed = gzip(&plain);
    let cut = &compressed[..compressed.len() / 2];
    let (records, problems) = read_bytes(cut, Format::Jsonl, &ReadOptions::default());
    assert!(!records.is_empty(), "records before the cut are kept");
    assert!(records.len() < 2000);
    // Records come in order with no gaps: nothing before the cut was lost.
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.ad.id, i.to_string());
    }
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].reason.contains("truncated"),
        "{}",
        problems[0].reason
    );
    assert_eq!(problems[0].line, records.len() as u64 + 1);
}

#[test]
fn oversized_line_is_reported_and_its_neighbours_kept() {
    let mut bytes = b"{\"id\":\"before\"}\n{\"id\":\"huge\",\"body\":\"".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    bytes.extend(b"\"}\n{\"id\":\"after\"}\n");
    let (records, problems) = read_bytes(&bytes, Format::Jsonl, &ReadOptions::default());
    assert_eq!(ids(&records), ["before", "after"]);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 2);
    assert!(
        problems[0].reason.contains("record limit"),
        "{}",
        problems[0].reason
    );
    let raw = problems[0].raw.as_deref().unwrap();
    assert!(
        raw.starts_with("{\"id\":\"huge\"") && raw.len() < 5000,
        "raw is cut to ~4 KiB"
    );
}

#[test]
fn record_limit_is_configurable() {
    let opts = ReadOptions {
        max_record_bytes: 20,
        ..ReadOptions::default()
    };
    let (records, problems) = read_bytes(
        b"{\"id\":\"1\"}\n{\"id\":\"2\",\"title\":\"long enough\"}\n",
        Format::Jsonl,
        &opts,
    );
    assert_eq!(ids(&records), ["1"]);
    assert_eq!(problems[0].line, 2);
}

#[test]
fn empty_and_blank_inputs_yield_nothing() {
    for input in [&b""[..], b"\n\n  \r\n", b"\xEF\xBB\xBF"] {
        let (records, problems) = read_bytes(input, Format::Jsonl, &ReadOptions::default());
        assert!(records.is_empty() && problems.is_empty(), "{input:?}");
    }
}

#[test]
fn byte_order_mark_is_ignored() {
    let (records, problems) = read_bytes(
        b"\xEF\xBB\xBF{\"id\":\"1\"}\n",
        Format::Jsonl,
        &ReadOptions::default(),
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ids(&records), ["1"]);
}

#[test]
fn json_array_files_are_streamed_element_by_element() {
    let bytes = b"[\n  {\"id\": \"1\", \"title\": \"a, [b] {c}\"},\n  {\"title\": \"no id\"},\n  {\"id\": \"3\",\n   \"body\": \"x\\\"y\"}\n]\n";
    let (records, problems) = read_bytes(bytes, Format::Jsonl, &ReadOptions::default());
    assert_eq!(ids(&records), ["1", "3"]);
    assert_eq!(records[0].ad.title.as_deref(), Some("a, [b] {c}"));
    assert_eq!(records[1].ad.body.as_deref(), Some("x\"y"));
    assert_eq!(records[1].line, 4);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 3);
}

#[test]
fn unclosed_json_array_keeps_elements_before_the_cut() {
    let (records, problems) = read_bytes(
        b"[{\"id\":\"1\"},{\"id\":\"2\"},{\"id\":\"3",
        Format::Jsonl,
        &ReadOptions::default(),
    );
    assert_eq!(ids(&records), ["1", "2"]);
    assert!(
        problems.iter().any(|p| p.reason.contains("not closed")),
        "{problems:?}"
    );
}

#[test]
fn progress_counts_bytes_of_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "ads.ndjson",
        b"{\"id\":\"1\"}\n{\"id\":\"2\"}\n",
    );
    let mut reader = open_path(&path, &ReadOptions::default()).unwrap();
    assert_eq!(reader.total_bytes(), Some(22));
    while reader.next().is_some() {}
    assert_eq!(reader.bytes_read(), 22);
}

#[test]
fn the_reader_can_move_to_another_thread() {
    fn assert_send<T: Send>(_: &T) {}
    let reader = plainsight_ingest::from_reader(
        Box::new(std::io::Cursor::new(b"{\"id\":\"1\"}".to_vec())),
        "stdin",
        Format::Jsonl,
        &ReadOptions::default(),
    );
    assert_send(&reader);
    let handle = std::thread::spawn(move || reader.count());
    assert_eq!(handle.join().unwrap(), 1);
}
