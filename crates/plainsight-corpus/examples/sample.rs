//! Print a few generated ads with their truth, for a quick look: `cargo run -p plainsight-corpus --example sample -- 5 42`.

use plainsight_corpus::{CorpusConfig, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let ads = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let cfg = CorpusConfig {
        ads,
        seed,
        ..CorpusConfig::default()
    };
    for (ad, truth) in generate(&cfg) {
        println!("{}", serde_json::to_string_pretty(&ad).unwrap_or_default());
        println!("{}", serde_json::to_string(&truth).unwrap_or_default());
        println!("----");
    }
}
