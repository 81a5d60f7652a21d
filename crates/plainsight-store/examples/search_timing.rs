//! Times the store calls of the searches `bench web` makes (the 100 most used phones, the 50
//! most used social and payment handles, five common words), on a workspace given as the
//! argument, and prints the slowest: `cargo run -p plainsight-store --example search_timing --
//! /tmp/bench-1m.db` (the key as for every command: `PLAINSIGHT_DB_KEY`).
use plainsight_core::IdentifierKind;
use plainsight_store::{AdFilter, AnalystStore, IdentifierQuery, SqliteStore, Store};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).expect("workspace file");
    let store = SqliteStore::open(&format!("sqlite://{path}")).await?;
    let mut queries: Vec<(String, IdentifierQuery)> = Vec::new();
    for p in store.top_identifiers(IdentifierKind::Phone, 100).await? {
        queries.push((
            format!("phone {} ({} ads)", p.value, p.ads),
            IdentifierQuery {
                kinds: vec![IdentifierKind::Phone],
                platforms: vec![],
                value: p.value,
            },
        ));
    }
    for kind in [IdentifierKind::Handle, IdentifierKind::Payment] {
        for h in store.top_identifiers(kind, 50).await? {
            queries.push((
                format!(
                    "{} {}:{} ({} ads)",
                    kind.as_str(),
                    h.platform,
                    h.value,
                    h.ads
                ),
                IdentifierQuery {
                    kinds: vec![kind],
                    platforms: vec![h.platform],
                    value: h.value,
                },
            ));
        }
    }
    let filter = AdFilter::default();
    let mut times: Vec<(Duration, String)> = Vec::new();
    for round in 0..2 {
        times.clear();
        for (name, q) in &queries {
            let t = Instant::now();
            let page = store.find_identifier(q, &filter, 50, 0).await?;
            times.push((t.elapsed(), format!("{name}: {} hits", page.hits.len())));
        }
        for words in ["new in town", "available now", "call", "girl", "special"] {
            let t = Instant::now();
            let page = store.search_text(words, &filter, 51, 0).await?;
            times.push((
                t.elapsed(),
                format!(
                    "text {words:?}: {} hits, ranked among {:?}",
                    page.hits.len(),
                    page.ranked_among
                ),
            ));
        }
        times.sort();
        let median = times[times.len() / 2].0;
        println!(
            "round {round}: {} searches, median {median:?}; slowest:",
            times.len()
        );
        for (d, what) in times.iter().rev().take(8) {
            println!("  {d:?}  {what}");
        }
    }
    Ok(())
}
