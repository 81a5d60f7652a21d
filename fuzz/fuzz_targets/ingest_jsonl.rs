//! Fuzz target `ingest_jsonl`: arbitrary bytes through the JSON Lines (and JSON array) reader.
//! Must never panic or hang, whatever the encoding path; records and problems are simply drained.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_ingest::{Format, ReadOptions, from_reader};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        // A small limit exercises the oversized-record paths with small inputs.
        max_record_bytes: 4096,

        // The last byte picks the encoding path: detected, forced strict UTF-8, forced
        // windows-1252 (decoded stream) or forced UTF-16LE.
        encoding: match data.last().map(|b| b % 4) {
            Some(1) => plainsight_ingest::encoding_for_label("utf-8"),
            Some(2) => plainsight_ingest::encoding_for_label("windows-1252"),
            Some(3) => plainsight_ingest::encoding_for_label("utf-16le"),
            _ => None,
        },
        ..ReadOptions::default()
    };
    let reader = from_reader(
        Box::new(std::io::Cursor::new(data.to_vec())),
        "fuzz",
        Format::Jsonl,
        &opts,
    );
    for item in reader {
        let _ = item;
    }
});
