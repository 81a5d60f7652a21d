//! Snapshot tests of what people and programs read: `law check` as JSON (its keys are a
//! contract, checked exactly) and as a table, and the `law changes` briefing as text, Markdown,
//! HTML and JSON. Every rendering carries the notice.

use plainsight_law::{Conduct, Facts, Library, NOTICE, Question, render};

fn library() -> &'static Library {
    Library::bundled().unwrap()
}

fn answer(date: &str, conduct: Conduct, facts: Facts) -> plainsight_law::Answer {
    library()
        .check(&Question {
            jurisdiction: "NC",
            date: date.parse().unwrap(),
            conduct,
            facts,
        })
        .unwrap()
}

fn buying_with_coercion() -> plainsight_law::Answer {
    answer(
        "2019-12-01",
        Conduct::Buying,
        Facts {
            coercion: true,
            ..Facts::default()
        },
    )
}

fn selling_by_a_minor() -> plainsight_law::Answer {
    answer(
        "2020-06-15",
        Conduct::Selling,
        Facts {
            minor: true,
            ..Facts::default()
        },
    )
}

/// The text with every run of whitespace made one space, so wrapped lines compare as prose.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn keys(v: &serde_json::Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort();
    k
}

#[test]
fn check_json_has_exactly_the_documented_keys() {
    for a in [buying_with_coercion(), selling_by_a_minor()] {
        let v: serde_json::Value = serde_json::from_str(&render::check_json(&a)).unwrap();
        assert_eq!(
            keys(&v),
            ["conduct", "date", "jurisdiction", "protections", "statutes"]
        );
        for s in v["statutes"].as_array().unwrap() {
            assert_eq!(
                keys(s),
                [
                    "citation",
                    "class",
                    "effective_from",
                    "effective_to",
                    "nibrs_code",
                    "sources",
                    "title",
                    "verified",
                    "why"
                ]
            );
            for src in s["sources"].as_array().unwrap() {
                assert_eq!(keys(src), ["title", "url"]);
            }
        }
        for p in v["protections"].as_array().unwrap() {
            assert_eq!(
                keys(p),
                ["citation", "sources", "text", "title", "verified"]
            );
        }
    }
}

#[test]
fn check_json_snapshot() {
    insta::assert_snapshot!(
        "check_buying_coercion_2019_12_01_json",
        render::check_json(&buying_with_coercion())
    );
    insta::assert_snapshot!(
        "check_selling_minor_2020_06_15_json",
        render::check_json(&selling_by_a_minor())
    );
}

#[test]
fn check_table_snapshot() {
    let table = render::check_table(&buying_with_coercion());
    assert!(table.starts_with(NOTICE));
    insta::assert_snapshot!("check_buying_coercion_2019_12_01_table", table);
    let table = render::check_table(&selling_by_a_minor());
    insta::assert_snapshot!("check_selling_minor_2020_06_15_table", table);
}

#[test]
fn check_table_says_when_nothing_is_listed() {
    let a = library()
        .check(&Question {
            jurisdiction: "US",
            date: "2019-12-01".parse().unwrap(),
            conduct: Conduct::Selling,
            facts: Facts::default(),
        })
        .unwrap();
    assert!(a.statutes.is_empty());
    let table = render::check_table(&a);
    assert!(
        flat(&table).contains("That does not mean that no law applied"),
        "{table}"
    );
}

#[test]
fn changes_snapshots() {
    let b = library().changes("NC", None).unwrap();
    let text = render::changes_text(&b);
    assert!(text.starts_with(NOTICE));
    assert!(flat(&text).contains("Since 1 December 2019, a person who obtains another for the purposes of sexual servitude commits sexual servitude under G.S. 14-43.13"));
    insta::assert_snapshot!("changes_nc_text", text);
    let md = render::changes_markdown(&b);
    assert!(md.contains(NOTICE));
    insta::assert_snapshot!("changes_nc_markdown", md);
    let html = render::changes_html(&b);
    assert!(html.starts_with("<!doctype html>") && html.contains(NOTICE));
    assert!(
        !html.contains("<script"),
        "a printable page carries no script"
    );
    insta::assert_snapshot!("changes_nc_html", html);
    insta::assert_snapshot!(
        "changes_nc_since_2019_json",
        render::changes_json(
            &library()
                .changes("NC", Some("2019-01-01".parse().unwrap()))
                .unwrap()
        )
    );
}

#[test]
fn unverified_changes_are_marked_in_every_format() {
    let b = library()
        .changes("NC", Some("2024-01-01".parse().unwrap()))
        .unwrap();
    assert_eq!(
        b.changes.len(),
        1,
        "only the 2024 change is on or after 2024"
    );
    assert!(!b.changes[0].verified);
    assert!(render::changes_text(&b).contains("[NOT VERIFIED]"));
    assert!(render::changes_markdown(&b).contains("(not verified)"));
    assert!(render::changes_html(&b).contains("class=\"unverified\""));
}

#[test]
fn html_escapes_what_it_prints() {
    assert_eq!(
        render::escape_html("<a href=\"x\">&'"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
}

#[test]
fn wrap_keeps_every_word_and_the_width() {
    let text = "one two three https://www.ncleg.gov/EnactedLegislation/Statutes/HTML/BySection/Chapter_14/GS_14-43.13.html four";
    let lines = render::wrap(text, 20);
    assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
    assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
}
