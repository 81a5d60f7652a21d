//! Collects row-level warnings without flooding: the first few of each kind per file are kept
//! with their line numbers, the rest are summarised with a count.

use std::collections::HashMap;

use crate::model::Warning;

/// How many warnings of one kind in one file are listed individually.
const LISTED_PER_KIND: u64 = 10;

#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    listed: Vec<Warning>,
    counts: HashMap<(String, &'static str), u64>,
    order: Vec<(String, &'static str)>,
}

impl Diagnostics {
    /// A warning about one row; `kind` groups similar warnings for the summary.
    pub(crate) fn row(&mut self, file: &str, line: u64, kind: &'static str, message: String) {
        let key = (file.to_string(), kind);
        let count = self.counts.entry(key.clone()).or_insert_with(|| {
            self.order.push(key);
            0
        });
        *count += 1;
        if *count <= LISTED_PER_KIND {
            self.listed.push(Warning::at(file, line, message));
        }
    }

    /// A warning not tied to a row.
    pub(crate) fn note(&mut self, warning: Warning) {
        self.listed.push(warning);
    }

    /// The warnings, with one summary line per kind that overflowed.
    pub(crate) fn finish(mut self) -> Vec<Warning> {
        for key in &self.order {
            let count = self.counts[key];
            if count > LISTED_PER_KIND {
                self.listed.push(Warning::in_file(
                    key.0.clone(),
                    format!(
                        "{} rows in all had this problem: {} (the first {LISTED_PER_KIND} are listed above)",
                        count, key.1
                    ),
                ));
            }
        }
        self.listed
    }
}
