//! Times each store call the lead queue page makes, on a workspace given as the argument.
use plainsight_store::{AnalystStore, CaseworkStore, LeadFilter, SqliteStore};
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).expect("workspace file");
    let store = SqliteStore::open(&format!("sqlite://{path}")).await?;
    for round in 0..2 {
        let filter = LeadFilter {
            limit: 25,
            ..Default::default()
        };
        let t = Instant::now();
        let leads = store.lead_queue(&filter).await?;
        println!("{round} lead_queue {} rows {:?}", leads.len(), t.elapsed());
        let t = Instant::now();
        let n = store.lead_count(&filter).await?;
        println!("{round} lead_count {n} {:?}", t.elapsed());
        let t = Instant::now();
        let r = store.reason_codes().await?;
        println!("{round} reason_codes {} {:?}", r.len(), t.elapsed());
        let t = Instant::now();
        let c = store.cases_for_team(1).await?;
        println!("{round} cases_for_team {} {:?}", c.len(), t.elapsed());
    }
    Ok(())
}
