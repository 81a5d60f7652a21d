//! Horizontal bar charts, column time series (per day, week or month) and a one-bar stacked
//! progress chart with a legend, as SVG strings.

use std::fmt::Write as _;

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::svg::{
    self, AXIS, BLUE, GRID, PALETTE, TEXT, TEXT_MUTED, display_value, escape, num, text_width,
    truncate, with_unit,
};

/// One bar: its label, its value and, optionally, the page it links to.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub href: Option<String>,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64) -> Self {
        Self {
            label: label.into(),
            value,
            href: None,
        }
    }

    pub fn with_href(mut self, href: impl Into<String>) -> Self {
        self.href = Some(href.into());
        self
    }
}

/// Size and unit of a chart. `height` 0 means "as tall as the content needs".
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
    /// Appended to values ("12 ads"); empty for none.
    pub unit: String,
}

impl Default for ChartOptions {
    fn default() -> Self {
        Self {
            width: 640,
            height: 0,
            unit: String::new(),
        }
    }
}

impl ChartOptions {
    /// The width to draw at: 0 means the default, and very narrow widths are raised so labels
    /// still have room.
    pub(crate) fn width_or(&self, default: f64) -> f64 {
        if self.width == 0 {
            default
        } else {
            f64::from(self.width).max(160.0)
        }
    }

    pub(crate) fn height_or(&self, auto: f64) -> f64 {
        if self.height == 0 {
            auto
        } else {
            f64::from(self.height).max(40.0)
        }
    }
}

const FONT: f64 = 12.0;
const PAD: f64 = 8.0;

/// Values are drawn from 0: negative and non-finite values count as 0 (a bar of counts has no
/// meaningful negative length), but the printed value is the one given.
fn drawable(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// Horizontal bars, labels on the left, values at the end of each bar; a bar with `href` is a
/// link (label, bar and value together).
pub fn bar_chart(title: &str, bars: &[Bar], opts: &ChartOptions) -> String {
    let w = opts.width_or(640.0);
    if bars.is_empty() {
        return svg::no_data("ps-bar-chart", title, w);
    }
    const ROW: f64 = 24.0;
    let h = opts.height_or(2.0 * PAD + ROW * bars.len() as f64);
    let row = (h - 2.0 * PAD) / bars.len() as f64;
    let bar_h = (row * 0.65).clamp(2.0, 18.0);

    // Labels get what they need up to 40% of the width; longer ones are cut with "…" (the full
    // label stays in the tooltip).
    let label_w = bars
        .iter()
        .map(|b| text_width(&b.label, FONT))
        .fold(0.0, f64::max)
        .min(w * 0.4);
    let max_chars = (label_w / (FONT * 0.62)).floor().max(1.0) as usize;
    let value_w = bars
        .iter()
        .map(|b| text_width(&with_unit(b.value, &opts.unit), FONT))
        .fold(0.0, f64::max);
    let x0 = PAD + label_w + 6.0;
    let plot_w = (w - x0 - value_w - 6.0 - PAD).max(10.0);
    let max = bars.iter().map(|b| drawable(b.value)).fold(0.0, f64::max);
    let interactive = bars.iter().any(|b| b.href.is_some());

    let mut out = String::new();
    svg::open(&mut out, "ps-bar-chart", title, w, h, interactive);
    for (i, b) in bars.iter().enumerate() {
        let cy = PAD + row * (i as f64 + 0.5);
        let len = if max > 0.0 {
            drawable(b.value) / max * plot_w
        } else {
            0.0
        };
        let value = with_unit(b.value, &opts.unit);
        if let Some(href) = &b.href {
            let _ = write!(out, r#"<a href="{}">"#, escape(href));
        }
        let _ = write!(
            out,
            r#"<g class="ps-bar-row"><title>{}: {}</title><text class="ps-label" x="{}" y="{}" text-anchor="end" fill="{TEXT}">{}</text><rect class="ps-bar" x="{}" y="{}" width="{}" height="{}" fill="{BLUE}"/><text class="ps-value" x="{}" y="{}" fill="{TEXT_MUTED}">{}</text></g>"#,
            escape(&b.label),
            escape(&value),
            num(x0 - 6.0),
            num(cy + FONT / 3.0),
            escape(&truncate(&b.label, max_chars)),
            num(x0),
            num(cy - bar_h / 2.0),
            num(len),
            num(bar_h),
            num(x0 + len + 4.0),
            num(cy + FONT / 3.0),
            escape(&value),
        );
        if b.href.is_some() {
            out.push_str("</a>");
        }
    }
    let _ = write!(
        out,
        r#"<line class="ps-axis" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS}"/>"#,
        num(PAD / 2.0),
        num(h - PAD / 2.0),
        x = num(x0),
    );
    svg::close(&mut out);
    out
}

/// How many days one column of a time series covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    /// Days up to 120 days of span, ISO weeks (from Monday) up to about three years, months
    /// beyond: each keeps a column at least a couple of pixels wide at usual widths.
    pub fn for_span(first: NaiveDate, last: NaiveDate) -> Self {
        let days = (last - first).num_days();
        if days <= 120 {
            Bucket::Day
        } else if days <= 3 * 366 {
            Bucket::Week
        } else {
            Bucket::Month
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }

    /// The first day of the bucket holding `d`.
    pub fn start(self, d: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => d,
            Bucket::Week => d - Days::new(u64::from(d.weekday().num_days_from_monday())),
            Bucket::Month => d.with_day(1).unwrap_or(d),
        }
    }

    fn next(self, d: NaiveDate) -> Option<NaiveDate> {
        match self {
            Bucket::Day => d.checked_add_days(Days::new(1)),
            Bucket::Week => d.checked_add_days(Days::new(7)),
            Bucket::Month => d.checked_add_months(Months::new(1)),
        }
    }

    fn label(self, d: NaiveDate) -> String {
        match self {
            Bucket::Day | Bucket::Week => d.format("%Y-%m-%d").to_string(),
            Bucket::Month => d.format("%Y-%m").to_string(),
        }
    }

    fn tooltip(self, d: NaiveDate) -> String {
        match self {
            Bucket::Day => d.format("%Y-%m-%d").to_string(),
            Bucket::Week => format!("week of {}", d.format("%Y-%m-%d")),
            Bucket::Month => d.format("%B %Y").to_string(),
        }
    }
}

/// Sums `points` into consecutive buckets (empty buckets included, as 0) from the first to the
/// last date. Points may come unsorted and with repeated dates.
pub fn bucketize(points: &[(NaiveDate, f64)]) -> (Bucket, Vec<(NaiveDate, f64)>) {
    let (Some(first), Some(last)) = (
        points.iter().map(|p| p.0).min(),
        points.iter().map(|p| p.0).max(),
    ) else {
        return (Bucket::Day, Vec::new());
    };
    let bucket = Bucket::for_span(first, last);
    let mut sorted: Vec<(NaiveDate, f64)> = points
        .iter()
        .map(|&(d, v)| (bucket.start(d), drawable(v)))
        .collect();
    sorted.sort_by_key(|p| p.0);
    let mut out: Vec<(NaiveDate, f64)> = Vec::new();
    let mut cur = Some(bucket.start(first));
    let mut it = sorted.into_iter().peekable();
    while let Some(d) = cur {
        if d > last {
            break;
        }
        let mut sum = 0.0;
        while let Some(&(pd, v)) = it.peek() {
            if pd != d {
                break;
            }
            sum += v;
            it.next();
        }
        out.push((d, sum));
        cur = bucket.next(d);
    }
    (bucket, out)
}

/// Columns per day (per week beyond 120 days, per month beyond about three years; the `<title>`
/// and the unit caption say which), a y axis with 3–5 round ticks, and date labels thinned so
/// they never overlap.
pub fn time_series(title: &str, points: &[(NaiveDate, f64)], opts: &ChartOptions) -> String {
    let w = opts.width_or(640.0);
    let (bucket, cols) = bucketize(points);
    if cols.is_empty() {
        return svg::no_data("ps-time-series", title, w);
    }
    let full_title = format!("{title} (per {})", bucket.name());
    let h = opts.height_or(240.0);
    let integer = points.iter().all(|p| p.1.fract() == 0.0);
    let max = cols.iter().map(|c| c.1).fold(0.0, f64::max);
    let (step, steps) = svg::nice_ticks(max, integer);
    let top = step * f64::from(steps);

    let tick_w = (0..=steps)
        .map(|i| text_width(&display_value(step * f64::from(i)), 11.0))
        .fold(0.0, f64::max);
    let (left, right, top_m, bottom) = ((tick_w + 12.0).max(40.0), 40.0, 24.0, 28.0);
    let plot_w = (w - left - right).max(10.0);
    let plot_h = (h - top_m - bottom).max(10.0);
    let base = top_m + plot_h;
    let col_w = plot_w / cols.len() as f64;
    let gap = if col_w >= 4.0 { col_w * 0.2 } else { 0.0 };
    let y_of = |v: f64| base - v / top * plot_h;

    let mut out = String::new();
    svg::open(&mut out, "ps-time-series", &full_title, w, h, false);
    let caption = if opts.unit.is_empty() {
        format!("per {}", bucket.name())
    } else {
        format!("{} per {}", opts.unit, bucket.name())
    };
    let _ = write!(
        out,
        r#"<text class="ps-label ps-unit" x="{}" y="14" font-size="11" fill="{TEXT_MUTED}">{}</text>"#,
        num(left),
        escape(&caption)
    );
    for i in 0..=steps {
        let v = step * f64::from(i);
        let y = y_of(v);
        let _ = write!(
            out,
            r#"<line class="ps-grid" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{GRID}"/><text class="ps-label ps-tick" x="{}" y="{}" text-anchor="end" font-size="11" fill="{TEXT_MUTED}">{}</text>"#,
            num(left),
            num(left + plot_w),
            num(left - 6.0),
            num(y + 4.0),
            display_value(v),
            y = num(y),
        );
    }
    for (i, &(d, v)) in cols.iter().enumerate() {
        if v <= 0.0 {
            continue;
        }
        let x = left + col_w * i as f64 + gap / 2.0;
        let y = y_of(v);
        let _ = write!(
            out,
            r#"<rect class="ps-bar ps-col" x="{}" y="{}" width="{}" height="{}" fill="{BLUE}"><title>{}: {}</title></rect>"#,
            num(x),
            num(y),
            num((col_w - gap).max(0.5)),
            num(base - y),
            escape(&bucket.tooltip(d)),
            escape(&with_unit(v, &opts.unit)),
        );
    }
    // Every k-th column gets a label, k chosen from the widest label so neighbours keep a gap.
    let label_w = text_width(&bucket.label(cols[0].0), 11.0) + 10.0;
    let every = (label_w / col_w).ceil().max(1.0) as usize;
    for (i, &(d, _)) in cols.iter().enumerate().step_by(every) {
        let x = left + col_w * (i as f64 + 0.5);
        // Kept inside the picture: a label that would hang over an edge is aligned to it.
        let half = label_w / 2.0;
        let (lx, anchor) = if x - half < 0.0 {
            (2.0, "start")
        } else if x + half > w {
            (w - 2.0, "end")
        } else {
            (x, "middle")
        };
        let _ = write!(
            out,
            r#"<line class="ps-axis ps-tick-mark" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS}"/><text class="ps-label ps-tick" x="{}" y="{}" text-anchor="{anchor}" font-size="11" fill="{TEXT_MUTED}">{}</text>"#,
            num(base),
            num(base + 4.0),
            num(lx),
            num(base + 17.0),
            escape(&bucket.label(d)),
            x = num(x),
        );
    }
    let _ = write!(
        out,
        r#"<line class="ps-axis" x1="{}" y1="{b}" x2="{}" y2="{b}" stroke="{AXIS}"/>"#,
        num(left),
        num(left + plot_w),
        b = num(base),
    );
    svg::close(&mut out);
    out
}

/// One horizontal bar split into `parts` (e.g. reviewed / not reviewed / not relevant), with a
/// legend giving each part's value and share.
pub fn stacked_progress(title: &str, parts: &[(String, f64)], opts: &ChartOptions) -> String {
    let w = opts.width_or(640.0);
    let total: f64 = parts.iter().map(|p| drawable(p.1)).sum();
    if parts.is_empty() || total <= 0.0 {
        return svg::no_data("ps-progress", title, w);
    }
    const BAR_H: f64 = 22.0;
    const LEGEND_ROW: f64 = 20.0;
    let bar_w = w - 2.0 * PAD;

    // Legend items flow left to right and wrap; computed first because they set the height.
    let items: Vec<String> = parts
        .iter()
        .map(|(label, v)| {
            let share = drawable(*v) / total * 100.0;
            let pct = if share > 0.0 && share < 1.0 {
                "<1".to_owned()
            } else {
                format!("{}", share.round() as i64)
            };
            format!("{label}: {} ({pct}%)", with_unit(*v, &opts.unit))
        })
        .collect();
    let mut placed = Vec::with_capacity(items.len());
    let (mut x, mut row) = (PAD, 0u32);
    for item in &items {
        let item_w = 18.0 + text_width(item, FONT) + 16.0;
        if x > PAD && x + item_w > w - PAD {
            x = PAD;
            row += 1;
        }
        placed.push((x, row));
        x += item_w;
    }
    let legend_top = PAD + BAR_H + 12.0;
    let h = opts.height_or(legend_top + LEGEND_ROW * f64::from(row + 1) + PAD / 2.0);

    let mut out = String::new();
    svg::open(&mut out, "ps-progress", title, w, h, false);
    let _ = write!(
        out,
        r##"<rect class="ps-progress-track" x="{p}" y="{p}" width="{}" height="{}" fill="#F3F4F6"/>"##,
        num(bar_w),
        num(BAR_H),
        p = num(PAD),
    );
    let mut x = PAD;
    for (i, ((_, v), item)) in parts.iter().zip(&items).enumerate() {
        let seg = drawable(*v) / total * bar_w;
        if seg > 0.0 {
            // A white stroke separates neighbouring segments, so they stay apart in greyscale.
            let _ = write!(
                out,
                r##"<rect class="ps-part ps-part-{i}" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#FFFFFF"><title>{}</title></rect>"##,
                num(x),
                num(PAD),
                num(seg),
                num(BAR_H),
                PALETTE[i % PALETTE.len()],
                escape(item),
            );
        }
        x += seg;
    }
    for (i, (item, &(lx, row))) in items.iter().zip(&placed).enumerate() {
        let y = legend_top + LEGEND_ROW * f64::from(row);
        let _ = write!(
            out,
            r#"<g class="ps-legend-item"><rect class="ps-part ps-part-{i}" x="{}" y="{}" width="12" height="12" fill="{}"/><text class="ps-label" x="{}" y="{}" fill="{TEXT}">{}</text></g>"#,
            num(lx),
            num(y),
            PALETTE[i % PALETTE.len()],
            num(lx + 18.0),
            num(y + 10.5),
            escape(item),
        );
    }
    svg::close(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn empty_inputs_say_no_data() {
        let o = ChartOptions::default();
        for s in [
            bar_chart("t", &[], &o),
            time_series("t", &[], &o),
            stacked_progress("t", &[], &o),
            stacked_progress("t", &[("a".into(), 0.0)], &o),
        ] {
            assert!(
                s.contains("no data") && s.contains("<title>t</title>"),
                "{s}"
            );
        }
    }

    #[test]
    fn bucket_choice_and_sums() {
        let pts = [
            (d(2024, 1, 3), 2.0),
            (d(2024, 1, 1), 1.0),
            (d(2024, 1, 3), 4.0),
        ];
        let (b, cols) = bucketize(&pts);
        assert_eq!(b, Bucket::Day);
        assert_eq!(
            cols,
            vec![
                (d(2024, 1, 1), 1.0),
                (d(2024, 1, 2), 0.0),
                (d(2024, 1, 3), 6.0)
            ]
        );
        let (b, cols) = bucketize(&[(d(2024, 1, 3), 1.0), (d(2024, 6, 1), 1.0)]);
        assert_eq!(b, Bucket::Week);
        assert_eq!(cols[0].0, d(2024, 1, 1)); // the Monday
        assert_eq!(cols.iter().map(|c| c.1).sum::<f64>(), 2.0);
        let (b, _) = bucketize(&[(d(2020, 1, 3), 1.0), (d(2024, 6, 1), 1.0)]);
        assert_eq!(b, Bucket::Month);
    }

    #[test]
    fn title_says_the_bucket() {
        let s = time_series("Ads", &[(d(2024, 1, 1), 1.0)], &ChartOptions::default());
        assert!(s.contains("<title>Ads (per day)</title>"));
        let s = time_series(
            "Ads",
            &[(d(2024, 1, 1), 1.0), (d(2024, 12, 1), 3.0)],
            &ChartOptions::default(),
        );
        assert!(s.contains("<title>Ads (per week)</title>"));
    }

    #[test]
    fn links_and_escaping_in_bars() {
        let bars = [
            Bar::new("<b>&", 3.0).with_href("/n?a=1&b=2"),
            Bar::new("x", -1.0),
        ];
        let s = bar_chart("T", &bars, &ChartOptions::default());
        assert!(s.contains(r#"<a href="/n?a=1&amp;b=2">"#));
        assert!(s.contains("&lt;b&gt;&amp;"));
        assert!(s.contains(r#"role="group""#));
    }
}
