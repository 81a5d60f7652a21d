//! Persona names: the name an ad gives for the person offered ("my name is Candy", "ask for
//! Amber", "Jade here"). Found from cue phrases, not a list of names, so unusual stage names
//! are found too; common words that follow the same cues ("I'm new", "I am available") are
//! rejected by a stop list.

/// Cue word sequences (lower case) that are followed by a name.
const CUES_BEFORE: &[&[&str]] = &[
    &["my", "name", "is"],
    &["my", "name's"],
    &["name", "is"],
    &["names"],
    &["i'm"],
    &["im"],
    &["i", "am"],
    &["call", "me"],
    &["ask", "for"],
    &["it's", "your", "girl"],
    &["its", "your", "girl"],
    &["this", "is"],
    &["meet"],
    &["see"],
    &["book"],
];

/// First letters of the cues in [`CUES_BEFORE`].
const CUE_INITIALS: &[u8] = b"mnicatsb";

/// Words that follow a name ("Jade here", "Candy is back").
const CUES_AFTER: &[&[&str]] = &[&["here"], &["is", "back"], &["is", "the", "name"]];

/// Capitalised words that follow the cues but are not names.
const NOT_NAMES: &[&str] = &[
    "a",
    "about",
    "all",
    "always",
    "an",
    "and",
    "any",
    "anything",
    "at",
    "available",
    "away",
    "baby",
    "back",
    "bbw",
    "beautiful",
    "best",
    "big",
    "blonde",
    "brunette",
    "busty",
    "call",
    "cash",
    "classy",
    "clean",
    "come",
    "cute",
    "daddy",
    "discreet",
    "down",
    "ebony",
    "even",
    "every",
    "exotic",
    "fun",
    "gentleman",
    "gentlemen",
    "girl",
    "girls",
    "good",
    "gorgeous",
    "great",
    "guaranteed",
    "guys",
    "happy",
    "he",
    "her",
    "here",
    "hey",
    "hi",
    "honey",
    "hot",
    "how",
    "i",
    "in",
    "incall",
    "incalls",
    "independent",
    "it",
    "just",
    "latina",
    "let",
    "like",
    "little",
    "looking",
    "love",
    "me",
    "mine",
    "more",
    "mr",
    "ms",
    "my",
    "naughty",
    "new",
    "no",
    "not",
    "now",
    "of",
    "ok",
    "on",
    "one",
    "only",
    "open",
    "outcall",
    "outcalls",
    "petite",
    "please",
    "pretty",
    "queen",
    "ready",
    "real",
    "sexy",
    "she",
    "shy",
    "slim",
    "so",
    "some",
    "sorry",
    "special",
    "specials",
    "sugar",
    "sure",
    "sweet",
    "sweetie",
    "tall",
    "text",
    "texts",
    "that",
    "the",
    "their",
    "them",
    "there",
    "they",
    "thick",
    "this",
    "tiny",
    "today",
    "tonight",
    "town",
    "treat",
    "true",
    "very",
    "visiting",
    "want",
    "we",
    "welcome",
    "what",
    "when",
    "where",
    "who",
    "why",
    "will",
    "with",
    "wonderful",
    "yes",
    "you",
    "young",
    "your",
    "yours",
];

/// Distinct persona names in `text` (normalised ad text, case kept), title-cased, in order of
/// first appearance.
pub fn persona_names(text: &str) -> Vec<String> {
    let words = words(text);
    let mut found: Vec<String> = Vec::new();
    let mut push = |w: &str| {
        if let Some(name) = as_name(w)
            && !found.contains(&name)
        {
            found.push(name);
        }
    };
    let matches = |at: usize, cue: &[&str]| {
        at + cue.len() <= words.len()
            && words[at..at + cue.len()]
                .iter()
                .zip(cue)
                .all(|(w, c)| same_word(w, c))
    };
    for i in 0..words.len() {
        // Cheap filters first: most words start no cue, and only a capitalised word can be a
        // name before a trailing cue.
        let first = words[i].as_bytes()[0].to_ascii_lowercase();
        if CUE_INITIALS.contains(&first) {
            for cue in CUES_BEFORE {
                if cue[0].as_bytes()[0] == first && i + cue.len() < words.len() && matches(i, cue) {
                    push(words[i + cue.len()]);
                }
            }
        }
        if words[i].starts_with(|c: char| c.is_uppercase()) {
            for cue in CUES_AFTER {
                if matches(i + 1, cue) {
                    push(words[i]);
                }
            }
        }
    }
    found
}

/// A word equals a lower-case cue word, ignoring case and with typographic apostrophes
/// folded, without allocating.
fn same_word(word: &str, cue: &str) -> bool {
    let mut w = word.chars().map(|c| match c {
        '\u{2019}' => '\'',
        c => c.to_ascii_lowercase(),
    });
    let mut c = cue.chars();
    loop {
        match (w.next(), c.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// Words of the text: runs of letters and apostrophes (typographic apostrophes folded).
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '\u{2019}'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '\u{2019}'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The word as a name, if it looks like one: capitalised (or all capitals), 2 to 15 letters,
/// not a common word.
fn as_name(word: &str) -> Option<String> {
    let mut chars = word.chars();
    let first = chars.next()?;
    let count = word.chars().count();
    if !first.is_uppercase() || !(2..=15).contains(&count) {
        return None;
    }
    if !word.chars().all(char::is_alphabetic) {
        return None;
    }
    let lower = word.to_lowercase();
    if NOT_NAMES.binary_search(&lower.as_str()).is_ok() {
        return None;
    }
    let mut name: String = first.to_uppercase().collect();
    name.extend(lower.chars().skip(1));
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stop_list_is_sorted_for_binary_search() {
        assert!(NOT_NAMES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn cue_initials_cover_every_cue() {
        for cue in CUES_BEFORE {
            assert!(CUE_INITIALS.contains(&cue[0].as_bytes()[0]), "{cue:?}");
        }
    }

    #[test]
    fn names_after_and_before_cues() {
        assert_eq!(
            persona_names("Hi, my name is Candy and I'm 24"),
            vec!["Candy"]
        );
        assert_eq!(persona_names("Call and ask for AMBER"), vec!["Amber"]);
        assert_eq!(persona_names("Jade here, sweet and petite"), vec!["Jade"]);
        assert_eq!(
            persona_names("I'm Lola. Ask for Lola or Mia"),
            vec!["Lola"],
            "each name once; 'or Mia' has no cue"
        );
        assert_eq!(persona_names("it’s your girl Kiki"), vec!["Kiki"]);
    }

    #[test]
    fn common_words_after_cues_are_not_names() {
        assert!(persona_names("I'm New in town, I am Available now").is_empty());
        assert!(persona_names("call me Now").is_empty());
        assert!(persona_names("my name is 555").is_empty());
        assert!(
            persona_names("i'm candy").is_empty(),
            "lower case is not a name"
        );
    }
}
