//! Normalisation of obfuscated ad text with a byte-offset map back to the original.
//!
//! Ads hide phone numbers and keywords behind HTML, entities, double-encoded UTF-8
//! ("mojibake"), Unicode look-alikes (full-width, mathematical, circled and keycap digits),
//! Cyrillic/Greek letters inside Latin words, zero-width characters and odd spacing.
//! [`normalize`] undoes all of that and keeps, for every byte of the clean text, the byte
//! range of the original it came from, so an extractor can report a span (and the raw slice)
//! in the text the analyst actually sees.
//!
//! The work is done in passes, each of which is a few linear scans:
//! 1. markup and encodings: HTML tags (dropped; block tags become a line break), entities
//!    (named, decimal, hex, nested `&amp;lt;`), literal `\uXXXX` / `<U+XXXX>` escapes left by
//!    exporters, and mojibake repair;
//! 2. characters: invisible characters removed, keycaps and circled dingbat digits turned into
//!    digits, everything else put in NFKC;
//! 3. words and spaces: look-alike letters fixed inside otherwise-Latin words, whitespace runs
//!    collapsed to one space (or one line break), ends trimmed.
//!
//! A pass can uncover new work (an entity that decodes to `<`, a tag removed from the middle
//! of mojibake), so passes repeat until the text stops changing, which makes `normalize`
//! idempotent. Plain ASCII text without markup takes a fast path through every scan. Case is
//! kept: extractors match case-insensitively.

use std::ops::{BitOr, BitOrAssign, Range};

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Passes after which [`normalize`] stops even if the text would still change. Real text
/// settles after one or two; only adversarial nesting (tags hiding inside entities hiding
/// inside tags ...) needs more.
const MAX_PASSES: usize = 8;

/// Longest HTML tag we are willing to recognise; a longer `<...>` stretch is left as text.
const MAX_TAG_LEN: usize = 2048;

/// Longest `<script>`/`<style>` body that is skipped as a whole.
const MAX_SCRIPT_LEN: usize = 65_536;

/// The largest char boundary of `s` at or before `at` (clamped to its length).
fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// What kinds of rewriting produced a stretch of normalised text (a small bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Changes(u8);

impl Changes {
    /// Nothing: the text was copied unchanged.
    pub const NONE: Changes = Changes(0);
    /// An HTML tag, replaced by a line break or space (or removed, which leaves no text).
    pub const HTML_TAG: Changes = Changes(1);
    /// An HTML character reference (`&amp;`, `&#57;`, `&#x39;`).
    pub const HTML_ENTITY: Changes = Changes(1 << 1);
    /// Double-encoded UTF-8 repaired ("Ã©" → "é").
    pub const MOJIBAKE: Changes = Changes(1 << 2);
    /// A compatibility look-alike: full-width, mathematical, circled, superscript or keycap
    /// characters (NFKC and the dingbat/keycap tables).
    pub const LOOKALIKE: Changes = Changes(1 << 3);
    /// A Cyrillic/Greek letter (or `£`/`€`) standing in for a Latin letter inside a word.
    pub const CONFUSABLE: Changes = Changes(1 << 4);
    /// A literal escape sequence left by an exporter (`\u2022`, `<U+1F48B>`, `\"`).
    pub const ESCAPE: Changes = Changes(1 << 5);
    /// Whitespace collapsed or replaced.
    pub const WHITESPACE: Changes = Changes(1 << 6);

    /// True when every kind in `other` is also in `self`.
    pub fn contains(self, other: Changes) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when `self` and `other` share at least one kind.
    pub fn intersects(self, other: Changes) -> bool {
        self.0 & other.0 != 0
    }

    /// True when no rewriting happened.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for Changes {
    type Output = Changes;
    fn bitor(self, rhs: Changes) -> Changes {
        Changes(self.0 | rhs.0)
    }
}

impl BitOrAssign for Changes {
    fn bitor_assign(&mut self, rhs: Changes) {
        self.0 |= rhs.0;
    }
}

/// One stretch of output text and the source bytes it came from.
///
/// A *verbatim* piece is a byte-for-byte copy (so any byte inside maps to the same offset in
/// the source); a *mapped* piece is a rewrite, and every byte of it maps to the whole source
/// range. Pieces are sorted, contiguous in the output and never overlap in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    out_start: usize,
    src_start: usize,
    src_end: usize,
    verbatim: bool,
    changes: Changes,
}

/// The map from one text to the text it was made from.
#[derive(Debug, Clone, Default)]
struct OffsetMap {
    pieces: Vec<Piece>,
    out_len: usize,
}

impl OffsetMap {
    fn identity(len: usize) -> OffsetMap {
        let mut map = OffsetMap::default();
        if len > 0 {
            map.pieces.push(Piece {
                out_start: 0,
                src_start: 0,
                src_end: len,
                verbatim: true,
                changes: Changes::NONE,
            });
        }
        map.out_len = len;
        map
    }

    /// Append a piece, merging it with the previous one when they continue each other.
    fn push(&mut self, piece: Piece, out_len: usize) {
        if let Some(last) = self.pieces.last_mut() {
            let last_out_len = piece.out_start - last.out_start;
            if last.verbatim
                && piece.verbatim
                && last.src_end == piece.src_start
                && last.src_end - last.src_start == last_out_len
            {
                last.src_end = piece.src_end;
                self.out_len = piece.out_start + out_len;
                return;
            }
            if !last.verbatim
                && !piece.verbatim
                && last.src_start == piece.src_start
                && last.src_end == piece.src_end
            {
                last.changes |= piece.changes;
                self.out_len = piece.out_start + out_len;
                return;
            }
        }
        self.pieces.push(piece);
        self.out_len = piece.out_start + out_len;
    }

    /// Index of the piece holding output byte `pos` (`pos < out_len`).
    fn piece_at(&self, pos: usize) -> usize {
        self.pieces
            .partition_point(|p| p.out_start <= pos)
            .saturating_sub(1)
    }

    fn piece_out_end(&self, index: usize) -> usize {
        self.pieces
            .get(index + 1)
            .map_or(self.out_len, |p| p.out_start)
    }

    /// Source offset of the output position `pos` (a char boundary), used for empty ranges.
    fn map_point(&self, pos: usize) -> usize {
        if self.pieces.is_empty() {
            return 0;
        }
        if pos >= self.out_len {
            return self.pieces[self.pieces.len() - 1].src_end;
        }
        let p = &self.pieces[self.piece_at(pos)];
        if p.verbatim {
            p.src_start + (pos - p.out_start)
        } else {
            p.src_start
        }
    }

    /// Map an output range (char-aligned, in bounds) to the source range it came from.
    fn map_range(&self, range: Range<usize>) -> Range<usize> {
        if range.start >= range.end || self.pieces.is_empty() {
            let p = self.map_point(range.start);
            return p..p;
        }
        let first = &self.pieces[self.piece_at(range.start)];
        let start = if first.verbatim {
            first.src_start + (range.start - first.out_start)
        } else {
            first.src_start
        };
        let last = &self.pieces[self.piece_at(range.end - 1)];
        let end = if last.verbatim {
            last.src_start + (range.end - last.out_start)
        } else {
            last.src_end
        };
        start..end.max(start)
    }

    /// Every kind of change that touched the output range.
    fn changes_in(&self, range: Range<usize>) -> Changes {
        let mut changes = Changes::NONE;
        if range.start >= range.end || self.pieces.is_empty() {
            return changes;
        }
        let mut index = self.piece_at(range.start);
        while index < self.pieces.len() && self.pieces[index].out_start < range.end {
            changes |= self.pieces[index].changes;
            index += 1;
        }
        changes
    }

    /// `outer` maps text C to text B and `inner` maps B to A: return the map from C to A.
    fn compose(outer: &OffsetMap, inner: &OffsetMap) -> OffsetMap {
        let mut out = OffsetMap {
            pieces: Vec::with_capacity(outer.pieces.len().max(inner.pieces.len())),
            out_len: 0,
        };
        for (index, piece) in outer.pieces.iter().enumerate() {
            let piece_out_end = outer.piece_out_end(index);
            if !piece.verbatim {
                let src = inner.map_range(piece.src_start..piece.src_end);
                out.push(
                    Piece {
                        out_start: piece.out_start,
                        src_start: src.start,
                        src_end: src.end,
                        verbatim: false,
                        changes: piece.changes | inner.changes_in(piece.src_start..piece.src_end),
                    },
                    piece_out_end - piece.out_start,
                );
                continue;
            }
            // A verbatim copy of B may span several pieces of the B → A map: split it.
            let mut at = piece.src_start;
            let mut inner_index = inner.piece_at(at);
            while at < piece.src_end && inner_index < inner.pieces.len() {
                let inner_piece = inner.pieces[inner_index];
                let inner_end = inner.piece_out_end(inner_index).min(piece.src_end);
                let out_start = piece.out_start + (at - piece.src_start);
                let sub_len = inner_end - at;
                let mapped = if inner_piece.verbatim {
                    let src_start = inner_piece.src_start + (at - inner_piece.out_start);
                    Piece {
                        out_start,
                        src_start,
                        src_end: src_start + sub_len,
                        verbatim: true,
                        changes: Changes::NONE,
                    }
                } else {
                    Piece {
                        out_start,
                        src_start: inner_piece.src_start,
                        src_end: inner_piece.src_end,
                        verbatim: false,
                        changes: inner_piece.changes,
                    }
                };
                out.push(mapped, sub_len);
                at = inner_end;
                inner_index += 1;
            }
        }
        out.out_len = outer.out_len;
        out
    }
}

/// Builds an output text together with its [`OffsetMap`] back to the text being scanned.
struct MapBuilder {
    text: String,
    map: OffsetMap,
    changed: bool,
}

impl MapBuilder {
    fn with_capacity(capacity: usize) -> MapBuilder {
        MapBuilder {
            text: String::with_capacity(capacity),
            map: OffsetMap::default(),
            changed: false,
        }
    }

    /// Copy `src[range]` unchanged.
    fn copy(&mut self, src: &str, range: Range<usize>) {
        if range.start >= range.end {
            return;
        }
        let out_start = self.text.len();
        self.text.push_str(&src[range.clone()]);
        self.map.push(
            Piece {
                out_start,
                src_start: range.start,
                src_end: range.end,
                verbatim: true,
                changes: Changes::NONE,
            },
            range.end - range.start,
        );
    }

    /// Write `out` in place of the source bytes `src`.
    fn emit(&mut self, out: &str, src: Range<usize>, changes: Changes) {
        self.changed = true;
        if out.is_empty() {
            return;
        }
        let out_start = self.text.len();
        self.text.push_str(out);
        self.map.push(
            Piece {
                out_start,
                src_start: src.start,
                src_end: src.end,
                verbatim: false,
                changes,
            },
            out.len(),
        );
    }

    fn emit_char(&mut self, c: char, src: Range<usize>, changes: Changes) {
        let mut buf = [0u8; 4];
        self.emit(c.encode_utf8(&mut buf), src, changes);
    }

    /// Record that source bytes were dropped (they produce no output and no piece).
    fn drop_source(&mut self) {
        self.changed = true;
    }

    /// Take back the last output byte, which must be a verbatim ASCII copy; returns its
    /// source offset. Used when a following combining sequence needs its base character.
    fn take_back_ascii(&mut self) -> Option<usize> {
        let last = self.map.pieces.last_mut()?;
        let last_byte = *self.text.as_bytes().last()?;
        if !last.verbatim || !last_byte.is_ascii() {
            return None;
        }
        self.text.pop();
        last.src_end -= 1;
        let src = last.src_end;
        if last.src_end == last.src_start {
            self.map.pieces.pop();
        }
        self.map.out_len = self.text.len();
        Some(src)
    }

    fn finish(self) -> Option<(String, OffsetMap)> {
        self.changed.then_some((self.text, self.map))
    }
}

/// Normalised text plus, for every byte of it, where it came from in the original.
#[derive(Debug, Clone)]
pub struct Normalized {
    text: String,
    map: OffsetMap,
    original_len: usize,
}

impl Normalized {
    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Length in bytes of the original text this was made from.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// Map a byte range of the normalised text back to a byte range of the original text.
    /// Always returns a range inside the original, on char boundaries. Out-of-bounds or
    /// reversed input is clamped; a range that splits a character is widened to whole
    /// characters first.
    pub fn original_span(&self, range: Range<usize>) -> Range<usize> {
        let (start, end) = self.snap(range);
        let mapped = self.map.map_range(start..end);
        let clamp = |p: usize| p.min(self.original_len);
        clamp(mapped.start)..clamp(mapped.end.max(mapped.start))
    }

    /// Every kind of rewriting that produced some byte of the normalised range (for example
    /// to tell whether a phone number was written with look-alike digits).
    pub fn changes(&self, range: Range<usize>) -> Changes {
        let (start, end) = self.snap(range);
        self.map.changes_in(start..end)
    }

    /// True when the normalised text is a byte-for-byte copy of the original.
    pub fn is_unchanged(&self) -> bool {
        self.text.len() == self.original_len
            && self.map.pieces.len() <= 1
            && self.map.pieces.iter().all(|p| p.verbatim)
    }

    /// Clamp a range into the text and widen it to char boundaries.
    fn snap(&self, range: Range<usize>) -> (usize, usize) {
        let len = self.text.len();
        let mut start = range.start.min(len);
        let mut end = range.end.min(len).max(start);
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        (start, end)
    }
}

/// Normalise `original` (plain text or HTML). See the module documentation for what is undone.
pub fn normalize(original: &str) -> Normalized {
    let mut current: Option<(String, OffsetMap)> = None;
    for _ in 0..MAX_PASSES {
        let input = current.as_ref().map_or(original, |(text, _)| text.as_str());
        let Some((text, map)) = run_pass(input) else {
            break;
        };
        if text == input {
            break;
        }
        let map = match current.take() {
            None => map,
            Some((_, previous)) => OffsetMap::compose(&map, &previous),
        };
        let settled = !has_markup_triggers(&text);
        current = Some((text, map));
        if settled {
            break;
        }
    }
    let (text, map) =
        current.unwrap_or_else(|| (original.to_string(), OffsetMap::identity(original.len())));
    Normalized {
        text,
        map,
        original_len: original.len(),
    }
}

/// A stage of a pass: the rewritten text and its map back to the stage's input, or `None`
/// when the stage has nothing to change.
type Stage = fn(&str) -> Option<(String, OffsetMap)>;

/// One pass of all three stages; `None` when the text is already normal.
fn run_pass(input: &str) -> Option<(String, OffsetMap)> {
    let mut current: Option<(String, OffsetMap)> = None;
    let stages: [Stage; 3] = [decode_markup, clean_characters, fix_words_and_spaces];
    for stage in stages {
        let input_text = current.as_ref().map_or(input, |(text, _)| text.as_str());
        if let Some((text, map)) = stage(input_text) {
            let map = match current.take() {
                None => map,
                Some((_, previous)) => OffsetMap::compose(&map, &previous),
            };
            current = Some((text, map));
        }
    }
    current
}

/// Could another pass still find markup, an escape or mojibake in `text`?
fn has_markup_triggers(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Only these four bytes can start a construct; `memchr` finds them many bytes at a time
    // (this runs after every pass over every field).
    if memchr::memchr(0xC3, bytes).is_some() {
        return true;
    }
    memchr::memchr3_iter(b'<', b'&', b'\\', bytes).any(|i| {
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        match bytes[i] {
            b'<' => next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?'),
            b'&' => next.is_ascii_alphanumeric() || next == b'#',
            _ => {
                (i == 0 || bytes[i - 1] != b'\\')
                    && matches!(next, b'u' | b'U' | b'"' | b'n' | b'r' | b't')
            }
        }
    })
}

/// Does `bytes` hold a byte that can start markup, an escape or mojibake (`<`, `&`, `\`, or
/// 0xC3, the lead byte of double-encoded Latin-1)? Stage 1 has nothing to do otherwise.
fn has_markup_bytes(bytes: &[u8]) -> bool {
    memchr::memchr3(b'<', b'&', b'\\', bytes).is_some() || memchr::memchr(0xC3, bytes).is_some()
}

/// Position of the first byte at or after `from` that [`has_markup_bytes`] looks for.
fn next_markup_byte(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let markup = memchr::memchr3(b'<', b'&', b'\\', rest);
    let mojibake = memchr::memchr(0xC3, markup.map_or(rest, |m| &rest[..m]));
    mojibake.or(markup).map(|offset| from + offset)
}

// ---------------------------------------------------------------------------------------------
// Stage 1: markup, escapes and mojibake.
// ---------------------------------------------------------------------------------------------

/// What a recognised construct in the source turns into.
enum Replacement {
    Char(char, Changes),
    Text(&'static str, Changes),
    Nothing,
}

fn decode_markup(src: &str) -> Option<(String, OffsetMap)> {
    let bytes = src.as_bytes();
    if !has_markup_bytes(bytes) {
        return None;
    }
    let mut out = MapBuilder::with_capacity(src.len());
    let mut plain_start = 0;
    let mut i = 0;
    // End of the last repaired mojibake sequence: a neighbour makes a weaker one credible.
    let mut last_mojibake_end = usize::MAX;
    while i < bytes.len() {
        // Jump to the next byte that can start a construct; everything before it is copied
        // verbatim with the rest of the plain stretch.
        let Some(next) = next_markup_byte(bytes, i) else {
            break;
        };
        i = next;
        let found = match bytes[i] {
            b'<' => decode_angle_escape(src, i).or_else(|| strip_tag(src, i)),
            b'&' => decode_entity(src, i)
                .map(|(c, end)| (Replacement::Char(c, Changes::HTML_ENTITY), end)),
            // A backslash after a backslash is not an escape (that pair stays as written), so
            // passes cannot peel a run of backslashes one at a time.
            b'\\' if i == 0 || bytes[i - 1] != b'\\' => decode_backslash_escape(src, i),
            0xC3 => repair_mojibake(src, i, last_mojibake_end == i).map(|(c, end)| {
                last_mojibake_end = end;
                (Replacement::Char(c, Changes::MOJIBAKE), end)
            }),
            _ => None,
        };
        match found {
            Some((replacement, end)) => {
                out.copy(src, plain_start..i);
                match replacement {
                    Replacement::Char(c, changes) => out.emit_char(c, i..end, changes),
                    Replacement::Text(s, changes) => out.emit(s, i..end, changes),
                    Replacement::Nothing => out.drop_source(),
                }
                i = end;
                plain_start = end;
            }
            None => i += 1,
        }
    }
    out.copy(src, plain_start..bytes.len());
    out.finish()
}

/// HTML elements that break a line of text.
fn is_block_element(name: &str) -> bool {
    const BLOCK: &[&str] = &[
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "title",
        "tr",
        "ul",
        "body",
        "html",
        "head",
    ];
    BLOCK.iter().any(|b| b.eq_ignore_ascii_case(name))
}

/// HTML elements that separate words without breaking the line.
fn is_spacing_element(name: &str) -> bool {
    const SPACING: &[&str] = &[
        "td", "th", "img", "option", "input", "button", "select", "label",
    ];
    SPACING.iter().any(|b| b.eq_ignore_ascii_case(name))
}

/// Recognise an HTML tag or comment starting at `start` (a `<`).
fn strip_tag(src: &str, start: usize) -> Option<(Replacement, usize)> {
    let bytes = src.as_bytes();
    let limit = (start + MAX_TAG_LEN).min(bytes.len());
    match bytes.get(start + 1)? {
        b'!' => {
            if bytes[start..].starts_with(b"<!--") {
                let close = find_bytes(&bytes[start + 4..limit], b"-->")?;
                return Some((Replacement::Nothing, start + 4 + close + 3));
            }
            let close = bytes[start..limit].iter().position(|&b| b == b'>')?;
            Some((Replacement::Nothing, start + close + 1))
        }
        b'?' => {
            let close = bytes[start..limit].iter().position(|&b| b == b'>')?;
            Some((Replacement::Nothing, start + close + 1))
        }
        _ => {
            let closing = bytes[start + 1] == b'/';
            let name_start = start + 1 + usize::from(closing);
            if !bytes.get(name_start)?.is_ascii_alphabetic() {
                return None;
            }
            let mut name_end = name_start;
            while name_end < limit
                && (bytes[name_end].is_ascii_alphanumeric() || bytes[name_end] == b'-')
            {
                name_end += 1;
            }
            // `<3`, `<abc@mail.com>` and `<U+1F48B>` are not tags.
            if !matches!(
                bytes.get(name_end)?,
                b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>'
            ) {
                return None;
            }
            let end = find_tag_end(bytes, name_end, limit)?;
            let name = &src[name_start..name_end];
            let replacement = if is_block_element(name) {
                Replacement::Text("\n", Changes::HTML_TAG)
            } else if is_spacing_element(name) {
                Replacement::Text(" ", Changes::HTML_TAG)
            } else {
                Replacement::Nothing
            };
            // Script and style bodies are code, not ad text.
            if !closing
                && (name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style"))
                && bytes[end - 2] != b'/'
            {
                let close_tag = if name.eq_ignore_ascii_case("script") {
                    "</script"
                } else {
                    "</style"
                };
                // Bounded, so that many unclosed `<script>` tags stay linear.
                let search_end = floor_char_boundary(src, end + MAX_SCRIPT_LEN);
                if let Some(body_end) =
                    find_ascii_case_insensitive(&src[end..search_end], close_tag)
                {
                    let close_start = end + body_end;
                    if let Some(close_end) = bytes[close_start..].iter().position(|&b| b == b'>') {
                        return Some((
                            Replacement::Text("\n", Changes::HTML_TAG),
                            close_start + close_end + 1,
                        ));
                    }
                }
            }
            Some((replacement, end))
        }
    }
}

/// Find the `>` closing a tag, honouring quoted attribute values. `None` for broken tags.
fn find_tag_end(bytes: &[u8], from: usize, limit: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    let mut after_equals = false;
    let mut k = from;
    while k < limit {
        let b = bytes[k];
        match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'>' => return Some(k + 1),
                b'<' => return None,
                b'"' | b'\'' if after_equals => quote = Some(b),
                b'=' => {
                    after_equals = true;
                    k += 1;
                    continue;
                }
                b' ' | b'\t' | b'\n' | b'\r' => {
                    k += 1;
                    continue;
                }
                _ => {}
            },
        }
        after_equals = false;
        k += 1;
    }
    None
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// `<U+1F48B>`: a code point written out by an exporter (R and some scrapers do this).
fn decode_angle_escape(src: &str, start: usize) -> Option<(Replacement, usize)> {
    let rest = src.as_bytes().get(start..)?;
    if !(rest.starts_with(b"<U+") || rest.starts_with(b"<u+")) {
        return None;
    }
    let hex_len = rest[3..]
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    if !(4..=6).contains(&hex_len) || rest.get(3 + hex_len) != Some(&b'>') {
        return None;
    }
    let value = u32::from_str_radix(&src[start + 3..start + 3 + hex_len], 16).ok()?;
    let c = char::from_u32(value)?;
    Some((
        Replacement::Char(c, Changes::ESCAPE),
        start + 3 + hex_len + 1,
    ))
}

/// JSON-style escapes left in exported text: `\u2022`, surrogate pairs, `\"`, `\n`, `\t`.
fn decode_backslash_escape(src: &str, start: usize) -> Option<(Replacement, usize)> {
    let bytes = src.as_bytes();
    let hex4 = |at: usize| -> Option<u32> {
        let digits = bytes.get(at..at + 4)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    match bytes.get(start + 1)? {
        b'u' => {
            let first = hex4(start + 2)?;
            if (0xD800..0xDC00).contains(&first) {
                // A high surrogate must be followed by an escaped low surrogate.
                if bytes.get(start + 6..start + 8)? != b"\\u" {
                    return None;
                }
                let second = hex4(start + 8)?;
                if !(0xDC00..0xE000).contains(&second) {
                    return None;
                }
                let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                let c = char::from_u32(value)?;
                return Some((Replacement::Char(c, Changes::ESCAPE), start + 12));
            }
            let c = char::from_u32(first)?;
            Some((Replacement::Char(c, Changes::ESCAPE), start + 6))
        }
        b'U' => {
            let digits = bytes.get(start + 2..start + 10)?;
            if !digits.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let value = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
            let c = char::from_u32(value)?;
            Some((Replacement::Char(c, Changes::ESCAPE), start + 10))
        }
        b'"' => Some((Replacement::Char('"', Changes::ESCAPE), start + 2)),
        b'n' => Some((Replacement::Char('\n', Changes::ESCAPE), start + 2)),
        b'r' => Some((Replacement::Char('\n', Changes::ESCAPE), start + 2)),
        b't' => Some((Replacement::Char(' ', Changes::ESCAPE), start + 2)),
        _ => None,
    }
}

/// Decode the character reference starting at `start` (an `&`); nested `&amp;` chains such as
/// `&amp;amp;lt;` are followed to the end. Returns the character and the end offset.
fn decode_entity(src: &str, start: usize) -> Option<(char, usize)> {
    let (mut c, mut end) = decode_entity_body(src, start + 1)?;
    // `&amp;` followed by what would be an entity body is a double-encoded entity.
    while c == '&' {
        match decode_entity_body(src, end) {
            Some((next, next_end)) => {
                c = next;
                end = next_end;
            }
            None => break,
        }
    }
    Some((c, end))
}

/// Decode `name;`, `#123;` or `#x1F;` at `at` (just after an `&`).
fn decode_entity_body(src: &str, at: usize) -> Option<(char, usize)> {
    let bytes = src.as_bytes();
    if bytes.get(at) == Some(&b'#') {
        let (radix, digits_start) = match bytes.get(at + 1) {
            Some(b'x' | b'X') => (16, at + 2),
            _ => (10, at + 1),
        };
        let digit_count = bytes[digits_start.min(bytes.len())..]
            .iter()
            .take(9)
            .take_while(|b| {
                if radix == 16 {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if digit_count == 0 || digit_count > 8 {
            return None;
        }
        let value =
            u32::from_str_radix(&src[digits_start..digits_start + digit_count], radix).ok()?;
        let mut end = digits_start + digit_count;
        if bytes.get(end) == Some(&b';') {
            end += 1;
        } else if bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
        // Browsers read the C1 range of numeric references as Windows-1252.
        let c = match value {
            0x80..=0x9F => cp1252_char(value as u8)?,
            0 => return None,
            _ => char::from_u32(value)?,
        };
        return Some((c, end));
    }
    let name_len = bytes[at.min(bytes.len())..]
        .iter()
        .take(33)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if name_len == 0 || name_len > 32 || bytes.get(at + name_len) != Some(&b';') {
        return None;
    }
    let name = &src[at..at + name_len];
    let c = named_entity(name).or_else(|| {
        // Upper-case spellings of the basic five are common in scraped text.
        let lower = name.to_ascii_lowercase();
        matches!(lower.as_str(), "amp" | "lt" | "gt" | "quot" | "nbsp")
            .then(|| named_entity(&lower))
            .flatten()
    })?;
    Some((c, at + name_len + 1))
}

/// The named character references that occur in ad text (HTML 4 plus common HTML 5 names).
fn named_entity(name: &str) -> Option<char> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "iexcl" => '¡',
        "cent" => '¢',
        "pound" => '£',
        "curren" => '¤',
        "yen" => '¥',
        "brvbar" => '¦',
        "sect" => '§',
        "uml" => '¨',
        "copy" => '©',
        "ordf" => 'ª',
        "laquo" => '«',
        "not" => '¬',
        "shy" => '\u{AD}',
        "reg" => '®',
        "macr" => '¯',
        "deg" => '°',
        "plusmn" => '±',
        "sup2" => '²',
        "sup3" => '³',
        "acute" => '´',
        "micro" => 'µ',
        "para" => '¶',
        "middot" => '·',
        "cedil" => '¸',
        "sup1" => '¹',
        "ordm" => 'º',
        "raquo" => '»',
        "frac14" => '¼',
        "frac12" => '½',
        "frac34" => '¾',
        "iquest" => '¿',
        "Agrave" => 'À',
        "Aacute" => 'Á',
        "Acirc" => 'Â',
        "Atilde" => 'Ã',
        "Auml" => 'Ä',
        "Aring" => 'Å',
        "AElig" => 'Æ',
        "Ccedil" => 'Ç',
        "Egrave" => 'È',
        "Eacute" => 'É',
        "Ecirc" => 'Ê',
        "Euml" => 'Ë',
        "Igrave" => 'Ì',
        "Iacute" => 'Í',
        "Icirc" => 'Î',
        "Iuml" => 'Ï',
        "ETH" => 'Ð',
        "Ntilde" => 'Ñ',
        "Ograve" => 'Ò',
        "Oacute" => 'Ó',
        "Ocirc" => 'Ô',
        "Otilde" => 'Õ',
        "Ouml" => 'Ö',
        "times" => '×',
        "Oslash" => 'Ø',
        "Ugrave" => 'Ù',
        "Uacute" => 'Ú',
        "Ucirc" => 'Û',
        "Uuml" => 'Ü',
        "Yacute" => 'Ý',
        "THORN" => 'Þ',
        "szlig" => 'ß',
        "agrave" => 'à',
        "aacute" => 'á',
        "acirc" => 'â',
        "atilde" => 'ã',
        "auml" => 'ä',
        "aring" => 'å',
        "aelig" => 'æ',
        "ccedil" => 'ç',
        "egrave" => 'è',
        "eacute" => 'é',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "igrave" => 'ì',
        "iacute" => 'í',
        "icirc" => 'î',
        "iuml" => 'ï',
        "eth" => 'ð',
        "ntilde" => 'ñ',
        "ograve" => 'ò',
        "oacute" => 'ó',
        "ocirc" => 'ô',
        "otilde" => 'õ',
        "ouml" => 'ö',
        "divide" => '÷',
        "oslash" => 'ø',
        "ugrave" => 'ù',
        "uacute" => 'ú',
        "ucirc" => 'û',
        "uuml" => 'ü',
        "yacute" => 'ý',
        "thorn" => 'þ',
        "yuml" => 'ÿ',
        "OElig" => 'Œ',
        "oelig" => 'œ',
        "Scaron" => 'Š',
        "scaron" => 'š',
        "Yuml" => 'Ÿ',
        "fnof" => 'ƒ',
        "circ" => 'ˆ',
        "tilde" => '˜',
        "Alpha" => 'Α',
        "Beta" => 'Β',
        "Gamma" => 'Γ',
        "Delta" => 'Δ',
        "Omega" => 'Ω',
        "alpha" => 'α',
        "beta" => 'β',
        "gamma" => 'γ',
        "delta" => 'δ',
        "pi" => 'π',
        "mu" => 'μ',
        "omega" => 'ω',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "dagger" => '†',
        "Dagger" => '‡',
        "bull" => '•',
        "hellip" => '…',
        "permil" => '‰',
        "prime" => '′',
        "Prime" => '″',
        "lsaquo" => '‹',
        "rsaquo" => '›',
        "oline" => '‾',
        "frasl" => '⁄',
        "euro" => '€',
        "trade" => '™',
        "larr" => '←',
        "uarr" => '↑',
        "rarr" => '→',
        "darr" => '↓',
        "harr" => '↔',
        "rArr" => '⇒',
        "lArr" => '⇐',
        "minus" => '−',
        "lowast" => '∗',
        "infin" => '∞',
        "loz" => '◊',
        "spades" => '♠',
        "clubs" => '♣',
        "hearts" => '♥',
        "diams" => '♦',
        "star" => '☆',
        "starf" => '★',
        "phone" => '☎',
        "female" => '♀',
        "male" => '♂',
        "check" => '✓',
        "cross" => '✗',
        "sharp" => '♯',
        "hyphen" => '‐',
        "dash" => '‐',
        "colon" => ':',
        "comma" => ',',
        "period" => '.',
        "excl" => '!',
        "quest" => '?',
        "num" => '#',
        "dollar" => '$',
        "percnt" => '%',
        "ast" => '*',
        "plus" => '+',
        "equals" => '=',
        "sol" => '/',
        "bsol" => '\\',
        "lpar" => '(',
        "rpar" => ')',
        "lsqb" => '[',
        "rsqb" => ']',
        "lcub" => '{',
        "rcub" => '}',
        "commat" => '@',
        "lowbar" => '_',
        "verbar" => '|',
        "semi" => ';',
        "Tab" => '\t',
        "NewLine" => '\n',
        _ => return None,
    };
    Some(c)
}

/// The Windows-1252 character for a byte in 0x80..=0x9F (None for the five unassigned bytes).
fn cp1252_char(byte: u8) -> Option<char> {
    CP1252_HIGH
        .iter()
        .find(|(b, _)| *b == byte)
        .map(|(_, c)| *c)
}

/// Windows-1252 bytes 0x80..=0x9F that differ from Latin-1.
const CP1252_HIGH: [(u8, char); 27] = [
    (0x80, '€'),
    (0x82, '‚'),
    (0x83, 'ƒ'),
    (0x84, '„'),
    (0x85, '…'),
    (0x86, '†'),
    (0x87, '‡'),
    (0x88, 'ˆ'),
    (0x89, '‰'),
    (0x8A, 'Š'),
    (0x8B, '‹'),
    (0x8C, 'Œ'),
    (0x8E, 'Ž'),
    (0x91, '‘'),
    (0x92, '’'),
    (0x93, '“'),
    (0x94, '”'),
    (0x95, '•'),
    (0x96, '–'),
    (0x97, '—'),
    (0x98, '˜'),
    (0x99, '™'),
    (0x9A, 'š'),
    (0x9B, '›'),
    (0x9C, 'œ'),
    (0x9E, 'ž'),
    (0x9F, 'Ÿ'),
];

/// The byte a character had before a Windows-1252 (or Latin-1) decoder turned it into this
/// character, for the bytes 0x80..=0xFF.
fn cp1252_byte(c: char) -> Option<u8> {
    match c as u32 {
        // Latin-1 decoders (and Windows-1252's unassigned bytes) leave C1 controls.
        v @ 0x80..=0xFF => Some(v as u8),
        _ => CP1252_HIGH.iter().find(|(_, ch)| *ch == c).map(|(b, _)| *b),
    }
}

/// Try to read one UTF-8 sequence that was decoded as Windows-1252 at `start`: a lead
/// character (U+00C2..U+00F4) followed by 1-3 characters standing for continuation bytes.
fn mojibake_sequence(src: &str, start: usize) -> Option<(char, usize, u8)> {
    let mut chars = src[start..].char_indices();
    let (_, lead) = chars.next()?;
    let lead = u8::try_from(lead as u32).ok()?;
    if !(0xC2..=0xF4).contains(&lead) {
        return None;
    }
    let continuation_count = match lead {
        0xC2..=0xDF => 1,
        0xE0..=0xEF => 2,
        _ => 3,
    };
    let mut buf = [lead, 0, 0, 0];
    let mut end = start + 2; // the lead is a two-byte character in UTF-8
    for slot in buf.iter_mut().skip(1).take(continuation_count) {
        let (offset, c) = chars.next()?;
        let byte = cp1252_byte(c)?;
        if !(0x80..=0xBF).contains(&byte) {
            return None;
        }
        *slot = byte;
        end = start + offset + c.len_utf8();
    }
    let decoded = std::str::from_utf8(&buf[..=continuation_count]).ok()?;
    let c = decoded.chars().next()?;
    Some((c, end, lead))
}

/// Repair one mojibake sequence at `start`, carefully: a two-byte sequence whose lead is an
/// ordinary accented capital ("É”" could be real text) is only repaired when another
/// sequence touches it, while `Â`/`Ã` leads and three/four-byte sequences are repaired alone
/// (real text almost never has `Ã` or `â` followed by two or three C1/punctuation bytes).
fn repair_mojibake(src: &str, start: usize, follows_repair: bool) -> Option<(char, usize)> {
    let (c, end, lead) = mojibake_sequence(src, start)?;
    let credible = lead >= 0xE0
        || lead == 0xC2
        || lead == 0xC3
        || follows_repair
        || mojibake_sequence(src, end).is_some();
    credible.then_some((c, end))
}

// ---------------------------------------------------------------------------------------------
// Stage 2: characters.
// ---------------------------------------------------------------------------------------------

/// Characters that render as nothing and are used to break up words and numbers.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}' | '\u{20E3}')
        || (c.is_control() && !c.is_whitespace())
}

/// Circled and keycap digits that NFKC leaves alone.
fn dingbat_digits(c: char) -> Option<&'static str> {
    const ONE_TO_TEN: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
    const ELEVEN_TO_TWENTY: [&str; 10] =
        ["11", "12", "13", "14", "15", "16", "17", "18", "19", "20"];
    let v = c as u32;
    match v {
        0x2776..=0x277F => Some(ONE_TO_TEN[(v - 0x2776) as usize]),
        0x2780..=0x2789 => Some(ONE_TO_TEN[(v - 0x2780) as usize]),
        0x278A..=0x2793 => Some(ONE_TO_TEN[(v - 0x278A) as usize]),
        0x24F5..=0x24FE => Some(ONE_TO_TEN[(v - 0x24F5) as usize]),
        0x24EB..=0x24F4 => Some(ELEVEN_TO_TWENTY[(v - 0x24EB) as usize]),
        0x24FF | 0x1F10B | 0x1F10C => Some("0"),
        0x1F51F => Some("10"),
        _ => None,
    }
}

/// Does this character need more than an NFKC check (removal or a table)?
fn needs_special_handling(c: char) -> bool {
    is_invisible(c) || dingbat_digits(c).is_some()
}

fn clean_characters(src: &str) -> Option<(String, OffsetMap)> {
    let bytes = src.as_bytes();
    let (has_non_ascii, has_controls) = scan_ascii_and_controls(bytes);
    if !has_non_ascii && !has_controls {
        return None;
    }
    if !has_controls && every_non_ascii_run_is_clean(src) {
        // Emoji and accented letters that are already NFKC: nothing would change.
        return None;
    }
    let mut out = MapBuilder::with_capacity(src.len());
    let mut plain_start = 0;
    let mut i = 0;
    // When no ASCII control character needs dropping, plain ASCII stretches are skipped a
    // block at a time.
    while i < bytes.len() {
        if !has_controls {
            i = next_non_ascii(bytes, i);
            if i == bytes.len() {
                break;
            }
        }
        let b = bytes[i];
        if b.is_ascii() {
            if is_dropped_ascii_control(b) {
                out.copy(src, plain_start..i);
                out.drop_source();
                plain_start = i + 1;
            }
            i += 1;
            continue;
        }
        // Control characters inside the run are dropped by it, so that the characters on
        // both sides are normalised together (combining marks reorder across them).
        let mut run_end = i;
        while run_end < bytes.len()
            && (!bytes[run_end].is_ascii() || is_dropped_ascii_control(bytes[run_end]))
        {
            run_end += 1;
        }
        out.copy(src, plain_start..i);
        clean_non_ascii_run(&mut out, src, i, run_end);
        i = run_end;
        plain_start = run_end;
    }
    out.copy(src, plain_start..bytes.len());
    out.finish()
}

/// Whether `bytes` holds (non-ASCII bytes, ASCII control characters that are dropped): the
/// two things [`clean_characters`] acts on. One pass in 32-byte blocks of branch-free ORs,
/// which the compiler vectorises (this runs over every field).
fn scan_ascii_and_controls(bytes: &[u8]) -> (bool, bool) {
    let mut non_ascii = false;
    let mut controls = false;
    let mut blocks = bytes.chunks_exact(32);
    for block in blocks.by_ref() {
        for &b in block {
            non_ascii |= b >= 0x80;
            controls |= is_dropped_ascii_control(b);
        }
        if non_ascii && controls {
            return (true, true);
        }
    }
    for &b in blocks.remainder() {
        non_ascii |= b >= 0x80;
        controls |= is_dropped_ascii_control(b);
    }
    (non_ascii, controls)
}

/// Position of the first byte at or after `from` that is not ASCII (`bytes.len()` if none).
/// Whole 16-byte blocks are tested with the standard library's word-at-a-time `is_ascii`.
fn next_non_ascii(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(block) = bytes.get(at..at + 16) {
        if !block.is_ascii() {
            break;
        }
        at += 16;
    }
    bytes[at..]
        .iter()
        .position(|b| !b.is_ascii())
        .map_or(bytes.len(), |offset| at + offset)
}

/// ASCII control characters other than whitespace: removed.
fn is_dropped_ascii_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)) || b == 0x7F
}

/// Clean one maximal run of non-ASCII characters `src[start..end]` (with any ASCII control
/// characters between them).
fn clean_non_ascii_run(out: &mut MapBuilder, src: &str, start: usize, end: usize) {
    let run = &src[start..end];
    if is_clean_run(run) {
        out.copy(src, start..end);
        return;
    }
    // The run may combine with the ASCII character before it ("e" + U+0301, "1" + keycap):
    // take that character back so it is normalised together with the run.
    let first = run.chars().next().unwrap_or(' ');
    let mut chars: Vec<(usize, char)> = Vec::with_capacity(run.len());
    if (canonical_combining_class(first) != 0
        || is_invisible(first)
        || first == '\u{20E3}'
        || is_nfkc_quick(std::iter::once(first)) != IsNormalized::Yes)
        && let Some(base_at) = out.take_back_ascii()
    {
        chars.push((base_at, src.as_bytes()[base_at] as char));
    }
    chars.extend(run.char_indices().map(|(offset, c)| (start + offset, c)));

    let mut pending: Vec<(usize, char)> = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (pos, c) = chars[k];
        // Keycap: [0-9#*] + optional variation selector + U+20E3 → the digit.
        if matches!(c, '0'..='9' | '#' | '*') {
            let mut look = k + 1;
            while look < chars.len() && matches!(chars[look].1, '\u{FE0E}' | '\u{FE0F}') {
                look += 1;
            }
            if look < chars.len() && chars[look].1 == '\u{20E3}' {
                flush_nfkc(out, src, &mut pending);
                let keycap_end = chars[look].0 + chars[look].1.len_utf8();
                out.emit_char(c, pos..keycap_end, Changes::LOOKALIKE);
                k = look + 1;
                continue;
            }
        }
        if is_invisible(c) {
            out.drop_source();
            k += 1;
            continue;
        }
        if let Some(digits) = dingbat_digits(c) {
            flush_nfkc(out, src, &mut pending);
            out.emit(digits, pos..pos + c.len_utf8(), Changes::LOOKALIKE);
            k += 1;
            continue;
        }
        if c.is_whitespace() {
            // Left for stage 3, which collapses whitespace runs.
            flush_nfkc(out, src, &mut pending);
            out.copy(src, pos..pos + c.len_utf8());
            k += 1;
            continue;
        }
        pending.push((pos, c));
        k += 1;
    }
    flush_nfkc(out, src, &mut pending);
}

/// A run of non-ASCII characters that [`clean_non_ascii_run`] copies as it is: no invisible
/// characters or dingbat digits, and already NFKC.
fn is_clean_run(run: &str) -> bool {
    !run.chars().any(needs_special_handling) && is_nfkc_quick(run.chars()) == IsNormalized::Yes
}

/// For a text without ASCII control characters: is every maximal run of non-ASCII characters
/// clean ([`is_clean_run`])? Then [`clean_characters`] would copy the text unchanged, and the
/// copy is not worth making.
fn every_non_ascii_run_is_clean(src: &str) -> bool {
    let bytes = src.as_bytes();
    let mut start = next_non_ascii(bytes, 0);
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(u8::is_ascii)
            .map_or(bytes.len(), |offset| start + offset);
        if !src.get(start..end).is_some_and(is_clean_run) {
            return false;
        }
        start = next_non_ascii(bytes, end);
    }
    true
}

/// NFKC-normalise a sequence of visible characters, mapping each character on its own when
/// that gives the same result as normalising them together (nearly always), else the whole.
fn flush_nfkc(out: &mut MapBuilder, src: &str, pending: &mut Vec<(usize, char)>) {
    if pending.is_empty() {
        return;
    }
    let together: String = pending.iter().map(|&(_, c)| c).nfkc().collect();
    let mut one_by_one = String::with_capacity(together.len());
    for &(_, c) in pending.iter() {
        one_by_one.extend(std::iter::once(c).nfkc());
    }
    if one_by_one == together {
        let mut single = String::new();
        for &(pos, c) in pending.iter() {
            single.clear();
            single.extend(std::iter::once(c).nfkc());
            let src_range = pos..pos + c.len_utf8();
            if single.len() == c.len_utf8() && single.starts_with(c) {
                out.copy(src, src_range);
            } else {
                out.emit(&single, src_range, Changes::LOOKALIKE);
            }
        }
    } else {
        let (first, _) = pending[0];
        let (last, last_char) = pending[pending.len() - 1];
        out.emit(
            &together,
            first..last + last_char.len_utf8(),
            Changes::LOOKALIKE,
        );
    }
    pending.clear();
}

// ---------------------------------------------------------------------------------------------
// Stage 3: look-alike letters inside words, whitespace.
// ---------------------------------------------------------------------------------------------

/// Cyrillic and Greek letters that look like a Latin letter.
fn confusable_latin(c: char) -> Option<char> {
    let latin = match c {
        // Cyrillic capitals
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'Ѕ' => 'S',
        'І' => 'I',
        'Ј' => 'J',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'Ү' => 'Y',
        'Һ' => 'H',
        'Ԛ' => 'Q',
        'Ԝ' => 'W',
        'Ӏ' => 'I',
        // Cyrillic small letters
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'ѕ' => 's',
        'і' => 'i',
        'ј' => 'j',
        'һ' => 'h',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ӏ' => 'l',
        'ү' => 'y',
        // Greek capitals
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        // Greek small letters
        'ο' => 'o',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'α' => 'a',
        'ρ' => 'p',
        'υ' => 'u',
        _ => return None,
    };
    Some(latin)
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

fn fix_words_and_spaces(src: &str) -> Option<(String, OffsetMap)> {
    let bytes = src.as_bytes();
    let ascii = bytes.is_ascii();
    // Only non-ASCII characters can be look-alikes, non-ASCII spaces or the currency signs
    // read as an E: decode just those.
    let mut check_words = false;
    let mut special_non_ascii = false;
    if !ascii {
        let mut i = next_non_ascii(bytes, 0);
        while let Some(c) = src.get(i..).and_then(|rest| rest.chars().next()) {
            check_words |= confusable_latin(c).is_some();
            special_non_ascii |= c.is_whitespace() || matches!(c, '£' | '€');
            i = next_non_ascii(bytes, i + c.len_utf8());
        }
    }
    if !check_words && !special_non_ascii && has_regular_ascii_whitespace(bytes) {
        // Fast path: the loop below would copy the text unchanged (every whitespace run is
        // one ASCII space or line feed between other characters, and nothing else applies).
        return None;
    }
    rewrite_words_and_spaces(src, check_words)
}

/// The work of [`fix_words_and_spaces`] once its quick checks have not ruled it out.
/// `check_words`: some character of `src` is a look-alike of a Latin letter.
fn rewrite_words_and_spaces(src: &str, check_words: bool) -> Option<(String, OffsetMap)> {
    let bytes = src.as_bytes();
    let mut out = MapBuilder::with_capacity(src.len());
    let mut plain_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !check_words {
            // Printable ASCII other than the space needs nothing here when no word has
            // look-alike letters: skip it in a tight loop.
            while i < bytes.len() && bytes[i] > b' ' && bytes[i] < 0x80 {
                i += 1;
            }
            if i == bytes.len() {
                break;
            }
        }
        let b = bytes[i];
        let c = if b.is_ascii() {
            b as char
        } else {
            src[i..].chars().next().unwrap_or(' ')
        };
        if c.is_whitespace() {
            let mut run_end = i;
            let mut has_break = false;
            for (offset, w) in src[i..].char_indices() {
                if !w.is_whitespace() {
                    break;
                }
                has_break |= is_line_break(w);
                run_end = i + offset + w.len_utf8();
            }
            // Nothing written yet, and nothing pending either: leading whitespace.
            let at_edge = (out.text.is_empty() && plain_start == i) || run_end == bytes.len();
            let replacement = if has_break { "\n" } else { " " };
            if !at_edge && &src[i..run_end] == replacement {
                // Already normal: it stays in the pending verbatim stretch, so ordinary text
                // is copied in long stretches rather than word by word (the map would merge
                // the word-by-word copies into the same pieces anyway).
                i = run_end;
                continue;
            }
            out.copy(src, plain_start..i);
            if at_edge {
                out.drop_source();
            } else {
                out.emit(replacement, i..run_end, Changes::WHITESPACE);
            }
            i = run_end;
            plain_start = run_end;
            continue;
        }
        if !b.is_ascii() && matches!(c, '£' | '€') {
            // "S£XY", "GORG€OUS": a currency sign between two Latin letters is an E. The
            // neighbours are judged as they will be written out (a look-alike letter next to
            // it may be fixed), so that a second pass would decide the same way.
            let prev = if plain_start < i {
                src[..i].chars().next_back()
            } else {
                out.text.chars().next_back()
            };
            let after = i + c.len_utf8();
            let next = src[after..]
                .chars()
                .next()
                .map(|n| match confusable_latin(n) {
                    Some(latin) if check_words => {
                        let word_end = src[after..]
                            .char_indices()
                            .find(|(_, w)| !w.is_alphanumeric())
                            .map_or(src.len(), |(offset, _)| after + offset);
                        let fixed = word_needs_latin_fix(
                            &src[after..word_end],
                            src[word_end..].chars().next(),
                        );
                        if fixed { latin } else { n }
                    }
                    _ => n,
                });
            if let (Some(p), Some(n)) = (prev, next)
                && p.is_ascii_alphabetic()
                && n.is_ascii_alphabetic()
            {
                out.copy(src, plain_start..i);
                let e = if p.is_ascii_uppercase() && n.is_ascii_uppercase() {
                    'E'
                } else {
                    'e'
                };
                out.emit_char(e, i..i + c.len_utf8(), Changes::CONFUSABLE);
                i += c.len_utf8();
                plain_start = i;
                continue;
            }
        }
        if check_words && c.is_alphanumeric() {
            let mut word_end = i;
            for (offset, w) in src[i..].char_indices() {
                if !w.is_alphanumeric() {
                    break;
                }
                word_end = i + offset + w.len_utf8();
            }
            let word = &src[i..word_end];
            if word_needs_latin_fix(word, src[word_end..].chars().next()) {
                out.copy(src, plain_start..i);
                let mut run_start = i;
                for (offset, w) in word.char_indices() {
                    if let Some(latin) = confusable_latin(w) {
                        let at = i + offset;
                        out.copy(src, run_start..at);
                        out.emit_char(latin, at..at + w.len_utf8(), Changes::CONFUSABLE);
                        run_start = at + w.len_utf8();
                    }
                }
                out.copy(src, run_start..word_end);
                plain_start = word_end;
            }
            i = word_end;
            continue;
        }
        i += if b.is_ascii() { 1 } else { c.len_utf8() };
    }
    out.copy(src, plain_start..bytes.len());
    out.finish()
}

/// In ASCII text, is every run of whitespace already a single space or a single line feed
/// between two other characters? Then [`fix_words_and_spaces`] changes nothing: it only
/// rewrites other whitespace runs and whitespace at either end.
fn has_regular_ascii_whitespace(bytes: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return true;
    };
    let is_space = |b: u8| b.is_ascii_whitespace() || b == 0x0B;
    if is_space(first) || is_space(last) {
        return false;
    }
    // Each byte with the one before it, 32 pairs at a time without an early exit inside a
    // block, so the compiler can vectorise the scan (it runs over every field).
    let space_or_lf = |b: u8| (b == b' ') | (b == b'\n');
    let other_space = |b: u8| (b == b'\t') | (b == b'\r') | (b == 0x0B) | (b == 0x0C);
    let before = &bytes[..bytes.len() - 1];
    let after = &bytes[1..];
    before
        .chunks(32)
        .zip(after.chunks(32))
        .all(|(before, after)| {
            !before.iter().zip(after).fold(false, |irregular, (&b, &a)| {
                irregular | (space_or_lf(b) & space_or_lf(a)) | other_space(a)
            })
        })
}

/// A word is fixed when it mixes ASCII letters or digits with look-alike letters only (a
/// Russian or Greek word, with letters outside the table, is left alone).
fn word_needs_latin_fix(word: &str, next: Option<char>) -> bool {
    let mut has_ascii = false;
    let mut has_confusable = false;
    for c in word.chars() {
        if c.is_ascii() {
            has_ascii = true;
        } else if confusable_latin(c).is_some() {
            has_confusable = true;
        } else {
            return false;
        }
    }
    // A combining mark after the word would compose with a replaced letter differently.
    let mark_follows = next.is_some_and(|n| canonical_combining_class(n) != 0);
    has_ascii && has_confusable && !mark_follows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s).text().to_string()
    }

    /// Every byte of the output maps to a slice of the original containing it (sanity).
    fn spans_of(s: &str, needle: &str) -> String {
        let n = normalize(s);
        let at = n.text().find(needle).expect("needle in normalised text");
        let r = n.original_span(at..at + needle.len());
        s[r].to_string()
    }

    proptest::proptest! {
        /// The quick checks of stages 2 and 3 only skip texts the full rewrite leaves alone.
        #[test]
        fn quick_checks_skip_only_texts_left_unchanged(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(" "), proptest::strategy::Just("\n"),
                    proptest::strategy::Just("\t"), proptest::strategy::Just("\r"),
                    proptest::strategy::Just("\u{b}"), proptest::strategy::Just("\u{c}"),
                    proptest::strategy::Just("a"), proptest::strategy::Just("Z9"),
                    proptest::strategy::Just("é"), proptest::strategy::Just("\u{a0}"),
                    proptest::strategy::Just("£"), proptest::strategy::Just("€"),
                    proptest::strategy::Just("а"), proptest::strategy::Just("🦋"),
                    proptest::strategy::Just("\u{3000}"), proptest::strategy::Just("\u{1}"),
                ],
                0..24,
            )
        ) {
            let text: String = parts.concat();
            if fix_words_and_spaces(&text).is_none() {
                let any_look_alike = text.chars().any(|c| confusable_latin(c).is_some());
                proptest::prop_assert!(rewrite_words_and_spaces(&text, any_look_alike).is_none());
            }
            let (non_ascii, controls) = scan_ascii_and_controls(text.as_bytes());
            proptest::prop_assert_eq!(non_ascii, !text.is_ascii());
            proptest::prop_assert_eq!(controls, text.bytes().any(is_dropped_ascii_control));
        }
    }

    #[test]
    fn plain_ascii_is_unchanged_and_maps_identically() {
        let s = "Call me at 919-555-0123 tonight";
        let n = normalize(s);
        assert_eq!(n.text(), s);
        assert!(n.is_unchanged());
        assert_eq!(n.original_span(8..10), 8..10);
        assert_eq!(n.original_span(3..3), 3..3);
        assert_eq!(n.original_span(0..s.len()), 0..s.len());
    }

    #[test]
    fn tags_are_dropped_and_block_tags_break_lines() {
        assert_eq!(norm("Hi<br>there"), "Hi\nthere");
        assert_eq!(norm("<b>MARY</b> is <i>here</i>"), "MARY is here");
        assert_eq!(norm("ni<b>ne</b>"), "nine");
        assert_eq!(norm("<p>one</p><p>two</p>"), "one\ntwo");
        assert_eq!(norm("a <!-- hidden 555 --> b"), "a b");
        assert_eq!(norm("x<script>var a = '<b>';</script>y"), "x\ny");
        assert_eq!(norm(r#"<a href="x>y">link</a>"#), "link");
        // Not tags.
        assert_eq!(norm("I <3 you"), "I <3 you");
        assert_eq!(norm("mail <me@x.com>"), "mail <me@x.com>");
        assert_eq!(norm("a < b > c"), "a < b > c");
    }

    #[test]
    fn entities_named_decimal_hex_and_nested() {
        assert_eq!(norm("I&#039;m &amp; you"), "I'm & you");
        assert_eq!(norm("&#57;&#x31;&#X39;"), "919");
        assert_eq!(norm("&quot;FRENCH&quot;"), "\"FRENCH\"");
        assert_eq!(norm("a&nbsp;&nbsp;b"), "a b");
        assert_eq!(norm("&amp;amp;lt;3"), "<3");
        assert_eq!(norm("&#9829; love"), "♥ love");
        assert_eq!(norm("&#150;"), "–");
        assert_eq!(norm("AT&T &unknown; &"), "AT&T &unknown; &");
    }

    #[test]
    fn entity_that_decodes_to_a_tag_is_removed_on_a_later_pass() {
        assert_eq!(norm("&lt;b&gt;bold&lt;/b&gt;"), "bold");
    }

    #[test]
    fn mojibake_is_repaired() {
        assert_eq!(norm("â™¨Fetish"), "♨Fetish");
        assert_eq!(norm("cafÃ©"), "café");
        assert_eq!(norm("Iâ€™m"), "I’m");
        assert_eq!(norm("ðŸ’‹ kiss"), "💋 kiss");
        assert_eq!(norm("â˜Ž call"), "☎ call");
        // Triple encoding unwinds over passes.
        assert_eq!(norm("cafÃƒÂ©"), "café");
    }

    #[test]
    fn real_accented_text_is_untouched() {
        for s in [
            "café crème brûlée",
            "São Paulo, Zürich, Ñandú",
            "naïve résumé",
            "Größe ÄÖÜ",
            "ÉTÉ “quote”",
            "CAFÉ” said",
            "Ça va? À bientôt",
        ] {
            assert_eq!(norm(s), s, "{s}");
        }
    }

    #[test]
    fn nfkc_lookalikes_become_ascii() {
        assert_eq!(norm("９１９"), "919");
        assert_eq!(norm("𝟗𝟏𝟗 𝟓𝟓𝟓"), "919 555");
        assert_eq!(norm("①②③"), "123");
        assert_eq!(norm("x²"), "x2");
        assert_eq!(norm("➒➊➓"), "9110");
        assert_eq!(norm("⓿"), "0");
        assert_eq!(norm("ＣＡＬＬ"), "CALL");
    }

    #[test]
    fn keycaps_become_digits() {
        assert_eq!(norm("9\u{FE0F}\u{20E3}1\u{20E3}9\u{FE0F}\u{20E3}"), "919");
        let n = normalize("call 9\u{FE0F}\u{20E3}");
        let at = n.text().find('9').unwrap();
        assert!(n.changes(at..at + 1).contains(Changes::LOOKALIKE));
        assert_eq!(n.original_span(at..at + 1), 5..12);
    }

    #[test]
    fn combining_sequences_compose_with_their_ascii_base() {
        assert_eq!(norm("cafe\u{301}"), "café");
        assert_eq!(norm("e\u{200B}\u{301}"), "é");
    }

    #[test]
    fn combining_marks_across_removed_controls_are_ordered_once() {
        // Found by the `normalize` fuzz target: marks on both sides of removed NULs.
        let input = "\u{FFFD},\u{FFFD}\u{0B}\u{FFFD}\u{342}\u{B4}\u{0}\u{0}\u{0}\u{355}";
        let once = norm(input);
        assert_eq!(norm(&once), once);
        assert!(once.ends_with(" \u{355}\u{301}"), "{once:?}");
    }

    #[test]
    fn escapes_revealed_by_removed_controls_settle() {
        // Found by the `normalize` fuzz target.
        let bytes = b"\xcbU\\\\\x04U\\\\\x04\x04\\\\\x04\x04\\\x00\x04\x04\\\\\x04\x04\\\x00\"\x04";
        let input = String::from_utf8_lossy(bytes).into_owned();
        let once = norm(&input);
        assert_eq!(norm(&once), once, "{input:?}");
    }

    #[test]
    fn confusables_inside_latin_words_only() {
        assert_eq!(norm("Неllo"), "Hello");
        assert_eq!(norm("2О6"), "2O6");
        assert_eq!(norm("Москва"), "Москва");
        assert_eq!(norm("Привет world"), "Привет world");
        assert_eq!(norm("S£XY GORG£OUS £50"), "SEXY GORGEOUS £50");
        // The look-alike after the sign is fixed first, so a second pass agrees.
        assert_eq!(norm("o£е9"), "oee9");
    }

    #[test]
    fn zero_width_removed_and_whitespace_collapsed() {
        assert_eq!(norm("9\u{200B}1\u{200D}9"), "919");
        assert_eq!(norm("  a \t b\n\n c  "), "a b\nc");
        assert_eq!(norm("a\u{3000}b\u{A0}c"), "a b c");
        assert_eq!(norm("   "), "");
        assert_eq!(norm(""), "");
    }

    #[test]
    fn escapes_left_by_exporters() {
        assert_eq!(norm(r"951 \u2022 541"), "951 • 541");
        assert_eq!(norm("<U+1F48B>Nine16"), "💋Nine16");
        assert_eq!(norm(r"\ud83d\udc8b"), "💋");
        assert_eq!(norm(r#"5'4\" tall"#), "5'4\" tall");
    }

    #[test]
    fn spans_point_at_the_original_bytes() {
        assert_eq!(spans_of("call <b>919</b>-555", "919"), "919");
        assert_eq!(spans_of("call &#57;19", "919"), "&#57;19");
        assert_eq!(spans_of("I â™¥ you", "♥"), "â™¥");
        assert_eq!(spans_of("x ９１９ y", "919"), "９１９");
        assert_eq!(spans_of("a  \n  b", "\n"), "  \n  ");
        assert_eq!(spans_of("Неllo there", "Hello"), "Неllo");
    }

    #[test]
    fn original_span_is_always_in_bounds_and_on_boundaries() {
        let s = "ðŸ’‹ <b>９</b>&amp;é\u{200B}x";
        let n = normalize(s);
        for a in 0..=n.text().len() + 2 {
            for b in 0..=n.text().len() + 2 {
                let r = n.original_span(a..b);
                assert!(r.start <= r.end && r.end <= s.len(), "{a}..{b} → {r:?}");
                assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
            }
        }
    }

    #[test]
    fn changes_report_what_happened() {
        let n = normalize("x &#57; y â™¥ z");
        let t = n.text();
        let nine = t.find('9').unwrap();
        assert!(n.changes(nine..nine + 1).contains(Changes::HTML_ENTITY));
        let heart = t.find('♥').unwrap();
        assert!(n.changes(heart..heart + 3).contains(Changes::MOJIBAKE));
        assert!(n.changes(0..1).is_empty());
    }
}
