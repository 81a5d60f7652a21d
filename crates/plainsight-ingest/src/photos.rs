//! Photos at ingest: hashing the images an ad's page or record points to, wherever their bytes
//! are (a WARC `response` record, a saved page's `Page_files/` folder, a folder given with
//! `--images`), and finding those references in a page (`<img src>`, `srcset`, lazy-loading
//! `data-src`, CSS `background` / `background-image` URLs) resolved against the page's URL.
//! Only hashes, the URL or path, and the size are kept; the bytes are dropped here. Nothing is
//! ever fetched from the network.

use std::collections::{HashMap, VecDeque};
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use plainsight_core::ImageRef;
use plainsight_core::ad::{FieldProblem, FieldWarning};
use plainsight_photo::{Limits, hash_image, phash_hex, sha256_hex};

/// Most image references kept from one page: a gallery page rarely has more photos, and a
/// page of thousands of `<img>` tags (a sprite sheet, a hostile page) costs no more than this.
pub(crate) const MAX_IMAGES_PER_PAGE: usize = 64;

/// What is kept of one image's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hashed {
    sha256: String,
    phash: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    /// Why there is no pHash, when there is none.
    problem: Option<String>,
}

/// Hash the bytes of one image. An image that does not decode keeps its SHA-256 (an exact
/// copy still links) and says why it has no pHash.
pub(crate) fn hash_bytes(bytes: &[u8], limits: &Limits) -> Hashed {
    match hash_image(bytes, limits) {
        Ok(h) => Hashed {
            sha256: h.sha256,
            phash: Some(phash_hex(h.phash)),
            width: Some(h.width),
            height: Some(h.height),
            problem: None,
        },
        Err(e) => Hashed {
            sha256: sha256_hex(bytes),
            phash: None,
            width: None,
            height: None,
            problem: Some(e.to_string()),
        },
    }
}

impl Hashed {
    /// Fill an image reference with these hashes, and say what went wrong, if anything.
    fn fill(&self, image: &mut ImageRef) -> Option<FieldWarning> {
        image.sha256 = Some(self.sha256.clone());
        image.phash.clone_from(&self.phash);
        image.width = self.width;
        image.height = self.height;
        let reason = self.problem.as_ref()?;
        Some(image_warning(image, reason.clone()))
    }
}

/// The warning for an image that gave no perceptual hash.
pub(crate) fn image_warning(image: &ImageRef, reason: String) -> FieldWarning {
    let named = image.url.as_deref().or(image.path.as_deref()).unwrap_or("");
    FieldWarning {
        field: "images".into(),
        value: named.chars().take(60).collect(),
        problem: FieldProblem::UnreadableImage { reason },
    }
}

/// Resolve `reference` (as written in a page) against the page's URL. Only `http(s)` results
/// are kept; `data:` URLs (inline pictures, often tracking pixels), `javascript:` and the like
/// are not photos on a server and give `None`.
pub(crate) fn resolve_url(base: Option<&str>, reference: &str) -> Option<String> {
    let reference = reference.trim();
    if reference.is_empty() {
        return None;
    }
    let joined = match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(base) => base.join(reference).ok()?,
        None => url::Url::parse(reference).ok()?,
    };
    if !matches!(joined.scheme(), "http" | "https") {
        return None;
    }
    let mut joined = joined;
    // The fragment never reaches the server: the same image.
    joined.set_fragment(None);
    Some(joined.to_string())
}

/// The URLs of a `srcset` value: comma-separated candidates, each a URL and an optional width
/// or density descriptor.
pub(crate) fn srcset_urls(srcset: &str) -> impl Iterator<Item = &str> {
    srcset
        .split(',')
        .filter_map(|candidate| candidate.split_whitespace().next())
}

/// The `url(...)` values of the `background` and `background-image` declarations in a piece
/// of CSS (a `style` attribute or a `<style>` element). Other properties (fonts, cursors,
/// list markers) name no photos.
pub(crate) fn css_background_urls(css: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = css.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("background") {
        let start = from + pos;
        from = start + "background".len();
        // `background` or `background-image`, then `:`; not `background-color` and the like.
        let rest = &lower[from..];
        let after_name = if let Some(r) = rest.strip_prefix("-image") {
            r
        } else if rest.starts_with('-') {
            continue;
        } else {
            rest
        };
        let Some(value) = after_name.trim_start().strip_prefix(':') else {
            continue;
        };
        let value_start = lower.len() - value.len();
        let value_end = lower[value_start..]
            .find([';', '}'])
            .map_or(lower.len(), |e| value_start + e);
        let value_lower = &lower[value_start..value_end];
        let mut at = 0;
        while let Some(u) = value_lower[at..].find("url(") {
            let open = value_start + at + u + 4;
            let Some(close) = css[open..value_end].find(')') else {
                break;
            };
            let inner = css[open..open + close]
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .trim();
            if !inner.is_empty() {
                out.push(inner.to_string());
            }
            at = open + close + 1 - value_start;
        }
        from = value_end;
    }
    out
}

/// A path under `root` for a relative reference, or why not: absolute paths, `..` that leaves
/// the folder and links that point out of it are refused (a record must not make Plainsight
/// read `/etc/shadow` or a file of another case).
pub(crate) fn file_under(root: &Path, reference: &str) -> Result<PathBuf, &'static str> {
    // A page given as `page.html` has the current folder as its folder.
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let reference = reference.trim();
    let mut path = PathBuf::new();
    for component in Path::new(reference).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !path.pop() {
                    return Err("the path leaves the images folder");
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err("an absolute path is not under the images folder");
            }
        }
    }
    if path.as_os_str().is_empty() {
        return Err("the path is empty");
    }
    let full = root.join(&path);
    // Symbolic links inside the folder may point anywhere: compare the real paths.
    let real_root = fs::canonicalize(root).map_err(|_| "the images folder cannot be read")?;
    let real = fs::canonicalize(&full).map_err(|_| "no such file in the images folder")?;
    if !real.starts_with(&real_root) {
        return Err("the path leads out of the images folder (a symbolic link)");
    }
    Ok(real)
}

/// Read a local image file, at most `limits.max_bytes` (and one more byte, to know it is
/// over).
fn read_limited(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(limits.max_bytes as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() > limits.max_bytes {
        return Err(format!(
            "the file is more than the {} byte image limit",
            limits.max_bytes
        ));
    }
    Ok(bytes)
}

/// Hash one local file for `image`, or warn why it could not be.
fn hash_file(image: &mut ImageRef, path: &Path, limits: &Limits) -> Option<FieldWarning> {
    match read_limited(path, limits) {
        Ok(bytes) => hash_bytes(&bytes, limits).fill(image),
        Err(reason) => Some(image_warning(image, reason)),
    }
}

/// Where a URL's file may lie in a folder of downloaded images: `host/path` (the layout of
/// `wget -x` and most crawlers), `path`, or the file name alone (a flat folder).
fn candidates_for_url(url: &str) -> Vec<String> {
    let Ok(parsed) = url::Url::parse(url) else {
        // Not an absolute URL: a relative reference is a path.
        return vec![url.to_string()];
    };
    let path: String = percent_encoding::percent_decode_str(parsed.path())
        .decode_utf8_lossy()
        .trim_start_matches('/')
        .to_string();
    let mut out = Vec::new();
    if let Some(host) = parsed.host_str() {
        out.push(format!("{host}/{path}"));
    }
    out.push(path.clone());
    if let Some(name) = path.rsplit('/').next() {
        out.push(name.to_string());
    }
    out.dedup();
    out.retain(|c| !c.is_empty() && !c.ends_with('/'));
    out
}

/// The folder and limits of `--images DIR`, shared by the records parsed on any thread.
#[derive(Debug, Clone)]
pub(crate) struct LocalImages {
    pub(crate) dir: PathBuf,
    pub(crate) limits: Limits,
}

impl LocalImages {
    pub(crate) fn from_options(opts: &crate::ReadOptions) -> Option<LocalImages> {
        Some(LocalImages {
            dir: opts.images_dir.clone()?,
            limits: opts.image_limits,
        })
    }

    /// Hash the images of one record (see [`hash_local_images`]).
    pub(crate) fn apply(&self, record: &mut crate::SourceRecord) {
        let warnings = hash_local_images(&mut record.ad.images, &self.dir, &self.limits);
        record.warnings.extend(warnings);
    }
}

/// JSONL/CSV with `--images DIR`: hash each image of the ad that names a `path` or `url` and
/// has no hashes yet, from the file under `dir`. Images given with hashes are left as they are;
/// an image whose file is missing, outside the folder or unreadable keeps what it had and
/// gives a warning. Nothing is fetched.
pub(crate) fn hash_local_images(
    images: &mut [ImageRef],
    dir: &Path,
    limits: &Limits,
) -> Vec<FieldWarning> {
    let mut warnings = Vec::new();
    for image in images.iter_mut() {
        if image.sha256.is_some() || image.phash.is_some() {
            continue;
        }
        let found = if let Some(path) = image.path.clone() {
            file_under(dir, &path).map_err(str::to_string)
        } else if let Some(url) = image.url.clone() {
            candidates_for_url(&url)
                .iter()
                .find_map(|c| file_under(dir, c).ok())
                .ok_or_else(|| format!("no file for this URL under {}", dir.display()))
        } else {
            continue;
        };
        match found {
            Ok(path) => warnings.extend(hash_file(image, &path, limits)),
            Err(reason) => warnings.push(image_warning(image, reason)),
        }
    }
    warnings
}

/// Saved pages: hash the page's images that are files next to it (`Page_files/photo.jpg`, as
/// browsers save a page), resolved against the page's folder and never outside `root` (the
/// folder given on the command line). References to remote URLs stay as URLs without hashes
/// only when no local copy exists; they are not listed at all then (nothing was read).
pub(crate) fn hash_saved_page_images(
    references: &[String],
    page_dir: &Path,
    root: &Path,
    limits: &Limits,
) -> (Vec<ImageRef>, Vec<FieldWarning>) {
    let mut images = Vec::new();
    let mut warnings = Vec::new();
    let relative_dir = page_dir.strip_prefix(root).unwrap_or(Path::new(""));
    for reference in references.iter().take(MAX_IMAGES_PER_PAGE) {
        // Only references to files: relative paths and `file:` URLs; http(s) images of a saved
        // page were either saved beside it (then the reference was rewritten to a relative
        // path) or not saved at all.
        let local = if let Some(rest) = reference.strip_prefix("file://") {
            // An absolute file URL from a saved page is trusted only inside `root`.
            match Path::new(rest).strip_prefix(root) {
                Ok(p) => p.to_string_lossy().into_owned(),
                Err(_) => continue,
            }
        } else if reference.contains("://")
            || reference.starts_with("data:")
            || reference.starts_with("//")
        {
            continue;
        } else {
            let decoded = percent_encoding::percent_decode_str(
                reference.split(['?', '#']).next().unwrap_or(""),
            )
            .decode_utf8_lossy()
            .into_owned();
            relative_dir.join(decoded).to_string_lossy().into_owned()
        };
        let mut image = ImageRef {
            path: Some(reference.clone()),
            ..ImageRef::default()
        };
        match file_under(root, &local) {
            Ok(path) => {
                warnings.extend(hash_file(&mut image, &path, limits));
                images.push(image);
            }
            Err(reason) => warnings.push(image_warning(&image, reason.to_string())),
        }
    }
    (images, warnings)
}

/// Hashes of the image records of a WARC, by target URI, for the pages that reference them.
/// Bounded: when full, the oldest entries go first (a crawler writes a page's images close to
/// the page, so an old entry is rarely wanted again).
#[derive(Debug, Default)]
pub(crate) struct ImageIndex {
    by_uri: HashMap<String, Hashed>,
    order: VecDeque<String>,
    capacity: usize,
}

impl ImageIndex {
    pub(crate) fn new(capacity: usize) -> Self {
        ImageIndex {
            capacity: capacity.max(1),
            ..ImageIndex::default()
        }
    }

    pub(crate) fn insert(&mut self, uri: String, hashed: Hashed) {
        if self.by_uri.insert(uri.clone(), hashed).is_none() {
            self.order.push_back(uri);
            while self.order.len() > self.capacity {
                if let Some(old) = self.order.pop_front() {
                    self.by_uri.remove(&old);
                }
            }
        }
    }

    /// Entries held now (never more than the capacity).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_uri.len()
    }

    pub(crate) fn contains(&self, uri: &str) -> bool {
        self.by_uri.contains_key(uri)
    }

    /// The image reference for `uri`, hashed, with a warning when it gave no pHash.
    pub(crate) fn image(&self, uri: &str) -> Option<(ImageRef, Option<FieldWarning>)> {
        let hashed = self.by_uri.get(uri)?;
        let mut image = ImageRef {
            url: Some(uri.to_string()),
            ..ImageRef::default()
        };
        let warning = hashed.fill(&mut image);
        Some((image, warning))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_against_the_page() {
        let page = Some("https://ads.example/city/ad-1.html?x=1");
        assert_eq!(
            resolve_url(page, "img/1.jpg").as_deref(),
            Some("https://ads.example/city/img/1.jpg")
        );
        assert_eq!(
            resolve_url(page, "/p/2.webp#top").as_deref(),
            Some("https://ads.example/p/2.webp")
        );
        assert_eq!(
            resolve_url(page, "//cdn.example/3.png").as_deref(),
            Some("https://cdn.example/3.png")
        );
        assert_eq!(resolve_url(page, "data:image/png;base64,AAAA"), None);
        assert_eq!(resolve_url(page, "javascript:void(0)"), None);
        assert_eq!(resolve_url(None, "img/1.jpg"), None);
    }

    #[test]
    fn srcset_gives_every_candidate() {
        let urls: Vec<&str> = srcset_urls("a.jpg 480w, b.jpg 800w,c.jpg 2x").collect();
        assert_eq!(urls, ["a.jpg", "b.jpg", "c.jpg"]);
    }

    #[test]
    fn only_background_declarations_name_photos() {
        let css = "color: red; background-image: url('/p/1.jpg'); \
                   cursor: url(hand.cur); background: #fff url(\"2.png\") no-repeat; \
                   background-color: blue; .x { BACKGROUND:url( 3.gif ) }";
        assert_eq!(css_background_urls(css), ["/p/1.jpg", "2.png", "3.gif"]);
        assert!(css_background_urls("background: url(").is_empty());
        assert!(css_background_urls("background").is_empty());
    }

    #[test]
    fn paths_that_leave_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/1.jpg"), b"x").unwrap();
        assert!(file_under(dir.path(), "a/1.jpg").is_ok());
        assert!(file_under(dir.path(), "./a/../a/1.jpg").is_ok());
        assert!(file_under(dir.path(), "../1.jpg").is_err());
        assert!(file_under(dir.path(), "a/../../etc/passwd").is_err());
        assert!(file_under(dir.path(), "/etc/passwd").is_err());
        assert!(file_under(dir.path(), "").is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc", dir.path().join("out")).unwrap();
            assert!(file_under(dir.path(), "out/passwd").is_err());
        }
    }

    #[test]
    fn url_candidates_follow_common_download_layouts() {
        assert_eq!(
            candidates_for_url("https://img.example/u/a%20b.jpg?w=1"),
            ["img.example/u/a b.jpg", "u/a b.jpg", "a b.jpg"]
        );
    }

    #[test]
    fn the_index_forgets_its_oldest_entries_first() {
        let mut index = ImageIndex::new(2);
        let h = hash_bytes(b"not an image", &Limits::default());
        index.insert("a".into(), h.clone());
        index.insert("b".into(), h.clone());
        index.insert("c".into(), h);
        assert!(!index.contains("a"));
        assert!(index.contains("b") && index.contains("c"));
        let (image, warning) = index.image("c").unwrap();
        assert_eq!(
            image.sha256.as_deref(),
            Some(sha256_hex(b"not an image").as_str())
        );
        assert!(image.phash.is_none());
        assert!(warning.is_some());
    }
}
