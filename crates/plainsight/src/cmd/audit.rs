//! `plainsight audit verify|checkpoint|export`: check the audit log's chain (keyed with the
//! workspace's audit key) against every signed checkpoint, write a checkpoint of the head, and
//! write the log out for an auditor. Each is itself recorded in the log.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use plainsight_access::audit::Outcome;
use plainsight_access::{ChainVerifier, CheckpointCheck, CheckpointKind};
use plainsight_core::spreadsheet_safe;
use plainsight_store::{AccessStore, AuditEvent, SqliteStore};

use super::Context;

/// Entries read per query.
const PAGE: u32 = 5_000;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Recompute the hash chain with the audit key and compare it with every signed
    /// checkpoint; report each altered, missing, reordered or unsigned entry. Exit status 0
    /// when intact, 1 when broken.
    #[command(
        after_help = "Example:\n  plainsight audit verify\n  plainsight audit verify --expect-head 1042:9f3a…\n  \
plainsight audit verify --checkpoints /var/log/auth.log\n\n\
Entries are chained with HMAC-SHA-256 under the audit key (audit.key in the key folder, or \
PLAINSIGHT_AUDIT_KEY), so whoever holds only the database cannot re-chain a rewritten log. \
The head is checkpointed, signed, in the key folder's audit-checkpoints file (every 1,000 \
entries, when the server starts and stops, and with `plainsight audit checkpoint`): a log cut \
short or replaced no longer holds a checkpointed entry. --expect-head checks a head kept \
elsewhere as well."
    )]
    Verify {
        /// A head printed by an earlier verification, as SEQ:HASH: that entry must still be
        /// in the log, unchanged.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
        /// Another copy of the checkpoints to check the log against as well: a copy of the
        /// audit-checkpoints file kept elsewhere, or a syslog file the server's checkpoints
        /// were sent to with --audit-syslog (other lines in it are skipped). Repeatable.
        #[arg(long = "checkpoints", value_name = "FILE")]
        checkpoint_copies: Vec<PathBuf>,
    },
    /// Write a signed checkpoint of the log's head to the key folder's audit-checkpoints file.
    #[command(after_help = "Example:\n  plainsight audit checkpoint   # e.g. daily, from cron")]
    Checkpoint,
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
        Command::Verify {
            expect_head,
            checkpoint_copies,
        } => verify(&store, expect_head.as_deref(), &checkpoint_copies).await?,
        Command::Checkpoint => checkpoint(&store).await?,
        Command::Export { format, out } => export(&store, &format, out).await?,
    };
    store.close().await;
    Ok(code)
}

/// The trusted checkpoints of one copy (a file of bare checkpoint lines or a syslog file), and
/// a problem for each line of ours that cannot be trusted.
fn read_checkpoint_copy(
    path: &std::path::Path,
    key: &plainsight_access::AuditKey,
    problems: &mut Vec<String>,
) -> anyhow::Result<Vec<(usize, plainsight_access::Checkpoint)>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("reading the checkpoints {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut trusted = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(checkpoint) = plainsight_store::syslog::checkpoint_text(line) else {
            continue;
        };
        match plainsight_access::Checkpoint::parse_line(checkpoint, key) {
            Ok(c) => trusted.push((i + 1, c)),
            Err(e) => problems.push(format!(
                "checkpoint line {} of {} cannot be trusted: {e}",
                i + 1,
                path.display()
            )),
        }
    }
    if trusted.is_empty() {
        problems.push(format!(
            "{} holds no checkpoint of this workspace: the wrong file, or its checkpoints were removed",
            path.display()
        ));
    }
    Ok(trusted)
}

async fn verify(
    store: &SqliteStore,
    expect_head: Option<&str>,
    checkpoint_copies: &[PathBuf],
) -> anyhow::Result<ExitCode> {
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
    let mut problems: Vec<String> = Vec::new();
    let mut checkpoints = None;
    let mut keyed_from = None;
    let mut copies: Vec<(PathBuf, Vec<(usize, plainsight_access::Checkpoint)>)> = Vec::new();
    if !checkpoint_copies.is_empty() && store.audit_key().is_none() {
        anyhow::bail!(
            "this workspace's audit chain is not keyed, so it has no signed checkpoints to compare with {}",
            checkpoint_copies[0].display()
        );
    }
    if let (Some(key), Some(keys)) = (store.audit_key(), store.audit_key_dir()) {
        let file = keys.checkpoint_file();
        let mut trusted = Vec::new();
        for (line, read) in keys.read_checkpoints(key)? {
            match read {
                Ok(c) => trusted.push((line, c)),
                Err(e) => problems.push(format!(
                    "checkpoint line {line} of {} cannot be trusted: {e}",
                    file.display()
                )),
            }
        }
        for path in checkpoint_copies {
            let copy = read_checkpoint_copy(path, key, &mut problems)?;
            copies.push((path.clone(), copy));
        }
        // The switch-over point from the checkpoint file, else from a copy (the file may have
        // been emptied by whoever could write to the key folder).
        let start = trusted
            .iter()
            .chain(copies.iter().flat_map(|(_, c)| c.iter()))
            .find(|(_, c)| c.kind == CheckpointKind::Start)
            .map(|(_, c)| c.seq + 1);
        if start.is_none() {
            problems.push(format!(
                "{} has no start line (written when the audit key was made): the file was \
                 replaced or emptied; every entry is held to the key",
                file.display()
            ));
        }
        let from = start.unwrap_or(1);
        keyed_from = Some(from);
        verifier = verifier.with_key(key.clone(), from);
        checkpoints = Some((
            trusted.len(),
            CheckpointCheck::new(trusted.iter().map(|(line, c)| (*line, c))),
        ));
    }
    let mut copy_checks: Vec<(&PathBuf, usize, CheckpointCheck)> = copies
        .iter()
        .map(|(path, copy)| {
            (
                path,
                copy.len(),
                CheckpointCheck::new(copy.iter().map(|(line, c)| (*line, c))),
            )
        })
        .collect();
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
            if let Some((_, check)) = checkpoints.as_mut() {
                check.observe(e.record.seq, &e.hash);
            }
            for (_, _, check) in copy_checks.iter_mut() {
                check.observe(e.record.seq, &e.hash);
            }
        }
    }
    let report = verifier.finish();
    problems.extend(breaks.iter().map(|b| b.to_string()));
    let checkpoint_count = checkpoints.as_ref().map(|(n, _)| *n);
    if let Some((_, check)) = checkpoints {
        problems.extend(check.finish().iter().map(|p| p.to_string()));
    }
    let copy_count: usize = copy_checks.iter().map(|(_, n, _)| n).sum();
    for (path, _, check) in copy_checks {
        problems.extend(
            check
                .finish()
                .iter()
                .map(|p| format!("{} (in {})", p, path.display())),
        );
    }
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
        match (keyed_from, checkpoint_count) {
            (Some(from), Some(n)) => {
                println!(
                    "Keyed with the audit key (HMAC-SHA-256) from entry {from}; {n} signed checkpoints agree."
                );
                if !checkpoint_copies.is_empty() {
                    println!(
                        "{copy_count} signed checkpoints in {} other copies agree.",
                        checkpoint_copies.len()
                    );
                }
            }
            _ => println!(
                "warning: the chain is not keyed (plain SHA-256): whoever holds the database can re-chain it."
            ),
        }
        if let Some(seq) = report.last_seq {
            println!("Head: {seq}:{}", report.last_hash);
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

async fn checkpoint(store: &SqliteStore) -> anyhow::Result<ExitCode> {
    if store.audit_key().is_none() {
        anyhow::bail!(
            "this workspace's audit chain is not keyed, so there is nothing to sign with"
        );
    }
    record(
        store,
        "audit_checkpoint",
        Outcome::Success,
        "head checkpoint",
    )
    .await?;
    let (written, sent_to_syslog) = store
        .audit_checkpoint()
        .await?
        .context("no audit key to sign the checkpoint with")?;
    let keys = store.audit_key_dir();
    let file = keys
        .map(|k| k.checkpoint_file().display().to_string())
        .unwrap_or_default();
    println!(
        "Checkpoint {}:{} written to {file}",
        written.seq, written.hash
    );
    match keys.and_then(|k| k.syslog_socket()) {
        Some(socket) if sent_to_syslog => {
            println!("A copy was sent to syslog at {}.", socket.display());
            Ok(ExitCode::SUCCESS)
        }
        // The warning above says why; the file holds the checkpoint, but the copy asked for
        // is missing, which a cron job should notice.
        Some(_) => Ok(ExitCode::from(1)),
        None => Ok(ExitCode::SUCCESS),
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
