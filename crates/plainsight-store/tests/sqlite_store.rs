//! Integration tests of the SQLite store: idempotent inserts, atomic batches, look-ups.

use plainsight_core::{Ad, Extraction, Field, IdentifierKind, IndicatorHit, Phone, Span};
use plainsight_store::{NewAd, SqliteStore, Store};

fn ad(id: &str, body: &str, phone: Option<&str>) -> NewAd {
    let ad = Ad {
        id: id.into(),
        site: Some("example".into()),
        body: Some(body.into()),
        posted_at: Some(plainsight_core::parse_posted_at("2024-05-01").unwrap()),
        ..Default::default()
    };
    let mut extraction = Extraction {
        id: id.into(),
        ..Default::default()
    };
    if let Some(p) = phone {
        extraction.phones.push(Phone {
            e164: p.into(),
            raw: p.into(),
            obscured: true,
            techniques: vec!["spelled_digits".into()],
            span: Span::new(0, 3),
            field: Field::Body,
            service: false,
            region: "US".to_string(),
            region_source: "default".to_string(),
        });
        extraction.indicators.push(IndicatorHit {
            code: "obscured_phone".into(),
            evidence: p.into(),
            span: Span::new(0, 3),
            field: Field::Body,
        });
    }
    NewAd::new(ad, extraction, "ads.jsonl".into(), 1).unwrap()
}

async fn temp_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sub/ws.db", dir.path().display());
    let store = SqliteStore::open(&url).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn reingest_adds_nothing_and_reports_duplicates() {
    let (_dir, store) = temp_store().await;
    let batch = vec![
        ad("1", "call me", Some("+19195550123")),
        ad("2", "other text", Some("+19195550123")),
        ad("3", "no phone", None),
    ];
    let first = store.insert_ads(&batch).await.unwrap();
    assert_eq!(first.stored, 3);
    assert!(first.duplicates.is_empty());
    let again = store.insert_ads(&batch).await.unwrap();
    assert_eq!(again.stored, 0);
    assert_eq!(again.duplicates.len(), 3);
    assert_eq!(store.count_ads().await.unwrap(), 3);

    // Same content under a new id is a duplicate; same id with new content is too.
    let same_content = vec![ad("99", "call me", Some("+19195550123"))];
    assert_eq!(store.insert_ads(&same_content).await.unwrap().stored, 0);
    let same_id = vec![ad("1", "changed text", None)];
    assert_eq!(store.insert_ads(&same_id).await.unwrap().stored, 0);
    assert_eq!(store.count_ads().await.unwrap(), 3);
}

#[tokio::test]
async fn identifiers_and_summary_reflect_what_was_stored() {
    let (_dir, store) = temp_store().await;
    let batch = vec![
        ad("1", "a", Some("+19195550123")),
        ad("2", "b", Some("+19195550123")),
        ad("3", "c", Some("+12125550199")),
    ];
    store.insert_ads(&batch).await.unwrap();
    let refs = store
        .ads_with_identifier(IdentifierKind::Phone, "+19195550123")
        .await
        .unwrap();
    let ids: Vec<_> = refs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    let top = store
        .top_identifiers(IdentifierKind::Phone, 5)
        .await
        .unwrap();
    assert_eq!(top[0].value, "+19195550123");
    assert_eq!(top[0].ads, 2);
    let s = store.summary().await.unwrap();
    assert_eq!(s.ads, 3);
    assert_eq!(s.distinct_phones, 2);
    assert_eq!(s.ads_with_obscured_phone, 3);
    assert_eq!(s.indicator_hits, vec![("obscured_phone".to_string(), 3)]);

    let stored = store.get_ad("example", "2").await.unwrap().unwrap();
    assert_eq!(stored.ad, batch[1].ad);
    assert_eq!(stored.extraction, batch[1].extraction);
    assert!(store.get_ad("example", "nope").await.unwrap().is_none());
}

#[tokio::test]
async fn duplicates_inside_one_batch_are_stored_once() {
    let (_dir, store) = temp_store().await;
    let batch = vec![ad("1", "x", None), ad("1", "x", None), ad("2", "x", None)];
    let out = store.insert_ads(&batch).await.unwrap();
    assert_eq!(out.stored, 1);
    assert_eq!(out.duplicates.len(), 2);
}

#[tokio::test]
async fn large_batches_span_several_statements() {
    let (_dir, store) = temp_store().await;
    let batch: Vec<NewAd> = (0..2_500)
        .map(|i| ad(&i.to_string(), &format!("body {i}"), Some("+19195550123")))
        .collect();
    let out = store.insert_ads(&batch).await.unwrap();
    assert_eq!(out.stored, 2_500);
    let refs = store
        .ads_with_identifier(IdentifierKind::Phone, "+19195550123")
        .await
        .unwrap();
    assert_eq!(refs.len(), 2_500);
}

#[tokio::test]
async fn reopening_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/ws.db", dir.path().display());
    {
        let store = SqliteStore::open(&url).await.unwrap();
        store.insert_ads(&[ad("1", "x", None)]).await.unwrap();
        store.close().await;
    }
    let store = SqliteStore::open(&url).await.unwrap();
    assert_eq!(store.count_ads().await.unwrap(), 1);
}

/// Names of the indexes in the workspace.
async fn index_names(store: &SqliteStore) -> Vec<String> {
    sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_bulk_load_drops_random_order_indexes_and_builds_them_again() {
    let (_dir, store) = temp_store().await;
    let all = index_names(&store).await;
    assert!(all.iter().any(|n| n == "identifiers_by_value"));
    // A top-up (few ads) or a load smaller than the workspace keeps every index.
    assert!(!store.begin_bulk_load(10).await.unwrap());
    assert_eq!(index_names(&store).await, all);

    assert!(store.begin_bulk_load(1_000_000).await.unwrap());
    let during = index_names(&store).await;
    assert!(!during.iter().any(|n| n == "identifiers_by_value"));
    assert!(!during.iter().any(|n| n == "ads_posted_at"));
    // The unique indexes that catch duplicates stay.
    assert!(
        during.len() < all.len() && during.iter().any(|n| n.starts_with("sqlite_autoindex_ads"))
    );

    let batch = vec![
        ad("1", "a", Some("+19195550123")),
        ad("2", "b", Some("+19195550123")),
    ];
    assert_eq!(store.insert_ads(&batch).await.unwrap().stored, 2);
    assert_eq!(store.insert_ads(&batch).await.unwrap().duplicates.len(), 2);
    // The search index can be brought up to date mid-load without rebuilding what was dropped.
    assert_eq!(store.update_search_index().await.unwrap(), 2);
    assert!(
        !index_names(&store)
            .await
            .iter()
            .any(|n| n == "identifiers_by_value")
    );
    // Look-ups are right (if slower) while the index is missing...
    let refs = store
        .ads_with_identifier(IdentifierKind::Phone, "+19195550123")
        .await
        .unwrap();
    assert_eq!(refs.len(), 2);
    // ...and the closing pass restores every index (the search index is already complete).
    assert_eq!(store.index_new_ads().await.unwrap(), 0);
    assert_eq!(index_names(&store).await, all);
}

#[tokio::test]
async fn rows_stored_before_compact_documents_still_read() {
    // A workspace written before migration 0006 kept the record and extraction as JSON.
    let (_dir, store) = temp_store().await;
    let new = ad("7", "old style", Some("+19195550123"));
    let record = serde_json::to_string(&new.ad).unwrap();
    let extraction = serde_json::to_string(&new.extraction).unwrap();
    sqlx::query(
        "INSERT INTO ads (site, source_id, content_hash, body, record, extraction, \
         source_file, source_line, ingested_at) \
         VALUES ('example', '7', 'h', 'old style', ?, ?, 'old.jsonl', 3, '2024-01-01T00:00:00Z')",
    )
    .bind(record)
    .bind(extraction)
    .execute(store.pool())
    .await
    .unwrap();
    let stored = store.get_ad("example", "7").await.unwrap().unwrap();
    assert_eq!(stored.ad, new.ad);
    assert_eq!(stored.extraction, new.extraction);
    assert_eq!(stored.source_line, 3);

    // New rows keep record and extraction empty and everything in the compressed document.
    store
        .insert_ads(&[ad("8", "new style", None)])
        .await
        .unwrap();
    let (record, document): (String, Vec<u8>) =
        sqlx::query_as("SELECT record, document FROM ads WHERE source_id = '8'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert!(record.is_empty() && !document.is_empty());
    let stored = store.get_ad("example", "8").await.unwrap().unwrap();
    assert_eq!(stored.ad.body.as_deref(), Some("new style"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_attempts_are_granted_at_most_the_limit_and_never_fail() {
    use plainsight_store::{AccessStore, Attempt, AttemptRequest};
    let (_dir, store) = temp_store().await;
    let store = std::sync::Arc::new(store);
    let now = chrono::Utc::now();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .reserve_attempt(&AttemptRequest {
                        username: "anyone",
                        kind: "password",
                        source: Some("192.0.2.1"),
                        now,
                        account_since: now - chrono::Duration::minutes(15),
                        account_max: 5,
                        source_limit: Some((now - chrono::Duration::minutes(15), 20)),
                    })
                    .await
            })
        })
        .collect();
    let mut granted = 0;
    for t in tasks {
        match t.await.unwrap().expect("no attempt fails") {
            Attempt::Granted(_) => granted += 1,
            Attempt::AccountLimit => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(granted, 5);
}

fn event(action: &str) -> plainsight_store::AuditEvent {
    plainsight_store::AuditEvent {
        actor: Some("tester".into()),
        source: None,
        action: action.into(),
        object: None,
        outcome: plainsight_access::audit::Outcome::Success,
        detail: None,
    }
}

/// Every change to a closed folder is refused by the store itself, in the write transaction,
/// with neither the change nor its audit entry stored; reopening is taken, and then changes are.
#[tokio::test]
async fn a_closed_case_folder_refuses_every_change_in_the_write_itself() {
    use plainsight_store::{AccessStore, AnalystStore, CaseworkStore, NewUser, StoreError};
    let (_dir, store) = temp_store().await;
    let user = store
        .create_user(
            &NewUser {
                username: "ana".into(),
                display_name: "Ana".into(),
                role: "analyst".into(),
                team: "vice".into(),
                area: String::new(),
                password_hash: "x".into(),
                must_change_password: false,
            },
            &|_| event("create_user"),
        )
        .await
        .unwrap();
    let team = store.user_by_id(user).await.unwrap().unwrap().team_id;
    let case = store
        .create_case(team, "Folder", user, &|_| event("create_case"))
        .await
        .unwrap();
    assert!(
        store
            .add_case_item(case, "network", 1, user, &event("add_case_item"))
            .await
            .unwrap()
    );
    store
        .set_case_status(case, "closed", &event("set_case_status"))
        .await
        .unwrap();
    let head = store.audit_head().await.unwrap();
    let closed = |r: Result<(), StoreError>, what: &str| match r {
        Err(StoreError::CaseClosed { case_id }) => assert_eq!(case_id, case),
        other => panic!("{what} on a closed folder: {other:?}"),
    };
    closed(
        store
            .add_case_item(case, "network", 2, user, &event("add_case_item"))
            .await
            .map(drop),
        "add_case_item",
    );
    closed(
        store
            .add_case_items(case, "network", &[3, 4], user, &|_| event("add_case_item"))
            .await
            .map(drop),
        "add_case_items",
    );
    closed(
        store
            .remove_case_item(case, "network", 1, &event("remove_case_item"))
            .await
            .map(drop),
        "remove_case_item",
    );
    closed(
        store
            .add_case_note(case, user, "late", &event("add_case_note"))
            .await
            .map(drop),
        "add_case_note",
    );
    closed(
        store
            .set_case_details(case, "X-1", "", &event("set_case_details"))
            .await,
        "set_case_details",
    );
    assert_eq!(
        store.audit_head().await.unwrap(),
        head,
        "no entry for a refused change"
    );
    assert_eq!(store.case_items(case).await.unwrap().len(), 1);
    assert!(store.case_notes(case).await.unwrap().is_empty());
    // A folder that does not exist is not found, not closed.
    assert!(matches!(
        store
            .add_case_note(case + 100, user, "x", &event("add_case_note"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    store
        .set_case_status(case, "open", &event("set_case_status"))
        .await
        .unwrap();
    store
        .add_case_note(case, user, "reopened", &event("add_case_note"))
        .await
        .unwrap();
    assert_eq!(store.case_notes(case).await.unwrap().len(), 1);
}
