"""Hotline's exceptions: one tree, so callers can catch as widely or narrowly as they need.

::

    HotlineError                 anything Hotline raises on purpose
    ├── ConfigError              feeds.yaml, registry files or the environment are invalid
    ├── FeedError                one feed could not be read (the poll goes on)
    │   ├── FetchError           the HTTP exchange failed (status, timeout, size cap, ...)
    │   └── FeedParseError       the body is not a feed
    ├── StoreError               the database cannot be opened or migrated
    ├── FrontendError            a chat platform refused or failed a delivery
    └── CommandError             a command cannot be answered (bad arguments, not allowed)

Pure; no I/O.
"""

from __future__ import annotations

__all__ = [
    "CommandError",
    "ConfigError",
    "FeedError",
    "FeedParseError",
    "FetchError",
    "FrontendError",
    "HotlineError",
    "StoreError",
]


class HotlineError(Exception):
    """Base of every error Hotline raises on purpose."""


class ConfigError(HotlineError):
    """Invalid configuration. ``problems`` lists every problem, each with its place."""

    def __init__(self, problems: list[str] | str, source: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        head = f"invalid configuration in {source}" if source else "invalid configuration"
        if len(self.problems) == 1:
            message = f"{head}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{head} ({len(self.problems)} problems):\n{lines}"
        super().__init__(message)


class FeedError(HotlineError):
    """One feed could not be read.

    Attributes:
        kind: a short machine-readable reason (``timeout``, ``http_500``, ``too_large``,
            ``not_a_feed``, ...), used in metrics and backoff decisions.
    """

    kind: str = "feed"

    def __init__(self, message: str, *, kind: str | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind


class FetchError(FeedError):
    """The HTTP exchange failed.

    Attributes:
        status: the HTTP status, if a response came back.
        retry_after: seconds the server asked us to wait, if it said.
    """

    kind = "fetch"

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, kind=kind)
        self.status = status
        self.retry_after = retry_after


class FeedParseError(FeedError):
    """The body is not a feed (or is too broken to yield any entry)."""

    kind = "parse"


class StoreError(HotlineError):
    """The database cannot be opened, migrated or written."""


class FrontendError(HotlineError):
    """A chat platform failed or refused a delivery.

    Attributes:
        retry_after: seconds to wait before trying again, when the platform said.
        permanent: retrying will not help (channel not found, not in channel, ...).
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class CommandError(HotlineError):
    """A command cannot be answered as asked; the message is shown to the user."""
