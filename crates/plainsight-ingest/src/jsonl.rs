//! JSON Lines reader: one ad object per line, blank lines skipped. A file whose first
//! non-blank byte is `[` is read instead as one JSON array of ad objects (the default export
//! of common scrapers), streamed element by element.

use std::io::{self, BufRead};
use std::sync::Arc;

use plainsight_core::Ad;
use plainsight_core::ad::RecordOptions;
use serde_json::Value;

use crate::encoding::{TextMode, record_text};
use crate::markup::clean_text_fields;
use crate::photos::LocalImages;
use crate::source::{Input, LineReader, describe_read_error};
use crate::{
    Problem, ProblemKind, RecordNotes, SkipCounts, SourceRecord, Unparsed, count_skip, raw_snippet,
};

/// Note counted for each record read as windows-1252.
pub(crate) const NOTE_LEGACY: &str = "records not valid UTF-8, read as windows-1252";
/// Note counted for each ad given a derived id.
pub(crate) const NOTE_DERIVED_ID: &str = "ads without an id, given a derived id";

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) struct JsonlReader {
    lines: LineReader,
    file: String,
    max: usize,
    buf: Vec<u8>,
    mode: Mode,
    done: bool,
    skipped: SkipCounts,
    notes: SkipCounts,
    /// How each record's bytes become an ad; shared with the records handed out unparsed.
    parser: Arc<RecordParser>,
}

/// Turns the bytes of one JSONL line or array element into an ad: everything of reading a
/// record that does not depend on the records around it, so it can run on any thread.
#[derive(Debug)]
pub(crate) struct RecordParser {
    file: String,
    text_mode: TextMode,
    record: RecordOptions,
    /// `--images DIR`: hash the images records name from their files there.
    images: Option<LocalImages>,
}

impl RecordParser {
    /// Parse the record `bytes` that starts on `line`.
    pub(crate) fn parse(
        &self,
        bytes: &[u8],
        line: u64,
    ) -> (Result<SourceRecord, Problem>, RecordNotes) {
        match parse_ad(bytes, self.text_mode, &self.record) {
            Ok(parsed) => (
                Ok({
                    let mut record = SourceRecord {
                        ad: parsed.ad,
                        file: self.file.clone(),
                        line,
                        warnings: parsed.warnings,
                    };
                    if let Some(images) = &self.images {
                        images.apply(&mut record);
                    }
                    record
                }),
                RecordNotes {
                    legacy: parsed.legacy,
                    id_derived: parsed.id_derived,
                },
            ),
            Err((kind, reason)) => (
                Err(Problem {
                    file: self.file.clone(),
                    line,
                    offset: None,
                    kind,
                    reason,
                    raw: Some(raw_snippet(bytes)),
                }),
                RecordNotes::default(),
            ),
        }
    }
}

enum Mode {
    Undecided,
    Lines,
    Array(ArrayScanner),
}

impl JsonlReader {
    pub(crate) fn new(
        input: Input,
        file: &str,
        max: usize,
        text_mode: TextMode,
        record: RecordOptions,
        images: Option<LocalImages>,
    ) -> Self {
        JsonlReader {
            lines: LineReader::new(input),
            file: file.to_string(),
            max,
            buf: Vec::new(),
            mode: Mode::Undecided,
            done: false,
            skipped: SkipCounts::new(),
            notes: SkipCounts::new(),
            parser: Arc::new(RecordParser {
                file: file.to_string(),
                text_mode,
                record,
                images,
            }),
        }
    }

    pub(crate) fn skipped(&self) -> &SkipCounts {
        &self.skipped
    }

    pub(crate) fn notes(&self) -> &SkipCounts {
        &self.notes
    }

    fn problem(&self, line: u64, kind: ProblemKind, reason: String, raw: Option<&[u8]>) -> Problem {
        Problem {
            file: self.file.clone(),
            line,
            offset: None,
            kind,
            reason,
            raw: raw.map(raw_snippet),
        }
    }

    /// Hand out the record in `self.buf` that starts on `line`, unparsed. The buffer goes
    /// with it; the next one starts with the same capacity, so lines are not regrown.
    fn unparsed(&mut self, line: u64) -> Unparsed {
        let capacity = self.buf.capacity();
        let bytes = std::mem::replace(&mut self.buf, Vec::with_capacity(capacity));
        Unparsed {
            bytes,
            line,
            parser: self.parser.clone(),
        }
    }

    /// Look at the first bytes (without consuming lines) to pick line or array mode.
    fn decide_mode(&mut self) -> io::Result<Mode> {
        let input = self.lines.input_mut();
        let head = input.fill_buf()?;
        if head.starts_with(UTF8_BOM) {
            input.consume(UTF8_BOM.len());
        }
        let head = input.fill_buf()?;
        let first = head.iter().find(|b| !b.is_ascii_whitespace());
        Ok(if first == Some(&b'[') {
            Mode::Array(ArrayScanner::default())
        } else {
            Mode::Lines
        })
    }

    fn next_from_lines(&mut self) -> Option<Result<Unparsed, Problem>> {
        loop {
            let info = match self.lines.next_line(&mut self.buf, self.max) {
                Ok(Some(info)) => info,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    let line = self.lines.lines_read() + 1;
                    let reason = format!(
                        "reading stopped at line {line}: {}; the lines before it were kept",
                        describe_read_error(&e)
                    );
                    return Some(Err(self.problem(
                        line,
                        ProblemKind::Truncated,
                        reason,
                        None,
                    )));
                }
            };
            if info.too_long {
                let reason = format!(
                    "line is {} bytes, more than the {} byte record limit; skipped",
                    info.len, self.max
                );
                return Some(Err(self.problem(
                    info.number,
                    ProblemKind::TooLarge,
                    reason,
                    Some(&self.buf),
                )));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                count_skip(&mut self.skipped, "blank line");
                continue;
            }
            return Some(Ok(self.unparsed(info.number)));
        }
    }

    fn next_from_array(&mut self) -> Option<Result<Unparsed, Problem>> {
        let Mode::Array(scanner) = &mut self.mode else {
            return None;
        };
        let input = self.lines.input_mut();
        match scanner.next_element(input, &mut self.buf, self.max) {
            Ok(ArrayItem::End) => {
                self.done = true;
                None
            }
            Ok(ArrayItem::Element {
                line,
                len,
                too_long,
            }) => {
                if too_long {
                    let reason = format!(
                        "array element is {len} bytes, more than the {} byte record limit; skipped",
                        self.max
                    );
                    return Some(Err(self.problem(
                        line,
                        ProblemKind::TooLarge,
                        reason,
                        Some(&self.buf),
                    )));
                }
                Some(Ok(self.unparsed(line)))
            }
            Ok(ArrayItem::Unclosed { line }) => {
                self.done = true;
                let reason = "the JSON array is not closed: the input ends before its `]` \
                              (truncated file?); the elements before it were kept"
                    .to_string();
                Some(Err(self.problem(
                    line,
                    ProblemKind::Truncated,
                    reason,
                    None,
                )))
            }
            Ok(ArrayItem::TrailingData { line }) => {
                self.done = true;
                let reason = "unexpected data after the closing `]` of the JSON array; \
                              reading stopped"
                    .to_string();
                Some(Err(self.problem(
                    line,
                    ProblemKind::MalformedJson,
                    reason,
                    Some(&self.buf),
                )))
            }
            Err(e) => {
                self.done = true;
                let line = scanner.line;
                let reason = format!(
                    "reading stopped at line {line}: {}; the records before it were kept",
                    describe_read_error(&e)
                );
                Some(Err(self.problem(
                    line,
                    ProblemKind::Truncated,
                    reason,
                    None,
                )))
            }
        }
    }
}

impl JsonlReader {
    /// The next record as bytes still to parse (see [`Unparsed::parse`]), or a problem found
    /// while splitting the input (a line over the size limit, a truncated input). The notes
    /// of records handed out this way are the caller's to count.
    pub(crate) fn next_unparsed(&mut self) -> Option<Result<Unparsed, Problem>> {
        if self.done {
            return None;
        }
        if let Mode::Undecided = self.mode {
            match self.decide_mode() {
                Ok(mode) => self.mode = mode,
                Err(e) => {
                    self.done = true;
                    let reason = format!("cannot read the input: {}", describe_read_error(&e));
                    return Some(Err(self.problem(1, ProblemKind::Truncated, reason, None)));
                }
            }
        }
        match self.mode {
            Mode::Array(_) => self.next_from_array(),
            _ => self.next_from_lines(),
        }
    }
}

impl Iterator for JsonlReader {
    type Item = Result<SourceRecord, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        let unparsed = match self.next_unparsed()? {
            Ok(unparsed) => unparsed,
            Err(problem) => return Some(Err(problem)),
        };
        let (result, notes) = unparsed.parse();
        for label in notes.labels() {
            count_skip(&mut self.notes, label);
        }
        Some(result)
    }
}

/// One record read: the ad, its field warnings, and what was done to read it.
pub(crate) struct ReadRecord {
    pub(crate) ad: Ad,
    pub(crate) warnings: Vec<plainsight_core::FieldWarning>,
    pub(crate) id_derived: bool,
    /// Read (in part) as windows-1252 because it is not UTF-8.
    pub(crate) legacy: bool,
}

/// Turn one record's bytes into an ad, or say why not.
fn parse_ad(
    bytes: &[u8],
    mode: TextMode,
    record: &RecordOptions,
) -> Result<ReadRecord, (ProblemKind, String)> {
    let (text, legacy) = record_text(bytes, mode).map_err(|column| {
        (
            ProblemKind::NotText,
            format!(
                "not valid UTF-8 (first bad byte at column {column}), and UTF-8 was asked for; \
                 re-encode the file or give its encoding"
            ),
        )
    })?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| (ProblemKind::MalformedJson, format!("malformed JSON: {e}")))?;
    let mut parsed =
        Ad::from_record(value, record).map_err(|e| (ProblemKind::MalformedJson, e.to_string()))?;
    clean_text_fields(&mut parsed.ad);
    Ok(ReadRecord {
        ad: parsed.ad,
        warnings: parsed.warnings,
        id_derived: parsed.id_derived,
        legacy,
    })
}

/// What the array scanner found next.
enum ArrayItem {
    Element { line: u64, len: u64, too_long: bool },
    End,
    Unclosed { line: u64 },
    TrailingData { line: u64 },
}

/// Splits a top-level JSON array into its elements' bytes without parsing them, tracking
/// only strings and nesting depth, so each element can be parsed (and fail) on its own.
struct ArrayScanner {
    /// Current 1-based line.
    line: u64,
    opened: bool,
}

impl Default for ArrayScanner {
    fn default() -> Self {
        ArrayScanner {
            line: 1,
            opened: false,
        }
    }
}

impl ArrayScanner {
    fn next_element(
        &mut self,
        input: &mut Input,
        buf: &mut Vec<u8>,
        max: usize,
    ) -> io::Result<ArrayItem> {
        buf.clear();
        // Skip separators until an element, the closing bracket, or the end of input.
        loop {
            let available = input.fill_buf()?;
            let Some(&byte) = available.first() else {
                return Ok(if self.opened {
                    ArrayItem::Unclosed { line: self.line }
                } else {
                    ArrayItem::End
                });
            };
            match byte {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                b',' if self.opened => {}
                b'[' if !self.opened => self.opened = true,
                b']' if self.opened => self.opened = false,
                _ if self.opened => break,
                _ => {
                    // Something other than another array after the closing bracket.
                    let line = self.line;
                    let keep = available.len().min(crate::RAW_SNIPPET_BYTES);
                    buf.extend_from_slice(&available[..keep]);
                    return Ok(ArrayItem::TrailingData { line });
                }
            }
            input.consume(1);
        }
        let start_line = self.line;
        let mut depth: u32 = 0;
        let mut in_string = false;
        let mut escaped = false;
        let mut len: u64 = 0;
        loop {
            let available = input.fill_buf()?;
            if available.is_empty() {
                break;
            }
            let mut used = 0;
            let mut finished = false;
            for &byte in available {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if byte == b'\\' {
                        escaped = true;
                    } else if byte == b'"' {
                        in_string = false;
                    }
                } else {
                    match byte {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' if depth > 0 => {
                            depth -= 1;
                            if depth == 0 {
                                used += 1;
                                finished = true;
                                if buf.len() < max {
                                    buf.push(byte);
                                }
                                len += 1;
                                break;
                            }
                        }
                        // A scalar element ends at the next separator or the closing bracket.
                        b',' | b']' if depth == 0 => {
                            finished = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if byte == b'\n' {
                    self.line += 1;
                }
                if buf.len() < max {
                    buf.push(byte);
                }
                len += 1;
                used += 1;
            }
            input.consume(used);
            if finished {
                break;
            }
        }
        Ok(ArrayItem::Element {
            line: start_line,
            len,
            too_long: len > max as u64,
        })
    }
}
