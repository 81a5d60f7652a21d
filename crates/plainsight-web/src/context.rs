//! Who is asking: the session middleware (cookie → server-side session, idle and absolute
//! time-outs), the `Signed` extractor that pages use, permission checks, and the audit helper
//! every handler calls.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use plainsight_access::audit::Outcome;
use plainsight_access::{Permission, Role, SessionState, token_digest};
use plainsight_store::{AuditEvent, SessionRecord, SessionStage, UserRecord};

use crate::security::{read_cookie, session_cookie_name};
use crate::{AppState, WebError};

/// The client's address, for the audit log.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub Option<String>);

/// The session found for this request, if any (set by [`load_session`]).
#[derive(Debug, Clone)]
pub struct MaybeSession(pub Option<SessionRecord>);

/// Seconds between writes of a session's last-seen time: every request would otherwise write.
const TOUCH_EVERY_SECS: i64 = 30;

/// Find the session the cookie names, end it if it timed out or its user may no longer sign
/// in, and record the client address; handlers read both from the request's extensions.
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string());
    req.extensions_mut().insert(ClientAddr(addr.clone()));
    let cookie_name = session_cookie_name(state.config.tls);
    let mut found = None;
    if let Some(token) = read_cookie(req.headers(), cookie_name) {
        let digest = token_digest(&token);
        match state.store.session(&digest).await {
            Ok(Some(session)) => {
                let now = Utc::now();
                let verdict =
                    state
                        .config
                        .sessions
                        .check(session.created_at, session.last_seen_at, now);
                if session.user.status != "active" {
                    let _ = state.store.delete_session(&digest).await;
                } else if verdict != SessionState::Active {
                    let why = match verdict {
                        SessionState::IdleExpired => "idle time-out",
                        _ => "12-hour limit: sign in again",
                    };
                    let ended = event(
                        Some(&session.user.username),
                        &ClientAddr(addr.clone()),
                        "session_expired",
                        None,
                        Outcome::Success,
                        Some(why),
                    );
                    // The session ends with its audit entry; when that cannot be written the
                    // request fails rather than go on unrecorded.
                    if let Err(e) = state.store.end_session(&digest, &ended).await {
                        return WebError::from(e).into_response();
                    }
                } else {
                    if (now - session.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
                        let _ = state.store.touch_session(&digest, now).await;
                    }
                    found = Some(session);
                }
            }
            Ok(None) => {}
            Err(e) => return WebError::from(e).into_response(),
        }
    }
    req.extensions_mut().insert(MaybeSession(found));
    next.run(req).await
}

/// A fully signed-in user (password and second factor), with their role.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: UserRecord,
    pub role: Role,
    pub csrf: String,
    pub client: ClientAddr,
}

impl Signed {
    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = parts
            .extensions
            .get::<MaybeSession>()
            .and_then(|s| s.0.clone())
            .filter(|s| s.stage == SessionStage::Full)
            .ok_or_else(|| WebError::SignInRequired.into_response())?;
        // A password chosen by someone else (an administrator, the demo) is changed before
        // anything else is done with the account.
        if session.user.must_change_password && parts.uri.path() != "/password" {
            return Err(Redirect::to("/password").into_response());
        }
        let role: Role = session
            .user
            .role
            .parse()
            .map_err(|_| WebError::Forbidden.into_response())?;
        let client = parts
            .extensions
            .get::<ClientAddr>()
            .cloned()
            .unwrap_or(ClientAddr(None));
        Ok(Signed {
            role,
            csrf: session.csrf_token.clone(),
            user: session.user,
            client,
        })
    }
}

/// An audit entry, for the store to write with the change it records.
pub fn event(
    actor: Option<&str>,
    client: &ClientAddr,
    action: &str,
    object: Option<String>,
    outcome: Outcome,
    detail: Option<&str>,
) -> AuditEvent {
    AuditEvent {
        actor: actor.map(str::to_string),
        source: client.0.clone(),
        action: action.to_string(),
        object,
        outcome,
        detail: detail.map(str::to_string),
    }
}

/// Append to the audit log an event that changes nothing (a view, a search, a refusal). Fails
/// closed: when the entry cannot be written the request fails too, so nothing is shown
/// without a record of it. Changes are audited by the store method that makes them, in the
/// same transaction.
pub async fn audit(
    state: &AppState,
    actor: Option<&str>,
    client: &ClientAddr,
    action: &str,
    object: Option<String>,
    outcome: Outcome,
    detail: Option<&str>,
) -> Result<(), WebError> {
    let event = event(actor, client, action, object, outcome, detail);
    state.store.append_audit(&event).await?;
    Ok(())
}

impl Signed {
    /// An audit entry for an action of this user, for the store to write with the change.
    pub fn event(
        &self,
        action: &str,
        object: Option<String>,
        outcome: Outcome,
        detail: Option<&str>,
    ) -> AuditEvent {
        event(
            Some(&self.user.username),
            &self.client,
            action,
            object,
            outcome,
            detail,
        )
    }

    /// Audit an action of this user that changes nothing (a view, a search, a refusal).
    pub async fn audit(
        &self,
        state: &AppState,
        action: &str,
        object: Option<String>,
        outcome: Outcome,
        detail: Option<&str>,
    ) -> Result<(), WebError> {
        audit(
            state,
            Some(&self.user.username),
            &self.client,
            action,
            object,
            outcome,
            detail,
        )
        .await
    }

    /// Refuse unless allowed, and audit a refusal (attempts at what a role may not do are
    /// worth knowing about).
    pub async fn require_audited(
        &self,
        state: &AppState,
        permission: Permission,
        action: &str,
        object: Option<String>,
    ) -> Result<(), WebError> {
        if self.can(permission) {
            return Ok(());
        }
        self.audit(state, action, object, Outcome::Denied, Some("role"))
            .await?;
        Err(WebError::Forbidden)
    }
}
