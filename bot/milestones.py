"""What to announce, decided from the record. Pure functions: values in, ``Alert`` values
out; no I/O, no clock (``now`` is a parameter).

- ``contact_alert``: a new contact event ("first Austin–Shoigu call since May 13, 161
  days"; "second call in three days"), or a later source of one (a thread reply).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from bot.models import Action, Alert, Block, ContactEvent, Link, Official, Source
from bot.render import (
    bullets,
    context,
    fields,
    format_day,
    heading,
    ordinal,
    plain,
    plural,
    text,
)

__all__ = [
    "Names",
    "contact_alert",
    "contact_kind_noun",
    "display_name",
    "mute_digest",
    "pair_label",
    "source_alert",
    "source_line",
]

_KIND_NOUN = {"call": "call", "meeting": "meeting"}
_KIND_TITLE = {"call": "Call", "meeting": "Meeting"}


def contact_kind_noun(kind: str) -> str:
    """``call`` or ``meeting``."""
    return _KIND_NOUN.get(kind, kind)


class Names(Protocol):
    """Looks officials up by id (the registry)."""

    def get(self, official_id: str) -> Official | None: ...


def display_name(names: Names, official_id: str) -> str:
    official = names.get(official_id)
    return official.name if official else official_id


def _surname(names: Names, official_id: str) -> str:
    official = names.get(official_id)
    return official.surname if official else official_id


def pair_label(names: Names, a: str, b: str, *, short: bool = True) -> str:
    """``Austin–Shoigu`` (short) or ``Lloyd Austin – Sergei Shoigu``."""
    if short:
        return f"{_surname(names, a)}–{_surname(names, b)}"
    return f"{display_name(names, a)} – {display_name(names, b)}"


def _headline(
    names: Names, event: ContactEvent, history: Sequence[ContactEvent], long_silence: int
) -> tuple[str, bool]:
    """The milestone phrase for a new event, and whether it breaks a long silence.

    ``history`` holds the pair's earlier events of the same kind, newest first.
    """
    label = pair_label(names, event.a, event.b)
    noun = _KIND_NOUN[event.kind]
    if not history:
        return f"first {label} {noun} on record", False
    previous = history[0]
    gap = (event.date - previous.date).days
    if gap >= long_silence:
        since = format_day(previous.date, reference=event.date)
        return f"first {label} {noun} since {since}, {plural(gap, 'day')}", True
    window_start = event.date - timedelta(days=6)
    recent = [e for e in history if e.date >= window_start]
    if recent:
        count = len(recent) + 1
        span = (event.date - recent[-1].date).days + 1
        return f"{ordinal(count)} {label} {noun} in {plural(span, 'day', spell=True)}", False
    since = format_day(previous.date, reference=event.date)
    return f"{label} {noun}, {plural(gap, 'day')} after the last on {since}", False


def source_line(source: Source) -> list[str | Link]:
    """A source as rich text: its title linked, and where it came from."""
    runs: list[str | Link] = []
    label = source.title or source.url or "source"
    runs.append(Link(label, source.url) if source.url else label)
    where = source.feed or {
        "history": "bundled record",
        "import": "imported record",
        "editor": "added by an editor",
    }.get(source.origin, "")
    if where:
        runs.append(f" ({where})")
    return runs


def contact_alert(
    names: Names,
    event: ContactEvent,
    history: Sequence[ContactEvent],
    *,
    long_silence: int = 30,
    feed: str | None = None,
    mute_for: str = "1h",
) -> Alert:
    """The alert for a new contact event.

    ``history`` is the pair's earlier events of the same kind, newest first (a few are
    enough: the latest, and those of the last week).
    """
    phrase, urgent = _headline(names, event, history, long_silence)
    source = event.sources[0]
    when = format_day(event.date, weekday=True)
    if event.approximate:
        when = f"about {when} (the report gives no day)"
    blocks = (
        heading(f"{_KIND_TITLE[event.kind]}: {pair_label(names, event.a, event.b, short=False)}"),
        text(phrase[0].upper() + phrase[1:] + "."),
        fields(("Date", when), ("Source", source_line(source))),
        context(f"“{source.evidence}”"),
    )
    actions = (Action(f"Mute {feed} {mute_for}", f"mute {feed} {mute_for}"),) if feed else ()
    return Alert(
        key=f"contact:{event.id}",
        kind="contact",
        text=plain(blocks),
        blocks=blocks,
        feed=feed,
        urgent=urgent,
        actions=actions,
    )


def source_alert(
    names: Names, event: ContactEvent, source: Source, *, feed: str | None = None
) -> Alert:
    """A later report of a known event: posted under the event's first alert."""
    blocks = (
        text(
            f"Another report of the {pair_label(names, event.a, event.b)} "
            f"{_KIND_NOUN[event.kind]} on {format_day(event.date)}:"
        ),
        fields(("Source", source_line(source))),
        context(f"“{source.evidence}”"),
    )
    return Alert(
        key=f"source:{event.id}:{source.id}",
        kind="source",
        text=plain(blocks),
        blocks=blocks,
        feed=feed,
        thread=f"contact:{event.id}",
    )


def mute_digest(
    target: str,
    held: Sequence[Alert],
    *,
    key: str,
    why: str,
    feed: str | None,
) -> Alert:
    """One message for what a mute held back: its first lines, oldest first.

    ``why`` says how the mute ended ("expired", "lifted by U123").
    """
    subject = "every feed" if target == "*" else target
    lines = []
    for alert in held:
        rows = alert.text.splitlines()
        lines.append(" — ".join(rows[:2]) if len(rows) > 1 else (rows[0] if rows else alert.key))
    blocks: list[Block] = [heading(f"Mute of {subject} {why}")]
    if lines:
        verb = "was" if len(lines) == 1 else "were"
        blocks.append(text(f"While muted, {plural(len(lines), 'alert')} {verb} held:"))
        blocks.append(bullets(*lines[:30]))
        if len(lines) > 30:
            blocks.append(text(f"… and {len(lines) - 30} more."))
    else:
        blocks.append(text("Nothing was held while it was muted."))
    return Alert(
        key=key,
        kind="digest" if lines else "mute_expired",
        text=plain(blocks),
        blocks=tuple(blocks),
        feed=feed,
    )
