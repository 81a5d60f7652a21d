-- Networks of linked ads, as written by `plainsight analyze`, with stable ids across runs.

-- One row per analysis run: when, how much, with which weights, and what it found.
CREATE TABLE analysis_runs (
    run_id          INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    ads             INTEGER NOT NULL,
    networks        INTEGER NOT NULL,
    weights         TEXT NOT NULL,
    -- JSON: counts, link settings, hubs and excluded identifiers.
    report          TEXT NOT NULL
);

-- The current networks. `record` is the network as `plainsight networks --format jsonl` prints
-- it (docs/network-format.md); the other columns serve filters and ordering.
CREATE TABLE networks (
    network_id   INTEGER PRIMARY KEY,
    ads          INTEGER NOT NULL,
    priority     REAL NOT NULL,
    first_seen   TEXT,
    last_seen    TEXT,
    record       TEXT NOT NULL,
    run_id       INTEGER NOT NULL REFERENCES analysis_runs (run_id)
);

CREATE INDEX networks_by_priority ON networks (priority DESC, network_id);

-- Which network each ad is in (every analysed ad is in exactly one).
CREATE TABLE network_ads (
    ad_key      INTEGER PRIMARY KEY REFERENCES ads (ad_key) ON DELETE CASCADE,
    network_id  INTEGER NOT NULL
);

CREATE INDEX network_ads_by_network ON network_ads (network_id);

-- Places of each network, for the --location filter.
CREATE TABLE network_places (
    network_id  INTEGER NOT NULL,
    name        TEXT NOT NULL COLLATE NOCASE,
    admin1      TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (network_id, name, admin1)
) WITHOUT ROWID;

CREATE INDEX network_places_by_place ON network_places (name, admin1);

-- Merges, splits and retirements of network ids, per run.
CREATE TABLE network_events (
    event_id    INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES analysis_runs (run_id),
    kind        TEXT NOT NULL,
    -- JSON of the event (docs/network-format.md).
    event       TEXT NOT NULL
);

CREATE TABLE network_event_ids (
    event_id    INTEGER NOT NULL REFERENCES network_events (event_id),
    network_id  INTEGER NOT NULL,
    PRIMARY KEY (network_id, event_id)
) WITHOUT ROWID;

-- Ids are never reused: the next id survives deletions.
CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);

INSERT INTO counters (name, value) VALUES ('next_network_id', 1);

-- Priority weights fitted by `plainsight calibrate`, with where they came from. At most one is
-- active; none active means the bundled defaults.
CREATE TABLE weight_sets (
    version     INTEGER PRIMARY KEY,
    created_at  TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 0,
    -- What the weights were fitted on (labels file and its SHA-256, or review labels).
    source      TEXT NOT NULL,
    -- JSON object: code -> weight.
    weights     TEXT NOT NULL,
    -- JSON: the calibration report (cross-validated AUC, calibration table, settings).
    report      TEXT NOT NULL
);
