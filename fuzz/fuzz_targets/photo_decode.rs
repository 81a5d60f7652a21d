//! Fuzz target `photo_decode`: arbitrary bytes through the bounded image decoders (JPEG, PNG,
//! GIF, WebP by signature), the grayscale conversion, the Lanczos shrink and the DCT.
//! Must never panic, hang or allocate past the limits; errors are simply dropped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_photo::{Limits, hash_image};

fuzz_target!(|data: &[u8]| {
    // A small pixel budget keeps each run fast and exercises the refusal paths; real limits
    // are larger but take the same code.
    let limits = Limits {
        max_bytes: 1 << 20,
        max_pixels: 1 << 20,
    };
    let _ = hash_image(data, &limits);
    // The same bytes behind each signature, so the fuzzer reaches every decoder quickly.
    for prefix in [
        &b"\xFF\xD8\xFF"[..],
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
        b"RIFF\0\0\0\0WEBPVP8 ",
    ] {
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(data);
        let _ = hash_image(&bytes, &limits);
    }
});
