//! Offline boundaries for the movement map: US states, Canadian provinces and territories, and
//! the world's countries, bundled as our own compact text file (`data/outlines/outlines.txt`,
//! made from public-domain US Census Bureau and Natural Earth data by `make.py`; see
//! `SOURCES.md` there), parsed once at first use.
//!
//! The map asks for the rings that cross its view and draws them as open strokes, clipped to
//! the view and simplified again for its scale, so a zoomed-out map costs no more bytes than a
//! zoomed-in one.

use std::sync::LazyLock;

/// The bundled file, as committed.
const BUNDLED: &str = include_str!("../data/outlines/outlines.txt");

/// The first line every outlines file starts with (after comments).
const HEADER: &str = "plainsight-outlines 1";

/// What a region is: it decides how heavily its border is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    Country,
    /// A US state (or DC, or a territory).
    State,
    /// A Canadian province or territory.
    Province,
}

impl RegionKind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "country" => Some(Self::Country),
            "state" => Some(Self::State),
            "province" => Some(Self::Province),
            _ => None,
        }
    }
}

/// A closed ring of points in hundredths of a degree (longitude, latitude), with its bounding
/// box, so the map can skip rings outside its view without looking at their points.
#[derive(Debug, Clone, PartialEq)]
pub struct Ring {
    /// (longitude, latitude) in hundredths of a degree; closes on the first point.
    pub points: Vec<(i32, i32)>,
    /// min lon, min lat, max lon, max lat, in hundredths of a degree.
    pub bbox: [i32; 4],
}

impl Ring {
    /// Whether the ring's bounding box meets the box (degrees) `lon0..lon1` × `lat0..lat1`.
    pub fn meets(&self, lon0: f64, lat0: f64, lon1: f64, lat1: f64) -> bool {
        let [a, b, c, d] = self.bbox.map(|v| f64::from(v) / 100.0);
        a <= lon1 && c >= lon0 && b <= lat1 && d >= lat0
    }
}

/// One state, province or country.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub kind: RegionKind,
    /// "US-NC", "CA-ON", or a country's ISO 3166-1 numeric code ("484"; "-" when it has none).
    pub code: String,
    pub name: String,
    pub rings: Vec<Ring>,
}

/// Every region of an outlines file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outlines {
    pub regions: Vec<Region>,
}

/// Why an outlines file could not be read; `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutlineError {
    #[error("not an outlines file: expected \"plainsight-outlines 1\" first, found {found:?}")]
    Header { found: String },
    #[error("line {line}: unknown record {record:?} (expected region or ring)")]
    UnknownRecord { line: usize, record: String },
    #[error("line {line}: a region needs a kind (country, state, province), a code and a name")]
    Region { line: usize },
    #[error("line {line}: a ring before any region")]
    RingWithoutRegion { line: usize },
    #[error("line {line}: {token:?} is not a whole number of hundredths of a degree")]
    Number { line: usize, token: String },
    #[error("line {line}: a ring's coordinates come in pairs")]
    OddCoordinates { line: usize },
    #[error("line {line}: a ring needs at least 3 points")]
    TooFewPoints { line: usize },
    #[error(
        "line {line}: a point lies outside -180..180 degrees of longitude or -90..90 of latitude"
    )]
    OutOfRange { line: usize },
}

impl Outlines {
    /// Reads an outlines file (the format `make.py` writes and documents).
    pub fn parse(text: &str) -> Result<Self, OutlineError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        match lines.next() {
            Some((_, l)) if l.trim() == HEADER => {}
            other => {
                return Err(OutlineError::Header {
                    found: other
                        .map(|(_, l)| l.chars().take(40).collect())
                        .unwrap_or_default(),
                });
            }
        }
        let mut regions: Vec<Region> = Vec::new();
        for (line, l) in lines {
            let (record, rest) = l.split_once(' ').unwrap_or((l, ""));
            match record {
                "region" => {
                    let mut parts = rest.splitn(3, ' ');
                    let kind = parts.next().and_then(RegionKind::parse);
                    let code = parts.next().filter(|c| !c.is_empty());
                    let name = parts.next().map(str::trim).filter(|n| !n.is_empty());
                    let (Some(kind), Some(code), Some(name)) = (kind, code, name) else {
                        return Err(OutlineError::Region { line });
                    };
                    regions.push(Region {
                        kind,
                        code: code.to_owned(),
                        name: name.to_owned(),
                        rings: Vec::new(),
                    });
                }
                "ring" => {
                    let ring = parse_ring(rest, line)?;
                    regions
                        .last_mut()
                        .ok_or(OutlineError::RingWithoutRegion { line })?
                        .rings
                        .push(ring);
                }
                other => {
                    return Err(OutlineError::UnknownRecord {
                        line,
                        record: other.chars().take(40).collect(),
                    });
                }
            }
        }
        Ok(Outlines { regions })
    }

    /// The bundled outlines, parsed at first use. `None` only if the committed file were
    /// broken, which `the_bundled_outlines_parse_and_hold_every_state_and_province` rules out;
    /// the map then simply draws no outlines.
    pub fn bundled() -> Option<&'static Outlines> {
        static PARSED: LazyLock<Result<Outlines, OutlineError>> =
            LazyLock::new(|| Outlines::parse(BUNDLED));
        PARSED.as_ref().ok()
    }

    /// The region with this code, if any.
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }
}

/// One `ring` line's coordinates: an absolute first point, then deltas.
fn parse_ring(rest: &str, line: usize) -> Result<Ring, OutlineError> {
    let mut values = Vec::new();
    for token in rest.split_ascii_whitespace() {
        let v: i32 = token.parse().map_err(|_| OutlineError::Number {
            line,
            token: token.chars().take(20).collect(),
        })?;
        values.push(v);
    }
    if values.len() % 2 != 0 {
        return Err(OutlineError::OddCoordinates { line });
    }
    if values.len() < 6 {
        return Err(OutlineError::TooFewPoints { line });
    }
    let mut points = Vec::with_capacity(values.len() / 2);
    let (mut lon, mut lat) = (0i32, 0i32);
    for (n, pair) in values.chunks_exact(2).enumerate() {
        if n == 0 {
            (lon, lat) = (pair[0], pair[1]);
        } else {
            // Checked: a huge delta must be an error, not an overflow.
            lon = lon
                .checked_add(pair[0])
                .ok_or(OutlineError::OutOfRange { line })?;
            lat = lat
                .checked_add(pair[1])
                .ok_or(OutlineError::OutOfRange { line })?;
        }
        if !(-18_000..=18_000).contains(&lon) || !(-9_000..=9_000).contains(&lat) {
            return Err(OutlineError::OutOfRange { line });
        }
        points.push((lon, lat));
    }
    let mut bbox = [i32::MAX, i32::MAX, i32::MIN, i32::MIN];
    for &(x, y) in &points {
        bbox = [
            bbox[0].min(x),
            bbox[1].min(y),
            bbox[2].max(x),
            bbox[3].max(y),
        ];
    }
    Ok(Ring { points, bbox })
}

/// The parts of a ring to draw in a view: runs of projected points (whole pixels), cut exactly
/// at the edges of `view` (x0, y0, x1, y1, in pixels), each simplified by Douglas–Peucker to
/// `tolerance` pixels. A ring entirely in view comes back as one run that the caller closes
/// (`true`); a clipped ring as open runs (`false`).
pub(crate) fn visible_runs(
    projected: &[(f64, f64)],
    view: (f64, f64, f64, f64),
    tolerance: f64,
) -> (Vec<Vec<(i64, i64)>>, bool) {
    let n = projected.len();
    if n < 2 {
        return (Vec::new(), false);
    }
    let (x0, y0, x1, y1) = view;
    let round = |p: (f64, f64)| (p.0.round() as i64, p.1.round() as i64);
    let inside = |p: &(f64, f64)| p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1;
    if projected.iter().all(inside) {
        let mut run = projected.to_vec();
        // Closing point included so the simplification keeps the ring's shape at the seam.
        run.push(projected[0]);
        let mut points: Vec<(i64, i64)> = Vec::with_capacity(run.len());
        for p in simplify(&run, tolerance) {
            let q = round(p);
            if points.last() != Some(&q) {
                points.push(q);
            }
        }
        if points.len() > 1 && points.first() == points.last() {
            points.pop();
        }
        return if points.len() >= 2 {
            (vec![points], true)
        } else {
            (Vec::new(), false)
        };
    }
    // Segment i joins point i and point i + 1 (the last one closes the ring). A segment whose
    // bounding box misses the view cannot cross it: runs of the others are simplified, then
    // each of their segments is cut to the view exactly.
    let near = |i: usize| {
        let (a, b) = (projected[i], projected[(i + 1) % n]);
        a.0.min(b.0) <= x1 && a.0.max(b.0) >= x0 && a.1.min(b.1) <= y1 && a.1.max(b.1) >= y0
    };
    let near: Vec<bool> = (0..n).map(near).collect();
    let mut runs: Vec<Vec<(i64, i64)>> = Vec::new();
    let mut cut = |run: &[(f64, f64)]| {
        let simplified = simplify(run, tolerance);
        let mut current: Vec<(i64, i64)> = Vec::new();
        for pair in simplified.windows(2) {
            let Some((a, b)) = clip_segment(pair[0], pair[1], view) else {
                continue;
            };
            let (a, b) = (round(a), round(b));
            if current.last() != Some(&a) {
                if current.len() >= 2 {
                    runs.push(std::mem::take(&mut current));
                }
                current = vec![a];
            }
            if current.last() != Some(&b) {
                current.push(b);
            }
        }
        if current.len() >= 2 {
            runs.push(current);
        }
    };
    // Start just after a segment far from the view, so no run is split at the array's end.
    let start = (0..n).find(|&i| !near[i]).map_or(0, |i| i + 1);
    let mut run: Vec<(f64, f64)> = Vec::new();
    for k in 0..n {
        let i = (start + k) % n;
        if near[i] {
            if run.is_empty() {
                run.push(projected[i]);
            }
            run.push(projected[(i + 1) % n]);
        } else if !run.is_empty() {
            cut(&run);
            run.clear();
        }
    }
    if !run.is_empty() {
        cut(&run);
    }
    (runs, false)
}

/// The part of segment a→b inside the box (x0, y0, x1, y1), if any (Liang–Barsky).
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    (x0, y0, x1, y1): (f64, f64, f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None; // Parallel to this edge and outside it.
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then_some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

/// Douglas–Peucker on a polyline in pixels, end points kept (iterative: rings can be long).
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0usize, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let (a, b) = (points[first], points[last]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length = (dx * dx + dy * dy).sqrt();
        let mut farthest = (-1.0, 0usize);
        for (i, p) in points.iter().enumerate().take(last).skip(first + 1) {
            let d = if length == 0.0 {
                ((p.0 - a.0).powi(2) + (p.1 - a.1).powi(2)).sqrt()
            } else {
                (dy * (p.0 - a.0) - dx * (p.1 - a.1)).abs() / length
            };
            if d > farthest.0 {
                farthest = (d, i);
            }
        }
        if farthest.0 > tolerance {
            keep[farthest.1] = true;
            stack.push((first, farthest.1));
            stack.push((farthest.1, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_outlines_parse_and_hold_every_state_and_province() {
        let parsed = Outlines::parse(BUNDLED);
        let outlines = parsed.as_ref().expect("the bundled file parses");
        let count = |kind| outlines.regions.iter().filter(|r| r.kind == kind).count();
        // 50 states, DC and 5 territories; 13 provinces and territories; ~240 countries.
        assert_eq!(count(RegionKind::State), 56);
        assert_eq!(count(RegionKind::Province), 13);
        assert!(count(RegionKind::Country) > 200);
        let nc = outlines.region("US-NC").expect("North Carolina");
        assert_eq!(nc.name, "North Carolina");
        // North Carolina lies within 84.4°W–75.4°W, 33.8°N–36.6°N.
        let [a, b, c, d] = nc.rings.iter().map(|r| r.bbox).fold(
            [i32::MAX, i32::MAX, i32::MIN, i32::MIN],
            |m, r| {
                [
                    m[0].min(r[0]),
                    m[1].min(r[1]),
                    m[2].max(r[2]),
                    m[3].max(r[3]),
                ]
            },
        );
        assert!(
            (-8450..=-8420).contains(&a) && (3380..=3390).contains(&b),
            "{a} {b}"
        );
        assert!(
            (-7560..=-7530).contains(&c) && (3650..=3662).contains(&d),
            "{c} {d}"
        );
        assert_eq!(
            outlines.region("CA-ON").map(|r| r.name.as_str()),
            Some("Ontario")
        );
        assert_eq!(
            outlines.region("484").map(|r| r.name.as_str()),
            Some("Mexico")
        );
        // The US and Canada are drawn by their states and provinces, not twice.
        assert!(outlines.region("840").is_none() && outlines.region("124").is_none());
        assert!(Outlines::bundled().is_some());
    }

    #[test]
    fn a_malformed_file_is_refused_with_a_typed_error() {
        let ok = "plainsight-outlines 1\nregion state US-XX Testland\nring 100 200 10 0 0 10\n";
        let parsed = Outlines::parse(ok).unwrap();
        assert_eq!(
            parsed.regions[0].rings[0].points,
            vec![(100, 200), (110, 200), (110, 210)]
        );
        assert_eq!(parsed.regions[0].rings[0].bbox, [100, 200, 110, 210]);
        let cases: [(&str, OutlineError); 9] = [
            (
                "",
                OutlineError::Header {
                    found: String::new(),
                },
            ),
            (
                "plainsight-outlines 2\n",
                OutlineError::Header {
                    found: "plainsight-outlines 2".into(),
                },
            ),
            (
                "plainsight-outlines 1\nring 1 2 3 4 5 6\n",
                OutlineError::RingWithoutRegion { line: 2 },
            ),
            (
                "plainsight-outlines 1\nregion shire X Y\n",
                OutlineError::Region { line: 2 },
            ),
            (
                "plainsight-outlines 1\nregion state US-XX\n",
                OutlineError::Region { line: 2 },
            ),
            (
                "plainsight-outlines 1\nregion state A B\nring 1 2 x 4 5 6\n",
                OutlineError::Number {
                    line: 3,
                    token: "x".into(),
                },
            ),
            (
                "plainsight-outlines 1\nregion state A B\n# note\nring 1 2 3 4 5\n",
                OutlineError::OddCoordinates { line: 4 },
            ),
            (
                "plainsight-outlines 1\nregion state A B\nring 1 2 3 4\n",
                OutlineError::TooFewPoints { line: 3 },
            ),
            (
                "plainsight-outlines 1\nregion state A B\nring 17990 0 20 0 0 5\n",
                OutlineError::OutOfRange { line: 3 },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Outlines::parse(text), Err(expected), "{text:?}");
        }
        assert!(matches!(
            Outlines::parse("plainsight-outlines 1\npolygon 1 2\n"),
            Err(OutlineError::UnknownRecord { line: 2, .. })
        ));
        // An overflowing delta is an error, not a panic.
        assert_eq!(
            Outlines::parse(
                "plainsight-outlines 1\nregion state A B\nring 0 0 2147483647 0 2147483647 0\n"
            ),
            Err(OutlineError::OutOfRange { line: 3 })
        );
    }

    #[test]
    fn rings_are_clipped_to_the_view_and_simplified() {
        // A square 0..100 with a wobbly top edge, viewed whole and through its left half.
        let mut ring: Vec<(f64, f64)> = vec![(0.0, 0.0)];
        for i in 1..100 {
            ring.push((f64::from(i), if i % 2 == 0 { 0.2 } else { -0.2 }));
        }
        ring.extend([(100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]);
        let (runs, closed) = visible_runs(&ring, (-10.0, -10.0, 110.0, 110.0), 0.7);
        assert!(closed);
        assert_eq!(runs, vec![vec![(0, 0), (100, 0), (100, 100), (0, 100)]]);
        // Only the left part is in view: the right edge is left out, the top and bottom edges
        // are cut where they leave the view, and the wobbles of the top edge are simplified
        // away.
        let (runs, closed) = visible_runs(&ring, (-10.0, -10.0, 40.0, 110.0), 0.7);
        assert!(!closed);
        assert_eq!(runs, vec![vec![(40, 100), (0, 100), (0, 0), (40, 0)]]);
        // A corner in view: the ring enters through one edge and leaves through the other.
        let (runs, _) = visible_runs(&ring, (90.0, 90.0, 200.0, 200.0), 0.7);
        assert_eq!(runs, vec![vec![(100, 90), (100, 100), (90, 100)]]);
        // Segments cut exactly, parallel ones too.
        let view = (0.0, 0.0, 10.0, 10.0);
        assert_eq!(
            clip_segment((-5.0, 5.0), (15.0, 5.0), view),
            Some(((0.0, 5.0), (10.0, 5.0)))
        );
        assert_eq!(clip_segment((-5.0, 11.0), (15.0, 11.0), view), None);
        assert_eq!(clip_segment((-5.0, 30.0), (30.0, -5.0), view), None);
        // Entirely outside: nothing.
        let (runs, _) = visible_runs(&ring, (200.0, 200.0, 300.0, 300.0), 0.7);
        assert!(runs.is_empty());
    }
}
