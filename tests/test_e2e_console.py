"""End to end on the embedded defaults: a loopback HTTP server serves feeds that change
between polls; the real fetcher, parser, store and the console front-end do the rest."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build, serve
from bot.clock import FixedClock
from bot.config import parse_settings
from bot.notify import Dispatcher
from bot.parsing import InlineParser
from handlers.console import ConsoleFrontend
from tests.fakes import Entry, FeedServer, KeywordExtractor, Said, rfc822, rss, until
from tests.test_poller import REGISTRY

NOW = datetime(2022, 10, 24, 9, 0, tzinfo=UTC)
EXTRACTOR = KeywordExtractor(
    [
        Said(
            "Shoigu holds call with Austin",
            "sergei-shoigu",
            "lloyd-austin",
            "call",
            date(2022, 10, 23),
        ),
        Said(
            "Austin and Shoigu spoke in May",
            "sergei-shoigu",
            "lloyd-austin",
            "call",
            date(2022, 5, 13),
        ),
    ]
)


class Output(io.StringIO):
    """A console output that tells waiters when something was written."""

    def __init__(self) -> None:
        super().__init__()
        self.written = asyncio.Event()

    def write(self, text: str) -> int:
        self.written.set()
        return super().write(text)

    async def wait_for(self, needle: str, seconds: float = 20.0) -> None:
        async with asyncio.timeout(seconds):
            while needle not in self.getvalue():
                self.written.clear()
                await self.written.wait()


async def test_feeds_that_change_between_polls_print_exactly_the_expected_alerts(
    tmp_path: Path,
) -> None:
    clock = FixedClock(NOW)
    async with FeedServer() as server:
        config = f"""
feeds:
  - {{name: mod, url: "{server.url("/mod.xml")}", tz: Europe/Moscow}}
  - {{name: wire, url: "{server.url("/wire.xml")}"}}
"""
        may = Entry("m1", "Austin and Shoigu spoke in May", published=rfc822(2022, 5, 13))
        server.serve("/mod.xml", rss([may]), etag='"v1"')
        server.serve("/wire.xml", rss([Entry("w1", "Markets today")]))
        settings = parse_settings(config, {}, db=str(tmp_path / "h.db"))
        hotline = build(
            settings,
            REGISTRY,
            platforms=("console",),
            clock=clock,
            parser=InlineParser(EXTRACTOR),
        )
        out = io.StringIO()
        console = ConsoleFrontend(hotline.service, out, clock=clock)
        dispatcher = Dispatcher(hotline.store, {"console": console}, clock)

        outcomes = await hotline.poller.poll_due()
        assert sorted((o.feed, o.status) for o in outcomes) == [
            ("mod", "seeded"),
            ("wire", "seeded"),
        ]
        await dispatcher.deliver_due()
        assert out.getvalue() == ""  # a first sight is recorded, not announced

        clock.advance(timedelta(minutes=10))
        call = Entry(
            "m2",
            "Shoigu holds call with Austin",
            summary="The ministers discussed Ukraine.",
            published=rfc822(2022, 10, 23, 18),
        )
        server.serve("/mod.xml", rss([call, may]), etag='"v2"')
        outcomes = await hotline.poller.poll_due()
        assert sorted((o.feed, o.status, o.new_items) for o in outcomes) == [
            ("mod", "new", 1),
            ("wire", "unchanged", 0),
        ]
        await dispatcher.deliver_due()
        assert out.getvalue() == (
            "── CONTACT (breaks a long silence) · 2022-10-24 09:10 UTC ──────────────\n"
            "Call: Lloyd Austin – Sergei Shoigu\n"
            "First Austin–Shoigu call since May 13, 163 days.\n"
            "Date: Sun October 23, 2022\n"
            "Source: Shoigu holds call with Austin <https://news.example/m2> (mod)\n"
            "“Shoigu holds call with Austin”\n"
            "[Mute mod 1h: type 'mute mod 1h']\n"
        )

        clock.advance(timedelta(minutes=10))
        outcomes = await hotline.poller.poll_due()
        assert sorted((o.feed, o.status) for o in outcomes) == [
            ("mod", "not_modified"),
            ("wire", "unchanged"),
        ]
        before = out.getvalue()
        await dispatcher.deliver_due()
        assert out.getvalue() == before
        # conditional GETs went out with the stored validators
        assert (
            server.requests[-2][1].get("If-None-Match") == '"v2"'
            or server.requests[-1][1].get("If-None-Match") == '"v2"'
        )
        await hotline.aclose()


async def test_serve_runs_the_tick_and_answers_typed_commands(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    async with FeedServer() as server:
        server.serve("/wire.xml", rss([Entry("w1", "Markets today")]))
        config = f'feeds: [{{name: wire, url: "{server.url("/wire.xml")}"}}]'
        settings = parse_settings(config, {"HOTLINE_HTTP_PORT": "0"}, db=str(tmp_path / "h.db"))
        hotline = build(
            settings,
            REGISTRY,
            platforms=("console",),
            clock=clock,
            parser=InlineParser(EXTRACTOR),
        )
        out = Output()
        stop = asyncio.Event()
        running = asyncio.create_task(
            serve(
                hotline,
                console=True,
                stdin=io.StringIO("help\n"),
                stdout=out,
                stop=stop,
                host="127.0.0.1",
            )
        )
        await out.wait_for("Hotline commands")
        assert "lastcontact A [B]" in out.getvalue()
        # the scheduler's first tick polls at once
        await until(lambda: (s := hotline.store.feed_state("wire")) is not None and s.seeded)
        web = hotline.extras["web"]
        import httpx

        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{web.port}/healthz")
            metrics = await client.get(f"http://127.0.0.1:{web.port}/metrics")
        assert health.status_code == 200
        assert health.json()["feeds"] == 1
        assert metrics.status_code == 200
        lines = metrics.text.splitlines()
        assert "hotline_feeds_polled_total 1.0" in lines
        assert 'hotline_outbox_depth{status="pending"} 0.0' in lines
        assert 'hotline_feeds{state="ok"} 1.0' in lines
        stop.set()
        await running
        await hotline.aclose()


@pytest.mark.parametrize("line", ["/help", "help", "  HELP  "])
async def test_the_console_accepts_commands_with_or_without_a_slash(
    tmp_path: Path, line: str
) -> None:
    settings = parse_settings(
        "feeds: [{name: x, url: 'https://x.example/f'}]", {}, db=str(tmp_path / "h.db")
    )
    hotline = build(settings, REGISTRY, platforms=(), parser=InlineParser(EXTRACTOR))
    out = io.StringIO()
    reply = await ConsoleFrontend(hotline.service, out).answer(line)
    assert reply is not None and reply.text.startswith("Hotline commands")
    assert out.getvalue().startswith("Hotline commands")
    await hotline.aclose()
