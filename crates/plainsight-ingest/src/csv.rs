//! CSV reader: a header row names the columns; columns named like ad fields fill them
//! (optionally renamed with a column map), `phones`/`images` hold lists, and every other
//! column is kept in `extra`. Built on `csv-core` so one record never buffers more than the
//! record size limit, even when an unterminated quote swallows the rest of the file.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead};

use plainsight_core::Ad;
use plainsight_core::ad::{FieldProblem, FieldWarning, RecordOptions};
use serde_json::{Map, Value};

use crate::encoding::{TextMode, record_text};
use crate::jsonl::{NOTE_DERIVED_ID, NOTE_LEGACY, ReadRecord};
use crate::markup::clean_text_fields;
use crate::photos::LocalImages;
use crate::source::{Input, describe_read_error};
use crate::{
    IngestError, Problem, ProblemKind, RAW_SNIPPET_BYTES, SkipCounts, SourceRecord, count_skip,
    raw_snippet,
};

/// Ad fields a CSV column can fill directly; anything else goes to `extra`.
const AD_FIELDS: [&str; 9] = [
    "id",
    "url",
    "site",
    "posted_at",
    "title",
    "body",
    "location",
    "phones",
    "images",
];

/// Most fields one row may have; a row with more is treated as oversized (the field end
/// table would otherwise grow with the row).
const MAX_FIELDS: usize = 100_000;

/// Parse a column map such as `title=headline,body=description`: each pair is
/// `ad field = CSV column`. Fields may be any name; names that are not ad fields land in
/// `extra` under that name.
pub fn parse_csv_map(s: &str) -> Result<Vec<(String, String)>, IngestError> {
    let bad = |reason: String| IngestError::BadCsvMap {
        spec: s.to_string(),
        reason,
    };
    let mut pairs = Vec::new();
    let mut targets = HashSet::new();
    for part in s.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (field, column) = part
            .split_once('=')
            .ok_or_else(|| bad(format!("`{part}` has no `=`")))?;
        let (field, column) = (field.trim(), column.trim());
        if field.is_empty() || column.is_empty() {
            return Err(bad(format!("`{part}` needs a name on both sides of `=`")));
        }
        if !targets.insert(field.to_ascii_lowercase()) {
            return Err(bad(format!("field `{field}` is mapped twice")));
        }
        pairs.push((field.to_string(), column.to_string()));
    }
    if pairs.is_empty() {
        return Err(bad("no `field=column` pairs".into()));
    }
    Ok(pairs)
}

/// Where one CSV column's value goes.
#[derive(Debug, Clone)]
enum Target {
    /// An ad field (one of [`AD_FIELDS`]).
    Field(&'static str),
    /// A key of `extra`.
    Extra(String),
}

pub(crate) struct CsvReader {
    /// `--images DIR`: hash the images rows name from their files there.
    images: Option<LocalImages>,
    input: Input,
    parser: csv_core::Reader,
    file: String,
    max: usize,
    map: Vec<(String, String)>,
    /// Per column, where its value goes; `None` until the header is read.
    columns: Option<Vec<Vec<Target>>>,
    header_len: usize,
    fields: Vec<u8>,
    ends: Vec<usize>,
    raw: Vec<u8>,
    /// Lines fully consumed so far (so the current line is `newlines + 1`).
    newlines: u64,
    done: bool,
    skipped: SkipCounts,
    notes: SkipCounts,
    text_mode: TextMode,
    record: RecordOptions,
}

/// One row as read, before interpretation.
struct RawRow {
    line: u64,
    oversized: Option<u64>,
}

impl CsvReader {
    pub(crate) fn new(
        input: Input,
        file: &str,
        map: &[(String, String)],
        max: usize,
        text_mode: TextMode,
        record: RecordOptions,
        images: Option<LocalImages>,
    ) -> Self {
        CsvReader {
            images,
            input,
            parser: csv_core::Reader::new(),
            file: file.to_string(),
            max,
            map: map.to_vec(),
            columns: None,
            header_len: 0,
            fields: vec![0; 4096.min(max.max(1))],
            ends: vec![0; 64],
            raw: Vec::new(),
            newlines: 0,
            done: false,
            skipped: SkipCounts::new(),
            notes: SkipCounts::new(),
            text_mode,
            record,
        }
    }

    pub(crate) fn skipped(&self) -> &SkipCounts {
        &self.skipped
    }

    pub(crate) fn notes(&self) -> &SkipCounts {
        &self.notes
    }

    fn problem(&self, line: u64, kind: ProblemKind, reason: String, with_raw: bool) -> Problem {
        Problem {
            file: self.file.clone(),
            line,
            offset: None,
            kind,
            reason,
            raw: with_raw.then(|| raw_snippet(&self.raw)),
        }
    }

    /// Read one row into `self.fields`/`self.ends`; `Ok(None)` at end of input.
    fn read_row(&mut self) -> io::Result<Option<(RawRow, usize)>> {
        self.raw.clear();
        let mut out_len = 0usize;
        let mut ends_len = 0usize;
        let mut started = false;
        let mut start_line = self.newlines + 1;
        let mut total: u64 = 0;
        let mut oversized = false;
        loop {
            let input = loop {
                match self.input.fill_buf() {
                    Ok(b) => break b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            let (result, n_in, n_out, n_ends) = self.parser.read_record(
                input,
                &mut self.fields[out_len..],
                &mut self.ends[ends_len..],
            );
            for &byte in &input[..n_in] {
                if byte == b'\n' {
                    self.newlines += 1;
                } else if !started && byte != b'\r' {
                    started = true;
                    start_line = self.newlines + 1;
                }
                if started && self.raw.len() < RAW_SNIPPET_BYTES + 1 {
                    self.raw.push(byte);
                }
            }
            self.input.consume(n_in);
            out_len += n_out;
            ends_len += n_ends;
            total += n_out as u64;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    if oversized || self.fields.len() >= self.max {
                        // Over the limit: keep parsing to find the row's end, but drop
                        // its bytes instead of growing the buffer.
                        oversized = true;
                        out_len = 0;
                        ends_len = 0;
                    } else {
                        let grown = (self.fields.len() * 2).min(self.max.max(1));
                        self.fields.resize(grown, 0);
                    }
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if oversized || self.ends.len() >= MAX_FIELDS {
                        oversized = true;
                        out_len = 0;
                        ends_len = 0;
                    } else {
                        let grown = (self.ends.len() * 2).min(MAX_FIELDS);
                        self.ends.resize(grown, 0);
                    }
                }
                csv_core::ReadRecordResult::Record => {
                    let row = RawRow {
                        line: start_line,
                        oversized: oversized.then_some(total),
                    };
                    return Ok(Some((row, ends_len)));
                }
                csv_core::ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// The fields of the row just read, as byte slices.
    fn row_fields(&self, n_fields: usize) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends[..n_fields]
            .iter()
            .map(|&end| {
                let field = self.fields.get(start..end).unwrap_or(&[]);
                start = end;
                field
            })
            .collect()
    }

    /// Turn the header row into column targets, applying the column map.
    fn read_header(&mut self, n_fields: usize) -> Result<(), String> {
        let mut names: Vec<String> = Vec::with_capacity(n_fields);
        let mut seen: HashMap<String, u32> = HashMap::new();
        for (i, field) in self.row_fields(n_fields).into_iter().enumerate() {
            let name = match record_text(field, self.text_mode) {
                Ok((text, _)) => text.into_owned(),
                Err(_) => String::from_utf8_lossy(field).into_owned(),
            };
            let mut name = name.trim().to_string();
            if name.is_empty() {
                name = format!("column_{}", i + 1);
            }
            // Duplicate names get a numeric suffix so no column's value is lost.
            let count = seen.entry(name.to_ascii_lowercase()).or_insert(0);
            *count += 1;
            if *count > 1 {
                name = format!("{name}_{count}");
            }
            names.push(name);
        }
        let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let mut targets: Vec<Vec<Target>> = vec![Vec::new(); names.len()];
        let mut mapped_fields: HashSet<String> = HashSet::new();
        for (field, column) in &self.map {
            let column_lower = column.to_ascii_lowercase();
            let index = names
                .iter()
                .position(|n| n == column)
                .or_else(|| lower.iter().position(|n| *n == column_lower))
                .ok_or_else(|| {
                    format!(
                        "the column map names column `{column}`, which is not in the header \
                         (columns: {}); reading stopped",
                        names.join(", ")
                    )
                })?;
            let field_lower = field.to_ascii_lowercase();
            targets[index].push(match ad_field(&field_lower) {
                Some(f) => Target::Field(f),
                None => Target::Extra(field.clone()),
            });
            mapped_fields.insert(field_lower);
        }
        for (index, name) in names.iter().enumerate() {
            if !targets[index].is_empty() {
                continue;
            }
            let target = match ad_field(&lower[index]) {
                // A column whose ad field is filled by a mapped column is kept in `extra`.
                Some(f) if !mapped_fields.contains(f) => Target::Field(f),
                _ => Target::Extra(name.clone()),
            };
            targets[index].push(target);
        }
        self.header_len = names.len();
        self.columns = Some(targets);
        Ok(())
    }

    /// Build an ad from the row just read, with its field warnings.
    fn row_to_ad(&self, n_fields: usize) -> Result<ReadRecord, (ProblemKind, String)> {
        let Some(columns) = &self.columns else {
            return Err((ProblemKind::BadHeader, "no header".into()));
        };
        if n_fields != self.header_len {
            return Err((
                ProblemKind::BadRow,
                format!(
                    "row has {n_fields} fields but the header has {}; skipped",
                    self.header_len
                ),
            ));
        }
        let mut fields = Map::new();
        let mut extra = Map::new();
        let mut warnings = Vec::new();
        let mut legacy = false;
        for (index, raw) in self.row_fields(n_fields).into_iter().enumerate() {
            let (value, cell_legacy) = record_text(raw, self.text_mode).map_err(|position| {
                (
                    ProblemKind::NotText,
                    format!(
                        "column {} is not valid UTF-8 (bad byte at position {position}), and \
                         UTF-8 was asked for; re-encode the file or give its encoding",
                        index + 1
                    ),
                )
            })?;
            legacy |= cell_legacy;
            if value.trim().is_empty() {
                continue;
            }
            for target in &columns[index] {
                match target {
                    Target::Field(name @ ("phones" | "images")) => {
                        let list = if *name == "phones" {
                            split_list(&value)
                        } else {
                            parse_images(&value)
                        };
                        match list {
                            Some(list) => {
                                fields.insert((*name).to_string(), list);
                            }
                            None => {
                                // A cell that starts like a JSON array but is not one: the
                                // ad is kept without it, the cell stays in `extra`.
                                warnings.push(FieldWarning {
                                    field: (*name).to_string(),
                                    value: value.chars().take(60).collect(),
                                    problem: FieldProblem::WrongType {
                                        expected: "a JSON array or items separated by ; or |",
                                    },
                                });
                                extra.insert(
                                    format!("{name}_raw"),
                                    Value::String(value.to_string()),
                                );
                            }
                        }
                    }
                    Target::Field(name) => {
                        fields.insert((*name).to_string(), Value::String(value.to_string()));
                    }
                    Target::Extra(name) => {
                        extra.insert(name.clone(), Value::String(value.to_string()));
                    }
                }
            }
        }
        let mut parsed = Ad::from_parts(fields, extra, &self.record);
        clean_text_fields(&mut parsed.ad);
        warnings.append(&mut parsed.warnings);
        Ok(ReadRecord {
            ad: parsed.ad,
            warnings,
            id_derived: parsed.id_derived,
            legacy,
        })
    }
}

impl Iterator for CsvReader {
    type Item = Result<SourceRecord, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let (row, n_fields) = match self.read_row() {
                Ok(Some(row)) => row,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    let line = self.newlines + 1;
                    let reason = format!(
                        "reading stopped at line {line}: {}; the rows before it were kept",
                        describe_read_error(&e)
                    );
                    return Some(Err(self.problem(
                        line,
                        ProblemKind::Truncated,
                        reason,
                        false,
                    )));
                }
            };
            if let Some(size) = row.oversized {
                let reason = format!(
                    "row is more than {} bytes (at least {size} read) or has more than {MAX_FIELDS} fields; skipped",
                    self.max
                );
                if self.columns.is_none() {
                    self.done = true;
                    return Some(Err(self.problem(
                        row.line,
                        ProblemKind::TooLarge,
                        format!("the header {reason}; reading stopped"),
                        true,
                    )));
                }
                return Some(Err(self.problem(
                    row.line,
                    ProblemKind::TooLarge,
                    reason,
                    true,
                )));
            }
            if self.columns.is_none() {
                if let Err(reason) = self.read_header(n_fields) {
                    self.done = true;
                    return Some(Err(self.problem(
                        row.line,
                        ProblemKind::BadHeader,
                        reason,
                        true,
                    )));
                }
                continue;
            }
            return Some(match self.row_to_ad(n_fields) {
                Ok(read) => {
                    if read.legacy {
                        count_skip(&mut self.notes, NOTE_LEGACY);
                    }
                    if read.id_derived {
                        count_skip(&mut self.notes, NOTE_DERIVED_ID);
                    }
                    let mut record = SourceRecord {
                        ad: read.ad,
                        file: self.file.clone(),
                        line: row.line,
                        warnings: read.warnings,
                    };
                    if let Some(images) = &self.images {
                        images.apply(&mut record);
                    }
                    Ok(record)
                }
                Err((kind, reason)) => Err(self.problem(row.line, kind, reason, true)),
            });
        }
        None
    }
}

fn ad_field(lower: &str) -> Option<&'static str> {
    AD_FIELDS.iter().copied().find(|f| *f == lower)
}

/// A list cell: a JSON array, or items separated by `;` or `|`. `None` for a cell that
/// starts with `[` but is not JSON.
fn split_list(value: &str) -> Option<Value> {
    let trimmed = value.trim();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Value>(trimmed).ok();
    }
    let items = trimmed
        .split([';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_string()))
        .collect();
    Some(Value::Array(items))
}

/// An `images` cell: a JSON array (passed through), or a list of values each classified by
/// shape: an optional `sha256:`/`phash:`/`url:`/`path:` prefix decides; otherwise 64 hex
/// digits are a SHA-256, 16 hex digits a perceptual hash, anything else a URL.
fn parse_images(value: &str) -> Option<Value> {
    let list = split_list(value)?;
    let Value::Array(items) = list else {
        return Some(list);
    };
    let images = items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => classify_image(&s),
            other => other,
        })
        .collect();
    Some(Value::Array(images))
}

fn classify_image(s: &str) -> Value {
    let s = s.trim();
    let object = |key: &str, v: &str| {
        let mut m = Map::new();
        m.insert(key.to_string(), Value::String(v.trim().to_string()));
        Value::Object(m)
    };
    for key in ["sha256", "phash", "url", "path"] {
        if let Some(rest) = s
            .get(..key.len() + 1)
            .filter(|p| p.eq_ignore_ascii_case(&format!("{key}:")))
            .and_then(|_| s.get(key.len() + 1..))
        {
            return object(key, rest);
        }
    }
    let hex = s.bytes().all(|b| b.is_ascii_hexdigit());
    match s.len() {
        64 if hex => object("sha256", s),
        16 if hex => object("phash", s),
        _ => object("url", s),
    }
}
