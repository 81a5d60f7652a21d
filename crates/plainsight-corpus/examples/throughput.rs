//! Generate and serialise a corpus to a sink and print ads per second (no file I/O):
//! `cargo run --release -p plainsight-corpus --example throughput -- 1000000`.

use std::time::Instant;

use plainsight_corpus::{CorpusConfig, write_jsonl};

fn main() {
    let ads = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let cfg = CorpusConfig {
        ads,
        ..CorpusConfig::default()
    };
    let started = Instant::now();
    let mut ads_out = std::io::sink();
    let mut truth_out = std::io::sink();
    match write_jsonl(&cfg, &mut ads_out, Some(&mut truth_out), |_| {}) {
        Ok(summary) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{} ads (ads + truth serialised) in {secs:.2} s: {:.0} ads/s",
                summary.ads,
                summary.ads as f64 / secs
            );
        }
        Err(e) => eprintln!("error: {e}"),
    }
}
