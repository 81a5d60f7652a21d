//! "Same photo" at the linking threshold: photos made here (gradients, shapes and grain, no
//! people), each re-encoded as JPEG at several qualities, resized, cropped by 5% and
//! watermarked; every copy must be found near its original (recall) and no other photo near
//! it (precision). Each photo also has a sibling: the same background and layout with one
//! shape moved and recoloured (another picture taken in the same room), which must stay apart.
//! The figures are printed with `--nocapture` and recorded in `docs/quality.md`.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use plainsight_photo::{Limits, hamming, hash_image};

/// The Hamming threshold used by linking (`LinkConfig::phash_max_distance`).
const THRESHOLD: u32 = 4;
const PHOTOS: u64 = 40;

/// SplitMix64: a fixed generator, so the set is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn colour(&mut self) -> [u8; 3] {
        [
            self.below(256) as u8,
            self.below(256) as u8,
            self.below(256) as u8,
        ]
    }
}

#[derive(Clone)]
struct Shape {
    ellipse: bool,
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
    colour: [u8; 3],
}

const W: u32 = 320;
const H: u32 = 240;

fn shapes(rng: &mut Rng) -> Vec<Shape> {
    (0..3 + rng.below(5))
        .map(|_| {
            let x0 = rng.below(u64::from(W) - 40) as i64;
            let y0 = rng.below(u64::from(H) - 40) as i64;
            Shape {
                ellipse: rng.below(2) == 1,
                x0,
                y0,
                x1: x0 + 30 + rng.below(140) as i64,
                y1: y0 + 30 + rng.below(110) as i64,
                colour: rng.colour(),
            }
        })
        .collect()
}

fn draw(background: ([u8; 3], [u8; 3], bool), shapes: &[Shape], grain_seed: u64) -> RgbImage {
    let (a, b, vertical) = background;
    let mut grain = Rng(grain_seed);
    RgbImage::from_fn(W, H, |x, y| {
        let t = if vertical {
            y as f64 / f64::from(H)
        } else {
            x as f64 / f64::from(W)
        };
        let mut px: [f64; 3] =
            std::array::from_fn(|c| f64::from(a[c]) * (1.0 - t) + f64::from(b[c]) * t);
        for s in shapes {
            let (x, y) = (i64::from(x), i64::from(y));
            let inside = if s.ellipse {
                let (cx, cy) = ((s.x0 + s.x1) as f64 / 2.0, (s.y0 + s.y1) as f64 / 2.0);
                let (rx, ry) = ((s.x1 - s.x0) as f64 / 2.0, (s.y1 - s.y0) as f64 / 2.0);
                ((x as f64 - cx) / rx).powi(2) + ((y as f64 - cy) / ry).powi(2) <= 1.0
            } else {
                x >= s.x0 && x <= s.x1 && y >= s.y0 && y <= s.y1
            };
            if inside {
                px = s.colour.map(f64::from);
            }
        }
        let n = grain.below(25) as f64 - 12.0;
        Rgb(px.map(|v| (v + n).clamp(0.0, 255.0) as u8))
    })
}

/// A photo and its sibling (same background and layout, one shape moved and recoloured).
fn photo_and_sibling(seed: u64) -> (RgbImage, RgbImage) {
    let mut rng = Rng(seed);
    let background = (rng.colour(), rng.colour(), rng.below(2) == 1);
    let base = shapes(&mut rng);
    let mut other = base.clone();
    let moved = &mut other[0];
    let (dx, dy) = (60 + rng.below(80) as i64, 40 + rng.below(60) as i64);
    moved.x0 = (moved.x0 + dx) % i64::from(W - 40);
    moved.x1 = moved.x0 + 30 + rng.below(140) as i64;
    moved.y0 = (moved.y0 + dy) % i64::from(H - 40);
    moved.y1 = moved.y0 + 30 + rng.below(110) as i64;
    moved.colour = rng.colour();
    (
        draw(background, &base, seed),
        draw(background, &other, seed ^ 0xABCD),
    )
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .unwrap();
    out.into_inner()
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A site's watermark: a translucent light band across the bottom eighth with dark "letters".
fn watermark(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    let top = H - H / 8;
    for y in top..H {
        for x in 0..W {
            let p = out.get_pixel_mut(x, y);
            let letter =
                (x / 6) % 3 != 0 && (y - top) > 6 && (y - top) < H / 8 - 6 && x > 40 && x < 280;
            let over: [u8; 3] = if letter {
                [30, 30, 30]
            } else {
                [240, 240, 240]
            };
            for (v, o) in p.0.iter_mut().zip(over) {
                *v = ((u16::from(*v) + u16::from(o) * 2) / 3) as u8;
            }
        }
    }
    out
}

/// A small translucent logo in the bottom-right corner (about 12% × 8% of the picture).
fn corner_logo(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    let (w, h) = (W * 12 / 100, H * 8 / 100);
    for y in H - h - 4..H - 4 {
        for x in W - w - 4..W - 4 {
            let p = out.get_pixel_mut(x, y);
            let dark = (x / 4 + y / 4) % 2 == 0;
            let over = if dark { 20u16 } else { 250 };
            for c in 0..3 {
                p.0[c] = ((u16::from(p.0[c]) + over) / 2) as u8;
            }
        }
    }
    out
}

/// The copies of one photo: (name of the change, bytes).
fn variants(img: &RgbImage) -> Vec<(&'static str, Vec<u8>)> {
    let crop_x = W / 20;
    let crop_y = H / 20;
    vec![
        ("jpeg q90", jpeg(img, 90)),
        ("jpeg q70", jpeg(img, 70)),
        ("jpeg q50", jpeg(img, 50)),
        ("jpeg q30", jpeg(img, 30)),
        (
            "resized to 50% (jpeg q85)",
            jpeg(
                &imageops::resize(img, W / 2, H / 2, FilterType::Triangle),
                85,
            ),
        ),
        (
            "resized to 150% (jpeg q85)",
            jpeg(
                &imageops::resize(img, W * 3 / 2, H * 3 / 2, FilterType::CatmullRom),
                85,
            ),
        ),
        (
            "cropped 5% off left and top (jpeg q85)",
            jpeg(
                &imageops::crop_imm(img, crop_x, crop_y, W - crop_x, H - crop_y).to_image(),
                85,
            ),
        ),
        (
            "cropped 2.5% off each side (jpeg q85)",
            jpeg(
                &imageops::crop_imm(img, crop_x / 2, crop_y / 2, W - crop_x, H - crop_y).to_image(),
                85,
            ),
        ),
        (
            "corner logo, 12% × 8% (jpeg q85)",
            jpeg(&corner_logo(img), 85),
        ),
        (
            "watermark band over the bottom eighth (jpeg q85)",
            jpeg(&watermark(img), 85),
        ),
    ]
}

fn phash(bytes: &[u8]) -> u64 {
    hash_image(bytes, &Limits::default()).unwrap().phash
}

#[test]
fn copies_of_a_photo_are_near_it_and_other_photos_are_not() {
    // (photo, change, hash); change "" is the original (a PNG), "sibling" its sibling.
    let mut items: Vec<(u64, &'static str, u64)> = Vec::new();
    for p in 0..PHOTOS {
        let (img, sibling) = photo_and_sibling(1000 + p);
        items.push((p, "", phash(&png(&img))));
        for (change, bytes) in variants(&img) {
            items.push((p, change, phash(&bytes)));
        }
        // The sibling is another photo: its own group, never a copy of the first.
        items.push((PHOTOS + p, "sibling (another photo)", phash(&png(&sibling))));
    }
    let mut rows = Vec::new();
    for t in [0, 2, 4, 6, 8, 10, 12] {
        let (mut tp, mut fn_, mut fp, mut negatives) = (0u64, 0u64, 0u64, 0u64);
        for (i, a) in items.iter().enumerate() {
            for b in &items[i + 1..] {
                let near = hamming(a.2, b.2) <= t;
                if a.0 == b.0 {
                    if near { tp += 1 } else { fn_ += 1 }
                } else {
                    negatives += 1;
                    fp += u64::from(near);
                }
            }
        }
        let precision = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let recall = tp as f64 / (tp + fn_) as f64;
        rows.push((t, precision, recall, tp, fn_, fp, negatives));
    }
    println!(
        "| Hamming ≤ | precision | recall | same-photo pairs found | missed | other-photo pairs within | other-photo pairs |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (t, p, r, tp, fn_, fp, neg) in &rows {
        println!("| {t} | {p:.4} | {r:.4} | {tp} | {fn_} | {fp} | {neg} |");
    }
    // Recall by change, original against copy, at the threshold.
    println!("\n| change | copies within {THRESHOLD} bits of the original | mean distance |");
    println!("|---|---|---|");
    let changes: Vec<&str> = variants(&photo_and_sibling(1).0)
        .iter()
        .map(|v| v.0)
        .collect();
    let mut per_change = Vec::new();
    for change in changes.iter().copied().chain(["sibling (another photo)"]) {
        let (mut within, mut total, mut sum) = (0, 0, 0u32);
        for p in 0..PHOTOS {
            let original = items.iter().find(|i| i.0 == p && i.1.is_empty()).unwrap().2;
            let copy = items
                .iter()
                .find(|i| (i.0 == p || i.0 == PHOTOS + p) && i.1 == change)
                .unwrap()
                .2;
            let d = hamming(original, copy);
            within += u32::from(d <= THRESHOLD);
            total += 1;
            sum += d;
        }
        println!(
            "| {change} | {within}/{total} | {:.1} |",
            f64::from(sum) / f64::from(total)
        );
        per_change.push((change, within, total));
    }
    let at = rows.iter().find(|r| r.0 == THRESHOLD).unwrap();
    // Floors a little under the measured figures (docs/quality.md): a change to decoding,
    // resizing or the DCT that costs robustness fails here.
    assert!(at.1 >= 0.94, "precision at {THRESHOLD}: {}", at.1);
    assert!(at.2 >= 0.55, "recall at {THRESHOLD}: {}", at.2);
    for (change, within, total) in per_change {
        if change.starts_with("jpeg") || change.starts_with("resized") {
            assert!(within * 10 >= total * 9, "{change}: {within}/{total}");
        }
        if change.starts_with("sibling") {
            // Measured 6 of 40: the known weakness of a 64-bit low-frequency hash on two
            // pictures of one room (docs/quality.md).
            assert!(
                within * 4 <= total,
                "{within}/{total} siblings within {THRESHOLD} bits"
            );
        }
    }
}
