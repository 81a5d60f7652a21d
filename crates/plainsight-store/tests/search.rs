//! Searches at scale: the identifier look-up and full-text search read only a page's own ads,
//! and a common word's matches are ranked among the newest [`RANKED_MATCHES`] and then follow
//! newest first, each match on exactly one page.

use std::collections::HashSet;

use plainsight_core::{Ad, Extraction, Field, IdentifierKind, Phone, Span};
use plainsight_store::{
    AdFilter, AnalystStore, IdentifierQuery, NewAd, RANKED_MATCHES, SqliteStore, Store,
};

fn ad(n: usize, body: String, phone: Option<&str>, day: u32) -> NewAd {
    let id = format!("ad-{n}");
    let ad = Ad {
        id: id.clone(),
        site: Some(
            if n.is_multiple_of(2) {
                "even.example"
            } else {
                "odd.example"
            }
            .into(),
        ),
        body: Some(body),
        posted_at: Some(
            plainsight_core::parse_posted_at(&format!(
                "2024-{:02}-{:02}",
                1 + day / 28,
                1 + day % 28
            ))
            .unwrap(),
        ),
        ..Default::default()
    };
    let mut extraction = Extraction {
        id,
        ..Default::default()
    };
    if let Some(p) = phone {
        extraction.phones.push(Phone {
            e164: p.into(),
            raw: p.into(),
            obscured: false,
            techniques: vec![],
            span: Span::new(0, 3),
            field: Field::Body,
            service: false,
            region: "US".to_string(),
            region_source: "default".to_string(),
        });
    }
    NewAd::new(ad, extraction, "ads.jsonl".into(), n as u64 + 1).unwrap()
}

async fn store_with(ads: Vec<NewAd>) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/ws.db", dir.path().display());
    let store = SqliteStore::open(&url).await.unwrap();
    for chunk in ads.chunks(500) {
        store.insert_ads(chunk).await.unwrap();
    }
    store.update_search_index().await.unwrap();
    (dir, store)
}

/// Every hit of a text search, page by page, as (ad id, ranked_among).
async fn all_pages(store: &SqliteStore, words: &str, filter: &AdFilter, page: u64) -> Vec<String> {
    let mut out = Vec::new();
    for p in 0.. {
        let hits = store
            .search_text(words, filter, page, p * page)
            .await
            .unwrap();
        if hits.hits.is_empty() {
            break;
        }
        out.extend(hits.hits.into_iter().map(|h| h.id));
    }
    out
}

#[tokio::test]
async fn a_common_word_is_ranked_among_the_newest_matches_and_every_match_is_listed_once() {
    let extra = 150;
    let n = RANKED_MATCHES as usize + extra;
    // Ad 0 (the oldest) says the word five times: it would rank first among all matches, but
    // it is older than the ranked ones, so it comes after them. The newest ad says it three
    // times and ranks first.
    let ads: Vec<NewAd> = (0..n)
        .map(|i| {
            let body = match i {
                0 => "candy candy candy candy candy".to_string(),
                _ if i == n - 1 => "candy candy candy and more".to_string(),
                _ => format!("a long text about candy and other things number {i} here"),
            };
            ad(i, body, None, (i % 300) as u32)
        })
        .collect();
    let (_dir, store) = store_with(ads).await;
    let first = store
        .search_text("candy", &AdFilter::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(first.ranked_among, Some(RANKED_MATCHES));
    assert_eq!(
        first.hits[0].id,
        format!("ad-{}", n - 1),
        "best of the newest first"
    );
    assert!(
        first.hits[0].matched.contains('\u{1}'),
        "a snippet with the match marked"
    );

    let listed = all_pages(&store, "candy", &AdFilter::default(), 97).await;
    assert_eq!(listed.len(), n, "every match listed");
    let unique: HashSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), n, "no match on two pages");
    // Past the ranked ones, older matches follow newest first: the oldest ad comes last.
    assert_eq!(listed.last().unwrap(), "ad-0");
    let older: Vec<usize> = listed[RANKED_MATCHES as usize..]
        .iter()
        .map(|id| id[3..].parse().unwrap())
        .collect();
    assert!(
        older.windows(2).all(|w| w[0] > w[1]),
        "older matches newest first"
    );
    assert!(
        older.iter().all(|&i| i < extra),
        "only the oldest are past the ranked ones"
    );
}

#[tokio::test]
async fn a_rare_word_is_ranked_among_all_its_matches_and_filters_apply_on_every_page() {
    let ads: Vec<NewAd> = (0..400usize)
        .map(|i| {
            let body = if i == 3 {
                "velvet velvet velvet".to_string()
            } else if i.is_multiple_of(4) {
                format!("some velvet text {i}")
            } else {
                format!("nothing to see {i}")
            };
            ad(i, body, None, (i % 200) as u32)
        })
        .collect();
    let (_dir, store) = store_with(ads).await;
    let page = store
        .search_text("velvet", &AdFilter::default(), 5, 0)
        .await
        .unwrap();
    assert_eq!(
        page.ranked_among, None,
        "fewer matches than the cap: all ranked"
    );
    assert_eq!(page.hits[0].id, "ad-3", "the best match first, though old");
    let odd = AdFilter {
        site: Some("odd.example".into()),
        ..AdFilter::default()
    };
    let listed = all_pages(&store, "velvet", &odd, 3).await;
    assert_eq!(
        listed,
        vec!["ad-3".to_string()],
        "the site filter keeps only odd ads"
    );
    let even = AdFilter {
        site: Some("even.example".into()),
        ..AdFilter::default()
    };
    assert_eq!(all_pages(&store, "velvet", &even, 7).await.len(), 100);
}

#[tokio::test]
async fn a_shared_phone_pages_oldest_first_with_its_total() {
    let ads: Vec<NewAd> = (0..300usize)
        .map(|i| {
            let phone = if i.is_multiple_of(3) {
                Some("+19195550123")
            } else {
                Some("+19195550199")
            };
            // Days run backwards against the keys, so key order is not date order.
            ad(i, format!("call me {i}"), phone, (299 - i) as u32)
        })
        .collect();
    let (_dir, store) = store_with(ads).await;
    let query = IdentifierQuery {
        kinds: vec![IdentifierKind::Phone],
        platforms: vec![],
        value: "+19195550123".into(),
    };
    let mut dates = Vec::new();
    let mut ids = HashSet::new();
    for p in 0..5 {
        let page = store
            .find_identifier(&query, &AdFilter::default(), 30, p * 30)
            .await
            .unwrap();
        assert_eq!(page.total, Some(100));
        for h in page.hits {
            assert!(h.matched.contains("+19195550123"), "{}", h.matched);
            dates.push(h.posted_at.clone().unwrap());
            ids.insert(h.id);
        }
    }
    assert_eq!(ids.len(), 100, "every ad once over the pages");
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    let even = AdFilter {
        site: Some("even.example".into()),
        ..AdFilter::default()
    };
    let page = store.find_identifier(&query, &even, 10, 0).await.unwrap();
    assert_eq!(
        page.total,
        Some(50),
        "every sixth ad is even and carries the number"
    );
    assert!(page.hits.iter().all(|h| h.site == "even.example"));
}
