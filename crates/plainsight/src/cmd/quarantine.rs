//! `plainsight quarantine show FILE`: print a quarantine file's lines (rejected records and
//! field warnings, JSONL), opening a sealed one with the workspace key. Reading one is
//! recorded in the audit log: the lines carry the ads' text.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use plainsight_access::audit::Outcome;
use plainsight_access::keys::{is_sealed, unseal};
use plainsight_store::{AccessStore, AuditEvent};

use super::Context;
use crate::pipeline::QUARANTINE_PURPOSE;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the lines of a quarantine file (JSONL) on standard output. A sealed file is
    /// opened with the workspace's key; exit status 1 when it is cut short or damaged (the
    /// lines before the damage are printed).
    #[command(
        after_help = "Example:\n  plainsight quarantine show plainsight-data/quarantine/ingest-20261202T154000Z.jsonl | jq .reason"
    )]
    Show {
        /// The quarantine file an ingest named in its summary.
        file: PathBuf,
    },
}

pub async fn run(ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    let Command::Show { file } = command;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let store = ctx.open_store().await?;
    let record = |outcome, detail: String| AuditEvent {
        actor: Some(super::operator()),
        source: Some("command line".into()),
        action: "quarantine_show".into(),
        object: Some(format!("file:{}", file.display())),
        outcome,
        detail: Some(detail),
    };
    let (plaintext, problem) = if is_sealed(&bytes) {
        let Some(key) = store.database_key() else {
            anyhow::bail!(
                "{} is sealed but this workspace is not encrypted: open the workspace it \
                 came from (--db)",
                file.display()
            );
        };
        let opened = unseal(key, QUARANTINE_PURPOSE, &bytes)
            .with_context(|| format!("opening {}", file.display()))?;
        (opened.plaintext, opened.problem)
    } else {
        (bytes, None)
    };
    let outcome = if problem.is_some() {
        Outcome::Failure
    } else {
        Outcome::Success
    };
    let detail = match &problem {
        Some(p) => format!("{} bytes read; {p}", plaintext.len()),
        None => format!("{} bytes read", plaintext.len()),
    };
    store.append_audit(&record(outcome, detail)).await?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    out.write_all(&plaintext)?;
    out.flush()?;
    if let Some(p) = problem {
        eprintln!("error: {}: {p}", file.display());
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
