//! Server-side bounds on what a request may carry: one table of the longest value of every
//! form and query field the application reads, and the largest request body. The HTML forms'
//! `maxlength` attributes come from the same table, but only these checks count: a request
//! does not have to come from the forms.

use crate::WebError;

/// Bytes a request body may hold. The largest form is a case note of 8,000 characters, which
/// percent-encoded UTF-8 can make 12 bytes each (96,000 bytes); anything bigger is refused
/// before it is read (413).
pub const BODY_LIMIT_BYTES: usize = 128 * 1024;

/// The longest value, in characters, of every field a form or a query sends.
pub const FIELD_LIMITS: &[(&str, usize)] = &[
    // Signing in and passwords. Argon2 hashes any length in the same time, but no one types
    // a passphrase of more than a thousand characters.
    ("username", 64),
    ("password", 1_024),
    ("current", 1_024),
    ("new", 1_024),
    ("code", 16),
    ("csrf", 128),
    // Administration.
    ("display_name", 200),
    ("role", 32),
    ("team", 100),
    ("area", 2),
    ("action", 64),
    ("retention_days", 5),
    ("banner", 2_000),
    // Review and case folders.
    ("label", 32),
    ("note", 4_000),
    ("title", 200),
    ("text", 8_000),
    ("case_id", 20),
    ("kind", 16),
    ("item", 20),
    ("status", 32),
    ("agency_case_number", 64),
    ("assignee", 64),
    // Queries: lead queue, search, audit log.
    ("place", 200),
    ("since", 10),
    ("until", 10),
    ("indicator", 100),
    ("page", 20),
    ("q", 500),
    ("site", 200),
    ("sort", 16),
    ("dir", 4),
    ("saved", 20),
    ("network", 20),
    ("actor", 64),
    ("object", 100),
    ("before", 20),
];

/// The longest value of a field not in [`FIELD_LIMITS`] (no page sends one; a request that
/// does is not made bigger by it than this).
pub const OTHER_FIELD_MAX: usize = 64;

/// The longest value allowed for a field.
pub fn max_chars(field: &str) -> usize {
    FIELD_LIMITS
        .iter()
        .find(|(name, _)| *name == field)
        .map_or(OTHER_FIELD_MAX, |(_, max)| *max)
}

/// Refuse a request with a field longer than its limit, naming the field and the limit.
pub fn check_fields<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), WebError> {
    for (field, value) in fields {
        let max = max_chars(field);
        // Counting stops past the limit: a long value costs no more than a short one.
        if value.chars().take(max + 1).count() > max {
            return Err(WebError::BadRequest(format!(
                "the field {field} is longer than its limit of {max} characters",
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_bounded_by_the_table_in_characters() {
        assert!(check_fields([("title", "é".repeat(200).as_str())]).is_ok());
        let err = check_fields([("title", "é".repeat(201).as_str())]).unwrap_err();
        assert!(err.to_string().contains("title") && err.to_string().contains("200"));
        assert!(check_fields([("unlisted", "x".repeat(65).as_str())]).is_err());
        let names: std::collections::BTreeSet<_> = FIELD_LIMITS.iter().map(|f| f.0).collect();
        assert_eq!(names.len(), FIELD_LIMITS.len(), "one limit per field");
    }
}
