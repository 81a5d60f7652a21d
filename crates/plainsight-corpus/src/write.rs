//! Writing a corpus as two JSON Lines streams: the ads (the `docs/ad-format.md` contract)
//! and the truth (`docs/corpus.md`), line N of one describing line N of the other.

use std::io::Write;

use crate::truth::AdKind;
use crate::{CorpusConfig, generate};

/// Why writing a corpus failed.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("could not write the {stream} output: {source}")]
    Write {
        stream: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("could not serialise ad {ad_id}: {source}")]
    Serialise {
        ad_id: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Counts of what was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub ads: usize,
    pub operator_ads: usize,
    pub independent_ads: usize,
    pub spam_ads: usize,
    /// Ads with at least one disguised phone.
    pub obscured_phone_ads: usize,
    /// Ads carrying a hub number.
    pub hub_ads: usize,
    /// Writers (networks and independents) that posted.
    pub writers: u64,
}

/// Generate `cfg` and write the ads (and, if given, the truth) as JSON Lines, calling
/// `progress` with the number of ads written so far every 10,000 ads and at the end.
pub fn write_jsonl<A: Write, T: Write>(
    cfg: &CorpusConfig,
    ads: &mut A,
    mut truth: Option<&mut T>,
    mut progress: impl FnMut(usize),
) -> Result<Summary, CorpusError> {
    let mut corpus = generate(cfg);
    let mut summary = Summary::default();
    let mut line = Vec::with_capacity(4096);
    for (ad, t) in corpus.by_ref() {
        line.clear();
        serde_json::to_writer(&mut line, &ad).map_err(|source| CorpusError::Serialise {
            ad_id: ad.id.clone(),
            source,
        })?;
        line.push(b'\n');
        ads.write_all(&line).map_err(|source| CorpusError::Write {
            stream: "ads",
            source,
        })?;
        if let Some(out) = truth.as_deref_mut() {
            line.clear();
            serde_json::to_writer(&mut line, &t).map_err(|source| CorpusError::Serialise {
                ad_id: ad.id.clone(),
                source,
            })?;
            line.push(b'\n');
            out.write_all(&line).map_err(|source| CorpusError::Write {
                stream: "truth",
                source,
            })?;
        }
        summary.ads += 1;
        match t.kind {
            AdKind::Operator => summary.operator_ads += 1,
            AdKind::Independent => summary.independent_ads += 1,
            AdKind::Spam => summary.spam_ads += 1,
        }
        if !t.phone_obfuscations.is_empty() {
            summary.obscured_phone_ads += 1;
        }
        if !t.hub_phones.is_empty() {
            summary.hub_ads += 1;
        }
        if summary.ads % 10_000 == 0 {
            progress(summary.ads);
        }
    }
    ads.flush().map_err(|source| CorpusError::Write {
        stream: "ads",
        source,
    })?;
    if let Some(out) = truth {
        out.flush().map_err(|source| CorpusError::Write {
            stream: "truth",
            source,
        })?;
    }
    progress(summary.ads);
    summary.writers = corpus.writers_started();
    Ok(summary)
}
