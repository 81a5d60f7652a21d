//! The analyst's reading pages: the dashboard, the lead queue, one network (graph, map,
//! timeline, template, reasons with evidence, ads, labels) and one ad with every extraction
//! highlighted where it was written; and labelling a network.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use maud::{Markup, html};
use plainsight_access::Permission;
use plainsight_access::audit::Outcome;
use plainsight_core::{Field, NetworkRecord};
use plainsight_graphics::{
    Bar, ChartOptions, Edge, Graph, GraphOptions, Node, NodeKind, Stop, bar_chart, collapse,
    graph_legend_svg, graph_svg, movement_map, stacked_progress, time_series, timeline,
};
use plainsight_network::{Template, TemplatePart, network_templates, photo_evidence};
use plainsight_store::{AdRef, Lead, LeadFilter, LeadSort, REVIEW_LABELS};
use serde::Deserialize;

use crate::context::Signed;
use crate::routes::{CsvFile, csv_text, require_export};
use crate::security::{BoundedQuery, CsrfForm};
use crate::views::{Frame, csrf_field, day, label_text, page, svg, url_encode, when};
use crate::{AppState, WebError, reasons};

/// Rows per page of the lead queue.
const PAGE_SIZE: u64 = 50;
/// The last page number a request may ask for (0-based): 50 million networks, far beyond any
/// workspace, and small enough that no offset computed from it can overflow.
pub const MAX_PAGE: u64 = 1_000_000;
/// Larger networks are drawn with the least-connected ads folded into "+N more" nodes.
const GRAPH_MAX_NODES: usize = 250;

/// The dashboard for the user's area: volume, places, networks, top leads, review progress.
pub async fn dashboard(State(state): State<AppState>, user: Signed) -> Result<Response, WebError> {
    if !user.can(Permission::ViewAggregates) {
        // The auditor's work is the audit log.
        return Ok(Redirect::to("/admin/audit").into_response());
    }
    let area = (!user.user.area.is_empty()).then_some(user.user.area.as_str());
    let figures = state.store.dashboard(area).await?;
    user.audit(&state, "view_dashboard", None, Outcome::Success, area)
        .await?;
    let points: Vec<(NaiveDate, f64)> = figures
        .volume
        .iter()
        .filter_map(|(d, n)| Some((NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?, *n as f64)))
        .collect();
    let bars: Vec<Bar> = figures
        .by_place
        .iter()
        .map(|(name, admin1, n)| Bar {
            label: format!("{name}, {admin1}"),
            value: *n as f64,
            href: user
                .can(Permission::ViewLeads)
                .then(|| format!("/leads?place={}", url_encode(&format!("{name}, {admin1}")))),
        })
        .collect();
    let review = &figures.review;
    let progress = stacked_progress(
        "Review progress",
        &[
            ("labelled".to_string(), review.labelled as f64),
            (
                "not yet labelled".to_string(),
                review.networks.saturating_sub(review.labelled) as f64,
            ),
        ],
        &ChartOptions::default(),
    );
    let area_name = area.unwrap_or("all areas");
    let content = html! {
        h1 { "Dashboard" span.sub { " · " (area_name) } }
        div.cards {
            div.card { span.figure { (figures.ads) } span.what { "ads" } }
            div.card { span.figure { (figures.networks) } span.what { "networks" } }
            div.card { span.figure { (figures.active_networks) } span.what { "active in the 30 days to " span.nowrap { (figures.reference_date.as_deref().unwrap_or("—")) } } }
            div.card { span.figure { (figures.new_networks) } span.what { "new in the week to " span.nowrap { (figures.reference_date.as_deref().unwrap_or("—")) } } }
        }
        div.grid2 {
            section { h2 { "Ads over time" } (svg(time_series("Ads per day", &points, &ChartOptions { width: 560, height: 220, unit: "ads".into() }))) }
            section { h2 { "Ads by place" } (svg(bar_chart("Places with most ads", &bars, &ChartOptions { width: 560, height: 0, unit: "ads".into() }))) }
        }
        section {
            h2 { "Review" }
            (svg(progress))
            p {
                (review.labelled) " of " (review.networks) " networks labelled. "
                @match (review.false_positive_rate(), review.false_positive_interval()) {
                    (Some(rate), Some((low, high))) => {
                        "Of " (review.high_priority_labelled) " labelled networks that were in the top "
                        (plainsight_store::casework::HIGH_PRIORITY_RANK) " when labelled, "
                        strong { (review.high_priority_not_relevant) " (" (format!("{:.0}%", rate * 100.0)) ")" } " were judged not relevant: the false-positive rate of high-priority leads, "
                        span.interval { (format!("95% interval {:.0}%–{:.0}%", low * 100.0, high * 100.0)) } " (Wilson)."
                        @if review.too_few_labels() {
                            span.caution role="note" { " Caution: fewer than " (plainsight_store::casework::FEW_LABELS) " labels, so this rate can still change a lot with each new label." }
                        }
                    }
                    _ => { "No high-priority lead has been labelled yet, so there is no false-positive rate to show." }
                }
            }
        }
        @if user.can(Permission::ViewLeads) {
            section {
                h2 { "Top leads" }
                (lead_table(&figures.top_leads, &LeadTableOptions::default()))
                p { a href="/leads" { "The whole lead queue →" } }
            }
        }
    };
    Ok(page(
        &Frame::signed(&state, &user, "Dashboard", "dashboard"),
        content,
    )
    .into_response())
}

/// Contributions this small print as "+0.0" and explain nothing: lists leave them out.
const SHOWN_CONTRIBUTION: f64 = 0.05;

/// What a lead table shows beyond the basic columns.
#[derive(Default)]
struct LeadTableOptions<'a> {
    /// The reason filtered on, with its contribution per network.
    matched: Option<(&'a str, &'a HashMap<u64, f64>)>,
    /// Check boxes for bulk actions (inside the page's bulk form).
    selectable: bool,
    /// Column headers as sort links: the link for a sort name, the current sort and direction.
    sort_links: Option<(SortLink<'a>, &'a str, bool)>,
}

/// The link to the queue sorted by a column, ascending or not.
type SortLink<'a> = &'a dyn Fn(&str, bool) -> String;

fn lead_table(leads: &[Lead], opts: &LeadTableOptions<'_>) -> Markup {
    let header = |label: &str, sort: &str, numeric: bool| -> Markup {
        match &opts.sort_links {
            None => html! { th.num[numeric] { (label) } },
            Some((link, current, ascending)) => {
                let here = *current == sort;
                // A second click on the current column flips its direction.
                let next_ascending = if here { !ascending } else { sort == "network" };
                let state = match (here, ascending) {
                    (false, _) => "none",
                    (true, true) => "ascending",
                    (true, false) => "descending",
                };
                html! { th.num[numeric] aria-sort=(state) { a href=(link(sort, next_ascending)) { (label) @if here { @if *ascending { " ▲" } @else { " ▼" } } } } }
            }
        }
    };
    html! {
        @if leads.is_empty() {
            p.empty { "No networks match." }
        } @else {
            table.leads {
                thead { tr {
                    @if opts.selectable { th { span.visually-hidden { "Select" } } }
                    (header("Network", "network", false)) (header("Priority", "priority", true)) (header("Ads", "ads", true))
                    th { "Places" } (header("First seen", "first_seen", false)) (header("Last seen", "last_seen", false))
                    @if let Some((code, _)) = opts.matched { th { "Matched reason: " (reasons::name(code)) } }
                    th { "Top reasons" } th { "Review" }
                } }
                tbody {
                    @for lead in leads {
                        @let n = &lead.network;
                        tr {
                            @if opts.selectable { td { input type="checkbox" name="network" value=(n.network_id) aria-label=(format!("Select N{}", n.network_id)); } }
                            td { a href=(format!("/networks/{}", n.network_id)) { "N" (n.network_id) } }
                            td.num { (format!("{:.1}", n.priority)) }
                            td.num { (n.ads) }
                            td { (n.places.join("; ")) @if n.places_total > n.places.len() { " +" (n.places_total - n.places.len()) } }
                            td.nowrap { (day(n.first_seen)) }
                            td.nowrap { (day(n.last_seen)) }
                            @if let Some((_, by_network)) = opts.matched {
                                td.num { @match by_network.get(&n.network_id) { Some(c) => { (format!("{c:+.1}")) }, None => "—" } }
                            }
                            td {
                                ul.reasons {
                                    @for (code, description, contribution) in n.reasons.iter().filter(|r| r.2.abs() >= SHOWN_CONTRIBUTION) {
                                        li title=(code) { (description) span.weight { " " (format!("{contribution:+.1}")) } }
                                    }
                                }
                            }
                            td { @match &lead.label { Some(l) => span.label { (label_text(l)) }, None => span.unreviewed { "not reviewed" } } }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct QueueQuery {
    /// Absent: the user's area (as on the dashboard); empty: every area.
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    indicator: String,
    /// A label name, `reviewed` or `unreviewed`.
    #[serde(default)]
    status: String,
    /// A column: `priority` (default), `ads`, `first_seen`, `last_seen`, `network`.
    #[serde(default)]
    sort: String,
    /// `asc` or `desc` (default: the column's natural order).
    #[serde(default)]
    dir: String,
    /// 1-based; 0 or absent is the first page.
    #[serde(default)]
    page: u64,
    /// How many networks a bulk label just saved (the confirmation after it).
    #[serde(default)]
    saved: Option<u64>,
}

pub(crate) fn parse_day(
    s: &str,
    end_of_day: bool,
) -> Result<Option<chrono::DateTime<Utc>>, WebError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| WebError::BadRequest(format!("{s} is not a date like 2026-01-31")))?;
    let t = if end_of_day {
        d.and_hms_opt(23, 59, 59)
    } else {
        d.and_hms_opt(0, 0, 0)
    }
    .ok_or_else(|| WebError::BadRequest(format!("{s} is not a date")))?;
    Ok(Some(Utc.from_utc_datetime(&t)))
}

/// "Raleigh, NC" → ("Raleigh", Some("NC")); "NC" → ("", Some("NC")); "Raleigh" → ("Raleigh", None).
pub(crate) fn parse_place(s: &str) -> Option<(String, Option<String>)> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some((name, admin1)) = s.rsplit_once(',') {
        return Some((name.trim().to_string(), Some(admin1.trim().to_uppercase())));
    }
    if s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some((String::new(), Some(s.to_uppercase())));
    }
    Some((s.to_string(), None))
}

/// The queue's filter and the place it applied (the user's area when none was asked for).
fn queue_filter(user: &Signed, q: &QueueQuery) -> Result<(LeadFilter, String), WebError> {
    if q.page > MAX_PAGE {
        return Err(WebError::BadRequest(format!(
            "page {} is out of range: pages are numbered 1 to {MAX_PAGE}",
            q.page
        )));
    }
    let (label, reviewed) = match q.status.as_str() {
        "" => (None, None),
        "reviewed" => (None, Some(true)),
        "unreviewed" => (None, Some(false)),
        l if REVIEW_LABELS.contains(&l) => (Some(l.to_string()), None),
        other => return Err(WebError::BadRequest(format!("unknown status {other}"))),
    };
    let sort = match q.sort.as_str() {
        "" => LeadSort::Priority,
        s => LeadSort::parse(s)
            .ok_or_else(|| WebError::BadRequest(format!("unknown sort column {s}")))?,
    };
    let ascending = match q.dir.as_str() {
        "" => sort == LeadSort::Network,
        "asc" => true,
        "desc" => false,
        d => return Err(WebError::BadRequest(format!("unknown sort direction {d}"))),
    };
    let place = q.place.clone().unwrap_or_else(|| user.user.area.clone());
    Ok((
        LeadFilter {
            place: parse_place(&place),
            since: parse_day(&q.since, false)?,
            until: parse_day(&q.until, true)?,
            indicator: (!q.indicator.trim().is_empty()).then(|| q.indicator.trim().to_string()),
            label,
            reviewed,
            min_ads: 0,
            sort,
            ascending,
            offset: q.page.saturating_sub(1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        },
        place,
    ))
}

/// Networks ranked by priority (or another column), with filters, the total, paging and bulk
/// actions.
pub async fn queue(
    State(state): State<AppState>,
    user: Signed,
    BoundedQuery(q): BoundedQuery<QueueQuery>,
) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ViewLeads, "view_leads", None)
        .await?;
    let (filter, place) = queue_filter(&user, &q)?;
    let leads = state.store.lead_queue(&filter).await?;
    let total = state.store.lead_count(&filter).await?;
    let reason_list = state.store.reason_codes().await?;
    let matched: HashMap<u64, f64> = match &filter.indicator {
        Some(code) => {
            let ids: Vec<u64> = leads.iter().map(|l| l.network.network_id).collect();
            state
                .store
                .reason_contributions(code, &ids)
                .await?
                .into_iter()
                .collect()
        }
        None => HashMap::new(),
    };
    let cases = if user.can(Permission::ManageCases) {
        state.store.cases_for_team(user.user.team_id).await?
    } else {
        Vec::new()
    };
    let detail = format!(
        "place={place} since={} until={} indicator={} status={} sort={} dir={} page={}",
        q.since, q.until, q.indicator, q.status, q.sort, q.dir, q.page
    );
    user.audit(&state, "view_leads", None, Outcome::Success, Some(&detail))
        .await?;
    let page_no = q.page.max(1);
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let link = |path: &str, sort: &str, ascending: bool, page: u64| {
        format!(
            "{path}?place={}&since={}&until={}&indicator={}&status={}&sort={}&dir={}&page={page}",
            url_encode(&place),
            url_encode(&q.since),
            url_encode(&q.until),
            url_encode(&q.indicator),
            url_encode(&q.status),
            sort,
            if ascending { "asc" } else { "desc" },
        )
    };
    let sort_name = filter.sort.name();
    let page_link = |p: u64| link("/leads", sort_name, filter.ascending, p);
    let sort_link = |s: &str, asc: bool| link("/leads", s, asc, 1);
    let area_note = if q.place.is_none() && !user.user.area.is_empty() {
        Some(user.user.area.clone())
    } else {
        None
    };
    let first = filter.offset + 1;
    let last = filter.offset + leads.len() as u64;
    let content = html! {
        h1 { "Lead queue" }
        @if let Some(n) = q.saved { p.confirm role="status" { "Saved: " (n) " networks labelled " (label_text(&q.status)) ". They are listed below." } }
        p.hint { "Networks in order of review priority: the sum of the reasons listed. A priority is an order for review, not a finding." }
        form.filters method="get" action="/leads" {
            label { "Place" input name="place" value=(place) placeholder="Raleigh, NC or NC; empty for every area"; }
            label { "Seen since" input type="date" name="since" value=(q.since); }
            label { "First seen by" input type="date" name="until" value=(q.until); }
            label { "Reason"
                select name="indicator" {
                    option value="" selected[q.indicator.is_empty()] { "any reason" }
                    @for r in &reason_list {
                        option value=(r.code) selected[q.indicator == r.code] { (reasons::name(&r.code)) " (" (r.networks) ")" }
                    }
                }
            }
            label { "Review"
                select name="status" {
                    option value="" selected[q.status.is_empty()] { "any" }
                    option value="unreviewed" selected[q.status == "unreviewed"] { "not reviewed" }
                    option value="reviewed" selected[q.status == "reviewed"] { "reviewed" }
                    @for l in REVIEW_LABELS { option value=(l) selected[q.status == l] { (label_text(l)) } }
                }
            }
            input type="hidden" name="sort" value=(sort_name);
            input type="hidden" name="dir" value=(if filter.ascending { "asc" } else { "desc" });
            button type="submit" { "Filter" }
        }
        p.result-count {
            strong { (total) } " networks match"
            @if let Some(area) = &area_note { " in your area (" (area) "; clear the place for every area)" }
            "."
            @if total > 0 { " Showing " (first) "–" (last) ", page " (page_no) " of " (pages) "." }
            @if user.can(Permission::Export) && total > 0 { " " a href=(link("/leads.csv", sort_name, filter.ascending, 1)) { "Export as CSV" } }
        }
        @let can_bulk = user.can(Permission::Label) || user.can(Permission::ManageCases);
        @let opts = LeadTableOptions {
            matched: filter.indicator.as_deref().map(|c| (c, &matched)),
            selectable: can_bulk && !leads.is_empty(),
            sort_links: Some((&sort_link, sort_name, filter.ascending)),
        };
        @if can_bulk && !leads.is_empty() {
            form.bulk method="post" action="/leads/bulk" {
                (csrf_field(&user))
                fieldset.bulk-actions {
                    legend { "With the networks ticked below" }
                    @if user.can(Permission::Label) {
                        label { "Label"
                            select name="label" {
                                option value="" { "—" }
                                @for l in REVIEW_LABELS { option value=(l) { (label_text(l)) } }
                            }
                        }
                        label { "Note" input name="note" maxlength=(crate::limits::max_chars("note")); }
                        button type="submit" name="action" value="label" { "Label selected" }
                    }
                    @if user.can(Permission::ManageCases) && !cases.is_empty() {
                        label { "Case folder"
                            select name="case_id" { @for c in cases.iter().filter(|c| c.status == "open") { option value=(c.case_id) { "#" (c.case_id) " " (c.title) } } }
                        }
                        button type="submit" name="action" value="add_to_case" { "Add selected to case" }
                    }
                }
                (lead_table(&leads, &opts))
            }
        } @else {
            (lead_table(&leads, &opts))
        }
        nav.pager {
            @if page_no > 1 { a href=(page_link(page_no - 1)) { "← Previous" } }
            span { "Page " (page_no) " of " (pages) }
            @if page_no < pages { a href=(page_link(page_no + 1)) { "Next →" } }
        }
    };
    Ok(page(
        &Frame::signed(&state, &user, "Lead queue", "leads"),
        content,
    )
    .into_response())
}

/// Rows a CSV export of the lead queue holds at most.
const LEADS_CSV_ROWS: u64 = 50_000;

/// The lead queue with its filters and order as CSV, one row per network.
pub async fn queue_csv(
    State(state): State<AppState>,
    user: Signed,
    BoundedQuery(q): BoundedQuery<QueueQuery>,
) -> Result<Response, WebError> {
    require_export(&state, &user, Permission::ViewLeads, "export_leads", None).await?;
    let (mut filter, place) = queue_filter(&user, &q)?;
    filter.offset = 0;
    filter.limit = LEADS_CSV_ROWS;
    let leads = state.store.lead_queue(&filter).await?;
    let detail = format!(
        "{} rows; place={place} since={} until={} indicator={} status={}",
        leads.len(),
        q.since,
        q.until,
        q.indicator,
        q.status
    );
    user.audit(
        &state,
        "export_leads",
        None,
        Outcome::Success,
        Some(&detail),
    )
    .await?;
    let mut w = CsvFile::new();
    w.row([
        "network",
        "priority",
        "ads",
        "first_seen",
        "last_seen",
        "places",
        "top_reasons",
        "review",
    ])?;
    for lead in &leads {
        let n = &lead.network;
        let reasons = n
            .reasons
            .iter()
            .filter(|r| r.2.abs() >= SHOWN_CONTRIBUTION)
            .map(|r| format!("{} ({:+.2})", r.1, r.2))
            .collect::<Vec<_>>()
            .join("; ");
        w.row([
            n.network_id.to_string(),
            format!("{:.3}", n.priority),
            n.ads.to_string(),
            n.first_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
            n.last_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
            csv_text(&n.places.join("; ")),
            csv_text(&reasons),
            lead.label.clone().unwrap_or_default(),
        ])?;
    }
    w.download("leads.csv")
}

/// The most networks one bulk action may change (two pages of the queue and more; a bigger
/// selection is a mistake more often than not).
const BULK_MAX: usize = 500;

/// Label, or add to a case folder, every selected network of the queue: one transaction, one
/// audit entry per change.
pub async fn bulk(
    State(state): State<AppState>,
    user: Signed,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let action = field("action");
    let mut ids = Vec::new();
    for (k, v) in &fields {
        if k == "network" {
            let id: i64 = v
                .parse()
                .map_err(|_| WebError::BadRequest(format!("{v} is not a network number")))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(WebError::BadRequest("no network was selected".into()));
    }
    if ids.len() > BULK_MAX {
        return Err(WebError::BadRequest(format!(
            "{} networks were selected; at most {BULK_MAX} at a time",
            ids.len()
        )));
    }
    match action.as_str() {
        "label" => {
            user.require_audited(&state, Permission::Label, "label_network", None)
                .await?;
            let label = field("label");
            if !REVIEW_LABELS.contains(&label.as_str()) {
                return Err(WebError::BadRequest(format!("unknown label {label}")));
            }
            let stored = state
                .store
                .add_labels(&ids, &label, &field("note"), user.user.user_id, &|stored| {
                    let detail = format!("{} v{} (bulk)", stored.label, stored.version);
                    user.event(
                        "label_network",
                        Some(format!("network:{}", stored.network_id)),
                        Outcome::Success,
                        Some(&detail),
                    )
                })
                .await?;
            // Every area, so each labelled network is listed under the confirmation.
            let back = format!(
                "/leads?saved={}&status={}&place=",
                stored.len(),
                url_encode(&label)
            );
            Ok(Redirect::to(&back).into_response())
        }
        "add_to_case" => {
            let case_id: i64 = field("case_id")
                .parse()
                .map_err(|_| WebError::BadRequest("choose a case folder".into()))?;
            let object = Some(format!("case:{case_id}"));
            user.require_audited(
                &state,
                Permission::ManageCases,
                "add_case_item",
                object.clone(),
            )
            .await?;
            // The team check; a closed folder is refused by the store inside the write.
            state
                .store
                .case_for_team(case_id, user.user.team_id)
                .await?
                .ok_or(WebError::NotFound)?;
            for &id in &ids {
                if state.store.network(id as u64).await?.is_none() {
                    return Err(WebError::NotFound);
                }
            }
            state
                .store
                .add_case_items(case_id, "network", &ids, user.user.user_id, &|item| {
                    user.event(
                        "add_case_item",
                        object.clone(),
                        Outcome::Success,
                        Some(&format!("network:{item} (bulk)")),
                    )
                })
                .await?;
            Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
        }
        other => Err(WebError::BadRequest(format!("unknown action {other}"))),
    }
}

fn node_kind(kind: &str) -> NodeKind {
    match kind {
        "phone" => NodeKind::Phone,
        "email" => NodeKind::Email,
        "handle" | "payment" | "social" => NodeKind::Handle,
        // `similar_photo` (near-identical photo hashes) too: drawn as a dashed "other" node,
        // it was shown in the legend as "Hidden ads".
        k if k.starts_with("image")
            || k.contains("photo")
            || k.starts_with("phash")
            || k.starts_with("sha256") =>
        {
            NodeKind::Image
        }
        "template" => NodeKind::Template,
        _ => NodeKind::Other,
    }
}

/// The graph of a network: its ads and the identifiers and templates that join them.
fn network_graph(n: &NetworkRecord, keys: &HashMap<&str, i64>) -> Graph {
    let mut nodes = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for ad in &n.ads {
        index.insert(format!("ad:{ad}"), nodes.len());
        nodes.push(Node {
            key: format!("ad:{ad}"),
            kind: NodeKind::Ad,
            label: format!("ad {ad}"),
            href: keys.get(ad.as_str()).map(|k| format!("/ads/{k}")),
        });
    }
    let mut edges = Vec::new();
    for link in &n.links {
        let key = format!("{}:{}", link.kind, link.value);
        let at = nodes.len();
        index.insert(key.clone(), at);
        let kind = node_kind(&link.kind);
        // Phones, emails and handles are what search looks up: their nodes are labelled with
        // the value and lead to every ad that carries it. Photo hashes and templates are not
        // searchable; their label says what they are.
        let searchable = matches!(kind, NodeKind::Phone | NodeKind::Email | NodeKind::Handle);
        nodes.push(Node {
            key,
            kind,
            label: if searchable {
                link.value.clone()
            } else {
                format!("{} {}", link.kind, link.value)
            },
            href: searchable.then(|| search_href(&link.value)),
        });
        for ad in &link.ads {
            if let Some(&from) = index.get(&format!("ad:{ad}")) {
                edges.push(Edge {
                    from,
                    to: at,
                    kind: link.kind.clone(),
                });
            }
        }
    }
    Graph { nodes, edges }
}

/// How a network page draws its graph: every node labelled in a small network, the
/// identifiers (and "+N more ads" stand-ins) only in a large one; the legend apart, before
/// the drawing (the page cache keeps both), so zooming never covers it. The exported file
/// ([`network_graph_svg`]) is the same drawing with the legend inside.
fn page_graph_options(graph: &Graph, id: i64) -> GraphOptions {
    GraphOptions {
        width: 900,
        height: 560,
        seed: id as u64,
        label_nodes: graph.nodes.len() <= 60,
        label_identifiers: true,
        legend: false,
    }
}

/// The network's graph as an SVG file to keep or put in a report: the page's drawing, with
/// its legend inside (a file has no page around it). Needs *view leads* and *export*; audited.
pub async fn network_graph_svg(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let object = Some(format!("network:{id}"));
    require_export(
        &state,
        &user,
        Permission::ViewLeads,
        "export_network_graph",
        object.clone(),
    )
    .await?;
    let Some(n) = state.store.network(id as u64).await? else {
        return Err(WebError::NotFound);
    };
    let refs: Vec<AdRef> = state.store.network_ad_refs(id).await?;
    let keys: HashMap<&str, i64> = refs.iter().map(|r| (r.id.as_str(), r.ad_key)).collect();
    let graph = collapse(&network_graph(&n, &keys), GRAPH_MAX_NODES);
    let svg = graph_svg(
        &graph,
        &GraphOptions {
            legend: true,
            ..page_graph_options(&graph, id)
        },
    );
    let detail = format!("graph.svg, {} nodes", graph.nodes.len());
    user.audit(
        &state,
        "export_network_graph",
        object,
        Outcome::Success,
        Some(&detail),
    )
    .await?;
    let mut res = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{svg}\n").into_response();
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    let disposition =
        axum::http::HeaderValue::from_str(&format!("attachment; filename=\"network-N{id}.svg\""))
            .map_err(|e| WebError::Internal(e.to_string()))?;
    res.headers_mut()
        .insert(axum::http::header::CONTENT_DISPOSITION, disposition);
    Ok(res)
}

/// What a network page keeps beside its graph after the first view.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedParts {
    templates: Vec<(String, Template)>,
    /// Nodes drawn (fewer than ads and identifiers when the graph was collapsed).
    drawn_nodes: usize,
}

/// One network: why it ranks where it does, how it holds together, where it went.
/// What a network page is asked besides its id.
#[derive(Debug, Deserialize, Default)]
pub struct NetworkQuery {
    /// `label` right after a label was saved: the page confirms it.
    #[serde(default)]
    saved: String,
}

pub async fn network(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
    BoundedQuery(nq): BoundedQuery<NetworkQuery>,
) -> Result<Response, WebError> {
    let object = Some(format!("network:{id}"));
    user.require_audited(
        &state,
        Permission::ViewLeads,
        "view_network",
        object.clone(),
    )
    .await?;
    let Some(n) = state.store.network(id as u64).await? else {
        return Err(WebError::NotFound);
    };
    user.audit(&state, "view_network", object, Outcome::Success, None)
        .await?;
    let refs: Vec<AdRef> = state.store.network_ad_refs(id).await?;
    let keys: HashMap<&str, i64> = refs.iter().map(|r| (r.id.as_str(), r.ad_key)).collect();
    let labels = state.store.labels(id).await?;
    let cases = if user.can(Permission::ManageCases) {
        state.store.cases_for_team(user.user.team_id).await?
    } else {
        Vec::new()
    };
    // Templates and the laid-out graph cost most; they are kept after the first view until
    // the next analysis.
    let (templates, graph_svg, drawn_nodes) = match state.store.page_cache(id).await? {
        Some((cached, graph)) => {
            let cached: CachedParts = serde_json::from_str(&cached)
                .map_err(|e| WebError::Internal(format!("cached templates: {e}")))?;
            (cached.templates, graph, cached.drawn_nodes)
        }
        None => {
            let texts = state.store.network_texts(n.network_id).await?;
            let templates = network_templates(&n, &texts);
            let graph = collapse(&network_graph(&n, &keys), GRAPH_MAX_NODES);
            let svg =
                graph_legend_svg(&graph) + &graph_svg(&graph, &page_graph_options(&graph, id));
            let cached = CachedParts {
                templates,
                drawn_nodes: graph.nodes.len(),
            };
            let json =
                serde_json::to_string(&cached).map_err(|e| WebError::Internal(e.to_string()))?;
            state.store.save_page_cache(id, &json, &svg).await?;
            (cached.templates, svg, cached.drawn_nodes)
        }
    };
    let stops: Vec<Stop> = n
        .locations
        .iter()
        .filter_map(|l| {
            let (lat, lon) = plainsight_text::places::place_coordinates(&l.name, &l.admin1)?;
            Some(Stop {
                name: l.name.clone(),
                admin1: l.admin1.clone(),
                lat,
                lon,
                first_seen: l.first_seen.map(|t| t.date_naive()),
                last_seen: l.last_seen.map(|t| t.date_naive()),
                ads: l.ads,
            })
        })
        .collect();
    // Which photos link which ads: hashes and how each photo was seen (size, host or saved
    // path), read from the ads those links join (at most 200 of them); never the photos.
    let photo_links: Vec<_> = n
        .links
        .iter()
        .filter(|l| {
            matches!(
                l.kind.as_str(),
                "image_sha256" | "image_phash" | "similar_photo"
            )
        })
        .cloned()
        .collect();
    let photos = if photo_links.is_empty() {
        Vec::new()
    } else {
        let mut photo_keys: Vec<i64> = photo_links
            .iter()
            .flat_map(|l| l.ads.iter())
            .filter_map(|ad| keys.get(ad.as_str()).copied())
            .collect();
        photo_keys.sort_unstable();
        photo_keys.dedup();
        photo_keys.truncate(200);
        let images_of: HashMap<String, Vec<plainsight_core::ImageRef>> = state
            .store
            .ads_by_keys(&photo_keys)
            .await?
            .into_iter()
            .map(|stored| (stored.ad.id, stored.ad.images))
            .collect();
        photo_evidence(&photo_links, &images_of)
    };
    let title = format!("Network N{id}");
    let content = html! {
        h1 { (title) }
        @if nq.saved == "label" {
            @if let Some(l) = labels.first() {
                p.confirm role="status" { "Saved: labelled " (label_text(&l.label)) " (version " (l.version) ")." }
            }
        }
        p.status {
            @match labels.first() {
                Some(l) => { span.badge.labelled { (label_text(&l.label)) } " v" (l.version) " by " (l.username) " at " (when(Some(&l.created_at))) },
                None => { span.badge.unreviewed { "Not reviewed" } },
            }
            @if user.can(Permission::Label) { " · " a href="#review" { "Label" } }
            @if user.can(Permission::ManageCases) { " · " a href="#add-to-case" { "Add to a case folder" } }
        }
        p.summary {
            strong { "Priority " (format!("{:.1}", n.priority)) } " · " (n.ads.len()) " ads · "
            (day(n.first_seen)) " – " (day(n.last_seen)) " · "
            (format!("{:.1}", n.ads_per_week)) " ads a week · "
            (format!("{:.1}", n.personas_per_phone)) " names per phone number"
        }
        section {
            h2 { "Why it ranks here" }
            p.hint { "Each reason adds its weight; the priority is their sum. Follow an ad to see the words in place." }
            ol.reasons-full {
                @for r in &n.reasons {
                    li {
                        strong { (r.description) } " " code { (r.code) }
                        span.weight { " +" (format!("{:.2}", r.weight * r.value)) " (weight " (format!("{:.2}", r.weight)) " × " (format!("{:.2}", r.value)) ")" }
                        @if !r.evidence.is_empty() {
                            ul.evidence {
                                @for e in r.evidence.iter().take(5) {
                                    li {
                                        // Network-wide evidence (places, counts) names no ad.
                                        @match keys.get(e.ad.as_str()) {
                                            Some(k) => { a href=(format!("/ads/{k}")) { "ad " (e.ad) } ": " },
                                            None if e.ad.is_empty() => {},
                                            None => { span { "ad " (e.ad) } ": " },
                                        }
                                        "“" mark { (e.text) } "”"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { "How the ads are linked" }
            p.hint { "Ads (circles) joined by shared phone numbers, emails, handles, photos and text templates. Hover or focus a node to see its links." }
            div.graph { (svg(graph_svg)) }
            @if drawn_nodes < n.ads.len() + n.links.len() {
                p.hint {
                    "This network is large: " (drawn_nodes) " of its " (n.ads.len() + n.links.len())
                    " ads and identifiers are drawn. Every identifier is kept; the least-linked ads are folded into “+N more ads” nodes, N counted under each identifier."
                }
            }
            p.hint {
                "Zoom with the buttons or ctrl and the mouse wheel; phones, emails and handles lead to their search."
                @if user.can(Permission::Export) {
                    " " a.ps-graph-download href=(format!("/networks/{id}/graph.svg")) download { "Download the graph (SVG)" }
                }
            }
            table.links {
                thead { tr { th { "Link" } th { "Value" } th.num { "Ads" } } }
                tbody { @for l in &n.links { tr { td { (l.kind) } td { code { (l.value) } } td.num { (l.ads.len()) } } } }
            }
            @if !n.unused_identifiers.is_empty() {
                p.hint { "Not used for linking (hubs or excluded): " (n.unused_identifiers.join(", ")) }
            }
        }
        @if !photos.is_empty() {
            section id="photos" {
                h2 { "Photos that link these ads" }
                p.hint { "Photos are never kept or shown: each is described by its hashes and how it was seen." }
                table.photos {
                    thead { tr { th { "How" } th { "Hashes" } th { "Ads" } th { "Seen as" } } }
                    tbody {
                        @for p in photos.iter().take(100) {
                            tr {
                                td { (p.how) @if let Some(d) = p.distance { " (" (d) " bits apart)" } }
                                td { @for h in &p.hashes { code { (h) } " " } }
                                td {
                                    @for ad in p.ads.iter().take(20) {
                                        @match keys.get(ad.as_str()) {
                                            Some(k) => { a href=(format!("/ads/{k}")) { (ad) } " " },
                                            None => { span { (ad) } " " },
                                        }
                                    }
                                    @if p.ads.len() > 20 { "+" (p.ads.len() - 20) " more" }
                                }
                                td { (p.seen.join("; ")) @if p.seen.is_empty() { "—" } }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { "Where and when" }
            @if stops.is_empty() {
                p.empty { "No place in these ads could be placed on the map." }
            } @else {
                div.grid2 {
                    div { (svg(movement_map("Movement between places", &stops, &ChartOptions { width: 520, height: 360, unit: "ads".into() }))) }
                    div { (svg(timeline("Timeline by place", &stops, &ChartOptions { width: 520, height: 0, unit: "ads".into() }))) }
                }
            }
            table {
                thead { tr { th { "Place" } th { "First seen" } th { "Last seen" } th.num { "Ads" } } }
                tbody { @for l in &n.locations { tr { td { (l.name) ", " (l.admin1) } td { (day(l.first_seen)) } td { (day(l.last_seen)) } td.num { (l.ads) } } } }
            }
        }
        @if !templates.is_empty() {
            section {
                h2 { "Shared wording" }
                p.hint { "Text the ads repeat; highlighted slots are the parts that vary, with examples." }
                @for (name, t) in &templates {
                    div.template {
                        h3 { (name) " · " (t.texts) " ads" }
                        p {
                            @for part in &t.parts {
                                @match part {
                                    TemplatePart::Text { text } => { (text) " " }
                                    TemplatePart::Slot { examples } => {
                                        mark.slot title=(examples.join(" | ")) { "[" (examples.first().map(String::as_str).unwrap_or("…")) @if examples.len() > 1 { " | …" } "]" } " "
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { "Identifiers" }
            dl.identifiers {
                dt { "Phones" } dd { @for p in &n.phones { a href=(search_href(p)) { code { (p) } } " " } @if n.phones.is_empty() { "—" } }
                dt { "Emails" } dd { @for e in &n.emails { a href=(search_href(e)) { code { (e) } } " " } @if n.emails.is_empty() { "—" } }
                dt { "Handles" } dd { @for h in &n.handles { a href=(search_href(h)) { code { (h) } } " " } @if n.handles.is_empty() { "—" } }
                dt { "Names used" } dd { (n.personas.join(", ")) @if n.personas.is_empty() { "—" } }
                dt { "Photo hashes" } dd { @for h in n.image_hashes.iter().take(20) { code { (h) } " " } @if n.image_hashes.is_empty() { "—" } }
            }
            p.hint { "Photos are never shown, only their hashes." }
        }
        section {
            h2 { "Ads (" (refs.len()) ")" }
            table {
                thead { tr { th { "Ad" } th { "Posted" } th { "Title" } } }
                tbody { @for r in refs.iter().take(500) { tr { td { a href=(format!("/ads/{}", r.ad_key)) { (r.id) } } td { (when(r.posted_at.as_deref())) } td { (r.title.as_deref().unwrap_or("")) } } } }
            }
            @if refs.len() > 500 { p.hint { "The first 500 ads are listed." } }
        }
        @if user.can(Permission::Label) {
            section id="review" {
                h2 { "Review" }
                form.label method="post" action=(format!("/networks/{id}/label")) {
                    (csrf_field(&user))
                    fieldset {
                        legend { "Label this whole network" }
                        @for l in REVIEW_LABELS {
                            label.radio { input type="radio" name="label" value=(l) required; " " (label_text(l)) }
                        }
                    }
                    label { "Note" textarea name="note" rows="3" maxlength=(crate::limits::max_chars("note")) {} }
                    button type="submit" { "Save label" }
                }
                @if !labels.is_empty() {
                    h3 { "Earlier labels" }
                    ul.history { @for l in &labels { li { "v" (l.version) " · " (label_text(&l.label)) " by " (l.username) " at " (when(Some(&l.created_at))) " (rank " (l.rank) ")" @if !l.note.is_empty() { ": " (l.note) } } } }
                }
            }
        }
        @if user.can(Permission::ManageCases) {
            section id="add-to-case" {
                h2 { "Add to a case folder" }
                @if cases.is_empty() {
                    p { "Your team has no case folders yet. " a href="/cases" { "Create one" } "." }
                } @else {
                    form method="post" action="/cases/add" {
                        (csrf_field(&user))
                        input type="hidden" name="kind" value="network";
                        input type="hidden" name="item" value=(id);
                        select name="case_id" { @for c in &cases { option value=(c.case_id) { "#" (c.case_id) " " (c.title) } } }
                        button type="submit" { "Add network" }
                    }
                }
            }
        }
    };
    Ok(page(&Frame::signed(&state, &user, &title, "leads"), content).into_response())
}

#[derive(Deserialize)]
pub struct LabelForm {
    label: String,
    #[serde(default)]
    note: String,
}

/// Label a whole network (a new version; earlier labels stay).
pub async fn label(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<LabelForm>,
) -> Result<Response, WebError> {
    let object = Some(format!("network:{id}"));
    user.require_audited(&state, Permission::Label, "label_network", object.clone())
        .await?;
    if !REVIEW_LABELS.contains(&form.label.as_str()) {
        return Err(WebError::BadRequest(format!(
            "unknown label {}",
            form.label
        )));
    }
    state
        .store
        .add_label(
            id,
            &form.label,
            form.note.trim(),
            user.user.user_id,
            &|stored| {
                let detail = format!("{} v{}", stored.label, stored.version);
                user.event(
                    "label_network",
                    object.clone(),
                    Outcome::Success,
                    Some(&detail),
                )
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/networks/{id}?saved=label")).into_response())
}

/// Spans of one field's text to highlight: (start, end, class, title).
type Marks = Vec<(usize, usize, &'static str, String)>;

/// The text with each marked span wrapped in `<mark>`; overlapping marks keep the first.
fn highlighted(text: &str, mut marks: Marks) -> Markup {
    marks.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    let mut pieces: Vec<(bool, &str, &'static str, String)> = Vec::new();
    let mut at = 0;
    for (start, end, class, title) in marks {
        if start < at || end > text.len() || start >= end {
            continue;
        }
        let (Some(before), Some(inner)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        pieces.push((false, before, "", String::new()));
        pieces.push((true, inner, class, title));
        at = end;
    }
    pieces.push((false, text.get(at..).unwrap_or(""), "", String::new()));
    html! {
        @for (marked, t, class, title) in pieces {
            @if marked { mark class=(class) title=(title) { (with_breaks(t)) } } @else { (with_breaks(t)) }
        }
    }
}

/// Text with the HTML line-break tags that scraped fields carry (`<br>`, `<br/>`, `<BR />`)
/// turned into line breaks, for an element that keeps them (`white-space: pre-wrap`). Only
/// these tags change; everything else stays text and is escaped when drawn, so markup in an
/// ad never becomes markup on the page.
pub(crate) fn with_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("<br") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find("<br") {
        let start = at + found;
        let rest = &lower[start + 3..];
        // `<br`, optional spaces and `/`, then `>`.
        let tail = rest.trim_start_matches([' ', '\t', '/']);
        if let Some(after) = tail.strip_prefix('>') {
            out.push_str(&text[at..start]);
            out.push('\n');
            at = lower.len() - after.len();
        } else {
            out.push_str(&text[at..start + 3]);
            at = start + 3;
        }
    }
    out.push_str(&text[at..]);
    std::borrow::Cow::Owned(out)
}

/// A link to search for an identifier as network pages write it (`kind:value` or
/// `platform:value`).
fn search_href(q: &str) -> String {
    format!("/search?q={}", url_encode(q))
}

/// One ad: the original text with every extraction and indicator highlighted in place.
pub async fn ad(
    State(state): State<AppState>,
    user: Signed,
    Path(key): Path<i64>,
) -> Result<Response, WebError> {
    let object = Some(format!("ad:{key}"));
    user.require_audited(&state, Permission::ViewAds, "view_ad", object.clone())
        .await?;
    let Some(stored) = state.store.ad_by_key(key).await? else {
        return Err(WebError::NotFound);
    };
    user.audit(&state, "view_ad", object, Outcome::Success, None)
        .await?;
    let network = state.store.network_of_ad(key).await?;
    let cases = if user.can(Permission::ManageCases) {
        state.store.cases_for_team(user.user.team_id).await?
    } else {
        Vec::new()
    };
    let x = &stored.extraction;
    let mut by_field: HashMap<Field, Marks> = HashMap::new();
    let mut add =
        |field: Field, span: plainsight_core::Span, class: &'static str, title: String| {
            by_field
                .entry(field)
                .or_default()
                .push((span.start, span.end, class, title));
        };
    for p in &x.phones {
        let how = if p.obscured {
            format!(" (obscured: {})", p.techniques.join(", "))
        } else {
            String::new()
        };
        add(p.field, p.span, "x-phone", format!("phone {}{how}", p.e164));
    }
    for e in &x.emails {
        add(e.field, e.span, "x-email", format!("email {}", e.email));
    }
    for h in &x.handles {
        add(
            h.field,
            h.span,
            "x-handle",
            format!("{} {}", h.platform, h.handle),
        );
    }
    for p in &x.payments {
        add(
            p.field,
            p.span,
            "x-payment",
            format!("{} {}", p.platform, p.handle),
        );
    }
    for p in &x.prices {
        add(
            p.field,
            p.span,
            "x-price",
            format!("price {} {} {}", p.amount, p.currency, p.unit),
        );
    }
    for a in &x.ages {
        add(a.field, a.span, "x-age", format!("stated age {}", a.age));
    }
    for l in &x.locations {
        add(
            l.field,
            l.span,
            "x-place",
            format!("place {}, {}", l.name, l.admin1),
        );
    }
    for u in &x.urls {
        add(u.field, u.span, "x-url", format!("link to {}", u.domain));
    }
    for i in &x.indicators {
        add(
            i.field,
            i.span,
            "x-indicator",
            format!("indicator: {}", reasons::name(&i.code)),
        );
    }
    let ad = &stored.ad;
    let title = ad.title.clone().unwrap_or_default();
    let body = ad.body.clone().unwrap_or_default();
    let location = ad.location.clone().unwrap_or_default();
    let content = html! {
        h1 { "Ad " (ad.id) }
        p.summary {
            "Site " (if ad.site.as_deref().unwrap_or("").is_empty() { "unknown" } else { ad.site.as_deref().unwrap_or("") })
            " · posted " (ad.posted_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "—".into()))
            " · read from " code { (stored.source_file) } " line " (stored.source_line)
            @if let Some(n) = network { " · " a href=(format!("/networks/{n}")) { "network N" (n) } }
        }
        @if let Some(url) = ad.url.as_deref().filter(|u| !u.trim().is_empty()) {
            p.original-url {
                "Original address: " code.url { (url) }
                br;
                span.hint { "Shown as text, not as a link: Plainsight never opens it. Opening it yourself contacts the site (and may tell whoever runs it that someone looked); copy it into a separate, safe browser if your procedures allow." }
            }
        }
        p.legend {
            "Highlighted: " mark.x-phone { "phone" } " " mark.x-email { "email" } " " mark.x-handle { "handle" } " "
            mark.x-payment { "payment" } " " mark.x-price { "price" } " " mark.x-age { "age" } " " mark.x-place { "place" } " "
            mark.x-url { "link" } " " mark.x-indicator { "indicator" } ". Hover a highlight for what was found."
        }
        section.adtext {
            h2 { "Title" }
            p.original { (highlighted(&title, by_field.remove(&Field::Title).unwrap_or_default())) }
            h2 { "Text" }
            pre.original { (highlighted(&body, by_field.remove(&Field::Body).unwrap_or_default())) }
            @if !location.is_empty() {
                h2 { "Location field" }
                p.original { (highlighted(&location, by_field.remove(&Field::Location).unwrap_or_default())) }
            }
        }
        section {
            h2 { "What was extracted" }
            table.extractions {
                thead { tr { th { "Kind" } th { "Value" } th { "As written" } th { "Where" } } }
                tbody {
                    @for p in &x.phones { tr { td { "phone" @if p.service { " (a service's line)" } } td { a href=(search_href(&p.e164)) { code { (p.e164) } } @if p.obscured { " (obscured: " (p.techniques.join(", ")) ")" } } td { (p.raw) } td { (p.field.as_str()) } } }
                    @for e in &x.emails { tr { td { "email" } td { a href=(search_href(&e.email)) { code { (e.email) } } } td { (e.raw) } td { (e.field.as_str()) } } }
                    @for h in &x.handles { tr { td { (h.platform) " handle" } td { a href=(search_href(&format!("{}:{}", h.platform, h.handle))) { code { (h.handle) } } } td { (h.raw) } td { (h.field.as_str()) } } }
                    @for p in &x.payments { tr { td { (p.platform) " payment" } td { a href=(search_href(&format!("{}:{}", p.platform, p.handle))) { code { (p.handle) } } } td { (p.raw) } td { (p.field.as_str()) } } }
                    @for p in &x.prices { tr { td { "price" } td { (format!("{} {}", p.amount, p.currency)) " per " (p.unit) } td { (p.raw) } td { (p.field.as_str()) } } }
                    @for a in &x.ages { tr { td { "stated age" } td { (a.age) } td { (a.raw) } td { (a.field.as_str()) } } }
                    @for l in &x.locations { tr { td { "place" } td { (l.name) ", " (l.admin1) @if !l.country.is_empty() { " (" (l.country) ")" } } td { (l.raw) } td { (l.field.as_str()) } } }
                    @for u in &x.urls { tr { td { "link" } td { code.url { (u.url) } } td { (u.raw) } td { (u.field.as_str()) } } }
                }
            }
            @if !x.indicators.is_empty() {
                h3 { "Indicators" }
                p.hint { "Reasons for a person to read this ad, never findings. Each is shown with the words that triggered it and where its weight comes from." }
                table.indicators {
                    thead { tr { th { "Indicator" } th { "Words" } th { "Weight" } th { "Source" } } }
                    tbody {
                        @for i in &x.indicators {
                            @let info = reasons::info(&i.code);
                            tr {
                                td title=(i.code) { (reasons::name(&i.code)) }
                                td { "“" (i.evidence) "”" }
                                td.num { @match info { Some(info) => { (format!("{:+.1}", info.weight)) }, None => "—" } }
                                td { @match info { Some(info) => { (info.source) }, None => { "agency definition (" code { (i.code) } ")" } } }
                            }
                        }
                    }
                }
            }
            @if !ad.images.is_empty() {
                p { (ad.images.len()) " photo(s); hashes only: "
                    @for img in &ad.images { code { (img.phash.as_deref().or(img.sha256.as_deref()).unwrap_or("no hash")) } " " } }
            }
        }
        @if user.can(Permission::ManageCases) {
            @if !cases.is_empty() {
                form method="post" action="/cases/add" {
                    (csrf_field(&user))
                    input type="hidden" name="kind" value="ad";
                    input type="hidden" name="item" value=(key);
                    select name="case_id" { @for c in &cases { option value=(c.case_id) { "#" (c.case_id) " " (c.title) } } }
                    button type="submit" { "Add ad to case" }
                }
            }
        }
    };
    let t = format!("Ad {}", ad.id);
    Ok(page(&Frame::signed(&state, &user, &t, "leads"), content).into_response())
}

#[cfg(test)]
mod tests {
    use super::with_breaks;

    #[test]
    fn line_break_tags_become_line_breaks_and_nothing_else_changes() {
        assert_eq!(with_breaks("a<br>b<BR/>c<br />d<bR\t/>e"), "a\nb\nc\nd\ne");
        assert_eq!(with_breaks("<brand> <b>x</b> <br"), "<brand> <b>x</b> <br");
        assert_eq!(with_breaks("é<br>ü"), "é\nü");
        assert!(matches!(
            with_breaks("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
