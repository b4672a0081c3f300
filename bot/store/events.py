"""Contact events and their sources, and silence claims.

A reported contact joins an existing event of the same pair, kind and day (see
``bot.contacts.merge_target``) as one more source, or starts a new event. One item is a
source of one event at most once. Editors remove events with a soft delete (``removed``):
the event and its sources stay, out of every answer.

The queries answers need are index lookups: a pair's events (``events_by_pair``), an
official's latest (``events_by_a``/``events_by_b``), and the latest event of many pair
windows at once (``latest_events``: boards, watches, role-level answers).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from bot.contacts import Candidate, PairWindow, clamp_windows, merge_target, order_windows
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
        event: the event with its first source and the one just added (``Store.event``
            has them all).
        new: this report started the event (else it joined as a later source).
        source: the source just added.
    """

    event: ContactEvent
    new: bool
    source: Source


_CHUNK = 400
"""Rows of a ``VALUES`` list per query (well under SQLite's limit on parameters)."""
_FIRST_DAY = "0001-01-01"
_LAST_DAY = "9999-12-31"

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _end_text(window: PairWindow) -> str:
    return day_text(window.end) if window.end else _LAST_DAY


def _claim(row: sqlite3.Row) -> tuple[SilenceClaim, Source]:
    claim = SilenceClaim(row["a"], row["b"], parse_day(row["since"]), row["kind"], row["evidence"])
    return claim, _source(row, origin="feed")


def _source(row: sqlite3.Row, origin: Origin | None = None) -> Source:
    """A ``sources`` row (or a silence claim's, whose origin is given) as a ``Source``."""
    return Source(
        origin=origin or row["origin"],
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
        """Record one report of a contact.

        Returns ``None`` when this item is already a source of the event it would join (a
        re-run, or the same contact said twice), and when the report joins an event an
        editor removed: the source is kept with it as evidence, but the contact stays out
        of the record and is not announced again.
        """
        a, b = pair(a, b)
        when = ts(now or self.now())
        with self.transaction() as db:
            rows = db.execute(
                "SELECT e.id, e.day, e.approximate, e.removed IS NOT NULL AS removed,"
                " EXISTS (SELECT 1 FROM sources s WHERE s.event_id = e.id"
                "         AND s.origin IN ('history', 'import')) AS recorded"
                " FROM events e WHERE e.a = ? AND e.b = ? AND e.kind = ?"
                " AND e.day BETWEEN ? AND ?",
                (a, b, kind, day_text(day - timedelta(days=1)), day_text(day + timedelta(days=1))),
            ).fetchall()
            candidates = [
                Candidate(
                    r["id"],
                    date.fromisoformat(r["day"]),
                    bool(r["approximate"]),
                    bool(r["recorded"]),
                    bool(r["removed"]),
                )
                for r in rows
                # an editor's own entry never joins what an editor removed
                if not (r["removed"] and source.origin == "editor")
            ]
            from_record = source.origin in ("history", "import")
            target = merge_target(day, approximate, candidates, recorded=from_record)
            removed = any(c.removed for c in candidates if c.id == target)
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
                if not approximate and not removed:
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
            if removed:
                return None  # kept as evidence of what an editor removed; never announced
            event = self._event_head(event_id, source_id)
        added = next(s for s in event.sources if s.id == source_id)
        return Recorded(event, new, added)

    def _event_head(self, event_id: int, source_id: int) -> ContactEvent:
        """An event with only its first source and ``source_id``: what an alert needs, at a
        cost that does not grow with the number of reports of a big event."""
        row = self.db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        sources = self.db.execute(
            "SELECT * FROM sources WHERE event_id = ? AND (id = ? OR id ="
            " (SELECT MIN(id) FROM sources WHERE event_id = ?)) ORDER BY id",
            (event_id, source_id, event_id),
        ).fetchall()
        return dataclasses.replace(
            self._events([row], with_sources=False)[0],
            sources=tuple(_source(s) for s in sources),
        )

    def event(self, event_id: int) -> ContactEvent | None:
        """One event with all its sources (also a removed one)."""
        row = self.db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        return self._events([row])[0]

    def _events(
        self, rows: Sequence[sqlite3.Row], *, with_sources: bool = True
    ) -> list[ContactEvent]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        by_event: dict[int, list[Source]] = {i: [] for i in ids}
        if with_sources:
            marks = ",".join("?" * len(ids))
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
        with_sources: bool = True,
    ) -> list[ContactEvent]:
        """A pair's events, newest first (removed ones left out); ``with_sources=False``
        leaves the sources out (dates and kinds are all a milestone needs)."""
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
        return self._events(self.db.execute(sql, args).fetchall(), with_sources=with_sources)

    def pair_counts(self, a: str, b: str, *, since: date | None = None) -> dict[Kind, int]:
        """How many events a pair has of each kind (since a day, if given)."""
        a, b = pair(a, b)
        sql = "SELECT kind, COUNT(*) AS n FROM events WHERE a = ? AND b = ? AND removed IS NULL"
        args: list[object] = [a, b]
        if since is not None:
            sql += " AND day >= ?"
            args.append(day_text(since))
        rows = self.db.execute(sql + " GROUP BY kind", args).fetchall()
        return {row["kind"]: int(row["n"]) for row in rows}

    def first_day(self, a: str, b: str, *, since: date | None = None) -> date | None:
        """The day of a pair's first event (on or after ``since``), if any."""
        a, b = pair(a, b)
        row = self.db.execute(
            "SELECT MIN(day) FROM events WHERE a = ? AND b = ? AND removed IS NULL AND day >= ?",
            (a, b, day_text(since) if since else _FIRST_DAY),
        ).fetchone()
        return parse_day(row[0])

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
        return self.latest_silence_claims([(a, b)]).get(pair(a, b))

    def latest_silence_claims(
        self, pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[SilenceClaim, Source]]:
        """The newest silence claim about each pair that has one (keys in ``pair`` order)."""
        wanted = sorted({pair(a, b) for a, b in pairs})
        found: dict[tuple[str, str], tuple[SilenceClaim, Source]] = {}
        for chunk in _chunks(wanted, _CHUNK):
            values = ",".join("(?, ?)" for _ in chunk)
            rows = self.db.execute(
                f"WITH w(a, b) AS (VALUES {values})"  # noqa: S608 - placeholders only
                " SELECT s.* FROM w JOIN silence_claims s ON s.id = ("
                "  SELECT c.id FROM silence_claims c WHERE c.a = w.a AND c.b = w.b"
                "  ORDER BY c.added DESC, c.id DESC LIMIT 1)",
                [x for ab in chunk for x in ab],
            ).fetchall()
            for row in rows:
                found[(row["a"], row["b"])] = _claim(row)
        return found

    def latest_events(
        self,
        groups: Sequence[tuple[Sequence[PairWindow], Kind | None]],
        *,
        until: date | None = None,
        ordered: bool = False,
    ) -> list[ContactEvent | None]:
        """For each group of pair windows (and a kind, or any), its latest event: the
        newest contact of any of its pairs on a day inside that pair's window (and not
        after ``until``: a contact dated ahead of today has not happened).

        A board or every watch is answered in a few queries: each round asks every group's
        next window (latest-ending first) at once, from an index alone, and a group is done
        as soon as the contact found is later than any window it has left. ``ordered``
        says the windows are already in that order (``bot.contacts.order_windows``).
        """
        pending: dict[int, list[PairWindow]] = {}
        for g, (windows, _) in enumerate(groups):
            todo = list(windows) if ordered or len(windows) < 2 else order_windows(windows)
            if until is not None:
                todo = clamp_windows(todo, until)
            if todo:
                pending[g] = todo
        best: dict[int, tuple[str, int]] = {}
        while pending:
            batch = [(g, windows.pop(0), groups[g][1]) for g, windows in pending.items()]
            for g, mark in self._latest_marks(batch):
                if g not in best or mark > best[g]:
                    best[g] = mark
            pending = {
                g: windows
                for g, windows in pending.items()
                if windows and (g not in best or best[g][0] <= _end_text(windows[0]))
            }
        events = {e.id: e for e in self.events_by_id(i for _, i in best.values())}
        return [events[best[g][1]] if g in best else None for g in range(len(groups))]

    def _latest_marks(
        self, batch: Sequence[tuple[int, PairWindow, Kind | None]]
    ) -> list[tuple[int, tuple[str, int]]]:
        """``(group, (day, event id))`` of the latest live event in each window that has
        one."""
        out: list[tuple[int, tuple[str, int]]] = []
        for chunk in _chunks(batch, _CHUNK):
            values = ",".join("(?, ?, ?, ?, ?, ?)" for _ in chunk)
            params: list[object] = []
            for g, w, kind in chunk:
                start = day_text(w.start) if w.start else _FIRST_DAY
                params += [g, w.a, w.b, start, _end_text(w), kind]
            # from the events_live index alone: no table row is read
            rows = self.db.execute(
                f"WITH w(g, a, b, lo, hi, kind) AS (VALUES {values})"  # noqa: S608
                " SELECT w.g AS g, ("
                "  SELECT x.day || ' ' || x.id FROM events x WHERE x.a = w.a AND x.b = w.b"
                "  AND x.day >= w.lo AND x.day <= w.hi AND x.removed IS NULL"
                "  AND (w.kind IS NULL OR x.kind = w.kind)"
                "  ORDER BY x.day DESC, x.id DESC LIMIT 1) AS found FROM w",
                params,
            ).fetchall()
            for row in rows:
                if row["found"] is not None:
                    day, _, event_id = row["found"].partition(" ")
                    out.append((row["g"], (day, int(event_id))))
        return out

    def events_by_id(self, ids: Iterable[int]) -> list[ContactEvent]:
        """The events with these ids (removed ones too), in id order."""
        wanted = sorted(set(ids))
        out: list[ContactEvent] = []
        for chunk in _chunks(wanted, _CHUNK):
            marks = ",".join("?" * len(chunk))
            out.extend(
                self._events(
                    self.db.execute(
                        f"SELECT * FROM events WHERE id IN ({marks}) ORDER BY id",  # noqa: S608
                        chunk,
                    ).fetchall()
                )
            )
        return out

    def official_events(
        self,
        official: str,
        *,
        limit: int = 5,
        kind: Kind | None = None,
        until: date | None = None,
    ) -> list[ContactEvent]:
        """An official's latest events with anyone (up to ``until``), newest first."""
        part = "SELECT * FROM events WHERE {side} = ? AND removed IS NULL AND day <= ?"
        if kind is not None:
            part += " AND kind = ?"
        part += " ORDER BY day DESC, id DESC LIMIT ?"
        last = day_text(until) if until else _LAST_DAY
        args: list[object] = []
        for _side in ("a", "b"):
            args += [official, last, *([kind] if kind is not None else []), limit]
        sql = (
            f"SELECT * FROM ({part.format(side='a')}) UNION ALL"  # noqa: S608
            f" SELECT * FROM ({part.format(side='b')}) ORDER BY day DESC, id DESC LIMIT ?"
        )
        return self._events(self.db.execute(sql, [*args, limit]).fetchall())

    def remove_event(self, event_id: int, *, by: str, at: datetime) -> ContactEvent | None:
        """Take an event out of the record (a soft delete: it and its sources are kept, and
        later reports of it are kept with it without making it live again). Returns the
        event, or ``None`` when there is no live event with that id."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE events SET removed = ?, removed_by = ? WHERE id = ? AND removed IS NULL",
                (ts(at), by, event_id),
            )
            if cursor.rowcount != 1:
                return None
        return self.event(event_id)

    def removal(self, event_id: int) -> tuple[datetime, str] | None:
        """When and by whom an event was removed, if it was."""
        row = self.db.execute(
            "SELECT removed, removed_by FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        if row is None or row["removed"] is None:
            return None
        return stamp(row["removed"]), row["removed_by"] or ""

    def count_events(self) -> int:
        return int(
            self.db.execute("SELECT COUNT(*) FROM events WHERE removed IS NULL").fetchone()[0]
        )
