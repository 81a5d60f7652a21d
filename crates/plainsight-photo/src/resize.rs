//! Pillow's Lanczos (`Image.resize(..., LANCZOS)`, once called ANTIALIAS) for 8-bit
//! grayscale, reproduced to the integer: the same filter support scaled by the shrink factor,
//! the same per-pixel windows and weights (double precision, normalised, then rounded to
//! 22-bit fixed point), a horizontal pass then a vertical pass, each rounded and clipped to
//! 0..=255 as Pillow's `ImagingResampleHorizontal_8bpc` / `ImagingResampleVertical_8bpc` do.
//! Matching Pillow here is what makes our pHash equal imagehash's, bit for bit, on the same
//! pixels.

/// Pillow's `PRECISION_BITS` for 8-bit images: 32 - 8 - 2.
const PRECISION_BITS: u32 = 22;
/// Lanczos lobes (Pillow's `LANCZOS` filter support).
const LANCZOS_SUPPORT: f64 = 3.0;

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        return 1.0;
    }
    let x = x * std::f64::consts::PI;
    x.sin() / x
}

fn lanczos(x: f64) -> f64 {
    if (-LANCZOS_SUPPORT..LANCZOS_SUPPORT).contains(&x) {
        sinc(x) * sinc(x / LANCZOS_SUPPORT)
    } else {
        0.0
    }
}

/// The window and fixed-point weights of each output pixel along one axis (Pillow's
/// `precompute_coeffs` and `normalize_coeffs_8bpc`).
struct Coeffs {
    /// Weights per output pixel, `ksize` apiece (unused tail entries are zero).
    weights: Vec<i32>,
    /// (first input pixel, number of input pixels) per output pixel.
    bounds: Vec<(usize, usize)>,
    ksize: usize,
}

fn coeffs(in_size: usize, out_size: usize) -> Coeffs {
    let scale = in_size as f64 / out_size as f64;
    let filterscale = scale.max(1.0);
    let support = LANCZOS_SUPPORT * filterscale;
    let ksize = support.ceil() as usize * 2 + 1;
    let mut weights = vec![0i32; out_size * ksize];
    let mut bounds = Vec::with_capacity(out_size);
    let mut k = vec![0f64; ksize];
    for xx in 0..out_size {
        let center = (xx as f64 + 0.5) * scale;
        let ss = 1.0 / filterscale;
        // C's `(int)` truncates toward zero; the clamp at 0 makes that the same as flooring.
        let xmin = ((center - support + 0.5) as i64).max(0) as usize;
        let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
        let count = xmax.saturating_sub(xmin).min(ksize);
        let mut ww = 0.0;
        for (x, slot) in k.iter_mut().enumerate().take(count) {
            let w = lanczos((x as f64 + xmin as f64 - center + 0.5) * ss);
            *slot = w;
            ww += w;
        }
        let row = &mut weights[xx * ksize..xx * ksize + ksize];
        for (x, slot) in row.iter_mut().enumerate().take(count) {
            let w = if ww != 0.0 { k[x] / ww } else { k[x] };
            let fixed = w * f64::from(1u32 << PRECISION_BITS);
            *slot = if w < 0.0 {
                (-0.5 + fixed) as i32
            } else {
                (0.5 + fixed) as i32
            };
        }
        bounds.push((xmin, count));
    }
    Coeffs {
        weights,
        bounds,
        ksize,
    }
}

/// Pillow's `clip8`: the fixed-point sum shifted down (an arithmetic shift, so flooring),
/// clamped to a byte.
#[inline]
fn clip8(v: i32) -> u8 {
    (v >> PRECISION_BITS).clamp(0, 255) as u8
}

/// One output pixel's weighted sum, exactly `Σ p·w` in 32 bits as Pillow computes it, but with
/// each weight split as `w = hi·2^11 + lo` (`hi` = `w >> 11`, `lo` = the low 11 bits, both in
/// i16), so the two sums are products of 16-bit numbers, which leaves the compiler free to use
/// 16-bit SIMD multiply-adds (`pmaddwd`, in every x86-64) where 32-bit products would need
/// SSE4.1. Not checked in the generated code; the shrink measured 1.24 ms against 1.55 ms
/// before this and the 32-bit sums, at different loads (`docs/benchmarks.md`). Each partial
/// sum stays under 2^27 (151 taps at most of 255 · 2^11), so nothing overflows and the result
/// is the same integer (the fixture test compares the 32×32 pictures with Pillow's).
#[inline]
fn weighted_sum(pixels: &[u8], hi: &[i16], lo: &[i16]) -> i32 {
    let mut sum_hi = 0i32;
    let mut sum_lo = 0i32;
    for ((&p, &h), &l) in pixels.iter().zip(hi).zip(lo) {
        let p = i16::from(p);
        sum_hi += i32::from(p) * i32::from(h);
        sum_lo += i32::from(p) * i32::from(l);
    }
    (sum_hi << 11).wrapping_add(sum_lo)
}

/// Split fixed-point weights for [`weighted_sum`].
fn split(weights: &[i32]) -> (Vec<i16>, Vec<i16>) {
    weights
        .iter()
        .map(|&w| ((w >> 11) as i16, (w & 0x7FF) as i16))
        .unzip()
}

/// Resize an 8-bit grayscale image (`width`×`height`, row by row) to `out_w`×`out_h`. An axis
/// whose size does not change is not resampled, as in Pillow.
pub(crate) fn resize_lanczos(
    pixels: &[u8],
    width: usize,
    height: usize,
    out_w: usize,
    out_h: usize,
) -> Vec<u8> {
    debug_assert_eq!(pixels.len(), width * height);
    let half = 1i32 << (PRECISION_BITS - 1);
    // Horizontal pass over every row (Pillow only does the rows the vertical pass reads; with
    // the full image as the box that is every row with a weight, and the others are unused).
    let horizontal: Vec<u8> = if out_w != width {
        let c = coeffs(width, out_w);
        let (hi, lo) = split(&c.weights);
        let mut out = vec![0u8; out_w * height];
        for (row_in, row_out) in pixels.chunks_exact(width).zip(out.chunks_exact_mut(out_w)) {
            for (xx, px) in row_out.iter_mut().enumerate() {
                let (xmin, count) = c.bounds[xx];
                let at = xx * c.ksize;
                // A 32-bit sum, as in Pillow: each weight is under 2^22 in magnitude and the
                // weights' absolute sum stays under 2 (the Lanczos lobes are small), so
                // 255 · 2 · 2^22 < 2^31.
                let sum = weighted_sum(
                    &row_in[xmin..xmin + count],
                    &hi[at..at + count],
                    &lo[at..at + count],
                );
                *px = clip8(half.wrapping_add(sum));
            }
        }
        out
    } else {
        pixels.to_vec()
    };
    if out_h == height {
        return horizontal;
    }
    let c = coeffs(height, out_h);
    let mut out = vec![0u8; out_w * out_h];
    for yy in 0..out_h {
        let (ymin, count) = c.bounds[yy];
        let k = &c.weights[yy * c.ksize..yy * c.ksize + count];
        let row_out = &mut out[yy * out_w..(yy + 1) * out_w];
        for (xx, px) in row_out.iter_mut().enumerate() {
            let mut ss = half;
            for (y, &w) in k.iter().enumerate() {
                ss =
                    ss.wrapping_add(i32::from(horizontal[(ymin + y) * out_w + xx]).wrapping_mul(w));
            }
            *px = clip8(ss);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_image_stays_flat_whatever_the_sizes() {
        for (w, h) in [(1, 1), (7, 5), (32, 32), (33, 31), (800, 600)] {
            let out = resize_lanczos(&vec![137u8; w * h], w, h, 32, 32);
            assert!(out.iter().all(|&p| p == 137), "{w}×{h}");
        }
    }

    #[test]
    fn weights_of_each_output_pixel_sum_to_one_in_fixed_point() {
        for (n, m) in [(5, 32), (600, 32), (33, 32), (4000, 32)] {
            let c = coeffs(n, m);
            for xx in 0..m {
                let sum: i64 = c.weights[xx * c.ksize..(xx + 1) * c.ksize]
                    .iter()
                    .map(|&w| i64::from(w))
                    .sum();
                assert!(
                    (sum - (1 << PRECISION_BITS)).abs() <= c.ksize as i64,
                    "{n}→{m}"
                );
            }
        }
    }
}
