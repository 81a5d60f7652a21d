//! The counting rules, in one place: from normalised records to per-agency-year and
//! per-state-year figures (the public JSON contract, `docs/nibrs-report-format.md`).
//!
//! Rules: one arrestee record is one arrest; `M` multiple-arrestee records are not counted;
//! juveniles are arrestees whose known age is under 18; months reported are months with an
//! incident report (`I`) or a zero report (`Z`). When one agency-year was imported from more
//! than one kind of source, the first of CDE, master file, flat file is used and the others
//! are ignored (they describe the same arrests), with a warning.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::{
    Agency, AgencyMonth, Arrest, ArrestType, MonthStatus, Sex, SexTradeOffense, SourceKind,
    TraffickingIncident, Warning,
};

/// Everything a report is computed from (as loaded from the workspace, or straight from
/// readers).
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub agencies: Vec<Agency>,
    pub months: Vec<AgencyMonth>,
    pub arrests: Vec<Arrest>,
    pub trafficking: Vec<TraffickingIncident>,
    /// Warnings recorded at import time, carried into the report.
    pub warnings: Vec<Warning>,
    /// What was imported, for the methods section.
    pub imports: Vec<ImportInfo>,
}

impl ReportInput {
    /// Adds a freshly read dataset (for reports straight from files, and for tests).
    pub fn add(&mut self, dataset: crate::model::Dataset) {
        self.imports.push(ImportInfo {
            label: dataset.label.clone(),
            source: dataset.source,
            imported_at: None,
        });
        self.agencies.extend(dataset.agencies);
        self.months.extend(dataset.months);
        self.arrests.extend(dataset.arrests);
        self.trafficking.extend(dataset.trafficking);
        self.warnings.extend(dataset.warnings);
    }
}

/// One imported input, as listed in the methods section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportInfo {
    pub label: String,
    pub source: SourceKind,
    /// RFC 3339 timestamp of the import (the data's download date as far as the program knows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported_at: Option<String>,
}

/// Which part of the data a report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}

/// Counts for one offence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CodeCounts {
    pub total: u64,
    pub female: u64,
    pub male: u64,
    pub unknown_sex: u64,
    /// Known age under 18.
    pub juvenile: u64,
    pub on_view: u64,
    pub summoned: u64,
    pub custody: u64,
    pub unknown_arrest_type: u64,
}

impl CodeCounts {
    fn add(&mut self, arrest: &Arrest) {
        self.total += 1;
        match arrest.sex {
            Sex::Female => self.female += 1,
            Sex::Male => self.male += 1,
            Sex::Unknown => self.unknown_sex += 1,
        }
        if arrest.age.is_juvenile() {
            self.juvenile += 1;
        }
        match arrest.arrest_type {
            ArrestType::OnView => self.on_view += 1,
            ArrestType::Summoned => self.summoned += 1,
            ArrestType::Custody => self.custody += 1,
            ArrestType::Unknown => self.unknown_arrest_type += 1,
        }
    }

    fn merge(&mut self, other: &CodeCounts) {
        self.total += other.total;
        self.female += other.female;
        self.male += other.male;
        self.unknown_sex += other.unknown_sex;
        self.juvenile += other.juvenile;
        self.on_view += other.on_view;
        self.summoned += other.summoned;
        self.custody += other.custody;
        self.unknown_arrest_type += other.unknown_arrest_type;
    }
}

/// The five offences, always all present (zeros included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ArrestCounts {
    #[serde(rename = "40A")]
    pub prostitution: CodeCounts,
    #[serde(rename = "40B")]
    pub promoting: CodeCounts,
    #[serde(rename = "40C")]
    pub purchasing: CodeCounts,
    #[serde(rename = "64A")]
    pub trafficking_commercial_sex: CodeCounts,
    #[serde(rename = "64B")]
    pub trafficking_servitude: CodeCounts,
}

impl ArrestCounts {
    pub fn get(&self, offense: SexTradeOffense) -> &CodeCounts {
        match offense {
            SexTradeOffense::Prostitution => &self.prostitution,
            SexTradeOffense::Promoting => &self.promoting,
            SexTradeOffense::Purchasing => &self.purchasing,
            SexTradeOffense::TraffickingCommercialSex => &self.trafficking_commercial_sex,
            SexTradeOffense::TraffickingServitude => &self.trafficking_servitude,
        }
    }

    fn get_mut(&mut self, offense: SexTradeOffense) -> &mut CodeCounts {
        match offense {
            SexTradeOffense::Prostitution => &mut self.prostitution,
            SexTradeOffense::Promoting => &mut self.promoting,
            SexTradeOffense::Purchasing => &mut self.purchasing,
            SexTradeOffense::TraffickingCommercialSex => &mut self.trafficking_commercial_sex,
            SexTradeOffense::TraffickingServitude => &mut self.trafficking_servitude,
        }
    }

    fn merge(&mut self, other: &ArrestCounts) {
        for o in SexTradeOffense::ALL {
            self.get_mut(o).merge(other.get(o));
        }
    }

    /// Arrests in the commercial sex trade: 40A + 40B + 40C + 64A (64B is labour trafficking).
    pub fn sex_trade_total(&self) -> u64 {
        SexTradeOffense::ALL
            .iter()
            .filter(|o| o.is_sex_trade())
            .map(|o| self.get(*o).total)
            .sum()
    }

    /// All five offences.
    pub fn total(&self) -> u64 {
        SexTradeOffense::ALL
            .iter()
            .map(|o| self.get(*o).total)
            .sum()
    }

    /// Buyers (40C) per seller (40A); `None` when no sellers were arrested.
    pub fn buyer_to_seller_ratio(&self) -> Option<f64> {
        (self.prostitution.total > 0)
            .then(|| round3(self.purchasing.total as f64 / self.prostitution.total as f64))
    }

    /// Share of sex-trade arrests that were of sellers (40A); `None` without sex-trade arrests.
    pub fn seller_share(&self) -> Option<f64> {
        let total = self.sex_trade_total();
        (total > 0).then(|| round3(self.prostitution.total as f64 / total as f64))
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Arrests per 100,000 residents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    #[serde(rename = "40A")]
    pub prostitution: f64,
    #[serde(rename = "40B")]
    pub promoting: f64,
    #[serde(rename = "40C")]
    pub purchasing: f64,
    #[serde(rename = "64A")]
    pub trafficking_commercial_sex: f64,
    #[serde(rename = "64B")]
    pub trafficking_servitude: f64,
}

impl Rates {
    fn of(arrests: &ArrestCounts, population: u64) -> Option<Rates> {
        if population == 0 {
            return None;
        }
        let r = |n: u64| ((n as f64) * 100_000.0 / population as f64 * 100.0).round() / 100.0;
        Some(Rates {
            prostitution: r(arrests.prostitution.total),
            promoting: r(arrests.promoting.total),
            purchasing: r(arrests.purchasing.total),
            trafficking_commercial_sex: r(arrests.trafficking_commercial_sex.total),
            trafficking_servitude: r(arrests.trafficking_servitude.total),
        })
    }
}

/// Reporting status over the year's twelve months.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthsDetail {
    /// `I`: filed incident reports.
    pub filed: u8,
    /// `Z`: filed a zero report.
    pub zero_report: u8,
    /// `U`: did not file.
    pub not_reported: u8,
    /// No record at all for the month in the imported data.
    pub unknown: u8,
    /// 1–12 → status code (`I`, `Z`, `U`); months without a record are absent.
    pub by_month: BTreeMap<u8, &'static str>,
}

/// How an agency-year reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportingStatus {
    /// Twelve months filed or zero-reported.
    FullYear,
    /// Some months reported, some not.
    PartYear,
    /// Month records exist and all say "did not file".
    DidNotReport,
    /// No month records in the imported data (e.g. a flat file or master file).
    Unknown,
}

/// Trafficking incidents (64A/64B offences) and their victims.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TraffickingCounts {
    pub incidents: u64,
    pub commercial_sex_incidents: u64,
    pub servitude_incidents: u64,
    pub victims: u64,
    pub juvenile_victims: u64,
}

impl TraffickingCounts {
    fn add(&mut self, t: &TraffickingIncident) {
        self.incidents += 1;
        self.commercial_sex_incidents += u64::from(t.commercial_sex);
        self.servitude_incidents += u64::from(t.involuntary_servitude);
        self.victims += u64::from(t.victims);
        self.juvenile_victims += u64::from(t.juvenile_victims);
    }

    fn merge(&mut self, o: &TraffickingCounts) {
        self.incidents += o.incidents;
        self.commercial_sex_incidents += o.commercial_sex_incidents;
        self.servitude_incidents += o.servitude_incidents;
        self.victims += o.victims;
        self.juvenile_victims += o.juvenile_victims;
    }
}

/// A place in a ranking: 1 is first; ties share a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    pub position: u32,
    pub of: u32,
}

/// The agency's place among the state's reporting agencies in the same year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rank {
    /// By sex-trade arrests (40A+40B+40C+64A), most first.
    pub sex_trade_arrests: Place,
    /// By buyer arrests (40C), most first.
    pub buyer_arrests: Place,
}

/// One year of an agency's or a state's figures, for trend charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    pub year: i32,
    #[serde(rename = "40A")]
    pub prostitution: u64,
    #[serde(rename = "40B")]
    pub promoting: u64,
    #[serde(rename = "40C")]
    pub purchasing: u64,
    #[serde(rename = "64A")]
    pub trafficking_commercial_sex: u64,
    #[serde(rename = "64B")]
    pub trafficking_servitude: u64,
    /// `None` when month records are missing for that year.
    pub months_reported: Option<u8>,
}

impl TrendPoint {
    fn of(year: i32, a: &ArrestCounts, months_reported: Option<u8>) -> TrendPoint {
        TrendPoint {
            year,
            prostitution: a.prostitution.total,
            promoting: a.promoting.total,
            purchasing: a.purchasing.total,
            trafficking_commercial_sex: a.trafficking_commercial_sex.total,
            trafficking_servitude: a.trafficking_servitude.total,
            months_reported,
        }
    }
}

/// Figures for one agency in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyYear {
    pub ori: String,
    pub name: Option<String>,
    pub state: String,
    pub year: i32,
    pub county: Option<String>,
    pub agency_type: Option<String>,
    pub source: SourceKind,
    /// Months with an incident report or a zero report; `None` when the data has no month
    /// records for this agency-year (unknown, not zero).
    pub months_reported: Option<u8>,
    pub months: MonthsDetail,
    pub reporting: ReportingStatus,
    pub population: Option<u64>,
    pub arrests: ArrestCounts,
    pub sex_trade_arrests: u64,
    pub buyer_to_seller_ratio: Option<f64>,
    pub seller_share: Option<f64>,
    /// Juveniles arrested for prostitution (40A): children who by law are victims.
    pub juvenile_prostitution_arrests: u64,
    pub rates_per_100k: Option<Rates>,
    pub trafficking: TraffickingCounts,
    pub rank: Option<Rank>,
    /// `M` multiple-arrestee records seen and, by rule, not counted.
    pub multiple_records_not_counted: u64,
    /// All imported years for this agency, oldest first.
    pub trend: Vec<TrendPoint>,
}

/// Figures for one state in one year (all its agencies, plus arrests that could not be placed
/// in an agency).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateYear {
    pub state: String,
    pub year: i32,
    pub arrests: ArrestCounts,
    pub sex_trade_arrests: u64,
    pub buyer_to_seller_ratio: Option<f64>,
    pub seller_share: Option<f64>,
    pub juvenile_prostitution_arrests: u64,
    /// Agencies in the data for this state-year.
    pub agencies: u32,
    /// Agencies that reported (filed or zero-reported) all twelve months.
    pub agencies_full_year: u32,
    /// Agencies with month records that reported no month at all.
    pub agencies_not_reporting: u32,
    /// Agencies with at least one of the five arrests.
    pub agencies_with_arrests: u32,
    /// Agencies with 12 months reported and no buyer (40C) arrest.
    pub agencies_full_year_without_buyer_arrests: u32,
    /// Population served by agencies that reported at least one month.
    pub population_covered: Option<u64>,
    pub rates_per_100k: Option<Rates>,
    pub trafficking: TraffickingCounts,
    /// Arrests in the state figures that could not be linked to an agency.
    pub arrests_without_agency: u64,
    pub multiple_records_not_counted: u64,
    pub trend: Vec<TrendPoint>,
}

/// The whole report: the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub filter: ReportFilter,
    pub agencies: Vec<AgencyYear>,
    pub states: Vec<StateYear>,
    pub warnings: Vec<Warning>,
    pub sources: Vec<ImportInfo>,
}

/// Key of one reporting unit: state, year and ORI (`None` for arrests without an agency).
type UnitKey = (String, i32, Option<String>);

#[derive(Default)]
struct Unit {
    agency: Option<Agency>,
    months: BTreeMap<u8, MonthStatus>,
    has_months: bool,
    arrests: ArrestCounts,
    multiple: u64,
    trafficking: TraffickingCounts,
}

/// Computes the report.
pub fn build_report(input: &ReportInput, filter: &ReportFilter) -> Report {
    let mut warnings = input.warnings.clone();
    let want_state = filter.state.as_ref().map(|s| s.to_ascii_uppercase());
    let want_ori = filter.agency.as_ref().map(|s| s.to_ascii_uppercase());
    let state_ok = |s: &str| want_state.as_deref().is_none_or(|w| w == s);

    // Which source speaks for each unit: the best one present.
    let mut sources: HashMap<UnitKey, BTreeSet<SourceKind>> = HashMap::new();
    for a in &input.agencies {
        sources
            .entry((a.state.clone(), a.year, Some(a.ori.clone())))
            .or_default()
            .insert(a.source);
    }
    for m in &input.months {
        sources
            .entry((m.state.clone(), m.year, Some(m.ori.clone())))
            .or_default()
            .insert(m.source);
    }
    for a in &input.arrests {
        sources
            .entry((a.state.clone(), a.year, a.ori.clone()))
            .or_default()
            .insert(a.source);
    }
    for t in &input.trafficking {
        sources
            .entry((t.state.clone(), t.year, t.ori.clone()))
            .or_default()
            .insert(t.source);
    }
    let mut chosen: HashMap<UnitKey, SourceKind> = HashMap::new();
    let mut multi_source: BTreeMap<(String, i32), (u32, SourceKind)> = BTreeMap::new();
    for (key, set) in &sources {
        let best = *set.iter().next().unwrap_or(&SourceKind::Cde);
        if set.len() > 1 && state_ok(&key.0) {
            let entry = multi_source
                .entry((key.0.clone(), key.1))
                .or_insert((0, best));
            entry.0 += 1;
        }
        chosen.insert(key.clone(), best);
    }
    for ((state, year), (n, best)) in &multi_source {
        warnings.push(Warning::general(format!(
            "{state} {year}: {n} agencies were imported from more than one kind of source; figures use the {} data for each of them and ignore the rest so no arrest is counted twice",
            match best {
                SourceKind::Cde => "CDE",
                SourceKind::MasterFile => "master-file",
                SourceKind::FlatFile => "flat-file",
            }
        )));
    }
    let uses = |key: &UnitKey, source: SourceKind| chosen.get(key) == Some(&source);

    let mut units: BTreeMap<UnitKey, Unit> = BTreeMap::new();
    for a in &input.agencies {
        let key = (a.state.clone(), a.year, Some(a.ori.clone()));
        if uses(&key, a.source) {
            units.entry(key).or_default().agency = Some(a.clone());
        }
    }
    for m in &input.months {
        let key = (m.state.clone(), m.year, Some(m.ori.clone()));
        if uses(&key, m.source) {
            let unit = units.entry(key).or_default();
            unit.has_months = true;
            let slot = unit.months.entry(m.month).or_insert(m.status);
            if m.status.strength() > slot.strength() {
                *slot = m.status;
            }
        }
    }
    for a in &input.arrests {
        let key = (a.state.clone(), a.year, a.ori.clone());
        if uses(&key, a.source) {
            let unit = units.entry(key).or_default();
            if a.counts() {
                unit.arrests.get_mut(a.offense).add(a);
            } else {
                unit.multiple += 1;
            }
        }
    }
    for t in &input.trafficking {
        let key = (t.state.clone(), t.year, t.ori.clone());
        if uses(&key, t.source) {
            units.entry(key).or_default().trafficking.add(t);
        }
    }

    // Per-agency figures for every year (trends need them all).
    let mut all_agency_years: Vec<AgencyYear> = Vec::new();
    let mut statewide: BTreeMap<(String, i32), (ArrestCounts, u64, TraffickingCounts)> =
        BTreeMap::new();
    for ((state, year, ori), unit) in &units {
        let Some(ori) = ori else {
            let e = statewide.entry((state.clone(), *year)).or_default();
            e.0.merge(&unit.arrests);
            e.1 += unit.multiple;
            e.2.merge(&unit.trafficking);
            continue;
        };
        let mut months = MonthsDetail::default();
        for (m, status) in &unit.months {
            months.by_month.insert(*m, status.code());
            match status {
                MonthStatus::Filed => months.filed += 1,
                MonthStatus::ZeroReport => months.zero_report += 1,
                MonthStatus::NotReported => months.not_reported += 1,
            }
        }
        months.unknown =
            12u8.saturating_sub(months.filed + months.zero_report + months.not_reported);
        let reported = months.filed + months.zero_report;
        let reporting = if !unit.has_months {
            ReportingStatus::Unknown
        } else if reported >= 12 {
            ReportingStatus::FullYear
        } else if reported == 0 {
            ReportingStatus::DidNotReport
        } else {
            ReportingStatus::PartYear
        };
        let agency = unit.agency.as_ref();
        let source = agency
            .map(|a| a.source)
            .or_else(|| {
                chosen
                    .get(&(state.clone(), *year, Some(ori.clone())))
                    .copied()
            })
            .unwrap_or(SourceKind::Cde);
        let population = agency.and_then(|a| a.population);
        all_agency_years.push(AgencyYear {
            ori: ori.clone(),
            name: agency.and_then(|a| a.name.clone()),
            state: state.clone(),
            year: *year,
            county: agency.and_then(|a| a.county.clone()),
            agency_type: agency.and_then(|a| a.agency_type.clone()),
            source,
            months_reported: unit.has_months.then_some(reported),
            months,
            reporting,
            population,
            arrests: unit.arrests,
            sex_trade_arrests: unit.arrests.sex_trade_total(),
            buyer_to_seller_ratio: unit.arrests.buyer_to_seller_ratio(),
            seller_share: unit.arrests.seller_share(),
            juvenile_prostitution_arrests: unit.arrests.prostitution.juvenile,
            rates_per_100k: population.and_then(|p| Rates::of(&unit.arrests, p)),
            trafficking: unit.trafficking,
            rank: None,
            multiple_records_not_counted: unit.multiple,
            trend: Vec::new(),
        });
    }

    // Ranks among the state's agencies that reported (or had arrests) in the same year.
    let mut groups: BTreeMap<(String, i32), Vec<usize>> = BTreeMap::new();
    for (i, a) in all_agency_years.iter().enumerate() {
        let active = a.months_reported.unwrap_or(0) > 0 || a.arrests.total() > 0;
        if active {
            groups.entry((a.state.clone(), a.year)).or_default().push(i);
        }
    }
    for members in groups.values() {
        let of = members.len() as u32;
        let place = |value: &dyn Fn(&AgencyYear) -> u64, i: usize| -> u32 {
            let mine = value(&all_agency_years[i]);
            1 + members
                .iter()
                .filter(|j| value(&all_agency_years[**j]) > mine)
                .count() as u32
        };
        let ranks: Vec<(usize, Rank)> = members
            .iter()
            .map(|i| {
                (
                    *i,
                    Rank {
                        sex_trade_arrests: Place {
                            position: place(&|a: &AgencyYear| a.sex_trade_arrests, *i),
                            of,
                        },
                        buyer_arrests: Place {
                            position: place(&|a: &AgencyYear| a.arrests.purchasing.total, *i),
                            of,
                        },
                    },
                )
            })
            .collect();
        for (i, rank) in ranks {
            all_agency_years[i].rank = Some(rank);
        }
    }

    // Trends per agency across every imported year.
    let mut agency_trends: BTreeMap<String, Vec<TrendPoint>> = BTreeMap::new();
    for a in &all_agency_years {
        agency_trends
            .entry(a.ori.clone())
            .or_default()
            .push(TrendPoint::of(a.year, &a.arrests, a.months_reported));
    }
    for a in &mut all_agency_years {
        if let Some(t) = agency_trends.get(&a.ori) {
            a.trend = t.clone();
            a.trend.sort_by_key(|p| p.year);
        }
    }

    // State figures: the sum of agencies plus arrests without an agency.
    let mut state_years: BTreeMap<(String, i32), StateYear> = BTreeMap::new();
    let blank = |state: &str, year: i32| StateYear {
        state: state.to_string(),
        year,
        arrests: ArrestCounts::default(),
        sex_trade_arrests: 0,
        buyer_to_seller_ratio: None,
        seller_share: None,
        juvenile_prostitution_arrests: 0,
        agencies: 0,
        agencies_full_year: 0,
        agencies_not_reporting: 0,
        agencies_with_arrests: 0,
        agencies_full_year_without_buyer_arrests: 0,
        population_covered: None,
        rates_per_100k: None,
        trafficking: TraffickingCounts::default(),
        arrests_without_agency: 0,
        multiple_records_not_counted: 0,
        trend: Vec::new(),
    };
    for a in &all_agency_years {
        let s = state_years
            .entry((a.state.clone(), a.year))
            .or_insert_with(|| blank(&a.state, a.year));
        s.arrests.merge(&a.arrests);
        s.trafficking.merge(&a.trafficking);
        s.multiple_records_not_counted += a.multiple_records_not_counted;
        s.agencies += 1;
        if a.reporting == ReportingStatus::FullYear {
            s.agencies_full_year += 1;
            if a.arrests.purchasing.total == 0 {
                s.agencies_full_year_without_buyer_arrests += 1;
            }
        }
        if a.reporting == ReportingStatus::DidNotReport {
            s.agencies_not_reporting += 1;
        }
        if a.arrests.total() > 0 {
            s.agencies_with_arrests += 1;
        }
        if a.months_reported.unwrap_or(0) > 0
            && let Some(p) = a.population
        {
            *s.population_covered.get_or_insert(0) += p;
        }
    }
    for ((state, year), (arrests, multiple, trafficking)) in &statewide {
        let s = state_years
            .entry((state.clone(), *year))
            .or_insert_with(|| blank(state, *year));
        s.arrests.merge(arrests);
        s.arrests_without_agency += arrests.total();
        s.multiple_records_not_counted += multiple;
        s.trafficking.merge(trafficking);
    }
    let mut state_trends: BTreeMap<String, Vec<TrendPoint>> = BTreeMap::new();
    for s in state_years.values_mut() {
        s.sex_trade_arrests = s.arrests.sex_trade_total();
        s.buyer_to_seller_ratio = s.arrests.buyer_to_seller_ratio();
        s.seller_share = s.arrests.seller_share();
        s.juvenile_prostitution_arrests = s.arrests.prostitution.juvenile;
        // Rates only when every arrest is in an agency with a population: otherwise the
        // numerator and denominator would not match.
        s.rates_per_100k = match s.population_covered {
            Some(p) if s.arrests_without_agency == 0 => Rates::of(&s.arrests, p),
            _ => None,
        };
        state_trends
            .entry(s.state.clone())
            .or_default()
            .push(TrendPoint::of(s.year, &s.arrests, None));
    }
    for s in state_years.values_mut() {
        if let Some(t) = state_trends.get(&s.state) {
            s.trend = t.clone();
        }
    }

    let year_ok = |y: i32| filter.year.is_none_or(|w| w == y);
    let agencies: Vec<AgencyYear> = all_agency_years
        .into_iter()
        .filter(|a| state_ok(&a.state) && year_ok(a.year))
        .filter(|a| want_ori.as_deref().is_none_or(|o| o == a.ori))
        .collect();
    let states: Vec<StateYear> = state_years
        .into_values()
        .filter(|s| state_ok(&s.state) && year_ok(s.year))
        .filter(|s| want_ori.is_none() || agencies.iter().any(|a| a.state == s.state))
        .collect();
    if let Some(ori) = &want_ori
        && agencies.is_empty()
    {
        warnings.push(Warning::general(format!(
            "no imported data for agency {ori} with these filters"
        )));
    }
    Report {
        filter: ReportFilter {
            state: want_state,
            year: filter.year,
            agency: want_ori,
        },
        agencies,
        states,
        warnings,
        sources: input.imports.clone(),
    }
}
