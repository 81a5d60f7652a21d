//! FBI NIBRS readers and enforcement figures.
