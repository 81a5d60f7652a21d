//! Password rules for new passwords (NIST SP 800-63B: length and a blocklist, no composition
//! rules) and Argon2id hashing with the OWASP-recommended minimum parameters.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use serde::Serialize;

use crate::AccessError;

/// Argon2id memory cost in KiB (19 MiB): the OWASP Password Storage Cheat Sheet's first
/// recommended configuration, affordable per log-on on a small server.
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
/// Argon2id passes over memory (time cost), paired with [`ARGON2_MEMORY_KIB`] by OWASP.
pub const ARGON2_PASSES: u32 = 2;
/// Argon2id lanes (parallelism): one, so a log-on occupies one core of a small machine.
pub const ARGON2_LANES: u32 = 1;
/// Random salt length in bytes (128 bits, the PHC recommendation).
pub const SALT_LEN: usize = 16;

/// The parameters, checked when the crate compiles rather than on the first log-on.
const PARAMS: Params = match Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None) {
    Ok(params) => params,
    Err(_) => panic!("Argon2 parameters out of range"),
};

/// A hash of a random password that was thrown away (nobody knows it), made with the same parameters as
/// [`hash_password`]. [`dummy_verify`] checks against it so that a log-on for a user name that
/// does not exist costs as much time as one for a real user. A test checks that its parameters
/// still equal the constants above; regenerate it with `hash_password` when they change.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$ngrPTv5MHxdpBDgCYdDVEA$bknTtMj1b9zj96u+DsfR8Zmlf4b88chvWZoIS66Z0X4";

/// Length bounds for new passwords, counted in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// At least 8: NIST SP 800-63B's minimum for user-chosen passwords. OWASP ASVS 4.0 2.1.1
    /// asks for 12; a deployment audited against that raises this value.
    pub min_len: usize,
    /// At most 256: long enough for any pass-phrase, short enough that hashing stays cheap.
    pub max_len: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: 8,
            max_len: 256,
        }
    }
}

/// Why a new password was refused. Each message tells the user what to do instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PasswordRejection {
    #[error(
        "this password is shorter than {min} characters; choose a longer one (a phrase of a few words is easy to remember)"
    )]
    TooShort { min: usize },
    #[error("this password is longer than {max} characters; choose a shorter one")]
    TooLong { max: usize },
    #[error("this password is on a list of commonly used passwords; choose a longer phrase")]
    Common,
    #[error("this password contains your user name; choose one that does not")]
    ContainsUsername,
}

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// User names shorter than this are not searched for inside passwords: a two-letter name like
/// "al" occurs in too many good pass-phrases for the rule to help.
const MIN_USERNAME_CHECK_LEN: usize = 3;

/// Checks a password the user wants to set. Only length, the common-password list and the user
/// name are checked: composition rules ("one digit, one symbol") make passwords harder to
/// remember without making them stronger (NIST SP 800-63B §5.1.1.2).
pub fn check_new_password(
    policy: &PasswordPolicy,
    password: &str,
    username: &str,
) -> Result<(), PasswordRejection> {
    let password = normalized(password);
    let password = password.as_str();
    let len = password.chars().count();
    if len < policy.min_len {
        return Err(PasswordRejection::TooShort {
            min: policy.min_len,
        });
    }
    if len > policy.max_len {
        return Err(PasswordRejection::TooLong {
            max: policy.max_len,
        });
    }
    // Case-folded so that "Password1" is caught like "password1"; trimmed because a trailing
    // space does not make a listed password any less guessable.
    let folded = password.trim().to_lowercase();
    if COMMON.contains(folded.as_str()) {
        return Err(PasswordRejection::Common);
    }
    let name = username.trim().to_lowercase();
    if name.chars().count() >= MIN_USERNAME_CHECK_LEN && folded.contains(&name) {
        return Err(PasswordRejection::ContainsUsername);
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// Hashes a password with Argon2id and a fresh random salt; returns the PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), which carries its own parameters so they
/// can be raised later without invalidating stored hashes.
pub fn hash_password(password: &str) -> Result<String, AccessError> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| AccessError::Random(e.to_string()))?;
    argon2()
        .hash_password_with_salt(normalized(password).as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AccessError::Hash(e.to_string()))
}

/// The password as it is checked and hashed: Unicode NFKC, as NIST SP 800-63B asks, so the
/// same password typed on another keyboard or system (composed or decomposed accents,
/// full-width forms) is still the same password.
fn normalized(password: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    password.nfkc().collect()
}

/// Checks a password against a stored PHC string, using the parameters stored in it. A wrong
/// password is `Ok(false)`; a string that is not a complete Argon2 PHC hash is an error, since
/// it means the stored data is damaged, not that the user typed the wrong thing.
pub fn verify_password(password: &str, phc: &str) -> Result<bool, AccessError> {
    let parsed = PasswordHash::new(phc).map_err(|e| AccessError::MalformedHash(e.to_string()))?;
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err(AccessError::MalformedHash(
            "the salt or the hash part is missing".into(),
        ));
    }
    match argon2().verify_password(normalized(password).as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(AccessError::MalformedHash(e.to_string())),
    }
}

/// Spends the time of one password verification and throws the result away. Call it when a
/// log-on names a user that does not exist, so that the response time does not reveal which
/// user names exist (OWASP ASVS 2.2.x / user enumeration).
pub fn dummy_verify(password: &str) {
    // The result is meaningless (nobody knows the dummy password); only the time matters.
    let _ = verify_password(password, DUMMY_PHC);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_compared_after_unicode_normalisation() {
        // "é" precomposed and as e + combining accent; full-width letters.
        let hash = hash_password("caf\u{e9} au lait chaud").unwrap();
        assert!(verify_password("cafe\u{301} au lait chaud", &hash).unwrap());
        let hash = hash_password("\u{ff53}\u{ff55}\u{ff4e}ny morning walk").unwrap();
        assert!(verify_password("sunny morning walk", &hash).unwrap());
        assert!(!verify_password("sunny morning walks", &hash).unwrap());
    }

    fn check(password: &str, username: &str) -> Result<(), PasswordRejection> {
        check_new_password(&PasswordPolicy::default(), password, username)
    }

    #[test]
    fn length_is_counted_in_unicode_scalar_values() {
        assert_eq!(
            check("ab", "x"),
            Err(PasswordRejection::TooShort { min: 8 })
        );
        // Seven characters but 21 bytes: still too short.
        assert_eq!(
            check("€€€€€€€", "x"),
            Err(PasswordRejection::TooShort { min: 8 })
        );
        assert_eq!(check("€€€€ß€€€", "x"), Ok(()));
        let long = "word ".repeat(52);
        assert_eq!(check(&long[..256], "x"), Ok(()));
        assert_eq!(
            check(&long[..257], "x"),
            Err(PasswordRejection::TooLong { max: 256 })
        );
    }

    #[test]
    fn no_composition_rules() {
        assert_eq!(check("correct horse battery staple", "analyst"), Ok(()));
        assert_eq!(check("zqxvbnmwkplt", "analyst"), Ok(()));
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively() {
        assert_eq!(check("password", "x"), Err(PasswordRejection::Common));
        assert_eq!(check("PassWord1", "x"), Err(PasswordRejection::Common));
        assert_eq!(check("qwertyuiop", "x"), Err(PasswordRejection::Common));
        assert_eq!(check(" iloveyou ", "x"), Err(PasswordRejection::Common));
    }

    #[test]
    fn the_bundled_list_is_complete_and_lowercase() {
        let text = include_str!("../data/common-passwords.txt");
        assert_eq!(text.lines().count(), 19_640);
        assert!(COMMON.len() > 19_000);
        for line in text.lines() {
            assert_eq!(
                line,
                line.to_lowercase(),
                "list entry not lowercase: {line:?}"
            );
        }
    }

    #[test]
    fn passwords_containing_the_user_name_are_refused() {
        assert_eq!(
            check("my name is JSmith ok", "jsmith"),
            Err(PasswordRejection::ContainsUsername)
        );
        // Too short a name to search for.
        assert_eq!(check("gallant forest walk", "al"), Ok(()));
        assert_eq!(check("gallant forest walk", ""), Ok(()));
    }

    #[test]
    fn messages_say_what_to_do() {
        assert_eq!(
            PasswordRejection::Common.to_string(),
            "this password is on a list of commonly used passwords; choose a longer phrase"
        );
        assert!(
            PasswordRejection::TooShort { min: 8 }
                .to_string()
                .contains("shorter than 8 characters")
        );
    }

    #[test]
    fn hash_then_verify() {
        let phc = hash_password("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(
            verify_password("correct horse battery staple", &phc),
            Ok(true)
        );
        assert_eq!(
            verify_password("correct horse battery stapler", &phc),
            Ok(false)
        );
    }

    #[test]
    fn malformed_hashes_are_errors() {
        assert!(matches!(
            verify_password("x", "not a hash"),
            Err(AccessError::MalformedHash(_))
        ));
        assert!(matches!(
            verify_password("x", "$argon2id$v=19$m=19456,t=2,p=1"),
            Err(AccessError::MalformedHash(_))
        ));
    }

    #[test]
    fn dummy_hash_uses_the_current_parameters() {
        let parsed = PasswordHash::new(DUMMY_PHC).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES)
        );
        // Verifying it against a wrong password does the full Argon2 work and says no.
        assert_eq!(verify_password("anything", DUMMY_PHC), Ok(false));
        dummy_verify("anything");
    }
}
