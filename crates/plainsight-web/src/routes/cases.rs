//! Case folders: a team's collection of networks and ads with notes, and the case package
//! (printable HTML with the evidence and the folder's audit trail, plus CSV). Folders belong to
//! a team; another team's folder answers 404, exactly like one that does not exist.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use plainsight_access::Permission;
use plainsight_access::audit::Outcome;
use plainsight_store::{AuditFilter, CaseSummary};
use serde::Deserialize;
use sha2::Digest;

use crate::context::Signed;
use crate::limits::max_chars;
use crate::routes::package;
use crate::routes::{CsvFile, csv_text};
use crate::security::CsrfForm;
use crate::views::{Frame, csrf_field, page, when};
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
    let team_users = team_usernames(&state, &user).await?;
    let title = format!("Case #{} {}", v.case.case_id, v.case.title);
    let content = html! {
        h1 { (title) }
        p.summary {
            "Team " (user.user.team) " · " (v.case.status) " · created " (when(Some(&v.case.created_at))) " by " (v.case.created_by)
            " · agency case number " @if v.case.agency_case_number.is_empty() { "—" } @else { strong { (v.case.agency_case_number) } }
            " · assigned to " @if v.case.assignee.is_empty() { "nobody" } @else { strong { (v.case.assignee) } }
        }
        @if !v.case.is_open() { p.caution role="note" { "This folder is closed: it is read-only until it is reopened." } }
        p.actions {
            a.button href=(format!("/cases/{id}/package.zip")) { "Case package (ZIP: printable HTML, CSV, JSON, checksums)" } " "
            a.button href=(format!("/cases/{id}/export.html")) { "Case package (printable)" } " "
            a.button href=(format!("/cases/{id}/export.csv")) { "Case package (CSV)" } " "
            form.inline method="post" action=(format!("/cases/{id}/status")) {
                (csrf_field(&user))
                input type="hidden" name="status" value=(if v.case.status == "open" { "closed" } else { "open" });
                button type="submit" { @if v.case.status == "open" { "Close folder" } @else { "Reopen folder" } }
            }
        }
        @if v.case.is_open() {
            section {
                h2 { "Folder details" }
                form.inline method="post" action=(format!("/cases/{id}/details")) {
                    (csrf_field(&user))
                    label { "Agency case number" input name="agency_case_number" value=(v.case.agency_case_number) maxlength=(max_chars("agency_case_number")); }
                    label { "Assigned to"
                        select name="assignee" {
                            option value="" selected[v.case.assignee.is_empty()] { "nobody" }
                            @for u in &team_users { option value=(u) selected[v.case.assignee == *u] { (u) } }
                        }
                    }
                    button type="submit" { "Save details" }
                }
            }
        }
        section {
            h2 { "Networks" }
            @if v.networks.is_empty() { p.empty { "None yet: add networks from their pages." } }
            table { tbody { @for (nid, n, by, at) in &v.networks { tr {
                td { a href=(format!("/networks/{nid}")) { "N" (nid) } }
                td { @match n { Some(n) => { "priority " (format!("{:.1}", n.priority)) ", " (n.ads.len()) " ads" }, None => { "no longer exists (merged or expired)" } } }
                td { "added by " (by) " " (when(Some(at))) }
                td { @if v.case.is_open() { (remove_form(&user, id, "network", *nid)) } }
            } } } }
        }
        section {
            h2 { "Ads" }
            @if v.ads.is_empty() { p.empty { "None yet: add ads from their pages." } }
            table { tbody { @for (key, a, by, at) in &v.ads { tr {
                td { a href=(format!("/ads/{key}")) { @match a { Some(a) => (a.ad.id), None => { "ad " (key) " (expired)" } } } }
                td { @if let Some(a) = a { (a.ad.title.as_deref().unwrap_or("")) } }
                td { "added by " (by) " " (when(Some(at))) }
                td { @if v.case.is_open() { (remove_form(&user, id, "ad", *key)) } }
            } } } }
        }
        section {
            h2 { "Notes" }
            @for n in &v.notes { div.note { p.meta { (n.username) " · " (when(Some(&n.created_at))) } p { (n.text) } } }
            @if v.case.is_open() {
                form method="post" action=(format!("/cases/{id}/notes")) {
                    (csrf_field(&user))
                    label { "Add a note" textarea name="text" rows="3" maxlength=(max_chars("text")) required {} }
                    button type="submit" { "Add note" }
                }
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
    // The team check; whether the folder is open is decided by the store, in the write itself.
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

/// Everything the case package holds, read from the store.
async fn package_of(
    state: &AppState,
    user: &Signed,
    case: CaseSummary,
) -> Result<package::Package, WebError> {
    let id = case.case_id;
    let mut networks = Vec::new();
    let mut ads = Vec::new();
    let mut in_networks = std::collections::HashSet::new();
    let mut alone = Vec::new();
    for item in state.store.case_items(id).await? {
        if item.kind == "network" {
            let record = state.store.network(item.item as u64).await?;
            let labels = state.store.labels(item.item).await?;
            if record.is_some() {
                let keys: Vec<i64> = state
                    .store
                    .network_ad_refs(item.item)
                    .await?
                    .iter()
                    .map(|r| r.ad_key)
                    .filter(|k| in_networks.insert(*k))
                    .collect();
                for stored in state.store.ads_by_keys(&keys).await? {
                    ads.push(package::PackageAd {
                        network_id: Some(item.item),
                        stored,
                    });
                }
            }
            networks.push(package::PackageNetwork {
                network_id: item.item,
                record,
                labels,
                added_by: item.added_by,
                added_at: item.added_at,
            });
        } else {
            alone.push(item.item);
        }
    }
    // An ad added alone that a folder network already holds is listed under the network.
    alone.retain(|k| !in_networks.contains(k));
    let found = state.store.ads_by_keys(&alone).await?;
    let expired_ads = alone
        .iter()
        .filter(|k| !found.iter().any(|a| a.ad_key == **k))
        .copied()
        .collect();
    ads.extend(found.into_iter().map(|stored| package::PackageAd {
        network_id: None,
        stored,
    }));
    Ok(package::Package {
        team: user.user.team.clone(),
        exported_by: user.user.username.clone(),
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        demo: state.config.demo,
        networks,
        ads,
        expired_ads,
        notes: state.store.case_notes(id).await?,
        audit_trail: trail(state, id).await?,
        case,
    })
}

/// The case package as one printable HTML page (the `case.html` of the ZIP).
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
    let p = package_of(&state, &user, case).await?;
    let mut res = axum::response::Html(package::html(&p, true)).into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("inline; filename=\"case-{id}.html\""))
            .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(res)
}

/// The case package as one ZIP: printable HTML, CSV of ads, JSON, manifest and checksums.
/// The download is audited with the package's own SHA-256, so a copy can be matched to it.
pub async fn export_zip(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (case, object) = case_for(&state, &user, id, Permission::Export, "export_case").await?;
    let p = package_of(&state, &user, case).await?;
    let files = package::files(&p)?;
    let bytes = package::zip(id, &files)?;
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let detail = format!(
        "zip: {} networks, {} ads, sha256 {digest}",
        p.networks.len(),
        p.ads.len()
    );
    user.audit(
        &state,
        "export_case",
        object,
        Outcome::Success,
        Some(&detail),
    )
    .await?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"case-{id}.zip\""))
            .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(res)
}

/// User names of the user's team, for the assignee list.
async fn team_usernames(state: &AppState, user: &Signed) -> Result<Vec<String>, WebError> {
    Ok(state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.team_id == user.user.team_id && u.status != "disabled")
        .map(|u| u.username)
        .collect())
}

#[derive(Deserialize)]
pub struct DetailsForm {
    #[serde(default)]
    agency_case_number: String,
    #[serde(default)]
    assignee: String,
}

/// Set the agency case number and the assignee (a user of the folder's team) of an open folder.
pub async fn set_details(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DetailsForm>,
) -> Result<Response, WebError> {
    let (_, object) = case_for(
        &state,
        &user,
        id,
        Permission::ManageCases,
        "set_case_details",
    )
    .await?;
    let number = form.agency_case_number.trim();
    let assignee = form.assignee.trim();
    if !assignee.is_empty()
        && !team_usernames(&state, &user)
            .await?
            .iter()
            .any(|u| u == assignee)
    {
        return Err(WebError::BadRequest(format!(
            "{assignee} is not a user of your team"
        )));
    }
    let detail = format!("agency case number {number:?}, assignee {assignee:?}");
    state
        .store
        .set_case_details(
            id,
            number,
            assignee,
            &user.event("set_case_details", object, Outcome::Success, Some(&detail)),
        )
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
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
    let mut w = CsvFile::new();
    w.row(["record", "id", "detail", "by", "at"])?;
    for (nid, n, by, at) in &v.networks {
        let detail = n.as_ref().map_or("no longer exists".to_string(), |n| {
            format!(
                "priority {:.2}; {} ads; phones {}",
                n.priority,
                n.ads.len(),
                n.phones.join(" ")
            )
        });
        w.row([
            "network",
            &nid.to_string(),
            &csv_text(&detail),
            &csv_text(by),
            at,
        ])?;
    }
    for (key, a, by, at) in &v.ads {
        let detail = a.as_ref().map_or("expired".to_string(), |a| {
            format!("{}: {}", a.ad.id, a.ad.title.as_deref().unwrap_or(""))
        });
        w.row([
            "ad",
            &key.to_string(),
            &csv_text(&detail),
            &csv_text(by),
            at,
        ])?;
    }
    for n in &v.notes {
        w.row([
            "note",
            &n.note_id.to_string(),
            &csv_text(&n.text),
            &csv_text(&n.username),
            &n.created_at,
        ])?;
    }
    for e in &trail {
        let detail = format!(
            "{} {} {}",
            e.record.action,
            e.record.outcome.as_str(),
            e.record.detail.as_deref().unwrap_or("")
        );
        w.row([
            "audit",
            &e.record.seq.to_string(),
            &csv_text(detail.trim()),
            &csv_text(e.record.actor.as_deref().unwrap_or("")),
            &e.record
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        ])?;
    }
    w.download(&format!("case-{id}.csv"))
}
