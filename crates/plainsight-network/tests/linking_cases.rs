//! The linking traps named in `ads.md`, end to end through `prepare` and `analyze`: hub
//! numbers, spam floods, generic phrases, rotated phones, photo-only links, exclusions.

use std::collections::{BTreeSet, HashMap};

use chrono::{TimeZone, Utc};
use plainsight_core::{AnalysisAd, Identifier, IdentifierKind, NetworkRecord};
use plainsight_link::LinkConfig;
use plainsight_network::{Analysis, Interner, Weights, analyze, prepare};

fn id(kind: IdentifierKind, value: &str) -> Identifier {
    Identifier {
        kind,
        platform: String::new(),
        value: value.to_string(),
        obscured: false,
    }
}

fn phone(value: &str) -> Identifier {
    id(IdentifierKind::Phone, value)
}

fn ad(key: i64, body: &str, identifiers: Vec<Identifier>) -> AnalysisAd {
    AnalysisAd {
        key,
        id: format!("ad{key}"),
        posted_at: Some(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(key),
        ),
        body: body.to_string(),
        identifiers,
        ..AnalysisAd::default()
    }
}

fn run(ads: Vec<AnalysisAd>, cfg: &LinkConfig) -> Analysis {
    let mut interner = Interner::default();
    let (facts, inputs): (Vec<_>, Vec<_>) = prepare(ads, &mut interner).into_iter().unzip();
    analyze(
        facts,
        inputs,
        &interner,
        &Weights::bundled().unwrap(),
        cfg,
        &HashMap::new(),
        1,
    )
}

fn network_of<'a>(a: &'a Analysis, ad: &str) -> &'a NetworkRecord {
    a.networks
        .iter()
        .find(|n| n.ads.iter().any(|x| x == ad))
        .unwrap()
}

/// A distinct text per writer, long enough to template-link with itself only.
fn writer_text(w: usize) -> String {
    let words = [
        "velvet", "harbor", "meadow", "crimson", "silver", "orchid", "ember", "willow", "cobalt",
        "saffron", "juniper", "marble", "lantern", "cedar", "amber", "thistle",
    ];
    (0..14)
        .map(|i| words[(w * 7 + i * 3 + w / 16) % words.len()].to_string() + &"x".repeat(w % 5))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_hub_number_in_many_unrelated_ads_is_reported_not_used() {
    let mut ads = Vec::new();
    for w in 0..30 {
        for k in 0..3 {
            ads.push(ad(
                (w * 3 + k) as i64,
                "short",
                vec![phone(&format!("+1919555{w:04}")), phone("+18005550100")],
            ));
        }
    }
    let a = run(ads, &LinkConfig::default());
    assert_eq!(
        a.networks.len(),
        30,
        "one network per writer, not one giant one"
    );
    assert!(
        a.unused
            .iter()
            .any(|u| u.why == "hub" && u.value == "+18005550100")
    );
    let n = network_of(&a, "ad0");
    assert!(
        n.unused_identifiers
            .iter()
            .any(|u| u.contains("+18005550100 (hub)"))
    );
    assert!(!n.phones.contains(&"+18005550100".to_string()));
}

#[test]
fn a_spam_flood_is_one_network_with_linear_links() {
    let text = writer_text(1);
    let ads: Vec<AnalysisAd> = (0..3_000)
        .map(|i| ad(i, &text, vec![phone("+19195550001")]))
        .collect();
    let a = run(ads, &LinkConfig::default());
    assert_eq!(a.networks.len(), 1);
    assert!(a.stats.links < 6_000, "{} links", a.stats.links);
}

#[test]
fn generic_phrases_do_not_link_unrelated_writers() {
    let boiler = "100% real pics no rush no games no drama discreet and clean upscale \
                  gentlemen only please be respectful of my time";
    let ads: Vec<AnalysisAd> = (0..200)
        .map(|i| ad(i, &format!("{} {boiler}", writer_text(i as usize)), vec![]))
        .collect();
    let a = run(ads, &LinkConfig::default());
    assert!(a.stats.common_shingles > 0);
    let sizes: BTreeSet<usize> = a.networks.iter().map(|n| n.ads.len()).collect();
    assert!(
        a.networks.len() > 150,
        "{} networks (sizes {sizes:?})",
        a.networks.len()
    );
}

#[test]
fn rotated_phones_join_through_a_shared_template() {
    // One writer, five numbers, one text with a different name each time.
    let template = "Hello gentlemen my name is NAME and I am a sweet upscale companion visiting \
                    your city this week only incall and outcall discreet and clean";
    let names = ["Candy", "Amber", "Jade", "Lola", "Mia"];
    let ads: Vec<AnalysisAd> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            ad(
                i as i64,
                &template.replace("NAME", name),
                vec![phone(&format!("+1704555{i:04}"))],
            )
        })
        .collect();
    let a = run(ads, &LinkConfig::default());
    assert_eq!(a.networks.len(), 1);
    let n = &a.networks[0];
    assert_eq!(n.phones.len(), 5);
    assert_eq!(n.personas.len(), 5);
    let codes: Vec<&str> = n.reasons.iter().map(|r| r.code.as_str()).collect();
    assert!(codes.contains(&"phone_rotation"), "{codes:?}");
    assert!(codes.contains(&"several_personas"), "{codes:?}");
    assert!(n.links.iter().any(|l| l.kind == "template"));
}

#[test]
fn photos_alone_link_ads() {
    let sha = "ab".repeat(32);
    let ads = vec![
        ad(1, "one", vec![id(IdentifierKind::ImageSha256, &sha)]),
        ad(2, "two", vec![id(IdentifierKind::ImageSha256, &sha)]),
        ad(
            3,
            "three",
            vec![id(IdentifierKind::ImagePhash, "c3a1f0e4b2d69587")],
        ),
        // Two bits from ad 3's photo.
        ad(
            4,
            "four",
            vec![id(IdentifierKind::ImagePhash, "c3a1f0e4b2d69584")],
        ),
        ad(
            5,
            "five",
            vec![id(IdentifierKind::ImagePhash, "3c5e0f1b4d29a678")],
        ),
    ];
    let a = run(ads, &LinkConfig::default());
    assert_eq!(network_of(&a, "ad1").ads, vec!["ad1", "ad2"]);
    let n = network_of(&a, "ad3");
    assert_eq!(n.ads, vec!["ad3", "ad4"]);
    assert!(n.links.iter().any(|l| l.kind == "similar_photo"));
    assert_eq!(network_of(&a, "ad5").ads, vec!["ad5"]);
}

#[test]
fn excluded_numbers_never_link_and_are_shown() {
    let ads = vec![
        ad(1, "a", vec![phone("+18883737888")]),
        ad(2, "b", vec![phone("+18883737888")]),
    ];
    let cfg = LinkConfig {
        excluded: [("phone".to_string(), "+18883737888".to_string())].into(),
        ..LinkConfig::default()
    };
    let a = run(ads, &cfg);
    assert_eq!(a.networks.len(), 2);
    assert!(a.networks[0].unused_identifiers[0].contains("excluded"));
}

#[test]
fn domains_never_link() {
    let ads = vec![
        ad(1, "a", vec![id(IdentifierKind::Domain, "gmail.com")]),
        ad(2, "b", vec![id(IdentifierKind::Domain, "gmail.com")]),
    ];
    assert_eq!(run(ads, &LinkConfig::default()).networks.len(), 2);
}

#[test]
fn an_operators_photo_links_its_ads_but_a_stock_photo_everyone_uses_is_a_hub() {
    let photo = |h: &str| id(IdentifierKind::ImageSha256, h);
    let mut ads = Vec::new();
    // One operator: 12 ads, each with its own number, all with the same photo.
    for k in 0..12 {
        ads.push(ad(
            k,
            "x",
            vec![phone(&format!("+1704555{k:04}")), photo(&"aa".repeat(32))],
        ));
    }
    // 50 unrelated writers, two ads each with their own number, all using one stock photo.
    for w in 0..50 {
        for k in 0..2 {
            ads.push(ad(
                100 + w * 2 + k,
                "y",
                vec![phone(&format!("+1919555{w:04}")), photo(&"bb".repeat(32))],
            ));
        }
    }
    let a = run(ads, &LinkConfig::default());
    assert_eq!(
        network_of(&a, "ad0").ads.len(),
        12,
        "the operator is one network"
    );
    assert!(
        a.unused
            .iter()
            .any(|u| u.why == "hub" && u.value == "bb".repeat(32))
    );
    assert_eq!(
        network_of(&a, "ad100").ads.len(),
        2,
        "the stock photo merged nobody"
    );
}

#[test]
fn a_service_line_printed_in_a_few_unrelated_ads_never_links_them() {
    // Three writers, each with their own number, whose ads also carry a site's support line:
    // too few ads for hub detection, so only the extraction's "service" mark keeps them apart.
    let support = Identifier {
        platform: plainsight_core::SERVICE_PHONE.to_string(),
        ..phone("+18662930276")
    };
    let ads = vec![
        ad(
            1,
            &writer_text(1),
            vec![phone("+19195550101"), support.clone()],
        ),
        ad(
            2,
            &writer_text(2),
            vec![phone("+19195550102"), support.clone()],
        ),
        ad(3, &writer_text(3), vec![phone("+19195550103"), support]),
    ];
    let a = run(ads, &LinkConfig::default());
    assert_eq!(a.networks.len(), 3, "each writer is a network of its own");
    // Without the mark the same number would join them.
    let ads = vec![
        ad(
            1,
            &writer_text(1),
            vec![phone("+19195550101"), phone("+18662930276")],
        ),
        ad(
            2,
            &writer_text(2),
            vec![phone("+19195550102"), phone("+18662930276")],
        ),
        ad(
            3,
            &writer_text(3),
            vec![phone("+19195550103"), phone("+18662930276")],
        ),
    ];
    assert_eq!(run(ads, &LinkConfig::default()).networks.len(), 1);
}
