//! `plainsight export`: networks for analysis tools — GraphML for Gephi, the entity/link CSV
//! pair that i2 Analyst's Notebook imports, or JSON.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use plainsight_network::export::{write_graphml, write_i2_csv, write_json};
use plainsight_store::{NetworkFilter, NetworkStore};

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
            write_i2_csv(&networks, entities, links)?;
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
                write_graphml(&networks, out)?;
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

fn create(path: &std::path::Path) -> anyhow::Result<BufWriter<File>> {
    Ok(BufWriter::new(
        File::create(path).with_context(|| format!("creating {}", path.display()))?,
    ))
}
