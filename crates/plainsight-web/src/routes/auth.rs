//! Signing in (password, then TOTP, enrolling at the first log-on), changing the password, and
//! signing out. Lock-out after repeated failures, rate-limited second-factor attempts, one use
//! per TOTP code, and a new session token at every step up.

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
use plainsight_store::{
    Attempt, AttemptRequest, LockRule, NewSession, SessionRecord, SessionStage,
};
use serde::Deserialize;

use crate::context::{ClientAddr, MaybeSession, Signed, audit, event};
use crate::limits::max_chars;
use crate::security::{
    BoundedForm, CsrfForm, cookie, prelogin_cookie_name, read_cookie, session_cookie_name,
};
use crate::views::{Frame, csrf_field, page, svg};
use crate::{AppState, WebError};

/// Said for every refused log-on: a wrong user name or password, and a locked or disabled
/// account, so the page does not tell which names exist or which accounts are locked.
const WRONG_CREDENTIALS: &str = "The user name or password is not right, or the account is \
    locked. After repeated failed sign-ins an account stays locked until an administrator \
    releases it.";

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
                    label { "User name" input name="username" autocomplete="username" required autofocus maxlength=(max_chars("username")); }
                    label { "Password" input name="password" type="password" autocomplete="current-password" required maxlength=(max_chars("password")); }
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

/// A new session token and the session to store under its digest, replacing whatever session
/// the browser had (a token is never carried across a change of privilege).
fn new_session(
    state: &AppState,
    user_id: i64,
    stage: SessionStage,
    client: &ClientAddr,
    headers: &HeaderMap,
) -> (SessionToken, NewSession) {
    let token = SessionToken::generate();
    let session = NewSession {
        token_digest: token_digest(token.as_str()),
        user_id,
        stage,
        csrf_token: random_token(),
        now: Utc::now(),
        source: client.0.clone(),
        replaces: read_cookie(headers, session_cookie_name(state.config.tls))
            .map(|old| token_digest(&old)),
    };
    (token, session)
}

/// The cookies that hand a new session to the browser (and drop the log-on form's token).
fn session_cookies(state: &AppState, token: &SessionToken) -> HeaderMap {
    let tls = state.config.tls;
    let mut out = HeaderMap::new();
    out.append(
        header::SET_COOKIE,
        cookie(session_cookie_name(tls), token.as_str(), tls, None),
    );
    out.append(
        header::SET_COOKIE,
        cookie(prelogin_cookie_name(tls), "", tls, Some(0)),
    );
    out
}

/// Why a log-on was refused without checking the password, for the audit log (the page says
/// the same [`WRONG_CREDENTIALS`] whatever the reason).
fn refusal_detail(attempt: &Attempt) -> &'static str {
    match attempt {
        Attempt::SourceLimit => "too many failures from this address",
        Attempt::AccountLimit => "too many failed sign-ins",
        Attempt::AccountClosed(status) if status == "disabled" => "account disabled",
        Attempt::AccountClosed(_) => "account locked",
        Attempt::Granted(_) => "granted",
    }
}

/// Check the password; on success start a half-signed-in session that only the second-factor
/// page accepts.
///
/// Each attempt is first reserved in one write transaction ([`plainsight_store::AccessStore::reserve_attempt`]:
/// address limit, account status, failures in the window, and the attempt recorded as a
/// failure), and only then is the slow password hash checked: concurrent requests cannot all
/// pass the checks before any failure is counted. Every refusal, for every name, real or
/// not, answers [`WRONG_CREDENTIALS`] with the same status, so neither the text nor the
/// lock-out tells which names exist.
pub async fn login(
    State(state): State<AppState>,
    axum::Extension(client): axum::Extension<ClientAddr>,
    headers: HeaderMap,
    BoundedForm(form): BoundedForm<LoginForm>,
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
    let policy = &state.config.lockout;
    let user = state.store.user_by_name(username).await?;
    let object = user.as_ref().map(|u| format!("user:{}", u.user_id));
    let actor = user.as_ref().map_or(username, |u| u.username.as_str());
    let attempt = state
        .store
        .reserve_attempt(&AttemptRequest {
            username: actor,
            kind: "password",
            source: client.0.as_deref(),
            now,
            account_since: policy.window_start(now),
            account_max: policy.max_failures,
            source_limit: Some((
                policy.window_start(now),
                state.config.max_failures_per_source,
            )),
        })
        .await?;
    let Attempt::Granted(attempt_id) = attempt else {
        // Same work as a check, so timing does not tell a refusal from a wrong password.
        dummy_verify(&form.password);
        audit(
            &state,
            Some(actor),
            &client,
            "login",
            object,
            Outcome::Denied,
            Some(refusal_detail(&attempt)),
        )
        .await?;
        if attempt == Attempt::SourceLimit {
            return Err(WebError::TooManyAttempts);
        }
        return refuse_login(&state, WRONG_CREDENTIALS).await;
    };
    let Some(user) = user else {
        // Same work as for a real account, so timing does not reveal which names exist; the
        // attempt counts against the name as it would against an account.
        dummy_verify(&form.password);
        let failed = event(
            Some(username),
            &client,
            "login",
            None,
            Outcome::Failure,
            Some("unknown user"),
        );
        state.store.fail_attempt(&failed, None).await?;
        return refuse_login(&state, WRONG_CREDENTIALS).await;
    };
    let right = verify_password(&form.password, &user.password_hash)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if !right {
        let failed = event(
            Some(&user.username),
            &client,
            "login",
            object.clone(),
            Outcome::Failure,
            Some("wrong password"),
        );
        let locked = event(
            Some(&user.username),
            &client,
            "account_locked",
            object,
            Outcome::Success,
            Some("failed sign-ins"),
        );
        let rule = LockRule {
            user_id: user.user_id,
            username: &user.username,
            since: policy.window_start(now),
            max_failures: policy.max_failures,
            reason: "too many failed sign-ins",
        };
        state
            .store
            .fail_attempt(&failed, Some((&rule, &locked)))
            .await?;
        return refuse_login(&state, WRONG_CREDENTIALS).await;
    }
    let (token, session) = new_session(
        &state,
        user.user_id,
        SessionStage::Password,
        &client,
        &headers,
    );
    let accepted = event(
        Some(&user.username),
        &client,
        "login_password",
        object.clone(),
        Outcome::Success,
        None,
    );
    if !state
        .store
        .accept_password(attempt_id, &session, &accepted)
        .await?
    {
        // A concurrent attempt locked the account while this password was being checked.
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
        return refuse_login(&state, WRONG_CREDENTIALS).await;
    }
    Ok(with_redirect(session_cookies(&state, &token), "/mfa"))
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
/// Like a password, each code is reserved as an attempt before it is checked, so concurrent
/// requests cannot pass the limit together.
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
    let (secret, enrolling) = match (&user.totp_secret, &session.pending_totp) {
        (Some(s), _) => (s.clone(), false),
        (None, Some(p)) => (p.clone(), true),
        (None, None) => return Ok(Redirect::to("/mfa").into_response()),
    };
    let secret = TotpSecret::from_base32(&secret).map_err(|e| WebError::Internal(e.to_string()))?;
    let attempt = state
        .store
        .reserve_attempt(&AttemptRequest {
            username: &user.username,
            kind: "totp",
            source: client.0.as_deref(),
            now,
            account_since: policy.window_start(now),
            account_max: policy.max_attempts,
            source_limit: None,
        })
        .await?;
    let Attempt::Granted(attempt_id) = attempt else {
        let why = match attempt {
            Attempt::AccountLimit => "rate limited",
            _ => refusal_detail(&attempt),
        };
        audit(
            &state,
            Some(&user.username),
            &client,
            "login_mfa",
            object,
            Outcome::Denied,
            Some(why),
        )
        .await?;
        return Err(WebError::TooManyAttempts);
    };
    let last = if enrolling { None } else { user.totp_last_step };
    let refuse = |why: TotpRejection| {
        let detail = match why {
            TotpRejection::Malformed => "malformed code",
            TotpRejection::Wrong => "wrong code",
            TotpRejection::Reused => "code reused",
        };
        event(
            Some(&user.username),
            &client,
            "login_mfa",
            object.clone(),
            Outcome::Failure,
            Some(detail),
        )
    };
    let rejection = match verify_totp(&secret, &form.code, now.timestamp(), last) {
        Ok(step) => {
            let (token, full) =
                new_session(&state, user.user_id, SessionStage::Full, &client, &headers);
            let mut audits = Vec::new();
            if enrolling {
                audits.push(event(
                    Some(&user.username),
                    &client,
                    "mfa_enrolled",
                    object.clone(),
                    Outcome::Success,
                    None,
                ));
            }
            audits.push(event(
                Some(&user.username),
                &client,
                "login",
                object.clone(),
                Outcome::Success,
                None,
            ));
            let enrol = enrolling.then(|| secret.to_base32());
            if state
                .store
                .accept_second_factor(attempt_id, step, enrol.as_deref(), &full, &audits)
                .await?
            {
                let next = if user.must_change_password {
                    "/password"
                } else {
                    "/"
                };
                return Ok(with_redirect(session_cookies(&state, &token), next));
            }
            // Another request used this code between the check and now.
            TotpRejection::Reused
        }
        Err(why) => why,
    };
    state.store.fail_attempt(&refuse(rejection), None).await?;
    let message = match rejection {
        TotpRejection::Malformed => "A code is 6 digits.",
        TotpRejection::Reused => "That code was already used. Wait for the next one.",
        TotpRejection::Wrong => {
            "That code is not right. Check the time on your device and try the next code."
        }
    };
    let enrol = enrolling.then_some(&secret);
    Ok((
        axum::http::StatusCode::UNAUTHORIZED,
        mfa_page(&state, &session, enrol, Some(message)),
    )
        .into_response())
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
                    label { "Current password" input name="current" type="password" autocomplete="current-password" required maxlength=(max_chars("current")); }
                    label { "New password" input name="new" type="password" autocomplete="new-password" required minlength="8" maxlength=(max_chars("new")); }
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

/// Change one's own password. Guesses at the current password count with failed sign-ins:
/// each is reserved before it is checked, and the failures that lock an account at log-on
/// ([`plainsight_access::LockoutPolicy`]) lock it here too, ending its sessions.
pub async fn change_password(
    State(state): State<AppState>,
    user: Signed,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, WebError> {
    let object = Some(format!("user:{}", user.user.user_id));
    // The new password's rules are checked first: they say nothing about the current one.
    if let Err(why) = check_new_password(&PasswordPolicy::default(), &form.new, &user.user.username)
    {
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            password_page(&state, &user, Some(&why.to_string())),
        )
            .into_response());
    }
    let now = Utc::now();
    let policy = &state.config.lockout;
    let attempt = state
        .store
        .reserve_attempt(&AttemptRequest {
            username: &user.user.username,
            kind: "password",
            source: user.client.0.as_deref(),
            now,
            account_since: policy.window_start(now),
            account_max: policy.max_failures,
            source_limit: None,
        })
        .await?;
    let Attempt::Granted(attempt_id) = attempt else {
        user.audit(
            &state,
            "password_change",
            object,
            Outcome::Denied,
            Some(refusal_detail(&attempt)),
        )
        .await?;
        return Err(WebError::TooManyAttempts);
    };
    let right = verify_password(&form.current, &user.user.password_hash)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if !right {
        let failed = user.event(
            "password_change",
            object.clone(),
            Outcome::Failure,
            Some("wrong current password"),
        );
        let locked = user.event(
            "account_locked",
            object,
            Outcome::Success,
            Some("wrong current passwords"),
        );
        let rule = LockRule {
            user_id: user.user.user_id,
            username: &user.user.username,
            since: policy.window_start(now),
            max_failures: policy.max_failures,
            reason: "too many wrong current passwords",
        };
        if state
            .store
            .fail_attempt(&failed, Some((&rule, &locked)))
            .await?
        {
            // Locked: every session of the account, this one too, has ended.
            return Ok(Redirect::to("/login").into_response());
        }
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            password_page(&state, &user, Some("The current password is not right.")),
        )
            .into_response());
    }
    let hash = hash_password(&form.new).map_err(|e| WebError::Internal(e.to_string()))?;
    // Sessions opened with the old password end everywhere; this browser gets a new one.
    let (token, session) = new_session(
        &state,
        user.user.user_id,
        SessionStage::Full,
        &user.client,
        &headers,
    );
    state
        .store
        .change_password(
            user.user.user_id,
            &hash,
            false,
            Some(attempt_id),
            Some(&session),
            &user.event("password_change", object, Outcome::Success, None),
        )
        .await?;
    Ok(with_redirect(session_cookies(&state, &token), "/"))
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
        let ended = event(
            Some(&s.user.username),
            &client,
            "logout",
            None,
            Outcome::Success,
            None,
        );
        state.store.end_session(&s.token_digest, &ended).await?;
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
