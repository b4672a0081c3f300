"""What the store knows of rows loaded from record files (the bundled history, imports).

Only the question that makes loading a file idempotent: was this row recorded before? A
row's contact is recorded through ``Events.record_contact`` like any other report.
"""

from __future__ import annotations

from datetime import date

from bot.models import Kind, Origin, pair
from bot.store.base import StoreBase, day_text

__all__ = ["Records"]


class Records(StoreBase):
    """Queries over the sources that record files added."""

    def has_record_source(
        self, a: str, b: str, *, kind: Kind, day: date, origin: Origin, url: str
    ) -> bool:
        """Whether the pair's event of this kind on ``day`` (also one an editor removed)
        already has a source of this origin and URL: the row was recorded before."""
        first, second = pair(a, b)
        row = self.db.execute(
            "SELECT 1 FROM events e JOIN sources s ON s.event_id = e.id"
            " WHERE e.a = ? AND e.b = ? AND e.kind = ? AND e.day = ?"
            " AND s.origin = ? AND s.url = ? LIMIT 1",
            (first, second, kind, day_text(day), origin, url),
        ).fetchone()
        return row is not None
