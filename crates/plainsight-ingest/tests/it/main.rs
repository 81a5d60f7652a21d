//! Integration tests of the ad readers, one binary for all formats. Every input is generated
//! here, except the real ads in `tests/data/` (with their licence); nothing is read from
//! outside the crate.

mod csv;
mod html;
mod jsonl;
mod photos;
mod props;
mod real;
mod warc;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use plainsight_ingest::{AdReader, Format, Problem, ReadOptions, SourceRecord, from_reader};

/// Split a reader's output into records and problems, keeping order within each.
pub fn collect(reader: AdReader) -> (Vec<SourceRecord>, Vec<Problem>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for item in reader {
        match item {
            Ok(r) => records.push(r),
            Err(p) => problems.push(p),
        }
    }
    (records, problems)
}

/// Read bytes of a given format through `from_reader`.
pub fn read_bytes(
    bytes: &[u8],
    format: Format,
    opts: &ReadOptions,
) -> (Vec<SourceRecord>, Vec<Problem>) {
    collect(from_reader(
        Box::new(Cursor::new(bytes.to_vec())),
        "input",
        format,
        opts,
    ))
}

pub fn ids(records: &[SourceRecord]) -> Vec<&str> {
    records.iter().map(|r| r.ad.id.as_str()).collect()
}

/// Gzip bytes as one member.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}
