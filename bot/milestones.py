"""What to announce, decided from the record. Pure functions: values in, ``Alert`` values
out; no I/O, no clock (``today`` is a parameter).

- ``contact_alert``: a new contact event ("first Austin–Shoigu call since May 13, 161
  days"; "second call in three days"), or a later source of one (a thread reply).
- ``silence_alerts``: which watched silences crossed a mark ("No Biden–Putin call since
  February 12: 100 days"), each mark announced once per silence; a new contact starts a
  new silence and re-arms the marks.
- ``mute_digest``: what a mute held back, as one message.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from bot.models import (
    Action,
    Alert,
    Block,
    ContactEvent,
    Kind,
    Link,
    Official,
    SilenceClaim,
    Source,
    Watch,
    pair,
)
from bot.names import role_label, role_title
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
    "Silence",
    "claim_is_newer",
    "contact_alert",
    "contact_kind_noun",
    "contact_line",
    "display_name",
    "mute_digest",
    "pair_label",
    "reading_order",
    "side_label",
    "silence_alerts",
    "source_alert",
    "source_line",
    "watch_key",
    "watch_label",
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


def reading_order(names: Names, a: str, b: str) -> tuple[str, str]:
    """The order a pair is written in: the US side first (``Austin–Shoigu``,
    ``Burns–Naryshkin``), otherwise alphabetically by surname (``Erdogan–Putin``)."""
    first, second = names.get(a), names.get(b)
    if first is None or second is None:
        return a, b
    if (second.country == "US") != (first.country == "US"):
        return (b, a) if second.country == "US" else (a, b)
    return (a, b) if first.surname.lower() <= second.surname.lower() else (b, a)


def pair_label(names: Names, a: str, b: str, *, short: bool = True, as_given: bool = False) -> str:
    """``Austin–Shoigu`` (short) or ``Lloyd Austin – Sergei Shoigu``, in reading order
    (``as_given``: in the order given, as a board that names one country first)."""
    if not as_given:
        a, b = reading_order(names, a, b)
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


# --- silences ----------------------------------------------------------------------------


def side_label(names: Names, side: str) -> str:
    """An official's surname, or a role key's label (``US defence chief``)."""
    if names.get(side) is not None:
        return _surname(names, side)
    return role_label(side)


def watch_label(names: Names, watch: Watch) -> str:
    """``Biden–Putin``, ``US–RU defence chiefs``, or the watch's own name."""
    if watch.name:
        return watch.name
    a_is_role = names.get(watch.a) is None
    b_is_role = names.get(watch.b) is None
    if a_is_role and b_is_role:
        a_code, _, a_role = watch.a.partition(".")
        b_code, _, b_role = watch.b.partition(".")
        if a_role == b_role:
            return f"{a_code.upper()}–{b_code.upper()} {role_title(a_role, plural=True)}"
    if not a_is_role and not b_is_role:
        return pair_label(names, watch.a, watch.b)
    return f"{side_label(names, watch.a)} – {side_label(names, watch.b)}"


def watch_key(watch: Watch) -> str:
    """The stable part of a watch's alert keys: ``a~b`` (sorted), and its kind if any."""
    a, b = pair(watch.a, watch.b)
    return f"{a}~{b}" + (f":{watch.kind}" if watch.kind else "")


def claim_is_newer(
    claim: SilenceClaim | None, last: ContactEvent | None, kind: Kind | None
) -> bool:
    """Whether a silence claim knows of a later contact than the record's ``last``: it
    names a day after it (or the record has none), and it is about contacts of ``kind``
    (a claim about calls tells nothing about meetings)."""
    if claim is None or claim.since is None:
        return False
    if kind is not None and claim.kind != kind:
        return False
    return last is None or claim.since > last.date


@dataclass(frozen=True, slots=True)
class Silence:
    """A watch's current silence, as read from the record.

    Attributes:
        watch: the watch.
        label: how answers name it (``Biden–Putin``, ``US–RU defence chiefs``).
        last: the latest contact that counts for it, if any.
        claim: the newest silence claim about its pairs, and where it was made.
        holders: for role watches, today's holders of each side (surnames), if any.
        lead: the officials who stand for the watch's first side (named first).
    """

    watch: Watch
    label: str
    last: ContactEvent | None
    claim: tuple[SilenceClaim, Source] | None = None
    holders: tuple[str, str] | None = None
    lead: frozenset[str] = frozenset()

    @property
    def newer_claim(self) -> tuple[SilenceClaim, Source] | None:
        """The claim, when it names a later contact than the record's last."""
        if self.claim and claim_is_newer(self.claim[0], self.last, self.watch.kind):
            return self.claim
        return None

    @property
    def since(self) -> date | None:
        """The day of the last contact, by the record or a newer claim."""
        newer = self.newer_claim
        if newer is not None:
            return newer[0].since
        return self.last.date if self.last else None

    @property
    def anchor(self) -> str | None:
        """What the silence runs from: ``e42`` (an event) or ``d2022-02-12`` (a claim's
        day); ``None`` when nothing is known."""
        newer = self.newer_claim
        if newer is not None and newer[0].since is not None:
            return f"d{newer[0].since.isoformat()}"
        return f"e{self.last.id}" if self.last else None

    def days(self, today: date) -> int | None:
        """Days of silence as of ``today``; ``None`` with no contact known."""
        since = self.since
        return (today - since).days if since is not None else None


def contact_line(
    names: Names,
    event: ContactEvent,
    *,
    reference: date | None = None,
    lead: Container[str] = (),
) -> str:
    """``Austin–Belousov call on Fri July 12, 2024`` (``about ...`` when approximate).

    The official in ``lead`` (the side the question named first) is named first; without
    one, the pair is in reading order.
    """
    day = format_day(event.date, reference=reference, weekday=True)
    if event.approximate:
        day = f"about {day}"
    if event.a in lead or event.b in lead:
        first, second = (event.b, event.a) if event.b in lead else (event.a, event.b)
        label = pair_label(names, first, second, as_given=True)
    else:
        label = pair_label(names, event.a, event.b)
    return f"{label} {_KIND_NOUN[event.kind]} on {day}"


def _silence_alert(names: Names, silence: Silence, threshold: int, today: date) -> Alert:
    watch = silence.watch
    since = silence.since
    assert since is not None
    assert silence.anchor is not None
    days = (today - since).days
    noun = _KIND_NOUN[watch.kind] if watch.kind else "contact"
    headline = (
        f"No {_subject(names, watch, silence.label, noun)} since "
        f"{format_day(since, reference=today)}: {plural(days, 'day')}"
    )
    rows: list[tuple[str, Sequence[str | Link] | str]] = []
    if silence.last is not None:
        first = silence.last.sources[0] if silence.last.sources else None
        line: list[str | Link] = [contact_line(names, silence.last, lead=silence.lead)]
        if first is not None:
            line += [" — ", *source_line(first)]
        rows.append(("Last on record", line))
    if silence.holders:
        rows.append(("Now", f"{silence.holders[0]} and {silence.holders[1]}"))
    rows.append(("Mark", f"{plural(threshold, 'day')} (marks: {_marks(watch.thresholds)})"))
    blocks: list[Block] = [
        heading(f"Silence: {silence.label}"),
        text(headline + "."),
        fields(*rows),
    ]
    newer = silence.newer_claim
    if newer is not None:
        claim, source = newer
        blocks.append(
            context(
                ["Counted from a report that says: “", claim.evidence, "” — ", *source_line(source)]
            )
        )
    return Alert(
        key=f"silence:{watch_key(watch)}:{threshold}:{silence.anchor}",
        kind="silence",
        text=plain(blocks),
        blocks=tuple(blocks),
    )


def _subject(names: Names, watch: Watch, label: str, noun: str) -> str:
    """``Biden–Putin call`` or ``call between the US and RU defence chiefs``."""
    a_code, _, a_role = watch.a.partition(".")
    b_code, _, b_role = watch.b.partition(".")
    same_role = names.get(watch.a) is None and names.get(watch.b) is None and a_role == b_role
    if same_role and not watch.name:
        roles = role_title(a_role, plural=True)
        return f"{noun} between the {a_code.upper()} and {b_code.upper()} {roles}"
    return f"{label} {noun}"


def _marks(thresholds: Sequence[int]) -> str:
    return ", ".join(str(t) for t in sorted(thresholds)) + " days"


def silence_alerts(
    names: Names, silences: Sequence[Silence], announced: Container[str], today: date
) -> list[tuple[Alert, Silence]]:
    """The silence marks to announce now, each with its silence (for routing).

    For each watch, only the highest mark its silence has reached counts: marks are
    crossed one at a time as days pass, and after a gap (Hotline was down, a contact was
    removed) the lower marks are not announced late. A mark already announced for this
    silence (same key) is not announced again; a new contact changes the anchor, so the
    next silence starts over. Watches with no contact known are never announced.
    """
    out: list[tuple[Alert, Silence]] = []
    for silence in silences:
        days = silence.days(today)
        if days is None:
            continue
        crossed = [t for t in silence.watch.thresholds if days >= t]
        if not crossed:
            continue
        alert = _silence_alert(names, silence, max(crossed), today)
        if alert.key not in announced:
            out.append((alert, silence))
    return out
