//! Photos end to end: a WARC crawl whose pages reference their photos (image `response`
//! records, hashed at ingest from the bytes), read by `plainsight-ingest`, turned into
//! identifiers and linked. Two ads that share one photo, saved at different JPEG qualities and
//! sizes (different bytes, so no exact-copy link), end in one network through the photo's
//! perceptual hash (equal or within the linking distance); a third ad with another photo and no
//! shared identifier stays apart.

use std::collections::HashMap;
use std::io::Cursor;

use chrono::{TimeZone, Utc};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use plainsight_core::{AnalysisAd, Extraction, identifiers_of};
use plainsight_ingest::{Format, ReadOptions, from_reader};
use plainsight_link::LinkConfig;
use plainsight_network::{Interner, Weights, analyze, prepare};

fn picture(seed: u64) -> RgbImage {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let (cx, cy) = (60 + (seed * 37) % 200, 40 + (seed * 53) % 150);
    RgbImage::from_fn(320, 240, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let grain = (state % 9) as i32 - 4;
        let (dx, dy) = (i64::from(x) - cx as i64, i64::from(y) - cy as i64);
        let c = |b: i64| (b + i64::from(grain)).clamp(0, 255) as u8;
        if dx * dx + dy * dy < 2500 {
            Rgb([c(230), c((seed * 70 % 200) as i64), c(40)])
        } else if (u64::from(x) + seed * 50) % 320 < 50 {
            Rgb([c(20), c(30), c((seed * 90 % 250) as i64)])
        } else {
            Rgb([
                c(i64::from(x) * 3 / 4),
                c(40 + i64::from(y)),
                c((seed * 40 % 200) as i64),
            ])
        }
    })
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .unwrap();
    out.into_inner()
}

fn warc_record(id: &str, uri: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut block = format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n").into_bytes();
    block.extend_from_slice(body);
    let mut out = format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
         WARC-Target-URI: {uri}\r\nWARC-Date: 2026-03-01T12:00:00Z\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(&block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn page(title: &str, text: &str, img: &str) -> String {
    format!(
        "<html><head><title>{title}</title></head><body><article><p>{text}</p>\
         <img src=\"{img}\" alt=\"\"></article></body></html>"
    )
}

#[test]
fn two_ads_sharing_a_reencoded_photo_form_one_network_and_a_third_does_not() {
    let shared = picture(1);
    let smaller = imageops::resize(&shared, 240, 180, FilterType::Triangle);
    let other = picture(2);
    let mut warc = Vec::new();
    warc.extend(warc_record(
        "ad-1",
        "https://site-a.example/raleigh/1.html",
        "text/html",
        page(
            "Ashley in town",
            "Sweet and discreet, downtown hotel, text only",
            "/p/1.jpg",
        )
        .as_bytes(),
    ));
    warc.extend(warc_record(
        "img-1",
        "https://site-a.example/p/1.jpg",
        "image/jpeg",
        &jpeg(&shared, 92),
    ));
    warc.extend(warc_record(
        "img-2",
        "https://cdn.site-b.example/u/77.jpg",
        "image/jpeg",
        &jpeg(&smaller, 60),
    ));
    warc.extend(warc_record(
        "ad-2",
        "https://site-b.example/post/77",
        "text/html",
        page(
            "New girl Brianna",
            "Weekend special, outcall only, ask about rates",
            "https://cdn.site-b.example/u/77.jpg",
        )
        .as_bytes(),
    ));
    warc.extend(warc_record(
        "ad-3",
        "https://site-a.example/raleigh/3.html",
        "text/html",
        page(
            "Carmen visiting",
            "Upscale companion, incall near the airport",
            "/p/3.jpg",
        )
        .as_bytes(),
    ));
    warc.extend(warc_record(
        "img-3",
        "https://site-a.example/p/3.jpg",
        "image/jpeg",
        &jpeg(&other, 85),
    ));

    let reader = from_reader(
        Box::new(Cursor::new(warc)),
        "crawl.warc",
        Format::Warc,
        &ReadOptions::default(),
    );
    let mut ads = Vec::new();
    for (key, item) in reader.enumerate() {
        let record = item.expect("every record reads");
        assert!(record.warnings.is_empty(), "{:?}", record.warnings);
        let ad = record.ad;
        assert_eq!(ad.images.len(), 1, "{}: its photo was hashed", ad.id);
        let identifiers = identifiers_of(&ad, &Extraction::default());
        ads.push(AnalysisAd {
            key: key as i64,
            id: ad.id.clone(),
            posted_at: Some(Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()),
            title: ad.title.clone().unwrap_or_default(),
            body: ad.body.clone().unwrap_or_default(),
            identifiers,
            ..AnalysisAd::default()
        });
    }
    assert_eq!(ads.len(), 3, "three pages, the images are not ads");

    let mut interner = Interner::default();
    let (facts, inputs): (Vec<_>, Vec<_>) = prepare(ads, &mut interner).into_iter().unzip();
    let analysis = analyze(
        facts,
        inputs,
        &interner,
        &Weights::bundled().unwrap(),
        &LinkConfig::default(),
        &HashMap::new(),
        1,
    );
    let network_of = |ad: &str| {
        analysis
            .networks
            .iter()
            .position(|n| n.ads.iter().any(|x| x == ad))
            .unwrap()
    };
    assert_eq!(
        network_of("urn:uuid:ad-1"),
        network_of("urn:uuid:ad-2"),
        "the re-encoded photo joins the two ads"
    );
    assert_ne!(network_of("urn:uuid:ad-1"), network_of("urn:uuid:ad-3"));
    // Joined by the photo alone: an equal or near-identical perceptual hash (the copies'
    // bytes differ, so no exact-file link), nothing else.
    let joined = &analysis.networks[network_of("urn:uuid:ad-1")];
    assert!(!joined.links.is_empty());
    assert!(
        joined
            .links
            .iter()
            .all(|l| l.kind == "image_phash" || l.kind == "similar_photo"),
        "{:?}",
        joined.links
    );
}
