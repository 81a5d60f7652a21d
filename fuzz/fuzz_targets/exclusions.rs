//! Fuzz target `exclusions`: reading an exclusion list never panics, and every identifier it
//! accepts is normalised (phones in E.164 with only digits after `+`, other kinds lower case).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_network::exclusions::parse_exclusions;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(list) = parse_exclusions(&text, "fuzz") {
        for (kind, value) in list {
            if kind == "phone" {
                assert!(value.starts_with('+'));
                assert!(value[1..].bytes().all(|b| b.is_ascii_digit()));
                assert!((8..=16).contains(&value.len()), "{value}");
            } else {
                assert_eq!(value, value.to_lowercase());
            }
        }
    }
});
