//! Time per stage of hashing 800×600 JPEGs (decode, grayscale, shrink, DCT), for finding where
//! the time goes; the benchmark (`benches/phash.rs`) gives the figure that counts. Run:
//! `cargo run --release -p plainsight-photo --example stages`; with an argument N it only
//! hashes the picture N times (for `/usr/bin/time` or callgrind: CPU time per image).

use std::io::Cursor;
use std::time::Instant;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use plainsight_photo::{Limits, decode_gray, phash_of_gray, sha256_hex};

fn main() {
    let img = RgbImage::from_fn(800, 600, |x, y| {
        let g = ((x * 7 + y * 13) % 23) as i32 - 11;
        let c = |b: i32| (b + g).clamp(0, 255) as u8;
        Rgb([c((x / 4) as i32), c((y / 3) as i32 + 30), c(120)])
    });
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    let jpeg = out.into_inner();
    if let Some(n) = std::env::args().nth(1).and_then(|a| a.parse::<u32>().ok()) {
        let limits = plainsight_photo::Limits::default();
        for _ in 0..n {
            std::hint::black_box(plainsight_photo::hash_image(&jpeg, &limits).unwrap());
        }
        println!("hashed {n} images of {} bytes", jpeg.len());
        return;
    }
    let n = 100;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(image::load_from_memory(&jpeg).unwrap());
    }
    let decode = t.elapsed() / n;
    let t = Instant::now();
    let mut gray = None;
    for _ in 0..n {
        gray = Some(decode_gray(&jpeg, &Limits::default()).unwrap());
    }
    let decode_gray_t = t.elapsed() / n;
    let gray = gray.unwrap();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(phash_of_gray(&gray));
    }
    let hash = t.elapsed() / n;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(sha256_hex(&jpeg));
    }
    let sha = t.elapsed() / n;
    println!(
        "{} bytes: decode to RGB {decode:?}, decode + gray {decode_gray_t:?}, shrink + DCT {hash:?}, sha256 {sha:?}",
        jpeg.len()
    );
}
