//! Fuzz target `nibrs_zip`: the zipped CDE package reader with small size limits. Input that
//! starts with `PK` is read as a ZIP file as it is (the archive parser, declared sizes, lying
//! headers); anything else is split on `0xFF` into members that are zipped (deflated) first, so
//! the limits on records, members and the whole expansion are reached often.
#![no_main]

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;
use plainsight_nibrs::{NibrsError, ReadLimits, ReadOptions, read_cde_zip};

const NAMES: [&str; 4] = [
    "pkg/NIBRS_ARRESTEE.csv",
    "pkg/NIBRS_OFFENSE_TYPE.csv",
    "pkg/nibrs_incident.csv",
    "pkg/agencies.csv",
];

const LIMITS: ReadLimits = ReadLimits {
    max_record_bytes: 4 * 1024,
    max_member_bytes: 256 * 1024,
    max_total_bytes: 512 * 1024,
    max_members: 16,
};

fuzz_target!(|data: &[u8]| {
    let zip = if data.starts_with(b"PK") {
        data.to_vec()
    } else {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (bytes, name) in data.split(|b| *b == 0xFF).zip(NAMES) {
            writer.start_file(name, options).unwrap();
            // A run of zeros after each member's bytes, so expansions outgrow the limits.
            writer.write_all(bytes).unwrap();
            let zeros = bytes.first().map_or(0, |b| usize::from(*b) * 4096);
            writer.write_all(&vec![0u8; zeros]).unwrap();
        }
        writer.finish().unwrap().into_inner()
    };
    let options = ReadOptions {
        state: Some("LA".into()),
        year: Some(2014),
        limits: LIMITS,
    };
    match read_cde_zip(Cursor::new(zip), "fuzz.zip", &options) {
        Ok(dataset) => {
            for m in &dataset.months {
                assert!((1..=12).contains(&m.month));
            }
            // What was read fits the limits: nothing bigger than the package could hold.
            assert!(dataset.stats.bytes <= LIMITS.max_total_bytes);
        }
        Err(NibrsError::Refused { reason, .. }) => assert!(!reason.is_empty()),
        Err(_) => {}
    }
});
