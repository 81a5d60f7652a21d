//! Synthetic CDE packages built in the tests, in the 2016–2021 layout (quoted upper-case
//! headers, upper-case file names, `DATA_YEAR` twice, an extra folder level, duplicate rows,
//! zipped) and the 2022+ layout (`offense_code` on the row, new age ids), plus packages missing
//! tables. Ids are deliberately different from the 2014-era ones so hard-coded ids would fail.

use std::io::{Cursor, Write};
use std::path::Path;

use plainsight_nibrs::{
    ReadOptions, ReportFilter, ReportInput, SexTradeOffense, build_report, read_cde_dir,
    read_cde_zip,
};
use zip::write::SimpleFileOptions;

/// Zips every file of `dir` under `prefix` (e.g. an extra `NC-2019/` folder level).
pub fn zip_folder(dir: &Path, prefix: &str) -> Vec<u8> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            files.push((
                format!("{prefix}{}", entry.file_name().to_string_lossy()),
                std::fs::read(entry.path()).unwrap(),
            ));
        }
    }
    files.sort();
    zip_files(&files)
}

pub fn zip_files(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer
            .start_file(name.as_str(), SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn file(name: &str, lines: &[&str]) -> (String, Vec<u8>) {
    (name.to_string(), (lines.join("\r\n") + "\r\n").into_bytes())
}

/// A 2019 package in the 2016–2021 layout for three North Carolina agencies.
fn package_2019(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let p = |n: &str| format!("{prefix}{n}");
    let mut months = vec![
        r#""DATA_YEAR","NIBRS_MONTH_ID","AGENCY_ID","MONTH_NUM","DATA_YEAR","REPORTED_STATUS","REPORT_DATE","UPDATE_FLAG","ORIG_FORMAT","DATA_HOME","DDOCNAME","DID","MONTH_PUB_STATUS""#.to_string(),
    ];
    for m in 1..=12 {
        months.push(format!(
            r#""2019","{}","501","{m}","2019","I","03-JUN-19","N","F","C","x","","0""#,
            1000 + m
        ));
        let status = if m <= 6 { "I" } else { "U" };
        months.push(format!(
            r#""2019","{}","502","{m}","2019","{status}","","N","F","C","x","","0""#,
            2000 + m
        ));
        months.push(format!(
            r#""2019","{}","503","{m}","2019","Z","","N","F","C","x","","0""#,
            3000 + m
        ));
    }
    let months: Vec<&str> = months.iter().map(String::as_str).collect();
    let arrestee_header = r#""DATA_YEAR","ARRESTEE_ID","INCIDENT_ID","ARRESTEE_SEQ_NUM","ARREST_DATE","ARREST_TYPE_ID","MULTIPLE_INDICATOR","OFFENSE_TYPE_ID","AGE_ID","AGE_NUM","SEX_CODE","RACE_ID","ETHNICITY_ID","RESIDENT_CODE","UNDER_18_DISPOSITION_CODE","CLEARANCE_IND","AGE_RANGE_LOW_NUM","AGE_RANGE_HIGH_NUM""#;
    vec![
        file(
            &p("NIBRS_OFFENSE_TYPE.csv"),
            &[
                r#""OFFENSE_TYPE_ID","OFFENSE_CODE","OFFENSE_NAME","CRIME_AGAINST","CT_FLAG","HC_FLAG","HC_CODE","OFFENSE_CATEGORY_NAME","OFFENSE_GROUP""#,
                // 30 was 40A in 2014-era files; here it is simple assault.
                r#""30","13B","Simple Assault","Person","N","Y","09","Assault Offenses","A""#,
                r#""71","40A","Prostitution","Society","N","Y","","Prostitution Offenses","A""#,
                r#""72","40B","Assisting or Promoting Prostitution","Society","N","Y","","Prostitution Offenses","A""#,
                r#""73","40C","Purchasing Prostitution","Society","N","Y","","Prostitution Offenses","A""#,
                r#""74","64A","Human Trafficking, Commercial Sex Acts","Person","N","Y","","Human Trafficking","A""#,
            ],
        ),
        file(
            &p("NIBRS_ARREST_TYPE.csv"),
            &[
                r#""ARREST_TYPE_ID","ARREST_TYPE_CODE","ARREST_TYPE_NAME""#,
                r#""7","O","On View""#,
                r#""8","S","Summoned/Cited""#,
                r#""9","T","Taken Into Custody""#,
            ],
        ),
        file(
            &p("NIBRS_AGE.csv"),
            &[
                r#""AGE_ID","AGE_CODE","AGE_NAME""#,
                r#""1","00","Unknown""#,
                r#""2","NN","Under 24 Hours""#,
                r#""5","AG","Age in Years""#,
            ],
        ),
        file(
            &p("NIBRS_ARRESTEE.csv"),
            &[
                arrestee_header,
                // Agency 501: three 40A (two women, one of them 16), one 40C, one M record.
                r#""2019","1","11","1","03-JUN-19","7","N","71","5","24","F","1","2","R","","","","""#,
                r#""2019","2","12","1","04-JUN-19","9","N","71","5","16","F","1","2","R","H","","","""#,
                r#""2019","3","13","1","05-JUN-19","8","N","71","5","31","M","1","2","R","","","","""#,
                // An exact duplicate row: dropped.
                r#""2019","3","13","1","05-JUN-19","8","N","71","5","31","M","1","2","R","","","","""#,
                r#""2019","4","14","1","05-JUN-19","7","N","73","5","45","M","1","2","R","","","","""#,
                r#""2019","5","15","1","05-JUN-19","7","M","71","5","22","F","1","2","R","","","","""#,
                // Simple assault under id 30: not counted.
                r#""2019","6","11","2","03-JUN-19","7","N","30","5","22","M","1","2","R","","","","""#,
                // Unknown offence id: reported, not fatal.
                r#""2019","7","11","3","03-JUN-19","7","N","999","5","22","M","1","2","R","","","","""#,
                // Agency 502: one 64A arrest.
                r#""2019","8","21","1","10-JUL-19","9","C","74","5","38","M","1","2","R","","","","""#,
                // A late report from 2018 in the 2019 package: counted in 2018, reported.
                r#""2018","9","22","1","10-DEC-18","7","N","73","5","50","M","1","2","R","","","","""#,
            ],
        ),
        file(
            &p("NIBRS_incident.csv"),
            &[
                r#""DATA_YEAR","AGENCY_ID","INCIDENT_ID","NIBRS_MONTH_ID","CARGO_THEFT_FLAG","SUBMISSION_DATE","INCIDENT_DATE","REPORT_DATE_FLAG","INCIDENT_HOUR","CLEARED_EXCEPT_ID","CLEARED_EXCEPT_DATE","INCIDENT_STATUS","DATA_HOME","ORIG_FORMAT","DID""#,
                r#""2019","501","11","1006","","","03-JUN-19","","10","6","","0","C","F","""#,
                r#""2019","501","12","1006","","","04-JUN-19","","10","6","","0","C","F","""#,
                r#""2019","501","13","1006","","","05-JUN-19","","10","6","","0","C","F","""#,
                r#""2019","501","14","1006","","","05-JUN-19","","10","6","","0","C","F","""#,
                r#""2019","501","15","1006","","","05-JUN-19","","10","6","","0","C","F","""#,
                r#""2019","502","21","2006","","","01-JUN-19","","10","6","","0","C","F","""#,
                r#""2018","502","22","","","","10-DEC-18","","10","6","","0","C","F","""#,
            ],
        ),
        file(
            &p("NIBRS_OFFENSE.csv"),
            &[
                r#""DATA_YEAR","OFFENSE_ID","INCIDENT_ID","OFFENSE_TYPE_ID","ATTEMPT_COMPLETE_FLAG","LOCATION_ID","NUM_PREMISES_ENTERED","METHOD_ENTRY_CODE""#,
                r#""2019","101","11","71","C","13","","""#,
                r#""2019","201","21","74","C","14","","""#,
            ],
        ),
        file(
            &p("NIBRS_VICTIM.csv"),
            &[
                r#""DATA_YEAR","VICTIM_ID","INCIDENT_ID","VICTIM_SEQ_NUM","VICTIM_TYPE_ID","ASSIGNMENT_TYPE_ID","ACTIVITY_TYPE_ID","OUTSIDE_AGENCY_ID","AGE_ID","AGE_NUM","SEX_CODE","RACE_ID","ETHNICITY_ID","RESIDENT_STATUS_CODE","AGE_RANGE_LOW_NUM","AGE_RANGE_HIGH_NUM""#,
                r#""2019","901","11","1","18","","","","","","","","","","","""#,
                r#""2019","902","21","1","14","","","","5","15","F","1","2","R","","""#,
                r#""2019","903","21","2","14","","","","5","19","F","1","2","R","","""#,
            ],
        ),
        file(
            &p("NIBRS_VICTIM_OFFENSE.csv"),
            &[
                r#""DATA_YEAR","VICTIM_ID","OFFENSE_ID""#,
                r#""2019","901","101""#,
                r#""2019","902","201""#,
                r#""2019","903","201""#,
            ],
        ),
        file(
            &p("NIBRS_VICTIM_TYPE.csv"),
            &[
                r#""VICTIM_TYPE_ID","VICTIM_TYPE_CODE","VICTIM_TYPE_NAME""#,
                r#""14","I","Individual""#,
                r#""18","S","Society/Public""#,
            ],
        ),
        file(&p("NIBRS_month.csv"), &months),
        file(
            &p("agencies.csv"),
            &[
                r#""YEARLY_AGENCY_ID","AGENCY_ID","DATA_YEAR","ORI","LEGACY_ORI","PUB_AGENCY_NAME","STATE_ABBR","POPULATION","COUNTY_NAME","AGENCY_TYPE_NAME""#,
                r#""1","501","2019","NC0000001","NC0000001","Riverton Police Department","NC","50000","Wake","City""#,
                r#""2","502","2019","NC0000002","NC0000002","Hill County Sheriff's Office","NC","20000","Hill","County""#,
                r#""3","503","2019","NC0000003","NC0000003","Lakeside Police Department","NC","4000","Lake","City""#,
                r#""4","502","2018","NC0000002","NC0000002","Hill County Sheriff's Office","NC","19000","Hill","County""#,
            ],
        ),
    ]
}

#[test]
fn layout_2016_2021_zipped_with_extra_folder_duplicates_and_duplicate_columns() {
    let zip = zip_files(&package_2019("nc-2019/"));
    let dataset = read_cde_zip(Cursor::new(zip), "NC-2019.zip", &ReadOptions::default()).unwrap();
    assert_eq!(dataset.stats.duplicate_rows, 1);
    let warnings: Vec<String> = dataset.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("NIBRS_ARRESTEE.csv:9:") && w.contains("offense_type_id 999")),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("mixed years")),
        "{warnings:#?}"
    );

    let mut input = ReportInput::default();
    input.add(dataset);
    let report = build_report(&input, &ReportFilter::default());
    let riverton = report
        .agencies
        .iter()
        .find(|a| a.ori == "NC0000001" && a.year == 2019)
        .unwrap();
    let sellers = riverton.arrests.get(SexTradeOffense::Prostitution);
    assert_eq!(
        (
            sellers.total,
            sellers.female,
            sellers.male,
            sellers.juvenile
        ),
        (3, 2, 1, 1)
    );
    assert_eq!(
        (sellers.on_view, sellers.summoned, sellers.custody),
        (1, 1, 1)
    );
    assert_eq!(riverton.arrests.purchasing.total, 1);
    assert_eq!(riverton.arrests.get(SexTradeOffense::Promoting).total, 0);
    assert_eq!(riverton.multiple_records_not_counted, 1);
    assert_eq!(riverton.months_reported, Some(12));
    assert_eq!(riverton.population, Some(50_000));
    assert_eq!(riverton.buyer_to_seller_ratio, Some(0.333));
    assert_eq!(riverton.juvenile_prostitution_arrests, 1);
    assert_eq!(riverton.name.as_deref(), Some("Riverton Police Department"));

    let hill = report
        .agencies
        .iter()
        .find(|a| a.ori == "NC0000002" && a.year == 2019)
        .unwrap();
    assert_eq!(hill.arrests.trafficking_commercial_sex.total, 1);
    assert_eq!(hill.months_reported, Some(6));
    assert_eq!(hill.months.not_reported, 6);
    assert_eq!(hill.trafficking.incidents, 1);
    assert_eq!(hill.trafficking.victims, 2);
    assert_eq!(hill.trafficking.juvenile_victims, 1);
    let hill_2018 = report
        .agencies
        .iter()
        .find(|a| a.ori == "NC0000002" && a.year == 2018)
        .unwrap();
    assert_eq!(hill_2018.arrests.purchasing.total, 1);
    assert_eq!(hill_2018.population, Some(19_000));

    let lakeside = report
        .agencies
        .iter()
        .find(|a| a.ori == "NC0000003")
        .unwrap();
    assert_eq!(lakeside.months_reported, Some(12));
    assert_eq!(lakeside.months.zero_report, 12);
    assert_eq!(lakeside.arrests.total(), 0);

    let state = report
        .states
        .iter()
        .find(|s| s.state == "NC" && s.year == 2019)
        .unwrap();
    assert_eq!(state.arrests.prostitution.total, 3);
    assert_eq!(state.arrests.purchasing.total, 1);
    assert_eq!(state.agencies, 3);
    assert_eq!(state.agencies_full_year, 2);
    assert_eq!(state.agencies_full_year_without_buyer_arrests, 1);
    // Riverton ranks first by buyer arrests among the three reporting agencies.
    assert_eq!(riverton.rank.unwrap().buyer_arrests.position, 1);
    assert_eq!(riverton.rank.unwrap().buyer_arrests.of, 3);
    // Trend across the imported years for the state.
    assert_eq!(
        state.trend.iter().map(|t| t.year).collect::<Vec<_>>(),
        [2018, 2019]
    );
}

#[test]
fn layout_2016_2021_reads_the_same_from_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in package_2019("extra/") {
        let path = dir.path().join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let folder = read_cde_dir(dir.path(), &ReadOptions::default()).unwrap();
    let zip = zip_files(&package_2019(""));
    let zipped = read_cde_zip(Cursor::new(zip), "x.zip", &ReadOptions::default()).unwrap();
    assert_eq!(folder.arrests, zipped.arrests);
    assert_eq!(folder.trafficking, zipped.trafficking);
}

#[test]
fn layout_2022_on_with_offense_code_and_new_age_ids() {
    let files = vec![
        file(
            "NIBRS_ARRESTEE.csv",
            &[
                "data_year,arrestee_id,incident_id,arrestee_seq_num,arrest_date,arrest_type_id,multiple_indicator,offense_code,age_id,age_num,sex_code,race_id,ethnicity_id,resident_code,under_18_disposition_code,clearance_ind,age_range_low_num,age_range_high_num",
                "2024,56545337,185812793,1,2024-01-01,1,N,35A,59,56,M,20,20,R,,,56,",
                "2024,56545338,185812794,1,2024-02-01,1,N,40A,59,17,F,20,20,R,H,,,",
                "2024,56545339,185812794,2,2024-02-01,3,N,40C,59,40,M,20,20,R,,,,",
                "2024,56545340,185812795,1,2024-03-01,3,N,40C,58,,M,20,20,R,,,,",
                "2024,56545341,185812795,2,2024-03-01,3,N,40B,59,30,F,98,20,R,,,25,34",
            ],
        ),
        file(
            "NIBRS_AGE.csv",
            &[
                "age_id,age_code,age_name",
                "58,00,Unknown",
                "59,AG,Age in Years",
            ],
        ),
        file(
            "NIBRS_ARREST_TYPE.csv",
            &[
                "arrest_type_id,arrest_type_code,arrest_type_name",
                "1,O,On View",
                "2,S,Summoned/Cited",
                "3,T,Taken Into Custody",
            ],
        ),
        file(
            "NIBRS_incident.csv",
            &[
                "data_year,agency_id,incident_id,nibrs_month_id,cargo_theft_flag,submission_date,incident_date,report_date_flag,incident_hour,cleared_except_id,cleared_except_date,incident_status,data_home,orig_format,did",
                "2024,77,185812793,5,,,2024-01-01,,1,6,,0,C,F,",
                "2024,77,185812794,5,,,2024-02-01,,1,6,,0,C,F,",
                "2024,77,185812795,5,,,2024-03-01,,1,6,,0,C,F,",
            ],
        ),
        file(
            "agencies.csv",
            &[
                "yearly_agency_id,agency_id,data_year,ori,pub_agency_name,state_abbr,population,county_name,agency_type_name",
                "1,77,2024,TX1234500,Example City Police Department,TX,120000,Example,City",
            ],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let dataset = read_cde_dir(dir.path(), &ReadOptions::default()).unwrap();
    // No offence-type table is needed when the code is on the row.
    assert!(
        dataset
            .warnings
            .iter()
            .any(|w| w.message.contains("NIBRS_month.csv")),
        "missing tables are named: {:#?}",
        dataset.warnings
    );
    let mut input = ReportInput::default();
    input.add(dataset);
    let report = build_report(&input, &ReportFilter::default());
    assert_eq!(report.agencies.len(), 1);
    let a = &report.agencies[0];
    assert_eq!(
        (a.ori.as_str(), a.state.as_str(), a.year),
        ("TX1234500", "TX", 2024)
    );
    assert_eq!(a.arrests.prostitution.total, 1);
    assert_eq!(a.arrests.prostitution.juvenile, 1);
    assert_eq!(a.arrests.purchasing.total, 2);
    assert_eq!(a.arrests.purchasing.custody, 2);
    assert_eq!(a.arrests.promoting.total, 1);
    assert_eq!(a.arrests.promoting.juvenile, 0, "range 25-34 is an adult");
    assert_eq!(a.months_reported, None, "no month table: unknown, not zero");
    assert_eq!(a.buyer_to_seller_ratio, Some(2.0));
    let rates = a.rates_per_100k.unwrap();
    assert!((rates.purchasing - 1.67).abs() < 1e-9);
}

#[test]
fn a_package_with_only_arrestee_and_offence_type_tables_gives_statewide_figures() {
    let all = package_2019("");
    let only: Vec<(String, Vec<u8>)> = all
        .into_iter()
        .filter(|(n, _)| n == "NIBRS_ARRESTEE.csv" || n == "NIBRS_OFFENSE_TYPE.csv")
        .collect();
    let zip = zip_files(&only);
    let options = ReadOptions {
        state: Some("nc".into()),
        year: None,
        ..Default::default()
    };
    let dataset = read_cde_zip(Cursor::new(zip.clone()), "partial.zip", &options).unwrap();
    let text: Vec<String> = dataset.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        text.iter().any(|w| w.contains("NIBRS_incident.csv")
            && w.contains("NIBRS_month.csv")
            && w.contains("statewide")),
        "{text:#?}"
    );
    let mut input = ReportInput::default();
    input.add(dataset);
    let report = build_report(&input, &ReportFilter::default());
    assert!(report.agencies.is_empty());
    let state = report
        .states
        .iter()
        .find(|s| s.state == "NC" && s.year == 2019)
        .unwrap();
    assert_eq!(state.arrests.prostitution.total, 3);
    assert_eq!(state.arrests_without_agency, state.arrests.total());

    // Without --state the arrests cannot be placed, and the warning says what to do.
    let dataset = read_cde_zip(Cursor::new(zip), "partial.zip", &ReadOptions::default()).unwrap();
    assert!(dataset.arrests.is_empty());
    assert!(
        dataset
            .warnings
            .iter()
            .any(|w| w.message.contains("--state"))
    );
}

#[test]
fn a_package_without_an_arrestee_table_is_an_error_that_names_what_it_found() {
    let zip = zip_files(&[file("notes.txt", &["hello"])]);
    let err = read_cde_zip(Cursor::new(zip), "odd.zip", &ReadOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("nibrs_arrestee.csv") && message.contains("notes.txt"),
        "{message}"
    );
}

#[test]
fn offense_type_ids_without_their_lookup_table_are_an_error() {
    let only: Vec<(String, Vec<u8>)> = package_2019("")
        .into_iter()
        .filter(|(n, _)| n == "NIBRS_ARRESTEE.csv")
        .collect();
    let err = read_cde_zip(
        Cursor::new(zip_files(&only)),
        "a.zip",
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("NIBRS_OFFENSE_TYPE.csv"));
}

#[test]
fn flat_file_deletes_cancel_inserts_and_group_b_is_read() {
    // Segments laid out per the 2019.1 technical specification.
    fn pad(mut s: String, len: usize) -> String {
        while s.len() < len {
            s.push(' ');
        }
        s
    }
    let header = |len: &str, level: char, action: char, ori: &str, number: &str| {
        format!("{len}{level}{action}052019    {ori}{number:<12}")
    };
    let admin = |action: char, number: &str| {
        pad(
            header("0087", '1', action, "NC0000001", number) + "20190503 10N",
            87,
        )
    };
    let arrestee = |number: &str, seq: &str, code: &str, age: &str, sex: char| {
        pad(
            header("0110", '6', 'I', "NC0000001", number)
                + &format!("{seq}{:<12}20190503OC{code}01    {age:<4}{sex}WNR", "T1"),
            110,
        )
    };
    let lines = [
        admin('I', "A1"),
        arrestee("A1", "01", "40A", "16", 'F'),
        arrestee("A1", "02", "40C", "44", 'M'),
        admin('I', "A2"),
        arrestee("A2", "01", "40A", "30", 'F'),
        // A2 is deleted later in the same file.
        admin('D', "A2"),
        // A Group B arrest for a 40C would be unusual but is read by position.
        pad(
            header("0066", '7', 'A', "NC0000001", "B1") + "0120190504S40C01    50  MWNR ",
            66,
        ),
        header("0043", '0', 'A', "NC0000002", "000000000000") + "052019",
    ];
    let text = lines.join("\r\n");
    let dataset =
        plainsight_nibrs::read_flat_file(Cursor::new(text), "synthetic", &ReadOptions::default())
            .unwrap();
    assert!(dataset.warnings.is_empty(), "{:#?}", dataset.warnings);
    let keys: Vec<&str> = dataset.arrests.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(
        keys,
        ["NC0000001:A1:01", "NC0000001:A1:02", "NC0000001:B:B1:01"]
    );
    assert!(dataset.arrests[0].age.is_juvenile());
    assert_eq!(dataset.stats.deletes, 1);
    match &dataset.replace {
        plainsight_nibrs::ReplaceRule::Incidents { incident_keys, .. } => {
            assert!(incident_keys.contains(&"NC0000001:A2".to_string()));
        }
        other => panic!("flat files replace incidents, got {other:?}"),
    }
    let mut input = ReportInput::default();
    input.add(dataset);
    let report = build_report(&input, &ReportFilter::default());
    let a = report
        .agencies
        .iter()
        .find(|a| a.ori == "NC0000001")
        .unwrap();
    assert_eq!(a.arrests.prostitution.total, 1);
    assert_eq!(a.arrests.purchasing.total, 2);
    assert_eq!(a.arrests.purchasing.summoned, 1);
    // Incident A1 (dated May 2019) survives; A2 was deleted.
    assert_eq!(a.months_reported, Some(1));
    assert_eq!(a.months.by_month.get(&5).copied(), Some("I"));
    let zero = report
        .agencies
        .iter()
        .find(|a| a.ori == "NC0000002")
        .unwrap();
    assert_eq!(zero.months.zero_report, 1);
}

#[test]
fn master_file_arrestee_segments_are_read_by_position() {
    fn at(line: &mut Vec<u8>, from: usize, value: &str) {
        let end = from - 1 + value.len();
        if line.len() < end {
            line.resize(end, b' ');
        }
        line[from - 1..end].copy_from_slice(value.as_bytes());
    }
    let mut bh = Vec::new();
    at(&mut bh, 1, "BH37NC0000001");
    at(&mut bh, 42, "RIVERTON");
    at(&mut bh, 72, "NC");
    let arrestee = |seq: &str, multiple: &str, code: &str, age: &str, sex: &str| {
        let mut l = Vec::new();
        at(&mut l, 1, "0637NC0000001");
        at(&mut l, 14, "INC1");
        at(&mut l, 26, "20190501");
        at(&mut l, 34, seq);
        at(&mut l, 36, "T1");
        at(&mut l, 48, "20190502");
        at(&mut l, 56, "T");
        at(&mut l, 57, multiple);
        at(&mut l, 58, code);
        at(&mut l, 61, "01");
        at(&mut l, 67, age);
        at(&mut l, 69, sex);
        at(&mut l, 70, "WNR");
        l
    };
    let lines = [
        bh,
        arrestee("01", "N", "40A", "15", "F"),
        arrestee("02", "M", "40A", "22", "F"),
        arrestee("03", "N", "13A", "22", "M"),
        arrestee("04", "C", "40C", "33", "M"),
    ];
    let text: Vec<u8> = lines.join(&b"\n"[..]);
    assert_eq!(
        plainsight_nibrs::detect_fixed_width(&lines[1]),
        Some(plainsight_nibrs::FixedWidthKind::MasterFile)
    );
    let dataset =
        plainsight_nibrs::read_master_file(Cursor::new(text), "master", &ReadOptions::default())
            .unwrap();
    assert_eq!(dataset.stats.arrest_records, 4);
    let mut input = ReportInput::default();
    input.add(dataset);
    let report = build_report(&input, &ReportFilter::default());
    let a = &report.agencies[0];
    assert_eq!(a.name.as_deref(), Some("RIVERTON"));
    assert_eq!(a.arrests.prostitution.total, 1);
    assert_eq!(a.arrests.prostitution.juvenile, 1);
    assert_eq!(a.arrests.prostitution.custody, 1);
    assert_eq!(a.multiple_records_not_counted, 1);
    assert_eq!(a.arrests.purchasing.total, 1);
}
