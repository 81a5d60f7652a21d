//! `plainsight nibrs import|report`: read FBI NIBRS data (CDE packages, agency flat files, the
//! national master file) into the workspace and publish enforcement scorecards from it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use plainsight_nibrs::{
    Age, Agency, AgencyMonth, Arrest, ArrestType, Dataset, FixedWidthKind, HtmlOptions,
    MonthStatus, MultipleIndicator, ReadOptions, ReplaceRule, ReportFilter, ReportInput, Sex,
    SexTradeOffense, SourceKind, TraffickingIncident, Warning, figures::ImportInfo,
};
use plainsight_store::nibrs::{
    NibrsAgencyRow, NibrsArrestRow, NibrsFilter, NibrsImport, NibrsMonthRow, NibrsReplace,
    NibrsSnapshot, NibrsStore, NibrsTraffickingRow,
};

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Import NIBRS data into the workspace: CDE per-state downloads (.zip or unpacked
    /// folder), agency flat files or the FBI national master file. Importing the same input
    /// again replaces it; nothing is counted twice.
    ///
    /// Example: plainsight nibrs import LA-2014.zip NC-2019.zip --state LA
    Import(ImportArgs),
    /// Write enforcement scorecards from the imported data, as a self-contained HTML report,
    /// JSON (documented in docs/nibrs-report-format.md) or CSV (one row per agency-year).
    ///
    /// Example: plainsight nibrs report --state LA --year 2014 --format html --out la-2014.html
    Report(ReportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// CDE .zip files or folders, flat files, or master files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Two-letter state for records whose agency cannot be determined (e.g. a package with
    /// only the arrestee and offence-type tables).
    #[arg(long, value_name = "XX")]
    pub state: Option<String>,
    /// Data year for records whose year cannot be determined.
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Largest CSV record or fixed-width line, in bytes; a file with a longer one is refused.
    #[arg(long, value_name = "BYTES", default_value_t = plainsight_nibrs::cde::DEFAULT_MAX_RECORD_BYTES)]
    pub max_record_bytes: usize,
    /// Largest expanded size of one ZIP member or CSV file, in bytes; larger is refused.
    #[arg(long, value_name = "BYTES", default_value_t = plainsight_nibrs::cde::DEFAULT_MAX_MEMBER_BYTES)]
    pub max_member_bytes: u64,
    /// Largest expanded size of a whole ZIP, in bytes; larger is refused (a "zip bomb").
    #[arg(long, value_name = "BYTES", default_value_t = plainsight_nibrs::cde::DEFAULT_MAX_TOTAL_BYTES)]
    pub max_expanded_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Only this state (two-letter abbreviation).
    #[arg(long, value_name = "XX")]
    pub state: Option<String>,
    /// Only this year (trend charts still use every imported year).
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Only this agency (ORI).
    #[arg(long, value_name = "ORI")]
    pub agency: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    pub format: ReportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub async fn run(ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Import(args) => import(ctx, args).await,
        Command::Report(args) => report(ctx, args).await,
    }
}

fn valid_state(state: &Option<String>) -> anyhow::Result<Option<String>> {
    match state {
        None => Ok(None),
        Some(s) => {
            let s = s.trim().to_ascii_uppercase();
            if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
                Ok(Some(s))
            } else {
                anyhow::bail!(
                    "--state takes a two-letter postal abbreviation such as LA (given: {s:?})"
                )
            }
        }
    }
}

/// Reads one input, choosing the reader from what the path is and how the file begins.
fn read_input(path: &Path, options: &ReadOptions, bar: &ProgressBar) -> anyhow::Result<Dataset> {
    let label = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    if path.is_dir() {
        return Ok(plainsight_nibrs::read_cde_dir(path, options)?);
    }
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let head = reader
        .fill_buf()
        .with_context(|| format!("reading {}", path.display()))?;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        return Ok(plainsight_nibrs::read_cde_zip(
            BufReader::new(file),
            &label,
            options,
        )?);
    }
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let kind = plainsight_nibrs::detect_fixed_width(first_line).with_context(|| {
        format!(
            "{} is neither a CDE package (.zip or folder) nor a NIBRS fixed-width file; \
             to import a single CDE table, put it in a folder and import the folder",
            path.display()
        )
    })?;
    bar.set_length(size);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let counted = BufReader::with_capacity(1 << 20, bar.wrap_read(reader));
    Ok(match kind {
        FixedWidthKind::FlatFile => plainsight_nibrs::read_flat_file(counted, &label, options)?,
        FixedWidthKind::MasterFile => plainsight_nibrs::read_master_file(counted, &label, options)?,
    })
}

async fn import(ctx: &Context, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let options = ReadOptions {
        state: valid_state(&args.state)?,
        year: args.year,
        limits: plainsight_nibrs::ReadLimits {
            max_record_bytes: args.max_record_bytes,
            max_member_bytes: args.max_member_bytes,
            max_total_bytes: args.max_expanded_bytes,
            ..Default::default()
        },
    };
    let store = ctx.open_store().await?;
    let mut failed = 0usize;
    let mut with_warnings = 0usize;
    for path in &args.paths {
        let bar = if ctx.show_progress() {
            let bar = ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        bar.set_message(format!("reading {}", path.display()));
        let started = Instant::now();
        let read = {
            let path = path.clone();
            let options = options.clone();
            let bar = bar.clone();
            tokio::task::spawn_blocking(move || read_input(&path, &options, &bar)).await?
        };
        let dataset = match read {
            Ok(d) => d,
            Err(e) => {
                bar.finish_and_clear();
                // A file over a size limit is refused (the message says which limit); any
                // other unreadable input is an error. Either way the other inputs go on.
                let refused = e.chain().any(|c| {
                    matches!(
                        c.downcast_ref::<plainsight_nibrs::NibrsError>(),
                        Some(plainsight_nibrs::NibrsError::Refused { .. })
                    )
                });
                if refused {
                    eprintln!("refused: {}: {e:#}", path.display());
                } else {
                    eprintln!("error: {e:#}");
                }
                failed += 1;
                continue;
            }
        };
        bar.set_message(format!("storing {}", path.display()));
        let batch = to_import(&dataset)?;
        let outcome = store
            .nibrs_import(&batch)
            .await
            .with_context(|| format!("storing {}", path.display()))?;
        bar.finish_and_clear();
        if !ctx.quiet {
            let by_code: Vec<String> = SexTradeOffense::ALL
                .iter()
                .map(|o| {
                    let n = dataset
                        .arrests
                        .iter()
                        .filter(|a| a.offense == *o && a.counts())
                        .count();
                    format!("{o} {n}")
                })
                .collect();
            eprintln!(
                "{}: {} ({:.1} MB in {:.2} s): {} arrests ({}), {} agencies, {} agency-months, {} trafficking incidents; {} earlier rows replaced{}",
                path.display(),
                match dataset.source {
                    SourceKind::Cde => "CDE package",
                    SourceKind::MasterFile => "master file",
                    SourceKind::FlatFile => "flat file",
                },
                dataset.stats.bytes as f64 / 1e6,
                started.elapsed().as_secs_f64(),
                dataset.arrests.len(),
                by_code.join(", "),
                dataset.agencies.len(),
                dataset.months.len(),
                dataset.trafficking.len(),
                outcome.rows_replaced,
                if dataset.stats.duplicate_rows > 0 {
                    format!(
                        "; {} exact duplicate rows dropped",
                        dataset.stats.duplicate_rows
                    )
                } else {
                    String::new()
                }
            );
        }
        if !dataset.warnings.is_empty() {
            with_warnings += 1;
            if !ctx.quiet {
                const SHOWN: usize = 20;
                for w in dataset.warnings.iter().take(SHOWN) {
                    eprintln!("warning: {w}");
                }
                if dataset.warnings.len() > SHOWN {
                    eprintln!(
                        "warning: ... and {} more (all are listed in the report's data-quality notes)",
                        dataset.warnings.len() - SHOWN
                    );
                }
            }
        }
    }
    store.close().await;
    Ok(if failed == args.paths.len() {
        ExitCode::from(2)
    } else if failed > 0 || with_warnings > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn to_import(d: &Dataset) -> anyhow::Result<NibrsImport> {
    let source = d.source.as_str().to_string();
    let scope = |state: &str| d.scope_for(state);
    let replace = match &d.replace {
        ReplaceRule::Scope { .. } => NibrsReplace::Scopes(d.scopes()),
        ReplaceRule::Incidents {
            incident_keys,
            arrest_keys,
        } => NibrsReplace::Incidents {
            incident_keys: incident_keys.clone(),
            arrest_keys: arrest_keys.clone(),
        },
    };
    let mut states: Vec<String> = d
        .arrests
        .iter()
        .map(|a| a.state.clone())
        .chain(d.months.iter().map(|m| m.state.clone()))
        .chain(d.agencies.iter().map(|a| a.state.clone()))
        .collect();
    states.sort();
    states.dedup();
    Ok(NibrsImport {
        source: source.clone(),
        label: d.label.clone(),
        replace,
        agencies: d
            .agencies
            .iter()
            .map(|a| NibrsAgencyRow {
                source: source.clone(),
                ori: a.ori.clone(),
                year: a.year,
                scope: scope(&a.state),
                state: a.state.clone(),
                name: a.name.clone(),
                county: a.county.clone(),
                agency_type: a.agency_type.clone(),
                population: a.population.and_then(|p| i64::try_from(p).ok()),
            })
            .collect(),
        months: d
            .months
            .iter()
            .map(|m| NibrsMonthRow {
                source: source.clone(),
                ori: m.ori.clone(),
                year: m.year,
                month: i64::from(m.month),
                scope: scope(&m.state),
                state: m.state.clone(),
                status: m.status.code().to_string(),
            })
            .collect(),
        arrests: d
            .arrests
            .iter()
            .map(|a| NibrsArrestRow {
                source: source.clone(),
                arrest_key: a.key.clone(),
                incident_key: a.incident_key.clone(),
                scope: scope(&a.state),
                state: a.state.clone(),
                ori: a.ori.clone().unwrap_or_default(),
                year: a.year,
                arrest_date: a.arrest_date.clone(),
                offense: a.offense.code().to_string(),
                sex: a.sex.code().to_string(),
                age_low: a.age.low.map(i64::from),
                age_high: a.age.high.map(i64::from),
                arrest_type: a.arrest_type.code().to_string(),
                multiple: a.multiple.code().to_string(),
            })
            .collect(),
        trafficking: d
            .trafficking
            .iter()
            .map(|t| NibrsTraffickingRow {
                source: source.clone(),
                incident_key: t.key.clone(),
                scope: scope(&t.state),
                state: t.state.clone(),
                ori: t.ori.clone().unwrap_or_default(),
                year: t.year,
                commercial_sex: t.commercial_sex,
                involuntary_servitude: t.involuntary_servitude,
                victims: i64::from(t.victims),
                juvenile_victims: i64::from(t.juvenile_victims),
            })
            .collect(),
        states,
        stats_json: serde_json::to_string(&d.stats)?,
        warnings_json: serde_json::to_string(&d.warnings)?,
    })
}

/// Turns stored rows back into the NIBRS crate's records.
fn from_snapshot(s: NibrsSnapshot) -> ReportInput {
    let source = |s: &str| SourceKind::parse(s).unwrap_or(SourceKind::Cde);
    let mut input = ReportInput::default();
    let mut unreadable = 0u64;
    for a in s.agencies {
        input.agencies.push(Agency {
            source: source(&a.source),
            ori: a.ori,
            year: a.year,
            name: a.name,
            state: a.state,
            county: a.county,
            agency_type: a.agency_type,
            population: a.population.and_then(|p| u64::try_from(p).ok()),
        });
    }
    for m in s.months {
        let (Some(status), Ok(month)) = (MonthStatus::from_code(&m.status), u8::try_from(m.month))
        else {
            unreadable += 1;
            continue;
        };
        input.months.push(AgencyMonth {
            source: source(&m.source),
            ori: m.ori,
            state: m.state,
            year: m.year,
            month,
            status,
        });
    }
    for a in s.arrests {
        let Some(offense) = SexTradeOffense::from_code(&a.offense) else {
            unreadable += 1;
            continue;
        };
        input.arrests.push(Arrest {
            source: source(&a.source),
            key: a.arrest_key,
            incident_key: a.incident_key,
            state: a.state,
            ori: (!a.ori.is_empty()).then_some(a.ori),
            year: a.year,
            arrest_date: a.arrest_date,
            offense,
            sex: Sex::from_code(&a.sex),
            age: Age {
                low: a.age_low.and_then(|v| u8::try_from(v).ok()),
                high: a.age_high.and_then(|v| u8::try_from(v).ok()),
            },
            arrest_type: ArrestType::from_code(&a.arrest_type),
            multiple: MultipleIndicator::from_code(&a.multiple),
        });
    }
    for t in s.trafficking {
        input.trafficking.push(TraffickingIncident {
            source: source(&t.source),
            key: t.incident_key,
            state: t.state,
            ori: (!t.ori.is_empty()).then_some(t.ori),
            year: t.year,
            commercial_sex: t.commercial_sex,
            involuntary_servitude: t.involuntary_servitude,
            victims: u32::try_from(t.victims).unwrap_or(0),
            juvenile_victims: u32::try_from(t.juvenile_victims).unwrap_or(0),
        });
    }
    for log in s.imports {
        let warnings: Vec<Warning> = serde_json::from_str(&log.warnings_json).unwrap_or_default();
        input.warnings.extend(warnings);
        input.imports.push(ImportInfo {
            label: log.label,
            source: source(&log.source),
            imported_at: Some(log.imported_at),
        });
    }
    if unreadable > 0 {
        input.warnings.push(Warning::general(format!(
            "{unreadable} stored rows had codes this version cannot read and were left out"
        )));
    }
    input
}

async fn report(ctx: &Context, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let state = valid_state(&args.state)?;
    let store = ctx.open_store().await?;
    let snapshot = store
        .nibrs_load(&NibrsFilter {
            state: state.clone(),
        })
        .await
        .context("loading NIBRS data from the workspace")?;
    store.close().await;
    if snapshot.arrests.is_empty() && snapshot.agencies.is_empty() && snapshot.months.is_empty() {
        eprintln!(
            "error: the workspace has no NIBRS data{}; import some first: plainsight nibrs import PATH",
            state
                .as_deref()
                .map(|s| format!(" for {s}"))
                .unwrap_or_default()
        );
        return Ok(ExitCode::from(2));
    }
    let input = from_snapshot(snapshot);
    let filter = ReportFilter {
        state,
        year: args.year,
        agency: args.agency.clone(),
    };
    let report = plainsight_nibrs::build_report(&input, &filter);
    let text = match args.format {
        ReportFormat::Json => plainsight_nibrs::render_json(&report) + "\n",
        ReportFormat::Csv => plainsight_nibrs::render_csv(&report),
        ReportFormat::Html => plainsight_nibrs::render_html(
            &report,
            &HtmlOptions {
                generated_on: Some(chrono::Utc::now().format("%Y-%m-%d").to_string()),
            },
        ),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            if !ctx.quiet {
                eprintln!(
                    "wrote {} ({} agency-years, {} state-years)",
                    path.display(),
                    report.agencies.len(),
                    report.states.len()
                );
            }
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .context("writing the report to standard output")?;
        }
    }
    if report.agencies.is_empty() && report.states.is_empty() {
        eprintln!("warning: no imported data matches these filters");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
