"""Crash safety: SIGKILL at random points during polls and deliveries, many times.

``hotline poll --once`` (real feed workers, the console front-end, SQLite) runs against a
loopback server whose feeds gain new contact reports every round, and is killed with
SIGKILL after a random delay, ``HOTLINE_CRASH_KILLS`` times (50 by default). A last run
finishes cleanly. Then: every item served was recorded, every contact event's alert was
delivered (no outbox row is left pending), and alerts printed twice are bounded by the kills
that landed between a print and its record (documented in the README).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fakes import Entry, FeedServer, rss

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("HOTLINE_CRASH_KILLS", "50"))
FEEDS = 6
PAIRS = [
    ("Russian Defence Minister Sergei Shoigu", "U.S. Defense Secretary Lloyd Austin",
     "spoke by telephone with"),
    ("U.S. Secretary of State Antony Blinken", "Chinese Foreign Minister Wang Yi", "met"),
    ("Turkish President Tayyip Erdogan", "Russian President Vladimir Putin",
     "spoke by phone with"),
    ("U.S. Joint Chiefs Chairman Mark Milley", "Russian General Staff chief Valery Gerasimov",
     "spoke by phone with"),
]  # fmt: skip
START = date(2022, 1, 3)


def report(feed: int, n: int) -> Entry:
    """The n-th report of feed ``feed``: a contact on a day no other report uses."""
    first, second, verb = PAIRS[(feed + n) % len(PAIRS)]
    day = START + timedelta(days=n * FEEDS + feed)
    published = datetime(day.year, day.month, day.day, 18, tzinfo=UTC)
    text = f"{first} {verb} {second} on {day:%B} {day.day}, {day.year}, the ministry said."
    return Entry(
        f"f{feed}-r{n}",
        f"{first.split()[-1]} and {second.split()[-1]} talk ({feed}-{n})",
        summary=text,
        published=format_datetime(published, usegmt=True),
    )


def serve_round(server: FeedServer, round_: int) -> None:
    for feed in range(FEEDS):
        entries = [report(feed, n) for n in range(round_ * 3 + 3)]
        server.serve(f"/f{feed}.xml", rss(list(reversed(entries))))  # all: none scroll off


async def hotline_poll(config: Path, db: Path, out: Path, kill_after: float | None) -> int | None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "SLACK_", "MATRIX_"))
    }
    env["PYTHONPATH"] = str(ROOT)
    with out.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "poll", "--once", "--config", str(config), "--db",
            str(db), "--log-level", "ERROR",
            stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=asyncio.subprocess.DEVNULL,
            env=env, cwd=ROOT,
        )  # fmt: skip
        if kill_after is None:
            return await asyncio.wait_for(process.wait(), timeout=120)
        try:
            return await asyncio.wait_for(process.wait(), timeout=kill_after)
        except TimeoutError:
            process.send_signal(signal.SIGKILL)
            await process.wait()
            return None


async def test_sigkill_at_random_points_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    db, out = tmp_path / "h.db", tmp_path / "console.txt"
    async with FeedServer() as server:
        feeds = "\n".join(
            f"  - {{name: f{n}, url: '{server.url(f'/f{n}.xml')}'}}" for n in range(FEEDS)
        )
        config = tmp_path / "feeds.yaml"
        config.write_text(
            f"feeds:\n{feeds}\nhistory: false\nmilestones: {{backlog: 1000}}\n", "utf-8"
        )
        serve_round(server, 0)
        assert await hotline_poll(config, db, out, None) == 0  # seeds every feed
        serve_round(server, 1)
        started = asyncio.get_running_loop().time()
        assert await hotline_poll(config, db, out, None) == 0  # a whole run, timed
        whole = asyncio.get_running_loop().time() - started
        killed = 0
        for kill in range(2, KILLS + 2):  # kills spread over start-up, polling and delivery
            serve_round(server, kill)
            code = await hotline_poll(config, db, out, rng.uniform(0.05, whole))
            killed += code is None
        assert await hotline_poll(config, db, out, None) == 0  # a clean last run
        assert await hotline_poll(config, db, out, None) == 0  # and nothing left after it

    served = {f"guid:f{feed}-r{n}" for feed in range(FEEDS) for n in range((KILLS + 1) * 3 + 3)}
    store = sqlite3.connect(db)
    recorded = {row[0] for row in store.execute("SELECT key FROM items")}
    assert served - recorded == set(), "items lost"
    statuses = dict(store.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status"))
    assert set(statuses) == {"sent"}, statuses
    events = store.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    alerts = store.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'contact'").fetchone()[0]
    assert events == alerts + FEEDS * 3  # the seeded round is recorded, not announced
    printed = out.read_text("utf-8").count("── CONTACT")
    duplicates = printed - alerts
    assert 0 <= duplicates <= killed, (printed, alerts, killed)
    sys.stderr.write(
        f"crash loop: {KILLS} runs, {killed} killed mid-way, {alerts} alerts, "
        f"{duplicates} printed twice\n"
    )
    assert killed >= KILLS * 2 // 3, "the kills should land while work is in progress"
    # no worker outlives its parent: orphans see their input close and exit
    async with asyncio.timeout(30):
        while _workers_of(ROOT):  # noqa: ASYNC110 - processes, not events
            await asyncio.sleep(0.05)


def _workers_of(root: Path) -> list[int]:
    """Feed workers started from this tree (their working directory is the repository)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            if b"bot.worker" in cmdline and (proc / "cwd").resolve() == root:
                found.append(int(proc.name))
        except OSError:
            continue
    return found
