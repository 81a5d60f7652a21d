//! handles (work in progress)
