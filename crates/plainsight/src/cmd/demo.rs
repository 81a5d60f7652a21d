//! `plainsight demo`: build a demo workspace from a generated corpus, ingest it, and show what
//! Plainsight finds (networks ranked for review), with extraction and linking error measured
//! against the corpus's ground truth.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use plainsight_core::IdentifierKind;
use plainsight_corpus::CorpusConfig;
use plainsight_store::Store;

use super::{Context, ExtractArgs};
use crate::pipeline::{self, Input, Progress};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The demo corpus is synthetic: no real ads or people. Its workspace is \
plainsight-data/demo/demo.db unless --db says otherwise; running the demo again adds nothing.

Example:
  plainsight demo --ads 20000 --seed 7
  plainsight demo --no-serve            # report only, no web application"
)]
pub struct Args {
    /// Number of ads to generate.
    #[arg(long, default_value_t = 5_000)]
    pub ads: usize,
    /// Seed of the corpus: the same seed gives the same ads on every machine.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Folder for the generated corpus and the demo workspace.
    #[arg(long, default_value = "plainsight-data/demo", value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub extract: ExtractArgs,
    #[command(flatten)]
    pub serve: super::serve::ServeArgs,
    /// Build and analyse the demo workspace, print what was found, and stop (do not serve).
    #[arg(long)]
    pub no_serve: bool,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let ads_path = args.dir.join("ads.jsonl");
    let truth_path = args.dir.join("truth.jsonl");
    let cfg = CorpusConfig {
        ads: args.ads,
        seed: args.seed,
        ..CorpusConfig::default()
    };
    eprintln!(
        "Generating {} synthetic ads (seed {}) into {} ...",
        args.ads,
        args.seed,
        ads_path.display()
    );
    {
        let mut ads = BufWriter::new(File::create(&ads_path)?);
        let mut truth = BufWriter::new(File::create(&truth_path)?);
        plainsight_corpus::write_jsonl(&cfg, &mut ads, Some(&mut truth), |_| {})?;
    }

    let db_ctx = Context {
        db: Some(
            ctx.db
                .clone()
                .unwrap_or_else(|| format!("sqlite://{}", args.dir.join("demo.db").display())),
        ),
        quiet: ctx.quiet,
        key_file: ctx.key_file.clone(),
        audit_syslog: ctx.audit_syslog.clone(),
    };
    eprintln!(
        "Ingesting into {} ...",
        plainsight_store::redact_url(db_ctx.db_url())
    );
    let extractor = Arc::new(args.extract.extractor()?);
    let store = Arc::new(db_ctx.open_store().await?);
    let inputs = vec![Input::Path(ads_path.clone())];
    let progress = Progress::new(ctx.show_progress(), pipeline::total_size(&inputs), "ingest");
    let report = pipeline::ingest(
        store.clone(),
        extractor.clone(),
        inputs,
        plainsight_ingest::ReadOptions::default(),
        super::ingest::default_quarantine_path(),
        progress,
    )
    .await?;
    eprintln!("{}", super::ingest::summary(&report));

    let summary = store.summary().await?;
    println!();
    println!("Plainsight demo workspace (synthetic data)");
    println!("==========================================");
    println!("ads stored:                {}", summary.ads);
    println!(
        "ads with a phone number:   {} ({} of them with the number disguised)",
        summary.ads_with_phone, summary.ads_with_obscured_phone
    );
    println!("distinct phone numbers:    {}", summary.distinct_phones);
    println!("distinct emails:           {}", summary.distinct_emails);
    println!("distinct social handles:   {}", summary.distinct_handles);
    println!();
    println!("Phone numbers in the most ads (shared numbers are leads, not verdicts):");
    for c in store.top_identifiers(IdentifierKind::Phone, 5).await? {
        println!("  {:<14} {:>5} ads", c.value, c.ads);
    }
    println!();
    println!("Indicators (ads with at least one hit):");
    let definitions = extractor.indicator_definitions();
    for (code, n) in &summary.indicator_hits {
        let note = definitions
            .iter()
            .find(|d| &d.code == code)
            .map(|d| {
                if d.raises_priority {
                    format!("weight {:+.2}", d.weight)
                } else {
                    "shown, never raises priority".to_string()
                }
            })
            .unwrap_or_default();
        println!("  {code:<28} {n:>6}  {note}");
    }
    if !summary.places.is_empty() {
        println!();
        println!("Places named most often:");
        for (place, n) in &summary.places {
            println!("  {place:<28} {n:>6}");
        }
    }

    eprintln!("Analysing networks ...");
    let weights = super::analyze::active_weights(&store).await?;
    let done = super::analyze::analyze_and_save(
        &store,
        &super::analyze::default_link_config()?,
        &weights,
        super::analyze::READ_BATCH,
        ctx.show_progress(),
    )
    .await?;
    println!();
    super::analyze::print_summary(&done.analysis, &weights, done.seconds);
    // The stored records, as an analyst would read them.
    let networks = plainsight_store::NetworkStore::networks(
        store.as_ref(),
        &plainsight_store::NetworkFilter::default(),
    )
    .await?;
    let linking = linking_quality(&networks, &truth_path)?;
    println!(
        "\nNetwork linking measured against the corpus truth (pairs of ads): precision {:.4}, \
         recall {:.4}, F1 {:.4}",
        linking.precision, linking.recall, linking.f1
    );

    let quality = phone_quality(&ads_path, &truth_path, &extractor)?;
    println!();
    println!(
        "Phone extraction measured against the corpus truth: precision {:.4}, recall {:.4} \
         ({} numbers expected, {} found, {} correct)",
        quality.precision(),
        quality.recall(),
        quality.expected,
        quality.found,
        quality.correct
    );
    println!();
    println!(
        "Try: plainsight --db {} networks\n     plainsight --db {} extract --format table {} | head -40",
        db_ctx.db_url(),
        db_ctx.db_url(),
        ads_path.display()
    );
    if args.no_serve {
        store.close().await;
        return Ok(super::ingest::exit_code(&report));
    }
    let password = demo_admin(&store).await?;
    let scheme = if args.serve.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    println!();
    println!("Demo web application: {scheme}://{}", args.serve.bind);
    println!("  user name: {DEMO_ADMIN}");
    println!("  one-time password: {password}");
    println!(
        "  At first sign-in you choose your own password and set up an authenticator app \
         (TOTP), as every account must."
    );
    let config = plainsight_web::WebConfig {
        demo: true,
        ..plainsight_web::WebConfig::default()
    };
    super::serve::serve(store, config, &args.serve).await?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's administrator account.
const DEMO_ADMIN: &str = "admin";

/// Create the demo administrator, or give it a new one-time password when the demo runs again
/// (the previous one was shown once and is gone); returns the password.
async fn demo_admin(store: &plainsight_store::SqliteStore) -> anyhow::Result<String> {
    use plainsight_store::AccessStore;
    match store.user_by_name(DEMO_ADMIN).await? {
        None => {
            super::user::add_user(
                store,
                DEMO_ADMIN,
                plainsight_access::Role::Administrator,
                Some("Demo administrator"),
                "default",
                "",
            )
            .await
        }
        Some(user) => {
            let password = plainsight_access::one_time_password();
            let event = |detail: &str| plainsight_store::AuditEvent {
                actor: Some(super::operator()),
                source: Some("command line".into()),
                action: "change_user".into(),
                object: Some(format!("user:{}", user.user_id)),
                outcome: plainsight_access::audit::Outcome::Success,
                detail: Some(detail.into()),
            };
            store
                .change_password(
                    user.user_id,
                    &plainsight_access::hash_password(&password)?,
                    true,
                    None,
                    None,
                    &event("reset_password (demo)"),
                )
                .await?;
            store
                .set_user_status(user.user_id, "active", None, &event("unlock (demo)"))
                .await?;
            Ok(password)
        }
    }
}

/// Pairwise precision and recall of network membership against the truth file's network ids.
pub fn linking_quality(
    networks: &[plainsight_core::NetworkRecord],
    truth: &std::path::Path,
) -> anyhow::Result<plainsight_network::PairScores> {
    use std::io::BufRead;
    let mut real_of: std::collections::HashMap<String, String> = Default::default();
    for line in std::io::BufReader::new(File::open(truth)?).lines() {
        let t: plainsight_corpus::Truth = serde_json::from_str(&line?)?;
        real_of.insert(t.ad_id, t.network_id);
    }
    let (mut predicted, mut real) = (Vec::new(), Vec::new());
    for n in networks {
        for ad in &n.ads {
            if let Some(t) = real_of.get(ad) {
                predicted.push(n.network_id);
                real.push(t.as_str());
            }
        }
    }
    Ok(plainsight_network::pairwise(&predicted, &real))
}

/// Counts for precision and recall of distinct phone numbers per ad.
#[derive(Debug, Default)]
pub struct PhoneQuality {
    pub expected: u64,
    pub found: u64,
    pub correct: u64,
}

impl PhoneQuality {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.found)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.expected)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Compare the distinct phones extracted from each ad with the phones its truth line lists.
pub fn phone_quality(
    ads: &std::path::Path,
    truth: &std::path::Path,
    extractor: &plainsight_text::extract::Extractor,
) -> anyhow::Result<PhoneQuality> {
    use std::io::BufRead;
    let mut q = PhoneQuality::default();
    let ads = std::io::BufReader::new(File::open(ads)?);
    let truth = std::io::BufReader::new(File::open(truth)?);
    for (ad_line, truth_line) in ads.lines().zip(truth.lines()) {
        let ad = plainsight_core::Ad::from_json(serde_json::from_str(&ad_line?)?)?;
        let t: plainsight_corpus::Truth = serde_json::from_str(&truth_line?)?;
        let expected: BTreeSet<String> = t.phones.iter().cloned().collect();
        let found: BTreeSet<String> = extractor
            .extract(&ad)
            .phones
            .into_iter()
            .map(|p| p.e164)
            .collect();
        q.expected += expected.len() as u64;
        q.found += found.len() as u64;
        q.correct += expected.intersection(&found).count() as u64;
    }
    Ok(q)
}
