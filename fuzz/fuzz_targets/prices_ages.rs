//! Fuzz target `prices_ages`: the price and age finders never panic on any text, in any
//! field, with any country's money; every price and age they report is a slice of the field
//! (`raw == field[span]`), every amount is positive and finite, `per_hour` is finite where
//! present and only for units with a length, and every age is in the accepted range. The URL
//! age reader gets the same text as a URL.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use plainsight_core::{Field, Span};
use plainsight_text::ages::AgeFinder;
use plainsight_text::extract::FieldText;
use plainsight_text::normalize::normalize;
use plainsight_text::prices::{LocalMoney, PriceFinder, is_job_posting, per_hour};

/// Countries whose money the price finder reads differently (dollar, peso, pound, rupee ...).
const COUNTRIES: [Option<&str>; 6] = [None, Some("CA"), Some("GB"), Some("IN"), Some("MX"), Some("DE")];

/// Built once: compiling the age patterns for every input would dominate the run.
static AGES: LazyLock<AgeFinder> = LazyLock::new(|| AgeFinder::new().expect("age finder"));

fn check_slice(text: &str, span: Span, raw: &str, what: &str) {
    assert_eq!(
        text.get(span.start..span.end),
        Some(raw),
        "{what} span {span:?} / raw {raw:?} is not a slice of the field"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let norm = normalize(&text);
    let field = if selector & 1 == 0 { Field::Body } else { Field::Title };
    let ft = FieldText::new(&text, &norm, field);
    let money = LocalMoney::for_country(COUNTRIES[usize::from(selector >> 1) % COUNTRIES.len()]);
    for p in PriceFinder::new().expect("price finder").find_with(&ft, money) {
        check_slice(&text, p.span, &p.raw, "price");
        assert!(p.amount.is_finite() && p.amount > 0.0, "amount {}", p.amount);
        assert_eq!(p.currency.len(), 3, "currency {:?}", p.currency);
        assert_eq!(p.per_hour, per_hour(p.amount, &p.unit));
        if let Some(h) = p.per_hour {
            assert!(h.is_finite() && h > 0.0, "per_hour {h}");
        }
    }
    let ages = &*AGES;
    for a in ages.find(&ft) {
        check_slice(&text, a.span, &a.raw, "age");
        assert!((12..=70).contains(&a.age), "age {}", a.age);
    }
    for a in ages.find_in_url(&text) {
        check_slice(&text, a.span, &a.raw, "URL age");
        assert_eq!(a.field, Field::Url);
    }
    let _ = is_job_posting(&[&text], Some(&text));
});
