//! The audit log's record format and its hash chain: each entry's hash covers the previous
//! entry's hash and an unambiguous encoding of the entry, so altering, deleting or reordering
//! any stored entry breaks the chain at that entry (OWASP ASVS 7.3.3, CJIS 5.4.6).
//!
//! An unkeyed chain (SHA-256) can be recomputed by whoever holds the database file, so entries
//! are chained with HMAC-SHA-256 under an [`AuditKey`] kept outside the database once a
//! workspace has one; entries written before the key existed keep their SHA-256 hashes and the
//! switch-over point is the first [`Checkpoint`] (kind `start`), also kept outside the
//! database. Signed checkpoints of the head catch a chain cut short or rewritten wholesale.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = hmac::Hmac<Sha256>;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It was done.
    Success,
    /// It was attempted and failed (e.g. a wrong password).
    Failure,
    /// It was refused for lack of permission.
    Denied,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Success, Outcome::Failure, Outcome::Denied];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An outcome name that is not success, failure or denied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown outcome {0:?}; the outcomes are success, failure and denied")]
pub struct UnknownOutcome(pub String);

impl FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownOutcome(s.to_string()))
    }
}

/// One audit-log entry as stored, without its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the log, 1 for the first entry, no gaps.
    pub seq: i64,
    /// When it happened. Only milliseconds enter the hash (the database keeps milliseconds), so
    /// a record hashed with `Utc::now()` verifies after a round trip through the database.
    pub at: DateTime<Utc>,
    /// User name of who did it; `None` before log-on (e.g. a failed log-on for an unknown name).
    pub actor: Option<String>,
    /// Client address.
    pub source: Option<String>,
    /// What was done, e.g. `login`, `view_network`.
    pub action: String,
    /// What it was done to, e.g. `network:42`.
    pub object: Option<String>,
    pub outcome: Outcome,
    /// Free-text detail, e.g. the reason for a denial.
    pub detail: Option<String>,
}

/// The "previous hash" of entry 1: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Version of [`canonical_bytes`]' layout, its first byte, so the encoding can change without
/// old entries becoming ambiguous with new ones.
const CANONICAL_VERSION: u8 = 1;

fn put_str(out: &mut Vec<u8>, s: &str) {
    // u64 so that no string length can overflow the prefix.
    out.extend_from_slice(&(s.len() as u64).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    // A presence byte keeps `None` distinct from `Some("")`.
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

/// The time as it is hashed: RFC 3339, UTC with `Z`, exactly three fractional digits.
fn canonical_time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The bytes a record's hash covers: a version byte, then `seq` as 8 big-endian bytes, then
/// every other field in declaration order, each length-prefixed (8-byte big-endian length) and
/// each optional field preceded by a presence byte. Every field's extent is thus fixed by the
/// bytes before it, so no two different records encode the same (moving a character from
/// `actor` to `object` changes a length prefix).
pub fn canonical_bytes(r: &AuditRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.push(CANONICAL_VERSION);
    out.extend_from_slice(&r.seq.to_be_bytes());
    put_str(&mut out, &canonical_time(&r.at));
    put_opt(&mut out, r.actor.as_deref());
    put_opt(&mut out, r.source.as_deref());
    put_str(&mut out, &r.action);
    put_opt(&mut out, r.object.as_deref());
    put_str(&mut out, r.outcome.as_str());
    put_opt(&mut out, r.detail.as_deref());
    out
}

/// Lowercase hex SHA-256 of `prev_hash_hex` ‖ `canonical_bytes(r)`. The previous hash enters
/// as its text (64 ASCII hex characters, as stored) rather than decoded, so the function is
/// defined for any stored value; a malformed stored previous hash cannot match the entry
/// before it and is reported by [`ChainVerifier`] anyway.
pub fn chain_hash(prev_hash_hex: &str, r: &AuditRecord) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash_hex.as_bytes());
    hasher.update(canonical_bytes(r));
    hex::encode(hasher.finalize())
}

/// The secret key of the keyed audit chain and of its checkpoints: 256 random bits, kept
/// outside the database (a key file or an environment variable), as 64 hex characters.
/// Its `Debug` output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

/// Text that is not a key: not 64 hex characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "an audit key is 64 hexadecimal characters (256 bits); this one has {length} characters or a non-hex character"
)]
pub struct BadAuditKey {
    pub length: usize,
}

impl AuditKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<AuditKey, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(AuditKey(key))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// Reads the hex form (surrounding white space allowed, as in a key file with a newline).
    pub fn from_hex(text: &str) -> Result<AuditKey, BadAuditKey> {
        let text = text.trim();
        let bad = BadAuditKey {
            length: text.chars().count(),
        };
        let bytes = hex::decode(text).map_err(|_| bad.clone())?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| bad)?;
        Ok(AuditKey(key))
    }

    /// The hex form, for the key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes a key of any length; 32 bytes cannot fail.
        <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }
}

/// Lowercase hex HMAC-SHA-256 under `key` of `prev_hash_hex` ‖ `canonical_bytes(r)`: the same
/// message as [`chain_hash`], so a keyed entry differs from an unkeyed one only in who can make
/// it. Without the key nobody can compute an entry's hash, so a rewritten log cannot be
/// re-chained to look intact.
pub fn keyed_chain_hash(key: &AuditKey, prev_hash_hex: &str, r: &AuditRecord) -> String {
    let mut mac = key.mac();
    mac.update(prev_hash_hex.as_bytes());
    mac.update(&canonical_bytes(r));
    hex::encode(mac.finalize().into_bytes())
}

/// What is wrong at a break in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BreakKind {
    /// The stored hash does not match the entry's contents and previous hash.
    Altered,
    /// The entry's previous hash is not the hash of the entry before it.
    Unlinked,
    /// The sequence number is not the one after the previous entry's.
    Gap { expected: i64 },
    /// The first entry's previous hash is not [`GENESIS`].
    FirstNotGenesis,
    /// The entry comes after the switch to the keyed chain but its hash is not an HMAC under
    /// the audit key: someone without the key wrote or rewrote it (with a plain SHA-256 chain
    /// or another key).
    NotSigned,
}

/// The first problem found at one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct ChainBreak {
    /// The sequence number stored in the entry where the break was found.
    pub seq: i64,
    pub kind: BreakKind,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match self.kind {
            BreakKind::Altered => write!(f, "entry {seq} was altered after it was written"),
            BreakKind::Unlinked => write!(
                f,
                "entry {seq} does not follow the entry before it: an entry was removed or the order was changed"
            ),
            BreakKind::Gap { expected } if expected < seq => write!(
                f,
                "entry {expected} is missing: the log goes on at entry {seq}, so entries were deleted or moved"
            ),
            BreakKind::Gap { expected } => write!(
                f,
                "entry {seq} is out of order: entry {expected} was expected next"
            ),
            BreakKind::FirstNotGenesis => write!(
                f,
                "entry {seq} is the first entry but does not start the chain: earlier entries are missing"
            ),
            BreakKind::NotSigned => write!(
                f,
                "entry {seq} is not signed with the audit key: it was written or rewritten by someone without the key"
            ),
        }
    }
}

/// Totals of a verified run of entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// Entries pushed.
    pub entries: u64,
    /// Sequence number of the last entry pushed.
    pub last_seq: Option<i64>,
    /// Hash of the last entry ([`GENESIS`] if none). Deleting the newest entries leaves a
    /// shorter chain that is still valid, so keep this value outside the database (a report,
    /// a signed note) and compare it later: that is what detects truncation.
    pub last_hash: String,
}

/// Verifies stored entries one at a time, in `seq` order, without holding them in memory.
///
/// After a break the verifier continues from the entry it was given (it takes that entry's
/// seq and hash as the new anchor), so a caller that goes on pushing sees each further break
/// once, instead of every later entry failing because of the first.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    entries: u64,
    last_seq: Option<i64>,
    last_hash: String,
    /// The audit key and the first sequence number that must be keyed.
    key: Option<(AuditKey, i64)>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// For a log read from its first entry, which must be entry 1 chained to [`GENESIS`].
    pub fn new() -> Self {
        ChainVerifier {
            entries: 0,
            last_seq: None,
            last_hash: GENESIS.to_string(),
            key: None,
        }
    }

    /// Checks entries from `keyed_from` on as HMACs under `key` (and only so); earlier entries,
    /// written before the workspace had a key, may carry either hash.
    pub fn with_key(mut self, key: AuditKey, keyed_from: i64) -> Self {
        self.key = Some((key, keyed_from));
        self
    }

    /// For a log read from after a trusted checkpoint (entry `seq` with hash `hash`), e.g. once
    /// retention has removed the oldest entries, or to check only what was added since the last
    /// verification.
    pub fn resume_after(seq: i64, hash: &str) -> Self {
        ChainVerifier {
            entries: 0,
            last_seq: Some(seq),
            last_hash: hash.to_string(),
            key: None,
        }
    }

    /// Checks the next stored entry: its sequence number, its link to the previous entry and
    /// its own hash, in that order, and reports the first problem.
    pub fn push(
        &mut self,
        record: &AuditRecord,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), ChainBreak> {
        let result = self.check(record, prev_hash, hash);
        self.entries += 1;
        self.last_seq = Some(record.seq);
        self.last_hash = hash.to_string();
        result
    }

    fn check(&self, record: &AuditRecord, prev_hash: &str, hash: &str) -> Result<(), ChainBreak> {
        let fail = |kind| {
            Err(ChainBreak {
                seq: record.seq,
                kind,
            })
        };
        let expected = self.last_seq.map_or(1, |last| last.saturating_add(1));
        if record.seq != expected {
            return fail(BreakKind::Gap { expected });
        }
        if prev_hash != self.last_hash {
            return fail(if self.last_seq.is_none() {
                BreakKind::FirstNotGenesis
            } else {
                BreakKind::Unlinked
            });
        }
        let unkeyed_matches = || chain_hash(prev_hash, record) == hash;
        match &self.key {
            None => {
                if !unkeyed_matches() {
                    return fail(BreakKind::Altered);
                }
            }
            Some((key, keyed_from)) => {
                // Compared in constant time: the stored hash is outside input.
                let keyed = keyed_chain_hash(key, prev_hash, record);
                let keyed_matches: bool =
                    subtle::ConstantTimeEq::ct_eq(keyed.as_bytes(), hash.as_bytes()).into();
                if !keyed_matches {
                    if record.seq < *keyed_from {
                        if !unkeyed_matches() {
                            return fail(BreakKind::Altered);
                        }
                    } else if unkeyed_matches() {
                        return fail(BreakKind::NotSigned);
                    } else {
                        return fail(BreakKind::Altered);
                    }
                }
            }
        }
        Ok(())
    }

    pub fn finish(self) -> ChainReport {
        ChainReport {
            entries: self.entries,
            last_seq: self.last_seq,
            last_hash: self.last_hash,
        }
    }
}

/// Why a checkpoint was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckpointKind {
    /// The audit key was created: `seq` is the last entry before it (0 when the log was
    /// empty), so entries after `seq` must be keyed. The first line of a checkpoint file.
    Start,
    /// The head of the log at some moment (every N entries, server start and stop, on request).
    Head,
}

impl CheckpointKind {
    fn as_str(self) -> &'static str {
        match self {
            CheckpointKind::Start => "start",
            CheckpointKind::Head => "head",
        }
    }
}

/// The head of the audit log at a moment, signed with the audit key and kept outside the
/// database: a log later cut short (the newest entries removed) or rewritten no longer holds
/// this entry with this hash.
///
/// One line of the checkpoint file: `v1 KIND SEQ HASH TIME MAC`, space-separated, where
/// TIME is RFC 3339 UTC with milliseconds and MAC is the hex HMAC-SHA-256 under the audit key
/// of `plainsight audit checkpoint v1\n` followed by `KIND SEQ HASH TIME`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub kind: CheckpointKind,
    /// The entry checkpointed (0 with [`GENESIS`]: the empty log).
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
}

/// A checkpoint line that cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a checkpoint line ({0})")]
    Malformed(&'static str),
    #[error("its signature does not match: the line was changed, or signed with another key")]
    BadSignature,
}

impl Checkpoint {
    fn signed_text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.kind.as_str(),
            self.seq,
            self.hash,
            canonical_time(&self.at)
        )
    }

    fn signature(&self, key: &AuditKey) -> String {
        let mut mac = key.mac();
        // A prefix no chained entry can start with (those start with a hex previous hash).
        mac.update(b"plainsight audit checkpoint v1\n");
        mac.update(self.signed_text().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The line to append to the checkpoint file (without the newline).
    pub fn to_line(&self, key: &AuditKey) -> String {
        format!("v1 {} {}", self.signed_text(), self.signature(key))
    }

    /// Reads one line and checks its signature.
    pub fn parse_line(line: &str, key: &AuditKey) -> Result<Checkpoint, CheckpointError> {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        let [version, kind, seq, hash, at, mac] = fields[..] else {
            return Err(CheckpointError::Malformed("expected six fields"));
        };
        if version != "v1" {
            return Err(CheckpointError::Malformed("unknown version"));
        }
        let kind = match kind {
            "start" => CheckpointKind::Start,
            "head" => CheckpointKind::Head,
            _ => return Err(CheckpointError::Malformed("unknown kind")),
        };
        let seq = seq
            .parse::<i64>()
            .map_err(|_| CheckpointError::Malformed("sequence number"))?;
        let at = DateTime::parse_from_rfc3339(at)
            .map_err(|_| CheckpointError::Malformed("time"))?
            .with_timezone(&Utc);
        let checkpoint = Checkpoint {
            kind,
            seq,
            hash: hash.to_string(),
            at,
        };
        let expected = checkpoint.signature(key);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            mac.as_bytes(),
        )) {
            return Err(CheckpointError::BadSignature);
        }
        Ok(checkpoint)
    }
}

/// The marker that precedes a checkpoint line in a syslog message of ours
/// (`plainsight[PID]: audit-checkpoint v1 …`).
pub const SYSLOG_MARKER: &str = "audit-checkpoint ";

/// The checkpoint line in one line of a checkpoint copy: the line itself when it is a bare
/// checkpoint (a copy of the `audit-checkpoints` file), the text after the marker when it is a
/// syslog line of ours, `None` for any other line (a syslog file holds other programs' lines).
pub fn checkpoint_text(line: &str) -> Option<&str> {
    let line = line.trim();
    if line.starts_with("v1 ") {
        return Some(line);
    }
    let at = line.find(SYSLOG_MARKER)?;
    // Only a line of our tag: another program quoting the marker is not a copy of ours.
    if !line[..at].contains("plainsight") {
        return None;
    }
    Some(line[at + SYSLOG_MARKER.len()..].trim())
}

/// How a stored log disagrees with a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckpointProblem {
    #[error(
        "checkpoint line {line} names entry {seq}, which is no longer in the log: the newest entries were removed or the log was replaced"
    )]
    Missing { line: usize, seq: i64 },
    #[error("entry {seq} is not the entry checkpointed at line {line}: the log was rewritten")]
    Changed { line: usize, seq: i64 },
}

/// Compares a log, entry by entry as it is read, with every trusted checkpoint.
#[derive(Debug, Clone, Default)]
pub struct CheckpointCheck {
    /// seq -> (checkpoint file line, hash), for every checkpoint of a real entry.
    expected: std::collections::BTreeMap<i64, Vec<(usize, String)>>,
    problems: Vec<CheckpointProblem>,
}

impl CheckpointCheck {
    /// From checkpoints with their line numbers in the file.
    pub fn new<'a>(checkpoints: impl IntoIterator<Item = (usize, &'a Checkpoint)>) -> Self {
        let mut check = CheckpointCheck::default();
        for (line, c) in checkpoints {
            // Seq 0 is the empty log: nothing to compare.
            if c.seq > 0 {
                check
                    .expected
                    .entry(c.seq)
                    .or_default()
                    .push((line, c.hash.clone()));
            } else if c.hash != GENESIS {
                check
                    .problems
                    .push(CheckpointProblem::Changed { line, seq: 0 });
            }
        }
        check
    }

    /// The stored entry `seq` with hash `hash` was read.
    pub fn observe(&mut self, seq: i64, hash: &str) {
        if let Some(list) = self.expected.remove(&seq) {
            for (line, expected) in list {
                if expected != hash {
                    self.problems.push(CheckpointProblem::Changed { line, seq });
                }
            }
        }
    }

    /// Every problem found; checkpoints of entries never read are missing entries.
    pub fn finish(mut self) -> Vec<CheckpointProblem> {
        for (seq, list) in std::mem::take(&mut self.expected) {
            for (line, _) in list {
                self.problems.push(CheckpointProblem::Missing { line, seq });
            }
        }
        self.problems.sort_by_key(|p| match p {
            CheckpointProblem::Missing { line, .. } | CheckpointProblem::Changed { line, .. } => {
                *line
            }
        });
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// Reads [`canonical_bytes`] back. If every encoding decodes to the record it came from,
    /// the encoding is injective: two different records cannot share bytes.
    fn decode(bytes: &[u8]) -> Option<AuditRecord> {
        struct Reader<'a>(&'a [u8]);
        impl Reader<'_> {
            fn take(&mut self, n: usize) -> Option<&[u8]> {
                if self.0.len() < n {
                    return None;
                }
                let (head, rest) = self.0.split_at(n);
                self.0 = rest;
                Some(head)
            }
            fn u64(&mut self) -> Option<u64> {
                Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
            }
            fn string(&mut self) -> Option<String> {
                let n = usize::try_from(self.u64()?).ok()?;
                String::from_utf8(self.take(n)?.to_vec()).ok()
            }
            fn opt(&mut self) -> Option<Option<String>> {
                match self.take(1)?[0] {
                    0 => Some(None),
                    1 => Some(Some(self.string()?)),
                    _ => None,
                }
            }
        }
        let mut r = Reader(bytes);
        if r.take(1)? != [CANONICAL_VERSION] {
            return None;
        }
        let seq = r.u64()? as i64;
        let at = DateTime::parse_from_rfc3339(&r.string()?)
            .ok()?
            .with_timezone(&Utc);
        let record = AuditRecord {
            seq,
            at,
            actor: r.opt()?,
            source: r.opt()?,
            action: r.string()?,
            object: r.opt()?,
            outcome: r.string()?.parse().ok()?,
            detail: r.opt()?,
        };
        r.0.is_empty().then_some(record)
    }

    fn record(seq: i64) -> AuditRecord {
        AuditRecord {
            seq,
            at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap(),
            actor: Some("jsmith".into()),
            source: Some("10.0.0.7".into()),
            action: "view_network".into(),
            object: Some(format!("network:{seq}")),
            outcome: Outcome::Success,
            detail: None,
        }
    }

    /// Stored rows: (record, prev_hash, hash), chained from GENESIS.
    fn chain(records: Vec<AuditRecord>) -> Vec<(AuditRecord, String, String)> {
        let mut prev = GENESIS.to_string();
        records
            .into_iter()
            .map(|r| {
                let hash = chain_hash(&prev, &r);
                let row = (r, prev.clone(), hash.clone());
                prev = hash;
                row
            })
            .collect()
    }

    /// Every break found, verifying the rows in the order given.
    fn verify(rows: &[(AuditRecord, String, String)]) -> (Vec<ChainBreak>, ChainReport) {
        let mut verifier = ChainVerifier::new();
        let breaks = rows
            .iter()
            .filter_map(|(r, prev, hash)| verifier.push(r, prev, hash).err())
            .collect();
        (breaks, verifier.finish())
    }

    fn key(byte: u8) -> AuditKey {
        AuditKey::from_bytes([byte; 32])
    }

    /// Rows chained with `key` from entry `keyed_from` on, unkeyed before.
    fn keyed_chain(
        records: Vec<AuditRecord>,
        key: &AuditKey,
        keyed_from: i64,
    ) -> Vec<(AuditRecord, String, String)> {
        let mut prev = GENESIS.to_string();
        records
            .into_iter()
            .map(|r| {
                let hash = if r.seq >= keyed_from {
                    keyed_chain_hash(key, &prev, &r)
                } else {
                    chain_hash(&prev, &r)
                };
                let row = (r, prev.clone(), hash.clone());
                prev = hash;
                row
            })
            .collect()
    }

    fn verify_keyed(
        rows: &[(AuditRecord, String, String)],
        key: &AuditKey,
        keyed_from: i64,
    ) -> Vec<ChainBreak> {
        let mut verifier = ChainVerifier::new().with_key(key.clone(), keyed_from);
        rows.iter()
            .filter_map(|(r, prev, hash)| verifier.push(r, prev, hash).err())
            .collect()
    }

    #[test]
    fn keyed_chain_verifies_with_its_key_and_old_entries_stay_valid() {
        let k = key(7);
        // Entries 1-3 from before the key, 4-6 keyed.
        let rows = keyed_chain((1..=6).map(record).collect(), &k, 4);
        assert_eq!(verify_keyed(&rows, &k, 4), []);
        assert_ne!(rows[3].2, chain_hash(&rows[3].1, &rows[3].0));
        // Without the key the keyed part does not verify.
        let (breaks, _) = verify(&rows);
        assert_eq!(breaks[0].seq, 4);
    }

    #[test]
    fn a_chain_rehashed_without_the_key_is_not_signed() {
        let k = key(7);
        let mut rows = keyed_chain((1..=5).map(record).collect(), &k, 1);
        // The forger changes entry 3 and re-chains everything after it with plain SHA-256.
        rows[2].0.detail = Some("nothing happened".into());
        let forged = chain(rows.iter().map(|r| r.0.clone()).collect());
        let breaks = verify_keyed(&forged, &k, 1);
        assert_eq!(
            breaks.first(),
            Some(&ChainBreak {
                seq: 1,
                kind: BreakKind::NotSigned
            })
        );
        // Re-chained with another key: every entry fails, from the first.
        let other = keyed_chain(forged.iter().map(|r| r.0.clone()).collect(), &key(8), 1);
        let breaks = verify_keyed(&other, &k, 1);
        assert_eq!(breaks.len(), 5);
        assert_eq!(breaks[0].kind, BreakKind::Altered);
        // Marking entries as written before the key does not help: the switch-over point
        // comes from the checkpoint file, not from the rows.
        let unkeyed = chain((1..=5).map(record).collect());
        assert_eq!(verify_keyed(&unkeyed, &k, 1)[0].kind, BreakKind::NotSigned);
    }

    #[test]
    fn audit_keys_read_back_and_never_print() {
        let k = AuditKey::generate().unwrap();
        assert_eq!(
            AuditKey::from_hex(&format!("{}\n", k.to_hex())),
            Ok(k.clone())
        );
        assert_eq!(format!("{k:?}"), "AuditKey(..)");
        assert!(AuditKey::from_hex("abcd").is_err());
        assert!(AuditKey::from_hex(&"g".repeat(64)).is_err());
        assert_ne!(AuditKey::generate().unwrap(), k);
    }

    #[test]
    fn checkpoint_lines_round_trip_and_detect_changes() {
        let k = key(3);
        let c = Checkpoint {
            kind: CheckpointKind::Head,
            seq: 42,
            hash: "ab".repeat(32),
            at: Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).unwrap(),
        };
        let line = c.to_line(&k);
        assert!(line.starts_with("v1 head 42 abab"), "{line}");
        assert_eq!(Checkpoint::parse_line(&line, &k), Ok(c.clone()));
        assert_eq!(
            Checkpoint::parse_line(&line, &key(4)),
            Err(CheckpointError::BadSignature)
        );
        let moved = line.replacen(" 42 ", " 41 ", 1);
        assert_eq!(
            Checkpoint::parse_line(&moved, &k),
            Err(CheckpointError::BadSignature)
        );
        assert!(matches!(
            Checkpoint::parse_line("v1 head 42", &k),
            Err(CheckpointError::Malformed(_))
        ));
    }

    #[test]
    fn checkpoints_catch_truncation_and_rewrites() {
        let rows = chain((1..=5).map(record).collect());
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).unwrap();
        let cp = |seq: i64, hash: &str| Checkpoint {
            kind: CheckpointKind::Head,
            seq,
            hash: hash.to_string(),
            at,
        };
        let checkpoints = [cp(0, GENESIS), cp(3, &rows[2].2), cp(5, &rows[4].2)];
        let run = |rows: &[(AuditRecord, String, String)]| {
            let mut check = CheckpointCheck::new(checkpoints.iter().enumerate());
            for (r, _, hash) in rows {
                check.observe(r.seq, hash);
            }
            check.finish()
        };
        assert_eq!(run(&rows), []);
        // The two newest entries removed: a consistent chain, but checkpoint 5 is missing.
        assert_eq!(
            run(&rows[..3]),
            [CheckpointProblem::Missing { line: 2, seq: 5 }]
        );
        // Rewritten from entry 2 on (consistently re-chained): entry 3 is not the one signed.
        let mut rewritten: Vec<AuditRecord> = rows.iter().map(|r| r.0.clone()).collect();
        rewritten[1].detail = Some("changed".into());
        let problems = run(&chain(rewritten));
        assert_eq!(
            problems,
            [
                CheckpointProblem::Changed { line: 1, seq: 3 },
                CheckpointProblem::Changed { line: 2, seq: 5 }
            ]
        );
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let base = record(1);
        let a = AuditRecord {
            actor: Some("ab".into()),
            object: None,
            ..base.clone()
        };
        let b = AuditRecord {
            actor: Some("a".into()),
            object: Some("b".into()),
            ..base.clone()
        };
        let c = AuditRecord {
            detail: Some(String::new()),
            ..base.clone()
        };
        let d = AuditRecord {
            detail: None,
            ..base.clone()
        };
        assert_ne!(canonical_bytes(&a), canonical_bytes(&b));
        assert_ne!(canonical_bytes(&c), canonical_bytes(&d));
        assert_eq!(decode(&canonical_bytes(&c)), Some(c));
    }

    #[test]
    fn time_is_hashed_to_the_millisecond_in_utc() {
        let mut r = record(1);
        r.at = Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap();
        let bytes = canonical_bytes(&r);
        let text = "2023-11-14T22:13:20.123Z";
        assert!(bytes.windows(text.len()).any(|w| w == text.as_bytes()));
        // Sub-millisecond digits do not matter, so a hash made before storing verifies after.
        let stored = AuditRecord {
            at: Utc.timestamp_opt(1_700_000_000, 123_000_000).unwrap(),
            ..r.clone()
        };
        assert_eq!(chain_hash(GENESIS, &r), chain_hash(GENESIS, &stored));
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain((1..=5).map(record).collect());
        let (breaks, report) = verify(&rows);
        assert_eq!(breaks, []);
        assert_eq!(report.entries, 5);
        assert_eq!(report.last_seq, Some(5));
        assert_eq!(report.last_hash, rows[4].2);
        let empty = ChainVerifier::new().finish();
        assert_eq!((empty.entries, empty.last_seq), (0, None));
        assert_eq!(empty.last_hash, GENESIS);
    }

    #[test]
    fn first_entry_must_start_at_genesis() {
        let mut rows = chain(vec![record(1)]);
        let forged = "f".repeat(64);
        rows[0].2 = chain_hash(&forged, &rows[0].0);
        rows[0].1 = forged;
        let (breaks, _) = verify(&rows);
        assert_eq!(
            breaks,
            [ChainBreak {
                seq: 1,
                kind: BreakKind::FirstNotGenesis
            }]
        );
    }

    #[test]
    fn resume_after_a_checkpoint() {
        let rows = chain((1..=6).map(record).collect());
        let mut verifier = ChainVerifier::resume_after(3, &rows[2].2);
        for (r, prev, hash) in &rows[3..] {
            verifier.push(r, prev, hash).unwrap();
        }
        let report = verifier.finish();
        assert_eq!((report.entries, report.last_seq), (3, Some(6)));
    }

    #[test]
    fn swapped_contents_under_the_same_seqs_are_unlinked() {
        // Exchanging two entries' stored contents (all but seq) breaks the link at the first.
        let mut rows = chain((1..=5).map(record).collect());
        let (mut two, mut three) = (rows[1].clone(), rows[2].clone());
        std::mem::swap(&mut two.0.seq, &mut three.0.seq);
        rows[1] = three;
        rows[2] = two;
        let (breaks, _) = verify(&rows);
        assert_eq!(
            breaks[0],
            ChainBreak {
                seq: 2,
                kind: BreakKind::Unlinked
            }
        );
    }

    #[test]
    fn messages_are_readable() {
        let at = |kind| ChainBreak { seq: 17, kind }.to_string();
        assert_eq!(
            at(BreakKind::Altered),
            "entry 17 was altered after it was written"
        );
        assert!(at(BreakKind::Gap { expected: 15 }).starts_with("entry 15 is missing"));
        assert!(at(BreakKind::Gap { expected: 18 }).contains("out of order"));
        assert!(at(BreakKind::Unlinked).contains("does not follow"));
        assert!(at(BreakKind::FirstNotGenesis).contains("first entry"));
    }

    #[test]
    fn outcome_names() {
        for o in Outcome::ALL {
            assert_eq!(o.as_str().parse::<Outcome>(), Ok(o));
            assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{o}\""));
        }
        assert!(
            "ok".parse::<Outcome>()
                .unwrap_err()
                .to_string()
                .contains("success")
        );
    }

    /// Short strings over a tiny alphabet, so that boundary confusions (one field's end being
    /// another's start) are likely, plus `None` and `Some("")`.
    fn opt_text() -> impl Strategy<Value = Option<String>> {
        prop_oneof![Just(None), "[ab:]{0,3}".prop_map(Some)]
    }

    fn any_record() -> impl Strategy<Value = AuditRecord> {
        (
            any::<i64>(),
            0i64..4_102_444_800_000, // milliseconds up to the year 2100
            opt_text(),
            opt_text(),
            "[ab:]{0,3}",
            opt_text(),
            prop::sample::select(Outcome::ALL.to_vec()),
            opt_text(),
        )
            .prop_map(
                |(seq, ms, actor, source, action, object, outcome, detail)| AuditRecord {
                    seq,
                    at: DateTime::from_timestamp_millis(ms).unwrap(),
                    actor,
                    source,
                    action,
                    object,
                    outcome,
                    detail,
                },
            )
    }

    /// One change to a stored chain, and the break it must produce.
    #[derive(Debug, Clone)]
    enum Tamper {
        /// Change field `field` (0..8) of entry `index`.
        Alter {
            index: usize,
            field: usize,
        },
        Delete {
            index: usize,
        },
        /// Exchange the rows at two positions (as if the stored order were changed).
        Swap {
            i: usize,
            j: usize,
        },
    }

    fn alter(r: &mut AuditRecord, field: usize) {
        fn flip(s: &mut Option<String>) {
            *s = match s.take() {
                None => Some(String::new()),
                Some(s) if s.is_empty() => None,
                Some(s) => Some(format!("{s}x")),
            };
        }
        match field {
            0 => r.seq += 1_000,
            1 => r.at += chrono::Duration::milliseconds(1),
            2 => flip(&mut r.actor),
            3 => flip(&mut r.source),
            4 => r.action.push('x'),
            5 => flip(&mut r.object),
            6 => {
                r.outcome = match r.outcome {
                    Outcome::Success => Outcome::Denied,
                    Outcome::Failure | Outcome::Denied => Outcome::Success,
                }
            }
            _ => flip(&mut r.detail),
        }
    }

    fn chain_and_tamper() -> impl Strategy<Value = (Vec<AuditRecord>, Tamper)> {
        prop::collection::vec(any_record(), 2..10).prop_flat_map(|records| {
            let n = records.len();
            let tamper = prop_oneof![
                (0..n, 0usize..8).prop_map(|(index, field)| Tamper::Alter { index, field }),
                (0..n).prop_map(|index| Tamper::Delete { index }),
                (0..n, 0..n)
                    .prop_filter("two different entries", |(i, j)| i != j)
                    .prop_map(|(i, j)| Tamper::Swap {
                        i: i.min(j),
                        j: i.max(j)
                    }),
            ];
            (Just(records), tamper)
        })
    }

    proptest! {
        #[test]
        fn canonical_encoding_is_injective(r in any_record()) {
            prop_assert_eq!(decode(&canonical_bytes(&r)), Some(r));
        }

        #[test]
        fn different_records_encode_differently(a in any_record(), b in any_record()) {
            prop_assert_eq!(a == b, canonical_bytes(&a) == canonical_bytes(&b));
        }

        #[test]
        fn tampering_is_detected_at_the_right_entry((records, tamper) in chain_and_tamper()) {
            let n = records.len();
            let records: Vec<AuditRecord> = records
                .into_iter()
                .zip(1..)
                .map(|(r, seq)| AuditRecord { seq, ..r })
                .collect();
            let mut rows = chain(records);
            prop_assert!(verify(&rows).0.is_empty());
            let expected = match tamper {
                Tamper::Alter { index, field } => {
                    alter(&mut rows[index].0, field);
                    let seq = rows[index].0.seq;
                    let kind = if field == 0 {
                        BreakKind::Gap { expected: index as i64 + 1 }
                    } else {
                        BreakKind::Altered
                    };
                    Some(ChainBreak { seq, kind })
                }
                // Removing the newest entry leaves a valid, shorter chain: only an anchor kept
                // outside the database (ChainReport::last_hash) reveals it.
                Tamper::Delete { index } if index == n - 1 => {
                    rows.pop();
                    None
                }
                Tamper::Delete { index } => {
                    rows.remove(index);
                    Some(ChainBreak {
                        seq: index as i64 + 2,
                        kind: BreakKind::Gap { expected: index as i64 + 1 },
                    })
                }
                Tamper::Swap { i, j } => {
                    rows.swap(i, j);
                    Some(ChainBreak {
                        seq: j as i64 + 1,
                        kind: BreakKind::Gap { expected: i as i64 + 1 },
                    })
                }
            };
            let (breaks, report) = verify(&rows);
            prop_assert_eq!(breaks.first().copied(), expected);
            if expected.is_none() {
                prop_assert_eq!(report.last_seq, Some(n as i64 - 1));
                prop_assert_eq!(report.entries, n as u64 - 1);
            }
        }
    }
}
