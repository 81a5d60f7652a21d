//! `plainsight ingest`: read ads into the workspace with their extractions, idempotently.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::{Context, ExtractArgs, ReadArgs};
use crate::pipeline::{self, IngestReport, Input, Progress};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 all records stored or already present; 1 completed, but some \
records or inputs were rejected (see the quarantine file); 2 failed.

Examples:
  plainsight ingest ads.jsonl
  plainsight ingest --map title=headline,body=description export.csv
  plainsight ingest crawl.warc.gz saved-pages/
  zcat ads.jsonl.gz | plainsight ingest -"
)]
pub struct Args {
    /// Files or folders to read: JSONL (.jsonl, .jsonl.gz), CSV, WARC (.warc, .warc.gz) or a
    /// folder of saved .html pages; `-` reads JSONL from standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Where rejected records are written (JSONL: file, line, reason, raw record).
    /// Default: plainsight-data/quarantine/ingest-<time>.jsonl
    #[arg(long, value_name = "FILE")]
    pub quarantine: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub extract: ExtractArgs,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let opts = args.read.read_options()?;
    let extractor = Arc::new(args.extract.extractor()?);
    let store = Arc::new(ctx.open_store().await?);
    let inputs: Vec<Input> = args.inputs.iter().map(|p| Input::from_arg(p)).collect();
    let quarantine = args.quarantine.unwrap_or_else(default_quarantine_path);
    let progress = Progress::new(ctx.show_progress(), pipeline::total_size(&inputs), "ingest");
    let report =
        pipeline::ingest(store.clone(), extractor, inputs, opts, quarantine, progress).await?;
    store.close().await;
    if !ctx.quiet {
        eprintln!("{}", summary(&report));
    }
    Ok(exit_code(&report))
}

/// `plainsight-data/quarantine/ingest-<UTC time>.jsonl`.
pub fn default_quarantine_path() -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    PathBuf::from(format!("plainsight-data/quarantine/ingest-{stamp}.jsonl"))
}

/// 0 when nothing was rejected, 1 when the run completed but rejected something, 2 when no
/// input could be read.
pub fn exit_code(report: &IngestReport) -> ExitCode {
    let inputs = report.read.inputs as usize;
    if inputs > 0 && report.read.failed_inputs.len() == inputs {
        // Nothing could be read at all: that is a failure, not a partial success.
        ExitCode::from(2)
    } else if report.rejected > 0 || !report.read.failed_inputs.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The closing summary printed on standard error.
pub fn summary(report: &IngestReport) -> String {
    let mut out = String::new();
    for (input, reason) in &report.read.failed_inputs {
        out.push_str(&format!("error: cannot read {input}: {reason}\n"));
    }
    let secs = report.elapsed.as_secs_f64();
    out.push_str(&format!(
        "read {} records from {} input(s) in {:.1} s: {} stored, {} duplicate, {} rejected",
        report.read.records + report.rejected,
        report.read.inputs,
        secs,
        report.stored,
        report.duplicates,
        report.rejected,
    ));
    if !report.read.skipped.is_empty() {
        let parts: Vec<String> = report
            .read
            .skipped
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        out.push_str(&format!("; passed over: {}", parts.join(", ")));
    }
    if let Some(q) = &report.quarantine {
        out.push_str(&format!(
            "\nrejected records (with file, line and reason) are in {}",
            q.display()
        ));
    }
    out
}
