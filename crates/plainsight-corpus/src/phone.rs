//! Telephone numbers: allocation of realistic, collision-free NANP numbers, the plain
//! formats people write, the disguises extraction must see through, and a reference
//! decoder for exactly those disguises (used by the tests to prove the truth file right).

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::mojibake::unmojibake;
use crate::rng::{CorpusRng, chance, pick, pick_weighted};

/// A North American number as its ten digits (area code, exchange, line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nanp {
    digits: [u8; 10],
}

impl Nanp {
    /// Build from area code, exchange and line number.
    pub fn new(area_code: u16, exchange: u16, line: u16) -> Nanp {
        let mut digits = [0u8; 10];
        let parts = [(area_code, 0, 3), (exchange, 3, 3), (line, 6, 4)];
        for (value, start, len) in parts {
            let mut v = value;
            for i in (start..start + len).rev() {
                digits[i] = (v % 10) as u8;
                v /= 10;
            }
        }
        Nanp { digits }
    }

    /// The ten digits, 0-9 each.
    pub fn digits(&self) -> [u8; 10] {
        self.digits
    }

    /// The ten digits as ASCII text, e.g. `9195550123`.
    pub fn digit_string(&self) -> String {
        self.digits.iter().map(|&d| char::from(b'0' + d)).collect()
    }

    /// E.164 form, e.g. `+19195550123`.
    pub fn e164(&self) -> String {
        format!("+1{}", self.digit_string())
    }

    fn group(&self, start: usize, len: usize) -> String {
        self.digits[start..start + len]
            .iter()
            .map(|&d| char::from(b'0' + d))
            .collect()
    }
}

/// Exchanges (central-office codes) 200-999 minus N11 service codes and 555.
fn valid_exchanges() -> Vec<u16> {
    (200..=999u16)
        .filter(|e| e % 100 != 11 && *e != 555)
        .collect()
}

/// Hands out numbers that never repeat inside one area code: a unique serial is sent
/// through a seeded affine permutation of every (exchange, line) pair. Accidental
/// collisions would otherwise link unrelated writers in the truth itself.
#[derive(Debug, Clone)]
pub(crate) struct NumberPlan {
    exchanges: Vec<u16>,
    multiplier: u64,
    offset: u64,
}

impl NumberPlan {
    pub(crate) fn new(rng: &mut CorpusRng) -> NumberPlan {
        let exchanges = valid_exchanges();
        let space = exchanges.len() as u64 * 10_000;
        let mut multiplier = rng.random_range(space / 3..space / 2) | 1;
        while gcd(multiplier, space) != 1 {
            multiplier += 2;
        }
        let offset = rng.random_range(0..space);
        NumberPlan {
            exchanges,
            multiplier,
            offset,
        }
    }

    /// How many distinct numbers one area code can hold.
    pub(crate) fn space(&self) -> u64 {
        self.exchanges.len() as u64 * 10_000
    }

    /// The number for `serial` in `area_code`. Distinct serials below [`Self::space`] give
    /// distinct numbers.
    pub(crate) fn number(&self, area_code: u16, serial: u64) -> Nanp {
        let space = self.space();
        let v = ((serial % space) as u128 * self.multiplier as u128 + self.offset as u128)
            % space as u128;
        let v = v as u64;
        let exchange = self.exchanges[(v / 10_000) as usize];
        Nanp::new(area_code, exchange, (v % 10_000) as u16)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// How a number was disguised. The names are the technique names of the truth file and
/// of `plainsight extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Technique {
    /// Digits written as words, whole or mixed with numerals ("nine", "NiNe", "9ine").
    SpelledDigits,
    /// "o"/"O" for zero, "l"/"I" for one.
    LetterForDigit,
    /// Unusual separators between digits or groups (`.-*~/@!`, brackets, line breaks).
    Separators,
    /// Full-width, mathematical, circled, superscript or keycap digits; Cyrillic letters
    /// inside digit words.
    LookalikeChars,
    /// HTML tags or entities between or instead of digits.
    Html,
    /// The body was double-encoded and the written number contains non-ASCII characters.
    Mojibake,
}

impl Technique {
    pub fn name(self) -> &'static str {
        match self {
            Technique::SpelledDigits => "spelled_digits",
            Technique::LetterForDigit => "letter_for_digit",
            Technique::Separators => "separators",
            Technique::LookalikeChars => "lookalike_chars",
            Technique::Html => "html",
            Technique::Mojibake => "mojibake",
        }
    }
}

/// The ordinary ways people write a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlainFormat {
    Parens,        // (919) 555-0123
    ParensTight,   // (919)555-0123
    Dashes,        // 919-555-0123
    Dots,          // 919.555.0123
    Spaces,        // 919 555 0123
    Bare,          // 9195550123
    PlusOneSpaced, // +1 919-555-0123
    OneDashes,     // 1-919-555-0123
    E164,          // +19195550123
}

const PLAIN_FORMATS: &[(PlainFormat, u32)] = &[
    (PlainFormat::Parens, 20),
    (PlainFormat::ParensTight, 6),
    (PlainFormat::Dashes, 26),
    (PlainFormat::Dots, 10),
    (PlainFormat::Spaces, 12),
    (PlainFormat::Bare, 16),
    (PlainFormat::PlusOneSpaced, 4),
    (PlainFormat::OneDashes, 3),
    (PlainFormat::E164, 3),
];

impl PlainFormat {
    pub(crate) fn random(rng: &mut CorpusRng) -> PlainFormat {
        let weights: Vec<u32> = PLAIN_FORMATS.iter().map(|f| f.1).collect();
        PLAIN_FORMATS[pick_weighted(rng, &weights)].0
    }

    pub(crate) fn write(self, n: &Nanp) -> String {
        let (a, e, l) = (n.group(0, 3), n.group(3, 3), n.group(6, 4));
        match self {
            PlainFormat::Parens => format!("({a}) {e}-{l}"),
            PlainFormat::ParensTight => format!("({a}){e}-{l}"),
            PlainFormat::Dashes => format!("{a}-{e}-{l}"),
            PlainFormat::Dots => format!("{a}.{e}.{l}"),
            PlainFormat::Spaces => format!("{a} {e} {l}"),
            PlainFormat::Bare => format!("{a}{e}{l}"),
            PlainFormat::PlusOneSpaced => format!("+1 {a}-{e}-{l}"),
            PlainFormat::OneDashes => format!("1-{a}-{e}-{l}"),
            PlainFormat::E164 => format!("+1{a}{e}{l}"),
        }
    }
}

const WORDS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// Letter case of spelled digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordCase {
    Lower,
    Upper,
    Title,
    Alternating,
}

/// Which digits a spelled number writes as words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpellScope {
    All,
    /// Each digit spelled with probability per mille.
    Some(u32),
    /// Only the last group (line number).
    LastGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spelling {
    scope: SpellScope,
    case: WordCase,
    /// Words run together ("twotwoeight") instead of being spaced.
    glued: bool,
    /// Some words written digit-first ("9ine", "8ight").
    mixed: bool,
    /// Repeated digits as "double five".
    doubles: bool,
    /// Cyrillic look-alike letters inside the words.
    cyrillic: bool,
}

/// Unicode digit look-alikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookalike {
    FullWidth,
    MathBold,
    MathDoubleStruck,
    MathSans,
    Circled,
    NegativeCircled,
    Keycap,
    Superscript,
}

const LOOKALIKES: &[(Lookalike, u32)] = &[
    (Lookalike::FullWidth, 25),
    (Lookalike::MathBold, 15),
    (Lookalike::MathDoubleStruck, 8),
    (Lookalike::MathSans, 8),
    (Lookalike::Circled, 12),
    (Lookalike::NegativeCircled, 6),
    (Lookalike::Keycap, 20),
    (Lookalike::Superscript, 6),
];

fn lookalike_digit(kind: Lookalike, d: u8) -> String {
    let from =
        |base: u32| char::from_u32(base + u32::from(d)).map_or_else(String::new, String::from);
    match kind {
        Lookalike::FullWidth => from(0xFF10),
        Lookalike::MathBold => from(0x1D7CE),
        Lookalike::MathDoubleStruck => from(0x1D7D8),
        Lookalike::MathSans => from(0x1D7E2),
        Lookalike::Circled if d == 0 => "\u{24EA}".into(),
        Lookalike::Circled => {
            char::from_u32(0x2460 + u32::from(d) - 1).map_or_else(String::new, String::from)
        }
        Lookalike::NegativeCircled if d == 0 => "\u{24FF}".into(),
        Lookalike::NegativeCircled => {
            char::from_u32(0x2776 + u32::from(d) - 1).map_or_else(String::new, String::from)
        }
        Lookalike::Keycap => format!("{d}\u{FE0F}\u{20E3}"),
        Lookalike::Superscript => match d {
            1 => "\u{00B9}".into(),
            2 => "\u{00B2}".into(),
            3 => "\u{00B3}".into(),
            _ => from(0x2070),
        },
    }
}

/// HTML noise between digit groups.
const HTML_NOISE: &[&str] = &[
    "<b></b>",
    "<br>",
    "<br/>",
    "</span><span>",
    "<i></i>",
    "&nbsp;",
    "&#8203;",
    "<wbr>",
    "<u></u>",
    "</b><b>",
];

/// Unusual separators.
const ODD_SEPARATORS: &[&str] = &[
    ".", "-", "*", "~", "/", "@", "!", " ", "\n", "_", "..", " . ", "•", "|", "~*~", " - ",
];

/// How one writer disguises a number; fixed per template so the same writer disguises
/// the same way ad after ad, as real writers copy and paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PhoneStyle {
    plain: PlainFormat,
    spelling: Option<Spelling>,
    letters: bool,
    separator: Option<(&'static str, bool)>,
    lookalike: Option<(Lookalike, bool)>,
    html: Option<&'static str>,
    html_digit_entities: bool,
    brackets: Option<(char, char)>,
}

impl PhoneStyle {
    /// A style that writes numbers plainly.
    pub(crate) fn plain(format: PlainFormat) -> PhoneStyle {
        PhoneStyle {
            plain: format,
            spelling: None,
            letters: false,
            separator: None,
            lookalike: None,
            html: None,
            html_digit_entities: false,
            brackets: None,
        }
    }

    /// A random style; `obscure_per_mille` is the writer's habit of disguising numbers.
    pub(crate) fn random(rng: &mut CorpusRng, obscure_per_mille: u32) -> PhoneStyle {
        let mut style = PhoneStyle::plain(PlainFormat::random(rng));
        if !chance(rng, obscure_per_mille) {
            return style;
        }
        // Primary technique by how often each is seen, then sometimes a second one.
        let primary = pick_weighted(rng, &[34, 14, 30, 12, 10]);
        let second = if chance(rng, 300) {
            Some(pick_weighted(rng, &[34, 14, 30, 12, 10]))
        } else {
            None
        };
        for t in std::iter::once(primary).chain(second) {
            match t {
                0 => {
                    style.spelling = Some(Spelling {
                        scope: *pick(
                            rng,
                            &[
                                SpellScope::All,
                                SpellScope::Some(500),
                                SpellScope::Some(300),
                                SpellScope::LastGroup,
                            ],
                        ),
                        case: *pick(
                            rng,
                            &[
                                WordCase::Lower,
                                WordCase::Lower,
                                WordCase::Upper,
                                WordCase::Title,
                                WordCase::Alternating,
                            ],
                        ),
                        glued: chance(rng, 350),
                        mixed: chance(rng, 250),
                        doubles: chance(rng, 200),
                        cyrillic: chance(rng, 60),
                    })
                }
                1 => style.letters = true,
                2 => {
                    let sep = *pick(rng, ODD_SEPARATORS);
                    // Dots, dashes and spaces between groups only are ordinary formats, not
                    // disguises: with them the separator goes between every digit.
                    let every_digit = matches!(sep, "." | "-" | " ") || chance(rng, 550);
                    style.separator = Some((sep, every_digit));
                }
                3 => {
                    let weights: Vec<u32> = LOOKALIKES.iter().map(|l| l.1).collect();
                    style.lookalike =
                        Some((LOOKALIKES[pick_weighted(rng, &weights)].0, chance(rng, 700)))
                }
                _ => {
                    style.html = Some(*pick(rng, HTML_NOISE));
                    style.html_digit_entities = chance(rng, 300);
                }
            }
        }
        if chance(rng, 120) {
            style.brackets = Some(*pick(rng, &[('(', ')'), ('[', ']'), ('{', '}')]));
        }
        style
    }

    /// Write `n` in this style. Returns the text and the techniques actually used (empty
    /// for a plainly written number).
    pub(crate) fn write(&self, n: &Nanp, rng: &mut CorpusRng) -> (String, Vec<Technique>) {
        let obscured = self.spelling.is_some()
            || self.letters
            || self.separator.is_some()
            || self.lookalike.is_some()
            || self.html.is_some();
        if !obscured {
            return (self.plain.write(n), Vec::new());
        }
        let mut used = Vec::new();
        let digits = n.digits();
        let letters_apply = self.letters && digits.iter().any(|&d| d <= 1);
        // A number with no 0 or 1 cannot carry letter-for-digit: fall back to separators.
        let separator = match (self.separator, self.letters && !letters_apply) {
            (None, true) => Some(("*", false)),
            (s, _) => s,
        };

        // One token per digit (a "double" token covers two).
        let mut tokens: Vec<(usize, String, bool)> = Vec::with_capacity(10); // (group, text, is_word)
        let mut i = 0;
        while i < 10 {
            let d = digits[i];
            let group = if i < 3 {
                0
            } else if i < 6 {
                1
            } else {
                2
            };
            if let Some((kind, all)) = self.lookalike
                && (all || chance(rng, 550))
            {
                tokens.push((group, lookalike_digit(kind, d), false));
                used.push(Technique::LookalikeChars);
                i += 1;
                continue;
            }
            if let Some(sp) = self.spelling {
                let spell = match sp.scope {
                    SpellScope::All => true,
                    SpellScope::Some(p) => chance(rng, p),
                    SpellScope::LastGroup => group == 2,
                };
                if spell {
                    let same_group_next =
                        i + 1 < 10 && (i + 1 < 3) == (i < 3) && (i + 1 < 6) == (i < 6);
                    let (text, width) = if sp.doubles
                        && same_group_next
                        && digits[i + 1] == d
                        && chance(rng, 700)
                    {
                        let word = spell_word(d, sp, rng, &mut used);
                        let dbl = apply_case("double", sp.case);
                        (format!("{dbl} {word}"), 2)
                    } else {
                        (spell_word(d, sp, rng, &mut used), 1)
                    };
                    tokens.push((group, text, true));
                    used.push(Technique::SpelledDigits);
                    i += width;
                    continue;
                }
            }
            if letters_apply && d <= 1 {
                let letter = match (d, rng.random_range(0..2u8)) {
                    (0, 0) => "o",
                    (0, _) => "O",
                    (_, 0) => "l",
                    _ => "I",
                };
                tokens.push((group, letter.to_string(), false));
                used.push(Technique::LetterForDigit);
                i += 1;
                continue;
            }
            if self.html_digit_entities && chance(rng, 250) {
                tokens.push((group, format!("&#{};", 48 + u32::from(d)), false));
                used.push(Technique::Html);
            } else {
                tokens.push((group, char::from(b'0' + d).to_string(), false));
            }
            i += 1;
        }

        let (group_sep, digit_sep): (String, Option<&str>) = match separator {
            Some((sep, every_digit)) => {
                used.push(Technique::Separators);
                (sep.to_string(), every_digit.then_some(sep))
            }
            None => (pick(rng, &[" ", "-", ".", "", " "]).to_string(), None),
        };
        let mut out = String::with_capacity(48);
        let html_slot = self.html.map(|h| (h, rng.random_range(0..3u8)));
        for (k, (group, text, is_word)) in tokens.iter().enumerate() {
            if k > 0 {
                let (prev_group, _, prev_word) = &tokens[k - 1];
                if prev_group != group {
                    if group_sep.is_empty()
                        && (*prev_word || *is_word)
                        && !self.spelling.is_some_and(|s| s.glued)
                    {
                        out.push(' ');
                    }
                    out.push_str(&group_sep);
                    if let Some((h, slot)) = html_slot
                        && (slot == 2 || usize::from(slot) == *prev_group)
                    {
                        out.push_str(h);
                        used.push(Technique::Html);
                    }
                } else if let Some(sep) = digit_sep {
                    out.push_str(sep);
                } else if (*prev_word || *is_word) && !self.spelling.is_some_and(|s| s.glued) {
                    out.push(' ');
                }
            }
            if k == 0
                && let Some((open, _)) = self.brackets
            {
                out.push(open);
                used.push(Technique::Separators);
            }
            out.push_str(text);
            if let Some((_, close)) = self.brackets
                && *group == 0
                && tokens.get(k + 1).is_none_or(|t| t.0 != 0)
            {
                out.push(close);
            }
        }
        if used.is_empty() {
            // Every technique was skipped by chance (e.g. a partial scope that spelled
            // nothing): mark the number with odd separators so it still counts as disguised.
            return PhoneStyle {
                separator: Some(("*", true)),
                ..PhoneStyle::plain(self.plain)
            }
            .write(n, rng);
        }
        used.sort_unstable();
        used.dedup();
        (out, used)
    }

    /// The writer's plain format (used for the scraper `phones` field).
    pub(crate) fn plain_format(&self) -> PlainFormat {
        self.plain
    }
}

fn apply_case(word: &str, case: WordCase) -> String {
    match case {
        WordCase::Lower => word.to_string(),
        WordCase::Upper => word.to_uppercase(),
        WordCase::Title => {
            let mut c = word.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        WordCase::Alternating => word
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

fn spell_word(d: u8, sp: Spelling, rng: &mut CorpusRng, used: &mut Vec<Technique>) -> String {
    let word = WORDS[usize::from(d)];
    // Digit-first spellings only read well for words of four letters or more.
    if sp.mixed && d >= 3 && d != 6 && chance(rng, 500) {
        return format!("{d}{}", apply_case(&word[1..], sp.case));
    }
    let cased = apply_case(word, sp.case);
    if sp.cyrillic && chance(rng, 500) {
        let swapped = to_cyrillic(&cased);
        if swapped != cased {
            used.push(Technique::LookalikeChars);
            return swapped;
        }
    }
    cased
}

const CYRILLIC: &[(char, char)] = &[
    ('a', 'а'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('c', 'с'),
    ('x', 'х'),
    ('y', 'у'),
    ('i', 'і'),
    ('A', 'А'),
    ('E', 'Е'),
    ('O', 'О'),
    ('P', 'Р'),
    ('C', 'С'),
    ('X', 'Х'),
    ('T', 'Т'),
    ('H', 'Н'),
    ('K', 'К'),
    ('M', 'М'),
    ('B', 'В'),
    ('I', 'І'),
];

/// Swap every Latin letter that has a Cyrillic twin.
pub(crate) fn to_cyrillic(text: &str) -> String {
    text.chars()
        .map(|c| CYRILLIC.iter().find(|p| p.0 == c).map_or(c, |p| p.1))
        .collect()
}

fn from_cyrillic(c: char) -> char {
    CYRILLIC.iter().find(|p| p.1 == c).map_or(c, |p| p.0)
}

fn lookalike_to_ascii(c: char) -> Option<u8> {
    let v = u32::from(c);
    let d = match v {
        0x30..=0x39 => v - 0x30,
        0xFF10..=0xFF19 => v - 0xFF10,
        0x1D7CE..=0x1D7FF => (v - 0x1D7CE) % 10,
        0x2460..=0x2468 => v - 0x2460 + 1,
        0x24EA | 0x24FF | 0x2070 => 0,
        0x2776..=0x277E => v - 0x2776 + 1,
        0xB9 => 1,
        0xB2 => 2,
        0xB3 => 3,
        0x2074..=0x2079 => v - 0x2070,
        _ => return None,
    };
    u8::try_from(d).ok()
}

/// Strip tags and decode the entities this generator writes.
fn strip_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
        {
            rest = &rest[end + 1..];
            continue;
        }
        if c == '&'
            && let Some(end) = rest.find(';')
        {
            let entity = &rest[1..end];
            let decoded = if let Some(num) = entity.strip_prefix('#') {
                num.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                Some(' ')
            };
            if let Some(ch) = decoded.filter(|ch| *ch != '\u{200B}') {
                out.push(ch);
            }
            rest = &rest[end + 1..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Reference decoder for the disguises this generator writes: returns the digits a
/// reader recovers, in order. It is *not* a general phone extractor (the extraction
/// crate is); it exists to prove that every number in the truth file is really in the ad.
pub fn reveal_digits(written: &str) -> String {
    let mut text = written.to_string();
    if !text.is_ascii()
        && let Some(fixed) = unmojibake(&text)
    {
        text = fixed;
    }
    let text = strip_html(&text);
    let chars: Vec<char> = text
        .chars()
        .filter(|c| *c != '\u{FE0F}' && *c != '\u{20E3}')
        .map(|c| match lookalike_to_ascii(c) {
            Some(d) => char::from(b'0' + d),
            None => from_cyrillic(c).to_ascii_lowercase(),
        })
        .collect();
    let mut out = String::new();
    let mut doubled = false;
    let mut i = 0;
    'scan: while i < chars.len() {
        let at = |i: usize, w: &str| {
            w.chars()
                .enumerate()
                .all(|(k, wc)| chars.get(i + k) == Some(&wc))
        };
        let mut emit = |d: u8, out: &mut String| {
            out.push(char::from(b'0' + d));
            if doubled {
                out.push(char::from(b'0' + d));
                doubled = false;
            }
        };
        if at(i, "double") {
            doubled = true;
            i += 6;
            continue;
        }
        for (d, word) in WORDS.iter().enumerate() {
            if at(i, word) {
                emit(d as u8, &mut out);
                i += word.len();
                continue 'scan;
            }
        }
        let c = chars[i];
        if let Some(d) = c.to_digit(10) {
            emit(d as u8, &mut out);
            i += 1;
            // A digit-first spelling ("9ine"): skip the rest of the word.
            let tail = &WORDS[d as usize][1..];
            if tail.len() >= 3 && at(i, tail) {
                i += tail.len();
            }
            continue;
        }
        match c {
            'o' => emit(0, &mut out),
            'l' | 'i' => emit(1, &mut out),
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mojibake::mojibake;
    use crate::rng::derived_rng;
    use std::collections::BTreeSet;

    fn strip_country(d: String) -> String {
        if d.len() == 11 && d.starts_with('1') {
            d[1..].to_string()
        } else {
            d
        }
    }

    #[test]
    fn plain_formats_hold_the_digits() {
        let n = Nanp::new(919, 482, 7013);
        assert_eq!(n.e164(), "+19194827013");
        for (f, _) in PLAIN_FORMATS {
            assert_eq!(
                strip_country(reveal_digits(&f.write(&n))),
                "9194827013",
                "{f:?}"
            );
        }
    }

    #[test]
    fn number_plan_never_repeats_within_an_area_code() {
        let mut rng = derived_rng(3, 0, 0);
        let plan = NumberPlan::new(&mut rng);
        let mut seen = BTreeSet::new();
        for serial in 0..50_000 {
            let n = plan.number(704, serial);
            let d = n.digits();
            assert!(d[3] >= 2, "exchange must start with 2-9: {}", n.e164());
            assert!(!(d[4] == 1 && d[5] == 1), "no N11 exchange: {}", n.e164());
            assert!(seen.insert(n), "repeated {}", n.e164());
        }
    }

    #[test]
    fn every_disguise_round_trips_through_the_reference_decoder() {
        let mut rng = derived_rng(11, 0, 0);
        let plan = NumberPlan::new(&mut rng);
        let mut seen_techniques = BTreeSet::new();
        for serial in 0..20_000u64 {
            let style = PhoneStyle::random(&mut rng, 1000);
            let n = plan.number(*pick(&mut rng, &[212u16, 704, 901, 310]), serial);
            let (text, used) = style.write(&n, &mut rng);
            assert!(
                !used.is_empty(),
                "disguised style wrote a plain number: {text:?}"
            );
            seen_techniques.extend(used.iter().copied());
            assert_eq!(
                strip_country(reveal_digits(&text)),
                n.digit_string(),
                "{text:?} {used:?} {style:?}"
            );
            let garbled = mojibake(&text);
            assert_eq!(
                strip_country(reveal_digits(&garbled)),
                n.digit_string(),
                "{garbled:?}"
            );
        }
        for t in [
            Technique::SpelledDigits,
            Technique::LetterForDigit,
            Technique::Separators,
            Technique::LookalikeChars,
            Technique::Html,
        ] {
            assert!(seen_techniques.contains(&t), "{t:?} never produced");
        }
    }

    #[test]
    fn decoder_reads_classic_examples() {
        assert_eq!(
            reveal_digits("8four five 2Osix one6nineseven"),
            "8452061697"
        );
        assert_eq!(reveal_digits("615,8eight6,o16one"), "6158860161");
        assert_eq!(reveal_digits("9ine1ne9ine"), "919");
        assert_eq!(reveal_digits("two double five"), "255");
        assert_eq!(reveal_digits("9\u{FE0F}\u{20E3}１𝟗"), "919");
        assert_eq!(reveal_digits("9<b></b>1&#57;"), "919");
    }
}
