//! Hostile and broken images: each gives a typed error (or, for a decoder that accepts a
//! damaged stream, a hash), never a panic, and a bomb is refused before it is decoded.

use std::io::Cursor;

use image::{ImageFormat as Enc, RgbImage};
use plainsight_photo::{ImageFormat, Limits, PhotoError, hash_image, sha256_hex};
use proptest::prelude::*;

fn sample(format: Enc) -> Vec<u8> {
    let img = RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// CRC-32 (IEEE) for re-signing a patched PNG chunk.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid PNG whose IHDR is rewritten to claim `w`×`h` pixels (CRC fixed, so the decoder
/// believes it): a decompression bomb's header.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = sample(Enc::Png);
    // Signature (8), length (4), "IHDR" (4), then width and height.
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

#[test]
fn a_png_claiming_a_gigapixel_is_refused_before_decoding() {
    let err = hash_image(&png_claiming(40_000, 40_000), &Limits::default()).unwrap_err();
    assert!(matches!(err, PhotoError::TooManyPixels { .. }), "{err:?}");
}

#[test]
fn a_gif_claiming_a_huge_screen_is_refused() {
    let mut gif = sample(Enc::Gif);
    // Logical screen width and height, little-endian, after "GIF89a".
    gif[6..8].copy_from_slice(&u16::MAX.to_le_bytes());
    gif[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
    let err = hash_image(&gif, &Limits::default()).unwrap_err();
    assert!(
        matches!(
            err,
            PhotoError::TooManyPixels { .. } | PhotoError::Malformed { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn a_lower_pixel_limit_is_kept() {
    let limits = Limits {
        max_pixels: 1000,
        ..Limits::default()
    };
    let err = hash_image(&sample(Enc::Png), &limits).unwrap_err();
    assert_eq!(
        err,
        PhotoError::TooManyPixels {
            width: 64,
            height: 48,
            limit: 1000
        }
    );
}

#[test]
fn too_many_bytes_is_refused_unread() {
    let limits = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let err = hash_image(&sample(Enc::Png), &limits).unwrap_err();
    assert!(
        matches!(err, PhotoError::TooManyBytes { limit: 100, .. }),
        "{err:?}"
    );
}

#[test]
fn truncated_images_are_errors_or_partial_pictures_never_panics() {
    for (format, ours) in [
        (Enc::Png, ImageFormat::Png),
        (Enc::Gif, ImageFormat::Gif),
        (Enc::WebP, ImageFormat::WebP),
        (Enc::Jpeg, ImageFormat::Jpeg),
    ] {
        let full = sample(format);
        for cut in [full.len() / 2, full.len() - 1, 20, 13] {
            match hash_image(&full[..cut], &Limits::default()) {
                Err(e) => assert!(
                    matches!(
                        e,
                        PhotoError::Truncated { format: f }
                            | PhotoError::Malformed { format: f, .. }
                            | PhotoError::Unsupported { format: f, .. }
                            if f == ours
                    ),
                    "{ours} cut at {cut}: {e:?}"
                ),
                // zune-jpeg pads a cut-off scan with grey, as libjpeg does; a file missing
                // only its last byte (the end marker's checksum) still holds the picture.
                Ok(h) => assert!(
                    ours == ImageFormat::Jpeg || cut == full.len() - 1,
                    "{ours} cut at {cut} decoded: {h:?}"
                ),
            }
        }
    }
    // A PNG cut in half has lost its image data: always an error.
    let png = sample(Enc::Png);
    assert!(hash_image(&png[..png.len() / 2], &Limits::default()).is_err());
}

#[test]
fn the_format_comes_from_the_bytes_not_the_label() {
    // A PNG served as image/jpeg or saved as .jpg still hashes as the PNG it is.
    let png = sample(Enc::Png);
    let h = hash_image(&png, &Limits::default()).unwrap();
    assert_eq!(h.format, ImageFormat::Png);
    assert_eq!(h.sha256, sha256_hex(&png));
    for not_an_image in [
        &b"<html><body>404</body></html>"[..],
        b"",
        b"RIFF\0\0\0\0WAVEfmt ",
    ] {
        assert_eq!(
            hash_image(not_an_image, &Limits::default()),
            Err(PhotoError::UnknownFormat)
        );
    }
}

#[test]
fn a_jpeg_signature_on_garbage_is_an_error() {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend(std::iter::repeat_n(0x41, 500));
    assert!(hash_image(&bytes, &Limits::default()).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random bytes behind each format's signature, and random damage to a real file, never
    /// panic.
    #[test]
    fn damaged_images_never_panic(
        which in 0usize..4,
        tail in proptest::collection::vec(any::<u8>(), 0..400),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
    ) {
        let format = [Enc::Png, Enc::Gif, Enc::WebP, Enc::Jpeg][which];
        let mut real = sample(format);
        for (at, byte) in flips {
            let i = at % real.len();
            real[i] ^= byte;
        }
        let _ = hash_image(&real, &Limits::default());
        let mut fake = real[..12.min(real.len())].to_vec();
        fake.extend(tail);
        let _ = hash_image(&fake, &Limits::default());
    }
}
