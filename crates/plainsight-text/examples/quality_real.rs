//! Precision, recall and F1 of `Extractor::extract` on the hand-labelled real and made-up ads.
//!
//! ```text
//! cargo run -p plainsight-text --example quality_real -- crates/plainsight-text/tests/fixtures/real-dev
//! cargo run -p plainsight-text --example quality_real -- crates/plainsight-text/tests/fixtures/real-dev --misses
//! cargo run -p plainsight-text --example quality_real -- crates/plainsight-text/tests/fixtures/real-dev --misses --split dev
//! cargo run -p plainsight-text --example quality_real -- crates/plainsight-text/tests/fixtures/real-dev --format json
//! ```
//!
//! Prints, per entity and per split (`dev`, `dev2`, `heldout`, `madeup`, `all`), TP/FP/FN, precision,
//! recall and F1; phones by region of the labelled number; stated ages under 18 found; the
//! share of ads given a place in a state or country the labels do not contain. `--misses`
//! lists every disagreement with the text around it; `--split NAME` limits that list to one
//! split. The held-out and made-up ads are evaluation data: do not read their misses while
//! changing the extractors (see the fixture's README); `dev` and `dev2` may be read.

#[path = "../tests/support/real_quality.rs"]
mod real_quality;

use std::path::PathBuf;
use std::process::ExitCode;

use plainsight_text::extract::{ExtractConfig, Extractor};
use real_quality::{Report, SPLITS};

const USAGE: &str = "usage: quality_real [FIXTURE_DIR] [--misses] [--split dev|dev2|heldout|madeup] [--format table|json]";

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut show_misses = false;
    let mut only_split: Option<String> = None;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--misses" => show_misses = true,
            "--split" => match args.next() {
                Some(s) if SPLITS[..SPLITS.len() - 1].contains(&s.as_str()) => only_split = Some(s),
                _ => return usage_error("--split needs dev, dev2, heldout or madeup"),
            },
            "--format" => match args.next().as_deref() {
                Some("json") => json = true,
                Some("table") => json = false,
                _ => return usage_error("--format needs table or json"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            a if a.starts_with('-') => return usage_error(&format!("unknown option {a}")),
            a => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-dev")
    });
    let records = match real_quality::load(&dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("quality_real: {e}");
            return ExitCode::FAILURE;
        }
    };
    let extractor = match Extractor::new(&ExtractConfig::default()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("quality_real: cannot build the extractor: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut report = real_quality::evaluate(&extractor, &records);
    if let Some(split) = &only_split {
        report.misses.retain(|m| &m.split == split);
    }
    if json {
        println!("{:#}", report.to_json(show_misses));
    } else {
        print_tables(&report);
        if show_misses {
            print_misses(&report);
        }
    }
    ExitCode::SUCCESS
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("quality_real: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn print_tables(report: &Report) {
    println!("| entity | split | ads | TP | FP | FN | precision | recall | F1 |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let first = report.split("all");
    for (i, (name, _)) in first.entities().iter().enumerate() {
        for split in SPLITS {
            let Some(s) = report.splits.get(split) else {
                continue;
            };
            let c = s.entities()[i].1;
            println!(
                "| {name} | {split} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} |",
                c.ads,
                c.tp,
                c.fp,
                c.fn_,
                c.precision(),
                c.recall(),
                c.f1()
            );
        }
    }

    println!(
        "\nStated ages under 18, found / labelled; ads given a place in a state or country the labels do not contain:\n"
    );
    println!("| split | under 18 found | wrong-state ads | of ads labelled for places | rate |");
    println!("|---|---:|---:|---:|---:|");
    for split in SPLITS {
        let Some(s) = report.splits.get(split) else {
            continue;
        };
        println!(
            "| {split} | {} / {} | {} | {} | {:.3} |",
            s.under18_found,
            s.under18_total,
            s.wrong_state_ads,
            s.place_ads,
            s.wrong_state_rate()
        );
    }

    println!(
        "\nPhones by region of the labelled number (found / labelled; extra = found but not labelled, by the found number's region):\n"
    );
    println!("| region | dev | dev2 | heldout | madeup | all | recall (all) | extra (all) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let all = report.split("all");
    let mut regions: Vec<_> = all.phone_regions.iter().collect();
    regions.sort_by(|a, b| b.1.labelled.cmp(&a.1.labelled).then(a.0.cmp(b.0)));
    for (region, total) in regions {
        let cell = |split: &str| match report
            .splits
            .get(split)
            .and_then(|s| s.phone_regions.get(region))
        {
            Some(c) if c.labelled > 0 => format!("{} / {}", c.found, c.labelled),
            _ => "-".to_string(),
        };
        let recall = if total.labelled == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", total.found as f64 / total.labelled as f64)
        };
        println!(
            "| {region} | {} | {} | {} | {} | {} | {recall} | {} |",
            cell("dev"),
            cell("dev2"),
            cell("heldout"),
            cell("madeup"),
            cell("all"),
            total.extra
        );
    }
}

fn print_misses(report: &Report) {
    for entity in real_quality::ENTITIES {
        let misses: Vec<_> = report
            .misses
            .iter()
            .filter(|m| m.entity == entity)
            .collect();
        println!("\n## {entity}: {} disagreements\n", misses.len());
        for m in misses {
            println!(
                "- [{}] {} {} `{}` — {}",
                m.split, m.id, m.kind, m.value, m.context
            );
        }
    }
}
