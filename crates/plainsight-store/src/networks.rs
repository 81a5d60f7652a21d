//! Storage of network analysis: ads read in pages for analysis, the networks and ad membership
//! an analysis run writes (replacing the previous run's in one transaction), id events, and
//! calibrated weight sets with their provenance.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use plainsight_core::{
    AnalysisAd, Field, Identifier, IdentifierKind, IndicatorHit, NetworkEvent, NetworkId,
    NetworkRecord, Span,
};
use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::{SqliteStore, StoreError};

/// Rows per multi-row insert (at most 7 values each, well under SQLite's bound-value limit).
const ROWS_PER_STATEMENT: usize = 4_000;

/// A network ready to be stored: its record already serialised, with the few fields the
/// tables index. Built on the analysis threads as each record is made
/// (`plainsight_network::analyze_with`), so a run never holds every record as Rust values:
/// at a million ads those took about 1.5 GB against 400 MB of JSON.
#[derive(Debug, Clone)]
pub struct PreparedNetwork {
    pub network_id: NetworkId,
    /// Number of ads.
    pub ads: usize,
    pub priority: f64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Reason codes in the record's order (largest contribution first).
    pub reason_codes: Vec<String>,
    /// (name, admin1) of each place in the movement timeline.
    pub places: Vec<(String, String)>,
    record: String,
    summary: String,
}

impl PreparedNetwork {
    pub fn of(n: &NetworkRecord) -> Result<PreparedNetwork, StoreError> {
        Ok(PreparedNetwork {
            network_id: n.network_id,
            ads: n.ads.len(),
            priority: n.priority,
            first_seen: n.first_seen,
            last_seen: n.last_seen,
            reason_codes: n.reasons.iter().map(|r| r.code.clone()).collect(),
            places: n
                .locations
                .iter()
                .map(|l| (l.name.clone(), l.admin1.clone()))
                .collect(),
            record: serde_json::to_string(n).map_err(|e| corrupt("network record", e))?,
            summary: serde_json::to_string(&crate::casework::NetworkSummary::of(n))
                .map_err(|e| corrupt("network summary", e))?,
        })
    }
}

/// What one analysis run writes.
#[derive(Debug, Clone)]
pub struct AnalysisRun<'a> {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub networks: &'a [PreparedNetwork],
    pub membership: &'a [(i64, NetworkId)],
    pub events: &'a [NetworkEvent],
    pub next_id: NetworkId,
    /// Which weights were used (`defaults` or a calibration's provenance).
    pub weights: String,
    pub report: serde_json::Value,
}

/// Which networks to list.
#[derive(Debug, Clone, Default)]
pub struct NetworkFilter {
    /// A place as `name` or `name, admin1` (case-insensitive).
    pub location: Option<(String, Option<String>)>,
    /// Networks seen on or after this time.
    pub since: Option<DateTime<Utc>>,
    pub min_ads: Option<u64>,
    /// At most this many, highest priority first.
    pub top: Option<u64>,
}

/// A stored event with its run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    pub run_id: i64,
    pub at: String,
    pub event: NetworkEvent,
}

/// A saved set of fitted weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightSet {
    pub version: i64,
    pub created_at: String,
    pub active: bool,
    pub source: String,
    pub weights: std::collections::BTreeMap<String, f64>,
    pub report: serde_json::Value,
}

/// A summary of the latest analysis run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub run_id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub ads: u64,
    pub networks: u64,
    pub weights: String,
    pub report: serde_json::Value,
}

/// Network storage every backend provides.
#[async_trait]
pub trait NetworkStore: Send + Sync {
    /// Up to `limit` ads with keys above `after_key`, in key order, with their identifiers,
    /// indicator hits and places.
    async fn analysis_ads(&self, after_key: i64, limit: u32)
    -> Result<Vec<AnalysisAd>, StoreError>;
    /// The previous run's network of every ad.
    async fn network_membership(&self) -> Result<HashMap<i64, NetworkId>, StoreError>;
    /// The first network id never used.
    async fn next_network_id(&self) -> Result<NetworkId, StoreError>;
    /// Replace the networks with a run's, atomically; returns the run id.
    async fn save_analysis(&self, run: &AnalysisRun<'_>) -> Result<i64, StoreError>;
    async fn latest_run(&self) -> Result<Option<RunSummary>, StoreError>;
    async fn networks(&self, filter: &NetworkFilter) -> Result<Vec<NetworkRecord>, StoreError>;
    async fn network(&self, id: NetworkId) -> Result<Option<NetworkRecord>, StoreError>;
    /// (ad id, title, body) of a network's ads, oldest first.
    async fn network_texts(
        &self,
        id: NetworkId,
    ) -> Result<Vec<(String, String, String)>, StoreError>;
    async fn network_events(&self, id: NetworkId) -> Result<Vec<StoredEvent>, StoreError>;
    /// Save fitted weights and make them the active set; returns the version.
    async fn save_weight_set(
        &self,
        source: &str,
        weights: &std::collections::BTreeMap<String, f64>,
        report: &serde_json::Value,
    ) -> Result<i64, StoreError>;
    async fn weight_sets(&self) -> Result<Vec<WeightSet>, StoreError>;
    /// Make `version` the active set, or none (`None`: the bundled defaults).
    async fn activate_weight_set(&self, version: Option<i64>) -> Result<(), StoreError>;
}

fn corrupt(what: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: e.to_string(),
    }
}

fn parse_time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn field_of(s: &str) -> Field {
    match s {
        "title" => Field::Title,
        "url" => Field::Url,
        "location" => Field::Location,
        "phones" => Field::Phones,
        _ => Field::Body,
    }
}

#[async_trait]
impl NetworkStore for SqliteStore {
    async fn analysis_ads(
        &self,
        after_key: i64,
        limit: u32,
    ) -> Result<Vec<AnalysisAd>, StoreError> {
        // One row per ad, its identifiers, hits and places gathered as JSON arrays by SQLite:
        // a page of ads costs one query and one row each, not one row per fact.
        let rows = sqlx::query(
            "SELECT a.ad_key, a.source_id, a.posted_at, coalesce(a.title, ''), coalesce(a.body, ''), \
             (SELECT json_group_array(json_array(kind, platform, value, obscured)) \
                FROM identifiers i WHERE i.ad_key = a.ad_key), \
             (SELECT json_group_array(json_array(code, field, span_start, span_end, evidence)) \
                FROM (SELECT * FROM indicator_hits h WHERE h.ad_key = a.ad_key ORDER BY h.rowid)), \
             (SELECT json_group_array(json_array(geonameid, name, admin1)) \
                FROM ad_places p WHERE p.ad_key = a.ad_key) \
             FROM ads a WHERE a.ad_key > ? ORDER BY a.ad_key LIMIT ?",
        )
        .bind(after_key)
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await?;
        type IdRow = (String, String, String, i64);
        type HitRow = (String, String, i64, i64, String);
        type PlaceRow = (i64, String, String);
        let mut ads = Vec::with_capacity(rows.len());
        for r in rows {
            let ids: Vec<IdRow> =
                serde_json::from_str(r.get::<&str, _>(5)).map_err(|e| corrupt("identifiers", e))?;
            let hits: Vec<HitRow> = serde_json::from_str(r.get::<&str, _>(6))
                .map_err(|e| corrupt("indicator hits", e))?;
            let places: Vec<PlaceRow> =
                serde_json::from_str(r.get::<&str, _>(7)).map_err(|e| corrupt("places", e))?;
            let mut identifiers = Vec::with_capacity(ids.len());
            for (kind, platform, value, obscured) in ids {
                let Some(kind) = IdentifierKind::parse(&kind) else {
                    return Err(corrupt("identifier kind", kind));
                };
                identifiers.push(Identifier {
                    kind,
                    platform,
                    value,
                    obscured: obscured != 0,
                });
            }
            ads.push(AnalysisAd {
                key: r.get(0),
                id: r.get(1),
                posted_at: parse_time(r.get(2)),
                title: r.get(3),
                body: r.get(4),
                identifiers,
                indicators: hits
                    .into_iter()
                    .map(|(code, field, start, end, evidence)| IndicatorHit {
                        code,
                        field: field_of(&field),
                        span: Span::new(start as usize, end as usize),
                        evidence,
                    })
                    .collect(),
                places: places
                    .into_iter()
                    .map(|(id, name, admin1)| (id as u64, name, admin1))
                    .collect(),
            });
        }
        Ok(ads)
    }

    async fn network_membership(&self) -> Result<HashMap<i64, NetworkId>, StoreError> {
        let rows = sqlx::query("SELECT ad_key, network_id FROM network_ads")
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1) as NetworkId))
            .collect())
    }

    async fn next_network_id(&self) -> Result<NetworkId, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'next_network_id'")
                .fetch_one(self.pool())
                .await?;
        Ok(n as NetworkId)
    }

    async fn save_analysis(&self, run: &AnalysisRun<'_>) -> Result<i64, StoreError> {
        let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut tx = self.pool().begin().await?;
        let run_id: i64 = sqlx::query_scalar(
            "INSERT INTO analysis_runs (started_at, finished_at, ads, networks, weights, report) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING run_id",
        )
        .bind(fmt(run.started_at))
        .bind(fmt(run.finished_at))
        .bind(run.membership.len() as i64)
        .bind(run.networks.len() as i64)
        .bind(&run.weights)
        .bind(run.report.to_string())
        .fetch_one(&mut *tx)
        .await?;
        for statement in [
            "DELETE FROM network_places",
            "DELETE FROM network_ads",
            "DELETE FROM network_page_cache",
            "DELETE FROM network_summaries",
            "DELETE FROM network_reason_codes",
            "DELETE FROM networks",
        ] {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        for chunk in run.networks.chunks(ROWS_PER_STATEMENT) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO networks (network_id, ads, priority, first_seen, last_seen, record, run_id) ",
            );
            qb.push_values(chunk, |mut b, n| {
                b.push_bind(n.network_id as i64)
                    .push_bind(n.ads as i64)
                    .push_bind(n.priority)
                    .push_bind(n.first_seen.map(fmt))
                    .push_bind(n.last_seen.map(fmt))
                    .push_bind(n.record.as_str())
                    .push_bind(run_id);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in run.networks.chunks(ROWS_PER_STATEMENT) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO network_summaries (network_id, summary) ");
            qb.push_values(chunk, |mut b, n| {
                b.push_bind(n.network_id as i64)
                    .push_bind(n.summary.as_str());
            });
            qb.build().execute(&mut *tx).await?;
        }
        let codes: Vec<(&str, i64)> = run
            .networks
            .iter()
            .flat_map(|n| {
                let mut codes: Vec<&str> = n.reason_codes.iter().map(String::as_str).collect();
                codes.sort_unstable();
                codes.dedup();
                codes.into_iter().map(move |c| (c, n.network_id as i64))
            })
            .collect();
        for chunk in codes.chunks(ROWS_PER_STATEMENT) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO network_reason_codes (code, network_id) ");
            qb.push_values(chunk, |mut b, &(code, id)| {
                b.push_bind(code).push_bind(id);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in run.membership.chunks(ROWS_PER_STATEMENT) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO network_ads (ad_key, network_id) ");
            qb.push_values(chunk, |mut b, &(key, id)| {
                b.push_bind(key).push_bind(id as i64);
            });
            qb.build().execute(&mut *tx).await?;
        }
        let places: Vec<(i64, &str, &str)> = run
            .networks
            .iter()
            .flat_map(|n| {
                n.places.iter().map(move |(name, admin1)| {
                    (n.network_id as i64, name.as_str(), admin1.as_str())
                })
            })
            .collect();
        for chunk in places.chunks(ROWS_PER_STATEMENT) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO network_places (network_id, name, admin1) ");
            qb.push_values(chunk, |mut b, &(id, name, admin1)| {
                b.push_bind(id).push_bind(name).push_bind(admin1);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut *tx).await?;
        }
        for event in run.events {
            let json = serde_json::to_string(event).map_err(|e| corrupt("network event", e))?;
            let kind = match event {
                NetworkEvent::Merged { .. } => "merged",
                NetworkEvent::Split { .. } => "split",
                NetworkEvent::Retired { .. } => "retired",
            };
            let event_id: i64 = sqlx::query_scalar(
                "INSERT INTO network_events (run_id, kind, event) VALUES (?, ?, ?) RETURNING event_id",
            )
            .bind(run_id)
            .bind(kind)
            .bind(json)
            .fetch_one(&mut *tx)
            .await?;
            for id in event.networks() {
                sqlx::query(
                    "INSERT INTO network_event_ids (event_id, network_id) VALUES (?, ?) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(event_id)
                .bind(id as i64)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query("UPDATE counters SET value = max(value, ?) WHERE name = 'next_network_id'")
            .bind(run.next_id as i64)
            .execute(&mut *tx)
            .await?;
        // The dashboard's network figures, recounted with the networks they count.
        crate::dashboard::recount_networks_in(&mut tx).await?;
        tx.commit().await?;
        Ok(run_id)
    }

    async fn latest_run(&self) -> Result<Option<RunSummary>, StoreError> {
        let row = sqlx::query(
            "SELECT run_id, started_at, finished_at, ads, networks, weights, report \
             FROM analysis_runs ORDER BY run_id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(RunSummary {
            run_id: r.get(0),
            started_at: r.get(1),
            finished_at: r.get(2),
            ads: r.get::<i64, _>(3) as u64,
            networks: r.get::<i64, _>(4) as u64,
            weights: r.get(5),
            report: serde_json::from_str(r.get::<&str, _>(6))
                .map_err(|e| corrupt("analysis report", e))?,
        }))
    }

    async fn networks(&self, filter: &NetworkFilter) -> Result<Vec<NetworkRecord>, StoreError> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT n.record FROM networks n");
        qb.push(" WHERE 1 = 1");
        if let Some((name, admin1)) = &filter.location {
            qb.push(" AND n.network_id IN (SELECT network_id FROM network_places WHERE name = ");
            qb.push_bind(name.clone());
            if let Some(admin1) = admin1 {
                qb.push(" AND admin1 = ");
                qb.push_bind(admin1.clone());
            }
            qb.push(")");
        }
        if let Some(since) = filter.since {
            qb.push(" AND n.last_seen >= ");
            qb.push_bind(since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        }
        if let Some(min) = filter.min_ads {
            qb.push(" AND n.ads >= ");
            qb.push_bind(min as i64);
        }
        qb.push(" ORDER BY n.priority DESC, n.network_id");
        if let Some(top) = filter.top {
            qb.push(" LIMIT ");
            qb.push_bind(top as i64);
        }
        let rows = qb.build().fetch_all(self.pool()).await?;
        rows.into_iter()
            .map(|r| {
                serde_json::from_str(r.get::<&str, _>(0)).map_err(|e| corrupt("network record", e))
            })
            .collect()
    }

    async fn network(&self, id: NetworkId) -> Result<Option<NetworkRecord>, StoreError> {
        let row = sqlx::query("SELECT record FROM networks WHERE network_id = ?")
            .bind(id as i64)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            serde_json::from_str(r.get::<&str, _>(0)).map_err(|e| corrupt("network record", e))
        })
        .transpose()
    }

    async fn network_texts(
        &self,
        id: NetworkId,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.source_id, coalesce(a.title, ''), coalesce(a.body, '') \
             FROM network_ads m JOIN ads a ON a.ad_key = m.ad_key \
             WHERE m.network_id = ? ORDER BY a.posted_at, a.source_id",
        )
        .bind(id as i64)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    async fn network_events(&self, id: NetworkId) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.run_id, r.finished_at, e.event FROM network_event_ids x \
             JOIN network_events e ON e.event_id = x.event_id \
             JOIN analysis_runs r ON r.run_id = e.run_id \
             WHERE x.network_id = ? ORDER BY e.event_id",
        )
        .bind(id as i64)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredEvent {
                    run_id: r.get(0),
                    at: r.get(1),
                    event: serde_json::from_str(r.get::<&str, _>(2))
                        .map_err(|e| corrupt("network event", e))?,
                })
            })
            .collect()
    }

    async fn save_weight_set(
        &self,
        source: &str,
        weights: &std::collections::BTreeMap<String, f64>,
        report: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let weights = serde_json::to_string(weights).map_err(|e| corrupt("weights", e))?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE weight_sets SET active = 0")
            .execute(&mut *tx)
            .await?;
        let version: i64 = sqlx::query_scalar(
            "INSERT INTO weight_sets (created_at, active, source, weights, report) \
             VALUES (?, 1, ?, ?, ?) RETURNING version",
        )
        .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .bind(source)
        .bind(weights)
        .bind(report.to_string())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn weight_sets(&self) -> Result<Vec<WeightSet>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, created_at, active, source, weights, report FROM weight_sets \
             ORDER BY version",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(WeightSet {
                    version: r.get(0),
                    created_at: r.get(1),
                    active: r.get::<i64, _>(2) != 0,
                    source: r.get(3),
                    weights: serde_json::from_str(r.get::<&str, _>(4))
                        .map_err(|e| corrupt("weights", e))?,
                    report: serde_json::from_str(r.get::<&str, _>(5))
                        .map_err(|e| corrupt("calibration report", e))?,
                })
            })
            .collect()
    }

    async fn activate_weight_set(&self, version: Option<i64>) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        if let Some(v) = version {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT version FROM weight_sets WHERE version = ?")
                    .bind(v)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound {
                    what: "weight set",
                    id: v.to_string(),
                });
            }
        }
        sqlx::query("UPDATE weight_sets SET active = (version = ?)")
            .bind(version.unwrap_or(-1))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
