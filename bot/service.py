"""Commands: parsed and answered once, here, for every front-end.

``CommandService.handle(IncomingMessage) -> Reply`` never raises for bad input: unknown
commands, bad arguments and refusals become a private reply that says what went wrong and
what to type instead. Front-ends only translate their payloads to ``IncomingMessage`` and
render the ``Reply``.
"""

from __future__ import annotations

import difflib
import logging
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings, format_duration, parse_duration
from bot.errors import CommandError
from bot.extract import Registry
from bot.milestones import contact_kind_noun, pair_label, source_line
from bot.models import ContactEvent, IncomingMessage, Mute, Official, Reply
from bot.notify import Notifier
from bot.render import ago, bullets, context, fields, format_day, heading, plain, plural, text
from bot.store import Store

__all__ = ["COMMANDS", "CommandService", "CommandSpec", "Request", "split_command"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command's name, usage line and help text."""

    name: str
    usage: str
    summary: str
    details: str = ""
    editors_only: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "lastcontact",
        "lastcontact A [B]",
        "the last contact between two officials (or A's latest contacts, or a country "
        "board: lastcontact us russia)",
        "Names are forgiving: surnames, spellings, transliterations, roles "
        "(pentagon chief) and countries all work.",
    ),
    CommandSpec("contacts", "contacts A B [since DATE]", "the history of a pair's contacts"),
    CommandSpec("silences", "silences", "the watched pairs, longest silence first"),
    CommandSpec("feeds", "feeds", "every feed's health: last success, new items, errors, mutes"),
    CommandSpec(
        "mute",
        "mute FEED|all DURATION [reason]",
        "hold a feed's alerts for a while (editors only)",
        "DURATION is like 30m, 2h or 1d. A muted feed is still polled and recorded; what it "
        "held is posted as one digest when the mute ends.",
        editors_only=True,
    ),
    CommandSpec("unmute", "unmute FEED|all", "end a mute now (editors only)", editors_only=True),
    CommandSpec("mutes", "mutes", "the mutes in force"),
    CommandSpec(
        "contact",
        "contact add A B DATE KIND URL | contact remove ID",
        "correct the record (editors only)",
        editors_only=True,
    ),
    CommandSpec("chart", "chart A B", "a timeline picture of a pair's contacts"),
    CommandSpec("help", "help [COMMAND]", "this list, or one command's help"),
)
_BY_NAME = {c.name: c for c in COMMANDS}
MAX_MUTE = timedelta(days=30)


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
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        registry: Registry,
        clock: Clock,
        notifier: Notifier,
    ) -> None:
        self.settings = settings
        self.store = store
        self.registry = registry
        self.clock = clock
        self.notifier = notifier
        self.handlers: dict[str, Handler] = {
            "help": self._help,
            "lastcontact": self._lastcontact,
            "feeds": self._feeds,
            "mute": self._mute,
            "unmute": self._unmute,
            "mutes": self._mutes,
        }

    # --- feeds and mutes ------------------------------------------------------------------

    def feed_name(self, text: str, *, allow_all: bool = False) -> str:
        """A configured feed's name (or ``*`` for ``all``) from what a user typed."""
        wanted = text.strip().lower()
        if allow_all and wanted in ("all", "*", "everything"):
            return "*"
        names = [f.name for f in self.settings.feeds]
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
        for spec in self.settings.feeds:
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
            parts = [f"{spec.name}: {health}"]
            if state and state.last_success:
                parts.append(f"last success {ago((now - state.last_success).total_seconds())}")
            if state and state.last_new_item:
                parts.append(f"last new item {ago((now - state.last_new_item).total_seconds())}")
            if mute:
                parts.append(f"muted until {mute.until:%H:%M} UTC")
            lines.append(", ".join(parts))
        summary = (
            f"{plural(len(self.settings.feeds), 'feed')}, "
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

    def resolve(self, name: str) -> Official:
        """One official for a name typed by a user, or a ``CommandError`` that says why."""
        found = self.registry.lookup(name, self.clock.now().date())
        if not found:
            raise CommandError(f"I don't know anyone called '{name}'.")
        if len({o.id for o in found}) > 1:
            options = ", ".join(o.name for o in found[:5])
            raise CommandError(f"'{name}' could be {options}. Be more specific.")
        return found[0]

    def _lastcontact(self, request: Request) -> Reply:
        if len(request.args) != 2:
            raise CommandError("Give two names.")
        a, b = (self.resolve(n) for n in request.args)
        events = self.store.pair_events(a.id, b.id, limit=2)
        label = pair_label(self.registry, a.id, b.id, short=False)
        today = self.clock.now().date()
        if not events:
            message = f"No contact between {label} is on record."
            return Reply(message, (text(message),))
        last = events[0]
        blocks = [
            heading(f"Last contact: {label}"),
            fields(
                ("Date", _event_day(last)),
                ("Kind", contact_kind_noun(last.kind)),
                ("Days since", plural((today - last.date).days, "day")),
            ),
            context(*(source_line(s) for s in last.sources)),
        ]
        if len(events) > 1:
            before = events[1]
            gap = (last.date - before.date).days
            blocks.append(
                text(
                    f"Before that: {contact_kind_noun(before.kind)} on {_event_day(before)}, "
                    f"{plural(gap, 'day')} earlier."
                )
            )
        return Reply(plain(blocks), tuple(blocks))

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
            return _private(
                f"I don't know the command '{command}'. Type help for the list of commands."
            )
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
            if spec is None:
                return _private(f"There is no command '{name}'. Type help for the list.")
            parts = [heading(spec.usage), text(spec.summary[0].upper() + spec.summary[1:] + ".")]
            if spec.details:
                parts.append(text(spec.details))
            return Reply(plain(parts), tuple(parts), public=False)
        available = [c for c in COMMANDS if c.name in self.handlers]
        blocks = (
            heading("Hotline commands"),
            bullets(*(f"{c.usage} — {c.summary}" for c in available)),
            text("Type help COMMAND for more on one command."),
        )
        return Reply(plain(blocks), blocks, public=False)


def _event_day(event: ContactEvent) -> str:
    day = format_day(event.date, weekday=True)
    return f"about {day}" if event.approximate else day


def _private(message: str) -> Reply:
    return Reply(message, (text(*message.splitlines()),), public=False)
