//! Small inline SVG charts drawn by hand (no scripts, no external assets), so the HTML report
//! is one self-contained file that prints and publishes as is.

use std::fmt::Write;

use crate::html::escape;

/// One bar of a bar chart.
pub(crate) struct Bar {
    pub label: String,
    pub value: u64,
    pub class: &'static str,
}

/// A horizontal bar chart with values printed at the bar ends.
pub(crate) fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let width = 560.0;
    let label_w = 260.0;
    let row_h = 26.0;
    let height = row_h * bars.len() as f64 + 10.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let plot_w = width - label_w - 50.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let w = (b.value as f64 / max * plot_w).max(if b.value > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" class="lbl">{}</text><rect x="{label_w}" y="{}" width="{w:.1}" height="{}" class="{}"/><text x="{}" y="{}" class="val">{}</text>"#,
            label_w - 8.0,
            y + row_h * 0.62,
            escape(&b.label),
            y + 3.0,
            row_h - 8.0,
            escape(b.class),
            label_w + w + 6.0,
            y + row_h * 0.62,
            b.value
        );
    }
    s.push_str("</svg>");
    s
}

/// One line of a trend chart.
pub(crate) struct Series<'a> {
    pub label: &'a str,
    pub values: Vec<u64>,
    pub class: &'a str,
}

/// A line chart over years with a legend; points are marked so single years still show.
pub(crate) fn trend_chart(title: &str, years: &[i32], series: &[Series<'_>]) -> String {
    let (width, height) = (560.0, 240.0);
    let (left, right, top, bottom) = (44.0, 130.0, 14.0, 30.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = years.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| top + plot_h - (v as f64 / max * plot_h);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    // Axes and a top gridline labelled with the maximum.
    let _ = write!(
        s,
        r#"<line x1="{left}" y1="{}" x2="{}" y2="{}" class="axis"/><line x1="{left}" y1="{top}" x2="{}" y2="{top}" class="grid"/><text x="{}" y="{}" text-anchor="end" class="val">{}</text><text x="{}" y="{}" text-anchor="end" class="val">0</text>"#,
        top + plot_h,
        left + plot_w,
        top + plot_h,
        left + plot_w,
        left - 6.0,
        top + 4.0,
        max as u64,
        left - 6.0,
        top + plot_h + 4.0
    );
    for (i, year) in years.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" class="lbl">{year}</text>"#,
            x(i),
            height - 10.0
        );
    }
    for (k, se) in series.iter().enumerate() {
        let points: Vec<String> = se
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline points="{}" class="line {}"/>"#,
            points.join(" "),
            escape(se.class)
        );
        for (i, v) in se.values.iter().enumerate() {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" class="{}"><title>{} {}: {v}</title></circle>"#,
                x(i),
                y(*v),
                escape(se.class),
                escape(se.label),
                years.get(i).copied().unwrap_or_default()
            );
        }
        let ly = top + 12.0 + k as f64 * 18.0;
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="12" height="12" class="{}"/><text x="{}" y="{}" class="lbl">{}</text>"#,
            width - right + 12.0,
            ly - 10.0,
            escape(se.class),
            width - right + 30.0,
            ly,
            escape(se.label)
        );
    }
    s.push_str("</svg>");
    s
}
