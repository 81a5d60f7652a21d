//! Group ads into networks: ads are linked by shared identifiers (phones, emails, handles,
//! payment handles, exact photo hashes), by near-identical photos (perceptual hashes within a
//! small Hamming distance) and by shared text templates (MinHash/LSH over the shingles that are not generic
//! phrases, verified). Identifiers on
//! an exclusion list never link, and identifiers that would join many otherwise separate groups
//! are flagged as hubs and shown instead of used.
//!
//! Every step is a group-by on a deterministic key (identifier value, phash block, band key),
//! so the same input gives the same networks whatever the order of work.

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::minhash::{Lsh, MinHasher, candidate_pairs_packed, similarity};
use crate::union_find::UnionFind;

/// What linking needs to know about one ad.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdLinkInput {
    /// Identifiers of the ad, as indices into the identifier table passed to [`link`]
    /// (interned, so a million ads do not carry millions of small strings).
    pub identifiers: Vec<u32>,
    /// 64-bit perceptual hashes of the ad's photos.
    pub phashes: Vec<u64>,
    /// Shingle hashes of the ad's masked text (see [`crate::shingles`]), sorted and distinct.
    pub shingles: Vec<u64>,
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
    /// Texts with fewer (uncommon) shingles than this do not take part in template linking: a
    /// three-word ad says too little to tie two writers together.
    pub min_shingles: usize,
    /// A shingle written by at least this many otherwise unrelated writers is a generic
    /// phrase ("100% real pics", "no rush", a pasted disclaimer) and is dropped before template
    /// comparison. Writers are told apart by the groups that identifiers and photos form
    /// before any text is compared, so one operator's template, however many ads it fills,
    /// is not mistaken for boilerplate.
    pub common_shingle_groups: usize,
    /// Band buckets larger than this link as a star (see [`candidate_pairs`]).
    pub max_bucket: usize,
    /// Largest Hamming distance between two perceptual hashes of one photo.
    pub phash_max_distance: u32,
    /// An identifier carried by at least this many ads is examined as a possible hub.
    pub hub_min_ads: usize,
    /// ...and is a hub when its ads would otherwise fall into at least this many groups.
    pub hub_min_groups: usize,
    /// The same for photo hashes (`image_sha256`, `image_phash`): photo reuse is strong
    /// evidence of one writer, and an operator's photos are spread over many of its not yet
    /// joined ads, so a photo must span many more groups before it is taken for a stock
    /// photo used by unrelated writers.
    pub photo_hub_min_groups: usize,
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
            common_shingle_groups: 20,
            max_bucket: 64,
            phash_max_distance: 4,
            hub_min_ads: 6,
            hub_min_groups: 6,
            photo_hub_min_groups: 40,
            excluded: BTreeSet::new(),
        }
    }
}

/// Why two ads are in one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkReason {
    /// Both carry this identifier (an index into the identifier table).
    Identifier(u32),
    /// Perceptual hashes of their photos are within the distance limit: an index into
    /// [`Linking::similar_photos`] (the hashes kept aside keep a link at 16 bytes; a million
    /// ads make over ten million links).
    SimilarPhoto(u32),
    /// Their texts share a template.
    Template,
}

/// A link between two ads (indices into the input), with its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub reason: LinkReason,
}

/// An identifier that appeared across many otherwise unrelated groups of ads, kept out of
/// linking and reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hub {
    /// Index into the identifier table.
    pub identifier: u32,
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
    pub excluded_seen: Vec<(u32, usize)>,
    /// How many distinct shingles were dropped as generic phrases.
    pub common_shingles: usize,
    /// The perceptual-hash pairs that [`LinkReason::SimilarPhoto`] links point to.
    pub similar_photos: Vec<(u64, u64)>,
}

/// Link ads into networks. `identifier_names[i]` is the (kind, value) of identifier `i`.
/// The inputs are consumed: their shingles are freed as soon as the MinHash signatures are
/// made, before the candidate pairs and links are built.
pub fn link(
    mut ads: Vec<AdLinkInput>,
    identifier_names: &[(String, String)],
    cfg: &LinkConfig,
) -> Linking {
    let n = ads.len();
    // Group-by identifier: (identifier, ad) pairs sorted by identifier.
    let mut pairs: Vec<(u32, u32)> = ads
        .iter()
        .enumerate()
        .flat_map(|(i, ad)| ad.identifiers.iter().map(move |&id| (id, i as u32)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut excluded_seen = Vec::new();
    let mut identifier_groups: Vec<(u32, Vec<u32>)> = Vec::new();
    for group in pairs.chunk_by(|x, y| x.0 == y.0) {
        let id = group[0].0;
        let members: Vec<u32> = group.iter().map(|&(_, ad)| ad).collect();
        if identifier_names
            .get(id as usize)
            .is_some_and(|name| cfg.excluded.contains(name))
        {
            excluded_seen.push((id, members.len()));
            continue;
        }
        if members.len() > 1 {
            identifier_groups.push((id, members));
        }
    }
    drop(pairs);

    let mut links: Vec<Link> = Vec::new();
    let mut uf = UnionFind::new(n);

    // Photos: exact hashes arrive as identifiers; near-identical ones via phash blocks. The
    // near-identical hashes form clusters (one photo re-encoded, resized, watermarked); a
    // cluster spread over many ads is judged as a whole, like a hub identifier, because a
    // stock photo or banner saved anew by each site has many hashes, each in few ads, that
    // would slip past judging one hash at a time.
    let mut similar_photos = Vec::new();
    let clusters = photo_clusters(&ads, similar_photo_pairs(&ads, cfg.phash_max_distance));
    let phash_ids: HashMap<u64, u32> = identifier_names
        .iter()
        .enumerate()
        .filter(|(_, (kind, _))| kind == "image_phash")
        .filter_map(|(i, (_, value))| Some((u64::from_str_radix(value, 16).ok()?, i as u32)))
        .collect();
    let mut deferred: Vec<DeferredCluster> = Vec::new();
    for cluster in clusters {
        if cluster.ads.len() < cfg.hub_min_ads {
            for &(a, b, ha, hb) in &cluster.pairs {
                links.push(Link {
                    a,
                    b,
                    reason: LinkReason::SimilarPhoto(similar_photos.len() as u32),
                });
                similar_photos.push((ha, hb));
            }
            continue;
        }
        let own: Vec<u32> = cluster
            .hashes
            .iter()
            .filter_map(|h| phash_ids.get(h).copied())
            .collect();
        deferred.push(DeferredCluster {
            cluster,
            own,
            groups: Vec::new(),
        });
    }
    // The big exact-hash identifiers of a judged cluster are judged with it, not on their own;
    // its small ones link at once like any small identifier (so an operator's copies join
    // its ads early, before its busy numbers are judged).
    if !deferred.is_empty() {
        let owner: HashMap<u32, usize> = deferred
            .iter()
            .enumerate()
            .flat_map(|(c, d)| d.own.iter().map(move |&id| (id, c)))
            .collect();
        identifier_groups.retain(|(id, members)| match owner.get(id) {
            Some(&c) if members.len() >= cfg.hub_min_ads => {
                deferred[c].groups.push((*id, members.clone()));
                false
            }
            _ => true,
        });
    }

    // Groups formed without the big identifiers (candidate hubs) and without text: they tell
    // writers apart, for judging both generic phrases and hubs.
    let (big, small): (Vec<_>, Vec<_>) = identifier_groups
        .into_iter()
        .partition(|(_, members)| members.len() >= cfg.hub_min_ads);
    for link in &links {
        uf.union(link.a, link.b);
    }
    for (id, members) in &small {
        link_members(&mut uf, &mut links, members, *id);
    }

    // Templates, over the shingles that are not generic phrases. Writers are told apart by
    // every identifier and photo here: a hub number joins a few unrelated writers into one
    // group, which only makes a phrase look less widespread than it is, never more.
    let mut writers = uf.clone();
    for (_, members) in &big {
        for &m in &members[1..] {
            writers.union(members[0], m);
        }
    }
    for d in &deferred {
        for &m in &d.cluster.ads[1..] {
            writers.union(d.cluster.ads[0], m);
        }
    }
    let common = common_shingles(&ads, &mut writers, cfg.common_shingle_groups);
    drop(writers);
    let hasher = MinHasher::new(cfg.permutations);
    let lsh = Lsh {
        bands: cfg.bands,
        rows: cfg.rows,
    };
    // Each ad's shingles are freed as soon as its signature is made, so the two never take
    // memory at once for all ads.
    let signatures: Vec<Option<Vec<u32>>> = ads
        .par_iter_mut()
        .map(|ad| {
            let mut kept = std::mem::take(&mut ad.shingles);
            kept.retain(|s| !common.contains(s));
            (kept.len() >= cfg.min_shingles).then(|| hasher.signature(&kept))
        })
        .collect();
    // One band at a time: the (band key, ad) entries of all bands at once were 16 bytes per
    // band per ad (a quarter of a gigabyte at a million ads); buckets never span bands, so
    // grouping band by band gives the same candidates.
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    for band in 0..lsh.bands {
        let entries: Vec<u128> = signatures
            .par_iter()
            .enumerate()
            .filter_map(|(i, sig)| {
                let key = lsh.band_key(sig.as_deref()?, band)?;
                Some(key.pack(i as u32))
            })
            .collect();
        // The same pair turns up in most bands (a template's ads share many bands): merge each
        // band's distinct pairs into the distinct pairs so far, rather than collecting every
        // band's pairs and removing the repeats at the end (up to 16 copies of each pair).
        let band_pairs = candidate_pairs_packed(entries, cfg.max_bucket);
        candidates = merge_distinct(candidates, band_pairs);
    }
    let template_links: Vec<Link> = candidates
        .par_iter()
        .filter_map(|&(a, b)| {
            let (sa, sb) = (
                signatures[a as usize].as_ref()?,
                signatures[b as usize].as_ref()?,
            );
            (similarity(sa, sb) >= cfg.min_similarity).then_some(Link {
                a,
                b,
                reason: LinkReason::Template,
            })
        })
        .collect();
    drop(signatures);
    drop(candidates);
    for link in &template_links {
        uf.union(link.a, link.b);
    }
    links.extend(template_links);

    // A hub's ads fall into many otherwise unrelated groups; an operator's own heavily used
    // number does not.
    // Smallest first, each accepted identifier joined at once: an operator's numbers, photos
    // and handles then pull its ads together before its busiest identifier is judged, while a
    // hub (printed by many unrelated writers) still spans many groups when its turn comes.
    let mut candidates: Vec<Candidate> = big
        .into_iter()
        .map(|(id, members)| Candidate::Identifier(id, members))
        .chain((0..deferred.len()).map(Candidate::Photo))
        .collect();
    // Photo clusters first, in order of their smallest hash: each of a cluster's hashes sits in
    // few ads, like the small identifiers that link at once, so an accepted cluster joins an
    // operator's ads before the operator's busy numbers are judged (judged later, its copies
    // would still be apart and make those numbers look like hubs). Being judged early makes a
    // cluster look spread over more groups, which its high bar (`photo_hub_min_groups`)
    // allows for. Then the identifiers, smallest first.
    let order = |c: &Candidate| match c {
        Candidate::Photo(i) => (0, *i, 0),
        Candidate::Identifier(id, members) => (1, members.len(), *id as usize),
    };
    candidates.sort_by_key(order);
    let mut hubs = Vec::new();
    for candidate in candidates {
        match candidate {
            Candidate::Identifier(id, members) => {
                // Only ads with some other identifier say anything about being unrelated: an
                // ad that carries nothing but this number is simply one more ad of whoever
                // owns it.
                let groups: BTreeSet<u32> = members
                    .iter()
                    .filter(|&&m| ads[m as usize].identifiers.iter().any(|&other| other != id))
                    .map(|&m| uf.find(m))
                    .collect();
                let is_photo = identifier_names
                    .get(id as usize)
                    .is_some_and(|(kind, _)| kind.starts_with("image_"));
                let min_groups = if is_photo {
                    cfg.photo_hub_min_groups
                } else {
                    cfg.hub_min_groups
                };
                if groups.len() >= min_groups {
                    hubs.push(Hub {
                        identifier: id,
                        ads: members.len(),
                        groups: groups.len(),
                    });
                    continue;
                }
                link_members(&mut uf, &mut links, &members, id);
            }
            Candidate::Photo(i) => {
                let d = &deferred[i];
                let groups: BTreeSet<u32> = d
                    .cluster
                    .ads
                    .iter()
                    .filter(|&&m| {
                        ads[m as usize]
                            .identifiers
                            .iter()
                            .any(|other| !d.own.contains(other))
                    })
                    .map(|&m| uf.find(m))
                    .collect();
                if groups.len() >= cfg.photo_hub_min_groups {
                    // Reported under the cluster's most used hash.
                    if let Some(&(id, _)) = d
                        .groups
                        .iter()
                        .max_by_key(|(id, m)| (m.len(), std::cmp::Reverse(*id)))
                    {
                        hubs.push(Hub {
                            identifier: id,
                            ads: d.cluster.ads.len(),
                            groups: groups.len(),
                        });
                    } else if let Some(&id) = d.own.first() {
                        hubs.push(Hub {
                            identifier: id,
                            ads: d.cluster.ads.len(),
                            groups: groups.len(),
                        });
                    }
                    continue;
                }
                for (id, members) in &d.groups {
                    link_members(&mut uf, &mut links, members, *id);
                }
                for &(a, b, ha, hb) in &d.cluster.pairs {
                    uf.union(a, b);
                    links.push(Link {
                        a,
                        b,
                        reason: LinkReason::SimilarPhoto(similar_photos.len() as u32),
                    });
                    similar_photos.push((ha, hb));
                }
            }
        }
    }
    links.par_sort_unstable();
    links.dedup();
    Linking {
        network_of: uf.canonical_labels(),
        links,
        hubs,
        excluded_seen,
        common_shingles: common.len(),
        similar_photos,
    }
}

/// Shingles that appear in at least `min_groups` of the groups in `groups`: generic phrases.
/// A count of documents per shingle first keeps only shingles frequent enough to qualify;
/// then, visiting ads group by group, each such shingle counts the groups it appears in.
///
/// The document count is a count-min sketch, not a map of every distinct shingle (tens of
/// millions at a million ads, the largest allocation of an analysis): a sketch never counts
/// low, so every shingle that can qualify passes, and the few that pass by collision are then
/// counted exactly like the rest. The result is the same as with exact counts.
fn common_shingles(ads: &[AdLinkInput], groups: &mut UnionFind, min_groups: usize) -> HashSet<u64> {
    let min_groups = min_groups.max(2) as u32;
    let sketch = ShingleSketch::count(ads);
    // shingle -> (last group seen, groups counted)
    let mut spread: HashMap<u64, (u32, u32)> = HashMap::new();
    for ad in ads {
        for &s in &ad.shingles {
            if sketch.at_least(s, min_groups) {
                spread.entry(s).or_insert((u32::MAX, 0));
            }
        }
    }
    drop(sketch);
    if spread.is_empty() {
        return HashSet::new();
    }
    let roots: Vec<u32> = (0..ads.len() as u32).map(|i| groups.find(i)).collect();
    let mut order: Vec<u32> = (0..ads.len() as u32).collect();
    order.sort_unstable_by_key(|&i| (roots[i as usize], i));
    for i in order {
        let root = roots[i as usize];
        for s in &ads[i as usize].shingles {
            if let Some(entry) = spread.get_mut(s)
                && entry.0 != root
            {
                *entry = (root, entry.1 + 1);
            }
        }
    }
    spread
        .into_iter()
        .filter(|&(_, (_, n))| n >= min_groups)
        .map(|(s, _)| s)
        .collect()
}

/// The union of two sorted lists of distinct pairs, sorted and distinct.
fn merge_distinct(a: Vec<(u32, u32)>, b: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Saturating per-shingle document counts in two rows of one-byte counters (a count-min
/// sketch): an estimate that is never below the true count.
struct ShingleSketch {
    rows: [Vec<u8>; 2],
    mask: u64,
}

impl ShingleSketch {
    fn count(ads: &[AdLinkInput]) -> ShingleSketch {
        let occurrences: usize = ads.iter().map(|a| a.shingles.len()).sum();
        // One counter per two occurrences: a counter reaches the generic-phrase threshold by
        // collisions alone practically never, and the few shingles that pass that way are
        // counted exactly afterwards. Bounded both ways (128 KiB to 512 MiB in all).
        let width = (occurrences / 2)
            .next_power_of_two()
            .clamp(1 << 16, 1 << 28);
        let mut sketch = ShingleSketch {
            rows: [vec![0u8; width], vec![0u8; width]],
            mask: width as u64 - 1,
        };
        for ad in ads {
            for &s in &ad.shingles {
                let [a, b] = sketch.slots(s);
                sketch.rows[0][a] = sketch.rows[0][a].saturating_add(1);
                sketch.rows[1][b] = sketch.rows[1][b].saturating_add(1);
            }
        }
        sketch
    }

    /// Two independent slots from the shingle hash (remixed, so that hashes from any source
    /// spread evenly).
    fn slots(&self, shingle: u64) -> [usize; 2] {
        let mut x = shingle ^ (shingle >> 33);
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^= x >> 33;
        [(x & self.mask) as usize, ((x >> 32) & self.mask) as usize]
    }

    /// Whether the shingle may be in at least `n` documents (false only when it is not).
    fn at_least(&self, shingle: u64, n: u32) -> bool {
        let [a, b] = self.slots(shingle);
        let estimate = self.rows[0][a].min(self.rows[1][b]);
        // A saturated counter says "255 or more".
        estimate == u8::MAX || u32::from(estimate) >= n
    }
}

/// Near-identical perceptual hashes joined through similar pairs: one photo's copies.
struct PhotoCluster {
    hashes: Vec<u64>,
    /// Its similar pairs, as from [`similar_photo_pairs`].
    pairs: Vec<(u32, u32, u64, u64)>,
    /// Every ad carrying one of its hashes, sorted.
    ads: Vec<u32>,
}

/// A cluster over many ads, judged with the big identifiers.
struct DeferredCluster {
    cluster: PhotoCluster,
    /// The `image_phash` identifiers of its hashes.
    own: Vec<u32>,
    /// Their groups of ads, taken out of the identifier groups.
    groups: Vec<(u32, Vec<u32>)>,
}

/// What the hub stage judges, smallest first.
enum Candidate {
    Identifier(u32, Vec<u32>),
    /// An index into the deferred clusters.
    Photo(usize),
}

/// Group similar hash pairs into clusters (connected hashes), each with its ads. Deterministic:
/// clusters in order of their smallest hash.
fn photo_clusters(ads: &[AdLinkInput], pairs: Vec<(u32, u32, u64, u64)>) -> Vec<PhotoCluster> {
    if pairs.is_empty() {
        return Vec::new();
    }
    let mut hashes: Vec<u64> = pairs.iter().flat_map(|p| [p.2, p.3]).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let index = |h: u64| hashes.binary_search(&h).unwrap_or(0) as u32;
    let mut uf = UnionFind::new(hashes.len());
    for p in &pairs {
        uf.union(index(p.2), index(p.3));
    }
    let labels = uf.canonical_labels();
    let mut by_label: std::collections::BTreeMap<u32, PhotoCluster> = Default::default();
    for (i, &h) in hashes.iter().enumerate() {
        by_label
            .entry(labels[i])
            .or_insert_with(|| PhotoCluster {
                hashes: Vec::new(),
                pairs: Vec::new(),
                ads: Vec::new(),
            })
            .hashes
            .push(h);
    }
    for p in pairs {
        if let Some(c) = by_label.get_mut(&labels[index(p.2) as usize]) {
            c.pairs.push(p);
        }
    }
    let cluster_of: HashMap<u64, u32> = hashes
        .iter()
        .enumerate()
        .map(|(i, &h)| (h, labels[i]))
        .collect();
    for (i, ad) in ads.iter().enumerate() {
        for h in &ad.phashes {
            if let Some(c) = cluster_of.get(h).and_then(|l| by_label.get_mut(l)) {
                c.ads.push(i as u32);
            }
        }
    }
    by_label
        .into_values()
        .map(|mut c| {
            c.ads.sort_unstable();
            c.ads.dedup();
            c
        })
        .collect()
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

/// Join the members of one identifier group to its first member, each join a link that says
/// which identifier made it.
fn link_members(uf: &mut UnionFind, links: &mut Vec<Link>, members: &[u32], id: u32) {
    for &m in &members[1..] {
        uf.union(members[0], m);
        links.push(Link {
            a: members[0],
            b: m,
            reason: LinkReason::Identifier(id),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::shingles;

    #[test]
    fn merging_band_pairs_keeps_each_pair_once_in_order() {
        let a = vec![(0, 1), (0, 5), (2, 3)];
        let b = vec![(0, 1), (1, 2), (2, 3), (4, 9)];
        assert_eq!(
            merge_distinct(a.clone(), b.clone()),
            vec![(0, 1), (0, 5), (1, 2), (2, 3), (4, 9)]
        );
        assert_eq!(merge_distinct(Vec::new(), b.clone()), b);
        assert_eq!(merge_distinct(a.clone(), Vec::new()), a);
    }

    #[test]
    fn the_sketch_never_counts_a_shingle_low() {
        // 2,000 ads; shingle s appears in (s % 40) ads: every shingle in at least 20 documents
        // must pass (a sketch may let others through too, never hold these back).
        let mut ads = vec![AdLinkInput::default(); 2_000];
        let hash = |s: u64| s.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for s in 0u64..400 {
            for ad in ads.iter_mut().take((s % 40) as usize) {
                ad.shingles.push(hash(s));
            }
        }
        let sketch = ShingleSketch::count(&ads);
        for s in (0u64..400).filter(|s| s % 40 >= 20) {
            assert!(sketch.at_least(hash(s), 20), "shingle {s}");
        }
        // With this few shingles in 64 Ki counters nothing collides: the rest stay below.
        let passed = (0u64..400)
            .filter(|&s| sketch.at_least(hash(s), 20))
            .count();
        assert_eq!(passed, 200);
    }

    /// Builds inputs from (identifiers, text) with an identifier table interned on the fly.
    struct Builder {
        names: Vec<(String, String)>,
        ads: Vec<AdLinkInput>,
    }

    impl Builder {
        fn new() -> Builder {
            Builder {
                names: Vec::new(),
                ads: Vec::new(),
            }
        }

        fn id(&mut self, kind: &str, value: &str) -> u32 {
            let name = (kind.to_string(), value.to_string());
            match self.names.iter().position(|n| *n == name) {
                Some(i) => i as u32,
                None => {
                    self.names.push(name);
                    (self.names.len() - 1) as u32
                }
            }
        }

        fn ad(&mut self, ids: &[(&str, &str)], text: &str) -> &mut AdLinkInput {
            let identifiers = ids.iter().map(|(k, v)| self.id(k, v)).collect();
            self.ads.push(AdLinkInput {
                identifiers,
                phashes: vec![],
                shingles: shingles(text),
            });
            self.ads.last_mut().unwrap()
        }

        fn link(&self, cfg: &LinkConfig) -> Linking {
            link(self.ads.clone(), &self.names, cfg)
        }
    }

    #[test]
    fn shared_phone_links_and_lone_ads_stay_alone() {
        let mut b = Builder::new();
        b.ad(&[("phone", "+1")], "a");
        b.ad(&[("phone", "+1"), ("email", "x@y")], "b");
        b.ad(&[("email", "x@y")], "c");
        b.ad(&[("phone", "+2")], "d");
        let l = b.link(&LinkConfig::default());
        assert_eq!(l.network_of, vec![0, 0, 0, 3]);
    }

    #[test]
    fn excluded_identifiers_never_link() {
        let mut b = Builder::new();
        b.ad(&[("phone", "+18883737888")], "a");
        b.ad(&[("phone", "+18883737888")], "b");
        let cfg = LinkConfig {
            excluded: [("phone".to_string(), "+18883737888".to_string())].into(),
            ..LinkConfig::default()
        };
        let l = b.link(&cfg);
        assert_eq!(l.network_of, vec![0, 1]);
        assert_eq!(l.excluded_seen, vec![(0, 2)]);
    }

    #[test]
    fn a_hub_number_is_flagged_not_used() {
        // 40 separate operators (own phones) all print one support line.
        let mut b = Builder::new();
        for op in 0..40 {
            for _ in 0..2 {
                b.ad(&[("phone", &format!("+1op{op}")), ("phone", "+1hub")], "");
            }
        }
        let l = b.link(&LinkConfig::default());
        assert_eq!(l.hubs.len(), 1);
        assert_eq!(b.names[l.hubs[0].identifier as usize].1, "+1hub");
        assert_eq!(l.hubs[0].groups, 40);
        let networks: BTreeSet<u32> = l.network_of.iter().copied().collect();
        assert_eq!(networks.len(), 40, "the hub did not merge everything");
    }

    #[test]
    fn an_operators_busy_number_is_not_a_hub() {
        let mut b = Builder::new();
        for _ in 0..100 {
            b.ad(&[("phone", "+1busy")], "");
        }
        let l = b.link(&LinkConfig::default());
        assert!(l.hubs.is_empty());
        assert!(l.network_of.iter().all(|&x| x == 0));
    }

    #[test]
    fn near_identical_photos_link_and_distant_ones_do_not() {
        let base = 0xdead_beef_1234_5678u64;
        let mut b = Builder::new();
        b.ad(&[], "").phashes = vec![base];
        b.ad(&[], "").phashes = vec![base ^ 0b1011]; // 3 bits apart
        b.ad(&[], "").phashes = vec![!base];
        let l = b.link(&LinkConfig::default());
        assert_eq!(l.network_of, vec![0, 0, 2]);
        assert!(matches!(l.links[0].reason, LinkReason::SimilarPhoto(_)));
    }

    #[test]
    fn a_stock_photo_saved_anew_by_every_writer_is_a_hub_not_a_link() {
        // 50 unrelated writers (own phones, two ads each), each posting its own copy of one
        // stock photo: every copy a hash of its own, all within 2 bits of each other.
        let base = 0x0f0f_3c3c_5a5a_9696u64;
        let mut b = Builder::new();
        for w in 0..50u64 {
            let h = base ^ (1 << w);
            for _ in 0..2 {
                let phash = format!("{h:016x}");
                b.ad(
                    &[("phone", &format!("+1w{w}")), ("image_phash", &phash)],
                    "",
                )
                .phashes = vec![h];
            }
        }
        let l = b.link(&LinkConfig::default());
        let networks: BTreeSet<u32> = l.network_of.iter().copied().collect();
        assert_eq!(
            networks.len(),
            50,
            "the stock photo joined unrelated writers"
        );
        assert_eq!(l.hubs.len(), 1);
        assert_eq!(b.names[l.hubs[0].identifier as usize].0, "image_phash");
        assert!(
            !l.links
                .iter()
                .any(|k| matches!(k.reason, LinkReason::SimilarPhoto(_)))
        );
    }

    #[test]
    fn an_operators_reencoded_photos_over_many_ads_still_link() {
        // One operator, 30 ads under 3 phones, its photo in 10 slightly different copies.
        let base = 0x1234_5678_9abc_def0u64;
        let mut b = Builder::new();
        for i in 0..30u64 {
            let h = base ^ (1 << (i % 10));
            let phash = format!("{h:016x}");
            b.ad(
                &[
                    ("phone", &format!("+1op{}", i % 3)),
                    ("image_phash", &phash),
                ],
                "",
            )
            .phashes = vec![h];
        }
        let l = b.link(&LinkConfig::default());
        assert!(l.hubs.is_empty());
        assert!(l.network_of.iter().all(|&x| x == 0), "{:?}", l.network_of);
    }

    const TEMPLATE: &str = "Hello gentlemen my name is Candy and I am a sweet upscale companion \
        visiting your city this week only, incall and outcall, discreet and clean";

    #[test]
    fn templates_link_but_generic_short_phrases_do_not() {
        let mut b = Builder::new();
        b.ad(&[], TEMPLATE);
        b.ad(&[], &TEMPLATE.replace("Candy", "Amber"));
        b.ad(&[], "100% real pics no rush");
        b.ad(&[], "100% real pics no rush");
        let l = b.link(&LinkConfig::default());
        assert_eq!(l.network_of, vec![0, 0, 2, 3]);
    }

    #[test]
    fn a_long_generic_paragraph_shared_by_everyone_does_not_link() {
        // Every one of 100 unrelated writers pastes the same disclaimer under a short text of
        // their own: the disclaimer's shingles are in every ad, so they are dropped.
        let disclaimer = "By contacting me you agree that you are not affiliated with any law \
            enforcement agency and that all money exchanged is for time and companionship only, \
            anything else that happens is a choice between consenting adults";
        let mut b = Builder::new();
        for i in 0..100 {
            b.ad(&[], &format!("writer{i} words{i} here{i} {disclaimer}"));
        }
        let l = b.link(&LinkConfig::default());
        let networks: BTreeSet<u32> = l.network_of.iter().copied().collect();
        assert_eq!(networks.len(), 100);
        assert!(l.common_shingles > 10);
    }

    #[test]
    fn a_flood_of_copies_stays_linear_and_joins_by_its_phone() {
        let mut b = Builder::new();
        for _ in 0..5_000 {
            b.ad(&[("phone", "+1flood")], TEMPLATE);
        }
        let l = b.link(&LinkConfig::default());
        assert!(l.network_of.iter().all(|&x| x == 0));
        assert!(l.links.len() < 2 * 5_000, "{} links", l.links.len());
    }
}
