//! Fuzz target `law_toml`: reading a law data file never panics, and every file it accepts
//! answers every question (each conduct and combination of facts, on dates taken from the
//! input) and renders its briefing without panicking, with each listed statute's dates
//! containing the day asked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight_law::{Conduct, Date, Facts, Library, Question, render};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(lib) = Library::from_files(&[("fuzz.toml", &text)]) else {
        return;
    };
    let base = Date::from_ymd_opt(1900, 1, 1).unwrap();
    let days: Vec<Date> = data
        .chunks(2)
        .take(8)
        .map(|c| base + chrono::Days::new(u64::from(c[0]) * 256 + u64::from(*c.get(1).unwrap_or(&0))))
        .collect();
    for jur in lib.jurisdictions() {
        for date in &days {
            for conduct in Conduct::ALL {
                for facts in Facts::all_combinations() {
                    let answer = lib
                        .check(&Question { jurisdiction: &jur.code, date: *date, conduct, facts })
                        .expect("a loaded jurisdiction answers");
                    for s in &answer.statutes {
                        if s.in_force {
                            assert!(s.effective_from.is_none_or(|f| f <= *date));
                            assert!(s.effective_to.is_none_or(|t| *date < t));
                        }
                    }
                    let _ = render::check_table(&answer);
                }
            }
        }
        let briefing = lib.changes(&jur.code, days.first().copied()).expect("briefing");
        let _ = render::changes_html(&briefing);
        let _ = render::changes_text(&briefing);
    }
});
