//! `plainsight analyze`: link the workspace's ads into networks, rank them for review with
//! reasons, and store the result with stable network ids.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use plainsight_link::LinkConfig;
use plainsight_network::exclusions::{BUNDLED_EXCLUSIONS, parse_exclusions};
use plainsight_network::{Analysis, Interner, Weights, analyze_with, prepare};
use plainsight_store::{AnalysisRun, NetworkStore, PreparedNetwork, SqliteStore, Store};

use super::Context;

/// Ads read from the database per page. Small pages keep less in flight at the end of
/// reading, when the facts of every ad are already held (5,000 instead of 20,000 lowered the
/// peak of a million-ad analysis by about 100 MB at the same speed).
pub const READ_BATCH: u32 = 5_000;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A file of identifiers that must never link ads (hotlines, agency tip lines, site support
    /// numbers), one `kind:value` per line (`phone:+18883737888`, `email:help@site.example`,
    /// `handle:instagram:name`); `#` starts a comment. Added to the bundled list of hotlines.
    #[arg(long, value_name = "FILE")]
    pub exclude: Option<PathBuf>,
    /// Do not use the bundled exclusion list.
    #[arg(long)]
    pub no_default_exclusions: bool,
    /// Ads read from the database per batch.
    #[arg(long, default_value_t = READ_BATCH, value_name = "N")]
    pub batch: u32,
    /// Print the run summary as JSON on standard output.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    let mut excluded = BTreeSet::new();
    if !args.no_default_exclusions {
        excluded.extend(parse_exclusions(
            BUNDLED_EXCLUSIONS,
            "bundled exclusion list",
        )?);
    }
    if let Some(path) = &args.exclude {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the exclusion list {}", path.display()))?;
        excluded.extend(parse_exclusions(&text, &path.display().to_string())?);
    }
    let cfg = LinkConfig {
        excluded,
        ..LinkConfig::default()
    };
    let weights = active_weights(&store).await?;
    let done = analyze_and_save(&store, &cfg, &weights, args.batch, ctx.show_progress()).await?;
    store.close().await;
    if args.json {
        let mut out = done.report;
        out["run_id"] = serde_json::json!(done.run_id);
        println!("{out}");
    } else if !ctx.quiet {
        print_summary(&done.analysis, &weights, done.seconds);
    }
    Ok(ExitCode::SUCCESS)
}

/// A finished, stored analysis run.
pub struct Finished {
    pub analysis: Analysis<PreparedNetwork>,
    pub run_id: i64,
    /// Reading, linking and summarising, in seconds.
    pub seconds: f64,
    /// Storing, in seconds.
    pub store_seconds: f64,
    pub report: serde_json::Value,
    /// Seconds spent reading the database (overlapping with preparing), preparing ads, and
    /// linking plus summarising.
    pub phases: Phases,
}

/// Where an analysis run spends its time, in seconds.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Phases {
    pub reading: f64,
    pub preparing: f64,
    pub linking_and_summarising: f64,
}

/// The link settings with the bundled exclusion list.
pub fn default_link_config() -> anyhow::Result<LinkConfig> {
    Ok(LinkConfig {
        excluded: parse_exclusions(BUNDLED_EXCLUSIONS, "bundled exclusion list")?
            .into_iter()
            .collect(),
        ..LinkConfig::default()
    })
}

/// Analyse the workspace and store the result as one run.
pub async fn analyze_and_save(
    store: &SqliteStore,
    cfg: &LinkConfig,
    weights: &Weights,
    batch: u32,
    progress: bool,
) -> anyhow::Result<Finished> {
    let (analysis, started, seconds, phases) =
        run_analysis(store, cfg, weights, batch, progress).await?;
    let report = serde_json::json!({
        "stats": analysis.stats,
        "unused_identifiers": analysis.unused,
        "events": analysis.events.len(),
        "seconds": seconds,
        "phases": phases,
        "link_config": {
            "permutations": cfg.permutations, "bands": cfg.bands, "rows": cfg.rows,
            "min_similarity": cfg.min_similarity, "min_shingles": cfg.min_shingles,
            "common_shingle_groups": cfg.common_shingle_groups,
            "phash_max_distance": cfg.phash_max_distance,
            "hub_min_ads": cfg.hub_min_ads, "hub_min_groups": cfg.hub_min_groups,
            "photo_hub_min_groups": cfg.photo_hub_min_groups,
            "excluded": cfg.excluded.len(),
        },
    });
    let clock = Instant::now();
    let run_id = store
        .save_analysis(&AnalysisRun {
            started_at: started,
            finished_at: chrono::Utc::now(),
            networks: &analysis.networks,
            membership: &analysis.membership,
            events: &analysis.events,
            next_id: analysis.next_id,
            weights: weights.provenance.clone(),
            report: report.clone(),
        })
        .await?;
    Ok(Finished {
        analysis,
        run_id,
        seconds,
        store_seconds: clock.elapsed().as_secs_f64(),
        report,
        phases,
    })
}

/// The weights in force: the active calibrated set, or the bundled defaults.
pub async fn active_weights(store: &SqliteStore) -> anyhow::Result<Weights> {
    let defaults = Weights::bundled()?;
    let sets = store.weight_sets().await?;
    Ok(match sets.into_iter().find(|s| s.active) {
        Some(set) => defaults.with_fitted(
            &set.weights,
            &format!(
                "calibration v{} of {} ({})",
                set.version, set.created_at, set.source
            ),
        ),
        None => defaults,
    })
}

/// Read every ad in batches, prepare, link and summarise. Returns the analysis, when it
/// started and how long it took in seconds.
pub async fn run_analysis(
    store: &SqliteStore,
    cfg: &LinkConfig,
    weights: &Weights,
    batch: u32,
    progress: bool,
) -> anyhow::Result<(
    Analysis<PreparedNetwork>,
    chrono::DateTime<chrono::Utc>,
    f64,
    Phases,
)> {
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let total = store.count_ads().await?;
    let bar = if progress {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ads ({eta} left)")
                .map_err(|e| anyhow::anyhow!(e))?
                .progress_chars("=> "),
        );
        bar.set_message("reading");
        Some(bar)
    } else {
        None
    };
    let mut phases = Phases::default();
    let mut interner = Interner::default();
    let mut facts = Vec::with_capacity(total as usize);
    let mut inputs = Vec::with_capacity(total as usize);
    // The next page is read while this one is prepared: reading is mostly SQLite's work on
    // one core, preparing is spread over all cores.
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    let reader_store = store.clone();
    let batch = batch.max(1);
    let reader = tokio::spawn(async move {
        let mut after = i64::MIN;
        loop {
            let t = Instant::now();
            let page = reader_store.analysis_ads(after, batch).await?;
            let seconds = t.elapsed().as_secs_f64();
            let Some(last) = page.last() else { break };
            after = last.key;
            if tx.send((page, seconds)).await.is_err() {
                break;
            }
        }
        Ok::<(), plainsight_store::StoreError>(())
    });
    while let Some((page, seconds)) = rx.recv().await {
        phases.reading += seconds;
        let n = page.len() as u64;
        let t = Instant::now();
        let prepared = tokio::task::block_in_place(|| prepare(page, &mut interner));
        phases.preparing += t.elapsed().as_secs_f64();
        for (f, i) in prepared {
            facts.push(f);
            inputs.push(i);
        }
        if let Some(bar) = &bar {
            bar.inc(n);
        }
    }
    reader.await.context("the database reader stopped")??;
    if let Some(bar) = &bar {
        bar.set_message("linking");
    }
    let previous = store.network_membership().await?;
    let next_id = store.next_network_id().await?;
    let t = Instant::now();
    // Each record is serialised for storage as soon as it is made (see `PreparedNetwork`).
    let analysis = tokio::task::block_in_place(|| {
        analyze_with(
            facts,
            inputs,
            &interner,
            weights,
            cfg,
            &previous,
            next_id,
            |record| PreparedNetwork::of(&record),
        )
    });
    let Analysis {
        networks,
        membership,
        events,
        unused,
        next_id,
        stats,
    } = analysis;
    let analysis = Analysis {
        networks: networks.into_iter().collect::<Result<Vec<_>, _>>()?,
        membership,
        events,
        unused,
        next_id,
        stats,
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    phases.linking_and_summarising = t.elapsed().as_secs_f64();
    Ok((analysis, started, clock.elapsed().as_secs_f64(), phases))
}

pub fn print_summary(a: &Analysis<PreparedNetwork>, weights: &Weights, seconds: f64) {
    let s = &a.stats;
    println!(
        "Analysed {} ads in {seconds:.1} s: {} networks ({} single ads, largest {} ads).",
        s.ads, s.networks, s.networks_of_one, s.largest_network
    );
    println!(
        "Links: {} ({} by shared text templates); {} generic phrases discounted.",
        s.links, s.template_links, s.common_shingles
    );
    println!(
        "Network ids: {} kept from the previous run, {} new.",
        s.kept_ids, s.new_ids
    );
    let mut events: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &a.events {
        *events
            .entry(match e {
                plainsight_core::NetworkEvent::Merged { .. } => "merges",
                plainsight_core::NetworkEvent::Split { .. } => "splits",
                plainsight_core::NetworkEvent::Retired { .. } => "retired",
            })
            .or_default() += 1;
    }
    if !events.is_empty() {
        let parts: Vec<String> = events.iter().map(|(k, v)| format!("{v} {k}")).collect();
        println!("Changes since the previous run: {}.", parts.join(", "));
    }
    for u in &a.unused {
        match u.why.as_str() {
            "hub" => println!(
                "Hub, not used for linking: {} {} in {} ads across {} otherwise separate groups.",
                u.kind, u.value, u.ads, u.groups
            ),
            _ => println!(
                "Excluded from linking: {} {} ({} ads).",
                u.kind, u.value, u.ads
            ),
        }
    }
    println!("Weights: {}.", weights.provenance);
    let mut top: Vec<&PreparedNetwork> = a.networks.iter().collect();
    top.sort_by(|x, y| {
        y.priority
            .total_cmp(&x.priority)
            .then(x.network_id.cmp(&y.network_id))
    });
    if !top.is_empty() {
        println!("\nHighest review priority (leads for human review, not findings):");
        for n in top.iter().take(5) {
            let reasons: Vec<&str> = n.reason_codes.iter().take(3).map(String::as_str).collect();
            println!(
                "  network {:>6}  priority {:>6.2}  {:>4} ads  {}",
                n.network_id,
                n.priority,
                n.ads,
                reasons.join(", ")
            );
        }
        println!("\nSee them with `plainsight networks`, one with `plainsight network ID`.");
    }
}
