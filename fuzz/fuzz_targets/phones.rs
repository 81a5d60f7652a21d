//! Fuzz target `phones`: the phone finder (and its `phonenumber` wrapper, `parse_e164`), the
//! spelled-number grammar and the ad-region inference never panic on any text, and every
//! phone reported points at its raw text in the original and names its region.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plainsight_core::Field;
use plainsight_text::normalize::normalize;
use plainsight_text::phones::{PhoneConfig, PhoneFinder};
use plainsight_text::region::{RegionEvidence, infer_region};

fn finders() -> &'static [PhoneFinder] {
    static FINDERS: OnceLock<Vec<PhoneFinder>> = OnceLock::new();
    FINDERS.get_or_init(|| {
        ["US", "GB", "DE", "IN"]
            .into_iter()
            .map(|region| {
                PhoneFinder::new(&PhoneConfig {
                    default_region: region.to_string(),
                })
                .expect("known region")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let finder = &finders()[usize::from(selector) % finders().len()];
    let text = String::from_utf8_lossy(rest);
    // The wrapper around `phonenumber` must accept anything.
    if let Some(e164) = finder.parse_e164(&text) {
        assert!(e164.starts_with('+'));
    }
    let norm = normalize(&text);
    // The region the text itself gives (country codes, currency, script), as for an ad
    // with no location field or URL.
    let texts = [norm.text()];
    let region = infer_region(
        finder.default_region(),
        &RegionEvidence {
            texts: &texts,
            ..RegionEvidence::default()
        },
    );
    for phone in finder
        .find(&text, &norm, Field::Body)
        .into_iter()
        .chain(finder.find_in_region(&text, &norm, Field::Body, region))
    {
        assert_eq!(&text[phone.span.start..phone.span.end], phone.raw);
        assert!(phone.e164.starts_with('+') && phone.e164[1..].bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(phone.obscured, !phone.techniques.is_empty());
        assert!(!phone.region.is_empty() && !phone.region_source.is_empty());
    }
});
