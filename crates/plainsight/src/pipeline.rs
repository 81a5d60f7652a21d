//! The batch pipeline shared by `extract`, `ingest`, `demo` and `bench`: read inputs in
//! chunks, extract each chunk in parallel, and hand the results on in input order.
//!
//! Every stage is a function over a chunk (a partition) of records, so the same code can later
//! run on a distributed engine; the only cross-record step, de-duplication, is a group-by on a
//! deterministic key (site + id, content hash) done by the store.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use plainsight_ingest::{
    AdReader, FieldWarning, Format, InputWarning, Problem, ProblemKind, ReadItem, ReadOptions,
    RecordNotes, SourceRecord,
};
use plainsight_store::{NewAd, Store};
use plainsight_text::extract::Extractor;
use rayon::prelude::*;

/// Records per chunk: large enough to keep both cores busy, small enough for flat memory.
pub const CHUNK_RECORDS: usize = 2_048;

/// About how many input bytes one ad takes (JSONL of scraped ads runs near 1 KB; HTML and WARC
/// more, which only overestimates the count): used to tell a bulk load from a top-up.
const BYTES_PER_AD_ESTIMATE: u64 = 1_024;

/// Stored ads between two updates of the search index during an ingest: large enough that
/// the index is written in a few dozen big segments, not hundreds of small ones.
const SEARCH_INDEX_EVERY: u64 = 65_536;

/// The most ads the writer gathers from waiting chunks into one transaction.
const WRITE_BATCH_ADS: usize = 4 * CHUNK_RECORDS;

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Path(PathBuf),
    /// `-`: standard input.
    Stdin,
}

impl Input {
    pub fn from_arg(arg: &Path) -> Input {
        if arg.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(arg.to_path_buf())
        }
    }

    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
        }
    }

    fn open(&self, opts: &ReadOptions) -> Result<AdReader, plainsight_ingest::IngestError> {
        match self {
            Input::Path(p) => plainsight_ingest::open_path(p, opts),
            Input::Stdin => Ok(plainsight_ingest::from_reader(
                Box::new(std::io::stdin()),
                "<stdin>",
                opts.format.unwrap_or(Format::Jsonl),
                opts,
            )),
        }
    }

    fn size(&self) -> Option<u64> {
        match self {
            Input::Path(p) if p.is_file() => std::fs::metadata(p).ok().map(|m| m.len()),
            _ => None,
        }
    }
}

/// A progress bar on a terminal, or nothing.
#[derive(Clone)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A byte-based bar when the total is known, a spinner otherwise.
    pub fn new(enabled: bool, total_bytes: Option<u64>, what: &str) -> Progress {
        if !enabled {
            return Progress(None);
        }
        let bar = match total_bytes {
            Some(total) => {
                let bar = ProgressBar::new(total);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix} [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar
            }
            None => {
                let bar = ProgressBar::new_spinner();
                bar.set_style(
                    ProgressStyle::with_template("{prefix} {spinner} {bytes} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar
            }
        };
        bar.set_prefix(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress(Some(bar))
    }

    pub fn set(&self, bytes: u64, records: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(bytes);
            bar.set_message(format!("{records} records"));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// A field of a stored (or printed) ad that could not be read, with where the ad came from.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordWarning {
    pub file: String,
    pub line: u64,
    pub id: String,
    pub warning: FieldWarning,
}

impl std::fmt::Display for RecordWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(
                f,
                "{}: warning: ad {}: {}",
                self.file, self.id, self.warning
            )
        } else {
            write!(
                f,
                "{}:{}: warning: ad {}: {}",
                self.file, self.line, self.id, self.warning
            )
        }
    }
}

/// A chunk of what was read from the inputs, in input order: records (JSONL ones still as
/// bytes, parsed later on any thread) and the problems met while splitting the input.
pub struct RawChunk {
    pub items: Vec<Result<ReadItem, Problem>>,
}

/// A chunk after parsing and the per-record work, in input order: what the work made of each
/// good record, the records rejected, and the field warnings (taken out of the records).
pub struct Chunk<T> {
    pub records: Vec<T>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<RecordWarning>,
}

/// What the parallel stage made of one item of a [`RawChunk`].
pub struct Outcome<T> {
    result: Result<(T, Vec<RecordWarning>), Problem>,
    notes: RecordNotes,
}

/// Counts of what the parallel stage found (records, rejects, field warnings, notes), kept
/// in input order by whoever receives its chunks, and added to [`ReadTotals`] at the end.
#[derive(Debug, Default)]
pub struct Tally {
    records: u64,
    problems: BTreeMap<ProblemKind, u64>,
    warnings: BTreeMap<String, u64>,
    notes: BTreeMap<String, u64>,
}

impl Tally {
    /// Count a chunk's outcomes and sort them into records, problems and warnings.
    pub fn settle<T>(&mut self, outcomes: Vec<Outcome<T>>) -> Chunk<T> {
        let mut chunk = Chunk {
            records: Vec::with_capacity(outcomes.len()),
            problems: Vec::new(),
            warnings: Vec::new(),
        };
        for outcome in outcomes {
            for label in outcome.notes.labels() {
                *self.notes.entry(label.to_string()).or_default() += 1;
            }
            match outcome.result {
                Ok((record, warnings)) => {
                    for w in &warnings {
                        let key = format!("`{}`: {}", w.warning.field, w.warning.problem.label());
                        *self.warnings.entry(key).or_default() += 1;
                    }
                    chunk.warnings.extend(warnings);
                    chunk.records.push(record);
                    self.records += 1;
                }
                Err(problem) => {
                    *self.problems.entry(problem.kind).or_default() += 1;
                    chunk.problems.push(problem);
                }
            }
        }
        chunk
    }

    /// Add the counts to what the reader counted.
    pub fn add_to(self, totals: &mut ReadTotals) {
        totals.records += self.records;
        for (kind, n) in self.problems {
            *totals.problems.entry(kind).or_default() += n;
        }
        for (key, n) in self.warnings {
            *totals.warnings.entry(key).or_default() += n;
        }
        for (key, n) in self.notes {
            *totals.notes.entry(key).or_default() += n;
        }
    }
}

/// Parse the chunk's records and apply `work` to each good one, in parallel, keeping input
/// order. Field warnings are taken out of each record before `work` sees it.
pub fn process_chunk<T, W>(raw: RawChunk, work: &W) -> Vec<Outcome<T>>
where
    T: Send,
    W: Fn(SourceRecord) -> T + Sync,
{
    let finish = |mut record: SourceRecord, notes: RecordNotes| {
        let warnings = record
            .warnings
            .drain(..)
            .map(|warning| RecordWarning {
                file: record.file.clone(),
                line: record.line,
                id: record.ad.id.clone(),
                warning,
            })
            .collect();
        Outcome {
            result: Ok((work(record), warnings)),
            notes,
        }
    };
    raw.items
        .into_par_iter()
        .map(|item| match item {
            Err(problem) => Outcome {
                result: Err(problem),
                notes: RecordNotes::default(),
            },
            Ok(ReadItem::Parsed(record)) => finish(*record, RecordNotes::default()),
            Ok(ReadItem::Unparsed(unparsed)) => match unparsed.parse() {
                (Ok(record), notes) => finish(record, notes),
                (Err(problem), notes) => Outcome {
                    result: Err(problem),
                    notes,
                },
            },
        })
        .collect()
}

/// What reading all inputs came to, beyond the records themselves.
#[derive(Debug, Default)]
pub struct ReadTotals {
    pub inputs: u64,
    /// Inputs that could not be opened at all, with the reason.
    pub failed_inputs: Vec<(String, String)>,
    /// Inputs that were opened but gave nothing: empty or binary files.
    pub input_warnings: Vec<(String, InputWarning)>,
    /// Inputs read in an encoding other than the record-by-record default, with its name.
    pub encodings: Vec<(String, &'static str)>,
    /// Records or files skipped on purpose (not problems), by kind.
    pub skipped: BTreeMap<String, u64>,
    /// Things done to records worth telling (derived ids, windows-1252), by kind.
    pub notes: BTreeMap<String, u64>,
    /// Rejected records by kind of problem.
    pub problems: BTreeMap<ProblemKind, u64>,
    /// Field warnings by field and kind (``"`posted_at`: unreadable date"``).
    pub warnings: BTreeMap<String, u64>,
    pub bytes: u64,
    pub records: u64,
}

impl ReadTotals {
    /// Field warnings in all.
    pub fn warning_count(&self) -> u64 {
        self.warnings.values().sum()
    }

    /// Inputs that gave nothing because they are not text of their format (binary files).
    pub fn binary_inputs(&self) -> usize {
        self.input_warnings
            .iter()
            .filter(|(_, w)| matches!(w, InputWarning::Binary { .. }))
            .count()
    }
}

/// Read every input in order and pass chunks of at most [`CHUNK_RECORDS`] items to `sink`,
/// JSONL records unparsed: parsing is left to [`process_chunk`], which runs in parallel. The
/// totals count inputs, bytes and what the readers skipped or noted; the records, problems,
/// warnings and notes in the chunks are for a [`Tally`] to count.
/// A bad record never stops reading; an input that cannot be opened is recorded and skipped.
pub fn read_raw_chunks(
    inputs: &[Input],
    opts: &ReadOptions,
    progress: &Progress,
    mut sink: impl FnMut(RawChunk) -> anyhow::Result<()>,
) -> anyhow::Result<ReadTotals> {
    let mut totals = ReadTotals::default();
    let mut done_bytes = 0u64;
    let mut items_read = 0u64;
    let new_chunk = || RawChunk {
        items: Vec::with_capacity(CHUNK_RECORDS),
    };
    for input in inputs {
        totals.inputs += 1;
        let mut reader = match input.open(opts) {
            Ok(r) => r,
            Err(e) => {
                totals.failed_inputs.push((input.name(), e.to_string()));
                continue;
            }
        };
        if let Some(warning) = reader.warning() {
            totals.input_warnings.push((input.name(), warning.clone()));
        }
        if let Some(encoding) = reader.encoding()
            && encoding.name() != "UTF-8"
        {
            totals.encodings.push((input.name(), encoding.name()));
        }
        let mut chunk = new_chunk();
        while let Some(item) = reader.next_unparsed() {
            chunk.items.push(item);
            items_read += 1;
            if chunk.items.len() >= CHUNK_RECORDS {
                progress.set(done_bytes + reader.bytes_read(), items_read);
                sink(std::mem::replace(&mut chunk, new_chunk()))?;
            }
        }
        done_bytes += reader.bytes_read();
        progress.set(done_bytes, items_read);
        for (kind, n) in reader.skipped() {
            *totals.skipped.entry(kind.clone()).or_default() += n;
        }
        for (kind, n) in reader.notes() {
            *totals.notes.entry(kind.clone()).or_default() += n;
        }
        if !chunk.items.is_empty() {
            sink(chunk)?;
        }
    }
    totals.bytes = done_bytes;
    Ok(totals)
}

/// How many kinds of reject reason and of field warning the closing summary names.
pub const SUMMARY_TOP: usize = 5;

/// The commonest entries of a count table, largest first (ties in key order), as "N what".
fn top_counts<K: std::fmt::Display>(counts: &BTreeMap<K, u64>, top: usize) -> String {
    let mut entries: Vec<(&K, &u64)> = counts.iter().collect();
    entries.sort_by(|a, b| b.1.cmp(a.1));
    let mut parts: Vec<String> = entries
        .iter()
        .take(top)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    if entries.len() > top {
        let rest: u64 = entries[top..].iter().map(|(_, n)| **n).sum();
        parts.push(format!("{rest} other"));
    }
    parts.join(", ")
}

/// The lines of a closing summary about reading, shared by `ingest` and `extract`: empty
/// and binary inputs, encodings, the commonest reject reasons and field warnings, notes.
pub fn reading_summary(totals: &ReadTotals) -> Vec<String> {
    let mut lines = Vec::new();
    for (input, reason) in &totals.failed_inputs {
        lines.push(format!("error: cannot read {input}: {reason}"));
    }
    for (input, warning) in &totals.input_warnings {
        lines.push(format!("warning: {input}: {warning}"));
    }
    for (input, encoding) in &totals.encodings {
        lines.push(format!("{input}: read as {encoding}"));
    }
    if !totals.problems.is_empty() {
        lines.push(format!(
            "commonest reject reasons: {}",
            top_counts(&totals.problems, SUMMARY_TOP)
        ));
    }
    if !totals.warnings.is_empty() {
        lines.push(format!(
            "{} field warning(s), the ads kept without those fields: {}",
            totals.warning_count(),
            top_counts(&totals.warnings, SUMMARY_TOP)
        ));
    }
    if !totals.notes.is_empty() {
        lines.push(format!("notes: {}", top_counts(&totals.notes, usize::MAX)));
    }
    lines
}

/// Sum of the sizes of the inputs that are plain files, when all of them are.
pub fn total_size(inputs: &[Input]) -> Option<u64> {
    inputs.iter().map(Input::size).sum()
}

/// Writes rejected records and field warnings, one JSON object per line. The file is made on
/// first use and is always a new file: when the name is taken (a second run in the same
/// second, or an explicit path used before), `-2`, `-3` ... is added before the extension, so
/// no run ever overwrites another's. The one place quarantine files are written.
///
/// The lines carry the ads' text, so in an encrypted workspace the file is sealed with a key
/// derived from the workspace key (`plainsight_access::keys`, AES-256-GCM frames);
/// `plainsight quarantine show` reads it back.
pub struct Quarantine {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    /// The workspace key, when the file is to be sealed.
    key: Option<plainsight_access::keys::DatabaseKey>,
    sealer: Option<plainsight_access::keys::SealWriter>,
    /// Rejected records written.
    pub count: u64,
    /// Field warnings written.
    pub warnings: u64,
}

/// What quarantine files are sealed for (the HKDF purpose, also in the sealed header).
pub const QUARANTINE_PURPOSE: &str = "quarantine";

/// Most suffixes tried before giving up on finding a free quarantine file name.
const MAX_QUARANTINE_SUFFIX: u32 = 10_000;

impl Quarantine {
    /// A quarantine that will write to `path`, or to the first free name after it.
    pub fn new(path: PathBuf) -> Quarantine {
        Quarantine {
            path,
            out: None,
            key: None,
            sealer: None,
            count: 0,
            warnings: 0,
        }
    }

    /// Seal the file with a key derived from `key` (the workspace key), when there is one.
    /// The name stays as given; a sealed file starts with `PSSEAL01`.
    pub fn sealed(mut self, key: Option<plainsight_access::keys::DatabaseKey>) -> Quarantine {
        self.key = key;
        self
    }

    /// The file written to (once something was written; before, the name asked for).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open(&mut self) -> anyhow::Result<&mut BufWriter<File>> {
        if self.out.is_none() {
            if let Some(dir) = self.path.parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let (file, path) = create_new_file(&self.path)?;
            self.path = path;
            let mut out = BufWriter::new(file);
            if let Some(key) = &self.key {
                let (sealer, header) =
                    plainsight_access::keys::SealWriter::new(key, QUARANTINE_PURPOSE)?;
                out.write_all(&header)?;
                self.sealer = Some(sealer);
            }
            self.out = Some(out);
        }
        self.out
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("quarantine file not open"))
    }

    fn write_line(&mut self, line: &serde_json::Value) -> anyhow::Result<()> {
        self.open()?;
        let mut bytes = serde_json::to_vec(line)?;
        bytes.push(b'\n');
        let bytes = match self.sealer.as_mut() {
            Some(sealer) => sealer.write(&bytes),
            None => bytes,
        };
        if let Some(out) = self.out.as_mut() {
            out.write_all(&bytes)?;
        }
        Ok(())
    }

    /// Write a rejected record.
    pub fn write(&mut self, problem: &Problem) -> anyhow::Result<()> {
        self.write_line(&serde_json::json!({
            "type": "rejected",
            "file": problem.file,
            "line": problem.line,
            "offset": problem.offset,
            "kind": problem.kind.label(),
            "reason": problem.reason,
            "raw": problem.raw,
        }))?;
        self.count += 1;
        Ok(())
    }

    /// Write a field warning (the ad itself was kept).
    pub fn write_warning(&mut self, warning: &RecordWarning) -> anyhow::Result<()> {
        self.write_line(&serde_json::json!({
            "type": "warning",
            "file": warning.file,
            "line": warning.line,
            "id": warning.id,
            "field": warning.warning.field,
            "value": warning.warning.value,
            "kind": warning.warning.problem.label(),
            "reason": warning.warning.to_string(),
        }))?;
        self.warnings += 1;
        Ok(())
    }

    pub fn finish(&mut self) -> anyhow::Result<()> {
        if let (Some(sealer), Some(out)) = (self.sealer.take(), self.out.as_mut()) {
            out.write_all(&sealer.finish())
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        if let Some(out) = self.out.as_mut() {
            out.flush()
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        Ok(())
    }
}

/// Create `path`, or `stem-2.ext`, `stem-3.ext` ... if it exists; never opens an existing file.
fn create_new_file(path: &Path) -> anyhow::Result<(File, PathBuf)> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
    for n in 1..=MAX_QUARANTINE_SUFFIX {
        let candidate = if n == 1 {
            path.to_path_buf()
        } else {
            let name = match &ext {
                Some(ext) => format!("{stem}-{n}.{ext}"),
                None => format!("{stem}-{n}"),
            };
            path.with_file_name(name)
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((file, candidate)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(anyhow::anyhow!(e)
                    .context(format!("creating quarantine file {}", candidate.display())));
            }
        }
    }
    anyhow::bail!(
        "no free quarantine file name next to {} (tried {MAX_QUARANTINE_SUFFIX})",
        path.display()
    )
}

/// The outcome of an ingest run.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub read: ReadTotals,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// Field warnings (the ads were kept without those fields).
    pub warnings: u64,
    pub quarantine: Option<PathBuf>,
    /// Ads added to the full-text search index.
    pub indexed: u64,
    pub elapsed: Duration,
}

/// Read, extract and store, as three stages in a line: a reading thread, an extraction thread
/// (each chunk extracted and prepared for storage in parallel) and the database writer. A
/// bounded number of chunks is in flight between them, so memory stays flat whatever the input
/// size. A large load into a small workspace defers its random-order indexes to the end; the
/// search index is filled as the load goes.
pub async fn ingest(
    store: Arc<dyn Store>,
    extractor: Arc<Extractor>,
    inputs: Vec<Input>,
    opts: ReadOptions,
    quarantine_path: PathBuf,
    progress: Progress,
) -> anyhow::Result<IngestReport> {
    let started = Instant::now();
    // A large load into a small workspace builds its random-order indexes once, at the end.
    if let Some(bytes) = total_size(&inputs) {
        store
            .begin_bulk_load(bytes / BYTES_PER_AD_ESTIMATE)
            .await
            .context("preparing the workspace for a bulk load")?;
    }
    // Four chunks in flight (about 10 MB each): enough for extraction to keep going while the
    // writer adds a stretch of ads to the search index.
    let (tx, mut rx) =
        tokio::sync::mpsc::channel::<(Vec<NewAd>, Vec<Problem>, Vec<RecordWarning>)>(4);
    // Three stages in a line: reading (splitting the input into records is one thread's
    // work), parsing and extraction (in parallel over each chunk) and the writer, so reading
    // the next chunk overlaps extracting this one.
    let (read_tx, read_rx) = std::sync::mpsc::sync_channel::<RawChunk>(2);
    let reader = std::thread::spawn(move || {
        read_raw_chunks(&inputs, &opts, &progress, |chunk| {
            read_tx
                .send(chunk)
                .map_err(|_| anyhow::anyhow!("extraction stopped"))
        })
        .inspect(|_| progress.finish())
    });
    let extracting = std::thread::spawn(move || {
        let mut tally = Tally::default();
        let work = |r: SourceRecord| {
            let extraction = extractor.extract(&r.ad);
            NewAd::new(r.ad, extraction, r.file, r.line)
        };
        for raw in read_rx {
            let chunk = tally.settle(process_chunk(raw, &work));
            let ads = chunk
                .records
                .into_iter()
                .collect::<Result<Vec<NewAd>, _>>()
                .context("preparing ads for storage")?;
            tx.blocking_send((ads, chunk.problems, chunk.warnings))
                .map_err(|_| anyhow::anyhow!("the database writer stopped"))?;
        }
        Ok::<Tally, anyhow::Error>(tally)
    });
    let mut report = IngestReport::default();
    let mut quarantine = Quarantine::new(quarantine_path).sealed(store.sealing_key());
    let mut write_error = None;
    let mut unindexed = 0u64;
    while let Some((mut ads, mut problems, mut warnings)) = rx.recv().await {
        // When the writer is behind, chunks wait in the channel: write them in one transaction.
        // Each commit rewrites every page it dirtied (the content-hash index takes its keys in
        // random order), so fewer, larger commits write fewer pages.
        while ads.len() < WRITE_BATCH_ADS {
            match rx.try_recv() {
                Ok((more, more_problems, more_warnings)) => {
                    ads.extend(more);
                    problems.extend(more_problems);
                    warnings.extend(more_warnings);
                }
                Err(_) => break,
            }
        }
        for p in &problems {
            quarantine.write(p)?;
        }
        for w in &warnings {
            quarantine.write_warning(w)?;
        }
        report.rejected += problems.len() as u64;
        report.warnings += warnings.len() as u64;
        match store.insert_ads(&ads).await {
            Ok(outcome) => {
                report.stored += outcome.stored;
                report.duplicates += outcome.duplicates.len() as u64;
                unindexed += outcome.stored;
            }
            Err(e) => {
                // Stop reading: the batch was rolled back as a whole, nothing half-written.
                write_error = Some(e);
                break;
            }
        }
        if unindexed >= SEARCH_INDEX_EVERY {
            match store.update_search_index().await {
                Ok(n) => report.indexed += n,
                Err(e) => {
                    write_error = Some(e);
                    break;
                }
            }
            unindexed = 0;
        }
    }
    drop(rx);
    quarantine.finish()?;
    // A run that stopped early still says where its quarantine went.
    if quarantine.count > 0 || quarantine.warnings > 0 {
        report.quarantine = Some(quarantine.path().to_path_buf());
    }
    let extracted = extracting
        .join()
        .map_err(|_| anyhow::anyhow!("the extraction thread panicked"))?;
    let read = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the reader thread panicked"))?;
    let failure = match (write_error, extracted, read) {
        (Some(e), _, _) => Err(anyhow::anyhow!(e).context("storing ads")),
        (None, Err(e), _) => Err(e.context("extracting ads")),
        (None, Ok(tally), read) => read.map(|mut totals| {
            tally.add_to(&mut totals);
            totals
        }),
    };
    let read = match failure {
        Ok(read) => read,
        Err(e) => {
            // The ads stored before the failure stay; if a bulk load dropped look-up indexes,
            // build them now rather than leave the workspace slow until the next ingest.
            if let Err(index_error) = store.index_new_ads().await {
                eprintln!("warning: could not rebuild the workspace's indexes: {index_error}");
            }
            return Err(e);
        }
    };
    report.read = read;
    report.indexed += store
        .index_new_ads()
        .await
        .context("adding the new ads to the search index")?;
    if quarantine.count > 0 || quarantine.warnings > 0 {
        report.quarantine = Some(quarantine.path().to_path_buf());
    }
    report.elapsed = started.elapsed();
    Ok(report)
}
