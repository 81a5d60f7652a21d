//! The crate's error type: only problems that stop a whole input are errors; row-level
//! problems are [`Warning`](crate::model::Warning)s.

use std::path::PathBuf;

/// Why an input could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum NibrsError {
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{label} is not a readable ZIP archive: {source}")]
    Zip {
        label: String,
        #[source]
        source: zip::result::ZipError,
    },
    #[error(
        "{label} has no arrestee table (nibrs_arrestee.csv); it holds: {found}. Is this a CDE NIBRS download?"
    )]
    NoArresteeTable { label: String, found: String },
    #[error(
        "{label}: arrestee rows carry offense_type_id but the package has no NIBRS_OFFENSE_TYPE.csv to decode it; add the lookup table from the same download"
    )]
    NoOffenseLookup { label: String },
    #[error("{label}: {message}")]
    Format { label: String, message: String },
    /// The input is larger than a limit allows (a record, a ZIP member, the whole expansion,
    /// the number of members): refused before it could exhaust memory or disk.
    #[error("{label} refused: {reason}")]
    Refused { label: String, reason: String },
    #[error("reading {label}: {source}")]
    Read {
        label: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = NibrsError> = std::result::Result<T, E>;
