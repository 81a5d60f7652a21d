//! Readable names of reason and indicator codes, with where each comes from: the bundled
//! indicator definitions and network features, read once. Pages show these instead of codes;
//! a code the catalogue does not know (an agency's own indicator file) is shown as it is.

use std::collections::HashMap;
use std::sync::OnceLock;

/// What a code means and where its weight comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonInfo {
    pub description: String,
    pub source: String,
    pub weight: f64,
}

fn catalogue() -> &'static HashMap<String, ReasonInfo> {
    static CATALOGUE: OnceLock<HashMap<String, ReasonInfo>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let indicators = plainsight_text::indicators::IndicatorSet::bundled()
            .map(|set| set.definitions().to_vec())
            .unwrap_or_default();
        let defs = indicators
            .into_iter()
            .map(|d| plainsight_network::weights::WeightDef {
                code: d.code,
                description: d.description,
                weight: d.weight,
                source: d.source,
            });
        let Ok(weights) = plainsight_network::weights::Weights::defaults(defs) else {
            return HashMap::new();
        };
        weights
            .definitions()
            .map(|d| {
                (
                    d.code.clone(),
                    ReasonInfo {
                        description: d.description.clone(),
                        source: d.source.clone(),
                        weight: d.weight,
                    },
                )
            })
            .collect()
    })
}

/// The catalogue's entry for a code, if it has one.
pub fn info(code: &str) -> Option<&'static ReasonInfo> {
    catalogue().get(code)
}

/// A code in words (its description), or the code itself when unknown.
pub fn name(code: &str) -> String {
    info(code).map_or_else(|| code.replace('_', " "), |i| i.description.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_codes_have_names_and_sources_and_unknown_codes_stay_readable() {
        let obscured = info("obscured_phone").expect("a bundled indicator");
        assert!(obscured.description.contains("disguise"));
        assert!(!obscured.source.is_empty());
        assert_eq!(name("agency_own_flag"), "agency own flag");
    }
}
