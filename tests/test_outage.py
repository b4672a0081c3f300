"""A long Slack outage: minutes of 500s and 429s, then every alert exactly once, in order."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.models import Destination
from bot.notify import Dispatcher
from tests.slack_fake import FakeSlack
from tests.test_slack_delivery import Outbox, alert, frontend

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
CHANNELS = [Destination("slack", c) for c in ("C0DESKA", "C0DESKB", "C0DESKC")]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


async def test_minutes_of_500_and_429_then_everything_once_and_in_order(
    tmp_path: Path, slack: FakeSlack
) -> None:
    clock = FixedClock(NOW)
    box = Outbox(tmp_path / "h.db", clock)
    sender = frontend(slack, clock)
    dispatcher = Dispatcher(box.store, {"slack": sender}, clock, rng=random.Random(3))
    sent_order: dict[str, list[str]] = {}
    for n in range(1, 31):
        channel = CHANNELS[n % 3]
        box.store.enqueue(alert(n), [channel])
        sent_order.setdefault(channel.target, []).append(alert(n).text)

    outage_end = NOW + timedelta(minutes=12)
    waits: list[timedelta] = []
    while clock.now() < outage_end:
        # Slack is down: alternating 500s and 429s (with a Retry-After) for every call
        slack.heal("chat.postMessage")
        slack.fail("chat.postMessage", status=500, times=2)
        slack.fail("chat.postMessage", status=429, retry_after=45, times=2)
        assert await dispatcher.deliver_due() == 0
        soonest = box.store.next_attempt_at("slack")
        assert soonest is not None
        waits.append(soonest - clock.now())
        clock.set(max(soonest, clock.now() + timedelta(seconds=1)))
    slack.heal("chat.postMessage")
    assert slack.messages == []
    assert max(waits) <= timedelta(minutes=10) * 1.25  # backoff is capped, never gives up
    assert box.store.outbox_counts() == {"pending": 30}

    for _ in range(20):  # Slack is back: the retries fall due and everything goes out
        await dispatcher.deliver_due()
        soonest = box.store.next_attempt_at("slack")
        if soonest is None:
            break
        clock.set(max(soonest, clock.now()))
    assert box.store.outbox_counts() == {"sent": 30}
    assert clock.now() - outage_end <= timedelta(minutes=13)
    got: dict[str, list[str]] = {}
    for message in slack.messages:
        got.setdefault(message.channel, []).append(message.text)
    assert got == sent_order  # each exactly once, in order per channel
    assert len({m.ts for m in slack.messages}) == 30
    box.close()
