//! The crate's error type: failures that stop a whole input before any record is read.
//! Failures inside an input are [`crate::Problem`]s, not errors.

use std::path::PathBuf;

use crate::Format;

/// Why an input could not be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot open {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot tell the format of {} from its name; name it .jsonl, .csv, .warc(.gz) or .html, \
         or pass the format explicitly",
        path.display()
    )]
    UnknownFormat { path: PathBuf },
    #[error("unknown format {name:?}; expected one of jsonl, csv, warc, html")]
    UnknownFormatName { name: String },
    #[error("{} is a folder, but the {format} format reads a single file; folders hold saved HTML pages", path.display())]
    DirectoryNotSupported { path: PathBuf, format: Format },
    #[error(
        "invalid CSV column map {spec:?}: {reason} (expected e.g. `title=headline,body=description`)"
    )]
    BadCsvMap { spec: String, reason: String },
    #[error("invalid read option: {reason}")]
    BadOption { reason: String },
}
