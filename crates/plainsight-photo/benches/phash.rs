//! Hashing speed on 800×600 JPEGs (decode, grayscale, Lanczos shrink, DCT, and SHA-256 of the
//! bytes): images per second on one core. Run:
//! `cargo bench -p plainsight-photo --bench phash`. Figures in `docs/benchmarks.md`.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use plainsight_photo::{Limits, hash_image};

/// Photo-like 800×600 JPEGs at quality 85: gradients, soft shapes and grain (grain makes the
/// entropy decoder work as on a real photo; a flat picture would flatter the figure).
fn jpegs(n: u32) -> Vec<Vec<u8>> {
    (0..n)
        .map(|seed| {
            let mut state = u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let img = RgbImage::from_fn(800, 600, |x, y| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let grain = (state % 21) as i32 - 10;
                let fx = f64::from(x) / 800.0;
                let fy = f64::from(y) / 600.0;
                let wave = ((fx * 9.0 + f64::from(seed)).sin() * (fy * 7.0).cos() * 60.0) as i32;
                let c = |base: i32| (base + wave + grain).clamp(0, 255) as u8;
                Rgb([c((fx * 200.0) as i32), c((fy * 180.0) as i32 + 30), c(120)])
            });
            let mut out = Cursor::new(Vec::new());
            JpegEncoder::new_with_quality(&mut out, 85)
                .encode_image(&img)
                .unwrap();
            out.into_inner()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let images = jpegs(8);
    let limits = Limits::default();
    let mut group = c.benchmark_group("photo");
    group.throughput(Throughput::Elements(1));
    group.bench_function("hash_image 800x600 jpeg", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % images.len();
            black_box(hash_image(black_box(&images[i]), &limits).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
