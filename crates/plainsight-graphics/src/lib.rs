//! Pictures for Plainsight's web pages, drawn on the server as SVG strings: the machines have no
//! internet and the core pages must work without JavaScript. Pure and deterministic: no I/O, and
//! the same input always gives byte-identical SVG (numbers carry at most one decimal).
//!
//! Every picture has `role="img"` (or `role="group"` when it holds links or focusable nodes),
//! a `<title>`, an `aria-label`, a `viewBox` with width and height, CSS classes prefixed `ps-`
//! for the page's stylesheet, and presentation attributes so it also looks right without it.
//! No inline `style` and no ids, so several pictures can share a page under a strict CSP.

pub mod charts;
pub mod graph;
pub mod map;
pub mod outlines;
pub mod svg;

pub use charts::{Bar, Bucket, ChartOptions, bar_chart, stacked_progress, time_series};
pub use graph::{
    Edge, Graph, GraphOptions, Node, NodeKind, collapse, graph_legend_svg, graph_svg, layout,
};
pub use map::{Stop, movement_map, timeline};
pub use outlines::{OutlineError, Outlines, Region, RegionKind};
pub use svg::escape;
