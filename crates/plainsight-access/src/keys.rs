//! The workspace's database key (SQLCipher) as text and as the keys derived from it, and the
//! sealed file format that encrypts what the workspace writes beside its database (quarantine
//! files). Pure: reading key files and prompting belong to the store and the command line.
//!
//! Sealed file layout (all integers big-endian):
//!
//! ```text
//! header  = "PSSEAL01" (8 bytes) ‖ purpose length (1 byte) ‖ purpose (ASCII) ‖ salt (16 bytes)
//! frame*  = ciphertext length n (4 bytes) ‖ ciphertext (n bytes, the last 16 the GCM tag)
//! ```
//!
//! Each file has its own AES-256-GCM key, HKDF-SHA-256 of the workspace key with the file's
//! random salt and the purpose as info. Frame `i` (from 0) is sealed with the nonce
//! `i` (8 bytes) ‖ `0x00000000`, or ‖ `0x00000001` for the last frame of the file, and the
//! header as associated data (the STREAM construction): frames cannot be reordered, moved to
//! another file, or cut off at the end without the reader noticing.

use std::fmt;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use sha2::Sha256;

/// The key of an encrypted workspace database. Either 256 random bits (what a generated key
/// file holds, as 64 hex characters; SQLCipher uses it as the raw key, with no key derivation
/// at each connection) or a passphrase (SQLCipher derives the key with PBKDF2-HMAC-SHA512,
/// 256,000 iterations). Its `Debug` output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseKey {
    Raw([u8; 32]),
    Passphrase(String),
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseKey::Raw(_) => f.write_str("DatabaseKey::Raw(..)"),
            DatabaseKey::Passphrase(_) => f.write_str("DatabaseKey::Passphrase(..)"),
        }
    }
}

/// Key text that cannot be a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDatabaseKey {
    #[error("the database key is empty")]
    Empty,
    #[error(
        "the database key contains a control character (other than the final newline); a passphrase is one line of text"
    )]
    ControlCharacter,
}

impl DatabaseKey {
    /// A new random key.
    pub fn generate() -> Result<DatabaseKey, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(DatabaseKey::Raw(key))
    }

    /// Reads key text (a key file, an environment variable, a typed passphrase): exactly 64
    /// hex characters are a raw key, anything else a passphrase. One final line break is
    /// dropped, as editors add it.
    pub fn parse(text: &str) -> Result<DatabaseKey, BadDatabaseKey> {
        let text = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(text);
        if text.is_empty() {
            return Err(BadDatabaseKey::Empty);
        }
        if text.chars().any(char::is_control) {
            return Err(BadDatabaseKey::ControlCharacter);
        }
        if text.len() == 64
            && let Ok(bytes) = hex::decode(text)
            && let Ok(raw) = <[u8; 32]>::try_from(bytes)
        {
            return Ok(DatabaseKey::Raw(raw));
        }
        Ok(DatabaseKey::Passphrase(text.to_string()))
    }

    /// The text a key file holds (what [`DatabaseKey::parse`] reads back).
    pub fn to_file_text(&self) -> String {
        match self {
            DatabaseKey::Raw(raw) => format!("{}\n", hex::encode(raw)),
            DatabaseKey::Passphrase(p) => format!("{p}\n"),
        }
    }

    /// The value of `PRAGMA key = ...` / `PRAGMA rekey = ...` as SQL text: a raw key as the
    /// blob literal SQLCipher reads (`"x'…'"`), a passphrase as a quoted string.
    pub fn pragma_value(&self) -> String {
        match self {
            DatabaseKey::Raw(raw) => format!("\"x'{}'\"", hex::encode(raw)),
            DatabaseKey::Passphrase(p) => format!("'{}'", p.replace('\'', "''")),
        }
    }

    fn material(&self) -> &[u8] {
        match self {
            DatabaseKey::Raw(raw) => raw,
            DatabaseKey::Passphrase(p) => p.as_bytes(),
        }
    }

    /// A 256-bit key for `purpose`, independent of the database key itself and of every
    /// other purpose (HKDF-SHA-256 with `salt`). A key derived from a passphrase is only as
    /// hard to guess as the passphrase; generated keys are 256 random bits.
    pub fn derive(&self, purpose: &str, salt: &[u8]) -> [u8; 32] {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(salt), self.material());
        let mut out = [0u8; 32];
        // 32 bytes is far below HKDF-SHA-256's limit of 8,160.
        hk.expand(purpose.as_bytes(), &mut out)
            .expect("32 bytes is a valid HKDF output length");
        out
    }
}

/// The first bytes of every sealed file.
pub const SEALED_MAGIC: &[u8; 8] = b"PSSEAL01";
/// Plaintext bytes per frame written by [`SealWriter`] (the last frame may be shorter).
pub const FRAME_PLAINTEXT: usize = 64 * 1024;
/// Largest frame a reader accepts: a frame's length comes from the file.
const MAX_FRAME: usize = FRAME_PLAINTEXT + 16;

/// Why a sealed file cannot be read (further).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not a sealed Plainsight file (it does not start with PSSEAL01)")]
    NotSealed,
    #[error("the header is cut short")]
    ShortHeader,
    #[error("sealed for {found:?}, not {expected:?}")]
    WrongPurpose { expected: String, found: String },
    #[error("frame {frame} is cut short: the file was truncated (an interrupted run?)")]
    ShortFrame { frame: u64 },
    #[error("frame {frame} has an impossible length {length}")]
    BadLength { frame: u64, length: u32 },
    #[error(
        "frame {frame} does not decrypt: wrong workspace key, or the file was changed or its frames moved"
    )]
    Undecryptable { frame: u64 },
    #[error(
        "the file ends after frame {frames} without its closing frame: it was cut short (an interrupted run?)"
    )]
    NotClosed { frames: u64 },
    #[error("data after the closing frame")]
    TrailingData,
    #[error("the random generator failed: {0}")]
    Random(String),
}

fn nonce(frame: u64, last: bool) -> aes_gcm::aead::Nonce<Aes256Gcm> {
    let mut n = [0u8; 12];
    n[..8].copy_from_slice(&frame.to_be_bytes());
    n[11] = u8::from(last);
    n.into()
}

fn header(purpose: &str, salt: &[u8; 16]) -> Vec<u8> {
    let mut h = Vec::with_capacity(8 + 1 + purpose.len() + 16);
    h.extend_from_slice(SEALED_MAGIC);
    // Purposes are short constants of this program.
    h.push(purpose.len().min(255) as u8);
    h.extend_from_slice(&purpose.as_bytes()[..purpose.len().min(255)]);
    h.extend_from_slice(salt);
    h
}

/// Seals a stream of bytes into frames; the caller writes what it returns, in order.
pub struct SealWriter {
    cipher: Aes256Gcm,
    header: Vec<u8>,
    frame: u64,
    pending: Vec<u8>,
}

impl SealWriter {
    /// A writer and the header bytes to write first.
    pub fn new(key: &DatabaseKey, purpose: &str) -> Result<(SealWriter, Vec<u8>), SealError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| SealError::Random(e.to_string()))?;
        let header = header(purpose, &salt);
        let file_key = key.derive(purpose, &salt);
        let cipher = Aes256Gcm::new_from_slice(&file_key).expect("AES-256-GCM takes a 32-byte key");
        Ok((
            SealWriter {
                cipher,
                header: header.clone(),
                frame: 0,
                pending: Vec::with_capacity(FRAME_PLAINTEXT),
            },
            header,
        ))
    }

    fn seal(&mut self, plain: &[u8], last: bool) -> Vec<u8> {
        let sealed = self
            .cipher
            .encrypt(
                &nonce(self.frame, last),
                Payload {
                    msg: plain,
                    aad: &self.header,
                },
            )
            .expect("AES-GCM encrypts any frame under 64 GiB");
        self.frame += 1;
        let mut out = Vec::with_capacity(4 + sealed.len());
        out.extend_from_slice(&(sealed.len() as u32).to_be_bytes());
        out.extend_from_slice(&sealed);
        out
    }

    /// Adds bytes; returns the frames completed by them (possibly none).
    pub fn write(&mut self, mut bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let room = FRAME_PLAINTEXT - self.pending.len();
            let take = room.min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == FRAME_PLAINTEXT && !bytes.is_empty() {
                let plain = std::mem::take(&mut self.pending);
                out.extend(self.seal(&plain, false));
                self.pending = plain;
                self.pending.clear();
            }
        }
        out
    }

    /// Seals what is pending as a frame that is not the last (so a crash after it loses
    /// nothing written so far); returns nothing when nothing is pending.
    pub fn flush(&mut self) -> Vec<u8> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let plain = std::mem::take(&mut self.pending);
        self.seal(&plain, false)
    }

    /// The closing frame (with whatever is pending).
    pub fn finish(mut self) -> Vec<u8> {
        let plain = std::mem::take(&mut self.pending);
        self.seal(&plain, true)
    }
}

/// What a sealed file holds: the plaintext of every frame that decrypted, and the problem
/// that stopped reading, if any (a truncated file still yields its complete frames).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsealed {
    pub plaintext: Vec<u8>,
    pub problem: Option<SealError>,
}

/// Whether bytes start like a sealed file.
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(SEALED_MAGIC)
}

/// Opens a whole sealed file. A bad header is an error; a problem in the frames is reported
/// in [`Unsealed::problem`] with the frames before it.
pub fn unseal(key: &DatabaseKey, purpose: &str, bytes: &[u8]) -> Result<Unsealed, SealError> {
    if !is_sealed(bytes) {
        return Err(SealError::NotSealed);
    }
    let rest = &bytes[SEALED_MAGIC.len()..];
    let (&len, rest) = rest.split_first().ok_or(SealError::ShortHeader)?;
    let len = usize::from(len);
    if rest.len() < len + 16 {
        return Err(SealError::ShortHeader);
    }
    let found = String::from_utf8_lossy(&rest[..len]).into_owned();
    if found != purpose {
        return Err(SealError::WrongPurpose {
            expected: purpose.to_string(),
            found,
        });
    }
    let salt: [u8; 16] = rest[len..len + 16].try_into().expect("16 bytes");
    let header_bytes = header(purpose, &salt);
    let cipher = Aes256Gcm::new_from_slice(&key.derive(purpose, &salt))
        .expect("AES-256-GCM takes a 32-byte key");
    let mut rest = &rest[len + 16..];
    let mut plaintext = Vec::new();
    let mut frame = 0u64;
    let problem = loop {
        if rest.is_empty() {
            break Some(SealError::NotClosed { frames: frame });
        }
        if rest.len() < 4 {
            break Some(SealError::ShortFrame { frame });
        }
        let length = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes"));
        let n = length as usize;
        if !(16..=MAX_FRAME).contains(&n) {
            break Some(SealError::BadLength { frame, length });
        }
        if rest.len() < 4 + n {
            break Some(SealError::ShortFrame { frame });
        }
        let sealed = &rest[4..4 + n];
        rest = &rest[4 + n..];
        let payload = |msg| Payload {
            msg,
            aad: &header_bytes[..],
        };
        if let Ok(plain) = cipher.decrypt(&nonce(frame, false), payload(sealed)) {
            plaintext.extend_from_slice(&plain);
            frame += 1;
            continue;
        }
        match cipher.decrypt(&nonce(frame, true), payload(sealed)) {
            Ok(plain) => {
                plaintext.extend_from_slice(&plain);
                break (!rest.is_empty()).then_some(SealError::TrailingData);
            }
            Err(_) => break Some(SealError::Undecryptable { frame }),
        }
    };
    Ok(Unsealed { plaintext, problem })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal_all(key: &DatabaseKey, chunks: &[&[u8]], flush_after_each: bool) -> Vec<u8> {
        let (mut w, mut out) = SealWriter::new(key, "quarantine").unwrap();
        for c in chunks {
            out.extend(w.write(c));
            if flush_after_each {
                out.extend(w.flush());
            }
        }
        out.extend(w.finish());
        out
    }

    #[test]
    fn keys_parse_as_raw_or_passphrase_and_never_print() {
        let raw = DatabaseKey::generate().unwrap();
        assert_eq!(DatabaseKey::parse(&raw.to_file_text()), Ok(raw.clone()));
        assert!(matches!(raw, DatabaseKey::Raw(_)));
        let pass = DatabaseKey::parse("correct horse battery staple\n").unwrap();
        assert_eq!(
            pass,
            DatabaseKey::Passphrase("correct horse battery staple".into())
        );
        assert_eq!(DatabaseKey::parse("\n"), Err(BadDatabaseKey::Empty));
        assert_eq!(
            DatabaseKey::parse("a\nb"),
            Err(BadDatabaseKey::ControlCharacter)
        );
        assert!(!format!("{raw:?}{pass:?}").contains("horse"));
        assert_eq!(
            DatabaseKey::Passphrase("it's".into()).pragma_value(),
            "'it''s'"
        );
        let DatabaseKey::Raw(bytes) = raw else {
            unreachable!()
        };
        assert_eq!(
            DatabaseKey::Raw(bytes).pragma_value(),
            format!("\"x'{}'\"", hex::encode(bytes))
        );
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_salt() {
        let k = DatabaseKey::Raw([9; 32]);
        assert_ne!(k.derive("quarantine", b"a"), k.derive("export", b"a"));
        assert_ne!(k.derive("quarantine", b"a"), k.derive("quarantine", b"b"));
        assert_eq!(k.derive("quarantine", b"a"), k.derive("quarantine", b"a"));
    }

    #[test]
    fn sealed_files_round_trip_and_hide_the_text() {
        let key = DatabaseKey::Raw([1; 32]);
        let text = b"{\"raw\":\"call Candy 555-0101\"}\n".repeat(5_000);
        for flush in [false, true] {
            let sealed = seal_all(&key, &[&text, b"tail\n"], flush);
            assert!(is_sealed(&sealed));
            assert!(!sealed.windows(5).any(|w| w == b"Candy"));
            let open = unseal(&key, "quarantine", &sealed).unwrap();
            assert_eq!(open.problem, None);
            assert_eq!(open.plaintext, [&text[..], b"tail\n"].concat());
        }
        // An empty file still has its closing frame.
        let empty = seal_all(&key, &[], false);
        let open = unseal(&key, "quarantine", &empty).unwrap();
        assert_eq!((open.plaintext.len(), open.problem), (0, None));
    }

    #[test]
    fn wrong_keys_truncation_and_tampering_are_reported() {
        let key = DatabaseKey::Raw([1; 32]);
        let text = vec![b'x'; FRAME_PLAINTEXT * 2 + 10];
        let sealed = seal_all(&key, &[&text], false);
        let wrong = unseal(&DatabaseKey::Raw([2; 32]), "quarantine", &sealed).unwrap();
        assert_eq!(wrong.problem, Some(SealError::Undecryptable { frame: 0 }));
        assert!(wrong.plaintext.is_empty());
        assert!(matches!(
            unseal(&key, "export", &sealed),
            Err(SealError::WrongPurpose { .. })
        ));
        // Cut after the first frame: its text is kept, the cut is reported.
        let header_len = 8 + 1 + "quarantine".len() + 16;
        let first = header_len + 4 + FRAME_PLAINTEXT + 16;
        let cut = unseal(&key, "quarantine", &sealed[..first]).unwrap();
        assert_eq!(cut.plaintext.len(), FRAME_PLAINTEXT);
        assert_eq!(cut.problem, Some(SealError::NotClosed { frames: 1 }));
        let cut = unseal(&key, "quarantine", &sealed[..first + 7]).unwrap();
        assert_eq!(cut.problem, Some(SealError::ShortFrame { frame: 1 }));
        // One flipped byte in the second frame.
        let mut flipped = sealed.clone();
        flipped[first + 20] ^= 1;
        let bad = unseal(&key, "quarantine", &flipped).unwrap();
        assert_eq!(bad.problem, Some(SealError::Undecryptable { frame: 1 }));
        let mut extra = sealed.clone();
        extra.push(0);
        assert_eq!(
            unseal(&key, "quarantine", &extra).unwrap().problem,
            Some(SealError::TrailingData)
        );
        assert_eq!(
            unseal(&key, "quarantine", b"plain text"),
            Err(SealError::NotSealed)
        );
    }
}
