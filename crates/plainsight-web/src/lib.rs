//! The Plainsight analyst web application: server-rendered pages over one workspace database,
//! with local accounts (Argon2id + TOTP), roles checked per route and per record, CSRF tokens,
//! strict security headers and a hash-chained audit log of every sensitive action.
//!
//! The crate is a thin layer: rules live in `plainsight-access`, data in `plainsight-store`,
//! pictures in `plainsight-graphics`. Every page works without JavaScript; the one script
//! (`static/graph.js`) only makes the network graph interactive.

mod assets;
mod context;
mod error;
mod limits;
mod reasons;
mod routes;
mod security;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use plainsight_access::{LockoutPolicy, SessionPolicy, TotpAttemptPolicy};
use plainsight_store::WorkspaceStore;

pub use error::WebError;
pub use limits::{BODY_LIMIT_BYTES, FIELD_LIMITS, max_chars};
pub use routes::URL_MAP;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Served over TLS (cookies get `Secure` and the `__Host-` prefix; HSTS is sent).
    pub tls: bool,
    /// A demo workspace: every page says so.
    pub demo: bool,
    /// The use notice shown on the log-on page (CJIS AC-8).
    pub banner: String,
    /// Name shown in authenticator apps.
    pub issuer: String,
    pub sessions: SessionPolicy,
    pub lockout: LockoutPolicy,
    pub totp_attempts: TotpAttemptPolicy,
    /// Failed log-ons from one address, across all accounts, before that address must wait
    /// (the per-account lock-out does not stop one guess against each of many accounts).
    pub max_failures_per_source: u32,
}

/// The default log-on notice; administrators replace it in Settings.
pub const DEFAULT_BANNER: &str = "This system holds investigative leads and personal \
    information. Use it only for the work you are authorised to do. Every log-on, view, search \
    and export is recorded and may be reviewed. Leads are not evidence of a crime.";

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            tls: false,
            demo: false,
            banner: DEFAULT_BANNER.to_string(),
            issuer: "Plainsight".to_string(),
            sessions: SessionPolicy::default(),
            lockout: LockoutPolicy::default(),
            totp_attempts: TotpAttemptPolicy::default(),
            max_failures_per_source: 20,
        }
    }
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn WorkspaceStore>,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: Arc<dyn WorkspaceStore>, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
        }
    }
}

/// The whole application as an axum router (used by `serve` and by in-process tests).
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Serve plain HTTP on an already bound listener until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

/// Serve over TLS with the certificate chain and private key in these PEM files, until Ctrl-C.
pub async fn serve_tls(
    addr: SocketAddr,
    cert_pem: &std::path::Path,
    key_pem: &std::path::Path,
    state: AppState,
) -> std::io::Result<()> {
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert_pem, key_pem).await?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    axum_server::bind_rustls(addr, tls)
        .handle(handle)
        .serve(app(state).into_make_service_with_connect_info::<SocketAddr>())
        .await
}

async fn shutdown_signal() {
    // An error installing the handler leaves only process signals to stop the server.
    let _ = tokio::signal::ctrl_c().await;
}

/// Whether an address is loopback-only (binding elsewhere without TLS needs an explicit flag).
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}
