//! Independent re-computation of the expected figures straight from the raw files, with the
//! csv crate and manual joins (no code shared with the crate under test), so a bug in the
//! readers or the counting rules shows up as a mismatch.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const FIVE: [&str; 5] = ["40A", "40B", "40C", "64A", "64B"];

/// Reads a CSV file into (header -> index, rows).
fn table(path: &Path) -> (HashMap<String, usize>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).expect("open csv");
    let headers: HashMap<String, usize> = reader
        .headers()
        .expect("headers")
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_lowercase(), i))
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub total: u64,
    pub female: u64,
    pub male: u64,
    pub juvenile: u64,
}

#[derive(Debug, Default)]
pub struct ExpectedCde {
    /// (ORI, code) -> counts, arrests linked to an agency.
    pub per_agency: BTreeMap<(String, String), Counts>,
    /// code -> counts for the whole state.
    pub state: BTreeMap<String, Counts>,
    /// ORI -> months with status I or Z.
    pub months_reported: BTreeMap<String, u8>,
    /// `M` records among the five offences.
    pub multiple_skipped: u64,
}

/// Louisiana 2014, older layout.
pub fn expected_cde(dir: &Path) -> ExpectedCde {
    let mut out = ExpectedCde::default();
    let (h, rows) = table(&dir.join("nibrs_offense_type.csv"));
    let code_of: HashMap<String, String> = rows
        .iter()
        .map(|r| {
            (
                r[h["offense_type_id"]].clone(),
                r[h["offense_code"]].clone(),
            )
        })
        .collect();
    let (h, rows) = table(&dir.join("nibrs_age.csv"));
    let age_code: HashMap<String, String> = rows
        .iter()
        .map(|r| (r[h["age_id"]].clone(), r[h["age_code"]].clone()))
        .collect();
    let (h, rows) = table(&dir.join("cde_agencies.csv"));
    let ori_of: HashMap<String, String> = rows
        .iter()
        .map(|r| (r[h["agency_id"]].clone(), r[h["ori"]].clone()))
        .collect();
    let (h, rows) = table(&dir.join("nibrs_incident.csv"));
    let agency_of_incident: HashMap<String, String> = rows
        .iter()
        .map(|r| (r[h["incident_id"]].clone(), r[h["agency_id"]].clone()))
        .collect();
    let (h, rows) = table(&dir.join("nibrs_arrestee.csv"));
    for r in &rows {
        let code = code_of
            .get(&r[h["offense_type_id"]])
            .cloned()
            .unwrap_or_default();
        if !FIVE.contains(&code.as_str()) {
            continue;
        }
        if r[h["multiple_indicator"]] == "M" {
            out.multiple_skipped += 1;
            continue;
        }
        let age = age_code
            .get(&r[h["age_id"]])
            .map(String::as_str)
            .unwrap_or("");
        let high: Option<u32> = r[h["age_range_high_num"]].parse().ok();
        let num: Option<u32> = r[h["age_num"]].parse().ok();
        let juvenile = match age {
            "NN" | "NB" | "BB" => true,
            "00" => false,
            _ => high.or(num).is_some_and(|a| a > 0 && a < 18),
        };
        let bump = |c: &mut Counts| {
            c.total += 1;
            match r[h["sex_code"]].as_str() {
                "F" => c.female += 1,
                "M" => c.male += 1,
                _ => {}
            }
            if juvenile {
                c.juvenile += 1;
            }
        };
        bump(out.state.entry(code.clone()).or_default());
        if let Some(ori) = agency_of_incident
            .get(&r[h["incident_id"]])
            .and_then(|a| ori_of.get(a))
        {
            bump(out.per_agency.entry((ori.clone(), code)).or_default());
        }
    }
    let (h, rows) = table(&dir.join("nibrs_month.csv"));
    for r in &rows {
        if let Some(ori) = ori_of.get(&r[h["agency_id"]]) {
            let n = out.months_reported.entry(ori.clone()).or_default();
            if matches!(r[h["reported_status"]].as_str(), "I" | "Z") {
                *n += 1;
            }
        }
    }
    out
}

#[derive(Debug, Default)]
pub struct ExpectedFlat {
    /// (ORI, year, month) -> 'I' (filed) or 'Z' (zero report).
    pub months: BTreeMap<(String, i32, u8), char>,
    /// Arrest records for any offence that survive the file's deletes.
    pub arrest_records: u64,
    /// (offence code) -> surviving arrests for the five offences.
    pub sex_trade: BTreeMap<String, u64>,
    pub deletes: u64,
}

fn cut(line: &str, from: usize, to: usize) -> &str {
    line.get(from - 1..to.min(line.len())).unwrap_or("").trim()
}

/// A NIBRS flat file, per the 2019.1 technical specification.
pub fn expected_flat(path: &Path) -> ExpectedFlat {
    let text = std::fs::read_to_string(path).expect("read flat file");
    let mut out = ExpectedFlat::default();
    // (ORI, incident) -> arrestee sequence -> offence code
    let mut group_a: HashMap<(String, String), BTreeMap<String, String>> = HashMap::new();
    // (ORI, incident) -> incident date YYYYMMDD
    let mut incident_dates: HashMap<(String, String), String> = HashMap::new();
    // (ORI, transaction, sequence) -> (offence code, arrest date YYYYMMDD)
    let mut group_b: BTreeMap<(String, String, String), (String, String)> = BTreeMap::new();
    let mut zero: BTreeSet<(String, i32, u8)> = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.len() < 37 {
            continue;
        }
        let level = &line[4..5];
        let action = &line[5..6];
        let ori = cut(line, 17, 25).to_string();
        let number = cut(line, 26, 37).to_string();
        match (level, action) {
            ("0", "A") => {
                zero.insert((
                    ori,
                    cut(line, 40, 43).parse().unwrap(),
                    cut(line, 38, 39).parse().unwrap(),
                ));
            }
            ("0", "D") => {
                out.deletes += 1;
                zero.remove(&(
                    ori,
                    cut(line, 40, 43).parse().unwrap(),
                    cut(line, 38, 39).parse().unwrap(),
                ));
            }
            ("1", "D") => {
                out.deletes += 1;
                incident_dates.remove(&(ori.clone(), number.clone()));
                group_a.remove(&(ori, number));
            }
            ("7", "D") => {
                out.deletes += 1;
                let seq = cut(line, 38, 39).to_string();
                group_b.retain(|k, _| {
                    !(k.0 == ori && k.1 == number && (seq.is_empty() || k.2 == seq))
                });
            }
            (_, "I") | (_, "A") => match level {
                "1" => {
                    incident_dates
                        .insert((ori.clone(), number.clone()), cut(line, 38, 45).to_string());
                    group_a.insert((ori, number), BTreeMap::new());
                }
                "6" => {
                    group_a
                        .entry((ori, number))
                        .or_default()
                        .insert(cut(line, 38, 39).to_string(), cut(line, 62, 64).to_string());
                }
                "7" => {
                    group_b.insert(
                        (ori, number, cut(line, 38, 39).to_string()),
                        (cut(line, 49, 51).to_string(), cut(line, 40, 47).to_string()),
                    );
                }
                _ => {}
            },
            _ => {}
        }
    }
    for key in zero {
        out.months.insert(key, 'Z');
    }
    let month_of = |date: &str| -> Option<(i32, u8)> {
        Some((date.get(0..4)?.parse().ok()?, date.get(4..6)?.parse().ok()?))
    };
    for ((ori, _), date) in &incident_dates {
        if let Some((y, m)) = month_of(date) {
            out.months.insert((ori.clone(), y, m), 'I');
        }
    }
    for ((ori, _, _), (_, date)) in &group_b {
        if let Some((y, m)) = month_of(date) {
            out.months.insert((ori.clone(), y, m), 'I');
        }
    }
    let codes = group_a
        .values()
        .flat_map(|m| m.values())
        .chain(group_b.values().map(|(code, _)| code));
    for code in codes {
        out.arrest_records += 1;
        if FIVE.contains(&code.as_str()) {
            *out.sex_trade.entry(code.clone()).or_default() += 1;
        }
    }
    out
}
