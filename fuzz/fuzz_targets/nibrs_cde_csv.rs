//! Fuzz target `nibrs_cde_csv`: the CDE package reader over in-memory tables. The input is
//! split on `0xFF` into the arrestee, offence-type, incident, agency and month tables, so the
//! fuzzer can shape every one of them (headers included).
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use plainsight_nibrs::{NibrsError, PackageSource, ReadOptions, read_cde_package};

struct Memory {
    files: Vec<(String, Vec<u8>)>,
}

impl PackageSource for Memory {
    fn names(&self) -> Vec<String> {
        self.files.iter().map(|(n, _)| n.clone()).collect()
    }

    fn open(&mut self, name: &str) -> Result<Box<dyn Read + '_>, NibrsError> {
        let bytes = self
            .files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
            .unwrap_or(&[]);
        Ok(Box::new(bytes))
    }

    fn label(&self) -> &str {
        "fuzz"
    }
}

const NAMES: [&str; 5] = [
    "pkg/NIBRS_ARRESTEE.csv",
    "pkg/NIBRS_OFFENSE_TYPE.csv",
    "pkg/nibrs_incident.csv",
    "pkg/agencies.csv",
    "pkg/NIBRS_month.csv",
];

fuzz_target!(|data: &[u8]| {
    let files = data
        .split(|b| *b == 0xFF)
        .zip(NAMES)
        .map(|(bytes, name)| (name.to_string(), bytes.to_vec()))
        .collect();
    let mut package = Memory { files };
    let options = ReadOptions {
        state: Some("LA".into()),
        year: Some(2014),
        ..Default::default()
    };
    if let Ok(dataset) = read_cde_package(&mut package, &options) {
        for m in &dataset.months {
            assert!((1..=12).contains(&m.month));
        }
        for a in &dataset.arrests {
            assert!(!a.state.is_empty());
        }
    }
});
