//! Ad networks built from linked ads: what each network holds (ads, identifiers, personas,
//! movement timeline), why it is ranked where it is (reasons with evidence), stable ids across
//! runs, text templates with slots, calibration of the weights from reviewed outcomes, and
//! exports for analysis tools. Pure logic: no I/O.

pub mod calibrate;
pub mod export;
