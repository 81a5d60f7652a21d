//! URLs written in ad text: `http(s)://…`, `www.…`, and bare domains with a common
//! top-level domain ("Shaunastylesgfe.com"). Email addresses are never reported as URLs.

use plainsight_core::UrlRef;
use regex::Regex;

use crate::extract::{FieldText, TextError};

/// Top-level domains accepted for a *bare* domain (no scheme, no `www.`). Kept short on purpose:
/// with a longer list, ordinary text such as "star.model" or "St.Louis" would turn into domains.
const BARE_DOMAIN_TLDS: &str =
    "com|net|org|info|biz|us|ca|xxx|cc|io|tv|me|co\\.uk|uk|eu|club|site|online|escort|link|ly|to";

/// Finds URLs. Built once by [`crate::extract::Extractor`].
#[derive(Debug)]
pub struct UrlFinder {
    pattern: Regex,
}

impl UrlFinder {
    pub fn new() -> Result<UrlFinder, TextError> {
        // ASCII word boundaries keep the regex on its fast DFA path even when the text is full
        // of emoji (a Unicode `\b` would force the slower engines).
        let source = format!(
            r"(?i)(?:https?://[^\s<>{{}}|\\^`\x22']+|(?-u:\b)www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#][^\s<>{{}}|\\^`\x22']*)?|(?-u:\b)[a-z0-9](?:[a-z0-9-]{{0,62}})(?:\.[a-z0-9-]{{1,63}})*\.(?:{BARE_DOMAIN_TLDS})(?-u:\b)(?:[/?#][^\s<>{{}}|\\^`\x22']*)?)"
        );
        Ok(UrlFinder {
            pattern: Regex::new(&source).map_err(|e| TextError::BuiltinPattern {
                finder: "urls",
                message: e.to_string(),
            })?,
        })
    }

    /// All URLs in one field, in text order.
    pub fn find(&self, text: &FieldText<'_>) -> Vec<UrlRef> {
        let haystack = text.text();
        let bytes = haystack.as_bytes();
        let mut found = Vec::new();
        if !may_hold_url(bytes) {
            return found;
        }
        for m in self.pattern.find_iter(haystack) {
            let mut end = m.end();
            // Sentence punctuation and closing brackets after a URL belong to the sentence.
            while end > m.start()
                && matches!(
                    bytes[end - 1],
                    b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']' | b'\'' | b'*'
                )
            {
                end -= 1;
            }
            let start = m.start();
            if end <= start || is_inside_email(bytes, start, end) {
                continue;
            }
            let url = &haystack[start..end];
            let Some(domain) = domain_of(url) else {
                continue;
            };
            // "5.30" or "1.com" style fragments: a real host name has a letter in it.
            if !domain.bytes().any(|b| b.is_ascii_alphabetic()) || !domain.contains('.') {
                continue;
            }
            let (span, raw) = text.locate(start..end);
            found.push(UrlRef {
                url: url.to_string(),
                domain,
                raw,
                span,
                field: text.field,
            });
        }
        found
    }
}

/// Can the URL pattern match anywhere in `bytes`? Every match holds "://" or a "." followed by
/// a host or top-level-domain character (ASCII letter, digit or `-`, or a non-ASCII letter,
/// which case-insensitive matching may fold to ASCII). Most ad texts hold neither, and this
/// check is far cheaper than running the pattern over them.
fn may_hold_url(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"://").is_some()
        || memchr::memchr_iter(b'.', bytes).any(|dot| {
            bytes
                .get(dot + 1)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-' || b >= 0x80)
        })
}

/// True when `[start, end)` is the domain part of an email address (`name@host.com`) or is
/// followed by `@` (the local part of one).
fn is_inside_email(bytes: &[u8], start: usize, end: usize) -> bool {
    if bytes.get(end) == Some(&b'@') {
        return true;
    }
    let mut i = start;
    while i > 0 {
        let b = bytes[i - 1];
        if b == b'@' {
            return true;
        }
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-') {
            i -= 1;
        } else {
            return false;
        }
    }
    false
}

/// Lower-case host name without scheme, `www.`, port, path or credentials.
pub fn domain_of(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let mut host = &rest[..host_end];
    if let Some(at) = host.rfind('@') {
        host = &host[at + 1..];
    }
    if let Some(colon) = host.find(':') {
        host = &host[..colon];
    }
    let host = host.strip_prefix("www.").unwrap_or(host);
    let host = host.trim_end_matches('.');
    if host.is_empty() {
        None
    } else {
        Some(host.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::FieldText;
    use crate::normalize::normalize;
    use proptest::prelude::*;

    proptest! {
        /// The cheap check never rules out a text the pattern matches.
        #[test]
        fn the_precheck_never_hides_a_match(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("www"), Just("."), Just("com"), Just("http"), Just("s"), Just("://"),
                    Just(":"), Just("/"), Just("ſ"), Just("\u{212a}"), Just("uk"), Just("co"),
                    Just("x"), Just("-"), Just(" "), Just("9"), Just("é"), Just("@"),
                ],
                0..24,
            )
        ) {
            let text: String = parts.concat();
            let finder = UrlFinder::new().unwrap();
            if finder.pattern.is_match(&text) {
                prop_assert!(may_hold_url(text.as_bytes()), "{text:?}");
            }
        }
    }
    use plainsight_core::Field;

    fn urls(text: &str) -> Vec<(String, String)> {
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, Field::Body);
        UrlFinder::new()
            .unwrap()
            .find(&ft)
            .into_iter()
            .map(|u| (u.url, u.domain))
            .collect()
    }

    #[test]
    fn finds_schemes_www_and_bare_domains() {
        assert_eq!(
            urls("see http://www.manchesterlads.com/Max-Sail.aspx + more"),
            vec![(
                "http://www.manchesterlads.com/Max-Sail.aspx".to_string(),
                "manchesterlads.com".to_string()
            )]
        );
        assert_eq!(
            urls("visit www.KeissyHennessey.com Txt"),
            vec![(
                "www.KeissyHennessey.com".to_string(),
                "keissyhennessey.com".to_string()
            )]
        );
        assert_eq!(
            urls("my site Shaunastylesgfe.com. Follow"),
            vec![(
                "Shaunastylesgfe.com".to_string(),
                "shaunastylesgfe.com".to_string()
            )]
        );
        assert_eq!(urls("leolist.cc rules")[0].1, "leolist.cc");
    }

    #[test]
    fn emails_and_prose_are_not_urls() {
        assert!(urls("mail anna@gmail.com now").is_empty());
        assert!(urls("name.surname@yahoo.com").is_empty());
        assert!(urls("I'm a 3x star.model. Call Me 5.30 pm").is_empty());
        assert!(urls("Desiree1589@yahoo. Follow").is_empty());
    }

    #[test]
    fn trailing_punctuation_is_dropped() {
        assert_eq!(
            urls("(see https://x.example.com/a).")[0].0,
            "https://x.example.com/a"
        );
    }
}
