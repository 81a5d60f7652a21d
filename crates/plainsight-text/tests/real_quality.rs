//! Quality floors of `Extractor::extract` on the hand-labelled real and made-up ads
//! (`tests/fixtures/real-dev/`), the sanity of the label file, and tests of the scorer itself.
//!
//! The floors sit a little under what the extractor scored when the set was made (see
//! `docs/quality.md`, "Real and hard ads, hand-labelled"): a drop below one is a regression to
//! investigate; raise a floor when the extractor improves. Failures print the figures only,
//! never the text of the ads: the held-out and made-up ads must stay unseen by whoever tunes
//! the extractors (`examples/quality_real.rs --misses` lists the disagreements on purpose).

#[allow(dead_code)]
#[path = "support/real_quality.rs"]
mod real_quality;

use std::path::PathBuf;
use std::sync::LazyLock;

use plainsight_core::{Field, Span};
use plainsight_text::extract::{ExtractConfig, Extractor};
use real_quality::{Counts, PlaceLabel, Predicted, PriceLabel, Record, Report, SplitReport};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-dev")
}

static RECORDS: LazyLock<Vec<Record>> =
    LazyLock::new(|| real_quality::load(&fixture()).expect("labels.jsonl loads"));

static REPORT: LazyLock<Report> = LazyLock::new(|| {
    let extractor = Extractor::new(&ExtractConfig::default()).expect("default extractor builds");
    real_quality::evaluate(&extractor, &RECORDS)
});

/// The figures of every split, for failure messages (numbers only, no ad text).
fn figures(report: &Report) -> String {
    let mut out = String::new();
    for split in real_quality::SPLITS {
        let s = report.split(split);
        for (name, c) in s.entities() {
            out.push_str(&format!(
                "{split:8} {name:34} TP {:4} FP {:4} FN {:4}  P {:.3} R {:.3} F1 {:.3}\n",
                c.tp,
                c.fp,
                c.fn_,
                c.precision(),
                c.recall(),
                c.f1()
            ));
        }
        out.push_str(&format!(
            "{split:8} under 18 found {} / {}; wrong-state ads {} / {} ({:.3})\n",
            s.under18_found,
            s.under18_total,
            s.wrong_state_ads,
            s.place_ads,
            s.wrong_state_rate()
        ));
    }
    out
}

fn assert_floor(name: &str, c: Counts, min_precision: f64, min_recall: f64) {
    assert!(
        c.precision() >= min_precision && c.recall() >= min_recall,
        "{name}: precision {:.3} (floor {min_precision}), recall {:.3} (floor {min_recall})\n{}",
        c.precision(),
        c.recall(),
        figures(&REPORT)
    );
}

fn all() -> &'static SplitReport {
    REPORT.split("all")
}

// ---------------------------------------------------------------------------------------------
// Floors on all 610 ads. Measured when the set was made (main at 1d8768d):
// phones 0.992 / 0.899, prices 0.599 / 0.526, price amounts 0.866 / 0.764,
// ages (any field) 0.966 / 0.463, places 0.867 / 0.691, under 18 7 of 17,
// wrong-state ads 0.076. After the price and age work (wt-prices, 2026-12-02): prices 0.917 /
// 0.852, price amounts 0.975 / 0.907, ages (any field) 1.000 / 0.970, ages (title and body)
// 1.000 / 0.962, under 18 15 of 17. After the families read in `dev2` (2026-12-04): phones
// 0.993 / 0.978, prices 0.958 / 0.910, price amounts 0.987 / 0.937, ages (any field) 1.000 /
// 0.986, places 0.897 / 0.804, wrong-state ads 0.025.

#[test]
fn real_phone_floor() {
    // Raised with the ad's region, national forms and the spelled-number grammar (issue 12,
    // 2 December): 0.985 / 0.978 on all 610 ads (F1 0.982).
    assert_floor("phones", all().phones, 0.98, 0.97);
}

#[test]
fn real_price_floor() {
    assert_floor("prices (amount, currency, unit)", all().prices, 0.94, 0.89);
    assert_floor("prices (amount only)", all().price_amounts, 0.97, 0.92);
}

#[test]
fn real_age_floor() {
    assert_floor("ages (any field)", all().ages, 0.98, 0.97);
    assert_floor("ages (title and body)", all().ages_text, 0.98, 0.94);
}

#[test]
fn real_under_18_floor() {
    let s = all();
    assert!(
        s.under18_found >= 14,
        "under 18 found {} of {}\n{}",
        s.under18_found,
        s.under18_total,
        figures(&REPORT)
    );
}

#[test]
fn real_place_floor() {
    assert_floor("places", all().places, 0.87, 0.78);
    let s = all();
    assert!(
        s.wrong_state_rate() <= 0.04,
        "wrong-state rate {:.3} (ceiling 0.04)\n{}",
        s.wrong_state_rate(),
        figures(&REPORT)
    );
}

// ---------------------------------------------------------------------------------------------
// The label file: the sizes the issue asks for, and well-formed labels.

fn total(entity: &str, keep: impl Fn(&Record) -> bool) -> usize {
    RECORDS
        .iter()
        .filter(|r| r.labelled.contains(entity) && keep(r))
        .map(|r| match entity {
            "phones" => r.phones.len(),
            "prices" => r.prices.len(),
            "ages" => r.ages.len(),
            _ => r.places.len(),
        })
        .sum()
}

#[test]
fn label_set_has_the_promised_size() {
    let count = |split: &str| RECORDS.iter().filter(|r| r.split == split).count();
    assert_eq!(count("dev"), 250, "lines 1-250 of ads-500.jsonl");
    assert_eq!(count("dev2"), 125, "lines 251-375 of ads-500.jsonl");
    assert_eq!(count("heldout"), 125, "lines 376-500 of ads-500.jsonl");
    assert!(count("madeup") >= 100);
    assert!(total("phones", |_| true) >= 300);
    assert!(total("prices", |_| true) >= 200);
    assert!(total("ages", |_| true) >= 200);
    assert!(total("places", |_| true) >= 200);
    let under18: usize = RECORDS
        .iter()
        .map(|r| r.ages.iter().filter(|a| a.0 < 18).count())
        .sum();
    assert!(under18 >= 15, "{under18} stated ages under 18");
    // Every real ad is labelled for phones and places.
    for r in RECORDS.iter().filter(|r| r.split != "madeup") {
        let missing_both = !r.labelled.contains("phones") && !r.labelled.contains("places");
        assert!(
            !missing_both,
            "{} labelled for neither phones nor places",
            r.ad.id
        );
    }
}

#[test]
fn labels_are_well_formed() {
    let mut ids = std::collections::BTreeSet::new();
    for r in RECORDS.iter() {
        assert!(ids.insert(r.ad.id.clone()), "duplicate id {}", r.ad.id);
        for p in &r.phones {
            let digits = &p[1..];
            assert!(
                p.starts_with('+')
                    && (8..=15).contains(&digits.len())
                    && digits.bytes().all(|b| b.is_ascii_digit()),
                "{}: phone label {p} is not E.164",
                r.ad.id
            );
            assert!(
                r.phone_regions.contains_key(p),
                "{}: no region for {p}",
                r.ad.id
            );
        }
        for p in &r.prices {
            let unit_ok = matches!(
                p.unit.as_str(),
                "qv" | "hh" | "hr" | "2hr" | "overnight" | "day" | "unspecified"
            ) || p
                .unit
                .strip_suffix("min")
                .is_some_and(|n| n.parse::<u32>().is_ok());
            assert!(unit_ok, "{}: unit {}", r.ad.id, p.unit);
            assert!(
                p.amount > 0.0 && p.currency.len() == 3,
                "{}: price {p:?}",
                r.ad.id
            );
        }
        for (age, fields) in &r.ages {
            assert!(
                (10..=80).contains(age) && !fields.is_empty(),
                "{}: age {age}",
                r.ad.id
            );
        }
        for p in &r.places {
            assert_eq!(p.country.len(), 2, "{}: place {p:?}", r.ad.id);
            // admin1 for US and Canadian places, except the countries themselves.
            let na = (p.country == "US" || p.country == "CA")
                && p.name != "United States"
                && p.name != "Canada";
            assert_eq!(
                na,
                !p.admin1.is_empty(),
                "{}: admin1 only for US and Canada: {p:?}",
                r.ad.id
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The scorer: predictions equal to the labels score perfectly, and each kind of error is
// counted where it belongs.

fn span() -> Span {
    Span { start: 0, end: 0 }
}

fn field_of(name: &str) -> Field {
    match name {
        "title" => Field::Title,
        "url" => Field::Url,
        "location" => Field::Location,
        _ => Field::Body,
    }
}

fn perfect(r: &Record) -> Predicted {
    Predicted {
        phones: r
            .phones
            .iter()
            .map(|p| (p.clone(), Field::Body, span()))
            .collect(),
        prices: r
            .prices
            .iter()
            .map(|p| (p.clone(), Field::Body, span()))
            .collect(),
        ages: r
            .ages
            .iter()
            .map(|(a, f)| (*a, field_of(&f[0]), span()))
            .collect(),
        places: r
            .places
            .iter()
            .map(|p| (p.clone(), Field::Body, span()))
            .collect(),
    }
}

#[test]
fn scorer_gives_labels_a_perfect_score() {
    let mut report = Report::default();
    for r in RECORDS.iter() {
        real_quality::score_record(r, &perfect(r), &mut report);
    }
    let s = report.split("all");
    for (name, c) in s.entities() {
        assert_eq!((c.fp, c.fn_), (0, 0), "{name}");
    }
    assert_eq!(s.under18_found, s.under18_total);
    assert_eq!(s.wrong_state_ads, 0);
    assert!(report.misses.is_empty());
    assert!(
        s.phone_regions
            .values()
            .all(|c| c.found == c.labelled && c.extra == 0)
    );
}

fn sample(split: &str) -> Record {
    let line = format!(
        r#"{{"id": "t1", "split": "{split}", "title": "Ana - 16", "body": "x",
            "labelled": ["phones", "prices", "ages", "places"],
            "labels": {{"phones": ["+19195550123", "+447543218907"],
                        "prices": [{{"amount": 80, "currency": "USD", "unit": "30min"}}],
                        "ages": [16],
                        "places": [{{"name": "Montréal", "admin1": "QC", "country": "CA"}}]}},
            "phone_regions": {{"+19195550123": "US", "+447543218907": "GB"}},
            "age_fields": {{"16": ["title"]}}}}"#
    );
    let dir = std::env::temp_dir().join(format!(
        "plainsight-real-quality-{}-{split}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("labels.jsonl"), line.replace('\n', " ") + "\n").unwrap();
    let mut records = real_quality::load(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    records.remove(0)
}

#[test]
fn scorer_counts_each_kind_of_error() {
    let r = sample("dev");
    let predicted = Predicted {
        // One of two phones found, plus a number nobody labelled.
        phones: vec![
            ("+19195550123".into(), Field::Body, span()),
            ("+12125550199".into(), Field::Body, span()),
        ],
        // "hh" is the same unit as the label's "30min"; the currency differs on the second.
        prices: vec![
            (
                PriceLabel {
                    amount: 80.0,
                    currency: "USD".into(),
                    unit: "hh".into(),
                },
                Field::Body,
                span(),
            ),
            (
                PriceLabel {
                    amount: 80.0,
                    currency: "CAD".into(),
                    unit: "hh".into(),
                },
                Field::Body,
                span(),
            ),
        ],
        ages: vec![],
        // Accents do not matter; a place in another province is a wrong-state place.
        places: vec![
            (
                PlaceLabel {
                    name: "Montreal".into(),
                    admin1: "QC".into(),
                    country: "CA".into(),
                },
                Field::Body,
                span(),
            ),
            (
                PlaceLabel {
                    name: "Toronto".into(),
                    admin1: "ON".into(),
                    country: "CA".into(),
                },
                Field::Body,
                span(),
            ),
        ],
    };
    let mut report = Report::default();
    real_quality::score_record(&r, &predicted, &mut report);
    let s = report.split("dev");
    assert_eq!((s.phones.tp, s.phones.fp, s.phones.fn_), (1, 1, 1));
    assert_eq!(s.phone_regions["GB"].labelled, 1);
    assert_eq!(s.phone_regions["GB"].found, 0);
    assert_eq!(
        s.phone_regions["US"].extra, 1,
        "the extra number is counted in its own region"
    );
    assert_eq!((s.prices.tp, s.prices.fp, s.prices.fn_), (1, 1, 0));
    assert_eq!(
        (s.price_amounts.tp, s.price_amounts.fp),
        (1, 0),
        "amount-only ignores currency"
    );
    assert_eq!((s.ages.tp, s.ages.fn_), (0, 1));
    assert_eq!((s.under18_total, s.under18_found), (1, 0));
    assert_eq!((s.places.tp, s.places.fp, s.places.fn_), (1, 1, 0));
    assert_eq!((s.place_ads, s.wrong_state_ads), (1, 1));
    // Every split is also counted in "all", never in another split.
    assert_eq!(report.split("all").phones, s.phones);
    assert!(!report.splits.contains_key("heldout"));
    let kinds: Vec<_> = report.misses.iter().map(|m| (m.entity, m.kind)).collect();
    assert!(kinds.contains(&("phones", "missed")) && kinds.contains(&("phones", "extra")));
    assert!(kinds.contains(&("ages", "missed")));
}

#[test]
fn unlabelled_entities_are_not_scored() {
    let mut r = sample("madeup");
    r.labelled.remove("prices");
    let predicted = Predicted {
        prices: vec![(
            PriceLabel {
                amount: 999.0,
                currency: "USD".into(),
                unit: "hr".into(),
            },
            Field::Body,
            span(),
        )],
        ..perfect(&r)
    };
    let mut report = Report::default();
    real_quality::score_record(&r, &predicted, &mut report);
    let s = report.split("madeup");
    assert_eq!(
        s.prices,
        Counts::default(),
        "a price on an ad not labelled for prices is not a false positive"
    );
    assert_eq!((s.phones.fp, s.phones.fn_), (0, 0));
}
