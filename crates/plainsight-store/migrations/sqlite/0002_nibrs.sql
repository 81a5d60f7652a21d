-- FBI NIBRS enforcement data: only what the scorecards need (arrests for 40A, 40B, 40C, 64A,
-- 64B; agency-months of reporting status; agencies; trafficking incidents), never whole
-- incident files.
--
-- Idempotent import, two ways (docs/nibrs-report-format.md, "Storage"):
-- * snapshot sources (a CDE state-year package, the national master file) tag every row with
--   `scope` (e.g. 'cde:LA:2014'); importing the package again first deletes its scope, so a
--   re-import replaces, never doubles, and a corrected package drops rows it no longer has;
-- * flat-file submissions are incremental: rows are keyed by their natural key (ORI + incident
--   number + arrestee sequence) and a delete action removes the incident's rows.
-- Every table's primary key starts with `source`, so a CDE package and a flat file for the same
-- agency never collide; reports choose one source per agency-year.

CREATE TABLE nibrs_arrests (
    source        TEXT NOT NULL,             -- cde | master_file | flat_file
    arrest_key    TEXT NOT NULL,             -- CDE arrestee_id, or ORI:incident:sequence
    incident_key  TEXT NOT NULL,             -- ORI:incident (Group B: ORI:B:transaction)
    scope         TEXT,                      -- snapshot scope, NULL for flat files
    state         TEXT NOT NULL,
    ori           TEXT NOT NULL DEFAULT '',  -- '' when the package cannot tell the agency
    year          INTEGER NOT NULL,
    arrest_date   TEXT,
    offense       TEXT NOT NULL,             -- 40A | 40B | 40C | 64A | 64B
    sex           TEXT NOT NULL,             -- F | M | U
    age_low       INTEGER,
    age_high      INTEGER,
    arrest_type   TEXT NOT NULL,             -- O | S | T | ''
    multiple      TEXT NOT NULL,             -- C | M | N | ''
    PRIMARY KEY (source, arrest_key)
) WITHOUT ROWID;

CREATE INDEX nibrs_arrests_by_state ON nibrs_arrests (state, year);
CREATE INDEX nibrs_arrests_by_scope ON nibrs_arrests (scope);
CREATE INDEX nibrs_arrests_by_incident ON nibrs_arrests (source, incident_key);

CREATE TABLE nibrs_months (
    source  TEXT NOT NULL,
    ori     TEXT NOT NULL,
    year    INTEGER NOT NULL,
    month   INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    scope   TEXT,
    state   TEXT NOT NULL,
    status  TEXT NOT NULL CHECK (status IN ('I', 'Z', 'U')),
    PRIMARY KEY (source, ori, year, month)
) WITHOUT ROWID;

CREATE INDEX nibrs_months_by_state ON nibrs_months (state, year);
CREATE INDEX nibrs_months_by_scope ON nibrs_months (scope);

CREATE TABLE nibrs_agencies (
    source       TEXT NOT NULL,
    ori          TEXT NOT NULL,
    year         INTEGER NOT NULL,
    scope        TEXT,
    state        TEXT NOT NULL,
    name         TEXT,
    county       TEXT,
    agency_type  TEXT,
    population   INTEGER,
    PRIMARY KEY (source, ori, year)
) WITHOUT ROWID;

CREATE INDEX nibrs_agencies_by_state ON nibrs_agencies (state, year);
CREATE INDEX nibrs_agencies_by_scope ON nibrs_agencies (scope);

CREATE TABLE nibrs_trafficking (
    source                TEXT NOT NULL,
    incident_key          TEXT NOT NULL,
    scope                 TEXT,
    state                 TEXT NOT NULL,
    ori                   TEXT NOT NULL DEFAULT '',
    year                  INTEGER NOT NULL,
    commercial_sex        INTEGER NOT NULL,
    involuntary_servitude INTEGER NOT NULL,
    victims               INTEGER NOT NULL,
    juvenile_victims      INTEGER NOT NULL,
    PRIMARY KEY (source, incident_key)
) WITHOUT ROWID;

CREATE INDEX nibrs_trafficking_by_scope ON nibrs_trafficking (scope);

-- One row per imported input (re-importing updates it): what the methods section cites.
CREATE TABLE nibrs_imports (
    source       TEXT NOT NULL,
    label        TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    states       TEXT NOT NULL,              -- comma-separated
    stats        TEXT NOT NULL,              -- JSON counters
    warnings     TEXT NOT NULL,              -- JSON array of {file, line, message}
    PRIMARY KEY (source, label)
) WITHOUT ROWID;
