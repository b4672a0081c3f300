"""Decisions about the contact record. Pure functions of their inputs; no I/O, no clock.

- ``merge_target``: which existing event a newly reported contact belongs to, if any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["Candidate", "merge_target"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An existing event of the same pair and kind near the new contact's day.

    Attributes:
        id: the event's id.
        day: its day.
        approximate: its day was not fixed by any source.
        recorded: it comes from a record (bundled history or an import), whose day may be
            off by one from a report's (time zones, late-night calls).
    """

    id: int
    day: date
    approximate: bool
    recorded: bool


def merge_target(
    day: date, approximate: bool, candidates: Sequence[Candidate], *, recorded: bool = False
) -> int | None:
    """The event a contact on ``day`` joins, or ``None`` for a new event.

    ``recorded``: the contact comes from a record (a row of the bundled history or of an
    import). The same day always merges. One day apart merges only when either side's day
    is uncertain: the new contact's or the event's day is approximate, or one side comes
    from a record and the other from a report. Two exactly dated reports a day apart are
    two contacts (talks on consecutive days happen), and so are two records a day apart
    (a record lists each day of a two-day visit). The nearest candidate wins; ties go to
    the oldest event.
    """
    best: Candidate | None = None
    for candidate in candidates:
        gap = abs((candidate.day - day).days)
        if gap > 1:
            continue
        uncertain = approximate or candidate.approximate or candidate.recorded != recorded
        if gap == 1 and not uncertain:
            continue
        if best is None or (gap, candidate.id) < (abs((best.day - day).days), best.id):
            best = candidate
    return best.id if best else None
