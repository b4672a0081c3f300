"""Contact events and their sources, and silence claims.

A reported contact joins an existing event of the same pair, kind and day (see
``bot.contacts.merge_target``) as one more source, or starts a new event. One item is a
source of one event at most once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.contacts import Candidate, merge_target
from bot.models import ContactEvent, Kind, Origin, SilenceClaim, Source, pair
from bot.store.base import StoreBase, day_text, parse_day, parse_ts, stamp, ts

__all__ = ["Events", "NewSource", "Recorded"]


@dataclass(frozen=True, slots=True)
class NewSource:
    """What is known of a report when it is recorded."""

    origin: Origin
    title: str
    evidence: str
    url: str | None = None
    feed: str | None = None
    item_id: int | None = None
    published: datetime | None = None
    confidence: float = 1.0
    added_by: str | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """The outcome of recording one contact.

    Attributes:
        event: the event, with every source so far.
        new: this report started the event (else it joined as a later source).
        source: the source just added.
    """

    event: ContactEvent
    new: bool
    source: Source


def _source(row: sqlite3.Row) -> Source:
    return Source(
        origin=row["origin"],
        feed=row["feed"],
        url=row["url"],
        title=row["title"],
        published=parse_ts(row["published"]),
        evidence=row["evidence"],
        added=stamp(row["added"]),
        id=row["id"],
    )


class Events(StoreBase):
    """The ``events``, ``sources`` and ``silence_claims`` tables."""

    def record_contact(
        self,
        a: str,
        b: str,
        *,
        kind: Kind,
        day: date,
        approximate: bool,
        source: NewSource,
        now: datetime | None = None,
    ) -> Recorded | None:
        """Record one report of a contact. Returns ``None`` when this item is already a
        source of the event it would join (a re-run, or the same contact said twice)."""
        a, b = pair(a, b)
        when = ts(now or self.now())
        with self.transaction() as db:
            rows = db.execute(
                "SELECT e.id, e.day, e.approximate,"
                " EXISTS (SELECT 1 FROM sources s WHERE s.event_id = e.id"
                "         AND s.origin IN ('history', 'import')) AS recorded"
                " FROM events e WHERE e.a = ? AND e.b = ? AND e.kind = ? AND e.removed IS NULL"
                " AND e.day BETWEEN ? AND ?",
                (a, b, kind, day_text(day - timedelta(days=1)), day_text(day + timedelta(days=1))),
            ).fetchall()
            candidates = [
                Candidate(
                    r["id"],
                    date.fromisoformat(r["day"]),
                    bool(r["approximate"]),
                    bool(r["recorded"]),
                )
                for r in rows
            ]
            from_record = source.origin in ("history", "import")
            target = merge_target(day, approximate, candidates, recorded=from_record)
            if target is None:
                cursor = db.execute(
                    "INSERT INTO events (a, b, kind, day, approximate, created)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (a, b, kind, day_text(day), int(approximate), when),
                )
                event_id, new = int(cursor.lastrowid or 0), True
            else:
                event_id, new = target, False
                if (
                    source.item_id is not None
                    and db.execute(
                        "SELECT 1 FROM sources WHERE event_id = ? AND item_id = ?",
                        (event_id, source.item_id),
                    ).fetchone()
                ):
                    return None
                if not approximate:
                    # an exact report fixes the day of an approximate event, and a record's
                    # day is the event's (a report's may be a day off)
                    db.execute(
                        "UPDATE events SET day = ?, approximate = 0"
                        " WHERE id = ? AND (approximate = 1 OR ?)",
                        (day_text(day), event_id, int(from_record)),
                    )
            cursor = db.execute(
                "INSERT INTO sources (event_id, origin, feed, item_id, url, title, published,"
                " evidence, confidence, added, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event_id,
                    source.origin,
                    source.feed,
                    source.item_id,
                    source.url,
                    source.title,
                    ts(source.published) if source.published else None,
                    source.evidence,
                    source.confidence,
                    when,
                    source.added_by,
                ),
            )
            source_id = int(cursor.lastrowid or 0)
            event = self.event(event_id)
            assert event is not None
        added = next(s for s in event.sources if s.id == source_id)
        return Recorded(event, new, added)

    def event(self, event_id: int) -> ContactEvent | None:
        """One event with all its sources (also a removed one)."""
        row = self.db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        return self._events([row])[0]

    def _events(self, rows: Sequence[sqlite3.Row]) -> list[ContactEvent]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        by_event: dict[int, list[Source]] = {i: [] for i in ids}
        for s in self.db.execute(
            f"SELECT * FROM sources WHERE event_id IN ({marks}) ORDER BY id",  # noqa: S608
            ids,
        ):
            by_event[s["event_id"]].append(_source(s))
        return [
            ContactEvent(
                id=r["id"],
                a=r["a"],
                b=r["b"],
                kind=r["kind"],
                date=date.fromisoformat(r["day"]),
                approximate=bool(r["approximate"]),
                sources=tuple(by_event[r["id"]]),
                created=stamp(r["created"]),
            )
            for r in rows
        ]

    def pair_events(
        self,
        a: str,
        b: str,
        *,
        kind: Kind | None = None,
        before: date | None = None,
        since: date | None = None,
        limit: int | None = None,
        exclude: int | None = None,
    ) -> list[ContactEvent]:
        """A pair's events, newest first (removed ones left out)."""
        a, b = pair(a, b)
        sql = "SELECT * FROM events WHERE a = ? AND b = ? AND removed IS NULL"
        args: list[object] = [a, b]
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        if before is not None:
            sql += " AND day < ?"
            args.append(day_text(before))
        if since is not None:
            sql += " AND day >= ?"
            args.append(day_text(since))
        if exclude is not None:
            sql += " AND id != ?"
            args.append(exclude)
        sql += " ORDER BY day DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return self._events(self.db.execute(sql, args).fetchall())

    def previous_event(self, event: ContactEvent, kind: Kind | None = None) -> ContactEvent | None:
        """The pair's latest event before ``event``'s day (of ``kind``, if given)."""
        found = self.pair_events(
            event.a, event.b, kind=kind, before=event.date, limit=1, exclude=event.id
        )
        return found[0] if found else None

    def record_silence_claim(
        self, claim: SilenceClaim, source: NewSource, now: datetime | None = None
    ) -> None:
        """Keep a text's claim that a pair has not talked since a day."""
        a, b = pair(claim.a, claim.b)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO silence_claims (a, b, since, kind, evidence, feed, item_id, url,"
                " title, published, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    a,
                    b,
                    day_text(claim.since) if claim.since else None,
                    claim.kind,
                    claim.evidence,
                    source.feed,
                    source.item_id,
                    source.url,
                    source.title,
                    ts(source.published) if source.published else None,
                    ts(now or self.now()),
                ),
            )

    def latest_silence_claim(self, a: str, b: str) -> tuple[SilenceClaim, Source] | None:
        """The newest silence claim about a pair, with where it was made."""
        a, b = pair(a, b)
        row = self.db.execute(
            "SELECT * FROM silence_claims WHERE a = ? AND b = ? ORDER BY added DESC, id DESC"
            " LIMIT 1",
            (a, b),
        ).fetchone()
        if row is None:
            return None
        claim = SilenceClaim(
            row["a"], row["b"], parse_day(row["since"]), row["kind"], row["evidence"]
        )
        source = Source(
            origin="feed",
            feed=row["feed"],
            url=row["url"],
            title=row["title"],
            published=parse_ts(row["published"]),
            evidence=row["evidence"],
            added=stamp(row["added"]),
            id=row["id"],
        )
        return claim, source

    def count_events(self) -> int:
        return int(
            self.db.execute("SELECT COUNT(*) FROM events WHERE removed IS NULL").fetchone()[0]
        )
