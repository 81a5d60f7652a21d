//! Integration tests of the corpus generator: one binary, several modules.

mod determinism;
mod proportions;
mod truth_matches_text;

use plainsight_core::Ad;
use plainsight_corpus::{CorpusConfig, Truth, generate};

/// Generate a corpus into memory (tests only use small sizes).
pub fn corpus(ads: usize, seed: u64) -> Vec<(Ad, Truth)> {
    generate(&CorpusConfig {
        ads,
        seed,
        ..CorpusConfig::default()
    })
    .collect()
}

/// Serialise ads and truth exactly as the JSON Lines writer does.
pub fn to_bytes(cfg: &CorpusConfig) -> (Vec<u8>, Vec<u8>) {
    let mut ads = Vec::new();
    let mut truth = Vec::new();
    plainsight_corpus::write_jsonl(cfg, &mut ads, Some(&mut truth), |_| {})
        .expect("in-memory write");
    (ads, truth)
}
