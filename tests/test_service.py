"""The command service as every front-end meets it, and ``Desk``: Hotline on the console
front-end with a fixed clock, the full-stack harness the command and alert tests share."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.app import Hotline, build
from bot.clock import FixedClock
from bot.config import parse_settings
from bot.errors import CommandError
from bot.models import IncomingMessage, Platform, Reply
from bot.notify import Dispatcher
from bot.parsing import InlineParser
from handlers.console import ConsoleFrontend
from tests.fake_registry import HISTORY, REGISTRY, seed
from tests.fakes import Entry, FakeDNS, KeywordExtractor, RecordingFrontend, Said, rss
from tests.test_poller import Web

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
"""Sunday June 1, 2025, 09:00 UTC."""

CONFIG = """
feeds:
  - {name: wire, url: 'https://wire.example/rss', channels: [C0WIRE]}
  - {name: tass, url: 'https://tass.example/rss'}
alerts: {slack: [C0DESK]}
editors: {slack: [U0EDITOR1]}
watch:
  - {a: us.defense, b: ru.defense, channels: [C0DEFENCE]}
  - {a: joe-biden, b: vladimir-putin, kind: call}
  - {a: us.military, b: ru.military, thresholds: [90, 180]}
  - {a: pete-hegseth, b: andrei-belousov}
"""


class Desk:
    """Hotline as a newsroom runs it on the embedded defaults: the real store, poller,
    notifier, dispatcher and command service; feeds served by a mock transport and read by
    a keyword extractor; the console front-end answering typed lines and printing alerts
    (plus a recording Slack front-end, for routing); a fixed clock."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        config: str = CONFIG,
        now: datetime = NOW,
        history: Sequence[tuple[str, str, str, str, str]] = HISTORY,
        said: Sequence[Said] = (),
    ) -> None:
        self.clock = FixedClock(now)
        self.web = Web()
        self.extractor = KeywordExtractor(list(said))
        self.dns = FakeDNS()
        settings = parse_settings(config, {}, db=str(tmp_path / "hotline.db"))
        for feed in settings.feeds:
            self.web.docs[feed.url] = httpx.Response(200, content=rss([]))
        self.hotline: Hotline = build(
            settings,
            REGISTRY,  # type: ignore[arg-type]
            platforms=("console", "slack"),
            clock=self.clock,
            transport=httpx.MockTransport(self.web),
            parser=InlineParser(self.extractor),
            resolve=self.dns,
        )
        self.hotline.poller.rng = random.Random(7)
        self.out = io.StringIO()
        self.console = ConsoleFrontend(self.hotline.service, self.out, clock=self.clock)
        self.slack = RecordingFrontend("slack")
        self.dispatcher = Dispatcher(
            self.hotline.store, {"console": self.console, "slack": self.slack}, self.clock
        )
        seed(self.hotline.store, history)

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.hotline.store

    def _printed(self, since: int) -> str:
        return self.out.getvalue()[since:]

    async def ask(self, line: str) -> tuple[Reply, str]:
        """Type a line on the console: the reply and what the console printed."""
        mark = len(self.out.getvalue())
        reply = await self.console.answer(line)
        assert reply is not None
        return reply, self._printed(mark)

    async def say(self, line: str) -> str:
        """What the console prints for a typed line."""
        return (await self.ask(line))[1]

    async def ask_as(self, user: str, line: str, platform: Platform = "slack") -> Reply:
        """A command from a chat user (editor rights come from feeds.yaml)."""
        return await self.hotline.service.handle(IncomingMessage(platform, user, "C0DESK", line))

    def publish(self, feed: str, *entries: Entry) -> None:
        """What a feed serves from now on."""
        self.web.docs[f"https://{feed}.example/rss"] = httpx.Response(
            200, content=rss(list(entries))
        )

    async def poll(self) -> None:
        await self.hotline.poller.poll_due()

    async def alerts(self) -> str:
        """Deliver what is due; what the console printed."""
        mark = len(self.out.getvalue())
        await self.dispatcher.deliver_due()
        return self._printed(mark)

    async def check_silences(self) -> None:
        _, job = self.hotline.jobs()["silences"]
        await job()


@pytest.fixture
async def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path)


# --- the service itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("lastkontakt milley", "I don't know the command 'lastkontakt'. Did you mean lastcontact?"),
        ("bogus", "I don't know the command 'bogus'. Type help for the list of commands."),
    ],
)
async def test_an_unknown_command_is_answered_privately_with_a_hint(
    desk: Desk, line: str, expected: str
) -> None:
    reply, printed = await desk.ask(line)
    assert not reply.public
    assert printed == expected + "\n"


async def test_a_bug_in_a_command_is_logged_and_answered_without_details(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(request: object) -> Reply:
        raise KeyError("boom")

    desk.hotline.service.handlers["silences"] = broken
    reply, printed = await desk.ask("silences")
    assert not reply.public
    assert printed == (
        "Something went wrong answering that; it has been logged. Try again, or type help.\n"
    )
    assert "command 'silences' failed" in caplog.text


async def test_an_error_reply_carries_the_usage_line(desk: Desk) -> None:
    reply, printed = await desk.ask("contacts")
    assert not reply.public
    assert printed == "Give two names.\nUsage: contacts A B [since DATE]\n"


async def test_resolve_names_one_official(desk: Desk) -> None:
    service = desk.hotline.service
    assert service.resolve("Gerasimow").id == "valery-gerasimov"
    with pytest.raises(CommandError, match="Did you mean Valery Gerasimov"):
        service.resolve("gerasimof")
