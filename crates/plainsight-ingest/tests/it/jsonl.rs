//! JSON Lines reader: good records, every kind of bad line, gzip, size limit, JSON arrays.

use plainsight_ingest::{Format, InputWarning, ProblemKind, ReadOptions, open_path};

use crate::{collect, gzip, ids, read_bytes, write_file};

const GOOD_AND_BAD: &[u8] = b"{\"id\":\"a1\",\"title\":\"First\",\"posted_at\":\"2024-03-01\",\"phones\":[\"919 555 0100\"],\"category\":\"x\"}\r\n\
\n\
{\"id\":\"bad-utf8\",\"title\":\"caf\xe9\"}\n\
{\"id\":\"a2\",\"body\":\"second\"}\n\
{\"id\": \"broken\", \"title\": \n\
{\"title\":\"no id here\"}\n\
{\"id\":\"a3\",\"title\":{\"not\":\"a string\"}}\n\
{\"id\":\"a4\",\"posted_at\":\"yesterday\"}\n\
   \n\
{\"id\":5,\"url\":\"https://ex.example/5\"}";

#[test]
fn good_lines_are_read_and_bad_lines_become_problems_in_place() {
    let (records, problems) = read_bytes(GOOD_AND_BAD, Format::Jsonl, &ReadOptions::default());
    assert_eq!(
        ids(&records)[..3],
        ["a1", "bad-utf8", "a2"],
        "a line that is not UTF-8 is read as windows-1252"
    );
    assert_eq!(records[1].ad.title.as_deref(), Some("café"));
    assert!(records[3].ad.id.starts_with("rec-"), "no id: a derived one");
    assert_eq!(ids(&records)[4..], ["a3", "a4", "5"]);
    assert_eq!(
        records.iter().map(|r| r.line).collect::<Vec<_>>(),
        [1, 3, 4, 6, 7, 8, 10],
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
    // A field of the wrong type and a bad date are warnings on ads that are kept.
    let wrong_type = &records[4];
    assert_eq!(wrong_type.ad.title, None);
    assert_eq!(wrong_type.warnings[0].field, "title");
    assert_eq!(wrong_type.ad.extra["title_raw"]["not"], "a string");
    let bad_date = &records[5];
    assert_eq!(bad_date.warnings[0].field, "posted_at");
    assert_eq!(bad_date.ad.extra["posted_at_raw"], "yesterday");

    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 5);
    assert_eq!(problems[0].kind, ProblemKind::MalformedJson);
    assert!(
        problems[0].reason.contains("malformed JSON"),
        "{}",
        problems[0].reason
    );
    assert_eq!(problems[0].file, "input");
    assert_eq!(
        problems[0].raw.as_deref(),
        Some("{\"id\": \"broken\", \"title\": ")
    );
}

#[test]
fn forced_utf8_is_strict_and_other_encodings_are_decoded() {
    let forced = |label: &str| ReadOptions {
        encoding: plainsight_ingest::encoding_for_label(label),
        ..ReadOptions::default()
    };
    let (records, problems) = read_bytes(
        b"{\"id\":\"1\",\"title\":\"caf\xe9\"}\n{\"id\":\"2\"}\n",
        Format::Jsonl,
        &forced("utf-8"),
    );
    assert_eq!(ids(&records), ["2"]);
    assert_eq!(problems[0].kind, ProblemKind::NotText);
    let (records, _) = read_bytes(
        b"{\"id\":\"1\",\"title\":\"\xe1\xe2\"}\n",
        Format::Jsonl,
        &forced("iso-8859-7"),
    );
    assert_eq!(records[0].ad.title.as_deref(), Some("αβ"));
    // UTF-16 with a byte-order mark, decoded as a stream.
    let text = "{\"id\":\"1\",\"title\":\"Zoë ★\"}\n{\"id\":\"2\"}\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let reader = plainsight_ingest::from_reader(
        Box::new(std::io::Cursor::new(utf16)),
        "u16",
        Format::Jsonl,
        &ReadOptions::default(),
    );
    assert_eq!(reader.encoding().map(|e| e.name()), Some("UTF-16LE"));
    let (records, problems) = collect(reader);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records[0].ad.title.as_deref(), Some("Zoë ★"));
    assert_eq!(records[1].line, 2);
}

#[test]
fn empty_and_binary_inputs_are_warnings_and_yield_nothing() {
    let open = |bytes: &[u8]| {
        plainsight_ingest::from_reader(
            Box::new(std::io::Cursor::new(bytes.to_vec())),
            "x",
            Format::Jsonl,
            &ReadOptions::default(),
        )
    };
    let empty = open(b"");
    assert_eq!(empty.warning(), Some(&InputWarning::Empty));
    let png = open(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0");
    let warning = png.warning().cloned();
    assert!(
        matches!(
            warning,
            Some(InputWarning::Binary {
                what: "a PNG image",
                ..
            })
        ),
        "{warning:?}"
    );
    assert_eq!(
        collect(png).0.len() + collect(open(&[0u8; 5000])).1.len(),
        0,
        "no records, no problems"
    );
    assert!(open(b"{\"id\":\"1\"}").warning().is_none());
}

#[test]
fn html_in_text_fields_becomes_text_and_disguises_stay() {
    let (records, _) = read_bytes(
        b"{\"id\":\"1\",\"title\":\"R&amp;B\",\"body\":\"I&#39;m new<br>call 9&#49;9-555-0123<br/>now\",\"location\":\"Dallas &amp; Fort Worth\"}\n",
        Format::Jsonl,
        &ReadOptions::default(),
    );
    let ad = &records[0].ad;
    assert_eq!(ad.title.as_deref(), Some("R&B"));
    assert_eq!(
        ad.body.as_deref(),
        Some("I'm new\ncall 9&#49;9-555-0123\nnow")
    );
    assert_eq!(ad.location.as_deref(), Some("Dallas & Fort Worth"));
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
    assert_eq!(ids(&records)[0], "1");
    assert!(ids(&records)[1].starts_with("rec-"), "no id: a derived one");
    assert_eq!(ids(&records)[2], "3");
    assert_eq!(records[0].ad.title.as_deref(), Some("a, [b] {c}"));
    assert_eq!(records[2].ad.body.as_deref(), Some("x\"y"));
    assert_eq!(records[1].line, 3);
    assert_eq!(records[2].line, 4);
    assert!(problems.is_empty(), "{problems:?}");
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
