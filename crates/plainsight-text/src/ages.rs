//! ages (work in progress)
