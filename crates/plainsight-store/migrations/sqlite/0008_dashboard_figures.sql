-- The dashboard's figures, kept up to date where they change instead of counted on each view
-- (counting over every ad and place took 2.3 s at 1,000,000 ads). Ingest adds each batch's
-- ads in the batch's own transaction, an analysis run rewrites the network figures in the
-- run's transaction, and retention recounts the ad figures in its transaction. The area ''
-- is everywhere; any other area is a state or province code (`admin1`), compared as the
-- dashboard's full count compared it: exactly for ad places, without case for network places.

-- Ads per area (an ad counts once in each area it names a place in).
CREATE TABLE dashboard_ad_areas (
    area  TEXT PRIMARY KEY,
    ads   INTEGER NOT NULL
) WITHOUT ROWID;

-- Dated ads per area and posting day (YYYY-MM-DD, as stored).
CREATE TABLE dashboard_ad_days (
    area  TEXT NOT NULL,
    day   TEXT NOT NULL,
    ads   INTEGER NOT NULL,
    PRIMARY KEY (area, day)
) WITHOUT ROWID;

-- Ads per place (one row per gazetteer place an ad named).
CREATE TABLE dashboard_places (
    geonameid  INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    admin1     TEXT NOT NULL,
    ads        INTEGER NOT NULL
);

CREATE INDEX dashboard_places_top ON dashboard_places (ads DESC, name, geonameid);
CREATE INDEX dashboard_places_top_in_area ON dashboard_places (admin1, ads DESC, name, geonameid);

-- Networks per area (a network counts once in each area it has a place in).
CREATE TABLE dashboard_network_areas (
    area      TEXT PRIMARY KEY COLLATE NOCASE,
    networks  INTEGER NOT NULL
) WITHOUT ROWID;

-- Networks per area by the days they were first and last seen ('' when unknown), so that the
-- networks active in the 30 days and new in the 7 days up to any reference date are sums over
-- a few rows.
CREATE TABLE dashboard_network_spans (
    area       TEXT NOT NULL COLLATE NOCASE,
    first_day  TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    networks   INTEGER NOT NULL,
    PRIMARY KEY (area, first_day, last_day)
) WITHOUT ROWID;

CREATE INDEX dashboard_network_spans_by_last ON dashboard_network_spans (area, last_day);

-- 0 until the tables above have been filled from the data already stored (done once, when the
-- store is next opened: `dashboard::fill_if_new`).
INSERT INTO counters (name, value) VALUES ('dashboard_filled', 0);
