//! CSV reader: header handling, lists, the column map, ragged rows and size limits.

use plainsight_ingest::{Format, IngestError, ProblemKind, ReadOptions, parse_csv_map};

use crate::{ids, read_bytes};

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn columns_fill_ad_fields_lists_and_extra() {
    let csv = format!(
        "ID,Title,body,phones,images,price,posted_at\n\
         1,Hello,\"Line one\nline two\",919-555-0100; (919) 555-0101,{SHA}|00ff00ff00ff00ff|https://img.example/a.jpg,$200,2024-05-01 10:00:00\n\
         2,Second,,\"[\"\"111\"\"]\",\"[{{\"\"phash\"\":\"\"0123456789abcdef\"\"}}]\",,\n"
    );
    let (records, problems) = read_bytes(csv.as_bytes(), Format::Csv, &ReadOptions::default());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ids(&records), ["1", "2"]);
    assert_eq!(
        records[1].line, 4,
        "a quoted newline makes row 1 two lines long"
    );
    insta::assert_json_snapshot!("csv_first_ad", records[0].ad);
    let second = &records[1].ad;
    assert_eq!(second.phones, ["111"]);
    assert_eq!(second.images[0].phash.as_deref(), Some("0123456789abcdef"));
    assert!(
        second.body.is_none() && second.extra.is_empty(),
        "empty cells are left out"
    );
}

#[test]
fn column_map_renames_and_shadowed_columns_go_to_extra() {
    let map = parse_csv_map("title=headline, body=description,id=ad_id").unwrap();
    let opts = ReadOptions {
        csv_map: map,
        ..ReadOptions::default()
    };
    let csv = "ad_id,headline,description,title\n7,Big news,Text here,old title\n";
    let (records, problems) = read_bytes(csv.as_bytes(), Format::Csv, &opts);
    assert!(problems.is_empty(), "{problems:?}");
    let ad = &records[0].ad;
    assert_eq!(ad.id, "7");
    assert_eq!(ad.title.as_deref(), Some("Big news"));
    assert_eq!(ad.body.as_deref(), Some("Text here"));
    assert_eq!(ad.extra["title"], "old title");
    assert!(!ad.extra.contains_key("headline"));
}

#[test]
fn column_map_naming_a_missing_column_stops_with_one_problem() {
    let opts = ReadOptions {
        csv_map: parse_csv_map("title=headline").unwrap(),
        ..ReadOptions::default()
    };
    let (records, problems) = read_bytes(b"id,title\n1,x\n2,y\n", Format::Csv, &opts);
    assert!(records.is_empty());
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].reason.contains("`headline`"),
        "{}",
        problems[0].reason
    );
    assert_eq!(problems[0].line, 1);
}

#[test]
fn bad_column_maps_are_errors() {
    for spec in ["", "title", "=x", "title=", "title=a,title=b"] {
        assert!(
            matches!(parse_csv_map(spec), Err(IngestError::BadCsvMap { .. })),
            "{spec:?}"
        );
    }
    assert_eq!(
        parse_csv_map("title=headline,,price=cost").unwrap(),
        [
            ("title".into(), "headline".into()),
            ("price".into(), "cost".into())
        ]
    );
}

#[test]
fn ragged_rows_are_problems_and_bad_cells_are_warnings_on_kept_rows() {
    let csv = b"id,title,posted_at,phones\n1,ok,2024-01-01,\n2,too,many,fields,x\n3\n4,caf\xe9,,\n5,bad date,soon,\n,no id,,\n6,fine,,[not json\n";
    let (records, problems) = read_bytes(csv, Format::Csv, &ReadOptions::default());
    let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    assert_eq!(
        lines,
        [3, 4],
        "only rows that do not fit the header are rejected"
    );
    assert!(
        problems[0].reason.contains("5 fields but the header has 4"),
        "{}",
        problems[0].reason
    );
    assert!(problems.iter().all(|p| p.kind == ProblemKind::BadRow));
    assert_eq!(problems[0].raw.as_deref(), Some("2,too,many,fields,x\n"));

    assert_eq!(records.len(), 5);
    assert_eq!(
        records[1].ad.title.as_deref(),
        Some("café"),
        "not UTF-8: read as windows-1252"
    );
    let bad_date = &records[2];
    assert_eq!(bad_date.ad.id, "5");
    assert_eq!(bad_date.ad.posted_at, None);
    assert_eq!(bad_date.warnings[0].field, "posted_at");
    assert_eq!(bad_date.ad.extra["posted_at_raw"], "soon");
    assert!(records[3].ad.id.starts_with("rec-"), "no id: a derived one");
    let bad_list = &records[4];
    assert_eq!(bad_list.line, 8);
    assert_eq!(bad_list.warnings[0].field, "phones");
    assert_eq!(bad_list.ad.extra["phones_raw"], "[not json");
}

#[test]
fn rows_without_an_id_column_get_stable_derived_ids() {
    let csv = b"url,title,body\nhttps://x.example/1,A,a\n,B,b\n,B,b\n";
    let (first, problems) = read_bytes(csv, Format::Csv, &ReadOptions::default());
    assert!(problems.is_empty(), "{problems:?}");
    assert!(first[0].ad.id.starts_with("url-"));
    assert!(first[1].ad.id.starts_with("rec-"));
    assert_eq!(
        first[1].ad.id, first[2].ad.id,
        "identical rows: one id (a duplicate)"
    );
    // Columns in another order: the same ids.
    let reordered = b"body,title,url\na,A,https://x.example/1\nb,B,\n";
    let (second, _) = read_bytes(reordered, Format::Csv, &ReadOptions::default());
    assert_eq!(ids(&second), ids(&first)[..2]);
}

#[test]
fn duplicate_and_empty_header_names_keep_every_column() {
    let csv = b"id,note,,Note,note\n1,a,b,c,d\n";
    let (records, problems) = read_bytes(csv, Format::Csv, &ReadOptions::default());
    assert!(problems.is_empty(), "{problems:?}");
    let extra = &records[0].ad.extra;
    assert_eq!(extra["note"], "a");
    assert_eq!(extra["column_3"], "b");
    assert_eq!(extra["Note_2"], "c");
    assert_eq!(extra["note_3"], "d");
}

#[test]
fn unterminated_quote_is_bounded_by_the_record_limit() {
    let opts = ReadOptions {
        max_record_bytes: 1024,
        ..ReadOptions::default()
    };
    let mut csv = b"id,body\n1,fine\n2,\"never closed ".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 100_000));
    let (records, problems) = read_bytes(&csv, Format::Csv, &opts);
    assert_eq!(ids(&records), ["1"]);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].reason.contains("1024 bytes"),
        "{}",
        problems[0].reason
    );
}

#[test]
fn oversized_row_is_skipped_with_neighbours_kept() {
    let mut csv = b"id,body\nbefore,x\nhuge,\"".to_vec();
    csv.extend(std::iter::repeat_n(b'y', 10 * 1024 * 1024));
    csv.extend(b"\"\nafter,z\n");
    let (records, problems) = read_bytes(&csv, Format::Csv, &ReadOptions::default());
    assert_eq!(ids(&records), ["before", "after"]);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 3);
    assert!(problems[0].raw.as_deref().unwrap().len() < 5000);
}

#[test]
fn empty_and_header_only_files_yield_nothing() {
    for input in [&b""[..], b"id,title\n", b"\xEF\xBB\xBFid,title\r\n"] {
        let (records, problems) = read_bytes(input, Format::Csv, &ReadOptions::default());
        assert!(records.is_empty() && problems.is_empty(), "{input:?}");
    }
}

#[test]
fn gzip_csv_is_read_and_truncation_reported() {
    let mut csv = b"id,title\n".to_vec();
    for i in 0..3000 {
        csv.extend(format!("{i},title number {i}\n").bytes());
    }
    let gz = crate::gzip(&csv);
    let (records, problems) = read_bytes(&gz, Format::Csv, &ReadOptions::default());
    assert_eq!(records.len(), 3000);
    assert!(problems.is_empty());
    let (records, problems) = read_bytes(&gz[..gz.len() / 2], Format::Csv, &ReadOptions::default());
    assert!(!records.is_empty() && records.len() < 3000);
    assert!(
        records
            .iter()
            .enumerate()
            .all(|(i, r)| r.ad.id == i.to_string())
    );
    assert!(problems.last().unwrap().reason.contains("truncated"));
}
