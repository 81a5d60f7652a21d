//! The network record: one group of linked ads with its identifiers, personas, movement
//! timeline, review priority and the reasons and links behind it. This is the line printed
//! by `plainsight networks --format jsonl`; `docs/network-format.md` is its contract.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Field;

/// A network id. Ids are assigned by `analyze`, never reused, and kept when a network gains
/// ads or absorbs another network.
pub type NetworkId = u64;

/// One network of ads, as analysts see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkRecord {
    pub network_id: NetworkId,
    /// Ad ids (the scraper's ids), oldest first.
    pub ads: Vec<String>,
    /// Phone numbers in E.164, sorted.
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    /// Social and payment handles as `platform:handle`, sorted.
    pub handles: Vec<String>,
    /// Photo hashes: SHA-256 as 64 hex digits, perceptual hashes as `phash:` and 16 hex digits.
    pub image_hashes: Vec<String>,
    /// Names the ads give for the people offered, most used first.
    pub personas: Vec<String>,
    /// Where the ads were placed, in order of first appearance: the movement timeline.
    pub locations: Vec<NetworkLocation>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Ads per week between first and last seen (ads count when the span is under a week).
    pub ads_per_week: f64,
    /// Distinct persona names per distinct phone number (0 when the network has no phone).
    pub personas_per_phone: f64,
    /// Review priority: the sum of the reasons' weights. A ranking aid for human review,
    /// never a finding about anyone.
    pub priority: f64,
    /// Why the network is ranked where it is, largest contribution first.
    pub reasons: Vec<Reason>,
    /// What holds the network together.
    pub links: Vec<NetworkLink>,
    /// Identifiers in these ads that were not used for linking because they appear across many
    /// unrelated ads (hubs) or are on the exclusion list, as `kind:value`.
    #[serde(default)]
    pub unused_identifiers: Vec<String>,
}

/// One place in a network's movement timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkLocation {
    pub name: String,
    /// State or province code.
    pub admin1: String,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub ads: u64,
}

/// One part of a network's priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Indicator code (from the indicator file) or network feature code.
    pub code: String,
    /// What the code means, in plain words.
    pub description: String,
    /// Contribution to the priority: the feature's weight times its value.
    pub weight: f64,
    /// The feature's value for this network: the share of its ads with the indicator, or 1
    /// for a network feature that holds.
    pub value: f64,
    /// Ads that carry the evidence.
    pub ads: Vec<String>,
    /// Where the evidence is written (a bounded sample for large networks).
    pub evidence: Vec<Evidence>,
}

/// A located piece of evidence: `text` is `field[start..end]` of ad `ad` (byte offsets in the
/// original field, as in `plainsight extract`). Network features carry the identifier or place
/// they rest on in `text` with no field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub ad: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    pub text: String,
}

/// A link type and value that joins ads of the network: a shared identifier (`phone`, `email`,
/// `handle`, `payment`, `image_sha256`), near-identical photos (`similar_photo`, value
/// `phash:a~phash:b`) or a shared text template (`template`, value the template's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkLink {
    pub kind: String,
    pub value: String,
    pub ads: Vec<String>,
}

/// One ad as network analysis reads it from the workspace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnalysisAd {
    /// The workspace's key for the ad (stable for the life of the stored ad).
    pub key: i64,
    pub id: String,
    pub posted_at: Option<DateTime<Utc>>,
    pub title: String,
    pub body: String,
    pub identifiers: Vec<crate::Identifier>,
    pub indicators: Vec<crate::IndicatorHit>,
    /// Resolved places: (GeoNames id, name, admin1).
    pub places: Vec<(u64, String, String)>,
}

/// Something that happened to network ids in one analysis run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum NetworkEvent {
    /// `absorbed` networks joined `into`, which kept its id.
    Merged {
        into: NetworkId,
        absorbed: Vec<NetworkId>,
    },
    /// Part of `from` became the new network `new`.
    Split { from: NetworkId, new: NetworkId },
    /// The network's ads are all gone (expired or deleted).
    Retired { network: NetworkId },
}

impl NetworkEvent {
    /// Every network id the event concerns.
    pub fn networks(&self) -> Vec<NetworkId> {
        match self {
            NetworkEvent::Merged { into, absorbed } => {
                let mut v = vec![*into];
                v.extend(absorbed);
                v
            }
            NetworkEvent::Split { from, new } => vec![*from, *new],
            NetworkEvent::Retired { network } => vec![*network],
        }
    }
}
