//! The "three or more cities" reason counts only places extraction kept, which agree with
//! the rest of their ad, and only cities: end to end from ads through the extractor,
//! `prepare` and `analyze`, as `plainsight analyze` runs.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use plainsight_core::{Ad, AnalysisAd, identifiers_of};
use plainsight_link::LinkConfig;
use plainsight_network::{Analysis, Interner, Weights, analyze, prepare};
use plainsight_text::extract::{ExtractConfig, Extractor};

fn run(ads: &[Ad]) -> Analysis {
    let extractor = Extractor::new(&ExtractConfig::default()).unwrap();
    let analysis_ads: Vec<AnalysisAd> = ads
        .iter()
        .enumerate()
        .map(|(key, ad)| {
            let extraction = extractor.extract(ad);
            AnalysisAd {
                key: key as i64,
                id: ad.id.clone(),
                posted_at: Some(
                    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
                        + chrono::Duration::days(key as i64),
                ),
                title: ad.title.clone().unwrap_or_default(),
                body: ad.body.clone().unwrap_or_default(),
                identifiers: identifiers_of(ad, &extraction),
                indicators: extraction.indicators.clone(),
                places: extraction
                    .locations
                    .iter()
                    .map(|l| (l.geonameid, l.name.clone(), l.admin1.clone()))
                    .collect(),
            }
        })
        .collect();
    let mut interner = Interner::default();
    let (facts, inputs): (Vec<_>, Vec<_>) =
        prepare(analysis_ads, &mut interner).into_iter().unzip();
    analyze(
        facts,
        inputs,
        &interner,
        &Weights::bundled().unwrap(),
        &LinkConfig::default(),
        &HashMap::new(),
        1,
    )
}

fn ad(n: usize, location: &str, body: &str) -> Ad {
    Ad {
        id: format!("ad{n}"),
        location: Some(location.to_string()),
        body: Some(format!("{body}. Call 919-555-0147 for specials.")),
        ..Ad::default()
    }
}

fn has_circuit(a: &Analysis) -> bool {
    a.networks
        .iter()
        .any(|n| n.reasons.iter().any(|r| r.code == "multi_city_circuit"))
}

#[test]
fn namesake_towns_in_other_states_make_no_circuit() {
    // One writer in Raleigh, NC naming its neighbourhoods, each also a town elsewhere
    // (Crabtree, QC; North Hills, CA; Brier, WA; Midtown, TN; Egypt, PA).
    let ads = [
        ad(1, "Raleigh, NC", "Incall near Crabtree, North Hills too"),
        ad(2, "Raleigh NC / Brier Creek", "Brier incall tonight"),
        ad(3, "Raleigh, NC", "Midtown outcalls, ask for Egypt"),
        ad(4, "raleigh", "North Hills area"),
    ];
    let a = run(&ads);
    assert_eq!(a.networks.len(), 1, "one phone, one network");
    let places: Vec<String> = a.networks[0]
        .locations
        .iter()
        .map(|l| format!("{}, {}", l.name, l.admin1))
        .collect();
    assert_eq!(places, vec!["Raleigh, NC"]);
    assert!(!has_circuit(&a), "{:?}", a.networks[0].reasons);
}

#[test]
fn three_cities_the_ads_really_name_make_a_circuit() {
    let ads = [
        ad(1, "Raleigh, NC", "New in town"),
        ad(2, "Durham, NC", "Last night here"),
        ad(3, "Greensboro, NC", "Just arrived"),
    ];
    let a = run(&ads);
    assert_eq!(a.networks.len(), 1);
    assert!(has_circuit(&a), "{:?}", a.networks[0].reasons);
}

#[test]
fn a_state_beside_its_cities_is_not_another_city() {
    let ads = [
        ad(1, "Raleigh, NC", "serving North Carolina"),
        ad(2, "Durham, NC", "all of North Carolina"),
    ];
    let a = run(&ads);
    let names: Vec<&str> = a.networks[0]
        .locations
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!has_circuit(&a), "two cities and their state");
}
