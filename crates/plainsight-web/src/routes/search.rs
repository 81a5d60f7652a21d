//! Search: full text over ad titles and bodies, and identifier look-up ("every ad with this
//! number"). Every search is audited with what was searched for.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;
use plainsight_access::Permission;
use plainsight_access::audit::Outcome;
use plainsight_core::IdentifierKind;
use serde::Deserialize;

use crate::context::Signed;
use crate::security::BoundedQuery;
use crate::views::{Frame, page, when};
use crate::{AppState, WebError};

const RESULTS: u32 = 100;

#[derive(Debug, Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// `text` (default) or `identifier`.
    #[serde(default)]
    kind: String,
}

/// What kind of identifier a typed value is, and its stored form.
fn identifier_of(q: &str) -> Option<(IdentifierKind, String)> {
    let q = q.trim();
    if q.contains('@') && !q.starts_with('@') {
        return Some((IdentifierKind::Email, q.to_lowercase()));
    }
    let digits: String = q.chars().filter(|c| c.is_ascii_digit()).collect();
    let phoneish = q
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phoneish && digits.len() >= 10 {
        let e164 = if q.starts_with('+') {
            format!("+{digits}")
        } else if digits.len() == 10 {
            format!("+1{digits}")
        } else {
            format!("+{digits}")
        };
        return Some((IdentifierKind::Phone, e164));
    }
    if !q.is_empty() {
        return Some((
            IdentifierKind::Handle,
            q.trim_start_matches('@').to_lowercase(),
        ));
    }
    None
}

pub async fn search(
    State(state): State<AppState>,
    user: Signed,
    BoundedQuery(sq): BoundedQuery<SearchQuery>,
) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::Search, "search", None)
        .await?;
    let q = sq.q.trim().to_string();
    let by_identifier = sq.kind == "identifier";
    let mut text_hits = Vec::new();
    let mut id_hits = Vec::new();
    let mut looked_up = None;
    if !q.is_empty() {
        let detail = format!("{}: {q}", if by_identifier { "identifier" } else { "text" });
        user.audit(&state, "search", None, Outcome::Success, Some(&detail))
            .await?;
        if by_identifier {
            if let Some((kind, value)) = identifier_of(&q) {
                id_hits = state.store.ads_with_identifier(kind, &value).await?;
                looked_up = Some((kind, value));
            }
        } else {
            text_hits = state.store.search_ads(&q, RESULTS, 0).await?;
        }
    }
    let content = html! {
        h1 { "Search" }
        form.filters method="get" action="/search" {
            label { "Search for" input name="q" value=(q) required autofocus maxlength=(crate::limits::max_chars("q")); }
            label { "In"
                select name="kind" {
                    option value="text" selected[!by_identifier] { "ad text" }
                    option value="identifier" selected[by_identifier] { "phone, email or handle" }
                }
            }
            button type="submit" { "Search" }
        }
        @if by_identifier {
            @if let Some((kind, value)) = &looked_up {
                p { (id_hits.len()) " ads carry the " (kind.as_str()) " " code { (value) } "." }
                table { tbody { @for r in &id_hits { tr {
                    td { a href=(format!("/ads/{}", r.ad_key)) { (r.id) } } td { (when(r.posted_at.as_deref())) } td { (r.title.as_deref().unwrap_or("")) }
                } } } }
            }
        } @else if !q.is_empty() {
            p { (text_hits.len()) @if text_hits.len() as u32 == RESULTS { "+" } " ads match all the words, best first." }
            ol.hits { @for h in &text_hits { li {
                a href=(format!("/ads/{}", h.ad.ad_key)) { (h.ad.title.as_deref().unwrap_or(&h.ad.id)) }
                @if let Some(n) = h.network_id { " · " a href=(format!("/networks/{n}")) { "N" (n) } }
                " · " (when(h.ad.posted_at.as_deref()))
                p.snippet {
                    @for (i, part) in h.snippet.split(['\u{1}', '\u{2}']).enumerate() {
                        @if i % 2 == 1 { mark { (part) } } @else { (part) }
                    }
                }
            } } }
        }
    };
    Ok(page(&Frame::signed(&state, &user, "Search", "search"), content).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_identifiers_are_recognised() {
        assert_eq!(
            identifier_of("(919) 555-0123"),
            Some((IdentifierKind::Phone, "+19195550123".into()))
        );
        assert_eq!(
            identifier_of("+44 20 7946 0018"),
            Some((IdentifierKind::Phone, "+442079460018".into()))
        );
        assert_eq!(
            identifier_of("Ana@Example.com"),
            Some((IdentifierKind::Email, "ana@example.com".into()))
        );
        assert_eq!(
            identifier_of("@Candy_22"),
            Some((IdentifierKind::Handle, "candy_22".into()))
        );
    }
}
