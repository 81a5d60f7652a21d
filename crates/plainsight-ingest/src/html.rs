//! Saved web pages to ad text, shared by the WARC and HTML-folder readers: charset detection
//! and decoding, the `<title>`, the canonical URL, and the visible text with scripts, styles
//! and navigation-like noise removed and one line per block.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use scraper::Html;
use scraper::node::{Element, Node};

/// What a page contributes to an ad.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    /// The first `<title>`, whitespace collapsed.
    pub title: Option<String>,
    /// Visible text, one line per block element, no blank lines.
    pub text: String,
    /// `<link rel=canonical href>`, else `<meta property="og:url" content>`.
    pub canonical_url: Option<String>,
    /// Image references as written, in page order, each once: `<img src>`, lazy-loading
    /// `data-src`, every `srcset` candidate (`<img>`, `<source>`), and the URLs of CSS
    /// `background` / `background-image` declarations (`style` attributes and `<style>`
    /// elements). Images in page furniture (navigation, footers, hidden parts) are left out.
    /// At most 64.
    pub images: Vec<String>,
}

/// How many leading bytes are searched for a `<meta charset>` declaration. The HTML standard
/// says 1024; pages with long comments or scripts first are common enough to look further.
const META_PRESCAN_BYTES: usize = 4096;

/// Elements whose content is never visible text (or is page furniture, not the ad).
const SKIPPED_ELEMENTS: &[&str] = &[
    "head", "script", "style", "noscript", "template", "nav", "footer", "aside", "iframe",
    "object", "embed", "svg", "math", "canvas", "select", "option", "button", "input", "textarea",
    "datalist", "audio", "video", "map", "dialog",
];

/// Elements that start and end a line of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// ARIA roles of page furniture.
const SKIPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "menu",
    "menubar",
    "search",
];

/// `class`/`id` tokens that mark navigation-like noise. Matched as whole tokens only, so a
/// class such as `ad-navigation-title` is not caught by accident.
const NOISE_TOKENS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "cookie-banner",
    "cookie-consent",
    "cookie-notice",
    "skip-link",
    "sr-only",
    "visually-hidden",
];

/// Decode page bytes to text. Order: byte-order mark, then `declared_charset` (from an HTTP
/// `Content-Type`), then a `<meta>` charset in the first bytes, then UTF-8 if the bytes are
/// valid UTF-8, else windows-1252. A page labelled windows-1252/ISO-8859-1 whose bytes are
/// valid UTF-8 with non-ASCII characters is read as UTF-8: that mislabel is common and the
/// reverse accident is very unlikely.
pub fn decode_html(bytes: &[u8], declared_charset: Option<&str>) -> String {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    let declared = declared_charset
        .and_then(encoding_for_label)
        .or_else(|| meta_charset(bytes));
    let is_utf8 = std::str::from_utf8(bytes).is_ok();
    let encoding = match declared {
        Some(enc) if enc == WINDOWS_1252 && is_utf8 && !bytes.is_ascii() => UTF_8,
        Some(enc) => enc,
        None if is_utf8 => UTF_8,
        None => WINDOWS_1252,
    };
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    text.into_owned()
}

/// Look up an encoding label, ignoring ones that cannot describe an HTML byte stream.
fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'');
    let encoding = Encoding::for_label(label.as_bytes())?;
    // The "replacement" encoding would turn the whole page into one U+FFFD; treat it as
    // unknown and let the fallbacks decide.
    if encoding == encoding_rs::REPLACEMENT {
        return None;
    }
    Some(encoding)
}

/// Find `charset=` inside a `<meta ...>` tag near the start of the page.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = memchr::memmem::find(&lower[from..], b"<meta") {
        let tag_start = from + pos;
        let tag_end =
            memchr::memchr(b'>', &lower[tag_start..]).map_or(lower.len(), |e| tag_start + e);
        let tag = &lower[tag_start..tag_end];
        if let Some(cs) = memchr::memmem::find(tag, b"charset") {
            let rest = &tag[cs + b"charset".len()..];
            let rest = trim_ascii_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_ascii_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let label_len = rest
                    .iter()
                    .take_while(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')
                    })
                    .count();
                if let Some(encoding) = std::str::from_utf8(&rest[..label_len])
                    .ok()
                    .and_then(encoding_for_label)
                {
                    // A declaration inside ASCII-compatible bytes cannot truly be UTF-16, and
                    // x-user-defined means windows-1252 here (HTML standard, "prescan").
                    return Some(if encoding == UTF_16LE || encoding == UTF_16BE {
                        UTF_8
                    } else if encoding == encoding_rs::X_USER_DEFINED {
                        WINDOWS_1252
                    } else {
                        encoding
                    });
                }
            }
        }
        from = tag_end.max(tag_start + 1);
    }
    None
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[skip..]
}

/// The `charset` parameter of a `Content-Type` header value, if any.
pub fn charset_from_content_type(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// Whether a `Content-Type` value names an HTML document.
pub fn is_html_content_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim();
    media.eq_ignore_ascii_case("text/html") || media.eq_ignore_ascii_case("application/xhtml+xml")
}

/// Whether bytes without a declared type look like an HTML document.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let head = trim_ascii_start(head);
    if !head.starts_with(b"<") {
        return false;
    }
    let lower = head.to_ascii_lowercase();
    [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<title",
    ]
    .iter()
    .any(|marker| memchr::memmem::find(&lower, marker).is_some())
}

/// The host of an absolute (or protocol-relative) URL, lower-cased, without port or user.
pub fn url_host(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = match url.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            rest
        }
        _ => url.strip_prefix("//")?,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port.split_once(']').map(|(h, _)| format!("{h}]"))?
    } else {
        host_port.split(':').next().unwrap_or("").to_string()
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Estimated tree-building work above which a page is read with [`fallback_page`]:
/// html5ever's tree builder scans the stack of open elements for many tags, so its time grows
/// with (tags × nesting depth), and a hostile page of 8 MiB of unclosed tags would take
/// hours. Ordinary pages, even very large ones, stay far below this.
const MAX_TREE_WORK: u64 = 30_000_000;

/// Elements that never hold children, or whose end tag is optional (the parser closes them
/// implicitly, so they do not deepen the tree); not counted by [`tree_work_estimate`].
const FLAT_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody",
    "tfoot", "colgroup", "rb", "rt", "rp", "html", "head", "body",
];

/// Elements whose content is raw text: their `<` bytes are not tags.
const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style", "textarea", "title", "xmp", "noscript"];

/// Rough cost of building the tree: the sum, over tags, of the nesting depth at that tag.
fn tree_work_estimate(html: &str) -> u64 {
    let bytes = html.as_bytes();
    let mut depth: u64 = 0;
    let mut work: u64 = 0;
    let mut i = 0;
    while let Some(pos) = memchr::memchr(b'<', &bytes[i..]) {
        let (name, closing, after) = tag_name_at(bytes, i + pos);
        i = after;
        let Some(name) = name else { continue };
        if FLAT_ELEMENTS.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if RAW_TEXT_ELEMENTS.contains(&name.as_str()) {
                i = find_end_tag(bytes, i, &name);
                depth -= 1;
            }
        }
        work += depth;
        if work > MAX_TREE_WORK {
            break;
        }
    }
    work
}

/// The lower-cased tag name at `<` (position `lt`), whether it is an end tag, and the index
/// just after the name. `None` for `<` that does not start a tag.
fn tag_name_at(bytes: &[u8], lt: usize) -> (Option<String>, bool, usize) {
    let mut start = lt + 1;
    let closing = bytes.get(start) == Some(&b'/');
    if closing {
        start += 1;
    }
    let len = bytes[start.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if len == 0 || !bytes[start].is_ascii_alphabetic() {
        return (None, false, lt + 1);
    }
    let name = String::from_utf8_lossy(&bytes[start..start + len]).to_ascii_lowercase();
    (Some(name), closing, start + len)
}

/// Index just after the `>` of the end tag `</name`, or the end of input.
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> usize {
    let needle = format!("</{name}");
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut i = from;
    while i < bytes.len() {
        // Case-insensitive search on a lower-cased window would copy the page; search for
        // `</` and compare the name instead.
        let Some(pos) = memchr::memmem::find(&bytes[i..], b"</") else {
            return bytes.len();
        };
        let at = i + pos;
        let candidate = &bytes[at..(at + needle.len()).min(bytes.len())];
        if candidate.eq_ignore_ascii_case(finder.needle()) {
            return memchr::memchr(b'>', &bytes[at..]).map_or(bytes.len(), |e| at + e + 1);
        }
        i = at + 2;
    }
    bytes.len()
}

/// Parse a page and pull out its title, canonical URL and visible text.
pub fn parse_page(html: &str) -> Page {
    if tree_work_estimate(html) > MAX_TREE_WORK {
        return fallback_page(html);
    }
    let doc = Html::parse_document(html);
    let mut text = TextBuilder::default();
    let mut title: Option<String> = None;
    let mut title_text = String::new();
    let mut in_title = false;
    let mut canonical: Option<String> = None;
    let mut og_url: Option<String> = None;
    // Depth inside a skipped subtree; every node opened there adds one, every close removes
    // one, so the walk needs no recursion (deeply nested junk cannot overflow the stack).
    let mut skip_depth = 0usize;
    let mut content_depth = 0usize;
    let mut pre_depth = 0usize;
    let mut images = ImageRefs::default();
    let mut in_style = false;
    for edge in doc.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    // A `<style>` element is skipped as text wherever it is (usually in
                    // `<head>`), but its background images are the page's.
                    in_style = name == "style";
                    if name == "title" && title.is_none() {
                        in_title = true;
                    } else if name == "link"
                        && canonical.is_none()
                        && has_token(el.attr("rel"), "canonical")
                    {
                        canonical = non_empty(el.attr("href"));
                    } else if name == "meta"
                        && og_url.is_none()
                        && el
                            .attr("property")
                            .is_some_and(|p| p.trim().eq_ignore_ascii_case("og:url"))
                    {
                        og_url = non_empty(el.attr("content"));
                    }
                    if skip_depth > 0 || is_noise(el, content_depth) {
                        skip_depth += 1;
                        continue;
                    }
                    images.collect(el);
                    match name {
                        "br" => text.end_line(),
                        "td" | "th" => text.space(),
                        "article" | "main" => content_depth += 1,
                        "pre" | "textarea" | "listing" => pre_depth += 1,
                        _ => {}
                    }
                    if BLOCK_ELEMENTS.contains(&name) {
                        text.end_line();
                    }
                } else if let Node::Text(t) = node.value() {
                    if in_title {
                        title_text.push_str(t);
                    }
                    if in_style {
                        for url in crate::photos::css_background_urls(t) {
                            images.push(&url);
                        }
                    }
                    if skip_depth == 0 {
                        text.push(t, pre_depth > 0);
                    }
                } else if skip_depth > 0 {
                    skip_depth += 1;
                }
            }
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(el) = node.value()
                    && el.name() == "style"
                {
                    in_style = false;
                }
                if let Node::Element(el) = node.value()
                    && el.name() == "title"
                    && in_title
                {
                    in_title = false;
                    title = Some(collapse_whitespace(&title_text)).filter(|t| !t.is_empty());
                    if title.is_none() {
                        // An empty <title> does not count; a later one may.
                        title_text.clear();
                    }
                }
                if skip_depth > 0 {
                    if !matches!(node.value(), Node::Text(_)) {
                        skip_depth -= 1;
                    }
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    match name {
                        "article" | "main" => content_depth = content_depth.saturating_sub(1),
                        "pre" | "textarea" | "listing" => pre_depth = pre_depth.saturating_sub(1),
                        _ => {}
                    }
                    if BLOCK_ELEMENTS.contains(&name) {
                        text.end_line();
                    }
                }
            }
        }
    }
    Page {
        title,
        text: text.finish(),
        canonical_url: canonical.or(og_url),
        images: images.refs,
    }
}

/// Image references of a page, in order, each once, at most
/// [`crate::photos::MAX_IMAGES_PER_PAGE`].
#[derive(Default)]
struct ImageRefs {
    refs: Vec<String>,
}

impl ImageRefs {
    fn push(&mut self, reference: &str) {
        let reference = reference.trim();
        if reference.is_empty()
            || self.refs.len() >= crate::photos::MAX_IMAGES_PER_PAGE
            || self.refs.iter().any(|r| r == reference)
        {
            return;
        }
        self.refs.push(reference.to_string());
    }

    fn collect(&mut self, el: &Element) {
        let name = el.name();
        if name == "img" {
            for attr in ["src", "data-src", "data-lazy-src", "data-original"] {
                if let Some(v) = el.attr(attr) {
                    self.push(v);
                }
            }
        }
        if matches!(name, "img" | "source") {
            for attr in ["srcset", "data-srcset"] {
                if let Some(v) = el.attr(attr) {
                    for url in crate::photos::srcset_urls(v) {
                        self.push(url);
                    }
                }
            }
        }
        if let Some(style) = el.attr("style") {
            for url in crate::photos::css_background_urls(style) {
                self.push(&url);
            }
        }
    }
}

/// Visible text of an HTML document or fragment (see [`parse_page`]).
pub fn html_to_text(html: &str) -> String {
    parse_page(html).text
}

/// A linear-time reading for pathological pages: tags are dropped without building a tree,
/// raw-text elements (scripts, styles) are skipped, block tags break lines, and common
/// character references are decoded. Navigation is not recognised here.
fn fallback_page(html: &str) -> Page {
    let bytes = html.as_bytes();
    let mut text = TextBuilder::default();
    let mut title = None;
    let mut i = 0;
    while i < bytes.len() {
        let Some(pos) = memchr::memchr(b'<', &bytes[i..]) else {
            text.push(&decode_entities(&html[i..]), false);
            break;
        };
        let lt = i + pos;
        text.push(&decode_entities(&html[i..lt]), false);
        if bytes[lt..].starts_with(b"<!--") {
            i = memchr::memmem::find(&bytes[lt..], b"-->").map_or(bytes.len(), |e| lt + e + 3);
            continue;
        }
        let (name, closing, after) = tag_name_at(bytes, lt);
        let Some(name) = name else {
            text.push("<", false);
            i = lt + 1;
            continue;
        };
        let tag_end = memchr::memchr(b'>', &bytes[after..]).map_or(bytes.len(), |e| after + e + 1);
        if !closing && RAW_TEXT_ELEMENTS.contains(&name.as_str()) {
            let end = find_end_tag(bytes, tag_end, &name);
            if name == "title" && title.is_none() {
                let inner_end = end.saturating_sub(1);
                let inner = html
                    .get(tag_end..inner_end)
                    .and_then(|s| s.rfind("</").map(|p| &s[..p]))
                    .unwrap_or("");
                title =
                    Some(collapse_whitespace(&decode_entities(inner))).filter(|t| !t.is_empty());
            }
            i = end;
            continue;
        }
        if name == "br" || BLOCK_ELEMENTS.contains(&name.as_str()) {
            text.end_line();
        }
        i = tag_end;
    }
    Page {
        title,
        text: text.finish(),
        canonical_url: None,
        images: Vec::new(),
    }
}

/// Decode the character references that matter for reading text.
fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((ch, e + 1))
        });
        match decoded {
            Some((ch, used)) => {
                out.push(ch);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn has_token(value: Option<&str>, token: &str) -> bool {
    value.is_some_and(|v| {
        v.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case(token))
    })
}

/// Whether an element is furniture or hidden. A `<header>` inside `<article>`/`<main>` is the
/// ad's own heading and is kept; a page-level `<header>` is the site banner and is dropped.
fn is_noise(el: &Element, content_depth: usize) -> bool {
    let name = el.name();
    if SKIPPED_ELEMENTS.contains(&name) || (name == "header" && content_depth == 0) {
        return true;
    }
    if el.attr("hidden").is_some() {
        return true;
    }
    if el
        .attr("aria-hidden")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    if el.attr("role").is_some_and(|r| {
        SKIPPED_ROLES
            .iter()
            .any(|s| r.trim().eq_ignore_ascii_case(s))
    }) {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let compact: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if compact.contains("display:none") || compact.contains("visibility:hidden") {
            return true;
        }
    }
    ["class", "id"].iter().any(|attr| {
        el.attr(attr).is_some_and(|v| {
            v.split_ascii_whitespace()
                .any(|token| NOISE_TOKENS.iter().any(|n| token.eq_ignore_ascii_case(n)))
        })
    })
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Accumulates text with HTML whitespace rules: runs of whitespace become one space, block
/// boundaries become line breaks, empty lines are dropped.
#[derive(Default)]
struct TextBuilder {
    out: String,
    line: String,
    pending_space: bool,
}

impl TextBuilder {
    fn push(&mut self, s: &str, preformatted: bool) {
        for ch in s.chars() {
            if preformatted && ch == '\n' {
                self.end_line();
            } else if ch.is_whitespace() {
                self.space();
            } else {
                if self.pending_space {
                    self.line.push(' ');
                    self.pending_space = false;
                }
                self.line.push(ch);
            }
        }
    }

    fn space(&mut self) {
        if !self.line.is_empty() {
            self.pending_space = true;
        }
    }

    fn end_line(&mut self) {
        let line = self.line.trim();
        if !line.is_empty() {
            if !self.out.is_empty() {
                self.out.push('\n');
            }
            self.out.push_str(line);
        }
        self.line.clear();
        self.pending_space = false;
    }

    fn finish(mut self) -> String {
        self.end_line();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_text_drops_furniture_and_keeps_blocks() {
        let page = parse_page(
            "<html><head><title> Sweet  Anna </title><script>var x=1;</script>\
             <link rel='canonical' href='https://ex.example/ad/1'></head>\
             <body><header>Site Banner</header><nav>Home | Login</nav>\
             <main><header><h1>Anna, 23</h1></header><p>New in town.<br>Call me</p>\
             <div style='display: none'>hidden</div><ul><li>a</li><li>b</li></ul></main>\
             <footer>(c) site</footer></body></html>",
        );
        assert_eq!(page.title.as_deref(), Some("Sweet Anna"));
        assert_eq!(
            page.canonical_url.as_deref(),
            Some("https://ex.example/ad/1")
        );
        assert_eq!(page.text, "Anna, 23\nNew in town.\nCall me\na\nb");
    }

    #[test]
    fn charset_comes_from_header_then_meta_then_utf8_check() {
        let latin1 = b"<p>caf\xe9</p>";
        assert_eq!(decode_html(latin1, Some("iso-8859-1")), "<p>café</p>");
        assert_eq!(decode_html(latin1, None), "<p>café</p>");
        let meta = b"<meta charset=\"koi8-r\"><p>\xf0\xd2\xc9\xd7\xc5\xd4</p>";
        assert!(decode_html(meta, None).contains("Привет"));
        let mislabelled = "<p>café</p>".as_bytes();
        assert_eq!(decode_html(mislabelled, Some("iso-8859-1")), "<p>café</p>");
    }

    #[test]
    fn hosts_are_lowercased_without_port_or_user() {
        assert_eq!(
            url_host("https://User@WWW.Ex.example:8080/a?b").as_deref(),
            Some("www.ex.example")
        );
        assert_eq!(url_host("//cdn.example/x").as_deref(), Some("cdn.example"));
        assert_eq!(url_host("http://[::1]:80/").as_deref(), Some("[::1]"));
        assert_eq!(url_host("not a url"), None);
    }

    #[test]
    fn deep_nesting_is_read_in_linear_time_without_overflow() {
        // Far past the tree-work budget: read by the fallback, which must still find the text.
        let html = "<title>T &amp; U</title>".to_string()
            + &"<div>".repeat(200_000)
            + "deep &lt;3"
            + &"</div>".repeat(200_000);
        assert!(tree_work_estimate(&html) > MAX_TREE_WORK);
        let page = parse_page(&html);
        assert_eq!(page.text, "deep <3");
        assert_eq!(page.title.as_deref(), Some("T & U"));
        // Below the budget the tree walk (iterative, no recursion) gives the same text.
        let moderate = "<div>".repeat(2_000) + "deep" + &"</div>".repeat(2_000);
        assert!(tree_work_estimate(&moderate) <= MAX_TREE_WORK);
        assert_eq!(html_to_text(&moderate), "deep");
    }

    #[test]
    fn scripts_do_not_inflate_the_work_estimate() {
        let html = format!("<script>{}</script><p>x</p>", "if(a<b){}".repeat(100_000));
        assert!(tree_work_estimate(&html) < 10);
    }
}
