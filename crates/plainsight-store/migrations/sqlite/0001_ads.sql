-- Ads, their extractions, and the identifiers and facts drawn from them.
-- One row per stored ad; everything else hangs off `ads.ad_key` and is deleted with it.

CREATE TABLE ads (
    ad_key        INTEGER PRIMARY KEY,
    -- The scraper's id, unique per site (an empty string when the site is unknown).
    site          TEXT NOT NULL DEFAULT '',
    source_id     TEXT NOT NULL,
    -- SHA-256 over the ad's content fields (not its id): the same ad under another id is a duplicate.
    content_hash  TEXT NOT NULL,
    url           TEXT,
    posted_at     TEXT,
    title         TEXT,
    body          TEXT,
    location      TEXT,
    -- The whole ad record as JSON (phones, images, extra fields), exactly as ingested.
    record        TEXT NOT NULL,
    -- The extraction as printed by `plainsight extract` (docs/extract-format.md).
    extraction    TEXT NOT NULL,
    source_file   TEXT NOT NULL,
    source_line   INTEGER NOT NULL,
    ingested_at   TEXT NOT NULL,
    UNIQUE (site, source_id),
    UNIQUE (content_hash)
);

CREATE INDEX ads_posted_at ON ads (posted_at);

-- Identifiers that can link ads: phone (E.164), email, handle, payment, image_sha256,
-- image_phash, domain. `value` is normalised; `platform` names the service for handles.
CREATE TABLE identifiers (
    ad_key     INTEGER NOT NULL REFERENCES ads (ad_key) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    platform   TEXT NOT NULL DEFAULT '',
    value      TEXT NOT NULL,
    obscured   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ad_key, kind, platform, value)
) WITHOUT ROWID;

CREATE INDEX identifiers_by_value ON identifiers (kind, value);

CREATE TABLE indicator_hits (
    ad_key      INTEGER NOT NULL REFERENCES ads (ad_key) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    field       TEXT NOT NULL,
    span_start  INTEGER NOT NULL,
    span_end    INTEGER NOT NULL,
    evidence    TEXT NOT NULL
);

CREATE INDEX indicator_hits_by_ad ON indicator_hits (ad_key);
CREATE INDEX indicator_hits_by_code ON indicator_hits (code);

CREATE TABLE ad_places (
    ad_key     INTEGER NOT NULL REFERENCES ads (ad_key) ON DELETE CASCADE,
    geonameid  INTEGER NOT NULL,
    name       TEXT NOT NULL,
    admin1     TEXT NOT NULL,
    country    TEXT NOT NULL,
    PRIMARY KEY (ad_key, geonameid)
) WITHOUT ROWID;

CREATE INDEX ad_places_by_place ON ad_places (geonameid);
