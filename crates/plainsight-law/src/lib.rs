//! The law that applied on a date: each jurisdiction's offences and protections, with the
//! conduct each covered and its class per effective-date range, the session law that changed
//! it, its sources and whether each part was verified against the statute or session-law text.
//!
//! Pure: the data files (`data/*.toml`, one per jurisdiction, reviewed like code) are compiled
//! in with `include_str!`; nothing here touches the file system or the network. The model
//! follows OpenFisca and PolicyEngine (a value per date with a reference per value); the file
//! format and the review rules are in `docs/law.md`.
//!
//! Everything this crate answers is a reference with citations for trained people to check,
//! never legal advice, and its wording never says that a person committed a crime: it says
//! which conduct a statute applies to.

mod load;
mod model;
mod query;
pub mod render;

use std::sync::OnceLock;

pub use load::{LawError, parse_jurisdiction};
pub use model::{
    AtDate, ClassValue, Conduct, Coverage, Date, DatePrecision, Definition, Fact, Facts,
    Jurisdiction, NibrsCode, Offence, Period, Protection, ProtectionKind, SessionLaw, Source,
    period_at,
};
pub use query::{
    Answer, Boundary, Briefing, ChangeItem, DefinitionAnswer, ProtectionAnswer, Question,
    StatuteAnswer, UndatedItem,
};

/// The one-line notice every answer carries.
pub const NOTICE: &str =
    "Plainsight law reference: what our sources say, with citations to check. Not legal advice.";

/// The bundled data files, as (file name, TOML text).
pub const BUNDLED_FILES: &[(&str, &str)] = &[
    ("nc.toml", include_str!("../data/nc.toml")),
    ("us.toml", include_str!("../data/us.toml")),
];

/// Every jurisdiction's law.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    jurisdictions: Vec<Jurisdiction>,
}

impl Library {
    /// The bundled data, read once per process.
    pub fn bundled() -> Result<&'static Library, LawError> {
        static BUNDLED: OnceLock<Result<Library, LawError>> = OnceLock::new();
        BUNDLED
            .get_or_init(|| Library::from_files(BUNDLED_FILES))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Reads data files given as (file name, TOML text), one jurisdiction each.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Library, LawError> {
        let mut jurisdictions: Vec<Jurisdiction> = Vec::with_capacity(files.len());
        for (name, text) in files {
            let jur = parse_jurisdiction(name, text)?;
            if let Some(other) = jurisdictions.iter().find(|j| j.code == jur.code) {
                return Err(LawError::DuplicateJurisdiction {
                    code: jur.code,
                    first: other.file.clone(),
                    second: jur.file,
                });
            }
            jurisdictions.push(jur);
        }
        for jur in &jurisdictions {
            for inc in &jur.includes {
                let known = jurisdictions.iter().find(|j| j.code == *inc);
                // One level only: an included jurisdiction's own inclusions are not followed,
                // so there are no cycles to chase.
                if known.is_none() {
                    return Err(LawError::UnknownInclude {
                        file: jur.file.clone(),
                        code: jur.code.clone(),
                        included: inc.clone(),
                    });
                }
            }
        }
        Ok(Library { jurisdictions })
    }

    /// Every jurisdiction, in file order.
    pub fn jurisdictions(&self) -> &[Jurisdiction] {
        &self.jurisdictions
    }

    /// The jurisdiction with this code (any case).
    pub fn jurisdiction(&self, code: &str) -> Result<&Jurisdiction, LawError> {
        let code = code.trim();
        self.jurisdictions
            .iter()
            .find(|j| j.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| LawError::UnknownJurisdiction {
                given: code.to_string(),
                known: self
                    .jurisdictions
                    .iter()
                    .map(|j| format!("{} ({})", j.code, j.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The jurisdiction asked for, then those it includes (a state, then federal law).
    pub fn scope(&self, code: &str) -> Result<Vec<&Jurisdiction>, LawError> {
        let first = self.jurisdiction(code)?;
        let mut out = vec![first];
        for inc in &first.includes {
            out.push(self.jurisdiction(inc)?);
        }
        Ok(out)
    }
}
