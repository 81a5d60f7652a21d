//! Fuzz target `extract`: `Extractor::extract` on arbitrary ads must never panic, and every
//! span it reports must be a slice of the field it names with `raw == field[span]`.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use plainsight_core::{Ad, Field, Span};
use plainsight_text::extract::{ExtractConfig, Extractor};

static EXTRACTOR: LazyLock<Extractor> =
    LazyLock::new(|| Extractor::new(&ExtractConfig::default()).expect("default extractor builds"));

fn check(ad: &Ad, field: Field, span: Span, raw: &str) {
    let texts: Vec<&str> = match field {
        Field::Title => ad.title.as_deref().into_iter().collect(),
        Field::Body => ad.body.as_deref().into_iter().collect(),
        Field::Url => ad.url.as_deref().into_iter().collect(),
        Field::Location => ad.location.as_deref().into_iter().collect(),
        Field::Phones => ad.phones.iter().map(String::as_str).collect(),
    };
    assert!(
        texts
            .iter()
            .any(|t| t.get(span.start..span.end) == Some(raw)),
        "span {span:?} / raw {raw:?} is not a slice of {field:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    // Split the input into up to five fields on 0xFF bytes (never valid inside UTF-8).
    let mut parts = data
        .split(|b| *b == 0xFF)
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let ad = Ad {
        id: "fuzz".into(),
        body: parts.next(),
        title: parts.next(),
        url: parts.next(),
        location: parts.next(),
        phones: parts.next().into_iter().collect(),
        ..Ad::default()
    };
    let x = EXTRACTOR.extract(&ad);
    for p in &x.phones {
        check(&ad, p.field, p.span, &p.raw);
    }
    for e in &x.emails {
        check(&ad, e.field, e.span, &e.raw);
    }
    for h in &x.handles {
        check(&ad, h.field, h.span, &h.raw);
    }
    for p in &x.payments {
        check(&ad, p.field, p.span, &p.raw);
    }
    for p in &x.prices {
        check(&ad, p.field, p.span, &p.raw);
    }
    for a in &x.ages {
        check(&ad, a.field, a.span, &a.raw);
    }
    for l in &x.locations {
        check(&ad, l.field, l.span, &l.raw);
    }
    for u in &x.urls {
        check(&ad, u.field, u.span, &u.raw);
    }
    for i in &x.indicators {
        check(&ad, i.field, i.span, &i.evidence);
    }
});
