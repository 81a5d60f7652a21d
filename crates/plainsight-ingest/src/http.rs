//! The HTTP response stored in a WARC `response` record: status line, headers, and the body
//! with chunked transfer-encoding and gzip/deflate content-encoding undone. Lenient on
//! purpose: archives often hold bodies that a crawler cut short or already decoded.

use std::io::Read;

use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

/// Status line and headers of a stored HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpHead {
    pub(crate) status: u16,
    /// Header names lower-cased, values trimmed, in order.
    pub(crate) headers: Vec<(String, String)>,
}

impl HttpHead {
    /// The first value of a header (name matched case-insensitively).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Split a stored response into its head and raw body. `None` when the bytes do not start
/// with an HTTP status line.
pub(crate) fn split_response(block: &[u8]) -> Option<(HttpHead, &[u8])> {
    if !block.starts_with(b"HTTP/") {
        return None;
    }
    let (head, body) = match find_head_end(block) {
        Some((head_end, body_start)) => (&block[..head_end], &block[body_start..]),
        None => (block, &block[block.len()..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
    let status_line = lines.next()?;
    let status: u16 = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // Obsolete header folding: continue the previous value.
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    Some((HttpHead { status, headers }, body))
}

/// End of the header block and start of the body: the first blank line (CRLF or bare LF).
fn find_head_end(block: &[u8]) -> Option<(usize, usize)> {
    let crlf = memchr::memmem::find(block, b"\r\n\r\n").map(|i| (i, i + 4));
    let lf = memchr::memmem::find(block, b"\n\n").map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Undo transfer- and content-encoding, keeping at most `max` decoded bytes.
pub(crate) fn decode_body(head: &HttpHead, body: &[u8], max: usize) -> Result<Vec<u8>, String> {
    let chunked = head
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(body, max)?
    } else {
        body.to_vec()
    };
    let encoding = head
        .header("content-encoding")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "" | "identity" | "none" => Ok(body),
        "gzip" | "x-gzip" => inflate(MultiGzDecoder::new(&body[..]), &body, max, "gzip"),
        "deflate" => {
            // "deflate" is zlib-wrapped by the standard but raw deflate from some servers.
            if body.first().is_some_and(|b| b & 0x0f == 8) {
                inflate(ZlibDecoder::new(&body[..]), &body, max, "deflate")
            } else {
                inflate(DeflateDecoder::new(&body[..]), &body, max, "deflate")
            }
        }
        other => {
            if crate::html::looks_like_html(&body) {
                // Some archivers store the decoded body but keep the original header.
                Ok(body)
            } else {
                Err(format!(
                    "the HTTP body uses Content-Encoding `{other}`, which is not supported (gzip and deflate are)"
                ))
            }
        }
    }
}

/// Decompress, keeping what was decoded before an error (archived bodies are often cut).
fn inflate(decoder: impl Read, raw: &[u8], max: usize, name: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let result = decoder.take(max as u64 + 1).read_to_end(&mut out);
    if out.len() > max {
        return Err(format!(
            "the {name}-compressed HTTP body decodes to more than the {max} byte record limit; skipped"
        ));
    }
    match result {
        Ok(_) => Ok(out),
        Err(_) if !out.is_empty() => Ok(out),
        // Stored already decoded despite the header.
        Err(_) if crate::html::looks_like_html(raw) => Ok(raw.to_vec()),
        Err(e) => Err(format!(
            "the {name}-compressed HTTP body cannot be decoded: {e}"
        )),
    }
}

/// Undo chunked transfer-encoding. A body that does not start with a chunk size is taken as
/// already de-chunked; a body cut inside a chunk keeps the bytes that are there.
fn dechunk(body: &[u8], max: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = body;
    let mut first = true;
    while let Some(line_end) = memchr::memchr(b'\n', rest) {
        let line = String::from_utf8_lossy(&rest[..line_end]);
        let size_text = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            if first {
                return Ok(body.to_vec());
            }
            break;
        };
        first = false;
        rest = &rest[line_end + 1..];
        if size == 0 {
            break;
        }
        let take = size.min(rest.len());
        if out.len() + take > max {
            return Err(format!(
                "the chunked HTTP body is more than the {max} byte record limit; skipped"
            ));
        }
        out.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        // Each chunk's data is followed by CRLF.
        rest = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
            .unwrap_or(rest);
    }
    if first && !body.is_empty() {
        return Ok(body.to_vec());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_body_is_joined() {
        let block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n5\r\nHello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        let (head, body) = split_response(block).unwrap();
        assert_eq!(head.status, 200);
        assert_eq!(head.header("content-type"), Some("text/html"));
        assert_eq!(decode_body(&head, body, 1000).unwrap(), b"Hello, world");
    }

    #[test]
    fn not_really_chunked_body_is_kept() {
        let block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n<html>x</html>";
        let (head, body) = split_response(block).unwrap();
        assert_eq!(decode_body(&head, body, 1000).unwrap(), b"<html>x</html>");
    }

    #[test]
    fn gzip_body_is_inflated_within_limit() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&b"a".repeat(5000)).unwrap();
        let gz = enc.finish().unwrap();
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        block.extend_from_slice(&gz);
        let (head, body) = split_response(&block).unwrap();
        assert_eq!(decode_body(&head, body, 10_000).unwrap().len(), 5000);
        assert!(
            decode_body(&head, body, 100)
                .unwrap_err()
                .contains("record limit")
        );
    }
}
