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
    let mut tokens: Vec<String> = Vec::new();
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        if raw.chars().any(|c| c.is_numeric()) {
            // Consecutive masked tokens collapse: "555 0123" and "5550123" shingle alike.
            if tokens.last().map(String::as_str) != Some(NUMBER_MASK) {
                tokens.push(NUMBER_MASK.to_string());
            }
        } else {
            tokens.push(raw.to_lowercase());
        }
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut buf = String::new();
    let window = SHINGLE_WORDS.min(tokens.len());
    if window == 0 {
        return out;
    }
    for w in tokens.windows(window) {
        buf.clear();
        for (i, t) in w.iter().enumerate() {
            if i > 0 {
                buf.push(' ');
            }
            buf.push_str(t);
        }
        out.push(xxh3_64_with_seed(buf.as_bytes(), SHINGLE_SEED));
    }
    out.sort_unstable();
    out.dedup();
    out
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
        // A pinned value: if this changes, every stored band key changes with it.
        assert_eq!(
            shingles("one two three four"),
            vec![xxh3_64_with_seed(b"one two three four", SHINGLE_SEED)]
        );
        assert_eq!(
            xxh3_64_with_seed(b"one two three four", SHINGLE_SEED),
            xxh3_64_with_seed(b"one two three four", 0x5048_5348_494e_474c)
        );
    }
}
