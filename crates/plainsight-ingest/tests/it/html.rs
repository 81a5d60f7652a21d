//! Saved HTML pages: folders of mixed junk, single files, pages on a stream.

use plainsight_ingest::{Format, IngestError, ReadOptions, open_path};

use crate::{collect, ids, read_bytes, write_file};

#[test]
fn folder_of_mixed_junk_reads_pages_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(
        root,
        "b.html",
        b"<html><head><title>Page B</title><link rel=\"canonical\" href=\"https://Ads.Example/b\"></head>\
          <body><nav>menu</nav><div>Body <i>B</i></div><script>alert(1)</script></body></html>",
    );
    write_file(
        root,
        "a/z/deep.htm",
        b"<html><head><meta property=\"og:url\" content=\"https://deep.example/x\"><title>Deep</title></head><body>d</body></html>",
    );
    write_file(
        root,
        "a/1.HTML",
        b"<title>One</title><p>first</p><p>second</p>",
    );
    write_file(root, "empty.html", b"");
    write_file(root, "binary.html", b"\x00\x01\x02PK\x03\x04junk");
    write_file(root, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF");
    write_file(root, "notes.txt", b"not a page");
    std::fs::create_dir_all(root.join("empty-folder")).unwrap();

    let reader = open_path(root, &ReadOptions::default()).unwrap();
    assert_eq!(reader.total_bytes(), None);
    let mut reader = reader;
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for item in reader.by_ref() {
        match item {
            Ok(r) => records.push(r),
            Err(p) => problems.push(p),
        }
    }
    assert_eq!(ids(&records), ["a/1.HTML", "a/z/deep.htm", "b.html"]);
    assert_eq!(reader.skipped().get("non-HTML file"), Some(&2));
    assert!(reader.bytes_read() > 0);

    let one = &records[0].ad;
    assert_eq!(one.body.as_deref(), Some("first\nsecond"));
    let deep = &records[1].ad;
    assert_eq!(deep.url.as_deref(), Some("https://deep.example/x"));
    assert_eq!(deep.site.as_deref(), Some("deep.example"));
    let b = &records[2].ad;
    assert_eq!(b.title.as_deref(), Some("Page B"));
    assert_eq!(b.body.as_deref(), Some("Body B"));
    assert_eq!(b.site.as_deref(), Some("ads.example"));
    assert!(records[2].file.ends_with("b.html"));

    let mut reasons: Vec<(String, String)> = problems
        .iter()
        .map(|p| {
            (
                p.file.rsplit('/').next().unwrap().to_string(),
                p.reason.clone(),
            )
        })
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0].0, "binary.html");
    assert!(reasons[0].1.contains("binary"));
    assert_eq!(reasons[1].0, "empty.html");
    assert!(reasons[1].1.contains("empty"));
}

#[test]
fn single_page_file_is_one_ad_named_by_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "saved.htm", b"<title>Solo</title>hello");
    let (records, problems) = collect(open_path(&path, &ReadOptions::default()).unwrap());
    assert!(problems.is_empty());
    assert_eq!(ids(&records), ["saved.htm"]);
    assert_eq!(records[0].ad.body.as_deref(), Some("hello"));
}

#[test]
fn oversized_page_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "big.html", &vec![b'a'; 2048]);
    write_file(dir.path(), "small.html", b"<p>ok</p>");
    let opts = ReadOptions {
        max_record_bytes: 1024,
        ..ReadOptions::default()
    };
    let (records, problems) = collect(open_path(dir.path(), &opts).unwrap());
    assert_eq!(ids(&records), ["small.html"]);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].reason.contains("record limit"));
}

#[test]
fn page_from_a_stream_uses_the_stream_name_as_id() {
    let (records, problems) = read_bytes(
        b"<html><body><h1>Hi</h1>there</body></html>",
        Format::HtmlDir,
        &ReadOptions::default(),
    );
    assert!(problems.is_empty());
    assert_eq!(ids(&records), ["input"]);
    assert_eq!(records[0].ad.body.as_deref(), Some("Hi\nthere"));
}

#[test]
fn whole_input_failures_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        open_path(&dir.path().join("missing.jsonl"), &ReadOptions::default()),
        Err(IngestError::Open { .. })
    ));
    let odd = write_file(dir.path(), "data.xyz", b"");
    assert!(matches!(
        open_path(&odd, &ReadOptions::default()),
        Err(IngestError::UnknownFormat { .. })
    ));
    let forced = ReadOptions {
        format: Some(Format::Jsonl),
        ..ReadOptions::default()
    };
    assert!(
        open_path(&odd, &forced).is_ok(),
        "an explicit format overrides the extension"
    );
    assert!(matches!(
        open_path(dir.path(), &forced),
        Err(IngestError::DirectoryNotSupported { .. })
    ));
}

#[test]
fn formats_are_detected_from_names() {
    let cases = [
        ("a.jsonl", Some(Format::Jsonl)),
        ("a.NDJSON", Some(Format::Jsonl)),
        ("a.json", Some(Format::Jsonl)),
        ("a.jsonl.gz", Some(Format::Jsonl)),
        ("a.csv", Some(Format::Csv)),
        ("a.csv.gz", Some(Format::Csv)),
        ("crawl.warc", Some(Format::Warc)),
        ("crawl.warc.gz", Some(Format::Warc)),
        ("page.htm", Some(Format::HtmlDir)),
        ("a.gz", None),
        ("README", None),
    ];
    for (name, expected) in cases {
        assert_eq!(Format::from_file_name(name), expected, "{name}");
    }
    assert_eq!("WARC".parse::<Format>().unwrap(), Format::Warc);
    assert!("xml".parse::<Format>().is_err());
}

#[test]
fn a_forced_encoding_takes_the_place_of_the_page_declaration() {
    // A Greek page that wrongly declares windows-1252.
    let page = b"<html><head><meta charset=\"windows-1252\"><title>\xe1\xe2</title></head><body>x</body></html>";
    let (records, _) = read_bytes(page, Format::HtmlDir, &ReadOptions::default());
    assert_eq!(records[0].ad.title.as_deref(), Some("áâ"));
    let forced = ReadOptions {
        encoding: plainsight_ingest::encoding_for_label("iso-8859-7"),
        ..ReadOptions::default()
    };
    let (records, _) = read_bytes(page, Format::HtmlDir, &forced);
    assert_eq!(records[0].ad.title.as_deref(), Some("αβ"));
}
