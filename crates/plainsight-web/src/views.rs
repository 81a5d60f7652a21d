//! The page frame every page shares (navigation by role, the demo label, the sign-out form)
//! and small rendering helpers. Markup is written with `maud`, which escapes every value.

use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use plainsight_access::Permission;

use crate::context::Signed;

/// Context for the page frame.
pub struct Frame<'a> {
    pub title: &'a str,
    pub user: Option<&'a Signed>,
    pub demo: bool,
    /// Which navigation item is current.
    pub section: &'a str,
}

impl<'a> Frame<'a> {
    /// The frame of a page for a signed-in user.
    pub fn signed(
        state: &crate::AppState,
        user: &'a Signed,
        title: &'a str,
        section: &'a str,
    ) -> Frame<'a> {
        Frame {
            title,
            user: Some(user),
            demo: state.config.demo,
            section,
        }
    }

    /// The frame of a page before sign-in.
    pub fn anonymous(state: &crate::AppState, title: &'a str) -> Frame<'a> {
        Frame {
            title,
            user: None,
            demo: state.config.demo,
            section: "",
        }
    }
}

/// A whole page.
pub fn page(frame: &Frame<'_>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (frame.title) " · Plainsight" }
                link rel="stylesheet" href="/static/style.css";
                link rel="stylesheet" href="/static/graph.css";
                script src="/static/graph.js" defer {}
            }
            body {
                @if frame.demo {
                    div.demo-banner role="note" {
                        "DEMO workspace: every ad, number and name here is generated. Nothing is real."
                    }
                }
                header.top {
                    a.brand href="/" { "Plainsight" }
                    @if let Some(user) = frame.user {
                        nav aria-label="Main" {
                            (nav_link("/", "Dashboard", "dashboard", frame.section))
                            @if user.can(Permission::ViewLeads) {
                                (nav_link("/leads", "Lead queue", "leads", frame.section))
                            }
                            @if user.can(Permission::Search) {
                                (nav_link("/search", "Search", "search", frame.section))
                            }
                            @if user.can(Permission::ManageCases) {
                                (nav_link("/cases", "Cases", "cases", frame.section))
                            }
                            @if user.can(Permission::ManageUsers) || user.can(Permission::ManageSettings) {
                                (nav_link("/admin/users", "Administration", "admin", frame.section))
                            }
                            @if user.can(Permission::ViewAuditLog) {
                                (nav_link("/admin/audit", "Audit log", "audit", frame.section))
                            }
                        }
                        div.who {
                            span { (user.user.display_name) " · " (user.role.label()) }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(user.csrf);
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main id="main" { (content) }
                footer {
                    "Plainsight shows leads for human review, not verdicts. "
                    "Priorities are review order, not the probability of anything."
                }
            }
        }
    }
}

fn nav_link(href: &str, label: &str, section: &str, current: &str) -> Markup {
    html! {
        @if section == current {
            a href=(href) aria-current="page" { (label) }
        } @else {
            a href=(href) { (label) }
        }
    }
}

/// The page shown for an error status.
pub fn error_page(status: StatusCode, message: &str, user: Option<&Signed>, demo: bool) -> Markup {
    let frame = Frame {
        title: status.canonical_reason().unwrap_or("Error"),
        user,
        demo,
        section: "",
    };
    page(
        &frame,
        html! {
            h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
            p { (message) }
            p { a href="/" { "Back to the dashboard" } }
        },
    )
}

/// An SVG string produced by `plainsight-graphics` (which escapes all text it draws).
pub fn svg(s: String) -> Markup {
    PreEscaped(s)
}

/// A date-time shown as `YYYY-MM-DD HH:MM` UTC.
pub fn when(t: Option<&str>) -> String {
    match t {
        // `get` rather than slicing: a stored value that is not a timestamp is shown as it is
        // instead of panicking on a character boundary.
        Some(t) => match (t.get(..10), t.get(11..16)) {
            (Some(day), Some(time)) => format!("{day} {time}"),
            _ => t.to_string(),
        },
        None => "—".to_string(),
    }
}

/// A date of a `chrono` time as `YYYY-MM-DD`.
pub fn day(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// A review label in words.
pub fn label_text(label: &str) -> &'static str {
    match label {
        "needs_investigation" => "Needs investigation",
        "not_relevant" => "Not relevant",
        "known_case" => "Known case",
        "independent_worker" => "Independent worker",
        "other" => "Other",
        _ => "Unknown label",
    }
}

/// A value encoded for a URL's query string (`maud` escapes HTML, not URLs).
pub fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// A hidden anti-forgery field for a form.
pub fn csrf_field(user: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf); }
}

#[cfg(test)]
mod tests {
    use super::{url_encode, when};

    #[test]
    fn query_values_are_url_encoded() {
        assert_eq!(url_encode("a&b c=d"), "a%26b+c%3Dd");
        assert_eq!(url_encode("Raleigh, NC"), "Raleigh%2C+NC");
    }

    #[test]
    fn times_are_shortened_and_odd_values_shown_as_they_are() {
        assert_eq!(when(Some("2026-11-28T18:07:11.123Z")), "2026-11-28 18:07");
        assert_eq!(when(Some("2024-01-01")), "2024-01-01");
        assert_eq!(when(Some("éééééééééééééééé")), "éééééééééééééééé");
        assert_eq!(when(None), "—");
    }
}
