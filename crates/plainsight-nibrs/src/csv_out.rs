//! The spreadsheet view: one CSV row per agency-year (columns in `docs/nibrs-report-format.md`).

use crate::figures::{AgencyYear, Report};
use crate::model::SexTradeOffense;

/// Column names, in order.
pub fn csv_header() -> Vec<String> {
    let mut cols: Vec<String> = [
        "state",
        "year",
        "ori",
        "name",
        "county",
        "agency_type",
        "source",
        "months_reported",
        "months_filed",
        "months_zero_report",
        "months_not_reported",
        "months_unknown",
        "reporting",
        "population",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for o in SexTradeOffense::ALL {
        for part in [
            "total",
            "female",
            "male",
            "unknown_sex",
            "juvenile",
            "on_view",
            "summoned",
            "custody",
        ] {
            cols.push(format!("{}_{part}", o.code()));
        }
    }
    for c in [
        "sex_trade_arrests",
        "buyer_to_seller_ratio",
        "seller_share",
        "juvenile_prostitution_arrests",
        "rate_40A_per_100k",
        "rate_40B_per_100k",
        "rate_40C_per_100k",
        "rate_64A_per_100k",
        "rate_64B_per_100k",
        "trafficking_incidents",
        "trafficking_victims",
        "trafficking_juvenile_victims",
        "rank_sex_trade_arrests",
        "rank_buyer_arrests",
        "rank_of",
        "multiple_records_not_counted",
    ] {
        cols.push(c.to_string());
    }
    cols
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn row(a: &AgencyYear) -> Vec<String> {
    let mut r = vec![
        a.state.clone(),
        a.year.to_string(),
        a.ori.clone(),
        a.name.clone().unwrap_or_default(),
        a.county.clone().unwrap_or_default(),
        a.agency_type.clone().unwrap_or_default(),
        a.source.as_str().to_string(),
        opt(a.months_reported),
        a.months.filed.to_string(),
        a.months.zero_report.to_string(),
        a.months.not_reported.to_string(),
        a.months.unknown.to_string(),
        serde_json::to_value(a.reporting)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        opt(a.population),
    ];
    for o in SexTradeOffense::ALL {
        let c = a.arrests.get(o);
        for v in [
            c.total,
            c.female,
            c.male,
            c.unknown_sex,
            c.juvenile,
            c.on_view,
            c.summoned,
            c.custody,
        ] {
            r.push(v.to_string());
        }
    }
    r.push(a.sex_trade_arrests.to_string());
    r.push(opt(a.buyer_to_seller_ratio));
    r.push(opt(a.seller_share));
    r.push(a.juvenile_prostitution_arrests.to_string());
    match &a.rates_per_100k {
        Some(rt) => {
            for v in [
                rt.prostitution,
                rt.promoting,
                rt.purchasing,
                rt.trafficking_commercial_sex,
                rt.trafficking_servitude,
            ] {
                r.push(v.to_string());
            }
        }
        None => r.extend(std::iter::repeat_n(String::new(), 5)),
    }
    r.push(a.trafficking.incidents.to_string());
    r.push(a.trafficking.victims.to_string());
    r.push(a.trafficking.juvenile_victims.to_string());
    r.push(opt(a.rank.map(|k| k.sex_trade_arrests.position)));
    r.push(opt(a.rank.map(|k| k.buyer_arrests.position)));
    r.push(opt(a.rank.map(|k| k.sex_trade_arrests.of)));
    r.push(a.multiple_records_not_counted.to_string());
    r
}

/// Renders the agency-years as CSV (RFC 4180, header row first). Agency names, counties and
/// the other text come from outside files: every cell goes through the program's one
/// spreadsheet-formula rule ([`plainsight_core::spreadsheet_safe`]; counts and rates never
/// start with a formula character, so they are unchanged).
pub fn render_csv(report: &Report) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; errors would only come from I/O.
    let _ = writer.write_record(csv_header());
    for a in &report.agencies {
        let _ = writer.write_record(
            row(a)
                .iter()
                .map(|cell| plainsight_core::spreadsheet_safe(cell).into_owned()),
        );
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Renders the report as pretty JSON (the public contract).
pub fn render_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_string())
}
