//! Fuzz target `ingest_html`: arbitrary bytes through the single saved HTML page reader: charset detection and HTML-to-text.
//! Must never panic or hang; records and problems are simply drained.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_ingest::{Format, ReadOptions, from_reader};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        // A small limit exercises the oversized-record paths with small inputs.
        max_record_bytes: 4096,

        ..ReadOptions::default()
    };
    let reader = from_reader(
        Box::new(std::io::Cursor::new(data.to_vec())),
        "fuzz",
        Format::HtmlDir,
        &opts,
    );
    for item in reader {
        let _ = item;
    }
});
