//! Exports of networks for analysis tools.
