//! `plainsight user add|list|unlock|disable|enable|reset-password|reset-mfa`: account
//! administration from the command line, for scripted set-up. Every change is audited with the
//! operating-system user who made it.

use std::process::ExitCode;

use plainsight_access::audit::Outcome;
use plainsight_access::{Role, hash_password, one_time_password};
use plainsight_store::{AccessStore, AuditEvent, NewUser, SqliteStore, UserRecord};

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an account. Its one-time password is printed once; the user replaces it and
    /// enrols a second factor at first sign-in.
    #[command(
        after_help = "Example:\n  plainsight user add ana --role administrator --name \"Ana Ruiz\" --team vice"
    )]
    Add {
        username: String,
        /// administrator, supervisor, analyst, auditor or viewer.
        #[arg(long)]
        role: Role,
        /// Full name shown in the application (defaults to the user name).
        #[arg(long)]
        name: Option<String>,
        /// Team: case folders are shared within a team only.
        #[arg(long, default_value = "default")]
        team: String,
        /// State code the dashboard starts from (e.g. NC); empty for everywhere.
        #[arg(long, default_value = "")]
        area: String,
    },
    /// List accounts.
    List {
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Release an account locked after failed sign-ins.
    Unlock { username: String },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Set a new one-time password (printed once) and end the account's sessions.
    ResetPassword { username: String },
    /// Remove the account's second factor: it enrols again at next sign-in.
    ResetMfa { username: String },
}

/// The audit entry of a command-line change to an account, written with the change.
fn cli_event(action: &str, user_id: i64, detail: Option<&str>) -> AuditEvent {
    AuditEvent {
        actor: Some(super::operator()),
        source: Some("command line".into()),
        action: action.into(),
        object: Some(format!("user:{user_id}")),
        outcome: Outcome::Success,
        detail: detail.map(str::to_string),
    }
}

async fn find(store: &SqliteStore, username: &str) -> anyhow::Result<UserRecord> {
    store
        .user_by_name(username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user named {username} (see `plainsight user list`)"))
}

/// Create a user with a one-time password; returns the password.
pub async fn add_user(
    store: &SqliteStore,
    username: &str,
    role: Role,
    name: Option<&str>,
    team: &str,
    area: &str,
) -> anyhow::Result<String> {
    let valid = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        anyhow::bail!("a user name is 1-64 letters, digits, dots, dashes and underscores");
    }
    let area = area.trim().to_uppercase();
    if !(area.is_empty() || (area.len() == 2 && area.chars().all(|c| c.is_ascii_alphabetic()))) {
        anyhow::bail!("--area is a two-letter state code, or empty");
    }
    let password = one_time_password();
    store
        .create_user(
            &NewUser {
                username: username.to_string(),
                display_name: name.unwrap_or(username).to_string(),
                role: role.as_str().to_string(),
                team: team.to_string(),
                area,
                password_hash: hash_password(&password)?,
                must_change_password: true,
            },
            &|id| cli_event("create_user", *id, Some(role.as_str())),
        )
        .await?;
    Ok(password)
}

pub async fn run(ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    match command {
        Command::Add {
            username,
            role,
            name,
            team,
            area,
        } => {
            let password = add_user(&store, &username, role, name.as_deref(), &team, &area).await?;
            println!("Created {username} ({}) in team {team}.", role.label());
            println!("One-time password (shown once, changed at first sign-in): {password}");
        }
        Command::List { json } => {
            let users = store.users().await?;
            if json {
                for u in &users {
                    println!("{}", serde_json::to_string(u)?);
                }
            } else {
                println!(
                    "{:<20} {:<14} {:<12} {:<9} {:<6} LAST SIGN-IN",
                    "USER", "ROLE", "TEAM", "STATUS", "MFA"
                );
                for u in &users {
                    println!(
                        "{:<20} {:<14} {:<12} {:<9} {:<6} {}",
                        u.username,
                        u.role,
                        u.team,
                        u.status,
                        if u.mfa_enrolled() { "yes" } else { "no" },
                        u.last_login_at.as_deref().unwrap_or("never")
                    );
                }
            }
        }
        Command::Unlock { username } | Command::Enable { username } => {
            let user = find(&store, &username).await?;
            store
                .set_user_status(
                    user.user_id,
                    "active",
                    None,
                    &cli_event("change_user", user.user_id, Some("unlock")),
                )
                .await?;
            println!("{username} can sign in again.");
        }
        Command::Disable { username } => {
            let user = find(&store, &username).await?;
            store
                .set_user_status(
                    user.user_id,
                    "disabled",
                    Some("disabled from the command line"),
                    &cli_event("change_user", user.user_id, Some("disable")),
                )
                .await?;
            println!("{username} is disabled and signed out everywhere.");
        }
        Command::ResetPassword { username } => {
            let user = find(&store, &username).await?;
            let password = one_time_password();
            store
                .change_password(
                    user.user_id,
                    &hash_password(&password)?,
                    true,
                    None,
                    None,
                    &cli_event("change_user", user.user_id, Some("reset_password")),
                )
                .await?;
            println!("One-time password for {username} (shown once): {password}");
        }
        Command::ResetMfa { username } => {
            let user = find(&store, &username).await?;
            store
                .reset_totp(
                    user.user_id,
                    &cli_event("change_user", user.user_id, Some("reset_mfa")),
                )
                .await?;
            println!("{username} will set up a new second factor at next sign-in.");
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
