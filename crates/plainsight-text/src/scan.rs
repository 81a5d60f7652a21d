//! Leftmost-longest, ASCII-case-insensitive phrase scanning over a transition table of our own,
//! built from an `aho_corasick` DFA: the same matches as `AhoCorasick::find_iter`, in about
//! half the instructions per byte.
//!
//! Why: `find_iter` walks the haystack with the crate's generic search loop, which re-reads the
//! input bounds, bounds-checks the haystack and tests for special states on every byte. Here
//! the ordinary (not dead, not match) states come first in the table and the loop looks
//! transitions up in that part only, so one failed `get` both replaces the bounds check and
//! detects a dead or match state. The search semantics are those of `aho_corasick` 1.x
//! (`automaton::try_find_fwd_imp` without a prefilter, and `FindIter`); `tests` below check
//! them against `find_iter` on the real phrase sets.

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, Match, MatchKind, PatternID, StartKind};

/// What a state past the ordinary ones is.
#[derive(Debug, Clone, Copy)]
enum Special {
    /// No match can start or continue here: the search is over.
    Dead,
    /// A match of `pattern`, `len` bytes long, ends at the byte that led here.
    Match { pattern: PatternID, len: usize },
}

/// A compiled phrase set: case-insensitive for ASCII, leftmost-longest, non-overlapping.
#[derive(Debug)]
pub(crate) struct PhraseScanner {
    /// Byte to column: bytes that every state treats alike share a column.
    classes: [u8; 256],
    /// Columns per row.
    stride: usize,
    /// One row per state; state ids are row offsets. Ordinary states take the first
    /// `ordinary_len` entries, dead and match states the rest.
    trans: Vec<u32>,
    ordinary_len: usize,
    /// For each state past the ordinary ones (by `(id - ordinary_len) / stride`).
    specials: Vec<Special>,
    start: u32,
}

impl PhraseScanner {
    pub(crate) fn new<I, P>(patterns: I) -> Result<PhraseScanner, String>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Unanchored)
            .prefilter(false)
            .build(patterns)
            .map_err(|e| e.to_string())?;
        let start = dfa.start_state(Anchored::No).map_err(|e| e.to_string())?;
        let next = |sid: StateID, byte: u8| dfa.next_state(Anchored::No, sid, byte);

        // Every state reachable from the start, found breadth first.
        let mut states = vec![start];
        let mut index: HashMap<StateID, usize> = HashMap::from([(start, 0)]);
        let mut i = 0;
        while i < states.len() {
            for byte in 0..=255u8 {
                let to = next(states[i], byte);
                index.entry(to).or_insert_with(|| {
                    states.push(to);
                    states.len() - 1
                });
            }
            i += 1;
        }
        // Ordinary states first, then dead and match states.
        let is_special = |sid: StateID| dfa.is_dead(sid) || dfa.is_match(sid);
        let mut order: Vec<usize> = (0..states.len()).collect();
        order.sort_by_key(|&i| is_special(states[i]));
        let mut position = vec![0; states.len()];
        for (pos, &i) in order.iter().enumerate() {
            position[i] = pos;
        }

        // Byte classes: bytes whose column of next states is the same.
        let mut classes = [0u8; 256];
        let mut columns: HashMap<Vec<usize>, u8> = HashMap::new();
        for byte in 0..=255u8 {
            let column: Vec<usize> = states.iter().map(|&sid| index[&next(sid, byte)]).collect();
            let fresh = columns.len();
            // At most 256 distinct columns, so the class always fits in a byte.
            classes[usize::from(byte)] = *columns
                .entry(column)
                .or_insert(u8::try_from(fresh).unwrap_or(u8::MAX));
        }
        let stride = columns.len();
        let id = |i: usize| {
            u32::try_from(position[i] * stride)
                .map_err(|_| "phrase automaton too large".to_string())
        };

        let mut trans = vec![0u32; states.len() * stride];
        let mut specials = Vec::new();
        for &i in &order {
            let sid = states[i];
            let row = position[i] * stride;
            for byte in 0..=255u8 {
                trans[row + usize::from(classes[usize::from(byte)])] = id(index[&next(sid, byte)])?;
            }
            if dfa.is_dead(sid) {
                specials.push(Special::Dead);
            } else if dfa.is_match(sid) {
                // Leftmost match kinds keep a single pattern per match state.
                let pattern = dfa.match_pattern(sid, 0);
                let len = dfa.pattern_len(pattern);
                specials.push(Special::Match { pattern, len });
            }
        }
        Ok(PhraseScanner {
            classes,
            stride,
            ordinary_len: (states.len() - specials.len()) * stride,
            trans,
            specials,
            start: id(0)?,
        })
    }

    /// Every match in `haystack`, in order, exactly as `AhoCorasick::find_iter` reports them.
    pub(crate) fn find_iter<'s, 'h>(&'s self, haystack: &'h str) -> FindIter<'s, 'h> {
        FindIter {
            scanner: self,
            haystack: haystack.as_bytes(),
            start: 0,
            last_match_end: None,
        }
    }

    /// The leftmost-longest match starting at or after `start` (`try_find_fwd_imp`).
    #[inline]
    fn search(&self, haystack: &[u8], start: usize) -> Option<Match> {
        let mut rest = haystack.get(start..)?;
        let mut at = start;
        let mut sid = self.start;
        let mut found = None;
        loop {
            let consumed;
            (sid, consumed) = self.run_ordinary(sid, rest);
            at += consumed;
            rest = &rest[consumed..];
            let Some(special) = self.special(sid) else {
                // The end of the haystack.
                return found;
            };
            match special {
                // Leftmost semantics: once a match is known, failing to extend it ends the
                // search (the DFA sends failure transitions to the dead state).
                Special::Dead => return found,
                // A later match state always extends the match (leftmost-longest). Only an
                // empty pattern makes the start state a match state (a match at `start`).
                Special::Match { pattern, len } => found = Some(Match::new(pattern, at - len..at)),
            }
            // Step out of the match state with the full table.
            let Some((&byte, tail)) = rest.split_first() else {
                return found;
            };
            let Some(&to) = self.trans.get(sid as usize + self.class(byte)) else {
                return found;
            };
            sid = to;
            at += 1;
            rest = tail;
        }
    }

    fn special(&self, sid: u32) -> Option<Special> {
        let offset = (sid as usize).checked_sub(self.ordinary_len)?;
        self.specials.get(offset / self.stride).copied()
    }

    #[inline(always)]
    fn class(&self, byte: u8) -> usize {
        usize::from(self.classes[usize::from(byte)])
    }

    /// Feeds `bytes` to the table from `sid` while the state is ordinary. Returns the last
    /// state and how many bytes were consumed (all of them, unless a dead or match state was
    /// entered). This is the hot loop: two bytes per iteration, one check per byte.
    #[inline(always)]
    fn run_ordinary(&self, mut sid: u32, bytes: &[u8]) -> (u32, usize) {
        let ordinary = &self.trans[..self.ordinary_len];
        let mut pairs = bytes.chunks_exact(2);
        // No position counter in the loop: the bytes consumed follow from what is left.
        let consumed = |pairs: &core::slice::ChunksExact<'_, u8>, back: usize| {
            bytes.len() - pairs.remainder().len() - 2 * pairs.len() - back
        };
        #[allow(clippy::while_let_on_iterator)] // `pairs` is read inside the loop
        while let Some(pair) = pairs.next() {
            // A special state's id is past `ordinary`, so looking it up fails.
            match ordinary.get(sid as usize + self.class(pair[0])) {
                Some(&to) => sid = to,
                None => return (sid, consumed(&pairs, 2)),
            }
            match ordinary.get(sid as usize + self.class(pair[1])) {
                Some(&to) => sid = to,
                None => return (sid, consumed(&pairs, 1)),
            }
        }
        if let &[last] = pairs.remainder() {
            match ordinary.get(sid as usize + self.class(last)) {
                Some(&to) => sid = to,
                None => return (sid, bytes.len() - 1),
            }
        }
        (sid, bytes.len())
    }
}

/// Non-overlapping matches; the same iteration rules as `aho_corasick::automaton::FindIter`.
pub(crate) struct FindIter<'s, 'h> {
    scanner: &'s PhraseScanner,
    haystack: &'h [u8],
    start: usize,
    last_match_end: Option<usize>,
}

impl Iterator for FindIter<'_, '_> {
    type Item = Match;

    fn next(&mut self) -> Option<Match> {
        let mut m = self.scanner.search(self.haystack, self.start)?;
        if m.is_empty() && Some(m.end()) == self.last_match_end {
            // An empty match right after the previous match: retry one byte later so the
            // iterator advances and matches never overlap.
            self.start = m.end() + 1;
            m = self.scanner.search(self.haystack, self.start)?;
        }
        self.start = m.end();
        self.last_match_end = Some(m.end());
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
    use proptest::prelude::*;

    fn reference(patterns: &[String]) -> AhoCorasick {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns)
            .unwrap()
    }

    /// The bundled indicator phrases, as `IndicatorSet` compiles them.
    fn indicator_phrases() -> Vec<String> {
        let set = crate::indicators::IndicatorSet::bundled().unwrap();
        let mut phrases: Vec<String> = Vec::new();
        for def in set.definitions() {
            for p in &def.phrases {
                let lower = p.trim().to_lowercase();
                if !phrases.contains(&lower) {
                    phrases.push(lower);
                }
            }
        }
        phrases
    }

    fn platform_words() -> Vec<String> {
        crate::handles::platform_words()
            .map(str::to_string)
            .collect()
    }

    fn ours(patterns: &[String], text: &str) -> Vec<Match> {
        PhraseScanner::new(patterns)
            .unwrap()
            .find_iter(text)
            .collect()
    }

    fn theirs(patterns: &[String], text: &str) -> Vec<Match> {
        reference(patterns).find_iter(text).collect()
    }

    /// Texts made of phrase pieces (whole, prefixes, suffixes, case-flipped), letters, spaces,
    /// punctuation and non-ASCII characters.
    fn text_from(phrases: Vec<String>) -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => (prop::sample::select(phrases), 0usize..40, 0usize..40, any::<bool>()).prop_map(
                |(p, cut_front, cut_back, upper)| {
                    let chars: Vec<char> = p.chars().collect();
                    let n = chars.len();
                    let (a, b) = match cut_front % 3 {
                        0 => (0, n),
                        1 => (0, n - cut_back.min(n)),
                        _ => (cut_back.min(n), n),
                    };
                    let s: String = chars[a..b].iter().collect();
                    if upper { s.to_ascii_uppercase() } else { s }
                }
            ),
            2 => "[a-zA-Z]{1,4}",
            2 => prop::sample::select(vec![" ", "  ", ".", ",", ":", "/", "-", "@", "'", "\n"])
                .prop_map(str::to_string),
            1 => prop::sample::select(vec!["é", "İ", "ß", "💋", "\u{200b}", "ｓ", "Ω"])
                .prop_map(str::to_string),
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    /// The phrase lists with both automata, built once: building them per case would make the
    /// property tests slow.
    type Pair = (Vec<String>, PhraseScanner, AhoCorasick);

    fn built(phrases: Vec<String>) -> Pair {
        let ours = PhraseScanner::new(&phrases).unwrap();
        let theirs = reference(&phrases);
        (phrases, ours, theirs)
    }

    fn indicators() -> &'static Pair {
        static BUILT: std::sync::OnceLock<Pair> = std::sync::OnceLock::new();
        BUILT.get_or_init(|| built(indicator_phrases()))
    }

    fn handles() -> &'static Pair {
        static BUILT: std::sync::OnceLock<Pair> = std::sync::OnceLock::new();
        BUILT.get_or_init(|| built(platform_words()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn indicator_scan_matches_find_iter(text in text_from(indicators().0.clone())) {
            let (_, ours, theirs) = indicators();
            let found: Vec<Match> = ours.find_iter(&text).collect();
            prop_assert_eq!(found, theirs.find_iter(&text).collect::<Vec<_>>());
        }

        #[test]
        fn handle_scan_matches_find_iter(text in text_from(handles().0.clone())) {
            let (_, ours, theirs) = handles();
            let found: Vec<Match> = ours.find_iter(&text).collect();
            prop_assert_eq!(found, theirs.find_iter(&text).collect::<Vec<_>>());
        }
    }

    #[test]
    fn fixed_examples_match_find_iter() {
        let words = platform_words();
        for text in [
            "",
            "snapchat.com/add/bunny",
            "SNAPCHAT: x, snap - y, Sc: z",
            "instagram.com/a instagramx insta ig",
            "cash app cashapp cash.app/ apple cash applepay",
            "twitter.com/x.com/t.me/",
            "whats app whatsapp we chat wechat only fans onlyfans.com/",
            "💋Kik💋 ｓnap Télégram telegram",
        ] {
            assert_eq!(ours(&words, text), theirs(&words, text), "{text:?}");
        }
        let phrases = indicator_phrases();
        for text in ["", "NEW IN TOWN!! new in town", "no rush, incall/outcall"] {
            assert_eq!(ours(&phrases, text), theirs(&phrases, text), "{text:?}");
        }
    }

    #[test]
    fn longest_overlapping_and_empty_patterns() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&[&str], &str)] = &[
            // Longest wins over the shorter prefix; leftmost wins over a longer later match.
            (&["snap", "snapchat"], "SnapChat snap snapcha"),
            (&["abcd", "bc", "b"], "abcabcd xbcx"),
            (&["a", "aa", "aaa"], "aaaaaaa"),
            // Empty patterns: matches never overlap and the iterator always advances.
            (&["", "a"], "aab a"),
            (&[""], "xyz"),
            (&["", "abc"], ""),
        ];
        for &(patterns, text) in cases {
            let patterns = p(patterns);
            assert_eq!(
                ours(&patterns, text),
                theirs(&patterns, text),
                "{patterns:?} {text:?}"
            );
        }
        let snap = p(&["snap", "snapchat"]);
        let found: Vec<_> = ours(&snap, "SnapChat").iter().map(|m| m.range()).collect();
        assert_eq!(found, vec![0..8]);
    }
}
