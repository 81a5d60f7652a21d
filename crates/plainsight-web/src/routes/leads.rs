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
    graph_svg, movement_map, stacked_progress, time_series, timeline,
};
use plainsight_network::{Template, TemplatePart, network_templates};
use plainsight_store::{AdRef, Lead, LeadFilter, REVIEW_LABELS};
use serde::Deserialize;

use crate::context::Signed;
use crate::security::{BoundedQuery, CsrfForm};
use crate::views::{Frame, csrf_field, day, label_text, page, svg, url_encode, when};
use crate::{AppState, WebError};

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
                @match review.false_positive_rate() {
                    Some(rate) => {
                        "Of " (review.high_priority_labelled) " labelled networks that were in the top "
                        (plainsight_store::casework::HIGH_PRIORITY_RANK) " when labelled, "
                        strong { (format!("{:.0}%", rate * 100.0)) } " were judged not relevant (the false-positive rate of high-priority leads)."
                    }
                    None => { "No high-priority lead has been labelled yet, so there is no false-positive rate to show." }
                }
            }
        }
        @if user.can(Permission::ViewLeads) {
            section {
                h2 { "Top leads" }
                (lead_table(&figures.top_leads))
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

fn lead_table(leads: &[Lead]) -> Markup {
    html! {
        @if leads.is_empty() {
            p.empty { "No networks match." }
        } @else {
            table.leads {
                thead { tr { th { "Network" } th.num { "Priority" } th.num { "Ads" } th { "Places" } th { "Seen" } th { "Top reasons" } th { "Review" } } }
                tbody {
                    @for lead in leads {
                        @let n = &lead.network;
                        tr {
                            td { a href=(format!("/networks/{}", n.network_id)) { "N" (n.network_id) } }
                            td.num { (format!("{:.1}", n.priority)) }
                            td.num { (n.ads) }
                            td { (n.places.join("; ")) @if n.places_total > n.places.len() { " +" (n.places_total - n.places.len()) } }
                            td { (day(n.first_seen)) " – " (day(n.last_seen)) }
                            td {
                                ul.reasons {
                                    @for (_, description, contribution) in &n.reasons {
                                        li { (description) span.weight { " +" (format!("{contribution:.1}")) } }
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
    #[serde(default)]
    place: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    indicator: String,
    /// A label name, `reviewed` or `unreviewed`.
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: u64,
}

fn parse_day(s: &str, end_of_day: bool) -> Result<Option<chrono::DateTime<Utc>>, WebError> {
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
fn parse_place(s: &str) -> Option<(String, Option<String>)> {
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

/// Networks ranked by priority, with filters and paging.
pub async fn queue(
    State(state): State<AppState>,
    user: Signed,
    BoundedQuery(q): BoundedQuery<QueueQuery>,
) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::ViewLeads, "view_leads", None)
        .await?;
    if q.page > MAX_PAGE {
        return Err(WebError::BadRequest(format!(
            "page {} is out of range: pages are numbered 0 to {MAX_PAGE}",
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
    let filter = LeadFilter {
        place: parse_place(&q.place),
        since: parse_day(&q.since, false)?,
        until: parse_day(&q.until, true)?,
        indicator: (!q.indicator.trim().is_empty()).then(|| q.indicator.trim().to_string()),
        label,
        reviewed,
        min_ads: 0,
        offset: q.page * PAGE_SIZE,
        limit: PAGE_SIZE + 1,
    };
    let mut leads = state.store.lead_queue(&filter).await?;
    let more = leads.len() as u64 > PAGE_SIZE;
    leads.truncate(PAGE_SIZE as usize);
    let detail = format!(
        "place={} since={} until={} indicator={} status={} page={}",
        q.place, q.since, q.until, q.indicator, q.status, q.page
    );
    user.audit(&state, "view_leads", None, Outcome::Success, Some(&detail))
        .await?;
    let page_link = |p: u64| {
        format!(
            "/leads?place={}&since={}&until={}&indicator={}&status={}&page={p}",
            url_encode(&q.place),
            url_encode(&q.since),
            url_encode(&q.until),
            url_encode(&q.indicator),
            url_encode(&q.status)
        )
    };
    let content = html! {
        h1 { "Lead queue" }
        p.hint { "Networks in order of review priority: the sum of the reasons listed. A priority is an order for review, not a finding." }
        form.filters method="get" action="/leads" {
            label { "Place" input name="place" value=(q.place) placeholder="Raleigh, NC or NC"; }
            label { "Seen since" input type="date" name="since" value=(q.since); }
            label { "First seen by" input type="date" name="until" value=(q.until); }
            label { "Reason code" input name="indicator" value=(q.indicator) placeholder="e.g. third_party"; }
            label { "Review"
                select name="status" {
                    option value="" selected[q.status.is_empty()] { "any" }
                    option value="unreviewed" selected[q.status == "unreviewed"] { "not reviewed" }
                    option value="reviewed" selected[q.status == "reviewed"] { "reviewed" }
                    @for l in REVIEW_LABELS { option value=(l) selected[q.status == l] { (label_text(l)) } }
                }
            }
            button type="submit" { "Filter" }
        }
        (lead_table(&leads))
        nav.pager {
            @if q.page > 0 { a href=(page_link(q.page - 1)) { "← Previous" } }
            span { "Page " (q.page + 1) }
            @if more { a href=(page_link(q.page + 1)) { "Next →" } }
        }
    };
    Ok(page(
        &Frame::signed(&state, &user, "Lead queue", "leads"),
        content,
    )
    .into_response())
}

fn node_kind(kind: &str) -> NodeKind {
    match kind {
        "phone" => NodeKind::Phone,
        "email" => NodeKind::Email,
        "handle" | "payment" | "social" => NodeKind::Handle,
        k if k.starts_with("image")
            || k.starts_with("photo")
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
        nodes.push(Node {
            key,
            kind: node_kind(&link.kind),
            label: format!("{} {}", link.kind, link.value),
            href: None,
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

/// What a network page keeps beside its graph after the first view.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedParts {
    templates: Vec<(String, Template)>,
    /// Nodes drawn (fewer than ads and identifiers when the graph was collapsed).
    drawn_nodes: usize,
}

/// One network: why it ranks where it does, how it holds together, where it went.
pub async fn network(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<i64>,
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
            let svg = graph_svg(
                &graph,
                &GraphOptions {
                    width: 900,
                    height: 560,
                    seed: id as u64,
                    label_nodes: graph.nodes.len() <= 60,
                },
            );
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
    let title = format!("Network N{id}");
    let content = html! {
        h1 { (title) }
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
                p.hint { "This network is large: the least-linked ads are folded into “more ads” nodes." }
            }
            table.links {
                thead { tr { th { "Link" } th { "Value" } th.num { "Ads" } } }
                tbody { @for l in &n.links { tr { td { (l.kind) } td { code { (l.value) } } td.num { (l.ads.len()) } } } }
            }
            @if !n.unused_identifiers.is_empty() {
                p.hint { "Not used for linking (hubs or excluded): " (n.unused_identifiers.join(", ")) }
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
                dt { "Phones" } dd { @for p in &n.phones { a href=(format!("/search?kind=identifier&q={}", url_encode(p))) { code { (p) } } " " } @if n.phones.is_empty() { "—" } }
                dt { "Emails" } dd { @for e in &n.emails { code { (e) } " " } @if n.emails.is_empty() { "—" } }
                dt { "Handles" } dd { @for h in &n.handles { code { (h) } " " } @if n.handles.is_empty() { "—" } }
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
            section {
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
            section {
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
    Ok(Redirect::to(&format!("/networks/{id}")).into_response())
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
            @if marked { mark class=(class) title=(title) { (t) } } @else { (t) }
        }
    }
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
            format!("indicator {}", i.code),
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
            table {
                thead { tr { th { "Kind" } th { "Value" } th { "As written" } } }
                tbody {
                    @for p in &x.phones { tr { td { "phone" } td { a href=(format!("/search?kind=identifier&q={}", url_encode(&p.e164))) { code { (p.e164) } } @if p.obscured { " (obscured)" } } td { (p.raw) } } }
                    @for e in &x.emails { tr { td { "email" } td { code { (e.email) } } td { (e.raw) } } }
                    @for h in &x.handles { tr { td { (h.platform) } td { code { (h.handle) } } td { (h.raw) } } }
                    @for p in &x.payments { tr { td { (p.platform) } td { code { (p.handle) } } td { (p.raw) } } }
                    @for i in &x.indicators { tr { td { "indicator" } td { code { (i.code) } } td { (i.evidence) } } }
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
