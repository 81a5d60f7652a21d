//! Building blocks for linking ads into networks: word shingles of masked text, MinHash
//! signatures and LSH band keys computed with a fixed, seeded hash (the same ad gives the same
//! keys on every machine and every run), candidate pairs from band buckets without quadratic
//! blow-up, and a union-find. Pure logic: no I/O.

pub mod minhash;
pub mod network;
pub mod shingle;
pub mod union_find;

pub use minhash::{
    BandKey, Lsh, MinHasher, Signature, candidate_pairs, candidate_pairs_packed, similarity,
};
pub use network::{AdLinkInput, Hub, Link, LinkConfig, LinkReason, Linking, link};
pub use shingle::shingles;
pub use union_find::UnionFind;
