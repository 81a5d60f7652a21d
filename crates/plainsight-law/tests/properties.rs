//! Property tests: on every date, every offence has exactly one period in force, or is
//! explicitly not yet in force or not covered by our sources; every answer is well formed and
//! its dates contain the day asked; and for generated data files, the loader and the date
//! lookup agree with a brute-force reading of the periods.

use plainsight_law::{AtDate, Conduct, Date, Facts, Library, Question};
use proptest::prelude::*;

fn library() -> &'static Library {
    Library::bundled().unwrap()
}

/// Any day from 1900 to 2100.
fn any_day() -> impl Strategy<Value = Date> {
    (0i64..73_000)
        .prop_map(|n| Date::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(n as u64))
}

fn any_facts() -> impl Strategy<Value = Facts> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(minor, mental_disability, coercion)| Facts {
            minor,
            mental_disability,
            coercion,
        },
    )
}

fn any_conduct() -> impl Strategy<Value = Conduct> {
    prop::sample::select(Conduct::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_date_gets_exactly_one_state_per_offence(date in any_day()) {
        for j in library().jurisdictions() {
            for o in &j.offences {
                let containing: Vec<_> = o.periods.iter().filter(|p| p.contains(date)).collect();
                prop_assert!(containing.len() <= 1, "{}: {} periods contain {date}", o.citation, containing.len());
                match o.at(date) {
                    AtDate::InForce(p) => {
                        prop_assert_eq!(containing.len(), 1);
                        prop_assert!(std::ptr::eq(p, containing[0]));
                        // One class per combination of facts.
                        for facts in Facts::all_combinations() {
                            let fits = p.class.iter().filter(|c| c.when.iter().all(|f| facts.has(*f))).count();
                            let any_cover = p.covers.iter().any(|c| Conduct::ALL.iter().any(|k| c.matches(*k, facts)));
                            prop_assert!(fits >= 1 || !any_cover, "{}: no class for {:?} on {date}", o.citation, facts);
                        }
                    }
                    AtDate::NotYetInForce { from } => {
                        prop_assert!(containing.is_empty());
                        prop_assert!(date < from);
                        prop_assert!(o.periods[0].creates);
                    }
                    AtDate::NotCovered { until } => {
                        prop_assert!(containing.is_empty());
                        prop_assert!(date < until);
                        prop_assert!(!o.periods[0].creates);
                    }
                }
            }
        }
    }

    #[test]
    fn every_answer_is_well_formed(date in any_day(), conduct in any_conduct(), facts in any_facts()) {
        for code in ["NC", "US", "nc"] {
            let a = library().check(&Question { jurisdiction: code, date, conduct, facts }).unwrap();
            prop_assert_eq!(a.date, date);
            prop_assert_eq!(a.conduct, conduct);
            prop_assert_eq!(a.jurisdiction.as_str(), code.to_ascii_uppercase());
            let mut seen = std::collections::HashSet::new();
            for s in &a.statutes {
                prop_assert!(seen.insert(s.citation.clone()), "{} listed twice", s.citation);
                prop_assert!(!s.class.trim().is_empty());
                prop_assert!(!s.why.trim().is_empty());
                prop_assert!(!s.sources.is_empty());
                if s.in_force {
                    prop_assert!(s.effective_from.is_none_or(|f| f <= date));
                    prop_assert!(s.effective_to.is_none_or(|t| date < t));
                } else {
                    prop_assert!(!s.verified);
                    prop_assert!(s.effective_to.is_some_and(|t| date < t));
                }
                if !s.verified {
                    prop_assert!(s.why.contains("Not verified") || !s.in_force, "{}: unverified without saying so", s.citation);
                }
                if s.class.contains("Not stated") {
                    prop_assert!(!s.verified);
                }
                prop_assert!(!s.why.to_lowercase().contains("guilty"));
            }
            for p in &a.protections {
                prop_assert!(!p.text.trim().is_empty());
                prop_assert!(!p.sources.is_empty());
                if !p.verified {
                    prop_assert!(p.text.contains("Not verified"));
                }
            }
            if code == "US" {
                prop_assert!(a.statutes.iter().all(|s| s.jurisdiction == "US"));
            }
        }
    }

    #[test]
    fn changes_since_a_date_are_those_on_or_after_it(since in any_day()) {
        use chrono::Datelike;
        let all = library().changes("NC", None).unwrap();
        let some = library().changes("NC", Some(since)).unwrap();
        prop_assert_eq!(&all.undated, &some.undated);
        let expected: Vec<_> = all
            .changes
            .iter()
            .filter(|c| match c.date_precision {
                plainsight_law::DatePrecision::Day => c.date >= since,
                plainsight_law::DatePrecision::Year => c.date.year() >= since.year(),
            })
            .cloned()
            .collect();
        prop_assert_eq!(&some.changes, &expected);
        for w in some.changes.windows(2) {
            prop_assert!(w[0].date >= w[1].date, "newest first");
        }
    }
}

/// A data file with one offence whose periods start on the given days (sorted, distinct), the
/// first one open at the start.
fn generated_file(starts: &[Date], creates: bool) -> String {
    let mut text = String::from(
        "[jurisdiction]\ncode = \"GG\"\nname = \"Generated\"\n\n[[offence]]\ncitation = \"G 1\"\ntitle = \"T\"\nelements = \"E.\"\nverified = true\nsources = [{ title = \"s\" }]\n",
    );
    // With `creates`, the first period starts on the first day; without, it starts unstated.
    let mut bounds: Vec<Option<Date>> = Vec::new();
    if !creates {
        bounds.push(None);
    }
    bounds.extend(starts.iter().copied().map(Some));
    for (i, from) in bounds.iter().enumerate() {
        text.push_str("\n[[offence.period]]\n");
        if let Some(f) = from {
            text.push_str(&format!("from = {f}\nchange = \"period {i}.\"\n"));
        }
        if i == 0 && creates {
            text.push_str("creates = true\n");
        }
        if let Some(Some(next)) = bounds.get(i + 1) {
            text.push_str(&format!("to = {next}\n"));
        }
        text.push_str(&format!(
            "verified = true\nsources = [{{ title = \"s\" }}]\n[[offence.period.covers]]\nconduct = \"buying\"\ntext = \"t\"\n[[offence.period.class]]\nclass = \"class {i}\"\nverified = true\n"
        ));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_periods_answer_like_a_brute_force_lookup(
        mut offsets in prop::collection::btree_set(0u64..20_000, 1..8),
        creates in any::<bool>(),
        probe in 0u64..21_000,
    ) {
        let base = Date::from_ymd_opt(1990, 1, 1).unwrap();
        let starts: Vec<Date> = std::mem::take(&mut offsets).into_iter().map(|o| base + chrono::Days::new(o)).collect();
        let text = generated_file(&starts, creates);
        let lib = Library::from_files(&[("gen.toml", &text)]).unwrap();
        let date = base + chrono::Days::new(probe);
        let answer = lib.check(&Question { jurisdiction: "GG", date, conduct: Conduct::Buying, facts: Facts::default() }).unwrap();
        // Brute force: the index of the last start on or before the date.
        let last = starts.iter().rposition(|s| *s <= date);
        let expected = match (last, creates) {
            (Some(i), true) => Some(format!("class {i}")),
            (Some(i), false) => Some(format!("class {}", i + 1)),
            (None, true) => None,
            (None, false) => Some("class 0".to_string()),
        };
        prop_assert_eq!(answer.statutes.first().map(|s| s.class.clone()), expected);
    }

    #[test]
    fn arbitrary_text_never_panics_the_loader(text in "\\PC{0,400}") {
        let _ = Library::from_files(&[("any.toml", &text)]);
    }
}
