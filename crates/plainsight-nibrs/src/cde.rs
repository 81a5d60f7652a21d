//! Reader for the FBI Crime Data Explorer per-state NIBRS downloads (a ZIP, or the folder it
//! unpacks to), in all three layouts seen in the wild:
//!
//! 1. older (to ~2015): lower-case file names and headers, `cde_agencies.csv`;
//! 2. 2016–~2021: upper-case names, quoted upper-case headers, `agencies.csv`, `DATA_YEAR` twice
//!    in `NIBRS_month.csv`;
//! 3. 2022 on: lower-case headers and `offense_code` stored directly on arrestee/offence rows.
//!
//! Nothing is hard-coded about ids: offence, arrest-type, age and victim-type ids are decoded
//! through the package's own lookup tables. File names match case-insensitively at any folder
//! depth; headers match case-insensitively and the first of duplicate columns wins; exact
//! duplicate rows are dropped. Tables are streamed one at a time; only the rows needed for the
//! five offences are kept in memory.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use xxhash_rust::xxh3::Xxh3;

use crate::diag::Diagnostics;
use crate::error::{NibrsError, Result};
use crate::model::{
    Age, Agency, AgencyMonth, Arrest, ArrestType, Dataset, MonthStatus, MultipleIndicator,
    ReplaceRule, Sex, SexTradeOffense, SourceKind, TraffickingIncident, Warning,
};

/// Settings the user can give when the files do not say.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Two-letter state for records whose agency (and so state) cannot be determined.
    pub state: Option<String>,
    /// Data year for records whose year cannot be determined.
    pub year: Option<i32>,
    /// Size limits; an input over one is refused ([`NibrsError::Refused`]).
    pub limits: ReadLimits,
}

/// How large an input may be. A few kilobytes of ZIP can expand to gigabytes (a "zip bomb":
/// deflate reaches about 1,000:1 on repeated bytes) and one endless CSV record would be held in
/// memory whole, so every read is bounded, in declared sizes before reading and in bytes
/// actually produced while reading (a ZIP's declared sizes can lie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest CSV record or fixed-width line, in bytes (real rows are under 1 KB).
    pub max_record_bytes: usize,
    /// Largest expanded size of one ZIP member or one CSV file.
    pub max_member_bytes: u64,
    /// Largest expanded size of all members of a ZIP read together.
    pub max_total_bytes: u64,
    /// Most members a ZIP may list.
    pub max_members: usize,
}

/// Default [`ReadLimits::max_record_bytes`]: 1 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;
/// Default [`ReadLimits::max_member_bytes`]: 16 GiB, far above the largest table of a state
/// download (hundreds of MB).
pub const DEFAULT_MAX_MEMBER_BYTES: u64 = 16 << 30;
/// Default [`ReadLimits::max_total_bytes`]: 64 GiB.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 64 << 30;
/// Default [`ReadLimits::max_members`]: a CDE download has about 50 tables.
pub const DEFAULT_MAX_MEMBERS: usize = 10_000;

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_member_bytes: DEFAULT_MAX_MEMBER_BYTES,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            max_members: DEFAULT_MAX_MEMBERS,
        }
    }
}

/// A limit crossed while reading, carried inside an `io::Error` through the CSV reader and
/// turned back into [`NibrsError::Refused`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct LimitCrossed(String);

fn refused_from_io(label: &str, e: &std::io::Error) -> Option<NibrsError> {
    let crossed = e.get_ref()?.downcast_ref::<LimitCrossed>()?;
    Some(NibrsError::Refused {
        label: label.to_string(),
        reason: crossed.0.clone(),
    })
}

/// Counts the bytes a member expands to and fails once they pass the member's or the
/// package's limit.
struct Bounded<R> {
    inner: R,
    member: String,
    read: u64,
    max_member: u64,
    /// Bytes left for the whole package.
    budget: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max_member {
            return Err(std::io::Error::other(LimitCrossed(format!(
                "{} expands to more than {} bytes (the member limit)",
                self.member, self.max_member
            ))));
        }
        let left = self.budget.get();
        if n as u64 > left {
            return Err(std::io::Error::other(LimitCrossed(format!(
                "the members expand to more than the total limit, reached in {}",
                self.member
            ))));
        }
        self.budget.set(left - n as u64);
        Ok(n)
    }
}

/// A set of named CSV tables: a folder or a ZIP archive.
pub trait PackageSource {
    /// Member paths as stored (relative, `/`-separated).
    fn names(&self) -> Vec<String>;
    /// Opens one member for streaming.
    fn open(&mut self, name: &str) -> Result<Box<dyn Read + '_>>;
    /// A label for messages.
    fn label(&self) -> &str;
}

/// A CDE download still zipped, read from anything seekable, within [`ReadLimits`].
pub struct ZipPackage<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
    label: String,
    limits: ReadLimits,
    /// Expanded bytes the members may still produce.
    budget: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read + Seek> ZipPackage<R> {
    pub fn new(reader: R, label: impl Into<String>) -> Result<ZipPackage<R>> {
        ZipPackage::with_limits(reader, label, ReadLimits::default())
    }

    /// Opens the archive and refuses it when its directory already breaks a limit (too many
    /// members, a member or the total declared larger than allowed).
    pub fn with_limits(
        reader: R,
        label: impl Into<String>,
        limits: ReadLimits,
    ) -> Result<ZipPackage<R>> {
        let label = label.into();
        let mut archive = zip::ZipArchive::new(reader).map_err(|source| NibrsError::Zip {
            label: label.clone(),
            source,
        })?;
        let refuse = |reason: String| NibrsError::Refused {
            label: label.clone(),
            reason,
        };
        if archive.len() > limits.max_members {
            return Err(refuse(format!(
                "it lists {} members, more than the limit of {}",
                archive.len(),
                limits.max_members
            )));
        }
        let mut total = 0u64;
        for i in 0..archive.len() {
            let Ok(member) = archive.by_index_raw(i) else {
                continue;
            };
            let size = member.size();
            if size > limits.max_member_bytes {
                return Err(refuse(format!(
                    "{} declares {size} bytes expanded, more than the member limit of {}",
                    member.name(),
                    limits.max_member_bytes
                )));
            }
            total = total.saturating_add(size);
        }
        if total > limits.max_total_bytes {
            return Err(refuse(format!(
                "its members declare {total} bytes expanded, more than the total limit of {}",
                limits.max_total_bytes
            )));
        }
        Ok(ZipPackage {
            archive,
            label,
            limits,
            budget: std::rc::Rc::new(std::cell::Cell::new(limits.max_total_bytes)),
        })
    }
}

impl<R: Read + Seek> PackageSource for ZipPackage<R> {
    fn names(&self) -> Vec<String> {
        self.archive.file_names().map(str::to_string).collect()
    }

    fn open(&mut self, name: &str) -> Result<Box<dyn Read + '_>> {
        let label = self.label.clone();
        let file = self
            .archive
            .by_name(name)
            .map_err(|source| NibrsError::Zip { label, source })?;
        Ok(Box::new(Bounded {
            inner: file,
            member: name.to_string(),
            read: 0,
            max_member: self.limits.max_member_bytes,
            budget: self.budget.clone(),
        }))
    }

    fn label(&self) -> &str {
        &self.label
    }
}

/// A CDE download unpacked into a folder (files may sit one or two folders down).
pub struct DirPackage {
    root: PathBuf,
    files: Vec<String>,
    label: String,
}

impl DirPackage {
    /// Lists CSV files up to three folder levels below `root`.
    pub fn new(root: &Path) -> Result<DirPackage> {
        let mut files = Vec::new();
        collect_files(root, root, 0, &mut files)?;
        files.sort();
        Ok(DirPackage {
            root: root.to_path_buf(),
            files,
            label: root.display().to_string(),
        })
    }
}

fn collect_files(root: &Path, dir: &Path, depth: usize, out: &mut Vec<String>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|source| NibrsError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| NibrsError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            if depth < 3 {
                collect_files(root, &path, depth + 1, out)?;
            }
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

impl PackageSource for DirPackage {
    fn names(&self) -> Vec<String> {
        self.files.clone()
    }

    fn open(&mut self, name: &str) -> Result<Box<dyn Read + '_>> {
        let path = self.root.join(name);
        let file = fs::File::open(&path).map_err(|source| NibrsError::Io { path, source })?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, file)))
    }

    fn label(&self) -> &str {
        &self.label
    }
}

/// Reads a zipped CDE package within `options.limits`.
pub fn read_cde_zip<R: Read + Seek>(
    reader: R,
    label: &str,
    options: &ReadOptions,
) -> Result<Dataset> {
    let mut package = ZipPackage::with_limits(reader, label, options.limits)?;
    read_cde_package(&mut package, options)
}

/// Reads an unpacked CDE package folder.
pub fn read_cde_dir(path: &Path, options: &ReadOptions) -> Result<Dataset> {
    let mut package = DirPackage::new(path)?;
    read_cde_package(&mut package, options)
}

/// The tables this reader uses, by lower-case base name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TableKind {
    Arrestee,
    OffenseType,
    ArrestType,
    Age,
    Incident,
    Offense,
    Victim,
    VictimOffense,
    VictimType,
    Month,
    Agencies,
    RefState,
}

impl TableKind {
    fn file_names(self) -> &'static [&'static str] {
        match self {
            TableKind::Arrestee => &["nibrs_arrestee.csv"],
            TableKind::OffenseType => &["nibrs_offense_type.csv"],
            TableKind::ArrestType => &["nibrs_arrest_type.csv"],
            TableKind::Age => &["nibrs_age.csv"],
            TableKind::Incident => &["nibrs_incident.csv"],
            TableKind::Offense => &["nibrs_offense.csv"],
            TableKind::Victim => &["nibrs_victim.csv"],
            TableKind::VictimOffense => &["nibrs_victim_offense.csv"],
            TableKind::VictimType => &["nibrs_victim_type.csv"],
            TableKind::Month => &["nibrs_month.csv"],
            TableKind::Agencies => &["cde_agencies.csv", "agencies.csv"],
            TableKind::RefState => &["ref_state.csv"],
        }
    }

    const ALL: [TableKind; 12] = [
        TableKind::Arrestee,
        TableKind::OffenseType,
        TableKind::ArrestType,
        TableKind::Age,
        TableKind::Incident,
        TableKind::Offense,
        TableKind::Victim,
        TableKind::VictimOffense,
        TableKind::VictimType,
        TableKind::Month,
        TableKind::Agencies,
        TableKind::RefState,
    ];
}

/// Finds each table's member path, case-insensitively and at any folder depth.
fn locate_tables(names: &[String], diag: &mut Diagnostics) -> HashMap<TableKind, String> {
    let mut found: HashMap<TableKind, String> = HashMap::new();
    for kind in TableKind::ALL {
        // Earlier names in `file_names` are preferred (cde_agencies over agencies).
        for wanted in kind.file_names() {
            let mut matches: Vec<&String> = names
                .iter()
                .filter(|n| {
                    let base = n.rsplit('/').next().unwrap_or(n);
                    base.eq_ignore_ascii_case(wanted) && !n.starts_with("__MACOSX")
                })
                .collect();
            matches.sort_by_key(|n| n.matches('/').count());
            if let Some(first) = matches.first() {
                if matches.len() > 1 {
                    diag.note(Warning::general(format!(
                        "the package holds {} copies of {wanted}; using {first}",
                        matches.len()
                    )));
                }
                found.insert(kind, (*first).clone());
                break;
            }
        }
    }
    found
}

/// Column positions of a table, by lower-case name; the first of duplicate names wins.
struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    fn new(headers: &ByteRecord) -> Columns {
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let name = String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .trim_matches('"')
                .to_ascii_lowercase();
            index.entry(name).or_insert(i);
        }
        Columns { index }
    }

    fn get(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.index.get(*n).copied())
    }
}

fn field(rec: &ByteRecord, idx: Option<usize>) -> &str {
    idx.and_then(|i| rec.get(i))
        .and_then(|b| std::str::from_utf8(b).ok())
        .map(str::trim)
        .unwrap_or("")
}

fn parse_id(s: &str) -> Option<i64> {
    // Some exports write ids as `123.0`.
    let s = s.strip_suffix(".0").unwrap_or(s);
    s.parse().ok()
}

fn parse_year(s: &str) -> Option<i32> {
    parse_id(s)
        .and_then(|y| i32::try_from(y).ok())
        .filter(|y| (1900..=2100).contains(y))
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Normalises the date formats seen in CDE files to `YYYY-MM-DD`: `2014-08-17 00:00:00`,
/// `2024-01-01`, `03-JUN-19`, `06/03/2019`.
pub(crate) fn parse_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            part.parse().ok()
        } else {
            None
        }
    };
    let valid = |y: u32, m: u32, d: u32| (1..=12).contains(&m) && (1..=31).contains(&d) && y > 1900;
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        return valid(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"));
    }
    if b.len() == 9 && b[2] == b'-' && b[6] == b'-' {
        let d = digits(0..2)?;
        let mon = s.get(3..6)?.to_ascii_uppercase();
        let m = MONTHS.iter().position(|x| *x == mon)? as u32 + 1;
        let yy = digits(7..9)?;
        // Two-digit years: NIBRS began in 1991, so 91–99 are 1900s.
        let y = if yy >= 90 { 1900 + yy } else { 2000 + yy };
        return valid(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"));
    }
    if b.len() >= 10 && b[2] == b'/' && b[5] == b'/' {
        let (m, d, y) = (digits(0..2)?, digits(3..5)?, digits(6..10)?);
        return valid(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"));
    }
    None
}

/// Streams one table, dropping exact duplicate rows; `each` gets the row and its line number.
fn stream_table(
    source: &mut dyn PackageSource,
    member: &str,
    limits: &ReadLimits,
    diag: &mut Diagnostics,
    stats: &mut crate::model::ReadStats,
    mut each: impl FnMut(&Columns, &ByteRecord, u64, &mut Diagnostics),
) -> Result<()> {
    let label = source.label().to_string();
    let reader = source.open(member)?;
    let since_record = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let mut counting = CountingReader {
        inner: reader,
        count: 0,
        since_record: since_record.clone(),
        // The CSV reader holds up to one buffer (64 KiB) beyond the record it is on.
        max_since_record: (limits.max_record_bytes as u64).saturating_add(1 << 16),
        max_total: limits.max_member_bytes,
        member: member.to_string(),
    };
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .buffer_capacity(1 << 16)
        .from_reader(&mut counting);
    let headers = match csv.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            if let csv::ErrorKind::Io(io) = e.kind()
                && let Some(refused) = refused_from_io(&format!("{label}: {member}"), io)
            {
                return Err(refused);
            }
            diag.note(Warning::in_file(
                member,
                format!("could not read the header row: {e}"),
            ));
            return Ok(());
        }
    };
    let columns = Columns::new(&headers);
    // The csv crate counts a CRLF line ending only when it reads the next byte, so with CRLF
    // files every record reports the line before its own; measure the lag after the header.
    let line_correction = 2u64.saturating_sub(csv.position().line());
    let mut seen: HashSet<u128> = HashSet::new();
    let mut rec = ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut rec) {
            Ok(true) => since_record.set(0),
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                if let csv::ErrorKind::Io(io) = e.kind()
                    && let Some(refused) = refused_from_io(&format!("{label}: {member}"), io)
                {
                    return Err(refused);
                }
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(NibrsError::Read {
                        label: format!("{label}: {member}"),
                        source: std::io::Error::other(e.to_string()),
                    });
                }
                stats.malformed_rows += 1;
                diag.row(
                    member,
                    line,
                    "malformed CSV row",
                    format!("malformed row: {e}"),
                );
                continue;
            }
        }
        stats.rows += 1;
        let line = rec.position().map(|p| p.line()).unwrap_or(0) + line_correction;
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let mut hasher = Xxh3::new();
        for f in rec.iter() {
            hasher.update(f);
            hasher.update(&[0x1f]);
        }
        if !seen.insert(hasher.digest128()) {
            stats.duplicate_rows += 1;
            continue;
        }
        each(&columns, &rec, line, diag);
    }
    drop(csv);
    stats.bytes += counting.count;
    Ok(())
}

/// Counts a table's bytes, and fails once one record (the bytes since the last complete
/// record) or the whole table passes its limit: the CSV reader would otherwise grow one
/// record's buffer without end.
struct CountingReader<R> {
    inner: R,
    count: u64,
    since_record: std::rc::Rc<std::cell::Cell<u64>>,
    max_since_record: u64,
    max_total: u64,
    member: String,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        let since = self.since_record.get() + n as u64;
        self.since_record.set(since);
        if since > self.max_since_record {
            return Err(std::io::Error::other(LimitCrossed(format!(
                "{} has a record longer than {} bytes (the record limit)",
                self.member,
                self.max_since_record - (1 << 16)
            ))));
        }
        if self.count > self.max_total {
            return Err(std::io::Error::other(LimitCrossed(format!(
                "{} is larger than {} bytes (the member limit)",
                self.member, self.max_total
            ))));
        }
        Ok(n)
    }
}

/// Reads a simple `id -> code` lookup table.
#[allow(clippy::too_many_arguments)]
fn read_lookup(
    source: &mut dyn PackageSource,
    member: &str,
    id_cols: &[&str],
    code_cols: &[&str],
    limits: &ReadLimits,
    diag: &mut Diagnostics,
    stats: &mut crate::model::ReadStats,
) -> Result<HashMap<i64, String>> {
    let mut map = HashMap::new();
    let mut missing_columns = false;
    stream_table(
        source,
        member,
        limits,
        diag,
        stats,
        |cols, rec, line, diag| {
            let (Some(id_col), Some(code_col)) = (cols.get(id_cols), cols.get(code_cols)) else {
                missing_columns = true;
                return;
            };
            match parse_id(field(rec, Some(id_col))) {
                Some(id) => {
                    map.insert(id, field(rec, Some(code_col)).to_string());
                }
                None => diag.row(
                    member,
                    line,
                    "lookup row without a numeric id",
                    format!(
                        "lookup row without a numeric id: {:?}",
                        field(rec, Some(id_col))
                    ),
                ),
            }
        },
    )?;
    if missing_columns {
        diag.note(Warning::in_file(
            member,
            format!(
                "expected columns {} and {}; the table was ignored",
                id_cols[0], code_cols[0]
            ),
        ));
    }
    Ok(map)
}

struct RawArrest {
    arrestee_id: String,
    incident_id: Option<i64>,
    data_year: Option<i32>,
    arrest_date: Option<String>,
    offense: SexTradeOffense,
    sex: Sex,
    age: Age,
    arrest_type: ArrestType,
    multiple: MultipleIndicator,
    line: u64,
}

struct RawIncident {
    agency_id: Option<i64>,
    month_id: Option<i64>,
    data_year: Option<i32>,
    incident_date: Option<String>,
}

struct RawMonth {
    agency_id: i64,
    month: u8,
    year: i32,
    status: MonthStatus,
}

struct RawAgency {
    ori: String,
    name: Option<String>,
    state: Option<String>,
    county: Option<String>,
    agency_type: Option<String>,
    population: Option<u64>,
}

/// Reads any CDE package source.
pub fn read_cde_package(source: &mut dyn PackageSource, options: &ReadOptions) -> Result<Dataset> {
    let label = source.label().to_string();
    let mut diag = Diagnostics::default();
    let mut stats = crate::model::ReadStats::default();
    let names = source.names();
    let tables = locate_tables(&names, &mut diag);
    let Some(arrestee_member) = tables.get(&TableKind::Arrestee).cloned() else {
        return Err(NibrsError::NoArresteeTable {
            label,
            found: if names.is_empty() {
                "nothing".to_string()
            } else {
                names.join(", ")
            },
        });
    };
    let opt_state = options
        .state
        .as_ref()
        .map(|s| s.trim().to_ascii_uppercase());

    // 1. Lookup tables, decoded from the package itself.
    let offense_codes = match tables.get(&TableKind::OffenseType) {
        Some(m) => Some(read_lookup(
            source,
            m,
            &["offense_type_id"],
            &["offense_code"],
            &options.limits,
            &mut diag,
            &mut stats,
        )?),
        None => None,
    };
    let arrest_types = match tables.get(&TableKind::ArrestType) {
        Some(m) => Some(read_lookup(
            source,
            m,
            &["arrest_type_id"],
            &["arrest_type_code"],
            &options.limits,
            &mut diag,
            &mut stats,
        )?),
        None => None,
    };
    let age_codes = match tables.get(&TableKind::Age) {
        Some(m) => Some(read_lookup(
            source,
            m,
            &["age_id"],
            &["age_code"],
            &options.limits,
            &mut diag,
            &mut stats,
        )?),
        None => None,
    };
    let victim_types = match tables.get(&TableKind::VictimType) {
        Some(m) => Some(read_lookup(
            source,
            m,
            &["victim_type_id"],
            &["victim_type_code"],
            &options.limits,
            &mut diag,
            &mut stats,
        )?),
        None => None,
    };
    let state_abbrs = match tables.get(&TableKind::RefState) {
        Some(m) => read_lookup(
            source,
            m,
            &["state_id"],
            &["state_postal_abbr", "state_abbr"],
            &options.limits,
            &mut diag,
            &mut stats,
        )?,
        None => HashMap::new(),
    };

    // 2. Arrestees: keep the five offences only.
    let mut raw_arrests: Vec<RawArrest> = Vec::new();
    let mut arrest_records = 0u64;
    let mut offense_lookup_missing = false;
    let mut arrest_type_warned = false;
    let mut age_warned = false;
    {
        let offense_codes = offense_codes.as_ref();
        let arrest_types = arrest_types.as_ref();
        let age_codes = age_codes.as_ref();
        let member = arrestee_member.clone();
        stream_table(
            source,
            &member,
            &options.limits,
            &mut diag,
            &mut stats,
            |cols, rec, line, diag| {
                let c_id = cols.get(&["arrestee_id"]);
                let c_incident = cols.get(&["incident_id"]);
                let c_year = cols.get(&["data_year"]);
                let c_date = cols.get(&["arrest_date"]);
                let c_type = cols.get(&["arrest_type_id"]);
                let c_type_code = cols.get(&["arrest_type_code"]);
                let c_multiple = cols.get(&["multiple_indicator"]);
                let c_offense_code = cols.get(&["offense_code"]);
                let c_offense_type = cols.get(&["offense_type_id"]);
                let c_age_id = cols.get(&["age_id"]);
                let c_age_code = cols.get(&["age_code"]);
                let c_age_num = cols.get(&["age_num"]);
                let c_low = cols.get(&["age_range_low_num"]);
                let c_high = cols.get(&["age_range_high_num"]);
                let c_sex = cols.get(&["sex_code"]);

                arrest_records += 1;
                // The offence: stored directly (2022+) or through the package's lookup table.
                let direct = field(rec, c_offense_code);
                let code: String = if !direct.is_empty() {
                    direct.to_ascii_uppercase()
                } else {
                    let raw = field(rec, c_offense_type);
                    let Some(id) = parse_id(raw) else {
                        diag.row(
                        &member,
                        line,
                        "arrestee row without an offence",
                        format!("arrestee row has no offence code or offense_type_id ({raw:?}); skipped"),
                    );
                        return;
                    };
                    match offense_codes {
                        None => {
                            offense_lookup_missing = true;
                            return;
                        }
                        Some(map) => match map.get(&id) {
                            Some(code) => code.to_ascii_uppercase(),
                            None => {
                                diag.row(
                                &member,
                                line,
                                "unknown offense_type_id",
                                format!("offense_type_id {id} is not in NIBRS_OFFENSE_TYPE.csv; arrest not counted"),
                            );
                                return;
                            }
                        },
                    }
                };
                let Some(offense) = SexTradeOffense::from_code(&code) else {
                    return;
                };

                let arrestee_id = field(rec, c_id);
                if arrestee_id.is_empty() {
                    diag.row(
                        &member,
                        line,
                        "arrestee row without arrestee_id",
                        "arrestee row without arrestee_id; skipped".to_string(),
                    );
                    return;
                }
                let arrest_type = if c_type_code.is_some() {
                    ArrestType::from_code(field(rec, c_type_code))
                } else {
                    let raw = field(rec, c_type);
                    match (arrest_types, parse_id(raw)) {
                        (Some(map), Some(id)) => match map.get(&id) {
                            Some(code) => ArrestType::from_code(code),
                            None => {
                                diag.row(
                                &member,
                                line,
                                "unknown arrest_type_id",
                                format!("arrest_type_id {id} is not in NIBRS_ARREST_TYPE.csv; type of arrest unknown"),
                            );
                                ArrestType::Unknown
                            }
                        },
                        (None, Some(_)) => {
                            arrest_type_warned = true;
                            ArrestType::Unknown
                        }
                        _ => ArrestType::Unknown,
                    }
                };
                let age_num = field(rec, c_age_num).parse::<u8>().ok();
                let low = field(rec, c_low).parse::<u8>().ok();
                let high = field(rec, c_high).parse::<u8>().ok();
                let age_code: Option<String> = if c_age_code.is_some() {
                    Some(field(rec, c_age_code).to_string())
                } else {
                    match (age_codes, parse_id(field(rec, c_age_id))) {
                        (Some(map), Some(id)) => match map.get(&id) {
                            Some(code) => Some(code.clone()),
                            None => {
                                diag.row(
                                &member,
                                line,
                                "unknown age_id",
                                format!("age_id {id} is not in NIBRS_AGE.csv; age taken from age_num"),
                            );
                                None
                            }
                        },
                        (None, Some(_)) => {
                            age_warned = true;
                            None
                        }
                        _ => None,
                    }
                };
                let age = decode_age(age_code.as_deref(), age_num, low, high);
                let sex_raw = field(rec, c_sex);
                let sex = Sex::from_code(sex_raw);
                if sex == Sex::Unknown && !sex_raw.is_empty() && sex_raw != "U" {
                    diag.row(
                        &member,
                        line,
                        "unknown sex code",
                        format!("sex_code {sex_raw:?} is not M or F; counted as unknown"),
                    );
                }
                raw_arrests.push(RawArrest {
                    arrestee_id: arrestee_id.to_string(),
                    incident_id: parse_id(field(rec, c_incident)),
                    data_year: parse_year(field(rec, c_year)),
                    arrest_date: parse_date(field(rec, c_date)),
                    offense,
                    sex,
                    age,
                    arrest_type,
                    multiple: MultipleIndicator::from_code(field(rec, c_multiple)),
                    line,
                });
            },
        )?;
    }
    if offense_lookup_missing {
        return Err(NibrsError::NoOffenseLookup { label });
    }
    if arrest_type_warned {
        diag.note(Warning::general(
            "NIBRS_ARREST_TYPE.csv is missing: type of arrest is shown as unknown",
        ));
    }
    if age_warned {
        diag.note(Warning::general(
            "NIBRS_AGE.csv is missing: ages are read from age_num alone (0 treated as unknown)",
        ));
    }

    // 3. Trafficking offences (64A/64B) and their victims, when the incident tables exist.
    let mut trafficking_offenses: HashMap<i64, (i64, SexTradeOffense)> = HashMap::new();
    if let Some(member) = tables.get(&TableKind::Offense).cloned() {
        let offense_codes = offense_codes.as_ref();
        stream_table(
            source,
            &member,
            &options.limits,
            &mut diag,
            &mut stats,
            |cols, rec, line, diag| {
                let direct = field(rec, cols.get(&["offense_code"]));
                let code = if !direct.is_empty() {
                    Some(direct.to_ascii_uppercase())
                } else {
                    let id = parse_id(field(rec, cols.get(&["offense_type_id"])));
                    match (id, offense_codes) {
                        (Some(id), Some(map)) => match map.get(&id) {
                            Some(c) => Some(c.to_ascii_uppercase()),
                            None => {
                                diag.row(
                                    &member,
                                    line,
                                    "unknown offense_type_id",
                                    format!(
                                        "offense_type_id {id} is not in NIBRS_OFFENSE_TYPE.csv"
                                    ),
                                );
                                None
                            }
                        },
                        _ => None,
                    }
                };
                let Some(offense) = code.as_deref().and_then(SexTradeOffense::from_code) else {
                    return;
                };
                if !matches!(
                    offense,
                    SexTradeOffense::TraffickingCommercialSex
                        | SexTradeOffense::TraffickingServitude
                ) {
                    return;
                }
                let offense_id = parse_id(field(rec, cols.get(&["offense_id"])));
                let incident_id = parse_id(field(rec, cols.get(&["incident_id"])));
                match (offense_id, incident_id) {
                    (Some(o), Some(i)) => {
                        trafficking_offenses.insert(o, (i, offense));
                    }
                    _ => diag.row(
                        &member,
                        line,
                        "offence row without ids",
                        "trafficking offence row without offense_id or incident_id; skipped"
                            .to_string(),
                    ),
                }
            },
        )?;
    }
    let trafficking_incident_ids: HashSet<i64> =
        trafficking_offenses.values().map(|(i, _)| *i).collect();
    // victim_id -> incident ids whose trafficking offence the victim is connected to
    let mut trafficking_victims: HashMap<i64, Vec<i64>> = HashMap::new();
    let has_victim_offense = tables.contains_key(&TableKind::VictimOffense);
    if !trafficking_offenses.is_empty()
        && let Some(member) = tables.get(&TableKind::VictimOffense).cloned()
    {
        stream_table(
            source,
            &member,
            &options.limits,
            &mut diag,
            &mut stats,
            |cols, rec, _line, _diag| {
                let victim = parse_id(field(rec, cols.get(&["victim_id"])));
                let offense = parse_id(field(rec, cols.get(&["offense_id"])));
                if let (Some(v), Some(o)) = (victim, offense)
                    && let Some((incident, _)) = trafficking_offenses.get(&o)
                {
                    trafficking_victims.entry(v).or_default().push(*incident);
                }
            },
        )?;
    }

    // incident id -> (victims, juvenile victims)
    let mut victim_counts: HashMap<i64, (u32, u32)> = HashMap::new();
    if !trafficking_offenses.is_empty()
        && let Some(member) = tables.get(&TableKind::Victim).cloned()
    {
        let victim_types = victim_types.as_ref();
        let age_codes = age_codes.as_ref();
        stream_table(
            source,
            &member,
            &options.limits,
            &mut diag,
            &mut stats,
            |cols, rec, _line, _diag| {
                let Some(victim_id) = parse_id(field(rec, cols.get(&["victim_id"]))) else {
                    return;
                };
                let incidents: Vec<i64> = if has_victim_offense {
                    match trafficking_victims.get(&victim_id) {
                        Some(list) => list.clone(),
                        None => return,
                    }
                } else {
                    // Without victim_offense the README's caveat applies: an incident's
                    // victims are not necessarily victims of every offence. Said in a warning.
                    match parse_id(field(rec, cols.get(&["incident_id"]))) {
                        Some(i) if trafficking_incident_ids.contains(&i) => vec![i],
                        _ => return,
                    }
                };
                // Count people only: individual (I) and law-enforcement officer (L) victims.
                let type_code = match (
                    victim_types,
                    parse_id(field(rec, cols.get(&["victim_type_id"]))),
                ) {
                    (Some(map), Some(id)) => map.get(&id).cloned(),
                    _ => Some(field(rec, cols.get(&["victim_type_code"])).to_string()),
                };
                let is_person = match type_code.as_deref() {
                    Some("I") | Some("L") => true,
                    Some("") | None => true,
                    Some(_) => false,
                };
                if !is_person {
                    return;
                }
                let age_code = match (age_codes, parse_id(field(rec, cols.get(&["age_id"])))) {
                    (Some(map), Some(id)) => map.get(&id).cloned(),
                    _ => None,
                };
                let age = decode_age(
                    age_code.as_deref(),
                    field(rec, cols.get(&["age_num"])).parse().ok(),
                    field(rec, cols.get(&["age_range_low_num"])).parse().ok(),
                    field(rec, cols.get(&["age_range_high_num"])).parse().ok(),
                );
                let mut incidents = incidents;
                incidents.sort_unstable();
                incidents.dedup();
                for incident in incidents {
                    let entry = victim_counts.entry(incident).or_default();
                    entry.0 += 1;
                    if age.is_juvenile() {
                        entry.1 += 1;
                    }
                }
            },
        )?;
        if !has_victim_offense {
            diag.note(Warning::general(
                "NIBRS_VICTIM_OFFENSE.csv is missing: trafficking victims are all person victims of incidents with a trafficking offence",
            ));
        }
    }

    // 4. Incidents needed to place arrests and trafficking offences in an agency and month.
    let mut wanted_incidents: HashSet<i64> =
        raw_arrests.iter().filter_map(|a| a.incident_id).collect();
    wanted_incidents.extend(trafficking_incident_ids.iter().copied());
    let mut incidents: HashMap<i64, RawIncident> = HashMap::new();
    let incident_member = tables.get(&TableKind::Incident).cloned();
    if let Some(member) = &incident_member {
        stream_table(
            source,
            member,
            &options.limits,
            &mut diag,
            &mut stats,
            |cols, rec, _line, _diag| {
                let Some(id) = parse_id(field(rec, cols.get(&["incident_id"]))) else {
                    return;
                };
                if !wanted_incidents.contains(&id) {
                    return;
                }
                incidents.insert(
                    id,
                    RawIncident {
                        agency_id: parse_id(field(rec, cols.get(&["agency_id"]))),
                        month_id: parse_id(field(rec, cols.get(&["nibrs_month_id"]))),
                        data_year: parse_year(field(rec, cols.get(&["data_year"]))),
                        incident_date: parse_date(field(rec, cols.get(&["incident_date"]))),
                    },
                );
            },
        )?;
    }
    wanted_incidents.clear();

    // 5. Months: reporting status, and the month id -> data year link for older layouts.
    let mut months: HashMap<i64, RawMonth> = HashMap::new();
    let mut months_without_id: Vec<RawMonth> = Vec::new();
    if let Some(member) = tables.get(&TableKind::Month).cloned() {
        stream_table(
            source,
            &member,
            &options.limits,
            &mut diag,
            &mut stats,
            |cols, rec, line, diag| {
                let agency_id = parse_id(field(rec, cols.get(&["agency_id"])));
                let month = field(rec, cols.get(&["month_num"])).parse::<u8>().ok();
                let year = parse_year(field(rec, cols.get(&["data_year"])));
                let status_raw = field(rec, cols.get(&["reported_status"]));
                let status = MonthStatus::from_code(status_raw);
                let (Some(agency_id), Some(month), Some(year), Some(status)) =
                    (agency_id, month, year, status)
                else {
                    diag.row(
                    &member,
                    line,
                    "unreadable month row",
                    format!(
                        "month row without agency, month, year or a reported_status of I/Z/U (status {status_raw:?}); skipped"
                    ),
                );
                    return;
                };
                if !(1..=12).contains(&month) {
                    diag.row(
                        &member,
                        line,
                        "month outside 1-12",
                        format!("month_num {month} outside 1-12; skipped"),
                    );
                    return;
                }
                let raw = RawMonth {
                    agency_id,
                    month,
                    year,
                    status,
                };
                match parse_id(field(rec, cols.get(&["nibrs_month_id"]))) {
                    Some(id) => {
                        months.insert(id, raw);
                    }
                    None => months_without_id.push(raw),
                }
            },
        )?;
    }

    // 6. Agencies.
    let mut agencies: HashMap<i64, RawAgency> = HashMap::new();
    let mut agency_years: HashMap<i64, Vec<(i32, Option<u64>)>> = HashMap::new();
    if let Some(member) = tables.get(&TableKind::Agencies).cloned() {
        stream_table(
            source,
            &member,
            &options.limits,
            &mut diag,
            &mut stats,
            |cols, rec, line, diag| {
                let Some(agency_id) = parse_id(field(rec, cols.get(&["agency_id"]))) else {
                    diag.row(
                        &member,
                        line,
                        "agency row without agency_id",
                        "agency row without agency_id; skipped".to_string(),
                    );
                    return;
                };
                let ori = field(rec, cols.get(&["ori"])).to_ascii_uppercase();
                if ori.is_empty() {
                    diag.row(
                        &member,
                        line,
                        "agency row without ORI",
                        format!(
                            "agency {agency_id} has no ORI; its records are counted statewide only"
                        ),
                    );
                    return;
                }
                let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
                let mut state =
                    non_empty(field(rec, cols.get(&["state_abbr", "state_postal_abbr"])))
                        .map(|s| s.to_ascii_uppercase());
                if state.is_none()
                    && let Some(id) = parse_id(field(rec, cols.get(&["state_id"])))
                {
                    state = state_abbrs.get(&id).cloned();
                }
                let population = field(rec, cols.get(&["population"]))
                    .split('.')
                    .next()
                    .and_then(|p| p.parse::<u64>().ok())
                    .filter(|p| *p > 0);
                if let Some(year) = parse_year(field(rec, cols.get(&["data_year"]))) {
                    agency_years
                        .entry(agency_id)
                        .or_default()
                        .push((year, population));
                }
                agencies.entry(agency_id).or_insert(RawAgency {
                    ori,
                    name: non_empty(field(
                        rec,
                        cols.get(&[
                            "pub_agency_name",
                            "agency_name",
                            "ucr_agency_name",
                            "ncic_agency_name",
                        ]),
                    )),
                    state,
                    county: non_empty(field(rec, cols.get(&["county_name", "primary_county"]))),
                    agency_type: non_empty(field(rec, cols.get(&["agency_type_name"]))),
                    population,
                });
            },
        )?;
    }

    // Which tables were missing, said once, by name.
    let missing: Vec<&str> = [
        (TableKind::OffenseType, "NIBRS_OFFENSE_TYPE.csv"),
        (TableKind::Incident, "NIBRS_incident.csv"),
        (TableKind::Agencies, "agencies.csv / cde_agencies.csv"),
        (TableKind::Month, "NIBRS_month.csv"),
        (TableKind::Offense, "NIBRS_OFFENSE.csv"),
        (TableKind::Victim, "NIBRS_VICTIM.csv"),
    ]
    .into_iter()
    .filter(|(k, _)| !tables.contains_key(k))
    .map(|(_, n)| n)
    .collect();
    if !missing.is_empty() {
        let consequence = if !tables.contains_key(&TableKind::Incident)
            || !tables.contains_key(&TableKind::Agencies)
        {
            "arrests cannot be placed in an agency, so only statewide figures are produced"
        } else if !tables.contains_key(&TableKind::Month) {
            "months reported are unknown"
        } else {
            "trafficking incidents and victims are not counted"
        };
        diag.note(Warning::general(format!(
            "{label}: the package has no {}; {consequence}",
            missing.join(", ")
        )));
    }

    // Assemble normalised records.
    let agency_state = |agency: &RawAgency| -> Option<String> {
        agency.state.clone().or_else(|| state_from_ori(&agency.ori))
    };
    let mut year_counts: BTreeMap<i32, u64> = BTreeMap::new();
    for m in months.values().chain(months_without_id.iter()) {
        *year_counts.entry(m.year).or_default() += 1;
    }
    let mut dataset = Dataset::new(
        SourceKind::Cde,
        label.clone(),
        ReplaceRule::Scope { year: 0 },
    );
    let mut arrests_without_state = 0u64;
    let mut arrests_without_year = 0u64;
    let mut arrests_without_agency = 0u64;
    for raw in raw_arrests {
        let incident = raw.incident_id.and_then(|i| incidents.get(&i));
        let agency = incident
            .and_then(|i| i.agency_id)
            .and_then(|id| agencies.get(&id));
        if agency.is_none() {
            arrests_without_agency += 1;
        }
        let month_year = incident
            .and_then(|i| i.month_id)
            .and_then(|id| months.get(&id))
            .map(|m| m.year);
        let year = raw
            .data_year
            .or(month_year)
            .or(incident.and_then(|i| i.data_year))
            .or(options.year)
            .or_else(|| year_of(raw.arrest_date.as_deref()))
            .or_else(|| incident.and_then(|i| year_of(i.incident_date.as_deref())));
        let Some(year) = year else {
            arrests_without_year += 1;
            diag.row(
                &arrestee_member,
                raw.line,
                "arrest without a year",
                "no data year, arrest date or --year for this arrest; skipped".to_string(),
            );
            continue;
        };
        let state = agency.and_then(agency_state).or_else(|| opt_state.clone());
        let Some(state) = state else {
            arrests_without_state += 1;
            continue;
        };
        *year_counts.entry(year).or_default() += 1;
        let incident_key = match raw.incident_id {
            Some(i) => format!("cde:{i}"),
            None => format!("cde:arrestee:{}", raw.arrestee_id),
        };
        dataset.arrests.push(Arrest {
            source: SourceKind::Cde,
            key: raw.arrestee_id,
            incident_key,
            state,
            ori: agency.map(|a| a.ori.clone()),
            year,
            arrest_date: raw.arrest_date,
            offense: raw.offense,
            sex: raw.sex,
            age: raw.age,
            arrest_type: raw.arrest_type,
            multiple: raw.multiple,
        });
    }
    if arrests_without_state > 0 {
        diag.note(Warning::general(format!(
            "{arrests_without_state} arrests for the five offences could not be placed in a state (no agency table, and no --state given); they were skipped: pass --state XX"
        )));
    }
    if arrests_without_year > 0 {
        diag.note(Warning::general(format!(
            "{arrests_without_year} arrests had no year; pass --year YYYY"
        )));
    }
    if arrests_without_agency > 0 && incident_member.is_some() && !agencies.is_empty() {
        diag.note(Warning::general(format!(
            "{arrests_without_agency} arrests could not be linked to an agency (incident or agency missing); they count in the statewide figures only"
        )));
    }

    for m in months.values().chain(months_without_id.iter()) {
        let Some(agency) = agencies.get(&m.agency_id) else {
            continue;
        };
        let Some(state) = agency_state(agency).or_else(|| opt_state.clone()) else {
            continue;
        };
        dataset.months.push(AgencyMonth {
            source: SourceKind::Cde,
            ori: agency.ori.clone(),
            state,
            year: m.year,
            month: m.month,
            status: m.status,
        });
    }
    dataset
        .months
        .sort_by(|a, b| (&a.ori, a.year, a.month).cmp(&(&b.ori, b.year, b.month)));
    dataset
        .months
        .dedup_by(|a, b| a.ori == b.ori && a.year == b.year && a.month == b.month);

    let mut by_incident: BTreeMap<i64, (bool, bool)> = BTreeMap::new();
    for (incident, offense) in trafficking_offenses.values() {
        let entry = by_incident.entry(*incident).or_default();
        match offense {
            SexTradeOffense::TraffickingCommercialSex => entry.0 = true,
            _ => entry.1 = true,
        }
    }
    for (incident_id, (commercial_sex, servitude)) in by_incident {
        let incident = incidents.get(&incident_id);
        let agency = incident
            .and_then(|i| i.agency_id)
            .and_then(|id| agencies.get(&id));
        let year = incident
            .and_then(|i| i.month_id)
            .and_then(|id| months.get(&id))
            .map(|m| m.year)
            .or(incident.and_then(|i| i.data_year))
            .or(options.year)
            .or_else(|| incident.and_then(|i| year_of(i.incident_date.as_deref())));
        let state = agency.and_then(agency_state).or_else(|| opt_state.clone());
        let (Some(year), Some(state)) = (year, state) else {
            continue;
        };
        let (victims, juvenile_victims) =
            victim_counts.get(&incident_id).copied().unwrap_or_default();
        dataset.trafficking.push(TraffickingIncident {
            source: SourceKind::Cde,
            key: format!("cde:{incident_id}"),
            state,
            ori: agency.map(|a| a.ori.clone()),
            year,
            commercial_sex,
            involuntary_servitude: servitude,
            victims,
            juvenile_victims,
        });
    }

    // Agencies: one record per year the package covers for them.
    let package_years: Vec<i32> = year_counts.keys().copied().collect();
    for (agency_id, agency) in &agencies {
        let Some(state) = agency_state(agency).or_else(|| opt_state.clone()) else {
            continue;
        };
        let years: Vec<(i32, Option<u64>)> = match agency_years.get(agency_id) {
            Some(list) => list.clone(),
            None => package_years
                .iter()
                .map(|y| (*y, agency.population))
                .collect(),
        };
        for (year, population) in years {
            dataset.agencies.push(Agency {
                source: SourceKind::Cde,
                ori: agency.ori.clone(),
                year,
                name: agency.name.clone(),
                state: state.clone(),
                county: agency.county.clone(),
                agency_type: agency.agency_type.clone(),
                population,
            });
        }
    }
    dataset
        .agencies
        .sort_by(|a, b| (&a.ori, a.year).cmp(&(&b.ori, b.year)));
    dataset
        .agencies
        .dedup_by(|a, b| a.ori == b.ori && a.year == b.year);

    // The package year is the year most rows belong to; other years are reported.
    let package_year = year_counts
        .iter()
        .max_by_key(|(year, n)| (**n, **year))
        .map(|(y, _)| *y)
        .or(options.year)
        .unwrap_or(0);
    if year_counts.len() > 1 {
        let others: Vec<String> = year_counts
            .iter()
            .filter(|(y, _)| **y != package_year)
            .map(|(y, n)| format!("{y} ({n} rows)"))
            .collect();
        diag.note(Warning::general(format!(
            "{label}: mixed years: most rows are for {package_year}, others for {}; each row is counted in its own data year",
            others.join(", ")
        )));
    }
    dataset.replace = ReplaceRule::Scope { year: package_year };
    stats.sex_trade_arrests = dataset.arrests.len() as u64;
    stats.arrest_records = arrest_records;
    dataset.stats = stats;
    dataset.warnings = diag.finish();
    Ok(dataset)
}

fn year_of(date: Option<&str>) -> Option<i32> {
    date.and_then(|d| d.get(0..4)).and_then(|y| y.parse().ok())
}

/// The first two letters of an ORI are the state's postal abbreviation.
pub(crate) fn state_from_ori(ori: &str) -> Option<String> {
    let prefix = ori.get(0..2)?;
    prefix
        .bytes()
        .all(|b| b.is_ascii_alphabetic())
        .then(|| prefix.to_ascii_uppercase())
}

/// Decodes an age from the lookup code (`NN`, `NB`, `BB` infants; `00` unknown; `AG`/`99`
/// years in `age_num`) and the range columns.
fn decode_age(code: Option<&str>, num: Option<u8>, low: Option<u8>, high: Option<u8>) -> Age {
    if let (Some(l), Some(h)) = (low, high)
        && l > 0
        && h >= l
    {
        return Age {
            low: Some(l),
            high: Some(h),
        };
    }
    match code.map(str::trim) {
        Some("NN") | Some("NB") | Some("BB") => Age::exact(0),
        Some("00") | Some("UN") => Age::UNKNOWN,
        Some("99") => Age::exact(99),
        Some(_) => num
            .filter(|n| *n > 0)
            .map(Age::exact)
            .unwrap_or(Age::UNKNOWN),
        // Without the lookup, 0 cannot be told apart from "unknown": treat it as unknown.
        None => num
            .filter(|n| *n > 0)
            .map(Age::exact)
            .unwrap_or(Age::UNKNOWN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_layout() {
        assert_eq!(
            parse_date("2014-08-17 00:00:00").as_deref(),
            Some("2014-08-17")
        );
        assert_eq!(parse_date("2024-01-01").as_deref(), Some("2024-01-01"));
        assert_eq!(parse_date("03-JUN-19").as_deref(), Some("2019-06-03"));
        assert_eq!(parse_date("03-jun-98").as_deref(), Some("1998-06-03"));
        assert_eq!(parse_date("06/03/2019").as_deref(), Some("2019-06-03"));
        assert_eq!(parse_date("2019-13-01"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("ééé-ééé"), None);
    }

    #[test]
    fn ages_from_lookup_codes() {
        assert_eq!(decode_age(Some("NB"), None, None, None), Age::exact(0));
        assert_eq!(decode_age(Some("00"), Some(0), None, None), Age::UNKNOWN);
        assert_eq!(decode_age(Some("AG"), Some(16), None, None), Age::exact(16));
        assert!(decode_age(Some("AG"), Some(16), None, None).is_juvenile());
        assert!(!decode_age(Some("AG"), Some(17), Some(16), Some(19)).is_juvenile());
        assert_eq!(decode_age(None, Some(0), None, None), Age::UNKNOWN);
    }

    #[test]
    fn ori_prefix_gives_state() {
        assert_eq!(state_from_ori("LA0470100").as_deref(), Some("LA"));
        assert_eq!(state_from_ori("1"), None);
    }
}
