//! Fuzz target `checkpoint_copies`: any file given to `audit verify --checkpoints` (a syslog
//! file, a copy of the checkpoint file) is read line by line without a panic; a line accepted
//! as a signed checkpoint writes back to the same line and reads back to the same checkpoint.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_access::{AuditKey, Checkpoint, audit::checkpoint_text};

fuzz_target!(|data: &[u8]| {
    let key = AuditKey::from_bytes([7; 32]);
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let Some(found) = checkpoint_text(line) else {
            continue;
        };
        assert!(line.contains(found), "{line:?}");
        if let Ok(checkpoint) = Checkpoint::parse_line(found, &key) {
            let written = checkpoint.to_line(&key);
            assert_eq!(Checkpoint::parse_line(&written, &key), Ok(checkpoint.clone()));
        }
    }
});
