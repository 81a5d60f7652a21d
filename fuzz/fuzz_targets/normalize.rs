//! Fuzz target `normalize`: the normaliser never panics on any text, is idempotent, and maps
//! every range of its output back to an in-bounds, char-aligned range of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_text::normalize::normalize;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let norm = normalize(&text);
    let out = norm.text();
    assert_eq!(normalize(out).text(), out, "normalize is not idempotent");
    // A few ranges derived from the input, including out-of-bounds and reversed ones.
    let n = out.len();
    let seeds = data
        .iter()
        .take(8)
        .map(|&b| usize::from(b))
        .collect::<Vec<_>>();
    let mut ranges = vec![0..n, 0..0, n..n, n / 2..n, 0..n + 3, n + 1..n / 3];
    for pair in seeds.chunks(2) {
        if let [a, b] = pair {
            ranges.push(a % (n + 2)..b % (n + 2));
        }
    }
    let mut previous = 0..0;
    for (at, c) in out.char_indices() {
        let span = norm.original_span(at..at + c.len_utf8());
        assert!(span.start < span.end, "output char maps to nothing");
        assert!(
            span.start >= previous.start && span.end >= previous.end,
            "spans out of order"
        );
        previous = span;
    }
    for range in ranges {
        let span = norm.original_span(range);
        assert!(span.start <= span.end && span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
    }
});
