"""Watched silences through the console front-end: the ``silences`` command, and the
periodic check that announces each mark once, waits for overdue feeds, re-arms after a new
contact, survives a restart and routes to the watch's channels."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.app import SILENCE_CHECK
from bot.models import Destination, SilenceClaim
from bot.store import NewSource
from tests.fake_registry import HISTORY
from tests.fakes import Entry, Said, rfc822
from tests.test_service import NOW, Desk

CENSOR_JULY = "https://censor.net/en/news/3499434/austin_spoke_on_the_phone_with_belousov"
HEGSETH_PHONES = Said(
    "Hegseth phones Belousov", "pete-hegseth", "andrei-belousov", "call", date(2025, 7, 20)
)


@pytest.fixture
async def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path, said=[HEGSETH_PHONES])


async def test_silences_lists_every_watch_longest_first(desk: Desk) -> None:
    desk.store.record_silence_claim(
        SilenceClaim(
            "joe-biden",
            "vladimir-putin",
            date(2022, 3, 3),
            "call",
            "Biden and Putin last spoke on March 3.",
        ),
        NewSource("feed", "Kremlin readout", "", "https://tass.example/k", feed="tass"),
    )
    reply, printed = await desk.ask("silences")
    assert reply.public
    assert printed == (
        "Silences\n"
        "• Hegseth–Belousov: no contact on record\n"
        "• Biden–Putin (calls): 1205 days — last call on Sat February 12, 2022 — ksby.com "
        "<https://www.ksby.com/news/putin-biden-conclude-hourlong-call-on-ukraine-crisis> "
        "(bundled record) · a later report says: “Biden and Putin last spoke on March 3.” "
        "(last contact it names: March 3, 2022) — Kremlin readout <https://tass.example/k> "
        "(tass)\n"
        "• US–RU defence chiefs: 324 days — last Austin–Belousov call on Fri July 12, 2024 — "
        f"censor.net <{CENSOR_JULY}> (bundled record) (now Hegseth and Belousov)\n"
        "• US–RU top military officers: 186 days — last Brown–Gerasimov call on Wed November "
        "27, 2024 — news-pravda.com <https://news-pravda.com/world/2024/12/05/900682.html> "
        "(bundled record) (now Caine and Gerasimov) · marks: 90 and 180 days\n"
        "4 watches, longest silence first. A silence is announced at 30, 60, 90, 180 and 365 "
        "days unless a watch says otherwise.\n"
    )


async def test_a_claim_is_shown_for_a_watch_with_nothing_on_record(desk: Desk) -> None:
    desk.store.record_silence_claim(
        SilenceClaim("andrei-belousov", "pete-hegseth", None, None, "They have never spoken."),
        NewSource("feed", "Defence chiefs", "", "https://wire.example/d", feed="wire"),
    )
    printed = await desk.say("silences")
    assert printed.splitlines()[1] == (
        "• Hegseth–Belousov: no contact on record · a report says: “They have never spoken.” — "
        "Defence chiefs <https://wire.example/d> (wire)"
    )


async def test_silences_without_watches(tmp_path: Path) -> None:
    desk = Desk(tmp_path, config="feeds: [{name: wire, url: 'https://wire.example/rss'}]")
    assert await desk.say("silences") == (
        "Silences\n"
        "No watches are set. Add watch entries to feeds.yaml, such as {a: us.defense, b: "
        "ru.defense}.\n"
    )


async def test_the_silence_check_is_a_scheduled_job_every_ten_minutes(desk: Desk) -> None:
    interval, _ = desk.hotline.jobs()["silences"]
    assert interval == SILENCE_CHECK
    assert SILENCE_CHECK.total_seconds() == 600


async def test_marks_are_announced_once_to_the_watch_channels_and_re_armed_by_a_contact(
    desk: Desk,
) -> None:
    await desk.poll()
    await desk.check_silences()
    # the first look is quiet: marks long passed (324 days, 1205 days) are not news
    assert await desk.alerts() == ""
    assert desk.slack.delivered == []

    desk.clock.set(datetime(2025, 7, 12, 9, tzinfo=UTC))
    await desk.check_silences()
    assert await desk.alerts() == ""  # the feeds are overdue: a contact may be waiting there
    await desk.poll()
    await desk.check_silences()
    assert await desk.alerts() == (
        "── SILENCE · 2025-07-12 09:00 UTC ──────────────────────────────────────\n"
        "Silence: US–RU defence chiefs\n"
        "No contact between the US and RU defence chiefs since July 12, 2024: 365 days.\n"
        f"Last on record: Austin–Belousov call on Fri July 12, 2024 — censor.net <{CENSOR_JULY}> "
        "(bundled record)\n"
        "Now: Hegseth and Belousov\n"
        "Mark: 365 days (marks: 30, 60, 90, 180, 365 days)\n"
    )
    assert [(d.destination, d.alert.key) for d in desk.slack.delivered] == [
        (Destination("slack", "C0DEFENCE"), "silence:ru.defense~us.defense:365:e27")
    ]
    await desk.check_silences()
    assert await desk.alerts() == ""  # once

    desk.clock.set(datetime(2025, 7, 21, 9, tzinfo=UTC))
    desk.publish("wire", Entry("w1", "Hegseth phones Belousov", published=rfc822(2025, 7, 20)))
    await desk.poll()
    assert (await desk.alerts()).splitlines()[2] == "First Hegseth–Belousov call on record."

    desk.clock.set(datetime(2025, 8, 18, 9, tzinfo=UTC))  # 29 days
    await desk.poll()
    await desk.check_silences()
    assert await desk.alerts() == ""
    desk.clock.set(datetime(2025, 8, 19, 9, tzinfo=UTC))  # 30 days: both watches re-armed
    await desk.poll()
    await desk.check_silences()
    printed = await desk.alerts()
    assert [line for line in printed.splitlines() if line.startswith("No ")] == [
        "No contact between the US and RU defence chiefs since July 20: 30 days.",
        "No Hegseth–Belousov contact since July 20: 30 days.",
    ]
    assert [(d.destination.target, d.alert.key) for d in desk.slack.delivered[1:]] == [
        ("C0WIRE", "contact:35"),  # the feed's channel
        ("C0DEFENCE", "silence:ru.defense~us.defense:30:e35"),  # the watch's channel
        ("C0DESK", "silence:andrei-belousov~pete-hegseth:30:e35"),  # the defaults
    ]


async def test_a_watch_with_a_kind_counts_only_that_kind(tmp_path: Path) -> None:
    config = """
feeds: [{name: wire, url: 'https://wire.example/rss'}]
watch:
  - {a: marco-rubio, b: sergey-lavrov, kind: meeting, thresholds: [30]}
  - {a: marco-rubio, b: sergey-lavrov, kind: call, thresholds: [30]}
"""
    desk = Desk(tmp_path, config=config, now=datetime(2025, 3, 1, 9, tzinfo=UTC))
    await desk.poll()
    await desk.check_silences()  # quiet first look
    desk.clock.set(datetime(2025, 3, 20, 9, tzinfo=UTC))
    await desk.poll()
    await desk.check_silences()
    printed = await desk.alerts()
    # each kind keeps its own silence: the meeting on February 18, the call on February 15
    # (announced late, so it says how long the silence really is)
    assert [line for line in printed.splitlines() if line.startswith("No ")] == [
        "No Rubio–Lavrov meeting since February 18: 30 days.",
        "No Rubio–Lavrov call since February 15: 33 days.",
    ]


async def test_announced_marks_survive_a_restart(tmp_path: Path) -> None:
    desk = Desk(tmp_path)
    await desk.poll()
    await desk.check_silences()
    desk.clock.set(datetime(2025, 7, 12, 9, tzinfo=UTC))
    await desk.poll()
    await desk.check_silences()
    assert "365 days" in await desk.alerts()
    desk.store.close()

    again = Desk(tmp_path, history=(), now=datetime(2025, 7, 12, 9, 10, tzinfo=UTC))
    await again.poll()
    await again.check_silences()
    assert await again.alerts() == ""
    assert again.store.count_events() == len(HISTORY)


async def test_a_watch_added_later_starts_quietly(tmp_path: Path) -> None:
    desk = Desk(tmp_path, config="feeds: [{name: wire, url: 'https://wire.example/rss'}]")
    await desk.poll()
    await desk.check_silences()
    desk.store.close()
    config = """
feeds: [{name: wire, url: 'https://wire.example/rss'}]
watch: [{a: william-burns, b: sergei-naryshkin}]
"""
    later = Desk(tmp_path, config=config, history=(), now=NOW)
    await later.poll()
    await later.check_silences()
    assert await later.alerts() == ""


async def test_a_long_wait_for_overdue_feeds_is_a_warning(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    await desk.poll()
    await desk.check_silences()
    desk.clock.set(datetime(2025, 7, 12, 9, tzinfo=UTC))  # no poll since: the feeds are behind
    caplog.set_level(logging.INFO, logger="bot.watches")
    await desk.check_silences()
    desk.clock.set(datetime(2025, 7, 12, 10, 1, tzinfo=UTC))
    await desk.check_silences()
    waits = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.watches"]
    assert waits == [
        ("INFO", "silence marks wait (for 0s now) until 2 overdue feeds are read: wire, tass"),
        ("WARNING", "silence marks wait (for 1h1m now) until 2 overdue feeds are read: wire, tass"),
    ]
    assert await desk.alerts() == ""
