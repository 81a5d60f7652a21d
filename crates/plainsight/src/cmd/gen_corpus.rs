//! `plainsight gen-corpus`: write a synthetic ad corpus and its ground truth as JSON Lines
//! (gzip when the file name ends in `.gz`), for demos, tests and benchmarks.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use plainsight_corpus::{CorpusConfig, Summary, write_jsonl};

use super::Context;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  plainsight gen-corpus --ads 10000 --seed 7 --out ads.jsonl --truth truth.jsonl
  plainsight gen-corpus --ads 1000000 --out ads.jsonl.gz --truth truth.jsonl.gz
  plainsight gen-corpus --ads 20 --out - | head -1

The same --seed and options give the same files, byte for byte, on every machine.
docs/corpus.md describes both files.")]
pub struct Args {
    /// Number of ads to generate.
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    pub ads: usize,
    /// Random seed.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Ads file (JSON Lines); `-` for standard output; gzip-compressed if it ends in `.gz`.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
    /// Ground-truth file, one line per ad in the same order; `-` for standard output.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// First day of the posting period.
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2024-01-01")]
    pub start_date: String,
    /// Length of the posting period in days.
    #[arg(long, value_name = "DAYS", default_value_t = 180)]
    pub days: u32,
    /// Share of writers who are operators (networks); the rest are independents.
    #[arg(long, value_name = "FRACTION", default_value_t = CorpusConfig::default().operator_fraction)]
    pub operator_fraction: f64,
    /// Chance that an ad carries a hub number (a site support line and the like).
    #[arg(long, value_name = "FRACTION", default_value_t = CorpusConfig::default().hub_rate)]
    pub hub_rate: f64,
    /// Chance that an ad starts a spam flood (copied 10-150 times).
    #[arg(long, value_name = "FRACTION", default_value_t = CorpusConfig::default().flood_rate)]
    pub flood_rate: f64,
}

fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Where generated lines go: standard output, a file, or a gzip-compressed file.
enum Output {
    Stdout(BufWriter<std::io::Stdout>),
    File(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
}

impl Output {
    fn open(path: &Path) -> anyhow::Result<Output> {
        if is_stdout(path) {
            return Ok(Output::Stdout(BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            )));
        }
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let buffered = BufWriter::with_capacity(1 << 16, file);
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
        {
            Ok(Output::Gzip(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::fast(),
            )))
        } else {
            Ok(Output::File(buffered))
        }
    }

    /// Flush everything, writing the gzip trailer, so that write errors surface here.
    fn finish(self) -> std::io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::File(mut w) => w.flush(),
            Output::Gzip(gz) => gz.finish()?.flush(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File(w) => w.write(buf),
            Output::Gzip(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::File(w) => w.write_all(buf),
            Output::Gzip(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File(w) => w.flush(),
            Output::Gzip(w) => w.flush(),
        }
    }
}

fn config(args: &Args) -> anyhow::Result<CorpusConfig> {
    let start = plainsight_core::ad::parse_posted_at(&args.start_date).with_context(|| {
        format!(
            "--start-date {:?} is not a YYYY-MM-DD date",
            args.start_date
        )
    })?;
    for (name, value) in [
        ("--operator-fraction", args.operator_fraction),
        ("--hub-rate", args.hub_rate),
        ("--flood-rate", args.flood_rate),
    ] {
        if !(0.0..=1.0).contains(&value) {
            anyhow::bail!("{name} must be between 0 and 1 (given: {value})");
        }
    }
    if args.days == 0 {
        anyhow::bail!("--days must be at least 1");
    }
    Ok(CorpusConfig {
        ads: args.ads,
        seed: args.seed,
        start_date: start.date_naive(),
        days: args.days,
        operator_fraction: args.operator_fraction,
        hub_rate: args.hub_rate,
        flood_rate: args.flood_rate,
        ..CorpusConfig::default()
    })
}

fn generate(args: &Args, cfg: &CorpusConfig, show_progress: bool) -> anyhow::Result<Summary> {
    let mut ads_out = Output::open(&args.out)?;
    let mut truth_out = args.truth.as_deref().map(Output::open).transpose()?;
    let bar = show_progress.then(|| {
        let bar = indicatif::ProgressBar::new(cfg.ads as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} generating ads {bar:30} {human_pos}/{human_len} ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let summary = write_jsonl(cfg, &mut ads_out, truth_out.as_mut(), |done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    ads_out
        .finish()
        .with_context(|| format!("writing {}", args.out.display()))?;
    if let (Some(out), Some(path)) = (truth_out, &args.truth) {
        out.finish()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(summary)
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    if is_stdout(&args.out) && args.truth.as_deref().is_some_and(is_stdout) {
        anyhow::bail!("--out and --truth cannot both be standard output; give --truth a file name");
    }
    let cfg = config(&args)?;
    let show_progress = ctx.show_progress() && !is_stdout(&args.out);
    let quiet = ctx.quiet;
    let started = Instant::now();
    let (summary, args) = tokio::task::spawn_blocking(move || {
        generate(&args, &cfg, show_progress).map(|s| (s, args))
    })
    .await
    .context("the generator thread stopped unexpectedly")??;
    if !quiet {
        let secs = started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            summary.ads as f64 / secs
        } else {
            0.0
        };
        let truth = match &args.truth {
            Some(path) => format!(", truth in {}", path.display()),
            None => String::new(),
        };
        eprintln!(
            "wrote {} ads ({} operator, {} independent, {} spam copies; {} with disguised phones, \
             {} with hub numbers) from {} writers to {}{truth} in {secs:.1} s ({rate:.0} ads/s)",
            summary.ads,
            summary.operator_ads,
            summary.independent_ads,
            summary.spam_ads,
            summary.obscured_phone_ads,
            summary.hub_ads,
            summary.writers,
            if is_stdout(&args.out) {
                "standard output".to_string()
            } else {
                args.out.display().to_string()
            },
        );
    }
    Ok(ExitCode::SUCCESS)
}
