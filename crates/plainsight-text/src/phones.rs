//! phones (work in progress)
