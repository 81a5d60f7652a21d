//! WARC 1.0/1.1 reader: each `response` record holding an HTML page (and each `resource`
//! record of type `text/html`) becomes an ad; image responses (by `Content-Type` or by their
//! bytes) are hashed and their hashes attached to the pages that reference them; other
//! records are counted and skipped.
//!
//! A crawler writes a page's images near the page, before or after it. Image hashes are kept by
//! target URI in a bounded index ([`IMAGE_INDEX_CAPACITY`]), and a page whose images have not
//! all been seen waits, at most [`PAGE_WAIT_RECORDS`] records and with at most
//! [`MAX_WAITING_PAGES`] pages waiting, so memory stays bounded whatever the archive's size.
//! Hand-rolled (version line, headers, `Content-Length`, block, blank lines) so that a
//! damaged record can be reported by number and byte offset and reading can resume.

use std::io::{self, BufRead};

use plainsight_core::Ad;
use plainsight_core::ad::parse_posted_at;
use sha2::{Digest, Sha256};

use crate::html::{self, Page};
use crate::http;
use crate::photos::{self, ImageIndex};
use crate::source::{Input, describe_read_error, read_up_to, skip_up_to};
use crate::{
    Problem, ProblemKind, RAW_SNIPPET_BYTES, SkipCounts, SourceRecord, count_skip, raw_snippet,
};

/// Longest header line kept; longer lines are cut (WARC headers are short in practice).
const MAX_HEADER_LINE: usize = 64 * 1024;
/// Most header lines one record may have before it is declared damaged.
const MAX_HEADER_LINES: usize = 1000;
/// Bytes of an oversized response read to see whether it is an HTML page at all.
const PEEK_BYTES: u64 = 64 * 1024;
/// Image hashes kept by target URI (about 300 bytes each: some 15 MB when full).
pub(crate) const IMAGE_INDEX_CAPACITY: usize = 50_000;
/// Records a page waits for the images it references before it is handed on with those found.
pub(crate) const PAGE_WAIT_RECORDS: u64 = 200;
/// Pages that may wait at once; the oldest goes on when one more arrives.
pub(crate) const MAX_WAITING_PAGES: usize = 32;

/// A page read but not handed on yet: it waits for the images it references.
struct WaitingPage {
    record: Box<SourceRecord>,
    /// The page's image references resolved to absolute URLs.
    image_urls: Vec<String>,
    /// The record number it was read at.
    since: u64,
}
pub(crate) struct WarcReader {
    input: Input,
    file: String,
    max: usize,
    /// Bytes consumed from the (decompressed) stream.
    offset: u64,
    record_number: u64,
    /// A version line found while resynchronising, with its offset, to start the next record.
    pending_version: Option<(Vec<u8>, u64)>,
    done: bool,
    skipped: SkipCounts,
    /// `--encoding`: used instead of each page's declared charset (a byte-order mark wins).
    forced: Option<&'static str>,
    images: ImageIndex,
    waiting: std::collections::VecDeque<WaitingPage>,
    image_limits: plainsight_photo::Limits,
}

/// Outcome of reading one record.
enum Step {
    /// A page, with its image references resolved.
    Record(Box<SourceRecord>, Vec<String>),
    Problem(Problem),
    Skipped,
    End,
}

/// A line read from the input.
struct Line {
    bytes: Vec<u8>,
    /// False when the input ended before the line's `\n`.
    terminated: bool,
}

impl WarcReader {
    pub(crate) fn new(
        input: Input,
        file: &str,
        max: usize,
        forced: Option<&'static str>,
        image_limits: plainsight_photo::Limits,
    ) -> Self {
        WarcReader {
            forced,
            images: ImageIndex::new(IMAGE_INDEX_CAPACITY),
            waiting: std::collections::VecDeque::new(),
            image_limits,
            input,
            file: file.to_string(),
            max,
            offset: 0,
            record_number: 0,
            pending_version: None,
            done: false,
            skipped: SkipCounts::new(),
        }
    }

    pub(crate) fn skipped(&self) -> &SkipCounts {
        &self.skipped
    }

    fn problem(
        &self,
        kind: ProblemKind,
        record: u64,
        offset: u64,
        reason: String,
        raw: Option<&[u8]>,
    ) -> Problem {
        Problem {
            file: self.file.clone(),
            line: record,
            offset: Some(offset),
            kind,
            reason,
            raw: raw.map(raw_snippet),
        }
    }

    /// A read failure ends the input; the records before it were already returned.
    fn read_failure(&mut self, record: u64, offset: u64, e: &io::Error) -> Step {
        self.done = true;
        Step::Problem(self.problem(
            ProblemKind::Truncated,
            record,
            offset,
            format!(
                "reading stopped in this record: {}; the records before it were kept",
                describe_read_error(e)
            ),
            None,
        ))
    }

    /// Read one line, keeping at most `limit` bytes of it. `Ok(None)` at end of input.
    fn read_line(&mut self, limit: usize) -> io::Result<Option<Line>> {
        let mut bytes = Vec::new();
        let mut saw_any = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(saw_any.then_some(Line {
                    bytes,
                    terminated: false,
                }));
            }
            saw_any = true;
            let (chunk, newline) = match memchr::memchr(b'\n', available) {
                Some(i) => (i, true),
                None => (available.len(), false),
            };
            let room = limit.saturating_sub(bytes.len());
            bytes.extend_from_slice(&available[..chunk.min(room)]);
            let used = if newline { chunk + 1 } else { chunk };
            self.input.consume(used);
            self.offset += used as u64;
            if newline {
                if bytes.last() == Some(&b'\r') {
                    bytes.pop();
                }
                return Ok(Some(Line {
                    bytes,
                    terminated: true,
                }));
            }
        }
    }

    /// Skip the blank lines that separate records. `Ok(false)` at end of input.
    fn skip_blank_lines(&mut self) -> io::Result<bool> {
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(false);
            }
            let available_len = available.len();
            let blank = available
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            self.input.consume(blank);
            self.offset += blank as u64;
            if blank < available_len {
                return Ok(true);
            }
        }
    }

    /// After a damaged record, drop lines until one that starts a record.
    fn resynchronise(&mut self) -> io::Result<()> {
        loop {
            let start = self.offset;
            match self.read_line(MAX_HEADER_LINE)? {
                None => return Ok(()),
                Some(line) if line.bytes.starts_with(b"WARC/") => {
                    self.pending_version = Some((line.bytes, start));
                    return Ok(());
                }
                Some(_) => {}
            }
        }
    }

    fn read_record(&mut self) -> Step {
        let (version, start) = match self.pending_version.take() {
            Some(pending) => pending,
            None => {
                match self.skip_blank_lines() {
                    Ok(true) => {}
                    Ok(false) => return Step::End,
                    Err(e) => {
                        let (n, off) = (self.record_number + 1, self.offset);
                        return self.read_failure(n, off, &e);
                    }
                }
                let start = self.offset;
                match self.read_line(MAX_HEADER_LINE) {
                    Ok(Some(line)) => (line.bytes, start),
                    Ok(None) => return Step::End,
                    Err(e) => {
                        let n = self.record_number + 1;
                        return self.read_failure(n, start, &e);
                    }
                }
            }
        };
        self.record_number += 1;
        let number = self.record_number;
        let mut raw: Vec<u8> = version.clone();
        raw.push(b'\n');
        if !version.starts_with(b"WARC/") {
            let problem = self.problem(
                ProblemKind::DamagedRecord,
                number,
                start,
                "expected a `WARC/1.0` or `WARC/1.1` version line here; skipping to the next record".into(),
                Some(&raw),
            );
            if self.resynchronise().is_err() {
                self.done = true;
            }
            return Step::Problem(problem);
        }

        // Header block.
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let line = match self.read_line(MAX_HEADER_LINE) {
                Ok(Some(line)) => line,
                Ok(None) => {
                    self.done = true;
                    return Step::Problem(self.problem(
                        ProblemKind::Truncated,
                        number,
                        start,
                        "the input ends inside this record's headers (truncated file?); the records before it were kept".into(),
                        Some(&raw),
                    ));
                }
                Err(e) => return self.read_failure(number, start, &e),
            };
            if raw.len() <= RAW_SNIPPET_BYTES {
                raw.extend_from_slice(&line.bytes);
                raw.push(b'\n');
            }
            if !line.terminated {
                self.done = true;
                return Step::Problem(self.problem(
                    ProblemKind::Truncated,
                    number,
                    start,
                    "the input ends inside this record's headers (truncated file?); the records before it were kept".into(),
                    Some(&raw),
                ));
            }
            if line.bytes.is_empty() {
                break;
            }
            if headers.len() >= MAX_HEADER_LINES {
                let problem = self.problem(
                    ProblemKind::DamagedRecord,
                    number,
                    start,
                    format!(
                        "more than {MAX_HEADER_LINES} header lines; skipping to the next record"
                    ),
                    Some(&raw),
                );
                if self.resynchronise().is_err() {
                    self.done = true;
                }
                return Step::Problem(problem);
            }
            let text = String::from_utf8_lossy(&line.bytes);
            if text.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(text.trim());
                }
            } else if let Some((name, value)) = text.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let Some(length) = header("content-length").and_then(|v| v.trim().parse::<u64>().ok())
        else {
            let problem = self.problem(
                ProblemKind::DamagedRecord,
                number,
                start,
                "missing or invalid `Content-Length` header; skipping to the next record".into(),
                Some(&raw),
            );
            if self.resynchronise().is_err() {
                self.done = true;
            }
            return Step::Problem(problem);
        };
        let record_type = header("warc-type").unwrap_or("").to_ascii_lowercase();
        let block_type = header("content-type").unwrap_or("").to_string();
        let is_candidate = match record_type.as_str() {
            "response" => true,
            "resource" => {
                html::is_html_content_type(&block_type) || is_image_content_type(&block_type)
            }
            _ => false,
        };
        if !is_candidate {
            return self.skip_block(number, start, length, &record_label(&record_type), &raw);
        }

        // Read the block, or only its start when it is over the limit.
        let mut block = Vec::new();
        let oversized = length > self.max as u64;
        let want = if oversized {
            PEEK_BYTES.min(length)
        } else {
            length
        };
        let got = match read_up_to(&mut self.input, want, &mut block) {
            Ok(n) => n,
            Err(e) => return self.read_failure(number, start, &e),
        };
        self.offset += got;
        if got < want {
            return self.truncated(number, start, length, got, &raw);
        }
        if oversized {
            let skipped = match skip_up_to(&mut self.input, length - got) {
                Ok(n) => n,
                Err(e) => return self.read_failure(number, start, &e),
            };
            self.offset += skipped;
            if got + skipped < length {
                return self.truncated(number, start, length, got + skipped, &raw);
            }
        }

        let record_id = header("warc-record-id").map(strip_angle_brackets);
        let target_uri = header("warc-target-uri").map(strip_angle_brackets);
        let date = header("warc-date").map(str::to_string);
        let content = if record_type == "response" {
            self.http_payload(&block, &block_type, oversized)
        } else if is_image_content_type(&block_type) || plainsight_photo::sniff(&block).is_some() {
            if oversized {
                Ok(Some(Content::OversizedImage))
            } else {
                Ok(Some(Content::Image(std::mem::take(&mut block))))
            }
        } else {
            Ok(Some(Content::Page(Payload {
                body: block.clone(),
                charset: html::charset_from_content_type(&block_type).map(str::to_string),
            })))
        };
        let payload = {
            match content {
                Ok(Some(Content::Page(payload))) => payload,
                Ok(Some(Content::Image(bytes))) => {
                    return self.image_record(target_uri, &bytes);
                }
                Ok(Some(Content::OversizedImage)) => {
                    count_skip(
                        &mut self.skipped,
                        "image response over the record size limit",
                    );
                    return Step::Skipped;
                }
                Ok(None) => return Step::Skipped,
                Err(reason) => {
                    return Step::Problem(self.problem(
                        ProblemKind::BadHttpBody,
                        number,
                        start,
                        reason,
                        Some(&raw),
                    ));
                }
            }
        };
        if oversized {
            return Step::Problem(self.problem(
                ProblemKind::TooLarge,
                number,
                start,
                format!(
                    "HTML record is {length} bytes, more than the {} byte record limit; skipped",
                    self.max
                ),
                Some(&raw),
            ));
        }
        let text = html::decode_html(&payload.body, self.forced.or(payload.charset.as_deref()));
        let page = html::parse_page(&text);
        if page.title.is_none() && page.text.is_empty() {
            return Step::Problem(self.problem(
                ProblemKind::EmptyPage,
                number,
                start,
                "the HTML page has no title and no visible text".into(),
                Some(&raw),
            ));
        }
        let id = record_id
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| fallback_id(target_uri.as_deref(), date.as_deref(), &block));
        let url = target_uri
            .filter(|u| !u.is_empty())
            .or(page.canonical_url.clone());
        let posted_at = date.as_deref().and_then(|d| parse_posted_at(d).ok());
        let image_urls: Vec<String> = page
            .images
            .iter()
            .filter_map(|r| photos::resolve_url(url.as_deref(), r))
            .collect();
        Step::Record(
            Box::new(SourceRecord {
                ad: ad_from_page(id, url, posted_at, page),
                file: self.file.clone(),
                line: number,
                warnings: Vec::new(),
            }),
            image_urls,
        )
    }

    /// An image response: hash it and keep the hashes for the pages that reference it.
    fn image_record(&mut self, target_uri: Option<String>, bytes: &[u8]) -> Step {
        let Some(uri) = target_uri
            .as_deref()
            .and_then(|u| photos::resolve_url(None, u))
        else {
            count_skip(&mut self.skipped, "image response without a target URI");
            return Step::Skipped;
        };
        let hashed = photos::hash_bytes(bytes, &self.image_limits);
        self.images.insert(uri, hashed);
        count_skip(&mut self.skipped, "image response (hashed for its pages)");
        Step::Skipped
    }

    /// Hand on a waiting page with the hashes of the images of it that were found.
    fn release(&mut self, waiting: WaitingPage) -> SourceRecord {
        let mut record = *waiting.record;
        for url in &waiting.image_urls {
            if let Some((image, warning)) = self.images.image(url) {
                record.ad.images.push(image);
                record.warnings.extend(warning);
            }
        }
        record
    }

    /// Whether the oldest waiting page may go on: all its images are in, it waited long
    /// enough, too many pages wait, or the input is over.
    fn front_ready(&self) -> bool {
        let Some(front) = self.waiting.front() else {
            return false;
        };
        self.done
            || self.waiting.len() > MAX_WAITING_PAGES
            || self.record_number.saturating_sub(front.since) >= PAGE_WAIT_RECORDS
            || front.image_urls.iter().all(|u| self.images.contains(u))
    }

    /// Find the HTML body (or the image) of a stored HTTP response. `Ok(None)` when the
    /// record is neither an HTML page worth an ad nor an image (counted as skipped).
    fn http_payload(
        &mut self,
        block: &[u8],
        block_type: &str,
        oversized: bool,
    ) -> Result<Option<Content>, String> {
        let lower_type = block_type.to_ascii_lowercase();
        let declared_http = lower_type.starts_with("application/http");
        if !declared_http && !block.starts_with(b"HTTP/") {
            if html::is_html_content_type(block_type) {
                // Some tools store the bare page in a response record.
                return Ok(Some(Content::Page(Payload {
                    body: block.to_vec(),
                    charset: html::charset_from_content_type(block_type).map(str::to_string),
                })));
            }
            if is_image_content_type(block_type) || plainsight_photo::sniff(block).is_some() {
                return Ok(Some(if oversized {
                    Content::OversizedImage
                } else {
                    Content::Image(block.to_vec())
                }));
            }
            count_skip(&mut self.skipped, "response record without an HTTP payload");
            return Ok(None);
        }
        let Some((head, body)) = http::split_response(block) else {
            count_skip(
                &mut self.skipped,
                "response record with an unreadable HTTP status line",
            );
            return Ok(None);
        };
        if !(200..300).contains(&head.status) {
            count_skip(&mut self.skipped, "non-2xx HTTP response");
            return Ok(None);
        }
        let content_type = head.header("content-type").unwrap_or("").to_string();
        let html_declared = html::is_html_content_type(&content_type);
        // An image by its declared type or by its bytes (servers label images wrongly, as
        // `application/octet-stream` or `text/plain`).
        if !html_declared
            && (is_image_content_type(&content_type) || plainsight_photo::sniff(body).is_some())
        {
            if oversized {
                return Ok(Some(Content::OversizedImage));
            }
            let body = http::decode_body(&head, body, self.max)?;
            return Ok(Some(Content::Image(body)));
        }
        if !content_type.is_empty() && !html_declared {
            count_skip(&mut self.skipped, "non-HTML response");
            return Ok(None);
        }
        if oversized {
            // Only the first bytes were read: enough to know it is a page, not to decode it.
            if !html_declared && !html::looks_like_html(body) {
                count_skip(&mut self.skipped, "non-HTML response");
                return Ok(None);
            }
            return Ok(Some(Content::Page(Payload {
                body: Vec::new(),
                charset: None,
            })));
        }
        let body = http::decode_body(&head, body, self.max)?;
        if !html_declared && !html::looks_like_html(&body) {
            count_skip(&mut self.skipped, "non-HTML response");
            return Ok(None);
        }
        Ok(Some(Content::Page(Payload {
            body,
            charset: html::charset_from_content_type(&content_type).map(str::to_string),
        })))
    }

    fn skip_block(
        &mut self,
        number: u64,
        start: u64,
        length: u64,
        label: &str,
        raw: &[u8],
    ) -> Step {
        let skipped = match skip_up_to(&mut self.input, length) {
            Ok(n) => n,
            Err(e) => return self.read_failure(number, start, &e),
        };
        self.offset += skipped;
        if skipped < length {
            return self.truncated(number, start, length, skipped, raw);
        }
        count_skip(&mut self.skipped, label);
        Step::Skipped
    }

    fn truncated(&mut self, number: u64, start: u64, length: u64, got: u64, raw: &[u8]) -> Step {
        self.done = true;
        Step::Problem(self.problem(
            ProblemKind::Truncated,
            number,
            start,
            format!(
                "record is truncated: Content-Length is {length} bytes but the input ends after {got}; \
                 the records before it were kept"
            ),
            Some(raw),
        ))
    }
}

impl Iterator for WarcReader {
    type Item = Result<SourceRecord, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.front_ready()
                && let Some(front) = self.waiting.pop_front()
            {
                return Some(Ok(self.release(front)));
            }
            if self.done {
                return None;
            }
            match self.read_record() {
                Step::Record(record, image_urls) => {
                    let since = self.record_number;
                    self.waiting.push_back(WaitingPage {
                        record,
                        image_urls,
                        since,
                    });
                }
                Step::Problem(problem) => return Some(Err(problem)),
                Step::Skipped => {}
                Step::End => self.done = true,
            }
        }
    }
}

/// A page body and the charset its headers declare.
struct Payload {
    body: Vec<u8>,
    charset: Option<String>,
}

/// What a stored response holds.
enum Content {
    Page(Payload),
    /// An image's bytes (HTTP content encoding undone).
    Image(Vec<u8>),
    /// An image over the record size limit: not read.
    OversizedImage,
}

/// `image/*` (`image/jpeg; charset=...` too); SVG is a drawing, not a photo, and has no
/// pHash.
fn is_image_content_type(content_type: &str) -> bool {
    let lower = content_type.trim().to_ascii_lowercase();
    lower.starts_with("image/") && !lower.starts_with("image/svg")
}

fn record_label(record_type: &str) -> String {
    if record_type.is_empty() {
        "record without WARC-Type".to_string()
    } else {
        format!("{record_type} record")
    }
}

/// WARC 1.0 writes some URIs in angle brackets (`<urn:uuid:...>`); the value is inside.
fn strip_angle_brackets(value: &str) -> String {
    let v = value.trim();
    v.strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(v)
        .to_string()
}

/// A stable id for a record without `WARC-Record-ID`: a hash of target URI and date (and of
/// the block when both are missing), so re-reading the same archive gives the same ids.
fn fallback_id(target_uri: Option<&str>, date: Option<&str>, block: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(target_uri.unwrap_or("").as_bytes());
    hasher.update(b"\n");
    hasher.update(date.unwrap_or("").as_bytes());
    if target_uri.is_none() && date.is_none() {
        hasher.update(b"\n");
        hasher.update(block);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("warc-{hex}")
}

/// Build the ad for a saved page.
pub(crate) fn ad_from_page(
    id: String,
    url: Option<String>,
    posted_at: Option<chrono::DateTime<chrono::Utc>>,
    page: Page,
) -> Ad {
    Ad {
        id,
        site: url.as_deref().and_then(html::url_host),
        url,
        posted_at,
        title: page.title,
        body: Some(page.text).filter(|t| !t.is_empty()),
        ..Ad::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(id: u64, uri: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
        let mut block =
            format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n").into_bytes();
        block.extend_from_slice(body);
        let mut out = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
             WARC-Target-URI: {uri}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(&block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    /// However long the crawl, the image index and the waiting pages stay within their
    /// bounds: pages whose images never come, and more image records than the index holds.
    #[test]
    fn memory_stays_bounded_on_a_long_crawl() {
        let mut warc = Vec::new();
        let images = IMAGE_INDEX_CAPACITY as u64 + 500;
        for i in 0..images {
            warc.extend(response(
                i,
                &format!("https://img.example/{i}.jpg"),
                "image/jpeg",
                b"\xFF\xD8\xFFnot a real jpeg",
            ));
            if i % 100 == 0 {
                let page = format!(
                    "<html><head><title>Ad {i}</title></head><body><p>text</p><img src='/never-{i}.jpg'></body></html>"
                );
                warc.extend(response(
                    images + i,
                    &format!("https://ads.example/{i}"),
                    "text/html",
                    page.as_bytes(),
                ));
            }
        }
        let input: Input = Box::new(std::io::BufReader::new(std::io::Cursor::new(warc)));
        let mut reader = WarcReader::new(
            input,
            "long.warc",
            1 << 20,
            None,
            plainsight_photo::Limits::default(),
        );
        let mut pages = 0;
        let mut most_waiting = 0;
        while let Some(item) = reader.next() {
            assert!(item.is_ok());
            pages += 1;
            most_waiting = most_waiting.max(reader.waiting.len());
            assert!(reader.images.len() <= IMAGE_INDEX_CAPACITY);
        }
        assert_eq!(pages, images.div_ceil(100));
        assert!(
            most_waiting <= MAX_WAITING_PAGES + 1,
            "{most_waiting} pages waited"
        );
        assert_eq!(reader.images.len(), IMAGE_INDEX_CAPACITY);
    }
}
