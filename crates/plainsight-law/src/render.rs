//! Printing answers for people and programs: `law check` as a table or JSON, `law changes` as
//! plain text, Markdown, a self-contained printable HTML page or JSON. Every rendering starts
//! with the notice that this is a reference with citations, not legal advice.

use std::fmt::Write as _;

use crate::model::{Conduct, DatePrecision, Source};
use crate::query::{Answer, Briefing, ChangeItem, UndatedItem};
use crate::{Date, NOTICE};

/// Columns of the plain-text renderings (tables and briefings).
const WIDTH: usize = 100;

/// "1 December 2019".
pub fn long_date(date: Date) -> String {
    date.format("%-d %B %Y").to_string()
}

/// "Since 1 December 2019, " or, for a change dated only by its year, "Since a day in 2015
/// that our sources do not state, ".
fn since_phrase(item: &ChangeItem) -> String {
    use chrono::Datelike;
    let start = match item.date_precision {
        DatePrecision::Day => long_date(item.date),
        DatePrecision::Year => format!(
            "a day in {} that our sources do not state",
            item.date.year()
        ),
    };
    match item.until {
        Some(until) => format!(
            "From {start} until {}, ",
            long_date(until.pred_opt().unwrap_or(until))
        ),
        None => format!("Since {start}, "),
    }
}

/// The heading date of a change.
fn change_date(item: &ChangeItem) -> String {
    use chrono::Datelike;
    match item.date_precision {
        DatePrecision::Day => long_date(item.date),
        DatePrecision::Year => format!("{} (day not stated in our sources)", item.date.year()),
    }
}

/// "North Carolina, with United States federal law".
fn scope_name(scope: &[(String, String)]) -> String {
    let mut names = scope.iter().map(|(_, name)| name.as_str());
    let first = names.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = names.collect();
    if rest.is_empty() {
        first
    } else {
        format!("{first}, with {}", rest.join(" and "))
    }
}

/// Splits text into lines of at most `width` characters, breaking at spaces (a longer word,
/// such as an address, gets a line of its own and is cut only when it is longer still).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Text indented by `indent` spaces and wrapped to `width` columns in all.
fn block(out: &mut String, indent: usize, width: usize, text: &str) {
    let pad = " ".repeat(indent);
    for line in wrap(text, width.saturating_sub(indent)) {
        let _ = writeln!(out, "{pad}{line}");
    }
}

fn source_line(source: &Source) -> String {
    match &source.url {
        Some(url) => format!("{} <{url}>", source.title),
        None => format!("{} (no address in our sources)", source.title),
    }
}

/// "2019-12-01 – 2024-11-30", "? – 2019-11-30", "2019-12-01 –".
fn in_force_cell(from: Option<Date>, to: Option<Date>) -> String {
    let from = from.map_or_else(|| "?".to_string(), |d| d.to_string());
    match to {
        Some(to) => format!("{from} – {}", to.pred_opt().unwrap_or(to)),
        None => format!("{from} –"),
    }
}

/// A table whose cells wrap within their column; `caps` bounds each column's width.
fn table(out: &mut String, indent: usize, headers: &[&str], rows: &[Vec<String>], caps: &[usize]) {
    let cols = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(cell.chars().count().min(caps[i]));
        }
    }
    let pad = " ".repeat(indent);
    let mut emit = |cells: Vec<Vec<String>>| {
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..height {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let piece = cell.get(line).map(String::as_str).unwrap_or("");
                if i + 1 == cols {
                    text.push_str(piece);
                } else {
                    let fill = widths[i].saturating_sub(piece.chars().count());
                    text.push_str(piece);
                    text.push_str(&" ".repeat(fill + 2));
                }
            }
            let _ = writeln!(out, "{pad}{}", text.trim_end());
        }
    };
    emit(headers.iter().map(|h| vec![h.to_uppercase()]).collect());
    for row in rows {
        emit(
            row.iter()
                .enumerate()
                .map(|(i, cell)| wrap(cell, widths[i]))
                .collect(),
        );
    }
}

fn yes_no(verified: bool) -> &'static str {
    if verified { "yes" } else { "no" }
}

fn statutes_section(out: &mut String, answer: &Answer) {
    let _ = writeln!(out, "Statutes");
    if answer.statutes.is_empty() {
        block(
            out,
            2,
            WIDTH,
            "No statute in our data covers this conduct with these facts on this date. That does not mean that no law applied: the data covers only the statutes listed in docs/law.md.",
        );
    } else {
        let rows: Vec<Vec<String>> = answer
            .statutes
            .iter()
            .map(|s| {
                vec![
                    s.citation.clone(),
                    s.title.clone(),
                    s.class.clone(),
                    in_force_cell(s.effective_from, s.effective_to),
                    yes_no(s.verified).to_string(),
                    s.nibrs_code.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        table(
            out,
            2,
            &[
                "citation", "title", "class", "in force", "verified", "NIBRS",
            ],
            &rows,
            &[16, 24, 30, 23, 8, 7],
        );
        for s in &answer.statutes {
            let _ = writeln!(out);
            let _ = writeln!(out, "  {} {}", s.citation, s.title);
            block(out, 4, WIDTH, &format!("Class: {}", s.class));
            block(out, 4, WIDTH, &format!("Why: {}", s.why));
            let _ = writeln!(out, "    Sources:");
            for source in &s.sources {
                block(out, 6, WIDTH, &format!("- {}", source_line(source)));
            }
        }
    }
}

fn protections_section(out: &mut String, answer: &Answer) {
    let _ = writeln!(out, "Protections");
    if answer.protections.is_empty() {
        block(
            out,
            2,
            WIDTH,
            "None in our data for this conduct with these facts on this date.",
        );
    }
    for p in &answer.protections {
        let _ = writeln!(
            out,
            "  {} {} (verified: {})",
            p.citation,
            p.title,
            yes_no(p.verified)
        );
        block(out, 4, WIDTH, &p.text);
        let _ = writeln!(out, "    Sources:");
        for source in &p.sources {
            block(out, 6, WIDTH, &format!("- {}", source_line(source)));
        }
    }
}

/// `plainsight law check --format table`.
pub fn check_table(answer: &Answer) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{NOTICE}\n");
    let _ = writeln!(
        out,
        "Law that applied on {}: {}",
        long_date(answer.date),
        scope_name(&answer.scope)
    );
    let facts: Vec<&str> = answer.facts.list().into_iter().map(|f| f.label()).collect();
    let _ = writeln!(
        out,
        "Conduct: {}. Facts: {}.\n",
        answer.conduct,
        if facts.is_empty() {
            "none given".to_string()
        } else {
            facts.join(", ")
        }
    );

    // The person selling is most often the person exploited: what protects them comes first.
    if answer.conduct == Conduct::Selling {
        protections_section(&mut out, answer);
        let _ = writeln!(out);
        statutes_section(&mut out, answer);
    } else {
        statutes_section(&mut out, answer);
        let _ = writeln!(out);
        protections_section(&mut out, answer);
    }
    if !answer.definitions.is_empty() {
        let _ = writeln!(out, "\nTerms for the facts given");
        for d in &answer.definitions {
            let mut text = format!("\"{}\" ({}): {}", d.term, d.citation, d.text);
            if let Some(u) = &d.unverified {
                let _ = write!(text, " Not verified: {}", u.trim_end_matches('.'));
                text.push('.');
            }
            block(&mut out, 2, WIDTH, &text);
        }
    }
    let _ = writeln!(
        out,
        "\nIn force: first and last day; \"?\" means our sources do not state the day, an open end that they state no end. Verified: yes only when every part shown is marked verified in the law data; the notes say what a verification rests on."
    );
    out
}

/// `plainsight law check --format json`: the documented JSON (`docs/law.md`).
pub fn check_json(answer: &Answer) -> String {
    let mut text = serde_json::to_string_pretty(answer).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// `plainsight law changes --format json`.
pub fn changes_json(briefing: &Briefing) -> String {
    let mut text = serde_json::to_string_pretty(briefing).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

fn briefing_title(b: &Briefing) -> String {
    let scope = scope_name(&b.scope);
    match b.since {
        Some(since) => format!(
            "What changed in the law since {}: {scope}",
            long_date(since)
        ),
        None => format!("What changed in the law: {scope}"),
    }
}

const BRIEFING_INTRO: &str = "Newest first. A date is the day from which the change applies to conduct. Each item cites the statute and the session law; items marked NOT VERIFIED rest on summaries or on our reading and must be checked at the source before they are relied on.";

fn verified_line(verified: bool, unverified: &[String]) -> String {
    if verified {
        "Verified.".to_string()
    } else if unverified.is_empty() {
        "NOT VERIFIED.".to_string()
    } else {
        format!(
            "NOT VERIFIED: {}.",
            unverified.join("; ").trim_end_matches('.')
        )
    }
}

/// `plainsight law changes --format text`.
pub fn changes_text(b: &Briefing) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{NOTICE}\n");
    block(&mut out, 0, WIDTH, &briefing_title(b));
    block(&mut out, 0, WIDTH, BRIEFING_INTRO);
    if b.changes.is_empty() {
        let _ = writeln!(out, "\nNo dated change in our data on or after that day.");
    }
    for item in &b.changes {
        let _ = writeln!(out);
        let mark = if item.verified {
            ""
        } else {
            "  [NOT VERIFIED]"
        };
        block(
            &mut out,
            0,
            WIDTH,
            &format!(
                "{}: {}, {}{mark}",
                change_date(item),
                item.citation,
                item.title
            ),
        );
        block(
            &mut out,
            2,
            WIDTH,
            &format!("{}{}", since_phrase(item), item.change),
        );
        if let Some(by) = &item.changed_by {
            block(&mut out, 2, WIDTH, &format!("Changed by: {by}."));
        }
        if let Some(class) = &item.class {
            block(
                &mut out,
                2,
                WIDTH,
                &format!("Class from that day: {class}."),
            );
        }
        for note in &item.notes {
            block(&mut out, 2, WIDTH, note);
        }
        block(
            &mut out,
            2,
            WIDTH,
            &verified_line(item.verified, &item.unverified),
        );
        let _ = writeln!(out, "  Sources:");
        for s in &item.sources {
            block(&mut out, 4, WIDTH, &format!("- {}", source_line(s)));
        }
    }
    if !b.undated.is_empty() {
        let _ = writeln!(out, "\nChanges our sources do not date");
        for item in &b.undated {
            undated_text(&mut out, item, WIDTH);
        }
    }
    out
}

fn undated_text(out: &mut String, item: &UndatedItem, width: usize) {
    let _ = writeln!(out);
    let mark = if item.verified {
        ""
    } else {
        "  [NOT VERIFIED]"
    };
    block(
        out,
        2,
        width,
        &format!("{}, {}{mark}", item.citation, item.title),
    );
    block(out, 4, width, &item.text);
    block(
        out,
        4,
        width,
        &verified_line(item.verified, &item.unverified),
    );
    let _ = writeln!(out, "    Sources:");
    for s in &item.sources {
        block(out, 6, width, &format!("- {}", source_line(s)));
    }
}

fn md_source(source: &Source) -> String {
    match &source.url {
        Some(url) => format!("[{}]({url})", source.title),
        None => format!("{} (no address in our sources)", source.title),
    }
}

/// `plainsight law changes --format markdown`.
pub fn changes_markdown(b: &Briefing) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", briefing_title(b));
    let _ = writeln!(out, "> {NOTICE}\n");
    let _ = writeln!(out, "{BRIEFING_INTRO}\n");
    if b.changes.is_empty() {
        let _ = writeln!(out, "No dated change in our data on or after that day.\n");
    }
    for item in &b.changes {
        let mark = if item.verified { "" } else { " (not verified)" };
        let _ = writeln!(
            out,
            "## {}: {}, {}{mark}\n",
            change_date(item),
            item.citation,
            item.title
        );
        let _ = writeln!(out, "{}{}\n", since_phrase(item), item.change);
        if let Some(by) = &item.changed_by {
            let _ = writeln!(out, "- Changed by: {by}.");
        }
        if let Some(class) = &item.class {
            let _ = writeln!(out, "- Class from that day: {class}.");
        }
        for note in &item.notes {
            let _ = writeln!(out, "- {note}");
        }
        let _ = writeln!(out, "- {}", verified_line(item.verified, &item.unverified));
        let sources: Vec<String> = item.sources.iter().map(md_source).collect();
        let _ = writeln!(out, "- Sources: {}\n", sources.join("; "));
    }
    if !b.undated.is_empty() {
        let _ = writeln!(out, "## Changes our sources do not date\n");
        for item in &b.undated {
            let mark = if item.verified { "" } else { " (not verified)" };
            let _ = writeln!(out, "### {}, {}{mark}\n", item.citation, item.title);
            let _ = writeln!(out, "{}\n", item.text);
            let _ = writeln!(out, "- {}", verified_line(item.verified, &item.unverified));
            let sources: Vec<String> = item.sources.iter().map(md_source).collect();
            let _ = writeln!(out, "- Sources: {}\n", sources.join("; "));
        }
    }
    out
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

fn html_sources(out: &mut String, sources: &[Source]) {
    out.push_str("<ul class=\"sources\">");
    for s in sources {
        match &s.url {
            Some(url) => {
                let _ = write!(
                    out,
                    "<li>{} <a href=\"{}\">{}</a></li>",
                    escape_html(&s.title),
                    escape_html(url),
                    escape_html(url)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<li>{} (no address in our sources)</li>",
                    escape_html(&s.title)
                );
            }
        }
    }
    out.push_str("</ul>");
}

const HTML_STYLE: &str = "body{font-family:Georgia,'Times New Roman',serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}\
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.6rem}.notice{border:1px solid #444;padding:.5rem .75rem;font-weight:bold}\
.unverified{color:#8a1c00;font-weight:bold}.verified{color:#1d5b1d}.sources{font-size:.9rem}\
article{border-top:1px solid #bbb;padding-top:.25rem;break-inside:avoid}\
@media print{body{margin:0;max-width:none}a{color:#111}a[href]::after{content:none}}";

/// `plainsight law changes --format html`: one self-contained, printable page (no script, no
/// outside asset).
pub fn changes_html(b: &Briefing) -> String {
    let mut out = String::new();
    let title = escape_html(&briefing_title(b));
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{HTML_STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n<p class=\"notice\">{}</p>\n<p>{}</p>\n",
        escape_html(NOTICE),
        escape_html(BRIEFING_INTRO)
    );
    if b.changes.is_empty() {
        out.push_str("<p>No dated change in our data on or after that day.</p>\n");
    }
    for item in &b.changes {
        out.push_str("<article>\n");
        let _ = write!(
            out,
            "<h2>{}: {}, {}</h2>\n<p>{}{}</p>\n",
            escape_html(&change_date(item)),
            escape_html(&item.citation),
            escape_html(&item.title),
            escape_html(&since_phrase(item)),
            escape_html(&item.change)
        );
        if let Some(by) = &item.changed_by {
            let _ = writeln!(out, "<p>Changed by: {}.</p>", escape_html(by));
        }
        if let Some(class) = &item.class {
            let _ = writeln!(out, "<p>Class from that day: {}.</p>", escape_html(class));
        }
        let class = if item.verified {
            "verified"
        } else {
            "unverified"
        };
        for note in &item.notes {
            let _ = writeln!(out, "<p>{}</p>", escape_html(note));
        }
        let _ = writeln!(
            out,
            "<p class=\"{class}\">{}</p>",
            escape_html(&verified_line(item.verified, &item.unverified))
        );
        html_sources(&mut out, &item.sources);
        out.push_str("\n</article>\n");
    }
    if !b.undated.is_empty() {
        out.push_str("<h2>Changes our sources do not date</h2>\n");
        for item in &b.undated {
            out.push_str("<article>\n");
            let _ = write!(
                out,
                "<h2>{}, {}</h2>\n<p>{}</p>\n",
                escape_html(&item.citation),
                escape_html(&item.title),
                escape_html(&item.text)
            );
            let class = if item.verified {
                "verified"
            } else {
                "unverified"
            };
            let _ = writeln!(
                out,
                "<p class=\"{class}\">{}</p>",
                escape_html(&verified_line(item.verified, &item.unverified))
            );
            html_sources(&mut out, &item.sources);
            out.push_str("\n</article>\n");
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}
