//! The TOTP second factor (RFC 6238 with the parameters every authenticator app supports:
//! HMAC-SHA-1, 6 digits, 30-second steps), with one step of clock-skew tolerance and each code
//! accepted only once.

use std::fmt;

use qrcode::QrCode;
use qrcode::render::svg;
use serde::Serialize;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder, Secret};

use crate::AccessError;

/// Digits in a code.
pub const TOTP_DIGITS: usize = 6;
/// Seconds per time step.
pub const TOTP_STEP_SECS: i64 = 30;
/// Steps accepted on either side of the current one: RFC 6238 §5.2 recommends at most one, which
/// covers a phone clock that is up to 30 s off plus the time to type the code.
pub const TOTP_SKEW_STEPS: i64 = 1;
/// Secret length in bytes (160 bits, RFC 4226 §4's recommendation).
const SECRET_LEN: usize = 20;

/// A user's TOTP key. `Debug` prints no key material, so the secret cannot leak into logs.
#[derive(Clone)]
pub struct TotpSecret([u8; SECRET_LEN]);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    /// 20 bytes from the operating system's random number generator.
    pub fn generate() -> Self {
        TotpSecret(crate::os_random())
    }

    /// Unpadded RFC 4648 base32 (32 characters), the form authenticator apps and the database
    /// use.
    pub fn to_base32(&self) -> String {
        Secret::from(self.0).to_base32()
    }

    /// Parses base32 as produced by [`TotpSecret::to_base32`]; also accepts lowercase, spaces
    /// and `=` padding, as people type or copy keys that way. Anything that is not exactly 20
    /// bytes is refused.
    pub fn from_base32(text: &str) -> Result<Self, AccessError> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let secret = Secret::try_from_base32(&cleaned).map_err(|_| AccessError::BadSecret)?;
        let bytes: [u8; SECRET_LEN] = secret
            .as_bytes()
            .try_into()
            .map_err(|_| AccessError::BadSecret)?;
        // base32 decoding ignores trailing bits, so several texts decode to the same key; only
        // the canonical text is accepted, so that a stored secret round-trips exactly.
        if Secret::from(bytes).to_base32() != cleaned {
            return Err(AccessError::BadSecret);
        }
        Ok(TotpSecret(bytes))
    }

    /// The code for a time step. Steps before the Unix epoch do not occur; they are clamped to
    /// step 0 rather than wrapping.
    fn code_at_step(&self, step: i64) -> String {
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(TOTP_DIGITS as u8)
            .with_skew(0)
            .with_step_duration(TOTP_STEP_SECS as u64)
            .with_secret(Secret::from(self.0))
            // The parameters are RFC 6238's defaults and the key is 20 bytes by its type, so
            // the checks `build` would do cannot fail.
            .build_noncompliant();
        let time = u64::try_from(step.max(0)).unwrap_or(0) * TOTP_STEP_SECS as u64;
        totp.generate(time).to_string()
    }
}

/// Why a TOTP code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TotpRejection {
    #[error("the code must be the 6 digits shown in your authenticator app")]
    Malformed,
    #[error("this code is not correct; check the time on your phone and enter the current code")]
    Wrong,
    #[error("this code has already been used; wait for the next code and enter that one")]
    Reused,
}

/// Percent-encodes everything except RFC 3986 unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The `otpauth://` URI an authenticator app scans (Google Authenticator "Key URI Format"). The
/// issuer appears both as the label prefix and as a parameter, as the format recommends for
/// apps that read only one of them.
pub fn provisioning_uri(secret: &TotpSecret, account: &str, issuer: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_SECS}",
        account = percent_encode(account),
        secret = secret.to_base32(),
    )
}

/// An SVG image of a QR code of `uri`, to show on the enrolment page. It starts with `<svg` (the
/// renderer's XML declaration is dropped) so it can be written straight into an HTML page, and
/// it carries `role="img"` and an `aria-label` for screen readers.
///
/// If the text is too long for a QR code (over ~2,000 bytes, which a provisioning URI never is),
/// the image says so instead, and the page's typed-in key remains the way to enrol; a picture is
/// not worth failing the page over.
pub fn qr_svg(uri: &str) -> String {
    const QR_SVG_OPEN: &str =
        r#"<svg role="img" aria-label="QR code to scan with an authenticator app" "#;
    match QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let image = code
                .render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .dark_color(svg::Color("#000000"))
                .light_color(svg::Color("#ffffff"))
                .build();
            let body = image
                .find("<svg ")
                .map_or(image.as_str(), |at| &image[at..]);
            body.replacen("<svg ", QR_SVG_OPEN, 1)
        }
        Err(_) => concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="200" height="40">"#,
            r#"<text x="4" y="24">QR code unavailable: type the key instead</text></svg>"#
        )
        .to_string(),
    }
}

/// The code for Unix time `unix` (for tests and the browser test driver).
pub fn totp_code(secret: &TotpSecret, unix: i64) -> String {
    secret.code_at_step(unix.div_euclid(TOTP_STEP_SECS))
}

/// Checks a code typed at `now_unix`. Accepts the code of the current step or of one step
/// either side, and returns the step it matched, which the caller stores as the new
/// `last_used_step`: a code whose step is at or before `last_used_step` is refused as reused
/// (RFC 6238 §5.2: a code is accepted once), which also stops an observed code from being
/// replayed within its validity window.
pub fn verify_totp(
    secret: &TotpSecret,
    code: &str,
    now_unix: i64,
    last_used_step: Option<i64>,
) -> Result<i64, TotpRejection> {
    // Apps show codes as "123 456"; people paste them with spaces.
    let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != TOTP_DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TotpRejection::Malformed);
    }
    let current = now_unix.div_euclid(TOTP_STEP_SECS);
    let mut accepted = None;
    let mut matched_used = false;
    // Every candidate step is computed and compared in constant time, whatever matched, so the
    // response time does not say which step (if any) the code belonged to.
    for step in (current - TOTP_SKEW_STEPS)..=(current + TOTP_SKEW_STEPS) {
        if step < 0 {
            continue;
        }
        let expected = secret.code_at_step(step);
        let equal: bool = expected.as_bytes().ct_eq(typed.as_bytes()).into();
        if equal {
            if last_used_step.is_some_and(|last| step <= last) {
                matched_used = true;
            } else if accepted.is_none() {
                // The earliest unused match: accepting a later step would needlessly burn the
                // codes of the steps in between.
                accepted = Some(step);
            }
        }
    }
    match accepted {
        Some(step) => Ok(step),
        None if matched_used => Err(TotpRejection::Reused),
        None => Err(TotpRejection::Wrong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret(*b"12345678901234567890")
    }

    /// RFC 6238 Appendix B, SHA-1 column (8 digits); a 6-digit code is the last 6 digits, since
    /// both are the same truncated value modulo a power of ten.
    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        let vectors: [(i64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, code) in vectors {
            assert_eq!(totp_code(&rfc_secret(), time), code[2..], "at {time}");
        }
    }

    #[test]
    fn base32_round_trip_and_lenient_input() {
        let secret = TotpSecret::generate();
        let text = secret.to_base32();
        assert_eq!(text.len(), 32);
        let back = TotpSecret::from_base32(&text).unwrap();
        assert_eq!(back.0, secret.0);
        let spaced: String = text
            .to_lowercase()
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(TotpSecret::from_base32(&spaced).unwrap().0, secret.0);
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn bad_secrets_are_refused() {
        for text in [
            "",
            "GEZDGNBV",
            "not base32!",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE",
        ] {
            assert_eq!(
                TotpSecret::from_base32(text).unwrap_err(),
                AccessError::BadSecret,
                "{text}"
            );
        }
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let secret = rfc_secret();
        let shown = format!("{secret:?}");
        assert!(!shown.contains(&secret.to_base32()));
        assert!(!shown.contains("1234"));
    }

    #[test]
    fn accepts_one_step_of_skew_and_returns_the_step() {
        let s = rfc_secret();
        let now = 1_700_000_015; // step 56_666_667
        let step = now / 30;
        assert_eq!(verify_totp(&s, &totp_code(&s, now), now, None), Ok(step));
        assert_eq!(
            verify_totp(&s, &totp_code(&s, now - 30), now, None),
            Ok(step - 1)
        );
        assert_eq!(
            verify_totp(&s, &totp_code(&s, now + 30), now, None),
            Ok(step + 1)
        );
        assert_eq!(
            verify_totp(&s, &totp_code(&s, now - 60), now, None),
            Err(TotpRejection::Wrong)
        );
        assert_eq!(
            verify_totp(&s, &totp_code(&s, now + 60), now, None),
            Err(TotpRejection::Wrong)
        );
    }

    #[test]
    fn each_code_is_accepted_once() {
        let s = rfc_secret();
        let now = 1_700_000_015;
        let code = totp_code(&s, now);
        let step = verify_totp(&s, &code, now, None).unwrap();
        assert_eq!(
            verify_totp(&s, &code, now, Some(step)),
            Err(TotpRejection::Reused)
        );
        // Still refused when replayed in the next step, while it is within the skew window.
        assert_eq!(
            verify_totp(&s, &code, now + 30, Some(step)),
            Err(TotpRejection::Reused)
        );
        // The previous step's code is also refused once a later step was used.
        let earlier = totp_code(&s, now - 30);
        assert_eq!(
            verify_totp(&s, &earlier, now, Some(step)),
            Err(TotpRejection::Reused)
        );
        // The next code is fine.
        let next = totp_code(&s, now + 30);
        assert_eq!(verify_totp(&s, &next, now + 30, Some(step)), Ok(step + 1));
    }

    #[test]
    fn malformed_codes() {
        let s = rfc_secret();
        for code in [
            "",
            "12345",
            "1234567",
            "12a456",
            "１２３４５６",
            "+12345",
            "-12345",
        ] {
            assert_eq!(
                verify_totp(&s, code, 1_700_000_000, None),
                Err(TotpRejection::Malformed),
                "{code}"
            );
        }
        let now = 1_700_000_015;
        let code = totp_code(&s, now);
        let spaced = format!(" {} {} ", &code[..3], &code[3..]);
        assert_eq!(verify_totp(&s, &spaced, now, None), Ok(now / 30));
    }

    #[test]
    fn times_near_the_epoch_do_not_wrap() {
        let s = rfc_secret();
        assert_eq!(verify_totp(&s, &totp_code(&s, 5), 5, None), Ok(0));
        assert_eq!(totp_code(&s, -100), totp_code(&s, 0));
    }

    #[test]
    fn provisioning_uri_is_percent_encoded() {
        let uri = provisioning_uri(&rfc_secret(), "j.smith@example.org", "Plainsight PD");
        assert_eq!(
            uri,
            "otpauth://totp/Plainsight%20PD:j.smith%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Plainsight%20PD&algorithm=SHA1&digits=6&period=30"
        );
        let uri = provisioning_uri(&rfc_secret(), "a:b&c=d?", "x");
        assert!(
            uri.starts_with("otpauth://totp/x:a%3Ab%26c%3Dd%3F?"),
            "{uri}"
        );
    }

    #[test]
    fn qr_code_is_an_svg() {
        let uri = provisioning_uri(&rfc_secret(), "analyst", "Plainsight");
        let svg = qr_svg(&uri);
        assert!(svg.starts_with("<svg role=\"img\" aria-label="), "{svg}");
        assert!(svg.contains(r#"xmlns="http://www.w3.org/2000/svg""#));
        assert!(svg.contains("</svg>"));
        assert!(svg.len() > 1000);
        let too_long = "x".repeat(8000);
        assert!(qr_svg(&too_long).contains("QR code unavailable"));
    }
}
