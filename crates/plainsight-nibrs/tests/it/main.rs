//! Integration tests for the NIBRS readers and figures: the real Louisiana 2014 CDE package and
//! Vermont flat file (counts re-derived independently from the raw rows), synthetic packages in
//! the 2016–2021 and 2022+ layouts, snapshots of the JSON and CSV, and property tests.

mod independent;
mod layouts;
mod limits;
mod properties;
mod real_data;

use std::path::PathBuf;

/// `tests/data/...` inside this crate.
pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}
