//! Random tokens (session, CSRF, one-time passwords), the digest a database stores instead of
//! a session token, and constant-time comparison.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Bytes of randomness in a session or CSRF token: 128 bits, OWASP ASVS 3.2.2's minimum of 64
/// bits with a wide margin.
const TOKEN_BYTES: usize = 16;
/// Length of a token's text: two lowercase hex characters per byte.
const TOKEN_CHARS: usize = TOKEN_BYTES * 2;

/// A session token as sent in the session cookie: 128 random bits written as 32 lowercase hex
/// characters. Hex was chosen over base64url because it needs no padding or alphabet choices,
/// is case-insensitive-safe in every transport and is trivially validated. `Debug` is redacted
/// so a token never reaches a log; the database stores only [`token_digest`] of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

impl SessionToken {
    /// A fresh token from the operating system's random number generator.
    pub fn generate() -> Self {
        SessionToken(random_token())
    }

    /// The token text, for the cookie and for [`token_digest`].
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Accepts only text of the exact form [`SessionToken::generate`] makes (32 lowercase hex
    /// characters), so junk from a cookie is refused before it is hashed or looked up.
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = text.len() == TOKEN_CHARS
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        well_formed.then(|| SessionToken(text.to_string()))
    }
}

/// Lowercase hex SHA-256 of a token. The database keeps this instead of the token, so a leaked
/// copy of the database does not hold live sessions. A fast hash is enough (unlike passwords):
/// the token has 128 random bits, so there is nothing to guess.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 128 random bits as 32 lowercase hex characters, for CSRF tokens and other one-use secrets.
pub fn random_token() -> String {
    hex::encode(crate::os_random::<TOKEN_BYTES>())
}

/// Compares two secrets in time that does not depend on where they first differ, so that a
/// CSRF token or digest cannot be found byte by byte from response times. Strings of different
/// lengths are unequal at once: the lengths of these tokens are public.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Crockford's base32 alphabet in lowercase: no i, l, o or u, so the password can be read out
/// or typed from paper without mixing up 1/l or 0/o. 32 symbols means 5 bits per character with
/// no modulo bias.
const OTP_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Groups and characters per group: 4 × 5 = 20 characters, 100 random bits.
const OTP_GROUPS: usize = 4;
const OTP_GROUP_LEN: usize = 5;

/// A random password such as `k3m9q-x7a2d-0fh4t-wbz8n` (20 characters of Crockford base32 in
/// groups of five, 100 bits), for accounts an administrator creates, e.g. the demo
/// administrator; the user is made to change it on first log-on. It passes
/// [`check_new_password`](crate::check_new_password) with the default policy.
pub fn one_time_password() -> String {
    let bytes = crate::os_random::<{ OTP_GROUPS * OTP_GROUP_LEN }>();
    let mut out = String::with_capacity(OTP_GROUPS * (OTP_GROUP_LEN + 1));
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 && i % OTP_GROUP_LEN == 0 {
            out.push('-');
        }
        out.push(OTP_ALPHABET[usize::from(byte & 0x1f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PasswordPolicy, check_new_password};

    #[test]
    fn session_tokens_are_32_lowercase_hex_and_parse_back() {
        let token = SessionToken::generate();
        assert_eq!(token.as_str().len(), 32);
        assert_eq!(SessionToken::parse(token.as_str()), Some(token.clone()));
        assert_ne!(SessionToken::generate(), token);
    }

    #[test]
    fn parse_rejects_wrong_length_and_charset() {
        let good = "0123456789abcdef0123456789abcdef";
        assert!(SessionToken::parse(good).is_some());
        for bad in [
            "",
            &good[..31],
            &format!("{good}0"),
            &good.to_uppercase(),
            "0123456789abcdeg0123456789abcdef",
            "0123456789abcdef0123456789abcde\u{e9}",
        ] {
            assert!(SessionToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn debug_is_redacted() {
        let token = SessionToken::generate();
        assert!(!format!("{token:?}").contains(token.as_str()));
    }

    #[test]
    fn digest_is_hex_sha256() {
        // SHA-256 of the empty string and of "abc" (FIPS 180-2 test vector).
        assert_eq!(
            token_digest(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn random_tokens_differ() {
        let a = random_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_token());
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(constant_time_eq("", ""));
    }

    #[test]
    fn one_time_passwords_are_readable_and_pass_the_policy() {
        for _ in 0..50 {
            let password = one_time_password();
            assert_eq!(password.len(), 23, "{password}");
            assert_eq!(password.split('-').count(), 4);
            assert!(
                password
                    .bytes()
                    .all(|b| b == b'-' || OTP_ALPHABET.contains(&b))
            );
            check_new_password(&PasswordPolicy::default(), &password, "admin").unwrap();
        }
    }
}
