//! The one-call entry point: [`Extractor::extract`] turns an [`Ad`] into an [`Extraction`]
//! (phones, emails, handles, payments, prices, ages, places, URLs and indicator hits), every
//! fact located by a byte span in the ORIGINAL text of the field it came from.
//!
//! Each field is normalised once; every finder then makes one pass over the normalised text
//! and maps its matches back through [`Normalized::original_span`].

use std::ops::Range;

use plainsight_core::{Ad, Extraction, Field, Span};

use crate::ages::AgeFinder;
use crate::emails::EmailFinder;
use crate::handles::HandleFinder;
pub use crate::indicators::{BUNDLED_INDICATORS_TOML, IndicatorDef, IndicatorSet};
use crate::normalize::{Normalized, normalize};
use crate::places::{PlaceContext, PlaceFinder};
use crate::prices::{LocalMoney, PriceFinder, is_job_posting, relocalise};
use crate::region::{AdRegion, RegionEvidence, infer_region};
use crate::urls::UrlFinder;

pub use crate::phones::{PhoneConfig, PhoneError, PhoneFinder};
pub use plainsight_core::{
    Age, Email, Handle, IndicatorHit, Location, Payment, Phone, Price, UrlRef,
};

/// Why an [`Extractor`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("phone finder: {0}")]
    Phone(#[from] PhoneError),
    #[error("indicator file is not valid TOML: {message}")]
    IndicatorToml { message: String },
    #[error("indicator `{code}`, field `{field}`: {message}")]
    Indicator {
        code: String,
        field: &'static str,
        message: String,
    },
    #[error("bundled gazetteer could not be read: {message}")]
    Gazetteer { message: String },
    #[error("built-in pattern of the {finder} finder does not compile (a bug): {message}")]
    BuiltinPattern {
        finder: &'static str,
        message: String,
    },
}

/// What to build an [`Extractor`] with.
#[derive(Debug, Clone, Default)]
pub struct ExtractConfig {
    pub phone: PhoneConfig,
    /// Indicator definitions as TOML text (the format of `data/indicators.toml`);
    /// `None` uses the bundled default file.
    pub indicators_toml: Option<String>,
}

/// One field of an ad, original and normalised, as the finders see it.
pub struct FieldText<'a> {
    pub original: &'a str,
    pub norm: &'a Normalized,
    pub field: Field,
}

impl<'a> FieldText<'a> {
    pub fn new(original: &'a str, norm: &'a Normalized, field: Field) -> FieldText<'a> {
        FieldText {
            original,
            norm,
            field,
        }
    }

    /// The normalised text the finders search.
    pub fn text(&self) -> &'a str {
        self.norm.text()
    }

    /// Map a range of the normalised text to its span and slice in the original text.
    pub fn locate(&self, range: Range<usize>) -> (Span, String) {
        let r = self.norm.original_span(range);
        let raw = self.original.get(r.clone()).unwrap_or_default().to_string();
        (Span::new(r.start, r.end), raw)
    }
}

/// Every finder, built once and shared across threads (`Send + Sync`).
pub struct Extractor {
    phones: PhoneFinder,
    emails: EmailFinder,
    handles: HandleFinder,
    prices: PriceFinder,
    ages: AgeFinder,
    places: PlaceFinder,
    urls: UrlFinder,
    indicators: IndicatorSet,
}

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extractor")
            .field("indicators", &self.indicators.definitions().len())
            .finish_non_exhaustive()
    }
}

impl Extractor {
    pub fn new(config: &ExtractConfig) -> Result<Extractor, TextError> {
        let indicators = match &config.indicators_toml {
            Some(toml) => IndicatorSet::from_toml(toml)?,
            None => IndicatorSet::bundled()?,
        };
        Ok(Extractor {
            phones: PhoneFinder::new(&config.phone)?,
            emails: EmailFinder::new()?,
            handles: HandleFinder::new()?,
            prices: PriceFinder::new()?,
            ages: AgeFinder::new()?,
            places: PlaceFinder::new()?,
            urls: UrlFinder::new()?,
            indicators,
        })
    }

    /// The indicator definitions in use (codes, weights, sources) for scoring and display.
    pub fn indicator_definitions(&self) -> &[IndicatorDef] {
        self.indicators.definitions()
    }

    /// Extract everything from one ad. Never panics; fields that are absent are skipped.
    pub fn extract(&self, ad: &Ad) -> Extraction {
        let mut out = Extraction {
            id: ad.id.clone(),
            ..Extraction::default()
        };

        // Normalise each free-text field once.
        let title = ad.title.as_deref().map(|t| (t, normalize(t)));
        let body = ad.body.as_deref().map(|t| (t, normalize(t)));
        let location = ad.location.as_deref().map(|t| (t, normalize(t)));
        let url = ad.url.as_deref();

        // Place context first: states named in the location field or URL settle ambiguous
        // city names found anywhere else in the ad.
        let mut context = PlaceContext::default();
        if let Some((orig, norm)) = &location {
            let ft = FieldText::new(orig, norm, Field::Location);
            let found = self.places.find_in_location_field(&ft, &mut context);
            out.locations.extend(found);
        }
        let location_countries = context.countries();
        if let Some(u) = url {
            let found = self.places.find_in_url(u, &mut context);
            out.locations.extend(found);
            // Backpage and cityxguide put the poster's age field at the end of the URL slug.
            out.ages.extend(self.ages.find_in_url(u));
        }
        let region = self.ad_region(&location_countries, &context, &title, &body);
        if let Some(u) = url {
            // Phones written in the URL path ("/ad/longisland/203-555-0100-...") count too.
            let norm = normalize(u);
            out.phones
                .extend(self.phones.find_in_region(u, &norm, Field::Url, region));
        }

        let texts: Vec<FieldText<'_>> = [(Field::Title, &title), (Field::Body, &body)]
            .into_iter()
            .filter_map(|(field, part)| {
                let (orig, norm) = part.as_ref()?;
                Some(FieldText::new(orig, norm, field))
            })
            .collect();
        let money = ad_money(&context);
        for ft in &texts {
            self.extract_free_text(ft, region, money, &mut out);
        }
        // Wages in a job posting are not prices.
        if !out.prices.is_empty() {
            let free: Vec<&str> = texts.iter().map(|ft| ft.text()).collect();
            if is_job_posting(&free, url) {
                out.prices.clear();
            }
        }
        // A stated age under 18 is an indicator of its own, so it reaches the lead's reasons.
        let minor_hits = self.indicators.minor_age_hits(&out.ages);
        out.indicators.extend(minor_hits);

        for phone in &ad.phones {
            let norm = normalize(phone);
            out.phones.extend(
                self.phones
                    .find_in_region(phone, &norm, Field::Phones, region),
            );
        }

        // Places in title and body last: they must agree with the rest of the ad (location
        // field, URL, the phones' area codes and country codes), and the places of the
        // location field and URL are checked against the phones too.
        let refs: Vec<&FieldText<'_>> = texts.iter().collect();
        self.places
            .find_in_ad_text(&refs, &out.phones, &context, &mut out.locations);
        // No country from the location field or URL, but the places of the text name one
        // ("Escort ad in Belleville, Ontario"): its currency for `$` and bare amounts.
        if money == LocalMoney::default()
            && let Some(country) = only_country(&out.locations)
            && country != "US"
        {
            relocalise(&mut out.prices, country);
        }
        out
    }

    /// The ad's region (which country numbers in national form belong to), once per ad,
    /// from the countries of the location field, then those of the URL, then the title and
    /// body (country codes, currency, script); the default region without evidence.
    pub fn ad_region(
        &self,
        location_countries: &[&'static str],
        context: &PlaceContext,
        title: &Option<(&str, Normalized)>,
        body: &Option<(&str, Normalized)>,
    ) -> AdRegion {
        let url_countries = context.countries();
        let texts: Vec<&str> = [title, body]
            .into_iter()
            .filter_map(|part| part.as_ref().map(|(_, norm)| norm.text()))
            .collect();
        infer_region(
            self.phones.default_region(),
            &RegionEvidence {
                location: location_countries,
                url: &url_countries,
                texts: &texts,
            },
        )
    }

    /// Run every text finder but the place finder over one title or body field.
    fn extract_free_text(
        &self,
        ft: &FieldText<'_>,
        region: AdRegion,
        money: LocalMoney,
        out: &mut Extraction,
    ) {
        let phones = self
            .phones
            .find_in_region(ft.original, ft.norm, ft.field, region);
        let phone_spans: Vec<Span> = phones.iter().map(|p| p.span).collect();

        let emails = self.emails.find(ft);
        let email_spans: Vec<Span> = emails.iter().map(|e| e.span).collect();

        let (handles, payments) = self.handles.find(ft);
        let taken: Vec<Span> = phone_spans.iter().chain(&email_spans).copied().collect();

        // A number read as a phone, an email part or a stated age is not also a price.
        let ages: Vec<_> = self
            .ages
            .find(ft)
            .into_iter()
            .filter(|a| !overlaps_any(a.span, &taken))
            .collect();
        let age_numbers: Vec<Span> = ages.iter().map(|a| a.span).collect();
        out.prices.extend(
            self.prices
                .find_with(ft, money)
                .into_iter()
                .filter(|p| !overlaps_any(p.span, &taken) && !overlaps_any(p.span, &age_numbers)),
        );
        out.ages.extend(ages);
        out.urls.extend(
            self.urls
                .find(ft)
                .into_iter()
                .filter(|u| !overlaps_any(u.span, &email_spans)),
        );
        out.indicators.extend(self.indicators.find(ft, &phones));
        out.phones.extend(phones);
        out.emails.extend(emails);
        out.handles.extend(handles);
        out.payments.extend(payments);
    }
}

/// The currencies of the ad's country, from the location field and URL read so far (the first
/// country they give); the US's when they give none.
fn ad_money(context: &PlaceContext) -> LocalMoney {
    LocalMoney::for_country(context.countries().first().copied())
}

/// The one country all of the ad's places are in, if they agree on one.
fn only_country(locations: &[Location]) -> Option<&str> {
    let first = locations.first()?.country.as_str();
    locations
        .iter()
        .all(|l| l.country == first)
        .then_some(first)
}

/// A byte of an ASCII word, as the regex `(?-u:\b)` sees one: letter, digit or `_`.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when `span` shares at least one byte with any of `others`.
pub(crate) fn overlaps_any(span: Span, others: &[Span]) -> bool {
    others
        .iter()
        .any(|o| span.start < o.end && o.start < span.end)
}
