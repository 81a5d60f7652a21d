//! The `plainsight` command-line tool: batch work over ads and NIBRS data.

fn main() -> anyhow::Result<()> {
    Ok(())
}
