//! Writes sample SVGs of every picture into the folder given on the command line, for looking at
//! them (e.g. `rsvg-convert -o x.png x.svg`), and prints how long the layout of a 600-node
//! network takes.
//!
//! `cargo run --release -p plainsight-graphics --example render -- /tmp/ps-svg`

use std::time::Instant;

use chrono::{Days, NaiveDate};
use plainsight_graphics::{
    Bar, ChartOptions, Edge, Graph, GraphOptions, Node, NodeKind, Stop, bar_chart, collapse,
    graph_svg, layout, movement_map, stacked_progress, time_series, timeline,
};

fn rng(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A network shaped like real ones: groups of ads sharing a phone, some groups joined by a
/// shared email or image, plus a few stray pairs.
fn network(ads: usize, seed: u64) -> Graph {
    let mut s = seed;
    let mut g = Graph::default();
    let kinds = [
        NodeKind::Phone,
        NodeKind::Email,
        NodeKind::Handle,
        NodeKind::Image,
        NodeKind::Template,
    ];
    let idents = (ads / 5).max(2);
    for i in 0..idents {
        let kind = kinds[if i % 3 == 0 {
            0
        } else {
            (rng(&mut s) % 5) as usize
        }];
        g.nodes.push(Node {
            key: format!("{}:{i}", kind_name(kind)),
            kind,
            label: format!("{} {}", kind_name(kind), 5550100 + i),
            href: None,
        });
    }
    for a in 0..ads {
        let idx = g.nodes.len();
        g.nodes.push(Node {
            key: format!("ad:{a}"),
            kind: NodeKind::Ad,
            label: format!("Ad {a}"),
            href: Some(format!("/ads/{a}")),
        });
        let home = a * idents / ads;
        g.edges.push(Edge {
            from: idx,
            to: home,
            kind: kind_name(g.nodes[home].kind).into(),
        });
        if rng(&mut s).is_multiple_of(4) {
            let other = (rng(&mut s) % idents as u64) as usize;
            g.edges.push(Edge {
                from: idx,
                to: other,
                kind: kind_name(g.nodes[other].kind).into(),
            });
        }
    }
    g
}

fn kind_name(k: NodeKind) -> &'static str {
    k.as_str()
}

fn small_graph() -> Graph {
    let n = |key: &str, kind, label: &str, href: Option<&str>| Node {
        key: key.into(),
        kind,
        label: label.into(),
        href: href.map(Into::into),
    };
    let e = |from, to, kind: &str| Edge {
        from,
        to,
        kind: kind.into(),
    };
    Graph {
        nodes: vec![
            n("ad:101", NodeKind::Ad, "Ad 101 — Houston", Some("/ads/101")),
            n("ad:102", NodeKind::Ad, "Ad 102 — Dallas", Some("/ads/102")),
            n("ad:103", NodeKind::Ad, "Ad 103 — Austin", Some("/ads/103")),
            n(
                "phone:+17135550101",
                NodeKind::Phone,
                "(713) 555-0101",
                None,
            ),
            n(
                "email:x@example.com",
                NodeKind::Email,
                "x@example.com",
                None,
            ),
            n("handle:sweet<3", NodeKind::Handle, "@sweet<3", None),
            n("image:ab12", NodeKind::Image, "image ab12…", None),
            n("template:7", NodeKind::Template, "template #7", None),
        ],
        edges: vec![
            e(0, 3, "phone"),
            e(1, 3, "phone"),
            e(1, 4, "email"),
            e(2, 4, "email"),
            e(2, 5, "handle"),
            e(0, 6, "image"),
            e(2, 7, "template"),
            e(1, 7, "template"),
        ],
    }
}

fn stops() -> Vec<Stop> {
    let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day);
    let s = |name: &str, st: &str, lat, lon, f, l, ads| Stop {
        name: name.into(),
        admin1: st.into(),
        lat,
        lon,
        first_seen: f,
        last_seen: l,
        ads,
    };
    vec![
        s("Houston", "TX", 29.76, -95.37, d(1, 4), d(1, 30), 42),
        s("Dallas", "TX", 32.78, -96.8, d(2, 2), d(2, 20), 17),
        s("Oklahoma City", "OK", 35.47, -97.52, d(2, 22), d(3, 3), 5),
        s("Shreveport", "LA", 32.5, -93.75, d(3, 10), d(3, 12), 2),
        s("Houston", "TX", 29.76, -95.37, d(3, 20), d(4, 28), 30),
        s("San Antonio", "TX", 29.42, -98.49, None, None, 1),
    ]
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: render <output folder>");
        std::process::exit(2);
    });
    std::fs::create_dir_all(&dir).expect("create output folder");
    let write = |name: &str, svg: String| {
        let path = format!("{dir}/{name}.svg");
        std::fs::write(&path, svg).expect("write svg");
        println!("{path}");
    };
    let opts = ChartOptions {
        unit: "ads".into(),
        ..ChartOptions::default()
    };

    let bars = vec![
        Bar::new("(713) 555-0101", 128.0).with_href("/identifiers/1"),
        Bar::new("sweetcandy@example.com", 64.0).with_href("/identifiers/2"),
        Bar::new(
            "a very long handle name that will not fit in the label column",
            12.0,
        ),
        Bar::new("<script>&amp;", 3.0),
        Bar::new("zero", 0.0),
    ];
    write("bar_chart", bar_chart("Ads per identifier", &bars, &opts));

    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut s = 7u64;
    let daily: Vec<(NaiveDate, f64)> = (0..60)
        .map(|i| (start + Days::new(i), (rng(&mut s) % 14) as f64))
        .collect();
    write("time_series_days", time_series("Ads posted", &daily, &opts));
    let weekly: Vec<(NaiveDate, f64)> = (0..400)
        .map(|i| (start + Days::new(i), (rng(&mut s) % 30) as f64))
        .collect();
    write(
        "time_series_weeks",
        time_series("Ads posted", &weekly, &opts),
    );
    write(
        "time_series_one",
        time_series("Ads posted", &daily[..1], &opts),
    );
    write("time_series_empty", time_series("Ads posted", &[], &opts));
    write(
        "progress",
        stacked_progress(
            "Review progress",
            &[
                ("Reviewed".into(), 120.0),
                ("Not reviewed".into(), 300.0),
                ("Not relevant".into(), 2.0),
            ],
            &opts,
        ),
    );

    let g = small_graph();
    write(
        "graph_small",
        graph_svg(
            &g,
            &GraphOptions {
                label_nodes: true,
                ..GraphOptions::default()
            },
        ),
    );
    let big = network(500, 1);
    write("graph_600", graph_svg(&big, &GraphOptions::default()));
    write(
        "graph_collapsed",
        graph_svg(
            &collapse(&network(200, 2), 150),
            &GraphOptions {
                label_nodes: true,
                ..GraphOptions::default()
            },
        ),
    );

    write(
        "map",
        movement_map("Where the network advertised", &stops(), &opts),
    );
    write("map_one", movement_map("One place", &stops()[..1], &opts));
    write("timeline", timeline("When, where", &stops(), &opts));

    // Timing: best of several runs, so a busy machine does not inflate the number. The last case
    // is one phone shared by 599 ads: one dense component, the worst case for the grid.
    let mut star = Graph::default();
    star.nodes.push(Node {
        key: "phone:0".into(),
        kind: NodeKind::Phone,
        label: "p".into(),
        href: None,
    });
    for a in 1..600 {
        star.nodes.push(Node {
            key: format!("ad:{a}"),
            kind: NodeKind::Ad,
            label: String::new(),
            href: None,
        });
        star.edges.push(Edge {
            from: 0,
            to: a,
            kind: "phone".into(),
        });
    }
    write("graph_star", graph_svg(&star, &GraphOptions::default()));
    for g in [network(100, 3), network(500, 3), star] {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let p = layout(&g, 0);
            std::hint::black_box(p);
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "layout of {} nodes, {} edges: {best:.1} ms",
            g.nodes.len(),
            g.edges.len()
        );
    }
}
