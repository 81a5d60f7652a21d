//! Made-up hard cases for the place finder (`tests/fixtures/places-hard/cases.jsonl`, written
//! for this project): neighbourhoods and landmarks of the city named, namesakes in other
//! states, persona names and common words, the phones' area codes and country codes as
//! evidence, and ads from several countries. Each line gives an ad and the exact list of
//! places the whole extractor must emit for it (`name|admin1|country`, in any order).

use std::collections::BTreeMap;
use std::path::PathBuf;

use plainsight_core::Ad;
use plainsight_text::extract::{ExtractConfig, Extractor};

#[test]
fn hard_place_cases() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/places-hard/cases.jsonl");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let extractor = Extractor::new(&ExtractConfig::default()).expect("extractor");
    let mut failures = Vec::new();
    let mut cases = 0;
    for (line_no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        cases += 1;
        let case: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), line_no + 1));
        let mut ad_json = case["ad"].clone();
        ad_json["id"] = serde_json::Value::from(format!("case-{}", line_no + 1));
        let ad = Ad::from_json(ad_json).expect("ad");
        let expected = counts(
            case["places"]
                .as_array()
                .expect("places")
                .iter()
                .map(|p| p.as_str().expect("place").to_string()),
        );
        let extraction = extractor.extract(&ad);
        let found = counts(
            extraction
                .locations
                .iter()
                .map(|l| format!("{}|{}|{}", l.name, l.admin1, l.country)),
        );
        if found != expected {
            failures.push(format!(
                "line {} ({}): expected {:?}, found {:?}",
                line_no + 1,
                case["case"].as_str().unwrap_or(""),
                expected,
                extraction
                    .locations
                    .iter()
                    .map(|l| format!(
                        "{}|{}|{} <- {:?} in {:?}",
                        l.name, l.admin1, l.country, l.raw, l.field
                    ))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(cases >= 60, "{cases} cases");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn counts(items: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for i in items {
        *out.entry(i).or_insert(0) += 1;
    }
    out
}
