//! Photos at ingest: image records of a WARC tied to the pages that reference them, files
//! saved beside a page, and `--images DIR` for JSONL and CSV; bad images give a warning on an
//! ad that is kept, and paths that leave a folder are refused.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use plainsight_core::ad::FieldProblem;
use plainsight_ingest::{Format, ReadOptions, open_path};

use crate::warc::{record, response};
use crate::{collect, read_bytes, write_file};

/// A photo-like picture: a gradient, two shapes and light grain, different for each seed.
fn picture(seed: u32) -> RgbImage {
    let mut state = u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let (cx, cy) = (40 + (seed * 37) % 120, 30 + (seed * 53) % 90);
    RgbImage::from_fn(200, 150, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let grain = (state % 9) as i32 - 4;
        let (dx, dy) = (x as i32 - cx as i32, y as i32 - cy as i32);
        let disc = dx * dx + dy * dy < 900;
        let bar = (x + seed * 20) % 200 < 30;
        let c = |b: i32| (b + grain).clamp(0, 255) as u8;
        if disc {
            Rgb([c(230), c(((seed * 70) % 200) as i32), c(40)])
        } else if bar {
            Rgb([c(20), c(30), c(((seed * 90) % 250) as i32)])
        } else {
            Rgb([c(x as i32), c(60 + y as i32), c(((seed * 40) % 200) as i32)])
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

fn image_response(uri: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    response(
        &format!("img-{}", uri.len()),
        uri,
        &format!("Content-Type: {content_type}\r\n"),
        bytes,
    )
}

fn page_response(id: &str, uri: &str, html: &str) -> Vec<u8> {
    response(
        id,
        uri,
        "Content-Type: text/html; charset=utf-8\r\n",
        html.as_bytes(),
    )
}

fn phash_distance(a: &str, b: &str) -> u32 {
    (u64::from_str_radix(a, 16).unwrap() ^ u64::from_str_radix(b, 16).unwrap()).count_ones()
}

#[test]
fn warc_image_records_are_hashed_for_the_pages_that_reference_them() {
    let photo = picture(1);
    let mut warc = Vec::new();
    // An image before its page, one after, one under a wrong Content-Type, one referenced by
    // CSS, one by srcset, one never in the archive.
    warc.extend(image_response(
        "https://img.example/a/1.jpg",
        "image/jpeg",
        &jpeg(&photo, 90),
    ));
    warc.extend(page_response(
        "p1",
        "https://ads.example/city/ad-1.html",
        "<html><head><title>Ad one</title><style>.hero { background-image: url('/bg/hero.jpg') }</style></head>\
         <body><p>New in town</p><img src='https://img.example/a/1.jpg'>\
         <img src='missing.jpg'><nav><img src='/logo.jpg'></nav></body></html>",
    ));
    warc.extend(image_response(
        "https://ads.example/bg/hero.jpg",
        "application/octet-stream",
        &jpeg(&picture(2), 80),
    ));
    warc.extend(page_response(
        "p2",
        "https://other.example/ad/2",
        "<html><head><title>Ad two</title></head><body><p>Sweet</p>\
         <img srcset='pics/2-small.jpg 480w, pics/2.jpg 800w' alt=''>\
         <div style='background: #000 url(\"pics/3.jpg\")'>x</div></body></html>",
    ));
    warc.extend(image_response(
        "https://other.example/ad/pics/2.jpg",
        "image/jpeg",
        &jpeg(&photo, 50),
    ));
    warc.extend(image_response(
        "https://other.example/ad/pics/3.jpg",
        "image/jpeg",
        &jpeg(&picture(3), 60),
    ));
    warc.extend(image_response(
        "https://ads.example/logo.jpg",
        "image/jpeg",
        &jpeg(&picture(4), 60),
    ));

    let (records, problems) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.len(), 2, "two pages, the images are not ads");
    let one = &records[0].ad;
    let two = &records[1].ad;
    let urls = |ad: &plainsight_core::Ad| {
        ad.images
            .iter()
            .map(|i| i.url.clone().unwrap())
            .collect::<Vec<_>>()
    };
    // The logo sits in <nav>: page furniture, not the ad's photo. The missing image is left out.
    assert_eq!(
        urls(one),
        [
            "https://ads.example/bg/hero.jpg",
            "https://img.example/a/1.jpg"
        ]
    );
    assert_eq!(
        urls(two),
        [
            "https://other.example/ad/pics/2.jpg",
            "https://other.example/ad/pics/3.jpg"
        ]
    );
    for image in one.images.iter().chain(&two.images) {
        assert_eq!(image.sha256.as_ref().map(String::len), Some(64));
        assert_eq!(image.phash.as_ref().map(String::len), Some(16));
        assert_eq!((image.width, image.height), (Some(200), Some(150)));
    }
    // The same photo at quality 90 and 50: different bytes, near perceptual hashes.
    assert_ne!(one.images[1].sha256, two.images[0].sha256);
    let d = phash_distance(
        one.images[1].phash.as_ref().unwrap(),
        two.images[0].phash.as_ref().unwrap(),
    );
    assert!(d <= 4, "re-encoded photo {d} bits away");
}

#[test]
fn a_broken_image_in_a_warc_is_a_warning_on_a_kept_ad() {
    let full = jpeg(&picture(5), 80);
    let mut warc = page_response(
        "p1",
        "https://ads.example/1",
        "<html><head><title>Ad</title></head><body><p>Text</p><img src='/a.png'><img src='/b.jpg'></body></html>",
    );
    // A "PNG" that is HTML (a soft 404 page), and a JPEG signature on garbage.
    warc.extend(image_response(
        "https://ads.example/a.png",
        "image/png",
        b"\x89PNG\r\n\x1a\nnot really",
    ));
    let mut bad = full[..4].to_vec();
    bad.extend(std::iter::repeat_n(0x55, 300));
    warc.extend(image_response(
        "https://ads.example/b.jpg",
        "image/jpeg",
        &bad,
    ));
    let (records, problems) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.len(), 1, "the ad is kept");
    let ad = &records[0].ad;
    assert_eq!(ad.images.len(), 2);
    for image in &ad.images {
        assert!(image.sha256.is_some(), "an exact copy can still link");
        assert!(image.phash.is_none());
    }
    assert_eq!(records[0].warnings.len(), 2, "{:?}", records[0].warnings);
    assert!(
        records[0]
            .warnings
            .iter()
            .all(|w| w.field == "images"
                && matches!(w.problem, FieldProblem::UnreadableImage { .. }))
    );
}

#[test]
fn a_page_waits_a_bounded_time_for_its_images() {
    // The page's image comes far later than the wait window: the page goes on without it,
    // in order, and nothing is lost.
    let mut warc = page_response(
        "p1",
        "https://ads.example/1",
        "<html><head><title>Ad</title></head><body><p>Text</p><img src='/late.jpg'></body></html>",
    );
    for i in 0..250 {
        warc.extend(record(
            "request",
            &[("WARC-Target-URI", &format!("https://x.example/{i}"))],
            b"GET / HTTP/1.1\r\n\r\n",
        ));
    }
    warc.extend(page_response(
        "p2",
        "https://ads.example/2",
        "<html><head><title>Ad 2</title></head><body><p>Text</p></body></html>",
    ));
    warc.extend(image_response(
        "https://ads.example/late.jpg",
        "image/jpeg",
        &jpeg(&picture(6), 80),
    ));
    let (records, problems) = read_bytes(&warc, Format::Warc, &ReadOptions::default());
    assert!(problems.is_empty());
    assert_eq!(crate::ids(&records), ["urn:uuid:p1", "urn:uuid:p2"]);
    assert!(records[0].ad.images.is_empty(), "gave up waiting");
}

#[test]
fn saved_pages_read_their_files_and_nothing_outside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("saved");
    let photo = jpeg(&picture(7), 85);
    write_file(&root, "Ad one_files/photo 1.jpg", &photo);
    write_file(dir.path(), "secret.jpg", &photo);
    write_file(
        &root,
        "Ad one.html",
        b"<html><head><title>Ad one</title></head><body><p>Call me</p>\
          <img src='Ad%20one_files/photo%201.jpg'><img src='../secret.jpg'>\
          <img src='https://cdn.example/not-saved.jpg'><img src='Ad one_files/missing.jpg'></body></html>",
    );
    let (records, problems) = collect(open_path(&root, &ReadOptions::default()).unwrap());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records.len(), 1);
    let ad = &records[0].ad;
    assert_eq!(ad.images.len(), 1, "{:?}", ad.images);
    assert_eq!(
        ad.images[0].path.as_deref(),
        Some("Ad%20one_files/photo%201.jpg")
    );
    assert_eq!(
        ad.images[0].sha256.as_deref(),
        Some(plainsight_photo::sha256_hex(&photo).as_str())
    );
    assert!(ad.images[0].phash.is_some());
    // The escape and the missing file are warnings; the remote URL was never fetched.
    let warned: Vec<&str> = records[0]
        .warnings
        .iter()
        .map(|w| w.value.as_str())
        .collect();
    assert_eq!(warned, ["../secret.jpg", "Ad one_files/missing.jpg"]);
}

#[test]
fn jsonl_and_csv_images_are_hashed_from_the_images_folder_only() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    let photo = jpeg(&picture(8), 85);
    write_file(&images, "img.example/u/1.jpg", &photo);
    write_file(&images, "flat.jpg", &photo);
    write_file(dir.path(), "outside.jpg", &photo);
    let jsonl = write_file(
        dir.path(),
        "ads.jsonl",
        br#"{"id": "1", "title": "a", "images": ["https://img.example/u/1.jpg", {"path": "flat.jpg"}, {"path": "../outside.jpg"}, {"path": "/etc/passwd"}]}
{"id": "2", "title": "b", "images": [{"url": "https://elsewhere.example/x/flat.jpg"}, {"url": "https://nowhere.example/none.jpg"}, {"sha256": "0000000000000000000000000000000000000000000000000000000000000000"}]}
"#,
    );
    let opts = ReadOptions {
        images_dir: Some(images.clone()),
        ..ReadOptions::default()
    };
    let (records, problems) = collect(open_path(&jsonl, &opts).unwrap());
    assert!(problems.is_empty());
    let sha = plainsight_photo::sha256_hex(&photo);
    let one = &records[0];
    assert_eq!(
        one.ad.images[0].sha256.as_deref(),
        Some(sha.as_str()),
        "host/path layout"
    );
    assert_eq!(
        one.ad.images[1].sha256.as_deref(),
        Some(sha.as_str()),
        "path under the folder"
    );
    assert!(one.ad.images[2].sha256.is_none(), "../ is refused");
    assert!(
        one.ad.images[3].sha256.is_none(),
        "an absolute path is refused"
    );
    assert_eq!(one.warnings.len(), 2, "{:?}", one.warnings);
    let two = &records[1];
    assert_eq!(
        two.ad.images[0].sha256.as_deref(),
        Some(sha.as_str()),
        "file name layout"
    );
    assert!(two.ad.images[1].sha256.is_none());
    assert!(
        two.ad.images[2]
            .sha256
            .as_deref()
            .unwrap()
            .starts_with("0000"),
        "a hash given is kept as given"
    );
    assert_eq!(two.warnings.len(), 1);

    // The same through the unparsed (parallel) path and through CSV.
    let mut reader = open_path(&jsonl, &opts).unwrap();
    let Some(Ok(plainsight_ingest::ReadItem::Unparsed(u))) = reader.next_unparsed() else {
        panic!("a JSONL record comes unparsed");
    };
    let (parsed, _) = u.parse();
    assert_eq!(
        parsed.unwrap().ad.images[0].sha256.as_deref(),
        Some(sha.as_str())
    );
    let csv = write_file(dir.path(), "ads.csv", b"id,title,images\n1,a,flat.jpg\n");
    let (records, _) = collect(open_path(&csv, &opts).unwrap());
    assert_eq!(
        records[0].ad.images[0].sha256.as_deref(),
        Some(sha.as_str())
    );

    // Without --images nothing is read.
    let (records, _) = collect(open_path(&jsonl, &ReadOptions::default()).unwrap());
    assert!(records[0].ad.images[0].sha256.is_none());
    assert!(records[0].warnings.is_empty());
}
