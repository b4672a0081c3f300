"""Silence marks as a pure decision, and who counts for a role over time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.contacts import Candidate, PairWindow, Spell, merge_target, pair_windows, spells
from bot.milestones import Silence, claim_is_newer, silence_alerts, watch_label
from bot.models import Alert, ContactEvent, Kind, Link, SilenceClaim, Source, Watch
from bot.render import context, fields, heading, text
from tests.fake_registry import REGISTRY

ADDED = datetime(2022, 2, 12, 20, tzinfo=UTC)
URL = "https://www.ksby.com/news/putin-biden-conclude-hourlong-call-on-ukraine-crisis"


def event(
    day: date, a: str = "joe-biden", b: str = "vladimir-putin", kind: Kind = "call", id: int = 7
) -> ContactEvent:
    source = Source("history", None, URL, "ksby.com", None, URL, ADDED, id=1)
    return ContactEvent(id, a, b, kind, day, False, (source,), ADDED)


BIDEN_PUTIN = Watch("joe-biden", "vladimir-putin", kind="call")
CALL = event(date(2022, 2, 12))


def silence(
    last: ContactEvent | None = CALL,
    watch: Watch = BIDEN_PUTIN,
    claim: SilenceClaim | None = None,
) -> Silence:
    found = (
        (claim, Source("feed", "wire", "https://news.example/s", "Still silent", None, "", ADDED))
        if claim
        else None
    )
    return Silence(watch, watch_label(REGISTRY, watch), last, found)  # type: ignore[arg-type]


def keys(found: list[tuple[Alert, Silence]]) -> list[str]:
    return [alert.key for alert, _ in found]


@pytest.mark.parametrize(
    ("today", "announced", "expected"),
    [
        (date(2022, 3, 13), set(), []),  # 29 days
        (date(2022, 3, 14), set(), ["silence:joe-biden~vladimir-putin:call:30:e7"]),
        (date(2022, 3, 14), {"silence:joe-biden~vladimir-putin:call:30:e7"}, []),
        (date(2022, 4, 13), set(), ["silence:joe-biden~vladimir-putin:call:60:e7"]),
        # a long gap (Hotline was down): only the highest mark reached, not the ones missed
        (date(2022, 9, 1), set(), ["silence:joe-biden~vladimir-putin:call:180:e7"]),
        (date(2023, 6, 1), set(), ["silence:joe-biden~vladimir-putin:call:365:e7"]),
        (date(2023, 6, 1), {"silence:joe-biden~vladimir-putin:call:365:e7"}, []),
    ],
    ids=["29 days", "30 days", "30 announced", "60 days", "late: 180", "365", "365 announced"],
)
def test_each_mark_is_announced_once_per_silence(
    today: date, announced: set[str], expected: list[str]
) -> None:
    assert keys(silence_alerts(REGISTRY, [silence()], announced, today)) == expected  # type: ignore[arg-type]


def test_a_new_contact_re_arms_the_marks() -> None:
    done = {f"silence:joe-biden~vladimir-putin:call:{t}:e7" for t in (30, 60, 90, 180, 365)}
    newer = event(date(2025, 2, 12), "donald-trump", id=90)  # any later event anchors anew
    found = silence_alerts(REGISTRY, [silence(newer)], done, date(2025, 3, 14))  # type: ignore[arg-type]
    assert keys(found) == ["silence:joe-biden~vladimir-putin:call:30:e90"]


def test_a_watch_with_no_contact_known_is_never_announced() -> None:
    assert silence_alerts(REGISTRY, [silence(None)], set(), date(2030, 1, 1)) == []  # type: ignore[arg-type]


def test_the_alert_says_how_long_and_since_when_with_the_last_contact_linked() -> None:
    ((alert, _),) = silence_alerts(REGISTRY, [silence()], set(), date(2022, 5, 23))  # type: ignore[arg-type]
    assert alert == Alert(
        key="silence:joe-biden~vladimir-putin:call:90:e7",
        kind="silence",
        text=(
            "Silence: Biden–Putin\n"
            "No Biden–Putin call since February 12: 100 days.\n"
            f"Last on record: Biden–Putin call on Sat February 12, 2022 — ksby.com <{URL}> "
            "(bundled record)\n"
            "Mark: 90 days (marks: 30, 60, 90, 180, 365 days)"
        ),
        blocks=(
            heading("Silence: Biden–Putin"),
            text("No Biden–Putin call since February 12: 100 days."),
            fields(
                (
                    "Last on record",
                    [
                        "Biden–Putin call on Sat February 12, 2022",
                        " — ",
                        Link("ksby.com", URL),
                        " (bundled record)",
                    ],
                ),
                ("Mark", "90 days (marks: 30, 60, 90, 180, 365 days)"),
            ),
        ),
    )
    assert alert.feed is None  # no feed caused it: a mute never holds it
    assert not alert.urgent


def test_a_claim_of_a_later_contact_moves_the_start_of_the_silence() -> None:
    claim = SilenceClaim(
        "joe-biden", "vladimir-putin", date(2022, 3, 1), "call", "They last spoke on March 1."
    )
    found = silence_alerts(REGISTRY, [silence(claim=claim)], set(), date(2022, 4, 1))  # type: ignore[arg-type]
    assert keys(found) == ["silence:joe-biden~vladimir-putin:call:30:d2022-03-01"]
    (alert, _) = found[0]
    assert alert.text.splitlines()[1] == "No Biden–Putin call since March 1: 31 days."
    assert alert.blocks[-1] == context(
        [
            "Counted from a report that says: “",
            "They last spoke on March 1.",
            "” — ",
            Link("Still silent", "https://news.example/s"),
            " (wire)",
        ]
    )


@pytest.mark.parametrize(
    ("claim_since", "claim_kind", "watch_kind", "last", "expected"),
    [
        (date(2022, 3, 1), "call", "call", date(2022, 2, 12), True),
        (date(2022, 2, 1), "call", "call", date(2022, 2, 12), False),  # older than the record
        (date(2022, 3, 1), "meeting", "call", date(2022, 2, 12), False),  # other kind
        (date(2022, 3, 1), None, "call", date(2022, 2, 12), False),  # not said it was a call
        (date(2022, 3, 1), "meeting", None, date(2022, 2, 12), True),  # any contact counts
        (None, None, None, date(2022, 2, 12), False),  # names no day
        (date(2022, 3, 1), None, None, None, True),  # the record has nothing
    ],
)
def test_claim_is_newer(
    claim_since: date | None,
    claim_kind: Kind | None,
    watch_kind: Kind | None,
    last: date | None,
    expected: bool,
) -> None:
    claim = SilenceClaim("joe-biden", "vladimir-putin", claim_since, claim_kind, "...")
    assert claim_is_newer(claim, event(last) if last else None, watch_kind) is expected


@pytest.mark.parametrize(
    ("watch", "label"),
    [
        (Watch("joe-biden", "vladimir-putin"), "Biden–Putin"),
        (Watch("us.defense", "ru.defense"), "US–RU defence chiefs"),
        (Watch("us.military", "ru.defense"), "US top military officer – RU defence chief"),
        (Watch("us.defense", "sergei-shoigu"), "US defence chief – Shoigu"),
        (Watch("us.defense", "ru.defense", name="Pentagon–MoD"), "Pentagon–MoD"),
    ],
)
def test_watch_labels(watch: Watch, label: str) -> None:
    assert watch_label(REGISTRY, watch) == label  # type: ignore[arg-type]


def test_role_windows_pair_holders_only_while_both_held_the_roles() -> None:
    us = spells(REGISTRY, "us.defense")  # type: ignore[arg-type]
    ru = spells(REGISTRY, "ru.defense")  # type: ignore[arg-type]
    assert us == [
        Spell("lloyd-austin", date(2021, 1, 22), date(2025, 1, 20)),
        Spell("pete-hegseth", date(2025, 1, 25)),
    ]
    assert pair_windows(us, ru) == [
        PairWindow("lloyd-austin", "sergei-shoigu", date(2021, 1, 22), date(2024, 5, 12)),
        PairWindow("andrei-belousov", "lloyd-austin", date(2024, 5, 14), date(2025, 1, 20)),
        PairWindow("andrei-belousov", "pete-hegseth", date(2025, 1, 25), None),
    ]
    # a president-elect's weeks before taking office are not the role's
    assert spells(REGISTRY, "us.head_of_state") == [  # type: ignore[arg-type]
        Spell("donald-trump", date(2017, 1, 20), date(2021, 1, 19)),
        Spell("donald-trump", date(2025, 1, 20)),
        Spell("joe-biden", date(2021, 1, 20), date(2025, 1, 19)),
    ]
    # an official's side is that person, always
    assert pair_windows(spells(REGISTRY, "joe-biden"), spells(REGISTRY, "ru.head_of_state")) == [  # type: ignore[arg-type]
        PairWindow("joe-biden", "vladimir-putin", date(2000, 5, 7), date(2008, 5, 7)),
        PairWindow("joe-biden", "vladimir-putin", date(2012, 5, 7), None),
    ]


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ([Candidate(1, date(2024, 5, 2), False, False, removed=True)], 1),
        (
            [
                Candidate(1, date(2024, 5, 2), False, False, removed=True),
                Candidate(2, date(2024, 5, 2), False, False),
            ],
            2,
        ),
        (
            [
                Candidate(1, date(2024, 5, 2), False, False, removed=True),
                Candidate(2, date(2024, 5, 3), False, True),
            ],
            1,
        ),
    ],
    ids=["a removed event still takes its reports", "a live one first", "the nearest first"],
)
def test_merge_target_with_removed_events(candidates: list[Candidate], expected: int) -> None:
    assert merge_target(date(2024, 5, 2), False, candidates) == expected
