"""The poll pipeline: fetch, parse, what is new, record, alerts, feed state, restarts."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import Hotline, build
from bot.clock import FixedClock
from bot.config import parse_settings
from bot.extract import default_registry
from bot.notify import Dispatcher
from bot.parsing import InlineParser
from bot.store import Store
from tests.fakes import Entry, KeywordExtractor, RecordingFrontend, Said, rfc822, rss

NOW = datetime(2022, 10, 24, 9, 0, tzinfo=UTC)

REGISTRY = default_registry()
SAID = KeywordExtractor(
    [
        Said("Shoigu phones Austin", "sergei-shoigu", "lloyd-austin", "call", date(2022, 10, 23)),
        Said(
            "Austin and Shoigu speak", "sergei-shoigu", "lloyd-austin", "call", date(2022, 10, 23)
        ),
        Said(
            "Austin, Shoigu talk Friday",
            "sergei-shoigu",
            "lloyd-austin",
            "call",
            date(2022, 10, 21),
        ),
    ]
)

Handler = Callable[[httpx.Request], httpx.Response]


class Web:
    """A MockTransport whose documents tests change between polls."""

    def __init__(self) -> None:
        self.docs: dict[str, httpx.Response | Callable[[httpx.Request], httpx.Response]] = {}
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.docs.get(str(request.url), httpx.Response(404))
        return answer(request) if callable(answer) else answer


def make(
    tmp_path: Path,
    web: Web,
    clock: FixedClock,
    *,
    config: str = "feeds: [{name: wire, url: 'https://wire.example/rss'}]",
    backfill: bool = False,
    db: str = "h.db",
) -> tuple[Hotline, RecordingFrontend]:
    settings = parse_settings(config, {}, db=str(tmp_path / db))
    frontend = RecordingFrontend("console")
    hotline = build(
        settings,
        REGISTRY,
        platforms=("console",),
        clock=clock,
        transport=httpx.MockTransport(web),
        parser=InlineParser(SAID),
        backfill=backfill,
    )
    hotline.poller.rng = random.Random(7)
    return hotline, frontend


async def deliver(hotline: Hotline, frontend: RecordingFrontend) -> list[str]:
    before = len(frontend.delivered)
    await Dispatcher(hotline.store, {"console": frontend}, hotline.clock).deliver_due()
    return [d.alert.text.splitlines()[1] for d in frontend.delivered[before:]]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def test_first_poll_seeds_then_new_items_alert(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    old = Entry("g1", "Shoigu phones Austin on Sunday", published=rfc822(2022, 10, 23))
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([old]))
    hotline, frontend = make(tmp_path, web, clock)

    (outcome,) = await hotline.poller.poll_due()
    assert (outcome.status, outcome.items, outcome.new_items, outcome.contacts) == (
        "seeded",
        1,
        1,
        1,
    )
    assert await deliver(hotline, frontend) == []  # recorded, not alerted
    assert hotline.store.count_events() == 1

    clock.advance(timedelta(minutes=10))
    new = Entry("g2", "Austin, Shoigu talk Friday", published=rfc822(2022, 10, 24))
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([new, old]))
    (outcome,) = await hotline.poller.poll_due()
    assert (outcome.status, outcome.new_items, outcome.contacts) == ("new", 1, 1)
    assert await deliver(hotline, frontend) == ["First Austin–Shoigu call on record."]

    # A second report of Sunday's call joins the seeded event as a thread reply.
    clock.advance(timedelta(minutes=10))
    again = Entry("g3", "Austin and Shoigu speak again", published=rfc822(2022, 10, 24))
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([again, new, old]))
    await hotline.poller.poll_due()
    await deliver(hotline, frontend)
    reply = frontend.delivered[-1]
    assert reply.alert.kind == "source"
    assert reply.alert.thread is not None


async def test_a_milestone_headline_counts_recent_calls(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([]))
    hotline, frontend = make(tmp_path, web, clock)
    await hotline.poller.poll_due()
    friday = Entry("f", "Austin, Shoigu talk Friday", published=rfc822(2022, 10, 21))
    sunday = Entry("s", "Shoigu phones Austin", published=rfc822(2022, 10, 23))
    clock.advance(timedelta(minutes=10))
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([friday]))
    await hotline.poller.poll_due()
    clock.advance(timedelta(minutes=10))
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([sunday, friday]))
    await hotline.poller.poll_due()
    assert await deliver(hotline, frontend) == [
        "First Austin–Shoigu call on record.",
        "Second Austin–Shoigu call in three days.",
    ]


async def test_backfill_alerts_on_the_first_poll(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    entry = Entry("g1", "Shoigu phones Austin", published=rfc822(2022, 10, 23))
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([entry]))
    hotline, frontend = make(tmp_path, web, clock, backfill=True)
    await hotline.poller.poll_due()
    assert await deliver(hotline, frontend) == ["First Austin–Shoigu call on record."]


async def test_304_and_identical_bodies_skip_parsing(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    body = rss([Entry("g1", "Nothing to see")])

    def with_etag(request: httpx.Request) -> httpx.Response:
        if request.headers.get("If-None-Match") == '"e1"':
            return httpx.Response(304)
        return httpx.Response(200, content=body, headers={"ETag": '"e1"'})

    config = (
        "feeds: [{name: a, url: 'https://a.example/rss'}, {name: b, url: 'https://b.example/rss'}]"
    )
    web.docs["https://a.example/rss"] = with_etag
    web.docs["https://b.example/rss"] = httpx.Response(200, content=body)  # no validators
    hotline, _ = make(tmp_path, web, clock, config=config)
    first = {o.feed: o.status for o in await hotline.poller.poll_due()}
    assert first == {"a": "seeded", "b": "seeded"}
    clock.advance(timedelta(minutes=10))
    second = {o.feed: o.status for o in await hotline.poller.poll_due()}
    assert second == {"a": "not_modified", "b": "unchanged"}
    state = hotline.store.feed_state("a")
    assert state is not None and state.etag == '"e1"'
    assert state.next_poll == clock.now() + timedelta(minutes=10)


async def test_a_feed_is_polled_only_when_due(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([]))
    hotline, _ = make(tmp_path, web, clock)
    assert len(await hotline.poller.poll_due()) == 1
    clock.advance(timedelta(minutes=9))
    assert await hotline.poller.poll_due() == []
    clock.advance(timedelta(minutes=1))
    assert len(await hotline.poller.poll_due()) == 1


async def test_failures_back_off_alert_once_and_recover(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([]))
    config = (
        "feeds: [{name: wire, url: 'https://wire.example/rss'}]\nmilestones: {feed_broken_after: 3}"
    )
    hotline, frontend = make(tmp_path, web, clock, config=config)
    await hotline.poller.poll_due()
    web.docs["https://wire.example/rss"] = httpx.Response(503, headers={"Retry-After": "1200"})
    waits = []
    for _ in range(4):
        state = hotline.store.feed_state("wire")
        assert state is not None and state.next_poll is not None
        clock.set(state.next_poll)
        (outcome,) = await hotline.poller.poll_due()
        assert outcome.status == "error"
        assert outcome.next_poll is not None
        waits.append(outcome.next_poll - clock.now())
    assert waits[0] == timedelta(minutes=20)  # Retry-After beats the first backoff step
    assert waits[1] < waits[2] < waits[3]  # then exponential
    state = hotline.store.feed_state("wire")
    assert state is not None
    assert (state.errors, state.error_kind, state.last_error) == (
        4,
        "http_503",
        "HTTP 503 Service Unavailable",
    )
    await deliver(hotline, frontend)
    kinds = [d.alert.kind for d in frontend.delivered]
    assert kinds == ["feed_broken"]  # once, after the third failure
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([]))
    clock.set(state.next_poll or clock.now())
    (outcome,) = await hotline.poller.poll_due()
    assert outcome.status == "unchanged"  # the same body as before the outage
    await deliver(hotline, frontend)
    assert [d.alert.kind for d in frontend.delivered] == ["feed_broken", "feed_recovered"]
    assert hotline.store.feed_state("wire").errors == 0  # type: ignore[union-attr]


async def test_410_disables_the_feed_and_says_so(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(410)
    hotline, frontend = make(tmp_path, web, clock)
    (outcome,) = await hotline.poller.poll_due()
    assert outcome.status == "gone"
    await deliver(hotline, frontend)
    (broken,) = frontend.delivered
    assert "410 Gone" in broken.alert.text
    clock.advance(timedelta(days=1))
    assert await hotline.poller.poll_due() == []
    (skipped,) = await hotline.poller.poll_all()
    assert skipped.status == "skipped"
    assert len(web.seen) == 1


async def test_a_permanent_redirect_updates_the_stored_url(
    tmp_path: Path, clock: FixedClock
) -> None:
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(
        301, headers={"Location": "https://new.example/rss"}
    )
    web.docs["https://new.example/rss"] = httpx.Response(200, content=rss([]))
    hotline, _ = make(tmp_path, web, clock)
    await hotline.poller.poll_due()
    state = hotline.store.feed_state("wire")
    assert state is not None and state.url == "https://new.example/rss"
    clock.advance(timedelta(minutes=10))
    await hotline.poller.poll_due()
    assert str(web.seen[-1].url) == "https://new.example/rss"


async def test_a_backlog_flood_becomes_one_digest(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([]))
    hotline, frontend = make(tmp_path, web, clock)
    await hotline.poller.poll_due()
    flood = [
        Entry(
            f"g{n}", f"Shoigu phones Austin ({n})", published=rfc822(2022, 1 + n % 12, 1 + n % 27)
        )
        for n in range(100)
    ]
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss(flood))
    clock.advance(timedelta(minutes=10))
    (outcome,) = await hotline.poller.poll_due()
    assert outcome.new_items == 100
    await deliver(hotline, frontend)
    (digest,) = frontend.delivered
    assert digest.alert.kind == "digest"
    assert digest.alert.text.startswith("100 updates from wire at once")


async def test_a_restart_repeats_no_alert_and_keeps_the_schedule(
    tmp_path: Path, clock: FixedClock
) -> None:
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([]))
    first, frontend = make(tmp_path, web, clock)
    await first.poller.poll_due()
    entry = Entry("g1", "Shoigu phones Austin", published=rfc822(2022, 10, 23))
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss([entry]))
    clock.advance(timedelta(minutes=10))
    await first.poller.poll_due()
    assert len(await deliver(first, frontend)) == 1
    await first.aclose()

    second, frontend2 = make(tmp_path, web, clock)  # same database: a restart
    assert await second.poller.poll_due() == []  # not due yet: the schedule survived
    clock.advance(timedelta(minutes=10))
    (outcome,) = await second.poller.poll_due()
    assert outcome.new_items == 0
    assert await deliver(second, frontend2) == []


async def test_one_failing_item_is_skipped_and_the_rest_recorded(
    tmp_path: Path, clock: FixedClock
) -> None:
    def explode(item):  # type: ignore[no-untyped-def]
        if "bad" in item.title:
            raise RuntimeError("extractor bug")
        return SAID(item)

    web = Web()
    entries = [Entry("g1", "bad item"), Entry("g2", "Shoigu phones Austin")]
    web.docs["https://wire.example/rss"] = httpx.Response(200, content=rss(entries))
    hotline, _ = make(tmp_path, web, clock)
    hotline.poller.reader.parser = InlineParser(explode)  # type: ignore[attr-defined]
    (outcome,) = await hotline.poller.poll_due()
    assert (outcome.status, outcome.new_items, outcome.contacts) == ("seeded", 2, 1)


async def test_one_broken_feed_does_not_stop_the_others(tmp_path: Path, clock: FixedClock) -> None:
    web = Web()
    web.docs["https://a.example/rss"] = httpx.Response(200, content=b"<html>not a feed</html>")
    web.docs["https://b.example/rss"] = httpx.Response(200, content=rss([Entry("x", "y")]))
    config = (
        "feeds: [{name: a, url: 'https://a.example/rss'}, {name: b, url: 'https://b.example/rss'}]"
    )
    hotline, _ = make(tmp_path, web, clock, config=config)
    outcomes = {o.feed: (o.status, o.error) for o in await hotline.poller.poll_due()}
    assert outcomes["b"] == ("seeded", None)
    assert outcomes["a"][0] == "error"
    assert "not a feed" in (outcomes["a"][1] or "")


async def test_a_missing_date_is_recorded_as_approximate(tmp_path: Path, clock: FixedClock) -> None:
    extractor = KeywordExtractor([Said("talks", "sergei-shoigu", "lloyd-austin", "meeting")])
    web = Web()
    web.docs["https://wire.example/rss"] = httpx.Response(
        200, content=rss([Entry("g", "Shoigu, Austin hold talks", published=rfc822(2022, 10, 20))])
    )
    hotline, _ = make(tmp_path, web, clock)
    hotline.poller.reader.parser = InlineParser(extractor)  # type: ignore[attr-defined]
    await hotline.poller.poll_due()
    (event,) = hotline.store.pair_events("lloyd-austin", "sergei-shoigu")
    assert (event.date, event.approximate, event.kind) == (date(2022, 10, 20), True, "meeting")


def test_the_store_is_shared_not_reopened(tmp_path: Path) -> None:
    assert isinstance(Store(tmp_path / "x.db"), Store)
