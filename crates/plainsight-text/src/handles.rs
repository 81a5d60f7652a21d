//! Social-media handles (X/Twitter, Instagram, Snapchat, Telegram, WhatsApp, Kik, OnlyFans,
//! WeChat) and payment handles (Cash App, Venmo, PayPal, Zelle, Apple Cash, Chime).
//!
//! A handle is only taken from platform context: a platform word followed by a separator and
//! the handle ("IG: name", "snap - name", "follow me on twitter @ name", "kik me name"), or a
//! profile link ("instagram.com/name", "t.me/name", "onlyfans.com/name", "paypal.me/name").
//! Cash App `$cashtag`s are recognised on their own; a `$` followed by a digit is a price.

use plainsight_core::{Handle, Payment};

use crate::extract::{FieldText, TextError};
use crate::scan::PhraseScanner;

/// Where a platform word leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Social(&'static str),
    Payment(&'static str),
}

/// Platform words (matched case-insensitively on word boundaries) and link prefixes.
/// Link prefixes end in `/` and take the handle straight after them.
const PLATFORM_WORDS: &[(&str, Target)] = &[
    ("twitter", Target::Social("twitter")),
    ("tweet me", Target::Social("twitter")),
    ("twitter.com/", Target::Social("twitter")),
    ("x.com/", Target::Social("twitter")),
    ("instagram", Target::Social("instagram")),
    ("insta", Target::Social("instagram")),
    ("ig", Target::Social("instagram")),
    ("instagram.com/", Target::Social("instagram")),
    ("snapchat", Target::Social("snapchat")),
    ("snap", Target::Social("snapchat")),
    ("sc", Target::Social("snapchat")),
    ("snapchat.com/add/", Target::Social("snapchat")),
    ("telegram", Target::Social("telegram")),
    ("t.me/", Target::Social("telegram")),
    ("whatsapp", Target::Social("whatsapp")),
    ("whats app", Target::Social("whatsapp")),
    ("kik", Target::Social("kik")),
    ("onlyfans", Target::Social("onlyfans")),
    ("only fans", Target::Social("onlyfans")),
    ("onlyfans.com/", Target::Social("onlyfans")),
    ("wechat", Target::Social("wechat")),
    ("we chat", Target::Social("wechat")),
    ("cashapp", Target::Payment("cashapp")),
    ("cash app", Target::Payment("cashapp")),
    ("cash.app/", Target::Payment("cashapp")),
    ("venmo", Target::Payment("venmo")),
    ("venmo.com/", Target::Payment("venmo")),
    ("paypal", Target::Payment("paypal")),
    ("paypal.me/", Target::Payment("paypal")),
    ("zelle", Target::Payment("zelle")),
    ("apple cash", Target::Payment("applecash")),
    ("apple pay", Target::Payment("applecash")),
    ("applepay", Target::Payment("applecash")),
    ("chime", Target::Payment("chime")),
];

/// The platform words in automaton pattern order (for the scanner's tests).
#[cfg(test)]
pub(crate) fn platform_words() -> impl Iterator<Item = &'static str> {
    PLATFORM_WORDS.iter().map(|(w, _)| *w)
}

/// Words that sit between a platform word and the handle ("snapchat me: x", "my snapchat id
/// is x", "follow me on instagram at x"). They are skipped, never taken as a handle.
const FILLER_WORDS: &[&str] = &[
    "me", "id", "is", "name", "handle", "username", "user", "account", "acct", "at", "page", "add",
    "us", "my", "it's", "its", "only", "=", "tag", "info",
];

/// Common words that follow a platform word in prose and are never handles.
const NOT_HANDLES: &[&str] = &[
    "to",
    "and",
    "or",
    "the",
    "for",
    "fun",
    "also",
    "today",
    "only",
    "text",
    "call",
    "sms",
    "with",
    "me",
    "you",
    "on",
    "in",
    "at",
    "of",
    "is",
    "id",
    "my",
    "your",
    "us",
    "now",
    "first",
    "please",
    "accepted",
    "available",
    "ok",
    "okay",
    "friendly",
    "deposit",
    "payment",
    "pay",
    "account",
    "page",
    "name",
    "handle",
    "verified",
    "viber",
    "facebook",
    "email",
    "mail",
    "phone",
    "number",
    "just",
    "shenanigans",
    "chat",
    "video",
    "videos",
    "pics",
    "pic",
    "photos",
    "send",
    "sent",
    "not",
    "no",
    "yes",
    "if",
    "but",
    "so",
    "dm",
    "follow",
    "add",
    "check",
    "out",
    "it",
    "too",
    "as",
    "well",
    "then",
    "link",
    "below",
    "above",
    "bio",
    "here",
    "there",
    "profile",
    "story",
    "stories",
    "live",
    "content",
    "cash",
    "app",
    "www",
    "http",
    "https",
    "com",
    "welcome",
    "accept",
    "accepts",
    "taking",
    "take",
    "before",
    "after",
    "contact",
    "search",
    "find",
    "look",
    "looking",
    "sessions",
    "session",
    "private",
];

/// Finds handles and payment handles. Built once by [`crate::extract::Extractor`].
#[derive(Debug)]
pub struct HandleFinder {
    /// Case-insensitive, leftmost-longest.
    platforms: PhraseScanner,
}

impl HandleFinder {
    pub fn new() -> Result<HandleFinder, TextError> {
        let platforms =
            PhraseScanner::new(PLATFORM_WORDS.iter().map(|(w, _)| *w)).map_err(|e| {
                TextError::BuiltinPattern {
                    finder: "handles",
                    message: e.to_string(),
                }
            })?;
        Ok(HandleFinder { platforms })
    }

    /// Social handles and payment handles in one field, each in text order.
    pub fn find(&self, text: &FieldText<'_>) -> (Vec<Handle>, Vec<Payment>) {
        let haystack = text.text();
        let bytes = haystack.as_bytes();
        let mut handles = Vec::new();
        let mut payments: Vec<Payment> = Vec::new();
        let mut cashtags_taken: Vec<usize> = Vec::new();

        // A list of platforms before one handle ("Twitter/ Instagram @name") gives the handle
        // to each of them; `pending` holds the platforms still waiting for their handle.
        let mut pending: Vec<Target> = Vec::new();
        let mut pending_end = 0usize;
        for m in self.platforms.find_iter(haystack) {
            let word = PLATFORM_WORDS[m.pattern().as_usize()].0;
            let is_link = word.ends_with('/');
            if !is_link && !on_word_boundaries(bytes, m.start(), m.end()) {
                continue;
            }
            if is_link
                && m.start() > 0
                && is_handle_byte(bytes[m.start() - 1])
                && bytes[m.start() - 1] != b'.'
            {
                // "xinstagram.com/" is some other site.
                if !haystack[..m.start()].ends_with("www.") {
                    continue;
                }
            }
            let target = PLATFORM_WORDS[m.pattern().as_usize()].1;
            // Short platform words ("ig", "sc", "snap") are common in other senses; demand an
            // explicit separator after them.
            let needs_separator = !is_link && word.len() <= 4 && word != "kik";
            if !pending.is_empty()
                && pending_end <= m.start()
                && is_list_joiner(&haystack[pending_end..m.start()])
            {
                pending.push(target);
            } else {
                pending.clear();
                pending.push(target);
            }
            pending_end = m.end();
            let Some(found) =
                read_handles_after(haystack, m.end(), is_link, needs_separator, target)
            else {
                continue;
            };
            for (index, (range, value)) in found.into_iter().enumerate() {
                // The first handle's evidence includes the platform word; further `@handles`
                // in the same run stand on their own.
                let evidence_start = if index == 0 {
                    m.start()
                } else if range.start > 0 && bytes[range.start - 1] == b'@' {
                    range.start - 1
                } else {
                    range.start
                };
                let (span, raw) = text.locate(evidence_start..range.end);
                for t in &pending {
                    match *t {
                        Target::Social(platform) => handles.push(Handle {
                            platform: platform.to_string(),
                            handle: value.clone(),
                            raw: raw.clone(),
                            span,
                            field: text.field,
                        }),
                        Target::Payment(platform) => {
                            if platform == "cashapp" || platform == "chime" {
                                cashtags_taken.push(range.start);
                            }
                            payments.push(Payment {
                                platform: platform.to_string(),
                                handle: value.clone(),
                                raw: raw.clone(),
                                span,
                                field: text.field,
                            });
                        }
                    }
                }
            }
            pending.clear();
        }

        // Bare `$cashtag`s: a `$` then a letter, not touching a word or another `$`.
        for (i, _) in haystack.match_indices('$') {
            if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'$') {
                continue;
            }
            let start = i + 1;
            if !bytes.get(start).is_some_and(|b| b.is_ascii_alphabetic()) {
                continue; // "$200" is a price.
            }
            let mut end = start;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'-'))
                && end - start < 20
            {
                end += 1;
            }
            if bytes
                .get(end)
                .is_some_and(|b| *b == b'$' || b.is_ascii_alphanumeric())
            {
                continue; // "$pecial$" is decoration, not a tag.
            }
            let tag = &haystack[start..end];
            if tag.len() < 3
                || is_not_handle(tag)
                || cashtags_taken.iter().any(|&s| s == start || s + 1 == start)
            {
                continue;
            }
            if payments.iter().any(|p| {
                p.handle.eq_ignore_ascii_case(tag)
                    && (p.platform == "cashapp" || p.platform == "chime")
            }) {
                continue;
            }
            let (span, raw) = text.locate(i..end);
            payments.push(Payment {
                platform: "cashapp".to_string(),
                handle: tag.to_string(),
                raw,
                span,
                field: text.field,
            });
        }
        payments.sort_by_key(|p| p.span.start);
        (handles, payments)
    }
}

/// True when the text between two platform words only joins them ("/", "&", "and", ",").
fn is_list_joiner(between: &str) -> bool {
    // Whitespace alone is not a list ("Visit TWITTER   Snapchat : name" names one platform).
    matches!(between.trim(), "/" | "&" | "," | "+" | "and" | "or" | "|")
}

fn on_word_boundaries(bytes: &[u8], start: usize, end: usize) -> bool {
    let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
    let after_ok = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
    before_ok && after_ok
}

fn is_handle_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn is_not_handle(word: &str) -> bool {
    NOT_HANDLES.iter().any(|w| w.eq_ignore_ascii_case(word))
        || PLATFORM_WORDS
            .iter()
            .any(|(w, _)| !w.ends_with('/') && w.eq_ignore_ascii_case(word))
}

/// A handle that looks made up rather than a dictionary word: it has a digit, an underscore or
/// dot inside, or a capital letter after the first character.
fn looks_like_handle(word: &str) -> bool {
    word.bytes()
        .any(|b| b.is_ascii_digit() || b == b'_' || b == b'.')
        || word.bytes().skip(1).any(|b| b.is_ascii_uppercase())
            && word.bytes().any(|b| b.is_ascii_lowercase())
}

/// Read the handle(s) after a platform word ending at `pos`. Returns `(range, handle)` pairs.
fn read_handles_after(
    haystack: &str,
    pos: usize,
    is_link: bool,
    needs_separator: bool,
    target: Target,
) -> Option<Vec<(std::ops::Range<usize>, String)>> {
    let bytes = haystack.as_bytes();
    let allows_contact = matches!(
        target,
        Target::Payment("zelle" | "applecash" | "paypal") | Target::Social("whatsapp")
    );
    if is_link {
        let (range, value) = read_handle_token(haystack, pos, allows_contact)?;
        return Some(vec![(range, value)]);
    }
    // Skip separators and filler words: " : ", " - ", " @ ", " me: ", " id is ".
    let mut p = pos;
    let mut saw_separator = false;
    let mut saw_at = false;
    let mut words_skipped = 0;
    loop {
        let start = p;
        while p < bytes.len() && matches!(bytes[p], b' ' | b'\t' | b'\n' | b'\r') {
            p += 1;
        }
        while p < bytes.len()
            && matches!(
                bytes[p],
                b':' | b'-' | b'=' | b'>' | b'~' | b'/' | b'#' | b'@' | 0xE2
            )
        {
            // 0xE2 starts the UTF-8 of dashes and arrows ("–", "—", "→").
            if bytes[p] == 0xE2 {
                let Some(c) = haystack[p..].chars().next() else {
                    break;
                };
                if !matches!(c, '–' | '—' | '→' | '➡' | '⇒') {
                    break;
                }
                p += c.len_utf8();
            } else {
                if bytes[p] == b'@' {
                    saw_at = true;
                }
                p += 1;
            }
            saw_separator = true;
            while p < bytes.len() && matches!(bytes[p], b' ' | b'\t') {
                p += 1;
            }
        }
        // A filler word, then go round again.
        let word_end = (p..bytes.len())
            .find(|&i| !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'\''))
            .unwrap_or(bytes.len());
        let word = &haystack[p..word_end];
        let filler_ends_cleanly = bytes
            .get(word_end)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b':' | b'-' | b'=' | b'@'));
        if !saw_at
            && words_skipped < 3
            && filler_ends_cleanly
            && FILLER_WORDS.iter().any(|f| f.eq_ignore_ascii_case(word))
        {
            // "ID:wewo94": the filler itself ends in a separator.
            p = word_end;
            words_skipped += 1;
            // "kik me name", "snapchat id name", "id is name": these mark what follows.
            if ["is", "at", "me", "id"]
                .iter()
                .any(|w| word.eq_ignore_ascii_case(w))
            {
                saw_separator = true;
            }
            continue;
        }
        if p == start && !saw_separator && p < bytes.len() && bytes[p] != b' ' && p == pos {
            // The platform word runs straight into something ("snapchat@x" handled above).
            return None;
        }
        break;
    }
    // "$tag" after "cash app" / "chime" is as explicit as "@name".
    if bytes.get(p) == Some(&b'$') {
        saw_at = true;
    }
    let (range, value) = read_handle_token(haystack, p, allows_contact)?;
    if is_not_handle(&value) {
        return None;
    }
    // "snap bunny" is prose; "snap: bunny" is a handle. Longer platform words may run
    // straight into a handle only when it looks made up ("snapchat mvf_scott22").
    if needs_separator && !saw_separator {
        return None;
    }
    if !saw_separator && !saw_at && !looks_like_handle(&value) {
        return None;
    }
    let mut found = vec![(range.clone(), value)];
    // More `@handles` straight after ("Twitter - @MaxSailXXX @charleycolexxx").
    let mut q = range.end;
    loop {
        let mut r = q;
        while r < bytes.len() && matches!(bytes[r], b' ' | b',' | b'&') {
            r += 1;
        }
        if bytes.get(r) != Some(&b'@') {
            break;
        }
        let Some((next_range, next)) = read_handle_token(haystack, r + 1, false) else {
            break;
        };
        if is_not_handle(&next) {
            break;
        }
        q = next_range.end;
        found.push((next_range, next));
    }
    Some(found)
}

/// A handle token at `pos`: letters, digits, `_`, `.`, `-` (2–30 long, trailing `.`/`-`
/// trimmed). With `allows_contact`, an email address or a phone number is a handle too.
fn read_handle_token(
    haystack: &str,
    pos: usize,
    allows_contact: bool,
) -> Option<(std::ops::Range<usize>, String)> {
    let bytes = haystack.as_bytes();
    let mut p = pos;
    if bytes.get(p) == Some(&b'@')
        || (bytes.get(p) == Some(&b'$')
            && bytes.get(p + 1).is_some_and(|b| b.is_ascii_alphabetic()))
    {
        p += 1;
    }
    let start = p;
    let mut end = p;
    let extra: &[u8] = if allows_contact { b"_.-@+() " } else { b"_.-" };
    while end < bytes.len()
        && end - start < 40
        && (bytes[end].is_ascii_alphanumeric() || extra.contains(&bytes[end]))
    {
        if bytes[end] == b' '
            && !(allows_contact
                && bytes.get(end + 1).is_some_and(|b| b.is_ascii_digit())
                && end > start
                && bytes[end - 1].is_ascii_digit())
        {
            break;
        }
        end += 1;
    }
    while end > start && matches!(bytes[end - 1], b'.' | b'-' | b'@' | b'+' | b'(' | b' ') {
        end -= 1;
    }
    let value = &haystack[start..end];
    let len = value.len();
    if !((2..=30).contains(&len) || allows_contact && (7..=40).contains(&len)) {
        return None;
    }
    if !value
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'(' || b == b'+')
    {
        return None;
    }
    // A bare number is a handle only where phone numbers are handles (WhatsApp, Zelle ...).
    if !allows_contact && value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((start..end, value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use plainsight_core::Field;

    type Pairs = Vec<(String, String)>;

    fn run(text: &str) -> (Pairs, Pairs) {
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, Field::Body);
        let (h, p) = HandleFinder::new().unwrap().find(&ft);
        (
            h.into_iter().map(|h| (h.platform, h.handle)).collect(),
            p.into_iter().map(|p| (p.platform, p.handle)).collect(),
        )
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn handles_from_platform_context() {
        assert_eq!(
            run("Follow me on Twitter @ DiamondSquirt. Also").0,
            vec![pair("twitter", "DiamondSquirt")]
        );
        assert_eq!(run("IG: name_99").0, vec![pair("instagram", "name_99")]);
        assert_eq!(run("snap: bunny").0, vec![pair("snapchat", "bunny")]);
        assert_eq!(run("sc- bunny").0, vec![pair("snapchat", "bunny")]);
        assert_eq!(run("kik me kitty").0, vec![pair("kik", "kitty")]);
        assert_eq!(
            run("see onlyfans.com/missy now").0,
            vec![pair("onlyfans", "missy")]
        );
        assert_eq!(run("t.me/missy_x").0, vec![pair("telegram", "missy_x")]);
        assert_eq!(
            run("instagram.com/missy.x").0,
            vec![pair("instagram", "missy.x")]
        );
        assert_eq!(
            run("My snapchat id is cancer1976").0,
            vec![pair("snapchat", "cancer1976")]
        );
        assert_eq!(run("wechat ID:wewo94").0, vec![pair("wechat", "wewo94")]);
        assert_eq!(
            run("Twitter/ Instagram @DiamondMonrow.").0,
            vec![
                pair("twitter", "DiamondMonrow"),
                pair("instagram", "DiamondMonrow")
            ]
        );
        assert_eq!(
            run("Twitter - @MaxSailXXX @charleycolexxx Snapchat - maxsailxxx").0,
            vec![
                pair("twitter", "MaxSailXXX"),
                pair("twitter", "charleycolexxx"),
                pair("snapchat", "maxsailxxx")
            ]
        );
    }

    #[test]
    fn prose_after_platform_words_is_not_a_handle() {
        for text in [
            "my website is listed on Twitter !",
            "You can find me on Twitter also.",
            "Looking to SNAPCHAT today.",
            "casual snapchat fun",
            "whatsapp and viber is +852",
            "Visit TWITTER   Snapchat",
            "big sc fan",
            "snap pics",
            "I dig it",
        ] {
            assert!(run(text).0.is_empty(), "{text}: {:?}", run(text).0);
        }
    }

    #[test]
    fn payments_and_cashtags() {
        assert_eq!(run("cashapp: honeyb").1, vec![pair("cashapp", "honeyb")]);
        assert_eq!(
            run("deposit to $HoneyB22 first").1,
            vec![pair("cashapp", "HoneyB22")]
        );
        assert_eq!(run("cash app $HoneyB").1, vec![pair("cashapp", "HoneyB")]);
        assert_eq!(run("venmo @honey-b").1, vec![pair("venmo", "honey-b")]);
        assert_eq!(run("paypal.me/honeyb").1, vec![pair("paypal", "honeyb")]);
        assert_eq!(
            run("zelle: honey@gmail.com").1,
            vec![pair("zelle", "honey@gmail.com")]
        );
        assert_eq!(
            run("Apple Pay: 919-555-0123").1,
            vec![pair("applecash", "919-555-0123")]
        );
        assert_eq!(run("chime $honeyb").1, vec![pair("chime", "honeyb")]);
    }

    #[test]
    fn dollar_amounts_are_never_cashtags() {
        for text in [
            "only $200 tonight",
            "20-40 $pecial$",
            "$$$ cash $",
            "100$ hr",
            "paypal accepted",
        ] {
            assert!(run(text).1.is_empty(), "{text}: {:?}", run(text).1);
        }
    }
}
