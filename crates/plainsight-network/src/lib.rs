//! Ad networks built from linked ads: what each network holds (ads, identifiers, personas,
//! movement timeline), why it is ranked where it is (reasons with evidence), stable ids across
//! runs, text templates with slots, calibration of the weights from reviewed outcomes, and
//! exports for analysis tools. Pure logic: no I/O.

pub mod analysis;
pub mod calibrate;
pub mod exclusions;
pub mod export;
pub mod persona;
pub mod photos;
pub mod quality;
pub mod stable_ids;
pub mod template;
pub mod weights;

pub use analysis::{
    AdFacts, Analysis, AnalysisStats, Interner, UnusedIdentifier, analyze, analyze_with, prepare,
};
pub use photos::{PhotoEvidence, photo_evidence};
pub use quality::{PairScores, pairwise};
pub use stable_ids::{IdAssignment, assign_ids};
pub use template::{Template, TemplatePart, network_templates, template_of};
pub use weights::{WeightDef, Weights, WeightsError};
