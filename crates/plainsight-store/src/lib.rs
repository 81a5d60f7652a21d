//! Storage trait and its SQLite implementation.
