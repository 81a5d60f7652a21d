//! Where a network advertised and when, without map tiles (the machines have no internet): a
//! movement map on a plain equirectangular projection with bundled boundaries and a graticule,
//! and a Gantt-style timeline of the same stops.

use std::fmt::Write as _;

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::charts::ChartOptions;
use crate::outlines::{self, Outlines, RegionKind};
use crate::svg::{
    self, AXIS, BLUE, GRID, TEXT, TEXT_MUTED, display_value, escape, num, text_width, truncate,
};

/// A place where ads were posted, with the dates seen there and how many ads.
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    pub name: String,
    /// State or province code, e.g. "TX".
    pub admin1: String,
    pub lat: f64,
    pub lon: f64,
    pub first_seen: Option<NaiveDate>,
    pub last_seen: Option<NaiveDate>,
    pub ads: u64,
}

impl Stop {
    /// "City, ST" (just the city when there is no admin1).
    pub fn place(&self) -> String {
        if self.admin1.is_empty() {
            self.name.clone()
        } else {
            format!("{}, {}", self.name, self.admin1)
        }
    }

    fn dates(&self) -> String {
        let f =
            |d: Option<NaiveDate>| d.map_or("?".to_owned(), |d| d.format("%Y-%m-%d").to_string());
        match (self.first_seen, self.last_seen) {
            (None, None) => "dates unknown".to_owned(),
            (a, b) if a == b => f(a),
            (a, b) => format!("{} to {}", f(a), f(b)),
        }
    }

    fn ads_text(&self) -> String {
        format!(
            "{} {}",
            display_value(self.ads as f64),
            if self.ads == 1 { "ad" } else { "ads" }
        )
    }
}

/// Stops in circuit order: by first_seen, ties in the given order; stops without a first_seen
/// are not part of the circuit.
fn circuit(stops: &[Stop]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..stops.len())
        .filter(|&i| stops[i].first_seen.is_some())
        .collect();
    order.sort_by_key(|&i| (stops[i].first_seen, i));
    order
}

/// Degrees of a graticule label: "35°N", "100°W", "0°".
fn degrees(v: f64, pos: char, neg: char) -> String {
    let a = v.abs().round() as i64;
    if a == 0 {
        "0°".to_owned()
    } else {
        format!("{a}°{}", if v > 0.0 { pos } else { neg })
    }
}

/// The movement map: circles sized by √ads at each stop, labelled "City, ST", numbered arrows
/// along the circuit (stops in order of first seen), over the outlines of the states,
/// provinces and countries in view ([`crate::outlines`]) and a graticule (every 5°, or 10°, 20°
/// or 30° when zoomed out so its labels never run together) so distances can be judged. The projection is equirectangular with longitudes shrunk by cos(mid latitude), fitted
/// to the stops' bounding box with padding (at least 2° across, so one stop or a tight cluster is
/// centred rather than blown up).
pub fn movement_map(title: &str, stops: &[Stop], opts: &ChartOptions) -> String {
    let w = opts.width_or(640.0);
    // Coordinates are the caller's promise; a non-finite one would poison the whole projection,
    // so such a stop is left out rather than drawn somewhere wrong.
    let shown: Vec<usize> = (0..stops.len())
        .filter(|&i| stops[i].lat.is_finite() && stops[i].lon.is_finite())
        .collect();
    if shown.is_empty() {
        return svg::no_data("ps-map", title, w);
    }
    let h = opts.height_or((w * 0.625).round());
    const MARGIN: f64 = 24.0;
    const FOOT: f64 = 20.0;
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &i in &shown {
        lat0 = lat0.min(stops[i].lat);
        lat1 = lat1.max(stops[i].lat);
        lon0 = lon0.min(stops[i].lon);
        lon1 = lon1.max(stops[i].lon);
    }
    let kx = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.05);
    // Projected box (x = lon·kx, y = −lat), padded by 15% and to at least 2° each way.
    let (cx, cy) = ((lon0 + lon1) / 2.0 * kx, -(lat0 + lat1) / 2.0);
    let span_x = ((lon1 - lon0) * kx * 1.3).max(2.0);
    let span_y = ((lat1 - lat0) * 1.3).max(2.0);
    let (plot_w, plot_h) = (w - 2.0 * MARGIN, h - 2.0 * MARGIN - FOOT);
    // Labels extend right of the circles: leave a little more room on that side.
    let scale = (plot_w / (span_x * 1.15)).min(plot_h / span_y);
    let (mx, my) = (MARGIN + plot_w / 2.0, MARGIN + plot_h / 2.0);
    let project = |lat: f64, lon: f64| (mx + (lon * kx - cx) * scale, my + (-lat - cy) * scale);
    // The visible degrees, for the graticule.
    let vis_lon0 = (cx - (mx - 0.0) / scale) / kx;
    let vis_lon1 = (cx + (w - mx) / scale) / kx;
    let vis_lat1 = -(cy - my / scale);
    let vis_lat0 = -(cy + (h - FOOT - my) / scale);

    let mut out = String::new();
    svg::open(&mut out, "ps-map", title, w, h, false);
    let _ = write!(
        out,
        r##"<rect class="ps-map-bg" x="0" y="0" width="{}" height="{}" fill="#F8FAFC"/>"##,
        num(w),
        num(h - FOOT)
    );

    draw_outlines(
        &mut out,
        &project,
        (vis_lon0, vis_lat0, vis_lon1, vis_lat1),
        (w, h - FOOT),
        scale,
    );

    out.push_str(r#"<g class="ps-graticule">"#);
    let bottom = h - FOOT;
    // The finest step whose longitude lines stand far enough apart for their labels
    // ("135°W" is about 35 px at 10 px).
    let step = [5.0, 10.0, 20.0, 30.0]
        .into_iter()
        .find(|step| step * kx * scale >= 44.0)
        .unwrap_or(30.0);
    let mut lon = (vis_lon0 / step).ceil() * step;
    while lon <= vis_lon1 {
        let (x, _) = project(0.0, lon);
        let _ = write!(
            out,
            r#"<line class="ps-grid" x1="{x}" y1="0" x2="{x}" y2="{}" stroke="{GRID}"/><text class="ps-label ps-tick" x="{}" y="{}" font-size="10" fill="{TEXT_MUTED}">{}</text>"#,
            num(bottom),
            num(x + 3.0),
            num(bottom - 4.0),
            degrees(lon, 'E', 'W'),
            x = num(x),
        );
        lon += step;
    }
    let mut lat = (vis_lat0 / step).ceil() * step;
    while lat <= vis_lat1 {
        let (_, y) = project(lat, 0.0);
        let _ = write!(
            out,
            r#"<line class="ps-grid" x1="0" y1="{y}" x2="{}" y2="{y}" stroke="{GRID}"/><text class="ps-label ps-tick" x="3" y="{}" font-size="10" fill="{TEXT_MUTED}">{}</text>"#,
            num(w),
            num(y - 3.0),
            degrees(lat, 'N', 'S'),
            y = num(y),
        );
        lat += step;
    }
    out.push_str("</g>");

    let max_ads = shown
        .iter()
        .map(|&i| stops[i].ads)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let radius = |ads: u64| 4.0 + 12.0 * (ads as f64 / max_ads).sqrt();
    let at = |i: usize| project(stops[i].lat, stops[i].lon);

    // The circuit: a slightly bent arrow per leg (so A→B and B→A do not cover each other), from
    // circle edge to circle edge, numbered at its middle.
    let order: Vec<usize> = circuit(stops)
        .into_iter()
        .filter(|i| shown.contains(i))
        .collect();
    let mut legs = String::new();
    let mut numbers = String::new();
    for (leg, pair) in order.windows(2).enumerate() {
        let (a, b) = (at(pair[0]), at(pair[1]));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        let (ra, rb) = (radius(stops[pair[0]].ads), radius(stops[pair[1]].ads));
        if len <= ra + rb + 4.0 {
            continue; // Same place or touching circles: no room for an arrow.
        }
        let (ux, uy) = (dx / len, dy / len);
        let bend = (len * 0.12).min(30.0);
        let ctrl = ((a.0 + b.0) / 2.0 - uy * bend, (a.1 + b.1) / 2.0 + ux * bend);
        // Ends pulled back to the circle edges, along the directions towards the control point.
        let toward = |p: (f64, f64), q: (f64, f64), r: f64| {
            let (ex, ey) = (q.0 - p.0, q.1 - p.1);
            let el = (ex * ex + ey * ey).sqrt().max(1e-9);
            (p.0 + ex / el * r, p.1 + ey / el * r, ex / el, ey / el)
        };
        let (sx, sy, _, _) = toward(a, ctrl, ra + 1.0);
        let (tx, ty, tux, tuy) = toward(b, ctrl, rb + 1.0);
        // Arrowhead at (tx, ty) pointing away from the control point (−tux, −tuy).
        let (hx, hy) = (-tux, -tuy);
        let (bx, by) = (tx - hx * 8.0, ty - hy * 8.0);
        let _ = write!(
            legs,
            r#"<g class="ps-leg"><path class="ps-route" d="M{} {} Q{} {} {} {}" fill="none" stroke="{TEXT_MUTED}" stroke-width="1.5"/><polygon class="ps-arrowhead" points="{},{} {},{} {},{}" fill="{TEXT_MUTED}"/></g>"#,
            num(sx),
            num(sy),
            num(ctrl.0),
            num(ctrl.1),
            num(bx),
            num(by),
            num(tx),
            num(ty),
            num(bx - hy * 4.0),
            num(by + hx * 4.0),
            num(bx + hy * 4.0),
            num(by - hx * 4.0),
        );
        let mid = (
            0.25 * a.0 + 0.5 * ctrl.0 + 0.25 * b.0,
            0.25 * a.1 + 0.5 * ctrl.1 + 0.25 * b.1,
        );
        let _ = write!(
            numbers,
            r##"<g class="ps-leg-number"><circle cx="{}" cy="{}" r="8" fill="#FFFFFF" stroke="{TEXT_MUTED}"/><text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{TEXT}">{}</text></g>"##,
            num(mid.0),
            num(mid.1),
            num(mid.0),
            num(mid.1 + 3.5),
            leg + 1,
        );
    }
    out.push_str(r#"<g class="ps-legs">"#);
    out.push_str(&legs);
    out.push_str("</g>");

    out.push_str(r#"<g class="ps-stops">"#);
    for &i in &shown {
        let s = &stops[i];
        let (x, y) = at(i);
        let r = radius(s.ads);
        let _ = write!(
            out,
            r#"<g class="ps-stop"><title>{}: {}, {}</title><circle class="ps-stop-circle" cx="{}" cy="{}" r="{}" fill="{BLUE}" fill-opacity="0.6" stroke="{BLUE}" stroke-width="1.5"/></g>"#,
            escape(&s.place()),
            escape(&s.ads_text()),
            escape(&s.dates()),
            num(x),
            num(y),
            num(r),
        );
    }
    // Labels: one per place (a place visited twice is two stops on one spot), placed from the
    // busiest place down at the first of eight spots around its circle where the label stays
    // inside the map and overlaps no label placed before; a label with no such spot is left
    // out (its circle's tooltip still names it) and the note says how many.
    let mut labels: Vec<(usize, f64)> = Vec::new();
    for (n, &i) in shown.iter().enumerate() {
        let s = &stops[i];
        let again = shown[..n].iter().any(|&j| {
            let t = &stops[j];
            t.place() == s.place() && t.lat == s.lat && t.lon == s.lon
        });
        if again {
            continue;
        }
        let r = shown
            .iter()
            .filter(|&&j| stops[j].lat == s.lat && stops[j].lon == s.lon)
            .map(|&j| radius(stops[j].ads))
            .fold(0.0, f64::max);
        labels.push((i, r));
    }
    labels.sort_by(|a, b| stops[b.0].ads.cmp(&stops[a.0].ads).then(a.0.cmp(&b.0)));
    let mut placed: Vec<LabelBox> = Vec::new();
    let mut left_out = 0usize;
    for &(i, r) in &labels {
        let text = truncate(&stops[i].place(), 28);
        let (x, y) = at(i);
        match place_label(&text, x, y, r, w, h - FOOT, &placed) {
            Some(b) => {
                let _ = write!(
                    out,
                    r##"<text class="ps-label ps-stop-label" x="{}" y="{}" fill="{TEXT}" stroke="#FFFFFF" stroke-width="3" paint-order="stroke">{}</text>"##,
                    num(b.x0),
                    num(b.y1 - LABEL_DESCENT),
                    escape(&text),
                );
                placed.push(b);
            }
            None => left_out += 1,
        }
    }
    out.push_str("</g>");
    out.push_str(r#"<g class="ps-leg-numbers">"#);
    out.push_str(&numbers);
    out.push_str("</g>");
    let _ = write!(
        out,
        r#"<text class="ps-label ps-map-note" x="4" y="{}" font-size="11" fill="{TEXT_MUTED}">Circle area: number of ads. Arrows: order first seen. Grid: {step}°.{}</text>"#,
        num(h - 6.0),
        match left_out {
            0 => String::new(),
            1 => " 1 label left out where it would overlap: hover its circle.".to_string(),
            n => format!(" {n} labels left out where they would overlap: hover the circles."),
        }
    );
    svg::close(&mut out);
    out
}

/// Outline strokes: countries a little darker and wider than states and provinces, both under
/// the graticule's labels and far lighter than the stops.
const COUNTRY_STROKE: &str = "#9CA3AF";
const ADMIN1_STROKE: &str = "#B4BBC6";
/// Douglas–Peucker tolerance for outlines, in pixels: below what the eye can tell at 1×.
const OUTLINE_TOLERANCE: f64 = 0.7;

/// The bundled state, province and country outlines that cross the view (`view`: degrees, lon0,
/// lat0, lon1, lat1; `size`: the drawing's pixels), clipped to it and simplified for its scale,
/// as two groups of unfilled paths, one per region (`data-region` carries its code, e.g.
/// `US-NC`). Nothing is drawn when the view holds no outline (the open sea).
fn draw_outlines(
    out: &mut String,
    project: &dyn Fn(f64, f64) -> (f64, f64),
    view: (f64, f64, f64, f64),
    size: (f64, f64),
    scale: f64,
) {
    let Some(outlines) = Outlines::bundled() else {
        return;
    };
    // A few pixels beyond the edge, in degrees, so a border just outside still meets the view.
    let margin = 3.0 / scale.max(1e-9);
    let (lon0, lat0, lon1, lat1) = (
        view.0 - margin,
        view.1 - margin,
        view.2 + margin,
        view.3 + margin,
    );
    // Cut exactly at the drawing's edges, so no border runs into the note below the map.
    let pixels = (0.0, 0.0, size.0, size.1);
    let mut countries = String::new();
    let mut admin1 = String::new();
    for region in &outlines.regions {
        let mut d = String::new();
        for ring in region
            .rings
            .iter()
            .filter(|r| r.meets(lon0, lat0, lon1, lat1))
        {
            let projected: Vec<(f64, f64)> = ring
                .points
                .iter()
                .map(|&(lon, lat)| project(f64::from(lat) / 100.0, f64::from(lon) / 100.0))
                .collect();
            let (runs, closed) = outlines::visible_runs(&projected, pixels, OUTLINE_TOLERANCE);
            for run in runs {
                let _ = write!(d, "M{} {}", run[0].0, run[0].1);
                for (n, pair) in run.windows(2).enumerate() {
                    let _ = write!(
                        d,
                        "{}{} {}",
                        if n == 0 { "l" } else { " " },
                        pair[1].0 - pair[0].0,
                        pair[1].1 - pair[0].1
                    );
                }
                if closed {
                    d.push('z');
                }
            }
        }
        if d.is_empty() {
            continue;
        }
        let target = match region.kind {
            RegionKind::Country => &mut countries,
            RegionKind::State | RegionKind::Province => &mut admin1,
        };
        let _ = write!(
            target,
            r#"<path data-region="{}" d="{d}"/>"#,
            escape(&region.code)
        );
    }
    if !countries.is_empty() {
        let _ = write!(
            out,
            r#"<g class="ps-outlines ps-outlines-country" fill="none" stroke="{COUNTRY_STROKE}" stroke-width="1" stroke-linejoin="round">{countries}</g>"#
        );
    }
    if !admin1.is_empty() {
        let _ = write!(
            out,
            r#"<g class="ps-outlines ps-outlines-admin1" fill="none" stroke="{ADMIN1_STROKE}" stroke-width="0.8" stroke-linejoin="round">{admin1}</g>"#
        );
    }
}

/// Height of a stop label's box (12 px text) and the part of it below the baseline.
const LABEL_H: f64 = 14.0;
const LABEL_DESCENT: f64 = 3.0;

/// The box a label takes on the map, in picture coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LabelBox {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl LabelBox {
    fn overlaps(&self, o: &LabelBox) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// The first spot around a circle at (x, y) of radius `r` — right, left, above, below, then
/// the four corners — where `text` fits inside `w` × `h` and overlaps none of `placed`. The
/// width is the generous estimate of [`svg::text_width`], so real text is no wider.
pub(crate) fn place_label(
    text: &str,
    x: f64,
    y: f64,
    r: f64,
    w: f64,
    h: f64,
    placed: &[LabelBox],
) -> Option<LabelBox> {
    let tw = svg::text_width(text, 12.0);
    let gap = r + 4.0;
    let half = LABEL_H / 2.0;
    // Top-left corners of the candidate boxes.
    let candidates = [
        (x + gap, y - half),
        (x - gap - tw, y - half),
        (x - tw / 2.0, y - gap - LABEL_H),
        (x - tw / 2.0, y + gap),
        (x + gap * 0.7, y - gap * 0.7 - LABEL_H),
        (x - gap * 0.7 - tw, y - gap * 0.7 - LABEL_H),
        (x + gap * 0.7, y + gap * 0.7),
        (x - gap * 0.7 - tw, y + gap * 0.7),
    ];
    candidates.into_iter().find_map(|(x0, y0)| {
        let b = LabelBox {
            x0,
            y0,
            x1: x0 + tw,
            y1: y0 + LABEL_H,
        };
        let inside = b.x0 >= 0.0 && b.y0 >= 0.0 && b.x1 <= w && b.y1 <= h;
        (inside && !placed.iter().any(|p| p.overlaps(&b))).then_some(b)
    })
}

/// Date ticks for a span: Mondays up to ~2 months, month starts up to ~3 years, years beyond.
fn date_ticks(first: NaiveDate, last: NaiveDate) -> (Vec<NaiveDate>, &'static str) {
    let days = (last - first).num_days();
    let (mut d, fmt): (NaiveDate, &str) = if days <= 62 {
        (
            first - Days::new(u64::from(first.weekday().num_days_from_monday())),
            "%Y-%m-%d",
        )
    } else if days <= 3 * 366 {
        (first.with_day(1).unwrap_or(first), "%Y-%m")
    } else {
        (
            NaiveDate::from_ymd_opt(first.year(), 1, 1).unwrap_or(first),
            "%Y",
        )
    };
    let mut ticks = Vec::new();
    while d <= last {
        if d >= first {
            ticks.push(d);
        }
        let next = if days <= 62 {
            d.checked_add_days(Days::new(7))
        } else if days <= 3 * 366 {
            d.checked_add_months(Months::new(1))
        } else {
            d.checked_add_months(Months::new(12))
        };
        match next {
            Some(n) => d = n,
            None => break,
        }
    }
    (ticks, fmt)
}

/// One row per place, a bar from first to last seen with the ad count after it; rows in order of
/// first seen (places without dates last, saying so).
pub fn timeline(title: &str, stops: &[Stop], opts: &ChartOptions) -> String {
    let w = opts.width_or(640.0);
    if stops.is_empty() {
        return svg::no_data("ps-timeline", title, w);
    }
    const ROW: f64 = 24.0;
    const TOP: f64 = 8.0;
    const AXIS_H: f64 = 24.0;
    let h = opts.height_or(TOP + ROW * stops.len() as f64 + AXIS_H);
    let row = (h - TOP - AXIS_H) / stops.len() as f64;
    let bar_h = (row * 0.6).clamp(2.0, 14.0);

    let mut order: Vec<usize> = (0..stops.len()).collect();
    order.sort_by_key(|&i| {
        (
            stops[i].first_seen.or(stops[i].last_seen).is_none(),
            stops[i].first_seen.or(stops[i].last_seen),
            i,
        )
    });
    let dates = stops
        .iter()
        .flat_map(|s| [s.first_seen, s.last_seen])
        .flatten();
    let first = dates.clone().min();
    let last = dates.max();

    let label_w = stops
        .iter()
        .map(|s| text_width(&s.place(), 12.0))
        .fold(0.0, f64::max)
        .min(w * 0.3);
    let max_chars = (label_w / (12.0 * 0.62)).floor().max(1.0) as usize;
    let count_w = stops
        .iter()
        .map(|s| text_width(&s.ads_text(), 12.0))
        .fold(0.0, f64::max);
    let x0 = 8.0 + label_w + 8.0;
    let plot_w = (w - x0 - count_w - 12.0).max(10.0);
    let base = TOP + row * stops.len() as f64;

    let mut out = String::new();
    svg::open(&mut out, "ps-timeline", title, w, h, false);
    // Day scale: a bar covers whole days, so a single day still has width.
    let x_of = |d: NaiveDate, f: NaiveDate, l: NaiveDate| {
        let total = ((l - f).num_days() + 1) as f64;
        x0 + (d - f).num_days() as f64 / total * plot_w
    };
    if let (Some(f), Some(l)) = (first, last) {
        let (ticks, fmt) = date_ticks(f, l);
        let min_gap = text_width(&f.format(fmt).to_string(), 11.0) + 10.0;
        let mut last_x = f64::MIN;
        for t in ticks {
            let x = x_of(t, f, l);
            let _ = write!(
                out,
                r#"<line class="ps-grid" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}"/>"#,
                num(TOP - 4.0),
                num(base),
                x = num(x),
            );
            if x - last_x >= min_gap && x + min_gap / 2.0 <= w {
                let _ = write!(
                    out,
                    r#"<text class="ps-label ps-tick" x="{}" y="{}" text-anchor="middle" font-size="11" fill="{TEXT_MUTED}">{}</text>"#,
                    num(x),
                    num(base + 16.0),
                    t.format(fmt),
                );
                last_x = x;
            }
        }
    }
    for (r, &i) in order.iter().enumerate() {
        let s = &stops[i];
        let cy = TOP + row * (r as f64 + 0.5);
        let _ = write!(
            out,
            r#"<g class="ps-timeline-row"><title>{}: {}, {}</title><text class="ps-label" x="{}" y="{}" text-anchor="end" fill="{TEXT}">{}</text>"#,
            escape(&s.place()),
            escape(&s.ads_text()),
            escape(&s.dates()),
            num(x0 - 8.0),
            num(cy + 4.0),
            escape(&truncate(&s.place(), max_chars)),
        );
        match (
            first,
            last,
            s.first_seen.or(s.last_seen),
            s.last_seen.or(s.first_seen),
        ) {
            (Some(f), Some(l), Some(a), Some(b)) => {
                let (a, b) = (a.min(b), a.max(b));
                let xa = x_of(a, f, l);
                let xb = x_of(b + Days::new(1), f, l).max(xa + 3.0);
                let _ = write!(
                    out,
                    r#"<rect class="ps-bar ps-span" x="{}" y="{}" width="{}" height="{}" rx="2" fill="{BLUE}"/><text class="ps-value" x="{}" y="{}" fill="{TEXT_MUTED}">{}</text>"#,
                    num(xa),
                    num(cy - bar_h / 2.0),
                    num(xb - xa),
                    num(bar_h),
                    num(xb + 4.0),
                    num(cy + 4.0),
                    escape(&s.ads_text()),
                );
            }
            _ => {
                let _ = write!(
                    out,
                    r#"<text class="ps-value" x="{}" y="{}" font-style="italic" fill="{TEXT_MUTED}">dates unknown, {}</text>"#,
                    num(x0),
                    num(cy + 4.0),
                    escape(&s.ads_text()),
                );
            }
        }
        out.push_str("</g>");
    }
    let _ = write!(
        out,
        r#"<line class="ps-axis" x1="{}" y1="{b}" x2="{}" y2="{b}" stroke="{AXIS}"/>"#,
        num(x0),
        num(x0 + plot_w),
        b = num(base),
    );
    svg::close(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(name: &str, lat: f64, lon: f64, first: Option<(u32, u32)>, ads: u64) -> Stop {
        let d = first.map(|(m, day)| NaiveDate::from_ymd_opt(2024, m, day).unwrap());
        Stop {
            name: name.into(),
            admin1: "TX".into(),
            lat,
            lon,
            first_seen: d,
            last_seen: d.map(|d| d + Days::new(10)),
            ads,
        }
    }

    #[test]
    fn circuit_follows_first_seen() {
        let stops = [
            stop("C", 30.0, -97.0, Some((3, 1)), 1),
            stop("A", 29.0, -95.0, Some((1, 1)), 1),
            stop("X", 29.0, -95.0, None, 1),
            stop("B", 32.0, -96.0, Some((2, 1)), 1),
        ];
        assert_eq!(circuit(&stops), vec![1, 3, 0]);
        let s = movement_map("m", &stops, &ChartOptions::default());
        assert_eq!(s.matches("class=\"ps-leg\"").count(), 2);
        assert!(s.contains("Houston") || s.contains("A, TX"));
    }

    #[test]
    fn single_stop_is_centred() {
        let s = movement_map(
            "m",
            &[stop("Solo", 40.0, -100.0, None, 3)],
            &ChartOptions::default(),
        );
        // 640 wide, 400 high with a 20 px foot: centre of the plot is (320, 190).
        assert!(s.contains(r#"cx="320" cy="190""#), "{s}");
        assert!(s.contains("100°W") && s.contains("40°N"));
    }

    #[test]
    fn empty_and_undated() {
        let o = ChartOptions::default();
        assert!(movement_map("m", &[], &o).contains("no data"));
        assert!(timeline("t", &[], &o).contains("no data"));
        let s = timeline("t", &[stop("Nowhen", 1.0, 1.0, None, 2)], &o);
        assert!(s.contains("dates unknown, 2 ads"), "{s}");
    }

    /// Label boxes drawn on a map: (x0, y0, x1, y1) from each stop label's position and text.
    fn label_boxes(svg: &str) -> Vec<(f64, f64, f64, f64)> {
        svg.split(r#"<text class="ps-label ps-stop-label" x=""#)
            .skip(1)
            .map(|part| {
                let (x, rest) = part.split_once('"').unwrap();
                let rest = rest.split_once(r#"y=""#).unwrap().1;
                let (y, rest) = rest.split_once('"').unwrap();
                let text = rest.split_once('>').unwrap().1.split_once('<').unwrap().0;
                let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                let base = y + LABEL_DESCENT;
                (x, base - LABEL_H, x + text_width(text, 12.0), base)
            })
            .collect()
    }

    #[test]
    fn stop_labels_never_overlap_and_stay_inside_the_map() {
        // 40 places in a tight cluster and a few far away: most labels cannot all fit.
        let mut stops: Vec<Stop> = (0..40)
            .map(|i| {
                let (a, b) = ((i % 7) as f64, (i / 7) as f64);
                stop(
                    &format!("Place number {i}"),
                    35.0 + a * 0.05,
                    -80.0 + b * 0.05,
                    None,
                    1 + i as u64 % 5,
                )
            })
            .collect();
        stops.push(stop("Far west edge town", 35.0, -84.0, None, 9));
        stops.push(stop("North", 37.0, -80.0, None, 2));
        let (w, h) = (520.0, 360.0);
        let svg = movement_map(
            "m",
            &stops,
            &ChartOptions {
                width: 520,
                height: 360,
                unit: "ads".into(),
            },
        );
        let boxes = label_boxes(&svg);
        assert!(boxes.len() >= 3, "{svg}");
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.0 >= -0.05 && a.1 >= -0.05 && a.2 <= w + 0.05 && a.3 <= h - 20.0 + 0.05,
                "{a:?} outside"
            );
            for b in &boxes[i + 1..] {
                // Coordinates are written to 0.1 px: allow that much.
                let apart =
                    a.2 <= b.0 + 0.1 || b.2 <= a.0 + 0.1 || a.3 <= b.1 + 0.1 || b.3 <= a.1 + 0.1;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        let left_out = stops.len() - boxes.len();
        assert!(left_out > 0);
        assert!(
            svg.contains(&format!("{left_out} labels left out")),
            "{svg}"
        );
        // The busiest place is labelled first, so it always is.
        assert!(svg.contains(">Far west edge town, TX</text>"), "{svg}");
    }
}
