//! Scoring of `Extractor::extract` against the hand-labelled real and made-up ads of
//! `tests/fixtures/real-dev/labels.jsonl`, shared by `examples/quality_real.rs` (tables,
//! the list of misses, JSON) and `tests/real_quality.rs` (floors in `cargo test`).
//!
//! Every entity is compared **as a set per ad** and the counts are summed over the ads
//! (micro-averaged precision and recall), per split (`dev`, `dev2`, `heldout`, `madeup`) and over all
//! of them. An entity an ad does not list in `labelled` is not scored on that ad at all (the
//! labeller could not decide), which is different from an empty label (nothing there: every
//! prediction is a false positive). The labelling rules are in the fixture's `README.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use plainsight_core::{Ad, Extraction, Field, Span};
use plainsight_text::extract::Extractor;
use serde_json::{Map, Value, json};
use unicode_normalization::UnicodeNormalization;

/// The splits of the label file, in report order, then their union.
pub const SPLITS: [&str; 5] = ["dev", "dev2", "heldout", "madeup", "all"];

/// The entities a record can be labelled for.
pub const ENTITIES: [&str; 4] = ["phones", "prices", "ages", "places"];

/// True positives, false positives and false negatives of one entity over a set of ads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub ads: usize,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, expected: &BTreeSet<String>, predicted: &BTreeSet<String>) {
        self.ads += 1;
        let tp = expected.intersection(predicted).count();
        self.tp += tp;
        self.fp += predicted.len() - tp;
        self.fn_ += expected.len() - tp;
    }
    fn to_json(self) -> Value {
        json!({"ads": self.ads, "tp": self.tp, "fp": self.fp, "fn": self.fn_,
               "precision": round3(self.precision()), "recall": round3(self.recall()),
               "f1": round3(self.f1())})
    }
}

/// An empty denominator scores 1.0: nothing was expected and nothing was wrongly found.
fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Phones of one region (of the labelled number; extra numbers by their own region).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegionCounts {
    pub labelled: usize,
    pub found: usize,
    /// Numbers of this region found where no label has them (false positives).
    pub extra: usize,
}

/// All figures of one split.
#[derive(Debug, Clone, Default)]
pub struct SplitReport {
    pub ads: usize,
    pub phones: Counts,
    /// Prices as (amount, currency, unit).
    pub prices: Counts,
    /// Prices as amounts only: were the right numbers taken as prices?
    pub price_amounts: Counts,
    /// Ages in any field (title, body, URL).
    pub ages: Counts,
    /// Ages stated in the title or body only, on both sides.
    pub ages_text: Counts,
    pub places: Counts,
    pub phone_regions: BTreeMap<String, RegionCounts>,
    pub under18_total: usize,
    pub under18_found: usize,
    /// Ads labelled for places.
    pub place_ads: usize,
    /// Of those, ads given a place in a state (US, Canada) or country the labels do not contain.
    pub wrong_state_ads: usize,
}

impl SplitReport {
    pub fn wrong_state_rate(&self) -> f64 {
        if self.place_ads == 0 {
            0.0
        } else {
            self.wrong_state_ads as f64 / self.place_ads as f64
        }
    }

    /// The scored entities with their table names, in report order.
    pub fn entities(&self) -> [(&'static str, Counts); 6] {
        [
            ("phones", self.phones),
            ("prices (amount, currency, unit)", self.prices),
            ("prices (amount only)", self.price_amounts),
            ("ages (any field)", self.ages),
            ("ages (title and body)", self.ages_text),
            ("places", self.places),
        ]
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("ads".into(), json!(self.ads));
        for (name, c) in self.entities() {
            m.insert(name.into(), c.to_json());
        }
        let regions: Map<String, Value> = self
            .phone_regions
            .iter()
            .map(|(r, c)| {
                (
                    r.clone(),
                    json!({"labelled": c.labelled, "found": c.found, "extra": c.extra}),
                )
            })
            .collect();
        m.insert("phones by region".into(), Value::Object(regions));
        m.insert(
            "under 18".into(),
            json!({"labelled": self.under18_total, "found": self.under18_found}),
        );
        m.insert(
            "wrong state".into(),
            json!({"ads": self.place_ads, "wrong": self.wrong_state_ads,
                   "rate": round3(self.wrong_state_rate())}),
        );
        Value::Object(m)
    }
}

/// One disagreement between the labels and the extraction.
#[derive(Debug, Clone)]
pub struct Miss {
    pub id: String,
    pub split: String,
    pub entity: &'static str,
    /// `missed` (labelled, not found) or `extra` (found, not labelled).
    pub kind: &'static str,
    pub value: String,
    /// The text around it (for a missed value, around its first appearance when it can be
    /// found, else the start of the title).
    pub context: String,
}

/// The whole evaluation.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub splits: BTreeMap<String, SplitReport>,
    pub misses: Vec<Miss>,
}

impl Report {
    pub fn split(&self, name: &str) -> &SplitReport {
        self.splits
            .get(name)
            .unwrap_or_else(|| panic!("no split {name}"))
    }

    pub fn to_json(&self, with_misses: bool) -> Value {
        let splits: Map<String, Value> = self
            .splits
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        let mut out = json!({"splits": splits});
        if with_misses {
            out["misses"] = Value::Array(
                self.misses
                    .iter()
                    .map(|m| {
                        json!({"id": m.id, "split": m.split, "entity": m.entity,
                               "kind": m.kind, "value": m.value, "context": m.context})
                    })
                    .collect(),
            );
        }
        out
    }
}

/// A labelled price.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceLabel {
    pub amount: f64,
    pub currency: String,
    pub unit: String,
}

/// A labelled place: `admin1` is empty outside the US and Canada.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceLabel {
    pub name: String,
    pub admin1: String,
    pub country: String,
}

/// One line of `labels.jsonl`.
#[derive(Debug, Clone)]
pub struct Record {
    pub split: String,
    pub ad: Ad,
    pub labelled: BTreeSet<String>,
    pub phones: Vec<String>,
    pub phone_regions: BTreeMap<String, String>,
    pub prices: Vec<PriceLabel>,
    /// Each age with the fields it is stated in.
    pub ages: Vec<(u32, Vec<String>)>,
    pub places: Vec<PlaceLabel>,
}

/// What the extractor found, reduced to what is scored (so the scorer does not depend on
/// every field of the extraction types).
#[derive(Debug, Clone, Default)]
pub struct Predicted {
    pub phones: Vec<(String, Field, Span)>,
    pub prices: Vec<(PriceLabel, Field, Span)>,
    pub ages: Vec<(u32, Field, Span)>,
    pub places: Vec<(PlaceLabel, Field, Span)>,
}

impl Predicted {
    pub fn of(ex: &Extraction) -> Predicted {
        Predicted {
            phones: ex
                .phones
                .iter()
                .map(|p| (p.e164.clone(), p.field, p.span))
                .collect(),
            prices: ex
                .prices
                .iter()
                .map(|p| {
                    let label = PriceLabel {
                        amount: p.amount,
                        currency: p.currency.clone(),
                        unit: p.unit.clone(),
                    };
                    (label, p.field, p.span)
                })
                .collect(),
            ages: ex
                .ages
                .iter()
                .map(|a| (u32::from(a.age), a.field, a.span))
                .collect(),
            places: ex
                .locations
                .iter()
                .map(|l| {
                    let label = PlaceLabel {
                        name: l.name.clone(),
                        admin1: l.admin1.clone(),
                        country: l.country.clone(),
                    };
                    (label, l.field, l.span)
                })
                .collect(),
        }
    }
}

/// Read `labels.jsonl` from the fixture folder. An unreadable line is an error naming the
/// line: the label file is ours, so it must be whole.
pub fn load(dir: &Path) -> Result<Vec<Record>, String> {
    let path = dir.join("labels.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            parse_record(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

fn parse_record(line: &str) -> Result<Record, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let split = str_field(&v, "split")?;
    if !SPLITS[..SPLITS.len() - 1].contains(&split.as_str()) {
        return Err(format!("unknown split {split:?}"));
    }
    // Only the ad fields go to `Ad::from_json`: the label fields must not reach the extractor
    // (an extractor that read structured fields would otherwise see the answers).
    let mut ad = Map::new();
    for key in ["id", "url", "site", "title", "body", "location"] {
        if let Some(x) = v.get(key).filter(|x| !x.is_null()) {
            ad.insert(key.into(), x.clone());
        }
    }
    let ad = Ad::from_json(Value::Object(ad)).map_err(|e| e.to_string())?;
    let labelled: BTreeSet<String> = v["labelled"]
        .as_array()
        .ok_or("no labelled list")?
        .iter()
        .map(|x| {
            x.as_str()
                .map(str::to_string)
                .ok_or("labelled: not a string")
        })
        .collect::<Result<_, _>>()?;
    if let Some(bad) = labelled.iter().find(|e| !ENTITIES.contains(&e.as_str())) {
        return Err(format!("unknown entity {bad:?}"));
    }
    let labels = &v["labels"];
    let phones = labels["phones"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let phone_regions = v["phone_regions"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, r)| Some((k.clone(), r.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let mut prices = Vec::new();
    for p in labels["prices"].as_array().into_iter().flatten() {
        prices.push(PriceLabel {
            amount: p["amount"].as_f64().ok_or("price without amount")?,
            currency: str_field(p, "currency")?,
            unit: str_field(p, "unit")?,
        });
    }
    let mut ages = Vec::new();
    for a in labels["ages"].as_array().into_iter().flatten() {
        let age = a.as_u64().ok_or("age is not a number")? as u32;
        let fields = v["age_fields"][age.to_string()]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        ages.push((age, fields));
    }
    let mut places = Vec::new();
    for p in labels["places"].as_array().into_iter().flatten() {
        places.push(PlaceLabel {
            name: str_field(p, "name")?,
            admin1: p["admin1"].as_str().unwrap_or("").to_string(),
            country: str_field(p, "country")?,
        });
    }
    for e in &labelled {
        if labels.get(e.as_str()).is_none() {
            return Err(format!("{e} is labelled but has no label list"));
        }
    }
    Ok(Record {
        split,
        ad,
        labelled,
        phones,
        phone_regions,
        prices,
        ages,
        places,
    })
}

fn str_field(v: &Value, key: &str) -> Result<String, String> {
    v[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no {key}"))
}

/// Run the extractor over every record and score it.
pub fn evaluate(extractor: &Extractor, records: &[Record]) -> Report {
    let mut report = Report::default();
    for r in records {
        let predicted = Predicted::of(&extractor.extract(&r.ad));
        score_record(r, &predicted, &mut report);
    }
    report
}

/// `"30min"` is the half hour (`hh`), `"60min"` the hour and `"120min"` two hours: the unit
/// vocabulary allows both spellings, so both sides are compared in the named form.
pub fn unit_key(unit: &str) -> &str {
    match unit {
        "30min" => "hh",
        "60min" => "hr",
        "120min" => "2hr",
        u => u,
    }
}

fn amount_key(amount: f64) -> String {
    if amount.fract() == 0.0 {
        format!("{}", amount as i64)
    } else {
        format!("{amount:.2}")
    }
}

fn price_key(p: &PriceLabel) -> String {
    format!(
        "{} {} {}",
        amount_key(p.amount),
        p.currency,
        unit_key(&p.unit)
    )
}

/// Lower case without diacritics: "Montréal" and "Montreal" are one place.
pub fn fold(s: &str) -> String {
    s.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

fn north_american(country: &str) -> bool {
    country == "US" || country == "CA"
}

/// US and Canadian places compare as (name, admin1, country); elsewhere as (name, country).
pub fn place_key(p: &PlaceLabel) -> String {
    if north_american(&p.country) {
        format!("{}|{}|{}", fold(&p.name), p.admin1, p.country)
    } else {
        format!("{}||{}", fold(&p.name), p.country)
    }
}

fn text_field(field: Field) -> bool {
    matches!(field, Field::Title | Field::Body)
}

/// Score one record's predictions into the report (its split and `all`).
pub fn score_record(r: &Record, pred: &Predicted, report: &mut Report) {
    let mut misses = Vec::new();
    let mut parts = SplitReport {
        ads: 1,
        ..SplitReport::default()
    };

    if r.labelled.contains("phones") {
        let expected: BTreeSet<String> = r.phones.iter().cloned().collect();
        let predicted: BTreeSet<String> = pred.phones.iter().map(|p| p.0.clone()).collect();
        parts.phones.add(&expected, &predicted);
        for e in &expected {
            let region = r
                .phone_regions
                .get(e)
                .cloned()
                .unwrap_or_else(|| region_of(e));
            let c = parts.phone_regions.entry(region).or_default();
            c.labelled += 1;
            if predicted.contains(e) {
                c.found += 1;
            } else {
                let tail = e.get(e.len().saturating_sub(4)..).unwrap_or("");
                misses.push(missed(r, "phones", e.clone(), tail));
            }
        }
        let mut seen = BTreeSet::new();
        for (p, field, span) in &pred.phones {
            if !expected.contains(p) && seen.insert(p.clone()) {
                parts.phone_regions.entry(region_of(p)).or_default().extra += 1;
                misses.push(extra(r, "phones", p.clone(), *field, *span));
            }
        }
    }

    if r.labelled.contains("prices") {
        let expected: BTreeSet<String> = r.prices.iter().map(price_key).collect();
        let predicted: BTreeSet<String> = pred.prices.iter().map(|p| price_key(&p.0)).collect();
        parts.prices.add(&expected, &predicted);
        let amounts = |keys: &BTreeSet<String>| -> BTreeSet<String> {
            keys.iter()
                .filter_map(|k| k.split(' ').next().map(str::to_string))
                .collect()
        };
        parts
            .price_amounts
            .add(&amounts(&expected), &amounts(&predicted));
        for e in expected.difference(&predicted) {
            let amount = e.split(' ').next().unwrap_or("");
            misses.push(missed(r, "prices", e.clone(), amount));
        }
        let mut seen = BTreeSet::new();
        for (p, field, span) in &pred.prices {
            let k = price_key(p);
            if !expected.contains(&k) && seen.insert(k.clone()) {
                misses.push(extra(r, "prices", k, *field, *span));
            }
        }
    }

    if r.labelled.contains("ages") {
        let key = |a: u32| a.to_string();
        let expected: BTreeSet<String> = r.ages.iter().map(|a| key(a.0)).collect();
        let predicted: BTreeSet<String> = pred.ages.iter().map(|a| key(a.0)).collect();
        parts.ages.add(&expected, &predicted);
        let expected_text: BTreeSet<String> = r
            .ages
            .iter()
            .filter(|a| a.1.iter().any(|f| f == "title" || f == "body"))
            .map(|a| key(a.0))
            .collect();
        let predicted_text: BTreeSet<String> = pred
            .ages
            .iter()
            .filter(|a| text_field(a.1))
            .map(|a| key(a.0))
            .collect();
        parts.ages_text.add(&expected_text, &predicted_text);
        for (age, fields) in &r.ages {
            if *age < 18 {
                parts.under18_total += 1;
                if predicted.contains(&key(*age)) {
                    parts.under18_found += 1;
                }
            }
            if !predicted.contains(&key(*age)) {
                let value = format!("{age} ({})", fields.join(","));
                misses.push(missed(r, "ages", value, &age.to_string()));
            }
        }
        let mut seen = BTreeSet::new();
        for (age, field, span) in &pred.ages {
            if !expected.contains(&key(*age)) && seen.insert(*age) {
                misses.push(extra(r, "ages", age.to_string(), *field, *span));
            }
        }
    }

    if r.labelled.contains("places") {
        let expected: BTreeSet<String> = r.places.iter().map(place_key).collect();
        let predicted: BTreeSet<String> = pred.places.iter().map(|p| place_key(&p.0)).collect();
        parts.places.add(&expected, &predicted);
        parts.place_ads = 1;
        let areas: BTreeSet<(String, String)> = r
            .places
            .iter()
            .map(|p| (p.country.clone(), p.admin1.clone()))
            .collect();
        let consistent = |p: &PlaceLabel| {
            if north_american(&p.country) {
                areas.contains(&(p.country.clone(), p.admin1.clone()))
                    || areas.contains(&(p.country.clone(), String::new()))
            } else {
                areas.iter().any(|(c, _)| *c == p.country)
            }
        };
        if pred.places.iter().any(|p| !consistent(&p.0)) {
            parts.wrong_state_ads = 1;
        }
        for p in &r.places {
            if !predicted.contains(&place_key(p)) {
                misses.push(missed(r, "places", show_place(p), &p.name));
            }
        }
        let mut seen = BTreeSet::new();
        for (p, field, span) in &pred.places {
            let k = place_key(p);
            if !expected.contains(&k) && seen.insert(k) {
                let mut value = show_place(p);
                if !consistent(p) {
                    value.push_str(" [wrong state]");
                }
                misses.push(extra(r, "places", value, *field, *span));
            }
        }
    }

    for split in [r.split.as_str(), "all"] {
        merge(report.splits.entry(split.to_string()).or_default(), &parts);
    }
    report.misses.extend(misses);
}

fn merge(into: &mut SplitReport, part: &SplitReport) {
    into.ads += part.ads;
    for (a, b) in [
        (&mut into.phones, part.phones),
        (&mut into.prices, part.prices),
        (&mut into.price_amounts, part.price_amounts),
        (&mut into.ages, part.ages),
        (&mut into.ages_text, part.ages_text),
        (&mut into.places, part.places),
    ] {
        a.ads += b.ads;
        a.tp += b.tp;
        a.fp += b.fp;
        a.fn_ += b.fn_;
    }
    for (region, c) in &part.phone_regions {
        let e = into.phone_regions.entry(region.clone()).or_default();
        e.labelled += c.labelled;
        e.found += c.found;
        e.extra += c.extra;
    }
    into.under18_total += part.under18_total;
    into.under18_found += part.under18_found;
    into.place_ads += part.place_ads;
    into.wrong_state_ads += part.wrong_state_ads;
}

fn show_place(p: &PlaceLabel) -> String {
    if p.admin1.is_empty() {
        format!("{}, {}", p.name, p.country)
    } else {
        format!("{}, {}, {}", p.name, p.admin1, p.country)
    }
}

/// The region of an E.164 number by its calling code, for numbers no label carries a
/// region for (false positives). North American numbers are split into the US and Canada by
/// `phonenumber`'s metadata.
fn region_of(e164: &str) -> String {
    let parsed = std::panic::catch_unwind(|| phonenumber::parse(None, e164).ok());
    match parsed {
        Ok(Some(n)) => n
            .country()
            .id()
            .map(|id| format!("{id:?}"))
            .unwrap_or_else(|| "??".into()),
        _ => "??".into(),
    }
}

fn field_text(ad: &Ad, field: Field) -> &str {
    let text = match field {
        Field::Title => ad.title.as_deref(),
        Field::Body => ad.body.as_deref(),
        Field::Url => ad.url.as_deref(),
        Field::Location => ad.location.as_deref(),
        Field::Phones => None,
    };
    text.unwrap_or("")
}

/// Up to 40 characters either side of `start..end` of `text`, on one line.
fn around(text: &str, start: usize, end: usize) -> String {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let mut from = start;
    for _ in 0..40 {
        match text[..from].char_indices().next_back() {
            Some((i, _)) => from = i,
            None => break,
        }
    }
    let mut to = end;
    for c in text[end..].chars().take(40) {
        to += c.len_utf8();
    }
    text[from..to]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn extra(r: &Record, entity: &'static str, value: String, field: Field, span: Span) -> Miss {
    let text = field_text(&r.ad, field);
    let context = format!("{}: {}", field.as_str(), around(text, span.start, span.end));
    Miss {
        id: r.ad.id.clone(),
        split: r.split.clone(),
        entity,
        kind: "extra",
        value,
        context,
    }
}

/// A missed label, shown around the first place its `needle` appears (title, body, URL).
fn missed(r: &Record, entity: &'static str, value: String, needle: &str) -> Miss {
    let mut context = None;
    if !needle.is_empty() {
        let needle_folded = needle.to_lowercase();
        for field in [Field::Title, Field::Body, Field::Url, Field::Location] {
            let text = field_text(&r.ad, field);
            if let Some(at) = text.to_lowercase().find(&needle_folded) {
                // Lower-casing can move byte offsets for a few scripts; only use it if it
                // still lands on a boundary of the original text.
                if text.is_char_boundary(at)
                    && text.is_char_boundary((at + needle.len()).min(text.len()))
                {
                    let end = (at + needle.len()).min(text.len());
                    context = Some(format!("{}: {}", field.as_str(), around(text, at, end)));
                    break;
                }
            }
        }
    }
    let context = context.unwrap_or_else(|| {
        let title = field_text(&r.ad, Field::Title);
        format!("title: {}", around(title, 0, 0))
    });
    Miss {
        id: r.ad.id.clone(),
        split: r.split.clone(),
        entity,
        kind: "missed",
        value,
        context,
    }
}
