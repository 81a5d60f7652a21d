//! Administration: users (create, role, unlock, disable, reset second factor), settings
//! (retention period, log-on banner) and the audit log viewer. Every change is audited; the
//! audit log itself can only be read.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use plainsight_access::audit::Outcome;
use plainsight_access::{Permission, Role, hash_password, one_time_password};
use plainsight_store::{AuditFilter, NewUser};
use serde::Deserialize;

use crate::context::Signed;
use crate::limits::max_chars;
use crate::security::{BoundedQuery, CsrfForm};
use crate::views::{Frame, csrf_field, page, url_encode, when};
use crate::{AppState, WebError};

fn users_page(
    state: &AppState,
    user: &Signed,
    users: &[plainsight_store::UserRecord],
    notice: Option<maud::Markup>,
) -> maud::Markup {
    let content = html! {
        h1 { "Users" }
        p { a href="/admin/settings" { "Settings" } " · " a href="/admin/audit" { "Audit log" } }
        @if let Some(n) = notice { div.notice role="status" { (n) } }
        table {
            thead { tr { th { "User" } th { "Name" } th { "Role" } th { "Team" } th { "Area" } th { "Status" } th { "Second factor" } th { "Last sign-in" } th { "Actions" } } }
            tbody { @for u in users { tr {
                td { (u.username) } td { (u.display_name) } td { (u.role.parse::<Role>().map(Role::label).unwrap_or("unknown role")) } td { (u.team) } td { (u.area) }
                td { (u.status) @if let Some(r) = &u.status_reason { br; small { (r) } } }
                td { @if u.mfa_enrolled() { "enrolled" } @else { "at next sign-in" } }
                td { (when(u.last_login_at.as_deref())) }
                td {
                    form.inline method="post" action=(format!("/admin/users/{}", u.user_id)) {
                        (csrf_field(user))
                        select name="action" aria-label="Action" required {
                            // No action is picked until the administrator picks one: a stray
                            // click on Apply must not disable an account.
                            option value="" selected disabled { "Choose…" }
                            @if u.status == "locked" { option value="unlock" { "Unlock" } }
                            @if u.status != "disabled" { option value="disable" { "Disable" } } @else { option value="enable" { "Enable" } }
                            option value="reset_mfa" { "Reset second factor" }
                            option value="reset_password" { "Reset password" }
                            @for r in Role::ALL { @if r.as_str() != u.role { option value=(format!("role:{}", r.as_str())) { "Make " (r.label()) } } }
                        }
                        button type="submit" { "Apply" }
                    }
                }
            } } }
        }
        h2 { "Add a user" }
        form method="post" action="/admin/users" {
            (csrf_field(user))
            label { "User name" input name="username" required maxlength=(max_chars("username")) pattern="[A-Za-z0-9._-]+"; }
            label { "Full name" input name="display_name" required maxlength=(max_chars("display_name")); }
            label { "Role" select name="role" { @for r in Role::ALL { option value=(r.as_str()) selected[r == Role::Analyst] { (r.label()) } } } }
            label { "Team" input name="team" value="default" required maxlength=(max_chars("team")); }
            label { "Area (state code, optional)" input name="area" maxlength=(max_chars("area")); }
            button type="submit" { "Add user" }
        }
        p.hint { "A one-time password is shown once; the user changes it and sets up their second factor at first sign-in." }
    };
    page(&Frame::signed(state, user, "Users", "admin"), content)
}

pub async fn users(State(state): State<AppState>, user: Signed) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ManageUsers, "view_users", None)
        .await?;
    let users = state.store.users().await?;
    let detail = format!("{} accounts", users.len());
    user.audit(&state, "view_users", None, Outcome::Success, Some(&detail))
        .await?;
    Ok(users_page(&state, &user, &users, None).into_response())
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    team: String,
    #[serde(default)]
    area: String,
}

fn valid_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub async fn create_user(
    State(state): State<AppState>,
    user: Signed,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ManageUsers, "create_user", None)
        .await?;
    let username = form.username.trim();
    if !valid_username(username) {
        return Err(WebError::BadRequest(
            "a user name is letters, digits, dots, dashes and underscores".into(),
        ));
    }
    let role: Role = form
        .role
        .parse()
        .map_err(|e: plainsight_access::UnknownRole| WebError::BadRequest(e.to_string()))?;
    let area = form.area.trim().to_uppercase();
    if !(area.is_empty() || (area.len() == 2 && area.chars().all(|c| c.is_ascii_alphabetic()))) {
        return Err(WebError::BadRequest(
            "an area is a two-letter state code".into(),
        ));
    }
    let password = one_time_password();
    let hash = hash_password(&password).map_err(|e| WebError::Internal(e.to_string()))?;
    let team = form.team.trim();
    if team.is_empty() {
        return Err(WebError::BadRequest("a user needs a team".into()));
    }
    state
        .store
        .create_user(
            &NewUser {
                username: username.to_string(),
                display_name: form.display_name.trim().to_string(),
                role: role.as_str().to_string(),
                team: team.to_string(),
                area,
                password_hash: hash,
                must_change_password: true,
            },
            &|id| {
                user.event(
                    "create_user",
                    Some(format!("user:{id}")),
                    Outcome::Success,
                    Some(role.as_str()),
                )
            },
        )
        .await?;
    let users = state.store.users().await?;
    let notice = html! {
        "User " strong { (username) } " created. One-time password (shown once): " code.secret { (password) }
    };
    Ok(users_page(&state, &user, &users, Some(notice)).into_response())
}

#[derive(Deserialize)]
pub struct ChangeForm {
    action: String,
}

pub async fn change_user(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, WebError> {
    let object = Some(format!("user:{id}"));
    user.require_audited(
        &state,
        Permission::ManageUsers,
        "change_user",
        object.clone(),
    )
    .await?;
    let target = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(WebError::NotFound)?;
    if target.user_id == user.user.user_id && form.action != "reset_password" {
        return Err(WebError::BadRequest(
            "administrators cannot lock, disable or change the role of their own account".into(),
        ));
    }
    let mut notice = None;
    // Each change and its audit entry are one transaction in the store.
    let done = user.event("change_user", object, Outcome::Success, Some(&form.action));
    match form.action.as_str() {
        "unlock" | "enable" => {
            state
                .store
                .set_user_status(id, "active", None, &done)
                .await?
        }
        "disable" => {
            state
                .store
                .set_user_status(id, "disabled", Some("disabled by an administrator"), &done)
                .await?
        }
        "reset_mfa" => state.store.reset_totp(id, &done).await?,
        "reset_password" => {
            let password = one_time_password();
            let hash = hash_password(&password).map_err(|e| WebError::Internal(e.to_string()))?;
            state
                .store
                .change_password(id, &hash, true, None, None, &done)
                .await?;
            notice = Some(
                html! { "New one-time password for " strong { (target.username) } " (shown once): " code.secret { (password) } },
            );
        }
        other => match other.strip_prefix("role:").map(str::parse::<Role>) {
            // New privileges start with a new session: the store ends the user's sessions.
            Some(Ok(role)) => state.store.set_user_role(id, role.as_str(), &done).await?,
            _ => return Err(WebError::BadRequest(format!("unknown action {other}"))),
        },
    }
    if let Some(n) = notice {
        let users = state.store.users().await?;
        return Ok(users_page(&state, &user, &users, Some(n)).into_response());
    }
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn settings(State(state): State<AppState>, user: Signed) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ManageSettings, "view_settings", None)
        .await?;
    let retention = state
        .store
        .setting("retention_days")
        .await?
        .unwrap_or_else(|| "180".into());
    let banner = state
        .store
        .setting("banner")
        .await?
        .unwrap_or_else(|| state.config.banner.clone());
    user.audit(&state, "view_settings", None, Outcome::Success, None)
        .await?;
    let content = html! {
        h1 { "Settings" }
        form method="post" action="/admin/settings" {
            (csrf_field(&user))
            label { "Keep ads that belong to no case and no reviewed network for (days)"
                input type="number" name="retention_days" min="1" max="3650" value=(retention) required; }
            p.hint { "Expired ads are removed by " code { "plainsight retention --apply" } " (run it on a schedule); " code { "--dry-run" } " shows what would go. Audit entries are kept for at least a year whatever this says." }
            label { "Log-on notice" textarea name="banner" rows="4" maxlength=(max_chars("banner")) required { (banner) } }
            button type="submit" { "Save settings" }
        }
    };
    Ok(page(&Frame::signed(&state, &user, "Settings", "admin"), content).into_response())
}

#[derive(Deserialize)]
pub struct SettingsForm {
    retention_days: u32,
    banner: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    user: Signed,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ManageSettings, "change_settings", None)
        .await?;
    if !(1..=3650).contains(&form.retention_days) {
        return Err(WebError::BadRequest(
            "keep ads between 1 and 3,650 days".into(),
        ));
    }
    let detail = format!("retention_days={}", form.retention_days);
    let days = form.retention_days.to_string();
    state
        .store
        .set_settings(
            &[("retention_days", &days), ("banner", form.banner.trim())],
            &user.event("change_settings", None, Outcome::Success, Some(&detail)),
        )
        .await?;
    Ok(Redirect::to("/admin/settings").into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object: String,
    before: Option<i64>,
}

pub async fn audit_log(
    State(state): State<AppState>,
    user: Signed,
    BoundedQuery(q): BoundedQuery<AuditQuery>,
) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ViewAuditLog, "view_audit_log", None)
        .await?;
    if q.before.is_some_and(|b| b < 1) {
        return Err(WebError::BadRequest(
            "before is an entry number, 1 or more".into(),
        ));
    }
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let filter = AuditFilter {
        actor: non_empty(&q.actor),
        action: non_empty(&q.action),
        object: non_empty(&q.object),
        before_seq: q.before,
        limit: 200,
    };
    // Reading the audit log is itself audited (CJIS AU-9).
    user.audit(&state, "view_audit_log", None, Outcome::Success, None)
        .await?;
    let entries = state.store.audit_search(&filter).await?;
    let older = entries
        .last()
        .map(|e| e.record.seq)
        .filter(|_| entries.len() == 200);
    let content = html! {
        h1 { "Audit log" }
        p.hint { "Every entry carries the hash of the one before; " code { "plainsight audit verify" } " checks the whole chain. Entries cannot be changed or removed here." }
        form.filters method="get" action="/admin/audit" {
            label { "User" input name="actor" value=(q.actor); }
            label { "Action" input name="action" value=(q.action); }
            label { "Object" input name="object" value=(q.object) placeholder="case:3, network:12"; }
            button type="submit" { "Filter" }
        }
        table.audit {
            thead { tr { th { "#" } th { "Time (UTC)" } th { "User" } th { "From" } th { "Action" } th { "Object" } th { "Outcome" } th { "Detail" } } }
            tbody { @for e in &entries { @let r = &e.record; tr class=(format!("outcome-{}", r.outcome.as_str())) {
                td { (r.seq) } td { (r.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)) } td { (r.actor.as_deref().unwrap_or("")) }
                td { (r.source.as_deref().unwrap_or("")) } td { (r.action) } td { (r.object.as_deref().unwrap_or("")) }
                td { (r.outcome.as_str()) } td { (r.detail.as_deref().unwrap_or("")) }
            } } }
        }
        @if let Some(seq) = older {
            p { a href=(format!("/admin/audit?actor={}&action={}&object={}&before={seq}", url_encode(&q.actor), url_encode(&q.action), url_encode(&q.object))) { "Older entries →" } }
        }
    };
    Ok(page(&Frame::signed(&state, &user, "Audit log", "audit"), content).into_response())
}
