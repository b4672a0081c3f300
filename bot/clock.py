"""Time as a parameter: an injected ``Clock`` instead of ``datetime.now()`` in the code.

``SystemClock`` reads the real time; ``FixedClock`` is for tests and replays. Every value is
timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FixedClock", "SystemClock", "utc"]


class Clock(Protocol):
    """Tells the time."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that moves only when told to (tests, replays)."""

    current: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.current = utc(self.current)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        self.current += delta
        return self.current

    def set(self, when: datetime) -> None:
        """Jump to ``when``."""
        self.current = utc(when)


def utc(value: datetime) -> datetime:
    """``value`` as aware UTC; a naive value is refused rather than guessed."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: every time in Hotline carries a zone")
    return value.astimezone(UTC)
