//! Real US cities with their state codes and local telephone area codes, grouped into
//! regions so that circuits move between nearby cities the way real ones do.
//!
//! Area codes are limited to ones in service since before 2018, so that any released
//! telephone-number metadata (such as the `phonenumber` crate's) accepts them as valid.

/// A region of neighbouring cities; most circuits stay inside one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Region {
    Southeast,
    Florida,
    MidAtlantic,
    Northeast,
    Midwest,
    SouthCentral,
    Mountain,
    WestCoast,
}

/// One city in the built-in list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct City {
    pub name: &'static str,
    /// USPS state code.
    pub state: &'static str,
    /// Local area codes; the first is the oldest and most common.
    pub area_codes: &'static [u16],
    pub region: Region,
    /// Relative share of ad volume (roughly metro size).
    pub weight: u32,
    /// Places inside or near the city that ads name ("near the airport" is generic too).
    pub spots: &'static [&'static str],
}

use Region::*;

/// The cities ads are posted in.
#[rustfmt::skip]
pub(crate) const CITIES: &[City] = &[
    City { name: "Raleigh", state: "NC", area_codes: &[919, 984], region: Southeast, weight: 5, spots: &["North Hills", "Crabtree", "Brier Creek", "Cary"] },
    City { name: "Durham", state: "NC", area_codes: &[919, 984], region: Southeast, weight: 3, spots: &["RTP", "Southpoint", "downtown Durham"] },
    City { name: "Charlotte", state: "NC", area_codes: &[704, 980], region: Southeast, weight: 7, spots: &["Uptown", "University area", "SouthPark", "the airport"] },
    City { name: "Greensboro", state: "NC", area_codes: &[336], region: Southeast, weight: 3, spots: &["Four Seasons", "the coliseum area", "Wendover"] },
    City { name: "Fayetteville", state: "NC", area_codes: &[910], region: Southeast, weight: 3, spots: &["Skibo Rd", "the mall area", "Fort Liberty"] },
    City { name: "Wilmington", state: "NC", area_codes: &[910], region: Southeast, weight: 2, spots: &["Wrightsville", "downtown", "Market St"] },
    City { name: "Asheville", state: "NC", area_codes: &[828], region: Southeast, weight: 1, spots: &["South Asheville", "downtown"] },
    City { name: "Atlanta", state: "GA", area_codes: &[404, 678, 470, 770], region: Southeast, weight: 10, spots: &["Buckhead", "Midtown", "Marietta", "Perimeter", "the airport"] },
    City { name: "Savannah", state: "GA", area_codes: &[912], region: Southeast, weight: 2, spots: &["Abercorn", "the historic district"] },
    City { name: "Augusta", state: "GA", area_codes: &[706, 762], region: Southeast, weight: 2, spots: &["Washington Rd", "Bobby Jones"] },
    City { name: "Columbia", state: "SC", area_codes: &[803], region: Southeast, weight: 3, spots: &["Harbison", "the Vista", "Two Notch"] },
    City { name: "Charleston", state: "SC", area_codes: &[843], region: Southeast, weight: 3, spots: &["North Charleston", "Mt Pleasant", "West Ashley"] },
    City { name: "Greenville", state: "SC", area_codes: &[864], region: Southeast, weight: 2, spots: &["Haywood", "Woodruff Rd"] },
    City { name: "Myrtle Beach", state: "SC", area_codes: &[843], region: Southeast, weight: 2, spots: &["Kings Hwy", "the boardwalk"] },
    City { name: "Birmingham", state: "AL", area_codes: &[205], region: Southeast, weight: 3, spots: &["Hoover", "the Galleria"] },
    City { name: "Montgomery", state: "AL", area_codes: &[334], region: Southeast, weight: 1, spots: &["Eastchase"] },
    City { name: "Mobile", state: "AL", area_codes: &[251], region: Southeast, weight: 1, spots: &["Airport Blvd"] },
    City { name: "Jackson", state: "MS", area_codes: &[601, 769], region: Southeast, weight: 1, spots: &["Ridgeland", "County Line Rd"] },
    City { name: "Memphis", state: "TN", area_codes: &[901], region: Southeast, weight: 4, spots: &["Germantown", "Cordova", "the airport"] },
    City { name: "Nashville", state: "TN", area_codes: &[615, 629], region: Southeast, weight: 5, spots: &["Midtown", "Opryland", "Brentwood"] },
    City { name: "Knoxville", state: "TN", area_codes: &[865], region: Southeast, weight: 2, spots: &["West Town", "Turkey Creek"] },
    City { name: "Chattanooga", state: "TN", area_codes: &[423], region: Southeast, weight: 1, spots: &["Hamilton Place"] },
    City { name: "Louisville", state: "KY", area_codes: &[502], region: Southeast, weight: 3, spots: &["the airport", "Hurstbourne"] },
    City { name: "Lexington", state: "KY", area_codes: &[859], region: Southeast, weight: 2, spots: &["Hamburg", "Nicholasville Rd"] },
    City { name: "Miami", state: "FL", area_codes: &[305, 786], region: Florida, weight: 9, spots: &["Brickell", "Doral", "South Beach", "the airport"] },
    City { name: "Fort Lauderdale", state: "FL", area_codes: &[954, 754], region: Florida, weight: 5, spots: &["Las Olas", "Sunrise", "the beach"] },
    City { name: "Orlando", state: "FL", area_codes: &[407, 321], region: Florida, weight: 6, spots: &["International Dr", "the parks area", "Kissimmee"] },
    City { name: "Tampa", state: "FL", area_codes: &[813], region: Florida, weight: 6, spots: &["Westshore", "Brandon", "Ybor"] },
    City { name: "Jacksonville", state: "FL", area_codes: &[904], region: Florida, weight: 4, spots: &["Southside", "the beaches", "Baymeadows"] },
    City { name: "Tallahassee", state: "FL", area_codes: &[850], region: Florida, weight: 2, spots: &["Apalachee Pkwy"] },
    City { name: "Richmond", state: "VA", area_codes: &[804], region: MidAtlantic, weight: 3, spots: &["Short Pump", "Midlothian", "Glen Allen"] },
    City { name: "Norfolk", state: "VA", area_codes: &[757], region: MidAtlantic, weight: 3, spots: &["Ghent", "Military Hwy"] },
    City { name: "Virginia Beach", state: "VA", area_codes: &[757], region: MidAtlantic, weight: 2, spots: &["the oceanfront", "Town Center"] },
    City { name: "Washington", state: "DC", area_codes: &[202], region: MidAtlantic, weight: 7, spots: &["Georgetown", "Dupont", "Navy Yard"] },
    City { name: "Baltimore", state: "MD", area_codes: &[410, 443, 667], region: MidAtlantic, weight: 5, spots: &["BWI", "Towson", "the Inner Harbor"] },
    City { name: "Philadelphia", state: "PA", area_codes: &[215, 267], region: MidAtlantic, weight: 7, spots: &["Center City", "King of Prussia", "the airport"] },
    City { name: "Pittsburgh", state: "PA", area_codes: &[412], region: MidAtlantic, weight: 3, spots: &["Monroeville", "Robinson"] },
    City { name: "New York", state: "NY", area_codes: &[212, 646, 718, 347, 917, 929], region: Northeast, weight: 12, spots: &["Midtown", "Queens", "Brooklyn", "the Bronx", "LIC"] },
    City { name: "Buffalo", state: "NY", area_codes: &[716], region: Northeast, weight: 2, spots: &["Cheektowaga", "Amherst"] },
    City { name: "Newark", state: "NJ", area_codes: &[973, 862], region: Northeast, weight: 3, spots: &["EWR", "Ironbound"] },
    City { name: "Jersey City", state: "NJ", area_codes: &[201, 551], region: Northeast, weight: 2, spots: &["Journal Square", "Secaucus"] },
    City { name: "Boston", state: "MA", area_codes: &[617, 857], region: Northeast, weight: 6, spots: &["Back Bay", "Logan", "Quincy"] },
    City { name: "Providence", state: "RI", area_codes: &[401], region: Northeast, weight: 2, spots: &["Warwick", "downtown"] },
    City { name: "Hartford", state: "CT", area_codes: &[860, 959], region: Northeast, weight: 2, spots: &["Berlin Tpke", "East Hartford"] },
    City { name: "Chicago", state: "IL", area_codes: &[312, 773, 872], region: Midwest, weight: 10, spots: &["O'Hare", "the Loop", "Schaumburg", "Rosemont"] },
    City { name: "Detroit", state: "MI", area_codes: &[313], region: Midwest, weight: 5, spots: &["Dearborn", "Southfield", "DTW"] },
    City { name: "Grand Rapids", state: "MI", area_codes: &[616], region: Midwest, weight: 2, spots: &["28th St"] },
    City { name: "Indianapolis", state: "IN", area_codes: &[317], region: Midwest, weight: 4, spots: &["Castleton", "the airport", "Greenwood"] },
    City { name: "Columbus", state: "OH", area_codes: &[614, 380], region: Midwest, weight: 4, spots: &["Polaris", "Easton", "Short North"] },
    City { name: "Cleveland", state: "OH", area_codes: &[216], region: Midwest, weight: 3, spots: &["Independence", "Beachwood"] },
    City { name: "Cincinnati", state: "OH", area_codes: &[513], region: Midwest, weight: 3, spots: &["Sharonville", "Florence KY"] },
    City { name: "Toledo", state: "OH", area_codes: &[419, 567], region: Midwest, weight: 1, spots: &["Maumee"] },
    City { name: "Milwaukee", state: "WI", area_codes: &[414], region: Midwest, weight: 3, spots: &["Brookfield", "the airport"] },
    City { name: "Minneapolis", state: "MN", area_codes: &[612], region: Midwest, weight: 4, spots: &["Bloomington", "the Mall of America area"] },
    City { name: "St. Louis", state: "MO", area_codes: &[314], region: Midwest, weight: 4, spots: &["Westport", "Chesterfield", "the airport"] },
    City { name: "Kansas City", state: "MO", area_codes: &[816], region: Midwest, weight: 3, spots: &["the Plaza", "Overland Park"] },
    City { name: "Omaha", state: "NE", area_codes: &[402, 531], region: Midwest, weight: 2, spots: &["Westroads", "Old Market"] },
    City { name: "Des Moines", state: "IA", area_codes: &[515], region: Midwest, weight: 1, spots: &["West Des Moines"] },
    City { name: "Dallas", state: "TX", area_codes: &[214, 469, 972], region: SouthCentral, weight: 8, spots: &["Uptown", "Las Colinas", "Galleria", "DFW"] },
    City { name: "Fort Worth", state: "TX", area_codes: &[817, 682], region: SouthCentral, weight: 4, spots: &["Arlington", "Hurst", "Sundance"] },
    City { name: "Houston", state: "TX", area_codes: &[713, 281, 832, 346], region: SouthCentral, weight: 9, spots: &["the Galleria", "Westchase", "IAH", "Katy", "Hobby"] },
    City { name: "San Antonio", state: "TX", area_codes: &[210, 726], region: SouthCentral, weight: 5, spots: &["the Riverwalk", "the Medical Center", "Airport"] },
    City { name: "Austin", state: "TX", area_codes: &[512, 737], region: SouthCentral, weight: 4, spots: &["the Domain", "downtown", "Round Rock"] },
    City { name: "El Paso", state: "TX", area_codes: &[915], region: SouthCentral, weight: 2, spots: &["the west side"] },
    City { name: "Oklahoma City", state: "OK", area_codes: &[405], region: SouthCentral, weight: 3, spots: &["Bricktown", "Meridian"] },
    City { name: "Tulsa", state: "OK", area_codes: &[918, 539], region: SouthCentral, weight: 2, spots: &["Woodland Hills", "Southern Hills"] },
    City { name: "Little Rock", state: "AR", area_codes: &[501], region: SouthCentral, weight: 1, spots: &["West Little Rock"] },
    City { name: "New Orleans", state: "LA", area_codes: &[504], region: SouthCentral, weight: 4, spots: &["the French Quarter", "Metairie", "Kenner"] },
    City { name: "Baton Rouge", state: "LA", area_codes: &[225], region: SouthCentral, weight: 2, spots: &["Siegen Ln", "College Dr"] },
    City { name: "Shreveport", state: "LA", area_codes: &[318], region: SouthCentral, weight: 1, spots: &["Bossier"] },
    City { name: "Denver", state: "CO", area_codes: &[303, 720], region: Mountain, weight: 5, spots: &["Tech Center", "Cherry Creek", "Aurora"] },
    City { name: "Colorado Springs", state: "CO", area_codes: &[719], region: Mountain, weight: 2, spots: &["Academy Blvd"] },
    City { name: "Albuquerque", state: "NM", area_codes: &[505], region: Mountain, weight: 2, spots: &["Uptown", "the Sunport"] },
    City { name: "Phoenix", state: "AZ", area_codes: &[602, 480, 623], region: Mountain, weight: 7, spots: &["Scottsdale", "Tempe", "Sky Harbor"] },
    City { name: "Tucson", state: "AZ", area_codes: &[520], region: Mountain, weight: 2, spots: &["Oracle Rd", "the foothills"] },
    City { name: "Las Vegas", state: "NV", area_codes: &[702, 725], region: Mountain, weight: 8, spots: &["the Strip", "Henderson", "off Flamingo"] },
    City { name: "Reno", state: "NV", area_codes: &[775], region: Mountain, weight: 1, spots: &["Sparks"] },
    City { name: "Salt Lake City", state: "UT", area_codes: &[801, 385], region: Mountain, weight: 2, spots: &["Sandy", "West Valley"] },
    City { name: "Boise", state: "ID", area_codes: &[208], region: Mountain, weight: 1, spots: &["Meridian"] },
    City { name: "Los Angeles", state: "CA", area_codes: &[213, 323, 310, 424, 818], region: WestCoast, weight: 12, spots: &["Hollywood", "the Valley", "LAX", "Koreatown", "Long Beach"] },
    City { name: "San Diego", state: "CA", area_codes: &[619, 858], region: WestCoast, weight: 5, spots: &["Mission Valley", "the Gaslamp", "Kearny Mesa"] },
    City { name: "San Francisco", state: "CA", area_codes: &[415, 628], region: WestCoast, weight: 5, spots: &["SoMa", "Union Square", "SFO"] },
    City { name: "Oakland", state: "CA", area_codes: &[510], region: WestCoast, weight: 3, spots: &["Emeryville", "Jack London Sq"] },
    City { name: "San Jose", state: "CA", area_codes: &[408, 669], region: WestCoast, weight: 4, spots: &["Santa Clara", "Milpitas"] },
    City { name: "Sacramento", state: "CA", area_codes: &[916], region: WestCoast, weight: 3, spots: &["Natomas", "Roseville"] },
    City { name: "Fresno", state: "CA", area_codes: &[559], region: WestCoast, weight: 2, spots: &["Shaw Ave"] },
    City { name: "Portland", state: "OR", area_codes: &[503, 971], region: WestCoast, weight: 3, spots: &["Beaverton", "the Pearl", "PDX"] },
    City { name: "Seattle", state: "WA", area_codes: &[206, 425, 253], region: WestCoast, weight: 5, spots: &["Bellevue", "SeaTac", "Lynnwood"] },
    City { name: "Spokane", state: "WA", area_codes: &[509], region: WestCoast, weight: 1, spots: &["the valley"] },
    City { name: "Honolulu", state: "HI", area_codes: &[808], region: WestCoast, weight: 2, spots: &["Waikiki", "Ala Moana"] },
    City { name: "Anchorage", state: "AK", area_codes: &[907], region: WestCoast, weight: 1, spots: &["Midtown"] },
];

/// Toll-free area codes, used only for hub numbers (site support lines and the like) so
/// that a hub can never collide with a writer's number.
pub(crate) const TOLL_FREE: &[u16] = &[800, 888, 877, 866, 855, 844];

/// Indices of the cities in the same region as `city`, excluding it.
pub(crate) fn neighbours(city: usize) -> Vec<usize> {
    let region = CITIES[city].region;
    (0..CITIES.len())
        .filter(|&i| i != city && CITIES[i].region == region)
        .collect()
}

/// Weights of all cities, in list order.
pub(crate) fn city_weights() -> Vec<u32> {
    CITIES.iter().map(|c| c.weight).collect()
}

/// Lower-case URL slug of a city name ("St. Louis" -> "stlouis").
pub(crate) fn slug(city: &City) -> String {
    city.name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_city_is_well_formed() {
        for c in CITIES {
            assert_eq!(c.state.len(), 2, "{}", c.name);
            assert!(
                !c.area_codes.is_empty() && !c.spots.is_empty(),
                "{}",
                c.name
            );
            for &ac in c.area_codes {
                // NANP area codes: first digit 2-9, not an N11 code.
                assert!(
                    (200..=999).contains(&ac) && ac % 100 != 11,
                    "{}: {ac}",
                    c.name
                );
            }
            assert!(c.weight > 0);
        }
    }

    #[test]
    fn every_city_has_a_neighbour_to_travel_to() {
        for (i, city) in CITIES.iter().enumerate() {
            assert!(!neighbours(i).is_empty(), "{}", city.name);
        }
    }
}
