//! `plainsight bench web`: serve an analysed workspace and load it with `wrk` (32 concurrent
//! clients on loopback by default) on the lead queue, on network pages and on searches
//! (phones as people type them, `platform:handle` look-ups and words), reporting latency
//! percentiles; then, with one client, the dashboard and the case package (ZIP) of a folder of
//! at least 1,000 ads. A benchmark, not a test: it prints figures for `docs/benchmarks.md`.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::Utc;
use plainsight_access::{Role, SessionToken, token_digest};
use plainsight_core::IdentifierKind;
use plainsight_store::{
    AccessStore, CaseworkStore, NetworkStore, NewSession, SessionStage, SqliteStore, Store,
};
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
/// pages, not sign-in); returns the session token and the user.
async fn bench_session(
    store: &SqliteStore,
) -> anyhow::Result<(String, plainsight_store::UserRecord)> {
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
    Ok((token.as_str().to_string(), user))
}

/// The audit entry of a change the benchmark makes in the workspace.
fn bench_event(action: &str) -> plainsight_store::AuditEvent {
    plainsight_store::AuditEvent {
        actor: Some(super::operator()),
        source: Some("command line".into()),
        action: action.into(),
        object: None,
        outcome: plainsight_access::audit::Outcome::Success,
        detail: Some("benchmark set-up".into()),
    }
}

/// A case folder of the benchmark user's team holding the largest networks, at least
/// `min_ads` ads in all; returns its id and its ad count.
async fn bench_case(
    store: &SqliteStore,
    user: &plainsight_store::UserRecord,
    min_ads: usize,
) -> anyhow::Result<(i64, usize, Option<u64>)> {
    let mut networks = store
        .networks(&plainsight_store::NetworkFilter::default())
        .await?;
    networks.sort_by(|a, b| {
        b.ads
            .len()
            .cmp(&a.ads.len())
            .then(a.network_id.cmp(&b.network_id))
    });
    let largest = networks.first().map(|n| n.network_id);
    let case = store
        .create_case(user.team_id, "benchmark package", user.user_id, &|_| {
            bench_event("create_case")
        })
        .await?;
    let mut ads = 0;
    for n in networks {
        if ads >= min_ads {
            break;
        }
        ads += n.ads.len();
        store
            .add_case_item(
                case,
                "network",
                n.network_id as i64,
                user.user_id,
                &bench_event("add_case_item"),
            )
            .await?;
    }
    Ok((case, ads, largest))
}

/// The size in bytes of the body of one page, fetched once over HTTP/1.1 (the connection
/// closed by the server after it, so the body is everything after the headers).
async fn page_bytes(addr: std::net::SocketAddr, path: &str, token: &str) -> anyhow::Result<usize> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: ps_session={token}\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no end of the response headers")?;
    let head = String::from_utf8_lossy(&response[..head_end]);
    if !head.starts_with("HTTP/1.1 200") {
        anyhow::bail!("{path}: {}", head.lines().next().unwrap_or_default());
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        anyhow::bail!("{path}: a chunked answer; its size is not counted here");
    }
    Ok(response.len() - head_end - 4)
}

/// Search paths: the most used phones written as people type them, handles as network pages
/// show them (`platform:value`), and common words.
async fn search_paths(store: &SqliteStore) -> anyhow::Result<Vec<String>> {
    // `q=` and the value percent-encoded (every byte but letters and digits).
    let encode = |s: &str| {
        let mut out = String::from("q=");
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    let mut paths = Vec::new();
    for p in store.top_identifiers(IdentifierKind::Phone, 100).await? {
        let digits = p.value.trim_start_matches("+1");
        let written = if p.value.starts_with("+1") && digits.len() == 10 {
            format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..])
        } else {
            p.value.clone()
        };
        paths.push(format!("/search?{}", encode(&written)));
    }
    for kind in [IdentifierKind::Handle, IdentifierKind::Payment] {
        for h in store.top_identifiers(kind, 50).await? {
            paths.push(format!(
                "/search?{}",
                encode(&format!("{}:{}", h.platform, h.value))
            ));
        }
    }
    for words in ["new in town", "available now", "call", "girl", "special"] {
        paths.push(format!("/search?kind=text&{}", encode(words)));
    }
    Ok(paths)
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
    let (token, user) = bench_session(&store).await?;
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
    let searches = search_paths(&store).await?;
    let (case, case_ads, largest) = bench_case(&store, &user, 1_000).await?;
    println!(
        "{} ads in the workspace; case folder #{case} holds {case_ads} ads.",
        store.count_ads().await?
    );
    let store = Arc::new(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(store.clone(), WebConfig::default());
    tokio::spawn(async move {
        if let Err(e) = plainsight_web::serve(listener, state).await {
            eprintln!("error: the benchmark server stopped: {e}");
        }
    });
    let queue_paths: Vec<String> = (1..=10)
        .map(|page| format!("/leads?page={page}"))
        .chain(["/leads?status=unreviewed".to_string()])
        .collect();
    let network_paths: Vec<String> = top.iter().map(|id| format!("/networks/{id}")).collect();
    let dir = tempfile::tempdir()?;
    println!(
        "Serving at http://{addr}; wrk with {} connections on 2 threads for {} s per page kind \
         (one connection for the dashboard and the case package).",
        bench.clients, bench.seconds
    );
    if let Some(id) = largest {
        // The size target is for the largest network's page: measured once.
        let path = format!("/networks/{id}");
        match page_bytes(addr, &path, &token.to_string()).await {
            Ok(n) => println!(
                "network page of the largest network ({path}): {n} bytes of HTML ({:.1} KB)",
                n as f64 / 1024.0
            ),
            Err(e) => eprintln!("warning: could not measure {path}: {e:#}"),
        }
    }
    let dashboard = vec!["/".to_string()];
    let package = vec![format!("/cases/{case}/package.zip")];
    // (page kind, paths, concurrent clients, seconds): the dashboard and the package are
    // measured with one client, as one analyst opens them.
    let clients = bench.clients;
    let seconds = bench.seconds;
    for (name, paths, clients, seconds) in [
        ("lead queue", &queue_paths, clients, seconds),
        ("network page", &network_paths, clients, seconds),
        ("search", &searches, clients, seconds),
        ("dashboard", &dashboard, 1, seconds.min(20)),
        ("case package", &package, 1, seconds.min(30)),
    ] {
        let script = dir.path().join(format!("{}.lua", name.replace(' ', "_")));
        std::fs::File::create(&script)?.write_all(wrk_script(paths).as_bytes())?;
        let url = format!("http://{addr}/");
        let cookie = format!("Cookie: ps_session={token}");
        let args = [
            format!("-t{}", clients.min(2)),
            format!("-c{clients}"),
            format!("-d{seconds}s"),
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
