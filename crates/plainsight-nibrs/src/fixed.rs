//! Readers for the two fixed-width NIBRS formats:
//!
//! * the **flat file** an agency (or state programme) submits: one segment per line, positions
//!   from the FBI NIBRS Technical Specification 2019.1 (levels 0 zero report, 1 administrative,
//!   2 offence, 4 victim, 6 arrestee, 7 Group B arrest; action types I/A/D);
//! * the FBI's annual national **master file** (`BH` batch headers and `01`..`07` segments),
//!   of which the arrestee (`06`) and Group B arrest (`07`) segments are read.
//!
//! Both are streamed line by line with one reused buffer; only the five offences are kept.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;

use crate::cde::ReadOptions;
use crate::diag::Diagnostics;
use crate::error::{NibrsError, Result};
use crate::model::{
    Age, Agency, AgencyMonth, Arrest, ArrestType, Dataset, MonthStatus, MultipleIndicator,
    ReadStats, ReplaceRule, Sex, SexTradeOffense, SourceKind, TraffickingIncident, Warning,
    trim_ascii,
};

/// Which fixed-width format a file is in, judged from its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedWidthKind {
    FlatFile,
    MasterFile,
}

/// Recognises a flat-file segment (`NNNN` length, level `0`–`7`, action letter) or a master
/// file record (`BH` or `01`–`07` followed by a two-digit state code).
pub fn detect_fixed_width(first_line: &[u8]) -> Option<FixedWidthKind> {
    let l = first_line;
    if l.len() >= 6
        && l[..4].iter().all(u8::is_ascii_digit)
        && (b'0'..=b'7').contains(&l[4])
        && l[5].is_ascii_alphabetic()
    {
        return Some(FixedWidthKind::FlatFile);
    }
    if l.len() >= 13
        && (l.starts_with(b"BH") || (l[0] == b'0' && (b'1'..=b'7').contains(&l[1])))
        && l[2..4].iter().all(u8::is_ascii_digit)
    {
        return Some(FixedWidthKind::MasterFile);
    }
    None
}

/// Bytes at 1-based inclusive positions `from..=to`, shorter (or empty) when the line is short:
/// trailing blanks are often trimmed by the systems that write these files.
fn pos(line: &[u8], from: usize, to: usize) -> &[u8] {
    let start = (from - 1).min(line.len());
    let end = to.min(line.len());
    &line[start..end]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(trim_ascii(bytes)).into_owned()
}

fn num<T: std::str::FromStr>(bytes: &[u8]) -> Option<T> {
    std::str::from_utf8(trim_ascii(bytes)).ok()?.parse().ok()
}

/// `YYYYMMDD` to `YYYY-MM-DD`.
fn date8(bytes: &[u8]) -> Option<String> {
    let b = trim_ascii(bytes);
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let s = std::str::from_utf8(b).ok()?;
    let (y, m, d): (u32, u32, u32) = (
        s[..4].parse().ok()?,
        s[4..6].parse().ok()?,
        s[6..].parse().ok()?,
    );
    ((1..=12).contains(&m) && (1..=31).contains(&d) && y > 1900)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn year_month(date: &Option<String>) -> Option<(i32, u8)> {
    let d = date.as_deref()?;
    Some((d.get(0..4)?.parse().ok()?, d.get(5..7)?.parse().ok()?))
}

fn year_of(date: &Option<String>) -> Option<i32> {
    date.as_deref()
        .and_then(|d| d.get(0..4))
        .and_then(|y| y.parse().ok())
}

/// Reads lines with one reused buffer, without the line ending; returns (bytes, lines). A
/// line longer than `max_line` bytes refuses the file (a real segment is a few hundred bytes;
/// an endless line would otherwise be held in memory whole).
fn for_each_line(
    mut reader: impl BufRead,
    label: &str,
    max_line: usize,
    mut each: impl FnMut(&[u8], u64),
) -> Result<(u64, u64)> {
    use std::io::Read as _;
    let (mut bytes, mut rows) = (0u64, 0u64);
    let mut buf = Vec::with_capacity(512);
    let mut line_no = 0u64;
    let cap = u64::try_from(max_line)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(cap)
            .read_until(b'\n', &mut buf)
            .map_err(|source| NibrsError::Read {
                label: label.to_string(),
                source,
            })?;
        if n == 0 {
            break;
        }
        if n > max_line {
            return Err(NibrsError::Refused {
                label: label.to_string(),
                reason: format!(
                    "line {} is longer than {max_line} bytes (the record limit)",
                    line_no + 1
                ),
            });
        }
        bytes += n as u64;
        line_no += 1;
        let mut line = &buf[..];
        while let [rest @ .., b'\n' | b'\r'] = line {
            line = rest;
        }
        if line.is_empty() {
            continue;
        }
        rows += 1;
        each(line, line_no);
    }
    Ok((bytes, rows))
}

/// One Group A incident as built up from its segments.
#[derive(Default)]
struct FlatIncident {
    ori: String,
    arrests: Vec<Arrest>,
    /// Arrestee sequence numbers of arrests for any offence.
    all_arrests: BTreeSet<String>,
    commercial_sex: bool,
    servitude: bool,
    victims: u32,
    juvenile_victims: u32,
    year: Option<i32>,
    /// (year, month) of the incident date: the month this incident shows the agency reported.
    month: Option<(i32, u8)>,
}

/// Reads an agency NIBRS flat file (a monthly submission). Delete actions cancel earlier
/// inserts in the same file and, on import, in earlier files.
pub fn read_flat_file(reader: impl BufRead, label: &str, options: &ReadOptions) -> Result<Dataset> {
    let mut diag = Diagnostics::default();
    let mut stats = ReadStats::default();
    let mut incidents: HashMap<String, FlatIncident> = HashMap::new();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut group_b: BTreeMap<String, Arrest> = BTreeMap::new();
    // Group B arrests for any offence -> (year, month) of the arrest date.
    let mut group_b_all: BTreeMap<String, Option<(i32, u8)>> = BTreeMap::new();
    // Zero reports still standing: (ORI, year, month).
    let mut zero_reports: BTreeSet<(String, i32, u8)> = BTreeSet::new();
    let mut deleted_arrests: BTreeSet<String> = BTreeSet::new();
    let opt_state = options
        .state
        .as_ref()
        .map(|s| s.trim().to_ascii_uppercase());
    let mut unknown_state_oris: BTreeSet<String> = BTreeSet::new();

    let state_of = |ori: &str, unknown: &mut BTreeSet<String>| -> Option<String> {
        crate::cde::state_from_ori(ori).or_else(|| {
            unknown.insert(ori.to_string());
            opt_state.clone()
        })
    };

    let max_line = options.limits.max_record_bytes;
    let (bytes, rows) = for_each_line(reader, label, max_line, |line, line_no| {
        if line.len() < 37
            || !line[..4].iter().all(u8::is_ascii_digit)
            || !(b'0'..=b'7').contains(&line[4])
        {
            stats.malformed_rows += 1;
            diag.row(
                label,
                line_no,
                "not a NIBRS segment",
                format!(
                    "not a NIBRS segment (needs a 4-digit length, a level 0-7 and ORI/incident in positions 17-37; the line has {} characters); skipped",
                    line.len()
                ),
            );
            return;
        }
        let level = line[4];
        let action = line[5].to_ascii_uppercase();
        let sub_year: Option<i32> = num(pos(line, 9, 12));
        let ori = text(pos(line, 17, 25)).to_ascii_uppercase();
        if ori.is_empty() {
            stats.malformed_rows += 1;
            diag.row(
                label,
                line_no,
                "segment without ORI",
                "segment without an ORI in positions 17-25; skipped".to_string(),
            );
            return;
        }
        let number = text(pos(line, 26, 37));
        match (level, action) {
            (b'0', b'A') | (b'0', b'I') => {
                let month: Option<u8> = num(pos(line, 38, 39)).filter(|m| (1..=12).contains(m));
                let year: Option<i32> = num(pos(line, 40, 43));
                match (year, month) {
                    (Some(y), Some(m)) => {
                        zero_reports.insert((ori.clone(), y, m));
                    }
                    _ => diag.row(
                        label,
                        line_no,
                        "zero report without month/year",
                        "zero report without a valid month (38-39) and year (40-43); skipped"
                            .to_string(),
                    ),
                }
            }
            (b'0', b'D') => {
                let month: Option<u8> = num(pos(line, 38, 39));
                let year: Option<i32> = num(pos(line, 40, 43));
                if let (Some(y), Some(m)) = (year, month) {
                    zero_reports.remove(&(ori.clone(), y, m));
                }
                stats.deletes += 1;
            }
            (b'1', b'I') => {
                let key = format!("{ori}:{number}");
                touched.insert(key.clone());
                let incident_date = date8(pos(line, 38, 45));
                incidents.insert(
                    key,
                    FlatIncident {
                        ori: ori.clone(),
                        year: year_of(&incident_date).or(sub_year),
                        month: year_month(&incident_date),
                        ..FlatIncident::default()
                    },
                );
            }
            (b'1', b'D') => {
                let key = format!("{ori}:{number}");
                incidents.remove(&key);
                touched.insert(key);
                stats.deletes += 1;
            }
            (b'2', b'I') => {
                if let Some(offense) = SexTradeOffense::from_code_bytes(pos(line, 38, 40)) {
                    let incident = incident_entry(&mut incidents, &ori, &number, sub_year);
                    match offense {
                        SexTradeOffense::TraffickingCommercialSex => incident.commercial_sex = true,
                        SexTradeOffense::TraffickingServitude => incident.servitude = true,
                        _ => {}
                    }
                }
            }
            (b'4', b'I') => {
                let connected = pos(line, 41, 70);
                let trafficking = connected.chunks(3).any(|c| {
                    matches!(
                        SexTradeOffense::from_code_bytes(c),
                        Some(
                            SexTradeOffense::TraffickingCommercialSex
                                | SexTradeOffense::TraffickingServitude
                        )
                    )
                });
                let victim_type = pos(line, 71, 71);
                if trafficking && matches!(victim_type, b"I" | b"L") {
                    let age = Age::from_fixed_width(pos(line, 72, 75)).unwrap_or(Age::UNKNOWN);
                    let incident = incident_entry(&mut incidents, &ori, &number, sub_year);
                    incident.victims += 1;
                    if age.is_juvenile() {
                        incident.juvenile_victims += 1;
                    }
                }
            }
            (b'6', b'I') => {
                let seq = text(pos(line, 38, 39));
                incident_entry(&mut incidents, &ori, &number, sub_year)
                    .all_arrests
                    .insert(seq.clone());
                let Some(offense) = SexTradeOffense::from_code_bytes(pos(line, 62, 64)) else {
                    return;
                };
                let arrest_date = date8(pos(line, 52, 59));
                let age = match Age::from_fixed_width(pos(line, 71, 74)) {
                    Some(a) => a,
                    None => {
                        diag.row(label, line_no, "unreadable age", format!("age {:?} (positions 71-74) is not an age or range; counted as unknown", text(pos(line, 71, 74))));
                        Age::UNKNOWN
                    }
                };
                let Some(year) = year_of(&arrest_date).or(sub_year).or(options.year) else {
                    diag.row(
                        label,
                        line_no,
                        "arrest without a year",
                        "arrest without arrest date or submission year; skipped".to_string(),
                    );
                    return;
                };
                let Some(state) = state_of(&ori, &mut unknown_state_oris) else {
                    return;
                };
                let incident_key = format!("{ori}:{number}");
                let arrest = Arrest {
                    source: SourceKind::FlatFile,
                    key: format!("{incident_key}:{seq}"),
                    incident_key: incident_key.clone(),
                    state,
                    ori: Some(ori.clone()),
                    year,
                    arrest_date,
                    offense,
                    sex: Sex::from_code(&text(pos(line, 75, 75))),
                    age,
                    arrest_type: ArrestType::from_code(&text(pos(line, 60, 60))),
                    multiple: MultipleIndicator::from_code(&text(pos(line, 61, 61))),
                };
                let incident = incident_entry(&mut incidents, &ori, &number, sub_year);
                incident.arrests.retain(|a| a.key != arrest.key);
                incident.arrests.push(arrest);
            }
            (b'7', b'A') | (b'7', b'I') => {
                let seq = text(pos(line, 38, 39));
                group_b_all.insert(
                    format!("{ori}:B:{number}:{seq}"),
                    year_month(&date8(pos(line, 40, 47))),
                );
                let Some(offense) = SexTradeOffense::from_code_bytes(pos(line, 49, 51)) else {
                    return;
                };
                let arrest_date = date8(pos(line, 40, 47));
                let Some(year) = year_of(&arrest_date).or(sub_year).or(options.year) else {
                    diag.row(
                        label,
                        line_no,
                        "arrest without a year",
                        "arrest without arrest date or submission year; skipped".to_string(),
                    );
                    return;
                };
                let Some(state) = state_of(&ori, &mut unknown_state_oris) else {
                    return;
                };
                let incident_key = format!("{ori}:B:{number}");
                let key = format!("{incident_key}:{seq}");
                group_b.insert(
                    key.clone(),
                    Arrest {
                        source: SourceKind::FlatFile,
                        key,
                        incident_key,
                        state,
                        ori: Some(ori.clone()),
                        year,
                        arrest_date,
                        offense,
                        sex: Sex::from_code(&text(pos(line, 62, 62))),
                        age: Age::from_fixed_width(pos(line, 58, 61)).unwrap_or(Age::UNKNOWN),
                        arrest_type: ArrestType::from_code(&text(pos(line, 48, 48))),
                        // Group B arrests have no multiple-arrestee indicator: each is one arrest.
                        multiple: MultipleIndicator::NotApplicable,
                    },
                );
            }
            (b'7', b'D') => {
                stats.deletes += 1;
                let seq = text(pos(line, 38, 39));
                let incident_key = format!("{ori}:B:{number}");
                if seq.is_empty() {
                    group_b.retain(|_, a| a.incident_key != incident_key);
                    let prefix = format!("{incident_key}:");
                    group_b_all.retain(|k, _| !k.starts_with(&prefix));
                    touched.insert(incident_key);
                } else {
                    let key = format!("{incident_key}:{seq}");
                    group_b.remove(&key);
                    group_b_all.remove(&key);
                    deleted_arrests.insert(key);
                }
            }
            (b'3', b'I') | (b'5', b'I') => {}
            (level, action) => {
                diag.row(
                    label,
                    line_no,
                    "unsupported action type",
                    format!(
                        "segment level {} with action type {:?} is not supported (expected I, A or D); skipped",
                        level as char, action as char
                    ),
                );
            }
        }
    })?;

    if !unknown_state_oris.is_empty() {
        diag.note(Warning::general(format!(
            "ORIs without a state prefix: {}{}",
            unknown_state_oris
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            if opt_state.is_some() {
                " (placed in --state)"
            } else {
                " (skipped; pass --state XX)"
            }
        )));
    }

    let mut dataset = Dataset::new(
        SourceKind::FlatFile,
        label,
        ReplaceRule::Incidents {
            incident_keys: touched.into_iter().collect(),
            arrest_keys: deleted_arrests.into_iter().collect(),
        },
    );
    stats.arrest_records = group_b_all.len() as u64
        + incidents
            .values()
            .map(|i| i.all_arrests.len() as u64)
            .sum::<u64>();
    let mut incident_list: Vec<(String, FlatIncident)> = incidents.into_iter().collect();
    incident_list.sort_by(|a, b| a.0.cmp(&b.0));
    let incident_months: Vec<(String, Option<(i32, u8)>)> = incident_list
        .iter()
        .map(|(_, i)| (i.ori.clone(), i.month))
        .collect();
    for (key, incident) in incident_list {
        if incident.commercial_sex || incident.servitude {
            let state = crate::cde::state_from_ori(&incident.ori).or_else(|| opt_state.clone());
            if let (Some(state), Some(year)) = (state, incident.year.or(options.year)) {
                dataset.trafficking.push(TraffickingIncident {
                    source: SourceKind::FlatFile,
                    key: key.clone(),
                    state,
                    ori: Some(incident.ori.clone()),
                    year,
                    commercial_sex: incident.commercial_sex,
                    involuntary_servitude: incident.servitude,
                    victims: incident.victims,
                    juvenile_victims: incident.juvenile_victims,
                });
            }
        }
        dataset.arrests.extend(incident.arrests);
    }
    dataset.arrests.extend(group_b.into_values());
    // Months: a surviving incident (by incident date) or Group B arrest (by arrest date) shows
    // the agency reported that month; otherwise a zero report says nothing happened. The
    // submission month itself proves nothing: files routinely carry late, older incidents.
    let mut months: BTreeMap<(String, i32, u8), MonthStatus> = BTreeMap::new();
    for (ori, y, m) in zero_reports {
        months.insert((ori, y, m), MonthStatus::ZeroReport);
    }
    for (ori, ym) in incident_months.into_iter().chain(
        group_b_all
            .iter()
            .map(|(k, ym)| (k.split(':').next().unwrap_or_default().to_string(), *ym)),
    ) {
        if let Some((y, m)) = ym {
            months.insert((ori, y, m), MonthStatus::Filed);
        }
    }
    for ((ori, year, month), status) in months {
        if let Some(state) = crate::cde::state_from_ori(&ori).or_else(|| opt_state.clone()) {
            dataset.months.push(AgencyMonth {
                source: SourceKind::FlatFile,
                ori,
                state,
                year,
                month,
                status,
            });
        }
    }
    stats.bytes = bytes;
    stats.rows = rows;
    stats.sex_trade_arrests = dataset.arrests.len() as u64;
    dataset.stats = stats;
    dataset.warnings = diag.finish();
    Ok(dataset)
}

fn incident_entry<'a>(
    incidents: &'a mut HashMap<String, FlatIncident>,
    ori: &str,
    number: &str,
    year: Option<i32>,
) -> &'a mut FlatIncident {
    incidents
        .entry(format!("{ori}:{number}"))
        .or_insert_with(|| FlatIncident {
            ori: ori.to_string(),
            year,
            ..FlatIncident::default()
        })
}

/// Reads the FBI national master file. Positions used (1-based):
///
/// * `BH` batch header: state code 3–4, ORI 5–13, city name 42–71, state abbreviation 72–73;
/// * `06` arrestee: ORI 5–13, incident number 14–25, arrestee sequence 34–35, arrest date
///   48–55, type of arrest 56, multiple indicator 57, offence 58–60, age 67–68, sex 69;
/// * `07` Group B arrest: ORI 5–13, transaction 14–25, sequence 26–27, arrest date 28–35, type
///   36, offence 37–39, age 46–47, sex 48 (the `06` layout without incident date and
///   multiple indicator).
///
/// The file covers one year; each state in it is a replace scope, like a CDE package.
pub fn read_master_file(
    reader: impl BufRead,
    label: &str,
    options: &ReadOptions,
) -> Result<Dataset> {
    let mut diag = Diagnostics::default();
    let mut stats = ReadStats::default();
    let mut arrests: Vec<Arrest> = Vec::new();
    let mut agencies: BTreeMap<String, (Option<String>, String)> = BTreeMap::new();
    let mut year_counts: BTreeMap<i32, u64> = BTreeMap::new();
    let mut arrest_records = 0u64;

    let max_line = options.limits.max_record_bytes;
    let (bytes, rows) = for_each_line(reader, label, max_line, |line, line_no| {
        if line.len() < 2 {
            return;
        }
        match &line[..2] {
            b"BH" => {
                let ori = text(pos(line, 5, 13)).to_ascii_uppercase();
                if ori.is_empty() {
                    return;
                }
                let city = text(pos(line, 42, 71));
                let abbr = text(pos(line, 72, 73)).to_ascii_uppercase();
                let state = if abbr.len() == 2 && abbr.bytes().all(|b| b.is_ascii_alphabetic()) {
                    abbr
                } else {
                    match crate::cde::state_from_ori(&ori) {
                        Some(s) => s,
                        None => return,
                    }
                };
                let name =
                    (!city.is_empty() && city.chars().all(|c| !c.is_control())).then_some(city);
                agencies.insert(ori, (name, state));
            }
            b"06" | b"07" => {
                arrest_records += 1;
                let group_b = line[1] == b'7';
                let (code, seq_r, date_r, type_r, age_r, sex_r) = if group_b {
                    ((37, 39), (26, 27), (28, 35), 36, (46, 47), 48)
                } else {
                    ((58, 60), (34, 35), (48, 55), 56, (67, 68), 69)
                };
                let Some(offense) = SexTradeOffense::from_code_bytes(pos(line, code.0, code.1))
                else {
                    if line.len() < code.1 {
                        stats.malformed_rows += 1;
                        diag.row(label, line_no, "short record", format!("arrest record has {} characters, too short for the offence code at {}-{}; skipped", line.len(), code.0, code.1));
                    }
                    return;
                };
                let ori = text(pos(line, 5, 13)).to_ascii_uppercase();
                let number = text(pos(line, 14, 25));
                let seq = text(pos(line, seq_r.0, seq_r.1));
                let arrest_date = date8(pos(line, date_r.0, date_r.1));
                let Some(year) = year_of(&arrest_date).or(options.year) else {
                    diag.row(
                        label,
                        line_no,
                        "arrest without a year",
                        "arrest date unreadable and no --year; skipped".to_string(),
                    );
                    return;
                };
                let state = agencies
                    .get(&ori)
                    .map(|(_, s)| s.clone())
                    .or_else(|| crate::cde::state_from_ori(&ori))
                    .or_else(|| options.state.clone());
                let Some(state) = state else {
                    diag.row(
                        label,
                        line_no,
                        "arrest without a state",
                        format!("ORI {ori:?} has no state prefix and no --state; skipped"),
                    );
                    return;
                };
                let age_field = pos(line, age_r.0, age_r.1);
                let age = match trim_ascii(age_field) {
                    b"NN" | b"NB" | b"BB" => Age::exact(0),
                    b"00" | b"" => Age::UNKNOWN,
                    other => match num::<u8>(other) {
                        Some(a) => Age::exact(a),
                        None => {
                            diag.row(
                                label,
                                line_no,
                                "unreadable age",
                                format!(
                                    "age {:?} is not a number; counted as unknown",
                                    text(age_field)
                                ),
                            );
                            Age::UNKNOWN
                        }
                    },
                };
                *year_counts.entry(year).or_default() += 1;
                let incident_key = if group_b {
                    format!("{ori}:B:{number}")
                } else {
                    format!("{ori}:{number}")
                };
                arrests.push(Arrest {
                    source: SourceKind::MasterFile,
                    key: format!("{incident_key}:{seq}"),
                    incident_key,
                    state,
                    ori: Some(ori),
                    year,
                    arrest_date,
                    offense,
                    sex: Sex::from_code(&text(pos(line, sex_r, sex_r))),
                    age,
                    arrest_type: ArrestType::from_code(&text(pos(line, type_r, type_r))),
                    multiple: if group_b {
                        MultipleIndicator::NotApplicable
                    } else {
                        MultipleIndicator::from_code(&text(pos(line, 57, 57)))
                    },
                });
            }
            b"01" | b"02" | b"03" | b"04" | b"05" => {}
            _ => {
                stats.malformed_rows += 1;
                diag.row(
                    label,
                    line_no,
                    "unknown record type",
                    format!(
                        "record type {:?} is not BH or 01-07; skipped",
                        String::from_utf8_lossy(&line[..2])
                    ),
                );
            }
        }
    })?;

    let year = year_counts
        .iter()
        .max_by_key(|(y, n)| (**n, **y))
        .map(|(y, _)| *y)
        .or(options.year)
        .unwrap_or(0);
    if year_counts.len() > 1 {
        diag.note(Warning::general(format!(
            "{label}: arrest dates span {} years; each arrest is counted in the year of its arrest date",
            year_counts.len()
        )));
    }
    let mut dataset = Dataset::new(SourceKind::MasterFile, label, ReplaceRule::Scope { year });
    for (ori, (name, state)) in agencies {
        dataset.agencies.push(Agency {
            source: SourceKind::MasterFile,
            ori,
            year,
            name,
            state,
            county: None,
            agency_type: None,
            population: None,
        });
    }
    dataset.arrests = arrests;
    diag.note(Warning::general(
        "master file: months reported, population and trafficking victims are not read from this format; import the CDE package for those",
    ));
    stats.bytes = bytes;
    stats.rows = rows;
    stats.arrest_records = arrest_records;
    stats.sex_trade_arrests = dataset.arrests.len() as u64;
    dataset.stats = stats;
    dataset.warnings = diag.finish();
    Ok(dataset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(
            detect_fixed_width(b"01106I042020    VT004010014BU006687  01252496"),
            Some(FixedWidthKind::FlatFile)
        );
        assert_eq!(
            detect_fixed_width(b"0650LA0030000201400003267"),
            Some(FixedWidthKind::MasterFile)
        );
        assert_eq!(detect_fixed_width(b"arrestee_id,incident_id"), None);
    }

    #[test]
    fn positions_are_tolerant_of_short_lines() {
        assert_eq!(pos(b"abc", 2, 10), b"bc");
        assert_eq!(pos(b"abc", 5, 10), b"");
    }
}
