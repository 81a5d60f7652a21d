//! `plainsight ingest`: read ads into the workspace with their extractions, idempotently.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::{Context, ExtractArgs, ReadArgs};
use crate::pipeline::{self, IngestReport, Input, Progress};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "A field that cannot be read (a date in no known form, a list where text was \
expected) is a warning: the ad is stored without it and the raw value is kept. Rejected records \
and field warnings go to the quarantine file; the closing summary names the commonest reasons.

Exit status: 0 all records stored or already present (field warnings allowed); 1 completed, \
but some records or inputs were rejected (see the quarantine file); 2 failed.

Examples:
  plainsight ingest ads.jsonl
  plainsight ingest --time-zone America/Chicago --site-time-zone example.de=Europe/Berlin ads.jsonl
  plainsight ingest --encoding windows-1252 --map title=headline,body=description export.csv
  plainsight ingest crawl.warc.gz saved-pages/
  zcat ads.jsonl.gz | plainsight ingest -"
)]
pub struct Args {
    /// Files or folders to read: JSONL (.jsonl, .jsonl.gz), CSV, WARC (.warc, .warc.gz) or a
    /// folder of saved .html pages; `-` reads JSONL from standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Where rejected records and field warnings are written (JSONL: file, line, reason, raw
    /// record). Never overwritten: a name already taken gets -2, -3 ... before its extension.
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

/// 0 when nothing was rejected, 1 when the run completed but rejected something (a record, an
/// input that could not be opened, a binary input), 2 when no input could be read.
pub fn exit_code(report: &IngestReport) -> ExitCode {
    let inputs = report.read.inputs as usize;
    if inputs > 0 && report.read.failed_inputs.len() == inputs {
        // Nothing could be read at all: that is a failure, not a partial success.
        ExitCode::from(2)
    } else if report.rejected > 0
        || !report.read.failed_inputs.is_empty()
        || report.read.binary_inputs() > 0
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Whether a quarantine file was sealed (an encrypted workspace's).
fn is_sealed_file(path: &std::path::Path) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| plainsight_access::keys::is_sealed(&head))
}

/// The closing summary printed on standard error.
pub fn summary(report: &IngestReport) -> String {
    let mut out = String::new();
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
    for line in pipeline::reading_summary(&report.read) {
        out.push('\n');
        out.push_str(&line);
    }
    if let Some(q) = &report.quarantine {
        out.push_str(&format!(
            "\nrejected records and field warnings (with file, line and reason) are in {}",
            q.display()
        ));
        if is_sealed_file(q) {
            out.push_str(&format!(
                " (encrypted with the workspace key: read it with `plainsight quarantine show {}`)",
                q.display()
            ));
        }
    }
    out
}
