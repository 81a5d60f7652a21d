//! The network graph of ads and the identifiers that join them: a deterministic
//! Fruchterman–Reingold layout, the SVG drawing (one shape per kind, legible in greyscale), and
//! `collapse` for networks too big to draw whole.

use std::fmt::Write as _;

use crate::svg::{
    self, BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, TEXT, VERMILLION, css_token, escape, num,
    truncate,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Ad,
    Phone,
    Email,
    Handle,
    Image,
    Template,
    /// A stand-in for hidden nodes ("+12 more ads"), see [`collapse`].
    Other,
}

impl NodeKind {
    pub const ALL: [NodeKind; 7] = [
        NodeKind::Ad,
        NodeKind::Phone,
        NodeKind::Email,
        NodeKind::Handle,
        NodeKind::Image,
        NodeKind::Template,
        NodeKind::Other,
    ];

    /// The CSS class suffix: `ps-node-{as_str}`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Ad => "ad",
            NodeKind::Phone => "phone",
            NodeKind::Email => "email",
            NodeKind::Handle => "handle",
            NodeKind::Image => "image",
            NodeKind::Template => "template",
            NodeKind::Other => "other",
        }
    }

    /// The name shown in the legend.
    pub fn display_name(self) -> &'static str {
        match self {
            NodeKind::Ad => "Ad",
            NodeKind::Phone => "Phone",
            NodeKind::Email => "Email",
            NodeKind::Handle => "Handle",
            NodeKind::Image => "Image",
            NodeKind::Template => "Text template",
            NodeKind::Other => "Hidden ads",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            NodeKind::Ad => BLUE,
            NodeKind::Phone => ORANGE,
            NodeKind::Email => GREEN,
            NodeKind::Handle => PURPLE,
            NodeKind::Image => VERMILLION,
            NodeKind::Template => SKY,
            NodeKind::Other => GREY,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Stable id, e.g. "ad:123"; seeds the node's starting position in the layout.
    pub key: String,
    pub kind: NodeKind,
    pub label: String,
    pub href: Option<String>,
}

/// An edge between two node indices; `kind` (e.g. "phone") becomes the class `ps-edge-{kind}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Graph {
    /// Edges that can be drawn or laid out: both ends exist and differ; each node pair once,
    /// smaller index first, sorted (so duplicate edges do not pull twice as hard).
    fn simple_edges(&self) -> Vec<(usize, usize)> {
        let n = self.nodes.len();
        let mut e: Vec<(usize, usize)> = self
            .edges
            .iter()
            .filter(|e| e.from < n && e.to < n && e.from != e.to)
            .map(|e| (e.from.min(e.to), e.from.max(e.to)))
            .collect();
        e.sort_unstable();
        e.dedup();
        e
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphOptions {
    pub width: u32,
    pub height: u32,
    pub seed: u64,
    /// Writes each node's label next to it. Off by default: beyond a few dozen nodes labels
    /// cover each other; the `<title>` tooltip is always there.
    pub label_nodes: bool,
    /// Writes the label of every node that is not an ad (phones, emails, handles, photos,
    /// templates, "+N more ads") even when `label_nodes` is off: in a large network those are
    /// few and are what an analyst reads the picture for.
    pub label_identifiers: bool,
    /// Draws the legend inside the picture, above the graph. Off, the picture is the graph
    /// alone (zooming it cannot cover the legend) and [`graph_legend_svg`] draws the legend
    /// on its own, to be placed beside it.
    pub legend: bool,
}

impl Default for GraphOptions {
    fn default() -> Self {
        Self {
            width: 800,
            height: 600,
            seed: 0,
            label_nodes: false,
            label_identifiers: false,
            legend: true,
        }
    }
}

/// Fruchterman–Reingold iterations; linear cooling from `START_TEMP` to 0 over them. Big
/// components get fewer: their cost per iteration is higher (dense hubs crowd the grid cells),
/// and by then the layout has settled (measured on 600-node stars and hub networks).
const ITERATIONS: usize = 200;
const ITERATIONS_LARGE: usize = 120;
const START_TEMP: f64 = 0.1;
/// Above this many nodes in a component, repulsion only counts neighbours within 2k, found
/// through a grid of 2k cells (the grid variant of the original paper): O(n) per iteration.
const EXACT_REPULSION_MAX: usize = 150;

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// FNV-1a of the key mixed with the seed: a starting position that depends only on (seed, key),
/// the same on every platform and run.
fn start_position(key: &str, seed: u64) -> (f64, f64) {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    let a = splitmix64(h ^ splitmix64(seed));
    let b = splitmix64(a);
    let unit = |v: u64| (v >> 11) as f64 / (1u64 << 53) as f64;
    (unit(a), unit(b))
}

/// Deterministic force-directed layout; coordinates in [0,1]² (one per node, same order).
///
/// Each connected component is laid out on its own and the components are then packed side by
/// side in rows, biggest first, each given room in proportion to its node count, so isolated
/// parts neither fly apart nor pile on top of each other. The whole is scaled uniformly (aspect
/// kept) and centred in the unit square.
pub fn layout(graph: &Graph, seed: u64) -> Vec<(f64, f64)> {
    let n = graph.nodes.len();
    match n {
        0 => return Vec::new(),
        1 => return vec![(0.5, 0.5)],
        _ => {}
    }
    let edges = graph.simple_edges();

    // Union–find; components are numbered by their smallest node index.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for &(a, b) in &edges {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut comp_of = vec![usize::MAX; n];
    let mut comps: Vec<Vec<usize>> = Vec::new();
    let mut local = vec![0usize; n];
    for i in 0..n {
        let r = find(&mut parent, i);
        if comp_of[r] == usize::MAX {
            comp_of[r] = comps.len();
            comps.push(Vec::new());
        }
        let c = comp_of[r];
        comp_of[i] = c;
        local[i] = comps[c].len();
        comps[c].push(i);
    }
    let mut comp_edges: Vec<Vec<(usize, usize)>> = vec![Vec::new(); comps.len()];
    for &(a, b) in &edges {
        comp_edges[comp_of[a]].push((local[a], local[b]));
    }

    // Each component laid out at its natural size (ideal edge length 1), then packed in rows
    // (shelves), biggest first, with a gap wider than an edge between neighbours.
    let mut order: Vec<usize> = (0..comps.len()).collect();
    order.sort_by(|&a, &b| comps[b].len().cmp(&comps[a].len()).then(a.cmp(&b)));
    const GAP: f64 = 1.5;
    let placed: Vec<Laid> = order
        .iter()
        .map(|&c| {
            let keys: Vec<&str> = comps[c]
                .iter()
                .map(|&i| graph.nodes[i].key.as_str())
                .collect();
            fruchterman_reingold(&keys, &comp_edges[c], seed)
        })
        .collect();
    let area: f64 = placed.iter().map(|(_, w, h)| (w + GAP) * (h + GAP)).sum();
    let widest = placed.iter().map(|(_, w, _)| *w).fold(0.0, f64::max);
    let row_target = area.sqrt().max(widest) * 1.1;
    let mut out = vec![(0.0, 0.0); n];
    let (mut x, mut y, mut row_h) = (0.0f64, 0.0f64, 0.0f64);
    for (&c, (pos, cw, ch)) in order.iter().zip(&placed) {
        if x > 0.0 && x + cw > row_target {
            y += row_h + GAP;
            x = 0.0;
            row_h = 0.0;
        }
        for (&i, &(px, py)) in comps[c].iter().zip(pos) {
            out[i] = (x + px, y + py);
        }
        x += cw + GAP;
        row_h = row_h.max(*ch);
    }
    normalize(&mut out);
    out
}

/// Scales points uniformly into [0,1]² and centres them; a single point (or all points on one
/// spot) goes to the centre.
fn normalize(pos: &mut [(f64, f64)]) {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in pos.iter() {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let span = (x1 - x0).max(y1 - y0);
    for p in pos.iter_mut() {
        *p = if span > 1e-12 && span.is_finite() {
            (
                ((p.0 - x0) / span + (1.0 - (x1 - x0) / span) / 2.0).clamp(0.0, 1.0),
                ((p.1 - y0) / span + (1.0 - (y1 - y0) / span) / 2.0).clamp(0.0, 1.0),
            )
        } else {
            (0.5, 0.5)
        };
    }
}

/// One component's positions with the width and height of its bounding box.
type Laid = (Vec<(f64, f64)>, f64, f64);

/// Fruchterman–Reingold on one connected component. Returns the positions scaled so the ideal
/// edge length is 1 and moved so the bounding box starts at (0, 0), with the box's size.
fn fruchterman_reingold(keys: &[&str], edges: &[(usize, usize)], seed: u64) -> Laid {
    let n = keys.len();
    if n == 1 {
        return (vec![(0.0, 0.0)], 0.0, 0.0);
    }
    let mut pos: Vec<(f64, f64)> = keys.iter().map(|k| start_position(k, seed)).collect();
    let mut disp = vec![(0.0f64, 0.0f64); n];
    let k = (1.0 / n as f64).sqrt();
    let k2 = k * k;
    let mut grid = Grid::default();

    let iterations = if n <= EXACT_REPULSION_MAX {
        ITERATIONS
    } else {
        ITERATIONS_LARGE
    };
    for it in 0..iterations {
        let temp = START_TEMP * (1.0 - it as f64 / iterations as f64);
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));

        if n <= EXACT_REPULSION_MAX {
            for i in 0..n {
                for j in i + 1..n {
                    let (dx, dy) = delta(&pos, i, j);
                    let d2 = dx * dx + dy * dy;
                    let f = k2 / d2;
                    disp[i].0 += dx * f;
                    disp[i].1 += dy * f;
                    disp[j].0 -= dx * f;
                    disp[j].1 -= dy * f;
                }
            }
        } else {
            grid.repel(&pos, &mut disp, k);
        }

        for &(a, b) in edges {
            let (dx, dy) = delta(&pos, a, b);
            let d = (dx * dx + dy * dy).sqrt();
            // Attraction d²/k along the unit vector: (dx/d)·d²/k = dx·d/k.
            let f = d / k;
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }

        for (p, d) in pos.iter_mut().zip(&disp) {
            let len = (d.0 * d.0 + d.1 * d.1).sqrt();
            if len > 0.0 && len.is_finite() {
                let step = len.min(temp) / len;
                p.0 += d.0 * step;
                p.1 += d.1 * step;
            }
        }
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in &pos {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    for p in &mut pos {
        *p = ((p.0 - x0) / k, (p.1 - y0) / k);
    }
    (pos, (x1 - x0) / k, (y1 - y0) / k)
}

/// pos[i] − pos[j]; when two nodes sit on the same spot (equal keys, or bad luck) a small
/// direction derived from the indices separates them instead of dividing by zero.
fn delta(pos: &[(f64, f64)], i: usize, j: usize) -> (f64, f64) {
    let dx = pos[i].0 - pos[j].0;
    let dy = pos[i].1 - pos[j].1;
    if dx * dx + dy * dy > 1e-18 {
        (dx, dy)
    } else {
        let s = if i < j { 1e-4 } else { -1e-4 };
        let t = ((i.wrapping_mul(31) ^ j.wrapping_mul(17)) % 7) as f64 - 3.0;
        (s, s * t / 3.0 + 1e-5)
    }
}

/// Nodes sorted by grid cell (cells of at least 2k over the bounding box), positions copied in
/// that order so the inner loop reads contiguous memory; reused between iterations.
#[derive(Default)]
struct Grid {
    w: usize,
    h: usize,
    /// Node indices in cell order, and where each cell's run starts (w·h + 1 entries).
    order: Vec<usize>,
    start: Vec<usize>,
    cell: Vec<usize>,
    pos: Vec<(f64, f64)>,
    disp: Vec<(f64, f64)>,
}

impl Grid {
    const MAX_SIDE: usize = 256;

    /// Adds the repulsion k²/d between every pair closer than 2k to `disp`. Each pair is visited
    /// once: within a cell, and towards the four "forward" neighbour cells.
    fn repel(&mut self, pos: &[(f64, f64)], disp: &mut [(f64, f64)], k: f64) {
        let n = pos.len();
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in pos {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        // Cells never smaller than the cutoff (the 3×3 neighbourhood must cover it), and bigger
        // when the layout has spread wide, to bound the grid's size.
        let extent = (x1 - x0).max(y1 - y0);
        let size = (2.0 * k).max(extent / Self::MAX_SIDE as f64);
        self.w = (((x1 - x0) / size) as usize + 1).min(Self::MAX_SIDE);
        self.h = (((y1 - y0) / size) as usize + 1).min(Self::MAX_SIDE);
        let cell_of = |(x, y): (f64, f64)| {
            let cx = (((x - x0) / size) as usize).min(self.w - 1);
            let cy = (((y - y0) / size) as usize).min(self.h - 1);
            cy * self.w + cx
        };
        // Counting sort by cell; stable, so each cell lists its nodes in index order.
        self.cell.clear();
        self.cell.extend(pos.iter().map(|&p| cell_of(p)));
        self.start.clear();
        self.start.resize(self.w * self.h + 1, 0);
        for &c in &self.cell {
            self.start[c + 1] += 1;
        }
        for c in 0..self.w * self.h {
            self.start[c + 1] += self.start[c];
        }
        self.order.clear();
        self.order.resize(n, 0);
        let mut fill = self.start.clone();
        for (i, &c) in self.cell.iter().enumerate() {
            self.order[fill[c]] = i;
            fill[c] += 1;
        }
        self.pos.clear();
        self.pos.extend(self.order.iter().map(|&i| pos[i]));
        self.disp.clear();
        self.disp.resize(n, (0.0, 0.0));

        let (k2, cutoff2) = (k * k, 4.0 * k * k);
        for cy in 0..self.h {
            for cx in 0..self.w {
                let here = self.start[cy * self.w + cx]..self.start[cy * self.w + cx + 1];
                for a in here.clone() {
                    let mut pair = |b: usize| {
                        let (mut dx, mut dy) =
                            (self.pos[a].0 - self.pos[b].0, self.pos[a].1 - self.pos[b].1);
                        let mut d2 = dx * dx + dy * dy;
                        if d2 >= cutoff2 {
                            return;
                        }
                        if d2 <= 1e-18 {
                            (dx, dy) = delta(pos, self.order[a], self.order[b]);
                            d2 = dx * dx + dy * dy;
                        }
                        let f = k2 / d2;
                        self.disp[a].0 += dx * f;
                        self.disp[a].1 += dy * f;
                        self.disp[b].0 -= dx * f;
                        self.disp[b].1 -= dy * f;
                    };
                    for b in a + 1..here.end {
                        pair(b);
                    }
                    // Forward neighbours: right, and the three cells of the next row.
                    let mut forward = |nx: usize, ny: usize| {
                        let c = ny * self.w + nx;
                        for b in self.start[c]..self.start[c + 1] {
                            pair(b);
                        }
                    };
                    if cx + 1 < self.w {
                        forward(cx + 1, cy);
                    }
                    if cy + 1 < self.h {
                        if cx > 0 {
                            forward(cx - 1, cy + 1);
                        }
                        forward(cx, cy + 1);
                        if cx + 1 < self.w {
                            forward(cx + 1, cy + 1);
                        }
                    }
                }
            }
        }
        for (&i, d) in self.order.iter().zip(&self.disp) {
            disp[i].0 += d.0;
            disp[i].1 += d.1;
        }
    }
}

/// Keeps a network drawable: when it has more than `max_nodes` nodes, hides the least linked
/// ads behind stand-ins that say how many are hidden.
///
/// The rule:
/// 1. Every identifier node (anything that is not an ad: phones, emails, handles, images,
///    templates, and existing `Other` nodes) is kept, so every link between ads stays visible.
///    If identifiers alone exceed `max_nodes`, the result is bigger than `max_nodes`: dropping
///    an identifier would hide how the ads are joined.
/// 2. Ads are ranked by their number of distinct neighbours (ties: earlier index first) and kept
///    from the top while the total — kept nodes plus the stand-ins needed — fits `max_nodes`.
/// 3. Each identifier with at least one hidden ad gets one `Other` node "+N more ads" (N = its
///    hidden ads), key `more:{identifier key}`, joined to it by an edge of kind "collapsed" and
///    linking to the identifier's page. An ad hidden under several identifiers is counted under
///    each of them: every stand-in is true for its identifier.
/// 4. Hidden ads joined to no identifier at all are counted in one `Other` node, key
///    `more:unlinked`, "+N more ads not linked to an identifier".
///
/// Kept nodes keep their order; stand-ins follow in the order of their identifier. Edges between
/// kept nodes keep their kind; duplicate edges and self-loops are kept as given.
pub fn collapse(graph: &Graph, max_nodes: usize) -> Graph {
    let n = graph.nodes.len();
    if n <= max_nodes {
        return graph.clone();
    }
    let is_ad = |i: usize| graph.nodes[i].kind == NodeKind::Ad;
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, b) in graph.simple_edges() {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    let identifiers = (0..n).filter(|&i| !is_ad(i)).count();
    let mut ads: Vec<usize> = (0..n).filter(|&i| is_ad(i)).collect();
    ads.sort_by(|&a, &b| {
        neighbours[b]
            .len()
            .cmp(&neighbours[a].len())
            .then(a.cmp(&b))
    });

    // Hide ads from the bottom of the ranking, one at a time, until the picture fits; the count
    // of stand-ins is kept up to date as each ad is hidden.
    let mut hidden_under = vec![0usize; n];
    let mut unlinked = 0usize;
    let mut stand_ins = 0usize;
    let mut kept_ads = ads.len();
    while kept_ads > 0 && kept_ads + identifiers + stand_ins > max_nodes {
        kept_ads -= 1;
        let ad = ads[kept_ads];
        let mut any = false;
        for &m in &neighbours[ad] {
            if !is_ad(m) {
                any = true;
                hidden_under[m] += 1;
                if hidden_under[m] == 1 {
                    stand_ins += 1;
                }
            }
        }
        if !any {
            unlinked += 1;
            if unlinked == 1 {
                stand_ins += 1;
            }
        }
    }
    let mut keep = vec![true; n];
    for &ad in &ads[kept_ads..] {
        keep[ad] = false;
    }

    let mut new_index = vec![usize::MAX; n];
    let mut out = Graph::default();
    for (i, node) in graph.nodes.iter().enumerate() {
        if keep[i] {
            new_index[i] = out.nodes.len();
            out.nodes.push(node.clone());
        }
    }
    for e in &graph.edges {
        if e.from < n && e.to < n && keep[e.from] && keep[e.to] {
            out.edges.push(Edge {
                from: new_index[e.from],
                to: new_index[e.to],
                kind: e.kind.clone(),
            });
        }
    }
    for (i, node) in graph.nodes.iter().enumerate() {
        if hidden_under[i] > 0 {
            let k = hidden_under[i];
            out.edges.push(Edge {
                from: new_index[i],
                to: out.nodes.len(),
                kind: "collapsed".to_owned(),
            });
            out.nodes.push(Node {
                key: format!("more:{}", node.key),
                kind: NodeKind::Other,
                label: format!("+{k} more {}", if k == 1 { "ad" } else { "ads" }),
                href: node.href.clone(),
            });
        }
    }
    if unlinked > 0 {
        out.nodes.push(Node {
            key: "more:unlinked".to_owned(),
            kind: NodeKind::Other,
            label: format!(
                "+{unlinked} more {} not linked to an identifier",
                if unlinked == 1 { "ad" } else { "ads" }
            ),
            href: None,
        });
    }
    out
}

/// Writes the shape of `kind` centred on (x, y) with size `r`. Shapes differ so kinds can be
/// told apart in greyscale and by people who do not see the colours: circle (ad), square
/// (phone), filled diamond (email), hollow diamond (handle), triangle (image), hexagon
/// (template), dashed circle (hidden ads).
fn shape(out: &mut String, kind: NodeKind, x: f64, y: f64, r: f64) {
    let c = kind.colour();
    let poly = |out: &mut String, pts: &[(f64, f64)], fill: &str, stroke: &str, sw: f64| {
        let p: Vec<String> = pts
            .iter()
            .map(|&(px, py)| format!("{},{}", num(x + px * r), num(y + py * r)))
            .collect();
        let _ = write!(
            out,
            r#"<polygon class="ps-shape" points="{}" fill="{fill}" stroke="{stroke}" stroke-width="{}"/>"#,
            p.join(" "),
            num(sw)
        );
    };
    match kind {
        NodeKind::Ad => {
            let _ = write!(
                out,
                r##"<circle class="ps-shape" cx="{}" cy="{}" r="{}" fill="{c}" stroke="#FFFFFF"/>"##,
                num(x),
                num(y),
                num(r)
            );
        }
        NodeKind::Other => {
            let _ = write!(
                out,
                r##"<circle class="ps-shape" cx="{}" cy="{}" r="{}" fill="#F3F4F6" stroke="#4B5563" stroke-width="1.5" stroke-dasharray="3 2"/>"##,
                num(x),
                num(y),
                num(r * 1.1)
            );
        }
        NodeKind::Phone => {
            let _ = write!(
                out,
                r##"<rect class="ps-shape" x="{}" y="{}" width="{s}" height="{s}" fill="{c}" stroke="#FFFFFF"/>"##,
                num(x - 0.85 * r),
                num(y - 0.85 * r),
                s = num(1.7 * r)
            );
        }
        NodeKind::Email => poly(
            out,
            &[(0.0, -1.25), (1.25, 0.0), (0.0, 1.25), (-1.25, 0.0)],
            c,
            "#FFFFFF",
            1.0,
        ),
        NodeKind::Handle => poly(
            out,
            &[(0.0, -1.2), (1.2, 0.0), (0.0, 1.2), (-1.2, 0.0)],
            "#FFFFFF",
            c,
            2.5,
        ),
        NodeKind::Image => poly(
            out,
            &[(0.0, -1.3), (1.2, 0.8), (-1.2, 0.8)],
            c,
            "#FFFFFF",
            1.0,
        ),
        NodeKind::Template => poly(
            out,
            &[
                (1.1, 0.0),
                (0.55, 0.95),
                (-0.55, 0.95),
                (-1.1, 0.0),
                (-0.55, -0.95),
                (0.55, -0.95),
            ],
            c,
            "#FFFFFF",
            1.0,
        ),
    }
}

/// Height of the legend row.
const LEGEND_H: f64 = 28.0;

/// The legend: one item per node kind present, in a fixed order, on one row.
fn legend_items(out: &mut String, graph: &Graph) -> f64 {
    out.push_str(r#"<g class="ps-legend">"#);
    let mut lx = 8.0;
    for kind in NodeKind::ALL {
        if !graph.nodes.iter().any(|nd| nd.kind == kind) {
            continue;
        }
        let _ = write!(
            out,
            r#"<g class="ps-legend-item ps-node-{}">"#,
            kind.as_str()
        );
        shape(out, kind, lx + 6.0, 14.0, 5.0);
        let name = kind.display_name();
        let _ = write!(
            out,
            r#"<text class="ps-label" x="{}" y="18" fill="{TEXT}">{}</text></g>"#,
            num(lx + 16.0),
            escape(name)
        );
        lx += 16.0 + svg::text_width(name, 12.0) + 16.0;
    }
    out.push_str("</g>");
    lx
}

/// The legend of `graph` as a picture of its own, for pages that show it outside the graph
/// (drawn with `legend: false`), so that zooming the graph never covers it.
pub fn graph_legend_svg(graph: &Graph) -> String {
    let mut items = String::new();
    let width = legend_items(&mut items, graph).max(16.0);
    let mut out = String::new();
    svg::open(
        &mut out,
        "ps-graph-legend",
        "Legend of the network graph",
        width,
        LEGEND_H,
        false,
    );
    out.push_str(&items);
    svg::close(&mut out);
    out
}

/// Draws the graph: a legend of the kinds present, then (inside `g.ps-graph-viewport`, which
/// graph.js pans and zooms) the edges as `<line>`s and the nodes as focusable groups.
///
/// A node with `href` has an `<a href>` inside its group and the link is the tab stop (so
/// keyboard users reach it without JavaScript and there is one tab stop per node, not two);
/// a node without gets `tabindex="0"` on the group.
pub fn graph_svg(graph: &Graph, opts: &GraphOptions) -> String {
    let w = if opts.width == 0 {
        800.0
    } else {
        f64::from(opts.width).max(200.0)
    };
    let h = if opts.height == 0 {
        600.0
    } else {
        f64::from(opts.height).max(150.0)
    };
    let title = format!(
        "Network graph: {} nodes, {} links",
        graph.nodes.len(),
        graph.simple_edges().len()
    );
    if graph.nodes.is_empty() {
        return svg::no_data("ps-graph-empty", &title, w);
    }
    let pos = layout(graph, opts.seed);
    let n = graph.nodes.len() as f64;

    let legend_h: f64 = if opts.legend { LEGEND_H } else { 0.0 };
    let r = ((w * (h - legend_h) / n).sqrt() * 0.16).clamp(3.5, 9.0);
    // Room for the biggest shape; labels (when on) get room on the right.
    let pad = r * 1.4 + 4.0;
    let label_room = if opts.label_nodes || opts.label_identifiers {
        110.0f64.min(w * 0.2)
    } else {
        0.0
    };
    let (x0, y0) = (pad, legend_h + pad);
    let (pw, ph) = (
        (w - 2.0 * pad - label_room).max(1.0),
        (h - legend_h - 2.0 * pad).max(1.0),
    );
    let xy: Vec<(f64, f64)> = pos
        .iter()
        .map(|&(u, v)| (x0 + u * pw, y0 + v * ph))
        .collect();

    let mut out = String::new();
    svg::open(&mut out, "ps-graph", &title, w, h, true);
    let _ = write!(
        out,
        r##"<rect class="ps-graph-bg" x="0" y="0" width="{}" height="{}" fill="#FFFFFF"/>"##,
        num(w),
        num(h)
    );

    if opts.legend {
        legend_items(&mut out, graph);
    }

    out.push_str(r#"<g class="ps-graph-viewport">"#);
    out.push_str(r#"<g class="ps-edges">"#);
    let n_nodes = graph.nodes.len();
    for e in &graph.edges {
        if e.from >= n_nodes || e.to >= n_nodes || e.from == e.to {
            continue;
        }
        let (a, b) = (xy[e.from], xy[e.to]);
        let kind = css_token(&e.kind);
        let dash = if kind == "collapsed" {
            r#" stroke-dasharray="4 3""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r##"<line class="ps-edge ps-edge-{kind}" data-kind="{kind}" data-from="{}" data-to="{}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#9CA3AF" stroke-width="1.2"{dash}/>"##,
            e.from,
            e.to,
            num(a.0),
            num(a.1),
            num(b.0),
            num(b.1)
        );
    }
    out.push_str("</g><g class=\"ps-nodes\">");
    for (i, (node, &(x, y))) in graph.nodes.iter().zip(&xy).enumerate() {
        let kind = node.kind.as_str();
        let tab = if node.href.is_some() {
            ""
        } else {
            r#" tabindex="0""#
        };
        let _ = write!(
            out,
            r#"<g class="ps-node ps-node-{kind}" data-node="{i}" data-key="{}"{tab}>"#,
            escape(&node.key)
        );
        if let Some(href) = &node.href {
            let _ = write!(out, r#"<a href="{}">"#, escape(href));
        }
        let _ = write!(out, "<title>{}</title>", escape(&node.label));
        shape(&mut out, node.kind, x, y, r);
        if opts.label_nodes || (opts.label_identifiers && node.kind != NodeKind::Ad) {
            let _ = write!(
                out,
                r##"<text class="ps-node-label" x="{}" y="{}" font-size="11" fill="{TEXT}" stroke="#FFFFFF" stroke-width="3" paint-order="stroke">{}</text>"##,
                num(x + r * 1.3 + 2.0),
                num(y + 4.0),
                escape(&truncate(&node.label, 24))
            );
        }
        if node.href.is_some() {
            out.push_str("</a>");
        }
        out.push_str("</g>");
    }
    out.push_str("</g></g>");
    svg::close(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn node(key: &str, kind: NodeKind) -> Node {
        Node {
            key: key.into(),
            kind,
            label: key.into(),
            href: None,
        }
    }

    fn edge(from: usize, to: usize) -> Edge {
        Edge {
            from,
            to,
            kind: "phone".into(),
        }
    }

    fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    }

    fn in_unit(p: &[(f64, f64)]) -> bool {
        p.iter().all(|&(x, y)| {
            x.is_finite() && y.is_finite() && (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)
        })
    }

    #[test]
    fn tiny_graphs() {
        assert!(layout(&Graph::default(), 1).is_empty());
        let one = Graph {
            nodes: vec![node("a", NodeKind::Ad)],
            edges: vec![],
        };
        assert_eq!(layout(&one, 1), vec![(0.5, 0.5)]);
        let two = Graph {
            nodes: vec![node("a", NodeKind::Ad), node("b", NodeKind::Phone)],
            edges: vec![edge(0, 1)],
        };
        let p = layout(&two, 1);
        assert!(in_unit(&p) && dist(p[0], p[1]) > 0.5, "{p:?}");
        let apart = Graph {
            nodes: two.nodes.clone(),
            edges: vec![],
        };
        let p = layout(&apart, 1);
        assert!(in_unit(&p) && dist(p[0], p[1]) > 0.5, "{p:?}");
    }

    #[test]
    fn same_keys_and_self_loops_do_not_break_it() {
        let g = Graph {
            nodes: (0..5).map(|_| node("same", NodeKind::Ad)).collect(),
            edges: vec![edge(0, 0), edge(0, 1), edge(1, 2), edge(9, 1)],
        };
        let p = layout(&g, 3);
        assert!(in_unit(&p), "{p:?}");
        for i in 0..5 {
            for j in i + 1..5 {
                assert!(dist(p[i], p[j]) > 1e-3, "{i} {j} {p:?}");
            }
        }
    }

    /// Two cliques of 6 joined by one edge, plus a star; run on small and large sizes so both
    /// repulsion paths are covered.
    fn clusters(size: usize) -> (Graph, Vec<(usize, usize)>) {
        let mut g = Graph::default();
        let mut edges = Vec::new();
        for c in 0..2 {
            let base = g.nodes.len();
            for i in 0..size {
                g.nodes.push(node(&format!("n{c}:{i}"), NodeKind::Ad));
            }
            for i in 0..size {
                // A ring with chords: connected, several links per node, not a full clique.
                for d in [1, 2, 5] {
                    let j = (i + d) % size;
                    if i != j {
                        edges.push((base + i, base + j));
                    }
                }
            }
        }
        edges.push((0, size));
        g.edges = edges.iter().map(|&(a, b)| edge(a, b)).collect();
        (g, edges)
    }

    #[test]
    fn connected_nodes_are_closer() {
        for size in [6, 40, 300] {
            let (g, edges) = clusters(size);
            let p = layout(&g, 7);
            assert!(in_unit(&p));
            let linked: f64 =
                edges.iter().map(|&(a, b)| dist(p[a], p[b])).sum::<f64>() / edges.len() as f64;
            let mut cross = 0.0;
            for i in 0..size {
                cross += dist(p[i], p[size + (i * 7) % size]);
            }
            cross /= size as f64;
            assert!(
                linked * 2.0 < cross,
                "size {size}: linked {linked}, across {cross}"
            );
        }
    }

    #[test]
    fn layout_is_deterministic_and_seeded() {
        let (g, _) = clusters(40);
        assert_eq!(layout(&g, 5), layout(&g, 5));
        assert_ne!(layout(&g, 5), layout(&g, 6));
        let opts = GraphOptions {
            label_nodes: true,
            ..GraphOptions::default()
        };
        assert_eq!(graph_svg(&g, &opts), graph_svg(&g, &opts));
    }

    #[test]
    fn components_do_not_overlap() {
        // Ten separate triangles: every node must be nearer to its own triangle than to others.
        let mut g = Graph::default();
        for t in 0..10 {
            for i in 0..3 {
                g.nodes.push(node(&format!("t{t}:{i}"), NodeKind::Ad));
            }
            g.edges.extend([
                edge(3 * t, 3 * t + 1),
                edge(3 * t + 1, 3 * t + 2),
                edge(3 * t, 3 * t + 2),
            ]);
        }
        let p = layout(&g, 0);
        assert!(in_unit(&p));
        for i in 0..30 {
            let own = (0..30)
                .filter(|&j| j != i && j / 3 == i / 3)
                .map(|j| dist(p[i], p[j]))
                .fold(0.0, f64::max);
            let other = (0..30)
                .filter(|&j| j / 3 != i / 3)
                .map(|j| dist(p[i], p[j]))
                .fold(f64::MAX, f64::min);
            assert!(own < other, "node {i}: own {own} other {other}");
        }
    }

    fn star_network() -> Graph {
        // Phone 0 with 6 ads (1..=6), email 7 shared by ads 1, 2, and ad 8 linked to nothing.
        let mut g = Graph::default();
        g.nodes.push(node("phone:1", NodeKind::Phone));
        for i in 1..=6 {
            g.nodes.push(node(&format!("ad:{i}"), NodeKind::Ad));
            g.edges.push(edge(0, i));
        }
        g.nodes.push(node("email:1", NodeKind::Email));
        g.edges.push(edge(7, 1));
        g.edges.push(edge(7, 2));
        g.nodes.push(node("ad:lonely", NodeKind::Ad));
        g
    }

    #[test]
    fn collapse_rule_counts() {
        let g = star_network();
        assert_eq!(collapse(&g, 100), g);
        let c = collapse(&g, 6);
        // 2 identifiers + 2 ads (1 and 2, the most linked) + "+4 more" under the phone + unlinked.
        assert!(c.nodes.len() <= 6, "{:?}", c.nodes);
        let keys: Vec<&str> = c.nodes.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "phone:1",
                "ad:1",
                "ad:2",
                "email:1",
                "more:phone:1",
                "more:unlinked"
            ]
        );
        assert_eq!(c.nodes[4].label, "+4 more ads");
        assert_eq!(c.nodes[5].label, "+1 more ad not linked to an identifier");
        assert_eq!(c.edges.iter().filter(|e| e.kind == "collapsed").count(), 1);
        // Phone–ad 1, phone–ad 2, email–ad 1, email–ad 2 survive.
        assert_eq!(c.edges.len(), 5);
        // Identifiers are never dropped, even when they alone exceed the budget.
        let c = collapse(&g, 1);
        assert_eq!(
            c.nodes
                .iter()
                .filter(|n| n.kind != NodeKind::Other && n.kind != NodeKind::Ad)
                .count(),
            2
        );
        assert_eq!(c.nodes.iter().filter(|n| n.kind == NodeKind::Ad).count(), 0);
        let under_email = c.nodes.iter().find(|n| n.key == "more:email:1").unwrap();
        assert_eq!(under_email.label, "+2 more ads");
    }

    #[test]
    fn svg_marks_nodes_and_edges() {
        let mut g = star_network();
        g.nodes[1].href = Some("/ads/1?x=<1>".into());
        g.nodes[1].label = "Ad \"1\" & co".into();
        let s = graph_svg(
            &g,
            &GraphOptions {
                label_nodes: true,
                ..GraphOptions::default()
            },
        );
        assert!(s.contains(r#"class="ps-chart ps-graph""#));
        assert!(s.contains(r#"<g class="ps-node ps-node-ad" data-node="1" data-key="ad:1"><a href="/ads/1?x=&lt;1&gt;"><title>Ad &quot;1&quot; &amp; co</title>"#), "{s}");
        assert!(s.contains(
            r#"<g class="ps-node ps-node-phone" data-node="0" data-key="phone:1" tabindex="0">"#
        ));
        assert!(s.contains(
            r#"class="ps-edge ps-edge-phone" data-kind="phone" data-from="0" data-to="1""#
        ));
        assert_eq!(s.matches("<line ").count(), 8);
        assert!(graph_svg(&Graph::default(), &GraphOptions::default()).contains("no data"));
    }

    #[test]
    fn identifiers_can_be_labelled_alone_and_the_legend_drawn_apart() {
        let g = star_network();
        let s = graph_svg(
            &g,
            &GraphOptions {
                label_identifiers: true,
                legend: false,
                ..GraphOptions::default()
            },
        );
        // Labels for the phone and the email, none for the seven ads.
        assert_eq!(
            s.matches(r#"<text class="ps-node-label""#).count(),
            2,
            "{s}"
        );
        assert!(s.contains(">phone:1</text>") && s.contains(">email:1</text>"));
        assert!(!s.contains("ps-legend"), "no legend inside the drawing");
        assert!(s.contains(r#"data-kind="phone""#));
        let legend = graph_legend_svg(&g);
        assert!(legend.contains("ps-graph-legend"));
        for kind in ["ps-node-ad", "ps-node-phone", "ps-node-email"] {
            assert!(legend.contains(kind), "{kind}: {legend}");
        }
        assert!(!legend.contains("ps-node-handle"), "only kinds present");
        // The default keeps the legend inside, for pictures shown alone (an exported file).
        assert!(graph_svg(&g, &GraphOptions::default()).contains("ps-legend"));
    }
}
