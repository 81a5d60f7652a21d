-- What the web application reads often, kept apart from the large network records.

-- What lists show of a network (lead queue, dashboard): a page of the queue then reads a few
-- hundred bytes per network (plainsight_store::casework::NetworkSummary). A separate table,
-- not a column of `networks`: a column stored after `record` would make SQLite walk the
-- record's overflow pages (hundreds of kilobytes for large networks) to reach it. Networks
-- saved before this migration have no summary and are summarised from their record.
CREATE TABLE network_summaries (
    network_id  INTEGER PRIMARY KEY,
    summary     TEXT NOT NULL
);

-- The reason codes of each network, for the lead queue's reason filter (an index instead of
-- reading every network record). Written with the networks by each analysis run.
CREATE TABLE network_reason_codes (
    code        TEXT NOT NULL,
    network_id  INTEGER NOT NULL,
    PRIMARY KEY (code, network_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO network_reason_codes (code, network_id)
SELECT json_extract(r.value, '$.code'), n.network_id
FROM networks n, json_each(n.record, '$.reasons') r;

-- Parts of a network page that cost most to compute (its templates and the laid-out graph),
-- kept after the first view until the next analysis replaces the networks.
CREATE TABLE network_page_cache (
    network_id  INTEGER PRIMARY KEY,
    templates   TEXT NOT NULL,
    graph       TEXT NOT NULL
);

-- The dashboard of one state: its ads without reading every ad's places.
CREATE INDEX ad_places_by_admin1 ON ad_places (admin1, ad_key);

-- Failed log-ons by source address, for the per-address limit (password spraying).
CREATE INDEX auth_failures_by_source ON auth_failures (source, at);
