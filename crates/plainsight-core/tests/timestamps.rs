//! Property tests of the timestamp reader: every rendering of a random instant in each
//! supported form reads back as that instant (to the precision the form has), and garbage
//! never panics and never costs a record its other fields.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use plainsight_core::ad::{Ad, RecordOptions};
use plainsight_core::timestamp::{DateContext, parse_timestamp};
use proptest::prelude::*;
use serde_json::json;

/// Instants between 1990 and 2099, to the nanosecond.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (631_152_000i64..4_070_908_800, 0u32..1_000_000_000)
        .prop_map(|(s, ns)| DateTime::from_timestamp(s, ns).unwrap())
}

fn to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap()
}

fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    to_second(t).with_second(0).unwrap()
}

fn to_day(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc()
}

fn read(s: &str) -> DateTime<Utc> {
    parse_timestamp(s, &DateContext::default()).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// Zones with daylight saving on both sides of the equator, and half-hour offsets.
const ZONES: [chrono_tz::Tz; 6] = [
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::America::Los_Angeles,
    chrono_tz::Australia::Sydney,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Asia::Tokyo,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn rfc3339_and_iso_forms_read_back(t in instant(), offset_minutes in -720i32..=840) {
        let offset = chrono::FixedOffset::east_opt(offset_minutes * 60).unwrap();
        let local = t.with_timezone(&offset);
        prop_assert_eq!(read(&t.to_rfc3339()), t);
        prop_assert_eq!(read(&local.to_rfc3339()), t);
        prop_assert_eq!(read(&local.format("%Y-%m-%d %H:%M:%S%.f%:z").to_string()), t);
        prop_assert_eq!(read(&local.format("%Y-%m-%dT%H:%M:%S%z").to_string()), to_second(t));
        // Without an offset: UTC.
        prop_assert_eq!(read(&t.format("%Y-%m-%dT%H:%M:%S%.f").to_string()), t);
        prop_assert_eq!(read(&t.format("%Y-%m-%dT%H:%M:%S").to_string()), to_second(t));
        prop_assert_eq!(read(&t.format("%Y-%m-%d %H:%M:%S").to_string()), to_second(t));
        prop_assert_eq!(read(&t.format("%Y-%m-%dT%H:%M").to_string()), to_minute(t));
        prop_assert_eq!(read(&t.format("%Y-%m-%d %H:%M").to_string()), to_minute(t));
        prop_assert_eq!(read(&t.format("%Y-%m-%d").to_string()), to_day(t));
        prop_assert_eq!(read(&t.format("%Y%m%dT%H%M%SZ").to_string()), to_second(t));
        prop_assert_eq!(read(&t.format("%Y%m%d%H%M%S").to_string()), to_second(t));
        prop_assert_eq!(read(&t.format("%Y/%m/%d %H:%M:%S").to_string()), to_second(t));
    }

    #[test]
    fn us_european_and_mail_forms_read_back(t in instant()) {
        prop_assert_eq!(read(&t.format("%m/%d/%Y %I:%M %p").to_string()), to_minute(t));
        prop_assert_eq!(read(&t.format("%m/%d/%Y %I:%M:%S %P").to_string()), to_second(t));
        prop_assert_eq!(read(&t.format("%m/%d/%Y").to_string()), to_day(t));
        prop_assert_eq!(read(&t.format("%-m/%-d/%Y %H:%M").to_string()), to_minute(t));
        prop_assert_eq!(read(&t.format("%b %-d, %Y %-I:%M%P").to_string()), to_minute(t));
        prop_assert_eq!(read(&t.format("%B %-d, %Y").to_string()), to_day(t));
        prop_assert_eq!(read(&t.format("%A, %B %-d, %Y at %-I:%M %p").to_string()), to_minute(t));
        prop_assert_eq!(read(&t.format("%-d %B %Y %H:%M").to_string()), to_minute(t));
        prop_assert_eq!(read(&t.format("%d.%m.%Y %H:%M").to_string()), to_minute(t));
        prop_assert_eq!(read(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()), to_second(t));
        prop_assert_eq!(read(&t.to_rfc2822()), to_second(t));
        prop_assert_eq!(read(&t.format("%a %b %e %H:%M:%S %Y").to_string()), to_second(t));
        let day_first = DateContext { day_first: true, ..DateContext::default() };
        let s = t.format("%d/%m/%Y %H:%M").to_string();
        prop_assert_eq!(parse_timestamp(&s, &day_first).unwrap(), to_minute(t));
    }

    #[test]
    fn epochs_read_back_as_numbers_and_as_text(t in instant()) {
        let secs = t.timestamp();
        let millis = t.timestamp_millis();
        prop_assert_eq!(read(&secs.to_string()), to_second(t));
        prop_assert_eq!(read(&millis.to_string()), t.with_nanosecond(t.timestamp_subsec_millis() * 1_000_000).unwrap());
        let opts = RecordOptions::default();
        for value in [json!(secs), json!(secs.to_string())] {
            let ad = Ad::from_record(json!({"id": "1", "posted_at": value}), &opts).unwrap().ad;
            prop_assert_eq!(ad.posted_at, Some(to_second(t)));
        }
        let ad = Ad::from_record(json!({"id": "1", "timestamp": millis}), &opts).unwrap().ad;
        prop_assert_eq!(ad.posted_at.map(|p| p.timestamp_millis()), Some(millis));
    }

    #[test]
    fn local_times_in_a_site_zone_read_back(t in instant(), zone in 0usize..ZONES.len()) {
        let tz = ZONES[zone];
        let ctx = DateContext { zone: Some(tz), ..DateContext::default() };
        let local = t.with_timezone(&tz);
        let written = local.format("%Y-%m-%dT%H:%M:%S").to_string();
        let back = parse_timestamp(&written, &ctx).unwrap();
        // In the hour that repeats when clocks go back, the earlier instant is chosen.
        let expected = tz
            .from_local_datetime(&local.naive_local().with_nanosecond(0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&Utc);
        prop_assert_eq!(back, expected);
        prop_assert!(back == to_second(t) || back < t, "only the repeated hour may differ");
        // An explicit offset wins over the site zone.
        prop_assert_eq!(parse_timestamp(&t.to_rfc3339(), &ctx).unwrap(), t);
    }

    #[test]
    fn relative_times_read_back_against_the_crawl_time(t in instant(), hours in 1i64..200, minutes in 1i64..59, days in 1i64..30) {
        let ctx = |crawl: DateTime<Utc>| DateContext { crawled_at: Some(crawl), ..DateContext::default() };
        let at = |s: &str, crawl| parse_timestamp(s, &ctx(crawl)).unwrap();
        prop_assert_eq!(at(&format!("posted {hours} hours ago"), t + Duration::hours(hours)), t);
        prop_assert_eq!(at(&format!("{minutes} mins ago"), t + Duration::minutes(minutes)), t);
        prop_assert_eq!(at(&format!("{days} days ago"), t + Duration::days(days)), t);
        prop_assert_eq!(at(&format!("{days}d {hours}h ago"), t + Duration::days(days) + Duration::hours(hours)), t);
        prop_assert_eq!(at("just now", t), t);
        let crawl_next_day = t + Duration::days(1);
        prop_assert_eq!(at(&t.format("yesterday at %-I:%M %p").to_string(), crawl_next_day), to_minute(t));
        prop_assert_eq!(at("yesterday", crawl_next_day), to_day(t));
        prop_assert_eq!(at(&t.format("%b %-d %H:%M").to_string(), t + Duration::hours(hours)), to_minute(t));
    }

    #[test]
    fn garbage_never_panics(s in ".{0,80}") {
        let ctx = DateContext { crawled_at: Some(Utc::now()), zone: Some(chrono_tz::Europe::Berlin), day_first: true };
        let _ = parse_timestamp(&s, &ctx);
        let _ = parse_timestamp(&s, &DateContext::default());
    }

    #[test]
    fn dateish_garbage_never_panics(parts in prop::collection::vec(prop_oneof![
        Just("2013".to_string()), Just("12".to_string()), Just("05".to_string()), Just(":".to_string()),
        Just("-".to_string()), Just("/".to_string()), Just(".".to_string()), Just(" ".to_string()),
        Just("T".to_string()), Just("Z".to_string()), Just("+".to_string()), Just("pm".to_string()),
        Just("Dec".to_string()), Just("ago".to_string()), Just("hours".to_string()), Just("yesterday".to_string()),
        Just("99999999999999999999".to_string()), Just("GMT".to_string()), Just("th".to_string()),
        "[0-9]{1,15}",
    ], 0..14)) {
        let s = parts.concat();
        let ctx = DateContext { crawled_at: Some(Utc::now()), ..DateContext::default() };
        if let Ok(t) = parse_timestamp(&s, &ctx) {
            prop_assert!((1990..2100).contains(&chrono::Datelike::year(&t)), "{s:?} -> {t}");
        }
    }

    /// A bad date never rejects the record, and never costs it its other fields.
    #[test]
    fn a_bad_date_never_rejects_the_ad(s in ".{0,40}", n in any::<i64>(), f in any::<f64>()) {
        let opts = RecordOptions::default();
        for value in [json!(s), json!(n), json!(f), json!([s.clone(), s.clone()]), json!({"x": s})] {
            let parsed = Ad::from_record(
                json!({"id": "k", "title": "T", "body": "B", "posted_at": value, "dateCreated": value}),
                &opts,
            ).unwrap();
            prop_assert_eq!(parsed.ad.id.as_str(), "k");
            prop_assert_eq!(parsed.ad.title.as_deref(), Some("T"));
            prop_assert_eq!(parsed.ad.body.as_deref(), Some("B"));
            if parsed.ad.posted_at.is_none() && !parsed.warnings.is_empty() {
                prop_assert!(parsed.ad.extra.contains_key("posted_at_raw") || parsed.ad.extra.contains_key("dateCreated"));
            }
        }
    }
}
