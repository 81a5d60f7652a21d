//! `plainsight serve`: the analyst web application over the workspace database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use plainsight_store::{AccessStore, Store};
use plainsight_web::{AppState, WebConfig};

use super::Context;

/// Where and how to serve (shared with `demo`).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but loopback needs TLS (or --insecure-remote).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub bind: SocketAddr,
    /// TLS certificate chain (PEM). With --tls-key, the server speaks HTTPS only.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Allow plain HTTP on a non-loopback address (passwords and data would cross the network
    /// unencrypted: only behind a TLS-terminating proxy on the same host).
    #[arg(long)]
    pub insecure_remote: bool,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  plainsight serve                                   # http://127.0.0.1:8080, this machine only
  plainsight serve --bind 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  plainsight user add ana --role administrator       # first account, from the command line")]
pub struct Args {
    #[command(flatten)]
    pub serve: ServeArgs,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    // An ingest that stopped part-way through a bulk load leaves some look-up indexes to be
    // built; build them before serving (a no-op when none is missing).
    store
        .build_deferred_indexes()
        .await
        .context("building the look-up indexes an interrupted ingest left out")?;
    // Ads an interrupted ingest stored but did not add to the full-text index yet: add them
    // now, or search would miss them for good.
    let caught_up = store
        .update_search_index()
        .await
        .context("adding the ads an interrupted ingest left out to the search index")?;
    if caught_up > 0 {
        eprintln!(
            "Added {caught_up} stored ads to the search index (an earlier ingest stopped \
             before indexing them)."
        );
    }
    if store.count_users().await? == 0 {
        eprintln!(
            "note: this workspace has no user accounts yet. Create the first administrator with\n  \
             plainsight user add NAME --role administrator\n"
        );
    }
    serve(Arc::new(store), WebConfig::default(), &args.serve).await?;
    Ok(ExitCode::SUCCESS)
}

/// Check the address and TLS settings, then serve until Ctrl-C.
pub async fn serve(
    store: Arc<plainsight_store::SqliteStore>,
    mut config: WebConfig,
    args: &ServeArgs,
) -> anyhow::Result<()> {
    let tls = args.tls_cert.is_some();
    if !tls && !plainsight_web::is_loopback(&args.bind) {
        if !args.insecure_remote {
            anyhow::bail!(
                "refusing to serve plain HTTP on {}: passwords and personal data would cross the \
                 network unencrypted. Give --tls-cert and --tls-key, bind to 127.0.0.1, or (only \
                 behind a TLS proxy on this host) add --insecure-remote",
                args.bind
            );
        }
        eprintln!(
            "warning: serving plain HTTP on {} (--insecure-remote): use this only behind a \
             TLS-terminating proxy on this host",
            args.bind
        );
    }
    config.tls = tls;
    // Signed checkpoints of the audit head at start and stop: what happened while the server
    // was down, or a log replaced in between, shows at the next `audit verify`.
    checkpoint(&store, "start").await;
    let state = AppState::new(store.clone(), config);
    let scheme = if tls { "https" } else { "http" };
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            eprintln!(
                "Plainsight is serving at {scheme}://{} (Ctrl-C stops it)",
                args.bind
            );
            plainsight_web::serve_tls(args.bind, cert, key, state)
                .await
                .with_context(|| {
                    format!(
                        "serving HTTPS on {} with {} and {}",
                        args.bind,
                        cert.display(),
                        key.display()
                    )
                })?;
        }
        _ => {
            let listener = tokio::net::TcpListener::bind(args.bind)
                .await
                .with_context(|| format!("listening on {}", args.bind))?;
            let addr = listener.local_addr().unwrap_or(args.bind);
            eprintln!("Plainsight is serving at {scheme}://{addr} (Ctrl-C stops it)");
            plainsight_web::serve(listener, state)
                .await
                .with_context(|| format!("serving on {}", args.bind))?;
        }
    }
    checkpoint(&store, "stop").await;
    Ok(())
}

async fn checkpoint(store: &plainsight_store::SqliteStore, when: &str) {
    if let Err(e) = store.audit_checkpoint().await {
        eprintln!("warning: could not write the audit checkpoint at server {when}: {e}");
    }
}
