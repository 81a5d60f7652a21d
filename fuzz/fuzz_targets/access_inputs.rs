//! Fuzz target `access_inputs`: what a browser sends to the sign-in pages (TOTP codes, new
//! passwords, session cookies, enrolment keys) never panics, and every accepted value has the
//! documented shape: a TOTP code is accepted only as 6 digits, a session token only as 32
//! lowercase hex characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_access::{
    PasswordPolicy, SessionToken, TotpSecret, check_new_password, token_digest, verify_totp,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let secret = TotpSecret::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").expect("a valid key");
    if verify_totp(&secret, &text, 1_700_000_000, None).is_ok() {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()), "{text:?}");
    }
    let _ = check_new_password(&PasswordPolicy::default(), &text, "analyst");
    if let Some(token) = SessionToken::parse(&text) {
        let t = token.as_str();
        assert!(t.len() == 32 && t.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
    assert_eq!(token_digest(&text).len(), 64);
    let _ = TotpSecret::from_base32(&text);
});
