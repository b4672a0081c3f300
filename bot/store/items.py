"""Seen items: what is new is decided here, once per (feed, identity).

An item is not new again when the publisher re-dates or re-GUIDs it: same normalised URL in
the same feed, or the same title and summary (same content hash) first seen within the last
``REPUBLISH_WINDOW``.
"""

from __future__ import annotations

import sqlite3
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

        Repeats inside the batch (duplicate GUIDs in one document) count once. Lookups are
        made per batch (a few queries for a whole document), not per item.
        """
        when = now or self.now()
        stamp = ts(when)
        window = ts(when - REPUBLISH_WINDOW)
        new: list[NewItem] = []
        by_feed: dict[str, list[Item]] = {}
        for item in items:
            by_feed.setdefault(item.feed, []).append(item)
        with self.transaction() as db:
            for feed, batch in by_feed.items():
                keys = self._existing(db, feed, "key", [i.key for i in batch])
                urls = self._existing(db, feed, "url", [i.url for i in batch if i.url])
                hashes = self._existing(
                    db,
                    feed,
                    "content_hash",
                    [i.content_hash for i in batch if i.title or i.summary],
                    extra=" AND first_seen >= ? AND duplicate_of IS NULL",
                    extra_args=(window,),
                )
                for item in batch:
                    if item.key in keys:
                        continue
                    original = urls.get(item.url) if item.url else None
                    if original is None and (item.title or item.summary):
                        original = hashes.get(item.content_hash)
                    cursor = db.execute(
                        "INSERT INTO items (feed, key, url, content_hash, title, published,"
                        " local_date, first_seen, duplicate_of)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            item.feed,
                            item.key,
                            item.url,
                            item.content_hash,
                            item.title,
                            ts(item.published) if item.published else None,
                            day_text(item.local_date) if item.local_date else None,
                            stamp,
                            original,
                        ),
                    )
                    row_id = int(cursor.lastrowid or 0)
                    keys[item.key] = row_id
                    if original is None:
                        new.append((row_id, item))
                        if item.url:
                            urls.setdefault(item.url, row_id)
                        if item.title or item.summary:
                            hashes.setdefault(item.content_hash, row_id)
        return new

    @staticmethod
    def _existing(
        db: sqlite3.Connection,
        feed: str,
        column: str,
        values: Sequence[str | None],
        *,
        extra: str = "",
        extra_args: tuple[str, ...] = (),
    ) -> dict[str | None, int]:
        """Which of ``values`` the feed's items already have in ``column``, with the first
        such item's id."""
        found: dict[str | None, int] = {}
        wanted = list(dict.fromkeys(v for v in values if v))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for value, row_id in db.execute(
                f"SELECT {column}, MIN(id) FROM items WHERE feed = ? AND {column} IN ({marks})"  # noqa: S608
                f"{extra} GROUP BY {column}",
                (feed, *chunk, *extra_args),
            ):
                found[value] = row_id
        return found

    def count_items(self, feed: str | None = None) -> int:
        """How many distinct items were seen (of one feed, or of all)."""
        if feed is None:
            row = self.db.execute("SELECT COUNT(*) FROM items WHERE duplicate_of IS NULL")
        else:
            row = self.db.execute(
                "SELECT COUNT(*) FROM items WHERE feed = ? AND duplicate_of IS NULL", (feed,)
            )
        return int(row.fetchone()[0])
