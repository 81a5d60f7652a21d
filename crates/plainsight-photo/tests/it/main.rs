//! Integration tests of `plainsight-photo`, one binary: the pHash against Python imagehash's
//! committed reference values, bad and hostile input, and robustness of "same photo" to
//! re-encoding, resizing, cropping and watermarks.

mod bad_input;
mod reference;
mod robustness;
