//! MinHash signatures and LSH banding.
//!
//! Each signature value is the minimum of a multiply-shift hash of the shingle hashes; the
//! multipliers come from a fixed seed, so signatures and band keys are identical on every
//! machine and run. Documents sharing any band key are candidate pairs; candidates are then
//! verified by the share of equal signature values, an unbiased estimate of their Jaccard
//! similarity.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Seed of the permutation parameters and band keys. Fixed forever.
pub const MINHASH_SEED: u64 = 0x4d49_4e48_4153_4831;

/// A MinHash signature: one value per permutation.
pub type Signature = Vec<u32>;

/// Computes signatures with a fixed number of permutations.
#[derive(Debug, Clone)]
pub struct MinHasher {
    multipliers: Vec<u64>,
    addends: Vec<u64>,
}

impl MinHasher {
    pub fn new(permutations: usize) -> MinHasher {
        let mut multipliers = Vec::with_capacity(permutations);
        let mut addends = Vec::with_capacity(permutations);
        for i in 0..permutations as u64 {
            // Odd multipliers keep the multiply a bijection on u64.
            multipliers.push(xxh3_64_with_seed(&i.to_le_bytes(), MINHASH_SEED) | 1);
            addends.push(xxh3_64_with_seed(&i.to_le_bytes(), !MINHASH_SEED));
        }
        MinHasher {
            multipliers,
            addends,
        }
    }

    pub fn permutations(&self) -> usize {
        self.multipliers.len()
    }

    /// The signature of a set of shingle hashes. An empty set gives all `u32::MAX`, which
    /// [`Lsh::band_keys`] skips so that empty texts never link.
    pub fn signature(&self, shingles: &[u64]) -> Signature {
        let mut sig = vec![u32::MAX; self.multipliers.len()];
        for &x in shingles {
            for ((slot, &a), &b) in sig.iter_mut().zip(&self.multipliers).zip(&self.addends) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                if h < *slot {
                    *slot = h;
                }
            }
        }
        sig
    }
}

/// Estimated Jaccard similarity: the share of positions where two signatures agree.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// A band key: which band, and the hash of the signature's rows in that band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BandKey {
    pub band: u16,
    pub key: u64,
}

/// Banding parameters: `bands * rows` signature values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lsh {
    pub bands: usize,
    pub rows: usize,
}

impl Lsh {
    /// The band keys of a signature (none for an empty document's signature).
    pub fn band_keys(&self, sig: &[u32]) -> Vec<BandKey> {
        (0..self.bands)
            .map_while(|band| self.band_key(sig, band))
            .collect()
    }

    /// The key of one band of a signature: `None` for an empty document's signature, or when
    /// the signature has no such band. Lets a caller group by one band at a time.
    pub fn band_key(&self, sig: &[u32], band: usize) -> Option<BandKey> {
        if band >= self.bands || sig.iter().all(|&v| v == u32::MAX) {
            return None;
        }
        let rows = sig.chunks(self.rows).nth(band)?;
        let mut bytes = [0u8; 64];
        let mut len = 0;
        let mut owned = Vec::new();
        let key_bytes: &[u8] = if rows.len() * 4 <= bytes.len() {
            for v in rows {
                bytes[len..len + 4].copy_from_slice(&v.to_le_bytes());
                len += 4;
            }
            &bytes[..len]
        } else {
            for v in rows {
                owned.extend_from_slice(&v.to_le_bytes());
            }
            &owned
        };
        Some(BandKey {
            band: band as u16,
            key: xxh3_64_with_seed(key_bytes, MINHASH_SEED ^ band as u64),
        })
    }

    /// The similarity at which a pair becomes a candidate with probability one half:
    /// roughly `(1/bands)^(1/rows)`.
    pub fn threshold(&self) -> f64 {
        (1.0 / self.bands as f64).powf(1.0 / self.rows as f64)
    }
}

/// Candidate pairs `(a, b)` with `a < b` from `(band key, document)` entries: a group-by on
/// the key. Buckets up to `max_bucket` documents give all their pairs; larger buckets (floods
/// of copies) link each member to the bucket's first document only, so the number of pairs
/// grows linearly, not quadratically, with the size of a flood.
pub fn candidate_pairs(entries: Vec<(BandKey, u32)>, max_bucket: usize) -> Vec<(u32, u32)> {
    candidate_pairs_packed(
        entries.into_iter().map(|(k, doc)| k.pack(doc)).collect(),
        max_bucket,
    )
}

impl BandKey {
    /// The entry `(self, doc)` packed into one integer for sorting: the band and key hashed
    /// together in the high bits, the document in the low 32. A plain integer sort is several
    /// times faster than sorting tuples, and a third of the memory. Two band keys that
    /// collide after packing only add candidates, which verification then drops.
    pub fn pack(self, doc: u32) -> u128 {
        let bucket = self.key ^ (self.band as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        ((bucket as u128) << 32) | doc as u128
    }
}

/// [`candidate_pairs`] over entries already packed with [`BandKey::pack`].
pub fn candidate_pairs_packed(mut packed: Vec<u128>, max_bucket: usize) -> Vec<(u32, u32)> {
    packed.sort_unstable();
    let mut pairs = Vec::new();
    let mut start = 0;
    while start < packed.len() {
        let bucket_of = |x: u128| (x >> 32) as u64;
        let mut end = start + 1;
        while end < packed.len() && bucket_of(packed[end]) == bucket_of(packed[start]) {
            end += 1;
        }
        let docs = packed[start..end].iter().map(|&x| x as u32);
        if end - start <= max_bucket {
            let docs: Vec<u32> = docs.collect();
            for (i, &a) in docs.iter().enumerate() {
                for &b in &docs[i + 1..] {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        } else {
            let mut docs = docs;
            let first = docs.next().unwrap_or_default();
            for b in docs {
                pairs.push((first.min(b), first.max(b)));
            }
        }
        start = end;
    }
    pairs.sort_unstable_by_key(|&(a, b)| ((a as u64) << 32) | b as u64);
    pairs.dedup();
    pairs.retain(|(a, b)| a != b);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::shingles;

    const TEMPLATE: &str = "Hello gentlemen my name is Candy and I am a sweet upscale companion \
        visiting your city this week only. Call me at 919 555 0123 for a relaxing time, \
        incall and outcall available, no rush, discreet and clean, ask about specials";

    fn sig(h: &MinHasher, text: &str) -> Signature {
        h.signature(&shingles(text))
    }

    #[test]
    fn template_variants_are_candidates_and_unrelated_texts_are_not() {
        let h = MinHasher::new(64);
        let lsh = Lsh { bands: 16, rows: 4 };
        let docs = [
            TEMPLATE.to_string(),
            TEMPLATE
                .replace("Candy", "Amber")
                .replace("919 555 0123", "704 555 8888"),
            "Brand new massage studio opening downtown with licensed therapists, walk ins \
             welcome, gift cards on sale now, open seven days a week"
                .to_string(),
        ];
        let sigs: Vec<Signature> = docs.iter().map(|d| sig(&h, d)).collect();
        assert!(similarity(&sigs[0], &sigs[1]) > 0.7);
        assert!(similarity(&sigs[0], &sigs[2]) < 0.2);
        let entries = sigs
            .iter()
            .enumerate()
            .flat_map(|(i, s)| lsh.band_keys(s).into_iter().map(move |k| (k, i as u32)))
            .collect();
        assert_eq!(candidate_pairs(entries, 50), vec![(0, 1)]);
    }

    #[test]
    fn identical_texts_have_identical_keys_and_similarity_one() {
        let h = MinHasher::new(64);
        let lsh = Lsh { bands: 16, rows: 4 };
        let a = sig(&h, TEMPLATE);
        let b = sig(&h, TEMPLATE);
        assert_eq!(similarity(&a, &b), 1.0);
        assert_eq!(lsh.band_keys(&a), lsh.band_keys(&b));
    }

    #[test]
    fn empty_documents_never_link() {
        let h = MinHasher::new(16);
        let lsh = Lsh { bands: 4, rows: 4 };
        assert!(lsh.band_keys(&h.signature(&[])).is_empty());
    }

    #[test]
    fn a_flood_gives_linear_pairs() {
        let h = MinHasher::new(32);
        let lsh = Lsh { bands: 8, rows: 4 };
        let s = sig(&h, TEMPLATE);
        let n = 10_000u32;
        let entries = (0..n)
            .flat_map(|i| lsh.band_keys(&s).into_iter().map(move |k| (k, i)))
            .collect();
        let pairs = candidate_pairs(entries, 50);
        assert_eq!(pairs.len(), (n - 1) as usize, "a star, not all pairs");
        assert!(pairs.iter().all(|&(a, _)| a == 0));
    }

    #[test]
    fn threshold_matches_the_banding_formula() {
        let lsh = Lsh { bands: 16, rows: 4 };
        assert!((lsh.threshold() - 0.5).abs() < 1e-9);
    }
}
