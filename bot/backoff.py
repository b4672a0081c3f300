"""When to poll a feed next, and how long to wait before retrying a delivery. Pure; no I/O,
no clock, no randomness of its own (the caller passes ``jitter`` in ``[0, 1)``)."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["MAX_AGE_FACTOR", "next_poll_after", "retry_delay"]

MAX_AGE_FACTOR = 6
"""A ``Cache-Control: max-age`` may stretch a feed's interval up to this many times."""


def next_poll_after(
    now: datetime,
    interval: timedelta,
    errors: int = 0,
    retry_after: float | None = None,
    *,
    max_age: float | None = None,
    max_backoff: timedelta = timedelta(hours=6),
    jitter: float = 0.5,
) -> datetime:
    """The next poll time of a feed polled at ``now``.

    - Success (``errors == 0``): after ``interval``; a longer ``Cache-Control: max-age`` is
      honoured up to ``MAX_AGE_FACTOR`` intervals (and never beyond ``max_backoff``).
    - Failure: exponential backoff ``interval * 2**(errors - 1)``, capped at
      ``max_backoff``, spread by ``jitter`` over 75%..125% so that feeds failing together
      do not retry together.
    - ``Retry-After`` (seconds) is honoured when longer, up to ``max_backoff``.
    """
    if interval <= timedelta(0):
        raise ValueError("interval must be positive")
    if errors <= 0:
        delay = interval
        if max_age is not None and max_age > interval.total_seconds():
            ceiling = min(interval * MAX_AGE_FACTOR, max(max_backoff, interval))
            delay = min(timedelta(seconds=max_age), ceiling)
    else:
        exponent = min(errors - 1, 30)
        base = min(interval * (2**exponent), max(max_backoff, interval))
        delay = base * (0.75 + 0.5 * min(max(jitter, 0.0), 1.0))
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(timedelta(seconds=retry_after), max(max_backoff, interval)))
    return now + delay


def retry_delay(
    attempts: int,
    retry_after: float | None = None,
    *,
    base: timedelta = timedelta(seconds=2),
    cap: timedelta = timedelta(minutes=10),
    jitter: float = 0.5,
) -> timedelta:
    """How long a failed delivery waits before its next attempt.

    Exponential from ``base`` (attempt 1 waits about ``base``), capped at ``cap``, spread
    by ``jitter`` over 75%..125%; a platform's ``Retry-After`` wins when longer.
    """
    exponent = min(max(attempts - 1, 0), 30)
    delay: timedelta = min(base * (2**exponent), cap) * (0.75 + 0.5 * min(max(jitter, 0.0), 1.0))
    if retry_after is not None and retry_after > 0:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
