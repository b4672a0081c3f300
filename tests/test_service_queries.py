"""The store's queries behind the answers: latest events over pair windows, an official's
latest contacts, counts, silence claims, and editors' removals."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.contacts import PairWindow, pair_windows, spells
from bot.models import SilenceClaim
from bot.store import NewSource, Store
from bot.store.schema import MIGRATIONS
from tests.fake_registry import HISTORY, REGISTRY, seed

NOW = datetime(2025, 6, 1, 9, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    found = Store(tmp_path / "q.db", FixedClock(NOW))
    seed(found)
    return found


def days(events: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{e.date} {e.a}~{e.b}" if e else "-" for e in events]


def test_latest_events_per_group_over_pair_windows(store: Store) -> None:
    defence = pair_windows(spells(REGISTRY, "us.defense"), spells(REGISTRY, "ru.defense"))  # type: ignore[arg-type]
    military = pair_windows(spells(REGISTRY, "us.military"), spells(REGISTRY, "ru.military"))  # type: ignore[arg-type]
    austin_shoigu_2022 = [
        PairWindow("lloyd-austin", "sergei-shoigu", date(2022, 1, 1), date(2022, 12, 31))
    ]
    nobody = [PairWindow("dan-caine", "valery-gerasimov")]
    found = store.latest_events(
        [
            (defence, None),
            (military, None),
            (austin_shoigu_2022, None),
            (austin_shoigu_2022, "meeting"),
            (nobody, None),
            ([], None),
        ]
    )
    assert days(found) == [
        "2024-07-12 andrei-belousov~lloyd-austin",
        "2024-11-27 charles-brown~valery-gerasimov",
        "2022-10-23 lloyd-austin~sergei-shoigu",
        "-",
        "-",
        "-",
    ]
    assert found[0] is not None and found[0].sources[0].url == (
        "https://censor.net/en/news/3499434/austin_spoke_on_the_phone_with_belousov"
    )


def test_latest_events_answers_hundreds_of_groups_in_chunks(store: Store) -> None:
    window = [PairWindow("joe-biden", "vladimir-putin")]
    found = store.latest_events([(window, None)] * 1000)
    assert {e.date if e else None for e in found} == {date(2022, 2, 12)}


def test_an_officials_latest_contacts_with_anyone(store: Store) -> None:
    assert days(store.official_events("lloyd-austin", limit=3)) == [
        "2024-07-12 andrei-belousov~lloyd-austin",
        "2024-06-25 andrei-belousov~lloyd-austin",
        "2023-03-15 lloyd-austin~sergei-shoigu",
    ]
    assert days(store.official_events("lloyd-austin", limit=1, kind="meeting")) == []
    assert store.pair_counts("joe-biden", "vladimir-putin") == {"call": 6, "meeting": 1}
    assert store.pair_counts("vladimir-putin", "joe-biden", since=date(2021, 7, 1)) == {"call": 4}


def test_removal_is_a_soft_delete_and_later_reports_stay_out(store: Store) -> None:
    (last,) = store.pair_events("lloyd-austin", "andrei-belousov", limit=1)
    removed = store.remove_event(last.id, by="slack:U0EDITOR1", at=NOW)
    assert removed == last
    assert store.removal(last.id) == (NOW, "slack:U0EDITOR1")
    assert store.remove_event(last.id, by="slack:U0EDITOR1", at=NOW) is None  # once
    assert days(store.pair_events("lloyd-austin", "andrei-belousov")) == [
        "2024-06-25 andrei-belousov~lloyd-austin"
    ]
    # a feed's later report of the removed contact is kept with it, out of the record
    again = store.record_contact(
        "lloyd-austin",
        "andrei-belousov",
        kind="call",
        day=date(2024, 7, 12),
        approximate=False,
        source=NewSource("feed", "Austin, Belousov talk", "They spoke.", feed="wire"),
    )
    assert again is None
    kept = store.event(last.id)
    assert kept is not None and [s.origin for s in kept.sources] == ["history", "feed"]
    assert store.count_events() == len(HISTORY) - 1  # the repeat did not bring it back
    # an editor's own entry for that day starts a new live event
    back = store.record_contact(
        "lloyd-austin",
        "andrei-belousov",
        kind="call",
        day=date(2024, 7, 12),
        approximate=False,
        source=NewSource(
            "editor", "Added by U0EDITOR1", "https://x.example/r", "https://x.example/r"
        ),
    )
    assert back is not None and back.new and back.event.id != last.id


def test_latest_silence_claims_for_many_pairs(store: Store) -> None:
    for since, text in ((date(2024, 7, 12), "old"), (None, "newest")):
        store.record_silence_claim(
            SilenceClaim("pete-hegseth", "andrei-belousov", since, None, text),
            NewSource("feed", "t", text, url="https://news.example/c", feed="wire"),
        )
    found = store.latest_silence_claims([("andrei-belousov", "pete-hegseth"), ("a", "b")])
    assert list(found) == [("andrei-belousov", "pete-hegseth")]
    claim, source = found[("andrei-belousov", "pete-hegseth")]
    assert (claim.evidence, source.feed, source.url) == ("newest", "wire", "https://news.example/c")
    assert store.latest_silence_claim("pete-hegseth", "andrei-belousov") == (claim, source)


def test_an_older_database_gains_the_index_for_an_officials_contacts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Store(path, migrations=MIGRATIONS[:1]).close()
    Store(path).close()
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "events_by_a" in names
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_latest_events_until_a_day(store: Store) -> None:
    military = pair_windows(spells(REGISTRY, "us.military"), spells(REGISTRY, "ru.military"))  # type: ignore[arg-type]
    found = store.latest_events([(military, None)] * 3, until=date(2024, 11, 26))
    assert days(found) == ["2023-03-15 mark-milley~valery-gerasimov"] * 3
    assert days(store.latest_events([(military, None)], until=date(2019, 1, 1))) == ["-"]
    assert days(store.official_events("valery-gerasimov", limit=1, until=date(2023, 3, 14))) == [
        "2022-10-24 mark-milley~valery-gerasimov"
    ]
