//! The questions the law data answers: what applied on a date to a conduct with its facts
//! (`Library::check`), and what changed since a date (`Library::changes`). Answers carry the
//! citation, the date range, the sources and a conservative `verified` flag (true only when
//! every part shown was verified), and say in words what is not verified.

use serde::Serialize;

use crate::model::{
    AtDate, ClassValue, Conduct, Coverage, Date, DatePrecision, Fact, Facts, Jurisdiction,
    NibrsCode, Offence, Period, Protection, ProtectionKind, Source,
};
use crate::render::long_date;
use crate::{LawError, Library, NOTICE};

/// What applied on `date` to `conduct` with `facts`, in `jurisdiction` (and the jurisdictions
/// it includes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question<'a> {
    pub jurisdiction: &'a str,
    /// The day of the conduct.
    pub date: Date,
    pub conduct: Conduct,
    pub facts: Facts,
}

/// The answer to a [`Question`]. Serialises to the documented JSON of `plainsight law check`
/// (`docs/law.md`); the fields marked `skip` are for renderers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub jurisdiction: String,
    pub date: Date,
    pub conduct: Conduct,
    pub statutes: Vec<StatuteAnswer>,
    pub protections: Vec<ProtectionAnswer>,
    #[serde(skip)]
    pub facts: Facts,
    /// (code, name) of every jurisdiction consulted, the one asked first.
    #[serde(skip)]
    pub scope: Vec<(String, String)>,
    /// Definitions of the facts asked, from the jurisdictions consulted.
    #[serde(skip)]
    pub definitions: Vec<DefinitionAnswer>,
}

/// A statute that applied (or, when `in_force` is false, one our sources do not cover on that
/// date although it covers this conduct later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatuteAnswer {
    pub citation: String,
    pub title: String,
    pub class: String,
    /// First day of the period (included); `null` when our sources do not state it.
    pub effective_from: Option<Date>,
    /// First day the period no longer applied (excluded); `null` when no end is known.
    pub effective_to: Option<Date>,
    pub verified: bool,
    pub sources: Vec<Source>,
    pub nibrs_code: Option<String>,
    pub why: String,
    #[serde(skip)]
    pub jurisdiction: String,
    #[serde(skip)]
    pub in_force: bool,
}

/// A protection for the person, listed with the statutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectionAnswer {
    pub citation: String,
    pub title: String,
    pub text: String,
    pub verified: bool,
    pub sources: Vec<Source>,
    #[serde(skip)]
    pub jurisdiction: String,
}

/// A definition shown with an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionAnswer {
    pub citation: String,
    pub term: String,
    pub text: String,
    pub verified: bool,
    pub unverified: Option<String>,
}

/// One change in the briefing of `plainsight law changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeItem {
    pub date: Date,
    pub date_precision: DatePrecision,
    /// First day the change no longer applied (a later change replaced it), if any.
    pub until: Option<Date>,
    pub jurisdiction: String,
    /// "offence" or "protection".
    pub kind: &'static str,
    pub citation: String,
    pub title: String,
    /// What changed, to follow "Since 1 December 2019, ".
    pub change: String,
    /// The session law (and part) that made the change, when our sources name it.
    pub changed_by: Option<String>,
    /// The classes from that date (offences only).
    pub class: Option<String>,
    pub verified: bool,
    /// What is not verified, one statement per part.
    pub unverified: Vec<String>,
    /// Caveats of the entry and the period (such as what a verification rests on).
    pub notes: Vec<String>,
    pub nibrs_codes: Vec<NibrsCode>,
    pub sources: Vec<Source>,
}

/// A change our sources name without a date, or a session law they do not tie to a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndatedItem {
    pub jurisdiction: String,
    pub citation: String,
    pub title: String,
    pub text: String,
    pub verified: bool,
    pub unverified: Vec<String>,
    pub sources: Vec<Source>,
}

/// The printable briefing of what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Briefing {
    pub notice: &'static str,
    pub jurisdiction: String,
    pub name: String,
    /// (code, name) of every jurisdiction consulted, the one asked first.
    pub scope: Vec<(String, String)>,
    pub since: Option<Date>,
    /// Newest first.
    pub changes: Vec<ChangeItem>,
    pub undated: Vec<UndatedItem>,
}

/// A day on which an entry's law changed, for golden tests and chart marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Boundary {
    pub jurisdiction: String,
    pub citation: String,
    pub date: Date,
    pub date_precision: DatePrecision,
    pub nibrs_codes: Vec<NibrsCode>,
}

/// The class values chosen for some facts, and what to say about the choice.
struct ChosenClass {
    text: String,
    verified: bool,
    unverified: Vec<String>,
    explanation: Option<String>,
}

/// Picks the class values whose facts are all present, keeping the most specific (the most
/// facts); when several are equally specific, shows each with its facts.
fn choose_class(classes: &[ClassValue], facts: Facts, requirements: &[Fact]) -> ChosenClass {
    let fits: Vec<&ClassValue> = classes
        .iter()
        .filter(|c| c.when.iter().all(|f| facts.has(*f)))
        .collect();
    let Some(most) = fits.iter().map(|c| c.when.len()).max() else {
        return ChosenClass {
            text: "Not stated in our sources for these facts".into(),
            verified: false,
            unverified: vec!["no class is stated in our sources for these facts".into()],
            explanation: None,
        };
    };
    let chosen: Vec<&ClassValue> = fits.into_iter().filter(|c| c.when.len() == most).collect();
    let text = if chosen.len() == 1 {
        chosen[0].class.clone()
    } else {
        chosen
            .iter()
            .map(|c| format!("{} ({})", c.class, c.when_text()))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut sentences = Vec::new();
    if chosen.len() > 1 {
        sentences.push(
            "Our sources give a class for each of these facts but none for them together; each is shown."
                .to_string(),
        );
    } else if !chosen[0].when.is_empty() {
        sentences.push(format!("This is the class {}.", chosen[0].when_text()));
    }
    let used: Vec<Fact> = chosen.iter().flat_map(|c| c.when.iter().copied()).collect();
    let unused: Vec<&str> = facts
        .list()
        .into_iter()
        // Coercion is how the conduct was done, not who the person is; a class that does not
        // depend on it needs no remark.
        .filter(|f| *f != Fact::Coercion && !used.contains(f) && !requirements.contains(f))
        .map(|f| f.describe())
        .collect();
    if !unused.is_empty() {
        sentences.push(format!(
            "Our sources state no separate class when {}.",
            unused.join(" or when ")
        ));
    }
    ChosenClass {
        text,
        verified: chosen.iter().all(|c| c.verified),
        unverified: chosen.iter().filter_map(|c| c.unverified.clone()).collect(),
        explanation: if sentences.is_empty() {
            None
        } else {
            Some(sentences.join(" "))
        },
    }
}

/// "S.L. 2019-158 (House Bill 198) §1", from a period's session law and section.
fn changed_by(jur: &Jurisdiction, period: &Period) -> Option<String> {
    let id = period.session_law.as_ref()?;
    let name = jur
        .session_law(id)
        .map_or_else(|| id.clone(), |s| s.display());
    Some(match &period.section {
        Some(section) => format!("{name} {section}"),
        None => name,
    })
}

/// Appends sources not already listed.
fn add_sources(out: &mut Vec<Source>, more: &[Source]) {
    for s in more {
        // One address once, whatever its title says.
        let known = out
            .iter()
            .any(|o| o == s || (s.url.is_some() && o.url == s.url));
        if !known {
            out.push(s.clone());
        }
    }
}

/// The sources of an entry, its period and the period's session law.
fn sources_of(jur: &Jurisdiction, entry: &[Source], period: &Period) -> Vec<Source> {
    let mut out = Vec::new();
    add_sources(&mut out, entry);
    add_sources(&mut out, &period.sources);
    if let Some(sl) = period
        .session_law
        .as_ref()
        .and_then(|id| jur.session_law(id))
    {
        add_sources(&mut out, &sl.sources);
    }
    out
}

fn push_unique(out: &mut Vec<String>, text: &Option<String>) {
    if let Some(t) = text
        && !out.contains(t)
    {
        out.push(t.clone());
    }
}

/// "Not verified: a; b." or nothing.
fn unverified_sentence(parts: &[String]) -> Option<String> {
    if parts.is_empty() {
        None
    } else {
        Some(format!(
            "Not verified: {}.",
            parts.join("; ").trim_end_matches('.')
        ))
    }
}

/// "In force from 1 December 2019 (S.L. 2019-158 (House Bill 198) §1), with no end date in our
/// sources."
fn in_force_sentence(jur: &Jurisdiction, period: &Period) -> String {
    let by = changed_by(jur, period)
        .map(|b| format!(" under {b}"))
        .unwrap_or_default();
    let start = match (period.from, period.from_precision) {
        (Some(from), DatePrecision::Day) => format!("In force from {}{by}", long_date(from)),
        (Some(from), DatePrecision::Year) => {
            use chrono::Datelike;
            format!(
                "In force from a day in {} that our sources do not state{by}",
                from.year()
            )
        }
        (None, _) => format!("In force{by}; our sources do not state since when"),
    };
    let end = match period.to {
        Some(to) => format!(
            ", until {} (the last day before the next change)",
            long_date(to.pred_opt().unwrap_or(to))
        ),
        None => ", with no end date in our sources".to_string(),
    };
    format!("{start}{end}.")
}

/// " Listed because the person is a minor (under 18)." for the facts that met a coverage's
/// requirement, or "".
fn facts_phrase(requires: &[Fact], facts: Facts) -> String {
    let present: Vec<&str> = requires
        .iter()
        .filter(|f| facts.has(**f))
        .map(|f| f.describe())
        .collect();
    if present.is_empty() {
        String::new()
    } else {
        format!(" Listed because {}.", present.join(" and "))
    }
}

impl Library {
    /// What applied on the question's date to its conduct and facts.
    pub fn check(&self, q: &Question<'_>) -> Result<Answer, LawError> {
        let scope = self.scope(q.jurisdiction)?;
        let mut statutes = Vec::new();
        let mut protections = Vec::new();
        let mut definitions = Vec::new();
        for (i, jur) in scope.iter().enumerate() {
            let included = (i > 0).then(|| (jur.name.as_str(), scope[0].name.as_str()));
            for offence in &jur.offences {
                if let Some(s) = statute_answer(jur, included, offence, q) {
                    statutes.push(s);
                }
            }
            for protection in &jur.protections {
                if let Some(p) = protection_answer(jur, included, protection, q) {
                    protections.push(p);
                }
            }
            for d in &jur.definitions {
                if d.fact.is_some_and(|f| q.facts.has(f)) {
                    definitions.push(DefinitionAnswer {
                        citation: d.citation.clone(),
                        term: d.term.clone(),
                        text: d.text.clone(),
                        verified: d.verified,
                        unverified: d.unverified.clone(),
                    });
                }
            }
        }
        Ok(Answer {
            jurisdiction: scope[0].code.clone(),
            date: q.date,
            conduct: q.conduct,
            statutes,
            protections,
            facts: q.facts,
            scope: scope
                .iter()
                .map(|j| (j.code.clone(), j.name.clone()))
                .collect(),
            definitions,
        })
    }

    /// What changed in a jurisdiction (and those it includes) on or after `since` (all
    /// recorded changes when `None`), newest first, with the changes our sources do not date.
    pub fn changes(&self, jurisdiction: &str, since: Option<Date>) -> Result<Briefing, LawError> {
        use chrono::Datelike;
        let scope = self.scope(jurisdiction)?;
        let mut changes = Vec::new();
        let mut undated = Vec::new();
        for jur in &scope {
            let entries = jur
                .offences
                .iter()
                .map(Entry::Offence)
                .chain(jur.protections.iter().map(Entry::Protection));
            for entry in entries {
                for period in entry.periods() {
                    match period.from {
                        Some(from) => {
                            // A change dated only by its year may fall on any day of it.
                            let last_possible = match period.from_precision {
                                DatePrecision::Day => from,
                                DatePrecision::Year => {
                                    Date::from_ymd_opt(from.year(), 12, 31).unwrap_or(from)
                                }
                            };
                            if since.is_some_and(|s| last_possible < s) {
                                continue;
                            }
                            changes.push(change_item(jur, &entry, period, from));
                        }
                        None if period.session_law.is_some() => {
                            undated.push(undated_period(jur, &entry, period));
                        }
                        None => {}
                    }
                }
            }
            for sl in &jur.session_laws {
                let used = jur
                    .offences
                    .iter()
                    .flat_map(|o| &o.periods)
                    .chain(jur.protections.iter().flat_map(|p| &p.periods))
                    .any(|p| p.session_law.as_deref() == Some(sl.id.as_str()));
                if !used {
                    let mut unverified = Vec::new();
                    push_unique(&mut unverified, &sl.unverified);
                    undated.push(UndatedItem {
                        jurisdiction: jur.code.clone(),
                        citation: sl.id.clone(),
                        title: sl.bill.clone().unwrap_or_else(|| sl.id.clone()),
                        text: format!(
                            "{} Which sections it changed, and from when, is not stated in our sources.",
                            sl.summary
                        ),
                        verified: sl.verified,
                        unverified,
                        sources: sl.sources.clone(),
                    });
                }
            }
        }
        // Newest first; the sort is stable, so one day keeps the files' order.
        changes.sort_by_key(|c| std::cmp::Reverse(c.date));
        Ok(Briefing {
            notice: NOTICE,
            jurisdiction: scope[0].code.clone(),
            name: scope[0].name.clone(),
            scope: scope
                .iter()
                .map(|j| (j.code.clone(), j.name.clone()))
                .collect(),
            since,
            changes,
            undated,
        })
    }

    /// Every day on which some entry's law changed, in every jurisdiction, sorted and
    /// without repeats of the same (jurisdiction, citation, day).
    pub fn boundaries(&self) -> Vec<Boundary> {
        let mut out = Vec::new();
        for jur in &self.jurisdictions {
            let entries = jur
                .offences
                .iter()
                .map(|o| (o.citation.as_str(), o.nibrs.clone(), &o.periods))
                .chain(
                    jur.protections
                        .iter()
                        .map(|p| (p.citation.as_str(), Vec::new(), &p.periods)),
                );
            for (citation, nibrs, periods) in entries {
                for p in periods {
                    if let Some(from) = p.from {
                        out.push(Boundary {
                            jurisdiction: jur.code.clone(),
                            citation: citation.to_string(),
                            date: from,
                            date_precision: p.from_precision,
                            nibrs_codes: nibrs.clone(),
                        });
                    }
                }
            }
        }
        out.sort_by(|a, b| {
            (a.date, &a.jurisdiction, &a.citation).cmp(&(b.date, &b.jurisdiction, &b.citation))
        });
        out.dedup();
        out
    }
}

/// An offence or a protection, for the code they share.
enum Entry<'a> {
    Offence(&'a Offence),
    Protection(&'a Protection),
}

impl Entry<'_> {
    fn periods(&self) -> &[Period] {
        match self {
            Entry::Offence(o) => &o.periods,
            Entry::Protection(p) => &p.periods,
        }
    }
    fn citation(&self) -> &str {
        match self {
            Entry::Offence(o) => &o.citation,
            Entry::Protection(p) => &p.citation,
        }
    }
    fn title(&self) -> &str {
        match self {
            Entry::Offence(o) => &o.title,
            Entry::Protection(p) => &p.title,
        }
    }
    fn sources(&self) -> &[Source] {
        match self {
            Entry::Offence(o) => &o.sources,
            Entry::Protection(p) => &p.sources,
        }
    }
    fn verified(&self) -> bool {
        match self {
            Entry::Offence(o) => o.verified,
            Entry::Protection(p) => p.verified,
        }
    }
    fn note(&self) -> &Option<String> {
        match self {
            Entry::Offence(o) => &o.note,
            Entry::Protection(p) => &p.note,
        }
    }
    fn unverified(&self) -> &Option<String> {
        match self {
            Entry::Offence(o) => &o.unverified,
            Entry::Protection(p) => &p.unverified,
        }
    }
}

/// "Class D felony; Class C felony when the person is a minor".
fn all_classes(period: &Period) -> String {
    period
        .class
        .iter()
        .map(|c| {
            let when = c.when_text();
            if when.is_empty() {
                c.class.clone()
            } else {
                format!("{when}: {}", c.class)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn change_item(jur: &Jurisdiction, entry: &Entry<'_>, period: &Period, from: Date) -> ChangeItem {
    let mut unverified = Vec::new();
    push_unique(&mut unverified, entry.unverified());
    push_unique(&mut unverified, &period.unverified);
    for c in &period.covers {
        push_unique(&mut unverified, &c.unverified);
    }
    for c in &period.class {
        push_unique(&mut unverified, &c.unverified);
    }
    let verified = entry.verified()
        && period.verified
        && period.covers.iter().all(|c| c.verified)
        && period.class.iter().all(|c| c.verified);
    let mut notes = Vec::new();
    push_note(&mut notes, &period.note);
    push_note(&mut notes, entry.note());
    let (kind, class, nibrs_codes) = match entry {
        Entry::Offence(o) => ("offence", Some(all_classes(period)), o.nibrs.clone()),
        Entry::Protection(_) => ("protection", None, Vec::new()),
    };
    ChangeItem {
        date: from,
        date_precision: period.from_precision,
        until: period.to,
        jurisdiction: jur.code.clone(),
        kind,
        citation: entry.citation().to_string(),
        title: entry.title().to_string(),
        change: period.change.clone().unwrap_or_default(),
        changed_by: changed_by(jur, period),
        class,
        verified,
        unverified,
        notes,
        nibrs_codes,
        sources: sources_of(jur, entry.sources(), period),
    }
}

fn undated_period(jur: &Jurisdiction, entry: &Entry<'_>, period: &Period) -> UndatedItem {
    let by = changed_by(jur, period).unwrap_or_default();
    let mut text = match &period.change {
        Some(change) => format!("{} ({by}).", change.trim_end_matches('.')),
        None => format!("Enacted or changed by {by}."),
    };
    text.push_str(" The date it took effect is not stated in our sources.");
    let mut unverified = Vec::new();
    push_unique(&mut unverified, entry.unverified());
    push_unique(&mut unverified, &period.unverified);
    UndatedItem {
        jurisdiction: jur.code.clone(),
        citation: entry.citation().to_string(),
        title: entry.title().to_string(),
        text,
        verified: entry.verified() && period.verified,
        unverified,
        sources: sources_of(jur, entry.sources(), period),
    }
}

/// The statute answer for one offence, or `None` when it does not apply.
fn statute_answer(
    jur: &Jurisdiction,
    included: Option<(&str, &str)>,
    offence: &Offence,
    q: &Question<'_>,
) -> Option<StatuteAnswer> {
    let lead = included
        .map(|(name, asked)| format!("{name}, which applies in {asked} as well. "))
        .unwrap_or_default();
    match offence.at(q.date) {
        AtDate::InForce(period) => {
            let cov = period
                .covers
                .iter()
                .find(|c| c.matches(q.conduct, q.facts))?;
            Some(in_force_answer(jur, &lead, offence, period, cov, q))
        }
        AtDate::NotYetInForce { .. } => None,
        AtDate::NotCovered { until } => {
            let first = offence.periods.first()?;
            let cov = first
                .covers
                .iter()
                .find(|c| c.matches(q.conduct, q.facts))?;
            let why = format!(
                "{lead}Our sources do not cover {} before {}: what applied to this conduct then is not stated. From that day it applies to conduct such as {}.{}",
                offence.citation,
                long_date(until),
                cov.text,
                facts_phrase(&cov.requires_any, q.facts),
            );
            Some(StatuteAnswer {
                citation: offence.citation.clone(),
                title: offence.title.clone(),
                class: "Not stated in our sources for this date".into(),
                effective_from: None,
                effective_to: Some(until),
                verified: false,
                sources: sources_of(jur, &offence.sources, first),
                nibrs_code: offence.nibrs_code(),
                why,
                jurisdiction: jur.code.clone(),
                in_force: false,
            })
        }
    }
}

fn in_force_answer(
    jur: &Jurisdiction,
    lead: &str,
    offence: &Offence,
    period: &Period,
    cov: &Coverage,
    q: &Question<'_>,
) -> StatuteAnswer {
    let chosen = choose_class(&period.class, q.facts, &cov.requires_any);
    let mut why = vec![format!(
        "{lead}Applies to conduct such as {}.{}",
        cov.text,
        facts_phrase(&cov.requires_any, q.facts)
    )];
    why.push(in_force_sentence(jur, period));
    if period.start_uncertain_on(q.date) {
        why.push(
            "The change took effect during this year on a day our sources do not state, so on the date asked it may not have applied yet."
                .into(),
        );
    }
    if let Some(e) = chosen.explanation {
        why.push(e);
    }
    push_note(&mut why, &cov.note);
    push_note(&mut why, &period.note);
    push_note(&mut why, &offence.note);
    let mut unverified = Vec::new();
    push_unique(&mut unverified, &offence.unverified);
    push_unique(&mut unverified, &period.unverified);
    push_unique(&mut unverified, &cov.unverified);
    for u in &chosen.unverified {
        push_unique(&mut unverified, &Some(u.clone()));
    }
    if let Some(s) = unverified_sentence(&unverified) {
        why.push(s);
    }
    StatuteAnswer {
        citation: offence.citation.clone(),
        title: offence.title.clone(),
        class: chosen.text,
        effective_from: period.from,
        effective_to: period.to,
        verified: offence.verified && period.verified && cov.verified && chosen.verified,
        sources: sources_of(jur, &offence.sources, period),
        nibrs_code: offence.nibrs_code(),
        why: why.join(" "),
        jurisdiction: jur.code.clone(),
        in_force: true,
    }
}

fn push_note(out: &mut Vec<String>, note: &Option<String>) {
    if let Some(n) = note
        && !out.contains(n)
    {
        out.push(n.clone());
    }
}

/// The protection answer for one protection, or `None` when it does not apply.
fn protection_answer(
    jur: &Jurisdiction,
    included: Option<(&str, &str)>,
    protection: &Protection,
    q: &Question<'_>,
) -> Option<ProtectionAnswer> {
    let period = match protection.kind {
        ProtectionKind::Immunity => match protection.at(q.date) {
            AtDate::InForce(p) => p,
            _ => return None,
        },
        // Relief is sought after the fact, under the law in force when it is sought.
        ProtectionKind::Relief => protection.periods.last()?,
    };
    let cov = period
        .covers
        .iter()
        .find(|c| c.matches(q.conduct, q.facts))?;
    let mut text = Vec::new();
    if let Some((name, asked)) = included {
        text.push(format!("{name}, which applies in {asked} as well."));
    }
    text.push(protection.text.clone());
    text.push(format!(
        "Applies to {}.{}",
        cov.text,
        facts_phrase(&cov.requires_any, q.facts)
    ));
    text.push(in_force_sentence(jur, period));
    if protection.kind == ProtectionKind::Relief
        && let Some(first) = protection.periods.first().and_then(|p| p.from)
        && q.date < first
    {
        text.push(format!(
            "Whether it reaches conduct before {} is not stated in our sources.",
            long_date(first)
        ));
    }
    push_note(&mut text, &cov.note);
    push_note(&mut text, &period.note);
    push_note(&mut text, &protection.note);
    let mut unverified = Vec::new();
    push_unique(&mut unverified, &protection.unverified);
    push_unique(&mut unverified, &period.unverified);
    push_unique(&mut unverified, &cov.unverified);
    if let Some(s) = unverified_sentence(&unverified) {
        text.push(s);
    }
    Some(ProtectionAnswer {
        citation: protection.citation.clone(),
        title: protection.title.clone(),
        text: text.join(" "),
        verified: protection.verified && period.verified && cov.verified,
        sources: sources_of(jur, &protection.sources, period),
        jurisdiction: jur.code.clone(),
    })
}
