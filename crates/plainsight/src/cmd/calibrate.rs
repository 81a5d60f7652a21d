//! `plainsight calibrate`: fit the priority weights to reviewed outcomes (regularised logistic
//! regression), report cross-validated AUC and a calibration table, and keep every fitted set
//! with its provenance so it can be rolled back.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use plainsight_core::NetworkRecord;
use plainsight_network::calibrate::{CalibrateConfig, Calibration, Example, calibrate};
use plainsight_store::{NetworkFilter, NetworkStore};
use sha2::{Digest, Sha256};

use super::Context;

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("action").required(true).args(["labels", "from_reviews", "list", "rollback", "defaults"]))]
pub struct Args {
    /// Reviewed outcomes, CSV with a header: `network_id,label` or `ad_id,label`. Labels that
    /// mean relevant: 1, yes, true, relevant, needs_investigation, known_case; not relevant:
    /// 0, no, false, not_relevant, independent_worker. Other labels are skipped and counted.
    /// With ad ids, a network takes the label most of its labelled ads have.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Fit to the labels reviewers gave whole networks in the web application (the latest label
    /// of each network; "other" is skipped).
    #[arg(long)]
    pub from_reviews: bool,
    /// L2 regularisation strength (larger keeps weights closer to zero).
    #[arg(long, default_value_t = 1.0)]
    pub l2: f64,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// List the saved weight sets.
    #[arg(long)]
    pub list: bool,
    /// Make an earlier weight set active again: the given version, or the one before the
    /// active set.
    #[arg(long, value_name = "VERSION", num_args = 0..=1, default_missing_value = "previous")]
    pub rollback: Option<String>,
    /// Go back to the bundled default weights.
    #[arg(long)]
    pub defaults: bool,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    let result = run_on(&store, args).await;
    // Closed on every path: a process that exits with the pool's connections still open can
    // be killed by a signal in the database library's clean-up at exit (seen on
    // `calibrate --rollback`, which returned early without closing).
    store.close().await;
    result
}

async fn run_on(store: &plainsight_store::SqliteStore, args: Args) -> anyhow::Result<ExitCode> {
    if args.list {
        let sets = store.weight_sets().await?;
        if sets.is_empty() {
            println!("No calibrated weights: the bundled defaults are in use.");
        }
        for s in &sets {
            println!(
                "{} v{}  {}  cross-validated AUC {}  from {}",
                if s.active { "*" } else { " " },
                s.version,
                s.created_at,
                s.report
                    .get("cv_auc")
                    .and_then(|v| v.as_f64())
                    .map_or("?".to_string(), |a| format!("{a:.3}")),
                s.source
            );
        }
        if !sets.is_empty() && !sets.iter().any(|s| s.active) {
            println!("(none active: the bundled defaults are in use)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.defaults {
        store.activate_weight_set(None).await?;
        println!("The bundled default weights are active. Run `plainsight analyze` to re-rank.");
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(which) = &args.rollback {
        let sets = store.weight_sets().await?;
        let version = if which == "previous" {
            let active = sets.iter().position(|s| s.active).with_context(
                || "no weight set is active: nothing to roll back (see --list, --defaults)",
            )?;
            active.checked_sub(1).map(|i| sets[i].version)
        } else {
            Some(
                which
                    .trim_start_matches('v')
                    .parse::<i64>()
                    .with_context(|| format!("--rollback {which:?}: expected a version number"))?,
            )
        };
        store.activate_weight_set(version).await?;
        match version {
            Some(v) => println!("Weight set v{v} is active. Run `plainsight analyze` to re-rank."),
            None => println!(
                "The bundled default weights are active (there was no earlier set). Run \
                 `plainsight analyze` to re-rank."
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (bytes, origin) = match &args.labels {
        Some(path) => (
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
            path.display().to_string(),
        ),
        None => {
            use plainsight_store::CaseworkStore;
            let mut csv = String::from("network_id,label\n");
            for (network, label) in store.latest_labels().await? {
                csv.push_str(&format!("{network},{label}\n"));
            }
            (
                csv.into_bytes(),
                "review labels in the workspace".to_string(),
            )
        }
    };
    let digest = hex::encode(Sha256::digest(&bytes));
    if store.latest_run().await?.is_none() {
        anyhow::bail!("no analysis yet: run `plainsight analyze` before calibrating");
    }
    let networks = store.networks(&NetworkFilter::default()).await?;
    let labels = read_labels(&bytes, &origin, &networks)?;
    let examples: Vec<Example> = labels
        .labelled
        .iter()
        .map(|(&i, &relevant)| Example {
            key: networks[i].network_id,
            features: features(&networks[i]),
            relevant,
        })
        .collect();
    let cfg = CalibrateConfig {
        l2: args.l2,
        folds: args.folds,
        ..CalibrateConfig::default()
    };
    let fit = calibrate(&examples, &cfg).context("fitting the weights")?;
    let source = format!(
        "labels {} (sha256 {}), {} networks",
        origin,
        &digest[..16],
        fit.examples
    );
    let report = serde_json::to_value(report_json(&fit, &labels))?;
    let version = store
        .save_weight_set(&source, &fit.weights, &report)
        .await?;
    print_report(&fit, &labels, version);
    Ok(ExitCode::SUCCESS)
}

/// The feature values of a network: the `value` of each of its reasons.
fn features(n: &NetworkRecord) -> BTreeMap<String, f64> {
    n.reasons
        .iter()
        .map(|r| (r.code.clone(), r.value))
        .collect()
}

/// Labels read from a file, resolved to networks.
struct Labels {
    /// Index into the networks → relevant.
    labelled: BTreeMap<usize, bool>,
    skipped_labels: usize,
    unknown_ids: usize,
    rows: usize,
    /// Rows that could not be read, as "file, line N: reason"; the rest are still used.
    bad_rows: Vec<String>,
}

fn parse_label(s: &str) -> Option<bool> {
    match s
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .as_str()
    {
        "1" | "yes" | "true" | "relevant" | "needs_investigation" | "known_case" => Some(true),
        "0" | "no" | "false" | "not_relevant" | "independent_worker" => Some(false),
        _ => None,
    }
}

fn read_labels(bytes: &[u8], origin: &str, networks: &[NetworkRecord]) -> anyhow::Result<Labels> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .with_context(|| format!("{origin}: reading the header"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let label_col = col("label").with_context(|| format!("{origin}: no `label` column"))?;
    let (id_col, by_network) = match (col("network_id"), col("ad_id")) {
        (Some(c), _) => (c, true),
        (None, Some(c)) => (c, false),
        _ => anyhow::bail!("{origin}: needs a `network_id` or an `ad_id` column"),
    };
    let by_id: HashMap<u64, usize> = networks
        .iter()
        .enumerate()
        .map(|(i, n)| (n.network_id, i))
        .collect();
    let by_ad: HashMap<&str, usize> = if by_network {
        HashMap::new()
    } else {
        networks
            .iter()
            .enumerate()
            .flat_map(|(i, n)| n.ads.iter().map(move |a| (a.as_str(), i)))
            .collect()
    };
    let mut votes: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let (mut skipped_labels, mut unknown_ids, mut rows) = (0, 0, 0);
    let mut bad_rows = Vec::new();
    for record in reader.records() {
        rows += 1;
        // A bad row is reported and skipped; the good rows around it still count.
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                bad_rows.push(format!("{origin}, line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let (Some(id), Some(label)) = (record.get(id_col), record.get(label_col)) else {
            bad_rows.push(format!(
                "{origin}, line {line}: fewer columns than the header"
            ));
            continue;
        };
        let Some(relevant) = parse_label(label) else {
            skipped_labels += 1;
            continue;
        };
        let index = if by_network {
            id.trim().parse::<u64>().ok().and_then(|id| by_id.get(&id))
        } else {
            by_ad.get(id.trim())
        };
        let Some(&index) = index else {
            unknown_ids += 1;
            continue;
        };
        let v = votes.entry(index).or_default();
        if relevant {
            v.0 += 1;
        } else {
            v.1 += 1;
        }
    }
    Ok(Labels {
        labelled: votes
            .into_iter()
            .map(|(i, (yes, no))| (i, yes > no))
            .collect(),
        skipped_labels,
        unknown_ids,
        rows,
        bad_rows,
    })
}

fn report_json(fit: &Calibration, labels: &Labels) -> serde_json::Value {
    serde_json::json!({
        "cv_auc": fit.cv_auc,
        "fold_aucs": fit.fold_aucs,
        "examples": fit.examples,
        "relevant": fit.relevant,
        "intercept": fit.intercept,
        "l2": fit.l2,
        "folds": fit.folds,
        "table": fit.table.iter().map(|b| serde_json::json!({
            "score_low": b.score_low, "score_high": b.score_high, "networks": b.networks,
            "relevant": b.relevant, "observed_share": b.observed_share, "mean_score": b.mean_score,
        })).collect::<Vec<_>>(),
        "label_rows": labels.rows,
        "skipped_labels": labels.skipped_labels,
        "unknown_ids": labels.unknown_ids,
        "bad_rows": labels.bad_rows.len(),
    })
}

fn print_report(fit: &Calibration, labels: &Labels, version: i64) {
    if !labels.bad_rows.is_empty() {
        eprintln!(
            "warning: {} label rows could not be read and were skipped:",
            labels.bad_rows.len()
        );
        for row in labels.bad_rows.iter().take(10) {
            eprintln!("  {row}");
        }
    }
    println!(
        "Fitted on {} reviewed networks ({} relevant) from {} label rows ({} with other labels \
         skipped, {} ids not in the workspace).",
        fit.examples, fit.relevant, labels.rows, labels.skipped_labels, labels.unknown_ids
    );
    println!(
        "Cross-validated AUC {:.3} over {} folds (per fold: {}).",
        fit.cv_auc,
        fit.folds,
        fit.fold_aucs
            .iter()
            .map(|a| format!("{a:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("\nCalibration (held-out fitted scores against reviewers' judgements):");
    println!(
        "  {:>13}  {:>8}  {:>8}  {:>14}",
        "fitted score", "networks", "relevant", "share relevant"
    );
    for b in &fit.table {
        println!(
            "  {:>5.3}–{:>5.3}  {:>8}  {:>8}  {:>14.3}",
            b.score_low, b.score_high, b.networks, b.relevant, b.observed_share
        );
    }
    println!("\nWeights (saved as v{version} and now active):");
    let mut weights: Vec<(&String, &f64)> = fit.weights.iter().collect();
    weights.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
    for (code, w) in weights {
        println!("  {w:>+8.3}  {code}");
    }
    println!(
        "\nRun `plainsight analyze` to re-rank with these weights; `plainsight calibrate \
         --rollback` restores the previous set."
    );
}
