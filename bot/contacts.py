"""Decisions about the contact record. Pure functions of their inputs; no I/O, no clock.

- ``merge_target``: which existing event a newly reported contact belongs to, if any.
- ``spells``, ``pair_windows``, ``order_windows``, ``clamp_windows``: who a side of a
  question stands for over time. A side
  is an official's id (``lloyd-austin``: that person, always) or a role key
  (``us.defense``: every holder, while they held it), so a watch or a role-level answer
  outlives personnel changes. ``pair_windows`` gives the pairs of officials, and the days
  on which both held their sides, whose contacts count for two sides; ``order_windows``
  puts the latest-ending first (the order the store searches them in) and
  ``clamp_windows`` cuts them at a day (a contact dated ahead of today has not happened).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.models import Official, pair

__all__ = [
    "Candidate",
    "Holders",
    "PairWindow",
    "Spell",
    "clamp_windows",
    "held_roles",
    "merge_target",
    "order_windows",
    "pair_windows",
    "spells",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An existing event of the same pair and kind near the new contact's day.

    Attributes:
        id: the event's id.
        day: its day.
        approximate: its day was not fixed by any source.
        recorded: it comes from a record (bundled history or an import), whose day may be
            off by one from a report's (time zones, late-night calls).
        removed: an editor removed it from the record.
    """

    id: int
    day: date
    approximate: bool
    recorded: bool
    removed: bool = False


def merge_target(
    day: date, approximate: bool, candidates: Sequence[Candidate], *, recorded: bool = False
) -> int | None:
    """The event a contact on ``day`` joins, or ``None`` for a new event.

    ``recorded``: the contact comes from a record (a row of the bundled history or of an
    import). The same day always merges. One day apart merges only when either side's day
    is uncertain: the new contact's or the event's day is approximate, or one side comes
    from a record and the other from a report. Two exactly dated reports a day apart are
    two contacts (talks on consecutive days happen), and so are two records a day apart
    (a record lists each day of a two-day visit). The nearest candidate wins; at the same
    distance a live event beats a removed one, then the oldest event wins.
    """
    best: tuple[int, bool, int] | None = None
    for candidate in candidates:
        gap = abs((candidate.day - day).days)
        if gap > 1:
            continue
        uncertain = approximate or candidate.approximate or candidate.recorded != recorded
        if gap == 1 and not uncertain:
            continue
        rank = (gap, candidate.removed, candidate.id)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


class Holders(Protocol):
    """What ``spells`` needs of the registry."""

    def get(self, official_id: str) -> Official | None: ...

    def holders(self, role_key: str, day: date | None = None) -> tuple[Official, ...]: ...


@dataclass(frozen=True, slots=True)
class Spell:
    """An official standing for a side from ``start`` to ``end`` (``None``: unbounded)."""

    official: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class PairWindow:
    """Contacts of ``a`` and ``b`` (``a < b``) on days ``start``..``end`` count (``None``:
    unbounded)."""

    a: str
    b: str
    start: date | None = None
    end: date | None = None


def _role_key(official: Official, role: str, country: str | None) -> str:
    return f"{(country or official.country).lower()}.{role}"


def spells(registry: Holders, side: str) -> list[Spell]:
    """Who stands for ``side`` (an official's id or a role key), and when."""
    if registry.get(side) is not None:
        return [Spell(side)]
    out: list[Spell] = []
    for official in registry.holders(side):
        for tenure in official.tenures:
            if not tenure.elect and _role_key(official, tenure.role, tenure.country) == side:
                out.append(Spell(official.id, tenure.start, tenure.end))
    return out


def held_roles(official: Official, day: date) -> tuple[str, ...]:
    """The role keys ``official`` held on ``day`` (not those they were only elected to)."""
    return tuple(
        _role_key(official, t.role, t.country)
        for t in official.tenures
        if t.covers(day) and not t.elect
    )


def _later(x: date | None, y: date | None) -> date | None:
    return y if x is None else x if y is None else max(x, y)


def _earlier(x: date | None, y: date | None) -> date | None:
    return y if x is None else x if y is None else min(x, y)


def pair_windows(a_spells: Sequence[Spell], b_spells: Sequence[Spell]) -> list[PairWindow]:
    """The pairs (and the days) whose contacts count between two sides: every two spells
    of different officials that overlap, over their overlap."""
    out: list[PairWindow] = []
    for x in a_spells:
        for y in b_spells:
            if x.official == y.official:
                continue
            start, end = _later(x.start, y.start), _earlier(x.end, y.end)
            if start is not None and end is not None and start > end:
                continue
            first, second = pair(x.official, y.official)
            window = PairWindow(first, second, start, end)
            if window not in out:
                out.append(window)
    return out


def _latest_first(window: PairWindow) -> tuple[date, date]:
    return window.end or date.max, window.start or date.min


def order_windows(windows: Sequence[PairWindow]) -> list[PairWindow]:
    """The windows, latest-ending first (open ones first of all)."""
    return sorted(windows, key=_latest_first, reverse=True)


def clamp_windows(windows: Sequence[PairWindow], until: date) -> list[PairWindow]:
    """The windows cut at ``until``, in the same order; those starting later are dropped."""
    out: list[PairWindow] = []
    for window in windows:
        if window.start is not None and window.start > until:
            continue
        if window.end is not None and window.end <= until:
            out.append(window)
        else:
            out.append(PairWindow(window.a, window.b, window.start, until))
    return out
