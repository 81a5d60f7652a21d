//! Synthetic ad corpus with ground truth, for demos, tests and benchmarks.
//!
//! [`generate`] streams `(Ad, Truth)` pairs. It simulates operators (networks posting for
//! several personas with shared or rotating phone pools, reused templates and photos, and
//! circuits between cities), independents, and the noise that makes linking hard: generic
//! phrases, shared boilerplate, hub numbers printed in many unrelated ads, and spam floods.
//! Phones and e-mails are disguised the way real ads disguise them, and the truth records
//! exactly what was written and how. `docs/corpus.md` documents both output files.
//!
//! *Architecture invariant:* the same [`CorpusConfig`] gives the same corpus, byte for byte,
//! on every machine (ChaCha8 streams, integer sampling, no hash-map iteration), and memory
//! stays flat however many ads are asked for (a bounded window of active writers).
//!
//! ```
//! use plainsight_corpus::{CorpusConfig, generate};
//! let cfg = CorpusConfig { ads: 50, seed: 7, ..CorpusConfig::default() };
//! for (ad, truth) in generate(&cfg) {
//!     assert_eq!(ad.id, truth.ad_id);
//! }
//! ```

mod mojibake;
mod phone;
mod places;
mod rng;
mod truth;
mod vocab;
mod write;
mod writer;

use chrono::{DateTime, NaiveDate, Utc};
use plainsight_core::Ad;
use rand::Rng;

pub use mojibake::{mojibake, unmojibake};
pub use phone::{Nanp, Technique, reveal_digits};
pub use truth::{AdKind, MentionField, PhoneMention, Truth, TruthPrice};
pub use write::{CorpusError, Summary, write_jsonl};
pub use writer::spelled_age;

use phone::NumberPlan;
use places::TOLL_FREE;
use rng::{CorpusRng, derived_rng, pick_weighted};
use writer::{TagPlan, Writer, WriterContext};

/// What to generate. Every field has a sensible default; `ads` and `seed` are the ones
/// usually set.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusConfig {
    /// Number of ads to generate.
    pub ads: usize,
    /// Seed: the same seed gives the same corpus on every machine.
    pub seed: u64,
    /// First day of the posting period (UTC).
    pub start_date: NaiveDate,
    /// Length of the posting period in days.
    pub days: u32,
    /// Share of writers who are operators (the rest are independents). Operators post
    /// far more, so the default 0.10 gives roughly half the ads from operators.
    pub operator_fraction: f64,
    /// Chance that an ad starts a spam flood (the ad copied 10–150 times).
    pub flood_rate: f64,
    /// Chance that an ad carries a hub number (site support line and the like).
    pub hub_rate: f64,
    /// Chance that an ad's title and body are mojibake (double-encoded UTF-8).
    pub mojibake_rate: f64,
    /// Writers posting at the same time. `None` picks one per thousand ads (4 to 1,024),
    /// enough for busy operators to post most of their ads before the corpus ends. Larger
    /// windows interleave more writers; memory grows with the window, not with `ads`.
    pub active_writers: Option<usize>,
}

impl Default for CorpusConfig {
    fn default() -> CorpusConfig {
        CorpusConfig {
            ads: 1_000,
            seed: 1,
            start_date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            days: 180,
            operator_fraction: 0.10,
            flood_rate: 0.0008,
            hub_rate: 0.04,
            mojibake_rate: 0.03,
            active_writers: None,
        }
    }
}

impl CorpusConfig {
    pub(crate) fn start_datetime(&self) -> DateTime<Utc> {
        self.start_date.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    fn window(&self) -> usize {
        self.active_writers
            .unwrap_or(self.ads / 1_000)
            .clamp(4, 1_024)
    }
}

/// A number printed in many unrelated ads (a site's support line, a verification or
/// ad-posting service). It must never link ads; the truth lists it in `hub_phones`.
#[derive(Debug, Clone)]
pub struct Hub {
    pub number: Nanp,
    /// Footer line with a `{phone}` slot.
    pub footer: &'static str,
}

/// Fictional services behind hub numbers, most frequent first.
const HUB_FOOTERS: &[(&str, u32)] = &[
    ("Problems with this ad? Call site support {phone}", 45),
    ("Verified provider \u{2022} verification line {phone}", 25),
    ("Ad posted by QuickPost, to advertise call {phone}", 18),
    ("Report abuse or fake ads: {phone}", 12),
];

const STREAM_SCHEDULER: u64 = 0;
const STREAM_NUMBERS: u64 = 2;

/// A spam flood in progress: one ad re-posted many times.
#[derive(Debug)]
struct Flood {
    ad: Ad,
    truth: Truth,
    remaining: u32,
    /// Whether copies get a small varying suffix (bots that dodge exact-duplicate filters).
    varies: bool,
    copies: u32,
}

#[derive(Debug)]
enum Actor {
    Writer(Box<Writer>),
    Flood(Box<Flood>),
}

/// The streaming generator returned by [`generate`].
#[derive(Debug)]
pub struct Corpus {
    cfg: CorpusConfig,
    rng: CorpusRng,
    numbers: NumberPlan,
    tags: TagPlan,
    hubs: Vec<Hub>,
    active: Vec<Actor>,
    /// How many of `active` are writers (the rest are floods); kept as a count because
    /// scanning the window for every ad would cost O(window) per ad.
    writers_in_window: usize,
    next_writer: u64,
    emitted: usize,
}

/// Stream `cfg.ads` ads with their ground truth. Lazy: nothing is generated until
/// iterated, and `.take(n)` stops early.
pub fn generate(cfg: &CorpusConfig) -> Corpus {
    let mut setup = derived_rng(cfg.seed, STREAM_NUMBERS, 0);
    let numbers = NumberPlan::new(&mut setup);
    let tags = TagPlan::new(&mut setup);
    let hubs = HUB_FOOTERS
        .iter()
        .enumerate()
        .map(|(i, (footer, _))| Hub {
            number: numbers.number(TOLL_FREE[i % TOLL_FREE.len()], i as u64),
            footer,
        })
        .collect();
    Corpus {
        cfg: cfg.clone(),
        rng: derived_rng(cfg.seed, STREAM_SCHEDULER, 0),
        numbers,
        tags,
        hubs,
        active: Vec::new(),
        writers_in_window: 0,
        next_writer: 0,
        emitted: 0,
    }
}

impl Corpus {
    /// The hub numbers this corpus uses (the same for every ad).
    pub fn hubs(&self) -> &[Hub] {
        &self.hubs
    }

    fn new_writer(&mut self) -> Actor {
        let ctx = WriterContext {
            cfg: &self.cfg,
            numbers: &self.numbers,
            tags: &self.tags,
        };
        let writer = Writer::plan(&ctx, self.next_writer);
        self.next_writer += 1;
        Actor::Writer(Box::new(writer))
    }

    /// How many writers (operators and independents) have entered the corpus so far.
    pub fn writers_started(&self) -> u64 {
        self.next_writer
    }
}

impl Iterator for Corpus {
    type Item = (Ad, Truth);

    fn next(&mut self) -> Option<(Ad, Truth)> {
        if self.emitted >= self.cfg.ads {
            return None;
        }
        let window = self.cfg.window();
        while self.writers_in_window < window {
            let actor = self.new_writer();
            self.active.push(actor);
            self.writers_in_window += 1;
        }
        let ad_id = format!("ad-{:08}", self.emitted + 1);
        self.emitted += 1;
        let slot = self.rng.random_range(0..self.active.len());
        let hub = self
            .rng
            .random_bool(self.cfg.hub_rate.clamp(0.0, 1.0))
            .then(|| {
                let weights: Vec<u32> = HUB_FOOTERS.iter().map(|h| h.1).collect();
                pick_weighted(&mut self.rng, &weights)
            });
        let start_flood = self.rng.random_bool(self.cfg.flood_rate.clamp(0.0, 1.0));

        match &mut self.active[slot] {
            Actor::Writer(writer) => {
                let (ad, truth) = writer.next_ad(ad_id, hub.map(|h| &self.hubs[h]), &self.cfg);
                if writer.remaining() == 0 {
                    self.active[slot] = self.new_writer();
                }
                // Few floods run at once, so the window stays bounded.
                let floods = self.active.len() - self.writers_in_window;
                if start_flood && floods < 8 {
                    let copies = rng::tiered(
                        &mut self.rng,
                        &[(60, 10, 40), (30, 41, 100), (10, 101, 150)],
                    );
                    let varies = self.rng.random_bool(0.3);
                    self.active.push(Actor::Flood(Box::new(Flood {
                        ad: ad.clone(),
                        truth: truth.clone(),
                        remaining: copies,
                        varies,
                        copies,
                    })));
                }
                Some((ad, truth))
            }
            Actor::Flood(flood) => {
                flood.remaining -= 1;
                let n = flood.copies - flood.remaining;
                let mut ad = flood.ad.clone();
                let mut truth = flood.truth.clone();
                let original_id = std::mem::replace(&mut ad.id, ad_id.clone());
                truth.ad_id = ad_id.clone();
                truth.kind = AdKind::Spam;
                // Copies land minutes apart; the URL carries the new id like any ad's.
                let minutes = i64::from(n) * self.rng.random_range(2..=30i64);
                ad.posted_at = ad.posted_at.map(|t| t + chrono::Duration::minutes(minutes));
                if let Some(url) = ad.url.as_mut()
                    && url.ends_with(&original_id)
                {
                    url.truncate(url.len() - original_id.len());
                    url.push_str(&ad_id);
                }
                truth.copy_of = Some(original_id);
                if flood.varies
                    && let Some(title) = ad.title.as_mut()
                {
                    title.push_str(&format!(" #{n}"));
                }
                if flood.remaining == 0 {
                    self.active.swap_remove(slot);
                }
                Some((ad, truth))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.cfg.ads - self.emitted;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Corpus {}
