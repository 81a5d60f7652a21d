//! emails (work in progress)
