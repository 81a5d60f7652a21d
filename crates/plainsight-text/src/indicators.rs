//! Evidence-based indicators: definitions read from TOML (`data/indicators.toml` is the bundled
//! default), validated with errors that name the indicator and field, and matched in one
//! Aho–Corasick pass for all phrases plus one pass per regex. Each hit carries the text that
//! triggered it and its span. Weights are carried for the scorer; matching ignores them.

use aho_corasick::AhoCorasick;
use plainsight_core::{Age, IndicatorHit, Phone};
use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};
use serde::{Deserialize, Serialize};

use crate::extract::{FieldText, TextError, is_word_byte};
use crate::scan::PhraseScanner;

/// The bundled default definitions.
pub const BUNDLED_INDICATORS_TOML: &str = include_str!("../data/indicators.toml");

/// Signals computed by other extractors that an indicator may be derived from.
const KNOWN_DERIVED: &[&str] = &["obscured_phone", STATED_AGE_UNDER_18];

/// The derived signal, and the bundled indicator code, of a stated age under 18. Network
/// analysis shows a reason with this code first, whatever its weight.
pub const STATED_AGE_UNDER_18: &str = "stated_age_under_18";

/// One indicator definition, as written in the TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDef {
    pub code: String,
    pub description: String,
    /// Literal phrases, matched case-insensitively on word boundaries.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Regular expressions (Rust `regex` syntax), matched case-insensitively.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// A signal from another extractor (`obscured_phone`, `stated_age_under_18`) instead of
    /// text patterns.
    #[serde(default)]
    pub derived_from: Option<String>,
    pub weight: f64,
    pub source: String,
    pub raises_priority: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    #[serde(default)]
    indicator: Vec<IndicatorDef>,
}

/// One compiled indicator regex.
#[derive(Debug)]
struct IndicatorRegex {
    /// The definition that owns it.
    owner: usize,
    regex: Regex,
    /// Text that every match contains (ASCII case aside): a field without it is not searched.
    /// The bundled `(2|two|3|three) girls` starts with bare digits, which makes the regex's
    /// own prefix search stop at every digit of every phone number and price.
    required: Option<AhoCorasick>,
}

/// Compiled indicator definitions. Built once by [`crate::extract::Extractor`].
#[derive(Debug)]
pub struct IndicatorSet {
    definitions: Vec<IndicatorDef>,
    /// One automaton over every distinct phrase.
    phrases: Option<PhraseScanner>,
    /// For each automaton pattern: the definitions that own it.
    phrase_owners: Vec<Vec<usize>>,
    /// For each automaton pattern: must its start / end sit on a word boundary?
    phrase_bounded: Vec<(bool, bool)>,
    regexes: Vec<IndicatorRegex>,
    obscured_phone: Vec<usize>,
    /// Definitions derived from a stated age under 18.
    stated_minor: Vec<usize>,
}

impl IndicatorSet {
    /// The bundled default set.
    pub fn bundled() -> Result<IndicatorSet, TextError> {
        IndicatorSet::from_toml(BUNDLED_INDICATORS_TOML)
    }

    /// Parse, validate and compile definitions from TOML text.
    pub fn from_toml(toml_text: &str) -> Result<IndicatorSet, TextError> {
        let file: IndicatorFile =
            toml::from_str(toml_text).map_err(|e| TextError::IndicatorToml {
                message: e.to_string(),
            })?;
        IndicatorSet::from_definitions(file.indicator)
    }

    /// Validate and compile definitions.
    pub fn from_definitions(definitions: Vec<IndicatorDef>) -> Result<IndicatorSet, TextError> {
        let invalid = |code: &str, field: &'static str, message: String| TextError::Indicator {
            code: code.to_string(),
            field,
            message,
        };
        if definitions.is_empty() {
            return Err(invalid(
                "<file>",
                "indicator",
                "no `[[indicator]]` definitions".into(),
            ));
        }
        let mut phrase_index: Vec<(String, Vec<usize>)> = Vec::new();
        let mut regexes = Vec::new();
        let mut obscured_phone = Vec::new();
        let mut stated_minor = Vec::new();
        for (i, def) in definitions.iter().enumerate() {
            let code = def.code.as_str();
            if code.is_empty()
                || !code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                || !code.as_bytes()[0].is_ascii_lowercase()
            {
                return Err(invalid(code, "code", "must be snake_case: lower-case letters, digits and `_`, starting with a letter".into()));
            }
            if definitions[..i].iter().any(|d| d.code == def.code) {
                return Err(invalid(code, "code", "is defined twice".into()));
            }
            if def.description.trim().is_empty() {
                return Err(invalid(code, "description", "must not be empty".into()));
            }
            if def.source.trim().is_empty() {
                return Err(invalid(
                    code,
                    "source",
                    "must name the study or tool the weight comes from".into(),
                ));
            }
            if !def.weight.is_finite() {
                return Err(invalid(
                    code,
                    "weight",
                    format!("must be a finite number, got {}", def.weight),
                ));
            }
            if def.weight <= 0.0 && def.raises_priority {
                return Err(invalid(
                    code,
                    "raises_priority",
                    format!("must be false when weight is {} (<= 0)", def.weight),
                ));
            }
            if def.phrases.is_empty() && def.regexes.is_empty() && def.derived_from.is_none() {
                return Err(invalid(
                    code,
                    "phrases",
                    "needs at least one of `phrases`, `regexes` or `derived_from`".into(),
                ));
            }
            for phrase in &def.phrases {
                let lower = phrase.trim().to_lowercase();
                if lower.is_empty() {
                    return Err(invalid(code, "phrases", "contains an empty phrase".into()));
                }
                match phrase_index.iter_mut().find(|(p, _)| *p == lower) {
                    Some((_, owners)) => owners.push(i),
                    None => phrase_index.push((lower, vec![i])),
                }
            }
            for source in &def.regexes {
                let pattern = format!("(?i){source}");
                let regex = Regex::new(&pattern).map_err(|e| {
                    invalid(code, "regexes", format!("`{source}` does not compile: {e}"))
                })?;
                let required = match required_literal(&pattern) {
                    Some(literal) => Some(
                        AhoCorasick::builder()
                            .ascii_case_insensitive(true)
                            .build([literal])
                            .map_err(|e| invalid(code, "regexes", e.to_string()))?,
                    ),
                    None => None,
                };
                regexes.push(IndicatorRegex {
                    owner: i,
                    regex,
                    required,
                });
            }
            if let Some(derived) = &def.derived_from {
                if !KNOWN_DERIVED.contains(&derived.as_str()) {
                    return Err(invalid(
                        code,
                        "derived_from",
                        format!(
                            "unknown signal `{derived}`; known: {}",
                            KNOWN_DERIVED.join(", ")
                        ),
                    ));
                }
                if derived == STATED_AGE_UNDER_18 {
                    stated_minor.push(i);
                } else {
                    obscured_phone.push(i);
                }
            }
        }
        let phrases = if phrase_index.is_empty() {
            None
        } else {
            Some(
                // Case-insensitive, leftmost-longest; a few hundred phrases make a small DFA.
                PhraseScanner::new(phrase_index.iter().map(|(p, _)| p.as_str()))
                    .map_err(|e| invalid("<all>", "phrases", e.to_string()))?,
            )
        };
        let phrase_bounded = phrase_index
            .iter()
            .map(|(p, _)| {
                let first = p.chars().next().is_some_and(char::is_alphanumeric);
                let last = p.chars().last().is_some_and(char::is_alphanumeric);
                (first, last)
            })
            .collect();
        Ok(IndicatorSet {
            definitions,
            phrases,
            phrase_owners: phrase_index.into_iter().map(|(_, o)| o).collect(),
            phrase_bounded,
            regexes,
            obscured_phone,
            stated_minor,
        })
    }

    /// Hits of the indicators derived from a stated age under 18, one per such age (with its
    /// field, span and text as evidence).
    pub fn minor_age_hits(&self, ages: &[Age]) -> Vec<IndicatorHit> {
        let mut hits = Vec::new();
        for &owner in &self.stated_minor {
            for age in ages.iter().filter(|a| a.age < 18) {
                hits.push(IndicatorHit {
                    code: self.definitions[owner].code.clone(),
                    evidence: age.raw.clone(),
                    span: age.span,
                    field: age.field,
                });
            }
        }
        hits
    }

    pub fn definitions(&self) -> &[IndicatorDef] {
        &self.definitions
    }

    /// Indicator hits in one field. `phones` are the phones found in the same field (for the
    /// `obscured_phone` signal).
    pub fn find(&self, text: &FieldText<'_>, phones: &[Phone]) -> Vec<IndicatorHit> {
        let haystack = text.text();
        let bytes = haystack.as_bytes();
        let mut hits = Vec::new();
        if let Some(automaton) = &self.phrases {
            for m in automaton.find_iter(haystack) {
                let id = m.pattern().as_usize();
                let (bounded_start, bounded_end) = self.phrase_bounded[id];
                if bounded_start && m.start() > 0 && is_word_byte(bytes[m.start() - 1]) {
                    continue;
                }
                if bounded_end && m.end() < bytes.len() && is_word_byte(bytes[m.end()]) {
                    continue;
                }
                let (span, evidence) = text.locate(m.range());
                for &owner in &self.phrase_owners[id] {
                    hits.push(IndicatorHit {
                        code: self.definitions[owner].code.clone(),
                        evidence: evidence.clone(),
                        span,
                        field: text.field,
                    });
                }
            }
        }
        for IndicatorRegex {
            owner,
            regex,
            required,
        } in &self.regexes
        {
            if required.as_ref().is_some_and(|r| !r.is_match(haystack)) {
                continue;
            }
            for m in regex.find_iter(haystack) {
                if m.is_empty() {
                    continue;
                }
                let (span, evidence) = text.locate(m.range());
                hits.push(IndicatorHit {
                    code: self.definitions[*owner].code.clone(),
                    evidence,
                    span,
                    field: text.field,
                });
            }
        }
        for &owner in &self.obscured_phone {
            for phone in phones
                .iter()
                .filter(|p| p.obscured && p.field == text.field)
            {
                hits.push(IndicatorHit {
                    code: self.definitions[owner].code.clone(),
                    evidence: phone.raw.clone(),
                    span: phone.span,
                    field: phone.field,
                });
            }
        }
        hits.sort_by_key(|h| (h.span.start, h.span.end));
        hits
    }
}

/// A string that every match of `pattern` contains, lower case, compared up to ASCII case:
/// the longest run of consecutive items of the pattern's top-level sequence that each match
/// one fixed character up to ASCII case. `None` when there is none (or the pattern does not
/// parse, which `Regex::new` reports). A class with any other member breaks the run: under
/// `(?i)` the class of `s` also holds `ſ` (U+017F) and that of `k` the Kelvin sign, which an
/// ASCII case-insensitive search would not find.
fn required_literal(pattern: &str) -> Option<Vec<u8>> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let mut top = &hir;
    while let HirKind::Capture(capture) = top.kind() {
        top = capture.sub.as_ref();
    }
    let items = match top.kind() {
        HirKind::Concat(items) => items.as_slice(),
        _ => std::slice::from_ref(top),
    };
    let mut best: Vec<u8> = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    for item in items {
        match fixed_text(item) {
            Some(text) => run.extend(text),
            None => {
                if run.len() > best.len() {
                    best = std::mem::take(&mut run);
                }
                run.clear();
            }
        }
    }
    if run.len() > best.len() {
        best = run;
    }
    (!best.is_empty()).then_some(best)
}

/// The text that `hir` always matches, lower case, when it matches one fixed text up to
/// ASCII case.
fn fixed_text(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(literal.0.to_ascii_lowercase()),
        HirKind::Capture(capture) => fixed_text(&capture.sub),
        HirKind::Concat(items) => {
            let mut text = Vec::new();
            for item in items {
                text.extend(fixed_text(item)?);
            }
            Some(text)
        }
        HirKind::Class(Class::Unicode(class)) => {
            let members: Vec<char> = class
                .ranges()
                .iter()
                .flat_map(|r| (r.start()..=r.end()).take(3))
                .take(3)
                .collect();
            let byte = |c: char| u8::try_from(c).ok().filter(u8::is_ascii);
            match members.as_slice() {
                [c] => byte(*c).map(|b| vec![b.to_ascii_lowercase()]),
                [a, b] => case_pair(byte(*a)?, byte(*b)?),
                _ => None,
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let members: Vec<u8> = class
                .ranges()
                .iter()
                .flat_map(|r| (r.start()..=r.end()).take(3))
                .take(3)
                .collect();
            match members.as_slice() {
                [b] if b.is_ascii() => Some(vec![b.to_ascii_lowercase()]),
                [a, b] if a.is_ascii() && b.is_ascii() => case_pair(*a, *b),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `[a, b]` as one letter up to ASCII case ("A" and "a"), lower case.
fn case_pair(a: u8, b: u8) -> Option<Vec<u8>> {
    (a != b && a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b))
        .then(|| vec![a.to_ascii_lowercase()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use plainsight_core::{Field, Span};

    fn codes(set: &IndicatorSet, text: &str) -> Vec<(String, String)> {
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, Field::Body);
        set.find(&ft, &[])
            .into_iter()
            .map(|h| (h.code, h.evidence))
            .collect()
    }

    #[test]
    fn bundled_file_is_valid_and_evidence_based() {
        let set = IndicatorSet::bundled().unwrap();
        let defs = set.definitions();
        for required in [
            "obscured_phone",
            "youth_language",
            "ethnicity_specified",
            "trust_professional_language",
            "third_party_language",
            "restricted_movement",
            "risky_services",
            "coercion_words",
            "emoji_rose",
            "emoji_youth",
            "emoji_growing_heart",
            "emoji_travel",
            "emoji_crown",
            "movement_language",
        ] {
            assert!(
                defs.iter().any(|d| d.code == required),
                "{required} missing"
            );
        }
        let movement = defs.iter().find(|d| d.code == "movement_language").unwrap();
        assert!(movement.weight <= 0.0 && !movement.raises_priority);
    }

    #[test]
    fn phrases_match_on_word_boundaries_with_evidence() {
        let set = IndicatorSet::bundled().unwrap();
        let found = codes(
            &set,
            "Young and FRESH, new in town! INCALL ONLY 🌹 ask for my friend",
        );
        assert!(found.contains(&("youth_language".into(), "Young".into())));
        assert!(found.contains(&("youth_language".into(), "FRESH".into())));
        assert!(found.contains(&("movement_language".into(), "new in town".into())));
        assert!(found.contains(&("restricted_movement".into(), "INCALL ONLY".into())));
        assert!(found.contains(&("emoji_rose".into(), "🌹".into())));
        assert!(found.contains(&("third_party_language".into(), "ask for my friend".into())));
        assert!(codes(&set, "younger refreshments").is_empty());
    }

    #[test]
    fn obscured_phones_become_hits() {
        let set = IndicatorSet::bundled().unwrap();
        let text = "call nine1nine 555 0123";
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, Field::Body);
        let phone = Phone {
            e164: "+19195550123".into(),
            raw: text[5..].into(),
            obscured: true,
            techniques: vec!["spelled_digits".into()],
            span: Span::new(5, text.len()),
            field: Field::Body,
            service: false,
            region: "US".to_string(),
            region_source: "default".to_string(),
        };
        let hits = set.find(&ft, &[phone]);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].code, "obscured_phone");
        assert_eq!(hits[0].evidence, "nine1nine 555 0123");
    }

    #[test]
    fn invalid_definitions_name_the_indicator_and_field() {
        let err = IndicatorSet::from_toml(
            "[[indicator]]\ncode='x'\ndescription='d'\nphrases=['a']\nweight=-1.0\nsource='s'\nraises_priority=true\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`x`") && err.contains("raises_priority"),
            "{err}"
        );
        let err = IndicatorSet::from_toml(
            "[[indicator]]\ncode='bad_re'\ndescription='d'\nregexes=['(']\nweight=1.0\nsource='s'\nraises_priority=true\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("bad_re") && err.contains("regexes"), "{err}");
        let err = IndicatorSet::from_toml(
            "[[indicator]]\ncode='y'\ndescription='d'\nweight=1.0\nsource='s'\nraises_priority=true\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`y`") && err.contains("phrases"), "{err}");
        let err = IndicatorSet::from_toml("[[indicator]]\ncode='z'\nwieght=1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("wieght"), "{err}");
        let err = IndicatorSet::from_toml(
            "[[indicator]]\ncode='z'\ndescription='d'\nphrases=['a']\nweight=1.0\nsource='s'\nraises_priority=true\nderived_from='nope'\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("derived_from"), "{err}");
    }

    #[test]
    fn required_literals_of_indicator_regexes() {
        let lit = |p: &str| required_literal(&format!("(?i){p}"));
        // `s` under `(?i)` is also `ſ`, so the run stops before it.
        assert_eq!(
            lit(r"(?-u:\b)(?:2|two|3|three) girls(?-u:\b)").as_deref(),
            Some(&b" girl"[..])
        );
        assert_eq!(lit("new in town").as_deref(), Some(&b"new in town"[..]));
        assert_eq!(lit(r"foo\d+barbaz").as_deref(), Some(&b"barbaz"[..]));
        assert_eq!(lit(r"(?-i)Foo\d").as_deref(), Some(&b"foo"[..]));
        assert_eq!(lit("(kik)").as_deref(), Some(&b"i"[..]));
        assert_eq!(lit("abc|def"), None);
        assert_eq!(lit(r"\d+"), None);
        assert_eq!(lit("a?"), None);
    }

    /// The pre-check never hides a match: hits equal those of the regexes run on every field.
    #[test]
    fn regex_hits_with_the_pre_check_equal_a_full_search() {
        let set = IndicatorSet::from_toml(
            "[[indicator]]\ncode='girls'\ndescription='d'\nregexes=['(?-u:\\b)(?:2|two|3|three) girls(?-u:\\b)', 'we\\s+are\\s+\\d+', 'kik']\nweight=1.0\nsource='s'\nraises_priority=true\n",
        )
        .unwrap();
        let texts = [
            "2 girls available",
            "THREE GIRLS",
            "two girlſ",
            "3 girl",
            "3  girls",
            "call 555 123 4567 for 2 boys",
            "we are 2 ladies",
            "WE   ARE 3",
            "kik me",
            "KİK",
            "",
        ];
        for text in texts {
            let norm = normalize(text);
            let full: Vec<(usize, usize)> = set
                .regexes
                .iter()
                .flat_map(|r| r.regex.find_iter(norm.text()).map(|m| (m.start(), m.end())))
                .collect();
            let ft = FieldText::new(text, &norm, Field::Body);
            let mut hits: Vec<(usize, usize)> = set
                .find(&ft, &[])
                .into_iter()
                .map(|h| (h.span.start, h.span.end))
                .collect();
            let mut full_spans: Vec<(usize, usize)> = full
                .iter()
                .map(|&(s, e)| {
                    let r = norm.original_span(s..e);
                    (r.start, r.end)
                })
                .collect();
            hits.sort_unstable();
            full_spans.sort_unstable();
            assert_eq!(hits, full_spans, "{text:?}");
        }
        let count = |t: &str| codes(&set, t).len();
        assert_eq!(count("two girlſ"), 1);
        assert_eq!(count("2 GIRLS"), 1);
        assert_eq!(count("2 boys"), 0);
    }
}
