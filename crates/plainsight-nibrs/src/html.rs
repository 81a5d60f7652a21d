//! The publishable HTML report: one self-contained file (inline CSS and SVG, no scripts, no
//! network) with a state overview, plain-language scorecards per agency, a compact list of
//! agencies without sex-trade arrests, and a methods section.
//!
//! Wording is victim-centred: arrests of people selling sex are presented as a problem to fix,
//! juveniles arrested for prostitution are flagged as children who by law are victims, and
//! buyer and trafficker arrests are what the scorecard looks for.

use std::fmt::Write;

use crate::figures::{AgencyYear, Report, ReportingStatus, StateYear};
use crate::model::SexTradeOffense;
use crate::svg::{Bar, Series, bar_chart, trend_chart};

/// Options for the HTML rendering.
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// Date shown as "generated on" (the caller passes it: this crate reads no clock).
    pub generated_on: Option<String>,
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STATES: &[(&str, &str)] = &[
    ("AK", "Alaska"),
    ("AL", "Alabama"),
    ("AR", "Arkansas"),
    ("AS", "American Samoa"),
    ("AZ", "Arizona"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DC", "the District of Columbia"),
    ("DE", "Delaware"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("GM", "Guam"),
    ("GU", "Guam"),
    ("HI", "Hawaii"),
    ("IA", "Iowa"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("MA", "Massachusetts"),
    ("MD", "Maryland"),
    ("ME", "Maine"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MO", "Missouri"),
    ("MS", "Mississippi"),
    ("MT", "Montana"),
    ("NB", "Nebraska"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("NE", "Nebraska"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NV", "Nevada"),
    ("NY", "New York"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VA", "Virginia"),
    ("VI", "the U.S. Virgin Islands"),
    ("VT", "Vermont"),
    ("WA", "Washington"),
    ("WI", "Wisconsin"),
    ("WV", "West Virginia"),
    ("WY", "Wyoming"),
];

/// "Louisiana" for "LA"; the abbreviation itself when unknown.
pub fn state_name(abbr: &str) -> &str {
    STATES
        .iter()
        .find(|(a, _)| *a == abbr)
        .map(|(_, n)| *n)
        .unwrap_or(abbr)
}

fn people(n: u64) -> String {
    match n {
        0 => "no one".to_string(),
        1 => "1 person".to_string(),
        n => format!("{n} people"),
    }
}

fn agency_label(a: &AgencyYear) -> String {
    match &a.name {
        Some(name) => {
            let lower = name.to_ascii_lowercase();
            let needs_the = [
                "police",
                "sheriff",
                "department",
                "office",
                "patrol",
                "bureau",
                "marshal",
                "university",
                "college",
                "authority",
                "division",
            ]
            .iter()
            .any(|w| lower.contains(w))
                && !lower.starts_with("the ");
            if needs_the {
                format!("the {name}")
            } else {
                name.clone()
            }
        }
        None => format!("agency {}", a.ori),
    }
}

fn title_case_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The scorecard sentence, e.g. "In 2019 the X Police Department arrested 16 people for
/// selling sex, 15 of them women, and no buyers."
pub fn agency_sentence(a: &AgencyYear) -> String {
    let who = agency_label(a);
    let ar = &a.arrests;
    let mut parts: Vec<String> = Vec::new();
    let sellers = &ar.prostitution;
    if sellers.total > 0 {
        let mut p = format!("{} for selling sex", people(sellers.total));
        if sellers.female > 0 && sellers.total > 1 {
            if sellers.female == sellers.total {
                p.push_str(", all of them women");
            } else {
                let _ = write!(p, ", {} of them women", sellers.female);
            }
        } else if sellers.female == 1 {
            p.push_str(", a woman");
        }
        parts.push(p);
    }
    if ar.promoting.total > 0 {
        parts.push(format!(
            "{} for promoting prostitution",
            people(ar.promoting.total)
        ));
    }
    if ar.trafficking_commercial_sex.total > 0 {
        parts.push(format!(
            "{} for sex trafficking",
            people(ar.trafficking_commercial_sex.total)
        ));
    }
    if ar.trafficking_servitude.total > 0 {
        parts.push(format!(
            "{} for labour trafficking",
            people(ar.trafficking_servitude.total)
        ));
    }
    let buyers = match ar.purchasing.total {
        0 => "no buyers".to_string(),
        1 => "1 buyer".to_string(),
        n => format!("{n} buyers"),
    };
    if parts.is_empty() {
        return format!(
            "In {} {} made no arrests for buying, selling or promoting sex, or for human trafficking.",
            a.year, who
        );
    }
    if ar.purchasing.total > 0 {
        parts.push(format!("{buyers} of sex"));
    } else {
        parts.push(buyers);
    }
    let list = match parts.len() {
        1 => parts[0].clone(),
        2 => format!("{}, and {}", parts[0], parts[1]),
        _ => {
            let (last, head) = parts
                .split_last()
                .map(|(l, h)| (l.clone(), h.join("; ")))
                .unwrap_or_default();
            format!("{head}; and {last}")
        }
    };
    format!("In {} {} arrested {}.", a.year, who, list)
}

fn months_sentence(a: &AgencyYear) -> String {
    match (a.reporting, a.months_reported) {
        (ReportingStatus::FullYear, _) => {
            "It reported to NIBRS for all 12 months, so these figures cover the whole year."
                .to_string()
        }
        (ReportingStatus::PartYear, Some(n)) => format!(
            "It reported to NIBRS for only {n} of 12 months: arrests in the other months are unknown, not zero."
        ),
        (ReportingStatus::DidNotReport, _) => {
            "It did not report to NIBRS in any month: these are not zeros but missing data."
                .to_string()
        }
        _ => "Which months it reported is not in the imported data.".to_string(),
    }
}

fn ratio_sentence(ar: &crate::figures::ArrestCounts) -> Option<String> {
    let sellers = ar.prostitution.total;
    let buyers = ar.purchasing.total;
    if sellers == 0 && buyers == 0 {
        return None;
    }
    Some(if buyers == 0 {
        format!(
            "For {} arrested for selling sex, no buyer was arrested: the people most often exploited carried the whole burden of enforcement.",
            people(sellers)
        )
    } else if sellers == 0 {
        format!(
            "{} buyer arrest(s) and no arrests of people selling sex: enforcement aimed at demand.",
            buyers
        )
    } else if buyers >= sellers {
        format!(
            "{:.2} buyers were arrested for every person arrested for selling sex: enforcement leaned towards demand.",
            buyers as f64 / sellers as f64
        )
    } else {
        format!(
            "Only {:.2} buyers were arrested for every person arrested for selling sex.",
            buyers as f64 / sellers as f64
        )
    })
}

fn month_strip(a: &AgencyYear) -> String {
    let mut s = String::from(r#"<span class="months" aria-label="months reported">"#);
    for m in 1..=12u8 {
        let (class, title) = match a.months.by_month.get(&m).copied() {
            Some("I") => ("mi", "filed"),
            Some("Z") => ("mz", "zero report"),
            Some("U") => ("mu", "did not file"),
            _ => ("mx", "no record"),
        };
        let _ = write!(
            s,
            r#"<span class="{class}" title="month {m}: {title}"></span>"#
        );
    }
    s.push_str("</span>");
    s
}

fn months_text(a: &AgencyYear) -> String {
    match a.months_reported {
        Some(n) => format!(
            "{n}/12 ({} filed, {} zero, {} not filed)",
            a.months.filed, a.months.zero_report, a.months.not_reported
        ),
        None => "unknown".to_string(),
    }
}

fn code_class(o: SexTradeOffense) -> &'static str {
    match o {
        SexTradeOffense::Prostitution => "c40a",
        SexTradeOffense::Promoting => "c40b",
        SexTradeOffense::Purchasing => "c40c",
        SexTradeOffense::TraffickingCommercialSex => "c64a",
        SexTradeOffense::TraffickingServitude => "c64b",
    }
}

fn bar_label(o: SexTradeOffense) -> String {
    match o {
        SexTradeOffense::Prostitution => "40A selling sex".to_string(),
        SexTradeOffense::Promoting => "40B promoting".to_string(),
        SexTradeOffense::Purchasing => "40C buying sex".to_string(),
        SexTradeOffense::TraffickingCommercialSex => "64A sex trafficking".to_string(),
        SexTradeOffense::TraffickingServitude => "64B labour trafficking".to_string(),
    }
}

fn counts_table(ar: &crate::figures::ArrestCounts) -> String {
    let mut s = String::from(
        "<table class=\"counts\"><thead><tr><th>Offence</th><th>Arrests</th><th>Women</th><th>Men</th><th>Under 18</th><th>On view</th><th>Summoned/cited</th><th>Custody</th></tr></thead><tbody>",
    );
    for o in SexTradeOffense::ALL {
        let c = ar.get(o);
        let juvenile_cell = if o == SexTradeOffense::Prostitution && c.juvenile > 0 {
            format!("<td class=\"flag\">{}</td>", c.juvenile)
        } else {
            format!("<td>{}</td>", c.juvenile)
        };
        let _ = write!(
            s,
            "<tr><th scope=\"row\"><span class=\"key {}\"></span>{} {}</th><td>{}</td><td>{}</td><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td></tr>",
            code_class(o),
            o.code(),
            escape(o.plain_name()),
            c.total,
            c.female,
            c.male,
            juvenile_cell,
            c.on_view,
            c.summoned,
            c.custody
        );
    }
    s.push_str("</tbody></table>");
    s
}

fn trend_series(points: &[crate::figures::TrendPoint]) -> (Vec<i32>, Vec<Series<'static>>) {
    let years: Vec<i32> = points.iter().map(|p| p.year).collect();
    let series = vec![
        Series {
            label: "40A selling",
            values: points.iter().map(|p| p.prostitution).collect(),
            class: "c40a",
        },
        Series {
            label: "40B promoting",
            values: points.iter().map(|p| p.promoting).collect(),
            class: "c40b",
        },
        Series {
            label: "40C buying",
            values: points.iter().map(|p| p.purchasing).collect(),
            class: "c40c",
        },
        Series {
            label: "64A sex traffick.",
            values: points
                .iter()
                .map(|p| p.trafficking_commercial_sex)
                .collect(),
            class: "c64a",
        },
    ];
    (years, series)
}

const STYLE: &str = r#"
body{font:16px/1.5 Georgia,'Times New Roman',serif;color:#1d1d1d;max-width:60rem;margin:2rem auto;padding:0 1rem;background:#fff}
h1,h2,h3{font-family:'Helvetica Neue',Arial,sans-serif;line-height:1.2}
h1{font-size:1.9rem;margin-bottom:.2rem}h2{border-bottom:2px solid #222;padding-bottom:.2rem;margin-top:2.5rem}
.lede{font-size:1.15rem;color:#333}.meta{color:#555;font-size:.9rem}
.figures{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
.figure{border:1px solid #ccc;border-radius:4px;padding:.6rem .9rem;min-width:9rem}
.figure b{display:block;font:700 1.6rem 'Helvetica Neue',Arial,sans-serif}
.figure.alert{border-color:#b3261e;background:#fdf1f0}
table{border-collapse:collapse;margin:.6rem 0;font:.9rem 'Helvetica Neue',Arial,sans-serif}
th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th[scope=row],td.l,th.l{text-align:left}thead th{border-bottom:2px solid #444}
td.flag{background:#fdf1f0;color:#b3261e;font-weight:700}
.card{border:1px solid #ccc;border-left:6px solid #444;border-radius:4px;padding:.3rem 1rem 1rem;margin:1.2rem 0;page-break-inside:avoid}
.card.warn{border-left-color:#b3261e}.card.good{border-left-color:#1b6e3a}
.card h3{margin:.6rem 0 .2rem}.card .sub{color:#555;font-size:.85rem;margin:0}
.callout{background:#fdf1f0;border-left:4px solid #b3261e;padding:.5rem .8rem;margin:.6rem 0}
.months{display:inline-flex;gap:2px;vertical-align:middle}.months span{width:10px;height:14px;display:inline-block;border:1px solid #999}
.mi{background:#1b6e3a}.mz{background:#8fc79f}.mu{background:#fff;border-color:#b3261e!important}.mx{background:repeating-linear-gradient(45deg,#eee,#eee 2px,#ccc 2px,#ccc 4px)}
.key{display:inline-block;width:10px;height:10px;margin-right:6px}
.chart{max-width:100%;height:auto;font:12px 'Helvetica Neue',Arial,sans-serif}
.chart .lbl{fill:#222}.chart .val{fill:#444}.chart .axis{stroke:#444}.chart .grid{stroke:#ddd}
.chart .line{fill:none;stroke-width:2.5}
.c40a{fill:#c2571a;stroke:#c2571a;background:#c2571a}.c40b{fill:#6a3d9a;stroke:#6a3d9a;background:#6a3d9a}
.c40c{fill:#1f4e99;stroke:#1f4e99;background:#1f4e99}.c64a{fill:#0f7c7c;stroke:#0f7c7c;background:#0f7c7c}
.c64b{fill:#888;stroke:#888;background:#888}
polyline.c40a,polyline.c40b,polyline.c40c,polyline.c64a{fill:none}
details{margin:.5rem 0}summary{cursor:pointer;font-family:'Helvetica Neue',Arial,sans-serif}
footer{margin-top:3rem;color:#555;font-size:.85rem}
@media print{body{margin:0;max-width:none}.card{break-inside:avoid}}
"#;

/// Renders the report as one self-contained HTML document.
pub fn render_html(report: &Report, options: &HtmlOptions) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let states: Vec<&str> = {
        let mut v: Vec<&str> = report.states.iter().map(|s| s.state.as_str()).collect();
        v.dedup();
        v
    };
    let years: Vec<i32> = {
        let mut v: Vec<i32> = report.states.iter().map(|s| s.year).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let place = match states.as_slice() {
        [] => "No data".to_string(),
        [one] => state_name(one).to_string(),
        many => many
            .iter()
            .map(|s| state_name(s))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let period = match years.as_slice() {
        [] => String::new(),
        [y] => y.to_string(),
        [first, .., last] => format!("{first}–{last}"),
    };
    let title = format!("Who is arrested in the sex trade? {place} {period}");
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = write!(
        h,
        "<header><h1>{}</h1><p class=\"lede\">Arrests for selling sex, promoting prostitution, buying sex and human trafficking, per law-enforcement agency, from the FBI's National Incident-Based Reporting System (NIBRS). People who sell sex are very often the ones being exploited: a scorecard where they make up most arrests, and buyers and traffickers few, shows enforcement pointed the wrong way.</p>",
        escape(&title)
    );
    if let Some(date) = &options.generated_on {
        let _ = write!(
            h,
            "<p class=\"meta\">Generated on {} by Plainsight.</p>",
            escape(date)
        );
    }
    h.push_str("<nav><p class=\"meta\"><a href=\"#overview\">State overview</a> · <a href=\"#children\">Children arrested</a> · <a href=\"#scorecards\">Agency scorecards</a> · <a href=\"#no-arrests\">Agencies without arrests</a> · <a href=\"#methods\">Methods</a></p></nav></header>");

    // State overview.
    h.push_str("<section id=\"overview\"><h2>State overview</h2>");
    if report.states.is_empty() {
        h.push_str("<p>No imported data matches this report's filters.</p>");
    }
    for s in &report.states {
        state_overview(&mut h, s);
    }
    h.push_str("</section>");

    // Children arrested for prostitution.
    h.push_str("<section id=\"children\"><h2>Children arrested for prostitution</h2>");
    let children: Vec<&AgencyYear> = report
        .agencies
        .iter()
        .filter(|a| a.juvenile_prostitution_arrests > 0)
        .collect();
    if children.is_empty() {
        h.push_str("<p>No agency in this report arrested anyone under 18 for prostitution (40A) whose age was recorded.</p>");
    } else {
        h.push_str("<div class=\"callout\"><p>A child cannot consent to sex, let alone sell it. Under federal law and state Safe Harbor laws, a minor involved in commercial sex is a victim of trafficking. Each arrest below is a child treated as an offender.</p></div><table><thead><tr><th class=\"l\">Agency</th><th>Year</th><th>Children arrested for prostitution</th></tr></thead><tbody>");
        for a in children {
            let _ = write!(
                h,
                "<tr><td class=\"l\"><a href=\"#a-{}-{}\">{}</a></td><td>{}</td><td class=\"flag\">{}</td></tr>",
                escape(&a.ori),
                a.year,
                escape(a.name.as_deref().unwrap_or(&a.ori)),
                a.year,
                a.juvenile_prostitution_arrests
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // Scorecards for agencies with arrests.
    let mut with_arrests: Vec<&AgencyYear> = report
        .agencies
        .iter()
        .filter(|a| a.arrests.total() > 0)
        .collect();
    with_arrests.sort_by(|a, b| {
        (
            b.year,
            b.sex_trade_arrests + b.arrests.trafficking_servitude.total,
        )
            .cmp(&(
                a.year,
                a.sex_trade_arrests + a.arrests.trafficking_servitude.total,
            ))
            .then_with(|| a.ori.cmp(&b.ori))
    });
    let _ = write!(
        h,
        "<section id=\"scorecards\"><h2>Agency scorecards</h2><p>{} agency-years with at least one arrest for these offences, most arrests first.</p>",
        with_arrests.len()
    );
    for a in &with_arrests {
        scorecard(&mut h, a);
    }
    h.push_str("</section>");

    // Compact list of agencies without arrests, grouped by whether they reported.
    let without: Vec<&AgencyYear> = report
        .agencies
        .iter()
        .filter(|a| a.arrests.total() == 0)
        .collect();
    let _ = write!(
        h,
        "<section id=\"no-arrests\"><h2>Agencies without sex-trade arrests</h2><p>{} agency-years recorded none of these arrests. That means different things: an agency that reported all twelve months truly made no such arrest (which may itself show that nobody is looking); an agency that did not report is simply missing from the data.</p>",
        without.len()
    );
    let groups: [(ReportingStatus, &str); 4] = [
        (
            ReportingStatus::FullYear,
            "Reported all 12 months: no arrests made",
        ),
        (
            ReportingStatus::PartYear,
            "Reported part of the year: no arrests in the months reported",
        ),
        (
            ReportingStatus::DidNotReport,
            "Did not report to NIBRS: no data",
        ),
        (ReportingStatus::Unknown, "Reporting months not in the data"),
    ];
    for (status, heading) in groups {
        let members: Vec<&&AgencyYear> = without.iter().filter(|a| a.reporting == status).collect();
        if members.is_empty() {
            continue;
        }
        let open = if matches!(
            status,
            ReportingStatus::FullYear | ReportingStatus::PartYear
        ) {
            " open"
        } else {
            ""
        };
        let _ = write!(
            h,
            "<details{open}><summary>{} ({})</summary><table><thead><tr><th class=\"l\">Agency</th><th class=\"l\">ORI</th><th>Year</th><th>Population</th><th class=\"l\">Months (Jan–Dec)</th><th>Reported</th></tr></thead><tbody>",
            escape(heading),
            members.len()
        );
        for a in members {
            let _ = write!(
                h,
                "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td></tr>",
                escape(a.name.as_deref().unwrap_or("")),
                escape(&a.ori),
                a.year,
                a.population.map(|p| p.to_string()).unwrap_or_default(),
                month_strip(a),
                a.months_reported
                    .map(|n| format!("{n}/12"))
                    .unwrap_or_else(|| "unknown".into())
            );
        }
        h.push_str("</tbody></table></details>");
    }
    h.push_str("</section>");

    methods(&mut h, report);
    h.push_str("<footer><p>Made with Plainsight. Figures are counts of arrest records reported to the FBI, not of people convicted; they are leads for questions, not verdicts about any agency or person.</p></footer></body></html>\n");
    h
}

fn state_overview(h: &mut String, s: &StateYear) {
    let ar = &s.arrests;
    let _ = write!(h, "<h3>{} {}</h3>", escape(state_name(&s.state)), s.year);
    let sellers = ar.prostitution.total;
    let buyers = ar.purchasing.total;
    let _ = write!(
        h,
        "<p>In {} agencies in {} arrested {} for selling sex, {} for buying sex, {} for promoting prostitution and {} for sex trafficking.",
        s.year,
        escape(state_name(&s.state)),
        people(sellers),
        people(buyers),
        people(ar.promoting.total),
        people(ar.trafficking_commercial_sex.total)
    );
    if let Some(share) = s.seller_share {
        let _ = write!(
            h,
            " {:.0}% of all sex-trade arrests were of people selling sex.",
            share * 100.0
        );
    }
    h.push_str("</p>");
    if let Some(r) = ratio_sentence(ar) {
        let _ = write!(h, "<p>{}</p>", escape(&r));
    }
    h.push_str("<div class=\"figures\">");
    let _ = write!(
        h,
        "<div class=\"figure\"><b>{sellers}</b>arrests for selling sex</div>"
    );
    let _ = write!(
        h,
        "<div class=\"figure\"><b>{buyers}</b>arrests of buyers</div>"
    );
    let _ = write!(
        h,
        "<div class=\"figure\"><b>{}</b>buyers per seller arrested</div>",
        s.buyer_to_seller_ratio
            .map(|r| format!("{r:.2}"))
            .unwrap_or_else(|| "–".into())
    );
    let _ = write!(
        h,
        "<div class=\"figure{}\"><b>{}</b>children arrested for prostitution</div>",
        if s.juvenile_prostitution_arrests > 0 {
            " alert"
        } else {
            ""
        },
        s.juvenile_prostitution_arrests
    );
    let _ = write!(
        h,
        "<div class=\"figure\"><b>{} / {}</b>agencies reporting all 12 months</div>",
        s.agencies_full_year, s.agencies
    );
    if s.trafficking.incidents > 0 {
        let _ = write!(
            h,
            "<div class=\"figure\"><b>{}</b>trafficking incidents ({} victims, {} under 18)</div>",
            s.trafficking.incidents, s.trafficking.victims, s.trafficking.juvenile_victims
        );
    }
    h.push_str("</div>");
    let bars: Vec<Bar> = SexTradeOffense::ALL
        .iter()
        .map(|o| Bar {
            label: bar_label(*o),
            value: ar.get(*o).total,
            class: code_class(*o),
        })
        .collect();
    h.push_str(&bar_chart(
        &format!("Arrests by offence, {} {}", state_name(&s.state), s.year),
        &bars,
    ));
    let _ = write!(
        h,
        "<p class=\"meta\">{} agencies in the data; {} reported all 12 months, {} reported no month; {} of those reporting all year made no buyer arrest. {}{}</p>",
        s.agencies,
        s.agencies_full_year,
        s.agencies_not_reporting,
        s.agencies_full_year_without_buyer_arrests,
        if s.arrests_without_agency > 0 {
            format!(
                "{} arrests could not be linked to an agency and appear only in these state totals. ",
                s.arrests_without_agency
            )
        } else {
            String::new()
        },
        match &s.rates_per_100k {
            Some(r) => format!(
                "Per 100,000 residents served by reporting agencies: {:.1} seller and {:.1} buyer arrests.",
                r.prostitution, r.purchasing
            ),
            None => String::new(),
        }
    );
    if s.trend.len() > 1 {
        let (years, series) = trend_series(&s.trend);
        h.push_str(&trend_chart(
            &format!("Arrests per year, {}", state_name(&s.state)),
            &years,
            &series,
        ));
    }
    counts_table_into(h, ar);
}

fn counts_table_into(h: &mut String, ar: &crate::figures::ArrestCounts) {
    h.push_str(&counts_table(ar));
}

fn scorecard(h: &mut String, a: &AgencyYear) {
    let ar = &a.arrests;
    let class = if ar.prostitution.juvenile > 0
        || (ar.prostitution.total > 0 && ar.purchasing.total == 0)
    {
        "card warn"
    } else if ar.purchasing.total >= ar.prostitution.total {
        "card good"
    } else {
        "card"
    };
    let name = a.name.clone().unwrap_or_else(|| a.ori.clone());
    let _ = write!(
        h,
        "<article class=\"{class}\" id=\"a-{}-{}\"><h3>{} — {}</h3><p class=\"sub\">ORI {}{}{}{} · months reported {} {}</p>",
        escape(&a.ori),
        a.year,
        escape(&name),
        a.year,
        escape(&a.ori),
        a.county
            .as_ref()
            .map(|c| format!(" · {} County", escape(c)))
            .unwrap_or_default(),
        a.agency_type
            .as_ref()
            .map(|t| format!(" · {}", escape(t)))
            .unwrap_or_default(),
        a.population
            .map(|p| format!(" · population {p}"))
            .unwrap_or_default(),
        escape(&months_text(a)),
        month_strip(a)
    );
    let _ = write!(
        h,
        "<p><strong>{}</strong> {}</p>",
        escape(&title_case_first(&agency_sentence(a))),
        escape(&months_sentence(a))
    );
    if ar.prostitution.juvenile > 0 {
        let _ = write!(
            h,
            "<div class=\"callout\"><strong>{} of the people arrested for selling sex {} under 18:</strong> children who by law are victims of trafficking, not offenders.</div>",
            ar.prostitution.juvenile,
            if ar.prostitution.juvenile == 1 {
                "was"
            } else {
                "were"
            }
        );
    }
    if let Some(r) = ratio_sentence(ar) {
        let _ = write!(h, "<p>{}</p>", escape(&r));
    }
    if let Some(rank) = &a.rank {
        let _ = write!(
            h,
            "<p class=\"meta\">Among {} reporting agencies in {} in {}: {} by sex-trade arrests, {}.{}</p>",
            rank.sex_trade_arrests.of,
            escape(state_name(&a.state)),
            a.year,
            ordinal(rank.sex_trade_arrests.position),
            // A shared first place at zero buyer arrests is no distinction: say it plainly.
            if ar.purchasing.total == 0 {
                "no buyer arrests".to_string()
            } else {
                format!("{} by buyer arrests", ordinal(rank.buyer_arrests.position))
            },
            match &a.rates_per_100k {
                Some(r) => format!(
                    " Per 100,000 residents: {:.1} seller and {:.1} buyer arrests.",
                    r.prostitution, r.purchasing
                ),
                None => String::new(),
            }
        );
    }
    if a.trafficking.incidents > 0 {
        let _ = write!(
            h,
            "<p>It recorded {} human-trafficking incident(s) with {} victim(s), {} of them under 18.</p>",
            a.trafficking.incidents, a.trafficking.victims, a.trafficking.juvenile_victims
        );
    }
    counts_table_into(h, ar);
    if a.trend.len() > 1 {
        let (years, series) = trend_series(&a.trend);
        h.push_str(&trend_chart(
            &format!("Arrests per year, {name}"),
            &years,
            &series,
        ));
    }
    h.push_str("</article>");
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn methods(h: &mut String, report: &Report) {
    h.push_str("<section id=\"methods\"><h2>Methods</h2>");
    h.push_str("<h3>What is counted</h3><ul>");
    h.push_str("<li><strong>Offences.</strong> 40A Prostitution (the person selling), 40B Assisting or Promoting Prostitution, 40C Purchasing Prostitution (the buyer), 64A Human Trafficking – Commercial Sex Acts, 64B Human Trafficking – Involuntary Servitude. \"Sex-trade arrests\" are 40A + 40B + 40C + 64A.</li>");
    h.push_str("<li><strong>One arrestee record is one arrest</strong>, counted under its own arrest offence (the most serious offence of that arrest, chosen by the agency). Records marked <code>M</code> (the same arrest reported in several incidents) are not counted.</li>");
    h.push_str("<li><strong>Juveniles</strong> are arrestees whose recorded age is under 18 (an age range counts only if its upper end is under 18). Unknown ages are never counted as juvenile.</li>");
    h.push_str("<li><strong>Months reported</strong> are months in which the agency filed incident reports (I) or a zero report (Z); U means it did not file. Zero arrests from an agency that did not report are missing data, not zeros.</li>");
    h.push_str("<li><strong>Buyer-to-seller ratio</strong> is 40C arrests divided by 40A arrests (not shown when there were no 40A arrests). <strong>Seller share</strong> is 40A over all sex-trade arrests.</li>");
    h.push_str("<li><strong>Rates per 100,000</strong> use the population in the FBI agency table; state rates use the population of agencies that reported at least one month.</li>");
    h.push_str("<li><strong>Rank</strong> places an agency among the state's agencies that reported at least one month (or had arrests) that year; ties share a place.</li>");
    h.push_str("<li><strong>Trafficking incidents</strong> are incidents with a 64A or 64B offence; their victims are individuals connected to that offence.</li>");
    h.push_str("</ul><h3>Caveats</h3><ul>");
    h.push_str("<li>NIBRS has no charging, court or conviction data and does not say whether a charge was a misdemeanour or a felony.</li>");
    h.push_str("<li>States translate their own charges to these codes (e.g. \"soliciting\" may be 40B, 40C or 64A), so practice varies between agencies and years.</li>");
    h.push_str("<li>Agencies that did not use NIBRS in a year are absent or show as not reporting; statewide totals cover only reporting agencies.</li>");
    h.push_str("<li>Counts are of arrest records, not of people: one person arrested twice appears twice.</li>");
    h.push_str("</ul><h3>Data source</h3>");
    if report.sources.is_empty() {
        h.push_str("<p>FBI Crime Data Explorer NIBRS data (public domain).</p>");
    } else {
        h.push_str("<p>FBI National Incident-Based Reporting System data (public domain), imported from:</p><ul>");
        for s in &report.sources {
            let kind = match s.source {
                crate::model::SourceKind::Cde => "FBI Crime Data Explorer download",
                crate::model::SourceKind::MasterFile => "FBI NIBRS national master file",
                crate::model::SourceKind::FlatFile => "NIBRS flat-file submission",
            };
            let _ = write!(
                h,
                "<li>{}: <code>{}</code>{}</li>",
                kind,
                escape(&s.label),
                s.imported_at
                    .as_ref()
                    .map(|d| format!(", imported {}", escape(d)))
                    .unwrap_or_default()
            );
        }
        h.push_str("</ul>");
    }
    if !report.warnings.is_empty() {
        let _ = write!(
            h,
            "<details><summary>Data-quality notes ({})</summary><ul>",
            report.warnings.len()
        );
        for w in &report.warnings {
            let _ = write!(h, "<li>{}</li>", escape(&w.to_string()));
        }
        h.push_str("</ul></details>");
    }
    h.push_str("</section>");
}
