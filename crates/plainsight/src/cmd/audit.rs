//! `plainsight audit verify|export`: check the hash chain of the audit log, and write the log
//! out for an auditor. Both are themselves recorded in the log.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use plainsight_access::ChainVerifier;
use plainsight_access::audit::Outcome;
use plainsight_core::spreadsheet_safe;
use plainsight_store::{AccessStore, AuditEvent, SqliteStore};

use super::Context;

/// Entries read per query.
const PAGE: u32 = 5_000;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Recompute the hash chain and report the first altered, missing or reordered entry.
    /// Exit status 0 when intact, 1 when broken.
    #[command(
        after_help = "Example:\n  plainsight audit verify --expect-head 1042:9f3a…\n\n\
Removing the newest entries leaves a shorter chain that is still consistent: keep the head \
this command prints somewhere else (a ticket, a signed note) and pass it back with \
--expect-head to detect that."
    )]
    Verify {
        /// A head printed by an earlier verification, as SEQ:HASH: that entry must still be
        /// in the log, unchanged.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
    },
    /// Write the whole audit log, with the chain hashes, for an auditor.
    #[command(after_help = "Example:\n  plainsight audit export --format csv --out audit-2026.csv")]
    Export {
        /// jsonl (default) or csv.
        #[arg(long, default_value = "jsonl")]
        format: String,
        /// Output file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

async fn record(
    store: &SqliteStore,
    action: &str,
    outcome: Outcome,
    detail: &str,
) -> anyhow::Result<()> {
    store
        .append_audit(&AuditEvent {
            actor: Some(super::operator()),
            source: Some("command line".into()),
            action: action.into(),
            object: Some("audit_log".into()),
            outcome,
            detail: Some(detail.into()),
        })
        .await?;
    Ok(())
}

pub async fn run(ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    let code = match command {
        Command::Verify { expect_head } => verify(&store, expect_head.as_deref()).await?,
        Command::Export { format, out } => export(&store, &format, out).await?,
    };
    store.close().await;
    Ok(code)
}

async fn verify(store: &SqliteStore, expect_head: Option<&str>) -> anyhow::Result<ExitCode> {
    let expected = match expect_head {
        Some(h) => {
            let (seq, hash) = h
                .split_once(':')
                .context("--expect-head is SEQ:HASH, as printed by an earlier verify")?;
            Some((
                seq.parse::<i64>()
                    .context("--expect-head: SEQ is a number")?,
                hash.to_string(),
            ))
        }
        None => None,
    };
    let mut verifier = ChainVerifier::new();
    let mut breaks = Vec::new();
    let mut head_found = expected.is_none();
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.record.seq;
        for e in &page {
            if let Some((seq, hash)) = &expected
                && e.record.seq == *seq
            {
                head_found = e.hash == *hash;
            }
            if let Err(b) = verifier.push(&e.record, &e.prev_hash, &e.hash) {
                breaks.push(b);
            }
        }
    }
    let report = verifier.finish();
    let mut problems: Vec<String> = breaks.iter().map(|b| b.to_string()).collect();
    if !head_found && let Some((seq, _)) = &expected {
        problems.push(format!(
            "entry {seq} recorded as the head of an earlier verification is missing or changed: \
             entries were removed from the end of the log, or the log was rewritten"
        ));
    }
    let outcome = if problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    record(
        store,
        "audit_verify",
        outcome,
        &format!("{} entries, {} problems", report.entries, problems.len()),
    )
    .await?;
    if problems.is_empty() {
        println!(
            "The audit log is intact: {} entries, each chained to the one before.",
            report.entries
        );
        if let Some(seq) = report.last_seq {
            println!("Head: {seq}:{}", report.last_hash);
            println!(
                "Keep the head elsewhere and pass it to --expect-head next time to detect removal of the newest entries."
            );
        }
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "The audit log has been tampered with ({} problems):",
            problems.len()
        );
        for p in problems.iter().take(50) {
            println!("  {p}");
        }
        if problems.len() > 50 {
            println!("  ... and {} more", problems.len() - 50);
        }
        Ok(ExitCode::from(1))
    }
}

async fn export(
    store: &SqliteStore,
    format: &str,
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    if format != "jsonl" && format != "csv" {
        anyhow::bail!("--format is jsonl or csv (given: {format})");
    }
    let target = out
        .as_ref()
        .map_or("standard output".to_string(), |p| p.display().to_string());
    // Record the export before writing, so the exported log contains its own export.
    record(
        store,
        "audit_export",
        Outcome::Success,
        &format!("{format} to {target}"),
    )
    .await?;
    let sink: Box<dyn Write> = match &out {
        Some(p) => {
            Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = std::io::BufWriter::new(sink);
    let mut csv_writer = None;
    if format == "csv" {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "seq",
            "at",
            "actor",
            "source",
            "action",
            "object",
            "outcome",
            "detail",
            "prev_hash",
            "hash",
        ])?;
        sink.write_all(&w.into_inner()?)?;
        csv_writer = Some(());
    }
    let mut after = 0;
    let mut n = 0u64;
    loop {
        let page = store.audit_entries(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.record.seq;
        for e in &page {
            n += 1;
            if csv_writer.is_some() {
                let r = &e.record;
                // Actors and details carry what outsiders typed (a log-on's user name, a
                // search): every text cell follows the program's one spreadsheet rule.
                let text = |v: Option<&str>| spreadsheet_safe(v.unwrap_or("")).into_owned();
                let mut w = csv::Writer::from_writer(Vec::new());
                w.write_record([
                    r.seq.to_string(),
                    r.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    text(r.actor.as_deref()),
                    text(r.source.as_deref()),
                    text(Some(&r.action)),
                    text(r.object.as_deref()),
                    r.outcome.as_str().to_string(),
                    text(r.detail.as_deref()),
                    e.prev_hash.clone(),
                    e.hash.clone(),
                ])?;
                sink.write_all(&w.into_inner()?)?;
            } else {
                serde_json::to_writer(&mut sink, e)?;
                sink.write_all(b"\n")?;
            }
        }
    }
    sink.flush()?;
    if out.is_some() {
        eprintln!("Wrote {n} audit entries to {target}.");
    }
    Ok(ExitCode::SUCCESS)
}
