//! The data model of a jurisdiction's law: offences and protections, each with date ranges
//! (periods) that say what conduct it covered, its class, the session law that changed it, its
//! sources and whether each part was verified against the text.
//!
//! Dates follow one rule everywhere: a period runs from `from` (included) to `to` (excluded).
//! `to` is the first day the period no longer applied, which is the `from` of the next period,
//! so consecutive periods meet without a gap or an overlap. A missing `from` means our sources
//! do not state since when the period applied; a missing `to` means no end is known to us.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar day (no time, no time zone): statutes take effect on days.
pub type Date = chrono::NaiveDate;

/// What a person did, as the commands ask about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conduct {
    /// Paying, offering or agreeing to pay for a sex act (the buyer's side).
    Buying,
    /// Selling a sex act (most often the person being exploited).
    Selling,
    /// Promoting the sale of others: pimping, advertising, arranging travel.
    Promoting,
    /// Recruiting, transporting, harbouring or obtaining a person for servitude.
    Trafficking,
    /// Holding a person in sexual or involuntary servitude.
    Servitude,
}

impl Conduct {
    /// Every conduct, in the order the commands list them.
    pub const ALL: [Conduct; 5] = [
        Conduct::Buying,
        Conduct::Selling,
        Conduct::Promoting,
        Conduct::Trafficking,
        Conduct::Servitude,
    ];

    /// The name used on the command line, in the data files and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Conduct::Buying => "buying",
            Conduct::Selling => "selling",
            Conduct::Promoting => "promoting",
            Conduct::Trafficking => "trafficking",
            Conduct::Servitude => "servitude",
        }
    }

    /// Parses the name used on the command line.
    pub fn parse(name: &str) -> Option<Conduct> {
        Conduct::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Conduct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fact about the conduct that changes which law applies or its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// The person sold, bought, promoted or trafficked is under 18.
    Minor,
    /// The person sold, bought, promoted or trafficked has a mental disability.
    MentalDisability,
    /// Force, fraud, coercion or deception (including debt bondage) is involved.
    Coercion,
}

impl Fact {
    /// Every fact, in the order they are shown.
    pub const ALL: [Fact; 3] = [Fact::Minor, Fact::MentalDisability, Fact::Coercion];

    /// The name used in the data files and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::Minor => "minor",
            Fact::MentalDisability => "mental_disability",
            Fact::Coercion => "coercion",
        }
    }

    /// Plain words for the fact, to follow "when".
    pub fn describe(self) -> &'static str {
        match self {
            Fact::Minor => "the person is a minor (under 18)",
            Fact::MentalDisability => "the person has a mental disability",
            Fact::Coercion => "force, fraud, coercion or deception is involved",
        }
    }

    /// A short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Fact::Minor => "minor",
            Fact::MentalDisability => "mental disability",
            Fact::Coercion => "force, fraud or coercion",
        }
    }
}

/// The facts given with a question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Facts {
    pub minor: bool,
    pub mental_disability: bool,
    pub coercion: bool,
}

impl Facts {
    /// Whether this fact is among them.
    pub fn has(self, fact: Fact) -> bool {
        match fact {
            Fact::Minor => self.minor,
            Fact::MentalDisability => self.mental_disability,
            Fact::Coercion => self.coercion,
        }
    }

    /// The facts that are set, in [`Fact::ALL`] order.
    pub fn list(self) -> Vec<Fact> {
        Fact::ALL.into_iter().filter(|f| self.has(*f)).collect()
    }

    /// Every combination of facts (8), for tests and benchmarks.
    pub fn all_combinations() -> [Facts; 8] {
        std::array::from_fn(|i| Facts {
            minor: i & 1 != 0,
            mental_disability: i & 2 != 0,
            coercion: i & 4 != 0,
        })
    }
}

/// The NIBRS offence category an offence is reported under (FBI UCR codes). This is
/// Plainsight's mapping from the statute's conduct to the category, not part of the statute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NibrsCode {
    /// 40A Prostitution.
    #[serde(rename = "40A")]
    Prostitution,
    /// 40B Assisting or Promoting Prostitution.
    #[serde(rename = "40B")]
    Promoting,
    /// 40C Purchasing Prostitution.
    #[serde(rename = "40C")]
    Purchasing,
    /// 64A Human Trafficking, Commercial Sex Acts.
    #[serde(rename = "64A")]
    TraffickingCommercialSex,
    /// 64B Human Trafficking, Involuntary Servitude.
    #[serde(rename = "64B")]
    TraffickingServitude,
}

impl NibrsCode {
    /// The UCR code (`40A`, ...).
    pub fn code(self) -> &'static str {
        match self {
            NibrsCode::Prostitution => "40A",
            NibrsCode::Promoting => "40B",
            NibrsCode::Purchasing => "40C",
            NibrsCode::TraffickingCommercialSex => "64A",
            NibrsCode::TraffickingServitude => "64B",
        }
    }
}

/// Where a statement can be checked: a title, and an address where one is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    /// `None` when our sources name a document without an address (a summary, an article).
    #[serde(default)]
    pub url: Option<String>,
}

/// How exactly a period's start is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    /// The day is stated.
    #[default]
    Day,
    /// Only the year is stated; `from` is then 1 January of that year, and conduct during that
    /// year may fall before the change.
    Year,
}

/// One kind of conduct a period covers, and the facts it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub conduct: Conduct,
    /// The coverage applies when any of these facts is given; always when empty.
    pub requires_any: Vec<Fact>,
    /// The conduct in plain words, to follow "conduct such as".
    pub text: String,
    pub verified: bool,
    /// What is not verified about this coverage (present exactly when `verified` is false).
    pub unverified: Option<String>,
    /// A caveat shown with every answer that uses this coverage.
    pub note: Option<String>,
}

impl Coverage {
    /// Whether this coverage applies to the conduct with these facts.
    pub fn matches(&self, conduct: Conduct, facts: Facts) -> bool {
        self.conduct == conduct
            && (self.requires_any.is_empty() || self.requires_any.iter().any(|f| facts.has(*f)))
    }
}

/// The class or penalty of an offence when the given facts are all present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassValue {
    /// The facts this value is for; empty for the value that applies when no other does.
    pub when: Vec<Fact>,
    /// The class or penalty, as our sources state it, or "Not stated in our sources".
    pub class: String,
    pub verified: bool,
    pub unverified: Option<String>,
}

impl ClassValue {
    /// "when the person is a minor and …", or "" for the value with no facts.
    pub fn when_text(&self) -> String {
        if self.when.is_empty() {
            String::new()
        } else {
            let parts: Vec<&str> = self.when.iter().map(|f| f.describe()).collect();
            format!("when {}", parts.join(" and "))
        }
    }
}

/// One date range of an offence or protection, and what held in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day (included); `None` when our sources do not state it.
    pub from: Option<Date>,
    pub from_precision: DatePrecision,
    /// First day it no longer applied (excluded); `None` when no end is known.
    pub to: Option<Date>,
    /// The section took effect with this period: before `from` it was not in force.
    pub creates: bool,
    /// Id of the session law (or other act) that began this period, in the file's
    /// `[[session_law]]` list.
    pub session_law: Option<String>,
    /// The part of the session law, e.g. "§1".
    pub section: Option<String>,
    /// What changed on `from`, in plain words, to follow "Since 1 December 2019, ".
    pub change: Option<String>,
    pub covers: Vec<Coverage>,
    /// Classes (offences only; empty for protections).
    pub class: Vec<ClassValue>,
    pub verified: bool,
    pub unverified: Option<String>,
    pub note: Option<String>,
    pub sources: Vec<Source>,
}

impl Period {
    /// Whether the day falls in this period.
    pub fn contains(&self, date: Date) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date < to)
    }

    /// Whether the day falls in a year whose change day our sources do not state, so the
    /// change may not have applied yet on that day.
    pub fn start_uncertain_on(&self, date: Date) -> bool {
        use chrono::Datelike;
        self.from_precision == DatePrecision::Year
            && self.from.is_some_and(|from| from.year() == date.year())
    }
}

/// What an offence's or protection's periods say about one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtDate<'a> {
    /// The period in force on that day.
    InForce(&'a Period),
    /// Before the section took effect (the first period `creates` it).
    NotYetInForce { from: Date },
    /// Before the first period our sources cover: what applied then is not stated.
    NotCovered { until: Date },
}

/// The state of a list of periods on a day. Periods are validated to be ordered and to meet
/// without gaps, so at most one contains the day, and only the first can start unstated and
/// only the last can be open-ended.
pub fn period_at(periods: &[Period], date: Date) -> AtDate<'_> {
    if let Some(p) = periods.iter().find(|p| p.contains(date)) {
        return AtDate::InForce(p);
    }
    match periods.first() {
        Some(first) if first.creates => AtDate::NotYetInForce {
            from: first.from.unwrap_or(date),
        },
        Some(first) => AtDate::NotCovered {
            until: first.from.unwrap_or(date),
        },
        // Validation forbids an entry with no period; treat it as saying nothing.
        None => AtDate::NotCovered { until: date },
    }
}

/// A criminal offence with its periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offence {
    /// "G.S. 14-43.13", "18 U.S.C. 1591".
    pub citation: String,
    pub title: String,
    /// The elements in plain language, as far as our sources state them.
    pub elements: String,
    pub nibrs: Vec<NibrsCode>,
    /// The citation, title and elements were read in the statute or session-law text.
    pub verified: bool,
    pub unverified: Option<String>,
    pub note: Option<String>,
    pub sources: Vec<Source>,
    pub periods: Vec<Period>,
}

impl Offence {
    /// What the offence's periods say about a day.
    pub fn at(&self, date: Date) -> AtDate<'_> {
        period_at(&self.periods, date)
    }

    /// The NIBRS codes as one string: "64A", "64A/64B", or `None`.
    pub fn nibrs_code(&self) -> Option<String> {
        if self.nibrs.is_empty() {
            None
        } else {
            let codes: Vec<&str> = self.nibrs.iter().map(|c| c.code()).collect();
            Some(codes.join("/"))
        }
    }
}

/// How a protection works, which decides which conduct dates it is listed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectionKind {
    /// Applies at the time of the conduct (immunity from prosecution, protective custody):
    /// listed when in force on the date asked.
    Immunity,
    /// Sought after the fact (expunction, vacatur): listed for conduct on any date, with the
    /// date it took effect.
    Relief,
}

/// A protection for the people the offences are committed against or through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protection {
    /// "G.S. 14-204(c)".
    pub citation: String,
    pub title: String,
    /// What it provides, in plain language.
    pub text: String,
    pub kind: ProtectionKind,
    pub verified: bool,
    pub unverified: Option<String>,
    pub note: Option<String>,
    pub sources: Vec<Source>,
    pub periods: Vec<Period>,
}

impl Protection {
    /// What the protection's periods say about a day.
    pub fn at(&self, date: Date) -> AtDate<'_> {
        period_at(&self.periods, date)
    }
}

/// A defined term, keyed by the term (paragraph numbers change; terms do not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    pub citation: String,
    pub term: String,
    /// The question fact this term gives meaning to, if any.
    pub fact: Option<Fact>,
    pub text: String,
    pub verified: bool,
    pub unverified: Option<String>,
    pub sources: Vec<Source>,
}

/// A session law (or other amending act) that periods refer to by `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionLaw {
    /// "S.L. 2019-158".
    pub id: String,
    /// "House Bill 198".
    pub bill: Option<String>,
    pub signed: Option<Date>,
    /// What it did, as far as our sources say.
    pub summary: String,
    pub verified: bool,
    pub unverified: Option<String>,
    pub sources: Vec<Source>,
}

impl SessionLaw {
    /// "S.L. 2019-158 (House Bill 198)".
    pub fn display(&self) -> String {
        match &self.bill {
            Some(bill) => format!("{} ({bill})", self.id),
            None => self.id.clone(),
        }
    }
}

/// One jurisdiction's law, from one data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jurisdiction {
    /// "NC", "US".
    pub code: String,
    pub name: String,
    /// Jurisdictions whose law also applies here and is listed with this one's ("US" for a
    /// state: federal law applies in every state).
    pub includes: Vec<String>,
    /// The data file it was read from.
    pub file: String,
    pub session_laws: Vec<SessionLaw>,
    pub definitions: Vec<Definition>,
    pub offences: Vec<Offence>,
    pub protections: Vec<Protection>,
}

impl Jurisdiction {
    /// The session law with this id.
    pub fn session_law(&self, id: &str) -> Option<&SessionLaw> {
        self.session_laws.iter().find(|s| s.id == id)
    }
}
