//! `plainsight networks` (list networks, ranked for review, as a table, JSONL or CSV) and
//! `plainsight network ID` (one network: template with slots, timeline, identifiers, reasons).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;
use plainsight_core::{NetworkEvent, NetworkRecord};
use plainsight_network::TemplatePart;
use plainsight_store::{NetworkFilter, NetworkStore};

use super::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Jsonl,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Output format: a table for reading, JSONL (docs/network-format.md) or CSV.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Only networks with ads in this place: "Raleigh, NC" or "Raleigh".
    #[arg(long, value_name = "PLACE")]
    pub location: Option<String>,
    /// Only networks seen on or after this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only networks with at least this many ads.
    #[arg(long, value_name = "N")]
    pub min_ads: Option<u64>,
    /// At most this many networks, highest priority first (the table shows 20 unless given).
    #[arg(long, value_name = "K")]
    pub top: Option<u64>,
}

pub async fn list(ctx: &Context, args: ListArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    let since = match &args.since {
        Some(s) => Some(
            plainsight_core::parse_posted_at(s)
                .with_context(|| format!("--since {s:?}: expected YYYY-MM-DD or RFC 3339"))?,
        ),
        None => None,
    };
    let location = args.location.as_deref().map(|l| match l.split_once(',') {
        Some((name, admin1)) => (name.trim().to_string(), Some(admin1.trim().to_string())),
        None => (l.trim().to_string(), None),
    });
    let top = match (args.top, args.format) {
        (Some(k), _) => Some(k),
        (None, ListFormat::Table) => Some(20),
        (None, _) => None,
    };
    if store.latest_run().await?.is_none() {
        anyhow::bail!("no analysis yet: run `plainsight analyze` first");
    }
    let networks = store
        .networks(&NetworkFilter {
            location,
            since,
            min_ads: args.min_ads,
            top,
        })
        .await?;
    store.close().await;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        ListFormat::Jsonl => {
            for n in &networks {
                serde_json::to_writer(&mut out, n)?;
                out.write_all(b"\n")?;
            }
        }
        ListFormat::Csv => write_csv(&networks, &mut out)?,
        ListFormat::Table => write_table(&networks, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_csv(networks: &[NetworkRecord], out: &mut impl Write) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "network_id",
        "priority",
        "ads",
        "phones",
        "emails",
        "handles",
        "personas",
        "locations",
        "first_seen",
        "last_seen",
        "ads_per_week",
        "top_reasons",
    ])?;
    for n in networks {
        let locations: Vec<String> = n
            .locations
            .iter()
            .map(|l| format!("{}, {}", l.name, l.admin1))
            .collect();
        let reasons: Vec<String> = n
            .reasons
            .iter()
            .take(5)
            .map(|r| format!("{} ({:+.2})", r.code, r.weight))
            .collect();
        w.write_record([
            n.network_id.to_string(),
            format!("{:.3}", n.priority),
            n.ads.len().to_string(),
            spreadsheet_safe(&n.phones.join("; ")),
            spreadsheet_safe(&n.emails.join("; ")),
            spreadsheet_safe(&n.handles.join("; ")),
            spreadsheet_safe(&n.personas.join("; ")),
            spreadsheet_safe(&locations.join("; ")),
            n.first_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
            n.last_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
            format!("{:.2}", n.ads_per_week),
            spreadsheet_safe(&reasons.join("; ")),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Text from ads opened in a spreadsheet must not run as a formula (the rule every CSV writer
/// shares).
fn spreadsheet_safe(s: &str) -> String {
    plainsight_core::spreadsheet_safe(s).into_owned()
}

fn write_table(networks: &[NetworkRecord], out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:>8}  {:>8}  {:>5}  {:>6}  {:>8}  {:<24}  {:<10}  top reasons",
        "network", "priority", "ads", "phones", "personas", "places", "last seen"
    )?;
    for n in networks {
        let places: Vec<String> = n
            .locations
            .iter()
            .take(2)
            .map(|l| format!("{} {}", l.name, l.admin1))
            .collect();
        let mut places = places.join(", ");
        if n.locations.len() > 2 {
            places.push_str(&format!(" +{}", n.locations.len() - 2));
        }
        let reasons: Vec<&str> = n.reasons.iter().take(3).map(|r| r.code.as_str()).collect();
        writeln!(
            out,
            "{:>8}  {:>8.2}  {:>5}  {:>6}  {:>8}  {:<24}  {:<10}  {}",
            n.network_id,
            n.priority,
            n.ads.len(),
            n.phones.len(),
            n.personas.len(),
            truncate(&places, 24),
            n.last_seen
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "-".into()),
            reasons.join(", ")
        )?;
    }
    if networks.is_empty() {
        writeln!(out, "(no networks match)")?;
    }
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The network id (as `plainsight networks` shows it).
    pub id: u64,
    /// Text for reading, or JSON: the network record plus its templates and id history.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
}

/// The templates of a network (see `plainsight_network::network_templates`).
async fn templates(
    store: &plainsight_store::SqliteStore,
    n: &NetworkRecord,
) -> anyhow::Result<Vec<(String, plainsight_network::Template)>> {
    let texts = store.network_texts(n.network_id).await?;
    Ok(plainsight_network::network_templates(n, &texts))
}

pub async fn show(ctx: &Context, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    let Some(n) = store.network(args.id).await? else {
        let events = store.network_events(args.id).await?;
        store.close().await;
        if let Some(e) = events.last() {
            anyhow::bail!(
                "network {} no longer exists: {} (run {} at {})",
                args.id,
                describe_event(&e.event),
                e.run_id,
                e.at
            );
        }
        anyhow::bail!("no network {}: see `plainsight networks`", args.id);
    };
    let templates = templates(&store, &n).await?;
    let events = store.network_events(n.network_id).await?;
    store.close().await;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.format == ShowFormat::Json {
        let doc = serde_json::json!({
            "network": n,
            "templates": templates.iter().map(|(id, t)| serde_json::json!({"id": id, "template": t})).collect::<Vec<_>>(),
            "history": events,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let date = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    writeln!(
        out,
        "Network {}: {} ads, review priority {:.2} (a ranking for human review, not a finding)",
        n.network_id,
        n.ads.len(),
        n.priority
    )?;
    writeln!(
        out,
        "Seen {} to {}, {:.1} ads a week; {} personas, {} phones ({:.2} personas per phone)",
        date(n.first_seen),
        date(n.last_seen),
        n.ads_per_week,
        n.personas.len(),
        n.phones.len(),
        n.personas_per_phone
    )?;
    writeln!(out, "\nWhy it is ranked here (largest first):")?;
    if n.reasons.is_empty() {
        writeln!(out, "  nothing raises it")?;
    }
    for r in &n.reasons {
        writeln!(
            out,
            "  {:+.2}  {} — {} ({} of {} ads)",
            r.weight,
            r.code,
            r.description,
            r.ads.len(),
            n.ads.len()
        )?;
        for e in r.evidence.iter().take(3) {
            match (e.field, e.start, e.end) {
                (Some(f), Some(s), Some(end)) => writeln!(
                    out,
                    "          ad {} {} [{s}..{end}]: {:?}",
                    e.ad,
                    f.as_str(),
                    e.text
                )?,
                _ if e.ad.is_empty() => writeln!(out, "          {}", e.text)?,
                _ => writeln!(out, "          ad {}: {}", e.ad, e.text)?,
            }
        }
    }
    if !templates.is_empty() {
        writeln!(
            out,
            "\nText templates ([slot] = words that vary between ads):"
        )?;
        for (id, t) in &templates {
            writeln!(out, "  {id} ({} ads aligned): {}", t.texts, t.display())?;
            for part in &t.parts {
                if let TemplatePart::Slot { examples } = part
                    && examples.len() > 1
                {
                    writeln!(out, "      slot: {}", examples.join(" | "))?;
                }
            }
        }
    }
    if !n.locations.is_empty() {
        writeln!(out, "\nMovement timeline:")?;
        for l in &n.locations {
            writeln!(
                out,
                "  {} to {}  {}, {}  ({} ads)",
                date(l.first_seen),
                date(l.last_seen),
                l.name,
                l.admin1,
                l.ads
            )?;
        }
    }
    writeln!(out, "\nIdentifiers:")?;
    for (label, values) in [
        ("phones", &n.phones),
        ("emails", &n.emails),
        ("handles", &n.handles),
        ("photo hashes", &n.image_hashes),
        ("personas", &n.personas),
    ] {
        if !values.is_empty() {
            writeln!(out, "  {label}: {}", values.join(", "))?;
        }
    }
    if !n.unused_identifiers.is_empty() {
        writeln!(
            out,
            "  not used for linking: {}",
            n.unused_identifiers.join(", ")
        )?;
    }
    if !n.links.is_empty() {
        writeln!(out, "\nWhat holds it together:")?;
        for l in &n.links {
            writeln!(
                out,
                "  {} {}: ads {}",
                l.kind,
                l.value,
                list_ads(&l.ads, 12)
            )?;
        }
    }
    if !events.is_empty() {
        writeln!(out, "\nHistory:")?;
        for e in &events {
            writeln!(
                out,
                "  run {} ({}): {}",
                e.run_id,
                e.at,
                describe_event(&e.event)
            )?;
        }
    }
    writeln!(out, "\nAds (oldest first): {}", list_ads(&n.ads, 50))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn list_ads(ads: &[String], max: usize) -> String {
    let mut s = ads.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if ads.len() > max {
        s.push_str(&format!(" and {} more", ads.len() - max));
    }
    s
}

fn describe_event(e: &NetworkEvent) -> String {
    match e {
        NetworkEvent::Merged { into, absorbed } => {
            let ids: Vec<String> = absorbed.iter().map(u64::to_string).collect();
            format!("network(s) {} merged into {into}", ids.join(", "))
        }
        NetworkEvent::Split { from, new } => format!("network {new} split off from {from}"),
        NetworkEvent::Retired { network } => {
            format!("network {network} retired (its ads are gone)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_text_cells_never_run_as_spreadsheet_formulas() {
        let record = NetworkRecord {
            network_id: 7,
            ads: vec!["a1".into()],
            phones: vec!["+19195550123".into()],
            emails: vec!["=cmd|' /C calc'!A0@x.example".into()],
            handles: vec!["@handle".into()],
            image_hashes: vec![],
            personas: vec!["=HYPERLINK(\"http://x.example\",\"open\")".into()],
            locations: vec![plainsight_core::NetworkLocation {
                name: "-Raleigh".into(),
                admin1: "NC".into(),
                first_seen: None,
                last_seen: None,
                ads: 1,
            }],
            first_seen: None,
            last_seen: None,
            ads_per_week: 1.0,
            personas_per_phone: 1.0,
            priority: 2.5,
            reasons: vec![],
            links: vec![],
            unused_identifiers: vec![],
        };
        let mut out = Vec::new();
        write_csv(&[record], &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "7");
        assert_eq!(&row[1], "2.500");
        assert_eq!(&row[3], "'+19195550123");
        assert_eq!(&row[4], "'=cmd|' /C calc'!A0@x.example");
        assert_eq!(&row[5], "'@handle");
        assert_eq!(&row[6], "'=HYPERLINK(\"http://x.example\",\"open\")");
        assert_eq!(&row[7], "'-Raleigh, NC");
    }
}
