//! Storage for the analyst's casework: the lead queue, review labels on networks, case folders
//! owned by a team, full-text search over ads, the dashboard's figures, and retention (which
//! ads have expired, and purging them).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use plainsight_core::NetworkRecord;
use serde::Serialize;
use sqlx::Row;

use crate::access::{AuditEvent, AuditFor, now_text};
use crate::sqlite::{STORED_AD_COLUMNS, ad_ref_from_row, stored_ad_from_row};
use crate::{AdRef, SqliteStore, StoreError, StoredAd};

/// The labels a reviewer can give a whole network.
pub const REVIEW_LABELS: [&str; 5] = [
    "needs_investigation",
    "not_relevant",
    "known_case",
    "independent_worker",
    "other",
];

/// A network counts as high-priority for the false-positive rate when it was among this many
/// at the top of the lead queue when labelled.
pub const HIGH_PRIORITY_RANK: i64 = 100;

/// One review label, as stored (labels are versioned: earlier ones stay).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkLabel {
    pub network_id: i64,
    pub version: i64,
    pub label: String,
    pub note: String,
    pub username: String,
    pub priority: f64,
    pub rank: i64,
    pub created_at: String,
}

/// Which leads to list.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// A place name, with its state code when given ("Raleigh", Some("NC")); a bare state code
    /// is given as ("", Some("NC")).
    pub place: Option<(String, Option<String>)>,
    /// Networks seen on or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Networks first seen on or before this time.
    pub until: Option<DateTime<Utc>>,
    /// Networks with a reason of this code.
    pub indicator: Option<String>,
    /// Networks whose latest label is this.
    pub label: Option<String>,
    /// Only labelled (`Some(true)`) or only unlabelled (`Some(false)`) networks.
    pub reviewed: Option<bool>,
    pub min_ads: u64,
    /// The column to order by; ties are broken by network id.
    pub sort: LeadSort,
    /// Smallest first (the default is largest, or latest, first).
    pub ascending: bool,
    pub offset: u64,
    pub limit: u64,
}

/// A column the lead queue can be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LeadSort {
    #[default]
    Priority,
    Ads,
    FirstSeen,
    LastSeen,
    Network,
}

impl LeadSort {
    /// Every sort with its query-string name.
    pub const ALL: [(LeadSort, &'static str); 5] = [
        (LeadSort::Priority, "priority"),
        (LeadSort::Ads, "ads"),
        (LeadSort::FirstSeen, "first_seen"),
        (LeadSort::LastSeen, "last_seen"),
        (LeadSort::Network, "network"),
    ];

    pub fn parse(s: &str) -> Option<LeadSort> {
        LeadSort::ALL.iter().find(|(_, n)| *n == s).map(|(k, _)| *k)
    }

    pub fn name(self) -> &'static str {
        LeadSort::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("priority", |(_, n)| n)
    }

    /// The ORDER BY clause (fixed text per variant, never from input). Networks without dates
    /// go last either way.
    pub(crate) fn order_by(self, ascending: bool) -> String {
        let dir = if ascending { "ASC" } else { "DESC" };
        match self {
            LeadSort::Priority => format!("n.priority {dir}, n.network_id"),
            LeadSort::Ads => format!("n.ads {dir}, n.priority DESC, n.network_id"),
            LeadSort::FirstSeen => {
                format!("n.first_seen IS NULL, n.first_seen {dir}, n.network_id")
            }
            LeadSort::LastSeen => format!("n.last_seen IS NULL, n.last_seen {dir}, n.network_id"),
            LeadSort::Network => format!("n.network_id {dir}"),
        }
    }
}

/// What a list of networks shows of each: stored beside the full record when an analysis is
/// saved, so a page of the lead queue reads a few hundred bytes per network instead of parsing
/// records that run to hundreds of kilobytes for large networks.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NetworkSummary {
    pub network_id: u64,
    pub priority: f64,
    pub ads: u64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// The first places of the movement timeline, as "City, ST".
    pub places: Vec<String>,
    /// How many places there are in all.
    pub places_total: usize,
    /// The largest reasons: (code, description, contribution to the priority).
    pub reasons: Vec<(String, String, f64)>,
}

/// Places and reasons a summary keeps.
const SUMMARY_PLACES: usize = 3;
const SUMMARY_REASONS: usize = 3;

impl NetworkSummary {
    pub fn of(n: &NetworkRecord) -> NetworkSummary {
        NetworkSummary {
            network_id: n.network_id,
            priority: n.priority,
            ads: n.ads.len() as u64,
            first_seen: n.first_seen,
            last_seen: n.last_seen,
            places: n
                .locations
                .iter()
                .take(SUMMARY_PLACES)
                .map(|l| format!("{}, {}", l.name, l.admin1))
                .collect(),
            places_total: n.locations.len(),
            reasons: n
                .reasons
                .iter()
                .take(SUMMARY_REASONS)
                .map(|r| (r.code.clone(), r.description.clone(), r.weight * r.value))
                .collect(),
        }
    }
}

/// A network in the lead queue with its latest label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lead {
    pub network: NetworkSummary,
    pub label: Option<String>,
}

/// How review is going, and how often high-priority leads were judged not relevant.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReviewStats {
    pub networks: u64,
    pub labelled: u64,
    pub high_priority_labelled: u64,
    pub high_priority_not_relevant: u64,
    /// Latest labels by name.
    pub by_label: Vec<(String, u64)>,
}

impl ReviewStats {
    /// Share of labelled high-priority networks judged not relevant, when any were labelled.
    pub fn false_positive_rate(&self) -> Option<f64> {
        (self.high_priority_labelled > 0)
            .then(|| self.high_priority_not_relevant as f64 / self.high_priority_labelled as f64)
    }

    /// The 95% Wilson score interval of the false-positive rate, when any were labelled.
    pub fn false_positive_interval(&self) -> Option<(f64, f64)> {
        wilson_interval(self.high_priority_not_relevant, self.high_priority_labelled)
    }

    /// Whether there are too few labels for the rate to mean much (fewer than
    /// [`FEW_LABELS`]): the page says so beside the figure.
    pub fn too_few_labels(&self) -> bool {
        self.high_priority_labelled < FEW_LABELS
    }
}

/// Below this many labelled high-priority networks the false-positive rate carries a caution.
pub const FEW_LABELS: u64 = 20;

/// The 95% Wilson score interval (z = 1.96) of a proportion of `hits` in `n` trials, as
/// (low, high) within [0, 1]; `None` when `n` is 0. Unlike the normal approximation it stays
/// inside [0, 1] and is not zero-width at 0 or n hits, which matters on a handful of labels.
pub fn wilson_interval(hits: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    const Z: f64 = 1.959_963_984_540_054;
    let n_f = n as f64;
    let p = hits.min(n) as f64 / n_f;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n_f)) / (1.0 + z2 / n_f);
    let half = Z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / (1.0 + z2 / n_f);
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// A case folder with its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSummary {
    pub case_id: i64,
    pub team_id: i64,
    pub title: String,
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub networks: u64,
    pub ads: u64,
    pub notes: u64,
    /// The agency's own case number (free text; empty when not given).
    pub agency_case_number: String,
    /// The user name the folder is assigned to (empty when unassigned).
    pub assignee: String,
}

impl CaseSummary {
    /// A closed folder is read-only until it is reopened.
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

/// One network or ad in a case folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseItem {
    /// `network` or `ad`.
    pub kind: String,
    /// Network id or ad key.
    pub item: i64,
    pub added_by: String,
    pub added_at: String,
}

/// A note in a case folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseNote {
    pub note_id: i64,
    pub username: String,
    pub created_at: String,
    pub text: String,
}

/// One ad found by full-text search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub ad: AdRef,
    /// A short extract around the match; the matched words are between `\u{1}` and `\u{2}`.
    pub snippet: String,
    pub network_id: Option<i64>,
}

/// The dashboard's figures for one area (a state code) or everywhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DashboardFigures {
    pub ads: u64,
    /// Ads per posting day (YYYY-MM-DD).
    pub volume: Vec<(String, u64)>,
    /// Places with most ads: (name, state, ads).
    pub by_place: Vec<(String, String, u64)>,
    pub networks: u64,
    /// The latest posting date in the data: "this week" is the week up to it, so an archive
    /// being reviewed later still shows what was new at the time.
    pub reference_date: Option<String>,
    /// Networks seen in the 30 days up to the reference date.
    pub active_networks: u64,
    /// Networks first seen in the 7 days up to the reference date.
    pub new_networks: u64,
    pub top_leads: Vec<Lead>,
    pub review: ReviewStats,
}

/// What a retention run would remove.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RetentionPlan {
    /// Ads ingested before this time are due, unless kept.
    pub cutoff: String,
    pub ads_total: u64,
    /// Ads past the cutoff that will be removed.
    pub expired: u64,
    /// Ads past the cutoff kept because a case folder or a reviewed network holds them.
    pub kept: u64,
}

/// Casework storage every backend provides.
#[async_trait]
pub trait CaseworkStore: Send + Sync {
    /// Networks ranked by priority (highest first) with their latest label.
    async fn lead_queue(&self, filter: &LeadFilter) -> Result<Vec<Lead>, StoreError>;
    /// Label a network; returns the stored label (its version counts up from 1). The audit
    /// entry is made from the stored label.
    async fn add_label(
        &self,
        network_id: i64,
        label: &str,
        note: &str,
        user_id: i64,
        audit: AuditFor<'_, NetworkLabel>,
    ) -> Result<NetworkLabel, StoreError>;
    /// Every label of a network, newest first.
    async fn labels(&self, network_id: i64) -> Result<Vec<NetworkLabel>, StoreError>;
    /// The latest label of every labelled network.
    async fn latest_labels(&self) -> Result<Vec<(i64, String)>, StoreError>;
    async fn review_stats(&self) -> Result<ReviewStats, StoreError>;

    /// A network page's cached (templates JSON, graph SVG), if it was shown since the last
    /// analysis.
    async fn page_cache(&self, network_id: i64) -> Result<Option<(String, String)>, StoreError>;
    async fn save_page_cache(
        &self,
        network_id: i64,
        templates: &str,
        graph: &str,
    ) -> Result<(), StoreError>;

    async fn ad_by_key(&self, ad_key: i64) -> Result<Option<StoredAd>, StoreError>;
    async fn network_of_ad(&self, ad_key: i64) -> Result<Option<i64>, StoreError>;
    /// A network's ads, oldest first.
    async fn network_ad_refs(&self, network_id: i64) -> Result<Vec<AdRef>, StoreError>;
    /// Full-text search over titles and bodies. Words are matched as words (all of them);
    /// search syntax is not exposed, so no query can fail to parse.
    async fn search_ads(
        &self,
        query: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<SearchHit>, StoreError>;
    /// The dashboard's figures for an area (a state code; `None` or empty: everywhere), read
    /// from the summary tables ingest, analysis and retention keep (`dashboard` module): the
    /// cost does not grow with the number of ads.
    async fn dashboard(&self, area: Option<&str>) -> Result<DashboardFigures, StoreError>;

    /// Create a case folder; the audit entry is made from its id.
    async fn create_case(
        &self,
        team_id: i64,
        title: &str,
        user_id: i64,
        audit: AuditFor<'_, i64>,
    ) -> Result<i64, StoreError>;
    async fn cases_for_team(&self, team_id: i64) -> Result<Vec<CaseSummary>, StoreError>;
    /// A case folder, only when it belongs to `team_id` (otherwise `None`, as if it did not
    /// exist: another team cannot learn that a case number is taken).
    async fn case_for_team(
        &self,
        case_id: i64,
        team_id: i64,
    ) -> Result<Option<CaseSummary>, StoreError>;
    async fn set_case_status(
        &self,
        case_id: i64,
        status: &str,
        audit: &AuditEvent,
    ) -> Result<(), StoreError>;
    async fn case_items(&self, case_id: i64) -> Result<Vec<CaseItem>, StoreError>;
    /// Add an item; returns false when it was already in the folder. This and every other
    /// change to a folder's contents (items, notes, details) fails with
    /// [`StoreError::CaseClosed`] when the folder is closed, decided inside the write
    /// transaction, so it never lands after a concurrent close.
    async fn add_case_item(
        &self,
        case_id: i64,
        kind: &str,
        item: i64,
        user_id: i64,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError>;
    async fn remove_case_item(
        &self,
        case_id: i64,
        kind: &str,
        item: i64,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError>;
    async fn add_case_note(
        &self,
        case_id: i64,
        user_id: i64,
        text: &str,
        audit: &AuditEvent,
    ) -> Result<i64, StoreError>;
    async fn case_notes(&self, case_id: i64) -> Result<Vec<CaseNote>, StoreError>;

    async fn retention_plan(&self, cutoff: DateTime<Utc>) -> Result<RetentionPlan, StoreError>;
    /// Delete the expired ads (with their identifiers, indicator hits, places and index
    /// entries) in one transaction with its audit entry (made from the number deleted);
    /// returns how many were deleted.
    async fn purge_expired(
        &self,
        cutoff: DateTime<Utc>,
        audit: AuditFor<'_, u64>,
    ) -> Result<u64, StoreError>;
}

/// A count or offset as SQLite's integer, refused when it does not fit (it would wrap).
pub(crate) fn to_i64(what: &'static str, n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::OutOfRange {
        what,
        value: n.to_string(),
    })
}

fn corrupt(what: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: e.to_string(),
    }
}

fn label_from_row(row: &sqlx::sqlite::SqliteRow) -> NetworkLabel {
    NetworkLabel {
        network_id: row.get(0),
        version: row.get(1),
        label: row.get(2),
        note: row.get(3),
        username: row.get(4),
        priority: row.get(5),
        rank: row.get(6),
        created_at: row.get(7),
    }
}

fn case_from_row(row: &sqlx::sqlite::SqliteRow) -> CaseSummary {
    CaseSummary {
        case_id: row.get(0),
        team_id: row.get(1),
        title: row.get(2),
        status: row.get(3),
        created_by: row.get(4),
        created_at: row.get(5),
        networks: row.get::<i64, _>(6) as u64,
        ads: row.get::<i64, _>(7) as u64,
        notes: row.get::<i64, _>(8) as u64,
        agency_case_number: row.get(9),
        assignee: row.get(10),
    }
}

/// Ads that are past the cutoff and held by no case folder and no reviewed network.
const EXPIRED_ADS: &str = "SELECT a.ad_key FROM ads a WHERE a.ingested_at < ?1 \
     AND NOT EXISTS (SELECT 1 FROM case_items c WHERE c.kind = 'ad' AND c.item = a.ad_key) \
     AND NOT EXISTS (SELECT 1 FROM network_ads na WHERE na.ad_key = a.ad_key AND ( \
         EXISTS (SELECT 1 FROM network_labels l WHERE l.network_id = na.network_id) \
         OR EXISTS (SELECT 1 FROM case_items c2 WHERE c2.kind = 'network' \
                    AND c2.item = na.network_id)))";

/// Turn what a person typed into an FTS5 query that matches all its words: each word is
/// quoted, so operators and punctuation are taken literally.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '$' && c != '@')
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Refuse a change to a case folder that is missing or closed, inside the write transaction
/// that makes the change: `BEGIN IMMEDIATE` holds the write lock from the start, so the status
/// read here is the status when the change commits. Checking before the transaction instead
/// lets a close commit between the check and the write, leaving a change after the close.
pub(crate) async fn require_open_case(
    conn: &mut sqlx::SqliteConnection,
    case_id: i64,
) -> Result<(), StoreError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM cases WHERE case_id = ?")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
    match status.as_deref() {
        Some("open") => Ok(()),
        Some(_) => Err(StoreError::CaseClosed { case_id }),
        None => Err(StoreError::NotFound {
            what: "case folder",
            id: case_id.to_string(),
        }),
    }
}

/// Store a new label version of a network inside a write transaction, with the network's
/// priority and rank at this moment; the caller writes its audit entry in the same transaction.
pub(crate) async fn insert_label(
    tx: &mut sqlx::SqliteConnection,
    network_id: i64,
    label: &str,
    note: &str,
    user_id: i64,
) -> Result<NetworkLabel, StoreError> {
    let priority: Option<f64> =
        sqlx::query_scalar("SELECT priority FROM networks WHERE network_id = ?")
            .bind(network_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(priority) = priority else {
        return Err(StoreError::NotFound {
            what: "network",
            id: network_id.to_string(),
        });
    };
    let above: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM networks WHERE priority > ?1 \
         OR (priority = ?1 AND network_id < ?2)",
    )
    .bind(priority)
    .bind(network_id)
    .fetch_one(&mut *tx)
    .await?;
    let version: i64 = sqlx::query_scalar(
        "SELECT coalesce(max(version), 0) + 1 FROM network_labels WHERE network_id = ?",
    )
    .bind(network_id)
    .fetch_one(&mut *tx)
    .await?;
    let now = now_text(Utc::now());
    sqlx::query(
        "INSERT INTO network_labels (network_id, version, label, note, user_id, priority, \
         rank, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(network_id)
    .bind(version)
    .bind(label)
    .bind(note)
    .bind(user_id)
    .bind(priority)
    .bind(above + 1)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let username: String = sqlx::query_scalar("SELECT username FROM users WHERE user_id = ?")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    Ok(NetworkLabel {
        network_id,
        version,
        label: label.to_string(),
        note: note.to_string(),
        username,
        priority,
        rank: above + 1,
        created_at: now,
    })
}

/// The lead queue's filter as SQL over `networks n` with the latest label selected as `label`;
/// binds ?1 to ?8 in the order of [`LeadFilter`]'s fields (place name, state, since, until,
/// reason code, label, reviewed, minimum ads). The queue and its count share it.
pub(crate) fn lead_where() -> &'static str {
    "(?1 IS NULL OR EXISTS (SELECT 1 FROM network_places p \
         WHERE p.network_id = n.network_id AND (?1 = '' OR p.name = ?1) \
         AND (?2 IS NULL OR p.admin1 = ?2))) \
     AND (?3 IS NULL OR n.last_seen >= ?3) \
     AND (?4 IS NULL OR n.first_seen <= ?4) \
     AND (?5 IS NULL OR EXISTS (SELECT 1 FROM network_reason_codes c \
         WHERE c.code = ?5 AND c.network_id = n.network_id)) \
     AND (?6 IS NULL OR label = ?6) \
     AND (?7 IS NULL OR (?7 = 1 AND label IS NOT NULL) OR (?7 = 0 AND label IS NULL)) \
     AND n.ads >= ?8"
}

/// One page of the lead queue in `order` (binds as [`lead_where`], then ?9 limit, ?10 offset).
/// The page's networks are chosen first, from the columns of the `networks_for_queue` index
/// alone (migration 0009); only then are their summaries (and, for networks stored before
/// summaries existed, records) read. Joined before the sort, every matching network's summary
/// was read and sorted. `INDEXED BY`: sorted by id, the planner would otherwise walk the table
/// itself in rowid order.
pub(crate) fn lead_page_sql(order: &str) -> String {
    format!(
        "SELECT s.summary, CASE WHEN s.summary IS NULL THEN n.record END, page.label \
         FROM (SELECT n.network_id, \
                 (SELECT l.label FROM network_labels l \
                  WHERE l.network_id = n.network_id ORDER BY l.version DESC LIMIT 1) AS label \
               FROM networks n INDEXED BY networks_for_queue \
               WHERE {} ORDER BY {order} LIMIT ?9 OFFSET ?10) AS page \
         JOIN networks n ON n.network_id = page.network_id \
         LEFT JOIN network_summaries s ON s.network_id = n.network_id \
         ORDER BY {order}",
        lead_where()
    )
}

/// How many networks the lead queue's filters let through (binds as [`lead_where`]).
pub(crate) fn lead_count_sql() -> String {
    format!(
        "SELECT count(*) FROM (SELECT (SELECT l.label FROM network_labels l \
             WHERE l.network_id = n.network_id ORDER BY l.version DESC LIMIT 1) AS label \
         FROM networks n INDEXED BY networks_for_queue WHERE {})",
        lead_where()
    )
}

const CASE_COLUMNS: &str = "c.case_id, c.team_id, c.title, c.status, u.username, c.created_at, \
     (SELECT count(*) FROM case_items i WHERE i.case_id = c.case_id AND i.kind = 'network'), \
     (SELECT count(*) FROM case_items i WHERE i.case_id = c.case_id AND i.kind = 'ad'), \
     (SELECT count(*) FROM case_notes n WHERE n.case_id = c.case_id), \
     c.agency_case_number, c.assignee";

#[async_trait]
impl CaseworkStore for SqliteStore {
    async fn lead_queue(&self, filter: &LeadFilter) -> Result<Vec<Lead>, StoreError> {
        let (place, admin1) = match &filter.place {
            Some((name, admin1)) => (Some(name.as_str()), admin1.as_deref()),
            None => (None, None),
        };
        let sql = lead_page_sql(&filter.sort.order_by(filter.ascending));
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(place)
            .bind(admin1)
            .bind(filter.since.map(now_text))
            .bind(filter.until.map(now_text))
            .bind(filter.indicator.as_deref())
            .bind(filter.label.as_deref())
            .bind(filter.reviewed.map(i64::from))
            .bind(filter.min_ads as i64)
            .bind(to_i64("limit", filter.limit.max(1))?)
            .bind(to_i64("offset", filter.offset)?)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                // Networks saved before summaries existed are summarised from their record.
                let network = match row.get::<Option<&str>, _>(0) {
                    Some(summary) => {
                        serde_json::from_str(summary).map_err(|e| corrupt("network summary", e))?
                    }
                    None => {
                        let record: NetworkRecord =
                            serde_json::from_str(row.get::<Option<&str>, _>(1).unwrap_or("{}"))
                                .map_err(|e| corrupt("network record", e))?;
                        NetworkSummary::of(&record)
                    }
                };
                Ok(Lead {
                    network,
                    label: row.get(2),
                })
            })
            .collect()
    }

    async fn add_label(
        &self,
        network_id: i64,
        label: &str,
        note: &str,
        user_id: i64,
        audit: AuditFor<'_, NetworkLabel>,
    ) -> Result<NetworkLabel, StoreError> {
        let mut w = self.begin_write().await?;
        let stored = insert_label(&mut w.tx, network_id, label, note, user_id).await?;
        w.audit(&audit(&stored)).await?;
        w.commit().await?;
        Ok(stored)
    }

    async fn labels(&self, network_id: i64) -> Result<Vec<NetworkLabel>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.network_id, l.version, l.label, l.note, u.username, l.priority, l.rank, \
             l.created_at FROM network_labels l JOIN users u ON u.user_id = l.user_id \
             WHERE l.network_id = ? ORDER BY l.version DESC",
        )
        .bind(network_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(label_from_row).collect())
    }

    async fn latest_labels(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.network_id, l.label FROM network_labels l \
             WHERE l.version = (SELECT max(version) FROM network_labels m \
                                WHERE m.network_id = l.network_id) \
             ORDER BY l.network_id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn review_stats(&self) -> Result<ReviewStats, StoreError> {
        let networks: i64 = sqlx::query_scalar("SELECT count(*) FROM networks")
            .fetch_one(self.pool())
            .await?;
        let rows = sqlx::query(
            "SELECT l.label, l.rank FROM network_labels l \
             WHERE l.version = (SELECT max(version) FROM network_labels m \
                                WHERE m.network_id = l.network_id)",
        )
        .fetch_all(self.pool())
        .await?;
        let mut stats = ReviewStats {
            networks: networks as u64,
            ..ReviewStats::default()
        };
        let mut by_label = std::collections::BTreeMap::<String, u64>::new();
        for row in &rows {
            let label: String = row.get(0);
            let rank: i64 = row.get(1);
            stats.labelled += 1;
            if rank <= HIGH_PRIORITY_RANK {
                stats.high_priority_labelled += 1;
                if label == "not_relevant" {
                    stats.high_priority_not_relevant += 1;
                }
            }
            *by_label.entry(label).or_default() += 1;
        }
        stats.by_label = by_label.into_iter().collect();
        Ok(stats)
    }

    async fn page_cache(&self, network_id: i64) -> Result<Option<(String, String)>, StoreError> {
        let row =
            sqlx::query("SELECT templates, graph FROM network_page_cache WHERE network_id = ?")
                .bind(network_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn save_page_cache(
        &self,
        network_id: i64,
        templates: &str,
        graph: &str,
    ) -> Result<(), StoreError> {
        // Only for a network that still exists: an analysis may have replaced it meanwhile.
        sqlx::query(
            "INSERT OR REPLACE INTO network_page_cache (network_id, templates, graph) \
             SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM networks WHERE network_id = ?1)",
        )
        .bind(network_id)
        .bind(templates)
        .bind(graph)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn ad_by_key(&self, ad_key: i64) -> Result<Option<StoredAd>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {STORED_AD_COLUMNS} FROM ads WHERE ad_key = ?"
        )))
        .bind(ad_key)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(stored_ad_from_row).transpose()
    }

    async fn network_of_ad(&self, ad_key: i64) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT network_id FROM network_ads WHERE ad_key = ?")
                .bind(ad_key)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    async fn network_ad_refs(&self, network_id: i64) -> Result<Vec<AdRef>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.ad_key, a.site, a.source_id, a.title, a.posted_at \
             FROM network_ads na JOIN ads a ON a.ad_key = na.ad_key \
             WHERE na.network_id = ? ORDER BY a.posted_at, a.ad_key",
        )
        .bind(network_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(ad_ref_from_row).collect())
    }

    async fn search_ads(
        &self,
        query: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        // One search path for every caller: the analyst search's ranking, without filters.
        let page = crate::AnalystStore::search_text(
            self,
            query,
            &crate::AdFilter::default(),
            u64::from(limit),
            u64::from(offset),
        )
        .await?;
        Ok(page
            .hits
            .into_iter()
            .map(|h| SearchHit {
                ad: AdRef {
                    ad_key: h.ad_key,
                    site: h.site,
                    id: h.id,
                    title: h.title,
                    posted_at: h.posted_at,
                },
                snippet: h.matched,
                network_id: h.network_id,
            })
            .collect())
    }

    async fn dashboard(&self, area: Option<&str>) -> Result<DashboardFigures, StoreError> {
        let area = area.filter(|a| !a.is_empty());
        // Kept up to date at ingest and analysis (`dashboard`): read, not counted.
        let mut figures = crate::dashboard::figures(self.pool(), area).await?;
        figures.top_leads = self
            .lead_queue(&LeadFilter {
                place: area.map(|a| (String::new(), Some(a.to_string()))),
                limit: 10,
                ..LeadFilter::default()
            })
            .await?;
        figures.review = self.review_stats().await?;
        Ok(figures)
    }

    async fn create_case(
        &self,
        team_id: i64,
        title: &str,
        user_id: i64,
        audit: AuditFor<'_, i64>,
    ) -> Result<i64, StoreError> {
        let mut w = self.begin_write().await?;
        let id = sqlx::query(
            "INSERT INTO cases (team_id, title, created_by, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(team_id)
        .bind(title)
        .bind(user_id)
        .bind(now_text(Utc::now()))
        .execute(&mut *w.tx)
        .await?
        .last_insert_rowid();
        w.audit(&audit(&id)).await?;
        w.commit().await?;
        Ok(id)
    }

    async fn cases_for_team(&self, team_id: i64) -> Result<Vec<CaseSummary>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN users u ON u.user_id = c.created_by \
             WHERE c.team_id = ? ORDER BY c.status DESC, c.case_id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(team_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(case_from_row).collect())
    }

    async fn case_for_team(
        &self,
        case_id: i64,
        team_id: i64,
    ) -> Result<Option<CaseSummary>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN users u ON u.user_id = c.created_by \
             WHERE c.case_id = ? AND c.team_id = ?"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .bind(team_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(case_from_row))
    }

    async fn set_case_status(
        &self,
        case_id: i64,
        status: &str,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE cases SET status = ? WHERE case_id = ?")
            .bind(status)
            .bind(case_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(audit).await?;
        w.commit().await
    }

    async fn case_items(&self, case_id: i64) -> Result<Vec<CaseItem>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.kind, i.item, u.username, i.added_at FROM case_items i \
             JOIN users u ON u.user_id = i.added_by WHERE i.case_id = ? \
             ORDER BY i.kind DESC, i.added_at, i.item",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| CaseItem {
                kind: r.get(0),
                item: r.get(1),
                added_by: r.get(2),
                added_at: r.get(3),
            })
            .collect())
    }

    async fn add_case_item(
        &self,
        case_id: i64,
        kind: &str,
        item: i64,
        user_id: i64,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        require_open_case(&mut w.tx, case_id).await?;
        let done = sqlx::query(
            "INSERT OR IGNORE INTO case_items (case_id, kind, item, added_by, added_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(case_id)
        .bind(kind)
        .bind(item)
        .bind(user_id)
        .bind(now_text(Utc::now()))
        .execute(&mut *w.tx)
        .await?;
        w.audit(audit).await?;
        w.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_case_item(
        &self,
        case_id: i64,
        kind: &str,
        item: i64,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        require_open_case(&mut w.tx, case_id).await?;
        let done =
            sqlx::query("DELETE FROM case_items WHERE case_id = ? AND kind = ? AND item = ?")
                .bind(case_id)
                .bind(kind)
                .bind(item)
                .execute(&mut *w.tx)
                .await?;
        w.audit(audit).await?;
        w.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn add_case_note(
        &self,
        case_id: i64,
        user_id: i64,
        text: &str,
        audit: &AuditEvent,
    ) -> Result<i64, StoreError> {
        let mut w = self.begin_write().await?;
        require_open_case(&mut w.tx, case_id).await?;
        let id = sqlx::query(
            "INSERT INTO case_notes (case_id, user_id, created_at, text) VALUES (?, ?, ?, ?)",
        )
        .bind(case_id)
        .bind(user_id)
        .bind(now_text(Utc::now()))
        .bind(text)
        .execute(&mut *w.tx)
        .await?
        .last_insert_rowid();
        w.audit(audit).await?;
        w.commit().await?;
        Ok(id)
    }

    async fn case_notes(&self, case_id: i64) -> Result<Vec<CaseNote>, StoreError> {
        let rows = sqlx::query(
            "SELECT n.note_id, u.username, n.created_at, n.text FROM case_notes n \
             JOIN users u ON u.user_id = n.user_id WHERE n.case_id = ? ORDER BY n.note_id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| CaseNote {
                note_id: r.get(0),
                username: r.get(1),
                created_at: r.get(2),
                text: r.get(3),
            })
            .collect())
    }

    async fn retention_plan(&self, cutoff: DateTime<Utc>) -> Result<RetentionPlan, StoreError> {
        let cutoff_text = now_text(cutoff);
        let ads_total: i64 = sqlx::query_scalar("SELECT count(*) FROM ads")
            .fetch_one(self.pool())
            .await?;
        let past: i64 = sqlx::query_scalar("SELECT count(*) FROM ads WHERE ingested_at < ?")
            .bind(&cutoff_text)
            .fetch_one(self.pool())
            .await?;
        let sql = format!("SELECT count(*) FROM ({EXPIRED_ADS})");
        let expired: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(&cutoff_text)
            .fetch_one(self.pool())
            .await?;
        Ok(RetentionPlan {
            cutoff: cutoff_text,
            ads_total: ads_total as u64,
            expired: expired as u64,
            kept: (past - expired) as u64,
        })
    }

    async fn purge_expired(
        &self,
        cutoff: DateTime<Utc>,
        audit: AuditFor<'_, u64>,
    ) -> Result<u64, StoreError> {
        let cutoff_text = now_text(cutoff);
        let mut w = self.begin_write().await?;
        let tx = &mut w.tx;
        sqlx::query("CREATE TEMP TABLE IF NOT EXISTS expired_ads (ad_key INTEGER PRIMARY KEY)")
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM expired_ads")
            .execute(&mut **tx)
            .await?;
        let sql = format!("INSERT INTO expired_ads (ad_key) {EXPIRED_ADS}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&cutoff_text)
            .execute(&mut **tx)
            .await?;
        // The full-text index holds its own copy of the words: remove them with the exact
        // text that was indexed (FTS5 external-content 'delete' command).
        sqlx::query(
            "INSERT INTO ads_fts (ads_fts, rowid, title, body) \
             SELECT 'delete', a.ad_key, a.title, a.body FROM ads a \
             JOIN expired_ads e ON e.ad_key = a.ad_key \
             WHERE a.ad_key <= (SELECT value FROM counters WHERE name = 'ads_fts_indexed_to')",
        )
        .execute(&mut **tx)
        .await?;
        let done = sqlx::query("DELETE FROM ads WHERE ad_key IN (SELECT ad_key FROM expired_ads)")
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM expired_ads")
            .execute(&mut **tx)
            .await?;
        // The ads and their places are gone: recount the dashboard's ad figures with them.
        crate::dashboard::recount_ads_in(tx).await?;
        let removed = done.rows_affected();
        w.audit(&audit(&removed)).await?;
        w.commit().await?;
        Ok(removed)
    }
}

/// Bring the full-text index up to date with ads stored since it was last brought up to date.
pub(crate) async fn update_search_index(store: &SqliteStore) -> Result<u64, StoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let from: i64 =
        sqlx::query_scalar("SELECT value FROM counters WHERE name = 'ads_fts_indexed_to'")
            .fetch_one(&mut *tx)
            .await?;
    let to: i64 = sqlx::query_scalar("SELECT coalesce(max(ad_key), 0) FROM ads")
        .fetch_one(&mut *tx)
        .await?;
    if to <= from {
        return Ok(0);
    }
    let done = sqlx::query(
        "INSERT INTO ads_fts (rowid, title, body) \
         SELECT ad_key, title, body FROM ads WHERE ad_key > ? AND ad_key <= ?",
    )
    .bind(from)
    .bind(to)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE counters SET value = ? WHERE name = 'ads_fts_indexed_to'")
        .bind(to)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::{fts_query, wilson_interval};

    #[test]
    fn wilson_intervals_match_published_values() {
        // Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 → 0.2553–0.3662,
        // 15/148 → 0.0624–0.1605, 0/20 → 0–0.1611, 1/29 → 0.0061–0.1718.
        let close = |(lo, hi): (f64, f64), (a, b): (f64, f64)| {
            assert!(
                (lo - a).abs() < 5e-4 && (hi - b).abs() < 5e-4,
                "{lo} {hi} vs {a} {b}"
            )
        };
        close(wilson_interval(81, 263).unwrap(), (0.2553, 0.3662));
        close(wilson_interval(15, 148).unwrap(), (0.0624, 0.1605));
        close(wilson_interval(0, 20).unwrap(), (0.0, 0.1611));
        close(wilson_interval(1, 29).unwrap(), (0.0061, 0.1718));
        assert_eq!(wilson_interval(0, 0), None);
        // One of two is "50%", but the interval says how little that means.
        let (lo, hi) = wilson_interval(1, 2).unwrap();
        assert!(lo < 0.1 && hi > 0.9);
        let (lo, hi) = wilson_interval(5, 5).unwrap();
        assert!(hi == 1.0 && lo > 0.5 && lo < 0.6);
    }

    /// The plan of each lead-queue statement for every sort: the networks table itself is
    /// never scanned (a scan reads every network's whole record); the filters and the sort
    /// read the `networks_for_queue` index, and rows are looked up only by id.
    #[tokio::test]
    async fn the_lead_queue_never_scans_the_networks_table() {
        use super::{LeadSort, lead_count_sql, lead_page_sql};
        let store = crate::SqliteStore::open("sqlite::memory:").await.unwrap();
        let plan = |sql: String, paged: bool| {
            let pool = store.pool().clone();
            async move {
                let mut query =
                    sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                        .bind(None::<&str>)
                        .bind(None::<&str>)
                        .bind(None::<&str>)
                        .bind(None::<&str>)
                        .bind(None::<&str>)
                        .bind(None::<&str>)
                        .bind(None::<i64>)
                        .bind(0i64);
                if paged {
                    query = query.bind(20i64).bind(0i64);
                }
                let rows = query.fetch_all(&pool).await.unwrap();
                rows.iter()
                    .map(|r| sqlx::Row::get::<String, _>(r, 3))
                    .collect::<Vec<_>>()
            }
        };
        let mut statements = vec![("count".to_string(), lead_count_sql(), false)];
        for sort in [
            LeadSort::Priority,
            LeadSort::Ads,
            LeadSort::FirstSeen,
            LeadSort::LastSeen,
            LeadSort::Network,
        ] {
            for asc in [false, true] {
                statements.push((
                    format!("{sort:?} asc={asc}"),
                    lead_page_sql(&sort.order_by(asc)),
                    true,
                ));
            }
        }
        for (name, sql, paged) in statements {
            let steps = plan(sql, paged).await;
            let on_networks: Vec<&String> = steps
                .iter()
                .filter(|s| s.starts_with("SCAN n") || s.starts_with("SEARCH n "))
                .collect();
            assert!(!on_networks.is_empty(), "{name}: {steps:?}");
            for step in on_networks {
                assert!(
                    step.contains("COVERING INDEX networks_for_queue")
                        || step.contains("USING INTEGER PRIMARY KEY"),
                    "{name}: {step} in {steps:?}"
                );
            }
        }
    }

    #[test]
    fn search_words_are_quoted_so_no_query_is_syntax() {
        assert_eq!(fts_query("new  girl"), Some("\"new\" \"girl\"".into()));
        assert_eq!(fts_query("a OR b"), Some("\"a\" \"OR\" \"b\"".into()));
        assert_eq!(fts_query("\"x"), Some("\"x\"".into()));
        assert_eq!(fts_query("  --- "), None);
    }
}
