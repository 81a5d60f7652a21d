//! Bounded decoding: the format is taken from the first bytes (never from a file name or a
//! `Content-Type`, which are often wrong), the byte count and the claimed dimensions are
//! checked before any pixel is decoded, and the decoder's own allocation limit is set, so a
//! small file that claims a gigapixel picture costs nothing. Every decoder failure becomes a
//! [`PhotoError`].

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageReader};

use crate::gray::{GrayImage, to_gray};
use crate::{ImageFormat, PhotoError};

/// How much one image may cost. The defaults fit photos in ads (a 24-megapixel camera frame
/// passes) while keeping one decode under a few hundred megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded image, in bytes.
    pub max_bytes: usize,
    /// Largest width × height (GIF: of the logical screen and of the first frame).
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024,
            max_pixels: 25_000_000,
        }
    }
}

/// The format of an image by its signature: JPEG `FF D8 FF`, PNG's 8-byte signature,
/// `GIF87a`/`GIF89a`, and WebP's `RIFF....WEBP`. `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

fn image_format(format: ImageFormat) -> image::ImageFormat {
    match format {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Gif => image::ImageFormat::Gif,
        ImageFormat::WebP => image::ImageFormat::WebP,
    }
}

/// Decode to 8-bit grayscale as PIL's `convert("L")` does (GIF: the first frame).
pub fn decode_gray(bytes: &[u8], limits: &Limits) -> Result<GrayImage, PhotoError> {
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooManyBytes {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = sniff(bytes).ok_or(PhotoError::UnknownFormat)?;
    if format == ImageFormat::Jpeg
        && let Some(gray) = jpeg_luma(bytes, limits)?
    {
        return Ok(gray);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
    let mut decoder_limits = image::Limits::default();
    // Each side alone may not exceed the pixel budget either (a 1 × 4-billion strip).
    let side = u32::try_from(limits.max_pixels).unwrap_or(u32::MAX);
    decoder_limits.max_image_width = Some(side);
    decoder_limits.max_image_height = Some(side);
    // Room for the largest allowed picture at 8 bytes a pixel (16-bit RGBA), plus the
    // decoders' own working buffers.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8) + 64 * 1024 * 1024);
    reader.limits(decoder_limits);
    let decoder = reader
        .into_decoder()
        .map_err(|e| decode_error(format, e, limits))?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    let img = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(format, e, limits))?;
    // A GIF's first frame can be smaller than its logical screen; the screen is the picture.
    let (width, height) = (img.width(), img.height());
    check_dimensions(width, height, limits)?;
    Ok(GrayImage {
        width,
        height,
        pixels: to_gray(img),
        format,
    })
}

/// JPEG straight to luminance: the decoder's Y channel, without decoding, upsampling and
/// converting the colour channels only to throw them away again. That is about twice as fast
/// as decoding to RGB and converting (`docs/benchmarks.md`, "Photo hashing"). The Y channel
/// equals PIL's `L` of the decoded RGB to within rounding (the 601 weights of YCbCr→RGB and of
/// RGB→L cancel), so the pHash is the same or a bit away; `tests/it/reference.rs` measures it
/// against imagehash. `Ok(None)` for what this path does not take (CMYK and YCCK JPEGs), which
/// then go through the full decoder.
fn jpeg_luma(bytes: &[u8], limits: &Limits) -> Result<Option<GrayImage>, PhotoError> {
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let side = usize::try_from(limits.max_pixels).unwrap_or(usize::MAX);
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(side)
        .set_max_height(side)
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(Cursor::new(bytes), options);
    let format = ImageFormat::Jpeg;
    decoder
        .decode_headers()
        .map_err(|e| jpeg_error(&e.to_string(), limits))?;
    if !matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::YCbCr | ColorSpace::Luma)
    ) {
        return Ok(None);
    }
    let (w, h) = decoder.dimensions().ok_or(PhotoError::Malformed {
        format,
        reason: "no frame header".into(),
    })?;
    let width = u32::try_from(w).unwrap_or(u32::MAX);
    let height = u32::try_from(h).unwrap_or(u32::MAX);
    check_dimensions(width, height, limits)?;
    let pixels = decoder
        .decode()
        .map_err(|e| jpeg_error(&e.to_string(), limits))?;
    if pixels.len() != w * h {
        return Err(PhotoError::Malformed {
            format,
            reason: format!("the decoder gave {} bytes for {w}×{h}", pixels.len()),
        });
    }
    Ok(Some(GrayImage {
        width,
        height,
        pixels,
        format,
    }))
}

fn jpeg_error(reason: &str, limits: &Limits) -> PhotoError {
    let lower = reason.to_ascii_lowercase();
    let format = ImageFormat::Jpeg;
    if lower.contains("too large") || lower.contains("greater than") || lower.contains("max") {
        PhotoError::TooManyPixels {
            width: 0,
            height: 0,
            limit: limits.max_pixels,
        }
    } else if lower.contains("eof") || lower.contains("end of") || lower.contains("no more") {
        PhotoError::Truncated { format }
    } else if lower.contains("unsupported") || lower.contains("not supported") {
        PhotoError::Unsupported {
            format,
            reason: reason.to_string(),
        }
    } else {
        PhotoError::Malformed {
            format,
            reason: reason.to_string(),
        }
    }
}

fn check_dimensions(width: u32, height: u32, limits: &Limits) -> Result<(), PhotoError> {
    if width == 0 || height == 0 {
        return Err(PhotoError::NoPixels { width, height });
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(PhotoError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    Ok(())
}

fn decode_error(format: ImageFormat, e: ImageError, limits: &Limits) -> PhotoError {
    match e {
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            PhotoError::Truncated { format }
        }
        ImageError::Limits(_) => PhotoError::TooManyPixels {
            width: 0,
            height: 0,
            limit: limits.max_pixels,
        },
        ImageError::Unsupported(u) => PhotoError::Unsupported {
            format,
            reason: u.to_string(),
        },
        other => {
            let reason = other.to_string();
            // The decoders report a stream that ends early in their own words.
            let lower = reason.to_ascii_lowercase();
            if lower.contains("eof")
                || lower.contains("end of file")
                || lower.contains("unexpected end")
                || lower.contains("truncated")
                || lower.contains("no more data")
            {
                PhotoError::Truncated { format }
            } else {
                PhotoError::Malformed { format, reason }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_known_by_their_first_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(ImageFormat::Png));
        assert_eq!(sniff(b"GIF89a...."), Some(ImageFormat::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b""), None);
    }
}
