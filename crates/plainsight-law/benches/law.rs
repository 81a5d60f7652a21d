//! Benchmarks of the law queries: one `check` (the question `plainsight law check` asks), every
//! conduct and combination of facts on one date, the `changes` briefing, and reading the
//! bundled data files (done once per process), and all of it together as one command does it.
//!
//! Run: `cargo bench -p plainsight-law --bench law` (docs/benchmarks.md, "Law").

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use plainsight_law::{BUNDLED_FILES, Conduct, Date, Facts, Library, Question, render};

fn bench(c: &mut Criterion) {
    let lib = Library::bundled().unwrap();
    let date: Date = "2019-12-01".parse().unwrap();
    let coercion = Facts {
        coercion: true,
        ..Facts::default()
    };
    c.bench_function("law/check_one", |b| {
        b.iter(|| {
            lib.check(black_box(&Question {
                jurisdiction: "NC",
                date,
                conduct: Conduct::Buying,
                facts: coercion,
            }))
            .unwrap()
        })
    });
    c.bench_function("law/check_one_json", |b| {
        b.iter(|| {
            let a = lib
                .check(black_box(&Question {
                    jurisdiction: "NC",
                    date,
                    conduct: Conduct::Buying,
                    facts: coercion,
                }))
                .unwrap();
            render::check_json(&a)
        })
    });
    c.bench_function("law/check_all_40", |b| {
        b.iter(|| {
            let mut n = 0;
            for conduct in Conduct::ALL {
                for facts in Facts::all_combinations() {
                    n += lib
                        .check(&Question {
                            jurisdiction: "NC",
                            date: black_box(date),
                            conduct,
                            facts,
                        })
                        .unwrap()
                        .statutes
                        .len();
                }
            }
            n
        })
    });
    c.bench_function("law/changes_text", |b| {
        b.iter(|| render::changes_text(&lib.changes("NC", black_box(None)).unwrap()))
    });
    // What `plainsight law check --format json` does once the process has started: read the
    // data files, answer, render.
    c.bench_function("law/cold_answer_json", |b| {
        b.iter(|| {
            let lib = Library::from_files(black_box(BUNDLED_FILES)).unwrap();
            let a = lib
                .check(&Question {
                    jurisdiction: "NC",
                    date,
                    conduct: Conduct::Buying,
                    facts: coercion,
                })
                .unwrap();
            render::check_json(&a)
        })
    });
    c.bench_function("law/load_bundled", |b| {
        b.iter(|| Library::from_files(black_box(BUNDLED_FILES)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
