//! Case folders: a team's collection of networks and ads with notes, and the case package
//! (printable HTML with the evidence and the folder's audit trail, plus CSV). Folders belong to
//! a team; another team's folder answers 404, exactly like one that does not exist.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use plainsight_access::Permission;
use plainsight_access::audit::Outcome;
use plainsight_store::{AuditFilter, CaseSummary};
use serde::Deserialize;

use crate::context::Signed;
use crate::limits::max_chars;
use crate::security::CsrfForm;
use crate::views::{Frame, csrf_field, day, page, when};
use crate::{AppState, WebError};

/// The folder, when it exists and belongs to the user's team.
async fn own_case(state: &AppState, user: &Signed, id: i64) -> Result<CaseSummary, WebError> {
    state
        .store
        .case_for_team(id, user.user.team_id)
        .await?
        .ok_or(WebError::NotFound)
}

/// The checks every action on one folder starts with: the role allows it (refusals audited)
/// and the folder is the user's team's (otherwise 404). Returns the folder and its audit object.
async fn case_for(
    state: &AppState,
    user: &Signed,
    id: i64,
    permission: Permission,
    action: &str,
) -> Result<(CaseSummary, Option<String>), WebError> {
    let object = Some(format!("case:{id}"));
    user.require_audited(state, permission, action, object.clone())
        .await?;
    Ok((own_case(state, user, id).await?, object))
}

pub async fn list(State(state): State<AppState>, user: Signed) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ManageCases, "view_cases", None)
        .await?;
    let cases = state.store.cases_for_team(user.user.team_id).await?;
    let detail = format!("team {}: {} folders", user.user.team, cases.len());
    user.audit(&state, "view_cases", None, Outcome::Success, Some(&detail))
        .await?;
    let content = html! {
        h1 { "Case folders" span.sub { " · team " (user.user.team) } }
        form.inline method="post" action="/cases" {
            (csrf_field(&user))
            label { "New folder" input name="title" required maxlength=(max_chars("title")) placeholder="Title"; }
            button type="submit" { "Create" }
        }
        @if cases.is_empty() {
            p.empty { "No case folders yet." }
        } @else {
            table {
                thead { tr { th { "#" } th { "Title" } th { "Status" } th.num { "Networks" } th.num { "Ads" } th.num { "Notes" } th { "Created" } } }
                tbody { @for c in &cases { tr {
                    td { (c.case_id) } td { a href=(format!("/cases/{}", c.case_id)) { (c.title) } } td { (c.status) }
                    td.num { (c.networks) } td.num { (c.ads) } td.num { (c.notes) } td { (when(Some(&c.created_at))) " by " (c.created_by) }
                } } }
            }
        }
    };
    Ok(page(
        &Frame::signed(&state, &user, "Case folders", "cases"),
        content,
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct NewCase {
    title: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: Signed,
    CsrfForm(form): CsrfForm<NewCase>,
) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ManageCases, "create_case", None)
        .await?;
    let title = form.title.trim();
    if title.is_empty() {
        return Err(WebError::BadRequest("a case folder needs a title".into()));
    }
    let id = state
        .store
        .create_case(user.user.team_id, title, user.user.user_id, &|id| {
            user.event(
                "create_case",
                Some(format!("case:{id}")),
                Outcome::Success,
                None,
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// Everything a case page and package show.
struct CaseView {
    case: CaseSummary,
    networks: Vec<(i64, Option<plainsight_core::NetworkRecord>, String, String)>,
    ads: Vec<(i64, Option<plainsight_store::StoredAd>, String, String)>,
    notes: Vec<plainsight_store::CaseNote>,
}

async fn load(state: &AppState, case: CaseSummary) -> Result<CaseView, WebError> {
    let mut networks = Vec::new();
    let mut ads = Vec::new();
    for item in state.store.case_items(case.case_id).await? {
        if item.kind == "network" {
            let n = state.store.network(item.item as u64).await?;
            networks.push((item.item, n, item.added_by, item.added_at));
        } else {
            let a = state.store.ad_by_key(item.item).await?;
            ads.push((item.item, a, item.added_by, item.added_at));
        }
    }
    let notes = state.store.case_notes(case.case_id).await?;
    Ok(CaseView {
        case,
        networks,
        ads,
        notes,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let object = Some(format!("case:{id}"));
    user.require_audited(&state, Permission::ManageCases, "view_case", object.clone())
        .await?;
    let case = match state.store.case_for_team(id, user.user.team_id).await? {
        Some(c) => c,
        None => {
            user.audit(
                &state,
                "view_case",
                object,
                Outcome::Denied,
                Some("not found or another team's"),
            )
            .await?;
            return Err(WebError::NotFound);
        }
    };
    user.audit(&state, "view_case", object, Outcome::Success, None)
        .await?;
    let v = load(&state, case).await?;
    let title = format!("Case #{} {}", v.case.case_id, v.case.title);
    let content = html! {
        h1 { (title) }
        p.summary { "Team " (user.user.team) " · " (v.case.status) " · created " (when(Some(&v.case.created_at))) " by " (v.case.created_by) }
        p.actions {
            a.button href=(format!("/cases/{id}/export.html")) { "Case package (printable)" } " "
            a.button href=(format!("/cases/{id}/export.csv")) { "Case package (CSV)" } " "
            form.inline method="post" action=(format!("/cases/{id}/status")) {
                (csrf_field(&user))
                input type="hidden" name="status" value=(if v.case.status == "open" { "closed" } else { "open" });
                button type="submit" { @if v.case.status == "open" { "Close folder" } @else { "Reopen folder" } }
            }
        }
        section {
            h2 { "Networks" }
            @if v.networks.is_empty() { p.empty { "None yet: add networks from their pages." } }
            table { tbody { @for (nid, n, by, at) in &v.networks { tr {
                td { a href=(format!("/networks/{nid}")) { "N" (nid) } }
                td { @match n { Some(n) => { "priority " (format!("{:.1}", n.priority)) ", " (n.ads.len()) " ads" }, None => { "no longer exists (merged or expired)" } } }
                td { "added by " (by) " " (when(Some(at))) }
                td { (remove_form(&user, id, "network", *nid)) }
            } } } }
        }
        section {
            h2 { "Ads" }
            @if v.ads.is_empty() { p.empty { "None yet: add ads from their pages." } }
            table { tbody { @for (key, a, by, at) in &v.ads { tr {
                td { a href=(format!("/ads/{key}")) { @match a { Some(a) => (a.ad.id), None => { "ad " (key) " (expired)" } } } }
                td { @if let Some(a) = a { (a.ad.title.as_deref().unwrap_or("")) } }
                td { "added by " (by) " " (when(Some(at))) }
                td { (remove_form(&user, id, "ad", *key)) }
            } } } }
        }
        section {
            h2 { "Notes" }
            @for n in &v.notes { div.note { p.meta { (n.username) " · " (when(Some(&n.created_at))) } p { (n.text) } } }
            form method="post" action=(format!("/cases/{id}/notes")) {
                (csrf_field(&user))
                label { "Add a note" textarea name="text" rows="3" maxlength=(max_chars("text")) required {} }
                button type="submit" { "Add note" }
            }
        }
    };
    Ok(page(&Frame::signed(&state, &user, &title, "cases"), content).into_response())
}

fn remove_form(user: &Signed, case_id: i64, kind: &str, item: i64) -> Markup {
    html! {
        form.inline method="post" action=(format!("/cases/{case_id}/items/remove")) {
            (csrf_field(user))
            input type="hidden" name="kind" value=(kind);
            input type="hidden" name="item" value=(item);
            button.link type="submit" { "Remove" }
        }
    }
}

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    case_id: i64,
    kind: String,
    item: i64,
}

fn check_kind(kind: &str) -> Result<(), WebError> {
    if kind == "network" || kind == "ad" {
        Ok(())
    } else {
        Err(WebError::BadRequest(format!("unknown item kind {kind}")))
    }
}

/// Add a network or ad to a folder of the user's team.
pub async fn add_item(
    State(state): State<AppState>,
    user: Signed,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<Response, WebError> {
    let object = Some(format!("case:{}", form.case_id));
    user.require_audited(
        &state,
        Permission::ManageCases,
        "add_case_item",
        object.clone(),
    )
    .await?;
    check_kind(&form.kind)?;
    own_case(&state, &user, form.case_id).await?;
    let exists = if form.kind == "network" {
        state.store.network(form.item as u64).await?.is_some()
    } else {
        state.store.ad_by_key(form.item).await?.is_some()
    };
    if !exists {
        return Err(WebError::NotFound);
    }
    let detail = format!("{}:{}", form.kind, form.item);
    state
        .store
        .add_case_item(
            form.case_id,
            &form.kind,
            form.item,
            user.user.user_id,
            &user.event("add_case_item", object, Outcome::Success, Some(&detail)),
        )
        .await?;
    Ok(Redirect::to(&format!("/cases/{}", form.case_id)).into_response())
}

pub async fn remove_item(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<Response, WebError> {
    let (_, object) = case_for(
        &state,
        &user,
        id,
        Permission::ManageCases,
        "remove_case_item",
    )
    .await?;
    check_kind(&form.kind)?;
    let detail = format!("{}:{}", form.kind, form.item);
    state
        .store
        .remove_case_item(
            id,
            &form.kind,
            form.item,
            &user.event("remove_case_item", object, Outcome::Success, Some(&detail)),
        )
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct NoteForm {
    text: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, WebError> {
    let (_, object) = case_for(&state, &user, id, Permission::ManageCases, "add_case_note").await?;
    let text = form.text.trim();
    if text.is_empty() {
        return Err(WebError::BadRequest("the note is empty".into()));
    }
    state
        .store
        .add_case_note(
            id,
            user.user.user_id,
            text,
            &user.event("add_case_note", object, Outcome::Success, None),
        )
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, WebError> {
    let (_, object) = case_for(
        &state,
        &user,
        id,
        Permission::ManageCases,
        "set_case_status",
    )
    .await?;
    if form.status != "open" && form.status != "closed" {
        return Err(WebError::BadRequest(format!(
            "unknown status {}",
            form.status
        )));
    }
    state
        .store
        .set_case_status(
            id,
            &form.status,
            &user.event(
                "set_case_status",
                object,
                Outcome::Success,
                Some(&form.status),
            ),
        )
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// The folder's audit trail (every entry whose object is this case).
async fn trail(state: &AppState, id: i64) -> Result<Vec<plainsight_store::StoredAudit>, WebError> {
    let mut entries = state
        .store
        .audit_search(&AuditFilter {
            object: Some(format!("case:{id}")),
            limit: 10_000,
            ..AuditFilter::default()
        })
        .await?;
    entries.reverse();
    Ok(entries)
}

/// The case package as one printable HTML page: folder, networks with reasons and evidence,
/// ads, notes and the folder's audit trail.
pub async fn export_html(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (case, object) = case_for(&state, &user, id, Permission::Export, "export_case").await?;
    user.audit(
        &state,
        "export_case",
        object,
        Outcome::Success,
        Some("html"),
    )
    .await?;
    let v = load(&state, case).await?;
    let trail = trail(&state, id).await?;
    let generated = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let doc: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { "Case #" (id) " " (v.case.title) }; link rel="stylesheet" href="/static/style.css"; }
            body.print {
                @if state.config.demo { p.demo-banner { "DEMO workspace: generated data." } }
                h1 { "Case #" (id) ": " (v.case.title) }
                p { "Team " (user.user.team) " · status " (v.case.status) " · created " (when(Some(&v.case.created_at))) " by " (v.case.created_by) }
                p { "Exported " (generated) " by " (user.user.username) ". Leads for review, not evidence of a crime: every reason below is a pointer to text to read, not a finding." }
                h2 { "Networks" }
                @for (nid, n, by, at) in &v.networks {
                    h3 { "Network N" (nid) }
                    p.meta { "Added by " (by) " " (when(Some(at))) }
                    @match n {
                        None => p { "This network no longer exists (merged into another or expired)." },
                        Some(n) => {
                            p { "Priority " (format!("{:.1}", n.priority)) " · " (n.ads.len()) " ads · " (day(n.first_seen)) " – " (day(n.last_seen)) }
                            p { "Phones: " (n.phones.join(", ")) }
                            p { "Places: " @for l in &n.locations { (l.name) ", " (l.admin1) " (" (l.ads) ") " } }
                            ol { @for r in &n.reasons { li { (r.description) " (+" (format!("{:.2}", r.weight * r.value)) ")"
                                ul { @for e in r.evidence.iter().take(5) { li { @if !e.ad.is_empty() { "ad " (e.ad) ": " } "“" (e.text) "”" } } } } } }
                        }
                    }
                }
                h2 { "Ads" }
                @for (key, a, by, at) in &v.ads {
                    @match a {
                        None => p { "Ad " (key) " has expired." },
                        Some(a) => {
                            h3 { "Ad " (a.ad.id) }
                            p.meta { "Added by " (by) " " (when(Some(at))) " · posted " (a.ad.posted_at.map(|t| t.to_rfc3339()).unwrap_or_default()) }
                            p { strong { (a.ad.title.as_deref().unwrap_or("")) } }
                            pre { (a.ad.body.as_deref().unwrap_or("")) }
                        }
                    }
                }
                h2 { "Notes" }
                @for n in &v.notes { p { strong { (n.username) " " (when(Some(&n.created_at))) } ": " (n.text) } }
                h2 { "Audit trail of this folder" }
                table {
                    thead { tr { th { "#" } th { "Time (UTC)" } th { "User" } th { "Action" } th { "Outcome" } th { "Detail" } } }
                    tbody { @for e in &trail { tr {
                        td { (e.record.seq) } td { (e.record.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)) }
                        td { (e.record.actor.as_deref().unwrap_or("")) } td { (e.record.action) } td { (e.record.outcome.as_str()) }
                        td { (e.record.detail.as_deref().unwrap_or("")) }
                    } } }
                }
            }
        }
    };
    let mut res = doc.into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("inline; filename=\"case-{id}.html\""))
            .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(res)
}

/// A CSV cell that a spreadsheet will show as text: ad text and notes are written by people,
/// some of them outsiders (the program's one rule, [`plainsight_core::spreadsheet_safe`]).
fn cell(s: &str) -> String {
    plainsight_core::spreadsheet_safe(s).into_owned()
}

/// The case package as CSV: one row per item, note and audit entry.
pub async fn export_csv(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (case, object) = case_for(&state, &user, id, Permission::Export, "export_case").await?;
    user.audit(&state, "export_case", object, Outcome::Success, Some("csv"))
        .await?;
    let v = load(&state, case).await?;
    let trail = trail(&state, id).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| WebError::Internal(e.to_string());
    w.write_record(["record", "id", "detail", "by", "at"])
        .map_err(csv_err)?;
    for (nid, n, by, at) in &v.networks {
        let detail = n.as_ref().map_or("no longer exists".to_string(), |n| {
            format!(
                "priority {:.2}; {} ads; phones {}",
                n.priority,
                n.ads.len(),
                n.phones.join(" ")
            )
        });
        w.write_record(["network", &nid.to_string(), &cell(&detail), &cell(by), at])
            .map_err(csv_err)?;
    }
    for (key, a, by, at) in &v.ads {
        let detail = a.as_ref().map_or("expired".to_string(), |a| {
            format!("{}: {}", a.ad.id, a.ad.title.as_deref().unwrap_or(""))
        });
        w.write_record(["ad", &key.to_string(), &cell(&detail), &cell(by), at])
            .map_err(csv_err)?;
    }
    for n in &v.notes {
        w.write_record([
            "note",
            &n.note_id.to_string(),
            &cell(&n.text),
            &cell(&n.username),
            &n.created_at,
        ])
        .map_err(csv_err)?;
    }
    for e in &trail {
        let detail = format!(
            "{} {} {}",
            e.record.action,
            e.record.outcome.as_str(),
            e.record.detail.as_deref().unwrap_or("")
        );
        w.write_record([
            "audit",
            &e.record.seq.to_string(),
            &cell(detail.trim()),
            &cell(e.record.actor.as_deref().unwrap_or("")),
            &e.record
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        ])
        .map_err(csv_err)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"case-{id}.csv\""))
            .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(res)
}
