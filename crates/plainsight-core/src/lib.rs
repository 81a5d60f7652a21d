//! Domain types shared by every Plainsight crate: the ad record (`Ad`) and the facts extracted
//! from it (`Extraction`), and the network record (`NetworkRecord`). No I/O and no logic beyond validation live here.

pub mod ad;
pub mod csv_cell;
pub mod extraction;
pub mod identifier;
pub mod network;
pub mod timestamp;

pub use ad::{
    Ad, AdError, FieldProblem, FieldWarning, ImageRef, ParsedAd, RecordOptions, derived_id,
    parse_posted_at,
};
pub use csv_cell::spreadsheet_safe;
pub use extraction::{
    Age, Email, Extraction, Field, Handle, IndicatorHit, Location, Payment, Phone, Price, Span,
    UrlRef,
};
pub use identifier::{Identifier, IdentifierKind, SERVICE_PHONE, identifiers_of};
pub use network::{
    AnalysisAd, Evidence, NetworkEvent, NetworkId, NetworkLink, NetworkLocation, NetworkRecord,
    Reason,
};
pub use timestamp::{DateContext, DateError, parse_timestamp};
