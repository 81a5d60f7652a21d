//! indicators (work in progress)
