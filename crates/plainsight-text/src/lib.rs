//! Turn messy, deliberately obfuscated ad text into clean, located facts: normalisation with a
//! map back to original offsets, then extractors for phones, emails, handles, prices, ages,
//! places, URLs and indicators. Pure logic: no file, network or database access.

pub mod ages;
pub mod emails;
pub mod extract;
pub mod handles;
pub mod indicators;
pub mod normalize;
pub mod phones;
pub mod places;
pub mod prices;
pub mod region;
mod scan;
pub mod urls;
