//! Ages the ad states: "22 yrs", "age: 19", "I am 20yrs", "twenty one years old", "19 y/o",
//! "girls from 18 to 25 yrs", and the " - 19" that Backpage-style sites append to titles.
//!
//! A number is an age only with age context (an "age" word before it or a years word after
//! it) and only between 16 and 70; measurements ("34D-23-35"), heights and prices never are.

use plainsight_core::{Age, Field};
use regex::{Captures, Regex};

use crate::extract::{FieldText, TextError};

/// Youngest and oldest number accepted as a stated age.
const AGE_RANGE: std::ops::RangeInclusive<u32> = 16..=70;

/// Finds stated ages. Built once by [`crate::extract::Extractor`].
#[derive(Debug)]
pub struct AgeFinder {
    pattern: Regex,
    title_suffix: Regex,
}

impl AgeFinder {
    pub fn new() -> Result<AgeFinder, TextError> {
        let compile = |source: &str| {
            Regex::new(source).map_err(|e| TextError::BuiltinPattern {
                finder: "ages",
                message: e.to_string(),
            })
        };
        // ASCII-only (`-u`) so the whole pattern runs on the lazy DFA.
        let pattern = compile(concat!(
            r"(?i-u)",
            // "age: 19", "Age 22", "aged 30", "poster's age: 23", "age of 18", "edad 25".
            r"\b(?:ages?|aged|poster'?s\s+age|edad|alter)\s*(?:is\s+|of\s+|:\s*|=\s*|-\s*){0,2}(?P<a1>\d{1,3})\b(?:\s*(?:-|to)\s*(?P<a1b>\d{2})\b)?",
            // "18-35 years", "18 to 25 yrs".
            r"|\b(?P<r1>\d{2})\s*(?:-|to0?|and|~)\s*(?P<r2>\d{2})\s*(?:yrs?\b|years?\b|y/o|yo\b)",
            // "22 yrs", "19 y/o", "21 years old", "20yrs".
            r"|\b(?P<a2>\d{2})\s*-?\s*(?P<unit>yrs?\b|years?\b|y/o|y\.o\.?|yo\b|yr?s\b)(?P<tail>[ \t]*(?:old|young|of\s+age)\b)?",
            // "twenty one years old", "nineteen yo".
            r"|\b(?P<w1>sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy)(?:[ \t-]+(?P<w2>one|two|three|four|five|six|seven|eight|nine))?[ \t-]*(?:yrs?\b|years?\b|y/o|yo\b)(?:[ \t]*(?:old|young)\b)?",
        ))?;
        let title_suffix = compile(r"\s[-–]\s*([0-9]{2})\s*$")?;
        Ok(AgeFinder {
            pattern,
            title_suffix,
        })
    }

    /// All stated ages in one field, in text order.
    pub fn find(&self, text: &FieldText<'_>) -> Vec<Age> {
        let haystack = text.text();
        let bytes = haystack.as_bytes();
        let mut found = Vec::new();
        for caps in self.pattern.captures_iter(haystack) {
            let whole = caps.get(0).map_or(0..0, |m| m.range());
            // "$25 yrs" or "#19" are not ages; neither is a number glued to a measurement.
            let number_start = ["a1", "r1", "a2"]
                .iter()
                .find_map(|g| caps.name(g).map(|m| m.start()))
                .unwrap_or(whole.start);
            if number_start > 0
                && matches!(bytes[number_start - 1], b'$' | b'#' | b'-' | b'/' | b'.')
                && caps.name("r1").is_none()
            {
                continue;
            }
            if let Some(a1) = caps.name("a1") {
                // "age 5'4" or "age 19%"; and a value that is a height or a weight.
                if matches!(bytes.get(a1.end()), Some(b'\'' | b'"' | b'%' | b'.' | b',' ) if bytes.get(a1.end() + 1).is_some_and(u8::is_ascii_digit))
                    || matches!(bytes.get(a1.end()), Some(b'\'' | b'"' | b'%'))
                {
                    continue;
                }
                push_age(text, &mut found, parse_number(a1.as_str()), whole.clone());
                // "Age 25-29": a range stated after "age".
                if let Some(upper) = caps.name("a1b") {
                    let (low, high) = (parse_number(a1.as_str()), parse_number(upper.as_str()));
                    if high > low {
                        push_age(text, &mut found, high, whole.clone());
                    }
                }
            } else if let (Some(r1), Some(r2)) = (caps.name("r1"), caps.name("r2")) {
                let (low, high) = (parse_number(r1.as_str()), parse_number(r2.as_str()));
                if low < high {
                    push_age(text, &mut found, low, whole.clone());
                    push_age(text, &mut found, high, whole.clone());
                }
            } else if let Some(a2) = caps.name("a2") {
                if !years_word_is_an_age(haystack, &caps) {
                    continue;
                }
                push_age(text, &mut found, parse_number(a2.as_str()), whole.clone());
            } else if let Some(w1) = caps.name("w1") {
                let age =
                    tens_word(w1.as_str()) + caps.name("w2").map_or(0, |w| unit_word(w.as_str()));
                push_age(text, &mut found, age, whole.clone());
            }
        }
        if text.field == Field::Title
            && let Some(caps) = self.title_suffix.captures(haystack)
            && let Some(m) = caps.get(1)
        {
            // Backpage-style sites append the poster's age to the title: "Sexy Asian - 23".
            let number = parse_number(m.as_str());
            if !found.iter().any(|a| a.age as u32 == number)
                && !preceded_by_digit_group(bytes, m.start())
            {
                push_age(text, &mut found, number, m.range());
            }
        }
        found
    }
}

/// "years" alone ("20 years experience") is not an age; "yrs", "y/o", "years old" are.
fn years_word_is_an_age(haystack: &str, caps: &Captures<'_>) -> bool {
    let unit = caps.name("unit").map_or("", |m| m.as_str());
    if caps.name("tail").is_some() {
        return true;
    }
    let end = caps.get(0).map_or(0, |m| m.end());
    let after = haystack[end..].trim_start().as_bytes();
    let starts_with =
        |p: &str| after.len() >= p.len() && after[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    if [
        "exp", "in the", "in busi", "of exp", "ago", "in this", "in indus",
    ]
    .iter()
    .any(|p| starts_with(p))
    {
        return false;
    }
    if !unit
        .get(..4)
        .is_some_and(|u| u.eq_ignore_ascii_case("year"))
    {
        return true;
    }
    // Bare "years": accept after "I am", "I'm", "im", "is", "are", "turned", "just".
    let start = caps.get(0).map_or(0, |m| m.start());
    let before = haystack[..start].trim_end().as_bytes();
    ["i am", "i'm", "im", "am", "is", "are", "turned", "just", "both", ","]
        .iter()
        .any(|w| {
            let n = w.len();
            before.len() >= n
                && before[before.len() - n..].eq_ignore_ascii_case(w.as_bytes())
                // Whole words only: "slim 25 years" is not "im 25 years".
                && (before.len() == n || !before[before.len() - n - 1].is_ascii_alphanumeric() || *w == ",")
        })
}

/// True when the digits at `pos` follow "123-" (a phone number or code, not an age).
fn preceded_by_digit_group(bytes: &[u8], pos: usize) -> bool {
    let mut i = pos;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'-' | b'\t') {
        i -= 1;
    }
    i > 0 && bytes[i - 1].is_ascii_digit()
}

fn push_age(text: &FieldText<'_>, found: &mut Vec<Age>, age: u32, range: std::ops::Range<usize>) {
    if !AGE_RANGE.contains(&age) {
        return;
    }
    let (span, raw) = text.locate(range);
    found.push(Age {
        age: age as u8,
        raw,
        span,
        field: text.field,
    });
}

fn parse_number(digits: &str) -> u32 {
    digits.parse().unwrap_or(0)
}

fn tens_word(word: &str) -> u32 {
    match word.to_ascii_lowercase().as_str() {
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        _ => 0,
    }
}

fn unit_word(word: &str) -> u32 {
    match word.to_ascii_lowercase().as_str() {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn ages_in(text: &str, field: Field) -> Vec<u8> {
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, field);
        AgeFinder::new()
            .unwrap()
            .find(&ft)
            .into_iter()
            .map(|a| a.age)
            .collect()
    }

    fn ages(text: &str) -> Vec<u8> {
        ages_in(text, Field::Body)
    }

    #[test]
    fn stated_ages() {
        assert_eq!(ages("sweet 22 yrs"), vec![22]);
        assert_eq!(ages("Age: 19 Category"), vec![19]);
        assert_eq!(ages("I am 20yrs, 5'4"), vec![20]);
        assert_eq!(ages("twenty one years old"), vec![21]);
        assert_eq!(ages("Age 19 Eyes Green"), vec![19]);
        assert_eq!(ages("Paulina 19 y/o"), vec![19]);
        assert_eq!(ages("we are both 21 years old"), vec![21]);
        assert_eq!(ages("(50 YEARS OLD)"), vec![50]);
        assert_eq!(ages("Poster's age: 23 Location"), vec![23]);
        assert_eq!(ages("ladies between 18-35 years of age"), vec![18, 35]);
        assert_eq!(ages("25 year young TS"), vec![25]);
        assert_eq!(ages("Ethnicity Korean Age 25-29 Height"), vec![25, 29]);
    }

    #[test]
    fn not_ages() {
        for text in [
            "34D-23-35",
            "5'4 120 lbs",
            "$25 yrs",
            "20 years experience",
            "age 5'4",
            "Age: 99",
            "I am 12 yrs old",
            "200hr",
            "10 years in business",
        ] {
            assert!(ages(text).is_empty(), "{text}: {:?}", ages(text));
        }
    }

    #[test]
    fn title_suffix_is_an_age_only_in_titles() {
        assert_eq!(ages_in("Sexy new girl - 23", Field::Title), vec![23]);
        assert!(ages_in("Sexy new girl - 23", Field::Body).is_empty());
        assert!(ages_in("call 919-555-01 - 23", Field::Title).is_empty());
    }
}
