//! Print precision / recall / F1 of the extractors on the dev fixtures.
//!
//! ```text
//! cargo run -p plainsight-text --release --example quality -- crates/plainsight-text/tests/fixtures/ads-dev
//! ```
//! Add `--misses` to list every ad where the extraction disagrees with the fixture, and
//! `--throughput` to time `Extractor::extract` on one core over the fixture texts repeated to
//! about 16 MB (build with `--release` for meaningful figures).

#[path = "../tests/support/quality.rs"]
mod quality;

use std::path::PathBuf;

use plainsight_text::extract::{ExtractConfig, Extractor};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut show_misses = false;
    let mut throughput = false;
    for arg in args.by_ref() {
        if arg == "--misses" {
            show_misses = true;
        } else if arg == "--throughput" {
            throughput = true;
        } else {
            dir = Some(PathBuf::from(arg));
        }
    }
    let dir = dir.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ads-dev")
    });
    let build_started = std::time::Instant::now();
    let extractor = Extractor::new(&ExtractConfig::default())?;
    let build_time = build_started.elapsed();
    let scores = quality::score_all(&extractor, &dir);
    println!("| entity | fixture | ads | TP | FP | FN | precision | recall | F1 |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for s in &scores {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} |",
            s.entity,
            s.fixture,
            s.ads,
            s.true_positives,
            s.false_positives,
            s.false_negatives,
            s.precision(),
            s.recall(),
            s.f1()
        );
    }
    println!();
    println!("{}", quality::ADDRESS_NOT_MEASURED);
    if throughput {
        println!(
            "\nExtractor::new took {:.0} ms",
            build_time.as_secs_f64() * 1000.0
        );
        measure_throughput(&extractor, &dir)?;
        // Peak memory of this process (Linux only), to keep an eye on the index sizes.
        if let Ok(status) = std::fs::read_to_string("/proc/self/status")
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM"))
        {
            println!("peak memory: {}", line.trim_start_matches("VmHWM:").trim());
        }
    }
    if show_misses {
        for s in &scores {
            println!("\n## {} misses ({})", s.entity, s.misses.len());
            for m in &s.misses {
                println!("- {m}");
            }
        }
    }
    Ok(())
}

/// Time extraction of the fixture texts (as ad bodies, with a title and URL) on one thread.
fn measure_throughput(
    extractor: &Extractor,
    dir: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    use plainsight_core::Ad;
    let mut texts: Vec<String> = Vec::new();
    for name in [
        "etk-age.jsonl",
        "etk-social_media.jsonl",
        "etk-address.jsonl",
        "etk-email.jsonl",
    ] {
        for line in std::fs::read_to_string(dir.join(name))?.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(t) = v["text"].as_str()
            {
                texts.push(t.to_string());
            }
        }
    }
    texts.extend(
        std::fs::read_to_string(dir.join("deobfuscation-raw.txt"))?
            .lines()
            .map(str::to_string),
    );
    let ads: Vec<Ad> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Ad {
            id: i.to_string(),
            title: Some(t.chars().take(60).collect()),
            body: Some(t.clone()),
            url: Some(format!("https://raleigh.example-ads.com/ad/{i}")),
            location: Some("Raleigh, NC".to_string()),
            ..Ad::default()
        })
        .collect();
    let bytes_per_round: usize = ads.iter().map(Ad::text_len).sum();
    let rounds = (16 * 1024 * 1024 / bytes_per_round.max(1)).max(1);
    let started = std::time::Instant::now();
    let mut facts = 0usize;
    for _ in 0..rounds {
        for ad in &ads {
            let x = extractor.extract(ad);
            facts += x.phones.len() + x.emails.len() + x.locations.len() + x.indicators.len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let megabytes = (bytes_per_round * rounds) as f64 / 1_000_000.0;
    println!(
        "\nthroughput: {megabytes:.1} MB of ad text ({} ads) in {seconds:.2} s on one thread = {:.1} MB/s ({facts} facts)",
        ads.len() * rounds,
        megabytes / seconds
    );
    stage_breakdown(&texts, rounds);
    Ok(())
}

/// Time each stage on its own over the bodies, to show where the time goes.
fn stage_breakdown(texts: &[String], rounds: usize) {
    use plainsight_core::Field;
    use plainsight_text::extract::{FieldText, PhoneConfig, PhoneFinder};
    use plainsight_text::normalize::normalize;
    use plainsight_text::{ages, emails, handles, indicators, places, prices, urls};
    use std::time::Instant;

    let rounds = rounds.div_ceil(4).max(1);
    let megabytes =
        texts.iter().map(String::len).sum::<usize>() as f64 * rounds as f64 / 1_000_000.0;
    let norms: Vec<_> = texts.iter().map(|t| normalize(t)).collect();
    let report = |name: &str, started: Instant| {
        let s = started.elapsed().as_secs_f64();
        println!("  {name:<12} {:>8.1} MB/s", megabytes / s);
    };
    println!("stage breakdown (bodies only, each stage alone):");
    let t = Instant::now();
    for _ in 0..rounds {
        for text in texts {
            std::hint::black_box(normalize(text));
        }
    }
    report("normalize", t);
    let phones = PhoneFinder::new(&PhoneConfig::default()).expect("phones");
    let t = Instant::now();
    for _ in 0..rounds {
        for (text, norm) in texts.iter().zip(&norms) {
            std::hint::black_box(phones.find(text, norm, Field::Body));
        }
    }
    report("phones", t);
    macro_rules! stage {
        ($name:expr, $finder:expr, $call:ident) => {{
            let finder = $finder;
            let t = Instant::now();
            for _ in 0..rounds {
                for (text, norm) in texts.iter().zip(&norms) {
                    let ft = FieldText::new(text, norm, Field::Body);
                    std::hint::black_box(finder.$call(&ft));
                }
            }
            report($name, t);
        }};
    }
    stage!("emails", emails::EmailFinder::new().expect("emails"), find);
    stage!(
        "handles",
        handles::HandleFinder::new().expect("handles"),
        find
    );
    stage!("prices", prices::PriceFinder::new().expect("prices"), find);
    stage!("ages", ages::AgeFinder::new().expect("ages"), find);
    stage!("urls", urls::UrlFinder::new().expect("urls"), find);
    let place_finder = places::PlaceFinder::new().expect("places");
    let context = places::PlaceContext::default();
    let t = Instant::now();
    for _ in 0..rounds {
        for (text, norm) in texts.iter().zip(&norms) {
            let ft = FieldText::new(text, norm, Field::Body);
            std::hint::black_box(place_finder.find_in_text(&ft, &context));
        }
    }
    report("places", t);
    let set = indicators::IndicatorSet::bundled().expect("indicators");
    let t = Instant::now();
    for _ in 0..rounds {
        for (text, norm) in texts.iter().zip(&norms) {
            let ft = FieldText::new(text, norm, Field::Body);
            std::hint::black_box(set.find(&ft, &[]));
        }
    }
    report("indicators", t);
}
