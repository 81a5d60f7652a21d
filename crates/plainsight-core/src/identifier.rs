//! Identifiers that can link ads into networks (phones, emails, handles, payment handles,
//! photo hashes, domains), drawn from an ad and its extraction in one normalised form.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Ad, Extraction};

/// The kinds of identifier, as stored and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    Phone,
    Email,
    Handle,
    Payment,
    ImageSha256,
    ImagePhash,
    Domain,
}

impl IdentifierKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Phone => "phone",
            IdentifierKind::Email => "email",
            IdentifierKind::Handle => "handle",
            IdentifierKind::Payment => "payment",
            IdentifierKind::ImageSha256 => "image_sha256",
            IdentifierKind::ImagePhash => "image_phash",
            IdentifierKind::Domain => "domain",
        }
    }

    pub fn parse(s: &str) -> Option<IdentifierKind> {
        Some(match s {
            "phone" => IdentifierKind::Phone,
            "email" => IdentifierKind::Email,
            "handle" => IdentifierKind::Handle,
            "payment" => IdentifierKind::Payment,
            "image_sha256" => IdentifierKind::ImageSha256,
            "image_phash" => IdentifierKind::ImagePhash,
            "domain" => IdentifierKind::Domain,
            _ => return None,
        })
    }
}

/// One identifier of one ad. Equal identifiers in two ads are a candidate link between them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identifier {
    pub kind: IdentifierKind,
    /// Service for handles and payments (`instagram`, `cashapp`); empty otherwise.
    pub platform: String,
    /// Normalised value: E.164 for phones, lower case for emails, handles and hashes.
    pub value: String,
    /// True when every occurrence in the ad was disguised.
    pub obscured: bool,
}

/// The `platform` of a phone identifier printed as a service's line (see `Phone::service`).
pub const SERVICE_PHONE: &str = "service";

/// The distinct identifiers of an ad, sorted. Handles compare case-insensitively because every
/// platform we know treats them so.
pub fn identifiers_of(ad: &Ad, extraction: &Extraction) -> Vec<Identifier> {
    // Keyed without `obscured` so one identifier written plainly once counts as plain.
    let mut seen: BTreeSet<(IdentifierKind, String, String)> = BTreeSet::new();
    let mut plain: BTreeSet<(IdentifierKind, String, String)> = BTreeSet::new();
    let mut add = |kind, platform: &str, value: String, obscured: bool| {
        let key = (kind, platform.to_string(), value);
        if !obscured {
            plain.insert(key.clone());
        }
        seen.insert(key);
    };
    for p in &extraction.phones {
        // A service's line (site support, abuse reports) is kept, so a look-up by the number
        // finds the ad, but marked, so that linking leaves it out.
        let platform = if p.service { SERVICE_PHONE } else { "" };
        add(IdentifierKind::Phone, platform, p.e164.clone(), p.obscured);
    }
    for e in &extraction.emails {
        add(
            IdentifierKind::Email,
            "",
            e.email.to_lowercase(),
            e.obscured,
        );
    }
    for h in &extraction.handles {
        add(
            IdentifierKind::Handle,
            &h.platform,
            h.handle.to_lowercase(),
            false,
        );
    }
    for p in &extraction.payments {
        add(
            IdentifierKind::Payment,
            &p.platform,
            p.handle.to_lowercase(),
            false,
        );
    }
    for u in &extraction.urls {
        add(IdentifierKind::Domain, "", u.domain.to_lowercase(), false);
    }
    for img in &ad.images {
        if let Some(s) = &img.sha256 {
            add(IdentifierKind::ImageSha256, "", s.to_lowercase(), false);
        }
        if let Some(p) = &img.phash {
            add(IdentifierKind::ImagePhash, "", p.to_lowercase(), false);
        }
    }
    seen.into_iter()
        .map(|key| {
            let obscured = !plain.contains(&key);
            let (kind, platform, value) = key;
            Identifier {
                kind,
                platform,
                value,
                obscured,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, ImageRef, Phone, Span};

    fn phone(e164: &str, obscured: bool) -> Phone {
        Phone {
            e164: e164.into(),
            raw: e164.into(),
            obscured,
            techniques: vec![],
            span: Span::new(0, 1),
            field: Field::Body,
            service: false,
            region: "US".to_string(),
            region_source: "default".to_string(),
        }
    }

    #[test]
    fn identifiers_are_distinct_and_plain_wins() {
        let ad = Ad {
            id: "1".into(),
            images: vec![ImageRef {
                sha256: Some("AB".repeat(32)),
                ..Default::default()
            }],
            ..Default::default()
        };
        let ex = Extraction {
            id: "1".into(),
            phones: vec![
                phone("+19195550123", true),
                phone("+19195550123", false),
                phone("+12125550199", true),
            ],
            ..Default::default()
        };
        let ids = identifiers_of(&ad, &ex);
        assert_eq!(ids.len(), 3);
        let p1 = ids.iter().find(|i| i.value == "+19195550123").unwrap();
        assert!(
            !p1.obscured,
            "a number written plainly once is not obscured"
        );
        let p2 = ids.iter().find(|i| i.value == "+12125550199").unwrap();
        assert!(p2.obscured);
        assert!(
            ids.iter()
                .any(|i| i.kind == IdentifierKind::ImageSha256 && i.value == "ab".repeat(32))
        );
    }
}
