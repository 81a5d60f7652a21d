//! `plainsight extract`: print what Plainsight extracts from each ad, without storing anything.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use plainsight_core::Extraction;
use plainsight_ingest::SourceRecord;
use plainsight_text::extract::Extractor;

use super::{Context, ExtractArgs, ReadArgs};
use crate::pipeline::{self, Chunk, Input, Progress, RawChunk, Tally};

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
    let format = args.format;
    let work = |record: SourceRecord| render(&extractor, &record, format);
    let (raw_tx, raw_rx) = std::sync::mpsc::sync_channel::<RawChunk>(CHUNKS_IN_FLIGHT);
    let (out_tx, out_rx) =
        std::sync::mpsc::sync_channel::<Chunk<std::io::Result<Vec<u8>>>>(CHUNKS_IN_FLIGHT);
    // Three stages: one thread splits the input into records, every core parses, extracts and
    // renders a chunk of them at a time, and one thread writes the chunks out in input order.
    // The channels hold a few chunks each, so memory stays flat whatever the input size.
    let (read, written, tally) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let read = pipeline::read_raw_chunks(&inputs, &opts, &progress, |chunk| {
                raw_tx
                    .send(chunk)
                    .map_err(|_| anyhow::anyhow!("extraction stopped"))
            });
            drop(raw_tx);
            read
        });
        let writer = scope.spawn(move || write_chunks(out_rx));
        let mut tally = Tally::default();
        for raw in raw_rx {
            let chunk = tally.settle(pipeline::process_chunk(raw, &work));
            if out_tx.send(chunk).is_err() {
                // The writer stopped (its error is reported below); stop reading too.
                break;
            }
        }
        drop(out_tx);
        let written = writer.join();
        let read = reader.join();
        (read, written, tally)
    });
    let problems = match written {
        Ok(Ok(problems)) => problems,
        Ok(Err(e)) => return Err(anyhow::anyhow!(e).context("writing the extractions")),
        Err(_) => anyhow::bail!("the output thread panicked"),
    };
    let mut totals = match read {
        Ok(totals) => totals?,
        Err(_) => anyhow::bail!("the reader thread panicked"),
    };
    tally.add_to(&mut totals);
    progress.finish();
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

/// Chunks waiting between two stages: enough to keep every stage busy, few enough that
/// memory stays flat (a chunk of 2,048 ads is a few MB).
const CHUNKS_IN_FLIGHT: usize = 4;

/// Output buffer: large, so that standard output is written in few large pieces.
const OUTPUT_BUFFER_BYTES: usize = 1 << 20;

/// Extract one record and render it in `format` (a line of JSON, or a table block).
fn render(
    extractor: &Extractor,
    record: &SourceRecord,
    format: OutputFormat,
) -> std::io::Result<Vec<u8>> {
    let extraction = extractor.extract(&record.ad);
    let mut out = Vec::with_capacity(RENDER_CAPACITY);
    match format {
        OutputFormat::Jsonl => {
            serde_json::to_writer(&mut out, &extraction)?;
            out.push(b'\n');
        }
        OutputFormat::Table => write_table(&mut out, &extraction)?,
    }
    Ok(out)
}

/// Starting size of one rendered extraction: most fit without growing.
const RENDER_CAPACITY: usize = 4096;

/// Write each chunk's problems and field warnings to standard error and its extractions to
/// standard output, in the order received. Returns the number of rejected records.
fn write_chunks(
    chunks: std::sync::mpsc::Receiver<Chunk<std::io::Result<Vec<u8>>>>,
) -> std::io::Result<u64> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(OUTPUT_BUFFER_BYTES, stdout.lock());
    let mut problems = 0u64;
    for chunk in chunks {
        for p in &chunk.problems {
            eprintln!("{p}");
        }
        for w in &chunk.warnings {
            eprintln!("{w}");
        }
        problems += chunk.problems.len() as u64;
        for rendered in chunk.records {
            out.write_all(&rendered?)?;
        }
    }
    out.flush()?;
    Ok(problems)
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
