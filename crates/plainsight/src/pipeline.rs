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
use plainsight_core::Extraction;
use plainsight_ingest::{AdReader, Format, Problem, ReadOptions, SourceRecord};
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

/// A chunk of records read from the inputs, with the problems met while reading it.
pub struct Chunk {
    pub records: Vec<SourceRecord>,
    pub problems: Vec<Problem>,
}

/// What reading all inputs came to, beyond the records themselves.
#[derive(Debug, Default)]
pub struct ReadTotals {
    pub inputs: u64,
    /// Inputs that could not be opened at all, with the reason.
    pub failed_inputs: Vec<(String, String)>,
    /// Records or files skipped on purpose (not problems), by kind.
    pub skipped: BTreeMap<String, u64>,
    pub bytes: u64,
    pub records: u64,
}

/// Read every input in order and pass chunks of at most [`CHUNK_RECORDS`] records to `sink`.
/// A bad record never stops reading; an input that cannot be opened is recorded and skipped.
pub fn read_chunks(
    inputs: &[Input],
    opts: &ReadOptions,
    progress: &Progress,
    mut sink: impl FnMut(Chunk) -> anyhow::Result<()>,
) -> anyhow::Result<ReadTotals> {
    let mut totals = ReadTotals::default();
    let mut done_bytes = 0u64;
    for input in inputs {
        totals.inputs += 1;
        let mut reader = match input.open(opts) {
            Ok(r) => r,
            Err(e) => {
                totals.failed_inputs.push((input.name(), e.to_string()));
                continue;
            }
        };
        let mut chunk = Chunk {
            records: Vec::with_capacity(CHUNK_RECORDS),
            problems: Vec::new(),
        };
        while let Some(item) = reader.next() {
            match item {
                Ok(record) => {
                    chunk.records.push(record);
                    totals.records += 1;
                }
                Err(problem) => chunk.problems.push(problem),
            }
            if chunk.records.len() >= CHUNK_RECORDS {
                progress.set(done_bytes + reader.bytes_read(), totals.records);
                let full = std::mem::replace(
                    &mut chunk,
                    Chunk {
                        records: Vec::with_capacity(CHUNK_RECORDS),
                        problems: Vec::new(),
                    },
                );
                sink(full)?;
            }
        }
        done_bytes += reader.bytes_read();
        progress.set(done_bytes, totals.records);
        for (kind, n) in reader.skipped() {
            *totals.skipped.entry(kind.clone()).or_default() += n;
        }
        if !chunk.records.is_empty() || !chunk.problems.is_empty() {
            sink(chunk)?;
        }
    }
    totals.bytes = done_bytes;
    Ok(totals)
}

/// Sum of the sizes of the inputs that are plain files, when all of them are.
pub fn total_size(inputs: &[Input]) -> Option<u64> {
    inputs.iter().map(Input::size).sum()
}

/// Extract every record of a chunk in parallel, keeping input order.
pub fn extract_records(extractor: &Extractor, records: &[SourceRecord]) -> Vec<Extraction> {
    records
        .par_iter()
        .map(|r| extractor.extract(&r.ad))
        .collect()
}

/// Extract every record of a chunk and prepare it for storage, in parallel, keeping input
/// order.
pub fn extract_chunk(
    extractor: &Extractor,
    records: Vec<SourceRecord>,
) -> anyhow::Result<Vec<NewAd>> {
    records
        .into_par_iter()
        .map(|r| {
            let extraction = extractor.extract(&r.ad);
            NewAd::new(r.ad, extraction, r.file, r.line)
        })
        .collect::<Result<_, _>>()
        .context("preparing ads for storage")
}

/// Writes rejected records, one JSON object per line, creating the file on first use.
pub struct Quarantine {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    pub count: u64,
}

impl Quarantine {
    pub fn new(path: PathBuf) -> Quarantine {
        Quarantine {
            path,
            out: None,
            count: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(&mut self, problem: &Problem) -> anyhow::Result<()> {
        if self.out.is_none() {
            if let Some(dir) = self.path.parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let file = File::create(&self.path)
                .with_context(|| format!("creating quarantine file {}", self.path.display()))?;
            self.out = Some(BufWriter::new(file));
        }
        let line = serde_json::json!({
            "file": problem.file,
            "line": problem.line,
            "offset": problem.offset,
            "reason": problem.reason,
            "raw": problem.raw,
        });
        if let Some(out) = self.out.as_mut() {
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")?;
        }
        self.count += 1;
        Ok(())
    }

    pub fn finish(&mut self) -> anyhow::Result<()> {
        if let Some(out) = self.out.as_mut() {
            out.flush()
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        Ok(())
    }
}

/// The outcome of an ingest run.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub read: ReadTotals,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
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
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<NewAd>, Vec<Problem>)>(4);
    // Three stages in a line: reading (parsing is one thread's work), extraction (in parallel
    // over each chunk) and the writer, so reading the next chunk overlaps extracting this one.
    let (read_tx, read_rx) = std::sync::mpsc::sync_channel::<Chunk>(2);
    let reader = std::thread::spawn(move || {
        read_chunks(&inputs, &opts, &progress, |chunk| {
            read_tx
                .send(chunk)
                .map_err(|_| anyhow::anyhow!("extraction stopped"))
        })
        .inspect(|_| progress.finish())
    });
    let extracting = std::thread::spawn(move || {
        for chunk in read_rx {
            let ads = extract_chunk(&extractor, chunk.records)?;
            tx.blocking_send((ads, chunk.problems))
                .map_err(|_| anyhow::anyhow!("the database writer stopped"))?;
        }
        Ok::<(), anyhow::Error>(())
    });
    let mut report = IngestReport::default();
    let mut quarantine = Quarantine::new(quarantine_path);
    let mut write_error = None;
    let mut unindexed = 0u64;
    while let Some((mut ads, mut problems)) = rx.recv().await {
        // When the writer is behind, chunks wait in the channel: write them in one transaction.
        // Each commit rewrites every page it dirtied (the content-hash index takes its keys in
        // random order), so fewer, larger commits write fewer pages.
        while ads.len() < WRITE_BATCH_ADS {
            match rx.try_recv() {
                Ok((more, more_problems)) => {
                    ads.extend(more);
                    problems.extend(more_problems);
                }
                Err(_) => break,
            }
        }
        for p in &problems {
            quarantine.write(p)?;
        }
        report.rejected += problems.len() as u64;
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
    let extracted = extracting
        .join()
        .map_err(|_| anyhow::anyhow!("the extraction thread panicked"))?;
    let read = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the reader thread panicked"))?;
    let failure = match (write_error, extracted, read) {
        (Some(e), _, _) => Err(anyhow::anyhow!(e).context("storing ads")),
        (None, Err(e), _) => Err(e.context("extracting ads")),
        (None, Ok(()), read) => read,
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
    if quarantine.count > 0 {
        report.quarantine = Some(quarantine.path().to_path_buf());
    }
    report.elapsed = started.elapsed();
    Ok(report)
}
