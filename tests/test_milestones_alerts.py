"""Every alert Hotline posts on its own, end to end through the poller, the outbox, the
dispatcher and the console front-end, with a fixed clock: a contact first on record, the
first after a long silence (loud), the n-th in a few days, a later source (a thread reply),
a backlog digest, a broken feed and its recovery, and the end of a mute routed like the
feed's alerts. (Silence marks: test_silences.py; held alerts and digests: test_mutes.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bot.config import format_duration
from bot.models import Destination
from tests.fake_registry import HISTORY
from tests.fakes import Entry, Said, rfc822
from tests.test_service import Desk

RUBIO_LAVROV = Said(
    "Rubio and Lavrov speak by phone", "marco-rubio", "sergey-lavrov", "call", date(2025, 4, 17)
)
APRIL_18 = datetime(2025, 4, 18, 8, tzinfo=UTC)


async def started(desk: Desk) -> Desk:
    await desk.poll()  # the first poll of each feed is recorded, not announced
    desk.clock.advance(timedelta(minutes=10))
    return desk


async def test_the_first_contact_after_a_long_silence_is_loud(tmp_path: Path) -> None:
    desk = await started(Desk(tmp_path, now=APRIL_18, said=[RUBIO_LAVROV]))
    desk.publish(
        "wire", Entry("w1", "Rubio and Lavrov speak by phone", published=rfc822(2025, 4, 17))
    )
    await desk.poll()
    assert await desk.alerts() == (
        "── CONTACT (breaks a long silence) · 2025-04-18 08:10 UTC ──────────────\n"
        "Call: Marco Rubio – Sergey Lavrov\n"
        "First Rubio–Lavrov call since February 15, 61 days.\n"
        "Date: Thu April 17, 2025\n"
        "Source: Rubio and Lavrov speak by phone <https://news.example/w1> (wire)\n"
        "“Rubio and Lavrov speak by phone”\n"
        "[Mute wire 1h: type 'mute wire 1h']\n"
    )
    (delivery,) = desk.slack.delivered
    assert (delivery.destination, delivery.alert.urgent) == (Destination("slack", "C0WIRE"), True)


async def test_a_later_report_is_a_reply_under_the_first(tmp_path: Path) -> None:
    desk = await started(Desk(tmp_path, now=APRIL_18, said=[RUBIO_LAVROV]))
    desk.publish(
        "wire", Entry("w1", "Rubio and Lavrov speak by phone", published=rfc822(2025, 4, 17))
    )
    await desk.poll()
    await desk.alerts()
    desk.clock.advance(timedelta(minutes=10))
    desk.publish(
        "wire",
        Entry("w2", "Rubio and Lavrov speak by phone, Kremlin says", published=rfc822(2025, 4, 17)),
        Entry("w1", "Rubio and Lavrov speak by phone", published=rfc822(2025, 4, 17)),
    )
    await desk.poll()
    assert await desk.alerts() == (
        "── ANOTHER SOURCE · 2025-04-18 08:20 UTC ───────────────────────────────\n"
        "  ↳ Another report of the Rubio–Lavrov call on April 17, 2025:\n"
        "  ↳ Source: Rubio and Lavrov speak by phone, Kremlin says <https://news.example/w2> "
        "(wire)\n"
        "  ↳ “Rubio and Lavrov speak by phone, Kremlin says”\n"
        "  ↳ [Mute wire 1h: type 'mute wire 1h']\n"
    )
    first, later = desk.slack.delivered
    assert (later.alert.key, later.alert.thread, later.thread_parent) == (
        "source:35:36",
        "contact:35",
        "m1",  # the Slack message the first alert became
    )
    assert later.destination == first.destination
    event = desk.store.event(35)
    assert event is not None and len(event.sources) == 2  # one event, every source


async def test_the_first_contact_on_record_and_the_second_in_three_days(tmp_path: Path) -> None:
    before_oct_23 = [row for row in HISTORY if row[0] < "2022-10-23"]
    said = [
        Said(
            "Shoigu holds call with Austin",
            "sergei-shoigu",
            "lloyd-austin",
            "call",
            date(2022, 10, 23),
        ),
        Said(
            "Burns meets Naryshkin",
            "william-burns",
            "sergei-naryshkin",
            "meeting",
            date(2022, 10, 23),
        ),
    ]
    desk = Desk(
        tmp_path,
        now=datetime(2022, 10, 24, 9, tzinfo=UTC),
        history=[r for r in before_oct_23 if "naryshkin" not in r[2] + r[1]],
        said=said,
    )
    await started(desk)
    desk.publish(
        "tass",
        Entry("t1", "Shoigu holds call with Austin", published=rfc822(2022, 10, 23, 18)),
        Entry("t2", "Burns meets Naryshkin in Ankara", published=rfc822(2022, 10, 23, 19)),
    )
    await desk.poll()
    printed = await desk.alerts()
    assert [
        line for line in printed.splitlines() if line.startswith(("──", "Second", "First"))
    ] == [
        "── CONTACT · 2022-10-24 09:10 UTC ──────────────────────────────────────",
        "Second Austin–Shoigu call in three days.",
        "── CONTACT · 2022-10-24 09:10 UTC ──────────────────────────────────────",
        "First Burns–Naryshkin meeting on record.",
    ]
    assert [d.destination.target for d in desk.slack.delivered] == ["C0DESK", "C0DESK"]


async def test_a_backlog_from_one_feed_becomes_one_digest(tmp_path: Path) -> None:
    pairs = [
        ("joe-biden", "vladimir-putin"),
        ("antony-blinken", "sergey-lavrov"),
        ("lloyd-austin", "sergei-shoigu"),
        ("mark-milley", "valery-gerasimov"),
        ("jake-sullivan", "nikolai-patrushev"),
        ("william-burns", "sergei-naryshkin"),
    ]
    said = [Said(f"story {n}", a, b, "call", date(2022, 1, 10)) for n, (a, b) in enumerate(pairs)]
    desk = await started(
        Desk(tmp_path, now=datetime(2022, 1, 11, 9, tzinfo=UTC), history=(), said=said)
    )
    desk.publish(
        "wire", *(Entry(f"s{n}", f"story {n}", published=rfc822(2022, 1, 10)) for n in range(6))
    )
    await desk.poll()
    printed = await desk.alerts()
    assert printed.splitlines()[:3] == [
        "── DIGEST · 2022-01-11 09:10 UTC ───────────────────────────────────────",
        "6 updates from wire at once",
        "The feed delivered a backlog; here is one digest instead of 6 alerts.",
    ]
    assert "• Call: Joe Biden – Vladimir Putin — First Biden–Putin call on record." in printed
    assert desk.store.count_events() == 6  # every contact recorded
    assert [d.alert.kind for d in desk.slack.delivered] == ["digest"]


async def when_due(desk: Desk, feed: str) -> None:
    """Move the clock to the feed's next poll and poll."""
    state = desk.store.feed_state(feed)
    assert state is not None and state.next_poll is not None
    desk.clock.set(state.next_poll)
    await desk.poll()


async def test_a_broken_feed_is_announced_once_and_its_recovery_too(tmp_path: Path) -> None:
    desk = await started(Desk(tmp_path, now=APRIL_18))
    desk.web.docs["https://wire.example/rss"] = httpx.Response(500)
    for _ in range(4):
        await when_due(desk, "wire")
    assert await desk.alerts() == ""  # four failures are not news yet
    await when_due(desk, "wire")
    broken_at = desk.clock.now()
    assert await desk.alerts() == (
        f"── FEED BROKEN · {broken_at:%Y-%m-%d %H:%M} UTC ──────────────────────────────────\n"
        "Feed wire is broken\n"
        "5 failures in a row; last: HTTP 500 Internal Server Error. Hotline keeps retrying with "
        "backoff.\n"
        "URL: https://wire.example/rss\n"
        "[Mute wire 1h: type 'mute wire 1h']\n"
    )
    await when_due(desk, "wire")
    assert await desk.alerts() == ""  # a sixth failure says nothing new
    desk.publish("wire")
    await when_due(desk, "wire")
    down = desk.clock.now() - broken_at
    assert down > timedelta(hours=1)
    printed = await desk.alerts()
    assert printed.splitlines()[1:] == [
        "Feed wire recovered",
        f"It answers again after {format_duration(down)} of failures.",
        "[Mute wire 1h: type 'mute wire 1h']",
    ]
    assert [(d.destination.target, d.alert.kind) for d in desk.slack.delivered] == [
        ("C0WIRE", "feed_broken"),
        ("C0WIRE", "feed_recovered"),
    ]


async def test_the_end_of_a_mute_goes_where_the_feeds_alerts_go(tmp_path: Path) -> None:
    desk = await started(Desk(tmp_path, now=APRIL_18))
    await desk.say("mute wire 30m overnight flood")
    await desk.say("mute all 45m")
    desk.clock.advance(timedelta(minutes=31))
    assert desk.hotline.notifier.expire_mutes() == 1
    assert await desk.alerts() == (
        "── MUTE ENDED · 2025-04-18 08:41 UTC ───────────────────────────────────\n"
        "Mute of wire expired\n"
        "Nothing was held while it was muted.\n"
    )
    desk.clock.advance(timedelta(minutes=15))
    assert desk.hotline.notifier.expire_mutes() == 1
    assert (await desk.alerts()).splitlines()[1] == "Mute of every feed expired"
    assert [(d.destination.target, d.alert.kind) for d in desk.slack.delivered] == [
        ("C0WIRE", "mute_expired"),  # the feed's own channel
        ("C0DESK", "mute_expired"),  # every feed: the defaults
    ]
