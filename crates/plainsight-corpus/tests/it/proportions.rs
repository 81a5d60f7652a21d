//! The corpus simulates what it claims to, in sensible proportions.

use std::collections::{BTreeMap, BTreeSet};

use plainsight_corpus::{AdKind, Truth};

use crate::corpus;

fn share(count: usize, total: usize) -> f64 {
    count as f64 / total as f64
}

fn assert_between(name: &str, value: f64, low: f64, high: f64) {
    eprintln!("{name:>32}: {:5.1} %", value * 100.0);
    assert!(
        (low..=high).contains(&value),
        "{name} = {value:.4}, expected between {low} and {high}"
    );
}

#[derive(Default)]
struct Network {
    kind: BTreeSet<&'static str>,
    personas: BTreeSet<String>,
    phones: BTreeSet<String>,
    cities: BTreeSet<String>,
    templates: BTreeSet<String>,
    ads: usize,
}

fn kind_name(t: &Truth) -> &'static str {
    match t.kind {
        AdKind::Operator => "operator",
        AdKind::Independent => "independent",
        AdKind::Spam => "spam",
    }
}

#[test]
fn proportions_are_sensible() {
    let pairs = corpus(60_000, 2024);
    let n = pairs.len();
    let count = |f: &dyn Fn(&Truth) -> bool| pairs.iter().filter(|(_, t)| f(t)).count();

    assert_between(
        "operator ads",
        share(count(&|t| t.kind == AdKind::Operator), n),
        0.30,
        0.75,
    );
    assert_between(
        "independent ads",
        share(count(&|t| t.kind == AdKind::Independent), n),
        0.20,
        0.65,
    );
    assert_between(
        "spam copies",
        share(count(&|t| t.kind == AdKind::Spam), n),
        0.005,
        0.12,
    );
    assert_between(
        "disguised phone",
        share(count(&|t| !t.phone_obfuscations.is_empty()), n),
        0.15,
        0.60,
    );
    assert_between(
        "hub number",
        share(count(&|t| !t.hub_phones.is_empty()), n),
        0.02,
        0.08,
    );
    assert_between(
        "mojibake",
        share(
            count(&|t| t.text_obfuscations.iter().any(|o| o == "mojibake")),
            n,
        ),
        0.005,
        0.05,
    );
    assert_between(
        "scraper phones field",
        share(
            pairs.iter().filter(|(a, _)| !a.phones.is_empty()).count(),
            n,
        ),
        0.2,
        0.4,
    );
    assert_between(
        "e-mail",
        share(count(&|t| !t.emails.is_empty()), n),
        0.03,
        0.25,
    );
    assert_between(
        "handle",
        share(count(&|t| !t.handles.is_empty()), n),
        0.05,
        0.40,
    );
    assert_between(
        "stated age",
        share(count(&|t| t.stated_age.is_some()), n),
        0.6,
        1.0,
    );
    let has = |code: &'static str| move |t: &Truth| t.indicators.iter().any(|i| i == code);
    assert_between(
        "movement language",
        share(count(&has("movement")), n),
        0.03,
        0.30,
    );
    assert_between("youth language", share(count(&has("youth")), n), 0.01, 0.15);
    assert_between(
        "third-party language",
        share(count(&has("third_party")), n),
        0.10,
        0.50,
    );
    assert_between(
        "rose emoji",
        share(count(&has("emoji_rose")), n),
        0.01,
        0.20,
    );
    assert!(
        count(&has("emoji_cherry")) > 0
            && count(&has("emoji_airplane")) > 0
            && count(&has("emoji_crown")) > 0
    );

    // Every disguise shows up, and none dominates.
    for technique in [
        "spelled_digits",
        "letter_for_digit",
        "separators",
        "lookalike_chars",
        "html",
        "mojibake",
    ] {
        let c = count(&|t| t.phone_obfuscations.iter().any(|o| o == technique));
        assert_between(technique, share(c, n), 0.0005, 0.35);
    }
    assert!(count(&|t| t.text_obfuscations.iter().any(|o| o == "lookalike_words")) > 0);

    // Third-party language is mostly an operator habit; movement mostly independents'.
    let by_kind = |code: &'static str, kind: AdKind| {
        let of_kind = count(&|t| t.kind == kind);
        share(
            count(&|t| t.kind == kind && t.indicators.iter().any(|i| i == code)),
            of_kind,
        )
    };
    assert!(
        by_kind("third_party", AdKind::Operator)
            > 5.0 * by_kind("third_party", AdKind::Independent)
    );
    assert!(by_kind("movement", AdKind::Independent) > by_kind("movement", AdKind::Operator));
}

#[test]
fn networks_look_like_networks() {
    let pairs = corpus(60_000, 77);
    let mut networks: BTreeMap<String, Network> = BTreeMap::new();
    let mut phone_owner: BTreeMap<String, String> = BTreeMap::new();
    let mut hubs = BTreeSet::new();
    for (_, t) in &pairs {
        let net = networks.entry(t.network_id.clone()).or_default();
        net.kind.insert(kind_name(t));
        net.personas.insert(t.persona.clone());
        net.cities.insert(format!("{}, {}", t.city, t.state));
        net.templates.insert(t.template_id.clone());
        net.ads += 1;
        hubs.extend(t.hub_phones.iter().cloned());
        for p in t.phones.iter().filter(|p| !t.hub_phones.contains(p)) {
            net.phones.insert(p.clone());
            let owner = phone_owner
                .entry(p.clone())
                .or_insert_with(|| t.network_id.clone());
            assert_eq!(owner, &t.network_id, "{p} is written by two networks");
        }
    }
    let operators: Vec<&Network> = networks
        .values()
        .filter(|n| n.kind.contains("operator"))
        .collect();
    let independents: Vec<&Network> = networks
        .values()
        .filter(|n| n.kind.contains("independent"))
        .collect();
    assert!(operators.len() > 50 && independents.len() > 500);
    for net in &independents {
        assert_eq!(net.personas.len(), 1);
        assert_eq!(net.phones.len(), 1);
        assert_eq!(net.templates.len().clamp(1, 2), net.templates.len());
    }
    for net in &operators {
        assert!(net.personas.len() <= 6 && net.phones.len() <= 4);
    }
    // Busy operators post for several personas, move through several cities, reuse templates.
    let busy: Vec<&&Network> = operators.iter().filter(|n| n.ads >= 100).collect();
    assert!(!busy.is_empty());
    let multi_persona = busy.iter().filter(|n| n.personas.len() >= 2).count();
    let circuits = busy.iter().filter(|n| n.cities.len() >= 3).count();
    assert!(share(multi_persona, busy.len()) > 0.9);
    assert_between(
        "busy operators on a circuit",
        share(circuits, busy.len()),
        0.4,
        0.95,
    );
    let stationary_independents = independents.iter().filter(|n| n.cities.len() == 1).count();
    assert!(share(stationary_independents, independents.len()) > 0.5);
    // Some phone is shared between personas of one operator ("one contact, many personas").
    assert!(operators.iter().any(|n| n.phones.len() < n.personas.len()));
    // Hub numbers appear across many unrelated networks.
    assert_eq!(hubs.len(), 4);
    for hub in &hubs {
        let nets: BTreeSet<&String> = pairs
            .iter()
            .filter(|(_, t)| t.hub_phones.contains(hub))
            .map(|(_, t)| &t.network_id)
            .collect();
        assert!(
            nets.len() > 20,
            "hub {hub} links only {} networks",
            nets.len()
        );
    }
}

#[test]
fn photos_are_reused_and_sometimes_re_encoded() {
    let pairs = corpus(20_000, 5);
    // sha256 -> (network, phash)
    let mut seen: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut reused = 0;
    for (ad, t) in &pairs {
        for img in &ad.images {
            let sha = img.sha256.clone().expect("sha256");
            let phash =
                u64::from_str_radix(img.phash.as_deref().expect("phash"), 16).expect("hex phash");
            if let Some((net, _)) = seen.insert(sha, (t.network_id.clone(), phash)) {
                reused += 1;
                assert_eq!(net, t.network_id, "a photo crossed networks");
            }
        }
    }
    assert!(reused > 1_000, "photos are rarely reused: {reused}");
    // Re-encodings: same network, different sha256, phash within 1-4 bits.
    let mut by_network: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (net, phash) in seen.values() {
        by_network.entry(net.as_str()).or_default().push(*phash);
    }
    let near = by_network
        .values()
        .flat_map(|hashes| {
            hashes
                .iter()
                .enumerate()
                .flat_map(move |(i, a)| hashes[i + 1..].iter().map(move |b| (a ^ b).count_ones()))
        })
        .filter(|d| (1..=4).contains(d))
        .count();
    assert!(near > 20, "too few re-encoded photos: {near}");
}
