//! Photo hashes from image bytes: the SHA-256 of the bytes (exact copies) and the 64-bit DCT
//! perceptual hash exactly as Python `imagehash.phash` computes it (near copies: re-encoded,
//! resized, lightly cropped or watermarked), so hashes are comparable with what other tools and
//! scrapers produce.
//!
//! Pure: bytes in, hashes out. No file system, no network, and the photo is never kept: only
//! its hashes and size leave [`hash_image`]. Decoding is bounded ([`Limits`]: bytes, pixels per
//! image), so a decompression bomb, a truncated or a malformed file is a typed
//! [`PhotoError`], never a panic or an allocation the size of the claimed picture.
//! `docs/photos.md` at the repository root describes the algorithm step by step and how it is
//! checked against imagehash.

mod dct;
mod decode;
mod gray;
mod resize;

use sha2::{Digest, Sha256};

pub use crate::decode::{Limits, decode_gray, sniff};
pub use crate::gray::GrayImage;

/// Side of the square the image is shrunk to before the DCT (imagehash: `hash_size *
/// highfreq_factor` = 8 × 4).
pub const PHASH_IMAGE_SIZE: u32 = 32;

/// The image formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl ImageFormat {
    /// Lower-case name for messages and descriptions (`jpeg`, `png`, `gif`, `webp`).
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::WebP => "webp",
        }
    }
}

impl std::fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an image gave no perceptual hash. Its SHA-256 can still be taken from the bytes
/// ([`sha256_hex`]); the ad that carries the image is never lost over it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the image is {bytes} bytes, more than the {limit} byte limit")]
    TooManyBytes { bytes: usize, limit: usize },
    #[error(
        "the image claims {width}×{height} pixels, more than the {limit} pixel limit \
         (a decompression bomb or a huge scan); not decoded"
    )]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error("the image has no pixels ({width}×{height})")]
    NoPixels { width: u32, height: u32 },
    #[error("not a JPEG, PNG, GIF or WebP image (by its first bytes)")]
    UnknownFormat,
    #[error("the {format} image is cut short")]
    Truncated { format: ImageFormat },
    #[error("the {format} image uses a feature the decoder does not support: {reason}")]
    Unsupported { format: ImageFormat, reason: String },
    #[error("the {format} image cannot be decoded: {reason}")]
    Malformed { format: ImageFormat, reason: String },
}

/// What is kept of one photo: hashes and size, never pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoHashes {
    /// Lower-case hex SHA-256 of the bytes as given.
    pub sha256: String,
    /// The 64-bit DCT pHash; [`phash_hex`] gives the 16 hex digits imagehash prints.
    pub phash: u64,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Hash one image: SHA-256 of the bytes and the pHash of its pixels (GIF: the first frame).
pub fn hash_image(bytes: &[u8], limits: &Limits) -> Result<PhotoHashes, PhotoError> {
    let gray = decode_gray(bytes, limits)?;
    Ok(PhotoHashes {
        sha256: sha256_hex(bytes),
        phash: phash_of_gray(&gray),
        format: gray.format,
        width: gray.width,
        height: gray.height,
    })
}

/// The imagehash pHash of an 8-bit grayscale image (PIL mode "L"): Lanczos resize to 32×32
/// as Pillow does it, 2-D DCT-II, the top-left 8×8 coefficients, one bit per coefficient
/// greater than their median, row by row, the first bit the most significant.
pub fn phash_of_gray(gray: &GrayImage) -> u64 {
    let small = shrink_for_phash(gray);
    let low = dct::dct_low_8x8(&small, PHASH_IMAGE_SIZE as usize);
    bits_above_median(&low)
}

/// The 32×32 grayscale picture the DCT is taken of (`img.convert("L").resize((32, 32),
/// LANCZOS)` in Pillow), row by row: exposed so tests can tell a decoding difference from a
/// resizing one.
pub fn shrink_for_phash(gray: &GrayImage) -> Vec<u8> {
    resize::resize_lanczos(
        &gray.pixels,
        gray.width as usize,
        gray.height as usize,
        PHASH_IMAGE_SIZE as usize,
        PHASH_IMAGE_SIZE as usize,
    )
}

/// One bit per value, set when the value is greater than the median of all 64 (numpy's
/// median: the mean of the two middle values), first value in the top bit.
fn bits_above_median(values: &[f64; 64]) -> u64 {
    let mut sorted = *values;
    sorted.sort_by(f64::total_cmp);
    let median = (sorted[31] + sorted[32]) / 2.0;
    values
        .iter()
        .fold(0u64, |acc, &v| (acc << 1) | u64::from(v > median))
}

/// 16 lower-case hex digits, as `str(imagehash.phash(img))` prints a 64-bit hash.
pub fn phash_hex(h: u64) -> String {
    format!("{h:016x}")
}

/// Read 16 hex digits (either case) back into a hash.
pub fn parse_phash(s: &str) -> Option<u64> {
    (s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u64::from_str_radix(s, 16).ok())
        .flatten()
}

/// Number of differing bits.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_keeps_leading_zeros() {
        assert_eq!(phash_hex(0x00ff), "00000000000000ff");
        assert_eq!(parse_phash("00000000000000FF"), Some(0xff));
        assert_eq!(parse_phash("xyz"), None);
        assert_eq!(parse_phash("+0000000000000ff"), None);
    }

    #[test]
    fn the_first_value_is_the_top_bit() {
        let mut v = [0.0; 64];
        v[0] = 10.0;
        assert_eq!(bits_above_median(&v), 1 << 63);
        v[0] = 0.0;
        v[63] = 10.0;
        assert_eq!(bits_above_median(&v), 1);
    }

    #[test]
    fn values_equal_to_the_median_are_not_above_it() {
        let v: [f64; 64] = std::array::from_fn(|i| if i < 40 { 1.0 } else { 2.0 });
        // Median 1.0: only the 24 values of 2.0 are above it.
        assert_eq!(bits_above_median(&v).count_ones(), 24);
    }
}
