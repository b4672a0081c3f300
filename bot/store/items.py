"""Seen items: what is new is decided here, once per (feed, identity).

An item is not new again when the publisher re-dates or re-GUIDs it: same normalised URL in
the same feed, or the same title and summary (same content hash) first seen within the last
``REPUBLISH_WINDOW``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.models import Item
from bot.store.base import StoreBase, day_text, ts

__all__ = ["REPUBLISH_WINDOW", "Items", "NewItem"]

REPUBLISH_WINDOW = timedelta(days=14)

NewItem = tuple[int, Item]
"""A new item with its row id in the store."""


class Items(StoreBase):
    """The ``items`` table."""

    def add_items(self, items: Sequence[Item], now: datetime | None = None) -> list[NewItem]:
        """Record ``items`` (all of one poll) and return those never seen before, in order.

        Repeats inside the batch (duplicate GUIDs in one document) count once.
        """
        when = now or self.now()
        stamp = ts(when)
        window = ts(when - REPUBLISH_WINDOW)
        new: list[NewItem] = []
        with self.transaction() as db:
            for item in items:
                if db.execute(
                    "SELECT 1 FROM items WHERE feed = ? AND key = ?", (item.feed, item.key)
                ).fetchone():
                    continue
                original = None
                if item.url:
                    original = db.execute(
                        "SELECT id FROM items WHERE feed = ? AND url = ? LIMIT 1",
                        (item.feed, item.url),
                    ).fetchone()
                if original is None and (item.title or item.summary):
                    original = db.execute(
                        "SELECT id FROM items WHERE feed = ? AND content_hash = ?"
                        " AND first_seen >= ? AND duplicate_of IS NULL LIMIT 1",
                        (item.feed, item.content_hash, window),
                    ).fetchone()
                cursor = db.execute(
                    "INSERT INTO items (feed, key, url, content_hash, title, published,"
                    " local_date, first_seen, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item.feed,
                        item.key,
                        item.url,
                        item.content_hash,
                        item.title,
                        ts(item.published) if item.published else None,
                        day_text(item.local_date) if item.local_date else None,
                        stamp,
                        original["id"] if original else None,
                    ),
                )
                if original is None:
                    new.append((int(cursor.lastrowid or 0), item))
        return new

    def count_items(self, feed: str | None = None) -> int:
        """How many distinct items were seen (of one feed, or of all)."""
        if feed is None:
            row = self.db.execute("SELECT COUNT(*) FROM items WHERE duplicate_of IS NULL")
        else:
            row = self.db.execute(
                "SELECT COUNT(*) FROM items WHERE feed = ? AND duplicate_of IS NULL", (feed,)
            )
        return int(row.fetchone()[0])
