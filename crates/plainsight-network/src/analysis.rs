//! Network analysis over a workspace's ads, as three stages that each run over partitions
//! and group by deterministic keys:
//! 1. [`prepare`] (a map over any partition of ads): masked text shingles, persona names,
//!    interned identifiers and places, indicator hits; the text is dropped afterwards;
//! 2. [`plainsight_link::link`]: group-bys on identifier, photo-hash block and band key;
//! 3. [`summarise`] (a map over networks): the network record with its timeline, links,
//!    reasons and priority, and stable ids from [`crate::stable_ids`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use plainsight_core::{
    AnalysisAd, Evidence, Field, IdentifierKind, NetworkEvent, NetworkId, NetworkLink,
    NetworkLocation, NetworkRecord, Reason, SERVICE_PHONE,
};
use plainsight_link::{AdLinkInput, LinkConfig, LinkReason, Linking, UnionFind, link, shingles};
use plainsight_text::indicators::STATED_AGE_UNDER_18;
use rayon::prelude::*;

use crate::persona::persona_names;
use crate::stable_ids::assign_ids;
use crate::weights::Weights;

/// Evidence items kept per reason: enough to show where, bounded for networks of thousands.
const EVIDENCE_PER_REASON: usize = 5;

/// Interned (kind, value) names of identifiers, shared by every partition of a run. Each
/// name is kept once; lookups go through a 64-bit hash of the name (names whose hashes
/// collide, which practically never happens, are kept apart in a small side table), so
/// interning an identifier already seen allocates nothing.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    names: Vec<(String, String)>,
    by_hash: HashMap<u64, u32>,
    collided: HashMap<(String, String), u32>,
    /// Short strings that many ads repeat (indicator codes, place names, states), one shared
    /// copy each.
    shared: HashSet<Arc<str>>,
}

impl Interner {
    /// One shared copy of a string many ads repeat.
    pub fn share(&mut self, s: &str) -> Arc<str> {
        if let Some(found) = self.shared.get(s) {
            return Arc::clone(found);
        }
        let new: Arc<str> = Arc::from(s);
        self.shared.insert(Arc::clone(&new));
        new
    }

    pub fn intern(&mut self, kind: &str, value: &str) -> u32 {
        let hash = {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            h.update(kind.as_bytes());
            h.update(&[0]);
            h.update(value.as_bytes());
            h.digest()
        };
        match self.by_hash.get(&hash) {
            Some(&i) => {
                let (k, v) = &self.names[i as usize];
                if k == kind && v == value {
                    return i;
                }
                let key = (kind.to_string(), value.to_string());
                if let Some(&j) = self.collided.get(&key) {
                    return j;
                }
                let j = self.push(kind, value);
                self.collided.insert(key, j);
                j
            }
            None => {
                let i = self.push(kind, value);
                self.by_hash.insert(hash, i);
                i
            }
        }
    }

    fn push(&mut self, kind: &str, value: &str) -> u32 {
        self.names.push((kind.to_string(), value.to_string()));
        (self.names.len() - 1) as u32
    }

    pub fn names(&self) -> &[(String, String)] {
        &self.names
    }

    pub fn name(&self, i: u32) -> &(String, String) {
        &self.names[i as usize]
    }
}

/// A located indicator hit, kept without the ad text. Compact because a million-ad analysis
/// holds a few million of them: the code is shared, offsets are 32-bit (fields are far
/// shorter than 4 GiB), the evidence is an exact-size string.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub code: Arc<str>,
    pub field: Field,
    pub start: u32,
    pub end: u32,
    pub evidence: Box<str>,
}

/// What analysis keeps of one ad once its text has been read.
#[derive(Debug, Clone, PartialEq)]
pub struct AdFacts {
    pub key: i64,
    pub id: String,
    pub posted_at: Option<DateTime<Utc>>,
    /// Interned identifiers that link ads (the same as in the ad's [`AdLinkInput`]).
    pub identifiers: Vec<u32>,
    pub personas: Vec<String>,
    pub hits: Vec<Hit>,
    /// (GeoNames id, name, admin1), names shared between ads.
    pub places: Vec<(u64, Arc<str>, Arc<str>)>,
}

/// The identifier kinds that link ads. Domains do not: a shared site or mail domain says
/// nothing about who wrote an ad.
fn links_ads(kind: IdentifierKind) -> bool {
    !matches!(kind, IdentifierKind::Domain)
}

/// Stage 1: the facts of a partition of ads and their linking inputs, identifiers interned.
/// The expensive part (text normalisation, shingling, persona names) runs in parallel;
/// interning is sequential and in input order so ids are deterministic.
pub fn prepare(ads: Vec<AnalysisAd>, interner: &mut Interner) -> Vec<(AdFacts, AdLinkInput)> {
    let texts: Vec<(Vec<u64>, Vec<String>)> = ads
        .par_iter()
        .map(|ad| {
            let text = format!("{}\n{}", ad.title, ad.body);
            let normalised = plainsight_text::normalize::normalize(&text);
            (
                shingles(normalised.text()),
                persona_names(normalised.text()),
            )
        })
        .collect();
    ads.into_iter()
        .zip(texts)
        .map(|(ad, (shingles, personas))| {
            let mut identifiers = Vec::new();
            let mut phashes = Vec::new();
            for id in &ad.identifiers {
                // A service's line (site support, abuse reports) is printed in unrelated ads.
                if !links_ads(id.kind)
                    || (id.kind == IdentifierKind::Phone && id.platform == SERVICE_PHONE)
                {
                    continue;
                }
                if id.kind == IdentifierKind::ImagePhash
                    && let Ok(h) = u64::from_str_radix(&id.value, 16)
                {
                    phashes.push(h);
                }
                let id = if id.platform.is_empty() {
                    interner.intern(id.kind.as_str(), &id.value)
                } else {
                    interner.intern(id.kind.as_str(), &format!("{}:{}", id.platform, id.value))
                };
                identifiers.push(id);
            }
            identifiers.sort_unstable();
            identifiers.dedup();
            let facts = AdFacts {
                key: ad.key,
                id: ad.id,
                posted_at: ad.posted_at,
                identifiers: identifiers.clone(),
                personas,
                hits: ad
                    .indicators
                    .into_iter()
                    .map(|h| Hit {
                        code: interner.share(&h.code),
                        field: h.field,
                        start: u32::try_from(h.span.start).unwrap_or(u32::MAX),
                        end: u32::try_from(h.span.end).unwrap_or(u32::MAX),
                        evidence: h.evidence.into_boxed_str(),
                    })
                    .collect(),
                places: ad
                    .places
                    .into_iter()
                    .map(|(id, name, admin1)| (id, interner.share(&name), interner.share(&admin1)))
                    .collect(),
            };
            let input = AdLinkInput {
                identifiers,
                phashes,
                shingles,
            };
            (facts, input)
        })
        .collect()
}

/// Counts describing one analysis run.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AnalysisStats {
    pub ads: usize,
    pub networks: usize,
    pub networks_of_one: usize,
    pub largest_network: usize,
    pub links: usize,
    pub template_links: usize,
    pub common_shingles: usize,
    pub kept_ids: usize,
    pub new_ids: usize,
}

/// An identifier kept out of linking, with why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnusedIdentifier {
    pub kind: String,
    pub value: String,
    /// `hub` or `excluded`.
    pub why: String,
    pub ads: usize,
    /// For hubs: how many otherwise separate groups its ads fall in.
    pub groups: usize,
}

/// The result of analysing a workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis<N = NetworkRecord> {
    /// Every network, as [`analyze_with`]'s `keep` turned its record (the record itself for
    /// [`analyze`]).
    pub networks: Vec<N>,
    /// Ad key → network id, for every ad.
    pub membership: Vec<(i64, NetworkId)>,
    pub events: Vec<NetworkEvent>,
    pub unused: Vec<UnusedIdentifier>,
    pub next_id: NetworkId,
    pub stats: AnalysisStats,
}

/// Stages 2 and 3: link the prepared ads, summarise every network, assign stable ids.
/// `inputs[i]` is the linking input of `facts[i]`; it is consumed so its shingles are freed
/// before the summaries are built. The facts are consumed too: each network's ads are handed
/// to the task that summarises it and freed there, so the facts and the finished records are
/// never all in memory at once (together they set the peak of a million-ad analysis).
pub fn analyze(
    facts: Vec<AdFacts>,
    inputs: Vec<AdLinkInput>,
    interner: &Interner,
    weights: &Weights,
    cfg: &LinkConfig,
    previous: &HashMap<i64, NetworkId>,
    next_id: NetworkId,
) -> Analysis {
    analyze_with(
        facts,
        inputs,
        interner,
        weights,
        cfg,
        previous,
        next_id,
        |record| record,
    )
}

/// [`analyze`], keeping of each network's record only what `keep` makes of it, as soon as the
/// record is made: a caller that stores the records can serialise them there, so a run never
/// holds every record as Rust values (several times the size of their JSON).
#[allow(clippy::too_many_arguments)]
pub fn analyze_with<N: Send>(
    facts: Vec<AdFacts>,
    inputs: Vec<AdLinkInput>,
    interner: &Interner,
    weights: &Weights,
    cfg: &LinkConfig,
    previous: &HashMap<i64, NetworkId>,
    next_id: NetworkId,
    keep: impl Fn(NetworkRecord) -> N + Sync,
) -> Analysis<N> {
    let linking = link(inputs, interner.names(), cfg);

    // Group-by network representative; groups in order of their first ad.
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (i, &rep) in linking.network_of.iter().enumerate() {
        members.entry(rep).or_default().push(i as u32);
    }
    let groups: Vec<Vec<u32>> = members.into_values().collect();
    let mut group_of = vec![0u32; facts.len()];
    for (g, ads) in groups.iter().enumerate() {
        for &a in ads {
            group_of[a as usize] = g as u32;
        }
    }
    // The links of each network as one slice of the list sorted by network, then by the link
    // itself (the order linking gave them, since links are distinct). A vector per network
    // would hold a second copy of every link (more than ten million at a million ads), and so
    // would a stable sort's buffer: the sort is in place.
    let mut linking = linking;
    let link_count = linking.links.len();
    let template_links = linking
        .links
        .iter()
        .filter(|l| l.reason == LinkReason::Template)
        .count();
    let mut links = std::mem::take(&mut linking.links);
    links.par_sort_unstable_by_key(|l| (group_of[l.a as usize], *l));
    let mut link_ranges = vec![0..0; groups.len()];
    let mut start = 0;
    for run in links.chunk_by(|x, y| group_of[x.a as usize] == group_of[y.a as usize]) {
        link_ranges[group_of[run[0].a as usize] as usize] = start..start + run.len();
        start += run.len();
    }

    let keys: Vec<Vec<i64>> = groups
        .iter()
        .map(|ads| ads.iter().map(|&a| facts[a as usize].key).collect())
        .collect();
    let assignment = assign_ids(&keys, previous, next_id);

    let unused = unused_identifiers(&linking, interner);
    let unused_ids: HashMap<u32, &str> = linking
        .hubs
        .iter()
        .map(|h| (h.identifier, "hub"))
        .chain(linking.excluded_seen.iter().map(|&(i, _)| (i, "excluded")))
        .collect();

    let membership = keys
        .iter()
        .zip(&assignment.ids)
        .flat_map(|(keys, &id)| keys.iter().map(move |&key| (key, id)))
        .collect();
    drop(keys);
    let ad_count = facts.len();
    let networks_of_one = groups.iter().filter(|g| g.len() == 1).count();
    let largest_network = groups.iter().map(Vec::len).max().unwrap_or(0);

    // Move each ad's facts to its network (groups list their ads in ascending order).
    let mut slots: Vec<Option<AdFacts>> = facts.into_iter().map(Some).collect();
    let group_facts: Vec<Vec<AdFacts>> = groups
        .iter()
        .map(|ads| {
            ads.iter()
                .filter_map(|&a| slots.get_mut(a as usize).and_then(Option::take))
                .collect()
        })
        .collect();
    drop(slots);

    let run = RunContext {
        photos: &linking.similar_photos,
        interner,
        weights,
        unused_ids: &unused_ids,
    };
    let networks: Vec<N> = groups
        .into_par_iter()
        .zip(group_facts.into_par_iter())
        .zip(link_ranges.par_iter())
        .zip(assignment.ids.par_iter())
        .map(|(((ads, members), range), &id)| {
            let links = &links[range.clone()];
            keep(summarise(id, &ads, members, links, &run))
        })
        .collect();
    drop(links);

    let stats = AnalysisStats {
        ads: ad_count,
        networks: networks.len(),
        networks_of_one,
        largest_network,
        links: link_count,
        template_links,
        common_shingles: linking.common_shingles,
        kept_ids: assignment.kept,
        new_ids: assignment.created,
    };
    Analysis {
        networks,
        membership,
        events: assignment.events,
        unused,
        next_id: assignment.next_id,
        stats,
    }
}

fn unused_identifiers(linking: &Linking, interner: &Interner) -> Vec<UnusedIdentifier> {
    let mut out: Vec<UnusedIdentifier> = linking
        .hubs
        .iter()
        .map(|h| {
            let (kind, value) = interner.name(h.identifier);
            UnusedIdentifier {
                kind: kind.clone(),
                value: value.clone(),
                why: "hub".into(),
                ads: h.ads,
                groups: h.groups,
            }
        })
        .collect();
    out.extend(linking.excluded_seen.iter().map(|&(i, ads)| {
        let (kind, value) = interner.name(i);
        UnusedIdentifier {
            kind: kind.clone(),
            value: value.clone(),
            why: "excluded".into(),
            ads,
            groups: 0,
        }
    }));
    out
}

/// What every network's summary reads from the run as a whole.
#[derive(Clone, Copy)]
struct RunContext<'a> {
    /// The perceptual-hash pairs similar-photo links point to.
    photos: &'a [(u64, u64)],
    interner: &'a Interner,
    weights: &'a Weights,
    /// Identifiers kept out of linking, with why ("hub", "excluded").
    unused_ids: &'a HashMap<u32, &'a str>,
}

/// Stage 3 for one network: everything in its record.
/// `ads` are the network's ads as indices into the whole run, ascending; `facts` are their
/// facts in the same order (links name ads by run index).
fn summarise(
    network_id: NetworkId,
    ads: &[u32],
    facts: Vec<AdFacts>,
    links: &[plainsight_link::Link],
    run: &RunContext<'_>,
) -> NetworkRecord {
    let RunContext {
        photos,
        interner,
        weights,
        unused_ids,
    } = *run;
    let mut members: Vec<&AdFacts> = facts.iter().collect();
    // Oldest first; undated ads last; the id breaks ties.
    members.sort_by(|a, b| {
        (a.posted_at.is_none(), a.posted_at, &a.id).cmp(&(
            b.posted_at.is_none(),
            b.posted_at,
            &b.id,
        ))
    });
    let n = members.len();

    let mut phones = BTreeSet::new();
    let mut emails = BTreeSet::new();
    let mut handles = BTreeSet::new();
    let mut image_hashes = BTreeSet::new();
    let mut unused = BTreeSet::new();
    // contact (identifier) → persona names used with it.
    let mut personas_by_contact: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
    let mut persona_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for ad in &members {
        for p in &ad.personas {
            *persona_counts.entry(p).or_default() += 1;
        }
        for &id in &ad.identifiers {
            let (kind, value) = interner.name(id);
            if let Some(why) = unused_ids.get(&id) {
                unused.insert(format!("{kind}:{value} ({why})"));
                continue;
            }
            match kind.as_str() {
                "phone" => {
                    phones.insert(value.clone());
                }
                "email" => {
                    emails.insert(value.clone());
                }
                "handle" | "payment" => {
                    handles.insert(value.clone());
                }
                "image_sha256" => {
                    image_hashes.insert(value.clone());
                }
                "image_phash" => {
                    image_hashes.insert(format!("phash:{value}"));
                }
                _ => {}
            }
            if matches!(kind.as_str(), "phone" | "email" | "handle" | "payment") {
                personas_by_contact
                    .entry(id)
                    .or_default()
                    .extend(ad.personas.iter().map(String::as_str));
            }
        }
    }
    let mut personas: Vec<(&str, usize)> = persona_counts.into_iter().collect();
    personas.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let personas: Vec<String> = personas.into_iter().map(|(p, _)| p.to_string()).collect();

    // Movement timeline: a group-by on the place. The places are those extraction kept,
    // which agree with the rest of their ad (docs/extract-format.md, "Location").
    let mut places: BTreeMap<u64, NetworkLocation> = BTreeMap::new();
    for ad in &members {
        let mut seen = BTreeSet::new();
        for (geonameid, name, admin1) in &ad.places {
            if !seen.insert(*geonameid) {
                continue;
            }
            let loc = places.entry(*geonameid).or_insert_with(|| NetworkLocation {
                name: name.to_string(),
                admin1: admin1.to_string(),
                first_seen: ad.posted_at,
                last_seen: ad.posted_at,
                ads: 0,
            });
            loc.ads += 1;
            if let Some(t) = ad.posted_at {
                loc.first_seen = Some(loc.first_seen.map_or(t, |f| f.min(t)));
                loc.last_seen = Some(loc.last_seen.map_or(t, |l| l.max(t)));
            }
        }
    }
    // "Three or more cities" counts cities and towns only: a state, province, county or
    // country beside its own city ("North Carolina", "Raleigh") is not another stop.
    let cities: BTreeSet<(String, String)> = places
        .iter()
        .filter(|(id, _)| plainsight_text::places::is_city(**id))
        .map(|(_, l)| (l.name.clone(), l.admin1.clone()))
        .collect();
    let mut locations: Vec<NetworkLocation> = places.into_values().collect();
    locations.sort_by(|a, b| {
        (a.first_seen.is_none(), a.first_seen, &a.name, &a.admin1).cmp(&(
            b.first_seen.is_none(),
            b.first_seen,
            &b.name,
            &b.admin1,
        ))
    });

    let first_seen = members.iter().filter_map(|a| a.posted_at).min();
    let last_seen = members.iter().filter_map(|a| a.posted_at).max();
    let weeks = match (first_seen, last_seen) {
        (Some(f), Some(l)) => ((l - f).num_seconds() as f64 / (7.0 * 86_400.0)).max(1.0),
        _ => 1.0,
    };
    let ads_per_week = round3(n as f64 / weeks);
    let personas_per_phone = if phones.is_empty() {
        0.0
    } else {
        round3(personas.len() as f64 / phones.len() as f64)
    };

    let network_links = summarise_links(links, photos, ads, &facts, interner);
    let reasons = reasons(
        &members,
        &personas,
        &personas_by_contact,
        &phones,
        &locations
            .iter()
            .filter(|l| cities.contains(&(l.name.clone(), l.admin1.clone())))
            .collect::<Vec<_>>(),
        interner,
        weights,
    );
    let priority = round3(reasons.iter().map(|r| r.weight).sum());

    NetworkRecord {
        network_id,
        ads: members.iter().map(|a| a.id.clone()).collect(),
        phones: phones.into_iter().collect(),
        emails: emails.into_iter().collect(),
        handles: handles.into_iter().collect(),
        image_hashes: image_hashes.into_iter().collect(),
        personas,
        locations,
        first_seen,
        last_seen,
        ads_per_week,
        personas_per_phone,
        priority,
        reasons,
        links: network_links,
        unused_identifiers: unused.into_iter().collect(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The links of one network, grouped by kind and value; template links grouped into templates
/// (connected parts of the template links), numbered `T1`, `T2`… by their first ad.
fn summarise_links(
    links: &[plainsight_link::Link],
    photos: &[(u64, u64)],
    ads: &[u32],
    facts: &[AdFacts],
    interner: &Interner,
) -> Vec<NetworkLink> {
    let mut by_value: BTreeMap<(String, String), BTreeSet<u32>> = BTreeMap::new();
    let mut template_edges = Vec::new();
    for l in links {
        let key = match l.reason {
            LinkReason::Identifier(id) => interner.name(id).clone(),
            LinkReason::SimilarPhoto(i) => {
                let (a, b) = photos.get(i as usize).copied().unwrap_or_default();
                (
                    "similar_photo".to_string(),
                    format!("phash:{a:016x}~phash:{b:016x}"),
                )
            }
            LinkReason::Template => {
                template_edges.push((l.a, l.b));
                continue;
            }
        };
        let set = by_value.entry(key).or_default();
        set.insert(l.a);
        set.insert(l.b);
    }
    let mut out: Vec<NetworkLink> = by_value
        .into_iter()
        .map(|((kind, value), members)| NetworkLink {
            kind,
            value,
            ads: ad_ids(&members, ads, facts),
        })
        .collect();
    if !template_edges.is_empty() {
        let mut nodes: Vec<u32> = template_edges.iter().flat_map(|&(a, b)| [a, b]).collect();
        nodes.sort_unstable();
        nodes.dedup();
        let index: HashMap<u32, u32> = nodes
            .iter()
            .enumerate()
            .map(|(i, &a)| (a, i as u32))
            .collect();
        let mut uf = UnionFind::new(nodes.len());
        for &(a, b) in &template_edges {
            uf.union(index[&a], index[&b]);
        }
        let labels = uf.canonical_labels();
        let mut parts: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
        for (i, &label) in labels.iter().enumerate() {
            parts.entry(label).or_default().insert(nodes[i]);
        }
        for (n, members) in parts.values().enumerate() {
            out.push(NetworkLink {
                kind: "template".into(),
                value: format!("T{}", n + 1),
                ads: ad_ids(members, ads, facts),
            });
        }
    }
    out
}

/// The ids of `members` (run indices), found through the network's ascending `ads`.
fn ad_ids(members: &BTreeSet<u32>, ads: &[u32], facts: &[AdFacts]) -> Vec<String> {
    members
        .iter()
        .filter_map(|a| ads.binary_search(a).ok())
        .filter_map(|i| facts.get(i).map(|f| f.id.clone()))
        .collect()
}

/// Evidence for a network feature: a note (identifier, persona, place), not a span of text.
fn note(ad: String, text: String) -> Evidence {
    Evidence {
        ad,
        field: None,
        start: None,
        end: None,
        text,
    }
}

/// A note pointing at the first (oldest) ad that shows it.
fn first_ad_note(members: &[&AdFacts], shows: impl Fn(&AdFacts) -> bool, text: String) -> Evidence {
    let ad = members
        .iter()
        .find(|a| shows(a))
        .map(|a| a.id.clone())
        .unwrap_or_default();
    note(ad, text)
}

/// The reasons behind a network's priority, largest contribution first.
fn reasons(
    members: &[&AdFacts],
    personas: &[String],
    personas_by_contact: &BTreeMap<u32, BTreeSet<&str>>,
    phones: &BTreeSet<String>,
    cities: &[&NetworkLocation],
    interner: &Interner,
    weights: &Weights,
) -> Vec<Reason> {
    let n = members.len() as f64;
    let mut out = Vec::new();
    // Indicators: value = share of the network's ads with a hit.
    let mut by_code: BTreeMap<&str, (Vec<String>, Vec<Evidence>)> = BTreeMap::new();
    for ad in members {
        let mut codes_here = BTreeSet::new();
        for hit in &ad.hits {
            let entry = by_code.entry(&*hit.code).or_default();
            if codes_here.insert(&*hit.code) {
                entry.0.push(ad.id.clone());
            }
            if entry.1.len() < EVIDENCE_PER_REASON {
                entry.1.push(Evidence {
                    ad: ad.id.clone(),
                    field: Some(hit.field),
                    start: Some(hit.start as usize),
                    end: Some(hit.end as usize),
                    text: hit.evidence.to_string(),
                });
            }
        }
    }
    for (code, (ads, evidence)) in by_code {
        let value = round3(ads.len() as f64 / n);
        out.push(Reason {
            code: code.to_string(),
            description: weights.description(code).to_string(),
            weight: round3(weights.weight(code) * value),
            value,
            ads,
            evidence,
        });
    }
    let all_ads = || members.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    let mut feature = |code: &str, ads: Vec<String>, evidence: Vec<Evidence>| {
        out.push(Reason {
            code: code.to_string(),
            description: weights.description(code).to_string(),
            weight: round3(weights.weight(code)),
            value: 1.0,
            ads,
            evidence,
        });
    };
    // One contact, several personas.
    let shared: Vec<(&u32, &BTreeSet<&str>)> = personas_by_contact
        .iter()
        .filter(|(_, names)| names.len() >= 2)
        .collect();
    if !shared.is_empty() {
        let evidence = shared
            .iter()
            .take(EVIDENCE_PER_REASON)
            .map(|(id, names)| {
                let (kind, value) = interner.name(**id);
                let names: Vec<&str> = names.iter().copied().collect();
                first_ad_note(
                    members,
                    |a| a.identifiers.contains(id),
                    format!("{kind} {value}: {}", names.join(", ")),
                )
            })
            .collect();
        let ads = members
            .iter()
            .filter(|a| shared.iter().any(|(id, _)| a.identifiers.contains(id)))
            .map(|a| a.id.clone())
            .collect();
        feature("personas_per_contact", ads, evidence);
    }
    if personas.len() >= 2 {
        let evidence = personas
            .iter()
            .take(EVIDENCE_PER_REASON)
            .map(|p| first_ad_note(members, |a| a.personas.contains(p), p.clone()))
            .collect();
        feature("several_personas", all_ads(), evidence);
    }
    if phones.len() >= 3 {
        let evidence = phones
            .iter()
            .take(EVIDENCE_PER_REASON)
            .map(|p| {
                let is_this_phone = |&i: &u32| {
                    let (kind, value) = interner.name(i);
                    kind == "phone" && value == p
                };
                first_ad_note(
                    members,
                    |a| a.identifiers.iter().any(is_this_phone),
                    p.clone(),
                )
            })
            .collect();
        feature("phone_rotation", all_ads(), evidence);
    }
    if cities.len() >= 3 {
        let evidence = cities
            .iter()
            .take(EVIDENCE_PER_REASON)
            .map(|l| {
                note(
                    String::new(),
                    format!(
                        "{}, {} ({} ads{})",
                        l.name,
                        l.admin1,
                        l.ads,
                        l.first_seen
                            .map(|t| format!(", from {}", t.format("%Y-%m-%d")))
                            .unwrap_or_default()
                    ),
                )
            })
            .collect();
        feature("multi_city_circuit", all_ads(), evidence);
    }
    // A stated age under 18 comes first whatever its weight (even a calibrated one): an
    // analyst must see a possible minor before anything else.
    let minor = |r: &Reason| r.code == STATED_AGE_UNDER_18;
    out.sort_by(|a, b| {
        minor(b)
            .cmp(&minor(a))
            .then_with(|| b.weight.total_cmp(&a.weight))
            .then_with(|| a.code.cmp(&b.code))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use plainsight_core::{Identifier, IndicatorHit, Span};

    fn ad(key: i64, phone: &str, text: &str, city: (u64, &str, &str)) -> AnalysisAd {
        AnalysisAd {
            key,
            id: format!("ad{key}"),
            posted_at: Some(
                DateTime::parse_from_rfc3339(&format!("2026-01-{:02}T00:00:00Z", key))
                    .unwrap()
                    .with_timezone(&Utc),
            ),
            title: String::new(),
            body: text.to_string(),
            identifiers: vec![Identifier {
                kind: IdentifierKind::Phone,
                platform: String::new(),
                value: phone.to_string(),
                obscured: false,
            }],
            indicators: vec![IndicatorHit {
                code: "obscured_phone".into(),
                evidence: "nine one nine".into(),
                span: Span::new(0, 13),
                field: Field::Body,
            }],
            places: vec![(city.0, city.1.to_string(), city.2.to_string())],
        }
    }

    #[test]
    fn interning_gives_one_id_per_name() {
        let mut i = Interner::default();
        let a = i.intern("phone", "+19195550001");
        let b = i.intern("email", "+19195550001");
        let c = i.intern("phone", "+19195550001");
        assert_eq!(a, c);
        assert_ne!(a, b);
        assert_eq!(
            i.name(b),
            &("email".to_string(), "+19195550001".to_string())
        );
        assert_eq!(i.names().len(), 2);
    }

    #[test]
    fn a_network_record_holds_timeline_personas_links_and_reasons() {
        let ads = vec![
            ad(1, "+19195550001", "my name is Candy", (1, "Raleigh", "NC")),
            ad(2, "+19195550001", "ask for Amber", (2, "Durham", "NC")),
            ad(3, "+19195550001", "Jade here", (3, "Cary", "NC")),
            ad(4, "+12125550002", "I'm Lola", (4, "Albany", "NY")),
        ];
        let mut interner = Interner::default();
        let (facts, inputs): (Vec<_>, Vec<_>) = prepare(ads, &mut interner).into_iter().unzip();
        let weights = Weights::bundled().unwrap();
        let a = analyze(
            facts,
            inputs,
            &interner,
            &weights,
            &LinkConfig::default(),
            &HashMap::new(),
            1,
        );
        assert_eq!(a.networks.len(), 2);
        let big = &a.networks[0];
        assert_eq!(big.network_id, 1);
        assert_eq!(big.ads, vec!["ad1", "ad2", "ad3"]);
        assert_eq!(big.phones, vec!["+19195550001"]);
        assert_eq!(big.personas, vec!["Amber", "Candy", "Jade"]);
        assert_eq!(
            big.locations
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>(),
            vec!["Raleigh", "Durham", "Cary"]
        );
        assert_eq!(big.personas_per_phone, 3.0);
        let codes: Vec<&str> = big.reasons.iter().map(|r| r.code.as_str()).collect();
        assert!(codes.contains(&"personas_per_contact"));
        assert!(codes.contains(&"multi_city_circuit"));
        assert!(codes.contains(&"obscured_phone"));
        let total: f64 = big.reasons.iter().map(|r| r.weight).sum();
        assert!(
            (big.priority - total).abs() < 1e-9,
            "priority is the sum of reasons"
        );
        assert!(
            big.reasons.windows(2).all(|w| w[0].weight >= w[1].weight),
            "largest first"
        );
        assert_eq!(big.links.len(), 1);
        assert_eq!(big.links[0].kind, "phone");
        assert_eq!(big.links[0].ads, vec!["ad1", "ad2", "ad3"]);
        assert!(a.networks[1].priority < big.priority);
        assert_eq!(a.membership.len(), 4);
    }

    #[test]
    fn a_stated_age_under_18_is_the_first_reason_whatever_its_weight() {
        let mut ads = vec![
            ad(1, "+19195550001", "my name is Candy", (1, "Raleigh", "NC")),
            ad(2, "+19195550001", "ask for Amber", (2, "Durham", "NC")),
            ad(3, "+19195550001", "Jade here, 16 yrs", (3, "Cary", "NC")),
        ];
        ads[2].indicators.push(IndicatorHit {
            code: STATED_AGE_UNDER_18.into(),
            evidence: "16 yrs".into(),
            span: Span::new(11, 17),
            field: Field::Body,
        });
        // A calibration that gave the under-18 reason almost no weight must not bury it.
        let fitted = BTreeMap::from([(STATED_AGE_UNDER_18.to_string(), 0.001)]);
        for weights in [
            Weights::bundled().unwrap(),
            Weights::bundled().unwrap().with_fitted(&fitted, "test"),
        ] {
            let mut interner = Interner::default();
            let (facts, inputs): (Vec<_>, Vec<_>) =
                prepare(ads.clone(), &mut interner).into_iter().unzip();
            let a = analyze(
                facts,
                inputs,
                &interner,
                &weights,
                &LinkConfig::default(),
                &HashMap::new(),
                1,
            );
            let reasons = &a.networks[0].reasons;
            assert!(reasons.len() >= 3, "{reasons:?}");
            assert_eq!(reasons[0].code, STATED_AGE_UNDER_18, "{reasons:?}");
            assert_eq!(reasons[0].ads, vec!["ad3"]);
            assert_eq!(reasons[0].evidence[0].text, "16 yrs");
            // The rest keep the largest-first order.
            assert!(reasons[1..].windows(2).all(|w| w[0].weight >= w[1].weight));
        }
    }
}
