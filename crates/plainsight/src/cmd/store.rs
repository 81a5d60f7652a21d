//! `plainsight store status|encrypt|rekey`: whether the workspace database is encrypted and
//! where its keys are, encrypting a workspace made without a key, and changing the key.
//! Each change is recorded in the audit log before it is made.

use std::path::PathBuf;
use std::process::ExitCode;

use plainsight_access::audit::Outcome;
use plainsight_access::keys::DatabaseKey;
use plainsight_store::{AccessStore, AuditEvent, SqliteStore};

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Say whether the database is encrypted and where its key and audit checkpoints are.
    Status,
    /// Encrypt a workspace database made without a key (SQLCipher, AES-256).
    #[command(
        after_help = "Examples:\n  plainsight store encrypt                      # a new key in the key folder\n  \
plainsight store encrypt --new-key-file k.txt # a key you keep yourself\n\n\
Without --new-key-file a random 256-bit key is written to database.key in the key folder \
(PLAINSIGHT_KEY_DIR, else <database file>.keys). Keep that folder apart from the database \
(another disk, a USB key) so that a copy of the database alone cannot be read."
    )]
    Encrypt {
        /// Use the key in this file instead of generating one; it is not copied anywhere.
        #[arg(long, value_name = "FILE")]
        new_key_file: Option<PathBuf>,
    },
    /// Change the key of an encrypted workspace database (SQLCipher `PRAGMA rekey`).
    #[command(
        after_help = "Examples:\n  plainsight store rekey                        # a new key in the key folder\n  \
PLAINSIGHT_DB_KEY=old plainsight store rekey --new-key-file new.txt\n\n\
When the current key is the key folder's database.key, the new key replaces it there. A key \
given with --key-file or PLAINSIGHT_DB_KEY is yours to keep: give the new one with \
--new-key-file and use it from then on."
    )]
    Rekey {
        /// The new key (64 hex characters or a passphrase). Default: a random 256-bit key in
        /// the key folder's database.key.
        #[arg(long, value_name = "FILE")]
        new_key_file: Option<PathBuf>,
    },
}

async fn record(store: &SqliteStore, action: &str, detail: &str) -> anyhow::Result<()> {
    store
        .append_audit(&AuditEvent {
            actor: Some(super::operator()),
            source: Some("command line".into()),
            action: action.into(),
            object: Some("workspace_database".into()),
            outcome: Outcome::Success,
            detail: Some(detail.into()),
        })
        .await?;
    Ok(())
}

pub async fn run(ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store().await?;
    let Some((file, keys)) = store.files().map(|(f, k)| (f.to_path_buf(), k.clone())) else {
        anyhow::bail!("an in-memory workspace has no file to encrypt");
    };
    match command {
        Command::Status => {
            println!("database:      {}", file.display());
            println!(
                "encrypted:     {}",
                if store.is_encrypted() {
                    "yes (SQLCipher, AES-256)"
                } else {
                    "NO: run `plainsight store encrypt`"
                }
            );
            println!("key folder:    {}", keys.path().display());
            let key_source = if !store.is_encrypted() {
                "none"
            } else if ctx.key_file.is_some() {
                "--key-file"
            } else if std::env::var_os(plainsight_store::keys::DB_KEY_ENV).is_some() {
                "PLAINSIGHT_DB_KEY"
            } else if keys.database_key_file().exists() {
                "database.key in the key folder"
            } else {
                "typed at the prompt"
            };
            println!("database key:  {key_source}");
            println!(
                "audit chain:   {}",
                if store.audit_key().is_some() {
                    "keyed (HMAC-SHA-256), checkpoints in audit-checkpoints"
                } else {
                    "unkeyed (SHA-256)"
                }
            );
            store.close().await;
        }
        Command::Encrypt { new_key_file } => {
            if store.is_encrypted() {
                anyhow::bail!(
                    "{} is already encrypted; `plainsight store rekey` changes its key",
                    file.display()
                );
            }
            let (key, write_file) = new_key(new_key_file.as_deref())?;
            if write_file && keys.database_key_file().exists() {
                anyhow::bail!(
                    "{} already exists but the database is not encrypted with it; move it away \
                     (it may belong to another copy of this workspace) and run again",
                    keys.database_key_file().display()
                );
            }
            record(&store, "store_encrypt", "SQLCipher AES-256").await?;
            store.change_database_key(&key, write_file).await?;
            eprintln!(
                "Encrypted {}. {}",
                file.display(),
                if write_file {
                    format!(
                        "Its key is in {}: keep the key folder apart from the database.",
                        keys.database_key_file().display()
                    )
                } else {
                    "Open it from now on with --key-file or PLAINSIGHT_DB_KEY.".to_string()
                }
            );
        }
        Command::Rekey { new_key_file } => {
            if !store.is_encrypted() {
                anyhow::bail!(
                    "{} is not encrypted; `plainsight store encrypt` encrypts it",
                    file.display()
                );
            }
            let managed = ctx.key_file.is_none()
                && std::env::var_os(plainsight_store::keys::DB_KEY_ENV).is_none()
                && keys.database_key_file().exists();
            if !managed && new_key_file.is_none() {
                anyhow::bail!(
                    "the current key was given with --key-file, PLAINSIGHT_DB_KEY or at the \
                     prompt: give the new one with --new-key-file, so that you have it"
                );
            }
            let (key, _) = new_key(new_key_file.as_deref())?;
            record(&store, "store_rekey", "new database key").await?;
            store.change_database_key(&key, managed).await?;
            eprintln!(
                "Changed the key of {}.{}",
                file.display(),
                if managed {
                    format!(" The new key is in {}.", keys.database_key_file().display())
                } else {
                    " Use the new key from now on.".to_string()
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The key from `--new-key-file`, or a generated one (to be written to the key folder).
fn new_key(file: Option<&std::path::Path>) -> anyhow::Result<(DatabaseKey, bool)> {
    match file {
        Some(path) => Ok((super::read_key_file(path)?, false)),
        None => Ok((
            DatabaseKey::generate()
                .map_err(|e| anyhow::anyhow!("the random generator failed: {e}"))?,
            true,
        )),
    }
}
