//! The normalised records every reader produces and every figure is computed from.
//!
//! Readers of the three CDE layouts, the agency flat file and the national master file all
//! reduce their input to these few types, so counting rules live in one place (`figures`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The five offences the enforcement scorecards count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SexTradeOffense {
    /// 40A Prostitution: the person selling (most often the person being exploited).
    #[serde(rename = "40A")]
    Prostitution,
    /// 40B Assisting or Promoting Prostitution: pimping, pandering, operating a house.
    #[serde(rename = "40B")]
    Promoting,
    /// 40C Purchasing Prostitution: the buyer.
    #[serde(rename = "40C")]
    Purchasing,
    /// 64A Human Trafficking, Commercial Sex Acts.
    #[serde(rename = "64A")]
    TraffickingCommercialSex,
    /// 64B Human Trafficking, Involuntary Servitude.
    #[serde(rename = "64B")]
    TraffickingServitude,
}

impl SexTradeOffense {
    /// All five, in the order reports show them.
    pub const ALL: [SexTradeOffense; 5] = [
        SexTradeOffense::Prostitution,
        SexTradeOffense::Promoting,
        SexTradeOffense::Purchasing,
        SexTradeOffense::TraffickingCommercialSex,
        SexTradeOffense::TraffickingServitude,
    ];

    /// The FBI UCR offence code (`40A`, ...).
    pub fn code(self) -> &'static str {
        match self {
            SexTradeOffense::Prostitution => "40A",
            SexTradeOffense::Promoting => "40B",
            SexTradeOffense::Purchasing => "40C",
            SexTradeOffense::TraffickingCommercialSex => "64A",
            SexTradeOffense::TraffickingServitude => "64B",
        }
    }

    /// Parses a UCR offence code; `None` for every other offence (those are not counted).
    pub fn from_code(code: &str) -> Option<SexTradeOffense> {
        match code.trim().to_ascii_uppercase().as_str() {
            "40A" => Some(SexTradeOffense::Prostitution),
            "40B" => Some(SexTradeOffense::Promoting),
            "40C" => Some(SexTradeOffense::Purchasing),
            "64A" => Some(SexTradeOffense::TraffickingCommercialSex),
            "64B" => Some(SexTradeOffense::TraffickingServitude),
            _ => None,
        }
    }

    /// Byte-level variant of [`from_code`](Self::from_code) for the fixed-width hot paths.
    pub fn from_code_bytes(code: &[u8]) -> Option<SexTradeOffense> {
        match code {
            b"40A" | b"40a" => Some(SexTradeOffense::Prostitution),
            b"40B" | b"40b" => Some(SexTradeOffense::Promoting),
            b"40C" | b"40c" => Some(SexTradeOffense::Purchasing),
            b"64A" | b"64a" => Some(SexTradeOffense::TraffickingCommercialSex),
            b"64B" | b"64b" => Some(SexTradeOffense::TraffickingServitude),
            _ => None,
        }
    }

    /// Plain-language name used in reports.
    pub fn plain_name(self) -> &'static str {
        match self {
            SexTradeOffense::Prostitution => "selling sex (prostitution)",
            SexTradeOffense::Promoting => "promoting prostitution (pimping, pandering)",
            SexTradeOffense::Purchasing => "buying sex",
            SexTradeOffense::TraffickingCommercialSex => "sex trafficking",
            SexTradeOffense::TraffickingServitude => "labour trafficking (involuntary servitude)",
        }
    }

    /// Whether the offence belongs to the commercial sex trade (64B is labour trafficking).
    pub fn is_sex_trade(self) -> bool {
        !matches!(self, SexTradeOffense::TraffickingServitude)
    }
}

impl fmt::Display for SexTradeOffense {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where a record came from. When the same agency-year was imported from more than one kind
/// of source, reports use the first in this order (see `figures`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A CDE per-state download (ZIP or folder of CSV tables).
    Cde,
    /// The FBI's annual national master file (fixed width, `BH`/`01`..`07`).
    MasterFile,
    /// An agency or state-programme NIBRS submission (fixed width, levels 0–7).
    FlatFile,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Cde => "cde",
            SourceKind::MasterFile => "master_file",
            SourceKind::FlatFile => "flat_file",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        match s {
            "cde" => Some(SourceKind::Cde),
            "master_file" => Some(SourceKind::MasterFile),
            "flat_file" => Some(SourceKind::FlatFile),
            _ => None,
        }
    }
}

/// Sex of an arrestee as recorded (NIBRS allows only M or F for arrestees; anything else is
/// kept as unknown rather than guessed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

impl Sex {
    pub fn from_code(code: &str) -> Sex {
        match code.trim() {
            "F" | "f" => Sex::Female,
            "M" | "m" => Sex::Male,
            _ => Sex::Unknown,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Unknown => "U",
        }
    }
}

/// Data element 43, type of arrest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrestType {
    /// `O` on-view arrest.
    OnView,
    /// `S` summoned or cited.
    Summoned,
    /// `T` taken into custody.
    Custody,
    Unknown,
}

impl ArrestType {
    pub fn from_code(code: &str) -> ArrestType {
        match code.trim() {
            "O" | "o" => ArrestType::OnView,
            "S" | "s" => ArrestType::Summoned,
            "T" | "t" => ArrestType::Custody,
            _ => ArrestType::Unknown,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ArrestType::OnView => "O",
            ArrestType::Summoned => "S",
            ArrestType::Custody => "T",
            ArrestType::Unknown => "",
        }
    }
}

/// Data element 44, multiple-arrestee segments indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultipleIndicator {
    /// `C` count this arrestee.
    Count,
    /// `M` the same arrest reported again in another incident: never counted.
    Multiple,
    /// `N` not applicable (one incident).
    NotApplicable,
    Unknown,
}

impl MultipleIndicator {
    pub fn from_code(code: &str) -> MultipleIndicator {
        match code.trim() {
            "C" | "c" => MultipleIndicator::Count,
            "M" | "m" => MultipleIndicator::Multiple,
            "N" | "n" => MultipleIndicator::NotApplicable,
            _ => MultipleIndicator::Unknown,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MultipleIndicator::Count => "C",
            MultipleIndicator::Multiple => "M",
            MultipleIndicator::NotApplicable => "N",
            MultipleIndicator::Unknown => "",
        }
    }
}

/// An age as NIBRS records it: exact (`low == high`), a range, or unknown (both `None`).
/// Infants (`NN`, `NB`, `BB`) are age 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Age {
    pub low: Option<u8>,
    pub high: Option<u8>,
}

impl Age {
    pub const UNKNOWN: Age = Age {
        low: None,
        high: None,
    };

    pub fn exact(years: u8) -> Age {
        Age {
            low: Some(years),
            high: Some(years),
        }
    }

    /// A juvenile is someone whose known age is under 18: an exact age under 18, or a range
    /// whose upper bound is under 18. Unknown ages are never counted as juvenile.
    pub fn is_juvenile(self) -> bool {
        matches!(self.high, Some(h) if h < 18)
    }

    /// Parses the 4-character fixed-width age field (`25  `, `1619`, `NN  `, `00  `).
    pub fn from_fixed_width(field: &[u8]) -> Option<Age> {
        let field = trim_ascii(field);
        if field.is_empty() {
            return Some(Age::UNKNOWN);
        }
        match field {
            b"NN" | b"NB" | b"BB" => return Some(Age::exact(0)),
            b"00" => return Some(Age::UNKNOWN),
            _ => {}
        }
        let digits = |b: &[u8]| -> Option<u8> {
            if b.len() == 2 && b.iter().all(u8::is_ascii_digit) {
                Some((b[0] - b'0') * 10 + (b[1] - b'0'))
            } else {
                None
            }
        };
        match field.len() {
            2 => digits(field).map(Age::exact),
            4 => {
                let low = digits(&field[..2])?;
                let high = digits(&field[2..])?;
                if low == 0 || high < low {
                    None
                } else {
                    Some(Age {
                        low: Some(low),
                        high: Some(high),
                    })
                }
            }
            _ => None,
        }
    }
}

/// Trims ASCII spaces (and stray tabs or NULs) from both ends.
pub(crate) fn trim_ascii(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if matches!(first, b' ' | b'\t' | 0) {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if matches!(last, b' ' | b'\t' | 0 | b'\r') {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// One arrestee record for one of the five offences (arrests for other offences are skipped at
/// read time: the scorecards never need them, and storing less is safer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrest {
    pub source: SourceKind,
    /// Unique within `source`: the CDE `arrestee_id`, or ORI + incident number + sequence for
    /// fixed-width files. Importing the same record twice replaces it.
    pub key: String,
    /// The Group A incident (or Group B arrest transaction) the arrest belongs to; a delete
    /// action in a flat file removes every arrest with this key.
    pub incident_key: String,
    /// Two-letter postal abbreviation.
    pub state: String,
    /// Agency ORI; `None` when the package has no incident or agency table to tell.
    pub ori: Option<String>,
    /// The data year the arrest is counted in.
    pub year: i32,
    /// Arrest date as `YYYY-MM-DD` when known.
    pub arrest_date: Option<String>,
    pub offense: SexTradeOffense,
    pub sex: Sex,
    pub age: Age,
    pub arrest_type: ArrestType,
    pub multiple: MultipleIndicator,
}

impl Arrest {
    /// Whether the counting rules count this record (`M` multiple-arrestee records are not).
    pub fn counts(&self) -> bool {
        self.multiple != MultipleIndicator::Multiple
    }
}

/// Whether an agency reported in a month (`nibrs_month.reported_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthStatus {
    /// `I`: filed incident reports.
    Filed,
    /// `Z`: filed a zero report (nothing happened).
    ZeroReport,
    /// `U`: did not file.
    NotReported,
}

impl MonthStatus {
    pub fn from_code(code: &str) -> Option<MonthStatus> {
        match code.trim() {
            "I" | "i" => Some(MonthStatus::Filed),
            "Z" | "z" => Some(MonthStatus::ZeroReport),
            "U" | "u" => Some(MonthStatus::NotReported),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MonthStatus::Filed => "I",
            MonthStatus::ZeroReport => "Z",
            MonthStatus::NotReported => "U",
        }
    }

    /// Rank used when two sources disagree about one month: evidence of filing wins.
    pub(crate) fn strength(self) -> u8 {
        match self {
            MonthStatus::Filed => 2,
            MonthStatus::ZeroReport => 1,
            MonthStatus::NotReported => 0,
        }
    }
}

/// One agency-month of reporting status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyMonth {
    pub source: SourceKind,
    pub ori: String,
    pub state: String,
    pub year: i32,
    /// 1–12.
    pub month: u8,
    pub status: MonthStatus,
}

/// What the agency table says about an agency in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub source: SourceKind,
    pub ori: String,
    pub year: i32,
    pub name: Option<String>,
    pub state: String,
    pub county: Option<String>,
    pub agency_type: Option<String>,
    /// Population served, when the agency table has it (0 is stored as unknown).
    pub population: Option<u64>,
}

/// A Group A incident with a human-trafficking offence (64A or 64B), with its victims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraffickingIncident {
    pub source: SourceKind,
    pub key: String,
    pub state: String,
    pub ori: Option<String>,
    pub year: i32,
    pub commercial_sex: bool,
    pub involuntary_servitude: bool,
    /// Individual victims connected to a trafficking offence of the incident.
    pub victims: u32,
    /// Of those, victims whose known age is under 18.
    pub juvenile_victims: u32,
}

/// Something worth telling the user about the input: a malformed row, an unknown code, a
/// missing table. Never fatal to the rest of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// File (or archive member) concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line (CSV: record line) if the warning is about one row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub message: String,
}

impl Warning {
    pub fn general(message: impl Into<String>) -> Warning {
        Warning {
            file: None,
            line: None,
            message: message.into(),
        }
    }

    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            file: Some(file.into()),
            line: None,
            message: message.into(),
        }
    }

    pub fn at(file: impl Into<String>, line: u64, message: impl Into<String>) -> Warning {
        Warning {
            file: Some(file.into()),
            line: Some(line),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: {}", self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// How the store must treat earlier records when this batch is imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplaceRule {
    /// A complete snapshot (a CDE state-year package, or the master file of one year): every
    /// earlier record of the same source, state and package year is removed first. Rows whose
    /// own data year differs (late reports) still belong to the package's scope.
    Scope { year: i32 },
    /// An incremental submission (flat file): earlier records of the listed incident keys
    /// (delete actions and resubmitted incidents) and the listed arrest keys (Group B deletes
    /// of one arrestee) are removed; everything else is kept.
    Incidents {
        incident_keys: Vec<String>,
        arrest_keys: Vec<String>,
    },
}

/// Everything one reader produced from one input: the unit of import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub source: SourceKind,
    /// Human label of the input (file or folder name).
    pub label: String,
    /// How a re-import replaces earlier records (see [`ReplaceRule`]).
    pub replace: ReplaceRule,
    pub agencies: Vec<Agency>,
    pub months: Vec<AgencyMonth>,
    pub arrests: Vec<Arrest>,
    pub trafficking: Vec<TraffickingIncident>,
    pub warnings: Vec<Warning>,
    /// Counters for the import summary.
    pub stats: ReadStats,
}

impl Dataset {
    pub fn new(source: SourceKind, label: impl Into<String>, replace: ReplaceRule) -> Dataset {
        Dataset {
            source,
            label: label.into(),
            replace,
            agencies: Vec::new(),
            months: Vec::new(),
            arrests: Vec::new(),
            trafficking: Vec::new(),
            warnings: Vec::new(),
            stats: ReadStats::default(),
        }
    }

    /// The scope (e.g. `cde:LA:2014`) a record of `state` belongs to, for
    /// [`ReplaceRule::Scope`] imports; rows carry it so a re-import replaces them.
    pub fn scope_for(&self, state: &str) -> Option<String> {
        match &self.replace {
            ReplaceRule::Scope { year } => Some(scope_name(self.source, state, *year)),
            ReplaceRule::Incidents { .. } => None,
        }
    }

    /// Every scope this dataset replaces (one per state present).
    pub fn scopes(&self) -> Vec<String> {
        let mut states: Vec<&str> = self
            .arrests
            .iter()
            .map(|a| a.state.as_str())
            .chain(self.months.iter().map(|m| m.state.as_str()))
            .chain(self.agencies.iter().map(|a| a.state.as_str()))
            .chain(self.trafficking.iter().map(|t| t.state.as_str()))
            .collect();
        states.sort_unstable();
        states.dedup();
        states
            .into_iter()
            .filter_map(|s| self.scope_for(s))
            .collect()
    }
}

/// `cde:LA:2014`-style scope names.
pub fn scope_name(source: SourceKind, state: &str, year: i32) -> String {
    format!("{}:{}:{}", source.as_str(), state, year)
}

/// Counters reported after reading.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadStats {
    /// Bytes read from the input (uncompressed).
    pub bytes: u64,
    /// Data rows or segments seen.
    pub rows: u64,
    /// Exact duplicate rows dropped.
    pub duplicate_rows: u64,
    /// Rows or segments skipped as malformed.
    pub malformed_rows: u64,
    /// Arrest records for the five offences kept.
    pub sex_trade_arrests: u64,
    /// Arrest records for any offence (after deletes, before the `M` rule), for context:
    /// "7 of 9,734 arrests were for the five offences".
    pub arrest_records: u64,
    /// Delete actions applied (flat files).
    pub deletes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_ages() {
        assert_eq!(Age::from_fixed_width(b"25  "), Some(Age::exact(25)));
        assert_eq!(Age::from_fixed_width(b"NN  "), Some(Age::exact(0)));
        assert_eq!(Age::from_fixed_width(b"00  "), Some(Age::UNKNOWN));
        assert_eq!(
            Age::from_fixed_width(b"1619"),
            Some(Age {
                low: Some(16),
                high: Some(19)
            })
        );
        assert_eq!(Age::from_fixed_width(b"1916"), None);
        assert_eq!(Age::from_fixed_width(b"x"), None);
        assert!(Age::from_fixed_width(b"1517").unwrap().is_juvenile());
        assert!(!Age::from_fixed_width(b"1619").unwrap().is_juvenile());
        assert!(!Age::UNKNOWN.is_juvenile());
    }

    #[test]
    fn codes_round_trip() {
        for o in SexTradeOffense::ALL {
            assert_eq!(SexTradeOffense::from_code(o.code()), Some(o));
            assert_eq!(
                SexTradeOffense::from_code_bytes(o.code().as_bytes()),
                Some(o)
            );
        }
        assert_eq!(SexTradeOffense::from_code("13A"), None);
    }
}
