//! `plainsight bench web`: serve an analysed workspace and load it with `wrk` (32 concurrent
//! clients on loopback by default) on the lead queue and on network pages, reporting latency
//! percentiles. A benchmark, not a test: it prints figures for `docs/benchmarks.md`.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::Utc;
use plainsight_access::{Role, SessionToken, token_digest};
use plainsight_store::{AccessStore, NetworkStore, NewSession, SessionStage, SqliteStore};
use plainsight_web::{AppState, WebConfig};

/// The account the benchmark signs in as (created in the workspace when missing).
const BENCH_USER: &str = "bench-analyst";

/// Settings of one load run.
pub struct WebBench {
    pub clients: u32,
    pub seconds: u32,
    /// How many of the highest-priority networks the network-page run cycles through.
    pub networks: u32,
}

/// The wrk script: request a random path of the list and print latency percentiles in ms.
fn wrk_script(paths: &[String]) -> String {
    let list: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
    format!(
        "paths = {{ {} }}\n\
         math.randomseed(7)\n\
         request = function()\n  return wrk.format(\"GET\", paths[math.random(#paths)])\nend\n\
         done = function(summary, latency, requests)\n\
         \x20 io.write(string.format(\"requests %d errors %d non2xx %d p50_ms %.2f p95_ms %.2f p99_ms %.2f max_ms %.2f rps %.1f\\n\",\n\
         \x20   summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,\n\
         \x20   summary.errors.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000,\n\
         \x20   latency:percentile(99) / 1000, latency.max / 1000, summary.requests / (summary.duration / 1e6)))\n\
         end\n",
        list.join(", ")
    )
}

/// A full session for the benchmark user, made directly in the database (the benchmark measures
/// pages, not sign-in); returns the session token.
async fn bench_session(store: &SqliteStore) -> anyhow::Result<String> {
    let user = match store.user_by_name(BENCH_USER).await? {
        Some(u) => u,
        None => {
            super::user::add_user(
                store,
                BENCH_USER,
                Role::Analyst,
                Some("Benchmark"),
                "bench",
                "",
            )
            .await?;
            let u = store
                .user_by_name(BENCH_USER)
                .await?
                .context("the benchmark user was not created")?;
            store
                .change_password(
                    u.user_id,
                    &u.password_hash,
                    false,
                    None,
                    None,
                    &plainsight_store::AuditEvent {
                        actor: Some(super::operator()),
                        source: Some("command line".into()),
                        action: "change_user".into(),
                        object: Some(format!("user:{}", u.user_id)),
                        outcome: plainsight_access::audit::Outcome::Success,
                        detail: Some("benchmark account: no password change required".into()),
                    },
                )
                .await?;
            u
        }
    };
    let token = SessionToken::generate();
    store
        .create_session(&NewSession {
            token_digest: token_digest(token.as_str()),
            user_id: user.user_id,
            stage: SessionStage::Full,
            csrf_token: plainsight_access::random_token(),
            now: Utc::now(),
            source: Some("bench".into()),
            replaces: None,
        })
        .await?;
    Ok(token.as_str().to_string())
}

/// Serve the workspace in-process and run `wrk` on the lead queue and on network pages.
pub async fn run(store: SqliteStore, bench: &WebBench) -> anyhow::Result<ExitCode> {
    if std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .is_err()
    {
        anyhow::bail!("`wrk` is not installed: `apt-get install wrk` (Debian) and run again");
    }
    let token = bench_session(&store).await?;
    let top: Vec<u64> = store
        .networks(&plainsight_store::NetworkFilter {
            top: Some(u64::from(bench.networks)),
            ..Default::default()
        })
        .await?
        .iter()
        .map(|n| n.network_id)
        .collect();
    if top.is_empty() {
        anyhow::bail!("the workspace has no networks: run `plainsight analyze` first");
    }
    let store = Arc::new(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(store.clone(), WebConfig::default());
    tokio::spawn(async move {
        if let Err(e) = plainsight_web::serve(listener, state).await {
            eprintln!("error: the benchmark server stopped: {e}");
        }
    });
    let queue_paths: Vec<String> = (0..10)
        .map(|page| format!("/leads?page={page}"))
        .chain(["/leads?status=unreviewed".to_string()])
        .collect();
    let network_paths: Vec<String> = top.iter().map(|id| format!("/networks/{id}")).collect();
    let dir = tempfile::tempdir()?;
    println!(
        "Serving at http://{addr}; wrk with {} connections on 2 threads for {} s per page kind.",
        bench.clients, bench.seconds
    );
    for (name, paths) in [
        ("lead queue", &queue_paths),
        ("network page", &network_paths),
    ] {
        let script = dir.path().join(format!("{}.lua", name.replace(' ', "_")));
        std::fs::File::create(&script)?.write_all(wrk_script(paths).as_bytes())?;
        let url = format!("http://{addr}/");
        let cookie = format!("Cookie: ps_session={token}");
        let args = [
            "-t2".to_string(),
            format!("-c{}", bench.clients),
            format!("-d{}s", bench.seconds),
            "--timeout".to_string(),
            "10s".to_string(),
            "-H".to_string(),
            cookie,
            "-s".to_string(),
            script.display().to_string(),
            url,
        ];
        let out = tokio::process::Command::new("wrk")
            .args(&args)
            .output()
            .await
            .context("running wrk")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let summary = text
            .lines()
            .find(|l| l.starts_with("requests "))
            .unwrap_or("(wrk printed no summary)");
        println!("{name} ({} distinct paths): {summary}", paths.len());
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    Ok(ExitCode::SUCCESS)
}
