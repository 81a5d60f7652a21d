-- What lists show of a network (lead queue, dashboard), beside the full record: a page of the
-- queue then reads a few hundred bytes per network (plainsight_store::casework::NetworkSummary).
-- NULL for networks saved before this migration; they are summarised from their record.
ALTER TABLE networks ADD COLUMN summary TEXT;

-- Parts of a network page that cost most to compute (its templates and the laid-out graph),
-- kept after the first view until the next analysis replaces the networks.
CREATE TABLE network_page_cache (
    network_id  INTEGER PRIMARY KEY,
    templates   TEXT NOT NULL,
    graph       TEXT NOT NULL
);
