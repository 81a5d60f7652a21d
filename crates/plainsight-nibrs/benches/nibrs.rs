//! Benchmarks for the NIBRS readers and report: a ~20 MB CDE state-year package (the real
//! Louisiana 2014 rows replicated with new ids), the fixed-width readers (the Vermont flat file
//! replicated; synthetic master-file arrestee records) and a state report.
//!
//! Run: `cargo bench -p plainsight-nibrs --bench nibrs`. Set `NIBRS_BENCH_WRITE=DIR` to also
//! write the replicated package to DIR as CSV files (for timing `plainsight nibrs import DIR`).

use std::hint::black_box;
use std::io::{Cursor, Read};
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plainsight_nibrs::{
    HtmlOptions, NibrsError, PackageSource, ReadOptions, ReportFilter, ReportInput, build_report,
    read_cde_package, read_flat_file, read_master_file, render_html, render_json,
};

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// Id columns that must stay unique across replicas, per table.
const ID_COLUMNS: &[(&str, &[&str])] = &[
    ("nibrs_arrestee.csv", &["arrestee_id", "incident_id"]),
    ("nibrs_incident.csv", &["incident_id", "nibrs_month_id"]),
    ("nibrs_offense.csv", &["offense_id", "incident_id"]),
    ("nibrs_victim.csv", &["victim_id", "incident_id"]),
    ("nibrs_victim_offense.csv", &["victim_id", "offense_id"]),
    ("nibrs_month.csv", &["nibrs_month_id"]),
];

/// The LA package with its data tables replicated `copies` times (ids offset per copy).
fn replicated_package(copies: u64) -> Vec<(String, Vec<u8>)> {
    let dir = data("cde-LA-2014");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".csv") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let Some((_, id_cols)) = ID_COLUMNS.iter().find(|(n, _)| *n == name) else {
            files.push((name, bytes));
            continue;
        };
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers = reader.headers().unwrap().clone();
        let idx: Vec<usize> = id_cols
            .iter()
            .map(|c| headers.iter().position(|h| h == *c).unwrap())
            .collect();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&headers).unwrap();
        for copy in 0..copies {
            for row in &rows {
                let out: Vec<String> = row
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match (idx.contains(&i), v.parse::<u64>()) {
                        (true, Ok(id)) => (id + copy * 1_000_000_000).to_string(),
                        _ => v.to_string(),
                    })
                    .collect();
                writer.write_record(&out).unwrap();
            }
        }
        files.push((name, writer.into_inner().unwrap()));
    }
    files
}

struct Memory<'a> {
    files: &'a [(String, Vec<u8>)],
}

impl PackageSource for Memory<'_> {
    fn names(&self) -> Vec<String> {
        self.files.iter().map(|(n, _)| n.clone()).collect()
    }

    fn open(&mut self, name: &str) -> Result<Box<dyn Read + '_>, NibrsError> {
        let bytes = self
            .files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
            .unwrap_or(&[]);
        Ok(Box::new(bytes))
    }

    fn label(&self) -> &str {
        "LA-2014-replicated"
    }
}

fn cde_package(c: &mut Criterion) {
    let files = replicated_package(3);
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    if let Ok(dir) = std::env::var("NIBRS_BENCH_WRITE") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, b) in &files {
            std::fs::write(PathBuf::from(&dir).join(name), b).unwrap();
        }
    }
    let mut group = c.benchmark_group("cde");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function(format!("read_package_{}MB", bytes / 1_000_000), |b| {
        b.iter(|| {
            let mut package = Memory { files: &files };
            black_box(read_cde_package(&mut package, &ReadOptions::default()).unwrap())
        })
    });
    group.finish();

    let mut package = Memory { files: &files };
    let dataset = read_cde_package(&mut package, &ReadOptions::default()).unwrap();
    let mut input = ReportInput::default();
    input.add(dataset);
    let filter = ReportFilter {
        state: Some("LA".into()),
        year: Some(2014),
        agency: None,
    };
    let mut group = c.benchmark_group("report");
    group.sample_size(20);
    group.bench_function("state_report_html_json", |b| {
        b.iter(|| {
            let report = build_report(&input, &filter);
            let html = render_html(&report, &HtmlOptions::default());
            let json = render_json(&report);
            black_box((html.len(), json.len()))
        })
    });
    group.finish();
}

fn fixed_width(c: &mut Criterion) {
    let vt = std::fs::read(data("flatfile/VTUCR0001_20200420_NIBRS_010.txt")).unwrap();
    let mut flat = Vec::with_capacity(64 << 20);
    while flat.len() < 50_000_000 {
        flat.extend_from_slice(&vt);
    }
    // Synthetic master-file arrestee records (110 bytes + newline), one in 50 for 40A.
    let mut master = Vec::with_capacity(64 << 20);
    let mut i = 0u64;
    while master.len() < 50_000_000 {
        let code = if i.is_multiple_of(50) { "40A" } else { "13B" };
        let line = format!(
            "0637NC0000001{:<12}20190501{:02}{:<12}20190502TN{code}01    25MWNR {:<37}\n",
            i,
            i % 99,
            i,
            ""
        );
        master.extend_from_slice(line.as_bytes());
        i += 1;
    }
    let mut group = c.benchmark_group("fixed_width");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(flat.len() as u64));
    group.bench_function("flat_file_50MB", |b| {
        b.iter(|| {
            black_box(read_flat_file(Cursor::new(&flat), "vt", &ReadOptions::default()).unwrap())
        })
    });
    group.throughput(Throughput::Bytes(master.len() as u64));
    group.bench_function("master_file_50MB", |b| {
        b.iter(|| {
            black_box(read_master_file(Cursor::new(&master), "m", &ReadOptions::default()).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, cde_package, fixed_width);
criterion_main!(benches);
