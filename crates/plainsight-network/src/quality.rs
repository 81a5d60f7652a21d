//! Pairwise quality of network membership against ground truth: of all pairs of ads put in one
//! network, the share that truly belong together (precision), and of all pairs that truly
//! belong together, the share put in one network (recall). Computed from the contingency
//! table, so a million ads cost no more than a pass over them.

use std::collections::HashMap;
use std::hash::Hash;

/// Pairwise precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Scores of `predicted` network labels against `truth` labels, one of each per ad.
pub fn pairwise<P: Eq + Hash, T: Eq + Hash>(predicted: &[P], truth: &[T]) -> PairScores {
    fn pairs(n: u64) -> u64 {
        n * n.saturating_sub(1) / 2
    }
    let mut joint: HashMap<(&P, &T), u64> = HashMap::new();
    let mut pred: HashMap<&P, u64> = HashMap::new();
    let mut real: HashMap<&T, u64> = HashMap::new();
    for (p, t) in predicted.iter().zip(truth) {
        *joint.entry((p, t)).or_default() += 1;
        *pred.entry(p).or_default() += 1;
        *real.entry(t).or_default() += 1;
    }
    let tp: u64 = joint.values().map(|&n| pairs(n)).sum();
    let pp: u64 = pred.values().map(|&n| pairs(n)).sum();
    let tt: u64 = real.values().map(|&n| pairs(n)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(tp, pp), ratio(tp, tt));
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    PairScores {
        precision,
        recall,
        f1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_counted_pairs() {
        // Predicted {a,b,c} {d}; truth {a,b} {c,d}: predicted pairs ab ac bc (1 right),
        // true pairs ab cd (1 found).
        let s = pairwise(&[1, 1, 1, 2], &["x", "x", "y", "y"]);
        assert!((s.precision - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.recall - 0.5).abs() < 1e-12);
        assert!((s.f1 - 0.4).abs() < 1e-12);
    }

    #[test]
    fn perfect_and_all_singletons() {
        let s = pairwise(&[1, 1, 2], &[5, 5, 6]);
        assert_eq!((s.precision, s.recall), (1.0, 1.0));
        let s = pairwise(&[1, 2, 3], &[5, 5, 6]);
        assert_eq!((s.precision, s.recall), (1.0, 0.0));
    }
}
