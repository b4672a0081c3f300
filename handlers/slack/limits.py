"""What Slack's answers mean for a delivery, how fast Hotline may post, and who is an
editor through a Slack user group.

``delivery_error`` turns a failed Web API call into the core's ``FrontendError``: a 429
waits for its ``Retry-After``, a 5xx or a lost connection is retried by the outbox with
backoff, and refusals that no retry can fix (the channel is gone, the bot is not in it,
the blocks are invalid) are permanent. ``Pacer`` keeps to Slack's one message per second
per channel. ``EditorGroups`` caches the members of the editors' user groups for a few
minutes. ``ReplayGuard`` refuses a signed request sent a second time. No Bolt here; the
Web API is reached only through the functions passed in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.clock import Clock
from bot.errors import FrontendError

__all__ = [
    "PERMANENT_ERRORS",
    "EditorGroups",
    "Pacer",
    "ReplayGuard",
    "classify",
    "delivery_error",
]

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "channel_is_archived",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "invalid_form_data",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "too_many_attachments",
        "cannot_reply_to_message",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "messages_tab_disabled",
        "team_access_not_granted",
        "ekm_access_denied",
        "invalid_thread_ts",
        "file_uploads_disabled",
        "file_upload_size_restricted",
    }
)
"""Refusals that a retry cannot fix: the row is marked failed (and logged) instead.

Authentication errors (``invalid_auth``, ``token_revoked``, ``missing_scope``) are *not*
here: they are fixed by an administrator, after which the held rows go out."""


def classify(
    method: str, status: int | None, error: str | None, retry_after: str | None = None
) -> FrontendError:
    """The ``FrontendError`` for Slack's answer to ``method``: HTTP ``status``, the
    ``error`` field of its body, and its ``Retry-After`` header."""
    if status == 429 or error == "ratelimited":
        wait: float | None = None
        if retry_after is not None:
            try:
                wait = max(0.0, float(retry_after.strip()))
            except ValueError:
                wait = None
        after = f" (retry after {wait:g}s)" if wait is not None else ""
        return FrontendError(f"Slack is rate limiting {method}{after}", retry_after=wait)
    if status is not None and status >= 500:
        detail = f": {error}" if error else ""
        return FrontendError(f"Slack answered {status} to {method}{detail}")
    if error in PERMANENT_ERRORS:
        return FrontendError(f"Slack refused {method}: {error}", permanent=True)
    return FrontendError(f"Slack refused {method}: {error or f'HTTP {status}'}")


def delivery_error(method: str, exc: BaseException) -> FrontendError:
    """The ``FrontendError`` for an exception raised by a Web API call."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        data = getattr(response, "data", None)
        error = data.get("error") if isinstance(data, Mapping) else None
        headers: Any = getattr(response, "headers", None) or {}
        retry_after = headers.get("Retry-After") if hasattr(headers, "get") else None
        status = getattr(response, "status_code", None)
        return classify(method, status, error, retry_after)
    if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError | SlackClientError):
        return FrontendError(f"cannot reach Slack for {method}: {type(exc).__name__}: {exc}")
    return FrontendError(f"{method} failed: {type(exc).__name__}: {exc}")


class Pacer:
    """At most one message per ``interval`` per channel (Slack allows about one per second
    and answers bursts with 429).

    Each caller reserves the next free slot of its channel and sleeps until then, so callers
    are spaced even when they arrive together. ``monotonic`` and ``sleep`` are parameters so
    tests can run on a fake time line.
    """

    def __init__(
        self,
        interval: timedelta = timedelta(seconds=1),
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.interval = max(0.0, interval.total_seconds())
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: dict[str, float] = {}

    async def wait(self, channel: str) -> None:
        """Return when a message may be posted to ``channel``."""
        now = self._monotonic()
        slot = max(now, self._next.get(channel, now))
        self._next[channel] = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)


Members = Callable[[str], Awaitable[Collection[str]]]
"""Looks up a user group's member ids (``usergroups.users.list``)."""


class EditorGroups:
    """Whether a user belongs to one of the editors' Slack user groups.

    Members are cached per group for ``ttl`` (by the injected clock). When Slack cannot be
    asked, the last known members are used; with none, the user is not vouched for (the
    editors listed by id in ``feeds.yaml`` still are, by the core).
    """

    def __init__(
        self,
        groups: Collection[str],
        members: Members,
        clock: Clock,
        ttl: timedelta = timedelta(minutes=5),
    ) -> None:
        self.groups = tuple(dict.fromkeys(groups))
        self._members = members
        self.clock = clock
        self.ttl = ttl
        self._cache: dict[str, tuple[frozenset[str], datetime]] = {}
        self._lock = asyncio.Lock()

    async def contains(self, user: str) -> bool:
        """Whether ``user`` is in any of the groups."""
        for group in self.groups:
            if user in await self._group(group):
                return True
        return False

    async def _group(self, group: str) -> frozenset[str]:
        async with self._lock:
            now = self.clock.now()
            cached = self._cache.get(group)
            if cached is not None and now - cached[1] < self.ttl:
                return cached[0]
            try:
                found = frozenset(await self._members(group))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "cannot read the members of the Slack user group %s (%s); %s",
                    group,
                    delivery_error("usergroups.users.list", exc),
                    "using the last known members" if cached else "nobody is vouched for",
                )
                return cached[0] if cached else frozenset()
            self._cache[group] = (found, now)
            return found


class ReplayGuard:
    """Refuses a signed request seen before: Bolt accepts any request signed within five
    minutes, so without this a captured slash command could be sent again in that window.

    Only requests whose signature checks out are remembered (so no one can fill the memory
    with forgeries), each until its timestamp leaves the five-minute window.
    """

    WINDOW = 300.0

    def __init__(self, signing_secret: str, now: Callable[[], float] = time.time) -> None:
        from slack_sdk.signature import SignatureVerifier

        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.now = now
        self._seen: dict[tuple[str, str], float] = {}

    def replayed(self, body: str, timestamp: str | None, signature: str | None) -> bool:
        """Whether this validly signed request was already accepted once."""
        if self.verifier is None or not timestamp or not signature:
            return False  # unsigned or Socket Mode: Bolt decides
        if not self.verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
            return False  # Bolt answers 401 for a bad signature itself
        now = self.now()
        for key, expires in list(self._seen.items()):
            if expires < now:
                del self._seen[key]
        key = (timestamp, signature)
        if key in self._seen:
            return True
        try:
            expires = float(timestamp) + self.WINDOW
        except ValueError:
            return False
        self._seen[key] = expires
        return False
