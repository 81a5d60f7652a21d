//! `plainsight extract` parses, extracts and renders records on every core: its output must be
//! byte for byte what reading the records one by one and extracting each in turn gives, in
//! input order, with every bad line reported (file, line, reason) and the good ones kept.

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use plainsight_corpus::CorpusConfig;
use plainsight_ingest::{ReadOptions, open_path};
use plainsight_text::extract::{ExtractConfig, Extractor};

fn plainsight(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    cmd.current_dir(dir).env_remove("RUST_LOG");
    cmd
}

/// A generated corpus of `ads` ads (more than two chunks of the pipeline, so that chunk
/// boundaries and the order of chunks are exercised), with bad lines, blank lines and a field
/// warning slipped in at the start, around a chunk boundary and at the end.
fn corpus_with_bad_lines(path: &Path, ads: usize) {
    let cfg = CorpusConfig {
        ads,
        seed: 11,
        ..CorpusConfig::default()
    };
    let mut generated = Vec::new();
    plainsight_corpus::write_jsonl(&cfg, &mut generated, None::<&mut std::io::Sink>, |_| {})
        .unwrap();
    let generated = String::from_utf8(generated).unwrap();
    let mut out = std::fs::File::create(path).unwrap();
    for (i, line) in generated.lines().enumerate() {
        match i {
            0 => writeln!(out, "this is not json").unwrap(),
            1 => writeln!(out).unwrap(),
            2047 => writeln!(out, "[1, 2, 3]").unwrap(),
            2048 => writeln!(
                out,
                r#"{{"id":"late","body":"call 212-555-0199","posted_at":"2024-02-30"}}"#
            )
            .unwrap(),
            4100 => writeln!(out, r#"{{"id": "cut off"#).unwrap(),
            _ => {}
        }
        writeln!(out, "{line}").unwrap();
    }
    writeln!(out, "{{not json at the end").unwrap();
}

#[test]
fn parallel_extract_output_equals_sequential_extraction_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ads.jsonl");
    corpus_with_bad_lines(&input, 4_500);

    // The reference: the reader's own iterator (parsing on this thread) and the extractor,
    // one record after the other.
    let extractor = Extractor::new(&ExtractConfig::default()).unwrap();
    let mut expected = Vec::new();
    let mut expected_problems = Vec::new();
    let mut good = 0;
    for item in open_path(&input, &ReadOptions::default()).unwrap() {
        match item {
            Ok(record) => {
                serde_json::to_writer(&mut expected, &extractor.extract(&record.ad)).unwrap();
                expected.push(b'\n');
                good += 1;
            }
            Err(problem) => expected_problems.push(problem.to_string()),
        }
    }
    assert_eq!(good, 4_501, "every generated ad and the one added are good");
    assert_eq!(expected_problems.len(), 4);

    // The full path, as given to the reader above, so that the problems read the same.
    let out = plainsight(dir.path())
        .arg("extract")
        .arg(&input)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(
        out.stdout == expected,
        "the output differs from sequential extraction ({} bytes against {})",
        out.stdout.len(),
        expected.len()
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    // Each bad line is reported with its file and line number, in input order.
    let mut from = 0;
    for (problem, line) in expected_problems.iter().zip([1, 2050, 4105, 4506]) {
        assert!(
            problem.starts_with(&format!("{}:{line}: ", input.display())),
            "{problem}"
        );
        let at = stderr[from..]
            .find(problem.as_str())
            .unwrap_or_else(|| panic!("{problem} not reported in order in\n{stderr}"));
        from += at + problem.len();
    }
    assert!(
        stderr.contains(&format!("{}:2052: warning: ad late: ", input.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("extracted 4501 ads from 1 input(s); 4 rejected"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 field warning(s), the ads kept without those fields: 1 `posted_at`"),
        "{stderr}"
    );
}

#[test]
fn extract_from_stdin_with_one_thread_gives_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ads.jsonl");
    corpus_with_bad_lines(&input, 2_100);
    let many = plainsight(dir.path())
        .args(["extract", "ads.jsonl"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let one = plainsight(dir.path())
        .env("RAYON_NUM_THREADS", "1")
        .args(["extract", "-"])
        .pipe_stdin(&input)
        .unwrap()
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(!many.stdout.is_empty());
    assert!(many.stdout == one.stdout, "outputs differ");
    let stderr = String::from_utf8(one.stderr).unwrap();
    assert!(stderr.contains("<stdin>:1: malformed JSON"), "{stderr}");
    assert!(stderr.contains("extracted 2101 ads"), "{stderr}");
}
