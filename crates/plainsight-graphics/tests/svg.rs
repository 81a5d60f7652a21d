//! Every picture parses as XML and carries its accessibility attributes; snapshots of one small
//! picture of each main kind pin the exact output, so any change to it is seen in review.

use chrono::{Days, NaiveDate};
use plainsight_graphics::{
    Bar, ChartOptions, Edge, Graph, GraphOptions, Node, NodeKind, Stop, bar_chart, collapse,
    graph_svg, movement_map, stacked_progress, time_series, timeline,
};

/// Parses `svg` as XML and checks what every picture must have.
fn check(svg: &str) -> roxmltree::Document<'_> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("invalid XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    for attr in ["role", "aria-label", "viewBox", "width", "height", "class"] {
        assert!(root.attribute(attr).is_some(), "missing {attr}: {svg}");
    }
    assert!(matches!(root.attribute("role"), Some("img" | "group")));
    let first = root.first_element_child().expect("a child");
    assert_eq!(first.tag_name().name(), "title");
    assert_eq!(first.text(), root.attribute("aria-label"));
    // CSP: no inline styles, no scripts, no ids to clash between pictures on one page.
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert!(node.attribute("style").is_none(), "inline style");
        assert!(node.attribute("id").is_none(), "id");
        assert_ne!(node.tag_name().name(), "script");
        assert_ne!(node.tag_name().name(), "style");
    }
    // Numbers: at most one decimal in every coordinate-like attribute.
    for node in doc.descendants().filter(|n| n.is_element()) {
        for a in node.attributes() {
            for token in a.value().split([' ', ',']) {
                let numeric = token
                    .trim_start_matches('-')
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.');
                if let Some((_, frac)) = token.split_once('.')
                    && numeric
                {
                    assert!(frac.len() <= 1, "{}={}", a.name(), a.value());
                }
            }
        }
    }
    doc
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, day).unwrap()
}

fn six_node_graph() -> Graph {
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
            n("ad:1", NodeKind::Ad, "Ad 1 <Houston>", Some("/ads/1")),
            n("ad:2", NodeKind::Ad, "Ad 2", Some("/ads/2")),
            n("ad:3", NodeKind::Ad, "Ad 3", None),
            n("phone:1", NodeKind::Phone, "(713) 555-0101", None),
            n("email:1", NodeKind::Email, "a&b@example.com", None),
            n("image:1", NodeKind::Image, "image 1f2e", None),
        ],
        edges: vec![
            e(0, 3, "phone"),
            e(1, 3, "phone"),
            e(1, 4, "email"),
            e(2, 4, "email"),
            e(2, 5, "image"),
        ],
    }
}

fn three_stops() -> Vec<Stop> {
    let s = |name: &str, st: &str, lat, lon, f: NaiveDate, days, ads| Stop {
        name: name.into(),
        admin1: st.into(),
        lat,
        lon,
        first_seen: Some(f),
        last_seen: Some(f + Days::new(days)),
        ads,
    };
    vec![
        s("Houston", "TX", 29.76, -95.37, d(1, 4), 20, 42),
        s("Dallas", "TX", 32.78, -96.8, d(2, 2), 12, 17),
        s("Oklahoma City", "OK", 35.47, -97.52, d(2, 22), 0, 5),
    ]
}

fn opts() -> ChartOptions {
    ChartOptions {
        unit: "ads".into(),
        ..ChartOptions::default()
    }
}

#[test]
fn snapshot_bar_chart() {
    let bars = [
        Bar::new("(713) 555-0101", 128.0).with_href("/identifiers/1?tab=ads&x=1"),
        Bar::new("sweet<3@example.com", 64.0),
        Bar::new("handle", 2.5),
    ];
    let svg = bar_chart("Ads per identifier", &bars, &opts());
    check(&svg);
    insta::assert_snapshot!(svg);
}

#[test]
fn snapshot_time_series() {
    let points: Vec<(NaiveDate, f64)> = (0..10u64)
        .map(|i| (d(3, 1) + Days::new(i * 2), ((i * 7) % 5) as f64))
        .collect();
    let svg = time_series("Ads posted", &points, &opts());
    check(&svg);
    insta::assert_snapshot!(svg);
}

#[test]
fn snapshot_graph() {
    let svg = graph_svg(
        &six_node_graph(),
        &GraphOptions {
            width: 400,
            height: 300,
            seed: 1,
            label_nodes: true,
            ..GraphOptions::default()
        },
    );
    let doc = check(&svg);
    let nodes = doc
        .descendants()
        .filter(|n| n.attribute("data-node").is_some())
        .count();
    assert_eq!(nodes, 6);
    insta::assert_snapshot!(svg);
}

#[test]
fn snapshot_map() {
    let svg = movement_map("Where the network advertised", &three_stops(), &opts());
    check(&svg);
    insta::assert_snapshot!(svg);
}

#[test]
fn every_picture_is_valid_and_deterministic() {
    let hostile = "<&>\"' \u{1}";
    let pictures = |title: &str| {
        let mut stops = three_stops();
        stops[0].name = hostile.into();
        let mut g = six_node_graph();
        g.nodes[2].label = hostile.into();
        g.nodes[2].key = hostile.into();
        g.edges[0].kind = hostile.into();
        vec![
            bar_chart(title, &[Bar::new(hostile, 1.0).with_href(hostile)], &opts()),
            bar_chart(title, &[], &opts()),
            time_series(title, &[(d(1, 1), 3.0), (d(12, 31), 1.5)], &opts()),
            time_series(title, &[(d(1, 1), 0.0)], &ChartOptions::default()),
            time_series(title, &[], &opts()),
            stacked_progress(title, &[(hostile.into(), 1.0), ("b".into(), 2.0)], &opts()),
            stacked_progress(title, &[], &opts()),
            graph_svg(
                &g,
                &GraphOptions {
                    label_nodes: true,
                    ..GraphOptions::default()
                },
            ),
            graph_svg(&collapse(&g, 4), &GraphOptions::default()),
            graph_svg(&Graph::default(), &GraphOptions::default()),
            movement_map(title, &stops, &opts()),
            movement_map(title, &stops[..1], &opts()),
            movement_map(title, &[], &opts()),
            timeline(title, &stops, &opts()),
            timeline(title, &[], &opts()),
        ]
    };
    let a = pictures(hostile);
    let b = pictures(hostile);
    assert_eq!(a, b);
    for svg in &a {
        check(svg);
        assert!(!svg.contains("<&>"), "unescaped: {svg}");
    }
}

#[test]
fn tiny_and_huge_options_still_draw() {
    let tiny = ChartOptions {
        width: 1,
        height: 1,
        unit: String::new(),
    };
    let bars: Vec<Bar> = (0..50)
        .map(|i| Bar::new(format!("bar {i}"), f64::from(i)))
        .collect();
    check(&bar_chart("t", &bars, &tiny));
    check(&time_series(
        "t",
        &[(d(1, 1), 1e12), (d(1, 2), f64::NAN)],
        &tiny,
    ));
    check(&movement_map("t", &three_stops(), &tiny));
    check(&timeline("t", &three_stops(), &tiny));
    let g = six_node_graph();
    check(&graph_svg(
        &g,
        &GraphOptions {
            width: 1,
            height: 1,
            seed: 0,
            label_nodes: true,
            ..GraphOptions::default()
        },
    ));
}

/// A movement map the size the network page draws it.
fn network_page_map(stops: &[Stop]) -> String {
    movement_map(
        "Movement between places",
        stops,
        &ChartOptions {
            width: 520,
            height: 360,
            unit: "ads".into(),
        },
    )
}

/// The points of an outline path (`M x y l dx dy dx dy … z`, whole pixels), made absolute.
fn outline_points(d: &str) -> Vec<(i64, i64)> {
    let mut points = Vec::new();
    for sub in d.split('M').filter(|s| !s.is_empty()) {
        let sub = sub.trim_end_matches('z');
        let (start, rest) = sub.split_once('l').unwrap_or((sub, ""));
        let xy: Vec<i64> = start.split(' ').map(|v| v.parse().unwrap()).collect();
        let (mut x, mut y) = (xy[0], xy[1]);
        points.push((x, y));
        let deltas: Vec<i64> = rest
            .split(' ')
            .filter(|v| !v.is_empty())
            .map(|v| v.parse().unwrap())
            .collect();
        for pair in deltas.chunks(2) {
            x += pair[0];
            y += pair[1];
            points.push((x, y));
        }
    }
    points
}

/// A map of stops in North Carolina draws the bundled outlines around them, under the graticule
/// and the stops: North Carolina where its cities are, its neighbours, and no state far away.
#[test]
fn a_map_of_north_carolina_draws_its_outline_and_not_oregons() {
    let s = |name: &str, lat, lon, ads| Stop {
        name: name.into(),
        admin1: "NC".into(),
        lat,
        lon,
        first_seen: Some(d(3, 1)),
        last_seen: Some(d(3, 9)),
        ads,
    };
    let stops = [
        s("Raleigh", 35.78, -78.64, 30),
        s("Charlotte", 35.23, -80.84, 12),
        s("Wilmington", 34.23, -77.94, 4),
        s("Asheville", 35.6, -82.55, 7),
    ];
    let svg = network_page_map(&stops);
    let doc = check(&svg);
    let regions: Vec<(&str, &str)> = doc
        .descendants()
        .filter_map(|n| Some((n.attribute("data-region")?, n.attribute("d")?)))
        .collect();
    let codes: Vec<&str> = regions.iter().map(|r| r.0).collect();
    for near in ["US-NC", "US-SC", "US-VA", "US-TN"] {
        assert!(codes.contains(&near), "{near} missing from {codes:?}");
    }
    for far in ["US-OR", "US-CA", "US-TX", "CA-ON", "484"] {
        assert!(
            !codes.contains(&far),
            "{far} drawn on a map of NC: {codes:?}"
        );
    }
    // Raleigh's circle lies inside the box of North Carolina's drawn outline, and the
    // outline's points stay near the drawing (only ends of segments that cross its edge lie
    // outside it).
    let nc = outline_points(regions.iter().find(|r| r.0 == "US-NC").unwrap().1);
    assert!(nc.len() > 40, "{nc:?}");
    let (x0, x1) = (
        nc.iter().map(|p| p.0).min().unwrap(),
        nc.iter().map(|p| p.0).max().unwrap(),
    );
    let (y0, y1) = (
        nc.iter().map(|p| p.1).min().unwrap(),
        nc.iter().map(|p| p.1).max().unwrap(),
    );
    let raleigh = doc
        .descendants()
        .find(|n| n.has_tag_name("title") && n.text().is_some_and(|t| t.starts_with("Raleigh")))
        .and_then(|t| t.next_sibling_element())
        .unwrap();
    let cx: f64 = raleigh.attribute("cx").unwrap().parse().unwrap();
    let cy: f64 = raleigh.attribute("cy").unwrap().parse().unwrap();
    assert!(
        (x0 as f64) < cx && cx < x1 as f64 && (y0 as f64) < cy && cy < y1 as f64,
        "Raleigh ({cx}, {cy}) outside NC's outline box {x0}..{x1} × {y0}..{y1}"
    );
    // Outlines sit under the graticule, which sits under the stops.
    let at = |class: &str| svg.find(class).unwrap();
    if let Some(countries) = svg.find("ps-outlines-country") {
        assert!(countries < at("ps-outlines-admin1"));
    }
    assert!(at("ps-outlines-admin1") < at("ps-graticule"));
    assert!(at("ps-graticule") < at("ps-stops"));
    // Simplified for the scale: a state-level map stays small.
    assert!(svg.len() < 40_000, "{} bytes", svg.len());
}

/// A map over the open sea draws no outline group at all.
#[test]
fn a_map_of_the_open_sea_draws_no_outlines() {
    let svg = movement_map(
        "m",
        &[Stop {
            name: "Mid-Atlantic".into(),
            admin1: String::new(),
            lat: 30.0,
            lon: -45.0,
            first_seen: None,
            last_seen: None,
            ads: 1,
        }],
        &opts(),
    );
    check(&svg);
    assert!(!svg.contains("ps-outlines"), "{svg}");
}

/// Zoomed out over the continent, every state, province and country in view is drawn, and the
/// outlines are simplified for the scale, so the map is no bigger than a zoomed-in one.
#[test]
fn a_continent_wide_map_draws_the_continent_and_stays_small() {
    let s = |name: &str, admin1: &str, lat, lon| Stop {
        name: name.into(),
        admin1: admin1.into(),
        lat,
        lon,
        first_seen: None,
        last_seen: None,
        ads: 3,
    };
    let stops = [
        s("Seattle", "WA", 47.61, -122.33),
        s("San Diego", "CA", 32.72, -117.16),
        s("Miami", "FL", 25.76, -80.19),
        s("Boston", "MA", 42.36, -71.06),
        s("Toronto", "ON", 43.65, -79.38),
        s("Monterrey", "NL", 25.69, -100.32),
    ];
    let svg = network_page_map(&stops);
    let doc = check(&svg);
    let codes: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("data-region"))
        .collect();
    for code in [
        "US-WA", "US-CA", "US-FL", "US-MA", "US-KS", "CA-ON", "CA-QC", "484",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    assert!(
        !codes.contains(&"US-HI"),
        "Hawaii is far outside: {codes:?}"
    );
    // Zoomed out, the graticule thins out so its labels stay apart.
    assert!(svg.contains("Grid: 10°."), "{svg}");
    assert!(svg.len() < 60_000, "{} bytes", svg.len());
}
