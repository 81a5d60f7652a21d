//! Security rules of Plainsight's multi-user web application, as pure functions and small types:
//! password policy and Argon2id hashing, the TOTP second factor, session and CSRF tokens, roles
//! and their permissions, the hash-chained audit log, and the lock-out, TOTP-attempt and
//! session-expiry policies (OWASP ASVS level 2, FBI CJIS security policy).
//!
//! The crate does no file or network I/O, keeps no state and never reads the clock (callers
//! pass the time in, so every rule can be tested at its boundaries); its one contact with the
//! system is the operating system's random number generator, for salts, secrets and tokens. The
//! database layer stores what these functions produce (password hashes, token digests, audit
//! chain hashes, TOTP secrets and last-used steps) and the web layer calls them on every log-on,
//! request and audited action. Keeping the rules here means they are tested once, without a
//! database or a browser, and both layers agree on them.

pub mod audit;
pub mod keys;
pub mod password;
pub mod policy;
pub mod roles;
pub mod token;
pub mod totp;

pub use audit::{
    AuditKey, AuditRecord, BadAuditKey, BreakKind, ChainBreak, ChainReport, ChainVerifier,
    Checkpoint, CheckpointCheck, CheckpointError, CheckpointKind, CheckpointProblem, GENESIS,
    Outcome, UnknownOutcome, canonical_bytes, chain_hash, keyed_chain_hash,
};
pub use password::{
    ARGON2_LANES, ARGON2_MEMORY_KIB, ARGON2_PASSES, PasswordPolicy, PasswordRejection, SALT_LEN,
    check_new_password, dummy_verify, hash_password, verify_password,
};
pub use policy::{LockoutPolicy, SessionPolicy, SessionState, TotpAttemptPolicy};
pub use roles::{Permission, Role, UnknownRole};
pub use token::{SessionToken, constant_time_eq, one_time_password, random_token, token_digest};
pub use totp::{
    TOTP_DIGITS, TOTP_SKEW_STEPS, TOTP_STEP_SECS, TotpRejection, TotpSecret, provisioning_uri,
    qr_svg, totp_code, verify_totp,
};

/// Failures of the security primitives themselves (as opposed to a user's input being refused,
/// which the rejection types in each module describe).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Argon2 could not compute a hash (it only fails on out-of-range inputs or memory).
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// A stored password hash is not a PHC string this crate can verify against.
    #[error("the stored password hash is not a valid Argon2 PHC string: {0}")]
    MalformedHash(String),
    /// A stored TOTP secret is not base32 of exactly 20 bytes.
    #[error("the TOTP secret is not base32 text of a 20-byte key")]
    BadSecret,
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

/// Fills an array from the operating system's CSPRNG.
///
/// Panics if the OS generator fails: on the platforms we run on that means the kernel cannot
/// provide randomness at all, and no token, salt or secret may be made without it (falling back
/// to a weaker source would be worse than stopping).
pub(crate) fn os_random<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}
