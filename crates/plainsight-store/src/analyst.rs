//! Storage for the analyst's workflow beyond single pages: identifier look-up across every kind
//! with paging and the network of each hit, full-text search with filters (place, date, site),
//! the lead queue's total and its reason list, bulk labels and bulk additions to a case folder
//! (each change with its own audit entry, all in one transaction), and ads read by the
//! thousand for a case package.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use plainsight_core::IdentifierKind;
use serde::Serialize;
use sqlx::Row;

use crate::access::{AuditEvent, AuditFor, now_text};
use crate::casework::{LeadFilter, NetworkLabel, to_i64};
use crate::sqlite::{STORED_AD_COLUMNS, stored_ad_from_row};
use crate::{SqliteStore, StoreError, StoredAd};

/// Which ads a search keeps besides its words or identifier.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdFilter {
    /// A place name with its state code ("Raleigh", Some("NC")); a bare state code is
    /// ("", Some("NC")). Matched against the places extracted from the ad.
    pub place: Option<(String, Option<String>)>,
    /// Ads posted on or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Ads posted on or before this time.
    pub until: Option<DateTime<Utc>>,
    /// Ads of this site (as stored, e.g. `example-escorts.com`).
    pub site: Option<String>,
}

/// An identifier to look up. `platforms` empty means any platform (a handle typed as `@name`
/// or `name` is looked up on every service).
#[derive(Debug, Clone, PartialEq)]
pub struct IdentifierQuery {
    /// The kinds to look in (a handle typed without a platform may be a social or a payment
    /// handle).
    pub kinds: Vec<IdentifierKind>,
    pub platforms: Vec<String>,
    /// The stored form: E.164 for phones, lower case for the rest.
    pub value: String,
}

/// One ad a search found, with what it needs to be listed and exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdHit {
    pub ad_key: i64,
    pub site: String,
    pub id: String,
    pub title: Option<String>,
    pub posted_at: Option<String>,
    /// The original URL, as text (never fetched).
    pub url: Option<String>,
    /// The ad's location field as written.
    pub location: Option<String>,
    pub network_id: Option<i64>,
    /// What matched: `kind platform:value` for an identifier, or a snippet of the text with
    /// the matched words between `\u{1}` and `\u{2}`.
    pub matched: String,
}

/// A page of hits and how many there are in all (`None` when counting would cost more than
/// the page: full-text matches are paged by "is there a next page").
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HitPage {
    pub total: Option<u64>,
    pub hits: Vec<AdHit>,
    /// `Some(n)` when a full-text search matched more than `n` ads: the `n` most recently
    /// added were ranked best first, and the older matches follow them newest first.
    pub ranked_among: Option<u64>,
}

/// How many full-text matches are ranked by relevance at most: the most recently added that
/// pass the filter. Ranking every match of a common word ("call", "girl": hundreds of
/// thousands at 1,000,000 ads) cost one to six seconds a page; past this many, older matches
/// follow newest first (`HitPage::ranked_among` says so).
pub const RANKED_MATCHES: u64 = 2_000;

/// Every reason code that some network has, with how many networks have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonCount {
    pub code: String,
    pub networks: u64,
}

/// What an export of networks says about one ad (see `plainsight_network::export`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdExportRow {
    /// The scraper's id, as network records name ads.
    pub id: String,
    pub site: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub posted_at: Option<String>,
    /// The first place extracted from the ad (name, state code), if any.
    pub place: Option<(String, String)>,
    /// The ad's location field as written.
    pub location: Option<String>,
}

/// The analyst-workflow storage every backend provides.
#[async_trait]
pub trait AnalystStore: Send + Sync {
    /// Ads carrying an identifier, oldest first, with the total.
    async fn find_identifier(
        &self,
        query: &IdentifierQuery,
        filter: &AdFilter,
        limit: u64,
        offset: u64,
    ) -> Result<HitPage, StoreError>;
    /// Full-text search (all words, best first) with filters; fetches `limit` hits at
    /// `offset`, no total.
    async fn search_text(
        &self,
        query: &str,
        filter: &AdFilter,
        limit: u64,
        offset: u64,
    ) -> Result<HitPage, StoreError>;
    /// How many networks the lead filter keeps (its offset and limit ignored).
    async fn lead_count(&self, filter: &LeadFilter) -> Result<u64, StoreError>;
    /// The reason codes of the current networks, most common first.
    async fn reason_codes(&self) -> Result<Vec<ReasonCount>, StoreError>;
    /// The contribution of one reason to each of these networks' priority, when they have it.
    async fn reason_contributions(
        &self,
        code: &str,
        network_ids: &[u64],
    ) -> Result<Vec<(u64, f64)>, StoreError>;
    /// Label several networks at once: one new label version per network and one audit entry
    /// per label, all in one transaction (all or none). Unknown networks fail the whole call.
    async fn add_labels(
        &self,
        network_ids: &[i64],
        label: &str,
        note: &str,
        user_id: i64,
        audit: AuditFor<'_, NetworkLabel>,
    ) -> Result<Vec<NetworkLabel>, StoreError>;
    /// Add several items of one kind to a case folder: one audit entry per item added, all in
    /// one transaction. Returns how many were new to the folder; [`StoreError::CaseClosed`]
    /// when the folder is closed (decided in the same transaction).
    async fn add_case_items(
        &self,
        case_id: i64,
        kind: &str,
        items: &[i64],
        user_id: i64,
        audit: AuditFor<'_, i64>,
    ) -> Result<u64, StoreError>;
    /// The export facts of the ads of one network, or of every analysed ad.
    async fn ad_export_rows(&self, network_id: Option<i64>)
    -> Result<Vec<AdExportRow>, StoreError>;
    /// Set a folder's agency case number and assignee, with its audit entry;
    /// [`StoreError::CaseClosed`] when the folder is closed.
    async fn set_case_details(
        &self,
        case_id: i64,
        agency_case_number: &str,
        assignee: &str,
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;
    /// Stored ads by key, in the order given (missing keys are left out).
    async fn ads_by_keys(&self, keys: &[i64]) -> Result<Vec<StoredAd>, StoreError>;
}

/// The SQL condition of an [`AdFilter`] on the ads table aliased `a`, with its binds in order.
fn ad_filter_sql(filter: &AdFilter) -> (String, Vec<Option<String>>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    if let Some((name, admin1)) = &filter.place {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM ad_places p WHERE p.ad_key = a.ad_key \
             AND (? = '' OR p.name = ? COLLATE NOCASE) AND (? IS NULL OR p.admin1 = ? COLLATE NOCASE))",
        );
        binds.push(Some(name.clone()));
        binds.push(Some(name.clone()));
        binds.push(admin1.clone());
        binds.push(admin1.clone());
    }
    if let Some(since) = filter.since {
        sql.push_str(" AND a.posted_at >= ?");
        binds.push(Some(now_text(since)));
    }
    if let Some(until) = filter.until {
        sql.push_str(" AND a.posted_at <= ?");
        binds.push(Some(now_text(until)));
    }
    if let Some(site) = &filter.site {
        sql.push_str(" AND a.site = ?");
        binds.push(Some(site.clone()));
    }
    (sql, binds)
}

fn hit_from_row(r: &sqlx::sqlite::SqliteRow) -> AdHit {
    AdHit {
        ad_key: r.get(0),
        site: r.get(1),
        id: r.get(2),
        title: r.get(3),
        posted_at: r.get(4),
        url: r.get(5),
        location: r.get(6),
        network_id: r.get(7),
        matched: r.get(8),
    }
}

/// The condition on `identifiers i` of an identifier look-up; binds: the kinds, the value, the
/// platforms.
fn identifier_condition(query: &IdentifierQuery) -> String {
    let mut cond = format!(
        "i.kind IN ({}) AND i.value = ?",
        placeholders(query.kinds.len())
    );
    if !query.platforms.is_empty() {
        cond.push_str(&format!(
            " AND i.platform IN ({})",
            placeholders(query.platforms.len())
        ));
    }
    cond
}

/// How many ads carry the identifier. The ads are joined only through the `ads_for_search`
/// index (migration 0011), never their rows, and only when a filter needs them.
pub(crate) fn identifier_count_sql(cond: &str, filter_sql: &str) -> String {
    if filter_sql.is_empty() {
        format!("SELECT count(DISTINCT i.ad_key) FROM identifiers i WHERE {cond}")
    } else {
        format!(
            "SELECT count(DISTINCT i.ad_key) FROM identifiers i \
             JOIN ads a INDEXED BY ads_for_search ON a.ad_key = i.ad_key \
             WHERE {cond}{filter_sql}"
        )
    }
}

/// The keys of a page of ads carrying the identifier, oldest first. A phone shared by thousands
/// of ads read each of their rows to sort them by date; the index holds the date.
pub(crate) fn identifier_page_sql(cond: &str, filter_sql: &str) -> String {
    format!(
        "SELECT i.ad_key FROM identifiers i \
         JOIN ads a INDEXED BY ads_for_search ON a.ad_key = i.ad_key \
         WHERE {cond}{filter_sql} \
         GROUP BY i.ad_key ORDER BY a.posted_at, i.ad_key LIMIT ? OFFSET ?"
    )
}

/// The matches of a full-text query with a filter, as `FROM ... WHERE` (binds: the query, the
/// filter's).
fn text_matches(filter_sql: &str) -> String {
    if filter_sql.is_empty() {
        "FROM ads_fts f WHERE ads_fts MATCH ?".to_string()
    } else {
        format!(
            "FROM ads_fts f JOIN ads a INDEXED BY ads_for_search ON a.ad_key = f.rowid \
             WHERE ads_fts MATCH ?{filter_sql}"
        )
    }
}

/// The key of the `?`-th newest match (0-based), if there are that many.
pub(crate) fn text_cut_sql(filter_sql: &str) -> String {
    format!(
        "SELECT f.rowid {} ORDER BY f.rowid DESC LIMIT 1 OFFSET ?",
        text_matches(filter_sql)
    )
}

/// A page of the ranked matches: those at or after the cut, best first.
pub(crate) fn text_ranked_sql(filter_sql: &str) -> String {
    format!(
        "SELECT f.rowid {} AND f.rowid >= ? ORDER BY f.rank, f.rowid LIMIT ? OFFSET ?",
        text_matches(filter_sql)
    )
}

/// A page of the matches older than the cut, newest first.
pub(crate) fn text_older_sql(filter_sql: &str) -> String {
    format!(
        "SELECT f.rowid {} AND f.rowid < ? ORDER BY f.rowid DESC LIMIT ? OFFSET ?",
        text_matches(filter_sql)
    )
}

/// The hits in the order of `keys` (a page chosen by one query, read by another).
fn in_key_order(keys: &[i64], hits: Vec<AdHit>) -> Vec<AdHit> {
    let mut by_key: std::collections::HashMap<i64, AdHit> =
        hits.into_iter().map(|h| (h.ad_key, h)).collect();
    keys.iter().filter_map(|k| by_key.remove(k)).collect()
}

/// A list of `?` placeholders.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[async_trait]
impl AnalystStore for SqliteStore {
    async fn find_identifier(
        &self,
        query: &IdentifierQuery,
        filter: &AdFilter,
        limit: u64,
        offset: u64,
    ) -> Result<HitPage, StoreError> {
        if query.kinds.is_empty() || query.value.is_empty() {
            return Ok(HitPage::default());
        }
        let cond = identifier_condition(query);
        let (filter_sql, filter_binds) = ad_filter_sql(filter);
        let bind_all = |sql: String| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in &query.kinds {
                q = q.bind(k.as_str());
            }
            q = q.bind(query.value.clone());
            for p in &query.platforms {
                q = q.bind(p.clone());
            }
            for b in &filter_binds {
                q = q.bind(b.clone());
            }
            q
        };
        let total: i64 = bind_all(identifier_count_sql(&cond, &filter_sql))
            .fetch_one(self.pool())
            .await?
            .get(0);
        if limit == 0 || total == 0 {
            return Ok(HitPage {
                total: Some(total as u64),
                ..HitPage::default()
            });
        }
        let keys: Vec<i64> = bind_all(identifier_page_sql(&cond, &filter_sql))
            .bind(to_i64("limit", limit)?)
            .bind(to_i64("offset", offset)?)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        // Only the page's own ads are read in full, with what matched in each.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.ad_key, a.site, a.source_id, a.title, a.posted_at, a.url, a.location, \
                 (SELECT na.network_id FROM network_ads na WHERE na.ad_key = a.ad_key), \
                 (SELECT group_concat(i.kind || ' ' || CASE WHEN i.platform = '' THEN '' \
                     ELSE i.platform || ':' END || i.value, '; ') \
                  FROM identifiers i WHERE i.ad_key = a.ad_key AND {cond}) \
             FROM ads a WHERE a.ad_key IN ({})",
            placeholders(keys.len())
        )));
        for k in &query.kinds {
            q = q.bind(k.as_str());
        }
        q = q.bind(query.value.clone());
        for p in &query.platforms {
            q = q.bind(p.clone());
        }
        for k in &keys {
            q = q.bind(*k);
        }
        let rows = q.fetch_all(self.pool()).await?;
        Ok(HitPage {
            total: Some(total as u64),
            hits: in_key_order(&keys, rows.iter().map(hit_from_row).collect()),
            ranked_among: None,
        })
    }

    async fn search_text(
        &self,
        query: &str,
        filter: &AdFilter,
        limit: u64,
        offset: u64,
    ) -> Result<HitPage, StoreError> {
        let Some(fts) = crate::casework::fts_query(query) else {
            return Ok(HitPage::default());
        };
        let (filter_sql, filter_binds) = ad_filter_sql(filter);
        let bind_all = |sql: String| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fts.clone());
            for b in &filter_binds {
                q = q.bind(b.clone());
            }
            q
        };
        // The oldest of the RANKED_MATCHES newest matching ads, when there are more.
        let cut: Option<i64> = bind_all(text_cut_sql(&filter_sql))
            .bind(to_i64("ranked", RANKED_MATCHES - 1)?)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.get(0));
        let mut keys: Vec<i64> = Vec::new();
        let end = offset.saturating_add(limit);
        let ranked_end = if cut.is_some() {
            RANKED_MATCHES
        } else {
            u64::MAX
        };
        if offset < ranked_end && limit > 0 {
            let take = end.min(ranked_end) - offset;
            let rows = bind_all(text_ranked_sql(&filter_sql))
                .bind(cut.unwrap_or(i64::MIN))
                .bind(to_i64("limit", take)?)
                .bind(to_i64("offset", offset)?)
                .fetch_all(self.pool())
                .await?;
            keys.extend(rows.iter().map(|r| r.get::<i64, _>(0)));
        }
        if let Some(cut) = cut
            && end > RANKED_MATCHES
        {
            // Past the ranked matches, the older ones follow newest first: walking the index
            // in rowid order costs only the rows returned.
            let skip = offset.saturating_sub(RANKED_MATCHES);
            let take = end - RANKED_MATCHES.max(offset);
            let rows = bind_all(text_older_sql(&filter_sql))
                .bind(cut)
                .bind(to_i64("limit", take)?)
                .bind(to_i64("offset", skip)?)
                .fetch_all(self.pool())
                .await?;
            keys.extend(rows.iter().map(|r| r.get::<i64, _>(0)));
        }
        if keys.is_empty() {
            return Ok(HitPage {
                ranked_among: cut.map(|_| RANKED_MATCHES),
                ..HitPage::default()
            });
        }
        // Snippets and ad columns for the page's ads alone: computed in the ranking query,
        // they were made for every match before the sort.
        // The page's keys drive the loop (CROSS JOIN keeps them outside): the full-text table
        // is then entered by rowid and MATCH together, one seek per hit, where `rowid IN (...)`
        // walked every match of a common word and tested each against the list.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH page(k) AS (VALUES {}) \
             SELECT a.ad_key, a.site, a.source_id, a.title, a.posted_at, a.url, a.location, \
                 (SELECT na.network_id FROM network_ads na WHERE na.ad_key = a.ad_key), \
                 snippet(ads_fts, -1, char(1), char(2), '…', 24) \
             FROM page CROSS JOIN ads_fts f ON f.rowid = page.k JOIN ads a ON a.ad_key = f.rowid \
             WHERE ads_fts MATCH ?",
            vec!["(?)"; keys.len()].join(", ")
        )));
        for k in &keys {
            q = q.bind(*k);
        }
        q = q.bind(fts.clone());
        let rows = q.fetch_all(self.pool()).await?;
        Ok(HitPage {
            total: None,
            hits: in_key_order(&keys, rows.iter().map(hit_from_row).collect()),
            ranked_among: cut.map(|_| RANKED_MATCHES),
        })
    }

    async fn lead_count(&self, filter: &LeadFilter) -> Result<u64, StoreError> {
        let (place, admin1) = match &filter.place {
            Some((name, admin1)) => (Some(name.as_str()), admin1.as_deref()),
            None => (None, None),
        };
        let sql = crate::casework::lead_count_sql();
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(place)
            .bind(admin1)
            .bind(filter.since.map(now_text))
            .bind(filter.until.map(now_text))
            .bind(filter.indicator.as_deref())
            .bind(filter.label.as_deref())
            .bind(filter.reviewed.map(i64::from))
            .bind(filter.min_ads as i64)
            .fetch_one(self.pool())
            .await?;
        Ok(n as u64)
    }

    async fn reason_codes(&self) -> Result<Vec<ReasonCount>, StoreError> {
        let rows = sqlx::query(
            // Kept with each analysis run (migration 0010): counting the codes of every network
            // on each view of the lead queue took 2 to 3 s at 1,000,000 ads.
            "SELECT code, networks FROM network_reason_counts WHERE networks > 0 \
             ORDER BY networks DESC, code",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| ReasonCount {
                code: r.get(0),
                networks: r.get::<i64, _>(1) as u64,
            })
            .collect())
    }

    async fn reason_contributions(
        &self,
        code: &str,
        network_ids: &[u64],
    ) -> Result<Vec<(u64, f64)>, StoreError> {
        if network_ids.is_empty() {
            return Ok(Vec::new());
        }
        // The reasons live in the record's JSON; json_each reads one page's networks only.
        let sql = format!(
            "SELECT n.network_id, json_extract(r.value, '$.weight') * json_extract(r.value, '$.value') \
             FROM networks n, json_each(n.record, '$.reasons') r \
             WHERE n.network_id IN ({}) AND json_extract(r.value, '$.code') = ?",
            placeholders(network_ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in network_ids {
            q = q.bind(to_i64("network", *id)?);
        }
        let rows = q.bind(code).fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get::<i64, _>(0) as u64,
                    r.get::<Option<f64>, _>(1).unwrap_or(0.0),
                )
            })
            .collect())
    }

    async fn add_labels(
        &self,
        network_ids: &[i64],
        label: &str,
        note: &str,
        user_id: i64,
        audit: AuditFor<'_, NetworkLabel>,
    ) -> Result<Vec<NetworkLabel>, StoreError> {
        let mut w = self.begin_write().await?;
        let mut stored = Vec::with_capacity(network_ids.len());
        for &id in network_ids {
            let l = crate::casework::insert_label(&mut w.tx, id, label, note, user_id).await?;
            w.audit(&audit(&l)).await?;
            stored.push(l);
        }
        w.commit().await?;
        Ok(stored)
    }

    async fn add_case_items(
        &self,
        case_id: i64,
        kind: &str,
        items: &[i64],
        user_id: i64,
        audit: AuditFor<'_, i64>,
    ) -> Result<u64, StoreError> {
        let mut w = self.begin_write().await?;
        crate::casework::require_open_case(&mut w.tx, case_id).await?;
        let now = now_text(Utc::now());
        let mut added = 0;
        for &item in items {
            let done = sqlx::query(
                "INSERT OR IGNORE INTO case_items (case_id, kind, item, added_by, added_at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(case_id)
            .bind(kind)
            .bind(item)
            .bind(user_id)
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
            if done.rows_affected() == 1 {
                added += 1;
                w.audit(&audit(&item)).await?;
            }
        }
        w.commit().await?;
        Ok(added)
    }

    async fn ad_export_rows(
        &self,
        network_id: Option<i64>,
    ) -> Result<Vec<AdExportRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.source_id, a.site, a.url, a.title, a.posted_at, p.name, p.admin1, a.location \
             FROM network_ads na JOIN ads a ON a.ad_key = na.ad_key \
             LEFT JOIN ad_places p ON p.ad_key = a.ad_key AND p.geonameid = \
                 (SELECT min(q.geonameid) FROM ad_places q WHERE q.ad_key = a.ad_key) \
             WHERE ?1 IS NULL OR na.network_id = ?1 ORDER BY a.ad_key",
        )
        .bind(network_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| AdExportRow {
                id: r.get(0),
                site: r.get(1),
                url: r.get(2),
                title: r.get(3),
                posted_at: r.get(4),
                place: match (r.get::<Option<String>, _>(5), r.get::<Option<String>, _>(6)) {
                    (Some(name), Some(admin1)) => Some((name, admin1)),
                    _ => None,
                },
                location: r.get(7),
            })
            .collect())
    }

    async fn set_case_details(
        &self,
        case_id: i64,
        agency_case_number: &str,
        assignee: &str,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        crate::casework::require_open_case(&mut w.tx, case_id).await?;
        sqlx::query("UPDATE cases SET agency_case_number = ?, assignee = ? WHERE case_id = ?")
            .bind(agency_case_number)
            .bind(assignee)
            .bind(case_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(audit).await?;
        w.commit().await
    }

    async fn ads_by_keys(&self, keys: &[i64]) -> Result<Vec<StoredAd>, StoreError> {
        let mut by_key = std::collections::HashMap::with_capacity(keys.len());
        // SQLite allows 32,766 variables; 500 per statement keeps each one small.
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT {STORED_AD_COLUMNS} FROM ads WHERE ad_key IN ({})",
                placeholders(chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(*k);
            }
            for row in q.fetch_all(self.pool()).await? {
                let ad = stored_ad_from_row(&row)?;
                by_key.insert(ad.ad_key, ad);
            }
        }
        Ok(keys.iter().filter_map(|k| by_key.remove(k)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_adds_its_condition_and_binds() {
        let (sql, binds) = ad_filter_sql(&AdFilter::default());
        assert!(sql.is_empty() && binds.is_empty());
        let (sql, binds) = ad_filter_sql(&AdFilter {
            place: Some(("Raleigh".into(), Some("NC".into()))),
            since: Some(
                DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                    .unwrap()
                    .into(),
            ),
            until: None,
            site: Some("s".into()),
        });
        assert_eq!(sql.matches('?').count(), binds.len());
        assert!(sql.contains("ad_places") && sql.contains("posted_at >=") && sql.contains("site"));
    }

    /// Every search statement, without and with each filter, reads ads only through the
    /// `ads_for_search` index: a step that looks an ad's row up (or scans the table) would read
    /// one page per matching ad, seconds for a common word or a shared phone at 1,000,000 ads.
    #[tokio::test]
    async fn searches_never_read_ad_rows_to_choose_a_page() {
        let store = crate::SqliteStore::open("sqlite::memory:").await.unwrap();
        let query = IdentifierQuery {
            kinds: vec![IdentifierKind::Phone, IdentifierKind::Handle],
            platforms: vec!["instagram".into()],
            value: "x".into(),
        };
        let cond = identifier_condition(&query);
        let filters = [
            AdFilter::default(),
            AdFilter {
                place: Some(("Raleigh".into(), Some("NC".into()))),
                since: Some(Utc::now()),
                until: Some(Utc::now()),
                site: Some("s".into()),
            },
        ];
        for filter in &filters {
            let (f, _) = ad_filter_sql(filter);
            for sql in [
                identifier_count_sql(&cond, &f),
                identifier_page_sql(&cond, &f),
                text_cut_sql(&f),
                text_ranked_sql(&f),
                text_older_sql(&f),
            ] {
                // EXPLAIN QUERY PLAN needs no values bound: unbound parameters are NULL.
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .fetch_all(store.pool())
                    .await
                    .unwrap();
                let steps: Vec<String> = rows.iter().map(|r| r.get::<String, _>(3)).collect();
                let on_rows: Vec<&String> = steps
                    .iter()
                    .filter(|s| {
                        (s.starts_with("SCAN a") || s.starts_with("SEARCH a "))
                            && !s.contains("COVERING INDEX ads_for_search")
                    })
                    .collect();
                assert!(on_rows.is_empty(), "{sql}\n{steps:#?}");
                assert!(
                    !steps.iter().any(|s| s.starts_with("SCAN i")),
                    "identifiers scanned: {sql}\n{steps:#?}"
                );
            }
        }
    }
}
