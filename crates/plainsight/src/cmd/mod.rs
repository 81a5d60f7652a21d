//! One module per subcommand. Each exposes clap `Args` and an async `run` returning the exit code.

use anyhow::Context as _;

pub mod analyze;
pub mod audit;
pub mod bench;
pub mod bench_web;
pub mod calibrate;
pub mod demo;
pub mod export;
pub mod extract;
pub mod gen_corpus;
pub mod ingest;
pub mod law;
pub mod networks;
pub mod nibrs;
pub mod quarantine;
pub mod retention;
pub mod serve;
pub mod store;
pub mod user;

/// Settings shared by every subcommand.
#[derive(Debug, Clone)]
pub struct Context {
    /// Database URL as given by `--db` or `PLAINSIGHT_DB`, if any.
    pub db: Option<String>,
    /// Suppress progress bars and summaries on standard error.
    pub quiet: bool,
    /// The database key file given with `--key-file`, if any.
    pub key_file: Option<std::path::PathBuf>,
    /// The syslog socket given with `--audit-syslog`, if any.
    pub audit_syslog: Option<std::path::PathBuf>,
}

/// Who ran a command, for the audit log: `cli:` and the operating-system user.
pub fn operator() -> String {
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{who}")
}

/// Where the workspace lives when neither `--db` nor `PLAINSIGHT_DB` says otherwise.
pub const DEFAULT_DB: &str = "sqlite://./plainsight-data/plainsight.db";

impl Context {
    pub fn new(db: Option<String>, quiet: bool, key_file: Option<std::path::PathBuf>) -> Context {
        Context {
            db,
            quiet,
            key_file,
            audit_syslog: None,
        }
    }

    /// The database URL in force.
    pub fn db_url(&self) -> &str {
        self.db.as_deref().unwrap_or(DEFAULT_DB)
    }
}

impl Context {
    /// How to find the workspace's keys: `--key-file` when given (see [`open_store`]).
    ///
    /// [`open_store`]: Context::open_store
    pub fn key_options(&self) -> anyhow::Result<plainsight_store::KeyOptions> {
        let mut options = plainsight_store::KeyOptions::default();
        if let Some(path) = &self.key_file {
            options.database_key = Some(read_key_file(path)?);
        }
        options.audit_syslog = self.audit_syslog.clone();
        Ok(options)
    }

    /// Open (creating and migrating if needed) the SQLite workspace database.
    ///
    /// The database key comes from, in order: `--key-file`, `PLAINSIGHT_DB_KEY`, the key
    /// folder's `database.key`, and a prompt (only when the workspace is encrypted, none of
    /// those gave a key and standard input is a terminal). A new workspace gets a generated
    /// key in its key folder. A workspace made without a key opens without one, with a
    /// warning.
    pub async fn open_store(&self) -> anyhow::Result<plainsight_store::SqliteStore> {
        let url = self.db_url();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            anyhow::bail!(
                "PostgreSQL workspaces are not supported by this release; use a sqlite:// URL \
                 (given: {})",
                plainsight_store::redact_url(url)
            );
        }
        let context = || {
            format!(
                "opening the workspace database {}",
                plainsight_store::redact_url(url)
            )
        };
        let mut options = self.key_options()?;
        let store = match plainsight_store::SqliteStore::open_with(url, &options).await {
            Err(plainsight_store::StoreError::NeedsKey { path, .. }) if can_prompt() => {
                let typed = rpassword::prompt_password(format!(
                    "The workspace {path} is encrypted. Its key (or passphrase): "
                ))
                .context("reading the key from the terminal")?;
                options.database_key = Some(
                    plainsight_access::keys::DatabaseKey::parse(&typed).context("the key typed")?,
                );
                plainsight_store::SqliteStore::open_with(url, &options).await
            }
            other => other,
        }
        .map_err(|e| anyhow::anyhow!(e).context(context()))?;
        if let Some((file, _)) = store.files()
            && !store.is_encrypted()
        {
            eprintln!(
                "warning: the workspace database {} is NOT encrypted: anyone who gets a copy of \
                 the file can read every ad and case in it. Encrypt it with `plainsight store \
                 encrypt`.",
                file.display()
            );
        }
        Ok(store)
    }

    /// Whether to draw progress bars: not when asked to be quiet, not when stderr is piped.
    pub fn show_progress(&self) -> bool {
        use std::io::IsTerminal;
        !self.quiet && std::io::stderr().is_terminal()
    }
}

/// Reads a database key file (64 hex characters, or a one-line passphrase).
pub fn read_key_file(
    path: &std::path::Path,
) -> anyhow::Result<plainsight_access::keys::DatabaseKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key file {}", path.display()))?;
    plainsight_access::keys::DatabaseKey::parse(&text)
        .with_context(|| format!("the key file {}", path.display()))
}

/// A prompt for a key makes sense only with a person at a terminal.
fn can_prompt() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Options for reading ads, shared by `extract` and `ingest`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// Input format when the file name does not say: jsonl, csv, warc or html.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// Rename CSV columns, as ad_field=csv_column pairs: `--map title=headline,body=description`.
    #[arg(long, value_name = "PAIRS")]
    pub map: Option<String>,
    /// Largest record accepted, in bytes; larger records are rejected with a reason.
    #[arg(long, value_name = "BYTES", default_value_t = plainsight_ingest::DEFAULT_MAX_RECORD_BYTES)]
    pub max_record_bytes: usize,
    /// Character encoding of the input (a WHATWG label: utf-8, windows-1252, latin1, utf-16le,
    /// iso-8859-7 ...). Default: detected (JSONL/CSV: byte-order mark, UTF-16, else each record
    /// as UTF-8 or, when it is not UTF-8, windows-1252; HTML: as the page declares). A
    /// byte-order mark still wins.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Time zone of times written without an offset (IANA name, e.g. Europe/Berlin).
    /// Default: UTC.
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    /// Time zone of one site's times, as SITE=ZONE (repeatable): applies to records whose
    /// site or URL host is SITE or a sub-domain of it, e.g. `--site-time-zone example.de=Europe/Berlin`.
    #[arg(long, value_name = "SITE=ZONE")]
    pub site_time_zone: Vec<String>,
    /// Read numeric dates with slashes or hyphens day first (05/12/2013 = 5 December), as
    /// outside the US. Default: month first unless the first number is over 12.
    #[arg(long)]
    pub day_first: bool,
    /// Folder of the images that JSONL/CSV records name by path or URL: each is hashed from
    /// its file there (SHA-256 and perceptual hash; the photo is not stored). A URL is looked
    /// for as DIR/host/path, DIR/path, then DIR/file-name; paths that leave DIR are refused,
    /// and nothing is fetched from the network. WARC crawls and saved pages need no folder:
    /// their images are read from the archive and from the files saved beside each page.
    #[arg(long, value_name = "DIR")]
    pub images: Option<std::path::PathBuf>,
}

impl ReadArgs {
    pub fn read_options(&self) -> anyhow::Result<plainsight_ingest::ReadOptions> {
        let format = match &self.input_format {
            Some(f) => Some(f.parse::<plainsight_ingest::Format>()?),
            None => None,
        };
        let csv_map = match &self.map {
            Some(m) => plainsight_ingest::parse_csv_map(m)?,
            None => Vec::new(),
        };
        let encoding = match &self.encoding {
            Some(label) => Some(plainsight_ingest::encoding_for_label(label).ok_or_else(|| {
                anyhow::anyhow!(
                    "--encoding {label:?}: not a known character encoding (try utf-8, \
                     windows-1252, latin1, utf-16le, utf-16be, iso-8859-2, shift_jis)"
                )
            })?),
            None => None,
        };
        let zone = |name: &str, option: &str| -> anyhow::Result<plainsight_ingest::Tz> {
            name.trim().parse::<plainsight_ingest::Tz>().map_err(|_| {
                anyhow::anyhow!(
                    "{option} {name:?}: not an IANA time zone name (e.g. America/Chicago, \
                     Europe/Berlin, UTC)"
                )
            })
        };
        let time_zone = match &self.time_zone {
            Some(name) => Some(zone(name, "--time-zone")?),
            None => None,
        };
        let mut site_zones = Vec::new();
        for pair in &self.site_time_zone {
            let (site, name) = pair
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--site-time-zone {pair:?}: expected SITE=ZONE"))?;
            let site = site.trim().to_ascii_lowercase();
            if site.is_empty() {
                anyhow::bail!("--site-time-zone {pair:?}: the site is empty");
            }
            site_zones.push((site, zone(name, "--site-time-zone")?));
        }
        Ok(plainsight_ingest::ReadOptions {
            format,
            csv_map,
            max_record_bytes: self.max_record_bytes,
            encoding,
            record: plainsight_ingest::RecordOptions {
                dates: plainsight_ingest::DateContext {
                    zone: time_zone,
                    day_first: self.day_first,
                    crawled_at: None,
                },
                site_zones,
            },
            images_dir: match &self.images {
                Some(dir) if !dir.is_dir() => {
                    anyhow::bail!("--images {}: not a folder", dir.display())
                }
                other => other.clone(),
            },
            image_limits: plainsight_ingest::ImageLimits::default(),
        })
    }
}

/// Options for extraction, shared by `extract`, `ingest` and `demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExtractArgs {
    /// Region for phone numbers written without a country code (ISO 3166 code).
    #[arg(long, value_name = "CC", default_value = "US")]
    pub region: String,
    /// Indicator definitions (TOML). Default: the bundled, evidence-based set.
    #[arg(long, value_name = "FILE")]
    pub indicators: Option<std::path::PathBuf>,
}

impl ExtractArgs {
    pub fn extractor(&self) -> anyhow::Result<plainsight_text::extract::Extractor> {
        use anyhow::Context as _;
        let indicators_toml = match &self.indicators {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading indicator file {}", path.display()))?,
            ),
            None => None,
        };
        let config = plainsight_text::extract::ExtractConfig {
            phone: plainsight_text::extract::PhoneConfig {
                default_region: self.region.to_ascii_uppercase(),
            },
            indicators_toml,
        };
        Ok(plainsight_text::extract::Extractor::new(&config)?)
    }
}
