//! `plainsight nibrs ...`: import FBI NIBRS data and report enforcement figures (work in progress).

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {}

pub async fn run(_ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {}
}
