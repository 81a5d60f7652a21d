//! Seeding and sampling helpers that stay bit-for-bit identical on every machine.
//!
//! Only integer arithmetic and `rand`'s integer and Bernoulli samplers are used: no `ln`,
//! `exp` or `powf`, whose last bits may differ between platform maths libraries and would
//! then change a rounded count somewhere in a million ads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator used everywhere in this crate.
pub(crate) type CorpusRng = ChaCha8Rng;

/// SplitMix64 finaliser: spreads a 64-bit value over all bits.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An independent generator for one purpose (`stream`) and one item (`index`) of a corpus.
/// Writers get their own generator so that what one writer posts does not depend on how
/// the scheduler interleaves the others.
pub(crate) fn derived_rng(seed: u64, stream: u64, index: u64) -> CorpusRng {
    let key = mix64(seed ^ mix64(stream.wrapping_mul(0xA24B_AED4_963E_E407) ^ mix64(index)));
    CorpusRng::seed_from_u64(key)
}

/// Pick one item of a non-empty slice.
pub(crate) fn pick<'a, T>(rng: &mut CorpusRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Pick one of a non-empty list of static strings (spares callers a deref that type
/// inference would otherwise need).
pub(crate) fn pick_str(rng: &mut CorpusRng, items: &[&'static str]) -> &'static str {
    items[rng.random_range(0..items.len())]
}

/// Pick an index by integer weights (at least one weight must be non-zero).
pub(crate) fn pick_weighted(rng: &mut CorpusRng, weights: &[u32]) -> usize {
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    debug_assert!(total > 0, "weights must not all be zero");
    let mut roll = rng.random_range(0..total.max(1));
    for (i, &w) in weights.iter().enumerate() {
        if roll < u64::from(w) {
            return i;
        }
        roll -= u64::from(w);
    }
    weights.len() - 1
}

/// True with probability `per_mille / 1000`.
pub(crate) fn chance(rng: &mut CorpusRng, per_mille: u32) -> bool {
    rng.random_range(0..1000u32) < per_mille
}

/// A count from a tiered distribution: the tier is drawn by weight, the value uniformly
/// inside it. Gives heavy tails (a few very busy writers) without floating point.
pub(crate) fn tiered(rng: &mut CorpusRng, tiers: &[(u32, u32, u32)]) -> u32 {
    let weights: Vec<u32> = tiers.iter().map(|t| t.0).collect();
    let (_, lo, hi) = tiers[pick_weighted(rng, &weights)];
    rng.random_range(lo..=hi)
}

/// `n` distinct indices below `len`, in random order (`n` is capped at `len`).
pub(crate) fn distinct_indices(rng: &mut CorpusRng, len: usize, n: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..len).collect();
    let n = n.min(len);
    for i in 0..n {
        let j = rng.random_range(i..len);
        all.swap(i, j);
    }
    all.truncate(n);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_streams_differ_and_repeat() {
        let a: u64 = derived_rng(7, 1, 2).random();
        let b: u64 = derived_rng(7, 1, 2).random();
        let c: u64 = derived_rng(7, 1, 3).random();
        let d: u64 = derived_rng(8, 1, 2).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn weighted_pick_never_picks_zero_weight() {
        let mut rng = derived_rng(1, 0, 0);
        for _ in 0..1000 {
            assert_ne!(pick_weighted(&mut rng, &[3, 0, 5]), 1);
        }
    }

    #[test]
    fn distinct_indices_are_distinct() {
        let mut rng = derived_rng(1, 0, 0);
        let mut v = distinct_indices(&mut rng, 10, 6);
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 6);
        assert!(v.iter().all(|&i| i < 10));
    }
}
