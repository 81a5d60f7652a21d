//! Test helper shared by the web test files: copy a workspace together with its key folder.

use std::path::{Path, PathBuf};

/// Copies a workspace file with its key folder (the database key, the audit key and the
/// audit checkpoints): an encrypted workspace is of no use without them.
pub fn copy_workspace(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    let keys = |db: &Path| {
        let mut name = db.as_os_str().to_os_string();
        name.push(".keys");
        PathBuf::from(name)
    };
    let (from_keys, to_keys) = (keys(from), keys(to));
    std::fs::create_dir_all(&to_keys).unwrap();
    for entry in std::fs::read_dir(from_keys).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to_keys.join(entry.file_name())).unwrap();
    }
}
