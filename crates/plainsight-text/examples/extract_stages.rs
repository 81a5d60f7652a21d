//! Run the stages of `Extractor::extract` one by one over the ads of a JSONL file, each
//! behind a function that is never inlined, so that a profiler gives the cost of every stage
//! (normalisation, phones, emails, handles, ages, prices, URLs, indicators, places, region)
//! even in a build with whole-program optimisation, where the stages are otherwise inlined
//! into `extract` and each other:
//!
//! ```text
//! cargo build -p plainsight-text --release --example extract_stages
//! valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!   target/release/examples/extract_stages ads.jsonl
//! callgrind_annotate --inclusive=yes cg.out | grep 'extract_stages::stage_'
//! ```
//!
//! The stages are called as `extract` calls them, with the same inputs, so their sum is close
//! to the cost of `extract` (the small glue between them is not counted). Prints the number
//! of facts found, so nothing is optimised away.

use std::hint::black_box;
use std::io::{BufRead, BufReader};

use plainsight_core::{Ad, Field, Span};
use plainsight_text::ages::AgeFinder;
use plainsight_text::emails::EmailFinder;
use plainsight_text::extract::FieldText;
use plainsight_text::handles::HandleFinder;
use plainsight_text::indicators::IndicatorSet;
use plainsight_text::normalize::{Normalized, normalize};
use plainsight_text::phones::{PhoneConfig, PhoneFinder};
use plainsight_text::places::{PlaceContext, PlaceFinder};
use plainsight_text::prices::{LocalMoney, PriceFinder, is_job_posting};
use plainsight_text::region::{AdRegion, RegionEvidence, infer_region};
use plainsight_text::urls::UrlFinder;

/// The binary's allocator, so that profiles show what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Finders {
    phones: PhoneFinder,
    emails: EmailFinder,
    handles: HandleFinder,
    prices: PriceFinder,
    ages: AgeFinder,
    places: PlaceFinder,
    urls: UrlFinder,
    indicators: IndicatorSet,
}

#[inline(never)]
fn stage_normalize(text: &str) -> Normalized {
    normalize(text)
}

#[inline(never)]
fn stage_places_location(f: &Finders, ft: &FieldText<'_>, context: &mut PlaceContext) -> usize {
    f.places.find_in_location_field(ft, context).len()
}

#[inline(never)]
fn stage_places_url(f: &Finders, url: &str, context: &mut PlaceContext) -> usize {
    f.places.find_in_url(url, context).len()
}

#[inline(never)]
fn stage_ages_url(f: &Finders, url: &str) -> usize {
    f.ages.find_in_url(url).len()
}

#[inline(never)]
fn stage_region(
    f: &Finders,
    location: &[&'static str],
    url: &[&'static str],
    texts: &[&str],
) -> AdRegion {
    infer_region(
        f.phones.default_region(),
        &RegionEvidence {
            location,
            url,
            texts,
        },
    )
}

#[inline(never)]
fn stage_phones(
    f: &Finders,
    original: &str,
    norm: &Normalized,
    field: Field,
    region: AdRegion,
) -> Vec<plainsight_core::Phone> {
    f.phones.find_in_region(original, norm, field, region)
}

#[inline(never)]
fn stage_emails(f: &Finders, ft: &FieldText<'_>) -> Vec<Span> {
    f.emails.find(ft).iter().map(|e| e.span).collect()
}

#[inline(never)]
fn stage_handles(f: &Finders, ft: &FieldText<'_>) -> usize {
    let (handles, payments) = f.handles.find(ft);
    handles.len() + payments.len()
}

#[inline(never)]
fn stage_ages(f: &Finders, ft: &FieldText<'_>) -> usize {
    f.ages.find(ft).len()
}

#[inline(never)]
fn stage_prices(f: &Finders, ft: &FieldText<'_>, money: LocalMoney) -> usize {
    f.prices.find_with(ft, money).len()
}

#[inline(never)]
fn stage_urls(f: &Finders, ft: &FieldText<'_>) -> usize {
    f.urls.find(ft).len()
}

#[inline(never)]
fn stage_indicators(f: &Finders, ft: &FieldText<'_>, phones: &[plainsight_core::Phone]) -> usize {
    f.indicators.find(ft, phones).len()
}

#[inline(never)]
fn stage_job_posting(texts: &[&str], url: Option<&str>) -> bool {
    is_job_posting(texts, url)
}

#[inline(never)]
fn stage_places_text(
    f: &Finders,
    fields: &[&FieldText<'_>],
    phones: &[plainsight_core::Phone],
    context: &PlaceContext,
) -> usize {
    let mut locations = Vec::new();
    f.places
        .find_in_ad_text(fields, phones, context, &mut locations);
    locations.len()
}

#[inline(never)]
/// One ad, stage by stage, in the order of `Extractor::extract`; returns a count of facts.
fn run_ad(f: &Finders, ad: &Ad) -> usize {
    let mut facts = 0;
    let title = ad.title.as_deref().map(|t| (t, stage_normalize(t)));
    let body = ad.body.as_deref().map(|t| (t, stage_normalize(t)));
    let location = ad.location.as_deref().map(|t| (t, stage_normalize(t)));
    let url = ad.url.as_deref();
    let mut context = PlaceContext::default();
    if let Some((orig, norm)) = &location {
        let ft = FieldText::new(orig, norm, Field::Location);
        facts += stage_places_location(f, &ft, &mut context);
    }
    let location_countries = context.countries();
    if let Some(u) = url {
        facts += stage_places_url(f, u, &mut context);
        facts += stage_ages_url(f, u);
    }
    let url_countries = context.countries();
    let free_texts: Vec<&str> = [&title, &body]
        .into_iter()
        .filter_map(|p| p.as_ref().map(|(_, n)| n.text()))
        .collect();
    let region = stage_region(f, &location_countries, &url_countries, &free_texts);
    let mut phones = Vec::new();
    if let Some(u) = url {
        let norm = stage_normalize(u);
        phones.extend(stage_phones(f, u, &norm, Field::Url, region));
    }
    let texts: Vec<FieldText<'_>> = [(Field::Title, &title), (Field::Body, &body)]
        .into_iter()
        .filter_map(|(field, part)| {
            let (orig, norm) = part.as_ref()?;
            Some(FieldText::new(orig, norm, field))
        })
        .collect();
    let money = LocalMoney::for_country(context.countries().first().copied());
    let mut prices = 0;
    for ft in &texts {
        let found = stage_phones(f, ft.original, ft.norm, ft.field, region);
        facts += stage_emails(f, ft).len();
        facts += stage_handles(f, ft);
        facts += stage_ages(f, ft);
        prices += stage_prices(f, ft, money);
        facts += stage_urls(f, ft);
        facts += stage_indicators(f, ft, &found);
        phones.extend(found);
    }
    if prices > 0 && !stage_job_posting(&free_texts, url) {
        facts += prices;
    }
    for phone in &ad.phones {
        let norm = stage_normalize(phone);
        phones.extend(stage_phones(f, phone, &norm, Field::Phones, region));
    }
    let refs: Vec<&FieldText<'_>> = texts.iter().collect();
    facts += stage_places_text(f, &refs, &phones, &context);
    facts + phones.len()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: extract_stages ADS.jsonl")?;
    let finders = Finders {
        phones: PhoneFinder::new(&PhoneConfig::default())?,
        emails: EmailFinder::new()?,
        handles: HandleFinder::new()?,
        prices: PriceFinder::new()?,
        ages: AgeFinder::new()?,
        places: PlaceFinder::new()?,
        urls: UrlFinder::new()?,
        indicators: IndicatorSet::bundled()?,
    };
    let mut ads = Vec::new();
    for line in BufReader::new(std::fs::File::open(&path)?).lines() {
        if let Ok(ad) = serde_json::from_str::<Ad>(&line?) {
            ads.push(ad);
        }
    }
    let bytes: usize = ads.iter().map(Ad::text_len).sum();
    let facts: usize = ads.iter().map(|ad| run_ad(&finders, black_box(ad))).sum();
    println!("{} ads, {bytes} bytes of text, {facts} facts", ads.len());
    Ok(())
}
