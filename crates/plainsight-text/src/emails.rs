//! Email addresses, plain (`name@gmail.com`) and spelled out to dodge filters
//! ("name at gmail dot com", "name [at] gmail [dot] com", "name @ gmail . com",
//! "name(at)yahoo(dot)com"). Output is lower-cased; `obscured` says the writer disguised it.
//!
//! One regex pass finds every "at" marker; each marker is then checked by walking left over a
//! local part and right over dot-separated domain labels. A spelled "at"/"dot" only counts when
//! the result looks like a real address (known mail provider or common top-level domain), so
//! "meet at 5 dot" or "at the hotel" never become emails.

use plainsight_core::Email;

use crate::extract::{FieldText, TextError, is_word_byte};

/// Mail providers whose name after a spelled "at" is proof enough of an address, and which may
/// be written without their `.com` ("Desiree1589@yahoo").
const MAIL_PROVIDERS: &[&str] = &[
    "gmail",
    "yahoo",
    "hotmail",
    "outlook",
    "aol",
    "icloud",
    "live",
    "msn",
    "ymail",
    "protonmail",
    "proton",
    "gmx",
    "mail",
    "comcast",
    "att",
    "verizon",
    "me",
    "rocketmail",
    "sbcglobal",
    "bellsouth",
    "yandex",
    "zoho",
];

/// Top-level domains accepted after a spelled "dot", and where a domain stops growing
/// ("gmail.com.Call" is `gmail.com` followed by a sentence).
const COMMON_TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "info", "biz", "us", "ca", "uk", "co", "io", "me", "fr",
    "de", "at", "ch", "nl", "be", "es", "it", "au", "nz", "ru", "in", "mx", "br", "xxx", "eu",
];

/// Providers written without a TLD get this one (by far the usual case for these brands).
const DEFAULT_PROVIDER_TLD: &str = "com";

/// How the "at" was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AtMarker {
    /// `@` touching both sides: the plain form.
    Plain,
    /// `@` with spaces, or `(at)`, `[at]`, `{at}`, `<at>`, `(@)`: deliberate, unambiguous.
    Bracketed,
    /// The bare word "at": needs corroboration.
    Word,
}

/// Finds email addresses. Built once by [`crate::extract::Extractor`].
#[derive(Debug)]
pub struct EmailFinder {
    _private: (),
}

/// The "at" markers of a text, left to right and not overlapping, as the regex
/// `(?i-u)@|[\(\[\{<]\s*(?:at|@)\s*[\)\]\}>]|\bat\b` finds them (a test checks the two agree).
///
/// Hand-written because "at" is inside so many words ("that", "what", "great") that the
/// regex's literal prefilter stopped on nearly every word, and this runs over every field. The
/// three forms start with different bytes, so at most one can match at a position.
struct AtMarkers<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Iterator for AtMarkers<'_> {
    type Item = std::ops::Range<usize>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.bytes;
        while self.at < bytes.len() {
            // Skip to the next byte that can start a marker with one table look-up per byte.
            let skipped = bytes[self.at..]
                .iter()
                .position(|&b| STARTS_MARKER[usize::from(b)]);
            let Some(skipped) = skipped else {
                self.at = bytes.len();
                break;
            };
            let start = self.at + skipped;
            self.at = start + 1;
            let end = match bytes[start] {
                b'@' => Some(start + 1),
                b'(' | b'[' | b'{' | b'<' => bracketed_at_end(bytes, start),
                b'a' | b'A' => word_at_end(bytes, start),
                _ => None,
            };
            if let Some(end) = end {
                self.at = end;
                return Some(start..end);
            }
        }
        None
    }
}

/// The bytes a marker can start with: `@`, an opening bracket, `a` or `A`.
const STARTS_MARKER: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = matches!(i as u8, b'@' | b'(' | b'[' | b'{' | b'<' | b'a' | b'A');
        i += 1;
    }
    table
};

/// ASCII whitespace as the regex's `(?-u:\s)` has it (including vertical tab).
fn is_regex_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// `[\(\[\{<]\s*(?:at|@)\s*[\)\]\}>]` starting at `open`: where it ends.
fn bracketed_at_end(bytes: &[u8], open: usize) -> Option<usize> {
    let skip_spaces = |mut i: usize| {
        while bytes.get(i).copied().is_some_and(is_regex_space) {
            i += 1;
        }
        i
    };
    let mut i = skip_spaces(open + 1);
    match bytes.get(i..i + 2) {
        Some(pair) if pair.eq_ignore_ascii_case(b"at") => i += 2,
        _ if bytes.get(i) == Some(&b'@') => i += 1,
        _ => return None,
    }
    i = skip_spaces(i);
    matches!(bytes.get(i), Some(b')' | b']' | b'}' | b'>')).then_some(i + 1)
}

/// `\bat\b` (ASCII word boundaries) starting at `start`: where it ends.
fn word_at_end(bytes: &[u8], start: usize) -> Option<usize> {
    let boundary_before = start == 0 || !is_word_byte(bytes[start - 1]);
    let is_at = bytes
        .get(start..start + 2)
        .is_some_and(|pair| pair.eq_ignore_ascii_case(b"at"));
    let boundary_after = bytes.get(start + 2).is_none_or(|&b| !is_word_byte(b));
    (boundary_before && is_at && boundary_after).then_some(start + 2)
}

impl EmailFinder {
    pub fn new() -> Result<EmailFinder, TextError> {
        Ok(EmailFinder { _private: () })
    }

    /// All email addresses in one field, in text order.
    pub fn find(&self, text: &FieldText<'_>) -> Vec<Email> {
        let haystack = text.text();
        let bytes = haystack.as_bytes();
        let mut found = Vec::new();
        let mut resume_at = 0;
        for m in (AtMarkers { bytes, at: 0 }) {
            if m.start < resume_at {
                continue;
            }
            let marker_text = &haystack[m.clone()];
            let mut kind = if marker_text == "@" {
                AtMarker::Plain
            } else if marker_text.len() == 2 {
                AtMarker::Word
            } else {
                AtMarker::Bracketed
            };
            // Local part: walk left, allowing a little space before a spaced or spelled "at".
            let mut left_end = m.start;
            let spaces_before = count_spaces_back(bytes, left_end);
            if spaces_before > 0 {
                if kind == AtMarker::Plain {
                    kind = AtMarker::Bracketed;
                }
                left_end -= spaces_before;
            }
            let mut local_start = left_end;
            while local_start > 0 && is_local_byte(bytes[local_start - 1]) {
                local_start -= 1;
            }
            // A local part starts with a letter or digit.
            while local_start < left_end && !bytes[local_start].is_ascii_alphanumeric() {
                local_start += 1;
            }
            if local_start == left_end || left_end - local_start > 64 {
                continue;
            }
            let local = &haystack[local_start..left_end];
            let spaces_after = count_spaces_forward(bytes, m.end);
            if spaces_after > 0 && kind == AtMarker::Plain {
                kind = AtMarker::Bracketed;
            }
            let Some(domain) = parse_domain(haystack, m.end + spaces_after) else {
                continue;
            };
            let mut labels = domain.labels;
            let first = labels[0].to_ascii_lowercase();
            let is_provider = MAIL_PROVIDERS.contains(&first.as_str());
            let mut obscured = kind != AtMarker::Plain || domain.spelled_dot || domain.spaced_dot;
            let mut end = domain.end;
            if labels.len() == 1 {
                // "name@yahoo" with no TLD: complete it only for the big providers.
                if !is_provider || kind == AtMarker::Word {
                    continue;
                }
                labels.push(DEFAULT_PROVIDER_TLD);
                obscured = true;
                end = domain.first_label_end;
            } else {
                let tld = labels[labels.len() - 1].to_ascii_lowercase();
                let tld_known = COMMON_TLDS.contains(&tld.as_str());
                let corroborated = match kind {
                    AtMarker::Plain => true,
                    AtMarker::Bracketed => tld_known || !domain.spelled_dot,
                    AtMarker::Word => is_provider || (tld_known && domain.spelled_dot),
                };
                if !corroborated || (domain.spelled_dot && !tld_known && !is_provider) {
                    continue;
                }
                // A spelled "at" between two ordinary words is prose: "meet at five dot com"
                // needs at least a plausible user name (letters or digits, no spaces inside).
                if kind == AtMarker::Word && local.eq_ignore_ascii_case("me") {
                    continue;
                }
            }
            let address = format!(
                "{}@{}",
                local.to_ascii_lowercase(),
                labels
                    .iter()
                    .map(|l| l.to_ascii_lowercase())
                    .collect::<Vec<_>>()
                    .join(".")
            );
            let (span, raw) = text.locate(local_start..end);
            found.push(Email {
                email: address,
                raw,
                obscured,
                span,
                field: text.field,
            });
            resume_at = end;
        }
        found
    }
}

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// Spaces or tabs (at most 3) immediately before `pos`.
fn count_spaces_back(bytes: &[u8], pos: usize) -> usize {
    let mut n = 0;
    while n < 3 && pos > n && matches!(bytes[pos - n - 1], b' ' | b'\t') {
        n += 1;
    }
    if n == 3 { 0 } else { n }
}

/// Spaces or tabs (at most 3) from `pos` on.
fn count_spaces_forward(bytes: &[u8], pos: usize) -> usize {
    let mut n = 0;
    while n < 3 && matches!(bytes.get(pos + n), Some(b' ' | b'\t')) {
        n += 1;
    }
    if n == 3 { 0 } else { n }
}

struct ParsedDomain<'a> {
    labels: Vec<&'a str>,
    end: usize,
    first_label_end: usize,
    spelled_dot: bool,
    spaced_dot: bool,
}

/// Read `label (dot label)*` from `start`, accepting `.`, ` . `, `(dot)`, `[dot]`, `{dot}`,
/// `<dot>`, `(.)`, `[.]` and the word "dot" as separators.
fn parse_domain(haystack: &str, start: usize) -> Option<ParsedDomain<'_>> {
    let bytes = haystack.as_bytes();
    let read_label = |from: usize| -> Option<usize> {
        let mut e = from;
        while e < bytes.len() && is_label_byte(bytes[e]) && e - from < 63 {
            e += 1;
        }
        let label = &bytes[from..e];
        (e > from && label[0].is_ascii_alphanumeric()).then_some(e)
    };
    let first_end = read_label(start)?;
    let mut labels = vec![&haystack[start..first_end]];
    let mut end = first_end;
    let mut spelled_dot = false;
    let mut spaced_dot = false;
    while let Some((sep_end, spelled, spaced)) = read_dot(bytes, end) {
        let Some(label_end) = read_label(sep_end) else {
            break;
        };
        let label = &haystack[sep_end..label_end];
        // "Desiree1589@yahoo. Follow me": a dot with space after it ends a sentence unless what
        // follows is a top-level domain ("name @ gmail . com").
        if spaced && !COMMON_TLDS.contains(&label.to_ascii_lowercase().as_str()) {
            break;
        }
        // Once the domain ends in a common TLD, a further label must itself be a country code
        // ("co.uk"); otherwise the dot ends a sentence ("gmail.com.Call me").
        let last = labels[labels.len() - 1].to_ascii_lowercase();
        if labels.len() >= 2
            && COMMON_TLDS.contains(&last.as_str())
            && !(label.len() == 2 && label.bytes().all(|b| b.is_ascii_alphabetic()))
        {
            break;
        }
        labels.push(label);
        end = label_end;
        spelled_dot |= spelled;
        spaced_dot |= spaced;
        if labels.len() > 6 {
            break;
        }
    }
    // The last label of a multi-label domain is a TLD: letters only.
    while labels.len() > 1 {
        let tld = labels[labels.len() - 1];
        if tld.len() >= 2 && tld.len() <= 24 && tld.bytes().all(|b| b.is_ascii_alphabetic()) {
            break;
        }
        // Drop a trailing non-TLD label (and the separator before it).
        labels.pop();
        end = find_label_end(haystack, start, &labels);
    }
    Some(ParsedDomain {
        labels,
        end,
        first_label_end: first_end,
        spelled_dot,
        spaced_dot,
    })
}

/// End offset of the last of `labels` when re-reading from `start` (labels appear in order).
fn find_label_end(haystack: &str, start: usize, labels: &[&str]) -> usize {
    let mut pos = start;
    for label in labels {
        if let Some(found) = haystack[pos..].find(label) {
            pos += found + label.len();
        }
    }
    pos
}

/// A dot separator at `pos`: returns (end, spelled, spaced).
fn read_dot(bytes: &[u8], pos: usize) -> Option<(usize, bool, bool)> {
    let spaces = count_spaces_forward(bytes, pos);
    let p = pos + spaces;
    let rest = &bytes[p.min(bytes.len())..];
    let lower_starts =
        |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
    if rest.first() == Some(&b'.') {
        let after = p + 1;
        let trailing = count_spaces_forward(bytes, after);
        return Some((after + trailing, false, spaces + trailing > 0));
    }
    for (open, close) in [(b'(', b')'), (b'[', b']'), (b'{', b'}'), (b'<', b'>')] {
        if rest.first() == Some(&open) {
            let inner_start = 1 + count_spaces_forward(rest, 1);
            let inner = &rest[inner_start..];
            let inner_len = if inner.len() >= 3 && inner[..3].eq_ignore_ascii_case(b"dot") {
                3
            } else if inner.first() == Some(&b'.') {
                1
            } else {
                return None;
            };
            let close_at =
                inner_start + inner_len + count_spaces_forward(rest, inner_start + inner_len);
            if rest.get(close_at) != Some(&close) {
                return None;
            }
            let after = p + close_at + 1;
            return Some((after + count_spaces_forward(bytes, after), true, false));
        }
    }
    if spaces > 0 && lower_starts(b"dot") && rest.get(3).is_some_and(|b| *b == b' ' || *b == b'\t')
    {
        let after = p + 3;
        return Some((after + count_spaces_forward(bytes, after), true, false));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use plainsight_core::Field;
    use proptest::prelude::*;

    /// The pattern [`AtMarkers`] implements by hand.
    const AT_MARKER_REGEX: &str = r"(?i-u)@|[\(\[\{<]\s*(?:at|@)\s*[\)\]\}>]|\bat\b";

    fn markers_by_regex(text: &str) -> Vec<std::ops::Range<usize>> {
        regex::Regex::new(AT_MARKER_REGEX)
            .unwrap()
            .find_iter(text)
            .map(|m| m.range())
            .collect()
    }

    fn markers_by_hand(text: &str) -> Vec<std::ops::Range<usize>> {
        AtMarkers {
            bytes: text.as_bytes(),
            at: 0,
        }
        .collect()
    }

    #[test]
    fn at_markers_agree_with_the_regex_on_examples() {
        for text in [
            "",
            "at",
            "AT the hotel, that cat at5 _at at_ (at) [ AT ]{@}<\u{b} at \t>(a t)",
            "name@gmail.com name @ gmail (@ ) ( at)) [at",
            "été at ça (at)é «at» at\u{a0}x ((at))",
        ] {
            assert_eq!(markers_by_hand(text), markers_by_regex(text), "{text:?}");
        }
    }

    proptest! {
        /// Texts built from the bytes that matter (brackets, "a", "t", spaces of every kind,
        /// word characters, non-ASCII letters) agree with the regex everywhere.
        #[test]
        fn at_markers_agree_with_the_regex(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("a"), Just("A"), Just("t"), Just("T"), Just("at"), Just("@"),
                    Just("("), Just(")"), Just("["), Just("]"), Just("{"), Just("}"),
                    Just("<"), Just(">"), Just(" "), Just("\t"), Just("\n"), Just("\u{b}"),
                    Just("\u{c}"), Just("\r"), Just("_"), Just("x"), Just("9"), Just("é"),
                    Just("\u{a0}"), Just("."),
                ],
                0..40,
            )
        ) {
            let text: String = parts.concat();
            prop_assert_eq!(markers_by_hand(&text), markers_by_regex(&text));
        }
    }

    fn emails(text: &str) -> Vec<(String, bool, String)> {
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, Field::Body);
        EmailFinder::new()
            .unwrap()
            .find(&ft)
            .into_iter()
            .map(|e| (e.email, e.obscured, e.raw))
            .collect()
    }

    #[test]
    fn plain_addresses() {
        assert_eq!(
            emails("yours is \n E-mail:anna@wanadoo.fr  Ashley2"),
            vec![("anna@wanadoo.fr".into(), false, "anna@wanadoo.fr".into())]
        );
        assert_eq!(
            emails("knows office@fantasie-escort.at how")[0].0,
            "office@fantasie-escort.at"
        );
        assert_eq!(emails("Mail Me@Gmail.com.Call now")[0].0, "me@gmail.com");
        assert_eq!(emails("x jo@mail.co.uk.")[0].0, "jo@mail.co.uk");
    }

    #[test]
    fn spelled_forms_are_obscured() {
        for text in [
            "email name at gmail dot com today",
            "email name [at] gmail [dot] com today",
            "email name @ gmail . com today",
            "email name(at)gmail(dot)com today",
            "email name AT gmail DOT com",
            "email name { at } gmail { dot } com",
        ] {
            let found = emails(text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].0, "name@gmail.com", "{text}");
            assert!(found[0].1, "{text}");
        }
        assert_eq!(
            emails("email me at ashleyspecialselect @ gmail .com in call")[0].0,
            "ashleyspecialselect@gmail.com"
        );
        assert_eq!(
            emails("Desiree1589@yahoo. Follow")[0].0,
            "desiree1589@yahoo.com"
        );
    }

    #[test]
    fn prose_is_not_an_email() {
        for text in [
            "meet at 5 dot",
            "I am at the hotel tonight",
            "see you at noon. Call me",
            "available at 10.30 pm",
            "Follow me @ DiamondSquirt",
            "@handle only",
            "919@555@0123",
            "look at my site dot com",
        ] {
            assert!(emails(text).is_empty(), "{text}: {:?}", emails(text));
        }
    }

    #[test]
    fn raw_is_the_original_slice() {
        let text = "x  name (at) gmail (dot) com y";
        let found = emails(text);
        assert_eq!(found[0].2, "name (at) gmail (dot) com");
    }
}
