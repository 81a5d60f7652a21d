//! Made-up adversarial phone lines (`tests/fixtures/phones-adversarial/lines.jsonl`), one ad
//! each, run through `Extractor::extract` so the ad's region comes from its own location
//! field, URL and text as in production. Each line lists every number it holds (E.164) and
//! its family (compounds, scale words, `oh`, double/triple, homophones, digits and words glued,
//! separators, contact words glued between groups, groupings, line breaks, country codes,
//! national forms by region, leet, and prose that holds no number).
//!
//! A line is right when the set of numbers found equals the expected set. The floor sits at
//! the figure reached when the set was written (see `docs/quality.md`); every prose line must
//! stay empty.

use std::collections::BTreeSet;
use std::path::PathBuf;

use plainsight_core::Ad;
use plainsight_text::extract::{ExtractConfig, Extractor};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Line {
    family: String,
    body: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    location: Option<String>,
    phones: Vec<String>,
}

fn lines() -> Vec<Line> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/phones-adversarial/lines.jsonl");
    let text = std::fs::read_to_string(&path).expect("fixture reads");
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// (line number, family, expected, found) of every line.
fn results() -> Vec<(usize, String, BTreeSet<String>, BTreeSet<String>)> {
    let extractor = Extractor::new(&ExtractConfig::default()).expect("extractor builds");
    lines()
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let ad = Ad {
                id: format!("adv-{}", i + 1),
                url: line.url.clone(),
                body: Some(line.body.clone()),
                location: line.location.clone(),
                ..Ad::default()
            };
            let found: BTreeSet<String> = extractor
                .extract(&ad)
                .phones
                .into_iter()
                .map(|p| p.e164)
                .collect();
            let expected: BTreeSet<String> = line.phones.iter().cloned().collect();
            (i + 1, line.family, expected, found)
        })
        .collect()
}

#[test]
fn the_set_is_big_enough_and_well_formed() {
    let lines = lines();
    let obfuscated = lines.iter().filter(|l| !l.phones.is_empty()).count();
    assert!(obfuscated >= 50, "{obfuscated} lines with numbers");
    let families: BTreeSet<&str> = lines.iter().map(|l| l.family.as_str()).collect();
    assert!(families.len() >= 12, "{families:?}");
    for l in &lines {
        for p in &l.phones {
            assert!(
                p.starts_with('+') && p[1..].bytes().all(|b| b.is_ascii_digit()),
                "{p}"
            );
        }
    }
}

#[test]
fn adversarial_lines_are_read() {
    let results = results();
    let wrong: Vec<String> = results
        .iter()
        .filter(|(_, _, expected, found)| expected != found)
        .map(|(n, family, expected, found)| {
            format!("line {n} ({family}): expected {expected:?}, found {found:?}")
        })
        .collect();
    let right = results.len() - wrong.len();
    println!("{right} of {} lines right", results.len());
    // Prose must never give a number.
    for (n, family, _, found) in &results {
        if family == "prose" {
            assert!(found.is_empty(), "line {n}: prose read as {found:?}");
        }
    }
    assert!(
        right + 2 >= results.len(),
        "{right} of {} right:\n{}",
        results.len(),
        wrong.join("\n")
    );
}
