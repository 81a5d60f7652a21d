//! Read throughput of the JSONL and WARC readers on generated input (MB/s), in memory so the
//! figure is the parser's, not the disk's. Run: `cargo bench -p plainsight-ingest --bench readers`.

use std::hint::black_box;
use std::io::{Cursor, Write};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plainsight_ingest::{Format, ReadOptions, from_reader};

const TARGET_BYTES: usize = 16 * 1024 * 1024;

/// Varied filler text so compression and parsing see realistic, non-repeating input.
fn words(seed: usize, n: usize) -> String {
    const VOCAB: &[&str] = &[
        "new",
        "in",
        "town",
        "call",
        "text",
        "sweet",
        "young",
        "available",
        "now",
        "incall",
        "outcall",
        "special",
        "rates",
        "hh",
        "real",
        "pics",
        "no",
        "games",
        "discreet",
        "ask",
        "about",
        "tonight",
        "downtown",
        "hotel",
        "friendly",
        "generous",
        "only",
    ];
    (0..n)
        .map(|i| VOCAB[(seed.wrapping_mul(31).wrapping_add(i * 17)) % VOCAB.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn jsonl_input() -> Vec<u8> {
    let mut out = Vec::with_capacity(TARGET_BYTES + 4096);
    let mut i = 0;
    while out.len() < TARGET_BYTES {
        let line = serde_json::json!({
            "id": format!("ad-{i}"),
            "url": format!("https://ads.example/listing/{i}"),
            "site": "ads.example",
            "posted_at": "2024-05-01T10:00:00Z",
            "title": words(i, 8),
            "body": words(i + 7, 90),
            "location": "Raleigh, NC",
            "phones": [format!("919-555-{:04}", i % 10_000)],
            "category": "personals",
        });
        serde_json::to_writer(&mut out, &line).unwrap();
        out.push(b'\n');
        i += 1;
    }
    out
}

fn warc_input(gzipped: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(TARGET_BYTES + 16_384);
    let mut i = 0;
    while out.len() < TARGET_BYTES {
        let html = format!(
            "<!doctype html><html><head><title>{}</title><style>p{{color:red}}</style></head>\
             <body><nav>Home | Post | Login</nav><main><h1>{}</h1><p>{}</p><p>{}</p>\
             <ul><li>Age: 2{}</li><li>919-555-{:04}</li></ul></main><footer>(c) ads</footer></body></html>",
            words(i, 6),
            words(i + 1, 6),
            words(i + 2, 200),
            words(i + 3, 200),
            i % 10,
            i % 10_000
        );
        let block =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
        let record = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{i:08}>\r\n\
             WARC-Target-URI: https://ads.example/listing/{i}\r\nWARC-Date: 2024-05-01T10:00:00Z\r\n\
             Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
            block.len()
        );
        if gzipped {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(record.as_bytes()).unwrap();
            out.extend(enc.finish().unwrap());
        } else {
            out.extend(record.as_bytes());
        }
        i += 1;
    }
    out
}

fn read_all(bytes: &[u8], format: Format) -> usize {
    let reader = from_reader(
        Box::new(Cursor::new(bytes.to_vec())),
        "bench",
        format,
        &ReadOptions::default(),
    );
    reader.filter(Result::is_ok).count()
}

fn readers(c: &mut Criterion) {
    let mut group = c.benchmark_group("readers");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(15));
    let inputs = [
        ("jsonl", Format::Jsonl, jsonl_input()),
        ("warc", Format::Warc, warc_input(false)),
        ("warc_gz", Format::Warc, warc_input(true)),
    ];
    for (name, format, bytes) in &inputs {
        // Throughput is measured in input bytes (compressed bytes for warc_gz).
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*name, |b| b.iter(|| black_box(read_all(bytes, *format))));
    }
    group.finish();
}

criterion_group!(benches, readers);
criterion_main!(benches);
