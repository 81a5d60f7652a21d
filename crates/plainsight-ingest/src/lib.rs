//! Streaming readers for scraped ads: JSONL, CSV, WARC and saved HTML pages.
//!
//! Every reader turns its input into [`plainsight_core::Ad`] records one at a time, so memory
//! stays bounded by the largest record (see [`ReadOptions::max_record_bytes`]), never by the
//! size of the file. A record that cannot become an ad is reported as a [`Problem`] (file,
//! line or record number, reason, raw text) and reading carries on with the next record.
//! `docs/ad-format.md` at the repository root is the public description of the formats.
//!
//! ```no_run
//! use plainsight_ingest::{open_path, ReadOptions};
//! let reader = open_path("ads.jsonl".as_ref(), &ReadOptions::default())?;
//! for item in reader {
//!     match item {
//!         Ok(record) => println!("{}: {:?}", record.ad.id, record.ad.title),
//!         Err(problem) => eprintln!("skipped {problem}"),
//!     }
//! }
//! # Ok::<(), plainsight_ingest::IngestError>(())
//! ```

mod csv;
mod encoding;
mod entities;
mod error;
pub mod html;
mod html_dir;
mod http;
mod jsonl;
pub mod markup;
mod photos;
mod source;
mod warc;

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use chrono_tz::Tz;
use plainsight_core::Ad;
pub use plainsight_core::ad::{FieldWarning, RecordOptions};
pub use plainsight_core::timestamp::DateContext;

pub use crate::csv::parse_csv_map;
pub use crate::encoding::encoding_for_label;
pub use crate::error::IngestError;
pub use encoding_rs::Encoding;
/// How much one image may cost to decode (see [`ReadOptions::image_limits`]).
pub use plainsight_photo::Limits as ImageLimits;

/// Default per-record size limit: 8 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 8 * 1024 * 1024;

/// How much of a bad record's raw text a [`Problem`] keeps (enough to recognise and
/// quarantine it, small enough to keep a problem log readable).
pub const RAW_SNIPPET_BYTES: usize = 4096;

/// The input formats Plainsight reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One JSON object per line (`.jsonl`, `.ndjson`, `.json`), plain or gzip-compressed.
    Jsonl,
    /// Comma-separated values with a header row, plain or gzip-compressed.
    Csv,
    /// A web archive (`.warc`, `.warc.gz`): each HTML `response` record becomes an ad.
    Warc,
    /// Saved HTML pages: a folder (searched recursively), a single `.html` file, or one page
    /// read from a stream.
    HtmlDir,
}

impl Format {
    /// Guess the format from a path: a directory is [`Format::HtmlDir`], otherwise the
    /// extension decides (a trailing `.gz` is looked through). `None` when unknown.
    pub fn detect(path: &Path) -> Option<Format> {
        if path.is_dir() {
            return Some(Format::HtmlDir);
        }
        Self::from_file_name(&path.file_name()?.to_string_lossy())
    }

    /// Guess the format from a file name's extension alone (no file system access).
    pub fn from_file_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
        let ext = stem.rsplit_once('.').map(|(_, ext)| ext)?;
        match ext {
            "jsonl" | "ndjson" | "json" | "jl" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "warc" => Some(Format::Warc),
            "html" | "htm" | "xhtml" => Some(Format::HtmlDir),
            _ => None,
        }
    }

    /// The name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Warc => "warc",
            Format::HtmlDir => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = IngestError;

    /// Parse a format name as given to `--format` (`jsonl`, `ndjson`, `json`, `csv`, `warc`,
    /// `html`, `html-dir`), case-insensitively.
    fn from_str(s: &str) -> Result<Format, IngestError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" | "jsonlines" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "warc" => Ok(Format::Warc),
            "html" | "htm" | "html-dir" | "htmldir" | "dir" => Ok(Format::HtmlDir),
            _ => Err(IngestError::UnknownFormatName {
                name: s.to_string(),
            }),
        }
    }
}

/// Options shared by all readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Force a format instead of guessing it from the path.
    pub format: Option<Format>,
    /// CSV column renames as `(ad field, csv column)` pairs; see [`parse_csv_map`].
    pub csv_map: Vec<(String, String)>,
    /// Records larger than this many bytes are reported as problems and skipped.
    pub max_record_bytes: usize,
    /// Force the character encoding instead of detecting it (see [`encoding_for_label`]):
    /// for JSONL and CSV input, and for HTML pages (saved or in WARC records) in place of the
    /// charset the page or its HTTP header declares. A byte-order mark still wins.
    pub encoding: Option<&'static Encoding>,
    /// How dates are read: the site's time zone and day-first numeric dates.
    pub record: RecordOptions,
    /// JSONL and CSV: a folder holding the images that records name by `path` or `url`
    /// (`--images DIR`); each such image is hashed from its file there. Paths that leave the
    /// folder are refused, and nothing is fetched from the network. WARC and saved pages find
    /// their images without it (image records; files beside the page).
    pub images_dir: Option<PathBuf>,
    /// How much one image may cost to decode (bytes, pixels).
    pub image_limits: plainsight_photo::Limits,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            csv_map: Vec::new(),
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            encoding: None,
            record: RecordOptions::default(),
            images_dir: None,
            image_limits: plainsight_photo::Limits::default(),
        }
    }
}

/// One ad and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub ad: Ad,
    /// The file (or stream name) the ad was read from.
    pub file: String,
    /// JSONL/CSV: 1-based line where the record starts. WARC: 1-based record number.
    /// Saved HTML pages: 0 (the file is the record).
    pub line: u64,
    /// Fields of the record that could not be read; the ad is kept without them.
    pub warnings: Vec<FieldWarning>,
}

/// A record read from the input but not parsed yet (JSONL lines and array elements), so
/// that the caller can parse records on several threads while one thread reads: see
/// [`AdReader::next_unparsed`]. Parsing gives the same record or problem as the iterator.
#[derive(Debug)]
pub struct Unparsed {
    bytes: Vec<u8>,
    line: u64,
    parser: Arc<jsonl::RecordParser>,
}

impl Unparsed {
    /// 1-based line where the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The record's bytes as read.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Parse the record: the ad (with its field warnings) or why it cannot be one, and the
    /// notes to count for it (see [`AdReader::notes`]).
    pub fn parse(&self) -> (Result<SourceRecord, Problem>, RecordNotes) {
        self.parser.parse(&self.bytes, self.line)
    }
}

/// Things done to one record worth telling in a summary (not problems), counted under the
/// labels [`RecordNotes::labels`] gives, as [`AdReader::notes`] counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordNotes {
    /// Read (in part) as windows-1252 because it is not UTF-8.
    pub legacy: bool,
    /// No id in the record: a derived one was given.
    pub id_derived: bool,
}

impl RecordNotes {
    /// The summary labels of the notes that apply.
    pub fn labels(self) -> impl Iterator<Item = &'static str> {
        [
            (self.legacy, jsonl::NOTE_LEGACY),
            (self.id_derived, jsonl::NOTE_DERIVED_ID),
        ]
        .into_iter()
        .filter_map(|(on, label)| on.then_some(label))
    }
}

/// What [`AdReader::next_unparsed`] yields for a good record.
#[derive(Debug)]
pub enum ReadItem {
    /// A record parsed while reading (CSV, WARC, saved pages); boxed, as it is much larger
    /// than the unparsed kind and a chunk holds thousands of items.
    Parsed(Box<SourceRecord>),
    /// A JSONL record still to parse.
    Unparsed(Unparsed),
}

/// What kind of problem made a record unreadable, for counting problems by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// Not JSON, or JSON that is not an object.
    MalformedJson,
    /// Not UTF-8 although UTF-8 was forced.
    NotText,
    /// Over the record size limit.
    TooLarge,
    /// A CSV row with more or fewer fields than the header, or an unreadable list cell.
    BadRow,
    /// A CSV header that the column map does not fit.
    BadHeader,
    /// The input ends early (truncated file or compressed stream), or cannot be read on.
    Truncated,
    /// A WARC record without a version line or a valid `Content-Length`.
    DamagedRecord,
    /// A stored HTTP body that cannot be decoded.
    BadHttpBody,
    /// A page with no title and no visible text, an empty or a binary page file.
    EmptyPage,
    /// A file or folder that cannot be read.
    Unreadable,
}

impl ProblemKind {
    /// A short label for summaries ("malformed JSON").
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::MalformedJson => "malformed JSON or not an object",
            ProblemKind::NotText => "not UTF-8",
            ProblemKind::TooLarge => "over the record size limit",
            ProblemKind::BadRow => "CSV row that does not fit the header",
            ProblemKind::BadHeader => "CSV header that does not fit the column map",
            ProblemKind::Truncated => "input cut short or unreadable",
            ProblemKind::DamagedRecord => "damaged WARC record",
            ProblemKind::BadHttpBody => "undecodable HTTP body",
            ProblemKind::EmptyPage => "empty or binary page",
            ProblemKind::Unreadable => "file or folder that cannot be read",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Something about a whole input, found when it was opened: nothing was read from it, and
/// the other inputs are read as usual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputWarning {
    /// The input has no bytes (after decompression).
    Empty,
    /// The input holds binary data, such as an image, not text of its format.
    Binary { what: &'static str, format: Format },
}

impl fmt::Display for InputWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputWarning::Empty => f.write_str("the input is empty"),
            InputWarning::Binary { what, format } => write!(
                f,
                "the input looks like {what}, not {format} text; nothing was read from it"
            ),
        }
    }
}

/// A record that could not become an ad, with enough context to find and quarantine it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (or stream name) holding the record.
    pub file: String,
    /// JSONL/CSV: 1-based line where the record starts. WARC: 1-based record number.
    /// Saved HTML pages: 0.
    pub line: u64,
    /// WARC only: byte offset of the record in the (decompressed) stream.
    pub offset: Option<u64>,
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// What is wrong, for a person to read.
    pub reason: String,
    /// The raw record as read, cut to about [`RAW_SNIPPET_BYTES`] (lossy UTF-8), when there
    /// is one to show.
    pub raw: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(
                f,
                "{}: record {} (byte offset {}): {}",
                self.file, self.line, offset, self.reason
            ),
            None if self.line == 0 => write!(f, "{}: {}", self.file, self.reason),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.reason),
        }
    }
}

/// Counts of records or files passed over on purpose (not problems), by kind, such as
/// `"warc request record"` or `"non-HTML file"`.
pub type SkipCounts = BTreeMap<String, u64>;

/// An iterator over the ads of one input. Yields `Ok(SourceRecord)` for each ad and
/// `Err(Problem)` for each record that had to be skipped; it never stops early on a bad
/// record, only on an input that cannot be read further (e.g. a truncated gzip stream).
pub struct AdReader {
    inner: Inner,
    bytes_read: Arc<AtomicU64>,
    total_bytes: Option<u64>,
    warning: Option<InputWarning>,
    encoding: Option<&'static Encoding>,
}

enum Inner {
    /// An empty or binary input: nothing to read.
    Nothing(SkipCounts),
    Jsonl(jsonl::JsonlReader),
    // Boxed: its csv-core state machine is large and the enum is moved around by value.
    Csv(Box<csv::CsvReader>),
    Warc(warc::WarcReader),
    HtmlDir(html_dir::HtmlDirReader),
    HtmlStream(html_dir::HtmlStreamReader),
}

impl AdReader {
    /// Bytes consumed from the underlying file or stream so far (compressed bytes for gzip
    /// input), for progress display.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Size of the input file when known (never for stdin or a folder).
    pub fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    /// What was found about the whole input when it was opened (empty, binary), if anything.
    pub fn warning(&self) -> Option<&InputWarning> {
        self.warning.as_ref()
    }

    /// The character encoding detected or forced for a JSONL or CSV input, when it is not
    /// the record-by-record default (UTF-8, else windows-1252).
    pub fn encoding(&self) -> Option<&'static Encoding> {
        self.encoding
    }

    /// Counts of things done to records that are worth telling (not problems): ads given a
    /// derived id, records read as windows-1252. Records handed out by
    /// [`AdReader::next_unparsed`] are not in it: their [`RecordNotes`] are the caller's.
    pub fn notes(&self) -> &SkipCounts {
        match &self.inner {
            Inner::Jsonl(r) => r.notes(),
            Inner::Csv(r) => r.notes(),
            Inner::Nothing(n) => n,
            Inner::Warc(_) | Inner::HtmlDir(_) | Inner::HtmlStream(_) => &EMPTY_COUNTS,
        }
    }

    /// Records or files skipped on purpose so far (not problems), by kind.
    pub fn skipped(&self) -> &SkipCounts {
        match &self.inner {
            Inner::Nothing(n) => n,
            Inner::Jsonl(r) => r.skipped(),
            Inner::Csv(r) => r.skipped(),
            Inner::Warc(r) => r.skipped(),
            Inner::HtmlDir(r) => r.skipped(),
            Inner::HtmlStream(r) => r.skipped(),
        }
    }
}

impl AdReader {
    /// Like [`Iterator::next`], but JSONL records come as bytes still to parse
    /// ([`Unparsed::parse`]), so a caller can parse them in parallel, in any order, and keep
    /// the input order itself. Other formats come parsed. Problems found while splitting the
    /// input (a record over the size limit, a truncated input) come here as for `next`.
    pub fn next_unparsed(&mut self) -> Option<Result<ReadItem, Problem>> {
        match &mut self.inner {
            Inner::Jsonl(r) => r.next_unparsed().map(|r| r.map(ReadItem::Unparsed)),
            _ => self
                .next()
                .map(|r| r.map(|record| ReadItem::Parsed(Box::new(record)))),
        }
    }
}

impl Iterator for AdReader {
    type Item = Result<SourceRecord, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Nothing(_) => None,
            Inner::Jsonl(r) => r.next(),
            Inner::Csv(r) => r.next(),
            Inner::Warc(r) => r.next(),
            Inner::HtmlDir(r) => r.next(),
            Inner::HtmlStream(r) => r.next(),
        }
    }
}

impl fmt::Debug for AdReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdReader")
            .field("bytes_read", &self.bytes_read())
            .field("total_bytes", &self.total_bytes)
            .finish_non_exhaustive()
    }
}

/// Open a file or folder of ads. The format comes from `opts.format` or else from the path.
///
/// Whole-input failures (missing path, unreadable file, unknown format, a folder given with a
/// file format) are errors; everything that goes wrong inside the input is a [`Problem`]
/// yielded by the reader.
pub fn open_path(path: &Path, opts: &ReadOptions) -> Result<AdReader, IngestError> {
    let metadata = std::fs::metadata(path).map_err(|source| IngestError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let format = match opts.format {
        Some(format) => format,
        None => Format::detect(path).ok_or_else(|| IngestError::UnknownFormat {
            path: path.to_path_buf(),
        })?,
    };
    validate_options(opts)?;
    let name = path.display().to_string();
    if metadata.is_dir() {
        if format != Format::HtmlDir {
            return Err(IngestError::DirectoryNotSupported {
                path: path.to_path_buf(),
                format,
            });
        }
        let bytes_read = Arc::new(AtomicU64::new(0));
        let reader =
            html_dir::HtmlDirReader::folder(path, opts, bytes_read.clone()).map_err(|source| {
                IngestError::Open {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        return Ok(AdReader {
            inner: Inner::HtmlDir(reader),
            bytes_read,
            total_bytes: None,
            warning: None,
            encoding: None,
        });
    }
    if format == Format::HtmlDir {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let reader = html_dir::HtmlDirReader::single_file(path, opts, bytes_read.clone());
        return Ok(AdReader {
            inner: Inner::HtmlDir(reader),
            bytes_read,
            total_bytes: Some(metadata.len()),
            warning: None,
            encoding: None,
        });
    }
    let file = File::open(path).map_err(|source| IngestError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = from_reader(Box::new(file), &name, format, opts);
    reader.total_bytes = Some(metadata.len());
    Ok(reader)
}

/// Read ads of a known format from any byte stream (stdin, a network body, a test buffer).
/// Gzip-compressed input is recognised by its magic bytes and decompressed on the fly, and the
/// character encoding of JSONL and CSV is detected (or forced by `opts.encoding`).
/// `name` is used as the file name in records and problems.
pub fn from_reader(
    r: Box<dyn Read + Send>,
    name: &str,
    format: Format,
    opts: &ReadOptions,
) -> AdReader {
    let bytes_read = Arc::new(AtomicU64::new(0));
    let counted = source::CountingReader::new(r, bytes_read.clone());
    let max_record_bytes = opts.max_record_bytes.max(1);
    let mut warning = None;
    let mut detected_encoding = None;
    let inner = match format {
        Format::Jsonl | Format::Csv => {
            let input = source::decompressing(Box::new(counted));
            let prepared = encoding::prepare(input, opts.encoding, true).unwrap_or_else(|e| {
                encoding::Prepared {
                    input: source::failing(e),
                    mode: encoding::TextMode::Utf8OrLegacy,
                    sniffed: encoding::Sniffed::Text,
                    encoding: None,
                }
            });
            detected_encoding = prepared.encoding;
            match prepared.sniffed {
                encoding::Sniffed::Empty => {
                    warning = Some(InputWarning::Empty);
                    Inner::Nothing(SkipCounts::new())
                }
                encoding::Sniffed::Binary(what) => {
                    warning = Some(InputWarning::Binary { what, format });
                    Inner::Nothing(SkipCounts::new())
                }
                encoding::Sniffed::Text if format == Format::Jsonl => {
                    Inner::Jsonl(jsonl::JsonlReader::new(
                        prepared.input,
                        name,
                        max_record_bytes,
                        prepared.mode,
                        opts.record.clone(),
                        photos::LocalImages::from_options(opts),
                    ))
                }
                encoding::Sniffed::Text => Inner::Csv(Box::new(csv::CsvReader::new(
                    prepared.input,
                    name,
                    &opts.csv_map,
                    max_record_bytes,
                    prepared.mode,
                    opts.record.clone(),
                    photos::LocalImages::from_options(opts),
                ))),
            }
        }
        Format::Warc => {
            let mut input = source::decompressing(Box::new(counted));
            if encoding::is_empty(&mut input).unwrap_or(false) {
                warning = Some(InputWarning::Empty);
                Inner::Nothing(SkipCounts::new())
            } else {
                Inner::Warc(warc::WarcReader::new(
                    input,
                    name,
                    max_record_bytes,
                    opts.encoding.map(|e| e.name()),
                    opts.image_limits,
                ))
            }
        }
        Format::HtmlDir => Inner::HtmlStream(html_dir::HtmlStreamReader::new(
            Box::new(counted),
            name,
            max_record_bytes,
            opts.encoding.map(|e| e.name()),
        )),
    };
    AdReader {
        inner,
        bytes_read,
        total_bytes: None,
        warning,
        encoding: detected_encoding,
    }
}

fn validate_options(opts: &ReadOptions) -> Result<(), IngestError> {
    if opts.max_record_bytes == 0 {
        return Err(IngestError::BadOption {
            reason: "the record size limit must be at least 1 byte".into(),
        });
    }
    Ok(())
}

/// Cut raw record bytes to [`RAW_SNIPPET_BYTES`] and make them printable text.
pub(crate) fn raw_snippet(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(RAW_SNIPPET_BYTES)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > RAW_SNIPPET_BYTES {
        text.push('…');
    }
    text
}

static EMPTY_COUNTS: SkipCounts = SkipCounts::new();

/// Add one to a skip counter.
pub(crate) fn count_skip(skipped: &mut SkipCounts, kind: &str) {
    *skipped.entry(kind.to_string()).or_insert(0) += 1;
}
