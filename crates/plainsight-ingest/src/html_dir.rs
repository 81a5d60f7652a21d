//! Saved HTML pages: a folder walked recursively in sorted order (one ad per `.html`/`.htm`
//! file, id = path relative to the folder), a single page file, or one page from a stream.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::html;
use crate::photos;
use crate::warc::ad_from_page;
use crate::{Problem, ProblemKind, ReadOptions, SkipCounts, SourceRecord, count_skip, raw_snippet};

/// Bytes checked for NUL to tell a binary file from a page.
const BINARY_SNIFF_BYTES: usize = 8192;

pub(crate) struct HtmlDirReader {
    root: PathBuf,
    /// Folders being walked, innermost last; each holds its not-yet-visited entries, sorted.
    stack: Vec<std::vec::IntoIter<PathBuf>>,
    /// A single file was given: its id is its file name.
    single_file: bool,
    max: usize,
    bytes_read: Arc<AtomicU64>,
    skipped: SkipCounts,
    /// `--encoding`: used instead of the page's own declaration (a byte-order mark still wins).
    forced: Option<&'static str>,
    image_limits: plainsight_photo::Limits,
}

impl HtmlDirReader {
    pub(crate) fn folder(
        root: &Path,
        opts: &ReadOptions,
        bytes_read: Arc<AtomicU64>,
    ) -> io::Result<Self> {
        let entries = sorted_entries(root)?;
        Ok(HtmlDirReader {
            root: root.to_path_buf(),
            stack: vec![entries.into_iter()],
            single_file: false,
            max: opts.max_record_bytes.max(1),
            bytes_read,
            skipped: SkipCounts::new(),
            forced: opts.encoding.map(|e| e.name()),
            image_limits: opts.image_limits,
        })
    }

    pub(crate) fn single_file(path: &Path, opts: &ReadOptions, bytes_read: Arc<AtomicU64>) -> Self {
        HtmlDirReader {
            root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            stack: vec![vec![path.to_path_buf()].into_iter()],
            single_file: true,
            max: opts.max_record_bytes.max(1),
            bytes_read,
            skipped: SkipCounts::new(),
            forced: opts.encoding.map(|e| e.name()),
            image_limits: opts.image_limits,
        }
    }

    pub(crate) fn skipped(&self) -> &SkipCounts {
        &self.skipped
    }

    fn problem(path: &Path, kind: ProblemKind, reason: String) -> Problem {
        Problem {
            file: path.display().to_string(),
            line: 0,
            offset: None,
            kind,
            reason,
            raw: None,
        }
    }

    fn id_for(&self, path: &Path) -> String {
        if self.single_file {
            return path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
        }
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn read_page(&mut self, path: &Path, len: u64) -> Result<SourceRecord, Problem> {
        if len > self.max as u64 {
            return Err(Self::problem(
                path,
                ProblemKind::TooLarge,
                format!(
                    "file is {len} bytes, more than the {} byte record limit; skipped",
                    self.max
                ),
            ));
        }
        let mut bytes = Vec::new();
        let read =
            fs::File::open(path).and_then(|f| f.take(self.max as u64 + 1).read_to_end(&mut bytes));
        self.bytes_read
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if let Err(e) = read {
            return Err(Self::problem(
                path,
                ProblemKind::Unreadable,
                format!("cannot read the file: {e}"),
            ));
        }
        if bytes.len() > self.max {
            return Err(Self::problem(
                path,
                ProblemKind::TooLarge,
                format!(
                    "file is more than the {} byte record limit; skipped",
                    self.max
                ),
            ));
        }
        let file = path.display().to_string();
        let (mut record, references) = page_record(&bytes, self.id_for(path), &file, self.forced)
            .map_err(|mut problem| {
            problem.file = file.clone();
            problem
        })?;
        // The page's own images saved beside it (`Page_files/`), never outside the folder
        // given (or, for a single page, the page's folder).
        let page_dir = path.parent().unwrap_or(Path::new(""));
        let (images, warnings) =
            photos::hash_saved_page_images(&references, page_dir, &self.root, &self.image_limits);
        record.ad.images.extend(images);
        record.warnings.extend(warnings);
        Ok(record)
    }
}

impl Iterator for HtmlDirReader {
    type Item = Result<SourceRecord, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let top = self.stack.last_mut()?;
            let Some(path) = top.next() else {
                self.stack.pop();
                continue;
            };
            let link_meta = match fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    return Some(Err(Self::problem(
                        &path,
                        ProblemKind::Unreadable,
                        format!("cannot read: {e}"),
                    )));
                }
            };
            let meta = if link_meta.file_type().is_symlink() {
                match fs::metadata(&path) {
                    // Linked folders are not followed: they can form loops.
                    Ok(m) if m.is_dir() => {
                        count_skip(
                            &mut self.skipped,
                            "symbolic link to a folder (not followed)",
                        );
                        continue;
                    }
                    Ok(m) => m,
                    Err(_) => {
                        count_skip(&mut self.skipped, "broken symbolic link");
                        continue;
                    }
                }
            } else {
                link_meta
            };
            if meta.is_dir() {
                match sorted_entries(&path) {
                    Ok(entries) => self.stack.push(entries.into_iter()),
                    Err(e) => {
                        return Some(Err(Self::problem(
                            &path,
                            ProblemKind::Unreadable,
                            format!("cannot list the folder: {e}"),
                        )));
                    }
                }
                continue;
            }
            if !meta.is_file() {
                count_skip(&mut self.skipped, "special file");
                continue;
            }
            if !is_html_file_name(&path) {
                count_skip(&mut self.skipped, "non-HTML file");
                continue;
            }
            return Some(self.read_page(&path, meta.len()));
        }
    }
}

/// One page read from a stream (e.g. stdin): yields exactly one record or problem.
pub(crate) struct HtmlStreamReader {
    input: Option<Box<dyn Read + Send>>,
    name: String,
    max: usize,
    skipped: SkipCounts,
    forced: Option<&'static str>,
}

impl HtmlStreamReader {
    pub(crate) fn new(
        input: Box<dyn Read + Send>,
        name: &str,
        max: usize,
        forced: Option<&'static str>,
    ) -> Self {
        HtmlStreamReader {
            input: Some(input),
            name: name.to_string(),
            max,
            skipped: SkipCounts::new(),
            forced,
        }
    }

    pub(crate) fn skipped(&self) -> &SkipCounts {
        &self.skipped
    }
}

impl Iterator for HtmlStreamReader {
    type Item = Result<SourceRecord, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        let input = self.input.take()?;
        let mut bytes = Vec::new();
        let problem = |reason: String, raw: Option<&[u8]>| Problem {
            file: self.name.clone(),
            line: 0,
            offset: None,
            kind: if raw.is_some() {
                ProblemKind::TooLarge
            } else {
                ProblemKind::Unreadable
            },
            reason,
            raw: raw.map(raw_snippet),
        };
        if let Err(e) = input.take(self.max as u64 + 1).read_to_end(&mut bytes) {
            return Some(Err(problem(format!("cannot read the page: {e}"), None)));
        }
        if bytes.len() > self.max {
            return Some(Err(problem(
                format!(
                    "page is more than the {} byte record limit; skipped",
                    self.max
                ),
                Some(&bytes),
            )));
        }
        // A page from a stream has no folder beside it: its images cannot be read.
        Some(page_record(&bytes, self.name.clone(), &self.name, self.forced).map(|(r, _)| r))
    }
}

fn is_html_file_name(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "html" | "htm" | "xhtml"))
}

fn sorted_entries(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        entries.push(entry?.path());
    }
    entries.sort();
    Ok(entries)
}

/// Turn a page's bytes into an ad record and its image references, or say why not. `forced`
/// is an encoding given by the user, which takes the place of the page's own declaration.
fn page_record(
    bytes: &[u8],
    id: String,
    file: &str,
    forced: Option<&str>,
) -> Result<(SourceRecord, Vec<String>), Problem> {
    let problem = |reason: &str, raw: bool| Problem {
        file: file.to_string(),
        line: 0,
        offset: None,
        kind: ProblemKind::EmptyPage,
        reason: reason.to_string(),
        raw: raw.then(|| raw_snippet(bytes)),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(problem("the file is empty", false));
    }
    let has_bom = encoding_rs::Encoding::for_bom(bytes).is_some();
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    if !has_bom && memchr::memchr(0, head).is_some() {
        return Err(problem(
            "not an HTML page: the file holds binary data",
            false,
        ));
    }
    let text = html::decode_html(bytes, forced);
    let page = html::parse_page(&text);
    if page.title.is_none() && page.text.is_empty() {
        return Err(problem(
            "the HTML page has no title and no visible text",
            true,
        ));
    }
    let url = page.canonical_url.clone();
    let references = page.images.clone();
    Ok((
        SourceRecord {
            ad: ad_from_page(id, url, None, page),
            file: file.to_string(),
            line: 0,
            warnings: Vec::new(),
        },
        references,
    ))
}
