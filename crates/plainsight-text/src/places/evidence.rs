//! What the rest of an ad says about where it is, for the consistency rule of the place
//! finder: the states and countries of its location field, URL and phones, and the cities
//! those name.
//!
//! "Agrees" means: the place lies in a state (or province) the evidence names; or in a
//! country the evidence names when no evidence names a state of that country (a `+44`
//! number or a `.uk` site say "Great Britain", not which part of it); or within
//! [`super::METRO_KM`] of a city the location field or URL names (one metro area across a
//! state line). An ad with no evidence at all agrees with everything.

use std::collections::HashMap;
use std::sync::LazyLock;

use plainsight_core::Phone;

const AREA_CODES_TSV: &str = include_str!("../../data/gazetteer/nanp-area-codes.tsv");

/// North American area code -> (country, state or province; empty outside the US and
/// Canada), from libphonenumber's geocoding data (see `data/gazetteer/make_world.py`).
static AREA_CODES: LazyLock<HashMap<u16, (&'static str, &'static str)>> = LazyLock::new(|| {
    AREA_CODES_TSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let code = cols.next()?.parse().ok()?;
            let country = cols.next()?;
            let admin1 = cols.next().unwrap_or("");
            Some((code, (country, admin1)))
        })
        .collect()
});

/// Country calling code -> the main region libphonenumber gives it ("44" -> GB, "7" -> RU).
static CALLING_CODES: LazyLock<HashMap<u16, String>> = LazyLock::new(|| {
    let mut map: HashMap<u16, String> = HashMap::new();
    for meta in phonenumber::metadata::DATABASE.iter() {
        let code = meta.country_code();
        if meta.is_main_country_for_code() || !map.contains_key(&code) {
            map.insert(code, meta.id().to_string());
        }
    }
    map
});

/// Where a phone number (E.164) is from: (country, state or province). North American
/// numbers by area code; others by country calling code, with no state. `None` for
/// non-geographic numbers (toll-free, unknown codes).
pub(super) fn phone_region(e164: &str) -> Option<(&'static str, Option<&'static str>)> {
    let digits = e164.strip_prefix('+')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(national) = digits.strip_prefix('1') {
        let area: u16 = national.get(..3)?.parse().ok()?;
        if national.len() != 10 {
            return None;
        }
        let &(country, admin1) = AREA_CODES.get(&area)?;
        return Some((country, (!admin1.is_empty()).then_some(admin1)));
    }
    (1..=3).find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        let region = CALLING_CODES.get(&code)?;
        // A `&'static str` for the region: the ISO code as the countries table spells it.
        super::country_iso(region).map(|iso| (iso, None))
    })
}

/// The evidence of one ad, gathered from its location field, URL, phones and text.
#[derive(Debug, Clone, Default)]
pub(super) struct Evidence {
    /// (country, state or province).
    pub(super) states: Vec<(&'static str, &'static str)>,
    /// Countries, including those of `states`.
    pub(super) countries: Vec<&'static str>,
    /// Cities named by the location field or URL (latitude, longitude).
    pub(super) anchors: Vec<(f32, f32)>,
}

impl Evidence {
    pub(super) fn is_empty(&self) -> bool {
        self.states.is_empty() && self.countries.is_empty() && self.anchors.is_empty()
    }

    pub(super) fn add_state(&mut self, country: &'static str, admin1: &'static str) {
        if admin1.is_empty() {
            self.add_country(country);
            return;
        }
        if !self.states.contains(&(country, admin1)) {
            self.states.push((country, admin1));
        }
        self.add_country(country);
    }

    pub(super) fn add_country(&mut self, country: &'static str) {
        if !self.countries.contains(&country) {
            self.countries.push(country);
        }
    }

    pub(super) fn add_anchor(&mut self, at: (f32, f32)) {
        if !self.anchors.contains(&at) {
            self.anchors.push(at);
        }
    }

    /// States and countries of the ad's phones (service lines excluded: a site's support
    /// number says nothing about where the ad is).
    pub(super) fn add_phones(&mut self, phones: &[Phone]) {
        for phone in phones.iter().filter(|p| !p.service) {
            match phone_region(&phone.e164) {
                Some((country, Some(admin1))) => self.add_state(country, admin1),
                Some((country, None)) => self.add_country(country),
                None => {}
            }
        }
    }

    /// Does a place in `country`/`admin1` (empty for a country or a province without a
    /// code), at `at`, agree with this evidence? (See the module documentation.)
    pub(super) fn agrees(&self, country: &str, admin1: &str, at: Option<(f32, f32)>) -> bool {
        if !admin1.is_empty()
            && self
                .states
                .iter()
                .any(|&(c, a)| c == country && a == admin1)
        {
            return true;
        }
        let states_of_country = self.states.iter().any(|&(c, _)| c == country);
        if self.countries.contains(&country) && (admin1.is_empty() || !states_of_country) {
            return true;
        }
        at.is_some_and(|p| self.anchors.iter().any(|&q| within_metro(p, q)))
    }
}

/// Kilometres per degree of latitude (a meridian arc on the sphere of [`distance_km`]).
const KM_PER_DEGREE_OF_LATITUDE: f64 = 6371.0 * std::f64::consts::PI / 180.0;

/// Is `b` within [`super::METRO_KM`] of `a`? Places further apart in latitude alone than that
/// (plus a kilometre for rounding) are answered without the trigonometry of [`distance_km`]:
/// the great-circle distance is never less than the distance along the meridian.
pub(super) fn within_metro(a: (f32, f32), b: (f32, f32)) -> bool {
    let latitude_km = (f64::from(a.0) - f64::from(b.0)).abs() * KM_PER_DEGREE_OF_LATITUDE;
    latitude_km <= super::METRO_KM + 1.0 && distance_km(a, b) <= super::METRO_KM
}

/// Great-circle distance in km (haversine).
pub(super) fn distance_km(a: (f32, f32), b: (f32, f32)) -> f64 {
    let (la1, lo1) = (f64::from(a.0).to_radians(), f64::from(a.1).to_radians());
    let (la2, lo2) = (f64::from(b.0).to_radians(), f64::from(b.1).to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_codes_give_states_and_countries() {
        assert_eq!(phone_region("+19195550123"), Some(("US", Some("NC"))));
        assert_eq!(phone_region("+14165550123"), Some(("CA", Some("ON"))));
        assert_eq!(phone_region("+12025550123"), Some(("US", Some("DC"))));
        assert_eq!(phone_region("+18765550123"), Some(("JM", None)));
        assert_eq!(phone_region("+18005550123"), None, "toll-free");
        assert_eq!(phone_region("+447911123456"), Some(("GB", None)));
        assert_eq!(phone_region("+919876543210"), Some(("IN", None)));
        assert_eq!(phone_region("+4915712345678"), Some(("DE", None)));
        assert_eq!(phone_region("not a number"), None);
    }

    #[test]
    fn every_area_code_row_is_well_formed() {
        let mut us = 0;
        for line in AREA_CODES_TSV.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "{line:?}");
            let code: u16 = cols[0].parse().unwrap();
            assert!((200..1000).contains(&code), "{line:?}");
            assert_eq!(cols[1].len(), 2, "{line:?}");
            if matches!(cols[1], "US" | "CA") {
                assert_eq!(cols[2].len(), 2, "{line:?}");
                us += 1;
            }
        }
        assert!(us > 400, "{us} US and Canadian area codes");
    }

    #[test]
    fn agreement_by_state_country_and_distance() {
        let mut e = Evidence::default();
        assert!(e.is_empty());
        e.add_state("US", "GA");
        e.add_anchor((33.749, -84.388)); // Atlanta
        assert!(e.agrees("US", "GA", None));
        assert!(!e.agrees("US", "TN", None), "another state");
        assert!(
            e.agrees("US", "", None),
            "the country of a state the ad names"
        );
        // Within the metro area across a state line, not beyond.
        assert!(e.agrees("US", "AL", Some((33.60, -84.70))));
        assert!(!e.agrees("US", "TN", Some((36.16, -86.78))), "Nashville");
        let mut e = Evidence::default();
        e.add_country("GB");
        assert!(e.agrees("GB", "ENG", None), "country-level evidence");
        assert!(!e.agrees("FR", "IDF", None));
        assert!((distance_km((40.7128, -74.006), (34.0522, -118.2437)) - 3936.0).abs() < 20.0);
    }

    #[test]
    fn the_latitude_shortcut_agrees_with_the_distance() {
        // Pairs on a grid around the limit: north-south, east-west and diagonal, at the
        // equator, mid latitudes and near a pole.
        for base_lat in [0.0f32, 35.5, 64.0, 89.0] {
            for step in 0..200 {
                let d = step as f32 * 0.005;
                for (dlat, dlon) in [(d, 0.0), (0.0, d), (d, d), (-d, 0.5 * d)] {
                    let a = (base_lat, -80.0);
                    let b = ((base_lat + dlat).min(90.0), -80.0 + dlon);
                    assert_eq!(
                        within_metro(a, b),
                        distance_km(a, b) <= crate::places::METRO_KM,
                        "{a:?} {b:?}"
                    );
                }
            }
        }
    }
}
