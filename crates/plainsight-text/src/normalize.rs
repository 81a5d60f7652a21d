//! Normalisation of ad text with a byte-offset map back to the original.
//!
//! PLACEHOLDER API (identity transform) so extractors can be written against it; the real
//! normaliser replaces the body of `normalize` while keeping this API.

use std::ops::Range;

/// Normalised text plus, for every byte of it, where it came from in the original.
#[derive(Debug, Clone)]
pub struct Normalized {
    text: String,
    /// `origin[i]` is the original byte range that produced normalised byte `i`.
    origin: Vec<(u32, u32)>,
    original_len: usize,
}

impl Normalized {
    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Map a byte range of the normalised text back to a byte range of the original text.
    /// Always returns a range inside the original, on char boundaries.
    pub fn original_span(&self, range: Range<usize>) -> Range<usize> {
        if self.origin.is_empty() || range.start >= range.end {
            let p = self
                .origin
                .get(range.start)
                .map_or(self.original_len, |o| o.0 as usize);
            return p..p;
        }
        let s = range.start.min(self.origin.len() - 1);
        let e = range.end.min(self.origin.len()).max(s + 1) - 1;
        self.origin[s].0 as usize..self.origin[e].1 as usize
    }
}

/// Normalise `original` (plain text or HTML).
pub fn normalize(original: &str) -> Normalized {
    let mut origin = Vec::with_capacity(original.len());
    for (i, c) in original.char_indices() {
        let end = (i + c.len_utf8()) as u32;
        for _ in 0..c.len_utf8() {
            origin.push((i as u32, end));
        }
    }
    Normalized {
        text: original.to_string(),
        origin,
        original_len: original.len(),
    }
}
