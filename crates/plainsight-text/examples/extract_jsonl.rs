//! Extract every ad of a JSONL file (the ad format of `docs/ad-format.md`) on one thread and
//! print one extraction per line: the library's view of `plainsight extract`, for profiling
//! the extractor (under `valgrind --tool=callgrind` or `perf`) without the binary around it.
//!
//! ```text
//! cargo run -p plainsight-text --release --example extract_jsonl -- ads.jsonl > out.jsonl
//! ```
//! Lines that are not an ad are skipped with a message on standard error.

use std::io::{BufRead, BufReader, BufWriter, Write};

use plainsight_core::Ad;
use plainsight_text::extract::{ExtractConfig, Extractor};

/// The `plainsight` binary's allocator, so that profiles show what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: extract_jsonl ADS.jsonl")?;
    let extractor = Extractor::new(&ExtractConfig::default())?;
    let input = BufReader::new(std::fs::File::open(&path)?);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        match serde_json::from_str::<Ad>(&line) {
            Ok(ad) => {
                serde_json::to_writer(&mut out, &extractor.extract(&ad))?;
                out.write_all(b"\n")?;
            }
            Err(e) => eprintln!("{path}:{}: {e}", n + 1),
        }
    }
    out.flush()?;
    Ok(())
}
