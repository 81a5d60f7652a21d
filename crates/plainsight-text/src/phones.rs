//! Phone numbers in ad text, including the disguised ones.
//!
//! Works on [`normalize`](crate::normalize::normalize)d text, so HTML, entities, mojibake and
//! Unicode look-alike digits are already gone. What is left to undo here is what writers do
//! with plain letters: digits spelled out ("eight", "NiNe", "twotwoeight", "9ine"), `o`/`O`
//! for zero and `l`/`I` for one, "double"/"triple", and separators between every digit or
//! group (`.-*~/@!_`, brackets, spaces, line breaks, emoji).
//!
//! The finder reads the text as *runs* of digit tokens (numerals, number words, letters
//! standing for digits) joined by short separator gaps; anything else (ordinary words,
//! currency signs, long gaps) ends a run. Inside a run it tries, left to right, the longest
//! stretch of whole tokens that `phonenumber` accepts as a valid number, with guards against
//! the usual look-alikes: a numeral is never split, a numeral may not straddle the country
//! code / area code / exchange boundaries of a NANP number (which rejects dates, times and
//! measurements glued to a real number), numerals next to a currency sign are prices, and a
//! number right after "id", "ref", "order" ... is an identifier.
//!
//! Every `phonenumber` call goes through [`PhoneFinder::parse_e164`]'s checks first (only
//! `+` and 7-17 ASCII digits ever reach the library), and is additionally wrapped in
//! `catch_unwind` (see [`call_phonenumber`]).

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use plainsight_core::{Field, Phone, Span};
use serde::{Deserialize, Serialize};

use crate::normalize::{Changes, Normalized};
use crate::region::{AdRegion, RegionSource};

/// Fewest and most digits (after any `+`) handed to `phonenumber`: E.164 allows 15 digits,
/// plus room for a `00`/`011` international prefix.
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 17;

/// Most separator characters allowed between two digit tokens of one number.
const MAX_GAP_CHARS: usize = 5;

/// Longest letter run that is tried as spelled digits ("sevensevenfour..." fits easily).
const MAX_SPELLED_RUN: usize = 64;

/// Settings for the phone finder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhoneConfig {
    /// ISO 3166 alpha-2 region used for numbers written without a country code.
    pub default_region: String,
}

impl Default for PhoneConfig {
    fn default() -> Self {
        PhoneConfig {
            default_region: "US".to_string(),
        }
    }
}

/// Why a phone finder could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error(
        "unknown phone region {region:?}: use an ISO 3166 alpha-2 code with phone metadata, such as \"US\", \"CA\" or \"GB\""
    )]
    UnknownRegion { region: String },
}

/// Finds phone numbers in ad fields. Built once, reused; `Send + Sync`.
#[derive(Debug, Clone)]
pub struct PhoneFinder {
    /// The configured default region (source [`RegionSource::Default`]), used when an ad
    /// carries no evidence of its own.
    default: AdRegion,
}

/// A number `phonenumber` accepted. `Copy`, with the E.164 form inline: candidates are
/// validated by the thousand and most are never reported, so none of this allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ValidNumber {
    e164: E164,
    country_code: u16,
    /// How many leading digits of the written digits are an international prefix (`00`,
    /// `011`) plus the country code, or a NANP leading `1`; 0 for a national number.
    prefix_digits: usize,
    /// Length of the international prefix alone (`00` = 2, `011` = 3).
    idd_digits: usize,
    /// Written with a country code (`+`, `00`, `011`, a WhatsApp link), not in national form.
    international: bool,
    /// Which of the country code's regions (in metadata order) the number is valid in.
    region_index: u8,
}

impl PhoneFinder {
    /// Build a finder; `cfg.default_region` must be a region `phonenumber` has metadata for.
    pub fn new(cfg: &PhoneConfig) -> Result<PhoneFinder, PhoneError> {
        // `AdRegion::new` only accepts regions `phonenumber` has metadata for: the crate
        // unwraps the metadata look-up of the region it is given, so that can never panic.
        let default =
            AdRegion::new(&cfg.default_region, RegionSource::Default).ok_or_else(|| {
                PhoneError::UnknownRegion {
                    region: cfg.default_region.clone(),
                }
            })?;
        Ok(PhoneFinder { default })
    }

    /// The default region in use.
    pub fn region(&self) -> &str {
        self.default.code()
    }

    /// The default region as an [`AdRegion`] (source `default`): the region of an ad with no
    /// evidence of its own.
    pub fn default_region(&self) -> AdRegion {
        self.default
    }

    /// Validate one number written in the usual way ("+44 20 7946 0958", "(919) 555-0123",
    /// "9195550123") and return its E.164 form. Accepts any input: anything but digits,
    /// spaces, `+-.()/` and at most one leading `+` is rejected before `phonenumber` sees it.
    pub fn parse_e164(&self, written: &str) -> Option<String> {
        let mut digits = String::with_capacity(written.len());
        let mut plus = false;
        for c in written.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                ' ' | '-' | '.' | '(' | ')' | '/' => {}
                _ => return None,
            }
        }
        self.validate_digits(self.default, digits.as_bytes(), plus)
            .map(|v| v.e164.to_e164_string())
    }

    /// Find phones in one field, numbers in national form read for the default region.
    /// `original` is the field's original text and `norm = normalize(original)`. Each
    /// occurrence is reported with its own span (the caller deduplicates).
    pub fn find(&self, original: &str, norm: &Normalized, field: Field) -> Vec<Phone> {
        self.find_in_region(original, norm, field, self.default)
    }

    /// Find phones in one field of an ad whose region is `region` (see
    /// [`crate::region::infer_region`]): numbers in national form are read and validated for
    /// that region; numbers with a country code for their own.
    pub fn find_in_region(
        &self,
        original: &str,
        norm: &Normalized,
        field: Field,
        region: AdRegion,
    ) -> Vec<Phone> {
        let text = norm.text();
        let mut phones = Vec::new();
        for_each_run(text, |run| {
            self.find_in_run(original, norm, field, region, run, &mut phones);
        });
        phones
    }

    fn find_in_run(
        &self,
        original: &str,
        norm: &Normalized,
        field: Field,
        region: AdRegion,
        run: &[Token],
        phones: &mut Vec<Phone>,
    ) {
        let text = norm.text();
        let total_digits: usize = run.iter().map(|t| t.digit_count(text)).sum();
        if total_digits < MIN_DIGITS {
            return;
        }
        let mut start = 0;
        while start < run.len() {
            match self.longest_valid_from(region, text, run, start) {
                Some((mut first, end, mut valid)) => {
                    // "call one 919-555-0123": a spelled word in front that does not change
                    // the number is not part of it.
                    // Likewise a lone "1" that continues an earlier number ("5'1 919 555 0123").
                    while first + 1 < end
                        && (run[first].is_spelled_or_letter()
                            || (first > 0 && run[first].digits(text) == "1"))
                    {
                        match self.candidate(region, text, &run[first + 1..end], false) {
                            Some(v) if v.e164 == valid.e164 => {
                                first += 1;
                                valid = v;
                            }
                            _ => break,
                        }
                    }
                    let page_name = field == Field::Url && is_page_name(text, &run[first..end]);
                    if !preceded_by_identifier_word(text, run[first].start) && !page_name {
                        phones.push(self.build_phone(
                            original,
                            norm,
                            field,
                            region,
                            &run[first..end],
                            valid,
                        ));
                    }
                    start = end;
                }
                None => start += 1,
            }
        }
    }

    /// The longest stretch of whole tokens starting at `start` that is a valid number.
    fn longest_valid_from(
        &self,
        region: AdRegion,
        text: &str,
        run: &[Token],
        start: usize,
    ) -> Option<(usize, usize, ValidNumber)> {
        // The ends to try are those where the digit count so far is within MIN..=MAX. The
        // count never decreases along the run, so they form one range: no list is needed.
        let mut ends: Option<Range<usize>> = None;
        let mut count = 0;
        for (offset, token) in run[start..].iter().enumerate() {
            count += token.digit_count(text);
            if count > MAX_DIGITS {
                break;
            }
            if count >= MIN_DIGITS {
                let end = start + offset + 1;
                ends = Some(ends.map_or(end..end + 1, |r| r.start..end + 1));
            }
        }
        ends?.rev().find_map(|end| {
            // Weak tokens around it ("... 850695670 five to book") are not other numbers.
            let whole_run =
                run[..start].iter().all(|t| t.weak) && run[end..].iter().all(|t| t.weak);
            self.candidate(region, text, &run[start..end], whole_run)
                .map(|v| (start, end, v))
        })
    }

    /// Validate the tokens as one number, with the structural guards.
    ///
    /// `whole_run`: the tokens are the whole run (nothing else stands next to them), which
    /// lets a number in unusual groups ("21 457 38 821") through the structure guard.
    fn candidate(
        &self,
        region: AdRegion,
        text: &str,
        tokens: &[Token],
        whole_run: bool,
    ) -> Option<ValidNumber> {
        let first = tokens.first()?;
        let last = tokens.last()?;
        if matches!(last.kind, Kind::Repeat(_)) || first.weak || !may_end_number(tokens) {
            return None;
        }
        let spelled = spell_out(text, tokens)?;
        let digits = spelled.digits();
        if !plausible_length(region, digits, first.plus_before) {
            return None;
        }
        let valid = self.validate_digits(region, digits, first.plus_before)?;
        if !(numerals_respect_structure(spelled.numerals(), &valid, digits.len())
            || whole_run && unusual_grouping(text, tokens))
        {
            return None;
        }
        Some(valid)
    }

    /// Validate a digit string (optionally written after a `+`) with `phonenumber`.
    ///
    /// `phonenumber` is given `+` and the digits after an international prefix (no region),
    /// or the digits as written with the default region.
    fn validate_digits(&self, region: AdRegion, digits: &[u8], plus: bool) -> Option<ValidNumber> {
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len())
            || !digits.iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let nanp_region = region.is_nanp();
        let (body, region, idd_digits) = if plus {
            (digits, None, 0)
        } else if let Some(rest) = digits.strip_prefix(b"00") {
            (rest, None, 2)
        } else if let Some(rest) = digits.strip_prefix(b"011").filter(|_| nanp_region) {
            (rest, None, 3)
        } else {
            (digits, Some(region.id()), 0)
        };
        let input = PhonenumberInput { region, body };
        if input.is_nanp(nanp_region) && !nanp_shape_ok(input.nanp_digits()) {
            return None;
        }
        let (e164, country_code, region_index) = cached_call_phonenumber(input)?;
        let national_len = e164.len() - 1 - decimal_len(country_code);
        let prefix_digits = if region.is_none() {
            idd_digits + decimal_len(country_code)
        } else if country_code == 1 && digits.len() == national_len + 1 {
            // NANP "1" in front of the ten digits.
            1
        } else {
            // A national trunk prefix ("0" in "07400 123456") belongs to the number.
            0
        };
        Some(ValidNumber {
            e164,
            country_code,
            prefix_digits,
            idd_digits,
            international: region.is_none(),
            region_index,
        })
    }

    fn build_phone(
        &self,
        original: &str,
        norm: &Normalized,
        field: Field,
        region: AdRegion,
        tokens: &[Token],
        valid: ValidNumber,
    ) -> Phone {
        let text = norm.text();
        let first = &tokens[0];
        let last = &tokens[tokens.len() - 1];
        let mut norm_start = first.start;
        let before = &text[..norm_start];
        if first.plus_before {
            if let Some(plus) = before.trim_end_matches(' ').strip_suffix('+') {
                norm_start = plus.len();
            }
        } else if before.ends_with('(') && gap_after_first_group(text, tokens).starts_with(')') {
            norm_start -= 1;
        }
        let norm_range = norm_start..last.end;
        let span = norm.original_span(norm_range.clone());
        let raw = original.get(span.clone()).unwrap_or_default().to_string();
        let techniques = techniques(text, norm, norm_range, tokens, &raw, &valid);
        Phone {
            e164: valid.e164.to_e164_string(),
            raw,
            obscured: !techniques.is_empty(),
            techniques,
            span: Span::new(span.start, span.end),
            field,
            service: is_service_line(&text[..norm_start]),
            region: region_name(valid.country_code, valid.region_index),
            region_source: if valid.international {
                RegionSource::CountryCode.as_str()
            } else {
                region.source().as_str()
            }
            .to_string(),
        }
    }
}

/// Cheap length filter so `phonenumber` is only asked about lengths that can be valid.
fn plausible_length(region: AdRegion, digits: &[u8], plus: bool) -> bool {
    let n = digits.len();
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&n) {
        return false;
    }
    if plus || digits.starts_with(b"00") || (region.is_nanp() && digits.starts_with(b"011")) {
        return true;
    }
    if region.is_nanp() {
        n == 10 || (n == 11 && digits.starts_with(b"1"))
    } else {
        n <= 13
    }
}

/// The name of the `index`-th region of a country code in the metadata (`"US"`, `"CA"`,
/// `"001"` for the non-geographic codes).
fn region_name(code: u16, index: u8) -> String {
    DATABASE
        .region(&code)
        .and_then(|regions| regions.get(usize::from(index)).map(|r| r.to_string()))
        .unwrap_or_default()
}

/// Words that, just before a number, say it is a service's line (a site's support or abuse
/// line, a verification or ad-posting service), not the contact of the person advertised.
const SERVICE_CUES: &[&str] = &[
    "support",
    "abuse",
    "report",
    "verification",
    "verify",
    "advertise",
    "advertising",
    "customer service",
    "help desk",
    "helpdesk",
    "webmaster",
    "billing",
];

/// Whether the text just before a number (its own line or sentence, at most 60 characters)
/// names a service.
fn is_service_line(before: &str) -> bool {
    // Only the last 61 bytes are searched for the separator, not the whole text before: one
    // further back leaves a clause over 60 bytes, cut below to the same last 60 bytes as with
    // no separator at all. (The separators are ASCII, so a byte search finds them.)
    let window = before.len().saturating_sub(61);
    let start = before.as_bytes()[window..]
        .iter()
        .rposition(|b| matches!(b, b'\n' | b'.' | b'!' | b'?' | b'|'))
        .map_or(0, |i| window + i + 1);
    let mut clause = &before[start..];
    if clause.len() > 60 {
        let mut cut = clause.len() - 60;
        while !clause.is_char_boundary(cut) {
            cut += 1;
        }
        clause = &clause[cut..];
    }
    if clause.is_ascii() {
        ascii_clause_names_service(clause.as_bytes())
    } else {
        clause_names_service(clause)
    }
}

/// Does the clause hold a service cue as a whole word? The general form, kept for non-ASCII
/// text: Unicode lower-casing can turn other letters into ASCII ones (the Kelvin sign into
/// `k`).
fn clause_names_service(clause: &str) -> bool {
    let clause = clause.to_lowercase();
    SERVICE_CUES.iter().any(|cue| {
        clause.match_indices(cue).any(|(i, _)| {
            // Whole words only: "supportive" is not a cue.
            let before_ok = clause[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after = &clause[i + cue.len()..];
            let after_ok = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
            before_ok && after_ok
        })
    })
}

/// [`is_service_line`] for an ASCII clause, without allocating a lower-cased copy or building
/// a substring searcher per cue (this runs for every phone found). On ASCII, `to_lowercase` is
/// `to_ascii_lowercase` and `is_alphanumeric` is `is_ascii_alphanumeric`; and since no cue
/// overlaps itself (tested), checking every position finds the same whole-word occurrences
/// as `match_indices`.
///
/// Cues are only tried where a word starts, which is the "whole words" rule's left half.
fn ascii_clause_names_service(clause: &[u8]) -> bool {
    let is_word_byte = |at: usize| clause.get(at).is_some_and(u8::is_ascii_alphanumeric);
    (0..clause.len()).any(|i| {
        let word_start = i == 0 || !is_word_byte(i - 1);
        let first = clause[i].to_ascii_lowercase();
        word_start
            && SERVICE_CUES.iter().any(|cue| {
                let cue = cue.as_bytes();
                // The first letter alone rules out most cues.
                cue[0] == first
                    && clause
                        .get(i..i + cue.len())
                        .is_some_and(|word| word.eq_ignore_ascii_case(cue))
                    && !is_word_byte(i + cue.len())
            })
    })
}

/// The one place `phonenumber` is called. `input` has already been checked to be 7-17 ASCII
/// digits, optionally after one `+`, and `region` to have metadata, which keeps clear of every
/// panic reported against the crate. `catch_unwind` is only a last line of defence in case a
/// future metadata update brings a new one: a panic there means "not a valid number" rather
/// than a lost ad. (Under `panic = "abort"` it has no effect; the fuzz target `phones` checks
/// this wrapper with panics made fatal.)
///
/// `phonenumber` parses (country code, trunk prefix, national number); validity is checked
/// by [`is_valid_national`] with the same metadata, because the crate's own `is_valid` walks
/// every region of a shared country code through a 100-entry regex LRU cache that the 25
/// NANP regions overflow, recompiling large regexes on every call (about 0.5 ms a number).
fn call_phonenumber(input: &str, region: Option<Id>) -> Option<(String, u16, u8)> {
    let body = input.strip_prefix('+').unwrap_or(input);
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&body.len()) || !body.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if let Some(id) = region
        && DATABASE.by_id(id.as_ref()).is_none()
    {
        return None;
    }
    // NANP numbers have one fixed layout ([1] + ten digits, no other trunk prefix): read the
    // national number directly and check it against the metadata, without the parser.
    if let Some(national) = nanp_national(body, input.starts_with('+'), region) {
        return is_valid_national(1, national).map(|index| (format!("+1{national}"), 1, index));
    }
    // For "+CC..." give `phonenumber` the country code's main region, which spares it the
    // same slow region search (a region only guides national-prefix handling here).
    let region = region.or_else(|| main_region_for(body));
    catch_unwind(AssertUnwindSafe(|| {
        let number = phonenumber::parse(region, input).ok()?;
        let code = number.code().value();
        let national = number.national().to_string();
        let index = is_valid_national(code, &national)?;
        let e164 = format!("+{code}{national}");
        let valid_shape =
            (8..=16).contains(&e164.len()) && e164[1..].bytes().all(|b| b.is_ascii_digit());
        valid_shape.then_some((e164, code, index))
    }))
    .ok()
    .flatten()
}

/// The ten-digit national number of a NANP number written as `+1NXXNXXXXXX`, or as
/// `[1]NXXNXXXXXX` with a NANP default region; `None` for anything else.
fn nanp_national(body: &str, plus: bool, region: Option<Id>) -> Option<&str> {
    let national = if plus {
        body.strip_prefix('1')?
    } else {
        let region = region?;
        if DATABASE.by_id(region.as_ref())?.country_code() != 1 {
            return None;
        }
        if body.len() == 11 {
            body.strip_prefix('1')?
        } else {
            body
        }
    };
    let d = national.as_bytes();
    (d.len() == 10 && d[0] >= b'2' && d[3] >= b'2').then_some(national)
}

/// The main region of the country code that `digits` (written after a `+`) starts with.
fn main_region_for(digits: &str) -> Option<Id> {
    (1..=3).find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        let main = DATABASE.by_code(&code)?.into_iter().next()?;
        main.id().parse().ok()
    })
}

/// One "national number" pattern of the metadata, compiled once.
struct NumberPattern {
    regex: regex::Regex,
    possible_lengths: Vec<u16>,
}

impl NumberPattern {
    fn compile(descriptor: &phonenumber::metadata::Descriptor) -> Option<NumberPattern> {
        Some(NumberPattern {
            regex: compile_metadata_regex(descriptor.national_number().as_str())?,
            possible_lengths: descriptor.possible_length().to_vec(),
        })
    }

    /// Same rule as `phonenumber`'s `Descriptor::is_match` (a match starting at 0; the regex
    /// is compiled anchored, which is equivalent and much faster).
    fn matches(&self, national: &str) -> bool {
        let length_ok = self.possible_lengths.is_empty()
            || u16::try_from(national.len()).is_ok_and(|n| self.possible_lengths.contains(&n));
        length_ok && self.regex.is_match(national)
    }
}

/// Compile a metadata pattern (written for whitespace-insensitive mode, as `phonenumber`
/// compiles it) anchored at the start: "some match starts at 0" is then `is_match`.
///
/// The patterns only ever see national numbers made of ASCII digits, so they are compiled
/// without Unicode classes: Unicode `\d` (hundreds of ranges) made compiling the rules of one
/// country code cost tens of milliseconds, paid inside the first extraction that met it. On
/// ASCII digits both forms match the same strings. A pattern that needs Unicode mode to
/// compile at all falls back to it.
fn compile_metadata_regex(pattern: &str) -> Option<regex::Regex> {
    // The line break ends any `#` comment before the closing bracket.
    let anchored = format!("^(?:{pattern}\n)");
    let build = |unicode: bool| {
        regex::RegexBuilder::new(&anchored)
            .ignore_whitespace(true)
            .unicode(unicode)
            .build()
            .ok()
    };
    build(false).or_else(|| build(true))
}

/// The validity rules of one region.
struct RegionPatterns {
    general: NumberPattern,
    /// Premium, toll-free, shared-cost, VoIP, personal, pager, UAN, voicemail, fixed, mobile.
    types: Vec<NumberPattern>,
}

impl RegionPatterns {
    fn compile(meta: &phonenumber::Metadata) -> Option<RegionPatterns> {
        let d = meta.descriptors();
        let types = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ];
        Some(RegionPatterns {
            general: NumberPattern::compile(d.general())?,
            types: types
                .into_iter()
                .flatten()
                .map(NumberPattern::compile)
                .collect::<Option<Vec<_>>>()?,
        })
    }

    /// `phonenumber`'s `number_type(..) != Unknown`.
    fn has_type(&self, national: &str) -> bool {
        self.general.matches(national) && self.types.iter().any(|t| t.matches(national))
    }
}

/// The rules of one region of a country code, compiled when first needed: most numbers of
/// a shared code are settled by its first region or by the leading digits of a few (`+1`
/// has 25 regions of about a dozen patterns each, and an ad meets one or two of them), so
/// compiling every region the first time the code is seen cost far more than the look-ups.
struct LazyRegion {
    meta: &'static phonenumber::Metadata,
    /// The region's leading-digits pattern (`None` inside when it has none).
    leading_digits: std::sync::OnceLock<Option<Option<regex::Regex>>>,
    patterns: std::sync::OnceLock<Option<RegionPatterns>>,
}

impl LazyRegion {
    fn new(meta: &'static phonenumber::Metadata) -> LazyRegion {
        LazyRegion {
            meta,
            leading_digits: std::sync::OnceLock::new(),
            patterns: std::sync::OnceLock::new(),
        }
    }

    /// The leading-digits pattern: `Some(None)` when the region has none, `None` when it
    /// does not compile.
    fn leading_digits(&self) -> Option<&Option<regex::Regex>> {
        self.leading_digits
            .get_or_init(|| match self.meta.leading_digits() {
                Some(pattern) => compile_metadata_regex(pattern.as_str()).map(Some),
                None => Some(None),
            })
            .as_ref()
    }

    fn patterns(&self) -> Option<&RegionPatterns> {
        self.patterns
            .get_or_init(|| RegionPatterns::compile(self.meta))
            .as_ref()
    }
}

/// Every region sharing a country code, in the metadata's order, each compiled lazily.
fn country_patterns(code: u16) -> Option<std::sync::Arc<Vec<LazyRegion>>> {
    use std::collections::HashMap;
    use std::sync::{Arc, OnceLock, RwLock};
    type Compiled = HashMap<u16, Option<Arc<Vec<LazyRegion>>>>;
    static COMPILED: OnceLock<RwLock<Compiled>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| RwLock::new(HashMap::new()));
    if let Ok(read) = compiled.read()
        && let Some(hit) = read.get(&code)
    {
        return hit.clone();
    }
    let fresh = DATABASE.region(&code).and_then(|regions| {
        regions
            .iter()
            .map(|region| {
                let meta = if *region == "001" {
                    DATABASE.by_code(&code)?.into_iter().next()?
                } else {
                    DATABASE.by_id(*region)?
                };
                Some(LazyRegion::new(meta))
            })
            .collect::<Option<Vec<_>>>()
            .map(Arc::new)
    });
    if let Ok(mut write) = compiled.write() {
        write.entry(code).or_insert_with(|| fresh.clone());
    }
    fresh
}

/// `phonenumber::is_valid` for a country code and national significant number, with the
/// same region selection (`validator::source_for`) and type rules. A valid number gives the
/// index of the region (among the code's, in metadata order) it is valid in.
fn is_valid_national(code: u16, national: &str) -> Option<u8> {
    let regions = country_patterns(code)?;
    if regions.len() == 1 {
        return regions[0].patterns()?.has_type(national).then_some(0);
    }
    for (index, region) in regions.iter().enumerate() {
        let index = u8::try_from(index).ok()?;
        match region.leading_digits()? {
            Some(leading) => {
                if leading.is_match(national) {
                    return region.patterns()?.has_type(national).then_some(index);
                }
            }
            None => {
                if region.patterns()?.has_type(national) {
                    return Some(index);
                }
            }
        }
    }
    None
}

/// What is handed to `phonenumber`: `+` and `body` without a region, or `body` (the digits as
/// written) with the default region. Kept as a slice so no string is built unless
/// `phonenumber` is actually called.
#[derive(Clone, Copy)]
struct PhonenumberInput<'a> {
    region: Option<Id>,
    /// 7-17 ASCII digits (checked by `validate_digits`).
    body: &'a [u8],
}

impl PhonenumberInput<'_> {
    /// Is this a NANP number: `+1...`, or national digits with a NANP default region?
    fn is_nanp(&self, region_is_nanp: bool) -> bool {
        match self.region {
            None => self.body.starts_with(b"1"),
            Some(_) => region_is_nanp,
        }
    }

    /// The digits after a written `+1` (all of them for a national number).
    fn nanp_digits(&self) -> &[u8] {
        match self.region {
            None => self.body.strip_prefix(b"1").unwrap_or(self.body),
            Some(_) => self.body,
        }
    }

    /// The string `phonenumber` parses.
    fn to_input_string(self) -> String {
        let plus = self.region.is_none().then_some('+');
        plus.into_iter()
            .chain(self.body.iter().map(|&b| char::from(b)))
            .collect()
    }

    /// The cache key: region and digits, the digits as their length and value (at most 17
    /// digits fit in a `u64`; the length keeps leading zeros apart).
    fn key(&self) -> CallKey {
        let value = self.body.iter().fold(0u64, |v, &b| {
            v.wrapping_mul(10)
                .wrapping_add(u64::from(b.wrapping_sub(b'0')))
        });
        CallKey {
            region: self.region,
            len: self.body.len(),
            value,
        }
    }
}

/// A `phonenumber` call as a cache key; the region being `None` means the input had a `+`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct CallKey {
    region: Option<Id>,
    len: usize,
    value: u64,
}

/// An E.164 number ("+19195550123") held inline. `call_phonenumber` only returns 8-16
/// characters, `+` and ASCII digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct E164 {
    buf: [u8; 16],
    len: u8,
}

impl E164 {
    fn new(e164: &str) -> Option<E164> {
        let mut buf = [0; 16];
        buf.get_mut(..e164.len())?.copy_from_slice(e164.as_bytes());
        Some(E164 {
            buf,
            len: u8::try_from(e164.len()).ok()?,
        })
    }

    fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// The number as a `String` (ASCII: each byte is its own character).
    fn to_e164_string(self) -> String {
        let mut out = String::with_capacity(self.len());
        out.extend(self.buf[..self.len()].iter().map(|&b| char::from(b)));
        out
    }
}

/// A multiply-rotate hash for the cache keys (a region and two integers): the standard
/// SipHash cost more than the look-up itself. No adversary chooses these keys to any
/// effect: the cache is bounded and cleared when full.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Results of recent `phonenumber` calls on this thread: the same numbers recur across the
/// ads of one network, and a call costs microseconds. Cleared when full.
fn cached_call_phonenumber(input: PhonenumberInput<'_>) -> Option<(E164, u16, u8)> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::hash::BuildHasherDefault;
    const CAPACITY: usize = 4096;
    type Answer = Option<(E164, u16, u8)>;
    type Cache = HashMap<CallKey, Answer, BuildHasherDefault<KeyHasher>>;
    thread_local! {
        static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
    }
    let key = input.key();
    if let Some(hit) = CACHE.with(|cache| cache.borrow().get(&key).copied()) {
        return hit;
    }
    let result = call_phonenumber(&input.to_input_string(), input.region)
        .and_then(|(e164, code, index)| Some((E164::new(&e164)?, code, index)));
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(key, result);
    });
    result
}

/// NANP numbers are `[1] NXX NXX XXXX` with N in 2-9: reject other shapes without asking
/// `phonenumber` (most digit runs in ads fail here, cheaply). `digits` are those after any
/// written `+1`.
fn nanp_shape_ok(digits: &[u8]) -> bool {
    let d = if digits.len() == 11 {
        digits.strip_prefix(b"1").unwrap_or(digits)
    } else {
        digits
    };
    d.len() == 10 && d[0] >= b'2' && d[3] >= b'2'
}

fn decimal_len(mut n: u16) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// A numeral must not straddle the boundaries between international prefix, country code
/// and (for NANP numbers) area code, exchange and line number, unless it covers whole parts.
/// "12/25/2019 919..." would otherwise read as +1 225-201-99...; the real number is found.
fn numerals_respect_structure(
    numerals: &[Range<usize>],
    valid: &ValidNumber,
    total: usize,
) -> bool {
    // At most six boundaries: kept in an array (this runs for every valid candidate).
    let mut boundaries = [0; 6];
    let mut count = 0;
    let mut add = |b: usize| {
        boundaries[count] = b;
        count += 1;
    };
    add(0);
    add(total);
    if valid.idd_digits > 0 {
        add(valid.idd_digits);
    }
    let national_start = valid.prefix_digits;
    add(national_start);
    if valid.country_code == 1 && total >= national_start + 10 {
        add(national_start + 3);
        add(national_start + 6);
    }
    let boundaries = &boundaries[..count];
    numerals.iter().all(|r| {
        let aligned = boundaries.contains(&r.start) && boundaries.contains(&r.end);
        let inside_one_part = !boundaries.iter().any(|&b| r.start < b && b < r.end);
        aligned || inside_one_part
    })
}

/// A number in unusual groups that makes up a whole run ("21 457 38 821", "9 175248830",
/// "619-66-48-870", "212 twenty-one 2000 0"), with no separator of a date or time (`/`,
/// `:`) anywhere. Numerals alone must be at most five groups with the same separator between
/// every two; with number words among them the words already say it is a written-out
/// number. A run that is only such a number has no other reading; dates and measurements
/// next to a number make a longer run and stay guarded.
fn unusual_grouping(text: &str, tokens: &[Token]) -> bool {
    let numerals = tokens
        .iter()
        .filter(|t| matches!(t.kind, Kind::Numeral { .. }))
        .count();
    let gaps: Vec<&str> = tokens
        .windows(2)
        .map(|w| &text[w[0].end..w[1].start])
        .collect();
    if gaps.iter().any(|g| g.contains(['/', ':'])) {
        return false;
    }
    if numerals < tokens.len() {
        return true;
    }
    (2..=5).contains(&numerals) && gaps.iter().all(|g| g == &gaps[0] && !g.is_empty())
}

/// A candidate's digits and the digit ranges of its numerals, on the stack: at most
/// `MAX_DIGITS` digits, and every numeral has at least one.
struct SpelledOut {
    digits: [u8; MAX_DIGITS],
    len: usize,
    numerals: [Range<usize>; MAX_DIGITS],
    numeral_count: usize,
}

impl SpelledOut {
    fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }

    fn numerals(&self) -> &[Range<usize>] {
        &self.numerals[..self.numeral_count]
    }

    /// Append digits; `None` (the candidate is too long) past `MAX_DIGITS`.
    fn push(&mut self, digits: &[u8]) -> Option<()> {
        let end = self.len + digits.len();
        self.digits.get_mut(self.len..end)?.copy_from_slice(digits);
        self.len = end;
        Some(())
    }
}

/// The digit string of a candidate and the digit ranges of its numerals; `None` past
/// `MAX_DIGITS` digits.
fn spell_out(text: &str, tokens: &[Token]) -> Option<SpelledOut> {
    let mut out = SpelledOut {
        digits: [0; MAX_DIGITS],
        len: 0,
        numerals: std::array::from_fn(|_| 0..0),
        numeral_count: 0,
    };
    for (index, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Repeat(times) => {
                let next = tokens.get(index + 1)?;
                let first_digit = *next.digits(text).as_bytes().first()?;
                for _ in 1..times {
                    out.push(&[first_digit])?;
                }
            }
            Kind::Numeral { tail, .. } => {
                let start = out.len;
                out.push(token.digits(text).as_bytes())?;
                // A numeral glued to a number word ("7eight68017three90", "9ine") is part of
                // one written chunk, not a date or measurement standing next to a number:
                // the structure guard is for numerals standing apart.
                let glued_to_word = tail
                    || index
                        .checked_sub(1)
                        .and_then(|p| tokens.get(p))
                        .is_some_and(|p| p.end == token.start && p.is_spelled_or_letter())
                    || tokens
                        .get(index + 1)
                        .is_some_and(|n| n.start == token.end && n.is_spelled_or_letter());
                if !glued_to_word {
                    // Every numeral holds a digit, so there are never more than MAX_DIGITS.
                    *out.numerals.get_mut(out.numeral_count)? = start..out.len;
                    out.numeral_count += 1;
                }
            }
            Kind::Word(_) | Kind::Letter(_) | Kind::Cardinal { .. } => {
                out.push(token.digits(text).as_bytes())?
            }
            // Left over only where no number stands before a scale word or after a tens
            // word could not be read: such a candidate is not a number.
            Kind::Tens(_) | Kind::Scale(_) => return None,
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Tokens.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// ASCII digits; `digits_end` is where the digits stop and `tail` says a spelled ending
    /// follows ("9ine": the digits are "9", the token ends after "ine").
    Numeral { digits_end: usize, tail: bool },
    /// A number word ("nine", "ten", "oh").
    Word(&'static str),
    /// A letter standing for a digit (`o`/`O` → 0, `l`/`I` → 1).
    Letter(&'static str),
    /// "double" / "triple": repeat the next token's first digit.
    Repeat(usize),
    /// "twenty" ... "ninety": the tens digit, read with what follows by
    /// [`resolve_cardinals`].
    Tens(u8),
    /// "hundred" / "thousand", read with the numbers around it by [`resolve_cardinals`].
    Scale(u16),
    /// A spelled cardinal made of several words ("twenty six", "nine hundred",
    /// "2 thousand"): its digits, ASCII.
    Cardinal {
        digits: [u8; CARDINAL_DIGITS],
        len: u8,
    },
}

/// Most digits a spelled cardinal can give ("ninety nine thousand nine hundred ninety nine").
const CARDINAL_DIGITS: usize = 6;

/// One digit token in the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token {
    start: usize,
    end: usize,
    kind: Kind,
    /// A `+` stands right before the token (international number).
    plus_before: bool,
    /// A letter standing alone for a digit ("5.5.o.1"): only a digit between other digit
    /// tokens, never at either end of a number.
    weak: bool,
}

impl Token {
    fn digits<'a>(&'a self, text: &'a str) -> &'a str {
        match &self.kind {
            Kind::Numeral { digits_end, .. } => &text[self.start..*digits_end],
            Kind::Word(d) | Kind::Letter(d) => d,
            Kind::Cardinal { digits, len } => {
                std::str::from_utf8(&digits[..usize::from(*len)]).unwrap_or("")
            }
            Kind::Repeat(_) | Kind::Tens(_) | Kind::Scale(_) => "",
        }
    }

    /// Digits this token contributes, counting a repeat as one extra digit (an estimate
    /// used only to bound the search).
    fn digit_count(&self, text: &str) -> usize {
        match self.kind {
            Kind::Repeat(times) => times - 1,
            // "twenty" alone is two digits, with a unit after it one (with the unit's one).
            Kind::Tens(_) => 2,
            // "hundred" adds two digits to the number before it, "thousand" three.
            Kind::Scale(scale) => {
                if scale >= 1000 {
                    3
                } else {
                    2
                }
            }
            _ => self.digits(text).len(),
        }
    }

    fn is_spelled_or_letter(&self) -> bool {
        !matches!(self.kind, Kind::Numeral { .. })
    }
}

const DIGIT_WORDS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// One piece of a letter run read as digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spelled {
    Word(&'static str),
    Letter(&'static str),
    Repeat(usize),
    Tens(u8),
    Scale(u16),
    /// The rest of the word of the digit written just before ("9" + "ine").
    Tail,
}

/// Words that sound like a digit ("to", "for", "ate", "won"). Only ever read as the digit
/// inside a run that is otherwise a number (see [`Token::weak`]): "for two hours" stays prose.
const HOMOPHONES: [(&str, &str); 6] = [
    ("to", "2"),
    ("too", "2"),
    ("for", "4"),
    ("fore", "4"),
    ("ate", "8"),
    ("won", "1"),
];

/// The pieces a letter run can be read as, other than single letters and a tail, in the
/// order [`read_spelled`] tries them.
const SPELLINGS: [(&str, Spelled); 34] = [
    ("zero", Spelled::Word("0")),
    ("oh", Spelled::Word("0")),
    ("one", Spelled::Word("1")),
    ("two", Spelled::Word("2")),
    ("three", Spelled::Word("3")),
    ("four", Spelled::Word("4")),
    ("five", Spelled::Word("5")),
    ("six", Spelled::Word("6")),
    ("seven", Spelled::Word("7")),
    ("eight", Spelled::Word("8")),
    ("nine", Spelled::Word("9")),
    ("ten", Spelled::Word("10")),
    ("eleven", Spelled::Word("11")),
    ("twelve", Spelled::Word("12")),
    ("thirteen", Spelled::Word("13")),
    ("fourteen", Spelled::Word("14")),
    ("fifteen", Spelled::Word("15")),
    ("sixteen", Spelled::Word("16")),
    ("seventeen", Spelled::Word("17")),
    ("eighteen", Spelled::Word("18")),
    ("nineteen", Spelled::Word("19")),
    ("twenty", Spelled::Tens(2)),
    ("thirty", Spelled::Tens(3)),
    ("forty", Spelled::Tens(4)),
    ("fourty", Spelled::Tens(4)),
    ("fifty", Spelled::Tens(5)),
    ("sixty", Spelled::Tens(6)),
    ("seventy", Spelled::Tens(7)),
    ("eighty", Spelled::Tens(8)),
    ("ninety", Spelled::Tens(9)),
    ("hundred", Spelled::Scale(100)),
    ("thousand", Spelled::Scale(1000)),
    ("double", Spelled::Repeat(2)),
    ("triple", Spelled::Repeat(3)),
];

/// Letters (either case) found in some piece of a spelled number: a word of [`SPELLINGS`],
/// `o`/`O`, `l`/`I`, or a tail (part of a number word). A letter run with any other letter
/// (most words: every `a`, `c`, `j`, `k`, `m`, `q`, `y`) has no reading, and one table
/// look-up per letter rejects it before the reading is searched for.
static SPELLING_LETTERS: [bool; 256] = spelling_letters(LetterPlace::Any);

/// Letters a spelling can start with and end with (either case): a letter run that starts
/// or ends otherwise has no reading (unless a digit before it starts a tail, "9ine").
static FIRST_LETTERS: [bool; 256] = spelling_letters(LetterPlace::First);
static LAST_LETTERS: [bool; 256] = spelling_letters(LetterPlace::Last);

/// For each byte, the spellings of [`SPELLINGS`] whose first letter it is (either case), as
/// a bit set of their indices: `read_spelled` tries only those at each position.
static SPELLINGS_BY_FIRST_LETTER: [u64; 256] = spellings_by_first_letter();

const fn spellings_by_first_letter() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut index = 0;
    while index < SPELLINGS.len() {
        let first = SPELLINGS[index].0.as_bytes()[0];
        table[first.to_ascii_lowercase() as usize] |= 1 << index;
        table[first.to_ascii_uppercase() as usize] |= 1 << index;
        index += 1;
    }
    table
}

// The bit set above holds one bit per spelling.
const _: () = assert!(SPELLINGS.len() <= 64);

#[derive(Clone, Copy, PartialEq, Eq)]
enum LetterPlace {
    Any,
    First,
    Last,
}

const fn spelling_letters(place: LetterPlace) -> [bool; 256] {
    let mut table = [false; 256];
    let mut w = 0;
    let count = SPELLINGS.len() + HOMOPHONES.len();
    while w < count {
        let word = if w < SPELLINGS.len() {
            SPELLINGS[w].0.as_bytes()
        } else {
            HOMOPHONES[w - SPELLINGS.len()].0.as_bytes()
        };
        let mut i = 0;
        while i < word.len() {
            let wanted = match place {
                LetterPlace::Any => true,
                LetterPlace::First => i == 0,
                LetterPlace::Last => i == word.len() - 1,
            };
            if wanted {
                table[word[i].to_ascii_lowercase() as usize] = true;
                table[word[i].to_ascii_uppercase() as usize] = true;
            }
            i += 1;
        }
        w += 1;
    }
    // Letters standing for digits: `o`/`O` for 0, `l` and capital `I` for 1.
    table[b'o' as usize] = true;
    table[b'O' as usize] = true;
    table[b'l' as usize] = true;
    table[b'I' as usize] = true;
    table
}

/// One cell of [`read_spelled`]'s table, in four bytes so the table fits on the stack and
/// costs next to nothing to set up (it is set up for many ordinary words).
#[derive(Clone, Copy)]
struct Step {
    /// Letters used as digits in the cheapest reading found so far.
    cost: u8,
    pieces: u8,
    /// Where the last piece starts.
    from: u8,
    /// The last piece: an index into [`SPELLINGS`], or one of the `STEP_*` values.
    piece: u8,
}

const STEP_UNREACHED: u8 = u8::MAX;
const STEP_LETTER_ZERO: u8 = SPELLINGS.len() as u8;
const STEP_LETTER_ONE: u8 = STEP_LETTER_ZERO + 1;
const STEP_TAIL: u8 = STEP_LETTER_ZERO + 2;

impl Step {
    const UNREACHED: Step = Step {
        cost: 0,
        pieces: 0,
        from: 0,
        piece: STEP_UNREACHED,
    };

    fn reached(self) -> bool {
        self.piece != STEP_UNREACHED
    }

    fn spelled(self) -> Spelled {
        match self.piece {
            STEP_LETTER_ZERO => Spelled::Letter("0"),
            STEP_LETTER_ONE => Spelled::Letter("1"),
            STEP_TAIL => Spelled::Tail,
            index => SPELLINGS[usize::from(index)].1,
        }
    }
}

/// Read a run of ASCII letters as digits, if all of it can be. `digit_before` is the digit
/// glued to its left, `digit_after` says a digit is glued to its right.
fn read_spelled(word: &str, digit_before: Option<u8>, digit_after: bool) -> Option<SpelledRun> {
    let bytes = word.as_bytes();
    let n = bytes.len();
    if n == 0 || n > MAX_SPELLED_RUN {
        return None;
    }
    // Cheap rejection: a letter that occurs in no number word.
    if !bytes.iter().all(|&b| SPELLING_LETTERS[usize::from(b)]) {
        return None;
    }
    // A word that sounds like a digit: only ever a weak digit (see `HOMOPHONES`).
    if let Some((_, digit)) = HOMOPHONES
        .iter()
        .find(|(h, _)| h.len() == n && h.as_bytes().eq_ignore_ascii_case(bytes))
    {
        return Some(SpelledRun {
            pieces: vec![(0..n, Spelled::Word(digit))],
            weak: true,
        });
    }
    // Every reading starts and ends with a piece: a word can only start with a first letter
    // of one (unless it continues a digit, "9ine") and must end with a last letter of one.
    let starts_ok = digit_before.is_some() || FIRST_LETTERS[usize::from(bytes[0])];
    let ends_ok = LAST_LETTERS[usize::from(bytes[n - 1])];
    if !starts_ok || !ends_ok {
        return None;
    }
    // best[i]: the cheapest reading of bytes[..i] (fewest letters used as digits, then fewest
    // pieces; the first found wins a tie). Positions fit in a byte: n <= MAX_SPELLED_RUN.
    let mut best = [Step::UNREACHED; MAX_SPELLED_RUN + 1];
    best[0] = Step {
        cost: 0,
        pieces: 0,
        from: 0,
        piece: STEP_TAIL,
    };
    for i in 0..n {
        let here = best[i];
        if !here.reached() {
            continue;
        }
        let mut offer = |len: usize, piece: u8, extra_cost: u8| {
            let j = i + len;
            let candidate = Step {
                cost: here.cost + extra_cost,
                pieces: here.pieces + 1,
                from: i as u8,
                piece,
            };
            let there = best[j];
            if !there.reached() || (candidate.cost, candidate.pieces) < (there.cost, there.pieces) {
                best[j] = candidate;
            }
        };
        let rest = &bytes[i..];
        // Only the spellings that start with this letter, in `SPELLINGS` order (the order
        // decides ties): most letters start none or a few of the 34.
        let mut starting_here = SPELLINGS_BY_FIRST_LETTER[usize::from(rest[0])];
        while starting_here != 0 {
            let index = starting_here.trailing_zeros() as usize;
            starting_here &= starting_here - 1;
            let spelling = SPELLINGS[index].0.as_bytes();
            if rest.len() >= spelling.len() && rest[..spelling.len()].eq_ignore_ascii_case(spelling)
            {
                offer(spelling.len(), index as u8, 0);
            }
        }
        match rest[0] {
            b'o' | b'O' => offer(1, STEP_LETTER_ZERO, 1),
            b'l' | b'I' => offer(1, STEP_LETTER_ONE, 1),
            _ => {}
        }
        if i == 0
            && let Some(d) = digit_before
        {
            let tail = &DIGIT_WORDS[usize::from(d)].as_bytes()[1..];
            if rest.len() >= tail.len() && rest[..tail.len()].eq_ignore_ascii_case(tail) {
                offer(tail.len(), STEP_TAIL, 0);
            }
        }
    }
    if !best[n].reached() {
        return None;
    }
    let mut pieces = Vec::new();
    let mut at = n;
    while at > 0 {
        let step = best[at];
        let from = usize::from(step.from);
        pieces.push((from..at, step.spelled()));
        at = from;
    }
    pieces.reverse();
    // Letters alone ("lol", "I", "Oo") are only sure digits when glued to a digit ("o2",
    // "1oO"); a short standalone one may still sit between digits ("5.5.o.1").
    let letters_only = pieces.iter().all(|(_, p)| matches!(p, Spelled::Letter(_)));
    let weak = letters_only && digit_before.is_none() && !digit_after;
    if weak && n > 2 {
        return None;
    }
    Some(SpelledRun { pieces, weak })
}

/// A letter run read as digits.
struct SpelledRun {
    pieces: Vec<(Range<usize>, Spelled)>,
    /// Only letters standing for digits, not glued to a digit.
    weak: bool,
}

fn is_currency(c: char) -> bool {
    matches!(
        c,
        '$' | '£' | '€' | '¥' | '¢' | '₹' | '₱' | '₽' | '₩' | '₪' | '₫' | '₦'
    )
}

/// Does a numeral at `start..end` look like a price ("$200", "140$", "200 $")?
///
/// A sign counts right next to the numeral or one space away; past two spaces it cannot, so
/// only two bytes on each side are looked at before any character is decoded.
fn is_price(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let before = match (
        start.checked_sub(1).map(|p| bytes[p]),
        start.checked_sub(2).map(|p| bytes[p]),
    ) {
        (Some(b' '), Some(b' ')) => None,
        (Some(b' '), _) => Some(start - 1),
        _ => Some(start),
    };
    let after = match (bytes.get(end), bytes.get(end + 1)) {
        (Some(b' '), Some(b' ')) => None,
        (Some(b' '), _) => Some(end + 1),
        _ => Some(end),
    };
    // A `$` glued between digits on both sides separates the groups of a number
    // ("702$719$4455"); a price has digits on one side only.
    // A `$` before a letter is a cash tag ("919-555-0123 $AngelsF5"), not a price.
    let sign_at = |at: usize| {
        text[at..].chars().next().is_some_and(is_currency)
            && !(bytes[at] == b'$' && bytes.get(at + 1).is_some_and(u8::is_ascii_alphabetic))
    };
    let separator_sign = |at: usize| bytes[at] == b'$' && between_digits(bytes, at);
    before.is_some_and(|at| {
        text[..at].chars().next_back().is_some_and(is_currency)
            && !(at == start && start > 0 && separator_sign(start - 1))
    }) || after.is_some_and(|at| {
        (sign_at(at) && !(at == end && separator_sign(at))) || text[at..].starts_with('%')
    })
}

/// Is the byte at `at` glued between two ASCII digits?
fn between_digits(bytes: &[u8], at: usize) -> bool {
    at > 0 && bytes[at - 1].is_ascii_digit() && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
}

/// Is the number the file name of a page in a URL ("/ths/4321545635.html")? Sites name ad
/// pages by their ad id; a phone in a URL is written in a slug ("/832-756-0584/").
fn is_page_name(text: &str, tokens: &[Token]) -> bool {
    let [only] = tokens else {
        return false;
    };
    let before = text[..only.start].ends_with('/');
    let after = text.as_bytes()[only.end..]
        .get(..4)
        .is_some_and(|ext| ext.eq_ignore_ascii_case(b".htm"));
    before && after
}

/// Words after which a number is an identifier, not a phone.
fn preceded_by_identifier_word(text: &str, start: usize) -> bool {
    const IDENTIFIER_WORDS: &[&str] = &[
        "id",
        "ref",
        "reference",
        "order",
        "invoice",
        "isbn",
        "sku",
        "zip",
        "zipcode",
        "postcode",
        "posting",
        "post",
        "ad",
        "item",
        "ticket",
        "tracking",
        "account",
        "acct",
        "case",
        "reg",
        "license",
        "licence",
        "serial",
    ];
    let before = &text[..start];
    let trimmed = before.trim_end_matches(|c: char| !c.is_alphanumeric());
    if before.len() - trimmed.len() > 3 {
        return false;
    }
    let word_start = trimmed
        .rfind(|c: char| !c.is_ascii_alphabetic())
        // Step past the whole character found: it may be several bytes long.
        .map_or(0, |p| {
            p + trimmed[p..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &trimmed[word_start..];
    !word.is_empty()
        && IDENTIFIER_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(word))
}

/// Split normalised text into runs of digit tokens and hand each to `on_run`, in text order.
/// Runs are handed over as they end rather than collected: one token buffer serves the
/// whole text instead of a vector per run.
fn for_each_run(text: &str, mut on_run: impl FnMut(&[Token])) {
    let bytes = text.as_bytes();
    let mut current: Vec<Token> = Vec::new();
    let mut hand_over = |current: &mut Vec<Token>| {
        resolve_cardinals(text, current);
        while !current.is_empty() && !may_end_number(current) {
            current.pop();
        }
        if !current.is_empty() {
            on_run(current);
            current.clear();
        }
    };
    // Most calls come between ordinary words with no run open: a small closure the compiler
    // inlines, so those cost a comparison rather than a call.
    let mut end_run = |current: &mut Vec<Token>| {
        if !current.is_empty() {
            hand_over(current);
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Spaces and punctuation do nothing here but separate tokens (the gap rules read
        // them later): one table look-up instead of the tests below.
        if PLAIN_SEPARATORS[usize::from(b)] {
            i += 1;
            continue;
        }
        // A number word with digits for some letters ("f1ve", "th0usand"): one word,
        // letters and digits mixed, standing alone.
        if b.is_ascii_alphanumeric()
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && may_be_leet(bytes, i)
            && let Some((end, piece)) = leet_word_at(bytes, i)
        {
            if !gap_allows_join(text, &current, i) {
                end_run(&mut current);
            }
            let kind = match piece {
                Spelled::Word(d) | Spelled::Letter(d) => Kind::Word(d),
                Spelled::Repeat(times) => Kind::Repeat(times),
                Spelled::Tens(tens) => Kind::Tens(tens),
                Spelled::Scale(scale) => Kind::Scale(scale),
                Spelled::Tail => Kind::Word(""),
            };
            current.push(Token {
                start: i,
                end,
                kind,
                plus_before: plus_before(text, i),
                weak: false,
            });
            i = end;
            continue;
        }
        if b.is_ascii_digit() {
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if is_price(text, i, j) {
                end_run(&mut current);
                // Skip letters glued to the price too ("80quick").
                while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                i = j;
                continue;
            }
            if !gap_allows_join(text, &current, i) {
                end_run(&mut current);
            }
            current.push(Token {
                start: i,
                end: j,
                kind: Kind::Numeral {
                    digits_end: j,
                    tail: false,
                },
                plus_before: plus_before(text, i),
                weak: false,
            });
            i = j;
            continue;
        }
        if b.is_ascii_alphabetic() {
            // Most words have a letter no number word has ("call", "me"): they only end the
            // run, and are skipped without reading them as digits (`read_spelled` would
            // reject them for that letter).
            let mut k = i;
            while k < bytes.len()
                && SPELLING_LETTERS[usize::from(bytes[k])]
                && rare_letter_fits(bytes, i, k)
            {
                k += 1;
            }
            let spellable = !bytes.get(k).is_some_and(u8::is_ascii_alphabetic);
            while k < bytes.len() && bytes[k].is_ascii_alphabetic() {
                k += 1;
            }
            if !spellable {
                if !current.is_empty() && is_glued_cue(bytes, i, k) {
                    // "919tel555call0123": a contact word glued to the digits is a separator.
                    i = k;
                    continue;
                }
                end_run(&mut current);
                i = k;
                continue;
            }
            if k == i + 1
                && bytes[i] == b'I'
                && bytes.get(k) == Some(&b'-')
                && bytes.get(k + 1).is_some_and(u8::is_ascii_digit)
            {
                // "I-80, I-74, I-55": interstate highways, not a look-alike 1 before each
                // group (a list of them read as a phone number).
                end_run(&mut current);
                i = k;
                continue;
            }
            let glued_numeral = current
                .last()
                .filter(|t| t.end == i && matches!(t.kind, Kind::Numeral { tail: false, .. }));
            let digit_before = glued_numeral.map(|_| bytes[i - 1] - b'0');
            let digit_after = bytes.get(k).is_some_and(u8::is_ascii_digit);
            // Only a non-ASCII character can be another letter here (an ASCII byte after the
            // word is not a letter, and a digit is `digit_after`): decode only then.
            let followed_by_other_letter = bytes.get(k).is_some_and(|b| !b.is_ascii())
                && text[k..].chars().next().is_some_and(char::is_alphanumeric);
            // A word glued to another script's letter is not read at all (it ends the run
            // either way).
            let spelled = if followed_by_other_letter {
                None
            } else {
                read_spelled(&text[i..k], digit_before, digit_after)
            };
            match spelled {
                Some(spelled) => {
                    let joins = gap_allows_join(text, &current, i);
                    if !joins {
                        end_run(&mut current);
                    }
                    if spelled.weak && (!joins || current.is_empty()) {
                        // A lone "o" or "I" can only continue a run, not start one.
                        i = k;
                        continue;
                    }
                    let pieces = spelled.pieces;
                    let weak = spelled.weak;
                    for (range, piece) in pieces {
                        let (start, end) = (i + range.start, i + range.end);
                        let kind = match piece {
                            Spelled::Tail => {
                                if let Some(Token {
                                    end: token_end,
                                    kind: Kind::Numeral { tail, .. },
                                    ..
                                }) = current.last_mut()
                                {
                                    *token_end = end;
                                    *tail = true;
                                }
                                continue;
                            }
                            Spelled::Word(d) => Kind::Word(d),
                            Spelled::Letter(d) => Kind::Letter(d),
                            Spelled::Repeat(times) => Kind::Repeat(times),
                            Spelled::Tens(tens) => Kind::Tens(tens),
                            Spelled::Scale(scale) => Kind::Scale(scale),
                        };
                        current.push(Token {
                            start,
                            end,
                            kind,
                            plus_before: plus_before(text, start),
                            weak,
                        });
                    }
                }
                None if !current.is_empty() && is_glued_cue(bytes, i, k) => {}
                None => end_run(&mut current),
            }
            i = k;
            continue;
        }
        if b.is_ascii() {
            // Of the ASCII bytes left (not letters or digits), only `$` and `%` end a number;
            // a `$` glued between two digits ("702$719$4455") is a separator.
            if b == b'%' || (b == b'$' && !between_digits(bytes, i)) {
                end_run(&mut current);
            }
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        // Other letters and digits (another script), currency signs and `%` end a number.
        if c.is_alphanumeric() || is_currency(c) || c == '%' {
            end_run(&mut current);
        }
        i += c.len_utf8();
    }
    end_run(&mut current);
}

/// ASCII bytes that are neither letters nor digits nor `%` or `$` (which end a number): for
/// [`for_each_run`] they only separate tokens.
static PLAIN_SEPARATORS: [bool; 256] = plain_separators();

const fn plain_separators() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0u8;
    while b < 0x80 {
        table[b as usize] = !b.is_ascii_alphanumeric() && b != b'%' && b != b'$';
        b += 1;
    }
    table
}

/// Digits written for the letters they look like inside number words ("leet").
fn leet_letter(b: u8) -> Option<u8> {
    match b {
        b'0' => Some(b'o'),
        b'1' => Some(b'i'),
        b'3' => Some(b'e'),
        b'4' => Some(b'a'),
        b'5' => Some(b's'),
        b'7' => Some(b't'),
        _ => None,
    }
}

/// `a` and `y` are in number words only as `thousand`, `ate` and the `-ty` of the tens:
/// anywhere else they end the word's chance of a reading at once, so "and", "day", "any" are
/// skipped as cheaply as before those words joined the grammar.
fn rare_letter_fits(bytes: &[u8], word_start: usize, at: usize) -> bool {
    match bytes[at] {
        b'a' | b'A' => {
            (at >= word_start + 5 && bytes[at - 5..at].eq_ignore_ascii_case(b"thous"))
                || (at == word_start
                    && bytes
                        .get(at..at + 3)
                        .is_some_and(|w| w.eq_ignore_ascii_case(b"ate")))
        }
        b'y' | b'Y' => at > word_start && matches!(bytes[at - 1], b't' | b'T'),
        _ => true,
    }
}

/// Cheap test before [`leet_word_at`] (it runs at every word start): a number word with a
/// look-alike digit has a letter and a digit among its first five characters, letters and
/// digits only.
fn may_be_leet(bytes: &[u8], start: usize) -> bool {
    let head = &bytes[start..bytes.len().min(start + 5)];
    let alnum = head.iter().take_while(|b| b.is_ascii_alphanumeric());
    let (mut letter, mut digit) = (false, false);
    for b in alnum {
        letter |= b.is_ascii_alphabetic();
        digit |= b.is_ascii_digit();
    }
    letter && digit
}

/// The number word spelled by the whole letters-and-digits word at `start`, when some of its
/// letters are written as look-alike digits ("f1ve", "s1x", "tw0", "th0usand", "z3r0"): its
/// end and reading. At least two real letters and one digit; `1` also stands for `l`.
fn leet_word_at(bytes: &[u8], start: usize) -> Option<(usize, Spelled)> {
    let mut end = start;
    let (mut letters, mut digits) = (0, 0);
    while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
        if bytes[end].is_ascii_digit() {
            digits += 1;
        } else {
            letters += 1;
        }
        end += 1;
        if end - start > 9 {
            // Longer than any number word ("seventeen").
            return None;
        }
    }
    if letters < 2 || digits == 0 {
        return None;
    }
    let word = &bytes[start..end];
    // A letter run glued to another script is not a word of ours.
    if bytes.get(end).is_some_and(|b| !b.is_ascii()) {
        return None;
    }
    SPELLINGS.iter().find_map(|(spelling, piece)| {
        let spelling = spelling.as_bytes();
        let same = spelling.len() == word.len()
            && spelling.iter().zip(word).all(|(&want, &got)| {
                got.to_ascii_lowercase() == want
                    || leet_letter(got) == Some(want)
                    || (got == b'1' && want == b'l')
            });
        // "oh" is too short to tell from prose once a digit stands in it.
        (same && spelling.len() > 2).then_some((end, *piece))
    })
}

/// May the last of `tokens` end a number? A homophone may ("... nine ate"); a lone letter
/// standing for a digit only right after a number word ("... Seven o") or when the number
/// has other letters for digits ("9 . l . O . 8 . 4 . l . O . 9 . 2 . I"): then the run is
/// plainly written out.
fn may_end_number(tokens: &[Token]) -> bool {
    match tokens {
        [rest @ .., before, last] if last.weak && matches!(last.kind, Kind::Letter(_)) => {
            (matches!(before.kind, Kind::Word(_) | Kind::Cardinal { .. }) && !before.weak)
                || rest
                    .iter()
                    .chain([before])
                    .any(|t| matches!(t.kind, Kind::Letter(_)))
        }
        [last] => !(last.weak && matches!(last.kind, Kind::Letter(_))),
        _ => true,
    }
}

/// Read the spelled cardinals of a run as the numbers they say, each as one token: tens and
/// units ("twenty six" = 26, "twentysix"), a number before "hundred" or "thousand" and the
/// number after it ("nine hundred" = 900, "two thousand five" = 2005, "nineteen hundred" =
/// 1900, "2 thousand" = 2000, "nine hundred oh five" = 905). Units and teens alone stay the
/// tokens they are ("nine one nine" is three digits, as people dictate numbers).
///
/// The grammar, over the run's tokens:
///
/// ```text
/// cardinal       := below_thousand [ "thousand" [ below_thousand ] ]
/// below_thousand := below_hundred [ "hundred" [ below_hundred | zero unit ] ]
/// below_hundred  := tens [ unit ] | teen | unit      (a 1-3 digit numeral before a scale)
/// ```
fn resolve_cardinals(text: &str, run: &mut Vec<Token>) {
    if !run
        .iter()
        .any(|t| matches!(t.kind, Kind::Tens(_) | Kind::Scale(_)))
    {
        return;
    }
    let mut out = Vec::with_capacity(run.len());
    let mut i = 0;
    while i < run.len() {
        let rest = &run[i..];
        if let Some((value, used)) = cardinal(text, rest)
            && rest[..used]
                .iter()
                .any(|t| matches!(t.kind, Kind::Tens(_) | Kind::Scale(_)))
            && let Some(kind) = cardinal_kind(value)
        {
            let first = rest[0];
            out.push(Token {
                start: first.start,
                end: rest[used - 1].end,
                kind,
                plus_before: first.plus_before,
                weak: false,
            });
            i += used;
            continue;
        }
        out.push(run[i]);
        i += 1;
    }
    *run = out;
}

/// The value of a unit word or digit (`Word("7")`), 1-9 unless `zero` allows 0.
fn unit_value(token: &Token, allow_zero: bool) -> Option<u32> {
    match token.kind {
        Kind::Word(d) if d.len() == 1 && !token.weak => {
            let v = u32::from(d.as_bytes()[0] - b'0');
            (allow_zero || v > 0).then_some(v)
        }
        _ => None,
    }
}

fn below_hundred(text: &str, ts: &[Token]) -> Option<(u32, usize)> {
    let first = ts.first()?;
    match first.kind {
        Kind::Tens(tens) => {
            let tens = u32::from(tens) * 10;
            match ts.get(1) {
                Some(next) if unit_value(next, false).is_some() => {
                    Some((tens + unit_value(next, false)?, 2))
                }
                // A single digit glued on: "twenty6".
                Some(next)
                    if next.start == first.end
                        && matches!(next.kind, Kind::Numeral { tail: false, .. })
                        && next.digits(text).len() == 1
                        && next.digits(text) != "0" =>
                {
                    Some((tens + u32::from(next.digits(text).as_bytes()[0] - b'0'), 2))
                }
                _ => Some((tens, 1)),
            }
        }
        Kind::Word(d) if d.len() == 2 && !first.weak => Some((d.parse().ok()?, 1)),
        _ => unit_value(first, false).map(|v| (v, 1)),
    }
}

fn below_thousand(text: &str, ts: &[Token]) -> Option<(u32, usize)> {
    let is_scale = |t: Option<&Token>, s: u16| t.is_some_and(|t| t.kind == Kind::Scale(s));
    let (mut value, mut used) = match ts.first()?.kind {
        // A numeral only counts here as the number of hundreds or thousands ("2 thousand").
        Kind::Numeral { tail: false, .. }
            if (1..=3).contains(&ts[0].digits(text).len())
                && (is_scale(ts.get(1), 100) || is_scale(ts.get(1), 1000)) =>
        {
            (ts[0].digits(text).parse().ok()?, 1)
        }
        _ => below_hundred(text, ts)?,
    };
    if is_scale(ts.get(used), 100) {
        value *= 100;
        used += 1;
        if let Some((more, n)) =
            below_hundred(text, &ts[used..]).or_else(|| small_numeral(text, &ts[used..], 2))
        {
            value += more;
            used += n;
        } else if ts.get(used).is_some_and(|t| unit_value(t, true) == Some(0))
            && let Some(unit) = ts.get(used + 1).and_then(|t| unit_value(t, false))
        {
            // "nine hundred oh five".
            value += unit;
            used += 2;
        }
    }
    Some((value, used))
}

fn cardinal(text: &str, ts: &[Token]) -> Option<(u32, usize)> {
    let (mut value, mut used) = below_thousand(text, ts)?;
    if ts.get(used).is_some_and(|t| t.kind == Kind::Scale(1000)) {
        value *= 1000;
        used += 1;
        if let Some((more, n)) =
            below_thousand(text, &ts[used..]).or_else(|| small_numeral(text, &ts[used..], 3))
            && more < 1000
        {
            value += more;
            used += n;
        }
    }
    Some((value, used))
}

/// A numeral of at most `max_len` digits right after a scale word ("7 hundred 88").
fn small_numeral(text: &str, ts: &[Token], max_len: usize) -> Option<(u32, usize)> {
    let t = ts.first()?;
    let digits = t.digits(text);
    (matches!(t.kind, Kind::Numeral { tail: false, .. }) && (1..=max_len).contains(&digits.len()))
        .then(|| digits.parse().ok().map(|v| (v, 1)))
        .flatten()
}

/// A cardinal's value as its digits, if it fits.
fn cardinal_kind(value: u32) -> Option<Kind> {
    let written = value.to_string();
    if written.len() > CARDINAL_DIGITS {
        return None;
    }
    let mut digits = [0; CARDINAL_DIGITS];
    digits[..written.len()].copy_from_slice(written.as_bytes());
    Some(Kind::Cardinal {
        digits,
        len: u8::try_from(written.len()).ok()?,
    })
}

/// Is there a `+` right before `at` (allowing one space: "+ 44")? A WhatsApp click-to-chat
/// link (`wa.me/447400123456`, `api.whatsapp.com/send?phone=447400123456`) counts as one:
/// the link's documented format is the full international number without `+` or `00`.
fn plus_before(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let trimmed = before.strip_suffix(' ').unwrap_or(before);
    trimmed.ends_with('+') || whatsapp_link_before(before)
}

fn whatsapp_link_before(before: &str) -> bool {
    let bytes = before.as_bytes();
    let ends_with_ci = |suffix: &[u8]| {
        bytes.len() >= suffix.len()
            && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    if ends_with_ci(b"wa.me/") {
        return true;
    }
    if ends_with_ci(b"phone=") {
        // Only in a WhatsApp link: "whatsapp.com/send?phone=" within the same URL.
        let window = &bytes[bytes.len().saturating_sub(48)..];
        return window
            .windows(8)
            .any(|w| w.eq_ignore_ascii_case(b"whatsapp"));
    }
    false
}

/// Contact words written between the groups of a number ("919tel555", "555call0123").
const CUE_WORDS: [&str; 12] = [
    "tel", "ph", "phone", "call", "text", "txt", "cell", "mob", "mobile", "whatsapp", "wa", "sms",
];

/// Is the word at `start..end` a contact word glued to a digit on either side (one `:` or
/// `.` allowed between them)?
fn is_glued_cue(bytes: &[u8], start: usize, end: usize) -> bool {
    let word = &bytes[start..end];
    if !CUE_WORDS
        .iter()
        .any(|cue| cue.len() == word.len() && cue.as_bytes().eq_ignore_ascii_case(word))
    {
        return false;
    }
    let digit_at = |at: Option<usize>| {
        at.and_then(|a| bytes.get(a))
            .is_some_and(u8::is_ascii_digit)
    };
    let left = start.checked_sub(1);
    let left_glued = digit_at(left)
        || (left.is_some_and(|l| matches!(bytes[l], b':' | b'.'))
            && digit_at(start.checked_sub(2)));
    let right_glued = digit_at(Some(end))
        || (bytes.get(end).is_some_and(|b| matches!(b, b':' | b'.')) && digit_at(Some(end + 1)));
    left_glued || right_glued
}

/// May a token starting at `next_start` continue the current run?
fn gap_allows_join(text: &str, current: &[Token], next_start: usize) -> bool {
    let Some(last) = current.last() else {
        return true;
    };
    let gap = &text[last.end..next_start];
    let mut chars = 0;
    let mut breaks = 0;
    let mut after_letter = false;
    for c in gap.chars() {
        // A word in the gap (only a glued contact word can be one, `is_glued_cue`) counts as
        // one separator.
        let letter = c.is_ascii_alphabetic();
        if !(letter && after_letter) {
            chars += 1;
        }
        after_letter = letter;
        if c == '\n' {
            breaks += 1;
        }
        if chars > MAX_GAP_CHARS || breaks > 1 {
            return false;
        }
    }
    true
}

/// The separator text after the first group of glued tokens.
fn gap_after_first_group<'a>(text: &'a str, tokens: &[Token]) -> &'a str {
    for pair in tokens.windows(2) {
        if pair[0].end != pair[1].start {
            return &text[pair[0].end..pair[1].start];
        }
    }
    ""
}

// ---------------------------------------------------------------------------------------------
// Techniques.
// ---------------------------------------------------------------------------------------------

fn techniques(
    text: &str,
    norm: &Normalized,
    norm_range: Range<usize>,
    tokens: &[Token],
    raw: &str,
    valid: &ValidNumber,
) -> Vec<String> {
    let changes = norm.changes(norm_range.clone());
    let spelled = tokens.iter().any(|t| {
        matches!(
            t.kind,
            Kind::Word(_)
                | Kind::Repeat(_)
                | Kind::Tens(_)
                | Kind::Scale(_)
                | Kind::Cardinal { .. }
                | Kind::Numeral { tail: true, .. }
        )
    });
    let letters = tokens.iter().any(|t| matches!(t.kind, Kind::Letter(_)));
    let unusual_separators = !plain_layout(text, tokens, valid) || raw.chars().any(is_hidden_char);
    let lookalike = changes.intersects(Changes::LOOKALIKE | Changes::CONFUSABLE);
    let html = changes.intersects(Changes::HTML_TAG | Changes::HTML_ENTITY) || has_markup(raw);
    let mojibake = changes.contains(Changes::MOJIBAKE);
    let mut out = Vec::new();
    for (used, name) in [
        (spelled, "spelled_digits"),
        (letters, "letter_for_digit"),
        (unusual_separators, "separators"),
        (lookalike, "lookalike_chars"),
        (html, "html"),
        (mojibake, "mojibake"),
    ] {
        if used {
            out.push(name.to_string());
        }
    }
    out
}

/// Characters that render as nothing (removed by normalisation, still in the raw text).
fn is_hidden_char(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Does the raw text hold an HTML tag or character reference?
fn has_markup(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.windows(2).any(|w| {
        (w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'))
            || (w[0] == b'&' && (w[1].is_ascii_alphanumeric() || w[1] == b'#'))
    })
}

/// Is the number laid out the ordinary way ("(919) 555-0123", "919.555.0123",
/// "+44 20 7946 0958", "9195550123")? Digit-by-digit spacing, odd group sizes and separators
/// other than a space, hyphen, dot or brackets are not.
fn plain_layout(text: &str, tokens: &[Token], valid: &ValidNumber) -> bool {
    let mut group_sizes = Vec::new();
    let mut size = 0;
    for (index, token) in tokens.iter().enumerate() {
        if index > 0 && tokens[index - 1].end != token.start {
            let gap = &text[tokens[index - 1].end..token.start];
            if !plain_gap(gap) {
                return false;
            }
            group_sizes.push(size);
            size = 0;
        }
        size += token.digit_count(text);
    }
    group_sizes.push(size);
    if valid.country_code == 1 && !tokens[0].plus_before && valid.idd_digits == 0 {
        matches!(
            group_sizes.as_slice(),
            [10] | [11] | [3, 7] | [3, 3, 4] | [1, 3, 3, 4] | [1, 10] | [1, 3, 7] | [6, 4]
        )
    } else {
        group_sizes.len() <= 6
            && group_sizes
                .iter()
                .all(|&s| s >= 2 || group_sizes.len() == 1)
            || group_sizes.first() == Some(&1) && group_sizes[1..].iter().all(|&s| s >= 2)
    }
}

/// A separator of the ordinary kind: one space, hyphen or dot, with optional brackets.
fn plain_gap(gap: &str) -> bool {
    let mut others = 0;
    let mut open = 0;
    let mut close = 0;
    for c in gap.chars() {
        match c {
            '(' => open += 1,
            ')' => close += 1,
            ' ' | '-' | '.' => others += 1,
            _ => return false,
        }
    }
    open <= 1 && close <= 1 && (others <= 1 || gap == " - ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn finder() -> PhoneFinder {
        PhoneFinder::new(&PhoneConfig::default()).unwrap()
    }

    fn find(text: &str) -> Vec<Phone> {
        finder().find(text, &normalize(text), Field::Body)
    }

    fn e164s(text: &str) -> Vec<String> {
        find(text).into_iter().map(|p| p.e164).collect()
    }

    #[test]
    fn a_service_line_is_told_from_the_ads_contact() {
        let found = find(
            "Text me 919-555-0123 anytime.\nProblems with this ad? Call site support 866-293-0276",
        );
        let service: Vec<(&str, bool)> =
            found.iter().map(|p| (p.e164.as_str(), p.service)).collect();
        assert_eq!(
            service,
            vec![("+19195550123", false), ("+18662930276", true)]
        );
        for text in [
            "Report abuse or fake ads: (888) 555-0199",
            "Verified provider - verification line 877 555 0142",
            "Ad posted by QuickPost, to advertise call 844-555-0110",
        ] {
            assert!(find(text).iter().all(|p| p.service), "{text}");
        }
        for text in [
            "Supportive and sweet, call 919 555 0123",
            "New in town. Call 919-555-0123",
            "I support local businesses and love to travel. Text 919.555.0123",
        ] {
            let found = find(text);
            assert!(
                !found.is_empty() && found.iter().all(|p| !p.service),
                "{text}"
            );
        }
    }

    fn one(text: &str) -> Phone {
        let phones = find(text);
        assert_eq!(phones.len(), 1, "{text:?} → {phones:?}");
        phones.into_iter().next().unwrap()
    }

    #[test]
    fn spelling_letters_are_the_letters_no_number_word_lacks() {
        for b in (b'a'..=b'z').chain(b'A'..=b'Z') {
            let in_no_piece = matches!(b.to_ascii_lowercase(), b'c' | b'j' | b'k' | b'm' | b'q');
            assert_eq!(
                SPELLING_LETTERS[usize::from(b)],
                !in_no_piece,
                "{}",
                char::from(b)
            );
        }
    }

    #[test]
    fn spellings_by_first_letter_are_exactly_those_starting_with_it() {
        for b in 0..=u8::MAX {
            let direct: Vec<usize> = SPELLINGS
                .iter()
                .enumerate()
                .filter(|(_, (spelling, _))| spelling.as_bytes()[0] == b.to_ascii_lowercase())
                .map(|(index, _)| index)
                .collect();
            let mut from_table = Vec::new();
            let mut bits = SPELLINGS_BY_FIRST_LETTER[usize::from(b)];
            while bits != 0 {
                from_table.push(bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
            assert_eq!(from_table, direct, "byte {b}");
        }
    }

    #[test]
    fn no_service_cue_overlaps_itself() {
        // What lets `ascii_clause_names_service` try every position where `match_indices`
        // skips overlapping occurrences.
        for cue in SERVICE_CUES {
            assert!(!cue.is_empty());
            for k in 1..cue.len() {
                assert_ne!(cue[..k], cue[cue.len() - k..], "{cue}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_service_cue_search_agrees_with_the_general_one(
            clause in "([a-zA-Z0-9 .,:_-]|support|Abuse|REPORT|verif|verify|verification|advertis|help desk|helpdesk|customer service|webmaster|billing| ){0,24}"
        ) {
            proptest::prop_assert_eq!(
                ascii_clause_names_service(clause.as_bytes()),
                clause_names_service(&clause)
            );
        }
    }

    #[test]
    fn config_and_errors() {
        assert!(
            PhoneFinder::new(&PhoneConfig {
                default_region: "ZZ".into()
            })
            .is_err()
        );
        assert!(
            PhoneFinder::new(&PhoneConfig {
                default_region: "".into()
            })
            .is_err()
        );
        assert!(
            PhoneFinder::new(&PhoneConfig {
                default_region: "usa".into()
            })
            .is_err()
        );
        let err = PhoneFinder::new(&PhoneConfig {
            default_region: "XX".into(),
        })
        .unwrap_err();
        assert!(err.to_string().contains("\"XX\""));
        assert_eq!(
            PhoneFinder::new(&PhoneConfig {
                default_region: "ca".into()
            })
            .unwrap()
            .region(),
            "CA"
        );
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<PhoneFinder>();
    }

    #[test]
    fn parse_e164_accepts_usual_layouts_and_rejects_junk() {
        let f = finder();
        assert_eq!(
            f.parse_e164("(919) 555-0123").as_deref(),
            Some("+19195550123")
        );
        assert_eq!(
            f.parse_e164("+44 20 7946 0958").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            f.parse_e164("1-919-555-0123").as_deref(),
            Some("+19195550123")
        );
        for junk in [
            "",
            "+",
            "abc",
            "919555012",
            "+;phone-context=",
            "9195550123x",
            "++19195550123",
            "99999999999999999999999",
            "0000000",
            "+0000000",
        ] {
            assert_eq!(f.parse_e164(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn plain_numbers_are_not_obscured() {
        for text in [
            "(919) 555-0123",
            "919-555-0123",
            "919.555.0123",
            "919 555 0123",
            "9195550123",
            "1-919-555-0123",
            "+1 919 555 0123",
        ] {
            let p = one(&format!("call {text} now"));
            assert_eq!(p.e164, "+19195550123");
            assert!(!p.obscured, "{text}: {:?}", p.techniques);
            assert!(
                p.raw.ends_with("0123") && p.raw.len() >= 10,
                "{text}: {}",
                p.raw
            );
        }
        assert_eq!(one("call (919) 555-0123").raw, "(919) 555-0123");
    }

    #[test]
    fn spelled_digits_any_case_glued_or_mixed() {
        let p = one("Call me 8four five 2Osix one6nineseven");
        assert_eq!(p.e164, "+18452061697");
        assert!(p.techniques.contains(&"spelled_digits".to_string()));
        assert!(p.techniques.contains(&"letter_for_digit".to_string()));
        assert_eq!(p.raw, "8four five 2Osix one6nineseven");
        assert_eq!(one("NiNe one nine 5five5 0one2three").e164, "+19195550123");
        assert_eq!(one("twotwoeight 555 0123").e164, "+12285550123");
        assert_eq!(one("9ine19 555 0123").e164, "+19195550123");
        assert_eq!(one("ninE1nine fIvE55 zero123").e164, "+19195550123");
        assert_eq!(one("FIVE7THREE.8TWO3.78TEN").e164, "+15738237810");
        assert_eq!(
            one("sevensevenfour eight two three eight eight eight eight").e164,
            "+17748238888"
        );
        assert_eq!(one("919 555 eight8 44").e164, "+19195558844");
    }

    #[test]
    fn double_and_triple() {
        assert_eq!(
            one("nine one nine five double five zero one two three").e164,
            "+19195550123"
        );
        assert_eq!(one("919 triple5 0123").e164, "+19195550123");
    }

    #[test]
    fn letters_for_digits() {
        let p = one("6'o2' 688 oo94");
        assert_eq!(p.e164, "+16026880094");
        assert!(p.techniques.contains(&"letter_for_digit".to_string()));
        assert_eq!(one("9l9 555 Ol23").e164, "+19195550123");
        // "I" and "lol" alone are words, not digits.
        assert_eq!(
            e164s("Lala 323-872-9511 I luv you lol"),
            vec!["+13238729511"]
        );
    }

    #[test]
    fn unusual_separators() {
        for text in [
            "7.1.4.4.0.8.15..29",
            "61*9*9*5*2.4*3.8*2",
            "951 \u{2022} 541 \u{2022} 6503",
            "714◇886◆9441",
            "7 */ 6 */ 0 */ 2 */ 0 */ 3 */ 4 */ 0 */ 6 */ 2",
            "402_619_7433",
            "502/876/2155",
            "415:799::7183",
            "919~555~0123",
            "919!555!0123",
            "919@555@0123",
            "[919] 555 0123",
            "919\n555\n0123",
            "9 1 9 5 5 5 0 1 2 3",
        ] {
            let p = one(text);
            assert!(
                p.techniques.contains(&"separators".to_string()),
                "{text}: {:?}",
                p.techniques
            );
            assert!(p.obscured);
        }
    }

    #[test]
    fn lookalike_html_and_mojibake_techniques() {
        let p = one("call ９１９-５５５-０１２３");
        assert_eq!(p.e164, "+19195550123");
        assert_eq!(p.techniques, vec!["lookalike_chars"]);
        let p = one("call 9\u{FE0F}\u{20E3}1\u{FE0F}\u{20E3}9\u{FE0F}\u{20E3}-555-0123");
        assert!(p.techniques.contains(&"lookalike_chars".to_string()));
        let p = one("call ⑨①⑨ 555 0123");
        assert!(p.techniques.contains(&"lookalike_chars".to_string()));
        let p = one("call 𝟗𝟏𝟗-555-0123");
        assert!(p.techniques.contains(&"lookalike_chars".to_string()));
        let p = one("call 919<b>555</b>0123");
        assert_eq!(p.e164, "+19195550123");
        assert!(p.techniques.contains(&"html".to_string()));
        assert_eq!(p.raw, "919<b>555</b>0123");
        let p = one("call &#57;19-555-0123");
        assert!(p.techniques.contains(&"html".to_string()));
        let p = one("call 919Â\u{A0}555Â\u{A0}0123");
        assert!(
            p.techniques.contains(&"mojibake".to_string()),
            "{:?}",
            p.techniques
        );
        let p = one("call 919\u{200B}555\u{200B}0123");
        assert!(p.techniques.contains(&"separators".to_string()));
        let p = one("call 2О6 555 0123");
        assert_eq!(p.e164, "+12065550123");
        assert!(p.techniques.contains(&"lookalike_chars".to_string()));
    }

    #[test]
    fn international_numbers() {
        assert_eq!(e164s("UK: +44 7400 123456"), vec!["+447400123456"]);
        assert_eq!(e164s("call 0044 7400 123456"), vec!["+447400123456"]);
        assert_eq!(e164s("call 011 44 7400 123456"), vec!["+447400123456"]);
        assert_eq!(e164s("+33 6 12 34 56 78"), vec!["+33612345678"]);
        let gb = PhoneFinder::new(&PhoneConfig {
            default_region: "GB".into(),
        })
        .unwrap();
        let text = "ring 07400 123456";
        let found = gb.find(text, &normalize(text), Field::Body);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].e164, "+447400123456");
        // A national UK number is not valid for a US default region.
        assert!(e164s("I expect you at 07721009232").is_empty());
    }

    fn in_region(code: &str, source: RegionSource, text: &str) -> Vec<Phone> {
        let region = AdRegion::new(code, source).unwrap();
        finder().find_in_region(text, &normalize(text), Field::Body, region)
    }

    #[test]
    fn national_forms_are_read_for_the_ads_region() {
        for (region, text, e164) in [
            ("AU", "call 0412 345 678", "+61412345678"),
            ("GB", "ring 07400 123456", "+447400123456"),
            ("IN", "call 098765 43210", "+919876543210"),
            ("IN", "call 98765 43210", "+919876543210"),
            ("DE", "0157 1234 5678", "+4915712345678"),
            ("FR", "06 12 34 56 78", "+33612345678"),
            ("JP", "080-1234-5678", "+818012345678"),
            ("MX", "55 1234 5678", "+525512345678"),
            // Russia's trunk prefix is 8, from the metadata like every other.
            ("RU", "8 916 123 45 67", "+79161234567"),
        ] {
            let found = in_region(region, RegionSource::Location, text);
            let got: Vec<(&str, &str, &str)> = found
                .iter()
                .map(|p| (p.e164.as_str(), p.region.as_str(), p.region_source.as_str()))
                .collect();
            assert_eq!(got, vec![(e164, region, "location")], "{region}: {text}");
        }
        // The same national forms are nothing in a North American ad.
        for text in ["call 0412 345 678", "ring 07400 123456", "06 12 34 56 78"] {
            assert!(e164s(text).is_empty(), "{text}");
        }
        // North American numbers keep being read in a North American ad, with the region of
        // their area code.
        let ca = one("call 416 555 0123");
        assert_eq!(
            (ca.region.as_str(), ca.region_source.as_str()),
            ("CA", "default")
        );
    }

    #[test]
    fn country_codes_bracketed_trunk_and_whatsapp() {
        for (text, e164, region) in [
            ("+44 (0) 7400 123456", "+447400123456", "GB"),
            ("+44 (0)7400 123456", "+447400123456", "GB"),
            ("+49 (0) 157 1234 5678", "+4915712345678", "DE"),
            ("chat wa.me/4915712345678 now", "+4915712345678", "DE"),
            (
                "https://api.whatsapp.com/send?phone=33612345678",
                "+33612345678",
                "FR",
            ),
            ("whatsapp +61 412 345 678", "+61412345678", "AU"),
            ("011 52 55 1234 5678", "+525512345678", "MX"),
            ("0091 98765 43210", "+919876543210", "IN"),
        ] {
            let p = one(text);
            assert_eq!(
                (p.e164.as_str(), p.region.as_str(), p.region_source.as_str()),
                (e164, region, "country_code"),
                "{text}"
            );
        }
        // Without the link, the same digits are no number in a North American ad.
        assert!(e164s("item 4915712345678").is_empty());
        // A number with a country code keeps its own country in an ad of another region.
        let p = in_region("AU", RegionSource::Url, "+44 7400 123456 or 0412 345 678");
        let got: Vec<(&str, &str)> = p
            .iter()
            .map(|p| (p.e164.as_str(), p.region_source.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![("+447400123456", "country_code"), ("+61412345678", "url")]
        );
    }

    #[test]
    fn ad_ids_named_as_pages_in_urls_are_not_phones() {
        let url = "http://seoul.craigslist.co.kr/ths/4321545635.html";
        let kr = AdRegion::new("KR", RegionSource::Url).unwrap();
        assert!(
            finder()
                .find_in_region(url, &normalize(url), Field::Url, kr)
                .is_empty()
        );
        let url = "http://liveescortreviews.com/ad/houston/832-756-0584/1/279530";
        assert_eq!(
            finder().find(url, &normalize(url), Field::Url)[0].e164,
            "+18327560584"
        );
    }

    #[test]
    fn spelled_cardinals() {
        for (text, e164) in [
            (
                "nine one four twenty six eight ninety nine oh two",
                "+19142689902",
            ),
            (
                "two one four five seven three eighty eight twentyone",
                "+12145738821",
            ),
            (
                "seven one three - three ninety - forty-five twelve",
                "+17133904512",
            ),
            (
                "two oh six seven four three nineteen fifty six",
                "+12067431956",
            ),
            ("text 312 456 seven thousand", "+13124567000"),
            (
                "312 456 seven thousand seven hundred eighty eight",
                "+13124567788",
            ),
            ("(312) 456 - 7 thousand 7 hundred 88", "+13124567788"),
            (
                "eight hundred five, two oh one, three thousand",
                "+18052013000",
            ),
            ("nine hundred oh four 268 9902", "+19042689902"),
            (
                "SixFourSix FiveFiveFive ZeroOne NinetyEight",
                "+16465550198",
            ),
            (
                "two one four five seven three eighty8 twenty1",
                "+12145738821",
            ),
        ] {
            let p = one(text);
            assert_eq!(p.e164, e164, "{text}");
            assert!(
                p.techniques.contains(&"spelled_digits".to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn homophones_only_inside_a_number() {
        assert_eq!(
            one("six for six five five five oh one nine ate").e164,
            "+16465550198"
        );
        assert_eq!(
            one("call 9one7 five to four 88 three oh").e164,
            "+19175248830"
        );
        assert_eq!(
            one("seven won three three nine oh four five one two").e164,
            "+17133904512"
        );
        for text in [
            "for two hours I ate at 9, then won 3 games to 1",
            "I want to see you for one night, two times",
            "to too for fore ate won to for",
            "open 9 to 5, 7 days a week",
            "rates 100 for 30 min, 150 for 60 min, 250 for 2 hours",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", e164s(text));
        }
    }

    #[test]
    fn glued_words_leet_and_contact_words_between_groups() {
        for (text, e164) in [
            ("7eight68017three90", "+17868017390"),
            ("3o5seven81two2six4", "+13057812264"),
            ("SIX1NINE6six4EIGHT8seven0", "+16196648870"),
            ("n1ne one seven f1ve 2 four 88 three 0", "+19175248830"),
            ("three 0 f1ve seven 8 one 22 s1x f0ur", "+13057812264"),
            ("tw0 one f0ur 573 8821", "+12145738821"),
            ("tel206ph743call1956", "+12067431956"),
            ("503TEL447TEL2210", "+15034472210"),
            ("ph:702-txt:719-4455", "+17027194455"),
            ("702$719$4455", "+17027194455"),
            ("21 457 38 821", "+12145738821"),
            ("9 175248830", "+19175248830"),
            // Seen on the synthetic corpus: a homophone after the number, a lone letter
            // closing a spelled number, a cash tag after it.
            ("Call or text 850695670 five to book Emma", "+18506956705"),
            ("(9 OnE 6) ThReE 288132 for Scarlett", "+19163288132"),
            (
                "Call or text 86 4Our 22 5Ive Nine o Seven o to book Ella",
                "+18642259070",
            ),
            ("Call Precious @ 973-723-0422 $AngelsF5DZU", "+19737230422"),
            ("9 . l . O . 8 . 4 . l . O . 9 . 2 . I", "+19108410921"),
        ] {
            assert_eq!(e164s(text), vec![e164.to_string()], "{text}");
        }
        // A contact word standing apart still ends a number; a price stays a price.
        assert!(e164s("919 555 call me 0123").is_empty());
        assert!(e164s("$702 $719 $4455").is_empty());
        // Unusual groups are only read when they are all the run holds.
        assert_eq!(e164s("12/25/2019 919 555 0123"), vec!["+19195550123"]);
    }

    #[test]
    fn not_phones() {
        for text in [
            "$200 roses 200/hr 150 roses $150",
            "5'6\" 125lbs 34D-23-35 36-24-36",
            "5 ft 6 and 36 24 36",
            "on 12/25/2019 and 2019-06-25 at 10:30pm",
            "I am 22 years old, zip 27601, 1234 Main St",
            "ad id 1234567890123",
            "Post ID: 9195550123",
            "rates 80-120-180 and 100 150 200 300",
            "$100 $150 $200 $300 $1000",
            "100% real 24/7 9:00 AM to 9:00 PM",
            "Order #9195550123",
            "123456789012345678901234567890",
            "Illinois: I-80, I-74, I-55, I-57, I-88, I-90/94, I-155 Ohio: I-71, I-271, I-77",
        ] {
            assert!(find(text).is_empty(), "{text:?} → {:?}", find(text));
        }
    }

    #[test]
    fn dates_and_times_next_to_a_number_do_not_swallow_it() {
        assert_eq!(e164s("12/25/2019 919-555-0123"), vec!["+19195550123"]);
        assert_eq!(e164s("10:30 919 555 0123"), vec!["+19195550123"]);
        assert_eq!(e164s("Raleigh NC 27601 919-555-0123"), vec!["+19195550123"]);
        assert_eq!(e164s("34 24 36 919 555 0123"), vec!["+19195550123"]);
    }

    #[test]
    fn every_occurrence_is_reported_with_its_span() {
        let text = "7026593670 7026593670 or 626-224-3429_or_323-767-7646";
        let phones = find(text);
        let got: Vec<(&str, &str)> = phones
            .iter()
            .map(|p| (p.e164.as_str(), p.raw.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("+17026593670", "7026593670"),
                ("+17026593670", "7026593670"),
                ("+16262243429", "626-224-3429"),
                ("+13237677646", "323-767-7646"),
            ]
        );
        for p in &phones {
            assert_eq!(&text[p.span.start..p.span.end], p.raw);
        }
    }

    #[test]
    fn leading_spelled_word_that_does_not_change_the_number_is_left_out() {
        let p = one("call one 919-555-0123");
        assert_eq!(p.raw, "919-555-0123");
        assert!(!p.obscured);
    }

    #[test]
    fn own_validity_check_agrees_with_phonenumber() {
        let mut checked = 0;
        let mut agreed_valid = 0;
        for (region, prefix, digits) in [
            (None, "+1", 10),
            (None, "+1212", 7),
            (None, "+1416", 7),
            (None, "+1876", 7),
            (None, "+1787", 7),
            (None, "+4474", 8),
            (None, "+4420", 8),
            (None, "+336", 8),
            (None, "+4915", 9),
            (None, "+9198", 8),
            (None, "+7916", 7),
            (None, "+800", 8),
            (Some(phonenumber::country::Id::US), "", 10),
            (Some(phonenumber::country::Id::US), "919", 7),
            (Some(phonenumber::country::Id::GB), "07", 9),
        ] {
            for i in 0u64..150 {
                let modulus = 10u64.pow(digits);
                let tail = (i * 2_654_435_761 + 12_345) % modulus;
                let input = format!("{prefix}{tail:0>width$}", width = digits as usize);
                let Ok(number) = phonenumber::parse(region, &input) else {
                    continue;
                };
                let ours = is_valid_national(number.code().value(), &number.national().to_string())
                    .is_some();
                let theirs = phonenumber::is_valid(&number);
                assert_eq!(ours, theirs, "{input}");
                agreed_valid += usize::from(theirs);
                checked += 1;
            }
        }
        assert!(
            agreed_valid > 300,
            "too few valid numbers compared: {agreed_valid}"
        );
        assert!(checked > 1000);
        // The NANP shortcut gives what the parser + `phonenumber::is_valid` give.
        for i in 0u64..600 {
            let ten = format!(
                "{:0>10}",
                (i * 2_654_435_761 + 2_125_550_000) % 10_000_000_000
            );
            for (input, region) in [
                (ten.clone(), Some(phonenumber::country::Id::US)),
                (format!("1{ten}"), Some(phonenumber::country::Id::CA)),
                (format!("+1{ten}"), None),
            ] {
                let expected = phonenumber::parse(region, &input)
                    .ok()
                    .filter(phonenumber::is_valid)
                    .map(|n| n.format().mode(phonenumber::Mode::E164).to_string());
                let ours = call_phonenumber(&input, region).map(|(e164, _, _)| e164);
                assert_eq!(ours, expected, "{input}");
            }
        }
        for valid in [
            "+19195550123",
            "+14165550123",
            "+447400123456",
            "+33612345678",
        ] {
            assert!(call_phonenumber(valid, None).is_some(), "{valid}");
        }
    }

    #[test]
    fn identifier_check_handles_multibyte_text_before_a_number() {
        // Found by the `phones` fuzz target: a multi-byte char right before the word.
        assert!(find("\u{FFFD}id 9195550123").is_empty());
        assert_eq!(e164s("\u{FFFD}9195550123"), vec!["+19195550123"]);
    }

    #[test]
    fn field_is_recorded() {
        let text = "919-555-0123";
        let found = finder().find(text, &normalize(text), Field::Phones);
        assert_eq!(found[0].field, Field::Phones);
    }
}
