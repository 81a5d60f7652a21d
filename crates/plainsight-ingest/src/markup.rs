//! HTML left in the text fields of JSONL and CSV records: line-break tags and character
//! references become what a reader of the page saw, everything that can hide text stays.
//!
//! Scrapers often copy a description's HTML as it was (`Call me<br>anytime`, `I&#39;m`,
//! `R&amp;B`). Shown as they are, these make the ad page, the templates and search show
//! markup, not text. The rule (`docs/ad-format.md`, "HTML in text fields"):
//!
//! - `<br>` in any spelling (`<br/>`, `<BR />`, `</br>`) and `<p>` / `</p>` become a line
//!   break, unless the tag carries a `style` or `hidden` attribute (which may hide text);
//! - character references (`&amp;`, `&nbsp;`, `&#39;`, `&#x27;`, every named reference of
//!   HTML, with their `;`) become their characters, `&nbsp;` a plain space, and numeric
//!   references in 128–159 the windows-1252 character a browser shows;
//! - except a reference to an ASCII letter or digit (`&#57;` for `9`): no scraper escapes
//!   those, only a writer hiding a number from a search, and the normaliser in
//!   `plainsight-text` reads them and reports the disguise (`html`), so they are kept;
//! - every other tag, comment and `<span style=display:none>` stays as written: the normaliser
//!   understands them (tags inside numbers, hidden text) and the evidence must not vanish.
//!
//! The result is the stored text; every span an extractor reports is a byte range into it.

use std::borrow::Cow;

use plainsight_core::Ad;

use crate::entities::NAMED;

/// Apply [`text_from_markup`] to the ad's title, body and location.
pub(crate) fn clean_text_fields(ad: &mut Ad) {
    for field in [&mut ad.title, &mut ad.body, &mut ad.location] {
        if let Some(text) = field
            && let Cow::Owned(clean) = text_from_markup(text)
        {
            *text = clean;
        }
    }
}

/// Longest tag looked at; longer `<...>` stretches are left alone.
const MAX_TAG_LEN: usize = 256;
/// Longest character reference name (`&CounterClockwiseContourIntegral;` is 31 letters).
const MAX_ENTITY_LEN: usize = 40;

/// Apply the rule to one text field. Borrowed when nothing changes (the common case).
pub fn text_from_markup(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let Some(first) = memchr::memchr2(b'<', b'&', bytes) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut i = first;
    // Paragraphs opened by a kept (possibly hiding) `<p>`: their `</p>` is kept as well.
    let mut kept_paragraphs = 0u32;
    while i < bytes.len() {
        let replaced = match bytes[i] {
            b'<' => match line_break_tag(text, i) {
                Tag::LineBreak { end, closes_p } => {
                    if closes_p && kept_paragraphs > 0 {
                        kept_paragraphs -= 1;
                        None
                    } else {
                        Some((Replacement::Str("\n"), end))
                    }
                }
                Tag::Kept { opens_p } => {
                    kept_paragraphs += u32::from(opens_p);
                    None
                }
                Tag::Other => None,
            },
            b'&' => character_reference(text, i),
            _ => None,
        };
        match replaced {
            Some((replacement, end)) => {
                if out.capacity() == 0 {
                    out.reserve(text.len());
                }
                out.push_str(&text[copied..i]);
                match replacement {
                    Replacement::Str(s) => out.push_str(s),
                    Replacement::Char(c) => out.push(c),
                }
                copied = end;
                i = end;
            }
            None => i += 1,
        }
        match memchr::memchr2(b'<', b'&', &bytes[i..]) {
            Some(next) => i += next,
            None => break,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

enum Replacement {
    Str(&'static str),
    Char(char),
}

/// What a `<` starts.
enum Tag {
    /// A `<br>`, `<p>` or `</p>` to turn into a line break, ending at `end`.
    LineBreak { end: usize, closes_p: bool },
    /// A `<br>` or `<p>` with a `style` or `hidden` attribute: kept as written.
    Kept { opens_p: bool },
    /// Any other tag, or not a tag.
    Other,
}

/// Classify the tag at `start`.
fn line_break_tag(text: &str, start: usize) -> Tag {
    let bytes = text.as_bytes();
    let limit = bytes.len().min(start + MAX_TAG_LEN);
    let mut i = start + 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < limit && bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let name = &bytes[name_start..i];
    let is_p = name.eq_ignore_ascii_case(b"p");
    if !(name.eq_ignore_ascii_case(b"br") || is_p) {
        return Tag::Other;
    }
    let attrs_start = i;
    // The tag ends at the first `>` outside quotes; a `<` before it means this is not a tag.
    let mut quote = None;
    while i < limit {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'>' => break,
                b'<' => return Tag::Other,
                b'"' | b'\'' => quote = Some(b),
                _ => {}
            },
        }
        i += 1;
    }
    if i >= limit {
        return Tag::Other;
    }
    let attrs = &bytes[attrs_start..i];
    // The name must end the word: `<pre>` and `<brand>` are other tags.
    if attrs
        .first()
        .is_some_and(|b| !(b.is_ascii_whitespace() || *b == b'/'))
    {
        return Tag::Other;
    }
    let lower = attrs.to_ascii_lowercase();
    if memchr::memmem::find(&lower, b"style").is_some()
        || memchr::memmem::find(&lower, b"hidden").is_some()
    {
        return Tag::Kept {
            opens_p: is_p && !closing,
        };
    }
    Tag::LineBreak {
        end: i + 1,
        closes_p: is_p && closing,
    }
}

/// A character reference at `start` (an `&`) that the rule decodes: the replacement and the
/// end of the reference.
fn character_reference(text: &str, start: usize) -> Option<(Replacement, usize)> {
    let bytes = text.as_bytes();
    let limit = bytes.len().min(start + MAX_ENTITY_LEN + 2);
    let semicolon = start + 1 + memchr::memchr(b';', &bytes[start + 1..limit])?;
    let body = &text[start + 1..semicolon];
    let end = semicolon + 1;
    let c = if let Some(number) = body.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) if !hex.is_empty() && hex.len() <= 8 => u32::from_str_radix(hex, 16).ok()?,
            Some(_) => return None,
            None if !number.is_empty()
                && number.len() <= 10
                && number.bytes().all(|b| b.is_ascii_digit()) =>
            {
                number.parse().ok()?
            }
            None => return None,
        };
        numeric_reference(value)?
    } else {
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let index = NAMED
            .binary_search_by(|(name, _)| name.as_bytes().cmp(body.as_bytes()))
            .ok()?;
        let value = NAMED[index].1;
        if body == "nbsp" || body == "NonBreakingSpace" {
            return Some((Replacement::Str(" "), end));
        }
        let mut chars = value.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => c,
            // A few names stand for two code points.
            _ => return Some((Replacement::Str(value), end)),
        }
    };
    if c.is_ascii_alphanumeric() {
        // A disguised letter or digit: the normaliser reads it and reports the disguise.
        return None;
    }
    Some((Replacement::Char(if c == '\u{A0}' { ' ' } else { c }), end))
}

/// The character of `&#N;`, as browsers read it: 128–159 are windows-1252's characters,
/// NUL, surrogates and values past U+10FFFF are not characters (left as written).
fn numeric_reference(value: u32) -> Option<char> {
    if (0x80..0xA0).contains(&value) {
        let byte = [value as u8];
        let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
        return decoded.chars().next();
    }
    if value == 0 {
        return None;
    }
    char::from_u32(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        text_from_markup(s).into_owned()
    }

    #[test]
    fn line_break_tags_become_line_breaks() {
        assert_eq!(t("Call me<br>anytime"), "Call me\nanytime");
        assert_eq!(t("a<br/>b<BR />c</br>d"), "a\nb\nc\nd");
        assert_eq!(t("<p>one</p><p class=\"x\">two</p>"), "\none\n\ntwo\n");
        assert_eq!(t("<br clear=\"all\">x"), "\nx");
        assert_eq!(
            t("<p hidden>x</p><p>y</p>"),
            "<p hidden>x</p>\ny\n",
            "only the hidden one is kept"
        );
    }

    #[test]
    fn entities_become_characters() {
        assert_eq!(
            t("R&amp;B &nbsp;I&#39;m &#x27;here&#x27; &hearts; &euro;100"),
            "R&B  I'm 'here' ♥ €100"
        );
        assert_eq!(t("&#150; &#x2605;&lt;3"), "– ★<3");
        assert_eq!(t("&amp;lt;"), "&lt;", "one level only");
        assert_eq!(t("mail&commat;x&period;com"), "mail@x.com");
    }

    #[test]
    fn what_can_hide_text_stays_as_written() {
        for s in [
            "9&#49;9 555 0123",
            "&#x39;19",
            "919<b></b>555<!-- x -->0123",
            "<p style=\"display:none\">555</p>",
            "<p hidden>x</p>",
            "<p hidden>x<p style=\"color:red\">y</p></p>",
            "<span style=\"display:none\">5</span>",
            "<pre>x</pre> <brand>",
            "AT&T, Tom & Jerry, &unknown; &#0; &#xD800; &#99999999999;",
            "<br",
            "& ;",
        ] {
            assert_eq!(t(s), s, "{s:?}");
        }
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            text_from_markup("no markup here"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(text_from_markup("a & b < c"), Cow::Borrowed(_)));
    }
}
