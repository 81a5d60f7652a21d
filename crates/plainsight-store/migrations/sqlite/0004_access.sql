-- The web application: accounts and teams, server-side sessions, log-on failures, the
-- hash-chained audit log, network review labels, case folders, settings, and the full-text
-- index over ads. Sessions, lock-outs and rate-limit state live here, not in process memory,
-- so several server processes can share one database.

CREATE TABLE teams (
    team_id     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at  TEXT NOT NULL
);

INSERT INTO teams (team_id, name, created_at)
VALUES (1, 'default', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TABLE users (
    user_id        INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL
        CHECK (role IN ('administrator', 'supervisor', 'analyst', 'auditor', 'viewer')),
    team_id        INTEGER NOT NULL REFERENCES teams (team_id),
    -- The user's area for the dashboard: a state code ("NC"), or empty for everywhere.
    area           TEXT NOT NULL DEFAULT '',
    -- Argon2id PHC string.
    password_hash  TEXT NOT NULL,
    -- Set for passwords an administrator or the demo chose: changed at the next log-on.
    must_change_password INTEGER NOT NULL DEFAULT 0,
    -- Base32 TOTP secret; NULL until the user enrols at first log-on.
    totp_secret    TEXT,
    -- The last TOTP time step accepted: each code is accepted once.
    totp_last_step INTEGER,
    status         TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'locked', 'disabled')),
    status_reason  TEXT,
    created_at     TEXT NOT NULL,
    last_login_at  TEXT
);

-- Sessions by the SHA-256 of their token: a copy of the database yields no live session.
CREATE TABLE sessions (
    token_digest  TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    -- 'password': the password was right, the second factor is still due; 'full': signed in.
    stage         TEXT NOT NULL CHECK (stage IN ('password', 'full')),
    csrf_token    TEXT NOT NULL,
    -- A TOTP secret shown at enrolment, kept until the first code from it is confirmed.
    pending_totp  TEXT,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    source        TEXT
);

CREATE INDEX sessions_by_user ON sessions (user_id);

-- Failed log-ons and second-factor attempts, for lock-out and rate limits.
CREATE TABLE auth_failures (
    failure_id  INTEGER PRIMARY KEY,
    username    TEXT NOT NULL COLLATE NOCASE,
    kind        TEXT NOT NULL CHECK (kind IN ('password', 'totp')),
    at          TEXT NOT NULL,
    source      TEXT
);

CREATE INDEX auth_failures_by_user ON auth_failures (username, kind, at);

-- The audit log: append-only, each entry carrying the hash of the one before
-- (plainsight-access::audit). `plainsight audit verify` recomputes the chain.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT,
    source     TEXT,
    action     TEXT NOT NULL,
    object     TEXT,
    outcome    TEXT NOT NULL,
    detail     TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

CREATE INDEX audit_log_by_object ON audit_log (object);

-- No role, and no code path, may change or remove an entry. Someone with the database file
-- can still drop these triggers; the hash chain is what makes that visible.
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Review labels on whole networks. Versioned: a new label adds a row, earlier ones stay.
CREATE TABLE network_labels (
    label_id    INTEGER PRIMARY KEY,
    network_id  INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    label       TEXT NOT NULL CHECK (label IN
        ('needs_investigation', 'not_relevant', 'known_case', 'independent_worker', 'other')),
    note        TEXT NOT NULL DEFAULT '',
    user_id     INTEGER NOT NULL REFERENCES users (user_id),
    -- The network's priority and place in the lead queue when it was labelled: the dashboard's
    -- false-positive rate is the share of high-ranked networks judged not relevant.
    priority    REAL NOT NULL,
    rank        INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (network_id, version)
);

CREATE INDEX network_labels_by_time ON network_labels (created_at);

-- Case folders belong to a team; nobody outside the team sees them.
CREATE TABLE cases (
    case_id     INTEGER PRIMARY KEY,
    team_id     INTEGER NOT NULL REFERENCES teams (team_id),
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by  INTEGER NOT NULL REFERENCES users (user_id),
    created_at  TEXT NOT NULL
);

CREATE INDEX cases_by_team ON cases (team_id);

CREATE TABLE case_items (
    case_id     INTEGER NOT NULL REFERENCES cases (case_id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('network', 'ad')),
    -- A network id, or an ad key.
    item        INTEGER NOT NULL,
    added_by    INTEGER NOT NULL REFERENCES users (user_id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, item)
) WITHOUT ROWID;

CREATE INDEX case_items_by_item ON case_items (kind, item);

CREATE TABLE case_notes (
    note_id     INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (case_id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (user_id),
    created_at  TEXT NOT NULL,
    text        TEXT NOT NULL
);

-- Settings an administrator changes (retention period, log-on banner).
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

INSERT INTO settings (name, value) VALUES ('retention_days', '180');

-- Full-text index over ad titles and bodies, kept in step by `ingest` (ads_fts_indexed_to).
CREATE VIRTUAL TABLE ads_fts USING fts5 (
    title, body,
    content = 'ads', content_rowid = 'ad_key',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO counters (name, value) VALUES ('ads_fts_indexed_to', 0);

-- The dashboard's ad volume over time, without reading every ad record.
CREATE INDEX ads_by_posted ON ads (posted_at);
CREATE INDEX ads_by_ingested ON ads (ingested_at);
