//! What extraction finds in one ad. `Extraction` serialises to the public contract of
//! `plainsight extract` (documented in `docs/extract-format.md`): add fields, never rename them.

use serde::{Deserialize, Serialize};

/// The ad field a fact was found in. Spans are byte offsets into that field's original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Body,
    Url,
    Location,
    /// One of the phone strings the scraper captured (`Ad::phones`); the span is inside it.
    Phones,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Body => "body",
            Field::Url => "url",
            Field::Location => "location",
            Field::Phones => "phones",
        }
    }
}

/// Half-open byte range `[start, end)` in the original text of a field; serialised as `[s, e]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "[usize; 2]", into = "[usize; 2]")]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

impl From<[usize; 2]> for Span {
    fn from(v: [usize; 2]) -> Span {
        Span {
            start: v[0],
            end: v[1],
        }
    }
}

impl From<Span> for [usize; 2] {
    fn from(s: Span) -> [usize; 2] {
        [s.start, s.end]
    }
}

/// A phone number found in the ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// E.164 form, e.g. `+19195550123`.
    pub e164: String,
    /// The original text the number was read from (may include tags and spelled digits).
    pub raw: String,
    /// Whether the writer disguised the number.
    pub obscured: bool,
    /// How it was disguised: `spelled_digits`, `separators`, `lookalike_chars`, `html`,
    /// `letter_for_digit`, `mojibake`, `split` ... (see `docs/extract-format.md`).
    pub techniques: Vec<String>,
    pub span: Span,
    pub field: Field,
    /// Printed as a service's line rather than as the ad's contact: the words just before it
    /// say so ("site support", "report abuse", "verification line", "to advertise call").
    /// Such numbers appear across unrelated ads and never link them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub service: bool,
    /// ISO 3166 alpha-2 region whose numbering plan the number is valid in (`US`, `CA`,
    /// `GB`, `IN` ...; `001` for non-geographic codes such as `+800`). Empty in JSON written
    /// before the field existed.
    #[serde(default)]
    pub region: String,
    /// Why the number was read for that country: `country_code` (written with `+CC`, `00CC`,
    /// `011CC` or a WhatsApp link), or, for a number in national form, where the ad's region
    /// came from: `location`, `url`, `place`, `currency`, `language` or `default` (no
    /// evidence: North America). Empty in JSON written before the field existed.
    #[serde(default)]
    pub region_source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// Lower-cased address, e.g. `name@gmail.com`.
    pub email: String,
    pub raw: String,
    /// True when written in a disguised form ("name at gmail dot com").
    pub obscured: bool,
    pub span: Span,
    pub field: Field,
}

/// A social-media or messaging handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handle {
    /// `twitter`, `instagram`, `snapchat`, `telegram`, `whatsapp`, `kik`, `onlyfans`.
    pub platform: String,
    /// The handle without a leading `@`, in its written case.
    pub handle: String,
    pub raw: String,
    pub span: Span,
    pub field: Field,
}

/// A payment handle (Cash App `$tag`, Venmo, PayPal, Zelle, Apple Cash ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// `cashapp`, `venmo`, `paypal`, `zelle`, `applecash`, `chime`.
    pub platform: String,
    pub handle: String,
    pub raw: String,
    pub span: Span,
    pub field: Field,
}

/// A price with its time unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub amount: f64,
    /// ISO 4217 code; `USD` unless the text says otherwise.
    pub currency: String,
    /// Normalised unit: `qv` (quick visit), `hh` (half hour), `hr`, `2hr`, `30min`, `overnight`,
    /// `day`, or `unspecified`; minutes for other durations as `<n>min`.
    pub unit: String,
    /// The price of one hour in the same currency, where the unit states a duration (`hr`,
    /// `hh`, `2hr`, `<n>min`): `100` for `50 hh`. Absent for `qv`, `overnight`, `day` and
    /// `unspecified`, whose length the ad does not state. Absent in JSON written before it
    /// existed, which still reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_hour: Option<f64>,
    pub raw: String,
    pub span: Span,
    pub field: Field,
}

/// An age the ad states ("22 yrs", "age: 19").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Age {
    pub age: u8,
    pub raw: String,
    pub span: Span,
    pub field: Field,
}

/// A place resolved against the bundled gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub name: String,
    /// State or province code, e.g. `NC`, `ON`.
    pub admin1: String,
    /// ISO 3166-1 alpha-2, `US` or `CA`.
    pub country: String,
    pub geonameid: u64,
    pub raw: String,
    pub span: Span,
    pub field: Field,
}

/// A URL or bare domain written in the ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlRef {
    pub url: String,
    /// Lower-case host name without `www.`.
    pub domain: String,
    pub raw: String,
    pub span: Span,
    pub field: Field,
}

/// One indicator definition matched in the ad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorHit {
    pub code: String,
    /// The text that triggered it.
    pub evidence: String,
    pub span: Span,
    pub field: Field,
}

/// Everything extracted from one ad: the record printed by `plainsight extract`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Extraction {
    pub id: String,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub handles: Vec<Handle>,
    pub payments: Vec<Payment>,
    pub prices: Vec<Price>,
    pub ages: Vec<Age>,
    pub locations: Vec<Location>,
    pub urls: Vec<UrlRef>,
    pub indicators: Vec<IndicatorHit>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_serialises_as_pair() {
        let s = serde_json::to_string(&Span::new(3, 9)).unwrap();
        assert_eq!(s, "[3,9]");
        let back: Span = serde_json::from_str(&s).unwrap();
        assert_eq!(back, Span::new(3, 9));
        assert_eq!(serde_json::to_string(&Field::Body).unwrap(), "\"body\"");
    }
}
