"""Mutes through the command service, with a fixed clock: held alerts, digests, expiry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import Hotline
from bot.clock import FixedClock
from bot.models import IncomingMessage, Reply
from bot.notify import Dispatcher
from tests.fakes import Entry, RecordingFrontend, rfc822, rss
from tests.test_poller import NOW, Web, make

CONFIG = """
feeds:
  - {name: wire, url: 'https://wire.example/rss'}
  - {name: tass, url: 'https://tass.example/rss'}
editors: {slack: [U0EDITOR1]}
"""


async def ask(hotline: Hotline, text: str, user: str = "U0EDITOR1") -> Reply:
    return await hotline.service.handle(IncomingMessage("slack", user, "C1", text))


@pytest.fixture
async def world(tmp_path: Path) -> tuple[Hotline, Web, RecordingFrontend, FixedClock]:
    clock = FixedClock(NOW)
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([]))
    web.docs["https://tass.example/rss"] = httpx.Response(200, content=rss([]))
    hotline, frontend = make(tmp_path, web, clock, config=CONFIG)
    await hotline.poller.poll_due()  # seed both feeds
    return hotline, web, frontend, clock


async def news(hotline: Hotline, web: Web, clock: FixedClock, feed: str, guid: str) -> None:
    entry = Entry(guid, f"Shoigu phones Austin ({guid})", published=rfc822(2022, 10, 23))
    web.docs[f"https://{feed}.example/rss"] = httpx.Response(200, content=rss([entry]))
    clock.advance(timedelta(minutes=10))
    await hotline.poller.poll_due()


async def deliver(hotline: Hotline, frontend: RecordingFrontend) -> list[str]:
    before = len(frontend.delivered)
    await Dispatcher(hotline.store, {"console": frontend}, hotline.clock).deliver_due()
    return [d.alert.kind for d in frontend.delivered[before:]]


async def test_a_muted_feed_is_recorded_but_its_alerts_wait_for_the_digest(world) -> None:  # type: ignore[no-untyped-def]
    hotline, web, frontend, clock = world
    reply = await ask(hotline, "mute wire 1h noisy overnight")
    assert reply.public
    assert reply.text.startswith("Muted wire for 1h (until 2022-10-24 10:00 UTC): noisy overnight.")
    await news(hotline, web, clock, "wire", "g1")
    assert hotline.store.count_events() == 1  # the record stays complete
    assert await deliver(hotline, frontend) == []
    mutes = await ask(hotline, "mutes", user="U0SOMEONE")
    assert mutes.text.splitlines()[1].startswith("• wire until 2022-10-24 10:00 UTC (50m left)")
    assert mutes.text.endswith("; 1 alert held")
    reply = await ask(hotline, "unmute wire")
    assert reply.text == "Unmuted wire. 1 held alert posted as a digest."
    assert await deliver(hotline, frontend) == ["digest"]
    digest = frontend.delivered[-1].alert
    assert digest.text.splitlines()[0] == "Mute of wire lifted by U0EDITOR1"
    assert "First Austin–Shoigu call on record." in digest.text


async def test_a_mute_expires_with_a_digest_and_other_feeds_are_untouched(world) -> None:  # type: ignore[no-untyped-def]
    hotline, web, frontend, clock = world
    await ask(hotline, "mute wire 30m")
    await news(hotline, web, clock, "tass", "t1")
    assert await deliver(hotline, frontend) == ["contact"]
    await news(hotline, web, clock, "wire", "w1")
    assert await deliver(hotline, frontend) == []
    assert hotline.notifier.expire_mutes() == 0
    clock.advance(timedelta(minutes=11))
    assert hotline.notifier.expire_mutes() == 1
    assert await deliver(hotline, frontend) == ["digest"]
    assert frontend.delivered[-1].alert.text.startswith("Mute of wire expired")
    assert (await ask(hotline, "mutes")).text == "No feed is muted."


async def test_mute_all_holds_every_feed_and_expiry_with_nothing_held_is_announced(world) -> None:  # type: ignore[no-untyped-def]
    hotline, _web, frontend, clock = world
    await ask(hotline, "mute all 15m")
    clock.advance(timedelta(minutes=16))
    hotline.notifier.expire_mutes()
    assert await deliver(hotline, frontend) == ["mute_expired"]
    assert frontend.delivered[-1].alert.text == (
        "Mute of every feed expired\nNothing was held while it was muted."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mute", "Say which feed (or all) and for how long."),
        ("mute wier 1h", "There is no feed called 'wier'. Did you mean wire?"),
        ("mute wire soon", "expected a duration such as '90s'"),
        ("mute wire 40d", "A mute lasts from 1 minute to 30 days."),
        ("unmute tass", "tass is not muted."),
    ],
)
async def test_bad_mute_commands_get_a_private_useful_reply(
    world, text: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    hotline, *_ = world
    reply = await ask(hotline, text)
    assert not reply.public
    assert expected in reply.text


async def test_only_editors_may_mute(world) -> None:  # type: ignore[no-untyped-def]
    hotline, *_ = world
    reply = await ask(hotline, "mute wire 1h", user="U0SOMEONE")
    assert not reply.public
    assert reply.text.startswith("Only editors may use mute.")
    assert hotline.store.mutes() == []
    vouched = await hotline.service.handle(
        IncomingMessage(
            "matrix", "@mod:example.org", "!r:example.org", "mute wire 1h", privileged=True
        )
    )
    assert vouched.public


async def test_every_mute_change_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    hotline, *_ = world
    await ask(hotline, "mute tass 2h budget cuts")
    await ask(hotline, "unmute tass")
    trail = hotline.store.audit_trail()
    assert [(t["user"], t["action"], t["detail"]["target"]) for t in trail] == [
        ("U0EDITOR1", "unmute", "tass"),
        ("U0EDITOR1", "mute", "tass"),
    ]


async def test_feeds_shows_health_and_mutes(world) -> None:  # type: ignore[no-untyped-def]
    hotline, web, _frontend, clock = world
    web.docs["https://tass.example/rss"] = httpx.Response(500)
    clock.advance(timedelta(minutes=10))
    await hotline.poller.poll_due()
    await ask(hotline, "mute wire 1h")
    reply = await ask(hotline, "feeds", user="U0SOMEONE")
    assert reply.text.splitlines() == [
        "Feeds",
        "2 feeds, 1 failing, 1 muted",
        "• wire: ok, last success just now, muted until 10:10 UTC",
        "• tass: failing (1 error: HTTP 500 Internal Server Error), last success 10 min ago",
    ]
