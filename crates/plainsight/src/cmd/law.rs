//! `plainsight law check|changes`: which statutes and protections applied on a date to a
//! conduct, and a printable briefing of what changed since a date, from the law data compiled
//! into `plainsight-law` (docs/law.md). No workspace database is needed.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use plainsight_law::{Conduct, Date, Facts, Library, NOTICE, Question, render};

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the statutes that applied on a date to a conduct with its facts, with their class,
    /// date range, sources and verified flag, and the protections for the person. A state's
    /// answer lists federal law as well (`--jurisdiction US` gives federal law alone).
    #[command(after_help = "Examples:
  plainsight law check --jurisdiction NC --date 2019-12-01 --conduct buying --coercion
  plainsight law check --jurisdiction NC --date 2025-03-01 --conduct buying --minor --format json
  plainsight law check --jurisdiction NC --date 2020-06-15 --conduct selling --minor

The date is the day of the conduct. Verified is true only when every part shown is marked
verified in the law data; the why text says what is not verified and docs/law.md what each
verification rests on. A reference with citations to check, not legal advice.")]
    Check(CheckArgs),
    /// A plain-language, printable briefing of what changed in the law and from when, newest
    /// first, each change with its citation, session law, sources and verified flag.
    #[command(after_help = "Examples:
  plainsight law changes --jurisdiction NC
  plainsight law changes --jurisdiction NC --since 2019-01-01 --format html > nc-changes.html
  plainsight law changes --jurisdiction NC --format markdown

A reference with citations to check, not legal advice.")]
    Changes(ChangesArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChangesFormat {
    Text,
    Markdown,
    Html,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConductArg {
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

impl From<ConductArg> for Conduct {
    fn from(c: ConductArg) -> Conduct {
        match c {
            ConductArg::Buying => Conduct::Buying,
            ConductArg::Selling => Conduct::Selling,
            ConductArg::Promoting => Conduct::Promoting,
            ConductArg::Trafficking => Conduct::Trafficking,
            ConductArg::Servitude => Conduct::Servitude,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Jurisdiction code: NC (North Carolina, with federal law) or US (federal law alone).
    #[arg(long, value_name = "CODE")]
    pub jurisdiction: String,
    /// Day of the conduct, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Date,
    /// What the person did.
    #[arg(long, value_enum)]
    pub conduct: ConductArg,
    /// The person sold, bought, promoted or trafficked is under 18.
    #[arg(long)]
    pub minor: bool,
    /// The person sold, bought, promoted or trafficked has a mental disability.
    #[arg(long)]
    pub mental_disability: bool,
    /// Force, fraud, coercion or deception (including debt bondage) is involved.
    #[arg(long)]
    pub coercion: bool,
    /// Output format. JSON is documented in docs/law.md; its notice goes to standard error.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CheckFormat,
}

#[derive(Debug, clap::Args)]
pub struct ChangesArgs {
    /// Jurisdiction code: NC (North Carolina, with federal law) or US (federal law alone).
    #[arg(long, value_name = "CODE")]
    pub jurisdiction: String,
    /// Only changes that apply from this day on, YYYY-MM-DD (changes our sources do not date
    /// are always listed, apart).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub since: Option<Date>,
    /// Output format: text, Markdown, a printable HTML page, or JSON.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ChangesFormat,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|e| format!("{text:?} is not a day written YYYY-MM-DD ({e})"))
}

pub async fn run(_ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    let library = Library::bundled().context("reading the bundled law data")?;
    let text = match command {
        Command::Check(args) => {
            let answer = library.check(&Question {
                jurisdiction: &args.jurisdiction,
                date: args.date,
                conduct: args.conduct.into(),
                facts: Facts {
                    minor: args.minor,
                    mental_disability: args.mental_disability,
                    coercion: args.coercion,
                },
            })?;
            match args.format {
                CheckFormat::Table => render::check_table(&answer),
                CheckFormat::Json => {
                    // The JSON has a fixed set of keys; the notice goes beside it.
                    eprintln!("{NOTICE}");
                    render::check_json(&answer)
                }
            }
        }
        Command::Changes(args) => {
            let briefing = library.changes(&args.jurisdiction, args.since)?;
            match args.format {
                ChangesFormat::Text => render::changes_text(&briefing),
                ChangesFormat::Markdown => render::changes_markdown(&briefing),
                ChangesFormat::Html => render::changes_html(&briefing),
                ChangesFormat::Json => render::changes_json(&briefing),
            }
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
