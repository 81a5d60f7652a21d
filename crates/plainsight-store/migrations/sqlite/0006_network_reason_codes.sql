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

-- The dashboard of one state: its ads without reading every ad's places.
CREATE INDEX ad_places_by_admin1 ON ad_places (admin1, ad_key);

-- Failed log-ons by source address, for the per-address limit (password spraying).
CREATE INDEX auth_failures_by_source ON auth_failures (source, at);
