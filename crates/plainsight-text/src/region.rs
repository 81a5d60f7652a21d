//! The ad's region: which country a phone number written without a country code belongs to,
//! inferred once per ad from the ad's own evidence.
//!
//! libphonenumber's model is "parse with a default region, then validate by that region's
//! metadata": `0412 345 678` is an Australian mobile in an Australian ad and nothing at all in
//! a US one. The default region is taken from the strongest evidence the ad carries, in this
//! order:
//!
//! 1. `location`: the countries of the ad's location field (from the place finder);
//! 2. `url`: the site's country-code domain and the city or country in its host and path;
//! 3. `country_code`: numbers written with a country code (`+44 …`, `0044 …`, `011 44 …`,
//!    `wa.me/44…`) in the title or body, when they agree on one country;
//! 4. `currency`: a currency sign or ISO code that belongs to one country (`£`, `₹`, `R$`,
//!    `AUD` …; not `$` or `€`, which many countries share);
//! 5. `language`: a script used by one country's ads (kana for Japan, Hangul for Korea, Thai);
//! 6. `default`: the configured default region (North America, `US`) when there is no
//!    evidence.
//!
//! The region is a `pub` value so other finders (prices' currency) can use it too. Pure logic:
//! the countries of the location field and URL come from the caller.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;

/// Where an ad's region came from (see the module documentation for the order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegionSource {
    /// Numbers written with a country code in the ad.
    CountryCode,
    /// The ad's location field.
    Location,
    /// The site's host (country-code domain, city sub-domain) or URL path.
    Url,
    /// Places named in the title or body.
    Place,
    /// A currency that belongs to one country.
    Currency,
    /// A script that belongs to one country's ads.
    Language,
    /// No evidence: the configured default region.
    Default,
}

impl RegionSource {
    /// The name written in the output (`region_source`).
    pub fn as_str(self) -> &'static str {
        match self {
            RegionSource::CountryCode => "country_code",
            RegionSource::Location => "location",
            RegionSource::Url => "url",
            RegionSource::Place => "place",
            RegionSource::Currency => "currency",
            RegionSource::Language => "language",
            RegionSource::Default => "default",
        }
    }
}

/// A region with phone metadata, and why it was chosen. `Copy`: computed once per ad and
/// handed to every finder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdRegion {
    id: Id,
    /// The ASCII letters of the code.
    code: [u8; 2],
    country_code: u16,
    source: RegionSource,
}

impl AdRegion {
    /// The region for an ISO 3166 alpha-2 code (any case), if `phonenumber` has metadata for
    /// it.
    pub fn new(code: &str, source: RegionSource) -> Option<AdRegion> {
        let code = code.trim();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let upper = code.to_ascii_uppercase();
        let id: Id = upper.parse().ok()?;
        // `phonenumber` unwraps the metadata look-up of the region it is given: only regions
        // with metadata are ever built, so that can never panic.
        let metadata = DATABASE.by_id(id.as_ref())?;
        let letters = upper.as_bytes();
        Some(AdRegion {
            id,
            code: [letters[0], letters[1]],
            country_code: metadata.country_code(),
            source,
        })
    }

    /// ISO 3166 alpha-2 code, e.g. `US`.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("")
    }

    /// Country calling code (1 for the North American regions).
    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    /// Why this region was chosen.
    pub fn source(&self) -> RegionSource {
        self.source
    }

    /// Is this a region of the North American Numbering Plan (`+1`)?
    pub fn is_nanp(&self) -> bool {
        self.country_code == 1
    }

    /// The same region with another source.
    pub fn with_source(self, source: RegionSource) -> AdRegion {
        AdRegion { source, ..self }
    }

    pub(crate) fn id(&self) -> Id {
        self.id
    }
}

/// The evidence of one ad, as gathered by the extractor.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegionEvidence<'a> {
    /// Countries of the location field, in the order found (ISO alpha-2).
    pub location: &'a [&'a str],
    /// Countries of the URL (country-code domain, host and path places).
    pub url: &'a [&'a str],
    /// The normalised title and body.
    pub texts: &'a [&'a str],
}

/// The ad's region from its evidence, or `default` (with source [`RegionSource::Default`]).
pub fn infer_region(default: AdRegion, evidence: &RegionEvidence<'_>) -> AdRegion {
    let first_known = |countries: &[&str], source| {
        countries
            .iter()
            .find_map(|code| AdRegion::new(code, source))
    };
    if let Some(r) = first_known(evidence.location, RegionSource::Location) {
        return r;
    }
    if let Some(r) = first_known(evidence.url, RegionSource::Url) {
        return r;
    }
    let scan = scan_texts(evidence.texts);
    if let Some(r) = scan
        .country_code
        .and_then(|cc| main_region_of_code(cc, RegionSource::CountryCode))
    {
        return r;
    }
    if let Some(r) = scan
        .currency
        .and_then(|c| AdRegion::new(c, RegionSource::Currency))
    {
        return r;
    }
    if let Some(r) = scan
        .script
        .and_then(|c| AdRegion::new(c, RegionSource::Language))
    {
        return r;
    }
    default.with_source(RegionSource::Default)
}

/// The main region of a country calling code (`44` → `GB`, `1` → `US`).
fn main_region_of_code(code: u16, source: RegionSource) -> Option<AdRegion> {
    let main = DATABASE.by_code(&code)?.into_iter().next()?;
    AdRegion::new(main.id(), source)
}

/// What one pass over the texts found.
#[derive(Debug, Default, PartialEq, Eq)]
struct TextScan {
    /// The one country calling code the written international numbers agree on.
    country_code: Option<u16>,
    currency: Option<&'static str>,
    script: Option<&'static str>,
}

/// Currency signs of one country each (the sign, and the region).
const CURRENCY_SIGNS: &[(char, &str)] = &[
    ('£', "GB"),
    ('₹', "IN"),
    ('₱', "PH"),
    ('₦', "NG"),
    ('₩', "KR"),
    ('₪', "IL"),
    ('₫', "VN"),
    ('฿', "TH"),
    ('₽', "RU"),
    ('₺', "TR"),
    ('₴', "UA"),
    ('₸', "KZ"),
];

/// Prefixed dollar signs (`R$`, `A$`, `AU$` ...) and ISO 4217 codes of one country each,
/// written in capitals as whole words. `USD`, `EUR` and the like are left out: they say
/// nothing about the country of a number written nationally.
const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("R$", "BR"),
    ("A$", "AU"),
    ("AU$", "AU"),
    ("C$", "CA"),
    ("CA$", "CA"),
    ("NZ$", "NZ"),
    ("S$", "SG"),
    ("HK$", "HK"),
    ("MX$", "MX"),
    ("GBP", "GB"),
    ("INR", "IN"),
    ("AUD", "AU"),
    ("CAD", "CA"),
    ("NZD", "NZ"),
    ("SGD", "SG"),
    ("HKD", "HK"),
    ("MXN", "MX"),
    ("BRL", "BR"),
    ("ZAR", "ZA"),
    ("AED", "AE"),
    ("THB", "TH"),
    ("JPY", "JP"),
    ("CHF", "CH"),
    ("SEK", "SE"),
    ("NOK", "NO"),
    ("DKK", "DK"),
    ("PLN", "PL"),
    ("CZK", "CZ"),
    ("HUF", "HU"),
    ("COP", "CO"),
    ("ARS", "AR"),
    ("CLP", "CL"),
    ("PEN", "PE"),
    ("KRW", "KR"),
    ("MYR", "MY"),
    ("IDR", "ID"),
    ("RUB", "RU"),
    ("TRY", "TR"),
];

/// Scripts that, in ad text, point at one country.
fn script_region(c: char) -> Option<&'static str> {
    match c {
        '\u{3040}'..='\u{30FF}' => Some("JP"),
        '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' => Some("KR"),
        '\u{0E00}'..='\u{0E7F}' => Some("TH"),
        _ => None,
    }
}

fn scan_texts(texts: &[&str]) -> TextScan {
    let mut scan = TextScan::default();
    // `None` = no international number yet, `Some(None)` = numbers of several countries.
    let mut code: Option<Option<u16>> = None;
    for text in texts {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'+' || (b == b'0' && (i == 0 || !bytes[i - 1].is_ascii_digit())) {
                if let Some(found) = written_country_code(bytes, i) {
                    code = match code {
                        None => Some(Some(found)),
                        Some(Some(c)) if c == found => Some(Some(c)),
                        _ => Some(None),
                    };
                }
                i += 1;
                continue;
            }
            if b.is_ascii() {
                // Only a `$` or three capitals standing alone can start a currency word:
                // the list is searched for those alone.
                let three_capitals = b.is_ascii_uppercase()
                    && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_uppercase)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase)
                    && !bytes.get(i + 3).is_some_and(u8::is_ascii_alphanumeric);
                if scan.currency.is_none() && (b == b'$' || three_capitals) {
                    scan.currency = currency_word_at(bytes, i);
                }
                i += 1;
                continue;
            }
            let c = text[i..].chars().next().unwrap_or(' ');
            if scan.currency.is_none() {
                scan.currency = CURRENCY_SIGNS
                    .iter()
                    .find(|(sign, _)| *sign == c)
                    .map(|(_, region)| *region);
            }
            if scan.script.is_none() {
                scan.script = script_region(c);
            }
            i += c.len_utf8();
        }
    }
    scan.country_code = code.flatten();
    scan
}

/// A currency word starting at `i` (a capital letter) or ending at `i` (a `$`).
fn currency_word_at(bytes: &[u8], i: usize) -> Option<&'static str> {
    CURRENCY_WORDS.iter().find_map(|(word, region)| {
        let w = word.as_bytes();
        let at = if bytes[i] == b'$' {
            // The word ends with this `$`: look back.
            (i + 1).checked_sub(w.len())?
        } else {
            i
        };
        let candidate = bytes.get(at..at + w.len())?;
        let before_ok = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let after_ok = w.ends_with(b"$")
            || !bytes
                .get(at + w.len())
                .is_some_and(u8::is_ascii_alphanumeric);
        (candidate == w && before_ok && after_ok).then_some(*region)
    })
}

/// The country calling code of an international number written at `i` (`+44 7…`,
/// `0044 7…`, `011 44 7…`), if one is there: the code is read the way E.164 codes are (the
/// shortest prefix that is a code), and at least six more digits must follow in the same
/// group of digits and separators. A `+` must be followed by a digit (one space allowed).
pub(crate) fn written_country_code(bytes: &[u8], i: usize) -> Option<u16> {
    let mut digits = [0u8; 12];
    let mut count = 0;
    let mut j = i;
    let start_digits = if bytes[i] == b'+' {
        j += 1;
        if bytes.get(j) == Some(&b' ') {
            j += 1;
        }
        0
    } else {
        // `00` or `011` at the start of a numeral.
        if bytes.get(i..i + 3) == Some(b"011") {
            3
        } else if bytes.get(i..i + 2) == Some(b"00") {
            2
        } else {
            return None;
        }
    };
    // Collect up to twelve digits (an international prefix, a code and six more), allowing
    // short separators between them.
    let mut gap = 0;
    while j < bytes.len() && count < digits.len() {
        let b = bytes[j];
        if b.is_ascii_digit() {
            digits[count] = b - b'0';
            count += 1;
            gap = 0;
        } else if matches!(b, b' ' | b'-' | b'.' | b'(' | b')') && count > 0 && gap < 2 {
            gap += 1;
        } else {
            break;
        }
        j += 1;
    }
    let digits = &digits[..count];
    let rest = digits.get(start_digits..)?;
    if rest.first().is_none_or(|&d| d == 0) {
        return None;
    }
    (1..=3).find_map(|len| {
        let code = rest
            .get(..len)?
            .iter()
            .fold(0u16, |v, &d| v * 10 + u16::from(d));
        (DATABASE.by_code(&code).is_some() && rest.len() >= len + 6).then_some(code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> AdRegion {
        AdRegion::new("US", RegionSource::Default).unwrap()
    }

    fn infer(location: &[&str], url: &[&str], texts: &[&str]) -> (String, &'static str) {
        let r = infer_region(
            us(),
            &RegionEvidence {
                location,
                url,
                texts,
            },
        );
        (r.code().to_string(), r.source().as_str())
    }

    #[test]
    fn evidence_in_order_of_strength() {
        assert_eq!(infer(&[], &[], &["hello"]), ("US".into(), "default"));
        assert_eq!(
            infer(&["AU"], &["GB"], &["+49 157 1234 5678"]),
            ("AU".into(), "location")
        );
        assert_eq!(
            infer(&[], &["IN"], &["+49 157 1234 5678"]),
            ("IN".into(), "url")
        );
        assert_eq!(
            infer(&[], &[], &["call +49 157 1234 5678 £100"]),
            ("DE".into(), "country_code")
        );
        assert_eq!(
            infer(&[], &[], &["only £100 an hour"]),
            ("GB".into(), "currency")
        );
        assert_eq!(
            infer(&[], &[], &["1 hour 5000 INR"]),
            ("IN".into(), "currency")
        );
        assert_eq!(infer(&[], &[], &["R$ 200"]), ("BR".into(), "currency"));
        assert_eq!(
            infer(&[], &[], &["東京 デリヘル"]),
            ("JP".into(), "language")
        );
        // A region without metadata is skipped, not used.
        assert_eq!(infer(&["XX"], &[], &[]), ("US".into(), "default"));
    }

    #[test]
    fn country_codes_must_agree() {
        assert_eq!(
            infer(&[], &[], &["+44 7400 123456 or 0044 7400 654321"]),
            ("GB".into(), "country_code")
        );
        assert_eq!(
            infer(&[], &[], &["+44 7400 123456 or +33 6 12 34 56 78"]),
            ("US".into(), "default")
        );
        assert_eq!(
            infer(&[], &[], &["011 52 55 1234 5678"]),
            ("MX".into(), "country_code")
        );
        assert_eq!(
            infer(&[], &[], &["+1 416 555 0123"]),
            ("US".into(), "country_code")
        );
    }

    #[test]
    fn things_that_are_not_country_codes() {
        for text in [
            "100% real, 2000 reasons",
            "+44",
            "+ 44 12",
            "born 2001 in 1999",
            "price 00 00",
            "GBPX and xAUD",
            "$200 for 30 min, €150",
        ] {
            assert_eq!(infer(&[], &[], &[text]), ("US".into(), "default"), "{text}");
        }
    }

    #[test]
    fn region_codes() {
        let gb = AdRegion::new("gb", RegionSource::Url).unwrap();
        assert_eq!(gb.code(), "GB");
        assert_eq!(gb.country_code(), 44);
        assert!(!gb.is_nanp());
        assert!(us().is_nanp());
        assert!(AdRegion::new("ZZ", RegionSource::Url).is_none());
        assert!(AdRegion::new("usa", RegionSource::Url).is_none());
        assert!(AdRegion::new("", RegionSource::Url).is_none());
    }
}
