//! Priority weights: one per indicator code and network feature, each with its description
//! and the source it comes from. The defaults come from the bundled indicator file and
//! `data/network_features.toml`; calibrated weights replace the numbers but keep the
//! descriptions and record where they came from.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The bundled network feature definitions.
pub const BUNDLED_FEATURES_TOML: &str = include_str!("../data/network_features.toml");

/// One weighted feature.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WeightDef {
    pub code: String,
    pub description: String,
    pub weight: f64,
    pub source: String,
}

/// Errors reading weight definitions.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("network feature file is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("weight for `{code}` is not a finite number")]
    NotFinite { code: String },
    #[error("`{code}` is defined twice")]
    Duplicate { code: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureFile {
    feature: Vec<WeightDef>,
}

/// The weights used to compute priorities, by code.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    defs: BTreeMap<String, WeightDef>,
    /// Where the numbers come from: `defaults` or the calibration that produced them.
    pub provenance: String,
}

impl Weights {
    /// The default weights: indicator definitions (code, description, weight, source) plus the
    /// bundled network features.
    pub fn defaults(
        indicators: impl IntoIterator<Item = WeightDef>,
    ) -> Result<Weights, WeightsError> {
        let file: FeatureFile = toml::from_str(BUNDLED_FEATURES_TOML)?;
        let mut defs = BTreeMap::new();
        for def in indicators.into_iter().chain(file.feature) {
            if !def.weight.is_finite() {
                return Err(WeightsError::NotFinite { code: def.code });
            }
            if defs.contains_key(&def.code) {
                return Err(WeightsError::Duplicate { code: def.code });
            }
            defs.insert(def.code.clone(), def);
        }
        Ok(Weights {
            defs,
            provenance: "defaults".to_string(),
        })
    }

    /// The default weights with the bundled indicator file.
    pub fn bundled() -> Result<Weights, WeightsError> {
        let indicators = plainsight_text::indicators::IndicatorSet::bundled()
            .map(|set| {
                set.definitions()
                    .iter()
                    .map(|d| WeightDef {
                        code: d.code.clone(),
                        description: d.description.clone(),
                        weight: d.weight,
                        source: d.source.clone(),
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        Weights::defaults(indicators)
    }

    /// These weights with calibrated numbers: codes in `fitted` take the fitted weight (codes
    /// unknown here are added with a generic description); the rest keep theirs.
    pub fn with_fitted(&self, fitted: &BTreeMap<String, f64>, provenance: &str) -> Weights {
        let mut defs = self.defs.clone();
        for (code, &weight) in fitted {
            let def = defs.entry(code.clone()).or_insert_with(|| WeightDef {
                code: code.clone(),
                description: code.replace('_', " "),
                weight: 0.0,
                source: String::new(),
            });
            def.weight = weight;
            def.source = provenance.to_string();
        }
        Weights {
            defs,
            provenance: provenance.to_string(),
        }
    }

    /// The weight of a code (0 for an unknown code).
    pub fn weight(&self, code: &str) -> f64 {
        self.defs.get(code).map_or(0.0, |d| d.weight)
    }

    pub fn description<'a>(&'a self, code: &'a str) -> &'a str {
        self.defs.get(code).map_or(code, |d| d.description.as_str())
    }

    pub fn definitions(&self) -> impl Iterator<Item = &WeightDef> {
        self.defs.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_weights_hold_indicators_and_network_features() {
        let w = Weights::bundled().unwrap();
        assert!(w.weight("movement_language") < 0.0, "contra-indicated");
        assert!(w.weight("obscured_phone") > 0.0);
        assert!(w.weight("personas_per_contact") > 0.0);
        assert_eq!(w.weight("no_such_code"), 0.0);
        assert!(w.definitions().all(|d| !d.source.is_empty()));
    }

    #[test]
    fn fitted_weights_replace_numbers_and_record_provenance() {
        let w = Weights::bundled().unwrap();
        let fitted = [("obscured_phone".to_string(), 2.5)].into();
        let c = w.with_fitted(&fitted, "calibration 1");
        assert_eq!(c.weight("obscured_phone"), 2.5);
        assert_eq!(c.weight("youth_language"), w.weight("youth_language"));
        assert_eq!(c.provenance, "calibration 1");
    }
}
