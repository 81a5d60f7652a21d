//! Stated ages on the synthetic corpus: the recall of the age the generator wrote into an ad
//! (the corpus truth's `stated_age`) and the share of ads given an age the writer did not
//! state. The generator writes ages in the forms real ads use (`Name - 22` and a bare age
//! after the name in titles, `I'm 22`, `Name (22)`, `Name is 22`, `22yo`, `22 y/o`, `age:22`,
//! `twenty-two years young`, `Meet Name, 22`, `I am Name 💕 22`), so a miss is an extraction
//! error. `AGES_ERRORS=n` prints the first n misses.

use plainsight_corpus::CorpusConfig;
use plainsight_text::extract::{ExtractConfig, Extractor};

struct Figures {
    /// Ads whose truth states an age.
    stated: usize,
    /// Of them, ads where the stated age was found.
    found: usize,
    /// Ads given an age that is not the stated one (or any age when none is stated).
    extra: usize,
    ads: usize,
    errors: Vec<String>,
}

fn measure(seed: u64, ads: usize) -> Figures {
    let extractor = Extractor::new(&ExtractConfig::default()).expect("extractor");
    let cfg = CorpusConfig {
        ads,
        seed,
        ..CorpusConfig::default()
    };
    let mut f = Figures {
        stated: 0,
        found: 0,
        extra: 0,
        ads: 0,
        errors: Vec::new(),
    };
    for (ad, truth) in plainsight_corpus::generate(&cfg) {
        f.ads += 1;
        let x = extractor.extract(&ad);
        let ages: Vec<u8> = x.ages.iter().map(|a| a.age).collect();
        if let Some(age) = truth.stated_age {
            f.stated += 1;
            if ages.contains(&age) {
                f.found += 1;
            } else {
                f.errors.push(format!(
                    "{}: missed {age} (found {ages:?}) title {:?} body {:?}",
                    ad.id,
                    ad.title.as_deref().unwrap_or(""),
                    ad.body
                        .as_deref()
                        .unwrap_or("")
                        .chars()
                        .take(160)
                        .collect::<String>()
                ));
            }
        }
        if ages.iter().any(|a| Some(*a) != truth.stated_age) {
            f.extra += 1;
            f.errors.push(format!(
                "{}: extra {ages:?} (stated {:?}) in {:?}",
                ad.id,
                truth.stated_age,
                x.ages.iter().map(|a| &a.raw).collect::<Vec<_>>()
            ));
        }
    }
    f
}

#[test]
fn stated_ages_of_generated_ads_are_found() {
    for seed in [5, 23] {
        let f = measure(seed, 3_000);
        let recall = f.found as f64 / f.stated as f64;
        let extra_rate = f.extra as f64 / f.ads as f64;
        eprintln!(
            "seed {seed}: {} ads, {} state an age, found in {} (recall {recall:.4}); {} ads with an age not stated ({:.2}%)",
            f.ads,
            f.stated,
            f.found,
            f.extra,
            100.0 * extra_rate
        );
        let shown = std::env::var("AGES_ERRORS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        for e in f.errors.iter().take(shown) {
            eprintln!("  {e}");
        }
        assert!(
            f.stated > 1_000,
            "seed {seed}: only {} stated ages",
            f.stated
        );
        assert!(recall >= 0.99, "seed {seed}: stated-age recall {recall:.4}");
        assert!(
            extra_rate <= 0.01,
            "seed {seed}: {extra_rate:.4} of ads given an age not stated"
        );
    }
}
