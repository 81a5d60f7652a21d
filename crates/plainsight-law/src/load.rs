//! Reading a jurisdiction's TOML data file into the model, with every rule that keeps the
//! answers honest checked on the way: dates ordered and meeting without gaps or overlaps,
//! a source on every entry and every period, a statement of what is unverified on every entry
//! that is not verified, known conduct, facts and NIBRS codes. Errors name the file, the line
//! and the entry.

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::model::{
    ClassValue, Coverage, DatePrecision, Definition, Fact, Jurisdiction, NibrsCode, Offence,
    Period, Protection, ProtectionKind, SessionLaw, Source,
};
use crate::{Conduct, Date};

/// Why law data could not be read or a question could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LawError {
    /// The file is not TOML of the expected shape (the message names line and column).
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    /// An entry breaks a rule of the data model.
    #[error("{file}:{line}: {entry}: `{field}` {reason}")]
    Invalid {
        file: String,
        line: usize,
        entry: String,
        field: String,
        reason: String,
    },
    /// Two files define the same jurisdiction.
    #[error("jurisdiction {code} is defined in both {first} and {second}")]
    DuplicateJurisdiction {
        code: String,
        first: String,
        second: String,
    },
    /// A jurisdiction includes one that no file defines.
    #[error("{file}: jurisdiction {code} includes {included}, which no data file defines")]
    UnknownInclude {
        file: String,
        code: String,
        included: String,
    },
    /// A question names a jurisdiction the library does not have.
    #[error("unknown jurisdiction {given:?}: the law data covers {known}")]
    UnknownJurisdiction { given: String, known: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    jurisdiction: Spanned<RawJurisdiction>,
    #[serde(default)]
    session_law: Vec<Spanned<RawSessionLaw>>,
    #[serde(default)]
    definition: Vec<Spanned<RawDefinition>>,
    #[serde(default)]
    offence: Vec<Spanned<RawOffence>>,
    #[serde(default)]
    protection: Vec<Spanned<RawProtection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJurisdiction {
    code: String,
    name: String,
    #[serde(default)]
    includes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSessionLaw {
    id: String,
    #[serde(default)]
    bill: Option<String>,
    #[serde(default)]
    signed: Option<Datetime>,
    summary: String,
    verified: bool,
    #[serde(default)]
    unverified: Option<String>,
    #[serde(default)]
    sources: Vec<Source>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    citation: String,
    term: String,
    #[serde(default)]
    fact: Option<Fact>,
    text: String,
    verified: bool,
    #[serde(default)]
    unverified: Option<String>,
    #[serde(default)]
    sources: Vec<Source>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffence {
    citation: String,
    title: String,
    elements: String,
    #[serde(default)]
    nibrs: Vec<NibrsCode>,
    verified: bool,
    #[serde(default)]
    unverified: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default)]
    period: Vec<Spanned<RawPeriod>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProtection {
    citation: String,
    title: String,
    text: String,
    kind: ProtectionKind,
    verified: bool,
    #[serde(default)]
    unverified: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default)]
    period: Vec<Spanned<RawPeriod>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    #[serde(default)]
    from: Option<Datetime>,
    #[serde(default)]
    from_precision: DatePrecision,
    #[serde(default)]
    to: Option<Datetime>,
    #[serde(default)]
    creates: bool,
    #[serde(default)]
    session_law: Option<String>,
    #[serde(default)]
    section: Option<String>,
    #[serde(default)]
    change: Option<String>,
    #[serde(default)]
    covers: Vec<RawCoverage>,
    #[serde(default)]
    class: Vec<RawClass>,
    verified: bool,
    #[serde(default)]
    unverified: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    sources: Vec<Source>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoverage {
    conduct: Conduct,
    #[serde(default)]
    requires_any: Vec<Fact>,
    text: String,
    #[serde(default = "default_true")]
    verified: bool,
    #[serde(default)]
    unverified: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    #[serde(default)]
    when: Vec<Fact>,
    class: String,
    verified: bool,
    #[serde(default)]
    unverified: Option<String>,
}

/// A coverage inherits its period's verification unless it says otherwise.
fn default_true() -> bool {
    true
}

/// Reports rule violations against one file, with line numbers from byte offsets.
struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn invalid(
        &self,
        offset: usize,
        entry: &str,
        field: &str,
        reason: impl Into<String>,
    ) -> LawError {
        LawError::Invalid {
            file: self.file.to_string(),
            line: self.line(offset),
            entry: entry.to_string(),
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    fn non_empty(
        &self,
        offset: usize,
        entry: &str,
        field: &str,
        value: &str,
    ) -> Result<(), LawError> {
        if value.trim().is_empty() {
            Err(self.invalid(offset, entry, field, "must not be empty"))
        } else {
            Ok(())
        }
    }

    /// `unverified` says what is not verified exactly when `verified` is false.
    fn verification(
        &self,
        offset: usize,
        entry: &str,
        verified: bool,
        unverified: &Option<String>,
    ) -> Result<(), LawError> {
        match (verified, unverified) {
            (false, None) => Err(self.invalid(
                offset,
                entry,
                "unverified",
                "must say what is not verified when `verified = false`",
            )),
            (false, Some(text)) if text.trim().is_empty() => Err(self.invalid(
                offset,
                entry,
                "unverified",
                "must say what is not verified when `verified = false`",
            )),
            (true, Some(_)) => Err(self.invalid(
                offset,
                entry,
                "unverified",
                "is only for entries with `verified = false` (use `note` for a caveat)",
            )),
            _ => Ok(()),
        }
    }

    fn sources(
        &self,
        offset: usize,
        entry: &str,
        sources: &[Source],
        required: bool,
    ) -> Result<(), LawError> {
        if required && sources.is_empty() {
            return Err(self.invalid(offset, entry, "sources", "must name at least one source"));
        }
        for source in sources {
            self.non_empty(offset, entry, "sources.title", &source.title)?;
            if let Some(url) = &source.url
                && !(url.starts_with("https://")
                    && url.len() > "https://".len()
                    && !url.contains(char::is_whitespace))
            {
                return Err(self.invalid(
                    offset,
                    entry,
                    "sources.url",
                    format!("must be an https:// address without spaces, got {url:?}"),
                ));
            }
        }
        Ok(())
    }

    fn date(
        &self,
        offset: usize,
        entry: &str,
        field: &str,
        value: &Datetime,
    ) -> Result<Date, LawError> {
        match (&value.date, &value.time, &value.offset) {
            (Some(d), None, None) => {
                Date::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| {
                        self.invalid(
                            offset,
                            entry,
                            field,
                            format!("is not a calendar day: {value}"),
                        )
                    })
            }
            _ => Err(self.invalid(
                offset,
                entry,
                field,
                format!("must be a day written YYYY-MM-DD, without a time, got {value}"),
            )),
        }
    }
}

/// What kind of entry a list of periods belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Offence,
    Protection,
}

/// Reads one jurisdiction's data file. `file` names it in errors.
pub fn parse_jurisdiction(file: &str, text: &str) -> Result<Jurisdiction, LawError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| LawError::Syntax {
        file: file.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let ck = Checker { file, text };

    let jur_offset = raw.jurisdiction.span().start;
    let rj = raw.jurisdiction.into_inner();
    let code = rj.code.trim().to_string();
    if code.len() < 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ck.invalid(
            jur_offset,
            "[jurisdiction]",
            "code",
            "must be two or more capital letters (\"NC\", \"US\")",
        ));
    }
    ck.non_empty(jur_offset, "[jurisdiction]", "name", &rj.name)?;
    for inc in &rj.includes {
        if *inc == code {
            return Err(ck.invalid(
                jur_offset,
                "[jurisdiction]",
                "includes",
                "must not include the jurisdiction itself",
            ));
        }
    }

    let mut session_laws: Vec<SessionLaw> = Vec::new();
    for s in raw.session_law {
        let offset = s.span().start;
        let s = s.into_inner();
        let entry = format!("session law {:?}", s.id);
        ck.non_empty(offset, &entry, "id", &s.id)?;
        if session_laws.iter().any(|o| o.id == s.id) {
            return Err(ck.invalid(offset, &entry, "id", "is defined twice"));
        }
        ck.non_empty(offset, &entry, "summary", &s.summary)?;
        ck.verification(offset, &entry, s.verified, &s.unverified)?;
        ck.sources(offset, &entry, &s.sources, true)?;
        let signed = match &s.signed {
            Some(d) => Some(ck.date(offset, &entry, "signed", d)?),
            None => None,
        };
        session_laws.push(SessionLaw {
            id: s.id,
            bill: s.bill,
            signed,
            summary: s.summary,
            verified: s.verified,
            unverified: s.unverified,
            sources: s.sources,
        });
    }

    let mut definitions: Vec<Definition> = Vec::new();
    for d in raw.definition {
        let offset = d.span().start;
        let d = d.into_inner();
        let entry = format!("definition of {:?} in {}", d.term, d.citation);
        ck.non_empty(offset, &entry, "citation", &d.citation)?;
        ck.non_empty(offset, &entry, "term", &d.term)?;
        ck.non_empty(offset, &entry, "text", &d.text)?;
        if definitions
            .iter()
            .any(|o| o.citation == d.citation && o.term == d.term)
        {
            return Err(ck.invalid(
                offset,
                &entry,
                "term",
                "is defined twice in the same citation",
            ));
        }
        ck.verification(offset, &entry, d.verified, &d.unverified)?;
        ck.sources(offset, &entry, &d.sources, true)?;
        definitions.push(Definition {
            citation: d.citation,
            term: d.term,
            fact: d.fact,
            text: d.text,
            verified: d.verified,
            unverified: d.unverified,
            sources: d.sources,
        });
    }

    let mut offences: Vec<Offence> = Vec::new();
    for o in raw.offence {
        let offset = o.span().start;
        let o = o.into_inner();
        let entry = o.citation.clone();
        ck.non_empty(offset, &entry, "citation", &o.citation)?;
        if offences.iter().any(|x| x.citation == o.citation) {
            return Err(ck.invalid(offset, &entry, "citation", "is defined twice"));
        }
        ck.non_empty(offset, &entry, "title", &o.title)?;
        ck.non_empty(offset, &entry, "elements", &o.elements)?;
        ck.verification(offset, &entry, o.verified, &o.unverified)?;
        ck.sources(offset, &entry, &o.sources, true)?;
        let mut nibrs = o.nibrs.clone();
        nibrs.sort();
        nibrs.dedup();
        if nibrs.len() != o.nibrs.len() {
            return Err(ck.invalid(offset, &entry, "nibrs", "lists a code twice"));
        }
        let periods = periods(&ck, offset, &entry, Owner::Offence, o.period, &session_laws)?;
        offences.push(Offence {
            citation: o.citation,
            title: o.title,
            elements: o.elements,
            nibrs: o.nibrs,
            verified: o.verified,
            unverified: o.unverified,
            note: o.note,
            sources: o.sources,
            periods,
        });
    }

    let mut protections: Vec<Protection> = Vec::new();
    for p in raw.protection {
        let offset = p.span().start;
        let p = p.into_inner();
        let entry = p.citation.clone();
        ck.non_empty(offset, &entry, "citation", &p.citation)?;
        if protections.iter().any(|x| x.citation == p.citation) {
            return Err(ck.invalid(offset, &entry, "citation", "is defined twice"));
        }
        ck.non_empty(offset, &entry, "title", &p.title)?;
        ck.non_empty(offset, &entry, "text", &p.text)?;
        ck.verification(offset, &entry, p.verified, &p.unverified)?;
        ck.sources(offset, &entry, &p.sources, true)?;
        let periods = periods(
            &ck,
            offset,
            &entry,
            Owner::Protection,
            p.period,
            &session_laws,
        )?;
        protections.push(Protection {
            citation: p.citation,
            title: p.title,
            text: p.text,
            kind: p.kind,
            verified: p.verified,
            unverified: p.unverified,
            note: p.note,
            sources: p.sources,
            periods,
        });
    }

    Ok(Jurisdiction {
        code,
        name: rj.name,
        includes: rj.includes,
        file: file.to_string(),
        session_laws,
        definitions,
        offences,
        protections,
    })
}

/// Validates an entry's periods: each one on its own, then the order and joins between them.
fn periods(
    ck: &Checker<'_>,
    entry_offset: usize,
    entry: &str,
    owner: Owner,
    raw: Vec<Spanned<RawPeriod>>,
    session_laws: &[SessionLaw],
) -> Result<Vec<Period>, LawError> {
    if raw.is_empty() {
        return Err(ck.invalid(
            entry_offset,
            entry,
            "period",
            "must have at least one `[[…period]]`",
        ));
    }
    let count = raw.len();
    let mut out: Vec<Period> = Vec::with_capacity(count);
    for (i, rp) in raw.into_iter().enumerate() {
        let offset = rp.span().start;
        let rp = rp.into_inner();
        let from = match &rp.from {
            Some(d) => Some(ck.date(offset, entry, "period.from", d)?),
            None => None,
        };
        let to = match &rp.to {
            Some(d) => Some(ck.date(offset, entry, "period.to", d)?),
            None => None,
        };
        let here = |field: &str, reason: &str| ck.invalid(offset, entry, field, reason);
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            return Err(here(
                "period.to",
                "must be after `from` (`to` is the first day the period no longer applied)",
            ));
        }
        if from.is_none() && i > 0 {
            return Err(here(
                "period.from",
                "may be left out only on the first period (a later one starts where the one before ends)",
            ));
        }
        if to.is_none() && i + 1 < count {
            return Err(here("period.to", "may be left out only on the last period"));
        }
        if to.is_some() && i + 1 == count {
            return Err(here(
                "period.to",
                "must be left out on the last period: a repealed section is not supported yet",
            ));
        }
        if let Some(prev) = out.last()
            && prev.to != from
        {
            return Err(here(
                "period.from",
                "must be the `to` of the period before: periods meet without a gap or an overlap",
            ));
        }
        if rp.creates && (i > 0 || from.is_none()) {
            return Err(here(
                "period.creates",
                "is only for the first period, and it needs a `from` date",
            ));
        }
        if rp.from_precision == DatePrecision::Year {
            use chrono::Datelike;
            match from {
                Some(f) if f.month() == 1 && f.day() == 1 => {}
                _ => {
                    return Err(here(
                        "period.from_precision",
                        "\"year\" needs `from` on 1 January of that year",
                    ));
                }
            }
        }
        if from.is_some() && rp.change.as_deref().is_none_or(|c| c.trim().is_empty()) {
            return Err(here(
                "period.change",
                "must say in plain words what changed on `from` (it is the briefing's text)",
            ));
        }
        if let Some(id) = &rp.session_law
            && !session_laws.iter().any(|s| s.id == *id)
        {
            return Err(ck.invalid(
                offset,
                entry,
                "period.session_law",
                format!("{id:?} is not in this file's [[session_law]] list"),
            ));
        }
        if rp.section.is_some() && rp.session_law.is_none() {
            return Err(here("period.section", "needs a `session_law`"));
        }
        ck.verification(offset, entry, rp.verified, &rp.unverified)?;
        ck.sources(offset, entry, &rp.sources, true)?;
        if rp.covers.is_empty() {
            return Err(here("period.covers", "must list at least one conduct"));
        }
        let mut covers: Vec<Coverage> = Vec::with_capacity(rp.covers.len());
        for c in rp.covers {
            let what = format!("{entry} ({})", c.conduct);
            if covers.iter().any(|o| o.conduct == c.conduct) {
                return Err(ck.invalid(
                    offset,
                    &what,
                    "period.covers.conduct",
                    "is listed twice in one period",
                ));
            }
            ck.non_empty(offset, &what, "period.covers.text", &c.text)?;
            ck.verification(offset, &what, c.verified, &c.unverified)?;
            covers.push(Coverage {
                conduct: c.conduct,
                requires_any: c.requires_any,
                text: c.text,
                verified: c.verified,
                unverified: c.unverified,
                note: c.note,
            });
        }
        let mut class: Vec<ClassValue> = Vec::with_capacity(rp.class.len());
        match owner {
            Owner::Offence if rp.class.is_empty() => {
                return Err(here(
                    "period.class",
                    "must give at least one class (write \"Not stated in our sources\" when none is known)",
                ));
            }
            Owner::Protection if !rp.class.is_empty() => {
                return Err(here("period.class", "is for offences, not protections"));
            }
            _ => {}
        }
        for c in rp.class {
            let mut when = c.when.clone();
            when.sort();
            when.dedup();
            if when.len() != c.when.len() {
                return Err(here("period.class.when", "lists a fact twice"));
            }
            if class.iter().any(|o| {
                let mut w = o.when.clone();
                w.sort();
                w == when
            }) {
                return Err(here(
                    "period.class.when",
                    "gives two classes for the same facts",
                ));
            }
            ck.non_empty(offset, entry, "period.class.class", &c.class)?;
            ck.verification(offset, entry, c.verified, &c.unverified)?;
            class.push(ClassValue {
                when: c.when,
                class: c.class,
                verified: c.verified,
                unverified: c.unverified,
            });
        }
        out.push(Period {
            from,
            from_precision: rp.from_precision,
            to,
            creates: rp.creates,
            session_law: rp.session_law,
            section: rp.section,
            change: rp.change,
            covers,
            class,
            verified: rp.verified,
            unverified: rp.unverified,
            note: rp.note,
            sources: rp.sources,
        });
    }
    Ok(out)
}
