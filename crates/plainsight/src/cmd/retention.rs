//! `plainsight retention --dry-run|--apply`: remove ads that belong to no case folder and no
//! reviewed network once they are older than the retention period, with their identifiers,
//! then re-analyse so no network keeps what was removed. Every purge is audited; the audit log
//! itself is never purged here (it is kept for at least a year).

use std::process::ExitCode;

use plainsight_access::audit::Outcome;
use plainsight_store::{AccessStore, AuditEvent, CaseworkStore};

use super::Context;

#[derive(Debug, clap::Args)]
#[command(
    group = clap::ArgGroup::new("mode").required(true).args(["dry_run", "apply"]),
    after_help = "Examples:\n  plainsight retention --dry-run\n  plainsight retention --apply --days 90"
)]
pub struct Args {
    /// Show what would be removed, remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Remove the expired ads and re-analyse the networks.
    #[arg(long)]
    pub apply: bool,
    /// Retention period in days (default: the workspace setting, 180 unless changed).
    #[arg(long)]
    pub days: Option<u32>,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    let days = match args.days {
        Some(d) => d,
        None => store
            .setting("retention_days")
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(180),
    };
    if days == 0 {
        anyhow::bail!("--days must be at least 1");
    }
    let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
    let plan = store.retention_plan(cutoff).await?;
    println!(
        "Retention {days} days: ads stored before {} are due. {} of {} ads would be removed; {} \
         due ads are kept because a case folder or a reviewed network holds them.",
        plan.cutoff, plan.expired, plan.ads_total, plan.kept
    );
    let operator = super::operator();
    if args.dry_run {
        store
            .append_audit(&AuditEvent {
                actor: Some(operator),
                source: Some("command line".into()),
                action: "retention_dry_run".into(),
                object: None,
                outcome: Outcome::Success,
                detail: Some(format!("{days} days: {} due", plan.expired)),
            })
            .await?;
        println!("Nothing was removed (dry run). Use --apply to remove them.");
        store.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    // The purge and its audit entry are one transaction.
    let removed = store
        .purge_expired(cutoff, &|removed| AuditEvent {
            actor: Some(operator.clone()),
            source: Some("command line".into()),
            action: "retention_purge".into(),
            object: None,
            outcome: Outcome::Success,
            detail: Some(format!(
                "{days} days, cutoff {}: {removed} ads removed",
                plan.cutoff
            )),
        })
        .await?;
    println!("Removed {removed} ads with their identifiers, indicator hits and places.");
    if removed > 0 {
        eprintln!("Re-analysing so that no network keeps what was removed ...");
        let weights = super::analyze::active_weights(&store).await?;
        super::analyze::analyze_and_save(
            &store,
            &super::analyze::default_link_config()?,
            &weights,
            super::analyze::READ_BATCH,
            ctx.show_progress(),
        )
        .await?;
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
