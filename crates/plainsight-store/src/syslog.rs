//! A copy of every signed audit checkpoint sent to the local syslog daemon, so the head of the
//! audit log is also recorded where someone who can write to the workspace's key folder cannot
//! rewrite it (syslog files are owned by root, and are often forwarded off the machine by the
//! daemon's own configuration). Plainsight itself only writes to the local Unix socket: no
//! network call.
//!
//! The message is RFC 3164 (the format every syslog daemon reads on `/dev/log`), facility
//! `authpriv`, severity `notice`, tag `plainsight`, text `audit-checkpoint ` followed by the
//! signed checkpoint line. `audit verify --checkpoints /var/log/auth.log` reads them back.

use std::path::{Path, PathBuf};

/// Environment variable naming the syslog socket to copy checkpoints to (`/dev/log` on most
/// Unix systems); unset or empty, no copy is sent.
pub const AUDIT_SYSLOG_ENV: &str = "PLAINSIGHT_AUDIT_SYSLOG";

pub use plainsight_access::audit::{SYSLOG_MARKER, checkpoint_text};

/// `authpriv` (10) * 8 + `notice` (5): security messages, kept in root-only files.
const PRIORITY: u8 = 10 * 8 + 5;

/// The syslog socket from the environment, if set.
pub fn socket_from_env() -> Option<PathBuf> {
    std::env::var_os(AUDIT_SYSLOG_ENV)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

/// The RFC 3164 message carrying one checkpoint line. The timestamp is local time, as syslog
/// daemons expect on the local socket (most replace it with their own on receipt anyway).
pub fn message(checkpoint_line: &str, now: chrono::DateTime<chrono::Local>, pid: u32) -> String {
    format!(
        "<{PRIORITY}>{} plainsight[{pid}]: {SYSLOG_MARKER}{checkpoint_line}",
        now.format("%b %e %H:%M:%S")
    )
}

/// Sends one checkpoint line to the datagram socket at `socket`. Never waits: the automatic
/// checkpoints are written while the audit log's writer turn is held, so a syslog daemon that
/// stopped reading (its queue full) must cost the copy, with a warning, not stall every
/// audited change behind it.
#[cfg(unix)]
pub fn send(socket: &Path, checkpoint_line: &str) -> std::io::Result<()> {
    let datagram = std::os::unix::net::UnixDatagram::unbound()?;
    datagram.set_nonblocking(true)?;
    let text = message(checkpoint_line, chrono::Local::now(), std::process::id());
    datagram.send_to(text.as_bytes(), socket)?;
    Ok(())
}

/// Syslog sockets exist on Unix only.
#[cfg(not(unix))]
pub fn send(_socket: &Path, _checkpoint_line: &str) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "syslog copies of checkpoints need a Unix syslog socket",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn message_is_rfc3164_with_the_line_after_the_marker() {
        let now = chrono::Local.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
        let m = message("v1 head 7 abc T MAC", now, 42);
        assert_eq!(
            m,
            "<85>Mar  4 05:06:07 plainsight[42]: audit-checkpoint v1 head 7 abc T MAC"
        );
    }

    #[test]
    fn checkpoint_text_reads_bare_lines_and_syslog_lines_of_ours_only() {
        assert_eq!(
            checkpoint_text("v1 head 1 h t m\n"),
            Some("v1 head 1 h t m")
        );
        assert_eq!(
            checkpoint_text(
                "Mar  4 05:06:07 host plainsight[42]: audit-checkpoint v1 head 1 h t m"
            ),
            Some("v1 head 1 h t m")
        );
        assert_eq!(
            checkpoint_text("2026-03-04T05:06:07+00:00 host plainsight[9]: audit-checkpoint v1 x"),
            Some("v1 x")
        );
        assert_eq!(checkpoint_text("Mar  4 host sshd[1]: Accepted key"), None);
        assert_eq!(
            checkpoint_text("Mar  4 host evil[1]: audit-checkpoint v1 head 1 h t m"),
            None
        );
        assert_eq!(checkpoint_text(""), None);
    }

    #[cfg(unix)]
    #[test]
    fn send_delivers_one_datagram_to_the_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sock");
        let server = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        send(&path, "v1 head 3 abc t mac").unwrap();
        let mut buf = [0u8; 512];
        let n = server.recv(&mut buf).unwrap();
        let got = std::str::from_utf8(&buf[..n]).unwrap();
        assert!(got.starts_with("<85>"), "{got}");
        assert_eq!(checkpoint_text(got), Some("v1 head 3 abc t mac"));
    }

    /// A daemon that stopped reading: its queue fills, and `send` answers an error at once
    /// instead of blocking (a blocking send would hang this test).
    #[cfg(unix)]
    #[test]
    fn send_to_a_daemon_that_stopped_reading_fails_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stuck.sock");
        let _server = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        let line = format!("v1 head 3 {} t mac", "a".repeat(900));
        let mut failed = None;
        for i in 0..100_000 {
            if let Err(e) = send(&path, &line) {
                failed = Some((i, e.kind()));
                break;
            }
        }
        let (sent, kind) = failed.expect("the queue never filled");
        assert!(sent > 0, "the first copies are queued");
        assert_eq!(kind, std::io::ErrorKind::WouldBlock);
    }

    #[cfg(unix)]
    #[test]
    fn send_to_a_missing_socket_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        assert!(send(&dir.path().join("none.sock"), "v1 x").is_err());
    }
}
