//! Ages the ad states: "22 yrs", "age: 19", "age:22", "I am 20yrs", "twenty-two years young",
//! "19 y/o", "22yo", "girls from 18 to 25 yrs", "28 ans", "22 años", "Tiffany (31)", "Harley is
//! 22", "I'm 24,", "Meet Aria, 22", the age that sites append to titles ("Sexy Asian - 23",
//! "... - 22 at EscortAds.xxx", "live your wildest 25 | 347-... on EscortsInThe.US", a bare
//! age after the name at the end of a title) and the age field that Backpage and cityxguide
//! put at the end of the URL slug (`/FemaleEscorts/dont-miss-out-24/9645627`).
//!
//! A number is an age only with age context: an age word before it, a years word after it, a
//! name or a first-person cue next to it, or the title and URL conventions of the sites. Ages
//! from 12 to 70 are read where a years word or an age label says so; a bare number next to a
//! name or at the end of a title needs 13 to 69. Ages under 18 are never dropped for being
//! young: they matter most. Requirements ("must be at least 18 years of age", "21+"), limits on
//! clients ("no men under 30"), measurements ("34D-23-35"), heights and prices are not ages.

use plainsight_core::{Age, Field, Span};
use regex::{Captures, Regex};

use crate::extract::{FieldText, TextError};

/// Youngest and oldest number accepted as an age where a years word or age label says so.
const AGE_RANGE: std::ops::RangeInclusive<u32> = 12..=70;

/// Youngest and oldest bare number (no years word) accepted as an age next to a name or cue.
const BARE_AGE_RANGE: std::ops::RangeInclusive<u32> = 13..=69;

/// Finds stated ages. Built once by [`crate::extract::Extractor`].
#[derive(Debug)]
pub struct AgeFinder {
    pattern: Regex,
    cues: Regex,
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
            // A look-alike letter for the 1 ("age: l7", "l6 yrs") counts where an age word
            // says what the number is.
            r"\b(?:ages?|aged|poster'?s\s+age|edad|alter|idade|wiek)\s*(?:is\s+|of\s+|:\s*|=\s*|-\s*){0,2}(?P<a1>\d{1,3}|[lI]\d)\b(?:\s*(?:-|to)\s*(?P<a1b>\d{2})\b)?",
            // "age sixteen", "Age: seventeen", "aged twenty two".
            r"|\b(?:age|aged|edad)\s*(?:is\s+|of\s+|:\s*|=\s*|-\s*){0,2}(?P<w3>twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy)(?:[ \t-]+(?P<w4>one|two|three|four|five|six|seven|eight|nine))?\b",
            // "18-35 years", "18 to 25 yrs".
            r"|\b(?P<r1>\d{2})\s*(?:-|to0?|and|~)\s*(?P<r2>\d{2})\s*(?:yrs?\b|years?\b|y/o|yo\b)",
            // "22 yrs", "19 y/o", "21 years old", "20yrs", "28 ans", "22 anos", "25enne".
            r"|\b(?P<a2>\d{2}|[lI]\d)\s*-?\s*(?P<unit>yrs?\b|years?\b|y/o|y\.o\.?|yo\b|yr?s\b|ans\b|anos\b|anni\b|enne\b|jahre\b|jahren\b|lat\b|lata\b|jaar\b|ani\b|años\b|añitos\b|anitos\b)(?P<tail>[ \t-]*(?:old|young|of\s+age)\b)?",
            // "twenty one years old", "nineteen yo", "twenty-two years young".
            r"|\b(?P<w1>twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy)(?:[ \t-]+(?P<w2>one|two|three|four|five|six|seven|eight|nine))?[ \t-]*(?:yrs?\b|years?\b|y/o|yo\b)(?:[ \t]*(?:old|young)\b)?",
            // "I'm 24", "we're both 23", "just turned 17", "I am sixteen".
            r"|\b(?P<cue>i'?m|i\s+am|im|i`m|i\x27m|she'?s|she\s+is|we'?re\s+both|we\s+are\s+both|just\s+turned|turned|turning|ich\s+bin|tengo|tenho|j'ai)[ \t]+(?P<c1>\d{2}\b|(?:twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty)(?:[ \t-]+(?:one|two|three|four|five|six|seven|eight|nine))?\b)",
            // "barely 16", "only 15", "sweet sixteen": words that state youth, read for ages
            // under 18 only (prices and counts are not that small).
            r"|\b(?:barely|only|still|just|sweet|almost|freshly)[ \t]+(?P<m1>1[3-7]\b|thirteen|fourteen|fifteen|sixteen|seventeen)",
            // "22 is my age", "22 is the age".
            r"|\b(?P<c5>\d{2})[ \t]+is[ \t]+(?:my|the)[ \t]+age\b",
            // "16/f", "22 / F", "f/22": the age and sex of online profiles.
            r"|\b(?P<c7>\d{2})[ \t]?/[ \t]?(?:f|female)\b|\b(?:f|female)[ \t]?/[ \t]?(?P<c8>\d{2})\b",
        ))?;
        // Case matters here: a name is a capitalised word. "Tiffany (31)", "Harley is 22",
        // "Meet Aria, 22", "Aria, 22,".
        let cues = compile(concat!(
            r"(?-u)",
            r"\b(?P<n1>[A-Z][a-zA-Z]{1,15})[ \t]*\([ \t]*(?P<c3>\d{2})[ \t]*\)",
            r"|\b(?P<n2>[A-Z][a-zA-Z]{1,15})[ \t]+(?:is|iz|IS)[ \t]+(?P<c2>\d{2})\b",
            r"|\b(?:(?i:i'?m|i[ \t]+am|meet|call[ \t]+me|name[ \t]+is|name's|this[ \t]+is|it'?s|ask[ \t]+for|love,?)[ \t]+)(?P<n4>[A-Z][a-zA-Z]{1,15})\b",
            r"|\b(?P<n6>[A-Z][a-zA-Z]{1,15})[ \t]*[,~][ \t]*(?P<c6>\d{2})\b",
        ))?;
        Ok(AgeFinder { pattern, cues })
    }

    /// All stated ages in one field, in text order.
    pub fn find(&self, text: &FieldText<'_>) -> Vec<Age> {
        let haystack = text.text();
        let bytes = haystack.as_bytes();
        let mut found = Vec::new();
        if !bytes.iter().any(u8::is_ascii_digit) && !contains_ignore_case(bytes, b"teen") {
            // Every form but the spelled ones has a digit; spelled ages are all "...teen",
            // "twelve" or "twenty"/"thirty"/"forty" with a years word.
            if !contains_ignore_case(bytes, b"ty") && !contains_ignore_case(bytes, b"twelve") {
                return found;
            }
        }
        for caps in self.pattern.captures_iter(haystack) {
            let whole = caps.get(0).map_or(0..0, |m| m.range());
            // "$25 yrs" or "#19" are not ages; neither is a number glued to a measurement.
            let number_start = ["a1", "r1", "a2", "c1", "m1", "c5", "c7", "c8"]
                .iter()
                .find_map(|g| caps.name(g).map(|m| m.start()))
                .unwrap_or(whole.start);
            if number_start > 0
                && matches!(bytes[number_start - 1], b'$' | b'#' | b'-' | b'/' | b'.')
                && caps.name("r1").is_none()
            {
                continue;
            }
            if is_requirement(bytes, whole.clone()) {
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
            } else if let Some(w3) = caps.name("w3") {
                let age =
                    tens_word(w3.as_str()) + caps.name("w4").map_or(0, |w| unit_word(w.as_str()));
                push_age(text, &mut found, age, whole.clone());
            } else if let Some(w1) = caps.name("w1") {
                let age =
                    tens_word(w1.as_str()) + caps.name("w2").map_or(0, |w| unit_word(w.as_str()));
                push_age(text, &mut found, age, whole.clone());
            } else if let Some(c1) = caps.name("c1") {
                let value = c1.as_str();
                let age = if value.as_bytes()[0].is_ascii_digit() {
                    if followed_by_years_word(bytes, c1.end()) {
                        // "I am 12 yrs old": the years word makes it a stated age.
                        push_age(text, &mut found, parse_number(value), whole.clone());
                        continue;
                    }
                    if !bare_number_is_an_age(bytes, c1.start(), c1.end()) {
                        continue;
                    }
                    parse_number(value)
                } else {
                    spelled_number(value)
                };
                // "just turned 12" states an age as plainly as a years word does.
                let turned = caps
                    .name("cue")
                    .is_some_and(|c| c.as_str().to_ascii_lowercase().contains("turn"));
                if turned {
                    push_age(text, &mut found, age, whole.clone());
                } else {
                    push_bare_age(text, &mut found, age, whole.clone());
                }
            } else if let Some(m1) = caps.name("m1") {
                let value = m1.as_str();
                let age = if value.as_bytes()[0].is_ascii_digit() {
                    if !bare_number_is_an_age(bytes, m1.start(), m1.end()) {
                        continue;
                    }
                    parse_number(value)
                } else {
                    tens_word(value)
                };
                push_bare_age(text, &mut found, age, whole.clone());
            } else if let Some(c) = caps.name("c7").or_else(|| caps.name("c8")) {
                push_age(text, &mut found, parse_number(c.as_str()), whole.clone());
            } else if let Some(c5) = caps.name("c5") {
                push_bare_age(text, &mut found, parse_number(c5.as_str()), whole.clone());
            }
        }
        self.find_after_names(text, &mut found);
        if text.field == Field::Title
            && let Some(range) = title_end_age(bytes)
        {
            let number = parse_number(&haystack[range.clone()]);
            if !found.iter().any(|a| u32::from(a.age) == number) {
                push_bare_age(text, &mut found, number, range);
            }
        }
        if text.field == Field::Title {
            for range in title_inner_ages(bytes) {
                let number = parse_number(&haystack[range.clone()]);
                if !found.iter().any(|a| u32::from(a.age) == number) {
                    push_bare_age(text, &mut found, number, range);
                }
            }
        }
        found.sort_by_key(|a| a.span.start);
        found
    }

    /// "Tiffany (31)", "Harley is 22", "Meet Aria, 22", "I am Kim 🌹 22", "Aria, 22,": a bare
    /// number next to a capitalised name.
    fn find_after_names(&self, text: &FieldText<'_>, found: &mut Vec<Age>) {
        let haystack = text.text();
        let bytes = haystack.as_bytes();
        // Every form here ends in a number of exactly two digits: without one, skip the scan.
        if !has_two_digit_number(bytes) || !bytes.iter().any(u8::is_ascii_uppercase) {
            return;
        }
        for caps in self.cues.captures_iter(haystack) {
            let whole = caps.get(0).map_or(0..0, |m| m.range());
            let (name, number) = if let Some(n) = caps.name("n1") {
                (n, caps.name("c3").map(|m| m.range()))
            } else if let Some(n) = caps.name("n2") {
                (n, caps.name("c2").map(|m| m.range()))
            } else if let Some(n) = caps.name("n6") {
                (n, caps.name("c6").map(|m| m.range()))
            } else if let Some(n) = caps.name("n4") {
                // After the name: separators, decoration and emoji, then the number.
                (n, number_after_name(bytes, n.end()))
            } else {
                continue;
            };
            let Some(number) = number else { continue };
            if !is_name_word(name.as_str()) {
                continue;
            }
            if !bare_number_is_an_age(bytes, number.start, number.end) {
                continue;
            }
            if is_requirement(bytes, whole.start..number.end) {
                continue;
            }
            let age = parse_number(&haystack[number.clone()]);
            if found.iter().any(|a| overlaps(a.span, text, &number)) {
                continue;
            }
            push_bare_age(text, found, age, whole.start..number.end);
        }
    }

    /// The age field that Backpage and cityxguide append to the URL slug
    /// (`/FemaleEscorts/ready-to-rock-your-world-26/16932593`, `cityxguide.com/some-title-22/`).
    /// Other sites' slugs end in ids and prices, so only these hosts are read.
    pub fn find_in_url(&self, url: &str) -> Vec<Age> {
        let mut found = Vec::new();
        let Some(range) = url_slug_age(url) else {
            return found;
        };
        let age = parse_number(&url[range.clone()]);
        if BARE_AGE_RANGE.contains(&age) {
            found.push(Age {
                age: age as u8,
                raw: url[range.clone()].to_string(),
                span: Span::new(range.start, range.end),
                field: Field::Url,
            });
        }
        found
    }
}

/// Does `bytes` hold a run of exactly two digits?
fn has_two_digit_number(bytes: &[u8]) -> bool {
    let mut run = 0;
    for &b in bytes {
        if b.is_ascii_digit() {
            run += 1;
        } else {
            if run == 2 {
                return true;
            }
            run = 0;
        }
    }
    run == 2
}

/// The byte range of the age in a Backpage or cityxguide URL slug.
fn url_slug_age(url: &str) -> Option<std::ops::Range<usize>> {
    let after_scheme = url.find("://").map_or(0, |p| p + 3);
    let rest = &url[after_scheme..];
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..host_end];
    let host = host.split(':').next().unwrap_or("");
    // Backpage under any country domain and sub-domain (`raleigh.backpage.com`,
    // `backpage.ca`), and cityxguide.
    let has = |needle: &[u8]| {
        host.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    if !(has(b"backpage.") || has(b"cityxguide.com")) {
        return None;
    }
    let path_start = after_scheme + host_end;
    let path_end = url[path_start..]
        .find(['?', '#'])
        .map_or(url.len(), |p| path_start + p);
    let path = &url[path_start..path_end];
    // Segments with their offsets; the slug is the last segment with a hyphen, followed by
    // nothing or by the numeric ad id.
    let mut segments: Vec<(usize, &str)> = Vec::new();
    let mut offset = path_start;
    for seg in path.split('/') {
        segments.push((offset, seg));
        offset += seg.len() + 1;
    }
    while segments.last().is_some_and(|(_, s)| s.is_empty()) {
        segments.pop();
    }
    let (slug_at, slug) = match segments.as_slice() {
        [.., (at, slug), (_, id)] if id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty() => {
            (*at, *slug)
        }
        [.., (at, slug)] => (*at, *slug),
        [] => return None,
    };
    let (_, tail) = slug.rsplit_once('-')?;
    if tail.len() != 2 || !tail.bytes().all(|b| b.is_ascii_digit()) || !slug.contains('-') {
        return None;
    }
    let start = slug_at + slug.len() - 2;
    Some(start..start + 2)
}

/// The age at the end of a title: the last segment (titles are cut at " - " and " | ") is the
/// number alone ("... - 23"), or "23 at EscortAds.xxx", or the last words of the text end in
/// it ("Karina 22", "live your wildest 25 | 347-... on EscortsInThe.US"), once the site's
/// own trailing segments (domains, ids, phone numbers, "city escorts - backpage.com") are
/// set aside.
fn title_end_age(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let segments = title_segments(bytes);
    let mut end = segments.len();
    // The site wrote "TITLE AGE | PHONE on Site.com": the number before its segment is the
    // site's age field, whatever word comes before it ("... HR 20 | 619-555-0142 on ...").
    let mut site_age_field = false;
    // Set aside the site's trailing segments.
    while end > 0 {
        let (s, e) = segments[end - 1];
        let seg = &bytes[s..e];
        if let Some(r) = number_at_domain(seg).or_else(|| number_before_contact(seg)) {
            return Some(s + r.start..s + r.end);
        }
        if is_site_segment(seg, end == segments.len()) {
            site_age_field |= end == segments.len() && is_phone_at_domain(seg);
            end -= 1;
        } else {
            break;
        }
    }
    if end == 0 {
        return None;
    }
    let (s, e) = segments[end - 1];
    let seg = &bytes[s..e];
    // The last digits of the segment, after trailing decoration ("*22*", "22 ★", "22!!").
    let mut k = seg.len();
    while k > 0 && !seg[k - 1].is_ascii_alphanumeric() {
        k -= 1;
    }
    let digits_end = k;
    while k > 0 && seg[k - 1].is_ascii_digit() {
        k -= 1;
    }
    if digits_end - k != 2 {
        return None;
    }
    // Trailing decoration must not be a unit or currency mark ("22%", "22'", "22$").
    if seg[digits_end..]
        .iter()
        .any(|b| matches!(b, b'%' | b'\'' | b'"' | b'$' | b'+' | b'/'))
    {
        return None;
    }
    let number = s + k..s + digits_end;
    if k > 0 {
        let before = seg[k - 1];
        // "$22", "#22", "24/7-22", "5'22", "919-555-22": part of something else.
        if !(before == b' '
            || before == b'\t'
            || before == b'*'
            || before == b'~'
            || before >= 0x80
            || before == b'('
            || before == b'[')
        {
            // A lone number after " - " is handled by the segmenting; glued to a letter it
            // is part of a word ("Hot22"): not an age.
            return None;
        }
        // The word before must not make the number a price or a count ("specials 60",
        // "hh 60", "2 girls 22"? no: "for 60").
        let head = &seg[..k];
        let word = last_word(head);
        if site_age_field && before == b' ' {
            return Some(number);
        }
        if is_money_or_unit_word(&word) {
            return None;
        }
        if head.trim_ascii_end().last().is_some_and(u8::is_ascii_digit) {
            // "Un rushed unforgettable 60 21": a price before the age is fine, but a digit
            // group glued before ("919 555 21") is a phone fragment.
            let trimmed = head.trim_ascii_end();
            let mut d = trimmed.len();
            while d > 0 && trimmed[d - 1].is_ascii_digit() {
                d -= 1;
            }
            if trimmed.len() - d >= 3 || (d > 0 && matches!(trimmed[d - 1], b'-' | b'.')) {
                return None;
            }
        }
    } else if end >= 2 {
        // The number alone after " - ": not when the segment before ends in a phone-number
        // fragment ("call 919-555-01 - 23").
        let (ps, pe) = segments[end - 2];
        let prev = bytes[ps..pe].trim_ascii_end();
        let mut d = prev.len();
        while d > 0 && prev[d - 1].is_ascii_digit() {
            d -= 1;
        }
        if prev.len() - d >= 2 && d > 0 && matches!(prev[d - 1], b'-' | b'.') {
            return None;
        }
    }
    Some(number)
}

/// Ages inside a title rather than at its end: a segment before the last that is a name and
/// its age ("Kayla 16 | Sweet and new") or the age alone after a segment ending in a name
/// ("Kayla - 16 - new in town"). The name must be capitalised and not a common word, so "Hot
/// Specials 60 | ..." stays a price.
fn title_inner_ages(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let segments = title_segments(bytes);
    let mut out = Vec::new();
    if segments.len() < 2 {
        return out;
    }
    for k in 0..segments.len() - 1 {
        let (s, e) = segments[k];
        let seg = &bytes[s..e];
        let n = seg.len();
        if n < 2 || !seg[n - 1].is_ascii_digit() || !seg[n - 2].is_ascii_digit() {
            continue;
        }
        if n >= 3 && !matches!(seg[n - 3], b' ' | b'\t') {
            continue;
        }
        let (name_bytes, number) = if n == 2 {
            // The age alone: the name ends the segment before.
            if k == 0 {
                continue;
            }
            let (ps, pe) = segments[k - 1];
            (&bytes[ps..pe], s..e)
        } else {
            (&seg[..n - 3], s + n - 2..e)
        };
        let name = last_capitalised_word(name_bytes);
        if name.is_some_and(|w| {
            is_name_word(w)
                && !is_money_or_unit_word(&w.to_ascii_lowercase())
                && !matches!(
                    w.to_ascii_lowercase().as_str(),
                    "kisses" | "gifts" | "tributes" | "donation" | "incalls" | "outcalls"
                )
        }) && bare_number_is_an_age(bytes, number.start, number.end)
        {
            out.push(number);
        }
    }
    out
}

/// The last word of `head` when it is capitalised letters only ("Kayla", "KAYLA").
fn last_capitalised_word(head: &[u8]) -> Option<&str> {
    let trimmed = head.trim_ascii_end();
    let mut k = trimmed.len();
    while k > 0 && trimmed[k - 1].is_ascii_alphabetic() {
        k -= 1;
    }
    let word = &trimmed[k..];
    if word.len() < 2 || !word[0].is_ascii_uppercase() {
        return None;
    }
    std::str::from_utf8(word).ok()
}

/// The title cut at " - ", " | ", " – ", " — ": (start, end) of each segment, trimmed.
fn title_segments(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let sep_len = if bytes[i] == b' ' {
            let rest = &bytes[i + 1..];
            if rest.starts_with(b"- ") || rest.starts_with(b"| ") {
                3
            } else if rest.starts_with("– ".as_bytes()) || rest.starts_with("— ".as_bytes()) {
                1 + "– ".len()
            } else if (rest == b"-" || rest == b"|") && i + 2 == bytes.len() {
                2
            } else {
                0
            }
        } else {
            0
        };
        if sep_len > 0 {
            out.push((start, i));
            i += sep_len;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push((start, bytes.len()));
    out.into_iter()
        .map(|(s, e)| {
            let seg = &bytes[s..e];
            let lead = seg.len() - seg.trim_ascii_start().len();
            let trail = seg.len() - seg.trim_ascii_end().len();
            (s + lead, (e - trail).max(s + lead))
        })
        .filter(|(s, e)| e > s)
        .collect()
}

/// "31 616-664-9427", "35 call (503) 427-9475": the age before the contact number that some
/// writers put after it in the last segment.
fn number_before_contact(seg: &[u8]) -> Option<std::ops::Range<usize>> {
    if seg.len() < 10
        || !seg[0].is_ascii_digit()
        || !seg[1].is_ascii_digit()
        || !matches!(seg[2], b' ' | b'\t')
    {
        return None;
    }
    let rest = seg[3..].trim_ascii_start();
    let lower = rest.to_ascii_lowercase();
    let contact = rest
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'(')
        || [&b"call"[..], b"text", b"txt", b"tel"]
            .iter()
            .any(|w| lower.starts_with(w));
    let digits = rest.iter().filter(|b| b.is_ascii_digit()).count();
    (contact && digits >= 7).then_some(0..2)
}

/// "22 at EscortAds.xxx", "22 on EscortsInThe.US": the site's age before its name.
fn number_at_domain(seg: &[u8]) -> Option<std::ops::Range<usize>> {
    if seg.len() < 6 || !seg[0].is_ascii_digit() || !seg[1].is_ascii_digit() {
        return None;
    }
    let rest = &seg[2..];
    let rest = rest
        .strip_prefix(b" at ")
        .or_else(|| rest.strip_prefix(b" on "))?;
    contains_domain(rest).then_some(0..2)
}

/// "619-555-0142 on EscortsInThe.US": a phone number (ten or more digits, nothing but digits
/// and separators) then " on " or " at " and a domain, the segment some sites end a title with
/// after the age field.
fn is_phone_at_domain(seg: &[u8]) -> bool {
    let Some(at) = seg.windows(4).position(|w| w == b" on " || w == b" at ") else {
        return false;
    };
    let (phone, rest) = (&seg[..at], &seg[at + 4..]);
    phone.iter().filter(|b| b.is_ascii_digit()).count() >= 10
        && phone
            .iter()
            .all(|b| b.is_ascii_digit() || b" -.()+".contains(b))
        && contains_domain(rest)
}

/// A segment the site adds: a domain (`backpage.com`, `347-933-3723 on EscortsInThe.US`), an
/// id or phone number alone, the site's name, or the section and city before a domain
/// ("south carolina escorts").
fn is_site_segment(seg: &[u8], last: bool) -> bool {
    if contains_domain(seg) {
        return true;
    }
    let digits = seg.iter().filter(|b| b.is_ascii_digit()).count();
    if digits >= 4
        && seg
            .iter()
            .all(|b| b.is_ascii_digit() || b" -.()".contains(b))
    {
        return true;
    }
    let lower = seg.to_ascii_lowercase();
    let ends = |w: &[u8]| lower.ends_with(w);
    if digits == 0
        && (ends(b"escorts")
            || ends(b"body rubs")
            || ends(b"escort reviews")
            || ends(b"provider guide")
            || ends(b"jobs")
            || ends(b"massage")
            || ends(b"strippers")
            || ends(b"dom & fetish")
            || ends(b"transsexual escorts")
            || ends(b"male escorts"))
        && (last || lower.len() < 40)
    {
        return true;
    }
    false
}

/// A word with a dot inside followed by two to four letters ("backpage.com", "EscortAds.xxx").
fn contains_domain(seg: &[u8]) -> bool {
    seg.windows(2).enumerate().any(|(i, w)| {
        w[0] == b'.'
            && i > 0
            && seg[i - 1].is_ascii_alphanumeric()
            && w[1].is_ascii_alphabetic()
            && {
                let tld = seg[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                (2..=4).contains(&tld)
            }
    })
}

fn last_word(head: &[u8]) -> String {
    let trimmed = head.trim_ascii_end();
    let mut k = trimmed.len();
    while k > 0 && trimmed[k - 1].is_ascii_alphabetic() {
        k -= 1;
    }
    String::from_utf8_lossy(&trimmed[k..]).to_ascii_lowercase()
}

/// Words before a number that make it money, a duration or a count, not an age.
fn is_money_or_unit_word(word: &str) -> bool {
    matches!(
        word,
        "special"
            | "specials"
            | "for"
            | "only"
            | "just"
            | "roses"
            | "rose"
            | "donation"
            | "donations"
            | "hh"
            | "hhr"
            | "hr"
            | "hrs"
            | "hour"
            | "qv"
            | "qk"
            | "ss"
            | "half"
            | "rate"
            | "rates"
            | "price"
            | "room"
            | "suite"
            | "exit"
            | "route"
            | "hwy"
            | "highway"
            | "interstate"
            | "top"
            | "size"
            | "apt"
            | "unit"
            | "no"
            | "number"
            | "ext"
            | "over"
            | "under"
            | "least"
            | "than"
            | "cup"
            | "open"
            | "since"
    )
}

/// A capitalised word that can be a name: not a function word, a unit, a place word, a day.
fn is_name_word(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "i" | "im"
            | "it"
            | "its"
            | "this"
            | "that"
            | "there"
            | "here"
            | "what"
            | "which"
            | "who"
            | "she"
            | "he"
            | "we"
            | "they"
            | "you"
            | "my"
            | "me"
            | "the"
            | "a"
            | "an"
            | "and"
            | "or"
            | "but"
            | "age"
            | "ages"
            | "aged"
            | "rate"
            | "rates"
            | "price"
            | "prices"
            | "donation"
            | "donations"
            | "roses"
            | "special"
            | "specials"
            | "time"
            | "session"
            | "hour"
            | "hours"
            | "hr"
            | "hh"
            | "qv"
            | "half"
            | "room"
            | "suite"
            | "exit"
            | "route"
            | "hwy"
            | "highway"
            | "interstate"
            | "apt"
            | "unit"
            | "no"
            | "number"
            | "ext"
            | "size"
            | "cup"
            | "bust"
            | "waist"
            | "hips"
            | "height"
            | "weight"
            | "top"
            | "only"
            | "just"
            | "call"
            | "text"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
            | "incall"
            | "outcall"
            | "incalls"
            | "outcalls"
            | "available"
            | "open"
            | "since"
            | "over"
            | "under"
            | "min"
            | "mins"
            | "minutes"
            | "day"
            | "days"
            | "week"
            | "weeks"
            | "year"
            | "years"
            | "is"
            | "am"
            | "are"
            | "was"
            | "be"
            | "all"
            | "from"
            | "to"
            | "in"
            | "on"
            | "at"
            | "for"
            | "of"
            | "with"
            | "by"
            | "up"
            | "out"
            | "new"
            | "hot"
            | "sexy"
            | "real"
            | "pics"
            | "photos"
            | "girls"
            | "girl"
            | "ladies"
            | "lady"
            | "men"
            | "man"
            | "us"
            | "usa"
            | "ts"
            | "bbw"
            | "vip"
            | "xxx"
            | "hwp"
            | "ddf"
            | "gfe"
            | "pse"
            | "ft"
            | "cm"
            | "lbs"
            | "lb"
            | "kg"
    )
}

/// After a name: separators, decoration and emoji, then a two-digit number ("Aria, 22",
/// "Kim 🌹 22", "Aria - 22"). The number's range, or `None`.
fn number_after_name(bytes: &[u8], from: usize) -> Option<std::ops::Range<usize>> {
    let mut i = from;
    let limit = (from + 16).min(bytes.len());
    while i < limit
        && (matches!(
            bytes[i],
            b' ' | b'\t' | b',' | b'~' | b':' | b';' | b'*' | b'-' | b'!' | b'(' | b'['
        ) || bytes[i] >= 0x80)
    {
        i += 1;
    }
    if i == from {
        return None;
    }
    let start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    (i - start == 2).then_some(start..i)
}

/// Does what surrounds the two-digit number at `start..end` leave it a plain number, not a
/// price, duration, measurement, height, time or part of a longer number?
fn bare_number_is_an_age(bytes: &[u8], start: usize, end: usize) -> bool {
    if end - start != 2 {
        return false;
    }
    if start > 0 && matches!(bytes[start - 1], b'$' | b'#' | b'/' | b'.' | b'\'' | b'+') {
        return false;
    }
    match bytes.get(end) {
        Some(b'%' | b'\'' | b'"' | b'$' | b'/' | b'+' | b'x' | b'X') => return false,
        Some(b'.' | b':' | b'-' | b',') if bytes.get(end + 1).is_some_and(u8::is_ascii_digit) => {
            return false;
        }
        Some(b) if b.is_ascii_alphanumeric() => {
            // Glued to letters: a size ("34D") or a unit ("60min"); "22yo" is the main
            // pattern's.
            return false;
        }
        _ => {}
    }
    // The next word: units, currencies and counts make the number something else.
    let mut i = end;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'(' | b'-') {
        i += 1;
    }
    let word_end = bytes[i..]
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .map_or(bytes.len(), |p| i + p);
    let next = String::from_utf8_lossy(&bytes[i..word_end]).to_ascii_lowercase();
    if matches!(
        next.as_str(),
        "min"
            | "mins"
            | "minute"
            | "minutes"
            | "hr"
            | "hrs"
            | "hour"
            | "hours"
            | "hh"
            | "qv"
            | "dollars"
            | "bucks"
            | "roses"
            | "rose"
            | "special"
            | "specials"
            | "lbs"
            | "lb"
            | "pounds"
            | "kg"
            | "cm"
            | "inch"
            | "inches"
            | "ft"
            | "feet"
            | "pm"
            | "am"
            | "th"
            | "st"
            | "nd"
            | "rd"
            | "girls"
            | "ladies"
            | "people"
            | "men"
            | "days"
            | "weeks"
            | "months"
            | "percent"
            | "usd"
            | "cad"
            | "eur"
            | "gbp"
            | "reviews"
            | "pics"
            | "photos"
            | "dd"
            | "ddd"
            | "miles"
            | "mi"
            | "km"
    ) {
        return false;
    }
    // "Im 58, 130 lb": a height written without its mark when a weight follows.
    let value = (bytes[start] - b'0') as u32 * 10 + (bytes[start + 1] - b'0') as u32;
    if (48..=79).contains(&value) {
        let window = &bytes[end..(end + 16).min(bytes.len())];
        let lower = window.to_ascii_lowercase();
        if contains(&lower, b"lb") || contains(&lower, b"pound") || contains(&lower, b"kg") {
            return false;
        }
    }
    true
}

/// A years word right after `end` ("12 yrs", "20 years old", "19yo").
fn followed_by_years_word(bytes: &[u8], end: usize) -> bool {
    let rest = &bytes[end..(end + 6).min(bytes.len())];
    let rest = rest.trim_ascii_start().to_ascii_lowercase();
    rest.starts_with(b"yr")
        || rest.starts_with(b"year")
        || rest.starts_with(b"yo")
        || rest.starts_with(b"y/o")
}

/// Is the age at `range` a requirement or a limit rather than a stated age ("must be at least
/// 18 years of age", "21 years of age or above", "18+", "no men under 30", "over 40")?
fn is_requirement(bytes: &[u8], range: std::ops::Range<usize>) -> bool {
    let before_start = range.start.saturating_sub(28);
    let before = bytes[before_start..range.start].to_ascii_lowercase();
    for w in [
        &b"at least"[..],
        b"must be",
        b"over ",
        b"under ",
        b"older than",
        b"younger than",
        b"minimum",
        b"min age",
        b"no one under",
        b"nobody under",
        b"above ",
        b"below ",
    ] {
        if contains(&before, w) {
            return true;
        }
    }
    let after_end = (range.end + 16).min(bytes.len());
    let after = bytes[range.end..after_end].to_ascii_lowercase();
    let after = after.trim_ascii_start();
    after.starts_with(b"+")
        || after.starts_with(b"or older")
        || after.starts_with(b"or over")
        || after.starts_with(b"or above")
        || after.starts_with(b"or up")
        || after.starts_with(b"and up")
        || after.starts_with(b"and over")
        || after.starts_with(b"and older")
        || after.starts_with(b"of age or")
        || after.starts_with(b"years of age or")
        || after.starts_with(b"and above")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Does an age already found cover the normalised range `range`?
fn overlaps(span: Span, text: &FieldText<'_>, range: &std::ops::Range<usize>) -> bool {
    let (s, _) = text.locate(range.clone());
    span.start < s.end && s.start < span.end
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

/// The value of a number of one to three digits, where a look-alike `l` or `I` stands for
/// the 1 ("l7"); 0 when it is not one.
fn parse_number(digits: &str) -> u32 {
    let mut value: u32 = 0;
    for b in digits.bytes() {
        let d = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'l' | b'L' | b'I' | b'i' => 1,
            _ => return 0,
        };
        value = value.saturating_mul(10).saturating_add(d);
    }
    value
}

fn tens_word(word: &str) -> u32 {
    match word.to_ascii_lowercase().as_str() {
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
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

/// A bare age (next to a name or a first-person cue): kept only in [`BARE_AGE_RANGE`].
fn push_bare_age(
    text: &FieldText<'_>,
    found: &mut Vec<Age>,
    age: u32,
    range: std::ops::Range<usize>,
) {
    if BARE_AGE_RANGE.contains(&age) {
        push_age(text, found, age, range);
    }
}

/// "sixteen", "twenty-two", "thirty one": a spelled age (0 when it is not one).
fn spelled_number(words: &str) -> u32 {
    let mut parts = words.split([' ', '\t', '-']).filter(|w| !w.is_empty());
    let tens = parts.next().map_or(0, tens_word);
    tens + parts.next().map_or(0, unit_word)
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
    fn ages_next_to_names_and_cues() {
        assert_eq!(ages("*** Tiffany (31) *** Yorkville"), vec![31]);
        assert_eq!(ages("Harley is 22 and ready"), vec![22]);
        assert_eq!(ages("Danielle is 33  38DD with long hair"), vec![33]);
        assert_eq!(ages("I'm 24, black, 125 pounds"), vec![24]);
        assert_eq!(ages("Im 23 shy but bubbly"), vec![23]);
        assert_eq!(ages("we're both 23. Serious only"), vec![23]);
        assert_eq!(ages("Meet Aria, 22, a petite brunette"), vec![22]);
        assert_eq!(ages("I am Kim \u{1F495} 22"), vec![22]);
        assert_eq!(ages("Aria, 22, ready"), vec![22]);
        assert_eq!(ages("meet your match: Honey, 31 \u{1F98B}"), vec![31]);
        assert_eq!(
            ages("Hi sweetie, they call me VaLeNtInA (23) -=-=-"),
            vec![23]
        );
        assert_eq!(ages("they call me Erica (24)"), vec![24]);
        assert_eq!(ages("Mia is the name, 24 is the age"), vec![24]);
        assert_eq!(ages("she just turned 19"), vec![19]);
        assert_eq!(ages("22yo latina"), vec![22]);
        assert_eq!(ages("age:22"), vec![22]);
        assert_eq!(ages("twenty-two years young"), vec![22]);
        assert_eq!(ages("j'ai 28 ans"), vec![28]);
        assert_eq!(ages("tengo 22 años"), vec![22]);
        assert_eq!(ages("Hi I'm sixteen"), vec![16]);
    }

    #[test]
    fn ages_under_18_are_kept() {
        assert_eq!(ages("I am 12 yrs old"), vec![12]);
        assert_eq!(ages("Lily (15) new"), vec![15]);
        assert_eq!(ages("I'm 16 and new"), vec![16]);
        assert_eq!(ages("seventeen years old"), vec![17]);
        assert_eq!(ages("a 16-year-old"), vec![16]);
        assert_eq!(ages("barely 16 and new"), vec![16]);
        assert_eq!(ages("sweet sixteen"), vec![16]);
        assert_eq!(ages("tengo 16"), vec![16]);
        // Youth words alone do not make a price or a count an age.
        assert!(ages("only 60 for qv").is_empty());
        assert!(ages("just 20 minutes away").is_empty());
        assert_eq!(ages_in("New girl Amber - 17", Field::Title), vec![17]);
    }

    #[test]
    fn title_end_ages_of_the_sites() {
        let title = |t: &str| ages_in(t, Field::Title);
        assert_eq!(
            title(
                "Live Escort Reviews - 313-753-9759 - 50$ Sunday Specials incall only available 24/7 - 27"
            ),
            vec![27]
        );
        assert_eq!(
            title("YouR SeaRcH eNDs HeRe $75 sPeCiaLs - 22 at EscortAds.xxx"),
            vec![22]
        );
        assert_eq!(
            title("of GINGER B SUNNy and live your wildest 25 | 347-933-3723 on EscortsInThe.US"),
            vec![25]
        );
        // The site's age field before "PHONE on Site": even after a unit word or the number.
        assert_eq!(
            title("70$Cuban doll BETTER THAN THE REST HR 23 | 305-555-0142 on EscortsInThe.US"),
            vec![23]
        );
        assert_eq!(
            title("come see me call 305 555 0142 24 | 305-555-0142 on EscortsInThe.US"),
            vec![24]
        );
        // Without the site's segment, "HR 23" stays a rate.
        assert!(title("BETTER THAN THE REST HR 23").is_empty());
        assert_eq!(
            title("Get Your Specials With Domenicana 50$$$special Karina 22"),
            vec![22]
        );
        assert_eq!(
            title("Un rushed unforgettable 60 21 - 5512546 - My Provider Guide"),
            vec![21]
        );
        assert_eq!(title("*Sweet Honey* Giselle *22*"), vec![22]);
        assert_eq!(title("TREAT YOURSELF TO HONEY - 31 616-664-9427"), vec![31]);
        assert_eq!(
            title("Petite Babe London incall/outcall - 35 call (503) 427-9475"),
            vec![35]
        );
        assert_eq!(
            title("\u{2605} GISELLE \u{2605} ELEGANT VIXEN \u{2605} 24"),
            vec![24]
        );
        // Not ages: a price, a phone fragment, the site's section.
        for t in [
            "Monday 100 Special 5-10pm - portland body rubs - backpage.com",
            "sexy koko specials 60",
            "call 919-555-01 - 23",
            "2 Playmates For 200 Hr",
            "Hot22",
        ] {
            assert!(title(t).is_empty(), "{t}: {:?}", title(t));
        }
    }

    #[test]
    fn url_slug_ages_of_backpage_and_cityxguide() {
        let finder = AgeFinder::new().unwrap();
        let url_ages = |u: &str| {
            finder
                .find_in_url(u)
                .into_iter()
                .map(|a| a.age)
                .collect::<Vec<_>>()
        };
        let u = "http://southcarolina.backpage.com/FemaleEscorts/ms-cherry-60-or-80-special-dont-miss-out-24/9645627";
        assert_eq!(url_ages(u), vec![24]);
        let found = finder.find_in_url(u);
        assert_eq!(&u[found[0].span.start..found[0].span.end], "24");
        assert_eq!(found[0].field, Field::Url);
        assert_eq!(
            url_ages("http://cityxguide.com/southern-belland-fetish-freak-ll-in-one-22/"),
            vec![22]
        );
        // Other sites' slugs end in ids or prices.
        assert!(url_ages("http://407-269-3312.escortsincollege.com/amazing-amy-is-back-80-specials-1761837.html").is_empty());
        assert!(
            url_ages("http://eroticmugshots.com/miami-escorts/305-934-2991/?pid=21827169")
                .is_empty()
        );
        assert!(
            url_ages("http://raleigh.backpage.com/FemaleEscorts/new-in-town/123456").is_empty()
        );
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
            "200hr",
            "10 years in business",
            "Must be at least 18 years of age",
            "21 years of age or above",
            "no men under 30",
            "18+ only",
            "Im 58, 130 lb",
            "Room (12) upstairs",
            "Rate is 60 for qv",
            "I'm 5'4",
            "I am 30 min away",
            "Hr (60)",
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
