"""The SQLite store: migrations, what is new, merging contacts into events, the outbox."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.errors import StoreError
from bot.feeds import content_hash
from bot.models import Alert, Destination, Item, Mute
from bot.store import SCHEMA_VERSION, NewSource, Store
from bot.store.schema import MIGRATIONS

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Store:
    return Store(tmp_path / "h.db", clock)


def item(key: str, *, url: str | None = None, title: str = "t", summary: str = "s") -> Item:
    return Item(
        feed="wire",
        key=key,
        url=url,
        title=title,
        summary=summary,
        published=NOW,
        local_date=NOW.date(),
        content_hash=content_hash(title, summary),
    )


# --- migrations ---------------------------------------------------------------------------


def test_a_new_database_is_at_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    store = Store(tmp_path / "new.db")
    assert store.version == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_run_in_order_and_only_once(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    Store(path, migrations=MIGRATIONS).close()
    v2 = "ALTER TABLE feeds ADD COLUMN colour TEXT;"
    v3 = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
    upgraded = Store(path, migrations=(*MIGRATIONS, v2, v3))
    assert upgraded.version == len(MIGRATIONS) + 2
    upgraded.db.execute("INSERT INTO notes (body) VALUES ('kept')")
    upgraded.close()
    again = Store(path, migrations=(*MIGRATIONS, v2, v3))  # nothing runs twice
    assert again.db.execute("SELECT body FROM notes").fetchall()[0][0] == "kept"


def test_a_failing_migration_rolls_back_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    Store(path).close()
    broken = "CREATE TABLE half (id INTEGER); INSERT INTO no_such_table VALUES (1);"
    with pytest.raises(StoreError, match="migration to schema version 2 failed"):
        Store(path, migrations=(*MIGRATIONS, broken))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None


def test_a_database_from_a_newer_hotline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this Hotline understands"):
        Store(path)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot use the database"):
        Store(path)


# --- what is new --------------------------------------------------------------------------


def test_an_item_is_new_once_per_feed_and_identity(store: Store) -> None:
    first = store.add_items([item("guid:1"), item("guid:2", title="other")])
    assert [i.key for _, i in first] == ["guid:1", "guid:2"]
    assert store.add_items([item("guid:1"), item("guid:2", title="other")]) == []
    other_feed = dataclasses.replace(item("guid:1"), feed="other")
    assert len(store.add_items([other_feed])) == 1


def test_duplicates_inside_one_document_count_once(store: Store) -> None:
    assert len(store.add_items([item("guid:1"), item("guid:1")])) == 1


def test_a_re_guided_item_with_the_same_url_is_not_new(store: Store) -> None:
    store.add_items([item("guid:a", url="https://x.org/1", title="A")])
    assert store.add_items([item("guid:b", url="https://x.org/1", title="A, updated")]) == []
    assert store.count_items("wire") == 1


def test_the_same_text_within_fourteen_days_is_not_new(store: Store, clock: FixedClock) -> None:
    store.add_items([item("guid:a", url="https://x.org/1")])
    clock.advance(timedelta(days=13))
    assert store.add_items([item("guid:b", url="https://x.org/2")]) == []
    clock.advance(timedelta(days=2))  # 15 days after the first sighting: news again
    assert len(store.add_items([item("guid:c", url="https://x.org/3")])) == 1


def test_empty_items_are_not_merged_by_their_empty_text(store: Store) -> None:
    store.add_items([item("url:1", title="", summary="")])
    assert len(store.add_items([item("url:2", title="", summary="")])) == 1


# --- events -------------------------------------------------------------------------------


def src(item_id: int | None = None, origin: str = "feed") -> NewSource:
    return NewSource(
        origin=origin,  # type: ignore[arg-type]
        title=f"report {item_id}",
        evidence="They spoke.",
        url=f"https://x.org/{item_id}",
        feed="wire",
        item_id=item_id,
    )


def ids(store: Store, n: int) -> list[int]:
    return [i for i, _ in store.add_items([item(f"guid:{k}", title=f"t{k}") for k in range(n)])]


def test_reports_of_the_same_pair_kind_and_day_merge(store: Store) -> None:
    one, two, three = ids(store, 3)
    first = store.record_contact(
        "putin", "biden", kind="call", day=date(2024, 4, 30), approximate=False, source=src(one)
    )
    second = store.record_contact(
        "biden", "putin", kind="call", day=date(2024, 4, 30), approximate=False, source=src(two)
    )
    assert first is not None and second is not None
    assert first.new and not second.new
    assert second.event.id == first.event.id
    assert (second.event.a, second.event.b) == ("biden", "putin")
    assert [s.title for s in second.event.sources] == ["report 1", "report 2"]
    # the same item again adds nothing
    assert (
        store.record_contact(
            "biden", "putin", kind="call", day=date(2024, 4, 30), approximate=False, source=src(two)
        )
        is None
    )
    # a meeting the same day is another event
    meeting = store.record_contact(
        "biden",
        "putin",
        kind="meeting",
        day=date(2024, 4, 30),
        approximate=False,
        source=src(three),
    )
    assert meeting is not None and meeting.new


def test_exact_days_apart_stay_apart_but_an_approximate_day_merges(store: Store) -> None:
    one, two, three = ids(store, 3)
    friday = store.record_contact(
        "a", "b", kind="call", day=date(2022, 10, 21), approximate=False, source=src(one)
    )
    saturday = store.record_contact(
        "a", "b", kind="call", day=date(2022, 10, 22), approximate=False, source=src(two)
    )
    assert friday and saturday and saturday.new
    undated = store.record_contact(
        "a", "b", kind="call", day=date(2022, 10, 23), approximate=True, source=src(three)
    )
    assert undated is not None and not undated.new
    assert undated.event.id == saturday.event.id


def test_an_exact_report_fixes_an_approximate_event(store: Store) -> None:
    one, two = ids(store, 2)
    store.record_contact(
        "a", "b", kind="call", day=date(2024, 3, 2), approximate=True, source=src(one)
    )
    fixed = store.record_contact(
        "a", "b", kind="call", day=date(2024, 3, 1), approximate=False, source=src(two)
    )
    assert fixed is not None and not fixed.new
    assert fixed.event.date == date(2024, 3, 1)
    assert not fixed.event.approximate


def test_a_recorded_history_row_absorbs_a_report_a_day_off(store: Store) -> None:
    (one,) = ids(store, 1)
    store.record_contact(
        "a",
        "b",
        kind="meeting",
        day=date(2021, 6, 16),
        approximate=False,
        source=src(None, origin="history"),
    )
    joined = store.record_contact(
        "a", "b", kind="meeting", day=date(2021, 6, 17), approximate=False, source=src(one)
    )
    assert joined is not None and not joined.new
    assert [s.origin for s in joined.event.sources] == ["history", "feed"]


def test_pair_events_newest_first_and_previous(store: Store) -> None:
    for n, day in enumerate([date(2024, 1, 5), date(2024, 3, 1), date(2024, 2, 1)]):
        (item_id,) = [i for i, _ in store.add_items([item(f"guid:p{n}", title=f"p{n}")])]
        store.record_contact("a", "b", kind="call", day=day, approximate=False, source=src(item_id))
    events = store.pair_events("b", "a")
    assert [e.date for e in events] == [date(2024, 3, 1), date(2024, 2, 1), date(2024, 1, 5)]
    previous = store.previous_event(events[0])
    assert previous is not None and previous.date == date(2024, 2, 1)
    assert store.pair_events("a", "b", since=date(2024, 2, 1), limit=1)[0].date == date(2024, 3, 1)


# --- outbox and mutes ----------------------------------------------------------------------


def alert(key: str, feed: str | None = "wire", thread: str | None = None) -> Alert:
    return Alert(key=key, kind="contact", text=f"alert {key}", feed=feed, thread=thread)


SLACK = Destination("slack", "C1")
OTHER = Destination("slack", "C2")


def test_an_alert_is_queued_once_per_destination_ever(store: Store) -> None:
    assert store.enqueue(alert("k1"), [SLACK, OTHER]) == 2
    assert store.enqueue(alert("k1"), [SLACK, OTHER]) == 0


def test_deliveries_keep_order_per_destination_and_wait_for_retries(
    store: Store, clock: FixedClock
) -> None:
    store.enqueue(alert("k1"), [SLACK])
    store.enqueue(alert("k2"), [SLACK, OTHER])
    due = store.due_deliveries("slack", clock.now())
    assert [(d.alert.key, d.destination.target) for d in due] == [("k1", "C1"), ("k2", "C2")]
    store.mark_retry(due[0].id, "429", clock.now() + timedelta(seconds=30))
    store.mark_sent(due[1].id, "m-2")
    # k2 may not overtake k1 on C1 while k1 waits
    assert store.due_deliveries("slack", clock.now()) == []
    clock.advance(timedelta(seconds=31))
    (again,) = store.due_deliveries("slack", clock.now())
    assert (again.alert.key, again.attempts) == ("k1", 1)


def test_a_thread_reply_knows_its_parent_message(store: Store, clock: FixedClock) -> None:
    store.enqueue(alert("contact:1"), [SLACK])
    (parent,) = store.due_deliveries("slack", clock.now())
    store.mark_sent(parent.id, "1700000000.0001")
    store.enqueue(alert("source:1:2", thread="contact:1"), [SLACK])
    (reply,) = store.due_deliveries("slack", clock.now())
    assert reply.thread_parent == "1700000000.0001"
    assert reply.alert == alert("source:1:2", thread="contact:1")


def test_held_alerts_wait_and_are_released_as_a_digest(store: Store, clock: FixedClock) -> None:
    store.enqueue(alert("k1"), [SLACK], held=True)
    store.enqueue(alert("k2", feed="other"), [SLACK], held=True)
    assert store.due_deliveries("slack", clock.now()) == []
    held = store.held_alerts(["wire"])
    assert [a.key for _, _, a, _ in held] == ["k1"]
    store.release_held([held[0][0]], [(alert("digest:wire"), SLACK)])
    assert [d.alert.key for d in store.due_deliveries("slack", clock.now())] == ["digest:wire"]
    assert store.outbox_counts() == {"digested": 1, "held": 1, "pending": 1}


def test_mutes(store: Store, clock: FixedClock) -> None:
    mute = Mute("wire", NOW + timedelta(hours=1), "noisy", "U1", NOW)
    store.set_mute(mute)
    assert store.mutes() == [mute]
    assert store.remove_mute("wire") == mute
    assert store.mutes() == []
    assert store.remove_mute("wire") is None


def test_announcements_happen_once(store: Store) -> None:
    assert store.announce_once("silence:x:30", NOW)
    assert not store.announce_once("silence:x:30", NOW)
    assert store.announced("silence:x:30")


def test_the_next_attempt_is_the_earliest_head_of_a_destination(
    store: Store, clock: FixedClock
) -> None:
    store.enqueue(alert("k1"), [SLACK])
    store.enqueue(alert("k2"), [SLACK])  # waits behind k1, whatever its own time
    (head,) = store.due_deliveries("slack", clock.now())
    store.mark_retry(head.id, "500", clock.now() + timedelta(minutes=5))
    assert store.next_attempt_at("slack") == clock.now() + timedelta(minutes=5)
    store.enqueue(alert("k3"), [OTHER])  # a destination with nothing waiting: due now
    assert store.next_attempt_at("slack") == clock.now()
    assert store.next_attempt_at("matrix") is None
