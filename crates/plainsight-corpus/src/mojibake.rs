//! Mojibake: UTF-8 text decoded as Windows-1252 and encoded again, as happens when a site
//! or scraper gets the charset wrong ("♨" becomes "â™¨"). Real scraped bodies carry it.

/// Windows-1252 characters for bytes 0x80..=0x9F. The five bytes Windows-1252 leaves
/// undefined become the C1 control with the same value, as browsers and `ftfy` treat them.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

fn byte_as_cp1252(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

fn cp1252_as_byte(c: char) -> Option<u8> {
    let v = u32::from(c);
    if v < 0x80 || (0xA0..=0xFF).contains(&v) {
        return u8::try_from(v).ok();
    }
    CP1252_HIGH
        .iter()
        .position(|&h| h == c)
        .and_then(|i| u8::try_from(0x80 + i).ok())
}

/// Double-encode `text`: every non-ASCII character becomes two to four Windows-1252
/// characters. ASCII is unchanged, so the transformation is per character and any
/// substring of the input maps to a substring of the output.
pub fn mojibake(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                out.push(byte_as_cp1252(b));
            }
        }
    }
    out
}

/// Undo [`mojibake`]; `None` when `text` is not double-encoded UTF-8.
pub fn unmojibake(text: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = text.chars().map(cp1252_as_byte).collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_example() {
        assert_eq!(mojibake("♨"), "â™¨");
        assert_eq!(mojibake("call 💋"), "call ðŸ’‹");
        assert_eq!(unmojibake("â™¨").as_deref(), Some("♨"));
    }

    proptest! {
        #[test]
        fn round_trips(s in "\\PC{0,40}") {
            prop_assert_eq!(unmojibake(&mojibake(&s)), Some(s));
        }
    }
}
