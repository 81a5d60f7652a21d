//! Group ads into networks: ads are linked by shared identifiers (phones, emails, handles,
//! payment handles, exact photo hashes), by near-identical photos (perceptual hashes within a
//! small Hamming distance) and by shared text templates (MinHash/LSH, verified). Identifiers on
//! an exclusion list never link, and identifiers that would join many otherwise separate groups
//! are flagged as hubs and shown instead of used.
//!
//! Every step is a group-by on a deterministic key (identifier value, phash block, band key),
//! so the same input gives the same networks whatever the order of work.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::minhash::{Lsh, MinHasher, candidate_pairs, similarity};
use crate::shingle::shingles;
use crate::union_find::UnionFind;

/// What linking needs to know about one ad.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdLinkInput {
    /// Identifiers as (kind, normalised value), e.g. ("phone", "+19195550123").
    pub identifiers: Vec<(String, String)>,
    /// 64-bit perceptual hashes of the ad's photos.
    pub phashes: Vec<u64>,
    /// The ad's text (title and body, normalised).
    pub text: String,
}

/// Linking parameters. The defaults suit ad text: 64 permutations in 16 bands of 4 rows
/// (candidate threshold about 0.5) and verified pairs at 0.6 estimated Jaccard.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    pub permutations: usize,
    pub bands: usize,
    pub rows: usize,
    /// Verified template links need at least this estimated Jaccard similarity.
    pub min_similarity: f64,
    /// Texts with fewer shingles than this do not take part in template linking: a
    /// three-word ad says too little to tie two writers together.
    pub min_shingles: usize,
    /// Band buckets larger than this link as a star (see [`candidate_pairs`]).
    pub max_bucket: usize,
    /// Largest Hamming distance between two perceptual hashes of one photo.
    pub phash_max_distance: u32,
    /// An identifier carried by at least this many ads is examined as a possible hub.
    pub hub_min_ads: usize,
    /// ...and is a hub when its ads would otherwise fall into at least this many groups.
    pub hub_min_groups: usize,
    /// (kind, value) pairs that must never link (hotlines, tip lines, site support).
    pub excluded: BTreeSet<(String, String)>,
}

impl Default for LinkConfig {
    fn default() -> LinkConfig {
        LinkConfig {
            permutations: 64,
            bands: 16,
            rows: 4,
            min_similarity: 0.6,
            min_shingles: 6,
            max_bucket: 64,
            phash_max_distance: 4,
            hub_min_ads: 6,
            hub_min_groups: 6,
            excluded: BTreeSet::new(),
        }
    }
}

/// Why two ads are in one network.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkReason {
    /// Both carry this identifier.
    Identifier { kind: String, value: String },
    /// Perceptual hashes of their photos are within the distance limit.
    SimilarPhoto { a: u64, b: u64 },
    /// Their texts share a template.
    Template,
}

/// A link between two ads (indices into the input), with its reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub reason: LinkReason,
}

/// An identifier that appeared across many otherwise unrelated groups of ads, kept out of
/// linking and reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hub {
    pub kind: String,
    pub value: String,
    pub ads: usize,
    pub groups: usize,
}

/// The result of linking.
#[derive(Debug, Clone, PartialEq)]
pub struct Linking {
    /// For each ad, the index of the first ad of its network (a stable representative).
    pub network_of: Vec<u32>,
    /// The links that hold networks together: for identifiers, one star per value (first ad
    /// to each other ad), so the list stays linear in the number of ads.
    pub links: Vec<Link>,
    pub hubs: Vec<Hub>,
    /// Identifiers skipped because they are on the exclusion list, with their ad counts.
    pub excluded_seen: Vec<((String, String), usize)>,
}

/// Link ads into networks.
pub fn link(ads: &[AdLinkInput], cfg: &LinkConfig) -> Linking {
    let n = ads.len();
    // Group-by identifier value.
    let mut by_identifier: BTreeMap<(&str, &str), Vec<u32>> = BTreeMap::new();
    for (i, ad) in ads.iter().enumerate() {
        for (kind, value) in &ad.identifiers {
            by_identifier
                .entry((kind.as_str(), value.as_str()))
                .or_default()
                .push(i as u32);
        }
    }
    let mut excluded_seen = Vec::new();
    let mut identifier_groups: Vec<((&str, &str), Vec<u32>)> = Vec::new();
    for (key, mut members) in by_identifier {
        members.sort_unstable();
        members.dedup();
        if cfg
            .excluded
            .contains(&(key.0.to_string(), key.1.to_string()))
        {
            excluded_seen.push(((key.0.to_string(), key.1.to_string()), members.len()));
            continue;
        }
        if members.len() > 1 {
            identifier_groups.push((key, members));
        }
    }

    let mut links: Vec<Link> = Vec::new();
    let mut uf = UnionFind::new(n);

    // Photos: exact hashes arrive as identifiers; near-identical ones via phash blocks. By the
    // pigeonhole principle two hashes within distance d < 5 agree on at least one of five
    // 13-bit blocks, so grouping by (block, value) finds every such pair without comparing
    // all pairs.
    for (a, b, ha, hb) in similar_photo_pairs(ads, cfg.phash_max_distance) {
        links.push(Link {
            a,
            b,
            reason: LinkReason::SimilarPhoto { a: ha, b: hb },
        });
    }

    // Templates.
    let hasher = MinHasher::new(cfg.permutations);
    let lsh = Lsh {
        bands: cfg.bands,
        rows: cfg.rows,
    };
    let signatures: Vec<Option<Vec<u32>>> = ads
        .iter()
        .map(|ad| {
            let sh = shingles(&ad.text);
            (sh.len() >= cfg.min_shingles).then(|| hasher.signature(&sh))
        })
        .collect();
    let mut entries = Vec::new();
    for (i, sig) in signatures.iter().enumerate() {
        if let Some(sig) = sig {
            for key in lsh.band_keys(sig) {
                entries.push((key, i as u32));
            }
        }
    }
    for (a, b) in candidate_pairs(entries, cfg.max_bucket) {
        if let (Some(sa), Some(sb)) = (&signatures[a as usize], &signatures[b as usize])
            && similarity(sa, sb) >= cfg.min_similarity
        {
            links.push(Link {
                a,
                b,
                reason: LinkReason::Template,
            });
        }
    }

    // Groups formed without the big identifiers tell hubs apart from an operator's own
    // heavily used number: a hub's ads fall into many otherwise unrelated groups.
    let (big, small): (Vec<_>, Vec<_>) = identifier_groups
        .into_iter()
        .partition(|(_, members)| members.len() >= cfg.hub_min_ads);
    for link in &links {
        uf.union(link.a, link.b);
    }
    for ((kind, value), members) in &small {
        for &m in &members[1..] {
            uf.union(members[0], m);
            links.push(Link {
                a: members[0],
                b: m,
                reason: LinkReason::Identifier {
                    kind: kind.to_string(),
                    value: value.to_string(),
                },
            });
        }
    }
    // Smallest first, each accepted identifier joined at once: an operator's numbers, photos
    // and handles then pull its ads together before its busiest identifier is judged, while a
    // hub (printed by many unrelated writers) still spans many groups when its turn comes.
    let mut big = big;
    big.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| a.0.cmp(&b.0)));
    let mut hubs = Vec::new();
    for ((kind, value), members) in big {
        // Only ads with some other identifier say anything about being unrelated: an ad that
        // carries nothing but this number is simply one more ad of whoever owns it.
        let groups: BTreeSet<u32> = members
            .iter()
            .filter(|&&m| {
                ads[m as usize]
                    .identifiers
                    .iter()
                    .any(|(k, v)| (k.as_str(), v.as_str()) != (kind, value))
            })
            .map(|&m| uf.find(m))
            .collect();
        if groups.len() >= cfg.hub_min_groups {
            hubs.push(Hub {
                kind: kind.to_string(),
                value: value.to_string(),
                ads: members.len(),
                groups: groups.len(),
            });
            continue;
        }
        for &m in &members[1..] {
            uf.union(members[0], m);
            links.push(Link {
                a: members[0],
                b: m,
                reason: LinkReason::Identifier {
                    kind: kind.to_string(),
                    value: value.to_string(),
                },
            });
        }
    }
    links.sort();
    Linking {
        network_of: uf.canonical_labels(),
        links,
        hubs,
        excluded_seen,
    }
}

const PHASH_BLOCKS: u32 = 5;

fn phash_block(h: u64, block: u32) -> u64 {
    // Five blocks of 13 bits (the last has 12) cover all 64 bits.
    let shift = block * 13;
    (h >> shift) & ((1u64 << 13) - 1)
}

/// Pairs of ads with photos whose perceptual hashes differ in 1..=max_distance bits (equal
/// hashes are exact-photo identifiers and are linked as such).
fn similar_photo_pairs(ads: &[AdLinkInput], max_distance: u32) -> Vec<(u32, u32, u64, u64)> {
    if max_distance == 0 {
        return Vec::new();
    }
    let max_distance = max_distance.min(PHASH_BLOCKS - 1);
    let mut distinct: Vec<u64> = ads.iter().flat_map(|a| a.phashes.iter().copied()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut buckets: HashMap<(u32, u64), Vec<u64>> = HashMap::new();
    for &h in &distinct {
        for block in 0..PHASH_BLOCKS {
            buckets
                .entry((block, phash_block(h, block)))
                .or_default()
                .push(h);
        }
    }
    let mut similar: BTreeSet<(u64, u64)> = BTreeSet::new();
    for members in buckets.values() {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                let d = (a ^ b).count_ones();
                if d > 0 && d <= max_distance {
                    similar.insert((a.min(b), a.max(b)));
                }
            }
        }
    }
    if similar.is_empty() {
        return Vec::new();
    }
    // First ad carrying each hash, to turn hash pairs into ad pairs.
    let mut first_ad: HashMap<u64, u32> = HashMap::new();
    for (i, ad) in ads.iter().enumerate() {
        for &h in &ad.phashes {
            first_ad.entry(h).or_insert(i as u32);
        }
    }
    similar
        .into_iter()
        .filter_map(|(ha, hb)| {
            let (a, b) = (*first_ad.get(&ha)?, *first_ad.get(&hb)?);
            (a != b).then_some((a.min(b), a.max(b), ha, hb))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ad(ids: &[(&str, &str)], text: &str) -> AdLinkInput {
        AdLinkInput {
            identifiers: ids
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            phashes: vec![],
            text: text.to_string(),
        }
    }

    #[test]
    fn shared_phone_links_and_lone_ads_stay_alone() {
        let ads = vec![
            ad(&[("phone", "+1")], "a"),
            ad(&[("phone", "+1"), ("email", "x@y")], "b"),
            ad(&[("email", "x@y")], "c"),
            ad(&[("phone", "+2")], "d"),
        ];
        let l = link(&ads, &LinkConfig::default());
        assert_eq!(l.network_of, vec![0, 0, 0, 3]);
    }

    #[test]
    fn excluded_identifiers_never_link() {
        let ads = vec![
            ad(&[("phone", "+18883737888")], "a"),
            ad(&[("phone", "+18883737888")], "b"),
        ];
        let cfg = LinkConfig {
            excluded: [("phone".to_string(), "+18883737888".to_string())].into(),
            ..LinkConfig::default()
        };
        let l = link(&ads, &cfg);
        assert_eq!(l.network_of, vec![0, 1]);
        assert_eq!(l.excluded_seen.len(), 1);
    }

    #[test]
    fn a_hub_number_is_flagged_not_used() {
        // 40 separate operators (own phones) all print one support line.
        let mut ads = Vec::new();
        for op in 0..40 {
            for _ in 0..2 {
                ads.push(ad(
                    &[("phone", &format!("+1op{op}")), ("phone", "+1hub")],
                    "",
                ));
            }
        }
        let l = link(&ads, &LinkConfig::default());
        assert_eq!(l.hubs.len(), 1);
        assert_eq!(l.hubs[0].value, "+1hub");
        assert_eq!(l.hubs[0].groups, 40);
        let networks: BTreeSet<u32> = l.network_of.iter().copied().collect();
        assert_eq!(networks.len(), 40, "the hub did not merge everything");
    }

    #[test]
    fn an_operators_busy_number_is_not_a_hub() {
        let ads: Vec<_> = (0..100).map(|_| ad(&[("phone", "+1busy")], "")).collect();
        let l = link(&ads, &LinkConfig::default());
        assert!(l.hubs.is_empty());
        assert!(l.network_of.iter().all(|&x| x == 0));
    }

    #[test]
    fn near_identical_photos_link_and_distant_ones_do_not() {
        let base = 0xdead_beef_1234_5678u64;
        let mut a = ad(&[], "");
        a.phashes = vec![base];
        let mut b = ad(&[], "");
        b.phashes = vec![base ^ 0b1011]; // 3 bits apart
        let mut c = ad(&[], "");
        c.phashes = vec![!base];
        let l = link(&[a, b, c], &LinkConfig::default());
        assert_eq!(l.network_of, vec![0, 0, 2]);
        assert!(matches!(l.links[0].reason, LinkReason::SimilarPhoto { .. }));
    }

    #[test]
    fn templates_link_but_generic_short_phrases_do_not() {
        let t = "Hello gentlemen my name is Candy and I am a sweet upscale companion visiting \
                 your city this week only, incall and outcall, discreet and clean";
        let ads = vec![
            ad(&[], t),
            ad(&[], &t.replace("Candy", "Amber")),
            ad(&[], "100% real pics no rush"),
            ad(&[], "100% real pics no rush"),
        ];
        let l = link(&ads, &LinkConfig::default());
        assert_eq!(l.network_of, vec![0, 0, 2, 3]);
    }
}
