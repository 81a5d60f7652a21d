//! Roles and what each may do, as one explicit table (least privilege: a role gets a
//! permission only when its work needs it; CJIS 5.5.2 / OWASP ASVS 4.1).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A user's role. Each user has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages users, settings and retention; can do everything.
    Administrator,
    /// Runs a unit of analysts: all casework, no system administration or audit.
    Supervisor,
    /// Works leads and cases: sees ads and personal identifiers, labels, exports.
    Analyst,
    /// Reviews who did what: the audit log and nothing else (separation of duties).
    Auditor,
    /// Sees aggregate statistics only, never a personal identifier.
    Viewer,
}

/// Something a request may need to be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Counts, maps and trends with no personal identifiers.
    ViewAggregates,
    /// Ranked leads (networks, phone numbers) with their identifiers.
    ViewLeads,
    /// Individual ads, their text and images.
    ViewAds,
    /// Free-text and identifier search.
    Search,
    /// Labelling ads and networks (feeds calibration).
    Label,
    /// Creating and editing cases and attaching leads to them.
    ManageCases,
    /// Exporting data out of the application.
    Export,
    /// Reading the audit log and verifying its hash chain.
    ViewAuditLog,
    /// Creating, disabling and changing the roles of users.
    ManageUsers,
    /// Changing application settings.
    ManageSettings,
    /// Running data-retention deletion.
    RunRetention,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Administrator,
        Role::Supervisor,
        Role::Analyst,
        Role::Auditor,
        Role::Viewer,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Supervisor => "supervisor",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Supervisor => "Supervisor",
            Role::Analyst => "Analyst",
            Role::Auditor => "Auditor",
            Role::Viewer => "Viewer",
        }
    }

    /// Whether this role has permission `p`. The whole policy is this one table: every
    /// (role, permission) pair is written out, with no wildcard arm, so adding a role or a
    /// permission does not compile until someone decides each new pair.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Administrator => match p {
                ViewAggregates | ViewLeads | ViewAds | Search | Label | ManageCases | Export
                | ViewAuditLog | ManageUsers | ManageSettings | RunRetention => true,
            },
            Role::Supervisor => match p {
                ViewAggregates | ViewLeads | ViewAds | Search | Label | ManageCases | Export => {
                    true
                }
                ViewAuditLog | ManageUsers | ManageSettings | RunRetention => false,
            },
            Role::Analyst => match p {
                ViewAggregates | ViewLeads | ViewAds | Search | Label | ManageCases | Export => {
                    true
                }
                ViewAuditLog | ManageUsers | ManageSettings | RunRetention => false,
            },
            // Auditors see who did what, not the data itself.
            Role::Auditor => match p {
                ViewAuditLog => true,
                ViewAggregates | ViewLeads | ViewAds | Search | Label | ManageCases | Export
                | ManageUsers | ManageSettings | RunRetention => false,
            },
            // Viewers never see a personal identifier.
            Role::Viewer => match p {
                ViewAggregates => true,
                ViewLeads | ViewAds | Search | Label | ManageCases | Export | ViewAuditLog
                | ManageUsers | ManageSettings | RunRetention => false,
            },
        }
    }
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::ViewAggregates,
        Permission::ViewLeads,
        Permission::ViewAds,
        Permission::Search,
        Permission::Label,
        Permission::ManageCases,
        Permission::Export,
        Permission::ViewAuditLog,
        Permission::ManageUsers,
        Permission::ManageSettings,
        Permission::RunRetention,
    ];

    /// The serialised name (snake case).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewAggregates => "view_aggregates",
            Permission::ViewLeads => "view_leads",
            Permission::ViewAds => "view_ads",
            Permission::Search => "search",
            Permission::Label => "label",
            Permission::ManageCases => "manage_cases",
            Permission::Export => "export",
            Permission::ViewAuditLog => "view_audit_log",
            Permission::ManageUsers => "manage_users",
            Permission::ManageSettings => "manage_settings",
            Permission::RunRetention => "run_retention",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}; the roles are administrator, supervisor, analyst, auditor and viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    /// Parses the stored name exactly (lowercase), as a database value or configuration entry
    /// should be spelled; a near miss is an error rather than a guess.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole permission matrix. Any change to [`Role::allows`] must change this table too,
    /// so a widened permission is a deliberate, reviewed edit.
    const EXPECTED: &str = "\
role             view_aggregates view_leads view_ads search label manage_cases export view_audit_log manage_users manage_settings run_retention
administrator    X X X X X X X X X X X
supervisor       X X X X X X X . . . .
analyst          X X X X X X X . . . .
auditor          . . . . . . . X . . .
viewer           X . . . . . . . . . .
";

    #[test]
    fn permission_matrix() {
        let mut table = format!("{:17}", "role");
        let names: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        table.push_str(&names.join(" "));
        table.push('\n');
        for role in Role::ALL {
            let cells: Vec<&str> = Permission::ALL
                .iter()
                .map(|&p| if role.allows(p) { "X" } else { "." })
                .collect();
            table.push_str(&format!("{:17}{}\n", role.as_str(), cells.join(" ")));
        }
        assert_eq!(table, EXPECTED, "\n{table}");
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
            assert_eq!(
                serde_json::from_str::<Role>(&format!("\"{role}\"")).unwrap(),
                role
            );
            assert_eq!(role.label().to_lowercase(), role.as_str());
        }
        for p in Permission::ALL {
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
    }

    #[test]
    fn unknown_role_lists_the_valid_names() {
        let err = "admin".parse::<Role>().unwrap_err();
        assert_eq!(err, UnknownRole("admin".into()));
        let message = err.to_string();
        for role in Role::ALL {
            assert!(message.contains(role.as_str()), "{message}");
        }
        assert!("Analyst".parse::<Role>().is_err());
    }
}
