//! Storage for the Plainsight workspace: the [`Store`] trait every backend implements, and the
//! SQLite implementation used on a single laptop. SQL lives per backend behind the trait
//! (sqlx's compile-time checks cannot target two databases at once), with one migration folder
//! per backend.

pub mod access;
pub mod analyst;
pub mod casework;
mod dashboard;
pub mod document;
mod error;
pub mod keys;
pub mod networks;
pub mod nibrs;
pub mod sqlite;
pub mod syslog;
#[cfg(feature = "testing")]
mod testing;

use async_trait::async_trait;
use plainsight_core::{Ad, Extraction, Identifier, IdentifierKind, identifiers_of};
use serde::Serialize;

pub use access::{
    AccessStore, Attempt, AttemptId, AttemptRequest, AuditEvent, AuditFilter, AuditFor, LockRule,
    NewSession, NewUser, SessionRecord, SessionStage, StoredAudit, UserRecord,
};
pub use analyst::{
    AdExportRow, AdFilter, AdHit, AnalystStore, HitPage, IdentifierQuery, RANKED_MATCHES,
    ReasonCount,
};
pub use casework::{
    CaseItem, CaseNote, CaseSummary, CaseworkStore, DashboardFigures, Lead, LeadFilter, LeadSort,
    NetworkLabel, NetworkSummary, REVIEW_LABELS, RetentionPlan, ReviewStats, SearchHit,
};
pub use error::StoreError;
pub use keys::KeyDir;
pub use networks::{
    AnalysisRun, NetworkFilter, NetworkStore, PreparedNetwork, RunSummary, StoredEvent, WeightSet,
};
pub use sqlite::{KeyOptions, SqliteStore};

/// An ad ready to be stored, with where it was read from. [`NewAd::new`] also does the CPU work
/// of storing it (content hash, identifiers, the compressed document), so callers can build
/// many in parallel and the single database writer only writes.
#[derive(Debug, Clone)]
pub struct NewAd {
    pub ad: Ad,
    pub extraction: Extraction,
    pub source_file: String,
    pub source_line: u64,
    content_hash: String,
    identifiers: Vec<Identifier>,
    document: Vec<u8>,
}

impl NewAd {
    pub fn new(
        ad: Ad,
        extraction: Extraction,
        source_file: String,
        source_line: u64,
    ) -> Result<NewAd, StoreError> {
        let document = document::encode(&ad, &extraction)?;
        Ok(NewAd {
            content_hash: ad.content_hash(),
            identifiers: identifiers_of(&ad, &extraction),
            ad,
            extraction,
            source_file,
            source_line,
            document,
        })
    }
}

/// What happened to one batch of ads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub stored: u64,
    /// Ads not stored because the same (site, id) or the same content was already there,
    /// as (source file, line, ad id).
    pub duplicates: Vec<(String, u64, String)>,
}

/// A stored ad with its extraction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAd {
    pub ad_key: i64,
    pub ad: Ad,
    pub extraction: Extraction,
    pub source_file: String,
    pub source_line: u64,
    pub ingested_at: String,
}

/// A short reference to an ad, for lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdRef {
    pub ad_key: i64,
    pub site: String,
    pub id: String,
    pub title: Option<String>,
    pub posted_at: Option<String>,
}

/// One identifier value and how many ads carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentifierCount {
    pub kind: String,
    pub platform: String,
    pub value: String,
    pub ads: u64,
}

/// Counts that describe a workspace at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WorkspaceSummary {
    pub ads: u64,
    pub ads_with_phone: u64,
    pub ads_with_obscured_phone: u64,
    pub distinct_phones: u64,
    pub distinct_emails: u64,
    pub distinct_handles: u64,
    pub indicator_hits: Vec<(String, u64)>,
    pub places: Vec<(String, u64)>,
}

/// The storage every backend provides. Methods are coarse (batches, summaries) so that a
/// remote database is not asked one row at a time.
#[async_trait]
pub trait Store: Send + Sync {
    /// Store a batch of ads and their identifiers atomically: either the whole batch is
    /// written or none of it. Ads already present (same site and id, or same content) are
    /// skipped and reported as duplicates.
    async fn insert_ads(&self, batch: &[NewAd]) -> Result<BatchOutcome, StoreError>;

    /// Number of stored ads.
    async fn count_ads(&self) -> Result<u64, StoreError>;

    /// One ad by its site and source id (`site` is empty when the ad named none).
    async fn get_ad(&self, site: &str, id: &str) -> Result<Option<StoredAd>, StoreError>;

    /// Every ad carrying this identifier value (e.g. a phone in E.164), oldest first.
    async fn ads_with_identifier(
        &self,
        kind: IdentifierKind,
        value: &str,
    ) -> Result<Vec<AdRef>, StoreError>;

    /// The identifiers of one kind carried by the most ads.
    async fn top_identifiers(
        &self,
        kind: IdentifierKind,
        limit: u32,
    ) -> Result<Vec<IdentifierCount>, StoreError>;

    /// Counts describing the workspace.
    async fn summary(&self) -> Result<WorkspaceSummary, StoreError>;

    /// Get ready to store about `expected_ads` ads. When that is many and at least as many as
    /// the workspace holds, the store may drop secondary indexes that [`Store::index_new_ads`]
    /// builds again at the end: building an index once from sorted keys is far cheaper than
    /// inserting a million random keys into it one batch at a time. Queries stay correct
    /// meanwhile, only slower. Returns whether indexes were dropped.
    async fn begin_bulk_load(&self, expected_ads: u64) -> Result<bool, StoreError>;

    /// Bring the indexes up to date with the ads stored since they last were: build any
    /// secondary index a bulk load dropped (or an interrupted one left missing), and add the
    /// new ads to the full-text search index in one bulk pass (cheaper than indexing row by
    /// row during ingest). Returns how many ads were added to the search index.
    async fn index_new_ads(&self) -> Result<u64, StoreError>;

    /// Add the ads stored since the last call to the full-text search index, and nothing else
    /// (no dropped index is rebuilt). A long ingest calls it every few tens of thousands of ads
    /// so that the search index is built while extraction keeps the other core busy, instead
    /// of in one pass at the end. Returns how many ads were added.
    async fn update_search_index(&self) -> Result<u64, StoreError>;

    /// The key that files written beside the workspace (quarantine files) are sealed with,
    /// when the workspace is encrypted: what the database protects, its side files protect too.
    fn sealing_key(&self) -> Option<plainsight_access::keys::DatabaseKey> {
        None
    }
}

/// Everything the web application needs from one workspace database.
pub trait WorkspaceStore:
    Store + NetworkStore + AccessStore + CaseworkStore + AnalystStore
{
}

impl<T: Store + NetworkStore + AccessStore + CaseworkStore + AnalystStore> WorkspaceStore for T {}

/// Open the store a URL names (`sqlite://path`, or a bare path to a SQLite file), creating
/// and migrating it when needed.
pub async fn open(url: &str) -> Result<Box<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(StoreError::UnsupportedUrl {
            url: redact_url(url),
            reason: "PostgreSQL support arrives with the shared-server release; use a sqlite:// URL",
        });
    }
    Ok(Box::new(SqliteStore::open(url).await?))
}

/// A database URL with any password removed, safe to print.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://ana:s3cret@db:5432/x"),
            "postgres://ana:***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite://./a.db"), "sqlite://./a.db");
    }
}
