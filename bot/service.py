"""Commands: parsed and answered once, here, for every front-end.

``CommandService.handle(IncomingMessage) -> Reply`` never raises for bad input: unknown
commands, bad arguments, unknown names and refusals become a private reply that says what
went wrong and what to type instead. Answers come as plain text and as structured blocks
(headings, fields, lists, small print with links to sources) that front-ends render in
their own markup. Front-ends only translate their payloads to ``IncomingMessage`` and render
the ``Reply``; no command logic lives anywhere else.

Names are resolved by ``bot.names``; which pairs count for a role by ``bot.contacts``; the
store answers the queries. This module never posts alerts itself (mutes go through the
``Notifier``) and never reads the wall clock (the injected ``Clock`` says what today is).
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import shlex
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from bot.clock import Clock
from bot.config import FEED_NAME, Settings, format_duration, parse_duration
from bot.contacts import PairWindow, Spell, held_roles, pair_windows, spells
from bot.errors import CommandError
from bot.extract import Country, Registry
from bot.milestones import (
    claim_is_newer,
    contact_kind_noun,
    contact_line,
    display_name,
    pair_label,
    source_line,
)
from bot.models import (
    ROLES,
    Block,
    ContactEvent,
    FeedSpec,
    Image,
    IncomingMessage,
    Inline,
    Kind,
    Link,
    Mute,
    Official,
    Reply,
    SilenceClaim,
    Source,
)
from bot.names import NameResolver, country_name, describe, role_label, role_title
from bot.netcheck import Resolver, system_resolver, url_problem
from bot.notify import Notifier
from bot.render import (
    ago,
    bullets,
    context,
    fields,
    format_day,
    heading,
    plain,
    plural,
    text,
)
from bot.store import NewSource, Store
from bot.watches import WatchBook

__all__ = ["BOARD_ROLES", "COMMANDS", "CommandService", "CommandSpec", "Request", "split_command"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command's name, usage line and help text.

    Attributes:
        name: what users type.
        usage: the usage line.
        summary: one line for the command list.
        details: more, for ``help COMMAND``.
        examples: ``(command, what it answers)`` pairs for ``help COMMAND``.
        editors_only: refused to anyone but editors.
    """

    name: str
    usage: str
    summary: str
    details: str = ""
    examples: tuple[tuple[str, str], ...] = ()
    editors_only: bool = False


_NAMES_HELP = (
    "Names are forgiving: surnames (milley), full names (lloyd austin, quoted or not), "
    "spellings and transliterations (gerasimow, Шойгу), roles (pentagon chief, us.defense) "
    "and countries (us, usa, russian). A name Hotline does not know gets suggestions."
)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "lastcontact",
        "lastcontact A [B]",
        "the last contact between two officials, A's latest contacts, or a board for two countries",
        _NAMES_HELP,
        (
            (
                "lastcontact milley gerasimov",
                "the last contact, its date and kind, days since, its sources, the contact "
                "before it and the gap; if either has left the role, who holds it now and "
                "the last contact between the roles",
            ),
            ("lastcontact shoigu", "Shoigu's five latest contacts with anyone"),
            (
                "lastcontact us russia",
                "one row per role (heads of state, foreign ministers, defence chiefs, ...) "
                "with the last contact and days since",
            ),
        ),
    ),
    CommandSpec(
        "contacts",
        "contacts A B [since DATE]",
        "the history of a pair's contacts, newest first",
        "DATE is YYYY-MM-DD, YYYY-MM or YYYY. " + _NAMES_HELP,
        (
            ("contacts austin shoigu", "every Austin–Shoigu contact, with gaps and sources"),
            ("contacts biden putin since 2022", "only those from January 1, 2022 on"),
        ),
    ),
    CommandSpec(
        "silences",
        "silences",
        "the watched pairs and roles, longest silence first",
        "Watches are set in feeds.yaml (watch: entries). A role watch (us.defense with "
        "ru.defense) counts contacts between whoever held the two roles. Where a report "
        "claims a later contact than the record knows, the claim is shown.",
        (("silences", "each watch's last contact, days of silence and marks"),),
    ),
    CommandSpec(
        "feeds",
        "feeds",
        "every feed's health: last success, new items, errors, mutes",
        examples=(("feeds", "one line per feed"),),
    ),
    CommandSpec(
        "mute",
        "mute FEED|all DURATION [reason]",
        "hold a feed's alerts for a while (editors only)",
        "DURATION is like 30m, 2h or 1d. A muted feed is still polled and recorded; what it "
        "held is posted as one digest when the mute ends.",
        (
            ("mute tass 2h flood of readouts", "hold tass's alerts for two hours"),
            ("mute all 30m", "hold every feed's alerts for half an hour"),
        ),
        editors_only=True,
    ),
    CommandSpec(
        "unmute",
        "unmute FEED|all",
        "end a mute now (editors only)",
        "What the mute held is posted at once as one digest.",
        (("unmute tass", "end tass's mute"),),
        editors_only=True,
    ),
    CommandSpec(
        "feed",
        "feed add NAME URL [INTERVAL] | feed remove NAME",
        "add a feed from chat, or remove one added so (editors only)",
        "NAME is a short id (lower-case letters, digits, - _ .); URL must be http or https "
        "and reach a public address (private, loopback and link-local addresses are refused "
        "unless polling.allow_private is set); INTERVAL is like 15m (default: the polling "
        "interval). Its current items are recorded without alerts; what comes next is "
        "announced. Feeds from feeds.yaml are changed there.",
        (
            ("feed add mfa-ru https://mid.ru/en/rss 15m", "poll Russia's MFA every 15 minutes"),
            ("feed remove mfa-ru", "stop polling it (what it brought stays in the record)"),
        ),
        editors_only=True,
    ),
    CommandSpec(
        "mutes",
        "mutes",
        "the mutes in force",
        examples=(("mutes", "each mute, who set it, until when, and what it holds"),),
    ),
    CommandSpec(
        "contact",
        "contact add A B DATE KIND URL | contact remove ID",
        "correct the record (editors only)",
        "DATE is YYYY-MM-DD (not in the future), KIND is call or meeting, URL is the report "
        "(http or https). The two must serve different governments. An added contact joins "
        "the event of that pair, kind and day if there is one. Removing keeps the event "
        "and its sources out of every answer and alert; every change is kept with who made "
        "it and when. Event ids (#42) appear in lastcontact and contacts.",
        (
            (
                "contact add austin shoigu 2022-10-23 call https://example.org/readout",
                "record the call with that report as its source",
            ),
            ("contact remove 42", "take event #42 out of the record"),
        ),
        editors_only=True,
    ),
    CommandSpec(
        "chart",
        "chart A B",
        "a timeline picture of a pair's contacts",
        "Front-ends that cannot show pictures get the text summary.",
        (("chart austin shoigu", "calls and meetings over time, the longest gap shaded"),),
    ),
    CommandSpec(
        "help",
        "help [COMMAND]",
        "this list, or one command's help",
        examples=(("help lastcontact", "how to ask for a last contact"),),
    ),
)
_BY_NAME = {c.name: c for c in COMMANDS}
MAX_MUTE = timedelta(days=30)

BOARD_ROLES: tuple[str, ...] = ROLES[:7]
"""The roles a country board lists, in order: heads of state and government, foreign and
defence ministers, top military officers, security advisers, intelligence chiefs."""
RECENT = 5
"""Contacts ``lastcontact A`` lists."""
HISTORY = 30
"""Contacts ``contacts A B`` lists before it says how many more there are."""
SOURCES_SHOWN = 5
"""Sources listed under one event."""


def split_command(raw: str) -> tuple[str, list[str]]:
    """``"/lastcontact Milley  Gerasimov"`` -> ``("lastcontact", ["Milley", "Gerasimov"])``.

    A leading ``/`` or ``!`` is dropped; quotes group words; unbalanced quotes are taken
    literally rather than refused.
    """
    stripped = raw.strip().lstrip("/!").strip()
    if not stripped:
        return "", []
    try:
        words = shlex.split(stripped)
    except ValueError:
        words = stripped.split()
    if not words:
        return "", []
    return words[0].lower(), words[1:]


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed command with who asked."""

    message: IncomingMessage
    command: str
    args: list[str]

    @property
    def user(self) -> str:
        return self.message.user


Handler = Callable[[Request], Reply | Awaitable[Reply]]


class CommandService:
    """Answers commands from every front-end.

    Args:
        settings: feeds, watches, editors.
        store: the record.
        registry: the officials registry.
        clock: the time (``days since``).
        notifier: for mutes.
        watchbook: the watches read against the record (built from the others if not
            given).
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        registry: Registry,
        clock: Clock,
        notifier: Notifier,
        watchbook: WatchBook | None = None,
        resolve: Resolver = system_resolver,
    ) -> None:
        self.settings = settings
        self.resolve_host = resolve
        self.store = store
        self.registry = registry
        self.clock = clock
        self.notifier = notifier
        self.names = NameResolver(registry)
        self.watchbook = watchbook or WatchBook(settings, store, registry, notifier, clock)
        self._spells: dict[str, list[Spell]] = {}
        self.handlers: dict[str, Handler] = {
            "help": self._help,
            "lastcontact": self._lastcontact,
            "contacts": self._contacts,
            "silences": self._silences,
            "feeds": self._feeds,
            "mute": self._mute,
            "unmute": self._unmute,
            "mutes": self._mutes,
            "feed": self._feed,
            "contact": self._contact,
            "chart": self._chart,
        }

    def today(self) -> date:
        return self.clock.now().date()

    # --- feeds and mutes ------------------------------------------------------------------

    def feed_name(self, text: str, *, allow_all: bool = False) -> str:
        """A configured feed's name (or ``*`` for ``all``) from what a user typed."""
        wanted = text.strip().lower()
        if allow_all and wanted in ("all", "*", "everything"):
            return "*"
        names = [f.name for f in self.store.feed_specs(self.settings.feeds)]
        if wanted in names:
            return wanted
        starting = [n for n in names if n.startswith(wanted)]
        if len(starting) == 1:
            return starting[0]
        close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6) or starting[:3]
        hint = f" Did you mean {' or '.join(close)}?" if close else " Type feeds for the list."
        raise CommandError(f"There is no feed called '{text}'.{hint}")

    def _feeds(self, request: Request) -> Reply:
        now = self.clock.now()
        states = self.store.feed_states()
        mutes = {m.target: m for m in self.store.mutes() if m.until > now}
        lines: list[str] = []
        failing = 0
        specs = self.store.feed_specs(self.settings.feeds)
        added = {spec.name for spec in self.store.added_feeds()}
        for spec in specs:
            state = states.get(spec.name)
            mute = mutes.get(spec.name) or mutes.get("*")
            if state is None or state.last_attempt is None:
                health = "not polled yet"
            elif state.gone:
                health = "gone (410): disabled"
                failing += 1
            elif state.errors:
                failing += 1
                health = f"failing ({plural(state.errors, 'error')}: {state.last_error})"
            else:
                health = "ok"
            origin = " (added from chat)" if spec.name in added else ""
            parts = [f"{spec.name}{origin}: {health}"]
            if state and state.last_success:
                parts.append(f"last success {ago((now - state.last_success).total_seconds())}")
            if state and state.last_new_item:
                parts.append(f"last new item {ago((now - state.last_new_item).total_seconds())}")
            if mute:
                parts.append(f"muted until {mute.until:%H:%M} UTC")
            lines.append(", ".join(parts))
        summary = (
            f"{plural(len(specs), 'feed')}, "
            + (f"{failing} failing" if failing else "all healthy")
            + (f", {len(mutes)} muted" if mutes else "")
        )
        blocks = (heading("Feeds"), text(summary), bullets(*lines))
        return Reply(plain(blocks), blocks)

    def _mute(self, request: Request) -> Reply:
        if len(request.args) < 2:
            raise CommandError("Say which feed (or all) and for how long.")
        target = self.feed_name(request.args[0], allow_all=True)
        try:
            duration = parse_duration(request.args[1])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if duration < timedelta(minutes=1) or duration > MAX_MUTE:
            raise CommandError("A mute lasts from 1 minute to 30 days.")
        reason = " ".join(request.args[2:]).strip() or None
        now = self.clock.now()
        mute = Mute(target, now + duration, reason, request.user, now)
        self.notifier.mute(mute)
        self.store.audit(
            request.message.platform,
            request.user,
            "mute",
            {"target": target, "until": mute.until.isoformat(), "reason": reason},
        )
        subject = "every feed" if target == "*" else target
        message = (
            f"Muted {subject} for {format_duration(duration)} (until "
            f"{mute.until:%Y-%m-%d %H:%M} UTC){f': {reason}' if reason else ''}. It is still "
            "polled and recorded; its alerts are held and posted as one digest when the mute "
            "ends."
        )
        return Reply(message, (text(message),))

    def _unmute(self, request: Request) -> Reply:
        if len(request.args) != 1:
            raise CommandError("Say which feed (or all).")
        target = self.feed_name(request.args[0], allow_all=True)
        ended, released = self.notifier.unmute(target, f"lifted by {request.user}")
        if not ended:
            subject = "No feed" if target == "*" else target
            return _private(f"{subject} is not muted.")
        self.store.audit(request.message.platform, request.user, "unmute", {"target": target})
        names = ", ".join("every feed" if m.target == "*" else m.target for m in ended)
        message = f"Unmuted {names}. " + (
            f"{plural(released, 'held alert')} posted as a digest."
            if released
            else "Nothing had been held."
        )
        return Reply(message, (text(message),))

    async def _feed(self, request: Request) -> Reply:
        if not request.args or request.args[0].lower() not in ("add", "remove"):
            raise CommandError("Say feed add NAME URL [INTERVAL] or feed remove NAME.")
        action, args = request.args[0].lower(), request.args[1:]
        if action == "add":
            return await self._feed_add(request, args)
        return self._feed_remove(request, args)

    async def _feed_add(self, request: Request, args: Sequence[str]) -> Reply:
        if len(args) not in (2, 3):
            raise CommandError("Give a NAME, a URL and, if you like, an INTERVAL such as 15m.")
        name = args[0].strip().lower()
        url = args[1].strip().strip("<>").split("|", 1)[0]  # Slack may send <url|label>
        if not FEED_NAME.match(name) or name == "all":
            raise CommandError(
                f"'{args[0]}' is not a feed name: use lower-case letters, digits, '-', '_' "
                "or '.', starting with a letter or digit."
            )
        if name in {f.name for f in self.store.feed_specs(self.settings.feeds)}:
            raise CommandError(f"There is already a feed called {name}.")
        interval = self.settings.polling.interval
        if len(args) == 3:
            try:
                interval = parse_duration(args[2])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            if interval < timedelta(seconds=30):
                raise CommandError("An interval shorter than 30s would hammer the publisher.")
        problem = await url_problem(
            url, allow_private=self.settings.polling.allow_private, resolve=self.resolve_host
        )
        if problem is not None:
            raise CommandError(f"Not added: {problem}.")
        who = request.message.user_name or request.user
        with self.store.transaction():
            self.store.add_feed(FeedSpec(name, url, interval), f"{request.message.platform}:{who}")
            self.store.audit(
                request.message.platform,
                request.user,
                "feed add",
                {"name": name, "url": url, "interval": format_duration(interval)},
            )
        message = (
            f"Added feed {name} ({url}), polled every {format_duration(interval)}. Its current "
            "items are recorded without alerts; new ones are announced."
        )
        return Reply(message, (text(message),))

    def _feed_remove(self, request: Request, args: Sequence[str]) -> Reply:
        if len(args) != 1:
            raise CommandError("Give the NAME of a feed added from chat.")
        name = args[0].strip().lower()
        if self.settings.feed(name) is not None:
            raise CommandError(f"{name} comes from feeds.yaml; remove it there.")
        if not self.store.remove_added_feed(name):
            raise CommandError(f"No feed called {name} was added from chat.")
        self.store.audit(request.message.platform, request.user, "feed remove", {"name": name})
        message = f"Removed feed {name}. What it brought stays in the record."
        return Reply(message, (text(message),))

    def _mutes(self, request: Request) -> Reply:
        now = self.clock.now()
        mutes = [m for m in self.store.mutes() if m.until > now]
        if not mutes:
            return Reply("No feed is muted.", (text("No feed is muted."),))
        held: dict[str, int] = {}
        for _, _, alert, _ in self.store.held_alerts():
            held[alert.feed or ""] = held.get(alert.feed or "", 0) + 1
        lines = []
        for m in mutes:
            subject = "every feed" if m.target == "*" else m.target
            count = sum(held.values()) if m.target == "*" else held.get(m.target, 0)
            line = (
                f"{subject} until {m.until:%Y-%m-%d %H:%M} UTC "
                f"({format_duration(m.until - now)} left), by {m.by}"
            )
            if m.reason:
                line += f": {m.reason}"
            line += f"; {plural(count, 'alert')} held"
            lines.append(line)
        blocks = (heading("Mutes in force"), bullets(*lines))
        return Reply(plain(blocks), blocks)

    # --- names --------------------------------------------------------------------------

    def resolve(self, name: str) -> Official:
        """One official for a name typed by a user, or a ``CommandError`` that says why."""
        return self.names.official(name, self.today())

    def _spells_of(self, side: str) -> list[Spell]:
        if side not in self._spells:
            self._spells[side] = spells(self.registry, side)
        return self._spells[side]

    def _lead(self, side: str) -> frozenset[str]:
        """The officials who stand for ``side`` (named first in answers about it)."""
        return frozenset(s.official for s in self._spells_of(side))

    def _role_windows(self, role_a: str, role_b: str) -> list[PairWindow]:
        """The pairs whose contacts count between two roles (holders while they held)."""
        return pair_windows(self._spells_of(role_a), self._spells_of(role_b))

    def _current_windows(self, role_a: str, role_b: str, today: date) -> list[PairWindow]:
        """The pairs of today's holders of two roles, over their time together in them."""
        return [
            w
            for w in self._role_windows(role_a, role_b)
            if w.end is None or w.end >= today
            if w.start is None or w.start <= today
        ]

    # --- lastcontact ----------------------------------------------------------------------

    def _lastcontact(self, request: Request) -> Reply:
        if not request.args:
            raise CommandError("Give one or two names, or two countries.")
        today = self.today()
        found = self.names.parties(request.args, today)
        if len(found) == 1:
            (only,) = found
            if isinstance(only, Country):
                raise CommandError(
                    f"'{only.name}' is a country: give two for a board (lastcontact us "
                    "russia), or an official's name."
                )
            return self._recent(only, today)
        first, second = found
        if isinstance(first, Country) and isinstance(second, Country):
            return self._board(first, second, today)
        if isinstance(first, Official) and isinstance(second, Official):
            self._check_pair(first, second)
            return self._last_pair(first, second, today)
        raise CommandError(
            "Give two officials (lastcontact milley gerasimov) or two countries "
            "(lastcontact us russia), not one of each."
        )

    def _check_pair(self, a: Official, b: Official) -> None:
        if a.id == b.id:
            raise CommandError(f"Both names are {a.name}; give two different officials.")
        today = self.today()
        if _government(a, today) == _government(b, today):
            raise CommandError(
                f"{a.name} and {b.name} serve the same government "
                f"({country_name(self.registry, _government(a, today))}); Hotline records "
                "contacts between officials of different governments."
            )

    def _last_pair(self, a: Official, b: Official, today: date) -> Reply:
        events = self.store.pair_events(a.id, b.id, limit=2, before=today + timedelta(days=1))
        label = f"{a.name} – {b.name}"
        claim = self.store.latest_silence_claim(a.id, b.id)
        if not events:
            lines: list[Sequence[Inline] | str] = [
                f"No contact between {a.name} and {b.name} is on record."
            ]
            if claim is not None:
                lines.append(_claim_line(claim, "The latest report about them says"))
            blocks: list[Block] = [heading(f"Last contact: {label}"), text(*lines)]
            blocks += self._role_level(a, b, held_roles(a, today), held_roles(b, today), today)
            return Reply(plain(blocks), tuple(blocks))
        last = events[0]
        rows: list[tuple[str, Sequence[Inline] | str]] = [
            ("Date", _event_day(last)),
            ("Kind", contact_kind_noun(last.kind)),
            ("Days since", plural((today - last.date).days, "day")),
        ]
        if len(events) > 1:
            before = events[1]
            gap = (last.date - before.date).days
            rows.append(
                (
                    "Before that",
                    f"{contact_kind_noun(before.kind)} on {_event_day(before)}, "
                    f"{plural(gap, 'day')} earlier",
                )
            )
        else:
            rows.append(("Before that", "none on record (this is the first)"))
        blocks = [
            heading(f"Last contact: {label}"),
            fields(*rows),
            _sources_block(last),
        ]
        if claim is not None and claim_is_newer(claim[0], last, None):
            blocks.append(text(_claim_line(claim, "A later report says")))
        blocks += self._role_level(
            a,
            b,
            held_roles(a, last.date),
            held_roles(b, last.date),
            today,
            changed_only=True,
            own=last,
        )
        return Reply(plain(blocks), tuple(blocks))

    def _role_level(
        self,
        a: Official,
        b: Official,
        a_roles: Sequence[str],
        b_roles: Sequence[str],
        today: date,
        *,
        changed_only: bool = False,
        own: ContactEvent | None = None,
    ) -> list[Block]:
        """Who holds the roles now, and the last contact between the roles.

        With ``changed_only``, only when ``a`` or ``b`` no longer holds the role they had
        (at their last contact, ``own``).
        """
        if not a_roles or not b_roles:
            return []
        role_a, role_b = _first_role(a_roles), _first_role(b_roles)
        left = [
            (person, role)
            for person, role in ((a, role_a), (b, role_b))
            if role not in held_roles(person, today)
        ]
        if changed_only and not left:
            return []
        lines: list[Sequence[Inline] | str] = []
        for person, role in left:
            now = self.registry.holders(role, today)
            holder = _names_and(o.name for o in now) if now else "nobody holds it now"
            verb = " is." if len(now) == 1 else " are." if now else "."
            joiner = "; " if now else ", and "
            lines.append(f"{person.name} is no longer {role_label(role)}{joiner}{holder}{verb}")
        windows = self._role_windows(role_a, role_b)
        current = self._current_windows(role_a, role_b, today)
        lead = self._lead(role_a)
        role_last, current_last = self.store.latest_events(
            [(windows, None), (current, None)], until=today
        )
        roles = _roles_label(role_a, role_b)
        if role_last is None:
            lines.append(f"No contact between the {roles} is on record.")
        elif own is not None and role_last.id == own.id:
            lines.append(f"It is still the last contact between the {roles}.")
        else:
            lines.append(
                [
                    f"Last contact between the {roles}: ",
                    contact_line(self.registry, role_last, reference=today, lead=lead),
                    f", {_days_since(role_last.date, today)}",
                    *_first_source(role_last),
                ]
            )
        if current and (role_last is None or current_last != role_last):
            pairs = _names_and(
                pair_label(
                    self.registry, *((w.b, w.a) if w.b in lead else (w.a, w.b)), as_given=True
                )
                for w in current
            )
            if current_last is None:
                lines.append(f"Between today's holders ({pairs}): none on record.")
            else:
                lines.append(
                    [
                        "Between today's holders: ",
                        contact_line(self.registry, current_last, reference=today, lead=lead),
                        f", {_days_since(current_last.date, today)}",
                        *_first_source(current_last),
                    ]
                )
        return [text(*lines)]

    def _recent(self, official: Official, today: date) -> Reply:
        events = self.store.official_events(official.id, limit=RECENT, until=today)
        head = heading(f"Latest contacts: {official.name}")
        who = context(describe(official))
        if not events:
            message = f"No contact of {official.name} is on record."
            return _reply(head, text(message), who)
        lines: list[Sequence[Inline] | str] = []
        for event in events:
            other = event.b if event.a == official.id else event.a
            other_official = self.registry.get(other)
            where = f" ({other_official.country})" if other_official else ""
            lines.append(
                [
                    f"{_event_day(event)}: {contact_kind_noun(event.kind)} with "
                    f"{display_name(self.registry, other)}{where}, "
                    f"{_days_since(event.date, today)}",
                    *_first_source(event),
                    f" · #{event.id}",
                ]
            )
        return _reply(head, bullets(*lines), who)

    def _board(self, first: Country, second: Country, today: date) -> Reply:
        if first.code == second.code:
            raise CommandError("Give two different countries (lastcontact us russia).")
        keys = self.registry.role_keys()
        roles = [
            role
            for role in BOARD_ROLES
            if f"{first.code.lower()}.{role}" in keys and f"{second.code.lower()}.{role}" in keys
        ]
        head = heading(f"Last contacts by role: {first.name} – {second.name}")
        if not roles:
            message = f"The registry lists no roles that both {first.name} and {second.name} have."
            return _reply(head, text(message))
        pairs = [
            (f"{first.code.lower()}.{role}", f"{second.code.lower()}.{role}") for role in roles
        ]
        lasts = self.store.latest_events(
            [(self._role_windows(x, y), None) for x, y in pairs], until=today
        )
        rows: list[tuple[str, Sequence[Inline] | str]] = []
        for role, (x, y), last in zip(roles, pairs, lasts, strict=True):
            label = role_title(role, plural=True).capitalize()
            now = f"now {self._holder_names(x, today)} and {self._holder_names(y, today)}"
            if last is None:
                rows.append((label, f"none on record ({now})"))
                continue
            rows.append(
                (
                    label,
                    [
                        contact_line(self.registry, last, reference=today, lead=self._lead(x)),
                        f", {_days_since(last.date, today)}",
                        *_first_source(last),
                        f" ({now})",
                    ],
                )
            )
        blocks = (
            head,
            fields(*rows),
            context("Each row counts contacts between whoever held the two roles at the time."),
        )
        return Reply(plain(blocks), blocks)

    def _holder_names(self, role_key: str, day: date) -> str:
        found = self.registry.holders(role_key, day)
        return _names_and(o.surname for o in found) if found else "nobody"

    # --- contacts -------------------------------------------------------------------------

    def _contacts(self, request: Request) -> Reply:
        words, since = _split_since(request.args)
        if not words:
            raise CommandError("Give two names.")
        today = self.today()
        a, b = self.names.pair(words, today)
        self._check_pair(a, b)
        events = self.store.pair_events(a.id, b.id, since=since, limit=HISTORY + 1)
        counts = self.store.pair_counts(a.id, b.id, since=since)
        total = sum(counts.values())
        label = f"{a.name} – {b.name}"
        after = f" since {format_day(since)}" if since else ""
        head = heading(f"Contacts: {label}{after}")
        if not events:
            message = f"No contact between {a.name} and {b.name} is on record{after}."
            return _reply(head, text(message))
        summary = f"{plural(total, 'contact')} on record{after} ({_kind_counts(counts)})"
        happened = [e for e in events if e.date <= today]
        if happened:
            summary += f"; the last {_days_since(happened[0].date, today)}."
        else:
            summary += "."
        shown = events[:HISTORY]
        earlier = events[HISTORY:]
        if not earlier and since is not None:  # the gap before the first one shown
            before = self.store.previous_event(shown[-1])
            earlier = [before] if before is not None else []
        lines: list[Sequence[Inline] | str] = []
        for index, event in enumerate(shown):
            following = shown[index + 1 :] or earlier
            previous = following[0] if following else None
            gap = (
                f", {plural((event.date - previous.date).days, 'day')} after the one before"
                if previous is not None
                else ""
            )
            ahead = " (dated ahead of today: check it)" if event.date > today else ""
            lines.append(
                [
                    f"#{event.id} {_event_day(event)}: {contact_kind_noun(event.kind)}{gap}{ahead}",
                    *_first_source(event),
                ]
            )
        blocks = [head, text(summary), bullets(*lines)]
        if total > len(shown):
            first_day = self.store.first_day(a.id, b.id, since=since) or shown[-1].date
            blocks.append(
                text(
                    f"… and {total - len(shown)} earlier, back to {format_day(first_day)}. "
                    f"The chart shows them all: chart {a.surname.lower()} {b.surname.lower()}"
                )
            )
        return Reply(plain(blocks), tuple(blocks))

    # --- silences -------------------------------------------------------------------------

    def _silences(self, request: Request) -> Reply:
        today = self.today()
        head = heading("Silences")
        silences = self.watchbook.silences(today)
        if not silences:
            message = (
                "No watches are set. Add watch entries to feeds.yaml, such as "
                "{a: us.defense, b: ru.defense}."
            )
            return _reply(head, text(message))
        ordered = sorted(
            enumerate(silences),
            key=lambda pair: (
                pair[1].days(today) is not None,
                -(pair[1].days(today) or 0),
                pair[0],
            ),
        )
        defaults = tuple(sorted(self.settings.milestones.thresholds))
        lines: list[Sequence[Inline] | str] = []
        for _, silence in ordered:
            watch = silence.watch
            label = silence.label + (f" ({watch.kind}s)" if watch.kind else "")
            runs: list[Inline] = []
            if silence.last is None:
                runs.append(f"{label}: no contact on record")
            else:
                last = silence.last
                what = (
                    contact_line(self.registry, last, reference=today, lead=silence.lead)
                    if silence.holders
                    else f"{contact_kind_noun(last.kind)} on {_event_day(last, today)}"
                )
                runs += [
                    f"{label}: {plural((today - last.date).days, 'day')} — last {what}",
                    *_first_source(last),
                ]
            if silence.holders:
                runs.append(f" (now {silence.holders[0]} and {silence.holders[1]})")
            if tuple(sorted(watch.thresholds)) != defaults:
                runs.append(f" · marks: {_days_list(watch.thresholds)}")
            newer = silence.newer_claim
            if newer is not None:
                runs += [" · ", *_claim_line(newer, "a later report says")]
            elif silence.last is None and silence.claim is not None:
                runs += [" · ", *_claim_line(silence.claim, "a report says")]
            lines.append(runs)
        blocks = (
            head,
            bullets(*lines),
            context(
                f"{plural(len(silences), 'watch', 'watches')}, longest silence first. A silence "
                f"is announced at {_days_list(defaults)} unless a watch says otherwise."
            ),
        )
        return Reply(plain(blocks), blocks)

    # --- contact add / remove ---------------------------------------------------------------

    def _contact(self, request: Request) -> Reply:
        if not request.args or request.args[0].lower() not in ("add", "remove"):
            raise CommandError("Say contact add … or contact remove ….")
        action, args = request.args[0].lower(), request.args[1:]
        if action == "add":
            return self._contact_add(request, args)
        return self._contact_remove(request, args)

    def _contact_add(self, request: Request, args: Sequence[str]) -> Reply:
        if len(args) < 5:
            raise CommandError("Give two names, a DATE, a KIND and a URL.")
        *words, day_text, kind_text, url = args
        today = self.today()
        day = _parse_day(day_text, today)
        kind = _parse_kind(kind_text)
        _check_url(url)
        a, b = self.names.pair(words, today)
        if _government(a, day) == _government(b, day):
            raise CommandError(
                f"{a.name} and {b.name} serve the same government "
                f"({country_name(self.registry, _government(a, day))}); a contact is between "
                "officials of different governments."
            )
        same_day = [
            e
            for e in self.store.pair_events(a.id, b.id, kind=kind, since=day, limit=5)
            if e.date == day
        ]
        for event in same_day:
            if any(s.url == url for s in event.sources):
                raise CommandError(
                    f"Already on record: event #{event.id} has that source. Nothing changed."
                )
        who = request.message.user_name or request.user
        now = self.clock.now()
        with self.store.transaction():
            recorded = self.store.record_contact(
                a.id,
                b.id,
                kind=kind,
                day=day,
                approximate=False,
                source=NewSource(
                    origin="editor",
                    title=f"Added by {who}",
                    evidence=url,
                    url=url,
                    added_by=f"{request.message.platform}:{request.user}",
                ),
                now=now,
            )
            if recorded is None:  # an editor's entry always lands; this is a bug
                raise RuntimeError("the contact was not recorded")
            event = recorded.event
            self.store.audit(
                request.message.platform,
                request.user,
                "contact add",
                {
                    "event": event.id,
                    "a": event.a,
                    "b": event.b,
                    "day": day.isoformat(),
                    "kind": kind,
                    "url": url,
                    "new_event": recorded.new,
                },
            )
        what = contact_line(self.registry, event, lead={a.id})
        if recorded.new:
            message = f"Recorded event #{event.id}: {what}."
        else:
            message = (
                f"Added the source to event #{event.id}: {what} "
                f"(now {plural(len(event.sources), 'source')})."
            )
        lines: list[Sequence[Inline] | str] = [message]
        for person in (a, b):
            if not person.roles_on(day):
                lines.append(
                    f"Note: the registry lists no role for {person.name} on {format_day(day)}."
                )
        blocks = [text(*lines), context([Link(url, url), f" · by {who}"])]
        return Reply(plain(blocks), tuple(blocks))

    def _contact_remove(self, request: Request, args: Sequence[str]) -> Reply:
        if len(args) != 1:
            raise CommandError("Give the event's id (the #42 in lastcontact and contacts).")
        raw = args[0].lstrip("#")
        if not raw.isdigit():
            raise CommandError(f"'{args[0]}' is not an event id; ids are numbers like 42.")
        event_id = int(raw)
        event = self.store.event(event_id)
        if event is None:
            raise CommandError(f"There is no event #{event_id}.")
        removal = self.store.removal(event_id)
        if removal is not None:
            at, by = removal
            raise CommandError(
                f"Event #{event_id} was already removed, on {at:%Y-%m-%d %H:%M} UTC by {by}."
            )
        who = f"{request.message.platform}:{request.user}"
        now = self.clock.now()
        with self.store.transaction():
            removed = self.store.remove_event(event_id, by=who, at=now)
            if removed is None:
                raise CommandError(f"Event #{event_id} was removed a moment ago.")
            self.store.audit(
                request.message.platform,
                request.user,
                "contact remove",
                {
                    "event": event_id,
                    "a": event.a,
                    "b": event.b,
                    "day": event.date.isoformat(),
                    "kind": event.kind,
                    "sources": len(event.sources),
                },
            )
        message = (
            f"Removed event #{event_id}: {contact_line(self.registry, event)} "
            f"({plural(len(event.sources), 'source')}). It no longer counts in answers, "
            "silences or alerts; later reports of it stay out too. The audit trail keeps "
            "who removed it and when."
        )
        return Reply(message, (text(message),))

    # --- chart ------------------------------------------------------------------------------

    async def _chart(self, request: Request) -> Reply:
        if not request.args:
            raise CommandError("Give two names.")
        today = self.today()
        a, b = self.names.pair(request.args, today)
        self._check_pair(a, b)
        events = self.store.pair_events(a.id, b.id)
        if not events:
            message = f"No contact between {a.name} and {b.name} is on record: nothing to chart."
            return Reply(message, (text(message),))
        from bot.chart import Mark, timeline_png

        title = f"{a.name} – {b.name}: {_kinds(events)}"
        marks = [Mark(e.date, e.kind, e.approximate) for e in events]
        png = await asyncio.to_thread(timeline_png, title, marks, today)
        first, last = events[-1], events[0]
        summary = (
            f"{title} from {format_day(first.date)} to {format_day(last.date)}; the last "
            f"{_days_since(last.date, today)}."
        )
        blocks = (heading(f"Timeline: {a.name} – {b.name}"), text(summary))
        filename = f"{a.surname}-{b.surname}-contacts.png".lower()
        image = Image(filename, png, alt=summary)
        return Reply(plain(blocks), blocks, image=image)

    def is_editor(self, message: IncomingMessage) -> bool:
        """Editors from ``feeds.yaml`` for the platform, or a user the platform vouches for
        (``privileged``); the console and the CLI are the operator's own."""
        return (
            message.privileged
            or message.platform == "console"
            or self.settings.is_editor(message.platform, message.user)
        )

    async def handle(self, message: IncomingMessage) -> Reply:
        """Answer one command. Never raises for bad input."""
        command, args = split_command(message.text)
        if not command:
            return self._help(Request(message, "help", []))
        spec = _BY_NAME.get(command)
        handler = self.handlers.get(command)
        if spec is None or handler is None:
            close = difflib.get_close_matches(command, list(self.handlers), n=1, cutoff=0.7)
            hint = f"Did you mean {close[0]}?" if close else "Type help for the list of commands."
            return _private(f"I don't know the command '{command}'. {hint}")
        if spec.editors_only and not self.is_editor(message):
            return _private(
                f"Only editors may use {command}. Ask one of the desk's editors, or have your "
                "user id added under 'editors' in feeds.yaml."
            )
        request = Request(message, command, args)
        try:
            reply = handler(request)
            if isinstance(reply, Awaitable):
                reply = await reply
        except CommandError as exc:
            return _private(f"{exc}\nUsage: {spec.usage}")
        except Exception:
            log.exception("command %r failed", message.text)
            return _private(
                "Something went wrong answering that; it has been logged. Try again, or type help."
            )
        return reply

    def _help(self, request: Request) -> Reply:
        if request.args:
            name = request.args[0].lower().lstrip("/!")
            spec = _BY_NAME.get(name)
            if spec is None or spec.name not in self.handlers:
                close = difflib.get_close_matches(name, list(self.handlers), n=1)
                hint = f" Did you mean {close[0]}?" if close else ""
                return _private(f"There is no command '{name}'.{hint} Type help for the list.")
            parts = [heading(spec.usage), text(spec.summary[0].upper() + spec.summary[1:] + ".")]
            if spec.details:
                parts.append(text(spec.details))
            if spec.examples:
                parts.append(bullets(*(f"{cmd} — {what}" for cmd, what in spec.examples)))
            return Reply(plain(parts), tuple(parts), public=False)
        available = [c for c in COMMANDS if c.name in self.handlers]
        blocks = (
            heading("Hotline commands"),
            bullets(*(f"{c.usage} — {c.summary}" for c in available)),
            text("Type help COMMAND for more on one command."),
        )
        return Reply(plain(blocks), blocks, public=False)


# --- helpers (pure) ------------------------------------------------------------------------


def _event_day(event: ContactEvent, reference: date | None = None) -> str:
    day = format_day(event.date, reference=reference, weekday=True)
    return f"about {day}" if event.approximate else day


def _days_list(days: Iterable[int]) -> str:
    """``30, 60 and 90 days``."""
    return _names_and([str(d) for d in sorted(days)]) + " days"


def _kind_counts(counts: dict[Kind, int]) -> str:
    """``5 calls, 1 meeting`` (kinds with none left out)."""
    return ", ".join(
        plural(counts[k], contact_kind_noun(k)) for k in ("call", "meeting") if counts.get(k)
    )


def _kinds(events: Sequence[ContactEvent]) -> str:
    counts: dict[Kind, int] = {}
    for event in events:
        counts[event.kind] = counts.get(event.kind, 0) + 1
    return _kind_counts(counts)


def _days_since(day: date, today: date) -> str:
    """``today``, ``yesterday``, ``161 days ago`` (``in 2 days`` for a day ahead)."""
    days = (today - day).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 0:
        return f"in {plural(-days, 'day')}"
    return f"{plural(days, 'day')} ago"


def _first_source(event: ContactEvent) -> list[Inline]:
    """`` — `` and the event's first source as a link, if it has one."""
    if not event.sources:
        return []
    return [" — ", *source_line(event.sources[0])]


def _sources_block(event: ContactEvent) -> Block:
    lines: list[Sequence[Inline] | str] = [source_line(s) for s in event.sources[:SOURCES_SHOWN]]
    more = len(event.sources) - SOURCES_SHOWN
    tail = f" (+{more} more)" if more > 0 else ""
    lines.append(f"Event #{event.id}, {plural(len(event.sources), 'source')}{tail}")
    return context(*lines)


def _claim_line(found: tuple[SilenceClaim, Source], lead: str) -> list[Inline]:
    claim, source = found
    runs: list[Inline] = [f"{lead}: “{claim.evidence}”"]
    if claim.since is not None:
        runs.append(f" (last contact it names: {format_day(claim.since)})")
    runs += [" — ", *source_line(source)]
    return runs


def _names_and(names: Iterable[str]) -> str:
    items = list(names)
    if len(items) <= 1:
        return items[0] if items else ""
    return ", ".join(items[:-1]) + " and " + items[-1]


def _first_role(role_keys: Sequence[str]) -> str:
    """The highest of several roles held at once (``ROLES`` order)."""
    order = {role: index for index, role in enumerate(ROLES)}
    return min(role_keys, key=lambda k: order.get(k.partition(".")[2], len(order)))


def _roles_label(role_a: str, role_b: str) -> str:
    """``US and RU defence chiefs`` or ``US defence chief and RU top military officer``."""
    code_a, _, a = role_a.partition(".")
    code_b, _, b = role_b.partition(".")
    if a == b:
        return f"{code_a.upper()} and {code_b.upper()} {role_title(a, plural=True)}"
    return f"{role_label(role_a)} and {role_label(role_b)}"


def _government(official: Official, day: date) -> str:
    """The government an official served on ``day`` (their own, unless a tenure says
    otherwise)."""
    for tenure in official.tenures:
        if tenure.covers(day) and tenure.country:
            return tenure.country
    return official.country


_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _split_since(args: Sequence[str]) -> tuple[list[str], date | None]:
    """``["austin", "shoigu", "since", "2022-05"]`` -> names and May 1, 2022."""
    lowered = [a.lower() for a in args]
    if "since" not in lowered:
        return list(args), None
    at = lowered.index("since")
    rest = args[at + 1 :]
    if len(rest) != 1:
        raise CommandError("Give one DATE after since (YYYY-MM-DD, YYYY-MM or YYYY).")
    match = _DAY.match(rest[0])
    if match is None:
        raise CommandError(
            f"'{rest[0]}' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY (since 2022-05)."
        )
    year, month, day = match.groups()
    try:
        return list(args[:at]), date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise CommandError(f"'{rest[0]}' is not a real day.") from None


def _parse_day(raw: str, today: date) -> date:
    try:
        day = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        raise CommandError(f"'{raw}' is not a real day.") from None
    if day is None:
        raise CommandError(f"'{raw}' is not a date; write it as YYYY-MM-DD (2022-10-23).")
    if day > today:
        raise CommandError(f"{raw} is in the future; a contact is recorded once it happened.")
    return day


def _parse_kind(raw: str) -> Kind:
    lowered = raw.lower()
    if lowered == "call":
        return "call"
    if lowered == "meeting":
        return "meeting"
    raise CommandError(f"KIND is call or meeting, not '{raw}'.")


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CommandError(f"'{url}' is not a web address; give the report's http(s) URL.")
    if any(c.isspace() for c in url):
        raise CommandError("A URL has no spaces.")


def _reply(*blocks: Block) -> Reply:
    """A public reply of these blocks, with their plain-text form."""
    return Reply(plain(blocks), blocks)


def _private(message: str) -> Reply:
    return Reply(message, (text(*message.splitlines()),), public=False)
