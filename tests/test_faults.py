"""Faults, over real HTTP on loopback: every misbehaviour a feed server can show, survived.

Each case polls through the real fetcher, parser, store and outbox, and checks that nothing
crashed, no alert was posted twice or lost, and the feed's state and backoff are right.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import socket
import struct
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Hotline, build
from bot.clock import FixedClock
from bot.config import parse_settings
from bot.notify import Dispatcher
from bot.parsing import InlineParser
from tests.conftest import SHARED
from tests.fakes import Entry, FeedServer, KeywordExtractor, RecordingFrontend, Said, rfc822, rss
from tests.test_poller import REGISTRY

NOW = datetime(2022, 10, 24, 9, 0, tzinfo=UTC)
EXTRACT = KeywordExtractor(
    [Said("Shoigu phones Austin", "sergei-shoigu", "lloyd-austin", "call", date(2022, 10, 23))]
)


class World:
    """A Hotline on one feed served by a loopback server, with a fixed clock."""

    def __init__(self, server: FeedServer, tmp: Path, extra: str = "") -> None:
        self.server = server
        self.clock = FixedClock(NOW)
        config = (
            f'feeds: [{{name: wire, url: "{server.url("/feed.xml")}"}}]\n'
            "polling: {timeout: 0.4s, max_bytes: 2000000}\n"
            "milestones: {feed_broken_after: 3}\n" + extra
        )
        settings = parse_settings(config, {}, db=str(tmp / "h.db"))
        self.frontend = RecordingFrontend("console")
        self.hotline: Hotline = build(
            settings,
            REGISTRY,
            platforms=("console",),
            clock=self.clock,
            parser=InlineParser(EXTRACT),
        )
        self.hotline.poller.rng = random.Random(1)

    async def poll(self) -> str:
        """Poll when due; deliver; return the outcome's status."""
        state = self.hotline.store.feed_state("wire")
        if state is not None and state.next_poll is not None:
            self.clock.set(max(self.clock.now(), state.next_poll))
        (outcome,) = await self.hotline.poller.poll_due()
        await Dispatcher(self.hotline.store, {"console": self.frontend}, self.clock).deliver_due()
        return outcome.status

    @property
    def state(self):  # type: ignore[no-untyped-def]
        return self.hotline.store.feed_state("wire")

    def alert_kinds(self) -> list[str]:
        keys = self.frontend.keys
        assert len(keys) == len(set(keys)), f"an alert was posted twice: {keys}"
        return [d.alert.kind for d in self.frontend.delivered]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FeedServer() as server:
        w = World(server, tmp_path)
        yield w
        await w.hotline.aclose()


GOOD = rss([Entry("g1", "Markets today", published=rfc822(2022, 10, 24))])
NEWS = rss(
    [
        Entry("g2", "Shoigu phones Austin", published=rfc822(2022, 10, 24)),
        Entry("g1", "Markets today", published=rfc822(2022, 10, 24)),
    ]
)


async def seed(w: World) -> None:
    w.server.serve("/feed.xml", GOOD)
    assert await w.poll() == "seeded"


async def recover_with_news(w: World) -> None:
    """After a fault: the feed answers again with one new contact; it is announced once."""
    w.server.serve("/feed.xml", NEWS)
    assert await w.poll() == "new"
    assert w.state.errors == 0
    assert w.state.last_error is None
    assert w.alert_kinds().count("contact") == 1


async def test_500_backs_off_exponentially_then_recovers(world: World) -> None:
    await seed(world)
    world.server.serve("/feed.xml", b"oops", status=500)
    waits = []
    for n in range(1, 4):
        assert await world.poll() == "error"
        assert (world.state.errors, world.state.error_kind) == (n, "http_500")
        waits.append(world.state.next_poll - world.clock.now())
    assert waits[0] < waits[1] < waits[2] <= timedelta(hours=6)
    assert world.alert_kinds() == ["feed_broken"]
    await recover_with_news(world)
    assert world.alert_kinds() == ["feed_broken", "feed_recovered", "contact"]


async def test_503_with_retry_after_waits_as_asked(world: World) -> None:
    await seed(world)
    world.server.serve("/feed.xml", b"busy", status=503, headers={"Retry-After": "5400"})
    assert await world.poll() == "error"
    assert world.state.next_poll - world.clock.now() == timedelta(seconds=5400)
    await recover_with_news(world)


async def test_a_timeout_is_an_error_not_a_hang(world: World) -> None:
    await seed(world)
    hold = asyncio.Event()
    world.server.holds["/feed.xml"] = hold  # the server never answers
    async with asyncio.timeout(10):
        assert await world.poll() == "error"
    assert world.state.error_kind == "timeout"
    hold.set()
    del world.server.holds["/feed.xml"]
    await recover_with_news(world)


async def test_a_connection_reset_is_an_error(tmp_path: Path) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # RST instead of an answer

    raw = await asyncio.start_server(reset, "127.0.0.1", 0)
    port = raw.sockets[0].getsockname()[1]
    async with FeedServer() as server:
        w = World(server, tmp_path)
        await seed(w)
        w.hotline.store.save_feed_state(
            w.state.__class__(**{**_fields(w.state), "url": f"http://127.0.0.1:{port}/feed.xml"})
        )
        assert await w.poll() == "error"
        assert w.state.error_kind == "connection"
        await w.hotline.aclose()
    raw.close()
    await raw.wait_closed()


def _fields(state: object) -> dict[str, object]:
    import dataclasses

    return {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}  # type: ignore[arg-type]


async def test_a_redirect_loop_is_an_error(world: World) -> None:
    await seed(world)
    world.server.serve("/feed.xml", b"", status=302, headers={"Location": "/other.xml"})
    world.server.serve("/other.xml", b"", status=302, headers={"Location": "/feed.xml"})
    assert await world.poll() == "error"
    assert world.state.error_kind == "redirect_loop"


@pytest.mark.parametrize("status", [301, 308])
async def test_a_permanent_move_is_followed_and_remembered(world: World, status: int) -> None:
    await seed(world)
    world.server.serve("/feed.xml", b"", status=status, headers={"Location": "/moved.xml"})
    world.server.serve("/moved.xml", NEWS)
    assert await world.poll() == "new"
    assert world.state.url == world.server.url("/moved.xml")
    assert world.alert_kinds() == ["contact"]
    world.server.serve("/feed.xml", b"gone from here", status=404)
    assert await world.poll() == "unchanged"  # the next poll goes to the new URL


async def test_410_disables_the_feed_once(world: World) -> None:
    await seed(world)
    world.server.serve("/feed.xml", b"", status=410)
    assert await world.poll() == "gone"
    assert world.state.gone
    assert world.state.next_poll is None
    world.clock.advance(timedelta(days=2))
    assert await world.hotline.poller.poll_due() == []
    assert world.alert_kinds() == ["feed_broken"]


async def test_invalid_xml_is_a_parse_error_and_the_last_good_state_stays(world: World) -> None:
    await seed(world)
    world.server.serve("/feed.xml", b"<rss><channel><item><title>broken")
    assert await world.poll() == "error"
    assert world.state.error_kind == "invalid_xml"
    assert world.state.seeded
    await recover_with_news(world)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/rss+xml; charset=utf-8",  # says UTF-8, is windows-1251
            '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item>'
            "<title>Шойгу провёл переговоры</title><guid>c1</guid></item></channel></rss>".encode(
                "windows-1251"
            ),
        ),
        (
            "text/xml",  # no charset anywhere, Latin-1 bytes
            b'<rss version="2.0"><channel><title>x</title><item><title>Caf\xe9 talks</title>'
            b"<guid>c2</guid></item></channel></rss>",
        ),
    ],
    ids=["wrong-charset", "undeclared-charset"],
)
async def test_wrong_or_missing_charsets_still_yield_items(
    world: World, content_type: str, body: bytes
) -> None:
    world.server.serve("/feed.xml", body, headers={"Content-Type": content_type})
    status = await world.poll()
    assert status in ("seeded", "error")
    if status == "seeded":
        assert world.hotline.store.count_items("wire") == 1
    else:
        assert world.state.error_kind in ("invalid_xml", "not_a_feed")


async def test_a_20_mb_body_is_refused_by_the_cap(world: World) -> None:
    await seed(world)
    world.server.serve("/feed.xml", b"<rss>" + b" " * (20 * 1024 * 1024) + b"</rss>")
    assert await world.poll() == "error"
    assert world.state.error_kind == "too_large"
    await recover_with_news(world)


async def test_a_gzip_bomb_is_refused_by_the_cap(world: World) -> None:
    await seed(world)
    bomb = gzip.compress(b"<rss>" + b"\0" * (64 * 1024 * 1024))  # 64 MiB, ~64 KiB sent
    world.server.serve("/feed.xml", bomb, headers={"Content-Encoding": "gzip"})
    assert await world.poll() == "error"
    assert world.state.error_kind == "too_large"


async def test_guid_churn_announces_nothing_again(world: World) -> None:
    world.server.serve("/feed.xml", NEWS)
    assert await world.poll() == "seeded"
    for n in range(3):  # every item re-GUIDed on every poll
        churned = rss(
            [
                Entry(f"g2-{n}", "Shoigu phones Austin", published=rfc822(2022, 10, 24)),
                Entry(f"g1-{n}", "Markets today", published=rfc822(2022, 10, 24)),
            ]
        )
        world.server.serve("/feed.xml", churned)
        world.clock.advance(timedelta(minutes=10))
        assert await world.poll() == "new"
    assert world.alert_kinds() == []
    assert world.hotline.store.count_items("wire") == 2


async def test_a_backlog_flood_is_one_digest(world: World) -> None:
    await seed(world)
    flood = [
        Entry(f"f{n}", f"Shoigu phones Austin, report {n}", published=rfc822(2022, 10, 24))
        for n in range(100)
    ]
    world.server.serve("/feed.xml", rss(flood))
    assert await world.poll() == "new"
    assert world.alert_kinds() == ["digest"]


def _real_feeds() -> list[Path]:
    folder = SHARED / "feeds-real"
    return sorted(p for p in folder.glob("*.xml")) if folder.exists() else []


@pytest.mark.skipif(not _real_feeds(), reason="../shared/feeds-real is absent")
async def test_every_real_feed_is_survived_over_http(tmp_path: Path) -> None:
    async with FeedServer() as server:
        names = []
        for n, path in enumerate(_real_feeds()):
            body = path.read_bytes()
            headers = {"Content-Encoding": "gzip"} if body[:2] == b"\x1f\x8b" else {}
            server.serve(f"/real{n}.xml", body, headers=headers)
            names.append(f"  - {{name: real{n}, url: '{server.url(f'/real{n}.xml')}'}}")
        settings = parse_settings("feeds:\n" + "\n".join(names), {}, db=str(tmp_path / "r.db"))
        hotline = build(
            settings, REGISTRY, platforms=(), parser=InlineParser(EXTRACT), clock=FixedClock(NOW)
        )
        outcomes = await hotline.poller.poll_all()
        assert len(outcomes) == len(names)
        by_status: dict[str, int] = {}
        for outcome in outcomes:
            by_status[outcome.status] = by_status.get(outcome.status, 0) + 1
            if outcome.status == "error":
                assert outcome.error  # a clean, named failure
        assert set(by_status) <= {"seeded", "error"}
        assert by_status["seeded"] >= len(names) - 6
        again = await hotline.poller.poll_all()  # nothing is new the second time
        assert all(o.new_items == 0 for o in again)
        await hotline.aclose()
