//! Stated ages under 18, written in every form the families of real ads use
//! (`/work/shared/reference/real-ads.md`, the labelling rules of `tests/fixtures/real-dev`):
//! `16yo`, `17 y/o`, `sixteen`, `seventeen years young`, `age:16`, `Name (17)`, a bare age after
//! the name in a title, the sites' ` - 16` title suffix, `16 ans`, `17 años`, ranges `16-19
//! yrs`, Backpage and cityxguide URL slugs `...-17/123`, the look-alike `l7`. Every one must be
//! found through `Extractor::extract` (so nothing downstream drops an age under 18), while
//! requirements and limits (`must be 18+`, `no one under 17`), heights, sizes, counts and
//! prices stay without an age. The cases are made up here from the families; none comes from
//! an evaluation set.

use plainsight_core::Ad;
use plainsight_text::extract::{ExtractConfig, Extractor};

const NAMES: &[&str] = &["Kayla", "Brittany", "Mia", "Destiny", "Jasmine"];

const SPELLED: &[(u8, &str)] = &[
    (12, "twelve"),
    (13, "thirteen"),
    (14, "fourteen"),
    (15, "fifteen"),
    (16, "sixteen"),
    (17, "seventeen"),
];

/// Where a case puts its text.
enum Place {
    Title,
    Body,
    Url,
}

struct Case {
    place: Place,
    text: String,
    ages: Vec<u8>,
}

fn body(text: String, ages: &[u8]) -> Case {
    Case {
        place: Place::Body,
        text,
        ages: ages.to_vec(),
    }
}

/// Every form, for every age under 18 it is read for: a years word or an age label makes 12
/// to 17 an age; a bare number next to a name or a first-person cue needs 13 or more.
fn minor_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (k, &(age, word)) in SPELLED.iter().enumerate() {
        let name = NAMES[k % NAMES.len()];
        let n = age.to_string();
        let lookalike = format!("l{}", age % 10);
        let capital = {
            let mut c = word.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        };
        for text in [
            format!("new girl {n}yo sweet and petite"),
            format!("Hi im {name} {n} y/o"),
            format!("{n} yrs old, ready to play"),
            format!("{n} years young"),
            format!("a {n}-year-old cutie"),
            format!("Age:{n}"),
            format!("Age: {n} height 5'2"),
            format!("aged {n}"),
            format!("{name} {n} ans, nouvelle"),
            format!("{name} {n} años"),
            format!("{n} Jahre jung"),
            format!("{n}/f looking for fun"),
            format!("f / {n} new here"),
            format!("{name} {n} añitos"),
            format!("I'm {n} years old"),
            format!("just turned {n} last week"),
            format!("I'm {lookalike} yo"),
            format!("{lookalike} yrs old"),
            format!("{word} years young"),
            format!("{capital} yrs old"),
            format!("{} YEARS YOUNG", word.to_uppercase()),
            format!("age {word}"),
            format!("Age: {capital}"),
        ] {
            cases.push(body(text, &[age]));
        }
        // Next to a phone number, which must not swallow the age.
        cases.push(body(format!("{name} {n} yrs 919-555-0123"), &[age]));
        cases.push(body(format!("{n}yo call 9195550123"), &[age]));
        cases.push(body(format!("{n} y/o 1-704-555-0188"), &[age]));
        // A range gives both ends.
        cases.push(body(format!("girls {n}-19 yrs available"), &[age, 19]));
        if age < 13 {
            continue;
        }
        for text in [
            format!("{name} ({n}) is here for you"),
            format!("{name} ({n}) 919-555-0123"),
            format!("{name} is {n}"),
            format!("Meet {name}, {n}, new in town"),
            format!("I'm {n}! Call me"),
            format!("she's {n}"),
            format!("barely {n}"),
            format!("I am {word}"),
        ] {
            cases.push(body(text, &[age]));
        }
        for title in [
            format!("Petite {name} {n}"),
            format!("Sweet {name} - {n}"),
            format!("{name} ({n}) new in town"),
            format!("{name} {n} | Sweet and new"),
            format!("{name} - {n} - new in town"),
            format!("Meet {name}~{n}~"),
        ] {
            cases.push(Case {
                place: Place::Title,
                text: title,
                ages: vec![age],
            });
        }
        for url in [
            format!("http://dallas.backpage.com/FemaleEscorts/new-in-town-{n}/12345678"),
            format!("http://cityxguide.com/escorts/sweet-and-young-{n}/"),
        ] {
            cases.push(Case {
                place: Place::Url,
                text: url,
                ages: vec![age],
            });
        }
    }
    cases
}

/// Numbers near age words that state no age of the advertised person.
const NOT_AGES: &[&str] = &[
    "must be 18+",
    "18+ only",
    "no one under 17",
    "nobody under 16 please",
    "must be 17 or older",
    "must be at least 18 years of age",
    "no under 17 clients",
    "Not under 16",
    "5'6 120 lbs 34B-24-36",
    "2 girls 16 pics",
    "open 16 hours",
    "16 reviews",
    "size 16",
    "16th street",
    "over 15 years of experience",
    "$16 parking",
    "call after 10pm, 15 min notice",
    "24/7 f/s",
    "34F-26-38",
];

fn extract(extractor: &Extractor, case: &Case) -> Vec<u8> {
    let mut ad = Ad {
        id: "minor".into(),
        ..Ad::default()
    };
    match case.place {
        Place::Title => {
            ad.title = Some(case.text.clone());
            ad.body = Some("Call me".into());
        }
        Place::Body => ad.body = Some(case.text.clone()),
        Place::Url => {
            ad.url = Some(case.text.clone());
            ad.body = Some("Call me".into());
        }
    }
    extractor.extract(&ad).ages.iter().map(|a| a.age).collect()
}

#[test]
fn every_stated_age_under_18_is_found() {
    let extractor = Extractor::new(&ExtractConfig::default()).expect("extractor");
    let cases = minor_cases();
    let mut missed = Vec::new();
    for case in &cases {
        let found = extract(&extractor, case);
        if !case.ages.iter().all(|a| found.contains(a)) {
            missed.push(format!(
                "{:?}: expected {:?}, found {found:?}",
                case.text, case.ages
            ));
        }
    }
    eprintln!(
        "ages under 18: {} of {} cases found",
        cases.len() - missed.len(),
        cases.len()
    );
    assert!(cases.len() > 150, "only {} cases", cases.len());
    assert!(missed.is_empty(), "missed:\n{}", missed.join("\n"));
}

#[test]
fn requirements_limits_and_measurements_are_not_ages() {
    let extractor = Extractor::new(&ExtractConfig::default()).expect("extractor");
    for text in NOT_AGES {
        let found = extract(&extractor, &body(text.to_string(), &[]));
        assert!(found.is_empty(), "{text:?} gave ages {found:?}");
    }
}

/// A stated age under 18 is an indicator of its own, so it reaches the lead's reasons.
#[test]
fn an_age_under_18_raises_its_indicator() {
    let extractor = Extractor::new(&ExtractConfig::default()).expect("extractor");
    let ad = Ad {
        id: "minor".into(),
        body: Some("Hi im Kayla 16 y/o".into()),
        ..Ad::default()
    };
    let x = extractor.extract(&ad);
    assert!(x.ages.iter().any(|a| a.age == 16));
    assert!(
        !x.indicators.is_empty(),
        "no indicator for a stated age of 16"
    );
}
