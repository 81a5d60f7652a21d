//! Golden tests for `law check` on every date boundary in the data files: the day before and
//! the day of each change, for every conduct and every combination of facts, in one reviewed
//! snapshot; a check that each boundary really changes its entry's answer; and the examples
//! the issue names.

use std::fmt::Write as _;

use plainsight_law::{AtDate, Conduct, Date, Facts, Library, Question};

fn library() -> &'static Library {
    Library::bundled().unwrap()
}

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

fn check(date: Date, conduct: Conduct, facts: Facts) -> plainsight_law::Answer {
    library()
        .check(&Question {
            jurisdiction: "NC",
            date,
            conduct,
            facts,
        })
        .unwrap()
}

fn facts_label(f: Facts) -> String {
    let list: Vec<&str> = f.list().iter().map(|f| f.as_str()).collect();
    if list.is_empty() {
        "-".into()
    } else {
        list.join("+")
    }
}

/// One line per conduct and facts: what is listed, with class and verified flag.
fn summary(date: Date) -> String {
    let mut out = String::new();
    for conduct in Conduct::ALL {
        for facts in Facts::all_combinations() {
            let a = check(date, conduct, facts);
            let statutes: Vec<String> = a
                .statutes
                .iter()
                .map(|s| {
                    format!(
                        "{} [{}]{}",
                        s.citation,
                        s.class,
                        if s.verified { " verified" } else { "" }
                    )
                })
                .collect();
            let protections: Vec<&str> =
                a.protections.iter().map(|p| p.citation.as_str()).collect();
            let _ = writeln!(
                out,
                "  {conduct} {}: {} | protections: {}",
                facts_label(facts),
                if statutes.is_empty() {
                    "none".into()
                } else {
                    statutes.join("; ")
                },
                if protections.is_empty() {
                    "none".into()
                } else {
                    protections.join(", ")
                }
            );
        }
    }
    out
}

#[test]
fn law_check_on_every_boundary_day_before_and_day_of() {
    let mut days: Vec<Date> = library().boundaries().iter().map(|b| b.date).collect();
    days.sort();
    days.dedup();
    let mut golden = String::new();
    for d in &days {
        let before = d.pred_opt().unwrap();
        let _ = writeln!(golden, "== {before} (the day before {d})");
        golden.push_str(&summary(before));
        let _ = writeln!(golden, "== {d}");
        golden.push_str(&summary(*d));
    }
    insta::assert_snapshot!("every_boundary", golden);
}

#[test]
fn the_boundaries_are_those_of_the_data_files() {
    let listed: Vec<String> = library()
        .boundaries()
        .iter()
        .map(|b| format!("{} {} {}", b.date, b.jurisdiction, b.citation))
        .collect();
    insta::assert_snapshot!("boundary_list", listed.join("\n"));
}

#[test]
fn each_boundary_changes_its_entry_between_the_day_before_and_the_day_of() {
    for b in library().boundaries() {
        let jur = library().jurisdiction(&b.jurisdiction).unwrap();
        let periods = jur
            .offences
            .iter()
            .find(|o| o.citation == b.citation)
            .map(|o| &o.periods)
            .or_else(|| {
                jur.protections
                    .iter()
                    .find(|p| p.citation == b.citation)
                    .map(|p| &p.periods)
            })
            .unwrap();
        let before = plainsight_law::period_at(periods, b.date.pred_opt().unwrap());
        let on = plainsight_law::period_at(periods, b.date);
        let AtDate::InForce(now) = on else {
            panic!(
                "{}: not in force on its own boundary {}",
                b.citation, b.date
            )
        };
        assert_eq!(now.from, Some(b.date));
        match before {
            AtDate::InForce(prev) => {
                assert_eq!(prev.to, Some(b.date), "{}", b.citation);
                assert_ne!(prev, now);
            }
            AtDate::NotYetInForce { from } => assert_eq!(from, b.date),
            AtDate::NotCovered { until } => assert_eq!(until, b.date),
        }
    }
}

fn citations(a: &plainsight_law::Answer) -> Vec<&str> {
    a.statutes.iter().map(|s| s.citation.as_str()).collect()
}

#[test]
fn buying_with_coercion_lists_sexual_servitude_from_1_december_2019() {
    let coercion = Facts {
        coercion: true,
        ..Facts::default()
    };
    let before = check(day("2019-11-30"), Conduct::Buying, coercion);
    assert!(
        !citations(&before).contains(&"G.S. 14-43.13"),
        "{:?}",
        citations(&before)
    );
    let on = check(day("2019-12-01"), Conduct::Buying, coercion);
    let s = on
        .statutes
        .iter()
        .find(|s| s.citation == "G.S. 14-43.13")
        .expect("G.S. 14-43.13 is listed on 2019-12-01");
    assert!(s.why.contains("S.L. 2019-158"), "{}", s.why);
    assert_eq!(s.effective_from, Some(day("2019-12-01")));
    assert!(s.sources.iter().any(|src| {
        src.url
            .as_deref()
            .is_some_and(|u| u.ends_with("SL2019-158.html"))
    }));
    // Without force, fraud or coercion, an adult's buyer is not listed under sexual servitude.
    let plain = check(day("2019-12-01"), Conduct::Buying, Facts::default());
    assert!(!citations(&plain).contains(&"G.S. 14-43.13"));
    // Federal law is listed beside the state's.
    assert!(citations(&on).contains(&"18 U.S.C. 1591"));
    // ... and alone when asked for.
    let us = library()
        .check(&Question {
            jurisdiction: "US",
            date: day("2019-12-01"),
            conduct: Conduct::Buying,
            facts: coercion,
        })
        .unwrap();
    assert_eq!(citations(&us), ["18 U.S.C. 1591"]);
}

#[test]
fn selling_by_a_minor_lists_the_safe_harbor_from_1_october_2013() {
    let minor = Facts {
        minor: true,
        ..Facts::default()
    };
    let on = check(day("2013-10-01"), Conduct::Selling, minor);
    let protections: Vec<&str> = on.protections.iter().map(|p| p.citation.as_str()).collect();
    assert!(protections.contains(&"G.S. 14-204(c)"), "{protections:?}");
    let safe_harbor = on
        .protections
        .iter()
        .find(|p| p.citation == "G.S. 14-204(c)")
        .unwrap();
    assert!(safe_harbor.verified);
    assert!(safe_harbor.text.contains("immune from prosecution"));
    let prostitution = on
        .statutes
        .iter()
        .find(|s| s.citation == "G.S. 14-204")
        .unwrap();
    assert!(
        prostitution.class.contains("immune"),
        "{}",
        prostitution.class
    );
    // The day before, the Safe Harbor was not in force; the adult class is shown.
    let before = check(day("2013-09-30"), Conduct::Selling, minor);
    assert!(
        !before
            .protections
            .iter()
            .any(|p| p.citation == "G.S. 14-204(c)")
    );
    let prostitution = before
        .statutes
        .iter()
        .find(|s| s.citation == "G.S. 14-204")
        .unwrap();
    assert_eq!(prostitution.class, "Class 1 misdemeanor");
    // An adult selling gets no Safe Harbor.
    let adult = check(day("2020-01-01"), Conduct::Selling, Facts::default());
    assert!(
        !adult
            .protections
            .iter()
            .any(|p| p.citation == "G.S. 14-204(c)")
    );
}

#[test]
fn solicitation_becomes_a_felony_on_1_december_2024() {
    let get = |d: &str, facts: Facts| {
        check(day(d), Conduct::Buying, facts)
            .statutes
            .into_iter()
            .find(|s| s.citation == "G.S. 14-205.1")
            .unwrap()
    };
    assert!(
        get("2024-11-30", Facts::default())
            .class
            .starts_with("Class 1 misdemeanor")
    );
    let on = get("2024-12-01", Facts::default());
    assert_eq!(on.class, "Class I felony");
    assert!(!on.verified, "the 2024 classes come from summaries");
    let minor = Facts {
        minor: true,
        ..Facts::default()
    };
    assert_eq!(get("2024-12-01", minor).class, "Class G felony");
    let md = Facts {
        mental_disability: true,
        ..Facts::default()
    };
    assert_eq!(get("2024-12-01", md).class, "Class E felony");
    // Both facts: our sources give no class for them together, so both are shown.
    let both = get(
        "2024-12-01",
        Facts {
            minor: true,
            mental_disability: true,
            coercion: false,
        },
    );
    assert!(
        both.class.contains("Class G felony") && both.class.contains("Class E felony"),
        "{}",
        both.class
    );
}

#[test]
fn human_trafficking_classes_change_on_1_december_2017_and_are_not_covered_before_2013() {
    let get = |d: &str, facts: Facts| {
        check(day(d), Conduct::Trafficking, facts)
            .statutes
            .into_iter()
            .find(|s| s.citation == "G.S. 14-43.11")
            .unwrap()
    };
    let minor = Facts {
        minor: true,
        ..Facts::default()
    };
    let a = get("2017-11-30", Facts::default());
    assert_eq!((a.class.as_str(), a.verified), ("Class F felony", true));
    assert_eq!(get("2017-11-30", minor).class, "Class C felony");
    let b = get("2017-12-01", Facts::default());
    assert_eq!((b.class.as_str(), b.verified), ("Class C felony", false));
    assert_eq!(get("2017-12-01", minor).class, "Class B1 felony");
    let c = get("2013-09-30", Facts::default());
    assert!(!c.in_force && !c.verified);
    assert_eq!(c.effective_to, Some(day("2013-10-01")));
    assert!(c.class.contains("Not stated in our sources"));
}

#[test]
fn promoting_travel_is_not_in_force_before_it_was_created() {
    let before = check(day("2019-11-30"), Conduct::Promoting, Facts::default());
    assert!(!citations(&before).contains(&"G.S. 14-208.1"));
    let on = check(day("2019-12-01"), Conduct::Promoting, Facts::default());
    assert!(citations(&on).contains(&"G.S. 14-208.1"));
}
