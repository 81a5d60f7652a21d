//! The dashboard's figures kept up to date where the data changes, so a view reads a few
//! summary rows instead of counting over every ad and place (which took 2.3 s at 1,000,000
//! ads). Ingest adds each batch's tally in the batch's own transaction, an analysis run
//! recounts the network figures in the run's transaction, and retention recounts the ad
//! figures in its transaction; the tables are in migration `0008_dashboard_figures.sql`.
//!
//! The area `""` is everywhere. A place whose `admin1` is empty counts everywhere only,
//! because the dashboard reads an empty area as "every area".

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use crate::StoreError;
use crate::casework::DashboardFigures;

/// Rows per multi-row upsert (three binds each at most four: well under SQLite's limit).
const ROWS_PER_STATEMENT: usize = 500;

/// The area code that stands for every area.
const EVERYWHERE: &str = "";

/// What a batch of newly stored ads adds to the dashboard's ad figures.
#[derive(Debug, Default)]
pub(crate) struct AdTally {
    areas: BTreeMap<String, i64>,
    days: BTreeMap<(String, String), i64>,
    /// geonameid → (name, admin1, ads).
    places: BTreeMap<i64, (String, String, i64)>,
}

impl AdTally {
    /// Count one stored ad: its posting day as stored (`YYYY-MM-DD`, the first ten characters
    /// of the stored time) and its places, each (geonameid, name, admin1) once.
    pub(crate) fn add_ad<'p>(
        &mut self,
        day: Option<&str>,
        places: impl IntoIterator<Item = (i64, &'p str, &'p str)>,
    ) {
        let mut areas = BTreeSet::from([EVERYWHERE]);
        for (geonameid, name, admin1) in places {
            let entry = self
                .places
                .entry(geonameid)
                .or_insert_with(|| (name.to_string(), admin1.to_string(), 0));
            entry.2 += 1;
            if !admin1.is_empty() {
                areas.insert(admin1);
            }
        }
        for area in areas {
            *self.areas.entry(area.to_string()).or_default() += 1;
            if let Some(day) = day {
                *self
                    .days
                    .entry((area.to_string(), day.to_string()))
                    .or_default() += 1;
            }
        }
    }
}

/// Add a batch's tally to the ad figures, inside the batch's transaction.
pub(crate) async fn add_ads_in(
    conn: &mut SqliteConnection,
    tally: &AdTally,
) -> Result<(), StoreError> {
    let areas: Vec<_> = tally.areas.iter().collect();
    for chunk in areas.chunks(ROWS_PER_STATEMENT) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO dashboard_ad_areas (area, ads) ");
        qb.push_values(chunk, |mut b, (area, ads)| {
            b.push_bind(area.as_str()).push_bind(**ads);
        });
        qb.push(" ON CONFLICT (area) DO UPDATE SET ads = ads + excluded.ads");
        qb.build().execute(&mut *conn).await?;
    }
    let days: Vec<_> = tally.days.iter().collect();
    for chunk in days.chunks(ROWS_PER_STATEMENT) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO dashboard_ad_days (area, day, ads) ");
        qb.push_values(chunk, |mut b, ((area, day), ads)| {
            b.push_bind(area.as_str())
                .push_bind(day.as_str())
                .push_bind(**ads);
        });
        qb.push(" ON CONFLICT (area, day) DO UPDATE SET ads = ads + excluded.ads");
        qb.build().execute(&mut *conn).await?;
    }
    let places: Vec<_> = tally.places.iter().collect();
    for chunk in places.chunks(ROWS_PER_STATEMENT) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO dashboard_places (geonameid, name, admin1, ads) ");
        qb.push_values(chunk, |mut b, (geonameid, (name, admin1, ads))| {
            b.push_bind(**geonameid)
                .push_bind(name.as_str())
                .push_bind(admin1.as_str())
                .push_bind(*ads);
        });
        qb.push(" ON CONFLICT (geonameid) DO UPDATE SET ads = ads + excluded.ads");
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Recount the ad figures from the stored ads (first fill, and after retention removed ads).
pub(crate) async fn recount_ads_in(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    for statement in [
        "DELETE FROM dashboard_ad_areas",
        "DELETE FROM dashboard_ad_days",
        "DELETE FROM dashboard_places",
        "INSERT INTO dashboard_ad_areas (area, ads) SELECT '', count(*) FROM ads",
        "INSERT INTO dashboard_ad_areas (area, ads) \
         SELECT admin1, count(DISTINCT ad_key) FROM ad_places WHERE admin1 <> '' GROUP BY admin1",
        "INSERT INTO dashboard_ad_days (area, day, ads) \
         SELECT '', substr(posted_at, 1, 10), count(*) FROM ads \
         WHERE posted_at IS NOT NULL GROUP BY 2",
        "INSERT INTO dashboard_ad_days (area, day, ads) \
         SELECT p.admin1, substr(a.posted_at, 1, 10), count(*) \
         FROM (SELECT DISTINCT ad_key, admin1 FROM ad_places WHERE admin1 <> '') p \
         JOIN ads a ON a.ad_key = p.ad_key WHERE a.posted_at IS NOT NULL GROUP BY 1, 2",
        "INSERT INTO dashboard_places (geonameid, name, admin1, ads) \
         SELECT geonameid, min(name), min(admin1), count(*) FROM ad_places GROUP BY geonameid",
    ] {
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Recount the network figures from the current networks, inside the analysis run's
/// transaction (the run replaces every network, so a recount is what it costs anyway).
pub(crate) async fn recount_networks_in(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    for statement in [
        "DELETE FROM dashboard_network_areas",
        "DELETE FROM dashboard_network_spans",
        // The lead queue's reason filter (migration 0010); reason codes are rewritten with
        // their networks in each run, so every row counts a current network.
        "DELETE FROM network_reason_counts",
        "INSERT INTO network_reason_counts (code, networks) \
         SELECT code, count(*) FROM network_reason_codes GROUP BY code",
        "INSERT INTO dashboard_network_areas (area, networks) SELECT '', count(*) FROM networks",
        "INSERT INTO dashboard_network_areas (area, networks) \
         SELECT admin1, count(DISTINCT network_id) FROM network_places WHERE admin1 <> '' \
         GROUP BY admin1",
        "INSERT INTO dashboard_network_spans (area, first_day, last_day, networks) \
         SELECT '', coalesce(substr(first_seen, 1, 10), ''), coalesce(substr(last_seen, 1, 10), ''), \
                count(*) \
         FROM networks GROUP BY 2, 3",
        "INSERT INTO dashboard_network_spans (area, first_day, last_day, networks) \
         SELECT p.admin1, coalesce(substr(n.first_seen, 1, 10), ''), \
                coalesce(substr(n.last_seen, 1, 10), ''), count(*) \
         FROM (SELECT DISTINCT network_id, admin1 FROM network_places WHERE admin1 <> '') p \
         JOIN networks n ON n.network_id = p.network_id GROUP BY 1, 2, 3",
    ] {
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Fill the figures from the data already stored, once, for a workspace made before they were
/// kept (migration 0008 leaves the `dashboard_filled` counter at 0).
pub(crate) async fn fill_if_new(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let filled: i64 =
        sqlx::query_scalar("SELECT value FROM counters WHERE name = 'dashboard_filled'")
            .fetch_one(&mut *tx)
            .await?;
    if filled == 0 {
        recount_ads_in(&mut tx).await?;
        recount_networks_in(&mut tx).await?;
        sqlx::query("UPDATE counters SET value = 1 WHERE name = 'dashboard_filled'")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Places the dashboard lists.
const TOP_PLACES: i64 = 12;

/// Read the figures of one area from the summary tables: each a primary-key or index look-up,
/// whatever the number of ads. The lead list and review figures are left empty for the caller.
pub(crate) async fn figures(
    pool: &SqlitePool,
    area: Option<&str>,
) -> Result<DashboardFigures, StoreError> {
    let area = area.filter(|a| !a.is_empty()).unwrap_or(EVERYWHERE);
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let ads: Option<i64> = sqlx::query_scalar("SELECT ads FROM dashboard_ad_areas WHERE area = ?")
        .bind(area)
        .fetch_optional(pool)
        .await?;
    let volume: Vec<(String, u64)> =
        sqlx::query("SELECT day, ads FROM dashboard_ad_days WHERE area = ? ORDER BY day")
            .bind(area)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| (r.get::<String, _>(0), count(r.get::<i64, _>(1))))
            .collect();
    let places = if area == EVERYWHERE {
        sqlx::query(
            "SELECT name, admin1, ads FROM dashboard_places \
             ORDER BY ads DESC, name, geonameid LIMIT ?",
        )
        .bind(TOP_PLACES)
        .fetch_all(pool)
        .await?
    } else {
        sqlx::query(
            "SELECT name, admin1, ads FROM dashboard_places WHERE admin1 = ? \
             ORDER BY ads DESC, name, geonameid LIMIT ?",
        )
        .bind(area)
        .bind(TOP_PLACES)
        .fetch_all(pool)
        .await?
    };
    let by_place = places
        .iter()
        .map(|r| (r.get(0), r.get(1), count(r.get::<i64, _>(2))))
        .collect();
    let networks: Option<i64> =
        sqlx::query_scalar("SELECT networks FROM dashboard_network_areas WHERE area = ?")
            .bind(area)
            .fetch_optional(pool)
            .await?;
    let reference_date = volume.last().map(|(d, _)| d.clone());
    let (mut active, mut new) = (0, 0);
    if let Some(day) = &reference_date {
        let day0 = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|e| {
            StoreError::Corrupt {
                what: "posted_at",
                detail: e.to_string(),
            }
        })?;
        let since30 = (day0 - chrono::Days::new(29)).to_string();
        let since7 = (day0 - chrono::Days::new(6)).to_string();
        // Seen in the 30 days up to the reference day (and first seen by it); first seen in
        // the 7 days up to it. '' (unknown) sorts before every day, so it never counts.
        // (Two statements, so each reads a range of one index: by last day, by first day.)
        let active_sum: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(networks), 0) FROM dashboard_network_spans \
             WHERE area = ?1 AND last_day >= ?2 AND first_day <> '' AND first_day <= ?3",
        )
        .bind(area)
        .bind(&since30)
        .bind(day)
        .fetch_one(pool)
        .await?;
        let new_sum: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(networks), 0) FROM dashboard_network_spans \
             WHERE area = ?1 AND first_day >= ?2 AND first_day <= ?3",
        )
        .bind(area)
        .bind(&since7)
        .bind(day)
        .fetch_one(pool)
        .await?;
        active = count(active_sum);
        new = count(new_sum);
    }
    Ok(DashboardFigures {
        ads: count(ads.unwrap_or(0)),
        volume,
        by_place,
        networks: count(networks.unwrap_or(0)),
        reference_date,
        active_networks: active,
        new_networks: new,
        ..DashboardFigures::default()
    })
}
