//! The `plainsight` command-line tool: batch work over ads and NIBRS data.

mod cmd;
mod pipeline;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: extraction, ingest and analysis allocate many
/// small, short-lived values on several threads, where glibc malloc took over a tenth of the
/// CPU time in profiles (docs/benchmarks.md, "Ingest").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Plainsight brings commercial sexual exploitation, and how the law is enforced against it,
/// into plain sight: it reads scraped online ads and FBI NIBRS data and turns them into leads
/// and scorecards for human review. Leads, not verdicts.
#[derive(Debug, Parser)]
#[command(name = "plainsight", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Workspace database URL. Defaults to sqlite://./plainsight-data/plainsight.db
    #[arg(long, env = "PLAINSIGHT_DB", global = true)]
    db: Option<String>,
    /// Do not show progress bars or the closing summary on standard error.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// File holding the workspace database key (64 hex characters or a passphrase). Default:
    /// PLAINSIGHT_DB_KEY, else the key folder's database.key, else a prompt.
    #[arg(long, global = true, value_name = "FILE")]
    key_file: Option<std::path::PathBuf>,
    /// Also send every signed audit checkpoint to the syslog daemon's socket (usually
    /// /dev/log), so a copy of the audit head lives outside the key folder.
    #[arg(
        long,
        env = "PLAINSIGHT_AUDIT_SYSLOG",
        global = true,
        value_name = "SOCKET"
    )]
    audit_syslog: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a demo workspace from a generated corpus, analyse it and serve it in the browser.
    Demo(cmd::demo::Args),
    /// Print what Plainsight extracts from each ad (phones, emails, handles, prices, ...).
    Extract(cmd::extract::Args),
    /// Read ads into the workspace database, with their extractions.
    Ingest(cmd::ingest::Args),
    /// Link the workspace's ads into networks and rank them for review, with reasons.
    Analyze(cmd::analyze::Args),
    /// List networks, highest review priority first.
    Networks(cmd::networks::ListArgs),
    /// Show one network: why it ranks where it does, its template, timeline and identifiers.
    Network(cmd::networks::ShowArgs),
    /// Export networks for Gephi (GraphML), i2 Analyst's Notebook (CSV pair) or as JSON.
    Export(cmd::export::Args),
    /// Fit priority weights to reviewed outcomes; list or roll back fitted sets.
    Calibrate(cmd::calibrate::Args),
    /// Write a synthetic ad corpus with ground truth, for demos, tests and benchmarks.
    GenCorpus(cmd::gen_corpus::Args),
    /// Measure throughput of a pipeline stage on a generated corpus.
    Bench(cmd::bench::Args),
    /// Serve the analyst web application over the workspace.
    Serve(cmd::serve::Args),
    /// Manage user accounts of the web application.
    #[command(subcommand)]
    User(cmd::user::Command),
    /// Verify or export the hash-chained audit log.
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// Encryption of the workspace database: status, encrypt, change the key.
    #[command(subcommand)]
    Store(cmd::store::Command),
    /// Read back a quarantine file (rejected records and field warnings), encrypted or not.
    #[command(subcommand)]
    Quarantine(cmd::quarantine::Command),
    /// Remove ads past the retention period (those in no case and no reviewed network).
    Retention(cmd::retention::Args),
    /// Enforcement scorecards from FBI NIBRS data.
    #[command(subcommand)]
    Nibrs(cmd::nibrs::Command),
    /// The law that applied on a date, and what changed since: statutes and protections with
    /// citations, sources and verified flags. A reference, not legal advice.
    #[command(subcommand)]
    Law(cmd::law::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut ctx = cmd::Context::new(cli.db, cli.quiet, cli.key_file);
    ctx.audit_syslog = cli.audit_syslog.filter(|p| !p.as_os_str().is_empty());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo(a) => cmd::demo::run(&ctx, a).await,
            Command::Extract(a) => cmd::extract::run(&ctx, a).await,
            Command::Ingest(a) => cmd::ingest::run(&ctx, a).await,
            Command::Analyze(a) => cmd::analyze::run(&ctx, a).await,
            Command::Networks(a) => cmd::networks::list(&ctx, a).await,
            Command::Network(a) => cmd::networks::show(&ctx, a).await,
            Command::Export(a) => cmd::export::run(&ctx, a).await,
            Command::Calibrate(a) => cmd::calibrate::run(&ctx, a).await,
            Command::GenCorpus(a) => cmd::gen_corpus::run(&ctx, a).await,
            Command::Bench(a) => cmd::bench::run(&ctx, a).await,
            Command::Nibrs(c) => cmd::nibrs::run(&ctx, c).await,
            Command::Serve(a) => cmd::serve::run(&ctx, a).await,
            Command::User(c) => cmd::user::run(&ctx, c).await,
            Command::Audit(c) => cmd::audit::run(&ctx, c).await,
            Command::Store(c) => cmd::store::run(&ctx, c).await,
            Command::Quarantine(c) => cmd::quarantine::run(&ctx, c).await,
            Command::Retention(a) => cmd::retention::run(&ctx, a).await,
            Command::Law(c) => cmd::law::run(&ctx, c).await,
        }
    });
    match result {
        Ok(code) => code,
        // Output piped into `head` and the like: the reader has all it wanted.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
