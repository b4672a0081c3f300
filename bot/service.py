"""Commands: parsed and answered once, here, for every front-end.

``CommandService.handle(IncomingMessage) -> Reply`` never raises for bad input: unknown
commands, bad arguments and refusals become a private reply that says what went wrong and
what to type instead. Front-ends only translate their payloads to ``IncomingMessage`` and
render the ``Reply``.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.errors import CommandError
from bot.extract import Registry
from bot.milestones import contact_kind_noun, pair_label, source_line
from bot.models import ContactEvent, IncomingMessage, Official, Reply
from bot.render import bullets, context, fields, format_day, heading, plain, plural, text
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

    def __init__(self, settings: Settings, store: Store, registry: Registry, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.registry = registry
        self.clock = clock
        self.handlers: dict[str, Handler] = {
            "help": self._help,
            "lastcontact": self._lastcontact,
        }

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
