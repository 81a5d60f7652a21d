-- Networks per reason code, for the lead queue's reason filter: rewritten with the networks in
-- each analysis run's transaction (counting the codes of every network on each view took 2 to
-- 3 s at 1,000,000 ads). Filled here from the networks already stored.
CREATE TABLE network_reason_counts (
    code      TEXT PRIMARY KEY,
    networks  INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO network_reason_counts (code, networks)
SELECT code, count(*) FROM network_reason_codes GROUP BY code;
