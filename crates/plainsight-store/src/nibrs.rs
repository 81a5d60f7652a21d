//! NIBRS enforcement data storage: the [`NibrsStore`] trait and its SQLite implementation
//! (tables in `migrations/sqlite/0002_nibrs.sql`).
//!
//! Rows are plain values (codes as text), so this crate does not depend on the NIBRS crate;
//! the CLI maps between the two. Imports are idempotent: snapshot sources replace their
//! `scope` (e.g. `cde:LA:2014`), flat files replace the incidents they touch, and every table
//! is keyed by a natural key, so importing the same input twice never doubles anything.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

use crate::{SqliteStore, StoreError};

/// One arrest for 40A, 40B, 40C, 64A or 64B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NibrsArrestRow {
    pub source: String,
    pub arrest_key: String,
    pub incident_key: String,
    pub scope: Option<String>,
    pub state: String,
    /// Empty when the agency is unknown.
    pub ori: String,
    pub year: i32,
    pub arrest_date: Option<String>,
    pub offense: String,
    pub sex: String,
    pub age_low: Option<i64>,
    pub age_high: Option<i64>,
    pub arrest_type: String,
    pub multiple: String,
}

/// One agency-month of reporting status (`I`, `Z`, `U`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NibrsMonthRow {
    pub source: String,
    pub ori: String,
    pub year: i32,
    pub month: i64,
    pub scope: Option<String>,
    pub state: String,
    pub status: String,
}

/// One agency in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NibrsAgencyRow {
    pub source: String,
    pub ori: String,
    pub year: i32,
    pub scope: Option<String>,
    pub state: String,
    pub name: Option<String>,
    pub county: Option<String>,
    pub agency_type: Option<String>,
    pub population: Option<i64>,
}

/// One incident with a human-trafficking offence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NibrsTraffickingRow {
    pub source: String,
    pub incident_key: String,
    pub scope: Option<String>,
    pub state: String,
    pub ori: String,
    pub year: i32,
    pub commercial_sex: bool,
    pub involuntary_servitude: bool,
    pub victims: i64,
    pub juvenile_victims: i64,
}

/// What an import replaces before writing its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NibrsReplace {
    /// Delete every row of these scopes (of the import's source) first.
    Scopes(Vec<String>),
    /// Delete rows of these incidents, and these single arrests, first (flat files).
    Incidents {
        incident_keys: Vec<String>,
        arrest_keys: Vec<String>,
    },
}

/// One input to import, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NibrsImport {
    pub source: String,
    /// File or folder name; re-importing the same label updates its log row.
    pub label: String,
    pub replace: NibrsReplace,
    pub agencies: Vec<NibrsAgencyRow>,
    pub months: Vec<NibrsMonthRow>,
    pub arrests: Vec<NibrsArrestRow>,
    pub trafficking: Vec<NibrsTraffickingRow>,
    pub states: Vec<String>,
    /// JSON counters, stored as given.
    pub stats_json: String,
    /// JSON array of warnings, stored as given and shown again in reports.
    pub warnings_json: String,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NibrsImportOutcome {
    /// Rows deleted before writing (earlier imports of the same scope or incidents).
    pub rows_replaced: u64,
    pub arrests_written: u64,
    pub months_written: u64,
    pub agencies_written: u64,
    pub trafficking_written: u64,
}

/// Which stored rows to load. Years are not filtered here: trends need every year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NibrsFilter {
    pub state: Option<String>,
}

/// One logged import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NibrsImportLog {
    pub source: String,
    pub label: String,
    pub imported_at: String,
    pub states: String,
    pub warnings_json: String,
}

/// Everything stored for the filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NibrsSnapshot {
    pub agencies: Vec<NibrsAgencyRow>,
    pub months: Vec<NibrsMonthRow>,
    pub arrests: Vec<NibrsArrestRow>,
    pub trafficking: Vec<NibrsTraffickingRow>,
    pub imports: Vec<NibrsImportLog>,
}

/// NIBRS storage, implemented per backend.
#[async_trait]
pub trait NibrsStore: Send + Sync {
    /// Writes one input's rows atomically, replacing what it supersedes.
    async fn nibrs_import(&self, import: &NibrsImport) -> Result<NibrsImportOutcome, StoreError>;
    /// Loads stored rows (all years) for the filter.
    async fn nibrs_load(&self, filter: &NibrsFilter) -> Result<NibrsSnapshot, StoreError>;
}

/// Bound values per statement stay well under SQLite's 32,766 limit.
const ROWS_PER_STATEMENT: usize = 2_000;
const KEYS_PER_STATEMENT: usize = 500;

async fn delete_keys(
    tx: &mut Transaction<'_, Sqlite>,
    table: &str,
    column: &str,
    source: &str,
    keys: &[String],
) -> Result<u64, StoreError> {
    let mut removed = 0;
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("DELETE FROM {table} WHERE source = "));
        qb.push_bind(source.to_string());
        qb.push(format!(" AND {column} IN ("));
        let mut sep = qb.separated(", ");
        for k in chunk {
            sep.push_bind(k.clone());
        }
        qb.push(")");
        removed += qb.build().execute(&mut **tx).await?.rows_affected();
    }
    Ok(removed)
}

#[async_trait]
impl NibrsStore for SqliteStore {
    async fn nibrs_import(&self, import: &NibrsImport) -> Result<NibrsImportOutcome, StoreError> {
        let mut outcome = NibrsImportOutcome::default();
        let mut tx = self.pool().begin().await?;
        match &import.replace {
            NibrsReplace::Scopes(scopes) => {
                for table in [
                    "nibrs_arrests",
                    "nibrs_months",
                    "nibrs_agencies",
                    "nibrs_trafficking",
                ] {
                    outcome.rows_replaced +=
                        delete_keys(&mut tx, table, "scope", &import.source, scopes).await?;
                }
            }
            NibrsReplace::Incidents {
                incident_keys,
                arrest_keys,
            } => {
                outcome.rows_replaced += delete_keys(
                    &mut tx,
                    "nibrs_arrests",
                    "incident_key",
                    &import.source,
                    incident_keys,
                )
                .await?;
                outcome.rows_replaced += delete_keys(
                    &mut tx,
                    "nibrs_trafficking",
                    "incident_key",
                    &import.source,
                    incident_keys,
                )
                .await?;
                outcome.rows_replaced += delete_keys(
                    &mut tx,
                    "nibrs_arrests",
                    "arrest_key",
                    &import.source,
                    arrest_keys,
                )
                .await?;
            }
        }

        for chunk in import.arrests.chunks(ROWS_PER_STATEMENT / 7) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO nibrs_arrests (source, arrest_key, incident_key, scope, state, ori, \
                 year, arrest_date, offense, sex, age_low, age_high, arrest_type, multiple) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.source.clone())
                    .push_bind(r.arrest_key.clone())
                    .push_bind(r.incident_key.clone())
                    .push_bind(r.scope.clone())
                    .push_bind(r.state.clone())
                    .push_bind(r.ori.clone())
                    .push_bind(r.year)
                    .push_bind(r.arrest_date.clone())
                    .push_bind(r.offense.clone())
                    .push_bind(r.sex.clone())
                    .push_bind(r.age_low)
                    .push_bind(r.age_high)
                    .push_bind(r.arrest_type.clone())
                    .push_bind(r.multiple.clone());
            });
            outcome.arrests_written += qb.build().execute(&mut *tx).await?.rows_affected();
        }
        for chunk in import.months.chunks(ROWS_PER_STATEMENT / 4) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO nibrs_months (source, ori, year, month, scope, state, status) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.source.clone())
                    .push_bind(r.ori.clone())
                    .push_bind(r.year)
                    .push_bind(r.month)
                    .push_bind(r.scope.clone())
                    .push_bind(r.state.clone())
                    .push_bind(r.status.clone());
            });
            outcome.months_written += qb.build().execute(&mut *tx).await?.rows_affected();
        }
        for chunk in import.agencies.chunks(ROWS_PER_STATEMENT / 5) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO nibrs_agencies (source, ori, year, scope, state, name, county, \
                 agency_type, population) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.source.clone())
                    .push_bind(r.ori.clone())
                    .push_bind(r.year)
                    .push_bind(r.scope.clone())
                    .push_bind(r.state.clone())
                    .push_bind(r.name.clone())
                    .push_bind(r.county.clone())
                    .push_bind(r.agency_type.clone())
                    .push_bind(r.population);
            });
            outcome.agencies_written += qb.build().execute(&mut *tx).await?.rows_affected();
        }
        for chunk in import.trafficking.chunks(ROWS_PER_STATEMENT / 5) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO nibrs_trafficking (source, incident_key, scope, state, ori, year, \
                 commercial_sex, involuntary_servitude, victims, juvenile_victims) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.source.clone())
                    .push_bind(r.incident_key.clone())
                    .push_bind(r.scope.clone())
                    .push_bind(r.state.clone())
                    .push_bind(r.ori.clone())
                    .push_bind(r.year)
                    .push_bind(r.commercial_sex)
                    .push_bind(r.involuntary_servitude)
                    .push_bind(r.victims)
                    .push_bind(r.juvenile_victims);
            });
            outcome.trafficking_written += qb.build().execute(&mut *tx).await?.rows_affected();
        }
        let imported_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        sqlx::query(
            "INSERT OR REPLACE INTO nibrs_imports (source, label, imported_at, states, stats, warnings) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&import.source)
        .bind(&import.label)
        .bind(imported_at)
        .bind(import.states.join(","))
        .bind(&import.stats_json)
        .bind(&import.warnings_json)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn nibrs_load(&self, filter: &NibrsFilter) -> Result<NibrsSnapshot, StoreError> {
        let state = filter.state.clone().map(|s| s.to_ascii_uppercase());
        let pool = self.pool();
        let mut snapshot = NibrsSnapshot::default();
        // `?1 IS NULL OR state = ?1` keeps one statement per table for both cases.
        let rows = sqlx::query(
            "SELECT source, arrest_key, incident_key, scope, state, ori, year, arrest_date, offense, \
             sex, age_low, age_high, arrest_type, multiple FROM nibrs_arrests \
             WHERE ?1 IS NULL OR state = ?1 ORDER BY source, arrest_key",
        )
        .bind(&state)
        .fetch_all(pool)
        .await?;
        for r in rows {
            snapshot.arrests.push(NibrsArrestRow {
                source: r.try_get(0)?,
                arrest_key: r.try_get(1)?,
                incident_key: r.try_get(2)?,
                scope: r.try_get(3)?,
                state: r.try_get(4)?,
                ori: r.try_get(5)?,
                year: r.try_get(6)?,
                arrest_date: r.try_get(7)?,
                offense: r.try_get(8)?,
                sex: r.try_get(9)?,
                age_low: r.try_get(10)?,
                age_high: r.try_get(11)?,
                arrest_type: r.try_get(12)?,
                multiple: r.try_get(13)?,
            });
        }
        let rows = sqlx::query(
            "SELECT source, ori, year, month, scope, state, status FROM nibrs_months \
             WHERE ?1 IS NULL OR state = ?1 ORDER BY source, ori, year, month",
        )
        .bind(&state)
        .fetch_all(pool)
        .await?;
        for r in rows {
            snapshot.months.push(NibrsMonthRow {
                source: r.try_get(0)?,
                ori: r.try_get(1)?,
                year: r.try_get(2)?,
                month: r.try_get(3)?,
                scope: r.try_get(4)?,
                state: r.try_get(5)?,
                status: r.try_get(6)?,
            });
        }
        let rows = sqlx::query(
            "SELECT source, ori, year, scope, state, name, county, agency_type, population \
             FROM nibrs_agencies WHERE ?1 IS NULL OR state = ?1 ORDER BY source, ori, year",
        )
        .bind(&state)
        .fetch_all(pool)
        .await?;
        for r in rows {
            snapshot.agencies.push(NibrsAgencyRow {
                source: r.try_get(0)?,
                ori: r.try_get(1)?,
                year: r.try_get(2)?,
                scope: r.try_get(3)?,
                state: r.try_get(4)?,
                name: r.try_get(5)?,
                county: r.try_get(6)?,
                agency_type: r.try_get(7)?,
                population: r.try_get(8)?,
            });
        }
        let rows = sqlx::query(
            "SELECT source, incident_key, scope, state, ori, year, commercial_sex, \
             involuntary_servitude, victims, juvenile_victims FROM nibrs_trafficking \
             WHERE ?1 IS NULL OR state = ?1 ORDER BY source, incident_key",
        )
        .bind(&state)
        .fetch_all(pool)
        .await?;
        for r in rows {
            snapshot.trafficking.push(NibrsTraffickingRow {
                source: r.try_get(0)?,
                incident_key: r.try_get(1)?,
                scope: r.try_get(2)?,
                state: r.try_get(3)?,
                ori: r.try_get(4)?,
                year: r.try_get(5)?,
                commercial_sex: r.try_get(6)?,
                involuntary_servitude: r.try_get(7)?,
                victims: r.try_get(8)?,
                juvenile_victims: r.try_get(9)?,
            });
        }
        let rows = sqlx::query(
            "SELECT source, label, imported_at, states, warnings FROM nibrs_imports \
             ORDER BY imported_at, label",
        )
        .fetch_all(pool)
        .await?;
        for r in rows {
            let log = NibrsImportLog {
                source: r.try_get(0)?,
                label: r.try_get(1)?,
                imported_at: r.try_get(2)?,
                states: r.try_get(3)?,
                warnings_json: r.try_get(4)?,
            };
            let relevant = match &state {
                Some(s) => log.states.split(',').any(|x| x == s),
                None => true,
            };
            if relevant {
                snapshot.imports.push(log);
            }
        }
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrest(key: &str, incident: &str, scope: Option<&str>, source: &str) -> NibrsArrestRow {
        NibrsArrestRow {
            source: source.into(),
            arrest_key: key.into(),
            incident_key: incident.into(),
            scope: scope.map(str::to_string),
            state: "LA".into(),
            ori: "LA0000000".into(),
            year: 2014,
            arrest_date: None,
            offense: "40A".into(),
            sex: "F".into(),
            age_low: Some(20),
            age_high: Some(20),
            arrest_type: "O".into(),
            multiple: "N".into(),
        }
    }

    fn import(source: &str, replace: NibrsReplace, arrests: Vec<NibrsArrestRow>) -> NibrsImport {
        NibrsImport {
            source: source.into(),
            label: "test".into(),
            replace,
            agencies: vec![],
            months: vec![],
            arrests,
            trafficking: vec![],
            states: vec!["LA".into()],
            stats_json: "{}".into(),
            warnings_json: "[]".into(),
        }
    }

    #[tokio::test]
    async fn scope_imports_replace_and_never_double() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        let scope = NibrsReplace::Scopes(vec!["cde:LA:2014".into()]);
        let rows = vec![
            arrest("1", "cde:1", Some("cde:LA:2014"), "cde"),
            arrest("2", "cde:2", Some("cde:LA:2014"), "cde"),
        ];
        store
            .nibrs_import(&import("cde", scope.clone(), rows.clone()))
            .await
            .unwrap();
        store
            .nibrs_import(&import("cde", scope.clone(), rows.clone()))
            .await
            .unwrap();
        let loaded = store.nibrs_load(&NibrsFilter::default()).await.unwrap();
        assert_eq!(loaded.arrests.len(), 2);
        assert_eq!(loaded.imports.len(), 1);
        // A corrected package without arrest 2 removes it.
        store
            .nibrs_import(&import("cde", scope, rows[..1].to_vec()))
            .await
            .unwrap();
        let loaded = store.nibrs_load(&NibrsFilter::default()).await.unwrap();
        assert_eq!(loaded.arrests.len(), 1);
    }

    #[tokio::test]
    async fn flat_file_deletes_remove_earlier_incidents() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        let first = import(
            "flat_file",
            NibrsReplace::Incidents {
                incident_keys: vec!["X:1".into(), "X:2".into()],
                arrest_keys: vec![],
            },
            vec![
                arrest("X:1:01", "X:1", None, "flat_file"),
                arrest("X:2:01", "X:2", None, "flat_file"),
            ],
        );
        store.nibrs_import(&first).await.unwrap();
        let delete = import(
            "flat_file",
            NibrsReplace::Incidents {
                incident_keys: vec!["X:1".into()],
                arrest_keys: vec![],
            },
            vec![],
        );
        let outcome = store.nibrs_import(&delete).await.unwrap();
        assert_eq!(outcome.rows_replaced, 1);
        let loaded = store
            .nibrs_load(&NibrsFilter {
                state: Some("la".into()),
            })
            .await
            .unwrap();
        let keys: Vec<&str> = loaded
            .arrests
            .iter()
            .map(|a| a.arrest_key.as_str())
            .collect();
        assert_eq!(keys, ["X:2:01"]);
    }
}
