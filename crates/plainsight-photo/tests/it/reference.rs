//! Our pHash against `imagehash.phash` on the committed fixture (`tests/fixtures/`, made by
//! `make_fixtures.py`): PNG and GIF decode to the same pixels in Pillow and in `image`, so
//! their hashes must be equal bit for bit; JPEG and lossy WebP decoders may round a few
//! pixels differently (libjpeg-turbo / libwebp under Pillow, zune-jpeg / image-webp here),
//! which is allowed to move at most `LOSSY_DECODER_BOUND` bits.

use std::collections::BTreeMap;
use std::path::PathBuf;

use plainsight_photo::{
    Limits, decode_gray, hamming, hash_image, parse_phash, phash_hex, shrink_for_phash,
};
use serde::Deserialize;

/// Largest Hamming distance to imagehash allowed where the decoders differ (JPEG, lossy
/// WebP). Measured: see `docs/photos.md`.
const LOSSY_DECODER_BOUND: u32 = 2;

#[derive(Deserialize)]
struct Fixture {
    images: BTreeMap<String, Expected>,
}

#[derive(Deserialize)]
struct Expected {
    sha256: String,
    phash: String,
    width: u32,
    height: u32,
    /// Pillow's 32×32 grayscale picture, hex bytes row by row.
    small: String,
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Pillow's 32×32 picture per fixture image.
fn pillow_small() -> BTreeMap<String, Vec<u8>> {
    let text = std::fs::read_to_string(fixture_dir().join("imagehash.json")).unwrap();
    let fixture: Fixture = serde_json::from_str(&text).unwrap();
    fixture
        .images
        .into_iter()
        .map(|(name, e)| (name, unhex(&e.small)))
        .collect()
}

/// The resize is Pillow's to the integer: on the images both libraries decode to the same
/// pixels, the 32×32 pictures are byte for byte equal; where decoders differ, the largest
/// difference of one pixel is printed (and bounded loosely, to catch a broken decoder).
#[test]
fn the_shrunk_picture_equals_pillows() {
    for (name, want) in pillow_small() {
        let bytes = std::fs::read(fixture_dir().join("images").join(&name)).unwrap();
        let got = shrink_for_phash(&decode_gray(&bytes, &Limits::default()).unwrap());
        assert_eq!(got.len(), 1024, "{name}");
        let worst = got
            .iter()
            .zip(&want)
            .map(|(&a, &b)| a.abs_diff(b))
            .max()
            .unwrap();
        println!("{name}: largest pixel difference to Pillow {worst}");
        if exact_decoder(&name) {
            assert_eq!(got, want, "{name}");
        } else {
            assert!(worst <= 8, "{name}: {worst}");
        }
    }
}

pub fn fixture() -> Vec<(String, Vec<u8>, String, String, u32, u32)> {
    let text = std::fs::read_to_string(fixture_dir().join("imagehash.json")).unwrap();
    let fixture: Fixture = serde_json::from_str(&text).unwrap();
    fixture
        .images
        .into_iter()
        .map(|(name, e)| {
            let bytes = std::fs::read(fixture_dir().join("images").join(&name)).unwrap();
            (name, bytes, e.sha256, e.phash, e.width, e.height)
        })
        .collect()
}

fn exact_decoder(name: &str) -> bool {
    name.ends_with(".png") || name.ends_with(".gif") || name.ends_with("lossless.webp")
}

#[test]
fn phash_equals_imagehash_on_the_fixture() {
    let fixture = fixture();
    assert!(fixture.len() >= 12, "the fixture is all there");
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (name, bytes, sha256, phash, width, height) in &fixture {
        let got = hash_image(bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&got.sha256, sha256, "{name}: sha256");
        assert_eq!((got.width, got.height), (*width, *height), "{name}: size");
        let want = parse_phash(phash).unwrap();
        let d = hamming(got.phash, want);
        report.push(format!(
            "{name}: imagehash {phash}, ours {} ({d} bits)",
            phash_hex(got.phash)
        ));
        let bound = if exact_decoder(name) {
            0
        } else {
            LOSSY_DECODER_BOUND
        };
        if d > bound {
            failures.push(format!("{name}: {d} bits > {bound}"));
        }
    }
    println!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{failures:?}\n{}", report.join("\n"));
}

/// `image_hasher` 3.1 is not used: its pHash resizes and transforms differently, and this
/// test keeps the record of how far it is from imagehash on the same files (it would start
/// failing, and deserve a second look, if it ever matched).
#[test]
fn image_hasher_does_not_reproduce_imagehash() {
    use image_hasher::{HashAlg, HasherConfig};
    let hasher = HasherConfig::new()
        .hash_alg(HashAlg::Mean)
        .preproc_dct()
        .hash_size(8, 8)
        .to_hasher();
    let mut exact = 0;
    let mut total = 0;
    for (name, bytes, _, phash, _, _) in fixture() {
        if !exact_decoder(&name) {
            continue;
        }
        let img = image::load_from_memory(&bytes).unwrap();
        let h = hasher.hash_image(&img);
        let theirs = u64::from_be_bytes(h.as_bytes().try_into().unwrap());
        let want = parse_phash(&phash).unwrap();
        println!(
            "{name}: image_hasher {theirs:016x}, imagehash {phash}, {} bits",
            hamming(theirs, want)
        );
        total += 1;
        exact += usize::from(theirs == want);
    }
    assert!(total > 0);
    assert!(
        exact < total,
        "image_hasher now matches imagehash on every exact-decoder image"
    );
}
