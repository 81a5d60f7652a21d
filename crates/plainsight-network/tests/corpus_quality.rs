//! Network membership quality on the synthetic corpus's ground truth, through the same path
//! `plainsight analyze` takes (extraction → identifiers, hits, places → prepare → analyze):
//! pairwise precision, recall and F1, beside a baseline that links only plainly written phone
//! numbers. Run with `--nocapture` to see the figures recorded in docs/quality.md.

use std::collections::HashMap;

use plainsight_core::{AnalysisAd, identifiers_of};
use plainsight_corpus::CorpusConfig;
use plainsight_link::LinkConfig;
use plainsight_network::{Analysis, Interner, Weights, analyze, pairwise, prepare};
use plainsight_text::extract::{ExtractConfig, Extractor};

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

fn labels(a: &Analysis, n: usize) -> Vec<u64> {
    // membership is (key, network id); keys are 0..n.
    let mut out = vec![0; n];
    for &(key, id) in &a.membership {
        out[key as usize] = id;
    }
    out
}

#[test]
fn analysis_beats_the_plain_phone_baseline_on_corpus_truth() {
    let mut report = String::new();
    for seed in [11u64, 23] {
        let cfg = CorpusConfig {
            ads: 3_000,
            seed,
            ..CorpusConfig::default()
        };
        let extractor = Extractor::new(&ExtractConfig::default()).unwrap();
        let mut ads = Vec::new();
        let mut baseline = Vec::new();
        let mut truth = Vec::new();
        for (key, (ad, t)) in plainsight_corpus::generate(&cfg).enumerate() {
            let ex = extractor.extract(&ad);
            let full = AnalysisAd {
                key: key as i64,
                id: ad.id.clone(),
                posted_at: ad.posted_at,
                title: ad.title.clone().unwrap_or_default(),
                body: ad.body.clone().unwrap_or_default(),
                identifiers: identifiers_of(&ad, &ex),
                indicators: ex.indicators.clone(),
                places: ex
                    .locations
                    .iter()
                    .map(|l| (l.geonameid, l.name.clone(), l.admin1.clone()))
                    .collect(),
            };
            baseline.push(AnalysisAd {
                identifiers: full
                    .identifiers
                    .iter()
                    .filter(|i| i.kind.as_str() == "phone" && !i.obscured)
                    // A naive phone graph knows nothing of service lines either.
                    .map(|i| plainsight_core::Identifier {
                        platform: String::new(),
                        ..i.clone()
                    })
                    .collect(),
                title: String::new(),
                body: String::new(),
                ..full.clone()
            });
            ads.push(full);
            truth.push(t.network_id.clone());
        }
        let n = ads.len();
        let analysis = run(ads, &LinkConfig::default());
        let s = pairwise(&labels(&analysis, n), &truth);
        // The baseline links every plainly written number, as a naive phone graph does.
        let naive = LinkConfig {
            hub_min_ads: usize::MAX,
            ..LinkConfig::default()
        };
        let b = pairwise(&labels(&run(baseline, &naive), n), &truth);
        report.push_str(&format!(
            "seed {seed}, {n} ads: analysis P {:.4} R {:.4} F1 {:.4} | plain-phone baseline P {:.4} R {:.4} F1 {:.4} | {} networks, {} hubs, {} generic shingles\n",
            s.precision, s.recall, s.f1, b.precision, b.recall, b.f1,
            analysis.stats.networks,
            analysis.unused.iter().filter(|u| u.why == "hub").count(),
            analysis.stats.common_shingles,
        ));
        assert!(s.f1 > b.f1, "{report}");
        assert!(s.precision >= 0.98, "{report}");
        assert!(s.f1 >= 0.95, "{report}");
    }
    println!("{report}");
}
