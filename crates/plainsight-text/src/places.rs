//! Places resolved against the bundled GeoNames gazetteer: US and Canadian places with 1,000+
//! people, US states, Canadian provinces, US counties, the world's cities with 15,000+ people
//! and their provinces, and countries. Found in ad text ("in Raleigh, NC", "Raleigh NC",
//! "visiting Charlotte"), in the `location` field, and in the ad URL ("raleigh.backpage.com",
//! "/nc/raleigh/").
//!
//! Precision rules, because most place names are also words, first names, streets or
//! neighbourhoods:
//! * a name followed by its state ("Mobile, AL", "Florence KY") is the place in that state;
//! * generic neighbourhood and direction words ("Midtown", "the west side", "Airport") are
//!   never places on their own, and a name inside a street or landmark phrase ("Washington
//!   Rd", "Jack London Sq") or after a word that begins a longer proper name ("Fort Liberty")
//!   is not a town;
//! * in free text a bare name must be capitalised and must not be a common English word
//!   ("Mobile", "Normal", "Hope"); a first name ("Charlotte", "Austin") needs a place cue
//!   before it ("in", "visiting", "near") or a state the ad names, and never counts after a
//!   person cue ("I'm", "ask for"); a famous foreign namesake ("London", "Paris") needs the
//!   ad's state or country; other single-word names need a cue or 50,000 people;
//! * a place outside North America needs its country as evidence in free text;
//! * **consistency**: a place counts only when it agrees with the rest of the ad (see
//!   [`evidence`]): the state or country of the location field and URL, the area codes and
//!   country codes of the ad's phones, and the states the text itself names. An ambiguous
//!   name goes to the place that agrees; a place that agrees with nothing the ad says is not
//!   emitted. An ad with no evidence at all keeps the word rules above and North America
//!   first.
//!
//! The index is built once per process from files embedded in the binary (no file I/O).

mod evidence;
mod words;

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use plainsight_core::{Field, Location, Phone, Span};

use crate::extract::{FieldText, TextError};
use evidence::{Evidence, within_metro};
use words::{
    COMMON_WORDS, FACILITY_SUFFIXES, FIRST_NAMES, FOREIGN_NAMESAKES, LANDMARK_PREFIXES,
    NEIGHBOURHOOD_WORDS, PERSON_CUES, PERSON_FOLLOWERS, PLACE_CUES, STREET_SUFFIXES,
    TECHNICAL_LABELS,
};

const PLACES_TSV: &str = include_str!("../data/gazetteer/us-ca-places.tsv");
const STATES_JSON: &str = include_str!("../data/gazetteer/us-states.json");
const COUNTIES_JSON: &str = include_str!("../data/gazetteer/us-counties.json");
const WORLD_PLACES_TSV: &str = include_str!("../data/gazetteer/world-places.tsv");
const WORLD_ADMIN1_TSV: &str = include_str!("../data/gazetteer/world-admin1.tsv");
const COUNTRIES_TSV: &str = include_str!("../data/gazetteer/countries.tsv");
const FIRST_NAMES_TXT: &str = include_str!("../data/gazetteer/first-names.txt");

/// How far (km) a place may lie from a city the location field or URL names and still agree
/// with it: metro areas cross state lines (Kansas City and Overland Park, Cincinnati and
/// northern Kentucky, Philadelphia and Camden).
const METRO_KM: f64 = 60.0;

/// A North American namesake gives way to a foreign city this many times more populous when
/// the ad says nothing about its country ("delhi": Delhi, India, not Delhi, NY).
const FOREIGN_GIANT_FACTOR: u64 = 100;

/// A phone's state moves an ambiguous location-field or URL name only to a namesake at most
/// this many times smaller than the place it would otherwise be.
const PHONE_NAMESAKE_FACTOR: u64 = 20;

/// A US state name that is also the name of a city this big stands for the city when the ad
/// gives no state ("washington": Washington, DC; backpage-style sites name that city's page
/// so, and the state's ads name its cities).
const BIG_CITY: u64 = 500_000;

/// Latitude and longitude of a gazetteer place by its name and state code (case-insensitive),
/// the most populous when several share both; for drawing maps without map tiles.
pub fn place_coordinates(name: &str, admin1: &str) -> Option<(f64, f64)> {
    static COORDINATES: LazyLock<HashMap<(String, String), (f64, f64)>> = LazyLock::new(|| {
        let mut map = HashMap::new();
        // Rows are: geonameid, name, country, admin1, lat, lon, population, alternates; the
        // files list more populous places first, so the first of a name wins (North America
        // first).
        for line in PLACES_TSV
            .lines()
            .skip(1)
            .chain(WORLD_PLACES_TSV.lines().skip(1))
        {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 6 {
                continue;
            }
            if let (Ok(lat), Ok(lon)) = (cols[4].parse::<f64>(), cols[5].parse::<f64>()) {
                let admin1 = if cols[2] == "CA" {
                    PROVINCES
                        .iter()
                        .find(|p| p.0 == cols[3])
                        .map_or(cols[3], |p| p.1)
                } else {
                    cols[3]
                };
                map.entry((cols[1].to_lowercase(), admin1.to_uppercase()))
                    .or_insert((lat, lon));
            }
        }
        map
    });
    COORDINATES
        .get(&(name.to_lowercase(), admin1.to_uppercase()))
        .copied()
}

/// Is this GeoNames id a city or town (not a state, province, county or country)? The
/// network stage counts only cities toward "three or more cities". Counties have id 0.
pub fn is_city(geonameid: u64) -> bool {
    static AREAS: LazyLock<HashSet<u64>> = LazyLock::new(|| {
        let mut ids: HashSet<u64> = PROVINCES.iter().map(|p| p.3).collect();
        if let Ok(states) = serde_json::from_str::<HashMap<String, serde_json::Value>>(STATES_JSON)
        {
            ids.extend(
                states
                    .values()
                    .filter_map(|s| s.get("geonameid").and_then(serde_json::Value::as_u64)),
            );
        }
        for line in WORLD_ADMIN1_TSV.lines().skip(1) {
            if let Some(id) = line.split('\t').nth(3).and_then(|c| c.parse().ok()) {
                ids.insert(id);
            }
        }
        for line in COUNTRIES_TSV.lines().skip(1) {
            if let Some(id) = line.split('\t').nth(2).and_then(|c| c.parse().ok()) {
                ids.insert(id);
            }
        }
        ids
    });
    geonameid != 0 && !AREAS.contains(&geonameid)
}

/// Canadian provinces: GeoNames admin1 code, postal code, name, GeoNames id.
const PROVINCES: &[(&str, &str, &str, u64)] = &[
    ("01", "AB", "Alberta", 5883102),
    ("02", "BC", "British Columbia", 5909050),
    ("03", "MB", "Manitoba", 6065171),
    ("04", "NB", "New Brunswick", 6087430),
    ("05", "NL", "Newfoundland and Labrador", 6354959),
    ("07", "NS", "Nova Scotia", 6091530),
    ("08", "ON", "Ontario", 6093943),
    ("09", "PE", "Prince Edward Island", 6113358),
    ("10", "QC", "Quebec", 6115047),
    ("11", "SK", "Saskatchewan", 6141242),
    ("12", "YT", "Yukon", 6185811),
    ("13", "NT", "Northwest Territories", 6091069),
    ("14", "NU", "Nunavut", 6091732),
];

/// One entry in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Place(u32),
    Region(u16),
    County(u32),
    Country(u16),
}

#[derive(Debug)]
struct Place {
    name: &'static str,
    admin1: &'static str,
    country: &'static str,
    geonameid: u64,
    population: u64,
    lat: f32,
    lon: f32,
}

#[derive(Debug)]
struct Region {
    /// US/CA postal code; elsewhere the ISO 3166-2 code without the country prefix.
    code: String,
    name: String,
    /// Other names ("Bavaria" for Bayern).
    alternates: Vec<&'static str>,
    country: &'static str,
    geonameid: u64,
}

#[derive(Debug)]
struct County {
    name: String,
    state: String,
}

#[derive(Debug)]
struct Country {
    iso: &'static str,
    name: &'static str,
    geonameid: u64,
}

/// The in-memory gazetteer: every name form maps to a list of entries, most populous first.
#[derive(Debug)]
struct Gazetteer {
    places: Vec<Place>,
    regions: Vec<Region>,
    counties: Vec<County>,
    countries: Vec<Country>,
    /// Entries for each name form (key id).
    entries: Vec<Vec<Entry>>,
    /// Lower-case name with spaces and punctuation removed ("newyorkcity") -> pattern id.
    /// (UTF-8 bytes, so that URL pieces are squashed into a byte buffer.)
    squashed: HashMap<Vec<u8>, usize, FastHash>,
    /// Lower-case name form -> key id.
    key_ids: HashMap<String, usize, FastHash>,
    /// Every name form; every word-prefix of a multi-word name form ("new", "new york" for
    /// "new york city"), so that a scan extends a candidate only while it can still become a
    /// name; and the first word of every name form ("new" for "new york city", "o" for
    /// "o'fallon"); each marked with its kind. Checked before any hash map look-up.
    filter: NameFilter,
    /// US state and Canadian province lookup by upper-case postal code.
    region_by_code: HashMap<String, u16, FastHash>,
    /// Country lookup by ISO 3166-1 alpha-2 code and by country-code top-level domain
    /// (without the dot, "uk" for GB).
    country_by_iso: HashMap<&'static str, u16, FastHash>,
    country_by_tld: HashMap<&'static str, u16, FastHash>,
    /// Region by (country, code) ([`state_key`]): a state written after a name is looked for
    /// among the states of the name's own entries, not among all of them.
    region_by_state: HashMap<[u8; 5], u16, FastHash>,
    /// The first two bytes, lower case, of every region and country name ([`pair_index`]):
    /// most text after a name begins no such name, and is ruled out here.
    name_starts: Vec<u64>,
    /// For each key id: is the name of its first entry a common word, a first name or a
    /// foreign namesake? (For URLs, looked up per segment; precomputed like `word_class`.)
    first_entry_doubtful: Vec<bool>,
    /// For each key id: is it a common word, a first name, a foreign namesake?
    /// (Precomputed so that candidates cost no list scans.)
    word_class: Vec<WordClass>,
}

#[derive(Debug, Clone, Copy, Default)]
struct WordClass {
    common_word: bool,
    first_name: bool,
    foreign_namesake: bool,
    /// A generic neighbourhood, direction or landmark word ([`NEIGHBOURHOOD_WORDS`]).
    neighbourhood: bool,
}

static GAZETTEER: LazyLock<Result<Gazetteer, String>> = LazyLock::new(Gazetteer::build);

/// The columns of a TSV line, or an error naming the file and line.
fn tsv_columns<'a>(
    file: &str,
    line_no: usize,
    line: &'a str,
    min: usize,
) -> Result<Vec<&'a str>, String> {
    let cols: Vec<&str> = line.split('\t').collect();
    if cols.len() < min {
        return Err(format!(
            "{file} line {}: expected {min}+ columns",
            line_no + 1
        ));
    }
    Ok(cols)
}

impl Gazetteer {
    fn build() -> Result<Gazetteer, String> {
        let mut places = Vec::new();
        // Index of the alternates of each place (world cities only).
        let mut alternates: Vec<(u32, &'static str)> = Vec::new();
        for (file, data) in [
            ("us-ca-places.tsv", PLACES_TSV),
            ("world-places.tsv", WORLD_PLACES_TSV),
        ] {
            let world = file.starts_with("world");
            for (line_no, line) in data.lines().enumerate().skip(1) {
                let cols = tsv_columns(file, line_no, line, 7)?;
                let country: &'static str = cols[2];
                let admin1: &'static str = match country {
                    "US" => cols[3],
                    "CA" => match PROVINCES.iter().find(|p| p.0 == cols[3]) {
                        Some(p) => p.1,
                        None => continue,
                    },
                    // North America comes from its own, more detailed file.
                    _ if !world => continue,
                    _ => cols[3],
                };
                if world && matches!(country, "US" | "CA") {
                    continue;
                }
                let index = places.len() as u32;
                if world && let Some(alts) = cols.get(7) {
                    alternates.extend(
                        alts.split('|')
                            .filter(|a| !a.is_empty())
                            .map(|a| (index, a)),
                    );
                }
                places.push(Place {
                    name: cols[1],
                    admin1,
                    country,
                    geonameid: cols[0]
                        .parse()
                        .map_err(|_| format!("{file} line {}: bad id", line_no + 1))?,
                    population: cols[6].parse().unwrap_or(0),
                    lat: cols[4].parse().unwrap_or(f32::NAN),
                    lon: cols[5].parse().unwrap_or(f32::NAN),
                });
            }
        }

        #[derive(serde::Deserialize)]
        struct StateRow {
            code: String,
            name: String,
            geonameid: u64,
        }
        let states: HashMap<String, StateRow> =
            serde_json::from_str(STATES_JSON).map_err(|e| format!("us-states.json: {e}"))?;
        let mut regions: Vec<Region> = states
            .into_values()
            .map(|s| Region {
                code: s.code,
                name: s.name,
                alternates: Vec::new(),
                country: "US",
                geonameid: s.geonameid,
            })
            .collect();
        regions.sort_by(|a, b| a.code.cmp(&b.code));
        for (_, code, name, id) in PROVINCES {
            regions.push(Region {
                code: code.to_string(),
                name: name.to_string(),
                alternates: Vec::new(),
                country: "CA",
                geonameid: *id,
            });
        }
        // North American regions come first: `region_by_code` and state qualifiers rely on it.
        let north_american_regions = regions.len();
        let mut region_alternates: Vec<(u16, &'static str)> = Vec::new();
        for (line_no, line) in WORLD_ADMIN1_TSV.lines().enumerate().skip(1) {
            let cols = tsv_columns("world-admin1.tsv", line_no, line, 4)?;
            let index = regions.len() as u16;
            let alternates: Vec<&'static str> = cols
                .get(4)
                .map(|alts| alts.split('|').filter(|a| !a.is_empty()).collect())
                .unwrap_or_default();
            region_alternates.extend(alternates.iter().map(|&a| (index, a)));
            regions.push(Region {
                code: cols[1].to_string(),
                name: cols[2].to_string(),
                alternates,
                country: cols[0],
                geonameid: cols[3]
                    .parse()
                    .map_err(|_| format!("world-admin1.tsv line {}: bad id", line_no + 1))?,
            });
        }

        let mut countries = Vec::new();
        for (line_no, line) in COUNTRIES_TSV.lines().enumerate().skip(1) {
            let cols = tsv_columns("countries.tsv", line_no, line, 4)?;
            countries.push(Country {
                iso: cols[0],
                name: cols[1],
                geonameid: cols[2].parse().unwrap_or(0),
            });
        }
        let mut country_by_iso: HashMap<&'static str, u16, FastHash> =
            HashMap::with_hasher(FastHash);
        let mut country_by_tld: HashMap<&'static str, u16, FastHash> =
            HashMap::with_hasher(FastHash);
        for (line_no, line) in COUNTRIES_TSV.lines().enumerate().skip(1) {
            let cols = tsv_columns("countries.tsv", line_no, line, 4)?;
            let i = (line_no - 1) as u16;
            country_by_iso.insert(cols[0], i);
            if let Some(tld) = cols[3].strip_prefix('.') {
                country_by_tld.insert(tld, i);
            }
        }

        #[derive(serde::Deserialize)]
        struct CountyRow {
            name: String,
            state: String,
        }
        let county_rows: Vec<CountyRow> =
            serde_json::from_str(COUNTIES_JSON).map_err(|e| format!("us-counties.json: {e}"))?;
        let counties: Vec<County> = county_rows
            .into_iter()
            .map(|c| County {
                name: c.name,
                state: c.state,
            })
            .collect();

        // Collect every name form.
        let mut by_key: HashMap<String, Vec<Entry>, FastHash> =
            HashMap::with_capacity_and_hasher(1 << 17, FastHash);
        for (i, p) in places.iter().enumerate() {
            for key in name_forms(p.name) {
                by_key.entry(key).or_default().push(Entry::Place(i as u32));
            }
        }
        // "Makati City", "Quezon City": also the name without "City", where that names
        // nothing else.
        let mut city_forms = Vec::new();
        for (i, p) in places.iter().enumerate() {
            if !matches!(p.country, "US" | "CA")
                && let Some(short) = p.name.strip_suffix(" City")
            {
                for key in name_forms(short) {
                    if !by_key.contains_key(&key) {
                        city_forms.push((key, i as u32));
                    }
                }
            }
        }
        for (key, i) in city_forms {
            by_key.entry(key).or_default().push(Entry::Place(i));
        }
        for &(i, name) in &alternates {
            for key in name_forms(name) {
                by_key.entry(key).or_default().push(Entry::Place(i));
            }
        }
        for (i, r) in regions.iter().enumerate() {
            for key in name_forms(&r.name) {
                by_key.entry(key).or_default().push(Entry::Region(i as u16));
            }
        }
        for &(i, name) in &region_alternates {
            for key in name_forms(name) {
                by_key.entry(key).or_default().push(Entry::Region(i));
            }
        }
        for (i, c) in countries.iter().enumerate() {
            for key in name_forms(c.name) {
                by_key
                    .entry(key)
                    .or_default()
                    .push(Entry::Country(i as u16));
            }
        }
        for (i, c) in counties.iter().enumerate() {
            for key in name_forms(&c.name) {
                by_key.entry(key).or_default().push(Entry::County(i as u32));
            }
        }
        let mut keys: Vec<String> = by_key.keys().cloned().collect();
        keys.sort();
        let mut entries = Vec::with_capacity(keys.len());
        let mut squashed: HashMap<Vec<u8>, usize, FastHash> = HashMap::with_hasher(FastHash);
        for (id, key) in keys.iter().enumerate() {
            let mut list = by_key.remove(key).unwrap_or_default();
            // US states and Canadian provinces first (a state name means the state), then
            // places by population, then other countries' provinces, countries, counties.
            list.sort_by_key(|e| match *e {
                Entry::Region(i) if usize::from(i) < north_american_regions => (0, 0),
                Entry::Place(i) => (1, u64::MAX - places[i as usize].population),
                Entry::Region(_) => (2, 0),
                Entry::Country(_) => (3, 0),
                Entry::County(_) => (4, 0),
            });
            list.dedup();
            entries.push(list);
            squashed.entry(squash(key)).or_insert(id);
        }
        // The word lists hold lower-case ASCII words (a test checks), and keys are lower
        // case: set look-ups, not list scans (there are some 80,000 keys).
        let set = |list: &[&'static str]| list.iter().copied().collect::<HashSet<&str>>();
        let (common, first, foreign, neighbourhood) = (
            set(COMMON_WORDS),
            set(FIRST_NAMES),
            set(FOREIGN_NAMESAKES),
            set(NEIGHBOURHOOD_WORDS),
        );
        let census: HashSet<&str> = FIRST_NAMES_TXT.lines().map(str::trim).collect();
        let word_class = keys
            .iter()
            .map(|k| WordClass {
                common_word: common.contains(k.as_str()),
                first_name: first.contains(k.as_str()) || census.contains(k.as_str()),
                foreign_namesake: foreign.contains(k.as_str()),
                neighbourhood: neighbourhood.contains(k.as_str()),
            })
            .collect();
        // The lists hold lower-case ASCII words (a test checks), so a name is in one of
        // them, ignoring ASCII case, when its ASCII lower-case form is in this set.
        let doubtful: HashSet<&str> = COMMON_WORDS
            .iter()
            .chain(FIRST_NAMES)
            .chain(FOREIGN_NAMESAKES)
            .copied()
            .collect();
        let first_entry_doubtful = entries
            .iter()
            .map(|list: &Vec<Entry>| {
                list.first().is_some_and(|&e| {
                    let name: &str = match e {
                        Entry::Place(i) => places[i as usize].name,
                        Entry::Region(i) => &regions[i as usize].name,
                        Entry::County(i) => &counties[i as usize].name,
                        Entry::Country(i) => countries[i as usize].name,
                    };
                    doubtful.contains(name.to_ascii_lowercase().as_str())
                })
            })
            .collect();
        // Names are found by looking words up in a hash map (one lookup per word of text);
        // an Aho-Corasick automaton over the names was several times slower to build and
        // to run. Most words are ruled out before that by the filter.
        // The first words of names that are only other countries' cities and provinces are
        // kept apart (`WorldHead`): a text is scanned for those only when the ad has evidence
        // of a country outside North America, so that words such as "a", "in", "my", "time",
        // "roses" (A Coruña, In Salah, My Tho, Time, Roses) cost nothing in other ads.
        let mut filter = NameFilter::new();
        for (id, key) in keys.iter().enumerate() {
            filter.insert(NameKind::Key, NameHash::default().extend(key.as_bytes()));
            let head = name_head(key);
            let world_only = entries[id].iter().all(|&e| match e {
                Entry::Place(i) => !matches!(places[i as usize].country, "US" | "CA"),
                Entry::Region(i) => usize::from(i) >= north_american_regions,
                Entry::County(_) | Entry::Country(_) => false,
            });
            let kind = if world_only {
                NameKind::WorldHead
            } else {
                NameKind::Head
            };
            filter.insert(kind, NameHash::HEAD.extend(head.as_bytes()));
            for prefix in name_prefixes(key) {
                filter.insert(
                    NameKind::Prefix,
                    NameHash::default().extend(prefix.as_bytes()),
                );
            }
        }
        let key_ids = keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
        let region_by_code = regions[..north_american_regions]
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i as u16))
            .collect();
        let mut region_by_state: HashMap<[u8; 5], u16, FastHash> = HashMap::with_hasher(FastHash);
        let mut name_starts = vec![0u64; 1 << 10];
        let mut mark = |name: &str| {
            if let Some(i) = pair_index(name.as_bytes()) {
                name_starts[i / 64] |= 1 << (i % 64);
            }
        };
        for (i, r) in regions.iter().enumerate() {
            if let Some(key) = state_key(r.country, &r.code) {
                region_by_state.entry(key).or_insert(i as u16);
            }
            mark(&r.name);
            r.alternates.iter().for_each(|a| mark(a));
        }
        countries.iter().for_each(|c| mark(c.name));
        Ok(Gazetteer {
            places,
            regions,
            counties,
            countries,
            entries,
            squashed,
            key_ids,
            filter,
            region_by_code,
            country_by_iso,
            country_by_tld,
            region_by_state,
            name_starts,
            first_entry_doubtful,
            word_class,
        })
    }

    /// The next name at or after byte `from` of `text`: (start, end, key id). Looks at each
    /// word start and takes the longest run of up to six words that is a name form.
    /// `lowered` is a scratch buffer reused across calls.
    ///
    /// This runs over every word of every title and body, so it reads ASCII bytes directly
    /// and decodes a `char` only where a byte is not ASCII (see [`char_at`], [`char_before`]),
    /// and most words are ruled out by [`NameFilter`] on their first word alone, without
    /// building a lower-case copy or touching the hash maps.
    fn next_name(
        &self,
        text: &str,
        from: usize,
        world: bool,
        lowered: &mut String,
    ) -> Option<(usize, usize, usize)> {
        let bytes = text.as_bytes();
        // Whether the character before `pos` is a word character (alphanumeric or '_'): a
        // word starts only after one that is not. Tracked as the scan goes rather than
        // decoded again at each word.
        let mut prev_is_word =
            char_before(text, from).is_some_and(|p| is_alphanumeric(p) || p == '_');
        let mut pos = from;
        while pos < bytes.len() {
            // Find the next word start.
            let b = bytes[pos];
            if ASCII_ALNUM_LOWER[usize::from(b)] == 0 {
                if b.is_ascii() {
                    prev_is_word = b == b'_';
                    pos += 1;
                    continue;
                }
                let Some(c) = char_at(text, pos) else {
                    break;
                };
                if !is_alphanumeric(c) {
                    prev_is_word = false;
                    pos += c.len_utf8();
                    continue;
                }
            }
            // The alphanumeric run from here: the word's "head" (a word ends at an apostrophe
            // too, in the name index). If no name form begins with it, no name starts here.
            let (run_end, head) = alphanumeric_run(text, pos);
            if !prev_is_word
                && (self.filter.may_contain(NameKind::Head, head)
                    || world && self.filter.may_contain(NameKind::WorldHead, head))
                && let Some((name_end, id)) = self.longest_name_at(text, pos, lowered)
            {
                return Some((pos, name_end, id));
            }
            // No name starts here: skip this word (its last character is alphanumeric).
            prev_is_word = true;
            pos = run_end;
        }
        None
    }

    /// The longest name form starting at the word start `pos`: (end, key id). Extends word
    /// by word (up to six) while the words so far are a prefix of some longer name.
    fn longest_name_at(
        &self,
        text: &str,
        pos: usize,
        lowered: &mut String,
    ) -> Option<(usize, usize)> {
        let bytes = text.as_bytes();
        // The candidate name is always `text[pos..end]` spelt as the index spells it
        // ([`lower_name_into`]), and `hash` its `NameHash`, kept up to date word by word: a
        // look-up builds that string (in `lowered`) only if `self.filter` lets it through.
        let mut hash = NameHash::default();
        let mut best: Option<(usize, usize)> = None;
        let mut end = pos;
        for _ in 0..6 {
            // Consume one word; note where an apostrophe starts ("Raleigh's").
            let (word_end, word_hash, apostrophe) = lowered_word(text, end, hash);
            hash = word_hash;
            end = word_end;
            if let Some(id) = self.key_id(&text[pos..end], hash, lowered) {
                best = Some((end, id));
            } else if let Some((text_cut, cut_hash)) = apostrophe {
                // "Raleigh's": the name without its possessive ends the search.
                if let Some(id) = self.key_id(&text[pos..text_cut], cut_hash, lowered) {
                    best = Some((text_cut, id));
                }
                break;
            }
            // A name may end in "." ("St." alone is rare, but "Ft." is not).
            if bytes.get(end) == Some(&b'.')
                && let Some(id) = self.key_id(&text[pos..end + 1], hash.push(b'.'), lowered)
            {
                best = Some((end + 1, id));
            }
            // The separator to the next word: " ", "-", or ". " after an abbreviation.
            let (dot, sep_len) = match (bytes.get(end), bytes.get(end + 1)) {
                (Some(b' '), _) | (Some(b'-'), _) => (false, 1),
                (Some(b'.'), Some(b' ')) => (true, 2),
                _ => break,
            };
            let next_start = end + sep_len;
            if !char_at(text, next_start).is_some_and(is_alphanumeric) {
                break;
            }
            // Only go on while the words so far (with the dot) may begin some longer name.
            // The filter's "maybe" is enough, without a look-up to confirm it: if the words so
            // far, P, begin no name, then no longer name starting with P and this separator
            // exists either, so going on finds nothing and `best` stays as it is.
            let prefix_end = if dot { end + 1 } else { end };
            if dot {
                hash = hash.push(b'.');
            }
            if !self.filter.may_contain(NameKind::Prefix, hash) {
                break;
            }
            hash = hash.push(bytes[prefix_end]);
            end = next_start;
        }
        best
    }

    /// The key id of the name form written `candidate` in the text (whose spelling in the
    /// index, see [`lower_name_into`], has hash `hash`), if it is one. The spelling is built
    /// only when `self.filter` does not rule it out: on the stack for ASCII text, else in
    /// `lowered` (a scratch buffer allocated only for such names).
    ///
    /// Inlined so that the filter's usual "no" costs no call; the look-up itself is not.
    #[inline(always)]
    fn key_id(&self, candidate: &str, hash: NameHash, lowered: &mut String) -> Option<usize> {
        if !self.filter.may_contain(NameKind::Key, hash) {
            return None;
        }
        self.look_up_key(candidate, lowered)
    }

    /// The key id of the name form written `candidate` in the text, if it is one (see
    /// [`Gazetteer::key_id`]).
    #[inline(never)]
    fn look_up_key(&self, candidate: &str, lowered: &mut String) -> Option<usize> {
        let mut buffer = [0; 64];
        if let Some(ascii) = buffer.get_mut(..candidate.len())
            && candidate.is_ascii()
        {
            ascii.copy_from_slice(candidate.as_bytes());
            ascii.make_ascii_lowercase();
            // Always valid: lower-case ASCII is UTF-8.
            if let Ok(spelling) = std::str::from_utf8(ascii) {
                return self.key_ids.get(spelling).copied();
            }
        }
        lower_name_into(lowered, candidate);
        self.key_ids.get(lowered.as_str()).copied()
    }

    fn population(&self, entry: Entry) -> u64 {
        match entry {
            Entry::Place(i) => self.places[i as usize].population,
            _ => 0,
        }
    }

    /// (country, admin1) of an entry; a country's admin1 is empty.
    fn state_of(&self, entry: Entry) -> (&str, &str) {
        match entry {
            Entry::Place(i) => {
                let p = &self.places[i as usize];
                (p.country, p.admin1)
            }
            Entry::Region(i) => {
                let r = &self.regions[i as usize];
                (r.country, &r.code)
            }
            Entry::County(i) => ("US", &self.counties[i as usize].state),
            Entry::Country(i) => (self.countries[i as usize].iso, ""),
        }
    }

    /// Latitude and longitude of a city or town.
    fn coordinates(&self, entry: Entry) -> Option<(f32, f32)> {
        match entry {
            Entry::Place(i) => {
                let p = &self.places[i as usize];
                (p.lat.is_finite() && p.lon.is_finite()).then_some((p.lat, p.lon))
            }
            _ => None,
        }
    }

    /// Is the entry in the United States or Canada?
    fn is_north_american(&self, entry: Entry) -> bool {
        matches!(self.state_of(entry).0, "US" | "CA")
    }

    fn location(&self, entry: Entry, raw: String, span: Span, field: Field) -> Location {
        let (name, admin1, country, geonameid): (&str, &str, &str, u64) = match entry {
            Entry::Place(i) => {
                let p = &self.places[i as usize];
                (p.name, p.admin1, p.country, p.geonameid)
            }
            Entry::Region(i) => {
                let r = &self.regions[i as usize];
                (&r.name, &r.code, r.country, r.geonameid)
            }
            // Counties come from a FIPS list without GeoNames ids.
            Entry::County(i) => {
                let c = &self.counties[i as usize];
                (&c.name, &c.state, "US", 0)
            }
            Entry::Country(i) => {
                let c = &self.countries[i as usize];
                (c.name, "", c.iso, c.geonameid)
            }
        };
        Location {
            name: name.to_string(),
            admin1: admin1.to_string(),
            country: country.to_string(),
            geonameid,
            raw,
            span,
            field,
        }
    }

    /// The region whose postal code is `code` in any case ("nc", "Nc"), without allocating
    /// an upper-case copy.
    fn region_by_code_any_case(&self, code: &str) -> Option<u16> {
        let &[a, b] = code.as_bytes() else {
            return None;
        };
        let upper = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
        let upper = std::str::from_utf8(&upper).ok()?;
        self.region_by_code.get(upper).copied()
    }

    /// Does a US or Canadian postal code follow at `pos` (", DC", " NC")? For telling "Dupont,
    /// Washington, DC" (Washington the city) from "Spokane, Washington" (the state).
    fn postal_code_after(&self, text: &str, pos: usize) -> bool {
        let bytes = text.as_bytes();
        let mut p = pos;
        while p < bytes.len() && p < pos + 3 && matches!(bytes[p], b' ' | b',' | b'-' | b'/') {
            p += 1;
        }
        p > pos
            && bytes.len() >= p + 2
            && bytes[p].is_ascii_uppercase()
            && bytes[p + 1].is_ascii_uppercase()
            && !bytes.get(p + 2).is_some_and(u8::is_ascii_alphanumeric)
            && self.region_by_code_any_case(&text[p..p + 2]).is_some()
    }

    /// A state, province or country written at `pos` after a place name that one of the
    /// name's `entries` lies in: ", NC", " NC", ",NC", " North Carolina", ", N.C.", " NSW",
    /// ", Maharashtra", ", India". Codes must be upper case unless `any_case`. Returns that
    /// entry and the end of the qualifier.
    fn qualified_entry(
        &self,
        text: &str,
        pos: usize,
        any_case: bool,
        entries: &[Entry],
    ) -> Option<(Entry, usize)> {
        let bytes = text.as_bytes();
        let mut p = pos;
        let mut steps = 0;
        while p < bytes.len()
            && matches!(bytes[p], b' ' | b',' | b'\t' | b'-' | b'/' | b'(')
            && steps < 3
        {
            p += 1;
            steps += 1;
        }
        if p == pos && bytes.get(p).is_some_and(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        // In free text a state is written with a capital ("NC", "North Carolina"): most
        // candidates are followed by a lower-case word, so stop here for those.
        if !any_case && !bytes.get(p).is_some_and(u8::is_ascii_uppercase) {
            return None;
        }
        let places = || {
            entries
                .iter()
                .copied()
                .filter(|e| !matches!(e, Entry::Region(_) | Entry::Country(_)))
        };
        let name_at = |name: &str| {
            let n = name.len();
            n > 0
                && bytes.len() >= p + n
                && text.is_char_boundary(p + n)
                && text[p..p + n].eq_ignore_ascii_case(name)
                && !bytes.get(p + n).is_some_and(u8::is_ascii_alphanumeric)
        };
        // Full names first ("North Carolina" before "NC"): the names of the states of the
        // name's own entries, then of their countries.
        let may_be_name = pair_index(&bytes[p..])
            .is_some_and(|i| self.name_starts[i / 64] & (1 << (i % 64)) != 0);
        if may_be_name {
            for e in places() {
                let (country, admin1) = self.state_of(e);
                let Some(&i) =
                    state_key(country, admin1).and_then(|k| self.region_by_state.get(&k))
                else {
                    continue;
                };
                let r = &self.regions[usize::from(i)];
                for name in std::iter::once(r.name.as_str()).chain(r.alternates.iter().copied()) {
                    if !name_at(name) {
                        continue;
                    }
                    let end = p + name.len();
                    // "Dupont, Washington, DC": the state name is a city of the state after it.
                    if self.postal_code_after(text, end) {
                        return None;
                    }
                    return Some((e, end));
                }
            }
            for e in places() {
                let country = self.state_of(e).0;
                if let Some(&i) = self.country_by_iso.get(country) {
                    let c = &self.countries[usize::from(i)];
                    if name_at(c.name) {
                        return Some((e, p + c.name.len()));
                    }
                }
            }
        }
        // A code, optionally dotted ("N.C."): two letters, or three for other countries'
        // provinces ("NSW").
        let (code, end): (&[u8], usize) = if bytes.len() >= p + 4
            && bytes[p].is_ascii_alphabetic()
            && bytes[p + 1] == b'.'
            && bytes[p + 2].is_ascii_alphabetic()
            && bytes[p + 3] == b'.'
        {
            (&[bytes[p], bytes[p + 2]][..], p + 4)
        } else {
            let len = bytes[p..]
                .iter()
                .take(4)
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            if !(2..=3).contains(&len) || bytes.get(p + len).is_some_and(u8::is_ascii_alphanumeric)
            {
                return None;
            }
            (&bytes[p..p + len], p + len)
        };
        if !(any_case || code.iter().all(u8::is_ascii_uppercase)) {
            return None;
        }
        let mut upper = [0u8; 3];
        let upper = &mut upper[..code.len()];
        upper.copy_from_slice(code);
        upper.make_ascii_uppercase();
        let code = std::str::from_utf8(upper).ok()?;
        if let Some(&r) = self.region_by_code.get(code) {
            let r = &self.regions[usize::from(r)];
            if let Some(e) = places().find(|&e| self.state_of(e) == (r.country, r.code.as_str())) {
                return Some((e, end));
            }
        }
        // Other countries' province codes: only for a name that has a place there.
        places()
            .find(|&e| {
                let (country, admin1) = self.state_of(e);
                !matches!(country, "US" | "CA") && admin1 == code
            })
            .map(|e| (e, end))
    }
}

/// A fixed-size key for (country, region code): two bytes of country, up to three of code.
fn state_key(country: &str, code: &str) -> Option<[u8; 5]> {
    let (c, k) = (country.as_bytes(), code.as_bytes());
    if c.len() != 2 || k.is_empty() || k.len() > 3 {
        return None;
    }
    let mut key = [0; 5];
    key[..2].copy_from_slice(c);
    key[2..2 + k.len()].copy_from_slice(k);
    Some(key)
}

/// The index (of 65,536) of the first two bytes of `bytes`, ASCII lower case.
fn pair_index(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [a, b, ..] => {
            Some(usize::from(a.to_ascii_lowercase()) << 8 | usize::from(b.to_ascii_lowercase()))
        }
        _ => None,
    }
}

/// Lower-case forms under which a name is indexed: the name itself, an accent-free form, and
/// the usual abbreviations ("St. Louis" / "St Louis" / "Saint Louis", "Fort"/"Ft.").
fn name_forms(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut forms = vec![lower.clone()];
    let folded = fold_accents(&lower);
    if folded != lower {
        forms.push(folded.clone());
    }
    for (long, shorts) in [
        ("saint ", &["st. ", "st "][..]),
        ("st. ", &["saint ", "st "][..]),
        ("sainte ", &["ste. ", "ste "][..]),
        ("fort ", &["ft. ", "ft "][..]),
        ("mount ", &["mt. ", "mt "][..]),
    ] {
        if let Some(rest) = folded.strip_prefix(long) {
            for s in shorts {
                forms.push(format!("{s}{rest}"));
            }
        }
    }
    // "Winston-Salem" is also written "Winston Salem".
    if folded.contains('-') {
        forms.push(folded.replace('-', " "));
    }
    forms.retain(|f| f.len() >= 3);
    forms.sort();
    forms.dedup();
    forms
}

fn fold_accents(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    if s.is_ascii() {
        return s.to_string();
    }
    use unicode_normalization::char::is_combining_mark;
    s.nfkd()
        .filter(|&c| !is_combining_mark(c))
        .map(|c| match c {
            '–' | '—' => '-',
            '’' => '\'',
            other => other,
        })
        .collect()
}

/// A small multiplicative hash (FxHash) for the name lookups, which run once per word of
/// text: the keys are fixed, trusted data, so SipHash's flood resistance is not needed.
#[derive(Debug, Clone, Copy, Default)]
struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The word-prefixes of a name form that go on with a space or a hyphen ("new", "new york"
/// for "new york city").
fn name_prefixes(key: &str) -> impl Iterator<Item = &str> {
    key.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b' ' || b == b'-')
        .map(|(i, _)| &key[..i])
}

/// The first word of a lower-case name form: up to the first space, hyphen, dot or
/// apostrophe ("new" for "new york", "st" for "st. louis", "o" for "o'fallon").
///
/// In text, a word's alphanumeric run, lower-cased, is followed in every string that
/// [`Gazetteer::next_name`] looks up by nothing or by one of these four characters (lower-case
/// letters and digits never are one), so a word whose run is not the head of some name form
/// cannot start a name.
fn name_head(key: &str) -> &str {
    key.find([' ', '-', '.', '\'']).map_or(key, |i| &key[..i])
}

/// The end of the run of alphanumeric characters starting at byte `from` of `text` (a char
/// boundary), and the hash of its lower-case form (as `next_name` lower-cases it: ASCII bytes
/// directly, other characters by `char::to_lowercase`) as a head, from [`NameHash::HEAD`].
fn alphanumeric_run(text: &str, from: usize) -> (usize, NameHash) {
    let bytes = text.as_bytes();
    let mut hash = NameHash::HEAD;
    let mut at = from;
    loop {
        // ASCII letters and digits, in a loop of its own (a load, a table load, a test and the
        // hash step per byte); other characters below.
        while let Some(&lower) = bytes.get(at).map(|&b| &ASCII_ALNUM_LOWER[usize::from(b)]) {
            if lower == 0 {
                break;
            }
            hash = hash.push(lower);
            at += 1;
        }
        if bytes.get(at).is_none_or(u8::is_ascii) {
            return (at, hash);
        }
        let Some(c) = char_at(text, at).filter(|&c| is_alphanumeric(c)) else {
            return (at, hash);
        };
        for lower in c.to_lowercase() {
            hash = hash.extend(lower.encode_utf8(&mut [0; 4]).as_bytes());
        }
        at += c.len_utf8();
    }
}

/// How a name found in text is spelt in the index: lower case, with both apostrophes as
/// "'" ("Raleigh’s" -> "raleigh's"); the separators between words (" ", "-", ". ") stay as
/// they are. `out` is cleared first.
fn lower_name_into(out: &mut String, text: &str) {
    out.clear();
    // Room for most names at the first use, so the buffer does not grow step by step.
    out.reserve(64);
    if text.is_ascii() {
        // ASCII case-folding keeps the apostrophe "'" as it is.
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    for c in text.chars() {
        if c == '’' {
            out.push('\'');
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// The word of a name at byte `from` of `text` (letters, digits and apostrophes): its end,
/// `hash` extended by the word's spelling in the index (see [`lower_name_into`]), and where
/// its first apostrophe is, with the hash up to it.
fn lowered_word(
    text: &str,
    from: usize,
    mut hash: NameHash,
) -> (usize, NameHash, Option<(usize, NameHash)>) {
    let bytes = text.as_bytes();
    let mut apostrophe = None;
    let mut at = from;
    loop {
        // ASCII bytes in a loop of their own (as in `alphanumeric_run`).
        while let Some(&lower) = bytes.get(at).map(|&b| &ASCII_WORD_LOWER[usize::from(b)]) {
            if lower == 0 {
                break;
            }
            if lower == b'\'' && apostrophe.is_none() {
                apostrophe = Some((at, hash));
            }
            hash = hash.push(lower);
            at += 1;
        }
        if bytes.get(at).is_none_or(u8::is_ascii) {
            break;
        }
        let Some(c) = char_at(text, at) else {
            break;
        };
        if c == '’' {
            if apostrophe.is_none() {
                apostrophe = Some((at, hash));
            }
            hash = hash.push(b'\'');
        } else if is_alphanumeric(c) {
            for lower in c.to_lowercase() {
                hash = hash.extend(lower.encode_utf8(&mut [0; 4]).as_bytes());
            }
        } else {
            break;
        }
        at += c.len_utf8();
    }
    (at, hash, apostrophe)
}

/// [`ASCII_ALNUM_LOWER`] with the apostrophe "'" too: the bytes of a word of a name.
static ASCII_WORD_LOWER: [u8; 256] = {
    let mut table = ASCII_ALNUM_LOWER;
    table[b'\'' as usize] = b'\'';
    table
};

/// For each byte: its lower-case form if it is an ASCII letter or digit, else 0. One table
/// load per byte instead of the range tests of `is_ascii_alphanumeric` and
/// `to_ascii_lowercase` (this runs over every byte of every word).
static ASCII_ALNUM_LOWER: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphanumeric() {
            table[b] = (b as u8).to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Unicode blocks with no letter or digit (`char::is_alphanumeric` is false throughout, as a
/// test checks): general punctuation (’ “ ” • …), arrows and technical symbols, box drawing,
/// shapes, miscellaneous symbols and dingbats (up to the circled digits), variation
/// selectors, and the emoji planes' pictographs.
const SYMBOL_BLOCKS: &[(char, char)] = &[
    ('\u{2000}', '\u{206F}'),
    ('\u{2190}', '\u{245F}'),
    ('\u{2500}', '\u{2775}'),
    ('\u{2794}', '\u{27BF}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{1F300}', '\u{1FAFF}'),
];

/// `char::is_alphanumeric`, answered without the Unicode tables for ASCII and for the
/// symbols ads are full of (emoji, curly quotes, dingbats; see [`SYMBOL_BLOCKS`]): the
/// table look-up costs a hundred or more instructions per character.
fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if SYMBOL_BLOCKS
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
    {
        return false;
    }
    c.is_alphanumeric()
}

/// A hash of a lower-case name (FxHash-style, one byte at a time), computed incrementally as
/// a word is read, so that [`NameFilter`] can be asked before any string is built or hashed
/// again for a hash map.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct NameHash(u64);

impl NameHash {
    /// Where the hash of a name's first word starts: [`NameKind::Head`]'s byte comes first
    /// (the other kinds' come last, see [`NameKind::tag`]), so the scan, which hashes every
    /// word of the text, pays nothing to mark it.
    const HEAD: NameHash = NameHash(0).push(NameKind::Head as u8);

    const fn push(self, b: u8) -> NameHash {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        NameHash((self.0.rotate_left(5) ^ b as u64).wrapping_mul(SEED))
    }

    fn extend(self, bytes: &[u8]) -> NameHash {
        bytes.iter().fold(self, |h, &b| h.push(b))
    }
}

/// What a string in [`NameFilter`] is. Each kind is hashed with its own extra byte (never
/// part of UTF-8 text), so that a word that only begins names ("the" of "the woodlands")
/// does not pass as a name form itself.
#[derive(Debug, Clone, Copy)]
enum NameKind {
    /// A name form (a key of `key_ids`).
    Key = 0xFD,
    /// A multi-word prefix of a name form ([`name_prefixes`]).
    Prefix = 0xFE,
    /// The first word of a name form ([`name_head`]).
    Head = 0xFF,
    /// The first word of a name form that only other countries' places have.
    WorldHead = 0xFC,
}

impl NameKind {
    /// The hash the filter holds for a string of this kind with hash `hash`: followed by
    /// the kind's byte, except for a head, whose hash starts with it ([`NameHash::HEAD`]).
    fn tag(self, hash: NameHash) -> NameHash {
        match self {
            NameKind::Head => hash,
            NameKind::Key | NameKind::Prefix | NameKind::WorldHead => hash.push(self as u8),
        }
    }
}

/// A Bloom filter (two bits per string, in 2^21 bits = 256 KiB) over the strings the name
/// index can match. A "no" is certain, so most words of a text are ruled out after one
/// pass over their bytes; a "yes" (about 1% false positives) is checked in the hash maps.
#[derive(Debug)]
struct NameFilter {
    bits: Vec<u64>,
}

impl NameFilter {
    const BITS_LOG2: u32 = 21;

    fn new() -> NameFilter {
        NameFilter {
            bits: vec![0; 1 << (Self::BITS_LOG2 - 6)],
        }
    }

    /// The two bit positions of a hash: its top bits, and the bits below those (the
    /// multiplication in [`NameHash::push`] mixes best into the high bits).
    fn positions(hash: NameHash) -> [usize; 2] {
        let mask = (1 << Self::BITS_LOG2) - 1;
        [
            (hash.0 >> (64 - Self::BITS_LOG2)) as usize,
            (hash.0 >> (64 - 2 * Self::BITS_LOG2)) as usize & mask,
        ]
    }

    fn insert(&mut self, kind: NameKind, hash: NameHash) {
        for p in Self::positions(kind.tag(hash)) {
            self.bits[p / 64] |= 1 << (p % 64);
        }
    }

    fn may_contain(&self, kind: NameKind, hash: NameHash) -> bool {
        Self::positions(kind.tag(hash))
            .iter()
            .all(|&p| self.bits[p / 64] & (1 << (p % 64)) != 0)
    }
}

/// Lower-case letters and digits only, as UTF-8: "New York" -> "newyork".
fn squash(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    squash_into(&mut out, s);
    out
}

/// [`squash`] into a reused byte buffer (`out` is cleared first), as UTF-8.
fn squash_into(out: &mut Vec<u8>, s: &str) {
    out.clear();
    for c in s.chars() {
        push_squashed(out, c);
    }
}

/// Append what [`squash`] keeps of `c`, as UTF-8. ASCII characters go through one table
/// load instead of the `char::is_alphanumeric` and `char::to_lowercase` iterators.
fn push_squashed(out: &mut Vec<u8>, c: char) {
    if c.is_ascii() {
        let lower = ASCII_ALNUM_LOWER[c as usize];
        if lower != 0 {
            out.push(lower);
        }
    } else if is_alphanumeric(c) {
        for lower in c.to_lowercase() {
            out.extend_from_slice(lower.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
}

/// A word of a URL slug: its byte range in the path segment, and the range of its squashed
/// form in the buffer [`slug_words`] fills.
/// The last word of a site's section for a place ("dallas-escorts", "tacoma-bodyrubs").
fn is_section_word(word: &str) -> bool {
    [
        "escorts",
        "escort",
        "bodyrubs",
        "bodyrub",
        "massage",
        "massages",
        "strippers",
        "personals",
        "classifieds",
        "ts",
        "transsexuals",
    ]
    .iter()
    .any(|w| w.eq_ignore_ascii_case(word))
}

/// What follows a direction at the start of a squashed segment ("southernmaryland" →
/// "maryland"), when something does.
fn strip_direction(squashed: &[u8]) -> Option<&[u8]> {
    const DIRECTIONS: [&[u8]; 16] = [
        b"southeastern",
        b"southwestern",
        b"northeastern",
        b"northwestern",
        b"southeast",
        b"southwest",
        b"northeast",
        b"northwest",
        b"southern",
        b"northern",
        b"eastern",
        b"western",
        b"central",
        b"south",
        b"north",
        b"west",
    ];
    DIRECTIONS
        .iter()
        .find_map(|d| squashed.strip_prefix(*d))
        .filter(|rest| rest.len() >= 4)
}

struct SlugWord {
    start: usize,
    end: usize,
    squashed_start: usize,
    squashed_end: usize,
}

/// Split a URL path segment into slug words (the non-empty pieces between '-', '_', '+', '.'
/// and ','), and squash each into `squashed`, end to end (both buffers are cleared first).
/// One pass instead of splitting and then squashing each window of words again: the
/// squashed form of consecutive words is one slice of `squashed`, and of the whole segment
/// all of it, since the separators are not alphanumeric.
fn slug_words(segment: &str, words: &mut Vec<SlugWord>, squashed: &mut Vec<u8>) {
    words.clear();
    squashed.clear();
    let bytes = segment.as_bytes();
    // Start of the current word: in the segment, and in `squashed`.
    let mut current: Option<(usize, usize)> = None;
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if matches!(b, b'-' | b'_' | b'+' | b'.' | b',') {
            if let Some((start, squashed_start)) = current.take() {
                words.push(SlugWord {
                    start,
                    end: at,
                    squashed_start,
                    squashed_end: squashed.len(),
                });
            }
            at += 1;
            continue;
        }
        current.get_or_insert((at, squashed.len()));
        // ASCII bytes by table (see `push_squashed`), other characters decoded.
        let lower = ASCII_ALNUM_LOWER[usize::from(b)];
        if lower != 0 {
            squashed.push(lower);
            at += 1;
        } else if b.is_ascii() {
            at += 1;
        } else {
            let Some(c) = char_at(segment, at) else {
                break;
            };
            push_squashed(squashed, c);
            at += c.len_utf8();
        }
    }
    if let Some((start, squashed_start)) = current {
        words.push(SlugWord {
            start,
            end: segment.len(),
            squashed_start,
            squashed_end: squashed.len(),
        });
    }
}

/// The ISO code of a country as the bundled countries table spells it (a `'static` string).
fn country_iso(iso: &str) -> Option<&'static str> {
    let g = GAZETTEER.as_ref().ok()?;
    g.country_by_iso
        .get(iso)
        .map(|&i| g.countries[usize::from(i)].iso)
}

/// How much a place found in the location field or URL says about the ad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// Written with its state ("Raleigh, NC", "raleigh-nc"), or a state on its own: fixed, and
    /// evidence for the rest of the ad.
    Fixed,
    /// The whole location field, a host label or a whole path segment: evidence for the rest
    /// of the ad, but an ambiguous name still goes to the namesake the ad's phones agree with
    /// ("washington" with a 202 number is Washington, DC).
    Anchor,
    /// Beside other words in the location field, or a word of a URL slug: kept only if it
    /// agrees with the rest of the ad.
    MustAgree,
}

/// A place found in the location field or URL, remembered for the final check.
#[derive(Debug, Clone)]
struct FoundPlace {
    key_id: usize,
    entry: Entry,
    trust: Trust,
    /// A common word, first name or foreign namesake: with no evidence at all, dropped.
    doubtful: bool,
    field: Field,
    span: Span,
}

/// What the location field and URL say about where the ad is (states, countries, cities),
/// and the places found there, for the final consistency check of
/// [`PlaceFinder::find_in_ad_text`].
#[derive(Debug, Clone, Default)]
pub struct PlaceContext {
    /// Fixed evidence: states written with a place or alone, state codes of the URL path,
    /// the country of the URL's country-code domain.
    fixed: Evidence,
    found: Vec<FoundPlace>,
}

impl PlaceContext {
    /// Countries the location field and URL give so far (ISO 3166-1 alpha-2), in the order
    /// found: evidence for the ad's phone region.
    pub fn countries(&self) -> Vec<&'static str> {
        let mut out = self.fixed.countries.clone();
        if let Ok(g) = GAZETTEER.as_ref() {
            for f in self.found.iter().filter(|f| f.trust != Trust::MustAgree) {
                let country = g.state_of(f.entry).0;
                if !out.contains(&country) {
                    out.push(country);
                }
            }
        }
        out
    }

    /// The evidence of the fixed facts and the anchors (not the places that must agree).
    fn evidence(&self, g: &'static Gazetteer) -> Evidence {
        let mut e = self.fixed.clone();
        for f in self.found.iter().filter(|f| f.trust != Trust::MustAgree) {
            add_entry(&mut e, g, f.entry);
        }
        e
    }

    #[cfg(test)]
    fn add(&mut self, country: &'static str, admin1: &'static str) {
        self.fixed.add_state(country, admin1);
    }
}

/// Add an entry's state (or country) and coordinates to `evidence`.
fn add_entry(evidence: &mut Evidence, g: &'static Gazetteer, entry: Entry) {
    let (country, admin1) = g.state_of(entry);
    evidence.add_state(country, admin1);
    if let Some(at) = g.coordinates(entry) {
        evidence.add_anchor(at);
    }
}

/// Finds places. Built once by [`crate::extract::Extractor`]; the index itself is shared.
#[derive(Debug)]
pub struct PlaceFinder {
    gazetteer: &'static Gazetteer,
}

/// A name found in a field, with the state written after it, if any.
struct Candidate {
    start: usize,
    end: usize,
    key_id: usize,
    /// The entry in the state (or country) written right after the name, and the end of that.
    qualified: Option<(Entry, usize)>,
}

impl PlaceFinder {
    pub fn new() -> Result<PlaceFinder, TextError> {
        match &*GAZETTEER {
            Ok(g) => Ok(PlaceFinder { gazetteer: g }),
            Err(message) => Err(TextError::Gazetteer {
                message: message.clone(),
            }),
        }
    }

    /// The names in a field, and the state written after each. `any_case`: state codes may
    /// be lower case (the location field). `world`: look for names that only other
    /// countries' places have, too (see [`NameKind::WorldHead`]).
    fn candidates(&self, haystack: &str, any_case: bool, world: bool) -> Vec<Candidate> {
        let g = self.gazetteer;
        let bytes = haystack.as_bytes();
        let mut candidates = Vec::new();
        // Allocated only if some word gets past the name filter.
        let mut lowered = String::new();
        let mut resume = 0;
        while let Some((start, end, key_id)) = g.next_name(haystack, resume, world, &mut lowered) {
            resume = end;
            // A name inside an email address or URL belongs to that, not to the text.
            if start > 0 && matches!(bytes[start - 1], b'@' | b'.' | b'/') {
                continue;
            }
            let qualified = g.qualified_entry(haystack, end, any_case, &g.entries[key_id]);
            candidates.push(Candidate {
                start,
                end,
                key_id,
                qualified,
            });
        }
        candidates
    }

    /// The entry the evidence agrees with, if any, and how: `Some(true)` at the level of a
    /// state or a nearby city, `Some(false)` only at the level of a country.
    fn agreeing(&self, entries: &[Entry], evidence: &Evidence) -> Option<(Entry, bool)> {
        let g = self.gazetteer;
        let mut by_country = None;
        for &e in entries {
            let (country, admin1) = g.state_of(e);
            let at = g.coordinates(e);
            if !evidence.agrees(country, admin1, at) {
                continue;
            }
            let by_state = evidence.states.contains(&(country, admin1))
                || at.is_some_and(|p| evidence.anchors.iter().any(|&q| within_metro(p, q)));
            if by_state {
                return Some((e, true));
            }
            by_country.get_or_insert((e, false));
        }
        by_country
    }

    /// The entry a name goes to when the ad says nothing about where it is: North America
    /// first (a US state, then the most populous US or Canadian place), unless a foreign
    /// place is [`FOREIGN_GIANT_FACTOR`] times more populous; else the first entry.
    fn default_entry(&self, entries: &[Entry]) -> Option<Entry> {
        let g = self.gazetteer;
        let first = *entries.first()?;
        let Some(na) = entries.iter().copied().find(|&e| g.is_north_american(e)) else {
            return Some(first);
        };
        // "Washington": a state name that is also a big city's is the city.
        if matches!(na, Entry::Region(_))
            && let Some(&city) = entries.iter().find(|&&e| {
                matches!(e, Entry::Place(_))
                    && g.is_north_american(e)
                    && g.population(e) >= BIG_CITY
            })
        {
            return Some(city);
        }
        let foreign = entries
            .iter()
            .copied()
            .find(|&e| matches!(e, Entry::Place(_)) && !g.is_north_american(e));
        match (na, foreign) {
            (Entry::Place(_), Some(f))
                if g.population(f) >= g.population(na).saturating_mul(FOREIGN_GIANT_FACTOR) =>
            {
                Some(f)
            }
            _ => Some(na),
        }
    }

    /// Places in the ad's `location` field ("Raleigh, NC", "raleigh", "NC"). What they say
    /// about the ad is added to `context`. Places beside other words that the rest of the ad
    /// may contradict are returned too; [`PlaceFinder::find_in_ad_text`] removes those that
    /// do.
    pub fn find_in_location_field(
        &self,
        text: &FieldText<'_>,
        context: &mut PlaceContext,
    ) -> Vec<Location> {
        let g = self.gazetteer;
        let haystack = text.text();
        let candidates = self.candidates(haystack, true, true);
        let mut out = Vec::new();
        let mut found = Vec::new();
        let mut consumed_until = 0;
        let evidence = context.evidence(g);
        // States written in this field settle the others ("Raleigh NC / Crabtree").
        let mut local = evidence.clone();
        for c in &candidates {
            if let Some((e, _)) = c.qualified {
                add_entry(&mut local, g, e);
            }
        }
        for c in &candidates {
            if c.start < consumed_until {
                continue;
            }
            let entries = &g.entries[c.key_id];
            let class = g.word_class[c.key_id];
            let (entry, end, trust, doubtful) = if let Some((e, q_end)) = c.qualified {
                (e, q_end, Trust::Fixed, false)
            } else {
                let Some(&first) = entries.first() else {
                    continue;
                };
                let alone = haystack[..c.start].trim().is_empty()
                    && haystack[c.end..]
                        .trim_matches(|ch: char| !ch.is_alphanumeric())
                        .is_empty();
                let doubtful = class.common_word || class.first_name || class.foreign_namesake;
                if class.neighbourhood
                    || after_landmark_prefix(haystack, c.start, true)
                    || before_suffix(haystack, c.end, STREET_SUFFIXES)
                {
                    continue;
                }
                let only_regions = entries.iter().all(|e| matches!(e, Entry::Region(_)));
                let agreeing = self.agreeing(entries, &local).map(|(e, _)| e);
                if matches!(first, Entry::Region(_)) && only_regions {
                    (agreeing.unwrap_or(first), c.end, Trust::Fixed, false)
                } else if alone {
                    let Some(e) = agreeing.or_else(|| self.default_entry(entries)) else {
                        continue;
                    };
                    (e, c.end, Trust::Anchor, false)
                } else if matches!(first, Entry::Region(_)) && g.is_north_american(first) {
                    // "Washington / Seattle": a state name beside other words.
                    (agreeing.unwrap_or(first), c.end, Trust::Anchor, false)
                } else {
                    let facility = before_suffix(haystack, c.end, FACILITY_SUFFIXES);
                    let Some(e) = agreeing.or_else(|| {
                        (!doubtful && !facility)
                            .then(|| self.default_entry(entries))
                            .flatten()
                    }) else {
                        continue;
                    };
                    (e, c.end, Trust::MustAgree, doubtful || facility)
                }
            };
            let (span, raw) = text.locate(c.start..end);
            out.push(g.location(entry, raw, span, text.field));
            found.push(FoundPlace {
                key_id: c.key_id,
                entry,
                trust,
                doubtful,
                field: text.field,
                span,
            });
            consumed_until = end;
        }
        if out.is_empty() {
            // A bare state code ("NC", "on") is the whole location.
            let t = haystack.trim();
            let code: String = t
                .chars()
                .filter(|c| *c != '.')
                .collect::<String>()
                .to_ascii_uppercase();
            if let Some(&region) = g.region_by_code.get(&code)
                && t.len() <= 4
            {
                let offset = haystack.find(t).unwrap_or(0);
                let (span, raw) = text.locate(offset..offset + t.len());
                let entry = Entry::Region(region);
                out.push(g.location(entry, raw, span, text.field));
                found.push(FoundPlace {
                    key_id: usize::MAX,
                    entry,
                    trust: Trust::Fixed,
                    doubtful: false,
                    field: text.field,
                    span,
                });
            }
        }
        for f in &found {
            if f.trust == Trust::Fixed {
                add_entry(&mut context.fixed, g, f.entry);
            }
        }
        context.found.extend(found);
        out
    }

    /// Places in one title or body, with what `context` knows (no phones, no other field):
    /// [`PlaceFinder::find_in_ad_text`] for a single field.
    pub fn find_in_text(&self, text: &FieldText<'_>, context: &PlaceContext) -> Vec<Location> {
        let mut locations = Vec::new();
        self.find_in_ad_text(&[text], &[], context, &mut locations);
        locations
    }

    /// The last place step of an ad: with the evidence of `context` (location field and URL)
    /// and of the ad's `phones` (area codes, country codes), settle the places already in
    /// `locations` (from the location field and URL: an ambiguous one goes to the namesake
    /// the evidence agrees with, one that must agree and does not is removed), then append
    /// the places of `fields` (title, body) that agree with the whole ad, the states the
    /// text itself writes included.
    pub fn find_in_ad_text(
        &self,
        fields: &[&FieldText<'_>],
        phones: &[Phone],
        context: &PlaceContext,
        locations: &mut Vec<Location>,
    ) {
        let g = self.gazetteer;
        // 1. Anchors of the location field and URL, against fixed facts, then phones. Phones
        // travel with their owners, so a phone's state moves an ambiguous name only to a
        // namesake of comparable size ("portland" with a 207 number is Portland, ME; with a
        // 412 number "washington" stays Washington, DC rather than Washington, PA).
        let mut fixed = context.fixed.clone();
        let mut phone_evidence = Evidence::default();
        phone_evidence.add_phones(phones);
        let mut settled: Vec<FoundPlace> = context.found.clone();
        for f in settled.iter_mut().filter(|f| f.trust == Trust::Anchor) {
            let entries = &g.entries[f.key_id];
            let (country, admin1) = g.state_of(f.entry);
            let at = g.coordinates(f.entry);
            if !fixed.is_empty() {
                if fixed.agrees(country, admin1, at) {
                    continue;
                }
                if let Some((e, _)) = self.agreeing(entries, &fixed) {
                    f.entry = e;
                    continue;
                }
            }
            if phone_evidence.is_empty() || phone_evidence.agrees(country, admin1, at) {
                continue;
            }
            let size = g.population(f.entry).max(1);
            if let Some((e, _)) = self.agreeing(entries, &phone_evidence)
                && (!matches!(f.entry, Entry::Place(_))
                    || g.population(e).saturating_mul(PHONE_NAMESAKE_FACTOR) >= size)
            {
                f.entry = e;
            }
        }
        fixed.states.extend(phone_evidence.states.iter().copied());
        for &c in &phone_evidence.countries {
            fixed.add_country(c);
        }
        let mut evidence = fixed;
        for f in settled.iter().filter(|f| f.trust != Trust::MustAgree) {
            add_entry(&mut evidence, g, f.entry);
        }
        // The same without the phones: a first name needs the ad's own words or site.
        let mut own_words = context.fixed.clone();
        for f in settled.iter().filter(|f| f.trust != Trust::MustAgree) {
            add_entry(&mut own_words, g, f.entry);
        }
        // 2. Places that must agree.
        let mut removed = Vec::new();
        for f in settled.iter_mut().filter(|f| f.trust == Trust::MustAgree) {
            let (country, admin1) = g.state_of(f.entry);
            if evidence.is_empty() {
                if f.doubtful {
                    removed.push((f.field, f.span));
                }
                continue;
            }
            if evidence.agrees(country, admin1, g.coordinates(f.entry)) {
                continue;
            }
            match self.agreeing(&g.entries[f.key_id], &evidence) {
                Some((e, _)) => f.entry = e,
                None => removed.push((f.field, f.span)),
            }
        }
        for f in &settled {
            if let Some(l) = locations
                .iter_mut()
                .find(|l| l.field == f.field && l.span == f.span)
            {
                let updated = g.location(f.entry, std::mem::take(&mut l.raw), f.span, f.field);
                *l = updated;
            }
        }
        locations.retain(|l| !removed.contains(&(l.field, l.span)));

        // 3. Title and body: candidates of every field first, so that a state one of them
        // writes settles names in the others.
        // Other countries' names are looked for only in an ad with evidence of another
        // country, or a country or another country's province written in its text.
        let foreign = |e: &Evidence| e.countries.iter().any(|c| !matches!(*c, "US" | "CA"));
        let mut world = foreign(&evidence);
        let mut all: Vec<(&FieldText<'_>, Vec<Candidate>)> = fields
            .iter()
            .map(|ft| (*ft, self.candidates(ft.text(), false, world)))
            .collect();
        if !world
            && all.iter().any(|(ft, candidates)| {
                candidates.iter().any(|c| {
                    first_is_upper(ft.text(), c.start)
                        && g.entries[c.key_id]
                            .iter()
                            .any(|&e| matches!(e, Entry::Country(_)) && !g.is_north_american(e))
                })
            })
        {
            world = true;
            for (ft, candidates) in &mut all {
                *candidates = self.candidates(ft.text(), false, world);
            }
        }
        for (ft, candidates) in &all {
            let haystack = ft.text();
            for c in candidates {
                if let Some((e, _)) = c.qualified {
                    add_entry(&mut evidence, g, e);
                    add_entry(&mut own_words, g, e);
                    continue;
                }
                let class = g.word_class[c.key_id];
                let entries = &g.entries[c.key_id];
                let Some(&first) = entries.first() else {
                    continue;
                };
                if !first_is_upper(haystack, c.start)
                    || class.neighbourhood
                    || class.common_word
                    || (class.first_name && !has_place_cue(haystack, c.start))
                {
                    continue;
                }
                // "Washington" in an ad the rest of which places in Washington, DC, is the city.
                if self
                    .agreeing(entries, &evidence)
                    .is_some_and(|(e, _)| !matches!(e, Entry::Region(_)))
                {
                    continue;
                }
                match first {
                    // A state or province the text writes ("North Carolina").
                    Entry::Region(_) if g.is_north_american(first) => {
                        let (country, admin1) = g.state_of(first);
                        evidence.add_state(country, admin1);
                        own_words.add_state(country, admin1);
                    }
                    // A country the text writes ("escorts in India").
                    Entry::Country(_) => {
                        evidence.add_country(g.state_of(first).0);
                        own_words.add_country(g.state_of(first).0);
                    }
                    _ => {}
                }
            }
        }
        for (ft, candidates) in &all {
            let haystack = ft.text();
            let mut consumed_until = 0;
            for c in candidates {
                if c.start < consumed_until {
                    continue;
                }
                let Some(entry) = self.resolve_free_text(c, &evidence, &own_words, haystack) else {
                    continue;
                };
                let end = match (entry, c.qualified) {
                    (_, Some((_, q_end))) => q_end,
                    _ => c.end,
                };
                let (span, raw) = ft.locate(c.start..end);
                locations.push(g.location(entry, raw, span, ft.field));
                consumed_until = end;
            }
        }
    }

    /// The place a name in a title or body stands for, if it is one (see the module
    /// documentation for the rules).
    fn resolve_free_text(
        &self,
        c: &Candidate,
        evidence: &Evidence,
        own_words: &Evidence,
        haystack: &str,
    ) -> Option<Entry> {
        let g = self.gazetteer;
        let entries = &g.entries[c.key_id];
        let class = g.word_class[c.key_id];
        if !first_is_upper(haystack, c.start) {
            return None;
        }
        // Written with its state: the ad itself gives it.
        if let Some((e, _)) = c.qualified {
            return Some(e);
        }
        if class.neighbourhood
            || after_landmark_prefix(haystack, c.start, false)
            || before_suffix(haystack, c.end, STREET_SUFFIXES)
        {
            return None;
        }
        if class.first_name
            && (after_person_cue(haystack, c.start) || before_person_follower(haystack, c.end))
        {
            return None;
        }
        let facility = before_suffix(haystack, c.end, FACILITY_SUFFIXES);
        let cue = has_place_cue(haystack, c.start);
        let multiword = haystack[c.start..c.end].contains(' ');
        let default = self.default_entry(entries)?;
        match self.agreeing(entries, evidence) {
            // Countries are evidence, not places of the ad's text.
            Some((Entry::Country(_), _)) => None,
            Some((e, by_state)) => {
                // "visiting Nashville" in an Atlanta ad means Nashville, TN, which the ad
                // contradicts, not Nashville, GA: a namesake that agrees but is far smaller
                // than the place the name usually means is no evidence of either.
                if matches!((e, default), (Entry::Place(_), Entry::Place(_)))
                    && e != default
                    && g.population(default)
                        >= g.population(e).max(1).saturating_mul(PHONE_NAMESAKE_FACTOR)
                {
                    return None;
                }
                let world = !g.is_north_american(e);
                if class.common_word {
                    // "in Nice" in an ad from France; never "Mobile friendly" in Alabama.
                    return (world && cue && !facility).then_some(e);
                }
                if class.first_name && !cue {
                    // A persona's name in a place the phones alone agree with is still a name.
                    let (country, admin1) = g.state_of(e);
                    if world || !by_state || !own_words.agrees(country, admin1, g.coordinates(e)) {
                        return None;
                    }
                }
                if facility && !by_state {
                    return None;
                }
                if by_state || matches!(e, Entry::Region(_) | Entry::County(_)) {
                    return Some(e);
                }
                // Agreeing only by country (a +44 number): the word rules for bare names.
                (cue || multiword || g.population(e) >= 50_000).then_some(e)
            }
            None if !evidence.is_empty() => {
                // Nothing agrees: only a US state or Canadian province the text writes, which
                // the ad itself gives.
                (matches!(default, Entry::Region(_))
                    && g.is_north_american(default)
                    && !class.first_name
                    && !class.common_word)
                    .then_some(default)
            }
            None => {
                // No evidence at all: North America only, by the word rules.
                if !g.is_north_american(default)
                    || matches!(default, Entry::Country(_))
                    || class.common_word
                    || class.foreign_namesake
                    || facility
                    || (class.first_name && !cue)
                {
                    return None;
                }
                match default {
                    Entry::Region(_) => Some(default),
                    // Counties: only "X County" with a unique state.
                    Entry::County(_) => {
                        let counties = entries
                            .iter()
                            .filter(|e| matches!(e, Entry::County(_)))
                            .count();
                        (counties == 1).then_some(default)
                    }
                    _ => (cue || multiword || g.population(default) >= 50_000).then_some(default),
                }
            }
        }
    }

    /// Places named in an ad URL: host labels ("raleigh.backpage.com", "fayettevillenc."),
    /// path segments ("/nc/raleigh/", "/new-york/") and words of slugs
    /// ("sexy-girl-in-raleigh-nc-23"). State codes in the path and a country-code domain
    /// (".co.uk", ".de") go to `context`. Slug words that the rest of the ad may contradict
    /// are returned too; [`PlaceFinder::find_in_ad_text`] removes those that do.
    pub fn find_in_url(&self, url: &str, context: &mut PlaceContext) -> Vec<Location> {
        let g = self.gazetteer;
        // Byte searches rather than `str::find("://")`, whose searcher set-up alone costs more
        // than scanning a URL.
        let after_scheme = url
            .as_bytes()
            .windows(3)
            .position(|w| w == b"://")
            .map_or(0, |i| i + 3);
        let host_end = url.as_bytes()[after_scheme..]
            .iter()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .map_or(url.len(), |i| after_scheme + i);
        let host = &url[after_scheme..host_end];
        // The port is not part of the last label.
        let host = host.split(':').next().unwrap_or(host);

        // A country-code top-level domain says which country the site is for.
        if let Some((s, e)) = pieces(host, b".").last()
            && e - s == 2
        {
            let mut tld = [host.as_bytes()[s], host.as_bytes()[s + 1]];
            tld.make_ascii_lowercase();
            if let Ok(tld) = std::str::from_utf8(&tld)
                && let Some(&i) = g.country_by_tld.get(tld)
            {
                context.fixed.add_country(g.countries[usize::from(i)].iso);
            }
        }

        // Segments: (start, end, is_host_label).
        let mut segments: Vec<(usize, usize, bool)> = Vec::new();
        // Skip the registrable domain and TLD (last two labels) and technical labels.
        let label_count = pieces(host, b".").count();
        for (s, e) in pieces(host, b".").take(label_count.saturating_sub(2)) {
            let label = &host[s..e];
            if !TECHNICAL_LABELS
                .iter()
                .any(|t| t.eq_ignore_ascii_case(label))
            {
                segments.push((after_scheme + s, after_scheme + e, true));
            }
        }
        if host_end < url.len() {
            let path_end = url.as_bytes()[host_end..]
                .iter()
                .position(|b| matches!(b, b'?' | b'#'))
                .map_or(url.len(), |i| host_end + i);
            for (s, e) in pieces(&url[host_end..path_end], b"/") {
                segments.push((host_end + s, host_end + e, false));
            }
        }
        // State codes as whole path segments ("/nc/").
        for &(s, e, is_host) in &segments {
            if !is_host && let Some(r) = g.region_by_code_any_case(&url[s..e]) {
                add_entry(&mut context.fixed, g, Entry::Region(r));
            }
        }
        let mut evidence = context.evidence(g);
        let mut out = Vec::new();
        let mut found = Vec::new();
        // Each place found is evidence for the segments after it ("delhi.site/...-delhi-...").
        let mut emit = |out: &mut Vec<Location>,
                        evidence: &mut Evidence,
                        key_id,
                        entry,
                        trust,
                        doubtful,
                        span: Span| {
            if trust != Trust::MustAgree {
                add_entry(evidence, g, entry);
            }
            out.push(g.location(
                entry,
                url[span.start..span.end].to_string(),
                span,
                Field::Url,
            ));
            found.push(FoundPlace {
                key_id,
                entry,
                trust,
                doubtful,
                field: Field::Url,
                span,
            });
        };
        // Scratch buffers reused across segments (a squashed piece of the URL is rarely
        // longer than the URL: one allocation, no growing).
        let mut squashed: Vec<u8> = Vec::with_capacity(url.len());
        let mut words: Vec<SlugWord> = Vec::new();
        for &(s, e, is_host) in &segments {
            let segment = &url[s..e];
            // The squashed segment, and for a path segment its slug words, whose squashed
            // forms lie end to end in `squashed`.
            if is_host {
                squash_into(&mut squashed, segment);
            } else {
                slug_words(segment, &mut words, &mut squashed);
            }
            // A site's section for a place: "/dallas-escorts/", "/washingtondc-escorts/",
            // "/southernmaryland/": the place before the section's category word is the site's
            // own filing of the ad, trusted like a whole segment.
            let (whole, whole_end, section) = match words.len() {
                n if !is_host
                    && n >= 2
                    && is_section_word(&segment[words[n - 1].start..words[n - 1].end]) =>
                {
                    (
                        &squashed[..words[n - 2].squashed_end],
                        s + words[n - 2].end,
                        true,
                    )
                }
                _ => (squashed.as_slice(), e, false),
            };
            // Whole segment: "raleigh", "newyork", "new-york", "new_york".
            if let Some(&id) = g.squashed.get(whole)
                && let Some(entry) = self.resolve_url(id, &evidence, is_host, true)
            {
                let trust = if g.entries[id].iter().all(|e| matches!(e, Entry::Region(_))) {
                    Trust::Fixed
                } else if section && g.entries[id].len() > 1 {
                    // A section named by an ambiguous name ("/meridian-escorts/": Idaho or
                    // Mississippi?) must agree with the rest of the ad.
                    Trust::MustAgree
                } else {
                    Trust::Anchor
                };
                emit(
                    &mut out,
                    &mut evidence,
                    id,
                    entry,
                    trust,
                    false,
                    Span::new(s, whole_end),
                );
                continue;
            }
            // A state after a direction: "southernmaryland", "southeastmissouri" (a site's
            // region of a state; only a state is taken, "northraleigh" is no state).
            if let Some(rest) = strip_direction(whole)
                && let Some(&id) = g.squashed.get(rest)
                && let Some(&entry) = g.entries[id].iter().find(|&&e| {
                    matches!(e, Entry::Region(_)) && matches!(g.state_of(e).0, "US" | "CA")
                })
            {
                emit(
                    &mut out,
                    &mut evidence,
                    id,
                    entry,
                    Trust::Fixed,
                    false,
                    Span::new(s, whole_end),
                );
                continue;
            }
            // A city glued to its state code: "fayettevillenc", "washingtondc".
            if whole.len() > 5
                && let Some((place, code)) = whole.split_at_checked(whole.len() - 2)
                && let Ok(code) = std::str::from_utf8(code)
                && let Some(r) = g.region_by_code_any_case(code)
                && let Some(&id) = g.squashed.get(place)
            {
                let region = &g.regions[usize::from(r)];
                if let Some(&entry) = g.entries[id].iter().find(|&&e| {
                    !matches!(e, Entry::Region(_))
                        && g.state_of(e) == (region.country, region.code.as_str())
                }) {
                    emit(
                        &mut out,
                        &mut evidence,
                        id,
                        entry,
                        Trust::Fixed,
                        false,
                        Span::new(s, whole_end),
                    );
                    continue;
                }
            }
            if is_host {
                continue;
            }
            // Slug words: "sexy-girl-in-raleigh-nc-23": windows of up to three words.
            let mut w = 0;
            while w < words.len() {
                let mut matched = false;
                for len in (1..=3.min(words.len() - w)).rev() {
                    let (first, last) = (&words[w], &words[w + len - 1]);
                    let (ws, we) = (first.start, last.end);
                    // The window's squashed form: the separators between its words have none.
                    let joined = &squashed[first.squashed_start..last.squashed_end];
                    if joined.len() < 3 {
                        continue;
                    }
                    let Some(&id) = g.squashed.get(joined) else {
                        continue;
                    };
                    // A state code right after qualifies it ("raleigh-nc").
                    let next_state = words
                        .get(w + len)
                        .and_then(|next| g.region_by_code_any_case(&segment[next.start..next.end]));
                    let mut local = evidence.clone();
                    if let Some(r) = next_state {
                        let region = &g.regions[r as usize];
                        local.add_state(region.country, &region.code);
                    }
                    let strict_ok = next_state.is_some() || len > 1;
                    let Some(entry) = self.resolve_url(id, &local, false, strict_ok) else {
                        continue;
                    };
                    if matches!(entry, Entry::Region(_)) && len == 1 && !strict_ok {
                        continue;
                    }
                    let trust = match next_state {
                        Some(r)
                            if g.state_of(entry)
                                == (
                                    g.regions[usize::from(r)].country,
                                    g.regions[usize::from(r)].code.as_str(),
                                ) =>
                        {
                            Trust::Fixed
                        }
                        _ => Trust::MustAgree,
                    };
                    emit(
                        &mut out,
                        &mut evidence,
                        id,
                        entry,
                        trust,
                        g.first_entry_doubtful[id],
                        Span::new(s + ws, s + we),
                    );
                    w += len;
                    matched = true;
                    break;
                }
                if !matched {
                    w += 1;
                }
            }
        }
        for f in &found {
            if f.trust == Trust::Fixed {
                add_entry(&mut context.fixed, g, f.entry);
            }
        }
        context.found.extend(found);
        out
    }

    /// Resolve a URL segment. `trusted` segments (host labels, whole path segments, slugs with
    /// a state) accept any name; other slug words follow the free-text word rules.
    fn resolve_url(
        &self,
        key_id: usize,
        evidence: &Evidence,
        is_host: bool,
        trusted: bool,
    ) -> Option<Entry> {
        let g = self.gazetteer;
        let entries = &g.entries[key_id];
        if let Some((e, true)) = self.agreeing(entries, evidence) {
            return Some(e);
        }
        let agreeing = self.agreeing(entries, evidence).map(|(e, _)| e);
        let first = agreeing.or_else(|| self.default_entry(entries))?;
        let common = g.first_entry_doubtful[key_id];
        if is_host || trusted {
            // A whole path segment that is a word ("/mobile/", "/center/") is the site's, not
            // a place; a city page is often a first name ("/charlotte/", "/madison/").
            let class = g.word_class[key_id];
            if !is_host && (class.common_word || class.neighbourhood) {
                return None;
            }
            return Some(first);
        }
        (!common && g.population(first) >= 50_000).then_some(first)
    }
}

/// Is the name at `start` right after a word that begins a longer proper name ("Fort
/// Liberty", "Lake Norman")? In free text that word must be capitalised too.
fn after_landmark_prefix(text: &str, start: usize, any_case: bool) -> bool {
    let before = &text[..start];
    let Some(before) = before.strip_suffix(' ') else {
        return false;
    };
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    let bare = word.strip_suffix('.').unwrap_or(word);
    !bare.is_empty()
        && (any_case || bare.starts_with(|c: char| c.is_uppercase()))
        && LANDMARK_PREFIXES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(bare))
}

/// Is the name ending at `end` followed, after at most two more capitalised words, by one of
/// `suffixes` ("Washington Rd", "Jack London Sq")?
fn before_suffix(text: &str, end: usize, suffixes: &[&str]) -> bool {
    let mut rest = &text[end..];
    for step in 0..3 {
        let Some(after) = rest.strip_prefix(' ') else {
            return false;
        };
        let word_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '.'))
            .unwrap_or(after.len());
        let word = &after[..word_len];
        let bare = word.strip_suffix('.').unwrap_or(word);
        if bare.is_empty() {
            return false;
        }
        if suffixes.iter().any(|s| s.eq_ignore_ascii_case(bare)) {
            return true;
        }
        // Only capitalised words may come between the name and the suffix.
        let capitalised = bare.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
        if step == 2 || !capitalised {
            return false;
        }
        rest = &after[word_len..];
    }
    false
}

/// Is the word after `end` one that follows a person's name ("Paris here")?
fn before_person_follower(text: &str, end: usize) -> bool {
    let after = text[end..].trim_start_matches([' ', ',', '!', '~', '-']);
    let word_len = after
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(after.len());
    let word = &after[..word_len];
    !word.is_empty()
        && PERSON_FOLLOWERS
            .iter()
            .any(|f| f.eq_ignore_ascii_case(word))
}

/// Is the word before `pos` a person cue ("I'm Charlotte", "ask for Savannah")?
fn after_person_cue(text: &str, pos: usize) -> bool {
    let before = text[..pos].trim_end_matches([' ', '\t', ':', ',', '-', '~']);
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphabetic() || *c == '\'' || *c == '’'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    !word.is_empty() && PERSON_CUES.iter().any(|c| c.eq_ignore_ascii_case(word))
}

fn first_is_upper(text: &str, pos: usize) -> bool {
    text[pos..].chars().next().is_some_and(char::is_uppercase)
}

/// Is the word before `pos` a place cue ("in", "visiting", "Location:")?
fn has_place_cue(text: &str, pos: usize) -> bool {
    let before = text[..pos].trim_end_matches([' ', '\t', ':', ',', '-', '(']);
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    !word.is_empty() && PLACE_CUES.iter().any(|c| c.eq_ignore_ascii_case(word))
}

/// The character starting at byte `pos` of `text` (a char boundary), if any. ASCII bytes are
/// read directly, without UTF-8 decoding.
fn char_at(text: &str, pos: usize) -> Option<char> {
    match text.as_bytes().get(pos) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        Some(_) => text[pos..].chars().next(),
        None => None,
    }
}

/// The character ending at byte `pos` of `text` (a char boundary), if any.
fn char_before(text: &str, pos: usize) -> Option<char> {
    match pos.checked_sub(1).map(|i| text.as_bytes()[i]) {
        Some(b) if b.is_ascii() => Some(char::from(b)),
        Some(_) => text[..pos].chars().next_back(),
        None => None,
    }
}

/// The end of the run of characters satisfying `keep` that starts at byte `from` (a char
/// boundary): the byte offset of the first character that does not, or the text length.
#[cfg(test)]
fn end_of_run(text: &str, from: usize, keep: impl Fn(char) -> bool) -> usize {
    let bytes = text.as_bytes();
    let mut at = from;
    while at < bytes.len() {
        let b = bytes[at];
        let (c, len) = if b.is_ascii() {
            (char::from(b), 1)
        } else {
            let c = text[at..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            (c, c.len_utf8())
        };
        if !keep(c) {
            return at;
        }
        at += len;
    }
    bytes.len()
}

/// Byte ranges of the non-empty pieces of `s` between any of `separators` (ASCII), as an
/// iterator: URLs are split into labels, segments and slug words without collecting each
/// split into a `Vec`.
fn pieces<'a>(s: &'a str, separators: &'a [u8]) -> impl Iterator<Item = (usize, usize)> + 'a {
    let bytes = s.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        while start < bytes.len() {
            let from = start;
            let end = bytes[from..]
                .iter()
                .position(|b| separators.contains(b))
                .map_or(bytes.len(), |i| from + i);
            start = end + 1;
            if end > from {
                return Some((from, end));
            }
        }
        None
    })
}

/// Byte ranges of the non-empty pieces of `s` between any of `separators`.
#[cfg(test)]
fn split_ranges(s: &str, separators: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if separators.contains(&b) {
            if i > start {
                out.push((start, i));
            }
            start = i + 1;
        }
    }
    if s.len() > start {
        out.push((start, s.len()));
    }
    out
}

// The `reference_*` functions below are the scans as they were before the speed work of
// November 2026, kept as oracles: property tests require the fast scans to find exactly what
// these find. A deliberate change to the place rules must change both sides.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    /// The multi-word prefixes of name forms, as `Gazetteer::prefixes` held them before the
    /// filter replaced that set.
    fn reference_prefixes() -> &'static HashSet<String> {
        static PREFIXES: LazyLock<HashSet<String>> = LazyLock::new(|| {
            let g = GAZETTEER.as_ref().unwrap();
            let mut prefixes = HashSet::new();
            for key in g.key_ids.keys() {
                for (i, b) in key.bytes().enumerate() {
                    if b == b' ' || b == b'-' {
                        prefixes.insert(key[..i].to_string());
                    }
                }
            }
            prefixes
        });
        &PREFIXES
    }

    /// The name scan as it was before [`NameFilter`] and [`alphanumeric_run`]: the fast scan
    /// must find exactly the same names.
    fn reference_next_name(
        g: &Gazetteer,
        text: &str,
        from: usize,
        lowered: &mut String,
    ) -> Option<(usize, usize, usize)> {
        let bytes = text.as_bytes();
        let mut pos = from;
        while pos < bytes.len() {
            // Find the next word start.
            let Some(c) = char_at(text, pos) else {
                break;
            };
            if !c.is_alphanumeric() {
                pos += c.len_utf8();
                continue;
            }
            let prev_is_word =
                char_before(text, pos).is_some_and(|p| p.is_alphanumeric() || p == '_');
            if prev_is_word {
                pos += c.len_utf8();
                continue;
            }
            // Extend word by word while the text so far is a prefix of some name.
            lowered.clear();
            let mut best: Option<(usize, usize)> = None;
            let mut end = pos;
            for _ in 0..6 {
                // Consume one word.
                let word_end = end_of_run(text, end, |ch| {
                    ch.is_alphanumeric() || ch == '\'' || ch == '’'
                });
                // Where an apostrophe starts, in the text and in `lowered` ("Raleigh's").
                let mut apostrophe: Option<(usize, usize)> = None;
                let word = &text[end..word_end];
                if word.is_ascii() {
                    for (i, b) in word.bytes().enumerate() {
                        if b == b'\'' {
                            apostrophe.get_or_insert((end + i, lowered.len()));
                            lowered.push('\'');
                        } else {
                            lowered.push(char::from(b.to_ascii_lowercase()));
                        }
                    }
                } else {
                    for (i, ch) in word.char_indices() {
                        if ch == '\'' || ch == '’' {
                            apostrophe.get_or_insert((end + i, lowered.len()));
                            lowered.push('\'');
                        } else {
                            lowered.extend(ch.to_lowercase());
                        }
                    }
                }
                end = word_end;
                if let Some(&id) = g.key_ids.get(lowered.as_str()) {
                    best = Some((end, id));
                } else if let Some((text_cut, lowered_cut)) = apostrophe {
                    // "Raleigh's": the name without its possessive ends the search.
                    if let Some(&id) = g.key_ids.get(&lowered[..lowered_cut]) {
                        best = Some((text_cut, id));
                    }
                    break;
                }
                // A name may end in "." ("St." alone is rare, but "Ft." is not).
                if bytes.get(end) == Some(&b'.') {
                    lowered.push('.');
                    if let Some(&id) = g.key_ids.get(lowered.as_str()) {
                        best = Some((end + 1, id));
                    }
                    lowered.pop();
                }
                // The separator to the next word: " ", "-", or ". " after an abbreviation.
                let (dot, sep_len) = match (bytes.get(end), bytes.get(end + 1)) {
                    (Some(b' '), _) | (Some(b'-'), _) => (false, 1),
                    (Some(b'.'), Some(b' ')) => (true, 2),
                    _ => break,
                };
                let next_start = end + sep_len;
                if !char_at(text, next_start).is_some_and(char::is_alphanumeric) {
                    break;
                }
                if dot {
                    lowered.push('.');
                }
                // Only go on while the words so far begin some longer name.
                if !reference_prefixes().contains(lowered.as_str()) {
                    break;
                }
                lowered.push_str(if dot { " " } else { &text[end..end + 1] });
                end = next_start;
            }
            if let Some((name_end, id)) = best {
                return Some((pos, name_end, id));
            }
            // No name starts here: skip this word.
            let skip = end_of_run(text, pos, char::is_alphanumeric);
            pos = skip.max(pos + 1);
        }
        None
    }

    fn all_names(
        text: &str,
        next: impl Fn(&str, usize) -> Option<(usize, usize, usize)>,
    ) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(found) = next(text, from) {
            from = found.1;
            out.push(found);
        }
        out
    }

    /// Text pieces around the edges of the scan: names (multi-word, dotted, hyphenated,
    /// possessive, accented), words that begin names, apostrophes, underscores, non-ASCII
    /// letters and symbols.
    const PIECES: &[&str] = &[
        "Raleigh",
        "raleigh",
        "RALEIGH",
        "St",
        "St.",
        "st",
        "Saint",
        "Louis",
        "New",
        "new",
        "York",
        "City",
        "NEW YORK CITY",
        "Ft",
        "Ft.",
        "Worth",
        "Winston",
        "Salem",
        "O",
        "Fallon",
        "Coeur",
        "d",
        "Alene",
        "Montréal",
        "MONTRÉAL",
        "Montreal",
        "Québec",
        "the",
        "The",
        "Woodlands",
        "Los",
        "Angeles",
        "San",
        "Jose",
        "José",
        "North",
        "Carolina",
        "NC",
        "Lake",
        "Charles",
        "County",
        "Mobile",
        "Charlotte",
        "İstanbul",
        "Ĳssel",
        "ǅ",
        "Жанна",
        "Москва",
        "ﬁne",
        "x",
        "Raleighx",
        "xRaleigh",
        "100",
        "25",
        "İ",
        "é",
        "Å",
        "ß",
        "_",
        "'",
        "’",
        "s",
        " ",
        " ",
        "  ",
        "-",
        "–",
        ".",
        ". ",
        ",",
        ", ",
        "@",
        "/",
        "🦋",
        "✨",
        "\n",
        "\u{fe0f}",
        "\u{307}",
        "½",
        "²",
        "Ⅻ",
        "ⓐ",
        "🄰",
        "O'Fallon",
        "Coeur d’Alene",
        "St. Louis",
        "Ft. ",
        "Mt.",
        "Ste. ",
        "''",
        "’s",
        "Winston-Salem’s",
        "Lake Charles",
        "de",
        "la",
        "Crosse",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_name_scan_matches_reference(
            picks in proptest::collection::vec(0..PIECES.len(), 0..24)
        ) {
            let g = GAZETTEER.as_ref().unwrap();
            let text: String = picks.iter().map(|&i| PIECES[i]).collect();
            let fast = all_names(&text, |t, from| g.next_name(t, from, true, &mut String::new()));
            let reference =
                all_names(&text, |t, from| reference_next_name(g, t, from, &mut String::new()));
            proptest::prop_assert_eq!(fast, reference, "{:?}", text);
        }
    }

    #[test]
    fn fast_name_scan_matches_reference_on_samples() {
        let g = GAZETTEER.as_ref().unwrap();
        let mut found = 0;
        for text in [
            "now in Raleigh, NC tonight",
            "St. Louis girls",
            "Ft. Worth",
            "O'Fallon’s best",
            "Coeur d'Alene",
            "NEW YORK CITY",
            "Winston-Salem",
            "in Montréal",
            "MONTRÉAL",
            "xRaleigh Raleighx",
            "raleigh_nc",
            "Raleigh's",
            "Raleigh’s",
            "the Woodlands",
            "İstanbul",
            "Жанна из Москвы",
            "🦋Raleigh🦋",
            "St.Louis",
            "Ft.Worth",
            "new-york",
        ] {
            let fast = all_names(text, |t, from| {
                g.next_name(t, from, true, &mut String::new())
            });
            let reference = all_names(text, |t, from| {
                reference_next_name(g, t, from, &mut String::new())
            });
            assert_eq!(fast, reference, "{text:?}");
            found += fast.len();
        }
        assert!(found >= 15, "the samples exercise the scan ({found} names)");
    }

    /// `find_in_url` as it was before [`pieces`], [`squash_into`] and
    /// [`Gazetteer::region_by_code_any_case`] (splitting, squashing and code look-ups done
    /// the plain way), with today's rules (country-code domains, glued state codes, trust):
    /// the fast one must find exactly the same places.
    fn reference_find_in_url(
        finder: &PlaceFinder,
        url: &str,
        context: &mut PlaceContext,
    ) -> Vec<Location> {
        let g = finder.gazetteer;
        let after_scheme = url.find("://").map_or(0, |i| i + 3);
        let host_end = url[after_scheme..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |i| after_scheme + i);
        let host = &url[after_scheme..host_end];
        let host = host.split(':').next().unwrap_or(host);
        let code_of = |piece: &str| -> Option<u16> {
            (piece.len() == 2)
                .then(|| g.region_by_code.get(&piece.to_ascii_uppercase()).copied())
                .flatten()
        };

        let labels: Vec<(usize, usize)> = split_ranges(host, b".")
            .into_iter()
            .map(|(s, e)| (after_scheme + s, after_scheme + e))
            .collect();
        if let Some(&(s, e)) = labels.last()
            && e - s == 2
            && let Some(&i) = g
                .country_by_tld
                .get(url[s..e].to_ascii_lowercase().as_str())
        {
            context.fixed.add_country(g.countries[usize::from(i)].iso);
        }
        // Segments: (start, end, is_host_label).
        let mut segments: Vec<(usize, usize, bool)> = Vec::new();
        // Skip the registrable domain and TLD (last two labels) and technical labels.
        if labels.len() > 2 {
            for &(s, e) in &labels[..labels.len() - 2] {
                let label = &url[s..e];
                if !matches!(
                    label.to_ascii_lowercase().as_str(),
                    "www"
                        | "m"
                        | "mobile"
                        | "api"
                        | "cdn"
                        | "img"
                        | "images"
                        | "static"
                        | "mail"
                        | "en"
                        | "us"
                ) {
                    segments.push((s, e, true));
                }
            }
        }
        if host_end < url.len() {
            let path_end = url[host_end..]
                .find(['?', '#'])
                .map_or(url.len(), |i| host_end + i);
            for (s, e) in split_ranges(&url[host_end..path_end], b"/") {
                segments.push((host_end + s, host_end + e, false));
            }
        }
        // State codes as whole path segments ("/nc/").
        for &(s, e, is_host) in &segments {
            if !is_host && let Some(r) = code_of(&url[s..e]) {
                add_entry(&mut context.fixed, g, Entry::Region(r));
            }
        }
        let mut evidence = context.evidence(g);
        let mut out = Vec::new();
        let mut found = Vec::new();
        let mut emit = |evidence: &mut Evidence, key_id, entry, trust, doubtful, span: Span| {
            if trust != Trust::MustAgree {
                add_entry(evidence, g, entry);
            }
            out.push(g.location(
                entry,
                url[span.start..span.end].to_string(),
                span,
                Field::Url,
            ));
            found.push(FoundPlace {
                key_id,
                entry,
                trust,
                doubtful,
                field: Field::Url,
                span,
            });
        };
        for &(s, e, is_host) in &segments {
            let segment = &url[s..e];
            let words = split_ranges(segment, b"-_+.,");
            let n = words.len();
            let section = !is_host && n >= 2 && {
                let (ls, le) = words[n - 1];
                is_section_word(&segment[ls..le])
            };
            let (whole, whole_end) = if section {
                let (_, pe) = words[n - 2];
                (reference_squash(&segment[..pe]), s + pe)
            } else {
                (reference_squash(segment), e)
            };
            // Whole segment: "raleigh", "newyork", "new-york", "new_york".
            if let Some(&id) = g.squashed.get(whole.as_bytes())
                && let Some(entry) = finder.resolve_url(id, &evidence, is_host, true)
            {
                let trust = if g.entries[id].iter().all(|e| matches!(e, Entry::Region(_))) {
                    Trust::Fixed
                } else if section && g.entries[id].len() > 1 {
                    // A section named by an ambiguous name ("/meridian-escorts/": Idaho or
                    // Mississippi?) must agree with the rest of the ad.
                    Trust::MustAgree
                } else {
                    Trust::Anchor
                };
                emit(
                    &mut evidence,
                    id,
                    entry,
                    trust,
                    false,
                    Span::new(s, whole_end),
                );
                continue;
            }
            // A state after a direction.
            if let Some(rest) = [
                "southeastern",
                "southwestern",
                "northeastern",
                "northwestern",
                "southeast",
                "southwest",
                "northeast",
                "northwest",
                "southern",
                "northern",
                "eastern",
                "western",
                "central",
                "south",
                "north",
                "west",
            ]
            .iter()
            .find_map(|d| whole.strip_prefix(d))
            .filter(|r| r.len() >= 4)
                && let Some(&id) = g.squashed.get(rest.as_bytes())
                && let Some(&entry) = g.entries[id].iter().find(|&&e| {
                    matches!(e, Entry::Region(_)) && matches!(g.state_of(e).0, "US" | "CA")
                })
            {
                emit(
                    &mut evidence,
                    id,
                    entry,
                    Trust::Fixed,
                    false,
                    Span::new(s, whole_end),
                );
                continue;
            }
            // A city glued to its state code.
            if whole.len() > 5 && whole.is_char_boundary(whole.len() - 2) {
                let (place, code) = whole.split_at(whole.len() - 2);
                if let (Some(r), Some(&id)) = (code_of(code), g.squashed.get(place.as_bytes())) {
                    let region = &g.regions[usize::from(r)];
                    if let Some(&entry) = g.entries[id].iter().find(|&&e| {
                        !matches!(e, Entry::Region(_))
                            && g.state_of(e) == (region.country, region.code.as_str())
                    }) {
                        emit(
                            &mut evidence,
                            id,
                            entry,
                            Trust::Fixed,
                            false,
                            Span::new(s, whole_end),
                        );
                        continue;
                    }
                }
            }
            if is_host {
                continue;
            }
            // Slug words: "sexy-girl-in-raleigh-nc-23": windows of up to three words.
            let mut w = 0;
            while w < words.len() {
                let mut matched = false;
                for len in (1..=3.min(words.len() - w)).rev() {
                    let (ws, _) = words[w];
                    let (_, we) = words[w + len - 1];
                    let joined = reference_squash(&segment[ws..we]);
                    if joined.len() < 3 {
                        continue;
                    }
                    let Some(&id) = g.squashed.get(joined.as_bytes()) else {
                        continue;
                    };
                    // A state code right after qualifies it ("raleigh-nc").
                    let next_state = words
                        .get(w + len)
                        .and_then(|&(ns, ne)| code_of(&segment[ns..ne]));
                    let mut local = evidence.clone();
                    if let Some(r) = next_state {
                        let region = &g.regions[r as usize];
                        local.add_state(region.country, &region.code);
                    }
                    let strict_ok = next_state.is_some() || len > 1;
                    let Some(entry) = finder.resolve_url(id, &local, false, strict_ok) else {
                        continue;
                    };
                    if matches!(entry, Entry::Region(_)) && len == 1 && !strict_ok {
                        continue;
                    }
                    let trust = match next_state.map(|r| &g.regions[usize::from(r)]) {
                        Some(r) if g.state_of(entry) == (r.country, r.code.as_str()) => {
                            Trust::Fixed
                        }
                        _ => Trust::MustAgree,
                    };
                    emit(
                        &mut evidence,
                        id,
                        entry,
                        trust,
                        g.first_entry_doubtful[id],
                        Span::new(s + ws, s + we),
                    );
                    w += len;
                    matched = true;
                    break;
                }
                if !matched {
                    w += 1;
                }
            }
        }
        for f in &found {
            if f.trust == Trust::Fixed {
                add_entry(&mut context.fixed, g, f.entry);
            }
        }
        context.found.extend(found);
        out
    }

    fn reference_squash(s: &str) -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// URL pieces: schemes, hosts, technical labels, state codes, slugs, separators, accents.
    const URL_PIECES: &[&str] = &[
        "http://",
        "https://",
        "://",
        "raleigh.",
        "WWW.",
        "m.",
        "Mobile.",
        "backpage.com",
        "site.example",
        ".",
        "..",
        "/",
        "//",
        "?",
        "#",
        "nc",
        "NC",
        "Nc",
        "on",
        "ny",
        "new-york",
        "new_york",
        "newyork",
        "New+York",
        "st.-louis",
        "saint-louis",
        "raleigh-nc",
        "jacksonville",
        "sexy-girl-in-",
        "charlotte",
        "mobile",
        "-",
        "_",
        "+",
        ",",
        "23",
        "ad-00000001",
        "montréal",
        "MONTRÉAL",
        "é",
        "ÉÉ",
        "İ",
        "winston-salem",
        "portland",
        "me",
        "ME",
        "or",
        "chicago",
        "body-rubs",
        "q=raleigh",
        "a",
        "x",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn url_places_match_reference(
            picks in proptest::collection::vec(0..URL_PIECES.len(), 0..16),
            state in proptest::option::of(0..3usize),
        ) {
            let finder = PlaceFinder::new().unwrap();
            let url: String = picks.iter().map(|&i| URL_PIECES[i]).collect();
            let mut context = PlaceContext::default();
            if let Some(i) = state {
                context.add("US", ["NC", "ME", "NY"][i]);
            }
            let mut reference_context = context.clone();
            let fast = finder.find_in_url(&url, &mut context);
            let reference = reference_find_in_url(&finder, &url, &mut reference_context);
            proptest::prop_assert_eq!(fast, reference, "{:?}", url);
            proptest::prop_assert_eq!(context.fixed.states, reference_context.fixed.states);
            proptest::prop_assert_eq!(context.fixed.countries, reference_context.fixed.countries);
            proptest::prop_assert_eq!(context.found.len(), reference_context.found.len());
        }
    }

    #[test]
    fn word_lists_are_lower_case_ascii() {
        for word in COMMON_WORDS
            .iter()
            .chain(FIRST_NAMES)
            .chain(FOREIGN_NAMESAKES)
        {
            assert!(
                word.is_ascii() && *word == word.to_ascii_lowercase(),
                "{word:?}"
            );
        }
    }

    #[test]
    fn name_filter_is_sparse() {
        // About 110,000 strings (with the world gazetteer) set about 210,000 of the 2,097,152
        // bits: a string not in the filter passes with a chance of about (210/2097)^2, 1%.
        let g = GAZETTEER.as_ref().unwrap();
        let bits_set: u32 = g.filter.bits.iter().map(|w| w.count_ones()).sum();
        assert!(
            bits_set < (1 << NameFilter::BITS_LOG2) / 8,
            "{bits_set} bits set"
        );
    }

    #[test]
    fn symbol_blocks_have_no_letters_or_digits() {
        for &(first, last) in SYMBOL_BLOCKS {
            for c in first..=last {
                assert!(!c.is_alphanumeric(), "{c:?} U+{:04X}", u32::from(c));
            }
        }
        for c in [
            'a', 'Z', '7', 'é', 'Ж', 'İ', '½', 'Ⅻ', 'ⓐ', '🄰', '’', '🦋', '_', ' ',
        ] {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    fn places_in(text: &str, field: Field, context: &mut PlaceContext) -> Vec<(String, String)> {
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, field);
        let finder = PlaceFinder::new().unwrap();
        let found = match field {
            Field::Location => finder.find_in_location_field(&ft, context),
            _ => finder.find_in_text(&ft, context),
        };
        found.into_iter().map(|l| (l.name, l.admin1)).collect()
    }

    fn text_places(text: &str) -> Vec<(String, String)> {
        places_in(text, Field::Body, &mut PlaceContext::default())
    }

    fn p(name: &str, admin1: &str) -> (String, String) {
        (name.to_string(), admin1.to_string())
    }

    #[test]
    fn cities_with_and_without_states() {
        assert_eq!(
            text_places("now in Raleigh, NC tonight"),
            vec![p("Raleigh", "NC")]
        );
        assert_eq!(text_places("Raleigh NC"), vec![p("Raleigh", "NC")]);
        assert_eq!(
            text_places("visiting Charlotte this week"),
            vec![p("Charlotte", "NC")]
        );
        assert_eq!(text_places("Portland, ME only"), vec![p("Portland", "ME")]);
        assert_eq!(
            text_places("outcalls all over Portland"),
            vec![p("Portland", "OR")]
        );
        assert_eq!(
            text_places("Springfield, Illinois"),
            vec![p("Springfield", "IL")]
        );
        assert_eq!(text_places("New Orleans"), vec![p("New Orleans", "LA")]);
        assert_eq!(text_places("St Louis girls"), vec![p("St. Louis", "MO")]);
        assert_eq!(text_places("Toronto, ON"), vec![p("Toronto", "ON")]);
        assert_eq!(text_places("in Montreal"), vec![p("Montréal", "QC")]);
        assert_eq!(
            text_places("best of Raleigh's girls"),
            vec![p("Raleigh", "NC")]
        );
        assert_eq!(
            text_places("Winston-Salem, NC"),
            vec![p("Winston-Salem", "NC")]
        );
        assert_eq!(text_places("NEW YORK CITY"), vec![p("New York City", "NY")]);
        assert_eq!(text_places("Ft. Worth"), vec![p("Fort Worth", "TX")]);
        assert!(text_places("xRaleigh Raleighx").is_empty());
    }

    #[test]
    fn common_words_and_names_need_a_state() {
        assert!(text_places("Mobile friendly site").is_empty());
        assert!(text_places("I am Normal and sweet, Hope to see you").is_empty());
        assert!(text_places("My name is Charlotte").is_empty());
        assert!(text_places("Gap between").is_empty());
        assert!(text_places("Ada loves you").is_empty());
        assert_eq!(text_places("in Mobile, AL"), vec![p("Mobile", "AL")]);
        assert!(text_places("London escorts").is_empty());
        assert!(text_places("welcome to the sunrise").is_empty());
    }

    #[test]
    fn location_field_and_context_settle_ambiguity() {
        let mut context = PlaceContext::default();
        assert_eq!(
            places_in("Portland, ME", Field::Location, &mut context),
            vec![p("Portland", "ME")]
        );
        assert_eq!(
            places_in("all over Portland", Field::Body, &mut context),
            vec![p("Portland", "ME")]
        );
        let mut context = PlaceContext::default();
        assert_eq!(
            places_in("mobile", Field::Location, &mut context),
            vec![p("Mobile", "AL")]
        );
        // Beside other words, a name that is also a common word needs the ad's state: the
        // "Airport" of "Atlanta GA / Airport" is not Airport, HI.
        let mut context = PlaceContext::default();
        let found = places_in("Atlanta GA / Airport", Field::Location, &mut context);
        assert_eq!(found, vec![p("Atlanta", "GA")]);
        // A neighbourhood or landmark word names no town even alone, unless its state
        // follows.
        let mut context = PlaceContext::default();
        assert!(places_in("Airport", Field::Location, &mut context).is_empty());
        let mut context = PlaceContext::default();
        assert_eq!(
            places_in("El Paso TX / the west side", Field::Location, &mut context),
            vec![p("El Paso", "TX")]
        );
        let mut context = PlaceContext::default();
        assert_eq!(
            places_in("West, TX", Field::Location, &mut context),
            vec![p("West", "TX")]
        );
        let mut context = PlaceContext::default();
        assert_eq!(
            places_in("NC", Field::Location, &mut context),
            vec![p("North Carolina", "NC")]
        );
    }

    #[test]
    fn a_sites_section_for_a_place_is_the_place() {
        let finder = PlaceFinder::new().unwrap();
        for (url, want) in [
            (
                "http://site.example/dallas-escorts/555-0100/?pid=1",
                ("Dallas", "TX"),
            ),
            (
                "http://site.example/washingtondc-escorts/1/",
                ("Washington", "DC"),
            ),
            ("http://site.example/londonon-escorts/2/", ("London", "ON")),
            (
                "http://site.example/ad/southernmaryland/3/",
                ("Maryland", "MD"),
            ),
            (
                "http://site.example/southeastmissouri-escorts/4",
                ("Missouri", "MO"),
            ),
        ] {
            let mut context = PlaceContext::default();
            let found = finder.find_in_url(url, &mut context);
            let got: Vec<(&str, &str)> = found
                .iter()
                .map(|l| (l.name.as_str(), l.admin1.as_str()))
                .collect();
            assert_eq!(got, vec![want], "{url}");
        }
        // A direction before a word that is no state, and a category word alone, give nothing.
        for url in [
            "http://site.example/northraleighx/1",
            "http://site.example/escorts/2",
            "http://site.example/ad/southcoast/3",
        ] {
            let mut context = PlaceContext::default();
            assert!(finder.find_in_url(url, &mut context).is_empty(), "{url}");
        }
    }

    #[test]
    fn places_from_urls() {
        let finder = PlaceFinder::new().unwrap();
        let mut context = PlaceContext::default();
        let found = finder.find_in_url(
            "http://raleigh.backpage.com/FemaleEscorts/x/123",
            &mut context,
        );
        assert_eq!(
            found.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
            vec!["Raleigh"]
        );
        assert_eq!(
            &"http://raleigh.backpage.com"[found[0].span.start..found[0].span.end],
            "raleigh"
        );
        let mut context = PlaceContext::default();
        let found = finder.find_in_url("https://site.example/nc/jacksonville/ad/1", &mut context);
        assert_eq!(
            (found[0].name.as_str(), found[0].admin1.as_str()),
            ("Jacksonville", "NC")
        );
        let mut context = PlaceContext::default();
        let found = finder.find_in_url(
            "https://site.example/ad/sexy-girl-in-new-york-23",
            &mut context,
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
