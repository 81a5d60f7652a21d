//! places (work in progress)
