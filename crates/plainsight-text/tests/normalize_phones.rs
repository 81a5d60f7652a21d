//! Integration tests for the normaliser and the phone finder: quality on the ads-dev
//! deobfuscation set, a snapshot of finder output on crafted sentences, and property tests.

use std::collections::HashMap;

use plainsight_core::Field;
use plainsight_text::normalize::normalize;
use plainsight_text::phones::{PhoneConfig, PhoneFinder};
use proptest::prelude::*;
use regex::Regex;

const RAW: &str = include_str!("fixtures/ads-dev/deobfuscation-raw.txt");
const HUMAN: &str = include_str!("fixtures/ads-dev/deobfuscation-normalised.txt");

fn finder() -> PhoneFinder {
    PhoneFinder::new(&PhoneConfig::default()).expect("US is a known region")
}

/// Phones a person wrote plainly in the human-normalised line, as E.164, derived without the
/// finder: ten digits laid out as 3-3-4 with optional brackets, space, dot or hyphen.
fn expected_phones(human_line: &str, pattern: &Regex) -> Vec<String> {
    pattern
        .captures_iter(human_line)
        .map(|c| format!("+1{}{}{}", &c[1], &c[2], &c[3]))
        .collect()
}

fn count(items: &[String]) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for item in items {
        *counts.entry(item.as_str()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn ads_dev_deobfuscation_phone_quality() {
    let raw_lines: Vec<&str> = RAW.lines().collect();
    let human_lines: Vec<&str> = HUMAN.lines().collect();
    assert_eq!(
        raw_lines.len(),
        human_lines.len(),
        "fixture files must be line-aligned"
    );
    assert!(raw_lines.len() > 50);

    let pattern = Regex::new(r"\b(\d{3})\)?[ .-]?(\d{3})[ .-]?(\d{4})\b").unwrap();
    let finder = finder();
    let (mut true_pos, mut false_pos, mut false_neg) = (0usize, 0usize, 0usize);
    let mut report = Vec::new();
    for (number, (raw, human)) in raw_lines.iter().zip(&human_lines).enumerate() {
        let expected = expected_phones(human, &pattern);
        let found = finder.find(raw, &normalize(raw), Field::Body);
        for phone in &found {
            assert_eq!(
                &raw[phone.span.start..phone.span.end],
                phone.raw,
                "line {}",
                number + 1
            );
        }
        let found: Vec<String> = found.into_iter().map(|p| p.e164).collect();
        let expected_counts = count(&expected);
        let found_counts = count(&found);
        for (number_e164, &want) in &expected_counts {
            let got = found_counts.get(number_e164).copied().unwrap_or(0);
            true_pos += want.min(got);
            if got < want {
                false_neg += want - got;
                report.push(format!(
                    "line {}: MISSED {number_e164} in {raw:?}",
                    number + 1
                ));
            }
        }
        for (number_e164, &got) in &found_counts {
            let want = expected_counts.get(number_e164).copied().unwrap_or(0);
            if got > want {
                false_pos += got - want;
                report.push(format!(
                    "line {}: FALSE {number_e164} in {raw:?}",
                    number + 1
                ));
            }
        }
    }
    let precision = true_pos as f64 / (true_pos + false_pos).max(1) as f64;
    let recall = true_pos as f64 / (true_pos + false_neg).max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
    for line in &report {
        println!("{line}");
    }
    println!(
        "ads-dev phones: tp={true_pos} fp={false_pos} fn={false_neg} precision={precision:.3} recall={recall:.3} f1={f1:.3}"
    );
    assert!(
        true_pos >= 40,
        "the fixture holds dozens of phones; found only {true_pos}"
    );
    assert!(f1 >= 0.95, "phone F1 {f1:.3} below 0.95");
}

#[test]
fn crafted_sentences_snapshot() {
    let sentences = [
        "Call me at (919) 555-0123 tonight",
        "Text 9one9 fIvE55 zero123 babe",
        "NiNe1nine.5.5.5.o.1.2.3",
        "my # is 9\u{FE0F}\u{20E3}1\u{FE0F}\u{20E3}9\u{FE0F}\u{20E3} 555 0123",
        "call ９１９-５５５-０１２３ or ⑨①⑨ ⑤⑤⑤ ⓪①②③",
        "<b>919</b>-<i>555</i>-<u>0123</u> &#57;19.555.0123",
        "â˜Ž 919Â·555Â·0123",
        "double two 8 triple5 O123, or nine1nine 555 oh one two three",
        "Lala 323-872-9511 I luv l3ch3, 5'1 919 555 0124",
        "UK girl +44 7400 123456, US 1-800-555-0199",
        "$200/hr, 5'6\", 34D-23-35, born 12/25/1999, 10:30pm, 22 yrs, zip 27601",
        "Kayla415:799::7one83 <<<",
        "eight8eight 555 0123 and 4ZERO2 twoonefive 46one2",
    ];
    let finder = finder();
    let results: Vec<_> = sentences
        .iter()
        .map(|s| (s.to_string(), finder.find(s, &normalize(s), Field::Body)))
        .collect();
    insta::assert_json_snapshot!("crafted_sentences", results);
}

#[test]
fn normalised_ads_dev_lines_keep_their_phones_readable() {
    // Every raw line normalises without losing its offsets: each output byte maps back to a
    // non-empty original slice, inside the line and on char boundaries.
    for raw in RAW.lines() {
        let norm = normalize(raw);
        let text = norm.text();
        for (at, c) in text.char_indices() {
            let span = norm.original_span(at..at + c.len_utf8());
            assert!(
                span.start < span.end && span.end <= raw.len(),
                "{raw:?} at {at}"
            );
            assert!(raw.is_char_boundary(span.start) && raw.is_char_boundary(span.end));
        }
        assert_eq!(normalize(text).text(), text, "not idempotent on {raw:?}");
    }
}

/// Fragments that exercise every transformation and their interactions.
const FRAGMENTS: &[&str] = &[
    "<b>",
    "</b>",
    "<br>",
    "<p>",
    "</div>",
    "<!--",
    "-->",
    "<",
    ">",
    "<a href=\"x>y\">",
    "<script>",
    "</script>",
    "&amp;",
    "&lt;",
    "&gt;",
    "&#57;",
    "&#x39;",
    "&#150;",
    "&nbsp;",
    "&amp;amp;",
    "&",
    ";",
    "#",
    "Ã",
    "©",
    "Â",
    "â",
    "™",
    "¨",
    "€",
    "ð",
    "Ÿ",
    "’",
    "\u{80}",
    "\u{9D}",
    "\u{200B}",
    "\u{200D}",
    "\u{FE0F}",
    "\u{20E3}",
    "\u{301}",
    "\u{308}",
    "\u{323}",
    "９",
    "①",
    "➓",
    "𝟗",
    "²",
    "е",
    "О",
    "Α",
    "Ж",
    "£",
    " ",
    "  ",
    "\n",
    "\t",
    "\u{A0}",
    "\u{3000}",
    "\\u2022",
    "\\ud83d",
    "\\udc8b",
    "\\",
    "u",
    "<U+1F48B>",
    "e",
    "1",
    "9",
    "o",
    "O",
    "l",
    "I",
    "nine",
    "one",
    "double",
    "-",
    ".",
    "(",
    ")",
    "+",
    "$",
    "💋",
    "한",
    "\u{1100}",
    "\u{1161}",
    "ﷺ",
    "㎏",
];

fn fragment_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..24).prop_map(|parts| parts.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), fragment_text()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalize_is_idempotent(text in any_text()) {
        let once = normalize(&text);
        let twice = normalize(once.text());
        prop_assert_eq!(twice.text(), once.text());
    }

    #[test]
    fn original_span_is_in_bounds_on_char_boundaries(
        text in any_text(),
        a in 0usize..200,
        b in 0usize..200,
    ) {
        let norm = normalize(&text);
        let span = norm.original_span(a..b);
        prop_assert!(span.start <= span.end);
        prop_assert!(span.end <= text.len());
        prop_assert!(text.is_char_boundary(span.start));
        prop_assert!(text.is_char_boundary(span.end));
        // A non-empty range of the normalised text maps to a non-empty original range.
        let len = norm.text().len();
        if a.min(len) < b.min(len) {
            prop_assert!(span.start < span.end);
        }
    }

    #[test]
    fn original_spans_follow_text_order(text in any_text()) {
        let norm = normalize(&text);
        let mut previous = 0..0;
        for (at, c) in norm.text().char_indices() {
            let span = norm.original_span(at..at + c.len_utf8());
            prop_assert!(span.start < span.end);
            prop_assert!(span.start >= previous.start && span.end >= previous.end,
                "{:?} then {:?}", previous, span);
            previous = span;
        }
    }

    #[test]
    fn finder_never_panics_and_spans_match_raw(text in any_text()) {
        let finder = finder();
        let norm = normalize(&text);
        for phone in finder.find(&text, &norm, Field::Body) {
            prop_assert_eq!(&text[phone.span.start..phone.span.end], phone.raw.as_str());
            prop_assert!(phone.e164.starts_with('+'));
            prop_assert_eq!(phone.obscured, !phone.techniques.is_empty());
        }
    }

    #[test]
    fn parse_e164_never_panics(text in any_text()) {
        let _ = finder().parse_e164(&text);
    }
}
