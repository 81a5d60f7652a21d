//! Throughput of normalisation and phone finding on realistic ad text: the ads-dev
//! deobfuscation lines (HTML, mojibake, spelled and separated numbers) plus generated plain
//! ads, processed one field at a time as `plainsight extract` does. Reported as MB/s.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plainsight_core::Field;
use plainsight_text::normalize::normalize;
use plainsight_text::phones::{PhoneConfig, PhoneFinder};

const RAW: &str = include_str!("../tests/fixtures/ads-dev/deobfuscation-raw.txt");

/// Plain ads built from templates: ASCII prose with an ordinary phone number and prices.
fn generated_plain_ads(count: usize) -> Vec<String> {
    let openers = [
        "Hi gentlemen, I am new in town and ready to make your day",
        "Sweet and classy companion available for incall and outcall",
        "Upscale, discreet and always on time. No rush, real pics",
        "Come relax with me tonight, serious callers only please",
    ];
    let rates = [
        "$80 qv $120 hh $200 hr",
        "150 roses/hr",
        "donation 200/hr, 2hr 350",
        "ask about specials",
    ];
    (0..count)
        .map(|i| {
            format!(
                "{} Call or text ({}) {}-{:04} {}. Available 24/7, 5'6\" 125lbs 34C-24-36. Ad #{}",
                openers[i % openers.len()],
                200 + (i * 37) % 700,
                200 + (i * 53) % 700,
                (i * 7919) % 10_000,
                rates[i % rates.len()],
                100_000 + i
            )
        })
        .collect()
}

fn corpus() -> Vec<String> {
    let mut fields: Vec<String> = RAW.lines().map(str::to_string).collect();
    fields.extend(generated_plain_ads(200));
    fields
}

fn bench(c: &mut Criterion) {
    let finder = PhoneFinder::new(&PhoneConfig::default()).expect("US region");
    let mixed = corpus();
    let plain = generated_plain_ads(300);
    for (name, fields) in [("ads_dev_mixed", &mixed), ("plain_ascii", &plain)] {
        let bytes: usize = fields.iter().map(String::len).sum();
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("normalize", |b| {
            b.iter(|| {
                for field in fields {
                    black_box(normalize(black_box(field)));
                }
            })
        });
        group.bench_function("normalize_and_find_phones", |b| {
            b.iter(|| {
                let mut found = 0;
                for field in fields {
                    let norm = normalize(black_box(field));
                    found += finder.find(field, &norm, Field::Body).len();
                }
                black_box(found)
            })
        });
        group.finish();
    }
    // The `phonenumber` wrapper alone, on more distinct numbers than its cache holds.
    let numbers: Vec<String> = (0..5000)
        .map(|i| {
            format!(
                "({}) {}-{:04}",
                200 + (i * 37) % 700,
                200 + (i * 53) % 700,
                (i * 7919) % 10_000
            )
        })
        .collect();
    let mut group = c.benchmark_group("phonenumber_wrapper");
    group.throughput(Throughput::Elements(numbers.len() as u64));
    group.bench_function("parse_e164_distinct", |b| {
        b.iter(|| {
            numbers
                .iter()
                .filter(|n| finder.parse_e164(n).is_some())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
