//! Streaming readers for scraped ads: JSONL, CSV, WARC and saved HTML pages.
