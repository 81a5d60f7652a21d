//! Word shingles of ad text with the variable parts masked, hashed to `u64`.
//!
//! Numbers (prices, phones, ages, ids) vary between ads written from one template, so any token
//! containing a digit becomes one mask token before shingling; what remains is the wording a
//! writer reuses.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Seed of the shingle hash. Fixed forever: changing it changes every band key.
pub const SHINGLE_SEED: u64 = 0x5048_5348_494e_474c;

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 4;

const NUMBER_MASK: &str = "\u{1}#";

/// Sorted, de-duplicated hashes of the `SHINGLE_WORDS`-word shingles of `text` (lower-cased,
/// split on anything that is not a letter or digit, tokens with digits masked). A text shorter
/// than one shingle yields one shingle of all its words, so short ads still compare.
pub fn shingles(text: &str) -> Vec<u64> {
    // Each token is hashed once; a shingle's hash is the hash of its tokens' hashes, so no
    // shingle text is ever built.
    let mut tokens: Vec<u64> = Vec::new();
    let mut lower = String::new();
    let mask = xxh3_64_with_seed(NUMBER_MASK.as_bytes(), SHINGLE_SEED);
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        let has_digit = if raw.is_ascii() {
            raw.bytes().any(|b| b.is_ascii_digit())
        } else {
            raw.chars().any(char::is_numeric)
        };
        if has_digit {
            // Consecutive masked tokens collapse: "555 0123" and "5550123" shingle alike.
            if tokens.last() != Some(&mask) {
                tokens.push(mask);
            }
            continue;
        }
        lower.clear();
        if raw.is_ascii() {
            lower.extend(raw.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            lower.extend(raw.chars().flat_map(char::to_lowercase));
        }
        tokens.push(xxh3_64_with_seed(lower.as_bytes(), SHINGLE_SEED));
    }
    let window = SHINGLE_WORDS.min(tokens.len());
    if window == 0 {
        return Vec::new();
    }
    let mut out: Vec<u64> = tokens.windows(window).map(shingle_hash).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The hash of one shingle from its tokens' hashes (little-endian bytes, seeded).
fn shingle_hash(tokens: &[u64]) -> u64 {
    let mut bytes = [0u8; 8 * SHINGLE_WORDS];
    for (i, t) in tokens.iter().enumerate() {
        bytes[8 * i..8 * i + 8].copy_from_slice(&t.to_le_bytes());
    }
    xxh3_64_with_seed(&bytes[..8 * tokens.len()], SHINGLE_SEED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_and_case_ignored() {
        let a = shingles("Sweet Jen here call 919 555 0123 for $200 tonight");
        let b = shingles("sweet jen HERE call 704-555-9999 for $150 tonight");
        assert_eq!(a, b);
    }

    #[test]
    fn different_wording_differs() {
        assert_ne!(
            shingles("sweet jen here call me tonight"),
            shingles("new in town ask for my friend")
        );
    }

    #[test]
    fn short_and_empty_texts() {
        assert!(shingles("").is_empty());
        assert!(shingles("  !!! ").is_empty());
        assert_eq!(shingles("hi there").len(), 1);
    }

    #[test]
    fn hashes_are_stable_across_runs_and_machines() {
        // A pinned value: the shingle hash is defined from the token hashes with the fixed
        // seed, so it is the same on every machine and run.
        let token = |t: &str| xxh3_64_with_seed(t.as_bytes(), SHINGLE_SEED);
        let mut bytes = Vec::new();
        for t in ["one", "two", "three", "four"] {
            bytes.extend_from_slice(&token(t).to_le_bytes());
        }
        assert_eq!(
            shingles("One two THREE four"),
            vec![xxh3_64_with_seed(&bytes, SHINGLE_SEED)]
        );
        assert_eq!(
            xxh3_64_with_seed(b"one two three four", SHINGLE_SEED),
            xxh3_64_with_seed(b"one two three four", 0x5048_5348_494e_474c)
        );
    }
}
