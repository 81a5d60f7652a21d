//! prices (work in progress)
