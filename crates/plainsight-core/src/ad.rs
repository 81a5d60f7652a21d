//! The ad record: the one shape every reader produces and every later stage consumes.
//! `docs/ad-format.md` is the public description of this contract.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::timestamp::{DateContext, DateError, parse_epoch, parse_timestamp};

/// One online ad as a scraper captured it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ad {
    /// Source id, unique within the source (required, non-empty).
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// When the ad was posted (or captured). Date-only inputs become midnight UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Plain text or HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Free-text place such as "Raleigh, NC".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Phone strings a scraper already captured, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageRef>,
    /// Every other field of the source record, kept as it came. Flattened, so an ad written
    /// out and read back (by `Ad::from_json` or serde) keeps the same top-level fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A photo attached to an ad. Plainsight keeps hashes, never the photos themselves.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Lower-case hex SHA-256 of the image bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// 64-bit perceptual hash as 16 lower-case hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phash: Option<String>,
    /// Pixel size, when Plainsight decoded the image itself (for describing the photo; the
    /// photo is never kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// Why a record cannot become an [`Ad`] at all. Everything wrong *inside* a record is a
/// [`FieldWarning`] instead: the ad is kept without that field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdError {
    #[error("the record is not a JSON object")]
    NotAnObject,
}

/// What is wrong with one field of a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    #[error("unreadable date ({0})")]
    BadDate(DateError),
    #[error("wrong type: expected {expected}")]
    WrongType { expected: &'static str },
    #[error("bad image {key}: {reason}")]
    BadImage {
        key: &'static str,
        reason: &'static str,
    },
    /// An image whose bytes were read (a WARC record, a saved page's file, a file under
    /// `--images`) but could not be decoded or found: the image keeps what could be had (its
    /// URL, and its SHA-256 when the bytes were there) without a perceptual hash.
    #[error("image not hashed: {reason}")]
    UnreadableImage { reason: String },
}

impl FieldProblem {
    /// A short label for counting warnings by kind ("unreadable date").
    pub fn label(&self) -> &'static str {
        match self {
            FieldProblem::BadDate(_) => "unreadable date",
            FieldProblem::WrongType { .. } => "wrong type",
            FieldProblem::BadImage { .. } => "bad image hash",
            FieldProblem::UnreadableImage { .. } => "unreadable image",
        }
    }
}

/// A field that could not be read. The ad is kept without it; the field's raw value stays in
/// the ad's `extra` map (under `<field>_raw` for the record's own fields, so it never collides
/// with the field itself), so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldWarning {
    /// The field's name as it was written in the record.
    pub field: String,
    /// The raw value, cut to about 60 characters for messages.
    pub value: String,
    pub problem: FieldProblem,
}

impl fmt::Display for FieldWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "field `{}` {:?}: {}; the ad is kept without it",
            self.field, self.value, self.problem
        )
    }
}

/// How records are read beyond their own content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordOptions {
    /// Time zone, day-first reading and a crawl time for dates. A crawl time in the record
    /// itself (`crawled_at`, `scraped_at`, ...) takes precedence over `dates.crawled_at`.
    pub dates: DateContext,
    /// Time zones of particular sites, as (host, zone): a record whose `site`, or else the
    /// host of its `url`, is that host or a sub-domain of it has its local times read in that
    /// zone instead of `dates.zone`. The longest matching host wins.
    pub site_zones: Vec<(String, chrono_tz::Tz)>,
}

impl RecordOptions {
    /// The date context for a record of `site` / `url`.
    pub fn dates_for(&self, site: Option<&str>, url: Option<&str>) -> DateContext {
        if self.site_zones.is_empty() {
            return self.dates;
        }
        let host = site
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .or_else(|| url.and_then(url_host));
        let Some(host) = host else {
            return self.dates;
        };
        let matching = self
            .site_zones
            .iter()
            .filter(|(site, _)| {
                let site = site.trim().trim_start_matches("*.").to_ascii_lowercase();
                host == site
                    || host
                        .strip_suffix(site.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            })
            .max_by_key(|(site, _)| site.len());
        match matching {
            Some((_, zone)) => DateContext {
                zone: Some(*zone),
                ..self.dates
            },
            None => self.dates,
        }
    }
}

/// The lower-case host of an absolute URL, without port or user.
fn url_host(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host
        .split(':')
        .next()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// An ad read from a record, with what could not be read in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAd {
    pub ad: Ad,
    pub warnings: Vec<FieldWarning>,
    /// The record had no usable id and was given a derived one ([`derived_id`]).
    pub id_derived: bool,
}

/// Field names (lower case, letters and digits only) that scrapers use for the post date, in
/// order of preference after `posted_at` itself. `date`, `datetime` and `timestamp` come last
/// because some tools use them for the capture time.
pub const POSTED_AT_ALIASES: &[&str] = &[
    "postedat",
    "dateposted",
    "posteddate",
    "postdate",
    "postedon",
    "postedtime",
    "posttime",
    "posted",
    "datecreated",
    "createdat",
    "createddate",
    "creationdate",
    "created",
    "datepublished",
    "publishedat",
    "publisheddate",
    "publishdate",
    "published",
    "pubdate",
    "date",
    "datetime",
    "timestamp",
];

/// Field names (normalised as for [`POSTED_AT_ALIASES`]) that hold the time the record was
/// crawled: the anchor of relative dates such as "3 hours ago". They stay in `extra`.
pub const CRAWLED_AT_ALIASES: &[&str] = &[
    "crawledat",
    "crawltime",
    "crawldate",
    "crawltimestamp",
    "crawled",
    "scrapedat",
    "scrapetime",
    "scrapedate",
    "scraped",
    "fetchedat",
    "fetchtime",
    "fetched",
    "retrievedat",
    "retrieved",
    "downloadedat",
    "capturedat",
    "capturetime",
    "collectedat",
    "accessedat",
    "warcdate",
];

/// A field name as compared with the alias lists: ASCII letters lower-cased, digits kept,
/// everything else (`_`, `-`, spaces, dots) dropped, so `date_posted`, `datePosted` and
/// `Date Posted` are one name.
pub fn normalize_field_name(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Parse a date with no context: times without an offset are UTC, relative times are errors.
/// Accepts every form of [`parse_timestamp`].
pub fn parse_posted_at(value: &str) -> Result<DateTime<Utc>, DateError> {
    parse_timestamp(value, &DateContext::default())
}

/// A date field's value: a string in any form of [`parse_timestamp`], an epoch number, a
/// one-item list, or a MongoDB-style `{"$date": ...}`. `Ok(None)` for null or an empty string.
pub fn date_from_value(
    value: &Value,
    ctx: &DateContext,
) -> Result<Option<DateTime<Utc>>, DateError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => parse_timestamp(s, ctx).map(Some),
        // Integers and plain decimals exactly, through the text form; exponents as floats.
        Value::Number(n) => match parse_timestamp(&n.to_string(), ctx) {
            Ok(t) => Ok(Some(t)),
            Err(_) => n
                .as_f64()
                .ok_or(DateError::Unreadable)
                .and_then(parse_epoch)
                .map(Some),
        },
        Value::Array(items) if items.len() == 1 => date_from_value(&items[0], ctx),
        Value::Object(o) if o.len() == 1 => match o.iter().next() {
            Some((k, v)) if k == "$date" || k == "$numberLong" => date_from_value(v, ctx),
            _ => Err(DateError::Unreadable),
        },
        _ => Err(DateError::Unreadable),
    }
}

/// The id given to a record without one, stable across runs (re-reading the same record gives
/// the same id, so re-ingesting adds nothing):
/// - with a URL: `url-` and 32 hex digits of SHA-256 over the URL, title and body, so the
///   same ad crawled again keeps its id while different ads listed under one URL do not share
///   one;
/// - without: `rec-` and 32 hex digits of SHA-256 over the whole record as read (every field,
///   keys in sorted order).
pub fn derived_id(
    url: Option<&str>,
    title: Option<&str>,
    body: Option<&str>,
    record: &[&Map<String, Value>],
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let prefix = match url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => {
            for (tag, part) in [
                (1u8, url),
                (2, title.unwrap_or("")),
                (3, body.unwrap_or("")),
            ] {
                h.update([tag]);
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
            "url"
        }
        None => {
            for map in record {
                // serde_json's map keeps keys sorted, so this is canonical.
                let bytes = serde_json::to_vec(map).unwrap_or_default();
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            "rec"
        }
    };
    let digest = h.finalize();
    format!("{prefix}-{}", hex::encode(&digest[..16]))
}

fn cut_for_message(v: &str) -> String {
    let mut out: String = v.chars().take(60).collect();
    if out.len() < v.len() {
        out.push('…');
    }
    out
}

/// A value as message text: strings as they are, anything else as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => cut_for_message(s),
        other => cut_for_message(&other.to_string()),
    }
}

/// Reads one record's fields, collecting warnings and the raw values of unreadable fields.
struct FieldReader {
    warnings: Vec<FieldWarning>,
    /// Raw values of unreadable fields, to be added to `extra`.
    unread: Map<String, Value>,
}

impl FieldReader {
    fn warn(&mut self, field: &str, raw: Value, problem: FieldProblem) {
        self.warnings.push(FieldWarning {
            field: field.to_string(),
            value: value_text(&raw),
            problem,
        });
        self.unread.insert(format!("{field}_raw"), raw);
    }

    /// One string: a string, a number, or a one-item list of either.
    fn single(&mut self, field: &str, v: Option<Value>) -> Option<String> {
        match v? {
            Value::Null => None,
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(items) if items.len() == 1 && is_scalar(&items[0]) => {
                self.single(field, items.into_iter().next())
            }
            other => {
                self.warn(
                    field,
                    other,
                    FieldProblem::WrongType {
                        expected: "a string",
                    },
                );
                None
            }
        }
    }

    /// Free text: like [`Self::single`], and a list of strings is joined with line breaks
    /// (JSON-LD and some scrapers split a description into paragraphs).
    fn text(&mut self, field: &str, v: Option<Value>) -> Option<String> {
        match v? {
            Value::Array(items) if items.iter().all(|i| is_scalar(i) || i.is_null()) => {
                let parts: Vec<String> = items
                    .into_iter()
                    .filter_map(|i| match i {
                        Value::String(s) => Some(s),
                        Value::Number(n) => Some(n.to_string()),
                        Value::Bool(b) => Some(b.to_string()),
                        _ => None,
                    })
                    .collect();
                (!parts.is_empty()).then(|| parts.join("\n"))
            }
            Value::Bool(b) => Some(b.to_string()),
            other => self.single(field, Some(other)),
        }
    }

    fn phones(&mut self, v: Option<Value>) -> Vec<String> {
        let items = match v {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::String(s)) => return vec![s],
            Some(Value::Number(n)) => return vec![n.to_string()],
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.warn(
                    "phones",
                    other,
                    FieldProblem::WrongType {
                        expected: "a list of strings",
                    },
                );
                return Vec::new();
            }
        };
        let mut phones = Vec::new();
        let mut bad = false;
        for item in &items {
            match item {
                Value::String(s) => phones.push(s.clone()),
                Value::Number(n) => phones.push(n.to_string()),
                Value::Null => {}
                _ => bad = true,
            }
        }
        if bad {
            self.warn(
                "phones",
                Value::Array(items),
                FieldProblem::WrongType {
                    expected: "a list of strings",
                },
            );
        }
        phones
    }

    fn images(&mut self, v: Option<Value>) -> Vec<ImageRef> {
        let items = match v {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) => items,
            // One image given on its own.
            Some(one @ (Value::String(_) | Value::Object(_))) => vec![one],
            Some(other) => {
                self.warn(
                    "images",
                    other,
                    FieldProblem::WrongType {
                        expected: "a list of objects",
                    },
                );
                return Vec::new();
            }
        };
        let mut images = Vec::new();
        let mut first_problem = None;
        for item in &items {
            match ImageRef::from_value(item) {
                Ok(Some(image)) => images.push(image),
                Ok(None) => {}
                Err(problem) => {
                    first_problem.get_or_insert(problem);
                }
            }
        }
        if let Some(problem) = first_problem {
            self.warn("images", Value::Array(items), problem);
        }
        images
    }
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_))
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl ImageRef {
    /// One item of `images`. `Ok(None)` for null; an item with a malformed hash is an error
    /// (the item is dropped, the others kept).
    fn from_value(v: &Value) -> Result<Option<ImageRef>, FieldProblem> {
        let obj = match v {
            Value::Null => return Ok(None),
            Value::Object(o) => o,
            // A bare string is taken as the image URL.
            Value::String(s) => {
                return Ok(Some(ImageRef {
                    url: Some(s.clone()),
                    ..ImageRef::default()
                }));
            }
            _ => {
                return Err(FieldProblem::WrongType {
                    expected: "a list of objects",
                });
            }
        };
        let text = |key: &str| -> Result<Option<String>, FieldProblem> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(_) => Err(FieldProblem::WrongType {
                    expected: "strings in image objects",
                }),
            }
        };
        let url = text("url")?;
        let path = text("path")?;
        let sha256 = text("sha256")?.map(|s| s.trim().to_ascii_lowercase());
        let phash = text("phash")?.map(|s| s.trim().to_ascii_lowercase());
        if sha256.as_deref().is_some_and(|s| !is_hex(s, 64)) {
            return Err(FieldProblem::BadImage {
                key: "sha256",
                reason: "expected 64 hex digits",
            });
        }
        if phash.as_deref().is_some_and(|s| !is_hex(s, 16)) {
            return Err(FieldProblem::BadImage {
                key: "phash",
                reason: "expected 16 hex digits",
            });
        }
        // A size given with the image describes it; one that is not a whole number is left
        // out without a warning (it links nothing).
        let size = |key: &str| {
            obj.get(key)
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
        };
        Ok(Some(ImageRef {
            url,
            path,
            sha256,
            phash,
            width: size("width"),
            height: size("height"),
        }))
    }
}

impl Ad {
    /// Build an ad from a JSON object following `docs/ad-format.md`, with default options.
    /// Unknown fields go to `extra`; unreadable fields are left out (their warnings dropped,
    /// their raw values kept in `extra`). See [`Ad::from_record`].
    pub fn from_json(value: Value) -> Result<Ad, AdError> {
        Ad::from_record(value, &RecordOptions::default()).map(|parsed| parsed.ad)
    }

    /// Build an ad from a JSON object. Only a value that is not an object fails: a field that
    /// cannot be read is a [`FieldWarning`] and the ad is kept without it, a missing id is
    /// replaced by a [`derived_id`], and the post date is looked for under `posted_at` and then
    /// under the [`POSTED_AT_ALIASES`].
    pub fn from_record(value: Value, opts: &RecordOptions) -> Result<ParsedAd, AdError> {
        let Value::Object(obj) = value else {
            return Err(AdError::NotAnObject);
        };
        Ok(Ad::build(obj, None, opts))
    }

    /// Build an ad from the ad's own fields and, apart, the fields that go to `extra` (the CSV
    /// reader keeps them apart so that a column renamed onto a field cannot be confused with a
    /// column named like the field). Date aliases and crawl times are looked for in `extra`.
    pub fn from_parts(
        fields: Map<String, Value>,
        extra: Map<String, Value>,
        opts: &RecordOptions,
    ) -> ParsedAd {
        Ad::build(fields, Some(extra), opts)
    }

    fn build(
        mut fields: Map<String, Value>,
        extra: Option<Map<String, Value>>,
        opts: &RecordOptions,
    ) -> ParsedAd {
        let mut reader = FieldReader {
            warnings: Vec::new(),
            unread: Map::new(),
        };
        let id_value = fields.remove("id");
        let id = reader
            .single("id", id_value)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let id_derived = id.is_none();
        let id = id.unwrap_or_else(|| {
            let text_of = |key: &str| fields.get(key).and_then(Value::as_str);
            let mut maps: Vec<&Map<String, Value>> = vec![&fields];
            if let Some(extra) = &extra {
                maps.push(extra);
            }
            derived_id(text_of("url"), text_of("title"), text_of("body"), &maps)
        });
        let url = reader.single("url", fields.remove("url"));
        let site = reader.single("site", fields.remove("site"));
        let posted_at_value = fields.remove("posted_at");
        let title = reader.text("title", fields.remove("title"));
        let body = reader.text("body", fields.remove("body"));
        let location = reader.text("location", fields.remove("location"));
        let phones = reader.phones(fields.remove("phones"));
        let images = reader.images(fields.remove("images"));
        let mut extra = match extra {
            Some(mut extra) => {
                extra.append(&mut fields);
                extra
            }
            None => fields,
        };
        let dates = opts.dates_for(site.as_deref(), url.as_deref());
        let posted_at = post_date(posted_at_value, &mut extra, dates, &mut reader);
        for (key, value) in std::mem::take(&mut reader.unread) {
            extra.entry(key).or_insert(value);
        }
        ParsedAd {
            ad: Ad {
                id,
                url,
                site,
                posted_at,
                title,
                body,
                location,
                phones,
                images,
                extra,
            },
            warnings: reader.warnings,
            id_derived,
        }
    }

    /// Total length in bytes of the free text fields (title, body, url, location).
    pub fn text_len(&self) -> usize {
        [&self.title, &self.body, &self.url, &self.location]
            .iter()
            .map(|f| f.as_ref().map_or(0, |s| s.len()))
            .sum()
    }
}

/// The post date: `posted_at`, else the first readable alias. Each unreadable candidate is a
/// warning; a used alias leaves `extra`, the others stay. Relative times are read against the
/// record's own crawl time, else the reader's.
fn post_date(
    posted_at: Option<Value>,
    extra: &mut Map<String, Value>,
    dates: DateContext,
    reader: &mut FieldReader,
) -> Option<DateTime<Utc>> {
    // The record's own crawl time wins over the reader's; both are looked up only when needed.
    let mut ctx = DateContext {
        crawled_at: None,
        ..dates
    };
    let mut ctx_crawl: Option<Option<DateTime<Utc>>> = None;
    let mut parse =
        |value: &Value, extra: &Map<String, Value>| -> Result<Option<DateTime<Utc>>, DateError> {
            let result = date_from_value(value, &ctx);
            if result != Err(DateError::NeedsCrawlTime) {
                return result;
            }
            let crawled = *ctx_crawl.get_or_insert_with(|| crawl_time(extra, &dates));
            match crawled {
                Some(t) => {
                    ctx.crawled_at = Some(t);
                    date_from_value(value, &ctx)
                }
                None => result,
            }
        };
    if let Some(value) = posted_at {
        match parse(&value, extra) {
            Ok(Some(t)) => return Some(t),
            Ok(None) => {}
            Err(e) => reader.warn("posted_at", value, FieldProblem::BadDate(e)),
        }
    }
    let mut aliases: Vec<(usize, String)> = extra
        .keys()
        .filter_map(|k| {
            let norm = normalize_field_name(k);
            POSTED_AT_ALIASES
                .iter()
                .position(|a| *a == norm)
                .map(|rank| (rank, k.clone()))
        })
        .collect();
    aliases.sort();
    for (_, key) in aliases {
        let Some(value) = extra.get(&key) else {
            continue;
        };
        match parse(value, extra) {
            Ok(Some(t)) => {
                extra.remove(&key);
                return Some(t);
            }
            Ok(None) => {}
            Err(e) => {
                // The raw value stays in `extra` under its own name.
                reader.warnings.push(FieldWarning {
                    field: key.clone(),
                    value: value_text(value),
                    problem: FieldProblem::BadDate(e),
                });
            }
        }
    }
    None
}

/// The record's own crawl time (first readable of [`CRAWLED_AT_ALIASES`]), else the reader's.
fn crawl_time(extra: &Map<String, Value>, dates: &DateContext) -> Option<DateTime<Utc>> {
    let absolute = DateContext {
        crawled_at: None,
        ..*dates
    };
    let mut found: Vec<(usize, &Value)> = extra
        .iter()
        .filter_map(|(k, v)| {
            let norm = normalize_field_name(k);
            CRAWLED_AT_ALIASES
                .iter()
                .position(|a| *a == norm)
                .map(|rank| (rank, v))
        })
        .collect();
    found.sort_by_key(|(rank, _)| *rank);
    found
        .into_iter()
        .find_map(|(_, v)| date_from_value(v, &absolute).ok().flatten())
        .or(dates.crawled_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn full_record_round_trips_and_keeps_extra_fields() {
        let ad = Ad::from_json(json!({
            "id": 42, "url": "https://x.example/ad/42", "posted_at": "2024-03-01",
            "title": "Hi", "body": "<b>call</b>", "phones": ["919 555 0123"],
            "images": [{"sha256": "A".repeat(64), "phash": "00ff00ff00ff00ff"}],
            "category": "escort"
        }))
        .unwrap();
        assert_eq!(ad.id, "42");
        assert_eq!(
            ad.posted_at.unwrap().to_rfc3339(),
            "2024-03-01T00:00:00+00:00"
        );
        assert_eq!(
            ad.images[0].sha256.as_deref(),
            Some("a".repeat(64).as_str())
        );
        assert_eq!(ad.extra["category"], "escort");
        let value = serde_json::to_value(&ad).unwrap();
        assert_eq!(value["category"], "escort", "extra fields stay top-level");
        let back: Ad = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(back, ad);
        assert_eq!(Ad::from_json(value).unwrap(), ad);
    }

    #[test]
    fn only_a_non_object_is_rejected_and_bad_fields_are_warnings() {
        assert_eq!(Ad::from_json(json!([1])), Err(AdError::NotAnObject));
        let parsed = Ad::from_record(
            json!({"id": "1", "title": {"a": 1}, "body": "kept", "posted_at": "someday",
                   "images": [{"phash": "xyz"}, {"url": "https://img.example/1.jpg"}],
                   "phones": ["919 555 0100", {"n": 1}]}),
            &RecordOptions::default(),
        )
        .unwrap();
        let ad = &parsed.ad;
        assert_eq!(ad.body.as_deref(), Some("kept"));
        assert_eq!(ad.title, None);
        assert_eq!(ad.posted_at, None);
        assert_eq!(ad.phones, ["919 555 0100"]);
        assert_eq!(ad.images.len(), 1, "the good image is kept");
        let fields: Vec<&str> = parsed.warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(fields, ["title", "phones", "images", "posted_at"]);
        assert!(matches!(
            parsed.warnings[3].problem,
            FieldProblem::BadDate(DateError::Unreadable)
        ));
        assert!(parsed.warnings[3].to_string().contains("\"someday\""));
        // Nothing is lost: every unreadable value is in `extra`.
        assert_eq!(ad.extra["posted_at_raw"], "someday");
        assert_eq!(ad.extra["title_raw"], json!({"a": 1}));
        assert_eq!(ad.extra["images_raw"][0]["phash"], "xyz");
        // And the ad still round-trips through serde.
        let back: Ad = serde_json::from_value(serde_json::to_value(ad).unwrap()).unwrap();
        assert_eq!(&back, ad);
    }

    #[test]
    fn post_date_aliases_and_crawl_time_fields_are_used() {
        let parsed = Ad::from_record(
            json!({"id": "1", "dateCreated": "2013-12-05T22:23:00", "date": "junk"}),
            &RecordOptions::default(),
        )
        .unwrap();
        assert_eq!(
            parsed.ad.posted_at.unwrap().to_rfc3339(),
            "2013-12-05T22:23:00+00:00"
        );
        assert!(
            !parsed.ad.extra.contains_key("dateCreated"),
            "a used alias is consumed"
        );
        assert_eq!(parsed.ad.extra["date"], "junk", "an unused one stays");
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);

        let parsed = Ad::from_record(
            json!({"id": "2", "Date Posted": "posted 3 hours ago", "scraped_at": 1386331200}),
            &RecordOptions::default(),
        )
        .unwrap();
        assert_eq!(
            parsed.ad.posted_at.unwrap().to_rfc3339(),
            "2013-12-06T09:00:00+00:00"
        );
        assert_eq!(
            parsed.ad.extra["scraped_at"], 1386331200,
            "crawl fields stay"
        );

        let parsed = Ad::from_record(
            json!({"id": "3", "posted": "2 days ago"}),
            &RecordOptions::default(),
        )
        .unwrap();
        assert_eq!(parsed.ad.posted_at, None);
        assert_eq!(parsed.warnings[0].field, "posted");
        assert!(matches!(
            parsed.warnings[0].problem,
            FieldProblem::BadDate(DateError::NeedsCrawlTime)
        ));
        assert_eq!(parsed.ad.extra["posted"], "2 days ago");
    }

    #[test]
    fn site_time_zones_apply_to_their_sites_and_sub_domains() {
        let opts = RecordOptions {
            dates: DateContext::default(),
            site_zones: vec![
                ("example.de".into(), chrono_tz::Europe::Berlin),
                ("la.example.com".into(), chrono_tz::America::Los_Angeles),
            ],
        };
        let posted = |v: Value| {
            Ad::from_record(v, &opts)
                .unwrap()
                .ad
                .posted_at
                .unwrap()
                .to_rfc3339()
        };
        let t = "2013-12-05T22:23:00";
        assert_eq!(
            posted(json!({"id": "1", "site": "example.de", "posted_at": t})),
            "2013-12-05T21:23:00+00:00"
        );
        assert_eq!(
            posted(json!({"id": "1", "url": "https://berlin.example.de/ad/1", "posted_at": t})),
            "2013-12-05T21:23:00+00:00"
        );
        assert_eq!(
            posted(json!({"id": "1", "url": "http://la.example.com/x", "posted_at": t})),
            "2013-12-06T06:23:00+00:00"
        );
        assert_eq!(
            posted(json!({"id": "1", "site": "notexample.de", "posted_at": t})),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            posted(json!({"id": "1", "posted_at": t})),
            "2013-12-05T22:23:00+00:00"
        );
    }

    #[test]
    fn records_without_an_id_get_a_stable_derived_one() {
        let opts = RecordOptions::default();
        let read = |v: Value| Ad::from_record(v, &opts).unwrap();
        let a = read(json!({"url": "https://x.example/ad/1", "title": "Hi", "body": "b"}));
        assert!(a.id_derived);
        assert!(
            a.ad.id.starts_with("url-") && a.ad.id.len() == 36,
            "{}",
            a.ad.id
        );
        let again = read(
            json!({"body": "b", "title": "Hi", "url": "https://x.example/ad/1", "crawled_at": "2020-01-01"}),
        );
        assert_eq!(
            again.ad.id, a.ad.id,
            "same URL and text: same id, whatever else changed"
        );
        let other_ad_same_url = read(json!({"url": "https://x.example/ad/1", "title": "Other"}));
        assert_ne!(other_ad_same_url.ad.id, a.ad.id);
        let no_url = read(json!({"id": "  ", "body": "b", "x": 1}));
        assert!(no_url.ad.id.starts_with("rec-"), "{}", no_url.ad.id);
        assert_eq!(
            read(json!({"x": 1, "body": "b"})).ad.id,
            no_url.ad.id,
            "key order does not matter"
        );
        assert_ne!(read(json!({"body": "b", "x": 2})).ad.id, no_url.ad.id);
        assert!(!read(json!({"id": 7})).id_derived);
    }

    #[test]
    fn lists_where_a_string_is_expected() {
        let parsed = Ad::from_record(
            json!({"id": ["a1"], "site": ["liveescortreviews.com"], "body": ["one", "two"],
                   "url": ["https://a.example", "https://b.example"]}),
            &RecordOptions::default(),
        )
        .unwrap();
        assert_eq!(parsed.ad.id, "a1");
        assert_eq!(parsed.ad.site.as_deref(), Some("liveescortreviews.com"));
        assert_eq!(parsed.ad.body.as_deref(), Some("one\ntwo"));
        assert_eq!(parsed.ad.url, None, "two URLs are not one");
        assert_eq!(parsed.warnings[0].field, "url");
    }

    #[test]
    fn rfc3339_offsets_become_utc() {
        let t = parse_posted_at("2024-03-01T10:00:00-05:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-01T15:00:00+00:00");
        let t = date_from_value(&json!({"$date": 1386282180000u64}), &DateContext::default());
        assert_eq!(
            t.unwrap().unwrap().to_rfc3339(),
            "2013-12-05T22:23:00+00:00"
        );
    }
}

impl Ad {
    /// SHA-256 (hex) over the ad's content — url, posted_at, title, body, location, phones and
    /// image hashes — but not its id or site, so the same ad ingested under another id (or from
    /// another copy of the same scrape) is recognised as a duplicate.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        // Each part is length-prefixed so that field boundaries cannot be forged by content.
        let mut part = |tag: u8, s: &str| {
            h.update([tag]);
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        part(1, self.url.as_deref().unwrap_or(""));
        part(
            2,
            &self.posted_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        );
        part(3, self.title.as_deref().unwrap_or(""));
        part(4, self.body.as_deref().unwrap_or(""));
        part(5, self.location.as_deref().unwrap_or(""));
        for p in &self.phones {
            part(6, p);
        }
        for i in &self.images {
            part(7, i.sha256.as_deref().unwrap_or(""));
            part(8, i.phash.as_deref().unwrap_or(""));
            part(9, i.url.as_deref().unwrap_or(""));
        }
        hex::encode(h.finalize())
    }
}

#[cfg(test)]
mod content_hash_tests {
    use super::*;

    #[test]
    fn content_hash_ignores_id_but_not_content() {
        let a = Ad {
            id: "1".into(),
            title: Some("ab".into()),
            body: Some("c".into()),
            ..Default::default()
        };
        let mut b = a.clone();
        b.id = "2".into();
        assert_eq!(a.content_hash(), b.content_hash());
        let mut c = a.clone();
        c.title = Some("a".into());
        c.body = Some("bc".into());
        assert_ne!(
            a.content_hash(),
            c.content_hash(),
            "field boundaries matter"
        );
    }
}
