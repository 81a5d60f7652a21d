//! Exclusion lists: identifiers that must never link ads (hotlines, agency tip lines, site
//! support numbers). One `kind:value` per line, `#` starts a comment; phone numbers may be
//! written with spaces, brackets, dots and dashes, and ten digits are read as North American.

/// The bundled list: national hotlines printed in ads and by outreach groups.
pub const BUNDLED_EXCLUSIONS: &str = include_str!("../data/exclude.txt");

/// A line of an exclusion list that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExclusionError {
    #[error("{origin}, line {line}: expected kind:value, found {found:?}")]
    NotKindValue {
        origin: String,
        line: usize,
        found: String,
    },
    #[error("{origin}, line {line}: {value:?} is not a phone number in E.164 or ten digits")]
    BadPhone {
        origin: String,
        line: usize,
        value: String,
    },
    #[error(
        "{origin}, line {line}: unknown identifier kind {kind:?} (phone, email, handle, payment, image_sha256, image_phash)"
    )]
    UnknownKind {
        origin: String,
        line: usize,
        kind: String,
    },
}

/// The (kind, value) pairs of a list, normalised as identifiers are stored. `origin` names
/// the list in errors (a file name).
pub fn parse_exclusions(text: &str, origin: &str) -> Result<Vec<(String, String)>, ExclusionError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((kind, value)) = line.split_once(':') else {
            return Err(ExclusionError::NotKindValue {
                origin: origin.to_string(),
                line: line_no,
                found: line.to_string(),
            });
        };
        let kind = kind.trim().to_ascii_lowercase();
        let value = value.trim();
        let value = match kind.as_str() {
            "phone" => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                match (value.starts_with('+'), digits.len()) {
                    (true, 7..=15) => format!("+{digits}"),
                    (false, 10) => format!("+1{digits}"),
                    (false, 11) if digits.starts_with('1') => format!("+{digits}"),
                    _ => {
                        return Err(ExclusionError::BadPhone {
                            origin: origin.to_string(),
                            line: line_no,
                            value: value.to_string(),
                        });
                    }
                }
            }
            "email" | "handle" | "payment" | "image_sha256" | "image_phash" => value.to_lowercase(),
            other => {
                return Err(ExclusionError::UnknownKind {
                    origin: origin.to_string(),
                    line: line_no,
                    kind: other.to_string(),
                });
            }
        };
        out.push((kind, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_exclusions_parse() {
        let list = parse_exclusions(BUNDLED_EXCLUSIONS, "bundled").unwrap();
        assert!(list.contains(&("phone".to_string(), "+18883737888".to_string())));
    }

    #[test]
    fn lines_are_normalised_and_errors_name_the_line() {
        let list = parse_exclusions(
            "# tip lines\nphone: (919) 555-0100\nphone:+44 20 7946 0000\nEMAIL: Help@Site.example\n",
            "x",
        )
        .unwrap();
        assert_eq!(
            list,
            vec![
                ("phone".into(), "+19195550100".into()),
                ("phone".into(), "+442079460000".into()),
                ("email".into(), "help@site.example".into()),
            ]
        );
        let err = parse_exclusions("phone:+18883737888\nbogus\n", "list.txt").unwrap_err();
        assert!(err.to_string().contains("list.txt, line 2"), "{err}");
        let err = parse_exclusions("phone:+1", "list.txt").unwrap_err();
        assert!(
            matches!(err, ExclusionError::BadPhone { line: 1, .. }),
            "{err}"
        );
        let err = parse_exclusions("fax:123", "list.txt").unwrap_err();
        assert!(err.to_string().contains("unknown identifier kind"), "{err}");
    }
}
