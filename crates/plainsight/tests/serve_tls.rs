//! `plainsight serve` over TLS with a configured certificate (a real rustls handshake against
//! the running binary), and the refusal to serve plain HTTP beyond loopback.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn serves_https_with_hsts_and_secure_host_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(dir.path().join("cert.pem"), cert.cert.pem()).unwrap();
    std::fs::write(dir.path().join("key.pem"), cert.signing_key.serialize_pem()).unwrap();
    let port = free_port();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("plainsight"))
        .current_dir(dir.path())
        .env(
            "PLAINSIGHT_DB",
            format!("sqlite://{}/ws.db", dir.path().display()),
        )
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--tls-cert",
            "cert.pem",
            "--tls-key",
            "key.pem",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    // Wait for the "serving at" line.
    let stderr = server.0.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let announced = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("serving at"))
        .expect("the server announces its address");
    assert!(
        announced.contains(&format!("https://127.0.0.1:{port}")),
        "{announced}"
    );

    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(cert.cert.der().to_vec()))
        .unwrap();
    let config = ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tcp = None;
    for _ in 0..100 {
        if let Ok(s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            tcp = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut tls = connector
        .connect(
            ServerName::try_from("localhost").unwrap(),
            tcp.expect("the server listens"),
        )
        .await
        .expect("a TLS handshake with the configured certificate");
    tls.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    tls.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response).to_lowercase();
    assert!(response.starts_with("http/1.1 200"), "{response}");
    assert!(
        response.contains("strict-transport-security: max-age="),
        "HSTS under TLS"
    );
    let cookie = response
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .expect("the log-on form sets its token cookie");
    assert!(
        cookie.contains("__host-ps_prelogin=") && cookie.contains("; secure"),
        "{cookie}"
    );
    drop(server);
}

#[test]
fn plain_http_beyond_loopback_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("plainsight")
        .unwrap()
        .current_dir(dir.path())
        .env(
            "PLAINSIGHT_DB",
            format!("sqlite://{}/ws.db", dir.path().display()),
        )
        .args(["serve", "--bind", "0.0.0.0:0"])
        .timeout(Duration::from_secs(60))
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("refusing to serve plain HTTP on 0.0.0.0:0"),
        "{err}"
    );
    assert!(err.contains("--tls-cert"));
}
