//! Evidence-based indicators: definitions read from TOML (`data/indicators.toml` is the bundled
//! default), validated with errors that name the indicator and field, and matched in one
//! Aho–Corasick pass for all phrases plus one pass per regex. Each hit carries the text that
//! triggered it and its span. Weights are carried for the scorer; matching ignores them.

use plainsight_core::{Age, IndicatorHit, Phone};
use regex::Regex;
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
    regexes: Vec<(usize, Regex)>,
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
                let regex = Regex::new(&format!("(?i){source}")).map_err(|e| {
                    invalid(code, "regexes", format!("`{source}` does not compile: {e}"))
                })?;
                regexes.push((i, regex));
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
        for (owner, regex) in &self.regexes {
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
}
