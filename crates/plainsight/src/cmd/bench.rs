//! `plainsight bench`: measure throughput of pipeline stages on a generated corpus. A benchmark,
//! not a test: it prints figures for `docs/benchmarks.md` and asserts nothing.

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use plainsight_core::Ad;
use plainsight_corpus::CorpusConfig;
use rayon::prelude::*;

use super::{Context, ExtractArgs};
use crate::pipeline::{self, Input, Progress};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Stage {
    /// Normalisation and extraction, in MB/s of ad text (one core and all cores).
    Extract,
    /// Reading, extraction and storing into a fresh SQLite workspace, end to end.
    Ingest,
    /// `analyze` (linking, networks, priorities, storing) over an ingested workspace.
    Analyze,
    /// Web pages under load: the lead queue, network pages and searches with `wrk`, then the
    /// dashboard and a case package of 1,000 ads or more with one client (set up like
    /// `analyze` when the workspace does not exist yet).
    Web,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  plainsight bench extract --ads 100000
  plainsight bench ingest --ads 1000000
  plainsight bench analyze --ads 1000000 --workspace /tmp/bench-1m.db
  plainsight bench analyze --ads 100000 --flood 100000 --hub-phone 50000
  plainsight bench web --ads 1000000 --workspace /tmp/bench-1m.db --clients 32 --seconds 30")]
pub struct Args {
    /// The stage to measure.
    #[arg(value_enum)]
    pub stage: Stage,
    /// Number of generated ads.
    #[arg(long, default_value_t = 100_000)]
    pub ads: usize,
    /// Corpus seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Repetitions (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// analyze: the workspace file to use; ingested from the generated corpus when it does not
    /// exist yet (that set-up is not timed), reused as it is when it does.
    #[arg(long, value_name = "FILE")]
    pub workspace: Option<std::path::PathBuf>,
    /// analyze: add this many copies of one ad (a spam flood; ids and times differ).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub flood: usize,
    /// analyze: print one phone number (a hub) in this many of the generated ads.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub hub_phone: usize,
    /// web: concurrent clients.
    #[arg(long, default_value_t = 32)]
    pub clients: u32,
    /// web: seconds of load per page kind.
    #[arg(long, default_value_t = 20)]
    pub seconds: u32,
    /// web: how many of the highest-priority networks the network-page load cycles through.
    #[arg(long, default_value_t = 200)]
    pub networks: u32,
    /// ingest, analyze: make the workspace unencrypted (to measure what encryption costs).
    #[arg(long)]
    pub unencrypted: bool,
    #[command(flatten)]
    pub extract: ExtractArgs,
}

/// The key options of a benchmark's workspace: encrypted like any new workspace, unless
/// `--unencrypted`.
fn bench_keys(args: &Args) -> plainsight_store::KeyOptions {
    plainsight_store::KeyOptions {
        plaintext_new: args.unencrypted,
        ..Default::default()
    }
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    match args.stage {
        Stage::Extract => bench_extract(&args),
        Stage::Ingest => bench_ingest(ctx, &args).await,
        Stage::Analyze => bench_analyze(ctx, &args).await,
        Stage::Web => bench_web(ctx, &args).await,
    }
}

async fn bench_web(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    use plainsight_store::NetworkStore;
    let db = args.workspace.clone().ok_or_else(|| {
        anyhow::anyhow!("bench web needs --workspace FILE (created and analysed when missing)")
    })?;
    let analysed = if db.exists() {
        let store =
            plainsight_store::SqliteStore::open(&format!("sqlite://{}", db.display())).await?;
        let run = store.latest_run().await?;
        store.close().await;
        run.is_some()
    } else {
        false
    };
    if !analysed {
        eprintln!(
            "set-up (not timed): ingesting and analysing {} ads ...",
            args.ads
        );
        let setup = Args {
            stage: Stage::Analyze,
            runs: 1,
            workspace: Some(db.clone()),
            extract: args.extract.clone(),
            ..*args
        };
        bench_analyze(ctx, &setup).await?;
    }
    let store = plainsight_store::SqliteStore::open(&format!("sqlite://{}", db.display())).await?;
    super::bench_web::run(
        store,
        &super::bench_web::WebBench {
            clients: args.clients,
            seconds: args.seconds,
            networks: args.networks,
        },
    )
    .await
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn bench_extract(args: &Args) -> anyhow::Result<ExitCode> {
    let cfg = CorpusConfig {
        ads: args.ads,
        seed: args.seed,
        ..CorpusConfig::default()
    };
    let ads: Vec<Ad> = plainsight_corpus::generate(&cfg)
        .map(|(ad, _)| ad)
        .collect();
    let bytes: usize = ads.iter().map(|a| a.text_len()).sum();
    let extractor = args.extract.extractor()?;
    let runs = args.runs.max(1);
    let mb = bytes as f64 / 1e6;
    let mut single = Vec::new();
    let mut parallel = Vec::new();
    let mut checksum = 0usize;
    for _ in 0..runs {
        let t = Instant::now();
        for ad in &ads {
            checksum += extractor.extract(ad).phones.len();
        }
        single.push(mb / t.elapsed().as_secs_f64());
        let t = Instant::now();
        checksum += ads
            .par_iter()
            .map(|ad| extractor.extract(ad).phones.len())
            .sum::<usize>();
        parallel.push(mb / t.elapsed().as_secs_f64());
    }
    println!(
        "extract: {} ads, {:.1} MB of text, {} runs; median {:.1} MB/s on one core, \
         {:.1} MB/s on {} threads (phones found per pass: {})",
        ads.len(),
        mb,
        runs,
        median(single),
        median(parallel),
        rayon::current_num_threads(),
        checksum / (2 * runs)
    );
    Ok(ExitCode::SUCCESS)
}

async fn bench_ingest(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("ads.jsonl");
    let cfg = CorpusConfig {
        ads: args.ads,
        seed: args.seed,
        ..CorpusConfig::default()
    };
    {
        let mut out = BufWriter::new(File::create(&path)?);
        plainsight_corpus::write_jsonl(&cfg, &mut out, None::<&mut std::io::Sink>, |_| {})?;
    }
    let size = std::fs::metadata(&path)?.len();
    let extractor = Arc::new(args.extract.extractor()?);
    let mut times = Vec::new();
    for run in 0..args.runs.max(1) {
        let url = format!("sqlite://{}/run{run}.db", dir.path().display());
        let store =
            Arc::new(plainsight_store::SqliteStore::open_with(&url, &bench_keys(args)).await?);
        let inputs = vec![Input::Path(path.clone())];
        let progress = Progress::new(ctx.show_progress(), Some(size), "ingest");
        let t = Instant::now();
        let report = pipeline::ingest(
            store.clone(),
            extractor.clone(),
            inputs,
            plainsight_ingest::ReadOptions::default(),
            dir.path().join("quarantine.jsonl"),
            progress,
        )
        .await?;
        store.close().await;
        let secs = t.elapsed().as_secs_f64();
        times.push(secs);
        eprintln!(
            "run {}: {:.1} s, {} stored, {} duplicate, {} rejected",
            run + 1,
            secs,
            report.stored,
            report.duplicates,
            report.rejected
        );
        std::fs::remove_file(dir.path().join(format!("run{run}.db")))?;
    }
    let secs = median(times);
    println!(
        "ingest ({}): {} ads ({:.1} MB JSONL) in a median {:.1} s = {:.0} ads/s; peak resident memory {} MB",
        if args.unencrypted {
            "not encrypted"
        } else {
            "encrypted"
        },
        args.ads,
        size as f64 / 1e6,
        secs,
        args.ads as f64 / secs,
        peak_rss_mb().map_or("unknown".to_string(), |m| m.to_string())
    );
    Ok(ExitCode::SUCCESS)
}

async fn bench_analyze(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let db = args
        .workspace
        .clone()
        .unwrap_or_else(|| dir.path().join("analyze.db"));
    if !db.exists() {
        let path = dir.path().join("ads.jsonl");
        let cfg = CorpusConfig {
            ads: args.ads,
            seed: args.seed,
            ..CorpusConfig::default()
        };
        {
            use std::io::Write;
            let mut out = BufWriter::new(File::create(&path)?);
            let mut first: Option<Ad> = None;
            for (i, (mut ad, _)) in plainsight_corpus::generate(&cfg).enumerate() {
                if i < args.hub_phone {
                    ad.phones.push("+18005550100".to_string());
                }
                if first.is_none() {
                    first = Some(ad.clone());
                }
                serde_json::to_writer(&mut out, &ad)?;
                out.write_all(b"\n")?;
            }
            if let Some(original) = first {
                for i in 0..args.flood {
                    let mut copy = original.clone();
                    copy.id = format!("flood-{i}");
                    // Content differs by the posting time only, so ingest keeps every copy.
                    copy.posted_at = copy
                        .posted_at
                        .map(|t| t + chrono::Duration::seconds(i as i64 + 1));
                    serde_json::to_writer(&mut out, &copy)?;
                    out.write_all(b"\n")?;
                }
            }
            out.flush()?;
        }
        let store = Arc::new(
            plainsight_store::SqliteStore::open_with(
                &format!("sqlite://{}", db.display()),
                &bench_keys(args),
            )
            .await?,
        );
        let size = std::fs::metadata(&path)?.len();
        let t = Instant::now();
        let report = pipeline::ingest(
            store.clone(),
            Arc::new(args.extract.extractor()?),
            vec![Input::Path(path.clone())],
            plainsight_ingest::ReadOptions::default(),
            dir.path().join("quarantine.jsonl"),
            Progress::new(ctx.show_progress(), Some(size), "set-up"),
        )
        .await?;
        store.close().await;
        eprintln!(
            "set-up (not timed for analyze): ingested {} ads in {:.1} s",
            report.stored,
            t.elapsed().as_secs_f64()
        );
    }
    let store = plainsight_store::SqliteStore::open_with(
        &format!("sqlite://{}", db.display()),
        &bench_keys(args),
    )
    .await?;
    println!(
        "workspace {}",
        if store.is_encrypted() {
            "encrypted (SQLCipher)"
        } else {
            "not encrypted"
        }
    );
    let weights = super::analyze::active_weights(&store).await?;
    let cfg = super::analyze::default_link_config()?;
    let mut times = Vec::new();
    let mut peak = Vec::new();
    let mut last = None;
    for run in 0..args.runs.max(1) {
        reset_peak_rss();
        let t = Instant::now();
        let done = super::analyze::analyze_and_save(
            &store,
            &cfg,
            &weights,
            super::analyze::READ_BATCH,
            ctx.show_progress(),
        )
        .await?;
        let secs = t.elapsed().as_secs_f64();
        eprintln!(
            "run {}: {:.1} s ({:.1} s reading, {:.1} s preparing, {:.1} s linking and summarising, {:.1} s storing); {} networks, largest {}, {} hubs, {} kept ids",
            run + 1,
            secs,
            done.phases.reading,
            done.phases.preparing,
            done.phases.linking_and_summarising,
            done.store_seconds,
            done.analysis.stats.networks,
            done.analysis.stats.largest_network,
            done.analysis
                .unused
                .iter()
                .filter(|u| u.why == "hub")
                .count(),
            done.analysis.stats.kept_ids,
        );
        times.push(secs);
        peak.push(peak_rss_mb().unwrap_or(0) as f64);
        last = Some(done.analysis.stats);
    }
    store.close().await;
    let stats = last.unwrap_or_default();
    println!(
        "analyze: {} ads, {} networks, median {:.1} s = {:.0} ads/s; peak resident memory {:.0} MB (median of runs)",
        stats.ads,
        stats.networks,
        median(times.clone()),
        stats.ads as f64 / median(times),
        median(peak)
    );
    Ok(ExitCode::SUCCESS)
}

/// Reset the peak resident set size (Linux: writing 5 to clear_refs), so each run's peak is
/// its own. Best effort.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set size of this process (VmHWM), in MB, on Linux.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
