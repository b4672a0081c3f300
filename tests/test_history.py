"""The record from day one: the bundled history, ``history:`` in feeds.yaml, the first
start's load, and how live reports merge with recorded rows."""

from __future__ import annotations

import csv
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import Hotline, build
from bot.clock import FixedClock
from bot.config import parse_settings
from bot.contacts import Candidate, merge_target
from bot.errors import ConfigError
from bot.extract import default_registry
from bot.history import (
    BUNDLED_HISTORY,
    HISTORY_KEY,
    HistoryLoad,
    Tally,
    load_history,
    read_file,
)
from bot.notify import Dispatcher
from bot.parsing import InlineParser
from bot.records import COLUMNS
from bot.store import NewSource, Store
from tests.conftest import shared_path
from tests.fakes import Entry, KeywordExtractor, RecordingFrontend, Said, rfc822, rss
from tests.test_cli import run

REGISTRY = default_registry()
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
FEED = "https://wire.example/rss"


def bundled_rows() -> list[dict[str, str]]:
    with BUNDLED_HISTORY.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def sources_by_origin(store: Store) -> dict[str, int]:
    rows = store.db.execute("SELECT origin, COUNT(*) FROM sources GROUP BY origin").fetchall()
    return {row[0]: row[1] for row in rows}


# --- the bundled file ----------------------------------------------------------------------


def test_the_bundled_history_is_a_copy_of_the_projects_sourced_record() -> None:
    original = shared_path("history", "contacts.csv")
    assert BUNDLED_HISTORY.read_bytes() == original.read_bytes()


def test_every_row_of_the_bundled_history_resolves_to_officials_of_its_countries() -> None:
    raw = bundled_rows()
    with BUNDLED_HISTORY.open(encoding="utf-8") as file:
        assert tuple(file.readline().strip().split(",")) == COLUMNS
    found = read_file(BUNDLED_HISTORY, REGISTRY, today=date.max)
    assert found.problems == ()
    assert len(found.rows) == found.read == len(raw)
    for row, line in zip(found.rows, raw, strict=True):
        assert (row.day.isoformat(), row.kind, row.url, row.note) == (
            line["date"],
            line["kind"],
            line["source_url"],
            line["note"],
        )
        assert REGISTRY.country_of(row.a, row.day) == line["a_country"], line
        assert REGISTRY.country_of(row.b, row.day) == line["b_country"], line
    # one event per row: no two rows share a day, a pair and a kind
    assert len({row.key for row in found.rows}) == len(raw)


# --- the first start -----------------------------------------------------------------------


def make(
    tmp_path: Path,
    config: str = f"feeds: [{{name: wire, url: '{FEED}'}}]",
    *,
    said: KeywordExtractor | None = None,
    web: dict[str, bytes] | None = None,
) -> Hotline:
    settings = parse_settings(config, {}, db=str(tmp_path / "h.db"), base_dir=tmp_path)
    pages = web if web is not None else {}

    def answer(request: httpx.Request) -> httpx.Response:
        body = pages.get(str(request.url))
        return httpx.Response(200, content=body) if body is not None else httpx.Response(404)

    return build(
        settings,
        REGISTRY,
        platforms=("console",),
        clock=FixedClock(NOW),
        transport=httpx.MockTransport(answer),
        parser=InlineParser(said or KeywordExtractor()),
        history=True,
    )


async def test_the_first_start_loads_the_history_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.history")
    rows = len(bundled_rows())
    first = make(tmp_path)
    assert first.store.count_events() == rows
    assert sources_by_origin(first.store) == {"history": rows}
    assert [r.getMessage() for r in caplog.records] == [
        f"history: {rows} contacts recorded from the bundled record ({rows} new events; "
        "0 rows already recorded, 0 rejected)"
    ]
    await first.aclose()

    caplog.clear()
    second = make(tmp_path)
    assert second.store.count_events() == rows
    assert sources_by_origin(second.store) == {"history": rows}
    assert caplog.records == []
    assert load_history(second.store, REGISTRY, True, today=TODAY) == HistoryLoad(
        BUNDLED_HISTORY, skipped=True
    )
    await second.aclose()


async def test_history_false_loads_nothing(tmp_path: Path) -> None:
    hotline = make(tmp_path, f"feeds: [{{name: wire, url: '{FEED}'}}]\nhistory: false\n")
    assert hotline.store.count_events() == 0
    assert hotline.store.get_value(HISTORY_KEY) is None
    await hotline.aclose()


def write_history(path: Path, *rows: str) -> Path:
    path.write_text(",".join(COLUMNS) + "\n" + "".join(r + "\n" for r in rows), "utf-8")
    return path


BURNS = (
    "2022-11-14,William Burns,US,Sergei Naryshkin,RU,meeting,"
    "https://www.example.org/ankara,Ankara meeting"
)
MODI = "2024-07-08,Narendra Modi,IN,Vladimir Putin,RU,meeting,https://news.example/modi,"
MODI_NEXT = "2024-07-09,Narendra Modi,IN,Vladimir Putin,RU,meeting,https://news.example/modi,"


async def test_history_path_loads_that_file_instead(tmp_path: Path) -> None:
    write_history(tmp_path / "desk-history.csv", BURNS, MODI)
    hotline = make(tmp_path, f"feeds: [{{name: wire, url: '{FEED}'}}]\nhistory: desk-history.csv\n")
    assert hotline.store.count_events() == 2
    (burns,) = hotline.store.pair_events("william-burns", "sergei-naryshkin")
    assert (burns.date, burns.kind, burns.approximate) == (date(2022, 11, 14), "meeting", False)
    assert [(s.origin, s.feed, s.title, s.url, s.evidence, s.published) for s in burns.sources] == [
        ("history", None, "example.org", "https://www.example.org/ankara", "Ankara meeting", None)
    ]
    (modi,) = hotline.store.pair_events("narendra-modi", "vladimir-putin")
    assert [(s.title, s.evidence) for s in modi.sources] == [("news.example", "Recorded contact")]
    await hotline.aclose()


def test_a_changed_history_file_loads_only_its_new_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db", FixedClock(NOW))
    path = write_history(tmp_path / "h.csv", BURNS, MODI)
    first = load_history(store, REGISTRY, path, today=TODAY)
    assert first == HistoryLoad(path, False, read=2, rejected=0, tally=Tally(2, 2, 0))
    write_history(path, BURNS, MODI, MODI_NEXT)
    second = load_history(store, REGISTRY, path, today=TODAY)
    assert second == HistoryLoad(path, False, read=3, rejected=0, tally=Tally(1, 1, 2))
    # the two days of the visit are two contacts, not one
    assert [e.date for e in store.pair_events("narendra-modi", "vladimir-putin")] == [
        date(2024, 7, 9),
        date(2024, 7, 8),
    ]
    assert load_history(store, REGISTRY, path, today=TODAY) == HistoryLoad(path, skipped=True)


def test_a_bad_history_row_is_logged_and_skipped_and_tried_again_next_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(tmp_path / "h.db", FixedClock(NOW))
    later = "2026-06-02,Vladimir Putin,RU,Xi Jinping,CN,call,https://news.example/later,"
    path = write_history(tmp_path / "h.csv", BURNS, later)
    with caplog.at_level(logging.WARNING, logger="bot.history"):
        loaded = load_history(store, REGISTRY, path, today=TODAY)
    assert loaded == HistoryLoad(path, False, read=2, rejected=1, tally=Tally(1, 1, 0))
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "history row skipped: h.csv:3: date 2026-06-02 is in the future (today is 2026-06-01)"
    ]
    # the next start (a day later) reads the file again and records the row that was early
    tomorrow = load_history(store, REGISTRY, path, today=TODAY + timedelta(days=1))
    assert tomorrow == HistoryLoad(path, False, read=2, rejected=0, tally=Tally(1, 1, 1))
    assert load_history(store, REGISTRY, path, today=TODAY) == HistoryLoad(path, skipped=True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "history: cannot read", id="missing"),
        pytest.param("when,who\n", "history: h.csv:1: bad header", id="bad-header"),
    ],
)
def test_a_history_file_that_cannot_be_read_is_a_configuration_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "h.csv"
    if content is not None:
        path.write_text(content, "utf-8")
    store = Store(tmp_path / "h.db", FixedClock(NOW))
    with pytest.raises(ConfigError) as caught:
        load_history(store, REGISTRY, path, today=TODAY)
    assert message in str(caught.value)
    assert store.count_events() == 0


# --- merging -------------------------------------------------------------------------------

RECORDED = Candidate(7, date(2023, 3, 15), approximate=False, recorded=True)
REPORTED = Candidate(8, date(2023, 3, 15), approximate=False, recorded=False)
VAGUE = Candidate(9, date(2023, 3, 15), approximate=True, recorded=False)


@pytest.mark.parametrize(
    ("day", "approximate", "recorded", "candidates", "target"),
    [
        pytest.param(date(2023, 3, 15), False, False, [RECORDED], 7, id="report-same-day"),
        pytest.param(date(2023, 3, 14), False, False, [RECORDED], 7, id="report-a-day-off"),
        pytest.param(date(2023, 3, 17), False, False, [RECORDED], None, id="report-two-days"),
        pytest.param(date(2023, 3, 16), False, True, [REPORTED], 8, id="record-a-day-off"),
        pytest.param(date(2023, 3, 16), False, True, [RECORDED], None, id="records-a-day-apart"),
        pytest.param(date(2023, 3, 15), False, True, [RECORDED], 7, id="records-same-day"),
        pytest.param(date(2023, 3, 16), False, False, [REPORTED], None, id="reports-a-day-apart"),
        pytest.param(date(2023, 3, 16), False, True, [VAGUE], 9, id="record-vague-report"),
    ],
)
def test_a_record_and_a_report_a_day_apart_are_one_contact(
    day: date, approximate: bool, recorded: bool, candidates: list[Candidate], target: int | None
) -> None:
    assert merge_target(day, approximate, candidates, recorded=recorded) == target


MILLEY = next(
    r for r in reversed(bundled_rows()) if {r["a"], r["b"]} == {"Mark Milley", "Valery Gerasimov"}
)
"""The latest Milley–Gerasimov contact of the bundled record."""
MILLEY_DAY = date.fromisoformat(MILLEY["date"])


async def test_a_live_report_a_day_off_joins_the_history_row_as_another_source(
    tmp_path: Path,
) -> None:
    said = KeywordExtractor(
        [
            Said(
                "Milley and Gerasimov talk",
                "mark-milley",
                "valery-gerasimov",
                MILLEY["kind"],  # type: ignore[arg-type]
                MILLEY_DAY - timedelta(days=1),  # the wire's day, west of Moscow
            )
        ]
    )
    web = {FEED: rss([Entry("old", "Markets today")])}
    hotline = make(tmp_path, said=said, web=web)
    events = hotline.store.count_events()
    await hotline.poller.poll_due()  # the feed's first poll: seeded
    web[FEED] = rss(
        [
            Entry("m", "Milley and Gerasimov talk", published=rfc822(2023, 3, 16)),
            Entry("old", "Markets today"),
        ]
    )
    assert isinstance(hotline.clock, FixedClock)
    hotline.clock.advance(timedelta(minutes=10))
    (outcome,) = await hotline.poller.poll_due()
    assert (outcome.status, outcome.new_items, outcome.contacts) == ("new", 1, 1)

    assert hotline.store.count_events() == events  # no second event
    (event, *_) = hotline.store.pair_events("mark-milley", "valery-gerasimov")
    assert (event.date, event.kind) == (MILLEY_DAY, MILLEY["kind"])  # the record's day
    assert [(s.origin, s.feed, s.url) for s in event.sources] == [
        ("history", None, MILLEY["source_url"]),
        ("feed", "wire", "https://news.example/m"),
    ]
    frontend = RecordingFrontend("console")
    await Dispatcher(hotline.store, {"console": frontend}, hotline.clock).deliver_due()
    (alert,) = [d.alert for d in frontend.delivered]
    assert (alert.kind, alert.thread) == ("source", f"contact:{event.id}")
    assert alert.text.splitlines()[0] == (
        f"Another report of the Milley–Gerasimov {MILLEY['kind']} on "
        f"{MILLEY_DAY:%B} {MILLEY_DAY.day}, {MILLEY_DAY.year}:"
    )
    await hotline.aclose()


def test_a_history_row_joins_an_earlier_report_a_day_off_and_fixes_its_day(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "h.db", FixedClock(NOW))
    reported = store.record_contact(
        "mark-milley",
        "valery-gerasimov",
        kind=MILLEY["kind"],  # type: ignore[arg-type]
        day=MILLEY_DAY + timedelta(days=1),
        approximate=False,
        source=NewSource(origin="feed", title="Wire", evidence="They talked.", feed="wire"),
    )
    assert reported is not None
    loaded = load_history(store, REGISTRY, True, today=TODAY)
    assert loaded is not None
    rows = len(bundled_rows())
    assert loaded.tally == Tally(recorded=rows, new_events=rows - 1, already=0)
    event = store.event(reported.event.id)
    assert event is not None
    assert event.date == MILLEY_DAY
    assert [s.origin for s in event.sources] == ["feed", "history"]
    assert store.count_events() == rows


# --- answers on a fresh install ------------------------------------------------------------


def test_lastcontact_on_a_fresh_install_answers_from_the_bundled_record(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(f"feeds: [{{name: wire, url: '{FEED}'}}]\n", "utf-8")
    db = str(tmp_path / "fresh.db")
    result = run(
        ["ask", "lastcontact", "milley", "gerasimov", "--config", str(config), "--db", db],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answer = result.stdout
    for essential in (
        f"{MILLEY_DAY:%B}",
        str(MILLEY_DAY.day),
        str(MILLEY_DAY.year),
        MILLEY["kind"],
        "bundled record",
        MILLEY["source_url"],
    ):
        assert essential in answer, (essential, answer)
    assert "history: " in result.stderr  # the first start said what it loaded
    again = run(
        ["ask", "lastcontact", "milley", "gerasimov", "--config", str(config), "--db", db], tmp_path
    )
    assert again.stdout == answer
    assert "history: " not in again.stderr  # loaded once
