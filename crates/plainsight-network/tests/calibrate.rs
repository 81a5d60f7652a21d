//! Calibration of priority weights: recovery of known weights, AUC on hand-computed cases,
//! regularisation, errors and determinism.

use std::collections::BTreeMap;

use plainsight_network::calibrate::{
    CalibrateConfig, CalibrateError, Calibration, Example, auc, calibrate,
};
use proptest::prelude::*;

/// A tiny deterministic generator (64-bit LCG, Knuth's constants) so the synthetic data is the
/// same on every machine without a `rand` dependency.
struct Lcg(u64);

impl Lcg {
    /// A uniform number in [0, 1) from the top 53 bits of the state.
    fn next_unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn features(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Networks drawn from a known logistic model: log-odds = −1 + 3·youth_language
/// + 2·personas_per_contact − 2·independent_language + 0·noise.
fn synthetic_examples(count: u64, seed: u64) -> Vec<Example> {
    let mut rng = Lcg(seed);
    (0..count)
        .map(|key| {
            let youth = rng.next_unit();
            let personas = rng.next_unit();
            let independent = rng.next_unit();
            let noise = rng.next_unit();
            let log_odds = -1.0 + 3.0 * youth + 2.0 * personas - 2.0 * independent;
            let relevant = rng.next_unit() < 1.0 / (1.0 + (-log_odds).exp());
            Example {
                key,
                features: features(&[
                    ("youth_language", youth),
                    ("personas_per_contact", personas),
                    ("independent_language", independent),
                    ("noise", noise),
                ]),
                relevant,
            }
        })
        .collect()
}

fn weak_penalty() -> CalibrateConfig {
    CalibrateConfig {
        l2: 0.01,
        ..CalibrateConfig::default()
    }
}

#[test]
fn recovers_known_weights_from_a_logistic_model() {
    let examples = synthetic_examples(4000, 42);
    let calibration = calibrate(&examples, &weak_penalty()).unwrap();
    let w = &calibration.weights;
    assert!(calibration.converged);
    assert_eq!(calibration.examples, 4000);
    assert!((w["youth_language"] - 3.0).abs() < 0.5, "{w:?}");
    assert!((w["personas_per_contact"] - 2.0).abs() < 0.5, "{w:?}");
    assert!((w["independent_language"] + 2.0).abs() < 0.5, "{w:?}");
    assert!(w["noise"].abs() < 0.5, "{w:?}");
    assert!(
        (calibration.intercept + 1.0).abs() < 0.5,
        "{}",
        calibration.intercept
    );
    // The model ranks clearly better than chance, out of fold as well.
    assert!(calibration.cv_auc > 0.7, "{}", calibration.cv_auc);
    assert_eq!(calibration.folds, 5);
    assert_eq!(calibration.fold_aucs.len(), 5);
    assert!(calibration.fold_aucs.iter().all(|a| *a > 0.6));
}

#[test]
fn calibration_table_covers_every_example_in_rising_score_order() {
    let examples = synthetic_examples(1000, 7);
    let calibration = calibrate(&examples, &CalibrateConfig::default()).unwrap();
    let table = &calibration.table;
    assert_eq!(table.len(), 10);
    assert_eq!(table.iter().map(|b| b.networks).sum::<usize>(), 1000);
    assert_eq!(
        table.iter().map(|b| b.relevant).sum::<usize>(),
        calibration.relevant
    );
    assert!(table.iter().all(|b| b.networks == 100));
    for bin in table {
        assert!(0.0 <= bin.score_low && bin.score_low <= bin.mean_score);
        assert!(bin.mean_score <= bin.score_high && bin.score_high <= 1.0);
        assert!((bin.observed_share - bin.relevant as f64 / bin.networks as f64).abs() < 1e-12);
    }
    for pair in table.windows(2) {
        assert!(pair[0].score_high <= pair[1].score_low);
    }
    // Higher fitted scores hold more relevant networks.
    assert!(table[9].observed_share > table[0].observed_share);
}

#[test]
fn stronger_l2_shrinks_weights_toward_zero() {
    let examples = synthetic_examples(500, 3);
    let weight_norm = |l2: f64| -> f64 {
        let cfg = CalibrateConfig {
            l2,
            ..CalibrateConfig::default()
        };
        let calibration = calibrate(&examples, &cfg).unwrap();
        calibration
            .weights
            .values()
            .map(|w| w * w)
            .sum::<f64>()
            .sqrt()
    };
    let norms: Vec<f64> = [0.01, 1.0, 100.0, 10_000.0].map(weight_norm).to_vec();
    for pair in norms.windows(2) {
        assert!(pair[1] < pair[0], "{norms:?}");
    }
    assert!(norms[3] < 0.05, "{norms:?}");
}

#[test]
fn same_input_gives_bit_identical_output() {
    let examples = synthetic_examples(600, 11);
    let first: Calibration = calibrate(&examples, &CalibrateConfig::default()).unwrap();
    let second = calibrate(&examples, &CalibrateConfig::default()).unwrap();
    assert_eq!(first, second);
    let bits = |c: &Calibration| -> Vec<u64> {
        c.weights
            .values()
            .chain([&c.intercept, &c.cv_auc])
            .map(|v| v.to_bits())
            .collect()
    };
    assert_eq!(bits(&first), bits(&second));
}

#[test]
fn example_order_does_not_change_the_folds() {
    // Folds follow `key`, not input order, so the out-of-fold results do not depend on it.
    let examples = synthetic_examples(300, 5);
    let mut reversed = examples.clone();
    reversed.reverse();
    let forward = calibrate(&examples, &CalibrateConfig::default()).unwrap();
    let backward = calibrate(&reversed, &CalibrateConfig::default()).unwrap();
    assert_eq!(forward.fold_aucs.len(), backward.fold_aucs.len());
    for (a, b) in forward.fold_aucs.iter().zip(&backward.fold_aucs) {
        assert!((a - b).abs() < 1e-9);
    }
    assert!((forward.cv_auc - backward.cv_auc).abs() < 1e-9);
    for (code, w) in &forward.weights {
        assert!((w - backward.weights[code]).abs() < 1e-9);
    }
}

#[test]
fn missing_features_count_as_zero_and_all_codes_get_a_weight() {
    let mut examples = Vec::new();
    for key in 0..20 {
        let relevant = key % 2 == 0;
        let mut f = BTreeMap::new();
        if relevant {
            f.insert("youth_language".to_string(), 1.0);
        } else if key % 4 == 1 {
            f.insert("independent_language".to_string(), 1.0);
        }
        examples.push(Example {
            key,
            features: f,
            relevant,
        });
    }
    let calibration = calibrate(&examples, &CalibrateConfig::default()).unwrap();
    let codes: Vec<&str> = calibration.weights.keys().map(String::as_str).collect();
    assert_eq!(codes, ["independent_language", "youth_language"]);
    assert!(calibration.weights["youth_language"] > 0.0);
    assert!(calibration.weights["independent_language"] < 0.0);
    let high = calibration.fitted_score(&features(&[("youth_language", 1.0)]));
    let low = calibration.fitted_score(&features(&[("independent_language", 1.0)]));
    assert!(high > 0.5 && low < 0.5 && (0.0..=1.0).contains(&low));
}

#[test]
fn fewer_folds_are_used_when_a_label_is_rare() {
    let mut examples = synthetic_examples(200, 9);
    // Keep only three relevant networks.
    let mut kept_relevant = 0;
    examples.retain(|e| {
        if e.relevant {
            kept_relevant += 1;
            kept_relevant <= 3
        } else {
            true
        }
    });
    let calibration = calibrate(&examples, &CalibrateConfig::default()).unwrap();
    assert_eq!(calibration.relevant, 3);
    assert_eq!(calibration.folds, 3);
    assert_eq!(calibration.fold_aucs.len(), 3);
}

#[test]
fn small_inputs_give_small_tables() {
    let examples: Vec<Example> = (0..6)
        .map(|key| Example {
            key,
            features: features(&[("youth_language", key as f64 / 5.0)]),
            relevant: key >= 3,
        })
        .collect();
    let cfg = CalibrateConfig {
        folds: 2,
        bins: 10,
        ..CalibrateConfig::default()
    };
    let calibration = calibrate(&examples, &cfg).unwrap();
    assert_eq!(calibration.table.len(), 6);
    assert!(calibration.table.iter().all(|b| b.networks == 1));
    // Each fold's model ranks its own held-out networks perfectly; the pooled AUC can be lower
    // because the two folds' models put their scores on different levels.
    assert_eq!(calibration.fold_aucs, vec![1.0, 1.0]);
    assert!((0.0..=1.0).contains(&calibration.cv_auc));
}

#[test]
fn one_class_is_an_error() {
    let examples: Vec<Example> = (0..10)
        .map(|key| Example {
            key,
            features: features(&[("youth_language", 1.0)]),
            relevant: true,
        })
        .collect();
    assert_eq!(
        calibrate(&examples, &CalibrateConfig::default()),
        Err(CalibrateError::OneClass {
            relevant: 10,
            not_relevant: 0
        })
    );
}

#[test]
fn too_few_examples_is_an_error() {
    let examples: Vec<Example> = (0..3)
        .map(|key| Example {
            key,
            features: features(&[("youth_language", 1.0)]),
            relevant: key == 0,
        })
        .collect();
    assert_eq!(
        calibrate(&examples, &CalibrateConfig::default()),
        Err(CalibrateError::TooFewExamples {
            examples: 3,
            needed: 4
        })
    );
    assert!(matches!(
        calibrate(&[], &CalibrateConfig::default()),
        Err(CalibrateError::TooFewExamples { examples: 0, .. })
    ));
}

#[test]
fn a_single_example_of_a_label_is_an_error() {
    let examples: Vec<Example> = (0..10)
        .map(|key| Example {
            key,
            features: features(&[("youth_language", 1.0)]),
            relevant: key == 0,
        })
        .collect();
    let error = calibrate(&examples, &CalibrateConfig::default()).unwrap_err();
    assert_eq!(
        error,
        CalibrateError::TooFewPerClass {
            relevant: 1,
            not_relevant: 9,
            needed: 2
        }
    );
    assert!(error.to_string().contains("1 relevant"));
}

#[test]
fn non_finite_values_are_an_error_naming_the_feature() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut examples = synthetic_examples(20, 1);
        examples[7]
            .features
            .insert("obscured_phone".to_string(), bad);
        let error = calibrate(&examples, &CalibrateConfig::default()).unwrap_err();
        assert_eq!(
            error,
            CalibrateError::NonFinite {
                feature: "obscured_phone".into(),
                key: 7
            }
        );
        assert!(error.to_string().contains("obscured_phone"));
    }
}

#[test]
fn no_features_is_an_error() {
    let examples: Vec<Example> = (0..10)
        .map(|key| Example {
            key,
            features: BTreeMap::new(),
            relevant: key % 2 == 0,
        })
        .collect();
    assert_eq!(
        calibrate(&examples, &CalibrateConfig::default()),
        Err(CalibrateError::NoFeatures)
    );
}

#[test]
fn invalid_settings_are_errors() {
    let examples = synthetic_examples(50, 2);
    for cfg in [
        CalibrateConfig {
            l2: -1.0,
            ..CalibrateConfig::default()
        },
        CalibrateConfig {
            l2: f64::NAN,
            ..CalibrateConfig::default()
        },
        CalibrateConfig {
            folds: 1,
            ..CalibrateConfig::default()
        },
        CalibrateConfig {
            bins: 0,
            ..CalibrateConfig::default()
        },
    ] {
        assert!(matches!(
            calibrate(&examples, &cfg),
            Err(CalibrateError::InvalidConfig(_))
        ));
    }
}

#[test]
fn collinear_features_without_penalty_are_singular_not_a_panic() {
    let examples: Vec<Example> = (0..20)
        .map(|key| {
            let value = (key % 5) as f64 / 4.0;
            Example {
                key,
                features: features(&[("a", value), ("b", value)]),
                relevant: key % 3 == 0,
            }
        })
        .collect();
    let cfg = CalibrateConfig {
        l2: 0.0,
        ..CalibrateConfig::default()
    };
    assert_eq!(calibrate(&examples, &cfg), Err(CalibrateError::Singular));
    // With a penalty the same data calibrates, splitting the weight evenly.
    let calibration = calibrate(&examples, &CalibrateConfig::default()).unwrap();
    assert!((calibration.weights["a"] - calibration.weights["b"]).abs() < 1e-9);
}

#[test]
fn separable_data_with_a_penalty_stays_finite() {
    let examples: Vec<Example> = (0..20)
        .map(|key| Example {
            key,
            features: features(&[("youth_language", if key < 10 { 0.0 } else { 1.0 })]),
            relevant: key >= 10,
        })
        .collect();
    let calibration = calibrate(&examples, &CalibrateConfig::default()).unwrap();
    assert!(calibration.converged);
    assert!(calibration.weights["youth_language"].is_finite());
    assert!(calibration.weights["youth_language"] > 1.0);
    assert_eq!(calibration.cv_auc, 1.0);
}

// ---- AUC ----

#[test]
fn auc_of_hand_computed_cases() {
    // Positives 0.8, 0.4; negatives 0.6, 0.2. Pairs won: (0.8>0.6), (0.8>0.2), (0.4>0.2) = 3/4.
    assert_eq!(
        auc(&[0.8, 0.6, 0.4, 0.2], &[true, false, true, false]),
        Some(0.75)
    );
    // One tie between a positive and a negative counts half: positives 0.5, 0.9; negatives
    // 0.5, 0.1. Pairs: 0.9 beats both (2), 0.5 beats 0.1 (1), 0.5 ties 0.5 (0.5) = 3.5/4.
    assert_eq!(
        auc(&[0.5, 0.9, 0.5, 0.1], &[true, true, false, false]),
        Some(0.875)
    );
    // Three-way tie: positives 1, 1; negatives 1, 0. Pairs: each positive ties one negative
    // (0.5 each) and beats the 0 (1 each) = 3/4.
    assert_eq!(
        auc(&[1.0, 1.0, 1.0, 0.0], &[true, true, false, false]),
        Some(0.75)
    );
    // Reversed ranking.
    assert_eq!(auc(&[0.1, 0.9], &[true, false]), Some(0.0));
    // 1 positive, 3 negatives, the positive is second best: 2/3.
    let value = auc(&[0.7, 0.9, 0.3, 0.1], &[true, false, false, false]).unwrap();
    assert!((value - 2.0 / 3.0).abs() < 1e-15);
}

#[test]
fn auc_is_one_for_separable_and_half_for_constant_scores() {
    assert_eq!(
        auc(
            &[0.9, 0.8, 0.7, 0.3, 0.2],
            &[true, true, true, false, false]
        ),
        Some(1.0)
    );
    assert_eq!(
        auc(&[0.4; 5], &[true, false, true, false, false]),
        Some(0.5)
    );
}

#[test]
fn auc_is_none_without_both_labels_or_with_bad_input() {
    assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
    assert_eq!(auc(&[0.1, 0.2], &[false, false]), None);
    assert_eq!(auc(&[], &[]), None);
    assert_eq!(auc(&[0.1, 0.2], &[true]), None);
    assert_eq!(auc(&[0.1, f64::NAN], &[true, false]), None);
}

proptest! {
    #[test]
    fn negating_scores_mirrors_auc(
        pairs in proptest::collection::vec((-5i32..5, any::<bool>()), 2..60)
    ) {
        // Small integer scores give many ties, which is where mirroring could go wrong.
        let scores: Vec<f64> = pairs.iter().map(|(s, _)| *s as f64 / 2.0).collect();
        let labels: Vec<bool> = pairs.iter().map(|(_, l)| *l).collect();
        let negated: Vec<f64> = scores.iter().map(|s| -s).collect();
        let both_labels = labels.contains(&true) && labels.contains(&false);
        match (auc(&scores, &labels), auc(&negated, &labels)) {
            (Some(a), Some(b)) => {
                prop_assert!(both_labels);
                prop_assert!((a + b - 1.0).abs() < 1e-12, "{} + {} != 1", a, b);
                prop_assert!((0.0..=1.0).contains(&a));
            }
            (None, None) => prop_assert!(!both_labels),
            other => prop_assert!(false, "mismatch {:?}", other),
        }
    }

    #[test]
    fn auc_does_not_depend_on_input_order(
        pairs in proptest::collection::vec((0u8..10, any::<bool>()), 2..40),
        rotation in 0usize..40,
    ) {
        let scores: Vec<f64> = pairs.iter().map(|(s, _)| f64::from(*s)).collect();
        let labels: Vec<bool> = pairs.iter().map(|(_, l)| *l).collect();
        let shift = rotation % scores.len();
        let mut rotated_scores = scores.clone();
        let mut rotated_labels = labels.clone();
        rotated_scores.rotate_left(shift);
        rotated_labels.rotate_left(shift);
        prop_assert_eq!(auc(&scores, &labels), auc(&rotated_scores, &rotated_labels));
    }
}
