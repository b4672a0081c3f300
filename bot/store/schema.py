"""The database schema as an ordered list of migrations.

Migration ``n`` (1-based) brings a database from ``PRAGMA user_version = n - 1`` to ``n``.
Never edit a migration that has shipped; append a new one. Pure data; no I/O.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

_V1 = """
CREATE TABLE feeds (
    name            TEXT PRIMARY KEY,
    config_url      TEXT NOT NULL,   -- as written in feeds.yaml (a change resets the state)
    url             TEXT NOT NULL,   -- polled now; a permanent redirect replaces it
    etag            TEXT,
    last_modified   TEXT,
    body_hash       TEXT,
    next_poll       TEXT,
    errors          INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_error_kind TEXT,
    last_attempt    TEXT,
    last_success    TEXT,
    last_new_item   TEXT,
    seeded          INTEGER NOT NULL DEFAULT 0,
    gone            INTEGER NOT NULL DEFAULT 0,
    broken_since    TEXT,            -- set when a broken-feed alert was raised
    added_at        TEXT NOT NULL
);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    feed         TEXT NOT NULL,
    key          TEXT NOT NULL,
    url          TEXT,
    content_hash TEXT NOT NULL,
    title        TEXT NOT NULL,
    published    TEXT,
    local_date   TEXT,
    first_seen   TEXT NOT NULL,
    duplicate_of INTEGER REFERENCES items(id),
    UNIQUE (feed, key)
);
CREATE INDEX items_by_url ON items(feed, url) WHERE url IS NOT NULL;
CREATE INDEX items_by_hash ON items(feed, content_hash, first_seen);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'meeting')),
    day         TEXT NOT NULL,
    approximate INTEGER NOT NULL DEFAULT 0,
    created     TEXT NOT NULL,
    removed     TEXT,
    removed_by  TEXT,
    CHECK (a < b)
);
CREATE INDEX events_by_pair ON events(a, b, day);
CREATE INDEX events_by_b ON events(b, day);

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES events(id),
    origin      TEXT NOT NULL CHECK (origin IN ('feed', 'history', 'import', 'editor')),
    feed        TEXT,
    item_id     INTEGER REFERENCES items(id),
    url         TEXT,
    title       TEXT NOT NULL,
    published   TEXT,
    evidence    TEXT NOT NULL,
    confidence  REAL NOT NULL DEFAULT 1.0,
    added       TEXT NOT NULL,
    added_by    TEXT
);
CREATE INDEX sources_by_event ON sources(event_id, id);
CREATE UNIQUE INDEX sources_once_per_item ON sources(event_id, item_id) WHERE item_id IS NOT NULL;

CREATE TABLE silence_claims (
    id          INTEGER PRIMARY KEY,
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    since       TEXT,
    kind        TEXT,
    evidence    TEXT NOT NULL,
    feed        TEXT,
    item_id     INTEGER REFERENCES items(id),
    url         TEXT,
    title       TEXT NOT NULL,
    published   TEXT,
    added       TEXT NOT NULL,
    CHECK (a < b)
);
CREATE INDEX silence_claims_by_pair ON silence_claims(a, b, added);

CREATE TABLE mutes (
    target      TEXT PRIMARY KEY,    -- a feed's name, or '*' for every feed
    until       TEXT NOT NULL,
    reason      TEXT,
    by_user     TEXT NOT NULL,
    created     TEXT NOT NULL
);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_key    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    platform     TEXT NOT NULL,
    target       TEXT NOT NULL,
    feed         TEXT,
    thread_key   TEXT,
    alert        TEXT NOT NULL,      -- the Alert as JSON
    status       TEXT NOT NULL CHECK (status IN ('pending', 'held', 'sent', 'failed', 'digested')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT,
    last_error   TEXT,
    created      TEXT NOT NULL,
    sent         TEXT,
    message_id   TEXT,
    UNIQUE (alert_key, platform, target)
);
CREATE INDEX outbox_pending ON outbox(platform, status, id);
CREATE INDEX outbox_held ON outbox(status, feed) WHERE status = 'held';

CREATE TABLE announcements (
    key  TEXT PRIMARY KEY,           -- a milestone announced once (silence marks, broken feeds)
    at   TEXT NOT NULL
);

CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    platform TEXT NOT NULL,
    user     TEXT NOT NULL,
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL
);

CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_V2 = """
-- an official's latest contacts with anyone (events_by_b covers the other side)
CREATE INDEX events_by_a ON events(a, day);
-- the latest live contact of a pair (of a kind, in a window) from the index alone: boards,
-- watches and role-level answers ask this for hundreds of pairs at once
CREATE INDEX events_live ON events(a, b, day, id, kind) WHERE removed IS NULL;
"""

_V3 = """
-- feeds an editor added from chat (feeds.yaml holds the rest)
CREATE TABLE added_feeds (
    name      TEXT PRIMARY KEY,
    url       TEXT NOT NULL,
    interval  REAL NOT NULL,
    added_by  TEXT NOT NULL,
    added_at  TEXT NOT NULL
);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
"""Each entry is one migration's SQL script, applied in one transaction."""

SCHEMA_VERSION = len(MIGRATIONS)
