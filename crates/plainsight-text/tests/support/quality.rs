//! Scoring of the extractors against the bundled dev fixtures (`tests/fixtures/ads-dev/`),
//! shared by `examples/quality.rs` (prints the table) and `tests/extraction.rs` (asserts floors).
//!
//! Per ad, the predicted and expected values are compared as sets; true positives, false
//! positives and false negatives are summed over all ads (micro-averaged precision / recall).

use std::collections::BTreeSet;
use std::path::Path;

use plainsight_core::Ad;
use plainsight_text::extract::Extractor;
use regex::Regex;
use serde_json::Value;

/// Counts for one entity type.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub entity: &'static str,
    pub fixture: &'static str,
    pub ads: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// One line per disagreement: what was expected, what was found.
    pub misses: Vec<String>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn add(&mut self, text: &str, expected: &BTreeSet<String>, predicted: &BTreeSet<String>) {
        self.ads += 1;
        let tp = expected.intersection(predicted).count();
        self.true_positives += tp;
        self.false_positives += predicted.len() - tp;
        self.false_negatives += expected.len() - tp;
        if expected != predicted {
            let snippet: String = text.chars().take(90).collect();
            self.misses.push(format!(
                "expected {expected:?} found {predicted:?} in {snippet:?}"
            ));
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn read_jsonl(dir: &Path, name: &str) -> Vec<Value> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: bad JSON line: {e}")))
        .collect()
}

fn ad_with_body(id: usize, body: &str) -> Ad {
    Ad {
        id: id.to_string(),
        body: Some(body.to_string()),
        ..Ad::default()
    }
}

/// The raw/normalised line pairs of the DIG deobfuscation set.
fn deobfuscation_pairs(dir: &Path) -> Vec<(String, String)> {
    let raw =
        std::fs::read_to_string(dir.join("deobfuscation-raw.txt")).expect("deobfuscation-raw.txt");
    let norm = std::fs::read_to_string(dir.join("deobfuscation-normalised.txt"))
        .expect("deobfuscation-normalised.txt");
    raw.lines()
        .zip(norm.lines())
        .map(|(r, n)| (r.to_string(), n.to_string()))
        .collect()
}

/// Phones: expected numbers are read from the human-normalised line with a plain regex
/// (independent of the phone finder); the finder runs on the raw, obfuscated line.
pub fn score_phones(extractor: &Extractor, dir: &Path) -> Score {
    let plain =
        Regex::new(r"(?:\+?1[ .-]?)?\(?\b([2-9]\d{2})\)?[ .-]?(\d{3})[ .-]?(\d{4})\b").unwrap();
    let mut score = Score {
        entity: "phones",
        fixture: "deobfuscation raw/normalised pairs",
        ..Score::default()
    };
    for (i, (raw, normalised)) in deobfuscation_pairs(dir).iter().enumerate() {
        let expected: BTreeSet<String> = plain
            .captures_iter(normalised)
            .map(|c| format!("+1{}{}{}", &c[1], &c[2], &c[3]))
            .collect();
        let predicted: BTreeSet<String> = extractor
            .extract(&ad_with_body(i, raw))
            .phones
            .into_iter()
            .map(|p| p.e164)
            .collect();
        score.add(raw, &expected, &predicted);
    }
    score
}

/// Emails: the etk email set plus addresses written plainly in the normalised deobfuscation
/// lines (the finder runs on the raw lines).
pub fn score_emails(extractor: &Extractor, dir: &Path) -> Score {
    let plain = Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").unwrap();
    let mut score = Score {
        entity: "emails",
        fixture: "etk-email.jsonl + deobfuscation pairs",
        ..Score::default()
    };
    let mut cases: Vec<(String, BTreeSet<String>)> = Vec::new();
    for row in read_jsonl(dir, "etk-email.jsonl") {
        let text = row["text"].as_str().unwrap_or_default().to_string();
        let expected = row["correct"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        cases.push((text, expected));
    }
    for (raw, normalised) in deobfuscation_pairs(dir) {
        let expected = plain
            .find_iter(&normalised)
            .map(|m| m.as_str().to_lowercase())
            .collect();
        cases.push((raw, expected));
    }
    for (i, (text, expected)) in cases.iter().enumerate() {
        let predicted = extractor
            .extract(&ad_with_body(i, text))
            .emails
            .into_iter()
            .map(|e| e.email)
            .collect();
        score.add(text, expected, &predicted);
    }
    score
}

/// The platforms the etk social-media fixture annotates; handles on other platforms
/// (Kik, OnlyFans ...) are not scored because the fixture does not label them.
pub const SCORED_PLATFORMS: &[&str] = &["twitter", "instagram", "snapchat", "wechat"];

/// Social handles: etk-social_media.jsonl, compared as `platform:handle` (case-insensitive).
pub fn score_handles(extractor: &Extractor, dir: &Path) -> Score {
    let mut score = Score {
        entity: "social handles",
        fixture: "etk-social_media.jsonl (twitter, instagram, snapchat, wechat)",
        ..Score::default()
    };
    for (i, row) in read_jsonl(dir, "etk-social_media.jsonl").iter().enumerate() {
        let text = row["text"].as_str().unwrap_or_default();
        let mut expected = BTreeSet::new();
        if let Some(obj) = row["correct"].as_object() {
            for (platform, handles) in obj {
                for h in handles
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str())
                {
                    expected.insert(format!("{platform}:{}", h.to_lowercase()));
                }
            }
        }
        let predicted = extractor
            .extract(&ad_with_body(i, text))
            .handles
            .into_iter()
            .filter(|h| SCORED_PLATFORMS.contains(&h.platform.as_str()))
            .map(|h| format!("{}:{}", h.platform, h.handle.to_lowercase()))
            .collect();
        score.add(text, &expected, &predicted);
    }
    score
}

/// Ages: etk-age.jsonl, compared as sets of numbers per ad.
pub fn score_ages(extractor: &Extractor, dir: &Path) -> Score {
    let mut score = Score {
        entity: "ages",
        fixture: "etk-age.jsonl",
        ..Score::default()
    };
    for (i, row) in read_jsonl(dir, "etk-age.jsonl").iter().enumerate() {
        let text = row["text"].as_str().unwrap_or_default();
        let expected = row["correct"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .or_else(|| v.as_u64().map(|n| n.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let predicted = extractor
            .extract(&ad_with_body(i, text))
            .ages
            .into_iter()
            .map(|a| a.age.to_string())
            .collect();
        score.add(text, &expected, &predicted);
    }
    score
}

/// Every scored entity type, in report order.
pub fn score_all(extractor: &Extractor, dir: &Path) -> Vec<Score> {
    vec![
        score_phones(extractor, dir),
        score_emails(extractor, dir),
        score_handles(extractor, dir),
        score_ages(extractor, dir),
    ]
}

/// Why addresses are not scored against places (printed with the table).
pub const ADDRESS_NOT_MEASURED: &str = "addresses -> places: NOT MEASURED. etk-address.jsonl labels \
street addresses (\"2437 Alvin Avenue\"), and its `correct` field is empty on all 43 lines; the \
place extractor resolves cities/states/counties to GeoNames ids, which that fixture does not label.";
