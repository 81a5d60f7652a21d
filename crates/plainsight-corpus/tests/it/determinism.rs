//! Same seed, same bytes; different seed, different corpus; streaming without up-front cost.

use plainsight_corpus::{CorpusConfig, generate};

use crate::to_bytes;

#[test]
fn same_seed_gives_identical_bytes() {
    let cfg = CorpusConfig {
        ads: 3_000,
        seed: 42,
        ..CorpusConfig::default()
    };
    let (ads_a, truth_a) = to_bytes(&cfg);
    let (ads_b, truth_b) = to_bytes(&cfg);
    assert!(
        ads_a == ads_b,
        "ads differ between two runs with the same seed"
    );
    assert!(
        truth_a == truth_b,
        "truth differs between two runs with the same seed"
    );
    assert_eq!(ads_a.iter().filter(|&&b| b == b'\n').count(), 3_000);
    assert_eq!(truth_a.iter().filter(|&&b| b == b'\n').count(), 3_000);
}

#[test]
fn different_seeds_give_different_corpora() {
    let a = to_bytes(&CorpusConfig {
        ads: 500,
        seed: 1,
        ..CorpusConfig::default()
    });
    let b = to_bytes(&CorpusConfig {
        ads: 500,
        seed: 2,
        ..CorpusConfig::default()
    });
    assert!(a.0 != b.0 && a.1 != b.1);
}

#[test]
fn a_prefix_does_not_depend_on_the_requested_size() {
    // The window of active writers depends on `ads`, so fix it to compare prefixes.
    let small = CorpusConfig {
        ads: 200,
        seed: 9,
        active_writers: Some(16),
        ..CorpusConfig::default()
    };
    let large = CorpusConfig {
        ads: 5_000,
        ..small.clone()
    };
    let a: Vec<_> = generate(&small).collect();
    let b: Vec<_> = generate(&large).take(200).collect();
    assert!(
        a == b,
        "the first 200 ads changed when more ads were requested"
    );
}

#[test]
fn generation_is_lazy_and_needs_no_allocation_proportional_to_the_size() {
    // A corpus of usize::MAX ads could not be planned up front; streaming must still work.
    let cfg = CorpusConfig {
        ads: usize::MAX,
        seed: 5,
        ..CorpusConfig::default()
    };
    let corpus = generate(&cfg);
    assert_eq!(corpus.len(), usize::MAX);
    assert_eq!(corpus.take(2_000).count(), 2_000);

    let million = CorpusConfig {
        ads: 1_000_000,
        seed: 5,
        ..CorpusConfig::default()
    };
    let mut it = generate(&million);
    let first: Vec<_> = it.by_ref().take(1_000).collect();
    assert_eq!(first.len(), 1_000);
    assert_eq!(
        it.len(),
        999_000,
        "the iterator should know how many ads remain"
    );
}

#[test]
fn zero_ads_is_an_empty_corpus() {
    let cfg = CorpusConfig {
        ads: 0,
        ..CorpusConfig::default()
    };
    assert_eq!(generate(&cfg).count(), 0);
    assert!(to_bytes(&cfg).0.is_empty());
}

#[test]
fn first_ads_are_stable_across_machines_and_releases() {
    // A snapshot of the first ads of seed 1: if it changes, every published corpus and
    // every measurement made on one changes too. Review such a diff like a format change.
    let cfg = CorpusConfig {
        ads: 3,
        seed: 1,
        ..CorpusConfig::default()
    };
    let pairs: Vec<_> = generate(&cfg).collect();
    insta::assert_json_snapshot!(pairs);
}
