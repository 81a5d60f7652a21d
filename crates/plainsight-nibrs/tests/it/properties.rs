//! Property tests: the readers never panic on arbitrary input, and what they accept obeys
//! the counting rules.

use std::io::Cursor;

use plainsight_nibrs::{Age, ReadOptions, read_cde_zip, read_flat_file, read_master_file};
use proptest::prelude::*;

use crate::layouts::zip_files;

/// Lines that look like NIBRS segments often enough to reach the deep branches.
fn segment_line() -> impl Strategy<Value = String> {
    let level = prop::sample::select(vec!['0', '1', '2', '4', '6', '7', '9']);
    let action = prop::sample::select(vec!['I', 'A', 'D', 'M', 'x']);
    let code = prop::sample::select(vec!["40A", "40B", "40C", "64A", "64B", "13A", "4", ""]);
    (
        level,
        action,
        "[A-Z]{2}[0-9]{7}",
        "[0-9A-Z ]{0,12}",
        "[0-9A-Z ]{0,30}",
        code,
        "[0-9NBU ]{0,4}",
        ".{0,40}",
    )
        .prop_map(|(level, action, ori, number, mid, code, age, tail)| {
            format!("0110{level}{action}042020    {ori}{number:<12}{mid}{code}{age}{tail}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn flat_reader_never_panics(lines in prop::collection::vec(segment_line(), 0..40), raw in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut text = lines.join("\n").into_bytes();
        text.extend_from_slice(&raw);
        let dataset = read_flat_file(Cursor::new(text), "p", &ReadOptions::default()).unwrap();
        // Every kept arrest is one of the five offences with a two-letter state.
        for a in &dataset.arrests {
            prop_assert_eq!(a.state.len(), 2);
            prop_assert!(a.key.starts_with(a.incident_key.as_str()));
        }
        for m in &dataset.months {
            prop_assert!((1..=12).contains(&m.month));
        }
    }

    #[test]
    fn master_reader_never_panics(lines in prop::collection::vec("(BH|06|07|01)[0-9]{2}[A-Z0-9 ]{0,80}", 0..40)) {
        let text = lines.join("\n");
        let dataset = read_master_file(Cursor::new(text), "m", &ReadOptions::default()).unwrap();
        prop_assert!(dataset.stats.arrest_records >= dataset.arrests.len() as u64);
    }

    #[test]
    fn cde_reader_never_panics_on_arbitrary_arrestee_rows(
        rows in prop::collection::vec(prop::collection::vec("[0-9A-Za-z\",\\- ]{0,8}", 0..20), 0..30),
        header_dup in any::<bool>(),
    ) {
        let mut text = String::from(if header_dup {
            "data_year,arrestee_id,incident_id,offense_code,sex_code,age_num,data_year,multiple_indicator\n"
        } else {
            "\"ARRESTEE_ID\",\"INCIDENT_ID\",\"OFFENSE_TYPE_ID\",\"SEX_CODE\",\"AGE_NUM\"\n"
        });
        for r in &rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        let files = vec![
            ("NIBRS_ARRESTEE.csv".to_string(), text.into_bytes()),
            ("NIBRS_OFFENSE_TYPE.csv".to_string(), b"offense_type_id,offense_code\n1,40A\n2,40C\n".to_vec()),
        ];
        let zip = zip_files(&files);
        let options = ReadOptions { state: Some("NC".into()), year: Some(2020), ..Default::default() };
        let dataset = read_cde_zip(Cursor::new(zip), "p.zip", &options).unwrap();
        for a in &dataset.arrests {
            prop_assert_eq!(a.state.as_str(), "NC");
        }
    }

    #[test]
    fn fixed_width_age_is_total_and_consistent(field in prop::collection::vec(any::<u8>(), 0..6)) {
        if let Some(age) = Age::from_fixed_width(&field) {
            if let (Some(low), Some(high)) = (age.low, age.high) {
                prop_assert!(low <= high);
            }
            prop_assert_eq!(age.low.is_none(), age.high.is_none());
        }
    }

    #[test]
    fn exact_ages_round_trip(age in 1u8..=99) {
        let field = format!("{age:02}  ");
        let parsed = Age::from_fixed_width(field.as_bytes()).unwrap();
        prop_assert_eq!(parsed, Age::exact(age));
        prop_assert_eq!(parsed.is_juvenile(), age < 18);
    }
}
