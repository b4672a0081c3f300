"""Alerts from the outbox to a fake Slack Web API: Block Kit, threads, pacing, pictures,
429 and 500, permanent refusals, and a restart mid-way: each alert is posted exactly once,
in order. A fixed clock drives the outbox's retry times."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import build
from bot.clock import FixedClock
from bot.config import Secret, SlackSettings, parse_settings
from bot.errors import FrontendError
from bot.models import Action, Alert, Delivery, Destination, Image, IncomingMessage, Reply
from bot.notify import Dispatcher, Notifier
from bot.parsing import InlineParser
from bot.render import heading, text
from bot.store import Store
from bot.store.base import parse_ts
from handlers.slack import SlackFrontend
from handlers.slack.limits import Pacer
from tests.fakes import Entry, KeywordExtractor, Said, rfc822, rss
from tests.slack_fake import BOT_TOKEN, FakeSlack, environ
from tests.test_poller import REGISTRY, Web
from tests.test_slack_blocks import FakeTime, mrkdwn_texts

NOW = datetime(2022, 10, 24, 9, 0, tzinfo=UTC)
ALERTS = Destination("slack", "C0ALERTS")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


class NoCommands:
    """Deliveries never ask the command service anything."""

    async def handle(self, message: IncomingMessage) -> Reply:
        raise AssertionError(f"unexpected command {message.text!r}")


def sender_for(api_url: str, clock: FixedClock, pacer: Pacer | None = None) -> SlackFrontend:
    settings = SlackSettings(
        bot_token=Secret(BOT_TOKEN), signing_secret=Secret("s"), api_url=api_url
    )
    return SlackFrontend(NoCommands(), settings, clock=clock, pacer=pacer or Pacer(timedelta(0)))


def frontend(slack: FakeSlack, clock: FixedClock, pacer: Pacer | None = None) -> SlackFrontend:
    return sender_for(slack.api_url, clock, pacer)


def alert(n: int, **extra: object) -> Alert:
    blocks = (heading(f"Alert {n}"), text(f"Body of alert {n}."))
    return Alert(
        key=f"contact:{n}",
        kind="contact",
        text=f"Alert {n}\nBody of alert {n}.",
        blocks=blocks,
        feed="wire",
        actions=(Action("Mute wire 1h", "mute wire 1h"),),
        **extra,  # type: ignore[arg-type]
    )


class Outbox:
    """A store and notifier on one SQLite file, routing to ``C0ALERTS``."""

    def __init__(self, path: Path, clock: FixedClock) -> None:
        self.store = Store(path, clock)
        self.notifier = Notifier(self.store, {"slack": (ALERTS,)}, ("slack",), clock)

    def close(self) -> None:
        self.store.close()

    def row(self, key: str) -> tuple[str, int, datetime | None]:
        """An outbox row's status, failed attempts and next attempt time."""
        found = self.store.db.execute(
            "SELECT status, attempts, next_attempt FROM outbox WHERE alert_key = ?", (key,)
        ).fetchone()
        return found["status"], found["attempts"], parse_ts(found["next_attempt"])


async def test_an_alert_goes_out_as_block_kit_and_later_sources_in_its_thread(
    tmp_path: Path, slack: FakeSlack
) -> None:
    clock = FixedClock(NOW)
    box = Outbox(tmp_path / "h.db", clock)
    box.notifier.notify(alert(1))
    box.notifier.notify(
        Alert(
            "source:1:2",
            "source",
            "Another report <b>",
            (text("Another report <b>"),),
            thread="contact:1",
        )
    )
    dispatcher = Dispatcher(box.store, {"slack": frontend(slack, clock)}, clock)
    assert await dispatcher.deliver_due() == 2
    first, second = slack.called("chat.postMessage")
    assert first.token == BOT_TOKEN
    assert first.params == {
        "channel": "C0ALERTS",
        "text": "Alert 1\nBody of alert 1.",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Alert 1", "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Body of alert 1."}},
            {
                "type": "actions",
                "block_id": "hotline_actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "hotline_action_0",
                        "text": {"type": "plain_text", "text": "Mute wire 1h", "emoji": True},
                        "value": "mute wire 1h",
                    }
                ],
            },
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }
    parent = slack.messages[0].ts
    assert second.params["thread_ts"] == parent
    assert second.params["text"] == "Another report &lt;b&gt;"
    assert box.store.sent_message("contact:1", ALERTS) == parent
    assert box.store.sent_message("source:1:2", ALERTS) == slack.messages[1].ts
    box.close()


async def test_an_alert_without_blocks_is_posted_as_text_alone(
    tmp_path: Path, slack: FakeSlack
) -> None:
    sender = frontend(slack, FixedClock(NOW))
    notice = Alert("mute:wire", "mute_expired", "The mute of wire ended & nothing was held.")
    ts = await sender.deliver(Delivery(1, ALERTS, notice))
    (call,) = slack.called("chat.postMessage")
    assert call.params == {
        "channel": "C0ALERTS",
        "text": "The mute of wire ended &amp; nothing was held.",
        "unfurl_links": False,
        "unfurl_media": False,
    }
    assert ts == slack.messages[0].ts


async def test_429_waits_for_retry_after_and_500_backs_off_then_all_go_out_in_order(
    tmp_path: Path, slack: FakeSlack
) -> None:
    clock = FixedClock(NOW)
    box = Outbox(tmp_path / "h.db", clock)
    for n in (1, 2, 3):
        box.notifier.notify(alert(n))
    dispatcher = Dispatcher(box.store, {"slack": frontend(slack, clock)}, clock)

    slack.fail("chat.postMessage", status=429, retry_after=30)
    assert await dispatcher.deliver_due() == 0
    assert len(slack.called("chat.postMessage")) == 1  # the SDK did not retry on its own
    assert box.row("contact:1") == ("pending", 1, NOW + timedelta(seconds=30))

    clock.advance(timedelta(seconds=29))
    assert await dispatcher.deliver_due() == 0
    assert len(slack.called("chat.postMessage")) == 1  # Retry-After is honoured

    clock.advance(timedelta(seconds=2))
    slack.fail("chat.postMessage", status=500)
    assert await dispatcher.deliver_due() == 0
    assert len(slack.called("chat.postMessage")) == 2
    status, attempts, waiting = box.row("contact:1")
    assert (status, attempts) == ("pending", 2)
    assert waiting is not None and waiting > clock.now()

    clock.advance(timedelta(minutes=1))
    assert await dispatcher.deliver_due() == 3
    assert slack.posted_texts() == [alert(n).text for n in (1, 2, 3)]
    assert len(slack.called("chat.postMessage")) == 5
    assert box.store.outbox_counts() == {"sent": 3}
    box.close()


class Watched:
    """A front-end whose refusals a test can wait for."""

    platform = "slack"

    def __init__(self, inner: SlackFrontend) -> None:
        self.inner = inner
        self.refused = asyncio.Event()

    async def deliver(self, delivery: Delivery) -> str | None:
        try:
            return await self.inner.deliver(delivery)
        except FrontendError:
            self.refused.set()
            raise


async def test_a_restart_mid_way_posts_every_alert_exactly_once_in_order(
    tmp_path: Path, slack: FakeSlack
) -> None:
    clock = FixedClock(NOW)
    path = tmp_path / "h.db"
    first_run = Outbox(path, clock)
    for n in range(1, 6):
        first_run.notifier.notify(alert(n))
    first = Watched(frontend(slack, clock))
    dispatcher = Dispatcher(first_run.store, {"slack": first}, clock)
    first_run.notifier.subscribe(dispatcher.wake)
    slack.fail("chat.postMessage", status=429, retry_after=60, after=2)
    running = asyncio.create_task(dispatcher.run())
    async with asyncio.timeout(10):
        await first.refused.wait()
    assert first_run.row("contact:3") == ("pending", 1, NOW + timedelta(seconds=60))
    running.cancel()  # the process stops while alert 3 waits for its Retry-After
    await asyncio.gather(running, return_exceptions=True)
    await first.inner.stop()
    first_run.close()
    assert slack.posted_texts() == [alert(1).text, alert(2).text]

    second_run = Outbox(path, clock)  # a new process on the same database
    second = frontend(slack, clock)
    restarted = Dispatcher(second_run.store, {"slack": second}, clock)
    assert await restarted.deliver_due() == 0  # still inside Retry-After
    clock.advance(timedelta(seconds=61))
    slack.fail("chat.postMessage", status=500)
    assert await restarted.deliver_due() == 0
    clock.advance(timedelta(minutes=1))
    assert await restarted.deliver_due() == 3
    assert await restarted.deliver_due() == 0

    assert slack.posted_texts() == [alert(n).text for n in range(1, 6)]
    assert len({m.ts for m in slack.messages}) == 5
    assert second_run.store.outbox_counts() == {"sent": 5}
    # the re-queued keys are refused by the outbox: nothing is posted twice
    assert second_run.notifier.notify(alert(1)) == 0
    second_run.close()


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
async def test_a_channel_refused_for_good_fails_its_row_and_others_go_on(
    tmp_path: Path, slack: FakeSlack, error: str
) -> None:
    clock = FixedClock(NOW)
    box = Outbox(tmp_path / "h.db", clock)
    gone = Destination("slack", "C0GONE")
    slack.refused["C0GONE"] = error
    box.notifier.notify(alert(1), [gone])
    box.notifier.notify(alert(2))
    sender = frontend(slack, clock)
    with pytest.raises(FrontendError) as refused:
        await sender.deliver(Delivery(99, gone, alert(9)))
    assert refused.value.permanent
    assert str(refused.value) == f"Slack refused chat.postMessage: {error}"
    await Dispatcher(box.store, {"slack": sender}, clock).deliver_due()
    assert box.store.outbox_counts() == {"failed": 1, "sent": 1}
    assert [m.channel for m in slack.messages] == ["C0ALERTS"]
    box.close()


async def test_a_dropped_connection_is_left_to_the_outbox_not_retried_by_the_sdk(
    tmp_path: Path, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", status=0)
    with pytest.raises(FrontendError) as failed:
        await frontend(slack, FixedClock(NOW)).deliver(Delivery(1, ALERTS, alert(1)))
    assert not failed.value.permanent
    assert str(failed.value).startswith("cannot reach Slack for chat.postMessage")
    assert len(slack.called("chat.postMessage")) == 1
    assert slack.messages == []


async def test_an_unreachable_slack_is_a_retry_not_a_loss(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = sender_for(f"http://127.0.0.1:{port}/api", FixedClock(NOW))
    with pytest.raises(FrontendError) as failed:
        await sender.deliver(Delivery(1, ALERTS, alert(1)))
    assert not failed.value.permanent
    assert str(failed.value).startswith("cannot reach Slack for chat.postMessage")


async def test_posts_to_one_channel_are_paced_to_one_a_second(
    tmp_path: Path, slack: FakeSlack
) -> None:
    clock = FixedClock(NOW)
    fake = FakeTime()
    pacer = Pacer(timedelta(seconds=1), monotonic=fake.monotonic, sleep=fake.sleep)
    sender = frontend(slack, clock, pacer)
    other = Destination("slack", "C0OTHER")
    for n, dest in enumerate([ALERTS, ALERTS, other, ALERTS], start=1):
        await sender.deliver(Delivery(n, dest, alert(n)))
    assert fake.woke == [101.0, 102.0]
    assert [m.channel for m in slack.messages] == ["C0ALERTS", "C0ALERTS", "C0OTHER", "C0ALERTS"]


async def test_a_chart_is_uploaded_with_its_alert_and_a_failed_upload_never_reposts(
    tmp_path: Path, slack: FakeSlack
) -> None:
    clock = FixedClock(NOW)
    picture = Image("austin-shoigu.png", b"\x89PNG\r\n\x1a\nfake-bytes", alt="Austin–Shoigu calls")
    sender = frontend(slack, clock)
    slack.fail("files.completeUploadExternal", status=500)
    delivery = Delivery(7, ALERTS, alert(1, image=picture), thread_parent="1700000000.000001")
    with pytest.raises(FrontendError):
        await sender.deliver(delivery)
    ts = await sender.deliver(delivery)  # the outbox's retry
    assert len(slack.called("chat.postMessage")) == 1
    assert ts == slack.messages[0].ts
    assert slack.messages[0].thread_ts == "1700000000.000001"
    asked = slack.called("files.getUploadURLExternal")
    assert len(asked) == 2  # the upload is tried again, the message is not
    assert asked[-1].params["filename"] == "austin-shoigu.png"
    assert asked[-1].params["length"] == str(len(picture.data))
    assert asked[-1].params["alt_txt"] == "Austin–Shoigu calls"
    assert slack.uploads == {"F0001": picture.data, "F0002": picture.data}
    complete = slack.called("files.completeUploadExternal")[-1]
    assert complete.params["channel_id"] == "C0ALERTS"
    assert complete.params["thread_ts"] == "1700000000.000001"
    assert json.loads(complete.params["files"]) == [{"id": "F0002", "title": "Austin–Shoigu calls"}]


async def test_a_feed_title_with_mentions_and_links_arrives_escaped(
    tmp_path: Path, slack: FakeSlack
) -> None:
    clock = FixedClock(NOW)
    web = Web()
    feed = "https://wire.example/rss"
    web.docs[feed] = httpx.Response(200, content=rss([]))
    config = f"feeds: [{{name: wire, url: '{feed}'}}]\nalerts: {{slack: [C0ALERTS]}}\n"
    settings = parse_settings(config, environ(slack), db=str(tmp_path / "h.db"))
    extractor = KeywordExtractor(
        [Said("Shoigu phones Austin", "sergei-shoigu", "lloyd-austin", "call", date(2022, 10, 23))]
    )
    hotline = build(
        settings,
        REGISTRY,
        platforms=("slack",),
        clock=clock,
        transport=httpx.MockTransport(web),
        parser=InlineParser(extractor),
    )
    await hotline.poller.poll_due()  # first sight: recorded, not announced
    # The feed's text (entity-encoded in its XML) says "<!channel>" and "<https://evil|click>".
    title = "Shoigu phones Austin &lt;!channel&gt; &lt;https://evil|click&gt; &amp; &lt;!here&gt;"
    web.docs[feed] = httpx.Response(
        200, content=rss([Entry("g1", title, published=rfc822(2022, 10, 24))])
    )
    clock.advance(timedelta(minutes=10))
    await hotline.poller.poll_due()
    (item_title,) = [r["title"] for r in hotline.store.db.execute("SELECT title FROM items")]
    assert "<!channel> <https://evil|click>" in item_title  # the raw text reached the core

    sender = SlackFrontend.from_hotline(hotline)
    sender.pacer = Pacer(timedelta(0))
    assert await Dispatcher(hotline.store, {"slack": sender}, clock).deliver_due() == 1
    (call,) = slack.called("chat.postMessage")
    everything = [call.params["text"], *mrkdwn_texts(call.params["blocks"])]
    joined = "\n".join(everything)
    for raw in ("<!channel>", "<!here>", "<https://evil"):
        assert raw not in joined
    assert "&lt;!channel&gt; &lt;https://evil|click&gt; &amp; &lt;!here&gt;" in joined
    # the one real link is the item's own
    assert "<https://news.example/g1|Shoigu phones Austin &lt;!channel&gt;" in joined
    await hotline.aclose()
