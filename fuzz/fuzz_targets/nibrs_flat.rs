//! Fuzz target `nibrs_flat`: the NIBRS fixed-width readers (agency flat file and national
//! master file) must never panic and must keep only well-formed records, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_nibrs::{ReadOptions, read_flat_file, read_master_file};

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions {
        state: Some("VT".into()),
        year: Some(2020),
        ..Default::default()
    };
    if let Ok(dataset) = read_flat_file(std::io::Cursor::new(data), "fuzz", &options) {
        for m in &dataset.months {
            assert!((1..=12).contains(&m.month));
        }
        for a in &dataset.arrests {
            assert!(a.key.starts_with(a.incident_key.as_str()));
        }
    }
    if let Ok(dataset) = read_master_file(std::io::Cursor::new(data), "fuzz", &options) {
        assert!(dataset.stats.arrest_records >= dataset.arrests.len() as u64);
    }
});
