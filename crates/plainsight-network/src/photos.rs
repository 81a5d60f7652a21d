//! Which photos link which ads, described without the photos: for each photo link of a
//! network (an exact copy, an equal perceptual hash, or near-identical hashes), its hashes, the
//! ads it joins and how the photo was seen in them (size, format of the address, host or saved
//! path). The network page and exports show this instead of thumbnails: Plainsight never keeps
//! a photo.

use std::collections::{BTreeSet, HashMap};

use plainsight_core::{ImageRef, NetworkLink};

/// One photo link, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoEvidence {
    /// `same file` (equal SHA-256), `same photo` (equal pHash) or `near-identical photos`
    /// (pHashes within the linking distance).
    pub how: &'static str,
    /// The hashes, as stored (`sha256` hex, or `phash:` + 16 hex digits).
    pub hashes: Vec<String>,
    /// Bits between the two hashes of a near-identical pair.
    pub distance: Option<u32>,
    /// The ads joined (their ids).
    pub ads: Vec<String>,
    /// How the photo was seen, at most [`MAX_SEEN`] different descriptions:
    /// `640×480 at img.example`, `saved as Page_files/1.jpg`.
    pub seen: Vec<String>,
}

/// Descriptions kept per photo link.
pub const MAX_SEEN: usize = 5;

/// The photo links of a network, described from the images of its ads (`images_of`: ad id →
/// its images). Links of other kinds are left out.
pub fn photo_evidence(
    links: &[NetworkLink],
    images_of: &HashMap<String, Vec<ImageRef>>,
) -> Vec<PhotoEvidence> {
    let mut out = Vec::new();
    for link in links {
        let (how, hashes): (&'static str, Vec<String>) = match link.kind.as_str() {
            "image_sha256" => ("same file", vec![link.value.clone()]),
            "image_phash" => ("same photo", vec![phash_only(&link.value).to_string()]),
            "similar_photo" => (
                "near-identical photos",
                link.value
                    .split('~')
                    .map(|h| phash_only(h).to_string())
                    .collect(),
            ),
            _ => continue,
        };
        let distance = (hashes.len() == 2)
            .then(|| {
                let a = u64::from_str_radix(&hashes[0], 16).ok()?;
                let b = u64::from_str_radix(&hashes[1], 16).ok()?;
                Some((a ^ b).count_ones())
            })
            .flatten();
        let mut seen = BTreeSet::new();
        for ad in &link.ads {
            for image in images_of.get(ad).into_iter().flatten() {
                let matches = hashes.iter().any(|h| {
                    image.sha256.as_deref() == Some(h.as_str())
                        || image.phash.as_deref() == Some(h.as_str())
                });
                if matches {
                    seen.insert(describe(image));
                }
            }
        }
        out.push(PhotoEvidence {
            how,
            hashes: hashes
                .into_iter()
                .map(|h| {
                    if how == "same file" {
                        h
                    } else {
                        format!("phash:{h}")
                    }
                })
                .collect(),
            distance,
            ads: link.ads.clone(),
            seen: seen.into_iter().take(MAX_SEEN).collect(),
        });
    }
    out
}

fn phash_only(value: &str) -> &str {
    value.strip_prefix("phash:").unwrap_or(value)
}

/// `640×480 at img.example`, `saved as Page_files/1.jpg`, or `size unknown`.
fn describe(image: &ImageRef) -> String {
    let size = match (image.width, image.height) {
        (Some(w), Some(h)) => format!("{w}×{h}"),
        _ => "size unknown".to_string(),
    };
    if let Some(url) = &image.url {
        let host = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("");
        format!("{size} at {host}")
    } else if let Some(path) = &image.path {
        format!("{size}, saved as {path}")
    } else {
        size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(url: &str, phash: &str, w: u32) -> ImageRef {
        ImageRef {
            url: Some(url.into()),
            phash: Some(phash.into()),
            sha256: Some("ab".repeat(32)),
            width: Some(w),
            height: Some(w * 3 / 4),
            ..ImageRef::default()
        }
    }

    #[test]
    fn each_photo_link_says_its_hashes_ads_and_where_it_was_seen() {
        let a = "00000000000000ff";
        let b = "00000000000000f0";
        let links = vec![
            NetworkLink {
                kind: "similar_photo".into(),
                value: format!("phash:{a}~phash:{b}"),
                ads: vec!["ad1".into(), "ad2".into()],
            },
            NetworkLink {
                kind: "phone".into(),
                value: "+19195550100".into(),
                ads: vec!["ad1".into(), "ad3".into()],
            },
            NetworkLink {
                kind: "image_sha256".into(),
                value: "ab".repeat(32),
                ads: vec!["ad1".into(), "ad3".into()],
            },
        ];
        let images_of: HashMap<String, Vec<ImageRef>> = [
            (
                "ad1".to_string(),
                vec![image("https://img.a.example/1.jpg?x", a, 640)],
            ),
            (
                "ad2".to_string(),
                vec![image("https://cdn.b.example/p/9.jpg", b, 320)],
            ),
            (
                "ad3".to_string(),
                vec![ImageRef {
                    path: Some("Page_files/1.jpg".into()),
                    sha256: Some("ab".repeat(32)),
                    ..ImageRef::default()
                }],
            ),
        ]
        .into();
        let got = photo_evidence(&links, &images_of);
        assert_eq!(got.len(), 2, "the phone link is not a photo");
        assert_eq!(got[0].how, "near-identical photos");
        assert_eq!(got[0].hashes, [format!("phash:{a}"), format!("phash:{b}")]);
        assert_eq!(got[0].distance, Some(4));
        assert_eq!(
            got[0].seen,
            ["320×240 at cdn.b.example", "640×480 at img.a.example"]
        );
        assert_eq!(got[1].how, "same file");
        assert_eq!(got[1].ads, ["ad1", "ad3"]);
        assert_eq!(
            got[1].seen,
            [
                "640×480 at img.a.example",
                "size unknown, saved as Page_files/1.jpg"
            ]
        );
    }
}
