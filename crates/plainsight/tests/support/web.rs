//! Test helpers shared by the in-process web test files (`web_app.rs`, `analyst_workflow.rs`):
//! run the real `plainsight` binary on a workspace, build an analysed workspace from a
//! generated corpus, and drive the web application in-process with a cookie jar, accounts and
//! a complete sign-in (password, then the second factor).

// Each test file includes this module on its own and uses a different part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use plainsight_access::{Role, totp_code};
use plainsight_store::{AccessStore, SqliteStore};
use plainsight_web::{AppState, WebConfig};
use tower::ServiceExt;

use crate::workspace::copy_workspace;

/// `plainsight ARGS`, run in `dir` on the workspace `db_url` (`PLAINSIGHT_DB`); the caller
/// says what it expects of the outcome.
pub fn plainsight(dir: &Path, db_url: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("plainsight")
        .unwrap()
        .current_dir(dir)
        .env("PLAINSIGHT_DB", db_url)
        .args(args)
        .assert()
}

/// `dir/ws.db` with `ads` generated ads (corpus seed `seed`), ingested and analysed with the
/// real binary.
pub fn analysed_workspace(dir: &Path, ads: u32, seed: u64) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let url = format!("sqlite://{}/ws.db", dir.display());
    let (ads, seed) = (ads.to_string(), seed.to_string());
    plainsight(
        dir,
        &url,
        &[
            "gen-corpus",
            "--ads",
            &ads,
            "--seed",
            &seed,
            "--out",
            "ads.jsonl",
        ],
    )
    .success();
    plainsight(dir, &url, &["ingest", "ads.jsonl"]).success();
    plainsight(dir, &url, &["analyze"]).success();
    dir.join("ws.db")
}

/// The web application over its own copy of a workspace.
pub struct TestApp {
    pub _dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub app: Router,
}

/// A browser's state: its cookies.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookies: HashMap<String, String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
    /// The body as text (lossy), for pages.
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// The password every test account is given.
pub const PASSWORD: &str = "correct horse battery staple";

/// The audit entry of a change a test makes straight in the store.
pub fn setup_event() -> plainsight_store::AuditEvent {
    plainsight_store::AuditEvent {
        actor: Some("test-setup".into()),
        source: None,
        action: "test_setup".into(),
        object: None,
        outcome: plainsight_access::audit::Outcome::Success,
        detail: None,
    }
}

/// Text between `before` and the next `"` (or `<`).
pub fn find_after(body: &str, before: &str) -> Option<String> {
    let at = body.find(before)? + before.len();
    let rest = &body[at..];
    let end = rest.find(['"', '<']).unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// The TOTP code of `secret`, `step_offset` 30-second steps from now.
pub fn code_for(secret: &str, step_offset: i64) -> String {
    let s = plainsight_access::TotpSecret::from_base32(secret).unwrap();
    totp_code(&s, chrono::Utc::now().timestamp() + step_offset * 30)
}

impl TestApp {
    /// The application over a fresh copy of `template` (with its key folder).
    pub async fn over_copy_of(template: &Path, config: WebConfig) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ws.db");
        copy_workspace(template, &db);
        let store = Arc::new(
            SqliteStore::open(&format!("sqlite://{}", db.display()))
                .await
                .unwrap(),
        );
        let app = plainsight_web::app(AppState::new(store.clone(), config));
        TestApp {
            _dir: dir,
            store,
            app,
        }
    }

    pub async fn send(&self, browser: &mut Browser, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.unwrap();
        for v in res.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                browser.cookies.remove(k);
            } else {
                browser.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub fn cookie_header(browser: &Browser) -> String {
        browser
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&self, browser: &mut Browser, path: &str) -> Reply {
        let req = Request::get(path)
            .header(header::COOKIE, Self::cookie_header(browser))
            .body(Body::empty())
            .unwrap();
        self.send(browser, req).await
    }

    pub async fn post(&self, browser: &mut Browser, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(form).unwrap();
        let req = Request::post(path)
            .header(header::COOKIE, Self::cookie_header(browser))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(browser, req).await
    }

    /// Create a user directly in the store with a known password (not one that must change).
    pub async fn user(&self, name: &str, role: Role, team: &str) -> i64 {
        self.user_in(name, role, team, "").await
    }

    /// [`TestApp::user`] with an area (a state or province code; `""` is every area).
    pub async fn user_in(&self, name: &str, role: Role, team: &str, area: &str) -> i64 {
        self.store
            .create_user(
                &plainsight_store::NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    role: role.as_str().into(),
                    team: team.into(),
                    area: area.into(),
                    password_hash: plainsight_access::hash_password(PASSWORD).unwrap(),
                    must_change_password: false,
                },
                &|_| setup_event(),
            )
            .await
            .unwrap()
    }

    /// Submit the password; returns the reply.
    pub async fn password_step(&self, b: &mut Browser, name: &str, password: &str) -> Reply {
        let form = self.get(b, "/login").await;
        let token = find_after(&form.body, "name=\"csrf\" value=\"").unwrap();
        self.post(
            b,
            "/login",
            &[("csrf", &token), ("username", name), ("password", password)],
        )
        .await
    }

    /// The CSRF token of the page at `path`.
    pub async fn csrf(&self, b: &mut Browser, path: &str) -> String {
        let page = self.get(b, path).await;
        find_after(&page.body, "name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no form token on {path}: {}", page.body))
    }

    /// Sign in completely (enrolling TOTP on first sign-in); returns the TOTP secret.
    pub async fn sign_in(
        &self,
        b: &mut Browser,
        name: &str,
        secret: Option<&str>,
        step_offset: i64,
    ) -> String {
        let r = self.password_step(b, name, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/mfa");
        let page = self.get(b, "/mfa").await;
        let secret = match secret {
            Some(s) => s.to_string(),
            None => find_after(&page.body, "<code class=\"secret\">").expect("enrolment key shown"),
        };
        let token = find_after(&page.body, "name=\"csrf\" value=\"").unwrap();
        let code = code_for(&secret, step_offset);
        let r = self
            .post(b, "/mfa", &[("csrf", &token), ("code", &code)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        secret
    }

    /// A new user of team `vice` in `area`, signed in: the browser and its form token.
    pub async fn signed_in(&self, name: &str, role: Role, area: &str) -> (Browser, String) {
        self.user_in(name, role, "vice", area).await;
        let mut b = Browser::default();
        self.sign_in(&mut b, name, None, 0).await;
        let token = self.csrf(&mut b, "/cases").await;
        (b, token)
    }
}
