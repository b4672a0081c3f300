"""Small tables: mutes, announced milestones, the audit trail, and key/value state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.models import Mute
from bot.store.base import StoreBase, parse_ts, stamp, ts

__all__ = ["Misc"]


class Misc(StoreBase):
    """``mutes``, ``announcements``, ``audit`` and ``kv``."""

    # --- mutes -------------------------------------------------------------------------

    def set_mute(self, mute: Mute) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO mutes (target, until, reason, by_user, created)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(target) DO UPDATE SET until = excluded.until,"
                " reason = excluded.reason, by_user = excluded.by_user, created = excluded.created",
                (mute.target, ts(mute.until), mute.reason, mute.by, ts(mute.created)),
            )

    def remove_mute(self, target: str) -> Mute | None:
        """Remove a mute; returns it, or ``None`` if there was none."""
        with self.transaction() as db:
            found = self._mute_row(target)
            db.execute("DELETE FROM mutes WHERE target = ?", (target,))
        return found

    def _mute_row(self, target: str) -> Mute | None:
        row = self.db.execute("SELECT * FROM mutes WHERE target = ?", (target,)).fetchone()
        if row is None:
            return None
        return Mute(
            target=row["target"],
            until=stamp(row["until"]),
            reason=row["reason"],
            by=row["by_user"],
            created=stamp(row["created"]),
        )

    def mutes(self) -> list[Mute]:
        """Every mute in the store, soonest expiry first (expired ones too, until removed)."""
        targets = [r[0] for r in self.db.execute("SELECT target FROM mutes ORDER BY until")]
        return [m for t in targets if (m := self._mute_row(t)) is not None]

    # --- announcements -----------------------------------------------------------------

    def announce_once(self, key: str, at: datetime) -> bool:
        """Claim a milestone key; ``True`` the first time only."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO announcements (key, at) VALUES (?, ?)", (key, ts(at))
            )
        return cursor.rowcount == 1

    def forget_announcement(self, key: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM announcements WHERE key = ?", (key,))

    def announced(self, key: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM announcements WHERE key = ?", (key,)).fetchone()
            is not None
        )

    # --- audit -------------------------------------------------------------------------

    def audit(self, platform: str, user: str, action: str, detail: Mapping[str, Any]) -> None:
        """Keep who changed what and when."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO audit (at, platform, user, action, detail) VALUES (?, ?, ?, ?, ?)",
                (ts(self.now()), platform, user, action, json.dumps(dict(detail), default=str)),
            )

    def audit_trail(self, limit: int = 50) -> list[dict[str, Any]]:
        return [
            {
                "at": parse_ts(r["at"]),
                "platform": r["platform"],
                "user": r["user"],
                "action": r["action"],
                "detail": json.loads(r["detail"]),
            }
            for r in self.db.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        ]

    # --- key/value ---------------------------------------------------------------------

    def get_value(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_value(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
