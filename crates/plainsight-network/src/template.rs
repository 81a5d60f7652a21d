//! Text templates with slots: the wording a group of ads shares, with the parts that vary
//! between them (names, numbers, places) shown as slots, the way InfoShield presents a
//! template. Built by aligning every ad's words against a representative ad (a word diff) and
//! keeping the representative's words that most ads repeat.

use serde::{Deserialize, Serialize};
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// At most this many texts are aligned: a template is evident from a dozen ads and the cost
/// stays bounded for a network of thousands.
const MAX_TEXTS: usize = 24;
/// Distinct example values kept per slot.
const MAX_EXAMPLES: usize = 4;
/// A representative word is fixed text when at least this share of the other texts has it in
/// the same place.
const FIXED_SHARE: f64 = 0.6;

/// One part of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TemplatePart {
    /// Words every (or nearly every) ad repeats.
    Text { text: String },
    /// Words that vary, with examples of what the ads put there.
    Slot { examples: Vec<String> },
}

/// A template: the shared wording of `ads` texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    /// How many texts were aligned.
    pub texts: usize,
}

impl Template {
    /// The template as one line, slots shown as `[…]` with their first example.
    pub fn display(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            if !out.is_empty() {
                out.push(' ');
            }
            match part {
                TemplatePart::Text { text } => out.push_str(text),
                TemplatePart::Slot { examples } => {
                    out.push('[');
                    out.push_str(examples.first().map(String::as_str).unwrap_or("…"));
                    if examples.len() > 1 {
                        out.push_str(" | …");
                    }
                    out.push(']');
                }
            }
        }
        out
    }

    /// Share of the representative's words that are fixed text.
    pub fn fixed_share(&self) -> f64 {
        let (mut fixed, mut all) = (0usize, 0usize);
        for part in &self.parts {
            match part {
                TemplatePart::Text { text } => {
                    let n = text.split_whitespace().count();
                    fixed += n;
                    all += n;
                }
                TemplatePart::Slot { examples } => {
                    all += examples
                        .first()
                        .map_or(1, |e| e.split_whitespace().count().max(1));
                }
            }
        }
        if all == 0 {
            0.0
        } else {
            fixed as f64 / all as f64
        }
    }
}

/// The template of a group of texts (at least two non-empty ones), or `None`.
pub fn template_of(texts: &[&str]) -> Option<Template> {
    let docs: Vec<Vec<&str>> = texts
        .iter()
        .take(MAX_TEXTS)
        .map(|t| t.split_whitespace().collect::<Vec<_>>())
        .filter(|w| !w.is_empty())
        .collect();
    if docs.len() < 2 {
        return None;
    }
    let rep = representative(&docs);
    let words = &docs[rep];
    let others: Vec<&Vec<&str>> = docs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != rep)
        .map(|(_, d)| d)
        .collect();
    // For each representative word: in how many other texts it is aligned, and for each other
    // text the alignment (representative index -> other index).
    let mut kept = vec![0usize; words.len()];
    let mut alignments: Vec<Vec<Option<usize>>> = Vec::with_capacity(others.len());
    for other in &others {
        let mut aligned = vec![None; words.len()];
        for op in capture_diff_slices(Algorithm::Myers, words, other) {
            if let DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = op
            {
                for k in 0..len {
                    aligned[old_index + k] = Some(new_index + k);
                    kept[old_index + k] += 1;
                }
            }
        }
        alignments.push(aligned);
    }
    let needed = (others.len() as f64 * FIXED_SHARE).ceil() as usize;
    let fixed: Vec<bool> = kept.iter().map(|&k| k >= needed.max(1)).collect();

    let mut parts = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let start = i;
        let is_fixed = fixed[i];
        while i < words.len() && fixed[i] == is_fixed {
            i += 1;
        }
        if is_fixed {
            parts.push(TemplatePart::Text {
                text: words[start..i].join(" "),
            });
        } else {
            let mut examples = vec![words[start..i].join(" ")];
            for (other, aligned) in others.iter().zip(&alignments) {
                if examples.len() >= MAX_EXAMPLES {
                    break;
                }
                // The other text's words between the fixed words around the slot.
                let before = start.checked_sub(1).map(|b| aligned[b]);
                let after = aligned.get(i).copied();
                let from = match before {
                    None => Some(0),
                    Some(Some(b)) => Some(b + 1),
                    Some(None) => None,
                };
                let to = match after {
                    None => Some(other.len()),
                    Some(Some(a)) => Some(a),
                    Some(None) => None,
                };
                if let (Some(from), Some(to)) = (from, to)
                    && from <= to
                {
                    let example = other[from..to].join(" ");
                    if !examples.contains(&example) {
                        examples.push(example);
                    }
                }
            }
            parts.push(TemplatePart::Slot { examples });
        }
    }
    Some(Template {
        parts,
        texts: docs.len(),
    })
}

/// The text that shares the most words in order with the others (a medoid under word-level
/// longest common subsequence), ties to the earliest.
fn representative(docs: &[Vec<&str>]) -> usize {
    let mut best: Option<(usize, usize)> = None;
    for (i, a) in docs.iter().enumerate() {
        let total: usize = docs
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, b)| {
                capture_diff_slices(Algorithm::Myers, a, b)
                    .iter()
                    .map(|op| match op {
                        DiffOp::Equal { len, .. } => *len,
                        _ => 0,
                    })
                    .sum::<usize>()
            })
            .sum();
        if best.is_none_or(|(_, b)| total > b) {
            best = Some((i, total));
        }
    }
    best.map_or(0, |(i, _)| i)
}

/// The templates of one network for display: one per group of template-linked ads, or, when
/// no ads are template-linked but several share most of their wording, one for all its ads.
/// `texts` are (ad id, title, body) of the network's ads.
pub fn network_templates(
    network: &plainsight_core::NetworkRecord,
    texts: &[(String, String, String)],
) -> Vec<(String, Template)> {
    let normalised: std::collections::HashMap<&str, String> = texts
        .iter()
        .map(|(id, title, body)| {
            let joined = format!("{title}\n{body}");
            (
                id.as_str(),
                plainsight_text::normalize::normalize(&joined)
                    .text()
                    .to_string(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for link in network.links.iter().filter(|l| l.kind == "template") {
        let group: Vec<&str> = link
            .ads
            .iter()
            .filter_map(|id| normalised.get(id.as_str()).map(String::as_str))
            .collect();
        if let Some(t) = template_of(&group) {
            out.push((link.value.clone(), t));
        }
    }
    if out.is_empty() && texts.len() >= 2 {
        let all: Vec<&str> = texts
            .iter()
            .filter_map(|(id, _, _)| normalised.get(id.as_str()).map(String::as_str))
            .collect();
        if let Some(t) = template_of(&all)
            && t.fixed_share() >= 0.5
        {
            out.push(("all ads".to_string(), t));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varying_names_and_numbers_become_slots() {
        let texts = [
            "Hi gentlemen my name is Candy call 919 555 0123 for fun",
            "Hi gentlemen my name is Amber call 704 555 9999 for fun",
            "Hi gentlemen my name is Jade call 212 555 1111 for fun",
        ];
        let t = template_of(&texts).unwrap();
        assert_eq!(t.texts, 3);
        let shown = t.display();
        assert!(shown.starts_with("Hi gentlemen my name is ["), "{shown}");
        assert!(shown.ends_with("for fun"), "{shown}");
        let slots: Vec<&Vec<String>> = t
            .parts
            .iter()
            .filter_map(|p| match p {
                TemplatePart::Slot { examples } => Some(examples),
                _ => None,
            })
            .collect();
        assert!(slots[0].contains(&"Candy".to_string()));
        assert!(slots[0].contains(&"Amber".to_string()));
        assert!(slots[0].contains(&"Jade".to_string()));
        assert!(t.fixed_share() > 0.5);
    }

    #[test]
    fn one_text_has_no_template() {
        assert!(template_of(&["only one"]).is_none());
        assert!(template_of(&["", "  "]).is_none());
    }

    #[test]
    fn the_most_typical_text_is_the_representative() {
        let texts = [
            "completely different words here",
            "sweet girl in town call now",
            "sweet girl in town call today",
            "sweet girl in town call tonight",
        ];
        let t = template_of(&texts).unwrap();
        assert!(
            t.display().starts_with("sweet girl in town call"),
            "{}",
            t.display()
        );
    }
}
