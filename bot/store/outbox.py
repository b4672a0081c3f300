"""The alert outbox: every alert bound for a destination is a row here before it is sent.

A row is written in the same store as the record that caused it, and marked sent only after
the platform accepted it, so a chat outage or a crash loses nothing. Rows to one destination
go out in order: a row waits while an earlier row to the same destination is pending.
A crash between the platform's acceptance and ``mark_sent`` can repeat that one row once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.models import Alert, Delivery, Destination
from bot.store.base import StoreBase, parse_ts, stamp, ts
from bot.store.codec import alert_from_json, alert_to_json

__all__ = ["HeldAlert", "Outbox"]

HeldAlert = tuple[int, Destination, Alert, datetime]
"""A held row: its id, destination, alert and when it was held."""


class Outbox(StoreBase):
    """The ``outbox`` table."""

    def enqueue(
        self, alert: Alert, destinations: Iterable[Destination], *, held: bool = False
    ) -> int:
        """Queue ``alert`` for each destination (``held`` while its feed is muted).

        The same alert key is queued for one destination at most once, ever: re-running a
        poll or a milestone check never posts twice. Returns how many rows were added.
        """
        body = alert_to_json(alert)
        now = ts(self.now())
        added = 0
        with self.transaction() as db:
            for dest in destinations:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO outbox (alert_key, kind, platform, target, feed,"
                    " thread_key, alert, status, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        alert.key,
                        alert.kind,
                        dest.platform,
                        dest.target,
                        alert.feed,
                        alert.thread,
                        body,
                        "held" if held else "pending",
                        now,
                    ),
                )
                added += cursor.rowcount
        return added

    def due_deliveries(self, platform: str, now: datetime, limit: int = 50) -> list[Delivery]:
        """The next row for each destination of ``platform`` that is due at ``now``.

        Only the oldest pending row of a destination is offered, so order holds even when
        one row waits for a retry.
        """
        rows = self.db.execute(
            "SELECT o.* FROM outbox o JOIN ("
            "  SELECT MIN(id) AS id FROM outbox WHERE platform = ? AND status = 'pending'"
            "  GROUP BY target) firsts ON o.id = firsts.id"
            " WHERE o.next_attempt IS NULL OR o.next_attempt <= ? ORDER BY o.id LIMIT ?",
            (platform, ts(now), limit),
        ).fetchall()
        return [self._delivery(row) for row in rows]

    def _delivery(self, row: sqlite3.Row) -> Delivery:
        parent = None
        if row["thread_key"]:
            found = self.db.execute(
                "SELECT message_id FROM outbox WHERE alert_key = ? AND platform = ?"
                " AND target = ? AND status = 'sent'",
                (row["thread_key"], row["platform"], row["target"]),
            ).fetchone()
            parent = found["message_id"] if found else None
        return Delivery(
            id=row["id"],
            destination=Destination(row["platform"], row["target"]),
            alert=alert_from_json(row["alert"]),
            thread_parent=parent,
            attempts=row["attempts"],
        )

    def next_attempt_at(self, platform: str) -> datetime | None:
        """When the next row of ``platform`` falls due (``None``: none wait). Only the
        oldest pending row of each destination counts: the rows behind it wait for it."""
        row = self.db.execute(
            "SELECT MIN(COALESCE(o.next_attempt, o.created)) FROM outbox o JOIN ("
            "  SELECT MIN(id) AS id FROM outbox WHERE platform = ? AND status = 'pending'"
            "  GROUP BY target) firsts ON o.id = firsts.id",
            (platform,),
        ).fetchone()
        return parse_ts(row[0]) if row and row[0] else None

    def mark_sent(self, delivery_id: int, message_id: str | None) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'sent', sent = ?, message_id = ?, last_error = NULL"
                " WHERE id = ?",
                (ts(self.now()), message_id, delivery_id),
            )

    def mark_retry(self, delivery_id: int, error: str, next_attempt: datetime) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ?"
                " WHERE id = ?",
                (error, ts(next_attempt), delivery_id),
            )

    def mark_failed(self, delivery_id: int, error: str) -> None:
        """Give up on a row the platform refuses for good (the channel does not exist)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?"
                " WHERE id = ?",
                (error, delivery_id),
            )

    def held_alerts(self, feeds: Sequence[str] | None = None) -> list[HeldAlert]:
        """Held rows, oldest first (of the given feeds, or all)."""
        rows = self.db.execute("SELECT * FROM outbox WHERE status = 'held' ORDER BY id").fetchall()
        wanted = set(feeds) if feeds is not None else None
        return [
            (
                r["id"],
                Destination(r["platform"], r["target"]),
                alert_from_json(r["alert"]),
                stamp(r["created"]),
            )
            for r in rows
            if wanted is None or r["feed"] in wanted
        ]

    def release_held(
        self, ids: Sequence[int], digests: Sequence[tuple[Alert, Destination]]
    ) -> None:
        """Replace held rows by digests, in one transaction."""
        with self.transaction():
            for alert, dest in digests:
                self.enqueue(alert, [dest])
            self.db.executemany(
                "UPDATE outbox SET status = 'digested' WHERE id = ? AND status = 'held'",
                [(i,) for i in ids],
            )

    def outbox_counts(self) -> dict[str, int]:
        """Rows by status."""
        return {
            row["status"]: row["n"]
            for row in self.db.execute("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        }

    def destinations_of(self, alert_key: str) -> list[Destination]:
        """Where an alert was queued (held, pending or sent), in queueing order."""
        return [
            Destination(row["platform"], row["target"])
            for row in self.db.execute(
                "SELECT platform, target FROM outbox WHERE alert_key = ? ORDER BY id",
                (alert_key,),
            )
        ]

    def sent_message(self, alert_key: str, destination: Destination) -> str | None:
        """The platform's id of the message an alert became at ``destination``, if sent."""
        row = self.db.execute(
            "SELECT message_id FROM outbox WHERE alert_key = ? AND platform = ? AND target = ?"
            " AND status = 'sent'",
            (alert_key, destination.platform, destination.target),
        ).fetchone()
        return row["message_id"] if row else None
