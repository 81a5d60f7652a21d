//! The stored form of an ad's record and extraction: what the `ads` columns do not already
//! hold, as JSON compressed with zstd, in one `document` value per ad.
//!
//! Why: the full record repeated title, body, location, URL and date next to their columns, and
//! record plus extraction made each `ads` row about 2 KB, so a 4 KiB page held one ad. Ingest
//! is bound by the single SQLite writer, whose work grows with the bytes it writes (page
//! copies, WAL frames, checkpoints), and analysis scans the table. The document holds the rest
//! (site as given, phones, images, extra fields, the extraction) in a third of the bytes.
//! Encoding is pure CPU work done by [`crate::NewAd::new`] on the caller's threads, in
//! parallel, never by the writer.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use plainsight_core::{Ad, Extraction, ImageRef};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::StoreError;

/// zstd level 1: JSON of this kind compresses about 2.3x at a few hundred MB/s; higher levels
/// gain a few per cent for several times the CPU.
const LEVEL: i32 = 1;

/// Decompressed documents larger than this are refused as corrupt (ads are capped well below
/// it at ingest), so a damaged database cannot make a reader allocate without bound.
const MAX_DOCUMENT_BYTES: usize = 256 << 20;

#[derive(Serialize)]
struct DocumentOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    phones: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    images: &'a [ImageRef],
    #[serde(skip_serializing_if = "Map::is_empty")]
    extra: &'a Map<String, Value>,
    extraction: &'a Extraction,
}

#[derive(Deserialize)]
struct DocumentIn {
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    images: Vec<ImageRef>,
    #[serde(default)]
    extra: Map<String, Value>,
    extraction: Extraction,
}

/// The columns of `ads` a document is completed from.
#[derive(Debug, Default, Clone)]
pub struct AdColumns {
    pub source_id: String,
    pub url: Option<String>,
    pub posted_at: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub location: Option<String>,
}

thread_local! {
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
}

fn corrupt(detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what: "ad document",
        detail: detail.to_string(),
    }
}

/// Encode what the columns do not hold of `ad`, plus its extraction.
pub fn encode(ad: &Ad, extraction: &Extraction) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_vec(&DocumentOut {
        site: ad.site.as_deref(),
        phones: &ad.phones,
        images: &ad.images,
        extra: &ad.extra,
        extraction,
    })
    .map_err(corrupt)?;
    // One compressor per thread: a zstd context costs far more to set up than one ad to compress.
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Compressor::new(LEVEL).map_err(corrupt)?);
        }
        match slot.as_mut() {
            Some(c) => c.compress(&json).map_err(corrupt),
            None => Err(corrupt("no zstd compressor")),
        }
    })
}

/// Rebuild the ad and its extraction from the columns and the document.
pub fn decode(columns: AdColumns, document: &[u8]) -> Result<(Ad, Extraction), StoreError> {
    let size = zstd::zstd_safe::get_frame_content_size(document)
        .map_err(|_| corrupt("not a zstd frame"))?
        .ok_or_else(|| corrupt("zstd frame without its content size"))?;
    let size = usize::try_from(size).map_err(corrupt)?;
    if size > MAX_DOCUMENT_BYTES {
        return Err(corrupt(format!("{size} bytes when decompressed")));
    }
    let json = zstd::bulk::decompress(document, size).map_err(corrupt)?;
    let doc: DocumentIn = serde_json::from_slice(&json).map_err(corrupt)?;
    let posted_at = match columns.posted_at {
        Some(s) => Some(
            DateTime::parse_from_rfc3339(&s)
                .map_err(|e| corrupt(format!("posted_at {s:?}: {e}")))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    let ad = Ad {
        id: columns.source_id,
        url: columns.url,
        site: doc.site,
        posted_at,
        title: columns.title,
        body: columns.body,
        location: columns.location,
        phones: doc.phones,
        images: doc.images,
        extra: doc.extra,
    };
    Ok((ad, doc.extraction))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Ad {
        let json = r#"{"id":"a-1","url":"https://x.example/a-1","site":"x.example",
            "posted_at":"2024-03-01T10:11:12.345Z","title":"Hi","body":"Call 919 555 0123",
            "location":"Raleigh, NC","phones":["919-555-0123"],
            "images":[{"url":"https://x.example/1.jpg","sha256":"ab","phash":"0123456789abcdef"}],
            "ethnicity":"n/a","views":12}"#;
        serde_json::from_str(json).unwrap()
    }

    fn columns_of(ad: &Ad) -> AdColumns {
        AdColumns {
            source_id: ad.id.clone(),
            url: ad.url.clone(),
            posted_at: ad.posted_at.map(|t| t.to_rfc3339()),
            title: ad.title.clone(),
            body: ad.body.clone(),
            location: ad.location.clone(),
        }
    }

    #[test]
    fn an_ad_and_its_extraction_come_back_exactly() {
        let ad = sample();
        let extraction = Extraction {
            id: ad.id.clone(),
            ..Default::default()
        };
        let bytes = encode(&ad, &extraction).unwrap();
        let (back, back_x) = decode(columns_of(&ad), &bytes).unwrap();
        assert_eq!(back, ad);
        assert_eq!(
            serde_json::to_string(&back_x).unwrap(),
            serde_json::to_string(&extraction).unwrap()
        );
        // A site given as an empty string is not the same as no site.
        let mut no_site = ad.clone();
        no_site.site = None;
        let (back, _) = decode(
            columns_of(&no_site),
            &encode(&no_site, &extraction).unwrap(),
        )
        .unwrap();
        assert_eq!(back.site, None);
    }

    #[test]
    fn damaged_documents_are_errors_not_panics() {
        let ad = sample();
        let bytes = encode(&ad, &Extraction::default()).unwrap();
        for cut in [0, 1, 4, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                decode(columns_of(&ad), &bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        assert!(decode(columns_of(&ad), b"{\"not\":\"zstd\"}").is_err());
        let mut bad_date = columns_of(&ad);
        bad_date.posted_at = Some("yesterday".into());
        assert!(decode(bad_date, &bytes).is_err());
    }
}
