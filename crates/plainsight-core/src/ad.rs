//! The ad record: the one shape every reader produces and every later stage consumes.
//! `docs/ad-format.md` is the public description of this contract.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
}

/// Why a record cannot become an [`Ad`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdError {
    #[error("missing required field `id`")]
    MissingId,
    #[error("field `{field}` has the wrong type: expected {expected}")]
    WrongType {
        field: String,
        expected: &'static str,
    },
    #[error("field `posted_at` is not an RFC 3339 timestamp or a YYYY-MM-DD date: {value:?}")]
    BadDate { value: String },
    #[error("image field `{field}` is not valid: {value:?} ({reason})")]
    BadImage {
        field: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("the record is not a JSON object")]
    NotAnObject,
}

/// Parse `posted_at`: RFC 3339, or a bare `YYYY-MM-DD` date (midnight UTC). Also accepts the
/// space-separated `YYYY-MM-DD HH:MM:SS` form many scrapers write, read as UTC.
pub fn parse_posted_at(value: &str) -> Result<DateTime<Utc>, AdError> {
    let v = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S") {
        return Ok(t.and_utc());
    }
    Err(AdError::BadDate {
        value: truncate_for_message(v),
    })
}

fn truncate_for_message(v: &str) -> String {
    v.chars().take(60).collect()
}

fn opt_string(obj: &mut Map<String, Value>, field: &str) -> Result<Option<String>, AdError> {
    match obj.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        // Numbers are accepted where a string is expected: scrapers often write numeric ids.
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(AdError::WrongType {
            field: field.to_string(),
            expected: "a string",
        }),
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl ImageRef {
    fn from_value(v: Value) -> Result<ImageRef, AdError> {
        let mut obj = match v {
            Value::Object(o) => o,
            // A bare string is taken as the image URL.
            Value::String(s) => {
                return Ok(ImageRef {
                    url: Some(s),
                    ..ImageRef::default()
                });
            }
            _ => {
                return Err(AdError::WrongType {
                    field: "images".into(),
                    expected: "a list of objects",
                });
            }
        };
        let url = opt_string(&mut obj, "url")?;
        let path = opt_string(&mut obj, "path")?;
        let sha256 = opt_string(&mut obj, "sha256")?.map(|s| s.trim().to_ascii_lowercase());
        let phash = opt_string(&mut obj, "phash")?.map(|s| s.trim().to_ascii_lowercase());
        if let Some(s) = &sha256
            && !is_hex(s, 64)
        {
            return Err(AdError::BadImage {
                field: "sha256",
                value: truncate_for_message(s),
                reason: "expected 64 hex digits",
            });
        }
        if let Some(s) = &phash
            && !is_hex(s, 16)
        {
            return Err(AdError::BadImage {
                field: "phash",
                value: truncate_for_message(s),
                reason: "expected 16 hex digits",
            });
        }
        Ok(ImageRef {
            url,
            path,
            sha256,
            phash,
        })
    }
}

impl Ad {
    /// Build an ad from a JSON object following `docs/ad-format.md`. Unknown fields go to `extra`.
    pub fn from_json(value: Value) -> Result<Ad, AdError> {
        let Value::Object(mut obj) = value else {
            return Err(AdError::NotAnObject);
        };
        let id = match opt_string(&mut obj, "id")? {
            Some(s) if !s.trim().is_empty() => s.trim().to_string(),
            _ => return Err(AdError::MissingId),
        };
        let url = opt_string(&mut obj, "url")?;
        let site = opt_string(&mut obj, "site")?;
        let posted_at = match opt_string(&mut obj, "posted_at")? {
            Some(s) if !s.trim().is_empty() => Some(parse_posted_at(&s)?),
            _ => None,
        };
        let title = opt_string(&mut obj, "title")?;
        let body = opt_string(&mut obj, "body")?;
        let location = opt_string(&mut obj, "location")?;
        let phones = match obj.remove("phones") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s],
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(Ok(s)),
                    Value::Number(n) => Some(Ok(n.to_string())),
                    Value::Null => None,
                    _ => Some(Err(AdError::WrongType {
                        field: "phones".into(),
                        expected: "a list of strings",
                    })),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(AdError::WrongType {
                    field: "phones".into(),
                    expected: "a list of strings",
                });
            }
        };
        let images = match obj.remove("images") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(ImageRef::from_value)
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(AdError::WrongType {
                    field: "images".into(),
                    expected: "a list of objects",
                });
            }
        };
        Ok(Ad {
            id,
            url,
            site,
            posted_at,
            title,
            body,
            location,
            phones,
            images,
            extra: obj,
        })
    }

    /// Total length in bytes of the free text fields (title, body, url, location).
    pub fn text_len(&self) -> usize {
        [&self.title, &self.body, &self.url, &self.location]
            .iter()
            .map(|f| f.as_ref().map_or(0, |s| s.len()))
            .sum()
    }
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
    fn bad_records_say_why() {
        assert_eq!(
            Ad::from_json(json!({"title": "x"})),
            Err(AdError::MissingId)
        );
        assert_eq!(Ad::from_json(json!({"id": "  "})), Err(AdError::MissingId));
        assert!(matches!(
            Ad::from_json(json!({"id": "1", "title": ["a"]})),
            Err(AdError::WrongType { .. })
        ));
        assert!(matches!(
            Ad::from_json(json!({"id": "1", "posted_at": "yesterday"})),
            Err(AdError::BadDate { .. })
        ));
        assert!(matches!(
            Ad::from_json(json!({"id": "1", "images": [{"phash": "xyz"}]})),
            Err(AdError::BadImage { .. })
        ));
        assert_eq!(Ad::from_json(json!([1])), Err(AdError::NotAnObject));
    }

    #[test]
    fn rfc3339_offsets_become_utc() {
        let t = parse_posted_at("2024-03-01T10:00:00-05:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-01T15:00:00+00:00");
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
