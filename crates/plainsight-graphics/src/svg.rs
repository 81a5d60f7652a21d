//! Shared SVG building blocks: XML escaping, stable number formatting, the frame every picture
//! opens with, the "no data" picture, and rough text widths (the server has no font metrics).

use std::fmt::Write as _;

/// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. Used as the
/// presentation-attribute defaults; the page's stylesheet may override them through the classes.
pub(crate) const BLUE: &str = "#0072B2";
pub(crate) const ORANGE: &str = "#E69F00";
pub(crate) const GREEN: &str = "#009E73";
pub(crate) const PURPLE: &str = "#CC79A7";
pub(crate) const SKY: &str = "#56B4E9";
pub(crate) const VERMILLION: &str = "#D55E00";
pub(crate) const YELLOW: &str = "#F0E442";
pub(crate) const GREY: &str = "#9CA3AF";
/// Text on white: 14.7:1 and 7.6:1, both above WCAG AA (4.5:1).
pub(crate) const TEXT: &str = "#1F2937";
pub(crate) const TEXT_MUTED: &str = "#4B5563";
pub(crate) const AXIS: &str = "#6B7280";
pub(crate) const GRID: &str = "#E5E7EB";

/// Colours for categories without meaning of their own (parts of a progress bar).
pub(crate) const PALETTE: [&str; 8] = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, GREY];

/// XML-escapes text for element content and for attribute values in double or single quotes.
///
/// Control characters that XML 1.0 cannot carry at all (not even as references) are dropped, so
/// one bad scraped label cannot make the whole page's SVG unparsable.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Formats a number with at most one decimal place and no trailing `.0`, through integer
/// arithmetic so the output never depends on float formatting details. Non-finite gives "0"
/// (a NaN coordinate would make the SVG invalid; 0 keeps it drawable).
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_owned();
    }
    let tenths = (v * 10.0).round();
    // Beyond i64 nothing is drawable anyway; saturating `as` keeps it well-defined.
    let t = tenths as i64;
    if t == 0 {
        return "0".to_owned();
    }
    let sign = if t < 0 { "-" } else { "" };
    let a = t.unsigned_abs();
    if a.is_multiple_of(10) {
        format!("{sign}{}", a / 10)
    } else {
        format!("{sign}{}.{}", a / 10, a % 10)
    }
}

/// A value for people to read: at most one decimal, thousands grouped ("12,345.5").
pub fn display_value(v: f64) -> String {
    let s = num(v);
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// "12 ads", or "12" without a unit.
pub(crate) fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        display_value(v)
    } else {
        format!("{} {unit}", display_value(v))
    }
}

/// Estimated width in px of `s` at `font_size`: 0.62 em per character, about the width of
/// digits in DejaVu Sans (the widest common fallback), so layouts based on it err on the side of
/// not overlapping.
pub(crate) fn text_width(s: &str, font_size: f64) -> f64 {
    s.chars().count() as f64 * font_size * 0.62
}

/// Shortens `s` to at most `max_chars` characters, ending in "…" when cut.
pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    let count = s.chars().count();
    if count <= max_chars {
        return s.to_owned();
    }
    if max_chars == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

/// A CSS class token from free text (edge kinds come from data): ASCII letters, digits, `-` and
/// `_` are kept (lowercased), everything else becomes `-`; empty gives "link".
pub(crate) fn css_token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if t.is_empty() { "link".to_owned() } else { t }
}

/// Opens an `<svg>` with the accessibility attributes every picture carries.
///
/// `interactive` pictures (links or focusable nodes inside) get `role="group"` instead of
/// `role="img"`: ARIA makes the children of an `img` presentational, which would hide those links
/// from screen readers.
pub(crate) fn open(
    out: &mut String,
    classes: &str,
    title: &str,
    w: f64,
    h: f64,
    interactive: bool,
) {
    let t = escape(title);
    let role = if interactive { "group" } else { "img" };
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="ps-chart {classes}" role="{role}" aria-label="{t}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="system-ui, sans-serif" font-size="12"><title>{t}</title>"#,
        w = num(w),
        h = num(h),
    );
}

pub(crate) fn close(out: &mut String) {
    out.push_str("</svg>");
}

/// The small picture shown instead of an empty chart, so the page never has a blank hole.
pub(crate) fn no_data(classes: &str, title: &str, width: f64) -> String {
    let w = width.clamp(160.0, 320.0);
    let h = 48.0;
    let mut out = String::new();
    open(&mut out, &format!("{classes} ps-empty"), title, w, h, false);
    let _ = write!(
        out,
        r#"<rect class="ps-empty-box" x="0.5" y="0.5" width="{}" height="{}" rx="4" fill="none" stroke="{GRID}"/><text class="ps-label ps-empty-text" x="{}" y="{}" text-anchor="middle" fill="{TEXT_MUTED}">no data</text>"#,
        num(w - 1.0),
        num(h - 1.0),
        num(w / 2.0),
        num(h / 2.0 + 4.0),
    );
    close(&mut out);
    out
}

/// Nice axis ticks from 0 to at least `max`: a step of 1, 2 or 5 × 10^k giving 3 to 5 ticks.
/// Returns (step, number of steps). With `integer` the step is at least 1 (counts of ads are
/// never drawn with half-ad ticks); otherwise at least 0.1, the finest our formatting shows.
pub(crate) fn nice_ticks(max: f64, integer: bool) -> (f64, u32) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        0.0
    };
    let min_step = if integer { 1.0 } else { 0.1 };
    let mut magnitude = min_step;
    loop {
        for m in [1.0, 2.0, 5.0] {
            let step = magnitude * m;
            let n = (max / step - 1e-9).ceil();
            if n <= 4.0 {
                return (step, (n as u32).max(2));
            }
        }
        magnitude *= 10.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_handles_every_special_character() {
        assert_eq!(escape(r#"<&>"'"#), "&lt;&amp;&gt;&quot;&#39;");
        assert_eq!(escape("a\u{1}b\tc"), "ab\tc");
        assert_eq!(escape("Zoë 😀"), "Zoë 😀");
    }

    #[test]
    fn numbers_have_at_most_one_decimal() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(-2.55), "-2.6");
        assert_eq!(num(10.0), "10");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(f64::INFINITY), "0");
        assert_eq!(display_value(1_234_567.0), "1,234,567");
        assert_eq!(display_value(-1234.5), "-1,234.5");
        assert_eq!(display_value(999.0), "999");
    }

    #[test]
    fn ticks_are_three_to_five() {
        for max in [
            0.0, 0.05, 0.3, 1.0, 1.1, 2.0, 3.7, 4.1, 5.0, 9.9, 10.0, 17.0, 99.0, 1234.0,
        ] {
            let (step, n) = nice_ticks(max, false);
            assert!((2..=4).contains(&n), "{max}: {n}");
            assert!(step * f64::from(n) >= max, "{max}");
            let (step, n) = nice_ticks(max, true);
            assert!(
                step >= 1.0 && (2..=4).contains(&n) && step * f64::from(n) >= max,
                "{max}"
            );
        }
        assert_eq!(nice_ticks(10.0, true), (5.0, 2));
        assert_eq!(nice_ticks(1.0, true), (1.0, 2));
    }

    #[test]
    fn truncate_and_tokens() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(css_token("Phone Number!"), "phone-number-");
        assert_eq!(css_token(""), "link");
    }
}
