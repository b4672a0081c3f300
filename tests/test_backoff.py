"""The pure scheduling decisions, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.backoff import next_poll_after, retry_delay

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
TEN = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("errors", "retry_after", "max_age", "jitter", "expected"),
    [
        (0, None, None, 0.5, TEN),
        (0, None, 300, 0.5, TEN),  # a shorter max-age never speeds polling up
        (0, None, 1800, 0.5, timedelta(minutes=30)),
        (0, None, 86400, 0.5, timedelta(minutes=60)),  # at most six intervals
        (1, None, None, 0.5, TEN),
        (2, None, None, 0.5, timedelta(minutes=20)),
        (3, None, None, 0.5, timedelta(minutes=40)),
        (3, None, None, 0.0, timedelta(minutes=30)),  # jitter spreads 75%..125%
        (3, None, None, 1.0, timedelta(minutes=50)),
        (12, None, None, 0.5, timedelta(hours=6)),  # capped
        (1, 3600, None, 0.5, timedelta(hours=1)),  # Retry-After wins when longer
        (1, 30, None, 0.5, TEN),  # ...and not when shorter
        (1, 10 * 86400, None, 0.5, timedelta(hours=6)),  # bounded by the cap
        (0, 1200, None, 0.5, timedelta(minutes=20)),
    ],
    ids=[
        "success",
        "short-max-age",
        "max-age-30m",
        "max-age-capped",
        "first-failure",
        "second-failure",
        "third-failure",
        "jitter-low",
        "jitter-high",
        "cap",
        "retry-after",
        "retry-after-short",
        "retry-after-capped",
        "retry-after-on-success",
    ],
)
def test_next_poll_after(
    errors: int,
    retry_after: float | None,
    max_age: float | None,
    jitter: float,
    expected: timedelta,
) -> None:
    got = next_poll_after(NOW, TEN, errors, retry_after, max_age=max_age, jitter=jitter)
    assert got == NOW + expected


def test_an_interval_longer_than_the_cap_is_kept() -> None:
    day = timedelta(days=1)
    assert next_poll_after(NOW, day, 3, jitter=0.5) == NOW + day


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        next_poll_after(NOW, timedelta(0))


@pytest.mark.parametrize(
    ("attempts", "retry_after", "expected"),
    [
        (1, None, timedelta(seconds=2)),
        (2, None, timedelta(seconds=4)),
        (5, None, timedelta(seconds=32)),
        (30, None, timedelta(minutes=10)),
        (1, 30.0, timedelta(seconds=30)),
    ],
)
def test_retry_delay(attempts: int, retry_after: float | None, expected: timedelta) -> None:
    assert retry_delay(attempts, retry_after, jitter=0.5) == expected
