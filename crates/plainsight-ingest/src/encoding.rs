//! Character encodings of JSONL and CSV input, and the first look at an input that tells an
//! empty file or a binary one (an image given as JSONL) from text.
//!
//! Detection, first match wins (`docs/ad-format.md`, "Encodings"):
//! 1. `--encoding` forces one (any WHATWG label: `utf-8`, `windows-1252`, `latin1`,
//!    `utf-16le`, `iso-8859-7`, `shift_jis` ...); forced UTF-8 is strict (a record that is not
//!    UTF-8 is a problem), any other encoding is decoded as such;
//! 2. a byte-order mark: UTF-8 (dropped), UTF-16 LE or BE (the stream is decoded);
//! 3. UTF-16 without a mark, recognised by the zero bytes of ASCII text in its first bytes;
//! 4. otherwise each record is read as UTF-8 when it is valid UTF-8, else as windows-1252
//!    (which also covers Latin-1 in practice), so a file mixing both keeps every record.
//!
//! Decoding a whole stream is streaming too: [`Transcoder`] converts buffer by buffer.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use encoding_rs::{Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::source::Input;

/// Bytes looked at to tell text from binary data.
const SNIFF_BYTES: usize = 8192;

/// How the records of a text input are turned into `str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextMode {
    /// UTF-8, else windows-1252, record by record.
    Utf8OrLegacy,
    /// UTF-8 only (forced): anything else is a problem.
    Utf8Strict,
    /// The stream is decoded to UTF-8 before the reader sees it.
    Decoded,
}

/// What the first look at an input found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Empty,
    /// Binary data; the text says what it looks like ("a PNG image").
    Binary(&'static str),
    Text,
}

/// A text input ready for a reader, with how to read its records.
pub(crate) struct Prepared {
    pub(crate) input: Input,
    pub(crate) mode: TextMode,
    pub(crate) sniffed: Sniffed,
    /// The encoding detected or forced, when it is not the record-by-record default.
    pub(crate) encoding: Option<&'static Encoding>,
}

/// Look at the start of `input` and set up decoding. `check_binary` is off for WARC, whose
/// records may hold binary payloads.
pub(crate) fn prepare(
    mut input: Input,
    forced: Option<&'static Encoding>,
    check_binary: bool,
) -> io::Result<Prepared> {
    let head = fill_head(&mut input)?;
    if head.is_empty() {
        return Ok(Prepared {
            input,
            mode: TextMode::Utf8OrLegacy,
            sniffed: Sniffed::Empty,
            encoding: None,
        });
    }
    // As in the WHATWG decode algorithm, a byte-order mark wins even over a forced encoding:
    // it is all but certain, a label is a person's guess.
    let bom = Encoding::for_bom(&head);
    let detected = match (bom, forced) {
        (Some((enc, _)), _) => Some(enc),
        (None, Some(enc)) => Some(enc),
        (None, None) => utf16_without_bom(&head),
    };
    match detected {
        Some(enc) if enc == UTF_8 => {
            let bom_len = if bom.is_some() { 3 } else { 0 };
            input.consume(bom_len);
            let mode = if forced == Some(UTF_8) {
                TextMode::Utf8Strict
            } else {
                TextMode::Utf8OrLegacy
            };
            let sniffed = sniff(&head[bom_len..], check_binary);
            Ok(Prepared {
                input,
                mode,
                sniffed,
                encoding: Some(enc),
            })
        }
        Some(enc) => {
            let decoder = enc.new_decoder_with_bom_removal();
            let mut decoded: Input = Box::new(io::BufReader::with_capacity(
                64 * 1024,
                Transcoder::new(input, decoder),
            ));
            let head = fill_head(&mut decoded)?;
            let sniffed = if head.is_empty() {
                Sniffed::Empty
            } else {
                sniff(&head, check_binary)
            };
            Ok(Prepared {
                input: decoded,
                mode: TextMode::Decoded,
                sniffed,
                encoding: Some(enc),
            })
        }
        None => {
            let sniffed = sniff(&head, check_binary);
            Ok(Prepared {
                input,
                mode: TextMode::Utf8OrLegacy,
                sniffed,
                encoding: None,
            })
        }
    }
}

/// Whether the input has no bytes at all.
pub(crate) fn is_empty(input: &mut Input) -> io::Result<bool> {
    fill_head(input).map(|head| head.is_empty())
}

/// Up to [`SNIFF_BYTES`] of the input's start, without consuming it (a copy of what one
/// `fill_buf` gives; a pipe may give less, which only makes the look shorter).
fn fill_head(input: &mut Input) -> io::Result<Vec<u8>> {
    loop {
        match input.fill_buf() {
            Ok(buf) => return Ok(buf[..buf.len().min(SNIFF_BYTES)].to_vec()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// UTF-16 text without a byte-order mark: most code units of JSON or CSV are ASCII, so every
/// other byte is zero.
fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let pairs = head.len().min(512) / 2;
    if pairs < 2 {
        return None;
    }
    let (mut low_zero, mut high_zero) = (0, 0);
    for pair in head[..pairs * 2].chunks_exact(2) {
        match (pair[0], pair[1]) {
            (0, b) if b != 0 => high_zero += 1,
            (a, 0) if a != 0 => low_zero += 1,
            _ => {}
        }
    }
    // Nine in ten code units look like ASCII in one byte order.
    if low_zero * 10 >= pairs * 9 {
        Some(UTF_16LE)
    } else if high_zero * 10 >= pairs * 9 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Tell text from binary data by magic numbers, zero bytes and control characters.
fn sniff(head: &[u8], check_binary: bool) -> Sniffed {
    if !check_binary {
        return Sniffed::Text;
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"%PDF-", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
        (b"BZh", "a bzip2-compressed file (decompress it first)"),
        (
            b"\xFD7zXZ\x00",
            "an xz-compressed file (decompress it first)",
        ),
        (
            b"\x28\xB5\x2F\xFD",
            "a zstd-compressed file (decompress it first)",
        ),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"SQLite format 3\x00", "an SQLite database"),
        (b"\x7FELF", "a program"),
        (b"MZ", "a Windows program"),
    ];
    for (magic, what) in MAGIC {
        if head.starts_with(magic) {
            // "MZ" and "BZh" can begin text; require binary bytes after them as well.
            if magic.len() <= 3 && !has_binary_bytes(head) {
                continue;
            }
            return Sniffed::Binary(what);
        }
    }
    if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        return Sniffed::Binary("a WebP image");
    }
    if has_binary_bytes(head) {
        return Sniffed::Binary("binary data");
    }
    Sniffed::Text
}

/// A zero byte, or more than one in ten bytes a control character other than white space.
fn has_binary_bytes(head: &[u8]) -> bool {
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    controls * 10 > head.len()
}

/// One record's bytes as text under `mode`. `Ok((text, true))` when it was read as
/// windows-1252 because it is not UTF-8; `Err(position)` (1-based, of the first bad byte) in
/// strict mode.
pub(crate) fn record_text(bytes: &[u8], mode: TextMode) -> Result<(Cow<'_, str>, bool), usize> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), false)),
        Err(e) => match mode {
            TextMode::Utf8Strict => Err(e.valid_up_to() + 1),
            // A decoded stream is UTF-8 already; a record cut in the middle of a character
            // (at the size limit) loses only that character.
            TextMode::Decoded => Ok((String::from_utf8_lossy(bytes), false)),
            TextMode::Utf8OrLegacy => {
                let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
                Ok((text, true))
            }
        },
    }
}

/// Look up an encoding by any WHATWG label (`utf-8`, `latin1`, `cp1252`, `utf-16le` ...).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    // The "replacement" encoding turns everything into one U+FFFD; it is never meant.
    (encoding != encoding_rs::REPLACEMENT).then_some(encoding)
}

/// Decodes a byte stream to UTF-8 as it is read.
pub(crate) struct Transcoder {
    inner: Input,
    decoder: Decoder,
    out: Vec<u8>,
    pos: usize,
    len: usize,
    finished: bool,
}

impl Transcoder {
    pub(crate) fn new(inner: Input, decoder: Decoder) -> Self {
        Transcoder {
            inner,
            decoder,
            out: vec![0; 64 * 1024],
            pos: 0,
            len: 0,
            finished: false,
        }
    }

    /// Decode the next stretch into `out`; leaves `len == 0` only at the end of input.
    fn refill(&mut self) -> io::Result<()> {
        self.pos = 0;
        self.len = 0;
        while self.len == 0 && !self.finished {
            let src = loop {
                match self.inner.fill_buf() {
                    Ok(b) => break b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            let last = src.is_empty();
            let (_, read, written, _) = self.decoder.decode_to_utf8(src, &mut self.out, last);
            self.inner.consume(read);
            self.len = written;
            if last {
                self.finished = true;
            }
        }
        Ok(())
    }
}

impl Read for Transcoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.len {
            self.refill()?;
        }
        let n = buf.len().min(self.len - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(bytes: &[u8]) -> Input {
        Box::new(io::Cursor::new(bytes.to_vec()))
    }

    fn decoded(bytes: &[u8], forced: Option<&'static Encoding>) -> (String, Prepared) {
        let mut prepared = prepare(input(bytes), forced, true).unwrap();
        let mut out = Vec::new();
        prepared.input.read_to_end(&mut out).unwrap();
        (String::from_utf8(out).unwrap(), prepared)
    }

    #[test]
    fn byte_order_marks_and_bomless_utf16_are_recognised() {
        let text = "{\"id\":\"é\"}\n";
        let utf16le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (bytes, with_bom) in [
            (utf16le.clone(), true),
            (utf16be.clone(), true),
            (utf16le, false),
            (utf16be, false),
        ] {
            let mut all = Vec::new();
            if with_bom {
                all.extend(if bytes[0] == 0 {
                    [0xFE, 0xFF]
                } else {
                    [0xFF, 0xFE]
                });
            }
            all.extend(bytes);
            let (out, prepared) = decoded(&all, None);
            assert_eq!(out, text);
            assert_eq!(prepared.mode, TextMode::Decoded);
            assert_eq!(
                prepared.sniffed,
                Sniffed::Text,
                "UTF-16's zero bytes are not binary"
            );
        }
        let (out, prepared) = decoded(b"\xEF\xBB\xBF{}", None);
        assert_eq!(out, "{}");
        assert_eq!(prepared.mode, TextMode::Utf8OrLegacy);
    }

    #[test]
    fn a_forced_encoding_decodes_the_stream() {
        let (out, prepared) = decoded(b"caf\xe9", encoding_for_label("latin1"));
        assert_eq!(out, "café");
        assert_eq!(prepared.encoding, Some(WINDOWS_1252));
        let prepared = prepare(input(b"x"), encoding_for_label("utf8"), true).unwrap();
        assert_eq!(prepared.mode, TextMode::Utf8Strict);
        assert!(encoding_for_label("no-such-encoding").is_none());
    }

    #[test]
    fn empty_and_binary_inputs_are_told_apart_from_text() {
        assert_eq!(
            prepare(input(b""), None, true).unwrap().sniffed,
            Sniffed::Empty
        );
        assert_eq!(
            prepare(input(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), None, true)
                .unwrap()
                .sniffed,
            Sniffed::Binary("a PNG image")
        );
        assert_eq!(
            prepare(input(&[0u8; 100]), None, true).unwrap().sniffed,
            Sniffed::Binary("binary data")
        );
        assert_eq!(
            prepare(input(b"MZ is a name,x\n"), None, true)
                .unwrap()
                .sniffed,
            Sniffed::Text
        );
        assert_eq!(
            prepare(input(b"caf\xe9\n"), None, true).unwrap().sniffed,
            Sniffed::Text
        );
        assert_eq!(
            prepare(input(&[0u8; 100]), None, false).unwrap().sniffed,
            Sniffed::Text
        );
    }

    #[test]
    fn records_fall_back_to_windows_1252_one_by_one() {
        assert_eq!(
            record_text(b"caf\xc3\xa9", TextMode::Utf8OrLegacy).unwrap(),
            (Cow::Borrowed("café"), false)
        );
        let (text, legacy) = record_text(b"caf\xe9 \x93q\x94", TextMode::Utf8OrLegacy).unwrap();
        assert_eq!((text.as_ref(), legacy), ("café “q”", true));
        assert_eq!(record_text(b"ab\xe9", TextMode::Utf8Strict), Err(3));
    }

    #[test]
    fn the_transcoder_streams_across_buffer_boundaries() {
        // Longer than one output buffer, with multi-byte characters everywhere.
        let text = "ü€".repeat(40_000);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let (out, _) = decoded(&utf16, None);
        assert_eq!(out, text);
    }
}
