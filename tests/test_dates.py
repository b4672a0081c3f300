"""Date resolution against the publication's local calendar date."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.extract.dates import find_dates
from bot.extract.jsonl import parse_line

MON, TUE, WED, SUN = date(2022, 10, 24), date(2022, 10, 25), date(2022, 10, 26), date(2022, 10, 23)

# (text, publication's local date, the day it fixes or None)
CASES = [
    # weekdays: the latest such day on or before publication
    ("on Sunday", MON, date(2022, 10, 23)),
    ("on Monday", MON, date(2022, 10, 24)),
    ("on Tuesday", MON, date(2022, 10, 18)),
    ("late on Tuesday", WED, date(2022, 10, 25)),
    ("on Friday afternoon", MON, date(2022, 10, 21)),
    ("Tuesday night", WED, date(2022, 10, 25)),
    ("last Thursday", date(2025, 10, 21), date(2025, 10, 16)),
    ("last Tuesday", TUE, date(2022, 10, 18)),
    ("next Tuesday", MON, date(2022, 10, 25)),
    ("on Friday", date(2024, 11, 17), date(2024, 11, 15)),
    ("on Saturday", date(2023, 1, 1), date(2022, 12, 31)),  # across the year
    ("on Wednesday", date(2024, 3, 1), date(2024, 2, 28)),  # across the month
    ("on Thursday", date(2024, 3, 1), date(2024, 2, 29)),  # a leap day
    # relative days
    ("yesterday", MON, SUN),
    ("yesterday", date(2025, 1, 1), date(2024, 12, 31)),
    ("today", MON, MON),
    ("this morning", MON, MON),
    ("tonight", MON, MON),
    ("last night", date(2022, 3, 1), date(2022, 2, 28)),
    ("the day before yesterday", MON, date(2022, 10, 22)),
    ("three days ago", MON, date(2022, 10, 21)),
    ("in a post carried overnight into Monday: talks this evening", MON, SUN),
    # chained to the day fixed before
    ("on the 2nd ... the previous day", date(2025, 11, 3), date(2025, 11, 1)),
    ("on Wednesday ... the previous day", date(2022, 11, 2), date(2022, 11, 1)),
    ("on Thursday ... the previous evening", date(2025, 4, 17), date(2025, 4, 16)),
    ("on Sunday ... later the same day", MON, SUN),
    ("on Friday ... a day later", MON, date(2022, 10, 22)),
    # explicit dates, with and without a year
    ("on October 23", date(2022, 10, 24), date(2022, 10, 23)),
    ("Oct. 23", date(2022, 10, 24), date(2022, 10, 23)),
    ("on the 23rd", date(2022, 10, 24), date(2022, 10, 23)),
    ("on the 30th", date(2023, 3, 2), date(2023, 1, 30)),  # no February 30th
    ("23 October 2022", date(2023, 5, 1), date(2022, 10, 23)),
    ("October 23, 2022", date(2023, 5, 1), date(2022, 10, 23)),
    ("on December 30", date(2023, 1, 2), date(2022, 12, 30)),  # across the year
    ("on January 2", date(2022, 12, 30), date(2023, 1, 2)),  # just ahead
    ("Oct. 21-22", date(2023, 10, 24), date(2023, 10, 21)),
    ("2024-05-01", date(2024, 5, 3), date(2024, 5, 1)),
    ("6 марта", date(2022, 3, 8), date(2022, 3, 6)),
    ("вчера", date(2022, 3, 8), date(2022, 3, 7)),
    ("в воскресенье", MON, SUN),
    ("am Montag", date(2025, 1, 30), date(2025, 1, 27)),
    ("gestern", date(2025, 1, 30), date(2025, 1, 29)),
    ("am 23. Oktober", date(2022, 10, 24), date(2022, 10, 23)),
    # spans: no single day
    ("last weekend", MON, None),
    ("earlier this week", MON, None),
    ("last week", MON, None),
    ("late last month", date(2024, 2, 20), None),
    ("in March 2016", MON, None),
    ("in 2019", MON, None),
    ("last year", MON, None),
    ("about a year ago", MON, None),
    ("two weeks ago", MON, None),
    # "the eve of" an event and "a day before" an event name that event's day, not a chain
    ("on the eve", MON, SUN),
    ("on Monday ... a day before", TUE, SUN),
]


@pytest.mark.parametrize(("text", "ref", "expected"), CASES, ids=[f"{c[0]}@{c[1]}" for c in CASES])
def test_the_last_date_in_the_text_resolves(text: str, ref: date, expected: date | None) -> None:
    found = find_dates(text, ref)
    assert found, text
    assert found[-1].day == expected


def test_spans_keep_their_bounds() -> None:
    (weekend,) = find_dates("last weekend", MON)
    assert (weekend.first, weekend.last) == (date(2022, 10, 22), date(2022, 10, 23))
    (month,) = find_dates("late last month", date(2024, 2, 20))
    assert (month.first, month.last) == (date(2024, 1, 21), date(2024, 1, 31))
    (week,) = find_dates("earlier this week", date(2025, 1, 30))
    assert (week.first, week.last) == (date(2025, 1, 27), date(2025, 1, 30))


def test_so_long_ago_is_a_span_around_then() -> None:
    (year,) = find_dates("he had spoken with Xi once, about a year ago", date(2022, 8, 4))
    assert year.day is None
    assert year.first <= date(2021, 8, 4) <= year.last < date(2021, 10, 1)
    (weeks,) = find_dates("two weeks ago", MON)
    assert (weeks.first, weeks.last) == (date(2022, 10, 7), date(2022, 10, 13))


def test_an_event_s_eve_or_the_day_before_it_fixes_no_day() -> None:
    assert find_dates("on the eve of the G20 summit", MON, MON) == []
    assert find_dates("a day before his meeting with Putin", MON, MON) == []
    assert find_dates("two days before the summit", MON, MON) == []


def test_since_marks_the_bound_of_a_silence() -> None:
    (since,) = find_dates("have not spoken since mid-February", date(2022, 5, 1))
    assert since.since
    assert since.day is None
    assert since.first == date(2022, 2, 11)
    (plain,) = find_dates("spoke on March 1", date(2022, 3, 8))
    assert not plain.since


def test_words_that_are_not_dates() -> None:
    assert find_dates("Russia may meet its goals", MON) == []
    assert find_dates("a 10-minute encounter at 3:15", MON) == []
    assert [d.text for d in find_dates("talks in May", MON)] == ["in May"]


@pytest.mark.parametrize(
    ("published", "local"),
    [
        ("2024-05-01", date(2024, 5, 1)),
        ("2024-05-01T23:30:00-04:00", date(2024, 5, 1)),  # already May 2 in UTC
        ("2024-05-02T01:30:00+09:00", date(2024, 5, 2)),  # still May 1 in UTC
        ("2024-12-31T22:00:00-05:00", date(2024, 12, 31)),  # already next year in UTC
        ("2024-05-01T12:00:00Z", date(2024, 5, 1)),
    ],
)
def test_a_publication_with_an_offset_keeps_its_local_date(published: str, local: date) -> None:
    line = json.dumps({"id": 1, "published": published, "title": "t", "summary": "s"})
    _, item = parse_line(line)
    assert item.local_date == local
    if "T" in published:
        assert item.published is not None
        assert item.published.utcoffset() is not None


def test_yesterday_follows_the_local_date_not_utc() -> None:
    # Published late in New York on Sunday: already Monday in UTC, "yesterday" is Saturday.
    _, item = parse_line(
        json.dumps(
            {"id": 1, "published": "2022-10-23T22:00:00-04:00", "title": "t", "summary": "s"}
        )
    )
    assert item.local_date is not None
    assert find_dates("yesterday", item.local_date)[0].day == date(2022, 10, 22)
