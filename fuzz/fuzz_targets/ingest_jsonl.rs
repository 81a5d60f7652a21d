//! Fuzz target `ingest_jsonl` (placeholder until its owner fills it in).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = data;
});
