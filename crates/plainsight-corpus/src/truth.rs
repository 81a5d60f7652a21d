//! The ground truth written beside every generated ad: who really wrote it, which
//! identifiers are really in it, and how they were disguised. `docs/corpus.md` is the
//! public description of this format.

use serde::{Deserialize, Serialize};

/// Who is behind an ad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdKind {
    /// Posted by an operator (a network writing for several personas).
    Operator,
    /// Posted by an independent (one persona, one phone).
    Independent,
    /// A copy in a spam flood; it belongs to the network of the ad it copies.
    Spam,
}

impl AdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AdKind::Operator => "operator",
            AdKind::Independent => "independent",
            AdKind::Spam => "spam",
        }
    }
}

/// Which ad field a phone was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionField {
    Title,
    Body,
    Url,
    /// The scraper's `phones` list.
    Phones,
}

/// One phone number as written in one field of the ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneMention {
    /// E.164, e.g. `+19195550123`.
    pub e164: String,
    pub field: MentionField,
    /// The exact text in the field (a substring of it), after any mojibake.
    pub written: String,
    /// Disguises used, by name; empty when written plainly.
    pub techniques: Vec<String>,
}

/// A price the ad states, with its unit normalised as `plainsight extract` does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthPrice {
    /// Whole US dollars (or "roses", which mean dollars).
    pub amount: u32,
    /// `qv`, `hh`, `30min`, `hr`, `2hr` or `overnight`.
    pub unit: String,
}

/// Ground truth for one ad: one JSON line of the truth file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    pub ad_id: String,
    /// The operator's id (`net-…`), or the independent's own id (`ind-…`). Spam copies
    /// carry the network of the ad they copy. Two ads are linked in truth exactly when
    /// their `network_id`s are equal.
    pub network_id: String,
    pub kind: AdKind,
    /// Persona id (`<network_id>/p<n>`).
    pub persona: String,
    /// The persona's stage name (not unique: unrelated writers share names).
    pub persona_name: String,
    /// Every phone written anywhere in the ad (title, body, url, scraper `phones`), E.164,
    /// sorted, hub numbers included.
    pub phones: Vec<String>,
    /// E-mail addresses in the ad, lower-cased, sorted.
    pub emails: Vec<String>,
    /// Social and payment handles as `platform:handle` (no leading `@` or `$`), sorted.
    pub handles: Vec<String>,
    /// SHA-256 of every image attached, in attachment order.
    pub image_sha256: Vec<String>,
    /// The text template the ad was written from (`<network_id>/t<n>`).
    pub template_id: String,
    pub city: String,
    pub state: String,
    /// Union of the disguises used on the ad's phones, sorted.
    pub phone_obfuscations: Vec<String>,
    /// Hub numbers in the ad (site support lines and the like): present in `phones` but
    /// they must never link ads.
    pub hub_phones: Vec<String>,
    /// Every written phone with where and how it was written.
    pub phone_mentions: Vec<PhoneMention>,
    /// The age stated in the ad, if one is.
    pub stated_age: Option<u8>,
    pub prices: Vec<TruthPrice>,
    /// Indicator language deliberately written into the ad: `movement`, `youth`,
    /// `third_party`, `trust`, `screening`, `incall_only`, `ethnicity`, and emoji codes
    /// `emoji_rose`, `emoji_cherry`, `emoji_airplane`, `emoji_crown`, `emoji_growing_heart`.
    pub indicators: Vec<String>,
    /// Whole-ad disguises: `mojibake` (title/body double-encoded), `lookalike_words`
    /// (Cyrillic letters inside ordinary words), `html_body` (HTML markup and entities).
    pub text_obfuscations: Vec<String>,
    /// For a spam copy, the id of the ad it copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<String>,
    /// Id of the shared boilerplate paragraph in the ad, if any (`boilerplate/<n>`):
    /// shared by unrelated writers, so it must not link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boilerplate: Option<String>,
}
