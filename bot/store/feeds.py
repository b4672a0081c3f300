"""Feed state in the store: validators, schedule, errors. One row per configured feed."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.models import FeedSpec, FeedState
from bot.store.base import StoreBase, parse_ts, ts

__all__ = ["FeedStates"]


def _state(row: sqlite3.Row) -> FeedState:
    return FeedState(
        name=row["name"],
        url=row["url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        next_poll=parse_ts(row["next_poll"]),
        errors=row["errors"],
        last_error=row["last_error"],
        last_attempt=parse_ts(row["last_attempt"]),
        last_success=parse_ts(row["last_success"]),
        last_new_item=parse_ts(row["last_new_item"]),
        error_kind=row["last_error_kind"],
        seeded=bool(row["seeded"]),
        gone=bool(row["gone"]),
        broken_since=parse_ts(row["broken_since"]),
    )


def _opt(value: datetime | None) -> str | None:
    return ts(value) if value is not None else None


class FeedStates(StoreBase):
    """Feed rows: created from the configuration, updated after every poll."""

    def sync_feeds(self, specs: Sequence[FeedSpec]) -> None:
        """Make sure every configured feed has a row. A feed whose configured URL changed
        starts afresh (new validators, due now) but keeps its seen items."""
        now = ts(self.now())
        with self.transaction() as db:
            for spec in specs:
                row = db.execute(
                    "SELECT config_url FROM feeds WHERE name = ?", (spec.name,)
                ).fetchone()
                if row is None:
                    db.execute(
                        "INSERT INTO feeds (name, config_url, url, added_at) VALUES (?, ?, ?, ?)",
                        (spec.name, spec.url, spec.url, now),
                    )
                elif row["config_url"] != spec.url:
                    db.execute(
                        "UPDATE feeds SET config_url = ?, url = ?, etag = NULL,"
                        " last_modified = NULL, body_hash = NULL, next_poll = NULL,"
                        " errors = 0, gone = 0 WHERE name = ?",
                        (spec.url, spec.url, spec.name),
                    )

    def add_feed(self, spec: FeedSpec, by: str) -> None:
        """Keep a feed an editor added at run time (its state row starts due now)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO added_feeds (name, url, interval, added_by, added_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (spec.name, spec.url, spec.interval.total_seconds(), by, ts(self.now())),
            )
            self.sync_feeds([spec])

    def remove_added_feed(self, name: str) -> bool:
        """Forget a feed added at run time (its items and contacts stay in the record)."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM added_feeds WHERE name = ?", (name,))
        return cursor.rowcount == 1

    def feed_specs(self, configured: Sequence[FeedSpec]) -> tuple[FeedSpec, ...]:
        """Every feed: those of ``feeds.yaml`` (``configured``), then those added from chat."""
        return (*configured, *self.added_feeds())

    def added_feeds(self) -> list[FeedSpec]:
        """The feeds added at run time, oldest first."""
        return [
            FeedSpec(name=row["name"], url=row["url"], interval=timedelta(seconds=row["interval"]))
            for row in self.db.execute("SELECT * FROM added_feeds ORDER BY added_at, name")
        ]

    def feed_state(self, name: str) -> FeedState | None:
        row = self.db.execute("SELECT * FROM feeds WHERE name = ?", (name,)).fetchone()
        return _state(row) if row else None

    def feed_states(self) -> dict[str, FeedState]:
        """Every feed's state, by name."""
        return {
            row["name"]: _state(row) for row in self.db.execute("SELECT * FROM feeds ORDER BY name")
        }

    def due_feeds(self, now: datetime, names: Sequence[str]) -> list[str]:
        """Which of ``names`` are due at ``now`` (never polled, or next poll passed), in
        order of due time; feeds that are gone are never due."""
        rows = self.db.execute(
            "SELECT name, next_poll FROM feeds WHERE gone = 0"
            " AND (next_poll IS NULL OR next_poll <= ?) ORDER BY next_poll IS NOT NULL, next_poll",
            (ts(now),),
        ).fetchall()
        wanted = set(names)
        return [row["name"] for row in rows if row["name"] in wanted]

    def save_feed_state(self, state: FeedState) -> None:
        """Write a feed's state after a poll."""
        with self.transaction() as db:
            db.execute(
                "UPDATE feeds SET url = ?, etag = ?, last_modified = ?, body_hash = ?,"
                " next_poll = ?, errors = ?, last_error = ?, last_error_kind = ?,"
                " last_attempt = ?, last_success = ?, last_new_item = ?, seeded = ?, gone = ?,"
                " broken_since = ? WHERE name = ?",
                (
                    state.url,
                    state.etag,
                    state.last_modified,
                    state.body_hash,
                    _opt(state.next_poll),
                    state.errors,
                    state.last_error,
                    state.error_kind,
                    _opt(state.last_attempt),
                    _opt(state.last_success),
                    _opt(state.last_new_item),
                    int(state.seeded),
                    int(state.gone),
                    _opt(state.broken_since),
                    state.name,
                ),
            )
