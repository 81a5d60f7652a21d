//! In-process tests of the analyst's workflow (issue 17): search that recognises every
//! identifier kind with paging, filters and CSV; the lead queue's sorting, total, paging, area
//! scope, reasons and bulk actions; the ad page; case folders with an agency case number, an
//! assignee, read-only when closed, and the ZIP package with its manifest; exports with ad
//! attributes; the false-positive rate with its interval; and errors drawn in the frame. The
//! workspace is a small generated corpus, ingested and analysed with the real binary.

#[path = "support/web.rs"]
mod web;
#[path = "support/workspace.rs"]
mod workspace;

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use assert_cmd::Command;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use plainsight_access::Role;
use plainsight_store::{AccessStore, CaseworkStore, SqliteStore, Store};
use plainsight_web::WebConfig;
use sha2::{Digest, Sha256};
use web::{TestApp, analysed_workspace, plainsight};
use workspace::copy_workspace;

/// A workspace with 600 generated ads, ingested and analysed once per test run; each test
/// works on its own copy.
fn template_db() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("plainsight-analyst-tests-{}", std::process::id()));
        analysed_workspace(&dir, 600, 11)
    })
}

async fn app() -> TestApp {
    TestApp::over_copy_of(template_db(), WebConfig::default()).await
}

/// What only these tests ask of the application.
impl TestApp {
    async fn scalar_i64(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    async fn audit_count(&self, action: &str) -> usize {
        self.store
            .audit_entries(0, 1_000_000)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.record.action == action && e.record.outcome.as_str() == "success")
            .count()
    }
}

/// Network ids in the order a page links them (each once).
fn network_links(body: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for part in body.split("href=\"/networks/").skip(1) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(id) = digits.parse()
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// Ad keys in the order a page links them.
fn ad_links(body: &str) -> Vec<i64> {
    body.split("href=\"/ads/")
        .skip(1)
        .filter_map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
        .collect()
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn search_recognises_payment_handles_prefixed_handles_phones_and_emails() {
    let t = app().await;
    let (mut b, _) = t.signed_in("se", Role::Analyst, "").await;
    // A payment handle, looked up as network pages write it (`platform:value`), in capitals,
    // as a `$cashtag` and as an ad writes it. (The generated corpus has none, so one ad with
    // one is stored here, the way ingest stores it.)
    let ad = plainsight_core::Ad {
        id: "pay-1".into(),
        site: Some("ads.example".into()),
        body: Some("Deposit first: cashapp $HoneyB22 then text me".into()),
        ..Default::default()
    };
    let extractor = plainsight_text::extract::Extractor::new(
        &plainsight_text::extract::ExtractConfig::default(),
    )
    .unwrap();
    let extraction = extractor.extract(&ad);
    assert_eq!(extraction.payments.len(), 1, "{extraction:?}");
    let new = plainsight_store::NewAd::new(ad, extraction, "pay.jsonl".into(), 1).unwrap();
    t.store.insert_ads(&[new]).await.unwrap();
    for q in [
        "cashapp:honeyb22",
        "CASHAPP:HoneyB22",
        "$HoneyB22",
        "cash app $HoneyB22",
        "payment:honeyb22",
        "@honeyb22",
    ] {
        let r = t.get(&mut b, &format!("/search?q={}", urlencode(q))).await;
        assert_eq!(r.status, StatusCode::OK, "{q}");
        assert!(
            r.body.contains("<strong>1</strong> ads carry the"),
            "{q}: {}",
            r.body
        );
        assert!(
            r.body.contains("<code>payment cashapp:honeyb22</code>"),
            "{q}"
        );
    }
    // Another platform's handle of the same name is not it.
    let r = t.get(&mut b, "/search?q=venmo:honeyb22").await;
    assert!(r.body.contains("<strong>0</strong> ads carry the"));
    // A social handle with its platform prefix.
    let (platform, value, ads): (String, String, i64) = sqlx::query_as(
        "SELECT platform, value, count(DISTINCT ad_key) AS n FROM identifiers \
         WHERE kind = 'handle' GROUP BY platform, value ORDER BY n DESC LIMIT 1",
    )
    .fetch_one(t.store.pool())
    .await
    .unwrap();
    let r = t
        .get(
            &mut b,
            &format!("/search?q={}", urlencode(&format!("{platform}:{value}"))),
        )
        .await;
    assert!(
        r.body
            .contains(&format!("<strong>{ads}</strong> ads carry the"))
    );
    // Each hit with its network (these ads were analysed).
    assert!(!network_links(&r.body).is_empty(), "no network shown");
    // A phone in the usual written form, in automatic mode.
    let (phone, ads): (String, i64) = sqlx::query_as(
        "SELECT value, count(DISTINCT ad_key) AS n FROM identifiers \
         WHERE kind = 'phone' AND value LIKE '+1%' GROUP BY value ORDER BY n DESC LIMIT 1",
    )
    .fetch_one(t.store.pool())
    .await
    .unwrap();
    let d = &phone[2..];
    let written = format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]);
    let r = t
        .get(&mut b, &format!("/search?q={}", urlencode(&written)))
        .await;
    assert!(
        r.body.contains(&format!(
            "<strong>{ads}</strong> ads carry the phone number"
        )),
        "{written}: {}",
        r.body
    );
    // The same digits in text mode: no hits by words, but a hint that offers the look-up.
    let r = t
        .get(
            &mut b,
            &format!("/search?kind=text&q={}", urlencode(&written)),
        )
        .await;
    assert!(r.body.contains("look like the phone number"), "{}", r.body);
    assert!(r.body.contains(&format!("look up {phone} as a phone")));
    // The CSV export of a look-up: one row per ad, every cell safe for a spreadsheet.
    let r = t
        .get(&mut b, &format!("/search.csv?q={}", urlencode(&written)))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let rows = csv_rows(&r.body);
    assert_eq!(rows.len() as i64, ads);
    assert!(
        rows.iter()
            .flatten()
            .all(|c| !c.starts_with(['=', '+', '-', '@']))
    );
    assert!(rows.iter().all(|r| r[8].contains(&phone[1..])), "{rows:?}");
    assert!(t.audit_count("export_search").await >= 1);
    // An email in capitals.
    let email: Option<String> =
        sqlx::query_scalar("SELECT value FROM identifiers WHERE kind = 'email' LIMIT 1")
            .fetch_optional(t.store.pool())
            .await
            .unwrap();
    if let Some(email) = email {
        let r = t
            .get(
                &mut b,
                &format!("/search?q={}", urlencode(&email.to_uppercase())),
            )
            .await;
        assert!(r.body.contains("ads carry the email"), "{}", r.body);
        assert!(!r.body.contains("<strong>0</strong> ads carry"), "{email}");
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap()
        .trim_start_matches('=')
        .to_string()
}

#[tokio::test]
async fn text_search_pages_past_the_first_hundred_and_filters_by_site_and_place() {
    let t = app().await;
    let (mut b, _) = t.signed_in("tx", Role::Analyst, "").await;
    // The most common word of the corpus titles gives many hits.
    let word = "call";
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM ads_fts WHERE ads_fts MATCH 'call'")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    assert!(total > 150, "the corpus has {total} ads with {word}");
    let mut seen = std::collections::BTreeSet::new();
    let mut page = 1;
    loop {
        let r = t
            .get(&mut b, &format!("/search?q={word}&kind=text&page={page}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let keys = ad_links(&r.body);
        assert!(keys.len() <= 50);
        for k in &keys {
            assert!(seen.insert(*k), "ad {k} on two pages");
        }
        if !r.body.contains("Next →") {
            break;
        }
        page += 1;
        assert!(page < 100, "paging does not end");
    }
    assert_eq!(seen.len() as i64, total, "every hit is on some page");
    assert!(page >= 3, "more than 100 hits take 3 pages or more");
    // Filters: an unknown site keeps nothing; a real site keeps only its ads.
    let r = t
        .get(
            &mut b,
            &format!("/search?q={word}&kind=text&site=no-such-site"),
        )
        .await;
    assert!(r.body.contains("No ad matches"), "{}", r.body);
    let site: String =
        sqlx::query_scalar("SELECT site FROM ads GROUP BY site ORDER BY count(*) DESC LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let r = t
        .get(
            &mut b,
            &format!("/search.csv?q={word}&kind=text&site={}", urlencode(&site)),
        )
        .await;
    let rows = csv_rows(&r.body);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r[1] == site));
    // Place: only ads with a place in that state.
    let state: String = sqlx::query_scalar(
        "SELECT admin1 FROM ad_places GROUP BY admin1 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(t.store.pool())
    .await
    .unwrap();
    let r = t
        .get(
            &mut b,
            &format!("/search.csv?q={word}&kind=text&place={state}"),
        )
        .await;
    let keys: Vec<i64> = csv_rows(&r.body)
        .iter()
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert!(!keys.is_empty());
    for k in keys {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM ad_places WHERE ad_key = ? AND admin1 = ?")
                .bind(k)
                .bind(&state)
                .fetch_one(t.store.pool())
                .await
                .unwrap();
        assert!(n > 0, "ad {k} has no place in {state}");
    }
}

#[tokio::test]
async fn the_lead_queue_counts_sorts_pages_and_starts_in_the_users_area() {
    let t = app().await;
    let (mut b, _) = t.signed_in("lq", Role::Analyst, "").await;
    let all = t.scalar_i64("SELECT count(*) FROM networks").await;
    let r = t.get(&mut b, "/leads").await;
    assert!(
        r.body
            .contains(&format!("<strong>{all}</strong> networks match")),
        "{}",
        r.body
    );
    // Sorted by ads, smallest first, ties by priority: the same order as the table.
    let want: Vec<i64> = sqlx::query_scalar(
        "SELECT network_id FROM networks ORDER BY ads ASC, priority DESC, network_id LIMIT 50",
    )
    .fetch_all(t.store.pool())
    .await
    .unwrap();
    let r = t.get(&mut b, "/leads?sort=ads&dir=asc").await;
    assert_eq!(network_links(&r.body), want);
    let want: Vec<i64> = sqlx::query_scalar(
        "SELECT network_id FROM networks ORDER BY last_seen IS NULL, last_seen DESC, network_id LIMIT 50",
    )
    .fetch_all(t.store.pool())
    .await
    .unwrap();
    let r = t.get(&mut b, "/leads?sort=last_seen&dir=desc").await;
    assert_eq!(network_links(&r.body), want);
    assert_eq!(
        t.get(&mut b, "/leads?sort=evil").await.status,
        StatusCode::BAD_REQUEST
    );
    // Page 2 is labelled page 2 and holds the next 50.
    let want: Vec<i64> = sqlx::query_scalar(
        "SELECT network_id FROM networks ORDER BY priority DESC, network_id LIMIT 50 OFFSET 50",
    )
    .fetch_all(t.store.pool())
    .await
    .unwrap();
    let r = t.get(&mut b, "/leads?page=2").await;
    assert!(r.body.contains("Page 2 of"));
    assert_eq!(network_links(&r.body), want);
    // No reason worth +0.0 is listed.
    assert!(!r.body.contains("+0.0") && !r.body.contains("-0.0"));
    // The reason filter lists readable names; filtering shows the matched reason's share.
    let code: String = sqlx::query_scalar(
        "SELECT code FROM network_reason_codes GROUP BY code ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(t.store.pool())
    .await
    .unwrap();
    let r = t.get(&mut b, "/leads").await;
    assert!(r.body.contains(&format!("<option value=\"{code}\"")));
    assert!(!r.body.contains("placeholder=\"e.g. third_party\""));
    let r = t.get(&mut b, &format!("/leads?indicator={code}")).await;
    assert!(r.body.contains("Matched reason: "), "{}", r.body);
    let with_code = t
        .scalar_i64(&format!(
            "SELECT count(*) FROM network_reason_codes WHERE code = '{code}'"
        ))
        .await;
    assert!(
        r.body
            .contains(&format!("<strong>{with_code}</strong> networks match"))
    );

    // A user whose area is a state sees that state's networks by default, like the dashboard;
    // an empty place shows every area.
    let area: String = sqlx::query_scalar(
        "SELECT admin1 FROM network_places GROUP BY admin1 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(t.store.pool())
    .await
    .unwrap();
    let in_area = t
        .scalar_i64(&format!(
            "SELECT count(DISTINCT network_id) FROM network_places WHERE admin1 = '{area}'"
        ))
        .await;
    assert!(in_area < all, "the test needs networks outside {area}");
    let (mut nc, _) = t.signed_in("ar", Role::Analyst, &area).await;
    let r = t.get(&mut nc, "/leads").await;
    assert!(
        r.body.contains(&format!(
            "<strong>{in_area}</strong> networks match in your area"
        )),
        "{}",
        r.body
    );
    let r = t.get(&mut nc, "/leads?place=").await;
    assert!(
        r.body
            .contains(&format!("<strong>{all}</strong> networks match"))
    );
    // The lead queue as CSV: the same filter and order.
    let r = t.get(&mut nc, "/leads.csv").await;
    let rows = csv_rows(&r.body);
    assert_eq!(rows.len() as i64, in_area);
    assert!(
        rows.iter()
            .flatten()
            .all(|c| !c.starts_with(['=', '+', '-', '@']))
    );
}

#[tokio::test]
async fn bulk_label_and_bulk_add_to_case_change_every_selected_network_with_its_audit_entry() {
    let t = app().await;
    let (mut b, token) = t.signed_in("bk", Role::Analyst, "").await;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY priority DESC LIMIT 3")
            .fetch_all(t.store.pool())
            .await
            .unwrap();
    let [a, b2, c] = [ids[0].to_string(), ids[1].to_string(), ids[2].to_string()];
    // Without the form token nothing happens.
    let before = t.audit_count("label_network").await;
    let r = t
        .post(
            &mut b,
            "/leads/bulk",
            &[("network", &a), ("action", "label"), ("label", "other")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.scalar_i64("SELECT count(*) FROM network_labels").await, 0);
    let r = t
        .post(
            &mut b,
            "/leads/bulk",
            &[
                ("csrf", &token),
                ("network", &a),
                ("network", &b2),
                ("network", &c),
                ("action", "label"),
                ("label", "not_relevant"),
                ("note", "bulk reviewed"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = t.get(&mut b, r.location()).await;
    assert!(
        r.body.contains("Saved: 3 networks labelled Not relevant"),
        "{}",
        r.body
    );
    for id in &ids {
        let labels = t.store.labels(*id).await.unwrap();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].label, "not_relevant");
        assert_eq!(labels[0].note, "bulk reviewed");
        assert_eq!(labels[0].username, "bk");
    }
    let entries = t.store.audit_entries(0, 1_000_000).await.unwrap();
    for id in &ids {
        assert!(entries.iter().any(|e| e.record.action == "label_network"
            && e.record.object.as_deref() == Some(&format!("network:{id}"))));
    }
    assert_eq!(t.audit_count("label_network").await, before + 3);
    // One unknown network fails the whole request: nothing is labelled.
    let r = t
        .post(
            &mut b,
            "/leads/bulk",
            &[
                ("csrf", &token),
                ("network", &a),
                ("network", "999999"),
                ("action", "label"),
                ("label", "other"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(t.store.labels(ids[0]).await.unwrap().len(), 1);
    // Bulk add to a case folder.
    let case = t
        .post(&mut b, "/cases", &[("csrf", &token), ("title", "bulk")])
        .await
        .location()
        .trim_start_matches("/cases/")
        .to_string();
    let r = t
        .post(
            &mut b,
            "/leads/bulk",
            &[
                ("csrf", &token),
                ("network", &a),
                ("network", &c),
                ("action", "add_to_case"),
                ("case_id", &case),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let items = t.store.case_items(case.parse().unwrap()).await.unwrap();
    let mut got: Vec<i64> = items.iter().map(|i| i.item).collect();
    got.sort();
    let mut want = vec![ids[0], ids[2]];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(t.audit_count("add_case_item").await, 2);
}

#[tokio::test]
async fn the_ad_page_shows_line_breaks_every_extraction_readable_indicators_and_the_url_as_text() {
    let t = app().await;
    let (mut b, _) = t.signed_in("ap", Role::Analyst, "").await;
    // An ad stored as an older ingest left it: line-break tags and markup in the text.
    let ad = plainsight_core::Ad {
        id: "br-1".into(),
        url: Some("http://ads.example/raleigh/br-1?ref=\"x\"".into()),
        site: Some("ads.example".into()),
        title: Some("New in Raleigh<br>21 years".into()),
        body: Some(
            "Sweet and discreet<br/>I am 21 yrs old<BR />$200 hh, $300 hr<br>\
             text 919-555-0148 <script>alert(1)</script> new in town"
                .into(),
        ),
        location: Some("Raleigh, NC".into()),
        ..Default::default()
    };
    let extractor = plainsight_text::extract::Extractor::new(
        &plainsight_text::extract::ExtractConfig::default(),
    )
    .unwrap();
    let extraction = extractor.extract(&ad);
    assert!(!extraction.ages.is_empty() && !extraction.prices.is_empty());
    let new = plainsight_store::NewAd::new(ad, extraction.clone(), "old.jsonl".into(), 1).unwrap();
    t.store.insert_ads(&[new]).await.unwrap();
    let key: i64 = sqlx::query_scalar("SELECT ad_key FROM ads WHERE source_id = 'br-1'")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    let r = t.get(&mut b, &format!("/ads/{key}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = &r.body;
    // Line breaks, and markup only as text.
    assert!(
        !body.contains("&lt;br") && !body.contains("<br/>I am"),
        "{body}"
    );
    // The `<br/>` after "discreet" is a line break (what follows is highlighted: the age).
    assert!(
        body.contains("discreet</mark>\n<mark class=\"x-age\""),
        "{body}"
    );
    assert!(body.contains(
        "New in <mark class=\"x-place\" title=\"place Raleigh, NC\">Raleigh</mark>\n21 years"
    ));
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!body.contains("<script>alert(1)"));
    // Every extraction is in the table.
    for age in &extraction.ages {
        assert!(
            body.contains(&format!("<td>stated age</td><td>{}</td>", age.age)),
            "{body}"
        );
    }
    assert_eq!(
        body.matches("<td>price</td>").count(),
        extraction.prices.len()
    );
    assert_eq!(
        body.matches("<td>place</td>").count(),
        extraction.locations.len()
    );
    // Identifiers link to search.
    assert!(body.contains("href=\"/search?q=%2B19195550148\""), "{body}");
    // The original URL as text (escaped), never as a link.
    assert!(
        body.contains(
            "<code class=\"url\">http://ads.example/raleigh/br-1?ref=&quot;x&quot;</code>"
        )
    );
    assert!(!body.contains("href=\"http://ads.example"));
    // Indicators by name with their source, not by code.
    for hit in &extraction.indicators {
        assert!(body.contains(&format!("title=\"{}\"", hit.code)));
    }
    if let Some(hit) = extraction.indicators.first() {
        assert!(
            !body.contains(&format!(">{}<", hit.code)),
            "code shown as a name"
        );
    }
}

#[tokio::test]
async fn a_closed_folder_is_read_only_until_reopened_and_its_package_is_a_checked_zip() {
    let t = app().await;
    let (mut b, token) = t.signed_in("cz", Role::Analyst, "").await;
    t.user_in("mate", Role::Analyst, "vice", "").await;
    t.user_in("other", Role::Analyst, "elsewhere", "").await;
    let network: i64 =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY ads DESC LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let ads_in_network = t
        .scalar_i64(&format!(
            "SELECT count(*) FROM network_ads WHERE network_id = {network}"
        ))
        .await;
    let case_path = t
        .post(
            &mut b,
            "/cases",
            &[("csrf", &token), ("title", "Circuit I-95")],
        )
        .await
        .location()
        .to_string();
    let case = case_path.trim_start_matches("/cases/").to_string();
    let n = network.to_string();
    let r = t
        .post(
            &mut b,
            "/cases/add",
            &[
                ("csrf", &token),
                ("case_id", &case),
                ("kind", "network"),
                ("item", &n),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    t.post(
        &mut b,
        &format!("/networks/{n}/label"),
        &[
            ("csrf", &token),
            ("label", "needs_investigation"),
            ("note", "same phone in 3 cities"),
        ],
    )
    .await;
    // Agency case number and assignee: a user of the team only.
    let r = t
        .post(
            &mut b,
            &format!("{case_path}/details"),
            &[
                ("csrf", &token),
                ("agency_case_number", "2026-VICE-0042"),
                ("assignee", "other"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t
        .post(
            &mut b,
            &format!("{case_path}/details"),
            &[
                ("csrf", &token),
                ("agency_case_number", "2026-VICE-0042"),
                ("assignee", "mate"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&mut b, &case_path).await;
    assert!(page.body.contains("2026-VICE-0042") && page.body.contains("<strong>mate</strong>"));

    // Closed: every change is refused on the server (409) and nothing is stored.
    t.post(
        &mut b,
        &format!("{case_path}/status"),
        &[("csrf", &token), ("status", "closed")],
    )
    .await;
    let other: i64 =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY ads DESC LIMIT 1 OFFSET 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
    let o = other.to_string();
    let refused: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/cases/add".into(),
            vec![
                ("csrf", &token),
                ("case_id", &case),
                ("kind", "network"),
                ("item", &o),
            ],
        ),
        (
            format!("{case_path}/items/remove"),
            vec![("csrf", &token), ("kind", "network"), ("item", &n)],
        ),
        (
            format!("{case_path}/notes"),
            vec![("csrf", &token), ("text", "late note")],
        ),
        (
            format!("{case_path}/details"),
            vec![
                ("csrf", &token),
                ("agency_case_number", "X"),
                ("assignee", ""),
            ],
        ),
        (
            "/leads/bulk".into(),
            vec![
                ("csrf", &token),
                ("network", &o),
                ("action", "add_to_case"),
                ("case_id", &case),
            ],
        ),
    ];
    for (path, form) in &refused {
        let r = t.post(&mut b, path, form).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", r.body);
        assert!(r.body.contains("closed"), "{path}");
        assert!(
            r.body.contains("Sign out"),
            "{path}: the error is drawn in the frame"
        );
    }
    let id: i64 = case.parse().unwrap();
    assert_eq!(t.store.case_items(id).await.unwrap().len(), 1);
    assert!(t.store.case_notes(id).await.unwrap().is_empty());
    // Reopened: changes are taken again.
    t.post(
        &mut b,
        &format!("{case_path}/status"),
        &[("csrf", &token), ("status", "open")],
    )
    .await;
    let r = t
        .post(
            &mut b,
            &format!("{case_path}/notes"),
            &[("csrf", &token), ("text", "=1+1 reopened")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The package: a ZIP whose manifest and SHA256SUMS match every file.
    let before = t.audit_count("export_case").await;
    let r = t.get(&mut b, &format!("{case_path}/package.zip")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/zip");
    assert_eq!(t.audit_count("export_case").await, before + 1);
    let entries = t.store.audit_entries(0, 1_000_000).await.unwrap();
    let zip_sha: String = Sha256::digest(&r.bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        entries.iter().any(|e| e.record.action == "export_case"
            && e.record
                .detail
                .as_deref()
                .is_some_and(|d| d.contains(&zip_sha))),
        "the download is audited with the package's hash"
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        files.insert(f.name().to_string(), bytes);
    }
    let prefix = format!("case-{case}/");
    let manifest: serde_json::Value =
        serde_json::from_slice(&files[&format!("{prefix}manifest.json")]).unwrap();
    assert_eq!(manifest["agency_case_number"], "2026-VICE-0042");
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    for entry in listed {
        let bytes = &files[&format!("{prefix}{}", entry["path"].as_str().unwrap())];
        let sha: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(entry["sha256"].as_str().unwrap(), sha);
    }
    let sums = String::from_utf8(files[&format!("{prefix}SHA256SUMS")].clone()).unwrap();
    assert_eq!(sums.lines().count(), 3);
    // Every ad of the network, one CSV row each, with text, URL, date and place.
    let csv_text = String::from_utf8(files[&format!("{prefix}ads.csv")].clone()).unwrap();
    let rows = csv_rows(&csv_text);
    assert_eq!(rows.len() as i64, ads_in_network);
    assert!(rows.iter().all(|r| r[0] == n && !r[9].is_empty()));
    assert!(rows.iter().any(|r| !r[4].is_empty() && !r[7].is_empty()));
    assert!(rows.iter().all(|r| r[11] == "needs_investigation"));
    // The printable HTML and the JSON hold the label with its note and who gave it, the note
    // and the trail.
    let html = String::from_utf8(files[&format!("{prefix}case.html")].clone()).unwrap();
    assert!(html.contains("same phone in 3 cities") && html.contains("by cz"));
    assert!(html.contains("=1+1 reopened") && html.contains("Audit trail of this folder"));
    assert!(html.contains("set_case_details") && html.contains("2026-VICE-0042"));
    assert_eq!(
        html.matches("<div class=\"ad\">").count() as i64,
        ads_in_network
    );
    let json: serde_json::Value =
        serde_json::from_slice(&files[&format!("{prefix}case.json")]).unwrap();
    assert_eq!(json["ads"].as_array().unwrap().len() as i64, ads_in_network);
    assert_eq!(
        json["networks"][0]["labels"][0]["note"],
        "same phone in 3 cities"
    );
}

/// A close and a change sent at the same moment: the change lands before the close or not at
/// all. (Before the check moved into the store's write transaction, the route checked "is it
/// open?" first, so an item could be added after the close's audit entry.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_racing_a_close_never_lands_after_it() {
    const ROUNDS: usize = 40;
    let t = Arc::new(app().await);
    let (mut b, token) = t.signed_in("race", Role::Analyst, "").await;
    let network: i64 = t
        .scalar_i64("SELECT network_id FROM networks ORDER BY ads DESC LIMIT 1")
        .await;
    let n = network.to_string();
    let mut added_before_close = 0;
    let mut refused = 0;
    for round in 0..ROUNDS {
        let case_path = t
            .post(
                &mut b,
                "/cases",
                &[("csrf", &token), ("title", &format!("Race {round}"))],
            )
            .await
            .location()
            .to_string();
        let case = case_path.trim_start_matches("/cases/").to_string();
        let id: i64 = case.parse().unwrap();
        let object = format!("case:{id}");
        let barrier = Arc::new(tokio::sync::Barrier::new(3));
        let close = {
            let (t, mut b, token, barrier) = (t.clone(), b.clone(), token.clone(), barrier.clone());
            let path = format!("{case_path}/status");
            tokio::spawn(async move {
                barrier.wait().await;
                t.post(&mut b, &path, &[("csrf", &token), ("status", "closed")])
                    .await
                    .status
            })
        };
        let add = {
            let (t, mut b, token, barrier) = (t.clone(), b.clone(), token.clone(), barrier.clone());
            let (case, n) = (case.clone(), n.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                t.post(
                    &mut b,
                    "/cases/add",
                    &[
                        ("csrf", &token),
                        ("case_id", &case),
                        ("kind", "network"),
                        ("item", &n),
                    ],
                )
                .await
                .status
            })
        };
        let note = {
            let (t, mut b, token, barrier) = (t.clone(), b.clone(), token.clone(), barrier.clone());
            let path = format!("{case_path}/notes");
            tokio::spawn(async move {
                barrier.wait().await;
                t.post(&mut b, &path, &[("csrf", &token), ("text", "racing note")])
                    .await
                    .status
            })
        };
        assert_eq!(close.await.unwrap(), StatusCode::SEE_OTHER);
        let (add, note) = (add.await.unwrap(), note.await.unwrap());
        for status in [add, note] {
            assert!(
                status == StatusCode::SEE_OTHER || status == StatusCode::CONFLICT,
                "round {round}: {status}"
            );
        }
        let trail: Vec<_> = t
            .store
            .audit_entries(0, 1_000_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| {
                e.record.object.as_deref() == Some(object.as_str())
                    && e.record.outcome.as_str() == "success"
            })
            .map(|e| (e.record.seq, e.record.action))
            .collect();
        let seq_of = |action: &str| trail.iter().find(|(_, a)| a == action).map(|(s, _)| *s);
        let closed_at = seq_of("set_case_status").expect("the close is audited");
        let items = t.store.case_items(id).await.unwrap().len();
        let notes = t.store.case_notes(id).await.unwrap().len();
        for (action, status, stored) in [
            ("add_case_item", add, items),
            ("add_case_note", note, notes),
        ] {
            match seq_of(action) {
                Some(seq) => {
                    assert!(
                        seq < closed_at,
                        "round {round}: {action} audited after the close"
                    );
                    assert_eq!(
                        (status, stored),
                        (StatusCode::SEE_OTHER, 1),
                        "round {round}"
                    );
                    added_before_close += 1;
                }
                None => {
                    assert_eq!(
                        (status, stored),
                        (StatusCode::CONFLICT, 0),
                        "round {round}: {action}"
                    );
                    refused += 1;
                }
            }
        }
    }
    eprintln!("{added_before_close} changes landed before the close, {refused} were refused");
}

/// The dashboard's figures: ads, ads by day, top places, networks, active networks and new
/// networks.
type CountedFigures = (
    u64,
    Vec<(String, u64)>,
    Vec<(String, String, u64)>,
    u64,
    u64,
    u64,
);

/// The dashboard's figures for one area, counted over every ad, place and network (what the
/// dashboard did on each view before its figures were kept at ingest and analysis).
async fn counted_dashboard(store: &SqliteStore, area: Option<&str>) -> CountedFigures {
    use sqlx::Row;
    let pool = store.pool();
    let in_area = "(?1 IS NULL OR EXISTS (SELECT 1 FROM ad_places p \
                   WHERE p.ad_key = a.ad_key AND p.admin1 = ?1))";
    let ads: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM ads a WHERE {in_area}"
    )))
    .bind(area)
    .fetch_one(pool)
    .await
    .unwrap();
    let volume: Vec<(String, u64)> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT substr(posted_at, 1, 10) AS day, count(*) FROM ads a \
         WHERE posted_at IS NOT NULL AND {in_area} GROUP BY day ORDER BY day"
    )))
    .bind(area)
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get::<i64, _>(1) as u64))
    .collect();
    let places: Vec<(String, String, u64)> = sqlx::query(
        "SELECT min(name), min(admin1), count(*) AS n FROM ad_places \
         WHERE ?1 IS NULL OR admin1 = ?1 GROUP BY geonameid \
         ORDER BY n DESC, min(name), geonameid LIMIT 12",
    )
    .bind(area)
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get::<i64, _>(2) as u64))
    .collect();
    let spans: Vec<(Option<String>, Option<String>)> = sqlx::query(
        "SELECT first_seen, last_seen FROM networks n WHERE ?1 IS NULL OR EXISTS \
         (SELECT 1 FROM network_places p WHERE p.network_id = n.network_id AND p.admin1 = ?1)",
    )
    .bind(area)
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let day = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| chrono::NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d").ok())
    };
    let (mut active, mut new) = (0, 0);
    if let Some((last_day, _)) = volume.last() {
        let reference = chrono::NaiveDate::parse_from_str(last_day, "%Y-%m-%d").unwrap();
        for (first, last) in &spans {
            let (Some(first), Some(last)) = (day(first), day(last)) else {
                continue;
            };
            if first <= reference && (reference - last).num_days() <= 29 {
                active += 1;
            }
            if first <= reference && (reference - first).num_days() <= 6 {
                new += 1;
            }
        }
    }
    (ads as u64, volume, places, spans.len() as u64, active, new)
}

/// An empty folder for a workspace, and the workspace's database URL in it.
fn new_workspace() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ws.db").display());
    (dir, url)
}

/// The arguments of `plainsight gen-corpus` for `ads` ads of corpus seed `seed` into `out`.
fn corpus<'a>(ads: &'a str, seed: &'a str, out: &'a str) -> [&'a str; 7] {
    ["gen-corpus", "--ads", ads, "--seed", seed, "--out", out]
}

/// The dashboard's figures read from its summary tables, checked against a full count
/// everywhere, in an unknown area, in the three busiest areas and in one of them in lower case
/// (network places compare without case, ad places exactly); returns the count everywhere.
async fn dashboard_equals_a_full_count(url: &str, stage: &str) -> CountedFigures {
    let store = SqliteStore::open(url).await.unwrap();
    let mut areas: Vec<Option<String>> = vec![None, Some("ZZ".into())];
    let top: Vec<String> = sqlx::query_scalar(
        "SELECT admin1 FROM ad_places WHERE admin1 <> '' GROUP BY admin1 \
         ORDER BY count(*) DESC LIMIT 3",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(!top.is_empty(), "{stage}: the corpus names places");
    areas.push(Some(top[0].to_lowercase()));
    areas.extend(top.into_iter().map(Some));
    let mut everywhere = None;
    for area in &areas {
        let kept = store.dashboard(area.as_deref()).await.unwrap();
        let counted = counted_dashboard(&store, area.as_deref()).await;
        let read = (
            kept.ads,
            kept.volume.clone(),
            kept.by_place.clone(),
            kept.networks,
            kept.active_networks,
            kept.new_networks,
        );
        assert_eq!(read, counted, "{stage}, area {area:?}");
        assert_eq!(
            kept.reference_date,
            counted.1.last().map(|(d, _)| d.clone())
        );
        everywhere.get_or_insert(counted);
    }
    // The lead queue's reason filter, kept with the networks (migration 0010).
    let kept: Vec<(String, i64)> = plainsight_store::AnalystStore::reason_codes(&store)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.code, r.networks as i64))
        .collect();
    let counted: Vec<(String, i64)> = sqlx::query_as(
        "SELECT code, count(*) FROM network_reason_codes GROUP BY code \
         ORDER BY count(*) DESC, code",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(kept, counted, "{stage}: reason counts");
    store.close().await;
    everywhere.unwrap()
}

/// The dashboard reads figures kept at ingest and analysis; they must equal a full count,
/// everywhere and per area, after an ingest, after analysis and after a second ingest that
/// adds later ads (so the reference date, the places and the areas all move).
#[tokio::test]
async fn dashboard_figures_kept_at_ingest_and_analysis_equal_a_full_count() {
    let (dir, url) = new_workspace();
    let run = |args: &[&str]| {
        plainsight(dir.path(), &url, args).success();
    };
    run(&corpus("500", "21", "a.jsonl"));
    run(&[
        &corpus("300", "22", "b.jsonl")[..],
        &["--start-date", "2024-06-15", "--days", "40"],
    ]
    .concat());
    run(&["ingest", "a.jsonl"]);
    let after_ingest = dashboard_equals_a_full_count(&url, "after the first ingest").await;
    assert!(
        after_ingest.0 > 400 && after_ingest.3 == 0,
        "{after_ingest:?}"
    );
    run(&["analyze"]);
    let after_analyze = dashboard_equals_a_full_count(&url, "after analysis").await;
    assert!(
        after_analyze.3 > 0 && after_analyze.4 > 0,
        "{after_analyze:?}"
    );
    run(&["ingest", "b.jsonl"]);
    let after_second = dashboard_equals_a_full_count(&url, "after the second ingest").await;
    assert!(after_second.0 > after_analyze.0);
    assert!(
        after_second.1.last() > after_analyze.1.last(),
        "the reference day moved"
    );
    run(&["analyze"]);
    dashboard_equals_a_full_count(&url, "after the second analysis").await;
}

/// `plainsight retention --apply` removes ads: the dashboard's figures (recounted in the
/// purge's own transaction, then by the re-analysis it runs) equal a full count again,
/// everywhere and per area, and show fewer ads and fewer days than before.
#[tokio::test]
async fn dashboard_figures_after_retention_equal_a_full_count() {
    let (dir, url) = new_workspace();
    let run = |args: &[&str]| {
        plainsight(dir.path(), &url, args).success();
    };
    run(&corpus("500", "23", "ads.jsonl"));
    run(&["ingest", "ads.jsonl"]);
    run(&["analyze"]);
    let before = dashboard_equals_a_full_count(&url, "before retention").await;
    // The ads posted in the first half of the corpus's span were stored a year ago; no case
    // folder or label holds them, so the retention run removes them.
    let store = SqliteStore::open(&url).await.unwrap();
    let middle = &before.1[before.1.len() / 2].0;
    let old = sqlx::query(
        "UPDATE ads SET ingested_at = '2025-01-01T00:00:00.000Z' \
         WHERE posted_at IS NOT NULL AND substr(posted_at, 1, 10) < ?",
    )
    .bind(middle)
    .execute(store.pool())
    .await
    .unwrap()
    .rows_affected();
    store.close().await;
    assert!(old > 50, "{old} ads made old");
    run(&["-q", "retention", "--apply", "--days", "180"]);
    let after = dashboard_equals_a_full_count(&url, "after retention").await;
    assert_eq!(
        after.0,
        before.0 - old,
        "the old ads are gone from the figures"
    );
    assert!(
        after.1.len() < before.1.len() && after.1.first().map(|d| &d.0) >= Some(middle),
        "the days before {middle} are gone: {:?}",
        after.1.first()
    );
    assert!(after.3 > 0, "re-analysed: {after:?}");
}

#[tokio::test]
async fn malformed_path_ids_and_framework_refusals_are_drawn_in_the_frame() {
    let t = app().await;
    let (mut b, _) = t.signed_in("er", Role::Analyst, "").await;
    for path in [
        "/networks/abc",
        "/ads/12x",
        "/cases/-",
        "/cases/abc/export.html",
    ] {
        let r = t.get(&mut b, path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            r.body.contains("Sign out") && r.body.contains("Lead queue"),
            "{path}: {}",
            r.body
        );
        assert!(r.body.contains("should be a number"), "{path}");
        assert!(!r.body.contains("i64"), "{path}: a Rust type on the page");
    }
    // A method the route does not take.
    let req = Request::delete("/leads")
        .header(header::COOKIE, TestApp::cookie_header(&b))
        .body(Body::empty())
        .unwrap();
    let r = t.send(&mut b, req).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.body.contains("Sign out"));
}

#[tokio::test]
async fn the_false_positive_rate_comes_with_its_count_interval_and_a_caution() {
    let t = app().await;
    let (mut b, token) = t.signed_in("fp", Role::Analyst, "").await;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT network_id FROM networks ORDER BY priority DESC LIMIT 2")
            .fetch_all(t.store.pool())
            .await
            .unwrap();
    for (id, label) in ids.iter().zip(["not_relevant", "needs_investigation"]) {
        t.post(
            &mut b,
            &format!("/networks/{id}/label"),
            &[("csrf", &token), ("label", label), ("note", "")],
        )
        .await;
    }
    let r = t.get(&mut b, "/").await;
    // 1 of 2: "50%" alone would mislead; the count, the Wilson interval and the caution say
    // how little two labels mean.
    assert!(r.body.contains("<strong>1 (50%)</strong>"), "{}", r.body);
    assert!(r.body.contains("95% interval 9%–91%"), "{}", r.body);
    assert!(r.body.contains("Caution: fewer than 20 labels"));
}

#[test]
fn exports_carry_date_place_url_title_and_site_on_ad_nodes() {
    let db = template_db();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("ws.db");
    copy_workspace(db, &copy);
    let url = format!("sqlite://{}", copy.display());
    let graphml = dir.path().join("n.graphml");
    Command::cargo_bin("plainsight")
        .unwrap()
        .env("PLAINSIGHT_DB", &url)
        .args(["export", "--format", "graphml", "--out"])
        .arg(&graphml)
        .assert()
        .success();
    let text = std::fs::read_to_string(&graphml).unwrap();
    for key in [
        "posted_at",
        "place",
        "latitude",
        "longitude",
        "url",
        "title",
        "site",
    ] {
        assert!(
            text.contains(&format!("attr.name=\"{key}\"")),
            "GraphML declares {key}"
        );
        assert!(
            text.contains(&format!("<data key=\"node_{key}\">")),
            "some ad node carries {key}"
        );
    }
    let out = dir.path().join("i2");
    Command::cargo_bin("plainsight")
        .unwrap()
        .env("PLAINSIGHT_DB", &url)
        .args(["export", "--format", "i2-csv", "--out"])
        .arg(&out)
        .assert()
        .success();
    let entities = std::fs::read_to_string(out.join("entities.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(entities.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    for col in [
        "posted_at",
        "place",
        "latitude",
        "longitude",
        "url",
        "title",
        "site",
    ] {
        assert!(headers.contains(&col.to_string()), "{col}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ads: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[1] == "ad").collect();
    let ads_total: i64 = {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = SqliteStore::open(&url).await.unwrap();
            store.count_ads().await.unwrap() as i64
        })
    };
    assert_eq!(ads.len() as i64, ads_total);
    let dated = ads.iter().filter(|r| !r[8].is_empty()).count();
    let placed = ads.iter().filter(|r| !r[10].is_empty()).count();
    assert!(
        dated * 10 >= ads.len() * 9,
        "{dated} of {} ads dated",
        ads.len()
    );
    assert!(placed > 0 && ads.iter().all(|r| !r[14].is_empty()));
}
