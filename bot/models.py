"""Value objects that cross module boundaries.

Pure data: frozen, slotted dataclasses named for their role, with no behaviour beyond small
derived properties. Nothing here does I/O, reads a clock or imports a chat SDK. Every
``datetime`` is timezone-aware UTC; calendar days are plain ``date`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

__all__ = [
    "ROLES",
    "Action",
    "Alert",
    "AlertKind",
    "Block",
    "Contact",
    "ContactEvent",
    "Delivery",
    "Destination",
    "FeedOutcome",
    "FeedSpec",
    "FeedState",
    "FeedStatus",
    "Image",
    "IncomingMessage",
    "Inline",
    "Item",
    "Kind",
    "Link",
    "Mention",
    "Mute",
    "Official",
    "Origin",
    "Platform",
    "Reply",
    "SilenceClaim",
    "Source",
    "Strong",
    "Tenure",
    "Watch",
    "pair",
]

Kind = Literal["call", "meeting"]
"""How two officials talked: ``call`` (phone or video) or ``meeting`` (in person)."""

Platform = Literal["console", "slack", "matrix"]
"""A chat front-end's name; also the key of per-platform sections in ``feeds.yaml``."""

ROLES: tuple[str, ...] = (
    "head_of_state",
    "head_of_government",
    "foreign",
    "defense",
    "military",
    "security",
    "intelligence",
    "aide",
    "envoy",
)
"""Leader-level roles, in the order boards list them.

``foreign``: foreign minister / secretary of state; ``defense``: defence minister;
``military``: top military officer; ``security``: national security adviser or security
council secretary; ``intelligence``: foreign-intelligence chief; ``aide``: a head of state's
top foreign-policy aide; ``envoy``: a named special envoy of a head of state.
"""


def pair(a: str, b: str) -> tuple[str, str]:
    """The canonical (sorted) order of an unordered pair of ids."""
    return (a, b) if a <= b else (b, a)


# --- officials ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tenure:
    """One spell of one role.

    Attributes:
        role: one of ``ROLES``.
        start: first day in the role.
        end: last day in the role; ``None`` while it is still held.
        country: the government served, when it differs from the official's own (rare).
        elect: the time between election and taking office (a president-elect): the
            official counts as leader-level, but is not yet the role's holder.
    """

    role: str
    start: date
    end: date | None = None
    country: str | None = None
    elect: bool = False

    def covers(self, day: date) -> bool:
        """Whether the role was held on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Official:
    """A leader-level official in the registry.

    Attributes:
        id: stable id (``lloyd-austin``); never reused.
        name: canonical full English name.
        country: ISO 3166 alpha-2 code, or ``NATO``/``UN``/``EU`` for those bodies.
        tenures: the roles held, with dates.
        aliases: other spellings, transliterations, native-script forms and handles.
        short: the short name a wire would use for them (``Xi``, ``Kim``, ``von der Leyen``,
            ``bin Salman``), when it is not the last word of ``name``; ``None`` otherwise.
    """

    id: str
    name: str
    country: str
    tenures: tuple[Tenure, ...] = ()
    aliases: tuple[str, ...] = ()
    short: str | None = None

    def roles_on(self, day: date) -> tuple[str, ...]:
        """The roles held on ``day``, in tenure order."""
        return tuple(t.role for t in self.tenures if t.covers(day))

    def role_keys_on(self, day: date) -> tuple[str, ...]:
        """Role keys (``us.defense``) held on ``day``."""
        return tuple(
            f"{(t.country or self.country).lower()}.{t.role}" for t in self.tenures if t.covers(day)
        )

    @property
    def surname(self) -> str:
        """The short name for display: ``short`` when set (``Xi`` for Xi Jinping, ``Kim`` for
        Kim Jong Un), else the last word of the canonical name (``Putin``)."""
        return self.short or self.name.split()[-1]


@dataclass(frozen=True, slots=True)
class Mention:
    """Where an official is named in a text.

    Attributes:
        official: the official's id.
        start: offset of the first character in the text.
        end: offset one past the last character.
        text: the words that named them.
        via: how they were named (``name``, ``surname``, ``alias``, ``role``, ``reference``).
    """

    official: str
    start: int
    end: int
    text: str
    via: str = "name"


# --- feeds and items ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a message goes: a platform and a channel/room id on it."""

    platform: Platform
    target: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.target}"


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed as configured in ``feeds.yaml``.

    Attributes:
        name: short id used in commands (``reuters-world``).
        url: http(s) or ``file://`` URL, or a plain path.
        interval: how often to poll.
        channels: where its alerts go; empty means the default destinations.
        tags: free labels.
        lang: the feed's language (BCP 47), if known.
        tz: the publication's IANA time zone, used for its local calendar dates.
    """

    name: str
    url: str
    interval: timedelta = timedelta(minutes=10)
    channels: tuple[Destination, ...] = ()
    tags: tuple[str, ...] = ()
    lang: str | None = None
    tz: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One feed entry, normalised.

    Attributes:
        feed: the feed's name.
        key: identity within the feed: the guid, else the link, else a content hash.
        url: the normalised link (no ``utm_*``, no fragment), if any.
        title: plain text.
        summary: plain text (HTML stripped, entities decoded).
        published: publication time, aware UTC; ``None`` when the feed gives none.
        local_date: the publication's calendar date where it was published.
        content_hash: hash of the normalised title and summary.
    """

    feed: str
    key: str
    url: str | None
    title: str
    summary: str
    published: datetime | None
    local_date: date | None
    content_hash: str


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store remembers of a feed between polls.

    Attributes:
        name: the feed's name.
        url: the URL polled now (a permanent redirect replaces the configured one).
        etag, last_modified: validators for a conditional GET.
        body_hash: hash of the last body parsed, to skip an identical one.
        next_poll: when it is due next.
        errors: consecutive failures.
        last_error: the last failure's message; ``None`` after a success.
        last_attempt, last_success, last_new_item: times of those events.
        error_kind: the last failure's kind (``timeout``, ``http_503``, ...).
        seeded: whether its first poll has been recorded.
        gone: disabled after ``410 Gone``.
        broken_since: when it was announced as broken (cleared on recovery).
    """

    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    next_poll: datetime | None = None
    errors: int = 0
    last_error: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_new_item: datetime | None = None
    error_kind: str | None = None
    seeded: bool = False
    gone: bool = False
    broken_since: datetime | None = None


FeedStatus = Literal["new", "seeded", "not_modified", "unchanged", "error", "gone", "skipped"]


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """The result of polling one feed once.

    Attributes:
        feed: the feed's name.
        status: ``new`` (parsed; may hold zero new items), ``seeded`` (first poll, recorded
            without alerts), ``not_modified`` (304), ``unchanged`` (same body as last time),
            ``error``, ``gone`` (410; disabled), ``skipped`` (disabled earlier).
        items: entries in the document.
        new_items: entries not seen before.
        contacts: contacts extracted from the new entries.
        error: the failure's message, for ``error`` and ``gone``.
        next_poll: when it is due next.
    """

    feed: str
    status: FeedStatus
    items: int = 0
    new_items: int = 0
    contacts: int = 0
    error: str | None = None
    next_poll: datetime | None = None


# --- contacts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact between two officials that one text reports as having happened.

    Attributes:
        a, b: the officials' ids, ``a < b``.
        kind: ``call`` or ``meeting``.
        date: the day it happened; ``None`` when the text does not fix it.
        evidence: the sentence that reports it.
        confidence: 0..1, how sure the extractor is.
    """

    a: str
    b: str
    kind: Kind
    date: date | None
    evidence: str
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class SilenceClaim:
    """A text's claim that two officials have not talked since a day.

    Attributes:
        a, b: the officials' ids, ``a < b``.
        since: the last contact the claim names; ``None`` if it names no day.
        kind: the kind of contact the claim is about, if it says.
        evidence: the sentence that makes the claim.
    """

    a: str
    b: str
    since: date | None
    kind: Kind | None
    evidence: str


Origin = Literal["feed", "history", "import", "editor"]


@dataclass(frozen=True, slots=True)
class Source:
    """One report of a contact event.

    Attributes:
        origin: ``feed`` (a live or backfilled item), ``history`` (the bundled record),
            ``import`` (a newsroom's file) or ``editor`` (added by hand).
        feed: the feed's name, for ``feed`` sources.
        url: link to the report.
        title: the report's headline or a short label.
        published: when it was published, if known.
        evidence: the sentence (or note) that supports the contact.
        added: when Hotline recorded it.
        id: the store's id for this source.
    """

    origin: Origin
    feed: str | None
    url: str | None
    title: str
    published: datetime | None
    evidence: str
    added: datetime
    id: int = 0


@dataclass(frozen=True, slots=True)
class ContactEvent:
    """One contact between two officials, merged from all the sources that report it.

    Attributes:
        id: the store's id.
        a, b: the officials' ids, ``a < b``.
        kind: ``call`` or ``meeting``.
        date: the day it happened (the publication day when ``approximate``).
        approximate: no source fixed the day.
        sources: every report, first first.
        created: when the first source was recorded.
    """

    id: int
    a: str
    b: str
    kind: Kind
    date: date
    approximate: bool
    sources: tuple[Source, ...]
    created: datetime


# --- configuration values shared with the core -------------------------------------------


@dataclass(frozen=True, slots=True)
class Watch:
    """A pair of officials or roles whose silences matter.

    Attributes:
        a, b: an official's id (``lloyd-austin``) or a role key (``us.defense``).
        thresholds: silence lengths in days that are announced once each.
        kind: count only calls, only meetings, or any contact (``None``).
        channels: where its alerts go; empty means the default destinations.
        name: a label for answers (defaults to the two sides).
    """

    a: str
    b: str
    thresholds: tuple[int, ...] = (30, 60, 90, 180, 365)
    kind: Kind | None = None
    channels: tuple[Destination, ...] = ()
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Mute:
    """An editor's mute of one feed, or of every feed (``target == "*"``)."""

    target: str
    until: datetime
    reason: str | None
    by: str
    created: datetime


# --- messages: neutral rich text ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink in rich text. ``text`` and ``url`` are raw; renderers escape them."""

    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Strong:
    """Emphasised text."""

    text: str


Inline = str | Link | Strong
"""A run of rich text: plain text (raw, unescaped), a link or emphasised text."""


@dataclass(frozen=True, slots=True)
class Block:
    """A block of a message, rendered by each front-end in its own markup.

    Attributes:
        kind: ``heading`` (one line), ``text`` (paragraph lines), ``fields`` (label/value
            lines, each line ``(Strong(label), value...)``), ``list`` (bulleted lines),
            ``context`` (small print, such as sources).
        lines: the block's lines, each a tuple of inline runs.
    """

    kind: Literal["heading", "text", "fields", "list", "context"]
    lines: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True, slots=True)
class Action:
    """A button on a message that runs a command when pressed (``mute reuters 1h``)."""

    label: str
    command: str


@dataclass(frozen=True, slots=True)
class Image:
    """A picture to upload with a message (a chart)."""

    filename: str
    data: bytes
    mime: str = "image/png"
    alt: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to one command, platform-neutral.

    Attributes:
        text: plain-text form (also the notification fallback).
        blocks: the structured form.
        public: posted in the channel (``True``) or shown only to the asker (help,
            errors, refusals).
        image: a picture to upload with it, if any.
    """

    text: str
    blocks: tuple[Block, ...] = ()
    public: bool = True
    image: Image | None = None


AlertKind = Literal[
    "contact", "source", "silence", "feed_broken", "feed_recovered", "digest", "mute_expired"
]


@dataclass(frozen=True, slots=True)
class Alert:
    """A message Hotline posts on its own, platform-neutral.

    Attributes:
        key: unique and stable: posting the same key twice to one destination never
            happens (``contact:42``, ``source:42:117``, ``silence:us.defense~ru.defense:90``).
        kind: what it announces.
        text: plain-text form.
        blocks: the structured form.
        feed: the feed it came from, for mutes; ``None`` for alerts no feed caused.
        thread: key of the alert this one belongs under (later sources of an event).
        urgent: breaks a long silence; front-ends may notify loudly.
        actions: buttons (a mute button on feed alerts).
        image: a picture to upload with it.
    """

    key: str
    kind: AlertKind
    text: str
    blocks: tuple[Block, ...] = ()
    feed: str | None = None
    thread: str | None = None
    urgent: bool = False
    actions: tuple[Action, ...] = ()
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """An alert bound for one destination, as the outbox hands it to a front-end.

    Attributes:
        id: the outbox row's id (stable across retries; a fine idempotency key).
        destination: where it goes.
        alert: what to post.
        thread_parent: the platform's id of the message to reply under, if any.
        attempts: earlier failed attempts.
    """

    id: int
    destination: Destination
    alert: Alert
    thread_parent: str | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A command as a front-end received it.

    Attributes:
        platform: where it came from.
        user: the platform's user id.
        channel: the channel or room it was typed in.
        text: the command text without the platform's prefix (``lastcontact milley
            gerasimov``; a leading ``/`` or ``!`` is also accepted).
        privileged: the platform itself vouches that this user may edit (a Matrix
            power level of 50 or more, a Slack user group); editors from ``feeds.yaml``
            are checked by the core either way.
        user_name: a display name, for the audit trail.
    """

    platform: Platform
    user: str
    channel: str
    text: str
    privileged: bool = False
    user_name: str | None = None
