"""Backfill: saved feed documents replayed through the poll's pipeline, without alerts."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.backfill import Backfill, Unreadable, backfill, derived_name, find_documents
from bot.clock import FixedClock
from bot.config import parse_settings
from bot.fetch import Fetcher
from bot.models import FeedSpec, SilenceClaim
from bot.parsing import Extractor, InlineParser, LocalReader, registry_extractor
from bot.store import Store
from tests.conftest import DATA, shared_path
from tests.fakes import KeywordExtractor, Said
from tests.test_cli import run

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ARCHIVE = DATA / "records" / "archive"
SNAPSHOTS = DATA / "records" / "snapshots"
BROKEN = Unreadable(
    str(ARCHIVE / "broken.xml"), "not a feed (no RSS or Atom root element; an HTML page?)"
)
SAID = KeywordExtractor(
    [
        Said("Milley and Gerasimov", "mark-milley", "valery-gerasimov", "call", date(2023, 3, 15)),
        Said("Putin and Xi meet", "vladimir-putin", "xi-jinping", "meeting", date(2023, 3, 20)),
        Said("Biden and Xi meet", "joe-biden", "xi-jinping", "meeting", date(2022, 11, 14)),
        Said("Austin and Shoigu spoke", "lloyd-austin", "sergei-shoigu", "call", None),
    ],
    silences={
        "Blinken and Lavrov silent": SilenceClaim(
            "antony-blinken",
            "sergei-lavrov",
            date(2022, 1, 21),
            "call",
            "Blinken and Lavrov have not spoken since January 21, 2022.",
        )
    },
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "h.db", FixedClock(NOW))


async def replay(
    store: Store,
    paths: list[Path],
    *,
    extractor: Extractor = SAID,
    feeds: tuple[FeedSpec, ...] = (),
    feed: str | None = None,
) -> tuple[Backfill, list[int]]:
    reader = LocalReader(Fetcher(), InlineParser(extractor))
    steps: list[int] = []
    totals: list[int] = []
    try:
        done = await backfill(
            paths,
            store=store,
            reader=reader,
            clock=FixedClock(NOW),
            feeds=feeds,
            feed=feed,
            progress=steps.append,
            total=totals.append,
        )
    finally:
        await reader.aclose()
    assert steps == [1] * (totals[0] if totals else 0)
    return done, totals


def test_folders_are_searched_for_saved_feed_documents() -> None:
    found, problems = find_documents([ARCHIVE, ARCHIVE / "wire.xml", ARCHIVE / "nowhere"])
    assert found == [
        ARCHIVE / "broken.xml",
        ARCHIVE / "regional" / "evening.rss.gz",
        ARCHIVE / "regional" / "ministry.atom",
        ARCHIVE / "wire.xml",  # named twice, read once
    ]
    assert problems == [Unreadable(str(ARCHIVE / "nowhere"), "no such file or folder")]


@pytest.mark.parametrize(
    ("name", "feed"),
    [
        ("wire.xml", "wire"),
        ("evening.rss.gz", "evening"),
        ("Reuters World.ATOM", "reuters-world"),
        ("bbc__news-world-rss2.xml", "bbc__news-world-rss2"),
        ("—.xml", "saved"),
    ],
)
def test_a_feed_name_is_derived_from_the_file_name(name: str, feed: str) -> None:
    assert derived_name(Path(name)) == feed


async def test_a_backfill_of_a_folder_records_items_contacts_and_claims_without_alerts(
    store: Store,
) -> None:
    done, totals = await replay(store, [ARCHIVE])
    assert totals == [4]
    assert done == Backfill(
        files=3,
        unreadable=(BROKEN,),
        items=6,
        new_items=6,
        contacts=4,
        recorded=3,
        new_events=3,
        undated=1,  # Austin–Shoigu: no day in the text, no date on the item
    )
    (milley,) = store.pair_events("mark-milley", "valery-gerasimov")
    assert (milley.date, milley.kind, milley.approximate) == (date(2023, 3, 15), "call", False)
    assert [(s.origin, s.feed, s.url) for s in milley.sources] == [
        ("feed", "wire", "https://wire.example/2023/03/16/milley-gerasimov")
    ]
    (biden,) = store.pair_events("joe-biden", "xi-jinping")
    assert [s.feed for s in biden.sources] == ["evening"]  # a gzip file
    assert store.pair_events("lloyd-austin", "sergei-shoigu") == []
    claim = store.latest_silence_claim("antony-blinken", "sergei-lavrov")
    assert claim is not None and claim[0].since == date(2022, 1, 21)
    assert store.outbox_counts() == {}  # nothing announced
    assert store.feed_states() == {}  # no feed's polling state touched


async def test_a_second_backfill_of_the_same_documents_records_nothing(store: Store) -> None:
    await replay(store, [ARCHIVE])
    events = store.count_events()
    again, _ = await replay(store, [ARCHIVE])
    assert again == Backfill(files=3, unreadable=(BROKEN,), items=6)
    assert store.count_events() == events


async def test_a_configured_feed_claims_its_saved_file(store: Store, tmp_path: Path) -> None:
    settings = parse_settings(
        "feeds: [{name: desk-wire, url: saved/wire.xml, tz: America/New_York}]",
        {},
        base_dir=tmp_path,
    )
    (tmp_path / "saved").mkdir()
    shutil.copy(ARCHIVE / "wire.xml", tmp_path / "saved" / "wire.xml")
    done, _ = await replay(store, [tmp_path / "saved"], feeds=settings.feeds)
    assert (done.files, done.new_events) == (1, 1)
    (milley,) = store.pair_events("mark-milley", "valery-gerasimov")
    assert [s.feed for s in milley.sources] == ["desk-wire"]


async def test_snapshots_of_one_feed_given_one_name_record_an_item_once(store: Store) -> None:
    done, _ = await replay(store, [SNAPSHOTS], feed="wire")
    assert done == Backfill(
        files=2, items=3, new_items=2, contacts=2, recorded=2, new_events=2, undated=0
    )
    (milley,) = store.pair_events("mark-milley", "valery-gerasimov")
    assert len(milley.sources) == 1


async def test_nothing_to_read_is_reported(store: Store, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done, totals = await replay(store, [tmp_path / "empty", tmp_path / "missing.xml"])
    assert totals == [0]
    assert done == Backfill(
        unreadable=(
            Unreadable(
                str(tmp_path / "empty"),
                "no saved feed documents in this folder (*.xml, *.rss, *.atom, *.rdf, or "
                "those gzipped)",
            ),
            Unreadable(str(tmp_path / "missing.xml"), "no such file or folder"),
        )
    )


async def test_a_backfill_of_the_real_feeds_records_their_contacts_once(store: Store) -> None:
    folder = shared_path("feeds-real")
    documents = sorted(p for p in folder.iterdir() if p.suffix == ".xml")
    extractor = registry_extractor()
    done, totals = await replay(store, [folder], extractor=extractor)
    assert totals == [len(documents)]
    assert done.files + len(done.unreadable) == len(documents)
    assert done.files > len(documents) // 2
    for bad in done.unreadable:  # the corpus names its broken documents
        assert "illformed" in bad.path or "not-a-feed" in bad.path, bad
    assert done.items >= done.new_items > 0
    assert done.contacts >= done.recorded >= done.new_events
    assert store.count_events() == done.new_events
    assert store.outbox_counts() == {}

    again, _ = await replay(store, [folder], extractor=extractor)
    assert again == Backfill(
        files=done.files, unreadable=done.unreadable, items=done.items, new_items=0
    )
    assert store.count_events() == done.new_events


# --- hotline backfill ----------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: [{name: live, url: 'https://wire.example/rss'}]\n", "utf-8")
    return path


def test_backfill_prints_a_summary_and_exits_0(config: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    args = ["backfill", str(ARCHIVE), "--config", str(config), "--db", str(db)]
    result = run(args, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "backfill: 3 files read, 1 unreadable",
        f"  unreadable: {BROKEN.path}: {BROKEN.reason}",
        "  items:               6 (6 new)",
    ]
    assert lines[3].startswith("  contacts found:")
    assert lines[4].startswith("  new contact events:")
    with Store(db) as store:  # the real extractor found the plainest readout
        (milley,) = store.pair_events("mark-milley", "valery-gerasimov")
        assert milley.date == date(2023, 3, 15)
        assert store.outbox_counts() == {}
    again = run(args, tmp_path)
    assert again.returncode == 0
    assert "  items:               6 (0 new)" in again.stdout
    assert "  new contact events:  0 (0 more sources of known ones)" in again.stdout


def test_backfill_of_nothing_readable_exits_2(config: Path, tmp_path: Path) -> None:
    result = run(
        [
            "backfill",
            str(tmp_path / "nowhere"),
            "--config",
            str(config),
            "--db",
            str(tmp_path / "h.db"),
        ],
        tmp_path,
    )
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "backfill: 0 files read, 1 unreadable",
        f"  unreadable: {tmp_path / 'nowhere'}: no such file or folder",
        "  items:               0 (0 new)",
        "  contacts found:      0",
        "  new contact events:  0 (0 more sources of known ones)",
    ]


def test_backfill_refuses_a_bad_feed_name(config: Path, tmp_path: Path) -> None:
    result = run(
        ["backfill", str(ARCHIVE), "--feed", "Desk Wire", "--config", str(config)], tmp_path
    )
    assert result.returncode == 2
    assert "--feed 'Desk Wire'" in result.stderr
