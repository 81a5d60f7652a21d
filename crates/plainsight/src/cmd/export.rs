//! `plainsight export`: networks for analysis tools — GraphML for Gephi, the entity/link CSV
//! pair that i2 Analyst's Notebook imports, or JSON.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use plainsight_network::export::{
    AdAttributeMap, AdAttributes, write_graphml_with, write_i2_csv_with, write_json,
};
use plainsight_store::{AnalystStore, NetworkFilter, NetworkStore};

use super::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Graphml,
    #[value(name = "i2-csv")]
    I2Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// graphml (Gephi, yEd), i2-csv (entities.csv + links.csv for i2 Analyst's Notebook) or json.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Export only this network (default: every network).
    #[arg(long, value_name = "ID")]
    pub network: Option<u64>,
    /// Where to write: a file for graphml and json (default: standard output); a folder for
    /// i2-csv (created if needed; required).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    let networks = match args.network {
        Some(id) => match store.network(id).await? {
            Some(n) => vec![n],
            None => anyhow::bail!("no network {id}: see `plainsight networks`"),
        },
        None => {
            if store.latest_run().await?.is_none() {
                anyhow::bail!("no analysis yet: run `plainsight analyze` first");
            }
            store.networks(&NetworkFilter::default()).await?
        }
    };
    // Date, place, URL, title and site of every exported ad, so Gephi's timeline and geo
    // layouts and i2's temporal views have something to work with (JSON carries records only).
    let ads = if args.format == ExportFormat::Json {
        AdAttributeMap::new()
    } else {
        ad_attributes(
            store
                .ad_export_rows(args.network.map(|id| id as i64))
                .await?,
        )
    };
    store.close().await;
    match args.format {
        ExportFormat::I2Csv => {
            let Some(dir) = &args.out else {
                anyhow::bail!("--format i2-csv writes two files: give a folder with --out");
            };
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let entities_path = dir.join("entities.csv");
            let links_path = dir.join("links.csv");
            let entities = create(&entities_path)?;
            let links = create(&links_path)?;
            write_i2_csv_with(&networks, &ads, entities, links)?;
            if !ctx.quiet {
                eprintln!(
                    "Wrote {} networks to {} and {}.",
                    networks.len(),
                    entities_path.display(),
                    links_path.display()
                );
            }
        }
        format => {
            let out: Box<dyn Write> = match &args.out {
                Some(path) => Box::new(create(path)?),
                None => Box::new(BufWriter::new(std::io::stdout().lock())),
            };
            if format == ExportFormat::Graphml {
                write_graphml_with(&networks, &ads, out)?;
            } else {
                write_json(&networks, out)?;
            }
            if let (Some(path), false) = (&args.out, ctx.quiet) {
                eprintln!("Wrote {} networks to {}.", networks.len(), path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The export attributes of stored ads, with each place's coordinates from the gazetteer.
fn ad_attributes(rows: Vec<plainsight_store::AdExportRow>) -> AdAttributeMap {
    rows.into_iter()
        .map(|r| {
            let coordinates = r.place.as_ref().and_then(|(name, admin1)| {
                plainsight_text::places::place_coordinates(name, admin1)
            });
            let place = match &r.place {
                Some((name, admin1)) => format!("{name}, {admin1}"),
                None => r.location.clone().unwrap_or_default(),
            };
            let attributes = AdAttributes {
                posted_at: r
                    .posted_at
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&chrono::Utc)),
                place,
                latitude: coordinates.map(|c| c.0),
                longitude: coordinates.map(|c| c.1),
                url: r.url.unwrap_or_default(),
                title: r.title.unwrap_or_default(),
                site: r.site,
            };
            (r.id, attributes)
        })
        .collect()
}

fn create(path: &std::path::Path) -> anyhow::Result<BufWriter<File>> {
    Ok(BufWriter::new(
        File::create(path).with_context(|| format!("creating {}", path.display()))?,
    ))
}
