//! Property tests of the spelled-number grammar of the phone finder: every rendering of a
//! number that the grammar claims to read (digits, number words in any case, teens, tens
//! and compounds, `oh`, `double`, `hundred`/`thousand` at the end, homophones inside,
//! leet inside words, words glued to digits or to each other, any separator between tokens)
//! gives back that number; plain English prose, number words and homophones included, gives
//! no phone, in a North American ad or another region's.

use plainsight_core::Field;
use plainsight_text::normalize::normalize;
use plainsight_text::phones::{PhoneConfig, PhoneFinder};
use plainsight_text::region::{AdRegion, RegionSource};
use proptest::prelude::*;

const UNITS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const TEENS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const HOMOPHONES: [(u8, &[&str]); 4] = [
    (1, &["won"]),
    (2, &["to", "too"]),
    (4, &["for", "fore"]),
    (8, &["ate"]),
];
/// Leet spellings the grammar reads (one per digit that has one).
const LEET: [(u8, &str); 6] = [
    (0, "zer0"),
    (2, "tw0"),
    (4, "f0ur"),
    (5, "f1ve"),
    (6, "s1x"),
    (9, "n1ne"),
];

fn finder() -> PhoneFinder {
    PhoneFinder::new(&PhoneConfig::default()).expect("US finder")
}

fn cased(word: &str, case: u8) -> String {
    match case % 4 {
        0 => word.to_string(),
        1 => word.to_uppercase(),
        2 => {
            let mut c = word.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        _ => word
            .chars()
            .enumerate()
            .map(|(i, ch)| {
                if i % 2 == 0 {
                    ch.to_ascii_uppercase()
                } else {
                    ch
                }
            })
            .collect(),
    }
}

/// One rendered piece: its text, and whether it is a word (letters) or a numeral.
struct Piece {
    text: String,
    word: bool,
    /// Needs a separator on both sides (a homophone: glued to other letters it is no word).
    apart: bool,
}

/// Render the ten digits of a NANP number by the `choices` (one byte per digit position
/// drives the form and the case; `seps` the separators).
///
/// Returns the text and whether any digit was written as a word (the property is about
/// spelled numbers: numerals alone in odd groups are read only as a whole run of one
/// separator, and never across `/` or `:`, which dates and times use).
fn render(digits: &[u8; 10], choices: &[u8], seps: &[u8]) -> (String, bool) {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut i = 0;
    while i < 10 {
        let choice = choices[i];
        let d = digits[i];
        let case = choice >> 4;
        let next = digits.get(i + 1).copied();
        match choice % 12 {
            // Teen: a "1x" pair.
            1 if d == 1 && next.is_some() => {
                let n = next.unwrap_or(0);
                pieces.push(Piece {
                    text: cased(TEENS[usize::from(n)], case),
                    word: true,
                    apart: false,
                });
                i += 2;
                continue;
            }
            // Tens and a unit: "twenty six", "twentysix", "twenty-six".
            2 if d >= 2 && next.is_some_and(|n| n >= 1) => {
                let n = next.unwrap_or(1);
                let joiner = ["", " ", "-"][usize::from(case % 3)];
                pieces.push(Piece {
                    text: format!(
                        "{}{joiner}{}",
                        cased(TENS[usize::from(d)], case),
                        cased(UNITS[usize::from(n)], case)
                    ),
                    word: true,
                    apart: false,
                });
                i += 2;
                continue;
            }
            // A tens word alone ("x0"): only as the last pair, so no unit follows it.
            3 if d >= 2 && i == 8 && digits[9] == 0 => {
                pieces.push(Piece {
                    text: cased(TENS[usize::from(d)], case),
                    word: true,
                    apart: false,
                });
                i += 2;
                continue;
            }
            // "x thousand" / "x hundred" closing the number.
            4 if i == 6 && d >= 1 && digits[7..] == [0, 0, 0] => {
                pieces.push(Piece {
                    text: format!(
                        "{} {}",
                        cased(UNITS[usize::from(d)], case),
                        cased("thousand", case)
                    ),
                    word: true,
                    apart: false,
                });
                i = 10;
                continue;
            }
            4 if i == 7 && d >= 1 && digits[8..] == [0, 0] => {
                pieces.push(Piece {
                    text: format!(
                        "{} {}",
                        cased(UNITS[usize::from(d)], case),
                        cased("hundred", case)
                    ),
                    word: true,
                    apart: false,
                });
                i = 10;
                continue;
            }
            // "double x".
            5 if next == Some(d) => {
                pieces.push(Piece {
                    text: format!(
                        "{} {}",
                        cased("double", case),
                        cased(UNITS[usize::from(d)], case)
                    ),
                    word: true,
                    apart: false,
                });
                i += 2;
                continue;
            }
            // A homophone, never first.
            6 if i > 0 => {
                if let Some((_, words)) = HOMOPHONES.iter().find(|(h, _)| *h == d) {
                    let word = words[usize::from(case) % words.len()];
                    pieces.push(Piece {
                        text: cased(word, case),
                        word: true,
                        apart: true,
                    });
                    i += 1;
                    continue;
                }
            }
            // Leet inside a word, standing apart from other letters.
            7 => {
                if let Some((_, word)) = LEET.iter().find(|(l, _)| *l == d) {
                    pieces.push(Piece {
                        text: word.to_string(),
                        word: true,
                        apart: true,
                    });
                    i += 1;
                    continue;
                }
            }
            // "oh" for zero.
            8 if d == 0 => {
                pieces.push(Piece {
                    text: cased("oh", case),
                    word: true,
                    apart: false,
                });
                i += 1;
                continue;
            }
            9..=11 => {
                pieces.push(Piece {
                    text: cased(UNITS[usize::from(d)], case),
                    word: true,
                    apart: false,
                });
                i += 1;
                continue;
            }
            _ => {}
        }
        pieces.push(Piece {
            text: char::from(b'0' + d).to_string(),
            word: false,
            apart: false,
        });
        i += 1;
    }
    let mut out = String::new();
    for (k, piece) in pieces.iter().enumerate() {
        if k > 0 {
            let prev = &pieces[k - 1];
            let sep = match seps[k % seps.len()] % 8 {
                0 => "",
                1 => " ",
                2 => "-",
                3 => ".",
                4 => "*",
                5 => " | ",
                6 => "~",
                _ => "_",
            };
            // Glued pieces must stay readable: a homophone or leet word needs a separator,
            // and two numerals glued are one numeral (fine), but a word glued to a word
            // after "double"/scale phrases is kept apart too.
            let sep = if sep.is_empty()
                && (piece.apart
                    || prev.apart
                    || (prev.word
                        && piece.word
                        && (prev.text.contains(' ') || piece.text.contains(' '))))
            {
                " "
            } else {
                sep
            };
            out.push_str(sep);
        }
        out.push_str(&piece.text);
    }
    (out, pieces.iter().any(|p| p.word))
}

fn nanp_digits() -> impl Strategy<Value = [u8; 10]> {
    // Area codes and exchanges from the valid ranges: N in 2-9, no N11.
    (
        prop::sample::select(vec![
            212u16, 213, 305, 312, 404, 415, 503, 602, 646, 702, 713, 718, 804, 917, 919,
        ]),
        200u16..1000,
        0u16..10000,
    )
        .prop_filter("no N11 exchange", |(_, e, _)| e % 100 != 11)
        .prop_map(|(a, e, l)| {
            let s = format!("{a:03}{e:03}{l:04}");
            let mut d = [0u8; 10];
            for (i, b) in s.bytes().enumerate() {
                d[i] = b - b'0';
            }
            d
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn every_rendering_the_grammar_reads_gives_the_number(
        digits in nanp_digits(),
        choices in prop::collection::vec(any::<u8>(), 10),
        seps in prop::collection::vec(any::<u8>(), 1..6),
    ) {
        let f = finder();
        let plain: String = digits.iter().map(|&d| char::from(b'0' + d)).collect();
        let expected = f.parse_e164(&plain);
        prop_assume!(expected.is_some());
        let (text, spelled) = render(&digits, &choices, &seps);
        prop_assume!(spelled);
        let found: Vec<String> = f
            .find(&text, &normalize(&text), Field::Body)
            .into_iter()
            .map(|p| p.e164)
            .collect();
        prop_assert_eq!(found, vec![expected.unwrap()], "{:?}", text);
    }

    #[test]
    fn plain_prose_gives_no_phone(
        words in prop::collection::vec(0usize..PROSE.len(), 1..40),
        region in prop::sample::select(vec!["US", "GB", "DE", "IN", "AU"]),
    ) {
        let text: Vec<&str> = words.iter().map(|&i| PROSE[i]).collect();
        let text = text.join(" ");
        let f = finder();
        let region = AdRegion::new(region, RegionSource::Location).unwrap();
        let found = f.find_in_region(&text, &normalize(&text), Field::Body, region);
        prop_assert!(found.is_empty(), "{:?} -> {:?}", text, found);
    }
}

/// Prose vocabulary: ordinary words, the homophones, and number words that always come with
/// the noun they count ("two hours", "twenty minutes"), as they do in ads.
const PROSE: &[&str] = &[
    "I",
    "am",
    "new",
    "in",
    "town",
    "and",
    "ready",
    "to",
    "too",
    "for",
    "fore",
    "ate",
    "won",
    "the",
    "a",
    "you",
    "will",
    "love",
    "my",
    "time",
    "come",
    "see",
    "me",
    "tonight",
    "sweet",
    "two hours",
    "one night",
    "twenty minutes",
    "four seasons",
    "eight days",
    "ten years",
    "a hundred kisses",
    "a thousand reasons",
    "nineteen years",
    "thirty minutes",
    "oh my",
    "for two hours",
    "to one place",
    "at nine tonight",
    "only five days",
    "double the fun",
    "on",
    "no",
    "to",
    "lol",
    "so",
    "fun",
    "real",
    "pics",
    "discreet",
    "upscale",
    "here",
    "seven days a week",
    "one on one time",
    "twenty four seven service",
    "six feet",
    "five foot six tall",
];
