//! Domain types shared by every Plainsight crate: the ad record (`Ad`) and the facts extracted
//! from it (`Extraction`). No I/O and no logic beyond validation live here.

pub mod ad;
pub mod extraction;

pub use ad::{Ad, AdError, ImageRef};
pub use extraction::{
    Age, Email, Extraction, Field, Handle, IndicatorHit, Location, Payment, Phone, Price, Span,
    UrlRef,
};
