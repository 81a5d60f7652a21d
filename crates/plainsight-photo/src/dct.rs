//! The 2-D DCT-II that imagehash takes, `scipy.fftpack.dct(scipy.fftpack.dct(x, axis=0),
//! axis=1)` (type II, no normalisation: `y[k] = 2 Σ x[n] cos(π k (2n + 1) / 2N)`), for the
//! top-left 8×8 coefficients only, the only ones the hash reads. Computed as direct sums in
//! double precision: the same values as scipy's FFT to within rounding, and the scale factor
//! of 2 changes no comparison with the median.

/// Coefficients per axis that the hash keeps.
const KEEP: usize = 8;

/// The top-left 8×8 DCT-II coefficients of a `size`×`size` image, row-major (row = vertical
/// frequency, the first axis scipy transforms).
pub(crate) fn dct_low_8x8(pixels: &[u8], size: usize) -> [f64; 64] {
    debug_assert_eq!(pixels.len(), size * size);
    let n = size as f64;
    // cos table: cos(π k (2i + 1) / 2N) for k < 8, i < size.
    let table: Vec<f64> = (0..KEEP)
        .flat_map(|k| {
            (0..size).map(move |i| {
                (std::f64::consts::PI * k as f64 * (2.0 * i as f64 + 1.0) / (2.0 * n)).cos()
            })
        })
        .collect();
    // Along axis 0 (down each column): tmp[k][x] = 2 Σ_y p[y][x] cos_k(y).
    let mut tmp = vec![0f64; KEEP * size];
    for k in 0..KEEP {
        let cos = &table[k * size..(k + 1) * size];
        for x in 0..size {
            let mut s = 0.0;
            for (y, &c) in cos.iter().enumerate() {
                s += f64::from(pixels[y * size + x]) * c;
            }
            tmp[k * size + x] = 2.0 * s;
        }
    }
    // Along axis 1 (across each row of tmp).
    let mut out = [0f64; 64];
    for k in 0..KEEP {
        let row = &tmp[k * size..(k + 1) * size];
        for l in 0..KEEP {
            let cos = &table[l * size..(l + 1) * size];
            let s: f64 = row.iter().zip(cos).map(|(&a, &c)| a * c).sum();
            out[k * KEEP + l] = 2.0 * s;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_image_has_only_the_dc_term() {
        let out = dct_low_8x8(&[10u8; 32 * 32], 32);
        // scipy: 2·2·32·32·10 at [0][0].
        assert!((out[0] - 40960.0).abs() < 1e-6);
        assert!(out[1..].iter().all(|v| v.abs() < 1e-6));
    }

    #[test]
    fn a_left_right_ramp_puts_energy_in_the_first_row_only() {
        let px: Vec<u8> = (0..32 * 32).map(|i| (i % 32) as u8 * 8).collect();
        let out = dct_low_8x8(&px, 32);
        assert!(out[1].abs() > 1000.0, "horizontal frequency 1");
        assert!(out[8].abs() < 1e-6, "no vertical frequency");
    }
}
