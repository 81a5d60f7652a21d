//! Search: one box that recognises what was typed (a phone number in any common format, an
//! email, a social or payment handle with or without its `platform:` prefix as network pages
//! show it, or words of ad text), with paging, the network of each hit, filters by place,
//! posting date and site, and CSV export. Every search is audited with what was searched for.

use std::sync::OnceLock;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use plainsight_access::Permission;
use plainsight_access::audit::Outcome;
use plainsight_core::IdentifierKind;
use plainsight_store::{AdFilter, AdHit, HitPage, IdentifierQuery};
use plainsight_text::phones::{PhoneConfig, PhoneFinder};
use serde::Deserialize;

use crate::context::Signed;
use crate::routes::leads::{MAX_PAGE, parse_day, parse_place};
use crate::routes::{CsvFile, csv_text, require_export};
use crate::security::BoundedQuery;
use crate::views::{Frame, page, url_encode, when};
use crate::{AppState, WebError};

/// Hits per page.
const PAGE_SIZE: u64 = 50;
/// Rows a CSV export of a search holds at most (it says so in its last row when cut).
const CSV_ROWS: u64 = 10_000;

#[derive(Debug, Deserialize, Default, Clone)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// `auto` (default: recognise what was typed), `text` or `identifier`.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    site: String,
    /// 1-based; 0 or absent is the first page.
    #[serde(default)]
    page: u64,
}

/// Social platforms and payment services, with the short names ads and analysts use for them
/// (the names the handle extractor gives are the first of each line).
const SOCIAL: &[&[&str]] = &[
    &["twitter", "x", "tw"],
    &["instagram", "ig", "insta"],
    &["snapchat", "snap", "sc"],
    &["telegram", "tg", "t.me"],
    &["whatsapp", "wa"],
    &["kik"],
    &["onlyfans", "of"],
    &["wechat"],
];
const PAYMENT: &[&[&str]] = &[
    &["cashapp", "cash app", "cash.app", "cash"],
    &["venmo"],
    &["paypal", "paypal.me"],
    &["zelle"],
    &["applecash", "apple cash", "apple pay", "applepay"],
    &["chime"],
];

/// Aliases that are also common words or letters, recognised only as `alias:handle`.
const AMBIGUOUS_ALIASES: &[&str] = &["x", "tw", "of", "wa", "tg", "sc", "cash"];

/// What a search box value is.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// Look up an identifier.
    Identifier(IdentifierQuery),
    /// Words of ad text.
    Text(String),
    /// A single word: words of ad text, and also a handle on any platform.
    Word(String, IdentifierQuery),
    Empty,
}

/// The phone parser for numbers typed without a country code (US/Canada numbering, as the
/// extractor's default region). `None` only if its metadata were missing.
fn phone_finder() -> Option<&'static PhoneFinder> {
    static FINDER: OnceLock<Option<PhoneFinder>> = OnceLock::new();
    FINDER
        .get_or_init(|| PhoneFinder::new(&PhoneConfig::default()).ok())
        .as_ref()
}

/// The E.164 form of a typed phone number, when it is one.
pub fn phone_of(q: &str) -> Option<String> {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    if digits < 7 {
        return None;
    }
    phone_finder()?.parse_e164(q.trim())
}

/// A platform name or alias → (kind, platform as stored).
fn platform_of(name: &str) -> Option<(IdentifierKind, &'static str)> {
    let name = name.trim().to_lowercase();
    let find = |table: &[&[&'static str]], kind| {
        table
            .iter()
            .find(|names| names.contains(&name.as_str()))
            .map(|names| (kind, names[0]))
    };
    find(SOCIAL, IdentifierKind::Handle).or_else(|| find(PAYMENT, IdentifierKind::Payment))
}

/// A handle as stored: without `@` or `$`, lower case.
fn handle_value(s: &str) -> String {
    s.trim()
        .trim_start_matches(['@', '$'])
        .trim()
        .to_lowercase()
}

fn any_handle(value: String) -> IdentifierQuery {
    IdentifierQuery {
        kinds: vec![IdentifierKind::Handle, IdentifierKind::Payment],
        platforms: Vec::new(),
        value,
    }
}

fn one_kind(kind: IdentifierKind, value: String) -> IdentifierQuery {
    IdentifierQuery {
        kinds: vec![kind],
        platforms: Vec::new(),
        value,
    }
}

/// Recognise what was typed. `mode` is `text`, `identifier` or anything else for automatic.
pub fn classify(q: &str, mode: &str) -> Term {
    let q = q.trim();
    if q.is_empty() {
        return Term::Empty;
    }
    if mode == "text" {
        return Term::Text(q.to_string());
    }
    if let Some(e164) = phone_of(q) {
        return Term::Identifier(one_kind(IdentifierKind::Phone, e164));
    }
    // `kind:value` as network pages show identifiers (`phone:+1…`, `email:…`, `cashapp:…`,
    // `instagram:name`), and `platform: $tag` as ads write them.
    if let Some((prefix, rest)) = q.split_once(':')
        && !rest.trim().is_empty()
        && !rest.trim().contains(char::is_whitespace)
    {
        let rest = rest.trim();
        match prefix.trim().to_lowercase().as_str() {
            "phone" => {
                if let Some(e164) = phone_of(rest) {
                    return Term::Identifier(one_kind(IdentifierKind::Phone, e164));
                }
            }
            "email" => {
                return Term::Identifier(one_kind(IdentifierKind::Email, rest.to_lowercase()));
            }
            "handle" => {
                return Term::Identifier(one_kind(IdentifierKind::Handle, handle_value(rest)));
            }
            "payment" => {
                return Term::Identifier(one_kind(IdentifierKind::Payment, handle_value(rest)));
            }
            p => {
                if let Some((kind, platform)) = platform_of(p) {
                    return Term::Identifier(IdentifierQuery {
                        kinds: vec![kind],
                        platforms: vec![platform.to_string()],
                        value: handle_value(rest),
                    });
                }
            }
        }
    }
    let single = !q.contains(char::is_whitespace);
    if single && q.contains('@') && !q.starts_with('@') {
        return Term::Identifier(one_kind(IdentifierKind::Email, q.to_lowercase()));
    }
    if single && q.starts_with('$') && q.len() > 1 {
        // A `$cashtag` is Cash App's form.
        return Term::Identifier(IdentifierQuery {
            kinds: vec![IdentifierKind::Payment],
            platforms: vec!["cashapp".into()],
            value: handle_value(q),
        });
    }
    if single && q.starts_with('@') && q.len() > 1 {
        return Term::Identifier(any_handle(handle_value(q)));
    }
    // "cash app $tag", "ig name": a platform name followed by one handle. Short aliases that
    // are also words ("x", "of", "cash") count only before a colon.
    if let Some((platform_words, handle)) = q.rsplit_once(char::is_whitespace)
        && !AMBIGUOUS_ALIASES.contains(&platform_words.trim().to_lowercase().as_str())
        && let Some((kind, platform)) = platform_of(platform_words)
    {
        return Term::Identifier(IdentifierQuery {
            kinds: vec![kind],
            platforms: vec![platform.to_string()],
            value: handle_value(handle),
        });
    }
    if mode == "identifier" {
        return Term::Identifier(any_handle(handle_value(q)));
    }
    if single {
        return Term::Word(q.to_string(), any_handle(handle_value(q)));
    }
    Term::Text(q.to_string())
}

/// Words that could be a phone number typed in text mode: the hint offers the look-up.
fn looks_like_phone(q: &str) -> Option<String> {
    phone_of(q)
}

/// How an identifier query reads on the page: "the cashapp handle honeyb".
fn describe(q: &IdentifierQuery) -> String {
    let kind = match q.kinds.as_slice() {
        [IdentifierKind::Phone] => "phone number",
        [IdentifierKind::Email] => "email",
        [IdentifierKind::Payment] => "payment handle",
        [IdentifierKind::Handle] => "handle",
        _ => "handle (any platform)",
    };
    match q.platforms.first() {
        Some(p) => format!("{p} {kind}"),
        None => kind.to_string(),
    }
}

fn ad_filter(sq: &SearchQuery) -> Result<AdFilter, WebError> {
    Ok(AdFilter {
        place: parse_place(&sq.place),
        since: parse_day(&sq.since, false)?,
        until: parse_day(&sq.until, true)?,
        site: (!sq.site.trim().is_empty()).then(|| sq.site.trim().to_string()),
    })
}

/// The page index (0-based) of a 1-based page number, refused past the last allowed.
fn page_index(page: u64) -> Result<u64, WebError> {
    if page > MAX_PAGE {
        return Err(WebError::BadRequest(format!(
            "page {page} is out of range: pages are numbered 1 to {MAX_PAGE}"
        )));
    }
    Ok(page.saturating_sub(1))
}

/// The link to the same search with other values.
fn search_link(path: &str, sq: &SearchQuery, kind: &str, page: u64) -> String {
    format!(
        "{path}?q={}&kind={}&place={}&since={}&until={}&site={}&page={page}",
        url_encode(&sq.q),
        url_encode(kind),
        url_encode(&sq.place),
        url_encode(&sq.since),
        url_encode(&sq.until),
        url_encode(&sq.site),
    )
}

/// What one search found, for the page and for CSV.
struct Found {
    term: Term,
    /// The identifier hits (identifier and single-word searches).
    identifier: Option<(IdentifierQuery, HitPage)>,
    /// The text hits (text and single-word searches), one more than a page when there is a
    /// next page.
    text: Option<HitPage>,
}

async fn run(
    state: &AppState,
    sq: &SearchQuery,
    limit: u64,
    offset: u64,
) -> Result<Found, WebError> {
    let filter = ad_filter(sq)?;
    let term = classify(&sq.q, &sq.kind);
    let (identifier, text) = match &term {
        Term::Empty => (None, None),
        Term::Identifier(iq) => {
            let hits = state
                .store
                .find_identifier(iq, &filter, limit, offset)
                .await?;
            (Some((iq.clone(), hits)), None)
        }
        Term::Text(words) => (
            None,
            Some(
                state
                    .store
                    .search_text(words, &filter, limit + 1, offset)
                    .await?,
            ),
        ),
        Term::Word(word, iq) => {
            // The handle look-up only counts here; its hits have their own page.
            let ids = state.store.find_identifier(iq, &filter, 0, 0).await?;
            let text = state
                .store
                .search_text(word, &filter, limit + 1, offset)
                .await?;
            (Some((iq.clone(), ids)), Some(text))
        }
    };
    Ok(Found {
        term,
        identifier,
        text,
    })
}

fn audit_detail(sq: &SearchQuery, term: &Term) -> String {
    let what = match term {
        Term::Identifier(iq) => format!("identifier {}: {}", describe(iq), iq.value),
        Term::Text(_) | Term::Word(..) => format!("text: {}", sq.q.trim()),
        Term::Empty => String::new(),
    };
    format!(
        "{what} place={} since={} until={} site={} page={}",
        sq.place, sq.since, sq.until, sq.site, sq.page
    )
}

fn hit_row(h: &AdHit, snippet: bool) -> Markup {
    html! {
        tr {
            td { a href=(format!("/ads/{}", h.ad_key)) { (h.title.as_deref().filter(|t| !t.is_empty()).unwrap_or(&h.id)) } }
            td { @match h.network_id { Some(n) => a href=(format!("/networks/{n}")) { "N" (n) }, None => "—" } }
            td.nowrap { (when(h.posted_at.as_deref())) }
            td { (h.site) }
            td { (h.location.as_deref().unwrap_or("")) }
            td {
                @if snippet {
                    @for (i, part) in h.matched.split(['\u{1}', '\u{2}']).enumerate() {
                        @if i % 2 == 1 { mark { (part) } } @else { (part) }
                    }
                } @else {
                    code { (h.matched) }
                }
            }
        }
    }
}

fn hits_table(hits: &[AdHit], snippet: bool) -> Markup {
    html! {
        table.hits {
            thead { tr { th { "Ad" } th { "Network" } th { "Posted" } th { "Site" } th { "Location" } th { @if snippet { "Extract" } @else { "Matched" } } } }
            tbody { @for h in hits { (hit_row(h, snippet)) } }
        }
    }
}

pub async fn search(
    State(state): State<AppState>,
    user: Signed,
    BoundedQuery(sq): BoundedQuery<SearchQuery>,
) -> Result<Response, WebError> {
    user.require_audited(&state, Permission::Search, "search", None)
        .await?;
    let index = page_index(sq.page)?;
    let found = run(&state, &sq, PAGE_SIZE, index * PAGE_SIZE).await?;
    if found.term != Term::Empty {
        user.audit(
            &state,
            "search",
            None,
            Outcome::Success,
            Some(&audit_detail(&sq, &found.term)),
        )
        .await?;
    }
    let page_no = index + 1;
    let mode = match sq.kind.as_str() {
        "text" | "identifier" => sq.kind.as_str(),
        _ => "auto",
    };
    let phone_hint = (mode == "text").then(|| looks_like_phone(&sq.q)).flatten();
    let can_export = user.can(Permission::Export);
    let content = html! {
        h1 { "Search" }
        form.filters method="get" action="/search" {
            label { "Search for" input name="q" value=(sq.q) required autofocus maxlength=(crate::limits::max_chars("q")) placeholder="words, a phone, an email, @handle, cashapp:tag"; }
            label { "As"
                select name="kind" {
                    option value="auto" selected[mode == "auto"] { "recognise what I typed" }
                    option value="text" selected[mode == "text"] { "words of ad text" }
                    option value="identifier" selected[mode == "identifier"] { "phone, email or handle" }
                }
            }
            label { "Place" input name="place" value=(sq.place) placeholder="Raleigh, NC or NC" maxlength=(crate::limits::max_chars("place")); }
            label { "Posted since" input type="date" name="since" value=(sq.since); }
            label { "Posted by" input type="date" name="until" value=(sq.until); }
            label { "Site" input name="site" value=(sq.site) maxlength=(crate::limits::max_chars("site")); }
            button type="submit" { "Search" }
        }
        @if let Some(e164) = &phone_hint {
            p.hint role="status" {
                "These digits look like the phone number " code { (e164) } ". Phone numbers are found by their number, not as words: "
                a href=(search_link("/search", &sq, "auto", 1)) { "look up " (e164) " as a phone" } "."
            }
        }
        @match (&found.term, &found.identifier, &found.text) {
            (Term::Identifier(_), Some((iq, ids)), _) => {
                @let total = ids.total.unwrap_or(0);
                p.result-count {
                    strong { (total) } " ads carry the " (describe(iq)) " " code { (iq.value) } "."
                    @if total > 0 { " Page " (page_no) " of " (total.div_ceil(PAGE_SIZE)) "." }
                }
                @if !ids.hits.is_empty() { (hits_table(&ids.hits, false)) }
                nav.pager {
                    @if page_no > 1 { a href=(search_link("/search", &sq, mode, page_no - 1)) { "← Previous" } }
                    @if page_no * PAGE_SIZE < total { a href=(search_link("/search", &sq, mode, page_no + 1)) { "Next →" } }
                }
                @if can_export && total > 0 { p { a.button href=(search_link("/search.csv", &sq, mode, 1)) { "Export these ads (CSV)" } } }
            }
            (_, ids, Some(text)) => {
                @if let Some((iq, ids)) = ids {
                    @if ids.total.unwrap_or(0) > 0 {
                        p.hint { (ids.total.unwrap_or(0)) " ads carry the handle " code { (iq.value) } " on some platform: "
                            a href=(search_link("/search", &sq, "identifier", 1)) { "list them" } "." }
                    }
                }
                @let more = text.hits.len() as u64 > PAGE_SIZE;
                @let shown = &text.hits[..text.hits.len().min(PAGE_SIZE as usize)];
                p.result-count {
                    @if shown.is_empty() && page_no == 1 { "No ad matches all the words." }
                    @else { "Ads " (index * PAGE_SIZE + 1) "–" (index * PAGE_SIZE + shown.len() as u64) " of those that match all the words, best first" @if more { " (more on the next page)" } ". Page " (page_no) "." }
                }
                @if let Some(n) = text.ranked_among {
                    p.hint { "These words match more than " (n) " ads: the " (n) " most recently added are ranked best first, and older matches follow, newest first. Add a word, a place, a date or a site to narrow the search." }
                }
                @if !shown.is_empty() { (hits_table(shown, true)) }
                nav.pager {
                    @if page_no > 1 { a href=(search_link("/search", &sq, mode, page_no - 1)) { "← Previous" } }
                    @if more { a href=(search_link("/search", &sq, mode, page_no + 1)) { "Next →" } }
                }
                @if can_export && !shown.is_empty() { p { a.button href=(search_link("/search.csv", &sq, mode, 1)) { "Export the matches (CSV, up to " (CSV_ROWS) ")" } } }
            }
            _ => {}
        }
    };
    Ok(page(&Frame::signed(&state, &user, "Search", "search"), content).into_response())
}

/// The hits of a search as CSV, one row per ad (up to [`CSV_ROWS`]).
pub async fn export_csv(
    State(state): State<AppState>,
    user: Signed,
    BoundedQuery(sq): BoundedQuery<SearchQuery>,
) -> Result<Response, WebError> {
    require_export(&state, &user, Permission::Search, "export_search", None).await?;
    // The page of text hits fetched is one more than the rows written, to say when it was cut.
    let found = run(&state, &sq, CSV_ROWS, 0).await?;
    let (hits, snippet, cut) = match (&found.identifier, &found.text) {
        (Some((_, ids)), None) => (
            &ids.hits[..],
            false,
            ids.total.unwrap_or(0) > ids.hits.len() as u64,
        ),
        (_, Some(text)) => {
            let n = text.hits.len().min(CSV_ROWS as usize);
            (&text.hits[..n], true, text.hits.len() > n)
        }
        _ => (&[][..], false, false),
    };
    user.audit(
        &state,
        "export_search",
        None,
        Outcome::Success,
        Some(&format!(
            "{} rows; {}",
            hits.len(),
            audit_detail(&sq, &found.term)
        )),
    )
    .await?;
    let mut w = CsvFile::new();
    w.row([
        "ad_key",
        "site",
        "ad_id",
        "posted_at",
        "title",
        "location",
        "url",
        "network",
        "matched",
    ])?;
    for h in hits {
        let matched = if snippet {
            h.matched.replace(['\u{1}', '\u{2}'], "")
        } else {
            h.matched.clone()
        };
        w.row([
            h.ad_key.to_string(),
            csv_text(&h.site),
            csv_text(&h.id),
            h.posted_at.clone().unwrap_or_default(),
            csv_text(h.title.as_deref().unwrap_or("")),
            csv_text(h.location.as_deref().unwrap_or("")),
            csv_text(h.url.as_deref().unwrap_or("")),
            h.network_id.map(|n| n.to_string()).unwrap_or_default(),
            csv_text(&matched),
        ])?;
    }
    if cut {
        w.row([
            "",
            "",
            "",
            "",
            &format!("(cut at {CSV_ROWS} rows: narrow the search with its filters)"),
            "",
            "",
            "",
            "",
        ])?;
    }
    w.download("search.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kinds: &[IdentifierKind], platforms: &[&str], value: &str) -> Term {
        Term::Identifier(IdentifierQuery {
            kinds: kinds.to_vec(),
            platforms: platforms.iter().map(|p| p.to_string()).collect(),
            value: value.into(),
        })
    }

    #[test]
    fn phones_in_any_common_format_become_e164() {
        for typed in [
            "(919) 555-0123",
            "919-555-0123",
            "919.555.0123",
            "9195550123",
            "+1 919 555 0123",
            "1-919-555-0123",
            "phone:+19195550123",
        ] {
            assert_eq!(
                classify(typed, ""),
                id(&[IdentifierKind::Phone], &[], "+19195550123"),
                "{typed}"
            );
        }
        assert_eq!(
            classify("+44 20 7946 0018", ""),
            id(&[IdentifierKind::Phone], &[], "+442079460018")
        );
    }

    #[test]
    fn emails_and_handles_are_recognised_with_or_without_their_platform() {
        use IdentifierKind::{Email, Handle, Payment};
        assert_eq!(
            classify("Ana@Example.com", ""),
            id(&[Email], &[], "ana@example.com")
        );
        assert_eq!(
            classify("email:Ana@Example.com", ""),
            id(&[Email], &[], "ana@example.com")
        );
        // As network pages show them.
        assert_eq!(
            classify("cashapp:HoneyB22", ""),
            id(&[Payment], &["cashapp"], "honeyb22")
        );
        assert_eq!(
            classify("instagram:candy_22", ""),
            id(&[Handle], &["instagram"], "candy_22")
        );
        // As ads write them.
        assert_eq!(
            classify("cash app $HoneyB", ""),
            id(&[Payment], &["cashapp"], "honeyb")
        );
        assert_eq!(
            classify("$HoneyB", ""),
            id(&[Payment], &["cashapp"], "honeyb")
        );
        assert_eq!(
            classify("IG: candy_22", ""),
            id(&[Handle], &["instagram"], "candy_22")
        );
        assert_eq!(
            classify("@Candy_22", ""),
            id(&[Handle, Payment], &[], "candy_22")
        );
        // A bare word may be a handle or a word of text: both are searched.
        assert_eq!(
            classify("candy_22", ""),
            Term::Word("candy_22".into(), any_handle("candy_22".into()))
        );
        assert_eq!(
            classify("candy_22", "identifier"),
            id(&[Handle, Payment], &[], "candy_22")
        );
    }

    proptest::proptest! {
        /// Whatever is typed, recognising it never panics, and an identifier look-up never
        /// carries an empty value or a value with spaces around it.
        #[test]
        fn any_typed_text_is_classified(q in "\\PC{0,40}", mode in "(auto|text|identifier|)") {
            match classify(&q, &mode) {
                Term::Identifier(iq) | Term::Word(_, iq) => {
                    proptest::prop_assert!(!iq.kinds.is_empty());
                    proptest::prop_assert_eq!(iq.value.trim(), iq.value.as_str());
                }
                Term::Text(t) => proptest::prop_assert!(!t.trim().is_empty()),
                Term::Empty => proptest::prop_assert!(q.trim().is_empty()),
            }
        }

        /// Phones typed with any separators come back as the same E.164 number.
        #[test]
        fn separators_do_not_change_a_phone(
            area in 201u32..989, exchange in 200u32..999, line in 0u32..9999,
            sep in "[ .\\-]{0,2}",
        ) {
            let plain = format!("{area}{exchange}{line:04}");
            let written = format!("({area}){sep}{exchange}{sep}{line:04}");
            proptest::prop_assert_eq!(phone_of(&written), phone_of(&plain));
        }
    }

    #[test]
    fn words_stay_words() {
        assert_eq!(
            classify("new in town", ""),
            Term::Text("new in town".into())
        );
        assert_eq!(classify("   ", ""), Term::Empty);
        // Text mode never turns digits into a phone, but the page hints at it.
        assert_eq!(
            classify("919 555 0123", "text"),
            Term::Text("919 555 0123".into())
        );
        assert_eq!(
            looks_like_phone("919 555 0123").as_deref(),
            Some("+19195550123")
        );
        assert_eq!(looks_like_phone("2024 prices"), None);
        assert_eq!(classify("of course", ""), Term::Text("of course".into()));
        assert_eq!(
            classify("of:candy", ""),
            id(&[IdentifierKind::Handle], &["onlyfans"], "candy")
        );
        // A colon inside prose is not a prefix.
        assert_eq!(
            classify("rates: call now", ""),
            Term::Text("rates: call now".into())
        );
    }
}
