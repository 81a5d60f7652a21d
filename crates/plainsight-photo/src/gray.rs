//! PIL's conversion to mode "L" (8-bit luminance), which imagehash applies first:
//! `L = (R·19595 + G·38470 + B·7471 + 0x8000) >> 16` (ITU-R 601-2 weights in 16-bit fixed
//! point, rounded), alpha ignored, not composited.

use image::DynamicImage;

use crate::ImageFormat;

/// An 8-bit grayscale image, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
    /// The format it was decoded from.
    pub format: ImageFormat,
}

/// PIL's `L24` formula.
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 19595 + u32::from(g) * 38470 + u32::from(b) * 7471 + 0x8000) >> 16) as u8
}

/// Grayscale pixels of a decoded image, as PIL's `convert("L")` would give them. 16-bit
/// samples keep their high byte, as Pillow's PNG reader does for 16-bit colour (for 16-bit
/// grayscale Pillow clips instead, which whitens the picture; see `docs/photos.md`).
pub(crate) fn to_gray(img: DynamicImage) -> Vec<u8> {
    match img {
        DynamicImage::ImageLuma8(buf) => buf.into_raw(),
        DynamicImage::ImageLumaA8(buf) => buf.into_raw().chunks_exact(2).map(|p| p[0]).collect(),
        DynamicImage::ImageRgb8(buf) => buf
            .as_raw()
            .chunks_exact(3)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect(),
        DynamicImage::ImageRgba8(buf) => buf
            .as_raw()
            .chunks_exact(4)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect(),
        DynamicImage::ImageLuma16(buf) => buf.as_raw().iter().map(|&v| (v >> 8) as u8).collect(),
        DynamicImage::ImageLumaA16(buf) => buf
            .as_raw()
            .chunks_exact(2)
            .map(|p| (p[0] >> 8) as u8)
            .collect(),
        DynamicImage::ImageRgb16(buf) => buf
            .as_raw()
            .chunks_exact(3)
            .map(|p| luma((p[0] >> 8) as u8, (p[1] >> 8) as u8, (p[2] >> 8) as u8))
            .collect(),
        DynamicImage::ImageRgba16(buf) => buf
            .as_raw()
            .chunks_exact(4)
            .map(|p| luma((p[0] >> 8) as u8, (p[1] >> 8) as u8, (p[2] >> 8) as u8))
            .collect(),
        // Floating-point and any future layouts: none of the four decoders produce them.
        other => other
            .to_rgb8()
            .as_raw()
            .chunks_exact(3)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pil_weights_and_rounding() {
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(luma(0, 0, 0), 0);
        // Values PIL gives for Image.new("RGB", (1, 1), c).convert("L").
        assert_eq!(luma(255, 0, 0), 76);
        assert_eq!(luma(0, 255, 0), 150);
        assert_eq!(luma(0, 0, 255), 29);
        assert_eq!(luma(10, 200, 30), 124);
    }
}
