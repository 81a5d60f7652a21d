//! `plainsight extract`: print what Plainsight extracts from each ad, without storing anything.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use plainsight_core::Extraction;

use super::{Context, ExtractArgs, ReadArgs};
use crate::pipeline::{self, Input, Progress};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per ad (the contract in docs/extract-format.md).
    Jsonl,
    /// A readable summary per ad.
    Table,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Problems with single records are reported on standard error as \
file:line: reason, and fields that cannot be read as file:line: warning: ...; the other records \
and fields are still extracted. A closing summary on standard error names the commonest reasons \
(not with --quiet). Exit status: 0 ok (field warnings allowed), 1 some records or inputs \
rejected, 2 failed.

Examples:
  plainsight extract ads.jsonl > extractions.jsonl
  echo '{\"id\":\"1\",\"body\":\"call nine1nine-555-O123\"}' | plainsight extract --format table"
)]
pub struct Args {
    /// Files or folders to read (as for `ingest`); `-` or nothing reads JSONL from standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub extract: ExtractArgs,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let opts = args.read.read_options()?;
    let extractor = args.extract.extractor()?;
    let inputs: Vec<Input> = if args.inputs.is_empty() {
        vec![Input::Stdin]
    } else {
        args.inputs.iter().map(|p| Input::from_arg(p)).collect()
    };
    let progress = Progress::new(
        ctx.show_progress(),
        pipeline::total_size(&inputs),
        "extract",
    );
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut problems = 0u64;
    let totals = pipeline::read_chunks(&inputs, &opts, &progress, |chunk| {
        for p in &chunk.problems {
            eprintln!("{p}");
        }
        for w in &chunk.warnings {
            eprintln!("{w}");
        }
        problems += chunk.problems.len() as u64;
        for extraction in pipeline::extract_records(&extractor, &chunk.records) {
            match args.format {
                OutputFormat::Jsonl => {
                    serde_json::to_writer(&mut out, &extraction)?;
                    out.write_all(b"\n")?;
                }
                OutputFormat::Table => write_table(&mut out, &extraction)?,
            }
        }
        Ok(())
    })?;
    progress.finish();
    out.flush()?;
    if ctx.quiet {
        for (input, reason) in &totals.failed_inputs {
            eprintln!("error: cannot read {input}: {reason}");
        }
    } else {
        eprintln!(
            "extracted {} ads from {} input(s); {} rejected",
            totals.records, totals.inputs, problems
        );
        for line in pipeline::reading_summary(&totals) {
            eprintln!("{line}");
        }
    }
    if problems > 0 || !totals.failed_inputs.is_empty() || totals.binary_inputs() > 0 {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// A readable block per ad: one line per kind of fact that was found.
fn write_table(out: &mut impl Write, e: &Extraction) -> std::io::Result<()> {
    writeln!(out, "ad {}", e.id)?;
    let mut line = |label: &str, items: Vec<String>| -> std::io::Result<()> {
        if !items.is_empty() {
            writeln!(out, "  {label:<11} {}", items.join(", "))?;
        }
        Ok(())
    };
    line(
        "phones",
        e.phones
            .iter()
            .map(|p| {
                if p.obscured {
                    format!("{} (obscured: {})", p.e164, p.techniques.join("+"))
                } else {
                    p.e164.clone()
                }
            })
            .collect(),
    )?;
    line("emails", e.emails.iter().map(|x| x.email.clone()).collect())?;
    line(
        "handles",
        e.handles
            .iter()
            .map(|h| format!("{}:{}", h.platform, h.handle))
            .collect(),
    )?;
    line(
        "payments",
        e.payments
            .iter()
            .map(|h| format!("{}:{}", h.platform, h.handle))
            .collect(),
    )?;
    line(
        "prices",
        e.prices
            .iter()
            .map(|p| format!("{} {}/{}", p.amount, p.currency, p.unit))
            .collect(),
    )?;
    line("ages", e.ages.iter().map(|a| a.age.to_string()).collect())?;
    line(
        "places",
        e.locations
            .iter()
            .map(|l| format!("{}, {}", l.name, l.admin1))
            .collect(),
    )?;
    line("urls", e.urls.iter().map(|u| u.url.clone()).collect())?;
    line(
        "indicators",
        e.indicators
            .iter()
            .map(|i| format!("{} ({:?})", i.code, i.evidence))
            .collect(),
    )?;
    Ok(())
}
