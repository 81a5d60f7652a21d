//! Byte-level plumbing shared by the stream readers: progress counting, transparent gzip
//! decompression, and a line reader whose memory is capped by the record size limit.

use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::bufread::MultiGzDecoder;

/// A boxed buffered byte stream, the input of every stream reader.
pub(crate) type Input = Box<dyn BufRead + Send>;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Counts bytes read from the raw source so a caller can show progress from another thread.
pub(crate) struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> CountingReader<R> {
    pub(crate) fn new(inner: R, count: Arc<AtomicU64>) -> Self {
        CountingReader { inner, count }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Wrap a raw stream so that gzip input (recognised by its magic bytes, not its name) is
/// decompressed. Multi-member gzip, as WARC files use (one member per record), reads as one
/// stream. A read error while sniffing is replayed on the first read of the result.
pub(crate) fn decompressing(raw: Box<dyn Read + Send>) -> Input {
    let mut raw = BufReader::with_capacity(64 * 1024, raw);
    // Peek without consuming when the first read gives enough bytes (the usual case), so
    // later readers see the input from its first byte in one buffer (a BOM stays whole).
    let peeked = loop {
        match raw.fill_buf() {
            Ok(buf) => break Ok(buf.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    match peeked {
        Err(e) => Box::new(BufReader::new(FailingReader(Some(e)))),
        Ok(n) if n != 1 => {
            if raw.buffer().starts_with(&GZIP_MAGIC) {
                Box::new(BufReader::with_capacity(
                    64 * 1024,
                    MultiGzDecoder::new(raw),
                ))
            } else {
                Box::new(raw)
            }
        }
        Ok(_) => {
            // A short first read (e.g. a pipe): take the byte and look at one more.
            let mut head = raw.buffer().to_vec();
            raw.consume(1);
            let mut second = [0u8; 1];
            match raw.read(&mut second) {
                Ok(1) => head.push(second[0]),
                Ok(_) => {}
                Err(e) => return Box::new(BufReader::new(FailingReader(Some(e)))),
            }
            let is_gzip = head == GZIP_MAGIC;
            let rejoined = Cursor::new(head).chain(raw);
            if is_gzip {
                Box::new(BufReader::with_capacity(
                    64 * 1024,
                    MultiGzDecoder::new(BufReader::new(rejoined)),
                ))
            } else {
                Box::new(BufReader::with_capacity(64 * 1024, rejoined))
            }
        }
    }
}

/// An input whose first read fails with `e` (for errors met while looking at an input before
/// any reader was made).
pub(crate) fn failing(e: io::Error) -> Input {
    Box::new(BufReader::new(FailingReader(Some(e))))
}

/// A reader that returns one stored error, then end of input.
struct FailingReader(Option<io::Error>);

impl Read for FailingReader {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

/// Explain a read error in words an analyst can act on.
pub(crate) fn describe_read_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            "the input ends in the middle of a compressed block (truncated .gz file?)".to_string()
        }
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            format!("the compressed data is corrupt ({e})")
        }
        _ => format!("read error: {e}"),
    }
}

/// What [`LineReader::next_line`] found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineInfo {
    /// 1-based line number.
    pub(crate) number: u64,
    /// Length of the whole line in bytes (without the line end), even when only part of it
    /// was kept.
    pub(crate) len: u64,
    /// True when the line was longer than the limit and only its first bytes were kept.
    pub(crate) too_long: bool,
}

/// Reads `\n`-terminated lines (a trailing `\r` is dropped) keeping at most `max` bytes of
/// each, so a giant line costs `max` bytes of memory, not its length.
pub(crate) struct LineReader {
    input: Input,
    lines_read: u64,
}

impl LineReader {
    pub(crate) fn new(input: Input) -> Self {
        LineReader {
            input,
            lines_read: 0,
        }
    }

    /// Number of lines fully read so far.
    pub(crate) fn lines_read(&self) -> u64 {
        self.lines_read
    }

    /// Direct access to the input, for readers that look at the first bytes before
    /// deciding how to read the rest.
    pub(crate) fn input_mut(&mut self) -> &mut Input {
        &mut self.input
    }

    /// Read the next line into `buf` (cleared first). `Ok(None)` at end of input.
    pub(crate) fn next_line(
        &mut self,
        buf: &mut Vec<u8>,
        max: usize,
    ) -> io::Result<Option<LineInfo>> {
        buf.clear();
        let mut len: u64 = 0;
        let mut saw_any = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                if !saw_any {
                    return Ok(None);
                }
                break;
            }
            saw_any = true;
            let (chunk, found_newline) = match memchr::memchr(b'\n', available) {
                Some(i) => (i, true),
                None => (available.len(), false),
            };
            let room = max.saturating_sub(buf.len());
            buf.extend_from_slice(&available[..chunk.min(room)]);
            len += chunk as u64;
            self.input
                .consume(if found_newline { chunk + 1 } else { chunk });
            if found_newline {
                break;
            }
        }
        let too_long = len > max as u64;
        if !too_long && buf.last() == Some(&b'\r') {
            buf.pop();
            len -= 1;
        }
        self.lines_read += 1;
        Ok(Some(LineInfo {
            number: self.lines_read,
            len,
            too_long,
        }))
    }
}

/// Read exactly up to `n` bytes into `buf` (appending). Returns how many were read; fewer
/// than `n` means the input ended.
pub(crate) fn read_up_to(input: &mut Input, n: u64, buf: &mut Vec<u8>) -> io::Result<u64> {
    let got = input.by_ref().take(n).read_to_end(buf)?;
    Ok(got as u64)
}

/// Discard up to `n` bytes. Returns how many were discarded; fewer means the input ended.
pub(crate) fn skip_up_to(input: &mut Input, n: u64) -> io::Result<u64> {
    io::copy(&mut input.by_ref().take(n), &mut io::sink())
}
