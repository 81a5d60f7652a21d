//! In-process HTTP tests of the web application's security rules: log-on with lock-out, TOTP
//! enrolment and once-only codes with rate limits, session rotation and time-outs, CSRF and
//! cross-site refusal, security headers and cookies, roles per route and team ownership per
//! record, the hash-chained audit log and its tamper detection, and retention. The workspace
//! is a small generated corpus, ingested and analysed with the real binary.

#[path = "support/web.rs"]
mod web;
#[path = "support/workspace.rs"]
mod workspace;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use assert_cmd::Command;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use plainsight_access::{ChainVerifier, Role};
use plainsight_store::{AccessStore, CaseworkStore, NetworkStore, SqliteStore};
use plainsight_web::WebConfig;
use tower::ServiceExt;
use web::{
    Browser, PASSWORD, Reply, TestApp, analysed_workspace, code_for, find_after, setup_event,
};
use workspace::copy_workspace;

/// A workspace with 400 generated ads, ingested and analysed once per test run; each test
/// works on its own copy.
fn template_db() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("plainsight-web-tests-{}", std::process::id()));
        analysed_workspace(&dir, 400, 5)
    })
}

async fn app_with(config: WebConfig) -> TestApp {
    TestApp::over_copy_of(template_db(), config).await
}

async fn app() -> TestApp {
    app_with(WebConfig::default()).await
}

async fn verify_chain(store: &SqliteStore) -> Result<u64, plainsight_access::ChainBreak> {
    let entries = store.audit_entries(0, 1_000_000).await.unwrap();
    // A workspace file's chain is keyed from its signed start checkpoint on.
    let mut v = ChainVerifier::new();
    if let (Some(key), Some(keys)) = (store.audit_key(), store.audit_key_dir()) {
        let start = keys
            .read_checkpoints(key)
            .unwrap()
            .into_iter()
            .find_map(|(_, c)| {
                c.ok()
                    .filter(|c| c.kind == plainsight_access::CheckpointKind::Start)
            })
            .expect("a start checkpoint");
        v = v.with_key(key.clone(), start.seq + 1);
    }
    let mut first = None;
    for e in &entries {
        if let Err(b) = v.push(&e.record, &e.prev_hash, &e.hash)
            && first.is_none()
        {
            first = Some(b);
        }
    }
    match first {
        Some(b) => Err(b),
        None => Ok(v.finish().entries),
    }
}

async fn audit_actions(store: &SqliteStore) -> Vec<(String, String, String)> {
    store
        .audit_entries(0, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            (
                e.record.action,
                e.record.outcome.as_str().to_string(),
                e.record.actor.unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn full_sign_in_enrols_totp_rotates_the_session_and_audits_it() {
    let t = app().await;
    t.user("ana", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    // Pages need a session.
    let r = t.get(&mut b, "/leads").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login");

    let r = t.password_step(&mut b, "ana", PASSWORD).await;
    assert_eq!(r.location(), "/mfa");
    let half = b.cookies["ps_session"].clone();
    // A half-signed-in session opens no page.
    assert_eq!(t.get(&mut b, "/leads").await.location(), "/login");
    let page = t.get(&mut b, "/mfa").await;
    assert!(page.body.contains("Set up your authenticator"));
    let secret = find_after(&page.body, "<code class=\"secret\">").unwrap();
    let token = find_after(&page.body, "name=\"csrf\" value=\"").unwrap();
    // A wrong code is refused.
    let r = t
        .post(&mut b, "/mfa", &[("csrf", &token), ("code", "000000")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The right one signs in, under a new session token.
    let code = code_for(&secret, 0);
    let r = t
        .post(&mut b, "/mfa", &[("csrf", &token), ("code", &code)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let full = b.cookies["ps_session"].clone();
    assert_ne!(half, full, "the session token is rotated at sign-in");
    let r = t.get(&mut b, "/leads").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The half-session token is dead.
    let mut old = Browser::default();
    old.cookies.insert("ps_session".into(), half);
    assert_eq!(t.get(&mut old, "/leads").await.location(), "/login");
    // The same code cannot be used again, even right away.
    let mut b2 = Browser::default();
    t.password_step(&mut b2, "ana", PASSWORD).await;
    let token = t.csrf(&mut b2, "/mfa").await;
    let r = t
        .post(&mut b2, "/mfa", &[("csrf", &token), ("code", &code)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("already used"), "{}", r.body);

    let actions = audit_actions(&t.store).await;
    let has = |a: &str, o: &str| {
        actions
            .iter()
            .any(|(x, y, who)| x == a && y == o && who == "ana")
    };
    assert!(has("login_password", "success"));
    assert!(has("mfa_enrolled", "success"));
    assert!(has("login", "success"));
    assert!(has("login_mfa", "failure"));
    assert!(has("view_leads", "success"));
    assert!(verify_chain(&t.store).await.is_ok());
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_account_until_an_administrator_releases_it() {
    let t = app().await;
    let bo = t.user("bo", Role::Analyst, "vice").await;
    t.user("root", Role::Administrator, "vice").await;
    let mut b = Browser::default();
    for i in 0..4 {
        let r = t.password_step(&mut b, "bo", "wrong password here").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(r.body.contains("not right"));
    }
    assert_eq!(
        t.store.user_by_id(bo).await.unwrap().unwrap().status,
        "active"
    );
    let r = t.password_step(&mut b, "bo", "wrong password here").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.store.user_by_id(bo).await.unwrap().unwrap().status,
        "locked"
    );
    // Even the right password is refused now, with the one answer every refusal gets.
    let r = t.password_step(&mut b, "bo", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("not right, or the account is"));
    assert!(r.body.contains("until an administrator"));
    // An unknown user name gets the same answer.
    let r = t.password_step(&mut b, "nobody", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("not right, or the account is"));

    let mut admin = Browser::default();
    t.sign_in(&mut admin, "root", None, 0).await;
    let token = t.csrf(&mut admin, "/admin/users").await;
    let r = t
        .post(
            &mut admin,
            &format!("/admin/users/{bo}"),
            &[("csrf", &token), ("action", "unlock")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = t.password_step(&mut b, "bo", PASSWORD).await;
    assert_eq!(r.location(), "/mfa");
    let actions = audit_actions(&t.store).await;
    assert!(actions.iter().any(|(a, _, _)| a == "account_locked"));
    assert!(
        actions
            .iter()
            .any(|(a, o, who)| a == "change_user" && o == "success" && who == "root")
    );
}

#[tokio::test]
async fn second_factor_attempts_are_rate_limited() {
    let t = app().await;
    t.user("cy", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    t.password_step(&mut b, "cy", PASSWORD).await;
    let page = t.get(&mut b, "/mfa").await;
    let secret = find_after(&page.body, "<code class=\"secret\">").unwrap();
    let token = find_after(&page.body, "name=\"csrf\" value=\"").unwrap();
    for _ in 0..5 {
        let r = t
            .post(&mut b, "/mfa", &[("csrf", &token), ("code", "123 456")])
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right code waits now.
    let code = code_for(&secret, 0);
    let r = t
        .post(&mut b, "/mfa", &[("csrf", &token), ("code", &code)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn idle_and_absolute_time_outs_end_the_session_on_the_server() {
    let t = app().await;
    t.user("di", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    let secret = t.sign_in(&mut b, "di", None, 0).await;
    assert_eq!(t.get(&mut b, "/leads").await.status, StatusCode::OK);
    // 31 minutes without a request.
    let idle = (chrono::Utc::now() - chrono::Duration::minutes(31))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    sqlx::query("UPDATE sessions SET last_seen_at = ?")
        .bind(&idle)
        .execute(t.store.pool())
        .await
        .unwrap();
    assert_eq!(t.get(&mut b, "/leads").await.location(), "/login");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "an expired session is deleted, not just refused");
    // Active, but signed in 12 hours ago.
    let mut b = Browser::default();
    t.sign_in(&mut b, "di", Some(&secret), 1).await;
    let old = (chrono::Utc::now() - chrono::Duration::hours(12))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    sqlx::query("UPDATE sessions SET created_at = ?")
        .bind(&old)
        .execute(t.store.pool())
        .await
        .unwrap();
    assert_eq!(t.get(&mut b, "/leads").await.location(), "/login");
}

#[tokio::test]
async fn sign_out_and_disabling_destroy_sessions() {
    let t = app().await;
    let ed = t.user("ed", Role::Analyst, "vice").await;
    t.user("root", Role::Administrator, "vice").await;
    let mut b = Browser::default();
    let secret = t.sign_in(&mut b, "ed", None, 0).await;
    let token = t.csrf(&mut b, "/leads").await;
    let kept = b.clone();
    let r = t.post(&mut b, "/logout", &[("csrf", &token)]).await;
    assert_eq!(r.location(), "/login");
    // The old cookie, replayed, opens nothing.
    let mut replay = kept.clone();
    assert_eq!(t.get(&mut replay, "/leads").await.location(), "/login");

    let mut b = Browser::default();
    t.sign_in(&mut b, "ed", Some(&secret), 1).await;
    let mut admin = Browser::default();
    t.sign_in(&mut admin, "root", None, 0).await;
    let token = t.csrf(&mut admin, "/admin/users").await;
    t.post(
        &mut admin,
        &format!("/admin/users/{ed}"),
        &[("csrf", &token), ("action", "disable")],
    )
    .await;
    assert_eq!(t.get(&mut b, "/leads").await.location(), "/login");
    let r = t
        .password_step(&mut Browser::default(), "ed", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn state_changing_requests_need_the_token_and_the_same_site() {
    let t = app().await;
    t.user("fa", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "fa", None, 0).await;
    let token = t.csrf(&mut b, "/cases").await;
    // No token, a wrong token: refused, nothing created.
    let r = t.post(&mut b, "/cases", &[("title", "x")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post(
            &mut b,
            "/cases",
            &[("csrf", "0123456789abcdef0123456789abcdef"), ("title", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The right token from another site: refused.
    let req = Request::post("/cases")
        .header(header::COOKIE, TestApp::cookie_header(&b))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(format!("csrf={token}&title=x")))
        .unwrap();
    assert_eq!(t.send(&mut b, req).await.status, StatusCode::FORBIDDEN);
    let req = Request::post("/cases")
        .header(header::COOKIE, TestApp::cookie_header(&b))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://evil.example")
        .body(Body::from(format!("csrf={token}&title=x")))
        .unwrap();
    assert_eq!(t.send(&mut b, req).await.status, StatusCode::FORBIDDEN);
    assert!(
        t.store
            .cases_for_team(t.store.user_by_name("fa").await.unwrap().unwrap().team_id)
            .await
            .unwrap()
            .is_empty()
    );
    // The log-on form's own token is checked too.
    let mut fresh = Browser::default();
    t.get(&mut fresh, "/login").await;
    let r = t
        .post(
            &mut fresh,
            "/login",
            &[
                ("csrf", "forged"),
                ("username", "fa"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // With the token, from the same site: done.
    let r = t
        .post(&mut b, "/cases", &[("csrf", &token), ("title", "x")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Every state-changing route refuses a post without a token.
    for path in [
        "/logout",
        "/password",
        "/networks/1/label",
        "/cases/add",
        "/cases/1/items/remove",
        "/cases/1/notes",
        "/cases/1/status",
        "/admin/users",
        "/admin/users/1",
        "/admin/settings",
    ] {
        let r = t.post(&mut b.clone(), path, &[("x", "1")]).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{path} accepted a post without a token"
        );
    }
}

#[tokio::test]
async fn headers_and_cookies_follow_the_policy() {
    let t = app().await;
    let mut b = Browser::default();
    let r = t.get(&mut b, "/login").await;
    let h = &r.headers;
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
    assert!(
        h.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
        "no HSTS without TLS"
    );
    let cookie = h[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Secure"));
    assert!(
        r.body
            .contains("Every log-on, view, search and export is recorded"),
        "log-on banner"
    );
    // Not-found pages carry the headers too.
    let r = t.get(&mut b, "/no/such/page").await;
    assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY));

    // Under TLS: Secure, the __Host- prefix and HSTS.
    let t = app_with(WebConfig {
        tls: true,
        ..WebConfig::default()
    })
    .await;
    let r = t.get(&mut Browser::default(), "/login").await;
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-") && cookie.contains("; Secure"),
        "{cookie}"
    );
    assert!(
        r.headers[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
}

#[tokio::test]
async fn roles_are_checked_on_every_route() {
    let t = app().await;
    for (name, role) in [
        ("vi", Role::Viewer),
        ("au", Role::Auditor),
        ("an", Role::Analyst),
        ("su", Role::Supervisor),
        ("ad", Role::Administrator),
    ] {
        t.user(name, role, "vice").await;
    }
    let network: i64 =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY priority DESC LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let ad: i64 = sqlx::query_scalar("SELECT ad_key FROM ads LIMIT 1")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    let pages = [
        "/leads".to_string(),
        format!("/networks/{network}"),
        format!("/ads/{ad}"),
        "/search?q=girl".to_string(),
        "/cases".to_string(),
        "/admin/users".to_string(),
        "/admin/settings".to_string(),
        "/admin/audit".to_string(),
    ];
    // Who may open each page (in the order above).
    let allowed: [(&str, [bool; 8]); 5] = [
        (
            "vi",
            [false, false, false, false, false, false, false, false],
        ),
        (
            "au",
            [false, false, false, false, false, false, false, true],
        ),
        ("an", [true, true, true, true, true, false, false, false]),
        ("su", [true, true, true, true, true, false, false, false]),
        ("ad", [true, true, true, true, true, true, true, true]),
    ];
    for (name, expected) in allowed {
        let mut b = Browser::default();
        t.sign_in(&mut b, name, None, 0).await;
        for (page, ok) in pages.iter().zip(expected) {
            let r = t.get(&mut b, page).await;
            let want = if ok {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status, want, "{name} {page}");
        }
        // The viewer's dashboard has aggregate figures and no personal identifiers.
        if name == "vi" {
            let r = t.get(&mut b, "/").await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.body.contains("Ads over time"));
            assert!(!r.body.contains("Top leads") && !r.body.contains("/networks/"));
            assert!(
                !r.body.contains("+1"),
                "no phone numbers on the viewer's dashboard"
            );
        }
    }
    let denied = audit_actions(&t.store)
        .await
        .into_iter()
        .filter(|(_, o, _)| o == "denied")
        .count();
    assert!(denied >= 20, "refusals are audited ({denied})");
}

#[tokio::test]
async fn another_teams_case_folder_is_not_found() {
    let t = app().await;
    t.user("ka", Role::Analyst, "vice").await;
    t.user("lu", Role::Analyst, "narcotics").await;
    let network: i64 =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY priority DESC LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let mut ka = Browser::default();
    t.sign_in(&mut ka, "ka", None, 0).await;
    let token = t.csrf(&mut ka, "/cases").await;
    let r = t
        .post(
            &mut ka,
            "/cases",
            &[("csrf", &token), ("title", "Ring on I-40")],
        )
        .await;
    let case_path = r.location().to_string();
    let case_id = case_path.trim_start_matches("/cases/").to_string();
    let r = t
        .post(
            &mut ka,
            "/cases/add",
            &[
                ("csrf", &token),
                ("case_id", &case_id),
                ("kind", "network"),
                ("item", &network.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&mut ka, &case_path).await;
    assert!(page.body.contains(&format!("/networks/{network}")));
    // The case package: printable HTML with the folder's audit trail, and CSV.
    let html = t.get(&mut ka, &format!("{case_path}/export.html")).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.body.contains("Audit trail of this folder") && html.body.contains("add_case_item")
    );
    let csv = t.get(&mut ka, &format!("{case_path}/export.csv")).await;
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.body
            .lines()
            .any(|l| l.starts_with(&format!("network,{network},")))
    );

    let mut lu = Browser::default();
    t.sign_in(&mut lu, "lu", None, 0).await;
    let token = t.csrf(&mut lu, "/cases").await;
    for path in [
        case_path.clone(),
        format!("{case_path}/export.html"),
        format!("{case_path}/export.csv"),
    ] {
        assert_eq!(
            t.get(&mut lu, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = t
        .post(
            &mut lu,
            "/cases/add",
            &[
                ("csrf", &token),
                ("case_id", &case_id),
                ("kind", "ad"),
                ("item", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .post(
            &mut lu,
            &format!("{case_path}/notes"),
            &[("csrf", &token), ("text", "hi")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A folder number that does not exist looks the same.
    assert_eq!(
        t.get(&mut lu, "/cases/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        t.store
            .case_notes(case_id.parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_audit_chain_detects_altered_and_deleted_entries() {
    let t = app().await;
    t.user("mo", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "mo", None, 0).await;
    t.get(&mut b, "/leads").await;
    t.get(&mut b, "/search?q=new+in+town").await;
    let entries = verify_chain(&t.store)
        .await
        .expect("an untouched log verifies");
    assert!(entries >= 5);
    // The application cannot change or remove entries.
    assert!(
        sqlx::query("UPDATE audit_log SET detail = 'x' WHERE seq = 2")
            .execute(t.store.pool())
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(t.store.pool())
            .await
            .is_err()
    );
    // Someone with the file drops the guard and edits an entry: the chain shows where.
    sqlx::query("DROP TRIGGER audit_log_append_only_update")
        .execute(t.store.pool())
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER audit_log_append_only_delete")
        .execute(t.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'someone_else' WHERE seq = 3")
        .execute(t.store.pool())
        .await
        .unwrap();
    let broken = verify_chain(&t.store).await.unwrap_err();
    assert_eq!(broken.seq, 3);
    assert!(matches!(broken.kind, plainsight_access::BreakKind::Altered));
    sqlx::query("UPDATE audit_log SET actor = 'mo' WHERE seq = 3")
        .execute(t.store.pool())
        .await
        .unwrap();
    assert!(verify_chain(&t.store).await.is_ok());
    sqlx::query("DELETE FROM audit_log WHERE seq = 4")
        .execute(t.store.pool())
        .await
        .unwrap();
    let broken = verify_chain(&t.store).await.unwrap_err();
    assert_eq!(broken.seq, 5);
    assert!(matches!(
        broken.kind,
        plainsight_access::BreakKind::Gap { expected: 4 }
    ));
}

#[tokio::test]
async fn views_searches_and_labels_are_audited_and_labels_are_versioned() {
    let t = app().await;
    t.user("no", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "no", None, 0).await;
    let network: i64 = sqlx::query_scalar(
        "SELECT network_id FROM networks ORDER BY priority DESC, network_id LIMIT 1",
    )
    .fetch_one(t.store.pool())
    .await
    .unwrap();
    let page = t.get(&mut b, &format!("/networks/{network}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Why it ranks here") && page.body.contains("ps-graph"));
    let token = find_after(&page.body, "name=\"csrf\" value=\"").unwrap();
    for label in ["needs_investigation", "not_relevant"] {
        let r = t
            .post(
                &mut b,
                &format!("/networks/{network}/label"),
                &[("csrf", &token), ("label", label), ("note", "checked")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let labels = t.store.labels(network).await.unwrap();
    assert_eq!(labels.len(), 2);
    assert_eq!(
        (labels[0].version, labels[0].label.as_str()),
        (2, "not_relevant")
    );
    assert_eq!(labels[0].rank, 1, "the top network was labelled at rank 1");
    // The dashboard's false-positive rate counts it.
    let stats = t.store.review_stats().await.unwrap();
    assert_eq!(stats.false_positive_rate(), Some(1.0));
    // Identifier look-up and full-text search.
    let phone: String =
        sqlx::query_scalar("SELECT value FROM identifiers WHERE kind = 'phone' LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let r = t
        .get(
            &mut b,
            &format!("/search?kind=identifier&q={}", phone.replace('+', "%2B")),
        )
        .await;
    assert!(r.body.contains("ads carry the phone"), "{}", r.body);
    let word: String = sqlx::query_scalar("SELECT title FROM ads WHERE title IS NOT NULL LIMIT 1")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    let first_word = word
        .split_whitespace()
        .find(|w| w.chars().all(char::is_alphabetic) && w.len() > 3)
        .unwrap_or("new");
    let r = t.get(&mut b, &format!("/search?q={first_word}")).await;
    assert!(r.body.contains("match all the words"), "{}", r.body);
    let ad: i64 = sqlx::query_scalar("SELECT ad_key FROM ads LIMIT 1")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    let r = t.get(&mut b, &format!("/ads/{ad}")).await;
    assert!(r.body.contains("<mark"), "extractions are highlighted");
    let actions = audit_actions(&t.store).await;
    for a in ["view_network", "label_network", "search", "view_ad"] {
        assert!(
            actions
                .iter()
                .any(|(x, o, who)| x == a && o == "success" && who == "no"),
            "{a} audited"
        );
    }
}

#[tokio::test]
async fn retention_removes_only_ads_outside_cases_and_reviewed_networks() {
    let t = app().await;
    let user = t.user("op", Role::Analyst, "vice").await;
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM ads")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    // Everything was stored a year ago.
    sqlx::query("UPDATE ads SET ingested_at = '2025-01-01T00:00:00.000Z'")
        .execute(t.store.pool())
        .await
        .unwrap();
    let (kept_ad, kept_network): (i64, i64) = {
        let row: (i64, i64) =
            sqlx::query_as("SELECT ad_key, network_id FROM network_ads ORDER BY ad_key LIMIT 1")
                .fetch_one(t.store.pool())
                .await
                .unwrap();
        row
    };
    let labelled: i64 = sqlx::query_scalar(
        "SELECT network_id FROM networks WHERE network_id != ? ORDER BY ads DESC LIMIT 1",
    )
    .bind(kept_network)
    .fetch_one(t.store.pool())
    .await
    .unwrap();
    let team = t.store.user_by_id(user).await.unwrap().unwrap().team_id;
    let case = t
        .store
        .create_case(team, "keep", user, &|_| setup_event())
        .await
        .unwrap();
    t.store
        .add_case_item(case, "ad", kept_ad, user, &setup_event())
        .await
        .unwrap();
    t.store
        .add_label(labelled, "needs_investigation", "", user, &|_| {
            setup_event()
        })
        .await
        .unwrap();
    let in_labelled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM network_ads WHERE network_id = ?")
            .bind(labelled)
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let cutoff = chrono::Utc::now() - chrono::Duration::days(180);
    let plan = t.store.retention_plan(cutoff).await.unwrap();
    let kept_ad_in_labelled = i64::from(kept_network == labelled);
    assert_eq!(plan.kept as i64, 1 + in_labelled - kept_ad_in_labelled);
    assert_eq!(plan.expired as i64, all - plan.kept as i64);
    let removed = t
        .store
        .purge_expired(cutoff, &|_| setup_event())
        .await
        .unwrap();
    assert_eq!(removed, plan.expired);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM ads")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    assert_eq!(left as u64, plan.kept);
    assert!(t.store.ad_by_key(kept_ad).await.unwrap().is_some());
    // Identifiers of removed ads went with them, and search no longer finds them.
    let orphans: i64 = sqlx::query_scalar("SELECT count(*) FROM identifiers i WHERE NOT EXISTS (SELECT 1 FROM ads a WHERE a.ad_key = i.ad_key)")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    assert_eq!(orphans, 0);
    sqlx::query("INSERT INTO ads_fts (ads_fts) VALUES ('integrity-check')")
        .execute(t.store.pool())
        .await
        .unwrap_or_else(|e| panic!("the search index is inconsistent after the purge: {e}"));
}

#[test]
fn the_cli_manages_users_verifies_and_exports_the_audit_log_and_audits_retention() {
    let dir = tempfile::tempdir().unwrap();
    let d: &Path = dir.path();
    copy_workspace(template_db(), &d.join("ws.db"));
    let run = |args: &[&str]| {
        Command::cargo_bin("plainsight")
            .unwrap()
            .current_dir(d)
            .env("PLAINSIGHT_DB", format!("sqlite://{}/ws.db", d.display()))
            .env("USER", "tester")
            .args(args)
            .assert()
    };
    let out = run(&[
        "user",
        "add",
        "zoe",
        "--role",
        "supervisor",
        "--team",
        "vice",
    ])
    .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("One-time password"));
    run(&["user", "add", "zoe", "--role", "analyst"]).failure();
    run(&["user", "add", "bad name", "--role", "analyst"]).failure();
    let list = run(&["user", "list", "--json"]).success();
    let list = String::from_utf8_lossy(&list.get_output().stdout).to_string();
    let zoe: serde_json::Value = serde_json::from_str(list.lines().next().unwrap()).unwrap();
    assert_eq!(zoe["role"], "supervisor");
    assert!(zoe.get("password_hash").is_none(), "no secrets in listings");
    run(&["user", "disable", "zoe"]).success();
    run(&["user", "unlock", "zoe"]).success();
    run(&["retention", "--dry-run"]).success();
    let verify = run(&["audit", "verify"]).success();
    let verify = String::from_utf8_lossy(&verify.get_output().stdout).to_string();
    let head = verify
        .lines()
        .find_map(|l| l.strip_prefix("Head: "))
        .unwrap()
        .to_string();
    run(&["audit", "export", "--format", "csv", "--out", "audit.csv"]).success();
    let csv = std::fs::read_to_string(d.join("audit.csv")).unwrap();
    for action in [
        "create_user",
        "change_user",
        "retention_dry_run",
        "audit_verify",
        "audit_export",
    ] {
        assert!(csv.contains(action), "{action} in the exported log");
    }
    assert!(csv.contains("cli:tester"));
    // The earlier head is still there: verification with it passes.
    run(&["audit", "verify", "--expect-head", &head]).success();
    // A rewritten entry is found, and the exit status says so.
    let db = d.join("ws.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = SqliteStore::open(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER audit_log_append_only_update")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET outcome = 'success' WHERE seq = 1")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    let out = run(&["audit", "verify"]).code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("entry 2"), "{text}");
}

#[tokio::test]
async fn review_labels_feed_calibration() {
    let t = app().await;
    let user = t.user("rev", Role::Analyst, "vice").await;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY priority DESC LIMIT 24")
            .fetch_all(t.store.pool())
            .await
            .unwrap();
    for (i, id) in ids.iter().enumerate() {
        let label = if i % 2 == 0 {
            "needs_investigation"
        } else {
            "not_relevant"
        };
        t.store
            .add_label(*id, label, "", user, &|_| setup_event())
            .await
            .unwrap();
    }
    // "other" says nothing about relevance: skipped.
    t.store
        .add_label(ids[0], "other", "", user, &|_| setup_event())
        .await
        .unwrap();
    let db = t._dir.path().join("ws.db");
    let out = Command::cargo_bin("plainsight")
        .unwrap()
        .env("PLAINSIGHT_DB", format!("sqlite://{}", db.display()))
        .args(["calibrate", "--from-reviews", "--folds", "3"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("Fitted on 23 reviewed networks (11 relevant) from 24 label rows (1 with other labels skipped"),
        "{text}"
    );
    let list = Command::cargo_bin("plainsight")
        .unwrap()
        .env("PLAINSIGHT_DB", format!("sqlite://{}", db.display()))
        .args(["calibrate", "--list"])
        .assert()
        .success();
    let list = String::from_utf8_lossy(&list.get_output().stdout).to_string();
    assert!(list.contains("review labels in the workspace"), "{list}");
}

#[tokio::test]
async fn network_pages_are_cached_until_the_next_analysis_and_old_networks_still_list() {
    let t = app().await;
    t.user("pa", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "pa", None, 0).await;
    let network: i64 =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY ads DESC LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let first = t.get(&mut b, &format!("/networks/{network}")).await;
    assert!(t.store.page_cache(network).await.unwrap().is_some());
    // The cached page is the same page.
    let second = t.get(&mut b, &format!("/networks/{network}")).await;
    let graph = |body: &str| body[body.find("<svg").unwrap()..].to_string();
    assert_eq!(graph(&first.body), graph(&second.body));
    // Re-analysis drops the cache with the networks it was drawn from.
    let db = t._dir.path().join("ws.db");
    Command::cargo_bin("plainsight")
        .unwrap()
        .env("PLAINSIGHT_DB", format!("sqlite://{}", db.display()))
        .args(["-q", "analyze"])
        .assert()
        .success();
    assert!(t.store.page_cache(network).await.unwrap().is_none());
    // Networks saved without a summary (before summaries existed) list the same from their
    // record.
    let rows = |body: &str| -> Vec<String> {
        body.split("<tr>")
            .skip(1)
            .map(|row| row.split("</tr>").next().unwrap().to_string())
            .collect()
    };
    let with_summary = t.get(&mut b, "/leads").await;
    sqlx::query("DELETE FROM network_summaries")
        .execute(t.store.pool())
        .await
        .unwrap();
    let from_record = t.get(&mut b, "/leads").await;
    assert_eq!(from_record.status, StatusCode::OK);
    assert!(rows(&with_summary.body).len() > 10);
    assert_eq!(rows(&with_summary.body), rows(&from_record.body));
}

#[tokio::test]
async fn lead_queue_filters_by_reason_place_and_review() {
    let t = app().await;
    let user = t.user("qa", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "qa", None, 0).await;
    // The networks a page of the queue lists, in order (each row links its network once).
    let ids = |body: &str| -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        for rest in body.split("<a href=\"/networks/").skip(1) {
            let id = rest.split('"').next().unwrap().parse().unwrap();
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    };
    // A reason code that some but not all networks have.
    let code: String = sqlx::query_scalar(
        "SELECT code FROM network_reason_codes GROUP BY code \
         HAVING count(*) < (SELECT count(*) FROM networks) ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(t.store.pool())
    .await
    .unwrap();
    let listed = ids(&t
        .get(&mut b, &format!("/leads?indicator={code}"))
        .await
        .body);
    assert!(!listed.is_empty());
    for id in &listed {
        let n = t.store.network(*id).await.unwrap().unwrap();
        assert!(
            n.reasons.iter().any(|r| r.code == code),
            "N{id} lacks {code}"
        );
    }
    // Place: every listed network was seen there.
    let (name, admin1): (String, String) =
        sqlx::query_as("SELECT name, admin1 FROM network_places LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let listed = ids(&t
        .get(
            &mut b,
            &format!(
                "/leads?{}",
                serde_urlencoded::to_string([("place", format!("{name}, {admin1}"))]).unwrap()
            ),
        )
        .await
        .body);
    assert!(!listed.is_empty());
    for id in &listed {
        let n = t.store.network(*id).await.unwrap().unwrap();
        assert!(
            n.locations
                .iter()
                .any(|l| l.name == name && l.admin1 == admin1)
        );
    }
    // Review status.
    let top = ids(&t.get(&mut b, "/leads").await.body)[0];
    t.store
        .add_label(top as i64, "known_case", "", user, &|_| setup_event())
        .await
        .unwrap();
    let reviewed = ids(&t.get(&mut b, "/leads?status=reviewed").await.body);
    assert_eq!(reviewed, vec![top]);
    assert_eq!(
        ids(&t.get(&mut b, "/leads?status=known_case").await.body),
        vec![top]
    );
    assert!(!ids(&t.get(&mut b, "/leads?status=unreviewed").await.body).contains(&top));
    assert_eq!(
        t.get(&mut b, "/leads?status=bogus").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn error_pages_keep_the_navigation_and_the_demo_label() {
    let t = app_with(WebConfig {
        demo: true,
        ..WebConfig::default()
    })
    .await;
    t.user("ra", Role::Analyst, "vice").await;
    let mut anon = Browser::default();
    let r = t.get(&mut anon, "/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("DEMO workspace"));
    assert!(
        !r.body.contains("Lead queue"),
        "no navigation before sign-in"
    );
    let mut b = Browser::default();
    t.sign_in(&mut b, "ra", None, 0).await;
    for (path, status) in [
        ("/no/such/page", StatusCode::NOT_FOUND),
        ("/admin/users", StatusCode::FORBIDDEN),
        ("/cases/999999", StatusCode::NOT_FOUND),
    ] {
        let r = t.get(&mut b, path).await;
        assert_eq!(r.status, status, "{path}");
        assert!(r.body.contains("DEMO workspace"), "{path}: demo label");
        assert!(r.body.contains("href=\"/leads\""), "{path}: navigation");
        assert!(r.body.contains("Sign out"), "{path}: sign-out");
        assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    }
}

#[tokio::test]
async fn passwords_follow_the_policy_and_are_stored_as_argon2id() {
    let t = app().await;
    let id = t.user("sa", Role::Analyst, "vice").await;
    let stored = t.store.user_by_id(id).await.unwrap().unwrap().password_hash;
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "Argon2id, 19 MiB, 2 passes, 1 lane: {stored}"
    );
    let mut b = Browser::default();
    t.sign_in(&mut b, "sa", None, 0).await;
    let token = t.csrf(&mut b, "/password").await;
    for (new, why) in [
        ("short", "at least 8"),
        ("password123", "common"),
        ("iloveyou1", "common"),
    ] {
        let r = t
            .post(
                &mut b,
                "/password",
                &[("csrf", &token), ("current", PASSWORD), ("new", new)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{new}");
        assert!(r.body.to_lowercase().contains(why), "{new}: {}", r.body);
    }
    // No composition rules: a long phrase of lower-case words is fine.
    let r = t
        .post(
            &mut b,
            "/password",
            &[
                ("csrf", &token),
                ("current", PASSWORD),
                ("new", "plain words make a fine password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = t.store.user_by_id(id).await.unwrap().unwrap().password_hash;
    assert_ne!(after, stored);
    assert!(
        plainsight_access::verify_password("plain words make a fine password", &after).unwrap()
    );
}

#[tokio::test]
async fn settings_and_exports_are_audited_and_the_banner_is_the_administrators() {
    let t = app().await;
    t.user("ad", Role::Administrator, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "ad", None, 0).await;
    let token = t.csrf(&mut b, "/admin/settings").await;
    let r = t
        .post(
            &mut b,
            "/admin/settings",
            &[
                ("csrf", &token),
                ("retention_days", "90"),
                ("banner", "Authorised use only: unit 7."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.store.setting("retention_days").await.unwrap().as_deref(),
        Some("90")
    );
    let login = t.get(&mut Browser::default(), "/login").await;
    assert!(login.body.contains("Authorised use only: unit 7."));
    let r = t
        .post(
            &mut b,
            "/admin/settings",
            &[("csrf", &token), ("retention_days", "0"), ("banner", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A case export is audited with its format.
    let r = t
        .post(
            &mut b,
            "/cases",
            &[("csrf", &token), ("title", "export me")],
        )
        .await;
    let case = r.location().to_string();
    t.get(&mut b, &format!("{case}/export.csv")).await;
    t.get(&mut b, &format!("{case}/export.html")).await;
    let entries = t.store.audit_entries(0, 10_000).await.unwrap();
    let has = |action: &str, detail: &str| {
        entries.iter().any(|e| {
            e.record.action == action
                && e.record.actor.as_deref() == Some("ad")
                && e.record.detail.as_deref().unwrap_or("").contains(detail)
        })
    };
    assert!(has("change_settings", "retention_days=90"));
    assert!(has("export_case", "csv"));
    assert!(has("export_case", "html"));
}

#[test]
fn retention_apply_removes_expired_ads_reanalyses_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let d: &Path = dir.path();
    copy_workspace(template_db(), &d.join("ws.db"));
    let url = format!("sqlite://{}/ws.db", d.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let count = |sql: &'static str| {
        rt.block_on(async {
            let store = SqliteStore::open(&url).await.unwrap();
            let n: i64 = sqlx::query_scalar(sql)
                .fetch_one(store.pool())
                .await
                .unwrap();
            store.close().await;
            n
        })
    };
    let before = count("SELECT count(*) FROM ads");
    // Half the ads were stored a year ago.
    rt.block_on(async {
        let store = SqliteStore::open(&url).await.unwrap();
        sqlx::query("UPDATE ads SET ingested_at = '2025-01-01T00:00:00.000Z' WHERE ad_key % 2 = 0")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    Command::cargo_bin("plainsight")
        .unwrap()
        .current_dir(d)
        .env("PLAINSIGHT_DB", &url)
        .args(["-q", "retention", "--apply", "--days", "180"])
        .assert()
        .success();
    let after = count("SELECT count(*) FROM ads");
    assert_eq!(after, before - before / 2, "the old half is gone");
    assert_eq!(
        count("SELECT count(*) FROM network_ads"),
        after,
        "networks were rebuilt from what is left"
    );
    assert_eq!(
        count("SELECT count(*) FROM audit_log WHERE action = 'retention_purge'"),
        1
    );
    assert_eq!(count("SELECT count(*) FROM ads WHERE ad_key % 2 = 0"), 0);
}

/// A log-on post with a fixed form token (the token only has to match its cookie), from a
/// given client address, ready to be sent by any task.
fn login_request(name: &str, password: &str, from: &str) -> Request<Body> {
    let body = serde_urlencoded::to_string([
        ("csrf", "race-token"),
        ("username", name),
        ("password", password),
    ])
    .unwrap();
    let mut req = Request::post("/login")
        .header(header::COOKIE, "ps_prelogin=race-token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    let addr: std::net::SocketAddr = from.parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

/// Send every request at once: each task waits at a barrier until all are ready.
async fn all_at_once(app: &Router, requests: Vec<Request<Body>>) -> Vec<StatusCode> {
    let barrier = Arc::new(tokio::sync::Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|req| {
            let app = app.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                app.oneshot(req).await.unwrap().status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

/// How many passwords were really checked against an account's hash: the audit log records
/// each check's outcome (a wrong password, or a right one), and refusals separately.
async fn passwords_checked(store: &SqliteStore, name: &str) -> usize {
    store
        .audit_entries(0, 1_000_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.record.actor.as_deref() == Some(name))
        .filter(|e| {
            (e.record.action == "login" && e.record.detail.as_deref() == Some("wrong password"))
                || e.record.action == "login_password"
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ins_check_at_most_five_passwords_and_never_fail() {
    let t = app().await;
    let id = t.user("race", Role::Analyst, "vice").await;
    let requests = (0..100)
        .map(|i| login_request("race", &format!("wrong guess {i}"), "127.0.0.1:5000"))
        .collect();
    let statuses = all_at_once(&t.app, requests).await;
    let errors = statuses.iter().filter(|s| s.is_server_error()).count();
    assert_eq!(errors, 0, "no request may fail: {statuses:?}");
    let checked = passwords_checked(&t.store, "race").await;
    eprintln!("passwords checked under 100 concurrent log-ons: {checked}");
    assert!(checked <= 5, "{checked} passwords were checked");
    assert!(checked >= 1, "some password was checked");
    assert_eq!(
        t.store.user_by_id(id).await.unwrap().unwrap().status,
        "locked"
    );
    // The right password is refused now.
    let r = t
        .password_step(&mut Browser::default(), "race", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(b_has_no_session(&r));
    assert_eq!(passwords_checked(&t.store, "race").await, checked);
}

fn b_has_no_session(r: &Reply) -> bool {
    !r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().unwrap_or("").starts_with("ps_session="))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ins_from_one_address_respect_its_limit() {
    let config = WebConfig::default();
    let limit = config.max_failures_per_source as usize;
    let t = app_with(config).await;
    // One guess against each of 100 names from one address.
    let requests = (0..100)
        .map(|i| login_request(&format!("someone{i}"), "a guess at it", "10.9.8.7:4000"))
        .collect();
    let statuses = all_at_once(&t.app, requests).await;
    assert_eq!(statuses.iter().filter(|s| s.is_server_error()).count(), 0);
    let tried = t
        .store
        .audit_entries(0, 1_000_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.record.source.as_deref() == Some("10.9.8.7"))
        .filter(|e| e.record.action == "login" && e.record.outcome.as_str() == "failure")
        .count();
    assert!(
        tried <= limit,
        "{tried} guesses from one address (limit {limit})"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        100 - tried
    );
}

/// The message a refused log-on shows.
fn alert(body: &str) -> String {
    find_after(body, "role=\"alert\">").unwrap_or_default()
}

#[tokio::test]
async fn refusals_do_not_tell_real_user_names_from_unknown_ones() {
    let t = app().await;
    t.user("real", Role::Analyst, "vice").await;
    let mut answers = Vec::new();
    for name in ["real", "unreal"] {
        let mut seq = Vec::new();
        for _ in 0..7 {
            let r = t
                .password_step(&mut Browser::default(), name, "not the password")
                .await;
            seq.push((r.status, alert(&r.body)));
        }
        answers.push(seq);
    }
    assert!(!answers[0][0].1.is_empty());
    assert_eq!(answers[0], answers[1]);
}

/// Everything stored except the failure counts that log-on steps reserve before checking a
/// secret (kept on purpose when the step then fails: a failing audit log gives no extra
/// guesses).
fn without_attempts(
    mut d: std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    d.remove("auth_failures");
    d
}

/// A request to a route of the URL map: (route, path, browser, form fields).
type RouteRequest = (&'static str, String, Browser, Vec<(&'static str, String)>);

/// A form to post: (path, browser, form token, fields with valid values).
type FormCase<'a> = (String, Browser, String, Vec<(&'static str, &'a str)>);

/// Every POST route of the URL map.
fn post_routes() -> std::collections::BTreeSet<&'static str> {
    plainsight_web::URL_MAP
        .iter()
        .filter(|(_, methods)| methods.contains(&"post"))
        .map(|(path, _)| *path)
        .collect()
}

#[tokio::test]
async fn a_change_whose_audit_entry_cannot_be_written_is_not_stored() {
    let t = app().await;
    t.user("root", Role::Administrator, "vice").await;
    let target = t.user("tg", Role::Analyst, "vice").await;
    let off = t.user("off", Role::Analyst, "vice").await;
    let mut admin = Browser::default();
    t.sign_in(&mut admin, "root", None, 0).await;
    let networks: Vec<i64> =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY network_id LIMIT 2")
            .fetch_all(t.store.pool())
            .await
            .unwrap();
    let network = networks[0];
    let token = t.csrf(&mut admin, "/cases").await;
    let case = t
        .post(&mut admin, "/cases", &[("csrf", &token), ("title", "kept")])
        .await
        .location()
        .trim_start_matches("/cases/")
        .to_string();
    let n = network.to_string();
    t.post(
        &mut admin,
        "/cases/add",
        &[
            ("csrf", &token),
            ("case_id", &case),
            ("kind", "network"),
            ("item", &n),
        ],
    )
    .await;
    let r = t
        .post(
            &mut admin,
            &format!("/admin/users/{off}"),
            &[("csrf", &token), ("action", "disable")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A half-signed-in browser for the second-factor step.
    let mut half = Browser::default();
    t.password_step(&mut half, "tg", PASSWORD).await;
    let mfa_page = t.get(&mut half, "/mfa").await;
    let secret = find_after(&mfa_page.body, "<code class=\"secret\">").unwrap();
    let half_token = find_after(&mfa_page.body, "name=\"csrf\" value=\"").unwrap();
    let mut anon = Browser::default();
    let anon_token = t.csrf(&mut anon, "/login").await;

    // (route in the URL map, request path, browser, form)
    let code = code_for(&secret, 0);
    let tgt = target.to_string();
    let offs = off.to_string();
    let case_path = |p: &str| format!("/cases/{case}{p}");
    let mut requests: Vec<RouteRequest> = vec![
        (
            "/login",
            "/login".into(),
            anon.clone(),
            vec![
                ("csrf", anon_token.clone()),
                ("username", "tg".into()),
                ("password", PASSWORD.into()),
            ],
        ),
        (
            "/mfa",
            "/mfa".into(),
            half.clone(),
            vec![("csrf", half_token.clone()), ("code", code.clone())],
        ),
        (
            "/password",
            "/password".into(),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("current", PASSWORD.into()),
                ("new", "another perfectly fine passphrase".into()),
            ],
        ),
        (
            "/logout",
            "/logout".into(),
            admin.clone(),
            vec![("csrf", token.clone())],
        ),
        (
            "/networks/{id}/label",
            format!("/networks/{network}/label"),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("label", "known_case".into()),
                ("note", "n".into()),
            ],
        ),
        (
            "/cases",
            "/cases".into(),
            admin.clone(),
            vec![("csrf", token.clone()), ("title", "never".into())],
        ),
        (
            "/cases/add",
            "/cases/add".into(),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("case_id", case.clone()),
                ("kind", "network".into()),
                ("item", networks[1].to_string()),
            ],
        ),
        (
            "/cases/{id}/items/remove",
            case_path("/items/remove"),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("kind", "network".into()),
                ("item", n.clone()),
            ],
        ),
        (
            "/cases/{id}/notes",
            case_path("/notes"),
            admin.clone(),
            vec![("csrf", token.clone()), ("text", "never stored".into())],
        ),
        (
            "/cases/{id}/status",
            case_path("/status"),
            admin.clone(),
            vec![("csrf", token.clone()), ("status", "closed".into())],
        ),
        (
            "/cases/{id}/details",
            case_path("/details"),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("agency_case_number", "2026-0001".into()),
                ("assignee", "root".into()),
            ],
        ),
        (
            "/leads/bulk",
            "/leads/bulk".into(),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("network", networks[0].to_string()),
                ("network", networks[1].to_string()),
                ("action", "label".into()),
                ("label", "other".into()),
                ("note", "never".into()),
            ],
        ),
        (
            "/leads/bulk",
            "/leads/bulk".into(),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("network", networks[1].to_string()),
                ("action", "add_to_case".into()),
                ("case_id", case.clone()),
            ],
        ),
        (
            "/admin/users",
            "/admin/users".into(),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("username", "newbie".into()),
                ("display_name", "New".into()),
                ("role", "analyst".into()),
                ("team", "vice".into()),
            ],
        ),
        (
            "/admin/settings",
            "/admin/settings".into(),
            admin.clone(),
            vec![
                ("csrf", token.clone()),
                ("retention_days", "30".into()),
                ("banner", "changed".into()),
            ],
        ),
    ];
    for action in ["disable", "reset_mfa", "reset_password", "role:supervisor"] {
        requests.push((
            "/admin/users/{id}",
            format!("/admin/users/{tgt}"),
            admin.clone(),
            vec![("csrf", token.clone()), ("action", action.into())],
        ));
    }
    requests.push((
        "/admin/users/{id}",
        format!("/admin/users/{offs}"),
        admin.clone(),
        vec![("csrf", token.clone()), ("action", "enable".into())],
    ));
    let tested: std::collections::BTreeSet<&str> = requests.iter().map(|r| r.0).collect();
    assert_eq!(tested, post_routes(), "every state-changing route is tried");
    for (route, path, mut browser, form) in requests {
        let before = t.store.contents_digest().await.unwrap();
        t.store.refuse_audit_inserts().await.unwrap();
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = t.post(&mut browser, &path, &form).await;
        t.store.allow_audit_inserts().await.unwrap();
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{route} ({path}) answered {} without its audit entry",
            r.status
        );
        let after = t.store.contents_digest().await.unwrap();
        if ["/login", "/mfa", "/password"].contains(&route) {
            assert_eq!(without_attempts(after), without_attempts(before), "{route}");
        } else {
            assert_eq!(after, before, "{route} ({path}) changed what is stored");
        }
    }
    // The same request with the audit log working does change things (the test can fail).
    let r = t
        .post(
            &mut admin,
            &case_path("/notes"),
            &[("csrf", &token), ("text", "stored")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The command line follows the same rule.
    let db = t._dir.path().join("ws.db");
    let before = t.store.contents_digest().await.unwrap();
    t.store.refuse_audit_inserts().await.unwrap();
    for args in [
        vec!["user", "add", "clinew", "--role", "analyst"],
        vec!["user", "disable", "tg"],
        vec!["user", "enable", "off"],
        vec!["user", "reset-password", "tg"],
        vec!["user", "reset-mfa", "tg"],
        vec!["retention", "--apply", "--days", "1"],
    ] {
        Command::cargo_bin("plainsight")
            .unwrap()
            .env("PLAINSIGHT_DB", format!("sqlite://{}", db.display()))
            .args(&args)
            .assert()
            .failure();
        assert_eq!(
            t.store.contents_digest().await.unwrap(),
            before,
            "{args:?} changed what is stored"
        );
    }
    t.store.allow_audit_inserts().await.unwrap();
    assert!(verify_chain(&t.store).await.is_ok());
}

#[tokio::test]
async fn guessing_the_current_password_locks_the_account_and_ends_its_sessions() {
    let t = app().await;
    let id = t.user("gu", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    let secret = t.sign_in(&mut b, "gu", None, 0).await;
    let mut other = Browser::default();
    t.sign_in(&mut other, "gu", Some(&secret), 1).await;
    let token = t.csrf(&mut b, "/password").await;
    for i in 0..4 {
        let r = t
            .post(
                &mut b,
                "/password",
                &[
                    ("csrf", &token),
                    ("current", &format!("guess number {i}")),
                    ("new", "a brand new passphrase"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "guess {i}");
    }
    let r = t
        .post(
            &mut b,
            "/password",
            &[
                ("csrf", &token),
                ("current", "guess number 5"),
                ("new", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/login");
    assert_eq!(
        t.store.user_by_id(id).await.unwrap().unwrap().status,
        "locked"
    );
    // Every session of the account ended, and the right password no longer helps.
    assert_eq!(t.get(&mut b, "/leads").await.location(), "/login");
    assert_eq!(t.get(&mut other, "/leads").await.location(), "/login");
    let r = t
        .password_step(&mut Browser::default(), "gu", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let actions = audit_actions(&t.store).await;
    let failures = actions
        .iter()
        .filter(|(a, o, who)| a == "password_change" && o == "failure" && who == "gu")
        .count();
    assert_eq!(failures, 5);
    assert!(
        actions
            .iter()
            .any(|(a, _, who)| a == "account_locked" && who == "gu")
    );
}

/// Path parameters of the URL map filled in with records of the test workspace.
async fn fill_path(t: &TestApp, path: &str, case: &str) -> String {
    let network: i64 =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY priority DESC LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let ad: i64 = sqlx::query_scalar("SELECT ad_key FROM ads LIMIT 1")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    let filled = if path.starts_with("/networks/") {
        path.replace("{id}", &network.to_string())
    } else if path.starts_with("/cases/") {
        path.replace("{id}", case)
    } else if path.starts_with("/admin/users/") {
        path.replace("{id}", "1")
    } else {
        path.replace("{key}", &ad.to_string())
            .replace("{file}", "style.css")
    };
    if filled == "/search" {
        "/search?q=girl".into()
    } else {
        filled
    }
}

#[tokio::test]
async fn every_page_that_shows_data_writes_an_audit_entry() {
    // Pages that show no workspace data: the sign-in forms and the embedded assets.
    const NO_DATA: [&str; 4] = ["/login", "/mfa", "/password", "/static/{file}"];
    let t = app().await;
    t.user("aw", Role::Administrator, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "aw", None, 0).await;
    let token = t.csrf(&mut b, "/cases").await;
    let case = t
        .post(&mut b, "/cases", &[("csrf", &token), ("title", "walk")])
        .await
        .location()
        .trim_start_matches("/cases/")
        .to_string();
    let gets: Vec<&str> = plainsight_web::URL_MAP
        .iter()
        .filter(|(_, m)| m.contains(&"get"))
        .map(|(p, _)| *p)
        .collect();
    for exempt in NO_DATA {
        assert!(gets.contains(&exempt), "{exempt} is no longer a page");
    }
    for route in gets.iter().filter(|r| !NO_DATA.contains(r)) {
        let path = fill_path(&t, route, &case).await;
        let before = t.store.audit_entries(0, 1_000_000).await.unwrap().len();
        let r = t.get(&mut b, &path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let entries = t.store.audit_entries(0, 1_000_000).await.unwrap();
        assert!(
            entries[before..]
                .iter()
                .any(|e| e.record.actor.as_deref() == Some("aw")
                    && e.record.outcome.as_str() == "success"),
            "{route} ({path}) showed data without an audit entry"
        );
    }
}

#[tokio::test]
async fn every_form_field_is_bounded_on_the_server() {
    let t = app().await;
    t.user("lim", Role::Administrator, "vice").await;
    t.user("lim2", Role::Analyst, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "lim", None, 0).await;
    let token = t.csrf(&mut b, "/cases").await;
    let case = t
        .post(&mut b, "/cases", &[("csrf", &token), ("title", "bounded")])
        .await
        .location()
        .trim_start_matches("/cases/")
        .to_string();
    let network: i64 = sqlx::query_scalar("SELECT network_id FROM networks LIMIT 1")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    let mut half = Browser::default();
    t.password_step(&mut half, "lim2", PASSWORD).await;
    let half_token = t.csrf(&mut half, "/mfa").await;
    let mut anon = Browser::default();
    let anon_token = t.csrf(&mut anon, "/login").await;
    let n = network.to_string();
    // (path, browser, csrf, fields with valid values)
    let forms: Vec<FormCase> = vec![
        (
            "/login".into(),
            anon.clone(),
            anon_token.clone(),
            vec![("username", "lim"), ("password", "x")],
        ),
        (
            "/mfa".into(),
            half.clone(),
            half_token.clone(),
            vec![("code", "123456")],
        ),
        (
            "/password".into(),
            b.clone(),
            token.clone(),
            vec![("current", "x"), ("new", "a good long passphrase")],
        ),
        (
            format!("/networks/{n}/label"),
            b.clone(),
            token.clone(),
            vec![("label", "other"), ("note", "")],
        ),
        (
            "/cases".into(),
            b.clone(),
            token.clone(),
            vec![("title", "t")],
        ),
        (
            "/cases/add".into(),
            b.clone(),
            token.clone(),
            vec![("case_id", &case), ("kind", "network"), ("item", &n)],
        ),
        (
            format!("/cases/{case}/items/remove"),
            b.clone(),
            token.clone(),
            vec![("kind", "network"), ("item", &n)],
        ),
        (
            format!("/cases/{case}/notes"),
            b.clone(),
            token.clone(),
            vec![("text", "t")],
        ),
        (
            format!("/cases/{case}/status"),
            b.clone(),
            token.clone(),
            vec![("status", "open")],
        ),
        (
            format!("/cases/{case}/details"),
            b.clone(),
            token.clone(),
            vec![("agency_case_number", "A-1"), ("assignee", "")],
        ),
        (
            "/leads/bulk".into(),
            b.clone(),
            token.clone(),
            vec![
                ("network", &n),
                ("action", "label"),
                ("label", "other"),
                ("note", ""),
                ("case_id", &case),
            ],
        ),
        (
            "/admin/users".into(),
            b.clone(),
            token.clone(),
            vec![
                ("username", "u"),
                ("display_name", "U"),
                ("role", "analyst"),
                ("team", "vice"),
                ("area", ""),
            ],
        ),
        (
            "/admin/users/2".into(),
            b.clone(),
            token.clone(),
            vec![("action", "reset_mfa")],
        ),
        (
            "/admin/settings".into(),
            b.clone(),
            token.clone(),
            vec![("retention_days", "30"), ("banner", "b")],
        ),
    ];
    let routes = [
        "/login",
        "/mfa",
        "/password",
        "/networks/{id}/label",
        "/cases",
        "/cases/add",
        "/cases/{id}/items/remove",
        "/cases/{id}/notes",
        "/cases/{id}/status",
        "/cases/{id}/details",
        "/leads/bulk",
        "/admin/users",
        "/admin/users/{id}",
        "/admin/settings",
    ];
    assert_eq!(routes.len(), forms.len());
    let tested: std::collections::BTreeSet<String> = routes.iter().map(|r| r.to_string()).collect();
    // Sign-out sends no field but its token.
    let all: std::collections::BTreeSet<String> = post_routes()
        .into_iter()
        .filter(|r| *r != "/logout")
        .map(String::from)
        .collect();
    assert_eq!(tested, all, "every form with fields is tried");
    for (path, browser, csrf, fields) in &forms {
        for (field, _) in fields {
            let max = plainsight_web::max_chars(field);
            let long = "x".repeat(max + 1);
            let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
            for (k, v) in fields {
                form.push((k, if k == field { &long } else { v }));
            }
            let before = without_attempts(t.store.contents_digest().await.unwrap());
            let r = t.post(&mut browser.clone(), path, &form).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{path} {field}: {}",
                r.body
            );
            let text = &r.body;
            assert!(
                text.contains(&format!("field {field} ")) && text.contains(&max.to_string()),
                "{path} {field}: {text}"
            );
            assert_eq!(
                without_attempts(t.store.contents_digest().await.unwrap()),
                before,
                "{path} {field}: stored something"
            );
        }
    }
    // Query fields too.
    for (path, field) in [
        ("/leads", "place"),
        ("/leads", "indicator"),
        ("/leads", "since"),
        ("/search", "q"),
        ("/search", "site"),
        ("/search.csv", "q"),
        ("/leads", "sort"),
        ("/admin/audit", "actor"),
        ("/admin/audit", "object"),
    ] {
        let max = plainsight_web::max_chars(field);
        let r = t
            .get(&mut b, &format!("{path}?{field}={}", "x".repeat(max + 1)))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} {field}");
        assert!(
            r.body.contains(&format!("field {field} ")),
            "{path} {field}"
        );
    }
    // A value at the limit is taken.
    let note = "n".repeat(plainsight_web::max_chars("text"));
    let r = t
        .post(
            &mut b,
            &format!("/cases/{case}/notes"),
            &[("csrf", &token), ("text", &note)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A body larger than any form is refused before it is read.
    let huge = "y".repeat(plainsight_web::BODY_LIMIT_BYTES + 1);
    let r = t
        .post(
            &mut b,
            &format!("/cases/{case}/notes"),
            &[("csrf", &token), ("text", &huge)],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let notes = t.store.case_notes(case.parse().unwrap()).await.unwrap();
    assert_eq!(notes.len(), 1);
}

#[tokio::test]
async fn page_numbers_and_entry_numbers_out_of_range_are_refused() {
    let t = app().await;
    t.user("pg", Role::Administrator, "vice").await;
    let mut b = Browser::default();
    t.sign_in(&mut b, "pg", None, 0).await;
    for path in [
        "/leads?page=18446744073709551615",
        "/leads?page=1000001",
        "/leads?page=-1",
        "/leads?page=abc",
        "/admin/audit?before=0",
        "/admin/audit?before=-5",
        "/admin/audit?before=99999999999999999999",
    ] {
        let r = t.get(&mut b, path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(!r.body.contains("Page 0"), "{path}");
    }
    let r = t.get(&mut b, "/leads?page=1000000").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Page 1000000 of"), "{}", r.body);
    // Pages are numbered from 1 in the address and on the page alike.
    let r = t.get(&mut b, "/leads?page=2&place=").await;
    assert!(r.body.contains("Page 2 of"));
    let r = t.get(&mut b, "/leads?page=1&place=").await;
    assert!(r.body.contains("Page 1 of"));
    for path in ["/search?q=girl&page=1000001", "/search?q=girl&page=-1"] {
        let r = t.get(&mut b, path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
    }
}

#[tokio::test]
async fn csv_exports_keep_formulas_from_outsiders_as_text() {
    let t = app().await;
    t.user("cx", Role::Analyst, "vice").await;
    // An anonymous log-on attempt with a formula for a user name.
    let formula = "=HYPERLINK(\"http://x.example\",\"open\")";
    let r = t
        .password_step(&mut Browser::default(), formula, "whatever it is")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let db = t._dir.path().join("ws.db");
    let out = t._dir.path().join("audit.csv");
    Command::cargo_bin("plainsight")
        .unwrap()
        .env("PLAINSIGHT_DB", format!("sqlite://{}", db.display()))
        .args(["audit", "export", "--format", "csv", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let actors: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[2].to_string())
        .collect();
    assert!(actors.contains(&format!("'{formula}")), "{actors:?}");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell}"
            );
        }
    }
    // The case package, with a note and a title of formulas.
    let mut b = Browser::default();
    t.sign_in(&mut b, "cx", None, 0).await;
    let token = t.csrf(&mut b, "/cases").await;
    let case = t
        .post(&mut b, "/cases", &[("csrf", &token), ("title", "@SUM(A1)")])
        .await
        .location()
        .to_string();
    t.post(
        &mut b,
        &format!("{case}/notes"),
        &[("csrf", &token), ("text", "-2+3")],
    )
    .await;
    let csv_text = t.get(&mut b, &format!("{case}/export.csv")).await.body;
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(cells.contains(&"'-2+3".to_string()), "{cells:?}");
    assert!(cells.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])));
}

#[tokio::test]
async fn serve_adds_ads_an_interrupted_ingest_left_out_of_the_search_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    copy_workspace(template_db(), &db);
    let url = format!("sqlite://{}", db.display());
    // An ingest that stopped after storing a batch and before indexing it (ingest fills the
    // search index every 65,536 ads and at its end): the ads are stored, not searchable.
    let store = SqliteStore::open(&url).await.unwrap();
    let batch: Vec<plainsight_store::NewAd> = (0..3)
        .map(|i| {
            let ad = plainsight_core::Ad {
                id: format!("late-{i}"),
                site: Some("test".into()),
                title: Some(format!("zanzibarique listing {i}")),
                body: Some("stored but never indexed".into()),
                ..Default::default()
            };
            plainsight_store::NewAd::new(ad, Default::default(), "late.jsonl".into(), i + 1)
                .unwrap()
        })
        .collect();
    use plainsight_store::Store as _;
    assert_eq!(store.insert_ads(&batch).await.unwrap().stored, 3);
    assert!(
        store
            .search_ads("zanzibarique", 10, 0)
            .await
            .unwrap()
            .is_empty(),
        "not searchable yet"
    );
    store.close().await;
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("plainsight"))
        .env("PLAINSIGHT_DB", &url)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut server = Server(child);
    use std::io::BufRead as _;
    let stderr = server.0.stderr.take().unwrap();
    let said: Vec<String> = std::io::BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.contains("serving at"))
        .collect();
    drop(server);
    assert!(
        said.iter()
            .any(|l| l.contains("Added 3 stored ads to the search index")),
        "{said:?}"
    );
    let store = SqliteStore::open(&url).await.unwrap();
    assert_eq!(
        store.search_ads("zanzibarique", 10, 0).await.unwrap().len(),
        3
    );
    sqlx::query("INSERT INTO ads_fts (ads_fts) VALUES ('integrity-check')")
        .execute(store.pool())
        .await
        .unwrap();
}
