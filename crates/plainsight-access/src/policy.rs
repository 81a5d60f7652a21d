//! Time-based rules: account lock-out after failed log-ons, refusal of TOTP guessing, and
//! session expiry. The caller counts events and reads the clock; these functions only decide.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Lock an account after too many failed log-ons in a sliding window (CJIS 5.5.3: at most five
/// consecutive invalid attempts; OWASP ASVS 2.2.1 anti-automation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures within [`LockoutPolicy::window`] that lock the account: 5.
    pub max_failures: u32,
    /// How far back failures count: 15 minutes.
    pub window: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            window: Duration::minutes(15),
        }
    }
}

impl LockoutPolicy {
    /// Whether the account is locked, given the failures counted since
    /// [`LockoutPolicy::window_start`] (including the one just recorded).
    pub fn should_lock(&self, failures_in_window: u32) -> bool {
        failures_in_window >= self.max_failures
    }

    /// The earliest time a failure still counts at `now`.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }
}

/// Session lifetime limits (OWASP ASVS 3.3.2 / CJIS 5.5.5 session lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Inactivity after which the session ends: 30 minutes (CJIS asks for a lock after at most
    /// 30 minutes of inactivity).
    pub idle: Duration,
    /// Lifetime after which the session ends however active it is: 12 hours, one working shift,
    /// so a stolen cookie is not good for days.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// Whether a session may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Active,
    /// Unused for the idle limit or longer.
    IdleExpired,
    /// Older than the absolute limit.
    AbsoluteExpired,
}

impl SessionPolicy {
    /// Decides a session's state at `now`. A limit is reached at its exact length: a session
    /// idle for 29:59 is active, one idle for 30:00 has expired. The absolute limit is checked
    /// first, since it ends the session whatever the activity.
    pub fn check(
        &self,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> SessionState {
        if now - created_at >= self.absolute {
            SessionState::AbsoluteExpired
        } else if now - last_seen_at >= self.idle {
            SessionState::IdleExpired
        } else {
            SessionState::Active
        }
    }
}

/// Refuse further TOTP codes for an account after too many wrong ones in a short window: a
/// 6-digit code with a ±1 step window has 3 chances in a million per guess, and this keeps
/// guessing far below any useful rate (RFC 6238 §5.2, OWASP ASVS 2.8.x).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpAttemptPolicy {
    /// Wrong codes within [`TotpAttemptPolicy::window`] after which codes are refused: 5.
    pub max_attempts: u32,
    /// How far back wrong codes count: 5 minutes.
    pub window: Duration,
}

impl Default for TotpAttemptPolicy {
    fn default() -> Self {
        TotpAttemptPolicy {
            max_attempts: 5,
            window: Duration::minutes(5),
        }
    }
}

impl TotpAttemptPolicy {
    /// Whether to refuse the next code without checking it, given the wrong codes counted
    /// since [`TotpAttemptPolicy::window_start`].
    pub fn should_refuse(&self, attempts_in_window: u32) -> bool {
        attempts_in_window >= self.max_attempts
    }

    /// The earliest time a wrong code still counts at `now`.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap()
    }

    #[test]
    fn lockout_at_exactly_five_failures() {
        let policy = LockoutPolicy::default();
        assert!(!policy.should_lock(0));
        assert!(!policy.should_lock(4));
        assert!(policy.should_lock(5));
        assert!(policy.should_lock(6));
        assert_eq!(policy.window_start(t0()), t0() - Duration::minutes(15));
    }

    #[test]
    fn totp_attempts_refused_at_five() {
        let policy = TotpAttemptPolicy::default();
        assert!(!policy.should_refuse(4));
        assert!(policy.should_refuse(5));
        assert_eq!(policy.window_start(t0()), t0() - Duration::minutes(5));
    }

    #[test]
    fn idle_limit_boundary() {
        let policy = SessionPolicy::default();
        let created = t0();
        let seen = t0() + Duration::minutes(10);
        let idle = |d: Duration| policy.check(created, seen, seen + d);
        assert_eq!(idle(Duration::zero()), SessionState::Active);
        assert_eq!(idle(Duration::seconds(29 * 60 + 59)), SessionState::Active);
        assert_eq!(idle(Duration::minutes(30)), SessionState::IdleExpired);
        // A last-seen time after "now" (clock adjusted) is not an expiry.
        assert_eq!(
            policy.check(created, seen, seen - Duration::seconds(5)),
            SessionState::Active
        );
    }

    #[test]
    fn absolute_limit_boundary_and_precedence() {
        let policy = SessionPolicy::default();
        let created = t0();
        let limit = created + Duration::hours(12);
        // Busy session: seen a second ago.
        let busy = |now: DateTime<Utc>| policy.check(created, now - Duration::seconds(1), now);
        assert_eq!(busy(limit - Duration::seconds(1)), SessionState::Active);
        assert_eq!(busy(limit), SessionState::AbsoluteExpired);
        // Both limits passed: the absolute one is reported.
        assert_eq!(
            policy.check(created, created, limit + Duration::hours(1)),
            SessionState::AbsoluteExpired
        );
    }
}
