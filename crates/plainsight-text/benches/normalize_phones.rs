//! Throughput of normalisation and phone finding on realistic ad text: the ads-dev
//! deobfuscation lines (HTML, mojibake, spelled and separated numbers) plus generated plain
//! ads, processed one field at a time as `plainsight extract` does; and of the whole extractor
//! (`Extractor::extract`) on ads from the corpus generator, the issue's "MB/s of ad text per
//! core" (bytes of title, body, URL and location, as `plainsight bench extract` counts them).
//!
//! Time is the benchmark thread's CPU time (Linux `/proc/thread-self/schedstat`), not wall
//! time: on a shared machine wall time mostly measures the other tenants. Where that file is
//! unreadable the wall clock is used.

use std::hint::black_box;
use std::time::Instant;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plainsight_core::Field;
use plainsight_corpus::CorpusConfig;
use plainsight_text::extract::{ExtractConfig, Extractor};
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

/// The ads-dev lines and 200 generated ads, repeated so one iteration takes milliseconds of
/// CPU (the thread clock ticks too coarsely for shorter samples).
fn corpus() -> Vec<String> {
    let mut fields: Vec<String> = RAW.lines().map(str::to_string).collect();
    fields.extend(generated_plain_ads(200));
    (0..10).flat_map(|_| fields.iter().cloned()).collect()
}

/// CPU time of the current thread in nanoseconds, if the kernel reports it.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Criterion measurement of thread CPU time (falls back to wall time).
struct ThreadCpuTime {
    wall: WallTime,
    use_cpu: bool,
}

impl ThreadCpuTime {
    fn new() -> ThreadCpuTime {
        let use_cpu = thread_cpu_ns().is_some_and(|first| {
            // Spin briefly: a kernel without schedstats reports a constant.
            let start = Instant::now();
            while start.elapsed().as_millis() < 5 {
                black_box(0);
            }
            thread_cpu_ns().is_some_and(|second| second > first)
        });
        ThreadCpuTime {
            wall: WallTime,
            use_cpu,
        }
    }

    fn now(&self, wall_start: Instant) -> u64 {
        if self.use_cpu {
            thread_cpu_ns().unwrap_or(0)
        } else {
            u64::try_from(wall_start.elapsed().as_nanos()).unwrap_or(u64::MAX)
        }
    }
}

impl Measurement for ThreadCpuTime {
    type Intermediate = (Instant, u64);
    type Value = u64;

    fn start(&self) -> Self::Intermediate {
        let wall_start = Instant::now();
        (wall_start, self.now(wall_start))
    }

    fn end(&self, (wall_start, start): Self::Intermediate) -> Self::Value {
        self.now(wall_start).saturating_sub(start)
    }

    fn add(&self, v1: &Self::Value, v2: &Self::Value) -> Self::Value {
        v1 + v2
    }

    fn zero(&self) -> Self::Value {
        0
    }

    fn to_f64(&self, value: &Self::Value) -> f64 {
        *value as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        // Values are nanoseconds, exactly what the wall-time formatter expects.
        self.wall.formatter()
    }
}

fn bench(c: &mut Criterion<ThreadCpuTime>) {
    let finder = PhoneFinder::new(&PhoneConfig::default()).expect("US region");
    let mixed = corpus();
    let plain = generated_plain_ads(3_000);
    for (name, fields) in [("ads_dev_mixed", &mixed), ("plain_ascii", &plain)] {
        let bytes: usize = fields.iter().map(String::len).sum();
        let mut group = c.benchmark_group(name);
        group.sample_size(20);
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
    // The whole extractor on generated ads (seed 1, as `plainsight bench extract`).
    let ads: Vec<_> = plainsight_corpus::generate(&CorpusConfig {
        ads: 5_000,
        seed: 1,
        ..CorpusConfig::default()
    })
    .map(|(ad, _)| ad)
    .collect();
    let extractor = Extractor::new(&ExtractConfig::default()).expect("default extractor");
    let bytes: usize = ads.iter().map(|ad| ad.text_len()).sum();
    let mut group = c.benchmark_group("extract");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("generated_ads", |b| {
        b.iter(|| {
            ads.iter()
                .map(|ad| extractor.extract(black_box(ad)).phones.len())
                .sum::<usize>()
        })
    });
    group.finish();

    // The `phonenumber` wrapper alone, on more distinct numbers than its cache holds.
    let numbers: Vec<String> = (0..5_000)
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
    group.sample_size(10);
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

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime::new());
    targets = bench
}
criterion_main!(benches);
