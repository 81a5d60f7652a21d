//! Signing in (password, then TOTP, enrolling at the first log-on), changing the password, and
//! signing out. Lock-out after repeated failures, rate-limited second-factor attempts, one use
//! per TOTP code, and a new session token at every step up.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::{Markup, html};
use plainsight_access::audit::Outcome;
use plainsight_access::{
    PasswordPolicy, SessionToken, TotpRejection, TotpSecret, check_new_password, dummy_verify,
    hash_password, provisioning_uri, qr_svg, random_token, token_digest, verify_password,
    verify_totp,
};
use plainsight_store::{SessionRecord, SessionStage, UserRecord};
use serde::Deserialize;

use crate::context::{ClientAddr, MaybeSession, Signed, audit};
use crate::security::{CsrfForm, cookie, prelogin_cookie_name, read_cookie, session_cookie_name};
use crate::views::{Frame, csrf_field, page, svg};
use crate::{AppState, WebError};

/// Said for every wrong user name or password, so the page does not tell which was wrong.
const WRONG_CREDENTIALS: &str = "The user name or password is not right.";

fn login_page(state: &AppState, banner: &str, token: &str, message: Option<&str>) -> Markup {
    page(
        &Frame::anonymous(state, "Sign in"),
        html! {
            section.narrow {
                h1 { "Sign in" }
                div.banner role="note" { (banner) }
                @if let Some(m) = message { p.error role="alert" { (m) } }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(token);
                    label { "User name" input name="username" autocomplete="username" required autofocus; }
                    label { "Password" input name="password" type="password" autocomplete="current-password" required; }
                    button type="submit" { "Continue" }
                }
            }
        },
    )
}

/// The log-on form, with a fresh anti-forgery token in a short-lived cookie.
pub async fn login_form(State(state): State<AppState>) -> Result<Response, WebError> {
    let token = random_token();
    let banner = banner(&state).await?;
    let mut res = login_page(&state, &banner, &token, None).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(
            prelogin_cookie_name(state.config.tls),
            &token,
            state.config.tls,
            Some(900),
        ),
    );
    Ok(res)
}

/// The log-on notice: the administrator's text, or the configured default.
async fn banner(state: &AppState) -> Result<String, WebError> {
    Ok(state
        .store
        .setting("banner")
        .await?
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| state.config.banner.clone()))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
}

async fn refuse_login(state: &AppState, message: &str) -> Result<Response, WebError> {
    let token = random_token();
    let banner = banner(state).await?;
    let mut res = (
        axum::http::StatusCode::UNAUTHORIZED,
        login_page(state, &banner, &token, Some(message)),
    )
        .into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(
            prelogin_cookie_name(state.config.tls),
            &token,
            state.config.tls,
            Some(900),
        ),
    );
    Ok(res)
}

/// Check the password; on success start a half-signed-in session that only the second-factor
/// page accepts.
pub async fn login(
    State(state): State<AppState>,
    axum::Extension(client): axum::Extension<ClientAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let expected = read_cookie(&headers, prelogin_cookie_name(state.config.tls));
    if expected
        .as_deref()
        .is_none_or(|e| form.csrf.is_empty() || !plainsight_access::constant_time_eq(e, &form.csrf))
    {
        return Err(WebError::Csrf);
    }
    let username = form.username.trim();
    let now = Utc::now();
    if let Some(source) = client.0.as_deref() {
        let recent = state
            .store
            .count_source_failures(source, state.config.lockout.window_start(now))
            .await?;
        if recent >= state.config.max_failures_per_source {
            audit(
                &state,
                Some(username),
                &client,
                "login",
                None,
                Outcome::Denied,
                Some("too many failures from this address"),
            )
            .await?;
            return Err(WebError::TooManyAttempts);
        }
    }
    let user = state.store.user_by_name(username).await?;
    let Some(user) = user else {
        // Same work as for a real account, so timing does not reveal which names exist.
        dummy_verify(&form.password);
        state
            .store
            .record_auth_failure(username, "password", now, client.0.as_deref())
            .await?;
        audit(
            &state,
            Some(username),
            &client,
            "login",
            None,
            Outcome::Failure,
            Some("unknown user"),
        )
        .await?;
        return refuse_login(&state, WRONG_CREDENTIALS).await;
    };
    let object = Some(format!("user:{}", user.user_id));
    match user.status.as_str() {
        "locked" => {
            dummy_verify(&form.password);
            audit(
                &state,
                Some(&user.username),
                &client,
                "login",
                object,
                Outcome::Denied,
                Some("account locked"),
            )
            .await?;
            return refuse_login(
                &state,
                "This account is locked after repeated failed sign-ins. An administrator must release it.",
            ).await;
        }
        "disabled" => {
            dummy_verify(&form.password);
            audit(
                &state,
                Some(&user.username),
                &client,
                "login",
                object,
                Outcome::Denied,
                Some("account disabled"),
            )
            .await?;
            return refuse_login(&state, WRONG_CREDENTIALS).await;
        }
        _ => {}
    }
    let right = verify_password(&form.password, &user.password_hash)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if !right {
        state
            .store
            .record_auth_failure(&user.username, "password", now, client.0.as_deref())
            .await?;
        audit(
            &state,
            Some(&user.username),
            &client,
            "login",
            object.clone(),
            Outcome::Failure,
            Some("wrong password"),
        )
        .await?;
        let policy = &state.config.lockout;
        let failures = state
            .store
            .count_auth_failures(&user.username, "password", policy.window_start(now))
            .await?;
        if policy.should_lock(failures) {
            state
                .store
                .set_user_status(user.user_id, "locked", Some("too many failed sign-ins"))
                .await?;
            audit(
                &state,
                Some(&user.username),
                &client,
                "account_locked",
                object,
                Outcome::Success,
                Some("failed sign-ins"),
            )
            .await?;
            return refuse_login(
                &state,
                "This account is now locked after repeated failed sign-ins. An administrator must release it.",
            ).await;
        }
        return refuse_login(&state, WRONG_CREDENTIALS).await;
    }
    state
        .store
        .clear_auth_failures(&user.username, "password")
        .await?;
    audit(
        &state,
        Some(&user.username),
        &client,
        "login_password",
        object,
        Outcome::Success,
        None,
    )
    .await?;
    let res = start_session(&state, &user, SessionStage::Password, &client, &headers).await?;
    Ok(with_redirect(res, "/mfa"))
}

/// Create a session with a new token (replacing whatever session the browser had: a token is
/// never carried across a change of privilege) and set its cookie.
async fn start_session(
    state: &AppState,
    user: &UserRecord,
    stage: SessionStage,
    client: &ClientAddr,
    headers: &HeaderMap,
) -> Result<HeaderMap, WebError> {
    let tls = state.config.tls;
    if let Some(old) = read_cookie(headers, session_cookie_name(tls)) {
        state.store.delete_session(&token_digest(&old)).await?;
    }
    let token = SessionToken::generate();
    state
        .store
        .create_session(
            &token_digest(token.as_str()),
            user.user_id,
            stage,
            &random_token(),
            Utc::now(),
            client.0.as_deref(),
        )
        .await?;
    let mut out = HeaderMap::new();
    out.append(
        header::SET_COOKIE,
        cookie(session_cookie_name(tls), token.as_str(), tls, None),
    );
    out.append(
        header::SET_COOKIE,
        cookie(prelogin_cookie_name(tls), "", tls, Some(0)),
    );
    Ok(out)
}

fn with_redirect(headers: HeaderMap, to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().extend(headers);
    res
}

fn half_session(session: &MaybeSession) -> Result<SessionRecord, WebError> {
    session
        .0
        .clone()
        .filter(|s| s.stage == SessionStage::Password)
        .ok_or(WebError::SignInRequired)
}

fn mfa_page(
    state: &AppState,
    session: &SessionRecord,
    enrol: Option<&TotpSecret>,
    message: Option<&str>,
) -> Markup {
    page(
        &Frame::anonymous(state, "Second factor"),
        html! {
            section.narrow {
                @if let Some(secret) = enrol {
                    h1 { "Set up your authenticator" }
                    p { "Every account uses a second factor. Scan this code with an authenticator app (any app that supports TOTP), or type the key into it, then enter the 6-digit code it shows." }
                    div.qr { (svg(qr_svg(&provisioning_uri(secret, &session.user.username, &state.config.issuer)))) }
                    p { "Key: " code.secret { (secret.to_base32()) } }
                } @else {
                    h1 { "Enter your code" }
                    p { "Enter the 6-digit code from your authenticator app." }
                }
                @if let Some(m) = message { p.error role="alert" { (m) } }
                form method="post" action="/mfa" {
                    input type="hidden" name="csrf" value=(session.csrf_token);
                    label { "Code" input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required autofocus; }
                    button type="submit" { "Sign in" }
                }
            }
        },
    )
}

/// The second-factor page; at the first log-on it shows a new secret to enrol.
pub async fn mfa_form(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<MaybeSession>,
) -> Result<Response, WebError> {
    let session = half_session(&session)?;
    if session.user.mfa_enrolled() {
        return Ok(mfa_page(&state, &session, None, None).into_response());
    }
    // Keep one pending secret per half-session, so reloading the page does not invalidate a
    // code the user already scanned.
    let secret = match session.pending_totp.as_deref().map(TotpSecret::from_base32) {
        Some(Ok(secret)) => secret,
        _ => {
            let secret = TotpSecret::generate();
            state
                .store
                .set_pending_totp(&session.token_digest, &secret.to_base32())
                .await?;
            secret
        }
    };
    Ok(mfa_page(&state, &session, Some(&secret), None).into_response())
}

#[derive(Deserialize)]
pub struct MfaForm {
    code: String,
}

/// Check the TOTP code: rate-limited, each code once; success rotates to a full session.
pub async fn mfa(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<MaybeSession>,
    axum::Extension(client): axum::Extension<ClientAddr>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<MfaForm>,
) -> Result<Response, WebError> {
    let session = half_session(&session)?;
    let user = &session.user;
    let object = Some(format!("user:{}", user.user_id));
    let now = Utc::now();
    let policy = &state.config.totp_attempts;
    let attempts = state
        .store
        .count_auth_failures(&user.username, "totp", now - policy.window)
        .await?;
    if policy.should_refuse(attempts) {
        audit(
            &state,
            Some(&user.username),
            &client,
            "login_mfa",
            object,
            Outcome::Denied,
            Some("rate limited"),
        )
        .await?;
        return Err(WebError::TooManyAttempts);
    }
    let (secret, enrolling) = match (&user.totp_secret, &session.pending_totp) {
        (Some(s), _) => (s.clone(), false),
        (None, Some(p)) => (p.clone(), true),
        (None, None) => return Ok(Redirect::to("/mfa").into_response()),
    };
    let secret = TotpSecret::from_base32(&secret).map_err(|e| WebError::Internal(e.to_string()))?;
    let last = if enrolling { None } else { user.totp_last_step };
    let verdict = verify_totp(&secret, &form.code, now.timestamp(), last);
    let step = match verdict {
        Ok(step) => step,
        Err(why) => {
            state
                .store
                .record_auth_failure(&user.username, "totp", now, client.0.as_deref())
                .await?;
            let detail = match why {
                TotpRejection::Malformed => "malformed code",
                TotpRejection::Wrong => "wrong code",
                TotpRejection::Reused => "code reused",
            };
            audit(
                &state,
                Some(&user.username),
                &client,
                "login_mfa",
                object,
                Outcome::Failure,
                Some(detail),
            )
            .await?;
            let message = match why {
                TotpRejection::Malformed => "A code is 6 digits.",
                TotpRejection::Reused => "That code was already used. Wait for the next one.",
                TotpRejection::Wrong => {
                    "That code is not right. Check the time on your device and try the next code."
                }
            };
            let enrol = enrolling.then_some(&secret);
            return Ok((
                axum::http::StatusCode::UNAUTHORIZED,
                mfa_page(&state, &session, enrol, Some(message)),
            )
                .into_response());
        }
    };
    if enrolling {
        state
            .store
            .set_totp_secret(user.user_id, Some(&secret.to_base32()))
            .await?;
        audit(
            &state,
            Some(&user.username),
            &client,
            "mfa_enrolled",
            object.clone(),
            Outcome::Success,
            None,
        )
        .await?;
    }
    if !state.store.use_totp_step(user.user_id, step).await? {
        // Another request used this code between the check and now.
        audit(
            &state,
            Some(&user.username),
            &client,
            "login_mfa",
            object,
            Outcome::Failure,
            Some("code reused"),
        )
        .await?;
        return Err(WebError::TooManyAttempts);
    }
    state
        .store
        .clear_auth_failures(&user.username, "totp")
        .await?;
    state.store.record_login(user.user_id, now).await?;
    audit(
        &state,
        Some(&user.username),
        &client,
        "login",
        object,
        Outcome::Success,
        None,
    )
    .await?;
    let cookies = start_session(&state, user, SessionStage::Full, &client, &headers).await?;
    let next = if user.must_change_password {
        "/password"
    } else {
        "/"
    };
    Ok(with_redirect(cookies, next))
}

fn password_page(state: &AppState, user: &Signed, message: Option<&str>) -> Markup {
    page(
        &Frame::signed(state, user, "Change password", ""),
        html! {
            section.narrow {
                h1 { "Change your password" }
                @if user.user.must_change_password {
                    p { "Your password was set by someone else. Choose your own before you go on." }
                }
                p.hint { "At least 8 characters; a long phrase is best. Common passwords are refused. No other rules." }
                @if let Some(m) = message { p.error role="alert" { (m) } }
                form method="post" action="/password" {
                    (csrf_field(user))
                    label { "Current password" input name="current" type="password" autocomplete="current-password" required; }
                    label { "New password" input name="new" type="password" autocomplete="new-password" required minlength="8"; }
                    button type="submit" { "Change password" }
                }
            }
        },
    )
}

pub async fn password_form(State(state): State<AppState>, user: Signed) -> Markup {
    password_page(&state, &user, None)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    user: Signed,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, WebError> {
    let object = Some(format!("user:{}", user.user.user_id));
    let right = verify_password(&form.current, &user.user.password_hash)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if !right {
        user.audit(
            &state,
            "password_change",
            object,
            Outcome::Failure,
            Some("wrong current password"),
        )
        .await?;
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            password_page(&state, &user, Some("The current password is not right.")),
        )
            .into_response());
    }
    if let Err(why) = check_new_password(&PasswordPolicy::default(), &form.new, &user.user.username)
    {
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            password_page(&state, &user, Some(&why.to_string())),
        )
            .into_response());
    }
    let hash = hash_password(&form.new).map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store
        .set_password(user.user.user_id, &hash, false)
        .await?;
    user.audit(&state, "password_change", object, Outcome::Success, None)
        .await?;
    // Sessions opened with the old password end everywhere; this browser gets a new one.
    state.store.delete_user_sessions(user.user.user_id).await?;
    let cookies = start_session(
        &state,
        &user.user,
        SessionStage::Full,
        &user.client,
        &headers,
    )
    .await?;
    Ok(with_redirect(cookies, "/"))
}

#[derive(Deserialize)]
pub struct Empty {}

/// End the session on the server and clear the cookie.
pub async fn logout(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<MaybeSession>,
    axum::Extension(client): axum::Extension<ClientAddr>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    if let Some(s) = &session.0 {
        state.store.delete_session(&s.token_digest).await?;
        audit(
            &state,
            Some(&s.user.username),
            &client,
            "logout",
            None,
            Outcome::Success,
            None,
        )
        .await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(
            session_cookie_name(state.config.tls),
            "",
            state.config.tls,
            Some(0),
        ),
    );
    Ok(res)
}
