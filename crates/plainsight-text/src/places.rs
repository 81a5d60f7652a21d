//! Places resolved against the bundled GeoNames gazetteer (US and Canadian places with 1,000+
//! people, US states, Canadian provinces, US counties): from ad text ("in Raleigh, NC",
//! "Raleigh NC", "visiting Charlotte"), from the `location` field, and from the ad URL
//! ("raleigh.backpage.com", "/nc/raleigh/").
//!
//! Precision rules, because most place names are also words or first names:
//! * a name followed by its state ("Mobile, AL") or given in the location field or URL is
//!   always accepted;
//! * in free text a bare name must be capitalised and must not be a common English word
//!   ("Mobile", "Normal", "Hope"); a first name ("Charlotte", "Austin") or a famous foreign
//!   namesake ("London", "Paris") also needs a place cue before it ("in", "visiting", "near")
//!   or a matching state elsewhere in the ad; other single-word names need a cue or 50,000
//!   people;
//! * an ambiguous name goes to the place in a state mentioned in the ad (location field, URL,
//!   or the same text), else to the most populous one.
//!
//! The index is built once per process from files embedded in the binary (no file I/O).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use plainsight_core::{Field, Location, Span};

use crate::extract::{FieldText, TextError};

const PLACES_TSV: &str = include_str!("../data/gazetteer/us-ca-places.tsv");
const STATES_JSON: &str = include_str!("../data/gazetteer/us-states.json");
const COUNTIES_JSON: &str = include_str!("../data/gazetteer/us-counties.json");

/// Latitude and longitude of a gazetteer place by its name and state code (case-insensitive),
/// the most populous when several share both; for drawing maps without map tiles.
pub fn place_coordinates(name: &str, admin1: &str) -> Option<(f64, f64)> {
    static COORDINATES: LazyLock<HashMap<(String, String), (f64, f64)>> = LazyLock::new(|| {
        let mut map = HashMap::new();
        // Rows are: geonameid, name, country, admin1, lat, lon, population, alternates; the file
        // lists more populous places first, so the first of a name wins.
        for line in PLACES_TSV.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 6 {
                continue;
            }
            if let (Ok(lat), Ok(lon)) = (cols[4].parse::<f64>(), cols[5].parse::<f64>()) {
                map.entry((cols[1].to_lowercase(), cols[3].to_uppercase()))
                    .or_insert((lat, lon));
            }
        }
        map
    });
    COORDINATES
        .get(&(name.to_lowercase(), admin1.to_uppercase()))
        .copied()
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

/// Place names that are everyday English words: in free text they count only when followed
/// by their state ("Normal, IL").
const COMMON_WORDS: &[&str] = &[
    "airport",
    "ball",
    "bay",
    "beach",
    "bear",
    "bell",
    "bend",
    "best",
    "bliss",
    "blue",
    "brick",
    "bridge",
    "brook",
    "cabin",
    "camp",
    "center",
    "central",
    "chance",
    "charm",
    "clay",
    "cliff",
    "climax",
    "college",
    "comfort",
    "commerce",
    "concord",
    "cool",
    "cottage",
    "council",
    "cove",
    "crystal",
    "deal",
    "delta",
    "diamond",
    "downtown",
    "eagle",
    "early",
    "eden",
    "energy",
    "enterprise",
    "fair",
    "faith",
    "friend",
    "friendly",
    "friendship",
    "gap",
    "garden",
    "gate",
    "golden",
    "gray",
    "green",
    "grove",
    "harmony",
    "haven",
    "hazard",
    "highland",
    "holiday",
    "home",
    "hope",
    "humble",
    "ideal",
    "independence",
    "industry",
    "joy",
    "jupiter",
    "king",
    "kingdom",
    "lake",
    "liberty",
    "licking",
    "lost",
    "love",
    "lovely",
    "lucky",
    "magic",
    "many",
    "marina",
    "media",
    "mission",
    "mobile",
    "moody",
    "mount",
    "needles",
    "nice",
    "normal",
    "oasis",
    "ocean",
    "opportunity",
    "orange",
    "pacific",
    "page",
    "palm",
    "paradise",
    "paramount",
    "park",
    "peace",
    "pearl",
    "pink",
    "plain",
    "plains",
    "plantation",
    "pleasant",
    "post",
    "price",
    "prosper",
    "reading",
    "reform",
    "rush",
    "security",
    "shady",
    "spring",
    "springs",
    "star",
    "strong",
    "summit",
    "sunrise",
    "sunset",
    "superior",
    "surprise",
    "temple",
    "union",
    "unity",
    "uptown",
    "valley",
    "venus",
    "vista",
    "welcome",
    "white",
    "worth",
    "young",
    "ada",
    "normal",
    "alert",
    "bath",
    "beaver",
    "blackfoot",
    "boring",
    "college",
    "colony",
    "cordova",
    "eureka",
    "falls",
    "forest",
    "freedom",
    "gold",
    "hyde",
    "lime",
    "madison",
    "marion",
    "mills",
    "moore",
    "north",
    "olive",
    "ontario",
    "palmer",
    "parker",
    "rich",
    "rose",
    "royal",
    "savage",
    "sharon",
    "south",
    "east",
    "west",
    "stone",
    "sugar",
    "summer",
    "sun",
    "tiger",
    "trinity",
    "victory",
    "view",
    "wall",
    "woodland",
    "wyoming",
    "flushing",
    "junction",
    "university",
    "parkway",
    "mills",
    "sexton",
    "milan",
    "globe",
    "granite",
    "hamburg",
    "lebanon",
    "manchester",
    "bristol",
    "orleans",
];

/// Host labels that never name a place ("www.", "m."), compared in any case.
const TECHNICAL_LABELS: &[&str] = &[
    "www", "m", "mobile", "api", "cdn", "img", "images", "static", "mail", "en", "us",
];

/// Place names that are also common first names (the ad's writer or persona): in free text
/// they need a cue ("in", "visiting", "near") or a state.
const FIRST_NAMES: &[&str] = &[
    "charlotte",
    "victoria",
    "aurora",
    "austin",
    "madison",
    "jackson",
    "lincoln",
    "tyler",
    "florence",
    "beverly",
    "elizabeth",
    "eugene",
    "irving",
    "allen",
    "logan",
    "lynn",
    "troy",
    "chelsea",
    "ashley",
    "anna",
    "maria",
    "sophia",
    "holly",
    "kimberly",
    "paulina",
    "stacy",
    "tracy",
    "brandon",
    "kendall",
    "regina",
    "shelby",
    "taylor",
    "wayne",
    "sandy",
    "carson",
    "bryan",
    "gary",
    "norman",
    "milton",
    "quincy",
    "valentine",
    "celina",
    "mackenzie",
    "alexandria",
    "marietta",
    "savannah",
    "sierra",
    "camden",
    "jordan",
    "paris",
    "dallas",
    "georgia",
    "virginia",
    "carolina",
    "india",
    "asia",
    "china",
    "jasmine",
    "destiny",
    "amber",
    "angel",
    "angela",
    "april",
    "ariel",
    "aubrey",
    "autumn",
    "bianca",
    "brooke",
    "candy",
    "carmel",
    "casey",
    "cecil",
    "clinton",
    "dakota",
    "dana",
    "elena",
    "emily",
    "erin",
    "eva",
    "evans",
    "francis",
    "gloria",
    "grace",
    "hailey",
    "helena",
    "jasper",
    "jesup",
    "joy",
    "julian",
    "justin",
    "kelso",
    "kennedy",
    "laurel",
    "layton",
    "lola",
    "marion",
    "marshall",
    "monroe",
    "morgan",
    "nelson",
    "olivia",
    "pierre",
    "sandra",
    "sheridan",
    "stanley",
    "sydney",
    "vernon",
    "vienna",
    "washington",
    "wesley",
    "whitney",
    "wilson",
    "lydia",
    "lucy",
    "mimi",
    "gigi",
    "naomi",
    "portia",
    "ruby",
    "dixie",
    "rosa",
    "lisa",
    "jade",
    "bella",
    "alma",
    "edna",
    "ava",
    "ella",
    "mia",
    "nina",
    "tina",
    "dolores",
];

/// US and Canadian place names that ads from abroad use for a far better-known city. Outside
/// the location field or URL they need their state, or a matching state mention in the ad.
const FOREIGN_NAMESAKES: &[&str] = &[
    "london",
    "manchester",
    "birmingham",
    "delhi",
    "cambridge",
    "liverpool",
    "paris",
    "athens",
    "dublin",
    "melbourne",
    "sydney",
    "toledo",
    "valencia",
    "florence",
    "naples",
    "venice",
    "berlin",
    "moscow",
    "rome",
    "vienna",
    "hamburg",
    "frankfurt",
    "dover",
    "york",
    "oxford",
    "bristol",
    "glasgow",
    "kingston",
    "hamilton",
    "windsor",
    "richmond",
    "lima",
    "cairo",
    "lisbon",
    "madrid",
    "barcelona",
    "milan",
    "havana",
    "mexico",
    "jamaica",
    "lebanon",
    "peru",
    "cuba",
    "manila",
    "brighton",
    "reading",
    "durham",
    "lancaster",
    "plymouth",
    "wellington",
    "bangor",
    "perth",
    "aberdeen",
    "belfast",
    "warsaw",
    "odessa",
    "santiago",
    "victoria",
    "geneva",
    "stuttgart",
    "nottingham",
    "leeds",
    "sheffield",
    "bedford",
    "cardiff",
    "essex",
    "surrey",
    "kent",
    "guildford",
    "hull",
    "woking",
    "bath",
    "st. petersburg",
    "bogota",
    "taipei",
    "tokyo",
    "china",
    "india",
    "bangalore",
    "mumbai",
    "calcutta",
];

/// Words before a name that mark it as a place ("in Raleigh", "visiting Charlotte").
const PLACE_CUES: &[&str] = &[
    "in",
    "at",
    "near",
    "visiting",
    "visit",
    "from",
    "to",
    "around",
    "located",
    "location",
    "city",
    "downtown",
    "uptown",
    "area",
    "outside",
    "hosting",
    "incall",
    "incalls",
    "outcall",
    "outcalls",
    "serving",
    "covering",
    "touring",
    "arrived",
    "heading",
    "leaving",
    "across",
    "throughout",
    "metro",
    "greater",
    "north",
    "south",
    "east",
    "west",
    "central",
    "of",
];

/// One entry in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Place(u32),
    Region(u16),
    County(u32),
}

#[derive(Debug)]
struct Place {
    name: String,
    admin1: String,
    country: &'static str,
    geonameid: u64,
    population: u64,
}

#[derive(Debug)]
struct Region {
    code: String,
    name: String,
    country: &'static str,
    geonameid: u64,
}

#[derive(Debug)]
struct County {
    name: String,
    state: String,
}

/// The in-memory gazetteer: every name form maps to a list of entries, most populous first.
#[derive(Debug)]
struct Gazetteer {
    places: Vec<Place>,
    regions: Vec<Region>,
    counties: Vec<County>,
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
    /// Region lookup by upper-case postal code.
    region_by_code: HashMap<String, u16, FastHash>,
    /// For each byte, the regions (in `regions` order) whose name starts with it in lower
    /// case: a state name in text is looked for among a handful of names, not all 64.
    regions_by_initial: Vec<Vec<u16>>,
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
}

static GAZETTEER: LazyLock<Result<Gazetteer, String>> = LazyLock::new(Gazetteer::build);

impl Gazetteer {
    fn build() -> Result<Gazetteer, String> {
        let mut places = Vec::new();
        for (line_no, line) in PLACES_TSV.lines().enumerate().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 7 {
                return Err(format!(
                    "us-ca-places.tsv line {}: expected 7+ columns",
                    line_no + 1
                ));
            }
            let country = match cols[2] {
                "US" => "US",
                "CA" => "CA",
                _ => continue,
            };
            let admin1 = if country == "CA" {
                match PROVINCES.iter().find(|p| p.0 == cols[3]) {
                    Some(p) => p.1.to_string(),
                    None => continue,
                }
            } else {
                cols[3].to_string()
            };
            places.push(Place {
                name: cols[1].to_string(),
                admin1,
                country,
                geonameid: cols[0]
                    .parse()
                    .map_err(|_| format!("us-ca-places.tsv line {}: bad id", line_no + 1))?,
                population: cols[6].parse().unwrap_or(0),
            });
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
                country: "US",
                geonameid: s.geonameid,
            })
            .collect();
        regions.sort_by(|a, b| a.code.cmp(&b.code));
        for (_, code, name, id) in PROVINCES {
            regions.push(Region {
                code: code.to_string(),
                name: name.to_string(),
                country: "CA",
                geonameid: *id,
            });
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
        let mut by_key: HashMap<String, Vec<Entry>> = HashMap::new();
        for (i, p) in places.iter().enumerate() {
            for key in name_forms(&p.name) {
                by_key.entry(key).or_default().push(Entry::Place(i as u32));
            }
        }
        for (i, r) in regions.iter().enumerate() {
            for key in name_forms(&r.name) {
                by_key.entry(key).or_default().push(Entry::Region(i as u16));
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
            // Regions first (a state name means the state), then places by population.
            list.sort_by_key(|e| match *e {
                Entry::Region(_) => (0, 0),
                Entry::Place(i) => (1, u64::MAX - places[i as usize].population),
                Entry::County(_) => (2, 0),
            });
            list.dedup();
            entries.push(list);
            squashed.entry(squash(key)).or_insert(id);
        }
        let word_class = keys
            .iter()
            .map(|k| WordClass {
                common_word: contains_ci(COMMON_WORDS, k),
                first_name: contains_ci(FIRST_NAMES, k),
                foreign_namesake: contains_ci(FOREIGN_NAMESAKES, k),
            })
            .collect();
        // The three lists hold lower-case ASCII words (a test checks), so a name is in one of
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
                    let name = match e {
                        Entry::Place(i) => &places[i as usize].name,
                        Entry::Region(i) => &regions[i as usize].name,
                        Entry::County(i) => &counties[i as usize].name,
                    };
                    doubtful.contains(name.to_ascii_lowercase().as_str())
                })
            })
            .collect();
        // Names are found by looking words up in a hash map (one lookup per word of text);
        // an Aho-Corasick automaton over 15,000 names was several times slower to build and
        // to run. Most words are ruled out before that by the filter.
        let mut filter = NameFilter::new();
        for key in &keys {
            filter.insert(NameKind::Key, NameHash::default().extend(key.as_bytes()));
            let head = name_head(key);
            filter.insert(NameKind::Head, NameHash::HEAD.extend(head.as_bytes()));
            for prefix in name_prefixes(key) {
                filter.insert(
                    NameKind::Prefix,
                    NameHash::default().extend(prefix.as_bytes()),
                );
            }
        }
        let key_ids = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let region_by_code = regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i as u16))
            .collect();
        let mut regions_by_initial = vec![Vec::new(); 256];
        for (i, r) in regions.iter().enumerate() {
            // An empty name matches anywhere (`region_after` compares `name.len()` bytes).
            match r.name.as_bytes().first() {
                Some(b) => regions_by_initial[usize::from(b.to_ascii_lowercase())].push(i as u16),
                None => regions_by_initial
                    .iter_mut()
                    .for_each(|list| list.push(i as u16)),
            }
        }
        Ok(Gazetteer {
            places,
            regions,
            counties,
            entries,
            squashed,
            key_ids,
            filter,
            region_by_code,
            regions_by_initial,
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
                && self.filter.may_contain(NameKind::Head, head)
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

    /// (country, admin1) of an entry.
    fn state_of(&self, entry: Entry) -> (&'static str, &str) {
        match entry {
            Entry::Place(i) => {
                let p = &self.places[i as usize];
                (p.country, &p.admin1)
            }
            Entry::Region(i) => {
                let r = &self.regions[i as usize];
                (r.country, &r.code)
            }
            Entry::County(i) => ("US", &self.counties[i as usize].state),
        }
    }

    fn location(&self, entry: Entry, raw: String, span: Span, field: Field) -> Location {
        match entry {
            Entry::Place(i) => {
                let p = &self.places[i as usize];
                Location {
                    name: p.name.clone(),
                    admin1: p.admin1.clone(),
                    country: p.country.to_string(),
                    geonameid: p.geonameid,
                    raw,
                    span,
                    field,
                }
            }
            Entry::Region(i) => {
                let r = &self.regions[i as usize];
                Location {
                    name: r.name.clone(),
                    admin1: r.code.clone(),
                    country: r.country.to_string(),
                    geonameid: r.geonameid,
                    raw,
                    span,
                    field,
                }
            }
            Entry::County(i) => {
                let c = &self.counties[i as usize];
                Location {
                    name: c.name.clone(),
                    admin1: c.state.clone(),
                    country: "US".to_string(),
                    // Counties come from a FIPS list without GeoNames ids.
                    geonameid: 0,
                    raw,
                    span,
                    field,
                }
            }
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

    /// A state or province written at `pos` after a place name: ", NC", " NC", ",NC",
    /// " North Carolina", ", N.C.". Codes must be upper case unless `any_case`.
    /// Returns the region and the end of the qualifier.
    fn region_after(&self, text: &str, pos: usize, any_case: bool) -> Option<(u16, usize)> {
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
        // Full names first ("North Carolina" before "NC"), in `regions` order; only names
        // with the same initial can match, and those are listed by initial.
        let initial = bytes.get(p).map_or(0, u8::to_ascii_lowercase);
        for &i in &self.regions_by_initial[usize::from(initial)] {
            let r = &self.regions[usize::from(i)];
            let n = r.name.len();
            if bytes.len() >= p + n
                && text.is_char_boundary(p + n)
                && text[p..p + n].eq_ignore_ascii_case(&r.name)
                && !bytes.get(p + n).is_some_and(u8::is_ascii_alphanumeric)
            {
                return Some((i, p + n));
            }
        }
        // Two-letter code, optionally dotted ("N.C.").
        let (code, end) = if bytes.len() >= p + 4
            && bytes[p].is_ascii_alphabetic()
            && bytes[p + 1] == b'.'
            && bytes[p + 2].is_ascii_alphabetic()
            && bytes[p + 3] == b'.'
        {
            ([bytes[p], bytes[p + 2]], p + 4)
        } else if bytes.len() >= p + 2
            && bytes[p].is_ascii_alphabetic()
            && bytes[p + 1].is_ascii_alphabetic()
        {
            if bytes.get(p + 2).is_some_and(u8::is_ascii_alphanumeric) {
                return None;
            }
            ([bytes[p], bytes[p + 1]], p + 2)
        } else {
            return None;
        };
        if !(any_case || code[0].is_ascii_uppercase() && code[1].is_ascii_uppercase()) {
            return None;
        }
        let code = [code[0].to_ascii_uppercase(), code[1].to_ascii_uppercase()];
        let code = std::str::from_utf8(&code).ok()?;
        self.region_by_code.get(code).map(|&i| (i, end))
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
    s.chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '–' | '—' => '-',
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
}

impl NameKind {
    /// The hash the filter holds for a string of this kind with hash `hash`: followed by
    /// the kind's byte, except for a head, whose hash starts with it ([`NameHash::HEAD`]).
    fn tag(self, hash: NameHash) -> NameHash {
        match self {
            NameKind::Head => hash,
            NameKind::Key | NameKind::Prefix => hash.push(self as u8),
        }
    }
}

/// A Bloom filter (two bits per string, in 2^19 bits = 64 KiB) over the strings the name
/// index can match. A "no" is certain, so most words of a text are ruled out after one
/// pass over their bytes; a "yes" (about 1.5% false positives) is checked in the hash maps.
#[derive(Debug)]
struct NameFilter {
    bits: Vec<u64>,
}

impl NameFilter {
    const BITS_LOG2: u32 = 19;

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

fn contains_ci(list: &[&str], key: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(key))
}

/// States and provinces already known for the ad (from its location field and URL), used to
/// settle ambiguous city names found elsewhere.
#[derive(Debug, Clone, Default)]
pub struct PlaceContext {
    /// (country, admin1) pairs.
    states: Vec<(&'static str, String)>,
}

impl PlaceContext {
    fn add(&mut self, country: &'static str, admin1: &str) {
        if !self
            .states
            .iter()
            .any(|(c, a)| *c == country && a == admin1)
        {
            self.states.push((country, admin1.to_string()));
        }
    }

    fn contains(&self, country: &str, admin1: &str) -> bool {
        self.states
            .iter()
            .any(|(c, a)| *c == country && a == admin1)
    }
}

/// How strict to be about a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// The location field: everything that resolves is a place.
    LocationField,
    /// Title or body.
    FreeText,
}

/// Finds places. Built once by [`crate::extract::Extractor`]; the index itself is shared.
#[derive(Debug)]
pub struct PlaceFinder {
    gazetteer: &'static Gazetteer,
}

struct Candidate {
    start: usize,
    end: usize,
    key_id: usize,
    qualifier: Option<(u16, usize)>,
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

    /// Places in the ad's `location` field ("Raleigh, NC", "raleigh", "NC"). States found
    /// there are added to `context`.
    pub fn find_in_location_field(
        &self,
        text: &FieldText<'_>,
        context: &mut PlaceContext,
    ) -> Vec<Location> {
        let mut local = Cow::Borrowed(&*context);
        let found = self.find(text, &mut local, Strictness::LocationField);
        if let Cow::Owned(updated) = local {
            *context = updated;
        }
        let g = self.gazetteer;
        let mut out = found;
        if out.is_empty() {
            // A bare state code ("NC", "on") is the whole location.
            let t = text.text().trim();
            let code: String = t
                .chars()
                .filter(|c| *c != '.')
                .collect::<String>()
                .to_ascii_uppercase();
            if let Some(&region) = g.region_by_code.get(&code)
                && t.len() <= 4
            {
                let offset = text.text().find(t).unwrap_or(0);
                let (span, raw) = text.locate(offset..offset + t.len());
                out.push(g.location(Entry::Region(region), raw, span, text.field));
            }
        }
        for l in &out {
            let country = if l.country == "CA" { "CA" } else { "US" };
            context.add(country, &l.admin1);
        }
        out
    }

    /// Places in a title or body.
    pub fn find_in_text(&self, text: &FieldText<'_>, context: &PlaceContext) -> Vec<Location> {
        self.find(text, &mut Cow::Borrowed(context), Strictness::FreeText)
    }

    /// States the field names are added to `context`, which is copied only then (most fields
    /// name none, and a title or body must not change the ad's context).
    fn find(
        &self,
        text: &FieldText<'_>,
        context: &mut Cow<'_, PlaceContext>,
        strictness: Strictness,
    ) -> Vec<Location> {
        let g = self.gazetteer;
        let haystack = text.text();
        let bytes = haystack.as_bytes();
        let any_case = strictness == Strictness::LocationField;

        // Pass 1: candidates with word boundaries, and the states they are qualified by.
        let mut candidates = Vec::new();
        // Allocated only if some word gets past the name filter.
        let mut lowered = String::new();
        let mut resume = 0;
        for (start, end, key_id) in std::iter::from_fn(|| {
            let found = g.next_name(haystack, resume, &mut lowered);
            if let Some((_, end, _)) = found {
                resume = end;
            }
            found
        }) {
            // A name inside an email address or URL belongs to that, not to the text.
            if start > 0 && matches!(bytes[start - 1], b'@' | b'.' | b'/') {
                continue;
            }
            let qualifier = g.region_after(haystack, end, any_case).filter(|(r, _)| {
                g.entries[key_id].iter().any(|e| {
                    !matches!(e, Entry::Region(_)) && {
                        let (c, a) = g.state_of(*e);
                        let region = &g.regions[*r as usize];
                        c == region.country && a == region.code
                    }
                })
            });
            candidates.push(Candidate {
                start,
                end,
                key_id,
                qualifier,
            });
        }
        // States named in this field (as qualifiers or on their own) also settle ambiguity.
        for c in &candidates {
            if let Some((r, _)) = c.qualifier {
                let region = &g.regions[r as usize];
                context.to_mut().add(region.country, &region.code);
            } else if let Some(Entry::Region(r)) = g.entries[c.key_id].first()
                && first_is_upper(haystack, c.start)
            {
                let region = &g.regions[*r as usize];
                context.to_mut().add(region.country, &region.code);
            }
        }

        // Pass 2: accept and resolve.
        let mut out = Vec::new();
        let mut consumed_until = 0;
        for c in &candidates {
            if c.start < consumed_until {
                continue;
            }
            let key = &haystack[c.start..c.end];
            let entries = &g.entries[c.key_id];
            let Some(entry) = self.resolve(entries, c, context, key, haystack, strictness) else {
                continue;
            };
            let end = match (entry, c.qualifier) {
                (Entry::Region(_), _) => c.end,
                (_, Some((_, q_end))) => q_end,
                _ => c.end,
            };
            let (span, raw) = text.locate(c.start..end);
            out.push(g.location(entry, raw, span, text.field));
            consumed_until = end;
        }
        out
    }

    fn resolve(
        &self,
        entries: &[Entry],
        c: &Candidate,
        context: &PlaceContext,
        key: &str,
        haystack: &str,
        strictness: Strictness,
    ) -> Option<Entry> {
        let g = self.gazetteer;
        let class = g.word_class[c.key_id];
        // Qualified by its state: that settles it.
        if let Some((r, _)) = c.qualifier {
            let region = &g.regions[r as usize];
            return entries.iter().copied().find(|e| {
                !matches!(e, Entry::Region(_))
                    && g.state_of(*e) == (region.country, region.code.as_str())
            });
        }
        let in_context = entries.iter().copied().find(|e| {
            !matches!(e, Entry::Region(_)) && {
                let (country, admin1) = g.state_of(*e);
                context.contains(country, admin1)
            }
        });
        let first = *entries.first()?;
        if strictness == Strictness::LocationField {
            // A location field names places, but it also says "Atlanta / Airport" or "Jack
            // London Sq": a name that is also a common word, a first name or a foreign
            // namesake is taken from elsewhere only when it is the whole field ("Mobile");
            // beside other words it must be in a state the ad names.
            let alone = haystack[..c.start].trim().is_empty()
                && haystack[c.end..]
                    .trim_matches(|ch: char| !ch.is_alphanumeric())
                    .is_empty();
            let doubtful =
                (class.common_word || class.first_name || class.foreign_namesake) && !alone;
            return match first {
                Entry::Region(_) => Some(first),
                _ if doubtful => in_context,
                _ => Some(in_context.unwrap_or(first)),
            };
        }

        // Free text from here on.
        if !first_is_upper(haystack, c.start) {
            return None;
        }
        let is_region = matches!(first, Entry::Region(_));
        let cue = has_place_cue(haystack, c.start);
        if class.common_word {
            return None;
        }
        if class.foreign_namesake {
            // Only when the ad names the matching state.
            return in_context;
        }
        if class.first_name && !cue {
            return if is_region { None } else { in_context };
        }
        if is_region {
            return Some(first);
        }
        // Counties: only "X County" with a known or unique state.
        if let Entry::County(_) = first {
            let counties: Vec<Entry> = entries
                .iter()
                .copied()
                .filter(|e| matches!(e, Entry::County(_)))
                .collect();
            return in_context.or_else(|| (counties.len() == 1).then_some(first));
        }
        let best = in_context.unwrap_or(first);
        let multiword = key.contains(' ');
        if cue || multiword || g.population(best) >= 50_000 || in_context.is_some() {
            Some(best)
        } else {
            None
        }
    }

    /// Places named in an ad URL: host labels ("raleigh.backpage.com") and path segments
    /// ("/nc/raleigh/", "/new-york/"). Two-letter state codes in the path go to `context`.
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
                let region = &g.regions[r as usize];
                context.add(region.country, &region.code);
            }
        }
        let mut out = Vec::new();
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
            // Whole segment: "raleigh", "newyork", "new-york", "new_york".
            if let Some(&id) = g.squashed.get(squashed.as_slice())
                && let Some(entry) = self.resolve_url(id, context, is_host, true)
            {
                out.push(g.location(entry, segment.to_string(), Span::new(s, e), Field::Url));
                continue;
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
                    let mut local = context.clone();
                    if let Some(r) = next_state {
                        let region = &g.regions[r as usize];
                        local.add(region.country, &region.code);
                    }
                    let strict_ok = next_state.is_some() || len > 1;
                    let Some(entry) = self.resolve_url(id, &local, false, strict_ok) else {
                        continue;
                    };
                    if matches!(entry, Entry::Region(_)) && len == 1 && !strict_ok {
                        continue;
                    }
                    let span = Span::new(s + ws, s + we);
                    out.push(g.location(
                        entry,
                        url[span.start..span.end].to_string(),
                        span,
                        Field::Url,
                    ));
                    w += len;
                    matched = true;
                    break;
                }
                if !matched {
                    w += 1;
                }
            }
        }
        for l in &out {
            let country = if l.country == "CA" { "CA" } else { "US" };
            context.add(country, &l.admin1);
        }
        out
    }

    /// Resolve a URL segment. `trusted` segments (host labels, whole path segments, slugs with
    /// a state) accept any name; other slug words follow the free-text word rules.
    fn resolve_url(
        &self,
        key_id: usize,
        context: &PlaceContext,
        is_host: bool,
        trusted: bool,
    ) -> Option<Entry> {
        let g = self.gazetteer;
        let entries = &g.entries[key_id];
        let first = *entries.first()?;
        let in_context = entries.iter().copied().find(|e| {
            let (country, admin1) = g.state_of(*e);
            !matches!(e, Entry::Region(_)) && context.contains(country, admin1)
        });
        if let Some(e) = in_context {
            return Some(e);
        }
        let common = g.first_entry_doubtful[key_id];
        if is_host || trusted {
            if common && !is_host {
                return None;
            }
            return Some(first);
        }
        (!common && g.population(first) >= 50_000).then_some(first)
    }
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
            let fast = all_names(&text, |t, from| g.next_name(t, from, &mut String::new()));
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
            let fast = all_names(text, |t, from| g.next_name(t, from, &mut String::new()));
            let reference = all_names(text, |t, from| {
                reference_next_name(g, t, from, &mut String::new())
            });
            assert_eq!(fast, reference, "{text:?}");
            found += fast.len();
        }
        assert!(found >= 15, "the samples exercise the scan ({found} names)");
    }

    /// `find_in_url` as it was before [`pieces`], [`squash_into`] and
    /// [`Gazetteer::region_by_code_any_case`]: the new one must find exactly the same places.
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

        // Segments: (start, end, is_host_label, is_whole_path_segment).
        let mut segments: Vec<(usize, usize, bool)> = Vec::new();
        let labels: Vec<(usize, usize)> = split_ranges(host, b".")
            .into_iter()
            .map(|(s, e)| (after_scheme + s, after_scheme + e))
            .collect();
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
            if !is_host
                && e - s == 2
                && let Some(&r) = g.region_by_code.get(&url[s..e].to_ascii_uppercase())
            {
                let region = &g.regions[r as usize];
                context.add(region.country, &region.code);
            }
        }
        let mut out = Vec::new();
        for &(s, e, is_host) in &segments {
            let segment = &url[s..e];
            // Whole segment: "raleigh", "newyork", "new-york", "new_york".
            if let Some(&id) = g.squashed.get(reference_squash(segment).as_bytes())
                && let Some(entry) =
                    reference_resolve_url(finder, &g.entries[id], context, is_host, true)
            {
                out.push(g.location(entry, segment.to_string(), Span::new(s, e), Field::Url));
                continue;
            }
            if is_host {
                continue;
            }
            // Slug words: "sexy-girl-in-raleigh-nc-23": windows of up to three words.
            let words = split_ranges(segment, b"-_+.,");
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
                    let next_state = words.get(w + len).and_then(|&(ns, ne)| {
                        (ne - ns == 2)
                            .then(|| g.region_by_code.get(&segment[ns..ne].to_ascii_uppercase()))
                            .flatten()
                    });
                    let mut local = context.clone();
                    if let Some(&r) = next_state {
                        let region = &g.regions[r as usize];
                        local.add(region.country, &region.code);
                    }
                    let strict_ok = next_state.is_some() || len > 1;
                    let Some(entry) =
                        reference_resolve_url(finder, &g.entries[id], &local, false, strict_ok)
                    else {
                        continue;
                    };
                    if matches!(entry, Entry::Region(_)) && len == 1 && !strict_ok {
                        continue;
                    }
                    let span = Span::new(s + ws, s + we);
                    out.push(g.location(
                        entry,
                        url[span.start..span.end].to_string(),
                        span,
                        Field::Url,
                    ));
                    w += len;
                    matched = true;
                    break;
                }
                if !matched {
                    w += 1;
                }
            }
        }
        for l in &out {
            let country = if l.country == "CA" { "CA" } else { "US" };
            context.add(country, &l.admin1);
        }
        out
    }

    fn reference_resolve_url(
        finder: &PlaceFinder,
        entries: &[Entry],
        context: &PlaceContext,
        is_host: bool,
        trusted: bool,
    ) -> Option<Entry> {
        let g = finder.gazetteer;
        let first = *entries.first()?;
        let in_context = entries.iter().copied().find(|e| {
            let (country, admin1) = g.state_of(*e);
            !matches!(e, Entry::Region(_)) && context.contains(country, admin1)
        });
        if let Some(e) = in_context {
            return Some(e);
        }
        let name = match first {
            Entry::Place(i) => g.places[i as usize].name.to_ascii_lowercase(),
            Entry::Region(i) => g.regions[i as usize].name.to_ascii_lowercase(),
            Entry::County(i) => g.counties[i as usize].name.to_ascii_lowercase(),
        };
        let common = contains_ci(COMMON_WORDS, &name)
            || contains_ci(FIRST_NAMES, &name)
            || contains_ci(FOREIGN_NAMESAKES, &name);
        if is_host || trusted {
            if common && !is_host {
                return None;
            }
            return Some(first);
        }
        (!common && g.population(first) >= 50_000).then_some(first)
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
            proptest::prop_assert_eq!(context.states, reference_context.states);
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
        // About 34,000 strings set about 63,000 of the 524,288 bits: a string not in the
        // filter passes with a chance of about (63/524)^2, 1.5%.
        let g = GAZETTEER.as_ref().unwrap();
        let bits_set: u32 = g.filter.bits.iter().map(|w| w.count_ones()).sum();
        assert!(
            bits_set < (1 << NameFilter::BITS_LOG2) / 6,
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
        let mut context = PlaceContext::default();
        assert_eq!(
            places_in("Airport", Field::Location, &mut context).len(),
            1,
            "alone, the field names the place"
        );
        let mut context = PlaceContext::default();
        assert_eq!(
            places_in("NC", Field::Location, &mut context),
            vec![p("North Carolina", "NC")]
        );
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
