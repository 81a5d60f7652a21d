//! extract (work in progress)
